/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * event-parse: the event line parser alone.  It generates lines with
 * bench/gen.c (the realistic mix, or calls only), keeps them in memory
 * and parses them all, round after round, with event_parse() and, with
 * -y, with the yajl-based parser it replaced (fuzz/event_yajl.c),
 * alternating the two so that both see the same machine.  It prints
 * the median lines per second of each and their ratio.  For
 * instruction counts, run it under callgrind and read the inclusive
 * cost of event_parse and event_yajl_parse.
 *
 * usage: event-parse [-cy] [-n lines] [-r rounds] [-s seed]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "event_yajl.h"
#include "gen.h"

#define PARSE_ROUNDS_MAX	1000

static double	parse_now(void);
static int	parse_cmp(const void *, const void *);
static double	parse_median(double *, size_t);
static void	usage(void) __attribute__((noreturn));

static double
parse_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static int
parse_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static double
parse_median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, parse_cmp);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

static void
usage(void)
{
	fprintf(stderr, "usage: event-parse [-cy] [-n lines] [-r rounds] "
	    "[-s seed]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct gen_params		 gp;
	struct gen			*g;
	struct event_parser		*p;
	struct event_yajl_parser	*yp;
	struct event			 ev;
	char				 reason[EVENT_REASON_MAX];
	char				*lines, *l;
	size_t				*len, n = 100000, rounds = 5, i, r;
	size_t				 bytes = 0, bad = 0, ybad = 0, k;
	double				 rate[PARSE_ROUNDS_MAX];
	double				 yrate[PARSE_ROUNDS_MAX], t, med, ymed;
	int				 ch, yajl = 0, calls = 0;
	char				*end;

	gen_params_default(&gp);
	while ((ch = getopt(argc, argv, "cn:r:s:y")) != -1) {
		switch (ch) {
		case 'c':
			calls = 1;
			break;
		case 'n':
			n = strtoul(optarg, &end, 10);
			if (*end != '\0' || n == 0 || n > 10000000)
				usage();
			break;
		case 'r':
			rounds = strtoul(optarg, &end, 10);
			if (*end != '\0' || rounds == 0 ||
			    rounds > PARSE_ROUNDS_MAX)
				usage();
			break;
		case 's':
			errno = 0;
			gp.seed = strtoull(optarg, &end, 10);
			if (*end != '\0' || errno != 0)
				usage();
			break;
		case 'y':
			yajl = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (calls)
		gen_params_calls_only(&gp);
	gp.queues = 20;
	gp.agents = 500;
	gp.teams = 50;

	if ((g = gen_new(&gp)) == NULL ||
	    (lines = malloc(n * GEN_LINE_MAX)) == NULL ||
	    (len = calloc(n, sizeof *len)) == NULL) {
		fprintf(stderr, "event-parse: out of memory\n");
		return (1);
	}
	for (i = 0; i < n; i++) {
		l = lines + i * GEN_LINE_MAX;
		len[i] = gen_next(g, l, GEN_LINE_MAX, 1763800000.0 + i * 0.001);
		if (len[i] > 0 && l[len[i] - 1] == '\n')
			len[i]--;
		bytes += len[i];
	}
	gen_free(g);

	p = event_parser_new();
	yp = event_yajl_parser_new();
	for (r = 0; r < rounds; r++) {
		t = parse_now();
		for (i = 0, k = 0; i < n; i++) {
			if (event_parse(p, lines + i * GEN_LINE_MAX, len[i], &ev,
			    reason, sizeof reason) != EVENT_OK)
				k++;
		}
		rate[r] = n / (parse_now() - t);
		bad = k;
		if (!yajl)
			continue;
		t = parse_now();
		for (i = 0, k = 0; i < n; i++) {
			if (event_yajl_parse(yp, lines + i * GEN_LINE_MAX,
			    len[i], &ev, reason, sizeof reason) != EVENT_OK)
				k++;
		}
		yrate[r] = n / (parse_now() - t);
		ybad = k;
	}
	med = parse_median(rate, rounds);
	printf("%zu lines (%s), %.1f bytes/line, %zu rounds\n", n,
	    calls ? "calls only" : "default mix", (double)bytes / n, rounds);
	printf("event_parse       %10.0f lines/s  %7.1f ns/line  %zu rejected\n",
	    med, 1e9 / med, bad);
	if (yajl) {
		ymed = parse_median(yrate, rounds);
		printf("event_yajl_parse  %10.0f lines/s  %7.1f ns/line  %zu "
		    "rejected\n", ymed, 1e9 / ymed, ybad);
		printf("ratio             %10.2fx\n", med / ymed);
	}
	event_yajl_parser_free(yp);
	event_parser_free(p);
	free(len);
	free(lines);
	return (bad != 0 || ybad != 0);
}
