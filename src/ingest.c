/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The ingest path.  Per line: parse into a stack struct event, check its
 * time against the accepted range, find (or create, within limits) the
 * scopes it touches, classify it once into a contrib and add that to the
 * current slot of every window of every scope.  Nothing here allocates
 * once the scopes exist, and nothing waits.
 *
 * Two things arrive apart from their event's own contrib, each as a
 * small contrib added to scopes that already exist: a repeat contact,
 * credited at the earlier call's time to the earlier call's scopes
 * (repeat.c), and agents' busy and ready seconds, reported by live state
 * at each transition and, for stretches still running, by
 * ingest_live_flush() on the 1 s tick.
 *
 * Each event accepted gets the next seq and, with the journal on, its
 * line and receive time go into the journal.  At start, ingest_replay()
 * applies the journal's records past the last snapshot as they were
 * applied then: placed by their ts or receive time, without the ts range
 * check (they passed it once), and only to scopes whose restored state
 * does not hold them already (their seq is above the scope's).  Windows
 * they have left since drop them as ring_add() always does.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "agg.h"
#include "callscored.h"
#include "clock.h"
#include "conf.h"
#include "ingest.h"
#include "journal.h"
#include "live.h"
#include "log.h"
#include "repeat.h"
#include "scope.h"
#include "store.h"
#include "totals.h"
#include "window.h"

#define INGEST_SCOPES	4

/* When an event is applied, and whether it is replayed. */
struct ingest_at {
	uint64_t	recv_ms;	/* received (steady epoch) */
	uint64_t	now_ms;		/* the clock now */
	uint64_t	seq;
	int		replay;		/* skip scopes holding seq already */
	uint64_t	customer;	/* repeat_prefetch()'s hash, or 0 */
};

static enum event_error	ingest_scopes(struct callscored *, struct event *,
			    struct scope **, size_t *, char *, size_t);
static int		ingest_holds(const struct scope *,
			    const struct ingest_at *);
static void		ingest_extra(struct callscored *, const char *,
			    const char *, const char *, uint64_t,
			    const struct ingest_at *, const struct contrib *);
static void		ingest_extra_scopes(struct callscored *,
			    struct scope **, size_t, uint64_t,
			    const struct ingest_at *, const struct contrib *);
static void		ingest_agent_time(struct callscored *,
			    const struct live_delta_agent *, uint64_t,
			    const struct ingest_at *);
static void		ingest_flush_cb(const struct live_delta_agent *,
			    void *);
static void		ingest_repeat(struct callscored *,
			    const struct event *, struct scope **, size_t,
			    uint64_t, const struct ingest_at *);
static void		ingest_apply(struct callscored *, const struct event *,
			    struct scope **, size_t, uint64_t,
			    const struct ingest_at *);
static int		ingest_replay_record(uint64_t, uint64_t, const char *,
			    size_t, void *);
static int		ingest_replay_row(uint64_t, uint64_t,
			    const unsigned char *, size_t, void *);

struct ingest_flush {
	struct callscored	*cs;
	struct ingest_at	 at;
};

struct ingest_replay {
	struct callscored	*cs;
	uint64_t		 after;		/* the snapshot's seq */
	uint64_t		 now_ms;
	uint64_t		 applied, skipped, bad_rows;
};

void
ingest_reject(struct callscored *cs, enum event_error error)
{
	cs->stats.lines_bad++;
	cs->stats.rejects[error]++;
}

/* Collect the scopes an event touches; refuse it at a cardinality limit. */
static enum event_error
ingest_scopes(struct callscored *cs, struct event *ev, struct scope **out,
    size_t *n, char *reason, size_t reasonlen)
{
	static const struct {
		enum scope_kind	 kind;
		const char	*what;
		size_t		 offset;
	} fields[] = {
		{ SCOPE_QUEUE, "queue", offsetof(struct event, queue) },
		{ SCOPE_AGENT, "agent", offsetof(struct event, agent) },
		{ SCOPE_TEAM, "team", offsetof(struct event, team) },
	};
	struct scope	*sc, *agent = NULL;
	const char	*name;
	uint64_t	 h[3];
	size_t		 i, len[3];

	/*
	 * The names hashed and their buckets, then the scopes they lead
	 * to, loaded all at once: one wait for memory instead of one for
	 * each, when the scopes are many.
	 */
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		name = (const char *)ev + fields[i].offset;
		if ((len[i] = strlen(name)) > 0)
			h[i] = scopes_prefetch(cs->scopes, fields[i].kind,
			    name, len[i]);
	}
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (len[i] > 0)
			scopes_prefetch_chain(cs->scopes, h[i]);
	}

	*n = 0;
	out[(*n)++] = scopes_global(cs->scopes);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		name = (const char *)ev + fields[i].offset;
		if (fields[i].kind == SCOPE_TEAM && len[i] == 0 &&
		    agent != NULL && agent->team[0] != '\0') {
			name = agent->team;	/* the agent's known team */
			len[i] = strlen(name);
			h[i] = scopes_prefetch(cs->scopes, SCOPE_TEAM, name,
			    len[i]);
		}
		if (len[i] == 0)
			continue;
		sc = scopes_get_hashed(cs->scopes, fields[i].kind, name,
		    len[i], h[i]);
		if (sc == NULL) {
			snprintf(reason, reasonlen,
			    "too many %ss: limit of %zu reached", fields[i].what,
			    scopes_count(cs->scopes, fields[i].kind));
			return (EVENT_ERR_CARDINALITY);
		}
		if (fields[i].kind == SCOPE_AGENT)
			agent = sc;
		out[(*n)++] = sc;
	}
	/* Remember an agent's team for events that do not name it. */
	if (agent != NULL && ev->team[0] != '\0' &&
	    strcmp(agent->team, ev->team) != 0)
		memcpy(agent->team, ev->team, sizeof agent->team);
	return (EVENT_OK);
}

/* In replay: does the restored state of sc hold this event already? */
static int
ingest_holds(const struct scope *sc, const struct ingest_at *at)
{
	return (at->replay && at->seq <= sc->seq);
}

/*
 * Add c at t_ms to the global scope and to the named queue, agent and
 * team ("" or NULL for none) that exist.  Nothing is created: these
 * contribs follow an event whose scopes were made (or refused) already.
 * ring_add() drops c from a window that t_ms has already left; a time
 * after the event's arrival counts as its arrival.
 */
static void
ingest_extra(struct callscored *cs, const char *queue, const char *agent,
    const char *team, uint64_t t_ms, const struct ingest_at *at,
    const struct contrib *c)
{
	struct scope		*sc[INGEST_SCOPES];
	size_t			 n = 0;

	sc[n++] = scopes_global(cs->scopes);
	if (queue != NULL && *queue != '\0' &&
	    (sc[n] = scopes_find(cs->scopes, SCOPE_QUEUE, queue)) != NULL)
		n++;
	if (agent != NULL && *agent != '\0' &&
	    (sc[n] = scopes_find(cs->scopes, SCOPE_AGENT, agent)) != NULL)
		n++;
	if (team != NULL && *team != '\0' &&
	    (sc[n] = scopes_find(cs->scopes, SCOPE_TEAM, team)) != NULL)
		n++;
	ingest_extra_scopes(cs, sc, n, t_ms, at, c);
}

/* The same, to scopes sc[] at hand. */
static void
ingest_extra_scopes(struct callscored *cs, struct scope **sc, size_t n,
    uint64_t t_ms, const struct ingest_at *at, const struct contrib *c)
{
	size_t	i;

	if (t_ms > at->recv_ms)
		t_ms = at->recv_ms;
	for (i = 0; i < n; i++) {
		SCOPE_LOAD(cs->scopes, sc[i]);
		if (ingest_holds(sc[i], at))
			continue;
		(void)scope_add(sc[i], t_ms, at->now_ms, c);
	}
}

/* An agent's busy and ready seconds, ending at t_ms. */
static void
ingest_agent_time(struct callscored *cs, const struct live_delta_agent *da,
    uint64_t t_ms, const struct ingest_at *at)
{
	struct contrib		 c;
	struct scope		*agent;
	const char		*team = da->team;

	if (!(da->busy > 0) && !(da->ready > 0))
		return;
	memset(&c, 0, sizeof c);
	c.delta.busy = da->busy > 0 ? da->busy : 0;
	c.delta.ready = da->ready > 0 ? da->ready : 0;
	c.parts = agg_parts(&c.delta);
	/* The team the agent's calls count in, if live state has none. */
	if (*team == '\0' &&
	    (agent = scopes_find(cs->scopes, SCOPE_AGENT, da->agent)) != NULL)
		team = agent->team;
	ingest_extra(cs, NULL, da->agent, team, t_ms, at, &c);
}

static void
ingest_flush_cb(const struct live_delta_agent *da, void *arg)
{
	struct ingest_flush	*f = arg;

	ingest_agent_time(f->cs, da, f->at.now_ms, &f->at);
}

void
ingest_live_flush(struct callscored *cs)
{
	struct ingest_flush	f;

	memset(&f, 0, sizeof f);
	f.cs = cs;
	f.at.now_ms = f.at.recv_ms = clock_now_ms();
	live_flush(cs->live, f.at.now_ms / 1000.0, ingest_flush_cb, &f);
}

/*
 * A finished call naming a customer: note it, and if it shows an earlier
 * answered call to have been repeated, count that at the earlier call's
 * time in the earlier call's scopes.  sc[] are this call's scopes, for
 * the team it counted in; the repeat table keeps them by reference,
 * which holds because scopes live as long as the daemon.
 */
static void
ingest_repeat(struct callscored *cs, const struct event *ev,
    struct scope **sc, size_t n, uint64_t t_ms, const struct ingest_at *at)
{
	const struct conf	*conf = cs->conf;
	void			*ref[REPEAT_REFS] = { NULL, NULL, NULL };
	struct scope		*hsc[INGEST_SCOPES];
	struct repeat_hit	 hit;
	struct contrib		 c;
	size_t			 i, hn = 0;

	if (cs->repeat == NULL || ev->type != EVENT_CALL ||
	    ev->customer[0] == '\0')
		return;
	/* Cheap, and a reload needs nothing else. */
	repeat_set_limits(cs->repeat, conf->max_calls, conf->repeat_window);
	for (i = 0; i < n; i++) {
		switch (sc[i]->kind) {
		case SCOPE_QUEUE:
			ref[REPEAT_QUEUE] = sc[i];
			break;
		case SCOPE_AGENT:
			ref[REPEAT_AGENT] = sc[i];
			break;
		case SCOPE_TEAM:
			ref[REPEAT_TEAM] = sc[i];
			break;
		default:
			break;
		}
	}
	if (repeat_note(cs->repeat, ev, at->customer, ref, t_ms / 1000.0,
	    &hit) != 1)
		return;
	memset(&c, 0, sizeof c);
	c.delta.repeated = 1;
	c.parts = agg_parts(&c.delta);
	hsc[hn++] = scopes_global(cs->scopes);
	for (i = 0; i < REPEAT_REFS; i++) {
		if (hit.ref[i] != NULL)
			hsc[hn++] = hit.ref[i];
	}
	ingest_extra_scopes(cs, hsc, hn, (uint64_t)llround(hit.t * 1000.0),
	    at, &c);
}

/*
 * Apply an accepted event at t_ms to its scopes sc[], live state and the
 * repeat table.  A replayed event skips the scopes that hold it already
 * and the totals, which count what this process received.
 */
static void
ingest_apply(struct callscored *cs, const struct event *ev, struct scope **sc,
    size_t n, uint64_t t_ms, const struct ingest_at *at)
{
	const struct conf	*conf = cs->conf;
	struct agg_params	 params;
	struct contrib		 c;
	struct live_delta	 delta;
	enum live_result	 lr;
	uint64_t		 slot_ms;
	size_t			 i;

	/* Lifecycle and agent events, and finished calls, move live state. */
	lr = live_event(cs->live, ev, at->recv_ms / 1000.0, &delta);
	if (!at->replay)
		cs->stats.live_results[lr]++;
	for (i = 0; i < delta.n && i < 2; i++)
		ingest_agent_time(cs, &delta.a[i], t_ms, at);

	/* A time after the event's arrival counts as its arrival. */
	slot_ms = t_ms < at->recv_ms ? t_ms : at->recv_ms;
	conf_agg_params(conf, ev->queue, &params);
	if (agg_contrib(ev, &params, &c) == 0) {
		for (i = 0; i < n; i++) {
			if (ingest_holds(sc[i], at))
				continue;
			(void)scope_add(sc[i], slot_ms, at->now_ms, &c);
			if (sc[i]->totals != NULL && !at->replay)
				totals_add(sc[i]->totals, &c);
			sc[i]->last_ms = at->recv_ms;
		}
	}
	/* After the call's own cust_n, so a late call's repeat has a slot. */
	ingest_repeat(cs, ev, sc, n, t_ms, at);
}

enum event_error
ingest_line(struct callscored *cs, const char *line, size_t len, int durable,
    uint64_t now_ms, char *reason, size_t reasonlen)
{
	const struct conf	*conf = cs->conf;
	struct event		 ev;
	struct ingest_at	 at;
	struct scope		*sc[INGEST_SCOPES];
	enum event_error	 error;
	uint64_t		 t_ms, customer = 0;
	double			 now;
	size_t			 n;

	error = event_parse(cs->parser, line, len, &ev, reason, reasonlen);
	if (error != EVENT_OK)
		goto reject;
	/* The customer's entry loads while the scopes are found and fed. */
	if (cs->repeat != NULL)
		customer = repeat_prefetch(cs->repeat, &ev);

	now = now_ms / 1000.0;
	t_ms = now_ms;
	if (ev.has & EVENT_HAS_TS) {
		if (ev.ts < now - conf->max_age) {
			snprintf(reason, reasonlen, "field \"ts\": %.3f is more "
			    "than %.0f seconds in the past", ev.ts,
			    conf->max_age);
			error = EVENT_ERR_TS_PAST;
			goto reject;
		}
		if (ev.ts > now + conf->max_skew) {
			snprintf(reason, reasonlen, "field \"ts\": %.3f is more "
			    "than %.0f seconds in the future", ev.ts,
			    conf->max_skew);
			error = EVENT_ERR_TS_FUTURE;
			goto reject;
		}
		t_ms = (uint64_t)llround(ev.ts * 1000.0);
	}

	error = ingest_scopes(cs, &ev, sc, &n, reason, reasonlen);
	if (error != EVENT_OK)
		goto reject;

	/* A durable line is refused, not applied, when it cannot be kept. */
	if (durable && (cs->journal == NULL ||
	    journal_check(cs->journal, len, 1) != 0)) {
		snprintf(reason, reasonlen, "journal full, retry");
		error = EVENT_ERR_JOURNAL_FULL;
		goto reject;
	}
	memset(&at, 0, sizeof at);
	at.recv_ms = at.now_ms = now_ms;
	at.seq = ++cs->seq;
	at.customer = customer;
	if (cs->journal != NULL)
		(void)journal_append(cs->journal, at.seq, now_ms, line, len);

	ingest_apply(cs, &ev, sc, n, t_ms, &at);
	cs->stats.lines_ok++;
	return (EVENT_OK);

reject:
	ingest_reject(cs, error);
	return (error);
}

/* One record of the journal: applied unless the snapshot holds it. */
static int
ingest_replay_record(uint64_t seq, uint64_t recv_ms, const char *line,
    size_t len, void *arg)
{
	struct ingest_replay	*r = arg;
	struct callscored	*cs = r->cs;
	struct event		 ev;
	struct ingest_at	 at;
	struct scope		*sc[INGEST_SCOPES];
	char			 reason[EVENT_REASON_MAX];
	uint64_t		 t_ms;
	size_t			 n;

	if (seq > cs->seq)
		cs->seq = seq;
	if (seq <= r->after)
		return (0);
	if (event_parse(cs->parser, line, len, &ev, reason,
	    sizeof reason) != EVENT_OK ||
	    ingest_scopes(cs, &ev, sc, &n, reason, sizeof reason) !=
	    EVENT_OK) {
		/* Limits lowered since, or a parser grown stricter. */
		r->skipped++;
		log_debug("journal: record %llu not replayed: %s",
		    (unsigned long long)seq, reason);
		return (0);
	}
	t_ms = recv_ms;
	if (ev.has & EVENT_HAS_TS)
		t_ms = (uint64_t)llround(ev.ts * 1000.0);
	memset(&at, 0, sizeof at);
	at.recv_ms = recv_ms;
	at.now_ms = r->now_ms;
	at.seq = seq;
	at.replay = 1;
	ingest_apply(cs, &ev, sc, n, t_ms, &at);
	r->applied++;
	return (0);
}

static int
ingest_replay_row(uint64_t first, uint64_t last, const unsigned char *data,
    size_t len, void *arg)
{
	struct ingest_replay	*r = arg;

	if (journal_decode(data, len, ingest_replay_record, r) < 0) {
		r->bad_rows++;
		log_warnx("journal: batch %llu-%llu is damaged; replayed "
		    "the records before the damage", (unsigned long long)first,
		    (unsigned long long)last);
	}
	return (0);
}

int
ingest_replay(struct callscored *cs, char **cause)
{
	struct ingest_replay	r;
	uint64_t		start = clock_mono_ms();
	int			rows;

	memset(&r, 0, sizeof r);
	r.cs = cs;
	r.after = store_snapshot_seq(cs->store);
	r.now_ms = clock_now_ms();
	if (store_max_seq(cs->store) > cs->seq)
		cs->seq = store_max_seq(cs->store);
	if ((rows = store_journal_read(cs->store, r.after, ingest_replay_row,
	    &r, cause)) < 0)
		return (-1);
	cs->stats.journal_replayed = r.applied;
	cs->stats.journal_replay_skipped = r.skipped;
	cs->stats.journal_replay_seconds = (clock_mono_ms() - start) / 1000.0;
	if (rows > 0)
		log_info("journal: replayed %llu events from %d batches past "
		    "the snapshot (seq %llu) in %.3f s%s",
		    (unsigned long long)r.applied, rows,
		    (unsigned long long)r.after,
		    cs->stats.journal_replay_seconds,
		    r.skipped > 0 ? "; some records did not apply" : "");
	return ((int)r.applied);
}
