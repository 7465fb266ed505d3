/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Steady epoch clock; see clock.h.
 */
#include <time.h>

#include "clock.h"

static uint64_t	clock_base_wall_ms;
static uint64_t	clock_base_mono_ms;
static uint64_t	clock_fake_ms;

static uint64_t
clock_read(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

void
clock_init(void)
{
	clock_base_wall_ms = clock_read(CLOCK_REALTIME);
	clock_base_mono_ms = clock_read(CLOCK_MONOTONIC);
}

uint64_t
clock_now_ms(void)
{
	if (clock_fake_ms != 0)
		return (clock_fake_ms);
	if (clock_base_wall_ms == 0)
		clock_init();
	return (clock_base_wall_ms +
	    (clock_read(CLOCK_MONOTONIC) - clock_base_mono_ms));
}

uint64_t
clock_mono_ms(void)
{
	return (clock_read(CLOCK_MONOTONIC));
}

double
clock_wall(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

void
clock_set_fake(uint64_t ms)
{
	clock_fake_ms = ms;
}
