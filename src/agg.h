/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Aggregates: the sums and counts one time slot of one scope keeps, from
 * which every KPI is computed.  An event is first turned into a contrib
 * (done once per event: classification, service-level test, sketch bucket
 * indexes), then the contrib is applied to the slot of each window of
 * each scope the event touches, which is only additions.
 */
#ifndef AGG_H
#define AGG_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "sketch.h"

#define AGG_QA_MAX	8	/* QA criteria the configuration may name */

enum agg_dist {
	AGG_DIST_WAIT,		/* queue wait of every offered call */
	AGG_DIST_TALK,		/* talk time of answered calls */
	AGG_DIST_HOLD,		/* agent hold of calls that were held */
	AGG_DIST_COUNT
};

struct agg {
	/* call counts */
	uint32_t	offered;	/* calls that reached a queue */
	uint32_t	answered;
	uint32_t	abandoned;	/* short abandons included */
	uint32_t	short_abandoned;/* abandoned with wait < short_abandon */
	uint32_t	timeouts;	/* left the queue by timeout */
	uint32_t	answered_in_sl;	/* answered with wait <= T */
	uint32_t	abandoned_in_sl;/* abandoned with wait <= T */
	uint32_t	transferred;	/* answered calls transferred */
	uint32_t	held;		/* answered calls put on hold */
	uint32_t	fc_yes, fc_n;	/* first_contact true / present */
	uint32_t	res_yes, res_n;	/* resolved true / present */
	uint32_t	revenue_n;	/* calls carrying revenue */
	/* surveys and evaluations */
	uint32_t	csat_pos, csat_n;	/* 4-5 / all responses */
	uint32_t	nps_pro, nps_det, nps_n;/* 9-10, 0-6, all */
	uint32_t	esat_pos, esat_n;	/* 4-5 / all */
	uint32_t	qa_n;			/* evaluations */
	uint32_t	qa_crit_n[AGG_QA_MAX];
	/* sums, seconds */
	double		wait_answered;	/* for ASA */
	double		wait_abandoned;
	double		wait_all;
	double		talk, hold, wrap;	/* of answered calls */
	double		revenue;
	double		csat_sum;
	double		qa_sum;			/* mean of criteria, 0-100 */
	double		qa_crit_sum[AGG_QA_MAX];/* 0-100 */
	/* distributions; NULL until the slot sees a value */
	struct sketch	*dist[AGG_DIST_COUNT];
};

/* What the classification of a call needs; per queue where it matters. */
struct agg_params {
	double		 sl_threshold;	/* T, seconds (queue's) */
	double		 short_abandon;	/* seconds */
	const char	*qa_criteria[AGG_QA_MAX];	/* borrowed names */
	size_t		 nqa;
};

/* One event's effect on an aggregate, computed once. */
struct contrib {
	struct agg	delta;		/* counts and sums; dist unused */
	int		dist_idx[AGG_DIST_COUNT];	/* sketch_index() */
	int		dist_n[AGG_DIST_COUNT];		/* 0 or 1 values */
};

/* A free list of sketches so slots reuse memory instead of malloc. */
struct sketch_pool;

struct sketch_pool	*sketch_pool_new(void);
void			 sketch_pool_free(struct sketch_pool *);
struct sketch		*sketch_pool_get(struct sketch_pool *); /* zeroed */
void			 sketch_pool_put(struct sketch_pool *, struct sketch *);
size_t			 sketch_pool_live(const struct sketch_pool *);

/* Classify ev under params into c; returns 0, or -1 if ev adds nothing. */
int	agg_contrib(const struct event *, const struct agg_params *,
	    struct contrib *);
/* a += c, taking sketches for a's dists from pool as needed. */
void	agg_apply(struct agg *, const struct contrib *, struct sketch_pool *);
/* a += b, counts, sums and sketches (dst sketches from pool). */
void	agg_merge(struct agg *, const struct agg *, struct sketch_pool *);
/* Return a's sketches to pool and zero it. */
void	agg_clear(struct agg *, struct sketch_pool *);
int	agg_is_empty(const struct agg *);

#endif
