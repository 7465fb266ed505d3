/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Fuzz ring_restore(), which reads window state back from the database
 * at start: a damaged or foreign blob must be refused or read within
 * bounds, never crash the daemon or leak sketches.  Each blob goes into
 * two rings of different definitions (same slots, and re-binned into
 * fewer, longer ones); what restores must sum, compute KPIs, and
 * serialize to a blob that restores to the same bytes again.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "fuzz.h"
#include "kpi.h"
#include "window.h"

/* Mid-slot for both definitions, so nothing lands on an edge by luck. */
#define FUZZ_NOW_MS	1795340000123ULL

static struct sketch_pool	*fuzz_pool;

/* Sum and compute KPIs over r, checking the sum's sketches come back. */
static void
fuzz_sum(const struct ring *r, const struct window_def *def)
{
	struct kpi_params	 kp = { 30.0 };
	struct agg		 sum;
	double			 v[KPI_COUNT];
	size_t			 i, live;

	live = sketch_pool_live(fuzz_pool);
	memset(&sum, 0, sizeof sum);
	ring_sum(r, def, FUZZ_NOW_MS, &sum, fuzz_pool);
	kpi_compute(&sum, &kp, v);
	for (i = 0; i < AGG_QA_MAX; i++)
		(void)kpi_qa_criterion(&sum, i);
	agg_clear(&sum, fuzz_pool);
	FUZZ_CHECK(sketch_pool_live(fuzz_pool) == live);
}

/* Restore into a fresh ring of def; returns ring_restore's answer. */
static int
fuzz_one(const struct window_def *def, const uint8_t *data, size_t size)
{
	struct ring	*r, *r2;
	unsigned char	*b1, *b2;
	size_t		 len1, len2;
	int		 rc;

	r = ring_new(def);
	rc = ring_restore(r, def, FUZZ_NOW_MS, data, size, fuzz_pool);
	fuzz_sum(r, def);
	if (rc == 0) {
		/* serialize(restore(b1)) == b1 once normalized. */
		b1 = ring_serialize(r, def, FUZZ_NOW_MS, &len1);
		r2 = ring_new(def);
		FUZZ_CHECK(ring_restore(r2, def, FUZZ_NOW_MS, b1, len1,
		    fuzz_pool) == 0);
		b2 = ring_serialize(r2, def, FUZZ_NOW_MS, &len2);
		FUZZ_CHECK(len1 == len2 && memcmp(b1, b2, len1) == 0);
		free(b2);
		free(b1);
		ring_free(r2, fuzz_pool);
	}
	/* Expire everything: the ring ends empty. */
	(void)ring_expire(r, def, FUZZ_NOW_MS + 2 * def->span_ms, fuzz_pool);
	FUZZ_CHECK(ring_is_empty(r));
	ring_free(r, fuzz_pool);
	return (rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct window_def	 same, coarse;
	int			 rc1, rc2;

	if (fuzz_pool == NULL)
		fuzz_pool = sketch_pool_new();
	FUZZ_CHECK(window_def_init(&same, "5m", 60) == 0);
	FUZZ_CHECK(window_def_init(&coarse, "1h", 12) == 0);

	rc1 = fuzz_one(&same, data, size);
	rc2 = fuzz_one(&coarse, data, size);
	/* Whether a blob is malformed does not depend on the ring. */
	FUZZ_CHECK(rc1 == rc2);
	FUZZ_CHECK(sketch_pool_live(fuzz_pool) == 0);
	return (0);
}
