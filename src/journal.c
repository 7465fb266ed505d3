/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The journal's loop side: batches built in one growing buffer, handed
 * to the store's writer whole (store_journal_submit() takes the buffer),
 * and the writer's progress turned into the bytes still in flight and
 * the seq that is safe to acknowledge.  Nothing here waits for the disk.
 *
 * Complaints (a full journal, failing commits) are logged at most every
 * JOURNAL_COMPLAIN_MS, with what happened since the last one.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "clock.h"
#include "journal.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define JOURNAL_COMPLAIN_MS	10000

struct journal {
	struct store		*store;
	struct event		*flush_ev;
	int			 armed;		/* flush_ev pending */
	int			 urgent;	/* ... at the end of the turn */
	double			 flush;		/* seconds */
	size_t			 max;		/* bytes in flight */
	journal_commit_cb	 cb;
	void			*arg;

	unsigned char		*buf;		/* the current batch */
	size_t			 len, cap;
	size_t			 n;		/* records in it */
	uint64_t		 first, last;	/* their seqs */

	uint64_t		 handed;	/* bytes handed over, total */
	uint64_t		 committed_bytes;

	uint64_t		 complained;	/* clock_mono_ms() */
	uint64_t		 dropped_told;
	struct journal_stats	 stats;
};

static void	journal_flush_cb(evutil_socket_t, short, void *);
static void	journal_store_cb(uint64_t, uint64_t, const char *, void *);
static void	journal_arm(struct journal *, double);
static void	journal_put64(unsigned char *, uint64_t);
static uint64_t	journal_get64(const unsigned char *);

struct journal *
journal_new(struct event_base *base, struct store *store, double flush,
    size_t max, journal_commit_cb cb, void *arg)
{
	struct journal	*j;

	j = xcalloc(1, sizeof *j);
	j->store = store;
	j->flush_ev = evtimer_new(base, journal_flush_cb, j);
	j->flush = flush;
	j->max = max;
	j->cb = cb;
	j->arg = arg;
	j->stats.seq_committed = store_max_seq(store);
	store_journal_set_cb(store, journal_store_cb, j);
	return (j);
}

void
journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	event_free(j->flush_ev);
	free(j->buf);
	free(j);
}

void
journal_set_limits(struct journal *j, double flush, size_t max)
{
	j->flush = flush;
	j->max = max;
}

static void
journal_put64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
journal_get64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return (v);
}

/* Bytes appended that have not committed: handed over or still here. */
static uint64_t
journal_inflight(const struct journal *j)
{
	return (j->handed - j->committed_bytes + j->len);
}

int
journal_check(struct journal *j, size_t len, int durable)
{
	if (journal_inflight(j) + JOURNAL_RECORD_HDR + len <= j->max)
		return (0);
	if (durable)
		j->stats.refused++;
	return (-1);
}

int
journal_append(struct journal *j, uint64_t seq, uint64_t recv_ms,
    const char *line, size_t len)
{
	unsigned char	*p;
	uint64_t	 now;
	size_t		 need = JOURNAL_RECORD_HDR + len;

	if (journal_check(j, len, 0) != 0) {
		j->stats.dropped++;
		now = clock_mono_ms();
		if (j->complained == 0 ||
		    now - j->complained >= JOURNAL_COMPLAIN_MS) {
			log_warnx("journal: full (%llu bytes not yet "
			    "committed): %llu accepted events not journaled",
			    (unsigned long long)journal_inflight(j),
			    (unsigned long long)(j->stats.dropped -
			    j->dropped_told));
			j->complained = now;
			j->dropped_told = j->stats.dropped;
		}
		return (-1);
	}
	if (j->len + need > j->cap) {
		j->cap = j->cap == 0 ? 64 * 1024 : j->cap;
		while (j->len + need > j->cap)
			j->cap *= 2;
		j->buf = xreallocarray(j->buf, 1, j->cap);
	}
	p = j->buf + j->len;
	journal_put64(p, seq);
	journal_put64(p + 8, recv_ms);
	p[16] = (unsigned char)len;
	p[17] = (unsigned char)(len >> 8);
	p[18] = (unsigned char)(len >> 16);
	p[19] = (unsigned char)(len >> 24);
	memcpy(p + JOURNAL_RECORD_HDR, line, len);
	j->len += need;
	if (j->n++ == 0)
		j->first = seq;
	j->last = seq;
	j->stats.appended++;

	if (j->n >= JOURNAL_BATCH_RECORDS || j->len >= JOURNAL_BATCH_BYTES)
		journal_flush(j);
	else if (!j->armed)
		journal_arm(j, j->flush);
	return (0);
}

static void
journal_arm(struct journal *j, double secs)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	evtimer_add(j->flush_ev, &tv);
	j->armed = 1;
}

/*
 * A zero timeout runs after the loop has polled for I/O, so the lines of
 * every connection read in this turn share the batch.
 */
void
journal_urge(struct journal *j)
{
	if (j->urgent || j->n == 0)
		return;
	j->urgent = 1;
	journal_arm(j, 0);
}

void
journal_flush(struct journal *j)
{
	if (j->armed) {
		evtimer_del(j->flush_ev);
		j->armed = 0;
	}
	j->urgent = 0;
	if (j->n == 0)
		return;
	store_journal_submit(j->store, j->first, j->last, j->n, j->buf,
	    j->len);
	j->handed += j->len;
	j->stats.batches++;
	/* The next batch is likely as large: start at its size. */
	j->buf = xmalloc(j->cap);
	j->len = 0;
	j->n = 0;
}

static void
journal_flush_cb(evutil_socket_t fd, short events, void *arg)
{
	struct journal	*j = arg;

	j->armed = 0;
	journal_flush(j);
}

/* The writer's progress, on the loop. */
static void
journal_store_cb(uint64_t seq, uint64_t bytes, const char *error, void *arg)
{
	struct journal	*j = arg;
	uint64_t	 now;

	if (error != NULL) {
		j->stats.commit_errors++;
		now = clock_mono_ms();
		if (j->complained == 0 ||
		    now - j->complained >= JOURNAL_COMPLAIN_MS) {
			log_warnx("journal: %s; retrying (%llu bytes waiting)",
			    error, (unsigned long long)journal_inflight(j));
			j->complained = now;
		}
	}
	j->committed_bytes = bytes;
	if (seq <= j->stats.seq_committed)
		return;
	j->stats.seq_committed = seq;
	if (j->cb != NULL)
		j->cb(seq, j->arg);
}

uint64_t
journal_committed(const struct journal *j)
{
	return (j->stats.seq_committed);
}

int
journal_batch_has(const struct journal *j, uint64_t seq)
{
	return (j->n > 0 && seq >= j->first && seq <= j->last);
}

void
journal_get_stats(const struct journal *j, struct journal_stats *st)
{
	*st = j->stats;
	st->inflight = journal_inflight(j);
}

int
journal_decode(const unsigned char *p, size_t len, journal_record_cb cb,
    void *arg)
{
	uint64_t	seq, recv_ms;
	size_t		off = 0, n;
	int		records = 0;

	while (off < len) {
		if (len - off < JOURNAL_RECORD_HDR)
			return (-1);
		seq = journal_get64(p + off);
		recv_ms = journal_get64(p + off + 8);
		n = (size_t)p[off + 16] | (size_t)p[off + 17] << 8 |
		    (size_t)p[off + 18] << 16 | (size_t)p[off + 19] << 24;
		off += JOURNAL_RECORD_HDR;
		if (n > len - off)
			return (-1);
		if (cb(seq, recv_ms, (const char *)p + off, n, arg) != 0)
			return (-1);
		off += n;
		records++;
	}
	return (records);
}
