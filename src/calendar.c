/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Local calendar time.  Rather than trust mktime() with times that do
 * not exist or exist twice (a clock change at midnight, as some zones
 * have had), a day's start is found as the first second whose local
 * date is that day: a binary search over localtime_r(), exact to the
 * second and correct whatever the zone's rules, for the cost of a few
 * dozen conversions per request.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "xmalloc.h"

/* The system zone when TZ was unset, as glibc reads it. */
#define CALENDAR_LOCALTIME	":/etc/localtime"
/* A local date is within this of any instant of it, either way. */
#define CALENDAR_REACH		(50 * 3600)

static char	*calendar_cur;		/* name in use; NULL before first */
static char	*calendar_orig;		/* TZ at the first call */

static void	 calendar_local(int64_t, struct tm *);
static long	 calendar_key(const struct tm *);
static int64_t	 calendar_first(int64_t, int64_t, long);

void
calendar_zone(const char *name)
{
	const char	*tz;

	if (name == NULL)
		name = "";
	if (calendar_cur != NULL && strcmp(calendar_cur, name) == 0)
		return;
	if (calendar_cur == NULL) {
		tz = getenv("TZ");
		calendar_orig = xstrdup(tz != NULL ? tz : CALENDAR_LOCALTIME);
	}
	free(calendar_cur);
	calendar_cur = xstrdup(name);
	/*
	 * Always set, so that TZ stays in the environment and later calls
	 * only replace its value.
	 */
	setenv("TZ", *name != '\0' ? name : calendar_orig, 1);
	tzset();
}

static void
calendar_local(int64_t t, struct tm *tm)
{
	time_t	tt = (time_t)t;

	if (localtime_r(&tt, tm) == NULL)
		memset(tm, 0, sizeof *tm);
}

/* A local date as a number that orders like it. */
static long
calendar_key(const struct tm *tm)
{
	return (((long)tm->tm_year * 16 + tm->tm_mon) * 32 + tm->tm_mday);
}

/* The first t in (lo, hi] whose date key is >= want; key(lo) < want. */
static int64_t
calendar_first(int64_t lo, int64_t hi, long want)
{
	struct tm	tm;
	int64_t		mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		calendar_local(mid, &tm);
		if (calendar_key(&tm) >= want)
			hi = mid;
		else
			lo = mid;
	}
	return (hi);
}

int64_t
calendar_day_start(int64_t t)
{
	struct tm	tm;

	calendar_local(t, &tm);
	return (calendar_first(t - CALENDAR_REACH, t, calendar_key(&tm)));
}

int64_t
calendar_next_day(int64_t t)
{
	struct tm	tm;
	time_t		tt;

	/* The next date, by date arithmetic alone (timegm normalizes). */
	calendar_local(t, &tm);
	tm.tm_mday++;
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	tt = timegm(&tm);
	gmtime_r(&tt, &tm);
	return (calendar_first(t, t + CALENDAR_REACH, calendar_key(&tm)));
}

/* Offsets in use are whole minutes, so the local remainder is exact. */
int64_t
calendar_interval_start(int64_t t, int64_t interval)
{
	struct tm	tm;
	int64_t		local, rem;

	if (interval <= 0)
		return (t);
	calendar_local(t, &tm);
	local = t + tm.tm_gmtoff;
	rem = local % interval;
	if (rem < 0)
		rem += interval;
	return (t - rem);
}

int
calendar_parse_date(const char *s, int64_t *start)
{
	struct tm	tm;
	time_t		utc;
	int		y, m, d, i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return (-1);
		} else if (s[i] < '0' || s[i] > '9')
			return (-1);
	}
	if (s[10] != '\0')
		return (-1);
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return (-1);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	utc = timegm(&tm);
	gmtime_r(&utc, &tm);
	if (tm.tm_mday != d || tm.tm_mon != m - 1)
		return (-1);		/* 2026-02-30 */
	/* Local midnight is within 14 h of UTC midnight either way. */
	*start = calendar_first((int64_t)utc - 15 * 3600 - 1,
	    (int64_t)utc + 15 * 3600, calendar_key(&tm));
	return (0);
}

char *
calendar_date(int64_t t, char *buf, size_t len)
{
	struct tm	tm;

	calendar_local(t, &tm);
	snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	return (buf);
}

char *
calendar_label(int64_t t, char *buf, size_t len)
{
	static const int64_t	 shifts[] = { 3600, -3600, 1800, -1800 };
	struct tm		 tm, o;
	size_t			 i;
	int			 twice = 0;

	calendar_local(t, &tm);
	for (i = 0; i < sizeof shifts / sizeof shifts[0]; i++) {
		calendar_local(t + shifts[i], &o);
		if (o.tm_gmtoff != tm.tm_gmtoff && o.tm_hour == tm.tm_hour &&
		    o.tm_min == tm.tm_min && o.tm_mday == tm.tm_mday)
			twice = 1;
	}
	if (twice && tm.tm_zone != NULL)
		snprintf(buf, len, "%02d:%02d %s", tm.tm_hour, tm.tm_min,
		    tm.tm_zone);
	else
		snprintf(buf, len, "%02d:%02d", tm.tm_hour, tm.tm_min);
	return (buf);
}
