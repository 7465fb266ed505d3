/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The event protocol parser: one JSON object per line into a struct
 * event.  It runs on every ingested line, so it is written for this one
 * schema and allocates nothing per line.  The members of the event
 * object go through a fast path (event_fast) that knows the field names
 * by their first letter and whole spelling, checks and copies an
 * identifier as it reads it, and converts a plain number exactly in the
 * same pass.  Anything else (escapes, nested values, cut lines, errors)
 * goes through a general state machine (event_run), which decodes
 * escapes only in the keys and values that are kept.
 *
 * It is strict JSON (RFC 8259).  It accepts what the parser it replaced,
 * built on yajl 2.1's event API, accepted, fills the same fields and
 * gives the same reasons: its states are yajl's, so a syntax error is
 * reported at the same byte in the same words ("invalid JSON near byte
 * 47: invalid object key (must be a string)"), and like yajl it reads a
 * token that the line cuts short as if a space followed.  The one
 * difference: \v and \f, which yajl took for white space, are stray
 * bytes here.  fuzz/fuzz_event_diff holds the two to this, with the old
 * parser kept as fuzz/event_yajl.c.
 *
 * Fields are checked as they arrive (the "type" may come last); the
 * per-type required fields are checked at the end.  The first problem
 * in byte order is reported, except that structural errors (UTF-8,
 * syntax, depth) win over field errors.
 */

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
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

/* JSON's white space.  (yajl took \v and \f too; they are refused.) */
static const unsigned char event_space[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1
};

/* Bytes in a string: 0 is a plain byte, the rest need a look. */
#define EVENT_S_QUOTE	1
#define EVENT_S_ESCAPE	2
#define EVENT_S_CONTROL	3
#define EVENT_S_UTF8	4
static const unsigned char event_string_class[256] = {
	[0x00 ... 0x1f] = EVENT_S_CONTROL,
	['"'] = EVENT_S_QUOTE,
	['\\'] = EVENT_S_ESCAPE,
	[0x80 ... 0xff] = EVENT_S_UTF8
};

/* What a one-letter escape stands for; 0 if it is not one. */
static const unsigned char event_escapes[256] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f',
	['n'] = '\n', ['r'] = '\r', ['t'] = '\t'
};

static const char *event_type_names[EVENT_TYPE_COUNT] = {
	"none", "call", "call.queued", "call.answered", "call.hold",
	"call.resume", "call.ended", "survey", "qa", "agent", "esat"
};

static const char *event_error_names[EVENT_ERR_COUNT] = {
	"ok", "syntax", "utf8", "depth", "type", "range", "missing",
	"event_type", "id", "ts", "too_long", "ts_past", "ts_future",
	"cardinality", "http", "journal_full"
};

/* Exact powers of ten for the fast number path. */
static const double event_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * The parser's states: yajl's, so that a syntax error is found at the
 * same token and described the same way.
 */
enum event_state {
	ST_START = 0,		/* a value: the line's first */
	ST_GOT_VALUE,		/* a value: after a complete one */
	ST_MAP_START,		/* a key or '}' */
	ST_MAP_NEED_KEY,	/* a key, after ',' */
	ST_MAP_SEP,		/* ':' */
	ST_MAP_NEED_VAL,	/* a member's value */
	ST_MAP_GOT_VAL,		/* ',' or '}' */
	ST_ARRAY_START,		/* a value or ']' */
	ST_ARRAY_NEED_VAL,	/* a value, after ',' */
	ST_ARRAY_GOT_VAL	/* ',' or ']' */
};

/* Tokens. */
enum event_tok {
	T_EOF = 0,		/* only white space left */
	T_ERROR,		/* a lexical error: msg, erroff */
	T_LBRACE,
	T_RBRACE,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_COLON,
	T_STRING,		/* tok, toklen: between the quotes; esc */
	T_NUMBER,		/* tok, toklen */
	T_TRUE,
	T_FALSE,
	T_NULL
};

/* Syntax errors, in yajl's words (less its final full stop). */
enum event_msg {
	M_PREMATURE_EOF = 0,
	M_UNALLOWED,
	M_KEY,
	M_COLON,
	M_MAP_SEP,
	M_ARRAY_SEP,
	M_INVALID_CHAR,
	M_INVALID_STRING,
	M_ESCAPE,
	M_STRING_CHAR,
	M_HEX,
	M_EXPONENT,
	M_DECIMAL,
	M_MINUS,
	M_COMMENT,
	M_UTF8,
	M_NONE
};

static const char *event_msgs[M_NONE] = {
	"premature EOF",
	"unallowed token at this point in JSON text",
	"invalid object key (must be a string)",
	"object key and value must be separated by a colon (':')",
	"after key and value, inside map, I expect ',' or '}'",
	"after array element, I expect ',' or ']'",
	"invalid char in json text",
	"invalid string in json text",
	"inside a string, '\\' occurs before a character which it may not",
	"invalid character inside string",
	"invalid (non-hex) character occurs after '\\u' inside string",
	"malformed number, a digit is required after the exponent",
	"malformed number, a digit is required after the decimal point",
	"malformed number, a digit is required after the minus sign",
	"probable comment found in input text, comments are not enabled",
	"invalid bytes in UTF8 string"
};

/* How a line's parse ended. */
enum event_run {
	R_OK = 0,		/* every byte read */
	R_ERROR,		/* a syntax error: msg, erroff or fin */
	R_STOP			/* stopped, err set: depth, not one object */
};

struct event_parser {
	/* The line being parsed. */
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

	/* The last token. */
	size_t			 tokstart;	/* its first byte */
	const unsigned char	*tok;		/* T_STRING, T_NUMBER */
	size_t			 toklen;
	int			 esc;		/* the string has escapes */
	int			 fin;		/* the line ended at or in it */
	enum event_msg		 msg;		/* T_ERROR: what */
	size_t			 erroff;	/* and where */

	/* Strings with escapes, decoded; grows to the longest such. */
	unsigned char		*dbuf;
	size_t			 dcap;
};

static void	 event_fail(struct event_parser *, enum event_error,
		     const char *, ...) __attribute__((format(printf, 3, 4)));
static void	 event_fail_field(struct event_parser *, enum event_field,
		     enum event_error);
static size_t	 event_utf8_seq(const unsigned char *, size_t);
static int	 event_utf8_check(const unsigned char *, size_t, size_t *);
static int	 event_hex(unsigned char);
static int	 event_number(const char *, size_t, double *);
static enum event_field event_field_find(const unsigned char *, size_t);
static enum event_type event_type_find(const unsigned char *, size_t);
static const unsigned char *event_string(struct event_parser *, size_t *);
static void	 event_set_string(struct event_parser *, enum event_field,
		     const unsigned char *, size_t);
static void	 event_set_number(struct event_parser *, enum event_field,
		     const char *, size_t);
static void	 event_set_double(struct event_parser *, enum event_field,
		     double);
static void	 event_set_bool(struct event_parser *, enum event_field, int);
static int	 event_toplevel(struct event_parser *);
static void	 event_crit_key(struct event_parser *, const unsigned char *,
		     size_t);
static void	 event_crit_number(struct event_parser *, const char *,
		     size_t);
static void	 event_crit_bad(struct event_parser *);
static int	 event_null(struct event_parser *);
static int	 event_boolean(struct event_parser *, int);
static int	 event_number_value(struct event_parser *);
static int	 event_string_value(struct event_parser *);
static int	 event_map_open(struct event_parser *);
static void	 event_map_key(struct event_parser *);
static void	 event_map_close(struct event_parser *, size_t);
static int	 event_array_open(struct event_parser *);
static void	 event_array_close(struct event_parser *);
static enum event_tok event_lex_fail(struct event_parser *, enum event_msg,
		     size_t);
static enum event_tok event_lex_cut(struct event_parser *, enum event_msg);
static enum event_tok event_lex_string(struct event_parser *,
		     const unsigned char *, size_t, size_t *);
static enum event_tok event_lex_number(struct event_parser *,
		     const unsigned char *, size_t, size_t *);
static enum event_tok event_lex_word(struct event_parser *,
		     const unsigned char *, size_t, size_t *, const char *,
		     enum event_tok);
static enum event_tok event_lex(struct event_parser *, const unsigned char *,
		     size_t, size_t *);
static enum event_run event_syntax(struct event_parser *, enum event_msg,
		     size_t);
static size_t	 event_plain(const unsigned char *, size_t, size_t);
static int	 event_fast_number(const unsigned char *, size_t, size_t *,
		     double *);
static size_t	 event_skip(const unsigned char *, size_t, size_t);
static enum event_field event_field_at(const unsigned char *, size_t, size_t,
		     size_t *);
static size_t	 event_fast_value(struct event_parser *, const unsigned char *,
		     size_t, size_t);
static size_t	 event_fast(struct event_parser *, const unsigned char *,
		     size_t, size_t, enum event_state *);
static enum event_run event_run(struct event_parser *, const unsigned char *,
		     size_t);
static int	 event_has(const struct event *, enum event_field);
static void	 event_check(struct event_parser *);
static int	 event_digits(const char *, size_t);
static int64_t	 event_days_from_civil(int64_t, unsigned int, unsigned int);

struct event_parser *
event_parser_new(void)
{
	return (xcalloc(1, sizeof (struct event_parser)));
}

void
event_parser_free(struct event_parser *p)
{
	if (p == NULL)
		return;
	free(p->dbuf);
	free(p);
}

const char *
event_type_name(enum event_type type)
{
	if ((unsigned int)type >= EVENT_TYPE_COUNT)
		return ("unknown");
	return (event_type_names[type]);
}

const char *
event_error_name(enum event_error err)
{
	if ((unsigned int)err >= EVENT_ERR_COUNT)
		return ("unknown");
	return (event_error_names[err]);
}

/* Record the first error of a line; later ones are not reported. */
static void
event_fail(struct event_parser *p, enum event_error err, const char *fmt,
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
event_fail_field(struct event_parser *p, enum event_field f,
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
 * The length of the UTF-8 sequence at s, whose first byte is not
 * ASCII, or 0 if it is not one RFC 3629 allows (an overlong form, a
 * surrogate, past U+10FFFF, or cut short by the end).
 */
static size_t
event_utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char	c = s[0], lo = 0x80, hi = 0xbf;
	size_t		n;

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
		return (0);
	if (avail - 1 < n)
		return (0);
	if (s[1] < lo || s[1] > hi)
		return (0);
	if (n >= 2 && (s[2] & 0xc0) != 0x80)
		return (0);
	if (n >= 3 && (s[3] & 0xc0) != 0x80)
		return (0);
	return (n + 1);
}

/*
 * Check a whole line, eight ASCII bytes at a time; only a line that
 * failed to parse needs it, as strings are checked while they are
 * read and other tokens are ASCII.  On failure, *bad is the offset of
 * the first byte of the bad sequence.
 */
static int
event_utf8_check(const unsigned char *s, size_t len, size_t *bad)
{
	size_t		 i = 0, n;
	uint64_t	 w;

	while (i < len) {
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & UINT64_C(0x8080808080808080)) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = event_utf8_seq(s + i, len - i)) == 0) {
			*bad = i;
			return (-1);
		}
		i += n;
	}
	return (0);
}

static int
event_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Convert a JSON number the lexer has checked.  Up to 15 significant
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

/*
 * The bytes of the string just read, its escapes decoded: \uXXXX to
 * UTF-8, a surrogate pair to one code point, and a lone surrogate to
 * U+FFFD.  Only ASCII values are ever kept, so a value that decodes to
 * anything else is refused whatever it decodes to.  The lexer has
 * checked every escape; a string without any is used in place.
 */
static const unsigned char *
event_string(struct event_parser *p, size_t *lenp)
{
	const unsigned char	*s = p->tok;
	size_t			 n = p->toklen, i, o;
	unsigned char		*d;
	uint32_t		 cp, lo;

	if (!p->esc) {
		*lenp = n;
		return (s);
	}
	/* A decoded string is never longer than its escaped form. */
	if (n > p->dcap) {
		p->dbuf = xreallocarray(p->dbuf, 1, n);
		p->dcap = n;
	}
	d = p->dbuf;
	for (i = o = 0; i < n; ) {
		if (s[i] != '\\') {
			d[o++] = s[i++];
			continue;
		}
		if (s[i + 1] != 'u') {
			d[o++] = event_escapes[s[i + 1]];
			i += 2;
			continue;
		}
		cp = (uint32_t)(event_hex(s[i + 2]) << 12 |
		    event_hex(s[i + 3]) << 8 | event_hex(s[i + 4]) << 4 |
		    event_hex(s[i + 5]));
		i += 6;
		if (cp >= 0xd800 && cp <= 0xdbff && n - i >= 6 &&
		    s[i] == '\\' && s[i + 1] == 'u') {
			lo = (uint32_t)(event_hex(s[i + 2]) << 12 |
			    event_hex(s[i + 3]) << 8 |
			    event_hex(s[i + 4]) << 4 | event_hex(s[i + 5]));
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			}
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd;
		if (cp < 0x80)
			d[o++] = (unsigned char)cp;
		else if (cp < 0x800) {
			d[o++] = (unsigned char)(0xc0 | cp >> 6);
			d[o++] = (unsigned char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			d[o++] = (unsigned char)(0xe0 | cp >> 12);
			d[o++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			d[o++] = (unsigned char)(0x80 | (cp & 0x3f));
		} else {
			d[o++] = (unsigned char)(0xf0 | cp >> 18);
			d[o++] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			d[o++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			d[o++] = (unsigned char)(0x80 | (cp & 0x3f));
		}
	}
	*lenp = o;
	return (d);
}

static void
event_set_string(struct event_parser *p, enum event_field f,
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
event_set_number(struct event_parser *p, enum event_field f, const char *s,
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
	event_set_double(p, f, d);
}

/* A number for a member that takes one (K_TS, K_SECONDS .. K_INT). */
static void
event_set_double(struct event_parser *p, enum event_field f, double d)
{
	const struct event_field_info	*fi = &event_fields[f];
	struct event			*ev = p->ev;

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
event_set_bool(struct event_parser *p, enum event_field f, int b)
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
event_toplevel(struct event_parser *p)
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
event_crit_key(struct event_parser *p, const unsigned char *k, size_t len)
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
event_crit_number(struct event_parser *p, const char *s, size_t len)
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
event_crit_bad(struct event_parser *p)
{
	if (p->crit < 0)
		return;
	event_fail(p, EVENT_ERR_TYPE, "field \"scores.%s\": expected a number "
	    "from 0 to 5", p->ev->qa[p->crit].name);
}

/*
 * What each token means for the event.  These run in the order yajl's
 * callbacks ran and decide the same way; a return of 0 stops the parse
 * (its error is set).
 */
static int
event_null(struct event_parser *p)
{
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
event_boolean(struct event_parser *p, int b)
{
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
event_number_value(struct event_parser *p)
{
	if (p->depth == 0)
		return (event_toplevel(p));
	if (p->err != EVENT_OK)
		return (1);
	if (p->depth == 1)
		event_set_number(p, p->field, (const char *)p->tok, p->toklen);
	else if (p->depth == 2 && p->in_scores)
		event_crit_number(p, (const char *)p->tok, p->toklen);
	return (1);
}

static int
event_string_value(struct event_parser *p)
{
	const unsigned char	*s;
	size_t			 len;

	if (p->depth == 0)
		return (event_toplevel(p));
	if (p->err != EVENT_OK)
		return (1);
	if (p->depth == 1) {
		if (p->field != F_NONE) {
			s = event_string(p, &len);
			event_set_string(p, p->field, s, len);
		}
	} else if (p->depth == 2 && p->in_scores)
		event_crit_bad(p);
	return (1);
}

/* Opening an object: the event itself, a member's value, or deeper. */
static int
event_map_open(struct event_parser *p)
{
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

static void
event_map_key(struct event_parser *p)
{
	const unsigned char	*s;
	size_t			 len;

	if (p->depth == 1) {
		s = event_string(p, &len);
		p->field = event_field_find(s, len);
	} else if (p->depth == 2 && p->in_scores) {
		s = event_string(p, &len);
		event_crit_key(p, s, len);
	}
}

/* Closing an object; end is the offset just past its '}'. */
static void
event_map_close(struct event_parser *p, size_t end)
{
	if (--p->depth == 0) {
		p->done = 1;
		p->end = end;
	} else if (p->depth == 1)
		p->in_scores = 0;
}

static int
event_array_open(struct event_parser *p)
{
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

static void
event_array_close(struct event_parser *p)
{
	p->depth--;
}

/* A lexical error at byte off. */
static enum event_tok
event_lex_fail(struct event_parser *p, enum event_msg msg, size_t off)
{
	p->msg = msg;
	p->erroff = off;
	return (T_ERROR);
}

/*
 * A token cut short by the end of the line.  yajl waits for more and,
 * when told there is none, reads on as if a space followed: msg is the
 * error that space causes, M_NONE if it only leaves the string open.
 */
static enum event_tok
event_lex_cut(struct event_parser *p, enum event_msg msg)
{
	p->fin = 1;
	if (msg == M_NONE)
		return (T_EOF);
	p->msg = msg;
	return (T_ERROR);
}

/* A string from its opening quote at tokstart; UTF-8 is checked here. */
static enum event_tok
event_lex_string(struct event_parser *p, const unsigned char *u, size_t len,
    size_t *pos)
{
	size_t	i = p->tokstart + 1, n, k;
	int	esc = 0;

	for (;;) {
		if ((i = event_plain(u, len, i)) == len)
			return (event_lex_cut(p, M_NONE));
		switch (event_string_class[u[i]]) {
		case EVENT_S_QUOTE:
			p->tok = u + p->tokstart + 1;
			p->toklen = i - p->tokstart - 1;
			p->esc = esc;
			*pos = i + 1;
			return (T_STRING);
		case EVENT_S_ESCAPE:
			esc = 1;
			if (++i == len)
				return (event_lex_cut(p, M_ESCAPE));
			if (u[i] == 'u') {
				for (k = 0; k < 4; k++) {
					if (++i == len)
						return (event_lex_cut(p,
						    M_HEX));
					if (event_hex(u[i]) < 0)
						return (event_lex_fail(p, M_HEX,
						    i));
				}
			} else if (event_escapes[u[i]] == 0)
				return (event_lex_fail(p, M_ESCAPE, i));
			i++;
			break;
		case EVENT_S_CONTROL:
			return (event_lex_fail(p, M_STRING_CHAR, i));
		default:
			if ((n = event_utf8_seq(u + i, len - i)) == 0)
				return (event_lex_fail(p, M_UTF8, i));
			i += n;
			break;
		}
	}
}

/* A number per RFC 8259 from tokstart, as yajl's lexer reads one. */
static enum event_tok
event_lex_number(struct event_parser *p, const unsigned char *u, size_t len,
    size_t *pos)
{
	size_t	i = p->tokstart;

	if (u[i] == '-' && ++i == len)
		return (event_lex_cut(p, M_MINUS));
	if (u[i] == '0')
		i++;
	else if (u[i] >= '1' && u[i] <= '9') {
		do
			i++;
		while (i < len && u[i] >= '0' && u[i] <= '9');
	} else
		return (event_lex_fail(p, M_MINUS, i));
	if (i < len && u[i] == '.') {
		if (++i == len)
			return (event_lex_cut(p, M_DECIMAL));
		if (u[i] < '0' || u[i] > '9')
			return (event_lex_fail(p, M_DECIMAL, i));
		do
			i++;
		while (i < len && u[i] >= '0' && u[i] <= '9');
	}
	if (i < len && (u[i] == 'e' || u[i] == 'E')) {
		if (++i == len)
			return (event_lex_cut(p, M_EXPONENT));
		if ((u[i] == '+' || u[i] == '-') && ++i == len)
			return (event_lex_cut(p, M_EXPONENT));
		if (u[i] < '0' || u[i] > '9')
			return (event_lex_fail(p, M_EXPONENT, i));
		do
			i++;
		while (i < len && u[i] >= '0' && u[i] <= '9');
	}
	/* Only the end of the line says a number has ended there. */
	if (i == len)
		p->fin = 1;
	p->tok = u + p->tokstart;
	p->toklen = i - p->tokstart;
	*pos = i;
	return (T_NUMBER);
}

/* true, false or null; word is the whole word. */
static enum event_tok
event_lex_word(struct event_parser *p, const unsigned char *u, size_t len,
    size_t *pos, const char *word, enum event_tok t)
{
	size_t	i = p->tokstart + 1;

	for (word++; *word != '\0'; word++, i++) {
		if (i == len)
			return (event_lex_cut(p, M_INVALID_STRING));
		if (u[i] != (unsigned char)*word)
			return (event_lex_fail(p, M_INVALID_STRING, i));
	}
	*pos = i;
	return (t);
}

/* The next token from *pos, which it moves past the token. */
static enum event_tok
event_lex(struct event_parser *p, const unsigned char *u, size_t len,
    size_t *pos)
{
	size_t	i = *pos;

	while (i < len && event_space[u[i]])
		i++;
	p->tokstart = i;
	if (i == len) {
		p->fin = 1;
		*pos = len;
		return (T_EOF);
	}
	*pos = i + 1;
	switch (u[i]) {
	case '{':
		return (T_LBRACE);
	case '}':
		return (T_RBRACE);
	case '[':
		return (T_LBRACK);
	case ']':
		return (T_RBRACK);
	case ',':
		return (T_COMMA);
	case ':':
		return (T_COLON);
	case '"':
		return (event_lex_string(p, u, len, pos));
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return (event_lex_number(p, u, len, pos));
	case 't':
		return (event_lex_word(p, u, len, pos, "true", T_TRUE));
	case 'f':
		return (event_lex_word(p, u, len, pos, "false", T_FALSE));
	case 'n':
		return (event_lex_word(p, u, len, pos, "null", T_NULL));
	case '/':
		return (event_lex_fail(p, M_COMMENT, i));
	default:
		return (event_lex_fail(p, M_INVALID_CHAR, i + 1));
	}
}

/* A token where the grammar has no place for it. */
static enum event_run
event_syntax(struct event_parser *p, enum event_msg msg, size_t off)
{
	p->msg = msg;
	p->erroff = off;
	return (R_ERROR);
}

/*
 * The offset of the first byte from i on that ends a plain run in a
 * string ('"', '\\', a control byte or a non-ASCII byte), or len.
 * Eight bytes at a time: a byte b is flagged by (b ^ c) - 1 & ~(b ^ c)
 * if it is c, by b - 0x20 if it is below 0x20, and by b itself if it
 * is not ASCII, each in its top bit.  A borrow can flag a byte above a
 * flagged one, never below, so the lowest flag is exact.
 */
static size_t
event_plain(const unsigned char *u, size_t len, size_t i)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t	 ones = UINT64_C(0x0101010101010101);
	uint64_t	 w, q, b, m;

	while (len - i >= 8) {
		memcpy(&w, u + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		m = ((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) |
		    w;
		m &= ones * 0x80;
		if (m != 0)
			return (i + (size_t)(__builtin_ctzll(m) >> 3));
		i += 8;
	}
#endif
	while (i < len && event_string_class[u[i]] == 0)
		i++;
	return (i);
}

/*
 * The number at u[*ip] for the fast path, read and converted in one
 * pass: the same token event_lex_number() reads, the same double
 * event_number() makes.  It takes only numbers that event_number()
 * converts exactly with one division (no exponent, at most 15 digits)
 * and that the line does not end in; for anything else it returns -1
 * and the caller takes the slow way.
 */
static int
event_fast_number(const unsigned char *u, size_t len, size_t *ip,
    double *out)
{
	size_t		 i = *ip, start, frac = 0;
	uint64_t	 m = 0;
	unsigned int	 c;
	double		 d;
	int		 neg = 0;

	if (u[i] == '-') {
		neg = 1;
		i++;
	}
	start = i;
	if (i < len && u[i] == '0')
		i++;
	else {
		/* m may wrap past 19 digits; more than 15 are refused. */
		while (i < len && (c = u[i] - (unsigned int)'0') <= 9) {
			m = m * 10 + c;
			i++;
		}
		if (i == start || i - start > 15)
			return (-1);
	}
	if (i < len && u[i] == '.') {
		frac = ++i;
		while (i < len && (c = u[i] - (unsigned int)'0') <= 9) {
			m = m * 10 + c;
			i++;
		}
		if (i == frac || i - start > 16)
			return (-1);
		frac = i - frac;
	}
	if (i == len || u[i] == 'e' || u[i] == 'E')
		return (-1);
	d = (double)m;
	if (frac > 0)
		d /= event_pow10[frac];
	*out = neg ? -d : d;
	*ip = i;
	return (0);
}

/* The first byte from i on that is not white space, or len. */
static size_t
event_skip(const unsigned char *u, size_t len, size_t i)
{
	while (i < len && event_space[u[i]])
		i++;
	return (i);
}

/*
 * The field named by the plain string at u[i] (its opening quote), and
 * *end just past the closing one; F_COUNT if it is not one of
 * event_field_find()'s names spelled without escapes.  A switch on the
 * first letter and compares of whole names, quote included, which the
 * compiler turns into a few word compares: no scan for the quote.
 */
static enum event_field
event_field_at(const unsigned char *u, size_t len, size_t i, size_t *end)
{
	const unsigned char	*k = u + i + 1;
	size_t			 n = len - i - 1;

#define EVENT_AT(lit, f) do {						\
	if (n >= sizeof lit && memcmp(k, lit "\"", sizeof lit) == 0) {	\
		*end = i + 1 + sizeof lit;				\
		return (f);						\
	}								\
} while (0)
	if (n == 0)
		return (F_COUNT);
	switch (k[0]) {
	case 'a':
		EVENT_AT("agent", F_AGENT);
		break;
	case 'c':
		EVENT_AT("call_id", F_CALL_ID);
		EVENT_AT("customer", F_CUSTOMER);
		EVENT_AT("channel", F_CHANNEL);
		EVENT_AT("csat", F_CSAT);
		break;
	case 'e':
		EVENT_AT("evaluator", F_EVALUATOR);
		break;
	case 'f':
		EVENT_AT("first_contact", F_FIRST_CONTACT);
		break;
	case 'h':
		EVENT_AT("hold", F_HOLD);
		break;
	case 'n':
		EVENT_AT("nps", F_NPS);
		break;
	case 'o':
		EVENT_AT("outcome", F_OUTCOME);
		break;
	case 'q':
		EVENT_AT("queue", F_QUEUE);
		break;
	case 'r':
		EVENT_AT("resolved", F_RESOLVED);
		EVENT_AT("revenue", F_REVENUE);
		EVENT_AT("reason", F_REASON);
		break;
	case 's':
		EVENT_AT("state", F_STATE);
		EVENT_AT("score", F_SCORE);
		EVENT_AT("scores", F_SCORES);
		break;
	case 't':
		EVENT_AT("type", F_TYPE);
		EVENT_AT("ts", F_TS);
		EVENT_AT("talk", F_TALK);
		EVENT_AT("team", F_TEAM);
		EVENT_AT("transferred", F_TRANSFERRED);
		break;
	case 'w':
		EVENT_AT("wait", F_WAIT);
		EVENT_AT("wrap", F_WRAP);
		break;
	}
#undef EVENT_AT
	return (F_COUNT);
}

/*
 * The plain value at u[i] of a member of the event object, for
 * event_fast(): what event_run() would do with it.  It returns the
 * offset just past the value, or i to leave the value to event_run().
 */
static size_t
event_fast_value(struct event_parser *p, const unsigned char *u, size_t len,
    size_t i)
{
	const struct event_field_info	*fi = &event_fields[p->field];
	size_t				 j = i + 1, lim;
	char				*dst;
	double				 d;

	switch (u[i]) {
	case '"':
		/*
		 * An identifier is copied as it is checked (a byte too many
		 * at most).  Most other plain strings have identifier bytes
		 * too: types, outcomes, states and times.
		 */
		lim = len - j > EVENT_ID_MAX ? j + EVENT_ID_MAX + 1 : len;
		if (fi->kind == K_ID) {
			dst = (char *)p->ev + fi->off;
			for (; j < lim && (event_chars[u[j]] & EVENT_C_ID); j++)
				*dst++ = (char)u[j];
			if (j == i + 1 || j == lim || u[j] != '"')
				return (i);
			*dst = '\0';
			return (j + 1);
		}
		while (j < lim && (event_chars[u[j]] & EVENT_C_ID))
			j++;
		if (j < len && u[j] != '"')
			j = event_plain(u, len, j);
		if (j == len || u[j] != '"')
			return (i);
		if (p->field != F_NONE)
			event_set_string(p, p->field, u + i + 1, j - i - 1);
		return (j + 1);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		j = i;
		if ((fi->kind == K_TS ||
		    (fi->kind >= K_SECONDS && fi->kind <= K_INT)) &&
		    event_fast_number(u, len, &j, &d) == 0) {
			event_set_double(p, p->field, d);
			return (j);
		}
		p->tokstart = i;
		if (event_lex_number(p, u, len, &j) != T_NUMBER)
			return (i);
		event_set_number(p, p->field, (const char *)p->tok, p->toklen);
		return (j);
	case 't':
		if (len - i < 4 || memcmp(u + i, "true", 4) != 0)
			return (i);
		event_set_bool(p, p->field, 1);
		return (i + 4);
	case 'f':
		if (len - i < 5 || memcmp(u + i, "false", 5) != 0)
			return (i);
		event_set_bool(p, p->field, 0);
		return (i + 5);
	case 'n':
		if (len - i < 4 || memcmp(u + i, "null", 4) != 0)
			return (i);
		event_null(p);
		return (i + 4);
	}
	return (i);
}

/*
 * The common case, fast: members of the event object itself with a
 * plain key and a plain string, number, boolean or null value.  This
 * does for them exactly what event_run() would do, and stops at the
 * first thing it leaves to event_run(): escapes, containers, the
 * closing '}', errors, a field error already found.  White space is
 * looked for only where the expected byte is not.  It returns the
 * offset it stopped at; *state is the state there.
 */
static size_t
event_fast(struct event_parser *p, const unsigned char *u, size_t len,
    size_t i, enum event_state *state)
{
	enum event_state	 s = *state;
	enum event_field	 f;
	size_t			 j;

	for (;;) {
		switch (s) {
		case ST_MAP_START:
		case ST_MAP_NEED_KEY:
			if (i < len && u[i] != '"')
				i = event_skip(u, len, i);
			if (i == len || u[i] != '"')
				goto out;
			if ((f = event_field_at(u, len, i, &j)) == F_COUNT) {
				j = event_plain(u, len, i + 1);
				if (j == len || u[j] != '"')
					goto out;
				f = event_field_find(u + i + 1, j - i - 1);
				j++;
			}
			p->field = f;
			i = j;
			s = ST_MAP_SEP;
			/* FALLTHROUGH */
		case ST_MAP_SEP:
			if (i < len && u[i] != ':')
				i = event_skip(u, len, i);
			if (i == len || u[i] != ':')
				goto out;
			i++;
			s = ST_MAP_NEED_VAL;
			/* FALLTHROUGH */
		case ST_MAP_NEED_VAL:
			if (i < len && event_space[u[i]])
				i = event_skip(u, len, i);
			if (i == len || p->err != EVENT_OK)
				goto out;
			if ((j = event_fast_value(p, u, len, i)) == i)
				goto out;
			i = j;
			s = ST_MAP_GOT_VAL;
			/* FALLTHROUGH */
		case ST_MAP_GOT_VAL:
			if (i < len && u[i] != ',')
				i = event_skip(u, len, i);
			if (i == len || u[i] != ',')
				goto out;
			i++;
			s = ST_MAP_NEED_KEY;
			break;
		default:
			goto out;
		}
	}
out:
	*state = s;
	return (i);
}

/*
 * The parse proper: yajl's state machine over the tokens, one stack
 * entry per open container (the depth limit bounds the stack).
 */
static enum event_run
event_run(struct event_parser *p, const unsigned char *u, size_t len)
{
	enum event_state	 stack[EVENT_DEPTH_MAX + 1], s, push;
	enum event_tok		 t;
	size_t			 pos = 0;
	int			 sp = 0;

	stack[0] = ST_START;
	for (;;) {
		if (sp == 1)
			pos = event_fast(p, u, len, pos, &stack[1]);
		if ((t = event_lex(p, u, len, &pos)) == T_EOF)
			break;
		if (t == T_ERROR)
			return (R_ERROR);
		switch (s = stack[sp]) {
		case ST_START:
		case ST_GOT_VALUE:
		case ST_MAP_NEED_VAL:
		case ST_ARRAY_START:
		case ST_ARRAY_NEED_VAL:
			push = ST_START;
			switch (t) {
			case T_STRING:
				if (!event_string_value(p))
					return (R_STOP);
				break;
			case T_NUMBER:
				if (!event_number_value(p))
					return (R_STOP);
				break;
			case T_TRUE:
			case T_FALSE:
				if (!event_boolean(p, t == T_TRUE))
					return (R_STOP);
				break;
			case T_NULL:
				if (!event_null(p))
					return (R_STOP);
				break;
			case T_LBRACE:
				if (!event_map_open(p))
					return (R_STOP);
				push = ST_MAP_START;
				break;
			case T_LBRACK:
				if (!event_array_open(p))
					return (R_STOP);
				push = ST_ARRAY_START;
				break;
			case T_RBRACK:
				if (s == ST_ARRAY_START) {
					event_array_close(p);
					sp--;
					continue;
				}
				/* FALLTHROUGH */
			default:
				return (event_syntax(p, M_UNALLOWED, pos));
			}
			if (s == ST_START || s == ST_GOT_VALUE)
				stack[sp] = ST_GOT_VALUE;
			else if (s == ST_MAP_NEED_VAL)
				stack[sp] = ST_MAP_GOT_VAL;
			else
				stack[sp] = ST_ARRAY_GOT_VAL;
			if (push != ST_START)
				stack[++sp] = push;
			break;
		case ST_MAP_START:
		case ST_MAP_NEED_KEY:
			if (t == T_STRING) {
				event_map_key(p);
				stack[sp] = ST_MAP_SEP;
			} else if (t == T_RBRACE && s == ST_MAP_START) {
				event_map_close(p, pos);
				sp--;
			} else
				return (event_syntax(p, M_KEY, pos));
			break;
		case ST_MAP_SEP:
			if (t != T_COLON)
				return (event_syntax(p, M_COLON, pos));
			stack[sp] = ST_MAP_NEED_VAL;
			break;
		case ST_MAP_GOT_VAL:
			if (t == T_RBRACE) {
				event_map_close(p, pos);
				sp--;
			} else if (t == T_COMMA)
				stack[sp] = ST_MAP_NEED_KEY;
			else {
				/* yajl points back at the token (a string's
				 * bytes less its quotes). */
				return (event_syntax(p, M_MAP_SEP,
				    t == T_STRING ? p->tokstart + 2 :
				    p->tokstart));
			}
			break;
		case ST_ARRAY_GOT_VAL:
			if (t == T_RBRACK) {
				event_array_close(p);
				sp--;
			} else if (t == T_COMMA)
				stack[sp] = ST_ARRAY_NEED_VAL;
			else
				return (event_syntax(p, M_ARRAY_SEP, pos));
			break;
		}
	}
	if (stack[sp] == ST_GOT_VALUE)
		return (R_OK);
	return (event_syntax(p, M_PREMATURE_EOF, len));
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
event_check(struct event_parser *p)
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
event_parse(struct event_parser *p, const char *line, size_t len,
    struct event *ev, char *reason, size_t reasonlen)
{
	const unsigned char	*u = (const unsigned char *)line;
	enum event_run		 r;
	size_t			 off, i;

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
	p->fin = 0;

	r = event_run(p, u, len);

	/*
	 * Bad UTF-8 anywhere wins over anything else.  A line read to the
	 * end had its strings checked and nothing else but ASCII.
	 */
	if (r != R_OK && event_utf8_check(u, len, &off) != 0) {
		p->err = EVENT_OK;
		event_fail(p, EVENT_ERR_UTF8, "invalid UTF-8 at byte %zu", off);
		return (p->err);
	}
	if (r == R_STOP)
		return (p->err);
	if (r == R_ERROR) {
		/* An error found at the end of the line is at its length. */
		p->err = EVENT_OK;
		if (p->fin && p->depth == 0 && !p->done)
			event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON: "
			    "expected an object");
		else
			event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON near "
			    "byte %zu: %s", p->fin ? len : p->erroff,
			    event_msgs[p->msg]);
		return (p->err);
	}
	if (!p->done) {
		p->err = EVENT_OK;
		event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON: expected an "
		    "object");
		return (p->err);
	}
	/* After the object, only white space (what an open string left). */
	for (i = p->end; i < len; i++) {
		if (!event_space[u[i]]) {
			p->err = EVENT_OK;
			event_fail(p, EVENT_ERR_SYNTAX, "invalid JSON at byte "
			    "%zu: trailing data after the object", p->end);
			return (p->err);
		}
	}
	if (p->err == EVENT_OK)
		event_check(p);
	return (p->err);
}

static int
event_digits(const char *s, size_t n)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
event_days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t		era;
	unsigned int	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (int64_t)doe - 719468);
}

/*
 * RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), with
 * "t", "z" or a space (RFC 3339 5.6 note) allowed; a leap second :60
 * counts as the next second, as POSIX time has it.
 */
int
event_parse_time(const char *s, size_t len, double *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int		 y, mo, d, h, mi, sec, oh, om, dim, sign;
	size_t		 i, nfrac;
	double		 frac = 0, scale = 1;
	int64_t		 days;

	if (len < 20)
		return (-1);
	if (s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
		return (-1);
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return (-1);
	y = event_digits(s, 4);
	mo = event_digits(s + 5, 2);
	d = event_digits(s + 8, 2);
	h = event_digits(s + 11, 2);
	mi = event_digits(s + 14, 2);
	sec = event_digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return (-1);
	dim = mdays[mo - 1];
	if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		dim = 29;
	if (d > dim)
		return (-1);

	i = 19;
	if (s[i] == '.') {
		for (i++, nfrac = 0; i < len && s[i] >= '0' && s[i] <= '9';
		    i++, nfrac++) {
			if (nfrac < 15) {
				frac = frac * 10 + (s[i] - '0');
				scale *= 10;
			}
		}
		if (nfrac == 0)
			return (-1);
	}
	if (i >= len)
		return (-1);
	if (s[i] == 'Z' || s[i] == 'z') {
		oh = om = 0;
		sign = 0;
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '+' ? 1 : -1;
		if (len - i < 6 || s[i + 3] != ':')
			return (-1);
		oh = event_digits(s + i + 1, 2);
		om = event_digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return (-1);
		i += 6;
	} else
		return (-1);
	if (i != len)
		return (-1);

	days = event_days_from_civil(y, (unsigned int)mo, (unsigned int)d);
	*out = (double)(days * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (oh * 3600 + om * 60)) + frac / scale;
	return (0);
}
