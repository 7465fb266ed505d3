/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * SipHash-1-3 with a random key, for every table keyed by names that come
 * from the network (scopes, live calls, customers): an attacker who
 * floods ids cannot aim them at one chain.  One compression and three
 * finalization rounds instead of SipHash-2-4's two and four: the
 * rounds Python and Rust keep their hash tables with, a fifth less time
 * for the ids of an event (docs/performance.md).
 */
#ifndef SIPHASH_H
#define SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* A fresh random key (getrandom; a weaker fallback is logged). */
void		siphash_key(uint64_t[2]);
/* SipHash-1-3 of len bytes under key. */
uint64_t	siphash(const uint64_t[2], const void *, size_t);

#endif
