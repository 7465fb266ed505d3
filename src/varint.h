/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Unsigned LEB128 varints, as the sketches, ring blobs and packed slots
 * write them: 7 bits a byte, low first, the high bit set on all but the
 * last; at most 10 bytes for 64 bits.
 */
#ifndef VARINT_H
#define VARINT_H

#include <stddef.h>
#include <stdint.h>

#define VARINT_MAX	10	/* bytes of a uint64_t */

/* Bytes varint_put() writes for v. */
static inline size_t
varint_len(uint64_t v)
{
	size_t	n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return (n);
}

/* Write v at p, which has room for VARINT_MAX bytes; returns how many. */
static inline size_t
varint_put(unsigned char *p, uint64_t v)
{
	size_t	n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return (n);
}

/*
 * Read one varint from the len bytes at p; returns the bytes it took, or
 * 0 if it is truncated, longer than VARINT_MAX or over 64 bits.
 */
static inline size_t
varint_get(const unsigned char *p, size_t len, uint64_t *v)
{
	uint64_t	x = 0;
	size_t		n;

	for (n = 0; n < len && n < VARINT_MAX; n++) {
		if (n == VARINT_MAX - 1 && p[n] > 1)
			return (0);
		x |= (uint64_t)(p[n] & 0x7f) << (7 * n);
		if ((p[n] & 0x80) == 0) {
			*v = x;
			return (n + 1);
		}
	}
	return (0);
}

#endif
