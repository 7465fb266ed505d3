/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Persistence.  Only store.c includes sqlite3.h.  A writer thread owns
 * the database connection; the event loop hands it whole snapshots
 * (struct store_snap, built without touching the disk) through a queue
 * and never waits for it.  Completion is reported back on the loop by a
 * pipe the loop watches.  Restore at start is synchronous, before the
 * daemon listens.  Schema: docs/architecture.md, versioned by
 * PRAGMA user_version with migrations from 0 (an empty file); version 2
 * added the table intervals, version 3 the journal and the sequence
 * numbers of the state rows.
 *
 * The journal: the loop hands the writer batches of accepted events
 * (journal.c builds them); the writer commits them before any other
 * work, each batch one frame in the journal's files (jfile.h, a
 * directory beside the database), all waiting in one commit, and
 * reports the highest sequence number committed.  A snapshot is written
 * in several transactions (chunks) so that journal commits never wait
 * long for one; its last chunk records where it began (meta
 * snapshot_seq), and once it has committed the files it holds every
 * event of are deleted.  The table journal holds batches from before
 * the files (and in backups); it is read at start before them and
 * trimmed the same way.
 */
#ifndef STORE_H
#define STORE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct event_base;

/* The aggregate state of one scope and window: a ring_serialize() blob. */
struct store_state {
	int		 kind;		/* scope kind (scope.h) */
	char		*name;		/* scope name; "" for global */
	char		*window;	/* "5m" */
	uint64_t	 seq;		/* last event in it (journal seq) */
	unsigned char	*blob;
	size_t		 len;
};

/* One KPI value for history and trends. */
struct store_kpi {
	int		 kind;
	char		*name;
	char		*window;
	const char	*kpi;		/* static kpi_table id */
	double		 value;
};

/* One KPI of one closed calendar interval (table intervals). */
struct store_interval {
	double		 start;		/* epoch seconds */
	int		 kind;
	char		*name;
	const char	*kpi;		/* static kpi_table id */
	double		 value;
};

/*
 * A snapshot: written in chunks of whole scopes, each a transaction, then
 * the stale state rows are deleted with the last.  A state's rows must be
 * added together, one scope after another.
 */
struct store_snap {
	double			 time;		/* wall clock, epoch seconds */
	uint64_t		 seq;		/* journal seq when it began */
	struct arena_vec	 states;	/* of struct store_state */
	struct arena_vec	 kpis;		/* of struct store_kpi */
	struct arena_vec	 intervals;	/* of struct store_interval */
	double			 interval_mark;	/* meta last_interval; 0 keep */
	double			 prune_before;	/* delete history older; 0 none */
	uint64_t		 id;		/* set by store_submit */
	uint64_t		 jneed;		/* ... and the journal's seq */
	struct arena		*arena;		/* names and blobs */
	char			*last_name, *last_window;
};

/* The outcome of one snapshot, handed back on the loop. */
struct store_result {
	uint64_t	id;
	int		ok;
	double		time;		/* snapshot time */
	double		duration;	/* seconds spent writing */
	size_t		rows;
	int		rc;		/* SQLite's primary code; 0 if ok */
	const char	*code;		/* "FULL", "BUSY"...; "" if ok */
	char		error[256];
};

/* SQLite's primary result codes, for counting errors by code. */
#define STORE_CODES	32

struct store_stats {
	uint64_t	snapshots;	/* committed */
	uint64_t	errors;		/* failed transactions */
	double		last_time;	/* last committed snapshot; 0 none */
	double		last_duration;	/* seconds */
	size_t		queue_depth;	/* snapshots waiting */
	uint64_t	dropped;	/* snapshots dropped, queue full */
	uint64_t	errors_by_code[STORE_CODES];	/* by result code */
	uint64_t	chunks;		/* snapshot transactions committed */
	/* The journal. */
	uint64_t	journal_batches;	/* rows committed */
	uint64_t	journal_events;		/* records committed */
	uint64_t	journal_bytes;		/* bytes committed */
	uint64_t	journal_seq;		/* highest seq committed */
	uint64_t	journal_errors;		/* failed commits (retried) */
	uint64_t	journal_trimmed;	/* rows and files deleted */
	uint64_t	journal_files;		/* the journal's files now */
	uint64_t	journal_file_bytes;	/* ... their bytes */
	uint64_t	journal_torn_bytes;	/* cut at open: crash mid-write */
	uint64_t	journal_damaged_bytes;	/* found at open, skipped */
	double		journal_commit_last;	/* seconds */
	double		journal_commit_max;
	size_t		journal_queue;		/* batches waiting */
	/* The whole file's check, run in the background after start. */
	int		check;			/* STORE_CHECK_* */
	char		check_error[256];	/* when failed */
};
#define STORE_CHECK_PENDING	0
#define STORE_CHECK_OK		1
#define STORE_CHECK_FAILED	2

typedef void	(*store_done_cb)(const struct store_result *, void *);
typedef void	(*store_restore_cb)(const struct store_state *, void *);
/*
 * Journal progress, on the loop: every seq up to the first is committed,
 * and the second is the total bytes of the batches committed so far.
 * error is NULL, or why the last commit failed (it is retried).
 */
typedef void	(*store_journal_cb)(uint64_t, uint64_t, const char *, void *);
/* One journal row: first and last seq, the batch (journal.c's format). */
typedef int	(*store_journal_row_cb)(uint64_t, uint64_t,
		    const unsigned char *, size_t, void *);

struct store;

/*
 * Open (creating and migrating as needed) the database at path.  Returns
 * NULL and sets *cause (caller frees) on failure.
 */
struct store	*store_open(const char *, char **);
/*
 * As store_open; also sets the int to 1 when the file is damaged or not a
 * callscore database, so store_quarantine() and a fresh open can help.
 */
struct store	*store_open_check(const char *, int *, char **);
/*
 * Rename a database that is not open (and its -wal, -shm) aside to
 * path.corrupt-<epoch>; the new name is returned (caller frees).  Returns
 * -1 with errno set.
 */
int		 store_quarantine(const char *, char **);
/* The name of an SQLite result code: "FULL" for SQLITE_FULL (13). */
const char	*store_code_name(int);
/* 1 for the codes always listed, even at 0: BUSY, IOERR, CORRUPT, FULL. */
int		 store_code_listed(int);
/*
 * Cap the database file at a size in bytes (0: no cap), by PRAGMA
 * max_page_count on the writer's connection before its next snapshot.
 * A snapshot that would grow the file past it fails with FULL.
 */
void		 store_set_max_size(struct store *, uint64_t);
/*
 * Call cb for every saved state row; returns rows, or -1 with *cause.
 * Where a snapshot was cut short, a scope's rows are those of the last
 * snapshot that wrote it (its rows always go together).
 */
int		 store_restore(struct store *, store_restore_cb, void *,
		    char **);
/* PRAGMA synchronous: 1 FULL, 0 NORMAL; only before store_start. */
int		 store_set_synchronous(struct store *, int, char **);
/*
 * The journal seq at which the last committed snapshot began (events up
 * to it are in every state row), 0 if none; read at open.
 */
uint64_t	 store_snapshot_seq(struct store *);
/* The highest seq known (journal table or files, state); at open. */
uint64_t	 store_max_seq(struct store *);
/*
 * Call cb for each journal batch with last > after, in order (the table's
 * rows, then the files' frames); cb returns 0 to go on.  Only before store_start.  Returns the rows read, or -1
 * with *cause.
 */
int		 store_journal_read(struct store *, uint64_t,
		    store_journal_row_cb, void *, char **);
/* Report journal progress to cb on the loop; before store_start. */
void		 store_journal_set_cb(struct store *, store_journal_cb,
		    void *);
/*
 * Queue a journal batch of n records, seqs first..last, for the writer
 * (takes ownership of data, which xmalloc'd).  Never dropped: the caller
 * bounds what is in flight.  Before store_start it waits for the writer.
 */
void		 store_journal_submit(struct store *, uint64_t, uint64_t,
		    size_t, unsigned char *, size_t);
/* Time of the last snapshot saved, 0 if none. */
double		 store_last_snapshot(struct store *);
/*
 * The interval_mark of the last snapshot committed before this open (the
 * end of the calendar intervals written), 0 if none; read at open.
 */
double		 store_last_interval(struct store *);
/*
 * Start the writer thread; done is called on base after each snapshot.
 * After this only the writer uses the connection: no store_restore.
 * done must not call store_close.
 */
int		 store_start(struct store *, struct event_base *,
		    store_done_cb, void *, char **);
/* Queue a snapshot (takes ownership); returns its id, 0 if dropped. */
uint64_t	 store_submit(struct store *, struct store_snap *);
/* As store_submit(), but wait for room instead of dropping (at exit). */
uint64_t	 store_submit_wait(struct store *, struct store_snap *);
void		 store_get_stats(struct store *, struct store_stats *);
/*
 * The writer's heartbeat: seconds (CLOCK_MONOTONIC) spent so far on the
 * snapshot it is writing, 0 when it is idle.  A value that keeps growing
 * means the writer is stuck (the watchdog withholds its ping).
 */
double		 store_writer_busy(struct store *);
/*
 * Drain the queue, stop the thread, close the database.  Results not yet
 * reported are dropped (done is not called); accepts NULL and a store
 * that was never started (queued snapshots are then freed unwritten).
 */
void		 store_close(struct store *);

/* Tests: hold the writer before its next snapshot (1) or release it (0). */
void		 store_pause(struct store *, int);
/*
 * Tests: hold the writer inside its next snapshot, after it was taken
 * from the queue and before it is written (1), or release it (0).
 */
void		 store_hold(struct store *, int);
/* Tests: wait until the writer is held by store_hold(). */
void		 store_wait_held(struct store *);
/*
 * Tests: write snapshots in chunks of at most this many rows (0: the
 * default sizes), and hold the writer once this many chunks of a
 * snapshot have committed (-1: never); store_hold(s, 0) lets it go on.
 */
void		 store_set_chunks(struct store *, size_t, int);
/* Tests: run SQL on the store's connection; only before store_start. */
int		 store_exec(struct store *, const char *, char **);

/* Building snapshots (on the loop; no disk). */
struct store_snap *store_snap_new(double);
/* kind, name, window, seq, blob (copied in, left to the caller), len. */
void		 store_snap_copy_state(struct store_snap *, int, const char *,
		    const char *, uint64_t, const unsigned char *, size_t);
void		 store_snap_add_kpi(struct store_snap *, int, const char *,
		    const char *, const char *, double);
/* start, kind, name, kpi (static), value. */
void		 store_snap_add_interval(struct store_snap *, double, int,
		    const char *, const char *, double);
void		 store_snap_free(struct store_snap *);

/*
 * Asynchronous history reads, served by the writer thread between
 * snapshots so the loop never waits for the disk.
 */
#define STORE_KPI_NAME_MAX	31
struct store_row {
	double	time;
	char	kpi[STORE_KPI_NAME_MAX + 1];
	double	value;
};
struct store_rows {
	int			 ok;
	char			 error[256];
	size_t			 n;
	struct store_row	*rows;		/* ordered by time */
};
typedef void	(*store_query_cb)(const struct store_rows *, void *);
/*
 * Rows of kpi (every KPI if NULL) of one scope and window with time >=
 * since; cb runs on the loop.  Returns 0, or -1 if the store is not
 * running (cb is not called).
 */
int		 store_query(struct store *, int, const char *, const char *,
		    const char *, double, store_query_cb, void *);
/*
 * The interval rows of one scope with from <= start < until, as rows
 * (time = the interval's start) ordered by start then kpi; as
 * store_query().
 */
int		 store_query_intervals(struct store *, int, const char *,
		    double, double, store_query_cb, void *);
/* Forget queries made with arg: their cb will not run. */
void		 store_query_cancel(struct store *, void *);

/* The outcome of a backup, handed back on the loop. */
struct store_backup {
	int		 ok;
	const char	*path;		/* as asked */
	uint64_t	 bytes;		/* of the copy */
	double		 seconds;
	char		 error[512];
};
typedef void	(*store_backup_cb)(const struct store_backup *, void *);
/*
 * Copy the database to path, which must not exist, with VACUUM INTO on
 * the writer's connection between snapshots: a consistent copy, synced
 * and then given its name.  cb runs on the loop; store_query_cancel()
 * forgets it.  Returns 0, or -1 if the store is not running.
 */
int		 store_backup(struct store *, const char *, store_backup_cb,
		    void *);

/* History for trends: points of kpi for a scope since a time. */
struct store_point {
	double	time;
	double	value;
};
/* Read with a separate connection; returns points (caller frees) or -1. */
ssize_t		 store_history(const char *, int, const char *, const char *,
		    const char *, double, struct store_point **, char **);

#endif
