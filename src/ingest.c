/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The ingest path.  Per line: parse into a stack struct event, check its
 * time against the accepted range, find (or create, within limits) the
 * scopes it touches, classify it once into a contrib and add that to the
 * current slot of every window of every scope.  Nothing here allocates
 * once the scopes exist, and nothing waits.
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
#include "scope.h"
#include "totals.h"
#include "window.h"

#define INGEST_SCOPES	4

static enum event_error	ingest_scopes(struct callscored *, struct event *,
			    struct scope **, size_t *, char *, size_t);

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
	cs->stats.lines_ok++;
	return (EVENT_OK);

reject:
	ingest_reject(cs, error);
	return (error);
}
