/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The scope table: lookup, creation order, per-kind limits, growth.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

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
