/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Fuzz jfile_open() and jfile_read(), which check the journal's segment
 * files at start: whatever the files hold, only frames that check are
 * handed over, once each, in seq order, and every byte is accounted for
 * as valid, torn or damaged.  Then one commit, a reopen and a trim must
 * keep all of that.
 *
 * The input: two bytes (little-endian) then the files' bytes.  The low
 * 15 bits of the two are where the files' bytes are split between
 * 0000000000000001.jnl and 0000000000000002.jnl (past the end, or
 * 0x7fff: all in the first, no second file); the top bit asks for the
 * CRC of every frame found walking each file (good magic, batch within
 * the file) to be set right first, so that mutated seqs and lengths get
 * past the CRC check.  Under two bytes, there is no file at all.  The
 * files go into a directory made once.
 */
#include <sys/types.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "jfile.h"
#include "log.h"

#define FUZZ_SPLIT_NONE	0x7fff
#define FUZZ_FIX_CRC	0x8000

/* The frames a read handed over, and where they were found. */
struct fuzz_read {
	const uint8_t	*part[3];	/* the files' bytes, the new frame */
	size_t		 plen[3];
	int		 ip;		/* searching part[ip] from cur */
	size_t		 cur;
	uint64_t	 after;
	size_t		 stop_at;	/* stop on this frame (1-based) */
	size_t		 count, cap;
	uint64_t	*first, *last;
	uint32_t	*n, *crc;
	size_t		*len;
	uint64_t	 bytes;		/* their frames' sizes */
};

static char	 fuzz_dir[64];

static void	 fuzz_cleanup(void);
static void	 fuzz_rmfiles(void);
static void	 fuzz_write(uint64_t, const uint8_t *, size_t);
static void	 fuzz_fix_crcs(uint8_t *, size_t);
static int	 fuzz_find(struct fuzz_read *, const unsigned char *,
		    const unsigned char *, size_t);
static int	 fuzz_frame(uint64_t, uint64_t, uint32_t,
		    const unsigned char *, size_t, void *);
static void	 fuzz_read(struct jfile *, struct fuzz_read *, uint64_t,
		    size_t);
static void	 fuzz_free(struct fuzz_read *);
static void	 fuzz_same(const struct fuzz_read *, size_t,
		    const struct fuzz_read *);

static void
fuzz_cleanup(void)
{
	fuzz_rmfiles();
	rmdir(fuzz_dir);
}

/* Empty the directory. */
static void
fuzz_rmfiles(void)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[PATH_MAX];

	FUZZ_CHECK((d = opendir(fuzz_dir)) != NULL);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", fuzz_dir, de->d_name);
		FUZZ_CHECK(unlink(path) == 0);
	}
	closedir(d);
}

/* Segment name gets exactly p[0..len). */
static void
fuzz_write(uint64_t name, const uint8_t *p, size_t len)
{
	char	path[PATH_MAX];
	ssize_t	r;
	int	fd;

	snprintf(path, sizeof path, "%s/%016" PRIx64 JFILE_SUFFIX, fuzz_dir,
	    name);
	FUZZ_CHECK((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) !=
	    -1);
	while (len > 0) {
		r = write(fd, p, len);
		FUZZ_CHECK(r > 0);
		p += r;
		len -= (size_t)r;
	}
	FUZZ_CHECK(close(fd) == 0);
}

/* Set the CRC of each frame a walk from the start finds. */
static void
fuzz_fix_crcs(uint8_t *p, size_t len)
{
	size_t		off = 0;
	uint32_t	blen, crc;

	while (len - off >= JFILE_HDR &&
	    memcmp(p + off, JFILE_MAGIC, 4) == 0) {
		blen = (uint32_t)p[off + 4] | (uint32_t)p[off + 5] << 8 |
		    (uint32_t)p[off + 6] << 16 | (uint32_t)p[off + 7] << 24;
		if (blen > len - off - JFILE_HDR)
			break;
		crc = jfile_crc(p + off, p + off + JFILE_HDR, blen);
		p[off + 28] = (uint8_t)crc;
		p[off + 29] = (uint8_t)(crc >> 8);
		p[off + 30] = (uint8_t)(crc >> 16);
		p[off + 31] = (uint8_t)(crc >> 24);
		off += JFILE_HDR + blen;
	}
}

/*
 * Find header and batch, whole and in a row, in the files at or after
 * where the frame before was found: frames come in file order.
 */
static int
fuzz_find(struct fuzz_read *r, const unsigned char *hdr,
    const unsigned char *data, size_t len)
{
	const uint8_t	*p;
	size_t		 off, plen;

	for (; r->ip < 3; r->ip++, r->cur = 0) {
		p = r->part[r->ip];
		plen = r->plen[r->ip];
		for (off = r->cur; plen >= JFILE_HDR + len &&
		    off <= plen - JFILE_HDR - len; off++) {
			if (memcmp(p + off, hdr, JFILE_HDR) != 0 ||
			    (len > 0 && memcmp(p + off + JFILE_HDR, data,
			    len) != 0))
				continue;
			r->cur = off + JFILE_HDR + len;
			return (1);
		}
	}
	return (0);
}

static int
fuzz_frame(uint64_t first, uint64_t last, uint32_t n,
    const unsigned char *data, size_t len, void *arg)
{
	struct fuzz_read	*r = arg;
	unsigned char		 hdr[JFILE_HDR];
	const char		*why = NULL;
	uint64_t		 f2, l2;
	uint32_t		 len2, crc, stored;

	FUZZ_CHECK(first != 0 && last >= first);
	FUZZ_CHECK(last > r->after);
	FUZZ_CHECK(len <= JFILE_FRAME_MAX);
	/* After the frame before, never overlapping it. */
	FUZZ_CHECK(r->count == 0 || first > r->last[r->count - 1]);

	/* Rebuilt, the header checks and its CRC is the batch's... */
	jfile_header(hdr, first, last, n, data, len);
	FUZZ_CHECK(jfile_header_check(hdr, &f2, &l2, &len2, &crc, &why) ==
	    0);
	FUZZ_CHECK(f2 == first && l2 == last && len2 == len);
	stored = (uint32_t)hdr[28] | (uint32_t)hdr[29] << 8 |
	    (uint32_t)hdr[30] << 16 | (uint32_t)hdr[31] << 24;
	FUZZ_CHECK(crc == stored && crc == jfile_crc(hdr, data, len));
	/* ...and the frame, CRC and all, is in the files as it was read. */
	FUZZ_CHECK(fuzz_find(r, hdr, data, len));

	if (r->count == r->cap) {
		r->cap = r->cap == 0 ? 16 : r->cap * 2;
		FUZZ_CHECK((r->first = realloc(r->first, r->cap *
		    sizeof *r->first)) != NULL);
		FUZZ_CHECK((r->last = realloc(r->last, r->cap *
		    sizeof *r->last)) != NULL);
		FUZZ_CHECK((r->n = realloc(r->n, r->cap * sizeof *r->n)) !=
		    NULL);
		FUZZ_CHECK((r->crc = realloc(r->crc, r->cap *
		    sizeof *r->crc)) != NULL);
		FUZZ_CHECK((r->len = realloc(r->len, r->cap *
		    sizeof *r->len)) != NULL);
	}
	r->first[r->count] = first;
	r->last[r->count] = last;
	r->n[r->count] = n;
	r->crc[r->count] = crc;
	r->len[r->count] = len;
	r->count++;
	r->bytes += JFILE_HDR + (uint64_t)len;
	return (r->stop_at != 0 && r->count == r->stop_at);
}

/* Read with after and stop_at into r, which starts empty. */
static void
fuzz_read(struct jfile *j, struct fuzz_read *r, uint64_t after,
    size_t stop_at)
{
	char	*cause = NULL;
	int	 got;

	r->ip = 0;
	r->cur = 0;
	r->count = 0;
	r->bytes = 0;
	r->after = after;
	r->stop_at = stop_at;
	got = jfile_read(j, after, fuzz_frame, r, &cause);
	FUZZ_CHECK(got >= 0 && cause == NULL);
	FUZZ_CHECK((size_t)got == r->count);
}

static void
fuzz_free(struct fuzz_read *r)
{
	free(r->first);
	free(r->last);
	free(r->n);
	free(r->crc);
	free(r->len);
}

/* b holds exactly the frames of a from the k-th on. */
static void
fuzz_same(const struct fuzz_read *a, size_t k, const struct fuzz_read *b)
{
	size_t	i;

	FUZZ_CHECK(b->count == a->count - k);
	for (i = 0; i < b->count; i++) {
		FUZZ_CHECK(b->first[i] == a->first[k + i]);
		FUZZ_CHECK(b->last[i] == a->last[k + i]);
		FUZZ_CHECK(b->n[i] == a->n[k + i]);
		FUZZ_CHECK(b->crc[i] == a->crc[k + i]);
		FUZZ_CHECK(b->len[i] == a->len[k + i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jfile		*j;
	struct jfile_stats	 s, s2;
	struct fuzz_read	 r, r2;
	uint8_t			*buf, frame[JFILE_HDR + 40];
	char			*cause = NULL;
	size_t			 len, split, nfiles, k, last_file;
	uint64_t		 seq, max;
	unsigned		 ctl;

	if (fuzz_dir[0] == '\0') {
		snprintf(fuzz_dir, sizeof fuzz_dir, "%s",
		    "/tmp/fuzz_jfile.XXXXXX");
		FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL);
		atexit(fuzz_cleanup);
		log_set_level(LOG_LEVEL_ERR);
	}
	/* Under two bytes: an empty directory. */
	ctl = size < 2 ? 0 : (unsigned)data[0] | (unsigned)data[1] << 8;
	len = size < 2 ? 0 : size - 2;
	FUZZ_CHECK((buf = malloc(len == 0 ? 1 : len)) != NULL);
	if (len > 0)
		memcpy(buf, data + 2, len);
	split = ctl & FUZZ_SPLIT_NONE;
	if (split == FUZZ_SPLIT_NONE || split > len)
		split = len;
	if (size < 2)
		nfiles = 0;
	else if ((ctl & FUZZ_SPLIT_NONE) == FUZZ_SPLIT_NONE ||
	    (ctl & FUZZ_SPLIT_NONE) > len)
		nfiles = 1;
	else
		nfiles = 2;
	if (ctl & FUZZ_FIX_CRC) {
		fuzz_fix_crcs(buf, split);
		fuzz_fix_crcs(buf + split, len - split);
	}
	if (nfiles > 0)
		fuzz_write(1, buf, split);
	if (nfiles == 2)
		fuzz_write(2, buf + split, len - split);
	last_file = nfiles == 2 ? len - split : split;

	memset(&r, 0, sizeof r);
	memset(&r2, 0, sizeof r2);
	r.part[0] = r2.part[0] = buf;
	r.plen[0] = r2.plen[0] = split;
	r.part[1] = r2.part[1] = buf + split;
	r.plen[1] = r2.plen[1] = len - split;
	r.part[2] = r2.part[2] = NULL;
	r.plen[2] = r2.plen[2] = 0;

	j = jfile_open(fuzz_dir, &cause);
	FUZZ_CHECK(j != NULL && cause == NULL);
	jfile_get_stats(j, &s);
	/* Every byte is valid, torn or damaged; torn only in the last. */
	FUZZ_CHECK(s.bytes + s.torn_bytes + s.damaged_bytes == len);
	FUZZ_CHECK(s.segments == nfiles && s.deleted == 0);
	FUZZ_CHECK(s.torn_bytes <= last_file);
	FUZZ_CHECK(s.damaged_bytes <= len - last_file);

	fuzz_read(j, &r, 0, 0);
	FUZZ_CHECK(r.bytes <= s.bytes);
	FUZZ_CHECK(jfile_max_seq(j) ==
	    (r.count == 0 ? 0 : r.last[r.count - 1]));
	/* Again, after frames already seen, and stopped: the same. */
	fuzz_read(j, &r2, 0, 0);
	fuzz_same(&r, 0, &r2);
	if (r.count > 0) {
		k = r.count / 2;
		fuzz_read(j, &r2, r.last[k], 0);
		fuzz_same(&r, k + 1, &r2);
		if (r.first[k] < r.last[k]) {
			/* Inside frame k: it comes whole. */
			fuzz_read(j, &r2, r.first[k], 0);
			fuzz_same(&r, k, &r2);
		}
		fuzz_read(j, &r2, r.first[0] - 1, 0);
		fuzz_same(&r, 0, &r2);
		fuzz_read(j, &r2, r.last[r.count - 1], 0);
		FUZZ_CHECK(r2.count == 0);
		fuzz_read(j, &r2, 0, 1);
		FUZZ_CHECK(r2.count == 1 && r2.last[0] == r.last[0]);
		fuzz_read(j, &r2, 0, r.count);
		fuzz_same(&r, 0, &r2);
	}

	/*
	 * One commit after everything, in a new file named after it (its
	 * seq sorts after both files); reopened, nothing is torn, the same
	 * damage is found, and the frames are those before and this one.
	 */
	max = jfile_max_seq(j);
	if (max >= UINT64_MAX - 8)
		goto done;
	seq = (max > 2 ? max : 2) + 1;
	k = len < 40 ? len : 40;
	jfile_header(frame, seq, seq + (len & 3), (uint32_t)len, buf, k);
	memcpy(frame + JFILE_HDR, buf, k);
	r.part[2] = r2.part[2] = frame;
	r.plen[2] = r2.plen[2] = JFILE_HDR + k;
	FUZZ_CHECK(jfile_begin(j, &cause) == 0);
	FUZZ_CHECK(jfile_add(j, seq, seq + (len & 3), (uint32_t)len, buf, k,
	    &cause) == 0);
	FUZZ_CHECK(jfile_commit(j, &cause) == 0 && cause == NULL);
	FUZZ_CHECK(jfile_max_seq(j) == seq + (len & 3));
	jfile_close(j);

	j = jfile_open(fuzz_dir, &cause);
	FUZZ_CHECK(j != NULL && cause == NULL);
	jfile_get_stats(j, &s2);
	FUZZ_CHECK(s2.torn_bytes == 0);
	FUZZ_CHECK(s2.damaged_bytes == s.damaged_bytes);
	FUZZ_CHECK(s2.bytes == s.bytes + JFILE_HDR + k);
	FUZZ_CHECK(s2.segments == nfiles + 1);
	FUZZ_CHECK(jfile_max_seq(j) == seq + (len & 3));
	fuzz_read(j, &r2, 0, 0);
	FUZZ_CHECK(r2.count == r.count + 1);
	r2.count--;
	fuzz_same(&r, 0, &r2);
	FUZZ_CHECK(r2.first[r.count] == seq && r2.len[r.count] == k);
	fuzz_read(j, &r2, max, 0);
	FUZZ_CHECK(r2.count == 1 && r2.first[0] == seq);

	/* Trimmed to the seqs before it, only its file is left. */
	FUZZ_CHECK(jfile_trim(j, max, &cause) == (int)nfiles);
	FUZZ_CHECK(cause == NULL);
	jfile_get_stats(j, &s2);
	FUZZ_CHECK(s2.segments == 1 && s2.deleted == nfiles);
	FUZZ_CHECK(s2.bytes == JFILE_HDR + k);
	fuzz_read(j, &r2, 0, 0);
	FUZZ_CHECK(r2.count == 1 && r2.first[0] == seq);

done:
	jfile_close(j);
	fuzz_rmfiles();
	fuzz_free(&r);
	fuzz_free(&r2);
	free(buf);
	return (0);
}
