/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Differential fuzzing of the event line parser: event_parse()
 * (src/event.c, hand-written) against the parser it replaced, built on
 * yajl's event API (fuzz/event_yajl.c).  Both must give the same error
 * and the same reason, byte for byte, and on success the same event:
 * type, presence bits, every kept string, every number present (bit
 * for bit, so 0 and -0 differ) and the QA criteria in order.
 *
 * One difference is meant: yajl took \v and \f for white space, which
 * JSON does not, and event_parse() refuses them as any other stray
 * byte.  The oracle therefore reads those two bytes as \x01, which it
 * refuses the same way, in a string or out of one, at the same offset
 * and in the same words.
 *
 * The input is parsed whole, then again line by line (split at '\n')
 * with the same two parsers, so that what a line leaves behind in a
 * parser cannot change the next line's answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "event_yajl.h"
#include "fuzz.h"

static void	fuzz_diff_fail(const char *, const uint8_t *, size_t,
		    enum event_error, const char *, enum event_error,
		    const char *);
static int	fuzz_diff_number(uint32_t, uint32_t, double, double);
static const char *fuzz_diff_event(const struct event *,
		    const struct event *);
static void	fuzz_diff_line(struct event_parser *,
		    struct event_yajl_parser *, const uint8_t *, size_t);

/* Say what differs and on which line, then abort like a crash. */
static void
fuzz_diff_fail(const char *what, const uint8_t *line, size_t len,
    enum event_error err, const char *reason, enum event_error yerr,
    const char *yreason)
{
	size_t	i;

	fprintf(stderr, "fuzz_event_diff: %s\nline (%zu bytes): ", what, len);
	for (i = 0; i < len; i++) {
		if (line[i] >= 0x20 && line[i] < 0x7f && line[i] != '\\')
			fputc(line[i], stderr);
		else
			fprintf(stderr, "\\x%02x", line[i]);
	}
	fprintf(stderr, "\nevent_parse:      %s: %s\n", event_error_name(err),
	    reason);
	fprintf(stderr, "event_yajl_parse: %s: %s\n", event_error_name(yerr),
	    yreason);
	abort();
}

/* A number is the same if both have it and its bits are equal. */
static int
fuzz_diff_number(uint32_t has, uint32_t bit, double a, double b)
{
	if ((has & bit) == 0)
		return (1);
	return (memcmp(&a, &b, sizeof a) == 0);
}

/* The first field two parsed events differ in, or NULL. */
static const char *
fuzz_diff_event(const struct event *a, const struct event *b)
{
	size_t	i;

	if (a->type != b->type)
		return ("type");
	if (a->has != b->has)
		return ("has");
	if (a->outcome != b->outcome)
		return ("outcome");
	if (a->state != b->state)
		return ("state");
	if (strcmp(a->call_id, b->call_id) != 0)
		return ("call_id");
	if (strcmp(a->queue, b->queue) != 0)
		return ("queue");
	if (strcmp(a->agent, b->agent) != 0)
		return ("agent");
	if (strcmp(a->team, b->team) != 0)
		return ("team");
	if (strcmp(a->customer, b->customer) != 0)
		return ("customer");
	if (strcmp(a->channel, b->channel) != 0)
		return ("channel");
	if (strcmp(a->evaluator, b->evaluator) != 0)
		return ("evaluator");
	if (strcmp(a->reason, b->reason) != 0)
		return ("reason");
	if (!fuzz_diff_number(a->has, EVENT_HAS_TS, a->ts, b->ts))
		return ("ts");
	if (!fuzz_diff_number(a->has, EVENT_HAS_WAIT, a->wait, b->wait))
		return ("wait");
	if (!fuzz_diff_number(a->has, EVENT_HAS_TALK, a->talk, b->talk))
		return ("talk");
	if (!fuzz_diff_number(a->has, EVENT_HAS_HOLD, a->hold, b->hold))
		return ("hold");
	if (!fuzz_diff_number(a->has, EVENT_HAS_WRAP, a->wrap, b->wrap))
		return ("wrap");
	if (!fuzz_diff_number(a->has, EVENT_HAS_REVENUE, a->revenue,
	    b->revenue))
		return ("revenue");
	if ((a->has & EVENT_HAS_RESOLVED) && a->resolved != b->resolved)
		return ("resolved");
	if ((a->has & EVENT_HAS_FIRST_CONTACT) &&
	    a->first_contact != b->first_contact)
		return ("first_contact");
	if ((a->has & EVENT_HAS_TRANSFERRED) &&
	    a->transferred != b->transferred)
		return ("transferred");
	if ((a->has & EVENT_HAS_CSAT) && a->csat != b->csat)
		return ("csat");
	if ((a->has & EVENT_HAS_NPS) && a->nps != b->nps)
		return ("nps");
	if ((a->has & EVENT_HAS_SCORE) && a->score != b->score)
		return ("score");
	if (a->nqa != b->nqa)
		return ("nqa");
	for (i = 0; i < a->nqa; i++) {
		if (strcmp(a->qa[i].name, b->qa[i].name) != 0)
			return ("qa name");
		if (memcmp(&a->qa[i].value, &b->qa[i].value,
		    sizeof a->qa[i].value) != 0)
			return ("qa value");
	}
	return (NULL);
}

static void
fuzz_diff_line(struct event_parser *p, struct event_yajl_parser *yp,
    const uint8_t *line, size_t len)
{
	struct event		*ev, *yev;
	char			 reason[EVENT_REASON_MAX];
	char			 yreason[EVENT_REASON_MAX];
	enum event_error	 err, yerr;
	uint8_t			*copy, *ycopy;
	const char		*what;
	size_t			 i;

	/* Separate heap objects, so ASan sees a read or write past any. */
	ev = malloc(sizeof *ev);
	yev = malloc(sizeof *yev);
	copy = malloc(len == 0 ? 1 : len);
	ycopy = malloc(len == 0 ? 1 : len);
	FUZZ_CHECK(ev != NULL && yev != NULL && copy != NULL && ycopy != NULL);
	memcpy(copy, line, len);
	for (i = 0; i < len; i++)
		ycopy[i] = line[i] == '\v' || line[i] == '\f' ? 0x01 : line[i];
	memset(ev, 0xa5, sizeof *ev);
	memset(yev, 0xa5, sizeof *yev);

	err = event_parse(p, (const char *)copy, len, ev, reason,
	    sizeof reason);
	yerr = event_yajl_parse(yp, (const char *)ycopy, len, yev, yreason,
	    sizeof yreason);
	if (err != yerr)
		fuzz_diff_fail("different errors", line, len, err, reason,
		    yerr, yreason);
	if (strcmp(reason, yreason) != 0)
		fuzz_diff_fail("different reasons", line, len, err, reason,
		    yerr, yreason);
	if (err == EVENT_OK && (what = fuzz_diff_event(ev, yev)) != NULL)
		fuzz_diff_fail(what, line, len, err, reason, yerr, yreason);

	free(ycopy);
	free(copy);
	free(yev);
	free(ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_parser		*p;
	struct event_yajl_parser	*yp;
	const uint8_t			*line, *nl, *end = data + size;

	p = event_parser_new();
	yp = event_yajl_parser_new();

	fuzz_diff_line(p, yp, data, size);
	for (line = data; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			break;
		fuzz_diff_line(p, yp, line, (size_t)(nl - line));
	}
	if (line != data && line < end)
		fuzz_diff_line(p, yp, line, (size_t)(end - line));

	event_yajl_parser_free(yp);
	event_parser_free(p);
	return (0);
}
