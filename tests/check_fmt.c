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
#include "xmalloc.h"

/* Canned replies (ctl-proto.h) shared by several tests. */
#define SCORECARD_JSON "{\"v\":1,\"ok\":true,\"scope\":\"queue\",\"name\":\"sales\"," \
    "\"window\":\"1h\",\"overall\":78.4,\"perspectives\":[" \
    "{\"id\":\"customer\",\"title\":\"Customer\",\"weight\":40,\"score\":72," \
    "\"kpis\":[" \
    "{\"id\":\"service_level\",\"title\":\"Service level\",\"unit\":\"percent\"," \
    "\"direction\":\"higher\",\"value\":81.94,\"target\":80,\"amber\":70," \
    "\"status\":\"green\",\"previous\":79.6,\"history\":[70,null,80,90]}," \
    "{\"id\":\"aht\",\"title\":\"Average handle time\",\"unit\":\"seconds\"," \
    "\"direction\":\"lower\",\"value\":245,\"target\":240,\"amber\":300," \
    "\"status\":\"amber\",\"previous\":240,\"history\":[]}," \
    "{\"id\":\"asa\",\"title\":\"Average speed of answer\",\"unit\":\"seconds\"," \
    "\"direction\":\"lower\",\"value\":null,\"target\":null,\"amber\":null," \
    "\"status\":\"none\",\"previous\":null,\"history\":[null,null]}]}," \
    "{\"id\":\"financial\",\"title\":\"Financial\",\"weight\":15.5,\"score\":null," \
    "\"kpis\":[{\"id\":\"cost_per_contact\",\"title\":\"Cost, \\\"all in\\\"\"," \
    "\"unit\":\"money\",\"direction\":\"lower\",\"value\":3.456,\"target\":3," \
    "\"amber\":4,\"status\":\"red\",\"previous\":3.5,\"history\":[3.5,3.456]}]}]," \
    "\"qa\":{\"greeting\":90,\"tone\":null}}"
#define LIVE_JSON "{\"v\":1,\"ok\":true,\"time\":1795000000,\"totals\":{" \
    "\"waiting\":3,\"talking\":5,\"on_hold\":1,\"longest_wait\":65," \
    "\"agents_logged_in\":12,\"agents_ready\":4,\"agents_busy\":6," \
    "\"agents_not_ready\":2,\"occupancy\":60,\"expired\":2,\"lost\":0," \
    "\"duplicates\":1,\"refused\":0},\"queues\":[" \
    "{\"name\":\"sales\",\"waiting\":3,\"talking\":4,\"on_hold\":1," \
    "\"longest_wait\":65,\"service_level\":81.94,\"answered\":110," \
    "\"abandoned\":10}," \
    "{\"name\":\"x\\u001b[2J\",\"waiting\":0,\"talking\":1,\"on_hold\":0," \
    "\"longest_wait\":null,\"service_level\":null,\"answered\":0," \
    "\"abandoned\":0}," \
    "{\"name\":\"support\",\"waiting\":12,\"talking\":0,\"on_hold\":0," \
    "\"longest_wait\":3725,\"service_level\":50,\"answered\":7," \
    "\"abandoned\":3}],\"agents\":[" \
    "{\"name\":\"alice\",\"team\":\"blue\",\"state\":\"busy\"," \
    "\"since\":1794999815,\"reason\":\"\",\"queue\":\"sales\"}," \
    "{\"name\":\"bob\",\"team\":\"\",\"state\":\"not_ready\"," \
    "\"since\":1794999988,\"reason\":\"lunch\",\"queue\":\"\"}," \
    "{\"name\":\"carol\",\"team\":\"red\",\"state\":\"ready\"," \
    "\"since\":1795000003,\"reason\":\"\",\"queue\":\"\"}]}"
#define STATUS_JSON "{\"v\":1,\"ok\":true,\"time\":1794999999," \
    "\"events\":{\"rate\":41.66},\"connections\":{\"current\":3}}"

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
	    "\"control\":{\"socket\":\"/run/c.sock\",\"tcp\":\"127.0.0.1:7312\","
	    "\"requests\":9,\"tcp_accepted\":5,\"tcp_refused\":1,"
	    "\"auth_ok\":3,\"auth_failures\":2},"
	    "\"backup\":{\"ok\":2,\"failed\":1},"
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
	    "control tcp:    127.0.0.1:7312, 3 authenticated, 2 failed, 1 "
	    "refused\n"
	    "scopes:         12 queues, 80 agents, 9 teams, 0 refused\n"
	    "windows:        5m 15m 1h 24h\n"
	    "last snapshot:  2026-11-18 11:06:28 (12.0s ago, 35 ms)\n"
	    "database:       /var/lib/callscore/callscore.db\n"
	    "snapshots:      192 written, 1 failed\n"
	    "backups:        2 written, 1 failed\n");
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

#define REPORT_REPLY							\
	"{\"v\":1,\"ok\":true,\"scope\":\"queue\",\"name\":\"sales\","	\
	"\"date\":\"2026-10-25\",\"timezone\":\"Europe/Berlin\","	\
	"\"interval\":900,\"rows\":["					\
	"{\"start\":1792889100,\"label\":\"02:45 CEST\",\"open\":false,"	\
	"\"kpis\":{\"offered\":12,\"answered\":11,\"abandon_rate\":8.333,"	\
	"\"service_level\":75,\"asa\":12,\"aht\":310,\"csat\":80}},"	\
	"{\"start\":1792890000,\"label\":\"02:00 CET\",\"open\":false,"	\
	"\"kpis\":{\"offered\":3,\"answered\":3,\"abandon_rate\":0,"	\
	"\"service_level\":100,\"asa\":4.5,\"aht\":125,\"csat\":null}},"	\
	"{\"start\":1792890900,\"label\":\"02:15 CET\",\"open\":true,"	\
	"\"kpis\":{\"offered\":1,\"answered\":0,\"abandon_rate\":0,"	\
	"\"service_level\":null,\"asa\":null,\"aht\":null}}],"		\
	"\"total\":{\"kpis\":{\"offered\":16,\"answered\":14,"		\
	"\"abandon_rate\":6.67,\"service_level\":80,\"asa\":11.1,"	\
	"\"aht\":287.9,\"csat\":80},\"qa\":{}}}"

/* The clocks went back at 03:00 CEST: 02:00 comes twice. */
START_TEST(test_reply_report)
{
	yajl_val	 v;
	char		*s;

	v = parse(REPORT_REPLY);
	s = fmt_reply_report(v, 0);
	ck_assert_str_eq(s,
	    "queue: sales\n"
	    "date: 2026-10-25, time zone: Europe/Berlin, interval: 15m\n"
	    "time        offered  answered  abandon      sl    asa    aht"
	    "   csat\n"
	    "02:45 CEST       12        11     8.3%   75.0%  12.0s  5m10s"
	    "  80.0%\n"
	    "02:00 CET         3         3     0.0%  100.0%   4.5s  2m05s"
	    "      -\n"
	    "02:15 CET*        1         0     0.0%       -      -      -"
	    "      -\n"
	    "total            16        14     6.7%   80.0%  11.1s  4m48s"
	    "  80.0%\n"
	    "* the current interval, still open\n");
	free(s);

	s = fmt_csv_report(v);
	ck_assert_str_eq(s,
	    "start,time,open,offered,answered,abandon_rate,service_level,"
	    "asa,aht,csat\n"
	    "1792889100,02:45 CEST,0,12,11,8.333,75,12,310,80\n"
	    "1792890000,02:00 CET,0,3,3,0,100,4.5,125,\n"
	    "1792890900,02:15 CET,1,1,0,0,,,,\n"
	    ",total,,16,14,6.67,80,11.1,287.9,80\n");
	free(s);
	yajl_tree_free(v);

	/* A past day: no total, no open row; a day with nothing. */
	v = parse("{\"v\":1,\"ok\":true,\"scope\":\"global\",\"name\":\"\","
	    "\"date\":\"2026-11-21\",\"timezone\":\"local\","
	    "\"interval\":1800,\"rows\":[{\"start\":1795251600,"
	    "\"label\":\"09:00\",\"open\":false,\"kpis\":{\"offered\":2}}]}");
	s = fmt_reply_report(v, 0);
	ck_assert_str_eq(s,
	    "scope: global\n"
	    "date: 2026-11-21, time zone: local, interval: 30m\n"
	    "time   offered  answered  abandon  sl  asa  aht  csat\n"
	    "09:00        2         -        -   -    -    -     -\n");
	free(s);
	yajl_tree_free(v);
	v = parse("{\"v\":1,\"ok\":true,\"scope\":\"team\",\"name\":\"\\u001b[2J\","
	    "\"date\":\"2026-11-24\",\"timezone\":\"UTC\",\"interval\":900,"
	    "\"rows\":[]}");
	s = fmt_reply_report(v, 0);
	ck_assert_str_eq(s,
	    "team: \\x1b[2J\n"
	    "date: 2026-11-24, time zone: UTC, interval: 15m\n"
	    "no intervals\n");
	free(s);
	s = fmt_csv_report(v);
	ck_assert_str_eq(s, "start,time,open,offered,answered,abandon_rate,"
	    "service_level,asa,aht,csat\n");
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

START_TEST(test_sparkline)
{
	const double	 up[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const double	 gap[] = { 5, NAN, 5 };
	const double	 mid[] = { 0, 10, 5 };
	const double	 none[] = { NAN, NAN };
	char		*s;

	s = fmt_sparkline(up, 8, FMT_UTF8);
	ck_assert_str_eq(s, "\342\226\201\342\226\202\342\226\203\342\226\204"
	    "\342\226\205\342\226\206\342\226\207\342\226\210");
	free(s);
	s = fmt_sparkline(up, 8, 0);
	ck_assert_str_eq(s, "_.:-=+*#");
	free(s);
	/* A flat line is in the middle; no data is a space. */
	s = fmt_sparkline(gap, 3, FMT_UTF8);
	ck_assert_str_eq(s, "\342\226\204 \342\226\204");
	free(s);
	s = fmt_sparkline(gap, 3, 0);
	ck_assert_str_eq(s, "- -");
	free(s);
	/* 5 of 0..10 is level 3.5, rounded up. */
	s = fmt_sparkline(mid, 3, 0);
	ck_assert_str_eq(s, "_#=");
	free(s);
	s = fmt_sparkline(none, 2, FMT_UTF8);
	ck_assert_str_eq(s, "  ");
	free(s);
	s = fmt_sparkline(NULL, 0, FMT_UTF8);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_change)
{
	char		b[FMT_VALUE_MAX];
	enum fmt_style	st;

	ck_assert_str_eq(fmt_change("percent", "higher", 81.94, 79.6, 0, &st,
	    b, sizeof b), "+2.3%");
	ck_assert_int_eq(st, FMT_STYLE_GREEN);
	ck_assert_str_eq(fmt_change("percent", "higher", 81.94, 79.6,
	    FMT_ARROWS, &st, b, sizeof b), "\342\226\262 +2.3%");
	ck_assert_int_eq(st, FMT_STYLE_GREEN);
	ck_assert_str_eq(fmt_change("percent", "higher", 79.6, 81.94,
	    FMT_ARROWS, &st, b, sizeof b), "\342\226\274 -2.3%");
	ck_assert_int_eq(st, FMT_STYLE_RED);
	/* Up is worse when lower is better. */
	ck_assert_str_eq(fmt_change("seconds", "lower", 245, 240, 0, &st, b,
	    sizeof b), "+5.0s");
	ck_assert_int_eq(st, FMT_STYLE_RED);
	ck_assert_str_eq(fmt_change("seconds", "lower", 180, 245, 0, &st, b,
	    sizeof b), "-1m05s");
	ck_assert_int_eq(st, FMT_STYLE_GREEN);
	/* A volume has no better. */
	ck_assert_str_eq(fmt_change("count", "none", 10, 7, FMT_ARROWS, &st,
	    b, sizeof b), "\342\226\262 +3");
	ck_assert_int_eq(st, FMT_STYLE_NONE);
	ck_assert_str_eq(fmt_change("money", NULL, 3.456, 3.5, 0, &st, b,
	    sizeof b), "-0.04");
	ck_assert_int_eq(st, FMT_STYLE_NONE);
	/* No change at the precision shown: no sign, arrow or colour. */
	ck_assert_str_eq(fmt_change("percent", "higher", 72.52, 72.5,
	    FMT_ARROWS, &st, b, sizeof b), "0.0%");
	ck_assert_int_eq(st, FMT_STYLE_NONE);
	ck_assert_str_eq(fmt_change("percent", "higher", 72.5, NAN, 0, &st,
	    b, sizeof b), "-");
	ck_assert_int_eq(st, FMT_STYLE_NONE);
	ck_assert_str_eq(fmt_change("percent", "higher", NAN, 3, 0, &st, b,
	    sizeof b), "-");
}
END_TEST

START_TEST(test_csv)
{
	char	b[64];

	ck_assert_str_eq(fmt_csv_field(b, sizeof b, "plain"), "plain");
	ck_assert_str_eq(fmt_csv_field(b, sizeof b, ""), "");
	ck_assert_str_eq(fmt_csv_field(b, sizeof b, NULL), "");
	ck_assert_str_eq(fmt_csv_field(b, sizeof b, "a,b"), "\"a,b\"");
	ck_assert_str_eq(fmt_csv_field(b, sizeof b, "say \"hi\""),
	    "\"say \"\"hi\"\"\"");
	ck_assert_str_eq(fmt_csv_field(b, sizeof b, " pad"), "\" pad\"");
	ck_assert_str_eq(fmt_csv_field(b, sizeof b, "pad "), "\"pad \"");
	/* A line break cannot split a record. */
	ck_assert_str_eq(fmt_csv_field(b, sizeof b, "x\r\ny"),
	    "x\\x0d\\x0ay");
	/* Cut, but always closed. */
	ck_assert_str_eq(fmt_csv_field(b, 6, "a,bcdef"), "\"a,b\"");
	ck_assert_str_eq(fmt_csv_field(b, 2, "a,b"), "");

	ck_assert_str_eq(fmt_csv_number(81.94, b, sizeof b), "81.94");
	ck_assert_str_eq(fmt_csv_number(240, b, sizeof b), "240");
	ck_assert_str_eq(fmt_csv_number(0.1 + 0.2, b, sizeof b),
	    "0.30000000000000004");
	ck_assert_str_eq(fmt_csv_number(1e20, b, sizeof b), "1e+20");
	ck_assert_str_eq(fmt_csv_number(NAN, b, sizeof b), "");
}
END_TEST

START_TEST(test_parse_duration)
{
	long long	s = -7;

	ck_assert_int_eq(fmt_parse_duration("90", &s), 0);
	ck_assert_int_eq(s, 90);
	ck_assert_int_eq(fmt_parse_duration("90s", &s), 0);
	ck_assert_int_eq(s, 90);
	ck_assert_int_eq(fmt_parse_duration("30m", &s), 0);
	ck_assert_int_eq(s, 1800);
	ck_assert_int_eq(fmt_parse_duration("24h", &s), 0);
	ck_assert_int_eq(s, 86400);
	ck_assert_int_eq(fmt_parse_duration("7d", &s), 0);
	ck_assert_int_eq(s, 604800);
	ck_assert_int_eq(fmt_parse_duration("2w", &s), 0);
	ck_assert_int_eq(s, 1209600);
	ck_assert_int_eq(fmt_parse_duration("0", &s), 0);
	ck_assert_int_eq(s, 0);
	ck_assert_int_eq(fmt_parse_duration("9223372036854775807", &s), 0);
	ck_assert(s == 9223372036854775807LL);

	s = 42;
	ck_assert_int_eq(fmt_parse_duration("", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("h", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("-5m", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("+5m", &s), -1);
	ck_assert_int_eq(fmt_parse_duration(" 5m", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("5x", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("5mm", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("1.5h", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("9223372036854775808", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("9223372036854775807m", &s), -1);
	ck_assert_int_eq(fmt_parse_duration("99999999999999999999999", &s),
	    -1);
	ck_assert_int_eq(s, 42);
}
END_TEST

START_TEST(test_kpi_suggest)
{
	char	*s;

	/* The ids this relies on. */
	ck_assert_int_ge(kpi_lookup("aht"), 0);
	ck_assert_int_ge(kpi_lookup("hold_rate"), 0);

	s = fmt_kpi_suggest("ah");		/* a prefix */
	ck_assert_str_eq(s, "aht");
	free(s);
	s = fmt_kpi_suggest("ahtt");		/* a typo */
	ck_assert_str_eq(s, "aht");
	free(s);
	s = fmt_kpi_suggest("hold");
	ck_assert_str_eq(s, "hold_avg, hold_p50, hold_p90, hold_p99, "
	    "hold_rate");
	free(s);
	s = fmt_kpi_suggest("rate");		/* inside */
	ck_assert_str_eq(s, "abandon_rate, hold_rate, resolution_rate, "
	    "transfer_rate, repeat_rate");
	free(s);
	s = fmt_kpi_suggest("p99");
	ck_assert_str_eq(s, "wait_p99, talk_p99, hold_p99");
	free(s);
	s = fmt_kpi_suggest("satisfaction");
	ck_assert_str_eq(s, "");
	free(s);
	s = fmt_kpi_suggest("");
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_table_style)
{
	struct fmt_table	*t;
	char			*s;

	t = fmt_table_new(3);
	fmt_table_align(t, 1, FMT_ALIGN_RIGHT);
	fmt_table_add(t, "kpi");
	fmt_table_add(t, "status");
	fmt_table_add(t, "x");
	fmt_table_add(t, "sl");
	fmt_table_add_style(t, FMT_STYLE_GREEN, "ok");
	fmt_table_add_style(t, FMT_STYLE_BOLD, "b");
	fmt_table_add(t, "aht");
	fmt_table_add_style(t, FMT_STYLE_RED, "bad\033");
	fmt_table_add_style(t, FMT_STYLE_YELLOW, "y");

	s = fmt_table_render(t, FMT_HEADER);
	ck_assert_str_eq(s,
	    "kpi   status  x\n"
	    "sl        ok  b\n"
	    "aht  bad\\x1b  y\n");
	free(s);
	/* Escapes go around the text, never inside the padding. */
	s = fmt_table_render(t, FMT_HEADER | FMT_COLOR);
	ck_assert_str_eq(s,
	    "kpi   status  x\n"
	    "sl        \033[32mok\033[0m  b\n"
	    "aht  \033[31mbad\\x1b\033[0m  \033[33my\033[0m\n");
	free(s);
	s = fmt_table_render(t, FMT_BOLD);
	ck_assert_str_eq(s,
	    "kpi   status  x\n"
	    "sl        ok  \033[1mb\033[0m\n"
	    "aht  bad\\x1b  y\n");
	free(s);
	fmt_table_free(t);
}
END_TEST

START_TEST(test_reply_scorecard)
{
	yajl_val	 v;
	char		*s;

	v = parse(SCORECARD_JSON);
	s = fmt_reply_scorecard(v, 0);
	ck_assert_str_eq(s,
	    "queue: sales, window: 1h\n"
	    "kpi                        value  target  status  change  trend\n"
	    "Customer\n"
	    "  Service level            81.9%   80.0%  green    +2.3%  _ =#\n"
	    "  Average handle time      4m05s   4m00s  amber    +5.0s\n"
	    "  Average speed of answer      -       -  -            -\n"
	    "Financial\n"
	    "  Cost, \"all in\"            3.46    3.00  red      -0.04  #_\n"
	    "\n"
	    "perspective  weight  score\n"
	    "Customer         40   72.0\n"
	    "Financial      15.5      -\n"
	    "overall               78.4\n"
	    "\n"
	    "qa: greeting 90.0, tone -\n");
	free(s);

	/* A UTF-8 terminal with colour. */
	s = fmt_reply_scorecard(v, FMT_BOLD | FMT_COLOR | FMT_UTF8 |
	    FMT_ARROWS);
	ck_assert_str_eq(s,
	    "queue: sales, window: 1h\n"
	    "\033[1mkpi                        value  target  status   change  trend\033[0m\n"
	    "\033[1mCustomer\033[0m\n"
	    "  Service level            81.9%   80.0%  \033[32mgreen\033[0m   \033[32m\342\226\262 +2.3%\033[0m  \342\226\201 \342\226\205\342\226\210\n"
	    "  Average handle time      4m05s   4m00s  \033[33mamber\033[0m   \033[31m\342\226\262 +5.0s\033[0m\n"
	    "  Average speed of answer      -       -  -             -\n"
	    "\033[1mFinancial\033[0m\n"
	    "  Cost, \"all in\"            3.46    3.00  \033[31mred\033[0m     \033[32m\342\226\274 -0.04\033[0m  \342\226\210\342\226\201\n"
	    "\n"
	    "\033[1mperspective  weight  score\033[0m\n"
	    "Customer         40   72.0\n"
	    "Financial      15.5      -\n"
	    "\033[1moverall\033[0m               \033[1m78.4\033[0m\n"
	    "\n"
	    "qa: greeting 90.0, tone -\n");
	free(s);

	s = fmt_csv_scorecard(v);
	ck_assert_str_eq(s,
	    "perspective,id,title,unit,value,target,amber,status,previous,change\n"
	    "customer,service_level,Service level,percent,81.94,80,70,green,79.6,2.34\n"
	    "customer,aht,Average handle time,seconds,245,240,300,amber,240,5\n"
	    "customer,asa,Average speed of answer,seconds,,,,none,,\n"
	    "financial,cost_per_contact,\"Cost, \"\"all in\"\"\",money,3.456,3,4,red,3.5,-0.044\n");
	free(s);
	yajl_tree_free(v);

	v = parse("{\"v\":1,\"ok\":true,\"scope\":\"global\",\"name\":\"\","
	    "\"window\":\"5m\",\"overall\":null,\"perspectives\":[]}");
	s = fmt_reply_scorecard(v, 0);
	ck_assert_str_eq(s, "scope: global, window: 5m\nno perspectives\n");
	free(s);
	s = fmt_csv_scorecard(v);
	ck_assert_str_eq(s, "perspective,id,title,unit,value,target,amber,"
	    "status,previous,change\n");
	free(s);
	yajl_tree_free(v);
}
END_TEST

START_TEST(test_reply_history)
{
	yajl_val	 v;
	char		*s, *expect, *p;
	size_t		 i;

	v = parse("{\"v\":1,\"ok\":true,\"kpi\":\"aht\",\"scope\":\"queue\","
	    "\"name\":\"sales\",\"window\":\"1h\",\"points\":["
	    "[1795000000,245],[1795000300,null],[1795000600,250.2]]}");
	s = fmt_reply_history(v, 0);
	ck_assert_str_eq(s,
	    "kpi: aht, queue: sales, window: 1h\n"
	    "trend: _ #  min 4m05s, max 4m10s\n"
	    "time                 value\n"
	    "2026-11-18 11:06:40  4m05s\n"
	    "2026-11-18 11:11:40      -\n"
	    "2026-11-18 11:16:40  4m10s\n");
	free(s);
	s = fmt_reply_history(v, FMT_UTF8 | FMT_BOLD);
	ck_assert_str_eq(s,
	    "kpi: aht, queue: sales, window: 1h\n"
	    "trend: \342\226\201 \342\226\210  min 4m05s, max 4m10s\n"
	    "\033[1mtime                 value\033[0m\n"
	    "2026-11-18 11:06:40  4m05s\n"
	    "2026-11-18 11:11:40      -\n"
	    "2026-11-18 11:16:40  4m10s\n");
	free(s);
	s = fmt_csv_history(v);
	ck_assert_str_eq(s,
	    "time,value\n"
	    "2026-11-18T11:06:40Z,245\n"
	    "2026-11-18T11:11:40Z,\n"
	    "2026-11-18T11:16:40Z,250.2\n");
	free(s);
	yajl_tree_free(v);

	v = parse("{\"v\":1,\"ok\":true,\"kpi\":\"aht\",\"scope\":\"global\","
	    "\"name\":\"\",\"points\":[]}");
	s = fmt_reply_history(v, 0);
	ck_assert_str_eq(s, "kpi: aht, scope: global\nno history\n");
	free(s);
	s = fmt_csv_history(v);
	ck_assert_str_eq(s, "time,value\n");
	free(s);
	yajl_tree_free(v);

	/*
	 * 120 points, one a second, 0 then 100: the trend is cut into
	 * FMT_SPARK_MAX spans of time; point i falls in span
	 * floor(i * 60 / 119), so spans 0-29 hold the zeros.
	 */
	expect = xmalloc(16 * 1024);
	p = expect + sprintf(expect, "{\"kpi\":\"offered\",\"points\":[");
	for (i = 0; i < 120; i++)
		p += sprintf(p, "%s[%zu,%d]", i > 0 ? "," : "", 1000 + i,
		    i < 60 ? 0 : 100);
	sprintf(p, "]}");
	v = parse(expect);
	s = fmt_reply_history(v, 0);
	ck_assert_uint_eq(FMT_SPARK_MAX, 60);
	p = strchr(s, '\n') + 1;
	*strchr(p, '\n') = '\0';
	ck_assert_str_eq(p, "trend: "
	    "______________________________"
	    "##############################  min 0, max 100");
	free(s);
	yajl_tree_free(v);
	free(expect);
}
END_TEST

START_TEST(test_reply_live)
{
	yajl_val	 v;
	char		*s;

	v = parse(LIVE_JSON);
	s = fmt_reply_live(v, 0);
	ck_assert_str_eq(s,
	    "time: 2026-11-18 11:06:40\n"
	    "calls: 3 waiting (longest 1m05s), 5 talking, 1 on hold\n"
	    "agents: 12 logged in, 4 ready, 6 busy, 2 not ready, occupancy 60.0%\n"
	    "anomalies: 2 expired, 1 duplicates\n"
	    "\n"
	    "queue     waiting  longest  on hold     sl  answered  abandoned\n"
	    "sales           3    1m05s        1  81.9%       110         10\n"
	    "x\\x1b[2J        0        -        0      -         0          0\n"
	    "support        12    1h02m        0  50.0%         7          3\n"
	    "\n"
	    "agent  team  state          since  queue  reason\n"
	    "alice  blue  busy       3m05s ago  sales  -\n"
	    "bob    -     not ready    12s ago  -      lunch\n"
	    "carol  red   ready         0s ago  -      -\n");
	free(s);
	s = fmt_reply_live(v, FMT_COLOR);
	ck_assert_str_eq(s,
	    "time: 2026-11-18 11:06:40\n"
	    "calls: 3 waiting (longest 1m05s), 5 talking, 1 on hold\n"
	    "agents: 12 logged in, 4 ready, 6 busy, 2 not ready, occupancy 60.0%\n"
	    "anomalies: 2 expired, 1 duplicates\n"
	    "\n"
	    "queue     waiting  longest  on hold     sl  answered  abandoned\n"
	    "sales           3    1m05s        1  81.9%       110         10\n"
	    "x\\x1b[2J        0        -        0      -         0          0\n"
	    "support        12    1h02m        0  50.0%         7          3\n"
	    "\n"
	    "agent  team  state          since  queue  reason\n"
	    "alice  blue  \033[33mbusy\033[0m       3m05s ago  sales  -\n"
	    "bob    -     \033[31mnot ready\033[0m    12s ago  -      lunch\n"
	    "carol  red   \033[32mready\033[0m         0s ago  -      -\n");
	free(s);
	yajl_tree_free(v);

	v = parse("{\"v\":1,\"ok\":true,\"time\":null,\"totals\":{},"
	    "\"queues\":[],\"agents\":[]}");
	s = fmt_reply_live(v, 0);
	ck_assert_str_eq(s,
	    "time: -\n"
	    "calls: - waiting (longest -), - talking, - on hold\n"
	    "agents: - logged in, - ready, - busy, - not ready, "
	    "occupancy -\n"
	    "\n"
	    "no queues\n"
	    "\n"
	    "no agents\n");
	free(s);
	yajl_tree_free(v);
}
END_TEST

START_TEST(test_top_frame)
{
	yajl_val	 st, lv;
	char		*s;

	st = parse(STATUS_JSON);
	lv = parse(LIVE_JSON);

	/* Everything fits in height; lines are cut at 60 columns. */
	s = fmt_top_frame(st, lv, NULL, 0, 14, 60, 0);
	ck_assert_str_eq(s,
	    "callscore top  2026-11-18 11:06:40  41.7 events/s  3 connect\n"
	    "calls: 3 waiting (longest 1m05s), 5 talking, 1 on hold\n"
	    "\n"
	    "queue     waiting  longest  on hold     sl  answered  abando\n"
	    "sales           3    1m05s        1  81.9%       110\n"
	    "x\\x1b[2J        0        -        0      -         0\n"
	    "support        12    1h02m        0  50.0%         7\n"
	    "\n"
	    "agents: 12 logged in, 4 ready, 6 busy, 2 not ready, occupanc\n"
	    "\n"
	    "agent  team  state          since  queue  reason\n"
	    "alice  blue  busy       3m05s ago  sales  -\n"
	    "bob    -     not ready    12s ago  -      lunch\n"
	    "carol  red   ready         0s ago  -      -\n");
	free(s);

	/*
	 * 8 rows: 6 fixed lines leave 2, one queue and a line that says
	 * how many more; no room for agents.
	 */
	s = fmt_top_frame(st, lv, NULL, 0, 8, 60, 0);
	ck_assert_str_eq(s,
	    "callscore top  2026-11-18 11:06:40  41.7 events/s  3 connect\n"
	    "calls: 3 waiting (longest 1m05s), 5 talking, 1 on hold\n"
	    "\n"
	    "queue  waiting  longest  on hold     sl  answered  abandoned\n"
	    "sales        3    1m05s        1  81.9%       110         10\n"
	    "+2 more queues\n"
	    "\n"
	    "agents: 12 logged in, 4 ready, 6 busy, 2 not ready, occupanc\n");
	free(s);

	/* 10 rows: the queues fit, agents do not (a blank, header, one). */
	s = fmt_top_frame(st, lv, NULL, 0, 10, 30, 0);
	ck_assert_str_eq(s,
	    "callscore top  2026-11-18 11:0\n"
	    "calls: 3 waiting (longest 1m05\n"
	    "\n"
	    "queue     waiting  longest  on\n"
	    "sales           3    1m05s\n"
	    "x\\x1b[2J        0        -\n"
	    "support        12    1h02m\n"
	    "\n"
	    "agents: 12 logged in, 4 ready,\n");
	free(s);

	/* A cut inside a style resets it; none is added after a reset. */
	s = fmt_top_frame(st, lv, NULL, 0, 14, 17, FMT_BOLD | FMT_COLOR);
	ck_assert_str_eq(s,
	    "callscore top  20\n"
	    "calls: 3 waiting\n"
	    "\n"
	    "\033[1mqueue     waiting\033[0m\n"
	    "sales           3\n"
	    "x\\x1b[2J        0\n"
	    "support        12\n"
	    "\n"
	    "agents: 12 logged\n"
	    "\n"
	    "\033[1magent  team  stat\033[0m\n"
	    "alice  blue  \033[33mbusy\033[0m\n"
	    "bob    -     \033[31mnot\033[0m\n"
	    "carol  red   \033[32mread\033[0m\n");
	free(s);

	/* The hint only when it fits beside the header. */
	s = fmt_top_frame(NULL, NULL, "disconnected: cannot connect to /x\001",
	    1795000000, 24, 80, 0);
	ck_assert_str_eq(s,
	    "callscore top  2026-11-18 11:06:40                                       q: quit\n"
	    "disconnected: cannot connect to /x\\x01\n");
	free(s);
	s = fmt_top_frame(NULL, NULL, "disconnected", 1795000000, 1, 40, 0);
	ck_assert_str_eq(s, "callscore top  2026-11-18 11:06:40\n");
	free(s);
	s = fmt_top_frame(st, lv, NULL, 0, 0, 80, 0);
	ck_assert_str_eq(s, "");
	free(s);
	s = fmt_top_frame(st, lv, NULL, 0, 24, 0, 0);
	ck_assert_str_eq(s, "");
	free(s);

	yajl_tree_free(st);
	yajl_tree_free(lv);
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
	tcase_add_test(tc, test_sparkline);
	tcase_add_test(tc, test_change);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_parse_duration);
	tcase_add_test(tc, test_kpi_suggest);
	suite_add_tcase(s, tc);
	tc = tcase_create("table");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_table_style);
	suite_add_tcase(s, tc);
	tc = tcase_create("replies");
	tcase_add_test(tc, test_reply_status);
	tcase_add_test(tc, test_reply_kpi);
	tcase_add_test(tc, test_reply_list);
	tcase_add_test(tc, test_reply_snapshot);
	tcase_add_test(tc, test_reply_scorecard);
	tcase_add_test(tc, test_reply_history);
	tcase_add_test(tc, test_reply_live);
	tcase_add_test(tc, test_top_frame);
	tcase_add_test(tc, test_reply_report);
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
