/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Human output of callscore(1); see fmt.h.  Replies come from the daemon
 * but names in them come from whatever fed the daemon (a PBX), so every
 * string that reaches a cell is escaped, and a missing or mistyped field
 * shows as "-" rather than failing the whole command.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "fmt.h"
#include "kpi.h"
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
	size_t		 ncells;
	size_t		 cellcap;
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

static const struct fmt_column fmt_agent_columns[] = {
	{ "answered", "answered" },
	{ "aht", "aht" },
	{ "hold_avg", "hold" },
	{ "csat", "csat" },
	{ "qa_score", "qa" },
	{ "fcr", "fcr" },
};

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
	char	cell[FMT_CELL_MAX];

	if (t->ncells == t->cellcap) {
		t->cellcap = t->cellcap == 0 ? 64 : t->cellcap * 2;
		t->cells = xreallocarray(t->cells, t->cellcap,
		    sizeof *t->cells);
	}
	fmt_escape(cell, sizeof cell, s != NULL ? s : "");
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
	const char	*cell;

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
			buf_add(&line, cell, strlen(cell));
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
