/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Snapshots: the aggregate state and KPI values of every scope, built on
 * the loop a slice of scopes at a time (so a large table never stalls
 * ingestion) and handed whole to the store's writer thread.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stdint.h>

struct callscored;
struct snapshot;
struct store_result;

/* Called on the loop when the snapshot a caller waited for is done. */
typedef void	(*snapshot_done_cb)(const struct store_result *, void *);

/* The loop's side of the last snapshot built in slices (not the final). */
struct snapshot_stats {
	uint64_t	 built;		/* snapshots built so, since start */
	double		 build;		/* seconds of loop time building it */
	double		 longest_step;	/* seconds: its longest loop turn */
};

struct snapshot	*snapshot_new(struct callscored *);
void		 snapshot_get_stats(const struct snapshot *,
		    struct snapshot_stats *);
void		 snapshot_free(struct snapshot *);
/* Start one (or join the one being built); cb may be NULL. */
void		 snapshot_request(struct snapshot *, snapshot_done_cb, void *);
/* Forget waiters with this arg (a client went away). */
void		 snapshot_cancel(struct snapshot *, void *);
/* Build and submit a snapshot now, in one go (at exit). */
void		 snapshot_final(struct snapshot *);
/* The store finished a snapshot (from the store's done callback). */
void		 snapshot_done(struct snapshot *, const struct store_result *);
/* Restore saved state into the scopes; returns rows or -1 with *cause. */
int		 snapshot_restore(struct callscored *, char **);

#endif
