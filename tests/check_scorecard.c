/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for scorecard.c: the status of each direction at and around its
 * thresholds, per-queue targets, perspective means, weights and their
 * renormalisation, and KPIs that are never scored (no data, no target,
 * no direction).  Expected scores are worked out by hand in comments.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"
#include "kpi.h"
#include "scorecard.h"
#include "xmalloc.h"

#define EPS	1e-9

static void	 nan_all(double *);
static struct conf *load(const char *);
static Suite	*scorecard_suite(void);

static void
nan_all(double *v)
{
	size_t	i;

	for (i = 0; i < KPI_COUNT; i++)
		v[i] = NAN;
}

/* Load YAML text through a temporary file. */
static struct conf *
load(const char *text)
{
	char		 tmpl[] = "/tmp/check_scorecard.XXXXXX", *path, *errors;
	struct conf	*c;
	FILE		*f;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	xasprintf(&path, "%s/c.yaml", tmpl);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	errors = NULL;
	c = conf_load(path, &errors);
	ck_assert_msg(c != NULL, "%s", errors != NULL ? errors : "");
	unlink(path);
	rmdir(tmpl);
	free(path);
	return (c);
}

START_TEST(test_status_name)
{
	ck_assert_str_eq(scorecard_status_name(SCORECARD_GREEN), "green");
	ck_assert_str_eq(scorecard_status_name(SCORECARD_AMBER), "amber");
	ck_assert_str_eq(scorecard_status_name(SCORECARD_RED), "red");
	ck_assert_str_eq(scorecard_status_name(SCORECARD_NONE), "none");
	ck_assert_str_eq(scorecard_status_name((enum scorecard_status)42),
	    "none");
}
END_TEST

/* Higher is better: service_level, target 80, amber 70 by default. */
START_TEST(test_higher_edges)
{
	static const struct {
		double			v;
		enum scorecard_status	s;
	} cases[] = {
		{ 100, SCORECARD_GREEN },
		{ 80, SCORECARD_GREEN },		/* exactly at target */
		{ 79.999, SCORECARD_AMBER },		/* just worse */
		{ 70, SCORECARD_AMBER },		/* exactly at amber */
		{ 69.999, SCORECARD_RED },		/* just worse */
		{ 0, SCORECARD_RED },
	};
	struct conf	*c = conf_default();
	struct scorecard sc;
	double		 v[KPI_COUNT];
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		nan_all(v);
		v[KPI_SERVICE_LEVEL] = cases[i].v;
		scorecard_eval(c, NULL, v, &sc);
		ck_assert_msg(sc.kpi[KPI_SERVICE_LEVEL].status == cases[i].s,
		    "service_level %g: %s", cases[i].v, scorecard_status_name(
		    sc.kpi[KPI_SERVICE_LEVEL].status));
		ck_assert_int_eq(sc.kpi[KPI_SERVICE_LEVEL].has_target, 1);
		ck_assert_double_eq(sc.kpi[KPI_SERVICE_LEVEL].value,
		    cases[i].v);
		ck_assert_double_eq(sc.kpi[KPI_SERVICE_LEVEL].target, 80);
		ck_assert_double_eq(sc.kpi[KPI_SERVICE_LEVEL].amber, 70);
	}

	/* NPS may be negative: target 30, amber 10; then -20 and -40. */
	nan_all(v);
	v[KPI_NPS] = 10;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_NPS].status, SCORECARD_AMBER);
	c->targets[KPI_NPS].target = -20;
	c->targets[KPI_NPS].amber = -40;
	v[KPI_NPS] = -20;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_NPS].status, SCORECARD_GREEN);
	v[KPI_NPS] = -40.5;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_NPS].status, SCORECARD_RED);
	conf_free(c);
}
END_TEST

/* Lower is better: asa, target 30 s, amber 60 s by default. */
START_TEST(test_lower_edges)
{
	static const struct {
		double			v;
		enum scorecard_status	s;
	} cases[] = {
		{ 0, SCORECARD_GREEN },
		{ 30, SCORECARD_GREEN },		/* exactly at target */
		{ 30.001, SCORECARD_AMBER },		/* just worse */
		{ 60, SCORECARD_AMBER },		/* exactly at amber */
		{ 60.001, SCORECARD_RED },		/* just worse */
		{ 3600, SCORECARD_RED },
	};
	struct conf	*c = conf_default();
	struct scorecard sc;
	double		 v[KPI_COUNT];
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		nan_all(v);
		v[KPI_ASA] = cases[i].v;
		scorecard_eval(c, NULL, v, &sc);
		ck_assert_msg(sc.kpi[KPI_ASA].status == cases[i].s,
		    "asa %g: %s", cases[i].v,
		    scorecard_status_name(sc.kpi[KPI_ASA].status));
		ck_assert_double_eq(sc.kpi[KPI_ASA].target, 30);
		ck_assert_double_eq(sc.kpi[KPI_ASA].amber, 60);
	}

	/* target == amber: there is no amber band. */
	c->targets[KPI_ABANDON_RATE].target = 5;
	c->targets[KPI_ABANDON_RATE].amber = 5;
	nan_all(v);
	v[KPI_ABANDON_RATE] = 5;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_ABANDON_RATE].status, SCORECARD_GREEN);
	v[KPI_ABANDON_RATE] = 5.0001;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_ABANDON_RATE].status, SCORECARD_RED);
	conf_free(c);
}
END_TEST

/* No data, no target or no direction: status none, never scored. */
START_TEST(test_not_scored)
{
	struct conf	*c = conf_default();
	struct scorecard sc;
	double		 v[KPI_COUNT];
	size_t		 i;

	/* Nothing known: every status none, every score NaN. */
	nan_all(v);
	scorecard_eval(c, NULL, v, &sc);
	for (i = 0; i < KPI_COUNT; i++)
		ck_assert_int_eq(sc.kpi[i].status, SCORECARD_NONE);
	for (i = 0; i < KPI_PERSPECTIVE_COUNT; i++)
		ck_assert(isnan(sc.perspective_score[i]));
	ck_assert(isnan(sc.overall));
	/* A KPI with a target but no value keeps its thresholds. */
	ck_assert_int_eq(sc.kpi[KPI_CSAT].has_target, 1);
	ck_assert_double_eq(sc.kpi[KPI_CSAT].target, 80);
	ck_assert(isnan(sc.kpi[KPI_CSAT].value));

	/* Values but no target (wait_avg, cost_per_contact by default). */
	v[KPI_WAIT_AVG] = 500;
	v[KPI_COST_PER_CONTACT] = 4.2;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_WAIT_AVG].status, SCORECARD_NONE);
	ck_assert_int_eq(sc.kpi[KPI_WAIT_AVG].has_target, 0);
	ck_assert(isnan(sc.kpi[KPI_WAIT_AVG].target));
	ck_assert(isnan(sc.kpi[KPI_WAIT_AVG].amber));
	ck_assert_double_eq(sc.kpi[KPI_WAIT_AVG].value, 500);
	ck_assert_int_eq(sc.kpi[KPI_COST_PER_CONTACT].status,
	    SCORECARD_NONE);
	ck_assert(isnan(sc.perspective_score[KPI_PERSPECTIVE_CUSTOMER]));
	ck_assert(isnan(sc.perspective_score[KPI_PERSPECTIVE_FINANCIAL]));
	ck_assert(isnan(sc.overall));

	/*
	 * A volume has no direction: even a target forced into the
	 * structure (the parser refuses one) is never applied.
	 */
	c->targets[KPI_OFFERED].set = 1;
	c->targets[KPI_OFFERED].target = 10;
	c->targets[KPI_OFFERED].amber = 5;
	nan_all(v);
	v[KPI_OFFERED] = 100;
	v[KPI_ANSWERED] = 90;
	v[KPI_ABANDONED] = 10;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_OFFERED].status, SCORECARD_NONE);
	ck_assert_int_eq(sc.kpi[KPI_OFFERED].has_target, 0);
	ck_assert_int_eq(sc.kpi[KPI_ANSWERED].status, SCORECARD_NONE);
	ck_assert(isnan(sc.perspective_score[KPI_PERSPECTIVE_PROCESS]));
	ck_assert(isnan(sc.overall));

	/* Every KPI without a direction, whatever the table holds. */
	for (i = 0; i < KPI_COUNT; i++) {
		if (kpi_table[i].direction != KPI_DIRECTION_NONE)
			continue;
		ck_assert_int_eq(c->targets[i].set, i == KPI_OFFERED);
		ck_assert_int_eq(sc.kpi[i].has_target, 0);
	}
	conf_free(c);
}
END_TEST

START_TEST(test_perspectives)
{
	struct conf	*c = conf_default();
	struct scorecard sc;
	double		 v[KPI_COUNT];

	nan_all(v);
	/* customer: green 100, amber 50, red 0 -> 50 */
	v[KPI_SERVICE_LEVEL] = 85;
	v[KPI_ABANDON_RATE] = 6;
	v[KPI_ASA] = 90;
	/* process: aht 300 <= 360 green, hold_rate 20 green -> 100 */
	v[KPI_AHT] = 300;
	v[KPI_HOLD_RATE] = 20;
	/* learning: qa_score 80 in [75, 85) amber -> 50 */
	v[KPI_QA_SCORE] = 80;
	/* financial: no default targets -> NaN */
	v[KPI_REVENUE_PER_CALL] = 12;
	scorecard_eval(c, NULL, v, &sc);

	ck_assert_int_eq(sc.kpi[KPI_SERVICE_LEVEL].status, SCORECARD_GREEN);
	ck_assert_int_eq(sc.kpi[KPI_ABANDON_RATE].status, SCORECARD_AMBER);
	ck_assert_int_eq(sc.kpi[KPI_ASA].status, SCORECARD_RED);
	ck_assert_double_eq_tol(sc.perspective_score[KPI_PERSPECTIVE_CUSTOMER],
	    50, EPS);
	ck_assert_double_eq_tol(sc.perspective_score[KPI_PERSPECTIVE_PROCESS],
	    100, EPS);
	ck_assert_double_eq_tol(sc.perspective_score[KPI_PERSPECTIVE_LEARNING],
	    50, EPS);
	ck_assert(isnan(sc.perspective_score[KPI_PERSPECTIVE_FINANCIAL]));
	/* (40 * 50 + 30 * 100 + 15 * 50) / (40 + 30 + 15) = 5750 / 85 */
	ck_assert_double_eq_tol(sc.overall, 5750.0 / 85, EPS);

	/* Two of three customer KPIs green: (100 + 100 + 0) / 3. */
	v[KPI_ABANDON_RATE] = 5;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_double_eq_tol(sc.perspective_score[KPI_PERSPECTIVE_CUSTOMER],
	    200.0 / 3, EPS);
	conf_free(c);
}
END_TEST

START_TEST(test_weights)
{
	struct conf	*c = conf_default();
	struct scorecard sc;
	double		 v[KPI_COUNT];

	nan_all(v);
	v[KPI_CSAT] = 90;		/* customer 100 */
	v[KPI_TRANSFER_RATE] = 20;	/* process 0 (amber 15) */
	scorecard_eval(c, NULL, v, &sc);
	/* Only customer and process count: 40 * 100 / (40 + 30). */
	ck_assert_double_eq_tol(sc.overall, 4000.0 / 70, EPS);

	/* A single perspective with a score is the overall score. */
	v[KPI_TRANSFER_RATE] = NAN;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_double_eq_tol(sc.overall, 100, EPS);

	/* Weights are relative: 1 and 3 weigh as 25 and 75. */
	c->weights[KPI_PERSPECTIVE_CUSTOMER] = 1;
	c->weights[KPI_PERSPECTIVE_PROCESS] = 3;
	v[KPI_TRANSFER_RATE] = 12;	/* process 50 */
	scorecard_eval(c, NULL, v, &sc);
	/* (1 * 100 + 3 * 50) / 4 */
	ck_assert_double_eq_tol(sc.overall, 62.5, EPS);

	/* A perspective weighing 0 is shown but does not count. */
	c->weights[KPI_PERSPECTIVE_PROCESS] = 0;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_double_eq_tol(sc.perspective_score[KPI_PERSPECTIVE_PROCESS],
	    50, EPS);
	ck_assert_double_eq_tol(sc.overall, 100, EPS);
	/* ... and if only weightless perspectives score, there is none. */
	v[KPI_CSAT] = NAN;
	scorecard_eval(c, NULL, v, &sc);
	ck_assert(isnan(sc.overall));
	conf_free(c);

	/* Weights from the file: financial and learning unnamed weigh 0. */
	c = load("scorecard:\n  weights: { customer: 2, process: 1 }\n"
	    "  targets:\n    esat: { target: 75, amber: 60 }\n");
	ck_assert_double_eq(c->weights[KPI_PERSPECTIVE_FINANCIAL], 0);
	nan_all(v);
	v[KPI_CSAT] = 75;		/* customer 50 */
	v[KPI_AHT] = 500;		/* process 0 */
	v[KPI_ESAT] = 99;		/* learning 100, weight 0 */
	scorecard_eval(c, NULL, v, &sc);
	/* (2 * 50 + 1 * 0) / 3 */
	ck_assert_double_eq_tol(sc.overall, 100.0 / 3, EPS);
	ck_assert_double_eq_tol(sc.perspective_score[KPI_PERSPECTIVE_LEARNING],
	    100, EPS);
	conf_free(c);
}
END_TEST

START_TEST(test_queue_overrides)
{
	struct conf	*c;
	struct scorecard sc;
	double		 v[KPI_COUNT];

	c = load("scorecard:\n"
	    "  targets:\n"
	    "    service_level: { target: 85, amber: 75 }\n"
	    "queues:\n"
	    "  sales:\n"
	    "    service_level_threshold: 30\n"
	    "    targets:\n"
	    "      service_level: { target: 90, amber: 88 }\n"
	    "      csat: ~\n"
	    "      cost_per_contact: { target: 4, amber: 6 }\n"
	    "  vip: { service_level_threshold: 10 }\n");
	nan_all(v);
	v[KPI_SERVICE_LEVEL] = 80;
	v[KPI_CSAT] = 50;
	v[KPI_ABANDON_RATE] = 9;
	v[KPI_COST_PER_CONTACT] = 5;

	/* sales: SL against 90/88, no csat target, abandon inherited. */
	scorecard_eval(c, "sales", v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_SERVICE_LEVEL].status, SCORECARD_RED);
	ck_assert_double_eq(sc.kpi[KPI_SERVICE_LEVEL].target, 90);
	ck_assert_double_eq(sc.kpi[KPI_SERVICE_LEVEL].amber, 88);
	ck_assert_int_eq(sc.kpi[KPI_CSAT].status, SCORECARD_NONE);
	ck_assert_int_eq(sc.kpi[KPI_CSAT].has_target, 0);
	ck_assert_int_eq(sc.kpi[KPI_ABANDON_RATE].status, SCORECARD_RED);
	ck_assert_double_eq(sc.kpi[KPI_ABANDON_RATE].amber, 8);
	ck_assert_int_eq(sc.kpi[KPI_COST_PER_CONTACT].status,
	    SCORECARD_AMBER);
	/* customer (0 + 0) / 2 = 0; financial 50: 15 * 50 / 55 */
	ck_assert_double_eq_tol(sc.perspective_score[KPI_PERSPECTIVE_CUSTOMER],
	    0, EPS);
	ck_assert_double_eq_tol(sc.overall, 750.0 / 55, EPS);

	/* Global (NULL), a queue without overrides, an unknown queue. */
	scorecard_eval(c, NULL, v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_SERVICE_LEVEL].status, SCORECARD_AMBER);
	ck_assert_int_eq(sc.kpi[KPI_CSAT].status, SCORECARD_RED);
	ck_assert_int_eq(sc.kpi[KPI_COST_PER_CONTACT].status,
	    SCORECARD_NONE);
	/* customer: amber 50, red 0, red 0 -> 50 / 3; no financial */
	ck_assert_double_eq_tol(sc.overall, 50.0 / 3, EPS);
	scorecard_eval(c, "vip", v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_SERVICE_LEVEL].status, SCORECARD_AMBER);
	ck_assert_double_eq(sc.kpi[KPI_SERVICE_LEVEL].target, 85);
	scorecard_eval(c, "support", v, &sc);
	ck_assert_int_eq(sc.kpi[KPI_SERVICE_LEVEL].status, SCORECARD_AMBER);
	ck_assert_int_eq(sc.kpi[KPI_CSAT].status, SCORECARD_RED);
	conf_free(c);
}
END_TEST

static Suite *
scorecard_suite(void)
{
	Suite	*s = suite_create("scorecard");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_status_name);
	tcase_add_test(tc, test_higher_edges);
	tcase_add_test(tc, test_lower_edges);
	tcase_add_test(tc, test_not_scored);
	tcase_add_test(tc, test_perspectives);
	tcase_add_test(tc, test_weights);
	tcase_add_test(tc, test_queue_overrides);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(scorecard_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
