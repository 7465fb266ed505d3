/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for the event protocol parser (src/event.c): every field, every
 * class of bad value, required fields per type, structure, UTF-8 and
 * RFC 3339 times, with the exact reason text where it is the contract.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "event.h"

static struct event_parser	*parser;
static struct event		 ev;
static char			 reason[EVENT_REASON_MAX];

static void	 setup(void);
static void	 teardown(void);
static enum event_error parse_n(const char *, size_t);
static enum event_error parse(const char *);
static Suite	*event_suite(void);

static void
setup(void)
{
	parser = event_parser_new();
	/* Poison the event so tests see only what the parser sets. */
	memset(&ev, 0xa5, sizeof ev);
}

static void
teardown(void)
{
	event_parser_free(parser);
	parser = NULL;
}

static enum event_error
parse_n(const char *s, size_t len)
{
	return (event_parse(parser, s, len, &ev, reason, sizeof reason));
}

static enum event_error
parse(const char *s)
{
	return (parse_n(s, strlen(s)));
}

/* Parse and expect an error code and reason text. */
#define ck_reject(line, code, text) do {				\
	ck_assert_int_eq(parse(line), (code));				\
	ck_assert_str_eq(reason, (text));				\
} while (0)
#define ck_reject_code(line, code) do {					\
	ck_assert_int_eq(parse(line), (code));				\
	ck_assert(reason[0] != '\0');					\
	ck_assert(strchr(reason, '\n') == NULL);			\
} while (0)
#define ck_accept(line) do {						\
	enum event_error e_ = parse(line);				\
	ck_assert_msg(e_ == EVENT_OK, "%s: %s", line, reason);		\
	ck_assert_str_eq(reason, "");					\
} while (0)

#define CALL	"{\"type\":\"call\",\"call_id\":\"c1\",\"queue\":\"q\","

static const char *call_line =
    "{\"type\":\"call\",\"ts\":1763800000.5,\"call_id\":\"c-1001\","
    "\"queue\":\"sales\",\"agent\":\"a017\",\"team\":\"east\","
    "\"outcome\":\"answered\",\"wait\":12.5,\"talk\":245,\"hold\":30,"
    "\"wrap\":40,\"resolved\":true,\"first_contact\":true,"
    "\"customer\":\"+4930123456\",\"csat\":5,\"nps\":9}";

START_TEST(test_call_full)
{
	ck_accept(call_line);
	ck_assert_int_eq(ev.type, EVENT_CALL);
	ck_assert_uint_eq(ev.has, EVENT_HAS_TS | EVENT_HAS_WAIT |
	    EVENT_HAS_TALK | EVENT_HAS_HOLD | EVENT_HAS_WRAP |
	    EVENT_HAS_RESOLVED | EVENT_HAS_FIRST_CONTACT | EVENT_HAS_CSAT |
	    EVENT_HAS_NPS);
	ck_assert(ev.ts == 1763800000.5);
	ck_assert_str_eq(ev.call_id, "c-1001");
	ck_assert_str_eq(ev.queue, "sales");
	ck_assert_str_eq(ev.agent, "a017");
	ck_assert_str_eq(ev.team, "east");
	ck_assert_str_eq(ev.customer, "+4930123456");
	ck_assert_str_eq(ev.channel, "");
	ck_assert_str_eq(ev.evaluator, "");
	ck_assert_str_eq(ev.reason, "");
	ck_assert_int_eq(ev.outcome, EVENT_OUTCOME_ANSWERED);
	ck_assert_int_eq(ev.state, EVENT_STATE_NONE);
	ck_assert(ev.wait == 12.5);
	ck_assert(ev.talk == 245);
	ck_assert(ev.hold == 30);
	ck_assert(ev.wrap == 40);
	ck_assert_int_eq(ev.resolved, 1);
	ck_assert_int_eq(ev.first_contact, 1);
	ck_assert_int_eq(ev.csat, 5);
	ck_assert_int_eq(ev.nps, 9);
	ck_assert_uint_eq(ev.nqa, 0);

	/* The same parser again, then a minimal event: nothing leaks over. */
	ck_accept(call_line);
	ck_accept("{\"call_id\":\"c2\",\"queue\":\"support\",\"type\":\"call\"}");
	ck_assert_int_eq(ev.type, EVENT_CALL);
	ck_assert_uint_eq(ev.has, 0);
	ck_assert_str_eq(ev.call_id, "c2");
	ck_assert_str_eq(ev.queue, "support");
	ck_assert_str_eq(ev.agent, "");
	ck_assert_str_eq(ev.customer, "");
	ck_assert_int_eq(ev.outcome, EVENT_OUTCOME_NONE);
}
END_TEST

START_TEST(test_call_other_fields)
{
	ck_accept(CALL "\"channel\":\"voice\",\"transferred\":false,"
	    "\"revenue\":-12.25,\"resolved\":0,\"first_contact\":1,"
	    "\"outcome\":\"transferred\"}");
	ck_assert_str_eq(ev.channel, "voice");
	ck_assert_uint_eq(ev.has, EVENT_HAS_TRANSFERRED | EVENT_HAS_REVENUE |
	    EVENT_HAS_RESOLVED | EVENT_HAS_FIRST_CONTACT);
	ck_assert_int_eq(ev.transferred, 0);
	ck_assert_int_eq(ev.resolved, 0);
	ck_assert_int_eq(ev.first_contact, 1);
	ck_assert(ev.revenue == -12.25);
	ck_assert_int_eq(ev.outcome, EVENT_OUTCOME_TRANSFERRED);

	ck_accept(CALL "\"outcome\":\"abandoned\",\"transferred\":true}");
	ck_assert_int_eq(ev.outcome, EVENT_OUTCOME_ABANDONED);
	ck_assert_int_eq(ev.transferred, 1);
	ck_accept(CALL "\"outcome\":\"timeout\"}");
	ck_assert_int_eq(ev.outcome, EVENT_OUTCOME_TIMEOUT);

	/* Duplicate known field: the last one wins. */
	ck_accept(CALL "\"queue\":\"billing\",\"talk\":1,\"talk\":2}");
	ck_assert_str_eq(ev.queue, "billing");
	ck_assert(ev.talk == 2);
}
END_TEST

START_TEST(test_types)
{
	ck_accept("{\"type\":\"call.queued\",\"call_id\":\"c1\",\"queue\":\"q\"}");
	ck_assert_int_eq(ev.type, EVENT_CALL_QUEUED);
	ck_accept("{\"type\":\"call.answered\",\"call_id\":\"c1\","
	    "\"agent\":\"a1\"}");
	ck_assert_int_eq(ev.type, EVENT_CALL_ANSWERED);
	ck_assert_str_eq(ev.agent, "a1");
	ck_accept("{\"type\":\"call.hold\",\"call_id\":\"c1\"}");
	ck_assert_int_eq(ev.type, EVENT_CALL_HOLD);
	ck_accept("{\"type\":\"call.resume\",\"call_id\":\"c1\"}");
	ck_assert_int_eq(ev.type, EVENT_CALL_RESUME);
	ck_accept("{\"type\":\"call.ended\",\"call_id\":\"c1\"}");
	ck_assert_int_eq(ev.type, EVENT_CALL_ENDED);
	ck_accept("{\"type\":\"survey\",\"call_id\":\"c1\",\"csat\":1}");
	ck_assert_int_eq(ev.type, EVENT_SURVEY);
	ck_assert_int_eq(ev.csat, 1);
	ck_assert_uint_eq(ev.has, EVENT_HAS_CSAT);
	ck_accept("{\"type\":\"survey\",\"agent\":\"a1\",\"nps\":0}");
	ck_assert_int_eq(ev.nps, 0);
	ck_assert_uint_eq(ev.has, EVENT_HAS_NPS);
	ck_accept("{\"type\":\"agent\",\"agent\":\"a1\",\"state\":\"login\","
	    "\"team\":\"t1\"}");
	ck_assert_int_eq(ev.type, EVENT_AGENT);
	ck_assert_int_eq(ev.state, EVENT_STATE_LOGIN);
	ck_assert_str_eq(ev.team, "t1");
	ck_accept("{\"type\":\"agent\",\"agent\":\"a1\",\"state\":\"ready\"}");
	ck_assert_int_eq(ev.state, EVENT_STATE_READY);
	ck_accept("{\"type\":\"agent\",\"agent\":\"a1\","
	    "\"state\":\"not_ready\",\"reason\":\"lunch\"}");
	ck_assert_int_eq(ev.state, EVENT_STATE_NOT_READY);
	ck_assert_str_eq(ev.reason, "lunch");
	ck_accept("{\"type\":\"agent\",\"agent\":\"a1\",\"state\":\"logout\"}");
	ck_assert_int_eq(ev.state, EVENT_STATE_LOGOUT);
	ck_accept("{\"type\":\"esat\",\"agent\":\"a1\",\"score\":4}");
	ck_assert_int_eq(ev.type, EVENT_ESAT);
	ck_assert_int_eq(ev.score, 4);
	ck_assert_uint_eq(ev.has, EVENT_HAS_SCORE);
	/* "type" may come last. */
	ck_accept("{\"agent\":\"a1\",\"score\":1,\"type\":\"esat\"}");
	ck_assert_int_eq(ev.type, EVENT_ESAT);
}
END_TEST

START_TEST(test_event_type)
{
	ck_reject("{\"call_id\":\"c1\",\"queue\":\"q\"}", EVENT_ERR_EVENT_TYPE,
	    "missing field \"type\"");
	ck_reject("{\"type\":\"call.parked\",\"call_id\":\"c1\"}",
	    EVENT_ERR_EVENT_TYPE, "field \"type\": expected one of call, "
	    "call.queued, call.answered, call.hold, call.resume, call.ended, "
	    "survey, qa, agent, esat");
	ck_reject_code("{\"type\":\"CALL\"}", EVENT_ERR_EVENT_TYPE);
	ck_reject_code("{\"type\":\"\"}", EVENT_ERR_EVENT_TYPE);
	ck_reject_code("{\"type\":1}", EVENT_ERR_EVENT_TYPE);
	ck_reject_code("{\"type\":true}", EVENT_ERR_EVENT_TYPE);
	ck_reject_code("{\"type\":null}", EVENT_ERR_EVENT_TYPE);
	ck_reject_code("{\"type\":[\"call\"]}", EVENT_ERR_EVENT_TYPE);
	ck_reject_code("{\"type\":{}}", EVENT_ERR_EVENT_TYPE);
}
END_TEST

START_TEST(test_missing)
{
	ck_reject("{\"type\":\"call\",\"call_id\":\"c1\"}", EVENT_ERR_MISSING,
	    "missing field \"queue\"");
	ck_reject("{\"type\":\"call\"}", EVENT_ERR_MISSING,
	    "missing field \"call_id\"");
	ck_reject("{\"type\":\"call.queued\",\"call_id\":\"c1\"}",
	    EVENT_ERR_MISSING, "missing field \"queue\"");
	ck_reject("{\"type\":\"call.answered\",\"call_id\":\"c1\"}",
	    EVENT_ERR_MISSING, "missing field \"agent\"");
	ck_reject("{\"type\":\"call.hold\",\"agent\":\"a\"}", EVENT_ERR_MISSING,
	    "missing field \"call_id\"");
	ck_reject("{\"type\":\"call.resume\"}", EVENT_ERR_MISSING,
	    "missing field \"call_id\"");
	ck_reject("{\"type\":\"call.ended\"}", EVENT_ERR_MISSING,
	    "missing field \"call_id\"");
	ck_reject("{\"type\":\"survey\",\"csat\":3}", EVENT_ERR_MISSING,
	    "missing field \"call_id\" or \"agent\"");
	ck_reject("{\"type\":\"survey\",\"call_id\":\"c1\"}", EVENT_ERR_MISSING,
	    "missing field \"csat\" or \"nps\"");
	ck_reject("{\"type\":\"qa\",\"scores\":{\"a\":1}}", EVENT_ERR_MISSING,
	    "missing field \"agent\"");
	ck_reject("{\"type\":\"qa\",\"agent\":\"a\"}", EVENT_ERR_MISSING,
	    "missing field \"scores\"");
	ck_reject("{\"type\":\"qa\",\"agent\":\"a\",\"scores\":{}}",
	    EVENT_ERR_MISSING, "field \"scores\": expected at least one "
	    "criterion");
	ck_reject("{\"type\":\"agent\",\"agent\":\"a\"}", EVENT_ERR_MISSING,
	    "missing field \"state\"");
	ck_reject("{\"type\":\"agent\",\"state\":\"ready\"}", EVENT_ERR_MISSING,
	    "missing field \"agent\"");
	ck_reject("{\"type\":\"esat\",\"agent\":\"a\"}", EVENT_ERR_MISSING,
	    "missing field \"score\"");
	ck_reject("{\"type\":\"esat\",\"score\":3}", EVENT_ERR_MISSING,
	    "missing field \"agent\"");
}
END_TEST

START_TEST(test_identifiers)
{
	static const char *names[] = { "call_id", "queue", "agent", "team",
	    "customer", "channel", "evaluator", "reason" };
	char	line[512], id[EVENT_ID_MAX + 2], want[128];
	size_t	i;

	memset(id, 'x', sizeof id);
	id[EVENT_ID_MAX] = '\0';		/* 64: the longest allowed */
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(line, sizeof line, CALL "\"%s\":\"A-z.0_9:@+%s\"}",
		    names[i], id + 11);
		ck_accept(line);
		snprintf(want, sizeof want, "field \"%s\": expected an "
		    "identifier of 1-64 characters [A-Za-z0-9._:@+-]",
		    names[i]);

		snprintf(line, sizeof line, CALL "\"%s\":\"\"}", names[i]);
		ck_reject(line, EVENT_ERR_ID, want);
		id[EVENT_ID_MAX] = 'x';		/* 65 */
		id[EVENT_ID_MAX + 1] = '\0';
		snprintf(line, sizeof line, CALL "\"%s\":\"%s\"}", names[i], id);
		ck_reject(line, EVENT_ERR_ID, want);
		id[EVENT_ID_MAX] = '\0';
		snprintf(line, sizeof line, CALL "\"%s\":\"a b\"}", names[i]);
		ck_reject(line, EVENT_ERR_ID, want);
		snprintf(line, sizeof line, CALL "\"%s\":\"a/b\"}", names[i]);
		ck_reject(line, EVENT_ERR_ID, want);
		snprintf(line, sizeof line, CALL "\"%s\":\"caf\xc3\xa9\"}",
		    names[i]);
		ck_reject(line, EVENT_ERR_ID, want);
		snprintf(line, sizeof line, CALL "\"%s\":\"a\\u0000b\"}",
		    names[i]);
		ck_reject(line, EVENT_ERR_ID, want);
		snprintf(line, sizeof line, CALL "\"%s\":1001}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":null}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":true}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":[]}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":{\"a\":1}}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
	}
	ck_accept(CALL "\"agent\":\"A-z.0_9:@+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxx\"}");
	ck_assert_uint_eq(strlen(ev.agent), 64);
	/* JSON escapes are decoded before the check. */
	ck_accept("{\"type\":\"call\",\"call_id\":\"c1\","
	    "\"queue\":\"sa\\u006ces\"}");
	ck_assert_str_eq(ev.queue, "sales");
}
END_TEST

START_TEST(test_seconds)
{
	static const char *names[] = { "wait", "talk", "hold", "wrap" };
	static const uint32_t bits[] = { EVENT_HAS_WAIT, EVENT_HAS_TALK,
	    EVENT_HAS_HOLD, EVENT_HAS_WRAP };
	char	line[256], want[128];
	size_t	i;

	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof line, CALL "\"%s\":604800}", names[i]);
		ck_accept(line);
		ck_assert_uint_eq(ev.has, bits[i]);
		snprintf(line, sizeof line, CALL "\"%s\":0}", names[i]);
		ck_accept(line);
		snprintf(line, sizeof line, CALL "\"%s\":0.25}", names[i]);
		ck_accept(line);

		snprintf(want, sizeof want, "field \"%s\": expected a "
		    "non-negative number", names[i]);
		snprintf(line, sizeof line, CALL "\"%s\":\"x\"}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":\"12\"}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":true}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":null}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":[1]}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":-1}", names[i]);
		ck_reject(line, EVENT_ERR_RANGE, want);
		snprintf(line, sizeof line, CALL "\"%s\":-0.001}", names[i]);
		ck_reject(line, EVENT_ERR_RANGE, want);
		snprintf(line, sizeof line, CALL "\"%s\":1e400}", names[i]);
		ck_reject(line, EVENT_ERR_RANGE, want);
		snprintf(want, sizeof want, "field \"%s\": expected at most "
		    "604800 seconds", names[i]);
		snprintf(line, sizeof line, CALL "\"%s\":604800.5}", names[i]);
		ck_reject(line, EVENT_ERR_RANGE, want);
	}

	/* The examples from the protocol documentation, verbatim. */
	ck_reject(CALL "\"hold\":\"x\"}", EVENT_ERR_TYPE,
	    "field \"hold\": expected a non-negative number");
	ck_reject(CALL "\"hold\":-5}", EVENT_ERR_RANGE,
	    "field \"hold\": expected a non-negative number");

	/* Exact conversions, fast path and strtod alike. */
	ck_accept(CALL "\"wait\":0.1,\"talk\":1e2,\"hold\":1.5E-3,"
	    "\"wrap\":12345.678901234567}");
	ck_assert(ev.wait == 0.1);
	ck_assert(ev.talk == 100);
	ck_assert(ev.hold == 0.0015);
	ck_assert(ev.wrap == 12345.678901234567);
	ck_accept(CALL "\"wait\":-0,\"talk\":0e5,\"hold\":7e-30}");
	ck_assert(ev.wait == 0);
	ck_assert(ev.hold == 7e-30);
}
END_TEST

START_TEST(test_revenue)
{
	ck_accept(CALL "\"revenue\":199.99}");
	ck_assert(ev.revenue == 199.99);
	ck_assert_uint_eq(ev.has, EVENT_HAS_REVENUE);
	ck_accept(CALL "\"revenue\":-1e6}");
	ck_assert(ev.revenue == -1e6);
	ck_accept(CALL "\"revenue\":123456789012345678901234567890}");
	ck_assert(ev.revenue == 123456789012345678901234567890.0);
	ck_reject(CALL "\"revenue\":\"10\"}", EVENT_ERR_TYPE,
	    "field \"revenue\": expected a finite number");
	ck_reject(CALL "\"revenue\":-1e999}", EVENT_ERR_RANGE,
	    "field \"revenue\": expected a finite number");
}
END_TEST

START_TEST(test_booleans)
{
	static const char *names[] = { "resolved", "first_contact",
	    "transferred" };
	char	line[256], want[128];
	size_t	i;

	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof want, "field \"%s\": expected a boolean",
		    names[i]);
		snprintf(line, sizeof line, CALL "\"%s\":2}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":0.5}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":\"true\"}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":null}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
		snprintf(line, sizeof line, CALL "\"%s\":{}}", names[i]);
		ck_reject(line, EVENT_ERR_TYPE, want);
	}
	ck_accept(CALL "\"resolved\":false,\"first_contact\":1,"
	    "\"transferred\":true}");
	ck_assert_int_eq(ev.resolved, 0);
	ck_assert_int_eq(ev.first_contact, 1);
	ck_assert_int_eq(ev.transferred, 1);
	ck_accept(CALL "\"resolved\":1.0,\"first_contact\":0,"
	    "\"transferred\":false}");
	ck_assert_int_eq(ev.resolved, 1);
	ck_assert_int_eq(ev.first_contact, 0);
	ck_assert_int_eq(ev.transferred, 0);
}
END_TEST

START_TEST(test_integers)
{
	ck_accept(CALL "\"csat\":1,\"nps\":10}");
	ck_assert_int_eq(ev.csat, 1);
	ck_assert_int_eq(ev.nps, 10);
	ck_accept(CALL "\"csat\":5.0,\"nps\":0}");
	ck_assert_int_eq(ev.csat, 5);
	ck_assert_int_eq(ev.nps, 0);
	ck_accept(CALL "\"csat\":3e0,\"nps\":-0}");
	ck_assert_int_eq(ev.csat, 3);
	ck_assert_int_eq(ev.nps, 0);

	ck_reject(CALL "\"csat\":4.5}", EVENT_ERR_RANGE,
	    "field \"csat\": expected an integer from 1 to 5");
	ck_reject(CALL "\"csat\":0}", EVENT_ERR_RANGE,
	    "field \"csat\": expected an integer from 1 to 5");
	ck_reject(CALL "\"csat\":6}", EVENT_ERR_RANGE,
	    "field \"csat\": expected an integer from 1 to 5");
	ck_reject(CALL "\"csat\":\"5\"}", EVENT_ERR_TYPE,
	    "field \"csat\": expected an integer from 1 to 5");
	ck_reject(CALL "\"csat\":true}", EVENT_ERR_TYPE,
	    "field \"csat\": expected an integer from 1 to 5");
	ck_reject(CALL "\"nps\":11}", EVENT_ERR_RANGE,
	    "field \"nps\": expected an integer from 0 to 10");
	ck_reject(CALL "\"nps\":-1}", EVENT_ERR_RANGE,
	    "field \"nps\": expected an integer from 0 to 10");
	ck_reject(CALL "\"nps\":9.99}", EVENT_ERR_RANGE,
	    "field \"nps\": expected an integer from 0 to 10");
	ck_reject(CALL "\"nps\":null}", EVENT_ERR_TYPE,
	    "field \"nps\": expected an integer from 0 to 10");
	ck_reject(CALL "\"nps\":1e999}", EVENT_ERR_RANGE,
	    "field \"nps\": expected an integer from 0 to 10");

	ck_accept("{\"type\":\"esat\",\"agent\":\"a\",\"score\":5}");
	ck_assert_int_eq(ev.score, 5);
	ck_reject("{\"type\":\"esat\",\"agent\":\"a\",\"score\":4.5}",
	    EVENT_ERR_RANGE, "field \"score\": expected an integer from 1 to 5");
	ck_reject("{\"type\":\"esat\",\"agent\":\"a\",\"score\":0}",
	    EVENT_ERR_RANGE, "field \"score\": expected an integer from 1 to 5");
	ck_reject("{\"type\":\"esat\",\"agent\":\"a\",\"score\":\"4\"}",
	    EVENT_ERR_TYPE, "field \"score\": expected an integer from 1 to 5");
}
END_TEST

START_TEST(test_enums)
{
	ck_reject(CALL "\"outcome\":\"dropped\"}", EVENT_ERR_RANGE,
	    "field \"outcome\": expected one of answered, abandoned, timeout, "
	    "transferred");
	ck_reject(CALL "\"outcome\":\"Answered\"}", EVENT_ERR_RANGE,
	    "field \"outcome\": expected one of answered, abandoned, timeout, "
	    "transferred");
	ck_reject(CALL "\"outcome\":1}", EVENT_ERR_TYPE,
	    "field \"outcome\": expected one of answered, abandoned, timeout, "
	    "transferred");
	ck_reject("{\"type\":\"agent\",\"agent\":\"a\",\"state\":\"busy\"}",
	    EVENT_ERR_RANGE, "field \"state\": expected one of login, ready, "
	    "not_ready, logout");
	ck_reject("{\"type\":\"agent\",\"agent\":\"a\",\"state\":false}",
	    EVENT_ERR_TYPE, "field \"state\": expected one of login, ready, "
	    "not_ready, logout");
}
END_TEST

START_TEST(test_ts)
{
	ck_accept(CALL "\"ts\":1763800000}");
	ck_assert_uint_eq(ev.has, EVENT_HAS_TS);
	ck_assert(ev.ts == 1763800000);
	ck_accept(CALL "\"ts\":\"2026-11-22T10:00:00.250+01:00\"}");
	ck_assert(ev.ts == 1795338000.25);
	ck_assert_uint_eq(ev.has, EVENT_HAS_TS);

	ck_reject(CALL "\"ts\":0}", EVENT_ERR_TS,
	    "field \"ts\": expected epoch seconds or an RFC 3339 time");
	ck_reject(CALL "\"ts\":-5}", EVENT_ERR_TS,
	    "field \"ts\": expected epoch seconds or an RFC 3339 time");
	ck_reject(CALL "\"ts\":1e999}", EVENT_ERR_TS,
	    "field \"ts\": expected epoch seconds or an RFC 3339 time");
	ck_reject(CALL "\"ts\":\"yesterday\"}", EVENT_ERR_TS,
	    "field \"ts\": expected epoch seconds or an RFC 3339 time");
	ck_reject(CALL "\"ts\":\"2026-02-30T10:00:00Z\"}", EVENT_ERR_TS,
	    "field \"ts\": expected epoch seconds or an RFC 3339 time");
	ck_reject(CALL "\"ts\":\"1969-12-31T23:59:59Z\"}", EVENT_ERR_TS,
	    "field \"ts\": expected epoch seconds or an RFC 3339 time");
	ck_reject_code(CALL "\"ts\":true}", EVENT_ERR_TS);
	ck_reject_code(CALL "\"ts\":null}", EVENT_ERR_TS);
	ck_reject_code(CALL "\"ts\":[1]}", EVENT_ERR_TS);
}
END_TEST

/* event_parse_time on a NUL-terminated literal; -2 marks a reject. */
static double
tparse(const char *s)
{
	double	t;

	if (event_parse_time(s, strlen(s), &t) != 0)
		return (-2);
	return (t);
}

START_TEST(test_parse_time)
{
	ck_assert(tparse("2026-11-22T10:00:00Z") == 1795341600);
	ck_assert(tparse("2026-11-22t10:00:00z") == 1795341600);
	ck_assert(tparse("2026-11-22 10:00:00Z") == 1795341600);
	ck_assert(tparse("2026-11-22T10:00:00.250+01:00") == 1795338000.25);
	ck_assert(tparse("2026-11-22T10:00:00-01:30") == 1795347000);
	ck_assert(tparse("2026-11-22T10:00:00+00:00") == 1795341600);
	ck_assert(tparse("2026-11-22T10:00:00.5Z") == 1795341600.5);
	ck_assert(tparse("2026-11-22T10:00:00.123456789012345678Z") ==
	    1795341600 + 0.123456789012345);
	ck_assert(tparse("1970-01-01T00:00:00Z") == 0);
	ck_assert(tparse("1969-12-31T23:59:59Z") == -1);
	ck_assert(tparse("2024-02-29T23:59:59Z") == 1709251199);
	ck_assert(tparse("2000-02-29T12:00:00Z") == 951825600);
	ck_assert(tparse("2025-12-31T23:59:59Z") == 1767225599);
	/* A leap second is the next second, as in POSIX time. */
	ck_assert(tparse("2025-12-31T23:59:60Z") == 1767225600);

	ck_assert(tparse("2026-02-29T10:00:00Z") == -2);
	ck_assert(tparse("2100-02-29T10:00:00Z") == -2);
	ck_assert(tparse("2026-04-31T10:00:00Z") == -2);
	ck_assert(tparse("2026-13-01T10:00:00Z") == -2);
	ck_assert(tparse("2026-00-01T10:00:00Z") == -2);
	ck_assert(tparse("2026-01-00T10:00:00Z") == -2);
	ck_assert(tparse("2026-01-01T24:00:00Z") == -2);
	ck_assert(tparse("2026-01-01T10:60:00Z") == -2);
	ck_assert(tparse("2026-01-01T10:00:61Z") == -2);
	ck_assert(tparse("2026-01-01T10:00:00") == -2);
	ck_assert(tparse("2026-01-01T10:00:00.Z") == -2);
	ck_assert(tparse("2026-01-01T10:00:00+01") == -2);
	ck_assert(tparse("2026-01-01T10:00:00+0100") == -2);
	ck_assert(tparse("2026-01-01T10:00:00+24:00") == -2);
	ck_assert(tparse("2026-01-01T10:00:00+01:60") == -2);
	ck_assert(tparse("2026-01-01T10:00:00ZZ") == -2);
	ck_assert(tparse("2026-01-01T10:00:00Z ") == -2);
	ck_assert(tparse("2026-01-01X10:00:00Z") == -2);
	ck_assert(tparse("2026/01/01T10:00:00Z") == -2);
	ck_assert(tparse("2026-1-01T10:00:00Z") == -2);
	ck_assert(tparse("+026-01-01T10:00:00Z") == -2);
	ck_assert(tparse("2026-01-01T10:00:0aZ") == -2);
	ck_assert(tparse("") == -2);
	ck_assert(tparse("2026-01-01") == -2);

	/* The length bounds the parse, not a NUL. */
	{
		double	t;

		ck_assert_int_eq(event_parse_time("2026-11-22T10:00:00Z99", 20,
		    &t), 0);
		ck_assert(t == 1795341600);
		ck_assert_int_eq(event_parse_time("2026-11-22T10:00:00Z", 19,
		    &t), -1);
	}
}
END_TEST

START_TEST(test_qa)
{
	char	line[1024], name[16];
	size_t	n, i;

	ck_accept("{\"type\":\"qa\",\"agent\":\"a1\",\"evaluator\":\"sup-3\","
	    "\"call_id\":\"c9\",\"scores\":{\"greeting\":5,\"listening\":3.5,"
	    "\"knowledge\":0,\"res-olution.v2\":4}}");
	ck_assert_int_eq(ev.type, EVENT_QA);
	ck_assert_str_eq(ev.evaluator, "sup-3");
	ck_assert_str_eq(ev.call_id, "c9");
	ck_assert_uint_eq(ev.nqa, 4);
	ck_assert_str_eq(ev.qa[0].name, "greeting");
	ck_assert(ev.qa[0].value == 5);
	ck_assert_str_eq(ev.qa[1].name, "listening");
	ck_assert(ev.qa[1].value == 3.5);
	ck_assert_str_eq(ev.qa[2].name, "knowledge");
	ck_assert(ev.qa[2].value == 0);
	ck_assert_str_eq(ev.qa[3].name, "res-olution.v2");
	ck_assert(ev.qa[3].value == 4);

	/* A repeated criterion keeps its slot; a repeated "scores" resets. */
	ck_accept("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{\"a\":1,"
	    "\"b\":2,\"a\":3}}");
	ck_assert_uint_eq(ev.nqa, 2);
	ck_assert(ev.qa[0].value == 3);
	ck_accept("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{\"a\":1},"
	    "\"scores\":{\"z\":2}}");
	ck_assert_uint_eq(ev.nqa, 1);
	ck_assert_str_eq(ev.qa[0].name, "z");

	/* 32-byte names are the longest. */
	ck_accept("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{"
	    "\"abcdefghijklmnopqrstuvwxyz012345\":1}}");
	ck_assert_uint_eq(strlen(ev.qa[0].name), 32);
	ck_reject("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{"
	    "\"abcdefghijklmnopqrstuvwxyz0123456\":1}}", EVENT_ERR_ID,
	    "field \"scores\": expected criterion names of 1-32 characters "
	    "[A-Za-z0-9_.-]");
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{"
	    "\"\":1}}", EVENT_ERR_ID);
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{"
	    "\"a:b\":1}}", EVENT_ERR_ID);

	ck_reject("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{\"tone\":5.5}}",
	    EVENT_ERR_RANGE, "field \"scores.tone\": expected a number from 0 "
	    "to 5");
	ck_reject("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{\"tone\":-1}}",
	    EVENT_ERR_RANGE, "field \"scores.tone\": expected a number from 0 "
	    "to 5");
	ck_reject("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{\"tone\":\"5\"}}",
	    EVENT_ERR_TYPE, "field \"scores.tone\": expected a number from 0 "
	    "to 5");
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{"
	    "\"tone\":null}}", EVENT_ERR_TYPE);
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{"
	    "\"tone\":true}}", EVENT_ERR_TYPE);
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{"
	    "\"tone\":[1]}}", EVENT_ERR_TYPE);
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":{"
	    "\"tone\":{\"x\":1}}}", EVENT_ERR_TYPE);
	ck_reject("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":[1,2]}",
	    EVENT_ERR_TYPE, "field \"scores\": expected an object of criteria "
	    "to numbers from 0 to 5");
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a1\",\"scores\":5}",
	    EVENT_ERR_TYPE);

	/* EVENT_QA_MAX criteria fit; one more does not. */
	for (i = 0; i <= EVENT_QA_MAX; i++) {
		n = (size_t)snprintf(line, sizeof line, "{\"type\":\"qa\","
		    "\"agent\":\"a1\",\"scores\":{");
		for (size_t j = 0; j < i + 1 && j < EVENT_QA_MAX + 1; j++)
			n += (size_t)snprintf(line + n, sizeof line - n,
			    "%s\"c%zu\":%zu", j ? "," : "", j, j % 6);
		snprintf(line + n, sizeof line - n, "}}");
		if (i + 1 <= EVENT_QA_MAX) {
			ck_accept(line);
			ck_assert_uint_eq(ev.nqa, i + 1);
			snprintf(name, sizeof name, "c%zu", i);
			ck_assert_str_eq(ev.qa[i].name, name);
			ck_assert(ev.qa[i].value == (double)(i % 6));
		} else
			ck_reject(line, EVENT_ERR_RANGE, "field \"scores\": "
			    "more than 16 criteria");
	}
}
END_TEST

START_TEST(test_unknown_fields)
{
	ck_accept("{\"x\":null,\"type\":\"call\",\"y\":[1,{\"a\":\"b\"},[]],"
	    "\"z\":1e999,\"w\":123456789012345678901234567890,"
	    "\"v\":{\"queue\":5,\"type\":7},\"u\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\","
	    "\"call_id\":\"c1\",\"t\":true,\"queue\":\"q\",\"Queue\":1,"
	    "\"QUEUE\":[],\"queue \":2,\"\":3}");
	ck_assert_str_eq(ev.queue, "q");
	ck_assert_int_eq(ev.type, EVENT_CALL);
	ck_assert_uint_eq(ev.has, 0);
	/* Known names nested in an unknown object are not fields. */
	ck_accept("{\"type\":\"call\",\"call_id\":\"c1\",\"queue\":\"q\","
	    "\"extra\":{\"hold\":\"x\",\"scores\":{\"a\":99}}}");
	ck_assert_uint_eq(ev.has, 0);
	ck_assert_uint_eq(ev.nqa, 0);
}
END_TEST

START_TEST(test_depth)
{
	/* Four levels in all are allowed. */
	ck_accept(CALL "\"x\":{\"a\":{\"b\":{\"c\":1}}}}");
	ck_accept(CALL "\"x\":[[[1]]]}");
	ck_reject(CALL "\"x\":{\"a\":{\"b\":{\"c\":{}}}}}", EVENT_ERR_DEPTH,
	    "nested deeper than 4 levels");
	ck_reject(CALL "\"x\":[[[[]]]]}", EVENT_ERR_DEPTH,
	    "nested deeper than 4 levels");
	/* Deep nesting, even unterminated, stops at the limit. */
	ck_reject("{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	    EVENT_ERR_DEPTH, "nested deeper than 4 levels");
	/* A depth error wins over an earlier field error. */
	ck_reject("{\"type\":\"nope\",\"x\":[[[[1]]]]}", EVENT_ERR_DEPTH,
	    "nested deeper than 4 levels");
	ck_accept(call_line);
}
END_TEST

START_TEST(test_structure)
{
	ck_reject("[]", EVENT_ERR_SYNTAX, "invalid JSON: expected an object");
	ck_reject("[{\"type\":\"call\"}]", EVENT_ERR_SYNTAX,
	    "invalid JSON: expected an object");
	ck_reject("42", EVENT_ERR_SYNTAX, "invalid JSON: expected an object");
	ck_reject("\"call\"", EVENT_ERR_SYNTAX,
	    "invalid JSON: expected an object");
	ck_reject("null", EVENT_ERR_SYNTAX, "invalid JSON: expected an object");
	ck_reject("true", EVENT_ERR_SYNTAX, "invalid JSON: expected an object");
	ck_reject("", EVENT_ERR_SYNTAX, "invalid JSON: expected an object");
	ck_reject("   ", EVENT_ERR_SYNTAX, "invalid JSON: expected an object");
	ck_reject("{}{}", EVENT_ERR_SYNTAX,
	    "invalid JSON: more than one value on the line");
	ck_reject(CALL "\"a\":1} {\"b\":2}", EVENT_ERR_SYNTAX,
	    "invalid JSON: more than one value on the line");
	ck_reject("{} 5", EVENT_ERR_SYNTAX,
	    "invalid JSON: more than one value on the line");
	ck_reject("{} []", EVENT_ERR_SYNTAX,
	    "invalid JSON: more than one value on the line");
	ck_reject_code("{} x", EVENT_ERR_SYNTAX);
	ck_reject_code("{},", EVENT_ERR_SYNTAX);
	ck_reject_code("{}}", EVENT_ERR_SYNTAX);
	/* yajl keeps a partial token buffered here; it must not leak. */
	ck_reject("{} \"x", EVENT_ERR_SYNTAX,
	    "invalid JSON at byte 2: trailing data after the object");
	ck_accept(call_line);
	ck_reject_code("\"abc", EVENT_ERR_SYNTAX);
	ck_accept(call_line);
	ck_reject_code("{} tru", EVENT_ERR_SYNTAX);
	ck_accept(call_line);
	ck_reject_code("{} 12", EVENT_ERR_SYNTAX);
	ck_accept(call_line);

	/* Truncated lines. */
	ck_reject("{\"type\":\"call\",\"call_id\":\"c", EVENT_ERR_SYNTAX,
	    "invalid JSON near byte 27: premature EOF");
	ck_reject_code("{\"type\":\"call\",", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"type\":\"call\"", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"type\":", EVENT_ERR_SYNTAX);
	ck_reject_code("{", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":12", EVENT_ERR_SYNTAX);
	/* A syntax error wins over an earlier field error. */
	ck_reject_code("{\"type\":\"call\",\"hold\":-1,\"call_id\":\"c",
	    EVENT_ERR_SYNTAX);
	ck_reject_code("{\"type\":\"call\",\"hold\":-1}x", EVENT_ERR_SYNTAX);

	/* Not JSON. */
	ck_reject_code("{type:\"call\"}", EVENT_ERR_SYNTAX);
	ck_reject_code("{'type':'call'}", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"type\":\"call\",}", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"a\":01}", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"a\":1.}", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"a\":NaN}", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"a\":\"\\x\"}", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"a\":\"tab\there\"}", EVENT_ERR_SYNTAX);
	ck_reject_code("{\"a\":1 /* c */}", EVENT_ERR_SYNTAX);
	ck_reject_code("\xef\xbb\xbf{}", EVENT_ERR_SYNTAX);

	/* White space around the object, a CR from CRLF included, is fine. */
	ck_accept(" \t{\"type\":\"call.ended\",\"call_id\":\"c1\"} \t\r");
	ck_accept("{\"type\":\"call.ended\",\"call_id\":\"c1\"}\r");
	ck_assert_int_eq(ev.type, EVENT_CALL_ENDED);
	ck_accept("{\n\"type\" : \"call.ended\" ,\r\n\"call_id\":\"c1\"\n}");
}
END_TEST

START_TEST(test_length_bound)
{
	static const char buf[] =
	    "{\"type\":\"call.ended\",\"call_id\":\"c1\"}GARBAGE";
	size_t	n = strlen(buf) - strlen("GARBAGE");

	ck_assert_int_eq(parse_n(buf, n), EVENT_OK);
	ck_assert_str_eq(ev.call_id, "c1");
	ck_assert_int_eq(parse_n(buf, n + 1), EVENT_ERR_SYNTAX);
	ck_assert_int_eq(parse_n(buf, n - 1), EVENT_ERR_SYNTAX);
	ck_assert_int_eq(parse_n(buf, n), EVENT_OK);
	/* A number ending the buffer is not read past. */
	ck_assert_int_eq(parse_n("{\"type\":\"call.ended\",\"call_id\":\"c1\","
	    "\"talk\":12345", 44), EVENT_ERR_SYNTAX);
}
END_TEST

START_TEST(test_utf8)
{
	/* Valid multibyte text in ignored fields and in the reason. */
	ck_accept(CALL "\"note\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
	    "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"}");

	ck_reject(CALL "\"note\":\"\xc0\xaf\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 50");			/* overlong '/' */
	ck_reject_code(CALL "\"note\":\"\xe0\x80\xaf\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\xf0\x80\x80\xaf\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\xc1\xbf\"}", EVENT_ERR_UTF8);
	ck_reject(CALL "\"note\":\"\xed\xa0\x80\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 50");			/* surrogate */
	ck_reject_code(CALL "\"note\":\"\xed\xbf\xbf\"}", EVENT_ERR_UTF8);
	ck_reject(CALL "\"note\":\"ab\xe2\x82\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 52");			/* truncated */
	ck_reject_code(CALL "\"note\":\"\xe2\x82", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\xf0\x9f\x98\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\x80\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\xbf\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\xf4\x90\x80\x80\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\xf5\x80\x80\x80\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\xff\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"note\":\"\xfe\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"queue\":\"caf\xe9\"}", EVENT_ERR_UTF8);
	/* In a key, and outside strings, it is still a UTF-8 error. */
	ck_reject_code(CALL "\"n\xc3\":1}", EVENT_ERR_UTF8);
	ck_reject("\xc3{}", EVENT_ERR_UTF8, "invalid UTF-8 at byte 0");
	/* Valid UTF-8 outside a string is a syntax error. */
	ck_reject_code("{}\xc3\xa9", EVENT_ERR_SYNTAX);
	/* The fast eight-byte path and the tail agree. */
	ck_reject("{\"a\":\"1234567\x80\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 13");
	ck_accept(call_line);
}
END_TEST

START_TEST(test_nul)
{
	static const char in_string[] =
	    "{\"type\":\"call.ended\",\"call_id\":\"c1\",\"n\":\"a\0b\"}";
	static const char outside[] =
	    "{\"type\":\"call.ended\",\0\"call_id\":\"c1\"}";
	static const char after[] =
	    "{\"type\":\"call.ended\",\"call_id\":\"c1\"}\0";
	static const char in_id[] =
	    "{\"type\":\"call.ended\",\"call_id\":\"c\0\"}";

	ck_assert_int_eq(parse_n(in_string, sizeof in_string - 1),
	    EVENT_ERR_SYNTAX);
	ck_assert(strstr(reason, "invalid JSON near byte") == reason);
	ck_assert_int_eq(parse_n(outside, sizeof outside - 1),
	    EVENT_ERR_SYNTAX);
	ck_assert_int_eq(parse_n(after, sizeof after - 1), EVENT_ERR_SYNTAX);
	ck_assert_int_eq(parse_n(in_id, sizeof in_id - 1), EVENT_ERR_SYNTAX);
	ck_assert_int_eq(parse_n("\0", 1), EVENT_ERR_SYNTAX);
	ck_assert(strchr(reason, '\n') == NULL);
	ck_accept(call_line);
}
END_TEST

START_TEST(test_first_error)
{
	/* The first problem in the line is the one reported. */
	ck_reject(CALL "\"hold\":\"x\",\"wait\":-1}", EVENT_ERR_TYPE,
	    "field \"hold\": expected a non-negative number");
	ck_reject("{\"wait\":-1,\"type\":\"bogus\"}", EVENT_ERR_RANGE,
	    "field \"wait\": expected a non-negative number");
	/* Field errors come before missing fields. */
	ck_reject("{\"type\":\"call\",\"csat\":9}", EVENT_ERR_RANGE,
	    "field \"csat\": expected an integer from 1 to 5");
	/* Known fields are checked whatever the type. */
	ck_reject("{\"type\":\"call.ended\",\"call_id\":\"c1\",\"state\":\"x\"}",
	    EVENT_ERR_RANGE, "field \"state\": expected one of login, ready, "
	    "not_ready, logout");
}
END_TEST

START_TEST(test_long_number)
{
	char	line[1024];
	int	n;

	/* Past 511 bytes a number is not converted: a range error. */
	n = snprintf(line, sizeof line, CALL "\"talk\":1.");
	memset(line + n, '0', 600);
	snprintf(line + n + 600, sizeof line - n - 600, "}");
	ck_reject(line, EVENT_ERR_RANGE,
	    "field \"talk\": expected a non-negative number");
	/* For a string field it is still the wrong type. */
	n = snprintf(line, sizeof line, CALL "\"agent\":1");
	memset(line + n, '0', 600);
	snprintf(line + n + 600, sizeof line - n - 600, "}");
	ck_reject_code(line, EVENT_ERR_TYPE);
	/* Unknown fields are not converted at all. */
	n = snprintf(line, sizeof line, CALL "\"x\":1");
	memset(line + n, '0', 600);
	snprintf(line + n + 600, sizeof line - n - 600, "}");
	ck_accept(line);
}
END_TEST

START_TEST(test_reason_buffer)
{
	char	small[8];

	ck_assert_int_eq(event_parse(parser, "[]", 2, &ev, small, sizeof small),
	    EVENT_ERR_SYNTAX);
	ck_assert_str_eq(small, "invalid");
	ck_assert_int_eq(event_parse(parser, "[]", 2, &ev, NULL, 0),
	    EVENT_ERR_SYNTAX);
	ck_assert_int_eq(event_parse(parser, call_line, strlen(call_line), &ev,
	    NULL, 0), EVENT_OK);
	snprintf(small, sizeof small, "junk");
	ck_assert_int_eq(event_parse(parser, call_line, strlen(call_line), &ev,
	    small, sizeof small), EVENT_OK);
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(event_type_name(EVENT_NONE), "none");
	ck_assert_str_eq(event_type_name(EVENT_CALL), "call");
	ck_assert_str_eq(event_type_name(EVENT_CALL_QUEUED), "call.queued");
	ck_assert_str_eq(event_type_name(EVENT_CALL_ANSWERED), "call.answered");
	ck_assert_str_eq(event_type_name(EVENT_CALL_HOLD), "call.hold");
	ck_assert_str_eq(event_type_name(EVENT_CALL_RESUME), "call.resume");
	ck_assert_str_eq(event_type_name(EVENT_CALL_ENDED), "call.ended");
	ck_assert_str_eq(event_type_name(EVENT_SURVEY), "survey");
	ck_assert_str_eq(event_type_name(EVENT_QA), "qa");
	ck_assert_str_eq(event_type_name(EVENT_AGENT), "agent");
	ck_assert_str_eq(event_type_name(EVENT_ESAT), "esat");
	ck_assert_str_eq(event_type_name(EVENT_TYPE_COUNT), "unknown");

	ck_assert_str_eq(event_error_name(EVENT_OK), "ok");
	ck_assert_str_eq(event_error_name(EVENT_ERR_SYNTAX), "syntax");
	ck_assert_str_eq(event_error_name(EVENT_ERR_UTF8), "utf8");
	ck_assert_str_eq(event_error_name(EVENT_ERR_DEPTH), "depth");
	ck_assert_str_eq(event_error_name(EVENT_ERR_TYPE), "type");
	ck_assert_str_eq(event_error_name(EVENT_ERR_RANGE), "range");
	ck_assert_str_eq(event_error_name(EVENT_ERR_MISSING), "missing");
	ck_assert_str_eq(event_error_name(EVENT_ERR_EVENT_TYPE), "event_type");
	ck_assert_str_eq(event_error_name(EVENT_ERR_ID), "id");
	ck_assert_str_eq(event_error_name(EVENT_ERR_TS), "ts");
	ck_assert_str_eq(event_error_name(EVENT_ERR_TOO_LONG), "too_long");
	ck_assert_str_eq(event_error_name(EVENT_ERR_TS_PAST), "ts_past");
	ck_assert_str_eq(event_error_name(EVENT_ERR_TS_FUTURE), "ts_future");
	ck_assert_str_eq(event_error_name(EVENT_ERR_CARDINALITY),
	    "cardinality");
	ck_assert_str_eq(event_error_name(EVENT_ERR_COUNT), "unknown");
}
END_TEST

/* The corpus in tests/fixtures/events parses, one valid line a file. */
START_TEST(test_fixtures)
{
	static const struct {
		const char	*file;
		enum event_type	 type;
	} files[] = {
		{ "call.json", EVENT_CALL },
		{ "call.queued.json", EVENT_CALL_QUEUED },
		{ "call.answered.json", EVENT_CALL_ANSWERED },
		{ "call.hold.json", EVENT_CALL_HOLD },
		{ "call.resume.json", EVENT_CALL_RESUME },
		{ "call.ended.json", EVENT_CALL_ENDED },
		{ "survey.json", EVENT_SURVEY },
		{ "qa.json", EVENT_QA },
		{ "agent.json", EVENT_AGENT },
		{ "esat.json", EVENT_ESAT },
	};
	const char	*dir;
	char		 path[1024], line[4096];
	size_t		 i, n;
	FILE		*f;

	if ((dir = getenv("CALLSCORE_SRCDIR")) == NULL &&
	    (dir = getenv("srcdir")) == NULL)
		dir = ".";
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/tests/fixtures/events/%s", dir,
		    files[i].file);
		f = fopen(path, "r");
		ck_assert_msg(f != NULL, "%s: cannot open", path);
		n = fread(line, 1, sizeof line, f);
		fclose(f);
		ck_assert_msg(n > 0 && n < sizeof line, "%s: bad size", path);
		if (line[n - 1] == '\n')
			n--;
		ck_assert_msg(memchr(line, '\n', n) == NULL, "%s: not one line",
		    path);
		ck_assert_msg(parse_n(line, n) == EVENT_OK, "%s: %s", path,
		    reason);
		ck_assert_int_eq(ev.type, files[i].type);
	}
}
END_TEST

static Suite *
event_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("event");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_call_full);
	tcase_add_test(tc, test_call_other_fields);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_event_type);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_identifiers);
	tcase_add_test(tc, test_seconds);
	tcase_add_test(tc, test_revenue);
	tcase_add_test(tc, test_booleans);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_enums);
	tcase_add_test(tc, test_ts);
	tcase_add_test(tc, test_parse_time);
	tcase_add_test(tc, test_qa);
	tcase_add_test(tc, test_unknown_fields);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_length_bound);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_first_error);
	tcase_add_test(tc, test_long_number);
	tcase_add_test(tc, test_reason_buffer);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_fixtures);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(event_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
