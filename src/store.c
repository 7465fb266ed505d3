/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Persistence in SQLite.  The connection is opened, checked, migrated
 * and read (restore, journal replay) on the loop thread before the
 * daemon listens; after store_start() it belongs to one writer thread.
 * The loop hands the writer whole snapshots through a small bounded
 * queue and never waits: when the queue is full the new snapshot is
 * dropped and counted.  Journal batches have a queue of their own that
 * the writer serves first, all waiting batches in one transaction, and
 * then gives a read or a snapshot chunk a turn; a snapshot is written in
 * chunks of whole scopes, so a batch waits at most for one chunk.  The writer reports each outcome through a list
 * and a pipe that the loop watches, so callbacks always run on the loop
 * thread.
 *
 * Exactly-once replay rests on three numbers.  Each state row carries
 * the seq of the last event in it (its scope was serialized then) and the
 * generation of the snapshot that wrote it; a scope's rows are always in
 * one chunk, so restore takes each scope's rows of its newest generation.
 * The last chunk deletes the rows of other generations, records the seq
 * at which the snapshot began (meta snapshot_seq: every row holds the
 * events up to it) and deletes the journal rows wholly before it.
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "arena.h"
#include "jfile.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

/* Snapshots waiting for the writer; more are dropped, never waited on. */
#define STORE_QUEUE_MAX		4
/*
 * A snapshot chunk ends at a scope boundary after this much, or after
 * STORE_CHUNK_WAIT when a journal batch is waiting (or as long as the
 * last journal commit took, up to STORE_CHUNK_SECS): acknowledgements
 * wait that long at most for a snapshot, which still makes progress.
 */
#define STORE_CHUNK_ROWS	8192
#define STORE_CHUNK_BYTES	(8 * 1024 * 1024)
#define STORE_CHUNK_SECS	0.100
#define STORE_CHUNK_WAIT	0.004
#define STORE_WRITER_SLICE_NS	100000	/* the kernel's least: 0.1 ms */
#define STORE_PAGE_SIZE		"65536"	/* bytes, for new databases */
#define STORE_WAL_CHECKPOINT	(4 * 1024 * 1024)	/* bytes of WAL */
/* Journal batches in one transaction, and the wait after a failure. */
#define STORE_JOURNAL_TXN_MAX	(16 * 1024 * 1024)
#define STORE_JOURNAL_RETRY	0.1		/* seconds */
/* The journal's files: a directory beside the database (jfile.h). */
#define STORE_JOURNAL_DIR	".journal"
/* Ours, in PRAGMA application_id, so a foreign database is recognised. */
#define STORE_APPLICATION_ID	0x43534352	/* "CSCR" */
#define STORE_BUSY_TIMEOUT	5000		/* ms */
#define STORE_HISTORY_TIMEOUT	2000		/* ms, client reads */
#define STORE_MAX_PAGES		4294967294ULL	/* SQLite's own largest */

/*
 * Migrations: entry i moves the schema from version i to i + 1, in one
 * transaction with the user_version update.  Append only.
 */
static const char *store_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE snapshots (id INTEGER PRIMARY KEY,"
	" time REAL NOT NULL, duration REAL, rows INTEGER);"
	"CREATE TABLE state (kind INTEGER, name TEXT, \"window\" TEXT,"
	" blob BLOB NOT NULL, PRIMARY KEY (kind, name, \"window\"))"
	" WITHOUT ROWID;"
	"CREATE TABLE kpi_history (time REAL, kind INTEGER, name TEXT,"
	" \"window\" TEXT, kpi TEXT, value REAL);"
	"CREATE INDEX kpi_history_lookup ON kpi_history"
	" (kind, name, kpi, time);"
	"INSERT INTO meta (key, value) VALUES"
	" ('created', strftime('%s', 'now'));",
	/* 1 -> 2: the closed intervals of the calendar windows */
	"CREATE TABLE intervals (start REAL NOT NULL, kind INTEGER NOT NULL,"
	" name TEXT NOT NULL, kpi TEXT NOT NULL, value REAL,"
	" PRIMARY KEY (kind, name, start, kpi)) WITHOUT ROWID;"
	"CREATE INDEX intervals_start ON intervals (start);",
	/*
	 * 2 -> 3: the journal, and each state row's seq and generation,
	 * before the blob so that reading them skips its overflow pages
	 */
	"CREATE TABLE state_v3 (kind INTEGER, name TEXT, \"window\" TEXT,"
	" seq INTEGER NOT NULL DEFAULT 0, gen INTEGER NOT NULL DEFAULT 0,"
	" blob BLOB NOT NULL, PRIMARY KEY (kind, name, \"window\"))"
	" WITHOUT ROWID;"
	"INSERT INTO state_v3 (kind, name, \"window\", blob)"
	" SELECT kind, name, \"window\", blob FROM state;"
	"DROP TABLE state;"
	"ALTER TABLE state_v3 RENAME TO state;"
	"CREATE TABLE journal (first INTEGER PRIMARY KEY,"
	" last INTEGER NOT NULL, data BLOB NOT NULL);"
};
#define STORE_VERSION \
	((int)(sizeof store_migrations / sizeof store_migrations[0]))

/* Prepared statements, indexes into store->stmts. */
enum store_stmt {
	STORE_BEGIN,
	STORE_COMMIT,
	STORE_ROLLBACK,
	STORE_DELETE_STATE,
	STORE_INSERT_STATE,
	STORE_INSERT_KPI,
	STORE_INSERT_SNAPSHOT,
	STORE_SET_LAST,
	STORE_PRUNE_HISTORY,
	STORE_PRUNE_SNAPSHOTS,
	STORE_INSERT_INTERVAL,
	STORE_SET_INTERVAL,
	STORE_PRUNE_INTERVALS,
	STORE_TRIM_JOURNAL,
	STORE_PAGE_COUNT,
	STORE_SET_SEQ,
	STORE_NSTMTS
};

static const char *store_stmt_sql[STORE_NSTMTS] = {
	[STORE_BEGIN] = "BEGIN IMMEDIATE",
	[STORE_COMMIT] = "COMMIT",
	[STORE_ROLLBACK] = "ROLLBACK",
	/* Rows no chunk of this snapshot wrote: scopes now empty. */
	[STORE_DELETE_STATE] = "DELETE FROM state WHERE gen <> ?1",
	[STORE_INSERT_STATE] = "INSERT OR REPLACE INTO state (kind, name,"
	    " \"window\", seq, gen, blob) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STORE_INSERT_KPI] = "INSERT INTO kpi_history (time, kind, name,"
	    " \"window\", kpi, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STORE_INSERT_SNAPSHOT] = "INSERT INTO snapshots (time, duration,"
	    " rows) VALUES (?1, ?2, ?3)",
	[STORE_SET_LAST] = "INSERT OR REPLACE INTO meta (key, value)"
	    " VALUES ('last_snapshot', ?1)",
	[STORE_PRUNE_HISTORY] = "DELETE FROM kpi_history WHERE time < ?1",
	[STORE_PRUNE_SNAPSHOTS] = "DELETE FROM snapshots WHERE time < ?1"
	    " AND id < ?2",
	/* A restart may write an interval again: the newer rows win. */
	[STORE_INSERT_INTERVAL] = "INSERT OR REPLACE INTO intervals (start,"
	    " kind, name, kpi, value) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STORE_SET_INTERVAL] = "INSERT OR REPLACE INTO meta (key, value)"
	    " VALUES ('last_interval', ?1)",
	[STORE_PRUNE_INTERVALS] = "DELETE FROM intervals WHERE start < ?1",
	/* The journal table: batches written before the journal's files. */
	[STORE_TRIM_JOURNAL] = "DELETE FROM journal WHERE last <= ?1",
	/* The database's size, for max_size with the journal's files. */
	[STORE_PAGE_COUNT] = "PRAGMA page_count",
	[STORE_SET_SEQ] = "INSERT OR REPLACE INTO meta (key, value)"
	    " VALUES ('snapshot_seq', ?1)",
};

/* store_journal_read's caller's callback, for the files' frames. */
struct store_frame_read {
	store_journal_row_cb	 cb;
	void			*arg;
};

/* A journal batch waiting for the writer. */
struct store_batch {
	uint64_t		 first, last;
	size_t			 n;		/* records */
	unsigned char		*data;
	size_t			 len;
	TAILQ_ENTRY(store_batch) entry;
};
TAILQ_HEAD(store_batches, store_batch);

struct store_done {
	struct store_result	 result;
	TAILQ_ENTRY(store_done)	 entry;
};
TAILQ_HEAD(store_done_list, store_done);

struct store_query {
	int			 intervals;	/* else kpi_history */
	int			 kind;
	char			*name;
	char			*window;
	char			*kpi;		/* NULL: every KPI */
	double			 since;
	double			 until;		/* intervals */
	store_query_cb		 cb;
	void			*arg;
	int			 cancelled;
	struct store_rows	 rows;
	int			 backup;	/* VACUUM INTO name */
	store_backup_cb		 backup_cb;
	struct store_backup	 backup_res;
	TAILQ_ENTRY(store_query) entry;
};
TAILQ_HEAD(store_query_list, store_query);

struct store {
	char			*path;
	sqlite3			*db;
	sqlite3_stmt		*stmts[STORE_NSTMTS];

	struct event_base	*base;
	struct event		*ev;
	int			 pipe[2];
	store_done_cb		 done;
	void			*arg;

	pthread_t		 thread;
	pthread_t		 check_thread;	/* store_check_thread */
	int			 checking;	/* check_thread to join */
	sqlite3			*check_db;	/* its connection, locked */
	int			 started;
	double			 last_interval;	/* meta, read at open */
	uint64_t		 snapshot_seq;	/* meta, read at open */
	uint64_t		 max_seq;	/* read at open */
	int			 page;		/* bytes */
	int			 sync_full;	/* synchronous = FULL */
	int			 walfd;		/* -wal, synced before trims */
	struct jfile		*jf;		/* the journal's files */
	uint64_t		 wseq;		/* writer: snapshot_seq now */
	store_journal_cb	 jcb;
	void			*jarg;

	/* The writer's: the snapshot being written and where it is. */
	struct store_snap	*writing;
	struct store_result	 wres;
	int64_t			 gen;		/* of the state rows */
	int			 wphase;
	size_t			 widx;
	int			 wchunks;	/* committed so far */
	double			 wspent;	/* seconds, over its chunks */

	/* Everything below is protected by lock. */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 stopping;
	int			 paused;
	int			 hold, held;	/* tests: store_hold() */
	uint64_t		 max_size;	/* bytes; 0 no cap */
	int			 max_size_set;	/* for the writer to apply */
	int			 busy;		/* in a transaction */
	double			 busy_since;	/* CLOCK_MONOTONIC, s */
	size_t			 chunk_rows;	/* tests; 0 default */
	int			 hold_chunks;	/* tests; -1 never */
	struct store_batches	 jqueue;
	int			 jqlen;		/* atomic reads too */
	double			 jretry_at;	/* after a failure */
	uint64_t		 jseq, jbytes;	/* committed */
	uint64_t		 jhanded;	/* highest last submitted */
	double			 jspent;	/* writer: the last commit's s */
	uint64_t		 jseq_told, jbytes_told;
	char			 jerror[256];	/* the last failure */
	int			 jerror_new;
	struct store_snap	*queue[STORE_QUEUE_MAX];
	size_t			 qhead, qlen;
	uint64_t		 next_id;
	struct store_stats	 stats;
	struct store_done_list	 results;
	struct store_query_list	 queries;	/* waiting for the writer */
	struct store_query_list	 answers;	/* waiting for the loop */
	struct store_query	*running;
};

static const char *store_rc_name(int);
static int	 store_exec_sql(sqlite3 *, const char *, const char *,
		     char **);
static int	 store_pragma_int(sqlite3 *, const char *, const char *,
		     int *, char **);
static int	 store_quick_check(sqlite3 *, const char *, const char *,
		     int *, char **);
static int	 store_check_open(sqlite3 *, const char *, int *, char **);
static void	*store_check_thread(void *);
static int	 store_migrate(sqlite3 *, const char *, int *, char **);
static void	 store_fail(struct store_result *, sqlite3 *, const char *,
		     int);
static int	 store_step(struct store *, enum store_stmt,
		     struct store_result *, const char *);
static double	 store_mono(void);
static double	 store_meta_double(struct store *, const char *);
static uint64_t	 store_query_u64(struct store *, const char *);
static void	 store_write_begin(struct store *, struct store_snap *);
static int	 store_write_chunk(struct store *);
static int	 store_write_final(struct store *, struct store_result *);
static int	 store_chunk_full(struct store *, size_t, size_t, double);
static void	 store_journal_commit(struct store *);
static int	 store_journal_frame(uint64_t, uint64_t, uint32_t,
		     const unsigned char *, size_t, void *);
static int	 store_journal_room(struct store *, uint64_t, uint64_t,
		     struct store_result *);
static void	 store_journal_stats(struct store *);
static int	 store_journal_trim(struct store *, uint64_t,
		     struct store_result *);
static void	 store_batch_free(struct store_batch *);
static void	 store_apply_max_size(struct store *, uint64_t);
static void	*store_thread(void *);
static void	 store_thread_slice(void);
static void	 store_query_run(struct store *, struct store_query *);
static void	 store_backup_run(struct store *, struct store_query *);
static int	 store_backup_frame(uint64_t, uint64_t, uint32_t,
		     const unsigned char *, size_t, void *);
static int	 store_backup_journal(struct store *, const char *,
		     const char *, struct store_backup *);
static void	 store_query_free(struct store_query *);
static int	 store_query_queue(struct store *, struct store_query *);
static void	 store_notify(struct store *);
static void	 store_pipe_cb(evutil_socket_t, short, void *);

/* The name of a result code ("FULL" for SQLITE_FULL) for errors, metrics. */
static const char *
store_rc_name(int rc)
{
	static const char *names[] = {
		"OK", "ERROR", "INTERNAL", "PERM", "ABORT", "BUSY", "LOCKED",
		"NOMEM", "READONLY", "INTERRUPT", "IOERR", "CORRUPT",
		"NOTFOUND", "FULL", "CANTOPEN", "PROTOCOL", "EMPTY", "SCHEMA",
		"TOOBIG", "CONSTRAINT", "MISMATCH", "MISUSE", "NOLFS", "AUTH",
		"FORMAT", "RANGE", "NOTADB", "NOTICE", "WARNING"
	};
	int		 primary = rc & 0xff;

	if (primary >= 0 && primary < (int)(sizeof names / sizeof names[0]))
		return (names[primary]);
	if (primary == SQLITE_ROW)
		return ("ROW");
	if (primary == SQLITE_DONE)
		return ("DONE");
	return ("UNKNOWN");
}

const char *
store_code_name(int rc)
{
	return (store_rc_name(rc));
}

int
store_code_listed(int rc)
{
	return (rc == SQLITE_BUSY || rc == SQLITE_IOERR ||
	    rc == SQLITE_CORRUPT || rc == SQLITE_FULL);
}

/* Run SQL that returns no rows; on failure fill cause. */
static int
store_exec_sql(sqlite3 *db, const char *path, const char *sql, char **cause)
{
	char	*errmsg = NULL;
	int	 rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, &errmsg);
	if (rc != SQLITE_OK) {
		xasprintf(cause, "%s: %s (SQLITE_%s)", path,
		    errmsg != NULL ? errmsg : sqlite3_errmsg(db),
		    store_rc_name(rc));
		sqlite3_free(errmsg);
		return (-1);
	}
	return (0);
}

/* Read a PRAGMA (or any query) that returns one integer. */
static int
store_pragma_int(sqlite3 *db, const char *path, const char *sql, int *value,
    char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		goto fail;
	}
	*value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return (0);

fail:
	xasprintf(cause, "%s: %s: %s (SQLITE_%s)", path, sql,
	    sqlite3_errmsg(db), store_rc_name(rc));
	return (-1);
}

/*
 * PRAGMA quick_check: a damaged header fails with SQLITE_NOTADB, damaged
 * pages with SQLITE_CORRUPT or with rows describing the damage.  Either
 * way *corrupt is set, so the caller knows quarantine may help.
 */
static int
store_quick_check(sqlite3 *db, const char *path, const char *table,
    int *corrupt, char **cause)
{
	sqlite3_stmt		*stmt;
	const unsigned char	*text;
	char			*p, sql[64];
	int			 rc, primary;

	if (table != NULL)
		snprintf(sql, sizeof sql, "PRAGMA quick_check(\"%s\")", table);
	else
		snprintf(sql, sizeof sql, "PRAGMA quick_check");
	rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			text = sqlite3_column_text(stmt, 0);
			if (text != NULL && strcmp((const char *)text,
			    "ok") == 0) {
				sqlite3_finalize(stmt);
				return (0);
			}
			*corrupt = 1;
			xasprintf(cause, "%s: database is corrupt: %s", path,
			    text != NULL ? (const char *)text : "(null)");
			/* SQLite's report spans lines; a cause is one. */
			for (p = *cause; *p != '\0'; p++) {
				if (*p == '\n')
					*p = ' ';
			}
			sqlite3_finalize(stmt);
			return (-1);
		}
		sqlite3_finalize(stmt);
	}
	primary = rc & 0xff;
	if (primary == SQLITE_NOTADB) {
		*corrupt = 1;
		xasprintf(cause, "%s: file is not a database (SQLITE_NOTADB)",
		    path);
	} else {
		if (primary == SQLITE_CORRUPT)
			*corrupt = 1;
		xasprintf(cause, "%s: quick_check: %s (SQLITE_%s)", path,
		    sqlite3_errmsg(db), store_rc_name(rc));
	}
	return (-1);
}

/*
 * At open, check only the tables a start reads (meta, state, journal)
 * and the schema: a whole check of a large history would delay every
 * start by seconds.  store_start() checks the whole file in the
 * background (store_check_thread).
 */
static int
store_check_open(sqlite3 *db, const char *path, int *corrupt, char **cause)
{
	static const char	*tables[] = { "meta", "state", "journal" };
	sqlite3_stmt		*stmt;
	size_t			 i;
	int			 rc, found;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		/* Reading the schema finds a file that is no database. */
		rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema "
		    "WHERE type = 'table' AND name = ?1", -1, &stmt, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(stmt, 1, tables[i], -1,
			    SQLITE_STATIC);
			rc = sqlite3_step(stmt);
		}
		found = rc == SQLITE_ROW;
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			rc = sqlite3_errcode(db);
		sqlite3_finalize(stmt);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			if ((rc & 0xff) == SQLITE_NOTADB) {
				*corrupt = 1;
				xasprintf(cause, "%s: file is not a database "
				    "(SQLITE_NOTADB)", path);
			} else {
				if ((rc & 0xff) == SQLITE_CORRUPT)
					*corrupt = 1;
				xasprintf(cause, "%s: schema: %s (SQLITE_%s)",
				    path, sqlite3_errmsg(db),
				    store_rc_name(rc));
			}
			return (-1);
		}
		if (found &&
		    store_quick_check(db, path, tables[i], corrupt, cause) != 0)
			return (-1);
	}
	return (0);
}

/*
 * The whole file's quick_check, on a read-only connection of its own so
 * neither the loop nor the writer waits for it.  A damage it finds is
 * reported (status, log), and quarantined by the next start's check if
 * it reaches the tables a start reads.
 */
static void *
store_check_thread(void *arg)
{
	struct store	*s = arg;
	sqlite3		*db = NULL;
	char		*cause = NULL;
	int		 corrupt = 0, rc, result;

	rc = sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY|
	    SQLITE_OPEN_NOMUTEX, NULL);
	pthread_mutex_lock(&s->lock);
	s->check_db = rc == SQLITE_OK ? db : NULL;
	if (s->stopping && db != NULL)
		sqlite3_interrupt(db);
	pthread_mutex_unlock(&s->lock);
	if (rc != SQLITE_OK) {
		xasprintf(&cause, "%s: %s", s->path, db != NULL ?
		    sqlite3_errmsg(db) : sqlite3_errstr(rc));
		result = STORE_CHECK_FAILED;
	} else if (store_quick_check(db, s->path, NULL, &corrupt,
	    &cause) == 0)
		result = STORE_CHECK_OK;
	else
		result = STORE_CHECK_FAILED;

	pthread_mutex_lock(&s->lock);
	s->check_db = NULL;
	if (s->stopping && result == STORE_CHECK_FAILED && db != NULL &&
	    (sqlite3_errcode(db) & 0xff) == SQLITE_INTERRUPT)
		result = STORE_CHECK_PENDING;	/* stopped, not damaged */
	s->stats.check = result;
	if (cause != NULL)
		snprintf(s->stats.check_error, sizeof s->stats.check_error,
		    "%s", cause);
	pthread_mutex_unlock(&s->lock);
	if (result == STORE_CHECK_FAILED)
		log_warnx("store: background check: %s", cause);
	free(cause);
	sqlite3_close(db);
	return (NULL);
}

/*
 * Bring the schema to STORE_VERSION.  A newer version is refused (an
 * older callscored must not write it); a database that is not ours is
 * reported as corrupt so it can be set aside rather than mixed into.
 */
static int
store_migrate(sqlite3 *db, const char *path, int *corrupt, char **cause)
{
	int	 version, appid, tables;
	char	*sql;

	if (store_pragma_int(db, path, "PRAGMA application_id", &appid,
	    cause) != 0)
		return (-1);
	if (appid != 0 && appid != STORE_APPLICATION_ID) {
		*corrupt = 1;
		xasprintf(cause, "%s: not a callscore database "
		    "(application_id %#x)", path, (unsigned int)appid);
		return (-1);
	}
	if (store_pragma_int(db, path, "PRAGMA user_version", &version,
	    cause) != 0)
		return (-1);
	if (version > STORE_VERSION) {
		xasprintf(cause, "%s: database schema version %d is newer "
		    "than this callscored supports (%d)", path, version,
		    STORE_VERSION);
		return (-1);
	}
	if (version < 0) {
		*corrupt = 1;
		xasprintf(cause, "%s: bad schema version %d", path, version);
		return (-1);
	}
	if (version == 0) {
		if (store_pragma_int(db, path,
		    "SELECT count(*) FROM sqlite_master", &tables, cause) != 0)
			return (-1);
		if (tables != 0) {
			*corrupt = 1;
			xasprintf(cause, "%s: not a callscore database "
			    "(schema version 0 with %d objects)", path, tables);
			return (-1);
		}
	}

	for (; version < STORE_VERSION; version++) {
		if (store_exec_sql(db, path, "BEGIN IMMEDIATE", cause) != 0)
			return (-1);
		if (store_exec_sql(db, path, store_migrations[version],
		    cause) != 0)
			goto rollback;
		xasprintf(&sql, "PRAGMA application_id = %d;"
		    "PRAGMA user_version = %d", STORE_APPLICATION_ID,
		    version + 1);
		if (store_exec_sql(db, path, sql, cause) != 0) {
			free(sql);
			goto rollback;
		}
		free(sql);
		if (store_exec_sql(db, path, "COMMIT", cause) != 0)
			goto rollback;
	}
	return (0);

rollback:
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return (-1);
}

struct store *
store_open(const char *path, char **cause)
{
	int	 corrupt;

	return (store_open_check(path, &corrupt, cause));
}

struct store *
store_open_check(const char *path, int *corrupt, char **cause)
{
	struct store	*s;
	sqlite3		*db = NULL;
	sqlite3_stmt	*stmt;
	pthread_condattr_t cattr;
	const char	*mode;
	char		 sql[64], *jdir;
	int		 rc, i, page;

	*corrupt = 0;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE|
	    SQLITE_OPEN_CREATE|SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		xasprintf(cause, "%s: %s (SQLITE_%s)", path,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
		    store_rc_name(rc));
		sqlite3_close(db);
		return (NULL);
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT);

	if (store_check_open(db, path, corrupt, cause) != 0)
		goto fail;

	/*
	 * A new database gets 64 KiB pages (an existing one keeps its own):
	 * the journal's batches and the state's blobs are large, and each
	 * page is a write system call and a WAL frame of its own (docs/
	 * performance.md, "Page size").  The WAL is checkpointed every
	 * 4 MiB whatever the page size, as with SQLite's default of 1000
	 * pages of 4 KiB, so that a commit which checkpoints takes no
	 * longer.
	 */
	if (store_exec_sql(db, path, "PRAGMA page_size = " STORE_PAGE_SIZE,
	    cause) != 0 ||
	    store_pragma_int(db, path, "PRAGMA page_size", &page, cause) != 0)
		goto fail;
	if (page <= 0)
		page = 4096;
	snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = %d",
	    STORE_WAL_CHECKPOINT / page > 0 ? STORE_WAL_CHECKPOINT / page : 1);
	if (store_exec_sql(db, path, sql, cause) != 0)
		goto fail;
	/* WAL or nothing: the writer thread and readers rely on it. */
	rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt,
	    NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		mode = (const char *)sqlite3_column_text(stmt, 0);
		if (mode == NULL || strcmp(mode, "wal") != 0) {
			xasprintf(cause, "%s: cannot use WAL (journal mode "
			    "is %s)", path, mode != NULL ? mode : "unknown");
			sqlite3_finalize(stmt);
			goto fail;
		}
		sqlite3_finalize(stmt);
	} else {
		if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) ==
		    SQLITE_CORRUPT)
			*corrupt = 1;
		xasprintf(cause, "%s: journal_mode: %s (SQLITE_%s)", path,
		    sqlite3_errmsg(db), store_rc_name(rc));
		sqlite3_finalize(stmt);
		goto fail;
	}
	/*
	 * NORMAL is consistent in WAL mode and survives process crashes;
	 * temp files in memory so a small private /tmp cannot fill up.
	 */
	if (store_exec_sql(db, path, "PRAGMA synchronous = NORMAL;"
	    "PRAGMA temp_store = MEMORY;"
	    "PRAGMA journal_size_limit = 67108864;"
	    "PRAGMA foreign_keys = OFF", cause) != 0)
		goto fail;

	if (store_migrate(db, path, corrupt, cause) != 0)
		goto fail;

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->db = db;
	s->page = page;
	s->walfd = -1;
	s->pipe[0] = s->pipe[1] = -1;
	s->hold_chunks = -1;
	TAILQ_INIT(&s->results);
	TAILQ_INIT(&s->queries);
	TAILQ_INIT(&s->answers);
	TAILQ_INIT(&s->jqueue);
	if ((errno = pthread_mutex_init(&s->lock, NULL)) != 0)
		fatal("store: pthread_mutex_init");
	/* Timed waits (journal retries) on the monotonic clock. */
	if ((errno = pthread_condattr_init(&cattr)) != 0 ||
	    (errno = pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC)) != 0 ||
	    (errno = pthread_cond_init(&s->cond, &cattr)) != 0)
		fatal("store: pthread_cond_init");
	pthread_condattr_destroy(&cattr);
	for (i = 0; i < STORE_NSTMTS; i++) {
		rc = sqlite3_prepare_v3(db, store_stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmts[i], NULL);
		if (rc != SQLITE_OK) {
			xasprintf(cause, "%s: preparing \"%s\": %s "
			    "(SQLITE_%s)", path, store_stmt_sql[i],
			    sqlite3_errmsg(db), store_rc_name(rc));
			store_close(s);
			return (NULL);
		}
	}
	s->last_interval = store_meta_double(s, "last_interval");
	s->snapshot_seq = store_query_u64(s, "SELECT value FROM meta WHERE"
	    " key = 'snapshot_seq'");
	s->max_seq = store_query_u64(s, "SELECT max(coalesce((SELECT"
	    " max(last) FROM journal), 0), coalesce((SELECT max(seq) FROM"
	    " state), 0))");
	if (s->snapshot_seq > s->max_seq)
		s->max_seq = s->snapshot_seq;
	s->wseq = s->snapshot_seq;
	/* The journal's files, in a directory named after the database. */
	xasprintf(&jdir, "%s" STORE_JOURNAL_DIR, path);
	s->jf = jfile_open(jdir, cause);
	free(jdir);
	if (s->jf == NULL) {
		store_close(s);
		return (NULL);
	}
	if (jfile_max_seq(s->jf) > s->max_seq)
		s->max_seq = jfile_max_seq(s->jf);
	store_journal_stats(s);
	s->gen = (int64_t)store_query_u64(s, "SELECT max(gen) FROM state");
	s->jseq = s->jseq_told = s->max_seq;
	return (s);

fail:
	sqlite3_close(db);
	return (NULL);
}

int
store_quarantine(const char *path, char **newpath)
{
	static const char	*suffixes[] = { "", "-wal", "-shm" };
	struct stat		 sb;
	char			*base = NULL, *from, *to;
	size_t			 i;
	int			 n;
	long long		 now = (long long)time(NULL);

	/* Two quarantines in one second must not overwrite each other. */
	for (n = 0; n < 1000; n++) {
		free(base);
		if (n == 0)
			xasprintf(&base, "%s.corrupt-%lld", path, now);
		else
			xasprintf(&base, "%s.corrupt-%lld.%d", path, now, n);
		if (lstat(base, &sb) != 0 && errno == ENOENT)
			break;
	}
	if (n == 1000) {
		free(base);
		errno = EEXIST;
		return (-1);
	}

	if (rename(path, base) != 0) {
		free(base);
		return (-1);
	}
	/* The -wal and -shm files follow, so the copy stays readable. */
	for (i = 1; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		xasprintf(&from, "%s%s", path, suffixes[i]);
		xasprintf(&to, "%s%s", base, suffixes[i]);
		if (rename(from, to) != 0 && errno != ENOENT) {
			/* Never leave a stale WAL beside a fresh database. */
			if (unlink(from) != 0 && errno != ENOENT) {
				free(from);
				free(to);
				*newpath = base;
				return (-1);
			}
		}
		free(from);
		free(to);
	}
	*newpath = base;
	return (0);
}

int
store_restore(struct store *s, store_restore_cb cb, void *arg, char **cause)
{
	static unsigned char	 empty[1];
	sqlite3_stmt		*stmt = NULL, *gens = NULL;
	struct store_state	 st;
	const void		*blob;
	const char		*gname;
	char			 name[256];
	int64_t			 gen, maxgen = 0;
	int			 rc, rows = 0, kind = -1, gkind;

	/*
	 * Of each scope, the rows of the newest snapshot that wrote it: the
	 * newest generation of each scope first, then every row, both in
	 * key order, walked together.  (A correlated subquery would compare
	 * whole rows, blobs and all, at every step: seconds on a large
	 * state.)
	 */
	name[0] = '\0';
	rc = sqlite3_prepare_v2(s->db, "SELECT kind, name, max(gen) FROM state"
	    " GROUP BY kind, name ORDER BY kind, name", -1, &gens, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT kind, name, \"window\","
		    " seq, gen, blob FROM state ORDER BY kind, name, \"window\"",
		    -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		st.kind = sqlite3_column_int(stmt, 0);
		st.name = (char *)sqlite3_column_text(stmt, 1);
		if (st.name == NULL)
			st.name = (char *)"";
		gen = sqlite3_column_int64(stmt, 4);
		while (st.kind != kind || strcmp(st.name, name) != 0) {
			if ((rc = sqlite3_step(gens)) != SQLITE_ROW) {
				if (rc == SQLITE_DONE)
					rc = SQLITE_CORRUPT;	/* cannot be */
				goto fail;
			}
			gkind = sqlite3_column_int(gens, 0);
			gname = (const char *)sqlite3_column_text(gens, 1);
			kind = gkind;
			snprintf(name, sizeof name, "%s",
			    gname != NULL ? gname : "");
			maxgen = sqlite3_column_int64(gens, 2);
		}
		if (gen != maxgen)
			continue;	/* left by an older snapshot */
		st.window = (char *)sqlite3_column_text(stmt, 2);
		if (st.window == NULL)
			st.window = (char *)"";
		st.seq = (uint64_t)sqlite3_column_int64(stmt, 3);
		blob = sqlite3_column_blob(stmt, 5);
		st.len = (size_t)sqlite3_column_bytes(stmt, 5);
		st.blob = blob != NULL ? (unsigned char *)blob : empty;
		cb(&st, arg);
		rows++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);
	sqlite3_finalize(gens);
	return (rows);

fail:
	xasprintf(cause, "%s: restore: %s (SQLITE_%s)", s->path,
	    sqlite3_errmsg(s->db), store_rc_name(rc));
	sqlite3_finalize(stmt);
	sqlite3_finalize(gens);
	return (-1);
}

double
store_last_snapshot(struct store *s)
{
	sqlite3_stmt	*stmt;
	double		 t = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT max(time) FROM snapshots", -1,
	    &stmt, NULL) != SQLITE_OK)
		return (0);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		t = sqlite3_column_double(stmt, 0);
	sqlite3_finalize(stmt);
	return (t);
}

/* A number kept in meta, 0 if absent. */
static double
store_meta_double(struct store *s, const char *key)
{
	sqlite3_stmt	*stmt;
	double		 v = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1",
	    -1, &stmt, NULL) != SQLITE_OK)
		return (0);
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		v = sqlite3_column_double(stmt, 0);
	sqlite3_finalize(stmt);
	return (v);
}

double
store_last_interval(struct store *s)
{
	return (s->last_interval);
}

/* One non-negative integer (0 if none, NULL or negative). */
static uint64_t
store_query_u64(struct store *s, const char *sql)
{
	sqlite3_stmt	*stmt;
	sqlite3_int64	 v = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return (0);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return (v > 0 ? (uint64_t)v : 0);
}

uint64_t
store_snapshot_seq(struct store *s)
{
	return (s->snapshot_seq);
}

uint64_t
store_max_seq(struct store *s)
{
	return (s->max_seq);
}

int
store_set_synchronous(struct store *s, int full, char **cause)
{
	if (s->started) {
		xasprintf(cause, "%s: synchronous set after store_start",
		    s->path);
		return (-1);
	}
	if (store_exec_sql(s->db, s->path, full ?
	    "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	    cause) != 0)
		return (-1);
	s->sync_full = full;
	jfile_set_sync(s->jf, full);
	return (0);
}

int
store_journal_read(struct store *s, uint64_t after, store_journal_row_cb cb,
    void *arg, char **cause)
{
	struct store_frame_read	 fr;
	sqlite3_stmt	*stmt;
	const void	*data;
	static unsigned char empty[1];
	int		 rc, rows = 0, n, stopped = 0;

	if (s->started) {
		xasprintf(cause, "%s: journal read after store_start", s->path);
		return (-1);
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT first, last, data FROM journal"
	    " WHERE last > ?1 ORDER BY first", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)after);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		data = sqlite3_column_blob(stmt, 2);
		rows++;
		if (cb((uint64_t)sqlite3_column_int64(stmt, 0),
		    (uint64_t)sqlite3_column_int64(stmt, 1),
		    data != NULL ? data : empty,
		    (size_t)sqlite3_column_bytes(stmt, 2), arg) != 0) {
			rc = SQLITE_DONE;
			stopped = 1;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(stmt);
		goto fail;
	}
	sqlite3_finalize(stmt);
	if (stopped)
		return (rows);

	/* Then the files, which hold every batch since. */
	fr.cb = cb;
	fr.arg = arg;
	if ((n = jfile_read(s->jf, after, store_journal_frame, &fr,
	    cause)) == -1)
		return (-1);
	return (rows + n);

fail:
	xasprintf(cause, "%s: journal: %s (SQLITE_%s)", s->path,
	    sqlite3_errmsg(s->db), store_rc_name(rc));
	return (-1);
}

/* jfile_read's callback, for store_journal_read's. */
static int
store_journal_frame(uint64_t first, uint64_t last, uint32_t n,
    const unsigned char *data, size_t len, void *arg)
{
	struct store_frame_read	*fr = arg;
	static unsigned char	 empty[1];

	return (fr->cb(first, last, len > 0 ? data : empty, len, fr->arg));
}

void
store_journal_set_cb(struct store *s, store_journal_cb cb, void *arg)
{
	s->jcb = cb;
	s->jarg = arg;
}

void
store_journal_submit(struct store *s, uint64_t first, uint64_t last,
    size_t n, unsigned char *data, size_t len)
{
	struct store_batch	*b;

	b = xcalloc(1, sizeof *b);
	b->first = first;
	b->last = last;
	b->n = n;
	b->data = data;
	b->len = len;
	pthread_mutex_lock(&s->lock);
	TAILQ_INSERT_TAIL(&s->jqueue, b, entry);
	__atomic_store_n(&s->jqlen, s->jqlen + 1, __ATOMIC_RELAXED);
	if (last > s->jhanded)
		s->jhanded = last;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void
store_batch_free(struct store_batch *b)
{
	free(b->data);
	free(b);
}

int
store_start(struct store *s, struct event_base *base, store_done_cb done,
    void *arg, char **cause)
{
	sigset_t	 all, old;
	int		 error, i, flags;

	if (s->started) {
		xasprintf(cause, "%s: store already started", s->path);
		return (-1);
	}
	/* Both ends non-blocking: a full pipe already means "wake up". */
	if (pipe(s->pipe) != 0) {
		xasprintf(cause, "%s: pipe: %s", s->path, strerror(errno));
		s->pipe[0] = s->pipe[1] = -1;
		return (-1);
	}
	for (i = 0; i < 2; i++) {
		if (fcntl(s->pipe[i], F_SETFD, FD_CLOEXEC) == -1 ||
		    (flags = fcntl(s->pipe[i], F_GETFL)) == -1 ||
		    fcntl(s->pipe[i], F_SETFL, flags|O_NONBLOCK) == -1) {
			xasprintf(cause, "%s: fcntl: %s", s->path,
			    strerror(errno));
			goto fail;
		}
	}
	s->base = base;
	s->done = done;
	s->arg = arg;
	s->ev = event_new(base, s->pipe[0], EV_READ|EV_PERSIST, store_pipe_cb,
	    s);
	if (s->ev == NULL || event_add(s->ev, NULL) != 0) {
		xasprintf(cause, "%s: cannot watch the writer pipe", s->path);
		goto fail;
	}

	/* Signals belong to the loop thread, never to the writer. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&s->thread, NULL, store_thread, s);
	if (error == 0 && pthread_create(&s->check_thread, NULL,
	    store_check_thread, s) == 0)
		s->checking = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0) {
		xasprintf(cause, "%s: pthread_create: %s", s->path,
		    strerror(error));
		goto fail;
	}
	if (!s->checking)
		log_warnx("store: %s: no thread for the background check",
		    s->path);
	s->started = 1;
	return (0);

fail:
	if (s->ev != NULL)
		event_free(s->ev);
	s->ev = NULL;
	close(s->pipe[0]);
	close(s->pipe[1]);
	s->pipe[0] = s->pipe[1] = -1;
	return (-1);
}

static uint64_t
store_enqueue(struct store *s, struct store_snap *snap, int wait)
{
	uint64_t	 id;

	if (snap == NULL)
		return (0);
	pthread_mutex_lock(&s->lock);
	/* Waiting needs a writer that will make room. */
	while (wait && s->started && !s->stopping &&
	    s->qlen == STORE_QUEUE_MAX)
		pthread_cond_wait(&s->cond, &s->lock);
	if (s->stopping || s->qlen == STORE_QUEUE_MAX) {
		s->stats.dropped++;
		pthread_mutex_unlock(&s->lock);
		store_snap_free(snap);
		return (0);
	}
	id = ++s->next_id;
	snap->id = id;
	snap->jneed = s->jhanded;
	s->queue[(s->qhead + s->qlen) % STORE_QUEUE_MAX] = snap;
	s->qlen++;
	s->stats.queue_depth = s->qlen;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return (id);
}

uint64_t
store_submit(struct store *s, struct store_snap *snap)
{
	return (store_enqueue(s, snap, 0));
}

uint64_t
store_submit_wait(struct store *s, struct store_snap *snap)
{
	return (store_enqueue(s, snap, 1));
}

void
store_get_stats(struct store *s, struct store_stats *stats)
{
	pthread_mutex_lock(&s->lock);
	*stats = s->stats;
	stats->queue_depth = s->qlen;
	stats->journal_seq = s->jseq;
	stats->journal_queue = (size_t)s->jqlen;
	pthread_mutex_unlock(&s->lock);
}

void
store_set_chunks(struct store *s, size_t rows, int hold)
{
	pthread_mutex_lock(&s->lock);
	s->chunk_rows = rows;
	s->hold_chunks = hold;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
store_set_max_size(struct store *s, uint64_t bytes)
{
	pthread_mutex_lock(&s->lock);
	s->max_size = bytes;
	s->max_size_set = 1;
	pthread_mutex_unlock(&s->lock);
}

/* On the writer: PRAGMA max_page_count for a size in bytes (0: none). */
static void
store_apply_max_size(struct store *s, uint64_t bytes)
{
	uint64_t	 pages;
	char		*sql, *cause;
	int		 page;

	if (store_pragma_int(s->db, s->path, "PRAGMA page_size", &page,
	    &cause) != 0) {
		log_warnx("store: %s", cause);
		free(cause);
		return;
	}
	pages = bytes == 0 || page <= 0 ? STORE_MAX_PAGES :
	    bytes / (uint64_t)page;
	if (pages < 1)
		pages = 1;
	if (pages > STORE_MAX_PAGES)
		pages = STORE_MAX_PAGES;
	xasprintf(&sql, "PRAGMA max_page_count = %llu",
	    (unsigned long long)pages);
	if (store_exec_sql(s->db, s->path, sql, &cause) != 0) {
		log_warnx("store: %s", cause);
		free(cause);
	}
	free(sql);
}

void
store_pause(struct store *s, int paused)
{
	pthread_mutex_lock(&s->lock);
	s->paused = paused;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
store_hold(struct store *s, int hold)
{
	pthread_mutex_lock(&s->lock);
	s->hold = hold;
	if (!hold)
		s->hold_chunks = -1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
store_wait_held(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	while (!s->held)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

double
store_writer_busy(struct store *s)
{
	double	 busy = 0;

	pthread_mutex_lock(&s->lock);
	if (s->busy)
		busy = store_mono() - s->busy_since;
	pthread_mutex_unlock(&s->lock);
	return (busy);
}

int
store_exec(struct store *s, const char *sql, char **cause)
{
	if (s->started) {
		xasprintf(cause, "%s: store_exec after store_start", s->path);
		return (-1);
	}
	return (store_exec_sql(s->db, s->path, sql, cause));
}

void
store_close(struct store *s)
{
	struct store_done	*d;
	struct store_query	*q;
	struct store_batch	*b;
	int			 i;

	if (s == NULL)
		return;

	if (s->started) {
		/* The writer finishes what is queued, then exits. */
		pthread_mutex_lock(&s->lock);
		s->stopping = 1;
		if (s->check_db != NULL)
			sqlite3_interrupt(s->check_db);
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		if ((errno = pthread_join(s->thread, NULL)) != 0)
			fatal("store: pthread_join");
		if (s->checking &&
		    (errno = pthread_join(s->check_thread, NULL)) != 0)
			fatal("store: pthread_join");
		s->checking = 0;
		s->started = 0;
	}
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->pipe[0] != -1)
		close(s->pipe[0]);
	if (s->pipe[1] != -1)
		close(s->pipe[1]);

	/* Results nobody will hear about, and snapshots never started. */
	while ((d = TAILQ_FIRST(&s->results)) != NULL) {
		TAILQ_REMOVE(&s->results, d, entry);
		free(d);
	}
	while ((q = TAILQ_FIRST(&s->queries)) != NULL) {
		TAILQ_REMOVE(&s->queries, q, entry);
		store_query_free(q);
	}
	while ((q = TAILQ_FIRST(&s->answers)) != NULL) {
		TAILQ_REMOVE(&s->answers, q, entry);
		store_query_free(q);
	}
	while (s->qlen > 0) {
		store_snap_free(s->queue[s->qhead]);
		s->qhead = (s->qhead + 1) % STORE_QUEUE_MAX;
		s->qlen--;
	}
	store_snap_free(s->writing);
	while ((b = TAILQ_FIRST(&s->jqueue)) != NULL) {
		TAILQ_REMOVE(&s->jqueue, b, entry);
		store_batch_free(b);
	}

	for (i = 0; i < STORE_NSTMTS; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_close(s->db);
	jfile_close(s->jf);
	if (s->walfd != -1)
		close(s->walfd);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

/* Record a failure: the message must be read before ROLLBACK resets it. */
static void
store_fail(struct store_result *r, sqlite3 *db, const char *what, int rc)
{
	r->ok = 0;
	r->rc = rc & 0xff;
	r->code = store_rc_name(rc);
	snprintf(r->error, sizeof r->error, "%s: %s (SQLITE_%s)", what,
	    sqlite3_errmsg(db), r->code);
}

/* Step a prepared statement that returns no rows and reset it. */
static int
store_step(struct store *s, enum store_stmt which, struct store_result *r,
    const char *what)
{
	sqlite3_stmt	*stmt = s->stmts[which];
	int		 rc;

	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_fail(r, s->db, what, rc);
		sqlite3_reset(stmt);
		return (-1);
	}
	sqlite3_reset(stmt);
	return (0);
}

static double
store_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/*
 * Take a snapshot to write: a new generation for its state rows, the
 * result to fill as its chunks commit.
 */
static void
store_write_begin(struct store *s, struct store_snap *snap)
{
	struct store_result	*r = &s->wres;

	s->writing = snap;
	s->gen++;
	s->wphase = 0;
	s->widx = 0;
	s->wchunks = 0;
	s->wspent = 0;
	memset(r, 0, sizeof *r);
	r->id = snap->id;
	r->time = snap->time;
	r->rows = snap->states.n + snap->kpis.n + snap->intervals.n;
	r->code = "";
}

/*
 * May the chunk end here, after rows rows of bytes bytes started at
 * start?  At the size limits, or sooner when a journal batch waits.  The
 * clock is read every 16 rows.
 */
static int
store_chunk_full(struct store *s, size_t rows, size_t bytes, double start)
{
	double	spent;

	if (s->chunk_rows != 0)
		return (rows >= s->chunk_rows);
	if (rows >= STORE_CHUNK_ROWS || bytes >= STORE_CHUNK_BYTES)
		return (1);
	if ((rows & 15) != 0)
		return (0);
	spent = store_mono() - start;
	if (__atomic_load_n(&s->jqlen, __ATOMIC_RELAXED) == 0)
		return (spent >= STORE_CHUNK_SECS);
	/*
	 * A batch waits: end soon, but not before the time the last commit
	 * took (at most STORE_CHUNK_SECS), so that a journal that never
	 * drains shares the writer with snapshots by time, not by turns.
	 */
	if (s->jspent > STORE_CHUNK_WAIT)
		return (spent >= (s->jspent < STORE_CHUNK_SECS ? s->jspent :
		    STORE_CHUNK_SECS));
	return (spent >= STORE_CHUNK_WAIT);
}

/*
 * The end of a snapshot, in its last chunk: the snapshots row and meta,
 * the rows of scopes it did not write (empty now) deleted, the journal
 * trimmed to where it began, old history pruned.
 */
static int
store_write_final(struct store *s, struct store_result *r)
{
	struct store_snap	*snap = s->writing;
	sqlite3_stmt		*stmt;
	sqlite3_int64		 snapid;
	int			 trimmed;

	if (snap->interval_mark > 0) {
		stmt = s->stmts[STORE_SET_INTERVAL];
		sqlite3_bind_double(stmt, 1, snap->interval_mark);
		if (store_step(s, STORE_SET_INTERVAL, r, "update meta") != 0)
			return (-1);
	}

	/* The row's duration covers the inserts, not the last commit. */
	stmt = s->stmts[STORE_INSERT_SNAPSHOT];
	sqlite3_bind_double(stmt, 1, snap->time);
	sqlite3_bind_double(stmt, 2, s->wspent + store_mono() - s->busy_since);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)r->rows);
	if (store_step(s, STORE_INSERT_SNAPSHOT, r, "insert snapshot") != 0)
		return (-1);
	snapid = sqlite3_last_insert_rowid(s->db);

	stmt = s->stmts[STORE_SET_LAST];
	sqlite3_bind_double(stmt, 1, snap->time);
	if (store_step(s, STORE_SET_LAST, r, "update meta") != 0)
		return (-1);

	stmt = s->stmts[STORE_DELETE_STATE];
	sqlite3_bind_int64(stmt, 1, s->gen);
	if (store_step(s, STORE_DELETE_STATE, r, "delete state") != 0)
		return (-1);
	stmt = s->stmts[STORE_SET_SEQ];
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)snap->seq);
	if (store_step(s, STORE_SET_SEQ, r, "update meta") != 0)
		return (-1);
	stmt = s->stmts[STORE_TRIM_JOURNAL];
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)snap->seq);
	if (store_step(s, STORE_TRIM_JOURNAL, r, "trim journal") != 0)
		return (-1);
	trimmed = sqlite3_changes(s->db);

	if (snap->prune_before > 0) {
		stmt = s->stmts[STORE_PRUNE_HISTORY];
		sqlite3_bind_double(stmt, 1, snap->prune_before);
		if (store_step(s, STORE_PRUNE_HISTORY, r, "prune history") != 0)
			return (-1);
		/* Never the row just written: last_snapshot relies on it. */
		stmt = s->stmts[STORE_PRUNE_SNAPSHOTS];
		sqlite3_bind_double(stmt, 1, snap->prune_before);
		sqlite3_bind_int64(stmt, 2, snapid);
		if (store_step(s, STORE_PRUNE_SNAPSHOTS, r,
		    "prune snapshots") != 0)
			return (-1);
		stmt = s->stmts[STORE_PRUNE_INTERVALS];
		sqlite3_bind_double(stmt, 1, snap->prune_before);
		if (store_step(s, STORE_PRUNE_INTERVALS, r,
		    "prune intervals") != 0)
			return (-1);
	}
	return (trimmed);
}

/*
 * Write the next chunk of the snapshot being written, in one
 * transaction: state rows a whole scope at a time (upserted, with this
 * generation), then KPI and interval rows, and in the last chunk the
 * end.  Any failure rolls the chunk back and fails the snapshot; chunks
 * committed before stay, and restore and replay are exact over them
 * (the journal is trimmed only by a snapshot's last chunk).  Returns 1
 * when the snapshot is over (s->wres says how), 0 if chunks remain.
 */
static int
store_write_chunk(struct store *s)
{
	struct store_snap	*snap = s->writing;
	struct store_result	*r = &s->wres;
	sqlite3_stmt		*stmt;
	struct store_state	*st, *prev;
	struct store_kpi	*k;
	struct store_interval	*iv;
	struct store_result	 tr;
	double			 start = s->busy_since;
	size_t			 rows = 0, bytes = 0;
	int			 trimmed = 0, files;

	/*
	 * Every batch up to the snapshot's seq has committed (jneed): the
	 * files from now on hold later ones, so that its last chunk can
	 * delete the files before.
	 */
	if (s->wchunks == 0 && s->wphase == 0 && s->widx == 0)
		jfile_rotate(s->jf);
	if (store_step(s, STORE_BEGIN, r, "begin") != 0)
		goto fail;

	stmt = s->stmts[STORE_INSERT_STATE];
	for (; s->wphase == 0 && s->widx < snap->states.n; s->widx++) {
		st = arena_vec_at(&snap->states, s->widx);
		prev = s->widx > 0 ?
		    arena_vec_at(&snap->states, s->widx - 1) : NULL;
		/* A scope's rows never straddle two chunks. */
		if (rows > 0 && prev != NULL && (prev->kind != st->kind ||
		    strcmp(prev->name, st->name) != 0) &&
		    store_chunk_full(s, rows, bytes, start))
			goto commit;
		sqlite3_bind_int(stmt, 1, st->kind);
		sqlite3_bind_text(stmt, 2, st->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, st->window, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, (sqlite3_int64)st->seq);
		sqlite3_bind_int64(stmt, 5, s->gen);
		/* A zero-length blob must stay a blob: NULL breaks NOT NULL. */
		if (st->len == 0)
			sqlite3_bind_zeroblob(stmt, 6, 0);
		else
			sqlite3_bind_blob64(stmt, 6, st->blob, st->len,
			    SQLITE_STATIC);
		if (store_step(s, STORE_INSERT_STATE, r, "insert state") != 0)
			goto fail;
		rows++;
		bytes += st->len;
	}
	if (s->wphase == 0) {
		s->wphase = 1;
		s->widx = 0;
	}

	stmt = s->stmts[STORE_INSERT_KPI];
	for (; s->wphase == 1 && s->widx < snap->kpis.n; s->widx++) {
		if (rows > 0 && store_chunk_full(s, rows, bytes, start))
			goto commit;
		k = arena_vec_at(&snap->kpis, s->widx);
		sqlite3_bind_double(stmt, 1, snap->time);
		sqlite3_bind_int(stmt, 2, k->kind);
		sqlite3_bind_text(stmt, 3, k->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, k->window, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 5, k->kpi, -1, SQLITE_STATIC);
		sqlite3_bind_double(stmt, 6, k->value);
		if (store_step(s, STORE_INSERT_KPI, r, "insert kpi") != 0)
			goto fail;
		rows++;
	}
	if (s->wphase == 1) {
		s->wphase = 2;
		s->widx = 0;
	}

	stmt = s->stmts[STORE_INSERT_INTERVAL];
	for (; s->wphase == 2 && s->widx < snap->intervals.n; s->widx++) {
		if (rows > 0 && store_chunk_full(s, rows, bytes, start))
			goto commit;
		iv = arena_vec_at(&snap->intervals, s->widx);
		sqlite3_bind_double(stmt, 1, iv->start);
		sqlite3_bind_int(stmt, 2, iv->kind);
		sqlite3_bind_text(stmt, 3, iv->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, iv->kpi, -1, SQLITE_STATIC);
		sqlite3_bind_double(stmt, 5, iv->value);
		if (store_step(s, STORE_INSERT_INTERVAL, r,
		    "insert interval") != 0)
			goto fail;
		rows++;
	}
	if (s->wphase == 2)
		s->wphase = 3;
	if ((trimmed = store_write_final(s, r)) < 0)
		goto fail;
	s->wphase = 4;

commit:
	if (store_step(s, STORE_COMMIT, r, "commit") != 0)
		goto fail;
	if (s->wphase == 4) {
		s->wseq = snap->seq;
		/* Files left now go at the next snapshot. */
		memset(&tr, 0, sizeof tr);
		if ((files = store_journal_trim(s, snap->seq, &tr)) < 0)
			log_warnx("store: %s", tr.error);
		else
			trimmed += files;
	}
	s->wchunks++;
	s->wspent += store_mono() - start;
	pthread_mutex_lock(&s->lock);
	s->stats.chunks++;
	s->stats.journal_trimmed += (uint64_t)trimmed;
	store_journal_stats(s);
	pthread_mutex_unlock(&s->lock);
	if (s->wphase != 4)
		return (0);
	r->ok = 1;
	r->duration = s->wspent;
	return (1);

fail:
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_step(s->stmts[STORE_ROLLBACK]);
	sqlite3_reset(s->stmts[STORE_ROLLBACK]);
	s->wspent += store_mono() - start;
	r->ok = 0;
	r->duration = s->wspent;
	return (1);
}

/* The journal files' figures into the stats; with the lock, by the writer. */
static void
store_journal_stats(struct store *s)
{
	struct jfile_stats	 js;

	jfile_get_stats(s->jf, &js);
	s->stats.journal_files = js.segments;
	s->stats.journal_file_bytes = js.bytes;
	s->stats.journal_torn_bytes = js.torn_bytes;
	s->stats.journal_damaged_bytes = js.damaged_bytes;
}

/*
 * Is there room under max_size for bytes more of journal?  The database
 * and the journal's files count together.  0, or -1 with r set as for
 * SQLITE_FULL.
 */
static int
store_journal_room(struct store *s, uint64_t max_size, uint64_t bytes,
    struct store_result *r)
{
	sqlite3_stmt		*stmt = s->stmts[STORE_PAGE_COUNT];
	struct jfile_stats	 js;
	uint64_t		 db = 0;

	if (sqlite3_step(stmt) == SQLITE_ROW)
		db = (uint64_t)sqlite3_column_int64(stmt, 0) *
		    (uint64_t)s->page;
	sqlite3_reset(stmt);
	jfile_get_stats(s->jf, &js);
	if (db + js.bytes + bytes <= max_size)
		return (0);
	r->rc = SQLITE_FULL;
	r->code = store_rc_name(SQLITE_FULL);
	snprintf(r->error, sizeof r->error, "journal: max_size reached "
	    "(%llu bytes of database, %llu of journal files, %llu more)",
	    (unsigned long long)db, (unsigned long long)js.bytes,
	    (unsigned long long)bytes);
	return (-1);
}

/*
 * After a snapshot's last chunk committed: the journal's files that it
 * holds every event of go.  First the commit itself is made to survive
 * a power loss (with synchronous = NORMAL, SQLite syncs the WAL only at
 * checkpoints), since the files would otherwise be all that held those
 * events.  Returns the files deleted, or -1 with r set.
 */
static int
store_journal_trim(struct store *s, uint64_t seq, struct store_result *r)
{
	char	*wal, *cause = NULL;
	int	 n;

	if (!s->sync_full) {
		if (s->walfd == -1) {
			xasprintf(&wal, "%s-wal", s->path);
			s->walfd = open(wal, O_RDONLY | O_CLOEXEC);
			free(wal);
		}
		if (s->walfd == -1 || fdatasync(s->walfd) == -1) {
			snprintf(r->error, sizeof r->error, "%s-wal: sync "
			    "before trimming the journal: %s", s->path,
			    strerror(errno));
			if (s->walfd != -1)
				close(s->walfd);
			s->walfd = -1;
			return (-1);
		}
	}
	if ((n = jfile_trim(s->jf, seq, &cause)) == -1) {
		snprintf(r->error, sizeof r->error, "%s", cause);
		free(cause);
	}
	return (n);
}

/*
 * Commit the journal batches waiting, as many as fit one commit, as one
 * frame each in the journal's files.  Called and returns with the lock held.  On failure the
 * batches go back to the head of the queue and are tried again after
 * STORE_JOURNAL_RETRY (at exit, once more, then given up).
 */
static void
store_journal_commit(struct store *s)
{
	struct store_batches	 list;
	struct store_batch	*b;
	struct store_result	 r;
	uint64_t		 last = 0, events = 0, bytes = 0, nb = 0;
	uint64_t		 max_size = s->max_size;
	double			 start, spent;
	char			*cause = NULL;
	int			 ok = 0, stopping = s->stopping;

	TAILQ_INIT(&list);
	while ((b = TAILQ_FIRST(&s->jqueue)) != NULL &&
	    (nb == 0 || bytes + b->len <= STORE_JOURNAL_TXN_MAX)) {
		TAILQ_REMOVE(&s->jqueue, b, entry);
		TAILQ_INSERT_TAIL(&list, b, entry);
		__atomic_store_n(&s->jqlen, s->jqlen - 1, __ATOMIC_RELAXED);
		bytes += b->len;
		events += b->n;
		last = b->last;
		nb++;
	}
	s->busy = 1;
	s->busy_since = start = store_mono();
	pthread_mutex_unlock(&s->lock);

	memset(&r, 0, sizeof r);
	if (max_size > 0 && store_journal_room(s, max_size, bytes +
	    nb * JFILE_HDR, &r) != 0)
		goto done;
	if (jfile_begin(s->jf, &cause) != 0)
		goto failed;
	TAILQ_FOREACH(b, &list, entry) {
		if (jfile_add(s->jf, b->first, b->last, (uint32_t)b->n,
		    b->data, b->len, &cause) != 0)
			goto failed;
	}
	if (jfile_commit(s->jf, &cause) != 0)
		goto failed;
	ok = 1;
	goto done;

failed:
	jfile_rollback(s->jf);
	snprintf(r.error, sizeof r.error, "journal: %s", cause);
	free(cause);

done:
	spent = store_mono() - start;
	s->jspent = spent;
	pthread_mutex_lock(&s->lock);
	s->busy = 0;
	store_journal_stats(s);
	if (ok) {
		while ((b = TAILQ_FIRST(&list)) != NULL) {
			TAILQ_REMOVE(&list, b, entry);
			store_batch_free(b);
		}
		if (last > s->jseq)
			s->jseq = last;
		s->jbytes += bytes;
		s->jretry_at = 0;
		s->stats.journal_batches += nb;
		s->stats.journal_events += events;
		s->stats.journal_bytes += bytes;
		s->stats.journal_commit_last = spent;
		if (spent > s->stats.journal_commit_max)
			s->stats.journal_commit_max = spent;
	} else {
		/* Not in errors: those count snapshots; retried at 10 Hz. */
		s->stats.journal_errors++;
		snprintf(s->jerror, sizeof s->jerror, "%s", r.error);
		s->jerror_new = 1;
		if (stopping) {
			/* Given up: the bytes leave the loop's count. */
			while ((b = TAILQ_FIRST(&list)) != NULL) {
				TAILQ_REMOVE(&list, b, entry);
				s->jbytes += b->len;
				store_batch_free(b);
			}
		} else {
			while ((b = TAILQ_LAST(&list, store_batches)) != NULL) {
				TAILQ_REMOVE(&list, b, entry);
				TAILQ_INSERT_HEAD(&s->jqueue, b, entry);
				__atomic_store_n(&s->jqlen, s->jqlen + 1,
				    __ATOMIC_RELAXED);
			}
			s->jretry_at = store_mono() + STORE_JOURNAL_RETRY;
		}
	}
	store_notify(s);
}

/* Wake the loop; EAGAIN means a wake-up is already pending. */
static void
store_notify(struct store *s)
{
	char	 c = 0;

	while (write(s->pipe[1], &c, 1) == -1 && errno == EINTR)
		continue;
}

/* Wait for work, until at most at (CLOCK_MONOTONIC seconds) if not 0. */
static void
store_wait(struct store *s, double at)
{
	struct timespec	ts;

	if (at <= 0) {
		pthread_cond_wait(&s->cond, &s->lock);
		return;
	}
	ts.tv_sec = (time_t)at;
	ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&s->cond, &s->lock, &ts);
}

/*
 * Ask for the shortest time slice the scheduler gives (Linux 6.12 and
 * later: a SCHED_OTHER thread's sched_runtime; older kernels ignore it).
 * Where the writer shares a core with the loop, as when the daemon is
 * given one, the loop woken by an event otherwise waits for the rest of
 * the writer's slice, 1.4 ms by default on two CPUs and more on larger
 * machines, and during a snapshot, while both always have work, it waits
 * a whole slice each time the writer is picked.  The share of the core
 * each gets is unchanged; only the writer's turns get shorter.
 */
static void
store_thread_slice(void)
{
	/*
	 * The kernel's struct sched_attr as first published (48 bytes):
	 * newer C libraries declare it too, so it is not included.
	 */
	struct {
		uint32_t	size, sched_policy;
		uint64_t	sched_flags;
		int32_t		sched_nice;
		uint32_t	sched_priority;
		uint64_t	sched_runtime, sched_deadline, sched_period;
	} attr;

	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.sched_policy = SCHED_OTHER;
	attr.sched_runtime = STORE_WRITER_SLICE_NS;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0)
		log_debug("store: writer time slice: %s", strerror(errno));
}

/*
 * The writer.  Journal batches come first (acknowledgements wait for
 * them), then reads (a supervisor waits), then the next chunk of a
 * snapshot; but after a journal commit, which takes every batch waiting
 * up to STORE_JOURNAL_TXN_MAX, one read or one chunk goes before the next
 * commit.  Under a journal that never drains, snapshots and reads still
 * take every other turn, and a batch waits at most for one of them.
 */
static void *
store_thread(void *arg)
{
	struct store		*s = arg;
	struct store_snap	*snap;
	struct store_done	*d;
	struct store_query	*q;
	uint64_t		 max_size;
	int			 cancelled, jready, done, apply, other;
	int			 owed = 0;	/* a turn, to other */

	store_thread_slice();
	pthread_mutex_lock(&s->lock);
	for (;;) {
		jready = !TAILQ_EMPTY(&s->jqueue) && (s->stopping ||
		    s->jretry_at <= store_mono());
		/*
		 * A chunk may go before the batches handed over before its
		 * snapshot only once they are committed: no state row may
		 * hold an event the journal does not.
		 */
		other = !TAILQ_EMPTY(&s->queries) || (s->writing == NULL ?
		    s->qlen != 0 : s->jseq >= s->writing->jneed);
		if (!s->stopping && (s->paused || (!jready &&
		    TAILQ_EMPTY(&s->queries) && s->writing == NULL &&
		    s->qlen == 0))) {
			store_wait(s, !s->paused && !TAILQ_EMPTY(&s->jqueue) ?
			    s->jretry_at : 0);
			continue;
		}
		if (jready && (!owed || !other)) {
			store_journal_commit(s);
			owed = other;
			continue;
		}
		owed = 0;
		/* Reads next: a supervisor is waiting for them. */
		if ((q = TAILQ_FIRST(&s->queries)) != NULL) {
			TAILQ_REMOVE(&s->queries, q, entry);
			s->running = q;
			cancelled = q->cancelled;
			pthread_mutex_unlock(&s->lock);
			if (!cancelled)
				store_query_run(s, q);
			pthread_mutex_lock(&s->lock);
			s->running = NULL;
			TAILQ_INSERT_TAIL(&s->answers, q, entry);
			store_notify(s);
			continue;
		}
		if (s->writing == NULL) {
			if (s->qlen == 0) {
				if (s->stopping && TAILQ_EMPTY(&s->jqueue))
					break;	/* stopping and drained */
				if (!s->stopping)
					store_wait(s, s->jretry_at);
				continue;
			}
			snap = s->queue[s->qhead];
			s->queue[s->qhead] = NULL;
			s->qhead = (s->qhead + 1) % STORE_QUEUE_MAX;
			s->qlen--;
			s->stats.queue_depth = s->qlen;
			/* Room: see store_enqueue. */
			pthread_cond_broadcast(&s->cond);
			/* The heartbeat: how long this has taken so far. */
			s->busy = 1;
			s->busy_since = store_mono();
			while (s->hold && !s->stopping) {
				s->held = 1;
				pthread_cond_broadcast(&s->cond);
				pthread_cond_wait(&s->cond, &s->lock);
			}
			s->held = 0;
			s->busy = 0;
			store_write_begin(s, snap);
			continue;
		}
		/* Tests: stop between chunks, as a crash would. */
		if (s->hold_chunks >= 0 && s->wchunks == s->hold_chunks &&
		    !s->stopping) {
			if (jready) {
				store_journal_commit(s);
				continue;
			}
			s->held = 1;
			pthread_cond_broadcast(&s->cond);
			pthread_cond_wait(&s->cond, &s->lock);
			continue;
		}
		s->held = 0;
		s->busy = 1;
		s->busy_since = store_mono();
		max_size = s->max_size;
		apply = s->max_size_set;
		s->max_size_set = 0;
		pthread_mutex_unlock(&s->lock);

		if (apply)
			store_apply_max_size(s, max_size);
		done = store_write_chunk(s);

		pthread_mutex_lock(&s->lock);
		s->busy = 0;
		if (!done)
			continue;
		d = xcalloc(1, sizeof *d);
		d->result = s->wres;
		store_snap_free(s->writing);
		s->writing = NULL;
		if (d->result.ok) {
			s->stats.snapshots++;
			s->stats.last_time = d->result.time;
			s->stats.last_duration = d->result.duration;
		} else {
			s->stats.errors++;
			if (d->result.rc > 0 && d->result.rc < STORE_CODES)
				s->stats.errors_by_code[d->result.rc]++;
		}
		TAILQ_INSERT_TAIL(&s->results, d, entry);
		store_notify(s);
	}
	pthread_mutex_unlock(&s->lock);
	return (NULL);
}

/* On the loop: drain the pipe, then report every finished snapshot. */
static void
store_pipe_cb(evutil_socket_t fd, short events, void *arg)
{
	struct store		*s = arg;
	struct store_done_list	 list;
	struct store_query_list	 answers;
	struct store_done	*d;
	struct store_query	*q;
	char			 buf[64], jerror[256];
	uint64_t		 jseq, jbytes;
	int			 jchanged;
	ssize_t			 n;

	do
		n = read(fd, buf, sizeof buf);
	while (n > 0 || (n == -1 && errno == EINTR));

	TAILQ_INIT(&list);
	TAILQ_INIT(&answers);
	pthread_mutex_lock(&s->lock);
	TAILQ_CONCAT(&list, &s->results, entry);
	TAILQ_CONCAT(&answers, &s->answers, entry);
	jseq = s->jseq;
	jbytes = s->jbytes;
	jchanged = jseq != s->jseq_told || jbytes != s->jbytes_told ||
	    s->jerror_new;
	if (s->jerror_new)
		snprintf(jerror, sizeof jerror, "%s", s->jerror);
	else
		jerror[0] = '\0';
	s->jerror_new = 0;
	s->jseq_told = jseq;
	s->jbytes_told = jbytes;
	pthread_mutex_unlock(&s->lock);

	/* Journal progress first: acknowledgements wait for it. */
	if (jchanged && s->jcb != NULL)
		s->jcb(jseq, jbytes, jerror[0] != '\0' ? jerror : NULL,
		    s->jarg);

	while ((d = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, d, entry);
		if (s->done != NULL)
			s->done(&d->result, s->arg);
		free(d);
	}
	/* A callback may cancel later answers, so check each in turn. */
	while ((q = TAILQ_FIRST(&answers)) != NULL) {
		TAILQ_REMOVE(&answers, q, entry);
		if (!q->cancelled && q->backup)
			q->backup_cb(&q->backup_res, q->arg);
		else if (!q->cancelled)
			q->cb(&q->rows, q->arg);
		store_query_free(q);
	}
}

int
store_query(struct store *s, int kind, const char *name, const char *window,
    const char *kpi, double since, store_query_cb cb, void *arg)
{
	struct store_query	*q;

	if (!s->started)
		return (-1);
	q = xcalloc(1, sizeof *q);
	q->kind = kind;
	q->name = xstrdup(name);
	q->window = xstrdup(window);
	q->kpi = kpi != NULL ? xstrdup(kpi) : NULL;
	q->since = since;
	q->cb = cb;
	q->arg = arg;
	return (store_query_queue(s, q));
}

int
store_query_intervals(struct store *s, int kind, const char *name,
    double from, double until, store_query_cb cb, void *arg)
{
	struct store_query	*q;

	if (!s->started)
		return (-1);
	q = xcalloc(1, sizeof *q);
	q->intervals = 1;
	q->kind = kind;
	q->name = xstrdup(name);
	q->since = from;
	q->until = until;
	q->cb = cb;
	q->arg = arg;
	return (store_query_queue(s, q));
}

int
store_backup(struct store *s, const char *path, store_backup_cb cb,
    void *arg)
{
	struct store_query	*q;

	if (!s->started)
		return (-1);
	q = xcalloc(1, sizeof *q);
	q->backup = 1;
	q->name = xstrdup(path);
	q->backup_res.path = q->name;
	q->backup_cb = cb;
	q->arg = arg;
	return (store_query_queue(s, q));
}

/* Hand q to the writer; -1 (q freed) if it is stopping. */
static int
store_query_queue(struct store *s, struct store_query *q)
{
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		store_query_free(q);
		return (-1);
	}
	TAILQ_INSERT_TAIL(&s->queries, q, entry);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return (0);
}

void
store_query_cancel(struct store *s, void *arg)
{
	struct store_query	*q;

	pthread_mutex_lock(&s->lock);
	TAILQ_FOREACH(q, &s->queries, entry) {
		if (q->arg == arg)
			q->cancelled = 1;
	}
	TAILQ_FOREACH(q, &s->answers, entry) {
		if (q->arg == arg)
			q->cancelled = 1;
	}
	if (s->running != NULL && s->running->arg == arg)
		s->running->cancelled = 1;
	pthread_mutex_unlock(&s->lock);
}

static void
store_query_free(struct store_query *q)
{
	free(q->rows.rows);
	free(q->name);
	free(q->window);
	free(q->kpi);
	free(q);
}

/* On the writer thread: read the rows of one query. */
static void
store_query_run(struct store *s, struct store_query *q)
{
	sqlite3_stmt		*stmt = NULL;
	struct store_rows	*r = &q->rows;
	size_t			 cap = 0;
	const unsigned char	*kpi;
	const char		*sql;
	int			 rc;

	if (q->backup) {
		store_backup_run(s, q);
		return;
	}
	if (q->intervals)
		sql = "SELECT start, kpi, value FROM intervals WHERE kind = ?1"
		    " AND name = ?2 AND start < ?3 AND start >= ?4"
		    " ORDER BY start, kpi";
	else if (q->kpi != NULL)
		sql = "SELECT time, kpi, value FROM kpi_history WHERE kind = ?1"
		    " AND name = ?2 AND \"window\" = ?3 AND time >= ?4 AND"
		    " kpi = ?5 ORDER BY time";
	else
		sql = "SELECT time, kpi, value FROM kpi_history WHERE kind = ?1"
		    " AND name = ?2 AND \"window\" = ?3 AND time >= ?4"
		    " ORDER BY time";
	rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int(stmt, 1, q->kind);
	sqlite3_bind_text(stmt, 2, q->name, -1, SQLITE_STATIC);
	if (q->intervals)
		sqlite3_bind_double(stmt, 3, q->until);
	else
		sqlite3_bind_text(stmt, 3, q->window, -1, SQLITE_STATIC);
	sqlite3_bind_double(stmt, 4, q->since);
	if (q->kpi != NULL)
		sqlite3_bind_text(stmt, 5, q->kpi, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (r->n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			r->rows = xreallocarray(r->rows, cap, sizeof *r->rows);
		}
		r->rows[r->n].time = sqlite3_column_double(stmt, 0);
		kpi = sqlite3_column_text(stmt, 1);
		snprintf(r->rows[r->n].kpi, sizeof r->rows[r->n].kpi, "%s",
		    kpi != NULL ? (const char *)kpi : "");
		r->rows[r->n].value = sqlite3_column_double(stmt, 2);
		r->n++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);
	r->ok = 1;
	return;

fail:
	snprintf(r->error, sizeof r->error, "%s: %s: %s (SQLITE_%s)",
	    s->path, q->intervals ? "intervals" : "history",
	    sqlite3_errmsg(s->db), store_rc_name(rc));
	sqlite3_finalize(stmt);
	r->ok = 0;
}

/* store_backup_journal's frames, as rows of the copy's journal table. */
static int
store_backup_frame(uint64_t first, uint64_t last, uint32_t n,
    const unsigned char *data, size_t len, void *arg)
{
	sqlite3_stmt	*stmt = arg;

	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)first);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)last);
	if (len == 0)
		sqlite3_bind_zeroblob(stmt, 3, 0);
	else
		sqlite3_bind_blob64(stmt, 3, data, len, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		sqlite3_reset(stmt);
		return (-1);
	}
	sqlite3_reset(stmt);
	return (0);
}

/*
 * A backup is one file: the journal's frames since the last snapshot go
 * into the copy's journal table, from which a start replays them as it
 * does the files.  0, or -1 with the error in b.
 */
static int
store_backup_journal(struct store *s, const char *tmp, const char *name,
    struct store_backup *b)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*stmt = NULL;
	char		*cause = NULL;
	int		 rc, n = 0;

	rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO journal (first, last,"
		    " data) VALUES (?1, ?2, ?3)", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		n = jfile_read(s->jf, s->wseq, store_backup_frame, stmt,
		    &cause);
		rc = n == -1 ? SQLITE_IOERR : sqlite3_errcode(db);
	}
	sqlite3_finalize(stmt);
	if (rc == SQLITE_OK || rc == SQLITE_DONE)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		if (cause != NULL)
			snprintf(b->error, sizeof b->error, "%s: %s", name,
			    cause);
		else
			snprintf(b->error, sizeof b->error, "%s: journal: %s "
			    "(SQLITE_%s)", name, rc == SQLITE_FULL ? "disk "
			    "full" : sqlite3_errmsg(db), store_rc_name(rc));
		free(cause);
		sqlite3_close(db);
		return (-1);
	}
	sqlite3_close(db);
	return (0);
}

/*
 * On the writer thread, between snapshots: VACUUM INTO on the writer's
 * own connection (a backup from another connection restarts at every
 * write and may never finish) into a temporary file beside the target,
 * fsync it, link it to its name (which must still be free), then fsync
 * the directory.
 */
static void
store_backup_run(struct store *s, struct store_query *q)
{
	struct store_backup	*b = &q->backup_res;
	sqlite3_stmt		*stmt = NULL;
	struct stat		 sb;
	char			*dir, *tmp = NULL, *slash, *journal;
	const char		*base;
	double			 start = store_mono();
	int			 fd, rc;

	dir = xstrdup(q->name);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
		base = q->name;
	} else {
		base = q->name + (slash - dir) + 1;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (stat(dir, &sb) == -1) {
		if (errno == ENOENT)
			snprintf(b->error, sizeof b->error, "%s: no such "
			    "directory %s", q->name, dir);
		else
			snprintf(b->error, sizeof b->error, "%s: %s", dir,
			    strerror(errno));
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(b->error, sizeof b->error, "%s: %s is not a "
		    "directory", q->name, dir);
		goto out;
	}
	if (lstat(q->name, &sb) == 0) {
		snprintf(b->error, sizeof b->error, "%s: file exists",
		    q->name);
		goto out;
	}
	if (errno != ENOENT) {
		snprintf(b->error, sizeof b->error, "%s: %s", q->name,
		    strerror(errno));
		goto out;
	}

	/* Mode 0600: the copy holds everything the database does. */
	xasprintf(&tmp, "%s/.%s.XXXXXX", dir, base);
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(b->error, sizeof b->error, "%s: cannot create a file "
		    "in %s: %s", q->name, dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	close(fd);
	rc = sqlite3_prepare_v2(s->db, "VACUUM INTO ?1", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, tmp, -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt);
	}
	if (rc != SQLITE_DONE) {
		snprintf(b->error, sizeof b->error, "%s: %s (SQLITE_%s)",
		    q->name, rc == SQLITE_FULL ? "disk full" :
		    sqlite3_errmsg(s->db), store_rc_name(rc));
		goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (store_backup_journal(s, tmp, q->name, b) != 0)
		goto out;

	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1 || fstat(fd, &sb) == -1) {
		snprintf(b->error, sizeof b->error, "%s: fsync %s: %s",
		    q->name, tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	close(fd);
	b->bytes = (uint64_t)sb.st_size;
	/*
	 * link() never replaces a file that appeared meanwhile; where the
	 * file system has no hard links, rename() after the check above.
	 */
	if (link(tmp, q->name) == 0)
		unlink(tmp);
	else if ((errno != EPERM && errno != EOPNOTSUPP) ||
	    rename(tmp, q->name) == -1) {
		snprintf(b->error, sizeof b->error, "%s: %s", q->name,
		    errno == EEXIST ? "file exists" : strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1) {
		snprintf(b->error, sizeof b->error, "%s: fsync %s: %s",
		    q->name, dir, strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(q->name);
		goto out;
	}
	close(fd);
	b->ok = 1;
	b->seconds = store_mono() - start;

out:
	sqlite3_finalize(stmt);
	if (tmp != NULL) {
		/* A failed VACUUM INTO leaves its journal beside the copy. */
		unlink(tmp);
		xasprintf(&journal, "%s-journal", tmp);
		unlink(journal);
		free(journal);
		free(tmp);
	}
	free(dir);
}

struct store_snap *
store_snap_new(double t)
{
	struct store_snap	*snap;

	snap = xcalloc(1, sizeof *snap);
	snap->time = t;
	snap->arena = arena_new(0);
	arena_vec_init(&snap->states, snap->arena, sizeof(struct store_state));
	arena_vec_init(&snap->kpis, snap->arena, sizeof(struct store_kpi));
	arena_vec_init(&snap->intervals, snap->arena,
	    sizeof(struct store_interval));
	return (snap);
}

/*
 * A copy of a scope or window name in the snapshot's arena; rows come a
 * scope at a time, so the last copy made is reused while it matches.
 */
static char *
store_snap_str(struct store_snap *snap, const char *str, char **last)
{
	if (*last == NULL || strcmp(*last, str) != 0)
		*last = arena_strdup(snap->arena, str);
	return (*last);
}

void
store_snap_copy_state(struct store_snap *snap, int kind, const char *name,
    const char *window, uint64_t seq, const unsigned char *blob, size_t len)
{
	struct store_state	*st = arena_vec_add(&snap->states);

	st->kind = kind;
	st->name = store_snap_str(snap, name, &snap->last_name);
	st->window = store_snap_str(snap, window, &snap->last_window);
	st->seq = seq;
	st->blob = len == 0 ? NULL : arena_dup(snap->arena, blob, len);
	st->len = len;
}

void
store_snap_add_kpi(struct store_snap *snap, int kind, const char *name,
    const char *window, const char *kpi, double value)
{
	struct store_kpi	*k = arena_vec_add(&snap->kpis);

	k->kind = kind;
	k->name = store_snap_str(snap, name, &snap->last_name);
	k->window = store_snap_str(snap, window, &snap->last_window);
	k->kpi = kpi;
	k->value = value;
}

void
store_snap_add_interval(struct store_snap *snap, double start, int kind,
    const char *name, const char *kpi, double value)
{
	struct store_interval	*iv = arena_vec_add(&snap->intervals);

	iv->start = start;
	iv->kind = kind;
	iv->name = store_snap_str(snap, name, &snap->last_name);
	iv->kpi = kpi;
	iv->value = value;
}

void
store_snap_free(struct store_snap *snap)
{
	if (snap == NULL)
		return;
	arena_vec_free(&snap->states);
	arena_vec_free(&snap->kpis);
	arena_vec_free(&snap->intervals);
	arena_free(snap->arena);
	free(snap);
}

ssize_t
store_history(const char *path, int kind, const char *name,
    const char *window, const char *kpi, double since,
    struct store_point **points, char **cause)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*stmt = NULL;
	struct store_point *p = NULL;
	size_t		 n = 0, cap = 0;
	int		 rc;

	*points = NULL;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY|
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_HISTORY_TIMEOUT);

	rc = sqlite3_prepare_v2(db, "SELECT time, value FROM kpi_history"
	    " WHERE kind = ?1 AND name = ?2 AND \"window\" = ?3 AND kpi = ?4"
	    " AND time >= ?5 ORDER BY time", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int(stmt, 1, kind);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, window, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, kpi, -1, SQLITE_STATIC);
	sqlite3_bind_double(stmt, 5, since);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			p = xreallocarray(p, cap, sizeof *p);
		}
		p[n].time = sqlite3_column_double(stmt, 0);
		p[n].value = sqlite3_column_double(stmt, 1);
		n++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	*points = p;
	return ((ssize_t)n);

fail:
	xasprintf(cause, "%s: history: %s (SQLITE_%s)", path,
	    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
	    store_rc_name(rc));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(p);
	return (-1);
}
