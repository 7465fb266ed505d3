/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Local calendar time for the calendar windows (today, the current
 * interval) and the interval report: local midnight, interval starts,
 * dates and labels in the configured time zone, through the C library's
 * own zone database.  Times are epoch seconds.
 *
 * The zone is the process's (TZ): calendar_zone() sets it and is cheap
 * when the name is unchanged.  Call it once before any thread starts so
 * that TZ is in the environment from then on; later changes (a reload)
 * only replace its value.
 */
#ifndef CALENDAR_H
#define CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define CALENDAR_DATE_MAX	16	/* "2026-11-22" */
#define CALENDAR_LABEL_MAX	32	/* "02:00 CEST" */

/*
 * The calendar ring's slots: every UTC offset in use is a multiple of 15
 * minutes, so 15-minute slots since the epoch start on local quarter
 * hours in every zone, and a 15- or 30-minute interval is one or two of
 * them.  The ring spans the longest day (25 h) plus an interval, so the
 * whole local day is always inside it.
 */
#define CALENDAR_SLOT		900		/* seconds */
#define CALENDAR_SPAN		(25 * 3600 + 1800)
#define CALENDAR_RING		"calendar"	/* its window name */

/* Use the IANA zone name (NULL or "": the local time the process had). */
void		 calendar_zone(const char *);
/* Local midnight starting the day that holds t. */
int64_t		 calendar_day_start(int64_t);
/* The next local midnight after t (the end of t's day). */
int64_t		 calendar_next_day(int64_t);
/* Start of the local interval of the given seconds (divides 1 h) at t. */
int64_t		 calendar_interval_start(int64_t, int64_t);
/* "YYYY-MM-DD" as its local midnight; -1 if not a valid date. */
int		 calendar_parse_date(const char *, int64_t *);
/* The local date of t as "YYYY-MM-DD". */
char		*calendar_date(int64_t, char *, size_t);
/*
 * The local time of t as "HH:MM", followed by the zone abbreviation when
 * that time occurs twice in the day (the hour repeated when clocks go
 * back), as "02:00 CEST" and "02:00 CET".
 */
char		*calendar_label(int64_t, char *, size_t);

#endif
