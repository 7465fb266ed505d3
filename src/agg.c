/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Aggregates.  agg_contrib() does all the per-event thinking once
 * (outcome, service level, short abandon, QA criteria, sketch indexes);
 * agg_apply() then only adds, because one event is applied to a slot of
 * every window of every scope it touches.  Sketches are 4 KiB each, so
 * slots take them from a pool only when a value arrives and give them
 * back when cleared: the ingest path does not call malloc once warm.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "xmalloc.h"

struct sketch_pool {
	struct sketch	**free;		/* sketches ready for reuse */
	size_t		  nfree;
	size_t		  cap;
	size_t		  live;		/* handed out, not yet put back */
};

static void	agg_add_counts(struct agg *, const struct agg *);
static void	agg_contrib_call(const struct event *,
		    const struct agg_params *, struct contrib *);
static int	agg_contrib_qa(const struct event *,
		    const struct agg_params *, struct contrib *);
static void	agg_contrib_csat(const struct event *, struct agg *);

struct sketch_pool *
sketch_pool_new(void)
{
	return (xcalloc(1, sizeof (struct sketch_pool)));
}

/* Frees the free list only; sketches still out belong to their slots. */
void
sketch_pool_free(struct sketch_pool *pool)
{
	size_t	i;

	if (pool == NULL)
		return;
	for (i = 0; i < pool->nfree; i++)
		free(pool->free[i]);
	free(pool->free);
	free(pool);
}

struct sketch *
sketch_pool_get(struct sketch_pool *pool)
{
	struct sketch	*s;

	if (pool->nfree > 0)
		s = pool->free[--pool->nfree];
	else
		s = xmalloc(sizeof *s);
	sketch_reset(s);
	pool->live++;
	return (s);
}

void
sketch_pool_put(struct sketch_pool *pool, struct sketch *s)
{
	if (s == NULL)
		return;
	if (pool->nfree == pool->cap) {
		pool->cap = pool->cap == 0 ? 64 : pool->cap * 2;
		pool->free = xreallocarray(pool->free, pool->cap,
		    sizeof *pool->free);
	}
	pool->free[pool->nfree++] = s;
	if (pool->live > 0)
		pool->live--;
}

size_t
sketch_pool_live(const struct sketch_pool *pool)
{
	return (pool->live);
}

/* Survey answers, carried by a call or a survey event. */
static void
agg_contrib_csat(const struct event *ev, struct agg *d)
{
	if (ev->has & EVENT_HAS_CSAT) {
		d->csat_n = 1;
		d->csat_pos = ev->csat >= 4;
		d->csat_sum = ev->csat;
	}
	if (ev->has & EVENT_HAS_NPS) {
		d->nps_n = 1;
		d->nps_pro = ev->nps >= 9;
		d->nps_det = ev->nps <= 6;
	}
}

/*
 * A finished call.  Without an outcome, a call that met an agent or
 * talked was answered and any other was abandoned.  The transferred flag
 * only counts for answered calls, since transfer_rate is over answered.
 */
static void
agg_contrib_call(const struct event *ev, const struct agg_params *p,
    struct contrib *c)
{
	struct agg		*d = &c->delta;
	enum event_outcome	 outcome = ev->outcome;
	double			 wait;
	int			 has_talk;

	has_talk = (ev->has & EVENT_HAS_TALK) != 0;
	if (outcome == EVENT_OUTCOME_NONE) {
		if (ev->agent[0] != '\0' || (has_talk && ev->talk > 0))
			outcome = EVENT_OUTCOME_ANSWERED;
		else
			outcome = EVENT_OUTCOME_ABANDONED;
	}
	wait = (ev->has & EVENT_HAS_WAIT) ? ev->wait : 0;

	d->offered = 1;
	d->wait_all = wait;
	if (ev->has & EVENT_HAS_WAIT) {
		c->dist_idx[AGG_DIST_WAIT] = sketch_index(wait);
		c->dist_n[AGG_DIST_WAIT] = 1;
	}

	switch (outcome) {
	case EVENT_OUTCOME_ABANDONED:
		d->abandoned = 1;
		d->short_abandoned = wait < p->short_abandon;
		d->abandoned_in_sl = wait <= p->sl_threshold;
		d->wait_abandoned = wait;
		break;
	case EVENT_OUTCOME_TIMEOUT:
		d->timeouts = 1;
		break;
	case EVENT_OUTCOME_TRANSFERRED:
	case EVENT_OUTCOME_ANSWERED:
	default:
		d->answered = 1;
		d->transferred = outcome == EVENT_OUTCOME_TRANSFERRED ||
		    ((ev->has & EVENT_HAS_TRANSFERRED) && ev->transferred);
		d->answered_in_sl = wait <= p->sl_threshold;
		d->wait_answered = wait;
		if (has_talk) {
			d->talk = ev->talk;
			c->dist_idx[AGG_DIST_TALK] = sketch_index(ev->talk);
			c->dist_n[AGG_DIST_TALK] = 1;
		}
		if ((ev->has & EVENT_HAS_HOLD) && ev->hold > 0) {
			d->hold = ev->hold;
			d->held = 1;
			c->dist_idx[AGG_DIST_HOLD] = sketch_index(ev->hold);
			c->dist_n[AGG_DIST_HOLD] = 1;
		}
		if (ev->has & EVENT_HAS_WRAP)
			d->wrap = ev->wrap;
		break;
	}

	if (ev->has & EVENT_HAS_FIRST_CONTACT) {
		d->fc_n = 1;
		d->fc_yes = ev->first_contact != 0;
	}
	if (ev->has & EVENT_HAS_RESOLVED) {
		d->res_n = 1;
		d->res_yes = ev->resolved != 0;
	}
	if (ev->has & EVENT_HAS_REVENUE) {
		d->revenue_n = 1;
		d->revenue = ev->revenue;
	}
	agg_contrib_csat(ev, d);
}

/* Scores are 0-5; aggregates keep 0-100. */
static int
agg_contrib_qa(const struct event *ev, const struct agg_params *p,
    struct contrib *c)
{
	struct agg	*d = &c->delta;
	size_t		 i, j, ncrit, nqa;
	double		 sum;

	nqa = ev->nqa < EVENT_QA_MAX ? ev->nqa : EVENT_QA_MAX;
	if (nqa == 0)
		return (-1);
	ncrit = p->nqa < AGG_QA_MAX ? p->nqa : AGG_QA_MAX;
	sum = 0;
	for (i = 0; i < nqa; i++) {
		sum += ev->qa[i].value;
		for (j = 0; j < ncrit; j++) {
			if (p->qa_criteria[j] == NULL ||
			    strncmp(ev->qa[i].name, p->qa_criteria[j],
			    sizeof ev->qa[i].name) != 0)
				continue;
			d->qa_crit_n[j]++;
			d->qa_crit_sum[j] += ev->qa[i].value * 20.0;
		}
	}
	d->qa_n = 1;
	d->qa_sum = sum / (double)nqa * 20.0;
	return (0);
}

int
agg_contrib(const struct event *ev, const struct agg_params *p,
    struct contrib *c)
{
	int	i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < AGG_DIST_COUNT; i++)
		c->dist_idx[i] = SKETCH_ZERO;

	switch (ev->type) {
	case EVENT_CALL:
		agg_contrib_call(ev, p, c);
		return (0);
	case EVENT_SURVEY:
		if ((ev->has & (EVENT_HAS_CSAT|EVENT_HAS_NPS)) == 0)
			return (-1);
		agg_contrib_csat(ev, &c->delta);
		return (0);
	case EVENT_QA:
		return (agg_contrib_qa(ev, p, c));
	case EVENT_ESAT:
		if ((ev->has & EVENT_HAS_SCORE) == 0)
			return (-1);
		c->delta.esat_n = 1;
		c->delta.esat_pos = ev->score >= 4;
		return (0);
	default:
		/* Lifecycle and agent events feed live state elsewhere. */
		return (-1);
	}
}

/* Every counter and sum; kept in struct order. */
static void
agg_add_counts(struct agg *a, const struct agg *b)
{
	size_t	j;

	a->offered += b->offered;
	a->answered += b->answered;
	a->abandoned += b->abandoned;
	a->short_abandoned += b->short_abandoned;
	a->timeouts += b->timeouts;
	a->answered_in_sl += b->answered_in_sl;
	a->abandoned_in_sl += b->abandoned_in_sl;
	a->transferred += b->transferred;
	a->held += b->held;
	a->fc_yes += b->fc_yes;
	a->fc_n += b->fc_n;
	a->res_yes += b->res_yes;
	a->res_n += b->res_n;
	a->revenue_n += b->revenue_n;
	a->csat_pos += b->csat_pos;
	a->csat_n += b->csat_n;
	a->nps_pro += b->nps_pro;
	a->nps_det += b->nps_det;
	a->nps_n += b->nps_n;
	a->esat_pos += b->esat_pos;
	a->esat_n += b->esat_n;
	a->qa_n += b->qa_n;
	for (j = 0; j < AGG_QA_MAX; j++)
		a->qa_crit_n[j] += b->qa_crit_n[j];

	a->wait_answered += b->wait_answered;
	a->wait_abandoned += b->wait_abandoned;
	a->wait_all += b->wait_all;
	a->talk += b->talk;
	a->hold += b->hold;
	a->wrap += b->wrap;
	a->revenue += b->revenue;
	a->csat_sum += b->csat_sum;
	a->qa_sum += b->qa_sum;
	for (j = 0; j < AGG_QA_MAX; j++)
		a->qa_crit_sum[j] += b->qa_crit_sum[j];
}

void
agg_apply(struct agg *a, const struct contrib *c, struct sketch_pool *pool)
{
	int	i;

	agg_add_counts(a, &c->delta);
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (c->dist_n[i] == 0)
			continue;
		if (a->dist[i] == NULL)
			a->dist[i] = sketch_pool_get(pool);
		sketch_add_index(a->dist[i], c->dist_idx[i]);
	}
}

void
agg_merge(struct agg *a, const struct agg *b, struct sketch_pool *pool)
{
	int	i;

	agg_add_counts(a, b);
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (b->dist[i] == NULL || b->dist[i]->count == 0)
			continue;
		if (a->dist[i] == NULL)
			a->dist[i] = sketch_pool_get(pool);
		sketch_merge(a->dist[i], b->dist[i]);
	}
}

void
agg_clear(struct agg *a, struct sketch_pool *pool)
{
	int	i;

	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (a->dist[i] != NULL)
			sketch_pool_put(pool, a->dist[i]);
	}
	memset(a, 0, sizeof *a);
}

/* Every contrib counts something, so the counters decide. */
int
agg_is_empty(const struct agg *a)
{
	static const struct agg	zero;
	int			i;

	if (memcmp(a, &zero, offsetof(struct agg, wait_answered)) != 0)
		return (0);
	for (i = 0; i < AGG_DIST_COUNT; i++) {
		if (a->dist[i] != NULL && a->dist[i]->count != 0)
			return (0);
	}
	return (1);
}
