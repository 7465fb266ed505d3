/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The balanced scorecard: KPI values against the configured targets
 * (callscored.yaml(5) "scorecard"), a red/amber/green status per KPI, a
 * 0-100 score per perspective and a weighted overall score.  Pure
 * functions: no state, no allocation.
 */
#ifndef SCORECARD_H
#define SCORECARD_H

#include "conf.h"
#include "kpi.h"

enum scorecard_status {
	SCORECARD_NONE,		/* no target, or no value (no data) */
	SCORECARD_GREEN,	/* at or better than target */
	SCORECARD_AMBER,	/* worse than target, at or better than amber */
	SCORECARD_RED		/* worse than amber */
};

/* Scores of a KPI in each status; NONE is not scored. */
#define SCORECARD_SCORE_GREEN	100.0
#define SCORECARD_SCORE_AMBER	50.0
#define SCORECARD_SCORE_RED	0.0

struct scorecard_kpi {
	enum scorecard_status	 status;
	double			 value;		/* as given; NaN = no data */
	double			 target;	/* NaN without a target */
	double			 amber;		/* NaN without a target */
	int			 has_target;
};

struct scorecard {
	struct scorecard_kpi	 kpi[KPI_COUNT];
	/* mean score of the perspective's scored KPIs, 0-100; NaN if none */
	double			 perspective_score[KPI_PERSPECTIVE_COUNT];
	/* weighted mean of the perspectives with a score; NaN if none */
	double			 overall;
};

/*
 * Evaluate KPI values v (NaN where undefined) against the targets of
 * queue, or the global targets if queue is NULL or has no overrides
 * (agents, teams and the whole site use the global ones).
 */
void		 scorecard_eval(const struct conf *, const char *,
		    const double[KPI_COUNT], struct scorecard *);
/* "green", "amber", "red" or "none". */
const char	*scorecard_status_name(enum scorecard_status);

#endif
