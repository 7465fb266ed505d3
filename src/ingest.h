/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The ingest path: one event line in, aggregates updated.  Shared by
 * every listener (TCP, Unix, UDP) so they count and judge lines alike.
 */
#ifndef INGEST_H
#define INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct callscored;

/*
 * Parse, check and apply one line (no newline), received at now_ms
 * (clock_now_ms() when its read returned: the callers read the clock
 * once for all the lines of a read).  Counts it.  Returns EVENT_OK or
 * the reason it was rejected, with text in reason.  An accepted event's
 * seq is then cs->seq.  A durable line (the int) is refused
 * (EVENT_ERR_JOURNAL_FULL) when the journal cannot take it.
 */
enum event_error	ingest_line(struct callscored *, const char *, size_t,
			    int, uint64_t, char *, size_t);
/*
 * Apply the journal's records past the last snapshot (after restore,
 * before listening) and set cs->seq past every seq the database knows.
 * Returns the events replayed, or -1 with *cause.
 */
int			ingest_replay(struct callscored *, char **);
/* Count a line rejected before parsing (too long). */
void			ingest_reject(struct callscored *, enum event_error);
/*
 * Add every agent's busy and ready seconds up to now to the windows, so
 * that a long stretch lands in the slots it spans; call once a second.
 */
void			ingest_live_flush(struct callscored *);

#endif
