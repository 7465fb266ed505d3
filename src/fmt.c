/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Human output of callscore(1); see fmt.h.  Replies come from the daemon
 * but names in them come from whatever fed the daemon (a PBX), so every
 * string that reaches a cell is escaped, and a missing or mistyped field
 * shows as "-" rather than failing the whole command.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "fmt.h"
#include "kpi.h"
#include "log.h"
#include "xmalloc.h"

#define FMT_CELL_MAX	1024	/* longest cell shown, escaped */

struct fmt_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

struct fmt_table {
	size_t		 ncols;
	enum fmt_align	*align;
	char		**cells;
	enum fmt_style	*styles;	/* one per cell */
	size_t		 ncells;
	size_t		 cellcap;
};

/* The lines of a top frame, before they are cut to the screen. */
struct fmt_lines {
	char	**v;
	size_t	  n;
};

/* A column of a list reply: KPI id and header word. */
struct fmt_column {
	const char	*id;
	const char	*header;
};

static void	 buf_add(struct fmt_buf *, const char *, size_t);
static void	 buf_printf(struct fmt_buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static char	*buf_finish(struct fmt_buf *);
static size_t	 utf8_len(const unsigned char *);
static double	 nozero(double, double);
static yajl_val	 json_get(yajl_val, const char *);
static double	 json_num(yajl_val);
static const char *json_str(yajl_val);
static const char *count_str(yajl_val, char *, size_t);
static const char *unit_of(const char *);
static int	 name_add(const char ***, size_t *, const char *);
static const char *style_code(enum fmt_style, int);
static void	 scope_header(struct fmt_buf *, yajl_val, const char *);
static double	*json_numbers(yajl_val, size_t *);
static size_t	 edit_distance(const char *, const char *);
static enum fmt_style status_style(const char *);
static void	 csv_record(struct fmt_buf *, const char **, size_t);
static void	 history_point(yajl_val, double *, double *);
static double	*history_resample(yajl_val, size_t, size_t *);
static char	*fmt_ago(double, double, char *, size_t);
static const char *agent_state(const char *, enum fmt_style *);
static char	*live_queues(yajl_val, size_t, int);
static char	*live_agents(yajl_val, double, size_t, int);
static void	 live_calls(struct fmt_buf *, yajl_val);
static void	 live_staff(struct fmt_buf *, yajl_val);
static void	 lines_add(struct fmt_lines *, const char *);
static void	 lines_addf(struct fmt_lines *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 line_cut(struct fmt_buf *, const char *, unsigned int);
static void	 report_row(struct fmt_table *, const char *, yajl_val);

static const struct fmt_column fmt_queue_columns[] = {
	{ "offered", "offered" },
	{ "answered", "answered" },
	{ "abandon_rate", "abandon" },
	{ "service_level", "sl" },
	{ "asa", "asa" },
	{ "aht", "aht" },
	{ "csat", "csat" },
	{ "fcr", "fcr" },
};

/* The interval report: what a supervisor reads per interval. */
static const struct fmt_column fmt_report_columns[] = {
	{ "offered", "offered" },
	{ "answered", "answered" },
	{ "abandon_rate", "abandon" },
	{ "service_level", "sl" },
	{ "asa", "asa" },
	{ "aht", "aht" },
	{ "csat", "csat" },
};
#define FMT_REPORT_NCOLS \
	(sizeof fmt_report_columns / sizeof fmt_report_columns[0])

static const struct fmt_column fmt_agent_columns[] = {
	{ "answered", "answered" },
	{ "aht", "aht" },
	{ "hold_avg", "hold" },
	{ "csat", "csat" },
	{ "qa_score", "qa" },
	{ "fcr", "fcr" },
};

/* The SGR parameter of a style, or NULL if flags do not allow it. */
static const char *
style_code(enum fmt_style style, int flags)
{
	switch (style) {
	case FMT_STYLE_NONE:
		break;
	case FMT_STYLE_BOLD:
		return ((flags & FMT_BOLD) ? "1" : NULL);
	case FMT_STYLE_GREEN:
		return ((flags & FMT_COLOR) ? "32" : NULL);
	case FMT_STYLE_YELLOW:
		return ((flags & FMT_COLOR) ? "33" : NULL);
	case FMT_STYLE_RED:
		return ((flags & FMT_COLOR) ? "31" : NULL);
	}
	return (NULL);
}

static void
buf_add(struct fmt_buf *b, const char *s, size_t n)
{
	size_t	need;

	need = b->len + n + 1;
	if (need > b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap;
		while (b->cap < need)
			b->cap *= 2;
		b->s = xreallocarray(b->s, 1, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_printf(struct fmt_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[256], *s;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		buf_add(b, small, (size_t)n);
		return;
	}
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_add(b, s, (size_t)n);
	free(s);
}

/* The text built so far, never NULL; caller frees. */
static char *
buf_finish(struct fmt_buf *b)
{
	if (b->s == NULL)
		return (xstrdup(""));
	return (b->s);
}

/* Length of the valid UTF-8 sequence at s that is not a control; 0 if none. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char	c = s[0];

	if (c >= 0x20 && c < 0x7f)
		return (1);
	if (c >= 0xc2 && c <= 0xdf) {
		/* U+0080-U+009F are the C1 controls (0xc2 0x80-0x9f). */
		if (c == 0xc2 && s[1] < 0xa0)
			return (0);
		return ((s[1] & 0xc0) == 0x80 ? 2 : 0);
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0 && (s[1] < 0xa0 || s[1] > 0xbf))
			return (0);
		if (c == 0xed && (s[1] < 0x80 || s[1] > 0x9f))
			return (0);
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return (0);
		return (3);
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0 && (s[1] < 0x90 || s[1] > 0xbf))
			return (0);
		if (c == 0xf4 && (s[1] < 0x80 || s[1] > 0x8f))
			return (0);
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return (0);
		return (4);
	}
	return (0);
}

char *
fmt_escape(char *dst, size_t dstlen, const char *src)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 o = 0, n;

	if (dstlen == 0)
		return (dst);
	/* utf8_len() stops at the NUL, so it never reads past the string. */
	while (*s != '\0') {
		if ((n = utf8_len(s)) != 0) {
			if (o + n >= dstlen)
				break;
			memcpy(dst + o, s, n);
			o += n;
			s += n;
		} else {
			if (o + 4 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[*s >> 4];
			dst[o++] = hex[*s & 15];
			s++;
		}
	}
	dst[o] = '\0';
	return (dst);
}

size_t
fmt_width(const char *s)
{
	size_t	w = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	}
	return (w);
}

/* v, or 0 if it would print as "-0" at precision unit. */
static double
nozero(double v, double unit)
{
	if (fabs(v) < unit / 2)
		return (0);
	return (v);
}

char *
fmt_duration(double secs, char *buf, size_t len)
{
	const char	*sign = secs < 0 ? "-" : "";
	double		 a = fabs(secs);
	long long	 t;

	if (!isfinite(secs)) {
		snprintf(buf, len, "-");
		return (buf);
	}
	if (round(a * 10) / 10 < 60) {
		snprintf(buf, len, "%s%.1fs", round(a * 10) == 0 ? "" : sign,
		    a);
		return (buf);
	}
	if (a > 1e15) {
		snprintf(buf, len, "%s%.3gs", sign, a);
		return (buf);
	}
	if ((t = llround(a)) < 3600) {
		snprintf(buf, len, "%s%lldm%02llds", sign, t / 60, t % 60);
		return (buf);
	}
	if ((t = llround(a / 60)) < 24 * 60) {
		snprintf(buf, len, "%s%lldh%02lldm", sign, t / 60, t % 60);
		return (buf);
	}
	t = llround(a / 3600);
	snprintf(buf, len, "%s%lldd%02lldh", sign, t / 24, t % 24);
	return (buf);
}

char *
fmt_value(const char *unit, double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (unit == NULL)
		snprintf(buf, len, "%g", v);
	else if (strcmp(unit, "count") == 0)
		snprintf(buf, len, "%.0f", nozero(v, 1));
	else if (strcmp(unit, "percent") == 0)
		snprintf(buf, len, "%.1f%%", nozero(v, 0.1));
	else if (strcmp(unit, "seconds") == 0)
		fmt_duration(v, buf, len);
	else if (strcmp(unit, "score") == 0)
		snprintf(buf, len, "%.1f", nozero(v, 0.1));
	else if (strcmp(unit, "money") == 0)
		snprintf(buf, len, "%.2f", nozero(v, 0.01));
	else
		snprintf(buf, len, "%g", v);
	return (buf);
}

char *
fmt_time(double t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt;

	/* Up to 9999-12-31, as strftime's %Y would widen beyond. */
	if (!isfinite(t) || t < 0 || t > 253402300799.0) {
		snprintf(buf, len, "-");
		return (buf);
	}
	tt = (time_t)t;
	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
	return (buf);
}

struct fmt_table *
fmt_table_new(size_t ncols)
{
	struct fmt_table	*t;

	t = xcalloc(1, sizeof *t);
	t->ncols = ncols == 0 ? 1 : ncols;
	t->align = xcalloc(t->ncols, sizeof *t->align);
	return (t);
}

void
fmt_table_free(struct fmt_table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->styles);
	free(t->align);
	free(t);
}

void
fmt_table_align(struct fmt_table *t, size_t col, enum fmt_align align)
{
	if (col < t->ncols)
		t->align[col] = align;
}

void
fmt_table_add(struct fmt_table *t, const char *s)
{
	fmt_table_add_style(t, FMT_STYLE_NONE, s);
}

void
fmt_table_add_style(struct fmt_table *t, enum fmt_style style, const char *s)
{
	char	cell[FMT_CELL_MAX];

	if (t->ncells == t->cellcap) {
		t->cellcap = t->cellcap == 0 ? 64 : t->cellcap * 2;
		t->cells = xreallocarray(t->cells, t->cellcap,
		    sizeof *t->cells);
		t->styles = xreallocarray(t->styles, t->cellcap,
		    sizeof *t->styles);
	}
	fmt_escape(cell, sizeof cell, s != NULL ? s : "");
	t->styles[t->ncells] = style;
	t->cells[t->ncells++] = xstrdup(cell);
}

void
fmt_table_addf(struct fmt_table *t, const char *fmt, ...)
{
	va_list	ap;
	char	cell[FMT_CELL_MAX];

	/* Cells are cut at FMT_CELL_MAX anyway. */
	va_start(ap, fmt);
	if (vsnprintf(cell, sizeof cell, fmt, ap) < 0)
		cell[0] = '\0';
	va_end(ap);
	fmt_table_add(t, cell);
}

size_t
fmt_table_rows(const struct fmt_table *t)
{
	return ((t->ncells + t->ncols - 1) / t->ncols);
}

char *
fmt_table_render(const struct fmt_table *t, int flags)
{
	struct fmt_buf	 out = { NULL, 0, 0 }, line;
	size_t		*width, nrows, r, c, w, i;
	const char	*cell, *code;

	nrows = fmt_table_rows(t);
	width = xcalloc(t->ncols, sizeof *width);
	for (i = 0; i < t->ncells; i++) {
		if ((w = fmt_width(t->cells[i])) > width[i % t->ncols])
			width[i % t->ncols] = w;
	}
	for (r = 0; r < nrows; r++) {
		memset(&line, 0, sizeof line);
		for (c = 0; c < t->ncols; c++) {
			i = r * t->ncols + c;
			cell = i < t->ncells ? t->cells[i] : "";
			w = fmt_width(cell);
			if (c > 0)
				buf_add(&line, "  ", 2);
			if (t->align[c] == FMT_ALIGN_RIGHT) {
				for (; w < width[c]; w++)
					buf_add(&line, " ", 1);
			}
			/* Escapes outside the padding: widths stay right. */
			code = i < t->ncells ? style_code(t->styles[i], flags) :
			    NULL;
			if (code != NULL)
				buf_printf(&line, "\033[%sm", code);
			buf_add(&line, cell, strlen(cell));
			if (code != NULL)
				buf_add(&line, "\033[0m", 4);
			if (t->align[c] == FMT_ALIGN_LEFT) {
				for (; w < width[c]; w++)
					buf_add(&line, " ", 1);
			}
		}
		while (line.len > 0 && line.s[line.len - 1] == ' ')
			line.s[--line.len] = '\0';
		if (r == 0 && (flags & FMT_HEADER) && (flags & FMT_BOLD))
			buf_printf(&out, "\033[1m%s\033[0m\n",
			    line.s != NULL ? line.s : "");
		else
			buf_printf(&out, "%s\n", line.s != NULL ? line.s : "");
		free(line.s);
	}
	free(width);
	return (buf_finish(&out));
}

static yajl_val
json_get(yajl_val obj, const char *key)
{
	size_t	i;

	if (!YAJL_IS_OBJECT(obj))
		return (NULL);
	for (i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return (obj->u.object.values[i]);
	}
	return (NULL);
}

/* A number, or NaN for null, absent or another type. */
static double
json_num(yajl_val v)
{
	if (YAJL_IS_DOUBLE(v))
		return (YAJL_GET_DOUBLE(v));
	return (NAN);
}

static const char *
json_str(yajl_val v)
{
	return (YAJL_GET_STRING(v));
}

static const char *
count_str(yajl_val v, char *buf, size_t len)
{
	return (fmt_value("count", json_num(v), buf, len));
}

/* The unit of a KPI id, or NULL if this client does not know it. */
static const char *
unit_of(const char *id)
{
	int	i;

	if ((i = kpi_lookup(id)) < 0 || i >= KPI_COUNT)
		return (NULL);
	return (kpi_table[i].unit);
}

/* Add name to a list if absent (names are borrowed); 1 if added. */
static int
name_add(const char ***list, size_t *n, const char *name)
{
	size_t	i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*list)[i], name) == 0)
			return (0);
	}
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = name;
	return (1);
}

char *
fmt_reply_status(yajl_val reply)
{
	struct fmt_table	*t;
	struct fmt_buf		 b;
	yajl_val		 ev, cn, udp, sc, sn, v, win;
	char			 b1[FMT_VALUE_MAX], b2[FMT_VALUE_MAX];
	char			 b3[FMT_VALUE_MAX], b4[FMT_VALUE_MAX];
	const char		*s;
	double			 last, age;
	size_t			 i;
	char			*out;

	t = fmt_table_new(2);
	ev = json_get(reply, "events");
	cn = json_get(reply, "connections");
	udp = json_get(reply, "udp");
	sc = json_get(reply, "scopes");
	sn = json_get(reply, "snapshot");

	s = json_str(json_get(reply, "version"));
	fmt_table_add(t, "version:");
	fmt_table_add(t, s != NULL ? s : "-");
	fmt_table_add(t, "pid:");
	fmt_table_add(t, count_str(json_get(reply, "pid"), b1, sizeof b1));
	fmt_table_add(t, "uptime:");
	fmt_table_add(t, fmt_duration(json_num(json_get(reply, "uptime")),
	    b1, sizeof b1));

	fmt_table_add(t, "events:");
	fmt_table_addf(t, "%s accepted, %s rejected, %s/s",
	    count_str(json_get(ev, "accepted"), b1, sizeof b1),
	    count_str(json_get(ev, "rejected"), b2, sizeof b2),
	    fmt_value("score", json_num(json_get(ev, "rate")), b3, sizeof b3));

	/* Only the reasons that happened; the daemon sends every one. */
	v = json_get(ev, "rejects");
	memset(&b, 0, sizeof b);
	for (i = 0; YAJL_IS_OBJECT(v) && i < v->u.object.len; i++) {
		if (json_num(v->u.object.values[i]) == 0)
			continue;
		buf_printf(&b, "%s%s %s", b.len > 0 ? ", " : "",
		    v->u.object.keys[i], count_str(v->u.object.values[i],
		    b1, sizeof b1));
	}
	if (b.len > 0) {
		fmt_table_add(t, "rejects:");
		fmt_table_add(t, b.s);
	}
	free(b.s);

	fmt_table_add(t, "connections:");
	fmt_table_addf(t, "%s current, %s total, %s refused",
	    count_str(json_get(cn, "current"), b1, sizeof b1),
	    count_str(json_get(cn, "total"), b2, sizeof b2),
	    count_str(json_get(cn, "refused"), b3, sizeof b3));
	if (json_get(cn, "idle_closed") != NULL ||
	    json_get(cn, "oversize_closed") != NULL) {
		fmt_table_add(t, "closed:");
		fmt_table_addf(t, "%s idle, %s oversize",
		    count_str(json_get(cn, "idle_closed"), b1, sizeof b1),
		    count_str(json_get(cn, "oversize_closed"), b2,
		    sizeof b2));
	}
	if (YAJL_IS_OBJECT(udp)) {
		fmt_table_add(t, "udp:");
		fmt_table_addf(t, "%s datagrams, %s bytes",
		    count_str(json_get(udp, "datagrams"), b1, sizeof b1),
		    count_str(json_get(udp, "bytes"), b2, sizeof b2));
	}

	v = json_get(reply, "listen");
	memset(&b, 0, sizeof b);
	for (i = 0; YAJL_IS_OBJECT(v) && i < v->u.object.len; i++) {
		s = json_str(v->u.object.values[i]);
		buf_printf(&b, "%s%s %s", b.len > 0 ? ", " : "",
		    v->u.object.keys[i], s != NULL ? s : "-");
	}
	if (b.len > 0) {
		fmt_table_add(t, "listen:");
		fmt_table_add(t, b.s);
	}
	free(b.s);

	/* TCP control, when it is on: where, and what it turned away. */
	v = json_get(reply, "control");
	if ((s = json_str(json_get(v, "tcp"))) != NULL) {
		fmt_table_add(t, "control tcp:");
		fmt_table_addf(t, "%s, %s authenticated, %s failed, %s refused",
		    s, count_str(json_get(v, "auth_ok"), b1, sizeof b1),
		    count_str(json_get(v, "auth_failures"), b2, sizeof b2),
		    count_str(json_get(v, "tcp_refused"), b3, sizeof b3));
	}

	fmt_table_add(t, "scopes:");
	fmt_table_addf(t, "%s queues, %s agents, %s teams, %s refused",
	    count_str(json_get(sc, "queues"), b1, sizeof b1),
	    count_str(json_get(sc, "agents"), b2, sizeof b2),
	    count_str(json_get(sc, "teams"), b3, sizeof b3),
	    count_str(json_get(sc, "rejected"), b4, sizeof b4));

	win = json_get(reply, "windows");
	if (YAJL_IS_ARRAY(win)) {
		memset(&b, 0, sizeof b);
		for (i = 0; i < win->u.array.len; i++) {
			s = json_str(win->u.array.values[i]);
			buf_printf(&b, "%s%s", i > 0 ? " " : "",
			    s != NULL ? s : "?");
		}
		fmt_table_add(t, "windows:");
		fmt_table_add(t, b.s);
		free(b.s);
	}

	fmt_table_add(t, "last snapshot:");
	last = json_num(json_get(sn, "last"));
	if (!isfinite(last) || last <= 0)
		fmt_table_add(t, "never");
	else {
		age = json_num(json_get(sn, "age"));
		if (!isfinite(age))
			age = json_num(json_get(reply, "time")) - last;
		fmt_table_addf(t, "%s (%s ago, %s ms)",
		    fmt_time(last, b1, sizeof b1),
		    fmt_duration(age, b2, sizeof b2),
		    fmt_value("count", json_num(json_get(sn, "duration")) *
		    1000, b3, sizeof b3));
	}
	if ((s = json_str(json_get(sn, "database"))) != NULL) {
		fmt_table_add(t, "database:");
		fmt_table_add(t, s);
	}
	if (json_get(sn, "count") != NULL || json_get(sn, "errors") != NULL) {
		fmt_table_add(t, "snapshots:");
		fmt_table_addf(t, "%s written, %s failed",
		    count_str(json_get(sn, "count"), b1, sizeof b1),
		    count_str(json_get(sn, "errors"), b2, sizeof b2));
	}
	v = json_get(reply, "backup");
	if (json_num(json_get(v, "ok")) > 0 ||
	    json_num(json_get(v, "failed")) > 0) {
		fmt_table_add(t, "backups:");
		fmt_table_addf(t, "%s written, %s failed",
		    count_str(json_get(v, "ok"), b1, sizeof b1),
		    count_str(json_get(v, "failed"), b2, sizeof b2));
	}

	out = fmt_table_render(t, 0);
	fmt_table_free(t);
	return (out);
}

char *
fmt_reply_kpi(yajl_val reply, int flags)
{
	struct fmt_table	*t;
	struct fmt_buf		 out = { NULL, 0, 0 };
	yajl_val		 wins, w, obj;
	const char		**other = NULL, **qa = NULL, *scope, *name, *id;
	size_t			 nother = 0, nqa = 0, nwin, i, j, k;
	int			 present[KPI_COUNT];
	char			 b[FMT_VALUE_MAX];
	char			*s;
	int			 idx;

	scope = json_str(json_get(reply, "scope"));
	name = json_str(json_get(reply, "name"));
	fmt_escape(b, sizeof b, scope != NULL ? scope : "global");
	if (name == NULL || *name == '\0' || strcmp(b, "global") == 0)
		buf_printf(&out, "scope: %s\n", b);
	else {
		s = xmalloc(FMT_CELL_MAX);
		buf_printf(&out, "%s: %s\n", b,
		    fmt_escape(s, FMT_CELL_MAX, name));
		free(s);
	}

	wins = json_get(reply, "windows");
	nwin = YAJL_IS_ARRAY(wins) ? wins->u.array.len : 0;
	if (nwin == 0) {
		buf_printf(&out, "no windows\n");
		return (buf_finish(&out));
	}

	/* Rows in catalogue order; ids this client does not know last. */
	memset(present, 0, sizeof present);
	for (i = 0; i < nwin; i++) {
		w = wins->u.array.values[i];
		obj = json_get(w, "kpis");
		for (j = 0; YAJL_IS_OBJECT(obj) && j < obj->u.object.len;
		    j++) {
			id = obj->u.object.keys[j];
			if ((idx = kpi_lookup(id)) >= 0 && idx < KPI_COUNT)
				present[idx] = 1;
			else
				name_add(&other, &nother, id);
		}
		obj = json_get(w, "qa");
		for (j = 0; YAJL_IS_OBJECT(obj) && j < obj->u.object.len; j++)
			name_add(&qa, &nqa, obj->u.object.keys[j]);
	}

	t = fmt_table_new(2 + nwin);
	for (i = 0; i < nwin; i++)
		fmt_table_align(t, 2 + i, FMT_ALIGN_RIGHT);
	fmt_table_add(t, "kpi");
	fmt_table_add(t, "id");
	for (i = 0; i < nwin; i++) {
		id = json_str(json_get(wins->u.array.values[i], "window"));
		fmt_table_add(t, id != NULL ? id : "?");
	}
	for (k = 0; k < KPI_COUNT + nother; k++) {
		if (k < KPI_COUNT && !present[k])
			continue;
		id = k < KPI_COUNT ? kpi_table[k].id : other[k - KPI_COUNT];
		fmt_table_add(t, k < KPI_COUNT ? kpi_table[k].title : id);
		fmt_table_add(t, id);
		for (i = 0; i < nwin; i++) {
			obj = json_get(wins->u.array.values[i], "kpis");
			fmt_table_add(t, fmt_value(k < KPI_COUNT ?
			    kpi_table[k].unit : NULL,
			    json_num(json_get(obj, id)), b, sizeof b));
		}
	}
	for (k = 0; k < nqa; k++) {
		fmt_table_addf(t, "QA: %s", qa[k]);
		fmt_table_add(t, "");
		for (i = 0; i < nwin; i++) {
			obj = json_get(wins->u.array.values[i], "qa");
			fmt_table_add(t, fmt_value("score",
			    json_num(json_get(obj, qa[k])), b, sizeof b));
		}
	}
	s = fmt_table_render(t, flags | FMT_HEADER);
	buf_add(&out, s, strlen(s));
	free(s);
	fmt_table_free(t);
	free(other);
	free(qa);
	return (buf_finish(&out));
}

char *
fmt_reply_list(yajl_val reply, const char *kind, int flags)
{
	const struct fmt_column	*cols;
	struct fmt_table	*t;
	struct fmt_buf		 out = { NULL, 0, 0 };
	yajl_val		 rows, row, kpis;
	size_t			 ncols, nrows, i, j, c;
	int			 agents, team = 0;
	const char		*s;
	char			 b[FMT_VALUE_MAX];
	char			*text;

	agents = strcmp(kind, "agent") == 0;
	cols = agents ? fmt_agent_columns : fmt_queue_columns;
	ncols = agents ? sizeof fmt_agent_columns / sizeof *cols :
	    sizeof fmt_queue_columns / sizeof *cols;

	s = json_str(json_get(reply, "window"));
	fmt_escape(b, sizeof b, s != NULL ? s : "-");
	buf_printf(&out, "window: %s\n", b);

	rows = json_get(reply, "rows");
	nrows = YAJL_IS_ARRAY(rows) ? rows->u.array.len : 0;
	if (nrows == 0) {
		buf_printf(&out, "no %ss\n", kind);
		return (buf_finish(&out));
	}
	/* The team column only when some agent has a team. */
	for (i = 0; agents && i < nrows; i++) {
		s = json_str(json_get(rows->u.array.values[i], "team"));
		if (s != NULL && *s != '\0')
			team = 1;
	}

	c = 1 + (size_t)team;
	t = fmt_table_new(c + ncols);
	for (j = 0; j < ncols; j++)
		fmt_table_align(t, c + j, FMT_ALIGN_RIGHT);
	fmt_table_add(t, kind);
	if (team)
		fmt_table_add(t, "team");
	for (j = 0; j < ncols; j++)
		fmt_table_add(t, cols[j].header);
	for (i = 0; i < nrows; i++) {
		row = rows->u.array.values[i];
		s = json_str(json_get(row, "name"));
		fmt_table_add(t, s != NULL ? s : "?");
		if (team) {
			s = json_str(json_get(row, "team"));
			fmt_table_add(t, s != NULL && *s != '\0' ? s : "-");
		}
		kpis = json_get(row, "kpis");
		for (j = 0; j < ncols; j++) {
			fmt_table_add(t, fmt_value(unit_of(cols[j].id),
			    json_num(json_get(kpis, cols[j].id)), b,
			    sizeof b));
		}
	}
	text = fmt_table_render(t, flags | FMT_HEADER);
	buf_add(&out, text, strlen(text));
	free(text);
	fmt_table_free(t);
	return (buf_finish(&out));
}

char *
fmt_reply_snapshot(yajl_val reply)
{
	struct fmt_buf	out = { NULL, 0, 0 };
	yajl_val	sn;
	char		b1[FMT_VALUE_MAX], b2[FMT_VALUE_MAX];
	char		b3[FMT_VALUE_MAX];

	sn = json_get(reply, "snapshot");
	buf_printf(&out, "snapshot written at %s (%s rows, %s ms)\n",
	    fmt_time(json_num(json_get(sn, "time")), b1, sizeof b1),
	    count_str(json_get(sn, "rows"), b2, sizeof b2),
	    fmt_value("count", json_num(json_get(sn, "duration")) * 1000,
	    b3, sizeof b3));
	return (buf_finish(&out));
}

/* "queue: sales, window: 1h" (prefix first, if any) and a newline. */
static void
scope_header(struct fmt_buf *out, yajl_val reply, const char *prefix)
{
	const char	*scope, *name, *window;
	char		*esc;

	esc = xmalloc(FMT_CELL_MAX);
	if (prefix != NULL)
		buf_printf(out, "%s, ", prefix);
	scope = json_str(json_get(reply, "scope"));
	name = json_str(json_get(reply, "name"));
	fmt_escape(esc, FMT_CELL_MAX, scope != NULL ? scope : "global");
	if (name == NULL || *name == '\0' || strcmp(esc, "global") == 0)
		buf_printf(out, "scope: %s", esc);
	else {
		buf_printf(out, "%s: ", esc);
		buf_printf(out, "%s", fmt_escape(esc, FMT_CELL_MAX, name));
	}
	if ((window = json_str(json_get(reply, "window"))) != NULL)
		buf_printf(out, ", window: %s",
		    fmt_escape(esc, FMT_CELL_MAX, window));
	buf_add(out, "\n", 1);
	free(esc);
}

/* The values of a JSON array as doubles (NaN for non-numbers). */
static double *
json_numbers(yajl_val arr, size_t *n)
{
	double	*v;
	size_t	 i;

	*n = YAJL_IS_ARRAY(arr) ? arr->u.array.len : 0;
	v = xreallocarray(NULL, *n == 0 ? 1 : *n, sizeof *v);
	for (i = 0; i < *n; i++)
		v[i] = json_num(arr->u.array.values[i]);
	return (v);
}

char *
fmt_sparkline(const double *v, size_t n, int flags)
{
	static const char	*blocks[] = {
		"\342\226\201", "\342\226\202", "\342\226\203", "\342\226\204",
		"\342\226\205", "\342\226\206", "\342\226\207", "\342\226\210"
	};
	/* Not " .:-=+*#": the lowest level must not read as no data. */
	static const char	 ascii[] = "_.:-=+*#";
	struct fmt_buf		 out = { NULL, 0, 0 };
	double			 lo = INFINITY, hi = -INFINITY;
	size_t			 i;
	long			 level;

	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			buf_add(&out, " ", 1);
			continue;
		}
		/* A flat line sits in the middle, not on the floor. */
		if (hi - lo <= 0 || !isfinite(hi - lo))
			level = 3;
		else
			level = lround((v[i] - lo) / (hi - lo) * 7);
		level = level < 0 ? 0 : level > 7 ? 7 : level;
		if (flags & FMT_UTF8)
			buf_add(&out, blocks[level], 3);
		else
			buf_add(&out, &ascii[level], 1);
	}
	return (buf_finish(&out));
}

char *
fmt_change(const char *unit, const char *direction, double value,
    double previous, int flags, enum fmt_style *style, char *buf,
    size_t len)
{
	char	mag[FMT_VALUE_MAX], zero[FMT_VALUE_MAX];
	double	d = value - previous;
	int	up;

	*style = FMT_STYLE_NONE;
	if (!isfinite(value) || !isfinite(previous) || !isfinite(d)) {
		snprintf(buf, len, "-");
		return (buf);
	}
	/* No change at the precision shown: no sign, no colour. */
	fmt_value(unit, fabs(d), mag, sizeof mag);
	fmt_value(unit, 0, zero, sizeof zero);
	if (strcmp(mag, zero) == 0) {
		snprintf(buf, len, "%s", zero);
		return (buf);
	}
	up = d > 0;
	if (direction != NULL && strcmp(direction, "higher") == 0)
		*style = up ? FMT_STYLE_GREEN : FMT_STYLE_RED;
	else if (direction != NULL && strcmp(direction, "lower") == 0)
		*style = up ? FMT_STYLE_RED : FMT_STYLE_GREEN;
	snprintf(buf, len, "%s%c%s", (flags & FMT_ARROWS) ?
	    (up ? "\342\226\262 " : "\342\226\274 ") : "", up ? '+' : '-', mag);
	return (buf);
}

char *
fmt_csv_field(char *dst, size_t dstlen, const char *src)
{
	char	*esc;
	size_t	 i, o = 0;
	int	 quote;

	if (dstlen == 0)
		return (dst);
	esc = xmalloc(FMT_CELL_MAX);
	/* Controls are escaped, so a field never holds a line break. */
	fmt_escape(esc, FMT_CELL_MAX, src != NULL ? src : "");
	quote = strpbrk(esc, ",\"") != NULL || *esc == ' ' ||
	    (*esc != '\0' && esc[strlen(esc) - 1] == ' ');
	if (!quote) {
		snprintf(dst, dstlen, "%s", esc);
		free(esc);
		return (dst);
	}
	/* Room for the closing quote and the NUL. */
	if (dstlen < 3) {
		dst[0] = '\0';
		free(esc);
		return (dst);
	}
	dst[o++] = '"';
	for (i = 0; esc[i] != '\0'; i++) {
		if (o + (esc[i] == '"' ? 2 : 1) + 2 > dstlen)
			break;
		if (esc[i] == '"')
			dst[o++] = '"';
		dst[o++] = esc[i];
	}
	dst[o++] = '"';
	dst[o] = '\0';
	free(esc);
	return (dst);
}

char *
fmt_csv_number(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "%s", "");
		return (buf);
	}
	/* The shortest of the two that reads back as the same double. */
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
	return (buf);
}

int
fmt_parse_duration(const char *s, long long *secs)
{
	long long	 n = 0, mult;
	const char	*p = s;

	if (*p < '0' || *p > '9')
		return (-1);
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (LLONG_MAX - (*p - '0')) / 10)
			return (-1);
		n = n * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		return (-1);
	}
	if (*p != '\0' && p[1] != '\0')
		return (-1);
	if (n > LLONG_MAX / mult)
		return (-1);
	*secs = n * mult;
	return (0);
}

/* Levenshtein distance of two short strings, at most 9. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t	row[64], la = strlen(a), lb = strlen(b), i, j, prev, cur;

	if (la >= 64 || lb >= 64)
		return (9);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return (row[lb] > 9 ? 9 : row[lb]);
}

char *
fmt_kpi_suggest(const char *name)
{
	struct fmt_buf	 out = { NULL, 0, 0 };
	size_t		 len, i, maxd;
	const char	*id;

	len = strlen(name);
	if (len == 0 || len >= 64)
		return (xstrdup(""));
	/* One typo in a short name would match nearly everything. */
	maxd = len <= 3 ? 1 : 2;
	for (i = 0; i < KPI_COUNT; i++) {
		id = kpi_table[i].id;
		if (strncmp(id, name, len) == 0 ||
		    (len >= 3 && strstr(id, name) != NULL) ||
		    edit_distance(name, id) <= maxd)
			buf_printf(&out, "%s%s", out.len > 0 ? ", " : "", id);
	}
	return (buf_finish(&out));
}

static enum fmt_style
status_style(const char *status)
{
	if (status == NULL)
		return (FMT_STYLE_NONE);
	if (strcmp(status, "green") == 0)
		return (FMT_STYLE_GREEN);
	if (strcmp(status, "amber") == 0)
		return (FMT_STYLE_YELLOW);
	if (strcmp(status, "red") == 0)
		return (FMT_STYLE_RED);
	return (FMT_STYLE_NONE);
}

char *
fmt_reply_scorecard(yajl_val reply, int flags)
{
	struct fmt_table	*t;
	struct fmt_buf		 out = { NULL, 0, 0 };
	yajl_val		 persps, p, kpis, k, qa;
	enum fmt_style		 style;
	const char		*title, *unit, *status, *dir;
	double			*hist;
	size_t			 np, nk, nh, i, j;
	char			 b[FMT_VALUE_MAX], *s;

	scope_header(&out, reply, NULL);
	persps = json_get(reply, "perspectives");
	np = YAJL_IS_ARRAY(persps) ? persps->u.array.len : 0;
	if (np == 0) {
		buf_printf(&out, "no perspectives\n");
		return (buf_finish(&out));
	}

	t = fmt_table_new(6);
	fmt_table_align(t, 1, FMT_ALIGN_RIGHT);
	fmt_table_align(t, 2, FMT_ALIGN_RIGHT);
	fmt_table_align(t, 4, FMT_ALIGN_RIGHT);
	fmt_table_add(t, "kpi");
	fmt_table_add(t, "value");
	fmt_table_add(t, "target");
	fmt_table_add(t, "status");
	fmt_table_add(t, "change");
	fmt_table_add(t, "trend");
	for (i = 0; i < np; i++) {
		p = persps->u.array.values[i];
		if ((title = json_str(json_get(p, "title"))) == NULL &&
		    (title = json_str(json_get(p, "id"))) == NULL)
			title = "?";
		fmt_table_add_style(t, FMT_STYLE_BOLD, title);
		for (j = 1; j < 6; j++)
			fmt_table_add(t, "");
		kpis = json_get(p, "kpis");
		nk = YAJL_IS_ARRAY(kpis) ? kpis->u.array.len : 0;
		for (j = 0; j < nk; j++) {
			k = kpis->u.array.values[j];
			if ((title = json_str(json_get(k, "title"))) == NULL &&
			    (title = json_str(json_get(k, "id"))) == NULL)
				title = "?";
			if ((unit = json_str(json_get(k, "unit"))) == NULL)
				unit = unit_of(json_str(json_get(k, "id")));
			dir = json_str(json_get(k, "direction"));
			fmt_table_addf(t, "  %s", title);
			fmt_table_add(t, fmt_value(unit,
			    json_num(json_get(k, "value")), b, sizeof b));
			fmt_table_add(t, fmt_value(unit,
			    json_num(json_get(k, "target")), b, sizeof b));
			status = json_str(json_get(k, "status"));
			if (status == NULL || strcmp(status, "none") == 0)
				fmt_table_add(t, "-");
			else
				fmt_table_add_style(t, status_style(status),
				    status);
			fmt_change(unit, dir, json_num(json_get(k, "value")),
			    json_num(json_get(k, "previous")), flags, &style,
			    b, sizeof b);
			fmt_table_add_style(t, style, b);
			hist = json_numbers(json_get(k, "history"), &nh);
			s = fmt_sparkline(hist, nh, flags);
			fmt_table_add(t, s);
			free(s);
			free(hist);
		}
	}
	s = fmt_table_render(t, flags | FMT_HEADER);
	buf_add(&out, s, strlen(s));
	free(s);
	fmt_table_free(t);

	t = fmt_table_new(3);
	fmt_table_align(t, 1, FMT_ALIGN_RIGHT);
	fmt_table_align(t, 2, FMT_ALIGN_RIGHT);
	fmt_table_add(t, "perspective");
	fmt_table_add(t, "weight");
	fmt_table_add(t, "score");
	for (i = 0; i < np; i++) {
		p = persps->u.array.values[i];
		if ((title = json_str(json_get(p, "title"))) == NULL &&
		    (title = json_str(json_get(p, "id"))) == NULL)
			title = "?";
		fmt_table_add(t, title);
		fmt_table_add(t, fmt_value(NULL, json_num(json_get(p,
		    "weight")), b, sizeof b));
		fmt_table_add(t, fmt_value("score", json_num(json_get(p,
		    "score")), b, sizeof b));
	}
	fmt_table_add_style(t, FMT_STYLE_BOLD, "overall");
	fmt_table_add(t, "");
	fmt_table_add_style(t, FMT_STYLE_BOLD, fmt_value("score",
	    json_num(json_get(reply, "overall")), b, sizeof b));
	s = fmt_table_render(t, flags | FMT_HEADER);
	buf_printf(&out, "\n%s", s);
	free(s);
	fmt_table_free(t);

	qa = json_get(reply, "qa");
	if (YAJL_IS_OBJECT(qa) && qa->u.object.len > 0) {
		s = xmalloc(FMT_CELL_MAX);
		buf_printf(&out, "\nqa:");
		for (i = 0; i < qa->u.object.len; i++) {
			buf_printf(&out, "%s %s ", i > 0 ? "," : "",
			    fmt_escape(s, FMT_CELL_MAX,
			    qa->u.object.keys[i]));
			buf_printf(&out, "%s", fmt_value("score",
			    json_num(qa->u.object.values[i]), b, sizeof b));
		}
		buf_add(&out, "\n", 1);
		free(s);
	}
	return (buf_finish(&out));
}

/* Append a CSV record of n fields. */
static void
csv_record(struct fmt_buf *out, const char **fields, size_t n)
{
	char	*f;
	size_t	 i;

	f = xmalloc(FMT_CELL_MAX * 2);
	for (i = 0; i < n; i++) {
		fmt_csv_field(f, FMT_CELL_MAX * 2, fields[i]);
		buf_printf(out, "%s%s", i > 0 ? "," : "", f);
	}
	buf_add(out, "\n", 1);
	free(f);
}

char *
fmt_csv_scorecard(yajl_val reply)
{
	static const char	*header[] = { "perspective", "id", "title",
	    "unit", "value", "target", "amber", "status", "previous",
	    "change" };
	struct fmt_buf		 out = { NULL, 0, 0 };
	yajl_val		 persps, p, kpis, k;
	const char		*f[10];
	char			 value[32], target[32], amber[32], prev[32];
	char			 change[32];
	double			 d;
	size_t			 np, nk, i, j;

	csv_record(&out, header, 10);
	persps = json_get(reply, "perspectives");
	np = YAJL_IS_ARRAY(persps) ? persps->u.array.len : 0;
	for (i = 0; i < np; i++) {
		p = persps->u.array.values[i];
		kpis = json_get(p, "kpis");
		nk = YAJL_IS_ARRAY(kpis) ? kpis->u.array.len : 0;
		for (j = 0; j < nk; j++) {
			k = kpis->u.array.values[j];
			f[0] = json_str(json_get(p, "id"));
			f[1] = json_str(json_get(k, "id"));
			f[2] = json_str(json_get(k, "title"));
			f[3] = json_str(json_get(k, "unit"));
			f[4] = fmt_csv_number(json_num(json_get(k, "value")),
			    value, sizeof value);
			f[5] = fmt_csv_number(json_num(json_get(k, "target")),
			    target, sizeof target);
			f[6] = fmt_csv_number(json_num(json_get(k, "amber")),
			    amber, sizeof amber);
			f[7] = json_str(json_get(k, "status"));
			f[8] = fmt_csv_number(json_num(json_get(k,
			    "previous")), prev, sizeof prev);
			/* A difference: digits past the 15th are noise. */
			d = json_num(json_get(k, "value")) -
			    json_num(json_get(k, "previous"));
			if (isfinite(d))
				snprintf(change, sizeof change, "%.15g", d);
			else
				change[0] = '\0';
			f[9] = change;
			csv_record(&out, f, 10);
		}
	}
	return (buf_finish(&out));
}

/* A history point: its time and value, NaN where missing. */
static void
history_point(yajl_val pt, double *t, double *v)
{
	*t = *v = NAN;
	if (!YAJL_IS_ARRAY(pt) || pt->u.array.len < 2)
		return;
	*t = json_num(pt->u.array.values[0]);
	*v = json_num(pt->u.array.values[1]);
}

/*
 * At most FMT_SPARK_MAX values for a sparkline of points: as they are if
 * few enough, else the mean of each of FMT_SPARK_MAX equal time spans.
 */
static double *
history_resample(yajl_val points, size_t n, size_t *nout)
{
	double	*v, *sum, t, x, t0 = INFINITY, t1 = -INFINITY;
	size_t	*cnt, i, k;

	if (n <= FMT_SPARK_MAX) {
		v = xreallocarray(NULL, n == 0 ? 1 : n, sizeof *v);
		for (i = 0; i < n; i++)
			history_point(points->u.array.values[i], &t, &v[i]);
		*nout = n;
		return (v);
	}
	for (i = 0; i < n; i++) {
		history_point(points->u.array.values[i], &t, &x);
		if (isfinite(t)) {
			t0 = t < t0 ? t : t0;
			t1 = t > t1 ? t : t1;
		}
	}
	sum = xcalloc(FMT_SPARK_MAX, sizeof *sum);
	cnt = xcalloc(FMT_SPARK_MAX, sizeof *cnt);
	for (i = 0; i < n && t1 > t0; i++) {
		history_point(points->u.array.values[i], &t, &x);
		if (!isfinite(t) || !isfinite(x))
			continue;
		k = (size_t)((t - t0) / (t1 - t0) * FMT_SPARK_MAX);
		k = k >= FMT_SPARK_MAX ? FMT_SPARK_MAX - 1 : k;
		sum[k] += x;
		cnt[k]++;
	}
	for (k = 0; k < FMT_SPARK_MAX; k++)
		sum[k] = cnt[k] > 0 ? sum[k] / (double)cnt[k] : NAN;
	free(cnt);
	*nout = FMT_SPARK_MAX;
	return (sum);
}

char *
fmt_reply_history(yajl_val reply, int flags)
{
	struct fmt_table	*t;
	struct fmt_buf		 out = { NULL, 0, 0 };
	yajl_val		 points;
	const char		*kpi, *unit;
	double			*v, tm, x, lo = INFINITY, hi = -INFINITY;
	size_t			 n, nv, i;
	char			 b[FMT_VALUE_MAX], b2[FMT_VALUE_MAX], *s;

	kpi = json_str(json_get(reply, "kpi"));
	unit = unit_of(kpi);
	s = xmalloc(FMT_CELL_MAX);
	snprintf(b, sizeof b, "kpi: %s", fmt_escape(s, FMT_CELL_MAX,
	    kpi != NULL ? kpi : "?"));
	free(s);
	scope_header(&out, reply, b);

	points = json_get(reply, "points");
	n = YAJL_IS_ARRAY(points) ? points->u.array.len : 0;
	for (i = 0; i < n; i++) {
		history_point(points->u.array.values[i], &tm, &x);
		if (isfinite(x)) {
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
		}
	}
	if (n == 0) {
		buf_printf(&out, "no history\n");
		return (buf_finish(&out));
	}
	v = history_resample(points, n, &nv);
	s = fmt_sparkline(v, nv, flags);
	buf_printf(&out, "trend: %s", s);
	free(s);
	free(v);
	buf_printf(&out, "  min %s, max %s\n", fmt_value(unit, lo, b,
	    sizeof b), fmt_value(unit, hi, b2, sizeof b2));

	t = fmt_table_new(2);
	fmt_table_align(t, 1, FMT_ALIGN_RIGHT);
	fmt_table_add(t, "time");
	fmt_table_add(t, "value");
	for (i = 0; i < n; i++) {
		history_point(points->u.array.values[i], &tm, &x);
		fmt_table_add(t, fmt_time(tm, b, sizeof b));
		fmt_table_add(t, fmt_value(unit, x, b, sizeof b));
	}
	s = fmt_table_render(t, flags | FMT_HEADER);
	buf_add(&out, s, strlen(s));
	free(s);
	fmt_table_free(t);
	return (buf_finish(&out));
}

char *
fmt_csv_history(yajl_val reply)
{
	static const char	*header[] = { "time", "value" };
	struct fmt_buf		 out = { NULL, 0, 0 };
	yajl_val		 points;
	struct tm		 tm;
	const char		*f[2];
	char			 when[32], value[32];
	double			 t, x;
	time_t			 tt;
	size_t			 n, i;

	csv_record(&out, header, 2);
	points = json_get(reply, "points");
	n = YAJL_IS_ARRAY(points) ? points->u.array.len : 0;
	for (i = 0; i < n; i++) {
		history_point(points->u.array.values[i], &t, &x);
		when[0] = '\0';
		/* ISO 8601 in UTC: unambiguous for spreadsheets. */
		if (isfinite(t) && t >= 0 && t <= 253402300799.0) {
			tt = (time_t)t;
			if (gmtime_r(&tt, &tm) == NULL ||
			    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ",
			    &tm) == 0)
				when[0] = '\0';
		}
		f[0] = when;
		f[1] = fmt_csv_number(x, value, sizeof value);
		csv_record(&out, f, 2);
	}
	return (buf_finish(&out));
}

/* "45s ago", "3m05s ago"; "-" if unknown. */
static char *
fmt_ago(double now, double since, char *buf, size_t len)
{
	char	d[FMT_VALUE_MAX];
	double	a = now - since;

	if (!isfinite(a)) {
		snprintf(buf, len, "-");
		return (buf);
	}
	/* A little clock skew between fields is not the future. */
	if (a < 0)
		a = 0;
	if (a < 59.5)
		snprintf(buf, len, "%.0fs ago", a);
	else
		snprintf(buf, len, "%s ago", fmt_duration(a, d, sizeof d));
	return (buf);
}

static const char *
agent_state(const char *state, enum fmt_style *style)
{
	*style = FMT_STYLE_NONE;
	if (state == NULL)
		return ("-");
	if (strcmp(state, "ready") == 0)
		*style = FMT_STYLE_GREEN;
	else if (strcmp(state, "busy") == 0)
		*style = FMT_STYLE_YELLOW;
	else if (strcmp(state, "not_ready") == 0) {
		*style = FMT_STYLE_RED;
		return ("not ready");
	} else if (strcmp(state, "logged_in") == 0)
		return ("logged in");
	return (state);
}

/* The queue table of a live reply, first max rows; NULL if none. */
static char *
live_queues(yajl_val queues, size_t max, int flags)
{
	struct fmt_table	*t;
	yajl_val		 q;
	size_t			 i, n;
	char			 b[FMT_VALUE_MAX], *s;
	const char		*name;

	n = YAJL_IS_ARRAY(queues) ? queues->u.array.len : 0;
	if (n == 0)
		return (NULL);
	t = fmt_table_new(7);
	for (i = 1; i < 7; i++)
		fmt_table_align(t, i, FMT_ALIGN_RIGHT);
	fmt_table_add(t, "queue");
	fmt_table_add(t, "waiting");
	fmt_table_add(t, "longest");
	fmt_table_add(t, "on hold");
	fmt_table_add(t, "sl");
	fmt_table_add(t, "answered");
	fmt_table_add(t, "abandoned");
	for (i = 0; i < n && i < max; i++) {
		q = queues->u.array.values[i];
		name = json_str(json_get(q, "name"));
		fmt_table_add(t, name != NULL ? name : "?");
		fmt_table_add(t, count_str(json_get(q, "waiting"), b,
		    sizeof b));
		fmt_table_add(t, fmt_duration(json_num(json_get(q,
		    "longest_wait")), b, sizeof b));
		fmt_table_add(t, count_str(json_get(q, "on_hold"), b,
		    sizeof b));
		fmt_table_add(t, fmt_value("percent", json_num(json_get(q,
		    "service_level")), b, sizeof b));
		fmt_table_add(t, count_str(json_get(q, "answered"), b,
		    sizeof b));
		fmt_table_add(t, count_str(json_get(q, "abandoned"), b,
		    sizeof b));
	}
	s = fmt_table_render(t, flags | FMT_HEADER);
	fmt_table_free(t);
	return (s);
}

/* The agent table of a live reply, first max rows; NULL if none. */
static char *
live_agents(yajl_val agents, double now, size_t max, int flags)
{
	struct fmt_table	*t;
	yajl_val		 a;
	enum fmt_style		 style;
	size_t			 i, n, c;
	int			 team = 0, reason = 0;
	char			 b[FMT_VALUE_MAX], *s;
	const char		*v;

	n = YAJL_IS_ARRAY(agents) ? agents->u.array.len : 0;
	if (n == 0)
		return (NULL);
	n = n < max ? n : max;
	for (i = 0; i < n; i++) {
		a = agents->u.array.values[i];
		v = json_str(json_get(a, "team"));
		team |= v != NULL && *v != '\0';
		v = json_str(json_get(a, "reason"));
		reason |= v != NULL && *v != '\0';
	}
	c = 4 + (size_t)team + (size_t)reason;
	t = fmt_table_new(c);
	fmt_table_align(t, 2 + (size_t)team, FMT_ALIGN_RIGHT);
	fmt_table_add(t, "agent");
	if (team)
		fmt_table_add(t, "team");
	fmt_table_add(t, "state");
	fmt_table_add(t, "since");
	fmt_table_add(t, "queue");
	if (reason)
		fmt_table_add(t, "reason");
	for (i = 0; i < n; i++) {
		a = agents->u.array.values[i];
		v = json_str(json_get(a, "name"));
		fmt_table_add(t, v != NULL ? v : "?");
		if (team) {
			v = json_str(json_get(a, "team"));
			fmt_table_add(t, v != NULL && *v != '\0' ? v : "-");
		}
		v = agent_state(json_str(json_get(a, "state")), &style);
		fmt_table_add_style(t, style, v);
		fmt_table_add(t, fmt_ago(now, json_num(json_get(a, "since")),
		    b, sizeof b));
		v = json_str(json_get(a, "queue"));
		fmt_table_add(t, v != NULL && *v != '\0' ? v : "-");
		if (reason) {
			v = json_str(json_get(a, "reason"));
			fmt_table_add(t, v != NULL && *v != '\0' ? v : "-");
		}
	}
	s = fmt_table_render(t, flags | FMT_HEADER);
	fmt_table_free(t);
	return (s);
}

/* "3 waiting (longest 1m05s), 5 talking, 1 on hold" */
static void
live_calls(struct fmt_buf *out, yajl_val tot)
{
	char	b1[FMT_VALUE_MAX], b2[FMT_VALUE_MAX], b3[FMT_VALUE_MAX];
	char	b4[FMT_VALUE_MAX];

	buf_printf(out, "%s waiting (longest %s), %s talking, %s on hold",
	    count_str(json_get(tot, "waiting"), b1, sizeof b1),
	    fmt_duration(json_num(json_get(tot, "longest_wait")), b2,
	    sizeof b2),
	    count_str(json_get(tot, "talking"), b3, sizeof b3),
	    count_str(json_get(tot, "on_hold"), b4, sizeof b4));
}

/* "12 logged in, 4 ready, 6 busy, 2 not ready, occupancy 60.0%" */
static void
live_staff(struct fmt_buf *out, yajl_val tot)
{
	char	b1[FMT_VALUE_MAX], b2[FMT_VALUE_MAX], b3[FMT_VALUE_MAX];
	char	b4[FMT_VALUE_MAX], b5[FMT_VALUE_MAX];

	buf_printf(out, "%s logged in, %s ready, %s busy, %s not ready, "
	    "occupancy %s",
	    count_str(json_get(tot, "agents_logged_in"), b1, sizeof b1),
	    count_str(json_get(tot, "agents_ready"), b2, sizeof b2),
	    count_str(json_get(tot, "agents_busy"), b3, sizeof b3),
	    count_str(json_get(tot, "agents_not_ready"), b4, sizeof b4),
	    fmt_value("percent", json_num(json_get(tot, "occupancy")), b5,
	    sizeof b5));
}

char *
fmt_reply_live(yajl_val reply, int flags)
{
	static const char	*anomalies[] = { "expired", "lost",
	    "duplicates", "refused" };
	struct fmt_buf		 out = { NULL, 0, 0 }, line = { NULL, 0, 0 };
	yajl_val		 tot;
	double			 now, x;
	size_t			 i;
	char			 b[FMT_VALUE_MAX], *s;

	now = json_num(json_get(reply, "time"));
	tot = json_get(reply, "totals");
	buf_printf(&out, "time: %s\ncalls: ", fmt_time(now, b, sizeof b));
	live_calls(&out, tot);
	buf_printf(&out, "\nagents: ");
	live_staff(&out, tot);
	buf_add(&out, "\n", 1);
	/* Only the anomalies that happened, as status does for rejects. */
	for (i = 0; i < sizeof anomalies / sizeof anomalies[0]; i++) {
		x = json_num(json_get(tot, anomalies[i]));
		if (!isfinite(x) || x == 0)
			continue;
		buf_printf(&line, "%s%s %s", line.len > 0 ? ", " : "",
		    fmt_value("count", x, b, sizeof b), anomalies[i]);
	}
	if (line.len > 0)
		buf_printf(&out, "anomalies: %s\n", line.s);
	free(line.s);

	s = live_queues(json_get(reply, "queues"), SIZE_MAX, flags);
	buf_printf(&out, "\n%s", s != NULL ? s : "no queues\n");
	free(s);
	s = live_agents(json_get(reply, "agents"), now, SIZE_MAX, flags);
	buf_printf(&out, "\n%s", s != NULL ? s : "no agents\n");
	free(s);
	return (buf_finish(&out));
}

/* Append each line of text (a copy, without its newline). */
static void
lines_add(struct fmt_lines *l, const char *text)
{
	const char	*nl;

	while (*text != '\0') {
		if ((nl = strchr(text, '\n')) == NULL)
			nl = text + strlen(text);
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		l->v[l->n] = xmalloc((size_t)(nl - text) + 1);
		memcpy(l->v[l->n], text, (size_t)(nl - text));
		l->v[l->n++][nl - text] = '\0';
		text = *nl == '\n' ? nl + 1 : nl;
	}
}

static void
lines_addf(struct fmt_lines *l, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("vasprintf");
	va_end(ap);
	lines_add(l, s);
	free(s);
}

/*
 * Append s cut to cols columns, without trailing blanks.  Our own SGR
 * sequences take no column (everything from a peer was escaped before);
 * a cut while one is in effect resets it.
 */
static void
line_cut(struct fmt_buf *out, const char *s, unsigned int cols)
{
	struct fmt_buf	 line = { NULL, 0, 0 };
	const char	*p = s;
	size_t		 n;
	unsigned int	 w = 0;
	int		 open = 0, cut = 0;

	while (*p != '\0') {
		if (*p == '\033') {
			n = strcspn(p, "m");
			n += p[n] == 'm';
			buf_add(&line, p, n);
			open = !(n == 4 && strncmp(p, "\033[0m", 4) == 0);
			p += n;
			continue;
		}
		if (w == cols) {
			cut = 1;
			break;
		}
		for (n = 1; (p[n] & 0xc0) == 0x80; n++)
			;
		buf_add(&line, p, n);
		p += n;
		w++;
	}
	while (line.len > 0 && line.s[line.len - 1] == ' ')
		line.s[--line.len] = '\0';
	if (line.len > 0)
		buf_add(out, line.s, line.len);
	if (cut && open)
		buf_add(out, "\033[0m", 4);
	buf_add(out, "\n", 1);
	free(line.s);
}

char *
fmt_top_frame(yajl_val status, yajl_val live, const char *error, double now,
    unsigned int rows, unsigned int cols, int flags)
{
	static const char	 hint[] = "q: quit";
	struct fmt_lines	 l = { NULL, 0 };
	struct fmt_buf		 out = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	yajl_val		 tot, queues, agents;
	double			 t;
	size_t			 avail, nq, na, showq, showa, i, w;
	char			 v1[FMT_VALUE_MAX], v2[FMT_VALUE_MAX], *s;

	t = json_num(json_get(live, "time"));
	if (!isfinite(t))
		t = json_num(json_get(status, "time"));
	if (!isfinite(t) || error != NULL)
		t = now;
	buf_printf(&b, "callscore top  %s", fmt_time(t, v1, sizeof v1));
	if (error == NULL)
		buf_printf(&b, "  %s events/s  %s connections",
		    fmt_value("score", json_num(json_get(json_get(status,
		    "events"), "rate")), v1, sizeof v1),
		    count_str(json_get(json_get(status, "connections"),
		    "current"), v2, sizeof v2));
	/* The way out, flush right when it fits. */
	w = fmt_width(b.s);
	if (w + 2 + strlen(hint) <= cols) {
		for (; w < cols - strlen(hint); w++)
			buf_add(&b, " ", 1);
		buf_add(&b, hint, strlen(hint));
	}
	lines_add(&l, b.s);
	free(b.s);

	if (error != NULL) {
		s = xmalloc(FMT_CELL_MAX);
		lines_add(&l, fmt_escape(s, FMT_CELL_MAX, error));
		free(s);
		goto render;
	}

	tot = json_get(live, "totals");
	memset(&b, 0, sizeof b);
	buf_printf(&b, "calls: ");
	live_calls(&b, tot);
	lines_add(&l, b.s);
	free(b.s);
	lines_add(&l, " ");

	/*
	 * Fixed lines: header, calls, blank, queue header, blank, agents.
	 * Queues come first; agents get the rows left, if any.
	 */
	queues = json_get(live, "queues");
	agents = json_get(live, "agents");
	nq = YAJL_IS_ARRAY(queues) ? queues->u.array.len : 0;
	na = YAJL_IS_ARRAY(agents) ? agents->u.array.len : 0;
	avail = rows > 6 ? rows - 6 : 0;
	showq = nq <= avail ? nq : avail > 0 ? avail - 1 : 0;
	avail = nq <= avail ? avail - nq : 0;
	if ((s = live_queues(queues, showq, flags)) == NULL)
		lines_add(&l, "no queues");
	else
		lines_add(&l, s);
	free(s);
	if (showq < nq)
		lines_addf(&l, "+%zu more queues", nq - showq);
	lines_add(&l, " ");

	memset(&b, 0, sizeof b);
	buf_printf(&b, "agents: ");
	live_staff(&b, tot);
	lines_add(&l, b.s);
	free(b.s);
	/* A blank, the header and at least one agent. */
	if (na > 0 && avail >= 3) {
		avail -= 2;
		showa = na <= avail ? na : avail - 1;
		lines_add(&l, " ");
		s = live_agents(agents, t, showa, flags);
		lines_add(&l, s);
		free(s);
		if (showa < na)
			lines_addf(&l, "+%zu more agents", na - showa);
	}

render:
	for (i = 0; i < l.n; i++) {
		if (i < rows && cols > 0)
			line_cut(&out, l.v[i], cols);
		free(l.v[i]);
	}
	free(l.v);
	return (buf_finish(&out));
}

/* One row of the report table: label, then the report columns. */
static void
report_row(struct fmt_table *t, const char *label, yajl_val kpis)
{
	char	b[FMT_VALUE_MAX];
	size_t	j;

	fmt_table_add(t, label);
	for (j = 0; j < FMT_REPORT_NCOLS; j++)
		fmt_table_add(t, fmt_value(unit_of(fmt_report_columns[j].id),
		    json_num(json_get(kpis, fmt_report_columns[j].id)), b,
		    sizeof b));
}

char *
fmt_reply_report(yajl_val reply, int flags)
{
	struct fmt_table	*t;
	struct fmt_buf		 out = { NULL, 0, 0 };
	yajl_val		 rows, row, total;
	const char		*s;
	char			 date[FMT_VALUE_MAX], tz[FMT_VALUE_MAX];
	char			 iv[FMT_VALUE_MAX], label[FMT_VALUE_MAX];
	char			*text;
	size_t			 nrows, i, j, len;
	double			 d;
	int			 open = 0;

	scope_header(&out, reply, NULL);
	s = json_str(json_get(reply, "date"));
	fmt_escape(date, sizeof date, s != NULL ? s : "?");
	s = json_str(json_get(reply, "timezone"));
	fmt_escape(tz, sizeof tz, s != NULL ? s : "?");
	d = json_num(json_get(reply, "interval"));
	if (isfinite(d) && d > 0 && fmod(d, 60) == 0)
		snprintf(iv, sizeof iv, "%.0fm", d / 60);
	else
		fmt_duration(d, iv, sizeof iv);
	buf_printf(&out, "date: %s, time zone: %s, interval: %s\n", date, tz,
	    iv);

	rows = json_get(reply, "rows");
	nrows = YAJL_IS_ARRAY(rows) ? rows->u.array.len : 0;
	total = json_get(reply, "total");
	if (nrows == 0 && !YAJL_IS_OBJECT(total)) {
		buf_printf(&out, "no intervals\n");
		return (buf_finish(&out));
	}

	t = fmt_table_new(1 + FMT_REPORT_NCOLS);
	for (j = 0; j < FMT_REPORT_NCOLS; j++)
		fmt_table_align(t, 1 + j, FMT_ALIGN_RIGHT);
	fmt_table_add(t, "time");
	for (j = 0; j < FMT_REPORT_NCOLS; j++)
		fmt_table_add(t, fmt_report_columns[j].header);
	for (i = 0; i < nrows; i++) {
		row = rows->u.array.values[i];
		s = json_str(json_get(row, "label"));
		/* One byte spare for the open mark. */
		fmt_escape(label, sizeof label - 1, s != NULL ? s : "?");
		if (YAJL_IS_TRUE(json_get(row, "open"))) {
			len = strlen(label);
			label[len] = '*';
			label[len + 1] = '\0';
			open = 1;
		}
		report_row(t, label, json_get(row, "kpis"));
	}
	if (YAJL_IS_OBJECT(total))
		report_row(t, "total", json_get(total, "kpis"));
	text = fmt_table_render(t, flags | FMT_HEADER);
	buf_add(&out, text, strlen(text));
	free(text);
	fmt_table_free(t);
	if (open)
		buf_printf(&out, "* the current interval, still open\n");
	return (buf_finish(&out));
}

char *
fmt_csv_report(yajl_val reply)
{
	struct fmt_buf		 out = { NULL, 0, 0 };
	yajl_val		 rows, row, kpis, total;
	const char		*f[3 + FMT_REPORT_NCOLS];
	char			 start[32], v[FMT_REPORT_NCOLS][32];
	size_t			 nrows, i, j;

	f[0] = "start";
	f[1] = "time";
	f[2] = "open";
	for (j = 0; j < FMT_REPORT_NCOLS; j++)
		f[3 + j] = fmt_report_columns[j].id;
	csv_record(&out, f, 3 + FMT_REPORT_NCOLS);
	rows = json_get(reply, "rows");
	nrows = YAJL_IS_ARRAY(rows) ? rows->u.array.len : 0;
	total = json_get(reply, "total");
	for (i = 0; i < nrows + (YAJL_IS_OBJECT(total) ? 1 : 0); i++) {
		if (i < nrows) {
			row = rows->u.array.values[i];
			f[0] = fmt_csv_number(json_num(json_get(row, "start")),
			    start, sizeof start);
			f[1] = json_str(json_get(row, "label"));
			f[2] = YAJL_IS_TRUE(json_get(row, "open")) ? "1" : "0";
			kpis = json_get(row, "kpis");
		} else {
			f[0] = "";
			f[1] = "total";
			f[2] = "";
			kpis = json_get(total, "kpis");
		}
		for (j = 0; j < FMT_REPORT_NCOLS; j++)
			f[3 + j] = fmt_csv_number(json_num(json_get(kpis,
			    fmt_report_columns[j].id)), v[j], sizeof v[j]);
		csv_record(&out, f, 3 + FMT_REPORT_NCOLS);
	}
	return (buf_finish(&out));
}
