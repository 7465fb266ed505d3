/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for conf.c: defaults, the shipped file, every key, the exact
 * error text (with line and column) of each kind of mistake, directory
 * resolution, scorecard targets and weights, time zones, the reload
 * check and the conf_print() round trip.  Files are written into a
 * fresh mkdtemp directory per test.
 */
#include <sys/stat.h>

#include <grp.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"
#include "kpi.h"
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
static int	 target_eq(const struct conf_target *,
		    const struct conf_target *);
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
	unsetenv("CREDENTIALS_DIRECTORY");
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

static int
target_eq(const struct conf_target *a, const struct conf_target *b)
{
	if (a->set != b->set)
		return (0);
	return (!a->set || (a->target == b->target && a->amber == b->amber));
}

/* The first field that differs, or NULL. */
static const char *
conf_diff(const struct conf *a, const struct conf *b)
{
	size_t	i, j;

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
	N(unix_mode);
	S(listen_udp);
	N(udp_rcvbuf);
	S(control_socket);
	N(control_mode);
	S(control_group);
	S(control_tcp);
	S(control_token_file);
	S(http_listen);
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
	N(repeat_window);
	N(nqa);
	for (i = 0; i < a->nqa; i++)
		S(qa_criteria[i]);
	N(nqueues);
	for (i = 0; i < a->nqueues; i++) {
		S(queues[i].name);
		N(queues[i].sl_threshold);
		for (j = 0; j < KPI_COUNT; j++) {
			if (!target_eq(&a->queues[i].targets[j],
			    &b->queues[i].targets[j]))
				return ("queues[].targets");
		}
	}
	for (j = 0; j < KPI_COUNT; j++) {
		if (!target_eq(&a->targets[j], &b->targets[j]))
			return ("targets");
	}
	for (j = 0; j < KPI_PERSPECTIVE_COUNT; j++)
		N(weights[j]);
	S(timezone);
	N(interval);
	N(call_expiry);
	S(database);
	N(snapshot_interval);
	N(retention);
	N(history_agents);
	N(max_line);
	N(max_conns);
	N(max_queues);
	N(max_agents);
	N(max_teams);
	N(max_calls);
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
    "  unix_mode: 0600\n"
    "  udp: 0.0.0.0:7401\n"
    "  udp_rcvbuf: 4m\n"
    "control:\n"
    "  socket: /tmp/cs/ctl.sock\n"
    "  mode: 0600\n"
    "  group: 4242\n"
    "  tcp: 127.0.0.1:7312\n"
    "  token_file: secrets/control.token\n"
    "http:\n"
    "  listen: 127.0.0.1:9311\n"
    "directories:\n"
    "  state: /srv/callscore\n"
    "  runtime: run\n"
    "windows: [1m, 2h, 30s]\n"
    "window_slots: 120\n"
    "kpi:\n"
    "  service_level_threshold: 30s\n"
    "  short_abandon: 2.5\n"
    "  agent_cost_per_hour: 31.75\n"
    "  repeat_window: 48h\n"
    "  qa_criteria: [empathy, hold.etiquette]\n"
    "queues:\n"
    "  sales: { service_level_threshold: 1m, targets: { service_level:"
    " { target: 90, amber: 85 }, csat: ~ } }\n"
    "  support:\n"
    "  b2b:\n"
    "    service_level_threshold: 1.5\n"
    "    targets:\n"
    "      esat: { target: 50, amber: 40 }\n"
    "      aht: { target: 10m, amber: 12m }\n"
    "scorecard:\n"
    "  weights: { customer: 1, process: 2.5, learning: 0.5 }\n"
    "  targets:\n"
    "    service_level: { target: 85, amber: 75 }\n"
    "    nps: { target: -5, amber: -20.5 }\n"
    "    asa: { target: 20s, amber: 1.5m }\n"
    "    esat: ~\n"
    "    cost_per_contact: { target: 3.5, amber: 5 }\n"
    "calendar:\n"
    "  timezone: UTC\n"
    "  interval: 30m\n"
    "live:\n"
    "  call_expiry: 90m\n"
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
    "  max_calls: 5000\n"
    "  idle_timeout: 1h\n"
    "  line_timeout: 1500ms\n"
    "  max_event_age: 2d\n"
    "  max_clock_skew: 0\n"
    "log:\n"
    "  level: debug\n";

START_TEST(test_defaults)
{
	/* The shipped scorecard: kpi, target, amber. */
	static const struct {
		enum kpi_id	id;
		double		target, amber;
	} want[] = {
		{ KPI_SERVICE_LEVEL, 80, 70 },
		{ KPI_ABANDON_RATE, 5, 8 },
		{ KPI_ASA, 30, 60 },
		{ KPI_WAIT_P90, 60, 120 },
		{ KPI_AHT, 360, 480 },
		{ KPI_HOLD_RATE, 20, 30 },
		{ KPI_FCR, 70, 60 },
		{ KPI_RESOLUTION_RATE, 80, 70 },
		{ KPI_TRANSFER_RATE, 10, 15 },
		{ KPI_CSAT, 80, 70 },
		{ KPI_NPS, 30, 10 },
		{ KPI_QA_SCORE, 85, 75 },
		{ KPI_ESAT, 75, 60 },
	};
	struct conf	*c = conf_default();
	size_t		 i, j, nset = 0;

	ck_assert_ptr_null(c->path);
	ck_assert_str_eq(c->listen_tcp, "127.0.0.1:7311");
	ck_assert_str_eq(c->listen_unix, "events.sock");
	ck_assert_uint_eq(c->unix_mode, 0660);
	ck_assert_ptr_null(c->listen_udp);
	ck_assert_uint_eq(c->udp_rcvbuf, 0);
	ck_assert_str_eq(c->control_socket, "control.sock");
	ck_assert_uint_eq(c->control_mode, 0660);
	ck_assert_ptr_null(c->http_listen);
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
	ck_assert_double_eq(c->repeat_window, 86400);
	ck_assert_uint_eq(c->nqa, 4);
	ck_assert_str_eq(c->qa_criteria[0], "greeting");
	ck_assert_str_eq(c->qa_criteria[1], "listening");
	ck_assert_str_eq(c->qa_criteria[2], "knowledge");
	ck_assert_str_eq(c->qa_criteria[3], "resolution");
	ck_assert_uint_eq(c->nqueues, 0);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_msg(c->targets[want[i].id].set, "%s",
		    kpi_table[want[i].id].id);
		ck_assert_double_eq(c->targets[want[i].id].target,
		    want[i].target);
		ck_assert_double_eq(c->targets[want[i].id].amber,
		    want[i].amber);
	}
	/* No others: cost_per_contact, revenue_per_call, volumes... */
	for (j = 0; j < KPI_COUNT; j++)
		nset += c->targets[j].set != 0;
	ck_assert_uint_eq(nset, sizeof want / sizeof want[0]);
	ck_assert_int_eq(c->targets[KPI_COST_PER_CONTACT].set, 0);
	ck_assert_int_eq(c->targets[KPI_REVENUE_PER_CALL].set, 0);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_CUSTOMER], 40);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_PROCESS], 30);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_FINANCIAL], 15);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_LEARNING], 15);
	ck_assert_ptr_null(c->timezone);
	ck_assert_double_eq(c->interval, 900);
	ck_assert_double_eq(c->call_expiry, 4 * 3600);
	ck_assert_str_eq(c->database, "callscore.db");
	ck_assert_double_eq(c->snapshot_interval, 60);
	ck_assert_double_eq(c->retention, 30 * 86400);
	ck_assert_int_eq(c->history_agents, 0);
	ck_assert_uint_eq(c->max_line, 65536);
	ck_assert_uint_eq(c->max_conns, 1024);
	ck_assert_uint_eq(c->max_queues, 1000);
	ck_assert_uint_eq(c->max_agents, 10000);
	ck_assert_uint_eq(c->max_teams, 1000);
	ck_assert_uint_eq(c->max_calls, 100000);
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

/*
 * The file is read whole into a buffer that grows as it fills: a file of
 * exactly 1 MiB loads (the buffer doubled six times), one byte more is
 * refused, and the key at its very end is read.
 */
START_TEST(test_file_size)
{
	struct conf	*c;
	char		*text, *errors = NULL;
	const char	*tail = "limits:\n  max_queues: 77\n";
	size_t		 max = 1024 * 1024, i, tlen = strlen(tail);

	text = xmalloc(max + 2);
	for (i = 0; i < max - tlen; i++)
		text[i] = (i % 64 == 63) ? '\n' : (i % 64 == 0 ? '#' : 'x');
	text[max - tlen - 1] = '\n';
	memcpy(text + max - tlen, tail, tlen + 1);
	ck_assert_uint_eq(strlen(text), max);
	ck_assert_ptr_nonnull(c = load(text, &errors));
	ck_assert_ptr_null(errors);
	ck_assert_uint_eq(c->max_queues, 77);
	conf_free(c);

	memcpy(text + max - tlen, tail, tlen);
	text[max] = '\n';
	text[max + 1] = '\0';
	expect_error(text, "@F: larger than 1048576 bytes");
	free(text);
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
	struct conf		*c;
	const struct conf_target *t;
	char			*errors = NULL, *run;

	c = load(good_yaml, &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_str_eq(c->listen_tcp, "[::1]:7400");
	ck_assert_ptr_null(c->listen_unix);
	ck_assert_uint_eq(c->unix_mode, 0600);
	ck_assert_str_eq(c->listen_udp, "0.0.0.0:7401");
	ck_assert_uint_eq(c->udp_rcvbuf, 4194304);
	ck_assert_str_eq(c->control_socket, "/tmp/cs/ctl.sock");
	ck_assert_uint_eq(c->control_mode, 0600);
	ck_assert_str_eq(c->control_group, "4242");
	ck_assert_str_eq(c->control_tcp, "127.0.0.1:7312");
	/* Relative to the directory of the file, without systemd. */
	xasprintf(&run, "%s/secrets/control.token", tmpdir);
	ck_assert_str_eq(c->control_token_file, run);
	free(run);
	ck_assert_str_eq(c->http_listen, "127.0.0.1:9311");
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
	ck_assert_double_eq(c->repeat_window, 48 * 3600);
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

	/* Global targets: the file's over the defaults. */
	t = c->targets;
	ck_assert_int_eq(t[KPI_SERVICE_LEVEL].set, 1);
	ck_assert_double_eq(t[KPI_SERVICE_LEVEL].target, 85);
	ck_assert_double_eq(t[KPI_SERVICE_LEVEL].amber, 75);
	ck_assert_double_eq(t[KPI_NPS].target, -5);
	ck_assert_double_eq(t[KPI_NPS].amber, -20.5);
	ck_assert_double_eq(t[KPI_ASA].target, 20);
	ck_assert_double_eq(t[KPI_ASA].amber, 90);
	ck_assert_int_eq(t[KPI_ESAT].set, 0);
	ck_assert_int_eq(t[KPI_COST_PER_CONTACT].set, 1);
	ck_assert_double_eq(t[KPI_COST_PER_CONTACT].target, 3.5);
	ck_assert_double_eq(t[KPI_COST_PER_CONTACT].amber, 5);
	/* Untouched: the default. */
	ck_assert_int_eq(t[KPI_CSAT].set, 1);
	ck_assert_double_eq(t[KPI_CSAT].target, 80);
	ck_assert_double_eq(t[KPI_CSAT].amber, 70);

	/* b2b: own esat and aht, the rest global. */
	t = c->queues[0].targets;
	ck_assert_int_eq(t[KPI_ESAT].set, 1);
	ck_assert_double_eq(t[KPI_ESAT].target, 50);
	ck_assert_double_eq(t[KPI_ESAT].amber, 40);
	ck_assert_double_eq(t[KPI_AHT].target, 600);
	ck_assert_double_eq(t[KPI_AHT].amber, 720);
	ck_assert_double_eq(t[KPI_SERVICE_LEVEL].target, 85);
	ck_assert_double_eq(t[KPI_NPS].amber, -20.5);
	/* sales: own service level, no csat target. */
	t = c->queues[1].targets;
	ck_assert_double_eq(t[KPI_SERVICE_LEVEL].target, 90);
	ck_assert_double_eq(t[KPI_SERVICE_LEVEL].amber, 85);
	ck_assert_int_eq(t[KPI_CSAT].set, 0);
	ck_assert_int_eq(t[KPI_ESAT].set, 0);
	ck_assert_double_eq(t[KPI_ASA].target, 20);
	/* support: all global. */
	t = c->queues[2].targets;
	ck_assert_double_eq(t[KPI_SERVICE_LEVEL].target, 85);
	ck_assert_int_eq(t[KPI_CSAT].set, 1);
	ck_assert_ptr_eq(conf_targets(c, "sales"), c->queues[1].targets);
	ck_assert_ptr_eq(conf_targets(c, "other"), c->targets);
	ck_assert_ptr_eq(conf_targets(c, NULL), c->targets);

	/* Weights as written; an unnamed perspective weighs 0. */
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_CUSTOMER], 1);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_PROCESS], 2.5);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_FINANCIAL], 0);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_LEARNING], 0.5);
	ck_assert_str_eq(c->timezone, "UTC");
	ck_assert_double_eq(c->interval, 1800);
	ck_assert_double_eq(c->call_expiry, 5400);
	ck_assert_double_eq(c->snapshot_interval, 300);
	ck_assert_str_eq(c->database, "/srv/db/cs.sqlite");
	ck_assert_double_eq(c->retention, 7 * 86400);
	ck_assert_int_eq(c->history_agents, 1);
	ck_assert_uint_eq(c->max_line, 1024);
	ck_assert_uint_eq(c->max_conns, 10);
	ck_assert_uint_eq(c->max_queues, 20);
	ck_assert_uint_eq(c->max_agents, 30);
	ck_assert_uint_eq(c->max_teams, 40);
	ck_assert_uint_eq(c->max_calls, 5000);
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
	char		 buf[8192];
	size_t		 n;
	char		*errors = NULL;

	c = load("queues:\n  sales: {service_level_threshold: 90, targets: "
	    "{csat: ~, nps: {target: -10, amber: -30}, fcr: {target: 70, "
	    "amber: 60}}}\n"
	    "limits: {max_clock_skew: 250ms}\n", &errors);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(f = tmpfile());
	conf_print(c, f);
	rewind(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\nlisten:\n  tcp: \"127.0.0.1:7311"
	    "\"\n  unix: \"events.sock\"\n  unix_mode: \"0660\"\n"
	    "  udp: \"\"\n  udp_rcvbuf: 0\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nhttp:\n  listen: \"\"\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  repeat_window: 1d\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nscorecard:\n  weights: { "
	    "customer: 40, process: 30, financial: 15, learning: 15 }\n"
	    "  targets:\n    abandon_rate: { target: 5, amber: 8 }\n"
	    "    service_level: { target: 80, amber: 70 }\n"
	    "    asa: { target: 30s, amber: 1m }\n    wait_avg: ~\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n    nps: { target: 30, amber: 10 "
	    "}\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n    cost_per_contact: ~\n"));
	/* Volumes have no target, not even "~". */
	ck_assert_ptr_null(strstr(buf, "offered"));
	ck_assert_ptr_nonnull(strstr(buf, "\ncalendar:\n  timezone: \"\"\n"
	    "  interval: 15m\nlive:\n  call_expiry: 4h\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  max_calls: 100000\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  mode: \"0660\"\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nwindows: [5m, 15m, 1h, 24h]\n"
	    "window_slots: 60\n"));
	/* Only the targets that differ from the global ones. */
	ck_assert_ptr_nonnull(strstr(buf, "\nqueues:\n  \"sales\":\n"
	    "    service_level_threshold: 90s\n    targets:\n"
	    "      csat: ~\n      nps: { target: -10, amber: -30 }\n"
	    "scorecard:\n"));
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

START_TEST(test_new_keys_bad)
{
	expect_error("listen:\n  unix_mode: \"0999\"\n",
	    "@F:2:14: listen.unix_mode: expected an octal mode between 0000 "
	    "and 0777, got \"0999\"");
	expect_error("http:\n  listen: metrics\n",
	    "@F:2:11: http.listen: expected host:port with a port between 0 "
	    "and 65535, got \"metrics\"");
	expect_error("http:\n  port: 9311\n",
	    "@F:2:3: http.port: unknown key");
	expect_error("kpi:\n  repeat_window: 30s\n",
	    "@F:2:18: kpi.repeat_window: expected a duration between 1m and "
	    "30d, got \"30s\"");
	expect_error("live:\n  call_expiry: 8d\n",
	    "@F:2:16: live.call_expiry: expected a duration between 1m and "
	    "7d, got \"8d\"");
	expect_error("limits:\n  max_calls: 0\n",
	    "@F:2:14: limits.max_calls: expected an integer between 1 and "
	    "10000000, got \"0\"");
}
END_TEST

/* control.group, control.tcp and where the token file is looked for. */
START_TEST(test_control_keys)
{
	struct conf	*c;
	struct group	*gr;
	char		*errors = NULL, text[256];
	gid_t		 gid;

	ck_assert_ptr_nonnull(gr = getgrgid(getgid()));
	snprintf(text, sizeof text, "control:\n  group: %s\n", gr->gr_name);
	ck_assert_ptr_nonnull(c = load(text, &errors));
	ck_assert_str_eq(c->control_group, gr->gr_name);
	ck_assert_ptr_null(c->control_tcp);
	ck_assert_ptr_null(c->control_token_file);
	conf_free(c);
	ck_assert_int_eq(conf_group_gid(gr->gr_name, &gid), 0);
	ck_assert_uint_eq(gid, getgid());
	ck_assert_int_eq(conf_group_gid("123456", &gid), 0);
	ck_assert_uint_eq(gid, 123456);
	ck_assert_int_eq(conf_group_gid("no-such-group-here", &gid), -1);
	ck_assert_int_eq(conf_group_gid("12x", &gid), -1);
	ck_assert_int_eq(conf_group_gid("4294967295", &gid), -1);

	expect_error("control:\n  group: no-such-group-here\n",
	    "@F:2:10: control.group: no group \"no-such-group-here\" "
	    "(expected a group name or a numeric gid)");
	expect_error("control:\n  group: \"-1\"\n",
	    "@F:2:10: control.group: no group \"-1\" (expected a group name "
	    "or a numeric gid)");
	expect_error("control:\n  tcp: 127.0.0.1:7312\n",
	    "@F:2:8: control.tcp: TCP control needs control.token_file, a "
	    "file holding the pre-shared token");
	expect_error("control:\n  tcp: localhost\n  token_file: t\n",
	    "@F:2:8: control.tcp: expected host:port with a port between 0 "
	    "and 65535, got \"localhost\"");

	/* Under systemd a relative name is a credential (LoadCredential=). */
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/callscored.service",
	    1);
	ck_assert_ptr_nonnull(c = load("control:\n  tcp: \"[::1]:0\"\n"
	    "  token_file: control.token\n", &errors));
	ck_assert_str_eq(c->control_tcp, "[::1]:0");
	ck_assert_str_eq(c->control_token_file,
	    "/run/credentials/callscored.service/control.token");
	conf_free(c);
	ck_assert_ptr_nonnull(c = load("control:\n  token_file: /etc/t\n",
	    &errors));
	ck_assert_str_eq(c->control_token_file, "/etc/t");
	conf_free(c);
}
END_TEST

/* Load a token file of text and mode: 0, or -1 with *cause. */
static int
token_file(const char *text, mode_t mode, struct conf_token *tok,
    char **cause)
{
	const char	*path = write_file("token", text);

	ck_assert_int_eq(chmod(path, mode), 0);
	*cause = NULL;
	return (conf_token_load(path, tok, cause));
}

/* The file must be refused: "DIR/token: " why. */
static void
token_refused(const char *text, mode_t mode, const char *why)
{
	struct conf_token	 tok;
	char			*cause, *want;

	ck_assert_int_eq(token_file(text, mode, &tok, &cause), -1);
	xasprintf(&want, "%s/token: %s", tmpdir, why);
	ck_assert_str_eq(cause, want);
	ck_assert_uint_eq(tok.len, 0);
	free(want);
	free(cause);
}

START_TEST(test_token_load)
{
	struct conf_token	 tok;
	char			 big[CONF_TOKEN_MAX + 2], *cause = NULL;
	char			*path, *want;

	ck_assert_int_eq(token_file("0123456789abcdef\n", 0600, &tok,
	    &cause), 0);
	ck_assert_uint_eq(tok.len, 16);
	ck_assert_int_eq(memcmp(tok.buf, "0123456789abcdef", 16), 0);
	ck_assert_int_eq(tok.buf[16], 0);
	ck_assert_int_eq(token_file("0123456789abcdef\r\n", 0400, &tok,
	    &cause), 0);
	ck_assert_uint_eq(tok.len, 16);
	memset(big, 'x', CONF_TOKEN_MAX);
	big[CONF_TOKEN_MAX] = '\0';
	ck_assert_int_eq(token_file(big, 0600, &tok, &cause), 0);
	ck_assert_uint_eq(tok.len, CONF_TOKEN_MAX);

	token_refused("0123456789abcdef\n", 0640, "mode 0640 gives "
	    "group or others access; the token file must be private "
	    "(chmod 600)");
	token_refused("0123456789abcdef\n", 0602, "mode 0602 gives "
	    "group or others access; the token file must be private "
	    "(chmod 600)");
	token_refused("", 0600, "the token is 0 bytes; at least 16 "
	    "are needed");
	token_refused("0123456789abcde\n", 0600, "the token is 15 "
	    "bytes; at least 16 are needed");
	token_refused("0123456789 abcdef\n", 0600, "byte 11 of the "
	    "token is not a printable ASCII character (spaces and line "
	    "breaks are not allowed)");
	token_refused("0123456789abcdef\n\n", 0600, "byte 17 of "
	    "the token is not a printable ASCII character (spaces and line "
	    "breaks are not allowed)");
	token_refused("0123456789abcdef\xc3\xa9", 0600, "byte 17 "
	    "of the token is not a printable ASCII character (spaces and "
	    "line breaks are not allowed)");
	big[CONF_TOKEN_MAX] = 'x';
	big[CONF_TOKEN_MAX + 1] = '\0';
	token_refused(big, 0600, "the token is longer than 256 "
	    "bytes");
	xasprintf(&path, "%s/absent", tmpdir);
	ck_assert_int_eq(conf_token_load(path, &tok, &cause), -1);
	xasprintf(&want, "%s: No such file or directory", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(path);
	free(cause);
	ck_assert_int_eq(conf_token_load(tmpdir, &tok, &cause), -1);
	xasprintf(&want, "%s: not a regular file", tmpdir);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
}
END_TEST

/*
 * conf_token_equal() says yes to the token and to nothing else: not a
 * prefix, not an extension, not a string with the token's bytes beyond
 * its end, and never when no token is loaded.
 */
START_TEST(test_token_equal)
{
	struct conf_token	 tok, none;
	char			 s[CONF_TOKEN_MAX + 8], *cause = NULL;
	const char		*t = "0123456789abcdefXYZ";
	size_t			 n = strlen(t), i;

	ck_assert_int_eq(token_file(t, 0600, &tok, &cause), 0);
	ck_assert_int_eq(conf_token_equal(&tok, t, n), 1);
	ck_assert_int_eq(conf_token_equal(&tok, t, n - 1), 0);
	ck_assert_int_eq(conf_token_equal(&tok, "0123456789abcdefXYZ!", n + 1),
	    0);
	ck_assert_int_eq(conf_token_equal(&tok, "", 0), 0);
	/* The NUL padding is not part of the token. */
	memset(s, 0, sizeof s);
	memcpy(s, t, n);
	ck_assert_int_eq(conf_token_equal(&tok, s, n + 1), 0);
	ck_assert_int_eq(conf_token_equal(&tok, s, CONF_TOKEN_MAX), 0);
	ck_assert_int_eq(conf_token_equal(&tok, s, sizeof s), 0);
	/* Any one byte changed, first to last. */
	for (i = 0; i < n; i++) {
		memcpy(s, t, n);
		s[i] ^= 0x20;
		ck_assert_int_eq(conf_token_equal(&tok, s, n), 0);
	}
	memset(&none, 0, sizeof none);
	ck_assert_int_eq(conf_token_equal(&none, "", 0), 0);
	ck_assert_int_eq(conf_token_equal(&none, s, 0), 0);
}
END_TEST

/* The journal's keys and the default acknowledgement mode. */
START_TEST(test_journal_keys)
{
	struct conf	*c, *d;
	FILE		*f;
	char		 buf[8192], *errors = NULL, *cause = NULL;
	size_t		 n;

	c = conf_default();
	ck_assert_int_eq(c->acks, CONF_ACKS_ALL);
	ck_assert_int_eq(c->journal, 1);
	ck_assert_double_eq(c->journal_flush, 0.25);
	ck_assert_uint_eq(c->journal_max, 64 * 1024 * 1024);
	ck_assert_int_eq(c->synchronous, 0);
	ck_assert_ptr_nonnull(f = tmpfile());
	conf_print(c, f);
	rewind(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "  udp_rcvbuf: 0\n  acks: all\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n"
	    "  journal: true\n  journal_flush: 250ms\n"
	    "  journal_max: 67108864\n  synchronous: normal\n"));

	d = load("listen:\n  acks: DURABLE\n"
	    "snapshot:\n  journal: on\n  journal_flush: 10ms\n"
	    "  journal_max: 1m\n  synchronous: full\n", &errors);
	ck_assert_msg(d != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_int_eq(d->acks, CONF_ACKS_DURABLE);
	ck_assert_double_eq(d->journal_flush, 0.01);
	ck_assert_uint_eq(d->journal_max, 1024 * 1024);
	ck_assert_int_eq(d->synchronous, 1);
	/* synchronous needs a restart; the others do not. */
	ck_assert_int_eq(conf_reload_check(c, d, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "snapshot.synchronous"));
	ck_assert_ptr_null(strstr(cause, "journal"));
	ck_assert_ptr_null(strstr(cause, "acks"));
	free(cause);
	conf_free(d);
	conf_free(c);

	expect_error("snapshot:\n  synchronous: extra\n",
	    "@F:2:16: snapshot.synchronous: expected normal or full, got "
	    "\"extra\"");
	expect_error("listen:\n  acks: some\n",
	    "@F:2:9: listen.acks: expected all, errors, none or durable, got "
	    "\"some\"");
	expect_error("listen:\n  acks: durable\nsnapshot:\n  journal: off\n",
	    "@F:2:9: listen.acks: durable needs snapshot.journal on");
	expect_error("snapshot:\n  journal_flush: 20s\n",
	    "@F:2:18: snapshot.journal_flush: expected a duration between 1ms "
	    "and 10s, got \"20s\"");
	expect_error("snapshot:\n  journal_max: 1k\n",
	    "@F:2:16: snapshot.journal_max: expected an integer between 65536 "
	    "and 4294967296, got \"1k\"");
}
END_TEST

START_TEST(test_interval)
{
	struct conf	*c;
	char		*errors = NULL;

	ck_assert_ptr_nonnull(c = load("calendar:\n  interval: 1800\n",
	    &errors));
	ck_assert_double_eq(c->interval, 1800);
	conf_free(c);
	ck_assert_ptr_nonnull(c = load("calendar:\n  interval: 0.25h\n",
	    &errors));
	ck_assert_double_eq(c->interval, 900);
	conf_free(c);
	expect_error("calendar:\n  interval: 20m\n",
	    "@F:2:13: calendar.interval: expected 15m or 30m, got \"20m\"");
	expect_error("calendar:\n  interval: 1h\n",
	    "@F:2:13: calendar.interval: expected 15m or 30m, got \"1h\"");
}
END_TEST

START_TEST(test_timezone)
{
	struct conf	*c;
	char		*errors = NULL;

	/* A zone directory of our own: TZDIR, as the C library reads. */
	setenv("TZDIR", tmpdir, 1);
	write_file("Testzone", "TZif2 and the rest of a zone file");
	write_file("Notzone", "# not a compiled zone\n");
	ck_assert_ptr_nonnull(c = load("calendar:\n  timezone: Testzone\n",
	    &errors));
	ck_assert_str_eq(c->timezone, "Testzone");
	conf_free(c);
	/* UTC needs no file; "" is the local time. */
	ck_assert_ptr_nonnull(c = load("calendar:\n  timezone: UTC\n",
	    &errors));
	ck_assert_str_eq(c->timezone, "UTC");
	conf_free(c);
	ck_assert_ptr_nonnull(c = load("calendar:\n  timezone: \"\"\n",
	    &errors));
	ck_assert_ptr_null(c->timezone);
	conf_free(c);

	expect_error("calendar:\n  timezone: Mars/Olympus\n",
	    "@F:2:13: calendar.timezone: unknown time zone \"Mars/Olympus\" "
	    "(no zone file %s/Mars/Olympus)", tmpdir);
	expect_error("calendar:\n  timezone: Notzone\n",
	    "@F:2:13: calendar.timezone: unknown time zone \"Notzone\" "
	    "(no zone file %s/Notzone)", tmpdir);
	expect_error("calendar:\n  timezone: ../etc/passwd\n",
	    "@F:2:13: calendar.timezone: expected a time zone name such as "
	    "Europe/Berlin, got \"../etc/passwd\"");
	expect_error("calendar:\n  timezone: /etc/localtime\n",
	    "@F:2:13: calendar.timezone: expected a time zone name such as "
	    "Europe/Berlin, got \"/etc/localtime\"");
	expect_error("calendar:\n  timezone: Europe//Berlin\n",
	    "@F:2:13: calendar.timezone: expected a time zone name such as "
	    "Europe/Berlin, got \"Europe//Berlin\"");
	expect_error("calendar:\n  timezone: \"Europe/Berlin \"\n",
	    "@F:2:13: calendar.timezone: expected a time zone name such as "
	    "Europe/Berlin, got \"Europe/Berlin \"");
	unsetenv("TZDIR");

	/* The system's database, where tzdata is installed. */
	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0) {
		c = load("calendar:\n  timezone: Europe/Berlin\n", &errors);
		ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
		ck_assert_str_eq(c->timezone, "Europe/Berlin");
		conf_free(c);
		expect_error("calendar:\n  timezone: Europe\n",
		    "@F:2:13: calendar.timezone: unknown time zone \"Europe\" "
		    "(no zone file /usr/share/zoneinfo/Europe)");
	}
}
END_TEST

START_TEST(test_targets)
{
	struct conf	*c;
	char		*errors = NULL;

	/* target == amber is allowed: no amber band. */
	c = load("scorecard:\n  targets:\n"
	    "    csat: { amber: 90, target: 90 }\n"
	    "    aht: { target: 300, amber: 5m }\n"
	    "    revenue_per_call: { target: 20, amber: 12.5 }\n"
	    "    service_level:\n", &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_double_eq(c->targets[KPI_CSAT].target, 90);
	ck_assert_double_eq(c->targets[KPI_CSAT].amber, 90);
	ck_assert_double_eq(c->targets[KPI_AHT].amber, 300);
	ck_assert_int_eq(c->targets[KPI_REVENUE_PER_CALL].set, 1);
	ck_assert_double_eq(c->targets[KPI_REVENUE_PER_CALL].amber, 12.5);
	ck_assert_int_eq(c->targets[KPI_SERVICE_LEVEL].set, 0);
	conf_free(c);

	/* Null or empty mappings keep every default. */
	ck_assert_ptr_nonnull(c = load("scorecard:\n  targets: {}\n",
	    &errors));
	ck_assert_double_eq(c->targets[KPI_SERVICE_LEVEL].target, 80);
	conf_free(c);

	expect_error("scorecard:\n  targets:\n    speed: { target: 1, "
	    "amber: 2 }\n",
	    "@F:3:5: scorecard.targets.speed: unknown KPI");
	expect_error("scorecard:\n  targets:\n    offered: { target: 1, "
	    "amber: 2 }\n",
	    "@F:3:5: scorecard.targets.offered: cannot have a target: "
	    "neither higher nor lower is better");
	expect_error("scorecard:\n  targets:\n    csat: { target: 70, "
	    "amber: 80 }\n",
	    "@F:3:11: scorecard.targets.csat: amber 80 is above target 70, "
	    "but higher is better");
	expect_error("scorecard:\n  targets:\n    aht: { target: 10m, "
	    "amber: 5m }\n",
	    "@F:3:10: scorecard.targets.aht: amber 5m is below target 10m, "
	    "but lower is better");
	expect_error("scorecard:\n  targets:\n    csat: { target: 70 }\n",
	    "@F:3:11: scorecard.targets.csat: expected both target and "
	    "amber");
	expect_error("scorecard:\n  targets:\n    csat: { target: 80, "
	    "amber: 70, red: 60 }\n",
	    "@F:3:36: scorecard.targets.csat.red: unknown key");
	expect_error("scorecard:\n  targets:\n    csat: { target: 80, "
	    "target: 70, amber: 1 }\n",
	    "@F:3:25: scorecard.targets.csat.target: duplicate key");
	expect_error("scorecard:\n  targets:\n    csat: { target: 101, "
	    "amber: 70 }\n",
	    "@F:3:21: scorecard.targets.csat.target: expected a number "
	    "between 0 and 100, got \"101\"");
	expect_error("scorecard:\n  targets:\n    asa: { target: 2d, "
	    "amber: 3d }\n",
	    "@F:3:20: scorecard.targets.asa.target: expected a duration "
	    "between 0s and 1d, got \"2d\"\n"
	    "@F:3:31: scorecard.targets.asa.amber: expected a duration "
	    "between 0s and 1d, got \"3d\"");
	expect_error("scorecard:\n  targets:\n    nps: { target: -101, "
	    "amber: -100 }\n",
	    "@F:3:20: scorecard.targets.nps.target: expected a number "
	    "between -100 and 100, got \"-101\"");
	expect_error("scorecard:\n  targets:\n    nps: { target: --1, "
	    "amber: x }\n",
	    "@F:3:20: scorecard.targets.nps.target: expected a number "
	    "between -100 and 100, got \"--1\"\n"
	    "@F:3:32: scorecard.targets.nps.amber: expected a number "
	    "between -100 and 100, got \"x\"");
	expect_error("scorecard:\n  targets:\n    csat: ~\n    csat: ~\n",
	    "@F:4:5: scorecard.targets.csat: duplicate key");
	expect_error("scorecard:\n  targets:\n    csat: 80\n",
	    "@F:3:11: scorecard.targets.csat: expected a mapping, got a "
	    "scalar");
	expect_error("scorecard:\n  targets: [csat]\n",
	    "@F:2:12: scorecard.targets: expected a mapping, got a sequence");
	expect_error("scorecard:\n  goals: {}\n",
	    "@F:2:3: scorecard.goals: unknown key");

	/* The same rules in a queue, with the queue's name in the key. */
	expect_error("queues:\n  sales:\n    targets:\n      speed: ~\n"
	    "      csat: { target: 1, amber: 2 }\n",
	    "@F:4:7: queues.sales.targets.speed: unknown KPI\n"
	    "@F:5:13: queues.sales.targets.csat: amber 2 is above target 1, "
	    "but higher is better");
	expect_error("queues:\n  a: { targets: {}, targets: {} }\n",
	    "@F:2:21: queues.a.targets: duplicate key");
	expect_error("queues:\n  a: { targets: 5 }\n",
	    "@F:2:17: queues.a.targets: expected a mapping, got a scalar");
}
END_TEST

START_TEST(test_weights)
{
	struct conf	*c;
	char		*errors = NULL;

	/* A null weights key keeps the defaults. */
	ck_assert_ptr_nonnull(c = load("scorecard:\n  weights:\n", &errors));
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_CUSTOMER], 40);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_LEARNING], 15);
	conf_free(c);
	ck_assert_ptr_nonnull(c = load("scorecard:\n  weights: {financial: "
	    "1e3}\n", &errors));
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_CUSTOMER], 0);
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_FINANCIAL], 1000);
	conf_free(c);

	expect_error("scorecard:\n  weights: { customer: 0 }\n",
	    "@F:2:12: scorecard.weights: at least one weight must be above 0");
	expect_error("scorecard:\n  weights: {}\n",
	    "@F:2:12: scorecard.weights: at least one weight must be above 0");
	expect_error("scorecard:\n  weights: { people: 1 }\n",
	    "@F:2:14: scorecard.weights.people: unknown key");
	expect_error("scorecard:\n  weights: { customer: -1 }\n",
	    "@F:2:24: scorecard.weights.customer: expected a number between 0 "
	    "and 1000000, got \"-1\"");
	expect_error("scorecard:\n  weights: { customer: 1, customer: 2 }\n",
	    "@F:2:27: scorecard.weights.customer: duplicate key");
	expect_error("scorecard:\n  weights: 40\n",
	    "@F:2:12: scorecard.weights: expected a mapping, got a scalar");
}
END_TEST

/* One line of conf_reload_check()'s cause; %1$s is the file. */
#define RESTART(k)	"%1$s: " k ": cannot change without a restart"

START_TEST(test_reload_check)
{
	struct conf	*a, *b;
	char		*errors = NULL, *cause = NULL, want[4096];

	a = conf_default();
	b = conf_default();
	ck_assert_int_eq(conf_reload_check(a, b, &cause), 0);
	ck_assert_ptr_null(cause);
	conf_free(b);

	/* Everything a reload may change. */
	b = load("kpi:\n  service_level_threshold: 30\n"
	    "  repeat_window: 2d\n"
	    "queues:\n  sales: { service_level_threshold: 9 }\n"
	    "scorecard:\n  weights: { customer: 1 }\n"
	    "  targets:\n    csat: ~\n"
	    "calendar:\n  timezone: UTC\n  interval: 30m\n"
	    "live:\n  call_expiry: 1h\n"
	    "snapshot:\n  interval: 5\n  retention: 1d\n"
	    "limits:\n  max_calls: 7\n  max_queues: 3\n"
	    "log:\n  level: debug\n"
	    "control:\n  token_file: /etc/new.token\n", &errors);
	ck_assert_msg(b != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_int_eq(conf_reload_check(a, b, &cause), 0);
	ck_assert_ptr_null(cause);
	conf_free(b);

	/* Every key that needs a restart, in file order. */
	b = load("listen:\n  tcp: 127.0.0.1:1\n  unix: e.sock\n"
	    "  unix_mode: 0600\n  udp: 127.0.0.1:2\n  udp_rcvbuf: 1m\n"
	    "control:\n  socket: c.sock\n  mode: 0600\n  group: 7\n"
	    "  tcp: 127.0.0.1:3\n  token_file: /t\n"
	    "http:\n  listen: \"[::1]:9\"\n"
	    "directories:\n  state: /srv/s\n  runtime: /srv/r\n"
	    "windows: [5m, 15m, 1h]\nwindow_slots: 30\n"
	    "kpi:\n  qa_criteria: [greeting]\n"
	    "snapshot:\n  database: x.db\n", &errors);
	ck_assert_msg(b != NULL, "%s", errors != NULL ? errors : "");
	ck_assert_int_eq(conf_reload_check(a, b, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	snprintf(want, sizeof want,
	    RESTART("listen.tcp") "\n" RESTART("listen.unix") "\n"
	    RESTART("listen.unix_mode") "\n" RESTART("listen.udp") "\n"
	    RESTART("listen.udp_rcvbuf") "\n" RESTART("control.socket") "\n"
	    RESTART("control.mode") "\n" RESTART("control.group") "\n"
	    RESTART("control.tcp") "\n" RESTART("http.listen") "\n"
	    RESTART("directories.state") "\n"
	    RESTART("directories.runtime") "\n"
	    RESTART("windows") "\n" RESTART("window_slots") "\n"
	    RESTART("kpi.qa_criteria") "\n" RESTART("snapshot.database"),
	    b->path);
	ck_assert_str_eq(cause, want);
	free(cause);
	cause = NULL;
	conf_free(b);

	/* One window's span is enough; so is turning http on. */
	b = load("windows: [5m, 15m, 1h, 12h]\nhttp: {listen: "
	    "127.0.0.1:9311}\n", &errors);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(conf_reload_check(a, b, &cause), -1);
	snprintf(want, sizeof want, RESTART("http.listen") "\n"
	    RESTART("windows"), b->path);
	ck_assert_str_eq(cause, want);
	free(cause);
	conf_free(b);

	/* Without a file, the message says so. */
	b = conf_default();
	free(b->database);
	b->database = xstrdup("other.db");
	ck_assert_int_eq(conf_reload_check(a, b, &cause), -1);
	ck_assert_str_eq(cause, "(defaults): snapshot.database: cannot "
	    "change without a restart");
	free(cause);
	conf_free(b);
	conf_free(a);
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
	tcase_add_test(tc, test_file_size);
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
	tcase_add_test(tc, test_new_keys_bad);
	tcase_add_test(tc, test_control_keys);
	tcase_add_test(tc, test_token_load);
	tcase_add_test(tc, test_token_equal);
	tcase_add_test(tc, test_journal_keys);
	tcase_add_test(tc, test_interval);
	tcase_add_test(tc, test_timezone);
	tcase_add_test(tc, test_targets);
	tcase_add_test(tc, test_weights);
	tcase_add_test(tc, test_reload_check);
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
