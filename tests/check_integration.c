/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Integration tests: the real callscored on a configuration in a fresh
 * temporary directory (sockets, database, port 0), fed over TCP, Unix and
 * UDP, and questioned with the real callscore --json.  The binaries come
 * from CALLSCORED and CALLSCORE (set by make check).  Each test starts its
 * own daemon; the daemon dies with the test process (PR_SET_PDEATHSIG).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "daemon.h"

/*
 * Four calls to queue "sales" (T = 20 s):
 *   c1 answered, wait 10, talk 100, hold 20, wrap 30, csat 5, fcr yes
 *   c2 answered, wait 30, talk 200, hold 0, wrap 10, csat 2, fcr no
 *   c3 abandoned, wait 40
 *   c4 abandoned, wait 2 (a short abandon)
 * Expected: offered 4, answered 2, abandoned 2, abandon_rate 1/3,
 * service_level 1/3 (1 in T of 4 - 1 short), asa 20, aht 180,
 * hold_rate 50, hold_avg 20, csat 50, fcr 50.
 */
static const char *sales_calls =
    "{\"type\":\"call\",\"call_id\":\"c1\",\"queue\":\"sales\","
    "\"agent\":\"a1\",\"team\":\"east\",\"outcome\":\"answered\","
    "\"wait\":10,\"talk\":100,\"hold\":20,\"wrap\":30,\"csat\":5,"
    "\"first_contact\":true}\n"
    "{\"type\":\"call\",\"call_id\":\"c2\",\"queue\":\"sales\","
    "\"agent\":\"a2\",\"team\":\"east\",\"outcome\":\"answered\","
    "\"wait\":30,\"talk\":200,\"hold\":0,\"wrap\":10,\"csat\":2,"
    "\"first_contact\":false}\n"
    "{\"type\":\"call\",\"call_id\":\"c3\",\"queue\":\"sales\","
    "\"outcome\":\"abandoned\",\"wait\":40}\n"
    "{\"type\":\"call\",\"call_id\":\"c4\",\"queue\":\"sales\","
    "\"outcome\":\"abandoned\",\"wait\":2}\n";

static void
check_sales(yajl_val k)
{
	ck_assert_double_eq(kpi(k, "offered"), 4);
	ck_assert_double_eq(kpi(k, "answered"), 2);
	ck_assert_double_eq(kpi(k, "abandoned"), 2);
	ck_assert_double_eq_tol(kpi(k, "abandon_rate"), 100.0 / 3, 1e-6);
	ck_assert_double_eq_tol(kpi(k, "service_level"), 100.0 / 3, 1e-6);
	ck_assert_double_eq_tol(kpi(k, "asa"), 20, 1e-9);
	ck_assert_double_eq_tol(kpi(k, "aht"), 180, 1e-9);
	ck_assert_double_eq_tol(kpi(k, "hold_rate"), 50, 1e-9);
	ck_assert_double_eq_tol(kpi(k, "hold_avg"), 20, 1e-9);
	ck_assert_double_eq_tol(kpi(k, "csat"), 50, 1e-9);
	ck_assert_double_eq_tol(kpi(k, "fcr"), 50, 1e-9);
	/* Percentiles from the sketch: within 1 % of the true value. */
	ck_assert_double_eq_tol(kpi(k, "talk_p50"), 100, 1.0);
	ck_assert_double_eq_tol(kpi(k, "wait_p99"), 40, 0.4);
}

START_TEST(test_tcp_events_and_kpis)
{
	struct daemon	 d;
	yajl_val	 r, st;
	char		*ans;
	int		 fd;

	daemon_new(&d, NULL);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, sales_calls, 4);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\n");

	/* Bad lines get precise errors; the connection stays usable. */
	ans = exchange(fd, "{\"type\":\"call\",\"call_id\":\"c5\","
	    "\"queue\":\"sales\",\"hold\":\"x\"}\n"
	    "not json\n"
	    "{\"type\":\"call\",\"call_id\":\"c6\"}\n", 3);
	ck_assert_msg(strncmp(ans, "error 5: field \"hold\": expected a "
	    "non-negative number\n", 52) == 0, "got %s", ans);
	ck_assert_ptr_nonnull(strstr(ans, "error 6: "));
	ck_assert_ptr_nonnull(strstr(ans, "error 7: missing field "
	    "\"queue\"\n"));
	ans = exchange(fd, "{\"type\":\"esat\",\"agent\":\"a1\","
	    "\"score\":4}\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	close(fd);

	r = client_json(&d, "kpi", "--queue", "sales", "--window", "5m",
	    NULL);
	ck_assert_str_eq(YAJL_GET_STRING(jget(r, "name", NULL)), "sales");
	check_sales(kpis_of(r));
	yajl_tree_free(r);

	/* The agent scope: a1 took c1, and gave an esat of 4. */
	r = client_json(&d, "kpi", "--agent", "a1", "--window", "1h", NULL);
	ck_assert_double_eq(kpi(kpis_of(r), "answered"), 1);
	ck_assert_double_eq_tol(kpi(kpis_of(r), "aht"), 150, 1e-9);
	ck_assert_double_eq_tol(kpi(kpis_of(r), "esat"), 100, 1e-9);
	yajl_tree_free(r);

	/* The team scope gets both agents' calls. */
	r = client_json(&d, "kpi", "--team", "east", NULL);
	ck_assert_double_eq(kpi(kpis_of(r), "answered"), 2);
	yajl_tree_free(r);

	/* Lists. */
	r = client_json(&d, "queues", NULL);
	ck_assert_int_eq(jget(r, "rows", NULL)->u.array.len, 1);
	yajl_tree_free(r);
	r = client_json(&d, "agents", "--window", "24h", NULL);
	ck_assert_int_eq(jget(r, "rows", NULL)->u.array.len, 2);
	yajl_tree_free(r);

	st = client_json(&d, "status", NULL);
	ck_assert_double_eq(jnum(jget(st, "events", "accepted", NULL)), 5);
	ck_assert_double_eq(jnum(jget(st, "events", "rejected", NULL)), 3);
	ck_assert_double_eq(jnum(jget(st, "events", "rejects", "type",
	    NULL)), 1);
	ck_assert_double_eq(jnum(jget(st, "events", "rejects", "syntax",
	    NULL)), 1);
	ck_assert_double_eq(jnum(jget(st, "events", "rejects", "missing",
	    NULL)), 1);
	ck_assert_double_eq(jnum(jget(st, "scopes", "queues", NULL)), 1);
	ck_assert_double_eq(jnum(jget(st, "scopes", "agents", NULL)), 2);
	ck_assert_double_eq(jnum(jget(st, "scopes", "teams", NULL)), 1);
	yajl_tree_free(st);

	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * Datagrams the kernel drops while the daemon cannot read are counted
 * (SO_RXQ_OVFL): with the daemon stopped and a small buffer, every one
 * sent is either received or counted as dropped.
 */
START_TEST(test_udp_kernel_drops)
{
	struct daemon		 d;
	struct sockaddr_in	 sin;
	yajl_val		 st;
	char			 dgram[1024];
	int			 fd, i, sent = 200;
	double			 got = 0, drops = 0, rcvbuf;

	daemon_new(&d, "listen:\n  tcp: 127.0.0.1:0\n  unix: events.sock\n"
	    "  udp: 127.0.0.1:0\n  udp_rcvbuf: 8k\n");
	st = client_json(&d, "status", NULL);
	rcvbuf = jnum(jget(st, "udp", "rcvbuf", NULL));
	ck_assert_double_ge(rcvbuf, 4096);
	ck_assert_double_le(rcvbuf, 65536);
	ck_assert_double_eq(jnum(jget(st, "udp", "drops", NULL)), 0);
	yajl_tree_free(st);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)d.udp_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(dgram, ' ', sizeof dgram);
	memcpy(dgram, "{\"type\":\"call\",\"call_id\":\"d\",\"queue\":\"q\","
	    "\"wait\":1}", 50);
	dgram[sizeof dgram - 1] = '\n';
	ck_assert_int_eq(kill(d.pid, SIGSTOP), 0);
	for (i = 0; i < sent; i++)
		ck_assert_int_eq(sendto(fd, dgram, sizeof dgram, 0,
		    (struct sockaddr *)&sin, sizeof sin), (ssize_t)sizeof dgram);
	close(fd);
	ck_assert_int_eq(kill(d.pid, SIGCONT), 0);
	/* The drop count rides on the next datagram received. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	for (i = 0; i < 500 && got + drops < sent + 1; i++) {
		if (i % 10 == 0)
			(void)sendto(fd, dgram, sizeof dgram, 0,
			    (struct sockaddr *)&sin, sizeof sin);
		msleep(10);
		st = client_json(&d, "status", NULL);
		got = jnum(jget(st, "udp", "datagrams", NULL));
		drops = jnum(jget(st, "udp", "drops", NULL));
		yajl_tree_free(st);
	}
	close(fd);
	ck_assert_double_gt(drops, 0);
	ck_assert_double_lt(got, sent);
	/* Every datagram of the burst was either received or dropped. */
	ck_assert_double_ge(got + drops, sent + 1);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

START_TEST(test_unix_and_udp)
{
	struct daemon		 d;
	struct sockaddr_in	 sin;
	yajl_val		 r, st;
	char			*ans;
	const char		*dgram;
	int			 fd, i;
	double			 n = 0;

	daemon_new(&d, NULL);
	fd = connect_unix(d.events);
	ans = exchange(fd, sales_calls, 4);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\n");
	close(fd);

	/* Two calls in one datagram, plus a bad line that is counted. */
	dgram = "{\"type\":\"call\",\"call_id\":\"u1\",\"queue\":\"vip\","
	    "\"agent\":\"a9\",\"wait\":15,\"talk\":60}\n"
	    "{\"type\":\"call\",\"call_id\":\"u2\",\"queue\":\"vip\","
	    "\"agent\":\"a9\",\"wait\":5,\"talk\":60}\n"
	    "{\"type\":\"bogus\"}";
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)d.udp_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(sendto(fd, dgram, strlen(dgram), 0,
	    (struct sockaddr *)&sin, sizeof sin), (ssize_t)strlen(dgram));
	close(fd);
	for (i = 0; i < 500; i++) {
		st = client_json(&d, "status", NULL);
		n = jnum(jget(st, "udp", "datagrams", NULL));
		if (n == 1) {
			ck_assert_double_eq(jnum(jget(st, "events", "accepted",
			    NULL)), 6);
			ck_assert_double_eq(jnum(jget(st, "events", "rejects",
			    "event_type", NULL)), 1);
		}
		yajl_tree_free(st);
		if (n == 1)
			break;
		msleep(10);
	}
	ck_assert_double_eq(n, 1);

	/* vip has T = 10 s: one of the two calls is within it. */
	r = client_json(&d, "kpi", "--queue", "vip", "--window", "5m", NULL);
	ck_assert_double_eq(kpi(kpis_of(r), "answered"), 2);
	ck_assert_double_eq_tol(kpi(kpis_of(r), "service_level"), 50, 1e-9);
	yajl_tree_free(r);
	r = client_json(&d, "kpi", "--queue", "sales", "--window", "5m",
	    NULL);
	check_sales(kpis_of(r));
	yajl_tree_free(r);
	r = client_json(&d, "kpi", NULL);	/* global, every window */
	ck_assert_int_eq(jget(r, "windows", NULL)->u.array.len, 5);
	ck_assert_double_eq(kpi(kpis_of(r), "offered"), 6);
	yajl_tree_free(r);

	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

START_TEST(test_restart_keeps_windows)
{
	struct daemon	 d;
	yajl_val	 r;
	char		 line[512], *ans;
	int		 fd;
	double		 t = now();

	daemon_new(&d, NULL);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, sales_calls, 4);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\n");
	/* An event two hours old: in the 24h window, not in the 1h one. */
	snprintf(line, sizeof line, "{\"type\":\"call\",\"call_id\":\"old\","
	    "\"queue\":\"sales\",\"agent\":\"a1\",\"wait\":5,\"talk\":50,"
	    "\"ts\":%.3f}\n", t - 7200);
	ans = exchange(fd, line, 1);
	ck_assert_str_eq(ans, "ok\n");
	close(fd);

	r = client_json(&d, "snapshot", NULL);
	ck_assert(YAJL_IS_TRUE(jget(r, "ok", NULL)));
	ck_assert_double_gt(jnum(jget(r, "snapshot", "rows", NULL)), 0);
	yajl_tree_free(r);
	daemon_stop(&d);

	/* Same directory, same database: the windows carry on. */
	daemon_start(&d);
	r = client_json(&d, "kpi", "--queue", "sales", "--window", "5m",
	    NULL);
	check_sales(kpis_of(r));
	yajl_tree_free(r);
	r = client_json(&d, "kpi", "--queue", "sales", "--window", "24h",
	    NULL);
	ck_assert_double_eq(kpi(kpis_of(r), "offered"), 5);
	ck_assert_double_eq(kpi(kpis_of(r), "answered"), 3);
	yajl_tree_free(r);
	r = client_json(&d, "kpi", "--queue", "sales", "--window", "1h",
	    NULL);
	ck_assert_double_eq(kpi(kpis_of(r), "offered"), 4);
	yajl_tree_free(r);

	/* SIGTERM alone (no snapshot command) also saves. */
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, "{\"type\":\"call\",\"call_id\":\"late\","
	    "\"queue\":\"sales\",\"outcome\":\"timeout\",\"wait\":300}\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	close(fd);
	daemon_stop(&d);
	daemon_start(&d);
	r = client_json(&d, "kpi", "--queue", "sales", "--window", "5m",
	    NULL);
	ck_assert_double_eq(kpi(kpis_of(r), "offered"), 5);
	yajl_tree_free(r);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * A good file is applied live without losing state; a bad one (or one
 * that changes what needs a restart) is refused and the old one stays.
 */
START_TEST(test_reload)
{
	struct daemon	 d;
	yajl_val	 r;
	char		*err, *ans;
	int		 fd, i;

	daemon_new(&d, NULL);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, sales_calls, 4);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\n");

	daemon_conf(&d, "limits:\n  max_agents: 3\n");
	ck_assert_int_eq(client_reload(&d, &err), 0);
	free(err);
	/* a1 and a2 exist; one more fits, the next does not. */
	ans = exchange(fd, "{\"type\":\"esat\",\"agent\":\"a3\","
	    "\"score\":5}\n{\"type\":\"esat\",\"agent\":\"a4\","
	    "\"score\":5}\n", 2);
	ck_assert_str_eq(ans, "ok\nerror 6: too many agents: limit of 3 "
	    "reached\n");

	/* A bad file: refused with its position, old limits stay. */
	daemon_conf(&d, "limits:\n  max_agents: lots\n");
	ck_assert_int_eq(client_reload(&d, &err), 1);
	ck_assert_msg(strstr(err, "callscored.yaml:20:15: limits.max_agents")
	    != NULL, "got %s", err);
	free(err);
	ans = exchange(fd, "{\"type\":\"esat\",\"agent\":\"a5\","
	    "\"score\":5}\n", 1);
	ck_assert_str_eq(ans, "error 7: too many agents: limit of 3 "
	    "reached\n");

	/* What needs a restart is refused too. */
	daemon_conf(&d, "windows: [5m, 2h]\n");
	ck_assert_int_eq(client_reload(&d, &err), 1);
	ck_assert_msg(strstr(err, "windows") != NULL, "got %s", err);
	free(err);
	ck_assert_double_eq(status_num(&d, "reload", "failed"), 2);
	ck_assert_double_eq(status_num(&d, "reload", "ok"), 1);

	/* SIGHUP does the same, asynchronously. */
	daemon_conf(&d, "limits:\n  max_agents: 10\n");
	kill(d.pid, SIGHUP);
	for (i = 0; i < 500 && status_num(&d, "reload", "ok") < 2; i++)
		msleep(10);
	ck_assert_double_eq(status_num(&d, "reload", "ok"), 2);
	ans = exchange(fd, "{\"type\":\"esat\",\"agent\":\"a5\","
	    "\"score\":5}\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	close(fd);

	/* The windows kept their state through all of it. */
	r = client_json(&d, "kpi", "--queue", "sales", "--window", "5m",
	    NULL);
	check_sales(kpis_of(r));
	yajl_tree_free(r);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* "#acks errors" answers only errors; "#acks none" nothing at all. */
START_TEST(test_ack_modes)
{
	struct daemon	 d;
	char		*ans;
	int		 fd;

	daemon_new(&d, NULL);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, "#acks errors\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	ans = exchange(fd, "{\"type\":\"esat\",\"agent\":\"a1\","
	    "\"score\":5}\n{\"type\":\"esat\",\"agent\":\"a1\"}\n", 1);
	ck_assert_str_eq(ans, "error 3: missing field \"score\"\n");
	ans = exchange(fd, "#acks none\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	ans = exchange(fd, "{\"type\":\"esat\",\"agent\":\"a1\"}\n"
	    "#acks all\n", 1);
	ck_assert_str_eq(ans, "ok\n");		/* the directive's answer */
	ans = exchange(fd, "#acks sometimes\n", 1);
	ck_assert_str_eq(ans, "error 7: unknown directive (expected \"#acks "
	    "all\", \"#acks errors\", \"#acks none\" or \"#acks "
	    "durable\")\n");
	close(fd);
	ck_assert_double_eq(status_num(&d, "events", "accepted"), 1);
	ck_assert_double_eq(status_num(&d, "events", "rejected"), 3);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* Lifecycle events drive the live view: waiting, on hold, agents. */
START_TEST(test_live_state)
{
	struct daemon	 d;
	yajl_val	 r, q, a;
	char		 lines[2048], *ans;
	double		 t = now();
	int		 fd;

	daemon_new(&d, NULL);
	snprintf(lines, sizeof lines,
	    "{\"type\":\"agent\",\"agent\":\"a1\",\"team\":\"east\","
	    "\"state\":\"ready\"}\n"
	    "{\"type\":\"agent\",\"agent\":\"a2\",\"state\":\"ready\"}\n"
	    "{\"type\":\"call.queued\",\"call_id\":\"k1\",\"queue\":\"sales\","
	    "\"ts\":%.3f}\n"
	    "{\"type\":\"call.queued\",\"call_id\":\"k2\",\"queue\":\"sales\","
	    "\"ts\":%.3f}\n"
	    "{\"type\":\"call.queued\",\"call_id\":\"k3\",\"queue\":\"sales\","
	    "\"ts\":%.3f}\n"
	    "{\"type\":\"call.answered\",\"call_id\":\"k1\",\"agent\":\"a1\"}\n"
	    "{\"type\":\"call.hold\",\"call_id\":\"k1\"}\n"
	    "{\"type\":\"call.hold\",\"call_id\":\"nosuch\"}\n",
	    t - 100, t - 40, t - 10);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, lines, 8);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\nok\nok\nok\nok\n");
	close(fd);

	r = ctl_raw(&d, "{\"v\":1,\"cmd\":\"live\"}\n");
	ck_assert_double_eq(jnum(jget(r, "totals", "waiting", NULL)), 2);
	ck_assert_double_eq(jnum(jget(r, "totals", "on_hold", NULL)), 1);
	ck_assert_double_eq(jnum(jget(r, "totals", "agents_busy", NULL)), 1);
	ck_assert_double_eq(jnum(jget(r, "totals", "agents_ready", NULL)), 1);
	ck_assert_double_eq(jnum(jget(r, "totals", "lost", NULL)), 1);
	/* The oldest waiting call is k2, queued 40 s ago. */
	ck_assert_double_eq_tol(jnum(jget(r, "totals", "longest_wait", NULL)),
	    40, 2);
	q = jget(r, "queues", NULL);
	ck_assert_int_eq(q->u.array.len, 1);
	ck_assert_double_eq(jnum(jget(q->u.array.values[0], "waiting",
	    NULL)), 2);
	a = jget(r, "agents", NULL);
	ck_assert_int_eq(a->u.array.len, 2);
	ck_assert_str_eq(YAJL_GET_STRING(jget(a->u.array.values[0], "state",
	    NULL)), "busy");
	ck_assert_str_eq(YAJL_GET_STRING(jget(a->u.array.values[0], "team",
	    NULL)), "east");
	yajl_tree_free(r);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * Repeat contacts and occupancy end to end.  Customer +491 calls sales
 * twice, 2 min apart, both answered (r1 by a1, r2 by a2): of the 2
 * answered calls naming a customer, r1 was followed by another call
 * within kpi.repeat_window (24 h), so repeat_rate = 1/2 = 50 % and
 * fcr_repeat = 50 %, credited to a1 (100 %), not a2 (0 %).  +492's
 * abandoned call counts in neither.  Agent o1 is ready 40 s, busy 40 s
 * on call o-1, then not ready: occupancy = 40 / (40 + 40) = 50 %.  All
 * lines go in one write, so no 1 s flush falls between them.  The values
 * survive a restart (ring blob version 2).
 */
START_TEST(test_repeat_and_occupancy)
{
	struct daemon	 d;
	yajl_val	 r, k;
	char		 lines[2048], *ans;
	double		 t = now();
	int		 fd, pass;

	daemon_new(&d, NULL);
	snprintf(lines, sizeof lines,
	    "{\"type\":\"call\",\"call_id\":\"r1\",\"queue\":\"sales\","
	    "\"agent\":\"a1\",\"customer\":\"+491\",\"outcome\":\"answered\","
	    "\"wait\":5,\"talk\":60,\"ts\":%.3f}\n"
	    "{\"type\":\"call\",\"call_id\":\"r2\",\"queue\":\"sales\","
	    "\"agent\":\"a2\",\"customer\":\"+491\",\"outcome\":\"answered\","
	    "\"wait\":5,\"talk\":60,\"ts\":%.3f}\n"
	    "{\"type\":\"call\",\"call_id\":\"r3\",\"queue\":\"sales\","
	    "\"customer\":\"+492\",\"outcome\":\"abandoned\",\"wait\":30,"
	    "\"ts\":%.3f}\n"
	    "{\"type\":\"agent\",\"agent\":\"o1\",\"team\":\"ops\","
	    "\"state\":\"ready\",\"ts\":%.3f}\n"
	    "{\"type\":\"call.answered\",\"call_id\":\"o-1\",\"agent\":\"o1\","
	    "\"ts\":%.3f}\n"
	    "{\"type\":\"call.ended\",\"call_id\":\"o-1\",\"ts\":%.3f}\n"
	    "{\"type\":\"agent\",\"agent\":\"o1\",\"state\":\"not_ready\","
	    "\"reason\":\"lunch\",\"ts\":%.3f}\n",
	    t - 180, t - 60, t - 50, t - 100, t - 60, t - 20, t - 20);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, lines, 7);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\nok\nok\nok\n");
	close(fd);

	for (pass = 0; pass < 2; pass++) {
		r = client_json(&d, "kpi", "--queue", "sales", "--window",
		    "5m", NULL);
		k = kpis_of(r);
		ck_assert_double_eq(kpi(k, "answered"), 2);
		ck_assert_double_eq_tol(kpi(k, "repeat_rate"), 50, 1e-9);
		ck_assert_double_eq_tol(kpi(k, "fcr_repeat"), 50, 1e-9);
		ck_assert(isnan(kpi(k, "occupancy")));	/* no queue's */
		yajl_tree_free(r);
		r = client_json(&d, "kpi", "--agent", "a1", NULL);
		ck_assert_double_eq_tol(kpi(kpis_of(r), "repeat_rate"), 100,
		    1e-9);
		yajl_tree_free(r);
		r = client_json(&d, "kpi", "--agent", "a2", NULL);
		ck_assert_double_eq(kpi(kpis_of(r), "repeat_rate"), 0);
		yajl_tree_free(r);

		r = client_json(&d, "kpi", "--agent", "o1", "--window", "5m",
		    NULL);
		ck_assert_double_eq_tol(kpi(kpis_of(r), "occupancy"), 50,
		    1e-6);
		yajl_tree_free(r);
		r = client_json(&d, "kpi", "--team", "ops", NULL);
		ck_assert_double_eq_tol(kpi(kpis_of(r), "occupancy"), 50,
		    1e-6);
		yajl_tree_free(r);
		r = client_json(&d, "kpi", NULL);	/* global */
		k = kpis_of(r);
		ck_assert_double_eq_tol(kpi(k, "occupancy"), 50, 1e-6);
		ck_assert_double_eq_tol(kpi(k, "repeat_rate"), 50, 1e-9);
		yajl_tree_free(r);

		/* SIGTERM saves; the next start restores the same values. */
		daemon_stop(&d);
		if (pass == 0)
			daemon_start(&d);
	}
	daemon_cleanup(&d);
}
END_TEST

/* Find a KPI's entry in a scorecard reply. */
static yajl_val
scorecard_kpi(yajl_val r, const char *id)
{
	yajl_val	pers = jget(r, "perspectives", NULL), kpis, k;
	size_t		i, j;

	for (i = 0; i < pers->u.array.len; i++) {
		kpis = jget(pers->u.array.values[i], "kpis", NULL);
		for (j = 0; j < kpis->u.array.len; j++) {
			k = kpis->u.array.values[j];
			if (strcmp(jstr(jget(k, "id", NULL)), id) == 0)
				return (k);
		}
	}
	ck_abort_msg("no KPI %s in the scorecard", id);
	return (NULL);
}

/*
 * The scorecard of queue sales against the shipped targets (see
 * sales_calls): customer 2 green of 6 scored = 33.3, process 2 of 3 =
 * 66.7, overall (40 * 33.3 + 30 * 66.7) / 70 = 47.6.  History comes
 * from the snapshot written just before.
 */
START_TEST(test_scorecard_and_history)
{
	struct daemon	 d;
	yajl_val	 r, k, pers, h, pts;
	char		*ans;
	int		 fd;

	daemon_new(&d, "queues:\n  vip:\n    service_level_threshold: 10\n"
	    "    targets:\n      asa: { target: 10, amber: 15 }\n");
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, sales_calls, 4);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\n");
	close(fd);
	r = client_json(&d, "snapshot", NULL);
	yajl_tree_free(r);

	r = client_json(&d, "scorecard", "--queue", "sales", "--window", "5m",
	    NULL);
	ck_assert_str_eq(jstr(jget(r, "window", NULL)), "5m");
	pers = jget(r, "perspectives", NULL);
	ck_assert_int_eq(pers->u.array.len, 4);
	ck_assert_str_eq(jstr(jget(pers->u.array.values[0], "id", NULL)),
	    "customer");
	ck_assert_double_eq_tol(jnum(jget(pers->u.array.values[0], "score",
	    NULL)), 100.0 / 3, 1e-6);
	ck_assert_double_eq_tol(jnum(jget(pers->u.array.values[1], "score",
	    NULL)), 200.0 / 3, 1e-6);
	ck_assert(isnan(jnum(jget(pers->u.array.values[2], "score", NULL))));
	ck_assert_double_eq_tol(jnum(jget(r, "overall", NULL)),
	    (40 * 100.0 / 3 + 30 * 200.0 / 3) / 70, 1e-6);

	k = scorecard_kpi(r, "service_level");
	ck_assert_str_eq(jstr(jget(k, "status", NULL)), "red");
	ck_assert_double_eq(jnum(jget(k, "target", NULL)), 80);
	ck_assert_str_eq(jstr(jget(k, "direction", NULL)), "higher");
	k = scorecard_kpi(r, "asa");
	ck_assert_str_eq(jstr(jget(k, "status", NULL)), "green");
	ck_assert_double_eq(jnum(jget(k, "value", NULL)), 20);
	/* No snapshot five minutes old yet: no previous value. */
	ck_assert(isnan(jnum(jget(k, "previous", NULL))));
	h = jget(k, "history", NULL);
	ck_assert_int_eq(h->u.array.len, 24);
	ck_assert_double_eq(jnum(h->u.array.values[23]), 20);
	k = scorecard_kpi(r, "nps");
	ck_assert_str_eq(jstr(jget(k, "status", NULL)), "none");
	yajl_tree_free(r);

	/* vip's own target for asa: 15 s is amber there, green elsewhere. */
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, "{\"type\":\"call\",\"call_id\":\"v1\","
	    "\"queue\":\"vip\",\"agent\":\"a1\",\"wait\":15,"
	    "\"talk\":60}\n", 1);
	ck_assert_str_eq(ans, "ok\n");
	close(fd);
	r = client_json(&d, "scorecard", "--queue", "vip", NULL);
	ck_assert_str_eq(jstr(jget(scorecard_kpi(r, "asa"), "status", NULL)),
	    "amber");
	yajl_tree_free(r);
	r = client_json(&d, "scorecard", NULL);		/* global */
	ck_assert_str_eq(jstr(jget(scorecard_kpi(r, "asa"), "status", NULL)),
	    "green");
	yajl_tree_free(r);

	/* The stored series: one snapshot so far. */
	r = client_json(&d, "history", "aht", "--queue", "sales", "--window",
	    "5m", "--since", "1h", NULL);
	pts = jget(r, "points", NULL);
	ck_assert_int_eq(pts->u.array.len, 1);
	ck_assert_double_eq(jnum(pts->u.array.values[0]->u.array.values[1]),
	    180);
	yajl_tree_free(r);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* Every KPI of two kpi replies' first windows is the same (or both null). */
static void
same_kpis(yajl_val a, yajl_val b)
{
	yajl_val	ka = kpis_of(a), kb = kpis_of(b);
	size_t		i;
	double		x, y;

	ck_assert(YAJL_IS_OBJECT(ka) && YAJL_IS_OBJECT(kb));
	ck_assert_uint_eq(ka->u.object.len, kb->u.object.len);
	for (i = 0; i < ka->u.object.len; i++) {
		x = kpi(ka, ka->u.object.keys[i]);
		y = kpi(kb, ka->u.object.keys[i]);
		ck_assert_msg((isnan(x) && isnan(y)) || x == y,
		    "%s: %g != %g", ka->u.object.keys[i], x, y);
	}
}

/* The offered calls of a report's rows, and whether the last is open. */
static double
report_offered(yajl_val r, int *last_open)
{
	yajl_val	rows = jget(r, "rows", NULL), row;
	double		n = 0;
	size_t		i;

	ck_assert(rows != NULL && YAJL_IS_ARRAY(rows));
	*last_open = 0;
	for (i = 0; i < rows->u.array.len; i++) {
		row = rows->u.array.values[i];
		n += kpi(jget(row, "kpis", NULL), "offered");
		*last_open = YAJL_IS_TRUE(jget(row, "open", NULL));
		ck_assert_msg(*last_open == 0 || i + 1 == rows->u.array.len,
		    "only the last row may be open");
	}
	return (n);
}

/*
 * Calendar windows and the interval report in UTC.  A test that runs
 * across midnight UTC (or an interval's end) between sending and asking
 * checks less, rather than fail.
 */
START_TEST(test_calendar_report)
{
	struct daemon	 d;
	yajl_val	 r, r24, w;
	struct tm	 tm;
	time_t		 t;
	char		*out, *err, line[256], date[16], *argv[10];
	char		*ans;
	double		 t0, t1;
	int		 fd, open, rc;

	daemon_new(&d, "calendar:\n  timezone: UTC\n  interval: 15m\n");
	t0 = now();
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, sales_calls, 4);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\n");
	close(fd);

	/* status and kpi know today and interval, after the rolling ones. */
	r = client_json(&d, "status", NULL);
	w = jget(r, "windows", NULL);
	ck_assert_int_eq(w->u.array.len, 5);
	ck_assert_str_eq(YAJL_GET_STRING(w->u.array.values[3]), "today");
	ck_assert_str_eq(YAJL_GET_STRING(w->u.array.values[4]), "interval");
	yajl_tree_free(r);
	r = client_json(&d, "kpi", "--queue", "sales", NULL);
	ck_assert_int_eq(jget(r, "windows", NULL)->u.array.len, 5);
	yajl_tree_free(r);

	/* A fresh daemon: today is the last 24 hours. */
	r = client_json(&d, "kpi", "--queue", "sales", "--window", "today",
	    NULL);
	r24 = client_json(&d, "kpi", "--queue", "sales", "--window", "24h",
	    NULL);
	t1 = now();
	w = jget(r, "windows", NULL);
	ck_assert_str_eq(jstr(jget(w->u.array.values[0], "window", NULL)),
	    "today");
	if ((long)(t0 / 86400) == (long)(t1 / 86400)) {
		check_sales(kpis_of(r));
		same_kpis(r, r24);
	}
	yajl_tree_free(r);
	yajl_tree_free(r24);
	r = client_json(&d, "kpi", "--queue", "sales", "--window", "interval",
	    NULL);
	if ((long)(t0 / 900) == (long)(now() / 900))
		check_sales(kpis_of(r));
	yajl_tree_free(r);

	/* Today's report: the calls, the current interval open, a total. */
	r = client_json(&d, "report", "--queue", "sales", NULL);
	ck_assert_str_eq(jstr(jget(r, "timezone", NULL)), "UTC");
	ck_assert_double_eq(jnum(jget(r, "interval", NULL)), 900);
	if ((long)(t0 / 86400) == (long)(now() / 86400)) {
		ck_assert_double_eq(report_offered(r, &open), 4);
		ck_assert_int_eq(open, 1);
		ck_assert_double_eq(kpi(jget(r, "total", "kpis", NULL),
		    "offered"), 4);
	}
	yajl_tree_free(r);

	/* An hour ago: a closed interval of today, or of yesterday. */
	t = (time_t)now() - 3600;
	snprintf(line, sizeof line, "{\"type\":\"call\",\"call_id\":\"old\","
	    "\"queue\":\"sales\",\"outcome\":\"abandoned\",\"wait\":40,"
	    "\"ts\":%lld}\n", (long long)t);
	fd = connect_tcp(d.tcp_port);
	ck_assert_str_eq(exchange(fd, line, 1), "ok\n");
	close(fd);
	r = client_json(&d, "snapshot", NULL);
	yajl_tree_free(r);
	t -= t % 900;			/* its interval's start */
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	r = client_json(&d, "report", "--queue", "sales", "--date", date,
	    NULL);
	ck_assert_str_eq(jstr(jget(r, "date", NULL)), date);
	w = jget(r, "rows", NULL);
	ck_assert_int_ge(w->u.array.len, 1);
	/* Its row: closed, one call offered, labelled in UTC. */
	w = w->u.array.values[w->u.array.len - ((long)(t / 86400) ==
	    (long)(now() / 86400) ? 2 : 1)];
	ck_assert(YAJL_IS_FALSE(jget(w, "open", NULL)));
	ck_assert_double_eq(jnum(jget(w, "start", NULL)), (double)t);
	ck_assert_double_eq(kpi(jget(w, "kpis", NULL), "offered"), 1);
	strftime(line, sizeof line, "%H:%M", &tm);
	ck_assert_str_eq(jstr(jget(w, "label", NULL)), line);
	yajl_tree_free(r);

	/* The snapshot stored today and interval history. */
	r = client_json(&d, "history", "offered", "--queue", "sales",
	    "--window", "today", NULL);
	ck_assert_int_eq(jget(r, "points", NULL)->u.array.len, 1);
	yajl_tree_free(r);
	r = client_json(&d, "scorecard", "--queue", "sales", "--window",
	    "interval", NULL);
	ck_assert_str_eq(jstr(jget(r, "window", NULL)), "interval");
	yajl_tree_free(r);

	/* A day to come has nothing; a bad date is refused. */
	r = client_json(&d, "report", "--date", "2999-01-01", NULL);
	ck_assert_int_eq(jget(r, "rows", NULL)->u.array.len, 0);
	ck_assert_ptr_null(jget(r, "total", NULL));
	yajl_tree_free(r);
	argv[0] = (char *)bin("CALLSCORE", "src/callscore");
	argv[1] = (char *)"--socket";
	argv[2] = d.ctl;
	argv[3] = (char *)"report";
	argv[4] = (char *)"--date";
	argv[5] = (char *)"2026-02-30";
	argv[6] = NULL;
	rc = run(&out, &err, argv);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(err, "bad date \"2026-02-30\"") != NULL, "got %s",
	    err);
	free(out);
	free(err);
	argv[3] = (char *)"kpi";
	argv[4] = (char *)"--window";
	argv[5] = (char *)"calendar";
	rc = run(&out, &err, argv);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(err, "unknown window \"calendar\" (5m, 1h, 24h, "
	    "today, interval)") != NULL, "got %s", err);
	free(out);
	free(err);

	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* callscore top under tmux: frames drawn, keys handled, terminal restored. */
START_TEST(test_top_under_tmux)
{
	struct daemon	 d;
	char		 script[512], *out, *err;
	const char	*src = getenv("CALLSCORE_SRCDIR");
	char		*argv[] = { (char *)"/bin/sh", script, d.ctl, NULL };
	int		 rc;

	snprintf(script, sizeof script, "%s/tests/top.sh",
	    src != NULL ? src : ".");
	daemon_new(&d, NULL);
	argv[2] = d.ctl;
	rc = run(&out, &err, argv);
	if (rc == 77)
		fprintf(stderr, "top: skipped (no tmux): %s\n", err);
	else
		ck_assert_msg(rc == 0, "top.sh exited %d:\n%s\n%s", rc, out,
		    err);
	free(out);
	free(err);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/* /metrics counts what was accepted, per queue; /healthz answers. */
START_TEST(test_metrics_endpoint)
{
	struct daemon	 d;
	yajl_val	 st;
	char		*ans, *body;
	const char	*a;
	int		 fd, port;

	daemon_new(&d, "http:\n  listen: 127.0.0.1:0\n");
	st = client_json(&d, "status", NULL);
	a = jstr(jget(st, "listen", "http", NULL));
	port = atoi(strrchr(a, ':') + 1);
	yajl_tree_free(st);
	fd = connect_tcp(d.tcp_port);
	ans = exchange(fd, sales_calls, 4);
	ck_assert_str_eq(ans, "ok\nok\nok\nok\n");
	close(fd);

	body = http_get(port, "/metrics");
	ck_assert_msg(strncmp(body, "HTTP/1.1 200", 12) == 0 ||
	    strncmp(body, "HTTP/1.0 200", 12) == 0, "got %.40s", body);
	ck_assert_ptr_nonnull(strstr(body, "text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(body,
	    "\ncallscore_calls_offered_total{queue=\"sales\"} 4\n"));
	ck_assert_ptr_nonnull(strstr(body,
	    "\ncallscore_calls_answered_total{queue=\"sales\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(body,
	    "\ncallscore_wait_seconds_bucket{queue=\"sales\",le=\"20\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(body,
	    "\ncallscore_events_accepted_total 4\n"));
	ck_assert_ptr_nonnull(strstr(body,
	    "\ncallscore_calls_waiting{queue=\"sales\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(body,
	    "\ncallscore_agents{state=\"ready\"} 0\n"));
	/* Where Debian's prometheus package is installed, promtool agrees. */
	if (access("/usr/bin/promtool", X_OK) == 0) {
		char	 path[128], *out, *err;
		char	*argv[] = { (char *)"/bin/sh", (char *)"-c",
		    (char *)"promtool check metrics < \"$0\"", path, NULL };
		FILE	*f;

		snprintf(path, sizeof path, "%s/metrics.txt", d.dir);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(strstr(body, "\r\n\r\n") + 4, f);
		fclose(f);
		ck_assert_msg(run(&out, &err, argv) == 0, "promtool: %s%s", out,
		    err);
		free(out);
		free(err);
	}
	body = http_get(port, "/healthz");
	ck_assert_ptr_nonnull(strstr(body, " 200 "));
	body = http_get(port, "/nope");
	ck_assert_ptr_nonnull(strstr(body, " 404 "));
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

/*
 * Under systemd: READY=1 once listening, STATUS= lines, watchdog pings
 * at half WATCHDOG_USEC, STOPPING=1 at exit; log lines carry syslog
 * priorities for journald.
 */
START_TEST(test_systemd_notify)
{
	struct daemon		 d;
	struct sockaddr_un	 sun;
	char			 env1[160], buf[512], *log = NULL;
	int			 fd, ready = 0, status = 0, pings = 0;
	int			 stopping = 0, i;
	ssize_t			 n;
	struct pollfd		 pfd;
	FILE			*f;
	size_t			 cap = 0;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "/tmp/cs-notify.%d",
	    (int)getpid());
	unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	snprintf(env1, sizeof env1, "NOTIFY_SOCKET=%s", sun.sun_path);
	daemon_env[0] = env1;
	daemon_env[1] = "WATCHDOG_USEC=200000";
	daemon_env[2] = "JOURNAL_STREAM=8:12345";
	daemon_env[3] = NULL;
	daemon_new(&d, NULL);

	/* Ready before the control socket answered; pings every 100 ms. */
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (i = 0; i < 200 && pings < 3; i++) {
		if (poll(&pfd, 1, 1000) != 1)
			break;
		n = recv(fd, buf, sizeof buf - 1, 0);
		ck_assert_int_gt(n, 0);
		buf[n] = '\0';
		if (strcmp(buf, "READY=1") == 0)
			ready++;
		else if (strncmp(buf, "STATUS=", 7) == 0)
			status++;
		else if (strcmp(buf, "WATCHDOG=1") == 0) {
			ck_assert_int_eq(ready, 1);
			pings++;
		}
	}
	ck_assert_int_eq(ready, 1);
	ck_assert_int_ge(status, 1);
	ck_assert_int_eq(pings, 3);

	daemon_stop(&d);
	while (poll(&pfd, 1, 0) == 1 && (n = recv(fd, buf, sizeof buf - 1,
	    0)) > 0) {
		buf[n] = '\0';
		if (strcmp(buf, "STOPPING=1") == 0)
			stopping++;
	}
	ck_assert_int_eq(stopping, 1);
	close(fd);
	unlink(sun.sun_path);
	daemon_env[0] = NULL;

	/* "<6>" is info: journald keeps each line's level. */
	ck_assert_ptr_nonnull(f = fopen(d.log, "r"));
	ck_assert_int_gt(getline(&log, &cap, f), 0);
	ck_assert_msg(strncmp(log, "<6>", 3) == 0, "got %s", log);
	free(log);
	fclose(f);
	daemon_cleanup(&d);
}
END_TEST

START_TEST(test_client_errors)
{
	struct daemon	 d;
	char		*out, *err;
	char		*argv[] = { (char *)bin("CALLSCORE", "src/callscore"),
	    (char *)"--socket", (char *)"/nonexistent/control.sock",
	    (char *)"status", NULL };
	char		*argv2[8];
	int		 rc;

	rc = run(&out, &err, argv);
	ck_assert_int_eq(rc, 1);
	ck_assert_str_eq(out, "");
	ck_assert_msg(strstr(err, "cannot connect to "
	    "/nonexistent/control.sock") != NULL, "got %s", err);
	ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1,
	    "not one line: %s", err);
	free(out);
	free(err);

	/* A daemon's error answer: unknown queue. */
	daemon_new(&d, NULL);
	argv2[0] = (char *)bin("CALLSCORE", "src/callscore");
	argv2[1] = (char *)"--socket";
	argv2[2] = d.ctl;
	argv2[3] = (char *)"kpi";
	argv2[4] = (char *)"--queue";
	argv2[5] = (char *)"nosuch";
	argv2[6] = NULL;
	rc = run(&out, &err, argv2);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(err, "no queue \"nosuch\"") != NULL, "got %s",
	    err);
	free(out);
	free(err);
	daemon_stop(&d);
	daemon_cleanup(&d);
}
END_TEST

START_TEST(test_config_check)
{
	char	 tmpl[] = "/tmp/callscore-conf.XXXXXX", path[PATH_MAX];
	char	*out, *err;
	char	*argv[] = { (char *)bin("CALLSCORED", "src/callscored"),
	    (char *)"-n", (char *)"-c", path, NULL };
	FILE	*f;
	int	 rc;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(path, sizeof path, "%s/bad.yaml", tmpl);
	f = fopen(path, "w");
	fprintf(f, "limits:\n  max_line: abc\n  bogus: 1\n");
	fclose(f);
	rc = run(&out, &err, argv);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(err, "bad.yaml:2:13: limits.max_line: ") !=
	    NULL, "got %s", err);
	ck_assert_msg(strstr(err, "bad.yaml:3:3: limits.bogus: unknown key")
	    != NULL, "got %s", err);
	free(out);
	free(err);

	f = fopen(path, "w");
	fprintf(f, "snapshot:\n  interval: 30\n");
	fclose(f);
	rc = run(&out, &err, argv);
	ck_assert_int_eq(rc, 0);
	free(out);
	free(err);
	unlink(path);
	rmdir(tmpl);
}
END_TEST

static Suite *
integration_suite(void)
{
	Suite	*s = suite_create("integration");
	TCase	*tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tcp_events_and_kpis);
	tcase_add_test(tc, test_unix_and_udp);
	tcase_add_test(tc, test_udp_kernel_drops);
	tcase_add_test(tc, test_restart_keeps_windows);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_ack_modes);
	tcase_add_test(tc, test_live_state);
	tcase_add_test(tc, test_repeat_and_occupancy);
	tcase_add_test(tc, test_scorecard_and_history);
	tcase_add_test(tc, test_calendar_report);
	tcase_add_test(tc, test_top_under_tmux);
	tcase_add_test(tc, test_metrics_endpoint);
	tcase_add_test(tc, test_systemd_notify);
	tcase_add_test(tc, test_client_errors);
	tcase_add_test(tc, test_config_check);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(integration_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed ? 1 : 0);
}
