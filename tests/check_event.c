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

/*
 * Every syntax error, in the words and at the byte the yajl-based
 * parser gave (fuzz/fuzz_event_diff holds the two parsers to it).
 */
START_TEST(test_syntax_reasons)
{
	static const struct {
		const char	*line;
		const char	*reason;
	} t[] = {
		{ "{\"a\":}", "invalid JSON near byte 6: unallowed token at "
		    "this point in JSON text" },
		{ "{\"a\":[1,]}", "invalid JSON near byte 9: unallowed token "
		    "at this point in JSON text" },
		{ "{\"a\"::1}", "invalid JSON near byte 6: unallowed token at "
		    "this point in JSON text" },
		{ "]", "invalid JSON near byte 1: unallowed token at this "
		    "point in JSON text" },
		{ "{\"a\":1}}", "invalid JSON near byte 8: unallowed token at "
		    "this point in JSON text" },
		{ "{} :", "invalid JSON near byte 4: unallowed token at this "
		    "point in JSON text" },
		{ "{1:2}", "invalid JSON near byte 2: invalid object key "
		    "(must be a string)" },
		{ "{\"a\":1,}", "invalid JSON near byte 8: invalid object key "
		    "(must be a string)" },
		{ "{,\"a\":1}", "invalid JSON near byte 2: invalid object key "
		    "(must be a string)" },
		{ "{\"a\":{\"b\":1,}}", "invalid JSON near byte 13: invalid "
		    "object key (must be a string)" },
		{ "{\"a\" 1}", "invalid JSON near byte 6: object key and value "
		    "must be separated by a colon (':')" },
		{ "{\"a\" \"b\"}", "invalid JSON near byte 8: object key and "
		    "value must be separated by a colon (':')" },
		/* This one points into the token, as yajl did. */
		{ "{\"a\":1 \"bc\"}", "invalid JSON near byte 9: after key and "
		    "value, inside map, I expect ',' or '}'" },
		{ "{\"a\":1 2}", "invalid JSON near byte 7: after key and "
		    "value, inside map, I expect ',' or '}'" },
		{ "{\"a\":01}", "invalid JSON near byte 6: after key and value, "
		    "inside map, I expect ',' or '}'" },
		{ "{\"a\":-01}", "invalid JSON near byte 7: after key and "
		    "value, inside map, I expect ',' or '}'" },
		{ "{\"a\":[1 2]}", "invalid JSON near byte 9: after array "
		    "element, I expect ',' or ']'" },
		{ "{\"a\":x}", "invalid JSON near byte 6: invalid char in json "
		    "text" },
		{ "{} x", "invalid JSON near byte 4: invalid char in json "
		    "text" },
		{ "{\"a\":+1}", "invalid JSON near byte 6: invalid char in json "
		    "text" },
		{ "{\"a\":.5}", "invalid JSON near byte 6: invalid char in json "
		    "text" },
		{ "{\"a\":0x10}", "invalid JSON near byte 7: invalid char in "
		    "json text" },
		{ "{\"a\":NaN}", "invalid JSON near byte 6: invalid char in "
		    "json text" },
		{ "{'a':1}", "invalid JSON near byte 2: invalid char in json "
		    "text" },
		{ "{\"a\":trux}", "invalid JSON near byte 8: invalid string in "
		    "json text" },
		{ "{\"a\":nil}", "invalid JSON near byte 6: invalid string in "
		    "json text" },
		{ "{\"a\":\"\\x\"}", "invalid JSON near byte 7: inside a "
		    "string, '\\' occurs before a character which it may not" },
		{ "{\"a\":\"\\U0041\"}", "invalid JSON near byte 7: inside a "
		    "string, '\\' occurs before a character which it may not" },
		{ "{\"a\":\"tab\there\"}", "invalid JSON near byte 9: invalid "
		    "character inside string" },
		{ "{\"a\":\"\x1f\"}", "invalid JSON near byte 6: invalid "
		    "character inside string" },
		{ "{\"a\":\"\\u12g4\"}", "invalid JSON near byte 10: invalid "
		    "(non-hex) character occurs after '\\u' inside string" },
		{ "{\"a\":1e}", "invalid JSON near byte 7: malformed number, a "
		    "digit is required after the exponent" },
		{ "{\"a\":1E+}", "invalid JSON near byte 8: malformed number, a "
		    "digit is required after the exponent" },
		{ "{\"a\":1.}", "invalid JSON near byte 7: malformed number, a "
		    "digit is required after the decimal point" },
		{ "{\"a\":1.e5}", "invalid JSON near byte 7: malformed number, "
		    "a digit is required after the decimal point" },
		{ "{\"a\":-}", "invalid JSON near byte 6: malformed number, a "
		    "digit is required after the minus sign" },
		{ "{\"a\":-Infinity}", "invalid JSON near byte 6: malformed "
		    "number, a digit is required after the minus sign" },
		{ "{\"a\":1 /* c */}", "invalid JSON near byte 7: probable "
		    "comment found in input text, comments are not enabled" },
		{ "// c", "invalid JSON near byte 0: probable comment found in "
		    "input text, comments are not enabled" },
		/* Cut short: the error is at the end of the line. */
		{ "{\"a\":1", "invalid JSON near byte 6: premature EOF" },
		{ "{\"a\":1,", "invalid JSON near byte 7: premature EOF" },
		{ "{\"a\"", "invalid JSON near byte 4: premature EOF" },
		{ "{\"a\":[", "invalid JSON near byte 6: premature EOF" },
		{ "{\"a\":{\"b\":[1,{", "invalid JSON near byte 14: premature "
		    "EOF" },
		{ "{\"a\":\"b", "invalid JSON near byte 7: premature EOF" },
		{ "{\"a\":tru", "invalid JSON near byte 8: invalid string in "
		    "json text" },
		{ "{\"a\":\"\\", "invalid JSON near byte 7: inside a string, "
		    "'\\' occurs before a character which it may not" },
		{ "{\"a\":\"\\u00", "invalid JSON near byte 10: invalid "
		    "(non-hex) character occurs after '\\u' inside string" },
		{ "{\"a\":-", "invalid JSON near byte 6: malformed number, a "
		    "digit is required after the minus sign" },
		{ "{\"a\":1.", "invalid JSON near byte 7: malformed number, a "
		    "digit is required after the decimal point" },
		{ "{\"a\":2E", "invalid JSON near byte 7: malformed number, a "
		    "digit is required after the exponent" },
		{ "{\"a\":2e-", "invalid JSON near byte 8: malformed number, a "
		    "digit is required after the exponent" },
		{ "{} tru", "invalid JSON near byte 6: invalid string in json "
		    "text" },
		{ "{} -", "invalid JSON near byte 4: malformed number, a digit "
		    "is required after the minus sign" },
		{ "{} \"a\\", "invalid JSON near byte 6: inside a string, '\\' "
		    "occurs before a character which it may not" },
		/* Nothing but a cut token: not an object. */
		{ "tru", "invalid JSON: expected an object" },
		{ "-", "invalid JSON: expected an object" },
		{ "\"ab\\", "invalid JSON: expected an object" },
		{ "12", "invalid JSON: expected an object" },
		{ "12 ", "invalid JSON: expected an object" },
		{ "{} 12", "invalid JSON: more than one value on the line" },
		{ "{} {", "invalid JSON: more than one value on the line" },
		{ "{} \"x\"", "invalid JSON: more than one value on the line" },
		{ "{} null", "invalid JSON: more than one value on the line" },
		{ "{} \"x", "invalid JSON at byte 2: trailing data after the "
		    "object" },
		{ "{}   \"x\\u12", "invalid JSON near byte 11: invalid "
		    "(non-hex) character occurs after '\\u' inside string" },
	};
	size_t	i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ck_assert_msg(parse(t[i].line) == EVENT_ERR_SYNTAX, "%s: %s",
		    t[i].line, reason);
		ck_assert_msg(strcmp(reason, t[i].reason) == 0, "%s: %s",
		    t[i].line, reason);
		/* Whatever the line left behind, the next one parses. */
		ck_accept(call_line);
	}
}
END_TEST

/* A line cut anywhere is a syntax error; the whole line parses. */
START_TEST(test_truncated)
{
	size_t	n, len = strlen(call_line);

	for (n = 0; n < len; n++) {
		ck_assert_msg(parse_n(call_line, n) == EVENT_ERR_SYNTAX,
		    "%zu bytes: %s", n, reason);
		ck_assert(strncmp(reason, "invalid JSON", 12) == 0);
		ck_assert(strchr(reason, '\n') == NULL);
	}
	ck_accept(call_line);
	ck_assert_str_eq(ev.customer, "+4930123456");
}
END_TEST

START_TEST(test_escapes)
{
	/* Every escape, in a value that is kept and in one that is not. */
	ck_accept(CALL "\"x\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u00E9\"}");
	ck_accept("{\"type\":\"c\\u0061ll\",\"call_id\":\"\\u0063\\u0031\","
	    "\"queue\":\"q\\u002D1\\u002e\\u005f\"}");
	ck_assert_int_eq(ev.type, EVENT_CALL);
	ck_assert_str_eq(ev.call_id, "c1");
	ck_assert_str_eq(ev.queue, "q-1._");
	/* Escaped keys are the same keys. */
	ck_accept("{\"\\u0074ype\":\"call\",\"call\\u005fid\":\"c1\","
	    "\"q\\u0075eue\":\"q\",\"\\u0074\\u0061lk\":5}");
	ck_assert_str_eq(ev.queue, "q");
	ck_assert_uint_eq(ev.has, EVENT_HAS_TALK);
	ck_assert(ev.talk == 5);
	/* ... and an escaped NUL makes a different key. */
	ck_accept(CALL "\"talk\\u0000\":\"x\",\"\\u0000\":1}");
	ck_assert_uint_eq(ev.has, 0);
	/* An escape after a plain start: the identifier is read again. */
	ck_accept(CALL "\"agent\":\"abcdefgh\\u0069\"}");
	ck_assert_str_eq(ev.agent, "abcdefghi");
	ck_accept(CALL "\"outcome\":\"abandone\\u0064\",\"state\":"
	    "\"log\\u0069n\"}");
	ck_assert_int_eq(ev.outcome, EVENT_OUTCOME_ABANDONED);
	ck_assert_int_eq(ev.state, EVENT_STATE_LOGIN);
	ck_accept(CALL "\"ts\":\"2026-11-22T10:00:00\\u005A\"}");
	ck_assert(ev.ts == 1795341600);
	/* Escapes that decode to bytes an identifier cannot have. */
	ck_reject(CALL "\"agent\":\"a\\/b\"}", EVENT_ERR_ID,
	    "field \"agent\": expected an identifier of 1-64 characters "
	    "[A-Za-z0-9._:@+-]");
	ck_reject_code(CALL "\"agent\":\"a\\tb\"}", EVENT_ERR_ID);
	ck_reject_code(CALL "\"agent\":\"\\u00e9\"}", EVENT_ERR_ID);
	ck_reject_code(CALL "\"agent\":\"\\\"\"}", EVENT_ERR_ID);
	ck_reject_code("{\"type\":\"c\\u0041ll\",\"call_id\":\"c\"}",
	    EVENT_ERR_EVENT_TYPE);
	/* Escaped quotes and backslashes inside keys. */
	ck_accept(CALL "\"a\\\"b\":1,\"\\\\\":2}");
	/* A long escaped time: the decoded copy grows as needed. */
	{
		char	line[2048];
		int	n;

		n = snprintf(line, sizeof line, CALL "\"ts\":\"2026-11-22T10:"
		    "00:00.\\u0035");
		memset(line + n, '0', 1500);
		snprintf(line + n + 1500, sizeof line - n - 1500, "Z\"}");
		ck_accept(line);
		ck_assert(ev.ts == 1795341600.5);
	}
}
END_TEST

START_TEST(test_surrogates)
{
	/* A pair is one code point; anything else is not ASCII either. */
	ck_accept(CALL "\"x\":\"\\ud83d\\ude00\\uD83D\\uDE00\"}");
	ck_reject_code(CALL "\"agent\":\"\\ud83d\\ude00\"}", EVENT_ERR_ID);
	/* Lone surrogates are valid JSON text; they are no identifier. */
	ck_accept(CALL "\"x\":\"\\ud800\",\"y\":\"\\udc00\",\"z\":"
	    "\"\\ud800\\u0041\",\"w\":\"\\udbff\\ud800\\udfff\"}");
	ck_reject_code(CALL "\"agent\":\"a\\ud800\"}", EVENT_ERR_ID);
	ck_reject_code(CALL "\"agent\":\"a\\ud800b\"}", EVENT_ERR_ID);
	ck_reject_code(CALL "\"agent\":\"\\udc00a\"}", EVENT_ERR_ID);
	ck_reject_code(CALL "\"agent\":\"\\ud800\\u0041\"}", EVENT_ERR_ID);
	ck_reject_code(CALL "\"agent\":\"\\ud800\\\\\"}", EVENT_ERR_ID);
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a\",\"scores\":"
	    "{\"\\ud800\":1}}", EVENT_ERR_ID);
	/* A lone surrogate in a key makes an unknown key. */
	ck_accept(CALL "\"talk\\ud800\":\"x\",\"\\udc00talk\":\"y\"}");
	ck_assert_uint_eq(ev.has, 0);
	/* Raw (UTF-8 encoded) surrogates are bad UTF-8. */
	ck_reject(CALL "\"x\":\"\xed\xa0\xbd\xed\xb8\x80\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 47");
}
END_TEST

START_TEST(test_numbers)
{
	/* -0 is zero; its sign is kept, as strtod keeps it. */
	ck_accept(CALL "\"wait\":-0,\"talk\":-0.0,\"revenue\":-0e3,"
	    "\"nps\":-0}");
	ck_assert(ev.wait == 0 && signbit(ev.wait));
	ck_assert(ev.talk == 0 && signbit(ev.talk));
	ck_assert(ev.revenue == 0 && signbit(ev.revenue));
	ck_assert_int_eq(ev.nps, 0);
	/* Leading zeros are not JSON; one zero before a point is. */
	ck_reject_code(CALL "\"talk\":00}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":012}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":-012}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"x\":00.5}", EVENT_ERR_SYNTAX);
	ck_accept(CALL "\"talk\":0.5,\"wait\":0e0,\"hold\":0.000}");
	ck_assert(ev.talk == 0.5 && ev.wait == 0 && ev.hold == 0);
	/* Exponents of every form; overflow is a range error. */
	ck_accept(CALL "\"talk\":1E2,\"wait\":1e+2,\"hold\":10000e-2,"
	    "\"wrap\":0.0001e6}");
	ck_assert(ev.talk == 100 && ev.wait == 100 && ev.hold == 100 &&
	    ev.wrap == 100);
	ck_reject(CALL "\"talk\":1e400}", EVENT_ERR_RANGE,
	    "field \"talk\": expected a non-negative number");
	ck_reject(CALL "\"revenue\":1e99999999999999999999}", EVENT_ERR_RANGE,
	    "field \"revenue\": expected a finite number");
	ck_reject_code(CALL "\"ts\":2e308}", EVENT_ERR_TS);
	ck_accept(CALL "\"revenue\":1.7976931348623157e308}");
	ck_assert(ev.revenue == 1.7976931348623157e308);
	/* Underflow is zero; unknown fields are not converted at all. */
	ck_accept(CALL "\"talk\":1e-99999999999999999999,\"x\":1e400,"
	    "\"y\":-1e99999}");
	ck_assert(ev.talk == 0);
	ck_accept(CALL "\"revenue\":4.9e-324}");
	ck_assert(ev.revenue == 4.9e-324);
	/* Either side of the exact fast path: 15 and 16 digits, 22 and 23
	 * decimals, always the correctly rounded double. */
	ck_accept(CALL "\"revenue\":123456789012345}");
	ck_assert(ev.revenue == 123456789012345.0);
	ck_accept(CALL "\"revenue\":1234567890123456}");
	ck_assert(ev.revenue == 1234567890123456.0);
	ck_accept(CALL "\"revenue\":12345678901234567890123}");
	ck_assert(ev.revenue == 12345678901234567890123.0);
	ck_accept(CALL "\"revenue\":0.1234567890123456789012}");
	ck_assert(ev.revenue == 0.1234567890123456789012);
	ck_accept(CALL "\"revenue\":0.00000000000000000000001}");
	ck_assert(ev.revenue == 0.00000000000000000000001);
	ck_accept(CALL "\"revenue\":9007199254740993}");
	ck_assert(ev.revenue == 9007199254740992.0);
	ck_accept(CALL "\"wait\":0.1000000000000000055511151231257827}");
	ck_assert(ev.wait == 0.1);
	ck_accept(CALL "\"ts\":1763800000.123456}");
	ck_assert(ev.ts == 1763800000.123456);
	ck_accept(CALL "\"ts\":1.763800000123456e9}");
	ck_assert(ev.ts == 1763800000.123456);
	/* Integers may be written as decimals or with an exponent. */
	ck_accept(CALL "\"csat\":5.000,\"nps\":1e1}");
	ck_assert_int_eq(ev.csat, 5);
	ck_assert_int_eq(ev.nps, 10);
	ck_accept(CALL "\"csat\":50e-1,\"resolved\":1.0e0}");
	ck_assert_int_eq(ev.csat, 5);
	ck_assert_int_eq(ev.resolved, 1);
	/* What rounds to an integer is one. */
	ck_accept(CALL "\"csat\":4.99999999999999999}");
	ck_assert_int_eq(ev.csat, 5);
	/* Not numbers. */
	ck_reject_code(CALL "\"talk\":+1}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":.5}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":5.}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":1e}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":1e+-1}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":--1}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":- 1}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":0x1F}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":Infinity}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":1,5}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":1.5.5}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":1e5.5}", EVENT_ERR_SYNTAX);
}
END_TEST

START_TEST(test_whitespace)
{
	struct event	 want;

	/* JSON's four white space bytes anywhere between tokens. */
	ck_accept(call_line);
	want = ev;
	ck_accept(" \t\r\n{ \"type\" :\t\"call\"\r,\n\"ts\" : 1763800000.5 , "
	    "\"call_id\"\t:\t\"c-1001\" ,\"queue\"\n:\n\"sales\",\"agent\":"
	    "\"a017\" , \"team\" : \"east\" , \"outcome\" : \"answered\" , "
	    "\"wait\" : 12.5 , \"talk\" : 245 , \"hold\" : 30 , \"wrap\" : "
	    "40 , \"resolved\" : true , \"first_contact\" : true , "
	    "\"customer\" : \"+4930123456\" , \"csat\" : 5 , \"nps\" : 9 "
	    "}\r\n \t");
	ck_assert_int_eq(ev.type, want.type);
	ck_assert_uint_eq(ev.has, want.has);
	ck_assert(ev.ts == want.ts && ev.wait == want.wait &&
	    ev.talk == want.talk && ev.hold == want.hold);
	ck_assert_str_eq(ev.call_id, want.call_id);
	ck_assert_str_eq(ev.team, want.team);
	ck_assert_str_eq(ev.customer, want.customer);
	ck_assert_int_eq(ev.nps, want.nps);
	ck_accept("{\"type\":\"qa\" , \"agent\" : \"a\" , \"scores\" : { "
	    "\"x\" : 1 , \"y\" : 2.5 } , \"z\" : [ { } , [ ] ] }");
	ck_assert_uint_eq(ev.nqa, 2);
	ck_assert(ev.qa[1].value == 2.5);
	/* \v, \f and other control bytes are not white space. */
	ck_reject("{\"type\":\"call\",\v\"call_id\":\"c1\",\"queue\":\"q\"}",
	    EVENT_ERR_SYNTAX, "invalid JSON near byte 16: invalid char in "
	    "json text");
	ck_reject("\f{}", EVENT_ERR_SYNTAX, "invalid JSON near byte 1: "
	    "invalid char in json text");
	ck_reject(CALL "\"talk\":\v1}", EVENT_ERR_SYNTAX, "invalid JSON near "
	    "byte 50: invalid char in json text");
	ck_reject(CALL "\"talk\":1}\f", EVENT_ERR_SYNTAX, "invalid JSON near "
	    "byte 52: invalid char in json text");
	ck_reject_code(CALL "\"talk\":1\x1c}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"talk\":1\xc2\xa0}", EVENT_ERR_SYNTAX);
	ck_reject_code(CALL "\"x\":\"\v\"}", EVENT_ERR_SYNTAX);
}
END_TEST

START_TEST(test_duplicates)
{
	/* The last of a repeated member wins, whatever its kind... */
	ck_accept("{\"type\":\"qa\",\"type\":\"call\",\"call_id\":\"c1\","
	    "\"call_id\":\"c2\",\"queue\":\"q\",\"resolved\":true,"
	    "\"resolved\":false,\"outcome\":\"timeout\",\"outcome\":"
	    "\"answered\",\"csat\":1,\"csat\":2,\"ts\":5,\"ts\":6}");
	ck_assert_int_eq(ev.type, EVENT_CALL);
	ck_assert_str_eq(ev.call_id, "c2");
	ck_assert_int_eq(ev.resolved, 0);
	ck_assert_int_eq(ev.outcome, EVENT_OUTCOME_ANSWERED);
	ck_assert_int_eq(ev.csat, 2);
	ck_assert(ev.ts == 6);
	/* ... but the first error stays, even if a later one is good. */
	ck_reject(CALL "\"talk\":-1,\"talk\":5}", EVENT_ERR_RANGE,
	    "field \"talk\": expected a non-negative number");
	ck_reject_code("{\"type\":\"bogus\",\"type\":\"call\",\"call_id\":"
	    "\"c1\",\"queue\":\"q\"}", EVENT_ERR_EVENT_TYPE);
	ck_reject_code(CALL "\"agent\":\"a b\",\"agent\":\"a\"}",
	    EVENT_ERR_ID);
	/* A good value, then a bad one. */
	ck_reject_code(CALL "\"agent\":\"a\",\"agent\":\"\"}", EVENT_ERR_ID);
	ck_reject_code("{\"type\":\"call\",\"type\":null}",
	    EVENT_ERR_EVENT_TYPE);
}
END_TEST

START_TEST(test_utf8_forms)
{
	/* The edges of each sequence length. */
	ck_accept(CALL "\"x\":\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf"
	    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\x7f\"}");
	/* Overlong forms of '/' and of NUL, in 2, 3 and 4 bytes. */
	ck_reject(CALL "\"x\":\"\xc0\xaf\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 47");
	ck_reject_code(CALL "\"x\":\"\xc0\x80\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"x\":\"\xe0\x80\xaf\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"x\":\"\xe0\x9f\xbf\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"x\":\"\xf0\x80\x80\xaf\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"x\":\"\xf0\x8f\xbf\xbf\"}", EVENT_ERR_UTF8);
	/* Five and six byte forms, and bytes that never occur. */
	ck_reject_code(CALL "\"x\":\"\xf8\x88\x80\x80\x80\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"x\":\"\xfc\x84\x80\x80\x80\x80\"}",
	    EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"x\":\"\xc1\x81\"}", EVENT_ERR_UTF8);
	/* A lead byte without its continuation, one too many. */
	ck_reject(CALL "\"x\":\"\xc3x\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 47");
	ck_reject(CALL "\"x\":\"\xc3\xa9\xa9\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 49");
	ck_reject_code(CALL "\"x\":\"\xe2\x82\"}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"x\":\"\xf0\x9f\x98\"", EVENT_ERR_UTF8);
	/* Bad UTF-8 anywhere wins over any other error, before or after. */
	ck_reject("{\"a\":x,\"b\":\"\xff\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 12");
	ck_reject("{\"x\":[[[[[\xff", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 10");
	ck_reject("[]\xff", EVENT_ERR_UTF8, "invalid UTF-8 at byte 2");
	ck_reject(CALL "\"talk\":-1,\"n\":\"\xff\"}", EVENT_ERR_UTF8,
	    "invalid UTF-8 at byte 57");
	ck_reject("{} \"\xff", EVENT_ERR_UTF8, "invalid UTF-8 at byte 4");
	/* In a key, in a kept value, in a QA criterion. */
	ck_reject_code(CALL "\"ta\xe9lk\":1}", EVENT_ERR_UTF8);
	ck_reject_code(CALL "\"agent\":\"a\xe9\"}", EVENT_ERR_UTF8);
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a\",\"scores\":"
	    "{\"\xe9\":1}}", EVENT_ERR_UTF8);
	/* Valid UTF-8 is no identifier. */
	ck_reject_code(CALL "\"agent\":\"a\xc3\xa9\"}", EVENT_ERR_ID);
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a\",\"scores\":"
	    "{\"\xc3\xa9\":1}}", EVENT_ERR_ID);
}
END_TEST

START_TEST(test_nesting)
{
	/* The limit counts containers of any kind, the event's included. */
	ck_accept(CALL "\"x\":[{\"a\":[1,2]}],\"y\":{\"a\":{\"b\":{}}}}");
	ck_reject(CALL "\"x\":[{\"a\":[{}]}]}", EVENT_ERR_DEPTH,
	    "nested deeper than 4 levels");
	ck_reject(CALL "\"x\":{\"a\":{\"b\":[[]]}}}", EVENT_ERR_DEPTH,
	    "nested deeper than 4 levels");
	/* The deep container must be reached: a syntax error before it
	 * wins, one after it does not. */
	ck_reject_code("{\"x\":[1 [[[[", EVENT_ERR_SYNTAX);
	ck_reject("{\"x\":[[[[1 2", EVENT_ERR_DEPTH,
	    "nested deeper than 4 levels");
	ck_reject("{\"x\":[[[[", EVENT_ERR_DEPTH, "nested deeper than 4 "
	    "levels");
	/* Depth wins over field errors before it and stops the parse. */
	ck_reject("{\"talk\":-1,\"x\":[[[{}]]],\"talk\":\"x\"}",
	    EVENT_ERR_DEPTH, "nested deeper than 4 levels");
	/* Inside "scores", a container is a bad score; deeper is fine. */
	ck_reject("{\"type\":\"qa\",\"agent\":\"a\",\"scores\":{\"s\":"
	    "{\"t\":[1]}}}", EVENT_ERR_TYPE, "field \"scores.s\": expected "
	    "a number from 0 to 5");
	ck_reject("{\"type\":\"qa\",\"agent\":\"a\",\"scores\":{\"s\":"
	    "[[1]]}}", EVENT_ERR_TYPE, "field \"scores.s\": expected a "
	    "number from 0 to 5");
	ck_reject_code("{\"type\":\"qa\",\"agent\":\"a\",\"scores\":{\"s\":"
	    "[[[1]]]}}", EVENT_ERR_DEPTH);
	/* Deep lines of many kinds never get past the limit. */
	{
		char	line[4096];
		size_t	i;

		memcpy(line, "{\"a\":", 5);
		for (i = 5; i < sizeof line - 1; i++)
			line[i] = "[{\"b\":"[(i - 5) % 6];
		line[sizeof line - 1] = '\0';
		ck_reject(line, EVENT_ERR_DEPTH, "nested deeper than 4 levels");
		line[0] = '[';
		ck_reject(line, EVENT_ERR_SYNTAX, "invalid JSON: expected an "
		    "object");
	}
	ck_accept(call_line);
}
END_TEST

START_TEST(test_more_nul)
{
	static const char in_key[] =
	    "{\"type\":\"call.ended\",\"call_id\":\"c1\",\"a\0\":1}";
	static const char before[] =
	    "\0{\"type\":\"call.ended\",\"call_id\":\"c1\"}";
	static const char in_number[] =
	    "{\"type\":\"call.ended\",\"call_id\":\"c1\",\"talk\":1\0}";

	ck_assert_int_eq(parse_n(in_key, sizeof in_key - 1), EVENT_ERR_SYNTAX);
	ck_assert_str_eq(reason, "invalid JSON near byte 38: invalid "
	    "character inside string");
	ck_assert_int_eq(parse_n(before, sizeof before - 1), EVENT_ERR_SYNTAX);
	ck_assert_str_eq(reason, "invalid JSON near byte 1: invalid char in "
	    "json text");
	ck_assert_int_eq(parse_n(in_number, sizeof in_number - 1),
	    EVENT_ERR_SYNTAX);
	ck_assert_str_eq(reason, "invalid JSON near byte 45: invalid char in "
	    "json text");
	/* Escaped, a NUL is a character like any other. */
	ck_reject_code(CALL "\"team\":\"\\u0000\"}", EVENT_ERR_ID);
	ck_accept(CALL "\"x\":\"\\u0000\"}");
}
END_TEST

START_TEST(test_keys)
{
	/* Near misses of known names are unknown fields. */
	ck_accept(CALL "\"t\":\"x\",\"typ\":\"x\",\"types\":\"x\","
	    "\"Type\":\"x\",\"tal\":\"x\",\"talks\":\"x\",\"call\":\"x\","
	    "\"call_ids\":\"x\",\"first_contac\":\"x\",\"scor\":\"x\","
	    "\"score \":\"x\",\" score\":\"x\",\"ts\\u0020\":\"x\"}");
	ck_assert_uint_eq(ev.has, 0);
	ck_assert_str_eq(ev.call_id, "c1");
	/* Every known name, spelt plainly and with an escape. */
	ck_accept("{\"type\":\"call\",\"ts\":1,\"call_id\":\"c\",\"queue\":"
	    "\"q\",\"agent\":\"a\",\"team\":\"t\",\"customer\":\"u\","
	    "\"channel\":\"h\",\"evaluator\":\"e\",\"reason\":\"r\","
	    "\"outcome\":\"timeout\",\"state\":\"ready\",\"wait\":1,\"talk\":2,"
	    "\"hold\":3,\"wrap\":4,\"revenue\":5,\"resolved\":true,"
	    "\"first_contact\":false,\"transferred\":true,\"csat\":1,"
	    "\"nps\":2,\"score\":3,\"scores\":{\"a\":1}}");
	ck_assert_uint_eq(ev.has, 0xfff);
	ck_assert_uint_eq(ev.nqa, 1);
	ck_accept("{\"\\u0074ype\":\"call\",\"t\\u0073\":1,\"call_i\\u0064\":"
	    "\"c\",\"queu\\u0065\":\"q\",\"agen\\u0074\":\"a\",\"tea\\u006d\":"
	    "\"t\",\"custome\\u0072\":\"u\",\"channe\\u006c\":\"h\","
	    "\"evaluato\\u0072\":\"e\",\"reaso\\u006e\":\"r\",\"outcom\\u0065\":"
	    "\"timeout\",\"stat\\u0065\":\"ready\",\"wai\\u0074\":1,"
	    "\"tal\\u006b\":2,\"hol\\u0064\":3,\"wra\\u0070\":4,"
	    "\"revenu\\u0065\":5,\"resolve\\u0064\":true,"
	    "\"first_contac\\u0074\":false,\"transferre\\u0064\":true,"
	    "\"csa\\u0074\":1,\"np\\u0073\":2,\"scor\\u0065\":3,"
	    "\"score\\u0073\":{\"a\":1}}");
	ck_assert_uint_eq(ev.has, 0xfff);
	ck_assert_str_eq(ev.reason, "r");
	ck_assert_int_eq(ev.state, EVENT_STATE_READY);
	ck_assert_uint_eq(ev.nqa, 1);
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
	tcase_add_test(tc, test_syntax_reasons);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_surrogates);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_whitespace);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_utf8_forms);
	tcase_add_test(tc, test_nesting);
	tcase_add_test(tc, test_more_nul);
	tcase_add_test(tc, test_keys);
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
