/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The quantile sketch: DDSketch's logarithmic mapping over a fixed bucket
 * array, so inserting is one log() and an increment, merging is addition,
 * and a quantile is within SKETCH_ALPHA relative error of a sample value
 * of the requested rank.  The store keeps sketches in a sparse varint
 * encoding, decoded defensively since the bytes come from disk.  Ring
 * slots keep a sparse array form (see sketch.h) that encodes the same.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sketch.h"
#include "varint.h"

#define SKETCH_GAMMA	((1.0 + SKETCH_ALPHA) / (1.0 - SKETCH_ALPHA))

static size_t	sketch_decode(const unsigned char *, size_t, uint64_t *,
		    void (*)(void *, int, uint64_t), void *);
static void	sketch_decode_add_cb(void *, int, uint64_t);

/* The largest value must have a bucket of its own; see sketch.h. */
_Static_assert(SKETCH_NBUCKETS >= 1038, "SKETCH_NBUCKETS too small for MAX");

void
sketch_reset(struct sketch *s)
{
	memset(s, 0, sizeof *s);
}

/*
 * Bucket i holds (MIN * gamma^(i-1), MIN * gamma^i].  NaN and negative
 * values cannot come from the parser, but count them as zero rather
 * than index out of the array.
 */
int
sketch_index(double v)
{
	double	x;

	if (!(v >= SKETCH_MIN))
		return (SKETCH_ZERO);
	if (v > SKETCH_MAX)
		v = SKETCH_MAX;
	x = ceil(log(v / SKETCH_MIN) / log(SKETCH_GAMMA));
	if (x < 0)
		return (0);
	if (x > SKETCH_NBUCKETS - 1)
		return (SKETCH_NBUCKETS - 1);
	return ((int)x);
}

/* The value with the same relative distance to both ends of bucket i. */
double
sketch_value(int i)
{
	if (i < 0)
		return (0.0);
	if (i > SKETCH_NBUCKETS - 1)
		i = SKETCH_NBUCKETS - 1;
	return (SKETCH_MIN * 2.0 * pow(SKETCH_GAMMA, i) / (SKETCH_GAMMA + 1.0));
}

void
sketch_add_index(struct sketch *s, int i)
{
	s->count++;
	if (i < 0)
		s->zero++;
	else if (i < SKETCH_NBUCKETS)
		s->bucket[i]++;
	else
		s->bucket[SKETCH_NBUCKETS - 1]++;
}

void
sketch_add(struct sketch *s, double v)
{
	sketch_add_index(s, sketch_index(v));
}

int
sketch_group(int i, unsigned int m)
{
	if (i < 0 || m <= 1)
		return (i);
	if (i > SKETCH_NBUCKETS - 1)
		i = SKETCH_NBUCKETS - 1;
	i = i - i % (int)m + (int)(m - 1) / 2;
	return (i > SKETCH_NBUCKETS - 1 ? SKETCH_NBUCKETS - 1 : i);
}

void
sketch_merge(struct sketch *dst, const struct sketch *src)
{
	size_t	i;

	if (src->count == 0)
		return;
	dst->count += src->count;
	dst->zero += src->zero;
	for (i = 0; i < SKETCH_NBUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

double
sketch_quantile(const struct sketch *s, double q)
{
	uint64_t	rank, seen;
	double		r;
	size_t		i;

	if (s->count == 0 || isnan(q))
		return (NAN);
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	r = ceil(q * (double)s->count);
	rank = r < 1 ? 1 : (uint64_t)r;
	if (rank > s->count)
		rank = s->count;

	if (rank <= s->zero)
		return (0.0);
	seen = s->zero;
	for (i = 0; i < SKETCH_NBUCKETS; i++) {
		seen += s->bucket[i];
		if (seen >= rank)
			return (sketch_value((int)i));
	}
	/* Only if count disagrees with the buckets: the top one. */
	return (sketch_value(SKETCH_NBUCKETS - 1));
}

/* Are the eight buckets at b all empty?  (No branch: vectorized.) */
static inline int
sketch_empty8(const uint32_t *b)
{
	return ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5] | b[6] | b[7]) == 0);
}

/*
 * Encode into buf, which has SKETCH_ENCODE_MAX bytes, in one pass: the
 * buckets after room for the header, then the header, moved up to them.
 * Eight empty buckets at a time are passed over together.
 */
static size_t
sketch_encode_max(const struct sketch *s, unsigned char *buf)
{
	unsigned char	 hdr[3 * VARINT_MAX];
	size_t		 nnz = 0, i, off = sizeof hdr, h;
	int		 prev = -1;

	for (i = 0; i < SKETCH_NBUCKETS; i++) {
		if ((i & 7) == 0 && i + 8 <= SKETCH_NBUCKETS &&
		    sketch_empty8(&s->bucket[i])) {
			i += 7;
			continue;
		}
		if (s->bucket[i] == 0)
			continue;
		off += varint_put(buf + off, (uint64_t)((int)i - prev - 1));
		off += varint_put(buf + off, s->bucket[i]);
		prev = (int)i;
		nnz++;
	}
	h = varint_put(hdr, s->count);
	h += varint_put(hdr + h, s->zero);
	h += varint_put(hdr + h, nnz);
	memmove(buf + h, buf + sizeof hdr, off - sizeof hdr);
	memcpy(buf, hdr, h);
	return (h + off - sizeof hdr);
}

/*
 * Layout: varint count, varint zero, varint number of non-empty buckets,
 * then for each in increasing order varint (index - previous index - 1)
 * and varint bucket count.  If buf is NULL or too small, nothing is
 * written and the size needed is returned, so callers can ask with
 * (NULL, 0) first.
 */
size_t
sketch_encode(const struct sketch *s, unsigned char *buf, size_t len)
{
	unsigned char	tmp[SKETCH_ENCODE_MAX];
	size_t		need;

	if (buf != NULL && len >= SKETCH_ENCODE_MAX)
		return (sketch_encode_max(s, buf));
	need = sketch_encode_max(s, tmp);
	if (buf != NULL && len >= need)
		memcpy(buf, tmp, need);
	return (need);
}

/*
 * Parse an encoded sketch, calling cb with each non-empty bucket unless
 * cb is NULL (a validation pass, so a bad blob reaches no caller's
 * state).  Every count must be consistent: the buckets and zeros add up
 * to count exactly.
 */
static size_t
sketch_decode(const unsigned char *buf, size_t len, uint64_t *countp,
    void (*cb)(void *, int, uint64_t), void *arg)
{
	uint64_t	count, zero, nnz, gap, n, sum;
	size_t		off, k, j;
	uint64_t	idx;
	int64_t		prev;

	off = 0;
	if ((k = varint_get(buf + off, len - off, &count)) == 0)
		return (0);
	off += k;
	if ((k = varint_get(buf + off, len - off, &zero)) == 0)
		return (0);
	off += k;
	if ((k = varint_get(buf + off, len - off, &nnz)) == 0)
		return (0);
	off += k;
	if (zero > count || nnz > SKETCH_NBUCKETS)
		return (0);
	if (cb != NULL && zero != 0)
		cb(arg, SKETCH_ZERO, zero);

	sum = zero;
	prev = -1;
	for (j = 0; j < nnz; j++) {
		if ((k = varint_get(buf + off, len - off, &gap)) == 0)
			return (0);
		off += k;
		if ((k = varint_get(buf + off, len - off, &n)) == 0)
			return (0);
		off += k;
		if (gap >= SKETCH_NBUCKETS)
			return (0);
		idx = (uint64_t)(prev + 1) + gap;
		if (idx >= SKETCH_NBUCKETS || n == 0 || n > UINT32_MAX)
			return (0);
		sum += n;	/* < 2^43: no overflow */
		if (sum > count)
			return (0);
		if (cb != NULL)
			cb(arg, (int)idx, n);
		prev = (int64_t)idx;
	}
	if (sum != count)
		return (0);
	if (countp != NULL)
		*countp = count;
	return (off);
}

static void
sketch_decode_add_cb(void *arg, int i, uint64_t n)
{
	struct sketch	*dst = arg;

	dst->count += n;
	if (i < 0)
		dst->zero += n;
	else
		dst->bucket[i] += (uint32_t)n;
}

size_t
sketch_decode_merge(struct sketch *dst, const unsigned char *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return (0);
	if (sketch_decode(buf, len, NULL, NULL, NULL) == 0)
		return (0);
	return (sketch_decode(buf, len, NULL, sketch_decode_add_cb, dst));
}

size_t
sketch_decode_each(const unsigned char *buf, size_t len, uint64_t *count,
    void (*cb)(void *, int, uint64_t), void *arg)
{
	size_t	n;

	if (buf == NULL || len == 0)
		return (0);
	if ((n = sketch_decode(buf, len, count, NULL, NULL)) == 0 ||
	    cb == NULL)
		return (n);
	return (sketch_decode(buf, len, NULL, cb, arg));
}

size_t
sketch_decode_checked(const unsigned char *buf, size_t len,
    void (*cb)(void *, int, uint64_t), void *arg)
{
	if (buf == NULL || len == 0)
		return (0);
	return (sketch_decode(buf, len, NULL, cb, arg));
}

void
sketch_sparse_merge(struct sketch *dst, const uint32_t *ent, size_t n,
    uint32_t base)
{
	uint32_t	code, c;
	size_t		j;

	for (j = 0; j < n; j++) {
		code = SKETCH_SPARSE_CODE(ent[j]) - base;
		c = SKETCH_SPARSE_COUNT(ent[j]);
		dst->count += c;
		if (code == 0)
			dst->zero += c;
		else
			dst->bucket[code - 1] += c;
	}
}

/*
 * The layout of sketch_encode(), from entries already in bucket order;
 * the zero bucket, if any, is the first entry.
 */
size_t
sketch_sparse_encode(const uint32_t *ent, size_t n, uint32_t base,
    unsigned char *buf, size_t len)
{
	uint64_t	count = 0, zero = 0;
	size_t		need, nnz = 0, j, off;
	uint32_t	code, c;
	int		prev;

	need = 0;
	prev = -1;
	for (j = 0; j < n; j++) {
		code = SKETCH_SPARSE_CODE(ent[j]) - base;
		c = SKETCH_SPARSE_COUNT(ent[j]);
		count += c;
		if (code == 0) {
			zero += c;
			continue;
		}
		need += varint_len((uint64_t)((int)code - 1 - prev - 1));
		need += varint_len(c);
		prev = (int)code - 1;
		nnz++;
	}
	need += varint_len(count) + varint_len(zero) +
	    varint_len(nnz);
	if (buf == NULL || len < need)
		return (need);

	off = varint_put(buf, count);
	off += varint_put(buf + off, zero);
	off += varint_put(buf + off, nnz);
	prev = -1;
	for (j = 0; j < n; j++) {
		code = SKETCH_SPARSE_CODE(ent[j]) - base;
		if (code == 0)
			continue;
		off += varint_put(buf + off,
		    (uint64_t)((int)code - 1 - prev - 1));
		off += varint_put(buf + off, SKETCH_SPARSE_COUNT(ent[j]));
		prev = (int)code - 1;
	}
	return (off);
}
