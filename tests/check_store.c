/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for store.c: schema creation and migration, refusing newer and
 * foreign databases, quarantine, snapshots written by the writer thread
 * and reported on a real event loop, restore, history, pruning, the
 * bounded queue and recovery from SQLITE_FULL.  The database is checked
 * with a separate sqlite3 connection.
 *
 * The journal: batches commit before snapshot chunks, are read back in
 * order and trimmed by snapshots; and a snapshot cut short between its
 * chunks by kill -9, restored and followed by the journal's replay, gives
 * exactly the windows of every event applied once (a small model of the
 * daemon's ingest over real rings).
 */
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>

#include "agg.h"
#include "event.h"
#include "jfile.h"
#include "journal.h"
#include "kpi.h"
#include "store.h"
#include "window.h"
#include "xmalloc.h"

#define MAX_RESULTS	16
#define MAX_ROWS	16
#define LOOP_BOUND	1000

struct done_ctx {
	int			n;
	struct store_result	r[MAX_RESULTS];
};

struct row {
	int		 kind;
	char		*name;
	char		*window;
	unsigned char	*blob;
	size_t		 len;
};

struct rows {
	int		 n;
	struct row	 row[MAX_ROWS];
};

static char	 tmpdir[] = "/tmp/check_store.XXXXXX";
static char	*dbpath;

static void	 setup(void);
static void	 teardown(void);
static int	 raw_int(const char *);
static void	 raw_exec(const char *);
static void	 done_cb(const struct store_result *, void *);
static void	 restore_cb(const struct store_state *, void *);
static void	 rows_free(struct rows *);
static unsigned char *blob_make(size_t, unsigned int);
static int	 blob_is(const unsigned char *, size_t, unsigned int);
static void	 submit_wait(struct store *, struct event_base *,
		     struct done_ctx *, struct store_snap *);
static void	 query_cb(const struct store_rows *, void *);
static void	 run_until(struct event_base *, struct done_ctx *, int);
static struct store *open_ok(void);
static void	 write_file(const char *, const void *, size_t);
static double	 mono_now(void);

static void
setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	xasprintf(&dbpath, "%s/callscore.db", tmpdir);
}

/* Empty a directory, one level down too, and remove it. */
static void
rm_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		*p;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			xasprintf(&p, "%s/%s", dir, de->d_name);
			if (unlink(p) == -1 && errno == EISDIR)
				rm_dir(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

static void
teardown(void)
{
	rm_dir(tmpdir);
	free(dbpath);
	dbpath = NULL;
}

struct jspan {
	uint64_t	 first, last;	/* of all the frames */
	int		 n;
};

static int
jspan_cb(uint64_t first, uint64_t last, uint32_t n, const unsigned char *data,
    size_t len, void *arg)
{
	struct jspan	*sp = arg;

	if (sp->n++ == 0)
		sp->first = first;
	sp->last = last;
	return (0);
}

/*
 * The frames in the journal's files (the store closed or idle): how
 * many, the first seq and the last.
 */
static struct jspan
jfile_span(void)
{
	struct jspan	 sp = { 0, 0, 0 };
	struct jfile	*jf;
	char		*dir, *cause = NULL;

	xasprintf(&dir, "%s.journal", dbpath);
	jf = jfile_open(dir, &cause);
	ck_assert_msg(jf != NULL, "%s", cause);
	ck_assert_int_ge(jfile_read(jf, 0, jspan_cb, &sp, &cause), 0);
	jfile_close(jf);
	free(dir);
	return (sp);
}

/* One integer from the database through a connection of our own. */
static int
raw_int(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	int		 v;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return (v);
}

static void
raw_exec(const char *sql)
{
	sqlite3	*db;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE|
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
done_cb(const struct store_result *r, void *arg)
{
	struct done_ctx	*ctx = arg;

	ck_assert_int_lt(ctx->n, MAX_RESULTS);
	ctx->r[ctx->n++] = *r;
}

static void
restore_cb(const struct store_state *st, void *arg)
{
	struct rows	*rows = arg;
	struct row	*row;

	ck_assert_int_lt(rows->n, MAX_ROWS);
	row = &rows->row[rows->n++];
	row->kind = st->kind;
	row->name = xstrdup(st->name);
	row->window = xstrdup(st->window);
	row->len = st->len;
	row->blob = xmalloc(st->len + 1);
	memcpy(row->blob, st->blob, st->len);
}

static void
rows_free(struct rows *rows)
{
	int	 i;

	for (i = 0; i < rows->n; i++) {
		free(rows->row[i].name);
		free(rows->row[i].window);
		free(rows->row[i].blob);
	}
	rows->n = 0;
}

/* A blob of len bytes, byte i = (i * 7 + seed) & 0xff; NULL when empty. */
static unsigned char *
blob_make(size_t len, unsigned int seed)
{
	unsigned char	*b;
	size_t		 i;

	if (len == 0)
		return (NULL);
	b = xmalloc(len);
	for (i = 0; i < len; i++)
		b[i] = (unsigned char)((i * 7 + seed) & 0xff);
	return (b);
}

static int
blob_is(const unsigned char *b, size_t len, unsigned int seed)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (b[i] != (unsigned char)((i * 7 + seed) & 0xff))
			return (0);
	}
	return (1);
}

/* Run the loop until want results arrived; bounded, never sleeps. */
/* A state row whose blob (from blob_make()) the snapshot takes over. */
static void
snap_add_state(struct store_snap *snap, int kind, const char *name,
    const char *window, uint64_t seq, unsigned char *blob, size_t len)
{
	store_snap_copy_state(snap, kind, name, window, seq, blob, len);
	free(blob);
}

static void
run_until(struct event_base *base, struct done_ctx *ctx, int want)
{
	int	 i;

	for (i = 0; i < LOOP_BOUND && ctx->n < want; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(ctx->n, want);
}

static struct store *
open_ok(void)
{
	struct store	*s;
	char		*cause = NULL;

	s = store_open(dbpath, &cause);
	if (s == NULL)
		ck_abort_msg("store_open: %s", cause);
	return (s);
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

START_TEST(test_open_fresh)
{
	struct store	*s;

	s = open_ok();
	ck_assert_double_eq(store_last_snapshot(s), 0);
	store_close(s);

	ck_assert_int_eq(raw_int("PRAGMA user_version"), 3);
	ck_assert_int_eq(raw_int("PRAGMA application_id"), 0x43534352);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'table' AND name IN ('meta', 'snapshots', 'state',"
	    " 'kpi_history')"), 4);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'index' AND name = 'kpi_history_lookup'"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE"
	    " name IN ('intervals', 'intervals_start')"), 2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'table' AND name = 'journal'"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM pragma_table_info("
	    "'state') WHERE name IN ('seq', 'gen')"), 2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM meta WHERE"
	    " key = 'created' AND CAST(value AS INTEGER) > 1600000000"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM pragma_journal_mode"
	    " WHERE journal_mode = 'wal'"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE"
	    " name = 'state_v3'"), 0);

	/* Reopening a current database migrates nothing and works. */
	s = open_ok();
	store_close(s);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM meta"), 1);
}
END_TEST

START_TEST(test_open_empty_file)
{
	struct store	*s;

	write_file(dbpath, "", 0);
	s = open_ok();
	store_close(s);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state"), 0);
}
END_TEST

START_TEST(test_open_newer)
{
	struct store	*s;
	char		*cause = NULL, *want;
	int		 corrupt = -1;

	raw_exec("PRAGMA user_version = 4");
	s = store_open_check(dbpath, &corrupt, &cause);
	ck_assert_ptr_null(s);
	xasprintf(&want, "%s: database schema version 4 is newer than this "
	    "callscored supports (3)", dbpath);
	ck_assert_str_eq(cause, want);
	ck_assert_int_eq(corrupt, 0);	/* never quarantine a newer one */
	free(want);
	free(cause);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 4);
}
END_TEST

START_TEST(test_open_foreign)
{
	struct store	*s;
	char		*cause = NULL;
	int		 corrupt = 0;

	raw_exec("CREATE TABLE calls (a INTEGER)");
	s = store_open_check(dbpath, &corrupt, &cause);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(corrupt, 1);
	ck_assert_ptr_nonnull(strstr(cause, "not a callscore database "
	    "(schema version 0 with 1 objects)"));
	free(cause);

	unlink(dbpath);
	raw_exec("PRAGMA application_id = 1234");
	cause = NULL;
	corrupt = 0;
	s = store_open_check(dbpath, &corrupt, &cause);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(corrupt, 1);
	ck_assert_ptr_nonnull(strstr(cause, "(application_id 0x4d2)"));
	free(cause);
}
END_TEST

START_TEST(test_restore_empty)
{
	struct store	*s;
	struct rows	 rows = { 0 };
	char		*cause = NULL;

	s = open_ok();
	ck_assert_int_eq(store_restore(s, restore_cb, &rows, &cause), 0);
	ck_assert_int_eq(rows.n, 0);
	ck_assert_ptr_null(cause);
	store_close(s);
}
END_TEST

START_TEST(test_roundtrip)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct store_stats	 st;
	struct done_ctx		 ctx = { 0 };
	struct rows		 rows = { 0 };
	char			*cause = NULL;

	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	s = open_ok();
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);

	snap = store_snap_new(1700000000.5);
	snap_add_state(snap, 1, "q1", "5m", 0, blob_make(5000, 1), 5000);
	snap_add_state(snap, 0, "", "1h", 0, blob_make(3, 2), 3);
	snap_add_state(snap, 2, "agent7", "5m", 0, NULL, 0);
	store_snap_add_kpi(snap, 1, "q1", "5m", "aht", 123.5);
	store_snap_add_kpi(snap, 0, "", "1h", "service_level", 0.8);
	ck_assert_uint_eq(store_submit(s, snap), 1);

	run_until(base, &ctx, 1);
	ck_assert_int_eq(ctx.r[0].ok, 1);
	ck_assert_uint_eq(ctx.r[0].id, 1);
	ck_assert_double_eq(ctx.r[0].time, 1700000000.5);
	ck_assert_uint_eq(ctx.r[0].rows, 5);
	ck_assert_str_eq(ctx.r[0].code, "");
	ck_assert_double_ge(ctx.r[0].duration, 0);

	store_get_stats(s, &st);
	ck_assert_uint_eq(st.snapshots, 1);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_double_eq(st.last_time, 1700000000.5);
	ck_assert_double_eq(st.last_duration, ctx.r[0].duration);
	ck_assert_uint_eq(st.queue_depth, 0);
	ck_assert_uint_eq(st.dropped, 0);
	store_close(s);

	s = open_ok();
	ck_assert_double_eq(store_last_snapshot(s), 1700000000.5);
	ck_assert_int_eq(store_restore(s, restore_cb, &rows, &cause), 3);
	ck_assert_int_eq(rows.n, 3);
	/* Ordered by kind, name, window. */
	ck_assert_int_eq(rows.row[0].kind, 0);
	ck_assert_str_eq(rows.row[0].name, "");
	ck_assert_str_eq(rows.row[0].window, "1h");
	ck_assert_uint_eq(rows.row[0].len, 3);
	ck_assert_int_eq(blob_is(rows.row[0].blob, 3, 2), 1);
	ck_assert_int_eq(rows.row[1].kind, 1);
	ck_assert_str_eq(rows.row[1].name, "q1");
	ck_assert_str_eq(rows.row[1].window, "5m");
	ck_assert_uint_eq(rows.row[1].len, 5000);
	ck_assert_int_eq(blob_is(rows.row[1].blob, 5000, 1), 1);
	ck_assert_int_eq(rows.row[2].kind, 2);
	ck_assert_str_eq(rows.row[2].name, "agent7");
	ck_assert_uint_eq(rows.row[2].len, 0);
	rows_free(&rows);
	store_close(s);

	ck_assert_int_eq(raw_int("SELECT count(*) FROM kpi_history"), 2);
	ck_assert_int_eq(raw_int("SELECT rows FROM snapshots"), 5);
	ck_assert_int_eq(raw_int("SELECT CAST(value AS REAL) = 1700000000.5"
	    " FROM meta WHERE key = 'last_snapshot'"), 1);
	event_base_free(base);
}
END_TEST

/* Submit one snapshot and wait for its result. */
static void
submit_wait(struct store *s, struct event_base *base, struct done_ctx *ctx,
    struct store_snap *snap)
{
	int	 want = ctx->n + 1;

	ck_assert_uint_ne(store_submit(s, snap), 0);
	run_until(base, ctx, want);
	ck_assert_msg(ctx->r[want - 1].ok, "snapshot failed: %s",
	    ctx->r[want - 1].error);
}

START_TEST(test_replace_and_history)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct store_point	*p = NULL;
	struct done_ctx		 ctx = { 0 };
	struct rows		 rows = { 0 };
	char			*cause = NULL;
	ssize_t			 n;

	base = event_base_new();
	s = open_ok();
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);

	snap = store_snap_new(3000);
	snap_add_state(snap, 1, "q1", "5m", 0, blob_make(10, 1), 10);
	snap_add_state(snap, 1, "q2", "5m", 0, blob_make(10, 2), 10);
	store_snap_add_kpi(snap, 1, "q1", "5m", "aht", 300);
	store_snap_add_kpi(snap, 1, "q1", "15m", "aht", 999);
	store_snap_add_kpi(snap, 1, "q2", "5m", "aht", 998);
	store_snap_add_kpi(snap, 1, "q1", "5m", "asa", 997);
	submit_wait(s, base, &ctx, snap);

	/* The wall clock went back: history is still ordered by time. */
	snap = store_snap_new(1000);
	snap_add_state(snap, 1, "q1", "5m", 0, blob_make(20, 9), 20);
	store_snap_add_kpi(snap, 1, "q1", "5m", "aht", 100);
	submit_wait(s, base, &ctx, snap);

	snap = store_snap_new(2000);
	snap_add_state(snap, 1, "q1", "5m", 0, blob_make(30, 5), 30);
	store_snap_add_kpi(snap, 1, "q1", "5m", "aht", 200);
	submit_wait(s, base, &ctx, snap);
	ck_assert_uint_eq(ctx.r[2].id, 3);
	store_close(s);

	/* Only the last snapshot's state, once. */
	s = open_ok();
	ck_assert_int_eq(store_restore(s, restore_cb, &rows, &cause), 1);
	ck_assert_str_eq(rows.row[0].name, "q1");
	ck_assert_uint_eq(rows.row[0].len, 30);
	ck_assert_int_eq(blob_is(rows.row[0].blob, 30, 5), 1);
	rows_free(&rows);
	ck_assert_double_eq(store_last_snapshot(s), 3000);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM kpi_history"), 6);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM snapshots"), 3);

	n = store_history(dbpath, 1, "q1", "5m", "aht", 0, &p, &cause);
	ck_assert_int_eq(n, 3);
	ck_assert_double_eq(p[0].time, 1000);
	ck_assert_double_eq(p[0].value, 100);
	ck_assert_double_eq(p[1].time, 2000);
	ck_assert_double_eq(p[1].value, 200);
	ck_assert_double_eq(p[2].time, 3000);
	ck_assert_double_eq(p[2].value, 300);
	free(p);

	n = store_history(dbpath, 1, "q1", "5m", "aht", 2000, &p, &cause);
	ck_assert_int_eq(n, 2);
	ck_assert_double_eq(p[0].value, 200);
	free(p);

	n = store_history(dbpath, 1, "q9", "5m", "aht", 0, &p, &cause);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(p);

	n = store_history(dbpath, 2, "q1", "5m", "aht", 0, &p, &cause);
	ck_assert_int_eq(n, 0);
	event_base_free(base);
}
END_TEST

START_TEST(test_history_missing)
{
	struct store_point	*p = NULL;
	char			*cause = NULL;

	ck_assert_int_eq(store_history(dbpath, 1, "q1", "5m", "aht", 0, &p,
	    &cause), -1);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(cause, "SQLITE_CANTOPEN"));
	free(cause);
}
END_TEST

START_TEST(test_prune)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct done_ctx		 ctx = { 0 };
	char			*cause = NULL;
	int			 t;

	base = event_base_new();
	s = open_ok();
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	for (t = 1000; t <= 3000; t += 1000) {
		snap = store_snap_new(t);
		store_snap_add_kpi(snap, 0, "", "5m", "aht", t / 10);
		store_snap_add_kpi(snap, 0, "", "5m", "asa", t / 100);
		if (t == 3000)
			snap->prune_before = 2500;
		submit_wait(s, base, &ctx, snap);
	}
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM kpi_history"), 2);
	ck_assert_int_eq(raw_int("SELECT min(time) FROM kpi_history"), 3000);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM snapshots"), 1);
	ck_assert_int_eq(raw_int("SELECT id FROM snapshots"), 3);

	/* A prune past the snapshot's own time keeps the snapshot row. */
	ctx.n = 0;
	s = open_ok();
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	snap = store_snap_new(4000);
	snap->prune_before = 9000;
	submit_wait(s, base, &ctx, snap);
	ck_assert_uint_eq(ctx.r[0].id, 1);	/* ids restart per open */
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM snapshots"), 1);
	ck_assert_int_eq(raw_int("SELECT time FROM snapshots"), 4000);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM kpi_history"), 0);
	event_base_free(base);
}
END_TEST

START_TEST(test_not_a_database)
{
	struct store	*s;
	struct stat	 sb;
	unsigned char	 garbage[4096];
	char		*cause = NULL, *newpath = NULL, *wal, *want;
	unsigned int	 x = 12345;
	size_t		 i;
	int		 corrupt = 0;

	for (i = 0; i < sizeof garbage; i++) {
		x = x * 1103515245 + 12345;
		garbage[i] = (unsigned char)(x >> 16);
	}
	write_file(dbpath, garbage, sizeof garbage);
	s = store_open_check(dbpath, &corrupt, &cause);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(corrupt, 1);
	ck_assert_ptr_nonnull(strstr(cause, "not a database"));
	free(cause);

	/* A -wal left beside it (SQLite removes an empty one) moves too. */
	xasprintf(&wal, "%s-wal", dbpath);
	write_file(wal, "w", 1);

	ck_assert_int_eq(store_quarantine(dbpath, &newpath), 0);
	xasprintf(&want, "%s.corrupt-", dbpath);
	ck_assert_int_eq(strncmp(newpath, want, strlen(want)), 0);
	free(want);
	ck_assert_int_eq(stat(newpath, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4096);
	ck_assert_int_eq(stat(dbpath, &sb), -1);
	ck_assert_int_eq(stat(wal, &sb), -1);
	xasprintf(&want, "%s-wal", newpath);
	ck_assert_int_eq(stat(want, &sb), 0);
	ck_assert_int_eq(sb.st_size, 1);
	free(want);

	s = open_ok();
	store_close(s);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 3);

	/* A second quarantine in the same second gets its own name. */
	free(newpath);
	write_file(dbpath, garbage, sizeof garbage);
	ck_assert_int_eq(store_quarantine(dbpath, &newpath), 0);
	ck_assert_int_eq(stat(newpath, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4096);
	free(newpath);
	free(wal);

	/* Nothing to quarantine. */
	ck_assert_int_eq(store_quarantine(dbpath, &newpath), -1);
}
END_TEST

START_TEST(test_corrupt_pages)
{
	struct store	*s;
	unsigned char	 junk[4096];
	char		*cause = NULL;
	int		 fd, corrupt = 0;

	s = open_ok();
	store_close(s);
	/* A new database has 64 KiB pages. */
	ck_assert_int_eq(raw_int("PRAGMA page_size"), 65536);
	ck_assert_int_ge(raw_int("PRAGMA page_count"), 3);

	/* Page 2 (a table root) overwritten; the header is intact. */
	memset(junk, 0xa5, sizeof junk);
	fd = open(dbpath, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk, 65536), 4096);
	close(fd);

	s = store_open_check(dbpath, &corrupt, &cause);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(corrupt, 1);
	ck_assert_msg(strstr(cause, "database is corrupt: ") != NULL ||
	    strstr(cause, "(SQLITE_CORRUPT)") != NULL, "cause: %s", cause);
	ck_assert_ptr_null(strchr(cause, '\n'));
	free(cause);
}
END_TEST

START_TEST(test_queue_overflow)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct store_stats	 st;
	struct done_ctx		 ctx = { 0 };
	char			*cause = NULL;
	uint64_t		 id;
	int			 i;

	base = event_base_new();
	s = open_ok();
	store_pause(s, 1);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	for (i = 0; i < 10; i++) {
		snap = store_snap_new(1000 + i);
		snap_add_state(snap, 0, "", "5m", 0, blob_make(8, i), 8);
		store_snap_add_kpi(snap, 0, "", "5m", "aht", i);
		id = store_submit(s, snap);
		ck_assert_uint_eq(id, i < 4 ? (uint64_t)i + 1 : 0);
	}
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.queue_depth, 4);
	ck_assert_uint_eq(st.dropped, 6);
	ck_assert_uint_eq(st.snapshots, 0);

	store_pause(s, 0);
	run_until(base, &ctx, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(ctx.r[i].id, (uint64_t)i + 1);
		ck_assert_int_eq(ctx.r[i].ok, 1);
		ck_assert_double_eq(ctx.r[i].time, 1000 + i);
	}
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.queue_depth, 0);
	ck_assert_uint_eq(st.dropped, 6);
	ck_assert_uint_eq(st.snapshots, 4);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_double_eq(st.last_time, 1003);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM snapshots"), 4);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM kpi_history"), 4);
	event_base_free(base);
}
END_TEST

/* Lets a paused writer go after a short while, from another thread. */
static void *
unpause_later(void *arg)
{
	struct timespec	ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	store_pause(arg, 0);
	return (NULL);
}

/* At exit the final snapshot waits for room in a full queue: never dropped. */
START_TEST(test_submit_wait)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct store_stats	 st;
	struct done_ctx		 ctx;
	pthread_t		 t;
	char			*cause;
	uint64_t		 id;
	int			 i;

	memset(&ctx, 0, sizeof ctx);
	base = event_base_new();
	s = open_ok();
	store_pause(s, 1);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	for (i = 0; i < 4; i++) {
		snap = store_snap_new(1000 + i);
		store_snap_add_kpi(snap, 0, "", "5m", "aht", i);
		ck_assert_uint_eq(store_submit(s, snap), (uint64_t)i + 1);
	}
	snap = store_snap_new(2000);
	store_snap_add_kpi(snap, 0, "", "5m", "aht", 9);
	ck_assert_int_eq(pthread_create(&t, NULL, unpause_later, s), 0);
	id = store_submit_wait(s, snap);	/* blocks until the writer takes one */
	pthread_join(t, NULL);
	ck_assert_uint_eq(id, 5);
	run_until(base, &ctx, 5);
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(st.snapshots, 5);
	ck_assert_double_eq(st.last_time, 2000);
	store_close(s);
	event_base_free(base);
}
END_TEST

/* Seconds on CLOCK_MONOTONIC, the writer's clock. */
static double
mono_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

START_TEST(test_writer_busy)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct done_ctx		 ctx = { 0 };
	char			*cause = NULL;
	double			 t0, b1, b2, t1;

	base = event_base_new();
	s = open_ok();
	ck_assert_double_eq(store_writer_busy(s), 0);	/* not started */
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	ck_assert_double_eq(store_writer_busy(s), 0);	/* idle */

	/* Paused before taking a snapshot is waiting, not busy. */
	store_pause(s, 1);
	snap = store_snap_new(1000);
	store_snap_add_kpi(snap, 0, "", "5m", "aht", 1);
	ck_assert_uint_eq(store_submit(s, snap), 1);
	ck_assert_double_eq(store_writer_busy(s), 0);

	/* Held inside the snapshot: busy, and growing with the clock. */
	store_hold(s, 1);
	t0 = mono_now();
	store_pause(s, 0);
	store_wait_held(s);
	b1 = store_writer_busy(s);
	b2 = store_writer_busy(s);
	t1 = mono_now();
	ck_assert_double_gt(b1, 0);
	ck_assert_double_ge(b2, b1);
	ck_assert_double_le(b2, t1 - t0);
	ck_assert_int_eq(ctx.n, 0);

	/* Done: idle again. */
	store_hold(s, 0);
	run_until(base, &ctx, 1);
	ck_assert_int_eq(ctx.r[0].ok, 1);
	ck_assert_double_eq(store_writer_busy(s), 0);

	/* A writer held at close is let go and drains. */
	store_hold(s, 1);
	snap = store_snap_new(1060);
	store_snap_add_kpi(snap, 0, "", "5m", "aht", 2);
	ck_assert_uint_eq(store_submit(s, snap), 2);
	store_wait_held(s);
	ck_assert_double_gt(store_writer_busy(s), 0);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM snapshots"), 2);
	event_base_free(base);
}
END_TEST

START_TEST(test_disk_full)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct store_stats	 st;
	struct done_ctx		 ctx = { 0 };
	struct rows		 rows = { 0 };
	char			*cause = NULL, *sql;
	int			 pages;

	base = event_base_new();
	s = open_ok();
	/* No room to grow: a large blob needs new pages, a small one not. */
	pages = raw_int("PRAGMA page_count");
	xasprintf(&sql, "PRAGMA max_page_count = %d", pages);
	ck_assert_int_eq(store_exec(s, sql, &cause), 0);
	free(sql);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	ck_assert_int_eq(store_exec(s, "SELECT 1", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "after store_start"));
	free(cause);

	snap = store_snap_new(1000);
	snap_add_state(snap, 0, "", "5m", 0, blob_make(100000, 3), 100000);
	store_snap_add_kpi(snap, 0, "", "5m", "aht", 1);
	ck_assert_uint_eq(store_submit(s, snap), 1);
	run_until(base, &ctx, 1);
	ck_assert_int_eq(ctx.r[0].ok, 0);
	ck_assert_str_eq(ctx.r[0].code, "FULL");
	ck_assert_ptr_nonnull(strstr(ctx.r[0].error, "(SQLITE_FULL)"));
	ck_assert_uint_eq(ctx.r[0].rows, 2);

	/* The same connection goes on with the next snapshot. */
	snap = store_snap_new(1060);
	snap_add_state(snap, 0, "", "5m", 0, blob_make(16, 4), 16);
	store_snap_add_kpi(snap, 0, "", "5m", "aht", 2);
	submit_wait(s, base, &ctx, snap);
	ck_assert_str_eq(ctx.r[1].code, "");

	store_get_stats(s, &st);
	ck_assert_uint_eq(st.snapshots, 1);
	ck_assert_uint_eq(st.errors, 1);
	ck_assert_double_eq(st.last_time, 1060);
	store_close(s);

	s = open_ok();
	ck_assert_int_eq(store_restore(s, restore_cb, &rows, &cause), 1);
	ck_assert_uint_eq(rows.row[0].len, 16);
	ck_assert_int_eq(blob_is(rows.row[0].blob, 16, 4), 1);
	rows_free(&rows);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM pragma_integrity_check"
	    " WHERE integrity_check = 'ok'"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM snapshots"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM kpi_history"), 1);
	event_base_free(base);
}
END_TEST

START_TEST(test_close_unstarted)
{
	struct store		*s;
	struct store_snap	*snap;
	struct store_stats	 st;

	store_close(NULL);
	s = open_ok();
	snap = store_snap_new(5);
	snap_add_state(snap, 0, "", "5m", 0, blob_make(8, 1), 8);
	ck_assert_uint_eq(store_submit(s, snap), 1);
	ck_assert_uint_eq(store_submit(s, NULL), 0);
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.queue_depth, 1);
	store_close(s);		/* frees the queued snapshot unwritten */
	ck_assert_int_eq(raw_int("SELECT count(*) FROM snapshots"), 0);
}
END_TEST

#define STATE(sn, i)	((struct store_state *)arena_vec_at(&(sn)->states, i))
#define KPI(sn, i)	((struct store_kpi *)arena_vec_at(&(sn)->kpis, i))
#define INTERVAL(sn, i)	\
	((struct store_interval *)arena_vec_at(&(sn)->intervals, i))

START_TEST(test_snap_build)
{
	struct store_snap	*snap;
	struct store_kpi	*first;
	char			 name[16];
	int			 i;

	snap = store_snap_new(42.25);
	ck_assert_double_eq(snap->time, 42.25);
	ck_assert_uint_eq(snap->states.n, 0);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "agent%d", i);
		snap_add_state(snap, 2, name, "15m", 0, blob_make(4, i), 4);
	}
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "q%d", i);
		store_snap_add_kpi(snap, 1, name, "1h", "abandon_rate", i);
	}
	/* Names were copied, not borrowed. */
	snprintf(name, sizeof name, "changed");
	ck_assert_uint_eq(snap->states.n, 40);
	ck_assert_str_eq(STATE(snap, 39)->name, "agent39");
	ck_assert_str_eq(STATE(snap, 0)->window, "15m");
	ck_assert_int_eq(blob_is(STATE(snap, 7)->blob, 4, 7), 1);
	ck_assert_uint_eq(snap->kpis.n, 200);
	ck_assert_str_eq(KPI(snap, 199)->name, "q199");
	ck_assert_str_eq(KPI(snap, 5)->kpi, "abandon_rate");
	ck_assert_double_eq(KPI(snap, 123)->value, 123);
	for (i = 0; i < 100; i++)
		store_snap_add_interval(snap, 900.0 * i, 3, "t", "aht", i);
	ck_assert_uint_eq(snap->intervals.n, 100);
	ck_assert_str_eq(INTERVAL(snap, 99)->name, "t");
	ck_assert_double_eq(INTERVAL(snap, 99)->start, 89100);
	/* Rows past the first block (4,096) stay where they were put. */
	first = KPI(snap, 0);
	for (i = 200; i < 10000; i++)
		store_snap_add_kpi(snap, 1, "q", "1h", "aht", i);
	ck_assert_ptr_eq(KPI(snap, 0), first);
	ck_assert_uint_eq(snap->kpis.n, 10000);
	for (i = 0; i < 10000; i++)
		ck_assert_double_eq(KPI(snap, (size_t)i)->value, i);
	ck_assert_double_eq(snap->interval_mark, 0);
	store_snap_free(snap);
	store_snap_free(NULL);
}
END_TEST

/* A version 1 database, as callscore 0.1 left it, with a snapshot. */
#define STORE_V1_SQL							\
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"		\
	"CREATE TABLE snapshots (id INTEGER PRIMARY KEY,"		\
	" time REAL NOT NULL, duration REAL, rows INTEGER);"		\
	"CREATE TABLE state (kind INTEGER, name TEXT, \"window\" TEXT,"	\
	" blob BLOB NOT NULL, PRIMARY KEY (kind, name, \"window\"))"	\
	" WITHOUT ROWID;"						\
	"CREATE TABLE kpi_history (time REAL, kind INTEGER, name TEXT,"	\
	" \"window\" TEXT, kpi TEXT, value REAL);"			\
	"CREATE INDEX kpi_history_lookup ON kpi_history"		\
	" (kind, name, kpi, time);"					\
	"INSERT INTO meta VALUES ('created', '1700000000');"		\
	"INSERT INTO snapshots VALUES (1, 1700000100, 0.01, 2);"	\
	"INSERT INTO state VALUES (1, 'sales', '5m', x'01020304');"	\
	"INSERT INTO kpi_history VALUES (1700000100, 1, 'sales', '5m',"	\
	" 'aht', 300);"							\
	"PRAGMA application_id = 1129530194;"				\
	"PRAGMA user_version = 1;"

/*
 * More state rows than one block of the snapshot's row list holds, with
 * a scope's rows across the block boundary, written a scope a chunk
 * (chunks are cut between scopes only): held after the chunk that holds
 * that scope, its three rows are in; then every row comes back.
 */
START_TEST(test_snap_blocks)
{
	static const char	*windows[3] = { "15m", "1h", "5m" };
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct done_ctx		 ctx = { 0 };
	char			 name[16];
	char			*cause = NULL;
	int			 i, w, n = 1400;

	base = event_base_new();
	s = open_ok();
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	snap = store_snap_new(1700000000);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "a%04d", i);
		for (w = 0; w < 3; w++)
			snap_add_state(snap, 2, name, windows[w], 0,
			    blob_make(8, (unsigned int)(i * 3 + w)), 8);
	}
	/* Row 4,095 is a1365's first window, 4,096 its second. */
	ck_assert_str_eq(STATE(snap, 4095)->name, "a1365");
	ck_assert_str_eq(STATE(snap, 4096)->name, "a1365");
	store_set_chunks(s, 1, 1366);
	ck_assert_uint_ne(store_submit(s, snap), 0);
	store_wait_held(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state"), 1366 * 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state WHERE name = "
	    "'a1365'"), 3);
	store_hold(s, 0);
	run_until(base, &ctx, 1);
	ck_assert_int_eq(ctx.r[0].ok, 1);
	ck_assert_uint_eq(ctx.r[0].rows, (uint64_t)n * 3);
	store_close(s);
	event_base_free(base);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state"), n * 3);
	ck_assert_int_eq(raw_int("SELECT count(DISTINCT name) FROM state"), n);
}
END_TEST

START_TEST(test_migrate_1_to_2)
{
	struct store	*s;
	struct rows	 rows = { 0 };
	char		*cause = NULL;

	raw_exec(STORE_V1_SQL);
	s = open_ok();
	ck_assert_double_eq(store_last_snapshot(s), 1700000100);
	ck_assert_double_eq(store_last_interval(s), 0);
	ck_assert_int_eq(store_restore(s, restore_cb, &rows, &cause), 1);
	ck_assert_str_eq(rows.row[0].name, "sales");
	ck_assert_uint_eq(rows.row[0].len, 4);
	store_close(s);
	rows_free(&rows);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM intervals"), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'index' AND name = 'intervals_start'"), 1);
	/* Nothing that was there is lost. */
	ck_assert_int_eq(raw_int("SELECT value FROM kpi_history"), 300);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM meta"), 1);
	ck_assert_int_eq(raw_int("PRAGMA application_id"), 0x43534352);
}
END_TEST

struct query_ctx {
	int			 n;
	int			 ok;
	size_t			 nrows;
	struct store_row	 rows[16];
};

static void
query_cb(const struct store_rows *r, void *arg)
{
	struct query_ctx	*q = arg;
	size_t			 i;

	q->n++;
	q->ok = r->ok;
	q->nrows = r->n;
	for (i = 0; i < r->n && i < 16; i++)
		q->rows[i] = r->rows[i];
}

/* Intervals written with snapshots, rewritten, read back and pruned. */
START_TEST(test_intervals)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct done_ctx		 ctx = { 0 };
	struct query_ctx	 q = { 0 };
	char			*cause = NULL;
	int			 i;

	base = event_base_new();
	s = open_ok();
	ck_assert_double_eq(store_last_interval(s), 0);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	snap = store_snap_new(1795339000);
	store_snap_add_interval(snap, 1795338000, 1, "sales", "offered", 12);
	store_snap_add_interval(snap, 1795338000, 1, "sales", "aht", 310.5);
	store_snap_add_interval(snap, 1795338000, 1, "support", "offered", 4);
	store_snap_add_interval(snap, 1795338900, 1, "sales", "offered", 7);
	store_snap_add_interval(snap, 1795338000, 0, "", "offered", 16);
	snap->interval_mark = 1795339800;
	submit_wait(s, base, &ctx, snap);
	ck_assert_uint_eq(ctx.r[0].rows, 5);
	/* Written again (a restart): replaced, not doubled. */
	snap = store_snap_new(1795339060);
	store_snap_add_interval(snap, 1795338900, 1, "sales", "offered", 8);
	submit_wait(s, base, &ctx, snap);

	ck_assert_int_eq(store_query_intervals(s, 1, "sales", 1795338000,
	    1795338900 + 900, query_cb, &q), 0);
	for (i = 0; i < LOOP_BOUND && q.n == 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(q.n, 1);
	ck_assert_int_eq(q.ok, 1);
	ck_assert_uint_eq(q.nrows, 3);
	ck_assert_double_eq(q.rows[0].time, 1795338000);
	ck_assert_str_eq(q.rows[0].kpi, "aht");
	ck_assert_double_eq(q.rows[0].value, 310.5);
	ck_assert_str_eq(q.rows[1].kpi, "offered");
	ck_assert_double_eq(q.rows[1].value, 12);
	ck_assert_double_eq(q.rows[2].time, 1795338900);
	ck_assert_double_eq(q.rows[2].value, 8);
	/* The end is exclusive. */
	memset(&q, 0, sizeof q);
	ck_assert_int_eq(store_query_intervals(s, 1, "sales", 1795338000,
	    1795338900, query_cb, &q), 0);
	for (i = 0; i < LOOP_BOUND && q.n == 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_uint_eq(q.nrows, 2);

	/* Pruned with the history. */
	snap = store_snap_new(1795340000);
	snap->prune_before = 1795338500;
	submit_wait(s, base, &ctx, snap);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM intervals"), 1);
	ck_assert_int_eq(raw_int("SELECT CAST(value AS INTEGER) FROM"
	    " meta WHERE key = 'last_interval'"), 1795339800);

	s = open_ok();
	ck_assert_double_eq(store_last_interval(s), 1795339800);
	/* Not started: no reads. */
	ck_assert_int_eq(store_query_intervals(s, 1, "sales", 0, 1e10,
	    query_cb, &q), -1);
	store_close(s);
	event_base_free(base);
}
END_TEST

/* A version 2 database, as callscore left it before the journal. */
#define STORE_V2_SQL							\
	STORE_V1_SQL							\
	"CREATE TABLE intervals (start REAL NOT NULL, kind INTEGER NOT NULL,"\
	" name TEXT NOT NULL, kpi TEXT NOT NULL, value REAL,"		\
	" PRIMARY KEY (kind, name, start, kpi)) WITHOUT ROWID;"		\
	"CREATE INDEX intervals_start ON intervals (start);"		\
	"INSERT INTO state VALUES (0, '', '1h', x'0506');"		\
	"INSERT INTO meta VALUES ('last_interval', '1700000000');"	\
	"PRAGMA user_version = 2;"

START_TEST(test_migrate_2_to_3)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct done_ctx		 ctx = { 0 };
	struct rows		 rows = { 0 };
	char			*cause = NULL;

	raw_exec(STORE_V2_SQL);
	s = open_ok();
	ck_assert_uint_eq(store_snapshot_seq(s), 0);
	ck_assert_uint_eq(store_max_seq(s), 0);
	ck_assert_double_eq(store_last_interval(s), 1700000000);
	ck_assert_int_eq(store_restore(s, restore_cb, &rows, &cause), 2);
	ck_assert_str_eq(rows.row[0].window, "1h");
	ck_assert_uint_eq(rows.row[0].len, 2);
	ck_assert_str_eq(rows.row[1].name, "sales");
	ck_assert_int_eq(blob_is(rows.row[1].blob, 0, 0), 1);
	rows_free(&rows);
	store_close(s);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state WHERE seq = 0"
	    " AND gen = 0"), 2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM journal"), 0);
	ck_assert_int_eq(raw_int("SELECT value FROM kpi_history"), 300);

	/* The first snapshot replaces the old rows and drops the others. */
	base = event_base_new();
	s = open_ok();
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	snap = store_snap_new(1700000200);
	snap->seq = 7;
	snap_add_state(snap, 1, "sales", "5m", 7, blob_make(4, 9), 4);
	submit_wait(s, base, &ctx, snap);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state"), 1);
	ck_assert_int_eq(raw_int("SELECT seq FROM state"), 7);
	ck_assert_int_eq(raw_int("SELECT CAST(value AS INTEGER) FROM meta"
	    " WHERE key = 'snapshot_seq'"), 7);
	s = open_ok();
	ck_assert_uint_eq(store_snapshot_seq(s), 7);
	ck_assert_uint_eq(store_max_seq(s), 7);
	store_close(s);
	event_base_free(base);
}
END_TEST

/* Journal rows read back: first, last and the records. */
struct jrows {
	int		 rows;
	uint64_t	 first[16], last[16];
	uint64_t	 seqs[64], recv[64];
	char		 lines[64][32];
	int		 nrec;
};

static int
jrec_cb(uint64_t seq, uint64_t recv_ms, const char *line, size_t len,
    void *arg)
{
	struct jrows	*j = arg;

	ck_assert_int_lt(j->nrec, 64);
	j->seqs[j->nrec] = seq;
	j->recv[j->nrec] = recv_ms;
	snprintf(j->lines[j->nrec], sizeof j->lines[0], "%.*s", (int)len,
	    line);
	j->nrec++;
	return (0);
}

static int
jrow_cb(uint64_t first, uint64_t last, const unsigned char *data,
    size_t len, void *arg)
{
	struct jrows	*j = arg;

	ck_assert_int_lt(j->rows, 16);
	j->first[j->rows] = first;
	j->last[j->rows] = last;
	j->rows++;
	ck_assert_int_ge(journal_decode(data, len, jrec_cb, j), 1);
	return (0);
}

static void
commit_cb(uint64_t seq, void *arg)
{
	*(uint64_t *)arg = seq;
}

/* Run the loop until the journal has committed seq; bounded. */
static void
run_until_seq(struct event_base *base, uint64_t *committed, uint64_t seq)
{
	int	 i;

	for (i = 0; i < LOOP_BOUND * 10 && *committed < seq; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_uint_ge(*committed, seq);
}

/* Run the loop until a journal commit has failed; bounded. */
static void
run_until_commit_error(struct event_base *base, struct journal *j,
    struct journal_stats *js)
{
	int	 i;

	for (i = 0; i < LOOP_BOUND * 10; i++) {
		event_base_loop(base, EVLOOP_ONCE);
		journal_get_stats(j, js);
		if (js->commit_errors > 0)
			break;
	}
	ck_assert_uint_gt(js->commit_errors, 0);
}

/* Batches commit in order, one row each, and are read back in order. */
START_TEST(test_journal_commit)
{
	struct event_base	*base;
	struct store		*s;
	struct journal		*j;
	struct journal_stats	 js;
	struct store_stats	 st;
	struct done_ctx		 ctx = { 0 };
	struct jrows		 jr;
	char			*cause = NULL, line[32];
	uint64_t		 committed = 0, seq;
	int			 i;

	base = event_base_new();
	s = open_ok();
	ck_assert_uint_eq(store_max_seq(s), 0);
	j = journal_new(base, s, 10, 1024 * 1024, commit_cb, &committed);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	for (seq = 1; seq <= 10; seq++) {
		snprintf(line, sizeof line, "{\"n\":%llu}",
		    (unsigned long long)seq);
		ck_assert_int_eq(journal_append(j, seq, 1000 + seq, line,
		    strlen(line)), 0);
		if (seq == 4)
			journal_flush(j);
	}
	run_until_seq(base, &committed, 4);
	/* Nothing more goes before the flush interval unless urged. */
	for (i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(committed, 4);
	ck_assert_int_eq(journal_batch_has(j, 5), 1);
	ck_assert_int_eq(journal_batch_has(j, 4), 0);
	journal_urge(j);
	run_until_seq(base, &committed, 10);
	ck_assert_uint_eq(journal_committed(j), 10);
	journal_get_stats(j, &js);
	ck_assert_uint_eq(js.appended, 10);
	ck_assert_uint_eq(js.batches, 2);
	ck_assert_uint_eq(js.inflight, 0);
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.journal_batches, 2);
	ck_assert_uint_eq(st.journal_events, 10);
	ck_assert_uint_eq(st.journal_seq, 10);
	ck_assert_uint_eq(st.journal_bytes, 10 * JOURNAL_RECORD_HDR + 9 * 7 +
	    8);
	ck_assert_uint_eq(st.journal_errors, 0);
	ck_assert_double_gt(st.journal_commit_max, 0);
	store_close(s);
	journal_free(j);

	s = open_ok();
	ck_assert_uint_eq(store_max_seq(s), 10);
	ck_assert_uint_eq(store_snapshot_seq(s), 0);
	memset(&jr, 0, sizeof jr);
	ck_assert_int_eq(store_journal_read(s, 0, jrow_cb, &jr, &cause), 2);
	ck_assert_uint_eq(jr.first[0], 1);
	ck_assert_uint_eq(jr.last[0], 4);
	ck_assert_uint_eq(jr.first[1], 5);
	ck_assert_uint_eq(jr.last[1], 10);
	ck_assert_int_eq(jr.nrec, 10);
	for (i = 0; i < 10; i++) {
		ck_assert_uint_eq(jr.seqs[i], (uint64_t)i + 1);
		ck_assert_uint_eq(jr.recv[i], 1001 + (uint64_t)i);
		snprintf(line, sizeof line, "{\"n\":%d}", i + 1);
		ck_assert_str_eq(jr.lines[i], line);
	}
	/* Only the rows that end after a seq. */
	memset(&jr, 0, sizeof jr);
	ck_assert_int_eq(store_journal_read(s, 4, jrow_cb, &jr, &cause), 1);
	ck_assert_uint_eq(jr.first[0], 5);
	store_close(s);
	event_base_free(base);
}
END_TEST

/* A damaged batch yields the records before the damage, then -1. */
START_TEST(test_journal_decode)
{
	unsigned char	 buf[128];
	struct jrows	 jr;
	size_t		 len;

	memset(buf, 0, sizeof buf);
	buf[0] = 3;		/* seq 3 */
	buf[8] = 9;		/* received at 9 */
	buf[16] = 2;		/* 2 bytes */
	memcpy(buf + 20, "ab", 2);
	len = 22;
	memset(&jr, 0, sizeof jr);
	ck_assert_int_eq(journal_decode(buf, len, jrec_cb, &jr), 1);
	ck_assert_uint_eq(jr.seqs[0], 3);
	ck_assert_uint_eq(jr.recv[0], 9);
	ck_assert_str_eq(jr.lines[0], "ab");
	ck_assert_int_eq(journal_decode(buf, 0, jrec_cb, &jr), 0);
	/* A header cut short, then a length past the end. */
	memset(&jr, 0, sizeof jr);
	ck_assert_int_eq(journal_decode(buf, len + 10, jrec_cb, &jr), -1);
	ck_assert_int_eq(jr.nrec, 1);
	buf[len + 16] = 200;
	memset(&jr, 0, sizeof jr);
	ck_assert_int_eq(journal_decode(buf, len + 30, jrec_cb, &jr), -1);
	ck_assert_int_eq(jr.nrec, 1);
}
END_TEST

/* The bound on bytes in flight: no room is refused or dropped, counted. */
START_TEST(test_journal_full)
{
	struct event_base	*base;
	struct store		*s;
	struct journal		*j;
	struct journal_stats	 js;
	char			 line[100];
	uint64_t		 committed = 0;
	struct done_ctx		 ctx = { 0 };
	char			*cause = NULL;
	int			 i, ok = 0;

	base = event_base_new();
	s = open_ok();
	j = journal_new(base, s, 10, 1000, commit_cb, &committed);
	store_pause(s, 1);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	memset(line, 'x', sizeof line);
	/* 120 bytes a record: 8 fit in 1000. */
	for (i = 1; i <= 10; i++) {
		if (journal_check(j, sizeof line, 1) == 0) {
			ck_assert_int_eq(journal_append(j, (uint64_t)i, 0, line,
			    sizeof line), 0);
			ok++;
		}
		if (i == 3)
			journal_flush(j);	/* in flight counts too */
	}
	ck_assert_int_eq(ok, 8);
	ck_assert_int_eq(journal_append(j, 11, 0, line, sizeof line), -1);
	journal_get_stats(j, &js);
	ck_assert_uint_eq(js.refused, 2);
	ck_assert_uint_eq(js.dropped, 1);
	ck_assert_uint_eq(js.inflight, 960);
	/* A paused writer commits nothing, urged or not. */
	journal_urge(j);
	for (i = 0; i < 50; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(committed, 0);
	ck_assert_uint_eq(journal_committed(j), 0);
	/* Room again once the writer commits. */
	store_pause(s, 0);
	journal_flush(j);
	run_until_seq(base, &committed, 8);
	journal_get_stats(j, &js);
	ck_assert_uint_eq(js.inflight, 0);
	ck_assert_int_eq(journal_check(j, sizeof line, 1), 0);
	store_close(s);
	journal_free(j);
	event_base_free(base);
}
END_TEST

/*
 * The daemon in miniature: a global scope and four queues, one window,
 * events applied to rings as ingest applies them, and a restored scope
 * skipping the events its state holds.
 */
#define M_SCOPES	5
#define M_BASE_MS	1795000000000ULL
#define M_NOW_MS	(M_BASE_MS + 600000)

struct model {
	struct window_def	 def;
	struct sketch_pool	*pool;
	struct event_parser	*parser;
	struct ring		*ring[M_SCOPES];
	uint64_t		 seq[M_SCOPES];
	uint64_t		 now_ms;	/* 0: the event's own time */
	int			 replay;
};

static void
model_init(struct model *m, uint64_t now_ms, int replay)
{
	int	 i;

	memset(m, 0, sizeof *m);
	ck_assert_int_eq(window_def_init(&m->def, "1h", 60), 0);
	m->pool = sketch_pool_new();
	m->parser = event_parser_new();
	for (i = 0; i < M_SCOPES; i++)
		m->ring[i] = ring_new(&m->def);
	m->now_ms = now_ms;
	m->replay = replay;
}

static void
model_free(struct model *m)
{
	int	 i;

	for (i = 0; i < M_SCOPES; i++)
		ring_free(m->ring[i], m->pool);
	event_parser_free(m->parser);
	sketch_pool_free(m->pool);
}

static uint64_t
model_recv(uint64_t seq)
{
	return (M_BASE_MS + seq * 100);
}

static size_t
model_line(uint64_t seq, char *buf, size_t len)
{
	return ((size_t)snprintf(buf, len, "{\"type\":\"call\",\"call_id\":"
	    "\"c%llu\",\"queue\":\"q%llu\",\"wait\":%llu,\"talk\":%llu%s}",
	    (unsigned long long)seq, (unsigned long long)(seq % 4),
	    (unsigned long long)(seq % 37), (unsigned long long)seq,
	    seq % 5 == 0 ? ",\"outcome\":\"abandoned\"" : ""));
}

static int
model_apply(uint64_t seq, uint64_t recv_ms, const char *line, size_t len,
    void *arg)
{
	struct model		*m = arg;
	struct event		 ev;
	struct agg_params	 params;
	struct contrib		 c;
	char			 reason[EVENT_REASON_MAX];
	int			 sc[2], i;

	ck_assert_int_eq(event_parse(m->parser, line, len, &ev, reason,
	    sizeof reason), EVENT_OK);
	memset(&params, 0, sizeof params);
	params.sl_threshold = 20;
	params.short_abandon = 5;
	ck_assert_int_eq(agg_contrib(&ev, &params, &c), 0);
	sc[0] = 0;
	sc[1] = 1 + (ev.queue[1] - '0');
	for (i = 0; i < 2; i++) {
		if (m->replay && seq <= m->seq[sc[i]])
			continue;
		ring_add(m->ring[sc[i]], &m->def, recv_ms, m->now_ms != 0 ?
		    m->now_ms : recv_ms, &c, m->pool);
	}
	return (0);
}

static const char *
model_name(int i)
{
	static const char	*names[M_SCOPES] = { "", "q0", "q1", "q2",
				    "q3" };

	return (names[i]);
}

/* Add the rows of scopes [from, to) at seq to a snapshot. */
static void
model_snap(struct model *m, struct store_snap *snap, int from, int to,
    uint64_t seq)
{
	unsigned char	*blob;
	size_t		 len;
	int		 i;

	for (i = from; i < to; i++) {
		blob = ring_serialize(m->ring[i], &m->def, model_recv(seq),
		    &len);
		ck_assert_ptr_nonnull(blob);
		snap_add_state(snap, i == 0 ? 0 : 1, model_name(i), "1h",
		    seq, blob, len);
	}
}

static void
model_restore_cb(const struct store_state *st, void *arg)
{
	struct model	*m = arg;
	int		 i;

	for (i = 0; i < M_SCOPES; i++) {
		if (strcmp(st->name, model_name(i)) == 0)
			break;
	}
	ck_assert_int_lt(i, M_SCOPES);
	ck_assert_int_eq(ring_restore(m->ring[i], &m->def, m->now_ms,
	    st->blob, st->len, m->pool), 0);
	m->seq[i] = st->seq;
}

static int
model_row_cb(uint64_t first, uint64_t last, const unsigned char *data,
    size_t len, void *arg)
{
	ck_assert_int_eq(journal_decode(data, len, model_apply, arg),
	    (int)(last - first + 1));
	return (0);
}

/* Every KPI of every scope of a and b, at their now, is the same. */
static void
model_compare(struct model *a, struct model *b)
{
	struct kpi_params	 kp = { 0 };
	struct agg		 sa, sb;
	double			 va[KPI_COUNT], vb[KPI_COUNT];
	int			 i, k;

	for (i = 0; i < M_SCOPES; i++) {
		ring_sum(a->ring[i], &a->def, a->now_ms, &sa, a->pool);
		ring_sum(b->ring[i], &b->def, b->now_ms, &sb, b->pool);
		kpi_compute(&sa, &kp, va);
		kpi_compute(&sb, &kp, vb);
		ck_assert_msg(va[KPI_OFFERED] > 0, "scope %d is empty", i);
		for (k = 0; k < KPI_COUNT; k++) {
			ck_assert_msg((isnan(va[k]) && isnan(vb[k])) ||
			    va[k] == vb[k], "scope %d, %s: %.17g != %.17g", i,
			    kpi_table[k].id, va[k], vb[k]);
		}
		agg_clear(&sa, a->pool);
		agg_clear(&sb, b->pool);
	}
}

/* Apply events from..to live, journal them and wait for the commit. */
static void
model_feed(struct model *m, struct journal *j, struct event_base *base,
    uint64_t *committed, uint64_t from, uint64_t to)
{
	char		 line[256];
	size_t		 len;
	uint64_t	 seq;

	for (seq = from; seq <= to; seq++) {
		len = model_line(seq, line, sizeof line);
		model_apply(seq, model_recv(seq), line, len, m);
		ck_assert_int_eq(journal_append(j, seq, model_recv(seq), line,
		    len), 0);
	}
	journal_flush(j);
	run_until_seq(base, committed, to);
}

/*
 * The child: two snapshots, the second built over a stretch of events
 * (scopes serialized at different seqs) and held after its first chunk
 * of two scopes, while more events commit; then it waits to be killed.
 */
static void
chunked_child(int fd)
{
	struct event_base	*base;
	struct store		*s;
	struct journal		*j;
	struct store_snap	*snap;
	struct model		 live;
	struct done_ctx		 ctx = { 0 };
	uint64_t		 committed = 0;
	char			*cause = NULL;

	base = event_base_new();
	s = open_ok();
	j = journal_new(base, s, 10, 1 << 24, commit_cb, &committed);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	model_init(&live, 0, 0);

	model_feed(&live, j, base, &committed, 1, 100);
	snap = store_snap_new(1795000010);
	snap->seq = 100;
	model_snap(&live, snap, 0, M_SCOPES, 100);
	submit_wait(s, base, &ctx, snap);

	model_feed(&live, j, base, &committed, 101, 200);
	snap = store_snap_new(1795000020);
	snap->seq = 200;
	model_snap(&live, snap, 0, 3, 200);
	model_feed(&live, j, base, &committed, 201, 250);
	model_snap(&live, snap, 3, M_SCOPES, 250);
	store_set_chunks(s, 2, 1);
	ck_assert_uint_ne(store_submit(s, snap), 0);
	store_wait_held(s);
	/* Held between chunks, the journal still commits. */
	model_feed(&live, j, base, &committed, 251, 300);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	for (;;)
		pause();
}

START_TEST(test_chunked_kill_replay)
{
	struct event_base	*base;
	struct store		*s;
	struct store_snap	*snap;
	struct model		 ref, back;
	struct done_ctx		 ctx = { 0 };
	struct pollfd		 pfd;
	char			*cause = NULL, line[256], c;
	uint64_t		 seq;
	struct jspan		 sp;
	size_t			 len;
	pid_t			 pid;
	int			 p[2], status;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		chunked_child(p[1]);
		_exit(0);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	ck_assert_msg(poll(&pfd, 1, 20000) == 1 && read(p[0], &c, 1) == 1,
	    "the writer was never held between chunks");
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(p[0]);

	/* Half of the second snapshot is there: two scopes of five. */
	ck_assert_int_eq(raw_int("SELECT count(*) FROM pragma_integrity_check"
	    " WHERE integrity_check = 'ok'"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state WHERE gen = 2"),
	    2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state WHERE gen = 1"),
	    3);
	ck_assert_int_eq(raw_int("SELECT CAST(value AS INTEGER) FROM meta"
	    " WHERE key = 'snapshot_seq'"), 100);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM snapshots"), 1);
	/* The first snapshot deleted the file of 1-100. */
	sp = jfile_span();
	ck_assert_uint_eq(sp.first, 101);
	ck_assert_uint_eq(sp.last, 300);

	/* What the windows hold with every event applied once. */
	model_init(&ref, M_NOW_MS, 0);
	for (seq = 1; seq <= 300; seq++) {
		len = model_line(seq, line, sizeof line);
		model_apply(seq, model_recv(seq), line, len, &ref);
	}
	/* Restore, then replay past the snapshot. */
	model_init(&back, M_NOW_MS, 1);
	s = open_ok();
	ck_assert_uint_eq(store_snapshot_seq(s), 100);
	ck_assert_uint_eq(store_max_seq(s), 300);
	ck_assert_int_eq(store_restore(s, model_restore_cb, &back, &cause), 5);
	ck_assert_uint_eq(back.seq[0], 200);
	ck_assert_uint_eq(back.seq[1], 200);
	ck_assert_uint_eq(back.seq[4], 100);
	ck_assert_int_eq(store_journal_read(s, store_snapshot_seq(s),
	    model_row_cb, &back, &cause), 3);
	model_compare(&ref, &back);

	/* The next snapshot, without q3 (empty now), settles it all. */
	base = event_base_new();
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	snap = store_snap_new(1795000030);
	snap->seq = 300;
	model_snap(&back, snap, 0, 4, 300);
	submit_wait(s, base, &ctx, snap);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state"), 4);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state WHERE gen = 3"),
	    4);
	ck_assert_int_eq(jfile_span().n, 0);
	ck_assert_int_eq(raw_int("SELECT CAST(value AS INTEGER) FROM meta"
	    " WHERE key = 'snapshot_seq'"), 300);
	model_free(&ref);
	model_free(&back);
	event_base_free(base);
}
END_TEST

/*
 * Snapshots go in chunks of whole scopes; a journal batch that arrives
 * while one is written commits between its chunks, and the trim keeps
 * the batches past where the snapshot began.
 */
START_TEST(test_journal_between_chunks)
{
	struct event_base	*base;
	struct store		*s;
	struct journal		*j;
	struct store_snap	*snap;
	struct store_stats	 st;
	struct done_ctx		 ctx = { 0 };
	char			*cause = NULL, name[16];
	struct jspan		 sp;
	uint64_t		 committed = 0;
	int			 i;

	base = event_base_new();
	s = open_ok();
	j = journal_new(base, s, 10, 1 << 20, commit_cb, &committed);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	ck_assert_int_eq(journal_append(j, 1, 0, "a", 1), 0);
	ck_assert_int_eq(journal_append(j, 2, 0, "b", 1), 0);
	journal_flush(j);
	run_until_seq(base, &committed, 2);

	/* Three scopes of two windows: chunks of 3 rows are 2 scopes. */
	store_set_chunks(s, 3, 1);
	snap = store_snap_new(1000);
	snap->seq = 2;
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "q%d", i);
		snap_add_state(snap, 1, name, "5m", 2, blob_make(8, i),
		    8);
		snap_add_state(snap, 1, name, "1h", 2, blob_make(8, i),
		    8);
	}
	store_snap_add_kpi(snap, 1, "q0", "5m", "aht", 1);
	ck_assert_uint_eq(store_submit(s, snap), 1);
	store_wait_held(s);
	ck_assert_int_eq(journal_append(j, 3, 0, "c", 1), 0);
	journal_flush(j);
	run_until_seq(base, &committed, 3);
	ck_assert_int_eq(ctx.n, 0);		/* the snapshot waits */
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.chunks, 1);

	store_set_chunks(s, 3, -1);
	run_until(base, &ctx, 1);
	ck_assert_int_eq(ctx.r[0].ok, 1);
	ck_assert_uint_eq(ctx.r[0].rows, 7);
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.chunks, 2);
	ck_assert_uint_eq(st.journal_trimmed, 1);
	store_close(s);
	journal_free(j);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM state"), 6);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM kpi_history"), 1);
	sp = jfile_span();
	ck_assert_int_eq(sp.n, 1);
	ck_assert_uint_eq(sp.first, 3);
	event_base_free(base);
}
END_TEST

/*
 * A journal that never drains does not starve a snapshot: after each
 * commit (every batch waiting, up to 16 MB) a chunk has its turn.  Three
 * batches of 8.5 MB need three commits; a snapshot of two one-row chunks
 * taken meanwhile ends after the second, and deletes the two files
 * before it (its first chunk starts a new file).  But batches handed
 * over before a snapshot all commit before its first chunk, so that no
 * state row holds an event the journal does not.  (Counting the files
 * deleted is how the order shows.)
 */
START_TEST(test_journal_turns)
{
	struct event_base	*base;
	struct store		*s;
	struct journal		*j;
	struct store_snap	*snap;
	struct store_stats	 st;
	struct done_ctx		 ctx = { 0 };
	char			*cause = NULL, *big;
	uint64_t		 committed = 0, seq;
	size_t			 len = 8704 * 1024;

	base = event_base_new();
	s = open_ok();
	j = journal_new(base, s, 10, 64 << 20, commit_cb, &committed);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	store_set_chunks(s, 1, -1);
	store_hold(s, 1);
	snap = store_snap_new(1000);
	snap->seq = 3;
	snap_add_state(snap, 1, "q0", "5m", 3, blob_make(8, 0), 8);
	snap_add_state(snap, 1, "q1", "5m", 3, blob_make(8, 1), 8);
	ck_assert_uint_eq(store_submit(s, snap), 1);
	store_wait_held(s);

	big = xmalloc(len);
	memset(big, 'x', len);
	for (seq = 1; seq <= 3; seq++) {
		ck_assert_int_eq(journal_append(j, seq, 0, big, len), 0);
		journal_flush(j);
	}
	store_hold(s, 0);
	run_until(base, &ctx, 1);
	ck_assert_int_eq(ctx.r[0].ok, 1);
	run_until_seq(base, &committed, 3);
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.chunks, 2);
	ck_assert_uint_eq(st.journal_batches, 3);
	ck_assert_uint_eq(st.journal_trimmed, 2);

	ck_assert_uint_eq(st.journal_files, 1);		/* 3 */

	/*
	 * Batches 4 to 6, a snapshot of three chunks, batches 7 and 8:
	 * 4, 5, 6 (in the file of 3), a chunk (a new file), 7, a chunk,
	 * 8, the last chunk, which deletes both files: every batch up to
	 * 8 (the seq it is told it holds).
	 */
	store_pause(s, 1);
	for (seq = 4; seq <= 8; seq++) {
		ck_assert_int_eq(journal_append(j, seq, 0, big, len), 0);
		journal_flush(j);
		if (seq != 6)
			continue;
		snap = store_snap_new(1001);
		snap->seq = 8;
		snap_add_state(snap, 1, "q0", "5m", 8, blob_make(8, 2),
		    8);
		snap_add_state(snap, 1, "q1", "5m", 8, blob_make(8, 3),
		    8);
		snap_add_state(snap, 1, "q2", "5m", 8, blob_make(8, 4),
		    8);
		ck_assert_uint_eq(store_submit(s, snap), 2);
	}
	free(big);
	store_pause(s, 0);
	run_until(base, &ctx, 2);
	ck_assert_int_eq(ctx.r[1].ok, 1);
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.chunks, 5);
	ck_assert_uint_eq(st.journal_batches, 8);
	ck_assert_uint_eq(st.journal_trimmed, 4);
	ck_assert_uint_eq(st.journal_files, 0);
	ck_assert_uint_eq(st.journal_file_bytes, 0);
	store_close(s);
	journal_free(j);
	ck_assert_int_eq(jfile_span().n, 0);
	event_base_free(base);
}
END_TEST

/*
 * A commit that fails (here a write cut short by the file size limit,
 * as by a full disk) is cut back and retried, not lost or doubled.
 */
START_TEST(test_journal_retry)
{
	struct event_base	*base;
	struct store		*s;
	struct journal		*j;
	struct journal_stats	 js;
	struct store_stats	 st;
	struct done_ctx		 ctx = { 0 };
	struct rlimit		 rl, low;
	struct jspan		 sp;
	char			*cause = NULL;
	uint64_t		 committed = 0;

	base = event_base_new();
	s = open_ok();
	j = journal_new(base, s, 10, 1 << 20, commit_cb, &committed);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	ck_assert_int_eq(journal_append(j, 1, 0, "a", 1), 0);
	journal_flush(j);
	run_until_seq(base, &committed, 1);

	/* Writes past the first byte now fail (EFBIG), as on a full disk. */
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	low = rl;
	low.rlim_cur = 1;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &low), 0);
	ck_assert_int_eq(journal_append(j, 2, 0, "b", 1), 0);
	journal_flush(j);
	run_until_commit_error(base, j, &js);
	ck_assert_uint_eq(committed, 1);
	ck_assert_uint_eq(js.inflight, JOURNAL_RECORD_HDR + 1);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	signal(SIGXFSZ, SIG_DFL);
	run_until_seq(base, &committed, 2);
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.journal_batches, 2);
	ck_assert_uint_eq(st.journal_files, 1);
	ck_assert_uint_eq(st.journal_file_bytes, 2 * (JFILE_HDR +
	    JOURNAL_RECORD_HDR + 1));
	store_close(s);
	journal_free(j);
	sp = jfile_span();
	ck_assert_int_eq(sp.n, 2);
	ck_assert_uint_eq(sp.first, 1);
	ck_assert_uint_eq(sp.last, 2);
	event_base_free(base);
}
END_TEST

/*
 * snapshot.max_size counts the journal's files with the database: a
 * batch that would pass it is not written (FULL) and waits, whole, until
 * the cap is raised.
 */
START_TEST(test_journal_max_size)
{
	struct event_base	*base;
	struct store		*s;
	struct journal		*j;
	struct journal_stats	 js;
	struct store_stats	 st;
	struct done_ctx		 ctx = { 0 };
	struct jspan		 sp;
	char			*cause = NULL;
	uint64_t		 committed = 0, db;

	base = event_base_new();
	s = open_ok();
	db = (uint64_t)raw_int("PRAGMA page_count") *
	    (uint64_t)raw_int("PRAGMA page_size");
	/* Room for one frame of one record of 1 byte, not two. */
	store_set_max_size(s, db + JFILE_HDR + JOURNAL_RECORD_HDR + 1);
	j = journal_new(base, s, 10, 1 << 20, commit_cb, &committed);
	ck_assert_int_eq(store_start(s, base, done_cb, &ctx, &cause), 0);
	ck_assert_int_eq(journal_append(j, 1, 0, "a", 1), 0);
	journal_flush(j);
	run_until_seq(base, &committed, 1);
	ck_assert_int_eq(journal_append(j, 2, 0, "b", 1), 0);
	journal_flush(j);
	run_until_commit_error(base, j, &js);
	ck_assert_uint_eq(committed, 1);
	store_get_stats(s, &st);
	ck_assert_uint_eq(st.journal_file_bytes, JFILE_HDR +
	    JOURNAL_RECORD_HDR + 1);

	store_set_max_size(s, 0);
	run_until_seq(base, &committed, 2);
	store_close(s);
	journal_free(j);
	sp = jfile_span();
	ck_assert_int_eq(sp.n, 2);
	ck_assert_uint_eq(sp.last, 2);
	event_base_free(base);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("store");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_fresh);
	tcase_add_test(tc, test_open_empty_file);
	tcase_add_test(tc, test_open_newer);
	tcase_add_test(tc, test_open_foreign);
	tcase_add_test(tc, test_restore_empty);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_replace_and_history);
	tcase_add_test(tc, test_history_missing);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_not_a_database);
	tcase_add_test(tc, test_corrupt_pages);
	tcase_add_test(tc, test_queue_overflow);
	tcase_add_test(tc, test_submit_wait);
	tcase_add_test(tc, test_writer_busy);
	tcase_add_test(tc, test_disk_full);
	tcase_add_test(tc, test_close_unstarted);
	tcase_add_test(tc, test_snap_build);
	tcase_add_test(tc, test_snap_blocks);
	tcase_add_test(tc, test_migrate_1_to_2);
	tcase_add_test(tc, test_intervals);
	tcase_add_test(tc, test_migrate_2_to_3);
	tcase_add_test(tc, test_journal_commit);
	tcase_add_test(tc, test_journal_decode);
	tcase_add_test(tc, test_journal_full);
	tcase_add_test(tc, test_chunked_kill_replay);
	tcase_add_test(tc, test_journal_between_chunks);
	tcase_add_test(tc, test_journal_turns);
	tcase_add_test(tc, test_journal_retry);
	tcase_add_test(tc, test_journal_max_size);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(store_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
