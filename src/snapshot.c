/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Building snapshots off the hot path: each step serializes and computes
 * scopes for at most SNAPSHOT_STEP_US microseconds and then yields to the
 * loop, so ingest waits at most one step (one scope at least).  One snapshot is built or written at a time; requests
 * that arrive while one is being written wait for the next.
 *
 * The calendar ring (calendar.h) is saved like any ring, but its history
 * rows are those of the today and interval windows, and each snapshot
 * also writes the KPIs of every calendar interval that closed since the
 * last one committed: after a restart, those still in the ring, so a gap
 * loses only what the ring no longer holds.
 *
 * For the journal (journal.h), a snapshot records the seq of the last
 * event accepted when it began, and each state row the seq when its scope
 * was serialized: restore gives each scope its row's seq, and replay
 * applies to a scope only the events after it.  The journal's batch is
 * handed to the writer before the snapshot, so no state row is ever
 * ahead of the journal.
 */
#include <sys/queue.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "calendar.h"
#include "callscored.h"
#include "clock.h"
#include "conf.h"
#include "journal.h"
#include "kpi.h"
#include "log.h"
#include "scope.h"
#include "snapshot.h"
#include "store.h"
#include "window.h"
#include "xmalloc.h"

#define SNAPSHOT_STEP_US	1000	/* building time per loop turn */

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

/* Where a scope's snapshot stopped (snapshot_scope()). */
enum snapshot_part {
	SNAPSHOT_PART_STATE,		/* not begun: serialize its windows */
	SNAPSHOT_PART_KPIS,		/* history: window by window */
	SNAPSHOT_PART_INTERVALS		/* closed intervals, one by one */
};

struct snapshot {
	struct callscored	*cs;
	enum snapshot_state	 state;
	struct event		*step_ev;
	struct event		*load_ev;	/* restoring saved scopes */
	uint64_t		 load_start;	/* CLOCK_MONOTONIC, ms */
	struct store_snap	*snap;
	enum scope_kind		 kind;		/* cursor */
	struct scope		*scope;
	enum snapshot_part	 part;		/* of the scope */
	size_t			 w;		/* SNAPSHOT_PART_KPIS: window */
	int64_t			 iv_t;		/* ..._INTERVALS: next one */
	uint64_t		 now_ms;
	uint64_t		 id;		/* being written */
	/*
	 * The calendar ring's index (-1: none) and, in seconds, the
	 * intervals [iv_from, iv_to) this snapshot writes, every iv_len.
	 */
	int			 cal;
	uint64_t		 today_ms;	/* local midnight */
	uint64_t		 ivnow_ms;	/* the current interval's start */
	int64_t			 iv_from, iv_to, iv_len;
	int64_t			 iv_done;	/* written: intervals before */
	int64_t			 iv_pending;	/* iv_done once committed */
	uint64_t		 build_us;	/* loop time, this one */
	uint64_t		 step_max_us;	/* its longest turn */
	struct snapshot_stats	 stats;		/* of the last one built */
	/*
	 * Where a window is serialized before it is copied into the
	 * snapshot: kept from one to the next, so that the global scope's
	 * windows (hundreds of KB) neither grow a buffer nor fault in its
	 * pages within their loop turn.
	 */
	unsigned char		*buf;
	size_t			 bufcap;
	struct waiters		 waiters;	/* of the current one */
	struct waiters		 next;		/* of the next one */
};

static void	snapshot_step_cb(evutil_socket_t, short, void *);
static void	snapshot_load_cb(evutil_socket_t, short, void *);
static void	snapshot_load_yield(struct snapshot *);
static int	snapshot_step(struct snapshot *, uint64_t);
static uint64_t	snapshot_usec(void);
static int	snapshot_scope(struct snapshot *, struct scope *, uint64_t,
		    uint64_t);
static int	snapshot_over(uint64_t, uint64_t);
static void	snapshot_kpis(struct snapshot *, struct scope *, size_t,
		    const char *, uint64_t);
static void	snapshot_interval(struct snapshot *, struct scope *, size_t,
		    int64_t);
static void	snapshot_calendar(struct snapshot *);
static void	snapshot_begin(struct snapshot *);
static void	snapshot_submit(struct snapshot *, int);
static void	snapshot_notify(struct waiters *, const struct store_result *);
static void	snapshot_yield(struct snapshot *);

struct snapshot *
snapshot_new(struct callscored *cs)
{
	struct snapshot	*s;

	s = xcalloc(1, sizeof *s);
	s->cs = cs;
	s->step_ev = evtimer_new(cs->base, snapshot_step_cb, s);
	/* Restore what start only kept, a little each loop turn. */
	s->load_ev = evtimer_new(cs->base, snapshot_load_cb, s);
	s->load_start = clock_mono_ms();
	if (scopes_saved(cs->scopes) > 0)
		snapshot_load_yield(s);
	s->iv_done = (int64_t)store_last_interval(cs->store);
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
	event_free(s->load_ev);
	store_snap_free(s->snap);
	free(s->buf);
	snapshot_free_waiters(&s->waiters);
	snapshot_free_waiters(&s->next);
	free(s);
}

static void
snapshot_begin(struct snapshot *s)
{
	const struct conf	*conf = s->cs->conf;

	s->now_ms = clock_now_ms();
	s->build_us = s->step_max_us = 0;
	s->snap = store_snap_new(s->now_ms / 1000.0);
	s->snap->seq = s->cs->seq;
	if (conf->retention > 0)
		s->snap->prune_before = s->now_ms / 1000.0 - conf->retention;
	snapshot_calendar(s);
	s->kind = SCOPE_GLOBAL;
	s->scope = scopes_first(s->cs->scopes, SCOPE_GLOBAL);
	s->part = SNAPSHOT_PART_STATE;
	s->state = SNAPSHOT_BUILDING;
}

/*
 * Where today and the current interval begin, and which closed intervals
 * this snapshot writes: from the first not yet written, or the oldest
 * still in the ring, to the current one.
 */
static void
snapshot_calendar(struct snapshot *s)
{
	struct scopes		*scopes = s->cs->scopes;
	const struct conf	*conf = s->cs->conf;
	const struct window_def	*def;
	int64_t			 now, from, oldest, k;

	s->iv_from = s->iv_to = 0;
	s->iv_len = (int64_t)conf->interval;
	if ((s->cal = scopes_window_index(scopes, CALENDAR_RING)) == -1 ||
	    s->iv_len <= 0)
		return;
	calendar_zone(conf->timezone);
	now = (int64_t)(s->now_ms / 1000);
	s->today_ms = (uint64_t)calendar_day_start(now) * 1000;
	s->ivnow_ms = (uint64_t)calendar_interval_start(now, s->iv_len) * 1000;

	def = scopes_window(scopes, (size_t)s->cal);
	k = (int64_t)(s->now_ms / def->slot_ms) - (int64_t)def->nslots + 1;
	oldest = k > 0 ? k * (int64_t)(def->slot_ms / 1000) : 0;
	from = s->iv_done > oldest ? s->iv_done : oldest;
	s->iv_from = calendar_interval_start(from, s->iv_len);
	if (s->iv_from < from)
		s->iv_from += s->iv_len;
	s->iv_to = (int64_t)(s->ivnow_ms / 1000);
	if (s->iv_from > s->iv_to)
		s->iv_from = s->iv_to;
	if (s->iv_to > s->iv_done)
		s->snap->interval_mark = (double)s->iv_to;
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

/* History rows of window name: ring w summed from from_ms to now. */
static void
snapshot_kpis(struct snapshot *s, struct scope *sc, size_t w,
    const char *name, uint64_t from_ms)
{
	struct scopes		*scopes = s->cs->scopes;
	struct kpi_params	 kp = { s->cs->conf->cost_per_hour };
	const struct window_def	*def = scopes_window(scopes, w);
	struct agg		 sum;
	double			 v[KPI_COUNT];
	int			 k;

	memset(&sum, 0, sizeof sum);
	if (from_ms == 0)
		ring_sum(sc->rings[w], def, s->now_ms, &sum,
		    scopes_pool(scopes));
	else
		ring_sum_range(sc->rings[w], def, from_ms, UINT64_MAX,
		    s->now_ms, &sum, scopes_pool(scopes));
	kpi_compute(&sum, &kp, v);
	agg_clear(&sum, scopes_pool(scopes));
	for (k = 0; k < KPI_COUNT; k++) {
		if (!isnan(v[k]))
			store_snap_add_kpi(s->snap, sc->kind, sc->name, name,
			    kpi_table[k].id, v[k]);
	}
}

/* The closed interval starting at t (seconds), if it saw anything. */
static void
snapshot_interval(struct snapshot *s, struct scope *sc, size_t w, int64_t t)
{
	struct scopes		*scopes = s->cs->scopes;
	struct kpi_params	 kp = { s->cs->conf->cost_per_hour };
	const struct window_def	*def = scopes_window(scopes, w);
	struct agg		 sum;
	double			 v[KPI_COUNT];
	int			 k;

	memset(&sum, 0, sizeof sum);
	ring_sum_range(sc->rings[w], def, (uint64_t)t * 1000,
	    (uint64_t)(t + s->iv_len) * 1000, s->now_ms, &sum,
	    scopes_pool(scopes));
	if (!agg_is_empty(&sum)) {
		kpi_compute(&sum, &kp, v);
		for (k = 0; k < KPI_COUNT; k++) {
			if (!isnan(v[k]))
				store_snap_add_interval(s->snap, (double)t,
				    sc->kind, sc->name, kpi_table[k].id, v[k]);
		}
	}
	agg_clear(&sum, scopes_pool(scopes));
}

/* Has budget_us (0: no limit) passed since start? */
static int
snapshot_over(uint64_t start, uint64_t budget_us)
{
	return (budget_us != 0 && snapshot_usec() - start >= budget_us);
}

/*
 * One scope, in parts, so that a large one spreads over loop turns:
 * first its windows serialized together (their rows must hold the same
 * events: one seq), then, where history is kept, each window's KPIs and
 * the closed intervals one at a time, checking the budget between them
 * (s->part and its cursors say where it stopped).  Returns 1 when the
 * scope is done.
 */
static int
snapshot_scope(struct snapshot *s, struct scope *sc, uint64_t start,
    uint64_t budget_us)
{
	struct scopes		*scopes = s->cs->scopes;
	const struct conf	*conf = s->cs->conf;
	const struct window_def	*def;
	size_t			 w, len, nw = scopes_nwindows(scopes);

	if (s->part == SNAPSHOT_PART_STATE) {
		SCOPE_LOAD(scopes, sc);
		for (w = 0; w < nw; w++) {
			def = scopes_window(scopes, w);
			/*
			 * Scopes no event visits any more still hold slots
			 * that have left their windows: give them back once
			 * per snapshot.
			 */
			ring_expire(sc->rings[w], def, s->now_ms,
			    scopes_pool(scopes));
			if (ring_is_empty(sc->rings[w]))
				continue;
			len = ring_serialize_buf(sc->rings[w], def, s->now_ms,
			    &s->buf, &s->bufcap);
			store_snap_copy_state(s->snap, sc->kind, sc->name,
			    def->name, s->cs->seq, s->buf, len);
		}
		if (sc->kind == SCOPE_AGENT && !conf->history_agents)
			return (1);
		s->part = SNAPSHOT_PART_KPIS;
		s->w = 0;
	}
	while (s->part == SNAPSHOT_PART_KPIS && s->w < nw) {
		if (snapshot_over(start, budget_us))
			return (0);
		w = s->w++;
		def = scopes_window(scopes, w);
		if (ring_is_empty(sc->rings[w]))
			continue;
		if ((int)w != s->cal) {
			snapshot_kpis(s, sc, w, def->name, 0);
			continue;
		}
		snapshot_kpis(s, sc, w, "today", s->today_ms);
		snapshot_kpis(s, sc, w, "interval", s->ivnow_ms);
	}
	if (s->part == SNAPSHOT_PART_KPIS) {
		s->part = SNAPSHOT_PART_INTERVALS;
		s->iv_t = s->iv_from;
		if (s->cal < 0 || ring_is_empty(sc->rings[s->cal]))
			return (1);
	}
	for (; s->iv_t < s->iv_to; s->iv_t += s->iv_len) {
		if (snapshot_over(start, budget_us))
			return (0);
		snapshot_interval(s, sc, (size_t)s->cal, s->iv_t);
	}
	return (1);
}

/* CLOCK_MONOTONIC, in microseconds. */
static uint64_t
snapshot_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

/* Build scopes until done (1) or budget_us has passed (0); 0: no limit. */
static int
snapshot_step(struct snapshot *s, uint64_t budget_us)
{
	uint64_t	start = budget_us != 0 ? snapshot_usec() : 0;

	for (;;) {
		while (s->scope == NULL) {
			if (++s->kind >= SCOPE_KIND_COUNT)
				return (1);
			s->scope = scopes_first(s->cs->scopes, s->kind);
		}
		if (!snapshot_scope(s, s->scope, start, budget_us))
			return (0);
		s->part = SNAPSHOT_PART_STATE;
		s->scope = s->scope->list_next;
		if (snapshot_over(start, budget_us))
			return (0);
	}
}

/* Hand the snapshot to the writer; at exit wait for room, never drop. */
static void
snapshot_submit(struct snapshot *s, int final)
{
	struct store_result	res;
	struct store_snap	*snap = s->snap;

	s->snap = NULL;
	s->state = SNAPSHOT_WRITING;
	s->iv_pending = (int64_t)snap->interval_mark;
	if (s->cs->journal != NULL)
		journal_flush(s->cs->journal);
	s->id = final ? store_submit_wait(s->cs->store, snap) :
	    store_submit(s->cs->store, snap);
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
	uint64_t	 start, spent;
	int		 done;

	if (s->state != SNAPSHOT_BUILDING)
		return;
	start = snapshot_usec();
	done = snapshot_step(s, SNAPSHOT_STEP_US);
	spent = snapshot_usec() - start;
	s->build_us += spent;
	if (spent > s->step_max_us)
		s->step_max_us = spent;
	if (!done) {
		snapshot_yield(s);
		return;
	}
	s->stats.built++;
	s->stats.build = s->build_us / 1e6;
	s->stats.longest_step = s->step_max_us / 1e6;
	snapshot_submit(s, 0);
}

void
snapshot_get_stats(const struct snapshot *s, struct snapshot_stats *st)
{
	*st = s->stats;
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
	snapshot_step(s, 0);
	snapshot_submit(s, 1);
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
	} else {
		if (s->iv_pending > s->iv_done)
			s->iv_done = s->iv_pending;
		log_debug("snapshot: %zu rows in %.1f ms", res->rows,
		    res->duration * 1000);
	}
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
	int			 rows, skipped;
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
	if ((sc = scopes_make(scopes, st->kind, st->name)) == NULL) {
		ctx->skipped++;		/* over a (lowered) limit */
		return;
	}
	/* Restored at first use or in the background (scope.h). */
	scopes_save(scopes, sc, (size_t)w, st->blob, st->len);
	/* The journal's events up to here are in it already. */
	if (st->seq > sc->seq)
		sc->seq = st->seq;
	ctx->rows++;
}

int
snapshot_restore(struct callscored *cs, char **cause)
{
	struct restore_ctx	ctx;

	memset(&ctx, 0, sizeof ctx);
	ctx.cs = cs;
	if (store_restore(cs->store, snapshot_restore_cb, &ctx, cause) < 0)
		return (-1);
	if (ctx.skipped > 0)
		log_warnx("snapshot: restore skipped %d rows (window or limit "
		    "changed)", ctx.skipped);
	return (ctx.rows);
}

static void
snapshot_load_yield(struct snapshot *s)
{
	struct timeval	tv = { 0, 0 };

	evtimer_add(s->load_ev, &tv);
}

/* Restore saved scopes for SNAPSHOT_STEP_US, then let the loop run. */
static void
snapshot_load_cb(evutil_socket_t fd, short events, void *arg)
{
	struct snapshot	*s = arg;
	struct scopes	*scopes = s->cs->scopes;

	if (scopes_load_some(scopes, SNAPSHOT_STEP_US) > 0) {
		snapshot_load_yield(s);
		return;
	}
	log_info("restore: every saved scope restored %llu ms after start%s",
	    (unsigned long long)(clock_mono_ms() - s->load_start),
	    scopes_load_errors(scopes) > 0 ? " (malformed ones dropped)" : "");
}
