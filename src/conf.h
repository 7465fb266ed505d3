/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The YAML configuration (callscored.yaml(5)).  One key table drives
 * parsing, defaults, validation and printing.  conf_load() parses into a
 * fresh struct conf and validates it whole, reporting every error as
 * "file:line:column: key: message"; unknown keys are errors.  Other
 * modules get a const struct conf *.
 */
#ifndef CONF_H
#define CONF_H

#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>

#include "agg.h"
#include "kpi.h"
#include "window.h"

#define CONF_WINDOWS_MAX	16
#define CONF_DEFAULT_PORT	7311
#define CONF_TOKEN_MIN		16	/* bytes of a control token */
#define CONF_TOKEN_MAX		256

/* How a stream connection is answered (listen.acks, "#acks"). */
enum conf_acks {
	CONF_ACKS_ALL,		/* "ok" or "error N: ..." for every line */
	CONF_ACKS_ERRORS,	/* errors only */
	CONF_ACKS_NONE,		/* nothing (counters only) */
	CONF_ACKS_DURABLE	/* as all, "ok" once in the journal on disk */
};

/*
 * A scorecard target of one KPI: green at or better than target, amber
 * at or better than amber (but worse than target), red worse than amber;
 * "better" follows kpi_table[].direction.  KPIs without a direction
 * never have one.
 */
struct conf_target {
	int		 set;		/* 0: no target */
	double		 target;
	double		 amber;
};

struct conf_queue {
	char		*name;
	double		 sl_threshold;	/* seconds; service level T */
	/* effective: the queue's own overrides, else the global ones */
	struct conf_target targets[KPI_COUNT];
};

/* The TCP control token, NUL-padded for a constant-time compare. */
struct conf_token {
	unsigned char	 buf[CONF_TOKEN_MAX];
	size_t		 len;			/* 0: none */
};

struct conf {
	char			*path;		/* file loaded, or NULL */

	/* listen: addresses as "host:port" (IPv6 "[::1]:7311"); NULL = off */
	char			*listen_tcp;	/* default 127.0.0.1:7311 */
	char			*listen_unix;	/* default "events.sock" */
	unsigned int		 unix_mode;	/* default 0660 */
	char			*listen_udp;	/* default off */
	size_t			 udp_rcvbuf;	/* bytes; 0 = kernel default */
	int			 acks;		/* enum conf_acks, default all */

	/* control */
	char			*control_socket; /* default "control.sock" */
	unsigned int		 control_mode;	/* default 0660 */
	char			*control_group;	/* name or gid; NULL = own */
	char			*control_tcp;	/* "host:port"; NULL = off */
	char			*control_token_file; /* absolute; NULL = none */

	/* http: Prometheus /metrics, "host:port"; NULL = off (default) */
	char			*http_listen;

	/* directories for relative paths; see conf_path() */
	char			*state_directory;
	char			*runtime_directory;

	/* windows */
	struct window_def	 windows[CONF_WINDOWS_MAX];
	size_t			 nwindows;	/* default 5m 15m 1h 24h */
	unsigned int		 window_slots;	/* per window, default 60 */

	/* KPI parameters */
	double			 sl_threshold;	/* default 20 s */
	double			 short_abandon;	/* default 5 s */
	double			 cost_per_hour;	/* agent cost, default 0 */
	double			 repeat_window;	/* repeat-contact FCR, 24h */
	char			*qa_criteria[AGG_QA_MAX];
	size_t			 nqa;		/* default 4 criteria */
	struct conf_queue	*queues;	/* per-queue, sorted by name */
	size_t			 nqueues;

	/* scorecard */
	struct conf_target	 targets[KPI_COUNT];	/* global targets */
	double			 weights[KPI_PERSPECTIVE_COUNT]; /* relative */

	/*
	 * calendar windows (today, the current interval), both summed from
	 * one ring of 15-minute slots (conf_all_windows()), so that either
	 * may change on reload
	 */
	char			*timezone;	/* IANA name; NULL = local (TZ) */
	double			 interval;	/* 900 or 1800 s, default 15m */

	/* live calls */
	double			 call_expiry;	/* seconds, default 4h */

	/* snapshots and the database */
	char			*database;	/* default "callscore.db" */
	double			 snapshot_interval;	/* default 60 s */
	double			 retention;	/* history, seconds; 30 d */
	int			 history_agents;/* also store agent KPIs */
	size_t			 db_max_size;	/* bytes; 0 = no cap */
	int			 journal;	/* journal events, default on */
	double			 journal_flush;	/* seconds, default 0.25 */
	size_t			 journal_max;	/* bytes in flight, 64m */
	int			 synchronous;	/* 0 NORMAL (default), 1 FULL */

	/* limits */
	size_t			 max_line;	/* bytes, default 65536 */
	size_t			 max_conns;	/* default 1024 */
	size_t			 max_queues;	/* default 1000 */
	size_t			 max_agents;	/* default 10000 */
	size_t			 max_teams;	/* default 1000 */
	unsigned int		 agent_percentiles; /* agents' percentile
						   error, %; 0 = none */
	size_t			 max_calls;	/* live calls, default 100000 */
	double			 idle_timeout;	/* seconds, default 300 */
	double			 line_timeout;	/* seconds, default 10 */
	double			 max_age;	/* event ts, seconds, 86400 */
	double			 max_skew;	/* event ts, seconds, 300 */

	/* logging */
	int			 log_level;	/* enum log_level, info */
};

/* A configuration holding every default. */
struct conf	*conf_default(void);
/*
 * Load path into a new conf (defaults for absent keys).  On error
 * returns NULL and sets *errors to every problem found, one per line,
 * "file:line:column: key: message"; the caller frees it.
 */
struct conf	*conf_load(const char *, char **);
void		 conf_free(struct conf *);
/* Write the effective configuration as YAML that conf_load() accepts. */
void		 conf_print(const struct conf *, FILE *);
/* Service-level threshold of a queue (its override or the default). */
double		 conf_sl_threshold(const struct conf *, const char *);
/* The scorecard targets of a queue (its own or the global ones). */
const struct conf_target *conf_targets(const struct conf *, const char *);
/* Fill the classification parameters for a queue. */
void		 conf_agg_params(const struct conf *, const char *,
		    struct agg_params *);
/*
 * Can the running configuration become next by a reload?  -1 with
 * *cause naming every key that needs a restart, one per line,
 * "file: key: cannot change without a restart"; the caller frees it.
 */
int		 conf_reload_check(const struct conf *, const struct conf *,
		    char **);
/* The window of a name, or NULL. */
const struct window_def *conf_window(const struct conf *, const char *);
/*
 * The windows of the scope table, into defs (CONF_WINDOWS_MAX + 1 of
 * them): the rolling ones, then the calendar ring (calendar.h) that the
 * today and interval windows are summed from; returns how many.  Their
 * agent_group is limits.agent_percentiles'.
 */
size_t		 conf_all_windows(const struct conf *, struct window_def *);
/*
 * Resolve a configured path: absolute paths stay; relative ones are
 * joined to dir (state or runtime directory).  Caller frees.
 */
char		*conf_path(const char *, const char *);
/*
 * Split "host:port" or "[v6addr]:port" into host (without brackets) and
 * port (0-65535, 0 = any free port); -1 if malformed or host does not fit.
 */
int		 conf_parse_addr(const char *, char *, size_t, int *);
/* A group name or numeric gid into the gid_t; -1 if there is none. */
int		 conf_group_gid(const char *, gid_t *);
/*
 * Read the control token from a file that group and others cannot
 * access: one line of CONF_TOKEN_MIN to CONF_TOKEN_MAX printable ASCII
 * bytes (a final newline is dropped).  -1 with *cause on any problem.
 */
int		 conf_token_load(const char *, struct conf_token *, char **);
/* Is s (len bytes) the token?  Constant time in both lengths. */
int		 conf_token_equal(const struct conf_token *, const char *,
		    size_t);

#endif
