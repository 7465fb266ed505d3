/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The event line parser as it was built on yajl's event (SAX) API,
 * kept as the oracle of fuzz_event_diff: event_parse() must accept
 * and reject the same lines, fill the same fields and give the same
 * reasons.  It is not linked into the daemon.  Apart from the names of
 * its entry points it is the former src/event.c; RFC 3339 times and
 * the type and error names come from src/event.c.
 *
 * It drives yajl's event API, keeps one yajl handle per parser across
 * lines, maps keys with a switch on length, parses numbers with an
 * exact fast path, and allocates nothing per line.  Fields are checked
 * as they arrive (the "type" may come last); the per-type required
 * fields are checked at the end.  The first problem in byte order is
 * reported, except that structural errors (UTF-8, syntax, depth) win
 * over field errors.
 */

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "event.h"
#include "event_yajl.h"
#include "log.h"
#include "xmalloc.h"

#define EVENT_SECONDS_MAX	(86400.0 * 7)	/* wait, talk, hold, wrap */
#define EVENT_NUMBER_MAX	512		/* longest number we convert */

/* Whether the len bytes at p are the string literal lit. */
#define EVENT_KEY(p, lit)	(memcmp(p, lit, sizeof lit - 1) == 0)

/* The known members of an event object; F_NONE is any other key. */
enum event_field {
	F_NONE = 0,
	F_TYPE,
	F_TS,
	F_CALL_ID,
	F_QUEUE,
	F_AGENT,
	F_TEAM,
	F_CUSTOMER,
	F_CHANNEL,
	F_EVALUATOR,
	F_REASON,
	F_OUTCOME,
	F_STATE,
	F_WAIT,
	F_TALK,
	F_HOLD,
	F_WRAP,
	F_REVENUE,
	F_RESOLVED,
	F_FIRST_CONTACT,
	F_TRANSFERRED,
	F_CSAT,
	F_NPS,
	F_SCORE,
	F_SCORES,
	F_COUNT
};

/* How a member's value is checked. */
enum event_kind {
	K_NONE = 0,
	K_TYPE,		/* the event type */
	K_TS,		/* epoch seconds or RFC 3339 */
	K_ID,		/* identifier string */
	K_OUTCOME,
	K_STATE,
	K_SECONDS,	/* 0 .. EVENT_SECONDS_MAX */
	K_REVENUE,	/* any finite number */
	K_BOOL,		/* true/false or 0/1 */
	K_INT,		/* integer min .. max */
	K_SCORES	/* object of criterion -> 0..5 */
};

struct event_field_info {
	const char	*name;
	enum event_kind	 kind;
	uint32_t	 has;	/* EVENT_HAS_* set when valid */
	size_t		 off;	/* member of struct event */
	int		 min;	/* K_INT */
	int		 max;
};

#define EV_OFF(m)	offsetof(struct event, m)
static const struct event_field_info event_fields[F_COUNT] = {
	[F_NONE] =	  { NULL, K_NONE, 0, 0, 0, 0 },
	[F_TYPE] =	  { "type", K_TYPE, 0, 0, 0, 0 },
	[F_TS] =	  { "ts", K_TS, EVENT_HAS_TS, EV_OFF(ts), 0, 0 },
	[F_CALL_ID] =	  { "call_id", K_ID, 0, EV_OFF(call_id), 0, 0 },
	[F_QUEUE] =	  { "queue", K_ID, 0, EV_OFF(queue), 0, 0 },
	[F_AGENT] =	  { "agent", K_ID, 0, EV_OFF(agent), 0, 0 },
	[F_TEAM] =	  { "team", K_ID, 0, EV_OFF(team), 0, 0 },
	[F_CUSTOMER] =	  { "customer", K_ID, 0, EV_OFF(customer), 0, 0 },
	[F_CHANNEL] =	  { "channel", K_ID, 0, EV_OFF(channel), 0, 0 },
	[F_EVALUATOR] =	  { "evaluator", K_ID, 0, EV_OFF(evaluator), 0, 0 },
	[F_REASON] =	  { "reason", K_ID, 0, EV_OFF(reason), 0, 0 },
	[F_OUTCOME] =	  { "outcome", K_OUTCOME, 0, 0, 0, 0 },
	[F_STATE] =	  { "state", K_STATE, 0, 0, 0, 0 },
	[F_WAIT] =	  { "wait", K_SECONDS, EVENT_HAS_WAIT, EV_OFF(wait), 0, 0 },
	[F_TALK] =	  { "talk", K_SECONDS, EVENT_HAS_TALK, EV_OFF(talk), 0, 0 },
	[F_HOLD] =	  { "hold", K_SECONDS, EVENT_HAS_HOLD, EV_OFF(hold), 0, 0 },
	[F_WRAP] =	  { "wrap", K_SECONDS, EVENT_HAS_WRAP, EV_OFF(wrap), 0, 0 },
	[F_REVENUE] =	  { "revenue", K_REVENUE, EVENT_HAS_REVENUE,
			    EV_OFF(revenue), 0, 0 },
	[F_RESOLVED] =	  { "resolved", K_BOOL, EVENT_HAS_RESOLVED,
			    EV_OFF(resolved), 0, 0 },
	[F_FIRST_CONTACT] = { "first_contact", K_BOOL, EVENT_HAS_FIRST_CONTACT,
			    EV_OFF(first_contact), 0, 0 },
	[F_TRANSFERRED] = { "transferred", K_BOOL, EVENT_HAS_TRANSFERRED,
			    EV_OFF(transferred), 0, 0 },
	[F_CSAT] =	  { "csat", K_INT, EVENT_HAS_CSAT, EV_OFF(csat), 1, 5 },
	[F_NPS] =	  { "nps", K_INT, EVENT_HAS_NPS, EV_OFF(nps), 0, 10 },
	[F_SCORE] =	  { "score", K_INT, EVENT_HAS_SCORE, EV_OFF(score), 1, 5 },
	[F_SCORES] =	  { "scores", K_SCORES, 0, 0, 0, 0 },
};

/* Byte classes: 1 identifier, 2 QA criterion name. */
#define EVENT_C_ID	1
#define EVENT_C_QA	2
static const unsigned char event_chars[256] = {
	['A' ... 'Z'] = EVENT_C_ID|EVENT_C_QA,
	['a' ... 'z'] = EVENT_C_ID|EVENT_C_QA,
	['0' ... '9'] = EVENT_C_ID|EVENT_C_QA,
	['.'] = EVENT_C_ID|EVENT_C_QA,
	['_'] = EVENT_C_ID|EVENT_C_QA,
	['-'] = EVENT_C_ID|EVENT_C_QA,
	[':'] = EVENT_C_ID,
	['@'] = EVENT_C_ID,
	['+'] = EVENT_C_ID,
};

/* Exact powers of ten for the fast number path. */
static const double event_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

struct event_yajl_parser {
	yajl_handle		 yh;

	/* State of the line being parsed. */
	struct event		*ev;
	char			*reason;
	size_t			 reasonlen;
	enum event_error	 err;
	int			 depth;		/* open containers */
	int			 done;		/* the object has ended */
	size_t			 end;		/* offset just past it */
	enum event_field	 field;		/* member whose value is next */
	int			 seen_type;
	int			 seen_scores;
	int			 in_scores;	/* inside "scores" */
	int			 crit;		/* qa slot of next value or -1 */
};

static void	*event_yajl_malloc(void *, size_t);
static void	*event_yajl_realloc(void *, void *, size_t);
static void	 event_yajl_free(void *, void *);
static yajl_handle event_yajl_new(struct event_yajl_parser *);
static void	 event_fail(struct event_yajl_parser *, enum event_error,
		     const char *, ...) __attribute__((format(printf, 3, 4)));
static void	 event_fail_field(struct event_yajl_parser *, enum event_field,
		     enum event_error);
static int	 event_utf8_check(const unsigned char *, size_t, size_t *);
static int	 event_number(const char *, size_t, double *);
static enum event_field event_field_find(const unsigned char *, size_t);
static enum event_type event_type_find(const unsigned char *, size_t);
static void	 event_set_string(struct event_yajl_parser *, enum event_field,
		     const unsigned char *, size_t);
static void	 event_set_number(struct event_yajl_parser *, enum event_field,
		     const char *, size_t);
static void	 event_set_bool(struct event_yajl_parser *, enum event_field, int);
static int	 event_toplevel(struct event_yajl_parser *);
static void	 event_crit_key(struct event_yajl_parser *, const unsigned char *,
		     size_t);
static void	 event_crit_number(struct event_yajl_parser *, const char *,
		     size_t);
static void	 event_crit_bad(struct event_yajl_parser *);
static void	 event_yajl_error(struct event_yajl_parser *, size_t);
static int	 event_has(const struct event *, enum event_field);
static void	 event_check(struct event_yajl_parser *);
static int	 event_null_cb(void *);
static int	 event_boolean_cb(void *, int);
static int	 event_number_cb(void *, const char *, size_t);
static int	 event_string_cb(void *, const unsigned char *, size_t);
static int	 event_start_map_cb(void *);
static int	 event_map_key_cb(void *, const unsigned char *, size_t);
static int	 event_end_map_cb(void *);
static int	 event_start_array_cb(void *);
static int	 event_end_array_cb(void *);

static const yajl_callbacks event_callbacks = {
	event_null_cb,
	event_boolean_cb,
	NULL,			/* integers and doubles go to event_number_cb */
	NULL,
	event_number_cb,
	event_string_cb,
	event_start_map_cb,
	event_map_key_cb,
	event_end_map_cb,
	event_start_array_cb,
	event_end_array_cb
};

static yajl_alloc_funcs event_yajl_alloc = {
	event_yajl_malloc,
	event_yajl_realloc,
	event_yajl_free,
	NULL
};

/* yajl's allocations exit on failure like the rest of the daemon's. */
static void *
event_yajl_malloc(void *ctx, size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		fatal("event: malloc %zu", size);
	return (p);
}

static void *
event_yajl_realloc(void *ctx, void *old, size_t size)
{
	void	*p;

	if ((p = realloc(old, size == 0 ? 1 : size)) == NULL)
		fatal("event: realloc %zu", size);
	return (p);
}

static void
event_yajl_free(void *ctx, void *p)
{
	free(p);
}

/*
 * One handle serves many lines: with yajl_allow_multiple_values the
 * parser goes back to "expect a value" after each object instead of
 * "complete", so it needs no reset (yajl 2.1 has none).  The callbacks
 * reject anything but one object per line themselves, and the handle
 * is replaced after any line that did not end cleanly.
 */
static yajl_handle
event_yajl_new(struct event_yajl_parser *p)
{
	yajl_handle	 h;

	if ((h = yajl_alloc(&event_callbacks, &event_yajl_alloc, p)) == NULL)
		fatalx("event: yajl_alloc failed");
	/* UTF-8 is checked, more strictly, before yajl sees the line. */
	yajl_config(h, yajl_dont_validate_strings, 1);
	yajl_config(h, yajl_allow_multiple_values, 1);
	return (h);
}

struct event_yajl_parser *
event_yajl_parser_new(void)
{
	struct event_yajl_parser	*p;

	p = xcalloc(1, sizeof *p);
	p->yh = event_yajl_new(p);
	return (p);
}

void
event_yajl_parser_free(struct event_yajl_parser *p)
{
	if (p == NULL)
		return;
	if (p->yh != NULL)
		yajl_free(p->yh);
	free(p);
}

/* Record the first error of a line; later ones are not reported. */
static void
event_fail(struct event_yajl_parser *p, enum event_error err, const char *fmt,
    ...)
{
	va_list	ap;

	if (p->err != EVENT_OK)
		return;
	p->err = err;
	if (p->reasonlen > 0) {
		va_start(ap, fmt);
		vsnprintf(p->reason, p->reasonlen, fmt, ap);
		va_end(ap);
	}
}

/* A known member with a bad value: say what the member expects. */
static void
event_fail_field(struct event_yajl_parser *p, enum event_field f,
    enum event_error err)
{
	const struct event_field_info	*fi = &event_fields[f];

	switch (fi->kind) {
	case K_TYPE:
		event_fail(p, EVENT_ERR_EVENT_TYPE, "field \"type\": expected "
		    "one of call, call.queued, call.answered, call.hold, "
		    "call.resume, call.ended, survey, qa, agent, esat");
		break;
	case K_TS:
		event_fail(p, EVENT_ERR_TS, "field \"ts\": expected epoch "
		    "seconds or an RFC 3339 time");
		break;
	case K_ID:
		event_fail(p, err, "field \"%s\": expected an identifier of "
		    "1-%d characters [A-Za-z0-9._:@+-]", fi->name,
		    EVENT_ID_MAX);
		break;
	case K_OUTCOME:
		event_fail(p, err, "field \"%s\": expected one of answered, "
		    "abandoned, timeout, transferred", fi->name);
		break;
	case K_STATE:
		event_fail(p, err, "field \"%s\": expected one of login, "
		    "ready, not_ready, logout", fi->name);
		break;
	case K_SECONDS:
		event_fail(p, err, "field \"%s\": expected a non-negative "
		    "number", fi->name);
		break;
	case K_REVENUE:
		event_fail(p, err, "field \"%s\": expected a finite number",
		    fi->name);
		break;
	case K_BOOL:
		event_fail(p, err, "field \"%s\": expected a boolean",
		    fi->name);
		break;
	case K_INT:
		event_fail(p, err, "field \"%s\": expected an integer from %d "
		    "to %d", fi->name, fi->min, fi->max);
		break;
	case K_SCORES:
		event_fail(p, err, "field \"%s\": expected an object of "
		    "criteria to numbers from 0 to 5", fi->name);
		break;
	case K_NONE:
		break;
	}
}

/*
 * Check UTF-8 as RFC 3629 has it (no overlongs, surrogates or code
 * points past U+10FFFF), eight ASCII bytes at a time.  On failure, *bad
 * is the offset of the first byte of the bad sequence.
 */
static int
event_utf8_check(const unsigned char *s, size_t len, size_t *bad)
{
	size_t		 i = 0, n;
	uint64_t	 w;
	unsigned char	 c, lo, hi;

	while (i < len) {
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & UINT64_C(0x8080808080808080)) == 0) {
				i += 8;
				continue;
			}
		}
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;	/* overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* past U+10FFFF */
		} else
			goto fail;
		if (len - i - 1 < n)
			goto fail;
		if (s[i + 1] < lo || s[i + 1] > hi)
			goto fail;
		if (n >= 2 && (s[i + 2] & 0xc0) != 0x80)
			goto fail;
		if (n >= 3 && (s[i + 3] & 0xc0) != 0x80)
			goto fail;
		i += n + 1;
	}
	return (0);

fail:
	*bad = i;
	return (-1);
}

/*
 * Convert a JSON number yajl has already lexed.  Up to 15 significant
 * digits and a power of ten up to 22 convert exactly with one IEEE
 * multiply or divide (Clinger's fast path); the rest go to strtod,
 * which assumes the C locale as the daemon runs in.
 */
static int
event_number(const char *s, size_t len, double *out)
{
	char		 buf[EVENT_NUMBER_MAX];
	uint64_t	 m = 0;
	size_t		 i = 0;
	int		 neg = 0, sig = 0, exp10 = 0, e, eneg;
	double		 d;

	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		m = m * 10 + (uint64_t)(s[i] - '0');
		if (m != 0 && ++sig > 15)
			goto slow;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			m = m * 10 + (uint64_t)(s[i] - '0');
			exp10--;
			if (m != 0 && ++sig > 15)
				goto slow;
		}
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		eneg = 0;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (e = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		}
		exp10 += eneg ? -e : e;
	}
	if (i != len)
		goto slow;
	if (m == 0) {
		*out = neg ? -0.0 : 0.0;
		return (0);
	}
	if (exp10 < -22 || exp10 > 22)
		goto slow;
	d = (double)m;
	if (exp10 < 0)
		d /= event_pow10[-exp10];
	else
		d *= event_pow10[exp10];
	*out = neg ? -d : d;
	return (0);

slow:
	if (len >= sizeof buf)
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	*out = strtod(buf, NULL);
	return (0);
}

static enum event_field
event_field_find(const unsigned char *k, size_t len)
{
	switch (len) {
	case 2:
		if (EVENT_KEY(k, "ts"))
			return (F_TS);
		break;
	case 3:
		if (EVENT_KEY(k, "nps"))
			return (F_NPS);
		break;
	case 4:
		if (EVENT_KEY(k, "type"))
			return (F_TYPE);
		if (EVENT_KEY(k, "talk"))
			return (F_TALK);
		if (EVENT_KEY(k, "wait"))
			return (F_WAIT);
		if (EVENT_KEY(k, "hold"))
			return (F_HOLD);
		if (EVENT_KEY(k, "wrap"))
			return (F_WRAP);
		if (EVENT_KEY(k, "team"))
			return (F_TEAM);
		if (EVENT_KEY(k, "csat"))
			return (F_CSAT);
		break;
	case 5:
		if (EVENT_KEY(k, "queue"))
			return (F_QUEUE);
		if (EVENT_KEY(k, "agent"))
			return (F_AGENT);
		if (EVENT_KEY(k, "state"))
			return (F_STATE);
		if (EVENT_KEY(k, "score"))
			return (F_SCORE);
		break;
	case 6:
		if (EVENT_KEY(k, "scores"))
			return (F_SCORES);
		if (EVENT_KEY(k, "reason"))
			return (F_REASON);
		break;
	case 7:
		if (EVENT_KEY(k, "call_id"))
			return (F_CALL_ID);
		if (EVENT_KEY(k, "outcome"))
			return (F_OUTCOME);
		if (EVENT_KEY(k, "channel"))
			return (F_CHANNEL);
		if (EVENT_KEY(k, "revenue"))
			return (F_REVENUE);
		break;
	case 8:
		if (EVENT_KEY(k, "customer"))
			return (F_CUSTOMER);
		if (EVENT_KEY(k, "resolved"))
			return (F_RESOLVED);
		break;
	case 9:
		if (EVENT_KEY(k, "evaluator"))
			return (F_EVALUATOR);
		break;
	case 11:
		if (EVENT_KEY(k, "transferred"))
			return (F_TRANSFERRED);
		break;
	case 13:
		if (EVENT_KEY(k, "first_contact"))
			return (F_FIRST_CONTACT);
		break;
	}
	return (F_NONE);
}

static enum event_type
event_type_find(const unsigned char *k, size_t len)
{
	switch (len) {
	case 2:
		if (EVENT_KEY(k, "qa"))
			return (EVENT_QA);
		break;
	case 4:
		if (EVENT_KEY(k, "call"))
			return (EVENT_CALL);
		if (EVENT_KEY(k, "esat"))
			return (EVENT_ESAT);
		break;
	case 5:
		if (EVENT_KEY(k, "agent"))
			return (EVENT_AGENT);
		break;
	case 6:
		if (EVENT_KEY(k, "survey"))
			return (EVENT_SURVEY);
		break;
	case 9:
		if (EVENT_KEY(k, "call.hold"))
			return (EVENT_CALL_HOLD);
		break;
	case 10:
		if (EVENT_KEY(k, "call.ended"))
			return (EVENT_CALL_ENDED);
		break;
	case 11:
		if (EVENT_KEY(k, "call.queued"))
			return (EVENT_CALL_QUEUED);
		if (EVENT_KEY(k, "call.resume"))
			return (EVENT_CALL_RESUME);
		break;
	case 13:
		if (EVENT_KEY(k, "call.answered"))
			return (EVENT_CALL_ANSWERED);
		break;
	}
	return (EVENT_NONE);
}

static void
event_set_string(struct event_yajl_parser *p, enum event_field f,
    const unsigned char *s, size_t len)
{
	const struct event_field_info	*fi = &event_fields[f];
	struct event			*ev = p->ev;
	char				*dst;
	size_t				 i;
	double				 t;

	switch (fi->kind) {
	case K_TYPE:
		p->seen_type = 1;
		if ((ev->type = event_type_find(s, len)) == EVENT_NONE)
			event_fail_field(p, f, EVENT_ERR_EVENT_TYPE);
		break;
	case K_ID:
		if (len == 0 || len > EVENT_ID_MAX)
			goto bad_id;
		for (i = 0; i < len; i++) {
			if (~event_chars[s[i]] & EVENT_C_ID)
				goto bad_id;
		}
		dst = (char *)ev + fi->off;
		memcpy(dst, s, len);
		dst[len] = '\0';
		break;
	bad_id:
		event_fail_field(p, f, EVENT_ERR_ID);
		break;
	case K_TS:
		if (event_parse_time((const char *)s, len, &t) != 0 || t <= 0) {
			event_fail_field(p, f, EVENT_ERR_TS);
			break;
		}
		ev->ts = t;
		ev->has |= EVENT_HAS_TS;
		break;
	case K_OUTCOME:
		if (len == 8 && EVENT_KEY(s, "answered"))
			ev->outcome = EVENT_OUTCOME_ANSWERED;
		else if (len == 9 && EVENT_KEY(s, "abandoned"))
			ev->outcome = EVENT_OUTCOME_ABANDONED;
		else if (len == 7 && EVENT_KEY(s, "timeout"))
			ev->outcome = EVENT_OUTCOME_TIMEOUT;
		else if (len == 11 && EVENT_KEY(s, "transferred"))
			ev->outcome = EVENT_OUTCOME_TRANSFERRED;
		else
			event_fail_field(p, f, EVENT_ERR_RANGE);
		break;
	case K_STATE:
		if (len == 5 && EVENT_KEY(s, "login"))
			ev->state = EVENT_STATE_LOGIN;
		else if (len == 5 && EVENT_KEY(s, "ready"))
			ev->state = EVENT_STATE_READY;
		else if (len == 9 && EVENT_KEY(s, "not_ready"))
			ev->state = EVENT_STATE_NOT_READY;
		else if (len == 6 && EVENT_KEY(s, "logout"))
			ev->state = EVENT_STATE_LOGOUT;
		else
			event_fail_field(p, f, EVENT_ERR_RANGE);
		break;
	case K_NONE:
		break;
	default:
		event_fail_field(p, f, EVENT_ERR_TYPE);
		break;
	}
}

static void
event_set_number(struct event_yajl_parser *p, enum event_field f, const char *s,
    size_t len)
{
	const struct event_field_info	*fi = &event_fields[f];
	struct event			*ev = p->ev;
	double				 d;

	switch (fi->kind) {
	case K_NONE:
		return;		/* not worth converting */
	case K_TS:
	case K_SECONDS:
	case K_REVENUE:
	case K_BOOL:
	case K_INT:
		break;
	case K_TYPE:
		p->seen_type = 1;
		ev->type = EVENT_NONE;
		/* FALLTHROUGH */
	default:
		event_fail_field(p, f, EVENT_ERR_TYPE);
		return;
	}
	if (event_number(s, len, &d) != 0) {
		event_fail_field(p, f, EVENT_ERR_RANGE);
		return;
	}

	switch (fi->kind) {
	case K_TS:
		if (!isfinite(d) || d <= 0) {
			event_fail_field(p, f, EVENT_ERR_TS);
			return;
		}
		break;
	case K_SECONDS:
		if (!isfinite(d) || d < 0) {
			event_fail_field(p, f, EVENT_ERR_RANGE);
			return;
		}
		if (d > EVENT_SECONDS_MAX) {
			event_fail(p, EVENT_ERR_RANGE, "field \"%s\": expected "
			    "at most %.0f seconds", fi->name,
			    EVENT_SECONDS_MAX);
			return;
		}
		break;
	case K_REVENUE:
		if (!isfinite(d)) {
			event_fail_field(p, f, EVENT_ERR_RANGE);
			return;
		}
		break;
	case K_BOOL:
		if (d != 0 && d != 1) {
			event_fail_field(p, f, EVENT_ERR_TYPE);
			return;
		}
		*(int *)((char *)ev + fi->off) = d != 0;
		ev->has |= fi->has;
		return;
	case K_INT:
		if (!(d >= fi->min && d <= fi->max) || d != floor(d)) {
			event_fail_field(p, f, EVENT_ERR_RANGE);
			return;
		}
		*(int *)((char *)ev + fi->off) = (int)d;
		ev->has |= fi->has;
		return;
	default:
		return;
	}
	*(double *)((char *)ev + fi->off) = d;
	ev->has |= fi->has;
}

static void
event_set_bool(struct event_yajl_parser *p, enum event_field f, int b)
{
	const struct event_field_info	*fi = &event_fields[f];

	switch (fi->kind) {
	case K_NONE:
		break;
	case K_BOOL:
		*(int *)((char *)p->ev + fi->off) = b;
		p->ev->has |= fi->has;
		break;
	case K_TYPE:
		p->seen_type = 1;
		p->ev->type = EVENT_NONE;
		/* FALLTHROUGH */
	default:
		event_fail_field(p, f, EVENT_ERR_TYPE);
		break;
	}
}

/* A value outside any object: the line is not one object. */
static int
event_toplevel(struct event_yajl_parser *p)
{
	p->err = EVENT_OK;
	if (p->done)
		event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON: more than one "
		    "value on the line");
	else
		event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON: expected an "
		    "object");
	return (0);
}

/* A key inside "scores": pick the slot its value will fill. */
static void
event_crit_key(struct event_yajl_parser *p, const unsigned char *k, size_t len)
{
	struct event	*ev = p->ev;
	size_t		 i;

	p->crit = -1;
	if (p->err != EVENT_OK)
		return;
	if (len == 0 || len > EVENT_QA_NAME_MAX)
		goto bad;
	for (i = 0; i < len; i++) {
		if (~event_chars[k[i]] & EVENT_C_QA)
			goto bad;
	}
	for (i = 0; i < ev->nqa; i++) {
		if (strncmp(ev->qa[i].name, (const char *)k, len) == 0 &&
		    ev->qa[i].name[len] == '\0') {
			p->crit = (int)i;	/* a repeated criterion */
			return;
		}
	}
	if (ev->nqa == EVENT_QA_MAX) {
		event_fail(p, EVENT_ERR_RANGE, "field \"scores\": more than %d "
		    "criteria", EVENT_QA_MAX);
		return;
	}
	memcpy(ev->qa[ev->nqa].name, k, len);
	ev->qa[ev->nqa].name[len] = '\0';
	ev->qa[ev->nqa].value = 0;
	p->crit = (int)ev->nqa++;
	return;

bad:
	event_fail(p, EVENT_ERR_ID, "field \"scores\": expected criterion "
	    "names of 1-%d characters [A-Za-z0-9_.-]", EVENT_QA_NAME_MAX);
}

static void
event_crit_number(struct event_yajl_parser *p, const char *s, size_t len)
{
	struct event_qa_score	*qa;
	double			 d;

	if (p->crit < 0)
		return;
	qa = &p->ev->qa[p->crit];
	if (event_number(s, len, &d) != 0 || !(d >= 0 && d <= 5)) {
		event_fail(p, EVENT_ERR_RANGE, "field \"scores.%s\": expected "
		    "a number from 0 to 5", qa->name);
		return;
	}
	qa->value = d;
}

static void
event_crit_bad(struct event_yajl_parser *p)
{
	if (p->crit < 0)
		return;
	event_fail(p, EVENT_ERR_TYPE, "field \"scores.%s\": expected a number "
	    "from 0 to 5", p->ev->qa[p->crit].name);
}

static int
event_null_cb(void *arg)
{
	struct event_yajl_parser	*p = arg;

	if (p->depth == 0)
		return (event_toplevel(p));
	if (p->err != EVENT_OK)
		return (1);
	if (p->depth == 1) {
		if (p->field == F_TYPE) {
			p->seen_type = 1;
			p->ev->type = EVENT_NONE;
		}
		if (p->field != F_NONE)
			event_fail_field(p, p->field, EVENT_ERR_TYPE);
	} else if (p->depth == 2 && p->in_scores)
		event_crit_bad(p);
	return (1);
}

static int
event_boolean_cb(void *arg, int b)
{
	struct event_yajl_parser	*p = arg;

	if (p->depth == 0)
		return (event_toplevel(p));
	if (p->err != EVENT_OK)
		return (1);
	if (p->depth == 1)
		event_set_bool(p, p->field, b);
	else if (p->depth == 2 && p->in_scores)
		event_crit_bad(p);
	return (1);
}

static int
event_number_cb(void *arg, const char *s, size_t len)
{
	struct event_yajl_parser	*p = arg;

	if (p->depth == 0)
		return (event_toplevel(p));
	if (p->err != EVENT_OK)
		return (1);
	if (p->depth == 1)
		event_set_number(p, p->field, s, len);
	else if (p->depth == 2 && p->in_scores)
		event_crit_number(p, s, len);
	return (1);
}

static int
event_string_cb(void *arg, const unsigned char *s, size_t len)
{
	struct event_yajl_parser	*p = arg;

	if (p->depth == 0)
		return (event_toplevel(p));
	if (p->err != EVENT_OK)
		return (1);
	if (p->depth == 1)
		event_set_string(p, p->field, s, len);
	else if (p->depth == 2 && p->in_scores)
		event_crit_bad(p);
	return (1);
}

/* Opening a container: the object itself, a member's value, or deeper. */
static int
event_start_map_cb(void *arg)
{
	struct event_yajl_parser	*p = arg;

	if (p->depth == 0) {
		if (p->done)
			return (event_toplevel(p));
		p->depth = 1;
		return (1);
	}
	if (++p->depth > EVENT_DEPTH_MAX) {
		p->err = EVENT_OK;
		event_fail(p, EVENT_ERR_DEPTH, "nested deeper than %d levels",
		    EVENT_DEPTH_MAX);
		return (0);
	}
	if (p->err != EVENT_OK)
		return (1);
	if (p->depth == 2) {
		if (p->field == F_SCORES) {
			/* A repeated "scores" replaces the earlier one. */
			p->ev->nqa = 0;
			p->in_scores = 1;
			p->seen_scores = 1;
			p->crit = -1;
		} else if (p->field == F_TYPE) {
			p->seen_type = 1;
			p->ev->type = EVENT_NONE;
			event_fail_field(p, p->field, EVENT_ERR_TYPE);
		} else if (p->field != F_NONE)
			event_fail_field(p, p->field, EVENT_ERR_TYPE);
	} else if (p->depth == 3 && p->in_scores)
		event_crit_bad(p);
	return (1);
}

static int
event_map_key_cb(void *arg, const unsigned char *k, size_t len)
{
	struct event_yajl_parser	*p = arg;

	if (p->depth == 1)
		p->field = event_field_find(k, len);
	else if (p->depth == 2 && p->in_scores)
		event_crit_key(p, k, len);
	return (1);
}

static int
event_end_map_cb(void *arg)
{
	struct event_yajl_parser	*p = arg;

	if (--p->depth == 0) {
		p->done = 1;
		/* yajl has consumed the closing brace. */
		p->end = yajl_get_bytes_consumed(p->yh);
	} else if (p->depth == 1)
		p->in_scores = 0;
	return (1);
}

static int
event_start_array_cb(void *arg)
{
	struct event_yajl_parser	*p = arg;

	if (p->depth == 0)
		return (event_toplevel(p));
	if (++p->depth > EVENT_DEPTH_MAX) {
		p->err = EVENT_OK;
		event_fail(p, EVENT_ERR_DEPTH, "nested deeper than %d levels",
		    EVENT_DEPTH_MAX);
		return (0);
	}
	if (p->err != EVENT_OK)
		return (1);
	if (p->depth == 2 && p->field != F_NONE) {
		if (p->field == F_TYPE) {
			p->seen_type = 1;
			p->ev->type = EVENT_NONE;
		}
		event_fail_field(p, p->field, EVENT_ERR_TYPE);
	} else if (p->depth == 3 && p->in_scores)
		event_crit_bad(p);
	return (1);
}

static int
event_end_array_cb(void *arg)
{
	struct event_yajl_parser	*p = arg;

	p->depth--;
	return (1);
}

/* Turn yajl's error into one line: "invalid JSON at byte N: ...". */
static void
event_yajl_error(struct event_yajl_parser *p, size_t off)
{
	unsigned char	*msg;
	const char	*text, *colon;
	size_t		 n;

	msg = yajl_get_error(p->yh, 0, NULL, 0);
	text = msg != NULL ? (const char *)msg : "parse error";
	/* Drop yajl's "parse error: " or "lexical error: " prefix. */
	if ((colon = strstr(text, "error: ")) != NULL)
		text = colon + 7;
	n = strcspn(text, "\n");
	if (n > 0 && text[n - 1] == '.')
		n--;
	p->err = EVENT_OK;
	event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON near byte %zu: %.*s", off,
	    (int)n, text);
	if (msg != NULL)
		yajl_free_error(p->yh, msg);
}

/* Whether a required member is present. */
static int
event_has(const struct event *ev, enum event_field f)
{
	const struct event_field_info	*fi = &event_fields[f];

	switch (fi->kind) {
	case K_ID:
		return (((const char *)ev + fi->off)[0] != '\0');
	case K_STATE:
		return (ev->state != EVENT_STATE_NONE);
	case K_SCORES:
		return (ev->nqa > 0);
	default:
		return ((ev->has & fi->has) != 0);
	}
}

/* The members each type needs (survey's either-or is checked apart). */
static const enum event_field event_required[EVENT_TYPE_COUNT][2] = {
	[EVENT_CALL] =		{ F_CALL_ID, F_QUEUE },
	[EVENT_CALL_QUEUED] =	{ F_CALL_ID, F_QUEUE },
	[EVENT_CALL_ANSWERED] =	{ F_CALL_ID, F_AGENT },
	[EVENT_CALL_HOLD] =	{ F_CALL_ID, F_NONE },
	[EVENT_CALL_RESUME] =	{ F_CALL_ID, F_NONE },
	[EVENT_CALL_ENDED] =	{ F_CALL_ID, F_NONE },
	[EVENT_QA] =		{ F_AGENT, F_SCORES },
	[EVENT_AGENT] =		{ F_AGENT, F_STATE },
	[EVENT_ESAT] =		{ F_AGENT, F_SCORE },
};

static void
event_check(struct event_yajl_parser *p)
{
	struct event	*ev = p->ev;
	enum event_field f;
	size_t		 i;

	if (ev->type == EVENT_NONE) {
		event_fail(p, EVENT_ERR_EVENT_TYPE, "missing field \"type\"");
		return;
	}
	if (ev->type == EVENT_SURVEY) {
		if (ev->call_id[0] == '\0' && ev->agent[0] == '\0')
			event_fail(p, EVENT_ERR_MISSING, "missing field "
			    "\"call_id\" or \"agent\"");
		else if ((ev->has & (EVENT_HAS_CSAT|EVENT_HAS_NPS)) == 0)
			event_fail(p, EVENT_ERR_MISSING, "missing field "
			    "\"csat\" or \"nps\"");
		return;
	}
	for (i = 0; i < 2; i++) {
		f = event_required[ev->type][i];
		if (f == F_NONE || event_has(ev, f))
			continue;
		if (f == F_SCORES && p->seen_scores)
			event_fail(p, EVENT_ERR_MISSING, "field \"scores\": "
			    "expected at least one criterion");
		else
			event_fail(p, EVENT_ERR_MISSING, "missing field "
			    "\"%s\"", event_fields[f].name);
		return;
	}
}

enum event_error
event_yajl_parse(struct event_yajl_parser *p, const char *line, size_t len,
    struct event *ev, char *reason, size_t reasonlen)
{
	const unsigned char	*u = (const unsigned char *)line;
	yajl_status		 st;
	size_t			 off, i;
	int			 clean;

	/* Only what presence is judged by is reset; see event.h. */
	ev->type = EVENT_NONE;
	ev->has = 0;
	ev->nqa = 0;
	ev->outcome = EVENT_OUTCOME_NONE;
	ev->state = EVENT_STATE_NONE;
	ev->call_id[0] = ev->queue[0] = ev->agent[0] = ev->team[0] = '\0';
	ev->customer[0] = ev->channel[0] = ev->evaluator[0] = '\0';
	ev->reason[0] = '\0';

	p->ev = ev;
	p->reason = reason;
	p->reasonlen = reasonlen;
	if (reasonlen > 0)
		reason[0] = '\0';
	p->err = EVENT_OK;
	p->depth = 0;
	p->done = 0;
	p->end = 0;
	p->field = F_NONE;
	p->seen_type = 0;
	p->seen_scores = 0;
	p->in_scores = 0;
	p->crit = -1;

	if (event_utf8_check(u, len, &off) != 0) {
		event_fail(p, EVENT_ERR_UTF8, "invalid UTF-8 at byte %zu", off);
		return (p->err);
	}

	st = yajl_parse(p->yh, u, len);
	if (st == yajl_status_error)
		event_yajl_error(p, yajl_get_bytes_consumed(p->yh));
	else if (st == yajl_status_ok) {
		st = yajl_complete_parse(p->yh);
		/*
		 * A fresh handle says "premature EOF" where a used one
		 * has no value at all: say the same for both.
		 */
		if (st == yajl_status_error && p->depth == 0 && !p->done) {
			p->err = EVENT_OK;
			event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON: "
			    "expected an object");
		} else if (st == yajl_status_error)
			event_yajl_error(p, len);
	}

	/*
	 * The handle is kept only if yajl is back to waiting for a value
	 * with nothing buffered: one object, then only white space.
	 */
	clean = st == yajl_status_ok && p->done;
	for (i = p->end; clean && i < len; i++) {
		if (u[i] != ' ' && u[i] != '\t' && u[i] != '\r' && u[i] != '\n')
			clean = 0;
	}
	if (!clean) {
		yajl_free(p->yh);
		p->yh = event_yajl_new(p);
	}
	if (st != yajl_status_ok)
		return (p->err);
	if (!p->done) {
		p->err = EVENT_OK;
		event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON: expected an "
		    "object");
		return (p->err);
	}
	if (!clean) {
		p->err = EVENT_OK;
		event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON at byte %zu: "
		    "trailing data after the object", p->end);
		return (p->err);
	}
	if (p->err == EVENT_OK)
		event_check(p);
	return (p->err);
}
