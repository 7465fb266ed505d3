/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The harness of the integration suites: the real callscored on a
 * configuration in a fresh temporary directory (sockets, database, port
 * 0), fed over its sockets and questioned with the real callscore
 * --json.  The binaries come from CALLSCORED and CALLSCORE (set by make
 * check).  The daemon dies with the test process (PR_SET_PDEATHSIG).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

/* run(): how long a child may write nothing before it counts as hung. */
#define RUN_QUIET_MS	60000

const char *
bin(const char *env, const char *dflt)
{
	const char	*p = getenv(env);

	return (p != NULL ? p : dflt);
}

void
msleep(int ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Run a program; capture stdout (and stderr if err); return exit status. */
int
run(char **out, char **err, char *const argv[])
{
	int	opipe[2], epipe[2], status;
	pid_t	pid;
	char	*bufs[2] = { NULL, NULL };
	size_t	lens[2] = { 0, 0 };
	struct pollfd pfd[2];
	ssize_t	n;
	int	open_fds = 2, i;
	char	tmp[4096];

	ck_assert_int_eq(pipe(opipe), 0);
	ck_assert_int_eq(pipe(epipe), 0);
	if ((pid = fork()) == 0) {
		dup2(opipe[1], 1);
		dup2(epipe[1], 2);
		close(opipe[0]);
		close(epipe[0]);
		close(opipe[1]);
		close(epipe[1]);
		unsetenv("CALLSCORE_SOCKET");
		execv(argv[0], argv);
		_exit(127);
	}
	close(opipe[1]);
	close(epipe[1]);
	pfd[0].fd = opipe[0];
	pfd[1].fd = epipe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (open_fds > 0) {
		/* A client that says nothing for so long has hung: say so. */
		if (poll(pfd, 2, RUN_QUIET_MS) <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ck_abort_msg("%s: nothing for %d s", argv[0],
			    RUN_QUIET_MS / 1000);
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, tmp, sizeof tmp);
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			bufs[i] = realloc(bufs[i], lens[i] + (size_t)n + 1);
			memcpy(bufs[i] + lens[i], tmp, (size_t)n);
			lens[i] += (size_t)n;
			bufs[i][lens[i]] = '\0';
		}
	}
	waitpid(pid, &status, 0);
	for (i = 0; i < 2; i++) {
		if (bufs[i] == NULL)
			bufs[i] = strdup("");
	}
	if (out != NULL)
		*out = bufs[0];
	else
		free(bufs[0]);
	if (err != NULL)
		*err = bufs[1];
	else
		free(bufs[1]);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

/* callscore --socket ctl --json ARGS...; the reply parsed. */
yajl_val
client_json(struct daemon *d, ...)
{
	char		*argv[16], *out, *err, ebuf[256];
	va_list		 ap;
	int		 argc = 0, rc;
	yajl_val	 v;

	argv[argc++] = (char *)bin("CALLSCORE", "src/callscore");
	argv[argc++] = (char *)"--socket";
	argv[argc++] = d->ctl;
	argv[argc++] = (char *)"--json";
	va_start(ap, d);
	while ((argv[argc] = va_arg(ap, char *)) != NULL && argc < 14)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	rc = run(&out, &err, argv);
	ck_assert_msg(rc == 0, "callscore %s exited %d: %s", argv[4], rc, err);
	v = yajl_tree_parse(out, ebuf, sizeof ebuf);
	ck_assert_msg(v != NULL, "callscore %s: not JSON: %s", argv[4], out);
	free(out);
	free(err);
	return (v);
}

/* One request straight over the control socket, as callscore sends it. */
yajl_val
ctl_raw(struct daemon *d, const char *req)
{
	struct sockaddr_un	 sun;
	char			 buf[1 << 16], ebuf[256];
	size_t			 len = 0;
	ssize_t			 n;
	int			 fd;
	yajl_val		 v;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, d->ctl, strlen(d->ctl));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (len < sizeof buf - 1 && memchr(buf, '\n', len) == NULL) {
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	v = yajl_tree_parse(buf, ebuf, sizeof ebuf);
	ck_assert_msg(v != NULL, "not JSON: %s", buf);
	return (v);
}

yajl_val
jget(yajl_val v, ...)
{
	const char	*path[8];
	va_list		 ap;
	int		 n = 0;

	va_start(ap, v);
	while ((path[n] = va_arg(ap, const char *)) != NULL && n < 7)
		n++;
	va_end(ap);
	path[n] = NULL;
	return (yajl_tree_get(v, path, yajl_t_any));
}

double
jnum(yajl_val v)
{
	ck_assert_msg(v != NULL, "missing JSON value");
	if (YAJL_IS_NULL(v))
		return (NAN);
	ck_assert_msg(YAJL_IS_NUMBER(v), "JSON value is not a number");
	return (YAJL_GET_DOUBLE(v));
}

/* The "kpis" map of the first window of a kpi reply. */
yajl_val
kpis_of(yajl_val reply)
{
	yajl_val	w = jget(reply, "windows", NULL);

	ck_assert(w != NULL && YAJL_IS_ARRAY(w) && w->u.array.len >= 1);
	return (jget(w->u.array.values[0], "kpis", NULL));
}

double
kpi(yajl_val kpis, const char *id)
{
	return (jnum(jget(kpis, id, NULL)));
}

int
ctl_answers(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, rc;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	close(fd);
	return (rc == 0);
}

void
daemon_conf(struct daemon *d, const char *extra)
{
	FILE	*f;

	ck_assert_ptr_nonnull(f = fopen(d->conf, "w"));
	/* A test may bring its own listen section (at the start of extra). */
	if (extra == NULL || strncmp(extra, "listen:", 7) != 0)
		fprintf(f,
		    "listen:\n"
		    "  tcp: 127.0.0.1:0\n"
		    "  unix: events.sock\n"
		    "  udp: 127.0.0.1:0\n");
	fprintf(f,
	    "control:\n"
	    "  socket: control.sock\n"
	    "directories:\n"
	    "  state: %s\n"
	    "  runtime: %s\n"
	    "windows: [5m, 1h, 24h]\n"
	    "%s"
	    "kpi:\n"
	    "  service_level_threshold: 20\n"
	    "  short_abandon: 5\n"
	    "%s"
	    "%s", d->dir, d->dir,
	    /* Or its own snapshot section. */
	    extra != NULL && strstr(extra, "snapshot:") != NULL ? "" :
	    "snapshot:\n  interval: 1h\n  database: callscore.db\n",
	    /* A test may bring its own queues section. */
	    extra != NULL && strstr(extra, "queues:") != NULL ? "" :
	    "queues:\n  vip: { service_level_threshold: 10 }\n",
	    extra != NULL ? extra : "");
	fclose(f);
}

const char *daemon_env[8];	/* NAME=value for the next start */
int daemon_nofile;		/* RLIMIT_NOFILE for the next start */

void
daemon_start(struct daemon *d)
{
	yajl_val	 st, v;
	const char	*a;
	struct rlimit	 rl;
	int		 i, fd;

	if ((d->pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (daemon_nofile > 0) {
			getrlimit(RLIMIT_NOFILE, &rl);
			rl.rlim_cur = (rlim_t)daemon_nofile;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				_exit(126);
		}
		for (i = 0; daemon_env[i] != NULL; i++)
			putenv((char *)daemon_env[i]);
		fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 2);
		execl(bin("CALLSCORED", "src/callscored"), "callscored", "-c",
		    d->conf, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(d->pid, 0);
	daemon_nofile = 0;
	for (i = 0; i < 1000 && !ctl_answers(d->ctl); i++) {
		ck_assert_msg(waitpid(d->pid, NULL, WNOHANG) == 0,
		    "callscored exited at start; see %s", d->log);
		msleep(10);
	}
	ck_assert_msg(ctl_answers(d->ctl), "control socket never answered");

	st = client_json(d, "status", NULL);
	a = YAJL_GET_STRING(jget(st, "listen", "tcp", NULL));
	ck_assert_ptr_nonnull(a);
	d->tcp_port = atoi(strrchr(a, ':') + 1);
	a = YAJL_GET_STRING(jget(st, "listen", "udp", NULL));
	ck_assert_ptr_nonnull(a);
	d->udp_port = atoi(strrchr(a, ':') + 1);
	v = jget(st, "listen", "unix", NULL);
	ck_assert_str_eq(YAJL_GET_STRING(v), d->events);
	yajl_tree_free(st);
}

void
daemon_init(struct daemon *d)
{
	char	tmpl[] = "/tmp/callscore-test.XXXXXX";

	memset(d, 0, sizeof *d);
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(d->dir, sizeof d->dir, "%s", tmpl);
	snprintf(d->conf, sizeof d->conf, "%s/callscored.yaml", d->dir);
	snprintf(d->ctl, sizeof d->ctl, "%s/control.sock", d->dir);
	snprintf(d->events, sizeof d->events, "%s/events.sock", d->dir);
	snprintf(d->log, sizeof d->log, "%s/callscored.log", d->dir);
}

void
daemon_new(struct daemon *d, const char *extra)
{
	daemon_init(d);
	daemon_conf(d, extra);
	daemon_start(d);
}

/* SIGTERM and wait; the daemon must exit 0. */
void
daemon_stop(struct daemon *d)
{
	int	status, i;

	kill(d->pid, SIGTERM);
	for (i = 0; i < 1000; i++) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid)
			break;
		msleep(10);
	}
	ck_assert_msg(i < 1000, "callscored did not exit on SIGTERM");
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "callscored exited with status %d", status);
}

void
daemon_cleanup(struct daemon *d)
{
	char	*argv[] = { (char *)"/bin/rm", (char *)"-rf", d->dir, NULL };

	run(NULL, NULL, argv);
}

int
connect_tcp(int port)
{
	struct sockaddr_in	sin;
	int			fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	return (fd);
}

int
connect_unix(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	return (fd);
}

/* Write lines, then read exactly nlines answers (bounded wait). */
char *
exchange(int fd, const char *lines, int nlines)
{
	static char	buf[65536];
	size_t		len = 0;
	ssize_t		n;
	int		seen = 0, i;
	struct pollfd	pfd = { fd, POLLIN, 0 };

	ck_assert_int_eq(write(fd, lines, strlen(lines)),
	    (ssize_t)strlen(lines));
	while (seen < nlines) {
		ck_assert_msg(poll(&pfd, 1, 10000) == 1, "no answer");
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (buf[len + (size_t)i] == '\n')
				seen++;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (buf);
}

double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

double
mono_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}


/* Run callscore reload; returns its exit status, stderr in *err. */
int
client_reload(struct daemon *d, char **err)
{
	char	*out;
	char	*argv[] = { (char *)bin("CALLSCORE", "src/callscore"),
	    (char *)"--socket", d->ctl, (char *)"reload", NULL };
	int	 rc;

	rc = run(&out, err, argv);
	free(out);
	return (rc);
}

double
status_num(struct daemon *d, const char *a, const char *b)
{
	yajl_val	st = client_json(d, "status", NULL);
	double		v = jnum(jget(st, a, b, NULL));

	yajl_tree_free(st);
	return (v);
}

const char *
jstr(yajl_val v)
{
	ck_assert_msg(v != NULL && YAJL_IS_STRING(v), "not a string");
	return (YAJL_GET_STRING(v));
}

/* GET path from 127.0.0.1:port; the whole response. */
char *
http_get(int port, const char *path)
{
	static char	buf[1 << 20];
	char		req[256];
	size_t		len = 0;
	ssize_t		n;
	int		fd = connect_tcp(port);

	snprintf(req, sizeof req, "GET %s HTTP/1.0\r\n\r\n", path);
	ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (len < sizeof buf - 1 &&
	    (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return (buf);
}

/* How many lines of the daemon's log hold needle. */
int
log_count(struct daemon *d, const char *needle)
{
	FILE	*f;
	char	 line[4096];
	int	 found = 0;

	ck_assert_ptr_nonnull(f = fopen(d->log, "r"));
	while (fgets(line, sizeof line, f) != NULL)
		found += strstr(line, needle) != NULL;
	fclose(f);
	return (found);
}

int
log_has(struct daemon *d, const char *needle)
{
	return (log_count(d, needle) > 0);
}
