/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Totals: what one scope has seen since the daemon started, as monotonic
 * counters and fixed-bucket histograms.  Windows roll, so they cannot
 * feed Prometheus: only counters that never go down make rate() and sums
 * across scopes and sites exact.  Not persisted; a restart resets them,
 * which Prometheus treats as a counter reset.
 */
#ifndef TOTALS_H
#define TOTALS_H

#include <stddef.h>
#include <stdint.h>

struct contrib;

/* Upper bounds in seconds; the +Inf bucket is implied (count). */
#define TOTALS_WAIT_BUCKETS	12	/* 5 10 15 20 30 45 60 90 120 180 300 600 */
#define TOTALS_HOLD_BUCKETS	6	/* 10 30 60 120 300 600 */
#define TOTALS_HANDLE_BUCKETS	9	/* 60 120 180 300 450 600 900 1200 1800 */
#define TOTALS_MAX_BUCKETS	12

/* A histogram: non-cumulative counts per bucket, plus count and sum. */
struct totals_hist {
	uint64_t	count;		/* observations (the +Inf bucket) */
	double		sum;		/* seconds */
	uint64_t	bucket[TOTALS_MAX_BUCKETS];	/* [i]: in (le[i-1], le[i]] */
};

struct totals {
	/* calls */
	uint64_t		offered;
	uint64_t		answered;
	uint64_t		abandoned;	/* short abandons included */
	uint64_t		short_abandoned;
	uint64_t		timeouts;
	uint64_t		answered_in_sl;
	uint64_t		transferred;
	uint64_t		held;
	uint64_t		fc_yes, fc_n;
	uint64_t		res_yes, res_n;
	/* surveys and evaluations */
	uint64_t		csat_pos, csat_n;
	uint64_t		nps_pro, nps_det, nps_n;
	uint64_t		esat_pos, esat_n;
	uint64_t		qa_n;
	/* sums, seconds (wait of all offered calls is wait.sum) */
	double			wait_answered;
	double			talk, wrap;	/* hold is hold.sum */
	double			csat_sum;	/* scores 1-5 */
	double			qa_sum;		/* 0-100 per evaluation */
	/* distributions */
	struct totals_hist	wait;		/* every offered call */
	struct totals_hist	hold;		/* answered calls put on hold */
	struct totals_hist	handle;		/* talk+hold+wrap, answered */
};

/* Bucket bounds of each histogram (n entries, +Inf not included). */
extern const double	totals_wait_le[TOTALS_WAIT_BUCKETS];
extern const double	totals_hold_le[TOTALS_HOLD_BUCKETS];
extern const double	totals_handle_le[TOTALS_HANDLE_BUCKETS];

struct totals	*totals_new(void);		/* zeroed */
void		 totals_free(struct totals *);	/* accepts NULL */
/* t += one event's contrib; no allocation (the ingest path). */
void		 totals_add(struct totals *, const struct contrib *);

#endif
