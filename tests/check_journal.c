/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The journal end to end, on the real daemon (tests/daemon.c): durable
 * acknowledgements arrive only once their batch has committed (another
 * process holds the database's write lock meanwhile), a full journal
 * refuses durable lines and counts the others, kill -9 under load a
 * hundred times loses no acknowledged event and counts none twice, and
 * a restart, after SIGTERM or SIGKILL, gives back exactly the KPIs of
 * every window.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <yajl/yajl_tree.h>

#include "daemon.h"
#include "jfile.h"
#include "journal.h"
#include "xmalloc.h"

#define KILL_ITERATIONS	100
#define KILL_QUEUES	KILL_ITERATIONS
#define LOAD_CHUNK	32		/* lines per write */
#define LOAD_AHEAD	1000		/* lines sent and not yet acknowledged */
#define LOAD_RATE	30		/* lines per millisecond, at most */

/* A fresh directory and a daemon with the journal keys in snapshot. */
static void
jdaemon_new(struct daemon *d, const char *snapshot)
{
	FILE	*f;

	daemon_init(d);
	ck_assert_ptr_nonnull(f = fopen(d->conf, "w"));
	fprintf(f,
	    "listen:\n"
	    "  tcp: 127.0.0.1:0\n"
	    "  unix: events.sock\n"
	    "  udp: 127.0.0.1:0\n"
	    "control:\n"
	    "  socket: control.sock\n"
	    "directories:\n"
	    "  state: %s\n"
	    "  runtime: %s\n"
	    "windows: [5m, 1h, 24h]\n"
	    "snapshot:\n"
	    "  interval: 1h\n"
	    "  database: callscore.db\n"
	    "%s"
	    "limits:\n"
	    "  max_queues: 1000\n", d->dir, d->dir,
	    snapshot != NULL ? snapshot : "");
	fclose(f);
	daemon_start(d);
}

static void
db_path(struct daemon *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s/callscore.db", d->dir);
}

/*
 * Hold the journal's commits: the daemon's file size limit at 1 byte,
 * so that its writes fail (EFBIG, as on a full disk) and are retried
 * until journal_unblock() lifts it.
 */
static void
journal_block(struct daemon *d)
{
	struct rlimit	rl;

	ck_assert_int_eq(prlimit(d->pid, RLIMIT_FSIZE, NULL, &rl), 0);
	rl.rlim_cur = 1;
	ck_assert_int_eq(prlimit(d->pid, RLIMIT_FSIZE, &rl, NULL), 0);
}

static void
journal_unblock(struct daemon *d)
{
	struct rlimit	rl;

	ck_assert_int_eq(prlimit(d->pid, RLIMIT_FSIZE, NULL, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	ck_assert_int_eq(prlimit(d->pid, RLIMIT_FSIZE, &rl, NULL), 0);
}

/* Nothing to read on fd for ms milliseconds. */
static int
quiet(int fd, int ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };

	return (poll(&pfd, 1, ms) == 0);
}

/* Read until n lines have arrived (bounded); the text, static. */
static char *
read_lines(int fd, int n)
{
	static char	buf[1 << 17];
	struct pollfd	pfd = { fd, POLLIN, 0 };
	size_t		len = 0;
	ssize_t		r;
	int		seen = 0, i;

	while (seen < n) {
		ck_assert_msg(poll(&pfd, 1, 10000) == 1, "no answer: %d of %d "
		    "lines", seen, n);
		r = read(fd, buf + len, sizeof buf - 1 - len);
		ck_assert_int_gt(r, 0);
		for (i = 0; i < r; i++) {
			if (buf[len + (size_t)i] == '\n')
				seen++;
		}
		len += (size_t)r;
	}
	buf[len] = '\0';
	return (buf);
}

static void
write_all(int fd, const char *s)
{
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static int
count_str(const char *s, const char *what)
{
	int	n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return (n);
}

/* (a) An "ok" only once the line's batch has committed; answers in order. */
START_TEST(test_durable_after_commit)
{
	struct daemon	 d;
	char		*ans;
	int		 fd;

	jdaemon_new(&d, NULL);
	fd = connect_unix(d.events);
	ans = exchange(fd, "#acks durable\n", 1);
	ck_assert_str_eq(ans, "ok\n");

	/* Unlocked: the answers come, the journal holds the lines. */
	write_all(fd, "{\"type\":\"call\",\"call_id\":\"x\",\"queue\":\"sales\",\"wait\":3}\n");
	ck_assert_str_eq(read_lines(fd, 1), "ok\n");
	ck_assert_double_eq(status_num(&d, "journal", "committed"), 1);

	journal_block(&d);
	write_all(fd, "{\"type\":\"call\",\"call_id\":\"x\",\"queue\":\"sales\",\"wait\":4}\n"
	    "{\"type\":\"call\",\"call_id\":\"x\",\"queue\":\"sales\",\"wait\":-1}\n"
	    "#acks durable\n"
	    "{\"type\":\"call\",\"call_id\":\"x\",\"queue\":\"sales\",\"wait\":5}\n");
	/* Applied at once, answered only after the commit. */
	ck_assert_msg(quiet(fd, 400), "an answer came before the commit");
	ck_assert_double_eq(status_num(&d, "events", "accepted"), 3);
	ck_assert_double_eq(status_num(&d, "journal", "seq"), 3);
	ck_assert_double_eq(status_num(&d, "journal", "committed"), 1);
	journal_unblock(&d);
	ans = read_lines(fd, 4);
	ck_assert_str_eq(ans, "ok\nerror 4: field \"wait\": expected a "
	    "non-negative number\nok\nok\n");
	ck_assert_double_eq(status_num(&d, "journal", "committed"), 3);
	ck_assert_double_eq(status_num(&d, "journal", "events"), 3);
	ck_assert_double_eq(status_num(&d, "journal", "inflight"), 0);

	/* A connection without durable acks is answered at once. */
	journal_block(&d);
	close(fd);
	fd = connect_unix(d.events);
	ans = exchange(fd, "{\"type\":\"call\",\"call_id\":\"x\",\"queue\":\"sales\"}\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	journal_unblock(&d);
	close(fd);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * The peer closes within 10 s, with nothing more said: EOF, or a reset
 * when it closed with our lines unread.
 */
static void
read_eof(int fd)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	char		buf[256];
	ssize_t		r;

	ck_assert_msg(poll(&pfd, 1, 10000) == 1, "no EOF");
	r = read(fd, buf, sizeof buf);
	ck_assert_msg(r == 0 || (r == -1 && errno == ECONNRESET),
	    "%zd bytes before EOF", r);
}

#define EXIT_LINE(w) "{\"type\":\"call\",\"call_id\":\"x\"," \
	"\"queue\":\"sales\",\"wait\":" #w "}\n"

/*
 * SIGTERM while durable answers wait for a commit: the daemon reads
 * nothing more, sends them once the journal commits, then closes and
 * exits.  A second SIGTERM does not wait for them.
 */
START_TEST(test_durable_at_exit)
{
	struct daemon	 d;
	int		 fd, status;

	jdaemon_new(&d, NULL);
	fd = connect_unix(d.events);
	ck_assert_str_eq(exchange(fd, "#acks durable\n", 1), "ok\n");
	journal_block(&d);
	write_all(fd, EXIT_LINE(1) EXIT_LINE(2) EXIT_LINE(3));
	ck_assert_msg(quiet(fd, 300), "an answer came before the commit");
	ck_assert_double_eq(status_num(&d, "events", "accepted"), 3);
	kill(d.pid, SIGTERM);
	msleep(300);
	/* Still there, still waiting; a line sent now is not read. */
	ck_assert_int_eq(waitpid(d.pid, &status, WNOHANG), 0);
	write_all(fd, EXIT_LINE(4));
	ck_assert(quiet(fd, 200));
	journal_unblock(&d);
	ck_assert_str_eq(read_lines(fd, 3), "ok\nok\nok\n");
	read_eof(fd);
	close(fd);
	daemon_stop(&d);
	ck_assert(!log_has(&d, "still had answers to send"));

	/* Asked twice: out without the answers, though still blocked. */
	daemon_start(&d);
	fd = connect_unix(d.events);
	ck_assert_str_eq(exchange(fd, "#acks durable\n", 1), "ok\n");
	journal_block(&d);
	write_all(fd, EXIT_LINE(5));
	ck_assert(quiet(fd, 300));
	kill(d.pid, SIGTERM);
	msleep(100);
	kill(d.pid, SIGTERM);
	read_eof(fd);
	close(fd);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * A full journal: durable lines are refused, not applied; others are
 * applied and counted as not journaled.
 */
START_TEST(test_journal_full)
{
	struct daemon	 d;
	char		*ans, line[256], *buf;
	size_t		 len = 0;
	int		 fd, fd2, i, n = 1000, oks, errs;
	double		 refused;

	jdaemon_new(&d, "  journal_max: 64k\n");
	fd = connect_unix(d.events);
	ck_assert_str_eq(exchange(fd, "#acks durable\n", 1), "ok\n");
	journal_block(&d);
	buf = malloc((size_t)n * sizeof line);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof line, "{\"type\":"
		    "\"call\",\"call_id\":\"full-%04d\",\"queue\":\"q1\","
		    "\"agent\":\"agent-%04d\",\"wait\":1,\"talk\":2}\n", i, i);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	free(buf);
	ck_assert(quiet(fd, 300));
	fd2 = connect_unix(d.events);
	for (i = 0; i < 10; i++) {
		ans = exchange(fd2, "{\"type\":\"call\",\"call_id\":\"x\",\"queue\":\"q2\"}\n", 1);
		ck_assert_str_eq(ans, "ok\n");
	}
	close(fd2);
	refused = status_num(&d, "journal", "refused");
	ck_assert_double_gt(refused, 0);
	ck_assert_double_lt(refused, n);
	ck_assert_double_eq(status_num(&d, "journal", "dropped"), 10);
	ck_assert_double_eq(status_num(&d, "events", "accepted"),
	    n - refused + 10);
	journal_unblock(&d);

	ans = read_lines(fd, n);
	oks = count_str(ans, "ok\n");
	errs = count_str(ans, ": journal full, retry\n");
	ck_assert_int_eq(oks + errs, n);
	ck_assert_int_eq(errs, (int)refused);
	/* The first lines fit; once full, every later one is refused. */
	ck_assert_ptr_nonnull(strstr(ans, "ok\nerror"));
	ck_assert_ptr_null(strstr(ans, "retry\nok\n"));
	ck_assert_double_eq(status_num(&d, "journal", "events"), oks);
	{
		yajl_val st = client_json(&d, "status", NULL);

		ck_assert_double_eq(jnum(jget(st, "events", "rejects",
		    "journal_full", NULL)), refused);
		yajl_tree_free(st);
	}
	/* Room again: durable lines are taken. */
	snprintf(line, sizeof line, "{\"type\":\"call\",\"call_id\":\"x\",\"queue\":\"q1\"}\n");
	write_all(fd, line);
	ck_assert_str_eq(read_lines(fd, 1), "ok\n");
	close(fd);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* The queues' offered, answered and talk_avg over 24h, by queue index. */
struct counts {
	double	offered[KILL_QUEUES];
	double	answered[KILL_QUEUES];
	double	talk_avg[KILL_QUEUES];
};

static void
queue_counts(struct daemon *d, struct counts *c)
{
	yajl_val	 r, rows, row, k;
	const char	*name;
	size_t		 i;
	int		 q;

	memset(c, 0, sizeof *c);
	r = client_json(d, "queues", "--window", "24h", NULL);
	rows = jget(r, "rows", NULL);
	ck_assert(rows != NULL && YAJL_IS_ARRAY(rows));
	for (i = 0; i < rows->u.array.len; i++) {
		row = rows->u.array.values[i];
		name = jstr(jget(row, "name", NULL));
		if (name[0] != 'k')
			continue;
		q = atoi(name + 1);
		ck_assert_int_lt(q, KILL_QUEUES);
		k = jget(row, "kpis", NULL);
		c->offered[q] = kpi(k, "offered");
		c->answered[q] = kpi(k, "answered");
		c->talk_avg[q] = kpi(k, "talk_avg");
	}
	yajl_tree_free(r);
}

struct checked {
	int	rows;
	int	bad;
};

static int
check_record(uint64_t seq, uint64_t recv_ms, const char *line, size_t len,
    void *arg)
{
	uint64_t	*next = arg;

	if (*next != 0 && seq != *next)
		return (-1);
	*next = seq + 1;
	return (0);
}

/* Each frame a whole batch of consecutive records from first to last. */
static int
check_frame(uint64_t first, uint64_t last, uint32_t records,
    const unsigned char *data, size_t len, void *arg)
{
	uint64_t	 next = 0;
	int		 n;

	n = journal_decode(data, len, check_record, &next);
	ck_assert_msg(n == (int)(last - first + 1) && next == last + 1 &&
	    records == (uint32_t)n,
	    "journal frame %llu-%llu holds %d records",
	    (unsigned long long)first, (unsigned long long)last, n);
	(*(int *)arg)++;
	return (0);
}

/*
 * The database after a kill: integrity ok, and every journal batch whole
 * (no partial batch); a write the kill cut short is no frame at all.
 */
static void
db_check(struct daemon *d)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	struct jfile	*jf;
	char		 path[128], *dir, *cause = NULL;
	uint64_t	 first, last, next;
	int		 n, frames = 0;

	db_path(d, path, sizeof path);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
	    &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), "ok");
	sqlite3_finalize(stmt);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT first, last, data"
	    " FROM journal ORDER BY first", -1, &stmt, NULL), SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		first = (uint64_t)sqlite3_column_int64(stmt, 0);
		last = (uint64_t)sqlite3_column_int64(stmt, 1);
		next = 0;
		n = journal_decode(sqlite3_column_blob(stmt, 2),
		    (size_t)sqlite3_column_bytes(stmt, 2), check_record, &next);
		ck_assert_msg(n == (int)(last - first + 1) && next == last + 1,
		    "journal row %llu-%llu holds %d records",
		    (unsigned long long)first, (unsigned long long)last, n);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);

	xasprintf(&dir, "%s.journal", path);
	jf = jfile_open(dir, &cause);
	ck_assert_msg(jf != NULL, "%s", cause);
	ck_assert_int_ge(jfile_read(jf, 0, check_frame, &frames, &cause), 0);
	jfile_close(jf);
	free(dir);
}

/* Ask for a snapshot without waiting for it. */
static int
snapshot_async(struct daemon *d)
{
	int	fd = connect_unix(d->ctl);

	write_all(fd, "{\"v\":1,\"cmd\":\"snapshot\"}\n");
	return (fd);
}

/*
 * Send queue q's calls with durable acks for ms milliseconds, the n-th
 * with talk n, then kill -9 the daemon; *sent counts the lines written
 * whole, *acked their "ok"s (those already on their way count too).
 */
static void
load_and_kill(struct daemon *d, int q, int ms, int snap_at,
    uint64_t *sent, uint64_t *acked)
{
	char		 out[LOAD_CHUNK * 160], in[65536];
	size_t		 olen = 0, ooff = 0, lines_in_out = 0;
	struct pollfd	 pfd;
	double		 start = now(), end = start + ms / 1000.0;
	ssize_t		 r;
	int		 fd, status, i, directive = 1, snapfd = -1;
	uint64_t	 n = 0;

	*sent = *acked = 0;
	fd = connect_unix(d->events);
	write_all(fd, "#acks durable\n");
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (now() < end) {
		if (snap_at >= 0 && snapfd == -1 &&
		    now() >= start + snap_at / 1000.0)
			snapfd = snapshot_async(d);
		if (ooff == olen && n - *acked < LOAD_AHEAD &&
		    n < (now() - start) * 1000 * LOAD_RATE) {
			olen = ooff = 0;
			for (lines_in_out = 0; lines_in_out < LOAD_CHUNK;
			    lines_in_out++) {
				n++;
				olen += (size_t)snprintf(out + olen,
				    sizeof out - olen, "{\"type\":\"call\","
				    "\"call_id\":\"k%d-%llu\",\"queue\":"
				    "\"k%03d\",\"wait\":1,\"talk\":%llu}\n", q,
				    (unsigned long long)n, q,
				    (unsigned long long)n);
			}
		}
		pfd.fd = fd;
		pfd.events = POLLIN | (ooff < olen ? POLLOUT : 0);
		if (poll(&pfd, 1, 2) <= 0)
			continue;
		if ((pfd.revents & POLLOUT) && ooff < olen) {
			r = write(fd, out + ooff, olen - ooff);
			if (r > 0) {
				ooff += (size_t)r;
				if (ooff == olen)
					*sent += lines_in_out;
			}
		}
		if (pfd.revents & POLLIN) {
			r = read(fd, in, sizeof in);
			for (i = 0; i < r; i++) {
				if (in[i] != '\n')
					continue;
				if (directive)
					directive = 0;
				else
					(*acked)++;
			}
			ck_assert_ptr_null(memmem(in, r > 0 ? (size_t)r : 0,
			    "error", 5));
		}
	}
	/* Lines of a chunk written in part: whole ones only are events. */
	if (ooff > 0 && ooff < olen) {
		for (i = 0; i < (int)ooff; i++) {
			if (out[i] == '\n')
				(*sent)++;
		}
	}
	ck_assert_int_eq(kill(d->pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(d->pid, &status, 0), d->pid);
	ck_assert(WIFSIGNALED(status));
	/* Answers already sent are acknowledgements. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while ((r = read(fd, in, sizeof in)) > 0) {
		for (i = 0; i < r; i++) {
			if (in[i] != '\n')
				continue;
			if (directive)
				directive = 0;
			else
				(*acked)++;
		}
	}
	close(fd);
	if (snapfd != -1)
		close(snapfd);
}

/*
 * (b) kill -9 at a random moment under load, KILL_ITERATIONS times on one
 * database.  Iteration i sends to queue k<i> calls whose talk is 1, 2, 3
 * ...: after the restart the queue holds every acknowledged call and at
 * most the ones not yet acknowledged, each once (offered = m, and talk
 * adds up to 1 + ... + m only for the first m calls once each); the
 * queues of earlier iterations keep exactly their counts.  Half the
 * iterations ask for a snapshot during the load, so some kills land in
 * one (its chunks half written).
 */
START_TEST(test_kill9_under_load)
{
	struct daemon	 d;
	struct counts	 got, want;
	uint64_t	 sent, acked, total_acked = 0;
	double		 t0 = now(), m;
	int		 i, q, ms, snap_at;

	memset(&want, 0, sizeof want);
	srandom((unsigned int)time(NULL));
	jdaemon_new(&d, NULL);
	for (i = 0; i < KILL_ITERATIONS; i++) {
		ms = 10 + (int)(random() % 90);
		snap_at = random() % 2 == 0 ? (int)(random() % ms) : -1;
		load_and_kill(&d, i, ms, snap_at, &sent, &acked);
		total_acked += acked;
		db_check(&d);
		daemon_start(&d);
		queue_counts(&d, &got);
		m = got.offered[i];
		ck_assert_msg(m >= (double)acked && m <= (double)sent,
		    "iteration %d: %.0f counted, %llu acknowledged, %llu sent",
		    i, m, (unsigned long long)acked, (unsigned long long)sent);
		if (m > 0) {
			ck_assert_double_eq(got.answered[i], m);
			ck_assert_msg(fabs(got.talk_avg[i] - (m + 1) / 2) < 1e-6,
			    "iteration %d: talk_avg %.9g for %.0f calls", i,
			    got.talk_avg[i], m);
		}
		want.offered[i] = m;
		want.talk_avg[i] = got.talk_avg[i];
		for (q = 0; q < i; q++) {
			ck_assert_msg(got.offered[q] == want.offered[q],
			    "iteration %d: queue k%03d has %.0f, had %.0f", i,
			    q, got.offered[q], want.offered[q]);
			if (want.offered[q] > 0)
				ck_assert_double_eq_tol(got.talk_avg[q],
				    want.talk_avg[q], 1e-9);
		}
		/* Now and then a whole snapshot, so the journal stays short. */
		if (i % 10 == 9)
			yajl_tree_free(client_json(&d, "snapshot", NULL));
	}
	ck_assert_uint_gt(total_acked, 0);
	fprintf(stderr, "check_journal: %d kills, %llu acknowledged events, "
	    "%.1f s\n", KILL_ITERATIONS, (unsigned long long)total_acked,
	    now() - t0);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* Every window's KPIs of a few scopes, as one JSON text per scope. */
static char *
kpis_text(struct daemon *d)
{
	static const char *scopes[][2] = {
		{ NULL, NULL }, { "--queue", "sales" }, { "--queue", "vip" },
		{ "--agent", "a1" }, { "--team", "east" },
	};
	char		*argv[16], *out, *err, *all = NULL, *tmp;
	size_t		 i;
	int		 argc;

	for (i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
		argc = 0;
		argv[argc++] = (char *)bin("CALLSCORE", "src/callscore");
		argv[argc++] = (char *)"--socket";
		argv[argc++] = d->ctl;
		argv[argc++] = (char *)"--json";
		argv[argc++] = (char *)"kpi";
		if (scopes[i][0] != NULL) {
			argv[argc++] = (char *)scopes[i][0];
			argv[argc++] = (char *)scopes[i][1];
		}
		argv[argc] = NULL;
		ck_assert_int_eq(run(&out, &err, argv), 0);
		ck_assert_ptr_nonnull(strstr(out, "\"offered\""));
		if (asprintf(&tmp, "%s%s", all != NULL ? all : "", out) == -1)
			ck_abort();
		free(all);
		free(out);
		free(err);
		all = tmp;
	}
	return (all);
}

/* Send lines on a durable connection and wait for every answer. */
static void
send_durable(struct daemon *d, const char *lines)
{
	char	*ans;
	int	 fd, n = count_str(lines, "\n");

	fd = connect_unix(d->events);
	ck_assert_str_eq(exchange(fd, "#acks durable\n", 1), "ok\n");
	write_all(fd, lines);
	ans = read_lines(fd, n);
	ck_assert_int_eq(count_str(ans, "ok\n"), n);
	close(fd);
}

/* Calls, surveys, QA and ESAT for several scopes; the i-th batch. */
static char *
mixed_lines(int batch)
{
	char	*s = NULL, *tmp;
	int	 i;

	for (i = 0; i < 40; i++) {
		if (asprintf(&tmp, "%s"
		    "{\"type\":\"call\",\"call_id\":\"m%d-%d\",\"queue\":\"%s\","
		    "\"agent\":\"a%d\",\"team\":\"%s\",\"wait\":%d.%d,"
		    "\"talk\":%d,\"hold\":%d,\"wrap\":%d%s%s}\n"
		    "{\"type\":\"survey\",\"call_id\":\"m%d-%d\",\"queue\":"
		    "\"%s\",\"agent\":\"a%d\",\"csat\":%d,\"nps\":%d}\n",
		    s != NULL ? s : "", batch, i, i % 3 ? "sales" : "vip",
		    i % 4, i % 2 ? "east" : "west", (i * 7 + batch) % 60,
		    i % 10, 30 + i * 11 % 300, i % 5 == 0 ? 20 : 0, i % 40,
		    i % 9 == 0 ? ",\"outcome\":\"abandoned\"" : "",
		    i % 6 == 0 ? ",\"transferred\":true" : "", batch, i,
		    i % 3 ? "sales" : "vip", i % 4, 1 + i % 5,
		    (i * 3) % 11) == -1)
			ck_abort();
		free(s);
		s = tmp;
	}
	if (asprintf(&tmp, "%s{\"type\":\"esat\",\"agent\":\"a1\",\"team\":"
	    "\"east\",\"score\":%d}\n", s, 1 + batch % 5) == -1)
		ck_abort();
	free(s);
	return (tmp);
}

/* Not across a calendar interval: today and interval must not move. */
static void
away_from_interval_end(void)
{
	double	t = fmod(now(), 900);

	if (t > 890)
		msleep((int)((900 - t) * 1000) + 200);
}

/*
 * Durable batches 1 and 2 with a snapshot between them, so that batch 2
 * is in the journal only; the KPIs then (kpis_text()).
 */
static char *
snapshot_then_journal(struct daemon *d)
{
	char	*lines;

	lines = mixed_lines(1);
	send_durable(d, lines);
	free(lines);
	yajl_tree_free(client_json(d, "snapshot", NULL));
	lines = mixed_lines(2);
	send_durable(d, lines);
	free(lines);
	return (kpis_text(d));
}

/*
 * (c) A restart gives back the KPIs of every window of several scopes
 * exactly: after SIGTERM (the final snapshot) and after SIGKILL with
 * journal events past a snapshot (the replay).
 */
START_TEST(test_restart_identical)
{
	struct daemon	 d;
	char		*lines, *before, *after;
	int		 status;

	away_from_interval_end();
	jdaemon_new(&d, NULL);
	before = snapshot_then_journal(&d);

	/* SIGKILL: a snapshot, then events in the journal only. */
	ck_assert_double_gt(status_num(&d, "journal", "committed"), 0);
	ck_assert_int_eq(kill(d.pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(d.pid, &status, 0), d.pid);
	daemon_start(&d);
	after = kpis_text(&d);
	ck_assert_str_eq(after, before);
	ck_assert_double_eq(status_num(&d, "journal", "replayed"), 81);
	free(after);

	/* More events after the replay, then SIGTERM. */
	lines = mixed_lines(3);
	send_durable(&d, lines);
	free(lines);
	free(before);
	before = kpis_text(&d);
	daemon_stop(&d);
	daemon_start(&d);
	after = kpis_text(&d);
	ck_assert_str_eq(after, before);
	/* The final snapshot took everything: nothing to replay. */
	ck_assert_double_eq(status_num(&d, "journal", "replayed"), 0);
	free(after);
	free(before);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* The newest of the journal's files; its name in a static buffer. */
static const char *
last_jfile(struct daemon *d)
{
	static char	 path[512];
	char		 dir[192], best[256] = "";
	struct dirent	*de;
	DIR		*dp;

	snprintf(dir, sizeof dir, "%s/callscore.db.journal", d->dir);
	ck_assert_ptr_nonnull(dp = opendir(dir));
	while ((de = readdir(dp)) != NULL)
		if (strstr(de->d_name, ".jnl") != NULL &&
		    strcmp(de->d_name, best) > 0)
			memcpy(best, de->d_name, strlen(de->d_name) + 1);
	closedir(dp);
	ck_assert_msg(best[0] != '\0', "no journal file in %s", dir);
	snprintf(path, sizeof path, "%s/%s", dir, best);
	return (path);
}

/*
 * A write cut short by a crash: bytes after the last whole frame are
 * dropped at start (counted, the file cut back), everything before is
 * replayed, and the next start finds nothing to drop.
 */
START_TEST(test_torn_tail)
{
	struct daemon	 d;
	struct stat	 sb;
	char		*lines, *before, *after, junk[100];
	const char	*path;
	off_t		 size;
	int		 fd, status;

	away_from_interval_end();
	jdaemon_new(&d, NULL);
	lines = mixed_lines(1);
	send_durable(&d, lines);
	free(lines);
	before = kpis_text(&d);
	ck_assert_int_eq(kill(d.pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(d.pid, &status, 0), d.pid);

	/* Half a frame: a header and some of its batch. */
	path = last_jfile(&d);
	ck_assert_int_eq(stat(path, &sb), 0);
	size = sb.st_size;
	memset(junk, 'j', sizeof junk);
	memcpy(junk, "CSJ1\xff\x00\x00\x00", 8);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_APPEND), 0);
	ck_assert_int_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
	close(fd);

	daemon_start(&d);
	after = kpis_text(&d);
	ck_assert_str_eq(after, before);
	ck_assert_double_eq(status_num(&d, "journal", "replayed"), 81);
	ck_assert_double_eq(status_num(&d, "journal", "torn_bytes"), 100);
	ck_assert_double_eq(status_num(&d, "journal", "damaged_bytes"), 0);
	ck_assert(log_has(&d, "100 bytes at offset"));
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, size);
	free(after);
	free(before);

	ck_assert_int_eq(kill(d.pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(d.pid, &status, 0), d.pid);
	daemon_start(&d);
	ck_assert_double_eq(status_num(&d, "journal", "torn_bytes"), 0);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * A backup is one file that holds the journal too: started on the copy
 * alone, the daemon replays what arrived since the last snapshot (from
 * the copy's journal table), and the next snapshot empties that table.
 */
START_TEST(test_backup_replays)
{
	struct daemon	 d;
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	char		*before, *after, from[192], to[192];
	char		*argv[] = { (char *)"/bin/rm", (char *)"-rf", NULL, NULL };
	int		 status;

	away_from_interval_end();
	jdaemon_new(&d, NULL);
	before = snapshot_then_journal(&d);
	yajl_tree_free(client_json(&d, "backup", "copy.db", NULL));
	ck_assert_int_eq(kill(d.pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(d.pid, &status, 0), d.pid);

	/* Nothing but the copy, under the database's name. */
	snprintf(from, sizeof from, "%s/callscore.db.journal", d.dir);
	argv[2] = from;
	ck_assert_int_eq(run(NULL, NULL, argv), 0);
	snprintf(from, sizeof from, "%s/callscore.db-wal", d.dir);
	unlink(from);
	snprintf(from, sizeof from, "%s/callscore.db-shm", d.dir);
	unlink(from);
	snprintf(from, sizeof from, "%s/copy.db", d.dir);
	snprintf(to, sizeof to, "%s/callscore.db", d.dir);
	ck_assert_int_eq(rename(from, to), 0);

	daemon_start(&d);
	after = kpis_text(&d);
	ck_assert_str_eq(after, before);
	ck_assert_double_eq(status_num(&d, "journal", "replayed"), 81);
	yajl_tree_free(client_json(&d, "snapshot", NULL));
	daemon_stop(&d);
	ck_assert_int_eq(sqlite3_open(to, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM journal",
	    -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(stmt, 0), 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(after);
	free(before);
	daemon_cleanup(&d);
}
END_TEST

/* With the journal off: no journal, and durable acks are refused. */
START_TEST(test_journal_off)
{
	struct daemon	 d;
	char		*ans;
	int		 fd;

	jdaemon_new(&d, "  journal: off\n");
	fd = connect_unix(d.events);
	ans = exchange(fd, "#acks durable\n", 1);
	ck_assert_str_eq(ans, "error 1: durable acknowledgements need the "
	    "journal (snapshot.journal is off)\n");
	ans = exchange(fd, "{\"type\":\"call\",\"call_id\":\"x\",\"queue\":\"q\"}\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	close(fd);
	ck_assert_double_eq(status_num(&d, "journal", "seq"), 1);
	ck_assert_double_eq(status_num(&d, "journal", "events"), 0);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

static Suite *
journal_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("journal");
	tc = tcase_create("daemon");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_durable_after_commit);
	tcase_add_test(tc, test_durable_at_exit);
	tcase_add_test(tc, test_journal_full);
	tcase_add_test(tc, test_kill9_under_load);
	tcase_add_test(tc, test_restart_identical);
	tcase_add_test(tc, test_torn_tail);
	tcase_add_test(tc, test_backup_replays);
	tcase_add_test(tc, test_journal_off);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	signal(SIGPIPE, SIG_IGN);
	sr = srunner_create(journal_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
