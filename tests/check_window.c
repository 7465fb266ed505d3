/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for aggregates (classification of events, apply, merge, the
 * sketch pool) and rolling windows (rotation, expiry, late and future
 * events, serialization and restore, malformed blobs), ring sets (the
 * staged current period against rings added to one event at a time,
 * grouped or no distributions), and the packed slots under them: fields
 * of every kind and size, sparse and dense distributions, the promotion
 * boundaries, pool accounting.  Times are injected: nothing sleeps.
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
#define NOVAL	(-2)		/* no value for dist_contrib() */

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
static void	dist_contrib(struct contrib *, int, int, int);
static void	slot_sum(const struct agg_slot *, struct agg *,
		    struct sketch_pool *);
static void	stats(struct sketch_pool *, struct sketch_pool_stats *);
static void	put_le(unsigned char **, uint64_t, int);

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

/* A call with the given bucket per dist, or NOVAL. */
static void
dist_contrib(struct contrib *c, int wait, int talk, int hold)
{
	memset(c, 0, sizeof *c);
	c->delta.offered = 1;
	c->delta.answered = 1;
	c->delta.wait_all = 1.5;
	c->dist_idx[AGG_DIST_WAIT] = wait;
	c->dist_n[AGG_DIST_WAIT] = wait != NOVAL;
	c->dist_idx[AGG_DIST_TALK] = talk;
	c->dist_n[AGG_DIST_TALK] = talk != NOVAL;
	c->dist_idx[AGG_DIST_HOLD] = hold;
	c->dist_n[AGG_DIST_HOLD] = hold != NOVAL;
}

static void
slot_sum(const struct agg_slot *s, struct agg *a, struct sketch_pool *pool)
{
	memset(a, 0, sizeof *a);
	agg_slot_sum(a, s, pool);
}

static void
stats(struct sketch_pool *pool, struct sketch_pool_stats *st)
{
	sketch_pool_stats(pool, st);
}

static void
put_le(unsigned char **p, uint64_t v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		*(*p)++ = (unsigned char)(v >> (8 * i));
}

/* An unsigned LEB128 varint. */
static void
put_v(unsigned char **p, uint64_t v)
{
	while (v >= 0x80) {
		*(*p)++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*(*p)++ = (unsigned char)v;
}

/* cust_n: answered calls naming a customer, whatever else they carry. */
START_TEST(test_contrib_customer)
{
	struct event	ev;
	struct contrib	c;

	params_init();
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 5, 60, -1);
	strcpy(ev.customer, "+491");
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.cust_n, 1);
	ck_assert_uint_eq(c.delta.repeated, 0);
	ck_assert_uint_eq(c.parts, 0);		/* inline, no block */
	call_event(&ev, EVENT_OUTCOME_TRANSFERRED, 5, 60, -1);
	strcpy(ev.customer, "+491");
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.cust_n, 1);
	/* No outcome but an agent: answered. */
	call_event(&ev, EVENT_OUTCOME_NONE, 5, -1, -1);
	strcpy(ev.agent, "a1");
	strcpy(ev.customer, "+491");
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.cust_n, 1);
	/* Abandoned, timed out, or no customer: not counted. */
	call_event(&ev, EVENT_OUTCOME_ABANDONED, 30, -1, -1);
	strcpy(ev.customer, "+491");
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.cust_n, 0);
	call_event(&ev, EVENT_OUTCOME_TIMEOUT, 300, -1, -1);
	strcpy(ev.customer, "+491");
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.cust_n, 0);
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 5, 60, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.cust_n, 0);
	/* A survey naming a customer is not a call. */
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_SURVEY;
	ev.has = EVENT_HAS_CSAT;
	ev.csat = 5;
	strcpy(ev.customer, "+491");
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.delta.cust_n, 0);
}
END_TEST

/*
 * The agent block: a slot grows into it alongside survey and QA blocks,
 * in any order, keeps what it held, sums like agg_apply(), and a slot
 * with only agent seconds is not empty.
 */
START_TEST(test_slot_agent_block)
{
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct agg_slot		*s;
	struct agg		 want, got;
	struct contrib		 occ, sv, qa, call;
	struct event		 ev;

	pool = sketch_pool_new();
	params_init();
	memset(&want, 0, sizeof want);

	memset(&occ, 0, sizeof occ);
	occ.delta.busy = 12.5;
	occ.delta.ready = 7.5;
	occ.parts = agg_parts(&occ.delta);
	ck_assert_uint_eq(occ.parts, AGG_PART_AGENT);
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_SURVEY;
	ev.has = EVENT_HAS_CSAT;
	ev.csat = 4;
	ck_assert_int_eq(agg_contrib(&ev, &params, &sv), 0);
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_QA;
	strcpy(ev.qa[0].name, "greeting");
	ev.qa[0].value = 4;
	ev.nqa = 1;
	ck_assert_int_eq(agg_contrib(&ev, &params, &qa), 0);
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 5, 60, -1);
	strcpy(ev.customer, "+491");
	ck_assert_int_eq(agg_contrib(&ev, &params, &call), 0);

	s = agg_slot_get(pool);
	agg_slot_apply(&s, &occ, 1, pool);
	agg_apply(&want, &occ, pool);
	ck_assert_int_eq(agg_slot_is_empty(s), 0);
	ck_assert_int_eq(agg_is_empty(&want), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.agents, 1);
	ck_assert_uint_eq(st.surveys, 0);
	agg_slot_apply(&s, &sv, 1, pool);
	agg_apply(&want, &sv, pool);
	agg_slot_apply(&s, &occ, 1, pool);
	agg_apply(&want, &occ, pool);
	agg_slot_apply(&s, &qa, 1, pool);
	agg_apply(&want, &qa, pool);
	agg_slot_apply(&s, &call, 1, pool);
	agg_apply(&want, &call, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots, 1);
	ck_assert_uint_eq(st.agents, 1);
	ck_assert_uint_eq(st.surveys, 1);
	ck_assert_uint_eq(st.qas, 1);

	slot_sum(s, &got, pool);
	agg_assert_equal(&want, &got, 1);
	ck_assert_double_eq(got.busy, 25);
	ck_assert_double_eq(got.ready, 15);
	ck_assert_uint_eq(got.csat_n, 1);
	ck_assert_uint_eq(got.qa_n, 1);
	ck_assert_uint_eq(got.cust_n, 1);
	agg_clear(&got, pool);
	agg_slot_counts(s, &got);
	ck_assert_double_eq(got.busy, 25);
	ck_assert_double_eq(got.qa_sum, 80);

	agg_slot_put(pool, s);
	agg_clear(&want, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.agents + st.surveys + st.qas +
	    st.sparse + st.dense + st.bytes_live, 0);
	sketch_pool_free(pool);
}
END_TEST

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
	ck_assert_uint_eq(c.parts, AGG_PART_QA);
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
	ck_assert_uint_eq(c.parts, AGG_PART_SURVEY);
	ev.has = 0;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), -1);

	/* The blocks a slot needs: none for a bare call. */
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 10, 50, -1);
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.parts, 0);
	ev.has |= EVENT_HAS_NPS;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_uint_eq(c.parts, AGG_PART_SURVEY);
	memset(&c, 0, sizeof c);
	c.delta.qa_crit_sum[7] = 20;
	ck_assert_uint_eq(agg_parts(&c.delta), AGG_PART_QA);
	c.delta.csat_sum = 1;
	ck_assert_uint_eq(agg_parts(&c.delta), AGG_PART_QA | AGG_PART_SURVEY);

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

	/* Ranges of slot starts: minutes 2 to 4 hold 3 + 4 + 5 s. */
	ring_sum_range(r, &def, T0 + 2 * MIN_MS, T0 + 5 * MIN_MS, now, &sum,
	    pool);
	ck_assert_uint_eq(sum.offered, 3);
	ck_assert(sum.wait_all == 12);
	agg_clear(&sum, pool);
	/* A range starting inside a slot leaves that slot out. */
	ring_sum_range(r, &def, T0 + 2 * MIN_MS + 1, UINT64_MAX, now, &sum,
	    pool);
	ck_assert_uint_eq(sum.offered, 4);	/* minutes 3, 4, 5, 6 */
	ck_assert(sum.wait_all == 119);
	ck_assert_uint_eq(sum.dist[AGG_DIST_WAIT]->count, 4);
	agg_clear(&sum, pool);
	ring_sum_range(r, &def, 0, T0 + 2 * MIN_MS, now, &sum, pool);
	ck_assert_uint_eq(sum.offered, 0);	/* minute 1 has left */
	ring_sum_range(r, &def, T0 + 3 * MIN_MS, T0 + 3 * MIN_MS, now, &sum,
	    pool);
	ck_assert_uint_eq(sum.offered, 0);

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

/*
 * The same contributions into a dense struct agg and into a slot: the
 * same counts, sums and buckets, so the same quantiles.
 */
START_TEST(test_slot_equals_agg)
{
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct agg_slot		*s;
	struct agg		 a, b;
	struct event		 ev;
	struct contrib		 c;
	size_t			 i;
	int			 d;

	params_init();
	pool = sketch_pool_new();
	memset(&a, 0, sizeof a);
	s = agg_slot_get(pool);
	/* 1000 events, 714 calls: not busy, so sparse. */
	for (i = 0; i < 1000; i++) {
		switch (i % 7) {
		case 0:
			memset(&ev, 0, sizeof ev);
			ev.type = EVENT_QA;
			strcpy(ev.qa[0].name, "knowledge");
			ev.qa[0].value = (double)(i % 6);
			ev.nqa = 1;
			break;
		case 1:
			memset(&ev, 0, sizeof ev);
			ev.type = EVENT_SURVEY;
			ev.has = EVENT_HAS_CSAT;
			ev.csat = 1 + (int)(i % 5);
			break;
		default:
			call_event(&ev, i % 3 ? EVENT_OUTCOME_ANSWERED :
			    EVENT_OUTCOME_ABANDONED, (double)(i % 97) * 1.7,
			    (double)(i * 31 % 1900) + 0.25,
			    i % 4 ? -1 : (double)(i % 50));
			break;
		}
		ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
		agg_apply(&a, &c, pool);
		agg_slot_apply(&s, &c, 0, pool);
	}
	stats(pool, &st);
	ck_assert_uint_eq(st.slots, 1);
	ck_assert_uint_eq(st.surveys, 1);
	ck_assert_uint_eq(st.qas, 1);
	ck_assert_uint_eq(st.sparse, 1);	/* not current: never hot */
	ck_assert_uint_eq(st.dense, 3);		/* a's */
	ck_assert(!agg_slot_is_empty(s));

	slot_sum(s, &b, pool);
	agg_assert_equal(&a, &b, 1);
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		ck_assert_ptr_nonnull(b.dist[d]);
		ck_assert(sketch_quantile(a.dist[d], 0.5) ==
		    sketch_quantile(b.dist[d], 0.5));
		ck_assert(sketch_quantile(a.dist[d], 0.9) ==
		    sketch_quantile(b.dist[d], 0.9));
		ck_assert(sketch_quantile(a.dist[d], 0.99) ==
		    sketch_quantile(b.dist[d], 0.99));
	}
	agg_clear(&b, pool);
	/* Counts only, no dists. */
	agg_slot_counts(s, &b);
	ck_assert_uint_eq(b.offered, a.offered);
	ck_assert(b.qa_crit_sum[1] == a.qa_crit_sum[1]);
	ck_assert(b.csat_sum == a.csat_sum);
	ck_assert_ptr_null(b.dist[0]);

	agg_clear(&a, pool);
	agg_slot_put(pool, s);
	agg_slot_put(pool, NULL);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.sparse + st.dense + st.bytes_live, 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	sketch_pool_free(pool);
}
END_TEST

/*
 * One sparse block holds 1023 entries of all three dists; the 1024th
 * makes the dist with most entries dense, and only that one.
 */
START_TEST(test_slot_promotion)
{
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct agg_slot		*s;
	struct agg		 a, b;
	struct contrib		 c;
	int			 i, n = NOVAL;

	pool = sketch_pool_new();
	memset(&a, 0, sizeof a);
	s = agg_slot_get(pool);
	/* wait: zero bucket + buckets 0..599; talk: 0..421 = 1023. */
	for (i = -1; i < 600; i++) {
		dist_contrib(&c, i, i >= 0 && i < 422 ? i : n, n);
		agg_apply(&a, &c, pool);
		agg_slot_apply(&s, &c, 0, pool);
	}
	ck_assert_uint_eq(sketch_pool_live(pool), 2 + 2);
	stats(pool, &st);
	ck_assert_uint_eq(st.sparse, 1);
	ck_assert_uint_eq(st.dense, 2);		/* a's */
	/* Existing entries still count in place. */
	dist_contrib(&c, 599, 421, n);
	agg_apply(&a, &c, pool);
	agg_slot_apply(&s, &c, 0, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 2);

	/* A new talk bucket: wait (601 entries) goes dense. */
	dist_contrib(&c, n, 422, n);
	agg_apply(&a, &c, pool);
	agg_slot_apply(&s, &c, 0, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 3);
	ck_assert_uint_eq(st.sparse, 1);
	ck_assert_uint_eq(sketch_pool_live(pool), 2 + 2);
	/* Hold joins the sparse block; wait values go to the dense one. */
	dist_contrib(&c, 1000, n, 7);
	agg_apply(&a, &c, pool);
	agg_slot_apply(&s, &c, 0, pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 3 + 3);

	slot_sum(s, &b, pool);
	agg_assert_equal(&a, &b, 1);
	agg_clear(&b, pool);
	/* Encodings per dist, whatever the form, are the dense ones. */
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		unsigned char	*e1, *e2;
		size_t		 need;

		need = sketch_encode(a.dist[i], NULL, 0);
		ck_assert_uint_eq(agg_slot_encode_dist(s, (enum agg_dist)i,
		    NULL, 0), need);
		e1 = malloc(need);
		e2 = malloc(need);
		sketch_encode(a.dist[i], e1, need);
		ck_assert_uint_eq(agg_slot_encode_dist(s, (enum agg_dist)i,
		    e2, need), need);
		ck_assert_int_eq(memcmp(e1, e2, need), 0);
		free(e1);
		free(e2);
	}
	/* Not busy: compacting does not fit 1025 entries... */
	agg_slot_compact(&s, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 4);
	agg_slot_put(pool, s);
	agg_clear(&a, pool);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);

	/* Every dist alone past 1023 entries: dense, counts intact. */
	s = agg_slot_get(pool);
	memset(&a, 0, sizeof a);
	for (i = -1; i < SKETCH_NBUCKETS; i++) {
		dist_contrib(&c, n, n, i);
		agg_apply(&a, &c, pool);
		agg_slot_apply(&s, &c, 0, pool);
	}
	stats(pool, &st);
	ck_assert_uint_eq(st.sparse, 0);
	ck_assert_uint_eq(st.dense, 2);
	ck_assert_uint_eq(sketch_pool_live(pool), 2);
	slot_sum(s, &b, pool);
	agg_assert_equal(&a, &b, 1);
	agg_clear(&b, pool);
	agg_clear(&a, pool);
	agg_slot_put(pool, s);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.sparse + st.dense, 0);
	sketch_pool_free(pool);
}
END_TEST

/* A bucket count past 2^20 - 1 does not fit an entry: dense. */
START_TEST(test_slot_count_overflow)
{
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct agg_slot		*s;
	struct sketch		*k;
	struct agg		 b;
	unsigned char		 buf[64];
	size_t			 len;

	pool = sketch_pool_new();
	k = calloc(1, sizeof *k);
	k->bucket[100] = SKETCH_SPARSE_NMAX;
	k->zero = 5;
	k->count = SKETCH_SPARSE_NMAX + 5;
	len = sketch_encode(k, buf, sizeof buf);
	s = agg_slot_get(pool);
	ck_assert_int_eq(agg_slot_add_dist(&s, AGG_DIST_TALK, buf, len, pool),
	    0);
	/* Two entries: in the slot. */
	stats(pool, &st);
	ck_assert_uint_eq(st.sparse, 0);
	ck_assert_uint_eq(st.dense, 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 1);
	ck_assert(!agg_slot_is_empty(s));
	/* One more in the same bucket: too many for 20 bits. */
	ck_assert_int_eq(agg_slot_add_dist(&s, AGG_DIST_TALK, buf, len, pool),
	    0);
	stats(pool, &st);
	ck_assert_uint_eq(st.sparse, 0);
	ck_assert_uint_eq(st.dense, 1);
	slot_sum(s, &b, pool);
	ck_assert_uint_eq(b.dist[AGG_DIST_TALK]->bucket[100],
	    2 * SKETCH_SPARSE_NMAX);
	ck_assert_uint_eq(b.dist[AGG_DIST_TALK]->zero, 10);
	ck_assert_ptr_null(b.dist[AGG_DIST_WAIT]);
	agg_clear(&b, pool);
	/* Bad blobs add nothing. */
	ck_assert_int_eq(agg_slot_add_dist(&s, AGG_DIST_WAIT, buf, len - 1,
	    pool), -1);
	ck_assert_int_eq(agg_slot_add_dist(&s, AGG_DIST_COUNT, buf, len,
	    pool), -1);
	ck_assert_uint_eq(agg_slot_encode_dist(s, AGG_DIST_WAIT, NULL, 0), 0);
	/* A huge zero count alone, straight to dense. */
	memset(k, 0, sizeof *k);
	k->zero = k->count = (uint64_t)1 << 40;
	len = sketch_encode(k, buf, sizeof buf);
	ck_assert_int_eq(agg_slot_add_dist(&s, AGG_DIST_HOLD, buf, len, pool),
	    0);
	slot_sum(s, &b, pool);
	ck_assert_uint_eq(b.dist[AGG_DIST_HOLD]->zero, (uint64_t)1 << 40);
	agg_clear(&b, pool);
	agg_slot_put(pool, s);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	free(k);
	sketch_pool_free(pool);
}
END_TEST

/*
 * The current slot goes dense after 64 calls, and back to sparse once
 * the ring moves on; one offered 1024 calls stays dense.
 */
START_TEST(test_slot_hot_compact)
{
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct window_def	 def;
	struct ring		*r;
	struct contrib		 c;
	struct agg		 a, b;
	uint64_t		 now;
	int			 i;

	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&def, "5m", 5), 0);
	r = ring_new(&def);
	memset(&a, 0, sizeof a);
	now = T0 + 30000;
	for (i = 0; i < 63; i++) {
		dist_contrib(&c, i % 40, 100 + i % 3, NOVAL);
		agg_apply(&a, &c, pool);
		ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	}
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 2);		/* a's */
	/* The 64th call: dense from now on. */
	dist_contrib(&c, 3, 7, 9);
	agg_apply(&a, &c, pool);
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 3 + 3);
	ck_assert_uint_eq(st.sparse, 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 6);
	ring_sum(r, &def, now, &b, pool);
	agg_assert_equal(&a, &b, 1);
	agg_clear(&b, pool);

	/* The next minute is still current-ish: a late event stays dense. */
	now += MIN_MS;
	dist_contrib(&c, 4, 7, 9);
	agg_apply(&a, &c, pool);
	ck_assert_int_eq(ring_add(r, &def, now - MIN_MS, now, &c, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 6);
	/* Two minutes on: compacted, same sums. */
	now += MIN_MS;
	dist_contrib(&c, 4, NOVAL, NOVAL);
	agg_apply(&a, &c, pool);
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 3);
	ck_assert_uint_eq(st.sparse, 0);	/* few entries: in the slots */
	ck_assert_uint_eq(sketch_pool_live(pool), 3 + 4);
	ring_sum(r, &def, now, &b, pool);
	agg_assert_equal(&a, &b, 1);
	agg_clear(&b, pool);
	/* A late event into the compacted slot: sparse, counted. */
	dist_contrib(&c, 500, 500, 500);
	agg_apply(&a, &c, pool);
	ck_assert_int_eq(ring_add(r, &def, T0, now, &c, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 3);
	ring_sum(r, &def, now, &b, pool);
	agg_assert_equal(&a, &b, 1);
	agg_clear(&b, pool);
	agg_clear(&a, pool);
	ring_free(r, pool);

	/*
	 * Busy: 1100 calls in the slot.  Compacted, 700 entries are smaller
	 * than the dense sketch; with talk and hold too, 1000 + 600 + 300
	 * are too many: wait, the largest, stays dense.
	 */
	r = ring_new(&def);
	now = T0 + 30000;
	memset(&a, 0, sizeof a);
	for (i = 0; i < 1100; i++) {
		dist_contrib(&c, i % 700, NOVAL, NOVAL);
		ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
		agg_apply(&a, &c, pool);
	}
	ck_assert_uint_eq(ring_expire(r, &def, now + 2 * MIN_MS, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 1);		/* a's */
	ck_assert_uint_eq(st.sparse, 1);
	ring_sum(r, &def, now + 2 * MIN_MS, &b, pool);
	agg_assert_equal(&a, &b, 1);
	agg_clear(&b, pool);
	agg_clear(&a, pool);
	ring_free(r, pool);
	r = ring_new(&def);
	for (i = 0; i < 1100; i++) {
		dist_contrib(&c, i % 1000, i % 600, i % 300);
		ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
		agg_apply(&a, &c, pool);
	}
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 3 + 3);
	ck_assert_uint_eq(ring_expire(r, &def, now + 2 * MIN_MS, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 3 + 1);
	ck_assert_uint_eq(st.sparse, 1);
	ck_assert_uint_eq(sketch_pool_live(pool), 3 + 3);
	ring_sum(r, &def, now + 2 * MIN_MS, &b, pool);
	agg_assert_equal(&a, &b, 1);
	agg_clear(&b, pool);
	agg_clear(&a, pool);
	ring_free(r, pool);

	/* Not busy: ring_expire compacts slots no longer current. */
	r = ring_new(&def);
	for (i = 0; i < 100; i++) {
		dist_contrib(&c, i % 70, NOVAL, NOVAL);
		ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	}
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 1);
	ck_assert_uint_eq(ring_expire(r, &def, now + MIN_MS, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 1);		/* still current-ish */
	ck_assert_uint_eq(ring_expire(r, &def, now + 2 * MIN_MS, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 0);
	ck_assert_uint_eq(st.sparse, 1);
	ck_assert_uint_eq(ring_offered(r, &def, now + 2 * MIN_MS, pool), 100);
	/* The sketch compaction gave back comes out all zero. */
	{
		struct sketch	*k, *zero;

		zero = calloc(1, sizeof *zero);
		k = sketch_pool_get(pool);
		ck_assert_int_eq(memcmp(k, zero, sizeof *k), 0);
		sketch_pool_put(pool, k);
		free(zero);
	}
	ring_free(r, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.sparse + st.dense + st.bytes_live, 0);
	sketch_pool_free(pool);
}
END_TEST

/*
 * Slots are taken when written and given back when they leave the
 * window: by ring_add() as its clock moves, or ring_expire().  The pool
 * counts return to zero.
 */
START_TEST(test_pool_accounting)
{
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct window_def	 def;
	struct ring		*r, *r2;
	struct contrib		 c;
	uint64_t		 t[120], now;
	size_t			 i, bytes;

	params_init();
	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&def, "1h", 60), 0);
	r = ring_new(&def);
	r2 = ring_new(&def);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.bytes, 0);
	now = T0 + HOUR_MS - 1;
	for (i = 0; i < 120; i++)
		t[i] = T0 + (i / 2) * MIN_MS;	/* two events a minute */
	build_ring(r, &def, now, t, 120, pool);
	build_ring(r2, &def, now, t, 120, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots, 120);
	/*
	 * Surveys at i % 6 == 3 (minutes 1, 4, 7...), esat at 5 and QA at
	 * 4 (minutes 2, 5, 8...): 20 + 20 slots with a survey block, 20
	 * with a QA block, per ring.
	 */
	ck_assert_uint_eq(st.surveys, 80);
	ck_assert_uint_eq(st.qas, 40);
	ck_assert_uint_eq(st.dense, 0);
	ck_assert_uint_eq(st.sparse, 0);	/* entries in the slots */
	ck_assert_uint_gt(sketch_pool_live(pool), 0);
	ck_assert_uint_gt(st.bytes, st.bytes_live);
	bytes = st.bytes;

	/* Half an hour on, one add frees the thirty minutes that left. */
	now += 30 * MIN_MS;
	dist_contrib(&c, 5, NOVAL, NOVAL);
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots, 60 + 30 + 1);
	ck_assert_uint_eq(ring_offered(r, &def, now, pool), 30 + 1);
	/* r2 saw no add: its slots wait for ring_expire(). */
	ck_assert_uint_eq(ring_expire(r2, &def, now, pool), 30);
	ck_assert_uint_eq(ring_expire(r2, &def, now, pool), 0);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots, 30 + 30 + 1);

	/* A day later, everything is back in the pool; memory is kept. */
	now += 24 * HOUR_MS;
	ck_assert_uint_eq(ring_expire(r, &def, now, pool), 31);
	ck_assert_uint_eq(ring_expire(r2, &def, now, pool), 30);
	ck_assert(ring_is_empty(r));
	ck_assert(ring_is_empty(r2));
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.surveys + st.qas + st.sparse +
	    st.dense + st.bytes_live, 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	bytes = st.bytes;
	/* The same again a day later: memory reused, not grown. */
	for (i = 0; i < 120; i++)
		t[i] += 25 * HOUR_MS;
	now = T0 + 26 * HOUR_MS - 1;
	build_ring(r, &def, now, t, 120, pool);
	build_ring(r2, &def, now, t, 120, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots, 120);
	ck_assert_uint_eq(st.bytes, bytes);
	ring_free(r, pool);
	ring_free(r2, pool);
	sketch_pool_free(pool);
}
END_TEST

/*
 * The blob format is the v3 one whatever the slots' form: checked
 * against bytes written here field by field.  The same contents written
 * as a version 2 blob restore to a ring that writes those v3 bytes.
 */
START_TEST(test_ring_blob_v3)
{
	struct sketch_pool	*pool;
	struct window_def	 def;
	struct ring		*r;
	struct contrib		 c;
	struct sketch		*k;
	unsigned char		 want[512], v2[1024], *p, *blob;
	unsigned char		 wsk[64], tsk[64];
	uint64_t		 now, bits;
	double			 d;
	size_t			 len, n2, wn, tn, i, hdr = 32, sn;

	pool = sketch_pool_new();
	k = calloc(1, sizeof *k);
	ck_assert_int_eq(window_def_init(&def, "5m", 5), 0);
	r = ring_new(&def);
	now = T0 + 2 * MIN_MS + 1000;
	dist_contrib(&c, 10, SKETCH_ZERO, NOVAL);
	c.delta.esat_n = 1;		/* a survey block */
	c.delta.cust_n = 1;
	c.delta.repeated = 1;
	c.delta.busy = 1.25;		/* an agent block */
	c.delta.ready = 0.5;
	c.parts = AGG_PART_SURVEY | AGG_PART_AGENT;
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	/* A sum that is not whole milliseconds goes as its bits. */
	c = (struct contrib){ 0 };
	c.delta.talk = 0.0001;
	ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	blob = ring_serialize(r, &def, now, &len);

	k->count = 2;
	k->bucket[10] = 2;
	wn = sketch_encode(k, wsk, sizeof wsk);
	memset(k, 0, sizeof *k);
	k->count = k->zero = 2;
	tn = sketch_encode(k, tsk, sizeof tsk);

	p = want;
	memcpy(p, "CSRG", 4);
	p += 4;
	put_le(&p, 3, 4);			/* version */
	put_le(&p, MIN_MS, 8);			/* slot_ms */
	put_le(&p, 32, 4);
	put_le(&p, 19, 4);
	put_le(&p, 3, 4);
	put_le(&p, 1, 4);			/* records */
	put_v(&p, T0 / MIN_MS + 2);		/* the slot, from 0 */
	/* offered, answered; esat_n the 21st u32; cust_n, repeated last */
	put_v(&p, 1U << 0 | 1U << 1 | 1U << 20 | 1U << 30 | 1U << 31);
	for (i = 0; i < 5; i++)
		put_v(&p, 2);
	/* wait_all, talk; busy and ready the last two */
	put_v(&p, 1U << 2 | 1U << 3 | 1U << 17 | 1U << 18);
	put_v(&p, 3000 * 2);			/* 3 s */
	put_v(&p, 1);				/* 0.0001 s, as bits */
	d = 0.0001;
	memcpy(&bits, &d, sizeof bits);
	put_le(&p, bits, 8);
	put_v(&p, 2500 * 2);
	put_v(&p, 1000 * 2);
	put_v(&p, wn);
	memcpy(p, wsk, wn);
	p += wn;
	put_v(&p, tn);
	memcpy(p, tsk, tn);
	p += tn;
	put_v(&p, 0);				/* no hold */
	ck_assert_uint_eq(len, (size_t)(p - want));
	ck_assert_int_eq(memcmp(blob, want, len), 0);
	ring_free(r, pool);

	/* Version 2: every field at its full width. */
	p = v2;
	memcpy(p, "CSRG", 4);
	p += 4;
	put_le(&p, 2, 4);
	put_le(&p, MIN_MS, 8);
	put_le(&p, 32, 4);
	put_le(&p, 19, 4);
	put_le(&p, 3, 4);
	put_le(&p, 1, 4);
	put_le(&p, T0 + 2 * MIN_MS, 8);
	for (i = 0; i < 32; i++)
		put_le(&p, i < 2 || i == 20 || i >= 30 ? 2 : 0, 4);
	for (i = 0; i < 19; i++) {
		d = i == 2 ? 3.0 : i == 3 ? 0.0001 : i == 17 ? 2.5 :
		    i == 18 ? 1.0 : 0.0;
		memcpy(&bits, &d, sizeof bits);
		put_le(&p, bits, 8);
	}
	put_le(&p, wn, 4);
	memcpy(p, wsk, wn);
	p += wn;
	put_le(&p, tn, 4);
	memcpy(p, tsk, tn);
	p += tn;
	put_le(&p, 0, 4);
	r = ring_new(&def);
	ck_assert_int_eq(ring_restore(r, &def, now, v2, (size_t)(p - v2),
	    pool), 0);
	free(blob);
	blob = ring_serialize(r, &def, now, &n2);
	ck_assert_uint_eq(n2, len);
	ck_assert_int_eq(memcmp(blob, want, len), 0);
	ring_free(r, pool);

	/* v2's header on a v3 record: refused. */
	memcpy(v2, want, len);
	v2[4] = 2;
	r = ring_new(&def);
	ck_assert_int_eq(ring_restore(r, &def, now, v2, len, pool), -1);
	/* A slot number whose start overflows: refused, else the same. */
	p = v2;
	put_v(&p, T0 / MIN_MS + 2);
	sn = (size_t)(p - v2);
	for (i = 0; i < 2; i++) {
		memcpy(v2, want, hdr);
		p = v2 + hdr;
		put_v(&p, i == 0 ? UINT64_MAX / MIN_MS + 1 : T0 / MIN_MS + 2);
		memcpy(p, want + hdr + sn, len - hdr - sn);
		p += len - hdr - sn;
		ck_assert_int_eq(ring_restore(r, &def, now, v2,
		    (size_t)(p - v2), pool), i == 0 ? -1 : 0);
	}
	free(blob);
	free(k);
	ring_free(r, pool);
	sketch_pool_free(pool);
}
END_TEST

/*
 * A version 1 blob, written before repeat contacts and agent seconds
 * (30 u32 and 17 f64 fields), restores with those fields 0; a version
 * with the other version's field counts is refused.
 */
START_TEST(test_ring_restore_v1)
{
	struct sketch_pool	*pool;
	struct window_def	 def;
	struct ring		*r;
	struct agg		 sum;
	unsigned char		 blob[1024], *p;
	uint64_t		 now, bits;
	double			 d;
	size_t			 len, i;

	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&def, "5m", 5), 0);
	now = T0 + 2 * MIN_MS + 1000;

	p = blob;
	memcpy(p, "CSRG", 4);
	p += 4;
	put_le(&p, 1, 4);			/* version */
	put_le(&p, MIN_MS, 8);
	put_le(&p, 30, 4);
	put_le(&p, 17, 4);
	put_le(&p, 3, 4);
	put_le(&p, 2, 4);			/* records */
	for (i = 0; i < 2; i++) {
		put_le(&p, T0 + i * MIN_MS, 8);
		put_le(&p, 3, 4);		/* offered */
		put_le(&p, 2, 4);		/* answered */
		put_le(&p, 1, 4);		/* abandoned */
		for (len = 3; len < 30; len++)
			put_le(&p, 0, 4);	/* the other u32, 0 */
		d = 40.0;			/* wait_answered */
		memcpy(&bits, &d, sizeof bits);
		put_le(&p, bits, 8);
		for (len = 1; len < 17; len++)
			put_le(&p, 0, 8);	/* the other f64, 0 */
		put_le(&p, 0, 4);		/* no dists */
		put_le(&p, 0, 4);
		put_le(&p, 0, 4);
	}
	len = (size_t)(p - blob);

	r = ring_new(&def);
	ck_assert_int_eq(ring_restore(r, &def, now, blob, len, pool), 0);
	ring_sum(r, &def, now, &sum, pool);
	ck_assert_uint_eq(sum.offered, 6);
	ck_assert_uint_eq(sum.answered, 4);
	ck_assert_uint_eq(sum.abandoned, 2);
	ck_assert_double_eq(sum.wait_answered, 80);
	ck_assert_uint_eq(sum.cust_n, 0);
	ck_assert_uint_eq(sum.repeated, 0);
	ck_assert_double_eq(sum.busy, 0);
	ck_assert_double_eq(sum.ready, 0);
	agg_clear(&sum, pool);

	/* Truncated anywhere: refused. */
	for (i = 0; i < len; i++)
		ck_assert_int_eq(ring_restore(r, &def, now, blob, i, pool), -1);
	/* Version 1 with version 2's counts, and the other way: refused. */
	blob[4] = 1;
	blob[16] = 32;
	blob[20] = 19;
	ck_assert_int_eq(ring_restore(r, &def, now, blob, len, pool), -1);
	blob[4] = 2;
	blob[16] = 30;
	blob[20] = 17;
	ck_assert_int_eq(ring_restore(r, &def, now, blob, len, pool), -1);
	blob[4] = 4;			/* a future version */
	ck_assert_int_eq(ring_restore(r, &def, now, blob, len, pool), -1);
	ring_free(r, pool);
	sketch_pool_free(pool);
}
END_TEST

/*
 * Repeat contacts and agent seconds round trip, including a slot that
 * holds only agent seconds (no counter), which must not be taken for
 * empty; and a repeat added later to an earlier slot.
 */
START_TEST(test_ring_new_fields)
{
	struct sketch_pool	*pool;
	struct window_def	 def;
	struct ring		*r, *r2;
	struct agg		 sum, sum2;
	struct contrib		 c, rep, occ;
	struct event		 ev;
	unsigned char		*blob, *blob2;
	uint64_t		 now;
	size_t			 len, len2;

	pool = sketch_pool_new();
	params_init();
	ck_assert_int_eq(window_def_init(&def, "5m", 5), 0);
	r = ring_new(&def);
	now = T0 + 4 * MIN_MS;

	/* Two answered calls with a customer, one without, at minute 0. */
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 5, 60, -1);
	strcpy(ev.customer, "+491");
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_int_eq(ring_add(r, &def, T0, now, &c, pool), 0);
	ck_assert_int_eq(ring_add(r, &def, T0 + 1, now, &c, pool), 0);
	ev.customer[0] = '\0';
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	ck_assert_int_eq(ring_add(r, &def, T0 + 2, now, &c, pool), 0);
	/* One was repeated: credited at its own time. */
	memset(&rep, 0, sizeof rep);
	rep.delta.repeated = 1;
	rep.parts = agg_parts(&rep.delta);
	ck_assert_uint_eq(rep.parts, 0);
	ck_assert_int_eq(ring_add(r, &def, T0, now, &rep, pool), 0);
	/* Agent seconds at minutes 0 and 3 (the latter nothing else). */
	memset(&occ, 0, sizeof occ);
	occ.delta.busy = 45;
	occ.delta.ready = 15;
	occ.parts = agg_parts(&occ.delta);
	ck_assert_uint_eq(occ.parts, AGG_PART_AGENT);
	ck_assert_int_eq(ring_add(r, &def, T0 + 10, now, &occ, pool), 0);
	ck_assert_int_eq(ring_add(r, &def, T0 + 3 * MIN_MS, now, &occ, pool),
	    0);
	/* Already out of the window: dropped. */
	ck_assert_int_eq(ring_add(r, &def, T0 - MIN_MS, now, &rep, pool), -1);

	ring_sum(r, &def, now, &sum, pool);
	ck_assert_uint_eq(sum.answered, 3);
	ck_assert_uint_eq(sum.cust_n, 2);
	ck_assert_uint_eq(sum.repeated, 1);
	ck_assert_double_eq(sum.busy, 90);
	ck_assert_double_eq(sum.ready, 30);

	blob = ring_serialize(r, &def, now, &len);
	r2 = ring_new(&def);
	ck_assert_int_eq(ring_restore(r2, &def, now, blob, len, pool), 0);
	ck_assert_int_eq(ring_is_empty(r2), 0);
	ring_sum(r2, &def, now, &sum2, pool);
	agg_assert_equal(&sum, &sum2, 1);
	blob2 = ring_serialize(r2, &def, now, &len2);
	ck_assert_uint_eq(len, len2);
	ck_assert_int_eq(memcmp(blob, blob2, len), 0);
	free(blob2);
	agg_clear(&sum2, pool);

	/* At minute 7, only the agent-seconds slot of minute 3 is left. */
	ring_free(r2, pool);
	r2 = ring_new(&def);
	ck_assert_int_eq(ring_restore(r2, &def, T0 + 7 * MIN_MS, blob, len,
	    pool), 0);
	ck_assert_int_eq(ring_is_empty(r2), 0);
	ring_sum(r2, &def, T0 + 7 * MIN_MS, &sum2, pool);
	ck_assert_uint_eq(sum2.answered, 0);
	ck_assert_double_eq(sum2.busy, 45);
	ck_assert_double_eq(sum2.ready, 15);
	agg_clear(&sum2, pool);
	free(blob);
	blob = ring_serialize(r2, &def, T0 + 7 * MIN_MS, &len);
	ck_assert_uint_gt(len, 28);		/* one record, not a header */
	free(blob);

	agg_clear(&sum, pool);
	ring_free(r, pool);
	ring_free(r2, pool);
	sketch_pool_free(pool);
}
END_TEST

/*
 * A ring with sparse, dense (busy) and mixed slots: round trip, and every
 * truncation and bit flip is safe.
 */
START_TEST(test_ring_serialize_forms)
{
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct window_def	 def;
	struct ring		*r, *r2;
	struct contrib		 c;
	struct agg		 s1, s2;
	unsigned char		*blob, *blob2, *bad;
	uint64_t		 now;
	size_t			 len, len2, i;
	int			 j;

	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&def, "15m", 3), 0);
	r = ring_new(&def);
	now = T0 + 15 * MIN_MS - 1;
	/*
	 * Slot 0: 600 calls with new wait and talk buckets each, not busy:
	 * 1200 entries, so wait is promoted when the block is full.
	 */
	for (j = 0; j < 600; j++) {
		dist_contrib(&c, j, j, NOVAL);
		ck_assert_int_eq(ring_add(r, &def, T0, now, &c, pool), 0);
	}
	/* Slot 1: 1100 calls, busy: dense after 1024. */
	for (i = 0; i < 1100; i++) {
		dist_contrib(&c, (int)(i % 300), (int)(i % 11), NOVAL);
		ck_assert_int_eq(ring_add(r, &def, T0 + 5 * MIN_MS, now, &c,
		    pool), 0);
	}
	/* Slot 2, current: a few values. */
	for (j = 0; j < 5; j++) {
		dist_contrib(&c, j, NOVAL, j * 100);
		ck_assert_int_eq(ring_add(r, &def, now, now, &c, pool), 0);
	}
	/* Slot 2's ten entries are in the slot. */
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 3);
	ck_assert_uint_eq(st.sparse, 1);
	ck_assert_uint_eq(sketch_pool_live(pool), 2 + 2 + 2);

	ring_sum(r, &def, now, &s1, pool);
	blob = ring_serialize(r, &def, now, &len);
	r2 = ring_new(&def);
	ck_assert_int_eq(ring_restore(r2, &def, now, blob, len, pool), 0);
	/* Restored, what fits is sparse: only slot 0's wait is dense. */
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 3 + 3 + 1);	/* r, s1, r2 */
	ck_assert_uint_eq(st.sparse, 1 + 2);
	ring_sum(r2, &def, now, &s2, pool);
	agg_assert_equal(&s1, &s2, 1);
	agg_clear(&s2, pool);
	blob2 = ring_serialize(r2, &def, now, &len2);
	ck_assert_uint_eq(len2, len);
	ck_assert_int_eq(memcmp(blob, blob2, len), 0);
	free(blob2);
	ring_free(r2, pool);

	bad = malloc(len);
	for (i = 0; i < len; i += (i < 200 ? 1 : 7)) {
		r2 = ring_new(&def);
		ck_assert_int_eq(ring_restore(r2, &def, now, blob, i, pool),
		    -1);
		ring_free(r2, pool);
		for (j = 0; j < 8; j += 3) {
			memcpy(bad, blob, len);
			bad[i] ^= (unsigned char)(1 << j);
			r2 = ring_new(&def);
			(void)ring_restore(r2, &def, now, bad, len, pool);
			ring_free(r2, pool);
		}
	}
	free(bad);
	free(blob);
	agg_clear(&s1, pool);
	ring_free(r, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.sparse + st.dense + st.bytes_live, 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	sketch_pool_free(pool);
}
END_TEST

static uint64_t	rnd_state;

static uint32_t
rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return ((uint32_t)(rnd_state >> 11) % n);
}

/* A random contrib: calls of any shape, surveys, QA, agent seconds. */
static void
random_contrib(struct contrib *c, int wide)
{
	struct event	ev;
	uint32_t	span = wide ? SKETCH_NBUCKETS + 40 : 30;

	switch (rnd(10)) {
	case 0:
		memset(c, 0, sizeof *c);
		c->delta.busy = (double)rnd(100) * 0.5;
		c->delta.ready = (double)rnd(3);
		c->parts = agg_parts(&c->delta);
		return;
	case 1:
		memset(&ev, 0, sizeof ev);
		ev.type = EVENT_SURVEY;
		ev.has = EVENT_HAS_CSAT | EVENT_HAS_NPS;
		ev.csat = 1 + (int)rnd(5);
		ev.nps = (int)rnd(11);
		break;
	case 2:
		memset(&ev, 0, sizeof ev);
		ev.type = EVENT_QA;
		strcpy(ev.qa[0].name, "greeting");
		ev.qa[0].value = (double)rnd(6);
		ev.nqa = 1;
		break;
	default:
		dist_contrib(c, (int)rnd(span) - 2, rnd(4) ? (int)rnd(span) :
		    NOVAL, rnd(3) ? NOVAL : (int)rnd(span));
		c->delta.talk = (double)rnd(1000) * 0.25;
		c->delta.repeated = rnd(5) == 0;
		c->parts = agg_parts(&c->delta);
		return;
	}
	ck_assert_int_eq(agg_contrib(&ev, &params, c), 0);
}

/* The windows of the set and of the rings alone hold the same. */
static void
set_assert_equal(struct ring **a, struct ring **b,
    const struct window_def *defs, size_t n, uint64_t now,
    struct sketch_pool *pool)
{
	struct agg	 sa, sb;
	unsigned char	*ba, *bb;
	size_t		 i, la, lb;

	for (i = 0; i < n; i++) {
		ring_sum(a[i], &defs[i], now, &sa, pool);
		ring_sum(b[i], &defs[i], now, &sb, pool);
		agg_assert_equal(&sa, &sb, 1);
		agg_clear(&sa, pool);
		agg_clear(&sb, pool);
		ba = ring_serialize(a[i], &defs[i], now, &la);
		bb = ring_serialize(b[i], &defs[i], now, &lb);
		ck_assert_uint_eq(la, lb);
		ck_assert_int_eq(memcmp(ba, bb, la), 0);
		ck_assert_int_eq(ring_is_empty(a[i]), ring_is_empty(b[i]));
		free(ba);
		free(bb);
	}
}

/*
 * ring_set_add() is ring_add() to each ring: random times (late, future,
 * out of every window, the clock stepping back), random contribs, quiet
 * and busy periods (the stage and the accumulating slot filling up),
 * reads and expiry at random points.  Sums are of halves and quarters,
 * so exact in any order: the blobs are compared byte for byte.
 */
START_TEST(test_set_equals_rings)
{
	static const struct {
		const char	*name;
		uint32_t	 nslots;
	} w[] = { { "1m", 6 }, { "5m", 5 }, { "1h", 4 }, { "2h", 8 } };
	struct window_def	 defs[4];
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct ring_set		*set;
	struct ring		**sr, *r[4];
	struct contrib		 c;
	uint64_t		 now, t;
	size_t			 i, k;
	int			 rv, want, burst = 0, wide = 0;

	params_init();
	rnd_state = 88172645463325252ULL + (uint64_t)_i;
	pool = sketch_pool_new();
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(window_def_init(&defs[i], w[i].name,
		    w[i].nslots), 0);
		r[i] = ring_new(&defs[i]);
	}
	set = ring_set_new(defs, 4, 1, pool);
	sr = ring_set_rings(set);
	now = T0 + 7;
	for (k = 0; k < 30000; k++) {
		if (burst > 0)
			burst--;
		else if (rnd(400) == 0) {
			burst = 50 + (int)rnd(1600);
			wide = rnd(2);
		}
		switch (burst > 0 ? 0 : rnd(100)) {
		case 0:
			break;
		case 1:
			now += 10000 + rnd(60000);
			break;
		case 2:
			if (rnd(10) == 0)
				now += 20 * MIN_MS + rnd(3 * HOUR_MS);
			break;
		case 3:
			now -= rnd(3000);		/* the clock steps back */
			break;
		default:
			now += rnd(700);
			break;
		}
		switch (rnd(20)) {
		case 0:
			t = now - rnd(10 * MIN_MS);
			break;
		case 1:
			t = now + rnd(5000);
			break;
		case 2:
			t = now - 3 * HOUR_MS;
			break;
		case 3:
			t = now - rnd(20000);
			break;
		default:
			t = now - rnd(300);
			break;
		}
		random_contrib(&c, wide);
		want = -1;
		for (i = 0; i < 4; i++) {
			if (ring_add(r[i], &defs[i], t, now, &c, pool) == 0)
				want = 0;
		}
		rv = ring_set_add(set, t, now, &c);
		ck_assert_int_eq(rv, want);
		if (rnd(700) == 0)
			set_assert_equal(sr, r, defs, 4, now, pool);
		if (rnd(900) == 0) {
			for (i = 0; i < 4; i++) {
				ck_assert_uint_eq(ring_expire(sr[i], &defs[i],
				    now, pool), ring_expire(r[i], &defs[i],
				    now, pool));
			}
		}
	}
	set_assert_equal(sr, r, defs, 4, now, pool);
	now += 3 * HOUR_MS;
	set_assert_equal(sr, r, defs, 4, now, pool);
	for (i = 0; i < 4; i++)
		ring_free(r[i], pool);
	ring_set_free(set);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.sparse + st.dense + st.bytes_live, 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	sketch_pool_free(pool);
}
END_TEST

/*
 * A set whose values go in groups of buckets is a set fed the grouped
 * values; one keeping no values keeps the counters and sums only.
 */
START_TEST(test_set_group)
{
	struct window_def	 defs[2];
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct ring_set		*g5, *none;
	struct ring		*r[2], **rg, **rn;
	struct contrib		 c, cg;
	struct agg		 a, b;
	uint64_t		 now = T0 + 1000;
	size_t			 i, k;
	int			 d;

	params_init();
	rnd_state = 4242;
	pool = sketch_pool_new();
	ck_assert_int_eq(window_def_init(&defs[0], "1m", 6), 0);
	ck_assert_int_eq(window_def_init(&defs[1], "1h", 4), 0);
	for (i = 0; i < 2; i++)
		r[i] = ring_new(&defs[i]);
	g5 = ring_set_new(defs, 2, 5, pool);
	none = ring_set_new(defs, 2, WINDOW_AGENT_NODIST, pool);
	rg = ring_set_rings(g5);
	rn = ring_set_rings(none);
	for (k = 0; k < 3000; k++) {
		now += rnd(100);
		random_contrib(&c, 1);
		cg = c;
		for (d = 0; d < AGG_DIST_COUNT; d++)
			cg.dist_idx[d] = sketch_group(c.dist_idx[d], 5);
		/* Now and then late, into the older slots. */
		ck_assert_int_eq(ring_set_add(g5, now - (k % 7 == 0) * 20000,
		    now, &c), 0);
		ck_assert_int_eq(ring_set_add(none, now - (k % 7 == 0) * 20000,
		    now, &c), 0);
		for (i = 0; i < 2; i++)
			ck_assert_int_eq(ring_add(r[i], &defs[i], now -
			    (k % 7 == 0) * 20000, now, &cg, pool), 0);
	}
	for (i = 0; i < 2; i++) {
		ring_sum(r[i], &defs[i], now, &a, pool);
		ring_sum(rg[i], &defs[i], now, &b, pool);
		agg_assert_equal(&a, &b, 1);
		ck_assert_ptr_nonnull(b.dist[AGG_DIST_WAIT]);
		agg_clear(&b, pool);
		ring_sum(rn[i], &defs[i], now, &b, pool);
		for (d = 0; d < AGG_DIST_COUNT; d++) {
			ck_assert_ptr_null(b.dist[d]);
			sketch_pool_put(pool, a.dist[d]);
			a.dist[d] = NULL;
		}
		agg_assert_equal(&a, &b, 1);
		agg_clear(&a, pool);
		agg_clear(&b, pool);
	}
	ring_set_free(g5);
	ring_set_free(none);
	for (i = 0; i < 2; i++)
		ring_free(r[i], pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.sparse + st.dense + st.bytes_live, 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
	sketch_pool_free(pool);
}
END_TEST

/* A double of each kind the packed slot writes differently. */
static double
odd_double(void)
{
	static const double	v[] = {
		0.001, 12.345, 180.5, 0.1 + 0.2, 1e-7, 123456789.125,
		2e12, 1e300, -42.5, -0.0, 3.0 / 7.0, 86400 * 365.0
	};

	return (v[rnd(sizeof v / sizeof v[0])] * (rnd(3) ? 1 : rnd(1000)));
}

/*
 * Slots keep every field exactly: counts of any size, sums in whole
 * milliseconds, a few units in the last place off those, or anything
 * else; distributions in the slot up to its limit and in blocks past it,
 * back in the slot once compacted.  A slot of one call is 48 bytes.
 */
START_TEST(test_slot_packed)
{
	struct sketch_pool	*pool;
	struct sketch_pool_stats st;
	struct agg_slot		*s;
	struct contrib		 c;
	struct event		 ev;
	struct agg		 a, b, sum;
	unsigned char		*u;
	double			 x;
	uint32_t		 v;
	size_t			 i, k, nu, nf;

	params_init();
	rnd_state = 777;
	pool = sketch_pool_new();
	nu = offsetof(struct agg, wait_answered) / sizeof (uint32_t);
	nf = (offsetof(struct agg, dist) - offsetof(struct agg,
	    wait_answered)) / sizeof (double);
	for (k = 0; k < 2000; k++) {
		memset(&a, 0, sizeof a);
		u = (unsigned char *)&a;
		for (i = 0; i < nu; i++) {
			if (rnd(3) != 0)
				continue;
			v = rnd(4) == 0 ? UINT32_MAX - rnd(10) : rnd(1U << (rnd(31) + 1));
			memcpy(u + i * 4, &v, sizeof v);
		}
		for (i = 0; i < nf; i++) {
			if (rnd(3) != 0)
				continue;
			x = odd_double();
			memcpy(u + offsetof(struct agg, wait_answered) + i * 8,
			    &x, sizeof x);
		}
		s = agg_slot_get(pool);
		agg_slot_add(&s, &a, pool);
		agg_slot_counts(s, &b);
		/* -0 is kept as 0, all else bit for bit. */
		for (i = 0; i < nf; i++) {
			memcpy(&x, u + offsetof(struct agg, wait_answered) +
			    i * 8, sizeof x);
			if (x == 0) {
				x = 0;
				memcpy(u + offsetof(struct agg, wait_answered) +
				    i * 8, &x, sizeof x);
			}
		}
		ck_assert_int_eq(memcmp(&a, &b, offsetof(struct agg, dist)), 0);
		ck_assert_int_eq(agg_slot_is_empty(s), agg_is_empty(&a));
		/* Twice: sums of two. */
		agg_slot_add(&s, &a, pool);
		agg_slot_counts(s, &b);
		agg_merge(&a, &a, pool);
		agg_assert_equal(&a, &b, 1);
		agg_slot_put(pool, s);
	}

	/* A call as most are, with its two entries: 48 bytes. */
	call_event(&ev, EVENT_OUTCOME_ANSWERED, 23.456, 180.3, -1);
	strcpy(ev.agent, "a1");
	ev.has |= EVENT_HAS_WRAP | EVENT_HAS_FIRST_CONTACT |
	    EVENT_HAS_RESOLVED;
	ev.wrap = 35.2;
	ev.first_contact = ev.resolved = 1;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	s = agg_slot_get(pool);
	agg_slot_apply(&s, &c, 0, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots, 1);
	ck_assert_uint_le(st.bytes_live, 48);
	ck_assert_uint_eq(sketch_pool_live(pool), 2);

	/* 48 entries in the slot; the 49th moves them to a block. */
	memset(&sum, 0, sizeof sum);
	agg_slot_sum(&sum, s, pool);
	for (i = 0; i < 46; i++) {
		dist_contrib(&c, 100 + (int)i, NOVAL, NOVAL);
		agg_apply(&sum, &c, pool);
		agg_slot_apply(&s, &c, 0, pool);
	}
	stats(pool, &st);
	ck_assert_uint_eq(st.sparse, 0);
	dist_contrib(&c, 300, NOVAL, NOVAL);
	agg_apply(&sum, &c, pool);
	agg_slot_apply(&s, &c, 0, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.sparse, 1);
	ck_assert_uint_eq(sketch_pool_live(pool), 2 + 2);	/* sum's */
	memset(&b, 0, sizeof b);
	agg_slot_sum(&b, s, pool);
	agg_assert_equal(&sum, &b, 1);
	agg_clear(&b, pool);
	/* Still too many to come back; then fewer fit again. */
	agg_slot_compact(&s, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.sparse, 1);
	agg_slot_put(pool, s);
	s = agg_slot_get(pool);
	for (i = 0; i < 60; i++) {
		dist_contrib(&c, (int)i, NOVAL, NOVAL);
		agg_slot_apply(&s, &c, 1, pool);
		dist_contrib(&c, (int)i, NOVAL, NOVAL);
		agg_slot_apply(&s, &c, 1, pool);
	}
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 2 + 1);		/* hot: dense */
	agg_slot_compact(&s, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.dense, 2);			/* sum's */
	ck_assert_uint_eq(st.sparse, 1);		/* 60 > 48 */
	agg_slot_put(pool, s);
	agg_clear(&sum, pool);
	stats(pool, &st);
	ck_assert_uint_eq(st.slots + st.sparse + st.dense + st.bytes_live, 0);
	ck_assert_uint_eq(sketch_pool_live(pool), 0);
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
	tcase_add_test(tc, test_slot_equals_agg);
	tcase_add_test(tc, test_slot_promotion);
	tcase_add_test(tc, test_slot_count_overflow);
	tcase_add_test(tc, test_contrib_customer);
	tcase_add_test(tc, test_slot_agent_block);
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
	tcase_add_test(tc, test_slot_hot_compact);
	tcase_add_test(tc, test_pool_accounting);
	tcase_add_test(tc, test_ring_blob_v3);
	tcase_add_test(tc, test_ring_restore_v1);
	tcase_add_test(tc, test_ring_new_fields);
	tcase_add_test(tc, test_ring_serialize_forms);
	tcase_add_loop_test(tc, test_set_equals_rings, 0, 4);
	tcase_add_test(tc, test_set_group);
	tcase_add_test(tc, test_slot_packed);
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
