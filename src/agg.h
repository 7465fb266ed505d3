/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Aggregates: the sums and counts one time slot of one scope keeps, from
 * which every KPI is computed.  An event is first turned into a contrib
 * (done once per event: classification, service-level test, sketch bucket
 * indexes), then the contrib is applied to the slot of each window of
 * each scope the event touches, which is only additions.
 *
 * struct agg is the full aggregate that sums and KPIs work on.  A ring
 * slot keeps a struct agg_slot instead: the call counters inline, survey
 * and QA counters in blocks taken only when such an event arrives, and
 * distributions in a sparse form that turns into a dense sketch only when
 * it would outgrow one.  Every block comes from the pool, so nothing is
 * allocated per event once warm.
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
	uint32_t	cust_n;		/* answered calls naming a customer */
	uint32_t	repeated;	/* of those, called again within N */
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
	/* agent seconds, from live state: on calls, ready and idle */
	double		busy, ready;
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

#define AGG_PART_SURVEY	0x1	/* csat, nps or esat fields non-zero */
#define AGG_PART_QA	0x2	/* qa fields non-zero */
#define AGG_PART_AGENT	0x4	/* busy or ready non-zero */

/* One event's effect on an aggregate, computed once. */
struct contrib {
	struct agg	delta;		/* counts and sums; dist unused */
	int		dist_idx[AGG_DIST_COUNT];	/* sketch_index() */
	int		dist_n[AGG_DIST_COUNT];		/* 0 or 1 values */
	unsigned int	parts;		/* agg_parts(&delta), as agg_contrib()
					   sets it; set it if built by hand */
};

/*
 * The compact aggregate of one ring slot.  key belongs to the ring (the
 * slot number held); the rest is agg.c's: dist is 0, a sparse block of
 * all three distributions, or a block of dense sketches, and the survey
 * and QA counters and the agent seconds follow the struct when parts says
 * so.  A slot may move when it grows, so functions that add to it take
 * its address.
 */
struct agg_slot {
	uint64_t	key;
	uintptr_t	dist;
	uint32_t	parts;		/* AGG_PART_* blocks that follow */
	uint32_t	offered, answered, abandoned, short_abandoned;
	uint32_t	timeouts, answered_in_sl, abandoned_in_sl;
	uint32_t	transferred, held, fc_yes, fc_n, res_yes, res_n;
	uint32_t	revenue_n, cust_n, repeated;
	double		wait_answered, wait_abandoned, wait_all;
	double		talk, hold, wrap, revenue;
};

/* What a pool holds: live counts by kind, and bytes. */
struct sketch_pool_stats {
	size_t	slots;		/* struct agg_slot */
	size_t	surveys, qas;	/* slots carrying those blocks */
	size_t	agents;		/* slots carrying busy/ready seconds */
	size_t	sparse;		/* sparse blocks */
	size_t	dense;		/* struct sketch */
	size_t	bytes_live;	/* in the above */
	size_t	bytes;		/* allocated, live or free */
};

/* A free list of sketches so slots reuse memory instead of malloc. */
struct sketch_pool;

struct sketch_pool	*sketch_pool_new(void);
void			 sketch_pool_free(struct sketch_pool *);
struct sketch		*sketch_pool_get(struct sketch_pool *); /* zeroed */
void			 sketch_pool_put(struct sketch_pool *, struct sketch *);
/* Distributions handed out, dense or sparse (slots' included). */
size_t			 sketch_pool_live(const struct sketch_pool *);
void			 sketch_pool_stats(const struct sketch_pool *,
			    struct sketch_pool_stats *);

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
/* The AGG_PART_* blocks a slot needs to hold a's fields. */
unsigned int agg_parts(const struct agg *);

/* A zeroed slot from the pool; agg_slot_put() returns it and its blocks. */
struct agg_slot	*agg_slot_get(struct sketch_pool *);
void		 agg_slot_put(struct sketch_pool *, struct agg_slot *);
/*
 * *sp += c; *sp may move.  current says the slot is still being written,
 * so that it may keep busy distributions dense until agg_slot_compact().
 */
void		 agg_slot_apply(struct agg_slot **, const struct contrib *, int,
		    struct sketch_pool *);
/* Called once the slot is no longer current: make it compact again. */
void		 agg_slot_compact(struct agg_slot *, struct sketch_pool *);
/* *sp += a's counts and sums (a's dists are not looked at). */
void		 agg_slot_add(struct agg_slot **, const struct agg *,
		    struct sketch_pool *);
/* Decode a sketch_encode() blob into dist d; -1, adding nothing, if bad. */
int		 agg_slot_add_dist(struct agg_slot *, enum agg_dist,
		    const unsigned char *, size_t, struct sketch_pool *);
/* a += s, dists as dense sketches from pool. */
void		 agg_slot_sum(struct agg *, const struct agg_slot *,
		    struct sketch_pool *);
/* a = s's counts and sums, with no dists. */
void		 agg_slot_counts(const struct agg_slot *, struct agg *);
/* sketch_encode() of dist d, or 0 if it holds nothing. */
size_t		 agg_slot_encode_dist(const struct agg_slot *, enum agg_dist,
		    unsigned char *, size_t);
int		 agg_slot_is_empty(const struct agg_slot *);

#endif
