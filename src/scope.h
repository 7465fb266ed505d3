/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Scopes: the global scope and every queue, agent and team, each with one
 * ring per configured window.  Looked up by (kind, name) in a seeded hash
 * table; new scopes beyond their kind's limit are refused, so memory is
 * bounded by the limits, not by the event rate.
 */
#ifndef SCOPE_H
#define SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "window.h"

struct totals;

/* A window's saved state (a ring_serialize() blob) not yet restored. */
struct scope_saved {
	unsigned char	*blob;		/* NULL: nothing saved */
	size_t		 len;
};

enum scope_kind {
	SCOPE_GLOBAL = 0,
	SCOPE_QUEUE,
	SCOPE_AGENT,
	SCOPE_TEAM,
	SCOPE_KIND_COUNT
};

/* What a lookup reads first, in the first cache line. */
struct scope {
	enum scope_kind	 kind;
	uint64_t	 hash;			/* of kind and name */
	struct scope	*next;			/* hash chain */
	char		*name;			/* "" for global; in the struct's
						   allocation */
	struct ring	**rings;		/* one per window, of set */
	struct ring_set	*set;
	struct totals	*totals;		/* since start; NULL for agents */
	uint64_t	 last_ms;		/* last event applied */
	uint64_t	 seq;			/* restored holding events to */
	struct scope_saved *saved;		/* per window; NULL: loaded */
	struct scope	*list_next;		/* all of one kind, in order */
	char		 team[65];		/* agent: last team seen */
};

struct scopes;

/* A table for nwindows windows and a per-kind limit (global ignored). */
struct scopes	*scopes_new(const struct window_def *, size_t,
		    const size_t[SCOPE_KIND_COUNT]);
void		 scopes_free(struct scopes *);
/* Change limits (reload); existing scopes stay. */
void		 scopes_set_limits(struct scopes *,
		    const size_t[SCOPE_KIND_COUNT]);
/*
 * Find a scope; NULL if absent.  This, scopes_get() and scopes_global()
 * hand out scopes whose saved windows are restored (SCOPE_LOAD).
 */
struct scope	*scopes_find(struct scopes *, enum scope_kind, const char *);
/* Find or create; NULL if new and the kind is at its limit. */
struct scope	*scopes_get(struct scopes *, enum scope_kind, const char *);
/*
 * The same in steps, so that several lookups' cache misses overlap:
 * scopes_prefetch() hashes a name of len bytes and starts loading its
 * bucket; scopes_prefetch_chain() (after the others' scopes_prefetch())
 * starts loading the bucket's first scope and its name; then
 * scopes_get_hashed() with that hash.
 */
uint64_t	 scopes_prefetch(struct scopes *, enum scope_kind,
		    const char *, size_t);
void		 scopes_prefetch_chain(struct scopes *, uint64_t);
struct scope	*scopes_get_hashed(struct scopes *, enum scope_kind,
		    const char *, size_t, uint64_t);
struct scope	*scopes_global(struct scopes *);

/*
 * Restore at first use.  At start the saved windows of every scope are
 * only kept (scopes_save, a copy of the blob) on a scope made without
 * restoring (scopes_make); a scope's windows are restored the first time
 * it is used, or by scopes_load_some() in the background.  Code that
 * walks scopes with scopes_first() and list_next must SCOPE_LOAD each
 * scope before it reads its rings.
 */
struct scope	*scopes_make(struct scopes *, enum scope_kind, const char *);
void		 scopes_save(struct scopes *, struct scope *, size_t,
		    const unsigned char *, size_t);
void		 scopes_load(struct scopes *, struct scope *);
#define SCOPE_LOAD(s, sc) do {						\
	if ((sc)->saved != NULL)					\
		scopes_load((s), (sc));					\
} while (0)
/* Restore saved scopes for about budget_us; returns how many remain. */
size_t		 scopes_load_some(struct scopes *, uint64_t);
size_t		 scopes_saved(const struct scopes *);	/* still to load */
uint64_t	 scopes_load_errors(const struct scopes *); /* malformed */
/* First scope of a kind in creation order; follow list_next. */
struct scope	*scopes_first(struct scopes *, enum scope_kind);
size_t		 scopes_count(const struct scopes *, enum scope_kind);
struct sketch_pool *scopes_pool(struct scopes *);
const struct window_def *scopes_window(const struct scopes *, size_t);
size_t		 scopes_nwindows(const struct scopes *);
/* Window index of a name, or -1. */
int		 scopes_window_index(const struct scopes *, const char *);
/*
 * Add c at event time t_ms, the clock being now_ms, to every window of a
 * scope (ring_set_add()); -1 if t_ms is outside all of them.
 */
int		 scope_add(struct scope *, uint64_t, uint64_t,
		    const struct contrib *);
const char	*scope_kind_name(enum scope_kind);
int		 scope_kind_parse(const char *);	/* -1 if unknown */

#endif
