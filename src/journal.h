/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The journal of accepted events, on the loop.  Every event the daemon
 * accepts has a sequence number (seq); its record goes into the current
 * batch, and batches go to the store's writer, which commits each as one
 * row of the table journal.  At start the rows past the last snapshot
 * are replayed.  A client that asked for durable acknowledgements is
 * answered once the batch holding its line has committed.
 *
 * A batch is a run of records, each little-endian:
 *	u64 seq, u64 receive time (steady epoch, ms), u32 length, the line
 * and goes to the writer when it holds JOURNAL_BATCH_RECORDS records or
 * JOURNAL_BATCH_BYTES bytes, when the flush interval has passed since its
 * first record, or at the end of the loop turn once journal_urge() was
 * called.  The bytes in flight (appended, not yet committed) are bounded.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define JOURNAL_RECORD_HDR	20	/* seq, receive time, length */
#define JOURNAL_BATCH_RECORDS	2000
#define JOURNAL_BATCH_BYTES	(512 * 1024)

struct event_base;
struct journal;
struct store;

struct journal_stats {
	uint64_t	appended;	/* records */
	uint64_t	dropped;	/* accepted, not journaled: full */
	uint64_t	refused;	/* durable lines refused: full */
	uint64_t	batches;	/* handed to the writer */
	uint64_t	seq_committed;	/* every seq up to it is on disk */
	uint64_t	inflight;	/* bytes appended, not committed */
	uint64_t	commit_errors;	/* failed commits (retried) */
};

/* Every seq up to this one has committed (on the loop). */
typedef void	(*journal_commit_cb)(uint64_t, void *);
/* One record of a batch: seq, receive time, line; 0 to go on. */
typedef int	(*journal_record_cb)(uint64_t, uint64_t, const char *,
		    size_t, void *);

/*
 * A journal writing through store (whose writer is not started yet),
 * with a flush interval (seconds) and a bound on the bytes in flight;
 * cb is called as commits arrive.
 */
struct journal	*journal_new(struct event_base *, struct store *, double,
		    size_t, journal_commit_cb, void *);
/* Accepts NULL; a batch not handed over is lost (flush first). */
void		 journal_free(struct journal *);
/* New flush interval and bound (reload). */
void		 journal_set_limits(struct journal *, double, size_t);
/*
 * Is there room for the record of a line of len bytes?  -1 if not, and
 * a durable line (the int) is then counted as refused.
 */
int		 journal_check(struct journal *, size_t, int);
/*
 * Append the record of an accepted event: seq, receive time, line.  -1
 * if there is no room: the event is counted as not journaled.
 */
int		 journal_append(struct journal *, uint64_t, uint64_t,
		    const char *, size_t);
/* A client waits for a commit: hand the batch over at the end of the turn. */
void		 journal_urge(struct journal *);
/* Hand the current batch over now (before a snapshot, at exit). */
void		 journal_flush(struct journal *);
/* Every seq up to this one has committed. */
uint64_t	 journal_committed(const struct journal *);
/* Is seq in the batch not yet handed over (so commits with its last)? */
int		 journal_batch_has(const struct journal *, uint64_t);
void		 journal_get_stats(const struct journal *,
		    struct journal_stats *);
/*
 * Call cb for each record of a batch, in order.  Returns the records
 * read, or -1 if the batch is malformed after them (or cb stopped).
 */
int		 journal_decode(const unsigned char *, size_t,
		    journal_record_cb, void *);

#endif
