/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for totals.c, metrics.c and http.c: totals from hand-made
 * events, the exact exposition lines they render to, promtool's verdict
 * on them when it is installed, and the HTTP routes fetched by a
 * bufferevent client on the same event base (the loop runs until the
 * reply is in, a bounded number of turns; no sleeps).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "agg.h"
#include "event.h"
#include "http.h"
#include "metrics.h"
#include "totals.h"

#define FETCH_TURNS	10000	/* loop turns before a fetch gives up */

struct fetch {
	struct evbuffer	*resp;
	int		 done;
};

static struct totals	*t_global, *t_queue, *t_team;

static void	add_event(const struct event *, int, int);
static void	make_totals(void);
static void	free_totals(void);
static char	*render_source(void);
static void	fill_source(struct metrics_source *, struct metrics_scope *,
		    struct metrics_extra *);	/* 3 scopes, 3 extras */
static int	has_line(const char *, const char *);
static size_t	count_str(const char *, const char *);
static void	test_render_cb(struct evbuffer *, void *);
static int	test_health_cb(char *, size_t, void *);
static void	fetch_read_cb(struct bufferevent *, void *);
static void	fetch_event_cb(struct bufferevent *, short, void *);
static char	*fetch(struct event_base *, const char *, const char *,
		    size_t);

static const struct agg_params params = {
	.sl_threshold = 20,
	.short_abandon = 5,
};

/* Classify ev and add it to the global scope and, if asked, queue/team. */
static void
add_event(const struct event *ev, int queue, int team)
{
	struct contrib	c;

	ck_assert_int_eq(agg_contrib(ev, &params, &c), 0);
	totals_add(t_global, &c);
	if (queue)
		totals_add(t_queue, &c);
	if (team)
		totals_add(t_team, &c);
}

/*
 * Eight events (see each comment); global sees all, queue "sales" the
 * first two, team "t1" the first.
 */
static void
make_totals(void)
{
	struct event	ev;

	t_global = totals_new();
	t_queue = totals_new();
	t_team = totals_new();

	/* E1: answered, wait 12, talk 100, hold 30, wrap 20, csat 5. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_CALL;
	ev.outcome = EVENT_OUTCOME_ANSWERED;
	ev.has = EVENT_HAS_WAIT|EVENT_HAS_TALK|EVENT_HAS_HOLD|EVENT_HAS_WRAP|
	    EVENT_HAS_CSAT|EVENT_HAS_FIRST_CONTACT|EVENT_HAS_RESOLVED;
	ev.wait = 12;
	ev.talk = 100;
	ev.hold = 30;
	ev.wrap = 20;
	ev.csat = 5;
	ev.first_contact = 1;
	ev.resolved = 1;
	add_event(&ev, 1, 1);

	/* E2: abandoned after 3 s (a short abandon). */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_CALL;
	ev.outcome = EVENT_OUTCOME_ABANDONED;
	ev.has = EVENT_HAS_WAIT;
	ev.wait = 3;
	add_event(&ev, 1, 0);

	/* E3: transferred, wait 700 (+Inf), talk 2000, nps 9. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_CALL;
	ev.outcome = EVENT_OUTCOME_TRANSFERRED;
	ev.has = EVENT_HAS_WAIT|EVENT_HAS_TALK|EVENT_HAS_NPS;
	ev.wait = 700;
	ev.talk = 2000;
	ev.nps = 9;
	add_event(&ev, 0, 0);

	/* E4: timeout after 45 s (exactly on a bound). */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_CALL;
	ev.outcome = EVENT_OUTCOME_TIMEOUT;
	ev.has = EVENT_HAS_WAIT;
	ev.wait = 45;
	add_event(&ev, 0, 0);

	/* E5: survey, nps 3 and csat 2. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_SURVEY;
	ev.has = EVENT_HAS_NPS|EVENT_HAS_CSAT;
	ev.nps = 3;
	ev.csat = 2;
	add_event(&ev, 0, 0);

	/* E6: QA with scores 4 and 5: 90 on 0-100. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_QA;
	ev.nqa = 2;
	strcpy(ev.qa[0].name, "greeting");
	ev.qa[0].value = 4;
	strcpy(ev.qa[1].name, "closing");
	ev.qa[1].value = 5;
	add_event(&ev, 0, 0);

	/* E7: esat 4. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_ESAT;
	ev.has = EVENT_HAS_SCORE;
	ev.score = 4;
	add_event(&ev, 0, 0);

	/* E8: answered, no wait field (0), talk 0.5, wrap 10.25. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_CALL;
	ev.outcome = EVENT_OUTCOME_ANSWERED;
	ev.has = EVENT_HAS_TALK|EVENT_HAS_WRAP;
	ev.talk = 0.5;
	ev.wrap = 10.25;
	add_event(&ev, 0, 0);
}

static void
free_totals(void)
{
	totals_free(t_global);
	totals_free(t_queue);
	totals_free(t_team);
	t_global = t_queue = t_team = NULL;
}

static void
fill_source(struct metrics_source *src, struct metrics_scope *scopes,
    struct metrics_extra *extra)
{
	memset(src, 0, sizeof *src);
	src->version = "1.2.3";
	src->now = 1800000100;
	src->start_time = 1800000000;
	src->uptime = 100.5;
	src->daemon.lines_ok = 8;
	src->daemon.lines_bad = 9;
	src->daemon.rejects[EVENT_ERR_SYNTAX] = 7;
	src->daemon.rejects[EVENT_ERR_TS_FUTURE] = 2;
	src->daemon.conns_current = 3;
	src->daemon.conns_total = 40;
	src->daemon.conns_idle_closed = 4;
	src->daemon.udp_bytes = 123456;
	src->daemon.udp_drops = 42;
	src->daemon.reload_fail = 1;
	src->daemon.ctl_tcp_accepted = 12;
	src->daemon.ctl_tcp_refused = 1;
	src->daemon.ctl_auth_failures = 10;
	src->daemon.backups_ok = 2;
	src->store.snapshots = 6;
	src->store.errors = 1;
	src->store.errors_by_code[13] = 1;	/* FULL */
	src->store.errors_by_code[8] = 2;	/* READONLY */
	src->store.last_time = 1800000070;
	src->store.last_duration = 0.125;
	src->store.queue_depth = 2;
	src->store.journal_batches = 9;
	src->store.journal_events = 1200;
	src->store.journal_seq = 1234;
	src->store.journal_commit_max = 0.5;
	src->store.journal_files = 2;
	src->store.journal_file_bytes = 70000;
	src->store.journal_damaged_bytes = 0;
	src->journal.dropped = 3;
	src->journal.inflight = 4096;
	src->daemon.journal_replayed = 77;
	src->nqueues = 1;
	src->nagents = 5;
	src->nteams = 1;

	scopes[0].kind = "global";
	scopes[0].name = "";
	scopes[0].totals = t_global;
	scopes[1].kind = "queue";
	scopes[1].name = "sales";
	scopes[1].totals = t_queue;
	scopes[2].kind = "team";
	scopes[2].name = "t1";
	scopes[2].totals = t_team;
	src->scopes = scopes;
	src->nscopes = 3;

	memset(extra, 0, 3 * sizeof *extra);
	extra[0].name = "callscore_agents";
	extra[0].help = "Agents by state.";
	extra[0].type = METRICS_GAUGE;
	extra[0].label = "state";
	extra[0].label_value = "ready";
	extra[0].value = 4;
	extra[1] = extra[0];
	extra[1].label_value = "not_ready";
	extra[1].value = 1;
	extra[2].name = "callscore_calls_waiting";
	extra[2].help = "Calls in queues now.";
	extra[2].type = METRICS_GAUGE;
	extra[2].value = 0;
	src->extra = extra;
	src->nextra = 3;
}

/* The rendered exposition as a string (caller frees). */
static char *
render_source(void)
{
	struct metrics_source	 src;
	struct metrics_scope	 scopes[3];
	struct metrics_extra	 extra[3];
	struct evbuffer		*out;
	char			*s;
	size_t			 len;

	fill_source(&src, scopes, extra);
	out = evbuffer_new();
	metrics_render(out, &src);
	len = evbuffer_get_length(out);
	s = malloc(len + 1);
	ck_assert_ptr_nonnull(s);
	evbuffer_remove(out, s, len);
	s[len] = '\0';
	evbuffer_free(out);
	return (s);
}

/* Is line a whole line of text? */
static int
has_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 len = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return (1);
		p++;
	}
	return (0);
}

static size_t
count_str(const char *text, const char *s)
{
	size_t	n = 0;

	while ((text = strstr(text, s)) != NULL) {
		n++;
		text++;
	}
	return (n);
}

#define ck_line(text, line) \
	ck_assert_msg(has_line(text, line), "missing line: %s", line)

START_TEST(test_format_value)
{
	char	buf[64];

	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, 0), "0");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, 760), "760");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, 0.125),
	    "0.125");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, 0.1), "0.1");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, -2.5), "-2.5");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, 1.0 / 3),
	    "0.33333333333333331");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, 1e300),
	    "1e+300");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, NAN), "NaN");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, INFINITY),
	    "+Inf");
	ck_assert_str_eq(metrics_format_value(buf, sizeof buf, -INFINITY),
	    "-Inf");
}
END_TEST

START_TEST(test_escape_label)
{
	struct evbuffer	*out = evbuffer_new();
	char		 buf[64];
	size_t		 len;

	metrics_escape_label(out, "a\"b\\c\nd");
	metrics_escape_label(out, "|");
	metrics_escape_label(out, "");
	metrics_escape_label(out, "\\\"\n");
	len = evbuffer_get_length(out);
	ck_assert_uint_lt(len, sizeof buf);
	evbuffer_remove(out, buf, len);
	buf[len] = '\0';
	ck_assert_str_eq(buf, "a\\\"b\\\\c\\nd|\\\\\\\"\\n");
	evbuffer_free(out);
}
END_TEST

START_TEST(test_totals)
{
	const struct totals	*t;
	static const uint64_t	 wait_b[TOTALS_WAIT_BUCKETS] =
	    { 2, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint64_t	 handle_b[TOTALS_HANDLE_BUCKETS] =
	    { 1, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t			 i;

	make_totals();
	t = t_global;
	ck_assert_uint_eq(t->offered, 5);
	ck_assert_uint_eq(t->answered, 3);
	ck_assert_uint_eq(t->abandoned, 1);
	ck_assert_uint_eq(t->short_abandoned, 1);
	ck_assert_uint_eq(t->timeouts, 1);
	ck_assert_uint_eq(t->answered_in_sl, 2);
	ck_assert_uint_eq(t->transferred, 1);
	ck_assert_uint_eq(t->held, 1);
	ck_assert_uint_eq(t->fc_n, 1);
	ck_assert_uint_eq(t->fc_yes, 1);
	ck_assert_uint_eq(t->res_n, 1);
	ck_assert_uint_eq(t->res_yes, 1);
	ck_assert_uint_eq(t->csat_n, 2);
	ck_assert_uint_eq(t->csat_pos, 1);
	ck_assert_uint_eq(t->nps_n, 2);
	ck_assert_uint_eq(t->nps_pro, 1);
	ck_assert_uint_eq(t->nps_det, 1);
	ck_assert_uint_eq(t->esat_n, 1);
	ck_assert_uint_eq(t->esat_pos, 1);
	ck_assert_uint_eq(t->qa_n, 1);
	ck_assert_double_eq(t->qa_sum, 90);
	ck_assert_double_eq(t->csat_sum, 7);
	ck_assert_double_eq(t->wait_answered, 712);
	ck_assert_double_eq(t->talk, 2100.5);
	ck_assert_double_eq(t->wrap, 30.25);

	ck_assert_uint_eq(t->wait.count, 5);
	ck_assert_double_eq(t->wait.sum, 760);
	for (i = 0; i < TOTALS_WAIT_BUCKETS; i++)
		ck_assert_uint_eq(t->wait.bucket[i], wait_b[i]);
	ck_assert_uint_eq(t->hold.count, 1);
	ck_assert_double_eq(t->hold.sum, 30);
	ck_assert_uint_eq(t->hold.bucket[1], 1);	/* le 30, inclusive */
	ck_assert_uint_eq(t->handle.count, 3);
	ck_assert_double_eq(t->handle.sum, 2160.75);
	for (i = 0; i < TOTALS_HANDLE_BUCKETS; i++)
		ck_assert_uint_eq(t->handle.bucket[i], handle_b[i]);

	ck_assert_uint_eq(t_queue->offered, 2);
	ck_assert_uint_eq(t_queue->wait.count, 2);
	ck_assert_double_eq(t_queue->wait.sum, 15);
	ck_assert_uint_eq(t_team->answered, 1);
	free_totals();
}
END_TEST

START_TEST(test_render)
{
	char	*s;

	make_totals();
	s = render_source();

	/* Per-scope counters; global has no label. */
	ck_line(s, "# HELP callscore_calls_offered_total Calls that reached "
	    "a queue.");
	ck_line(s, "# TYPE callscore_calls_offered_total counter");
	ck_line(s, "callscore_calls_offered_total 5");
	ck_line(s, "callscore_calls_offered_total{queue=\"sales\"} 2");
	ck_line(s, "callscore_calls_offered_total{team=\"t1\"} 1");
	ck_line(s, "callscore_calls_answered_in_sl_total 2");
	ck_line(s, "callscore_calls_short_abandoned_total{queue=\"sales\"} 1");
	ck_line(s, "callscore_calls_timeout_total 1");
	ck_line(s, "callscore_talk_seconds_total 2100.5");
	ck_line(s, "callscore_wrap_seconds_total 30.25");
	ck_line(s, "callscore_answered_wait_seconds_total 712");
	ck_line(s, "callscore_csat_score_total 7");
	ck_line(s, "callscore_nps_detractors_total 1");
	ck_line(s, "callscore_qa_score_total 90");
	ck_line(s, "callscore_esat_positive_total{team=\"t1\"} 0");

	/* Histograms: cumulative buckets, +Inf = count. */
	ck_line(s, "# TYPE callscore_wait_seconds histogram");
	ck_line(s, "callscore_wait_seconds_bucket{le=\"5\"} 2");
	ck_line(s, "callscore_wait_seconds_bucket{le=\"10\"} 2");
	ck_line(s, "callscore_wait_seconds_bucket{le=\"15\"} 3");
	ck_line(s, "callscore_wait_seconds_bucket{le=\"30\"} 3");
	ck_line(s, "callscore_wait_seconds_bucket{le=\"45\"} 4");
	ck_line(s, "callscore_wait_seconds_bucket{le=\"600\"} 4");
	ck_line(s, "callscore_wait_seconds_bucket{le=\"+Inf\"} 5");
	ck_line(s, "callscore_wait_seconds_sum 760");
	ck_line(s, "callscore_wait_seconds_count 5");
	ck_line(s, "callscore_wait_seconds_bucket{queue=\"sales\",le=\"5\"} 1");
	ck_line(s, "callscore_wait_seconds_bucket{queue=\"sales\",le=\"15\"} 2");
	ck_line(s, "callscore_wait_seconds_sum{queue=\"sales\"} 15");
	ck_line(s, "callscore_wait_seconds_count{team=\"t1\"} 1");
	ck_line(s, "callscore_hold_seconds_bucket{le=\"10\"} 0");
	ck_line(s, "callscore_hold_seconds_bucket{le=\"30\"} 1");
	ck_line(s, "callscore_hold_seconds_bucket{le=\"+Inf\"} 1");
	ck_line(s, "callscore_hold_seconds_sum 30");
	ck_line(s, "callscore_handle_seconds_bucket{le=\"60\"} 1");
	ck_line(s, "callscore_handle_seconds_bucket{le=\"120\"} 1");
	ck_line(s, "callscore_handle_seconds_bucket{le=\"180\"} 2");
	ck_line(s, "callscore_handle_seconds_bucket{le=\"1800\"} 2");
	ck_line(s, "callscore_handle_seconds_bucket{le=\"+Inf\"} 3");
	ck_line(s, "callscore_handle_seconds_sum 2160.75");
	ck_line(s, "callscore_handle_seconds_count 3");
	ck_line(s, "callscore_handle_seconds_sum{team=\"t1\"} 150");
	ck_assert_uint_eq(count_str(s, "callscore_wait_seconds_bucket{le="),
	    TOTALS_WAIT_BUCKETS + 1);

	/* Daemon, store, scopes, build. */
	ck_line(s, "callscore_events_accepted_total 8");
	ck_line(s, "callscore_events_rejected_total{reason=\"syntax\"} 7");
	ck_line(s, "callscore_events_rejected_total{reason=\"ts_future\"} 2");
	ck_line(s, "callscore_events_rejected_total{reason=\"cardinality\"} "
	    "0");
	ck_assert_ptr_null(strstr(s, "reason=\"ok\""));
	ck_line(s, "# TYPE callscore_connections gauge");
	ck_line(s, "callscore_connections 3");
	ck_line(s, "callscore_connections_accepted_total 40");
	ck_line(s, "callscore_connections_closed_total{reason=\"idle\"} 4");
	ck_line(s, "callscore_udp_received_bytes_total 123456");
	ck_line(s, "callscore_udp_kernel_drops_total 42");
	ck_line(s, "callscore_reloads_total{result=\"failed\"} 1");
	ck_line(s, "callscore_ctl_tcp_connections_total{result=\"accepted\"} "
	    "12");
	ck_line(s, "callscore_ctl_tcp_connections_total{result=\"refused\"} "
	    "1");
	ck_line(s, "callscore_ctl_auth_failures_total 10");
	ck_line(s, "callscore_backups_total{result=\"ok\"} 2");
	ck_line(s, "callscore_backups_total{result=\"failed\"} 0");
	ck_line(s, "callscore_snapshots_total 6");
	ck_line(s, "callscore_db_errors_total 1");
	/* By code: the four usual ones always, others once seen. */
	ck_line(s, "callscore_db_errors_by_code_total{code=\"FULL\"} 1");
	ck_line(s, "callscore_db_errors_by_code_total{code=\"BUSY\"} 0");
	ck_line(s, "callscore_db_errors_by_code_total{code=\"READONLY\"} 2");
	ck_assert_ptr_null(strstr(s, "code=\"PERM\""));
	ck_line(s, "callscore_snapshot_queue_depth 2");
	ck_line(s, "callscore_snapshot_duration_seconds 0.125");
	ck_line(s, "callscore_snapshot_age_seconds 30");
	ck_line(s, "# TYPE callscore_journal_batches_total counter");
	ck_line(s, "callscore_journal_batches_total 9");
	ck_line(s, "callscore_journal_events_total 1200");
	ck_line(s, "callscore_journal_seq_committed 1234");
	ck_line(s, "callscore_journal_commit_max_seconds 0.5");
	ck_line(s, "callscore_journal_dropped_total 3");
	ck_line(s, "callscore_journal_inflight_bytes 4096");
	ck_line(s, "callscore_journal_replayed_events 77");
	ck_line(s, "callscore_journal_files 2");
	ck_line(s, "callscore_journal_file_bytes 70000");
	ck_line(s, "callscore_journal_damaged_bytes 0");
	ck_line(s, "callscore_scopes{kind=\"agent\"} 5");
	ck_line(s, "callscore_uptime_seconds 100.5");
	ck_line(s, "callscore_start_time_seconds 1800000000");
	ck_line(s, "# TYPE callscore_build_info gauge");
	ck_line(s, "callscore_build_info{version=\"1.2.3\"} 1");

	/* Extras: one family header for consecutive entries. */
	ck_assert_uint_eq(count_str(s, "# TYPE callscore_agents gauge\n"), 1);
	ck_line(s, "callscore_agents{state=\"ready\"} 4");
	ck_line(s, "callscore_agents{state=\"not_ready\"} 1");
	ck_line(s, "callscore_calls_waiting 0");

	/* Every family has both headers; the output ends with a newline. */
	ck_assert_uint_eq(count_str(s, "# HELP "), count_str(s, "# TYPE "));
	ck_assert_uint_eq(count_str(s, "# TYPE "), 29 + 15 + 3 + 25 + 2);
	ck_assert_int_eq(s[strlen(s) - 1], '\n');
	free(s);
	free_totals();
}
END_TEST

/* Age counts from start before the first snapshot. */
START_TEST(test_render_no_snapshot)
{
	struct metrics_source	 src;
	struct metrics_scope	 scopes[3];
	struct metrics_extra	 extra[3];
	struct evbuffer		*out = evbuffer_new();
	char			*s;

	make_totals();
	fill_source(&src, scopes, extra);
	src.store.last_time = 0;
	src.nscopes = 0;
	src.nextra = 0;
	src.version = NULL;
	metrics_render(out, &src);
	evbuffer_add(out, "", 1);
	s = (char *)evbuffer_pullup(out, -1);
	ck_line(s, "callscore_snapshot_age_seconds 100");
	ck_line(s, "callscore_build_info{version=\"\"} 1");
	/* A family with no scope still has its headers, and no samples. */
	ck_line(s, "# TYPE callscore_calls_offered_total counter");
	ck_assert_ptr_null(strstr(s, "\ncallscore_calls_offered_total "));
	evbuffer_free(out);
	free_totals();
}
END_TEST

/* promtool's parser and linter, when installed. */
START_TEST(test_promtool)
{
	char	 path[] = "/tmp/check_metrics.XXXXXX", *s, cmd[256];
	FILE	*f;
	int	 fd, status;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		fprintf(stderr, "check_metrics: promtool not installed; "
		    "skipping its check\n");
		return;
	}
	make_totals();
	s = render_source();
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "promtool check metrics < %s 1>&2", path);
	status = system(cmd);
	unlink(path);
	ck_assert_int_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
	free(s);
	free_totals();
}
END_TEST

START_TEST(test_http_address)
{
	static const char	*bad[] = {
		"nonsense", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999",
		"127.0.0.1:123456", "127.0.0.1:8o", "::1:80", "[::1:80",
		"[::1]x:80",
	};
	struct event_base	*base = event_base_new();
	struct http		*h;
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		h = http_new(base, bad[i], NULL, NULL, &cause);
		ck_assert_msg(h == NULL, "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(cause);
		ck_assert_ptr_nonnull(strstr(cause, "host:port"));
		free(cause);
	}
	/* An empty host is loopback. */
	h = http_new(base, ":0", NULL, NULL, &cause);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(strncmp(http_address(h), "127.0.0.1:", 10), 0);
	ck_assert_str_ne(http_address(h), "127.0.0.1:0");
	http_free(h);
	http_free(NULL);
	event_base_free(base);
}
END_TEST

static void
test_render_cb(struct evbuffer *out, void *arg)
{
	int	*calls = arg;

	(*calls)++;
	evbuffer_add_printf(out, "# HELP x X.\n# TYPE x gauge\nx %d\n",
	    *calls);
}

static int
test_health_cb(char *reason, size_t len, void *arg)
{
	int	*healthy = arg;

	if (*healthy)
		return (1);
	snprintf(reason, len, "store: 3 snapshots failed");
	return (0);
}

static void
fetch_read_cb(struct bufferevent *bev, void *arg)
{
	struct fetch	*f = arg;

	evbuffer_add_buffer(f->resp, bufferevent_get_input(bev));
}

static void
fetch_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct fetch	*f = arg;

	if (what & (BEV_EVENT_EOF|BEV_EVENT_ERROR|BEV_EVENT_TIMEOUT)) {
		evbuffer_add_buffer(f->resp, bufferevent_get_input(bev));
		f->done = 1;
	}
}

/* Send a raw request to addr and run the loop until the server closes. */
static char *
fetch(struct event_base *base, const char *addr, const char *req,
    size_t reqlen)
{
	struct sockaddr_storage	 ss;
	struct bufferevent	*bev;
	struct timeval		 tv = { 5, 0 };
	struct fetch		 f;
	char			*s;
	int			 sslen = sizeof ss, i;
	size_t			 len;

	ck_assert_int_eq(evutil_parse_sockaddr_port(addr,
	    (struct sockaddr *)&ss, &sslen), 0);
	f.resp = evbuffer_new();
	f.done = 0;
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, fetch_read_cb, NULL, fetch_event_cb, &f);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ);
	ck_assert_int_eq(bufferevent_socket_connect(bev,
	    (struct sockaddr *)&ss, sslen), 0);
	bufferevent_write(bev, req, reqlen);
	for (i = 0; !f.done && i < FETCH_TURNS; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(f.done, 1);
	bufferevent_free(bev);

	len = evbuffer_get_length(f.resp);
	s = malloc(len + 1);
	ck_assert_ptr_nonnull(s);
	evbuffer_remove(f.resp, s, len);
	s[len] = '\0';
	evbuffer_free(f.resp);
	return (s);
}

#define FETCH(base, addr, req)	fetch(base, addr, req, strlen(req))

START_TEST(test_http_routes)
{
	struct event_base	*base;
	struct http		*h;
	const char		*addr;
	char			*cause = NULL, *r, big[2200];
	int			 calls = 0, healthy = 1, n;

	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	h = http_new(base, "127.0.0.1:0", test_render_cb, &calls, &cause);
	ck_assert_msg(h != NULL, "%s", cause);
	addr = http_address(h);

	r = FETCH(base, addr, "GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n");
	ck_assert_int_eq(strncmp(r, "HTTP/1.1 200 OK\r\n", 17), 0);
	ck_assert_ptr_nonnull(strstr(r, "\r\nContent-Type: text/plain; "
	    "version=0.0.4; charset=utf-8\r\n"));
	ck_assert_ptr_nonnull(strstr(r, "\r\nContent-Length: 31\r\n"));
	ck_assert_ptr_nonnull(strstr(r, "\r\n\r\n# HELP x X.\n# TYPE x gauge\n"
	    "x 1\n"));
	ck_assert_int_eq(calls, 1);
	free(r);

	/* A query string is ignored; HEAD has the length but no body. */
	r = FETCH(base, addr, "HEAD /metrics?debug=1 HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n");
	ck_assert_int_eq(strncmp(r, "HTTP/1.1 200 OK\r\n", 17), 0);
	ck_assert_ptr_nonnull(strstr(r, "\r\nContent-Length: 31\r\n"));
	ck_assert_str_eq(strstr(r, "\r\n\r\n"), "\r\n\r\n");
	ck_assert_int_eq(calls, 2);
	free(r);

	r = FETCH(base, addr, "GET /healthz HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(strncmp(r, "HTTP/1.0 200 OK\r\n", 17), 0);
	ck_assert_ptr_nonnull(strstr(r, "\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\n"));
	ck_assert_str_eq(strstr(r, "\r\n\r\n"), "\r\n\r\nok\n");
	free(r);

	http_set_health(h, test_health_cb, &healthy);
	r = FETCH(base, addr, "GET /healthz HTTP/1.0\r\n\r\n");
	ck_assert_str_eq(strstr(r, "\r\n\r\n"), "\r\n\r\nok\n");
	free(r);
	healthy = 0;
	r = FETCH(base, addr, "GET /healthz HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(strncmp(r, "HTTP/1.0 503 Service Unavailable\r\n",
	    34), 0);
	ck_assert_str_eq(strstr(r, "\r\n\r\n"),
	    "\r\n\r\nstore: 3 snapshots failed\n");
	free(r);

	r = FETCH(base, addr, "GET /nope HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(strncmp(r, "HTTP/1.0 404 Not Found\r\n", 24), 0);
	ck_assert_str_eq(strstr(r, "\r\n\r\n"), "\r\n\r\nnot found\n");
	free(r);
	r = FETCH(base, addr, "GET /metrics/x HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(strncmp(r, "HTTP/1.0 404 ", 13), 0);
	free(r);

	r = FETCH(base, addr, "POST /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\nContent-Length: 3\r\n\r\nabc");
	ck_assert_int_eq(strncmp(r, "HTTP/1.1 405 Method Not Allowed\r\n",
	    33), 0);
	ck_assert_ptr_nonnull(strstr(r, "\r\nAllow: GET, HEAD\r\n"));
	free(r);
	r = FETCH(base, addr, "DELETE /healthz HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(strncmp(r, "HTTP/1.0 405 ", 13), 0);
	free(r);
	ck_assert_int_eq(calls, 2);

	/* A body over the limit is refused by evhttp itself. */
	n = snprintf(big, sizeof big, "POST /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\nContent-Length: 2000\r\n\r\n");
	memset(big + n, 'a', sizeof big - n);
	r = fetch(base, addr, big, sizeof big);
	ck_assert_int_eq(strncmp(r, "HTTP/1.1 413 ", 13), 0);
	free(r);

	/* Garbage gets 400, and the server goes on. */
	r = FETCH(base, addr, "NONSENSE\r\n\r\n");
	ck_assert_int_eq(strncmp(r, "HTTP/1.1 400 ", 13), 0);
	free(r);
	r = FETCH(base, addr, "GET /metrics HTTP/1.0\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, "\r\n\r\n# HELP x X.\n# TYPE x gauge\n"
	    "x 3\n"));
	free(r);

	http_free(h);
	event_base_free(base);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc;

	tc = tcase_create("render");
	tcase_add_test(tc, test_format_value);
	tcase_add_test(tc, test_escape_label);
	tcase_add_test(tc, test_totals);
	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_render_no_snapshot);
	tcase_add_test(tc, test_promtool);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("http");
	tcase_add_test(tc, test_http_address);
	tcase_add_test(tc, test_http_routes);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(metrics_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
