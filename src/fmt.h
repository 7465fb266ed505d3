/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Human output of callscore(1): values formatted by unit, aligned text
 * tables, and the rendering of each control reply (ctl-proto.h).  Every
 * function is pure (no I/O, no clock) so that tests can compare exact
 * strings; the caller decides whether output may carry colour.
 */
#ifndef FMT_H
#define FMT_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#define FMT_VALUE_MAX	64	/* enough for any formatted value */

enum fmt_align {
	FMT_ALIGN_LEFT,
	FMT_ALIGN_RIGHT
};

/* Rendering flags; the caller decides what the output device allows. */
#define FMT_HEADER	0x1	/* the first row is a header */
#define FMT_BOLD	0x2	/* embolden the header (ANSI); terminals only */
#define FMT_COLOR	0x4	/* colour status and changes (ANSI) */
#define FMT_UTF8	0x8	/* block characters ▁▂▃▄▅▆▇█ in sparklines */
#define FMT_ARROWS	0x10	/* ▲/▼ before changes: a UTF-8 terminal */

#define FMT_SPARK_MAX	60	/* widest sparkline of a history reply */

/* A cell's style; shown only under FMT_COLOR (FMT_BOLD for bold). */
enum fmt_style {
	FMT_STYLE_NONE,
	FMT_STYLE_BOLD,
	FMT_STYLE_GREEN,
	FMT_STYLE_YELLOW,
	FMT_STYLE_RED
};

struct fmt_table;

/* "45.2s" below a minute, "3m05s", "1h02m", "2d03h"; NaN is "-". */
char		*fmt_duration(double, char *, size_t);
/* A value by kpi_info unit: count, percent, seconds, score, money. */
char		*fmt_value(const char *, double, char *, size_t);
/* Local time as "2026-11-22 20:05:12"; "-" if not representable. */
char		*fmt_time(double, char *, size_t);
/*
 * Copy peer-supplied text into dst so that it cannot drive a terminal:
 * C0 and C1 controls, DEL and invalid UTF-8 become \xNN; valid UTF-8
 * stays.  Truncates to fit dstlen.
 */
char		*fmt_escape(char *, size_t, const char *);
/* Columns a string occupies (UTF-8 code points). */
size_t		 fmt_width(const char *);

/* A table of ncols columns; cells are added row by row. */
struct fmt_table *fmt_table_new(size_t);
void		 fmt_table_free(struct fmt_table *);
void		 fmt_table_align(struct fmt_table *, size_t, enum fmt_align);
/* Append the next cell, escaped (copies it). */
void		 fmt_table_add(struct fmt_table *, const char *);
void		 fmt_table_addf(struct fmt_table *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* Append the next cell with a style. */
void		 fmt_table_add_style(struct fmt_table *, enum fmt_style,
		    const char *);
size_t		 fmt_table_rows(const struct fmt_table *);
/*
 * The table as text, columns two spaces apart and no trailing blanks;
 * caller frees.  A short last row is padded with empty cells.
 */
char		*fmt_table_render(const struct fmt_table *, int);

/* Renderings of a successful reply (borrowed); caller frees. */
char		*fmt_reply_status(yajl_val);
char		*fmt_reply_kpi(yajl_val, int);
/* kind is "queue", "agent" or "team". */
char		*fmt_reply_list(yajl_val, const char *, int);
char		*fmt_reply_snapshot(yajl_val);
char		*fmt_reply_scorecard(yajl_val, int);
char		*fmt_reply_history(yajl_val, int);
char		*fmt_reply_live(yajl_val, int);
/*
 * The interval report: one row per interval (the open one marked "*"),
 * then the day's total when the reply has one.
 */
char		*fmt_reply_report(yajl_val, int);
/* One CSV row per KPI, or per point, after a header row; caller frees. */
char		*fmt_csv_scorecard(yajl_val);
char		*fmt_csv_history(yajl_val);
/* One CSV row per interval, then "total"; after a header row. */
char		*fmt_csv_report(yajl_val);

/*
 * One screen of callscore top, at most rows lines of at most cols
 * columns, each ending in a newline; styles (FMT_BOLD, FMT_COLOR) never
 * count as columns and a cut resets them.  status and live are replies
 * (borrowed; either may be NULL).  error, if not NULL, is shown (escaped)
 * instead of them, such as "disconnected: <why>".  now is the client's
 * clock, shown when the replies carry no time.  Caller frees.
 */
char		*fmt_top_frame(yajl_val, yajl_val, const char *, double,
		    unsigned int, unsigned int, int);

/*
 * A sparkline of n values, one column each, NaN as a space; scaled
 * between their minimum and maximum.  Caller frees.
 */
char		*fmt_sparkline(const double *, size_t, int);
/*
 * The change from previous to value in unit, such as "+2.3%" or, under
 * FMT_ARROWS, "▲ +2.3%"; "-" when either is NaN.  *style is green when
 * the change is an improvement given direction (higher, lower or none),
 * red when it is worse.
 */
char		*fmt_change(const char *, const char *, double, double, int,
		    enum fmt_style *, char *, size_t);
/* A CSV field (RFC 4180), escaped as fmt_escape() and quoted if needed. */
char		*fmt_csv_field(char *, size_t, const char *);
/* A number exactly enough to read back; empty for NaN. */
char		*fmt_csv_number(double, char *, size_t);
/* "90", "30m", "24h", "7d", "2w" as seconds; -1 if not a duration. */
int		 fmt_parse_duration(const char *, long long *);
/*
 * The KPI ids close to an unknown name (it is a prefix of them, they
 * contain it, or it is one or two typos away), comma-separated; "" if
 * none.  Caller frees.
 */
char		*fmt_kpi_suggest(const char *);

#endif
