/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The YAML configuration, callscored.yaml(5).  libyaml loads the file
 * into a document tree; one key table (section, name, type, default,
 * bounds, field) then drives parsing, defaults, validation and printing.
 * Every problem is collected with its position so that one run of
 * `callscored -n` shows all of them, sorted by line.  Defaults go
 * through the same typed getters as the file, so a default can never
 * escape the bounds the file is held to.  The table also marks the keys
 * a reload cannot change (conf_reload_check()).  Scorecard targets are
 * checked against the KPI catalogue (kpi.h): ids, units and directions.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "calendar.h"
#include "conf.h"
#include "kpi.h"
#include "log.h"
#include "window.h"
#include "xmalloc.h"

#ifndef CALLSCORE_STATEDIR
#define CALLSCORE_STATEDIR	"/var/lib/callscore"
#endif
#ifndef CALLSCORE_RUNSTATEDIR
#define CALLSCORE_RUNSTATEDIR	"/run/callscore"
#endif

#define CONF_FILE_MAX		(1024 * 1024)	/* bytes of YAML read */
#define CONF_ERRORS_MAX		100	/* then "too many errors" */
#define CONF_NAME_MAX		64	/* queue and QA criterion names */
#define CONF_VALUE_SHOW		64	/* bytes of a bad value quoted back */

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

enum conf_type {
	CONF_ADDR,	/* char *, "host:port"; empty = off (NULL) */
	CONF_PATH,	/* char *, non-empty */
	CONF_PATH_OFF,	/* char *, empty = off (NULL) */
	CONF_GROUP,	/* char *, a group name or gid; empty = off (NULL) */
	CONF_DIR,	/* char *, empty = environment or compiled-in */
	CONF_TZ,	/* char *, IANA time zone; empty = local (NULL) */
	CONF_SIZE,	/* size_t, bytes with k/m/g suffixes */
	CONF_COUNT,	/* size_t, plain integer */
	CONF_UINT,	/* unsigned int, plain integer */
	CONF_MODE,	/* unsigned int, octal */
	CONF_DURATION,	/* double, seconds with ms/s/m/h/d suffixes */
	CONF_INTERVAL,	/* double, a duration of exactly 15m or 30m */
	CONF_NUMBER,	/* double */
	CONF_BOOL,	/* int */
	CONF_LOGLEVEL,	/* int, enum log_level */
	CONF_CHOICE,	/* int, the index of one of the words in env */
	CONF_WINDOWS,	/* windows[], nwindows (built after the walk) */
	CONF_NAMES,	/* qa_criteria[], nqa */
	CONF_QUEUES,	/* queues[], nqueues */
	CONF_WEIGHTS,	/* weights[], "perspective=weight ..." */
	CONF_TARGETS	/* targets[], "kpi=target/amber ..." */
};

/* conf_key flags */
#define CONF_RESTART	0x1	/* a reload cannot change it */

struct conf_key {
	const char	*section;	/* NULL: top-level key */
	const char	*name;
	enum conf_type	 type;
	const char	*def;		/* as written in YAML; lists by spaces */
	double		 min, max;
	size_t		 off;		/* field in struct conf */
	int		 flags;
	const char	*env;		/* CONF_DIR: environment variable;
					   CONF_CHOICE: the words, by spaces */
	const char	*fallback;	/* CONF_DIR: compiled-in directory */
};

#define F(f)	offsetof(struct conf, f)
#define KIB	1024.0
#define MIB	(1024.0 * 1024.0)
#define DAY	86400.0
#define R	CONF_RESTART

/*
 * The shipped scorecard (callscored.yaml(5) explains the choice): common
 * contact-centre goals, amber a step short of them.  Seconds KPIs take
 * durations.  cost_per_contact and revenue_per_call depend on the site.
 */
#define CONF_DEFAULT_WEIGHTS						\
	"customer=40 process=30 financial=15 learning=15"
#define CONF_DEFAULT_TARGETS						\
	"service_level=80/70 abandon_rate=5/8 asa=30/60 wait_p90=60/120 "	\
	"aht=360/480 hold_rate=20/30 fcr=70/60 resolution_rate=80/70 "	\
	"transfer_rate=10/15 csat=80/70 nps=30/10 qa_score=85/75 esat=75/60"

/* Grouped by section, in the order conf_print() writes them. */
static const struct conf_key conf_keys[] = {
	{ "listen", "tcp", CONF_ADDR, "127.0.0.1:7311", 0, 0,
	    F(listen_tcp), R, NULL, NULL },
	{ "listen", "unix", CONF_PATH_OFF, "events.sock", 0, 0,
	    F(listen_unix), R, NULL, NULL },
	{ "listen", "unix_mode", CONF_MODE, "0660", 0, 0777,
	    F(unix_mode), R, NULL, NULL },
	{ "listen", "udp", CONF_ADDR, "", 0, 0,
	    F(listen_udp), R, NULL, NULL },
	{ "listen", "udp_rcvbuf", CONF_SIZE, "0", 0, 1024 * MIB,
	    F(udp_rcvbuf), R, NULL, NULL },
	/* The words in the order of enum conf_acks. */
	{ "listen", "acks", CONF_CHOICE, "all", 0, 0,
	    F(acks), 0, "all errors none durable", NULL },
	{ "control", "socket", CONF_PATH, "control.sock", 0, 0,
	    F(control_socket), R, NULL, NULL },
	{ "control", "mode", CONF_MODE, "0660", 0, 0777,
	    F(control_mode), R, NULL, NULL },
	{ "control", "group", CONF_GROUP, "", 0, 0,
	    F(control_group), R, NULL, NULL },
	{ "control", "tcp", CONF_ADDR, "", 0, 0,
	    F(control_tcp), R, NULL, NULL },
	/* Read again on reload: a new token takes effect then. */
	{ "control", "token_file", CONF_PATH_OFF, "", 0, 0,
	    F(control_token_file), 0, NULL, NULL },
	{ "http", "listen", CONF_ADDR, "", 0, 0,
	    F(http_listen), R, NULL, NULL },
	{ "directories", "state", CONF_DIR, "", 0, 0,
	    F(state_directory), R, "STATE_DIRECTORY", CALLSCORE_STATEDIR },
	{ "directories", "runtime", CONF_DIR, "", 0, 0,
	    F(runtime_directory), R, "RUNTIME_DIRECTORY",
	    CALLSCORE_RUNSTATEDIR },
	{ NULL, "windows", CONF_WINDOWS, "5m 15m 1h 24h", 0, 0,
	    F(windows), R, NULL, NULL },
	{ NULL, "window_slots", CONF_UINT, "60", 2, 3600,
	    F(window_slots), R, NULL, NULL },
	{ "kpi", "service_level_threshold", CONF_DURATION, "20", 1, 3600,
	    F(sl_threshold), 0, NULL, NULL },
	{ "kpi", "short_abandon", CONF_DURATION, "5", 0, 3600,
	    F(short_abandon), 0, NULL, NULL },
	{ "kpi", "agent_cost_per_hour", CONF_NUMBER, "0", 0, 1e6,
	    F(cost_per_hour), 0, NULL, NULL },
	{ "kpi", "repeat_window", CONF_DURATION, "24h", 60, 30 * DAY,
	    F(repeat_window), 0, NULL, NULL },
	/* Criteria are slot indexes in the aggregates. */
	{ "kpi", "qa_criteria", CONF_NAMES,
	    "greeting listening knowledge resolution", 0, AGG_QA_MAX,
	    F(qa_criteria), R, NULL, NULL },
	{ NULL, "queues", CONF_QUEUES, "", 0, 0,
	    F(queues), 0, NULL, NULL },
	{ "scorecard", "weights", CONF_WEIGHTS, CONF_DEFAULT_WEIGHTS, 0, 1e6,
	    F(weights), 0, NULL, NULL },
	{ "scorecard", "targets", CONF_TARGETS, CONF_DEFAULT_TARGETS, 0, 0,
	    F(targets), 0, NULL, NULL },
	{ "calendar", "timezone", CONF_TZ, "", 0, 0,
	    F(timezone), 0, NULL, NULL },
	{ "calendar", "interval", CONF_INTERVAL, "15m", 900, 1800,
	    F(interval), 0, NULL, NULL },
	{ "live", "call_expiry", CONF_DURATION, "4h", 60, 7 * DAY,
	    F(call_expiry), 0, NULL, NULL },
	{ "snapshot", "interval", CONF_DURATION, "60", 1, DAY,
	    F(snapshot_interval), 0, NULL, NULL },
	{ "snapshot", "database", CONF_PATH, "callscore.db", 0, 0,
	    F(database), R, NULL, NULL },
	{ "snapshot", "retention", CONF_DURATION, "30d", 0, 3650 * DAY,
	    F(retention), 0, NULL, NULL },
	{ "snapshot", "history_agents", CONF_BOOL, "false", 0, 0,
	    F(history_agents), 0, NULL, NULL },
	{ "snapshot", "max_size", CONF_SIZE, "0", 0, 1024 * 1024 * MIB,
	    F(db_max_size), 0, NULL, NULL },
	{ "snapshot", "journal", CONF_BOOL, "true", 0, 0,
	    F(journal), R, NULL, NULL },
	{ "snapshot", "journal_flush", CONF_DURATION, "250ms", 0.001, 10,
	    F(journal_flush), 0, NULL, NULL },
	{ "snapshot", "journal_max", CONF_SIZE, "64m", 64 * KIB, 4096 * MIB,
	    F(journal_max), 0, NULL, NULL },
	{ "snapshot", "synchronous", CONF_CHOICE, "normal", 0, 0,
	    F(synchronous), R, "normal full", NULL },
	{ "limits", "max_line", CONF_SIZE, "65536", 256, 16 * MIB,
	    F(max_line), 0, NULL, NULL },
	{ "limits", "max_connections", CONF_COUNT, "1024", 1, 1048576,
	    F(max_conns), 0, NULL, NULL },
	{ "limits", "max_queues", CONF_COUNT, "1000", 1, 1000000,
	    F(max_queues), 0, NULL, NULL },
	{ "limits", "max_agents", CONF_COUNT, "10000", 1, 1000000,
	    F(max_agents), 0, NULL, NULL },
	{ "limits", "max_teams", CONF_COUNT, "1000", 1, 1000000,
	    F(max_teams), 0, NULL, NULL },
	{ "limits", "agent_percentiles", CONF_UINT, "0", 0, 10,
	    F(agent_percentiles), R, NULL, NULL },
	{ "limits", "max_calls", CONF_COUNT, "100000", 1, 10000000,
	    F(max_calls), 0, NULL, NULL },
	{ "limits", "idle_timeout", CONF_DURATION, "300", 1, DAY,
	    F(idle_timeout), 0, NULL, NULL },
	{ "limits", "line_timeout", CONF_DURATION, "10", 1, 3600,
	    F(line_timeout), 0, NULL, NULL },
	{ "limits", "max_event_age", CONF_DURATION, "24h", 60, 30 * DAY,
	    F(max_age), 0, NULL, NULL },
	{ "limits", "max_clock_skew", CONF_DURATION, "5m", 0, DAY,
	    F(max_skew), 0, NULL, NULL },
	{ "log", "level", CONF_LOGLEVEL, "info", 0, 0,
	    F(log_level), 0, NULL, NULL },
};
#define CONF_NKEYS	nitems(conf_keys)

/* The keys a queue override may set; the first has kpi's bounds. */
#define CONF_QUEUE_KEY_SECTION	"kpi"
#define CONF_QUEUE_KEY		"service_level_threshold"
#define CONF_QUEUE_TARGETS	"targets"

#define CONF_TZ_MAX		255	/* bytes of a time zone name */
#define CONF_TZ_DIR		"/usr/share/zoneinfo"

/* A position in the file; line 0 means none (a default). */
struct conf_pos {
	size_t		 line;
	size_t		 col;
};

/* A scalar to convert, from the file or from the key table. */
struct conf_val {
	const char	*s;		/* NUL-terminated */
	size_t		 len;
	int		 null;		/* plain "", "~" or "null" */
	struct conf_pos	 pos;
};

struct conf_err {
	struct conf_pos	 pos;
	size_t		 seq;
	char		*msg;
};

struct conf_qent {
	struct conf_queue q;
	struct conf_pos	 pos;
	size_t		 seq;
};

struct conf_parse {
	const char	*file;		/* for messages; NULL for defaults */
	char		*confdir;	/* absolute directory of the file */
	yaml_document_t	*doc;

	struct conf_err	*errs;
	size_t		 nerrs;

	int		 seen[CONF_NKEYS];
	struct conf_pos	 pos[CONF_NKEYS];	/* of each value set */

	char		 wname[CONF_WINDOWS_MAX][WINDOW_NAME_MAX + 1];
	size_t		 nwitems;	/* items in the file's list */
	struct conf_pos	 wpos[CONF_WINDOWS_MAX];
	size_t		 nwname;

	struct conf_qent *qents;
	size_t		 nqents;

	int		 listen_seen;
	struct conf_pos	 listen_pos;
};

static void	 conf_error(struct conf_parse *, const struct conf_pos *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	 conf_err_cmp(const void *, const void *);
static char	*conf_errors_join(struct conf_parse *);
static void	 conf_parse_clear(struct conf_parse *);
static const char *conf_show(char *, size_t, const struct conf_val *);
static struct conf_pos conf_node_pos(const yaml_node_t *);
static const char *conf_kind(const yaml_node_t *);
static int	 conf_node_null(const yaml_node_t *);
static int	 conf_node_val(struct conf_parse *, const yaml_node_t *,
		    const char *, struct conf_val *);
static int	 conf_parse_uint(const char *, unsigned long long *);
static int	 conf_parse_size(const char *, unsigned long long *);
static int	 conf_parse_number(const char *, double *);
static int	 conf_parse_duration(const char *, double *);
static int	 conf_parse_real(const char *, double *);
static void	 conf_fmt_number(char *, size_t, double);
static void	 conf_fmt_duration(char *, size_t, double);
static int	 conf_choice(const char *, const char *);
static void	 conf_choice_name(char *, size_t, const char *, int);
static void	 conf_choice_list(char *, size_t, const char *);
static int	 conf_name_valid(const char *, size_t);
static int	 conf_tz_check(struct conf_parse *, const char *,
		    const struct conf_val *);
static void	 conf_target_bounds(int, double *, double *);
static void	 conf_fmt_target(char *, size_t, int, double);
static int	 conf_target_num(struct conf_parse *, int, const char *,
		    const struct conf_val *, double *);
static int	 conf_target_order(struct conf_parse *, int, const char *,
		    const struct conf_pos *, const struct conf_target *);
static int	 conf_target_id(struct conf_parse *, const char *,
		    const struct conf_val *);
static void	 conf_walk_target(struct conf_parse *, const char *,
		    const yaml_node_t *, const yaml_node_t *,
		    struct conf_target *, int *);
static void	 conf_walk_targets(struct conf_parse *, const char *,
		    const yaml_node_t *, struct conf_target *);
static int	 conf_weight_set(struct conf_parse *, double *, int *,
		    const char *, const struct conf_val *,
		    const struct conf_val *);
static void	 conf_walk_weights(struct conf_parse *, struct conf *,
		    size_t, const yaml_node_t *);
static void	 conf_default_pairs(struct conf_parse *, struct conf *,
		    size_t);
static size_t	 conf_key_find(const char *, const char *);
static int	 conf_set(struct conf_parse *, const struct conf_key *,
		    const char *, const struct conf_val *, void *);
static void	 conf_set_default(struct conf_parse *, struct conf *,
		    size_t);
static void	 conf_window_add(struct conf_parse *, const char *,
		    const struct conf_val *);
static void	 conf_qa_add(struct conf_parse *, struct conf *, const char *,
		    const struct conf_val *);
static void	 conf_walk_key(struct conf_parse *, struct conf *, size_t,
		    const yaml_node_t *);
static void	 conf_walk_list(struct conf_parse *, struct conf *, size_t,
		    const yaml_node_t *);
static void	 conf_walk_queues(struct conf_parse *, const yaml_node_t *);
static void	 conf_walk_section(struct conf_parse *, struct conf *,
		    const char *, const yaml_node_t *);
static void	 conf_walk(struct conf_parse *, struct conf *,
		    const yaml_node_t *);
static int	 conf_qent_cmp(const void *, const void *);
static int	 conf_queue_cmp(const void *, const void *);
static void	 conf_finish_queues(struct conf_parse *, struct conf *);
static void	 conf_finish_windows(struct conf_parse *, struct conf *);
static char	*conf_resolve_dir(struct conf_parse *, const struct conf_key *,
		    char *);
static void	 conf_check_socket(struct conf_parse *, size_t, const char *,
		    const char *);
static void	 conf_finish_control(struct conf_parse *, struct conf *);
static void	 conf_finish(struct conf_parse *, struct conf *);
static struct conf *conf_build(struct conf_parse *, const yaml_node_t *);
static char	*conf_read_file(const char *, size_t *, char **);
static void	 conf_yaml_error(struct conf_parse *, yaml_parser_t *,
		    const char *, size_t);
static void	 conf_print_string(FILE *, const char *);
static void	 conf_print_target(FILE *, int, const struct conf_target *);
static int	 conf_field_equal(const struct conf_key *, const struct conf *,
		    const struct conf *);

/* Record one problem; the message is "key: text". */
static void
conf_error(struct conf_parse *p, const struct conf_pos *pos, const char *key,
    const char *fmt, ...)
{
	struct conf_err	*e;
	va_list		 ap;
	char		*text;
	int		 n;

	if (p->nerrs > CONF_ERRORS_MAX)
		return;
	p->errs = xreallocarray(p->errs, p->nerrs + 1, sizeof *p->errs);
	e = &p->errs[p->nerrs];
	e->seq = p->nerrs++;
	if (p->nerrs > CONF_ERRORS_MAX) {
		/* Sorts last: a file this broken needs no more detail. */
		e->pos.line = SIZE_MAX;
		e->pos.col = 0;
		xasprintf(&e->msg, "%s: too many errors", p->file);
		return;
	}
	if (pos != NULL)
		e->pos = *pos;
	else
		e->pos.line = e->pos.col = 0;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("conf: vsnprintf");
	text = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (e->pos.line == 0)
		xasprintf(&e->msg, "%s: %s%s%s", p->file != NULL ? p->file :
		    "(defaults)", key != NULL ? key : "",
		    key != NULL ? ": " : "", text);
	else
		xasprintf(&e->msg, "%s:%zu:%zu: %s%s%s", p->file, e->pos.line,
		    e->pos.col, key != NULL ? key : "", key != NULL ? ": " : "",
		    text);
	free(text);
}

static int
conf_err_cmp(const void *a, const void *b)
{
	const struct conf_err	*ea = a, *eb = b;

	if (ea->pos.line != eb->pos.line)
		return (ea->pos.line < eb->pos.line ? -1 : 1);
	if (ea->pos.col != eb->pos.col)
		return (ea->pos.col < eb->pos.col ? -1 : 1);
	return (ea->seq < eb->seq ? -1 : ea->seq > eb->seq);
}

/* All errors in file order, one per line, no final newline. */
static char *
conf_errors_join(struct conf_parse *p)
{
	char	*out;
	size_t	 i, len = 0, n;

	qsort(p->errs, p->nerrs, sizeof *p->errs, conf_err_cmp);
	for (i = 0; i < p->nerrs; i++)
		len += strlen(p->errs[i].msg) + 1;
	out = xmalloc(len);
	len = 0;
	for (i = 0; i < p->nerrs; i++) {
		n = strlen(p->errs[i].msg);
		memcpy(out + len, p->errs[i].msg, n);
		len += n;
		out[len++] = '\n';
	}
	out[len - 1] = '\0';
	return (out);
}

static void
conf_parse_clear(struct conf_parse *p)
{
	size_t	i;

	for (i = 0; i < p->nerrs; i++)
		free(p->errs[i].msg);
	free(p->errs);
	for (i = 0; i < p->nqents; i++)
		free(p->qents[i].q.name);
	free(p->qents);
	free(p->confdir);
}

/* A bad value, escaped and cut short, to quote in a message. */
static const char *
conf_show(char *buf, size_t size, const struct conf_val *v)
{
	size_t	n;

	n = v->len > CONF_VALUE_SHOW ? CONF_VALUE_SHOW : v->len;
	log_escape(buf, size, v->s, n);
	if (n < v->len && (n = strlen(buf)) + 4 <= size)
		memcpy(buf + n, "...", 4);
	return (buf);
}

/* libyaml marks are zero-based; people count from one. */
static struct conf_pos
conf_node_pos(const yaml_node_t *n)
{
	struct conf_pos	pos;

	pos.line = n->start_mark.line + 1;
	pos.col = n->start_mark.column + 1;
	return (pos);
}

static const char *
conf_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return ("a scalar");
	case YAML_SEQUENCE_NODE:
		return ("a sequence");
	case YAML_MAPPING_NODE:
		return ("a mapping");
	default:
		return ("nothing");
	}
}

/* Is n a plain null ("key:", "~", "null")? */
static int
conf_node_null(const yaml_node_t *n)
{
	const char	*s;
	size_t		 len;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return (0);
	s = (const char *)n->data.scalar.value;
	len = n->data.scalar.length;
	return (len == 0 || (len == 1 && s[0] == '~') ||
	    (len == 4 && (memcmp(s, "null", 4) == 0 ||
	    memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0)));
}

/* Turn a node that must be a scalar into a value; -1 after an error. */
static int
conf_node_val(struct conf_parse *p, const yaml_node_t *n, const char *key,
    struct conf_val *v)
{
	struct conf_pos	pos = conf_node_pos(n);

	if (n->type != YAML_SCALAR_NODE) {
		conf_error(p, &pos, key, "expected a scalar, got %s",
		    conf_kind(n));
		return (-1);
	}
	v->s = (const char *)n->data.scalar.value;
	v->len = n->data.scalar.length;
	v->pos = pos;
	v->null = conf_node_null(n);
	if (memchr(v->s, '\0', v->len) != NULL) {
		conf_error(p, &pos, key, "value contains a NUL byte");
		return (-1);
	}
	if (v->null) {
		v->s = "";
		v->len = 0;
	}
	return (0);
}

/* Decimal digits only: no sign, no spaces, no YAML 0x/0o/1_000. */
static int
conf_parse_uint(const char *s, unsigned long long *out)
{
	unsigned long long	n = 0;
	size_t			i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (n > (ULLONG_MAX - 9) / 10)
			return (-1);
		n = n * 10 + (unsigned long long)(s[i] - '0');
	}
	if (i == 0 || s[i] != '\0')
		return (-1);
	*out = n;
	return (0);
}

/* Bytes: digits with an optional k, m or g (binary multiples). */
static int
conf_parse_size(const char *s, unsigned long long *out)
{
	char			 buf[32];
	size_t			 len = strlen(s);
	unsigned long long	 n, mult = 1;

	if (len == 0 || len >= sizeof buf)
		return (-1);
	memcpy(buf, s, len + 1);
	switch (buf[len - 1]) {
	case 'k': case 'K':
		mult = 1024ULL;
		break;
	case 'm': case 'M':
		mult = 1024ULL * 1024;
		break;
	case 'g': case 'G':
		mult = 1024ULL * 1024 * 1024;
		break;
	}
	if (mult != 1)
		buf[len - 1] = '\0';
	if (conf_parse_uint(buf, &n) != 0 || n > ULLONG_MAX / mult)
		return (-1);
	*out = n * mult;
	return (0);
}

/* A non-negative finite decimal ("2", "0.5", "1e3"); no sign, inf, hex. */
static int
conf_parse_number(const char *s, double *out)
{
	char	*end;
	size_t	 i;
	double	 d;

	if ((s[0] < '0' || s[0] > '9') && s[0] != '.')
		return (-1);
	for (i = 0; s[i] != '\0'; i++) {
		if (strchr("0123456789.eE+-", s[i]) == NULL)
			return (-1);
	}
	errno = 0;
	d = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(d))
		return (-1);
	*out = d;
	return (0);
}

/* Seconds: a number with an optional ms, s, m, h or d. */
static int
conf_parse_duration(const char *s, double *out)
{
	static const struct {
		const char	*unit;
		double		 mult;
		int		 divide;
	} units[] = {
		{ "ms", 1000, 1 }, { "s", 1, 0 }, { "m", 60, 0 },
		{ "h", 3600, 0 }, { "d", 86400, 0 }
	};
	char	buf[64];
	size_t	len = strlen(s), ulen, i;
	double	d;

	if (len == 0 || len >= sizeof buf)
		return (-1);
	for (i = 0; i < nitems(units); i++) {
		ulen = strlen(units[i].unit);
		if (len > ulen && strcmp(s + len - ulen, units[i].unit) == 0 &&
		    (s[len - ulen - 1] >= '0' && s[len - ulen - 1] <= '9'))
			break;
	}
	memcpy(buf, s, len + 1);
	if (i < nitems(units))
		buf[len - strlen(units[i].unit)] = '\0';
	if (conf_parse_number(buf, &d) != 0)
		return (-1);
	if (i < nitems(units)) {
		/* Division is exact where 0.001 is not. */
		if (units[i].divide)
			d = d / units[i].mult;
		else
			d = d * units[i].mult;
	}
	if (!isfinite(d))
		return (-1);
	*out = d;
	return (0);
}

/* A finite decimal that may be negative (targets such as NPS -10). */
static int
conf_parse_real(const char *s, double *out)
{
	if (s[0] == '-') {
		if (conf_parse_number(s + 1, out) != 0)
			return (-1);
		*out = -*out;
		return (0);
	}
	return (conf_parse_number(s, out));
}

/* The shortest decimal that reads back as d. */
static void
conf_fmt_number(char *buf, size_t size, double d)
{
	int	prec;
	double	back;

	if (d < 0 && size > 1) {
		buf[0] = '-';
		conf_fmt_number(buf + 1, size - 1, -d);
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (conf_parse_number(buf, &back) == 0 && back == d)
			return;
	}
	snprintf(buf, size, "%.17g", d);
}

/* A duration in the largest unit it is a whole number of. */
static void
conf_fmt_duration(char *buf, size_t size, double d)
{
	static const struct {
		const char	*unit;
		double		 mult;
	} units[] = { { "d", 86400 }, { "h", 3600 }, { "m", 60 }, { "s", 1 } };
	char	num[32];
	size_t	i;
	double	q, back;

	if (d == 0) {
		snprintf(buf, size, "0s");
		return;
	}
	for (i = 0; i < nitems(units); i++) {
		q = d / units[i].mult;
		if (q == floor(q) && q < 1e15) {
			snprintf(buf, size, "%.0f%s", q, units[i].unit);
			return;
		}
	}
	q = d * 1000;
	if (q == floor(q) && q < 1e15) {
		snprintf(buf, size, "%.0fms", q);
		if (conf_parse_duration(buf, &back) == 0 && back == d)
			return;
	}
	conf_fmt_number(num, sizeof num, d);
	snprintf(buf, size, "%ss", num);
}

/* The index of s among the words (separated by spaces), or -1. */
static int
conf_choice(const char *words, const char *s)
{
	const char	*w = words, *end;
	size_t		 len = strlen(s);
	int		 i;

	for (i = 0; *w != '\0'; i++) {
		end = strchr(w, ' ');
		if (end == NULL)
			end = w + strlen(w);
		if ((size_t)(end - w) == len && strncasecmp(w, s, len) == 0)
			return (i);
		w = *end == ' ' ? end + 1 : end;
	}
	return (-1);
}

/* Word i of the words, into buf. */
static void
conf_choice_name(char *buf, size_t size, const char *words, int i)
{
	const char	*w = words;
	size_t		 len;

	for (; i > 0 && (w = strchr(w, ' ')) != NULL; i--)
		w++;
	if (w == NULL) {
		snprintf(buf, size, "?");
		return;
	}
	len = strcspn(w, " ");
	snprintf(buf, size, "%.*s", (int)len, w);
}

/* The words as "a, b or c", into buf. */
static void
conf_choice_list(char *buf, size_t size, const char *words)
{
	char		 word[32];
	const char	*p;
	size_t		 len = 0;
	int		 i, n = 1;

	for (p = words; (p = strchr(p, ' ')) != NULL; p++)
		n++;
	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		conf_choice_name(word, sizeof word, words, i);
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i == 0 ? "" : i == n - 1 ? " or " : ", ", word);
	}
}

/* Queue and QA criterion names: [A-Za-z0-9_.:-], 1 to 64 bytes. */
static int
conf_name_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > CONF_NAME_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < 'A' || s[i] > 'Z') &&
		    (s[i] < '0' || s[i] > '9') && strchr("_.:-", s[i]) == NULL)
			return (0);
	}
	return (1);
}

/*
 * A time zone is an IANA name whose compiled file exists under $TZDIR
 * or /usr/share/zoneinfo, as the C library will look for it: glibc
 * silently falls back to UTC for a name it cannot find, so a typo would
 * otherwise shift every calendar window without a word.
 */
static int
conf_tz_check(struct conf_parse *p, const char *key, const struct conf_val *v)
{
	struct stat	 st;
	const char	*dir;
	char		 show[CONF_VALUE_SHOW * 4 + 8], path[PATH_MAX], magic[4];
	size_t		 i;
	ssize_t		 n;
	int		 fd, ok = 0;

	for (i = 0; i < v->len; i++) {
		if ((v->s[i] < 'a' || v->s[i] > 'z') &&
		    (v->s[i] < 'A' || v->s[i] > 'Z') &&
		    (v->s[i] < '0' || v->s[i] > '9') &&
		    strchr("_+-/", v->s[i]) == NULL)
			break;
		/* No absolute path, "//", "." or ".." component. */
		if (v->s[i] == '/' && (i == 0 || v->s[i - 1] == '/'))
			break;
	}
	if (v->len == 0 || i != v->len || v->len > CONF_TZ_MAX ||
	    v->s[v->len - 1] == '/') {
		conf_error(p, &v->pos, key, "expected a time zone name such "
		    "as Europe/Berlin, got \"%s\"",
		    conf_show(show, sizeof show, v));
		return (-1);
	}
	if (strcmp(v->s, "UTC") == 0)
		return (0);	/* the C library's fallback: always there */

	dir = getenv("TZDIR");
	if (dir == NULL || dir[0] != '/')
		dir = CONF_TZ_DIR;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, v->s) <
	    sizeof path && (fd = open(path, O_RDONLY | O_CLOEXEC |
	    O_NONBLOCK)) != -1) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			n = read(fd, magic, sizeof magic);
			ok = n == (ssize_t)sizeof magic &&
			    memcmp(magic, "TZif", 4) == 0;
		}
		close(fd);
	}
	if (!ok) {
		conf_error(p, &v->pos, key, "unknown time zone \"%s\" (no "
		    "zone file %s/%s)", v->s, dir, v->s);
		return (-1);
	}
	return (0);
}

/* The values a target of KPI id may take, by its unit. */
static void
conf_target_bounds(int id, double *lo, double *hi)
{
	const char	*unit = kpi_table[id].unit;

	if (strcmp(unit, "percent") == 0) {
		*lo = 0;
		*hi = 100;
	} else if (strcmp(unit, "score") == 0) {
		*lo = -100;	/* NPS */
		*hi = 100;
	} else if (strcmp(unit, "seconds") == 0) {
		*lo = 0;
		*hi = DAY;
	} else if (strcmp(unit, "money") == 0) {
		*lo = 0;
		*hi = 1e9;
	} else {
		*lo = -1e9;
		*hi = 1e9;
	}
}

/* A target value as written back: durations for seconds KPIs. */
static void
conf_fmt_target(char *buf, size_t size, int id, double d)
{
	if (strcmp(kpi_table[id].unit, "seconds") == 0)
		conf_fmt_duration(buf, size, d);
	else
		conf_fmt_number(buf, size, d);
}

/* Convert one threshold of KPI id; -1 after an error. */
static int
conf_target_num(struct conf_parse *p, int id, const char *key,
    const struct conf_val *v, double *out)
{
	char	show[CONF_VALUE_SHOW * 4 + 8], lo[64], hi[64];
	double	min, max, d;
	int	secs;

	conf_target_bounds(id, &min, &max);
	secs = strcmp(kpi_table[id].unit, "seconds") == 0;
	if ((secs ? conf_parse_duration(v->s, &d) :
	    conf_parse_real(v->s, &d)) != 0 || d < min || d > max) {
		conf_fmt_target(lo, sizeof lo, id, min);
		conf_fmt_target(hi, sizeof hi, id, max);
		conf_error(p, &v->pos, key, "expected a %s between %s and %s, "
		    "got \"%s\"", secs ? "duration" : "number", lo, hi,
		    conf_show(show, sizeof show, v));
		return (-1);
	}
	*out = d;
	return (0);
}

/* amber may not be better than target; "better" is the KPI's direction. */
static int
conf_target_order(struct conf_parse *p, int id, const char *key,
    const struct conf_pos *pos, const struct conf_target *t)
{
	char	a[64], b[64];

	conf_fmt_target(a, sizeof a, id, t->amber);
	conf_fmt_target(b, sizeof b, id, t->target);
	if (kpi_table[id].direction == KPI_DIRECTION_HIGHER &&
	    t->amber > t->target) {
		conf_error(p, pos, key, "amber %s is above target %s, but "
		    "higher is better", a, b);
		return (-1);
	}
	if (kpi_table[id].direction == KPI_DIRECTION_LOWER &&
	    t->amber < t->target) {
		conf_error(p, pos, key, "amber %s is below target %s, but "
		    "lower is better", a, b);
		return (-1);
	}
	return (0);
}

/* The KPI a target names, or -1 after an error. */
static int
conf_target_id(struct conf_parse *p, const char *key,
    const struct conf_val *v)
{
	int	id;

	if ((id = kpi_lookup(v->s)) == -1) {
		conf_error(p, &v->pos, key, "unknown KPI");
		return (-1);
	}
	if (kpi_table[id].direction == KPI_DIRECTION_NONE) {
		conf_error(p, &v->pos, key, "cannot have a target: neither "
		    "higher nor lower is better");
		return (-1);
	}
	return (id);
}

/*
 * One "kpi: { target: N, amber: N }" of a targets mapping; a null value
 * means no target.  seen[] catches a KPI named twice.
 */
static void
conf_walk_target(struct conf_parse *p, const char *prefix,
    const yaml_node_t *kn, const yaml_node_t *vn, struct conf_target *targets,
    int *seen)
{
	const yaml_node_pair_t	*pair;
	const yaml_node_t	*tk, *tv;
	struct conf_pos		 pos = conf_node_pos(vn);
	struct conf_val		 v;
	struct conf_target	 t;
	char			 key[512], tkey[600];
	char			 show[CONF_VALUE_SHOW * 4 + 8];
	int			 id, got[2] = { 0, 0 }, ok[2] = { 0, 0 }, which;
	double			*field;

	if (conf_node_val(p, kn, prefix, &v) != 0)
		return;
	snprintf(key, sizeof key, "%s.%s", prefix,
	    conf_show(show, sizeof show, &v));
	if ((id = conf_target_id(p, key, &v)) == -1)
		return;
	if (seen[id]++) {
		conf_error(p, &v.pos, key, "duplicate key");
		return;
	}
	if (conf_node_null(vn)) {
		targets[id].set = 0;
		return;
	}
	if (vn->type != YAML_MAPPING_NODE) {
		conf_error(p, &pos, key, "expected a mapping, got %s",
		    conf_kind(vn));
		return;
	}

	memset(&t, 0, sizeof t);
	for (pair = vn->data.mapping.pairs.start;
	    pair < vn->data.mapping.pairs.top; pair++) {
		tk = yaml_document_get_node(p->doc, pair->key);
		tv = yaml_document_get_node(p->doc, pair->value);
		if (tk == NULL || tv == NULL ||
		    conf_node_val(p, tk, key, &v) != 0)
			continue;
		snprintf(tkey, sizeof tkey, "%s.%s", key,
		    conf_show(show, sizeof show, &v));
		if (strcmp(v.s, "target") == 0) {
			which = 0;
			field = &t.target;
		} else if (strcmp(v.s, "amber") == 0) {
			which = 1;
			field = &t.amber;
		} else {
			conf_error(p, &v.pos, tkey, "unknown key");
			continue;
		}
		if (got[which]++) {
			conf_error(p, &v.pos, tkey, "duplicate key");
			continue;
		}
		if (conf_node_val(p, tv, tkey, &v) == 0 &&
		    conf_target_num(p, id, tkey, &v, field) == 0)
			ok[which] = 1;
	}
	if (!got[0] || !got[1]) {
		conf_error(p, &pos, key, "expected both target and amber");
		return;
	}
	if (!ok[0] || !ok[1])
		return;
	t.set = 1;
	if (conf_target_order(p, id, key, &pos, &t) == 0)
		targets[id] = t;
}

/* A targets mapping: each KPI named replaces what targets[] held. */
static void
conf_walk_targets(struct conf_parse *p, const char *prefix,
    const yaml_node_t *n, struct conf_target *targets)
{
	const yaml_node_pair_t	*pair;
	const yaml_node_t	*kn, *vn;
	struct conf_pos		 pos = conf_node_pos(n);
	int			 seen[KPI_COUNT];

	if (n->type != YAML_MAPPING_NODE) {
		if (!conf_node_null(n))
			conf_error(p, &pos, prefix, "expected a mapping, got "
			    "%s", conf_kind(n));
		return;
	}
	memset(seen, 0, sizeof seen);
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		kn = yaml_document_get_node(p->doc, pair->key);
		vn = yaml_document_get_node(p->doc, pair->value);
		if (kn != NULL && vn != NULL)
			conf_walk_target(p, prefix, kn, vn, targets, seen);
	}
}

/* Set the weight of the perspective called name; -1 after an error. */
static int
conf_weight_set(struct conf_parse *p, double *weights, int *seen,
    const char *prefix, const struct conf_val *name, const struct conf_val *num)
{
	const struct conf_key	*k;
	char			 key[256], show[CONF_VALUE_SHOW * 4 + 8];
	char			 hi[64];
	size_t			 i;
	double			 d;

	k = &conf_keys[conf_key_find("scorecard", "weights")];
	snprintf(key, sizeof key, "%s.%s", prefix,
	    conf_show(show, sizeof show, name));
	for (i = 0; i < KPI_PERSPECTIVE_COUNT; i++) {
		if (strcmp(kpi_perspective_name(i), name->s) == 0)
			break;
	}
	if (i == KPI_PERSPECTIVE_COUNT) {
		conf_error(p, &name->pos, key, "unknown key");
		return (-1);
	}
	if (seen[i]++) {
		conf_error(p, &name->pos, key, "duplicate key");
		return (-1);
	}
	if (conf_parse_number(num->s, &d) != 0 || d < k->min || d > k->max) {
		conf_fmt_number(hi, sizeof hi, k->max);
		conf_error(p, &num->pos, key, "expected a number between 0 "
		    "and %s, got \"%s\"", hi, conf_show(show, sizeof show, num));
		return (-1);
	}
	weights[i] = d;
	return (0);
}

/*
 * scorecard.weights replaces the default mapping whole: a perspective it
 * does not name weighs 0, so relative weights never mix with defaults.
 */
static void
conf_walk_weights(struct conf_parse *p, struct conf *c, size_t ki,
    const yaml_node_t *n)
{
	const yaml_node_pair_t	*pair;
	const yaml_node_t	*kn, *vn;
	struct conf_pos		 pos = conf_node_pos(n);
	struct conf_val		 name, num;
	char			 key[64];
	int			 seen[KPI_PERSPECTIVE_COUNT], bad = 0;
	size_t			 i;
	double			 sum = 0;

	snprintf(key, sizeof key, "%s.%s", conf_keys[ki].section,
	    conf_keys[ki].name);
	if (n->type != YAML_MAPPING_NODE) {
		if (!conf_node_null(n))
			conf_error(p, &pos, key, "expected a mapping, got %s",
			    conf_kind(n));
		return;
	}
	memset(seen, 0, sizeof seen);
	for (i = 0; i < KPI_PERSPECTIVE_COUNT; i++)
		c->weights[i] = 0;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		kn = yaml_document_get_node(p->doc, pair->key);
		vn = yaml_document_get_node(p->doc, pair->value);
		if (kn == NULL || vn == NULL ||
		    conf_node_val(p, kn, key, &name) != 0 ||
		    conf_node_val(p, vn, key, &num) != 0 ||
		    conf_weight_set(p, c->weights, seen, key, &name,
		    &num) != 0)
			bad = 1;
	}
	for (i = 0; i < KPI_PERSPECTIVE_COUNT; i++)
		sum += c->weights[i];
	if (!bad && sum <= 0)
		conf_error(p, &pos, key, "at least one weight must be above 0");
}

/* The compiled-in weights or targets: "name=value" or "kpi=target/amber". */
static void
conf_default_pairs(struct conf_parse *p, struct conf *c, size_t ki)
{
	const struct conf_key	*k = &conf_keys[ki];
	struct conf_val		 name, num, amber;
	struct conf_target	 t;
	char			 item[128], key[256], *eq, *slash;
	const char		*s, *e;
	int			 seen[KPI_COUNT], id;
	size_t			 n;

	memset(seen, 0, sizeof seen);
	memset(&name, 0, sizeof name);
	num = amber = name;
	snprintf(key, sizeof key, "%s.%s", k->section, k->name);
	for (s = k->def; *s != '\0'; s = e + strspn(e, " ")) {
		e = s + strcspn(s, " ");
		n = e - s;
		if (n >= sizeof item)
			fatalx("conf: %s: default too long", k->name);
		memcpy(item, s, n);
		item[n] = '\0';
		if ((eq = strchr(item, '=')) == NULL)
			fatalx("conf: %s: bad default %s", k->name, item);
		*eq++ = '\0';
		name.s = item;
		name.len = strlen(item);
		num.s = eq;
		num.len = strlen(eq);
		if (k->type == CONF_WEIGHTS) {
			conf_weight_set(p, c->weights, seen, key, &name, &num);
			continue;
		}
		if ((slash = strchr(eq, '/')) == NULL)
			fatalx("conf: %s: bad default %s", k->name, item);
		*slash++ = '\0';
		num.len = strlen(eq);
		amber.s = slash;
		amber.len = strlen(slash);
		if ((id = conf_target_id(p, key, &name)) == -1)
			continue;
		t.set = 1;
		if (conf_target_num(p, id, key, &num, &t.target) == 0 &&
		    conf_target_num(p, id, key, &amber, &t.amber) == 0 &&
		    conf_target_order(p, id, key, NULL, &t) == 0)
			c->targets[id] = t;
	}
}

/*
 * Parse "host:port" or "[v6addr]:port".  host gets the name or address
 * without brackets; returns -1 if the form, the host's characters or
 * the port (0 to 65535; 0 lets the kernel pick, for tests) are wrong.
 */
int
conf_parse_addr(const char *s, char *host, size_t hostsize, int *port)
{
	const char		*colon, *h, *hend, *c;
	unsigned long long	 n;
	size_t			 hlen;

	if (s[0] == '[') {
		h = s + 1;
		if ((hend = strchr(h, ']')) == NULL || hend[1] != ':')
			return (-1);
		colon = hend + 1;
		for (c = h; c < hend; c++) {
			if (strchr("0123456789abcdefABCDEF:.", *c) == NULL)
				break;
		}
		/* An optional %zone after the address. */
		if (c < hend && *c == '%' && c > h) {
			for (c++; c < hend; c++) {
				if ((*c < 'a' || *c > 'z') &&
				    (*c < 'A' || *c > 'Z') &&
				    (*c < '0' || *c > '9') &&
				    strchr("_.-", *c) == NULL)
					break;
			}
		}
		if (c != hend || memchr(h, ':', hend - h) == NULL)
			return (-1);
	} else {
		h = s;
		if ((colon = strrchr(s, ':')) == NULL)
			return (-1);
		hend = colon;
		for (c = h; c < hend; c++) {
			if ((*c < 'a' || *c > 'z') && (*c < 'A' || *c > 'Z') &&
			    (*c < '0' || *c > '9') && *c != '.' && *c != '-' &&
			    *c != '_')
				return (-1);
		}
	}
	hlen = hend - h;
	if (hlen == 0 || hlen >= hostsize)
		return (-1);
	if (conf_parse_uint(colon + 1, &n) != 0 || n > 65535 ||
	    strlen(colon + 1) > 5)
		return (-1);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (int)n;
	return (0);
}

/* The index of a key in the table; the name must exist. */
static size_t
conf_key_find(const char *section, const char *name)
{
	size_t	i;

	for (i = 0; i < CONF_NKEYS; i++) {
		if (strcmp(conf_keys[i].name, name) == 0 &&
		    (section == NULL ? conf_keys[i].section == NULL :
		    conf_keys[i].section != NULL &&
		    strcmp(conf_keys[i].section, section) == 0))
			return (i);
	}
	fatalx("conf: no key %s.%s", section, name);
}

/* Convert v for scalar key k into field; -1 after an error. */
static int
conf_set(struct conf_parse *p, const struct conf_key *k, const char *key,
    const struct conf_val *v, void *field)
{
	char			 show[CONF_VALUE_SHOW * 4 + 8];
	char			 lo[64], hi[64], host[256];
	const char		*digits;
	unsigned long long	 n;
	double			 d;
	int			 port, r;
	gid_t			 gid;
	enum log_level		 level;

	switch (k->type) {
	case CONF_ADDR:
	case CONF_TZ:
	case CONF_PATH_OFF:
	case CONF_GROUP:
	case CONF_DIR:
	case CONF_PATH:
		if (v->len >= PATH_MAX) {
			conf_error(p, &v->pos, key, "longer than %d bytes",
			    PATH_MAX - 1);
			return (-1);
		}
		if (k->type == CONF_ADDR && v->len != 0 &&
		    conf_parse_addr(v->s, host, sizeof host, &port) != 0) {
			conf_error(p, &v->pos, key, "expected host:port with a "
			    "port between 0 and 65535, got \"%s\"",
			    conf_show(show, sizeof show, v));
			return (-1);
		}
		if (k->type == CONF_TZ && v->len != 0 &&
		    conf_tz_check(p, key, v) != 0)
			return (-1);
		if (k->type == CONF_GROUP && v->len != 0 &&
		    conf_group_gid(v->s, &gid) != 0) {
			conf_error(p, &v->pos, key, "no group \"%s\" (expected "
			    "a group name or a numeric gid)",
			    conf_show(show, sizeof show, v));
			return (-1);
		}
		if (k->type == CONF_PATH && v->len == 0) {
			conf_error(p, &v->pos, key, "expected a path, got "
			    "nothing");
			return (-1);
		}
		free(*(char **)field);
		*(char **)field = v->len == 0 ? NULL : xstrdup(v->s);
		return (0);
	case CONF_SIZE:
	case CONF_COUNT:
	case CONF_UINT:
		if (k->type == CONF_SIZE)
			r = conf_parse_size(v->s, &n);
		else
			r = conf_parse_uint(v->s, &n);
		if (r != 0 || (double)n < k->min || (double)n > k->max) {
			conf_error(p, &v->pos, key, "expected an integer "
			    "between %.0f and %.0f, got \"%s\"", k->min,
			    k->max, conf_show(show, sizeof show, v));
			return (-1);
		}
		if (k->type == CONF_UINT)
			*(unsigned int *)field = (unsigned int)n;
		else
			*(size_t *)field = (size_t)n;
		return (0);
	case CONF_MODE:
		/* Always octal: "0660", 0660, 660 and "0o660" agree. */
		digits = v->s;
		if (v->len > 2 && digits[0] == '0' && digits[1] == 'o')
			digits += 2;
		n = 0;
		for (r = 0; digits[r] >= '0' && digits[r] <= '7' && r < 6; r++)
			n = n * 8 + (unsigned long long)(digits[r] - '0');
		if (r == 0 || digits[r] != '\0' || (double)n > k->max) {
			conf_error(p, &v->pos, key, "expected an octal mode "
			    "between 0000 and 0777, got \"%s\"",
			    conf_show(show, sizeof show, v));
			return (-1);
		}
		*(unsigned int *)field = (unsigned int)n;
		return (0);
	case CONF_DURATION:
		if (conf_parse_duration(v->s, &d) != 0 || d < k->min ||
		    d > k->max) {
			conf_fmt_duration(lo, sizeof lo, k->min);
			conf_fmt_duration(hi, sizeof hi, k->max);
			conf_error(p, &v->pos, key, "expected a duration "
			    "between %s and %s, got \"%s\"", lo, hi,
			    conf_show(show, sizeof show, v));
			return (-1);
		}
		*(double *)field = d;
		return (0);
	case CONF_INTERVAL:
		if (conf_parse_duration(v->s, &d) != 0 ||
		    (d != k->min && d != k->max)) {
			conf_fmt_duration(lo, sizeof lo, k->min);
			conf_fmt_duration(hi, sizeof hi, k->max);
			conf_error(p, &v->pos, key, "expected %s or %s, got "
			    "\"%s\"", lo, hi, conf_show(show, sizeof show, v));
			return (-1);
		}
		*(double *)field = d;
		return (0);
	case CONF_NUMBER:
		if (conf_parse_number(v->s, &d) != 0 || d < k->min ||
		    d > k->max) {
			conf_fmt_number(lo, sizeof lo, k->min);
			conf_fmt_number(hi, sizeof hi, k->max);
			conf_error(p, &v->pos, key, "expected a number between "
			    "%s and %s, got \"%s\"", lo, hi,
			    conf_show(show, sizeof show, v));
			return (-1);
		}
		*(double *)field = d;
		return (0);
	case CONF_BOOL:
		if (strcasecmp(v->s, "true") == 0 ||
		    strcasecmp(v->s, "yes") == 0 ||
		    strcasecmp(v->s, "on") == 0)
			*(int *)field = 1;
		else if (strcasecmp(v->s, "false") == 0 ||
		    strcasecmp(v->s, "no") == 0 ||
		    strcasecmp(v->s, "off") == 0)
			*(int *)field = 0;
		else {
			conf_error(p, &v->pos, key, "expected true or false, "
			    "got \"%s\"", conf_show(show, sizeof show, v));
			return (-1);
		}
		return (0);
	case CONF_CHOICE:
		if ((r = conf_choice(k->env, v->s)) == -1) {
			conf_choice_list(lo, sizeof lo, k->env);
			conf_error(p, &v->pos, key, "expected %s, got \"%s\"",
			    lo, conf_show(show, sizeof show, v));
			return (-1);
		}
		*(int *)field = r;
		return (0);
	case CONF_LOGLEVEL:
		if (log_level_parse(v->s, &level) != 0) {
			conf_error(p, &v->pos, key, "expected one of error, "
			    "warning, notice, info, debug, got \"%s\"",
			    conf_show(show, sizeof show, v));
			return (-1);
		}
		*(int *)field = (int)level;
		return (0);
	case CONF_WINDOWS:
	case CONF_NAMES:
	case CONF_QUEUES:
	case CONF_WEIGHTS:
	case CONF_TARGETS:
		break;
	}
	fatalx("conf: %s: not a scalar key", key);
}

/* Collect one window name; conf_finish_windows() checks the spans. */
static void
conf_window_add(struct conf_parse *p, const char *key,
    const struct conf_val *v)
{
	char	show[CONF_VALUE_SHOW * 4 + 8];
	size_t	i;

	if (p->nwname == CONF_WINDOWS_MAX) {
		conf_error(p, &v->pos, key, "more than %d windows",
		    CONF_WINDOWS_MAX);
		p->nwname++;
		return;
	}
	if (p->nwname > CONF_WINDOWS_MAX)
		return;
	for (i = 0; i < v->len; i++) {
		if ((v->s[i] < 'a' || v->s[i] > 'z') &&
		    (v->s[i] < '0' || v->s[i] > '9'))
			break;
	}
	if (v->len == 0 || v->len > WINDOW_NAME_MAX || i != v->len) {
		conf_error(p, &v->pos, key, "expected a span such as 30s, 5m, "
		    "1h or 2d, got \"%s\"", conf_show(show, sizeof show, v));
		return;
	}
	memcpy(p->wname[p->nwname], v->s, v->len + 1);
	p->wpos[p->nwname++] = v->pos;
}

static void
conf_qa_add(struct conf_parse *p, struct conf *c, const char *key,
    const struct conf_val *v)
{
	char	show[CONF_VALUE_SHOW * 4 + 8];
	size_t	i;

	if (!conf_name_valid(v->s, v->len)) {
		conf_error(p, &v->pos, key, "expected a name of 1 to %d "
		    "characters A-Z a-z 0-9 _ . : -, got \"%s\"",
		    CONF_NAME_MAX, conf_show(show, sizeof show, v));
		return;
	}
	for (i = 0; i < c->nqa; i++) {
		if (strcmp(c->qa_criteria[i], v->s) == 0) {
			conf_error(p, &v->pos, key, "duplicate criterion "
			    "\"%s\"", v->s);
			return;
		}
	}
	if (c->nqa == AGG_QA_MAX) {
		conf_error(p, &v->pos, key, "more than %d criteria",
		    AGG_QA_MAX);
		return;
	}
	c->qa_criteria[c->nqa++] = xstrdup(v->s);
}

/* Apply the compiled-in default of key i, checked like the file. */
static void
conf_set_default(struct conf_parse *p, struct conf *c, size_t i)
{
	const struct conf_key	*k = &conf_keys[i];
	struct conf_val		 v;
	char			 item[128];
	const char		*s, *e;
	size_t			 n;

	memset(&v, 0, sizeof v);
	switch (k->type) {
	case CONF_WINDOWS:
	case CONF_NAMES:
		for (s = k->def; *s != '\0'; s = e + strspn(e, " ")) {
			e = s + strcspn(s, " ");
			n = e - s;
			if (n >= sizeof item)
				fatalx("conf: %s: default too long", k->name);
			memcpy(item, s, n);
			item[n] = '\0';
			v.s = item;
			v.len = n;
			if (k->type == CONF_WINDOWS)
				conf_window_add(p, k->name, &v);
			else
				conf_qa_add(p, c, k->name, &v);
		}
		break;
	case CONF_QUEUES:
		break;
	case CONF_WEIGHTS:
	case CONF_TARGETS:
		conf_default_pairs(p, c, i);
		break;
	default:
		v.s = k->def;
		v.len = strlen(k->def);
		conf_set(p, k, k->name, &v, (char *)c + k->off);
		break;
	}
}

/* The value node of key i (section entries and top-level alike). */
static void
conf_walk_key(struct conf_parse *p, struct conf *c, size_t i,
    const yaml_node_t *n)
{
	const struct conf_key	*k = &conf_keys[i];
	struct conf_val		 v;
	char			 key[128];

	if (k->section != NULL)
		snprintf(key, sizeof key, "%s.%s", k->section, k->name);
	else
		snprintf(key, sizeof key, "%s", k->name);
	p->seen[i] = 1;
	p->pos[i] = conf_node_pos(n);

	switch (k->type) {
	case CONF_WINDOWS:
	case CONF_NAMES:
		conf_walk_list(p, c, i, n);
		return;
	case CONF_QUEUES:
		conf_walk_queues(p, n);
		return;
	case CONF_WEIGHTS:
		conf_walk_weights(p, c, i, n);
		return;
	case CONF_TARGETS:
		conf_walk_targets(p, key, n, c->targets);
		return;
	default:
		if (conf_node_val(p, n, key, &v) == 0)
			conf_set(p, k, key, &v, (char *)c + k->off);
		return;
	}
}

/* A sequence of names (windows, QA criteria) replaces the default. */
static void
conf_walk_list(struct conf_parse *p, struct conf *c, size_t i,
    const yaml_node_t *n)
{
	const struct conf_key	*k = &conf_keys[i];
	const yaml_node_item_t	*it;
	const yaml_node_t	*item;
	struct conf_pos		 pos = conf_node_pos(n);
	struct conf_val		 v;
	char			 key[128];
	size_t			 j;

	if (k->section != NULL)
		snprintf(key, sizeof key, "%s.%s", k->section, k->name);
	else
		snprintf(key, sizeof key, "%s", k->name);
	if (n->type != YAML_SEQUENCE_NODE && !conf_node_null(n)) {
		conf_error(p, &pos, key, "expected a sequence, got %s",
		    conf_kind(n));
		return;
	}

	if (k->type == CONF_WINDOWS) {
		p->nwname = 0;
		if (n->type == YAML_SEQUENCE_NODE)
			p->nwitems = n->data.sequence.items.top -
			    n->data.sequence.items.start;
	} else {
		for (j = 0; j < c->nqa; j++)
			free(c->qa_criteria[j]);
		c->nqa = 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return;

	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		item = yaml_document_get_node(p->doc, *it);
		if (k->section != NULL)
			snprintf(key, sizeof key, "%s.%s[%zu]", k->section,
			    k->name, (size_t)(it - n->data.sequence.items.start));
		else
			snprintf(key, sizeof key, "%s[%zu]", k->name,
			    (size_t)(it - n->data.sequence.items.start));
		if (item == NULL || conf_node_val(p, item, key, &v) != 0)
			continue;
		if (k->type == CONF_WINDOWS)
			conf_window_add(p, key, &v);
		else
			conf_qa_add(p, c, key, &v);
	}
}

/* queues: { name: { service_level_threshold: T, targets: {...} }, ... } */
static void
conf_walk_queues(struct conf_parse *p, const yaml_node_t *n)
{
	const struct conf_key	*k;
	const yaml_node_pair_t	*pair, *pp;
	const yaml_node_t	*kn, *vn, *qk, *qv;
	struct conf_pos		 pos = conf_node_pos(n);
	struct conf_val		 v;
	struct conf_qent	*qe;
	char			 key[512], show[CONF_VALUE_SHOW * 4 + 8];
	int			 seen, seen_targets;
	size_t			 i;

	k = &conf_keys[conf_key_find(CONF_QUEUE_KEY_SECTION, CONF_QUEUE_KEY)];

	if (n->type != YAML_MAPPING_NODE) {
		if (!conf_node_null(n))
			conf_error(p, &pos, "queues", "expected a mapping, "
			    "got %s", conf_kind(n));
		return;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		kn = yaml_document_get_node(p->doc, pair->key);
		vn = yaml_document_get_node(p->doc, pair->value);
		if (kn == NULL || vn == NULL)
			continue;
		if (conf_node_val(p, kn, "queues", &v) != 0)
			continue;
		if (!conf_name_valid(v.s, v.len)) {
			conf_error(p, &v.pos, "queues", "expected a queue name "
			    "of 1 to %d characters A-Z a-z 0-9 _ . : -, got "
			    "\"%s\"", CONF_NAME_MAX,
			    conf_show(show, sizeof show, &v));
			continue;
		}
		snprintf(key, sizeof key, "queues.%s", v.s);

		p->qents = xreallocarray(p->qents, p->nqents + 1,
		    sizeof *p->qents);
		qe = &p->qents[p->nqents];
		qe->q.name = xstrdup(v.s);
		qe->q.sl_threshold = -1;	/* the default, filled later */
		for (i = 0; i < KPI_COUNT; i++)
			qe->q.targets[i].set = -1;	/* likewise */
		qe->pos = v.pos;
		qe->seq = p->nqents++;

		if (vn->type != YAML_MAPPING_NODE) {
			if (!conf_node_null(vn)) {
				pos = conf_node_pos(vn);
				conf_error(p, &pos, key, "expected a mapping, "
				    "got %s", conf_kind(vn));
			}
			continue;
		}
		seen = seen_targets = 0;
		for (pp = vn->data.mapping.pairs.start;
		    pp < vn->data.mapping.pairs.top; pp++) {
			qk = yaml_document_get_node(p->doc, pp->key);
			qv = yaml_document_get_node(p->doc, pp->value);
			if (qk == NULL || qv == NULL ||
			    conf_node_val(p, qk, key, &v) != 0)
				continue;
			snprintf(key, sizeof key, "queues.%s.%s", qe->q.name,
			    conf_show(show, sizeof show, &v));
			if (strcmp(v.s, CONF_QUEUE_TARGETS) == 0) {
				if (seen_targets++)
					conf_error(p, &v.pos, key,
					    "duplicate key");
				else
					conf_walk_targets(p, key, qv,
					    qe->q.targets);
			} else if (strcmp(v.s, CONF_QUEUE_KEY) != 0)
				conf_error(p, &v.pos, key, "unknown key");
			else if (seen++)
				conf_error(p, &v.pos, key, "duplicate key");
			else if (conf_node_val(p, qv, key, &v) == 0)
				conf_set(p, k, key, &v, &qe->q.sl_threshold);
			snprintf(key, sizeof key, "queues.%s", qe->q.name);
		}
	}
}

/* The keys of one section; a null section keeps its defaults. */
static void
conf_walk_section(struct conf_parse *p, struct conf *c, const char *section,
    const yaml_node_t *n)
{
	const yaml_node_pair_t	*pair;
	const yaml_node_t	*kn, *vn;
	struct conf_pos		 pos = conf_node_pos(n);
	struct conf_val		 v;
	char			 key[512], show[CONF_VALUE_SHOW * 4 + 8];
	size_t			 i;

	if (n->type != YAML_MAPPING_NODE) {
		if (!conf_node_null(n))
			conf_error(p, &pos, section, "expected a mapping, got "
			    "%s", conf_kind(n));
		return;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		kn = yaml_document_get_node(p->doc, pair->key);
		vn = yaml_document_get_node(p->doc, pair->value);
		if (kn == NULL || vn == NULL ||
		    conf_node_val(p, kn, section, &v) != 0)
			continue;
		for (i = 0; i < CONF_NKEYS; i++) {
			if (conf_keys[i].section != NULL &&
			    strcmp(conf_keys[i].section, section) == 0 &&
			    strcmp(conf_keys[i].name, v.s) == 0)
				break;
		}
		snprintf(key, sizeof key, "%s.%s", section,
		    conf_show(show, sizeof show, &v));
		if (i == CONF_NKEYS)
			conf_error(p, &v.pos, key, "unknown key");
		else if (p->seen[i])
			conf_error(p, &v.pos, key, "duplicate key");
		else
			conf_walk_key(p, c, i, vn);
	}
}

/* The top-level mapping: sections and top-level keys. */
static void
conf_walk(struct conf_parse *p, struct conf *c, const yaml_node_t *root)
{
	const yaml_node_pair_t	*pair, *prev;
	const yaml_node_t	*kn, *vn, *pk;
	struct conf_pos		 pos = conf_node_pos(root);
	struct conf_val		 v;
	char			 show[CONF_VALUE_SHOW * 4 + 8];
	size_t			 i;
	int			 dup;

	if (root->type != YAML_MAPPING_NODE) {
		if (!conf_node_null(root))
			conf_error(p, &pos, NULL, "expected a mapping at the "
			    "top level, got %s", conf_kind(root));
		return;
	}
	for (pair = root->data.mapping.pairs.start;
	    pair < root->data.mapping.pairs.top; pair++) {
		kn = yaml_document_get_node(p->doc, pair->key);
		vn = yaml_document_get_node(p->doc, pair->value);
		if (kn == NULL || vn == NULL ||
		    conf_node_val(p, kn, NULL, &v) != 0)
			continue;
		for (i = 0; i < CONF_NKEYS; i++) {
			if (conf_keys[i].section != NULL ?
			    strcmp(conf_keys[i].section, v.s) == 0 :
			    strcmp(conf_keys[i].name, v.s) == 0)
				break;
		}
		if (i == CONF_NKEYS) {
			conf_error(p, &v.pos, conf_show(show, sizeof show, &v),
			    "unknown key");
			continue;
		}
		if (conf_keys[i].section == NULL) {
			if (p->seen[i])
				conf_error(p, &v.pos, v.s, "duplicate key");
			else
				conf_walk_key(p, c, i, vn);
			continue;
		}

		/* A section: only the first of the same name counts. */
		dup = 0;
		for (prev = root->data.mapping.pairs.start; prev < pair;
		    prev++) {
			pk = yaml_document_get_node(p->doc, prev->key);
			if (pk != NULL && pk->type == YAML_SCALAR_NODE &&
			    pk->data.scalar.length == v.len &&
			    memcmp(pk->data.scalar.value, v.s, v.len) == 0)
				dup = 1;
		}
		if (dup) {
			conf_error(p, &v.pos, v.s, "duplicate key");
			continue;
		}
		if (strcmp(v.s, "listen") == 0) {
			p->listen_seen = 1;
			p->listen_pos = conf_node_pos(vn);
		}
		conf_walk_section(p, c, v.s, vn);
	}
}

static int
conf_qent_cmp(const void *a, const void *b)
{
	const struct conf_qent	*qa = a, *qb = b;
	int			 r;

	if ((r = strcmp(qa->q.name, qb->q.name)) != 0)
		return (r);
	return (qa->seq < qb->seq ? -1 : qa->seq > qb->seq);
}

static int
conf_queue_cmp(const void *key, const void *elem)
{
	const struct conf_queue	*q = elem;

	return (strcmp(key, q->name));
}

/* Sort the overrides by name for bsearch; later duplicates are errors. */
static void
conf_finish_queues(struct conf_parse *p, struct conf *c)
{
	char	key[CONF_NAME_MAX + 16];
	size_t	i, j;

	if (p->nqents == 0)
		return;
	qsort(p->qents, p->nqents, sizeof *p->qents, conf_qent_cmp);
	c->queues = xreallocarray(NULL, p->nqents, sizeof *c->queues);
	for (i = 0; i < p->nqents; i++) {
		if (c->nqueues > 0 && strcmp(p->qents[i].q.name,
		    c->queues[c->nqueues - 1].name) == 0) {
			snprintf(key, sizeof key, "queues.%s",
			    p->qents[i].q.name);
			conf_error(p, &p->qents[i].pos, key, "duplicate key");
			continue;
		}
		c->queues[c->nqueues] = p->qents[i].q;
		if (c->queues[c->nqueues].sl_threshold < 0)
			c->queues[c->nqueues].sl_threshold = c->sl_threshold;
		for (j = 0; j < KPI_COUNT; j++) {
			if (c->queues[c->nqueues].targets[j].set < 0)
				c->queues[c->nqueues].targets[j] =
				    c->targets[j];
		}
		p->qents[i].q.name = NULL;	/* now owned by c */
		c->nqueues++;
	}
}

/* Build window definitions now that window_slots is known. */
static void
conf_finish_windows(struct conf_parse *p, struct conf *c)
{
	size_t		 i, j, wi, si;
	struct conf_pos	*pos, none = { 0, 0 };
	uint64_t	 span;
	char		 key[64];

	wi = conf_key_find(NULL, "windows");
	si = conf_key_find(NULL, "window_slots");
	if (p->nwname == 0) {
		if (p->nwitems != 0)
			return;	/* every item was wrong and said so */
		conf_error(p, p->seen[wi] ? &p->pos[wi] : NULL, "windows",
		    "at least one window is required");
		return;
	}
	for (i = 0; i < p->nwname && i < CONF_WINDOWS_MAX; i++) {
		/* Blame the item if the file named it, else window_slots. */
		if (p->seen[wi]) {
			pos = &p->wpos[i];
			snprintf(key, sizeof key, "windows[%zu]", i);
		} else {
			pos = p->seen[si] ? &p->pos[si] : &none;
			snprintf(key, sizeof key, "window_slots");
		}
		if (window_parse_span(p->wname[i], &span) != 0) {
			conf_error(p, pos, key, "expected a span such as 30s, "
			    "5m, 1h or 2d, got \"%s\"", p->wname[i]);
			continue;
		}
		if (span % c->window_slots != 0) {
			conf_error(p, pos, key, "window %s does not divide "
			    "into %u slots of whole milliseconds", p->wname[i],
			    c->window_slots);
			continue;
		}
		for (j = 0; j < c->nwindows; j++) {
			if (strcmp(c->windows[j].name, p->wname[i]) == 0) {
				conf_error(p, pos, key, "duplicate window %s",
				    p->wname[i]);
				break;
			}
			if (c->windows[j].span_ms == span) {
				conf_error(p, pos, key, "window %s has the "
				    "same span as %s", p->wname[i],
				    c->windows[j].name);
				break;
			}
		}
		if (j < c->nwindows)
			continue;
		if (window_def_init(&c->windows[c->nwindows], p->wname[i],
		    c->window_slots) != 0) {
			conf_error(p, pos, key, "invalid window %s with %u "
			    "slots", p->wname[i], c->window_slots);
			continue;
		}
		c->nwindows++;
	}
}

/*
 * An empty directory comes from systemd's environment (the first of a
 * colon-separated list) or the compiled-in one; a relative one is taken
 * from the directory the file is in.  Takes ownership of raw.
 */
static char *
conf_resolve_dir(struct conf_parse *p, const struct conf_key *k, char *raw)
{
	const char	*env;
	char		*dir;

	if (raw == NULL) {
		env = getenv(k->env);
		if (env == NULL || *env == '\0' || *env == ':')
			return (xstrdup(k->fallback));
		return (xstrndup(env, strcspn(env, ":")));
	}
	if (raw[0] == '/' || p->confdir == NULL)
		return (raw);
	dir = conf_path(p->confdir, raw);
	free(raw);
	return (dir);
}

/* A Unix socket path must fit sun_path once joined to its directory. */
static void
conf_check_socket(struct conf_parse *p, size_t i, const char *dir,
    const char *path)
{
	struct sockaddr_un	 sun;
	char			*full, key[64];

	if (path == NULL)
		return;
	full = conf_path(dir, path);
	if (strlen(full) >= sizeof sun.sun_path) {
		snprintf(key, sizeof key, "%s.%s", conf_keys[i].section,
		    conf_keys[i].name);
		conf_error(p, p->seen[i] ? &p->pos[i] : NULL, key,
		    "socket path %s is longer than %zu bytes", full,
		    sizeof sun.sun_path - 1);
	}
	free(full);
}

/*
 * TCP control needs its token file.  A relative token file is looked up
 * where systemd's LoadCredential= puts credentials ($CREDENTIALS_DIRECTORY),
 * else beside the configuration file.
 */
static void
conf_finish_control(struct conf_parse *p, struct conf *c)
{
	size_t		 i = conf_key_find("control", "tcp");
	const char	*dir;
	char		*full;

	if (c->control_tcp != NULL && c->control_token_file == NULL)
		conf_error(p, p->seen[i] ? &p->pos[i] : NULL, "control.tcp",
		    "TCP control needs control.token_file, a file holding "
		    "the pre-shared token");
	if (c->control_token_file == NULL || c->control_token_file[0] == '/')
		return;
	if ((dir = getenv("CREDENTIALS_DIRECTORY")) == NULL || *dir == '\0')
		dir = p->confdir;
	if (dir == NULL)
		return;
	full = conf_path(dir, c->control_token_file);
	free(c->control_token_file);
	c->control_token_file = full;
}

/* Checks across keys, once every key has its final value. */
static void
conf_finish(struct conf_parse *p, struct conf *c)
{
	size_t	i;
	char	**field;

	for (i = 0; i < CONF_NKEYS; i++) {
		if (conf_keys[i].type != CONF_DIR)
			continue;
		field = (char **)((char *)c + conf_keys[i].off);
		*field = conf_resolve_dir(p, &conf_keys[i], *field);
	}
	conf_finish_queues(p, c);
	conf_finish_windows(p, c);

	if (c->listen_tcp == NULL && c->listen_unix == NULL &&
	    c->listen_udp == NULL)
		conf_error(p, p->listen_seen ? &p->listen_pos : NULL, "listen",
		    "at least one of tcp, unix and udp must be enabled");
	conf_check_socket(p, conf_key_find("listen", "unix"),
	    c->runtime_directory, c->listen_unix);
	conf_check_socket(p, conf_key_find("control", "socket"),
	    c->runtime_directory, c->control_socket);
	conf_finish_control(p, c);

	i = conf_key_find("listen", "acks");
	if (c->acks == CONF_ACKS_DURABLE && !c->journal)
		conf_error(p, p->seen[i] ? &p->pos[i] : NULL, "listen.acks",
		    "durable needs snapshot.journal on");
}

/* Defaults, then the file's tree (if any), then the whole checks. */
static struct conf *
conf_build(struct conf_parse *p, const yaml_node_t *root)
{
	struct conf	*c;
	size_t		 i;

	c = xcalloc(1, sizeof *c);
	for (i = 0; i < CONF_NKEYS; i++)
		conf_set_default(p, c, i);
	if (p->nerrs != 0)
		fatalx("conf: bad compiled-in default: %s", p->errs[0].msg);
	if (root != NULL)
		conf_walk(p, c, root);
	conf_finish(p, c);
	return (c);
}

struct conf *
conf_default(void)
{
	struct conf_parse	 p;
	struct conf		*c;

	memset(&p, 0, sizeof p);
	c = conf_build(&p, NULL);
	if (p.nerrs != 0)
		fatalx("conf: bad compiled-in default: %s", p.errs[0].msg);
	conf_parse_clear(&p);
	return (c);
}

/* The whole file, up to CONF_FILE_MAX bytes, NUL-terminated. */
static char *
conf_read_file(const char *path, size_t *lenp, char **cause)
{
	char	*buf;
	size_t	 len = 0, cap;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	/* Grown as it fills: a configuration is a few KiB, the cap 1 MiB. */
	cap = 16384;
	buf = xmalloc(cap);
	for (;;) {
		if (len + 1 == cap) {
			cap = cap * 2 > CONF_FILE_MAX + 2 ? CONF_FILE_MAX + 2 :
			    cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONF_FILE_MAX) {
			xasprintf(cause, "%s: larger than %d bytes", path,
			    CONF_FILE_MAX);
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return (buf);

fail:
	close(fd);
	free(buf);
	return (NULL);
}

/* Describe libyaml's failure with its position. */
static void
conf_yaml_error(struct conf_parse *p, yaml_parser_t *parser, const char *buf,
    size_t len)
{
	struct conf_pos	 pos;
	const char	*problem;
	size_t		 i;

	problem = parser->problem != NULL ? parser->problem : "unknown error";
	if (parser->error == YAML_READER_ERROR) {
		/* Only a byte offset: count lines up to it. */
		pos.line = 1;
		pos.col = 1;
		for (i = 0; i < parser->problem_offset && i < len; i++) {
			if (buf[i] == '\n') {
				pos.line++;
				pos.col = 1;
			} else
				pos.col++;
		}
		conf_error(p, &pos, NULL, "%s", problem);
		return;
	}
	if (parser->error == YAML_MEMORY_ERROR)
		fatalx("conf: libyaml: out of memory");
	pos.line = parser->problem_mark.line + 1;
	pos.col = parser->problem_mark.column + 1;
	if (parser->context != NULL)
		conf_error(p, &pos, NULL, "syntax error: %s (%s at %zu:%zu)",
		    problem, parser->context, parser->context_mark.line + 1,
		    parser->context_mark.column + 1);
	else
		conf_error(p, &pos, NULL, "syntax error: %s", problem);
}

struct conf *
conf_load(const char *path, char **errors)
{
	struct conf_parse	 p;
	struct conf		*c = NULL;
	yaml_parser_t		 parser;
	yaml_document_t		 doc, extra;
	yaml_node_t		*root, *root2;
	struct conf_pos		 pos;
	char			*buf, *dir, *slash;
	size_t			 len;

	*errors = NULL;
	if ((buf = conf_read_file(path, &len, errors)) == NULL)
		return (NULL);

	memset(&p, 0, sizeof p);
	p.file = path;
	p.doc = &doc;
	/* Relative directories are relative to the file's directory. */
	if ((slash = strrchr(path, '/')) == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, slash - path);
	if ((p.confdir = realpath(dir, NULL)) == NULL)
		p.confdir = xstrdup(dir);
	free(dir);

	if (!yaml_parser_initialize(&parser))
		fatalx("conf: yaml_parser_initialize failed");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		conf_yaml_error(&p, &parser, buf, len);
		goto out;
	}
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {
		/* A second document would be silently ignored: refuse it. */
		if (!yaml_parser_load(&parser, &extra))
			conf_yaml_error(&p, &parser, buf, len);
		else {
			if ((root2 = yaml_document_get_root_node(&extra)) !=
			    NULL) {
				pos = conf_node_pos(root2);
				conf_error(&p, &pos, NULL, "only one YAML "
				    "document is allowed");
			}
			yaml_document_delete(&extra);
		}
	}
	if (p.nerrs == 0) {
		c = conf_build(&p, root);
		c->path = xstrdup(path);
	}
	yaml_document_delete(&doc);

out:
	yaml_parser_delete(&parser);
	free(buf);
	if (p.nerrs != 0) {
		conf_free(c);
		c = NULL;
		*errors = conf_errors_join(&p);
	}
	conf_parse_clear(&p);
	return (c);
}

void
conf_free(struct conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->listen_tcp);
	free(c->listen_unix);
	free(c->listen_udp);
	free(c->control_socket);
	free(c->control_group);
	free(c->control_tcp);
	free(c->control_token_file);
	free(c->http_listen);
	free(c->timezone);
	free(c->state_directory);
	free(c->runtime_directory);
	for (i = 0; i < c->nqa; i++)
		free(c->qa_criteria[i]);
	for (i = 0; i < c->nqueues; i++)
		free(c->queues[i].name);
	free(c->queues);
	free(c->database);
	free(c);
}

/* A double-quoted YAML scalar; NULL prints as "" (off). */
static void
conf_print_string(FILE *f, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;

	fputc('"', f);
	for (; u != NULL && *u != '\0'; u++) {
		if (*u == '"' || *u == '\\')
			fprintf(f, "\\%c", *u);
		else if (*u < 0x20 || *u == 0x7f)
			fprintf(f, "\\x%02x", *u);
		else if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
			/* C1 controls: YAML refuses them unescaped. */
			fprintf(f, "\\x%02x", u[1]);
			u++;
		} else if (u[0] == 0xef && u[1] == 0xbf &&
		    (u[2] == 0xbe || u[2] == 0xbf)) {
			fprintf(f, "\\u%04X", 0xff00 | (u[2] + 0x40));
			u += 2;
		} else
			fputc(*u, f);
	}
	fputc('"', f);
}

/* "{ target: N, amber: N }", or "~" for no target. */
static void
conf_print_target(FILE *f, int id, const struct conf_target *t)
{
	char	a[64], b[64];

	if (!t->set) {
		fprintf(f, "~");
		return;
	}
	conf_fmt_target(a, sizeof a, id, t->target);
	conf_fmt_target(b, sizeof b, id, t->amber);
	fprintf(f, "{ target: %s, amber: %s }", a, b);
}

void
conf_print(const struct conf *c, FILE *f)
{
	const struct conf_key	*k;
	const struct conf_target *qt;
	const void		*field;
	const char		*section = NULL;
	char			 buf[64];
	size_t			 i, j, m;
	int			 hdr;

	fprintf(f, "# callscored.yaml(5): the effective configuration\n");
	for (i = 0; i < CONF_NKEYS; i++) {
		k = &conf_keys[i];
		field = (const char *)c + k->off;
		if (k->section != NULL && (section == NULL ||
		    strcmp(section, k->section) != 0))
			fprintf(f, "%s:\n", k->section);
		section = k->section;
		fprintf(f, "%s%s:", k->section != NULL ? "  " : "", k->name);

		switch (k->type) {
		case CONF_ADDR:
		case CONF_PATH:
		case CONF_PATH_OFF:
		case CONF_GROUP:
		case CONF_DIR:
		case CONF_TZ:
			fputc(' ', f);
			conf_print_string(f, *(char * const *)field);
			break;
		case CONF_SIZE:
		case CONF_COUNT:
			fprintf(f, " %zu", *(const size_t *)field);
			break;
		case CONF_UINT:
			fprintf(f, " %u", *(const unsigned int *)field);
			break;
		case CONF_MODE:
			fprintf(f, " \"%04o\"", *(const unsigned int *)field);
			break;
		case CONF_DURATION:
		case CONF_INTERVAL:
			conf_fmt_duration(buf, sizeof buf,
			    *(const double *)field);
			fprintf(f, " %s", buf);
			break;
		case CONF_NUMBER:
			conf_fmt_number(buf, sizeof buf, *(const double *)field);
			fprintf(f, " %s", buf);
			break;
		case CONF_BOOL:
			fprintf(f, " %s", *(const int *)field ? "true" :
			    "false");
			break;
		case CONF_LOGLEVEL:
			fprintf(f, " %s", log_level_name(*(const int *)field));
			break;
		case CONF_CHOICE:
			conf_choice_name(buf, sizeof buf, k->env,
			    *(const int *)field);
			fprintf(f, " %s", buf);
			break;
		case CONF_WINDOWS:
			fprintf(f, " [");
			for (j = 0; j < c->nwindows; j++)
				fprintf(f, "%s%s", j > 0 ? ", " : "",
				    c->windows[j].name);
			fprintf(f, "]");
			break;
		case CONF_NAMES:
			fprintf(f, " [");
			for (j = 0; j < c->nqa; j++) {
				if (j > 0)
					fprintf(f, ", ");
				conf_print_string(f, c->qa_criteria[j]);
			}
			fprintf(f, "]");
			break;
		case CONF_QUEUES:
			if (c->nqueues == 0)
				fprintf(f, " {}");
			for (j = 0; j < c->nqueues; j++) {
				fprintf(f, "\n  ");
				conf_print_string(f, c->queues[j].name);
				conf_fmt_duration(buf, sizeof buf,
				    c->queues[j].sl_threshold);
				fprintf(f, ":\n    %s: %s", CONF_QUEUE_KEY, buf);
				/* Only what differs from the global targets. */
				hdr = 0;
				for (m = 0; m < KPI_COUNT; m++) {
					qt = &c->queues[j].targets[m];
					if (qt->set == c->targets[m].set &&
					    (!qt->set || (qt->target ==
					    c->targets[m].target && qt->amber ==
					    c->targets[m].amber)))
						continue;
					if (!hdr++)
						fprintf(f, "\n    %s:",
						    CONF_QUEUE_TARGETS);
					fprintf(f, "\n      %s: ",
					    kpi_table[m].id);
					conf_print_target(f, (int)m, qt);
				}
			}
			break;
		case CONF_WEIGHTS:
			fprintf(f, " {");
			for (m = 0; m < KPI_PERSPECTIVE_COUNT; m++) {
				conf_fmt_number(buf, sizeof buf, c->weights[m]);
				fprintf(f, "%s %s: %s", m > 0 ? "," : "",
				    kpi_perspective_name(m), buf);
			}
			fprintf(f, " }");
			break;
		case CONF_TARGETS:
			/* Every KPI that can have one: "~" for none. */
			for (m = 0; m < KPI_COUNT; m++) {
				if (kpi_table[m].direction ==
				    KPI_DIRECTION_NONE)
					continue;
				fprintf(f, "\n    %s: ", kpi_table[m].id);
				conf_print_target(f, (int)m, &c->targets[m]);
			}
			break;
		}
		fputc('\n', f);
	}
}

double
conf_sl_threshold(const struct conf *c, const char *queue)
{
	const struct conf_queue	*q;

	if (queue == NULL || c->nqueues == 0)
		return (c->sl_threshold);
	q = bsearch(queue, c->queues, c->nqueues, sizeof *c->queues,
	    conf_queue_cmp);
	return (q != NULL ? q->sl_threshold : c->sl_threshold);
}

const struct conf_target *
conf_targets(const struct conf *c, const char *queue)
{
	const struct conf_queue	*q;

	if (queue == NULL || c->nqueues == 0)
		return (c->targets);
	q = bsearch(queue, c->queues, c->nqueues, sizeof *c->queues,
	    conf_queue_cmp);
	return (q != NULL ? q->targets : c->targets);
}

/* Called per event: a bsearch and some copies, no allocation. */
void
conf_agg_params(const struct conf *c, const char *queue,
    struct agg_params *ap)
{
	size_t	i;

	ap->sl_threshold = conf_sl_threshold(c, queue);
	ap->short_abandon = c->short_abandon;
	for (i = 0; i < c->nqa; i++)
		ap->qa_criteria[i] = c->qa_criteria[i];
	for (; i < AGG_QA_MAX; i++)
		ap->qa_criteria[i] = NULL;
	ap->nqa = c->nqa;
}

/* Does key k hold the same value in a and b? */
static int
conf_field_equal(const struct conf_key *k, const struct conf *a,
    const struct conf *b)
{
	const void	*fa = (const char *)a + k->off;
	const void	*fb = (const char *)b + k->off;
	const char	*sa, *sb;
	size_t		 i;

	switch (k->type) {
	case CONF_ADDR:
	case CONF_PATH:
	case CONF_PATH_OFF:
	case CONF_GROUP:
	case CONF_DIR:
	case CONF_TZ:
		sa = *(char * const *)fa;
		sb = *(char * const *)fb;
		if (sa == NULL || sb == NULL)
			return (sa == sb);
		return (strcmp(sa, sb) == 0);
	case CONF_SIZE:
	case CONF_COUNT:
		return (*(const size_t *)fa == *(const size_t *)fb);
	case CONF_UINT:
	case CONF_MODE:
		return (*(const unsigned int *)fa == *(const unsigned int *)fb);
	case CONF_DURATION:
	case CONF_INTERVAL:
	case CONF_NUMBER:
		return (*(const double *)fa == *(const double *)fb);
	case CONF_BOOL:
	case CONF_LOGLEVEL:
	case CONF_CHOICE:
		return (*(const int *)fa == *(const int *)fb);
	case CONF_WINDOWS:
		if (a->nwindows != b->nwindows)
			return (0);
		for (i = 0; i < a->nwindows; i++) {
			if (strcmp(a->windows[i].name, b->windows[i].name) !=
			    0 || a->windows[i].span_ms != b->windows[i].span_ms)
				return (0);
		}
		return (1);
	case CONF_NAMES:
		if (a->nqa != b->nqa)
			return (0);
		for (i = 0; i < a->nqa; i++) {
			if (strcmp(a->qa_criteria[i], b->qa_criteria[i]) != 0)
				return (0);
		}
		return (1);
	case CONF_QUEUES:
	case CONF_WEIGHTS:
	case CONF_TARGETS:
		break;
	}
	fatalx("conf: %s: cannot compare", k->name);
}

int
conf_reload_check(const struct conf *running, const struct conf *next,
    char **cause)
{
	const struct conf_key	*k;
	const char		*file;
	char			*out = NULL, *line;
	size_t			 i;

	file = next->path != NULL ? next->path : "(defaults)";
	for (i = 0; i < CONF_NKEYS; i++) {
		k = &conf_keys[i];
		if (!(k->flags & CONF_RESTART) ||
		    conf_field_equal(k, running, next))
			continue;
		if (k->section != NULL)
			xasprintf(&line, "%s%s%s: %s.%s: cannot change without "
			    "a restart", out != NULL ? out : "",
			    out != NULL ? "\n" : "", file, k->section,
			    k->name);
		else
			xasprintf(&line, "%s%s%s: %s: cannot change without a "
			    "restart", out != NULL ? out : "",
			    out != NULL ? "\n" : "", file, k->name);
		free(out);
		out = line;
	}
	if (out == NULL)
		return (0);
	*cause = out;
	return (-1);
}

const struct window_def *
conf_window(const struct conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nwindows; i++) {
		if (strcmp(c->windows[i].name, name) == 0)
			return (&c->windows[i]);
	}
	return (NULL);
}

char *
conf_path(const char *dir, const char *path)
{
	char	*s;

	if (path == NULL)
		return (NULL);
	if (path[0] == '/' || dir == NULL || *dir == '\0')
		return (xstrdup(path));
	if (dir[strlen(dir) - 1] == '/')
		xasprintf(&s, "%s%s", dir, path);
	else
		xasprintf(&s, "%s/%s", dir, path);
	return (s);
}

size_t
conf_all_windows(const struct conf *c, struct window_def *defs)
{
	struct window_def	*d;
	size_t			 i;

	memcpy(defs, c->windows, c->nwindows * sizeof *defs);
	d = &defs[c->nwindows];
	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "%s", CALENDAR_RING);
	d->slot_ms = CALENDAR_SLOT * 1000ULL;
	d->nslots = CALENDAR_SPAN / CALENDAR_SLOT;
	d->span_ms = d->slot_ms * d->nslots;
	/* N % error: groups of N buckets of 1 % (sketch_group()). */
	for (i = 0; i <= c->nwindows; i++) {
		defs[i].agent_group = c->agent_percentiles == 0 ?
		    WINDOW_AGENT_NODIST : c->agent_percentiles;
	}
	return (c->nwindows + 1);
}

int
conf_group_gid(const char *s, gid_t *gid)
{
	struct group	 gr, *res = NULL;
	char		*buf;
	size_t		 len = 16384;
	int		 error;

	if (*s >= '0' && *s <= '9') {
		unsigned long long	n;

		if (conf_parse_uint(s, &n) != 0 || n >= (gid_t)-1)
			return (-1);
		*gid = (gid_t)n;
		return (0);
	}
	for (;;) {
		buf = xmalloc(len);
		error = getgrnam_r(s, &gr, buf, len, &res);
		if (error != ERANGE || len >= 1024 * 1024)
			break;
		free(buf);
		len *= 2;
	}
	if (error == 0 && res != NULL)
		*gid = gr.gr_gid;
	free(buf);
	return (error == 0 && res != NULL ? 0 : -1);
}

int
conf_token_load(const char *path, struct conf_token *tok, char **cause)
{
	unsigned char	 buf[CONF_TOKEN_MAX + 3];
	struct stat	 sb;
	size_t		 len = 0, i;
	ssize_t		 n;
	int		 fd;

	memset(tok, 0, sizeof *tok);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		goto fail;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		xasprintf(cause, "%s: mode %04o gives group or others access; "
		    "the token file must be private (chmod 600)", path,
		    (unsigned int)(sb.st_mode & 07777));
		goto fail;
	}
	while (len < sizeof buf) {
		n = read(fd, buf + len, sizeof buf - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	fd = -1;
	/* One line: the newline an editor or echo adds is not the token. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len > CONF_TOKEN_MAX) {
		xasprintf(cause, "%s: the token is longer than %d bytes", path,
		    CONF_TOKEN_MAX);
		goto fail;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] <= 0x20 || buf[i] >= 0x7f) {
			xasprintf(cause, "%s: byte %zu of the token is not a "
			    "printable ASCII character (spaces and line breaks "
			    "are not allowed)", path, i + 1);
			goto fail;
		}
	}
	if (len < CONF_TOKEN_MIN) {
		xasprintf(cause, "%s: the token is %zu bytes; at least %d are "
		    "needed", path, len, CONF_TOKEN_MIN);
		goto fail;
	}
	memcpy(tok->buf, buf, len);
	tok->len = len;
	explicit_bzero(buf, sizeof buf);
	return (0);

fail:
	if (fd != -1)
		close(fd);
	explicit_bzero(buf, sizeof buf);
	memset(tok, 0, sizeof *tok);
	return (-1);
}

/*
 * Every byte of the padded buffer is compared whatever the lengths, so
 * the time taken tells neither where the first difference is nor how
 * long the token is.
 */
int
conf_token_equal(const struct conf_token *tok, const char *s, size_t len)
{
	unsigned char	 in[CONF_TOKEN_MAX];
	unsigned int	 diff = 0;
	size_t		 i;

	memset(in, 0, sizeof in);
	memcpy(in, s, len < sizeof in ? len : sizeof in);
	for (i = 0; i < CONF_TOKEN_MAX; i++)
		diff |= (unsigned int)(in[i] ^ tok->buf[i]);
	diff |= (unsigned int)(tok->len == 0);
	diff |= (unsigned int)(len != tok->len);
	return (diff == 0);
}
