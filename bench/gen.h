/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * A deterministic generator of realistic call-center events as JSON Lines
 * (callscore-protocol(7)), for callscore-load and the benchmark.  Pure:
 * no sockets, no clocks (the caller passes ts), no global state, so the
 * same parameters and seed always give the same bytes.
 */
#ifndef GEN_H
#define GEN_H

#include <stddef.h>
#include <stdint.h>

#define GEN_LINE_MAX	512	/* no generated line is longer (with '\n') */

enum gen_type {
	GEN_CALL = 0,
	GEN_SURVEY,
	GEN_QA,
	GEN_AGENT,
	GEN_ESAT,
	GEN_TYPE_COUNT
};

/* Outcome of generated calls; transferred calls are answered calls. */
enum gen_outcome {
	GEN_ANSWERED = 0,
	GEN_ABANDONED,
	GEN_OUTCOME_COUNT
};

struct gen_params {
	uint64_t	 seed;
	unsigned int	 queues;	/* q001..; >= 1 */
	unsigned int	 agents;	/* a00001..; >= 1 */
	unsigned int	 teams;		/* t001..; agent i is in team i % teams */
	unsigned int	 customers;	/* caller pool size; >= 1 */
	double		 mix[GEN_TYPE_COUNT]; /* relative weights, any scale */
	int		 no_ts;		/* omit "ts" */

	double		 abandon;	/* share of calls abandoned */
	double		 wait_mean;	/* exponential, seconds */
	double		 talk_median;	/* lognormal, seconds */
	double		 talk_sigma;	/* lognormal shape */
	double		 hold_zero;	/* share of answered calls never held */
	double		 hold_mean;	/* exponential when held, seconds */
	double		 wrap_min;	/* uniform, seconds */
	double		 wrap_max;
	double		 resolved;	/* share with "resolved":true */
	double		 first_contact;	/* share with "first_contact":true */
	double		 transferred;	/* share with "transferred":true */
	double		 csat;		/* share of answered calls with csat */
	double		 nps;		/* share of answered calls with nps */
	double		 revenue;	/* share of answered calls with revenue */
};

struct gen_stats {
	uint64_t	 lines;
	uint64_t	 bytes;
	uint64_t	 type[GEN_TYPE_COUNT];
	uint64_t	 outcome[GEN_OUTCOME_COUNT];
	uint64_t	 transferred;
};

struct gen;

/* Fill p with the documented defaults (85/5/3/4/3 mix, seed 1). */
void			 gen_params_default(struct gen_params *);
/* Make every weight but GEN_CALL zero. */
void			 gen_params_calls_only(struct gen_params *);
/* 0 if p is usable, else -1 with *cause naming the bad parameter. */
int			 gen_params_check(const struct gen_params *,
			    const char **);
/* A generator with a copy of p; NULL if gen_params_check() fails. */
struct gen		*gen_new(const struct gen_params *);
void			 gen_free(struct gen *);
/*
 * Write one event line, '\n' included and no NUL, into buf.  Returns its
 * length, or 0 (and consumes nothing) if cap is too small for it.
 */
size_t			 gen_next(struct gen *, char *, size_t, double);
/* Counts of the lines returned so far (borrowed). */
const struct gen_stats	*gen_stats(const struct gen *);

#endif
