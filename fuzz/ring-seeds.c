/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Write the ring_restore() seeds of fuzz/corpus/ring: rings filled from
 * real events and serialized with ring_serialize(), so the seeds follow
 * the blob format.  Rerun after a change to the format (RING_VERSION, the
 * struct agg fields or the sketch encoding), then redo the damaged copies
 * (README.md):
 *   cc -include BUILD/config.h -Isrc fuzz/ring-seeds.c BUILD/src/libcallscore.a \
 *	$(pkg-config --libs yajl) -lm -o /tmp/ring-seeds
 *   cd fuzz/corpus/ring && /tmp/ring-seeds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "event.h"
#include "window.h"

#define SEED_NOW_MS	1795340000123ULL	/* as in fuzz_ring.c */

static const char *seed_lines[] = {
	"{\"type\":\"call\",\"call_id\":\"c1\",\"queue\":\"q\",\"outcome\":"
	    "\"answered\",\"wait\":12.5,\"talk\":245,\"hold\":30,\"wrap\":40,"
	    "\"resolved\":true,\"first_contact\":true,\"csat\":5,\"nps\":9,"
	    "\"revenue\":10}",
	"{\"type\":\"call\",\"call_id\":\"c2\",\"queue\":\"q\",\"outcome\":"
	    "\"abandoned\",\"wait\":3}",
	"{\"type\":\"call\",\"call_id\":\"c3\",\"queue\":\"q\",\"outcome\":"
	    "\"timeout\",\"wait\":600}",
	"{\"type\":\"survey\",\"call_id\":\"c1\",\"csat\":2,\"nps\":3}",
	"{\"type\":\"qa\",\"agent\":\"a\",\"scores\":{\"greeting\":5,"
	    "\"listening\":1}}",
	"{\"type\":\"esat\",\"agent\":\"a\",\"score\":4}",
	"{\"type\":\"call\",\"call_id\":\"c4\",\"queue\":\"q\",\"outcome\":"
	    "\"answered\",\"wait\":0,\"talk\":0.0005,\"transferred\":true}",
};
#define SEED_NLINES	(sizeof seed_lines / sizeof seed_lines[0])

static void
seed_write(const char *name, const unsigned char *buf, size_t len)
{
	FILE	*f;

	if ((f = fopen(name, "wb")) == NULL ||
	    fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(name);
		exit(1);
	}
	printf("%s: %zu bytes\n", name, len);
}

/* A ring of def with the first n events, spaced step_ms apart. */
static void
seed_ring(const char *name, const struct window_def *def, size_t n,
    uint64_t step_ms, struct sketch_pool *pool)
{
	struct agg_params	 ap = { 20, 5,
	    { "greeting", "listening", "knowledge", "resolution" }, 4 };
	struct event_parser	*p = event_parser_new();
	struct event		 ev;
	struct contrib		 c;
	struct ring		*r = ring_new(def);
	unsigned char		*buf;
	char			 reason[EVENT_REASON_MAX];
	size_t			 i, len;

	for (i = 0; i < n; i++) {
		if (event_parse(p, seed_lines[i], strlen(seed_lines[i]), &ev,
		    reason, sizeof reason) != EVENT_OK) {
			fprintf(stderr, "%s: %s\n", seed_lines[i], reason);
			exit(1);
		}
		if (agg_contrib(&ev, &ap, &c) != 0)
			continue;
		ring_add(r, def, SEED_NOW_MS - i * step_ms, SEED_NOW_MS, &c,
		    pool);
	}
	buf = ring_serialize(r, def, SEED_NOW_MS, &len);
	seed_write(name, buf, len);
	free(buf);
	ring_free(r, pool);
	event_parser_free(p);
}

int
main(void)
{
	struct sketch_pool	*pool = sketch_pool_new();
	struct window_def	 d5, d1h;

	if (window_def_init(&d5, "5m", 60) != 0 ||
	    window_def_init(&d1h, "1h", 12) != 0) {
		fprintf(stderr, "window_def_init failed\n");
		return (1);
	}
	seed_ring("empty", &d5, 0, 0, pool);
	seed_ring("one-call", &d5, 1, 0, pool);
	seed_ring("slot-all-kinds", &d5, SEED_NLINES, 1000, pool);
	seed_ring("spread-slots", &d5, SEED_NLINES, 37000, pool);
	seed_ring("coarse-1h", &d1h, SEED_NLINES, 1000, pool);
	sketch_pool_free(pool);
	return (0);
}
