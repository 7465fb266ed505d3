/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests of callscore(1)'s human output (fmt.c): exact strings for value
 * formatting, escaping, tables and the rendering of canned replies.
 * Times are rendered in UTC (TZ is set in main).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <yajl/yajl_tree.h>

#include "fmt.h"
#include "kpi.h"

static yajl_val	parse(const char *);
static void	check_kpi_line(const char *, const char *, size_t,
		    const char *);

static yajl_val
parse(const char *json)
{
	char		err[256];
	yajl_val	v;

	v = yajl_tree_parse(json, err, sizeof err);
	ck_assert_msg(v != NULL, "bad test JSON: %s", err);
	return (v);
}

START_TEST(test_duration)
{
	char	b[FMT_VALUE_MAX];

	ck_assert_str_eq(fmt_duration(0, b, sizeof b), "0.0s");
	ck_assert_str_eq(fmt_duration(45.24, b, sizeof b), "45.2s");
	ck_assert_str_eq(fmt_duration(59.94, b, sizeof b), "59.9s");
	/* Rounds to 60.0: shown as a minute, never "60.0s". */
	ck_assert_str_eq(fmt_duration(59.96, b, sizeof b), "1m00s");
	ck_assert_str_eq(fmt_duration(125, b, sizeof b), "2m05s");
	ck_assert_str_eq(fmt_duration(3599.4, b, sizeof b), "59m59s");
	ck_assert_str_eq(fmt_duration(3599.6, b, sizeof b), "1h00m");
	ck_assert_str_eq(fmt_duration(3725, b, sizeof b), "1h02m");
	ck_assert_str_eq(fmt_duration(86399, b, sizeof b), "1d00h");
	ck_assert_str_eq(fmt_duration(93600, b, sizeof b), "1d02h");
	ck_assert_str_eq(fmt_duration(-5, b, sizeof b), "-5.0s");
	ck_assert_str_eq(fmt_duration(-0.01, b, sizeof b), "0.0s");
	ck_assert_str_eq(fmt_duration(NAN, b, sizeof b), "-");
	ck_assert_str_eq(fmt_duration(INFINITY, b, sizeof b), "-");
	/* Truncated, still terminated. */
	ck_assert_str_eq(fmt_duration(3725, b, 4), "1h0");
}
END_TEST

START_TEST(test_value)
{
	char	b[FMT_VALUE_MAX];

	ck_assert_str_eq(fmt_value("percent", 81.94, b, sizeof b), "81.9%");
	ck_assert_str_eq(fmt_value("percent", 100, b, sizeof b), "100.0%");
	ck_assert_str_eq(fmt_value("percent", -0.04, b, sizeof b), "0.0%");
	ck_assert_str_eq(fmt_value("count", 120, b, sizeof b), "120");
	ck_assert_str_eq(fmt_value("count", 1234567, b, sizeof b),
	    "1234567");
	ck_assert_str_eq(fmt_value("count", -0.3, b, sizeof b), "0");
	ck_assert_str_eq(fmt_value("seconds", 245, b, sizeof b), "4m05s");
	ck_assert_str_eq(fmt_value("seconds", 14.26, b, sizeof b), "14.3s");
	ck_assert_str_eq(fmt_value("score", 84.26, b, sizeof b), "84.3");
	ck_assert_str_eq(fmt_value("score", -12, b, sizeof b), "-12.0");
	ck_assert_str_eq(fmt_value("money", 3.456, b, sizeof b), "3.46");
	ck_assert_str_eq(fmt_value("money", 12.5, b, sizeof b), "12.50");
	ck_assert_str_eq(fmt_value("parsecs", 1.5, b, sizeof b), "1.5");
	ck_assert_str_eq(fmt_value(NULL, 2, b, sizeof b), "2");
	ck_assert_str_eq(fmt_value("percent", NAN, b, sizeof b), "-");
	ck_assert_str_eq(fmt_value("count", NAN, b, sizeof b), "-");
}
END_TEST

START_TEST(test_time)
{
	char	b[FMT_VALUE_MAX];

	ck_assert_str_eq(fmt_time(0, b, sizeof b), "1970-01-01 00:00:00");
	ck_assert_str_eq(fmt_time(1795000000.9, b, sizeof b),
	    "2026-11-18 11:06:40");
	ck_assert_str_eq(fmt_time(-1, b, sizeof b), "-");
	ck_assert_str_eq(fmt_time(NAN, b, sizeof b), "-");
	ck_assert_str_eq(fmt_time(1e300, b, sizeof b), "-");
}
END_TEST

START_TEST(test_escape)
{
	char	b[64];

	ck_assert_str_eq(fmt_escape(b, sizeof b, "sales"), "sales");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "a\033[31mb"),
	    "a\\x1b[31mb");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "tab\there\n"),
	    "tab\\x09here\\x0a");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "del\177"), "del\\x7f");
	/* Valid UTF-8 stays, a C1 control (U+009B, CSI) does not. */
	ck_assert_str_eq(fmt_escape(b, sizeof b, "Zo\303\253"), "Zo\303\253");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "\302\233x"),
	    "\\xc2\\x9bx");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "\342\202\254"),
	    "\342\202\254");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "\360\237\223\236"),
	    "\360\237\223\236");
	/* Invalid: stray continuation, overlong, truncated, surrogate. */
	ck_assert_str_eq(fmt_escape(b, sizeof b, "\200"), "\\x80");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "\300\257"), "\\xc0\\xaf");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "a\303"), "a\\xc3");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "\355\240\200"),
	    "\\xed\\xa0\\x80");
	ck_assert_str_eq(fmt_escape(b, sizeof b, "\377"), "\\xff");
	/* Truncation never splits an escape or a character. */
	ck_assert_str_eq(fmt_escape(b, 4, "abcdef"), "abc");
	ck_assert_str_eq(fmt_escape(b, 5, "a\001"), "a");
	ck_assert_str_eq(fmt_escape(b, 6, "a\001"), "a\\x01");
	ck_assert_str_eq(fmt_escape(b, 3, "a\303\253"), "a");
	ck_assert_str_eq(fmt_escape(b, 1, "abc"), "");

	ck_assert_uint_eq(fmt_width("Zo\303\253"), 3);
	ck_assert_uint_eq(fmt_width(""), 0);
	ck_assert_uint_eq(fmt_width("\342\202\254 5"), 3);
}
END_TEST

START_TEST(test_table)
{
	struct fmt_table	*t;
	char			*s;

	t = fmt_table_new(3);
	fmt_table_align(t, 1, FMT_ALIGN_RIGHT);
	fmt_table_align(t, 2, FMT_ALIGN_RIGHT);
	fmt_table_align(t, 7, FMT_ALIGN_RIGHT);	/* ignored */
	fmt_table_add(t, "name");
	fmt_table_add(t, "n");
	fmt_table_add(t, "pct");
	fmt_table_add(t, "Zo\303\253");
	fmt_table_addf(t, "%d", 12345);
	fmt_table_add(t, "1.0%");
	fmt_table_add(t, "a\033b");
	fmt_table_add(t, NULL);
	/* a short last row */
	ck_assert_uint_eq(fmt_table_rows(t), 3);

	s = fmt_table_render(t, FMT_HEADER);
	ck_assert_str_eq(s,
	    "name        n   pct\n"
	    "Zo\303\253     12345  1.0%\n"
	    "a\\x1bb\n");
	free(s);

	s = fmt_table_render(t, FMT_HEADER | FMT_BOLD);
	ck_assert_str_eq(s,
	    "\033[1mname        n   pct\033[0m\n"
	    "Zo\303\253     12345  1.0%\n"
	    "a\\x1bb\n");
	free(s);
	/* Bold without a header row changes nothing. */
	s = fmt_table_render(t, FMT_BOLD);
	ck_assert_str_eq(s,
	    "name        n   pct\n"
	    "Zo\303\253     12345  1.0%\n"
	    "a\\x1bb\n");
	free(s);
	fmt_table_free(t);

	t = fmt_table_new(2);
	s = fmt_table_render(t, FMT_HEADER);
	ck_assert_str_eq(s, "");
	free(s);
	fmt_table_free(t);
	fmt_table_free(NULL);
}
END_TEST

START_TEST(test_reply_status)
{
	yajl_val	 v;
	char		*s;

	v = parse("{\"v\":1,\"ok\":true,\"version\":\"0.1.0\",\"pid\":4242,"
	    "\"uptime\":11532.4,\"time\":1795000000,"
	    "\"events\":{\"accepted\":102345,\"rejected\":12,\"rate\":41.7,"
	    "\"rejects\":{\"json\":10,\"type\":0,\"field\":2}},"
	    "\"connections\":{\"current\":3,\"total\":120,\"refused\":0,"
	    "\"idle_closed\":4,\"oversize_closed\":0},"
	    "\"udp\":{\"datagrams\":7,\"bytes\":900},"
	    "\"scopes\":{\"queues\":12,\"agents\":80,\"teams\":9,"
	    "\"rejected\":0},"
	    "\"snapshot\":{\"last\":1794999988,\"age\":12,"
	    "\"duration\":0.0351,\"count\":192,\"errors\":1,"
	    "\"database\":\"/var/lib/callscore/callscore.db\"},"
	    "\"listen\":{\"tcp\":\"127.0.0.1:7311\",\"unix\":\"/run/e.sock\"},"
	    "\"windows\":[\"5m\",\"15m\",\"1h\",\"24h\"]}");
	s = fmt_reply_status(v);
	ck_assert_str_eq(s,
	    "version:        0.1.0\n"
	    "pid:            4242\n"
	    "uptime:         3h12m\n"
	    "events:         102345 accepted, 12 rejected, 41.7/s\n"
	    "rejects:        json 10, field 2\n"
	    "connections:    3 current, 120 total, 0 refused\n"
	    "closed:         4 idle, 0 oversize\n"
	    "udp:            7 datagrams, 900 bytes\n"
	    "listen:         tcp 127.0.0.1:7311, unix /run/e.sock\n"
	    "scopes:         12 queues, 80 agents, 9 teams, 0 refused\n"
	    "windows:        5m 15m 1h 24h\n"
	    "last snapshot:  2026-11-18 11:06:28 (12.0s ago, 35 ms)\n"
	    "database:       /var/lib/callscore/callscore.db\n"
	    "snapshots:      192 written, 1 failed\n");
	free(s);
	yajl_tree_free(v);

	/* No snapshot yet (nulls), age from "time", nothing else known. */
	v = parse("{\"v\":1,\"ok\":true,\"snapshot\":{\"last\":null}}");
	s = fmt_reply_status(v);
	ck_assert_str_eq(s,
	    "version:        -\n"
	    "pid:            -\n"
	    "uptime:         -\n"
	    "events:         - accepted, - rejected, -/s\n"
	    "connections:    - current, - total, - refused\n"
	    "scopes:         - queues, - agents, - teams, - refused\n"
	    "last snapshot:  never\n");
	free(s);
	yajl_tree_free(v);

	v = parse("{\"time\":1795000000,\"snapshot\":{\"last\":1794999000,"
	    "\"duration\":0.5}}");
	s = fmt_reply_status(v);
	ck_assert_ptr_nonnull(strstr(s, "last snapshot:  2026-11-18 10:50:00"
	    " (16m40s ago, 500 ms)\n"));
	free(s);
	yajl_tree_free(v);
}
END_TEST

/* Expect in s the line: title padded to w, the id padded to 8, rest. */
static void
check_kpi_line(const char *s, const char *title, size_t w, const char *rest)
{
	char	line[256];

	snprintf(line, sizeof line, "\n%-*s  %s\n", (int)w, title, rest);
	ck_assert_msg(strstr(s, line) != NULL, "no line \"%s\" in:\n%s",
	    line, s);
}

START_TEST(test_reply_kpi)
{
	yajl_val	 v;
	char		*s, expect[1024];
	const char	*off = kpi_table[KPI_OFFERED].title;
	const char	*aht = kpi_table[KPI_AHT].title;
	size_t		 w;

	/* The units this rendering relies on. */
	ck_assert_str_eq(kpi_table[KPI_OFFERED].unit, "count");
	ck_assert_str_eq(kpi_table[KPI_AHT].unit, "seconds");

	/* Reply order is not row order: catalogue first, unknown ids last. */
	v = parse("{\"v\":1,\"ok\":true,\"scope\":\"queue\",\"name\":\"sales\","
	    "\"windows\":["
	    "{\"window\":\"5m\",\"kpis\":{\"zz_new\":1.5,\"aht\":245,"
	    "\"offered\":12},\"qa\":{\"greeting\":90}},"
	    "{\"window\":\"1h\",\"kpis\":{\"offered\":140,\"aht\":null},"
	    "\"qa\":{\"greeting\":null,\"tone\":75.55}}]}");
	s = fmt_reply_kpi(v, 0);

	w = strlen("QA: greeting");
	if (strlen(off) > w)
		w = strlen(off);
	if (strlen(aht) > w)
		w = strlen(aht);
	snprintf(expect, sizeof expect,
	    "queue: sales\n"
	    "%-*s  id          5m    1h\n"
	    "%-*s  offered     12   140\n"
	    "%-*s  aht      4m05s     -\n"
	    "%-*s  zz_new     1.5     -\n"
	    "%-*s            90.0     -\n"
	    "%-*s               -  75.5\n",
	    (int)w, "kpi", (int)w, off, (int)w, aht, (int)w, "zz_new",
	    (int)w, "QA: greeting", (int)w, "QA: tone");
	ck_assert_str_eq(s, expect);
	check_kpi_line(s, "zz_new", w, "zz_new     1.5     -");
	free(s);
	yajl_tree_free(v);

	v = parse("{\"v\":1,\"ok\":true,\"scope\":\"global\",\"name\":\"\","
	    "\"windows\":[]}");
	s = fmt_reply_kpi(v, 0);
	ck_assert_str_eq(s, "scope: global\nno windows\n");
	free(s);
	yajl_tree_free(v);

	/* A hostile name cannot reach the terminal raw. */
	v = parse("{\"scope\":\"agent\",\"name\":\"x\\u001b]0;pwn\\u0007\","
	    "\"windows\":[{\"window\":\"5m\",\"kpis\":{}}]}");
	s = fmt_reply_kpi(v, FMT_BOLD);
	ck_assert_str_eq(s, "agent: x\\x1b]0;pwn\\x07\n"
	    "\033[1mkpi  id  5m\033[0m\n");
	free(s);
	yajl_tree_free(v);
}
END_TEST

START_TEST(test_reply_list)
{
	yajl_val	 v;
	char		*s;

	v = parse("{\"v\":1,\"ok\":true,\"window\":\"15m\",\"rows\":["
	    "{\"name\":\"sales\",\"kpis\":{\"offered\":120,\"answered\":110,"
	    "\"abandon_rate\":8.333,\"service_level\":81.94,\"asa\":14.26,"
	    "\"aht\":245,\"csat\":88,\"fcr\":72.5}},"
	    "{\"name\":\"support\",\"kpis\":{\"offered\":5,\"answered\":0,"
	    "\"abandon_rate\":100,\"service_level\":0,\"asa\":null,"
	    "\"aht\":null,\"csat\":null}}]}");
	s = fmt_reply_list(v, "queue", 0);
	ck_assert_str_eq(s,
	    "window: 15m\n"
	    "queue    offered  answered  abandon     sl    asa    aht   csat"
	    "    fcr\n"
	    "sales        120       110     8.3%  81.9%  14.3s  4m05s  88.0%"
	    "  72.5%\n"
	    "support        5         0   100.0%   0.0%      -      -      -"
	    "      -\n");
	free(s);
	yajl_tree_free(v);

	v = parse("{\"v\":1,\"ok\":true,\"window\":\"5m\",\"rows\":["
	    "{\"name\":\"alice\",\"team\":\"blue\",\"kpis\":{\"answered\":40,"
	    "\"aht\":3725,\"hold_avg\":30,\"csat\":90,\"qa_score\":88.5,"
	    "\"fcr\":75}},"
	    "{\"name\":\"bob\",\"team\":\"\",\"kpis\":{\"answered\":3,"
	    "\"aht\":59.97}}]}");
	s = fmt_reply_list(v, "agent", 0);
	ck_assert_str_eq(s,
	    "window: 5m\n"
	    "agent  team  answered    aht   hold   csat    qa    fcr\n"
	    "alice  blue        40  1h02m  30.0s  90.0%  88.5  75.0%\n"
	    "bob    -            3  1m00s      -      -     -      -\n");
	free(s);
	yajl_tree_free(v);

	/* Agents without teams: no team column. */
	v = parse("{\"window\":\"5m\",\"rows\":[{\"name\":\"bob\",\"team\":\"\","
	    "\"kpis\":{\"answered\":3}}]}");
	s = fmt_reply_list(v, "agent", FMT_BOLD);
	ck_assert_str_eq(s,
	    "window: 5m\n"
	    "\033[1magent  answered  aht  hold  csat  qa  fcr\033[0m\n"
	    "bob           3    -     -     -   -    -\n");
	free(s);
	yajl_tree_free(v);

	v = parse("{\"v\":1,\"ok\":true,\"window\":\"1h\",\"rows\":[]}");
	s = fmt_reply_list(v, "team", 0);
	ck_assert_str_eq(s, "window: 1h\nno teams\n");
	free(s);
	yajl_tree_free(v);
}
END_TEST

START_TEST(test_reply_snapshot)
{
	yajl_val	 v;
	char		*s;

	v = parse("{\"v\":1,\"ok\":true,\"snapshot\":{\"time\":1795000000,"
	    "\"duration\":0.0421,\"rows\":1234}}");
	s = fmt_reply_snapshot(v);
	ck_assert_str_eq(s,
	    "snapshot written at 2026-11-18 11:06:40 (1234 rows, 42 ms)\n");
	free(s);
	yajl_tree_free(v);

	v = parse("{\"v\":1,\"ok\":true}");
	s = fmt_reply_snapshot(v);
	ck_assert_str_eq(s, "snapshot written at - (- rows, - ms)\n");
	free(s);
	yajl_tree_free(v);
}
END_TEST

static Suite *
fmt_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("fmt");
	tc = tcase_create("values");
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_value);
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_escape);
	suite_add_tcase(s, tc);
	tc = tcase_create("table");
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);
	tc = tcase_create("replies");
	tcase_add_test(tc, test_reply_status);
	tcase_add_test(tc, test_reply_kpi);
	tcase_add_test(tc, test_reply_list);
	tcase_add_test(tc, test_reply_snapshot);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	setenv("TZ", "UTC", 1);
	tzset();
	sr = srunner_create(fmt_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
