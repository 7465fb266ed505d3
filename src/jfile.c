/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The journal's segment files (jfile.h has the format).  Appending is
 * one pwritev(2) of header and batch per frame at the segment's end;
 * a failed or short write is cut back with ftruncate(2), and a segment
 * that cannot be cut back is left (its valid part known) and the next
 * commit starts a new one.  Reading checks every frame; the first that
 * fails ends its segment's valid part.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "jfile.h"
#include "log.h"
#include "xmalloc.h"

struct jfile_seg {
	uint64_t	 name;		/* the first seq it was created for */
	uint64_t	 last;		/* of its last valid frame; 0 none */
	uint64_t	 size;		/* valid bytes */
};

struct jfile {
	char			*dir;
	int			 dirfd;
	int			 sync;
	struct jfile_seg	*segs;
	size_t			 nsegs, capsegs;
	uint64_t		 max_seq;

	int			 fd;		/* appends: segs[nsegs - 1] */
	int			 fresh;		/* opened, nothing in it yet */
	uint64_t		 mark;		/* its size at jfile_begin */
	uint64_t		 mark_last;
	int			 begun;

	unsigned char		*buf;		/* reading */
	size_t			 bufcap;
	struct jfile_stats	 stats;
};

static void	 put32(unsigned char *, uint32_t);
static void	 put64(unsigned char *, uint64_t);
static uint32_t	 get32(const unsigned char *);
static uint64_t	 get64(const unsigned char *);
static int	 jfile_seg_cmp(const void *, const void *);
static int	 jfile_scan(struct jfile *, struct jfile_seg *, int, int,
		     uint64_t, uint64_t *, jfile_frame_cb, void *, int *, int *,
		     char **);
static void	 jfile_seg_path(uint64_t, char *, size_t);
static int	 jfile_seg_new(struct jfile *, uint64_t, char **);

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t
get32(const unsigned char *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

static uint64_t
get64(const unsigned char *p)
{
	return ((uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32);
}

/* CRC-32 (zlib's) of the header's first 28 bytes and the batch. */
uint32_t
jfile_crc(const unsigned char *hdr, const void *data, size_t len)
{
	uLong	 crc;
	size_t	 chunk;
	const unsigned char *p = data;

	crc = crc32(0L, hdr, JFILE_HDR - 4);
	while (len > 0) {
		chunk = len > 0x40000000 ? 0x40000000 : len;
		crc = crc32(crc, p, (uInt)chunk);
		p += chunk;
		len -= chunk;
	}
	return ((uint32_t)crc);
}

void
jfile_header(unsigned char *hdr, uint64_t first, uint64_t last, uint32_t n,
    const void *data, size_t len)
{
	memcpy(hdr, JFILE_MAGIC, 4);
	put32(hdr + 4, (uint32_t)len);
	put64(hdr + 8, first);
	put64(hdr + 16, last);
	put32(hdr + 24, n);
	put32(hdr + 28, jfile_crc(hdr, data, len));
}

/*
 * The header's own checks, before its batch is read: the batch's
 * length and the CRC to compare with are returned.
 */
int
jfile_header_check(const unsigned char *hdr, uint64_t *first,
    uint64_t *last, uint32_t *len, uint32_t *crc, const char **why)
{
	if (memcmp(hdr, JFILE_MAGIC, 4) != 0) {
		*why = "bad magic";
		return (-1);
	}
	*len = get32(hdr + 4);
	*first = get64(hdr + 8);
	*last = get64(hdr + 16);
	*crc = get32(hdr + 28);
	if (*len > JFILE_FRAME_MAX) {
		*why = "batch too long";
		return (-1);
	}
	if (*first == 0 || *last < *first) {
		*why = "bad seqs";
		return (-1);
	}
	return (0);
}

static int
jfile_seg_cmp(const void *a, const void *b)
{
	const struct jfile_seg	*x = a, *y = b;

	return (x->name < y->name ? -1 : x->name > y->name);
}

static void
jfile_seg_path(uint64_t name, char *buf, size_t len)
{
	snprintf(buf, len, "%016" PRIx64 JFILE_SUFFIX, name);
}

struct jfile *
jfile_open(const char *dir, char **cause)
{
	struct jfile		*j;
	struct jfile_seg	*seg;
	struct dirent		*de;
	struct stat		 sb;
	DIR			*d;
	char			*end;
	uint64_t		 name, prev = 0;
	size_t			 i, len;
	int			 dfd, fd, n = 0, stop = 0;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return (NULL);
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return (NULL);
	}
	j = xcalloc(1, sizeof *j);
	j->dir = xstrdup(dir);
	j->dirfd = dfd;
	j->fd = -1;

	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		if (fd != -1)
			close(fd);
		jfile_close(j);
		return (NULL);
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len != 16 + strlen(JFILE_SUFFIX) ||
		    strcmp(de->d_name + 16, JFILE_SUFFIX) != 0 ||
		    strspn(de->d_name, "0123456789abcdef") != 16)
			continue;
		errno = 0;
		name = strtoull(de->d_name, &end, 16);
		if (errno != 0 || end != de->d_name + 16)
			continue;
		/* Only files: anything else with such a name is not ours. */
		if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (j->nsegs == j->capsegs) {
			j->capsegs = j->capsegs == 0 ? 16 : j->capsegs * 2;
			j->segs = xreallocarray(j->segs, j->capsegs,
			    sizeof *j->segs);
		}
		seg = &j->segs[j->nsegs++];
		memset(seg, 0, sizeof *seg);
		seg->name = name;
	}
	closedir(d);
	if (j->nsegs > 1)
		qsort(j->segs, j->nsegs, sizeof *j->segs, jfile_seg_cmp);

	/* Every frame checked once now: sizes, seqs, damage. */
	for (i = 0; i < j->nsegs; i++) {
		if (jfile_scan(j, &j->segs[i], 1, i == j->nsegs - 1,
		    UINT64_MAX, &prev, NULL, NULL, &n, &stop, cause) != 0) {
			jfile_close(j);
			return (NULL);
		}
		j->stats.bytes += j->segs[i].size;
	}
	j->max_seq = prev;
	j->stats.segments = j->nsegs;
	return (j);
}

void
jfile_close(struct jfile *j)
{
	if (j == NULL)
		return;
	if (j->fd != -1)
		close(j->fd);
	if (j->dirfd != -1)
		close(j->dirfd);
	free(j->segs);
	free(j->buf);
	free(j->dir);
	free(j);
}

void
jfile_set_sync(struct jfile *j, int sync)
{
	j->sync = sync;
}

uint64_t
jfile_max_seq(struct jfile *j)
{
	return (j->max_seq);
}

void
jfile_get_stats(struct jfile *j, struct jfile_stats *st)
{
	*st = j->stats;
}

const char *
jfile_dir(struct jfile *j)
{
	return (j->dir);
}

/*
 * Read one segment's frames from the start.  With check set (at open)
 * its valid size and last seq are found, and what follows the valid
 * part is counted and logged (tail: it is the last segment, so torn
 * rather than damaged); otherwise only the valid part found then is
 * read.  *prev is the last seq of the frame before, across segments.
 * Frames with last > after go to cb (counted in *n), which may stop the
 * read (*stop set).  Returns 0, or -1 on a read error.
 */
static int
jfile_scan(struct jfile *j, struct jfile_seg *seg, int check, int tail,
    uint64_t after, uint64_t *prev, jfile_frame_cb cb, void *arg, int *n,
    int *stop, char **cause)
{
	unsigned char	 hdr[JFILE_HDR];
	char		 name[64];
	const char	*why = NULL;
	struct stat	 sb;
	uint64_t	 off = 0, end, first, last;
	uint32_t	 len, crc;
	ssize_t		 r = 0;
	int		 fd;

	jfile_seg_path(seg->name, name, sizeof name);
	if ((fd = openat(j->dirfd, name, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s/%s: %s", j->dir, name, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s/%s: %s", j->dir, name, strerror(errno));
		close(fd);
		return (-1);
	}
	/* Read the valid part found at open, or what is left of it. */
	end = check ? (uint64_t)sb.st_size : seg->size;
	if (end > (uint64_t)sb.st_size)
		end = (uint64_t)sb.st_size;

	while (off < end) {
		if (end - off < JFILE_HDR) {
			why = "short header";
			break;
		}
		if ((r = pread(fd, hdr, sizeof hdr, (off_t)off)) !=
		    (ssize_t)sizeof hdr)
			goto readerr;
		if (jfile_header_check(hdr, &first, &last, &len, &crc,
		    &why) != 0)
			break;
		if (first <= *prev && last > *prev) {
			why = "seqs overlap the frame before";
			break;
		}
		if (end - off - JFILE_HDR < len) {
			why = "short batch";
			break;
		}
		if (len > j->bufcap) {
			free(j->buf);
			j->bufcap = len;
			j->buf = xmalloc(len);
		}
		if (len > 0 && (r = pread(fd, j->buf, len,
		    (off_t)(off + JFILE_HDR))) != (ssize_t)len)
			goto readerr;
		if (jfile_crc(hdr, j->buf, len) != crc) {
			why = "bad CRC";
			break;
		}
		off += JFILE_HDR + (uint64_t)len;
		/*
		 * A frame again, whole: one a failed commit wrote but could
		 * not cut back, then committed again after it.  Once only.
		 */
		if (last <= *prev)
			continue;
		*prev = last;
		if (check)
			seg->last = last;
		if (cb != NULL && last > after) {
			(*n)++;
			if (cb(first, last, get32(hdr + 24), j->buf, len,
			    arg) != 0) {
				*stop = 1;
				break;
			}
		}
	}
	close(fd);
	if (!check && why == NULL && !*stop && off < seg->size)
		why = "file shrank";
	if (check)
		seg->size = off;
	else
		end = seg->size;
	if (why == NULL)
		return (0);
	if (check && tail) {
		/* Never acknowledged; cut, so later starts do not see it. */
		j->stats.torn_bytes += end - off;
		log_notice("journal: %s/%s: %" PRIu64 " bytes at offset %"
		    PRIu64 " dropped: a write cut short (%s)", j->dir, name,
		    end - off, off, why);
		if ((fd = openat(j->dirfd, name, O_WRONLY | O_CLOEXEC)) ==
		    -1 || ftruncate(fd, (off_t)off) == -1)
			log_warn("journal: %s/%s: cannot cut", j->dir, name);
		if (fd != -1)
			close(fd);
	} else {
		j->stats.damaged_bytes += end - off;
		log_warnx("journal: %s/%s: %" PRIu64 " bytes at offset %"
		    PRIu64 " damaged, ignored (%s)", j->dir, name, end - off,
		    off, why);
	}
	return (0);

readerr:
	xasprintf(cause, "%s/%s: read at offset %" PRIu64 ": %s", j->dir,
	    name, off, r == -1 ? strerror(errno) : "file shrank");
	close(fd);
	return (-1);
}

int
jfile_read(struct jfile *j, uint64_t after, jfile_frame_cb cb, void *arg,
    char **cause)
{
	uint64_t	 prev = 0;
	size_t		 i;
	int		 n = 0, stop = 0;

	for (i = 0; i < j->nsegs && !stop; i++) {
		if (j->segs[i].last <= after) {
			if (j->segs[i].last > prev)
				prev = j->segs[i].last;
			continue;
		}
		if (jfile_scan(j, &j->segs[i], 0, 0, after, &prev, cb, arg,
		    &n, &stop, cause) != 0)
			return (-1);
	}
	return (n);
}

/* Where a commit starts: the segment's end, or a new segment. */
int
jfile_begin(struct jfile *j, char **cause)
{
	(void)cause;
	if (j->fd != -1 && j->segs[j->nsegs - 1].size >= JFILE_SEGMENT_MAX) {
		close(j->fd);
		j->fd = -1;
	}
	j->begun = 1;
	j->fresh = 0;
	if (j->fd != -1) {
		j->mark = j->segs[j->nsegs - 1].size;
		j->mark_last = j->segs[j->nsegs - 1].last;
	}
	return (0);
}

/* A new segment for frames from first on, created empty. */
static int
jfile_seg_new(struct jfile *j, uint64_t first, char **cause)
{
	struct jfile_seg	*seg;
	char			 name[64];
	size_t			 i;
	int			 fd;

	jfile_seg_path(first, name, sizeof name);
	for (;;) {
		fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0600);
		if (fd != -1 || errno != EEXIST)
			break;
		/* Only a file with no valid frame can have this name. */
		for (i = 0; i < j->nsegs; i++)
			if (j->segs[i].name == first)
				break;
		if (i == j->nsegs || j->segs[i].last != 0) {
			errno = EEXIST;
			break;
		}
		if (unlinkat(j->dirfd, name, 0) == -1)
			break;
		j->stats.bytes -= j->segs[i].size;
		memmove(&j->segs[i], &j->segs[i + 1],
		    (j->nsegs - i - 1) * sizeof *j->segs);
		j->nsegs--;
	}
	if (fd == -1) {
		xasprintf(cause, "%s/%s: %s", j->dir, name, strerror(errno));
		return (-1);
	}
	if (j->nsegs == j->capsegs) {
		j->capsegs = j->capsegs == 0 ? 16 : j->capsegs * 2;
		j->segs = xreallocarray(j->segs, j->capsegs, sizeof *j->segs);
	}
	seg = &j->segs[j->nsegs++];
	memset(seg, 0, sizeof *seg);
	seg->name = first;
	j->stats.segments = j->nsegs;
	j->fd = fd;
	j->fresh = 1;
	j->mark = 0;
	j->mark_last = 0;
	return (0);
}

int
jfile_add(struct jfile *j, uint64_t first, uint64_t last, uint32_t n,
    const void *data, size_t len, char **cause)
{
	struct jfile_seg	*seg;
	unsigned char		 hdr[JFILE_HDR];
	struct iovec		 iov[2];
	uint64_t		 off, done = 0, total;
	ssize_t			 r;

	if (len > JFILE_FRAME_MAX || first == 0 || last < first) {
		errno = EINVAL;
		xasprintf(cause, "%s: batch %" PRIu64 "-%" PRIu64 " of %zu "
		    "bytes cannot be a frame", j->dir, first, last, len);
		return (-1);
	}
	if (j->fd == -1 && jfile_seg_new(j, first, cause) != 0)
		return (-1);
	seg = &j->segs[j->nsegs - 1];
	jfile_header(hdr, first, last, n, data, len);
	total = JFILE_HDR + (uint64_t)len;
	off = seg->size;
	while (done < total) {
		if (done < JFILE_HDR) {
			iov[0].iov_base = hdr + done;
			iov[0].iov_len = JFILE_HDR - done;
			iov[1].iov_base = (void *)(uintptr_t)data;
			iov[1].iov_len = len;
			r = pwritev(j->fd, iov, 2, (off_t)(off + done));
		} else
			r = pwrite(j->fd, (const unsigned char *)data +
			    (done - JFILE_HDR), total - done,
			    (off_t)(off + done));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			xasprintf(cause, "%s/%016" PRIx64 JFILE_SUFFIX ": "
			    "write at offset %" PRIu64 ": %s", j->dir,
			    seg->name, off + done, strerror(errno));
			return (-1);
		}
		done += (uint64_t)r;
	}
	seg->size += total;
	seg->last = last;
	j->stats.bytes += total;
	return (0);
}

int
jfile_commit(struct jfile *j, char **cause)
{
	struct jfile_seg	*seg;

	j->begun = 0;
	if (j->fd == -1)
		return (0);
	seg = &j->segs[j->nsegs - 1];
	if (j->sync && (fdatasync(j->fd) == -1 ||
	    (j->fresh && fsync(j->dirfd) == -1))) {
		xasprintf(cause, "%s/%016" PRIx64 JFILE_SUFFIX ": sync: %s",
		    j->dir, seg->name, strerror(errno));
		return (-1);
	}
	j->fresh = 0;
	if (seg->last > j->max_seq)
		j->max_seq = seg->last;
	return (0);
}

/*
 * Undo a commit: cut the segment back, or remove it if the commit
 * created it.  If that fails, the segment is left and a new one takes
 * the next commit; a frame left whole there is read once only.
 */
void
jfile_rollback(struct jfile *j)
{
	struct jfile_seg	*seg;
	char			 name[64];

	j->begun = 0;
	if (j->fd == -1)
		return;
	seg = &j->segs[j->nsegs - 1];
	jfile_seg_path(seg->name, name, sizeof name);
	j->stats.bytes -= seg->size - j->mark;
	if (j->fresh) {
		close(j->fd);
		j->fd = -1;
		if (unlinkat(j->dirfd, name, 0) == 0) {
			j->nsegs--;
			j->stats.segments = j->nsegs;
			return;
		}
		log_warn("journal: %s/%s: cannot remove", j->dir, name);
	} else if (ftruncate(j->fd, (off_t)j->mark) == -1) {
		log_warn("journal: %s/%s: cannot cut back to %" PRIu64,
		    j->dir, name, j->mark);
		close(j->fd);
		j->fd = -1;
	}
	seg->size = j->mark;
	seg->last = j->mark_last;
	j->fresh = 0;
}

void
jfile_rotate(struct jfile *j)
{
	if (j->fd != -1 && !j->begun) {
		close(j->fd);
		j->fd = -1;
	}
}

int
jfile_trim(struct jfile *j, uint64_t seq, char **cause)
{
	char	 name[64];
	size_t	 i, kept = 0;
	int	 deleted = 0, failed = 0, current;

	for (i = 0; i < j->nsegs; i++) {
		current = j->fd != -1 && i == j->nsegs - 1;
		if (j->segs[i].last > seq) {
			j->segs[kept++] = j->segs[i];
			continue;
		}
		jfile_seg_path(j->segs[i].name, name, sizeof name);
		if (unlinkat(j->dirfd, name, 0) == -1 && errno != ENOENT) {
			if (!failed)
				xasprintf(cause, "%s/%s: %s", j->dir, name,
				    strerror(errno));
			failed = 1;
			j->segs[kept++] = j->segs[i];
			continue;
		}
		if (current) {
			close(j->fd);
			j->fd = -1;
		}
		j->stats.bytes -= j->segs[i].size;
		deleted++;
	}
	j->nsegs = kept;
	j->stats.segments = kept;
	j->stats.deleted += (uint64_t)deleted;
	return (failed ? -1 : deleted);
}
