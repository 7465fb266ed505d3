/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Bump allocation in chunks from mmap(); see arena.h.  A request larger
 * than the chunk size gets a chunk of its own.  The chunk being filled is
 * the list's head; a large request's own chunk goes behind it, so the
 * head keeps its room.
 *
 * Up to ARENA_KEEP chunks of the default size are kept when freed, mapped
 * with their pages resident, for the next arena: without them a
 * snapshot's first scope (the global one, half a megabyte of blobs)
 * faulted in every page of its chunk within one loop turn, 1.7 ms of a
 * 3.5 ms turn (docs/performance.md).  The writer thread frees snapshots,
 * so the kept list has a lock.
 */
#include <sys/mman.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"
#include "xmalloc.h"

#define ARENA_CHUNK	(4 * 1024 * 1024)
#define ARENA_ALIGN	16
#define ARENA_KEEP	2		/* chunks kept for the next arena */

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size;		/* mapped, header included */
	size_t			 used;		/* header included */
};

struct arena {
	struct arena_chunk	*head;
	size_t			 chunk;
	size_t			 used, mapped;
};

static pthread_mutex_t		 arena_kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct arena_chunk	*arena_kept;
static size_t			 arena_nkept;

/* The header rounded up so that what follows it is aligned. */
#define ARENA_HDR	((sizeof(struct arena_chunk) + ARENA_ALIGN - 1) & \
			    ~(size_t)(ARENA_ALIGN - 1))

struct arena *
arena_new(size_t chunk)
{
	struct arena	*a;
	size_t		 page = (size_t)sysconf(_SC_PAGESIZE);

	a = xcalloc(1, sizeof *a);
	if (chunk == 0)
		chunk = ARENA_CHUNK;
	a->chunk = (chunk + page - 1) / page * page;
	return (a);
}

void
arena_free(struct arena *a)
{
	struct arena_chunk	*c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		if (c->size == ARENA_CHUNK) {
			pthread_mutex_lock(&arena_kept_lock);
			if (arena_nkept < ARENA_KEEP) {
				c->next = arena_kept;
				arena_kept = c;
				arena_nkept++;
				c = NULL;
			}
			pthread_mutex_unlock(&arena_kept_lock);
			if (c == NULL)
				continue;
		}
		if (munmap(c, c->size) != 0)
			fatal("arena: munmap");
	}
	free(a);
}

static struct arena_chunk *
arena_map(struct arena *a, size_t need)
{
	struct arena_chunk	*c;
	size_t			 size, page = (size_t)sysconf(_SC_PAGESIZE);

	if (need > SIZE_MAX - ARENA_HDR - page)
		fatalx("arena: allocating %zu bytes", need);
	size = (ARENA_HDR + need + page - 1) / page * page;
	if (size < a->chunk)
		size = a->chunk;
	c = NULL;
	if (size == ARENA_CHUNK) {
		pthread_mutex_lock(&arena_kept_lock);
		if ((c = arena_kept) != NULL) {
			arena_kept = c->next;
			arena_nkept--;
		}
		pthread_mutex_unlock(&arena_kept_lock);
	}
	if (c == NULL && (c = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		fatal("arena: mapping %zu bytes", size);
	c->size = size;
	c->used = ARENA_HDR;
	a->mapped += size;
	return (c);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk	*c = a->head;
	size_t			 n2;
	void			*p;

	if (n == 0)
		fatalx("arena: zero size");
	if (n > SIZE_MAX - ARENA_ALIGN)
		fatalx("arena: allocating %zu bytes", n);
	n2 = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (c == NULL || c->size - c->used < n2) {
		c = arena_map(a, n2);
		if (a->head != NULL && n2 > a->chunk - ARENA_HDR) {
			/* Its own chunk, full: behind the one being filled. */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)c + c->used;
	c->used += n2;
	a->used += n;
	return (p);
}

void *
arena_dup(struct arena *a, const void *src, size_t n)
{
	return (memcpy(arena_alloc(a, n), src, n));
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return (arena_dup(a, s, strlen(s) + 1));
}

size_t
arena_used(const struct arena *a)
{
	return (a->used);
}

size_t
arena_mapped(const struct arena *a)
{
	return (a->mapped);
}

size_t
arena_kept_chunks(void)
{
	size_t	n;

	pthread_mutex_lock(&arena_kept_lock);
	n = arena_nkept;
	pthread_mutex_unlock(&arena_kept_lock);
	return (n);
}

void
arena_vec_init(struct arena_vec *v, struct arena *a, size_t size)
{
	memset(v, 0, sizeof *v);
	v->arena = a;
	v->size = size;
}

void
arena_vec_free(struct arena_vec *v)
{
	free(v->blocks);
	v->blocks = NULL;
	v->n = v->nblocks = v->cap = 0;
}

void *
arena_vec_add(struct arena_vec *v)
{
	void	*p;

	if ((v->n >> ARENA_VEC_SHIFT) == v->nblocks) {
		if (v->nblocks == v->cap) {
			v->cap = v->cap == 0 ? 16 : v->cap * 2;
			v->blocks = xreallocarray(v->blocks, v->cap,
			    sizeof *v->blocks);
		}
		if (v->size > SIZE_MAX / ARENA_VEC_BLOCK)
			fatalx("arena: elements of %zu bytes", v->size);
		v->blocks[v->nblocks++] = arena_alloc(v->arena,
		    ARENA_VEC_BLOCK * v->size);
	}
	p = arena_vec_at(v, v->n++);
	return (memset(p, 0, v->size));
}
