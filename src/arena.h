/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * A bump allocator for memory that is made in one go and freed in one go
 * (a snapshot's rows, the saved state waiting to be restored).  Its
 * chunks are mapped straight from the kernel and unmapped by
 * arena_free(), so hundreds of megabytes of such data never sit in
 * malloc's heap, where what is freed between live allocations stays in
 * the process; only a couple of chunks of the default size are kept for
 * the next arena (arena.c).  Exits on failure, as xmalloc does.
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
/* Chunks kept mapped for the next arena (at most 2). */
size_t		 arena_kept_chunks(void);

/*
 * An array of elements of one size that grows in blocks taken from an
 * arena and never moves: appending costs no copy however long it gets.
 * (A snapshot's row arrays grown by realloc() copied up to 64 MB at
 * once, stalling the loop for 20 ms: docs/performance.md.)  Only the
 * index of blocks is malloc()ed; arena_vec_free() frees that, the
 * blocks go with the arena.
 */
#define ARENA_VEC_SHIFT	12			/* 4,096 elements a block */
#define ARENA_VEC_BLOCK	((size_t)1 << ARENA_VEC_SHIFT)

struct arena_vec {
	struct arena	*arena;
	size_t		 size;		/* of an element */
	size_t		 n;		/* elements */
	char		**blocks;
	size_t		 nblocks, cap;
};

void	 arena_vec_init(struct arena_vec *, struct arena *, size_t);
void	 arena_vec_free(struct arena_vec *);
/* A new element at the end, zeroed. */
void	*arena_vec_add(struct arena_vec *);

/* Element i (< n). */
static inline void *
arena_vec_at(const struct arena_vec *v, size_t i)
{
	return (v->blocks[i >> ARENA_VEC_SHIFT] +
	    (i & (ARENA_VEC_BLOCK - 1)) * v->size);
}

#endif
