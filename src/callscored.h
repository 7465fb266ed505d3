/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The daemon's state, owned by the one event loop.  Every module of
 * callscored gets a pointer to it; nothing else is global.
 */
#ifndef CALLSCORED_H
#define CALLSCORED_H

#include <stdint.h>

#include "event.h"
#include "live.h"

struct conf;
struct ctl;
struct event;
struct event_base;
struct http;
struct journal;
struct listeners;
struct live;
struct repeat;
struct notify;
struct scopes;
struct snapshot;
struct store;

#define CS_RATE_SLOTS	11		/* 10 s of per-second counts */
#define CS_STATUS_TICKS	5		/* STATUS= to systemd every 5 s */
/*
 * Event priorities: control connections first, so that a supervisor's
 * query waits for the callback running and not for every event ready
 * in the same turn; everything else at the default.
 */
#define CS_PRIO_CONTROL	0
#define CS_PRIO_COUNT	2		/* the default is 1 */

/* Counters exported by `callscore status --json`. */
struct cs_stats {
	uint64_t	lines_ok;
	uint64_t	lines_bad;
	uint64_t	rejects[EVENT_ERR_COUNT];
	uint64_t	conns_current;
	uint64_t	conns_total;
	uint64_t	conns_refused;		/* at max_connections */
	uint64_t	conns_idle_closed;
	uint64_t	conns_oversize_closed;
	uint64_t	conns_line_timeout;	/* partial line too slow */
	uint64_t	accept_errors;
	uint64_t	udp_datagrams;
	uint64_t	udp_bytes;
	uint64_t	udp_truncated;
	uint64_t	udp_drops;		/* by the kernel: no room */
	uint64_t	ctl_requests;
	uint64_t	ctl_tcp_accepted;	/* TCP control connections */
	uint64_t	ctl_tcp_refused;	/* auth rate limit or cap */
	uint64_t	ctl_auth_ok;
	uint64_t	ctl_auth_failures;	/* wrong or missing token */
	uint64_t	backups_ok;
	uint64_t	backups_failed;
	uint64_t	snapshots_failed;
	uint64_t	live_results[LIVE_RESULT_COUNT];
	uint64_t	reload_ok;
	uint64_t	reload_fail;
	uint64_t	journal_replayed;	/* events, at start */
	uint64_t	journal_replay_skipped;	/* records not applied */
	double		journal_replay_seconds;
	uint64_t	rate_ring[CS_RATE_SLOTS];	/* lines_ok each second */
	unsigned int	rate_pos;
};

struct callscored {
	struct event_base	*base;
	struct conf		*conf;
	struct scopes		*scopes;
	struct event_parser	*parser;
	struct store		*store;
	struct listeners	*listeners;
	struct ctl		*ctl;
	struct http		*http;		/* NULL unless http.listen */
	struct snapshot		*snapshot;
	struct live		*live;		/* calls and agents now */
	struct repeat		*repeat;	/* customers' last calls */
	struct journal		*journal;	/* NULL if snapshot.journal off */
	uint64_t		 seq;		/* of the last event accepted */
	struct notify		*notify;	/* sd_notify, may do nothing */
	struct event		*tick_ev;	/* 1 s housekeeping */
	struct event		*snapshot_ev;	/* snapshot interval */
	struct event		*sigterm_ev, *sigint_ev, *sighup_ev;
	struct event		*drain_ev;	/* exiting: answers to send */
	uint64_t		 drain_until;	/* mono ms */
	struct cs_stats		 stats;
	double			 started;	/* wall clock */
	uint64_t		 started_mono;	/* ms */
	char			*db_path;
	char			*quarantined;	/* bad database set aside */
	int			 exiting;
	int			 debug;		/* -d: debug logging */
	int			 reload_failed;	/* the last reload was refused */
	uint64_t		 ticks;		/* 1 s ticks since start */
};

/* Events per second over the last ten seconds. */
double	callscored_rate(const struct callscored *);
/*
 * Re-read the configuration file and apply what can change live; on any
 * error keep the running configuration.  Returns 0, or -1 with *cause
 * (every problem, one per line; caller frees).
 */
int	callscored_reload(struct callscored *, char **);

#endif
