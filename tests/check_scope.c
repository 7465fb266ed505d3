/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The scope table: lookup, creation order, per-kind limits, growth; adds
 * to every window of a scope, agents' distributions as configured.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "event.h"
#include "scope.h"
#include "window.h"

static struct scopes *
make(size_t queues, size_t agents, size_t teams)
{
	struct window_def	w[2];
	size_t			limit[SCOPE_KIND_COUNT] = { 1, queues, agents,
				    teams };

	ck_assert_int_eq(window_def_init(&w[0], "5m", 10), 0);
	ck_assert_int_eq(window_def_init(&w[1], "1h", 10), 0);
	return (scopes_new(w, 2, limit));
}

START_TEST(test_global_exists)
{
	struct scopes	*s = make(10, 10, 10);
	struct scope	*g = scopes_global(s);

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(g->kind, SCOPE_GLOBAL);
	ck_assert_str_eq(g->name, "");
	ck_assert_ptr_eq(scopes_find(s, SCOPE_GLOBAL, ""), g);
	ck_assert_uint_eq(scopes_count(s, SCOPE_GLOBAL), 1);
	ck_assert_uint_eq(scopes_nwindows(s), 2);
	ck_assert_int_eq(scopes_window_index(s, "1h"), 1);
	ck_assert_int_eq(scopes_window_index(s, "2h"), -1);
	ck_assert_str_eq(scopes_window(s, 0)->name, "5m");
	scopes_free(s);
}
END_TEST

START_TEST(test_get_find_kinds)
{
	struct scopes	*s = make(10, 10, 10);
	struct scope	*q, *a;

	ck_assert_ptr_null(scopes_find(s, SCOPE_QUEUE, "sales"));
	q = scopes_get(s, SCOPE_QUEUE, "sales");
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_eq(scopes_get(s, SCOPE_QUEUE, "sales"), q);
	ck_assert_ptr_eq(scopes_find(s, SCOPE_QUEUE, "sales"), q);
	/* The same name in another kind is another scope. */
	a = scopes_get(s, SCOPE_AGENT, "sales");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_ne(a, q);
	ck_assert_uint_eq(scopes_count(s, SCOPE_QUEUE), 1);
	ck_assert_uint_eq(scopes_count(s, SCOPE_AGENT), 1);
	ck_assert_ptr_nonnull(q->rings[0]);
	ck_assert_ptr_nonnull(q->rings[1]);
	scopes_free(s);
}
END_TEST

START_TEST(test_limit_exact)
{
	struct scopes	*s = make(10, 1000, 10);
	char		 name[32];
	int		 i, made = 0, refused = 0;

	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "agent-%d", i);
		if (scopes_get(s, SCOPE_AGENT, name) != NULL)
			made++;
		else
			refused++;
	}
	ck_assert_int_eq(made, 1000);
	ck_assert_int_eq(refused, 4000);
	ck_assert_uint_eq(scopes_count(s, SCOPE_AGENT), 1000);
	/* Existing scopes are still found after the table grew. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "agent-%d", i);
		ck_assert_ptr_nonnull(scopes_find(s, SCOPE_AGENT, name));
	}
	ck_assert_ptr_null(scopes_find(s, SCOPE_AGENT, "agent-1000"));
	/* A raised limit (reload) admits more. */
	{
		size_t	limit[SCOPE_KIND_COUNT] = { 1, 10, 1001, 10 };

		scopes_set_limits(s, limit);
		ck_assert_ptr_nonnull(scopes_get(s, SCOPE_AGENT, "new"));
		ck_assert_ptr_null(scopes_get(s, SCOPE_AGENT, "new2"));
	}
	scopes_free(s);
}
END_TEST

START_TEST(test_creation_order)
{
	struct scopes	*s = make(10, 10, 10);
	struct scope	*sc;
	const char	*names[] = { "b", "a", "c" };
	int		 i = 0;

	scopes_get(s, SCOPE_TEAM, "b");
	scopes_get(s, SCOPE_TEAM, "a");
	scopes_get(s, SCOPE_TEAM, "c");
	scopes_get(s, SCOPE_TEAM, "a");
	for (sc = scopes_first(s, SCOPE_TEAM); sc != NULL; sc = sc->list_next)
		ck_assert_str_eq(sc->name, names[i++]);
	ck_assert_int_eq(i, 3);
	scopes_free(s);
}
END_TEST

START_TEST(test_kind_names)
{
	ck_assert_str_eq(scope_kind_name(SCOPE_QUEUE), "queue");
	ck_assert_str_eq(scope_kind_name(SCOPE_AGENT), "agent");
	ck_assert_int_eq(scope_kind_parse("team"), SCOPE_TEAM);
	ck_assert_int_eq(scope_kind_parse("global"), SCOPE_GLOBAL);
	ck_assert_int_eq(scope_kind_parse("nope"), -1);
}
END_TEST

/* Long names exercise every SipHash block path. */
START_TEST(test_long_names)
{
	struct scopes	*s = make(100, 100, 100);
	char		 name[65];
	int		 len;

	for (len = 1; len <= 64; len++) {
		memset(name, 'x', (size_t)len);
		name[len] = '\0';
		ck_assert_ptr_nonnull(scopes_get(s, SCOPE_QUEUE, name));
	}
	for (len = 1; len <= 64; len++) {
		memset(name, 'x', (size_t)len);
		name[len] = '\0';
		ck_assert_ptr_nonnull(scopes_find(s, SCOPE_QUEUE, name));
	}
	ck_assert_uint_eq(scopes_count(s, SCOPE_QUEUE), 64);
	scopes_free(s);
}
END_TEST

/* n answered calls (wait 10 s) at now into every window of sc. */
static void
add_calls(struct scopes *s, struct scope *sc, uint64_t now, int n)
{
	struct agg_params	 params;
	struct event		 ev;
	struct contrib		 c;
	size_t			 w;
	int			 i;

	memset(&params, 0, sizeof params);
	params.sl_threshold = 20;
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_CALL;
	ev.outcome = EVENT_OUTCOME_ANSWERED;
	ev.has = EVENT_HAS_WAIT | EVENT_HAS_TALK;
	ev.wait = 10;
	ev.talk = 60;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	for (i = 0; i < n; i++) {
		for (w = 0; w < scopes_nwindows(s); w++)
			ring_add(sc->rings[w], scopes_window(s, w), now, now,
			    &c, scopes_pool(s));
	}
}

static uint32_t
offered(struct scopes *s, struct scope *sc, size_t w, uint64_t now)
{
	struct agg	sum;
	uint32_t	n;

	ring_sum(sc->rings[w], scopes_window(s, w), now, &sum,
	    scopes_pool(s));
	n = sum.offered;
	agg_clear(&sum, scopes_pool(s));
	return (n);
}

/*
 * Saved windows are kept as blobs and restored at first use (find, get,
 * global) or by scopes_load_some(); a malformed one is counted, dropped.
 */
START_TEST(test_saved_restored_at_first_use)
{
	struct scopes	*a = make(10, 10, 10), *b = make(10, 10, 10);
	struct scope	*sc, *q1, *q2, *q3;
	unsigned char	*blob, junk[] = "not a ring";
	uint64_t	 now = 1795000000000ULL;
	size_t		 len, w;

	clock_set_fake(now);
	sc = scopes_get(a, SCOPE_QUEUE, "q1");
	add_calls(a, sc, now, 3);
	add_calls(a, scopes_global(a), now, 5);

	/* A restart: b keeps a's blobs without restoring them. */
	for (w = 0; w < 2; w++) {
		blob = ring_serialize(sc->rings[w], scopes_window(a, w), now,
		    &len);
		ck_assert_ptr_nonnull(blob);
		q1 = scopes_make(b, SCOPE_QUEUE, "q1");
		scopes_save(b, q1, w, blob, len);
		q2 = scopes_make(b, SCOPE_QUEUE, "q2");
		scopes_save(b, q2, w, blob, len);
		free(blob);
		blob = ring_serialize(scopes_global(a)->rings[w],
		    scopes_window(a, w), now, &len);
		scopes_save(b, scopes_first(b, SCOPE_GLOBAL), w, blob, len);
		free(blob);
	}
	q3 = scopes_make(b, SCOPE_QUEUE, "q3");
	scopes_save(b, q3, 1, junk, sizeof junk);
	ck_assert_uint_eq(scopes_saved(b), 4);
	ck_assert_ptr_nonnull(q1->saved);
	ck_assert_uint_eq(offered(b, q1, 0, now), 0);	/* not yet */

	/* First use restores. */
	ck_assert_ptr_eq(scopes_find(b, SCOPE_QUEUE, "q1"), q1);
	ck_assert_ptr_null(q1->saved);
	ck_assert_uint_eq(offered(b, q1, 0, now), 3);
	ck_assert_uint_eq(offered(b, q1, 1, now), 3);
	ck_assert_uint_eq(offered(b, scopes_global(b), 1, now), 5);
	ck_assert_uint_eq(scopes_saved(b), 2);
	ck_assert_ptr_eq(scopes_get(b, SCOPE_QUEUE, "q2"), q2);
	ck_assert_uint_eq(offered(b, q2, 0, now), 3);
	ck_assert_uint_eq(scopes_load_errors(b), 0);

	/* The rest in the background; the malformed one is dropped. */
	ck_assert_uint_eq(scopes_load_some(b, 1000000), 0);
	ck_assert_uint_eq(scopes_saved(b), 0);
	ck_assert_ptr_null(q3->saved);
	ck_assert_uint_eq(scopes_load_errors(b), 1);
	ck_assert_uint_eq(offered(b, q3, 1, now), 0);

	/* Saved, never used, freed with the table (valgrind, ASan). */
	q1 = scopes_make(b, SCOPE_TEAM, "t1");
	scopes_save(b, q1, 0, junk, sizeof junk);
	clock_set_fake(0);
	scopes_free(a);
	scopes_free(b);
}
END_TEST

/*
 * scope_add() reaches every window of a scope; agents keep distributions
 * as the definitions' agent_group says, other kinds always.
 */
START_TEST(test_add_agent_group)
{
	struct window_def	 w[2];
	size_t			 limit[SCOPE_KIND_COUNT] = { 1, 5, 5, 5 };
	struct scopes		*s;
	struct scope		*q, *a;
	struct contrib		 c;
	struct agg		 sum;
	uint64_t		 now = 3600000ULL * 500000;
	size_t			 i;
	int			 d;

	ck_assert_int_eq(window_def_init(&w[0], "5m", 10), 0);
	ck_assert_int_eq(window_def_init(&w[1], "1h", 10), 0);
	w[0].agent_group = w[1].agent_group = WINDOW_AGENT_NODIST;
	s = scopes_new(w, 2, limit);
	q = scopes_get(s, SCOPE_QUEUE, "sales");
	a = scopes_get(s, SCOPE_AGENT, "a1");
	memset(&c, 0, sizeof c);
	c.delta.offered = c.delta.answered = 1;
	c.delta.talk = 60;
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		c.dist_idx[d] = 300 + d;
		c.dist_n[d] = 1;
	}
	ck_assert_int_eq(scope_add(q, now, now, &c), 0);
	ck_assert_int_eq(scope_add(a, now, now, &c), 0);
	ck_assert_int_eq(scope_add(a, now - 3 * 3600000ULL, now, &c), -1);
	for (i = 0; i < 2; i++) {
		ring_sum(q->rings[i], &w[i], now, &sum, scopes_pool(s));
		ck_assert_uint_eq(sum.offered, 1);
		for (d = 0; d < AGG_DIST_COUNT; d++)
			ck_assert_uint_eq(sum.dist[d]->bucket[300 + d], 1);
		agg_clear(&sum, scopes_pool(s));
		ring_sum(a->rings[i], &w[i], now, &sum, scopes_pool(s));
		ck_assert_uint_eq(sum.offered, 1);
		ck_assert(sum.talk == 60);
		for (d = 0; d < AGG_DIST_COUNT; d++)
			ck_assert_ptr_null(sum.dist[d]);
		agg_clear(&sum, scopes_pool(s));
	}
	scopes_free(s);
}
END_TEST

/* limits.agent_percentiles reaches the windows scopes_new() gets. */
START_TEST(test_conf_agent_group)
{
	struct window_def	 defs[CONF_WINDOWS_MAX + 1];
	struct conf		*c;
	size_t			 i, n;

	c = conf_default();
	ck_assert_uint_eq(c->agent_percentiles, 0);
	n = conf_all_windows(c, defs);
	ck_assert_uint_eq(n, c->nwindows + 1);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(defs[i].agent_group, WINDOW_AGENT_NODIST);
	c->agent_percentiles = 5;
	n = conf_all_windows(c, defs);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(defs[i].agent_group, 5);
	conf_free(c);
}
END_TEST

static Suite *
scope_suite(void)
{
	Suite	*s = suite_create("scope");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_global_exists);
	tcase_add_test(tc, test_get_find_kinds);
	tcase_add_test(tc, test_limit_exact);
	tcase_add_test(tc, test_creation_order);
	tcase_add_test(tc, test_kind_names);
	tcase_add_test(tc, test_long_names);
	tcase_add_test(tc, test_saved_restored_at_first_use);
	tcase_add_test(tc, test_add_agent_group);
	tcase_add_test(tc, test_conf_agent_group);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(scope_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed ? 1 : 0);
}
