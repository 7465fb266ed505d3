/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Live state: calls waiting, talking and on hold per queue, the longest
 * current wait, and what each agent is doing now, built from the call
 * lifecycle (call.queued/answered/hold/resume/ended), agent and finished
 * call events.  A pure module: no I/O, no clock reads; the caller passes
 * `now` (seconds on the steady epoch, never decreasing) so tests inject
 * time.  Memory is bounded by max_calls, max_queues and max_agents, and
 * calls whose end never arrives expire after call_expiry seconds.
 */
#ifndef LIVE_H
#define LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Ended calls are remembered this long to recognise late events. */
#define LIVE_ENDED_KEEP		120.0

/* What live_event() did with an event; the daemon may count each. */
enum live_result {
	LIVE_OK = 0,
	LIVE_IGNORED,		/* not a live event, or a finished call not live */
	LIVE_DUPLICATE,		/* repeated or late: state unchanged */
	LIVE_LOST,		/* unknown call or agent, or a step its state lacks */
	LIVE_REFUSED,		/* a cap (calls, queues, agents) was reached */
	LIVE_RESULT_COUNT
};

/* An agent's state as shown; logged-out agents are not shown. */
enum live_agent_state {
	LIVE_AGENT_NOT_READY = 0,
	LIVE_AGENT_READY,
	LIVE_AGENT_BUSY,	/* on at least one call */
	LIVE_AGENT_STATE_COUNT
};

/* Seconds an agent spent busy and ready up to the transition reported. */
struct live_delta_agent {
	char	agent[EVENT_ID_MAX + 1];
	char	team[EVENT_ID_MAX + 1];	/* "" if unknown */
	double	busy;
	double	ready;
};

/* One event touches at most two agents (an answer by another agent). */
struct live_delta {
	size_t			n;
	struct live_delta_agent	a[2];
};

struct live_queue_view {
	const char	*name;
	unsigned	 waiting;
	unsigned	 talking;	/* connected and not on hold */
	unsigned	 on_hold;
	double		 longest_wait;	/* now - oldest enqueue time, 0 if none */
};

/* Strings are borrowed until the next live_event/live_expire/live_free. */
struct live_agent_view {
	const char		*name;
	const char		*team;		/* "" if unknown */
	enum live_agent_state	 state;
	double			 since;		/* start of this state */
	const char		*reason;	/* not-ready reason, kept while busy */
	const char		*queue;		/* queue of the last call, "" if idle */
	unsigned		 calls;		/* live calls answered by the agent */
};

struct live_totals {
	unsigned	waiting, talking, on_hold;
	unsigned	agents_logged_in, agents_ready, agents_busy,
			agents_not_ready;
	double		longest_wait;
	size_t		calls, queues, agents;
	uint64_t	expired, lost, duplicates, refused;
};

struct live;

/* New live state; caps and expiry may be changed by live_set_limits. */
struct live	*live_new(size_t, size_t, size_t, double);
void		 live_free(struct live *);
/* Set max_calls, max_queues, max_agents, call_expiry; nothing is dropped. */
void		 live_set_limits(struct live *, size_t, size_t, size_t, double);
/*
 * Apply one parsed event at time now (the event's ts, if any, dates the
 * transition).  delta (may be NULL) gets the agents' busy/ready seconds
 * accrued up to this transition.
 */
enum live_result live_event(struct live *, const struct event *, double,
		    struct live_delta *);
/* Expire calls not touched for call_expiry seconds; returns how many. */
size_t		 live_expire(struct live *, double);
/*
 * Report every agent's busy/ready seconds accrued up to now through cb,
 * so long stretches land in the right window slots; returns calls made.
 */
size_t		 live_flush(struct live *, double,
		    void (*)(const struct live_delta_agent *, void *), void *);
size_t		 live_ncalls(const struct live *);	/* live calls */
size_t		 live_nqueues(const struct live *);
size_t		 live_nagents(const struct live *);	/* logged in or busy */
/* Fill up to max views in creation order; returns the number of queues. */
size_t		 live_queues(const struct live *, double,
		    struct live_queue_view *, size_t);
/* One queue by name; -1 if unknown. */
int		 live_queue(const struct live *, const char *, double,
		    struct live_queue_view *);
/* Fill up to max views in creation order; returns the number of agents. */
size_t		 live_agents(const struct live *, struct live_agent_view *,
		    size_t);
void		 live_get_totals(const struct live *, double,
		    struct live_totals *);
const char	*live_result_name(enum live_result);	/* "duplicate" */
const char	*live_agent_state_name(enum live_agent_state);	/* "busy" */

#endif
