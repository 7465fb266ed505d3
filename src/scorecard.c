/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Scorecard evaluation.  A KPI's status compares its value with the
 * target and amber thresholds in the KPI's direction; each status is
 * worth a fixed score so that perspectives average simply and a
 * supervisor can reproduce the number by hand.  Perspectives without
 * data drop out of the overall score and the weights of the others are
 * renormalised, so a site that sends no surveys is not marked down for
 * the surveys it does not have.
 */
#include <math.h>
#include <stddef.h>

#include "conf.h"
#include "kpi.h"
#include "scorecard.h"

static enum scorecard_status scorecard_status_of(enum kpi_direction,
		    const struct conf_target *, double);
static double	 scorecard_score(enum scorecard_status);

/* Inclusive at both thresholds: exactly on target is green. */
static enum scorecard_status
scorecard_status_of(enum kpi_direction dir, const struct conf_target *t,
    double v)
{
	switch (dir) {
	case KPI_DIRECTION_HIGHER:
		if (v >= t->target)
			return (SCORECARD_GREEN);
		if (v >= t->amber)
			return (SCORECARD_AMBER);
		return (SCORECARD_RED);
	case KPI_DIRECTION_LOWER:
		if (v <= t->target)
			return (SCORECARD_GREEN);
		if (v <= t->amber)
			return (SCORECARD_AMBER);
		return (SCORECARD_RED);
	case KPI_DIRECTION_NONE:
		break;
	}
	return (SCORECARD_NONE);
}

static double
scorecard_score(enum scorecard_status s)
{
	switch (s) {
	case SCORECARD_GREEN:
		return (SCORECARD_SCORE_GREEN);
	case SCORECARD_AMBER:
		return (SCORECARD_SCORE_AMBER);
	case SCORECARD_RED:
		return (SCORECARD_SCORE_RED);
	case SCORECARD_NONE:
		break;
	}
	return (NAN);
}

void
scorecard_eval(const struct conf *c, const char *queue,
    const double v[KPI_COUNT], struct scorecard *sc)
{
	const struct conf_target	*targets, *t;
	struct scorecard_kpi		*k;
	double				 sum[KPI_PERSPECTIVE_COUNT];
	size_t				 n[KPI_PERSPECTIVE_COUNT], i;
	double				 wsum = 0, wscore = 0, w;
	enum kpi_perspective		 pv;

	targets = conf_targets(c, queue);
	for (i = 0; i < KPI_PERSPECTIVE_COUNT; i++) {
		sum[i] = 0;
		n[i] = 0;
	}
	for (i = 0; i < KPI_COUNT; i++) {
		k = &sc->kpi[i];
		t = &targets[i];
		k->value = v[i];
		k->has_target = t->set &&
		    kpi_table[i].direction != KPI_DIRECTION_NONE;
		k->target = k->has_target ? t->target : NAN;
		k->amber = k->has_target ? t->amber : NAN;
		k->status = SCORECARD_NONE;
		if (!k->has_target || isnan(v[i]))
			continue;
		k->status = scorecard_status_of(kpi_table[i].direction, t,
		    v[i]);
		pv = kpi_table[i].perspective;
		if ((unsigned int)pv >= KPI_PERSPECTIVE_COUNT)
			continue;
		sum[pv] += scorecard_score(k->status);
		n[pv]++;
	}

	for (i = 0; i < KPI_PERSPECTIVE_COUNT; i++) {
		if (n[i] == 0) {
			sc->perspective_score[i] = NAN;
			continue;
		}
		sc->perspective_score[i] = sum[i] / (double)n[i];
		w = c->weights[i];
		wsum += w;
		wscore += w * sc->perspective_score[i];
	}
	/* Weights renormalised over the perspectives that have a score. */
	sc->overall = wsum > 0 ? wscore / wsum : NAN;
}

const char *
scorecard_status_name(enum scorecard_status s)
{
	switch (s) {
	case SCORECARD_GREEN:
		return ("green");
	case SCORECARD_AMBER:
		return ("amber");
	case SCORECARD_RED:
		return ("red");
	case SCORECARD_NONE:
		break;
	}
	return ("none");
}
