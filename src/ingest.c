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
#include "live.h"
#include "repeat.h"
#include "scope.h"
#include "totals.h"
#include "window.h"

#define INGEST_SCOPES	4

static enum event_error	ingest_scopes(struct callscored *, struct event *,
			    struct scope **, size_t *, char *, size_t);
static void		ingest_extra(struct callscored *, const char *,
			    const char *, const char *, uint64_t, uint64_t,
			    const struct contrib *);
static void		ingest_agent_time(struct callscored *,
			    const struct live_delta_agent *, uint64_t,
			    uint64_t);
static void		ingest_flush_cb(const struct live_delta_agent *,
			    void *);
static void		ingest_repeat(struct callscored *,
			    const struct event *, struct scope **, size_t,
			    uint64_t, uint64_t);

struct ingest_flush {
	struct callscored	*cs;
	uint64_t		 now_ms;
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
	size_t		 i;

	*n = 0;
	out[(*n)++] = scopes_global(cs->scopes);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		name = (const char *)ev + fields[i].offset;
		if (fields[i].kind == SCOPE_TEAM && *name == '\0' &&
		    agent != NULL)
			name = agent->team;	/* the agent's known team */
		if (*name == '\0')
			continue;
		sc = scopes_get(cs->scopes, fields[i].kind, name);
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

/*
 * Add c at t_ms to the global scope and to the named queue, agent and
 * team ("" or NULL for none) that exist.  Nothing is created: these
 * contribs follow an event whose scopes were made (or refused) already.
 * ring_add() drops c from a window that t_ms has already left.
 */
static void
ingest_extra(struct callscored *cs, const char *queue, const char *agent,
    const char *team, uint64_t t_ms, uint64_t now_ms, const struct contrib *c)
{
	struct scope		*sc[INGEST_SCOPES];
	struct sketch_pool	*pool = scopes_pool(cs->scopes);
	size_t			 n = 0, i, w, nwindows;

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
	nwindows = scopes_nwindows(cs->scopes);
	for (i = 0; i < n; i++) {
		for (w = 0; w < nwindows; w++) {
			(void)ring_add(sc[i]->rings[w],
			    scopes_window(cs->scopes, w), t_ms, now_ms, c,
			    pool);
		}
	}
}

/* An agent's busy and ready seconds, ending at t_ms. */
static void
ingest_agent_time(struct callscored *cs, const struct live_delta_agent *da,
    uint64_t t_ms, uint64_t now_ms)
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
	ingest_extra(cs, NULL, da->agent, team, t_ms, now_ms, &c);
}

static void
ingest_flush_cb(const struct live_delta_agent *da, void *arg)
{
	struct ingest_flush	*f = arg;

	ingest_agent_time(f->cs, da, f->now_ms, f->now_ms);
}

void
ingest_live_flush(struct callscored *cs)
{
	struct ingest_flush	f;

	f.cs = cs;
	f.now_ms = clock_now_ms();
	live_flush(cs->live, f.now_ms / 1000.0, ingest_flush_cb, &f);
}

/*
 * A finished call naming a customer: note it, and if it shows an earlier
 * answered call to have been repeated, count that at the earlier call's
 * time in the earlier call's scopes.  sc[] are this call's scopes, for
 * the team it counted in.
 */
static void
ingest_repeat(struct callscored *cs, const struct event *ev,
    struct scope **sc, size_t n, uint64_t t_ms, uint64_t now_ms)
{
	const struct conf	*conf = cs->conf;
	struct repeat_hit	 hit;
	struct contrib		 c;
	const char		*team = "";
	size_t			 i;

	if (cs->repeat == NULL || ev->type != EVENT_CALL ||
	    ev->customer[0] == '\0')
		return;
	/* Cheap, and a reload needs nothing else. */
	repeat_set_limits(cs->repeat, conf->max_calls, conf->repeat_window);
	for (i = 0; i < n; i++) {
		if (sc[i]->kind == SCOPE_TEAM)
			team = sc[i]->name;
	}
	if (repeat_note(cs->repeat, ev, team, t_ms / 1000.0, &hit) != 1)
		return;
	memset(&c, 0, sizeof c);
	c.delta.repeated = 1;
	c.parts = agg_parts(&c.delta);
	ingest_extra(cs, hit.queue, hit.agent, hit.team,
	    (uint64_t)llround(hit.t * 1000.0), now_ms, &c);
}

enum event_error
ingest_line(struct callscored *cs, const char *line, size_t len,
    char *reason, size_t reasonlen)
{
	const struct conf	*conf = cs->conf;
	struct event		 ev;
	struct agg_params	 params;
	struct contrib		 c;
	struct live_delta	 delta;
	struct scope		*sc[INGEST_SCOPES];
	struct sketch_pool	*pool = scopes_pool(cs->scopes);
	enum event_error	 error;
	uint64_t		 now_ms, t_ms;
	double			 now;
	size_t			 n, i, w, nwindows;

	error = event_parse(cs->parser, line, len, &ev, reason, reasonlen);
	if (error != EVENT_OK)
		goto reject;

	now_ms = clock_now_ms();
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

	/* Lifecycle and agent events, and finished calls, move live state. */
	cs->stats.live_results[live_event(cs->live, &ev, now, &delta)]++;
	for (i = 0; i < delta.n && i < 2; i++)
		ingest_agent_time(cs, &delta.a[i], t_ms, now_ms);

	conf_agg_params(conf, ev.queue, &params);
	if (agg_contrib(&ev, &params, &c) == 0) {
		nwindows = scopes_nwindows(cs->scopes);
		for (i = 0; i < n; i++) {
			for (w = 0; w < nwindows; w++) {
				ring_add(sc[i]->rings[w],
				    scopes_window(cs->scopes, w), t_ms, now_ms,
				    &c, pool);
			}
			if (sc[i]->totals != NULL)
				totals_add(sc[i]->totals, &c);
			sc[i]->last_ms = now_ms;
		}
	}
	/* After the call's own cust_n, so a late call's repeat has a slot. */
	ingest_repeat(cs, &ev, sc, n, t_ms, now_ms);
	cs->stats.lines_ok++;
	return (EVENT_OK);

reject:
	ingest_reject(cs, error);
	return (error);
}
