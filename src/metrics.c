/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Prometheus text exposition (format 0.0.4).  Every family is written
 * whole (HELP, TYPE, then all its samples) because the format requires a
 * family's samples to be together; the per-scope families are therefore
 * driven by tables over struct totals, one pass over the scopes each.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "event.h"
#include "metrics.h"
#include "totals.h"

/* A per-scope counter: a uint64_t or a double field of struct totals. */
struct metrics_counter {
	const char	*name;
	const char	*help;
	size_t		 offset;
	int		 is_double;
};

struct metrics_hist {
	const char	*name;
	const char	*help;
	size_t		 offset;	/* struct totals_hist */
	const double	*le;
	size_t		 n;
};

#define MC_U(n, f, h)	{ n, h, offsetof(struct totals, f), 0 }
#define MC_D(n, f, h)	{ n, h, offsetof(struct totals, f), 1 }

static const struct metrics_counter metrics_counters[] = {
	MC_U("callscore_calls_offered_total", offered,
	    "Calls that reached a queue."),
	MC_U("callscore_calls_answered_total", answered,
	    "Calls answered by an agent."),
	MC_U("callscore_calls_abandoned_total", abandoned,
	    "Calls abandoned in the queue, short abandons included."),
	MC_U("callscore_calls_short_abandoned_total", short_abandoned,
	    "Calls abandoned before the short-abandon threshold."),
	MC_U("callscore_calls_timeout_total", timeouts,
	    "Calls that left the queue by timeout."),
	MC_U("callscore_calls_answered_in_sl_total", answered_in_sl,
	    "Calls answered within the service-level threshold."),
	MC_U("callscore_calls_transferred_total", transferred,
	    "Answered calls that were transferred."),
	MC_U("callscore_calls_held_total", held,
	    "Answered calls put on hold."),
	MC_D("callscore_answered_wait_seconds_total", wait_answered,
	    "Queue wait of answered calls (ASA numerator)."),
	MC_D("callscore_talk_seconds_total", talk,
	    "Talk time of answered calls."),
	MC_D("callscore_wrap_seconds_total", wrap,
	    "After-call work of answered calls."),
	MC_U("callscore_first_contact_reported_total", fc_n,
	    "Calls that carried a first_contact flag."),
	MC_U("callscore_first_contact_resolved_total", fc_yes,
	    "Calls with first_contact true."),
	MC_U("callscore_resolved_reported_total", res_n,
	    "Calls that carried a resolved flag."),
	MC_U("callscore_resolved_total", res_yes,
	    "Calls with resolved true."),
	MC_U("callscore_csat_responses_total", csat_n,
	    "CSAT survey answers."),
	MC_U("callscore_csat_positive_total", csat_pos,
	    "CSAT answers of 4 or 5."),
	MC_D("callscore_csat_score_total", csat_sum,
	    "Sum of CSAT scores (1-5)."),
	MC_U("callscore_nps_responses_total", nps_n,
	    "NPS survey answers."),
	MC_U("callscore_nps_promoters_total", nps_pro,
	    "NPS answers of 9 or 10."),
	MC_U("callscore_nps_detractors_total", nps_det,
	    "NPS answers of 0 to 6."),
	MC_U("callscore_esat_responses_total", esat_n,
	    "Employee satisfaction answers."),
	MC_U("callscore_esat_positive_total", esat_pos,
	    "Employee satisfaction answers of 4 or 5."),
	MC_U("callscore_qa_evaluations_total", qa_n,
	    "Quality evaluations."),
	MC_D("callscore_qa_score_total", qa_sum,
	    "Sum of quality evaluation scores (0-100 each)."),
};

static const struct metrics_hist metrics_hists[] = {
	{ "callscore_wait_seconds",
	    "Queue wait of offered calls (0 when not reported).",
	    offsetof(struct totals, wait), totals_wait_le,
	    TOTALS_WAIT_BUCKETS },
	{ "callscore_hold_seconds",
	    "Hold time of answered calls that were held.",
	    offsetof(struct totals, hold), totals_hold_le,
	    TOTALS_HOLD_BUCKETS },
	{ "callscore_handle_seconds",
	    "Handle time (talk + hold + wrap) of answered calls.",
	    offsetof(struct totals, handle), totals_handle_le,
	    TOTALS_HANDLE_BUCKETS },
};

static void	metrics_family(struct evbuffer *, const char *, const char *,
		    const char *);
static void	metrics_labels(struct evbuffer *, const struct metrics_scope *,
		    const char *);
static void	metrics_value(struct evbuffer *, double);
static void	metrics_u64(struct evbuffer *, const char *, const char *,
		    const char *, uint64_t);
static void	metrics_double(struct evbuffer *, const char *, const char *,
		    const char *, double);
static void	metrics_render_scopes(struct evbuffer *,
		    const struct metrics_source *);
static void	metrics_render_journal(struct evbuffer *,
		    const struct metrics_source *);
static void	metrics_render_daemon(struct evbuffer *,
		    const struct metrics_source *);
static void	metrics_render_extra(struct evbuffer *,
		    const struct metrics_source *);

const char *
metrics_format_value(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, "%s", v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		snprintf(buf, len, "%.0f", v);
	else {
		/* The shortest of 15 or 17 digits that reads back exactly. */
		snprintf(buf, len, "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, len, "%.17g", v);
	}
	return (buf);
}

void
metrics_escape_label(struct evbuffer *out, const char *s)
{
	const char	*p, *start = s;

	for (p = s; *p != '\0'; p++) {
		if (*p != '\\' && *p != '"' && *p != '\n')
			continue;
		evbuffer_add(out, start, p - start);
		if (*p == '\n')
			evbuffer_add(out, "\\n", 2);
		else {
			evbuffer_add(out, "\\", 1);
			evbuffer_add(out, p, 1);
		}
		start = p + 1;
	}
	evbuffer_add(out, start, p - start);
}

/* HELP text escapes backslash and newline (not quotes). */
static void
metrics_family(struct evbuffer *out, const char *name, const char *help,
    const char *type)
{
	const char	*p;

	evbuffer_add_printf(out, "# HELP %s ", name);
	for (p = help; *p != '\0'; p++) {
		if (*p == '\\')
			evbuffer_add(out, "\\\\", 2);
		else if (*p == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, p, 1);
	}
	evbuffer_add_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* {queue="x"} or {queue="x",le="5"}; the global scope has no label. */
static void
metrics_labels(struct evbuffer *out, const struct metrics_scope *sc,
    const char *le)
{
	int	global = strcmp(sc->kind, "global") == 0;

	if (global && le == NULL)
		return;
	evbuffer_add(out, "{", 1);
	if (!global) {
		evbuffer_add_printf(out, "%s=\"", sc->kind);
		metrics_escape_label(out, sc->name);
		evbuffer_add(out, "\"", 1);
	}
	if (le != NULL)
		evbuffer_add_printf(out, "%sle=\"%s\"", global ? "" : ",", le);
	evbuffer_add(out, "}", 1);
}

static void
metrics_value(struct evbuffer *out, double v)
{
	char	buf[64];

	evbuffer_add_printf(out, " %s\n",
	    metrics_format_value(buf, sizeof buf, v));
}

/* One sample with at most one label. */
static void
metrics_u64(struct evbuffer *out, const char *name, const char *label,
    const char *value, uint64_t v)
{
	evbuffer_add_printf(out, "%s", name);
	if (label != NULL) {
		evbuffer_add_printf(out, "{%s=\"", label);
		metrics_escape_label(out, value != NULL ? value : "");
		evbuffer_add(out, "\"}", 2);
	}
	evbuffer_add_printf(out, " %" PRIu64 "\n", v);
}

static void
metrics_double(struct evbuffer *out, const char *name, const char *label,
    const char *value, double v)
{
	evbuffer_add_printf(out, "%s", name);
	if (label != NULL) {
		evbuffer_add_printf(out, "{%s=\"", label);
		metrics_escape_label(out, value != NULL ? value : "");
		evbuffer_add(out, "\"}", 2);
	}
	metrics_value(out, v);
}

static void
metrics_render_scopes(struct evbuffer *out, const struct metrics_source *src)
{
	const struct metrics_counter	*mc;
	const struct metrics_hist	*mh;
	const struct metrics_scope	*sc;
	const struct totals_hist	*h;
	const char			*base;
	char				 le[64];
	uint64_t			 cum;
	size_t				 i, j, k;

	for (i = 0; i < sizeof metrics_counters / sizeof *metrics_counters;
	    i++) {
		mc = &metrics_counters[i];
		metrics_family(out, mc->name, mc->help, "counter");
		for (j = 0; j < src->nscopes; j++) {
			sc = &src->scopes[j];
			base = (const char *)sc->totals + mc->offset;
			evbuffer_add_printf(out, "%s", mc->name);
			metrics_labels(out, sc, NULL);
			if (mc->is_double)
				metrics_value(out, *(const double *)base);
			else
				evbuffer_add_printf(out, " %" PRIu64 "\n",
				    *(const uint64_t *)base);
		}
	}

	for (i = 0; i < sizeof metrics_hists / sizeof *metrics_hists; i++) {
		mh = &metrics_hists[i];
		metrics_family(out, mh->name, mh->help, "histogram");
		for (j = 0; j < src->nscopes; j++) {
			sc = &src->scopes[j];
			h = (const struct totals_hist *)
			    ((const char *)sc->totals + mh->offset);
			cum = 0;
			for (k = 0; k < mh->n; k++) {
				cum += h->bucket[k];
				metrics_format_value(le, sizeof le, mh->le[k]);
				evbuffer_add_printf(out, "%s_bucket", mh->name);
				metrics_labels(out, sc, le);
				evbuffer_add_printf(out, " %" PRIu64 "\n", cum);
			}
			evbuffer_add_printf(out, "%s_bucket", mh->name);
			metrics_labels(out, sc, "+Inf");
			evbuffer_add_printf(out, " %" PRIu64 "\n", h->count);
			evbuffer_add_printf(out, "%s_sum", mh->name);
			metrics_labels(out, sc, NULL);
			metrics_value(out, h->sum);
			evbuffer_add_printf(out, "%s_count", mh->name);
			metrics_labels(out, sc, NULL);
			evbuffer_add_printf(out, " %" PRIu64 "\n", h->count);
		}
	}
}

/* The journal: the writer's commits and the loop's view of them. */
static void
metrics_render_journal(struct evbuffer *out, const struct metrics_source *src)
{
	const struct store_stats	*st = &src->store;
	const struct journal_stats	*j = &src->journal;
	const struct metrics_daemon	*d = &src->daemon;

	metrics_family(out, "callscore_journal_batches_total",
	    "Journal batches committed.", "counter");
	metrics_u64(out, "callscore_journal_batches_total", NULL, NULL,
	    st->journal_batches);
	metrics_family(out, "callscore_journal_events_total",
	    "Events committed to the journal.", "counter");
	metrics_u64(out, "callscore_journal_events_total", NULL, NULL,
	    st->journal_events);
	metrics_family(out, "callscore_journal_bytes_total",
	    "Bytes of journal batches committed.", "counter");
	metrics_u64(out, "callscore_journal_bytes_total", NULL, NULL,
	    st->journal_bytes);
	metrics_family(out, "callscore_journal_dropped_total",
	    "Events accepted but not journaled: the journal was full.",
	    "counter");
	metrics_u64(out, "callscore_journal_dropped_total", NULL, NULL,
	    j->dropped);
	metrics_family(out, "callscore_journal_refused_total",
	    "Lines on durable connections refused: the journal was full.",
	    "counter");
	metrics_u64(out, "callscore_journal_refused_total", NULL, NULL,
	    j->refused);
	metrics_family(out, "callscore_journal_errors_total",
	    "Journal commits that failed (and were retried).", "counter");
	metrics_u64(out, "callscore_journal_errors_total", NULL, NULL,
	    st->journal_errors);
	metrics_family(out, "callscore_journal_files",
	    "Files the journal has on disk.", "gauge");
	metrics_u64(out, "callscore_journal_files", NULL, NULL,
	    st->journal_files);
	metrics_family(out, "callscore_journal_file_bytes",
	    "Bytes of the journal's files.", "gauge");
	metrics_u64(out, "callscore_journal_file_bytes", NULL, NULL,
	    st->journal_file_bytes);
	metrics_family(out, "callscore_journal_damaged_bytes",
	    "Bytes of the journal's files found damaged at start and "
	    "skipped.", "gauge");
	metrics_u64(out, "callscore_journal_damaged_bytes", NULL, NULL,
	    st->journal_damaged_bytes);
	metrics_family(out, "callscore_journal_commit_seconds",
	    "Time the last journal commit took.", "gauge");
	metrics_double(out, "callscore_journal_commit_seconds", NULL, NULL,
	    st->journal_commit_last);
	metrics_family(out, "callscore_journal_commit_max_seconds",
	    "Longest journal commit since start.", "gauge");
	metrics_double(out, "callscore_journal_commit_max_seconds", NULL,
	    NULL, st->journal_commit_max);
	metrics_family(out, "callscore_journal_seq_committed",
	    "Sequence number of the last event committed to the journal.",
	    "gauge");
	metrics_u64(out, "callscore_journal_seq_committed", NULL, NULL,
	    st->journal_seq);
	metrics_family(out, "callscore_journal_inflight_bytes",
	    "Bytes of events journaled but not yet committed.", "gauge");
	metrics_u64(out, "callscore_journal_inflight_bytes", NULL, NULL,
	    j->inflight);
	metrics_family(out, "callscore_journal_replayed_events",
	    "Events replayed from the journal at start.", "gauge");
	metrics_u64(out, "callscore_journal_replayed_events", NULL, NULL,
	    d->journal_replayed);
	metrics_family(out, "callscore_journal_replay_seconds",
	    "Time the replay at start took.", "gauge");
	metrics_double(out, "callscore_journal_replay_seconds", NULL, NULL,
	    d->journal_replay_seconds);
}

static void
metrics_render_daemon(struct evbuffer *out, const struct metrics_source *src)
{
	const struct metrics_daemon	*d = &src->daemon;
	const struct store_stats	*st = &src->store;
	double				 age;
	int				 i;

	metrics_family(out, "callscore_events_accepted_total",
	    "Event lines accepted.", "counter");
	metrics_u64(out, "callscore_events_accepted_total", NULL, NULL,
	    d->lines_ok);
	metrics_family(out, "callscore_events_rejected_total",
	    "Event lines rejected, by reason.", "counter");
	for (i = 1; i < EVENT_ERR_COUNT; i++)
		metrics_u64(out, "callscore_events_rejected_total", "reason",
		    event_error_name(i), d->rejects[i]);

	metrics_family(out, "callscore_connections",
	    "Event connections open now.", "gauge");
	metrics_u64(out, "callscore_connections", NULL, NULL,
	    d->conns_current);
	metrics_family(out, "callscore_connections_accepted_total",
	    "Event connections accepted.", "counter");
	metrics_u64(out, "callscore_connections_accepted_total", NULL, NULL,
	    d->conns_total);
	metrics_family(out, "callscore_connections_refused_total",
	    "Event connections refused at max_connections.", "counter");
	metrics_u64(out, "callscore_connections_refused_total", NULL, NULL,
	    d->conns_refused);
	metrics_family(out, "callscore_connections_closed_total",
	    "Event connections the daemon closed, by reason.", "counter");
	metrics_u64(out, "callscore_connections_closed_total", "reason",
	    "idle", d->conns_idle_closed);
	metrics_u64(out, "callscore_connections_closed_total", "reason",
	    "oversize", d->conns_oversize_closed);
	metrics_u64(out, "callscore_connections_closed_total", "reason",
	    "line_timeout", d->conns_line_timeout);
	metrics_family(out, "callscore_accept_errors_total",
	    "Failed accept() calls.", "counter");
	metrics_u64(out, "callscore_accept_errors_total", NULL, NULL,
	    d->accept_errors);
	metrics_family(out, "callscore_udp_datagrams_total",
	    "UDP datagrams received.", "counter");
	metrics_u64(out, "callscore_udp_datagrams_total", NULL, NULL,
	    d->udp_datagrams);
	metrics_family(out, "callscore_udp_received_bytes_total",
	    "UDP payload bytes received.", "counter");
	metrics_u64(out, "callscore_udp_received_bytes_total", NULL, NULL,
	    d->udp_bytes);
	metrics_family(out, "callscore_udp_truncated_total",
	    "UDP datagrams truncated to the buffer size.", "counter");
	metrics_u64(out, "callscore_udp_truncated_total", NULL, NULL,
	    d->udp_truncated);
	metrics_family(out, "callscore_udp_kernel_drops_total",
	    "UDP datagrams the kernel dropped: receive buffer full.",
	    "counter");
	metrics_u64(out, "callscore_udp_kernel_drops_total", NULL, NULL,
	    d->udp_drops);
	metrics_family(out, "callscore_ctl_requests_total",
	    "Control socket requests.", "counter");
	metrics_u64(out, "callscore_ctl_requests_total", NULL, NULL,
	    d->ctl_requests);
	metrics_family(out, "callscore_ctl_tcp_connections_total",
	    "TCP control connections, by outcome at accept.", "counter");
	metrics_u64(out, "callscore_ctl_tcp_connections_total", "result",
	    "accepted", d->ctl_tcp_accepted);
	metrics_u64(out, "callscore_ctl_tcp_connections_total", "result",
	    "refused", d->ctl_tcp_refused);
	metrics_family(out, "callscore_ctl_auth_failures_total",
	    "TCP control connections closed for a wrong or missing token.",
	    "counter");
	metrics_u64(out, "callscore_ctl_auth_failures_total", NULL, NULL,
	    d->ctl_auth_failures);
	metrics_family(out, "callscore_backups_total",
	    "Online backups (callscore backup), by result.", "counter");
	metrics_u64(out, "callscore_backups_total", "result", "ok",
	    d->backups_ok);
	metrics_u64(out, "callscore_backups_total", "result", "failed",
	    d->backups_failed);
	metrics_family(out, "callscore_reloads_total",
	    "Configuration reloads, by result.", "counter");
	metrics_u64(out, "callscore_reloads_total", "result", "ok",
	    d->reload_ok);
	metrics_u64(out, "callscore_reloads_total", "result", "failed",
	    d->reload_fail);

	metrics_family(out, "callscore_snapshots_total",
	    "Snapshots committed to the database.", "counter");
	metrics_u64(out, "callscore_snapshots_total", NULL, NULL,
	    st->snapshots);
	metrics_family(out, "callscore_snapshots_failed_total",
	    "Snapshots that failed.", "counter");
	metrics_u64(out, "callscore_snapshots_failed_total", NULL, NULL,
	    d->snapshots_failed);
	metrics_family(out, "callscore_snapshots_dropped_total",
	    "Snapshots dropped because the write queue was full.", "counter");
	metrics_u64(out, "callscore_snapshots_dropped_total", NULL, NULL,
	    st->dropped);
	metrics_family(out, "callscore_db_errors_total",
	    "Failed database transactions.", "counter");
	metrics_u64(out, "callscore_db_errors_total", NULL, NULL, st->errors);
	metrics_family(out, "callscore_db_errors_by_code_total",
	    "Failed database transactions, by SQLite result code.",
	    "counter");
	for (i = 1; i < STORE_CODES; i++) {
		if (st->errors_by_code[i] > 0 || store_code_listed(i))
			metrics_u64(out, "callscore_db_errors_by_code_total",
			    "code", store_code_name(i), st->errors_by_code[i]);
	}
	metrics_family(out, "callscore_snapshot_queue_depth",
	    "Snapshots waiting for the database writer.", "gauge");
	metrics_u64(out, "callscore_snapshot_queue_depth", NULL, NULL,
	    st->queue_depth);
	metrics_family(out, "callscore_snapshot_duration_seconds",
	    "Time the last committed snapshot took to write.", "gauge");
	metrics_double(out, "callscore_snapshot_duration_seconds", NULL, NULL,
	    st->last_duration);
	metrics_family(out, "callscore_snapshot_last_time_seconds",
	    "Wall-clock time of the last committed snapshot, 0 if none.",
	    "gauge");
	metrics_double(out, "callscore_snapshot_last_time_seconds", NULL,
	    NULL, st->last_time);
	/* Since start when none yet, so an alert on age needs no special case. */
	age = src->now - (st->last_time > 0 ? st->last_time : src->start_time);
	if (age < 0)
		age = 0;
	metrics_family(out, "callscore_snapshot_age_seconds",
	    "Seconds since the last committed snapshot (or since start).",
	    "gauge");
	metrics_double(out, "callscore_snapshot_age_seconds", NULL, NULL, age);

	metrics_render_journal(out, src);

	metrics_family(out, "callscore_scopes",
	    "Scopes in memory, by kind.", "gauge");
	metrics_u64(out, "callscore_scopes", "kind", "queue", src->nqueues);
	metrics_u64(out, "callscore_scopes", "kind", "agent", src->nagents);
	metrics_u64(out, "callscore_scopes", "kind", "team", src->nteams);

	metrics_family(out, "callscore_uptime_seconds",
	    "Seconds since the daemon started.", "gauge");
	metrics_double(out, "callscore_uptime_seconds", NULL, NULL,
	    src->uptime);
	metrics_family(out, "callscore_start_time_seconds",
	    "Wall-clock time the daemon started.", "gauge");
	metrics_double(out, "callscore_start_time_seconds", NULL, NULL,
	    src->start_time);
	metrics_family(out, "callscore_build_info",
	    "Always 1; the version is a label.", "gauge");
	metrics_u64(out, "callscore_build_info", "version",
	    src->version != NULL ? src->version : "", 1);
}

static void
metrics_render_extra(struct evbuffer *out, const struct metrics_source *src)
{
	const struct metrics_extra	*e;
	size_t				 i;

	for (i = 0; i < src->nextra; i++) {
		e = &src->extra[i];
		if (i == 0 || strcmp(e->name, src->extra[i - 1].name) != 0) {
			metrics_family(out, e->name, e->help,
			    e->type == METRICS_COUNTER ? "counter" : "gauge");
		}
		metrics_double(out, e->name, e->label, e->label_value,
		    e->value);
	}
}

void
metrics_render(struct evbuffer *out, const struct metrics_source *src)
{
	metrics_render_scopes(out, src);
	metrics_render_daemon(out, src);
	metrics_render_extra(out, src);
}
