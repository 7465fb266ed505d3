/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Fuzz the event line parser, the daemon's widest door: any peer that
 * reaches an ingest socket chooses these bytes.  Besides memory errors
 * (ASan) this checks what the rest of the daemon assumes of a parsed
 * event: bounded, NUL-terminated identifiers of allowed bytes, counts
 * and numbers in range, and a parser whose reuse does not depend on the
 * lines before (one parser serves every line of a connection).  A line
 * it accepts must be strict JSON as far as bytes go: valid UTF-8, and
 * no control byte but JSON's white space.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "fuzz.h"

#define FUZZ_SMALL_REASON	16

static void	fuzz_check_bytes(const uint8_t *, size_t);
static void	fuzz_check_id(const char *, size_t, int);
static void	fuzz_check_event(const struct event *);
static void	fuzz_check_reason(enum event_error, const char *, size_t);

/* A line every parser state must still accept after any input. */
static const char fuzz_good[] = "{\"type\":\"call\",\"call_id\":\"c1\",\"queue\":\"q1\","
    "\"wait\":3,\"talk\":60,\"outcome\":\"answered\"}";

static int
fuzz_id_byte(unsigned char c, int qa)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
		return (1);
	return (!qa && (c == ':' || c == '@' || c == '+'));
}

/*
 * An accepted line: UTF-8 as RFC 3629 has it (checked here apart from
 * the parser's own check), and no control byte but tab, LF and CR.
 */
static void
fuzz_check_bytes(const uint8_t *s, size_t len)
{
	size_t	i = 0, n, k;
	uint8_t	c, lo, hi;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' ||
			    c == '\r');
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
		} else {
			FUZZ_CHECK(c >= 0xf0 && c <= 0xf4);
			n = 3;
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
		}
		FUZZ_CHECK(len - i > n);
		FUZZ_CHECK(s[i + 1] >= lo && s[i + 1] <= hi);
		for (k = 2; k <= n; k++)
			FUZZ_CHECK((s[i + k] & 0xc0) == 0x80);
		i += n + 1;
	}
}

/* An identifier: NUL within max bytes, only the allowed bytes. */
static void
fuzz_check_id(const char *s, size_t max, int qa)
{
	const char	*nul;
	size_t		 i;

	nul = memchr(s, '\0', max + 1);
	FUZZ_CHECK(nul != NULL);
	for (i = 0; s + i < nul; i++)
		FUZZ_CHECK(fuzz_id_byte((unsigned char)s[i], qa));
	if (qa)
		FUZZ_CHECK(nul > s);	/* a criterion has a name */
}

static void
fuzz_check_event(const struct event *ev)
{
	size_t	i;

	FUZZ_CHECK(ev->type > EVENT_NONE && ev->type < EVENT_TYPE_COUNT);
	FUZZ_CHECK(ev->outcome <= EVENT_OUTCOME_TRANSFERRED);
	FUZZ_CHECK(ev->state <= EVENT_STATE_LOGOUT);
	fuzz_check_id(ev->call_id, EVENT_ID_MAX, 0);
	fuzz_check_id(ev->queue, EVENT_ID_MAX, 0);
	fuzz_check_id(ev->agent, EVENT_ID_MAX, 0);
	fuzz_check_id(ev->team, EVENT_ID_MAX, 0);
	fuzz_check_id(ev->customer, EVENT_ID_MAX, 0);
	fuzz_check_id(ev->channel, EVENT_ID_MAX, 0);
	fuzz_check_id(ev->evaluator, EVENT_ID_MAX, 0);
	fuzz_check_id(ev->reason, EVENT_ID_MAX, 0);
	FUZZ_CHECK(ev->nqa <= EVENT_QA_MAX);
	for (i = 0; i < ev->nqa; i++) {
		fuzz_check_id(ev->qa[i].name, EVENT_QA_NAME_MAX, 1);
		FUZZ_CHECK(ev->qa[i].value >= 0 && ev->qa[i].value <= 5);
	}
	if (ev->has & EVENT_HAS_TS)
		FUZZ_CHECK(isfinite(ev->ts));
	if (ev->has & EVENT_HAS_WAIT)
		FUZZ_CHECK(isfinite(ev->wait) && ev->wait >= 0);
	if (ev->has & EVENT_HAS_TALK)
		FUZZ_CHECK(isfinite(ev->talk) && ev->talk >= 0);
	if (ev->has & EVENT_HAS_HOLD)
		FUZZ_CHECK(isfinite(ev->hold) && ev->hold >= 0);
	if (ev->has & EVENT_HAS_WRAP)
		FUZZ_CHECK(isfinite(ev->wrap) && ev->wrap >= 0);
	if (ev->has & EVENT_HAS_REVENUE)
		FUZZ_CHECK(isfinite(ev->revenue));
	if (ev->has & EVENT_HAS_RESOLVED)
		FUZZ_CHECK(ev->resolved == 0 || ev->resolved == 1);
	if (ev->has & EVENT_HAS_FIRST_CONTACT)
		FUZZ_CHECK(ev->first_contact == 0 || ev->first_contact == 1);
	if (ev->has & EVENT_HAS_TRANSFERRED)
		FUZZ_CHECK(ev->transferred == 0 || ev->transferred == 1);
	if (ev->has & EVENT_HAS_CSAT)
		FUZZ_CHECK(ev->csat >= 1 && ev->csat <= 5);
	if (ev->has & EVENT_HAS_NPS)
		FUZZ_CHECK(ev->nps >= 0 && ev->nps <= 10);
	if (ev->has & EVENT_HAS_SCORE)
		FUZZ_CHECK(ev->score >= 1 && ev->score <= 5);
}

/* The reason: empty on success, else one non-empty line that fits. */
static void
fuzz_check_reason(enum event_error err, const char *reason, size_t size)
{
	const char	*nul;

	nul = memchr(reason, '\0', size);
	FUZZ_CHECK(nul != NULL);
	if (err == EVENT_OK) {
		FUZZ_CHECK(nul == reason);
		return;
	}
	/* The parser never sets the errors only its caller judges. */
	FUZZ_CHECK(err > EVENT_OK && err < EVENT_ERR_TOO_LONG);
	FUZZ_CHECK(event_error_name(err) != NULL);
	FUZZ_CHECK(nul > reason);
	FUZZ_CHECK(memchr(reason, '\n', (size_t)(nul - reason)) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_parser	*p;
	struct event		*ev, *ev2;
	enum event_error	 err, err2;
	char			 reason[EVENT_REASON_MAX], reason2[EVENT_REASON_MAX];
	char			*small;

	/* On the heap, so ASan sees a write past any of them. */
	ev = malloc(sizeof *ev);
	ev2 = malloc(sizeof *ev2);
	small = malloc(FUZZ_SMALL_REASON);
	FUZZ_CHECK(ev != NULL && ev2 != NULL && small != NULL);
	memset(ev, 0xa5, sizeof *ev);
	memset(ev2, 0x5a, sizeof *ev2);
	p = event_parser_new();

	err = event_parse(p, (const char *)data, size, ev, reason,
	    sizeof reason);
	fuzz_check_reason(err, reason, sizeof reason);
	if (err == EVENT_OK) {
		fuzz_check_bytes(data, size);
		fuzz_check_event(ev);
	}

	/* Parsing it again with the same parser gives the same answer. */
	err2 = event_parse(p, (const char *)data, size, ev2, reason2,
	    sizeof reason2);
	FUZZ_CHECK(err2 == err);
	FUZZ_CHECK(strcmp(reason, reason2) == 0);
	if (err == EVENT_OK) {
		FUZZ_CHECK(ev2->type == ev->type && ev2->has == ev->has);
		FUZZ_CHECK(ev2->nqa == ev->nqa);
		FUZZ_CHECK(strcmp(ev2->queue, ev->queue) == 0);
		FUZZ_CHECK(strcmp(ev2->agent, ev->agent) == 0);
		FUZZ_CHECK(strcmp(ev2->call_id, ev->call_id) == 0);
	}

	/* A short reason buffer gets a prefix; none at all is allowed. */
	err2 = event_parse(p, (const char *)data, size, ev2, small,
	    FUZZ_SMALL_REASON);
	FUZZ_CHECK(err2 == err);
	FUZZ_CHECK(memchr(small, '\0', FUZZ_SMALL_REASON) != NULL);
	FUZZ_CHECK(strncmp(small, reason, strlen(small)) == 0);
	err2 = event_parse(p, (const char *)data, size, ev2, NULL, 0);
	FUZZ_CHECK(err2 == err);

	/* Whatever came before, the next good line parses. */
	err2 = event_parse(p, fuzz_good, sizeof fuzz_good - 1, ev2, reason2,
	    sizeof reason2);
	FUZZ_CHECK(err2 == EVENT_OK);
	FUZZ_CHECK(ev2->type == EVENT_CALL && strcmp(ev2->queue, "q1") == 0);

	event_parser_free(p);
	free(small);
	free(ev2);
	free(ev);
	return (0);
}
