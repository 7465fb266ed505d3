/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The yajl-based event line parser, the oracle of fuzz_event_diff
 * (fuzz/event_yajl.c).  Same contract as event_parser_new(),
 * event_parser_free() and event_parse() in src/event.h.
 */
#ifndef EVENT_YAJL_H
#define EVENT_YAJL_H

#include <stddef.h>

#include "event.h"

struct event_yajl_parser;

/* A reusable parser; one per thread. */
struct event_yajl_parser *event_yajl_parser_new(void);
void			 event_yajl_parser_free(struct event_yajl_parser *);
/* Parse len bytes into ev, as event_parse() does. */
enum event_error	 event_yajl_parse(struct event_yajl_parser *,
			    const char *, size_t, struct event *, char *,
			    size_t);

#endif
