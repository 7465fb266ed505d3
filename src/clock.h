/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The daemon's clocks.  Windows advance on a "steady epoch": wall-clock
 * time read once at start, then moved on by CLOCK_MONOTONIC, so a step
 * of the wall clock changes no window.  Tests inject a fake.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

void	 clock_init(void);		/* read the wall clock once */
uint64_t clock_now_ms(void);		/* steady epoch, milliseconds */
uint64_t clock_mono_ms(void);		/* CLOCK_MONOTONIC, milliseconds */
double	 clock_wall(void);		/* real wall clock, seconds */
/* Tests: fix the steady epoch at ms (0 = back to real clocks). */
void	 clock_set_fake(uint64_t);

#endif
