/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Rolling windows.  A window of span S is a ring of N slots of S/N
 * milliseconds each; slot k holds the aggregates of steady-epoch times
 * [k * slot_ms, (k + 1) * slot_ms).  The window at time now is the sum of
 * the N slots ending with the current one.  A slot is cleared lazily when
 * it is reused for a newer k, so nothing runs per tick and memory is
 * fixed per scope.
 */
#ifndef WINDOW_H
#define WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"

#define WINDOW_NAME_MAX	15

struct window_def {
	char		name[WINDOW_NAME_MAX + 1];	/* "5m" */
	uint64_t	span_ms;
	uint32_t	nslots;
	uint64_t	slot_ms;			/* span_ms / nslots */
	unsigned int	agent_group;	/* agents' distributions: buckets
					   per bucket (sketch_group()); 0
					   or 1: all; WINDOW_AGENT_NODIST:
					   none */
};

#define WINDOW_AGENT_NODIST	AGG_NODIST

struct ring;
struct ring_set;

/* Fill def from a name like "15m" and a slot count; -1 if invalid. */
int		 window_def_init(struct window_def *, const char *, uint32_t);
/* Parse "30s", "5m", "1h", "2d" into milliseconds; -1 if invalid. */
int		 window_parse_span(const char *, uint64_t *);

struct ring	*ring_new(const struct window_def *);
/* Give back r's slots and free it; a ring of a set only gives back. */
void		 ring_free(struct ring *, struct sketch_pool *);
/*
 * The rings of one scope, one per definition (defs, n), in one block,
 * with their slots from pool.  ring_set_add() is ring_add() to each,
 * staged: what falls in the current slot of every ring is gathered and
 * added to them all when the clock moves past it, when the stage fills
 * up, or before anything reads one of the rings.  Results are the same
 * as with ring_add().  group: values count in the bucket sketch_group()
 * gives for groups of that many buckets (0 or 1: as they are), or, if
 * it is WINDOW_AGENT_NODIST, not at all.
 */
struct ring_set	*ring_set_new(const struct window_def *, size_t,
		    unsigned int, struct sketch_pool *);
void		 ring_set_free(struct ring_set *);
/* The n rings, in the definitions' order; they belong to the set. */
struct ring	**ring_set_rings(struct ring_set *);
/* ring_add() to every ring; -1 if t_ms is outside all their windows. */
int		 ring_set_add(struct ring_set *, uint64_t, uint64_t,
		    const struct contrib *);
/* Add what is staged now. */
void		 ring_set_flush(struct ring_set *);
/*
 * Add c at event time t_ms, the clock being now_ms.  Times in the future
 * count as now; returns -1 (and adds nothing) if t_ms is already outside
 * the window.
 */
int		 ring_add(struct ring *, const struct window_def *,
		    uint64_t t_ms, uint64_t now_ms, const struct contrib *,
		    struct sketch_pool *);
/*
 * out = sum of the live slots at now_ms; out's sketches from pool.  out is
 * overwritten, not freed: agg_clear() it first if it holds sketches.
 */
void		 ring_sum(const struct ring *, const struct window_def *,
		    uint64_t, struct agg *, struct sketch_pool *);
/*
 * As ring_sum(), over only the live slots that start in [from_ms, to_ms):
 * ring_sum_range(r, def, from_ms, to_ms, now_ms, out, pool).
 */
void		 ring_sum_range(const struct ring *, const struct window_def *,
		    uint64_t, uint64_t, uint64_t, struct agg *,
		    struct sketch_pool *);
/* Expire slots older than the window at now_ms; returns slots cleared. */
size_t		 ring_expire(struct ring *, const struct window_def *,
		    uint64_t, struct sketch_pool *);
int		 ring_is_empty(const struct ring *);
/*
 * Serialize the live slots (with their start times) into a buffer the
 * caller frees; *len is its size.  ring_restore() adds a serialized ring
 * into r, re-binning slots by start time if the definition changed, and
 * skipping slots already outside the window; -1 if the blob is malformed.
 */
unsigned char	*ring_serialize(const struct ring *, const struct window_def *,
		    uint64_t, size_t *);
/*
 * The same into *buf, of *cap bytes (NULL, 0: none yet), grown as needed
 * and kept by the caller for the next: returns the blob's length.
 */
size_t		 ring_serialize_buf(const struct ring *,
		    const struct window_def *, uint64_t, unsigned char **,
		    size_t *);
int		 ring_restore(struct ring *, const struct window_def *,
		    uint64_t, const unsigned char *, size_t,
		    struct sketch_pool *);

#endif
