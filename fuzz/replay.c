/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * A main() for a fuzz harness built without libFuzzer: run the harness
 * once on each file named (a directory means every file in it), so
 * `make check` replays the committed corpus and crash reproducers with
 * any compiler.  A broken invariant aborts; ASan or valgrind, if used,
 * report memory errors as usual.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define REPLAY_FILE_MAX	(1024 * 1024)

static int	replay_file(const char *);
static int	replay_dir(const char *);

static int	replay_count;

/* Run the harness on one file, in a buffer of exactly its size. */
static int
replay_file(const char *path)
{
	FILE		*f;
	unsigned char	*buf;
	size_t		 len;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return (-1);
	}
	if ((buf = malloc(REPLAY_FILE_MAX)) == NULL) {
		fclose(f);
		fprintf(stderr, "out of memory\n");
		return (-1);
	}
	len = fread(buf, 1, REPLAY_FILE_MAX, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "%s: read error or larger than %d bytes\n",
		    path, REPLAY_FILE_MAX);
		fclose(f);
		free(buf);
		return (-1);
	}
	fclose(f);
	/* A tight copy, so a read past the end is caught. */
	buf = realloc(buf, len == 0 ? 1 : len);
	if (buf == NULL) {
		fprintf(stderr, "out of memory\n");
		return (-1);
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replay_count++;
	return (0);
}

static int
replay_dir(const char *path)
{
	DIR		*d;
	struct dirent	*de;
	char		*sub;
	int		 rc = 0;

	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) == -1) {
			rc = -1;
			break;
		}
		if (replay_file(sub) != 0)
			rc = -1;
		free(sub);
	}
	closedir(d);
	return (rc);
}

int
main(int argc, char **argv)
{
	struct stat	 sb;
	int		 i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(sb.st_mode)) {
			if (replay_dir(argv[i]) != 0)
				rc = 1;
		} else if (replay_file(argv[i]) != 0)
			rc = 1;
	}
	printf("%s: %d inputs replayed\n", argv[0], replay_count);
	return (rc);
}
