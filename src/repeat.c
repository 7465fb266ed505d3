/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Repeat contacts.  Each customer seen in a finished call keeps one entry:
 * its last call's time, call id, the queue, agent and team it counted in,
 * whether it was answered and whether it has been marked repeated.  The
 * table is chained and keyed by SipHash-2-4 with a random key, because
 * customer ids come from the network and a flood of chosen ids must not
 * pile up in one chain.  Entries also form a list in the order they were
 * last noted, so expiry and eviction at the cap visit only what they
 * drop.  Events may come slightly out of order; an entry left behind in
 * that list only lives a little longer, and a stale one never counts,
 * since every hit checks the time difference itself.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "siphash.h"
#include "repeat.h"
#include "xmalloc.h"

#define REPEAT_TABLE_MIN	64

struct repeat_entry {
	struct repeat_entry	*next;		/* hash chain */
	struct repeat_entry	*prev_t, *next_t;	/* noted order */
	uint64_t		 hash;
	size_t			 len;
	double			 t;		/* last call's event time */
	int			 answered;
	int			 marked;	/* already counted repeated */
	char			 customer[EVENT_ID_MAX + 1];
	char			 call_id[EVENT_ID_MAX + 1];
	char			 queue[EVENT_ID_MAX + 1];
	char			 agent[EVENT_ID_MAX + 1];
	char			 team[EVENT_ID_MAX + 1];
};

struct repeat {
	size_t			  max;
	double			  window;
	uint64_t		  key[2];
	struct repeat_entry	**b;
	size_t			  mask;		/* buckets - 1 */
	size_t			  n;
	struct repeat_entry	 *head, *tail;	/* oldest noted first */
	uint64_t		  hits, expired, evicted;
};

static uint64_t	repeat_hash(const struct repeat *, const char *, size_t);
static void	repeat_resize(struct repeat *, size_t);
static struct repeat_entry *repeat_find(const struct repeat *, const char *,
		    size_t, uint64_t);
static void	repeat_unlink(struct repeat *, struct repeat_entry *);
static void	repeat_append(struct repeat *, struct repeat_entry *);
static void	repeat_remove(struct repeat *, struct repeat_entry *);
static void	repeat_copy(char *, const char *);
static void	repeat_set(struct repeat_entry *, const struct event *,
		    const char *, double);

/* SipHash-2-4 of len bytes. */
static uint64_t
repeat_hash(const struct repeat *r, const char *p, size_t len)
{
	return (siphash(r->key, p, len));
}

/* Rehash into size buckets (a power of two) using the stored hashes. */
static void
repeat_resize(struct repeat *r, size_t size)
{
	struct repeat_entry	**b, *e, *next;
	size_t			  i, h;

	b = xcalloc(size, sizeof *b);
	for (i = 0; i <= r->mask; i++) {
		for (e = r->b[i]; e != NULL; e = next) {
			next = e->next;
			h = e->hash & (size - 1);
			e->next = b[h];
			b[h] = e;
		}
	}
	free(r->b);
	r->b = b;
	r->mask = size - 1;
}

static struct repeat_entry *
repeat_find(const struct repeat *r, const char *name, size_t len, uint64_t h)
{
	struct repeat_entry	*e;

	for (e = r->b[h & r->mask]; e != NULL; e = e->next) {
		if (e->hash == h && e->len == len &&
		    memcmp(e->customer, name, len) == 0)
			return (e);
	}
	return (NULL);
}

/* Take e out of the noted-order list. */
static void
repeat_unlink(struct repeat *r, struct repeat_entry *e)
{
	if (e->prev_t != NULL)
		e->prev_t->next_t = e->next_t;
	else
		r->head = e->next_t;
	if (e->next_t != NULL)
		e->next_t->prev_t = e->prev_t;
	else
		r->tail = e->prev_t;
	e->prev_t = e->next_t = NULL;
}

static void
repeat_append(struct repeat *r, struct repeat_entry *e)
{
	e->next_t = NULL;
	e->prev_t = r->tail;
	if (r->tail != NULL)
		r->tail->next_t = e;
	else
		r->head = e;
	r->tail = e;
}

/* Unlink e from both its chain and the list, and free it. */
static void
repeat_remove(struct repeat *r, struct repeat_entry *e)
{
	struct repeat_entry	**pp;

	for (pp = &r->b[e->hash & r->mask]; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	repeat_unlink(r, e);
	r->n--;
	free(e);
}

/* Copy an event string into a field of EVENT_ID_MAX + 1 bytes. */
static void
repeat_copy(char *dst, const char *src)
{
	size_t	len = 0;

	if (src != NULL) {
		len = strnlen(src, EVENT_ID_MAX);
		memcpy(dst, src, len);
	}
	dst[len] = '\0';
}

/* Make e describe the call ev at t, counted in team. */
static void
repeat_set(struct repeat_entry *e, const struct event *ev, const char *team,
    double t)
{
	e->t = t;
	e->answered = repeat_answered(ev);
	e->marked = 0;
	repeat_copy(e->call_id, ev->call_id);
	repeat_copy(e->queue, ev->queue);
	repeat_copy(e->agent, ev->agent);
	repeat_copy(e->team, team);
}

struct repeat *
repeat_new(size_t max, double window)
{
	struct repeat	*r;

	r = xcalloc(1, sizeof *r);
	repeat_set_limits(r, max, window);
	siphash_key(r->key);
	r->b = xcalloc(REPEAT_TABLE_MIN, sizeof *r->b);
	r->mask = REPEAT_TABLE_MIN - 1;
	return (r);
}

void
repeat_free(struct repeat *r)
{
	struct repeat_entry	*e, *next;

	if (r == NULL)
		return;
	for (e = r->head; e != NULL; e = next) {
		next = e->next_t;
		free(e);
	}
	free(r->b);
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

int
repeat_note(struct repeat *r, const struct event *ev, const char *team,
    double t, struct repeat_hit *hit)
{
	struct repeat_entry	*e;
	uint64_t		 h;
	size_t			 len;
	int			 found = 0;

	if (ev->type != EVENT_CALL)
		return (0);
	len = strnlen(ev->customer, EVENT_ID_MAX + 1);
	if (len == 0 || len > EVENT_ID_MAX)
		return (0);
	if (team == NULL)
		team = ev->team;
	repeat_expire(r, t);

	h = repeat_hash(r, ev->customer, len);
	if ((e = repeat_find(r, ev->customer, len, h)) != NULL) {
		/* The same call again (another stint or a resend). */
		if (ev->call_id[0] != '\0' && strncmp(e->call_id, ev->call_id,
		    sizeof e->call_id) == 0)
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
			repeat_copy(hit->queue, ev->queue);
			repeat_copy(hit->agent, ev->agent);
			repeat_copy(hit->team, team);
			r->hits++;
			return (1);
		}
		if (e->answered && !e->marked && t - e->t <= r->window) {
			hit->t = e->t;
			memcpy(hit->queue, e->queue, sizeof hit->queue);
			memcpy(hit->agent, e->agent, sizeof hit->agent);
			memcpy(hit->team, e->team, sizeof hit->team);
			e->marked = 1;
			r->hits++;
			found = 1;
		}
		/* This call is now the customer's last. */
		repeat_unlink(r, e);
		repeat_set(e, ev, team, t);
		repeat_append(r, e);
		return (found);
	}

	if (r->max == 0)
		return (0);
	while (r->n >= r->max && r->head != NULL) {
		repeat_remove(r, r->head);
		r->evicted++;
	}
	e = xcalloc(1, sizeof *e);
	memcpy(e->customer, ev->customer, len);
	e->customer[len] = '\0';
	e->len = len;
	e->hash = h;
	repeat_set(e, ev, team, t);
	if (r->n + 1 > r->mask + 1)
		repeat_resize(r, (r->mask + 1) * 2);
	e->next = r->b[h & r->mask];
	r->b[h & r->mask] = e;
	r->n++;
	repeat_append(r, e);
	return (0);
}

size_t
repeat_expire(struct repeat *r, double now)
{
	struct repeat_entry	*e;
	size_t			 n = 0, size;

	while ((e = r->head) != NULL && e->t + r->window < now) {
		repeat_remove(r, e);
		n++;
	}
	r->expired += n;

	/* Give back the buckets of a table that has emptied. */
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
