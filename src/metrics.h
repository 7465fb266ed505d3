/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The Prometheus export: renders what the daemon knows as the text
 * exposition format 0.0.4.  The caller fills a plain struct
 * metrics_source from its state (nothing here knows struct callscored),
 * so the renderer is a pure function that tests drive with made-up
 * values.  Scopes are labelled {queue="..."} or {team="..."}; the global
 * scope has no label.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "journal.h"
#include "store.h"

struct evbuffer;
struct totals;

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE
};

/* One scope's totals; kind is "global", "queue" or "team" (the label). */
struct metrics_scope {
	const char		*kind;
	const char		*name;		/* ignored for "global" */
	const struct totals	*totals;	/* borrowed */
};

/*
 * A value outside the fixed fields (live gauges and the like).
 * Consecutive entries with the same name are one family: the first one's
 * help and type are printed.  A name must not also appear elsewhere.
 */
struct metrics_extra {
	const char		*name;		/* "callscore_agents_ready" */
	const char		*help;
	enum metrics_type	 type;
	const char		*label;		/* label name, or NULL */
	const char		*label_value;
	double			 value;
};

/* The daemon's counters (the fields of struct cs_stats that we export). */
struct metrics_daemon {
	uint64_t	lines_ok;
	uint64_t	lines_bad;
	uint64_t	rejects[EVENT_ERR_COUNT];
	uint64_t	conns_current;
	uint64_t	conns_total;
	uint64_t	conns_refused;
	uint64_t	conns_idle_closed;
	uint64_t	conns_oversize_closed;
	uint64_t	conns_line_timeout;
	uint64_t	accept_errors;
	uint64_t	udp_datagrams;
	uint64_t	udp_bytes;
	uint64_t	udp_truncated;
	uint64_t	udp_drops;
	uint64_t	ctl_requests;
	uint64_t	ctl_tcp_accepted;
	uint64_t	ctl_tcp_refused;
	uint64_t	ctl_auth_failures;
	uint64_t	backups_ok;
	uint64_t	backups_failed;
	uint64_t	snapshots_failed;
	uint64_t	reload_ok;
	uint64_t	reload_fail;
	uint64_t	journal_replayed;	/* events, at start */
	double		journal_replay_seconds;
};

/* Everything exported; all pointers are borrowed for one render. */
struct metrics_source {
	const char			*version;	/* PACKAGE_VERSION */
	double				 now;		/* steady epoch, s */
	double				 start_time;	/* wall clock, epoch s */
	double				 uptime;	/* seconds (monotonic) */
	struct metrics_daemon		 daemon;
	struct store_stats		 store;
	struct journal_stats		 journal;	/* zero when off */
	size_t				 nqueues, nagents, nteams;
	const struct metrics_scope	*scopes;
	size_t				 nscopes;
	const struct metrics_extra	*extra;
	size_t				 nextra;
};

/* Append the exposition of src to out. */
void	metrics_render(struct evbuffer *, const struct metrics_source *);
/* Append s as a label value: \ " and newline escaped. */
void	metrics_escape_label(struct evbuffer *, const char *);
/* Format a sample value (integers exactly, NaN, +Inf); returns buf. */
const char *metrics_format_value(char *, size_t, double);

#endif
