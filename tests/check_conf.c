/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for conf.c: defaults, the shipped file, every key, the exact
 * error text (with line and column) of each kind of mistake, directory
 * resolution and the conf_print() round trip.  Files are written into a
 * fresh mkdtemp directory per test.
 */
#include <sys/stat.h>

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"
#include "log.h"
#include "xmalloc.h"

#ifndef CALLSCORE_STATEDIR
#define CALLSCORE_STATEDIR	"/var/lib/callscore"
#endif
#ifndef CALLSCORE_RUNSTATEDIR
#define CALLSCORE_RUNSTATEDIR	"/run/callscore"
#endif

#define NFILES	8

static char	 tmpdir[PATH_MAX];
static char	*files[NFILES];
static size_t	 nfiles;

static void	 setup(void);
static void	 teardown(void);
static char	*write_file(const char *, const char *);
static struct conf *load(const char *, char **);
static void	 expect_error(const char *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static const char *conf_diff(const struct conf *, const struct conf *);
static Suite	*conf_suite(void);

static void
setup(void)
{
	char	tmpl[] = "/tmp/check_conf.XXXXXX";
	char	*real;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_ptr_nonnull(real = realpath(tmpl, NULL));
	snprintf(tmpdir, sizeof tmpdir, "%s", real);
	free(real);
	nfiles = 0;
	unsetenv("STATE_DIRECTORY");
	unsetenv("RUNTIME_DIRECTORY");
}

static void
teardown(void)
{
	size_t	i;

	for (i = 0; i < nfiles; i++) {
		unlink(files[i]);
		free(files[i]);
	}
	nfiles = 0;
	rmdir(tmpdir);
}

/* Write text to tmpdir/name; the path is freed by teardown. */
static char *
write_file(const char *name, const char *text)
{
	FILE	*f;
	char	*path;
	size_t	 i;

	xasprintf(&path, "%s/%s", tmpdir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
	for (i = 0; i < nfiles; i++) {
		if (strcmp(files[i], path) == 0) {
			free(path);
			return (files[i]);
		}
	}
	ck_assert_uint_lt(nfiles, NFILES);
	files[nfiles++] = path;
	return (path);
}

static struct conf *
load(const char *text, char **errors)
{
	return (conf_load(write_file("c.yaml", text), errors));
}

/*
 * Loading text must fail with exactly the printf-style expansion of fmt,
 * each "@F" in it standing for the file's path.
 */
static void
expect_error(const char *text, const char *fmt, ...)
{
	struct conf	*c;
	va_list		 ap;
	char		*errors = NULL, msg[4096], want[8192], *o;
	const char	*path, *s;
	size_t		 plen;

	path = write_file("c.yaml", text);
	c = conf_load(path, &errors);
	ck_assert_msg(c == NULL, "loaded: %s", text);
	ck_assert_ptr_nonnull(errors);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	plen = strlen(path);
	for (s = msg, o = want; *s != '\0';) {
		ck_assert_uint_lt((size_t)(o - want) + plen + 1, sizeof want);
		if (s[0] == '@' && s[1] == 'F') {
			memcpy(o, path, plen);
			o += plen;
			s += 2;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	ck_assert_str_eq(errors, want);
	free(errors);
}

/* The first field that differs, or NULL. */
static const char *
conf_diff(const struct conf *a, const struct conf *b)
{
	size_t	i;

#define S(f) do {							\
	if ((a->f == NULL) != (b->f == NULL) ||				\
	    (a->f != NULL && strcmp(a->f, b->f) != 0))			\
		return (#f);						\
} while (0)
#define N(f) do {							\
	if (a->f != b->f)						\
		return (#f);						\
} while (0)
	S(listen_tcp);
	S(listen_unix);
	S(listen_udp);
	N(udp_rcvbuf);
	S(control_socket);
	N(control_mode);
	S(state_directory);
	S(runtime_directory);
	N(nwindows);
	for (i = 0; i < a->nwindows; i++) {
		if (strcmp(a->windows[i].name, b->windows[i].name) != 0 ||
		    a->windows[i].span_ms != b->windows[i].span_ms ||
		    a->windows[i].nslots != b->windows[i].nslots ||
		    a->windows[i].slot_ms != b->windows[i].slot_ms)
			return ("windows");
	}
	N(window_slots);
	N(sl_threshold);
	N(short_abandon);
	N(cost_per_hour);
	N(nqa);
	for (i = 0; i < a->nqa; i++)
		S(qa_criteria[i]);
	N(nqueues);
	for (i = 0; i < a->nqueues; i++) {
		S(queues[i].name);
		N(queues[i].sl_threshold);
	}
	S(database);
	N(snapshot_interval);
	N(retention);
	N(history_agents);
	N(max_line);
	N(max_conns);
	N(max_queues);
	N(max_agents);
	N(max_teams);
	N(idle_timeout);
	N(line_timeout);
	N(max_age);
	N(max_skew);
	N(log_level);
#undef S
#undef N
	return (NULL);
}

static const char good_yaml[] =
    "# every key, none at its default\n"
    "listen:\n"
    "  tcp: \"[::1]:7400\"\n"
    "  unix: \"\"\n"
    "  udp: 0.0.0.0:7401\n"
    "  udp_rcvbuf: 4m\n"
    "control:\n"
    "  socket: /tmp/cs/ctl.sock\n"
    "  mode: 0600\n"
    "directories:\n"
    "  state: /srv/callscore\n"
    "  runtime: run\n"
    "windows: [1m, 2h, 30s]\n"
    "window_slots: 120\n"
    "kpi:\n"
    "  service_level_threshold: 30s\n"
    "  short_abandon: 2.5\n"
    "  agent_cost_per_hour: 31.75\n"
    "  qa_criteria: [empathy, hold.etiquette]\n"
    "queues:\n"
    "  sales: { service_level_threshold: 1m }\n"
    "  support:\n"
    "  b2b:\n"
    "    service_level_threshold: 1.5\n"
    "snapshot:\n"
    "  interval: 5m\n"
    "  database: /srv/db/cs.sqlite\n"
    "  retention: 7d\n"
    "  history_agents: yes\n"
    "limits:\n"
    "  max_line: 1k\n"
    "  max_connections: 10\n"
    "  max_queues: 20\n"
    "  max_agents: 30\n"
    "  max_teams: 40\n"
    "  idle_timeout: 1h\n"
    "  line_timeout: 1500ms\n"
    "  max_event_age: 2d\n"
    "  max_clock_skew: 0\n"
    "log:\n"
    "  level: debug\n";

START_TEST(test_defaults)
{
	struct conf	*c = conf_default();

	ck_assert_ptr_null(c->path);
	ck_assert_str_eq(c->listen_tcp, "127.0.0.1:7311");
	ck_assert_str_eq(c->listen_unix, "events.sock");
	ck_assert_ptr_null(c->listen_udp);
	ck_assert_uint_eq(c->udp_rcvbuf, 0);
	ck_assert_str_eq(c->control_socket, "control.sock");
	ck_assert_uint_eq(c->control_mode, 0660);
	ck_assert_str_eq(c->state_directory, CALLSCORE_STATEDIR);
	ck_assert_str_eq(c->runtime_directory, CALLSCORE_RUNSTATEDIR);
	ck_assert_uint_eq(c->nwindows, 4);
	ck_assert_str_eq(c->windows[0].name, "5m");
	ck_assert_uint_eq(c->windows[0].span_ms, 300000);
	ck_assert_uint_eq(c->windows[0].nslots, 60);
	ck_assert_uint_eq(c->windows[0].slot_ms, 5000);
	ck_assert_str_eq(c->windows[1].name, "15m");
	ck_assert_str_eq(c->windows[2].name, "1h");
	ck_assert_str_eq(c->windows[3].name, "24h");
	ck_assert_uint_eq(c->windows[3].span_ms, 86400000);
	ck_assert_uint_eq(c->windows[3].slot_ms, 1440000);
	ck_assert_uint_eq(c->window_slots, 60);
	ck_assert_double_eq(c->sl_threshold, 20);
	ck_assert_double_eq(c->short_abandon, 5);
	ck_assert_double_eq(c->cost_per_hour, 0);
	ck_assert_uint_eq(c->nqa, 4);
	ck_assert_str_eq(c->qa_criteria[0], "greeting");
	ck_assert_str_eq(c->qa_criteria[1], "listening");
	ck_assert_str_eq(c->qa_criteria[2], "knowledge");
	ck_assert_str_eq(c->qa_criteria[3], "resolution");
	ck_assert_uint_eq(c->nqueues, 0);
	ck_assert_str_eq(c->database, "callscore.db");
	ck_assert_double_eq(c->snapshot_interval, 60);
	ck_assert_double_eq(c->retention, 30 * 86400);
	ck_assert_int_eq(c->history_agents, 0);
	ck_assert_uint_eq(c->max_line, 65536);
	ck_assert_uint_eq(c->max_conns, 1024);
	ck_assert_uint_eq(c->max_queues, 1000);
	ck_assert_uint_eq(c->max_agents, 10000);
	ck_assert_uint_eq(c->max_teams, 1000);
	ck_assert_double_eq(c->idle_timeout, 300);
	ck_assert_double_eq(c->line_timeout, 10);
	ck_assert_double_eq(c->max_age, 86400);
	ck_assert_double_eq(c->max_skew, 300);
	ck_assert_int_eq(c->log_level, LOG_LEVEL_INFO);
	conf_free(c);
	conf_free(NULL);
}
END_TEST

START_TEST(test_empty_file)
{
	struct conf	*c, *d;
	char		*errors = NULL;

	d = conf_default();
	ck_assert_ptr_nonnull(c = load("", &errors));
	ck_assert_ptr_null(errors);
	ck_assert_ptr_null(conf_diff(c, d));
	ck_assert_str_eq(c->path, files[0]);
	conf_free(c);

	/* Comments only, and null sections, are empty too. */
	ck_assert_ptr_nonnull(c = load("# nothing\n\nlimits:\nkpi: ~\n",
	    &errors));
	ck_assert_ptr_null(conf_diff(c, d));
	conf_free(c);
	conf_free(d);
}
END_TEST

START_TEST(test_shipped)
{
	struct conf	*c, *d;
	const char	*srcdir;
	char		*path, *errors = NULL;
	const char	*diff;

	if ((srcdir = getenv("CALLSCORE_SRCDIR")) == NULL)
		srcdir = ".";
	xasprintf(&path, "%s/etc/callscored.yaml", srcdir);
	c = conf_load(path, &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	d = conf_default();
	diff = conf_diff(c, d);
	ck_assert_msg(diff == NULL, "shipped differs in %s", diff);
	ck_assert_str_eq(c->path, path);
	conf_free(c);
	conf_free(d);
	free(path);
}
END_TEST

START_TEST(test_every_key)
{
	struct conf	*c;
	char		*errors = NULL, *run;

	c = load(good_yaml, &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_str_eq(c->listen_tcp, "[::1]:7400");
	ck_assert_ptr_null(c->listen_unix);
	ck_assert_str_eq(c->listen_udp, "0.0.0.0:7401");
	ck_assert_uint_eq(c->udp_rcvbuf, 4194304);
	ck_assert_str_eq(c->control_socket, "/tmp/cs/ctl.sock");
	ck_assert_uint_eq(c->control_mode, 0600);
	ck_assert_str_eq(c->state_directory, "/srv/callscore");
	/* Relative to the directory of the file. */
	xasprintf(&run, "%s/run", tmpdir);
	ck_assert_str_eq(c->runtime_directory, run);
	free(run);
	ck_assert_uint_eq(c->nwindows, 3);
	ck_assert_str_eq(c->windows[0].name, "1m");
	ck_assert_uint_eq(c->windows[0].span_ms, 60000);
	ck_assert_uint_eq(c->windows[0].slot_ms, 500);
	ck_assert_str_eq(c->windows[1].name, "2h");
	ck_assert_uint_eq(c->windows[1].slot_ms, 60000);
	ck_assert_str_eq(c->windows[2].name, "30s");
	ck_assert_uint_eq(c->windows[2].slot_ms, 250);
	ck_assert_uint_eq(c->windows[2].nslots, 120);
	ck_assert_uint_eq(c->window_slots, 120);
	ck_assert_double_eq(c->sl_threshold, 30);
	ck_assert_double_eq(c->short_abandon, 2.5);
	ck_assert_double_eq(c->cost_per_hour, 31.75);
	ck_assert_uint_eq(c->nqa, 2);
	ck_assert_str_eq(c->qa_criteria[0], "empathy");
	ck_assert_str_eq(c->qa_criteria[1], "hold.etiquette");
	/* Sorted by name; a null override keeps the default T. */
	ck_assert_uint_eq(c->nqueues, 3);
	ck_assert_str_eq(c->queues[0].name, "b2b");
	ck_assert_double_eq(c->queues[0].sl_threshold, 1.5);
	ck_assert_str_eq(c->queues[1].name, "sales");
	ck_assert_double_eq(c->queues[1].sl_threshold, 60);
	ck_assert_str_eq(c->queues[2].name, "support");
	ck_assert_double_eq(c->queues[2].sl_threshold, 30);
	ck_assert_double_eq(c->snapshot_interval, 300);
	ck_assert_str_eq(c->database, "/srv/db/cs.sqlite");
	ck_assert_double_eq(c->retention, 7 * 86400);
	ck_assert_int_eq(c->history_agents, 1);
	ck_assert_uint_eq(c->max_line, 1024);
	ck_assert_uint_eq(c->max_conns, 10);
	ck_assert_uint_eq(c->max_queues, 20);
	ck_assert_uint_eq(c->max_agents, 30);
	ck_assert_uint_eq(c->max_teams, 40);
	ck_assert_double_eq(c->idle_timeout, 3600);
	ck_assert_double_eq(c->line_timeout, 1.5);
	ck_assert_double_eq(c->max_age, 2 * 86400);
	ck_assert_double_eq(c->max_skew, 0);
	ck_assert_int_eq(c->log_level, LOG_LEVEL_DEBUG);
	conf_free(c);
}
END_TEST

START_TEST(test_alternative_forms)
{
	struct conf	*c;
	char		*errors = NULL;

	c = load("control:\n  mode: \"0o640\"\n"
	    "snapshot:\n  history_agents: True\n  retention: 0\n"
	    "listen:\n  tcp: ~\n  unix: null\n  udp: localhost:0\n"
	    "log:\n  level: warning\n", &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_uint_eq(c->control_mode, 0640);
	ck_assert_int_eq(c->history_agents, 1);
	ck_assert_double_eq(c->retention, 0);
	ck_assert_ptr_null(c->listen_tcp);
	ck_assert_ptr_null(c->listen_unix);
	ck_assert_str_eq(c->listen_udp, "localhost:0");
	ck_assert_int_eq(c->log_level, LOG_LEVEL_WARNING);
	conf_free(c);

	c = load("control: {mode: 755}\nsnapshot: {history_agents: off}\n"
	    "kpi: {qa_criteria: []}\n", &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_uint_eq(c->control_mode, 0755);
	ck_assert_int_eq(c->history_agents, 0);
	ck_assert_uint_eq(c->nqa, 0);
	conf_free(c);
}
END_TEST

START_TEST(test_suffixes_values)
{
	struct conf	*c;
	char		*errors = NULL;

	c = load("limits:\n"
	    "  max_line: 2k\n"
	    "  idle_timeout: 1.5h\n"
	    "  line_timeout: 2500ms\n"
	    "  max_event_age: 90\n"
	    "  max_clock_skew: 45s\n"
	    "listen:\n"
	    "  udp_rcvbuf: 1024M\n"
	    "snapshot:\n"
	    "  retention: 3650d\n"
	    "  interval: 1e1\n"
	    "kpi:\n"
	    "  short_abandon: 0.5m\n", &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_uint_eq(c->max_line, 2048);
	ck_assert_double_eq(c->idle_timeout, 5400);
	ck_assert_double_eq(c->line_timeout, 2.5);
	ck_assert_double_eq(c->max_age, 90);
	ck_assert_double_eq(c->max_skew, 45);
	ck_assert_uint_eq(c->udp_rcvbuf, 1073741824);
	ck_assert_double_eq(c->retention, 3650.0 * 86400);
	ck_assert_double_eq(c->snapshot_interval, 10);
	ck_assert_double_eq(c->short_abandon, 30);
	conf_free(c);

	expect_error("limits:\n  max_line: 17m\n",
	    "@F:2:13: limits.max_line: expected an integer between 256 and "
	    "16777216, got \"17m\"");
	expect_error("listen:\n  udp_rcvbuf: 2g\n",
	    "@F:2:15: listen.udp_rcvbuf: expected an integer between 0 and "
	    "1073741824, got \"2g\"");
	expect_error("limits:\n  max_line: 4 k\n",
	    "@F:2:13: limits.max_line: expected an integer between 256 and "
	    "16777216, got \"4 k\"");
	expect_error("limits:\n  idle_timeout: 2d\n",
	    "@F:2:17: limits.idle_timeout: expected a duration between 1s "
	    "and 1d, got \"2d\"");
	expect_error("limits:\n  line_timeout: 5w\n",
	    "@F:2:17: limits.line_timeout: expected a duration between 1s "
	    "and 1h, got \"5w\"");
}
END_TEST

START_TEST(test_bad_values)
{
	expect_error("limits:\n  max_line: abc\n",
	    "@F:2:13: limits.max_line: expected an integer between 256 and "
	    "16777216, got \"abc\"");
	expect_error("limits:\n  max_line: 255\n",
	    "@F:2:13: limits.max_line: expected an integer between 256 and "
	    "16777216, got \"255\"");
	expect_error("limits:\n  max_connections: 0\n",
	    "@F:2:20: limits.max_connections: expected an integer between 1 "
	    "and 1048576, got \"0\"");
	expect_error("limits:\n  max_agents: -5\n",
	    "@F:2:15: limits.max_agents: expected an integer between 1 and "
	    "1000000, got \"-5\"");
	expect_error("window_slots: 1\n",
	    "@F:1:15: window_slots: expected an integer between 2 and 3600, "
	    "got \"1\"");
	expect_error("control:\n  mode: \"0999\"\n",
	    "@F:2:9: control.mode: expected an octal mode between 0000 and "
	    "0777, got \"0999\"");
	expect_error("control:\n  mode: 01777\n",
	    "@F:2:9: control.mode: expected an octal mode between 0000 and "
	    "0777, got \"01777\"");
	expect_error("kpi:\n  short_abandon: 5x\n",
	    "@F:2:18: kpi.short_abandon: expected a duration between 0s and "
	    "1h, got \"5x\"");
	expect_error("kpi:\n  service_level_threshold: 0\n",
	    "@F:2:28: kpi.service_level_threshold: expected a duration "
	    "between 1s and 1h, got \"0\"");
	expect_error("kpi:\n  agent_cost_per_hour: -3\n",
	    "@F:2:24: kpi.agent_cost_per_hour: expected a number between 0 "
	    "and 1000000, got \"-3\"");
	expect_error("kpi:\n  agent_cost_per_hour: nan\n",
	    "@F:2:24: kpi.agent_cost_per_hour: expected a number between 0 "
	    "and 1000000, got \"nan\"");
	expect_error("snapshot:\n  history_agents: maybe\n",
	    "@F:2:19: snapshot.history_agents: expected true or false, got "
	    "\"maybe\"");
	expect_error("snapshot:\n  database: \"\"\n",
	    "@F:2:13: snapshot.database: expected a path, got nothing");
	expect_error("log:\n  level: loud\n",
	    "@F:2:10: log.level: expected one of error, warning, notice, "
	    "info, debug, got \"loud\"");
	expect_error("log:\n  level: \"in\\0fo\"\n",
	    "@F:2:10: log.level: value contains a NUL byte");
	expect_error("listen:\n  tcp: localhost\n",
	    "@F:2:8: listen.tcp: expected host:port with a port between 0 "
	    "and 65535, got \"localhost\"");
	expect_error("listen:\n  tcp: \"[::1]:70000\"\n",
	    "@F:2:8: listen.tcp: expected host:port with a port between 0 "
	    "and 65535, got \"[::1]:70000\"");
	expect_error("listen:\n  udp: \"a b:1\"\n",
	    "@F:2:8: listen.udp: expected host:port with a port between 0 "
	    "and 65535, got \"a b:1\"");
}
END_TEST

START_TEST(test_bad_kinds)
{
	expect_error("limits:\n  max_line: [1]\n",
	    "@F:2:13: limits.max_line: expected a scalar, got a sequence");
	expect_error("limits: 5\n",
	    "@F:1:9: limits: expected a mapping, got a scalar");
	expect_error("windows: 5m\n",
	    "@F:1:10: windows: expected a sequence, got a scalar");
	expect_error("kpi:\n  qa_criteria: {a: 1}\n",
	    "@F:2:16: kpi.qa_criteria: expected a sequence, got a mapping");
	expect_error("queues: [sales]\n",
	    "@F:1:9: queues: expected a mapping, got a sequence");
	expect_error("queues:\n  sales: 30\n",
	    "@F:2:10: queues.sales: expected a mapping, got a scalar");
	expect_error("- a\n- b\n",
	    "@F:1:1: expected a mapping at the top level, got a sequence");
	expect_error("windows: [[5m]]\n",
	    "@F:1:11: windows[0]: expected a scalar, got a sequence");
	expect_error("? [a]\n: b\n",
	    "@F:1:3: expected a scalar, got a sequence");
}
END_TEST

START_TEST(test_windows)
{
	expect_error("windows: [5m, 7s, 5m, 300s, x]\n",
	    "@F:1:15: windows[1]: window 7s does not divide into 60 slots "
	    "of whole milliseconds\n"
	    "@F:1:19: windows[2]: duplicate window 5m\n"
	    "@F:1:23: windows[3]: window 300s has the same span as 5m\n"
	    "@F:1:29: windows[4]: expected a span such as 30s, 5m, 1h or "
	    "2d, got \"x\"");
	/* Default windows blame window_slots. */
	expect_error("window_slots: 7\n",
	    "@F:1:15: window_slots: window 5m does not divide into 7 slots "
	    "of whole milliseconds\n"
	    "@F:1:15: window_slots: window 15m does not divide into 7 slots "
	    "of whole milliseconds\n"
	    "@F:1:15: window_slots: window 1h does not divide into 7 slots "
	    "of whole milliseconds\n"
	    "@F:1:15: window_slots: window 24h does not divide into 7 slots "
	    "of whole milliseconds");
	expect_error("windows: []\n",
	    "@F:1:10: windows: at least one window is required");
	expect_error("windows: [0m]\n",
	    "@F:1:11: windows[0]: expected a span such as 30s, 5m, 1h or 2d, "
	    "got \"0m\"");
	expect_error("window_slots: 2\nwindows: [1m, 2m, 3m, 4m, 5m, 6m, 7m, "
	    "8m, 9m, 10m, 11m, 12m, 13m, 14m, 15m, 16m, 17m, 18m]\n",
	    "@F:2:82: windows[16]: more than 16 windows");
}
END_TEST

START_TEST(test_qa_criteria)
{
	struct conf	*c;
	char		*errors = NULL;

	c = load("kpi:\n  qa_criteria: [a, b, c, d, e, f, g, h]\n", &errors);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->nqa, AGG_QA_MAX);
	ck_assert_str_eq(c->qa_criteria[7], "h");
	conf_free(c);

	expect_error("kpi:\n  qa_criteria: [a, b, c, d, e, f, g, h, i]\n",
	    "@F:2:41: kpi.qa_criteria[8]: more than 8 criteria");
	expect_error("kpi:\n  qa_criteria: [a, \"b c\", a]\n",
	    "@F:2:20: kpi.qa_criteria[1]: expected a name of 1 to 64 "
	    "characters A-Z a-z 0-9 _ . : -, got \"b c\"\n"
	    "@F:2:27: kpi.qa_criteria[2]: duplicate criterion \"a\"");
}
END_TEST

START_TEST(test_unknown_key)
{
	expect_error("limits:\n  max_lines: 5\n",
	    "@F:2:3: limits.max_lines: unknown key");
	expect_error("listn:\n  tcp: 1.2.3.4:5\n",
	    "@F:1:1: listn: unknown key");
	expect_error("queues:\n  sales: { sl: 5 }\n",
	    "@F:2:12: queues.sales.sl: unknown key");
	/* Keys of one section are not valid in another. */
	expect_error("kpi:\n  max_line: 300\n",
	    "@F:2:3: kpi.max_line: unknown key");
}
END_TEST

START_TEST(test_duplicate_key)
{
	expect_error("limits:\n  max_line: 300\n  max_line: 400\n",
	    "@F:3:3: limits.max_line: duplicate key");
	expect_error("log:\n  level: info\nlog:\n  level: debug\n",
	    "@F:3:1: log: duplicate key");
	expect_error("window_slots: 10\nwindow_slots: 20\n",
	    "@F:2:1: window_slots: duplicate key");
	expect_error("queues:\n  a: {}\n  b: {}\n  a:\n",
	    "@F:4:3: queues.a: duplicate key");
	expect_error("queues:\n  a: { service_level_threshold: 3,"
	    " service_level_threshold: 4 }\n",
	    "@F:2:36: queues.a.service_level_threshold: duplicate key");
}
END_TEST

START_TEST(test_syntax_error)
{
	expect_error("limits:\n  max_line: [1, 2\n",
	    "@F:3:1: syntax error: did not find expected ',' or ']' (while "
	    "parsing a flow sequence at 2:13)");
	expect_error("limits:\n  max_line: 1\n bad: 2\n",
	    "@F:3:2: syntax error: did not find expected key (while parsing "
	    "a block mapping at 1:1)");
	expect_error("log:\n  level: info\n---\nlog: {}\n",
	    "@F:4:1: only one YAML document is allowed");
}
END_TEST

START_TEST(test_multiple_errors)
{
	expect_error("limits:\n"
	    "  max_line: abc\n"
	    "  nope: 1\n"
	    "log:\n"
	    "  level: chatty\n"
	    "listen:\n"
	    "  tcp: \"\"\n"
	    "  unix: \"\"\n",
	    "@F:2:13: limits.max_line: expected an integer between 256 and "
	    "16777216, got \"abc\"\n"
	    "@F:3:3: limits.nope: unknown key\n"
	    "@F:5:10: log.level: expected one of error, warning, notice, "
	    "info, debug, got \"chatty\"\n"
	    "@F:7:3: listen: at least one of tcp, unix and udp must be "
	    "enabled");
}
END_TEST

START_TEST(test_missing_file)
{
	char	*errors = NULL, *path;

	xasprintf(&path, "%s/absent.yaml", tmpdir);
	ck_assert_ptr_null(conf_load(path, &errors));
	ck_assert_ptr_nonnull(errors);
	ck_assert_ptr_nonnull(strstr(errors, "absent.yaml: No such file"));
	free(errors);
	free(path);
}
END_TEST

START_TEST(test_queue_override)
{
	struct conf		*c;
	struct agg_params	 ap;
	char			*errors = NULL;

	c = load("kpi:\n  service_level_threshold: 15\n  short_abandon: 3\n"
	    "  qa_criteria: [x, y]\n"
	    "queues:\n  sales: { service_level_threshold: 30 }\n"
	    "  vip: {service_level_threshold: 10s}\n", &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_double_eq(conf_sl_threshold(c, "sales"), 30);
	ck_assert_double_eq(conf_sl_threshold(c, "vip"), 10);
	ck_assert_double_eq(conf_sl_threshold(c, "support"), 15);
	ck_assert_double_eq(conf_sl_threshold(c, NULL), 15);

	memset(&ap, 0xff, sizeof ap);
	conf_agg_params(c, "sales", &ap);
	ck_assert_double_eq(ap.sl_threshold, 30);
	ck_assert_double_eq(ap.short_abandon, 3);
	ck_assert_uint_eq(ap.nqa, 2);
	ck_assert_str_eq(ap.qa_criteria[0], "x");
	ck_assert_str_eq(ap.qa_criteria[1], "y");
	ck_assert_ptr_null(ap.qa_criteria[2]);
	conf_agg_params(c, "other", &ap);
	ck_assert_double_eq(ap.sl_threshold, 15);
	conf_agg_params(c, NULL, &ap);
	ck_assert_double_eq(ap.sl_threshold, 15);
	conf_free(c);

	expect_error("queues:\n  sales: { service_level_threshold: 2h }\n",
	    "@F:2:37: queues.sales.service_level_threshold: expected a "
	    "duration between 1s and 1h, got \"2h\"");
	expect_error("queues:\n  \"a b\": {}\n",
	    "@F:2:3: queues: expected a queue name of 1 to 64 characters "
	    "A-Z a-z 0-9 _ . : -, got \"a b\"");
}
END_TEST

START_TEST(test_conf_window)
{
	struct conf		*c = conf_default();
	const struct window_def	*w;

	ck_assert_ptr_nonnull(w = conf_window(c, "15m"));
	ck_assert_uint_eq(w->span_ms, 900000);
	ck_assert_uint_eq(w->slot_ms, 15000);
	ck_assert_ptr_null(conf_window(c, "10m"));
	conf_free(c);
}
END_TEST

START_TEST(test_print_round_trip)
{
	struct conf	*c, *d, *def;
	FILE		*f;
	char		*errors = NULL, *path;
	const char	*diff;

	c = load(good_yaml, &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	/* Fractions and a quoted name must survive too. */
	c->cost_per_hour = 0.1;
	c->short_abandon = 1.0 / 3;
	free(c->control_socket);
	c->control_socket = xstrdup("odd \"name\"\\\t.sock");

	path = write_file("p.yaml", "");
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	conf_print(c, f);
	ck_assert_int_eq(fclose(f), 0);
	d = conf_load(path, &errors);
	ck_assert_msg(d != NULL, "%s", errors != NULL ? errors : "");
	diff = conf_diff(c, d);
	ck_assert_msg(diff == NULL, "round trip differs in %s", diff);
	conf_free(c);
	conf_free(d);

	def = conf_default();
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	conf_print(def, f);
	ck_assert_int_eq(fclose(f), 0);
	d = conf_load(path, &errors);
	ck_assert_msg(d != NULL, "%s", errors != NULL ? errors : "");
	diff = conf_diff(def, d);
	ck_assert_msg(diff == NULL, "round trip differs in %s", diff);
	conf_free(def);
	conf_free(d);
}
END_TEST

START_TEST(test_print_text)
{
	struct conf	*c;
	FILE		*f;
	char		 buf[4096];
	size_t		 n;
	char		*errors = NULL;

	c = load("queues:\n  sales: {service_level_threshold: 90}\n"
	    "limits: {max_clock_skew: 250ms}\n", &errors);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(f = tmpfile());
	conf_print(c, f);
	rewind(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\nlisten:\n  tcp: \"127.0.0.1:7311"
	    "\"\n  unix: \"events.sock\"\n  udp: \"\"\n  udp_rcvbuf: 0\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  mode: \"0660\"\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nwindows: [5m, 15m, 1h, 24h]\n"
	    "window_slots: 60\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nqueues:\n  \"sales\":\n"
	    "    service_level_threshold: 90s\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  max_clock_skew: 250ms\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  retention: 30d\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nlog:\n  level: info\n"));
	conf_free(c);
}
END_TEST

START_TEST(test_directories_env)
{
	struct conf	*c;
	char		*errors = NULL, *want;

	setenv("STATE_DIRECTORY", "/srv/state:/srv/other", 1);
	setenv("RUNTIME_DIRECTORY", "/run/cs", 1);
	c = conf_default();
	ck_assert_str_eq(c->state_directory, "/srv/state");
	ck_assert_str_eq(c->runtime_directory, "/run/cs");
	conf_free(c);

	/* Empty keys use the environment; relative ones the file's dir. */
	c = load("directories:\n  state: \"\"\n  runtime: ../rt\n", &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_str_eq(c->state_directory, "/srv/state");
	xasprintf(&want, "%s/../rt", tmpdir);
	ck_assert_str_eq(c->runtime_directory, want);
	free(want);
	conf_free(c);

	/* An empty variable counts as unset. */
	setenv("STATE_DIRECTORY", "", 1);
	unsetenv("RUNTIME_DIRECTORY");
	c = conf_default();
	ck_assert_str_eq(c->state_directory, CALLSCORE_STATEDIR);
	ck_assert_str_eq(c->runtime_directory, CALLSCORE_RUNSTATEDIR);
	conf_free(c);
	unsetenv("STATE_DIRECTORY");
}
END_TEST

START_TEST(test_socket_path_length)
{
	char	 yaml[512], dir[200];

	memset(dir, 'd', sizeof dir - 1);
	dir[0] = '/';
	dir[sizeof dir - 1] = '\0';
	snprintf(yaml, sizeof yaml, "directories:\n  runtime: %s\n"
	    "listen:\n  unix: \"\"\n", dir);
	expect_error(yaml, "@F: control.socket: socket path %s/control.sock "
	    "is longer than 107 bytes", dir);
}
END_TEST

START_TEST(test_conf_path)
{
	char	*s;

	s = conf_path("/var/lib/callscore", "callscore.db");
	ck_assert_str_eq(s, "/var/lib/callscore/callscore.db");
	free(s);
	s = conf_path("/run/", "x.sock");
	ck_assert_str_eq(s, "/run/x.sock");
	free(s);
	s = conf_path("/var/lib/callscore", "/abs/db");
	ck_assert_str_eq(s, "/abs/db");
	free(s);
	s = conf_path(NULL, "rel");
	ck_assert_str_eq(s, "rel");
	free(s);
	ck_assert_ptr_null(conf_path("/x", NULL));
}
END_TEST

START_TEST(test_parse_addr)
{
	char	host[64];
	int	port;

	ck_assert_int_eq(conf_parse_addr("127.0.0.1:7311", host, sizeof host,
	    &port), 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_int_eq(port, 7311);
	ck_assert_int_eq(conf_parse_addr("[::1]:1", host, sizeof host,
	    &port), 0);
	ck_assert_str_eq(host, "::1");
	ck_assert_int_eq(port, 1);
	ck_assert_int_eq(conf_parse_addr("[fe80::1%eth0]:65535", host,
	    sizeof host, &port), 0);
	ck_assert_str_eq(host, "fe80::1%eth0");
	ck_assert_int_eq(port, 65535);
	ck_assert_int_eq(conf_parse_addr("pbx-gw.example.com:0", host,
	    sizeof host, &port), 0);
	ck_assert_str_eq(host, "pbx-gw.example.com");
	ck_assert_int_eq(port, 0);

	ck_assert_int_eq(conf_parse_addr("localhost", host, sizeof host,
	    &port), -1);
	ck_assert_int_eq(conf_parse_addr(":7311", host, sizeof host, &port),
	    -1);
	ck_assert_int_eq(conf_parse_addr("::1:7311", host, sizeof host,
	    &port), -1);
	ck_assert_int_eq(conf_parse_addr("[::1]7311", host, sizeof host,
	    &port), -1);
	ck_assert_int_eq(conf_parse_addr("[1.2.3.4]:7", host, sizeof host,
	    &port), -1);
	ck_assert_int_eq(conf_parse_addr("1.2.3.4:65536", host, sizeof host,
	    &port), -1);
	ck_assert_int_eq(conf_parse_addr("1.2.3.4:", host, sizeof host,
	    &port), -1);
	ck_assert_int_eq(conf_parse_addr("1.2.3.4:+80", host, sizeof host,
	    &port), -1);
	ck_assert_int_eq(conf_parse_addr("1.2.3.4:0080", host, sizeof host,
	    &port), 0);
	ck_assert_int_eq(conf_parse_addr("1.2.3.4:000080", host, sizeof host,
	    &port), -1);
	ck_assert_int_eq(conf_parse_addr("1.2.3.4:80", host, 7, &port), -1);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_shipped);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_alternative_forms);
	tcase_add_test(tc, test_suffixes_values);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_bad_kinds);
	tcase_add_test(tc, test_windows);
	tcase_add_test(tc, test_qa_criteria);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_multiple_errors);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_queue_override);
	tcase_add_test(tc, test_conf_window);
	tcase_add_test(tc, test_print_round_trip);
	tcase_add_test(tc, test_print_text);
	tcase_add_test(tc, test_directories_env);
	tcase_add_test(tc, test_socket_path_length);
	tcase_add_test(tc, test_conf_path);
	tcase_add_test(tc, test_parse_addr);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(conf_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
