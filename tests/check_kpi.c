/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests of the KPI catalogue and formulas: aggregates filled by hand,
 * results checked against values worked out on paper (docs/kpis.md).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "agg.h"
#include "kpi.h"
#include "sketch.h"

#define TOL	1e-9

static Suite	*kpi_suite(void);

/* What docs/kpis.md and DESIGN.md promise for each KPI, in enum order. */
static const struct {
	const char		*id;
	const char		*unit;
	enum kpi_perspective	 perspective;
	enum kpi_direction	 direction;
} expected[KPI_COUNT] = {
	{ "offered", "count", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_NONE },
	{ "answered", "count", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_NONE },
	{ "abandoned", "count", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_NONE },
	{ "abandon_rate", "percent", KPI_PERSPECTIVE_CUSTOMER,
	    KPI_DIRECTION_LOWER },
	{ "service_level", "percent", KPI_PERSPECTIVE_CUSTOMER,
	    KPI_DIRECTION_HIGHER },
	{ "asa", "seconds", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	{ "wait_avg", "seconds", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	{ "wait_p50", "seconds", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	{ "wait_p90", "seconds", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	{ "wait_p99", "seconds", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	{ "aht", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "talk_avg", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "talk_p50", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "talk_p90", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "talk_p99", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "wrap_avg", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "hold_avg", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "hold_p50", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "hold_p90", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "hold_p99", "seconds", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "hold_rate", "percent", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	{ "fcr", "percent", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_HIGHER },
	{ "resolution_rate", "percent", KPI_PERSPECTIVE_PROCESS,
	    KPI_DIRECTION_HIGHER },
	{ "transfer_rate", "percent", KPI_PERSPECTIVE_PROCESS,
	    KPI_DIRECTION_LOWER },
	{ "csat", "percent", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_HIGHER },
	{ "nps", "score", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_HIGHER },
	{ "qa_score", "score", KPI_PERSPECTIVE_LEARNING, KPI_DIRECTION_HIGHER },
	{ "esat", "percent", KPI_PERSPECTIVE_LEARNING, KPI_DIRECTION_HIGHER },
	{ "revenue_per_call", "money", KPI_PERSPECTIVE_FINANCIAL,
	    KPI_DIRECTION_HIGHER },
	{ "cost_per_contact", "money", KPI_PERSPECTIVE_FINANCIAL,
	    KPI_DIRECTION_LOWER },
	{ "repeat_rate", "percent", KPI_PERSPECTIVE_CUSTOMER,
	    KPI_DIRECTION_LOWER },
	{ "fcr_repeat", "percent", KPI_PERSPECTIVE_CUSTOMER,
	    KPI_DIRECTION_HIGHER },
	{ "occupancy", "percent", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_NONE },
};

START_TEST(test_table_ids)
{
	size_t	i, j;

	for (i = 0; i < KPI_COUNT; i++) {
		ck_assert_msg(kpi_table[i].id != NULL, "kpi %zu has no row", i);
		ck_assert_str_eq(kpi_table[i].id, expected[i].id);
		for (j = i + 1; j < KPI_COUNT; j++)
			ck_assert_str_ne(kpi_table[i].id, kpi_table[j].id);
	}
}
END_TEST

START_TEST(test_table_fields)
{
	size_t		 i;
	const char	*units[] = { "count", "percent", "seconds", "score",
			    "money" };
	size_t		 u;
	int		 found;

	for (i = 0; i < KPI_COUNT; i++) {
		ck_assert_ptr_nonnull(kpi_table[i].title);
		ck_assert_uint_gt(strlen(kpi_table[i].title), 0);
		ck_assert_ptr_nonnull(kpi_table[i].unit);
		found = 0;
		for (u = 0; u < sizeof units / sizeof units[0]; u++)
			found |= strcmp(kpi_table[i].unit, units[u]) == 0;
		ck_assert_msg(found, "%s: bad unit %s", kpi_table[i].id,
		    kpi_table[i].unit);
		ck_assert_msg(strcmp(kpi_table[i].unit, expected[i].unit) == 0,
		    "%s: unit %s", kpi_table[i].id, kpi_table[i].unit);
		ck_assert_msg(kpi_table[i].perspective ==
		    expected[i].perspective, "%s: perspective",
		    kpi_table[i].id);
		ck_assert_msg(kpi_table[i].direction == expected[i].direction,
		    "%s: direction", kpi_table[i].id);
	}
	ck_assert_str_eq(kpi_table[KPI_SERVICE_LEVEL].title, "Service level");
}
END_TEST

START_TEST(test_perspective_names)
{
	ck_assert_str_eq(kpi_perspective_name(KPI_PERSPECTIVE_CUSTOMER),
	    "customer");
	ck_assert_str_eq(kpi_perspective_name(KPI_PERSPECTIVE_PROCESS),
	    "process");
	ck_assert_str_eq(kpi_perspective_name(KPI_PERSPECTIVE_FINANCIAL),
	    "financial");
	ck_assert_str_eq(kpi_perspective_name(KPI_PERSPECTIVE_LEARNING),
	    "learning");
	ck_assert_str_eq(kpi_perspective_name(KPI_PERSPECTIVE_COUNT),
	    "unknown");
	ck_assert_str_eq(kpi_perspective_name((enum kpi_perspective)-1),
	    "unknown");
}
END_TEST

START_TEST(test_lookup)
{
	size_t	i;

	for (i = 0; i < KPI_COUNT; i++)
		ck_assert_int_eq(kpi_lookup(expected[i].id), (int)i);
	ck_assert_int_eq(kpi_lookup("service_level"), KPI_SERVICE_LEVEL);
	ck_assert_int_eq(kpi_lookup("cost_per_contact"), KPI_COST_PER_CONTACT);
	ck_assert_int_eq(kpi_lookup("bogus"), -1);
	ck_assert_int_eq(kpi_lookup(""), -1);
	ck_assert_int_eq(kpi_lookup("service"), -1);	/* no prefixes */
	ck_assert_int_eq(kpi_lookup("service_level_"), -1);
	ck_assert_int_eq(kpi_lookup("SERVICE_LEVEL"), -1);
	ck_assert_int_eq(kpi_lookup("repeat_rate"), KPI_REPEAT_RATE);
	ck_assert_int_eq(kpi_lookup("occupancy"), KPI_OCCUPANCY);
	ck_assert_int_eq(kpi_lookup("utilization"), -1); /* not yet */
	ck_assert_int_eq(kpi_lookup(NULL), -1);
}
END_TEST

/* An empty aggregate: counts are 0, every other KPI is undefined. */
START_TEST(test_empty)
{
	struct agg		a;
	struct kpi_params	p = { 30.0 };
	double			v[KPI_COUNT];
	size_t			i;

	memset(&a, 0, sizeof a);
	kpi_compute(&a, &p, v);
	ck_assert_double_eq(v[KPI_OFFERED], 0);
	ck_assert_double_eq(v[KPI_ANSWERED], 0);
	ck_assert_double_eq(v[KPI_ABANDONED], 0);
	for (i = 0; i < KPI_COUNT; i++) {
		if (kpi_table[i].direction == KPI_DIRECTION_NONE)
			continue;
		ck_assert_msg(isnan(v[i]), "%s = %g, not NaN",
		    kpi_table[i].id, v[i]);
	}
	for (i = 0; i < AGG_QA_MAX; i++)
		ck_assert(isnan(kpi_qa_criterion(&a, i)));
}
END_TEST

/*
 * DOMAIN.md 1.1, CCH figures: 1000 answered, 860 within 20 s; 60
 * abandoned, 20 within 20 s, 10 within 5 s.  Our variant removes the 10
 * short abandons from offered: 860 / (1060 - 10) = 81.9047619...%.
 */
START_TEST(test_service_level_cch)
{
	struct agg		a;
	struct kpi_params	p = { 0 };
	double			v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.offered = 1060;
	a.answered = 1000;
	a.answered_in_sl = 860;
	a.abandoned = 60;
	a.abandoned_in_sl = 20;
	a.short_abandoned = 10;
	kpi_compute(&a, &p, v);
	ck_assert_double_eq_tol(v[KPI_SERVICE_LEVEL], 860.0 / 1050.0 * 100, TOL);
	ck_assert_double_eq_tol(v[KPI_SERVICE_LEVEL], 81.9047619047619, 1e-9);
	/* Not the answered-only (86 %) nor the negative (81.13 %) variant. */
	ck_assert_double_ne_tol(v[KPI_SERVICE_LEVEL], 86.0, 0.5);
	ck_assert_double_ne_tol(v[KPI_SERVICE_LEVEL], 860.0 / 1060 * 100, 0.5);
	/* (60 - 10) / (1060 - 10) = 4.7619...% */
	ck_assert_double_eq_tol(v[KPI_ABANDON_RATE], 50.0 / 1050.0 * 100, TOL);
	ck_assert_double_eq_tol(v[KPI_ABANDON_RATE], 4.76190476190476, 1e-9);
	ck_assert_double_eq(v[KPI_OFFERED], 1060);
	ck_assert_double_eq(v[KPI_ANSWERED], 1000);
	ck_assert_double_eq(v[KPI_ABANDONED], 60);	/* short ones included */
}
END_TEST

/* Timeouts stay in offered: they count against service level. */
START_TEST(test_service_level_timeouts)
{
	struct agg	a;
	double		v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.offered = 100;	/* 90 answered + 5 abandoned + 5 timeouts */
	a.answered = 90;
	a.answered_in_sl = 72;
	a.abandoned = 5;
	a.short_abandoned = 1;
	a.timeouts = 5;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_SERVICE_LEVEL], 72.0 / 99 * 100, TOL);
	ck_assert_double_eq_tol(v[KPI_ABANDON_RATE], 4.0 / 99 * 100, TOL);
	ck_assert(isnan(v[KPI_COST_PER_CONTACT]));	/* params NULL */
}
END_TEST

/* Every offered call a short abandon: nothing left to measure. */
START_TEST(test_service_level_all_short)
{
	struct agg	a;
	double		v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.offered = 5;
	a.abandoned = 5;
	a.short_abandoned = 5;
	kpi_compute(&a, NULL, v);
	ck_assert(isnan(v[KPI_SERVICE_LEVEL]));
	ck_assert(isnan(v[KPI_ABANDON_RATE]));
	ck_assert_double_eq(v[KPI_ABANDONED], 5);

	/* Inconsistent counts give NaN, not a negative or huge rate. */
	a.offered = 3;
	kpi_compute(&a, NULL, v);
	ck_assert(isnan(v[KPI_SERVICE_LEVEL]));
	ck_assert(isnan(v[KPI_ABANDON_RATE]));
	a.offered = 10;
	a.abandoned = 2;
	a.short_abandoned = 3;
	kpi_compute(&a, NULL, v);
	ck_assert(isnan(v[KPI_ABANDON_RATE]));
	ck_assert_double_eq(v[KPI_SERVICE_LEVEL], 0);
}
END_TEST

START_TEST(test_times)
{
	struct agg		a;
	struct kpi_params	p = { 36.0 };
	double			v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.offered = 10;
	a.answered = 8;
	a.wait_answered = 80;
	a.wait_all = 150;
	a.talk = 1600;
	a.hold = 120;
	a.wrap = 240;
	a.held = 2;
	kpi_compute(&a, &p, v);
	ck_assert_double_eq_tol(v[KPI_ASA], 10, TOL);
	ck_assert_double_eq_tol(v[KPI_WAIT_AVG], 15, TOL);
	ck_assert_double_eq_tol(v[KPI_AHT], 245, TOL);	/* 1960 / 8 */
	ck_assert_double_eq_tol(v[KPI_TALK_AVG], 200, TOL);
	ck_assert_double_eq_tol(v[KPI_WRAP_AVG], 30, TOL);
	ck_assert_double_eq_tol(v[KPI_HOLD_AVG], 60, TOL); /* over held */
	ck_assert_double_eq_tol(v[KPI_HOLD_RATE], 25, TOL);
	/* 1960 s = 0.5444 h x 36 = 19.6 over 8 calls */
	ck_assert_double_eq_tol(v[KPI_COST_PER_CONTACT], 2.45, TOL);

	/* No call held: hold_avg undefined, hold_rate a real 0 %. */
	a.held = 0;
	a.hold = 0;
	kpi_compute(&a, &p, v);
	ck_assert(isnan(v[KPI_HOLD_AVG]));
	ck_assert_double_eq(v[KPI_HOLD_RATE], 0);
	ck_assert_double_eq_tol(v[KPI_AHT], 230, TOL);	/* 1840 / 8 */

	/* Offered but none answered: ASA and AHT undefined, wait_avg not. */
	memset(&a, 0, sizeof a);
	a.offered = 4;
	a.abandoned = 4;
	a.wait_all = 100;
	a.wait_abandoned = 100;
	kpi_compute(&a, &p, v);
	ck_assert(isnan(v[KPI_ASA]));
	ck_assert(isnan(v[KPI_AHT]));
	ck_assert(isnan(v[KPI_TALK_AVG]));
	ck_assert(isnan(v[KPI_WRAP_AVG]));
	ck_assert(isnan(v[KPI_HOLD_RATE]));
	ck_assert(isnan(v[KPI_TRANSFER_RATE]));
	ck_assert(isnan(v[KPI_REVENUE_PER_CALL]));
	ck_assert(isnan(v[KPI_COST_PER_CONTACT]));
	ck_assert_double_eq_tol(v[KPI_WAIT_AVG], 25, TOL);
	ck_assert_double_eq_tol(v[KPI_ABANDON_RATE], 100, TOL);
	ck_assert_double_eq(v[KPI_SERVICE_LEVEL], 0);
}
END_TEST

START_TEST(test_rates)
{
	struct agg	a;
	double		v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.answered = 8;
	a.transferred = 1;
	a.fc_yes = 280;		/* SQM's example: 280 / 400 = 70 % */
	a.fc_n = 400;
	a.res_yes = 3;
	a.res_n = 4;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_FCR], 70, TOL);
	ck_assert_double_eq_tol(v[KPI_RESOLUTION_RATE], 75, TOL);
	ck_assert_double_eq_tol(v[KPI_TRANSFER_RATE], 12.5, TOL);

	/* Flags absent: undefined even though calls were answered. */
	a.fc_yes = a.fc_n = a.res_yes = a.res_n = 0;
	kpi_compute(&a, NULL, v);
	ck_assert(isnan(v[KPI_FCR]));
	ck_assert(isnan(v[KPI_RESOLUTION_RATE]));
}
END_TEST

/*
 * Repeat contacts: 400 answered calls named a customer, 120 of them were
 * followed by another call within the window: 30 % repeated, 70 % FCR
 * (the SQM example again, by the internal method).
 */
START_TEST(test_repeat)
{
	struct agg	a;
	double		v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.answered = 500;	/* 100 carried no customer */
	a.cust_n = 400;
	a.repeated = 120;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_REPEAT_RATE], 30, TOL);
	ck_assert_double_eq_tol(v[KPI_FCR_REPEAT], 70, TOL);
	/* The flag-based FCR is independent: no flags, no value. */
	ck_assert(isnan(v[KPI_FCR]));

	a.repeated = 0;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq(v[KPI_REPEAT_RATE], 0);
	ck_assert_double_eq(v[KPI_FCR_REPEAT], 100);

	/* No customer ids: undefined, not 0 % or 100 %. */
	a.cust_n = 0;
	kpi_compute(&a, NULL, v);
	ck_assert(isnan(v[KPI_REPEAT_RATE]));
	ck_assert(isnan(v[KPI_FCR_REPEAT]));

	/* More repeated than calls only comes from bad counts: undefined. */
	a.cust_n = 2;
	a.repeated = 3;
	kpi_compute(&a, NULL, v);
	ck_assert(isnan(v[KPI_FCR_REPEAT]));
}
END_TEST

/* Occupancy: 2 h 15 min busy, 45 min ready: 135 / 180 = 75 %. */
START_TEST(test_occupancy)
{
	struct agg	a;
	double		v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.busy = 8100;
	a.ready = 2700;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_OCCUPANCY], 75, TOL);
	/* Independent of calls: none were counted in this window. */
	ck_assert_double_eq(v[KPI_ANSWERED], 0);

	a.ready = 0;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_OCCUPANCY], 100, TOL);
	a.busy = 0;
	a.ready = 60;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq(v[KPI_OCCUPANCY], 0);
	/* Nobody busy or ready (logged out or paused all along): none. */
	a.ready = 0;
	kpi_compute(&a, NULL, v);
	ck_assert(isnan(v[KPI_OCCUPANCY]));
}
END_TEST

START_TEST(test_surveys)
{
	struct agg	a;
	double		v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.csat_pos = 45;
	a.csat_n = 60;
	a.csat_sum = 240;	/* mean 4.0: not what csat reports */
	a.nps_pro = 50;
	a.nps_det = 20;
	a.nps_n = 100;
	a.esat_pos = 6;
	a.esat_n = 8;
	a.qa_n = 4;
	a.qa_sum = 340;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_CSAT], 75, TOL);
	ck_assert_double_eq_tol(v[KPI_NPS], 30, TOL);
	ck_assert_double_eq_tol(v[KPI_ESAT], 75, TOL);
	ck_assert_double_eq_tol(v[KPI_QA_SCORE], 85, TOL);

	/* More detractors than promoters: a negative score. */
	a.nps_pro = 10;
	a.nps_det = 35;
	a.nps_n = 50;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_NPS], -50, TOL);

	/* Only passives: a defined 0, not NaN. */
	a.nps_pro = 0;
	a.nps_det = 0;
	a.nps_n = 10;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq(v[KPI_NPS], 0);

	/* All detractors: the floor, -100. */
	a.nps_det = 10;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_NPS], -100, TOL);
	a.nps_det = 0;
	a.nps_pro = 10;
	kpi_compute(&a, NULL, v);
	ck_assert_double_eq_tol(v[KPI_NPS], 100, TOL);
}
END_TEST

START_TEST(test_qa_criterion)
{
	struct agg	a;

	memset(&a, 0, sizeof a);
	a.qa_crit_sum[0] = 0;
	a.qa_crit_n[0] = 0;
	a.qa_crit_sum[2] = 180;
	a.qa_crit_n[2] = 2;
	a.qa_crit_sum[AGG_QA_MAX - 1] = 60;
	a.qa_crit_n[AGG_QA_MAX - 1] = 3;
	ck_assert(isnan(kpi_qa_criterion(&a, 0)));
	ck_assert_double_eq_tol(kpi_qa_criterion(&a, 2), 90, TOL);
	ck_assert_double_eq_tol(kpi_qa_criterion(&a, AGG_QA_MAX - 1), 20, TOL);
	ck_assert(isnan(kpi_qa_criterion(&a, AGG_QA_MAX)));
	ck_assert(isnan(kpi_qa_criterion(&a, SIZE_MAX)));

	/* A criterion scored 0 is a real 0, not undefined. */
	a.qa_crit_n[1] = 5;
	ck_assert_double_eq(kpi_qa_criterion(&a, 1), 0);
}
END_TEST

START_TEST(test_financial)
{
	struct agg		a;
	struct kpi_params	p;
	double			v[KPI_COUNT];

	memset(&a, 0, sizeof a);
	a.answered = 1000;
	a.talk = 240000;
	a.hold = 12000;
	a.wrap = 48000;		/* 300000 s = 83.33 h */
	a.revenue = 12500;
	a.revenue_n = 40;	/* revenue is per answered call, not per sale */
	p.cost_per_hour = 30;
	kpi_compute(&a, &p, v);
	ck_assert_double_eq_tol(v[KPI_REVENUE_PER_CALL], 12.5, TOL);
	ck_assert_double_eq_tol(v[KPI_COST_PER_CONTACT], 2.5, TOL);

	/* No configured cost: undefined, not free. */
	p.cost_per_hour = 0;
	kpi_compute(&a, &p, v);
	ck_assert(isnan(v[KPI_COST_PER_CONTACT]));
	p.cost_per_hour = -5;
	kpi_compute(&a, &p, v);
	ck_assert(isnan(v[KPI_COST_PER_CONTACT]));
	p.cost_per_hour = NAN;
	kpi_compute(&a, &p, v);
	ck_assert(isnan(v[KPI_COST_PER_CONTACT]));

	/* Refunds may make revenue negative; it is reported as is. */
	a.revenue = -200;
	kpi_compute(&a, &p, v);
	ck_assert_double_eq_tol(v[KPI_REVENUE_PER_CALL], -0.2, TOL);
	/* Revenue reported as 0 over answered calls is a real 0. */
	a.revenue = 0;
	kpi_compute(&a, &p, v);
	ck_assert_double_eq(v[KPI_REVENUE_PER_CALL], 0);
	/* No call carrying revenue at all: no figure. */
	a.revenue_n = 0;
	kpi_compute(&a, &p, v);
	ck_assert(isnan(v[KPI_REVENUE_PER_CALL]));
}
END_TEST

/* Assert got is sketch_quantile(sk, q) and within SKETCH_ALPHA of want. */
static void
check_quantile(double got, const struct sketch *sk, double q, double want,
    const char *what)
{
	ck_assert_msg(got == sketch_quantile(sk, q), "%s: %g is not the "
	    "sketch's %g", what, got, sketch_quantile(sk, q));
	ck_assert_msg(fabs(got - want) <= want * SKETCH_ALPHA + TOL,
	    "%s: %g, want %g", what, got, want);
}

START_TEST(test_percentiles)
{
	struct agg	 a;
	struct sketch	*wait, *talk, *hold;
	double		 v[KPI_COUNT];
	int		 i;

	wait = malloc(sizeof *wait);
	talk = malloc(sizeof *talk);
	hold = malloc(sizeof *hold);
	ck_assert(wait != NULL && talk != NULL && hold != NULL);
	sketch_reset(wait);
	sketch_reset(talk);
	sketch_reset(hold);

	/*
	 * Plateaus so that the rank ceil(q * n) lands well inside one:
	 * wait, 100 calls: ranks 1-40 10 s, 41-85 30 s, 86-95 60 s,
	 * 96-100 120 s; p50 = 30, p90 = 60, p99 = 120.
	 */
	for (i = 0; i < 40; i++)
		sketch_add(wait, 10);
	for (i = 0; i < 45; i++)
		sketch_add(wait, 30);
	for (i = 0; i < 10; i++)
		sketch_add(wait, 60);
	for (i = 0; i < 5; i++)
		sketch_add(wait, 120);
	/* talk, 200 calls: 150 of 120 s, 50 of 600 s. */
	for (i = 0; i < 150; i++)
		sketch_add(talk, 120);
	for (i = 0; i < 50; i++)
		sketch_add(talk, 600);
	/* hold, 10 values: 6 zeros (kept as 0), 4 of 30 s. */
	for (i = 0; i < 6; i++)
		sketch_add(hold, 0);
	for (i = 0; i < 4; i++)
		sketch_add(hold, 30);

	memset(&a, 0, sizeof a);
	a.dist[AGG_DIST_WAIT] = wait;
	a.dist[AGG_DIST_TALK] = talk;
	a.dist[AGG_DIST_HOLD] = hold;
	kpi_compute(&a, NULL, v);
	check_quantile(v[KPI_WAIT_P50], wait, 0.5, 30, "wait_p50");
	check_quantile(v[KPI_WAIT_P90], wait, 0.9, 60, "wait_p90");
	check_quantile(v[KPI_WAIT_P99], wait, 0.99, 120, "wait_p99");
	check_quantile(v[KPI_TALK_P50], talk, 0.5, 120, "talk_p50");
	check_quantile(v[KPI_TALK_P90], talk, 0.9, 600, "talk_p90");
	check_quantile(v[KPI_TALK_P99], talk, 0.99, 600, "talk_p99");
	check_quantile(v[KPI_HOLD_P50], hold, 0.5, 0, "hold_p50");
	check_quantile(v[KPI_HOLD_P90], hold, 0.9, 30, "hold_p90");
	check_quantile(v[KPI_HOLD_P99], hold, 0.99, 30, "hold_p99");

	/* An empty sketch and a missing one are both undefined. */
	sketch_reset(hold);
	a.dist[AGG_DIST_TALK] = NULL;
	kpi_compute(&a, NULL, v);
	ck_assert(isnan(v[KPI_HOLD_P50]));
	ck_assert(isnan(v[KPI_HOLD_P90]));
	ck_assert(isnan(v[KPI_HOLD_P99]));
	ck_assert(isnan(v[KPI_TALK_P50]));
	ck_assert(isnan(v[KPI_TALK_P90]));
	ck_assert(isnan(v[KPI_TALK_P99]));
	check_quantile(v[KPI_WAIT_P90], wait, 0.9, 60, "wait_p90");

	free(wait);
	free(talk);
	free(hold);
}
END_TEST

static Suite *
kpi_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("kpi");

	tc = tcase_create("table");
	tcase_add_test(tc, test_table_ids);
	tcase_add_test(tc, test_table_fields);
	tcase_add_test(tc, test_perspective_names);
	tcase_add_test(tc, test_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("compute");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_service_level_cch);
	tcase_add_test(tc, test_service_level_timeouts);
	tcase_add_test(tc, test_service_level_all_short);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_repeat);
	tcase_add_test(tc, test_occupancy);
	tcase_add_test(tc, test_surveys);
	tcase_add_test(tc, test_qa_criterion);
	tcase_add_test(tc, test_financial);
	tcase_add_test(tc, test_percentiles);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(kpi_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
