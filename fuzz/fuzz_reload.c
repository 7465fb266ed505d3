/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Fuzz the configuration reload (SIGHUP, `callscore reload`): the input
 * is the new file, checked against a running configuration as
 * callscored_reload() does, with conf_load() then conf_reload_check().
 * Two running configurations are tried: fuzz_base[], which moves every
 * key a reload cannot change away from its default, and the defaults
 * (an empty file).
 *
 * Whatever the answer, the running configuration is untouched: it
 * prints the same bytes as before.  A refusal says why, and a refusal by
 * conf_reload_check() names exactly the restart keys that differ, as
 * this file compares them itself from what callscored.c only builds at
 * start (listeners, sockets, the control socket's group and TCP
 * address, directories, the database and how it is written, the
 * scope table's windows, the QA criteria).  An accepted file is consistent:
 * those keys are the running ones, the scope table keeps its windows,
 * values are in range, queues are sorted for bsearch, targets are
 * ordered, the daemon's swap (limits of the scopes, live calls and
 * repeat contacts; the snapshot timer) takes it, and its conf_print()
 * output is accepted as a reload too.
 */
#include <sys/time.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "conf.h"
#include "confio.h"
#include "fuzz.h"
#include "kpi.h"
#include "live.h"
#include "repeat.h"
#include "scope.h"
#include "window.h"

#define FUZZ_RESTART	" cannot change without a restart"
#define FUZZ_KEYS_MAX	32	/* restart keys compared */

/* Every key a reload cannot change takes another value than its default. */
static const char fuzz_base[] =
	"listen:\n"
	"  tcp: 127.0.0.1:7400\n"
	"  unix: ingest.sock\n"
	"  unix_mode: \"0640\"\n"
	"  udp: 127.0.0.1:7401\n"
	"  udp_rcvbuf: 1m\n"
	"control:\n"
	"  socket: ctl.sock\n"
	"  mode: \"0600\"\n"
	"  group: \"0\"\n"
	"  tcp: 127.0.0.1:7402\n"
	"  token_file: /etc/callscore-fuzz.token\n"
	"http:\n"
	"  listen: 127.0.0.1:9400\n"
	"directories:\n"
	"  state: /var/lib/callscore-fuzz\n"
	"  runtime: /run/callscore-fuzz\n"
	"windows: [1m, 15m, 1h]\n"
	"window_slots: 30\n"
	"kpi:\n"
	"  service_level_threshold: 30\n"
	"  qa_criteria: [greeting, accuracy, empathy]\n"
	"queues:\n"
	"  sales:\n"
	"    service_level_threshold: 15\n"
	"    targets:\n"
	"      csat: { target: 90, amber: 80 }\n"
	"snapshot:\n"
	"  interval: 30s\n"
	"  database: fuzz.db\n"
	"  journal: false\n"
	"  synchronous: full\n"
	"limits:\n"
	"  max_queues: 50\n"
	"log:\n"
	"  level: notice\n";

enum {
	FUZZ_FILE_NEXT,
	FUZZ_FILE_PRINTED,
	FUZZ_FILE_BASE
};

/* A running configuration and what the daemon built from it at start. */
struct fuzz_running {
	struct conf		*conf;
	char			*printed;
	size_t			 len;
	struct window_def	 defs[CONF_WINDOWS_MAX + 1];
	size_t			 ndefs;
	struct scopes		*scopes;
	struct live		*live;
	struct repeat		*repeat;
};

/* A key conf_reload_check() refuses to change, as it names it. */
struct fuzz_restart {
	const char	*name;
	int		 differs;
};

static struct fuzz_running	 fuzz_running[2];
static int			 fuzz_ready;

static int
fuzz_str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static void
fuzz_limits(const struct conf *c, size_t limit[SCOPE_KIND_COUNT])
{
	limit[SCOPE_GLOBAL] = 1;
	limit[SCOPE_QUEUE] = c->max_queues;
	limit[SCOPE_AGENT] = c->max_agents;
	limit[SCOPE_TEAM] = c->max_teams;
}

/* Load a running configuration from a file, and start what uses it. */
static void
fuzz_start(struct fuzz_running *r, const char *text)
{
	size_t	 limit[SCOPE_KIND_COUNT];
	char	*errors = NULL;

	r->conf = conf_load(confio_file(FUZZ_FILE_BASE, text, strlen(text)),
	    &errors);
	if (r->conf == NULL) {
		fprintf(stderr, "base configuration refused:\n%s\n", errors);
		FUZZ_CHECK(r->conf != NULL);
	}
	r->printed = confio_print(r->conf, &r->len);
	r->ndefs = conf_all_windows(r->conf, r->defs);
	fuzz_limits(r->conf, limit);
	r->scopes = scopes_new(r->defs, r->ndefs, limit);
	r->live = live_new(r->conf->max_calls, r->conf->max_queues,
	    r->conf->max_agents, r->conf->call_expiry);
	r->repeat = repeat_new(r->conf->max_calls, r->conf->repeat_window);
}

/*
 * Which keys that only take effect at start differ between the running
 * configuration and next; returns how many.
 */
static size_t
fuzz_restart_diff(const struct conf *a, const struct conf *b,
    struct fuzz_restart *k)
{
	size_t	i, n = 0, same;

	k[n].name = "listen.tcp";
	k[n++].differs = !fuzz_str_equal(a->listen_tcp, b->listen_tcp);
	k[n].name = "listen.unix";
	k[n++].differs = !fuzz_str_equal(a->listen_unix, b->listen_unix);
	k[n].name = "listen.unix_mode";
	k[n++].differs = a->unix_mode != b->unix_mode;
	k[n].name = "listen.udp";
	k[n++].differs = !fuzz_str_equal(a->listen_udp, b->listen_udp);
	k[n].name = "listen.udp_rcvbuf";
	k[n++].differs = a->udp_rcvbuf != b->udp_rcvbuf;
	k[n].name = "control.socket";
	k[n++].differs = !fuzz_str_equal(a->control_socket,
	    b->control_socket);
	k[n].name = "control.mode";
	k[n++].differs = a->control_mode != b->control_mode;
	k[n].name = "control.group";
	k[n++].differs = !fuzz_str_equal(a->control_group, b->control_group);
	k[n].name = "control.tcp";
	k[n++].differs = !fuzz_str_equal(a->control_tcp, b->control_tcp);
	k[n].name = "http.listen";
	k[n++].differs = !fuzz_str_equal(a->http_listen, b->http_listen);
	k[n].name = "directories.state";
	k[n++].differs = !fuzz_str_equal(a->state_directory,
	    b->state_directory);
	k[n].name = "directories.runtime";
	k[n++].differs = !fuzz_str_equal(a->runtime_directory,
	    b->runtime_directory);

	/* The scope table's rings: names and spans; slots just below. */
	same = a->nwindows == b->nwindows;
	for (i = 0; same && i < a->nwindows; i++) {
		same = strcmp(a->windows[i].name, b->windows[i].name) == 0 &&
		    a->windows[i].span_ms == b->windows[i].span_ms;
	}
	k[n].name = "windows";
	k[n++].differs = !same;
	k[n].name = "window_slots";
	k[n++].differs = a->window_slots != b->window_slots;

	/* QA criteria are slot indexes in the aggregates. */
	same = a->nqa == b->nqa;
	for (i = 0; same && i < a->nqa; i++)
		same = strcmp(a->qa_criteria[i], b->qa_criteria[i]) == 0;
	k[n].name = "kpi.qa_criteria";
	k[n++].differs = !same;

	k[n].name = "limits.agent_percentiles";
	k[n++].differs = a->agent_percentiles != b->agent_percentiles;
	k[n].name = "snapshot.database";
	k[n++].differs = !fuzz_str_equal(a->database, b->database);
	k[n].name = "snapshot.journal";
	k[n++].differs = a->journal != b->journal;
	k[n].name = "snapshot.synchronous";
	k[n++].differs = a->synchronous != b->synchronous;
	FUZZ_CHECK(n <= FUZZ_KEYS_MAX);
	return (n);
}

/*
 * A refusal by conf_reload_check(): one line per differing restart key,
 * "file: key: cannot change without a restart", each key once.
 */
static void
fuzz_check_cause(const char *file, const char *cause,
    struct fuzz_restart *k, size_t nk)
{
	const char	*line, *end, *key;
	size_t		 i, len, flen = strlen(file), klen;
	size_t		 ndiff = 0, nlines = 0;
	int		 seen[FUZZ_KEYS_MAX];

	memset(seen, 0, sizeof seen);
	for (line = cause; *line != '\0'; line = end + (*end == '\n')) {
		end = line + strcspn(line, "\n");
		len = (size_t)(end - line);
		nlines++;
		FUZZ_CHECK(len > flen + 2 && memcmp(line, file, flen) == 0 &&
		    memcmp(line + flen, ": ", 2) == 0);
		key = line + flen + 2;
		klen = strcspn(key, ":");
		for (i = 0; i < nk; i++) {
			if (strlen(k[i].name) == klen &&
			    memcmp(k[i].name, key, klen) == 0)
				break;
		}
		if (i == nk || !k[i].differs || seen[i]) {
			fprintf(stderr, "reload refused for the wrong key:\n"
			    "%s\n", cause);
			FUZZ_CHECK(0);
		}
		seen[i] = 1;
		FUZZ_CHECK((size_t)(end - key) == klen + 1 +
		    strlen(FUZZ_RESTART) && memcmp(key + klen + 1,
		    FUZZ_RESTART, strlen(FUZZ_RESTART)) == 0);
	}
	for (i = 0; i < nk; i++)
		ndiff += k[i].differs;
	if (nlines != ndiff) {
		fprintf(stderr, "reload refused, but not for every key that "
		    "needs a restart:\n%s\n", cause);
		FUZZ_CHECK(0);
	}
}

/* An accepted configuration, as the daemon is about to use it. */
static void
fuzz_check_next(struct fuzz_running *r, const struct conf *c)
{
	struct window_def	 defs[CONF_WINDOWS_MAX + 1];
	struct agg_params	 ap;
	const struct conf_target *t;
	struct timeval		 tv;
	size_t			 i, j, limit[SCOPE_KIND_COUNT];
	int			 d;

	/* The scope table built at start keeps its rings. */
	FUZZ_CHECK(conf_all_windows(c, defs) == r->ndefs);
	FUZZ_CHECK(memcmp(defs, r->defs, r->ndefs * sizeof *defs) == 0);
	FUZZ_CHECK(c->nqa == r->conf->nqa && c->nqa <= AGG_QA_MAX);

	FUZZ_CHECK(isfinite(c->sl_threshold) && c->sl_threshold >= 1);
	FUZZ_CHECK(isfinite(c->short_abandon) && c->short_abandon >= 0);
	FUZZ_CHECK(isfinite(c->cost_per_hour) && c->cost_per_hour >= 0);
	FUZZ_CHECK(isfinite(c->repeat_window) && c->repeat_window >= 60);
	FUZZ_CHECK(c->interval == 900 || c->interval == 1800);
	FUZZ_CHECK(isfinite(c->call_expiry) && c->call_expiry >= 60);
	FUZZ_CHECK(isfinite(c->snapshot_interval) &&
	    c->snapshot_interval >= 1 && c->snapshot_interval <= 86400);
	FUZZ_CHECK(isfinite(c->retention) && c->retention >= 0);
	FUZZ_CHECK(c->max_line >= 256 && c->max_line <= 16 * 1024 * 1024);
	FUZZ_CHECK(c->max_conns >= 1 && c->max_queues >= 1 &&
	    c->max_agents >= 1 && c->max_teams >= 1 && c->max_calls >= 1);
	FUZZ_CHECK(isfinite(c->idle_timeout) && c->idle_timeout >= 1);
	FUZZ_CHECK(isfinite(c->line_timeout) && c->line_timeout >= 1);
	FUZZ_CHECK(isfinite(c->max_age) && c->max_age >= 60);
	FUZZ_CHECK(isfinite(c->max_skew) && c->max_skew >= 0);
	/* ctl_reconf() reads the token again when TCP control is on. */
	FUZZ_CHECK(c->control_tcp == NULL || c->control_token_file != NULL);
	for (i = 0; i < KPI_PERSPECTIVE_COUNT; i++)
		FUZZ_CHECK(isfinite(c->weights[i]) && c->weights[i] >= 0);

	/* Queues sorted and unique (bsearch), each with ordered targets. */
	for (i = 0; i < c->nqueues; i++) {
		FUZZ_CHECK(i == 0 ||
		    strcmp(c->queues[i - 1].name, c->queues[i].name) < 0);
		FUZZ_CHECK(c->queues[i].sl_threshold >= 1);
		FUZZ_CHECK(conf_sl_threshold(c, c->queues[i].name) ==
		    c->queues[i].sl_threshold);
		FUZZ_CHECK(conf_targets(c, c->queues[i].name) ==
		    c->queues[i].targets);
		conf_agg_params(c, c->queues[i].name, &ap);
		FUZZ_CHECK(ap.nqa == c->nqa &&
		    ap.sl_threshold == c->queues[i].sl_threshold);
	}
	FUZZ_CHECK(conf_targets(c, NULL) == c->targets);
	for (i = 0; i <= c->nqueues; i++) {
		t = i < c->nqueues ? c->queues[i].targets : c->targets;
		for (j = 0; j < KPI_COUNT; j++) {
			if (!t[j].set)
				continue;
			d = kpi_table[j].direction;
			FUZZ_CHECK(d != KPI_DIRECTION_NONE);
			FUZZ_CHECK(isfinite(t[j].target) &&
			    isfinite(t[j].amber));
			FUZZ_CHECK(d != KPI_DIRECTION_HIGHER ||
			    t[j].amber <= t[j].target);
			FUZZ_CHECK(d != KPI_DIRECTION_LOWER ||
			    t[j].amber >= t[j].target);
		}
	}

	/* The swap callscored_reload() makes, then back to the running. */
	fuzz_limits(c, limit);
	scopes_set_limits(r->scopes, limit);
	FUZZ_CHECK(scopes_get(r->scopes, SCOPE_QUEUE, "sales") != NULL);
	live_set_limits(r->live, c->max_calls, c->max_queues, c->max_agents,
	    c->call_expiry);
	repeat_set_limits(r->repeat, c->max_calls, c->repeat_window);
	/* The snapshot timer, as callscored_snapshot_timer() sets it. */
	tv.tv_sec = (time_t)c->snapshot_interval;
	tv.tv_usec = (suseconds_t)((c->snapshot_interval -
	    (double)tv.tv_sec) * 1e6);
	FUZZ_CHECK(tv.tv_sec >= 1 && tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	fuzz_limits(r->conf, limit);
	scopes_set_limits(r->scopes, limit);
	live_set_limits(r->live, r->conf->max_calls, r->conf->max_queues,
	    r->conf->max_agents, r->conf->call_expiry);
	repeat_set_limits(r->repeat, r->conf->max_calls,
	    r->conf->repeat_window);
}

/* Reload from next's file while running r. */
static void
fuzz_reload(struct fuzz_running *r, const struct conf *next)
{
	struct fuzz_restart	 k[FUZZ_KEYS_MAX];
	struct conf		*again;
	char			*cause = NULL, *out, *errors = NULL;
	size_t			 nk, i, ndiff = 0, len;
	int			 rc;

	nk = fuzz_restart_diff(r->conf, next, k);
	for (i = 0; i < nk; i++)
		ndiff += k[i].differs;
	rc = conf_reload_check(r->conf, next, &cause);
	if (rc != 0) {
		FUZZ_CHECK(cause != NULL);
		fuzz_check_cause(next->path, cause, k, nk);
		free(cause);
		return;
	}
	if (ndiff != 0) {
		fprintf(stderr, "reload accepted a change that needs a "
		    "restart:\n");
		for (i = 0; i < nk; i++) {
			if (k[i].differs)
				fprintf(stderr, "  %s\n", k[i].name);
		}
		FUZZ_CHECK(0);
	}
	FUZZ_CHECK(conf_reload_check(next, r->conf, &cause) == 0);
	fuzz_check_next(r, next);

	/* What `callscored -p` prints of it reloads as well. */
	out = confio_print(next, &len);
	again = conf_load(confio_file(FUZZ_FILE_PRINTED, out, len), &errors);
	if (again == NULL) {
		fprintf(stderr, "conf_print output does not load:\n%s\n"
		    "errors:\n%s\n", out, errors);
		FUZZ_CHECK(again != NULL);
	}
	FUZZ_CHECK(conf_reload_check(r->conf, again, &cause) == 0);
	conf_free(again);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	*next;
	char		*errors = NULL, *out;
	size_t		 i, len;

	if (!fuzz_ready) {
		fuzz_start(&fuzz_running[0], fuzz_base);
		fuzz_start(&fuzz_running[1], "");
		fuzz_ready = 1;
	}

	next = conf_load(confio_file(FUZZ_FILE_NEXT, data, size), &errors);
	if (next == NULL) {
		/* Refused, with at least one message saying why. */
		FUZZ_CHECK(errors != NULL && *errors != '\0');
		free(errors);
	} else {
		FUZZ_CHECK(errors == NULL);
		for (i = 0; i < 2; i++)
			fuzz_reload(&fuzz_running[i], next);
		conf_free(next);
	}

	/* Whatever happened, the running configurations are untouched. */
	for (i = 0; i < 2; i++) {
		out = confio_print(fuzz_running[i].conf, &len);
		FUZZ_CHECK(len == fuzz_running[i].len &&
		    memcmp(out, fuzz_running[i].printed, len) == 0);
		free(out);
	}
	return (0);
}
