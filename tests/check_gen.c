/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for the load generator's event source (bench/gen.c): the same
 * seed gives the same bytes, every line is valid JSON of the documented
 * shape, and the distributions are the ones the benchmark claims.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <yajl/yajl_tree.h>

#include "gen.h"

#define N_BIG		100000

/*
 * check's ck_assert writes a checkpoint per call; the loops below make
 * millions of checks, so they only talk to check when one fails.
 */
#define CHECK(c) do {							\
	if (!(c))							\
		ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, #c);\
} while (0)
#define TS0		1763800000.5

static char		*gen_lines(const struct gen_params *, size_t, size_t *);
static const char	*line_next(const char **, size_t *);
static double		 field_num(const char *, size_t, const char *, int *);
static int		 field_str(const char *, size_t, const char *,
			    char *, size_t);
static int		 line_has(const char *, size_t, const char *);
static yajl_val		 line_parse(const char *, size_t);
static const char	*obj_str(yajl_val, const char *);
static int		 obj_has(yajl_val, const char *);

/* n lines from a fresh generator, ts = TS0 + i, concatenated. */
static char *
gen_lines(const struct gen_params *p, size_t n, size_t *total)
{
	struct gen	*g;
	char		*buf;
	size_t		 i, off = 0, len;

	g = gen_new(p);
	CHECK(g != NULL);
	buf = malloc(n * GEN_LINE_MAX + 1);
	CHECK(buf != NULL);
	for (i = 0; i < n; i++) {
		len = gen_next(g, buf + off, GEN_LINE_MAX, TS0 + (double)i);
		CHECK(len > 0);
		off += len;
	}
	buf[off] = '\0';
	CHECK(gen_stats(g)->lines == n);
	CHECK(gen_stats(g)->bytes == off);
	gen_free(g);
	*total = off;
	return (buf);
}

/* The next line (without '\n') of a buffer, advancing *cur. */
static const char *
line_next(const char **cur, size_t *len)
{
	const char	*s = *cur, *nl;

	if (*s == '\0')
		return (NULL);
	nl = strchr(s, '\n');
	CHECK(nl != NULL);
	*len = (size_t)(nl - s);
	*cur = nl + 1;
	return (s);
}

/* The number after "key": in a generated line; *found says if present. */
static double
field_num(const char *line, size_t len, const char *key, int *found)
{
	char		 pat[64], tmp[GEN_LINE_MAX + 1];
	const char	*p;

	memcpy(tmp, line, len);
	tmp[len] = '\0';
	snprintf(pat, sizeof pat, "\"%s\":", key);
	if ((p = strstr(tmp, pat)) == NULL) {
		*found = 0;
		return (0);
	}
	*found = 1;
	return (strtod(p + strlen(pat), NULL));
}

/* The string value of "key" into out; 0 if absent. */
static int
field_str(const char *line, size_t len, const char *key, char *out,
    size_t outsz)
{
	char		 pat[64], tmp[GEN_LINE_MAX + 1];
	const char	*p, *q;

	memcpy(tmp, line, len);
	tmp[len] = '\0';
	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	if ((p = strstr(tmp, pat)) == NULL)
		return (0);
	p += strlen(pat);
	q = strchr(p, '"');
	CHECK(q != NULL);
	CHECK((size_t)(q - p) < outsz);
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return (1);
}

/* Whether a line (not NUL-terminated) contains s. */
static int
line_has(const char *line, size_t len, const char *s)
{
	char	tmp[GEN_LINE_MAX + 1];

	CHECK(len < sizeof tmp);
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	return (strstr(tmp, s) != NULL);
}

static yajl_val
line_parse(const char *line, size_t len)
{
	char		tmp[GEN_LINE_MAX + 1], err[256];
	yajl_val	v;

	CHECK(len < sizeof tmp);
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	v = yajl_tree_parse(tmp, err, sizeof err);
	if (v == NULL)
		ck_abort_msg("bad JSON (%s): %s", err, tmp);
	CHECK(YAJL_IS_OBJECT(v));
	return (v);
}

static const char *
obj_str(yajl_val v, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	 s;

	s = yajl_tree_get(v, path, yajl_t_string);
	return (s != NULL ? YAJL_GET_STRING(s) : NULL);
}

static int
obj_has(yajl_val v, const char *key)
{
	const char	*path[] = { key, NULL };

	return (yajl_tree_get(v, path, yajl_t_any) != NULL);
}

START_TEST(test_deterministic)
{
	struct gen_params	 p;
	char			*a, *b, *c;
	size_t			 na, nb, nc;

	gen_params_default(&p);
	p.seed = 42;
	a = gen_lines(&p, 5000, &na);
	b = gen_lines(&p, 5000, &nb);
	CHECK(na == nb);
	CHECK(memcmp(a, b, na) == 0);
	p.seed = 43;
	c = gen_lines(&p, 5000, &nc);
	CHECK(na != nc || memcmp(a, c, na) != 0);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* The first line of seed 1 is fixed; a change here changes benchmarks. */
START_TEST(test_first_line)
{
	struct gen_params	 p;
	struct gen		*g;
	char			 buf[GEN_LINE_MAX];
	size_t			 len;
	const char		*want =
	    "{\"type\":\"call\",\"ts\":1763800000.500,\"call_id\":\"c-1\","
	    "\"queue\":\"q006\",\"agent\":\"a00196\",\"team\":\"t021\","
	    "\"outcome\":\"answered\",\"wait\":35.8,\"talk\":255.8,"
	    "\"hold\":0.0,\"wrap\":53.4,\"resolved\":true,"
	    "\"first_contact\":false,\"customer\":\"+49304942922\"}\n";

	gen_params_default(&p);
	g = gen_new(&p);
	len = gen_next(g, buf, sizeof buf, TS0);
	CHECK(len == strlen(want));
	CHECK(memcmp(buf, want, len) == 0);
	/* agent index 195 is in team 195 % 25 = 20, named t021. */
	gen_free(g);
}
END_TEST

START_TEST(test_all_json)
{
	struct gen_params	 p;
	char			*all;
	const char		*cur, *line, *type, *agent, *team;
	size_t			 total, len, n = 0;
	yajl_val		 v;
	const char		*path_scores[] = { "scores", NULL };
	unsigned long		 ai;

	gen_params_default(&p);
	all = gen_lines(&p, N_BIG, &total);
	cur = all;
	while ((line = line_next(&cur, &len)) != NULL) {
		n++;
		CHECK(len + 1 < GEN_LINE_MAX);
		CHECK(memchr(line, '\0', len) == NULL);
		v = line_parse(line, len);
		type = obj_str(v, "type");
		CHECK(type != NULL);
		CHECK(obj_has(v, "ts"));
		if (strcmp(type, "call") == 0) {
			CHECK(obj_str(v, "call_id") != NULL);
			CHECK(obj_str(v, "queue") != NULL);
			CHECK(obj_str(v, "customer") != NULL);
			if (strcmp(obj_str(v, "outcome"), "abandoned") == 0) {
				CHECK(!obj_has(v, "agent"));
				CHECK(!obj_has(v, "talk"));
				CHECK(!obj_has(v, "hold"));
				CHECK(obj_has(v, "wait"));
			} else {
				CHECK(strcmp(obj_str(v, "outcome"),
				    "answered") == 0);
				agent = obj_str(v, "agent");
				team = obj_str(v, "team");
				CHECK(agent != NULL);
				CHECK(team != NULL);
				ai = strtoul(agent + 1, NULL, 10);
				CHECK(strtoul(team + 1, NULL, 10) ==
				    (ai - 1) % p.teams + 1);
				CHECK(obj_has(v, "talk"));
				CHECK(obj_has(v, "hold"));
				CHECK(obj_has(v, "wrap"));
				CHECK(obj_has(v, "resolved"));
			}
		} else if (strcmp(type, "qa") == 0) {
			CHECK(yajl_tree_get(v, path_scores,
			    yajl_t_object) != NULL);
		} else if (strcmp(type, "agent") == 0) {
			CHECK(obj_str(v, "state") != NULL);
		} else if (strcmp(type, "esat") == 0) {
			CHECK(obj_has(v, "score"));
		} else {
			CHECK(strcmp(type, "survey") == 0);
			CHECK(obj_has(v, "csat"));
		}
		yajl_tree_free(v);
	}
	CHECK(n == N_BIG);
	free(all);
}
END_TEST

START_TEST(test_mix_and_distributions)
{
	struct gen_params	 p;
	struct gen		*g;
	const struct gen_stats	*st;
	char			*all, buf[GEN_LINE_MAX];
	const char		*cur, *line;
	size_t			 total, len, i;
	double			 wait_sum = 0, talk_sum = 0, x, n_calls;
	uint64_t		 n_wait = 0, n_talk = 0, n_csat = 0, n_rev = 0;
	uint64_t		 n_hold0 = 0, n_res = 0, csat_hi = 0;
	int			 found;

	gen_params_default(&p);
	p.seed = 7;
	all = gen_lines(&p, N_BIG, &total);
	cur = all;
	while ((line = line_next(&cur, &len)) != NULL) {
		if (len < 15 || memcmp(line, "{\"type\":\"call\"", 14) != 0)
			continue;
		x = field_num(line, len, "wait", &found);
		CHECK(found);
		wait_sum += x;
		n_wait++;
		x = field_num(line, len, "talk", &found);
		if (!found)
			continue;
		talk_sum += x;
		n_talk++;
		x = field_num(line, len, "hold", &found);
		CHECK(found);
		if (x == 0)
			n_hold0++;
		if (line_has(line, len, "\"resolved\":true"))
			n_res++;
		x = field_num(line, len, "csat", &found);
		if (found) {
			CHECK(x >= 1 && x <= 5);
			n_csat++;
			if (x >= 4)
				csat_hi++;
		}
		field_num(line, len, "revenue", &found);
		if (found)
			n_rev++;
	}
	free(all);

	/* Exponential wait: mean 30 s over all calls. */
	ck_assert_msg(fabs(wait_sum / n_wait - 30) < 30 * 0.05,
	    "wait mean %f", wait_sum / n_wait);
	/* Lognormal talk: mean = median * exp(sigma^2 / 2) = 229.8 s. */
	ck_assert_msg(fabs(talk_sum / n_talk - 180 * exp(0.49 / 2)) <
	    180 * exp(0.49 / 2) * 0.05, "talk mean %f", talk_sum / n_talk);
	/* Abandons: 6 % of calls. */
	ck_assert_msg(fabs(1 - (double)n_talk / n_wait - 0.06) < 0.005,
	    "abandon share %f", 1 - (double)n_talk / n_wait);
	CHECK(fabs((double)n_hold0 / n_talk - 0.7) < 0.01);
	CHECK(fabs((double)n_res / n_talk - 0.8) < 0.01);
	CHECK(fabs((double)n_csat / n_talk - 0.2) < 0.01);
	CHECK(fabs((double)n_rev / n_talk - 0.1) < 0.01);
	/* 4s and 5s are 75 % of CSAT answers. */
	CHECK(fabs((double)csat_hi / n_csat - 0.75) < 0.02);

	/* The same run, counted by the generator itself. */
	g = gen_new(&p);
	for (i = 0; i < N_BIG; i++)
		CHECK(gen_next(g, buf, sizeof buf, TS0) > 0);
	st = gen_stats(g);
	n_calls = (double)st->type[GEN_CALL];
	CHECK(st->type[GEN_CALL] == n_wait);
	CHECK(st->outcome[GEN_ANSWERED] == n_talk);
	CHECK(st->outcome[GEN_ANSWERED] + st->outcome[GEN_ABANDONED] ==
	    st->type[GEN_CALL]);
	CHECK(fabs(n_calls / N_BIG - 0.85) < 0.005);
	CHECK(fabs((double)st->type[GEN_SURVEY] / N_BIG - 0.05) < 0.005);
	CHECK(fabs((double)st->type[GEN_QA] / N_BIG - 0.03) < 0.005);
	CHECK(fabs((double)st->type[GEN_AGENT] / N_BIG - 0.04) < 0.005);
	CHECK(fabs((double)st->type[GEN_ESAT] / N_BIG - 0.03) < 0.005);
	CHECK(fabs((double)st->transferred /
	    st->outcome[GEN_ANSWERED] - 0.05) < 0.005);
	gen_free(g);
}
END_TEST

START_TEST(test_calls_only)
{
	struct gen_params	 p;
	struct gen		*g;
	char			 buf[GEN_LINE_MAX];
	size_t			 i, len;

	gen_params_default(&p);
	gen_params_calls_only(&p);
	p.abandon = 0;
	g = gen_new(&p);
	for (i = 0; i < 10000; i++) {
		len = gen_next(g, buf, sizeof buf, TS0);
		CHECK(len > 14);
		CHECK(memcmp(buf, "{\"type\":\"call\"", 14) == 0);
	}
	CHECK(gen_stats(g)->type[GEN_CALL] == 10000);
	CHECK(gen_stats(g)->outcome[GEN_ANSWERED] == 10000);
	CHECK(gen_stats(g)->outcome[GEN_ABANDONED] == 0);
	gen_free(g);
}
END_TEST

START_TEST(test_ts)
{
	struct gen_params	 p;
	struct gen		*g;
	char			 buf[GEN_LINE_MAX];
	size_t			 len;

	gen_params_default(&p);
	gen_params_calls_only(&p);
	g = gen_new(&p);
	len = gen_next(g, buf, sizeof buf, 1763800000.0126);
	buf[len] = '\0';
	CHECK(strstr(buf, ",\"ts\":1763800000.013,") != NULL);
	len = gen_next(g, buf, sizeof buf, 12.0);
	buf[len] = '\0';
	CHECK(strstr(buf, ",\"ts\":12.000,") != NULL);
	len = gen_next(g, buf, sizeof buf, -5);
	buf[len] = '\0';
	CHECK(strstr(buf, ",\"ts\":0.000,") != NULL);
	gen_free(g);

	p.no_ts = 1;
	g = gen_new(&p);
	len = gen_next(g, buf, sizeof buf, 1763800000.0);
	buf[len] = '\0';
	CHECK(strstr(buf, "\"ts\"") == NULL);
	CHECK(memcmp(buf, "{\"type\":\"call\",\"call_id\":\"c-1\",", 31)
	    == 0);
	gen_free(g);
}
END_TEST

START_TEST(test_cap_too_small)
{
	struct gen_params	 p;
	struct gen		*a, *b;
	char			 ba[GEN_LINE_MAX], bb[GEN_LINE_MAX];
	size_t			 i, la, lb;

	gen_params_default(&p);
	a = gen_new(&p);
	b = gen_new(&p);
	for (i = 0; i < 1000; i++) {
		lb = gen_next(b, bb, sizeof bb, TS0);
		CHECK(lb > 0);
		/* Refused lines consume nothing: a stays in step with b. */
		CHECK(gen_next(a, ba, 0, TS0) == 0);
		CHECK(gen_next(a, ba, 10, TS0) == 0);
		CHECK(gen_next(a, ba, lb - 1, TS0) == 0);
		la = gen_next(a, ba, lb, TS0);
		CHECK(la == lb);
		CHECK(memcmp(ba, bb, la) == 0);
	}
	CHECK(gen_stats(a)->lines == 1000);
	CHECK(gen_stats(a)->bytes == gen_stats(b)->bytes);
	CHECK(gen_stats(a)->type[GEN_CALL] ==
	    gen_stats(b)->type[GEN_CALL]);
	CHECK(gen_stats(a)->outcome[GEN_ABANDONED] ==
	    gen_stats(b)->outcome[GEN_ABANDONED]);
	gen_free(a);
	gen_free(b);
}
END_TEST

START_TEST(test_cardinality)
{
	struct gen_params	 p;
	char			*all, s[32];
	const char		*cur, *line;
	size_t			 total, len;
	unsigned long		 x, a;
	int			 seen_q[8] = { 0 }, seen_a[14] = { 0 };
	uint32_t		*seen_c;
	int			 ncust = 0, i;
	int			 max_q = 0, max_a = 0;

	seen_c = calloc(10000000 / 32 + 1, sizeof *seen_c);
	CHECK(seen_c != NULL);
	gen_params_default(&p);
	p.queues = 7;
	p.agents = 13;
	p.teams = 4;
	p.customers = 50;
	all = gen_lines(&p, 20000, &total);
	cur = all;
	while ((line = line_next(&cur, &len)) != NULL) {
		if (field_str(line, len, "queue", s, sizeof s)) {
			CHECK(s[0] == 'q' && strlen(s) == 4);
			x = strtoul(s + 1, NULL, 10);
			CHECK(x >= 1 && x <= 7);
			seen_q[x] = 1;
		}
		if (field_str(line, len, "agent", s, sizeof s)) {
			CHECK(s[0] == 'a' && strlen(s) == 6);
			a = strtoul(s + 1, NULL, 10);
			CHECK(a >= 1 && a <= 13);
			seen_a[a] = 1;
			if (field_str(line, len, "team", s, sizeof s))
				CHECK(strtoul(s + 1, NULL, 10) ==
				    (a - 1) % 4 + 1);
		}
		if (field_str(line, len, "team", s, sizeof s)) {
			x = strtoul(s + 1, NULL, 10);
			CHECK(x >= 1 && x <= 4);
		}
		if (field_str(line, len, "customer", s, sizeof s)) {
			CHECK(strlen(s) == 12);
			CHECK(memcmp(s, "+4930", 5) == 0);
			x = strtoul(s + 5, NULL, 10);
			CHECK(x < 10000000);
			if (!(seen_c[x / 32] & (1U << (x % 32)))) {
				seen_c[x / 32] |= 1U << (x % 32);
				ncust++;
			}
		}
	}
	free(seen_c);
	free(all);
	for (i = 1; i <= 7; i++)
		max_q += seen_q[i];
	for (i = 1; i <= 13; i++)
		max_a += seen_a[i];
	CHECK(max_q == 7);	/* every queue is used ... */
	CHECK(max_a == 13);	/* ... and every agent */
	CHECK(ncust == 50);	/* 50 distinct callers, no more */
}
END_TEST

/* Surveys name an earlier answered call and that call's agent. */
START_TEST(test_survey_refers_to_call)
{
	struct gen_params	 p;
	char			*all, s[32], id[32];
	const char		*cur, *line;
	size_t			 total, len;
	unsigned long		 n;
	unsigned int		*agent_of;
	int			 surveys = 0;

	gen_params_default(&p);
	all = gen_lines(&p, 20000, &total);
	agent_of = calloc(20001, sizeof *agent_of);
	CHECK(agent_of != NULL);
	cur = all;
	while ((line = line_next(&cur, &len)) != NULL) {
		if (!field_str(line, len, "call_id", id, sizeof id))
			continue;
		n = strtoul(id + 2, NULL, 10);
		CHECK(n <= 20000);
		if (memcmp(line, "{\"type\":\"call\"", 14) == 0) {
			if (field_str(line, len, "agent", s, sizeof s))
				agent_of[n] = strtoul(s + 1, NULL, 10);
			continue;
		}
		CHECK(memcmp(line, "{\"type\":\"survey\"", 16) == 0);
		CHECK(field_str(line, len, "agent", s, sizeof s));
		CHECK(agent_of[n] != 0);
		CHECK(agent_of[n] == strtoul(s + 1, NULL, 10));
		surveys++;
	}
	CHECK(surveys > 800);
	free(agent_of);
	free(all);
}
END_TEST

START_TEST(test_params_check)
{
	struct gen_params	 p;
	const char		*cause = NULL;

	gen_params_default(&p);
	CHECK(gen_params_check(&p, &cause) == 0);

	p.agents = 0;
	CHECK(gen_params_check(&p, &cause) == -1);
	CHECK(strcmp(cause, "agents must be 1..9999999") == 0);
	CHECK(gen_new(&p) == NULL);

	gen_params_default(&p);
	p.mix[GEN_CALL] = p.mix[GEN_SURVEY] = p.mix[GEN_QA] = 0;
	p.mix[GEN_AGENT] = p.mix[GEN_ESAT] = 0;
	CHECK(gen_params_check(&p, &cause) == -1);
	CHECK(strcmp(cause, "mix weights are all zero") == 0);

	gen_params_default(&p);
	p.abandon = NAN;
	CHECK(gen_params_check(&p, &cause) == -1);
	CHECK(strcmp(cause, "shares must be 0..1") == 0);

	gen_params_default(&p);
	p.wrap_min = 70;
	CHECK(gen_params_check(&p, &cause) == -1);

	gen_params_default(&p);
	p.customers = 10000001;
	CHECK(gen_params_check(&p, &cause) == -1);

	gen_free(NULL);
}
END_TEST

static Suite *
gen_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("gen");
	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_first_line);
	tcase_add_test(tc, test_all_json);
	tcase_add_test(tc, test_mix_and_distributions);
	tcase_add_test(tc, test_calls_only);
	tcase_add_test(tc, test_ts);
	tcase_add_test(tc, test_cap_too_small);
	tcase_add_test(tc, test_cardinality);
	tcase_add_test(tc, test_survey_refers_to_call);
	tcase_add_test(tc, test_params_check);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failures;

	sr = srunner_create(gen_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failures ? 1 : 0);
}
