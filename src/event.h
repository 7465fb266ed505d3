/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The event protocol: one JSON object per line (callscore-protocol(7)).
 * event_parse() turns one line into a struct event without allocating:
 * a strict JSON parser written for this schema, which copies the few
 * strings it keeps into fixed fields.  Unknown fields are ignored; wrong
 * types, bad identifiers and out-of-range values are errors with a
 * precise reason.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stddef.h>
#include <stdint.h>

#define EVENT_ID_MAX		64	/* identifier bytes: [A-Za-z0-9._:@+-] */
#define EVENT_QA_MAX		16	/* criteria in one qa event */
#define EVENT_QA_NAME_MAX	32
#define EVENT_REASON_MAX	256	/* error text, NUL included */
#define EVENT_DEPTH_MAX		4	/* open containers, the event's included */

enum event_type {
	EVENT_NONE = 0,
	EVENT_CALL,		/* a finished contact */
	EVENT_CALL_QUEUED,
	EVENT_CALL_ANSWERED,
	EVENT_CALL_HOLD,
	EVENT_CALL_RESUME,
	EVENT_CALL_ENDED,
	EVENT_SURVEY,
	EVENT_QA,
	EVENT_AGENT,
	EVENT_ESAT,
	EVENT_TYPE_COUNT
};

enum event_outcome {
	EVENT_OUTCOME_NONE = 0,	/* absent: answered if talk > 0 or agent set */
	EVENT_OUTCOME_ANSWERED,
	EVENT_OUTCOME_ABANDONED,
	EVENT_OUTCOME_TIMEOUT,
	EVENT_OUTCOME_TRANSFERRED
};

enum event_agent_state {
	EVENT_STATE_NONE = 0,
	EVENT_STATE_LOGIN,
	EVENT_STATE_READY,
	EVENT_STATE_NOT_READY,
	EVENT_STATE_LOGOUT
};

/* Why a line was rejected; the daemon counts each reason. */
enum event_error {
	EVENT_OK = 0,
	EVENT_ERR_SYNTAX,	/* not JSON, or not one object */
	EVENT_ERR_UTF8,		/* invalid UTF-8 */
	EVENT_ERR_DEPTH,	/* nested deeper than EVENT_DEPTH_MAX */
	EVENT_ERR_TYPE,		/* a known field with the wrong JSON type */
	EVENT_ERR_RANGE,	/* a number outside its allowed range */
	EVENT_ERR_MISSING,	/* a required field is absent */
	EVENT_ERR_EVENT_TYPE,	/* "type" absent or not a known type */
	EVENT_ERR_ID,		/* an identifier empty, too long or bad bytes */
	EVENT_ERR_TS,		/* "ts" not a number or RFC 3339 time */
	EVENT_ERR_TOO_LONG,	/* line longer than the limit (set by caller) */
	EVENT_ERR_TS_PAST,	/* older than limits.max_age (set by caller) */
	EVENT_ERR_TS_FUTURE,	/* newer than now + limits.max_skew (caller) */
	EVENT_ERR_CARDINALITY,	/* a new scope beyond its limit (caller) */
	EVENT_ERR_HTTP,		/* an HTTP request line (set by caller) */
	EVENT_ERR_JOURNAL_FULL,	/* durable, and the journal is full (caller) */
	EVENT_ERR_COUNT
};

/* Field presence bits in struct event.has. */
#define EVENT_HAS_TS		0x0001
#define EVENT_HAS_WAIT		0x0002
#define EVENT_HAS_TALK		0x0004
#define EVENT_HAS_HOLD		0x0008
#define EVENT_HAS_WRAP		0x0010
#define EVENT_HAS_RESOLVED	0x0020
#define EVENT_HAS_FIRST_CONTACT	0x0040
#define EVENT_HAS_TRANSFERRED	0x0080
#define EVENT_HAS_CSAT		0x0100
#define EVENT_HAS_NPS		0x0200
#define EVENT_HAS_REVENUE	0x0400
#define EVENT_HAS_SCORE		0x0800

struct event_qa_score {
	char	name[EVENT_QA_NAME_MAX + 1];
	double	value;			/* 0..5 */
};

/*
 * event_parse() sets only what a caller judges presence by: type, has,
 * outcome, state, nqa and the first byte of each string.  A number or
 * boolean is defined only if its EVENT_HAS_* bit is set, a string only
 * if it is not empty, qa[] only below nqa; the rest is left as it was.
 * After an error the event is partly filled and must not be used.
 */
struct event {
	enum event_type		 type;
	uint32_t		 has;		/* EVENT_HAS_* */
	double			 ts;		/* epoch seconds, if HAS_TS */

	char			 call_id[EVENT_ID_MAX + 1];
	char			 queue[EVENT_ID_MAX + 1];
	char			 agent[EVENT_ID_MAX + 1];
	char			 team[EVENT_ID_MAX + 1];
	char			 customer[EVENT_ID_MAX + 1];
	char			 channel[EVENT_ID_MAX + 1];
	char			 evaluator[EVENT_ID_MAX + 1];
	char			 reason[EVENT_ID_MAX + 1];	/* agent */

	enum event_outcome	 outcome;
	enum event_agent_state	 state;
	double			 wait, talk, hold, wrap;	/* seconds >= 0 */
	double			 revenue;			/* any sign */
	int			 resolved, first_contact, transferred;
	int			 csat;		/* 1..5 */
	int			 nps;		/* 0..10 */
	int			 score;		/* esat: 1..5 */

	struct event_qa_score	 qa[EVENT_QA_MAX];
	size_t			 nqa;
};

struct event_parser;

/* A reusable parser; one per thread. */
struct event_parser	*event_parser_new(void);
void			 event_parser_free(struct event_parser *);
/*
 * Parse len bytes (no newline) into ev.  Returns EVENT_OK, or an error
 * with a human-readable reason in reason (e.g. `field "hold": expected a
 * non-negative number`).  Never reads past len; the line need not be
 * NUL-terminated.  The reason is one line, empty on success, truncated
 * to reasonlen (reason may be NULL if reasonlen is 0); byte offsets in
 * it count from 0.  White space (a trailing \r included) may surround
 * the object; null for a known field is a wrong type.
 */
enum event_error	 event_parse(struct event_parser *, const char *,
			    size_t, struct event *, char *, size_t);
const char		*event_type_name(enum event_type);
const char		*event_error_name(enum event_error);	/* "syntax" */
/* Parse RFC 3339 (2026-11-22T10:00:00Z, offsets, fractions); -1 if bad. */
int			 event_parse_time(const char *, size_t, double *);

#endif
