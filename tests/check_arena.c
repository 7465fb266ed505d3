/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The bump allocator: alignment, chunks, requests larger than a chunk,
 * the counters, and that what it hands out is the caller's to write.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"

START_TEST(test_small)
{
	struct arena	*a;
	char		*p[1000], *s;
	size_t		 i, page = (size_t)sysconf(_SC_PAGESIZE);

	a = arena_new(page);
	ck_assert_uint_eq(arena_used(a), 0);
	ck_assert_uint_eq(arena_mapped(a), 0);
	for (i = 0; i < 1000; i++) {
		p[i] = arena_alloc(a, 1 + i % 40);
		ck_assert_uint_eq((uintptr_t)p[i] % 16, 0);
		memset(p[i], (int)(i & 0xff), 1 + i % 40);
	}
	/* Nothing overlaps: each still holds what was written. */
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq((unsigned char)p[i][0], i & 0xff);
		ck_assert_int_eq((unsigned char)p[i][i % 40], i & 0xff);
	}
	/* 25 times 1 to 40 bytes, taking 16, 32 or 48 each. */
	ck_assert_uint_eq(arena_used(a), 25 * (40 * 41 / 2));
	ck_assert_uint_ge(arena_mapped(a), 25 * (16 * 16 + 16 * 32 +
	    8 * 48));
	ck_assert_uint_eq(arena_mapped(a) % page, 0);

	s = arena_strdup(a, "queue-7");
	ck_assert_str_eq(s, "queue-7");
	ck_assert_ptr_ne(s, (char *)"queue-7");
	ck_assert_int_eq(memcmp(arena_dup(a, "\0\1\2", 3), "\0\1\2", 3), 0);
	arena_free(a);
	arena_free(NULL);
}
END_TEST

/*
 * A request larger than the chunk gets its own; the chunk being filled
 * keeps its room.
 */
START_TEST(test_large)
{
	struct arena	*a;
	unsigned char	*p1, *big, *p2;
	size_t		 page = (size_t)sysconf(_SC_PAGESIZE);
	size_t		 mapped;

	a = arena_new(4 * page);
	p1 = arena_alloc(a, 16);
	mapped = arena_mapped(a);
	ck_assert_uint_eq(mapped, 4 * page);
	big = arena_alloc(a, 10 * page);
	memset(big, 0xab, 10 * page);
	ck_assert_uint_ge(arena_mapped(a), mapped + 10 * page);
	mapped = arena_mapped(a);
	/* The next small one comes from the first chunk, right after p1. */
	p2 = arena_alloc(a, 16);
	ck_assert_ptr_eq(p2, p1 + 16);
	ck_assert_uint_eq(arena_mapped(a), mapped);
	ck_assert_int_eq(big[10 * page - 1], 0xab);
	ck_assert_uint_eq(arena_used(a), 32 + 10 * page);
	arena_free(a);

	/* The default chunk is 4 MiB. */
	a = arena_new(0);
	(void)arena_alloc(a, 1);
	ck_assert_uint_eq(arena_mapped(a), 4 * 1024 * 1024);
	arena_free(a);
}
END_TEST

/*
 * An arena_vec: elements zeroed, indexed across blocks, never moved,
 * whatever their size (one larger than the arena's chunk per block too).
 */
START_TEST(test_vec)
{
	struct elem { uint64_t v; char pad[24]; };
	struct arena		*a;
	struct arena_vec	 v, big;
	struct elem		*e, *first;
	unsigned char		*b;
	size_t			 i, n = 3 * ARENA_VEC_BLOCK + 17;

	a = arena_new(0);
	arena_vec_init(&v, a, sizeof(struct elem));
	ck_assert_uint_eq(v.n, 0);
	for (i = 0; i < n; i++) {
		e = arena_vec_add(&v);
		ck_assert_uint_eq(e->v, 0);
		ck_assert_int_eq(e->pad[23], 0);
		e->v = i * 7;
		if (i == 0)
			first = e;
	}
	ck_assert_uint_eq(v.n, n);
	ck_assert_uint_eq(v.nblocks, 4);
	ck_assert_ptr_eq(arena_vec_at(&v, 0), first);
	for (i = 0; i < n; i++) {
		e = arena_vec_at(&v, i);
		ck_assert_uint_eq(e->v, i * 7);
	}
	/* Consecutive within a block, not across. */
	ck_assert_ptr_eq((struct elem *)arena_vec_at(&v, 1), first + 1);
	ck_assert_ptr_eq((struct elem *)arena_vec_at(&v,
	    ARENA_VEC_BLOCK - 1), first + ARENA_VEC_BLOCK - 1);

	/* 2 KiB elements: a block of 8 MiB, more than a chunk. */
	arena_vec_init(&big, a, 2048);
	for (i = 0; i < ARENA_VEC_BLOCK + 1; i++) {
		b = arena_vec_add(&big);
		memset(b, (int)(i & 0xff), 2048);
	}
	b = arena_vec_at(&big, ARENA_VEC_BLOCK);
	ck_assert_int_eq(b[2047], ARENA_VEC_BLOCK & 0xff);
	b = arena_vec_at(&big, 300);
	ck_assert_int_eq(b[0], 300 & 0xff);
	/* The small one's blocks are untouched by the large one's. */
	e = arena_vec_at(&v, n - 1);
	ck_assert_uint_eq(e->v, (n - 1) * 7);

	arena_vec_free(&v);
	arena_vec_free(&big);
	ck_assert_uint_eq(v.n, 0);
	ck_assert_ptr_null(v.blocks);
	arena_free(a);
}
END_TEST

/*
 * Default-size chunks are kept for the next arena, two at most; others
 * are unmapped.
 */
START_TEST(test_keep)
{
	struct arena	*a, *b, *c;
	void		*pa, *pb, *pc;
	size_t		 page = (size_t)sysconf(_SC_PAGESIZE);

	/* Empty the list first: whatever earlier tests left. */
	a = arena_new(0);
	b = arena_new(0);
	(void)arena_alloc(a, 1);
	(void)arena_alloc(b, 1);
	arena_free(a);
	arena_free(b);
	ck_assert_uint_eq(arena_kept_chunks(), 2);

	a = arena_new(0);
	b = arena_new(0);
	c = arena_new(0);
	pa = arena_alloc(a, 100);
	pb = arena_alloc(b, 100);
	ck_assert_uint_eq(arena_kept_chunks(), 0);
	pc = arena_alloc(c, 100);		/* a fresh one */
	memset(pc, 0x5a, 100);
	arena_free(a);
	arena_free(b);
	arena_free(c);				/* one too many: unmapped */
	ck_assert_uint_eq(arena_kept_chunks(), 2);

	/* The next arenas get the kept chunks, the same memory. */
	a = arena_new(0);
	b = arena_new(0);
	pc = arena_alloc(a, 100);
	ck_assert(pc == pa || pc == pb);
	pc = arena_alloc(b, 100);
	ck_assert(pc == pa || pc == pb);
	ck_assert_uint_eq(arena_kept_chunks(), 0);
	ck_assert_uint_eq(arena_mapped(a), 4 * 1024 * 1024);
	ck_assert_uint_eq(arena_used(a), 100);
	arena_free(a);
	arena_free(b);

	/* A chunk of another size is never kept. */
	a = arena_new(4 * page);
	(void)arena_alloc(a, 1);
	arena_free(a);
	ck_assert_uint_eq(arena_kept_chunks(), 2);
}
END_TEST

static Suite *
arena_suite(void)
{
	Suite	*s = suite_create("arena");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_small);
	tcase_add_test(tc, test_large);
	tcase_add_test(tc, test_vec);
	tcase_add_test(tc, test_keep);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(arena_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed ? 1 : 0);
}
