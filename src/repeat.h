/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Repeat contacts: the last call of each customer, so that an answered
 * call followed by another call from the same customer within the repeat
 * window (kpi.repeat_window) can be counted as repeated, once, in the
 * window slots and scopes of that earlier call.  A pure module: no I/O,
 * no clock reads; the caller passes each call's time.  Memory is bounded
 * by a cap on customers (the daemon uses limits.max_calls), the customer
 * noted longest ago making way for a new one at the cap.
 */
#ifndef REPEAT_H
#define REPEAT_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/*
 * The scopes a call counted in, as the caller's own references (queue,
 * agent, team; NULL for none).  The table keeps them and hands them back
 * in a hit; it never looks at what they point to, and they must live as
 * long as the table (the daemon's scopes do: they are never freed before
 * it).
 */
enum { REPEAT_QUEUE, REPEAT_AGENT, REPEAT_TEAM, REPEAT_REFS };

/* A call found to be repeated: its time and the scopes it counted in. */
struct repeat_hit {
	double		 t;			/* event time, seconds */
	void		*ref[REPEAT_REFS];
};

struct repeat_stats {
	size_t		customers;	/* entries held now */
	uint64_t	hits;		/* calls marked repeated */
	uint64_t	expired;	/* entries older than the window */
	uint64_t	evicted;	/* oldest dropped at the cap */
};

struct repeat;

/* A table of at most max customers for a window of window seconds. */
struct repeat	*repeat_new(size_t, double);
void		 repeat_free(struct repeat *);
/* Change the cap and window (reload); excess entries go on the next note. */
void		 repeat_set_limits(struct repeat *, size_t, double);
/*
 * Note a finished call (EVENT_CALL with a customer) at event time t that
 * counted in the scopes ref[] (NULL: none); h is repeat_prefetch()'s
 * hash of the customer, or 0 to compute it here.  Returns 1 and fills hit
 * with the call that this one shows to be repeated: the customer's
 * previous call, if it was answered, not yet marked, and at most window
 * seconds earlier; or this call itself when it arrives late, answered, at
 * most window seconds before the customer's newer call.  0 otherwise,
 * also for events that are not such calls and for a call id seen last.
 */
int		 repeat_note(struct repeat *, const struct event *, uint64_t,
		    void *const[REPEAT_REFS], double,
		    struct repeat_hit *);
/*
 * The hash of ev's customer for repeat_note() (0 if ev is not a call with
 * one), and a prefetch of its entry's slot: called as soon as an event is
 * parsed, it lets the cache miss overlap the rest of its ingestion.
 */
uint64_t	 repeat_prefetch(struct repeat *, const struct event *);
/* Drop customers whose last call is older than now - window; how many. */
size_t		 repeat_expire(struct repeat *, double);
/* Whether ev is an answered call, by the rule agg_contrib() applies. */
int		 repeat_answered(const struct event *);
void		 repeat_get_stats(const struct repeat *, struct repeat_stats *);

#endif
