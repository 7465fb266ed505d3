/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * SipHash-1-3 (Aumasson and Bernstein's SipHash with one compression
 * and three finalization rounds), the reference algorithm on
 * little-endian 64-bit words.
 */
#include <sys/random.h>

#include <string.h>
#include <time.h>

#include "log.h"
#include "siphash.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

void
siphash_key(uint64_t key[2])
{
	struct timespec	ts;

	if (getrandom(key, 2 * sizeof key[0], 0) == 2 * sizeof key[0])
		return;
	log_warn("siphash: getrandom; using a weaker key");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	key[0] = (uint64_t)(uintptr_t)key ^ 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)ts.tv_nsec;
	key[1] = (uint64_t)(uintptr_t)&ts ^ 0xc2b2ae3d27d4eb4fULL ^
	    (uint64_t)ts.tv_sec;
}

uint64_t
siphash(const uint64_t key[2], const void *data, size_t len)
{
	const unsigned char	*p = data;
	uint64_t		 v0 = 0x736f6d6570736575ULL ^ key[0];
	uint64_t		 v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t		 v2 = 0x6c7967656e657261ULL ^ key[0];
	uint64_t		 v3 = 0x7465646279746573ULL ^ key[1];
	uint64_t		 m, b = ((uint64_t)len) << 56;
	unsigned char		 tail[8];
	size_t			 i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	memset(tail, 0, sizeof tail);
	memcpy(tail, p + i, len - i);
	memcpy(&m, tail, 8);
	b |= m;
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (v0 ^ v1 ^ v2 ^ v3);
}
