/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Aggregates.  agg_contrib() does all the per-event thinking once
 * (outcome, service level, short abandon, QA criteria, sketch indexes);
 * agg_apply() then only adds, because one event is applied to a slot of
 * every window of every scope it touches.
 *
 * Memory goes to ring slots (scopes x windows x slots of them), most of
 * which see a few events, so a slot (struct agg_slot) is packed: a
 * 12-byte header, then the sparse entries of its distributions (at most
 * AGG_INLINE_MAX) or a pointer to blocks holding them, then a mask of the
 * fields of struct agg that are not zero and those fields as varints,
 * sums in milliseconds when they are that, exactly or to a few units in
 * the last place.  A slot of one call takes 48 bytes, against 144 plus a
 * block for a fixed layout.  Adding to a slot merges encoded fields,
 * copying those it does not add to as they are (agg_fields_merge()), and
 * moves the slot to a block of its new size class if that changed.
 *
 * Distributions too many for the slot move to a sorted array of packed
 * (dist, bucket, count) entries in one of a few capacity classes; a
 * distribution becomes a dense 4 KiB sketch only when the largest class
 * is full, or while the slot is busy (see AGG_HOT_CALLS).
 * Every block comes from the pool (fixed-size objects carved from 64 KiB
 * slabs, dense sketches kept on free lists) and goes back to it when the
 * slot is cleared: the ingest path does not call malloc once warm.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "varint.h"
#include "xmalloc.h"

#define AGG_SLAB_BYTES	65536
#define AGG_NCLASS	16
#define AGG_SPARSE_TAG	((uintptr_t)1)

/* Packed slots. */
#define AGG_SLOT_HDR	offsetof(struct agg_slot, data)
#define AGG_INLINE_MAX	48	/* sparse entries kept in the slot */
#define AGG_NFIELD	51	/* counters and sums of struct agg */
#define AGG_VARINT_MAX	VARINT_MAX
/* The largest encoding of the fields: the mask, then every field. */
#define AGG_FIELDS_LEN	(8 + 32 * 5 + 19 * 10)
#define AGG_SLOT_MAXLEN	(AGG_SLOT_HDR + AGG_INLINE_MAX * 4 + AGG_FIELDS_LEN)
#define AGG_NSLOTCLS	29
#define AGG_F64_MS	0	/* a double: ms << 2 | this */
#define AGG_F64_ULP	1	/* ms << 2 | this, a byte: ulps off + 64 */
#define AGG_F64_RAW	2	/* this, then the double's 8 bytes */

/* Bits of the mask of fields (agg_field[]). */
#define AGG_M_OFFERED	(UINT64_C(1) << 3)
#define AGG_M_AGENT	(UINT64_C(3) << 1)		/* busy, ready */
#define AGG_M_CALL	((UINT64_C(1) << 25) - 1)	/* up to revenue */
#define AGG_M_SURVEY	(UINT64_C(0xff) << 25)		/* .. csat_sum */
#define AGG_M_QA	(UINT64_C(0x3ffff) << 33)	/* .. qa_crit_sum */
#define AGG_M_COUNTS	(UINT64_C(1) | UINT64_C(0x7fff) << 3 | \
			    UINT64_C(0x7f) << 25 | UINT64_C(0x1ff) << 33)

/*
 * Objects of one size, carved from slabs as they are needed, free ones
 * linked in place.
 */
struct agg_fpool {
	size_t		  size;		/* bytes, a multiple of 8 */
	void		 *free;
	unsigned char	 *next, *end;	/* the newest slab's rest */
	size_t		  live;		/* handed out, not yet put back */
	void		**slab;
	size_t		  nslab;
	size_t		  slabcap;
};

/*
 * Distributions in sparse blocks: one sorted array of entries (see
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
 * A slot being changed: its fields, and its distributions either as
 * entries (dist 0) or in blocks (dist, tagged if one sparse block).
 */
struct agg_work {
	unsigned char	 f[AGG_FIELDS_MAX];	/* the fields, encoded */
	size_t		 flen;
	uint64_t	 mask;			/* theirs */
	uintptr_t	 dist;
	size_t		 nent;
	uint32_t	 ent[AGG_INLINE_MAX];
	unsigned int	 oldparts;	/* as decoded, for the pool's counts */
	size_t		 oldndist;	/* entries' distributions, as decoded */
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

/*
 * The fields of struct agg in the order a packed slot keeps them: those
 * added to older slots one at a time (repeat contacts, agent seconds)
 * first, so that such an add rewrites only the start of a slot; then the
 * call fields; then the blocks few slots have (surveys, QA).
 */
#define AGG_FU(f)	{ offsetof(struct agg, f), 0 }
#define AGG_FD(f)	{ offsetof(struct agg, f), 1 }
static const struct {
	uint16_t	off;
	uint16_t	f64;		/* a double, else a uint32_t */
} agg_field[AGG_NFIELD] = {
	AGG_FU(repeated), AGG_FD(busy), AGG_FD(ready),
	AGG_FU(offered), AGG_FU(answered), AGG_FU(abandoned),
	AGG_FU(short_abandoned), AGG_FU(timeouts), AGG_FU(answered_in_sl),
	AGG_FU(abandoned_in_sl), AGG_FU(transferred), AGG_FU(held),
	AGG_FU(fc_yes), AGG_FU(fc_n), AGG_FU(res_yes), AGG_FU(res_n),
	AGG_FU(revenue_n), AGG_FU(cust_n),
	AGG_FD(wait_answered), AGG_FD(wait_abandoned), AGG_FD(wait_all),
	AGG_FD(talk), AGG_FD(hold), AGG_FD(wrap), AGG_FD(revenue),
	AGG_FU(csat_pos), AGG_FU(csat_n), AGG_FU(nps_pro), AGG_FU(nps_det),
	AGG_FU(nps_n), AGG_FU(esat_pos), AGG_FU(esat_n), AGG_FD(csat_sum),
	AGG_FU(qa_n), AGG_FU(qa_crit_n[0]), AGG_FU(qa_crit_n[1]),
	AGG_FU(qa_crit_n[2]), AGG_FU(qa_crit_n[3]), AGG_FU(qa_crit_n[4]),
	AGG_FU(qa_crit_n[5]), AGG_FU(qa_crit_n[6]), AGG_FU(qa_crit_n[7]),
	AGG_FD(qa_sum), AGG_FD(qa_crit_sum[0]), AGG_FD(qa_crit_sum[1]),
	AGG_FD(qa_crit_sum[2]), AGG_FD(qa_crit_sum[3]),
	AGG_FD(qa_crit_sum[4]), AGG_FD(qa_crit_sum[5]),
	AGG_FD(qa_crit_sum[6]), AGG_FD(qa_crit_sum[7])
};

/* Sizes of packed slots, header included. */
static const uint16_t agg_slot_cls_size[AGG_NSLOTCLS] = {
	16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128,
	144, 160, 176, 192, 224, 256, 288, 320, 352, 384, 432, 480, 528,
	576
};

/*
 * Distributions in a slot still being written one event at a time (a
 * ring's current one) go dense once it has been offered AGG_HOT_CALLS
 * calls: a dense sketch adds in constant time, where a search through a
 * large sparse block waits on memory at every step.  When the ring moves
 * on, the slot is compacted back to the sparse form where that is
 * smaller.  Other slots take batches into sparse entries until the
 * largest class is full.  A ring set's accumulator (struct agg_acc),
 * which gathers many batches for a short time, goes dense at
 * AGG_GATHER_CALLS calls, since each batch would otherwise be merged
 * through all its entries.
 */
#define AGG_HOT_CALLS	64
#define AGG_GATHER_CALLS 128

struct sketch_pool {
	struct sketch	**free;		/* dense sketches ready for reuse */
	size_t		  nfree;
	size_t		  cap;
	struct sketch	**clean;	/* the same, known to be all zero */
	size_t		  nclean;
	size_t		  cleancap;
	size_t		  live;		/* dense, handed out */
	size_t		  sparse_dists;	/* distributions in sparse form */
	size_t		  surveys, qas, agents;	/* slots with such fields */
	uint8_t		  slotcls[AGG_SLOT_MAXLEN / 8 + 2]; /* by size / 8 */
	struct agg_fpool  slots[AGG_NSLOTCLS];
	struct agg_fpool  dists;
	struct agg_fpool  accs;
	struct agg_fpool  sparse[AGG_NCLASS];
};

/*
 * What a ring set gathers over a period once its stage has filled up:
 * counters and sums as they are, distributions in blocks (dense once it
 * has gathered AGG_GATHER_CALLS calls).
 */
struct agg_acc {
	struct agg	a;		/* dist[] unused */
	uintptr_t	dist;		/* 0, a tagged sparse block or agg_dists */
	unsigned int	parts;
};

/* agg_slot_add_dist(): entries of a decoded blob, a run at a time. */
struct agg_decode_ctx {
	struct sketch_pool	*pool;
	struct agg_work		*w;
	unsigned int		 d;
	size_t			 n;
	uint32_t		 run[128];
};

_Static_assert(SKETCH_NBUCKETS % 2 == 0, "agg_dist_compact() reads pairs");
_Static_assert(AGG_DIST_COUNT * SKETCH_SPARSE_CODES <=
    (1 << (32 - SKETCH_SPARSE_SHIFT)), "sparse codes do not fit");
_Static_assert(offsetof(struct agg, dist) == 32 * sizeof (uint32_t) +
    19 * sizeof (double) && AGG_NFIELD == 32 + 19,
    "agg_field[] out of date with struct agg");
_Static_assert(offsetof(struct agg, cust_n) == offsetof(struct agg, offered) +
    14 * 4 && offsetof(struct agg, revenue) == offsetof(struct agg,
    wait_answered) + 6 * 8, "agg_fields_put() reads runs of fields");
_Static_assert(AGG_SLOT_HDR == 12 && AGG_SLOT_HDR % 4 == 0,
    "entries follow the header 4-aligned");
_Static_assert(AGG_INLINE_MAX < AGG_SLOT_EXT, "nent does not fit");
_Static_assert(AGG_SLOT_MAXLEN <= 576, "the last slot class is too small");
_Static_assert(AGG_FIELDS_LEN <= AGG_FIELDS_MAX, "AGG_FIELDS_MAX too small");
_Static_assert(AGG_STAGE_ENT < SKETCH_SPARSE_NMAX, "stage counts overflow");
_Static_assert(SKETCH_SPARSE_SHIFT + 12 == 32, "agg_stage_sort() sorts 12 bits");

static void	*agg_fpool_get(struct agg_fpool *);
static void	 agg_fpool_put(struct agg_fpool *, void *);
static void	 agg_fpool_free(struct agg_fpool *);
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
static struct sketch *agg_dist_dense(struct sketch_pool *, uintptr_t *,
		    unsigned int);
static int	 agg_sparse_merge(struct sketch_pool *, struct agg_sparse **,
		    unsigned int, const uint32_t *, size_t);
static void	 agg_dist_merge(struct sketch_pool *, uintptr_t *,
		    unsigned int, const uint32_t *, size_t, int);
static void	 agg_dist_sum(struct agg *, uintptr_t, struct sketch_pool *);
static void	 agg_dist_compact(struct sketch_pool *, struct agg_work *);
static size_t	 agg_ents_ndist(const uint32_t *, size_t);
static size_t	 agg_dense_nent(const struct sketch *, int *);
static size_t	 agg_dense_entries(const struct sketch *, uint32_t,
		    uint32_t *);
static void	 agg_add_counts(struct agg *, const struct agg *);
static void	 agg_add_parts(struct agg *, const struct agg *,
		    unsigned int);
static void	 agg_contrib_call(const struct event *,
		    const struct agg_params *, struct contrib *);
static int	 agg_contrib_qa(const struct event *,
		    const struct agg_params *, struct contrib *);
static void	 agg_contrib_csat(const struct event *, struct agg *);
static const unsigned char *agg_varint_get(const unsigned char *,
		    uint64_t *);
static size_t	 agg_fields_put(unsigned char *, const struct agg *,
		    unsigned int *);
static void	 agg_fields_add(const unsigned char *, const unsigned char *,
		    struct agg *);
static size_t	 agg_f64_put(unsigned char *, double);
static double	 agg_f64_get(const unsigned char **);
static size_t	 agg_field_len(const unsigned char *, unsigned int);
static int	 agg_field_set(const unsigned char *, unsigned int);
static size_t	 agg_fields_merge(unsigned char *, const unsigned char *,
		    size_t, const unsigned char *, size_t, uint64_t *);
static uint32_t	 agg_fields_offered(const unsigned char *,
		    const unsigned char *);
static uint64_t	 agg_fields_mask(const unsigned char *,
		    const unsigned char *);
static unsigned int agg_mask_parts(uint64_t);
static void	 agg_work_add(struct agg_work *, const unsigned char *,
		    size_t);
static uint32_t	 agg_work_offered(const struct agg_work *);
static unsigned int agg_lowbit(uint64_t);
static unsigned int agg_slot_parts(const struct agg_slot *);
static const unsigned char *agg_slot_fields(const struct agg_slot *);
static void	 agg_slot_decode(const struct agg_slot *, struct agg_work *);
static void	 agg_slot_add_fields(struct agg_slot **, const unsigned char *,
		    size_t, struct sketch_pool *);
static void	 agg_slot_store(struct agg_slot **, struct agg_work *,
		    struct sketch_pool *);
static void	 agg_work_external(struct agg_work *, struct sketch_pool *);
static void	 agg_work_dist_add(struct agg_work *, unsigned int, int,
		    uint64_t, int, struct sketch_pool *);
static void	 agg_work_dist_merge(struct agg_work *, unsigned int,
		    const uint32_t *, size_t, int, struct sketch_pool *);
static void	 agg_work_merge_from(struct agg_work *, uintptr_t, int,
		    struct sketch_pool *);
static void	 agg_dist_add_cb(void *, int, uint64_t);

static void *
agg_fpool_get(struct agg_fpool *fp)
{
	void	*p;

	fp->live++;
	if ((p = fp->free) != NULL) {
		memcpy(&fp->free, p, sizeof fp->free);
		return (p);
	}
	if (fp->end - fp->next < (ptrdiff_t)fp->size) {
		if (fp->nslab == fp->slabcap) {
			fp->slabcap = fp->slabcap == 0 ? 16 : fp->slabcap * 2;
			fp->slab = xreallocarray(fp->slab, fp->slabcap,
			    sizeof *fp->slab);
		}
		fp->next = xmalloc(AGG_SLAB_BYTES);
		fp->end = fp->next + AGG_SLAB_BYTES;
		fp->slab[fp->nslab++] = fp->next;
	}
	p = fp->next;
	fp->next += fp->size;
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
	size_t			 i, c;

	pool = xcalloc(1, sizeof *pool);
	for (i = 0; i < AGG_NSLOTCLS; i++)
		pool->slots[i].size = agg_slot_cls_size[i];
	for (i = c = 0; i < sizeof pool->slotcls; i++) {
		while (c + 1 < AGG_NSLOTCLS && agg_slot_cls_size[c] < i * 8)
			c++;
		pool->slotcls[i] = (uint8_t)c;
	}
	pool->dists.size = sizeof (struct agg_dists);
	pool->accs.size = (sizeof (struct agg_acc) + 7) & ~(size_t)7;
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
	for (i = 0; i < AGG_NSLOTCLS; i++)
		agg_fpool_free(&pool->slots[i]);
	agg_fpool_free(&pool->dists);
	agg_fpool_free(&pool->accs);
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
	st->surveys = pool->surveys;
	st->qas = pool->qas;
	st->agents = pool->agents;
	st->bytes_live = pool->live * sizeof (struct sketch);
	st->bytes = (pool->live + pool->nfree + pool->nclean) *
	    sizeof (struct sketch);
	for (i = 0; i < AGG_NSLOTCLS + AGG_NCLASS + 2; i++) {
		if (i < AGG_NSLOTCLS) {
			fp = &pool->slots[i];
			st->slots += fp->live;
		} else if (i < AGG_NSLOTCLS + AGG_NCLASS) {
			fp = &pool->sparse[i - AGG_NSLOTCLS];
			st->sparse += fp->live;
		} else if (i == AGG_NSLOTCLS + AGG_NCLASS)
			fp = &pool->dists;
		else
			fp = &pool->accs;
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

/*
 * a += b, block by block (AGG_PART_*): the call fields every event has,
 * surveys, QA, agent seconds.
 */
static inline void
agg_add_call(struct agg *a, const struct agg *b)
{
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
	a->wait_answered += b->wait_answered;
	a->wait_abandoned += b->wait_abandoned;
	a->wait_all += b->wait_all;
	a->talk += b->talk;
	a->hold += b->hold;
	a->wrap += b->wrap;
	a->revenue += b->revenue;
}

static inline void
agg_add_survey(struct agg *a, const struct agg *b)
{
	a->csat_pos += b->csat_pos;
	a->csat_n += b->csat_n;
	a->nps_pro += b->nps_pro;
	a->nps_det += b->nps_det;
	a->nps_n += b->nps_n;
	a->esat_pos += b->esat_pos;
	a->esat_n += b->esat_n;
	a->csat_sum += b->csat_sum;
}

static inline void
agg_add_qa(struct agg *a, const struct agg *b)
{
	size_t	j;

	a->qa_n += b->qa_n;
	a->qa_sum += b->qa_sum;
	for (j = 0; j < AGG_QA_MAX; j++) {
		a->qa_crit_n[j] += b->qa_crit_n[j];
		a->qa_crit_sum[j] += b->qa_crit_sum[j];
	}
}

static inline void
agg_add_agent(struct agg *a, const struct agg *b)
{
	a->busy += b->busy;
	a->ready += b->ready;
}

/* Every counter and sum. */
static void
agg_add_counts(struct agg *a, const struct agg *b)
{
	agg_add_call(a, b);
	agg_add_survey(a, b);
	agg_add_qa(a, b);
	agg_add_agent(a, b);
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

/* a += b in the blocks parts names; the call fields always. */
static void
agg_add_parts(struct agg *a, const struct agg *b, unsigned int parts)
{
	agg_add_call(a, b);
	if (parts & AGG_PART_SURVEY)
		agg_add_survey(a, b);
	if (parts & AGG_PART_QA)
		agg_add_qa(a, b);
	if (parts & AGG_PART_AGENT)
		agg_add_agent(a, b);
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

/* The dense sketch of dist d at *dp, made from its sparse entries if new. */
static struct sketch *
agg_dist_dense(struct sketch_pool *pool, uintptr_t *dp, unsigned int d)
{
	struct agg_dists	*db;

	if (*dp == 0 || (*dp & AGG_SPARSE_TAG)) {
		db = agg_fpool_get(&pool->dists);
		memset(db, 0, sizeof *db);
		db->sp = (struct agg_sparse *)(*dp & ~AGG_SPARSE_TAG);
		*dp = (uintptr_t)db;
	} else
		db = (struct agg_dists *)*dp;
	if (db->dense[d] == NULL)
		db->dense[d] = agg_sparse_promote(pool, &db->sp, d);
	return (db->dense[d]);
}

/*
 * Merge the n sorted entries at run, all of dist d and of distinct codes,
 * into *spp in one pass, in place when its class has room; -1, changing
 * nothing, if the result would outgrow the last class or a count would
 * not fit.
 */
static int
agg_sparse_merge(struct sketch_pool *pool, struct agg_sparse **spp,
    unsigned int d, const uint32_t *run, size_t n)
{
	struct agg_sparse	*sp = *spp, *dst;
	size_t			 lo, hi, i, j, w, nnew, total, have;
	uint32_t		 a, b;
	unsigned int		 cls;

	lo = hi = have = 0;
	if (sp != NULL) {
		agg_sparse_range(sp, d, &lo, &hi);
		have = sp->n;
	}
	/* Count the codes that are new, and check the sums. */
	nnew = 0;
	for (i = lo, j = 0; j < n; j++) {
		if (j > 0 && SKETCH_SPARSE_CODE(run[j]) <=
		    SKETCH_SPARSE_CODE(run[j - 1]))
			return (-1);
		while (i < hi && SKETCH_SPARSE_CODE(sp->ent[i]) <
		    SKETCH_SPARSE_CODE(run[j]))
			i++;
		if (i < hi && SKETCH_SPARSE_CODE(sp->ent[i]) ==
		    SKETCH_SPARSE_CODE(run[j])) {
			if (SKETCH_SPARSE_COUNT(run[j]) > SKETCH_SPARSE_NMAX -
			    SKETCH_SPARSE_COUNT(sp->ent[i]))
				return (-1);
		} else
			nnew++;
	}
	total = have + nnew;
	if (total > agg_sparse_cap[AGG_NCLASS - 1])
		return (-1);
	if (hi == lo)
		pool->sparse_dists++;

	if (sp != NULL && total <= agg_sparse_cap[sp->cls]) {
		/* In place, from the end. */
		dst = sp;
		i = have;
		j = n;
		w = total;
		while (j > 0) {
			if (i > 0 && SKETCH_SPARSE_CODE(sp->ent[i - 1]) >
			    SKETCH_SPARSE_CODE(run[j - 1]))
				dst->ent[--w] = sp->ent[--i];
			else if (i > 0 && SKETCH_SPARSE_CODE(sp->ent[i - 1]) ==
			    SKETCH_SPARSE_CODE(run[j - 1])) {
				dst->ent[--w] = sp->ent[--i] +
				    SKETCH_SPARSE_COUNT(run[--j]);
			} else
				dst->ent[--w] = run[--j];
		}
		dst->n = (uint16_t)total;
		return (0);
	}

	for (cls = sp != NULL ? sp->cls : 0; agg_sparse_cap[cls] < total; cls++)
		;
	dst = agg_fpool_get(&pool->sparse[cls]);
	dst->cls = (uint16_t)cls;
	dst->n = (uint16_t)total;
	i = j = w = 0;
	while (i < have || j < n) {
		a = i < have ? SKETCH_SPARSE_CODE(sp->ent[i]) : UINT32_MAX;
		b = j < n ? SKETCH_SPARSE_CODE(run[j]) : UINT32_MAX;
		if (a < b)
			dst->ent[w++] = sp->ent[i++];
		else if (a > b)
			dst->ent[w++] = run[j++];
		else
			dst->ent[w++] = sp->ent[i++] +
			    SKETCH_SPARSE_COUNT(run[j++]);
	}
	if (sp != NULL)
		agg_fpool_put(&pool->sparse[sp->cls], sp);
	*spp = dst;
	return (0);
}

/*
 * Dist d of the slot's distributions at *dp += the n sorted entries at
 * run: into its dense sketch if it has one (or busy says it should),
 * else merged into the sparse entries, else one by one as
 * agg_dist_add() does, promoting what outgrows the sparse form.
 */
static void
agg_dist_merge(struct sketch_pool *pool, uintptr_t *dp, unsigned int d,
    const uint32_t *run, size_t n, int busy)
{
	struct agg_dists	*db = NULL;
	struct agg_sparse	*sp;
	struct sketch		*ds = NULL;
	uint32_t		 base = d * SKETCH_SPARSE_CODES;
	size_t			 j;

	if (*dp != 0 && (*dp & AGG_SPARSE_TAG) == 0) {
		db = (struct agg_dists *)*dp;
		ds = db->dense[d];
	}
	if (ds == NULL && busy)
		ds = agg_dist_dense(pool, dp, d);
	if (ds != NULL) {
		for (j = 0; j < n; j++) {
			agg_dense_add(ds, (int)(SKETCH_SPARSE_CODE(run[j]) -
			    base) - 1, SKETCH_SPARSE_COUNT(run[j]));
		}
		return;
	}
	if (db != NULL) {
		if (agg_sparse_merge(pool, &db->sp, d, run, n) == 0)
			return;
	} else {
		sp = (struct agg_sparse *)(*dp & ~AGG_SPARSE_TAG);
		if (agg_sparse_merge(pool, &sp, d, run, n) == 0) {
			*dp = (uintptr_t)sp | AGG_SPARSE_TAG;
			return;
		}
	}
	for (j = 0; j < n; j++) {
		agg_dist_add(pool, dp, d, (int)(SKETCH_SPARSE_CODE(run[j]) -
		    base) - 1, SKETCH_SPARSE_COUNT(run[j]), 0);
	}
}

/* a += the distributions at dist (blocks), dense sketches from pool. */
static void
agg_dist_sum(struct agg *a, uintptr_t dist, struct sketch_pool *pool)
{
	const struct agg_dists	*db;
	int			 d;

	if (dist == 0)
		return;
	if (dist & AGG_SPARSE_TAG) {
		agg_sparse_sum(a, (const struct agg_sparse *)(dist &
		    ~AGG_SPARSE_TAG), pool);
		return;
	}
	db = (const struct agg_dists *)dist;
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

/* How many distributions n sorted entries hold. */
static size_t
agg_ents_ndist(const uint32_t *ent, size_t n)
{
	size_t		i, nd = 0;
	uint32_t	d, last = UINT32_MAX;

	for (i = 0; i < n; i++) {
		d = SKETCH_SPARSE_CODE(ent[i]) / SKETCH_SPARSE_CODES;
		if (d != last) {
			nd++;
			last = d;
		}
	}
	return (nd);
}

/* Entries a dense sketch makes; *big is set if a count is too large. */
static size_t
agg_dense_nent(const struct sketch *ds, int *big)
{
	size_t		j, n;
	uint64_t	pair;

	n = ds->zero != 0;
	*big = ds->zero > SKETCH_SPARSE_NMAX;
	/* Skip pairs of empty buckets in one test. */
	for (j = 0; j < SKETCH_NBUCKETS; j += 2) {
		memcpy(&pair, &ds->bucket[j], sizeof pair);
		if (pair == 0)
			continue;
		n += (ds->bucket[j] != 0) + (ds->bucket[j + 1] != 0);
		if (ds->bucket[j] > SKETCH_SPARSE_NMAX ||
		    ds->bucket[j + 1] > SKETCH_SPARSE_NMAX)
			*big = 1;
	}
	return (n);
}

/* Append ds's entries, for dist base, to ent; returns how many. */
static size_t
agg_dense_entries(const struct sketch *ds, uint32_t base, uint32_t *ent)
{
	size_t		j, e, n = 0;
	uint64_t	pair;

	if (ds->zero != 0)
		ent[n++] = base << SKETCH_SPARSE_SHIFT | (uint32_t)ds->zero;
	for (j = 0; j < SKETCH_NBUCKETS; j += 2) {
		memcpy(&pair, &ds->bucket[j], sizeof pair);
		if (pair == 0)
			continue;
		for (e = j; e < j + 2; e++) {
			if (ds->bucket[e] != 0)
				ent[n++] = (base + 1 + (uint32_t)e) <<
				    SKETCH_SPARSE_SHIFT | ds->bucket[e];
		}
	}
	return (n);
}

/*
 * The slot has gone past being current: make its distributions sparse
 * again where that is smaller, as entries in the slot if they are few
 * enough, else in one block of the smallest class.  If they are too many
 * for the largest class, the distributions with most entries stay dense.
 */
static void
agg_dist_compact(struct sketch_pool *pool, struct agg_work *w)
{
	uint32_t		 ent[AGG_DIST_COUNT * SKETCH_SPARSE_CODES];
	struct agg_dists	*db;
	struct agg_sparse	*sp;
	struct sketch		*ds;
	size_t			 cnt[AGG_DIST_COUNT], n, lo, hi, j, most;
	uint32_t		 base;
	unsigned int		 d, e, cls, ndist;
	int			 keep[AGG_DIST_COUNT], big, changed;

	if (w->dist == 0)
		return;
	if (w->dist & AGG_SPARSE_TAG) {
		/* A small block: its entries go back into the slot. */
		sp = (struct agg_sparse *)(w->dist & ~AGG_SPARSE_TAG);
		if (sp->n > AGG_INLINE_MAX)
			return;
		memcpy(w->ent, sp->ent, sp->n * sizeof *sp->ent);
		w->nent = sp->n;
		agg_sparse_put(pool, sp);
		w->dist = 0;
		return;
	}
	db = (struct agg_dists *)w->dist;

	/* Which dense sketches stay: too large a count, or too many. */
	n = 0;
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		keep[d] = 0;
		if ((ds = db->dense[d]) != NULL) {
			cnt[d] = agg_dense_nent(ds, &big);
			keep[d] = big;
		} else if (db->sp != NULL) {
			agg_sparse_range(db->sp, d, &lo, &hi);
			cnt[d] = hi - lo;
		} else
			cnt[d] = 0;
		if (!keep[d])
			n += cnt[d];
	}
	while (n > agg_sparse_cap[AGG_NCLASS - 1]) {
		most = 0;
		e = AGG_DIST_COUNT;
		for (d = 0; d < AGG_DIST_COUNT; d++) {
			if (db->dense[d] != NULL && !keep[d] &&
			    cnt[d] >= most) {
				most = cnt[d];
				e = d;
			}
		}
		if (e == AGG_DIST_COUNT)
			return;		/* sparse ones alone are too many */
		keep[e] = 1;
		n -= cnt[e];
	}
	changed = 0;
	for (d = 0; d < AGG_DIST_COUNT; d++)
		changed |= db->dense[d] != NULL && !keep[d];
	if (!changed)
		return;

	/* The entries of the others, in order, into ent. */
	n = 0;
	ndist = 0;
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		base = d * SKETCH_SPARSE_CODES;
		if (keep[d])
			continue;
		if ((ds = db->dense[d]) != NULL) {
			n += agg_dense_entries(ds, base, &ent[n]);
			ndist += ds->count != 0;
		} else if (db->sp != NULL) {
			agg_sparse_range(db->sp, d, &lo, &hi);
			memcpy(&ent[n], &db->sp->ent[lo],
			    (hi - lo) * sizeof *ent);
			n += hi - lo;
		}
	}

	/*
	 * Give the dense sketches back zeroed, which only takes the buckets
	 * just read, so that the next slot to go dense need not clear 4 KiB.
	 */
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if ((ds = db->dense[d]) == NULL || keep[d])
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
		db->dense[d] = NULL;
	}
	/* The dense ones' entries are new sparse distributions. */
	pool->sparse_dists += ndist;
	if (db->sp != NULL) {
		agg_fpool_put(&pool->sparse[db->sp->cls], db->sp);
		db->sp = NULL;
	}
	for (d = 0; d < AGG_DIST_COUNT && !keep[d]; d++)
		;
	if (d == AGG_DIST_COUNT) {
		/* No dense one left: entries alone. */
		agg_fpool_put(&pool->dists, db);
		w->dist = 0;
		pool->sparse_dists -= agg_ents_ndist(ent, n);
		if (n <= AGG_INLINE_MAX) {
			memcpy(w->ent, ent, n * sizeof *ent);
			w->nent = n;
			return;
		}
		pool->sparse_dists += agg_ents_ndist(ent, n);
	}
	if (n == 0)
		return;
	for (cls = 0; agg_sparse_cap[cls] < n; cls++)
		;
	sp = agg_fpool_get(&pool->sparse[cls]);
	sp->n = (uint16_t)n;
	sp->cls = (uint16_t)cls;
	memcpy(sp->ent, ent, n * sizeof *ent);
	if (w->dist == 0)
		w->dist = (uintptr_t)sp | AGG_SPARSE_TAG;
	else
		db->sp = sp;
}

/* Slots are written here only: no bound checks but the varint's size. */
static const unsigned char *
agg_varint_get(const unsigned char *p, uint64_t *v)
{
	uint64_t	x;
	int		i;

	if (p[0] < 0x80) {
		*v = p[0];
		return (p + 1);
	}
	x = p[0] & 0x7f;
	for (i = 1; i < AGG_VARINT_MAX; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0)
			break;
	}
	*v = x;
	return (p + i + 1);
}

/* The lowest bit set in m, m not 0. */
static unsigned int
agg_lowbit(uint64_t m)
{
#if defined(__GNUC__)
	return ((unsigned int)__builtin_ctzll(m));
#else
	unsigned int	i;

	for (i = 0; (m & 1) == 0; i++)
		m >>= 1;
	return (i);
#endif
}

/* Is field i of a not zero?  A double by its bits, -0 as 0. */
static int
agg_field_set(const unsigned char *a, unsigned int i)
{
	uint64_t	bits;
	uint32_t	v;

	if (agg_field[i].f64) {
		memcpy(&bits, a + agg_field[i].off, sizeof bits);
		return ((bits << 1) != 0);
	}
	memcpy(&v, a + agg_field[i].off, sizeof v);
	return (v != 0);
}

/*
 * The non-zero fields of a into p: a mask of them (agg_field[] order),
 * then each, in order, a count as a varint, a sum as agg_f64_put()
 * writes it.  *parts gets the AGG_PART_* they make.  Returns the bytes
 * written.
 */
static size_t
agg_fields_put(unsigned char *p, const struct agg *a, unsigned int *parts)
{
	const unsigned char	*u = (const unsigned char *)a;
	uint64_t		 mask = 0, bits;
	uint32_t		 v;
	double			 x;
	size_t			 n;
	unsigned int		 i;

	/*
	 * The call fields one by one (offered to cust_n, and wait_answered
	 * to revenue, are contiguous), the rarer blocks only if any is set.
	 */
	for (i = 0; i < 3; i++)
		mask |= (uint64_t)agg_field_set(u, i) << i;
	for (i = 0; i < 15; i++) {
		memcpy(&v, u + offsetof(struct agg, offered) + i * 4, sizeof v);
		mask |= (uint64_t)(v != 0) << (3 + i);
	}
	for (i = 0; i < 7; i++) {
		memcpy(&bits, u + offsetof(struct agg, wait_answered) + i * 8,
		    sizeof bits);
		mask |= (uint64_t)((bits << 1) != 0) << (18 + i);
	}
	*parts = agg_parts(a);
	for (i = 25; i < 33 && (*parts & AGG_PART_SURVEY); i++)
		mask |= (uint64_t)agg_field_set(u, i) << i;
	for (i = 33; i < AGG_NFIELD && (*parts & AGG_PART_QA); i++)
		mask |= (uint64_t)agg_field_set(u, i) << i;
	if (mask == 0)
		return (0);
	n = varint_put(p, mask);
	for (; mask != 0; mask &= mask - 1) {
		i = agg_lowbit(mask);
		if (agg_field[i].f64) {
			memcpy(&x, u + agg_field[i].off, sizeof x);
			n += agg_f64_put(p + n, x);
		} else {
			memcpy(&v, u + agg_field[i].off, sizeof v);
			n += varint_put(p + n, v);
		}
	}
	return (n);
}

/*
 * One double: in whole milliseconds (ms << 2 | AGG_F64_MS) when it is
 * that exactly, or that and a byte of how many units in the last place
 * it is off (AGG_F64_ULP), else AGG_F64_RAW and its 8 bytes.
 */
static size_t
agg_f64_put(unsigned char *p, double x)
{
	uint64_t	bits, ybits, ms;
	double		y;
	size_t		n = 0;
	int		j;

	memcpy(&bits, &x, sizeof bits);
	if (x > 0 && x < 1e12) {
		ms = (uint64_t)(x * 1000.0 + 0.5);
		y = (double)ms / 1000.0;
		memcpy(&ybits, &y, sizeof ybits);
		if (ybits == bits)
			return (varint_put(p, ms << 2 | AGG_F64_MS));
		if (bits - ybits + 64 < 128) {		/* within 64 ulps */
			n = varint_put(p, ms << 2 | AGG_F64_ULP);
			p[n++] = (unsigned char)(bits - ybits + 64);
			return (n);
		}
	}
	p[n++] = AGG_F64_RAW;
	for (j = 0; j < 8; j++)
		p[n++] = (unsigned char)(bits >> (8 * j));
	return (n);
}

/* The double encoded at *pp, which moves past it. */
static double
agg_f64_get(const unsigned char **pp)
{
	const unsigned char	*p = *pp;
	uint64_t		 v, bits;
	double			 y;
	int			 j;

	if (*p == AGG_F64_RAW) {
		bits = 0;
		for (j = 0; j < 8; j++)
			bits |= (uint64_t)p[1 + j] << (8 * j);
		memcpy(&y, &bits, sizeof y);
		*pp = p + 9;
		return (y);
	}
	p = agg_varint_get(p, &v);
	y = (double)(v >> 2) / 1000.0;
	if ((v & 3) == AGG_F64_ULP) {
		memcpy(&bits, &y, sizeof bits);
		bits = bits + *p++ - 64;
		memcpy(&y, &bits, sizeof y);
	}
	*pp = p;
	return (y);
}

/* Bytes of field i encoded at p. */
static size_t
agg_field_len(const unsigned char *p, unsigned int i)
{
	size_t	n = 0;

	if (agg_field[i].f64 && *p == AGG_F64_RAW)
		return (9);
	while (p[n] & 0x80)
		n++;
	n++;
	if (agg_field[i].f64 && (p[0] & 3) == AGG_F64_ULP)
		n++;
	return (n);
}

/*
 * out = the sum of the fields encoded in a (alen bytes) and in b (a is a
 * slot, b what is added to it, usually a few fields): a's fields up to
 * b's first, and from b's last on, are copied as they are.  Returns
 * out's length; *mask gets its mask.
 */
static size_t
agg_fields_merge(unsigned char *out, const unsigned char *a, size_t alen,
    const unsigned char *b, size_t blen, uint64_t *mask)
{
	const unsigned char	*ea = a + alen, *eb = b + blen, *run;
	uint64_t		 ma = 0, mb = 0, m, va, vb;
	size_t			 n, k;
	unsigned int		 i;

	if (a != ea)
		a = agg_varint_get(a, &ma);
	if (b != eb)
		b = agg_varint_get(b, &mb);
	*mask = ma | mb;
	if (*mask == 0)
		return (0);
	n = varint_put(out, *mask);
	run = a;
	for (m = *mask; m != 0 && mb != 0; m &= m - 1) {
		i = agg_lowbit(m);
		if ((mb & (UINT64_C(1) << i)) == 0) {
			a += agg_field_len(a, i);		/* in the run */
			continue;
		}
		mb &= mb - 1;
		memcpy(out + n, run, (size_t)(a - run));
		n += (size_t)(a - run);
		if ((ma & (UINT64_C(1) << i)) == 0) {
			k = agg_field_len(b, i);
			memcpy(out + n, b, k);
			b += k;
			n += k;
		} else if (agg_field[i].f64)
			n += agg_f64_put(out + n, agg_f64_get(&a) +
			    agg_f64_get(&b));
		else {
			a = agg_varint_get(a, &va);
			b = agg_varint_get(b, &vb);
			n += varint_put(out + n, (uint32_t)(va + vb));
		}
		run = a;
	}
	memcpy(out + n, run, (size_t)(ea - run));
	return (n + (size_t)(ea - run));
}

/* The offered count of the fields encoded in [p, end). */
static uint32_t
agg_fields_offered(const unsigned char *p, const unsigned char *end)
{
	uint64_t	mask, v;
	unsigned int	i;

	if (p == end)
		return (0);
	p = agg_varint_get(p, &mask);
	if ((mask & AGG_M_OFFERED) == 0)
		return (0);
	/* The fields before it: repeated, busy, ready. */
	for (i = 0; (UINT64_C(1) << i) < AGG_M_OFFERED; i++) {
		if (mask & (UINT64_C(1) << i))
			p += agg_field_len(p, i);
	}
	(void)agg_varint_get(p, &v);
	return ((uint32_t)v);
}

/* The AGG_PART_* fields of this mask make. */
static unsigned int
agg_mask_parts(uint64_t mask)
{
	unsigned int	 parts = 0;

	if (mask & AGG_M_SURVEY)
		parts |= AGG_PART_SURVEY;
	if (mask & AGG_M_QA)
		parts |= AGG_PART_QA;
	if (mask & AGG_M_AGENT)
		parts |= AGG_PART_AGENT;
	return (parts);
}

/* The mask of the fields encoded in [p, end). */
static uint64_t
agg_fields_mask(const unsigned char *p, const unsigned char *end)
{
	uint64_t	mask = 0;

	if (p != end)
		(void)agg_varint_get(p, &mask);
	return (mask);
}

/* a += the fields encoded in [p, end). */
static void
agg_fields_add(const unsigned char *p, const unsigned char *end,
    struct agg *a)
{
	unsigned char	*u = (unsigned char *)a;
	uint64_t	 mask, v;
	uint32_t	 x32;
	double		 x;
	unsigned int	 i;

	if (p == end)
		return;
	p = agg_varint_get(p, &mask);
	for (; mask != 0; mask &= mask - 1) {
		i = agg_lowbit(mask);
		if (agg_field[i].f64) {
			memcpy(&x, u + agg_field[i].off, sizeof x);
			x += agg_f64_get(&p);
			memcpy(u + agg_field[i].off, &x, sizeof x);
		} else {
			if (*p < 0x80)
				v = *p++;
			else
				p = agg_varint_get(p, &v);
			memcpy(&x32, u + agg_field[i].off, sizeof x32);
			x32 += (uint32_t)v;
			memcpy(u + agg_field[i].off, &x32, sizeof x32);
		}
	}
}

static const unsigned char *
agg_slot_fields(const struct agg_slot *s)
{
	if (s->nent == AGG_SLOT_EXT)
		return (s->data + sizeof (uintptr_t));
	return (s->data + s->nent * sizeof (uint32_t));
}

/* The AGG_PART_* of the fields s holds, from its masks. */
static unsigned int
agg_slot_parts(const struct agg_slot *s)
{
	return (agg_mask_parts(agg_fields_mask(agg_slot_fields(s),
	    s->data + s->len)));
}

static void
agg_slot_decode(const struct agg_slot *s, struct agg_work *w)
{
	const unsigned char	*f = agg_slot_fields(s);

	w->dist = 0;
	w->nent = 0;
	if (s->nent == AGG_SLOT_EXT)
		memcpy(&w->dist, s->data, sizeof w->dist);
	else {
		w->nent = s->nent;
		memcpy(w->ent, s->data, w->nent * sizeof *w->ent);
	}
	w->flen = (size_t)(s->data + s->len - f);
	memcpy(w->f, f, w->flen);
	w->mask = agg_fields_mask(w->f, w->f + w->flen);
	w->oldparts = agg_mask_parts(w->mask);
	w->oldndist = agg_ents_ndist(w->ent, w->nent);
}

/* w's fields += those encoded in [p, p + len). */
static void
agg_work_add(struct agg_work *w, const unsigned char *p, size_t len)
{
	unsigned char	buf[AGG_FIELDS_MAX];

	if (len == 0)
		return;
	w->flen = agg_fields_merge(buf, w->f, w->flen, p, len, &w->mask);
	memcpy(w->f, buf, w->flen);
}

static uint32_t
agg_work_offered(const struct agg_work *w)
{
	return (agg_fields_offered(w->f, w->f + w->flen));
}

/*
 * Encode w into *sp, into a block of the size class it needs (*sp moves
 * if that changed), and count what changed in the pool.
 */
static void
agg_slot_store(struct agg_slot **sp, struct agg_work *w,
    struct sketch_pool *pool)
{
	struct agg_slot	*s = *sp, *ns;
	size_t		 head, len;
	unsigned int	 parts, cls;

	parts = agg_mask_parts(w->mask);
	head = w->dist != 0 ? sizeof w->dist : w->nent * sizeof *w->ent;
	len = head + w->flen;
	cls = pool->slotcls[(AGG_SLOT_HDR + len + 7) / 8];
	if (s->cls != cls) {
		ns = agg_fpool_get(&pool->slots[cls]);
		ns->key = s->key;
		ns->cls = (uint8_t)cls;
		agg_fpool_put(&pool->slots[s->cls], s);
		s = *sp = ns;
	}
	s->len = (uint16_t)len;
	if (w->dist != 0) {
		s->nent = AGG_SLOT_EXT;
		memcpy(s->data, &w->dist, sizeof w->dist);
	} else {
		s->nent = (uint8_t)w->nent;
		memcpy(s->data, w->ent, head);
	}
	memcpy(s->data + head, w->f, w->flen);

	pool->sparse_dists += agg_ents_ndist(w->ent, w->dist != 0 ? 0 :
	    w->nent);
	pool->sparse_dists -= w->oldndist;
	pool->surveys += ((parts & AGG_PART_SURVEY) != 0) -
	    ((w->oldparts & AGG_PART_SURVEY) != 0);
	pool->qas += ((parts & AGG_PART_QA) != 0) -
	    ((w->oldparts & AGG_PART_QA) != 0);
	pool->agents += ((parts & AGG_PART_AGENT) != 0) -
	    ((w->oldparts & AGG_PART_AGENT) != 0);
}

/*
 * *sp's fields += those encoded in [p, p + len), the rest of the slot
 * as it is.
 */
static void
agg_slot_add_fields(struct agg_slot **sp, const unsigned char *p, size_t len,
    struct sketch_pool *pool)
{
	unsigned char		 buf[AGG_FIELDS_MAX];
	struct agg_slot		*s = *sp, *ns;
	const unsigned char	*f = agg_slot_fields(s);
	size_t			 head, n;
	uint64_t		 mask, old;
	unsigned int		 cls, parts, oldparts;

	head = (size_t)(f - s->data);
	old = agg_fields_mask(f, s->data + s->len);
	n = agg_fields_merge(buf, f, s->len - head, p, len, &mask);
	cls = pool->slotcls[(AGG_SLOT_HDR + head + n + 7) / 8];
	if (s->cls != cls) {
		ns = agg_fpool_get(&pool->slots[cls]);
		memcpy(ns, s, AGG_SLOT_HDR + head);
		ns->cls = (uint8_t)cls;
		agg_fpool_put(&pool->slots[s->cls], s);
		s = *sp = ns;
	}
	memcpy(s->data + head, buf, n);
	s->len = (uint16_t)(head + n);
	parts = agg_mask_parts(mask);
	oldparts = agg_mask_parts(old);
	pool->surveys += ((parts & AGG_PART_SURVEY) != 0) -
	    ((oldparts & AGG_PART_SURVEY) != 0);
	pool->qas += ((parts & AGG_PART_QA) != 0) -
	    ((oldparts & AGG_PART_QA) != 0);
	pool->agents += ((parts & AGG_PART_AGENT) != 0) -
	    ((oldparts & AGG_PART_AGENT) != 0);
}

/* The entries move to a sparse block of their own. */
static void
agg_work_external(struct agg_work *w, struct sketch_pool *pool)
{
	struct agg_sparse	*sp;
	unsigned int		 cls;

	if (w->dist != 0 || w->nent == 0)
		return;
	for (cls = 0; agg_sparse_cap[cls] < w->nent; cls++)
		;
	sp = agg_fpool_get(&pool->sparse[cls]);
	sp->n = (uint16_t)w->nent;
	sp->cls = (uint16_t)cls;
	memcpy(sp->ent, w->ent, w->nent * sizeof *w->ent);
	pool->sparse_dists += agg_ents_ndist(w->ent, w->nent);
	w->nent = 0;
	w->dist = (uintptr_t)sp | AGG_SPARSE_TAG;
}

/*
 * Count n values of bucket i in dist d: in the slot's entries while they
 * have room and it is not busy, else in blocks (agg_dist_add()).
 */
static void
agg_work_dist_add(struct agg_work *w, unsigned int d, int i, uint64_t n,
    int busy, struct sketch_pool *pool)
{
	uint32_t	code;
	size_t		lo;

	if (n == 0)
		return;
	if (i < 0)
		i = SKETCH_ZERO;
	else if (i > SKETCH_NBUCKETS - 1)
		i = SKETCH_NBUCKETS - 1;
	if (w->dist == 0 && !busy && n <= SKETCH_SPARSE_NMAX) {
		code = d * SKETCH_SPARSE_CODES + (uint32_t)(i + 1);
		lo = agg_lb(w->ent, w->nent, code << SKETCH_SPARSE_SHIFT);
		if (lo < w->nent && SKETCH_SPARSE_CODE(w->ent[lo]) == code) {
			if (n <= SKETCH_SPARSE_NMAX -
			    SKETCH_SPARSE_COUNT(w->ent[lo])) {
				w->ent[lo] += (uint32_t)n;
				return;
			}
		} else if (w->nent < AGG_INLINE_MAX) {
			memmove(&w->ent[lo + 1], &w->ent[lo],
			    (w->nent - lo) * sizeof *w->ent);
			w->ent[lo] = code << SKETCH_SPARSE_SHIFT | (uint32_t)n;
			w->nent++;
			return;
		}
	}
	agg_work_external(w, pool);
	agg_dist_add(pool, &w->dist, d, i, n, busy);
}

/*
 * Dist d += the n sorted entries of distinct codes at run: merged into
 * the slot's entries if the result fits, else into blocks.
 */
static void
agg_work_dist_merge(struct agg_work *w, unsigned int d, const uint32_t *run,
    size_t n, int busy, struct sketch_pool *pool)
{
	uint32_t	out[AGG_INLINE_MAX], a, b;
	size_t		i, j, k;

	if (n == 0)
		return;
	if (w->dist == 0 && !busy) {
		i = j = k = 0;
		while (i < w->nent || j < n) {
			a = i < w->nent ? SKETCH_SPARSE_CODE(w->ent[i]) :
			    UINT32_MAX;
			b = j < n ? SKETCH_SPARSE_CODE(run[j]) : UINT32_MAX;
			if (k == AGG_INLINE_MAX || (j > 0 && j < n &&
			    b <= SKETCH_SPARSE_CODE(run[j - 1])))
				break;
			if (a < b)
				out[k++] = w->ent[i++];
			else if (a > b)
				out[k++] = run[j++];
			else if (SKETCH_SPARSE_COUNT(run[j]) <=
			    SKETCH_SPARSE_NMAX - SKETCH_SPARSE_COUNT(w->ent[i]))
				out[k++] = w->ent[i++] +
				    SKETCH_SPARSE_COUNT(run[j++]);
			else
				break;
		}
		if (i == w->nent && j == n) {
			memcpy(w->ent, out, k * sizeof *out);
			w->nent = k;
			return;
		}
	}
	agg_work_external(w, pool);
	agg_dist_merge(pool, &w->dist, d, run, n, busy);
}

/*
 * w's distributions += those in the blocks at dist: entries merged as
 * runs; dense sketches into dense sketches if w has (or busy says it
 * should have) them, else read a run of buckets at a time.
 */
static void
agg_work_merge_from(struct agg_work *w, uintptr_t dist, int busy,
    struct sketch_pool *pool)
{
	const struct agg_dists	*sdb = NULL;
	const struct agg_sparse	*sp = NULL;
	const struct sketch	*ss;
	const uint32_t		*ent;
	struct agg_dists	*db;
	uint32_t		 run[128], base;
	size_t			 nent, lo, hi, n, j;
	unsigned int		 d;

	if (dist & AGG_SPARSE_TAG)
		sp = (const struct agg_sparse *)(dist & ~AGG_SPARSE_TAG);
	else if (dist != 0) {
		sdb = (const struct agg_dists *)dist;
		sp = sdb->sp;
	}
	ent = sp != NULL ? sp->ent : NULL;
	nent = sp != NULL ? sp->n : 0;
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if (sdb == NULL || (ss = sdb->dense[d]) == NULL ||
		    ss->count == 0) {
			agg_sparse_range_of(ent, nent, d, &lo, &hi);
			agg_work_dist_merge(w, d, ent + lo, hi - lo, busy,
			    pool);
			continue;
		}
		db = (w->dist != 0 && (w->dist & AGG_SPARSE_TAG) == 0) ?
		    (struct agg_dists *)w->dist : NULL;
		if (busy || (db != NULL && db->dense[d] != NULL) ||
		    ss->zero > SKETCH_SPARSE_NMAX) {
			agg_work_external(w, pool);
			sketch_merge(agg_dist_dense(pool, &w->dist, d), ss);
			continue;
		}
		/* Runs of the dense sketch's buckets, in order. */
		base = d * SKETCH_SPARSE_CODES;
		n = 0;
		if (ss->zero != 0)
			run[n++] = base << SKETCH_SPARSE_SHIFT |
			    (uint32_t)ss->zero;
		for (j = 0; j < SKETCH_NBUCKETS; j++) {
			if (ss->bucket[j] == 0)
				continue;
			if (ss->bucket[j] > SKETCH_SPARSE_NMAX) {
				agg_work_dist_merge(w, d, run, n, 0, pool);
				n = 0;
				agg_work_dist_add(w, d, (int)j, ss->bucket[j],
				    0, pool);
				continue;
			}
			run[n++] = (base + 1 + (uint32_t)j) <<
			    SKETCH_SPARSE_SHIFT | ss->bucket[j];
			if (n == sizeof run / sizeof run[0]) {
				agg_work_dist_merge(w, d, run, n, 0, pool);
				n = 0;
			}
		}
		agg_work_dist_merge(w, d, run, n, 0, pool);
	}
}

static void
agg_dist_add_cb(void *arg, int i, uint64_t n)
{
	struct agg_decode_ctx	*ctx = arg;
	uint32_t		 code;

	if (i < 0)
		i = SKETCH_ZERO;
	code = ctx->d * SKETCH_SPARSE_CODES + (uint32_t)(i + 1);
	if (n > SKETCH_SPARSE_NMAX) {
		agg_work_dist_add(ctx->w, ctx->d, i, n, 0, ctx->pool);
		return;
	}
	ctx->run[ctx->n++] = code << SKETCH_SPARSE_SHIFT | (uint32_t)n;
	if (ctx->n == sizeof ctx->run / sizeof ctx->run[0]) {
		agg_work_dist_merge(ctx->w, ctx->d, ctx->run, ctx->n, 0,
		    ctx->pool);
		ctx->n = 0;
	}
}

struct agg_slot *
agg_slot_get(struct sketch_pool *pool)
{
	struct agg_slot	*s;
	unsigned int	 cls = pool->slotcls[(AGG_SLOT_HDR + 7) / 8];

	s = agg_fpool_get(&pool->slots[cls]);
	s->key = 0;
	s->len = 0;
	s->cls = (uint8_t)cls;
	s->nent = 0;
	return (s);
}

void
agg_slot_put(struct sketch_pool *pool, struct agg_slot *s)
{
	unsigned int	parts;
	uintptr_t	dist;

	if (s == NULL)
		return;
	if (s->nent == AGG_SLOT_EXT) {
		memcpy(&dist, s->data, sizeof dist);
		agg_dist_put(pool, dist);
	} else
		pool->sparse_dists -= agg_ents_ndist((const uint32_t *)
		    (const void *)s->data, s->nent);
	parts = agg_slot_parts(s);
	pool->surveys -= (parts & AGG_PART_SURVEY) != 0;
	pool->qas -= (parts & AGG_PART_QA) != 0;
	pool->agents -= (parts & AGG_PART_AGENT) != 0;
	agg_fpool_put(&pool->slots[s->cls], s);
}

void
agg_slot_apply(struct agg_slot **sp, const struct contrib *c, int current,
    struct sketch_pool *pool)
{
	struct agg_delta	d;

	agg_delta_init(&d, c);
	agg_slot_apply_delta(sp, &d, current, pool);
}

void
agg_delta_init(struct agg_delta *d, const struct contrib *c)
{
	unsigned int	parts;

	d->c = c;
	d->flen = agg_fields_put(d->f, &c->delta, &parts);
}

void
agg_slot_apply_delta(struct agg_slot **sp, const struct agg_delta *dl,
    int current, struct sketch_pool *pool)
{
	const struct contrib	*c = dl->c;
	struct agg_work		 w;
	struct agg_dists	*db;
	int			 d, i, busy;

	for (d = 0; d < AGG_DIST_COUNT && c->dist_n[d] <= 0; d++)
		;
	if (d == AGG_DIST_COUNT) {
		/* Counters only, such as a repeat contact: the fields alone. */
		agg_slot_add_fields(sp, dl->f, dl->flen, pool);
		return;
	}
	agg_slot_decode(*sp, &w);
	agg_work_add(&w, dl->f, dl->flen);
	busy = current && agg_work_offered(&w) >= AGG_HOT_CALLS;
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if (c->dist_n[d] <= 0)
			continue;
		/* The busy slot's way, a dense sketch, first. */
		i = c->dist_idx[d];
		if (w.dist != 0 && (w.dist & AGG_SPARSE_TAG) == 0 &&
		    (db = (struct agg_dists *)w.dist)->dense[d] != NULL &&
		    i >= SKETCH_ZERO && i < SKETCH_NBUCKETS) {
			agg_dense_add(db->dense[d], i, (uint64_t)c->dist_n[d]);
			continue;
		}
		agg_work_dist_add(&w, (unsigned int)d, i,
		    (uint64_t)c->dist_n[d], busy, pool);
	}
	agg_slot_store(sp, &w, pool);
}

void
agg_slot_add(struct agg_slot **sp, const struct agg *a,
    struct sketch_pool *pool)
{
	unsigned char	buf[AGG_FIELDS_MAX];
	unsigned int	parts;

	agg_slot_add_fields(sp, buf, agg_fields_put(buf, a, &parts), pool);
}

int
agg_slot_add_dist(struct agg_slot **sp, enum agg_dist d,
    const unsigned char *buf, size_t len, struct sketch_pool *pool)
{
	const unsigned char	*blob[AGG_DIST_COUNT] = { NULL, NULL, NULL };
	size_t			 blen[AGG_DIST_COUNT] = { 0, 0, 0 };

	if ((unsigned int)d >= AGG_DIST_COUNT || buf == NULL || len == 0)
		return (-1);
	blob[d] = buf;
	blen[d] = len;
	return (agg_slot_load(sp, NULL, blob, blen, pool));
}

/* One decode and one store for a whole record of a restored ring. */
int
agg_slot_load(struct agg_slot **sp, const struct agg *a,
    const unsigned char *const *blob, const size_t *blen,
    struct sketch_pool *pool)
{
	unsigned char		buf[AGG_FIELDS_MAX];
	struct agg_decode_ctx	ctx;
	struct agg_work		w;
	unsigned int		d, parts;

	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if (blen[d] != 0 && sketch_decode_each(blob[d], blen[d], NULL,
		    NULL, NULL) != blen[d])
			return (-1);
	}
	agg_slot_decode(*sp, &w);
	if (a != NULL)
		agg_work_add(&w, buf, agg_fields_put(buf, a, &parts));
	ctx.pool = pool;
	ctx.w = &w;
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		if (blen[d] == 0)
			continue;
		ctx.d = d;
		ctx.n = 0;
		(void)sketch_decode_checked(blob[d], blen[d],
		    agg_dist_add_cb, &ctx);
		agg_work_dist_merge(&w, d, ctx.run, ctx.n, 0, pool);
	}
	agg_slot_store(sp, &w, pool);
	return (0);
}

void
agg_slot_sum(struct agg *a, const struct agg_slot *s, struct sketch_pool *pool)
{
	const uint32_t	*ent = (const uint32_t *)(const void *)s->data;
	uintptr_t	 dist;
	size_t		 lo, hi;
	unsigned int	 d;

	agg_fields_add(agg_slot_fields(s), s->data + s->len, a);
	if (s->nent == AGG_SLOT_EXT) {
		memcpy(&dist, s->data, sizeof dist);
		agg_dist_sum(a, dist, pool);
		return;
	}
	for (d = 0; d < AGG_DIST_COUNT && s->nent > 0; d++) {
		agg_sparse_range_of(ent, s->nent, d, &lo, &hi);
		if (hi == lo)
			continue;
		if (a->dist[d] == NULL)
			a->dist[d] = sketch_pool_get(pool);
		sketch_sparse_merge(a->dist[d], &ent[lo], hi - lo,
		    d * SKETCH_SPARSE_CODES);
	}
}

void
agg_slot_counts(const struct agg_slot *s, struct agg *a)
{
	memset(a, 0, sizeof *a);
	agg_fields_add(agg_slot_fields(s), s->data + s->len, a);
}

size_t
agg_slot_encode_dist(const struct agg_slot *s, enum agg_dist d,
    unsigned char *buf, size_t len)
{
	const struct agg_sparse	*sp;
	const struct agg_dists	*db;
	const uint32_t		*ent;
	uintptr_t		 dist;
	size_t			 lo, hi, n;

	if ((unsigned int)d >= AGG_DIST_COUNT)
		return (0);
	if (s->nent != AGG_SLOT_EXT) {
		ent = (const uint32_t *)(const void *)s->data;
		n = s->nent;
	} else {
		memcpy(&dist, s->data, sizeof dist);
		if (dist & AGG_SPARSE_TAG)
			sp = (const struct agg_sparse *)(dist &
			    ~AGG_SPARSE_TAG);
		else {
			db = (const struct agg_dists *)dist;
			if (db->dense[d] != NULL)
				return (db->dense[d]->count == 0 ? 0 :
				    sketch_encode(db->dense[d], buf, len));
			if ((sp = db->sp) == NULL)
				return (0);
		}
		ent = sp->ent;
		n = sp->n;
	}
	agg_sparse_range_of(ent, n, (unsigned int)d, &lo, &hi);
	if (hi == lo)
		return (0);
	return (sketch_sparse_encode(&ent[lo], hi - lo,
	    (uint32_t)d * SKETCH_SPARSE_CODES, buf, len));
}

/*
 * As agg_is_empty(): every counter is zero and so are the agent seconds;
 * a slot holds distributions only while they hold a value.
 */
int
agg_slot_is_empty(const struct agg_slot *s)
{
	uint64_t	mask;

	if (s->nent != 0)
		return (0);
	mask = agg_fields_mask(agg_slot_fields(s), s->data + s->len);
	return ((mask & (AGG_M_COUNTS | AGG_M_AGENT)) == 0);
}

void
agg_slot_compact(struct agg_slot **sp, struct sketch_pool *pool)
{
	struct agg_work	w;

	if ((*sp)->nent != AGG_SLOT_EXT)
		return;
	agg_slot_decode(*sp, &w);
	agg_dist_compact(pool, &w);
	agg_slot_store(sp, &w, pool);
}

/*
 * Busy, the values go straight into dense sketches; else sorted, as runs
 * into the sparse entries.
 */
void
agg_acc_add(struct agg_acc **ap, struct agg_stage *st,
    struct sketch_pool *pool)
{
	struct agg_acc	*acc = *ap;
	size_t		 lo, hi, j;
	uint32_t	 code;
	unsigned int	 d;

	if (acc == NULL) {
		acc = *ap = agg_fpool_get(&pool->accs);
		memset(acc, 0, sizeof *acc);
	}
	agg_add_parts(&acc->a, &st->a, st->parts);
	acc->parts |= st->parts;
	if (acc->a.offered >= AGG_GATHER_CALLS) {
		for (j = 0; j < st->nent; j++) {
			code = SKETCH_SPARSE_CODE(st->ent[j]);
			d = code / SKETCH_SPARSE_CODES;
			agg_dense_add(agg_dist_dense(pool, &acc->dist, d),
			    (int)(code % SKETCH_SPARSE_CODES) - 1,
			    SKETCH_SPARSE_COUNT(st->ent[j]));
		}
		return;
	}
	agg_stage_sort(st);
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		agg_sparse_range_of(st->ent, st->nent, d, &lo, &hi);
		if (hi > lo)
			agg_dist_merge(pool, &acc->dist, d, &st->ent[lo],
			    hi - lo, 0);
	}
}

void
agg_acc_apply(const struct agg_acc *acc, struct agg_slot **sp,
    struct sketch_pool *pool)
{
	unsigned char	buf[AGG_FIELDS_MAX];
	struct agg_work	w;
	unsigned int	parts;

	agg_slot_decode(*sp, &w);
	agg_work_add(&w, buf, agg_fields_put(buf, &acc->a, &parts));
	agg_work_merge_from(&w, acc->dist, 0, pool);
	agg_slot_store(sp, &w, pool);
}

void
agg_acc_free(struct agg_acc *acc, struct sketch_pool *pool)
{
	if (acc == NULL)
		return;
	agg_dist_put(pool, acc->dist);
	agg_fpool_put(&pool->accs, acc);
}

void
agg_stage_init(struct agg_stage *st)
{
	memset(st, 0, sizeof *st);
}

/*
 * The counters and sums are added, a value becomes an entry, in the
 * bucket sketch_group() gives for group (0 or 1: its own; AGG_NODIST:
 * values are not kept).
 */
int
agg_stage_add(struct agg_stage *st, const struct contrib *c,
    unsigned int group)
{
	unsigned int	d, need = 0;
	int		i, n;

	for (d = 0; d < AGG_DIST_COUNT && group != AGG_NODIST; d++)
		need += c->dist_n[d] > 0;
	if (st->nent + need > AGG_STAGE_ENT)
		return (-1);
	agg_add_parts(&st->a, &c->delta, c->parts);
	st->parts |= c->parts;
	st->events++;
	for (d = 0; d < AGG_DIST_COUNT && group != AGG_NODIST; d++) {
		if ((n = c->dist_n[d]) <= 0)
			continue;
		if ((i = c->dist_idx[d]) < 0)
			i = SKETCH_ZERO;
		else if (i > SKETCH_NBUCKETS - 1)
			i = SKETCH_NBUCKETS - 1;
		i = sketch_group(i, group);
		if (n > AGG_STAGE_ENT)
			n = AGG_STAGE_ENT;	/* a contrib is 0 or 1 */
		st->ent[st->nent++] = (d * SKETCH_SPARSE_CODES +
		    (uint32_t)(i + 1)) << SKETCH_SPARSE_SHIFT | (uint32_t)n;
	}
	return (0);
}

int
agg_stage_is_empty(const struct agg_stage *st)
{
	return (st->events == 0);
}

/*
 * By code, a few dozen entries: an insertion sort while they are few, a
 * radix sort (two passes of 6 bits of the 12-bit code) beyond.
 */
void
agg_stage_sort(struct agg_stage *st)
{
	uint32_t	tmp[AGG_STAGE_ENT], e, *src, *dst;
	unsigned int	cnt[64], sum, c, shift;
	size_t		i, j, n = st->nent;

	if (n <= 12) {
		for (i = 1; i < n; i++) {
			e = st->ent[i];
			for (j = i; j > 0 && st->ent[j - 1] > e; j--)
				st->ent[j] = st->ent[j - 1];
			st->ent[j] = e;
		}
	} else {
		src = st->ent;
		dst = tmp;
		for (shift = SKETCH_SPARSE_SHIFT; shift < 32; shift += 6) {
			memset(cnt, 0, sizeof cnt);
			for (i = 0; i < n; i++)
				cnt[(src[i] >> shift) & 63]++;
			for (c = 0, sum = 0; c < 64; c++) {
				sum += cnt[c];
				cnt[c] = sum - cnt[c];
			}
			for (i = 0; i < n; i++)
				dst[cnt[(src[i] >> shift) & 63]++] = src[i];
			src = dst;
			dst = src == tmp ? st->ent : tmp;
		}
	}
	/* One entry per code; the counts are too few to overflow. */
	for (i = j = 0; i < n; i++) {
		if (j > 0 && SKETCH_SPARSE_CODE(st->ent[j - 1]) ==
		    SKETCH_SPARSE_CODE(st->ent[i]))
			st->ent[j - 1] += SKETCH_SPARSE_COUNT(st->ent[i]);
		else
			st->ent[j++] = st->ent[i];
	}
	st->nent = (uint32_t)j;
}

void
agg_stage_apply(const struct agg_stage *st, struct agg_slot **sp,
    struct sketch_pool *pool)
{
	unsigned char	buf[AGG_FIELDS_MAX];
	struct agg_work	w;
	size_t		lo, hi;
	unsigned int	d, parts;

	agg_slot_decode(*sp, &w);
	agg_work_add(&w, buf, agg_fields_put(buf, &st->a, &parts));
	for (d = 0; d < AGG_DIST_COUNT; d++) {
		agg_sparse_range_of(st->ent, st->nent, d, &lo, &hi);
		if (hi > lo)
			agg_work_dist_merge(&w, d, &st->ent[lo], hi - lo, 0,
			    pool);
	}
	agg_slot_store(sp, &w, pool);
}

void
agg_stage_clear(struct agg_stage *st)
{
	memset(&st->a, 0, sizeof st->a);
	st->nent = 0;
	st->parts = 0;
	st->events = 0;
}
