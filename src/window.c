/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Rolling windows as rings of time slots.  Each slot remembers which slot
 * number k it holds, so a slot still carrying an older k is simply stale:
 * it is skipped by sums and cleared when reused, and no timer has to
 * rotate anything.  A ring is only an array of pointers: a slot
 * (struct agg_slot) is taken from the pool when first written and given
 * back once it has left the window, which ring_add() notices as its clock
 * moves on and ring_expire() does for rings nobody adds to.  Rings are
 * serialized for the store in a versioned little-endian format that names
 * every field, so that a restart, or an upgrade that changes struct agg or
 * the slot count, can still read it.
 *
 * The windows of a scope form a ring set.  An event of the current period
 * (the time every ring's current slot covers) is not added to each ring:
 * it is staged once, and the period's total goes into every ring when
 * the clock leaves it, or when one of them is read.  So an event costs a
 * few additions to one small stage, whatever the number of windows, and
 * a ring slot is written once per period rather than once per event.
 * Late events (an earlier period's) go straight into the older slots.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "log.h"
#include "sketch.h"
#include "varint.h"
#include "window.h"
#include "xmalloc.h"

#define RING_MAGIC	"CSRG"
#define RING_VERSION	3
/*
 * Version 1 had the first 30 u32 and 17 f64 fields, before repeat contacts
 * and agent seconds; restore still reads it, the fields absent as 0.
 * Version 2 wrote every field of every slot at its full width (300 bytes
 * a slot before its distributions); restore still reads it.
 */
#define RING_V1_NU32	30
#define RING_V1_NF64	17

struct ring {
	uint32_t	  nslots;
	uint64_t	  slot_ms;	/* of the definition it was made for */
	uint64_t	  now_k;	/* latest slot number ring_add() saw */
	struct ring_set	 *set;		/* NULL for a ring of its own */
	struct agg_slot	**slot;		/* NULL, or holding slot->key */
};

/*
 * One block: this, the ring pointers, then each ring and its slots.
 * What is added for the period [lo, hi), within the current slot of
 * every ring, is gathered to go into them all at once: in the stage, and
 * when that fills up, in acc, an accumulator from the pool.
 */
struct ring_set {
	struct sketch_pool	 *pool;
	size_t			  nrings;
	struct ring		**ring;
	uint64_t		  lo, hi;	/* ms, when open */
	uint64_t		  now_ms;	/* latest clock of what is staged */
	int			  open;
	unsigned int		  group;	/* sketch_group() of values */
	struct agg_acc		 *acc;		/* or NULL */
	struct agg_stage	  stage;
};

struct ring_wbuf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
};

struct ring_rbuf {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
};

static int	ring_live(uint64_t, uint64_t, uint32_t);
static void	ring_advance(struct ring *, uint64_t, struct sketch_pool *);
static int	ring_take(struct ring *, uint64_t, uint64_t, uint32_t *,
		    struct sketch_pool *);
static int	ring_add_direct(struct ring *, uint64_t, uint64_t, uint64_t,
		    const struct agg_delta *, int, struct sketch_pool *);
static void	ring_init(struct ring *, const struct window_def *,
		    struct agg_slot **);
static void	ring_sync(const struct ring *);
static void	ring_set_open(struct ring_set *, uint64_t);
static void	ring_set_spill(struct ring_set *);
static void	ring_wreserve(struct ring_wbuf *, size_t);
static void	ring_put32(struct ring_wbuf *, uint32_t);
static void	ring_put64(struct ring_wbuf *, uint64_t);
static void	ring_put_slot(struct ring_wbuf *, const struct agg_slot *,
		    uint64_t);
static int	ring_get32(struct ring_rbuf *, uint32_t *);
static int	ring_get64(struct ring_rbuf *, uint64_t *);
static int	ring_get_slot(struct ring_rbuf *, uint32_t, uint32_t,
		    uint32_t, struct agg *, size_t *, uint32_t *, int *);
static void	ring_putv(struct ring_wbuf *, uint64_t);
static int	ring_getv(struct ring_rbuf *, uint64_t *);

/*
 * The serialized fields, in their order on disk.  Adding a field to
 * struct agg trips the assertions below until it is added here (and
 * RING_VERSION considered).  New fields go at the end of a list, so that
 * an older blob is a prefix of each list.
 */
#define RING_F(f)	offsetof(struct agg, f)
static const size_t ring_u32_fields[] = {
	RING_F(offered), RING_F(answered), RING_F(abandoned),
	RING_F(short_abandoned), RING_F(timeouts), RING_F(answered_in_sl),
	RING_F(abandoned_in_sl), RING_F(transferred), RING_F(held),
	RING_F(fc_yes), RING_F(fc_n), RING_F(res_yes), RING_F(res_n),
	RING_F(revenue_n), RING_F(csat_pos), RING_F(csat_n),
	RING_F(nps_pro), RING_F(nps_det), RING_F(nps_n),
	RING_F(esat_pos), RING_F(esat_n), RING_F(qa_n),
	RING_F(qa_crit_n[0]), RING_F(qa_crit_n[1]), RING_F(qa_crit_n[2]),
	RING_F(qa_crit_n[3]), RING_F(qa_crit_n[4]), RING_F(qa_crit_n[5]),
	RING_F(qa_crit_n[6]), RING_F(qa_crit_n[7]),
	RING_F(cust_n), RING_F(repeated)		/* version 2 */
};
static const size_t ring_f64_fields[] = {
	RING_F(wait_answered), RING_F(wait_abandoned), RING_F(wait_all),
	RING_F(talk), RING_F(hold), RING_F(wrap), RING_F(revenue),
	RING_F(csat_sum), RING_F(qa_sum),
	RING_F(qa_crit_sum[0]), RING_F(qa_crit_sum[1]),
	RING_F(qa_crit_sum[2]), RING_F(qa_crit_sum[3]),
	RING_F(qa_crit_sum[4]), RING_F(qa_crit_sum[5]),
	RING_F(qa_crit_sum[6]), RING_F(qa_crit_sum[7]),
	RING_F(busy), RING_F(ready)			/* version 2 */
};
#define RING_NU32	(sizeof ring_u32_fields / sizeof ring_u32_fields[0])
#define RING_NF64	(sizeof ring_f64_fields / sizeof ring_f64_fields[0])
_Static_assert(RING_NU32 * sizeof (uint32_t) ==
    offsetof(struct agg, wait_answered), "ring_u32_fields out of date");
_Static_assert(offsetof(struct agg, wait_answered) + RING_NF64 *
    sizeof (double) == offsetof(struct agg, dist),
    "ring_f64_fields out of date");

/* Header: magic, version, slot_ms, field counts, slot records. */
#define RING_HDR_LEN	(4 + 4 + 8 + 4 + 4 + 4 + 4)
/* Smallest record of nu32 and nf64 fields: start, fields, empty dists. */
#define RING_REC_MIN(nu32, nf64) \
	(8 + (size_t)(nu32) * 4 + (size_t)(nf64) * 8 + AGG_DIST_COUNT * 4)
/* Version 3's: the slot, two masks, three empty dists, a byte each. */
#define RING_REC3_MIN	(3 + AGG_DIST_COUNT)

int
window_parse_span(const char *s, uint64_t *ms)
{
	uint64_t	n = 0, unit;
	size_t		i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 12)		/* a million days will do */
			return (-1);
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || n == 0 || s[i] == '\0' || s[i + 1] != '\0')
		return (-1);
	switch (s[i]) {
	case 's':
		unit = 1000;
		break;
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 3600 * 1000;
		break;
	case 'd':
		unit = 86400 * 1000;
		break;
	default:
		return (-1);
	}
	if (n > UINT64_MAX / unit)
		return (-1);
	*ms = n * unit;
	return (0);
}

/* The span must divide into whole milliseconds per slot. */
int
window_def_init(struct window_def *def, const char *name, uint32_t nslots)
{
	uint64_t	span;
	size_t		len;

	len = strnlen(name, WINDOW_NAME_MAX + 1);
	if (len == 0 || len > WINDOW_NAME_MAX)
		return (-1);
	if (window_parse_span(name, &span) != 0)
		return (-1);
	if (nslots == 0 || span % nslots != 0)
		return (-1);
	memset(def, 0, sizeof *def);
	memcpy(def->name, name, len);
	def->span_ms = span;
	def->nslots = nslots;
	def->slot_ms = span / nslots;
	return (0);
}

static void
ring_init(struct ring *r, const struct window_def *def,
    struct agg_slot **slot)
{
	r->nslots = def->nslots;
	r->slot_ms = def->slot_ms;
	r->slot = slot;
}

/* The ring and its slot pointers in one block. */
struct ring *
ring_new(const struct window_def *def)
{
	struct ring	*r;

	r = xcalloc(1, sizeof *r + def->nslots * sizeof *r->slot);
	ring_init(r, def, (struct agg_slot **)(void *)(r + 1));
	return (r);
}

void
ring_free(struct ring *r, struct sketch_pool *pool)
{
	uint32_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nslots; i++) {
		agg_slot_put(pool, r->slot[i]);
		r->slot[i] = NULL;
	}
	if (r->set == NULL)
		free(r);
}

struct ring_set *
ring_set_new(const struct window_def *defs, size_t n, unsigned int group,
    struct sketch_pool *pool)
{
	struct ring_set	*set;
	unsigned char	*p;
	size_t		 i, len;

	len = sizeof *set + n * sizeof *set->ring;
	for (i = 0; i < n; i++) {
		len += sizeof (struct ring) +
		    defs[i].nslots * sizeof (struct agg_slot *);
	}
	p = xcalloc(1, len);
	set = (struct ring_set *)(void *)p;
	set->pool = pool;
	set->nrings = n;
	set->group = group;
	set->ring = (struct ring **)(void *)(p + sizeof *set);
	p += sizeof *set + n * sizeof *set->ring;
	for (i = 0; i < n; i++) {
		set->ring[i] = (struct ring *)(void *)p;
		ring_init(set->ring[i], &defs[i],
		    (struct agg_slot **)(void *)(set->ring[i] + 1));
		set->ring[i]->set = set;
		p += sizeof (struct ring) +
		    defs[i].nslots * sizeof (struct agg_slot *);
	}
	agg_stage_init(&set->stage);
	return (set);
}

void
ring_set_free(struct ring_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nrings; i++)
		ring_free(set->ring[i], set->pool);
	agg_acc_free(set->acc, set->pool);
	free(set);
}

struct ring **
ring_set_rings(struct ring_set *set)
{
	return (set->ring);
}

/* The period that holds now_ms in the current slot of every ring. */
static void
ring_set_open(struct ring_set *set, uint64_t now_ms)
{
	struct ring	*r;
	uint64_t	 start;
	size_t		 i;

	set->lo = 0;
	set->hi = UINT64_MAX;
	for (i = 0; i < set->nrings; i++) {
		r = set->ring[i];
		start = now_ms - now_ms % r->slot_ms;
		if (start > set->lo)
			set->lo = start;
		if (r->slot_ms < set->hi - start)
			set->hi = start + r->slot_ms;
	}
	set->now_ms = now_ms;
	set->open = 1;
}

/* The stage is full: into acc. */
static void
ring_set_spill(struct ring_set *set)
{
	if (agg_stage_is_empty(&set->stage))
		return;
	agg_acc_add(&set->acc, &set->stage, set->pool);
	agg_stage_clear(&set->stage);
}

/*
 * Add what is gathered to every ring, as ring_add() would have at the
 * latest clock staged: all of it lands in the same slot of each ring,
 * the current one.
 */
void
ring_set_flush(struct ring_set *set)
{
	struct ring	*r;
	size_t		 i;
	uint32_t	 si;

	if (!set->open)
		return;
	set->open = 0;
	if (set->acc != NULL)
		ring_set_spill(set);
	else if (agg_stage_is_empty(&set->stage))
		return;
	else
		agg_stage_sort(&set->stage);
	for (i = 0; i < set->nrings; i++) {
		r = set->ring[i];
		if (ring_take(r, set->lo / r->slot_ms,
		    set->now_ms / r->slot_ms, &si, set->pool) != 0)
			continue;
		if (set->acc != NULL)
			agg_acc_apply(set->acc, &r->slot[si], set->pool);
		else
			agg_stage_apply(&set->stage, &r->slot[si], set->pool);
	}
	agg_acc_free(set->acc, set->pool);
	set->acc = NULL;
	agg_stage_clear(&set->stage);
}

/* Whatever a ring's set has staged goes in before anything reads it. */
static void
ring_sync(const struct ring *r)
{
	if (r->set != NULL && r->set->open)
		ring_set_flush(r->set);
}

int
ring_set_add(struct ring_set *set, uint64_t t_ms, uint64_t now_ms,
    const struct contrib *c)
{
	struct contrib		grouped;
	struct agg_delta	dl;
	size_t			i;
	int			rv = -1, d;

	if (t_ms > now_ms)
		t_ms = now_ms;
	if (set->open && (now_ms < set->lo || now_ms >= set->hi))
		ring_set_flush(set);
	if (!set->open)
		ring_set_open(set, now_ms);
	if (t_ms >= set->lo) {
		if (agg_stage_add(&set->stage, c, set->group) != 0) {
			ring_set_spill(set);
			(void)agg_stage_add(&set->stage, c, set->group);
		}
		if (now_ms > set->now_ms)
			set->now_ms = now_ms;
		return (0);
	}
	if (set->group > 1) {
		grouped = *c;
		for (d = 0; d < AGG_DIST_COUNT; d++) {
			grouped.dist_idx[d] = sketch_group(c->dist_idx[d],
			    set->group);
			if (set->group == AGG_NODIST)
				grouped.dist_n[d] = 0;
		}
		c = &grouped;
	}
	/*
	 * Late: straight into the older slots, kept compact (only the stage
	 * sees the current period's traffic).
	 */
	agg_delta_init(&dl, c);
	for (i = 0; i < set->nrings; i++) {
		if (ring_add_direct(set->ring[i], set->ring[i]->slot_ms, t_ms,
		    now_ms, &dl, 0, set->pool) == 0)
			rv = 0;
	}
	return (rv);
}

/* Is slot number k inside the window ending with slot now_k? */
static int
ring_live(uint64_t k, uint64_t now_k, uint32_t nslots)
{
	return (k <= now_k && now_k - k < nslots);
}

/*
 * The clock reached slot now_k.  The slots written as current (now_k and
 * the one before, for events a little late) that no longer are get
 * compacted, and the slots that left the window since the last call,
 * numbers (old now_k - nslots, now_k - nslots], are given back.  Only
 * those can have died, so this costs one look per slot of time passed,
 * at most the whole ring.
 */
static void
ring_advance(struct ring *r, uint64_t now_k, struct sketch_pool *pool)
{
	struct agg_slot	*s;
	uint64_t	 k, first, last;
	uint32_t	 i;

	if (now_k <= r->now_k)
		return;
	for (k = r->now_k - (r->now_k > 0); k <= r->now_k; k++) {
		s = r->slot[k % r->nslots];
		if (k + 1 < now_k && s != NULL && s->key == k)
			agg_slot_compact(&r->slot[k % r->nslots], pool);
	}
	if (now_k < r->nslots) {
		r->now_k = now_k;
		return;
	}
	last = now_k - r->nslots;
	first = r->now_k >= r->nslots ? r->now_k - r->nslots + 1 : 0;
	if (last - first >= r->nslots)
		first = last - r->nslots + 1;
	r->now_k = now_k;
	for (k = first; k <= last; k++) {
		i = (uint32_t)(k % r->nslots);
		if ((s = r->slot[i]) != NULL && s->key <= last) {
			agg_slot_put(pool, s);
			r->slot[i] = NULL;
		}
	}
}

/*
 * The clock is at slot now_k: the slot for k, taken from the pool if
 * needed, into *ip; -1 if k is outside the window.
 */
static int
ring_take(struct ring *r, uint64_t k, uint64_t now_k, uint32_t *ip,
    struct sketch_pool *pool)
{
	struct agg_slot	*s;
	uint32_t	 i;

	if (!ring_live(k, now_k, r->nslots))
		return (-1);
	ring_advance(r, now_k, pool);
	i = (uint32_t)(k % r->nslots);
	if ((s = r->slot[i]) != NULL && s->key != k) {
		/*
		 * A newer k in the slot means k's own turn has passed: only
		 * possible if now went backwards between calls.
		 */
		if (s->key > k)
			return (-1);
		agg_slot_put(pool, s);
		s = NULL;
	}
	if (s == NULL) {
		s = r->slot[i] = agg_slot_get(pool);
		s->key = k;
	}
	*ip = i;
	return (0);
}

/*
 * hot: a slot still current may turn dense when busy (agg_slot_apply()),
 * for rings written one event at a time.
 */
static int
ring_add_direct(struct ring *r, uint64_t slot_ms, uint64_t t_ms,
    uint64_t now_ms, const struct agg_delta *dl, int hot,
    struct sketch_pool *pool)
{
	uint64_t	 k, now_k;
	uint32_t	 i;

	if (t_ms > now_ms)
		t_ms = now_ms;
	k = t_ms / slot_ms;
	now_k = now_ms / slot_ms;
	if (ring_take(r, k, now_k, &i, pool) != 0)
		return (-1);
	agg_slot_apply_delta(&r->slot[i], dl, hot && k + 1 >= now_k, pool);
	return (0);
}

int
ring_add(struct ring *r, const struct window_def *def, uint64_t t_ms,
    uint64_t now_ms, const struct contrib *c, struct sketch_pool *pool)
{
	struct agg_delta	dl;

	ring_sync(r);
	agg_delta_init(&dl, c);
	return (ring_add_direct(r, def->slot_ms, t_ms, now_ms, &dl, 1, pool));
}

/* out is overwritten, not freed: agg_clear() it first if reused. */
void
ring_sum(const struct ring *r, const struct window_def *def, uint64_t now_ms,
    struct agg *out, struct sketch_pool *pool)
{
	const struct agg_slot	*s;
	uint64_t		 now_k;
	uint32_t		 i;

	ring_sync(r);
	memset(out, 0, sizeof *out);
	now_k = now_ms / def->slot_ms;
	for (i = 0; i < r->nslots; i++) {
		if ((s = r->slot[i]) != NULL &&
		    ring_live(s->key, now_k, r->nslots))
			agg_slot_sum(out, s, pool);
	}
}

void
ring_sum_range(const struct ring *r, const struct window_def *def,
    uint64_t from_ms, uint64_t to_ms, uint64_t now_ms, struct agg *out,
    struct sketch_pool *pool)
{
	const struct agg_slot	*s;
	uint64_t		 now_k, start;
	uint32_t		 i;

	ring_sync(r);
	memset(out, 0, sizeof *out);
	now_k = now_ms / def->slot_ms;
	for (i = 0; i < r->nslots; i++) {
		if ((s = r->slot[i]) == NULL ||
		    !ring_live(s->key, now_k, r->nslots))
			continue;
		start = s->key * def->slot_ms;
		if (start >= from_ms && start < to_ms)
			agg_slot_sum(out, s, pool);
	}
}

/*
 * Slots holding a k newer than now are kept: now may be behind.  Live
 * slots no longer current are compacted, for rings ring_add() no longer
 * visits.
 */
size_t
ring_expire(struct ring *r, const struct window_def *def, uint64_t now_ms,
    struct sketch_pool *pool)
{
	struct agg_slot	*s;
	uint64_t	 now_k;
	uint32_t	 i;
	size_t		 n = 0;

	ring_sync(r);
	now_k = now_ms / def->slot_ms;
	for (i = 0; i < r->nslots; i++) {
		if ((s = r->slot[i]) == NULL || s->key > now_k)
			continue;
		if (ring_live(s->key, now_k, r->nslots)) {
			if (s->key + 1 < now_k)
				agg_slot_compact(&r->slot[i], pool);
			continue;
		}
		agg_slot_put(pool, s);
		r->slot[i] = NULL;
		n++;
	}
	return (n);
}

int
ring_is_empty(const struct ring *r)
{
	uint32_t	i;

	ring_sync(r);
	for (i = 0; i < r->nslots; i++) {
		if (r->slot[i] != NULL && !agg_slot_is_empty(r->slot[i]))
			return (0);
	}
	return (1);
}

static void
ring_wreserve(struct ring_wbuf *w, size_t n)
{
	if (w->cap - w->len >= n)
		return;
	while (w->cap - w->len < n)
		w->cap = w->cap == 0 ? 1024 : w->cap * 2;
	w->p = xreallocarray(w->p, 1, w->cap);
}

static void
ring_put32(struct ring_wbuf *w, uint32_t v)
{
	int	i;

	ring_wreserve(w, 4);
	for (i = 0; i < 4; i++)
		w->p[w->len++] = (unsigned char)(v >> (8 * i));
}

static void
ring_put64(struct ring_wbuf *w, uint64_t v)
{
	int	i;

	ring_wreserve(w, 8);
	for (i = 0; i < 8; i++)
		w->p[w->len++] = (unsigned char)(v >> (8 * i));
}

/* A varint (varint.h). */
static void
ring_putv(struct ring_wbuf *w, uint64_t v)
{
	ring_wreserve(w, VARINT_MAX);
	w->len += varint_put(w->p + w->len, v);
}

/*
 * One slot: its number as a varint delta from the previous record's
 * (from 0 for the first), a varint mask of the u32 fields that are not 0
 * and those as varints, a varint mask of the f64 fields whose bits are
 * not 0 and those (ring_put_sum()), then per dist a varint length and
 * that many bytes of sketch_encode().
 */
static void
ring_put_slot(struct ring_wbuf *w, const struct agg_slot *s, uint64_t dk)
{
	struct agg		 a;
	const unsigned char	*base = (const unsigned char *)&a;
	uint32_t		 u[RING_NU32];
	uint64_t		 bits[RING_NF64], mask, ms;
	double			 d, back;
	size_t			 i, need, n;

	agg_slot_counts(s, &a);
	ring_putv(w, dk);
	for (mask = 0, i = 0; i < RING_NU32; i++) {
		memcpy(&u[i], base + ring_u32_fields[i], sizeof u[i]);
		if (u[i] != 0)
			mask |= (uint64_t)1 << i;
	}
	ring_putv(w, mask);
	for (i = 0; i < RING_NU32; i++) {
		if (u[i] != 0)
			ring_putv(w, u[i]);
	}
	for (mask = 0, i = 0; i < RING_NF64; i++) {
		memcpy(&d, base + ring_f64_fields[i], sizeof d);
		memcpy(&bits[i], &d, sizeof bits[i]);
		if (bits[i] != 0)
			mask |= (uint64_t)1 << i;
	}
	ring_putv(w, mask);
	for (i = 0; i < RING_NF64; i++) {
		if (bits[i] == 0)
			continue;
		/*
		 * A sum of whole milliseconds (most are) as twice their
		 * number, when that reads back to the same bits; else 1 and
		 * the 8 bytes of its bits.
		 */
		memcpy(&d, &bits[i], sizeof d);
		if (d > 0 && d < 9e12) {
			ms = (uint64_t)llround(d * 1000.0);
			back = (double)ms / 1000.0;
			if (memcmp(&back, &d, sizeof d) == 0) {
				ring_putv(w, ms << 1);
				continue;
			}
		}
		ring_putv(w, 1);
		ring_put64(w, bits[i]);
	}
	/*
	 * Each dist encoded once, with room for the largest, after room for
	 * its length; the length is written and the bytes moved up to it.
	 */
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		ring_wreserve(w, VARINT_MAX + SKETCH_ENCODE_MAX);
		need = agg_slot_encode_dist(s, (enum agg_dist)i,
		    w->p + w->len + VARINT_MAX, SKETCH_ENCODE_MAX);
		if (need > SKETCH_ENCODE_MAX)
			fatalx("ring: a sketch of %zu bytes", need);
		n = varint_put(w->p + w->len, need);
		memmove(w->p + w->len + n, w->p + w->len + VARINT_MAX, need);
		w->len += n + need;
	}
}

/*
 * Format, all fixed-width integers little-endian: "CSRG", u32 version,
 * u64 slot_ms, u32 number of u32 fields, u32 number of f64 fields, u32
 * number of dists, u32 number of records; then per live slot, oldest
 * first, a record (ring_put_slot()).  Version 2 records were: u64 start
 * ms, the u32 fields, the f64 fields (IEEE 754 bits), and per dist a u32
 * length (0 = none) and that many bytes of sketch_encode().
 */
size_t
ring_serialize_buf(const struct ring *r, const struct window_def *def,
    uint64_t now_ms, unsigned char **buf, size_t *cap)
{
	struct ring_wbuf	 w;
	const struct agg_slot	*s;
	uint64_t		 k, first, now_k, prev = 0;
	uint32_t		 i, nrec = 0;
	size_t			 nrec_off;

	ring_sync(r);
	w.p = *buf;
	w.cap = *buf != NULL ? *cap : 0;
	w.len = 0;
	ring_wreserve(&w, RING_HDR_LEN);
	memcpy(w.p, RING_MAGIC, 4);
	w.len = 4;
	ring_put32(&w, RING_VERSION);
	ring_put64(&w, def->slot_ms);
	ring_put32(&w, (uint32_t)RING_NU32);
	ring_put32(&w, (uint32_t)RING_NF64);
	ring_put32(&w, AGG_DIST_COUNT);
	nrec_off = w.len;
	ring_put32(&w, 0);	/* filled in below */

	/* Oldest first, so the blob is the same for the same contents. */
	now_k = now_ms / def->slot_ms;
	first = now_k >= r->nslots - 1 ? now_k - (r->nslots - 1) : 0;
	for (k = first; k <= now_k; k++) {
		s = r->slot[k % r->nslots];
		if (s == NULL || s->key != k || agg_slot_is_empty(s))
			continue;
		ring_put_slot(&w, s, k - prev);
		prev = k;
		nrec++;
	}
	for (i = 0; i < 4; i++)
		w.p[nrec_off + i] = (unsigned char)(nrec >> (8 * i));
	*buf = w.p;
	*cap = w.cap;
	return (w.len);
}

unsigned char *
ring_serialize(const struct ring *r, const struct window_def *def,
    uint64_t now_ms, size_t *len)
{
	unsigned char	*p = NULL;
	size_t		 cap = 0;

	*len = ring_serialize_buf(r, def, now_ms, &p, &cap);
	/* Exactly its length: the caller may keep many. */
	if (cap > *len)
		p = xreallocarray(p, 1, *len);
	return (p);
}

static int
ring_get32(struct ring_rbuf *rb, uint32_t *v)
{
	int	i;

	if (rb->len - rb->off < 4)
		return (-1);
	*v = 0;
	for (i = 0; i < 4; i++)
		*v |= (uint32_t)rb->p[rb->off++] << (8 * i);
	return (0);
}

static int
ring_get64(struct ring_rbuf *rb, uint64_t *v)
{
	int	i;

	if (rb->len - rb->off < 8)
		return (-1);
	*v = 0;
	for (i = 0; i < 8; i++)
		*v |= (uint64_t)rb->p[rb->off++] << (8 * i);
	return (0);
}

/* A varint (varint.h). */
static int
ring_getv(struct ring_rbuf *rb, uint64_t *v)
{
	size_t	n;

	if ((n = varint_get(rb->p + rb->off, rb->len - rb->off, v)) == 0)
		return (-1);
	rb->off += n;
	return (0);
}

/* Version 3's fields (ring_put_slot()) into a. */
static int
ring_get_fields3(struct ring_rbuf *rb, struct agg *a)
{
	unsigned char	*base = (unsigned char *)a;
	uint64_t	 mask, v, bits;
	uint32_t	 u;
	double		 d;
	size_t		 i;

	if (ring_getv(rb, &mask) != 0 || mask >> RING_NU32 != 0)
		return (-1);
	for (i = 0; i < RING_NU32; i++) {
		if ((mask & ((uint64_t)1 << i)) == 0)
			continue;
		if (ring_getv(rb, &v) != 0 || v == 0 || v > UINT32_MAX)
			return (-1);
		u = (uint32_t)v;
		memcpy(base + ring_u32_fields[i], &u, sizeof u);
	}
	if (ring_getv(rb, &mask) != 0 || mask >> RING_NF64 != 0)
		return (-1);
	for (i = 0; i < RING_NF64; i++) {
		if ((mask & ((uint64_t)1 << i)) == 0)
			continue;
		if (ring_getv(rb, &v) != 0)
			return (-1);
		if (v == 1) {
			if (ring_get64(rb, &bits) != 0)
				return (-1);
			memcpy(&d, &bits, sizeof d);
		} else if ((v & 1) == 0 && v != 0)
			d = (double)(v >> 1) / 1000.0;
		else
			return (-1);
		if (!isfinite(d))
			return (-1);
		memcpy(base + ring_f64_fields[i], &d, sizeof d);
	}
	return (0);
}

/*
 * Read one slot's fields into a, which must be zero: of a version 3
 * record, or the first nu32 and nf64 fields (at most the lists') of an
 * older one.  Then check its dists, leaving their offsets in off[] and
 * lengths in dlen[] (0 for none); *empty is set if a and the dists count
 * nothing.  -1 if malformed.
 */
static int
ring_get_slot(struct ring_rbuf *rb, uint32_t version, uint32_t nu32,
    uint32_t nf64, struct agg *a, size_t *off, uint32_t *dlen, int *empty)
{
	unsigned char	*base = (unsigned char *)a;
	uint32_t	 u, n;
	uint64_t	 bits, count, v;
	double		 d;
	size_t		 i;

	if (version >= 3 && ring_get_fields3(rb, a) != 0)
		return (-1);
	for (i = 0; version < 3 && i < nu32 && i < RING_NU32; i++) {
		if (ring_get32(rb, &u) != 0)
			return (-1);
		memcpy(base + ring_u32_fields[i], &u, sizeof u);
	}
	for (i = 0; version < 3 && i < nf64 && i < RING_NF64; i++) {
		if (ring_get64(rb, &bits) != 0)
			return (-1);
		memcpy(&d, &bits, sizeof d);
		if (!isfinite(d))
			return (-1);
		memcpy(base + ring_f64_fields[i], &d, sizeof d);
	}
	*empty = agg_is_empty(a);
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (version >= 3) {
			if (ring_getv(rb, &v) != 0 || v > UINT32_MAX)
				return (-1);
			n = (uint32_t)v;
		} else if (ring_get32(rb, &n) != 0)
			return (-1);
		if (n > rb->len - rb->off)
			return (-1);
		off[i] = rb->off;
		dlen[i] = n;
		if (n == 0)
			continue;
		if (sketch_decode_each(rb->p + rb->off, n, &count, NULL,
		    NULL) != n)
			return (-1);
		if (count != 0)
			*empty = 0;
		rb->off += n;
	}
	return (0);
}

/*
 * Each saved slot goes into the slot holding its start time under the
 * current definition; with fewer, longer slots several saved slots share
 * one, with more, shorter ones a saved slot lands whole in the first.
 * A record is checked whole before any of it is added.
 */
int
ring_restore(struct ring *r, const struct window_def *def, uint64_t now_ms,
    const unsigned char *buf, size_t len, struct sketch_pool *pool)
{
	struct ring_rbuf	 rb;
	struct agg		 tmp;
	struct agg_slot		*s;
	size_t			 off[AGG_DIST_COUNT], blen[AGG_DIST_COUNT];
	const unsigned char	*blob[AGG_DIST_COUNT];
	uint64_t		 slot_ms, start, k, now_k, sk = 0, dk;
	uint32_t		 version, nu32, nf64, ndist, nrec, j, i;
	uint32_t		 dlen[AGG_DIST_COUNT];
	int			 d, empty;

	if (buf == NULL || len < RING_HDR_LEN || memcmp(buf, RING_MAGIC, 4))
		return (-1);
	ring_sync(r);
	rb.p = buf;
	rb.len = len;
	rb.off = 4;
	if (ring_get32(&rb, &version) != 0 ||
	    ring_get64(&rb, &slot_ms) != 0 || slot_ms == 0 ||
	    ring_get32(&rb, &nu32) != 0 || ring_get32(&rb, &nf64) != 0 ||
	    ring_get32(&rb, &ndist) != 0 || ndist != AGG_DIST_COUNT ||
	    ring_get32(&rb, &nrec) != 0)
		return (-1);
	/* Each version has its own field counts, and only those. */
	if (!((version == 3 || version == 2) && nu32 == RING_NU32 &&
	    nf64 == RING_NF64) && !(version == 1 && nu32 == RING_V1_NU32 &&
	    nf64 == RING_V1_NF64))
		return (-1);
	if (nrec > (len - rb.off) / (version >= 3 ? RING_REC3_MIN :
	    RING_REC_MIN(nu32, nf64)))
		return (-1);

	now_k = now_ms / def->slot_ms;
	for (j = 0; j < nrec; j++) {
		memset(&tmp, 0, sizeof tmp);
		if (version >= 3) {
			/* The slot number, from the previous record's. */
			if (ring_getv(&rb, &dk) != 0 || dk > UINT64_MAX - sk ||
			    sk + dk > UINT64_MAX / slot_ms)
				return (-1);
			sk += dk;
			start = sk * slot_ms;
		} else if (ring_get64(&rb, &start) != 0 ||
		    start % slot_ms != 0)
			return (-1);
		if (ring_get_slot(&rb, version, nu32, nf64, &tmp, off, dlen,
		    &empty) != 0)
			return (-1);
		k = (start > now_ms ? now_ms : start) / def->slot_ms;
		i = (uint32_t)(k % r->nslots);
		s = r->slot[i];
		if (!ring_live(k, now_k, r->nslots) || empty ||
		    (s != NULL && s->key > k))
			continue;
		if (s != NULL && s->key != k) {
			agg_slot_put(pool, s);
			s = NULL;
		}
		if (s == NULL) {
			s = r->slot[i] = agg_slot_get(pool);
			s->key = k;
		}
		for (d = 0; d < AGG_DIST_COUNT; d++) {
			blob[d] = buf + off[d];
			blen[d] = dlen[d];
		}
		/* Checked above: cannot fail. */
		(void)agg_slot_load(&r->slot[i], &tmp, blob, blen, pool);
	}
	if (rb.off != len)
		return (-1);		/* trailing bytes */
	return (0);
}
