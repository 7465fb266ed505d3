/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for notify.c.  The test plays the service manager: it binds an
 * AF_UNIX datagram socket (in a private directory, or in the abstract
 * namespace), points NOTIFY_SOCKET at it and reads what the daemon side
 * sends.  Watchdog tests run a real event loop for a few hundred
 * milliseconds with WATCHDOG_USEC=100000, so pings come every 50 ms.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "notify.h"

struct health {
	int		 ok;
	int		 calls;
	const char	*reason;
};

static char	 tmpdir[] = "/tmp/check_notify.XXXXXX";
static char	 sockpath[sizeof tmpdir + 16];

static void	 setup(void);
static void	 teardown(void);
static int	 bind_path(const char *);
static int	 bind_abstract(char *, size_t);
static ssize_t	 recv_msg(int, char *, size_t);
static void	 assert_msg(int, const char *);
static void	 assert_none(int);
static void	 run_ms(struct event_base *, int);
static int	 health_cb(void *, char *, size_t);
static uint64_t	 mono_usec(void);

static void
setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_notify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(sockpath, sizeof sockpath, "%s/notify", tmpdir);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void
teardown(void)
{
	unlink(sockpath);
	rmdir(tmpdir);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

/* The manager's end: a datagram socket bound at path. */
static int
bind_path(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	return (fd);
}

/* The same in the abstract namespace; name gets "@..." for the env. */
static int
bind_abstract(char *name, size_t size)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	size_t			 n;
	int			 fd;

	n = (size_t)snprintf(name, size, "@callscore-check-notify-%ld",
	    (long)getpid());
	ck_assert_uint_lt(n, size);
	fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name + 1, n - 1);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, len), 0);
	return (fd);
}

/* One datagram already queued, NUL-terminated; -1 if none. */
static ssize_t
recv_msg(int fd, char *buf, size_t size)
{
	ssize_t	 n;

	n = recv(fd, buf, size - 1, MSG_DONTWAIT);
	if (n >= 0)
		buf[n] = '\0';
	return (n);
}

static void
assert_msg(int fd, const char *want)
{
	char	 buf[2048];

	ck_assert_int_eq(recv_msg(fd, buf, sizeof buf), (ssize_t)strlen(want));
	ck_assert_str_eq(buf, want);
}

static void
assert_none(int fd)
{
	char	 buf[2048];

	ck_assert_int_eq(recv_msg(fd, buf, sizeof buf), -1);
	ck_assert_int_eq(errno, EAGAIN);
}

/* Run the loop for ms milliseconds of its own (monotonic) time. */
static void
run_ms(struct event_base *base, int ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	ck_assert_int_eq(event_base_loopexit(base, &tv), 0);
	ck_assert_int_eq(event_base_dispatch(base), 0);
}

static int
health_cb(void *arg, char *reason, size_t len)
{
	struct health	*h = arg;

	h->calls++;
	if (!h->ok)
		snprintf(reason, len, "%s", h->reason);
	return (h->ok);
}

static uint64_t
mono_usec(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

START_TEST(test_messages_path)
{
	struct notify		*n;
	char			 buf[256], *end;
	uint64_t		 before, after, v;
	int			 fd;

	fd = bind_path(sockpath);
	setenv("NOTIFY_SOCKET", sockpath, 1);
	n = notify_new(NULL, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 0);

	notify_ready(n);
	assert_msg(fd, "READY=1");
	notify_status(n, "%.1fk events/s, %d connections", 12.34, 4);
	assert_msg(fd, "STATUS=12.3k events/s, 4 connections");
	/* One line: newlines and other controls would split the message. */
	notify_status(n, "bad\nconfig:\r%s\tline", "x");
	assert_msg(fd, "STATUS=bad config: x line");

	before = mono_usec();
	notify_reloading(n);
	after = mono_usec();
	ck_assert_int_gt(recv_msg(fd, buf, sizeof buf), 0);
	ck_assert_int_eq(strncmp(buf, "RELOADING=1\nMONOTONIC_USEC=", 27), 0);
	v = strtoull(buf + 27, &end, 10);
	ck_assert_int_eq(*end, '\0');
	ck_assert_uint_ge(v, before);
	ck_assert_uint_le(v, after);
	notify_ready(n);
	assert_msg(fd, "READY=1");

	notify_stopping(n);
	assert_msg(fd, "STOPPING=1");
	assert_none(fd);
	ck_assert_uint_eq(notify_errors(n), 0);
	ck_assert_uint_eq(notify_watchdog_pings(n), 0);
	notify_free(n);
	close(fd);
}
END_TEST

START_TEST(test_messages_abstract)
{
	struct notify	*n;
	char		 name[64];
	int		 fd;

	fd = bind_abstract(name, sizeof name);
	setenv("NOTIFY_SOCKET", name, 1);
	n = notify_new(NULL, NULL, NULL);
	notify_ready(n);
	assert_msg(fd, "READY=1");
	notify_status(n, "ok");
	assert_msg(fd, "STATUS=ok");
	notify_stopping(n);
	assert_msg(fd, "STOPPING=1");
	assert_none(fd);
	ck_assert_uint_eq(notify_errors(n), 0);
	notify_free(n);
	close(fd);
}
END_TEST

START_TEST(test_watchdog_pings)
{
	struct event_base	*base;
	struct notify		*n;
	struct health		 h = { 1, 0, NULL };
	char			 buf[64];
	uint64_t		 got = 0;
	int			 fd;

	fd = bind_path(sockpath);
	setenv("NOTIFY_SOCKET", sockpath, 1);
	setenv("WATCHDOG_USEC", "100000", 1);
	base = event_base_new();
	n = notify_new(base, health_cb, &h);
	ck_assert_int_eq(notify_watchdog_enabled(n), 1);
	ck_assert_uint_eq(notify_watchdog_usec(n), 100000);

	/* 300 ms at one ping per 50 ms: about 6. */
	run_ms(base, 300);
	ck_assert_uint_ge(notify_watchdog_pings(n), 3);
	ck_assert_uint_le(notify_watchdog_pings(n), 7);
	ck_assert_int_eq(h.calls, (int)notify_watchdog_pings(n));
	while (recv_msg(fd, buf, sizeof buf) >= 0) {
		ck_assert_str_eq(buf, "WATCHDOG=1");
		got++;
	}
	ck_assert_uint_eq(got, notify_watchdog_pings(n));
	ck_assert_uint_eq(notify_errors(n), 0);
	notify_free(n);
	event_base_free(base);
	close(fd);
}
END_TEST

START_TEST(test_watchdog_withheld)
{
	struct event_base	*base;
	struct notify		*n;
	struct health		 h = { 0, 0, "writer busy 99 s\nin commit" };
	char			 buf[256];
	uint64_t		 pings;
	int			 fd, calls;

	fd = bind_path(sockpath);
	setenv("NOTIFY_SOCKET", sockpath, 1);
	setenv("WATCHDOG_USEC", "100000", 1);
	base = event_base_new();
	n = notify_new(base, health_cb, &h);

	/* Unhealthy: no ping, and the reason is said once, not per tick. */
	run_ms(base, 300);
	ck_assert_int_ge(h.calls, 3);
	ck_assert_uint_eq(notify_watchdog_pings(n), 0);
	assert_msg(fd, "STATUS=watchdog withheld: writer busy 99 s in commit");
	assert_none(fd);
	/* Later status lines keep the reason visible. */
	notify_status(n, "%d events/s", 7);
	assert_msg(fd, "STATUS=watchdog withheld: writer busy 99 s in commit;"
	    " 7 events/s");

	/* Healthy again: pings resume, no further status. */
	h.ok = 1;
	calls = h.calls;
	run_ms(base, 160);
	pings = notify_watchdog_pings(n);
	ck_assert_uint_ge(pings, 1);
	ck_assert_uint_eq(pings, (uint64_t)(h.calls - calls));
	while (pings-- > 0)
		assert_msg(fd, "WATCHDOG=1");
	assert_none(fd);
	notify_status(n, "fine");
	assert_msg(fd, "STATUS=fine");

	/* A new failure is a new state change: said once more. */
	h.ok = 0;
	h.reason = "";
	pings = notify_watchdog_pings(n);
	run_ms(base, 160);
	ck_assert_uint_eq(notify_watchdog_pings(n), pings);
	ck_assert_int_gt(recv_msg(fd, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "STATUS=watchdog withheld: health check failed");
	assert_none(fd);

	notify_free(n);
	event_base_free(base);
	close(fd);
}
END_TEST

START_TEST(test_watchdog_env)
{
	struct event_base	*base;
	struct notify		*n;
	char			 pid[32];
	int			 fd;

	fd = bind_path(sockpath);
	base = event_base_new();
	setenv("NOTIFY_SOCKET", sockpath, 1);
	setenv("WATCHDOG_USEC", "30000000", 1);

	/* Meant for another process (a parent whose env we inherited). */
	snprintf(pid, sizeof pid, "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	n = notify_new(base, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 0);
	ck_assert_uint_eq(notify_watchdog_usec(n), 0);
	notify_ready(n);	/* notifying still works */
	assert_msg(fd, "READY=1");
	notify_free(n);

	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	n = notify_new(base, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 1);
	ck_assert_uint_eq(notify_watchdog_usec(n), 30000000);
	notify_free(n);

	setenv("WATCHDOG_PID", "12x", 1);
	n = notify_new(base, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 0);
	notify_free(n);

	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "0", 1);
	n = notify_new(base, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 0);
	notify_free(n);
	setenv("WATCHDOG_USEC", "-5", 1);
	n = notify_new(base, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 0);
	notify_free(n);
	setenv("WATCHDOG_USEC", "99999999999999999999999", 1);
	n = notify_new(base, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 0);
	notify_free(n);

	/* No loop to run a timer on: no watchdog. */
	setenv("WATCHDOG_USEC", "100000", 1);
	n = notify_new(NULL, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 0);
	notify_free(n);

	assert_none(fd);
	event_base_free(base);
	close(fd);
}
END_TEST

START_TEST(test_no_socket)
{
	struct event_base	*base;
	struct notify		*n;
	char			 longpath[200];
	const char		*bad[] = { "", "notify.sock", "@", "/" , NULL };
	int			 i;

	base = event_base_new();
	setenv("WATCHDOG_USEC", "100000", 1);
	n = notify_new(base, NULL, NULL);
	ck_assert_int_eq(notify_watchdog_enabled(n), 0);
	notify_ready(n);
	notify_status(n, "x");
	notify_reloading(n);
	notify_stopping(n);
	ck_assert_uint_eq(notify_errors(n), 0);
	run_ms(base, 60);
	ck_assert_uint_eq(notify_watchdog_pings(n), 0);
	notify_free(n);

	/* Unusable addresses are ignored the same way. */
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	for (i = 0; bad[i] != NULL; i++) {
		setenv("NOTIFY_SOCKET", bad[i], 1);
		n = notify_new(base, NULL, NULL);
		ck_assert_int_eq(notify_watchdog_enabled(n), 0);
		notify_ready(n);
		ck_assert_uint_eq(notify_errors(n), 0);
		notify_free(n);
	}
	setenv("NOTIFY_SOCKET", longpath, 1);
	n = notify_new(base, NULL, NULL);
	notify_ready(n);
	ck_assert_uint_eq(notify_errors(n), 0);
	notify_free(n);

	notify_free(NULL);
	ck_assert_int_eq(notify_watchdog_enabled(NULL), 0);
	ck_assert_uint_eq(notify_watchdog_pings(NULL), 0);
	event_base_free(base);
}
END_TEST

START_TEST(test_send_errors)
{
	struct notify	*n;
	int		 fd;

	/* Nobody listening yet: counted, never fatal. */
	setenv("NOTIFY_SOCKET", sockpath, 1);
	n = notify_new(NULL, NULL, NULL);
	notify_ready(n);
	ck_assert_uint_eq(notify_errors(n), 1);
	notify_status(n, "x");
	ck_assert_uint_eq(notify_errors(n), 2);

	/* The manager came (back): the path is looked up at each send. */
	fd = bind_path(sockpath);
	notify_ready(n);
	ck_assert_uint_eq(notify_errors(n), 2);
	assert_msg(fd, "READY=1");
	notify_free(n);
	close(fd);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("notify");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_messages_path);
	tcase_add_test(tc, test_messages_abstract);
	tcase_add_test(tc, test_watchdog_pings);
	tcase_add_test(tc, test_watchdog_withheld);
	tcase_add_test(tc, test_watchdog_env);
	tcase_add_test(tc, test_no_socket);
	tcase_add_test(tc, test_send_errors);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(notify_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
