/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * What the configuration harnesses (fuzz_conf, fuzz_reload) share:
 * conf_load() reads a path, so inputs go into memfds opened through
 * /proc/self/fd, one per slot and reused; and conf_print() into memory.
 */
#ifndef CONFIO_H
#define CONFIO_H

#include <stddef.h>

struct conf;

#define CONFIO_SLOTS	4

/* Put data in memfd slot i (0 to CONFIO_SLOTS - 1); returns its path. */
const char	*confio_file(int, const void *, size_t);
/* conf_print() into a buffer the caller frees; its length in *len. */
char		*confio_print(const struct conf *, size_t *);

#endif
