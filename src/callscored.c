/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * callscored: options, configuration, state restore, the event loop and
 * an orderly exit.  It always runs in the foreground (systemd supervises
 * it) and logs to stderr.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "calendar.h"
#include "callscored.h"
#include "clock.h"
#include "conf.h"
#include "ctl.h"
#include "http.h"
#include "ingest.h"
#include "journal.h"
#include "listen.h"
#include "live.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "repeat.h"
#include "scope.h"
#include "snapshot.h"
#include "store.h"
#include "xmalloc.h"

/* At exit, how long answers waiting for the journal may take to go. */
#define CALLSCORED_DRAIN_MS	5000
#define CALLSCORED_DRAIN_STEP_MS 10

static void	usage(void) __attribute__((noreturn));
static void	callscored_signal_cb(evutil_socket_t, short, void *);
static void	callscored_drain_cb(evutil_socket_t, short, void *);
static void	callscored_tick_cb(evutil_socket_t, short, void *);
static void	callscored_snapshot_timer(struct callscored *);
static int	callscored_healthy_cb(void *, char *, size_t);
static void	callscored_status(struct callscored *);
static void	callscored_snapshot_cb(evutil_socket_t, short, void *);
static void	callscored_store_done_cb(const struct store_result *, void *);
static void	callscored_journal_cb(uint64_t, void *);
static void	callscored_metrics_cb(struct evbuffer *, void *);
static struct metrics_extra *callscored_metrics_live(struct callscored *,
		    size_t *);
static int	callscored_health_cb(char *, size_t, void *);
static struct store *callscored_open_store(const char *, char **);
static void	callscored_event_log_cb(int, const char *);
static void	callscored_limits(const struct conf *,
		    size_t[SCOPE_KIND_COUNT]);

static void
usage(void)
{
	fprintf(stderr, "usage: callscored [-dhnpv] [-c file] [-D directory]\n");
	exit(1);
}

double
callscored_rate(const struct callscored *cs)
{
	const struct cs_stats	*st = &cs->stats;
	unsigned int		 oldest;

	/* The ring holds lines_ok at each of the last CS_RATE_SLOTS ticks. */
	oldest = (st->rate_pos + 1) % CS_RATE_SLOTS;
	if (st->rate_ring[oldest] == 0 && st->rate_pos < CS_RATE_SLOTS - 1 &&
	    cs->started_mono + 1000 * (CS_RATE_SLOTS - 1) > clock_mono_ms())
		oldest = 0;
	return ((st->lines_ok - st->rate_ring[oldest]) /
	    (double)(CS_RATE_SLOTS - 1));
}

static void
callscored_limits(const struct conf *conf, size_t limit[SCOPE_KIND_COUNT])
{
	limit[SCOPE_GLOBAL] = 1;
	limit[SCOPE_QUEUE] = conf->max_queues;
	limit[SCOPE_AGENT] = conf->max_agents;
	limit[SCOPE_TEAM] = conf->max_teams;
}

/*
 * Exiting: until every connection has its answers (the journal commits
 * in the meantime), or CALLSCORED_DRAIN_MS have passed.
 */
static void
callscored_drain_cb(evutil_socket_t fd, short events, void *arg)
{
	struct callscored	*cs = arg;
	struct timeval		 tv = { 0, CALLSCORED_DRAIN_STEP_MS * 1000 };
	size_t			 n;

	n = listeners_drain(cs->listeners);
	if (n > 0 && clock_mono_ms() < cs->drain_until) {
		evtimer_add(cs->drain_ev, &tv);
		return;
	}
	/* The journal did not commit, or the clients did not read. */
	if (n > 0)
		log_warnx("exiting: %zu connection%s still had answers to "
		    "send after %d s", n, n == 1 ? "" : "s",
		    CALLSCORED_DRAIN_MS / 1000);
	event_base_loopexit(cs->base, NULL);
}

static void
callscored_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct callscored	*cs = arg;
	char			*cause;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (cs->exiting) {
			/* Asked again: the answers not sent yet stay unsent. */
			log_info("%s: exiting now", strsignal(sig));
			event_base_loopexit(cs->base, NULL);
			break;
		}
		log_info("%s: exiting", strsignal(sig));
		cs->exiting = 1;
		notify_stopping(cs->notify);
		notify_status(cs->notify, "exiting: saving state");
		/*
		 * Take nothing more, but first send the answers that wait for
		 * the journal: the final snapshot saves those events, so a
		 * client left without its "ok" would send them again.
		 */
		if (cs->journal != NULL)
			journal_flush(cs->journal);
		cs->drain_until = clock_mono_ms() + CALLSCORED_DRAIN_MS;
		callscored_drain_cb(-1, 0, cs);
		break;
	case SIGHUP:
		if (callscored_reload(cs, &cause) != 0)
			free(cause);	/* logged by the reload */
		break;
	}
}

/* Arm (or re-arm) the snapshot timer at the configured interval. */
static void
callscored_snapshot_timer(struct callscored *cs)
{
	struct timeval	tv;
	double		interval = cs->conf->snapshot_interval;

	tv.tv_sec = (time_t)interval;
	tv.tv_usec = (suseconds_t)((interval - (double)tv.tv_sec) * 1e6);
	evtimer_add(cs->snapshot_ev, &tv);
}

int
callscored_reload(struct callscored *cs, char **cause)
{
	struct conf	*next, *old = cs->conf;
	size_t		 limit[SCOPE_KIND_COUNT];
	char		*line, *save = NULL, *copy;

	notify_reloading(cs->notify);
	if (old->path == NULL) {
		*cause = xstrdup("no configuration file to reload (started "
		    "on built-in defaults)");
		goto fail;
	}
	if ((next = conf_load(old->path, cause)) == NULL)
		goto fail;
	if (conf_reload_check(old, next, cause) != 0 ||
	    ctl_reconf(cs->ctl, next, cause) != 0) {
		conf_free(next);
		goto fail;
	}
	cs->conf = next;
	callscored_limits(next, limit);
	scopes_set_limits(cs->scopes, limit);
	live_set_limits(cs->live, next->max_calls, next->max_queues,
	    next->max_agents, next->call_expiry);
	log_set_level(cs->debug ? LOG_LEVEL_DEBUG : next->log_level);
	if (next->snapshot_interval != old->snapshot_interval)
		callscored_snapshot_timer(cs);
	if (next->db_max_size != old->db_max_size)
		store_set_max_size(cs->store, next->db_max_size);
	if (cs->journal != NULL)
		journal_set_limits(cs->journal, next->journal_flush,
		    next->journal_max);
	conf_free(old);
	cs->stats.reload_ok++;
	log_notice("reload: %s: configuration applied", next->path);
	cs->reload_failed = 0;
	notify_ready(cs->notify);
	callscored_status(cs);
	return (0);

fail:
	cs->stats.reload_fail++;
	copy = xstrdup(*cause);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_warnx("reload: %s", line);
	log_warnx("reload: configuration refused; the running one stays");
	free(copy);
	/* The manager waits for READY=1 after RELOADING=1, failed or not. */
	cs->reload_failed = 1;
	notify_ready(cs->notify);
	notify_status(cs->notify, "reload refused, running configuration "
	    "kept: %.*s", (int)strcspn(*cause, "\n"), *cause);
	return (-1);
}

static void
callscored_tick_cb(evutil_socket_t fd, short events, void *arg)
{
	struct callscored	*cs = arg;
	struct cs_stats		*st = &cs->stats;

	st->rate_pos = (st->rate_pos + 1) % CS_RATE_SLOTS;
	st->rate_ring[st->rate_pos] = st->lines_ok;
	live_expire(cs->live, clock_now_ms() / 1000.0);
	ingest_live_flush(cs);
	if (++cs->ticks % CS_STATUS_TICKS == 0)
		callscored_status(cs);
}

/*
 * The watchdog's health check.  That it runs at all shows the loop is
 * alive; the database writer must also not have spent longer than the
 * manager's whole watchdog timeout on one snapshot (a hung disk or a
 * lock that is never released).
 */
static int
callscored_healthy_cb(void *arg, char *reason, size_t len)
{
	struct callscored	*cs = arg;
	double			 busy, limit;

	limit = (double)notify_watchdog_usec(cs->notify) / 1e6;
	busy = store_writer_busy(cs->store);
	if (limit > 0 && busy > limit) {
		snprintf(reason, len, "database writer stuck for %.0f s",
		    busy);
		return (0);
	}
	return (1);
}

/* One line for `systemctl status`. */
static void
callscored_status(struct callscored *cs)
{
	struct store_stats	 st;
	char			 rate[32], snap[48];
	double			 r;

	r = callscored_rate(cs);
	if (r >= 1000)
		snprintf(rate, sizeof rate, "%.1fk", r / 1000);
	else
		snprintf(rate, sizeof rate, "%.0f", r);
	store_get_stats(cs->store, &st);
	if (st.last_time > 0)
		snprintf(snap, sizeof snap, "last snapshot %.0f s ago",
		    (double)clock_now_ms() / 1000 - st.last_time);
	else
		snprintf(snap, sizeof snap, "no snapshot yet");
	notify_status(cs->notify, "%s events/s, %llu connections, %s, "
	    "%llu rejects%s", rate,
	    (unsigned long long)cs->stats.conns_current, snap,
	    (unsigned long long)cs->stats.lines_bad,
	    cs->reload_failed ? "; last reload failed" : "");
}

static void
callscored_snapshot_cb(evutil_socket_t fd, short events, void *arg)
{
	struct callscored	*cs = arg;

	snapshot_request(cs->snapshot, NULL, NULL);
}

static void
callscored_store_done_cb(const struct store_result *res, void *arg)
{
	struct callscored	*cs = arg;

	snapshot_done(cs->snapshot, res);
}

/* Lines up to seq are on disk: their durable acknowledgements may go. */
static void
callscored_journal_cb(uint64_t seq, void *arg)
{
	struct callscored	*cs = arg;

	listeners_committed(cs->listeners, seq);
}

/* GET /metrics: the daemon's state as a struct metrics_source. */
static void
callscored_metrics_cb(struct evbuffer *out, void *arg)
{
	static const enum scope_kind	 kinds[] = {
		SCOPE_GLOBAL, SCOPE_QUEUE, SCOPE_TEAM
	};
	struct callscored		*cs = arg;
	const struct cs_stats		*st = &cs->stats;
	struct metrics_daemon		*d;
	struct metrics_source		 src;
	struct metrics_scope		*ms;
	struct scope			*sc;
	size_t				 k, n = 0, cap;

	memset(&src, 0, sizeof src);
	src.version = PACKAGE_VERSION;
	src.now = clock_now_ms() / 1000.0;	/* as snapshot times */
	src.start_time = cs->started;
	src.uptime = (clock_mono_ms() - cs->started_mono) / 1000.0;
	d = &src.daemon;
	d->lines_ok = st->lines_ok;
	d->lines_bad = st->lines_bad;
	memcpy(d->rejects, st->rejects, sizeof d->rejects);
	d->conns_current = st->conns_current;
	d->conns_total = st->conns_total;
	d->conns_refused = st->conns_refused;
	d->conns_idle_closed = st->conns_idle_closed;
	d->conns_oversize_closed = st->conns_oversize_closed;
	d->conns_line_timeout = st->conns_line_timeout;
	d->accept_errors = st->accept_errors;
	d->udp_datagrams = st->udp_datagrams;
	d->udp_bytes = st->udp_bytes;
	d->udp_truncated = st->udp_truncated;
	d->udp_drops = st->udp_drops;
	d->ctl_requests = st->ctl_requests;
	d->ctl_tcp_accepted = st->ctl_tcp_accepted;
	d->ctl_tcp_refused = st->ctl_tcp_refused;
	d->ctl_auth_failures = st->ctl_auth_failures;
	d->backups_ok = st->backups_ok;
	d->backups_failed = st->backups_failed;
	d->snapshots_failed = st->snapshots_failed;
	d->reload_ok = st->reload_ok;
	d->reload_fail = st->reload_fail;
	d->journal_replayed = st->journal_replayed;
	d->journal_replay_seconds = st->journal_replay_seconds;
	store_get_stats(cs->store, &src.store);
	if (cs->journal != NULL)
		journal_get_stats(cs->journal, &src.journal);
	src.nqueues = scopes_count(cs->scopes, SCOPE_QUEUE);
	src.nagents = scopes_count(cs->scopes, SCOPE_AGENT);
	src.nteams = scopes_count(cs->scopes, SCOPE_TEAM);

	cap = 1 + src.nqueues + src.nteams;
	ms = xreallocarray(NULL, cap, sizeof *ms);
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		sc = scopes_first(cs->scopes, kinds[k]);
		for (; sc != NULL && n < cap; sc = sc->list_next) {
			if (sc->totals == NULL)
				continue;
			ms[n].kind = scope_kind_name(sc->kind);
			ms[n].name = sc->name;
			ms[n].totals = sc->totals;
			n++;
		}
	}
	src.scopes = ms;
	src.nscopes = n;
	src.extra = callscored_metrics_live(cs, &src.nextra);
	metrics_render(out, &src);
	free((void *)src.extra);
	free(ms);
}

/*
 * Gauges of the live state: calls waiting, on hold and the longest wait,
 * globally and per queue, and agents by state.  Each family's entries
 * are consecutive, as metrics_render() wants.
 */
static struct metrics_extra *
callscored_metrics_live(struct callscored *cs, size_t *n)
{
	static const struct {
		const char	*name, *help;
	} fam[] = {
		{ "callscore_calls_waiting", "Calls waiting in a queue now." },
		{ "callscore_calls_on_hold", "Answered calls on hold now." },
		{ "callscore_longest_wait_seconds",
		    "Wait so far of the oldest call still waiting." },
	};
	struct metrics_extra	*x;
	struct live_totals	 t;
	struct live_queue_view	 qv;
	struct scope		*sc;
	double			 now = clock_now_ms() / 1000.0, v;
	size_t			 nq = scopes_count(cs->scopes, SCOPE_QUEUE);
	size_t			 f, i = 0, cap;

	live_get_totals(cs->live, now, &t);
	cap = 3 * (nq + 1) + 4;
	x = xcalloc(cap, sizeof *x);
	for (f = 0; f < 3; f++) {
		v = f == 0 ? t.waiting : f == 1 ? t.on_hold : t.longest_wait;
		x[i].name = fam[f].name;
		x[i].help = fam[f].help;
		x[i].type = METRICS_GAUGE;
		x[i++].value = v;
		for (sc = scopes_first(cs->scopes, SCOPE_QUEUE); sc != NULL &&
		    i < cap; sc = sc->list_next) {
			if (live_queue(cs->live, sc->name, now, &qv) != 0)
				memset(&qv, 0, sizeof qv);
			x[i].name = fam[f].name;
			x[i].help = fam[f].help;
			x[i].type = METRICS_GAUGE;
			x[i].label = "queue";
			x[i].label_value = sc->name;
			x[i++].value = f == 0 ? qv.waiting : f == 1 ?
			    qv.on_hold : qv.longest_wait;
		}
	}
	{
		const char	*states[] = { "ready", "busy", "not_ready" };
		double		 counts[] = { t.agents_ready, t.agents_busy,
				    t.agents_not_ready };

		for (f = 0; f < 3; f++) {
			x[i].name = "callscore_agents";
			x[i].help = "Agents logged in, by state.";
			x[i].type = METRICS_GAUGE;
			x[i].label = "state";
			x[i].label_value = states[f];
			x[i++].value = counts[f];
		}
	}
	x[i].name = "callscore_live_calls";
	x[i].help = "Calls tracked by the live state (waiting or connected).";
	x[i].type = METRICS_GAUGE;
	x[i++].value = t.calls;
	*n = i;
	return (x);
}

/*
 * GET /healthz: 503 while exiting, or when no snapshot was committed for
 * three intervals (the database is failing or the writer is stuck).
 */
static int
callscored_health_cb(char *reason, size_t len, void *arg)
{
	struct callscored	*cs = arg;
	struct store_stats	 ss;
	double			 since, limit, now;

	if (cs->exiting) {
		snprintf(reason, len, "shutting down");
		return (0);
	}
	store_get_stats(cs->store, &ss);
	/* Snapshot times are on the steady clock: a wall step moves none. */
	since = ss.last_time > 0 ? ss.last_time : cs->started;
	limit = 3 * cs->conf->snapshot_interval;
	now = clock_now_ms() / 1000.0;
	if (now - since > limit) {
		snprintf(reason, len, "store: no snapshot committed for %.0f s "
		    "(%llu failed)", now - since,
		    (unsigned long long)ss.errors);
		return (0);
	}
	return (1);
}

/*
 * Open the database; a corrupt or foreign file is moved aside (its new
 * name in *quarantined, else NULL).
 */
static struct store *
callscored_open_store(const char *path, char **quarantined)
{
	struct store	*store;
	char		*cause, *aside;
	int		 corrupt;

	*quarantined = NULL;
	if ((store = store_open_check(path, &corrupt, &cause)) != NULL)
		return (store);
	if (!corrupt)
		fatalx("store: %s", cause);
	if (store_quarantine(path, &aside) != 0)
		fatalx("store: %s; cannot move it aside", cause);
	log_warnx("store: %s; moved it to %s and starting afresh", cause,
	    aside);
	free(cause);
	*quarantined = aside;
	if ((store = store_open(path, &cause)) == NULL)
		fatalx("store: %s", cause);
	return (store);
}

/*
 * libevent's own messages, through our log and at most one warning
 * every 10 s: a failure it retries at once must not flood the log.
 */
static void
callscored_event_log_cb(int severity, const char *msg)
{
	static uint64_t		 last;
	static unsigned long	 suppressed;
	uint64_t		 now;

	if (severity < EVENT_LOG_WARN) {
		log_debug("libevent: %s", msg);
		return;
	}
	now = clock_mono_ms();
	if (last != 0 && now - last < 10000) {
		suppressed++;
		return;
	}
	if (suppressed > 0)
		log_warnx("libevent: %s (%lu more since the last)", msg,
		    suppressed);
	else
		log_warnx("libevent: %s", msg);
	last = now;
	suppressed = 0;
}

int
main(int argc, char **argv)
{
	struct callscored	 cs;
	struct conf		*conf;
	const char		*path = NULL, *dir = NULL;
	char			*errors, *cause;
	size_t			 limit[SCOPE_KIND_COUNT];
	struct window_def	 windows[CONF_WINDOWS_MAX + 1];
	struct timeval		 tv;
	int			 ch, check = 0, print = 0, debug = 0, rows;

	log_init("callscored", -1);
	while ((ch = getopt(argc, argv, "c:dD:hnpv")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'D':
			dir = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'p':
			print = 1;
			break;
		case 'v':
			printf("callscored %s\n", PACKAGE_VERSION);
			return (0);
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (path == NULL && access(CALLSCORE_SYSCONFDIR "/callscored.yaml",
	    F_OK) == 0)
		path = CALLSCORE_SYSCONFDIR "/callscored.yaml";

	if (dir != NULL) {
		/* -D puts state and sockets in one directory. */
		if (mkdir(dir, 0750) == -1 && errno != EEXIST)
			fatal("callscored: mkdir %s", dir);
		setenv("STATE_DIRECTORY", dir, 1);
		setenv("RUNTIME_DIRECTORY", dir, 1);
	}
	if (path != NULL) {
		if ((conf = conf_load(path, &errors)) == NULL) {
			fprintf(stderr, "%s", errors);
			if (*errors != '\0' &&
			    errors[strlen(errors) - 1] != '\n')
				fputc('\n', stderr);
			fprintf(stderr, "callscored: %s: configuration "
			    "refused\n", path);
			free(errors);
			return (1);
		}
	} else
		conf = conf_default();
	if (check) {
		fprintf(stderr, "callscored: %s: configuration OK\n",
		    path != NULL ? path : "(built-in defaults)");
		conf_free(conf);
		return (0);
	}
	if (print) {
		conf_print(conf, stdout);
		conf_free(conf);
		return (0);
	}
	log_set_level(debug ? LOG_LEVEL_DEBUG : conf->log_level);

	memset(&cs, 0, sizeof cs);
	cs.conf = conf;
	cs.debug = debug;
	clock_init();
	cs.started = clock_wall();
	cs.started_mono = clock_mono_ms();
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit fails the write (EFBIG), retried like ENOSPC. */
	signal(SIGXFSZ, SIG_IGN);

	/* Before any thread: TZ stays in the environment from now on. */
	calendar_zone(conf->timezone);
	cs.db_path = conf_path(conf->state_directory, conf->database);
	cs.store = callscored_open_store(cs.db_path, &cs.quarantined);
	store_set_max_size(cs.store, conf->db_max_size);
	if (store_set_synchronous(cs.store, conf->synchronous, &cause) != 0)
		fatalx("store: %s", cause);
	event_set_log_callback(callscored_event_log_cb);
	if ((cs.base = event_base_new()) == NULL)
		fatalx("callscored: event_base_new failed");
	if (event_base_priority_init(cs.base, CS_PRIO_COUNT) != 0)
		fatalx("callscored: event_base_priority_init failed");
	if (conf->journal)
		cs.journal = journal_new(cs.base, cs.store, conf->journal_flush,
		    conf->journal_max, callscored_journal_cb, &cs);
	callscored_limits(conf, limit);
	cs.scopes = scopes_new(windows, conf_all_windows(conf, windows),
	    limit);
	cs.parser = event_parser_new();
	cs.live = live_new(conf->max_calls, conf->max_queues, conf->max_agents,
	    conf->call_expiry);
	cs.repeat = repeat_new(conf->max_calls, conf->repeat_window);
	if ((rows = snapshot_restore(&cs, &cause)) < 0)
		fatalx("store: restore: %s", cause);
	log_info("store: %s: restored %d window states", cs.db_path, rows);
	/* Events past the snapshot, from the journal (on or off now). */
	if (ingest_replay(&cs, &cause) < 0)
		fatalx("store: %s", cause);

	cs.snapshot = snapshot_new(&cs);
	if (store_start(cs.store, cs.base, callscored_store_done_cb, &cs,
	    &cause) != 0)
		fatalx("store: %s", cause);
	if ((cs.ctl = ctl_new(&cs, &cause)) == NULL)
		fatalx("control: %s", cause);
	if ((cs.listeners = listeners_new(&cs, &cause)) == NULL)
		fatalx("listen: %s", cause);
	if (conf->http_listen != NULL && *conf->http_listen != '\0') {
		cs.http = http_new(cs.base, conf->http_listen,
		    callscored_metrics_cb, &cs, &cause);
		if (cs.http == NULL)
			fatalx("http: %s", cause);
		http_set_health(cs.http, callscored_health_cb, &cs);
		/* evhttp would retry a failing accept at once. */
		evconnlistener_set_error_cb(http_listener(cs.http),
		    listen_accept_error_cb);
		log_info("http: listening on %s", http_address(cs.http));
	}

	cs.drain_ev = evtimer_new(cs.base, callscored_drain_cb, &cs);
	cs.sigterm_ev = evsignal_new(cs.base, SIGTERM, callscored_signal_cb,
	    &cs);
	cs.sigint_ev = evsignal_new(cs.base, SIGINT, callscored_signal_cb, &cs);
	cs.sighup_ev = evsignal_new(cs.base, SIGHUP, callscored_signal_cb, &cs);
	evsignal_add(cs.sigterm_ev, NULL);
	evsignal_add(cs.sigint_ev, NULL);
	evsignal_add(cs.sighup_ev, NULL);

	cs.tick_ev = event_new(cs.base, -1, EV_PERSIST, callscored_tick_cb,
	    &cs);
	tv.tv_sec = 1;
	tv.tv_usec = 0;
	evtimer_add(cs.tick_ev, &tv);
	cs.snapshot_ev = event_new(cs.base, -1, EV_PERSIST,
	    callscored_snapshot_cb, &cs);
	callscored_snapshot_timer(&cs);

	/* Sockets bound, state restored: tell the manager we are up. */
	cs.notify = notify_new(cs.base, callscored_healthy_cb, &cs);
	notify_ready(cs.notify);
	callscored_status(&cs);
	log_info("callscored %s: ready", PACKAGE_VERSION);
	event_base_dispatch(cs.base);

	/* Stop taking events, then save them. */
	listeners_free(cs.listeners);
	cs.listeners = NULL;
	http_free(cs.http);
	cs.http = NULL;
	snapshot_final(cs.snapshot);
	store_close(cs.store);	/* waits for the final snapshot */
	journal_free(cs.journal);
	log_info("exited after %llu events",
	    (unsigned long long)cs.stats.lines_ok);

	ctl_free(cs.ctl);
	snapshot_free(cs.snapshot);
	event_free(cs.snapshot_ev);
	event_free(cs.tick_ev);
	notify_free(cs.notify);
	event_free(cs.sighup_ev);
	event_free(cs.sigint_ev);
	event_free(cs.sigterm_ev);
	event_free(cs.drain_ev);
	event_base_free(cs.base);
	event_parser_free(cs.parser);
	live_free(cs.live);
	repeat_free(cs.repeat);
	scopes_free(cs.scopes);
	free(cs.db_path);
	free(cs.quarantined);
	conf_free(cs.conf);
	return (0);
}
