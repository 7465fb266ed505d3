/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The KPI catalogue and the formulas that turn one window's aggregate into
 * KPI values.  docs/kpis.md explains each formula and why this variant was
 * chosen; keep the two in step.
 */
#include <math.h>
#include <string.h>

#include "agg.h"
#include "kpi.h"
#include "sketch.h"

static double	kpi_ratio(double, double);
static double	kpi_percent(double, double);
static double	kpi_quantile(const struct sketch *, double);

/*
 * Designated initialisers keep each row on its enum member whatever the
 * order; the test suite checks no member was left without a row.
 */
const struct kpi_info kpi_table[KPI_COUNT] = {
	[KPI_OFFERED] = { "offered", "Calls offered", "count",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_NONE },
	[KPI_ANSWERED] = { "answered", "Calls answered", "count",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_NONE },
	[KPI_ABANDONED] = { "abandoned", "Calls abandoned", "count",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_NONE },
	[KPI_ABANDON_RATE] = { "abandon_rate", "Abandon rate", "percent",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	[KPI_SERVICE_LEVEL] = { "service_level", "Service level", "percent",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_HIGHER },
	[KPI_ASA] = { "asa", "Average speed of answer", "seconds",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	[KPI_WAIT_AVG] = { "wait_avg", "Average wait", "seconds",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	[KPI_WAIT_P50] = { "wait_p50", "Wait, median", "seconds",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	[KPI_WAIT_P90] = { "wait_p90", "Wait, 90th percentile", "seconds",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	[KPI_WAIT_P99] = { "wait_p99", "Wait, 99th percentile", "seconds",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	[KPI_AHT] = { "aht", "Average handle time", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_TALK_AVG] = { "talk_avg", "Average talk time", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_TALK_P50] = { "talk_p50", "Talk, median", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_TALK_P90] = { "talk_p90", "Talk, 90th percentile", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_TALK_P99] = { "talk_p99", "Talk, 99th percentile", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_WRAP_AVG] = { "wrap_avg", "Average wrap-up time", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_HOLD_AVG] = { "hold_avg", "Average hold time", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_HOLD_P50] = { "hold_p50", "Hold, median", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_HOLD_P90] = { "hold_p90", "Hold, 90th percentile", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_HOLD_P99] = { "hold_p99", "Hold, 99th percentile", "seconds",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_HOLD_RATE] = { "hold_rate", "Calls put on hold", "percent",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_FCR] = { "fcr", "First-contact resolution", "percent",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_HIGHER },
	[KPI_RESOLUTION_RATE] = { "resolution_rate", "Resolution rate",
	    "percent", KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_HIGHER },
	[KPI_TRANSFER_RATE] = { "transfer_rate", "Transfer rate", "percent",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_LOWER },
	[KPI_CSAT] = { "csat", "Customer satisfaction", "percent",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_HIGHER },
	[KPI_NPS] = { "nps", "Net Promoter Score", "score",
	    KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_HIGHER },
	[KPI_QA_SCORE] = { "qa_score", "Quality score", "score",
	    KPI_PERSPECTIVE_LEARNING, KPI_DIRECTION_HIGHER },
	[KPI_ESAT] = { "esat", "Employee satisfaction", "percent",
	    KPI_PERSPECTIVE_LEARNING, KPI_DIRECTION_HIGHER },
	[KPI_REVENUE_PER_CALL] = { "revenue_per_call", "Revenue per call",
	    "money", KPI_PERSPECTIVE_FINANCIAL, KPI_DIRECTION_HIGHER },
	[KPI_COST_PER_CONTACT] = { "cost_per_contact", "Cost per contact",
	    "money", KPI_PERSPECTIVE_FINANCIAL, KPI_DIRECTION_LOWER },
	[KPI_REPEAT_RATE] = { "repeat_rate", "Repeat contact rate",
	    "percent", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_LOWER },
	[KPI_FCR_REPEAT] = { "fcr_repeat", "FCR by repeat contacts",
	    "percent", KPI_PERSPECTIVE_CUSTOMER, KPI_DIRECTION_HIGHER },
	/* A band: too high burns agents out, too low wastes money. */
	[KPI_OCCUPANCY] = { "occupancy", "Agent occupancy", "percent",
	    KPI_PERSPECTIVE_PROCESS, KPI_DIRECTION_NONE },
};

static const char *kpi_perspective_names[KPI_PERSPECTIVE_COUNT] = {
	[KPI_PERSPECTIVE_CUSTOMER] = "customer",
	[KPI_PERSPECTIVE_PROCESS] = "process",
	[KPI_PERSPECTIVE_FINANCIAL] = "financial",
	[KPI_PERSPECTIVE_LEARNING] = "learning",
};

/*
 * num / den, or NaN when den is not positive: a KPI over no calls has no
 * value, and showing 0 would read as a (very good or very bad) measurement.
 * A negative numerator only comes from inconsistent counts; NaN again.
 */
static double
kpi_ratio(double num, double den)
{
	if (!(den > 0) || num < 0)
		return (NAN);
	return (num / den);
}

static double
kpi_percent(double num, double den)
{
	return (kpi_ratio(num, den) * 100.0);
}

static double
kpi_quantile(const struct sketch *sk, double q)
{
	if (sk == NULL || sk->count == 0)
		return (NAN);
	return (sketch_quantile(sk, q));
}

int
kpi_lookup(const char *name)
{
	size_t	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < KPI_COUNT; i++) {
		if (kpi_table[i].id != NULL && strcmp(kpi_table[i].id, name) == 0)
			return ((int)i);
	}
	return (-1);
}

const char *
kpi_perspective_name(enum kpi_perspective p)
{
	if ((unsigned int)p >= KPI_PERSPECTIVE_COUNT)
		return ("unknown");
	return (kpi_perspective_names[p]);
}

void
kpi_compute(const struct agg *a, const struct kpi_params *params,
    double v[KPI_COUNT])
{
	const struct sketch	*wait, *talk, *hold;
	double			 offered, answered, sa, handle, cph;

	offered = a->offered;
	answered = a->answered;
	sa = a->short_abandoned;
	handle = a->talk + a->hold + a->wrap;
	cph = params != NULL ? params->cost_per_hour : 0;

	v[KPI_OFFERED] = a->offered;
	v[KPI_ANSWERED] = a->answered;
	v[KPI_ABANDONED] = a->abandoned;

	/*
	 * Short abandons (caller hung up before short_abandon seconds) leave
	 * both sides: they are misdials and hang-ups nobody could have
	 * answered.  Timeouts stay in offered, so they count against SL.
	 */
	v[KPI_ABANDON_RATE] = kpi_percent((double)a->abandoned - sa,
	    offered - sa);
	v[KPI_SERVICE_LEVEL] = kpi_percent(a->answered_in_sl, offered - sa);

	v[KPI_ASA] = kpi_ratio(a->wait_answered, answered);
	v[KPI_WAIT_AVG] = kpi_ratio(a->wait_all, offered);

	v[KPI_AHT] = kpi_ratio(handle, answered);
	v[KPI_TALK_AVG] = kpi_ratio(a->talk, answered);
	v[KPI_WRAP_AVG] = kpi_ratio(a->wrap, answered);
	/* Hold is averaged over held calls only (AWS), with hold_rate beside. */
	v[KPI_HOLD_AVG] = kpi_ratio(a->hold, a->held);
	v[KPI_HOLD_RATE] = kpi_percent(a->held, answered);

	wait = a->dist[AGG_DIST_WAIT];
	talk = a->dist[AGG_DIST_TALK];
	hold = a->dist[AGG_DIST_HOLD];
	v[KPI_WAIT_P50] = kpi_quantile(wait, 0.5);
	v[KPI_WAIT_P90] = kpi_quantile(wait, 0.9);
	v[KPI_WAIT_P99] = kpi_quantile(wait, 0.99);
	v[KPI_TALK_P50] = kpi_quantile(talk, 0.5);
	v[KPI_TALK_P90] = kpi_quantile(talk, 0.9);
	v[KPI_TALK_P99] = kpi_quantile(talk, 0.99);
	v[KPI_HOLD_P50] = kpi_quantile(hold, 0.5);
	v[KPI_HOLD_P90] = kpi_quantile(hold, 0.9);
	v[KPI_HOLD_P99] = kpi_quantile(hold, 0.99);

	v[KPI_FCR] = kpi_percent(a->fc_yes, a->fc_n);
	v[KPI_RESOLUTION_RATE] = kpi_percent(a->res_yes, a->res_n);
	v[KPI_TRANSFER_RATE] = kpi_percent(a->transferred, answered);

	v[KPI_CSAT] = kpi_percent(a->csat_pos, a->csat_n);
	/* Not kpi_percent: NPS is negative when detractors outnumber. */
	v[KPI_NPS] = a->nps_n > 0 ? ((double)a->nps_pro - a->nps_det) /
	    a->nps_n * 100.0 : NAN;
	v[KPI_QA_SCORE] = kpi_ratio(a->qa_sum, a->qa_n);
	v[KPI_ESAT] = kpi_percent(a->esat_pos, a->esat_n);

	/* Without any revenue reported there is no figure, not zero. */
	v[KPI_REVENUE_PER_CALL] = a->answered > 0 && a->revenue_n > 0 ?
	    a->revenue / answered : NAN;
	/* No configured agent cost means no cost, not a free call. */
	v[KPI_COST_PER_CONTACT] = cph > 0 ?
	    kpi_ratio(handle / 3600.0 * cph, answered) : NAN;

	/*
	 * Repeat contacts: of the answered calls that named a customer, those
	 * the same customer called again about within kpi.repeat_window.
	 * Counted in the earlier call's slot, so calls younger than the
	 * repeat window may still turn out repeated (docs/kpis.md).
	 */
	v[KPI_REPEAT_RATE] = kpi_percent(a->repeated, a->cust_n);
	v[KPI_FCR_REPEAT] = kpi_percent((double)a->cust_n - a->repeated,
	    a->cust_n);
	v[KPI_OCCUPANCY] = kpi_percent(a->busy, a->busy + a->ready);
}

double
kpi_qa_criterion(const struct agg *a, size_t i)
{
	if (i >= AGG_QA_MAX)
		return (NAN);
	return (kpi_ratio(a->qa_crit_sum[i], a->qa_crit_n[i]));
}
