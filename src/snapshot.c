/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Building snapshots off the hot path: each step serializes and computes
 * SNAPSHOT_STEP scopes and then yields to the loop, so ingest waits at
 * most one step.  One snapshot is built or written at a time; requests
 * that arrive while one is being written wait for the next.
 */
#include <sys/queue.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "callscored.h"
#include "clock.h"
#include "conf.h"
#include "kpi.h"
#include "log.h"
#include "scope.h"
#include "snapshot.h"
#include "store.h"
#include "window.h"
#include "xmalloc.h"

#define SNAPSHOT_STEP	64	/* scopes per loop turn */

struct waiter {
	snapshot_done_cb	 cb;
	void			*arg;
	TAILQ_ENTRY(waiter)	 entry;
};
TAILQ_HEAD(waiters, waiter);

enum snapshot_state {
	SNAPSHOT_IDLE,
	SNAPSHOT_BUILDING,
	SNAPSHOT_WRITING
};

struct snapshot {
	struct callscored	*cs;
	enum snapshot_state	 state;
	struct event		*step_ev;
	struct store_snap	*snap;
	enum scope_kind		 kind;		/* cursor */
	struct scope		*scope;
	uint64_t		 now_ms;
	uint64_t		 id;		/* being written */
	struct waiters		 waiters;	/* of the current one */
	struct waiters		 next;		/* of the next one */
};

static void	snapshot_step_cb(evutil_socket_t, short, void *);
static int	snapshot_step(struct snapshot *, size_t);
static void	snapshot_scope(struct snapshot *, struct scope *);
static void	snapshot_begin(struct snapshot *);
static void	snapshot_submit(struct snapshot *);
static void	snapshot_notify(struct waiters *, const struct store_result *);
static void	snapshot_yield(struct snapshot *);

struct snapshot *
snapshot_new(struct callscored *cs)
{
	struct snapshot	*s;

	s = xcalloc(1, sizeof *s);
	s->cs = cs;
	s->step_ev = evtimer_new(cs->base, snapshot_step_cb, s);
	TAILQ_INIT(&s->waiters);
	TAILQ_INIT(&s->next);
	return (s);
}

static void
snapshot_free_waiters(struct waiters *w)
{
	struct waiter	*wt;

	while ((wt = TAILQ_FIRST(w)) != NULL) {
		TAILQ_REMOVE(w, wt, entry);
		free(wt);
	}
}

void
snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	event_free(s->step_ev);
	store_snap_free(s->snap);
	snapshot_free_waiters(&s->waiters);
	snapshot_free_waiters(&s->next);
	free(s);
}

static void
snapshot_begin(struct snapshot *s)
{
	const struct conf	*conf = s->cs->conf;

	s->now_ms = clock_now_ms();
	s->snap = store_snap_new(s->now_ms / 1000.0);
	if (conf->retention > 0)
		s->snap->prune_before = s->now_ms / 1000.0 - conf->retention;
	s->kind = SCOPE_GLOBAL;
	s->scope = scopes_first(s->cs->scopes, SCOPE_GLOBAL);
	s->state = SNAPSHOT_BUILDING;
}

/*
 * Run the next step after the loop has polled for I/O: a zero timeout,
 * not event_active(), which would run again in the same loop turn and
 * starve the connections until the whole snapshot was built.
 */
static void
snapshot_yield(struct snapshot *s)
{
	struct timeval	tv = { 0, 0 };

	evtimer_add(s->step_ev, &tv);
}

void
snapshot_request(struct snapshot *s, snapshot_done_cb cb, void *arg)
{
	struct waiter	*w;

	if (cb != NULL) {
		w = xcalloc(1, sizeof *w);
		w->cb = cb;
		w->arg = arg;
		TAILQ_INSERT_TAIL(s->state == SNAPSHOT_WRITING ? &s->next :
		    &s->waiters, w, entry);
	}
	if (s->state != SNAPSHOT_IDLE)
		return;
	snapshot_begin(s);
	snapshot_yield(s);
}

void
snapshot_cancel(struct snapshot *s, void *arg)
{
	struct waiters	*lists[2] = { &s->waiters, &s->next };
	struct waiter	*w, *tmp;
	int		 i;

	for (i = 0; i < 2; i++) {
		for (w = TAILQ_FIRST(lists[i]); w != NULL; w = tmp) {
			tmp = TAILQ_NEXT(w, entry);
			if (w->arg == arg) {
				TAILQ_REMOVE(lists[i], w, entry);
				free(w);
			}
		}
	}
}

/* Serialize one scope's rings and, where history is kept, its KPIs. */
static void
snapshot_scope(struct snapshot *s, struct scope *sc)
{
	struct scopes		*scopes = s->cs->scopes;
	const struct conf	*conf = s->cs->conf;
	const struct window_def	*def;
	struct kpi_params	 kp = { conf->cost_per_hour };
	struct agg		 sum;
	double			 v[KPI_COUNT];
	unsigned char		*blob;
	size_t			 w, len;
	int			 k, history;

	history = sc->kind != SCOPE_AGENT || conf->history_agents;
	for (w = 0; w < scopes_nwindows(scopes); w++) {
		def = scopes_window(scopes, w);
		if (ring_is_empty(sc->rings[w]))
			continue;
		blob = ring_serialize(sc->rings[w], def, s->now_ms, &len);
		if (blob != NULL)
			store_snap_add_state(s->snap, sc->kind, sc->name,
			    def->name, blob, len);
		if (!history)
			continue;
		memset(&sum, 0, sizeof sum);
		ring_sum(sc->rings[w], def, s->now_ms, &sum,
		    scopes_pool(scopes));
		kpi_compute(&sum, &kp, v);
		agg_clear(&sum, scopes_pool(scopes));
		for (k = 0; k < KPI_COUNT; k++) {
			if (!isnan(v[k]))
				store_snap_add_kpi(s->snap, sc->kind,
				    sc->name, def->name, kpi_table[k].id, v[k]);
		}
	}
}

/* Do up to n scopes; returns 1 when every scope is done. */
static int
snapshot_step(struct snapshot *s, size_t n)
{
	while (n > 0) {
		while (s->scope == NULL) {
			if (++s->kind >= SCOPE_KIND_COUNT)
				return (1);
			s->scope = scopes_first(s->cs->scopes, s->kind);
		}
		snapshot_scope(s, s->scope);
		s->scope = s->scope->list_next;
		n--;
	}
	return (0);
}

static void
snapshot_submit(struct snapshot *s)
{
	struct store_result	res;
	struct store_snap	*snap = s->snap;

	s->snap = NULL;
	s->state = SNAPSHOT_WRITING;
	s->id = store_submit(s->cs->store, snap);
	if (s->id == 0) {
		memset(&res, 0, sizeof res);
		snprintf(res.error, sizeof res.error,
		    "snapshot dropped: the database writer is behind");
		log_warnx("snapshot: %s", res.error);
		snapshot_done(s, &res);
	}
}

static void
snapshot_step_cb(evutil_socket_t fd, short events, void *arg)
{
	struct snapshot	*s = arg;

	if (s->state != SNAPSHOT_BUILDING)
		return;
	if (snapshot_step(s, SNAPSHOT_STEP))
		snapshot_submit(s);
	else
		snapshot_yield(s);
}

/*
 * At exit: a fresh, complete snapshot of everything accepted.  One being
 * built is started over; one being written goes first in the writer's
 * queue, so the final one commits last.
 */
void
snapshot_final(struct snapshot *s)
{
	store_snap_free(s->snap);
	s->snap = NULL;
	snapshot_begin(s);
	snapshot_step(s, (size_t)-1);
	snapshot_submit(s);
}

static void
snapshot_notify(struct waiters *list, const struct store_result *res)
{
	struct waiter	*w;

	while ((w = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, w, entry);
		w->cb(res, w->arg);
		free(w);
	}
}

void
snapshot_done(struct snapshot *s, const struct store_result *res)
{
	if (res->id != s->id)
		return;
	if (!res->ok) {
		s->cs->stats.snapshots_failed++;
		log_warnx("snapshot: %s", res->error);
	} else
		log_debug("snapshot: %zu rows in %.1f ms", res->rows,
		    res->duration * 1000);
	s->state = SNAPSHOT_IDLE;
	s->id = 0;
	snapshot_notify(&s->waiters, res);
	if (!TAILQ_EMPTY(&s->next)) {
		TAILQ_CONCAT(&s->waiters, &s->next, entry);
		snapshot_request(s, NULL, NULL);
	}
}

struct restore_ctx {
	struct callscored	*cs;
	uint64_t		 now_ms;
	int			 rows, skipped, bad;
};

static void
snapshot_restore_cb(const struct store_state *st, void *arg)
{
	struct restore_ctx	*ctx = arg;
	struct scopes		*scopes = ctx->cs->scopes;
	struct scope		*sc;
	int			 w;

	if (st->kind < 0 || st->kind >= SCOPE_KIND_COUNT ||
	    (w = scopes_window_index(scopes, st->window)) == -1) {
		ctx->skipped++;		/* a window no longer configured */
		return;
	}
	if ((sc = scopes_get(scopes, st->kind, st->name)) == NULL) {
		ctx->skipped++;		/* over a (lowered) limit */
		return;
	}
	if (ring_restore(sc->rings[w], scopes_window(scopes, (size_t)w),
	    ctx->now_ms, st->blob, st->len, scopes_pool(scopes)) != 0) {
		ctx->bad++;
		return;
	}
	ctx->rows++;
}

int
snapshot_restore(struct callscored *cs, char **cause)
{
	struct restore_ctx	ctx;

	memset(&ctx, 0, sizeof ctx);
	ctx.cs = cs;
	ctx.now_ms = clock_now_ms();
	if (store_restore(cs->store, snapshot_restore_cb, &ctx, cause) < 0)
		return (-1);
	if (ctx.skipped > 0 || ctx.bad > 0)
		log_warnx("snapshot: restore skipped %d rows (window or limit "
		    "changed) and %d malformed", ctx.skipped, ctx.bad);
	return (ctx.rows);
}
