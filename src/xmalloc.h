/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Allocation wrappers that exit on failure or overflow (x = "exits").
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);			/* malloc or exit */
void	*xcalloc(size_t, size_t);		/* calloc or exit */
void	*xreallocarray(void *, size_t, size_t);	/* overflow-checked realloc */
char	*xstrdup(const char *);			/* strdup or exit */
char	*xstrndup(const char *, size_t);	/* strndup or exit */
int	 xasprintf(char **, const char *, ...)	/* asprintf or exit */
	    __attribute__((format(printf, 2, 3)));

#endif
