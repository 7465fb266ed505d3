/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Repeat contacts: a hit within the window and not after it, once per
 * earlier call, never for an unanswered one, the same call id resent,
 * late calls, expiry, the cap, many customers, and a model of the rule
 * over a long random stream.  Time is injected.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "repeat.h"

#define H	3600.0
#define DAY	(24 * H)

static struct event	ev;
static const char	*ev_queue, *ev_agent;	/* the last mk()'s */

/* A finished call; answered says whether an agent took it. */
static const struct event *
mk(const char *id, const char *customer, const char *queue,
    const char *agent, int answered)
{
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_CALL;
	if (id != NULL)
		snprintf(ev.call_id, sizeof ev.call_id, "%s", id);
	if (customer != NULL)
		snprintf(ev.customer, sizeof ev.customer, "%s", customer);
	if (queue != NULL)
		snprintf(ev.queue, sizeof ev.queue, "%s", queue);
	if (agent != NULL)
		snprintf(ev.agent, sizeof ev.agent, "%s", agent);
	ev.outcome = answered ? EVENT_OUTCOME_ANSWERED :
	    EVENT_OUTCOME_ABANDONED;
	ev_queue = queue;
	ev_agent = agent;
	return (&ev);
}

/*
 * Note e, made by the last mk(), with its queue, agent and team (NULL:
 * none) as the scope references: the strings themselves.
 */
static int
note(struct repeat *r, const struct event *e, const char *team, double t,
    struct repeat_hit *hit)
{
	void	*ref[REPEAT_REFS];

	ref[REPEAT_QUEUE] = (void *)(uintptr_t)ev_queue;
	ref[REPEAT_AGENT] = (void *)(uintptr_t)ev_agent;
	ref[REPEAT_TEAM] = (void *)(uintptr_t)team;
	return (repeat_note(r, e, 0, ref, t, hit));
}

#define HQ(h)	((const char *)(h).ref[REPEAT_QUEUE])
#define HA(h)	((const char *)(h).ref[REPEAT_AGENT])
#define HT(h)	((const char *)(h).ref[REPEAT_TEAM])

static struct repeat_stats
st(const struct repeat *r)
{
	struct repeat_stats	s;

	repeat_get_stats(r, &s);
	return (s);
}

START_TEST(test_hit_within_window)
{
	struct repeat		*r = repeat_new(100, DAY);
	struct repeat_hit	 hit;

	ck_assert_int_eq(note(r, mk("c1", "+491", "sales", "alice",
	    1), "red", 1000, &hit), 0);
	memset(&hit, 0, sizeof hit);
	ck_assert_int_eq(note(r, mk("c2", "+491", "support", "bob",
	    1), "blue", 1000 + 2 * H, &hit), 1);
	/* The earlier call's time and scopes, not this one's. */
	ck_assert_double_eq(hit.t, 1000);
	ck_assert_str_eq(HQ(hit), "sales");
	ck_assert_str_eq(HA(hit), "alice");
	ck_assert_str_eq(HT(hit), "red");
	ck_assert_uint_eq(st(r).hits, 1);
	ck_assert_uint_eq(st(r).customers, 1);

	/* Exactly the window is still within it. */
	ck_assert_int_eq(note(r, mk("c3", "+491", "sales", NULL, 1),
	    NULL, 1000 + 2 * H + DAY, &hit), 1);
	ck_assert_double_eq(hit.t, 1000 + 2 * H);
	ck_assert_str_eq(HQ(hit), "support");
	ck_assert_str_eq(HA(hit), "bob");
	ck_assert_str_eq(HT(hit), "blue");
	repeat_free(r);
}
END_TEST

START_TEST(test_no_hit_after_window)
{
	struct repeat		*r = repeat_new(100, DAY);
	struct repeat_hit	 hit;

	ck_assert_int_eq(note(r, mk("c1", "+491", "sales", "alice",
	    1), NULL, 1000, &hit), 0);
	ck_assert_int_eq(note(r, mk("c2", "+491", "sales", "alice",
	    1), NULL, 1000 + DAY + 0.001, &hit), 0);
	/* c2 is now the last call: c3 an hour later repeats it. */
	ck_assert_int_eq(note(r, mk("c3", "+491", "sales", NULL, 0),
	    NULL, 1000 + DAY + H, &hit), 1);
	ck_assert_double_eq(hit.t, 1000 + DAY + 0.001);
	/* Another customer is another entry. */
	ck_assert_int_eq(note(r, mk("c4", "+492", "sales", NULL, 1),
	    NULL, 1000 + DAY + H, &hit), 0);
	ck_assert_uint_eq(st(r).customers, 2);
	ck_assert_uint_eq(st(r).hits, 1);
	repeat_free(r);
}
END_TEST

START_TEST(test_once_per_call)
{
	struct repeat		*r = repeat_new(100, DAY);
	struct repeat_hit	 hit;

	ck_assert_int_eq(note(r, mk("c1", "+491", "sales", "alice",
	    1), NULL, 0, &hit), 0);
	ck_assert_int_eq(note(r, mk("c2", "+491", "sales", NULL, 0),
	    NULL, H, &hit), 1);
	ck_assert_double_eq(hit.t, 0);
	/* c2 was abandoned: c3 repeats nothing, and c1 is not counted again. */
	ck_assert_int_eq(note(r, mk("c3", "+491", "sales", NULL, 1),
	    NULL, 2 * H, &hit), 0);
	/* The same call id again (a resend or a second stint): no repeat. */
	ck_assert_int_eq(note(r, mk("c3", "+491", "support", "bob",
	    1), NULL, 2 * H + 60, &hit), 0);
	/* c3 is still the last call, answered, so c4 repeats it once. */
	ck_assert_int_eq(note(r, mk("c4", "+491", "sales", NULL, 1),
	    NULL, 3 * H, &hit), 1);
	ck_assert_double_eq(hit.t, 2 * H);
	ck_assert_str_eq(HQ(hit), "sales");
	ck_assert_uint_eq(st(r).hits, 2);
	repeat_free(r);
}
END_TEST

START_TEST(test_unanswered_not_counted)
{
	struct repeat		*r = repeat_new(100, DAY);
	struct repeat_hit	 hit;
	struct event		 e;

	ck_assert_int_eq(note(r, mk("c1", "+491", "sales", NULL, 0),
	    NULL, 0, &hit), 0);
	ck_assert_int_eq(note(r, mk("c2", "+491", "sales", NULL, 0),
	    NULL, 60, &hit), 0);
	/* Timeouts are not answered either. */
	mk("c3", "+491", "sales", NULL, 0);
	ev.outcome = EVENT_OUTCOME_TIMEOUT;
	ck_assert_int_eq(note(r, &ev, NULL, 120, &hit), 0);
	ck_assert_int_eq(note(r, mk("c4", "+491", "sales", NULL, 0),
	    NULL, 180, &hit), 0);
	ck_assert_uint_eq(st(r).hits, 0);

	/* No outcome: answered if an agent took it or it talked. */
	mk("x", "+1", NULL, "alice", 0);
	ev.outcome = EVENT_OUTCOME_NONE;
	ck_assert_int_eq(repeat_answered(&ev), 1);
	mk("x", "+1", NULL, NULL, 0);
	ev.outcome = EVENT_OUTCOME_NONE;
	ck_assert_int_eq(repeat_answered(&ev), 0);
	ev.has |= EVENT_HAS_TALK;
	ev.talk = 0;
	ck_assert_int_eq(repeat_answered(&ev), 0);
	ev.talk = 3;
	ck_assert_int_eq(repeat_answered(&ev), 1);
	ev.outcome = EVENT_OUTCOME_TRANSFERRED;
	ck_assert_int_eq(repeat_answered(&ev), 1);

	/* Not a finished call, or no customer: ignored, nothing kept. */
	memcpy(&e, mk("c9", "+493", "sales", "alice", 1), sizeof e);
	e.type = EVENT_CALL_ANSWERED;
	ck_assert_int_eq(note(r, &e, NULL, 200, &hit), 0);
	ck_assert_uint_eq(repeat_prefetch(r, &e), 0);
	ck_assert_uint_ne(repeat_prefetch(r, mk("c9", "+493", "s", "a", 1)),
	    0);
	ck_assert_int_eq(note(r, mk("c9", NULL, "sales", "alice", 1),
	    NULL, 200, &hit), 0);
	ck_assert_uint_eq(st(r).customers, 1);
	repeat_free(r);
}
END_TEST

START_TEST(test_late_call)
{
	struct repeat		*r = repeat_new(100, DAY);
	struct repeat_hit	 hit;

	ck_assert_int_eq(note(r, mk("c2", "+491", "support", NULL, 1),
	    NULL, 10 * H, &hit), 0);
	/* c1 arrives late, answered, 2 h before c2: c1 is the repeated one. */
	ck_assert_int_eq(note(r, mk("c1", "+491", "sales", "alice",
	    1), "red", 8 * H, &hit), 1);
	ck_assert_double_eq(hit.t, 8 * H);
	ck_assert_str_eq(HQ(hit), "sales");
	ck_assert_str_eq(HA(hit), "alice");
	ck_assert_str_eq(HT(hit), "red");
	/* Late and unanswered, or late by more than the window: nothing. */
	ck_assert_int_eq(note(r, mk("c0", "+491", "sales", NULL, 0),
	    NULL, 7 * H, &hit), 0);
	ck_assert_int_eq(note(r, mk("c00", "+491", "sales", "alice",
	    1), NULL, 10 * H - DAY - 1, &hit), 0);
	/* The entry kept c2, the newest: c3 repeats it. */
	ck_assert_int_eq(note(r, mk("c3", "+491", "sales", NULL, 1),
	    NULL, 11 * H, &hit), 1);
	ck_assert_double_eq(hit.t, 10 * H);
	ck_assert_str_eq(HQ(hit), "support");
	repeat_free(r);
}
END_TEST

START_TEST(test_expiry)
{
	struct repeat		*r = repeat_new(100, H);
	struct repeat_hit	 hit;
	char			 id[16], cust[16];
	int			 i;

	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof id, "c%d", i);
		snprintf(cust, sizeof cust, "+49%d", i);
		ck_assert_int_eq(note(r, mk(id, cust, "q", "a", 1),
		    NULL, i * 60.0, &hit), 0);
	}
	ck_assert_uint_eq(st(r).customers, 10);
	/* At 3600 + 240 the calls at 0..180 are more than an hour old. */
	ck_assert_uint_eq(repeat_expire(r, H + 240), 4);
	ck_assert_uint_eq(st(r).customers, 6);
	ck_assert_uint_eq(st(r).expired, 4);
	/* Exactly an hour old stays. */
	ck_assert_uint_eq(repeat_expire(r, H + 240), 0);
	/* A note expires too: at 3600 + 420, calls at 240..360 go. */
	ck_assert_int_eq(note(r, mk("n", "+495", "q", "a", 1), NULL,
	    H + 420, &hit), 0);
	ck_assert_uint_eq(st(r).customers, 4);
	ck_assert_uint_eq(st(r).expired, 7);
	/* +495 expired, so that was a first call again; +498 repeats. */
	ck_assert_int_eq(note(r, mk("m", "+498", "q", "a", 1), NULL,
	    H + 421, &hit), 1);
	ck_assert_double_eq(hit.t, 480);
	/* That note expired +497 (420) too. */
	ck_assert_uint_eq(st(r).expired, 8);
	ck_assert_uint_eq(repeat_expire(r, 1e9), 3);
	ck_assert_uint_eq(st(r).customers, 0);
	repeat_free(r);
}
END_TEST

/*
 * A customer who calls again keeps their entry past an hour from the
 * first call, and does not hold back the expiry of those behind it in
 * the list.
 */
START_TEST(test_recalled_kept)
{
	struct repeat		*r = repeat_new(100, H);
	struct repeat_hit	 hit;

	ck_assert_int_eq(note(r, mk("a1", "+1", "q", "a", 1), NULL, 0,
	    &hit), 0);
	ck_assert_int_eq(note(r, mk("b1", "+2", "q", "a", 1), NULL, 60,
	    &hit), 0);
	ck_assert_int_eq(note(r, mk("c1", "+3", "q", "a", 1), NULL, 100,
	    &hit), 0);
	ck_assert_int_eq(note(r, mk("a2", "+1", "q", "a", 1), NULL, 200,
	    &hit), 1);
	/* At 3600 + 150: +2 (60) and +3 (100) go, +1 (200) stays. */
	ck_assert_uint_eq(repeat_expire(r, H + 150), 2);
	ck_assert_uint_eq(st(r).customers, 1);
	/* Held for an hour from its last call, not its first. */
	ck_assert_uint_eq(repeat_expire(r, H + 199), 0);
	ck_assert_uint_eq(repeat_expire(r, H + 201), 1);
	ck_assert_uint_eq(st(r).customers, 0);
	ck_assert_uint_eq(st(r).expired, 3);
	repeat_free(r);
}
END_TEST

START_TEST(test_cap)
{
	struct repeat		*r = repeat_new(3, DAY);
	struct repeat_hit	 hit;

	ck_assert_int_eq(note(r, mk("c1", "+1", "q", "a", 1), NULL, 1,
	    &hit), 0);
	ck_assert_int_eq(note(r, mk("c2", "+2", "q", "a", 1), NULL, 2,
	    &hit), 0);
	ck_assert_int_eq(note(r, mk("c3", "+3", "q", "a", 1), NULL, 3,
	    &hit), 0);
	/* +1 calls again: a hit, and +1 becomes the newest. */
	ck_assert_int_eq(note(r, mk("c4", "+1", "q", "a", 1), NULL, 4,
	    &hit), 1);
	/* A fourth customer evicts the oldest noted, +2. */
	ck_assert_int_eq(note(r, mk("c5", "+4", "q", "a", 1), NULL, 5,
	    &hit), 0);
	ck_assert_uint_eq(st(r).customers, 3);
	ck_assert_uint_eq(st(r).evicted, 1);
	ck_assert_int_eq(note(r, mk("c6", "+2", "q", "a", 1), NULL, 6,
	    &hit), 0);		/* forgotten: +3 goes now */
	ck_assert_int_eq(note(r, mk("c7", "+1", "q", "a", 1), NULL, 7,
	    &hit), 1);
	ck_assert_double_eq(hit.t, 4);
	ck_assert_uint_eq(st(r).evicted, 2);

	/* A lower cap applies on the next new customer. */
	repeat_set_limits(r, 1, DAY);
	ck_assert_int_eq(note(r, mk("c8", "+5", "q", "a", 1), NULL, 8,
	    &hit), 0);
	ck_assert_uint_eq(st(r).customers, 1);
	ck_assert_uint_eq(st(r).evicted, 5);
	/* A cap of 0 keeps nothing. */
	repeat_set_limits(r, 0, DAY);
	ck_assert_int_eq(note(r, mk("c9", "+6", "q", "a", 1), NULL, 9,
	    &hit), 0);
	ck_assert_uint_eq(st(r).customers, 1);
	repeat_free(r);
}
END_TEST

START_TEST(test_many)
{
	struct repeat		*r = repeat_new(100000, 2 * DAY);
	struct repeat_hit	 hit;
	char			 id[32], cust[32];
	int			 i, hits = 0;

	for (i = 0; i < 50000; i++) {
		snprintf(id, sizeof id, "a%d", i);
		snprintf(cust, sizeof cust, "+%d", i);
		hits += note(r, mk(id, cust, "q", "a", 1), NULL, i,
		    &hit);
	}
	/* Every even customer calls again. */
	for (i = 0; i < 50000; i += 2) {
		snprintf(id, sizeof id, "b%d", i);
		snprintf(cust, sizeof cust, "+%d", i);
		hits += note(r, mk(id, cust, "q", "a", 1), NULL,
		    50000 + i, &hit);
		ck_assert_double_eq(hit.t, i);
	}
	ck_assert_int_eq(hits, 25000);
	ck_assert_uint_eq(st(r).customers, 50000);
	/* Odd customers and the first even one are two days old. */
	ck_assert_uint_eq(repeat_expire(r, 2 * DAY + 50000 + 0.5), 25001);
	ck_assert_uint_eq(st(r).customers, 24999);
	repeat_free(r);
}
END_TEST

/* A customer of the model in test_model. */
struct model {
	int	 valid;
	double	 t;
	int	 call;
	int	 answered;
	void	*ref[REPEAT_REFS];
};

static uint64_t	rnd_state = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (rnd_state);
}

/*
 * Against a plain model (one record per customer, the rule written out)
 * over calls in time order from few customers with a short window: every
 * note's result and hit agree, while the table grows, removes entries
 * from the middle of its runs (backward shifts) and shrinks again.
 */
START_TEST(test_model)
{
	static struct model	 m[3000];
	static const char	*names[] = { "q1", "q2", "a1", "a2", "t1" };
	struct repeat		*r;
	struct repeat_hit	 hit, want;
	struct model		*c;
	char			 id[32], cust[32];
	void			*ref[REPEAT_REFS];
	double			 t = 0, w = 50;
	size_t			 ncust;
	int			 i, k, got, exp, call, ncall = 0, phase;
	int			 hits = 0;

	r = repeat_new(1000000, w);
	memset(m, 0, sizeof m);
	for (i = 0; i < 300000; i++) {
		/* Busy, then quiet (the table shrinks), then busy again. */
		phase = (i / 50000) % 2;
		ncust = phase == 0 ? 3000 : 40;
		t += (double)(rnd() % 100) / (phase == 0 ? 1000.0 : 100.0);
		k = (int)(rnd() % ncust);
		c = &m[k];
		/* One call in ten sent again with its id. */
		if (rnd() % 10 != 0 || !c->valid)
			call = ++ncall;
		else
			call = c->call;
		mk(NULL, NULL, NULL, NULL, (int)(rnd() % 3 != 0));
		snprintf(id, sizeof id, "call%d", call);
		snprintf(cust, sizeof cust, "cust%d", k);
		snprintf(ev.call_id, sizeof ev.call_id, "%s", id);
		snprintf(ev.customer, sizeof ev.customer, "%s", cust);
		ref[REPEAT_QUEUE] = (void *)(uintptr_t)names[rnd() % 2];
		ref[REPEAT_AGENT] = (void *)(uintptr_t)names[2 + rnd() % 2];
		ref[REPEAT_TEAM] = rnd() % 2 ? (void *)(uintptr_t)names[4] :
		    NULL;

		/* The model. */
		exp = 0;
		if (c->valid && c->t + w < t)
			c->valid = 0;
		if (c->valid && c->call == call)
			;
		else {
			if (c->valid && c->answered && t - c->t <= w) {
				exp = 1;
				want.t = c->t;
				memcpy(want.ref, c->ref, sizeof want.ref);
			}
			c->valid = 1;
			c->t = t;
			c->call = call;
			c->answered = ev.outcome == EVENT_OUTCOME_ANSWERED;
			memcpy(c->ref, ref, sizeof c->ref);
		}

		memset(&hit, 0, sizeof hit);
		/* Half of them with the hash from repeat_prefetch(). */
		got = repeat_note(r, &ev, i % 2 ? repeat_prefetch(r, &ev) : 0,
		    ref, t, &hit);
		ck_assert_int_eq(got, exp);
		if (exp) {
			ck_assert_double_eq(hit.t, want.t);
			ck_assert_mem_eq(hit.ref, want.ref, sizeof hit.ref);
			hits++;
		}
		if (i % 1000 == 0)
			repeat_expire(r, t);
	}
	ck_assert_uint_eq(st(r).hits, (uint64_t)hits);
	ck_assert_int_gt(hits, 10000);
	ck_assert_uint_gt(st(r).expired, 100000);
	/* Every customer held is in the expiry queue, once. */
	ncust = st(r).customers;
	ck_assert_uint_eq(repeat_expire(r, t + w + 1), ncust);
	ck_assert_uint_eq(st(r).customers, 0);
	repeat_free(r);
}
END_TEST

/*
 * At a small cap: every new customer beyond it evicts one, the count
 * never passes the cap, and what is held stays consistent.
 */
START_TEST(test_cap_churn)
{
	struct repeat		*r = repeat_new(100, DAY);
	struct repeat_hit	 hit;
	char			 id[32], cust[32];
	int			 i;

	for (i = 0; i < 20000; i++) {
		snprintf(id, sizeof id, "c%d", i);
		snprintf(cust, sizeof cust, "+%d", (int)(rnd() % 500));
		(void)note(r, mk(id, cust, "q", "a", 1), NULL, i, &hit);
		ck_assert_uint_le(st(r).customers, 100);
	}
	ck_assert_uint_eq(st(r).customers, 100);
	ck_assert_uint_gt(st(r).evicted, 10000);
	ck_assert_uint_eq(repeat_expire(r, 1e12), 100);
	repeat_free(r);
}
END_TEST

START_TEST(test_free_null)
{
	repeat_free(NULL);
}
END_TEST

static Suite *
repeat_suite(void)
{
	Suite	*s = suite_create("repeat");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_hit_within_window);
	tcase_add_test(tc, test_no_hit_after_window);
	tcase_add_test(tc, test_once_per_call);
	tcase_add_test(tc, test_unanswered_not_counted);
	tcase_add_test(tc, test_late_call);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_recalled_kept);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_model);
	tcase_add_test(tc, test_cap_churn);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(repeat_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed ? 1 : 0);
}
