/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Totals since start for the Prometheus export.  Everything is derived
 * from the contrib that agg_contrib() already computed for the windows,
 * so the classification (outcome, service level, short abandon) is the
 * same in both.  Histogram buckets are kept non-cumulative, so one
 * observation is one increment; metrics.c makes them cumulative.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "agg.h"
#include "totals.h"
#include "xmalloc.h"

static void	totals_observe(struct totals_hist *, const double *, size_t,
		    double);

const double	totals_wait_le[TOTALS_WAIT_BUCKETS] = {
	5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600
};
const double	totals_hold_le[TOTALS_HOLD_BUCKETS] = {
	10, 30, 60, 120, 300, 600
};
const double	totals_handle_le[TOTALS_HANDLE_BUCKETS] = {
	60, 120, 180, 300, 450, 600, 900, 1200, 1800
};

struct totals *
totals_new(void)
{
	return (xcalloc(1, sizeof (struct totals)));
}

void
totals_free(struct totals *t)
{
	free(t);
}

/* A value above every bound (or NaN) is only in the implied +Inf bucket. */
static void
totals_observe(struct totals_hist *h, const double *le, size_t n, double v)
{
	size_t	i;

	h->count++;
	h->sum += v;
	for (i = 0; i < n; i++) {
		if (v <= le[i]) {
			h->bucket[i]++;
			break;
		}
	}
}

void
totals_add(struct totals *t, const struct contrib *c)
{
	const struct agg	*d = &c->delta;

	t->offered += d->offered;
	t->answered += d->answered;
	t->abandoned += d->abandoned;
	t->short_abandoned += d->short_abandoned;
	t->timeouts += d->timeouts;
	t->answered_in_sl += d->answered_in_sl;
	t->transferred += d->transferred;
	t->held += d->held;
	t->fc_yes += d->fc_yes;
	t->fc_n += d->fc_n;
	t->res_yes += d->res_yes;
	t->res_n += d->res_n;
	t->csat_pos += d->csat_pos;
	t->csat_n += d->csat_n;
	t->nps_pro += d->nps_pro;
	t->nps_det += d->nps_det;
	t->nps_n += d->nps_n;
	t->esat_pos += d->esat_pos;
	t->esat_n += d->esat_n;
	t->qa_n += d->qa_n;

	t->wait_answered += d->wait_answered;
	t->talk += d->talk;
	t->wrap += d->wrap;
	t->csat_sum += d->csat_sum;
	t->qa_sum += d->qa_sum;

	/*
	 * A call without a wait field waited 0 s for the service level
	 * (agg.c), so it is observed as 0 here too: the wait count is then
	 * the offered count and the buckets agree with answered_in_sl.
	 */
	if (d->offered)
		totals_observe(&t->wait, totals_wait_le, TOTALS_WAIT_BUCKETS,
		    d->wait_all);
	if (d->held)
		totals_observe(&t->hold, totals_hold_le, TOTALS_HOLD_BUCKETS,
		    d->hold);
	if (d->answered)
		totals_observe(&t->handle, totals_handle_le,
		    TOTALS_HANDLE_BUCKETS, d->talk + d->hold + d->wrap);
}
