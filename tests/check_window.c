/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for aggregates (classification of events, apply, merge, the
 * sketch pool) and rolling windows (rotation, expiry, late and future
 * events, serialization and restore, malformed blobs).  Times are
 * injected: nothing sleeps.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "agg.h"
#include "event.h"
#include "sketch.h"
#include "window.h"

#define MIN_MS	60000ULL
#define HOUR_MS	(60 * MIN_MS)
/* Aligned on an hour, so on every slot length used below. */
#define T0	(HOUR_MS * 10000)

static struct agg_params	params;

static void	params_init(void);
static void	call_event(struct event *, enum event_outcome, double,
		    double, double);
static void	contrib_call(struct contrib *, double);
static uint32_t	ring_offered(const struct ring *, const struct window_def *,
		    uint64_t, struct sketch_pool *);
static void	build_ring(struct ring *, const struct window_def *, uint64_t,
		    uint64_t *, size_t, struct sketch_pool *);
static void	agg_assert_equal(const struct agg *, const struct agg *, int);

static void
params_init(void)
{
	memset(&params, 0, sizeof params);
	params.sl_threshold = 20;
	params.short_abandon = 5;
	params.qa_criteria[0] = "greeting";
	params.qa_criteria[1] = "knowledge";
	params.nqa = 2;
}

/* A finished call; negative durations are left out of the event. */
static void
call_event(struct event *ev, enum event_outcome o, double wait, double talk,
    double hold)
{
	memset(ev, 0, sizeof *ev);
	ev->type = EVENT_CALL;
	ev->outcome = o;
	strcpy(ev->call_id, "c1");
	strcpy(ev->queue, "sales");
	if (wait >= 0) {
		ev->has |= EVENT_HAS_WAIT;
		ev->wait = wait;
	}
	if (talk >= 0) {
		ev->has |= EVENT_HAS_TALK;
		ev->talk = talk;
	}
	if (hold >= 0) {
		ev->has |= EVENT_HAS_HOLD;
		ev->hold = hold;
	}
}

static void
contrib_call(struct contrib *c, double wait)
{
	struct event	ev;

	call_event(&ev, EVENT_OUTCOME_ANSWERED, wait, 60, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, c), 0);
}

static uint32_t
ring_offered(const struct ring *r, const struct window_def *def,
    uint64_t now, struct sketch_pool *pool)
{
	struct agg	sum;
	uint32_t	n;

	ring_sum(r, def, now, &sum, pool);
	n = sum.offered;
	agg_clear(&sum, pool);
	return (n);
}

/*
 * n varied events (calls of every outcome, surveys, QA, esat) at the
 * times in t, added at now.
 */
static void
build_ring(struct ring *r, const struct window_def *def, uint64_t now,
    uint64_t *t, size_t n, struct sketch_pool *pool)
{
	struct event	ev;
	struct contrib	c;
	size_t		i;

	for (i = 0; i < n; i++) {
		switch (i % 6) {
		case 0:
		case 1:
			call_event(&ev, EVENT_OUTCOME_NONE, (double)(i % 37),
			    (double)(i % 300), (double)(i % 4) * 7.5);
			strcpy(ev.agent, "a1");
			ev.has |= EVENT_HAS_REVENUE | EVENT_HAS_RESOLVED;
			ev.revenue = (double)i * 0.25;
			ev.resolved = i % 2;
			break;
		case 2:
			call_event(&ev, EVENT_OUTCOME_ABANDONED,
			    (double)(i % 41), -1, -1);
			break;
		case 3:
			memset(&ev, 0, sizeof ev);
			ev.type = EVENT_SURVEY;
			ev.has = EVENT_HAS_CSAT | EVENT_HAS_NPS;
			ev.csat = 1 + (int)(i % 5);
			ev.nps = (int)(i % 11);
			break;
		case 4:
			memset(&ev, 0, sizeof ev);
			ev.type = EVENT_QA;
			strcpy(ev.qa[0].name, "greeting");
			ev.qa[0].value = (double)(i % 6);
			strcpy(ev.qa[1].name, "knowledge");
			ev.qa[1].value = 3;
			ev.nqa = 2;
			break;
		default:
			memset(&ev, 0, sizeof ev);
			ev.type = EVENT_ESAT;
			ev.has = EVENT_HAS_SCORE;
			ev.score = 1 + (int)(i % 5);
			break;
		}
		ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
		ck_assert_int_eq(ring_add(r, def, t[i], now, &c, pool), 0);
	}
}

/* Equal counts and sketches; sums exactly or within rounding. */
static void
agg_assert_equal(const struct agg *a, const struct agg *b, int exact)
{
	const double	*da, *db;
	size_t		 i, nd;
	int		 d;

	ck_assert_int_eq(memcmp(a, b, offsetof(struct agg, wait_answered)),
	    0);
	da = &a->wait_answered;
	db = &b->wait_answered;
	nd = (offsetof(struct agg, dist) - offsetof(struct agg,
	    wait_answered)) / sizeof (double);
	for (i = 0; i < nd; i++) {
		if (exact)
			ck_assert_msg(da[i] == db[i], "sum %zu", i);
		else
			ck_assert_msg(fabs(da[i] - db[i]) <=
			    1e-9 * (fabs(da[i]) + 1), "sum %zu", i);
	}
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if (a->dist[d] == NULL || b->dist[d] == NULL) {
			ck_assert_ptr_eq(a->dist[d], b->dist[d]);
			continue;
		}
		ck_assert_int_eq(memcmp(a->dist[d], b->dist[d],
		    sizeof (struct sketch)), 0);
	}
}

START_TEST(test_parse_span)
{
	static const char	*bad[] = {
		"", "m", "5", "5x", "5mm", "-5m", " 5m", "5 m", "0s", "0m",
		"5M", "1.5h", "1234567890123s", "+5m"
	};
	uint64_t		 ms;
	size_t			 i;

	ck_assert_int_eq(window_parse_span("30s", &ms), 0);
	ck_assert_uint_eq(ms, 30000);
	ck_assert_int_eq(window_parse_span("5m", &ms), 0);
	ck_assert_uint_eq(ms, 300000);
	ck_assert_int_eq(window_parse_span("1h", &ms), 0);
	ck_assert_uint_eq(ms, 3600000);
	ck_assert_int_eq(window_parse_span("2d", &ms), 0);
	ck_assert_uint_eq(ms, 172800000);
	ck_assert_int_eq(window_parse_span("90m", &ms), 0);
	ck_assert_uint_eq(ms, 5400000);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(window_parse_span(bad[i], &ms) == -1, "%s",
		    bad[i]);
}
END_TEST

START_TEST(test_def_init)
{
	struct window_def	def;

	ck_assert_int_eq(window_def_init(&def, "15m", 60), 0);
	ck_assert_str_eq(def.name, "15m");
	ck_assert_uint_eq(def.span_ms, 900000);
	ck_assert_uint_eq(def.nslots, 60);
	ck_assert_uint_eq(def.slot_ms, 15000);
	ck_assert_int_eq(window_def_init(&def, "24h", 96), 0);
	ck_assert_uint_eq(def.slot_ms, 900000);
	ck_assert_int_eq(window_def_init(&def, "1s", 1000), 0);
	ck_assert_uint_eq(def.slot_ms, 1);
	ck_assert_int_eq(window_def_init(&def, "5m", 7), -1);	/* 42857.1 */
	ck_assert_int_eq(window_def_init(&def, "1s", 1001), -1);
	ck_assert_int_eq(window_def_init(&def, "1h", 0), -1);
	ck_assert_int_eq(window_def_init(&def, "today", 1), -1);
	ck_assert_int_eq(window_def_init(&def, "0000000000000001s", 1), -1);
}
END_TEST

START_TEST(test_contrib_answered)
{
	struct event	ev;
	struct contrib	c;

	params_init();
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 15, 100, 10);
	ev.has |= EVENT_HAS_WRAP;
	ev.wrap = 20;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.offered, 1);
	ck_assert_uint_eq(c.delta.answered, 1);
	ck_assert_uint_eq(c.delta.abandoned, 0);
	ck_assert_uint_eq(c.delta.answered_in_sl, 1);
	ck_assert_uint_eq(c.delta.held, 1);
	ck_assert_uint_eq(c.delta.transferred, 0);
	ck_assert(c.delta.wait_answered == 15);
	ck_assert(c.delta.wait_all == 15);
	ck_assert(c.delta.wait_abandoned == 0);
	ck_assert(c.delta.talk == 100);
	ck_assert(c.delta.hold == 10);
	ck_assert(c.delta.wrap == 20);
	ck_assert_int_eq(c.dist_n[AGG_DIST_WAIT], 1);
	ck_assert_int_eq(c.dist_idx[AGG_DIST_WAIT], sketch_index(15));
	ck_assert_int_eq(c.dist_n[AGG_DIST_TALK], 1);
	ck_assert_int_eq(c.dist_idx[AGG_DIST_TALK], sketch_index(100));
	ck_assert_int_eq(c.dist_n[AGG_DIST_HOLD], 1);
	ck_assert_int_eq(c.dist_idx[AGG_DIST_HOLD], sketch_index(10));

	/* "Within T" includes T; no hold means not held, no hold value. */
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 20, 100, 0);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.answered_in_sl, 1);
	ck_assert_uint_eq(c.delta.held, 0);
	ck_assert_int_eq(c.dist_n[AGG_DIST_HOLD], 0);
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 20.5, -1, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.answered_in_sl, 0);
	ck_assert_int_eq(c.dist_n[AGG_DIST_TALK], 0);

	/* No wait: counts as 0 s but gives the wait sketch nothing. */
	call_event(&ev, EVENT_OUTCOME_ANSWERED, -1, 30, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.answered_in_sl, 1);
	ck_assert_int_eq(c.dist_n[AGG_DIST_WAIT], 0);
	ck_assert_int_eq(c.dist_n[AGG_DIST_TALK], 1);

	/* Zero wait goes to the sketch's zero bucket. */
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 0, 30, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_int_eq(c.dist_n[AGG_DIST_WAIT], 1);
	ck_assert_int_eq(c.dist_idx[AGG_DIST_WAIT], SKETCH_ZERO);
}
END_TEST

START_TEST(test_contrib_outcome_none)
{
	struct event	ev;
	struct contrib	c;

	params_init();
	/* An agent: answered. */
	call_event(&ev, EVENT_OUTCOME_NONE, 30, -1, -1);
	strcpy(ev.agent, "a1");
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.answered, 1);
	ck_assert_uint_eq(c.delta.abandoned, 0);
	ck_assert(c.delta.wait_answered == 30);
	/* Talk but no agent: answered. */
	call_event(&ev, EVENT_OUTCOME_NONE, 30, 12, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.answered, 1);
	/* Wait only: abandoned. */
	call_event(&ev, EVENT_OUTCOME_NONE, 30, -1, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.answered, 0);
	ck_assert_uint_eq(c.delta.abandoned, 1);
	ck_assert(c.delta.wait_abandoned == 30);
	ck_assert_int_eq(c.dist_n[AGG_DIST_WAIT], 1);
	/* talk = 0: still abandoned. */
	call_event(&ev, EVENT_OUTCOME_NONE, 3, 0, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.abandoned, 1);
	ck_assert_uint_eq(c.delta.short_abandoned, 1);
	ck_assert_int_eq(c.dist_n[AGG_DIST_TALK], 0);
}
END_TEST

START_TEST(test_contrib_abandon)
{
	static const struct {
		double		wait;
		uint32_t	shrt, in_sl;
	} cases[] = {
		{ 0, 1, 1 }, { 3, 1, 1 }, { 4.999, 1, 1 }, { 5, 0, 1 },
		{ 20, 0, 1 }, { 20.001, 0, 0 }, { 300, 0, 0 }
	};
	struct event	ev;
	struct contrib	c;
	size_t		i;

	params_init();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		call_event(&ev, EVENT_OUTCOME_ABANDONED, cases[i].wait, -1, -1);
		ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
		ck_assert_uint_eq(c.delta.offered, 1);
		ck_assert_uint_eq(c.delta.abandoned, 1);
		ck_assert_uint_eq(c.delta.answered, 0);
		ck_assert_uint_eq(c.delta.answered_in_sl, 0);
		ck_assert_uint_eq(c.delta.short_abandoned, cases[i].shrt);
		ck_assert_uint_eq(c.delta.abandoned_in_sl, cases[i].in_sl);
		ck_assert(c.delta.wait_abandoned == cases[i].wait);
		ck_assert(c.delta.wait_all == cases[i].wait);
	}
}
END_TEST

START_TEST(test_contrib_transfer_timeout)
{
	struct event	ev;
	struct contrib	c;

	params_init();
	call_event(&ev, EVENT_OUTCOME_TRANSFERRED, 10, 50, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.answered, 1);
	ck_assert_uint_eq(c.delta.transferred, 1);
	ck_assert_uint_eq(c.delta.answered_in_sl, 1);

	call_event(&ev, EVENT_OUTCOME_ANSWERED, 10, 50, -1);
	ev.has |= EVENT_HAS_TRANSFERRED;
	ev.transferred = 1;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.transferred, 1);
	ev.transferred = 0;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.transferred, 0);

	/* transfer_rate is over answered calls only. */
	call_event(&ev, EVENT_OUTCOME_ABANDONED, 10, -1, -1);
	ev.has |= EVENT_HAS_TRANSFERRED;
	ev.transferred = 1;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.transferred, 0);

	call_event(&ev, EVENT_OUTCOME_TIMEOUT, 600, -1, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.offered, 1);
	ck_assert_uint_eq(c.delta.timeouts, 1);
	ck_assert_uint_eq(c.delta.abandoned, 0);
	ck_assert_uint_eq(c.delta.answered, 0);
	ck_assert_uint_eq(c.delta.abandoned_in_sl, 0);
	ck_assert(c.delta.wait_all == 600);
	ck_assert(c.delta.wait_abandoned == 0);
	ck_assert_int_eq(c.dist_n[AGG_DIST_WAIT], 1);
}
END_TEST

START_TEST(test_contrib_other)
{
	struct event	ev;
	struct contrib	c;
	int		t;

	params_init();
	/* Flags, survey answers and revenue carried by a call. */
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 10, 50, -1);
	ev.has |= EVENT_HAS_FIRST_CONTACT | EVENT_HAS_RESOLVED |
	    EVENT_HAS_CSAT | EVENT_HAS_NPS | EVENT_HAS_REVENUE;
	ev.first_contact = 1;
	ev.resolved = 0;
	ev.csat = 4;
	ev.nps = 9;
	ev.revenue = -12.5;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.fc_n, 1);
	ck_assert_uint_eq(c.delta.fc_yes, 1);
	ck_assert_uint_eq(c.delta.res_n, 1);
	ck_assert_uint_eq(c.delta.res_yes, 0);
	ck_assert_uint_eq(c.delta.csat_n, 1);
	ck_assert_uint_eq(c.delta.csat_pos, 1);
	ck_assert(c.delta.csat_sum == 4);
	ck_assert_uint_eq(c.delta.nps_n, 1);
	ck_assert_uint_eq(c.delta.nps_pro, 1);
	ck_assert_uint_eq(c.delta.nps_det, 0);
	ck_assert_uint_eq(c.delta.revenue_n, 1);
	ck_assert(c.delta.revenue == -12.5);

	/* Survey: csat 3 (not positive), nps 6 (detractor), not a call. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_SURVEY;
	ev.has = EVENT_HAS_CSAT | EVENT_HAS_NPS;
	ev.csat = 3;
	ev.nps = 6;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.offered, 0);
	ck_assert_uint_eq(c.delta.csat_n, 1);
	ck_assert_uint_eq(c.delta.csat_pos, 0);
	ck_assert(c.delta.csat_sum == 3);
	ck_assert_uint_eq(c.delta.nps_n, 1);
	ck_assert_uint_eq(c.delta.nps_pro, 0);
	ck_assert_uint_eq(c.delta.nps_det, 1);
	ck_assert_int_eq(c.dist_n[AGG_DIST_WAIT], 0);
	ev.nps = 7;	/* passive */
	ev.has = EVENT_HAS_NPS;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.csat_n, 0);
	ck_assert_uint_eq(c.delta.nps_n, 1);
	ck_assert_uint_eq(c.delta.nps_pro + c.delta.nps_det, 0);
	ev.has = 0;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), -1);

	/* QA: mean of all scores, criteria by exact name; 0-100. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_QA;
	strcpy(ev.qa[0].name, "greeting");
	ev.qa[0].value = 4;
	strcpy(ev.qa[1].name, "listening");
	ev.qa[1].value = 3;
	strcpy(ev.qa[2].name, "knowledge");
	ev.qa[2].value = 5;
	strcpy(ev.qa[3].name, "greetings");
	ev.qa[3].value = 0;
	ev.nqa = 4;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.qa_n, 1);
	ck_assert(fabs(c.delta.qa_sum - 60) < 1e-9);	/* 12/4*20 */
	ck_assert_uint_eq(c.delta.qa_crit_n[0], 1);
	ck_assert(c.delta.qa_crit_sum[0] == 80);
	ck_assert_uint_eq(c.delta.qa_crit_n[1], 1);
	ck_assert(c.delta.qa_crit_sum[1] == 100);
	ck_assert_uint_eq(c.delta.qa_crit_n[2], 0);
	ev.nqa = 0;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), -1);

	/* ESAT. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_ESAT;
	ev.has = EVENT_HAS_SCORE;
	ev.score = 4;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.esat_n, 1);
	ck_assert_uint_eq(c.delta.esat_pos, 1);
	ev.score = 3;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.esat_n, 1);
	ck_assert_uint_eq(c.delta.esat_pos, 0);
	ev.has = 0;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), -1);

	/* Lifecycle and agent events add nothing here. */
	for (t = EVENT_CALL_QUEUED; t <= EVENT_CALL_ENDED; t++) {
		memset(&ev, 0, sizeof ev);
		ev.type = (enum event_type)t;
		ck_assert_int_eq(agg_contrib(&ev, &params, &c), -1);
	}
	ev.type = EVENT_AGENT;
	ev.state = EVENT_STATE_READY;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), -1);
	ev.type = EVENT_NONE;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), -1);
}
END_TEST

START_TEST(test_agg_apply_merge)
{
	struct sketch_pool	*pool;
	struct event		 ev;
	struct contrib		 c1, c2, c3;
	struct agg		 a, b;

	params_init();
	pool = sketch_pool_new();
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	ck_assert(agg_is_empty(&a));

	call_event(&ev, EVENT_OUTCOME_ANSWERED, 10, 100, 30);
	agg_contrib(&ev, &params, &c1);
	call_event(&ev, EVENT_OUTCOME_ABANDONED, 40, -1, -1);
	agg_contrib(&ev, &params, &c2);
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_ESAT;
	ev.has = EVENT_HAS_SCORE;
	ev.score = 5;
	agg_contrib(&ev, &params, &c3);

	/* The esat contrib takes no sketch. */
	agg_apply(&a, &c3, pool);
	ck_assert(!agg_is_empty(&a));
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	agg_apply(&a, &c1, pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 3);
	agg_apply(&a, &c2, pool);
	agg_apply(&a, &c1, pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 3);
	ck_assert_uint_eq(a.offered, 3);
	ck_assert_uint_eq(a.answered, 2);
	ck_assert_uint_eq(a.abandoned, 1);
	ck_assert_uint_eq(a.held, 2);
	ck_assert_uint_eq(a.esat_n, 1);
	ck_assert(a.wait_all == 60);
	ck_assert(a.talk == 200);
	ck_assert(a.hold == 60);
	ck_assert_uint_eq(a.dist[AGG_DIST_WAIT]->count, 3);
	ck_assert_uint_eq(a.dist[AGG_DIST_TALK]->count, 2);
	ck_assert_uint_eq(a.dist[AGG_DIST_HOLD]->count, 2);
	ck_assert(fabs(sketch_quantile(a.dist[AGG_DIST_WAIT], 1) - 40) <=
	    0.4);

	/* b = a + a */
	agg_merge(&b, &a, pool);
	agg_merge(&b, &a, pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 6);
	ck_assert_uint_eq(b.offered, 6);
	ck_assert(b.wait_all == 120);
	ck_assert_uint_eq(b.dist[AGG_DIST_WAIT]->count, 6);
	ck_assert_uint_eq(b.dist[AGG_DIST_HOLD]->bucket[sketch_index(30)],
	    4);

	agg_clear(&a, pool);
	ck_assert(agg_is_empty(&a));
	ck_assert_ptr_null(a.dist[AGG_DIST_WAIT]);
	ck_assert_uint_eq(sketch_pool_live(pool), 3);
	agg_clear(&b, pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);

	/* Reused sketches come back zeroed. */
	agg_apply(&a, &c2, pool);
	ck_assert_uint_eq(a.dist[AGG_DIST_WAIT]->count, 1);
	ck_assert_uint_eq(sketch_pool_live(pool), 1);
	agg_clear(&a, pool);
	sketch_pool_free(pool);
	sketch_pool_free(NULL);
}
END_TEST

START_TEST(test_ring_rotation)
{
	struct sketch_pool	*pool;
	struct window_def	 def;
	struct ring		*r;
	struct contrib		 c;
	struct agg		 sum;
	uint64_t		 now;
	int			 i;

	params_init();
	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&def, "5m", 5), 0);
	r = ring_new(&def);
	ck_assert(ring_is_empty(r));

	/* One call per minute, waiting 1, 2, ... 5 s. */
	for (i = 0; i < 5; i++) {
		now = T0 + (uint64_t)i * MIN_MS + 30000;
		contrib_call(&c, i + 1);
		ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	}
	ck_assert(!ring_is_empty(r));
	now = T0 + 5 * MIN_MS - 1;
	ring_sum(r, &def, now, &sum, pool);
	ck_assert_uint_eq(sum.offered, 5);
	ck_assert(sum.wait_all == 15);
	ck_assert_uint_eq(sum.dist[AGG_DIST_WAIT]->count, 5);
	agg_clear(&sum, pool);
	ck_assert_uint_eq(ring_expire(r, &def, now, pool), 0);

	/* Exactly at the boundary the first minute leaves. */
	now = T0 + 5 * MIN_MS;
	ring_sum(r, &def, now, &sum, pool);
	ck_assert_uint_eq(sum.offered, 4);
	ck_assert(sum.wait_all == 14);
	agg_clear(&sum, pool);
	/* Each slot has a wait and a talk sketch. */
	ck_assert_uint_eq(sketch_pool_live(pool), 10);
	ck_assert_uint_eq(ring_expire(r, &def, now, pool), 1);
	ck_assert_uint_eq(ring_expire(r, &def, now, pool), 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 8);

	/* The reused slot starts clean. */
	contrib_call(&c, 10);
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	ring_sum(r, &def, now, &sum, pool);
	ck_assert_uint_eq(sum.offered, 5);
	ck_assert(sum.wait_all == 24);
	agg_clear(&sum, pool);

	/* Without expire, a stale slot is reused in place. */
	now = T0 + 6 * MIN_MS;
	contrib_call(&c, 100);
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	ck_assert_uint_eq(ring_offered(r, &def, now, pool), 5);
	ring_sum(r, &def, now, &sum, pool);
	ck_assert(sum.wait_all == 122);	/* 3 + 4 + 5 + 10 + 100 */
	agg_clear(&sum, pool);

	/* Long after, everything is gone. */
	now = T0 + 60 * MIN_MS;
	ck_assert_uint_eq(ring_offered(r, &def, now, pool), 0);
	ck_assert(!ring_is_empty(r));
	ck_assert_uint_eq(ring_expire(r, &def, now, pool), 5);
	ck_assert(ring_is_empty(r));
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	ring_free(r, pool);
	ring_free(NULL, pool);
	sketch_pool_free(pool);
}
END_TEST

START_TEST(test_ring_late_future)
{
	struct sketch_pool	*pool;
	struct window_def	 def;
	struct ring		*r;
	struct contrib		 c;
	uint64_t		 now;

	params_init();
	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&def, "5m", 5), 0);
	r = ring_new(&def);
	contrib_call(&c, 1);

	now = T0 + 4 * MIN_MS + 30000;
	ck_assert_int_eq(ring_add(r, &def, T0, now, &c, pool), 0);
	ck_assert_int_eq(ring_add(r, &def, T0 - 1, now, &c, pool), -1);
	ck_assert_int_eq(ring_add(r, &def, 0, now, &c, pool), -1);
	ck_assert_uint_eq(ring_offered(r, &def, now, pool), 1);
	/* Ten minutes ahead counts as now (minute 4), not minute 14. */
	ck_assert_int_eq(ring_add(r, &def, now + 10 * MIN_MS, now, &c, pool),
	    0);
	ck_assert_uint_eq(ring_offered(r, &def, now, pool), 2);
	ck_assert_uint_eq(ring_offered(r, &def, T0 + 9 * MIN_MS - 1, pool), 1);
	ck_assert_uint_eq(ring_offered(r, &def, T0 + 9 * MIN_MS, pool), 0);

	/* Minute 5 takes slot 0; minute 0 cannot come back if now goes
	 * back to minute 4. */
	now = T0 + 5 * MIN_MS;
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	ck_assert_int_eq(ring_add(r, &def, T0, T0 + 4 * MIN_MS, &c, pool),
	    -1);
	ck_assert_uint_eq(ring_offered(r, &def, now, pool), 2);
	/* Slots newer than now are not expired. */
	ck_assert_uint_eq(ring_expire(r, &def, T0 + 4 * MIN_MS, pool), 0);

	/* Early in the steady epoch: no underflow. */
	ring_free(r, pool);
	r = ring_new(&def);
	ck_assert_int_eq(ring_add(r, &def, 0, 1000, &c, pool), 0);
	ck_assert_int_eq(ring_add(r, &def, 5, 0, &c, pool), 0);
	ck_assert_uint_eq(ring_offered(r, &def, 0, pool), 2);
	ck_assert_uint_eq(ring_offered(r, &def, 4 * MIN_MS, pool), 2);
	ck_assert_uint_eq(ring_offered(r, &def, 5 * MIN_MS, pool), 0);
	ring_free(r, pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	sketch_pool_free(pool);
}
END_TEST

START_TEST(test_ring_windows)
{
	static const char	*names[] = { "5m", "15m", "1h", "24h" };
	static const uint32_t	 slots[] = { 5, 3, 60, 96 };
	static const uint64_t	 age[] = {
		0, 2 * MIN_MS, 10 * MIN_MS, 50 * MIN_MS, 70 * MIN_MS,
		23 * HOUR_MS, 25 * HOUR_MS
	};
	static const uint32_t	 want[] = { 2, 3, 4, 6 };
	struct sketch_pool	*pool;
	struct window_def	 def[4];
	struct ring		*r[4];
	struct contrib		 c;
	uint64_t		 now;
	size_t			 w, i;
	int			 rv;

	params_init();
	pool = sketch_pool_new();
	/* The last millisecond of a quarter hour ends a slot in each. */
	now = T0 + 15 * MIN_MS - 1;
	contrib_call(&c, 1);
	for (w = 0; w < 4; w++) {
		ck_assert_int_eq(window_def_init(&def[w], names[w], slots[w]),
		    0);
		r[w] = ring_new(&def[w]);
		for (i = 0; i < sizeof age / sizeof age[0]; i++) {
			rv = ring_add(r[w], &def[w], now - age[i], now, &c,
			    pool);
			ck_assert_int_eq(rv, i < want[w] ? 0 : -1);
		}
		ck_assert_uint_eq(ring_offered(r[w], &def[w], now, pool),
		    want[w]);
	}
	for (w = 0; w < 4; w++)
		ring_free(r[w], pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	sketch_pool_free(pool);
}
END_TEST

START_TEST(test_ring_serialize)
{
	struct sketch_pool	*pool;
	struct window_def	 def, def5, def12;
	struct ring		*r, *r2, *r3;
	struct agg		 s1, s2;
	unsigned char		*blob, *blob2, *blob3;
	uint64_t		 t[300], now;
	uint32_t		 late, last5;
	size_t			 len, len2, len3, i;

	params_init();
	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&def, "1h", 60), 0);
	ck_assert_int_eq(window_def_init(&def12, "1h", 12), 0);
	ck_assert_int_eq(window_def_init(&def5, "5m", 5), 0);
	/* Minute 59 of an hour: also the last of a 5-minute slot. */
	now = T0 + HOUR_MS - 1;
	late = last5 = 0;
	for (i = 0; i < 300; i++) {
		t[i] = T0 + (i * 7919 * 1009) % HOUR_MS;
		if (i % 6 < 3 && t[i] >= T0 + 10 * MIN_MS)
			late++;
		if (i % 6 < 3 && t[i] >= T0 + 55 * MIN_MS)
			last5++;
	}
	r = ring_new(&def);
	build_ring(r, &def, now, t, 300, pool);
	ring_sum(r, &def, now, &s1, pool);
	ck_assert_uint_eq(s1.offered, 150);
	ck_assert_uint_eq(s1.qa_n, 50);

	blob = ring_serialize(r, &def, now, &len);
	ck_assert_ptr_nonnull(blob);

	/* Same definition: identical sums, identical blob again. */
	r2 = ring_new(&def);
	ck_assert_int_eq(ring_restore(r2, &def, now, blob, len, pool), 0);
	ring_sum(r2, &def, now, &s2, pool);
	agg_assert_equal(&s1, &s2, 1);
	agg_clear(&s2, pool);
	blob2 = ring_serialize(r2, &def, now, &len2);
	ck_assert_uint_eq(len2, len);
	ck_assert_int_eq(memcmp(blob, blob2, len), 0);
	free(blob2);
	/* Restoring adds. */
	ck_assert_int_eq(ring_restore(r2, &def, now, blob, len, pool), 0);
	ck_assert_uint_eq(ring_offered(r2, &def, now, pool), 300);
	ring_free(r2, pool);

	/* Ten minutes later the first ten minutes are skipped. */
	r2 = ring_new(&def);
	ck_assert_int_eq(ring_restore(r2, &def, now + 10 * MIN_MS, blob, len,
	    pool), 0);
	ck_assert_uint_eq(ring_offered(r2, &def, now + 10 * MIN_MS, pool),
	    late);
	ck_assert_uint_lt(late, 150);
	ring_free(r2, pool);
	/* Far later, nothing. */
	r2 = ring_new(&def);
	ck_assert_int_eq(ring_restore(r2, &def, now + 2 * HOUR_MS, blob, len,
	    pool), 0);
	ck_assert(ring_is_empty(r2));
	ring_free(r2, pool);

	/* Re-binned into 5-minute slots: the same window, the same sums. */
	r2 = ring_new(&def12);
	ck_assert_int_eq(ring_restore(r2, &def12, now, blob, len, pool), 0);
	ring_sum(r2, &def12, now, &s2, pool);
	agg_assert_equal(&s1, &s2, 0);
	agg_clear(&s2, pool);
	/* And back into minutes. */
	blob2 = ring_serialize(r2, &def12, now, &len2);
	r3 = ring_new(&def);
	ck_assert_int_eq(ring_restore(r3, &def, now, blob2, len2, pool), 0);
	ring_sum(r3, &def, now, &s2, pool);
	agg_assert_equal(&s1, &s2, 0);
	agg_clear(&s2, pool);
	blob3 = ring_serialize(r3, &def, now, &len3);
	ck_assert_uint_lt(len2, len);		/* 12 records, not 60 */
	free(blob2);
	free(blob3);
	ring_free(r2, pool);
	ring_free(r3, pool);

	/* Into a shorter window: only the last five minutes. */
	r2 = ring_new(&def5);
	ck_assert_int_eq(ring_restore(r2, &def5, now, blob, len, pool), 0);
	ck_assert_uint_eq(ring_offered(r2, &def5, now, pool), last5);
	ck_assert_uint_gt(last5, 0);
	ring_free(r2, pool);

	/* An empty ring serializes to a header only, and restores. */
	r2 = ring_new(&def);
	blob2 = ring_serialize(r2, &def, now, &len2);
	ck_assert_uint_eq(len2, 32);
	ck_assert_int_eq(ring_restore(r2, &def, now, blob2, len2, pool), 0);
	ck_assert(ring_is_empty(r2));
	free(blob2);
	ring_free(r2, pool);

	free(blob);
	agg_clear(&s1, pool);
	ring_free(r, pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	sketch_pool_free(pool);
}
END_TEST

START_TEST(test_ring_restore_bad)
{
	struct sketch_pool	*pool;
	struct window_def	 def;
	struct ring		*r, *r2;
	unsigned char		*blob, *bad;
	uint64_t		 t[40], now;
	size_t			 len, i, j;

	params_init();
	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&def, "15m", 15), 0);
	now = T0 + 15 * MIN_MS - 1;
	for (i = 0; i < 40; i++)
		t[i] = T0 + i * 20000;
	r = ring_new(&def);
	build_ring(r, &def, now, t, 40, pool);
	blob = ring_serialize(r, &def, now, &len);
	ring_free(r, pool);

	/* Every truncation is rejected. */
	for (i = 0; i < len; i++) {
		r = ring_new(&def);
		ck_assert_msg(ring_restore(r, &def, now, blob, i, pool) == -1,
		    "prefix %zu of %zu", i, len);
		ring_free(r, pool);
		ck_assert_uint_eq(sketch_pool_live(pool), 0);
	}
	r = ring_new(&def);
	ck_assert_int_eq(ring_restore(r, &def, now, NULL, 0, pool), -1);
	ck_assert_int_eq(ring_restore(r, &def, now, blob, len, pool), 0);
	ck_assert_uint_eq(ring_offered(r, &def, now, pool), 21);
	ring_free(r, pool);

	bad = malloc(len + 1);
	/* Trailing garbage, bad magic, version, field counts, slot_ms 0. */
	memcpy(bad, blob, len);
	bad[len] = 0;
	r = ring_new(&def);
	ck_assert_int_eq(ring_restore(r, &def, now, bad, len + 1, pool), -1);
	ring_free(r, pool);
	for (i = 0; i < 5; i++) {
		static const size_t	off[] = { 0, 4, 16, 24, 8 };

		memcpy(bad, blob, len);
		if (off[i] == 8)
			memset(bad + 8, 0, 8);
		else
			bad[off[i]] ^= 1;
		r = ring_new(&def);
		ck_assert_msg(ring_restore(r, &def, now, bad, len, pool) == -1,
		    "offset %zu", off[i]);
		ring_free(r, pool);
	}

	/* Flipped bits anywhere: any result, but no crash and no leak. */
	for (i = 0; i < len; i++) {
		for (j = 0; j < 8; j += 3) {
			memcpy(bad, blob, len);
			bad[i] ^= (unsigned char)(1 << j);
			r2 = ring_new(&def);
			(void)ring_restore(r2, &def, now, bad, len, pool);
			ring_free(r2, pool);
			ck_assert_uint_eq(sketch_pool_live(pool), 0);
		}
	}
	free(bad);
	free(blob);
	sketch_pool_free(pool);
}
END_TEST

static Suite *
window_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("window");
	tc = tcase_create("agg");
	tcase_add_test(tc, test_contrib_answered);
	tcase_add_test(tc, test_contrib_outcome_none);
	tcase_add_test(tc, test_contrib_abandon);
	tcase_add_test(tc, test_contrib_transfer_timeout);
	tcase_add_test(tc, test_contrib_other);
	tcase_add_test(tc, test_agg_apply_merge);
	suite_add_tcase(s, tc);

	tc = tcase_create("ring");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_parse_span);
	tcase_add_test(tc, test_def_init);
	tcase_add_test(tc, test_ring_rotation);
	tcase_add_test(tc, test_ring_late_future);
	tcase_add_test(tc, test_ring_windows);
	tcase_add_test(tc, test_ring_serialize);
	tcase_add_test(tc, test_ring_restore_bad);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(window_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
