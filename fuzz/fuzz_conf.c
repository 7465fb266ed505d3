/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Fuzz the configuration loader (libyaml, then our key table and
 * validation).  A bad file at SIGHUP must be refused, never crash the
 * running daemon.  conf_load() reads a path, so the input goes into a
 * memfd opened through /proc/self/fd.  Whatever loads must print as
 * YAML that loads again to the same configuration, as conf_print()
 * promises (`callscored -p` output is meant to be a valid config).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "conf.h"
#include "confio.h"
#include "fuzz.h"

/* The accessors the daemon calls on a loaded configuration. */
static void
fuzz_use(const struct conf *c)
{
	struct agg_params	 ap;
	size_t			 i;

	FUZZ_CHECK(c->nwindows >= 1 && c->nwindows <= CONF_WINDOWS_MAX);
	FUZZ_CHECK(c->nqa <= AGG_QA_MAX);
	for (i = 0; i < c->nwindows; i++) {
		FUZZ_CHECK(c->windows[i].slot_ms > 0);
		FUZZ_CHECK(c->windows[i].nslots > 0);
		FUZZ_CHECK(conf_window(c, c->windows[i].name) != NULL);
	}
	for (i = 0; i < c->nqueues; i++) {
		conf_agg_params(c, c->queues[i].name, &ap);
		FUZZ_CHECK(ap.nqa == c->nqa);
		FUZZ_CHECK(conf_sl_threshold(c, c->queues[i].name) ==
		    c->queues[i].sl_threshold);
	}
	conf_agg_params(c, "no-such-queue", &ap);
	FUZZ_CHECK(ap.sl_threshold == c->sl_threshold);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	*c, *c2;
	char		*errors = NULL, *out, *out2;
	size_t		 len, len2;

	c = conf_load(confio_file(0, data, size), &errors);
	if (c == NULL) {
		/* Refused, with at least one message saying why. */
		FUZZ_CHECK(errors != NULL && *errors != '\0');
		free(errors);
		return (0);
	}
	FUZZ_CHECK(errors == NULL);
	fuzz_use(c);

	/* Printed, it loads again and prints the same. */
	out = confio_print(c, &len);
	c2 = conf_load(confio_file(1, out, len), &errors);
	if (c2 == NULL) {
		fprintf(stderr, "conf_print output does not load:\n%s\n"
		    "errors:\n%s\n", out, errors);
		FUZZ_CHECK(c2 != NULL);
	}
	out2 = confio_print(c2, &len2);
	if (len != len2 || memcmp(out, out2, len) != 0) {
		fprintf(stderr, "conf_print not stable:\n%s\n---\n%s\n",
		    out, out2);
		FUZZ_CHECK(0);
	}
	free(out2);
	free(out);
	conf_free(c2);
	conf_free(c);
	return (0);
}
