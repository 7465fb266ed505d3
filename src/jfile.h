/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The journal's files: the batches of accepted events (journal.c builds
 * them), appended as frames to segment files in a directory beside the
 * database, read back at start, and deleted whole once a snapshot holds
 * their events.  Written by the store's writer thread only, read on the
 * loop before it starts.
 *
 * A segment is named after the first seq it holds, 16 hex digits and
 * ".jnl", so that names sort in seq order.  A frame is a 32-byte header
 * followed by the batch:
 *
 *	offset	size	field (little-endian)
 *	0	4	magic "CSJ1"
 *	4	4	length of the batch in bytes
 *	8	8	first seq
 *	16	8	last seq
 *	24	4	records in the batch
 *	28	4	CRC-32 of bytes 0-27 and the batch
 *
 * A frame that fails any check (magic, length, seqs going backwards,
 * CRC) ends its segment's valid part: at the end of the last segment it
 * is a write cut short by a crash (torn), elsewhere damage; neither is
 * ever handed to a reader, and appends always start a new segment after
 * a start, so nothing is ever written after bytes that did not check.
 */
#ifndef JFILE_H
#define JFILE_H

#include <stddef.h>
#include <stdint.h>

#define JFILE_MAGIC		"CSJ1"
#define JFILE_HDR		32
#define JFILE_FRAME_MAX		(1024U * 1024 * 1024)	/* batch bytes */
#define JFILE_SEGMENT_MAX	(64 * 1024 * 1024)	/* then a new one */
#define JFILE_SUFFIX		".jnl"

struct jfile;

struct jfile_stats {
	uint64_t	segments;	/* files now */
	uint64_t	bytes;		/* their valid bytes */
	uint64_t	deleted;	/* segments deleted by trims */
	uint64_t	torn_bytes;	/* found at open after the last frame */
	uint64_t	damaged_bytes;	/* found at open elsewhere */
};

/* One frame: its seqs, records and batch (valid during the call). */
typedef int	(*jfile_frame_cb)(uint64_t, uint64_t, uint32_t,
		    const unsigned char *, size_t, void *);

/*
 * Open (creating, mode 0700) the directory and check every segment in
 * it; torn and damaged bytes are counted and logged, and skipped.
 */
struct jfile	*jfile_open(const char *, char **);
void		 jfile_close(struct jfile *);
/* fdatasync(2) after each commit, and the directory after a new file. */
void		 jfile_set_sync(struct jfile *, int);
/* The highest last seq of any valid frame, 0 if none. */
uint64_t	 jfile_max_seq(struct jfile *);
void		 jfile_get_stats(struct jfile *, struct jfile_stats *);
const char	*jfile_dir(struct jfile *);

/*
 * Call cb for each valid frame with last > after, in seq order; cb
 * returns non-zero to stop.  Returns the frames passed to cb, or -1
 * with *cause set on a read error.
 */
int		 jfile_read(struct jfile *, uint64_t, jfile_frame_cb, void *,
		    char **);

/*
 * A commit: jfile_begin(), jfile_add() for each batch, then
 * jfile_commit(), or jfile_rollback() after a failure, which cuts the
 * segment back to where jfile_begin() found it.  A commit never spans
 * two segments; a new one starts at jfile_begin() when the last has
 * JFILE_SEGMENT_MAX bytes or was trimmed.  Each returns 0, or -1 with
 * errno and *cause set.
 */
int		 jfile_begin(struct jfile *, char **);
int		 jfile_add(struct jfile *, uint64_t, uint64_t, uint32_t,
		    const void *, size_t, char **);
int		 jfile_commit(struct jfile *, char **);
void		 jfile_rollback(struct jfile *);

/* The next commit starts a new segment (a snapshot begins). */
void		 jfile_rotate(struct jfile *);

/*
 * Delete every segment whose frames all have last <= seq (and those
 * holding no valid frame).  Returns the segments deleted, or -1 with
 * *cause set when one could not be (the others are still deleted).
 */
int		 jfile_trim(struct jfile *, uint64_t, char **);

/* Encode a frame header; check one (0, or -1 with *why set). */
void		 jfile_header(unsigned char *, uint64_t, uint64_t, uint32_t,
		    const void *, size_t);
int		 jfile_header_check(const unsigned char *, uint64_t *,
		    uint64_t *, uint32_t *, uint32_t *, const char **);
uint32_t	 jfile_crc(const unsigned char *, const void *, size_t);

#endif /* JFILE_H */
