/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The control server's protections and its backup, against the real
 * callscored (tests/daemon.c): the control socket's mode and group, TCP
 * control with a pre-shared token (wrong or missing tokens closed without
 * a reply and counted, bursts of failures refused at accept, the daemon
 * refusing to start on a bad token file), and an online backup taken
 * while events and snapshots keep coming, checked with SQLite itself.
 */
#include <sys/types.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>
#include <yajl/yajl_tree.h>

#include "daemon.h"

#define TOKEN		"s3cret-token-0123456789abcdef"
#define AUTH_FAIL_MAX	10	/* CTL_AUTH_FAIL_MAX in src/ctl.c */

/*
 * The harness's configuration with a control section of our own: ctl
 * holds its keys after "socket" (each indented two spaces), extra any
 * other sections.
 */
static void
control_conf(struct daemon *d, const char *ctl, const char *extra)
{
	FILE	*f;

	ck_assert_ptr_nonnull(f = fopen(d->conf, "w"));
	fprintf(f,
	    "listen:\n"
	    "  tcp: 127.0.0.1:0\n"
	    "  unix: events.sock\n"
	    "  udp: 127.0.0.1:0\n"
	    "control:\n"
	    "  socket: control.sock\n"
	    "%s"
	    "directories:\n"
	    "  state: %s\n"
	    "  runtime: %s\n"
	    "windows: [5m, 1h]\n"
	    "%s", ctl != NULL ? ctl : "", d->dir, d->dir,
	    extra != NULL ? extra : "snapshot:\n  interval: 1h\n");
	fclose(f);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	unlink(path);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* callscored -c conf, expected to refuse to start: exit 1, its stderr. */
static char *
start_refused(struct daemon *d)
{
	char	*argv[] = { (char *)bin("CALLSCORED", "src/callscored"),
	    (char *)"-c", d->conf, NULL };
	char	*out, *err;

	ck_assert_int_eq(run(&out, &err, argv), 1);
	free(out);
	return (err);
}

static double
ctl_counter(struct daemon *d, const char *key)
{
	return (status_num(d, "control", key));
}

/* The port of the TCP control address in status. */
static int
control_port(struct daemon *d)
{
	yajl_val	 st = client_json(d, "status", NULL);
	const char	*a = jstr(jget(st, "control", "tcp", NULL));
	int		 port;

	ck_assert_int_eq(strncmp(a, "127.0.0.1:", 10), 0);
	port = atoi(strrchr(a, ':') + 1);
	yajl_tree_free(st);
	ck_assert_int_gt(port, 0);
	return (port);
}

/*
 * Send lines on a fresh TCP control connection (then our end of it, if
 * shut) and read until the daemon closes (or 5 s pass): what came back,
 * in a static buffer.
 */
static char *
tcp_until_close(int port, const char *lines, int shut, int *closed)
{
	static char	 buf[65536];
	struct pollfd	 pfd;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd = connect_tcp(port);

	*closed = 0;
	if (*lines != '\0')
		ck_assert_int_eq(write(fd, lines, strlen(lines)),
		    (ssize_t)strlen(lines));
	if (shut)
		shutdown(fd, SHUT_WR);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (len < sizeof buf - 1 && poll(&pfd, 1, 5000) == 1) {
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			*closed = 1;
			break;
		}
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (buf);
}

/* callscore --connect 127.0.0.1:port --token-file file ARGS; exit status. */
static int
client_tcp(int port, const char *file, const char *cmd, char **out,
    char **err)
{
	char	 addr[64];
	char	*argv[] = { (char *)bin("CALLSCORE", "src/callscore"),
	    (char *)"--connect", addr, (char *)"--token-file", (char *)file,
	    (char *)"--json", (char *)cmd, NULL };

	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	if (file == NULL) {
		argv[3] = argv[5];	/* no --token-file: from the env */
		argv[4] = argv[6];
		argv[5] = NULL;
	}
	return (run(out, err, argv));
}

/* A group other than gid this process may give files to, or -1. */
static long
other_group(gid_t gid)
{
	gid_t		 groups[256];
	struct group	*gr;
	int		 n, i;

	n = getgroups(256, groups);
	for (i = 0; i < n; i++) {
		if (groups[i] != gid)
			return ((long)groups[i]);
	}
	if (geteuid() != 0)
		return (-1);
	setgrent();
	while ((gr = getgrent()) != NULL && gr->gr_gid == gid)
		continue;
	endgrent();
	return (gr != NULL ? (long)gr->gr_gid : -1);
}

/*
 * control.group by name (the primary group) and by number (another
 * group the test may use), with control.mode: the socket has both, and
 * the directory lets the group through.
 */
START_TEST(test_socket_mode_and_group)
{
	struct daemon	 d;
	struct stat	 sb;
	struct group	*gr;
	char		 ctl[256];
	long		 other;

	daemon_init(&d);
	ck_assert_ptr_nonnull(gr = getgrgid(getgid()));
	snprintf(ctl, sizeof ctl, "  mode: \"0660\"\n  group: %s\n",
	    gr->gr_name);
	control_conf(&d, ctl, NULL);
	daemon_start(&d);
	ck_assert_int_eq(stat(d.ctl, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_uint_eq(sb.st_mode & 07777, 0660);
	ck_assert_uint_eq(sb.st_gid, getgid());
	daemon_stop(&d);

	if ((other = other_group(getgid())) == -1) {
		daemon_cleanup(&d);
		return;		/* no second group to try */
	}
	ck_assert_int_eq(chmod(d.dir, 0700), 0);
	snprintf(ctl, sizeof ctl, "  mode: \"0620\"\n  group: %ld\n", other);
	control_conf(&d, ctl, NULL);
	daemon_start(&d);
	ck_assert_int_eq(stat(d.ctl, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0620);
	ck_assert_uint_eq(sb.st_gid, (gid_t)other);
	/* A 0700 directory of another group: search for others added. */
	ck_assert_int_eq(stat(d.dir, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0701);
	ck_assert(log_has(&d, "so that group"));
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* An unknown group: a configuration error at its position. */
START_TEST(test_socket_group_unknown)
{
	struct daemon	 d;
	char		*err;

	daemon_init(&d);
	control_conf(&d, "  group: no-such-group-here\n", NULL);
	err = start_refused(&d);
	ck_assert_msg(strstr(err, "callscored.yaml:7:10: control.group: no "
	    "group \"no-such-group-here\" (expected a group name or a "
	    "numeric gid)") != NULL, "got %s", err);
	free(err);
	daemon_cleanup(&d);
}
END_TEST

/*
 * With the right token every command works over TCP, from callscore
 * and raw; a wrong token, no token or any other first line closes the
 * connection without a byte, runs nothing and counts one failure.
 */
START_TEST(test_tcp_token)
{
	struct daemon	 d;
	char		 tok[PATH_MAX], bad[PATH_MAX], line[512], *out, *err;
	char		*ans;
	double		 req, fails;
	yajl_val	 v;
	int		 port, closed;

	daemon_init(&d);
	snprintf(tok, sizeof tok, "%s/control.token", d.dir);
	snprintf(bad, sizeof bad, "%s/wrong.token", d.dir);
	write_file(tok, TOKEN "\n", 0600);
	write_file(bad, "not-the-token-0123456789\n", 0600);
	control_conf(&d, "  tcp: 127.0.0.1:0\n  token_file: control.token\n",
	    NULL);
	daemon_start(&d);
	port = control_port(&d);
	ck_assert(log_has(&d, "(token required)"));

	/* callscore --connect, token from --token-file, then from env. */
	ck_assert_int_eq(client_tcp(port, tok, "status", &out, &err), 0);
	ck_assert_ptr_nonnull(v = yajl_tree_parse(out, NULL, 0));
	ck_assert_double_eq(jnum(jget(v, "control", "auth_ok", NULL)), 1);
	ck_assert_double_eq(jnum(jget(v, "control", "tcp_accepted", NULL)),
	    1);
	yajl_tree_free(v);
	free(out);
	free(err);
	setenv("CALLSCORE_TOKEN_FILE", tok, 1);
	ck_assert_int_eq(client_tcp(port, NULL, "live", &out, &err), 0);
	unsetenv("CALLSCORE_TOKEN_FILE");
	ck_assert_ptr_nonnull(strstr(out, "\"totals\""));
	free(out);
	free(err);
	ck_assert_double_eq(ctl_counter(&d, "auth_ok"), 2);

	/* Raw: the auth line is answered, then the requests after it. */
	snprintf(line, sizeof line, "{\"v\":1,\"cmd\":\"auth\",\"token\":\""
	    TOKEN "\"}\n{\"v\":1,\"cmd\":\"snapshot\"}\n");
	ans = tcp_until_close(port, line, 1, &closed);
	ck_assert_msg(strncmp(ans, "{\"v\":1,\"ok\":true}\n"
	    "{\"v\":1,\"ok\":true,\"snapshot\":{", 44) == 0, "got %s", ans);
	ck_assert_double_eq(status_num(&d, "snapshot", "count"), 1);

	/* Wrong token, with a command behind it: nothing back, nothing run. */
	req = ctl_counter(&d, "requests");
	ans = tcp_until_close(port, "{\"v\":1,\"cmd\":\"auth\",\"token\":"
	    "\"not-the-token-0123456789\"}\n{\"v\":1,\"cmd\":\"snapshot\"}\n",
	    0, &closed);
	ck_assert_int_eq(closed, 1);
	ck_assert_str_eq(ans, "");
	ck_assert_double_eq(ctl_counter(&d, "auth_failures"), 1);
	/* Only the two status requests since. */
	ck_assert_double_eq(ctl_counter(&d, "requests"), req + 2);
	ck_assert_double_eq(status_num(&d, "snapshot", "count"), 1);
	ck_assert(log_has(&d, "authentication failed: wrong token"));

	/* A token one byte short, one byte long, none, another command. */
	ans = tcp_until_close(port, "{\"v\":1,\"cmd\":\"auth\",\"token\":\""
	    "s3cret-token-0123456789abcde\"}\n", 0, &closed);
	ck_assert(closed && *ans == '\0');
	ans = tcp_until_close(port, "{\"v\":1,\"cmd\":\"auth\",\"token\":\""
	    TOKEN "f\"}\n", 0, &closed);
	ck_assert(closed && *ans == '\0');
	ans = tcp_until_close(port, "{\"v\":1,\"cmd\":\"auth\"}\n", 0, &closed);
	ck_assert(closed && *ans == '\0');
	ans = tcp_until_close(port, "{\"v\":1,\"cmd\":\"status\"}\n", 0,
	    &closed);
	ck_assert(closed && *ans == '\0');
	ans = tcp_until_close(port, "GET / HTTP/1.0\r\n\r\n", 0, &closed);
	ck_assert(closed && *ans == '\0');
	fails = ctl_counter(&d, "auth_failures");
	ck_assert_double_eq(fails, 6);

	/* callscore with the wrong token: exit 1 and why. */
	ck_assert_int_eq(client_tcp(port, bad, "status", &out, &err), 1);
	ck_assert_str_eq(out, "");
	ck_assert_msg(strstr(err, "the token was refused") != NULL, "got %s",
	    err);
	free(out);
	free(err);
	ck_assert_double_eq(ctl_counter(&d, "auth_failures"), fails + 1);

	/* A token file others may read: callscore refuses it too. */
	ck_assert_int_eq(chmod(bad, 0644), 0);
	ck_assert_int_eq(client_tcp(port, bad, "status", &out, &err), 1);
	ck_assert_msg(strstr(err, "mode 0644 gives group or others access")
	    != NULL, "got %s", err);
	free(out);
	free(err);
	ck_assert_double_eq(ctl_counter(&d, "auth_failures"), fails + 1);
	ck_assert_double_eq(ctl_counter(&d, "tcp_refused"), 0);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * AUTH_FAIL_MAX failures within a second close new TCP connections on
 * accept, even with the right token; a second later they work again.
 */
START_TEST(test_tcp_auth_rate_limit)
{
	struct daemon	 d;
	char		 tok[PATH_MAX], *ans, *out, *err;
	int		 port, closed, i;

	daemon_init(&d);
	snprintf(tok, sizeof tok, "%s/control.token", d.dir);
	write_file(tok, TOKEN, 0400);
	control_conf(&d, "  tcp: 127.0.0.1:0\n  token_file: control.token\n",
	    NULL);
	daemon_start(&d);
	port = control_port(&d);

	for (i = 0; i < AUTH_FAIL_MAX; i++) {
		ans = tcp_until_close(port, "{\"v\":1,\"cmd\":\"auth\","
		    "\"token\":\"guess-guess-guess-guess\"}\n", 0, &closed);
		ck_assert(closed && *ans == '\0');
	}
	ck_assert_int_ne(client_tcp(port, tok, "status", &out, &err), 0);
	free(out);
	free(err);
	ck_assert_double_eq(ctl_counter(&d, "auth_failures"), AUTH_FAIL_MAX);
	ck_assert_double_eq(ctl_counter(&d, "tcp_refused"), 1);
	ck_assert_double_eq(ctl_counter(&d, "tcp_accepted"), AUTH_FAIL_MAX);
	ck_assert(log_has(&d, "closing new TCP control connections"));
	/* At most one line a second about failures. */
	ck_assert_int_eq(log_count(&d, "authentication failed"), 1);

	msleep(1100);
	ck_assert_int_eq(client_tcp(port, tok, "status", &out, &err), 0);
	free(out);
	free(err);
	ck_assert_double_eq(ctl_counter(&d, "auth_ok"), 1);
	ck_assert(log_has(&d, "accepting TCP control connections again"));
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* A bad token file: callscored refuses to start and says why. */
START_TEST(test_tcp_token_file_refused)
{
	struct daemon	 d;
	char		 tok[PATH_MAX], want[PATH_MAX + 128], *err;

	daemon_init(&d);
	snprintf(tok, sizeof tok, "%s/control.token", d.dir);
	control_conf(&d, "  tcp: 127.0.0.1:0\n  token_file: control.token\n",
	    NULL);

	err = start_refused(&d);
	snprintf(want, sizeof want, "control: control.token_file: %s: No such "
	    "file or directory", tok);
	ck_assert_msg(strstr(err, want) != NULL, "got %s", err);
	free(err);

	write_file(tok, TOKEN "\n", 0640);
	err = start_refused(&d);
	snprintf(want, sizeof want, "control: control.token_file: %s: mode "
	    "0640 gives group or others access; the token file must be "
	    "private (chmod 600)", tok);
	ck_assert_msg(strstr(err, want) != NULL, "got %s", err);
	free(err);

	write_file(tok, "short\n", 0600);
	err = start_refused(&d);
	ck_assert_msg(strstr(err, "the token is 5 bytes; at least 16 are "
	    "needed") != NULL, "got %s", err);
	free(err);

	/* TCP without a token file is a configuration error. */
	control_conf(&d, "  tcp: 127.0.0.1:0\n", NULL);
	err = start_refused(&d);
	ck_assert_msg(strstr(err, "callscored.yaml:7:8: control.tcp: TCP "
	    "control needs control.token_file") != NULL, "got %s", err);
	free(err);
	daemon_cleanup(&d);
}
END_TEST

/* Reload reads the token file again; a bad one keeps the old token. */
START_TEST(test_tcp_token_reload)
{
	struct daemon	 d;
	char		 tok[PATH_MAX], old[PATH_MAX], *out, *err;
	int		 port;

	daemon_init(&d);
	snprintf(tok, sizeof tok, "%s/control.token", d.dir);
	snprintf(old, sizeof old, "%s/old.token", d.dir);
	write_file(tok, TOKEN "\n", 0600);
	write_file(old, TOKEN "\n", 0600);
	control_conf(&d, "  tcp: 127.0.0.1:0\n  token_file: control.token\n",
	    NULL);
	daemon_start(&d);
	port = control_port(&d);

	write_file(tok, "a-brand-new-token-456\n", 0644);
	ck_assert_int_eq(client_reload(&d, &err), 1);
	ck_assert_msg(strstr(err, "mode 0644 gives group or others") != NULL,
	    "got %s", err);
	free(err);
	ck_assert_int_eq(client_tcp(port, old, "status", &out, &err), 0);
	free(out);
	free(err);

	ck_assert_int_eq(chmod(tok, 0600), 0);
	ck_assert_int_eq(client_reload(&d, &err), 0);
	free(err);
	ck_assert_int_ne(client_tcp(port, old, "status", &out, &err), 0);
	free(out);
	free(err);
	ck_assert_int_eq(client_tcp(port, tok, "status", &out, &err), 0);
	free(out);
	free(err);
	ck_assert_double_eq(ctl_counter(&d, "auth_ok"), 2);
	ck_assert_double_eq(ctl_counter(&d, "auth_failures"), 1);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* The snapshot tables of a copy, with SQLite: integrity and rows. */
static void
check_copy(const char *path, int min_snapshots)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	const char	*tables[] = { "state", "kpi_history", "snapshots",
	    "intervals", "meta" };
	char		 sql[128];
	size_t		 i;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
	    &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
		    tables[i]);
		ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) ==
		    SQLITE_OK, "%s: %s", path, sqlite3_errmsg(db));
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		if (strcmp(tables[i], "snapshots") == 0)
			ck_assert_int_ge(sqlite3_column_int(st, 0),
			    min_snapshots);
		if (strcmp(tables[i], "state") == 0)
			ck_assert_int_gt(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* Events, one connection, no answers, until killed. */
static pid_t
feed_start(int port)
{
	char	 line[256];
	pid_t	 pid;
	int	 fd, n = 0;

	if ((pid = fork()) != 0)
		return (pid);
	fd = connect_tcp(port);
	if (write(fd, "#acks none\n", 11) != 11)
		_exit(1);
	for (;;) {
		snprintf(line, sizeof line, "{\"type\":\"call\",\"call_id\":"
		    "\"c%d\",\"queue\":\"q%d\",\"agent\":\"a%d\",\"outcome\":"
		    "\"answered\",\"wait\":%d,\"talk\":60}\n", n, n % 50,
		    n % 500, n % 90);
		if (write(fd, line, strlen(line)) <= 0)
			_exit(0);
		n++;
	}
}

/*
 * Three backups while events pour in and snapshots are written every
 * second and on demand: each copy is whole and consistent.  A relative
 * name lands in the state directory.
 */
START_TEST(test_backup_under_load)
{
	struct daemon	 d;
	struct stat	 sb;
	struct dirent	*de;
	DIR		*dir;
	char		 name[32], path[PATH_MAX];
	yajl_val	 r;
	pid_t		 feeder;
	double		 accepted, t0;
	int		 i, status;

	daemon_init(&d);
	control_conf(&d, NULL, "snapshot:\n  interval: 1s\n"
	    "  history_agents: true\n");
	daemon_start(&d);
	feeder = feed_start(d.tcp_port);
	for (i = 0; i < 50 && status_num(&d, "events", "accepted") < 2000;
	    i++)
		msleep(20);
	t0 = mono_s();
	yajl_tree_free(client_json(&d, "snapshot", NULL));
	fprintf(stderr, "backup under load: a snapshot in %.2f s with the "
	    "journal's writer busy (%.0f events accepted)\n", mono_s() - t0,
	    status_num(&d, "events", "accepted"));
	/* The loop's side of it: some building, in slices. */
	ck_assert_double_gt(status_num(&d, "snapshot", "longest_step"), 0);
	ck_assert_double_le(status_num(&d, "snapshot", "longest_step"),
	    status_num(&d, "snapshot", "build"));

	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "copy%d.db", i);
		accepted = status_num(&d, "events", "accepted");
		r = client_json(&d, "backup", name, NULL);
		snprintf(path, sizeof path, "%s/%s", d.dir, name);
		ck_assert_str_eq(jstr(jget(r, "backup", "path", NULL)), path);
		ck_assert_int_eq(stat(path, &sb), 0);
		ck_assert_uint_eq(sb.st_mode & 07777, 0600);
		ck_assert_double_eq(jnum(jget(r, "backup", "bytes", NULL)),
		    (double)sb.st_size);
		ck_assert(jnum(jget(r, "backup", "seconds", NULL)) < 5);
		yajl_tree_free(r);
		/* Events kept coming during the backup. */
		ck_assert(status_num(&d, "events", "accepted") > accepted);
		yajl_tree_free(client_json(&d, "snapshot", NULL));
	}
	kill(feeder, SIGKILL);
	waitpid(feeder, &status, 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/copy%d.db", d.dir, i);
		check_copy(path, 1 + i);
	}
	ck_assert_double_eq(status_num(&d, "backup", "ok"), 3);
	ck_assert_double_eq(status_num(&d, "backup", "failed"), 0);
	/* No temporary file is left behind, nothing went wrong. */
	ck_assert_ptr_nonnull(dir = opendir(d.dir));
	while ((de = readdir(dir)) != NULL)
		ck_assert_msg(strncmp(de->d_name, ".copy", 5) != 0, "left %s",
		    de->d_name);
	closedir(dir);
	ck_assert(!log_has(&d, "warning: control: backup"));
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* The request a client would send for a backup, straight. */
static yajl_val
backup_raw(struct daemon *d, const char *path)
{
	char	req[512];

	if (path == NULL)
		snprintf(req, sizeof req, "{\"v\":1,\"cmd\":\"backup\"}\n");
	else
		snprintf(req, sizeof req, "{\"v\":1,\"cmd\":\"backup\","
		    "\"path\":\"%s\"}\n", path);
	return (ctl_raw(d, req));
}

static void
backup_fails(struct daemon *d, const char *path, const char *want)
{
	yajl_val	r = backup_raw(d, path);

	ck_assert(YAJL_IS_FALSE(jget(r, "ok", NULL)));
	ck_assert_msg(strcmp(jstr(jget(r, "error", NULL)), want) == 0,
	    "got %s", jstr(jget(r, "error", NULL)));
	yajl_tree_free(r);
}

/* Each way a backup can fail says which, and counts; /metrics agrees. */
START_TEST(test_backup_errors)
{
	struct daemon	 d;
	char		 want[PATH_MAX + 64], addr[64], *out, *err, *m;
	char		 small[PATH_MAX];
	char		*argv[] = { (char *)bin("CALLSCORE", "src/callscore"),
	    (char *)"--socket", d.ctl, (char *)"backup", (char *)"b.db", NULL };
	struct dirent	*de;
	DIR		*dir;
	yajl_val	 st;
	int		 port, failed = 5;

	daemon_init(&d);
	control_conf(&d, NULL, "snapshot:\n  interval: 1h\n"
	    "http:\n  listen: 127.0.0.1:0\n");
	daemon_start(&d);

	ck_assert_int_eq(run(&out, &err, argv), 0);
	snprintf(want, sizeof want, "backup written to %s/b.db: ", d.dir);
	ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "got %s", out);
	free(out);
	free(err);

	ck_assert_int_eq(run(&out, &err, argv), 1);
	snprintf(want, sizeof want, "callscore: backup: %s/b.db: file "
	    "exists\n", d.dir);
	ck_assert_str_eq(err, want);
	free(out);
	free(err);

	snprintf(want, sizeof want, "backup: %s/nodir/b.db: no such directory "
	    "%s/nodir", d.dir, d.dir);
	backup_fails(&d, "nodir/b.db", want);
	snprintf(want, sizeof want, "backup: %s/b.db/x.db: %s/b.db is not a "
	    "directory", d.dir, d.dir);
	backup_fails(&d, "b.db/x.db", want);
	backup_fails(&d, NULL, "backup needs a \"path\": the file to write");
	backup_fails(&d, "sub/", "backup: sub/ names a directory, not a "
	    "file");

	/* A full disk: a 16 KiB tmpfs (if we may mount one). */
	snprintf(small, sizeof small, "%s/small", d.dir);
	ck_assert_int_eq(mkdir(small, 0700), 0);
	if (mount("tmpfs", small, "tmpfs", 0, "size=16k") == 0) {
		snprintf(want, sizeof want, "backup: %s/b.db: disk full "
		    "(SQLITE_FULL)", small);
		backup_fails(&d, "small/b.db", want);
		/* Neither the copy nor its journal is left behind. */
		ck_assert_ptr_nonnull(dir = opendir(small));
		while ((de = readdir(dir)) != NULL)
			ck_assert_msg(strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0, "left %s",
			    de->d_name);
		closedir(dir);
		ck_assert_int_eq(umount(small), 0);
		failed++;
	} else
		fprintf(stderr, "check_control: no tmpfs (%s): disk full "
		    "not tried\n", strerror(errno));

	st = client_json(&d, "status", NULL);
	ck_assert_double_eq(jnum(jget(st, "backup", "ok", NULL)), 1);
	ck_assert_double_eq(jnum(jget(st, "backup", "failed", NULL)), failed);
	snprintf(addr, sizeof addr, "%s", jstr(jget(st, "listen", "http",
	    NULL)));
	yajl_tree_free(st);
	port = atoi(strrchr(addr, ':') + 1);
	m = http_get(port, "/metrics");
	ck_assert_ptr_nonnull(strstr(m,
	    "\ncallscore_backups_total{result=\"ok\"} 1\n"));
	snprintf(want, sizeof want,
	    "\ncallscore_backups_total{result=\"failed\"} %d\n", failed);
	ck_assert_ptr_nonnull(strstr(m, want));
	ck_assert_ptr_nonnull(strstr(m,
	    "\ncallscore_ctl_auth_failures_total 0\n"));
	ck_assert_ptr_nonnull(strstr(m,
	    "\ncallscore_ctl_tcp_connections_total{result=\"refused\"} 0\n"));
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

static Suite *
control_suite(void)
{
	Suite	*s = suite_create("control");
	TCase	*tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_socket_mode_and_group);
	tcase_add_test(tc, test_socket_group_unknown);
	tcase_add_test(tc, test_tcp_token);
	tcase_add_test(tc, test_tcp_auth_rate_limit);
	tcase_add_test(tc, test_tcp_token_file_refused);
	tcase_add_test(tc, test_tcp_token_reload);
	tcase_add_test(tc, test_backup_under_load);
	tcase_add_test(tc, test_backup_errors);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(control_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed ? 1 : 0);
}
