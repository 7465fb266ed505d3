/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The KPI catalogue: each KPI's id (the same word in the configuration,
 * the client, the database and /metrics), unit, direction, perspective
 * and formula over a window's aggregates (docs/kpis.md, callscored.yaml(5)).
 */
#ifndef KPI_H
#define KPI_H

#include <stddef.h>

#include "agg.h"

enum kpi_id {
	KPI_OFFERED,
	KPI_ANSWERED,
	KPI_ABANDONED,
	KPI_ABANDON_RATE,
	KPI_SERVICE_LEVEL,
	KPI_ASA,
	KPI_WAIT_AVG,
	KPI_WAIT_P50,
	KPI_WAIT_P90,
	KPI_WAIT_P99,
	KPI_AHT,
	KPI_TALK_AVG,
	KPI_TALK_P50,
	KPI_TALK_P90,
	KPI_TALK_P99,
	KPI_WRAP_AVG,
	KPI_HOLD_AVG,
	KPI_HOLD_P50,
	KPI_HOLD_P90,
	KPI_HOLD_P99,
	KPI_HOLD_RATE,
	KPI_FCR,
	KPI_RESOLUTION_RATE,
	KPI_TRANSFER_RATE,
	KPI_CSAT,
	KPI_NPS,
	KPI_QA_SCORE,
	KPI_ESAT,
	KPI_REVENUE_PER_CALL,
	KPI_COST_PER_CONTACT,
	KPI_REPEAT_RATE,
	KPI_FCR_REPEAT,
	KPI_OCCUPANCY,
	KPI_COUNT
};

enum kpi_perspective {
	KPI_PERSPECTIVE_CUSTOMER,
	KPI_PERSPECTIVE_PROCESS,	/* internal process */
	KPI_PERSPECTIVE_FINANCIAL,
	KPI_PERSPECTIVE_LEARNING,	/* learning and growth */
	KPI_PERSPECTIVE_COUNT
};

enum kpi_direction {
	KPI_DIRECTION_NONE,		/* a volume: neither */
	KPI_DIRECTION_HIGHER,		/* higher is better */
	KPI_DIRECTION_LOWER		/* lower is better */
};

struct kpi_info {
	const char		*id;		/* "service_level" */
	const char		*title;		/* "Service level" */
	const char		*unit;		/* count, percent, seconds, score, money */
	enum kpi_perspective	 perspective;
	enum kpi_direction	 direction;
};

struct kpi_params {
	double	cost_per_hour;		/* agent cost, for cost_per_contact */
};

extern const struct kpi_info kpi_table[KPI_COUNT];

/* The id of a KPI name, or -1. */
int		 kpi_lookup(const char *);
const char	*kpi_perspective_name(enum kpi_perspective);
/* Every KPI of one window's aggregate; NaN where undefined (no data). */
void		 kpi_compute(const struct agg *, const struct kpi_params *,
		    double[KPI_COUNT]);
/* QA score of criterion i, 0-100, NaN if no evaluation carried it. */
double		 kpi_qa_criterion(const struct agg *, size_t);

#endif
