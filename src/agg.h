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
 * slot keeps a struct agg_slot instead, a packed form of variable size:
 * the fields that are not zero, as varints, and the distributions as
 * sorted sparse entries in the slot while they are few, else in blocks
 * of their own (larger sparse arrays, or dense sketches).  Every block
 * comes from the pool, so nothing is allocated per event once warm.
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

#define AGG_SLOT_EXT	0xff	/* agg_slot.nent: distributions in blocks */

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
 * The packed aggregate of one ring slot.  key belongs to the ring (the
 * slot number held); the rest is agg.c's.  A slot is reallocated when
 * its size class changes, so functions that change it take its address.
 */
struct agg_slot {
	uint64_t	key;
	uint16_t	len;		/* bytes of data[] used */
	uint8_t		cls;		/* size class */
	uint8_t		nent;		/* inline entries, or AGG_SLOT_EXT */
	unsigned char	data[];
};

/* What a pool holds: live counts by kind, and bytes. */
struct sketch_pool_stats {
	size_t	slots;		/* struct agg_slot */
	size_t	surveys, qas;	/* slots holding such fields */
	size_t	agents;		/* slots holding busy/ready seconds */
	size_t	sparse;		/* sparse blocks (not entries in slots) */
	size_t	dense;		/* struct sketch */
	size_t	bytes_live;	/* in the above */
	size_t	bytes;		/* allocated, live or free */
};

/*
 * Contribs staged for a slot: the counters and sums, and the values as
 * unsorted sparse entries.  Only agg.c looks inside; it is here so that
 * its owner can embed it.
 */
#define AGG_STAGE_ENT	52		/* entries before it is full */
#define AGG_NODIST	0xffffU		/* a group: keep no values */

struct agg_stage {
	struct agg	 a;		/* dist unused */
	uint32_t	 ent[AGG_STAGE_ENT];
	uint32_t	 nent;
	uint32_t	 parts;		/* AGG_PART_* of what was added */
	uint32_t	 events;	/* contribs staged */
};

/*
 * A contrib with its counters and sums encoded once, to be applied to
 * several slots (agg_slot_apply_delta()).  c is borrowed.
 */
#define AGG_FIELDS_MAX	360		/* bytes of encoded fields, at most */

struct agg_delta {
	const struct contrib	*c;
	size_t			 flen;
	unsigned char		 f[AGG_FIELDS_MAX];
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

/* An empty slot from the pool; agg_slot_put() returns it and its blocks. */
struct agg_slot	*agg_slot_get(struct sketch_pool *);
void		 agg_slot_put(struct sketch_pool *, struct agg_slot *);
/*
 * *sp += c; *sp may move.  current says the slot is still being written,
 * so that it may keep busy distributions dense until agg_slot_compact().
 */
void		 agg_slot_apply(struct agg_slot **, const struct contrib *, int,
		    struct sketch_pool *);
void		 agg_delta_init(struct agg_delta *, const struct contrib *);
/* agg_slot_apply() of the delta's contrib. */
void		 agg_slot_apply_delta(struct agg_slot **,
		    const struct agg_delta *, int, struct sketch_pool *);
/* Called once the slot is no longer current: make it compact again. */
void		 agg_slot_compact(struct agg_slot **, struct sketch_pool *);
/* *sp += a's counts and sums (a's dists are not looked at). */
void		 agg_slot_add(struct agg_slot **, const struct agg *,
		    struct sketch_pool *);
/* Decode a sketch_encode() blob into dist d; -1, adding nothing, if bad. */
int		 agg_slot_add_dist(struct agg_slot **, enum agg_dist,
		    const unsigned char *, size_t, struct sketch_pool *);
/*
 * Both at once: *sp += a's counts and sums (unless a is NULL) and, for
 * each dist d with blen[d] not 0, the blob blob[d]; -1, adding nothing,
 * if a blob is bad.
 */
int		 agg_slot_load(struct agg_slot **, const struct agg *,
		    const unsigned char *const *, const size_t *,
		    struct sketch_pool *);
/* a += s, dists as dense sketches from pool. */
void		 agg_slot_sum(struct agg *, const struct agg_slot *,
		    struct sketch_pool *);
/* a = s's counts and sums, with no dists. */
void		 agg_slot_counts(const struct agg_slot *, struct agg *);
/* sketch_encode() of dist d, or 0 if it holds nothing. */
size_t		 agg_slot_encode_dist(const struct agg_slot *, enum agg_dist,
		    unsigned char *, size_t);
int		 agg_slot_is_empty(const struct agg_slot *);

/* Empty, ready to use; it holds no memory of its own. */
void		 agg_stage_init(struct agg_stage *);
/*
 * st += c, its values in the buckets sketch_group() gives for groups of
 * that many buckets (0 or 1: their own), or not at all if AGG_NODIST;
 * -1, adding nothing, if its entries are full.
 */
int		 agg_stage_add(struct agg_stage *, const struct contrib *,
		    unsigned int);
int		 agg_stage_is_empty(const struct agg_stage *);
/* Sort and combine the entries, once before agg_stage_apply() calls. */
void		 agg_stage_sort(struct agg_stage *);
/* *sp += what st holds; *sp may move. */
void		 agg_stage_apply(const struct agg_stage *, struct agg_slot **,
		    struct sketch_pool *);
void		 agg_stage_clear(struct agg_stage *);

/*
 * An accumulator: what several stages held, counters as they are and
 * distributions in blocks of the pool (dense once it holds many calls).
 * agg_acc_add() takes one from the pool if *ap is NULL.
 */
struct agg_acc;
void		 agg_acc_add(struct agg_acc **, struct agg_stage *,
		    struct sketch_pool *);
/* *sp += acc; *sp may move. */
void		 agg_acc_apply(const struct agg_acc *, struct agg_slot **,
		    struct sketch_pool *);
void		 agg_acc_free(struct agg_acc *, struct sketch_pool *);

#endif
