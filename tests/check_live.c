/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Live state: call lifecycle counts and longest wait, the waiting FIFO,
 * lost, duplicated and out-of-order events, expiry, caps, the agent
 * state machine and its busy/ready seconds.  Time is injected.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "live.h"

static struct event	ev;

/* Build an event; ts < 0 means "no ts". */
static const struct event *
mk(enum event_type type, const char *id, const char *queue,
    const char *agent, double ts)
{
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	if (id != NULL)
		snprintf(ev.call_id, sizeof ev.call_id, "%s", id);
	if (queue != NULL)
		snprintf(ev.queue, sizeof ev.queue, "%s", queue);
	if (agent != NULL)
		snprintf(ev.agent, sizeof ev.agent, "%s", agent);
	if (ts >= 0) {
		ev.ts = ts;
		ev.has |= EVENT_HAS_TS;
	}
	return (&ev);
}

static const struct event *
mk_agent(const char *agent, enum event_agent_state state,
    const char *reason, double ts)
{
	mk(EVENT_AGENT, NULL, NULL, agent, ts);
	ev.state = state;
	if (reason != NULL)
		snprintf(ev.reason, sizeof ev.reason, "%s", reason);
	return (&ev);
}

static struct live_queue_view
qv(struct live *l, const char *name, double now)
{
	struct live_queue_view	v;

	memset(&v, 0, sizeof v);
	ck_assert_int_eq(live_queue(l, name, now, &v), 0);
	return (v);
}

static struct live_totals
tot(struct live *l, double now)
{
	struct live_totals	t;

	live_get_totals(l, now, &t);
	return (t);
}

/* The view of one agent by name; fails the test if absent. */
static struct live_agent_view
av(struct live *l, const char *name)
{
	struct live_agent_view	v[64];
	size_t			i, n;

	n = live_agents(l, v, 64);
	for (i = 0; i < n && i < 64; i++) {
		if (strcmp(v[i].name, name) == 0)
			return (v[i]);
	}
	ck_abort_msg("agent %s not found", name);
	return (v[0]);
}

#define EQ(a, b)	ck_assert_double_eq_tol((a), (b), 1e-9)

START_TEST(test_lifecycle)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_queue_view	 v;
	struct live_totals	 t;
	struct live_delta	 d;

	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c1", "sales",
	    NULL, 100), 100, &d), LIVE_OK);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c2", "sales",
	    NULL, 105), 105, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c3", "support",
	    NULL, 102), 105, NULL), LIVE_OK);

	v = qv(l, "sales", 110);
	ck_assert_uint_eq(v.waiting, 2);
	EQ(v.longest_wait, 10);
	v = qv(l, "support", 110);
	ck_assert_uint_eq(v.waiting, 1);
	EQ(v.longest_wait, 8);
	t = tot(l, 110);
	ck_assert_uint_eq(t.waiting, 3);
	ck_assert_uint_eq(t.talking, 0);
	EQ(t.longest_wait, 10);
	ck_assert_uint_eq(t.calls, 3);
	ck_assert_uint_eq(t.queues, 2);

	/* c1 answered at 112: sales' oldest is now c2 (105). */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c1", NULL,
	    "ann", 112), 112, &d), LIVE_OK);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.a[0].agent, "ann");
	v = qv(l, "sales", 115);
	ck_assert_uint_eq(v.waiting, 1);
	ck_assert_uint_eq(v.talking, 1);
	EQ(v.longest_wait, 10);
	t = tot(l, 115);
	ck_assert_uint_eq(t.waiting, 2);
	ck_assert_uint_eq(t.talking, 1);
	ck_assert_uint_eq(t.agents_busy, 1);
	ck_assert_uint_eq(t.agents_logged_in, 1);
	EQ(t.longest_wait, 13);		/* support's c3 since 102 */
	ck_assert_int_eq(av(l, "ann").state, LIVE_AGENT_BUSY);
	ck_assert_str_eq(av(l, "ann").queue, "sales");
	EQ(av(l, "ann").since, 112);

	/* Hold and resume. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_HOLD, "c1", NULL, NULL,
	    120), 120, NULL), LIVE_OK);
	v = qv(l, "sales", 120);
	ck_assert_uint_eq(v.talking, 0);
	ck_assert_uint_eq(v.on_hold, 1);
	ck_assert_uint_eq(tot(l, 120).on_hold, 1);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_RESUME, "c1", NULL, NULL,
	    130), 130, NULL), LIVE_OK);
	v = qv(l, "sales", 130);
	ck_assert_uint_eq(v.talking, 1);
	ck_assert_uint_eq(v.on_hold, 0);

	/* Ended at 172: ann was busy 60 s and is ready again. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL,
	    172), 172, &d), LIVE_OK);
	ck_assert_uint_eq(d.n, 1);
	EQ(d.a[0].busy, 60);
	EQ(d.a[0].ready, 0);
	ck_assert_uint_eq(live_ncalls(l), 2);
	t = tot(l, 172);
	ck_assert_uint_eq(t.talking, 0);
	ck_assert_uint_eq(t.waiting, 2);
	ck_assert_uint_eq(t.agents_ready, 1);
	ck_assert_uint_eq(t.agents_busy, 0);
	ck_assert_int_eq(av(l, "ann").state, LIVE_AGENT_READY);
	ck_assert_str_eq(av(l, "ann").queue, "");
	EQ(av(l, "ann").since, 172);

	/* Abandons empty the queues; the queues stay, at zero. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c2", NULL, NULL,
	    -1), 180, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c3", NULL, NULL,
	    -1), 180, NULL), LIVE_OK);
	t = tot(l, 190);
	ck_assert_uint_eq(t.waiting, 0);
	EQ(t.longest_wait, 0);
	ck_assert_uint_eq(t.calls, 0);
	ck_assert_uint_eq(live_nqueues(l), 2);
	v = qv(l, "sales", 190);
	ck_assert_uint_eq(v.waiting, 0);
	EQ(v.longest_wait, 0);
	live_free(l);
}
END_TEST

START_TEST(test_fifo_middle)
{
	struct live	*l = live_new(100, 10, 10, 3600);
	char		 id[16];
	int		 i;

	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof id, "c%d", i);
		ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, id, "q",
		    NULL, 100 + i), 100 + i, NULL), LIVE_OK);
	}
	EQ(qv(l, "q", 200).longest_wait, 100);
	/* Out of the middle: the oldest is still c0. */
	live_event(l, mk(EVENT_CALL_ANSWERED, "c2", NULL, "a", 150), 150,
	    NULL);
	ck_assert_uint_eq(qv(l, "q", 200).waiting, 4);
	EQ(qv(l, "q", 200).longest_wait, 100);
	/* The head abandons: c1 (101) is the oldest. */
	live_event(l, mk(EVENT_CALL_ENDED, "c0", NULL, NULL, 151), 151, NULL);
	EQ(qv(l, "q", 200).longest_wait, 99);
	/* c1 leaves: c2 is talking, so c3 (103) is next. */
	live_event(l, mk(EVENT_CALL, "c1", "q", NULL, 152), 152, NULL);
	ck_assert_uint_eq(qv(l, "q", 200).waiting, 2);
	EQ(qv(l, "q", 200).longest_wait, 97);
	/* The tail leaves, then the last one. */
	live_event(l, mk(EVENT_CALL_ENDED, "c4", NULL, NULL, 153), 153, NULL);
	EQ(qv(l, "q", 200).longest_wait, 97);
	live_event(l, mk(EVENT_CALL_ENDED, "c3", NULL, NULL, 154), 154, NULL);
	ck_assert_uint_eq(qv(l, "q", 200).waiting, 0);
	EQ(qv(l, "q", 200).longest_wait, 0);
	/* The FIFO works again after emptying. */
	live_event(l, mk(EVENT_CALL_QUEUED, "c9", "q", NULL, 190), 190, NULL);
	EQ(qv(l, "q", 200).longest_wait, 10);
	ck_assert_uint_eq(qv(l, "q", 200).talking, 1);
	live_free(l);
}
END_TEST

START_TEST(test_fifo_backdated)
{
	struct live	*l = live_new(100, 10, 10, 3600);
	char		 id[16];
	int		 i;

	/* A call with an earlier ts goes to the head when close enough. */
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof id, "a%d", i);
		live_event(l, mk(EVENT_CALL_QUEUED, id, "near", NULL, 1000 + i),
		    1010, NULL);
	}
	live_event(l, mk(EVENT_CALL_QUEUED, "early", "near", NULL, 990), 1010,
	    NULL);
	EQ(qv(l, "near", 1100).longest_wait, 110);
	live_event(l, mk(EVENT_CALL_ENDED, "early", NULL, NULL, -1), 1010,
	    NULL);
	EQ(qv(l, "near", 1100).longest_wait, 100);

	/*
	 * 40 calls, then one dated before all: placing it stops 32 back,
	 * so its time is raised to 1007 and the head is still 1000.
	 */
	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof id, "b%d", i);
		live_event(l, mk(EVENT_CALL_QUEUED, id, "far", NULL, 1000 + i),
		    1050, NULL);
	}
	live_event(l, mk(EVENT_CALL_QUEUED, "late", "far", NULL, 500), 1050,
	    NULL);
	ck_assert_uint_eq(qv(l, "far", 1100).waiting, 41);
	EQ(qv(l, "far", 1100).longest_wait, 100);
	for (i = 0; i < 7; i++) {
		snprintf(id, sizeof id, "b%d", i);
		live_event(l, mk(EVENT_CALL_ENDED, id, NULL, NULL, -1), 1050,
		    NULL);
	}
	/* b7 (1007) and "late" (raised to 1007) share the head. */
	EQ(qv(l, "far", 1100).longest_wait, 93);
	live_event(l, mk(EVENT_CALL_ENDED, "b7", NULL, NULL, -1), 1050, NULL);
	EQ(qv(l, "far", 1100).longest_wait, 93);
	live_event(l, mk(EVENT_CALL_ENDED, "late", NULL, NULL, -1), 1050,
	    NULL);
	EQ(qv(l, "far", 1100).longest_wait, 92);

	/* A future ts gives no negative wait. */
	live_event(l, mk(EVENT_CALL_QUEUED, "f", "future", NULL, 2000), 1050,
	    NULL);
	EQ(qv(l, "future", 1100).longest_wait, 0);
	live_free(l);
}
END_TEST

START_TEST(test_lost_duplicate)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_totals	 t;

	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_HOLD, "x", NULL, NULL,
	    -1), 10, NULL), LIVE_LOST);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_RESUME, "x", NULL, NULL,
	    -1), 10, NULL), LIVE_LOST);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "x", NULL, NULL,
	    -1), 10, NULL), LIVE_LOST);
	ck_assert_int_eq(live_event(l, mk_agent("ghost", EVENT_STATE_LOGOUT,
	    NULL, -1), 10, NULL), LIVE_LOST);
	ck_assert_uint_eq(live_ncalls(l), 0);
	ck_assert_uint_eq(live_nagents(l), 0);

	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c", "q", NULL,
	    10), 10, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c", "q", NULL,
	    11), 11, NULL), LIVE_DUPLICATE);
	ck_assert_uint_eq(qv(l, "q", 20).waiting, 1);
	EQ(qv(l, "q", 20).longest_wait, 10);
	/* Hold while waiting does not fit: lost. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_HOLD, "c", NULL, NULL,
	    -1), 12, NULL), LIVE_LOST);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c", NULL, "a",
	    13), 13, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c", NULL, "a",
	    14), 14, NULL), LIVE_DUPLICATE);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c", NULL, NULL,
	    14), 14, NULL), LIVE_DUPLICATE);
	ck_assert_uint_eq(av(l, "a").calls, 1);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_HOLD, "c", NULL, NULL,
	    -1), 15, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_HOLD, "c", NULL, NULL,
	    -1), 15, NULL), LIVE_DUPLICATE);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_RESUME, "c", NULL, NULL,
	    -1), 16, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_RESUME, "c", NULL, NULL,
	    -1), 16, NULL), LIVE_DUPLICATE);
	/* A late queued for the talking call changes nothing. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c", "q", NULL,
	    10), 17, NULL), LIVE_DUPLICATE);
	t = tot(l, 20);
	ck_assert_uint_eq(t.waiting, 0);
	ck_assert_uint_eq(t.talking, 1);
	ck_assert_uint_eq(t.on_hold, 0);
	ck_assert_uint_eq(t.agents_busy, 1);
	ck_assert_uint_eq(t.lost, 5);
	ck_assert_uint_eq(t.duplicates, 6);
	ck_assert_uint_eq(t.refused, 0);

	/* Not live events, or without the id they need. */
	ck_assert_int_eq(live_event(l, mk(EVENT_SURVEY, "c", NULL, NULL, -1),
	    20, NULL), LIVE_IGNORED);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "", "q", NULL,
	    -1), 20, NULL), LIVE_IGNORED);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL, "other", "q", NULL, -1),
	    20, NULL), LIVE_IGNORED);
	/* An unterminated id is refused without reading past it. */
	mk(EVENT_CALL_QUEUED, NULL, "q", NULL, -1);
	memset(ev.call_id, 'x', sizeof ev.call_id);
	ck_assert_int_eq(live_event(l, &ev, 20, NULL), LIVE_IGNORED);
	ck_assert_uint_eq(live_ncalls(l), 1);
	live_free(l);
}
END_TEST

START_TEST(test_out_of_order)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_delta	 d;

	/* Answered without queued: talking, in no queue yet. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c1", NULL,
	    "a", 10), 10, NULL), LIVE_OK);
	ck_assert_uint_eq(tot(l, 10).talking, 1);
	ck_assert_uint_eq(tot(l, 10).agents_busy, 1);
	ck_assert_uint_eq(live_nqueues(l), 0);
	/* The queued that arrives late names its queue. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c1", "q", NULL,
	    5), 11, NULL), LIVE_OK);
	ck_assert_uint_eq(qv(l, "q", 11).talking, 1);
	ck_assert_uint_eq(qv(l, "q", 11).waiting, 0);
	ck_assert_str_eq(av(l, "a").queue, "q");
	/* Answered with a queue creates it there. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c2", "q",
	    "b", 10), 12, NULL), LIVE_OK);
	ck_assert_uint_eq(qv(l, "q", 12).talking, 2);

	/* Ended before answered: ends it; the late answer is a duplicate. */
	live_event(l, mk(EVENT_CALL_QUEUED, "c3", "q", NULL, 20), 20, NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c3", NULL, NULL,
	    30), 30, NULL), LIVE_OK);
	ck_assert_uint_eq(qv(l, "q", 31).waiting, 0);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c3", NULL,
	    "c", 25), 31, &d), LIVE_DUPLICATE);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(live_nagents(l), 2);	/* no ghost agent "c" */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_HOLD, "c3", NULL, NULL,
	    -1), 31, NULL), LIVE_DUPLICATE);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c3", NULL, NULL,
	    -1), 31, NULL), LIVE_DUPLICATE);
	/* A late or repeated queued in the same queue too. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c3", "q", NULL,
	    -1), 32, NULL), LIVE_DUPLICATE);
	/* The finished `call` after call.ended: nothing more to do. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL, "c3", "q", NULL, -1),
	    32, NULL), LIVE_IGNORED);
	ck_assert_uint_eq(live_ncalls(l), 2);
	ck_assert_uint_eq(qv(l, "q", 40).waiting, 0);
	/* The same id entering another queue later is a new stint... */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c3", "r", NULL,
	    35), 35, NULL), LIVE_OK);
	ck_assert_uint_eq(qv(l, "r", 40).waiting, 1);
	EQ(qv(l, "r", 40).longest_wait, 5);
	/* ...unless it is dated before the end. */
	live_event(l, mk(EVENT_CALL_ENDED, "c3", NULL, NULL, 50), 50, NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c3", "s", NULL,
	    45), 51, NULL), LIVE_DUPLICATE);
	ck_assert_uint_eq(live_nqueues(l), 2);

	/* A waiting call queued in another queue moves there. */
	live_event(l, mk(EVENT_CALL_QUEUED, "c4", "q", NULL, 60), 60, NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c4", "r", NULL,
	    70), 70, NULL), LIVE_OK);
	ck_assert_uint_eq(qv(l, "q", 80).waiting, 0);
	ck_assert_uint_eq(qv(l, "r", 80).waiting, 1);
	EQ(qv(l, "r", 80).longest_wait, 10);
	/* A talking call queued elsewhere is a transfer: the agent lets go. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c2", "r", NULL,
	    90), 90, &d), LIVE_OK);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.a[0].agent, "b");
	EQ(d.a[0].busy, 80);
	ck_assert_uint_eq(qv(l, "q", 90).talking, 1);
	ck_assert_uint_eq(qv(l, "r", 90).waiting, 2);
	ck_assert_int_eq(av(l, "b").state, LIVE_AGENT_READY);
	live_free(l);
}
END_TEST

START_TEST(test_call_event_ends)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_delta	 d;

	live_event(l, mk(EVENT_CALL_QUEUED, "c1", "q", NULL, 100), 100, NULL);
	live_event(l, mk(EVENT_CALL_ANSWERED, "c1", NULL, "a", 110), 110,
	    NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL, "c1", "q", "a", 200),
	    200, &d), LIVE_OK);
	ck_assert_uint_eq(d.n, 1);
	EQ(d.a[0].busy, 90);
	ck_assert_uint_eq(live_ncalls(l), 0);
	ck_assert_uint_eq(qv(l, "q", 200).talking, 0);
	ck_assert_int_eq(av(l, "a").state, LIVE_AGENT_READY);
	/* A late call.ended from a PBX that sends both. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL,
	    -1), 201, NULL), LIVE_DUPLICATE);
	/* An abandoned call's `call` event ends the waiting call. */
	live_event(l, mk(EVENT_CALL_QUEUED, "c2", "q", NULL, 300), 300, NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL, "c2", "q", NULL, -1),
	    330, NULL), LIVE_OK);
	ck_assert_uint_eq(qv(l, "q", 330).waiting, 0);
	ck_assert_uint_eq(tot(l, 330).lost, 0);
	live_free(l);
}
END_TEST

START_TEST(test_expire_lru)
{
	struct live		*l = live_new(100, 10, 10, 60);
	struct live_totals	 t;

	live_event(l, mk(EVENT_CALL_QUEUED, "c1", "q", NULL, -1), 0, NULL);
	live_event(l, mk(EVENT_CALL_QUEUED, "c2", "q", NULL, -1), 10, NULL);
	/* Touching c1 moves it behind c2. */
	live_event(l, mk(EVENT_CALL_ANSWERED, "c1", NULL, "a", -1), 20, NULL);
	ck_assert_uint_eq(live_expire(l, 69.5), 0);
	ck_assert_uint_eq(live_expire(l, 70), 1);
	t = tot(l, 70);
	ck_assert_uint_eq(t.waiting, 0);
	ck_assert_uint_eq(t.talking, 1);
	ck_assert_uint_eq(t.expired, 1);
	/* A duplicate is a touch too. */
	live_event(l, mk(EVENT_CALL_ANSWERED, "c1", NULL, "a", -1), 75, NULL);
	ck_assert_uint_eq(live_expire(l, 100), 0);
	ck_assert_uint_eq(live_expire(l, 135), 1);
	t = tot(l, 135);
	ck_assert_uint_eq(t.talking, 0);
	ck_assert_uint_eq(t.calls, 0);
	ck_assert_uint_eq(t.expired, 2);
	/* The agent of an expired call is free again. */
	ck_assert_uint_eq(t.agents_ready, 1);
	ck_assert_uint_eq(t.agents_busy, 0);
	EQ(av(l, "a").since, 135);
	/* An expired call is forgotten: a late end is lost. */
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL,
	    -1), 136, NULL), LIVE_LOST);
	live_free(l);
}
END_TEST

START_TEST(test_expire_100k)
{
	struct live		*l = live_new(200000, 10, 10, 300);
	struct live_totals	 t;
	char			 id[32];
	int			 i;

	for (i = 0; i < 100000; i++) {
		snprintf(id, sizeof id, "call-%d", i);
		ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, id,
		    i % 2 ? "odd" : "even", NULL, -1), 1000 + i * 0.001, NULL),
		    LIVE_OK);
	}
	ck_assert_uint_eq(live_ncalls(l), 100000);
	live_event(l, mk(EVENT_CALL_ANSWERED, "call-0", NULL, "a", -1), 1200,
	    NULL);
	ck_assert_uint_eq(live_expire(l, 1299), 0);
	/* Touched at 1000 .. 1099.999: all but call-0 in one sweep. */
	ck_assert_uint_eq(live_expire(l, 1400), 99999);
	ck_assert_uint_eq(live_ncalls(l), 1);
	t = tot(l, 1400);
	ck_assert_uint_eq(t.waiting, 0);
	ck_assert_uint_eq(t.talking, 1);
	EQ(t.longest_wait, 0);
	ck_assert_uint_eq(qv(l, "odd", 1400).waiting, 0);
	ck_assert_uint_eq(live_expire(l, 1500), 1);
	ck_assert_uint_eq(live_ncalls(l), 0);
	ck_assert_uint_eq(tot(l, 1500).expired, 100000);
	/* The tables still work after shrinking. */
	live_event(l, mk(EVENT_CALL_QUEUED, "again", "odd", NULL, -1), 1500,
	    NULL);
	ck_assert_uint_eq(qv(l, "odd", 1500).waiting, 1);
	live_free(l);
}
END_TEST

START_TEST(test_tombstones)
{
	struct live	*l = live_new(2, 10, 10, 3600);

	live_event(l, mk(EVENT_CALL_QUEUED, "c1", "q", NULL, -1), 0, NULL);
	live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL, -1), 1, NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL,
	    -1), 2, NULL), LIVE_DUPLICATE);
	/* Forgotten after LIVE_ENDED_KEEP seconds. */
	ck_assert_uint_eq(live_expire(l, 1 + LIVE_ENDED_KEEP), 0);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL,
	    -1), 200, NULL), LIVE_LOST);
	/* At most max_calls tombstones: the oldest goes first. */
	live_event(l, mk(EVENT_CALL_QUEUED, "d1", "q", NULL, -1), 300, NULL);
	live_event(l, mk(EVENT_CALL_QUEUED, "d2", "q", NULL, -1), 300, NULL);
	live_event(l, mk(EVENT_CALL_ENDED, "d1", NULL, NULL, -1), 301, NULL);
	live_event(l, mk(EVENT_CALL_ENDED, "d2", NULL, NULL, -1), 301, NULL);
	live_event(l, mk(EVENT_CALL_QUEUED, "d3", "q", NULL, -1), 302, NULL);
	live_event(l, mk(EVENT_CALL_ENDED, "d3", NULL, NULL, -1), 303, NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "d1", NULL, NULL,
	    -1), 304, NULL), LIVE_LOST);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, "d2", NULL, NULL,
	    -1), 304, NULL), LIVE_DUPLICATE);
	ck_assert_uint_eq(live_ncalls(l), 0);
	live_free(l);
}
END_TEST

START_TEST(test_caps)
{
	struct live		*l = live_new(3, 2, 2, 3600);
	struct live_totals	 t;

	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c1", "q", NULL,
	    -1), 0, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c2", "q", NULL,
	    -1), 0, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c3", "r", NULL,
	    -1), 0, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c4", "q", NULL,
	    -1), 0, NULL), LIVE_REFUSED);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c5", NULL,
	    "a", -1), 0, NULL), LIVE_REFUSED);
	ck_assert_uint_eq(live_ncalls(l), 3);
	ck_assert_uint_eq(live_nagents(l), 0);
	live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL, -1), 1, NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c4", "q", NULL,
	    -1), 1, NULL), LIVE_OK);
	/* A third queue is refused. */
	live_event(l, mk(EVENT_CALL_ENDED, "c4", NULL, NULL, -1), 2, NULL);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c6", "s", NULL,
	    -1), 2, NULL), LIVE_REFUSED);
	ck_assert_uint_eq(live_nqueues(l), 2);
	/* A third agent: the call is tracked without it. */
	ck_assert_int_eq(live_event(l, mk_agent("a1", EVENT_STATE_READY, NULL,
	    -1), 3, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk_agent("a2", EVENT_STATE_READY, NULL,
	    -1), 3, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk_agent("a3", EVENT_STATE_READY, NULL,
	    -1), 3, NULL), LIVE_REFUSED);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c2", NULL,
	    "a3", -1), 4, NULL), LIVE_REFUSED);
	t = tot(l, 4);
	ck_assert_uint_eq(t.talking, 1);
	ck_assert_uint_eq(t.waiting, 1);
	ck_assert_uint_eq(t.agents_busy, 0);
	ck_assert_uint_eq(t.agents_ready, 2);
	ck_assert_uint_eq(t.refused, 5);
	/* Raised limits apply at once. */
	live_set_limits(l, 10, 10, 10, 3600);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, "c6", "s", NULL,
	    -1), 5, NULL), LIVE_OK);
	ck_assert_int_eq(live_event(l, mk_agent("a3", EVENT_STATE_READY, NULL,
	    -1), 5, NULL), LIVE_OK);
	ck_assert_uint_eq(tot(l, 5).refused, 5);
	live_free(l);
}
END_TEST

START_TEST(test_agent_states)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_delta	 d;
	struct live_agent_view	 v;
	struct live_totals	 t;

	/* Login: logged in but not ready. */
	ck_assert_int_eq(live_event(l, mk_agent("ann", EVENT_STATE_LOGIN, NULL,
	    0), 0, &d), LIVE_OK);
	ck_assert_uint_eq(d.n, 0);
	t = tot(l, 0);
	ck_assert_uint_eq(t.agents_logged_in, 1);
	ck_assert_uint_eq(t.agents_not_ready, 1);
	ck_assert_int_eq(live_event(l, mk_agent("ann", EVENT_STATE_LOGIN, NULL,
	    5), 5, &d), LIVE_DUPLICATE);
	/* Not-ready time is neither busy nor ready. */
	ck_assert_int_eq(live_event(l, mk_agent("ann", EVENT_STATE_READY, NULL,
	    10), 10, &d), LIVE_OK);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.a[0].agent, "ann");
	EQ(d.a[0].busy, 0);
	EQ(d.a[0].ready, 0);
	ck_assert_int_eq(live_event(l, mk_agent("ann", EVENT_STATE_READY, NULL,
	    12), 12, &d), LIVE_DUPLICATE);
	ck_assert_uint_eq(d.n, 0);
	EQ(av(l, "ann").since, 10);
	/* Ready 10..25, busy 25..85. */
	live_event(l, mk(EVENT_CALL_QUEUED, "c1", "q", NULL, 20), 20, NULL);
	live_event(l, mk(EVENT_CALL_ANSWERED, "c1", NULL, "ann", 25), 25, &d);
	ck_assert_uint_eq(d.n, 1);
	EQ(d.a[0].ready, 15);
	EQ(d.a[0].busy, 0);
	live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL, 85), 85, &d);
	EQ(d.a[0].busy, 60);
	EQ(d.a[0].ready, 0);
	/* Ready 85..100, then a pause with a reason. */
	ck_assert_int_eq(live_event(l, mk_agent("ann",
	    EVENT_STATE_NOT_READY, "lunch", 100), 100, &d), LIVE_OK);
	EQ(d.a[0].ready, 15);
	v = av(l, "ann");
	ck_assert_int_eq(v.state, LIVE_AGENT_NOT_READY);
	ck_assert_str_eq(v.reason, "lunch");
	EQ(v.since, 100);
	ck_assert_int_eq(live_event(l, mk_agent("ann",
	    EVENT_STATE_NOT_READY, "lunch", 101), 101, &d), LIVE_DUPLICATE);
	/* A new reason is a new pause. */
	ck_assert_int_eq(live_event(l, mk_agent("ann",
	    EVENT_STATE_NOT_READY, "meeting", 105), 105, &d), LIVE_OK);
	EQ(d.a[0].ready, 0);
	EQ(av(l, "ann").since, 105);
	ck_assert_str_eq(av(l, "ann").reason, "meeting");
	/* A call while not ready: busy 110..130, back to not ready. */
	live_event(l, mk(EVENT_CALL_ANSWERED, "out", "q", "ann", 110), 110,
	    &d);
	EQ(d.a[0].ready, 0);
	EQ(d.a[0].busy, 0);
	ck_assert_int_eq(av(l, "ann").state, LIVE_AGENT_BUSY);
	live_event(l, mk(EVENT_CALL_ENDED, "out", NULL, NULL, 130), 130, &d);
	EQ(d.a[0].busy, 20);
	v = av(l, "ann");
	ck_assert_int_eq(v.state, LIVE_AGENT_NOT_READY);
	ck_assert_str_eq(v.reason, "meeting");
	EQ(v.since, 130);
	/* Ready at 200, logout at 260: 60 s ready, and gone. */
	live_event(l, mk_agent("ann", EVENT_STATE_READY, NULL, 200), 200, &d);
	EQ(d.a[0].ready, 0);
	ck_assert_str_eq(av(l, "ann").reason, "");
	ck_assert_int_eq(live_event(l, mk_agent("ann", EVENT_STATE_LOGOUT,
	    NULL, 260), 260, &d), LIVE_OK);
	EQ(d.a[0].ready, 60);
	ck_assert_uint_eq(live_nagents(l), 0);
	t = tot(l, 260);
	ck_assert_uint_eq(t.agents_logged_in, 0);
	ck_assert_uint_eq(t.agents_ready, 0);
	live_free(l);
}
END_TEST

START_TEST(test_agent_during_call)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_delta	 d;
	struct live_agent_view	 v;

	live_event(l, mk_agent("bob", EVENT_STATE_READY, NULL, 0), 0, NULL);
	live_event(l, mk(EVENT_CALL_ANSWERED, "c1", "q", "bob", 10), 10, &d);
	EQ(d.a[0].ready, 10);
	/* Not ready while busy: still busy, the pause waits for the end. */
	ck_assert_int_eq(live_event(l, mk_agent("bob",
	    EVENT_STATE_NOT_READY, "break", 20), 20, &d), LIVE_OK);
	EQ(d.a[0].busy, 10);
	v = av(l, "bob");
	ck_assert_int_eq(v.state, LIVE_AGENT_BUSY);
	EQ(v.since, 10);
	ck_assert_str_eq(v.reason, "break");
	live_event(l, mk(EVENT_CALL_ENDED, "c1", NULL, NULL, 50), 50, &d);
	EQ(d.a[0].busy, 30);
	v = av(l, "bob");
	ck_assert_int_eq(v.state, LIVE_AGENT_NOT_READY);
	EQ(v.since, 50);

	/* Logout during a call: busy until it ends, then gone. */
	live_event(l, mk_agent("bob", EVENT_STATE_READY, NULL, 60), 60, NULL);
	live_event(l, mk(EVENT_CALL_ANSWERED, "c2", "q", "bob", 70), 70, NULL);
	ck_assert_int_eq(live_event(l, mk_agent("bob", EVENT_STATE_LOGOUT,
	    NULL, 80), 80, &d), LIVE_OK);
	EQ(d.a[0].busy, 10);
	ck_assert_uint_eq(tot(l, 80).agents_busy, 1);
	ck_assert_int_eq(live_event(l, mk_agent("bob", EVENT_STATE_LOGOUT,
	    NULL, 81), 81, &d), LIVE_DUPLICATE);
	live_event(l, mk(EVENT_CALL_ENDED, "c2", NULL, NULL, 95), 95, &d);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.a[0].agent, "bob");
	EQ(d.a[0].busy, 15);
	ck_assert_uint_eq(live_nagents(l), 0);
	ck_assert_uint_eq(tot(l, 95).agents_logged_in, 0);

	/* Team from the agent event is carried in deltas. */
	mk_agent("cy", EVENT_STATE_READY, NULL, 100);
	snprintf(ev.team, sizeof ev.team, "blue");
	live_event(l, &ev, 100, NULL);
	live_event(l, mk(EVENT_CALL_ANSWERED, "c3", "q", "cy", 130), 130, &d);
	ck_assert_str_eq(d.a[0].team, "blue");
	EQ(d.a[0].ready, 30);
	ck_assert_str_eq(av(l, "cy").team, "blue");
	live_free(l);
}
END_TEST

START_TEST(test_transfer_two_agents)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_delta	 d;

	live_event(l, mk_agent("a1", EVENT_STATE_READY, NULL, 0), 0, NULL);
	live_event(l, mk_agent("a2", EVENT_STATE_READY, NULL, 0), 0, NULL);
	live_event(l, mk(EVENT_CALL_QUEUED, "c", "q", NULL, 0), 0, NULL);
	live_event(l, mk(EVENT_CALL_ANSWERED, "c", NULL, "a1", 10), 10, &d);
	ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, "c", NULL, "a2",
	    40), 40, &d), LIVE_OK);
	ck_assert_uint_eq(d.n, 2);
	ck_assert_str_eq(d.a[0].agent, "a1");
	EQ(d.a[0].busy, 30);
	ck_assert_str_eq(d.a[1].agent, "a2");
	EQ(d.a[1].ready, 40);
	ck_assert_int_eq(av(l, "a1").state, LIVE_AGENT_READY);
	ck_assert_int_eq(av(l, "a2").state, LIVE_AGENT_BUSY);
	ck_assert_uint_eq(tot(l, 40).talking, 1);
	live_event(l, mk(EVENT_CALL_ENDED, "c", NULL, NULL, 100), 100, &d);
	ck_assert_str_eq(d.a[0].agent, "a2");
	EQ(d.a[0].busy, 60);
	live_free(l);
}
END_TEST

struct flushed {
	double	busy, ready;
	int	n;
};

static void
flush_cb(const struct live_delta_agent *da, void *arg)
{
	struct flushed	*f = arg;

	f[da->agent[1] - '1'].busy += da->busy;
	f[da->agent[1] - '1'].ready += da->ready;
	f[da->agent[1] - '1'].n++;
}

START_TEST(test_flush)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_delta	 d;
	struct flushed		 f[3];

	memset(f, 0, sizeof f);
	live_event(l, mk_agent("a1", EVENT_STATE_READY, NULL, 0), 0, NULL);
	live_event(l, mk_agent("a2", EVENT_STATE_READY, NULL, 0), 0, NULL);
	live_event(l, mk_agent("a3", EVENT_STATE_LOGIN, NULL, 0), 0, NULL);
	live_event(l, mk(EVENT_CALL_ANSWERED, "c", "q", "a2", 5), 5, &d);
	EQ(d.a[0].ready, 5);
	/* Not-ready a3 has nothing to report. */
	ck_assert_uint_eq(live_flush(l, 10, flush_cb, f), 2);
	EQ(f[0].ready, 10);
	EQ(f[1].busy, 5);
	ck_assert_int_eq(f[2].n, 0);
	/* The next transition counts from the flush. */
	live_event(l, mk(EVENT_CALL_ENDED, "c", NULL, NULL, 12), 12, &d);
	EQ(d.a[0].busy, 2);
	/* An event dated before the flush adds nothing. */
	live_event(l, mk(EVENT_CALL_ANSWERED, "c2", "q", "a1", 8), 12, &d);
	EQ(d.a[0].ready, 0);
	EQ(av(l, "a1").since, 8);
	ck_assert_uint_eq(live_flush(l, 10, flush_cb, f), 0);
	live_free(l);
}
END_TEST

START_TEST(test_views_names)
{
	struct live		*l = live_new(100, 10, 10, 3600);
	struct live_queue_view	 qvs[2];
	struct live_agent_view	 avs[1];
	struct live_queue_view	 v;

	live_event(l, mk(EVENT_CALL_QUEUED, "c1", "sales", NULL, 0), 0, NULL);
	live_event(l, mk(EVENT_CALL_QUEUED, "c2", "support", NULL, 5), 5,
	    NULL);
	live_event(l, mk(EVENT_CALL_QUEUED, "c3", "billing", NULL, 7), 7,
	    NULL);
	ck_assert_uint_eq(live_queues(l, 10, qvs, 2), 3);
	ck_assert_str_eq(qvs[0].name, "sales");
	EQ(qvs[0].longest_wait, 10);
	ck_assert_str_eq(qvs[1].name, "support");
	EQ(qvs[1].longest_wait, 5);
	ck_assert_int_eq(live_queue(l, "nope", 10, &v), -1);
	ck_assert_int_eq(live_queue(l, "", 10, &v), -1);
	ck_assert_uint_eq(live_agents(l, avs, 0), 0);

	ck_assert_str_eq(live_result_name(LIVE_OK), "ok");
	ck_assert_str_eq(live_result_name(LIVE_DUPLICATE), "duplicate");
	ck_assert_str_eq(live_result_name(LIVE_REFUSED), "refused");
	ck_assert_str_eq(live_result_name(LIVE_RESULT_COUNT), "unknown");
	ck_assert_str_eq(live_agent_state_name(LIVE_AGENT_BUSY), "busy");
	ck_assert_str_eq(live_agent_state_name(LIVE_AGENT_NOT_READY),
	    "not_ready");
	live_free(l);
	live_free(NULL);
}
END_TEST

START_TEST(test_many_names)
{
	struct live	*l = live_new(100000, 1000, 1000, 3600);
	char		 id[EVENT_ID_MAX + 1], q[32], a[32];
	int		 i;

	/* Many ids, up to the longest, in many queues; every one found. */
	for (i = 0; i < 20000; i++) {
		snprintf(id, sizeof id, "%064d", i);
		snprintf(q, sizeof q, "q%d", i % 500);
		ck_assert_int_eq(live_event(l, mk(EVENT_CALL_QUEUED, id, q,
		    NULL, i), 20000, NULL), LIVE_OK);
	}
	for (i = 0; i < 20000; i += 2) {
		snprintf(id, sizeof id, "%064d", i);
		snprintf(a, sizeof a, "a%d", (i / 2) % 800);
		ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ANSWERED, id,
		    NULL, a, -1), 20000, NULL), LIVE_OK);
	}
	ck_assert_uint_eq(tot(l, 20000).waiting, 10000);
	ck_assert_uint_eq(tot(l, 20000).talking, 10000);
	ck_assert_uint_eq(tot(l, 20000).agents_busy, 800);
	EQ(tot(l, 20000).longest_wait, 20000 - 1);
	ck_assert_uint_eq(qv(l, "q0", 20000).waiting, 0);
	ck_assert_uint_eq(qv(l, "q1", 20000).waiting, 40);
	EQ(qv(l, "q1", 20000).longest_wait, 20000 - 1);
	ck_assert_uint_eq(live_nqueues(l), 500);
	ck_assert_uint_eq(live_nagents(l), 800);
	for (i = 0; i < 20000; i++) {
		snprintf(id, sizeof id, "%064d", i);
		ck_assert_int_eq(live_event(l, mk(EVENT_CALL_ENDED, id, NULL,
		    NULL, -1), 20001, NULL), LIVE_OK);
	}
	ck_assert_uint_eq(live_ncalls(l), 0);
	ck_assert_uint_eq(tot(l, 20001).agents_ready, 800);
	live_free(l);
}
END_TEST

static Suite *
live_suite(void)
{
	Suite	*s = suite_create("live");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_fifo_middle);
	tcase_add_test(tc, test_fifo_backdated);
	tcase_add_test(tc, test_lost_duplicate);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_call_event_ends);
	tcase_add_test(tc, test_expire_lru);
	tcase_add_test(tc, test_expire_100k);
	tcase_add_test(tc, test_tombstones);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_agent_states);
	tcase_add_test(tc, test_agent_during_call);
	tcase_add_test(tc, test_transfer_two_agents);
	tcase_add_test(tc, test_flush);
	tcase_add_test(tc, test_views_names);
	tcase_add_test(tc, test_many_names);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(live_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed ? 1 : 0);
}
