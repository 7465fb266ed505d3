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

/* fmt_table_render() and fmt_reply_*() flags. */
#define FMT_HEADER	0x1	/* the first row is a header */
#define FMT_BOLD	0x2	/* embolden the header (ANSI); terminals only */

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

#endif
