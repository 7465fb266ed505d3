/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * What every fuzz harness shares: libFuzzer's entry point (declared here
 * so the harnesses build with -Wmissing-prototypes) and a check that
 * aborts, so a broken invariant is reported like a crash with the input
 * that caused it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#endif
