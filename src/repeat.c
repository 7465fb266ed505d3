/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Repeat contacts.  Each customer seen in a finished call keeps one entry
 * of one cache line: its last call's time, the call id's hash, the scopes
 * it counted in (the caller's references) and whether it was answered.  This is on the ingest path of
 * every call, so a note costs one cache miss: the entries live in the
 * table itself, open-addressed with linear probing and removed by
 * backward shift, at most half full.
 *
 * A customer is known by SipHash-1-3 of its id under a random key, not by
 * the id: customer ids come from the network, and with a secret key a
 * flood of chosen ids can neither pile up in one run of the table nor
 * make two customers collide.  Two customers share a 64-bit hash by
 * chance once in about 2^64 / n notes (n customers held): at 100,000
 * customers and a million calls a second, once in five years, and then
 * one call is counted repeated that was not, or the other way round.
 * Call ids are kept the same way, only to know a call seen again.
 *
 * Expiry and eviction follow a queue of (customer, time) in the order
 * customers were first noted.  A customer who calls again is not moved
 * in it (that would cost two more misses a call): when its turn comes,
 * an entry newer than its place in the queue goes back to the end with
 * its newer time instead of being dropped.  Each customer is in the queue
 * exactly once.  Events may come slightly out of order; an entry left
 * behind in the queue only lives a little longer, and a stale one never
 * counts, since every hit checks the time difference itself.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "siphash.h"
#include "repeat.h"
#include "xmalloc.h"

#define REPEAT_TABLE_MIN	64		/* slots, a power of two */
#define REPEAT_QUEUE_MIN	64
#define REPEAT_LINE		64		/* bytes in a cache line */

#define REPEAT_ANSWERED		0x1

struct repeat_entry {
	uint64_t	 hash;		/* customer's; 0: a free slot */
	uint64_t	 call;		/* call id's; 0: none */
	double		 t;		/* last call's event time */
	void		*ref[REPEAT_REFS];
	uint32_t	 flags;
	uint32_t	 pad[3];
};
_Static_assert(sizeof (struct repeat_entry) == REPEAT_LINE,
    "a repeat entry is one cache line");

/* A customer's place in the expiry queue. */
struct repeat_queued {
	uint64_t	 hash;
	double		 t;		/* its entry's time when queued */
};

struct repeat {
	size_t			 max;
	double			 window;
	uint64_t		 key[2];
	struct repeat_entry	*slot;
	size_t			 mask;		/* slots - 1 */
	size_t			 n;
	struct repeat_queued	*q;		/* ring, first noted first */
	size_t			 qmask, qhead;	/* n of them from qhead */
	uint64_t		 hits, expired, evicted;
};

static uint64_t	repeat_hash(const struct repeat *, const char *);
static struct repeat_entry *repeat_alloc(size_t);
static void	repeat_resize(struct repeat *, size_t);
static struct repeat_entry *repeat_find(const struct repeat *, uint64_t);
static struct repeat_entry *repeat_insert(struct repeat *, uint64_t);
static void	repeat_remove(struct repeat *, struct repeat_entry *);
static void	repeat_queue(struct repeat *, uint64_t, double);
static struct repeat_entry *repeat_pop(struct repeat *, double *);
static void	repeat_refs(void *[REPEAT_REFS], void *const[REPEAT_REFS]);
static void	repeat_set(struct repeat_entry *, const struct event *,
		    uint64_t, void *const[REPEAT_REFS], double);

/* SipHash-1-3 of an id, never 0 (0 marks a free slot or no call id). */
static uint64_t
repeat_hash(const struct repeat *r, const char *id)
{
	uint64_t	h;

	h = siphash(r->key, id, strnlen(id, EVENT_ID_MAX));
	return (h != 0 ? h : 1);
}

/* Zeroed slots, aligned on a cache line so that each is one. */
static struct repeat_entry *
repeat_alloc(size_t slots)
{
	void	*p;

	if (slots > SIZE_MAX / sizeof (struct repeat_entry))
		fatalx("repeat: %zu slots", slots);
	if (posix_memalign(&p, REPEAT_LINE,
	    slots * sizeof (struct repeat_entry)) != 0)
		fatalx("repeat: out of memory for %zu slots", slots);
	memset(p, 0, slots * sizeof (struct repeat_entry));
	return (p);
}

/* Move every entry into a table of size slots (a power of two). */
static void
repeat_resize(struct repeat *r, size_t size)
{
	struct repeat_entry	*old = r->slot, *e;
	size_t			 i, oldsize = r->mask + 1;

	r->slot = repeat_alloc(size);
	r->mask = size - 1;
	for (i = 0; i < oldsize; i++) {
		if (old[i].hash == 0)
			continue;
		e = &r->slot[old[i].hash & r->mask];
		while (e->hash != 0)
			e = e == &r->slot[r->mask] ? r->slot : e + 1;
		*e = old[i];
	}
	free(old);
}

static struct repeat_entry *
repeat_find(const struct repeat *r, uint64_t h)
{
	size_t	i;

	for (i = h & r->mask; r->slot[i].hash != 0; i = (i + 1) & r->mask) {
		if (r->slot[i].hash == h)
			return (&r->slot[i]);
	}
	return (NULL);
}

/* A free slot for h, which is not in the table; the table has room. */
static struct repeat_entry *
repeat_insert(struct repeat *r, uint64_t h)
{
	size_t	i;

	for (i = h & r->mask; r->slot[i].hash != 0; i = (i + 1) & r->mask)
		;
	r->slot[i].hash = h;
	r->n++;
	return (&r->slot[i]);
}

/*
 * Free e's slot, shifting back the entries after it that would otherwise
 * no longer be found (those whose home slot is not between the hole and
 * themselves).
 */
static void
repeat_remove(struct repeat *r, struct repeat_entry *e)
{
	size_t	hole = (size_t)(e - r->slot), i = hole, home;

	for (;;) {
		i = (i + 1) & r->mask;
		if (r->slot[i].hash == 0)
			break;
		home = r->slot[i].hash & r->mask;
		/* Stays if home lies cyclically in (hole, i]. */
		if (((i - home) & r->mask) < ((i - hole) & r->mask))
			continue;
		r->slot[hole] = r->slot[i];
		hole = i;
	}
	memset(&r->slot[hole], 0, sizeof r->slot[hole]);
	r->n--;
}

/* Append a customer to the expiry queue, which holds at most n - 1. */
static void
repeat_queue(struct repeat *r, uint64_t h, double t)
{
	struct repeat_queued	*q;
	size_t			 size = r->qmask + 1, i, len = r->n - 1;

	if (len == size) {
		q = xreallocarray(NULL, size * 2, sizeof *q);
		for (i = 0; i < len; i++)
			q[i] = r->q[(r->qhead + i) & r->qmask];
		free(r->q);
		r->q = q;
		r->qmask = size * 2 - 1;
		r->qhead = 0;
	}
	r->q[(r->qhead + len) & r->qmask].hash = h;
	r->q[(r->qhead + len) & r->qmask].t = t;
}

/*
 * Take the first customer off the queue: its entry, and in *t the time
 * it was queued with.  The caller removes the entry or queues it again.
 */
static struct repeat_entry *
repeat_pop(struct repeat *r, double *t)
{
	struct repeat_queued	*q = &r->q[r->qhead];

	r->qhead = (r->qhead + 1) & r->qmask;
	*t = q->t;
	return (repeat_find(r, q->hash));
}

/* Make e describe the call ev (call id hash call) at t, in scopes ref. */
static void
repeat_set(struct repeat_entry *e, const struct event *ev, uint64_t call,
    void *const ref[REPEAT_REFS], double t)
{
	e->t = t;
	e->call = call;
	e->flags = repeat_answered(ev) ? REPEAT_ANSWERED : 0;
	repeat_refs(e->ref, ref);
}

/* Copy a caller's scope references (NULL: none at all). */
static void
repeat_refs(void *dst[REPEAT_REFS], void *const ref[REPEAT_REFS])
{
	int	i;

	for (i = 0; i < REPEAT_REFS; i++)
		dst[i] = ref != NULL ? ref[i] : NULL;
}

struct repeat *
repeat_new(size_t max, double window)
{
	struct repeat	*r;

	r = xcalloc(1, sizeof *r);
	repeat_set_limits(r, max, window);
	siphash_key(r->key);
	r->slot = repeat_alloc(REPEAT_TABLE_MIN);
	r->mask = REPEAT_TABLE_MIN - 1;
	r->q = xreallocarray(NULL, REPEAT_QUEUE_MIN, sizeof *r->q);
	r->qmask = REPEAT_QUEUE_MIN - 1;
	return (r);
}

void
repeat_free(struct repeat *r)
{
	if (r == NULL)
		return;
	free(r->slot);
	free(r->q);
	free(r);
}

void
repeat_set_limits(struct repeat *r, size_t max, double window)
{
	r->max = max;
	r->window = window;
}

/* The rule of agg_contrib(): no outcome means answered if met or talked. */
int
repeat_answered(const struct event *ev)
{
	switch (ev->outcome) {
	case EVENT_OUTCOME_ANSWERED:
	case EVENT_OUTCOME_TRANSFERRED:
		return (1);
	case EVENT_OUTCOME_NONE:
		return (ev->agent[0] != '\0' ||
		    ((ev->has & EVENT_HAS_TALK) && ev->talk > 0));
	default:
		return (0);
	}
}

/* Whether ev is a call the table notes. */
static int
repeat_noted(const struct event *ev)
{
	return (ev->type == EVENT_CALL && ev->customer[0] != '\0' &&
	    strnlen(ev->customer, EVENT_ID_MAX + 1) <= EVENT_ID_MAX);
}

uint64_t
repeat_prefetch(struct repeat *r, const struct event *ev)
{
	uint64_t	h;

	if (!repeat_noted(ev))
		return (0);
	h = repeat_hash(r, ev->customer);
	__builtin_prefetch(&r->slot[h & r->mask], 1);
	return (h);
}

int
repeat_note(struct repeat *r, const struct event *ev, uint64_t h,
    void *const ref[REPEAT_REFS], double t, struct repeat_hit *hit)
{
	struct repeat_entry	*e;
	uint64_t		 call = 0;
	double			 qt;
	int			 found = 0;

	if (!repeat_noted(ev))
		return (0);
	repeat_expire(r, t);

	if (h == 0)
		h = repeat_hash(r, ev->customer);
	if (ev->call_id[0] != '\0')
		call = repeat_hash(r, ev->call_id);
	if ((e = repeat_find(r, h)) != NULL) {
		/*
		 * Past its window but still waiting in the queue behind
		 * newer ones: expired, and this is a first call again.
		 */
		if (e->t + r->window < t) {
			r->expired++;
			repeat_set(e, ev, call, ref, t);
			return (0);
		}
		/* The same call again (another stint or a resend). */
		if (call != 0 && e->call == call)
			return (0);
		if (t < e->t) {
			/*
			 * A late call, older than the customer's last: it is
			 * the one repeated, by that newer call.  The entry
			 * keeps the newer call.
			 */
			if (!repeat_answered(ev) || e->t - t > r->window)
				return (0);
			hit->t = t;
			repeat_refs(hit->ref, ref);
			r->hits++;
			return (1);
		}
		if ((e->flags & REPEAT_ANSWERED) && t - e->t <= r->window) {
			hit->t = e->t;
			memcpy(hit->ref, e->ref, sizeof hit->ref);
			found = 1;
			r->hits++;
		}
		/*
		 * This call is now the customer's last (so the one it
		 * repeats is counted once); its place in the queue stays.
		 */
		repeat_set(e, ev, call, ref, t);
		return (found);
	}

	if (r->max == 0)
		return (0);
	/* At the cap, the customer noted longest ago makes way. */
	while (r->n >= r->max && r->n > 0) {
		e = repeat_pop(r, &qt);
		if (e->t > qt) {
			repeat_queue(r, e->hash, e->t);
			continue;
		}
		repeat_remove(r, e);
		r->evicted++;
	}
	if ((r->n + 1) * 2 > r->mask + 1)
		repeat_resize(r, (r->mask + 1) * 2);
	e = repeat_insert(r, h);
	repeat_set(e, ev, call, ref, t);
	repeat_queue(r, h, t);
	return (0);
}

size_t
repeat_expire(struct repeat *r, double now)
{
	struct repeat_entry	*e;
	size_t			 n = 0, size;
	double			 qt;

	while (r->n > 0 && r->q[r->qhead].t + r->window < now) {
		e = repeat_pop(r, &qt);
		if (e->t + r->window < now) {
			repeat_remove(r, e);
			n++;
		} else
			repeat_queue(r, e->hash, e->t);
	}
	r->expired += n;

	/* Give back the slots of a table that has emptied. */
	size = r->mask + 1;
	while (size > REPEAT_TABLE_MIN && r->n * 8 < size)
		size /= 2;
	if (size != r->mask + 1)
		repeat_resize(r, size);
	return (n);
}

void
repeat_get_stats(const struct repeat *r, struct repeat_stats *st)
{
	st->customers = r->n;
	st->hits = r->hits;
	st->expired = r->expired;
	st->evicted = r->evicted;
}
