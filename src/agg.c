/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Aggregates.  agg_contrib() does all the per-event thinking once
 * (outcome, service level, short abandon, QA criteria, sketch indexes);
 * agg_apply() then only adds, because one event is applied to a slot of
 * every window of every scope it touches.
 *
 * Memory goes to ring slots (scopes x windows x slots of them), most of
 * which see a few events, so a slot (struct agg_slot, 144 bytes) holds
 * the call counters and sums, and grows into a larger layout with the
 * survey and QA counters, or the agents' busy and ready seconds, only
 * when such an event arrives.  Its three
 * distributions share one sorted array of packed (dist, bucket, count)
 * entries in one of a few capacity classes; a distribution becomes a
 * dense 4 KiB sketch only when the largest class is full, or while the
 * slot is current and busy (see AGG_HOT_CALLS).  Every block comes from
 * the pool (fixed-size objects carved from 64 KiB slabs, dense sketches
 * kept on free lists) and goes back to it when the slot is cleared: the
 * ingest path does not call malloc once warm.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "xmalloc.h"

#define AGG_SLAB_BYTES	65536
#define AGG_NCLASS	16
#define AGG_SPARSE_TAG	((uintptr_t)1)

/* Objects of one size, carved from slabs, free ones linked in place. */
struct agg_fpool {
	size_t		  size;		/* bytes, a multiple of 8 */
	void		 *free;
	size_t		  live;		/* handed out, not yet put back */
	void		**slab;
	size_t		  nslab;
	size_t		  slabcap;
};

/* The blocks that follow a struct agg_slot, as its parts say. */
struct agg_survey {
	uint32_t	csat_pos, csat_n;
	uint32_t	nps_pro, nps_det, nps_n;
	uint32_t	esat_pos, esat_n;
	double		csat_sum;
};

struct agg_qa {
	uint32_t	qa_n;
	uint32_t	qa_crit_n[AGG_QA_MAX];
	double		qa_sum;
	double		qa_crit_sum[AGG_QA_MAX];
};

/* Only the slots of agents, teams and the global scope see these. */
struct agg_agent {
	double		busy, ready;
};

/*
 * A slot's three distributions in one sorted array of entries (see
 * sketch.h), dist d in codes d * SKETCH_SPARSE_CODES and up.
 */
struct agg_sparse {
	uint16_t	n;		/* entries used */
	uint16_t	cls;		/* index in agg_sparse_cap */
	uint32_t	ent[];
};

/* Once a distribution outgrows the sparse form: dense ones, the rest. */
struct agg_dists {
	struct sketch		*dense[AGG_DIST_COUNT];
	struct agg_sparse	*sp;		/* or NULL */
};

/*
 * Capacities such that a block is a multiple of 8 bytes, 16 to 4096,
 * growing by about half each time.  A dense sketch is 4176 bytes, so a
 * distribution is made dense only when the last class is full, and then
 * the one with most entries.
 */
static const uint16_t agg_sparse_cap[AGG_NCLASS] = {
	3, 7, 11, 15, 23, 31, 47, 63, 95, 127, 191, 255, 383, 511, 767, 1023
};

#define AGG_NLAYOUT	8	/* slot layouts, by AGG_PART_* bits */

/*
 * Distributions in a slot still being written (the ring's current one)
 * go dense once it has been offered AGG_HOT_CALLS calls: a dense sketch
 * adds in constant time, where a search through a large sparse block
 * waits on memory at every step.  When the ring moves on, the slot is
 * compacted back to the sparse form, unless it was offered
 * AGG_BUSY_CALLS calls: then it stays dense, at most 3 x 4 KiB per 1024
 * calls, which only slots of a whole call center's scope reach.
 */
#define AGG_HOT_CALLS	64
#define AGG_BUSY_CALLS	1024

struct sketch_pool {
	struct sketch	**free;		/* dense sketches ready for reuse */
	size_t		  nfree;
	size_t		  cap;
	struct sketch	**clean;	/* the same, known to be all zero */
	size_t		  nclean;
	size_t		  cleancap;
	size_t		  live;		/* dense, handed out */
	size_t		  sparse_dists;	/* distributions in sparse blocks */
	struct agg_fpool  slots[AGG_NLAYOUT];
	struct agg_fpool  dists;
	struct agg_fpool  sparse[AGG_NCLASS];
};

struct agg_decode_ctx {
	struct sketch_pool	*pool;
	uintptr_t		*dp;
	unsigned int		 d;
};

_Static_assert(sizeof (struct agg_slot) % 8 == 0 &&
    sizeof (struct agg_survey) % 8 == 0 && sizeof (struct agg_qa) % 8 == 0 &&
    sizeof (struct agg_agent) % 8 == 0,
    "slot blocks must keep 8-byte alignment");
_Static_assert((AGG_PART_SURVEY | AGG_PART_QA | AGG_PART_AGENT) <
    AGG_NLAYOUT, "a layout per combination of parts");
_Static_assert(SKETCH_NBUCKETS % 2 == 0, "agg_slot_compact() reads pairs");
_Static_assert(AGG_DIST_COUNT * SKETCH_SPARSE_CODES <=
    (1 << (32 - SKETCH_SPARSE_SHIFT)), "sparse codes do not fit");

static void	*agg_fpool_get(struct agg_fpool *);
static void	 agg_fpool_put(struct agg_fpool *, void *);
static void	 agg_fpool_free(struct agg_fpool *);
static size_t	 agg_slot_size(unsigned int);
static struct agg_survey *agg_slot_survey(const struct agg_slot *);
static struct agg_qa *agg_slot_qa(const struct agg_slot *);
static struct agg_agent *agg_slot_agent(const struct agg_slot *);
static struct agg_slot *agg_slot_grow(struct sketch_pool *,
		    struct agg_slot *, unsigned int);
static void	 agg_slot_add_parts(struct agg_slot **, const struct agg *,
		    unsigned int, struct sketch_pool *);
static size_t	 agg_lb(const uint32_t *, size_t, uint32_t);
static size_t	 agg_sparse_lb(const struct agg_sparse *, uint32_t);
static void	 agg_sparse_range(const struct agg_sparse *, unsigned int,
		    size_t *, size_t *);
static void	 agg_sparse_range_of(const uint32_t *, size_t, unsigned int,
		    size_t *, size_t *);
static void	 agg_dense_put_clean(struct sketch_pool *, struct sketch *);
static void	 agg_sparse_put(struct sketch_pool *, struct agg_sparse *);
static int	 agg_sparse_add(struct sketch_pool *, struct agg_sparse **,
		    uint32_t, uint64_t);
static struct sketch *agg_sparse_promote(struct sketch_pool *,
		    struct agg_sparse **, unsigned int);
static void	 agg_sparse_sum(struct agg *, const struct agg_sparse *,
		    struct sketch_pool *);
static void	 agg_dist_put(struct sketch_pool *, uintptr_t);
static void	 agg_dense_add(struct sketch *, int, uint64_t);
static void	 agg_dist_add(struct sketch_pool *, uintptr_t *, unsigned int,
		    int, uint64_t, int);
static void	 agg_dist_add_cb(void *, int, uint64_t);
static void	agg_add_counts(struct agg *, const struct agg *);
static void	agg_contrib_call(const struct event *,
		    const struct agg_params *, struct contrib *);
static int	agg_contrib_qa(const struct event *,
		    const struct agg_params *, struct contrib *);
static void	agg_contrib_csat(const struct event *, struct agg *);

static void *
agg_fpool_get(struct agg_fpool *fp)
{
	unsigned char	*slab;
	void		*p;
	size_t		 i, n;

	if (fp->free == NULL) {
		if (fp->nslab == fp->slabcap) {
			fp->slabcap = fp->slabcap == 0 ? 16 : fp->slabcap * 2;
			fp->slab = xreallocarray(fp->slab, fp->slabcap,
			    sizeof *fp->slab);
		}
		slab = xmalloc(AGG_SLAB_BYTES);
		fp->slab[fp->nslab++] = slab;
		n = AGG_SLAB_BYTES / fp->size;
		for (i = n; i > 0; i--) {
			p = slab + (i - 1) * fp->size;
			memcpy(p, &fp->free, sizeof fp->free);
			fp->free = p;
		}
	}
	p = fp->free;
	memcpy(&fp->free, p, sizeof fp->free);
	fp->live++;
	return (p);
}

static void
agg_fpool_put(struct agg_fpool *fp, void *p)
{
	memcpy(p, &fp->free, sizeof fp->free);
	fp->free = p;
	fp->live--;
}

static void
agg_fpool_free(struct agg_fpool *fp)
{
	size_t	i;

	for (i = 0; i < fp->nslab; i++)
		free(fp->slab[i]);
	free(fp->slab);
}

struct sketch_pool *
sketch_pool_new(void)
{
	struct sketch_pool	*pool;
	size_t			 i;

	pool = xcalloc(1, sizeof *pool);
	for (i = 0; i < AGG_NLAYOUT; i++)
		pool->slots[i].size = agg_slot_size((unsigned int)i);
	pool->dists.size = sizeof (struct agg_dists);
	for (i = 0; i < AGG_NCLASS; i++) {
		pool->sparse[i].size = sizeof (struct agg_sparse) +
		    agg_sparse_cap[i] * sizeof (uint32_t);
	}
	return (pool);
}

/*
 * Frees the slabs and the free list; blocks still out become invalid, so
 * free every ring first.  Dense sketches still out belong to their owners.
 */
void
sketch_pool_free(struct sketch_pool *pool)
{
	size_t	i;

	if (pool == NULL)
		return;
	for (i = 0; i < pool->nfree; i++)
		free(pool->free[i]);
	free(pool->free);
	for (i = 0; i < pool->nclean; i++)
		free(pool->clean[i]);
	free(pool->clean);
	for (i = 0; i < AGG_NLAYOUT; i++)
		agg_fpool_free(&pool->slots[i]);
	agg_fpool_free(&pool->dists);
	for (i = 0; i < AGG_NCLASS; i++)
		agg_fpool_free(&pool->sparse[i]);
	free(pool);
}

struct sketch *
sketch_pool_get(struct sketch_pool *pool)
{
	struct sketch	*s;

	pool->live++;
	if (pool->nclean > 0)
		return (pool->clean[--pool->nclean]);
	if (pool->nfree > 0)
		s = pool->free[--pool->nfree];
	else
		s = xmalloc(sizeof *s);
	sketch_reset(s);
	return (s);
}

void
sketch_pool_put(struct sketch_pool *pool, struct sketch *s)
{
	if (s == NULL)
		return;
	if (pool->nfree == pool->cap) {
		pool->cap = pool->cap == 0 ? 64 : pool->cap * 2;
		pool->free = xreallocarray(pool->free, pool->cap,
		    sizeof *pool->free);
	}
	pool->free[pool->nfree++] = s;
	if (pool->live > 0)
		pool->live--;
}

size_t
sketch_pool_live(const struct sketch_pool *pool)
{
	return (pool->live + pool->sparse_dists);
}

void
sketch_pool_stats(const struct sketch_pool *pool, struct sketch_pool_stats *st)
{
	const struct agg_fpool	*fp;
	size_t			 i;

	memset(st, 0, sizeof *st);
	st->dense = pool->live;
	st->bytes_live = pool->live * sizeof (struct sketch);
	st->bytes = (pool->live + pool->nfree + pool->nclean) *
	    sizeof (struct sketch);
	for (i = 0; i < AGG_NLAYOUT + AGG_NCLASS + 1; i++) {
		if (i < AGG_NLAYOUT) {
			fp = &pool->slots[i];
			st->slots += fp->live;
			if (i & AGG_PART_SURVEY)
				st->surveys += fp->live;
			if (i & AGG_PART_QA)
				st->qas += fp->live;
			if (i & AGG_PART_AGENT)
				st->agents += fp->live;
		} else if (i < AGG_NLAYOUT + AGG_NCLASS) {
			fp = &pool->sparse[i - AGG_NLAYOUT];
			st->sparse += fp->live;
		} else
			fp = &pool->dists;
		st->bytes_live += fp->live * fp->size;
		st->bytes += fp->nslab * AGG_SLAB_BYTES;
	}
}

/* Survey answers, carried by a call or a survey event. */
static void
agg_contrib_csat(const struct event *ev, struct agg *d)
{
	if (ev->has & EVENT_HAS_CSAT) {
		d->csat_n = 1;
		d->csat_pos = ev->csat >= 4;
		d->csat_sum = ev->csat;
	}
	if (ev->has & EVENT_HAS_NPS) {
		d->nps_n = 1;
		d->nps_pro = ev->nps >= 9;
		d->nps_det = ev->nps <= 6;
	}
}

/*
 * A finished call.  Without an outcome, a call that met an agent or
 * talked was answered and any other was abandoned.  The transferred flag
 * only counts for answered calls, since transfer_rate is over answered.
 */
static void
agg_contrib_call(const struct event *ev, const struct agg_params *p,
    struct contrib *c)
{
	struct agg		*d = &c->delta;
	enum event_outcome	 outcome = ev->outcome;
	double			 wait;
	int			 has_talk;

	has_talk = (ev->has & EVENT_HAS_TALK) != 0;
	if (outcome == EVENT_OUTCOME_NONE) {
		if (ev->agent[0] != '\0' || (has_talk && ev->talk > 0))
			outcome = EVENT_OUTCOME_ANSWERED;
		else
			outcome = EVENT_OUTCOME_ABANDONED;
	}
	wait = (ev->has & EVENT_HAS_WAIT) ? ev->wait : 0;

	d->offered = 1;
	d->wait_all = wait;
	if (ev->has & EVENT_HAS_WAIT) {
		c->dist_idx[AGG_DIST_WAIT] = sketch_index(wait);
		c->dist_n[AGG_DIST_WAIT] = 1;
	}

	switch (outcome) {
	case EVENT_OUTCOME_ABANDONED:
		d->abandoned = 1;
		d->short_abandoned = wait < p->short_abandon;
		d->abandoned_in_sl = wait <= p->sl_threshold;
		d->wait_abandoned = wait;
		break;
	case EVENT_OUTCOME_TIMEOUT:
		d->timeouts = 1;
		break;
	case EVENT_OUTCOME_TRANSFERRED:
	case EVENT_OUTCOME_ANSWERED:
	default:
		d->answered = 1;
		d->transferred = outcome == EVENT_OUTCOME_TRANSFERRED ||
		    ((ev->has & EVENT_HAS_TRANSFERRED) && ev->transferred);
		d->answered_in_sl = wait <= p->sl_threshold;
		d->wait_answered = wait;
		if (has_talk) {
			d->talk = ev->talk;
			c->dist_idx[AGG_DIST_TALK] = sketch_index(ev->talk);
			c->dist_n[AGG_DIST_TALK] = 1;
		}
		if ((ev->has & EVENT_HAS_HOLD) && ev->hold > 0) {
			d->hold = ev->hold;
			d->held = 1;
			c->dist_idx[AGG_DIST_HOLD] = sketch_index(ev->hold);
			c->dist_n[AGG_DIST_HOLD] = 1;
		}
		if (ev->has & EVENT_HAS_WRAP)
			d->wrap = ev->wrap;
		/* For repeat_rate; the repeat itself is added later. */
		d->cust_n = ev->customer[0] != '\0';
		break;
	}

	if (ev->has & EVENT_HAS_FIRST_CONTACT) {
		d->fc_n = 1;
		d->fc_yes = ev->first_contact != 0;
	}
	if (ev->has & EVENT_HAS_RESOLVED) {
		d->res_n = 1;
		d->res_yes = ev->resolved != 0;
	}
	if (ev->has & EVENT_HAS_REVENUE) {
		d->revenue_n = 1;
		d->revenue = ev->revenue;
	}
	agg_contrib_csat(ev, d);
}

/* Scores are 0-5; aggregates keep 0-100. */
static int
agg_contrib_qa(const struct event *ev, const struct agg_params *p,
    struct contrib *c)
{
	struct agg	*d = &c->delta;
	size_t		 i, j, ncrit, nqa;
	double		 sum;

	nqa = ev->nqa < EVENT_QA_MAX ? ev->nqa : EVENT_QA_MAX;
	if (nqa == 0)
		return (-1);
	ncrit = p->nqa < AGG_QA_MAX ? p->nqa : AGG_QA_MAX;
	sum = 0;
	for (i = 0; i < nqa; i++) {
		sum += ev->qa[i].value;
		for (j = 0; j < ncrit; j++) {
			if (p->qa_criteria[j] == NULL ||
			    strncmp(ev->qa[i].name, p->qa_criteria[j],
			    sizeof ev->qa[i].name) != 0)
				continue;
			d->qa_crit_n[j]++;
			d->qa_crit_sum[j] += ev->qa[i].value * 20.0;
		}
	}
	d->qa_n = 1;
	d->qa_sum = sum / (double)nqa * 20.0;
	return (0);
}

int
agg_contrib(const struct event *ev, const struct agg_params *p,
    struct contrib *c)
{
	int	i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < AGG_DIST_COUNT; i++)
		c->dist_idx[i] = SKETCH_ZERO;

	switch (ev->type) {
	case EVENT_CALL:
		agg_contrib_call(ev, p, c);
		break;
	case EVENT_SURVEY:
		if ((ev->has & (EVENT_HAS_CSAT|EVENT_HAS_NPS)) == 0)
			return (-1);
		agg_contrib_csat(ev, &c->delta);
		break;
	case EVENT_QA:
		if (agg_contrib_qa(ev, p, c) != 0)
			return (-1);
		break;
	case EVENT_ESAT:
		if ((ev->has & EVENT_HAS_SCORE) == 0)
			return (-1);
		c->delta.esat_n = 1;
		c->delta.esat_pos = ev->score >= 4;
		break;
	default:
		/* Lifecycle and agent events feed live state elsewhere. */
		return (-1);
	}
	c->parts = agg_parts(&c->delta);
	return (0);
}

/* Every counter and sum; kept in struct order. */
static void
agg_add_counts(struct agg *a, const struct agg *b)
{
	size_t	j;

	a->offered += b->offered;
	a->answered += b->answered;
	a->abandoned += b->abandoned;
	a->short_abandoned += b->short_abandoned;
	a->timeouts += b->timeouts;
	a->answered_in_sl += b->answered_in_sl;
	a->abandoned_in_sl += b->abandoned_in_sl;
	a->transferred += b->transferred;
	a->held += b->held;
	a->fc_yes += b->fc_yes;
	a->fc_n += b->fc_n;
	a->res_yes += b->res_yes;
	a->res_n += b->res_n;
	a->revenue_n += b->revenue_n;
	a->cust_n += b->cust_n;
	a->repeated += b->repeated;
	a->csat_pos += b->csat_pos;
	a->csat_n += b->csat_n;
	a->nps_pro += b->nps_pro;
	a->nps_det += b->nps_det;
	a->nps_n += b->nps_n;
	a->esat_pos += b->esat_pos;
	a->esat_n += b->esat_n;
	a->qa_n += b->qa_n;
	for (j = 0; j < AGG_QA_MAX; j++)
		a->qa_crit_n[j] += b->qa_crit_n[j];

	a->wait_answered += b->wait_answered;
	a->wait_abandoned += b->wait_abandoned;
	a->wait_all += b->wait_all;
	a->talk += b->talk;
	a->hold += b->hold;
	a->wrap += b->wrap;
	a->revenue += b->revenue;
	a->csat_sum += b->csat_sum;
	a->qa_sum += b->qa_sum;
	for (j = 0; j < AGG_QA_MAX; j++)
		a->qa_crit_sum[j] += b->qa_crit_sum[j];
	a->busy += b->busy;
	a->ready += b->ready;
}

void
agg_apply(struct agg *a, const struct contrib *c, struct sketch_pool *pool)
{
	int	i;

	agg_add_counts(a, &c->delta);
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (c->dist_n[i] == 0)
			continue;
		if (a->dist[i] == NULL)
			a->dist[i] = sketch_pool_get(pool);
		sketch_add_index(a->dist[i], c->dist_idx[i]);
	}
}

void
agg_merge(struct agg *a, const struct agg *b, struct sketch_pool *pool)
{
	int	i;

	agg_add_counts(a, b);
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (b->dist[i] == NULL || b->dist[i]->count == 0)
			continue;
		if (a->dist[i] == NULL)
			a->dist[i] = sketch_pool_get(pool);
		sketch_merge(a->dist[i], b->dist[i]);
	}
}

void
agg_clear(struct agg *a, struct sketch_pool *pool)
{
	int	i;

	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (a->dist[i] != NULL)
			sketch_pool_put(pool, a->dist[i]);
	}
	memset(a, 0, sizeof *a);
}

/*
 * Every contrib counts something, so the counters decide; but for agent
 * seconds, which are only sums.
 */
int
agg_is_empty(const struct agg *a)
{
	static const struct agg	zero;
	int			i;

	if (memcmp(a, &zero, offsetof(struct agg, wait_answered)) != 0)
		return (0);
	if (a->busy != 0 || a->ready != 0)
		return (0);
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (a->dist[i] != NULL && a->dist[i]->count != 0)
			return (0);
	}
	return (1);
}

/* Which blocks a slot needs to hold a. */
unsigned int
agg_parts(const struct agg *a)
{
	unsigned int	parts = 0;
	size_t		j;

	if ((a->csat_pos | a->csat_n | a->nps_pro | a->nps_det | a->nps_n |
	    a->esat_pos | a->esat_n) != 0 || a->csat_sum != 0)
		parts |= AGG_PART_SURVEY;
	if (a->qa_n != 0 || a->qa_sum != 0)
		parts |= AGG_PART_QA;
	for (j = 0; j < AGG_QA_MAX && (parts & AGG_PART_QA) == 0; j++) {
		if (a->qa_crit_n[j] != 0 || a->qa_crit_sum[j] != 0)
			parts |= AGG_PART_QA;
	}
	if (a->busy != 0 || a->ready != 0)
		parts |= AGG_PART_AGENT;
	return (parts);
}

static size_t
agg_slot_size(unsigned int parts)
{
	size_t	n = sizeof (struct agg_slot);

	if (parts & AGG_PART_SURVEY)
		n += sizeof (struct agg_survey);
	if (parts & AGG_PART_QA)
		n += sizeof (struct agg_qa);
	if (parts & AGG_PART_AGENT)
		n += sizeof (struct agg_agent);
	return (n);
}

static struct agg_survey *
agg_slot_survey(const struct agg_slot *s)
{
	if ((s->parts & AGG_PART_SURVEY) == 0)
		return (NULL);
	return ((struct agg_survey *)(uintptr_t)(s + 1));
}

static struct agg_qa *
agg_slot_qa(const struct agg_slot *s)
{
	uintptr_t	p = (uintptr_t)(s + 1);

	if ((s->parts & AGG_PART_QA) == 0)
		return (NULL);
	if (s->parts & AGG_PART_SURVEY)
		p += sizeof (struct agg_survey);
	return ((struct agg_qa *)p);
}

/* The last block, after the survey and QA ones if present. */
static struct agg_agent *
agg_slot_agent(const struct agg_slot *s)
{
	uintptr_t	p = (uintptr_t)(s + 1);

	if ((s->parts & AGG_PART_AGENT) == 0)
		return (NULL);
	if (s->parts & AGG_PART_SURVEY)
		p += sizeof (struct agg_survey);
	if (s->parts & AGG_PART_QA)
		p += sizeof (struct agg_qa);
	return ((struct agg_agent *)p);
}

/* Move s to the layout with blocks parts, keeping what it holds. */
static struct agg_slot *
agg_slot_grow(struct sketch_pool *pool, struct agg_slot *s,
    unsigned int parts)
{
	struct agg_slot	*n;

	n = agg_fpool_get(&pool->slots[parts]);
	memset(n, 0, agg_slot_size(parts));
	memcpy(n, s, sizeof *n);
	n->parts = parts;
	if (s->parts & AGG_PART_SURVEY)
		memcpy(agg_slot_survey(n), agg_slot_survey(s),
		    sizeof (struct agg_survey));
	if (s->parts & AGG_PART_QA)
		memcpy(agg_slot_qa(n), agg_slot_qa(s), sizeof (struct agg_qa));
	if (s->parts & AGG_PART_AGENT)
		memcpy(agg_slot_agent(n), agg_slot_agent(s),
		    sizeof (struct agg_agent));
	agg_fpool_put(&pool->slots[s->parts], s);
	return (n);
}

/*
 * The first of the n sorted entries at ent with a key at least key.
 * Branch-free, since which way each step goes is random: halve the range
 * keeping its base.
 */
static size_t
agg_lb(const uint32_t *ent, size_t n, uint32_t key)
{
	const uint32_t	*base = ent;
	size_t		 half;

	if (n == 0)
		return (0);
	while (n > 1) {
		half = n / 2;
		base = base[half] < key ? base + half : base;
		n -= half;
	}
	return ((size_t)(base - ent) + (*base < key));
}

static size_t
agg_sparse_lb(const struct agg_sparse *sp, uint32_t key)
{
	return (agg_lb(sp->ent, sp->n, key));
}

/* Dist d's entries are [*lo, *hi). */
static void
agg_sparse_range(const struct agg_sparse *sp, unsigned int d, size_t *lo,
    size_t *hi)
{
	agg_sparse_range_of(sp->ent, sp->n, d, lo, hi);
}

/* The same over the n sorted entries at ent. */
static void
agg_sparse_range_of(const uint32_t *ent, size_t n, unsigned int d,
    size_t *lo, size_t *hi)
{
	uint32_t	base = d * SKETCH_SPARSE_CODES;

	*lo = agg_lb(ent, n, base << SKETCH_SPARSE_SHIFT);
	*hi = agg_lb(ent, n, (base + SKETCH_SPARSE_CODES) <<
	    SKETCH_SPARSE_SHIFT);
}

/* Back to the pool, all zero already: the next get skips the clear. */
static void
agg_dense_put_clean(struct sketch_pool *pool, struct sketch *s)
{
	if (pool->nclean == pool->cleancap) {
		pool->cleancap = pool->cleancap == 0 ? 64 : pool->cleancap * 2;
		pool->clean = xreallocarray(pool->clean, pool->cleancap,
		    sizeof *pool->clean);
	}
	pool->clean[pool->nclean++] = s;
	pool->live--;
}

static void
agg_sparse_put(struct sketch_pool *pool, struct agg_sparse *sp)
{
	size_t		lo, hi;
	unsigned int	d;

	for (d = 0; d < AGG_DIST_COUNT; d++) {
		agg_sparse_range(sp, d, &lo, &hi);
		if (hi > lo)
			pool->sparse_dists--;
	}
	agg_fpool_put(&pool->sparse[sp->cls], sp);
}

/*
 * Count n more of code in *spp (which may be NULL, or move as it grows);
 * -1 if it cannot: the last class is full or the count would not fit.
 */
static int
agg_sparse_add(struct sketch_pool *pool, struct agg_sparse **spp,
    uint32_t code, uint64_t n)
{
	struct agg_sparse	*sp = *spp, *grown;
	uint32_t		 key, base;
	size_t			 lo;

	if (n > SKETCH_SPARSE_NMAX)
		return (-1);
	if (sp == NULL) {
		sp = *spp = agg_fpool_get(&pool->sparse[0]);
		sp->n = 0;
		sp->cls = 0;
	}
	key = code << SKETCH_SPARSE_SHIFT;
	lo = agg_sparse_lb(sp, key);
	if (lo < sp->n && SKETCH_SPARSE_CODE(sp->ent[lo]) == code) {
		if (n > SKETCH_SPARSE_NMAX - SKETCH_SPARSE_COUNT(sp->ent[lo]))
			return (-1);
		sp->ent[lo] += (uint32_t)n;
		return (0);
	}
	if (sp->n == agg_sparse_cap[sp->cls]) {
		if (sp->cls + 1 == AGG_NCLASS)
			return (-1);
		grown = agg_fpool_get(&pool->sparse[sp->cls + 1]);
		grown->n = sp->n;
		grown->cls = sp->cls + 1;
		memcpy(grown->ent, sp->ent, sp->n * sizeof *sp->ent);
		agg_fpool_put(&pool->sparse[sp->cls], sp);
		sp = *spp = grown;
	}
	/* The first entry of its distribution: one more distribution. */
	base = code - code % SKETCH_SPARSE_CODES;
	if ((lo == 0 || SKETCH_SPARSE_CODE(sp->ent[lo - 1]) < base) &&
	    (lo == sp->n || SKETCH_SPARSE_CODE(sp->ent[lo]) >=
	    base + SKETCH_SPARSE_CODES))
		pool->sparse_dists++;
	memmove(&sp->ent[lo + 1], &sp->ent[lo],
	    (sp->n - lo) * sizeof *sp->ent);
	sp->ent[lo] = key | (uint32_t)n;
	sp->n++;
	return (0);
}

/* Move dist d out of *spp into a new dense sketch. */
static struct sketch *
agg_sparse_promote(struct sketch_pool *pool, struct agg_sparse **spp,
    unsigned int d)
{
	struct agg_sparse	*sp = *spp;
	struct sketch		*ds;
	size_t			 lo, hi;

	ds = sketch_pool_get(pool);
	if (sp == NULL)
		return (ds);
	agg_sparse_range(sp, d, &lo, &hi);
	if (hi > lo) {
		sketch_sparse_merge(ds, &sp->ent[lo], hi - lo,
		    d * SKETCH_SPARSE_CODES);
		memmove(&sp->ent[lo], &sp->ent[hi],
		    (sp->n - hi) * sizeof *sp->ent);
		sp->n -= (uint16_t)(hi - lo);
		pool->sparse_dists--;
	}
	if (sp->n == 0) {
		agg_fpool_put(&pool->sparse[sp->cls], sp);
		*spp = NULL;
	}
	return (ds);
}

/* a += every distribution in sp. */
static void
agg_sparse_sum(struct agg *a, const struct agg_sparse *sp,
    struct sketch_pool *pool)
{
	size_t		lo, hi;
	unsigned int	d;

	for (d = 0; d < AGG_DIST_COUNT; d++) {
		agg_sparse_range(sp, d, &lo, &hi);
		if (hi == lo)
			continue;
		if (a->dist[d] == NULL)
			a->dist[d] = sketch_pool_get(pool);
		sketch_sparse_merge(a->dist[d], &sp->ent[lo], hi - lo,
		    d * SKETCH_SPARSE_CODES);
	}
}

static void
agg_dist_put(struct sketch_pool *pool, uintptr_t dist)
{
	struct agg_dists	*db;
	int			 d;

	if (dist == 0)
		return;
	if (dist & AGG_SPARSE_TAG) {
		agg_sparse_put(pool,
		    (struct agg_sparse *)(dist & ~AGG_SPARSE_TAG));
		return;
	}
	db = (struct agg_dists *)dist;
	for (d = 0; d < AGG_DIST_COUNT; d++)
		sketch_pool_put(pool, db->dense[d]);
	if (db->sp != NULL)
		agg_sparse_put(pool, db->sp);
	agg_fpool_put(&pool->dists, db);
}

static void
agg_dense_add(struct sketch *s, int i, uint64_t n)
{
	s->count += n;
	if (i < 0)
		s->zero += n;
	else
		s->bucket[i] += (uint32_t)n;
}

/*
 * Count n values of bucket i in dist d of the slot's distributions at
 * *dp.  While the sparse block can take them it does; then the slot gets
 * a dists block, and the distribution with most entries (or, if a count
 * overflowed, this one) becomes dense until the value fits.  In a busy
 * slot, the distribution becomes dense straight away.
 */
static void
agg_dist_add(struct sketch_pool *pool, uintptr_t *dp, unsigned int d, int i,
    uint64_t n, int busy)
{
	struct agg_sparse	*sp;
	struct agg_dists	*db;
	size_t			 lo, hi, most;
	uint32_t		 code;
	unsigned int		 e, which;

	if (n == 0)
		return;
	if (i < 0)
		i = SKETCH_ZERO;
	else if (i > SKETCH_NBUCKETS - 1)
		i = SKETCH_NBUCKETS - 1;
	code = d * SKETCH_SPARSE_CODES + (uint32_t)(i + 1);

	if (*dp == 0 || (*dp & AGG_SPARSE_TAG)) {
		sp = (struct agg_sparse *)(*dp & ~AGG_SPARSE_TAG);
		if (!busy && agg_sparse_add(pool, &sp, code, n) == 0) {
			*dp = (uintptr_t)sp | AGG_SPARSE_TAG;
			return;
		}
		db = agg_fpool_get(&pool->dists);
		memset(db, 0, sizeof *db);
		db->sp = sp;
		*dp = (uintptr_t)db;
	} else
		db = (struct agg_dists *)*dp;

	if (busy && db->dense[d] == NULL)
		db->dense[d] = agg_sparse_promote(pool, &db->sp, d);
	while (db->dense[d] == NULL) {
		if (agg_sparse_add(pool, &db->sp, code, n) == 0)
			return;
		which = d;
		if (db->sp != NULL &&
		    db->sp->n == agg_sparse_cap[AGG_NCLASS - 1]) {
			most = 0;
			for (e = 0; e < AGG_DIST_COUNT; e++) {
				agg_sparse_range(db->sp, e, &lo, &hi);
				if (hi - lo > most) {
					most = hi - lo;
					which = e;
				}
			}
		}
		db->dense[which] = agg_sparse_promote(pool, &db->sp, which);
	}
	agg_dense_add(db->dense[d], i, n);
}

static void
agg_dist_add_cb(void *arg, int i, uint64_t n)
{
	struct agg_decode_ctx	*ctx = arg;

	agg_dist_add(ctx->pool, ctx->dp, ctx->d, i, n, 0);
}

struct agg_slot *
agg_slot_get(struct sketch_pool *pool)
{
	struct agg_slot	*s;

	s = agg_fpool_get(&pool->slots[0]);
	memset(s, 0, sizeof *s);
	return (s);
}

void
agg_slot_put(struct sketch_pool *pool, struct agg_slot *s)
{
	if (s == NULL)
		return;
	agg_dist_put(pool, s->dist);
	agg_fpool_put(&pool->slots[s->parts], s);
}

static void
agg_slot_add_parts(struct agg_slot **sp, const struct agg *a,
    unsigned int parts, struct sketch_pool *pool)
{
	struct agg_slot		*s = *sp;
	struct agg_survey	*sv;
	struct agg_qa		*qa;
	struct agg_agent	*ag;
	size_t			 j;

	if ((parts & ~s->parts) != 0)
		s = *sp = agg_slot_grow(pool, s, s->parts | parts);
	s->offered += a->offered;
	s->answered += a->answered;
	s->abandoned += a->abandoned;
	s->short_abandoned += a->short_abandoned;
	s->timeouts += a->timeouts;
	s->answered_in_sl += a->answered_in_sl;
	s->abandoned_in_sl += a->abandoned_in_sl;
	s->transferred += a->transferred;
	s->held += a->held;
	s->fc_yes += a->fc_yes;
	s->fc_n += a->fc_n;
	s->res_yes += a->res_yes;
	s->res_n += a->res_n;
	s->revenue_n += a->revenue_n;
	s->cust_n += a->cust_n;
	s->repeated += a->repeated;
	s->wait_answered += a->wait_answered;
	s->wait_abandoned += a->wait_abandoned;
	s->wait_all += a->wait_all;
	s->talk += a->talk;
	s->hold += a->hold;
	s->wrap += a->wrap;
	s->revenue += a->revenue;

	if (parts & AGG_PART_SURVEY) {
		sv = agg_slot_survey(s);
		sv->csat_pos += a->csat_pos;
		sv->csat_n += a->csat_n;
		sv->nps_pro += a->nps_pro;
		sv->nps_det += a->nps_det;
		sv->nps_n += a->nps_n;
		sv->esat_pos += a->esat_pos;
		sv->esat_n += a->esat_n;
		sv->csat_sum += a->csat_sum;
	}
	if (parts & AGG_PART_QA) {
		qa = agg_slot_qa(s);
		qa->qa_n += a->qa_n;
		qa->qa_sum += a->qa_sum;
		for (j = 0; j < AGG_QA_MAX; j++) {
			qa->qa_crit_n[j] += a->qa_crit_n[j];
			qa->qa_crit_sum[j] += a->qa_crit_sum[j];
		}
	}
	if (parts & AGG_PART_AGENT) {
		ag = agg_slot_agent(s);
		ag->busy += a->busy;
		ag->ready += a->ready;
	}
}

void
agg_slot_apply(struct agg_slot **sp, const struct contrib *c, int current,
    struct sketch_pool *pool)
{
	struct agg_slot		*s;
	struct sketch		*ds;
	int			 d, i, busy;

	agg_slot_add_parts(sp, &c->delta, c->parts, pool);
	s = *sp;
	busy = s->offered >= (current ? AGG_HOT_CALLS : AGG_BUSY_CALLS);
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if (c->dist_n[d] <= 0)
			continue;
		/* The busy slot's way, a dense sketch, first. */
		i = c->dist_idx[d];
		if (s->dist != 0 && (s->dist & AGG_SPARSE_TAG) == 0 &&
		    (ds = ((struct agg_dists *)s->dist)->dense[d]) != NULL &&
		    i >= SKETCH_ZERO && i < SKETCH_NBUCKETS) {
			agg_dense_add(ds, i, (uint64_t)c->dist_n[d]);
			continue;
		}
		agg_dist_add(pool, &s->dist, (unsigned int)d, i,
		    (uint64_t)c->dist_n[d], busy);
	}
}

void
agg_slot_add(struct agg_slot **sp, const struct agg *a,
    struct sketch_pool *pool)
{
	agg_slot_add_parts(sp, a, agg_parts(a), pool);
}

int
agg_slot_add_dist(struct agg_slot *s, enum agg_dist d,
    const unsigned char *buf, size_t len, struct sketch_pool *pool)
{
	struct agg_decode_ctx	ctx;

	if ((unsigned int)d >= AGG_DIST_COUNT)
		return (-1);
	ctx.pool = pool;
	ctx.dp = &s->dist;
	ctx.d = (unsigned int)d;
	if (sketch_decode_each(buf, len, NULL, agg_dist_add_cb, &ctx) != len)
		return (-1);
	return (0);
}

/* Field by field into a, as agg_add_counts() would. */
void
agg_slot_sum(struct agg *a, const struct agg_slot *s, struct sketch_pool *pool)
{
	const struct agg_survey	*sv = agg_slot_survey(s);
	const struct agg_qa	*qa = agg_slot_qa(s);
	const struct agg_agent	*ag = agg_slot_agent(s);
	const struct agg_dists	*db;
	size_t			 j;
	int			 d;

	a->offered += s->offered;
	a->answered += s->answered;
	a->abandoned += s->abandoned;
	a->short_abandoned += s->short_abandoned;
	a->timeouts += s->timeouts;
	a->answered_in_sl += s->answered_in_sl;
	a->abandoned_in_sl += s->abandoned_in_sl;
	a->transferred += s->transferred;
	a->held += s->held;
	a->fc_yes += s->fc_yes;
	a->fc_n += s->fc_n;
	a->res_yes += s->res_yes;
	a->res_n += s->res_n;
	a->revenue_n += s->revenue_n;
	a->cust_n += s->cust_n;
	a->repeated += s->repeated;
	a->wait_answered += s->wait_answered;
	a->wait_abandoned += s->wait_abandoned;
	a->wait_all += s->wait_all;
	a->talk += s->talk;
	a->hold += s->hold;
	a->wrap += s->wrap;
	a->revenue += s->revenue;
	if (sv != NULL) {
		a->csat_pos += sv->csat_pos;
		a->csat_n += sv->csat_n;
		a->nps_pro += sv->nps_pro;
		a->nps_det += sv->nps_det;
		a->nps_n += sv->nps_n;
		a->esat_pos += sv->esat_pos;
		a->esat_n += sv->esat_n;
		a->csat_sum += sv->csat_sum;
	}
	if (qa != NULL) {
		a->qa_n += qa->qa_n;
		a->qa_sum += qa->qa_sum;
		for (j = 0; j < AGG_QA_MAX; j++) {
			a->qa_crit_n[j] += qa->qa_crit_n[j];
			a->qa_crit_sum[j] += qa->qa_crit_sum[j];
		}
	}
	if (ag != NULL) {
		a->busy += ag->busy;
		a->ready += ag->ready;
	}

	if (s->dist == 0)
		return;
	if (s->dist & AGG_SPARSE_TAG) {
		agg_sparse_sum(a, (const struct agg_sparse *)(s->dist &
		    ~AGG_SPARSE_TAG), pool);
		return;
	}
	db = (const struct agg_dists *)s->dist;
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if (db->dense[d] == NULL)
			continue;
		if (a->dist[d] == NULL)
			a->dist[d] = sketch_pool_get(pool);
		sketch_merge(a->dist[d], db->dense[d]);
	}
	if (db->sp != NULL)
		agg_sparse_sum(a, db->sp, pool);
}

void
agg_slot_counts(const struct agg_slot *s, struct agg *a)
{
	unsigned char	 buf[sizeof (struct agg_slot) +
			    sizeof (struct agg_survey) + sizeof (struct agg_qa) +
			    sizeof (struct agg_agent)];
	struct agg_slot	*tmp;

	/* A copy without distributions, so that no pool is needed. */
	tmp = (struct agg_slot *)(void *)buf;
	memcpy(buf, s, agg_slot_size(s->parts));
	tmp->dist = 0;
	memset(a, 0, sizeof *a);
	agg_slot_sum(a, tmp, NULL);
}

size_t
agg_slot_encode_dist(const struct agg_slot *s, enum agg_dist d,
    unsigned char *buf, size_t len)
{
	const struct agg_sparse	*sp;
	const struct agg_dists	*db;
	size_t			 lo, hi;

	if ((unsigned int)d >= AGG_DIST_COUNT || s->dist == 0)
		return (0);
	if (s->dist & AGG_SPARSE_TAG)
		sp = (const struct agg_sparse *)(s->dist & ~AGG_SPARSE_TAG);
	else {
		db = (const struct agg_dists *)s->dist;
		if (db->dense[d] != NULL)
			return (db->dense[d]->count == 0 ? 0 :
			    sketch_encode(db->dense[d], buf, len));
		if ((sp = db->sp) == NULL)
			return (0);
	}
	agg_sparse_range(sp, (unsigned int)d, &lo, &hi);
	if (hi == lo)
		return (0);
	return (sketch_sparse_encode(&sp->ent[lo], hi - lo,
	    (uint32_t)d * SKETCH_SPARSE_CODES, buf, len));
}

/* As agg_is_empty(): the counters, then the distributions. */
int
agg_slot_is_empty(const struct agg_slot *s)
{
	const struct agg_survey	*sv = agg_slot_survey(s);
	const struct agg_qa	*qa = agg_slot_qa(s);
	const struct agg_agent	*ag = agg_slot_agent(s);
	size_t			 j;

	if ((s->offered | s->answered | s->abandoned | s->short_abandoned |
	    s->timeouts | s->answered_in_sl | s->abandoned_in_sl |
	    s->transferred | s->held | s->fc_yes | s->fc_n | s->res_yes |
	    s->res_n | s->revenue_n | s->cust_n | s->repeated) != 0)
		return (0);
	if (ag != NULL && (ag->busy != 0 || ag->ready != 0))
		return (0);
	if (sv != NULL && (sv->csat_pos | sv->csat_n | sv->nps_pro |
	    sv->nps_det | sv->nps_n | sv->esat_pos | sv->esat_n) != 0)
		return (0);
	if (qa != NULL) {
		if (qa->qa_n != 0)
			return (0);
		for (j = 0; j < AGG_QA_MAX; j++) {
			if (qa->qa_crit_n[j] != 0)
				return (0);
		}
	}
	/* A distribution block exists only while it holds a value. */
	return (s->dist == 0);
}

/*
 * The ring has moved past s: make its distributions sparse again if it
 * was not busy and they fit, in one block of the smallest class.
 */
void
agg_slot_compact(struct agg_slot *s, struct sketch_pool *pool)
{
	uint32_t		 ent[AGG_DIST_COUNT * SKETCH_SPARSE_CODES];
	struct agg_dists	*db;
	struct agg_sparse	*sp;
	struct sketch		*ds;
	size_t			 n, lo, hi, j, e;
	uint64_t		 pair;
	uint32_t		 base, big;
	unsigned int		 d, cls, ndist;

	if (s->dist == 0 || (s->dist & AGG_SPARSE_TAG) ||
	    s->offered >= AGG_BUSY_CALLS)
		return;
	db = (struct agg_dists *)s->dist;

	/* The entries, in order, into ent; nothing changes until they fit. */
	n = 0;
	big = 0;
	ndist = 0;
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		base = d * SKETCH_SPARSE_CODES;
		if ((ds = db->dense[d]) != NULL) {
			if (ds->zero > SKETCH_SPARSE_NMAX)
				return;
			if (ds->zero != 0)
				ent[n++] = base << SKETCH_SPARSE_SHIFT |
				    (uint32_t)ds->zero;
			/* Skip pairs of empty buckets in one test. */
			for (j = 0; j < SKETCH_NBUCKETS; j += 2) {
				memcpy(&pair, &ds->bucket[j], sizeof pair);
				if (pair == 0)
					continue;
				for (e = j; e < j + 2; e++) {
					if (ds->bucket[e] == 0)
						continue;
					big |= ds->bucket[e];
					ent[n++] = (base + 1 + (uint32_t)e) <<
					    SKETCH_SPARSE_SHIFT |
					    (ds->bucket[e] & SKETCH_SPARSE_NMAX);
				}
			}
			ndist += ds->count != 0;
		} else if (db->sp != NULL) {
			agg_sparse_range(db->sp, d, &lo, &hi);
			memcpy(&ent[n], &db->sp->ent[lo],
			    (hi - lo) * sizeof *ent);
			n += hi - lo;
			ndist += hi > lo;
		}
	}
	if (big > SKETCH_SPARSE_NMAX || n > agg_sparse_cap[AGG_NCLASS - 1])
		return;

	/*
	 * Give the dense sketches back zeroed, which only takes the buckets
	 * just read, so that the next slot to go dense need not clear 4 KiB.
	 */
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if ((ds = db->dense[d]) == NULL)
			continue;
		base = d * SKETCH_SPARSE_CODES;
		agg_sparse_range_of(ent, n, d, &lo, &hi);
		for (j = lo; j < hi; j++) {
			if (SKETCH_SPARSE_CODE(ent[j]) != base)
				ds->bucket[SKETCH_SPARSE_CODE(ent[j]) -
				    base - 1] = 0;
		}
		ds->count = ds->zero = 0;
		agg_dense_put_clean(pool, ds);
	}
	if (db->sp != NULL)
		agg_sparse_put(pool, db->sp);
	agg_fpool_put(&pool->dists, db);
	s->dist = 0;
	if (n == 0)
		return;
	for (cls = 0; agg_sparse_cap[cls] < n; cls++)
		;
	sp = agg_fpool_get(&pool->sparse[cls]);
	sp->n = (uint16_t)n;
	sp->cls = (uint16_t)cls;
	memcpy(sp->ent, ent, n * sizeof *ent);
	pool->sparse_dists += ndist;
	s->dist = (uintptr_t)sp | AGG_SPARSE_TAG;
}
