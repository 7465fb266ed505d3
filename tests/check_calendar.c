/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for calendar.c (local midnight, interval starts, dates and labels
 * in UTC, Europe/Berlin across both clock changes of 2026, Asia/Kathmandu
 * at +05:45 and America/Santiago, whose midnight does not exist on the
 * day its clocks go forward), the calendar ring conf_all_windows() adds,
 * and ring_sum_range() over it with an injected clock.  Expected epochs
 * were worked out by hand from the zones' offsets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "agg.h"
#include "calendar.h"
#include "conf.h"
#include "window.h"

#define T_UTC_0907	1795338450	/* 2026-11-22 09:07:30Z */
#define T_UTC_DAY	1795305600	/* 2026-11-22 00:00Z */
#define T_UTC_NEXT	1795392000	/* 2026-11-23 00:00Z */

static int64_t	 intervals_in_day(int64_t, int64_t);

/* Interval starts from t's local midnight to the next one. */
static int64_t
intervals_in_day(int64_t t, int64_t interval)
{
	int64_t	start, end, n = 0, i;

	start = calendar_day_start(t);
	end = calendar_next_day(t);
	for (i = start; i < end; i += interval) {
		ck_assert_int_eq(calendar_interval_start(i, interval), i);
		n++;
	}
	return (n);
}

START_TEST(test_utc)
{
	char	buf[CALENDAR_LABEL_MAX];
	int64_t	t;

	calendar_zone("UTC");
	ck_assert_int_eq(calendar_day_start(T_UTC_0907), T_UTC_DAY);
	ck_assert_int_eq(calendar_day_start(T_UTC_DAY), T_UTC_DAY);
	ck_assert_int_eq(calendar_day_start(T_UTC_DAY - 1), T_UTC_DAY - 86400);
	ck_assert_int_eq(calendar_next_day(T_UTC_0907), T_UTC_NEXT);
	ck_assert_int_eq(calendar_next_day(T_UTC_DAY), T_UTC_NEXT);
	/* 09:07:30 is in 09:00-09:15 and 09:00-09:30. */
	ck_assert_int_eq(calendar_interval_start(T_UTC_0907, 900),
	    T_UTC_DAY + 9 * 3600);
	ck_assert_int_eq(calendar_interval_start(T_UTC_0907, 1800),
	    T_UTC_DAY + 9 * 3600);
	ck_assert_int_eq(calendar_interval_start(T_UTC_DAY + 9 * 3600 + 1799,
	    1800), T_UTC_DAY + 9 * 3600);
	ck_assert_int_eq(calendar_interval_start(T_UTC_DAY + 9 * 3600 + 1800,
	    1800), T_UTC_DAY + 9 * 3600 + 1800);
	ck_assert_int_eq(intervals_in_day(T_UTC_0907, 900), 96);
	ck_assert_int_eq(intervals_in_day(T_UTC_0907, 1800), 48);

	ck_assert_str_eq(calendar_date(T_UTC_0907, buf, sizeof buf),
	    "2026-11-22");
	ck_assert_str_eq(calendar_label(T_UTC_0907, buf, sizeof buf),
	    "09:07");
	ck_assert_int_eq(calendar_parse_date("2026-11-22", &t), 0);
	ck_assert_int_eq(t, T_UTC_DAY);
}
END_TEST

START_TEST(test_parse_date)
{
	int64_t	t = 7;

	calendar_zone("UTC");
	ck_assert_int_eq(calendar_parse_date("2026-11-23", &t), 0);
	ck_assert_int_eq(t, T_UTC_NEXT);
	ck_assert_int_eq(calendar_parse_date("2024-02-29", &t), 0);
	ck_assert_int_eq(t, 1709164800);
	t = 7;
	ck_assert_int_eq(calendar_parse_date("2026-02-29", &t), -1);
	ck_assert_int_eq(calendar_parse_date("2026-02-30", &t), -1);
	ck_assert_int_eq(calendar_parse_date("2026-13-01", &t), -1);
	ck_assert_int_eq(calendar_parse_date("2026-00-10", &t), -1);
	ck_assert_int_eq(calendar_parse_date("2026-1-10", &t), -1);
	ck_assert_int_eq(calendar_parse_date("2026-11-22x", &t), -1);
	ck_assert_int_eq(calendar_parse_date("2026/11/22", &t), -1);
	ck_assert_int_eq(calendar_parse_date("", &t), -1);
	ck_assert_int_eq(calendar_parse_date("1969-12-31", &t), -1);
	ck_assert_int_eq(calendar_parse_date("today", &t), -1);
	ck_assert_int_eq(t, 7);
}
END_TEST

/* 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00Z; 23 hours. */
START_TEST(test_berlin_spring)
{
	char	buf[CALENDAR_LABEL_MAX];
	int64_t	t, noon = 1774779600;	/* 10:20Z = 12:20 CEST */

	calendar_zone("Europe/Berlin");
	/* 00:00 CET = 2026-03-28 23:00Z; next 00:00 CEST = 22:00Z. */
	ck_assert_int_eq(calendar_day_start(noon), 1774738800);
	ck_assert_int_eq(calendar_next_day(noon), 1774821600);
	ck_assert_int_eq(calendar_parse_date("2026-03-29", &t), 0);
	ck_assert_int_eq(t, 1774738800);
	ck_assert_int_eq(intervals_in_day(noon, 900), 92);
	ck_assert_int_eq(intervals_in_day(noon, 1800), 46);
	ck_assert_int_eq(calendar_interval_start(noon, 900), noon - 300);
	/* 01:59:59 CET and 03:00 CEST are one second apart. */
	ck_assert_int_eq(calendar_interval_start(1774745999, 900),
	    1774745100);
	ck_assert_str_eq(calendar_label(1774745100, buf, sizeof buf),
	    "01:45");
	ck_assert_str_eq(calendar_label(1774746000, buf, sizeof buf),
	    "03:00");
	ck_assert_str_eq(calendar_date(1774738800, buf, sizeof buf),
	    "2026-03-29");
	ck_assert_str_eq(calendar_date(1774738799, buf, sizeof buf),
	    "2026-03-28");
}
END_TEST

/* 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00Z; 25 hours. */
START_TEST(test_berlin_autumn)
{
	char	buf[CALENDAR_LABEL_MAX];
	int64_t	t, first = 1792889400, second = 1792890600;

	calendar_zone("Europe/Berlin");
	ck_assert_int_eq(calendar_day_start(first), 1792879200);
	ck_assert_int_eq(calendar_day_start(second), 1792879200);
	ck_assert_int_eq(calendar_next_day(second), 1792969200);
	ck_assert_int_eq(calendar_parse_date("2026-10-25", &t), 0);
	ck_assert_int_eq(t, 1792879200);
	ck_assert_int_eq(intervals_in_day(first, 900), 100);
	ck_assert_int_eq(intervals_in_day(first, 1800), 50);
	/* 02:50 CEST and 02:10 CET: the hour that comes twice. */
	ck_assert_int_eq(calendar_interval_start(first, 900), 1792889100);
	ck_assert_int_eq(calendar_interval_start(second, 900), 1792890000);
	ck_assert_str_eq(calendar_label(1792889100, buf, sizeof buf),
	    "02:45 CEST");
	ck_assert_str_eq(calendar_label(1792890000, buf, sizeof buf),
	    "02:00 CET");
	ck_assert_str_eq(calendar_label(1792886400, buf, sizeof buf),
	    "02:00 CEST");
	ck_assert_str_eq(calendar_label(1792879200, buf, sizeof buf),
	    "00:00");
	ck_assert_str_eq(calendar_label(1792893600, buf, sizeof buf),
	    "03:00");
}
END_TEST

/* +05:45: midnight and the half hours fall on UTC quarter hours. */
START_TEST(test_kathmandu)
{
	char	buf[CALENDAR_LABEL_MAX];
	int64_t	t, now = 1795320600;	/* 04:10Z = 09:55 local */

	calendar_zone("Asia/Kathmandu");
	ck_assert_int_eq(calendar_day_start(now), 1795284900);
	ck_assert_int_eq(calendar_next_day(now), 1795284900 + 86400);
	ck_assert_int_eq(calendar_parse_date("2026-11-22", &t), 0);
	ck_assert_int_eq(t, 1795284900);
	ck_assert_int_eq(calendar_interval_start(now, 900), 1795320000);
	ck_assert_int_eq(calendar_interval_start(now, 1800), 1795319100);
	ck_assert_str_eq(calendar_label(1795319100, buf, sizeof buf),
	    "09:30");
	ck_assert_int_eq(intervals_in_day(now, 1800), 48);
	/* Every boundary is a multiple of the calendar ring's slot. */
	ck_assert_int_eq(1795284900 % CALENDAR_SLOT, 0);
	ck_assert_int_eq(1795319100 % CALENDAR_SLOT, 0);
}
END_TEST

/* 2026-09-06 starts at 01:00 -03: 00:00 -04 never happens. */
START_TEST(test_santiago)
{
	char	buf[CALENDAR_LABEL_MAX];
	int64_t	t, noon = 1788706800;	/* 15:00Z = 12:00 -03 */

	calendar_zone("America/Santiago");
	ck_assert_int_eq(calendar_day_start(noon), 1788667200);
	ck_assert_int_eq(calendar_next_day(noon), 1788750000);
	ck_assert_int_eq(calendar_parse_date("2026-09-06", &t), 0);
	ck_assert_int_eq(t, 1788667200);
	ck_assert_str_eq(calendar_label(1788667200, buf, sizeof buf),
	    "01:00");
	ck_assert_int_eq(intervals_in_day(noon, 900), 92);
}
END_TEST

/* Switching back to the process's own zone. */
START_TEST(test_zone_switch)
{
	calendar_zone("Asia/Kathmandu");
	calendar_zone("Asia/Kathmandu");
	ck_assert_int_eq(calendar_day_start(T_UTC_0907), 1795284900);
	calendar_zone("UTC");
	ck_assert_int_eq(calendar_day_start(T_UTC_0907), T_UTC_DAY);
	calendar_zone(NULL);	/* TZ=UTC, set by main() */
	ck_assert_int_eq(calendar_day_start(T_UTC_0907), T_UTC_DAY);
	calendar_zone("Europe/Berlin");
	ck_assert_int_eq(calendar_day_start(T_UTC_0907), T_UTC_DAY - 3600);
	calendar_zone("");
	ck_assert_int_eq(calendar_day_start(T_UTC_0907), T_UTC_DAY);
}
END_TEST

START_TEST(test_all_windows)
{
	struct window_def	 defs[CONF_WINDOWS_MAX + 1];
	struct conf		*c;
	size_t			 n;

	c = conf_default();
	n = conf_all_windows(c, defs);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(defs[0].name, "5m");
	ck_assert_str_eq(defs[3].name, "24h");
	ck_assert_str_eq(defs[4].name, "calendar");
	ck_assert_uint_eq(defs[4].slot_ms, 900000);
	ck_assert_uint_eq(defs[4].nslots, 102);
	ck_assert_uint_eq(defs[4].span_ms, 102 * 900000ULL);
	/* The calendar ring is no configured window. */
	ck_assert_ptr_null(conf_window(c, "calendar"));
	conf_free(c);
}
END_TEST

/* One answered call, offered once. */
static void
contrib_one(struct contrib *c)
{
	memset(c, 0, sizeof *c);
	c->delta.offered = 1;
	c->delta.answered = 1;
}

START_TEST(test_sum_range)
{
	struct window_def	 defs[CONF_WINDOWS_MAX + 1];
	const struct window_def	*def;
	struct sketch_pool	*pool;
	struct conf		*conf;
	struct ring		*r;
	struct contrib		 c;
	struct agg		 a;
	uint64_t		 day = (uint64_t)T_UTC_DAY * 1000, now, h = 3600000;
	int			 i;

	conf = conf_default();
	def = &defs[conf_all_windows(conf, defs) - 1];
	pool = sketch_pool_new();
	r = ring_new(def);
	contrib_one(&c);
	now = day + 9 * h + 7 * 60000;		/* 09:07 */
	/* Yesterday 23:50, today 00:00, 08:59, 09:00 and twice 09:05. */
	ck_assert_int_eq(ring_add(r, def, day - 600000, now, &c, pool), 0);
	ck_assert_int_eq(ring_add(r, def, day, now, &c, pool), 0);
	ck_assert_int_eq(ring_add(r, def, day + 9 * h - 60000, now, &c,
	    pool), 0);
	ck_assert_int_eq(ring_add(r, def, day + 9 * h, now, &c, pool), 0);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(ring_add(r, def, day + 9 * h + 300000, now,
		    &c, pool), 0);
	/* Older than the ring: refused. */
	ck_assert_int_eq(ring_add(r, def, now - 26 * h, now, &c, pool), -1);

	ring_sum_range(r, def, day, UINT64_MAX, now, &a, pool);
	ck_assert_uint_eq(a.offered, 5);		/* today */
	agg_clear(&a, pool);
	ring_sum_range(r, def, day + 9 * h, UINT64_MAX, now, &a, pool);
	ck_assert_uint_eq(a.offered, 3);		/* 09:00-09:15 */
	agg_clear(&a, pool);
	ring_sum_range(r, def, day + 8 * h + 45 * 60000, day + 9 * h, now,
	    &a, pool);
	ck_assert_uint_eq(a.offered, 1);		/* 08:45-09:00 */
	agg_clear(&a, pool);
	ring_sum(r, def, now, &a, pool);
	ck_assert_uint_eq(a.offered, 6);		/* the whole ring */
	agg_clear(&a, pool);

	/* A 30-minute interval is two slots: 08:30-09:00. */
	ring_sum_range(r, def, day + 8 * h + 30 * 60000, day + 9 * h, now,
	    &a, pool);
	ck_assert_uint_eq(a.offered, 1);
	agg_clear(&a, pool);
	ring_sum_range(r, def, day + 9 * h, day + 9 * h, now, &a, pool);
	ck_assert_uint_eq(a.offered, 0);

	/* 25 h 20 min on, only today's 09:00 slot is left in the ring. */
	now += 25 * h + 20 * 60000;
	ring_sum_range(r, def, 0, UINT64_MAX, now, &a, pool);
	ck_assert_uint_eq(a.offered, 3);
	agg_clear(&a, pool);
	now += 5 * 60000;
	ring_sum_range(r, def, 0, UINT64_MAX, now, &a, pool);
	ck_assert_uint_eq(a.offered, 0);

	ring_free(r, pool);
	sketch_pool_free(pool);
	conf_free(conf);
}
END_TEST

static Suite *
calendar_suite(void)
{
	Suite	*s = suite_create("calendar");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_utc);
	tcase_add_test(tc, test_parse_date);
	tcase_add_test(tc, test_berlin_spring);
	tcase_add_test(tc, test_berlin_autumn);
	tcase_add_test(tc, test_kathmandu);
	tcase_add_test(tc, test_santiago);
	tcase_add_test(tc, test_zone_switch);
	tcase_add_test(tc, test_all_windows);
	tcase_add_test(tc, test_sum_range);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	/* The process's own zone, for calendar_zone(NULL). */
	setenv("TZ", "UTC", 1);
	sr = srunner_create(calendar_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
