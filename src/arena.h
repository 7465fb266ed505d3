/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * A bump allocator for memory that is made in one go and freed in one go
 * (a snapshot's rows, the saved state waiting to be restored).  Its
 * chunks are mapped straight from the kernel and unmapped by
 * arena_free(), so hundreds of megabytes of such data never sit in
 * malloc's heap, where what is freed between live allocations stays in
 * the process.  Exits on failure, as xmalloc does.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena;

/* An arena that maps chunks of at least chunk bytes (0: 4 MiB). */
struct arena	*arena_new(size_t);
void		 arena_free(struct arena *);		/* NULL is fine */
/* n bytes (n > 0), aligned for any type, until arena_free(). */
void		*arena_alloc(struct arena *, size_t);
void		*arena_dup(struct arena *, const void *, size_t);
char		*arena_strdup(struct arena *, const char *);
/* Bytes handed out, and bytes mapped. */
size_t		 arena_used(const struct arena *);
size_t		 arena_mapped(const struct arena *);

#endif
