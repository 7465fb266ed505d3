/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for the quantile sketch: bucket mapping, accuracy against exact
 * quantiles of the same rank on several distributions, zeros, merging,
 * the sparse encoding including malformed input, and the sparse entry
 * form slots use (same encoding, same merge).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sketch.h"

static uint64_t	rng_state;

static void	rng_seed(uint64_t);
static double	rng_uniform(void);
static double	rng_normal(void);
static int	cmp_double(const void *, const void *);
static double	exact_quantile(const double *, size_t, double);
static void	check_accuracy(double *, size_t);
static int	sketch_consistent(const struct sketch *);
static size_t	to_sparse(const struct sketch *, uint32_t, uint32_t *);
static void	visit_cb(void *, int, uint64_t);

static const double qs[] = {
	0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1
};

/* splitmix64: deterministic, so failures reproduce. */
static void
rng_seed(uint64_t seed)
{
	rng_state = seed;
}

static double
rng_uniform(void)
{
	uint64_t	z;

	z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) / 9007199254740992.0);	/* [0, 1) */
}

static double
rng_normal(void)
{
	double	u1, u2;

	do {
		u1 = rng_uniform();
	} while (u1 == 0);
	u2 = rng_uniform();
	return (sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* The sample of rank max(1, ceil(q * n)), as the sketch defines it. */
static double
exact_quantile(const double *sorted, size_t n, double q)
{
	double	r;
	size_t	rank;

	r = ceil(q * (double)n);
	rank = r < 1 ? 1 : (size_t)r;
	if (rank > n)
		rank = n;
	return (sorted[rank - 1]);
}

static void
check_accuracy(double *v, size_t n)
{
	struct sketch	*s;
	double		 exact, est;
	size_t		 i;

	s = malloc(sizeof *s);
	ck_assert_ptr_nonnull(s);
	sketch_reset(s);
	for (i = 0; i < n; i++)
		sketch_add(s, v[i]);
	ck_assert_uint_eq(s->count, n);
	qsort(v, n, sizeof *v, cmp_double);
	for (i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		exact = exact_quantile(v, n, qs[i]);
		est = sketch_quantile(s, qs[i]);
		if (exact < SKETCH_MIN) {
			ck_assert_msg(est == 0, "q %g: %g for %g", qs[i], est,
			    exact);
			continue;
		}
		ck_assert_msg(fabs(est - exact) <= 0.01 * exact * (1 + 1e-9),
		    "q %g: estimate %.9g, exact %.9g", qs[i], est, exact);
	}
	free(s);
}

/* count must equal zeros plus every bucket. */
static int
sketch_consistent(const struct sketch *s)
{
	uint64_t	sum = s->zero;
	size_t		i;

	for (i = 0; i < SKETCH_NBUCKETS; i++)
		sum += s->bucket[i];
	return (sum == s->count);
}

/* The entries of s in codes base and up, as agg.c keeps them. */
static size_t
to_sparse(const struct sketch *s, uint32_t base, uint32_t *ent)
{
	size_t	n = 0, i;

	if (s->zero != 0)
		ent[n++] = base << SKETCH_SPARSE_SHIFT | (uint32_t)s->zero;
	for (i = 0; i < SKETCH_NBUCKETS; i++) {
		if (s->bucket[i] != 0)
			ent[n++] = (base + 1 + (uint32_t)i) <<
			    SKETCH_SPARSE_SHIFT | s->bucket[i];
	}
	return (n);
}

struct visit {
	int		idx[SKETCH_NBUCKETS + 1];
	uint64_t	n[SKETCH_NBUCKETS + 1];
	size_t		calls;
};

static void
visit_cb(void *arg, int i, uint64_t n)
{
	struct visit	*v = arg;

	v->idx[v->calls] = i;
	v->n[v->calls] = n;
	v->calls++;
}

START_TEST(test_index_bounds)
{
	double	gamma = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
	int	top;

	ck_assert_int_eq(sketch_index(0), SKETCH_ZERO);
	ck_assert_int_eq(sketch_index(-1), SKETCH_ZERO);
	ck_assert_int_eq(sketch_index(NAN), SKETCH_ZERO);
	ck_assert_int_eq(sketch_index(SKETCH_MIN * 0.999), SKETCH_ZERO);
	ck_assert_int_eq(sketch_index(SKETCH_MIN), 0);
	/* ceil(ln(1e9) / ln(1.01/0.99)) = ceil(1036.13) = 1037 */
	top = sketch_index(SKETCH_MAX);
	ck_assert_int_eq(top, 1037);
	ck_assert_int_lt(top, SKETCH_NBUCKETS);
	ck_assert_int_eq(sketch_index(SKETCH_MAX * 1000), top);
	ck_assert_int_eq(sketch_index(INFINITY), top);
	/* bucket i is (MIN gamma^(i-1), MIN gamma^i] */
	ck_assert_int_eq(sketch_index(SKETCH_MIN * gamma * 1.0001), 2);
	ck_assert_int_eq(sketch_index(SKETCH_MIN * gamma * 0.9999), 1);
	ck_assert(sketch_value(SKETCH_ZERO) == 0);
	ck_assert(fabs(sketch_value(0) - SKETCH_MIN * 0.99) < 1e-15);
}
END_TEST

START_TEST(test_value_error)
{
	double	v, rep;

	/* Every value from MIN to MAX maps within alpha of itself. */
	for (v = SKETCH_MIN; v <= SKETCH_MAX; v *= 1.0007) {
		rep = sketch_value(sketch_index(v));
		ck_assert_msg(fabs(rep - v) <= SKETCH_ALPHA * v * (1 + 1e-9),
		    "%.9g -> %.9g", v, rep);
	}
}
END_TEST

/*
 * Groups of m buckets: the middle one stands for the group, the zero
 * bucket and m <= 1 change nothing, the top clamps; a value then maps
 * within about m * alpha of itself.
 */
START_TEST(test_group)
{
	double		gamma = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
	double		v, rep, lim;
	unsigned int	m;
	int		i;

	ck_assert_int_eq(sketch_group(SKETCH_ZERO, 5), SKETCH_ZERO);
	for (i = 0; i < SKETCH_NBUCKETS; i += 7) {
		ck_assert_int_eq(sketch_group(i, 0), i);
		ck_assert_int_eq(sketch_group(i, 1), i);
	}
	ck_assert_int_eq(sketch_group(0, 5), 2);
	ck_assert_int_eq(sketch_group(4, 5), 2);
	ck_assert_int_eq(sketch_group(5, 5), 7);
	ck_assert_int_eq(sketch_group(9, 4), 9);
	ck_assert_int_eq(sketch_group(SKETCH_NBUCKETS + 5, 3),
	    SKETCH_NBUCKETS - 1);
	ck_assert_int_le(sketch_group(SKETCH_NBUCKETS - 1, 7),
	    SKETCH_NBUCKETS - 1);
	for (m = 2; m <= 10; m++) {
		/*
		 * The group's end furthest from its middle bucket's value is
		 * (m + 1) / 2 buckets away, rounded up: odd groups are
		 * centred, even ones lean one bucket low.
		 */
		lim = 2 * pow(gamma, (m + 2) / 2) / (gamma + 1) - 1 + 1e-12;
		ck_assert(lim < (m + 2) * SKETCH_ALPHA);
		for (v = 0.01; v <= 100000; v *= 1.0011) {
			i = sketch_group(sketch_index(v), m);
			rep = sketch_value(i);
			ck_assert_msg(fabs(rep - v) <= lim * v,
			    "m %u: %.9g -> %.9g", m, v, rep);
			ck_assert_int_eq(sketch_group(i, m), i);
		}
	}
}
END_TEST

START_TEST(test_empty_and_small)
{
	struct sketch	s;
	int		i;

	sketch_reset(&s);
	ck_assert(isnan(sketch_quantile(&s, 0.5)));

	sketch_add(&s, 20.0);
	ck_assert(fabs(sketch_quantile(&s, 0) - 20) <= 0.2);
	ck_assert(fabs(sketch_quantile(&s, 0.5) - 20) <= 0.2);
	ck_assert(fabs(sketch_quantile(&s, 1) - 20) <= 0.2);
	ck_assert(isnan(sketch_quantile(&s, NAN)));

	/* 1..100: p50 is rank 50, p90 rank 90, p0 rank 1. */
	sketch_reset(&s);
	for (i = 1; i <= 100; i++)
		sketch_add(&s, i);
	ck_assert(fabs(sketch_quantile(&s, 0.5) - 50) <= 0.5);
	ck_assert(fabs(sketch_quantile(&s, 0.9) - 90) <= 0.9);
	ck_assert(fabs(sketch_quantile(&s, 0) - 1) <= 0.01);
	ck_assert(fabs(sketch_quantile(&s, 1) - 100) <= 1);
	ck_assert(fabs(sketch_quantile(&s, 2) - 100) <= 1);	/* clamped */
	ck_assert(fabs(sketch_quantile(&s, -1) - 1) <= 0.01);
}
END_TEST

START_TEST(test_accuracy_uniform)
{
	static double	v[20000];
	size_t		i;

	rng_seed(1);
	for (i = 0; i < 20000; i++)
		v[i] = rng_uniform() * 600;
	check_accuracy(v, 20000);
}
END_TEST

START_TEST(test_accuracy_exponential)
{
	static double	v[20000];
	size_t		i;

	rng_seed(2);
	for (i = 0; i < 20000; i++)
		v[i] = -30 * log(1 - rng_uniform());	/* mean 30 s */
	check_accuracy(v, 20000);
}
END_TEST

START_TEST(test_accuracy_lognormal)
{
	static double	v[20000];
	size_t		i;

	rng_seed(3);
	for (i = 0; i < 20000; i++)
		v[i] = exp(3 + 1.5 * rng_normal());
	check_accuracy(v, 20000);
}
END_TEST

START_TEST(test_accuracy_small_n)
{
	double	v[7] = { 0.002, 900000, 3.5, 3.5, 12, 0.01, 47 };

	check_accuracy(v, 7);
}
END_TEST

START_TEST(test_zeros)
{
	struct sketch	s;
	int		i;

	sketch_reset(&s);
	for (i = 0; i < 70; i++)
		sketch_add(&s, i % 2 ? 0.0 : 0.0004);	/* both "zero" */
	for (i = 0; i < 30; i++)
		sketch_add(&s, 10.0);
	ck_assert_uint_eq(s.count, 100);
	ck_assert_uint_eq(s.zero, 70);
	ck_assert(sketch_quantile(&s, 0.5) == 0);
	ck_assert(sketch_quantile(&s, 0.7) == 0);	/* rank 70 */
	ck_assert(fabs(sketch_quantile(&s, 0.75) - 10) <= 0.1);
	ck_assert(fabs(sketch_quantile(&s, 0.9) - 10) <= 0.1);
}
END_TEST

START_TEST(test_merge)
{
	struct sketch	*a, *b, *all;
	double		 v;
	int		 i;

	a = malloc(sizeof *a);
	b = malloc(sizeof *b);
	all = malloc(sizeof *all);
	sketch_reset(a);
	sketch_reset(b);
	sketch_reset(all);
	rng_seed(4);
	for (i = 0; i < 5000; i++) {
		v = i % 10 == 0 ? 0 : -20 * log(1 - rng_uniform());
		sketch_add(i % 3 ? a : b, v);
		sketch_add_index(all, sketch_index(v));
	}
	sketch_merge(a, b);
	ck_assert_int_eq(memcmp(a, all, sizeof *a), 0);
	ck_assert_uint_eq(a->count, 5000);
	ck_assert_uint_eq(a->zero, 500);
	free(a);
	free(b);
	free(all);
}
END_TEST

START_TEST(test_encode_roundtrip)
{
	struct sketch	*s, *d;
	unsigned char	*buf, *big, small[4];
	size_t		 need, n;
	int		 i;

	s = malloc(sizeof *s);
	d = malloc(sizeof *d);
	sketch_reset(s);
	sketch_reset(d);

	/* Empty: three zero varints. */
	ck_assert_uint_eq(sketch_encode(s, NULL, 0), 3);

	/* zero=2, bucket 0 x1, bucket 1037 x300: 300 is a 2-byte varint. */
	sketch_add(s, 0);
	sketch_add(s, 0);
	sketch_add(s, SKETCH_MIN);
	for (i = 0; i < 300; i++)
		sketch_add(s, 5e6);
	need = sketch_encode(s, NULL, 0);
	/* count 303 (2) zero (1) nnz (1) gap 0 (1) 1 (1) gap 1036 (2) 300 (2) */
	ck_assert_uint_eq(need, 10);
	memset(small, 0xaa, sizeof small);
	ck_assert_uint_eq(sketch_encode(s, small, sizeof small), need);
	ck_assert_uint_eq(small[0], 0xaa);		/* nothing written */
	buf = malloc(need);
	ck_assert_uint_eq(sketch_encode(s, buf, need), need);
	ck_assert_uint_eq(sketch_decode_merge(d, buf, need), need);
	ck_assert_int_eq(memcmp(s, d, sizeof *s), 0);
	/* Decoding adds. */
	ck_assert_uint_eq(sketch_decode_merge(d, buf, need), need);
	ck_assert_uint_eq(d->count, 606);
	ck_assert_uint_eq(d->zero, 4);
	ck_assert_uint_eq(d->bucket[1037], 600);
	free(buf);

	/* A dense random sketch, with trailing bytes after the encoding. */
	sketch_reset(s);
	sketch_reset(d);
	rng_seed(5);
	for (i = 0; i < 100000; i++)
		sketch_add(s, exp(2 + 2 * rng_normal()));
	need = sketch_encode(s, NULL, 0);
	buf = malloc(need + 5);
	memset(buf, 0, need + 5);
	ck_assert_uint_eq(sketch_encode(s, buf, need + 5), need);
	n = sketch_decode_merge(d, buf, need + 5);
	ck_assert_uint_eq(n, need);
	ck_assert_int_eq(memcmp(s, d, sizeof *s), 0);

	/*
	 * Given SKETCH_ENCODE_MAX bytes it encodes in one pass, skipping
	 * empty buckets eight at a time: the same bytes, for the sketch
	 * above, one with buckets at the edges of such blocks, and the
	 * fullest encoding there is.
	 */
	big = malloc(SKETCH_ENCODE_MAX);
	for (i = 0; i < 3; i++) {
		if (i == 1) {
			sketch_reset(s);
			s->bucket[7] = s->bucket[8] = s->bucket[15] = 1;
			s->bucket[SKETCH_NBUCKETS - 1] = 1;
			s->count = 4;
		} else if (i == 2) {
			for (n = 0; n < SKETCH_NBUCKETS; n++)
				s->bucket[n] = UINT32_MAX;
			s->count = s->zero = UINT64_MAX;
		}
		need = sketch_encode(s, NULL, 0);
		ck_assert_uint_le(need, SKETCH_ENCODE_MAX);
		free(buf);
		buf = malloc(need);
		ck_assert_uint_eq(sketch_encode(s, buf, need), need);
		memset(big, 0xaa, SKETCH_ENCODE_MAX);
		ck_assert_uint_eq(sketch_encode(s, big, SKETCH_ENCODE_MAX),
		    need);
		ck_assert_int_eq(memcmp(big, buf, need), 0);
	}
	free(big);
	free(buf);
	free(s);
	free(d);
}
END_TEST

START_TEST(test_decode_malformed)
{
	static const unsigned char	ok[] = { 1, 0, 1, 0, 1 };
	static const unsigned char	badsum[] = { 2, 0, 1, 0, 1 };
	static const unsigned char	badidx[] = { 1, 0, 1, 0x90, 0x08, 1 };
	static const unsigned char	badidx2[] = { 2, 0, 2, 0x8e, 0x08, 1,
					    1, 1 };
	static const unsigned char	zerocnt[] = { 1, 1, 1, 0, 0 };
	static const unsigned char	zerobig[] = { 1, 2, 0 };
	static const unsigned char	nnzbig[] = { 1, 0, 0x90, 0x08 };
	static const unsigned char	bigcnt[] = { 0x80, 0x80, 0x80, 0x80,
					    0x10, 0, 1, 0, 0x80, 0x80, 0x80, 0x80,
					    0x10 };	/* bucket 2^32 */
	static const unsigned char	longv[] = { 0xff, 0xff, 0xff, 0xff,
					    0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
					    0, 0 };
	struct sketch			 s, before;
	unsigned char			*buf;
	size_t				 need, i, j;
	int				 k;

	sketch_reset(&s);
	ck_assert_uint_eq(sketch_decode_merge(&s, ok, sizeof ok), 5);
	ck_assert_uint_eq(s.count, 1);
	ck_assert_uint_eq(s.bucket[0], 1);
	/* The second pair lands on index 1040, one past the end. */
	ck_assert_uint_eq(sketch_decode_merge(&s, badidx2, sizeof badidx2),
	    0);

	sketch_reset(&s);
	ck_assert_uint_eq(sketch_decode_merge(&s, NULL, 0), 0);
	ck_assert_uint_eq(sketch_decode_merge(&s, ok, 0), 0);
	ck_assert_uint_eq(sketch_decode_merge(&s, badsum, sizeof badsum), 0);
	ck_assert_uint_eq(sketch_decode_merge(&s, badidx, sizeof badidx), 0);
	ck_assert_uint_eq(sketch_decode_merge(&s, zerocnt, sizeof zerocnt),
	    0);
	ck_assert_uint_eq(sketch_decode_merge(&s, zerobig, sizeof zerobig),
	    0);
	ck_assert_uint_eq(sketch_decode_merge(&s, nnzbig, sizeof nnzbig), 0);
	ck_assert_uint_eq(sketch_decode_merge(&s, bigcnt, sizeof bigcnt), 0);
	ck_assert_uint_eq(sketch_decode_merge(&s, longv, sizeof longv), 0);
	ck_assert_uint_eq(s.count, 0);		/* untouched throughout */

	/* Every proper prefix of a valid blob is rejected, dst untouched. */
	sketch_reset(&s);
	for (k = 0; k < 2000; k++)
		sketch_add(&s, k * 0.37);
	need = sketch_encode(&s, NULL, 0);
	buf = malloc(need);
	sketch_encode(&s, buf, need);
	sketch_reset(&s);
	sketch_add(&s, 1);
	before = s;
	for (i = 0; i < need; i++) {
		ck_assert_uint_eq(sketch_decode_merge(&s, buf, i), 0);
		ck_assert_int_eq(memcmp(&s, &before, sizeof s), 0);
	}
	/* Corrupted bytes never break the count invariant. */
	for (i = 0; i < need; i++) {
		for (j = 0; j < 8; j++) {
			buf[i] ^= (unsigned char)(1 << j);
			sketch_reset(&s);
			if (sketch_decode_merge(&s, buf, need) == 0)
				ck_assert_uint_eq(s.count, 0);
			ck_assert(sketch_consistent(&s));
			buf[i] ^= (unsigned char)(1 << j);
		}
	}
	free(buf);
}
END_TEST

/*
 * The sparse form encodes byte for byte as the dense one, in any code
 * range, and merges back to the same sketch.
 */
START_TEST(test_sparse_encode_merge)
{
	static const uint32_t	 bases[] = { 0, SKETCH_SPARSE_CODES,
				    2 * SKETCH_SPARSE_CODES };
	struct sketch		*s, *d;
	uint32_t		*ent;
	unsigned char		*b1, *b2;
	size_t			 n, need, k;
	int			 i, round;

	s = malloc(sizeof *s);
	d = malloc(sizeof *d);
	ent = malloc((SKETCH_NBUCKETS + 1) * sizeof *ent);
	for (round = 0; round < 3; round++) {
		sketch_reset(s);
		rng_seed(10 + (uint64_t)round);
		/* Empty; a few values with zeros; a wide dense spread. */
		for (i = 0; i < (round == 0 ? 0 : round == 1 ? 7 : 200000);
		    i++)
			sketch_add(s, i % 5 == 0 ? 0 :
			    exp(1 + 4 * rng_normal()));
		for (k = 0; k < 3; k++) {
			n = to_sparse(s, bases[k], ent);
			need = sketch_encode(s, NULL, 0);
			ck_assert_uint_eq(sketch_sparse_encode(ent, n,
			    bases[k], NULL, 0), need);
			b1 = malloc(need);
			b2 = malloc(need);
			ck_assert_uint_eq(sketch_encode(s, b1, need), need);
			ck_assert_uint_eq(sketch_sparse_encode(ent, n,
			    bases[k], b2, need), need);
			ck_assert_int_eq(memcmp(b1, b2, need), 0);
			/* Too small: nothing written, size returned. */
			if (need > 1)
				ck_assert_uint_eq(sketch_sparse_encode(ent, n,
				    bases[k], b2, need - 1), need);
			sketch_reset(d);
			sketch_sparse_merge(d, ent, n, bases[k]);
			ck_assert_int_eq(memcmp(s, d, sizeof *s), 0);
			ck_assert(sketch_quantile(s, 0.99) ==
			    sketch_quantile(d, 0.99) ||
			    (isnan(sketch_quantile(s, 0.99)) &&
			    isnan(sketch_quantile(d, 0.99))));
			free(b1);
			free(b2);
		}
	}
	/* round 1: 7 values, 2 zeros (i = 0, 5). */
	free(ent);
	free(s);
	free(d);
}
END_TEST

START_TEST(test_decode_each)
{
	/* count 4, zero 1, 2 buckets: 3 x1, 5 x2 (gap 1 after 3) */
	static const unsigned char	ok[] = { 4, 1, 2, 3, 1, 1, 2 };
	static const unsigned char	bad[] = { 5, 1, 2, 3, 1, 1, 2 };
	static const unsigned char	nozero[] = { 2, 0, 1, 7, 2 };
	struct visit			 v;
	uint64_t			 count;
	size_t				 i;

	memset(&v, 0, sizeof v);
	ck_assert_uint_eq(sketch_decode_each(ok, sizeof ok, &count, visit_cb,
	    &v), sizeof ok);
	ck_assert_uint_eq(count, 4);
	ck_assert_uint_eq(v.calls, 3);
	ck_assert_int_eq(v.idx[0], SKETCH_ZERO);
	ck_assert_uint_eq(v.n[0], 1);
	ck_assert_int_eq(v.idx[1], 3);
	ck_assert_uint_eq(v.n[1], 1);
	ck_assert_int_eq(v.idx[2], 5);
	ck_assert_uint_eq(v.n[2], 2);

	/* Validation only. */
	count = 99;
	ck_assert_uint_eq(sketch_decode_each(ok, sizeof ok, &count, NULL,
	    NULL), sizeof ok);
	ck_assert_uint_eq(count, 4);
	/* One pass over what was checked: the same calls. */
	memset(&v, 0, sizeof v);
	ck_assert_uint_eq(sketch_decode_checked(ok, sizeof ok, visit_cb, &v),
	    sizeof ok);
	ck_assert_uint_eq(v.calls, 3);
	ck_assert_int_eq(v.idx[2], 5);
	ck_assert_uint_eq(v.n[2], 2);
	ck_assert_uint_eq(sketch_decode_checked(NULL, 0, visit_cb, &v), 0);
	/* No zeros: no call for the zero bucket. */
	memset(&v, 0, sizeof v);
	ck_assert_uint_eq(sketch_decode_each(nozero, sizeof nozero, NULL,
	    visit_cb, &v), sizeof nozero);
	ck_assert_uint_eq(v.calls, 1);
	ck_assert_int_eq(v.idx[0], 7);

	/* Malformed or cut short: 0 and no call at all. */
	memset(&v, 0, sizeof v);
	ck_assert_uint_eq(sketch_decode_each(bad, sizeof bad, &count,
	    visit_cb, &v), 0);
	for (i = 0; i < sizeof ok; i++)
		ck_assert_uint_eq(sketch_decode_each(ok, i, &count, visit_cb,
		    &v), 0);
	ck_assert_uint_eq(sketch_decode_each(NULL, 0, NULL, visit_cb, &v), 0);
	ck_assert_uint_eq(v.calls, 0);
}
END_TEST

static Suite *
sketch_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("sketch");
	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_index_bounds);
	tcase_add_test(tc, test_value_error);
	tcase_add_test(tc, test_group);
	tcase_add_test(tc, test_empty_and_small);
	tcase_add_test(tc, test_accuracy_uniform);
	tcase_add_test(tc, test_accuracy_exponential);
	tcase_add_test(tc, test_accuracy_lognormal);
	tcase_add_test(tc, test_accuracy_small_n);
	tcase_add_test(tc, test_zeros);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_encode_roundtrip);
	tcase_add_test(tc, test_decode_malformed);
	tcase_add_test(tc, test_sparse_encode_merge);
	tcase_add_test(tc, test_decode_each);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(sketch_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
