/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Configuration files in memory for the fuzz harnesses; see confio.h.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <unistd.h>

#include "conf.h"
#include "confio.h"
#include "fuzz.h"

static int	confio_fd[CONFIO_SLOTS] = { -1, -1, -1, -1 };
static char	confio_path[CONFIO_SLOTS][64];

const char *
confio_file(int i, const void *data, size_t size)
{
	FUZZ_CHECK(i >= 0 && i < CONFIO_SLOTS);
	if (confio_fd[i] == -1) {
		confio_fd[i] = memfd_create("confio", MFD_CLOEXEC);
		FUZZ_CHECK(confio_fd[i] != -1);
		snprintf(confio_path[i], sizeof confio_path[i],
		    "/proc/self/fd/%d", confio_fd[i]);
	}
	FUZZ_CHECK(ftruncate(confio_fd[i], 0) == 0);
	FUZZ_CHECK(size == 0 ||
	    pwrite(confio_fd[i], data, size, 0) == (ssize_t)size);
	return (confio_path[i]);
}

char *
confio_print(const struct conf *c, size_t *len)
{
	FILE	*f;
	char	*buf = NULL;

	f = open_memstream(&buf, len);
	FUZZ_CHECK(f != NULL);
	conf_print(c, f);
	FUZZ_CHECK(fclose(f) == 0);
	return (buf);
}
