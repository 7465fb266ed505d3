/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * A mergeable log-bucket quantile sketch (the DDSketch mapping): a value v
 * in [SKETCH_MIN, SKETCH_MAX] lands in bucket ceil(log_gamma(v/SKETCH_MIN))
 * with gamma = (1 + a) / (1 - a), so any quantile it returns is within
 * relative error a = SKETCH_ALPHA of a true sample value of that rank.
 * Values below SKETCH_MIN (zeros included) are kept in their own bucket and
 * reported as 0; values above SKETCH_MAX are clamped.  Fixed size, no
 * allocation on insert; merging is bucket-wise addition.
 *
 * Ring slots mostly see a handful of values, so they keep a sparse form
 * (agg.c): an array of uint32 entries code << SKETCH_SPARSE_SHIFT | count,
 * sorted by code, where code is base + sketch_index() + 1 (base for the
 * zero bucket), so that several sketches can share one array, each in its
 * own range of SKETCH_SPARSE_CODES codes.  Its encoding is byte for byte
 * that of the dense sketch with the same counts.
 */
#ifndef SKETCH_H
#define SKETCH_H

#include <stddef.h>
#include <stdint.h>

#define SKETCH_ALPHA	0.01		/* relative accuracy */
#define SKETCH_MIN	0.001		/* seconds; smaller counts as zero */
#define SKETCH_MAX	1000000.0	/* seconds; larger is clamped */
#define SKETCH_NBUCKETS	1040		/* ceil(ln(MAX/MIN) / ln(gamma)) + 1 */
#define SKETCH_ZERO	(-1)		/* sketch_index() for the zero bucket */

struct sketch {
	uint64_t	count;			/* all values, zeros included */
	uint64_t	zero;			/* values < SKETCH_MIN */
	uint32_t	bucket[SKETCH_NBUCKETS];
};

void	sketch_reset(struct sketch *);
int	sketch_index(double);			/* bucket of a value, or ZERO */
double	sketch_value(int);			/* representative of a bucket */
void	sketch_add_index(struct sketch *, int);	/* count one value */
void	sketch_add(struct sketch *, double);	/* index + add */
void	sketch_merge(struct sketch *, const struct sketch *); /* dst += src */
/*
 * The bucket that stands for bucket i's group of m (the groups being
 * [0, m), [m, 2m)...): the middle one, so that a sketch of such buckets
 * has relative accuracy of about m * SKETCH_ALPHA (odd m; an even group
 * leans one bucket low, one SKETCH_ALPHA more).  The zero bucket and
 * m <= 1 leave i as it is.
 */
int	sketch_group(int, unsigned int);
/* The q-quantile (0 <= q <= 1) by rank ceil(q * count); NaN if empty. */
double	sketch_quantile(const struct sketch *, double);
/* Sparse encoding for the store: returns bytes written, or needed if 0. */
size_t	sketch_encode(const struct sketch *, unsigned char *, size_t);
/*
 * The largest sketch_encode(): three varints, then per bucket a gap
 * (< SKETCH_NBUCKETS: 2 bytes) and a count (5).  Given that much room,
 * it encodes in one pass.
 */
#define SKETCH_ENCODE_MAX	(3 * 10 + SKETCH_NBUCKETS * 7)
/* Decode and add into dst; returns bytes consumed or 0 if malformed. */
size_t	sketch_decode_merge(struct sketch *, const unsigned char *, size_t);
/*
 * Validate an encoding and, if it is whole, call cb (unless NULL) with
 * each non-empty bucket (SKETCH_ZERO first) and its count, in increasing
 * order; *count (unless NULL) gets the total.  Returns bytes consumed, or
 * 0 if malformed, in which case cb was not called.
 */
size_t	sketch_decode_each(const unsigned char *, size_t, uint64_t *,
	    void (*)(void *, int, uint64_t), void *);
/* The same in one pass, for an encoding sketch_decode_each() accepted. */
size_t	sketch_decode_checked(const unsigned char *, size_t,
	    void (*)(void *, int, uint64_t), void *);

#define SKETCH_SPARSE_SHIFT	20	/* codes below 4096 */
#define SKETCH_SPARSE_NMAX	((UINT32_C(1) << SKETCH_SPARSE_SHIFT) - 1)
#define SKETCH_SPARSE_CODES	(SKETCH_NBUCKETS + 1)
#define SKETCH_SPARSE_CODE(e)	((e) >> SKETCH_SPARSE_SHIFT)
#define SKETCH_SPARSE_COUNT(e)	((e) & SKETCH_SPARSE_NMAX)

/* dst += the n sparse entries, all of codes base to base + CODES - 1. */
void	sketch_sparse_merge(struct sketch *, const uint32_t *, size_t,
	    uint32_t);
/* sketch_encode() of the n sparse entries, as for sketch_sparse_merge(). */
size_t	sketch_sparse_encode(const uint32_t *, size_t, uint32_t,
	    unsigned char *, size_t);

#endif
