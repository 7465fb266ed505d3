/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Fault tests: the real callscored against bad input, hostile clients,
 * wall-clock steps and storage faults.  Every case asserts the counters
 * of `callscore status --json`, and that the daemon still answers.  The
 * limits are set short (idle and line deadlines of 1 s, snapshots every
 * second) so the whole suite takes seconds.
 *
 * The clock case runs the daemon under libfaketime (package faketime);
 * without it the case fails and says so, unless CALLSCORE_TEST_ALLOW_SKIP
 * is set.  The disk-full case mounts a small tmpfs in a private mount
 * namespace when it can (root); the size-cap case needs nothing.
 */
#include <sys/types.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
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

#define STATUS_REQ	"{\"v\":1,\"cmd\":\"status\"}\n"
#define CTL_RTT_MAX	5.0		/* ms, a status round trip */
#define RSS_GROWTH_MAX	(16 * 1024)	/* kB */
#define MIB		(1024 * 1024)

/*
 * Under AddressSanitizer the daemon is slower and keeps freed memory in
 * quarantine; under valgrind the test itself is slower.  Bounds on time
 * and memory are multiplied by these (scripts/sanitize runs both).
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED	1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED	0
#endif
#define MEM_FACTOR	(SANITIZED ? 4 : 1)
static int	 time_factor = 1;

/* One finished call to queue q; %d makes the call id. */
#define CALL_FMT	"{\"type\":\"call\",\"call_id\":\"c%d\","		\
			"\"queue\":\"q\",\"outcome\":\"answered\",\"wait\":1}\n"

static double	 mono_ms(void);
static yajl_val	 status(struct daemon *);
static double	 counter(struct daemon *, const char *, const char *,
		     const char *);
static double	 wait_counter(struct daemon *, const char *, const char *,
		     const char *, double, int);
static double	 ctl_rtt_ms(struct daemon *);
static long	 rss_kb(pid_t);
static double	 cpu_seconds(pid_t);
static int	 count_fds(pid_t);
static int	 nofile_limit(pid_t);
static int	 count_lines(const char *);
static int	 wait_closed(int, int);
static char	*feed(int, const char *, size_t, int, int *);
static int	 count_answers(const char *);
static uint64_t	 rnd(uint64_t *);

static double
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* status over the control socket itself: cheap enough to poll. */
static yajl_val
status(struct daemon *d)
{
	yajl_val	st = ctl_raw(d, STATUS_REQ);

	ck_assert_msg(YAJL_IS_TRUE(jget(st, "ok", NULL)), "status failed");
	return (st);
}

/* One number of the status reply: a.b or a.b.c. */
static double
counter(struct daemon *d, const char *a, const char *b, const char *c)
{
	yajl_val	st = status(d);
	double		v;

	v = jnum(jget(st, a, b, c, (const char *)NULL));
	yajl_tree_free(st);
	return (v);
}

/* Poll a counter until it equals want or ms pass; its last value. */
static double
wait_counter(struct daemon *d, const char *a, const char *b, const char *c,
    double want, int ms)
{
	double	deadline = mono_ms() + ms, v;

	while ((v = counter(d, a, b, c)) != want && mono_ms() < deadline)
		msleep(5);
	return (v);
}

/*
 * The round trip of a status request, connect included: the best of
 * three, so that a moment without a CPU on a shared host is not taken
 * for a daemon that does not answer (a busy loop delays all three).
 */
static double
ctl_rtt_ms(struct daemon *d)
{
	double		t0, t, best = 1e9;
	yajl_val	st;
	int		i;

	for (i = 0; i < 3; i++) {
		t0 = mono_ms();
		st = ctl_raw(d, STATUS_REQ);
		t = mono_ms() - t0;
		ck_assert(YAJL_IS_TRUE(jget(st, "ok", NULL)));
		yajl_tree_free(st);
		if (t < best)
			best = t;
	}
	return (best);
}

static long
rss_kb(pid_t pid)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	ck_assert_int_gt(kb, 0);
	return (kb);
}

/* utime + stime of a process, in seconds. */
static double
cpu_seconds(pid_t pid)
{
	char			 path[64], buf[1024], *p;
	unsigned long long	 ut, st;
	FILE			*f;
	size_t			 n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15, counted after the command's closing paren. */
	ck_assert_ptr_nonnull(p = strrchr(buf, ')'));
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
	    "%*u %*u %llu %llu", &ut, &st), 2);
	return ((double)(ut + st) / (double)sysconf(_SC_CLK_TCK));
}

static int
count_fds(pid_t pid)
{
	char		 path[64];
	DIR		*dir;
	struct dirent	*de;
	int		 n = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	ck_assert_ptr_nonnull(dir = opendir(path));
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(dir);
	return (n);
}

/* The soft RLIMIT_NOFILE of a process. */
static int
nofile_limit(pid_t pid)
{
	char	 path[64], line[256];
	FILE	*f;
	int	 n = -1;

	snprintf(path, sizeof path, "/proc/%d/limits", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "Max open files %d", &n) == 1)
			break;
	}
	fclose(f);
	return (n);
}

static int
count_lines(const char *path)
{
	FILE	*f;
	int	 c, n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while ((c = getc(f)) != EOF) {
		if (c == '\n')
			n++;
	}
	fclose(f);
	return (n);
}

/*
 * Wait up to ms for the daemon to close fd, reading and discarding what
 * it sends; 1 if it did (EOF or a reset).
 */
static int
wait_closed(int fd, int ms)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	double		 deadline = mono_ms() + ms;
	char		 buf[4096];
	ssize_t		 n;

	while (mono_ms() < deadline) {
		if (poll(&pfd, 1, 10) != 1)
			continue;
		n = read(fd, buf, sizeof buf);
		if (n == 0 || (n == -1 && errno == ECONNRESET))
			return (1);
	}
	return (0);
}

/*
 * Write len bytes as a peer that reads its answers meanwhile, then read
 * until want answer lines came (-1: until the daemon closes).  *closed is
 * set when the daemon closed the connection.  The answers are returned
 * (caller frees).
 */
static char *
feed(int fd, const char *buf, size_t len, int want, int *closed)
{
	struct pollfd	 pfd;
	char		*ans = NULL;
	size_t		 alen = 0, acap = 0, off = 0;
	ssize_t		 n;
	double		 deadline = mono_ms() + 10000;
	int		 lines = 0;

	*closed = 0;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	pfd.fd = fd;
	while (mono_ms() < deadline && !*closed &&
	    (off < len || want < 0 || lines < want)) {
		pfd.events = POLLIN | (off < len ? POLLOUT : 0);
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (alen + 65536 + 1 > acap) {
				acap = (alen + 65536 + 1) * 2;
				ck_assert_ptr_nonnull(ans = realloc(ans,
				    acap));
			}
			n = read(fd, ans + alen, 65536);
			if (n == 0 || (n == -1 && errno != EAGAIN)) {
				*closed = 1;
				break;
			}
			for (; n > 0; n--) {
				if (ans[alen++] == '\n')
					lines++;
			}
		}
		if (off < len && (pfd.revents & POLLOUT)) {
			n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
			if (n == -1 && errno != EAGAIN) {
				*closed = 1;	/* EPIPE, ECONNRESET */
				break;
			}
			if (n > 0)
				off += (size_t)n;
		}
	}
	if (ans == NULL)
		ck_assert_ptr_nonnull(ans = malloc(1));
	ans[alen] = '\0';
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return (ans);
}

static int
count_answers(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			n++;
	}
	return (n);
}

/* xorshift64*: the same bytes on every run. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 0x2545f4914f6cdd1dULL);
}

/* Send lines on a fresh connection; the answers (static buffer). */
static char *
one_conn(struct daemon *d, const char *lines, int nlines)
{
	int	 fd = connect_tcp(d->tcp_port);
	char	*ans = exchange(fd, lines, nlines);

	close(fd);
	return (ans);
}

/*
 * Bad input of every kind: each line rejected with its reason counted,
 * the connection closed where it must be, and memory back within 16 MB
 * of where it started.
 */
START_TEST(test_bad_input)
{
	static const char nul[] = "{\"type\":\"call\",\"queue\":\"a\0b\"}\n"
	    "\0\0\0\n{\"type\":\0\"call\"}\n";
	struct daemon	 d;
	yajl_val	 st;
	char		*buf, *ans, line[256];
	const char	*req;
	size_t		 len, i, start;
	uint64_t	 seed = 0x5eed;
	long		 rss0, rss1;
	int		 fd, closed, nbad, n;
	double		 rejected;

	daemon_new(&d, NULL);
	ans = one_conn(&d, "{\"type\":\"call\",\"call_id\":\"c0\","
	    "\"queue\":\"q\",\"outcome\":\"answered\",\"wait\":1}\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	rss0 = rss_kb(d.pid);

	/* A line past max_line (64 KiB): answered, then closed. */
	buf = malloc(MIB);
	memset(buf, 'x', MIB);
	fd = connect_tcp(d.tcp_port);
	ck_assert_int_eq(write(fd, buf, 70000), 70000);
	ans = feed(fd, "", 0, -1, &closed);
	ck_assert(closed);
	ck_assert_str_eq(ans, "error 1: line longer than 65536 bytes; "
	    "closing\n");
	free(ans);
	close(fd);

	/* 1 MiB without a newline: the same, whatever the peer still sends. */
	fd = connect_tcp(d.tcp_port);
	ans = feed(fd, buf, MIB, -1, &closed);
	ck_assert_msg(closed, "a 1 MiB line did not close the connection");
	ck_assert_msg(*ans == '\0' || strcmp(ans, "error 1: line longer than "
	    "65536 bytes; closing\n") == 0, "got %s", ans);
	free(ans);
	close(fd);
	ck_assert_double_eq(wait_counter(&d, "events", "rejects", "too_long",
	    2, 2000), 2);
	ck_assert_double_eq(counter(&d, "connections", "oversize_closed",
	    NULL), 2);

	/*
	 * 1 MiB of random bytes: every line (split where the bytes hold a
	 * newline) is answered with an error, and the connection stays
	 * usable.
	 */
	for (i = 0; i < MIB; i += 8) {
		uint64_t r = rnd(&seed);

		memcpy(buf + i, &r, 8);
	}
	buf[MIB - 1] = '\n';
	nbad = 0;
	for (start = 0, i = 0; i < MIB; i++) {
		if (buf[i] != '\n')
			continue;
		len = i - start;
		if (len > 0 && buf[i - 1] == '\r')
			len--;
		if (len > 0)
			nbad++;
		start = i + 1;
	}
	ck_assert_int_gt(nbad, 3000);
	fd = connect_tcp(d.tcp_port);
	ans = feed(fd, buf, MIB, nbad, &closed);
	ck_assert_msg(!closed, "random bytes closed the connection");
	ck_assert_int_eq(count_answers(ans), nbad);
	ck_assert_ptr_null(strstr(ans, "ok\n"));
	free(ans);
	snprintf(line, sizeof line, CALL_FMT, 1);
	ck_assert_str_eq(exchange(fd, line, 1), "ok\n");
	close(fd);
	st = status(&d);
	rejected = jnum(jget(st, "events", "rejected", NULL));
	ck_assert_double_eq(rejected, 2 + nbad);
	ck_assert_double_eq(jnum(jget(st, "events", "accepted", NULL)), 2);
	yajl_tree_free(st);
	free(buf);

	/* NUL bytes, in a string, alone, between tokens: syntax. */
	n = (int)counter(&d, "events", "rejects", "syntax");
	fd = connect_tcp(d.tcp_port);
	ck_assert_int_eq(write(fd, nul, sizeof nul - 1),
	    (ssize_t)sizeof nul - 1);
	ans = feed(fd, "", 0, 3, &closed);
	ck_assert(!closed);
	ck_assert_msg(strncmp(ans, "error 1: invalid JSON near byte 25", 34)
	    == 0, "got %s", ans);
	ck_assert_ptr_nonnull(strstr(ans, "error 2: invalid JSON near byte "));
	ck_assert_ptr_nonnull(strstr(ans, "error 3: invalid JSON near byte "));
	free(ans);
	close(fd);
	ck_assert_double_eq(counter(&d, "events", "rejects", "syntax"),
	    n + 3);

	/* Invalid UTF-8: overlong, surrogate, truncated, 0xff. */
	n = (int)counter(&d, "events", "rejects", "utf8");
	ans = one_conn(&d,
	    "{\"type\":\"call\",\"queue\":\"\xc0\xaf\"}\n"
	    "{\"type\":\"call\",\"queue\":\"\xed\xa0\x80\"}\n"
	    "{\"type\":\"call\",\"queue\":\"\xe2\x82\"}\n"
	    "\xff{}\n", 4);
	ck_assert_str_eq(ans, "error 1: invalid UTF-8 at byte 24\n"
	    "error 2: invalid UTF-8 at byte 24\n"
	    "error 3: invalid UTF-8 at byte 24\n"
	    "error 4: invalid UTF-8 at byte 0\n");
	ck_assert_double_eq(counter(&d, "events", "rejects", "utf8"),
	    n + 4);

	/* Deep nesting: 5 levels, and 20,000 (inside max_line). */
	n = (int)counter(&d, "events", "rejects", "depth");
	buf = malloc(65536);
	len = (size_t)snprintf(buf, 65536, "{\"type\":\"call\",\"x\":");
	for (i = 0; i < 20000; i++)
		buf[len++] = '[';
	for (i = 0; i < 20000; i++)
		buf[len++] = ']';
	memcpy(buf + len, "}\n", 3);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, "{\"type\":\"call\",\"x\":[[[[1]]]]}\n", 1);
	ck_assert_str_eq(ans, "error 1: nested deeper than 4 levels\n");
	ans = exchange(fd, buf, 1);
	ck_assert_str_eq(ans, "error 2: nested deeper than 4 levels\n");
	close(fd);
	ck_assert_double_eq(counter(&d, "events", "rejects", "depth"),
	    n + 2);

	/*
	 * Huge JSON: a 60 KB identifier is refused; 4,000 unknown keys in
	 * a valid event are skipped without cost; 200 KB of keys on one
	 * line passes max_line and closes the connection.
	 */
	len = (size_t)snprintf(buf, 65536, "{\"type\":\"call\",\"call_id\":\"");
	memset(buf + len, 'i', 60000);
	len += 60000;
	snprintf(buf + len, 65536 - len, "\",\"queue\":\"q\",\"outcome\":"
	    "\"answered\",\"wait\":1}\n");
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, buf, 1);
	ck_assert_str_eq(ans, "error 1: field \"call_id\": expected an "
	    "identifier of 1-64 characters [A-Za-z0-9._:@+-]\n");
	len = (size_t)snprintf(buf, 65536, "{\"type\":\"call\",\"call_id\":"
	    "\"k\",\"queue\":\"q\",\"outcome\":\"answered\",\"wait\":1");
	for (i = 0; i < 4000; i++)
		len += (size_t)snprintf(buf + len, 65536 - len,
		    ",\"k%zu\":%zu", i, i);
	memcpy(buf + len, "}\n", 3);
	ck_assert_uint_lt(len, 65536);
	ans = exchange(fd, buf, 1);
	ck_assert_str_eq(ans, "ok\n");
	free(buf);
	buf = malloc(200 * 1024 + 2);
	len = 0;
	buf[len++] = '{';
	for (i = 0; len < 200 * 1024 - 16; i++)
		len += (size_t)snprintf(buf + len, 200 * 1024 - len,
		    "\"k%zu\":0,", i);
	memcpy(buf + len - 1, "}\n", 2);
	len++;
	ans = feed(fd, buf, len, -1, &closed);
	ck_assert(closed);
	close(fd);
	free(ans);
	free(buf);
	ck_assert_double_eq(counter(&d, "events", "rejects", "id"), 1);
	ck_assert_double_eq(wait_counter(&d, "events", "rejects", "too_long",
	    3, 2000), 3);
	ck_assert_double_eq(counter(&d, "connections", "oversize_closed",
	    NULL), 3);

	/* Wrong types. */
	ans = one_conn(&d,
	    "{\"type\":\"call\",\"call_id\":\"w\",\"queue\":\"q\","
	    "\"wait\":\"10\"}\n"
	    "{\"type\":\"call\",\"call_id\":\"w\",\"queue\":5}\n"
	    "{\"type\":[\"call\"],\"call_id\":\"w\",\"queue\":\"q\"}\n"
	    "{\"type\":\"call\",\"call_id\":\"w\",\"queue\":\"q\","
	    "\"first_contact\":\"yes\"}\n"
	    "[\"call\"]\n", 5);
	ck_assert_str_eq(ans,
	    "error 1: field \"wait\": expected a non-negative number\n"
	    "error 2: field \"queue\": expected an identifier of 1-64 "
	    "characters [A-Za-z0-9._:@+-]\n"
	    "error 3: field \"type\": expected one of call, call.queued, "
	    "call.answered, call.hold, call.resume, call.ended, survey, qa, "
	    "agent, esat\n"
	    "error 4: field \"first_contact\": expected a boolean\n"
	    "error 5: invalid JSON: expected an object\n");
	st = status(&d);
	ck_assert_double_eq(jnum(jget(st, "events", "rejects", "type", NULL)),
	    3);
	ck_assert_double_eq(jnum(jget(st, "events", "rejects", "event_type",
	    NULL)), 1);
	yajl_tree_free(st);

	/* HTTP on the event port: answered once, then hung up on. */
	fd = connect_tcp(d.tcp_port);
	req = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
	ans = feed(fd, req, strlen(req), -1, &closed);
	ck_assert(closed);
	ck_assert_str_eq(ans, "error 1: HTTP request on the event port; "
	    "closing\n");
	free(ans);
	close(fd);
	fd = connect_tcp(d.tcp_port);
	snprintf(line, sizeof line, CALL_FMT, 2);
	ck_assert_str_eq(exchange(fd, line, 1), "ok\n");
	req = "POST /events HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}";
	ans = feed(fd, req, strlen(req), -1, &closed);
	ck_assert(closed);
	ck_assert_str_eq(ans, "error 2: HTTP request on the event port; "
	    "closing\n");
	free(ans);
	close(fd);
	st = status(&d);
	ck_assert_double_eq(jnum(jget(st, "events", "rejects", "http", NULL)),
	    2);
	ck_assert_double_eq(jnum(jget(st, "events", "accepted", NULL)), 4);
	ck_assert_double_eq(jnum(jget(st, "connections", "current", NULL)),
	    0);
	yajl_tree_free(st);

	/* Alive, and memory bounded. */
	rss1 = rss_kb(d.pid);
	ck_assert_msg(rss1 <= rss0 + RSS_GROWTH_MAX * MEM_FACTOR, "RSS grew "
	    "from %ld to %ld kB", rss0, rss1);
	fprintf(stderr, "bad input: RSS %ld -> %ld kB\n", rss0, rss1);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * Silent peers hit the idle timeout; peers that dribble a byte at a time
 * (which restarts the idle timer) hit the per-line deadline.
 */
/*
 * The listener handles lines where they lie in its input buffer and
 * drains them together: the answers to lines before an over-long one
 * in the same read come first, then its error; a line cut anywhere
 * across writes is whole when handled; a line held back over several
 * reads of a large burst is never lost or counted twice.
 */
START_TEST(test_line_split)
{
	static const char ev[] = "{\"type\":\"call\",\"call_id\":\"c%d\","
	    "\"queue\":\"q\",\"outcome\":\"answered\",\"wait\":1}\n";
	struct daemon	 d;
	char		*buf, *ans, line[256];
	size_t		 len, cut, i;
	int		 fd, closed, n;

	daemon_new(&d, "limits:\n  max_line: 256\n");

	/* Two events, 300 bytes and a newline, an event: one read. */
	buf = malloc(1024);
	len = (size_t)snprintf(buf, 1024, ev, 1);
	len += (size_t)snprintf(buf + len, 1024 - len, ev, 2);
	memset(buf + len, 'x', 300);
	len += 300;
	buf[len++] = '\n';
	len += (size_t)snprintf(buf + len, 1024 - len, ev, 4);
	fd = connect_tcp(d.tcp_port);
	ans = feed(fd, buf, len, -1, &closed);
	ck_assert(closed);
	ck_assert_str_eq(ans, "ok\nok\nerror 3: line longer than 256 bytes; "
	    "closing\n");
	free(ans);
	close(fd);
	free(buf);
	ck_assert_double_eq(counter(&d, "events", "accepted", NULL), 2);

	/* An event cut at every byte: the halves in two writes. */
	len = (size_t)snprintf(line, sizeof line, ev, 5);
	fd = connect_tcp(d.tcp_port);
	for (cut = 1; cut < len; cut++) {
		ck_assert_int_eq(send(fd, line, cut, MSG_NOSIGNAL), (ssize_t)cut);
		ans = feed(fd, line + cut, len - cut, 1, &closed);
		ck_assert(!closed);
		ck_assert_str_eq(ans, "ok\n");
		free(ans);
	}
	close(fd);
	ck_assert_double_eq(counter(&d, "events", "accepted", NULL),
	    2 + (double)(len - 1));

	/* 20,000 events in one burst, then one more: all answered. */
	buf = malloc(20001 * 128);
	for (i = 0, len = 0; i < 20001; i++)
		len += (size_t)snprintf(buf + len, 128, ev, (int)i + 100);
	fd = connect_tcp(d.tcp_port);
	ans = feed(fd, buf, len, 20001, &closed);
	ck_assert(!closed);
	n = count_answers(ans);
	ck_assert_int_eq(n, 20001);
	for (i = 0; i < (size_t)n; i++)
		ck_assert(strncmp(ans + 3 * i, "ok\n", 3) == 0);
	free(ans);
	close(fd);
	free(buf);
	ck_assert_double_eq(counter(&d, "events", "accepted", NULL),
	    2 + (double)(strlen(line) - 1) + 20001);
	daemon_stop(&d);
}
END_TEST

START_TEST(test_slow_peers)
{
	struct daemon	 d;
	struct pollfd	 pfd;
	enum { NSILENT = 50, NDRIBBLE = 20 };
	int		 silent[NSILENT], dribble[NDRIBBLE], i, left;
	int		 sclosed = 0, dclosed = 0, errs = 0;
	double		 t0, tsilent = 0, tdribble = 0, next;
	char		 buf[256];
	ssize_t		 n;

	daemon_new(&d, "limits:\n  idle_timeout: 1\n  line_timeout: 1\n");
	t0 = mono_ms();
	for (i = 0; i < NSILENT; i++)
		silent[i] = connect_tcp(d.tcp_port);
	for (i = 0; i < NDRIBBLE; i++)
		dribble[i] = connect_tcp(d.tcp_port);
	ck_assert_double_eq(wait_counter(&d, "connections", "current", NULL,
	    NSILENT + NDRIBBLE, 2000), NSILENT + NDRIBBLE);

	/* One byte every 100 ms on each dribbler, for at most 3 s. */
	next = mono_ms();
	left = NSILENT + NDRIBBLE;
	while (left > 0 && mono_ms() - t0 < 3000) {
		if (mono_ms() >= next) {
			for (i = 0; i < NDRIBBLE; i++) {
				if (dribble[i] != -1)
					send(dribble[i], "{", 1, MSG_NOSIGNAL);
			}
			next += 100;
		}
		pfd.events = POLLIN;
		for (i = 0; i < NSILENT; i++) {
			pfd.fd = silent[i];
			if (silent[i] == -1 || poll(&pfd, 1, 0) != 1)
				continue;
			ck_assert_int_eq(read(silent[i], buf, sizeof buf), 0);
			close(silent[i]);
			silent[i] = -1;
			sclosed++;
			left--;
			tsilent = mono_ms() - t0;
		}
		for (i = 0; i < NDRIBBLE; i++) {
			pfd.fd = dribble[i];
			if (dribble[i] == -1 || poll(&pfd, 1, 0) != 1)
				continue;
			n = read(dribble[i], buf, sizeof buf - 1);
			if (n > 0) {
				buf[n] = '\0';
				if (strcmp(buf, "error 1: line not finished "
				    "within 1 seconds; closing\n") == 0)
					errs++;
				if (!wait_closed(dribble[i], 1000))
					continue;
			}
			close(dribble[i]);
			dribble[i] = -1;
			dclosed++;
			left--;
			tdribble = mono_ms() - t0;
		}
		msleep(5);
	}
	ck_assert_int_eq(sclosed, NSILENT);
	ck_assert_int_eq(dclosed, NDRIBBLE);
	ck_assert_int_eq(errs, NDRIBBLE);
	/* Within the limit plus 1.5 s (a tick of slack on a busy host). */
	ck_assert_msg(tsilent < 2500, "silent peers closed after %.0f ms",
	    tsilent);
	ck_assert_msg(tdribble < 2500, "dribblers closed after %.0f ms",
	    tdribble);
	ck_assert_double_eq(counter(&d, "connections", "idle_closed", NULL),
	    NSILENT);
	ck_assert_double_eq(counter(&d, "connections", "line_timeout", NULL),
	    NDRIBBLE);
	ck_assert_double_eq(counter(&d, "connections", "current", NULL), 0);
	fprintf(stderr, "slow peers: silent closed by %.0f ms, dribblers by "
	    "%.0f ms\n", tsilent, tdribble);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * A sender that does not read its answers: the daemon writes what the
 * socket takes, stops reading once LISTEN_OUT_HIGH (4 MiB) of answers
 * wait, and goes on when the peer reads; every line is answered once, in
 * order, and after the peer's end the connection closes once the last
 * answer is out.
 */
START_TEST(test_unread_answers)
{
	struct daemon	 d;
	enum { NLINES = 300000 };
	static char	 lines[2 * NLINES];
	char		 buf[65536], want[32], *p, *nl, tail[128];
	size_t		 off = 0, tlen = 0;
	double		 stopped, t0;
	ssize_t		 n;
	int		 fd, next = 1, i, sent;

	for (i = 0; i < NLINES; i++)
		memcpy(lines + 2 * i, "x\n", 2);
	daemon_new(&d, NULL);
	fd = connect_tcp(d.tcp_port);
	/* As much as the kernel's buffers take in 2 s; nothing is read. */
	t0 = mono_ms();
	while (off < sizeof lines && mono_ms() - t0 < 2000) {
		n = send(fd, lines + off, sizeof lines - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			msleep(10);
			continue;
		}
		ck_assert_int_gt(n, 0);
		off += (size_t)n;
	}
	sent = (int)(off / 2);
	/*
	 * Each answer is ~60 bytes, 18 MB in all, more than the kernel's
	 * buffers hold: it stops reading well before the end.
	 */
	stopped = counter(&d, "events", "rejected", NULL);
	for (i = 0; i < 50; i++) {
		msleep(20);
		n = (ssize_t)counter(&d, "events", "rejected", NULL);
		if ((double)n == stopped)
			break;
		stopped = (double)n;
	}
	fprintf(stderr, "unread answers: %d lines sent, %.0f read before "
	    "the peer read\n", sent, stopped);
	ck_assert_double_gt(stopped, 1000);
	ck_assert_double_lt(stopped, sent);

	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		p = buf;
		while (n > 0) {
			nl = memchr(p, '\n', (size_t)n);
			if (nl == NULL) {
				ck_assert_uint_lt(tlen + (size_t)n, sizeof tail);
				memcpy(tail + tlen, p, (size_t)n);
				tlen += (size_t)n;
				break;
			}
			ck_assert_uint_lt(tlen + (size_t)(nl - p), sizeof tail);
			memcpy(tail + tlen, p, (size_t)(nl - p));
			tail[tlen + (size_t)(nl - p)] = '\0';
			snprintf(want, sizeof want, "error %d: ", next);
			ck_assert_msg(strncmp(tail, want, strlen(want)) == 0,
			    "answer %d: %s", next, tail);
			next++;
			tlen = 0;
			n -= nl + 1 - p;
			p = nl + 1;
		}
	}
	/* Every line answered, and the daemon closed after the last. */
	ck_assert_int_eq(next - 1, sent);
	ck_assert_uint_eq(tlen, 0);
	close(fd);
	ck_assert_double_eq(counter(&d, "events", "rejected", NULL), sent);
	ck_assert_double_eq(wait_counter(&d, "connections", "current", NULL,
	    0, 2000), 0);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/*
 * 3 x max_connections connects: exactly max_connections are served, the
 * rest refused (closed at once) and counted, and the control socket
 * keeps answering fast throughout.
 */
START_TEST(test_connection_flood)
{
	struct daemon	 d;
	enum { MAX = 100, N = 3 * MAX, NRTT = 20 };
	int		 fds[N], i, eofs = 0;
	double		 rtt[NRTT];
	char		 line[128];
	int		 nrtt = 0;

	daemon_new(&d, "limits:\n  max_connections: 100\n");
	for (i = 0; i < N; i++) {
		fds[i] = connect_tcp(d.tcp_port);
		if (i % (N / NRTT) == N / NRTT - 1)
			rtt[nrtt++] = ctl_rtt_ms(&d);
	}
	ck_assert_double_eq(wait_counter(&d, "connections", "refused", NULL,
	    N - MAX, 3000), N - MAX);
	ck_assert_double_eq(counter(&d, "connections", "current", NULL), MAX);
	ck_assert_double_eq(counter(&d, "connections", "total", NULL), MAX);
	for (i = 0; i < N; i++) {
		if (wait_closed(fds[i], i < MAX ? 0 : 1000))
			eofs++;
	}
	ck_assert_int_eq(eofs, N - MAX);
	/* The first MAX are served. */
	snprintf(line, sizeof line, CALL_FMT, 1);
	ck_assert_str_eq(exchange(fds[0], line, 1), "ok\n");
	snprintf(line, sizeof line, CALL_FMT, 2);
	ck_assert_str_eq(exchange(fds[MAX - 1], line, 1), "ok\n");
	for (i = 0; i < N; i++)
		close(fds[i]);
	qsort(rtt, (size_t)nrtt, sizeof rtt[0], cmp_double);
	fprintf(stderr, "flood: control round trip median %.3f ms, p90 "
	    "%.3f ms, max %.3f ms\n", rtt[nrtt / 2], rtt[nrtt * 9 / 10],
	    rtt[nrtt - 1]);
	ck_assert_msg(rtt[nrtt * 9 / 10] < CTL_RTT_MAX * time_factor,
	    "control round trip "
	    "p90 %.3f ms", rtt[nrtt * 9 / 10]);
	ck_assert_double_eq(wait_counter(&d, "connections", "current", NULL,
	    0, 2000), 0);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * Out of descriptors: the listeners back off instead of spinning (CPU
 * below 5 % of a core over 2 s, a log line or two), and the daemon
 * serves again once descriptors free up.
 */
START_TEST(test_fd_exhaustion)
{
	static const char get[] = "GET /healthz HTTP/1.0\r\n\r\n";
	struct daemon	 d;
	enum { N = 40 };
	int		 fds[N], ctlfd, httpfd, i, base, lines0, lines1, port;
	int		 closed;
	double		 cpu0, cpu1, t0, t1, errors;
	char		 line[128], *ans;
	const char	*a;
	yajl_val	 st;

	/* Measure what the daemon holds at rest, then leave room for 8. */
	daemon_new(&d, "http:\n  listen: 127.0.0.1:0\n");
	base = count_fds(d.pid);
	daemon_stop(&d);
	daemon_nofile = base + 8;
	daemon_start(&d);
	if (nofile_limit(d.pid) != base + 8) {
		/* valgrind keeps the limit to itself and drops it at exec. */
		fprintf(stderr, "fd exhaustion: SKIPPED: the limit did not "
		    "reach the daemon\n");
		daemon_stop(&d);
		daemon_cleanup(&d);
		return;
	}
	st = status(&d);
	a = jstr(jget(st, "listen", "http", NULL));
	port = atoi(strrchr(a, ':') + 1);
	yajl_tree_free(st);

	for (i = 0; i < N; i++)
		fds[i] = connect_tcp(d.tcp_port);
	/* A control client too, which the control listener cannot take. */
	ctlfd = connect_unix(d.ctl);
	ck_assert_int_eq(write(ctlfd, STATUS_REQ, strlen(STATUS_REQ)),
	    (ssize_t)strlen(STATUS_REQ));
	/* And a monitoring probe. */
	httpfd = connect_tcp(port);
	ck_assert_int_eq(write(httpfd, get, sizeof get - 1),
	    (ssize_t)sizeof get - 1);
	msleep(300);
	ck_assert_int_ge(count_fds(d.pid), base + 7);
	lines0 = count_lines(d.log);
	cpu0 = cpu_seconds(d.pid);
	t0 = mono_ms();
	msleep(2000);
	cpu1 = cpu_seconds(d.pid);
	t1 = mono_ms();
	lines1 = count_lines(d.log);
	fprintf(stderr, "fd exhaustion: %.1f %% CPU over %.0f ms, %d log "
	    "lines\n", (cpu1 - cpu0) * 1e5 / (t1 - t0), t1 - t0,
	    lines1 - lines0);
	ck_assert_msg((cpu1 - cpu0) / ((t1 - t0) / 1e3) < 0.05,
	    "%.2f s of CPU in %.0f ms", cpu1 - cpu0, t1 - t0);
	ck_assert_msg(lines1 - lines0 <= 2, "%d log lines while out of "
	    "descriptors", lines1 - lines0);
	ck_assert_msg(count_lines(d.log) < 20, "log has %d lines",
	    count_lines(d.log));

	/* Free the descriptors: the pending control request is answered. */
	for (i = 0; i < N; i++)
		close(fds[i]);
	ans = feed(ctlfd, "", 0, 1, &closed);
	ck_assert_ptr_nonnull(strstr(ans, "\"ok\":true"));
	free(ans);
	close(ctlfd);
	ans = feed(httpfd, "", 0, -1, &closed);
	ck_assert_msg(strncmp(ans, "HTTP/1.0 200", 12) == 0 ||
	    strncmp(ans, "HTTP/1.1 200", 12) == 0, "got %s", ans);
	free(ans);
	close(httpfd);
	errors = counter(&d, "connections", "accept_errors", NULL);
	ck_assert_double_ge(errors, 2);
	ck_assert_double_le(errors, 2 * 2 * 2000 / 250 + 4);
	ck_assert_double_eq(wait_counter(&d, "connections", "current", NULL,
	    0, 3000), 0);
	fds[0] = connect_tcp(d.tcp_port);
	snprintf(line, sizeof line, CALL_FMT, 1);
	ck_assert_str_eq(exchange(fds[0], line, 1), "ok\n");
	close(fds[0]);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * 50,000 distinct random agent ids against max_agents 10,000: exactly
 * 10,000 tracked, 40,000 refused and counted.
 */
START_TEST(test_cardinality_flood)
{
	struct daemon	 d;
	enum { N = 50000, MAX = 10000 };
	uint64_t	 seed = 0xa9e7;
	char		*buf, *ans;
	size_t		 len = 0, cap = (size_t)N * 64;
	long		 rss0, rss1, rss2;
	int		 fd, i, closed, part;
	yajl_val	 st;

	daemon_new(&d, "limits:\n  max_agents: 10000\n");
	rss0 = rss_kb(d.pid);
	buf = malloc(cap);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, "#acks none\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	/* The first 10,000 are tracked, then 40,000 more refused. */
	for (part = 0; part < 2; part++) {
		len = 0;
		for (i = part == 0 ? 0 : MAX; i < (part == 0 ? MAX : N); i++)
			len += (size_t)snprintf(buf + len, cap - len,
			    "{\"type\":\"esat\",\"agent\":\"a%016llx\","
			    "\"score\":5}\n", (unsigned long long)rnd(&seed));
		ans = feed(fd, buf, len, 0, &closed);
		ck_assert(!closed);
		ck_assert_str_eq(ans, "");
		free(ans);
		if (part == 0) {
			ck_assert_double_eq(wait_counter(&d, "scopes",
			    "agents", NULL, MAX, 10000), MAX);
			rss1 = rss_kb(d.pid);
		}
	}
	free(buf);
	for (i = 0; i < 2000; i++) {
		st = status(&d);
		if (jnum(jget(st, "events", "accepted", NULL)) +
		    jnum(jget(st, "events", "rejected", NULL)) >= N)
			break;
		yajl_tree_free(st);
		st = NULL;
		msleep(5);
	}
	ck_assert_ptr_nonnull(st);
	ck_assert_double_eq(jnum(jget(st, "scopes", "agents", NULL)), MAX);
	ck_assert_double_eq(jnum(jget(st, "scopes", "rejected", NULL)),
	    N - MAX);
	ck_assert_double_eq(jnum(jget(st, "events", "rejects", "cardinality",
	    NULL)), N - MAX);
	ck_assert_double_eq(jnum(jget(st, "events", "accepted", NULL)), MAX);
	yajl_tree_free(st);
	close(fd);

	/* The errors name the limit. */
	ans = one_conn(&d, "{\"type\":\"esat\",\"agent\":\"one-more\","
	    "\"score\":5}\n", 1);
	ck_assert_str_eq(ans, "error 1: too many agents: limit of 10000 "
	    "reached\n");
	/* What is refused costs nothing; what is tracked, a few kB each. */
	rss2 = rss_kb(d.pid);
	fprintf(stderr, "cardinality: RSS %ld kB, %ld with 10,000 agents, "
	    "%ld after 40,000 refused\n", rss0, rss1, rss2);
	ck_assert_int_lt(rss1 - rss0, MAX * 8 * MEM_FACTOR);
	ck_assert_int_lt(rss2 - rss1, 2048 * MEM_FACTOR);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* libfaketime's preload library, or NULL. */
static const char *
faketime_lib(void)
{
	static char	 path[PATH_MAX];
	const char	*env = getenv("CALLSCORE_FAKETIME_LIB");
	const char	*pats[] = { "/usr/lib/*/faketime/libfaketime.so.1",
	    "/usr/lib/faketime/libfaketime.so.1",
	    "/usr/local/lib/faketime/libfaketime.so.1" };
	glob_t		 g;
	size_t		 i;

	if (env != NULL)
		return (access(env, R_OK) == 0 ? env : NULL);
	for (i = 0; i < sizeof pats / sizeof pats[0]; i++) {
		if (glob(pats[i], 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			snprintf(path, sizeof path, "%s", g.gl_pathv[0]);
			globfree(&g);
			return (path);
		}
		globfree(&g);
	}
	return (NULL);
}

static void
faketime_set(const char *file, const char *offset)
{
	FILE	*f;

	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fprintf(f, "%s\n", offset);
	fclose(f);
}

/* The wall clock a faked program sees, minus the real one, in seconds. */
static double
faketime_offset(char *const env[])
{
	char	*out, *argv[] = { (char *)"/usr/bin/env", NULL, NULL, NULL,
	    NULL, NULL, (char *)"/bin/date", (char *)"+%s", NULL };
	int	 i;
	double	 t;

	for (i = 0; i < 4; i++)
		argv[1 + i] = env[i];
	argv[5] = (char *)"TZ=UTC";
	ck_assert_int_eq(run(&out, NULL, argv), 0);
	t = atof(out) - now();
	free(out);
	return (t);
}

/* WATCHDOG=1 arrival times (kernel timestamps), ms, appended to t. */
static void
collect_pings(int fd, double *t, int *n, int max, int ms)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	char		 buf[512], cbuf[CMSG_SPACE(sizeof(struct timeval))];
	struct timeval	 tv;
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	double		 deadline = mono_ms() + ms;
	ssize_t		 len;

	while (mono_ms() < deadline || poll(&pfd, 1, 0) == 1) {
		if (poll(&pfd, 1, 10) != 1)
			continue;
		memset(&msg, 0, sizeof msg);
		iov.iov_base = buf;
		iov.iov_len = sizeof buf - 1;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof cbuf;
		ck_assert_int_gt(len = recvmsg(fd, &msg, 0), 0);
		buf[len] = '\0';
		if (strcmp(buf, "WATCHDOG=1") != 0 || *n >= max)
			continue;
		cm = CMSG_FIRSTHDR(&msg);
		ck_assert(cm != NULL && cm->cmsg_type == SCM_TIMESTAMP);
		memcpy(&tv, CMSG_DATA(cm), sizeof tv);
		t[(*n)++] = tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
	}
}

/*
 * offered, answered and asa of the global scope in every window but
 * "interval" (a quarter hour may turn during the test; a day will not).
 */
static void
global_kpis(struct daemon *d, double *v, int *n)
{
	yajl_val	 r, w, k;
	const char	*ids[] = { "offered", "answered", "asa" };
	size_t		 i, j;

	r = client_json(d, "kpi", NULL);
	w = jget(r, "windows", NULL);
	ck_assert(w != NULL && YAJL_IS_ARRAY(w));
	*n = 0;
	for (i = 0; i < w->u.array.len; i++) {
		if (strcmp(jstr(jget(w->u.array.values[i], "window", NULL)),
		    "interval") == 0)
			continue;
		k = jget(w->u.array.values[i], "kpis", NULL);
		for (j = 0; j < 3; j++)
			v[(*n)++] = kpi(k, ids[j]);
	}
	yajl_tree_free(r);
}

static void
global_kpis_eq(const double *a, const double *b, int n, double offered)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (i % 3 == 0)
			ck_assert_double_eq(a[i], offered);
		ck_assert_msg(a[i] == b[i] || (isnan(a[i]) && isnan(b[i])),
		    "KPI %d of %d: %g, was %g", i, n, b[i], a[i]);
	}
}

/*
 * A wall-clock step of -1 h, then +1 day (libfaketime, monotonic clock
 * left alone) moves no window and no watchdog ping.  Events stamped
 * with the real time are still accepted after each step.
 */
START_TEST(test_clock_steps)
{
	struct daemon		 d;
	struct sockaddr_un	 sun;
	char			 env[7][PATH_MAX + 32], tsfile[128], line[256];
	const char		*lib;
	double			 k0[64], k1[64], t[64], gap, sum = 0, min = 1e9;
	double			 max = 0, time0, time1, off;
	int			 nk0, nk1, npings = 0, fd, i, on = 1, port;
	char			*fenv[4], *ans, *p;
	const char		*a;
	yajl_val		 st;

	if ((lib = faketime_lib()) == NULL) {
		if (getenv("CALLSCORE_TEST_ALLOW_SKIP") != NULL) {
			fprintf(stderr, "clock steps: SKIPPED: libfaketime "
			    "not found (package faketime)\n");
			return;
		}
		ck_abort_msg("libfaketime not found: run scripts/setup (it "
		    "installs the Debian package faketime), or set "
		    "CALLSCORE_TEST_ALLOW_SKIP=1 to skip this test");
	}

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "/tmp/cs-faults.%d",
	    (int)getpid());
	unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &on,
	    sizeof on), 0);

	snprintf(tsfile, sizeof tsfile, "/tmp/cs-faketime.%d", (int)getpid());
	faketime_set(tsfile, "+0");
	snprintf(env[0], sizeof env[0], "LD_PRELOAD=%s", lib);
	snprintf(env[1], sizeof env[1], "FAKETIME_TIMESTAMP_FILE=%s", tsfile);
	snprintf(env[2], sizeof env[2], "FAKETIME_NO_CACHE=1");
	snprintf(env[3], sizeof env[3], "DONT_FAKE_MONOTONIC=1");
	snprintf(env[4], sizeof env[4], "NOTIFY_SOCKET=%s", sun.sun_path);
	snprintf(env[5], sizeof env[5], "WATCHDOG_USEC=400000");
	/* ASan wants to be first; libfaketime is, and is harmless. */
	a = getenv("ASAN_OPTIONS");
	snprintf(env[6], sizeof env[6], "ASAN_OPTIONS=%s%s"
	    "verify_asan_link_order=0", a != NULL ? a : "",
	    a != NULL && *a != '\0' ? ":" : "");
	for (i = 0; i < 7; i++)
		daemon_env[i] = env[i];
	daemon_env[7] = NULL;
	for (i = 0; i < 4; i++)
		fenv[i] = env[i];
	daemon_new(&d, "http:\n  listen: 127.0.0.1:0\n");
	daemon_env[0] = NULL;
	st = status(&d);
	a = jstr(jget(st, "listen", "http", NULL));
	port = atoi(strrchr(a, ':') + 1);
	yajl_tree_free(st);

	/* The faked clock is in force for a program with this environment. */
	off = faketime_offset(fenv);
	ck_assert_msg(fabs(off) < 5, "faketime offset %.0f s at +0", off);

	ck_assert_str_eq(one_conn(&d, "{\"type\":\"call\",\"call_id\":\"a\","
	    "\"queue\":\"q\",\"outcome\":\"answered\",\"wait\":10}\n"
	    "{\"type\":\"call\",\"call_id\":\"b\",\"queue\":\"q\","
	    "\"outcome\":\"answered\",\"wait\":30}\n", 2), "ok\nok\n");
	global_kpis(&d, k0, &nk0);
	ck_assert_int_ge(nk0, 3 * 4);	/* 5m 1h 24h today */
	time0 = counter(&d, "time", NULL, NULL);
	collect_pings(fd, t, &npings, 64, 1000);

	/* Back one hour. */
	faketime_set(tsfile, "-3600");
	off = faketime_offset(fenv);
	ck_assert_msg(fabs(off + 3600) < 5, "faketime offset %.0f s at -1h",
	    off);
	collect_pings(fd, t, &npings, 64, 1000);
	global_kpis(&d, k1, &nk1);
	ck_assert_int_eq(nk1, nk0);
	global_kpis_eq(k0, k1, nk0, 2);
	time1 = counter(&d, "time", NULL, NULL);
	ck_assert_msg(time1 - time0 > 0 && time1 - time0 < 10, "daemon time "
	    "moved by %.0f s", time1 - time0);
	/* A PBX with the right time is neither early nor late. */
	snprintf(line, sizeof line, "{\"type\":\"call\",\"call_id\":\"c\","
	    "\"queue\":\"q\",\"outcome\":\"answered\",\"wait\":20,"
	    "\"ts\":%.3f}\n", now());
	ck_assert_str_eq(one_conn(&d, line, 1), "ok\n");
	global_kpis(&d, k0, &nk0);

	/* Forward one day. */
	faketime_set(tsfile, "+86400");
	off = faketime_offset(fenv);
	ck_assert_msg(fabs(off - 86400) < 5, "faketime offset %.0f s at +1d",
	    off);
	collect_pings(fd, t, &npings, 64, 1000);
	global_kpis(&d, k1, &nk1);
	global_kpis_eq(k0, k1, nk0, 3);
	time1 = counter(&d, "time", NULL, NULL);
	ck_assert_msg(time1 - time0 > 0 && time1 - time0 < 10, "daemon time "
	    "moved by %.0f s", time1 - time0);
	snprintf(line, sizeof line, "{\"type\":\"call\",\"call_id\":\"d\","
	    "\"queue\":\"q\",\"outcome\":\"answered\",\"wait\":20,"
	    "\"ts\":%.3f}\n", now());
	ck_assert_str_eq(one_conn(&d, line, 1), "ok\n");
	ck_assert_double_eq(counter(&d, "events", "accepted", NULL), 4);
	ck_assert_double_eq(counter(&d, "events", "rejected", NULL), 0);
	/* Health and ages on the same steady clock: nothing looks stale. */
	ans = http_get(port, "/healthz");
	ck_assert_msg(strstr(ans, " 200 ") != NULL, "got %s", ans);
	ans = http_get(port, "/metrics");
	ck_assert_ptr_nonnull(p = strstr(ans, "\ncallscore_snapshot_age_"
	    "seconds "));
	p = strchr(p + 1, ' ');
	ck_assert_msg(atof(p) < 60, "snapshot age%.20s", p);

	/*
	 * Pings every 200 ms throughout: 5 % on average (the timer does not
	 * drift), each within half a period (a busy host delays one now and
	 * then; a wall-clock timer would stop for an hour or burst).
	 */
	ck_assert_int_ge(npings, 12);
	for (i = 1; i < npings; i++) {
		gap = t[i] - t[i - 1];
		sum += gap;
		if (gap < min)
			min = gap;
		if (gap > max)
			max = gap;
	}
	fprintf(stderr, "clock steps: %d watchdog pings, %.1f ms mean, "
	    "%.1f..%.1f ms\n", npings, sum / (npings - 1), min, max);
	ck_assert_double_eq_tol(sum / (npings - 1), 200, 10);
	ck_assert_msg(min > 100 && max < 300, "ping gaps %.1f..%.1f ms", min,
	    max);

	daemon_stop(&d);
	daemon_cleanup(&d);
	close(fd);
	unlink(sun.sun_path);
	unlink(tsfile);
}
END_TEST

/* Events that make a snapshot of some size: n queues, one call each. */
static void
feed_queues(struct daemon *d, int n, int first)
{
	char	*buf, *ans;
	size_t	 len = 0, cap = (size_t)n * 128 + 16;
	int	 fd, i, closed;

	buf = malloc(cap);
	len = (size_t)snprintf(buf, cap, "#acks errors\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    "{\"type\":\"call\",\"call_id\":\"c%d\",\"queue\":\"q%d\","
		    "\"outcome\":\"answered\",\"wait\":%d}\n", first + i, i,
		    i % 60);
	fd = connect_tcp(d->tcp_port);
	ans = feed(fd, buf, len, 1, &closed);
	ck_assert_str_eq(ans, "ok\n");
	free(ans);
	close(fd);
	free(buf);
	ck_assert_double_eq(wait_counter(d, "events", "accepted", NULL,
	    first + n, 5000), first + n);
}

static void
assert_integrity(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
	    &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), "ok");
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* The count of committed snapshots and of FULL errors. */
static void
snapshot_counts(struct daemon *d, double *count, double *full)
{
	yajl_val	st = status(d);

	*count = jnum(jget(st, "snapshot", "count", NULL));
	*full = jnum(jget(st, "snapshot", "error_codes", "FULL", NULL));
	yajl_tree_free(st);
}

/*
 * The database fills up: snapshots fail with FULL and are counted, KPIs
 * are still served, and the next snapshot after space returns (within
 * one interval) commits; the file passes integrity_check.  release()
 * gives the space back.
 */
static void
disk_full_run(struct daemon *d, const char *what, const char *db,
    void (*fill)(void *), void (*release)(void *), void *arg)
{
	double	 count, full, count1, full1, t0;
	yajl_val r;

	feed_queues(d, 50, 0);
	fill(arg);
	snapshot_counts(d, &count, &full);
	ck_assert_double_eq(full, 0);
	/* The interval is 1 s: a couple of failures within 2.5 s. */
	t0 = mono_ms();
	while ((snapshot_counts(d, &count1, &full1), full1 < 2) &&
	    mono_ms() - t0 < 5000)
		msleep(20);
	ck_assert_double_ge(full1, 2);
	ck_assert_double_eq(count1, count);
	ck_assert_double_ge(counter(d, "snapshot", "errors", NULL), full1);

	/* Still serving. */
	r = client_json(d, "kpi", "--queue", "q7", "--window", "5m", NULL);
	ck_assert_double_eq(kpi(kpis_of(r), "offered"), 1);
	yajl_tree_free(r);
	feed_queues(d, 10, 50);

	release(arg);
	t0 = mono_ms();
	while ((snapshot_counts(d, &count1, &full1), count1 == count) &&
	    mono_ms() - t0 < 3000)
		msleep(10);
	fprintf(stderr, "%s: %g FULL errors, recovered %.0f ms after space "
	    "returned\n", what, full1, mono_ms() - t0);
	ck_assert_double_gt(count1, count);
	ck_assert_msg(mono_ms() - t0 < 1000 + 500 * time_factor,
	    "recovered after %.0f ms",
	    mono_ms() - t0);
	daemon_stop(d);
	assert_integrity(db);
}

struct filler {
	char	path[256];
};

static void
filler_fill(void *arg)
{
	struct filler	*f = arg;
	static char	 block[65536];
	int		 fd;

	ck_assert_int_ge(fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC,
	    0600), 0);
	while (write(fd, block, sizeof block) > 0)
		continue;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
}

static void
filler_release(void *arg)
{
	struct filler	*f = arg;

	ck_assert_int_eq(unlink(f->path), 0);
}

/* A small tmpfs, in a mount namespace of this test's own. */
START_TEST(test_disk_full)
{
	struct daemon	 d;
	struct filler	 f;
	char		 mnt[160], extra[512], db[192];

	if (geteuid() != 0 || unshare(CLONE_NEWNS) != 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0) {
		fprintf(stderr, "disk full: no tmpfs without root; "
		    "test_db_size_cap covers SQLITE_FULL\n");
		return;
	}
	memset(&d, 0, sizeof d);
	daemon_new(&d, NULL);
	daemon_stop(&d);
	snprintf(mnt, sizeof mnt, "%s/small", d.dir);
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	ck_assert_int_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=4m"), 0);
	snprintf(db, sizeof db, "%s/callscore.db", mnt);
	snprintf(f.path, sizeof f.path, "%s/filler", mnt);
	snprintf(extra, sizeof extra, "snapshot:\n  interval: 1\n"
	    "  database: %s\n", db);
	daemon_conf(&d, extra);
	daemon_start(&d);
	disk_full_run(&d, "disk full (tmpfs)", db, filler_fill, filler_release,
	    &f);
	umount2(mnt, MNT_DETACH);
	daemon_cleanup(&d);
}
END_TEST

struct cap {
	struct daemon	*d;
	int		 port;		/* http */
};

static void
cap_fill(void *arg)
{
}

/* /metrics has the failures by code too; then lift the cap by a reload. */
static void
cap_release(void *arg)
{
	struct cap	*c = arg;
	char		*err, *m, *p;

	m = http_get(c->port, "/metrics");
	ck_assert_ptr_nonnull(p = strstr(m, "\ncallscore_db_errors_by_code_"
	    "total{code=\"FULL\"} "));
	p = strchr(p + 1, ' ');
	ck_assert_msg(atof(p) >= 2, "FULL errors%.20s", p);
	ck_assert_ptr_nonnull(strstr(m, "\ncallscore_db_errors_by_code_"
	    "total{code=\"BUSY\"} 0\n"));
	daemon_conf(c->d, "snapshot:\n  interval: 1\n  max_size: 0\n"
	    "http:\n  listen: 127.0.0.1:0\n");
	ck_assert_int_eq(client_reload(c->d, &err), 0);
	free(err);
}

/* snapshot.max_size: the same without root. */
START_TEST(test_db_size_cap)
{
	struct daemon	 d;
	struct cap	 c = { &d, 0 };
	char		 db[192];
	yajl_val	 st;

	daemon_new(&d, "snapshot:\n  interval: 1\n  max_size: 96k\n"
	    "http:\n  listen: 127.0.0.1:0\n");
	st = status(&d);
	c.port = atoi(strrchr(jstr(jget(st, "listen", "http", NULL)), ':') +
	    1);
	yajl_tree_free(st);
	snprintf(db, sizeof db, "%s/callscore.db", d.dir);
	disk_full_run(&d, "size cap", db, cap_fill, cap_release, &c);
	daemon_cleanup(&d);
}
END_TEST

/*
 * Another process holds the database's write lock: the loop never waits
 * for it (control round trips stay fast while the writer is blocked),
 * and the snapshot commits once the lock is released.
 */
START_TEST(test_db_locked)
{
	struct daemon	 d;
	sqlite3		*db;
	char		 path[192], *ans;
	double		 rtt[40], count;
	int		 fd, i, closed;

	daemon_new(&d, NULL);
	feed_queues(&d, 100, 0);
	snprintf(path, sizeof path, "%s/callscore.db", d.dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN EXCLUSIVE; INSERT INTO meta "
	    "(key, value) VALUES ('locked', 1)", NULL, NULL, NULL), SQLITE_OK);
	count = counter(&d, "snapshot", "count", NULL);

	/* Ask for a snapshot; its answer waits for the writer. */
	fd = connect_unix(d.ctl);
	ck_assert_int_eq(write(fd, "{\"v\":1,\"cmd\":\"snapshot\"}\n", 26),
	    26);
	for (i = 0; i < 40; i++) {
		rtt[i] = ctl_rtt_ms(&d);
		msleep(20);
	}
	ck_assert_double_eq(counter(&d, "snapshot", "count", NULL), count);
	ck_assert_int_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	ans = feed(fd, "", 0, 1, &closed);
	ck_assert_msg(strstr(ans, "\"ok\":true") != NULL, "got %s", ans);
	free(ans);
	close(fd);
	sqlite3_close(db);
	ck_assert_double_eq(counter(&d, "snapshot", "count", NULL),
	    count + 1);
	ck_assert_double_eq(counter(&d, "snapshot", "errors", NULL), 0);
	qsort(rtt, 40, sizeof rtt[0], cmp_double);
	fprintf(stderr, "db locked: control round trip median %.3f ms, p90 "
	    "%.3f ms, max %.3f ms\n", rtt[20], rtt[36], rtt[39]);
	ck_assert_msg(rtt[36] < CTL_RTT_MAX * time_factor,
	    "control round trip p90 %.3f ms",
	    rtt[36]);
	daemon_stop(&d);
	assert_integrity(path);
	daemon_cleanup(&d);
}
END_TEST

/* The page size of the database at path. */
static off_t
page_size(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	off_t		 size;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA page_size", -1,
	    &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	size = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	ck_assert_int_ge(size, 512);
	return (size);
}

/* The one path.corrupt-* beside path; its name (static buffer). */
static const char *
quarantined(const char *path)
{
	static char	 name[256];
	char		 pat[256];
	glob_t		 g;

	snprintf(pat, sizeof pat, "%s.corrupt-*", path);
	ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
	ck_assert_int_eq(g.gl_pathc, 1);
	snprintf(name, sizeof name, "%s", g.gl_pathv[0]);
	globfree(&g);
	return (name);
}

/* Start on the file as it is: quarantined, logged, fresh and working. */
static void
start_quarantined(struct daemon *d, const char *path, const char *why)
{
	yajl_val	 st;
	char		*log = NULL, aside[256];
	size_t		 cap = 0;
	ssize_t		 n;
	FILE		*f;
	int		 found = 0;

	daemon_start(d);
	snprintf(aside, sizeof aside, "%s", quarantined(path));
	st = status(d);
	ck_assert_str_eq(jstr(jget(st, "snapshot", "quarantined", NULL)),
	    aside);
	yajl_tree_free(st);
	ck_assert_ptr_nonnull(f = fopen(d->log, "r"));
	while ((n = getline(&log, &cap, f)) > 0) {
		if (strstr(log, why) != NULL && strstr(log, aside) != NULL)
			found++;
	}
	free(log);
	fclose(f);
	ck_assert_msg(found == 1, "no log line with \"%s\" and %s", why,
	    aside);
	/* A fresh database that takes snapshots. */
	st = client_json(d, "snapshot", NULL);
	ck_assert(YAJL_IS_TRUE(jget(st, "ok", NULL)));
	yajl_tree_free(st);
	daemon_stop(d);
	assert_integrity(path);
	ck_assert_int_eq(unlink(aside), 0);
	unlink(d->log);
}

/* A corrupt file, a foreign database, damaged pages: set aside. */
START_TEST(test_bad_database)
{
	struct daemon	 d;
	sqlite3		*db;
	char		 path[192], junk[8192];
	uint64_t	 seed = 0xdb;
	struct stat	 sb;
	size_t		 i;
	off_t		 page;
	int		 fd;
	yajl_val	 st;

	daemon_new(&d, NULL);
	st = status(&d);
	ck_assert(YAJL_IS_NULL(jget(st, "snapshot", "quarantined", NULL)));
	yajl_tree_free(st);
	daemon_stop(&d);
	snprintf(path, sizeof path, "%s/callscore.db", d.dir);

	/* Not a database at all. */
	for (i = 0; i < sizeof junk; i += 8) {
		uint64_t r = rnd(&seed);

		memcpy(junk + i, &r, 8);
	}
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_TRUNC), 0);
	ck_assert_int_eq(write(fd, junk, sizeof junk), sizeof junk);
	close(fd);
	start_quarantined(&d, path, "file is not a database");

	/* Another program's database. */
	unlink(path);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t (x);"
	    "INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	start_quarantined(&d, path, "not a callscore database");

	/* Ours, with pages overwritten. */
	daemon_start(&d);
	feed_queues(&d, 200, 0);
	daemon_stop(&d);
	page = page_size(path);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_gt(sb.st_size, 4 * page);
	ck_assert_int_ge(fd = open(path, O_WRONLY), 0);
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk, 2 * page),
	    sizeof junk);
	close(fd);
	start_quarantined(&d, path, "corrupt");
	daemon_cleanup(&d);
}
END_TEST

/*
 * Damage outside what a start reads (the history) is found by the
 * background check: reported in status and the log, while the daemon
 * starts at once on its saved windows and keeps serving.
 */
START_TEST(test_background_check)
{
	struct daemon	 d;
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	char		 path[192], junk[4096];
	const char	*check = "running";
	yajl_val	 st, r;
	off_t		 page;
	int		 fd, root = 0, i;

	daemon_new(&d, NULL);
	st = status(&d);
	for (i = 0; i < 500; i++) {
		check = jstr(jget(st, "snapshot", "check", NULL));
		if (strcmp(check, "running") != 0)
			break;
		yajl_tree_free(st);
		msleep(10);
		st = status(&d);
	}
	ck_assert_str_eq(check, "ok");
	ck_assert(YAJL_IS_NULL(jget(st, "snapshot", "check_error", NULL)));
	yajl_tree_free(st);
	feed_queues(&d, 200, 0);
	daemon_stop(&d);		/* the final snapshot writes history */

	snprintf(path, sizeof path, "%s/callscore.db", d.dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT rootpage FROM "
	    "sqlite_schema WHERE name = 'kpi_history'", -1, &stmt, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	root = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_gt(root, 1);
	page = page_size(path);
	memset(junk, 0x5a, sizeof junk);
	ck_assert_int_ge(fd = open(path, O_WRONLY), 0);
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk, (off_t)(root - 1) * page),
	    sizeof junk);
	close(fd);

	daemon_start(&d);
	st = status(&d);
	ck_assert(YAJL_IS_NULL(jget(st, "snapshot", "quarantined", NULL)));
	for (i = 0; i < 500; i++) {
		check = jstr(jget(st, "snapshot", "check", NULL));
		if (strcmp(check, "running") != 0)
			break;
		yajl_tree_free(st);
		msleep(10);
		st = status(&d);
	}
	ck_assert_str_eq(check, "failed");
	ck_assert_ptr_nonnull(strstr(jstr(jget(st, "snapshot", "check_error",
	    NULL)), "corrupt"));
	yajl_tree_free(st);
	/* The saved windows came back all the same. */
	r = client_json(&d, "kpi", "--window", "5m", NULL);
	ck_assert_double_eq(kpi(kpis_of(r), "offered"), 200);
	yajl_tree_free(r);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* One case per test, so CK_RUN_CASE=test_disk_full runs just that. */
static void
add(Suite *s, const char *name, const TTest *test)
{
	TCase	*tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

static Suite *
faults_suite(void)
{
	Suite	*s = suite_create("faults");

	add(s, "bad_input", test_bad_input);
	add(s, "slow_peers", test_slow_peers);
	add(s, "line_split", test_line_split);
	add(s, "unread_answers", test_unread_answers);
	add(s, "connection_flood", test_connection_flood);
	add(s, "fd_exhaustion", test_fd_exhaustion);
	add(s, "cardinality_flood", test_cardinality_flood);
	add(s, "clock_steps", test_clock_steps);
	add(s, "disk_full", test_disk_full);
	add(s, "db_size_cap", test_db_size_cap);
	add(s, "db_locked", test_db_locked);
	add(s, "bad_database", test_bad_database);
	add(s, "background_check", test_background_check);
	return (s);
}

int
main(void)
{
	SRunner		*sr = srunner_create(faults_suite());
	const char	*preload = getenv("LD_PRELOAD");
	int		 failed;

	if (SANITIZED)
		time_factor = 4;
	if (preload != NULL && strstr(preload, "vgpreload") != NULL)
		time_factor = 10;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed ? 1 : 0);
}
