/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The scope table.  Names come from the network, so the hash is SipHash-1-3
 * with a random key: an attacker who floods agent ids cannot aim them at
 * one chain.  Each kind has a hard limit; a new scope past it is refused
 * and the caller counts the event as rejected.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "clock.h"
#include "log.h"
#include "scope.h"
#include "siphash.h"
#include "totals.h"
#include "xmalloc.h"

struct scopes {
	struct window_def	*windows;
	size_t			 nwindows;
	size_t			 limit[SCOPE_KIND_COUNT];
	size_t			 count[SCOPE_KIND_COUNT];
	struct scope		*first[SCOPE_KIND_COUNT];
	struct scope		*last[SCOPE_KIND_COUNT];
	struct scope		**table;
	size_t			 mask;		/* table size - 1 */
	size_t			 total;
	uint64_t		 key[2];
	struct sketch_pool	*pool;
	size_t			 nsaved;	/* scopes not yet restored */
	struct arena		*saved_arena;	/* their saved windows */
	uint64_t		 load_errors;	/* malformed saved windows */
	int			 load_kind;	/* scopes_load_some() cursor */
	struct scope		*load_next;
};

static void	scopes_drop_saved(struct scopes *, struct scope *);
static struct scope *scopes_make_hashed(struct scopes *, enum scope_kind,
		    const char *, size_t, uint64_t);

static const char *scope_kind_names[SCOPE_KIND_COUNT] = {
	"global", "queue", "agent", "team"
};

/* SipHash-1-3 of the kind byte followed by the name. */
static uint64_t
scopes_hash(const struct scopes *s, enum scope_kind kind, const char *name,
    size_t len)
{
	unsigned char	buf[1 + 256];

	if (len >= sizeof buf)
		len = sizeof buf - 1;	/* names are at most 64 bytes */
	buf[0] = (unsigned char)kind;
	memcpy(buf + 1, name, len);
	return (siphash(s->key, buf, len + 1));
}

struct scopes *
scopes_new(const struct window_def *windows, size_t nwindows,
    const size_t limit[SCOPE_KIND_COUNT])
{
	struct scopes	*s;

	s = xcalloc(1, sizeof *s);
	s->windows = xcalloc(nwindows, sizeof *s->windows);
	memcpy(s->windows, windows, nwindows * sizeof *windows);
	s->nwindows = nwindows;
	memcpy(s->limit, limit, sizeof s->limit);
	s->mask = 255;
	s->table = xcalloc(s->mask + 1, sizeof *s->table);
	siphash_key(s->key);
	s->pool = sketch_pool_new();
	scopes_get(s, SCOPE_GLOBAL, "");
	return (s);
}

void
scopes_free(struct scopes *s)
{
	struct scope	*sc, *next;
	int		 k;

	if (s == NULL)
		return;
	for (k = 0; k < SCOPE_KIND_COUNT; k++) {
		for (sc = s->first[k]; sc != NULL; sc = next) {
			next = sc->list_next;
			scopes_drop_saved(s, sc);
			ring_set_free(sc->set);
			totals_free(sc->totals);
			free(sc);
		}
	}
	arena_free(s->saved_arena);	/* already, unless none was saved */
	sketch_pool_free(s->pool);
	free(s->table);
	free(s->windows);
	free(s);
}

void
scopes_set_limits(struct scopes *s, const size_t limit[SCOPE_KIND_COUNT])
{
	memcpy(s->limit, limit, sizeof s->limit);
}

static void
scopes_grow(struct scopes *s)
{
	struct scope	**table, *sc, *next;
	size_t		  i, mask = s->mask * 2 + 1;

	table = xcalloc(mask + 1, sizeof *table);
	for (i = 0; i <= s->mask; i++) {
		for (sc = s->table[i]; sc != NULL; sc = next) {
			size_t	h;

			next = sc->next;
			h = sc->hash & mask;
			sc->next = table[h];
			table[h] = sc;
		}
	}
	free(s->table);
	s->table = table;
	s->mask = mask;
}

struct scope *
scopes_find(struct scopes *s, enum scope_kind kind, const char *name)
{
	struct scope	*sc;
	uint64_t	 h;

	h = scopes_hash(s, kind, name, strlen(name));
	for (sc = s->table[h & s->mask]; sc != NULL; sc = sc->next) {
		if (sc->hash == h && sc->kind == kind &&
		    strcmp(sc->name, name) == 0) {
			SCOPE_LOAD(s, sc);
			return (sc);
		}
	}
	return (NULL);
}

struct scope *
scopes_get(struct scopes *s, enum scope_kind kind, const char *name)
{
	size_t	 len = strlen(name);

	return (scopes_get_hashed(s, kind, name, len,
	    scopes_hash(s, kind, name, len)));
}

uint64_t
scopes_prefetch(struct scopes *s, enum scope_kind kind, const char *name,
    size_t len)
{
	uint64_t	h = scopes_hash(s, kind, name, len);

	__builtin_prefetch(&s->table[h & s->mask]);
	return (h);
}

void
scopes_prefetch_chain(struct scopes *s, uint64_t h)
{
	struct scope	*sc = s->table[h & s->mask];

	if (sc != NULL) {
		__builtin_prefetch(sc);
		__builtin_prefetch(sc + 1);	/* its name */
	}
}

struct scope *
scopes_get_hashed(struct scopes *s, enum scope_kind kind, const char *name,
    size_t len, uint64_t h)
{
	struct scope	*sc;

	if ((sc = scopes_make_hashed(s, kind, name, len, h)) != NULL)
		SCOPE_LOAD(s, sc);
	return (sc);
}

struct scope *
scopes_make(struct scopes *s, enum scope_kind kind, const char *name)
{
	size_t	 len = strlen(name);

	return (scopes_make_hashed(s, kind, name, len,
	    scopes_hash(s, kind, name, len)));
}

static struct scope *
scopes_make_hashed(struct scopes *s, enum scope_kind kind, const char *name,
    size_t len, uint64_t h)
{
	struct scope	*sc;

	for (sc = s->table[h & s->mask]; sc != NULL; sc = sc->next) {
		if (sc->hash == h && sc->kind == kind &&
		    strcmp(sc->name, name) == 0)
			return (sc);
	}
	if (kind != SCOPE_GLOBAL && s->count[kind] >= s->limit[kind])
		return (NULL);

	/* The name after the struct: one allocation, one cache miss less. */
	sc = xcalloc(1, sizeof *sc + len + 1);
	sc->kind = kind;
	sc->name = (char *)(sc + 1);
	memcpy(sc->name, name, len + 1);
	sc->hash = h;
	sc->set = ring_set_new(s->windows, s->nwindows,
	    kind == SCOPE_AGENT && s->nwindows > 0 ?
	    s->windows[0].agent_group : 1, s->pool);
	sc->rings = ring_set_rings(sc->set);
	/* Agents are too many to export; their totals are not kept. */
	if (kind != SCOPE_AGENT)
		sc->totals = totals_new();
	sc->next = s->table[h & s->mask];
	s->table[h & s->mask] = sc;
	if (s->last[kind] != NULL)
		s->last[kind]->list_next = sc;
	else
		s->first[kind] = sc;
	s->last[kind] = sc;
	s->count[kind]++;
	if (++s->total > s->mask + 1)
		scopes_grow(s);
	return (sc);
}

struct scope *
scopes_global(struct scopes *s)
{
	struct scope	*sc = s->first[SCOPE_GLOBAL];

	SCOPE_LOAD(s, sc);
	return (sc);
}

/* Keep a copy of window w's saved state until the scope is used. */
void
scopes_save(struct scopes *s, struct scope *sc, size_t w,
    const unsigned char *blob, size_t len)
{
	if (w >= s->nwindows || len == 0)
		return;
	/* Out of the heap: unmapped whole once every scope is restored. */
	if (s->saved_arena == NULL)
		s->saved_arena = arena_new(0);
	if (sc->saved == NULL) {
		sc->saved = arena_alloc(s->saved_arena, s->nwindows *
		    sizeof *sc->saved);
		memset(sc->saved, 0, s->nwindows * sizeof *sc->saved);
		s->nsaved++;
	}
	sc->saved[w].blob = arena_dup(s->saved_arena, blob, len);
	sc->saved[w].len = len;
}

static void
scopes_drop_saved(struct scopes *s, struct scope *sc)
{
	if (sc->saved == NULL)
		return;
	sc->saved = NULL;
	if (--s->nsaved == 0) {
		arena_free(s->saved_arena);
		s->saved_arena = NULL;
	}
}

/* Restore a scope's saved windows into its (empty) rings, now. */
void
scopes_load(struct scopes *s, struct scope *sc)
{
	struct scope_saved	*sv = sc->saved;
	uint64_t		 now_ms;
	size_t			 w;

	if (sv == NULL)
		return;
	now_ms = clock_now_ms();
	for (w = 0; w < s->nwindows; w++) {
		if (sv[w].blob == NULL)
			continue;
		if (ring_restore(sc->rings[w], &s->windows[w], now_ms,
		    sv[w].blob, sv[w].len, s->pool) != 0) {
			s->load_errors++;
			log_warnx("restore: %s %s, window %s: malformed saved "
			    "state dropped", scope_kind_name(sc->kind),
			    *sc->name != '\0' ? sc->name : "-",
			    s->windows[w].name);
		}
	}
	scopes_drop_saved(s, sc);
}

static uint64_t
scopes_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

size_t
scopes_load_some(struct scopes *s, uint64_t budget_us)
{
	uint64_t	start = scopes_usec();

	while (s->nsaved > 0) {
		while (s->load_next == NULL) {
			if (s->load_kind >= SCOPE_KIND_COUNT) {
				s->load_kind = 0;	/* saved since: again */
				return (s->nsaved);
			}
			s->load_next = s->first[s->load_kind++];
		}
		SCOPE_LOAD(s, s->load_next);
		s->load_next = s->load_next->list_next;
		if (scopes_usec() - start >= budget_us)
			break;
	}
	return (s->nsaved);
}

size_t
scopes_saved(const struct scopes *s)
{
	return (s->nsaved);
}

uint64_t
scopes_load_errors(const struct scopes *s)
{
	return (s->load_errors);
}

struct scope *
scopes_first(struct scopes *s, enum scope_kind kind)
{
	return (s->first[kind]);
}

size_t
scopes_count(const struct scopes *s, enum scope_kind kind)
{
	return (s->count[kind]);
}

struct sketch_pool *
scopes_pool(struct scopes *s)
{
	return (s->pool);
}

const struct window_def *
scopes_window(const struct scopes *s, size_t i)
{
	return (&s->windows[i]);
}

size_t
scopes_nwindows(const struct scopes *s)
{
	return (s->nwindows);
}

int
scopes_window_index(const struct scopes *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->nwindows; i++) {
		if (strcmp(s->windows[i].name, name) == 0)
			return ((int)i);
	}
	return (-1);
}

int
scope_add(struct scope *sc, uint64_t t_ms, uint64_t now_ms,
    const struct contrib *c)
{
	return (ring_set_add(sc->set, t_ms, now_ms, c));
}

const char *
scope_kind_name(enum scope_kind kind)
{
	if (kind < 0 || kind >= SCOPE_KIND_COUNT)
		return ("unknown");
	return (scope_kind_names[kind]);
}

int
scope_kind_parse(const char *name)
{
	int	k;

	for (k = 0; k < SCOPE_KIND_COUNT; k++) {
		if (strcmp(name, scope_kind_names[k]) == 0)
			return (k);
	}
	return (-1);
}
