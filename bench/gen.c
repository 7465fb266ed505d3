/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Call-center event generator; see gen.h.  The benchmark must measure the
 * daemon, not this file, so lines are built by hand (memcpy of literals,
 * integer-to-digit loops, names formatted once in gen_new) instead of one
 * snprintf per field, and the PRNG is xoshiro256** seeded by splitmix64.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "gen.h"

#define GEN_NAME_MAX	16	/* "a" + up to 10 digits, NUL */
#define GEN_RECENT	4096	/* answered calls a survey may refer to */
#define GEN_CUST_MOD	10000000U /* customer numbers have 7 digits */
#define GEN_TALK_MAX	14400.0	/* cap of the lognormal tail, seconds */

struct gen_name {
	char		 s[GEN_NAME_MAX];
	size_t		 len;
};

struct gen_recent {
	uint64_t	 call;		/* call counter */
	unsigned int	 agent;		/* agent index */
};

/* Everything gen_next changes, so a refused line can be undone. */
struct gen_state {
	uint64_t	 rng[4];
	double		 spare;		/* second Box-Muller normal */
	int		 has_spare;
	uint64_t	 call;		/* last call number used */
	size_t		 recent_head;
	size_t		 recent_len;
};

struct gen {
	struct gen_params	 p;
	double			 cum[GEN_TYPE_COUNT];	/* cumulative mix */
	double			 talk_mu;		/* log(median) */
	struct gen_name		*queue;
	struct gen_name		*agent;
	struct gen_name		*team;
	struct gen_state	 st;
	struct gen_recent	 recent[GEN_RECENT];
	struct gen_stats	 stats;
};

static uint64_t	 gen_splitmix(uint64_t *);
static uint64_t	 gen_rand(struct gen *);
static double	 gen_unif(struct gen *);
static unsigned int gen_below(struct gen *, unsigned int);
static double	 gen_exp(struct gen *, double);
static double	 gen_normal(struct gen *);
static unsigned int gen_pick(struct gen *, const double *, unsigned int);
static unsigned int gen_pick_type(struct gen *);
static struct gen_name *gen_names(char, unsigned int, unsigned int);
static char	*gen_put_u64(char *, uint64_t);
static char	*gen_put_pad(char *, uint64_t, int);
static char	*gen_put_fixed(char *, double, unsigned int);
static char	*gen_put_name(char *, const struct gen_name *);
static size_t	 gen_call(struct gen *, char *, char *);
static size_t	 gen_survey(struct gen *, char *, char *);
static size_t	 gen_qa(struct gen *, char *, char *);
static size_t	 gen_agent(struct gen *, char *, char *);
static size_t	 gen_esat(struct gen *, char *, char *);

#define GEN_PUT(p, lit) do {					\
	memcpy((p), (lit), sizeof(lit) - 1);			\
	(p) += sizeof(lit) - 1;					\
} while (0)

/* 1..5 satisfaction scores skewed high, as surveys are in practice. */
static const double gen_csat_w[] = { 0.05, 0.07, 0.13, 0.35, 0.40 };
/* 0..10 likelihood to recommend: ~25 % detractors, ~45 % promoters. */
static const double gen_nps_w[] = {
	0.02, 0.01, 0.02, 0.02, 0.03, 0.07, 0.08, 0.12, 0.18, 0.20, 0.25
};
/* QA criteria scored 1..5, mostly 3-5. */
static const double gen_qa_w[] = { 0.03, 0.07, 0.25, 0.40, 0.25 };
static const char *gen_qa_names[] = {
	"greeting", "listening", "knowledge", "resolution"
};

void
gen_params_default(struct gen_params *p)
{
	memset(p, 0, sizeof *p);
	p->seed = 1;
	p->queues = 20;
	p->agents = 500;
	p->teams = 25;
	p->customers = 100000;
	p->mix[GEN_CALL] = 85;
	p->mix[GEN_SURVEY] = 5;
	p->mix[GEN_QA] = 3;
	p->mix[GEN_AGENT] = 4;
	p->mix[GEN_ESAT] = 3;
	p->abandon = 0.06;
	p->wait_mean = 30;
	p->talk_median = 180;
	p->talk_sigma = 0.7;
	p->hold_zero = 0.7;
	p->hold_mean = 45;
	p->wrap_min = 10;
	p->wrap_max = 60;
	p->resolved = 0.8;
	p->first_contact = 0.72;
	p->transferred = 0.05;
	p->csat = 0.2;
	p->nps = 0.15;
	p->revenue = 0.1;
}

void
gen_params_calls_only(struct gen_params *p)
{
	int	i;

	for (i = 0; i < GEN_TYPE_COUNT; i++)
		p->mix[i] = (i == GEN_CALL) ? 1 : 0;
}

int
gen_params_check(const struct gen_params *p, const char **cause)
{
	const double	*share[] = { &p->abandon, &p->hold_zero, &p->resolved,
	    &p->first_contact, &p->transferred, &p->csat, &p->nps,
	    &p->revenue };
	double		 sum = 0;
	size_t		 i;

	if (p->queues < 1 || p->queues > 999999)
		goto bad_queues;
	if (p->agents < 1 || p->agents > 9999999)
		goto bad_agents;
	if (p->teams < 1 || p->teams > 999999)
		goto bad_teams;
	if (p->customers < 1 || p->customers > GEN_CUST_MOD) {
		*cause = "customers must be 1..10000000";
		return (-1);
	}
	for (i = 0; i < GEN_TYPE_COUNT; i++) {
		if (!(p->mix[i] >= 0 && p->mix[i] <= 1e9)) {
			*cause = "mix weights must be 0..1e9";
			return (-1);
		}
		sum += p->mix[i];
	}
	if (sum <= 0) {
		*cause = "mix weights are all zero";
		return (-1);
	}
	for (i = 0; i < sizeof share / sizeof share[0]; i++) {
		if (!(*share[i] >= 0 && *share[i] <= 1)) {
			*cause = "shares must be 0..1";
			return (-1);
		}
	}
	if (!(p->wait_mean > 0 && p->wait_mean <= 3600) ||
	    !(p->talk_median > 0 && p->talk_median <= 3600) ||
	    !(p->hold_mean > 0 && p->hold_mean <= 3600)) {
		*cause = "wait, talk and hold must be 0..3600 s (exclusive)";
		return (-1);
	}
	if (!(p->talk_sigma >= 0 && p->talk_sigma <= 3)) {
		*cause = "talk_sigma must be 0..3";
		return (-1);
	}
	if (!(p->wrap_min >= 0 && p->wrap_max >= p->wrap_min &&
	    p->wrap_max <= 3600)) {
		*cause = "wrap must be 0 <= min <= max <= 3600 s";
		return (-1);
	}
	return (0);

bad_queues:
	*cause = "queues must be 1..999999";
	return (-1);
bad_agents:
	*cause = "agents must be 1..9999999";
	return (-1);
bad_teams:
	*cause = "teams must be 1..999999";
	return (-1);
}

struct gen *
gen_new(const struct gen_params *p)
{
	struct gen	*g;
	const char	*cause;
	double		 sum = 0, acc = 0;
	uint64_t	 x;
	int		 i;

	if (gen_params_check(p, &cause) != 0)
		return (NULL);
	g = xcalloc(1, sizeof *g);
	g->p = *p;
	for (i = 0; i < GEN_TYPE_COUNT; i++)
		sum += p->mix[i];
	for (i = 0; i < GEN_TYPE_COUNT; i++) {
		acc += p->mix[i];
		g->cum[i] = acc / sum;
	}
	g->cum[GEN_TYPE_COUNT - 1] = 2;	/* rounding never falls off the end */
	g->talk_mu = log(p->talk_median);
	g->queue = gen_names('q', p->queues, 3);
	g->agent = gen_names('a', p->agents, 5);
	g->team = gen_names('t', p->teams, 3);

	x = p->seed;
	for (i = 0; i < 4; i++)
		g->st.rng[i] = gen_splitmix(&x);
	return (g);
}

void
gen_free(struct gen *g)
{
	if (g == NULL)
		return;
	free(g->team);
	free(g->agent);
	free(g->queue);
	free(g);
}

const struct gen_stats *
gen_stats(const struct gen *g)
{
	return (&g->stats);
}

size_t
gen_next(struct gen *g, char *buf, size_t cap, double ts)
{
	char			 tmp[GEN_LINE_MAX], *out, *p;
	struct gen_state	 saved;
	struct gen_stats	 saved_stats;
	unsigned int		 type;
	size_t			 len;

	/* Build in place when it surely fits; else build aside and copy. */
	if (cap >= GEN_LINE_MAX)
		out = buf;
	else {
		out = tmp;
		saved = g->st;
		saved_stats = g->stats;
	}

	type = gen_pick_type(g);
	p = out;
	switch (type) {
	case GEN_CALL:
		GEN_PUT(p, "{\"type\":\"call\"");
		break;
	case GEN_SURVEY:
		GEN_PUT(p, "{\"type\":\"survey\"");
		break;
	case GEN_QA:
		GEN_PUT(p, "{\"type\":\"qa\"");
		break;
	case GEN_AGENT:
		GEN_PUT(p, "{\"type\":\"agent\"");
		break;
	default:
		GEN_PUT(p, "{\"type\":\"esat\"");
		break;
	}
	if (!g->p.no_ts) {
		GEN_PUT(p, ",\"ts\":");
		/* Written as ms so it is exact; negative or NaN becomes 0. */
		p = gen_put_fixed(p, ts >= 0 && ts < 1e15 ? ts : 0, 3);
	}
	switch (type) {
	case GEN_CALL:
		len = gen_call(g, out, p);
		break;
	case GEN_SURVEY:
		len = gen_survey(g, out, p);
		break;
	case GEN_QA:
		len = gen_qa(g, out, p);
		break;
	case GEN_AGENT:
		len = gen_agent(g, out, p);
		break;
	default:
		len = gen_esat(g, out, p);
		break;
	}

	if (out == tmp) {
		if (len > cap) {
			g->st = saved;
			g->stats = saved_stats;
			return (0);
		}
		memcpy(buf, tmp, len);
	}
	g->stats.lines++;
	g->stats.bytes += len;
	g->stats.type[type]++;
	return (len);
}

/* A finished call; abandoned calls carry no agent, talk, hold or wrap. */
static size_t
gen_call(struct gen *g, char *start, char *p)
{
	const struct gen_params	*gp = &g->p;
	struct gen_recent	*r;
	unsigned int		 q, a, c;
	double			 u, talk;

	g->st.call++;
	GEN_PUT(p, ",\"call_id\":\"c-");
	p = gen_put_u64(p, g->st.call);

	/* Queue volumes are skewed: low-numbered queues take most calls. */
	u = gen_unif(g);
	q = (unsigned int)(u * u * gp->queues);
	if (q >= gp->queues)
		q = gp->queues - 1;
	GEN_PUT(p, "\",\"queue\":\"");
	p = gen_put_name(p, &g->queue[q]);

	if (gen_unif(g) < gp->abandon) {
		GEN_PUT(p, "\",\"outcome\":\"abandoned\",\"wait\":");
		p = gen_put_fixed(p, gen_exp(g, gp->wait_mean), 1);
		g->stats.outcome[GEN_ABANDONED]++;
	} else {
		a = gen_below(g, gp->agents);
		GEN_PUT(p, "\",\"agent\":\"");
		p = gen_put_name(p, &g->agent[a]);
		GEN_PUT(p, "\",\"team\":\"");
		p = gen_put_name(p, &g->team[a % gp->teams]);
		GEN_PUT(p, "\",\"outcome\":\"answered\",\"wait\":");
		p = gen_put_fixed(p, gen_exp(g, gp->wait_mean), 1);

		talk = exp(g->talk_mu + gp->talk_sigma * gen_normal(g));
		if (talk > GEN_TALK_MAX)
			talk = GEN_TALK_MAX;
		GEN_PUT(p, ",\"talk\":");
		p = gen_put_fixed(p, talk, 1);
		GEN_PUT(p, ",\"hold\":");
		if (gen_unif(g) < gp->hold_zero)
			GEN_PUT(p, "0.0");
		else
			p = gen_put_fixed(p, gen_exp(g, gp->hold_mean), 1);
		GEN_PUT(p, ",\"wrap\":");
		p = gen_put_fixed(p, gp->wrap_min +
		    (gp->wrap_max - gp->wrap_min) * gen_unif(g), 1);

		if (gen_unif(g) < gp->resolved)
			GEN_PUT(p, ",\"resolved\":true");
		else
			GEN_PUT(p, ",\"resolved\":false");
		if (gen_unif(g) < gp->first_contact)
			GEN_PUT(p, ",\"first_contact\":true");
		else
			GEN_PUT(p, ",\"first_contact\":false");
		if (gen_unif(g) < gp->transferred) {
			GEN_PUT(p, ",\"transferred\":true");
			g->stats.transferred++;
		}
		if (gen_unif(g) < gp->csat) {
			GEN_PUT(p, ",\"csat\":");
			*p++ = '1' + gen_pick(g, gen_csat_w, 5);
		}
		if (gen_unif(g) < gp->nps) {
			GEN_PUT(p, ",\"nps\":");
			p = gen_put_u64(p, gen_pick(g, gen_nps_w, 11));
		}
		if (gen_unif(g) < gp->revenue) {
			GEN_PUT(p, ",\"revenue\":");
			p = gen_put_fixed(p, gen_exp(g, 80), 2);
		}
		g->stats.outcome[GEN_ANSWERED]++;

		r = &g->recent[g->st.recent_head];
		r->call = g->st.call;
		r->agent = a;
		g->st.recent_head = (g->st.recent_head + 1) % GEN_RECENT;
		if (g->st.recent_len < GEN_RECENT)
			g->st.recent_len++;
	}

	/*
	 * A quarter of calls come from a small set of frequent callers, so
	 * repeat contacts (repeat_rate, FCR by caller) really occur.
	 */
	if (gen_unif(g) < 0.25)
		c = gen_below(g, gp->customers / 50 + 1);
	else
		c = gen_below(g, gp->customers);
	if (c >= gp->customers)
		c = gp->customers - 1;
	GEN_PUT(p, ",\"customer\":\"+4930");
	/* 7919 is prime to 10^7, so distinct callers get distinct numbers. */
	p = gen_put_pad(p, ((uint64_t)c * 7919 + 1234567) % GEN_CUST_MOD, 7);
	GEN_PUT(p, "\"}\n");
	return ((size_t)(p - start));
}

/* A late survey answer about a recent answered call and its agent. */
static size_t
gen_survey(struct gen *g, char *start, char *p)
{
	const struct gen_recent	*r;
	size_t			 back, i;
	unsigned int		 a;

	if (g->st.recent_len > 0) {
		back = gen_below(g, (unsigned int)g->st.recent_len);
		i = (g->st.recent_head + GEN_RECENT - 1 - back) % GEN_RECENT;
		r = &g->recent[i];
		a = r->agent;
		GEN_PUT(p, ",\"call_id\":\"c-");
		p = gen_put_u64(p, r->call);
		GEN_PUT(p, "\"");
	} else
		a = gen_below(g, g->p.agents);
	GEN_PUT(p, ",\"agent\":\"");
	p = gen_put_name(p, &g->agent[a]);
	GEN_PUT(p, "\",\"csat\":");
	*p++ = '1' + gen_pick(g, gen_csat_w, 5);
	if (gen_unif(g) < 0.7) {
		GEN_PUT(p, ",\"nps\":");
		p = gen_put_u64(p, gen_pick(g, gen_nps_w, 11));
	}
	GEN_PUT(p, "}\n");
	return ((size_t)(p - start));
}

static size_t
gen_qa(struct gen *g, char *start, char *p)
{
	size_t	i;

	GEN_PUT(p, ",\"agent\":\"");
	p = gen_put_name(p, &g->agent[gen_below(g, g->p.agents)]);
	GEN_PUT(p, "\",\"scores\":{");
	for (i = 0; i < sizeof gen_qa_names / sizeof gen_qa_names[0]; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		memcpy(p, gen_qa_names[i], strlen(gen_qa_names[i]));
		p += strlen(gen_qa_names[i]);
		*p++ = '"';
		*p++ = ':';
		*p++ = '1' + gen_pick(g, gen_qa_w, 5);
	}
	GEN_PUT(p, "}}\n");
	return ((size_t)(p - start));
}

static size_t
gen_agent(struct gen *g, char *start, char *p)
{
	unsigned int	a;
	double		u;

	a = gen_below(g, g->p.agents);
	GEN_PUT(p, ",\"agent\":\"");
	p = gen_put_name(p, &g->agent[a]);
	GEN_PUT(p, "\",\"team\":\"");
	p = gen_put_name(p, &g->team[a % g->p.teams]);
	u = gen_unif(g);
	if (u < 0.5)
		GEN_PUT(p, "\",\"state\":\"ready\"}\n");
	else if (u < 0.65)
		GEN_PUT(p, "\",\"state\":\"not_ready\",\"reason\":\"break\"}\n");
	else if (u < 0.8)
		GEN_PUT(p, "\",\"state\":\"not_ready\",\"reason\":\"lunch\"}\n");
	else if (u < 0.9)
		GEN_PUT(p, "\",\"state\":\"login\"}\n");
	else
		GEN_PUT(p, "\",\"state\":\"logout\"}\n");
	return ((size_t)(p - start));
}

static size_t
gen_esat(struct gen *g, char *start, char *p)
{
	GEN_PUT(p, ",\"agent\":\"");
	p = gen_put_name(p, &g->agent[gen_below(g, g->p.agents)]);
	GEN_PUT(p, "\",\"score\":");
	*p++ = '1' + gen_pick(g, gen_csat_w, 5);
	GEN_PUT(p, "}\n");
	return ((size_t)(p - start));
}

/* splitmix64, to spread one seed over xoshiro's 256 bits of state. */
static uint64_t
gen_splitmix(uint64_t *x)
{
	uint64_t	z;

	z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static inline uint64_t
gen_rotl(uint64_t x, int k)
{
	return ((x << k) | (x >> (64 - k)));
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t
gen_rand(struct gen *g)
{
	uint64_t	*s = g->st.rng, r, t;

	r = gen_rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = gen_rotl(s[3], 45);
	return (r);
}

/* Uniform in [0, 1). */
static double
gen_unif(struct gen *g)
{
	return ((double)(gen_rand(g) >> 11) * 0x1.0p-53);
}

/* Uniform in 0..n-1 (Lemire's multiply; bias < n / 2^64). */
static unsigned int
gen_below(struct gen *g, unsigned int n)
{
	return ((unsigned int)(((unsigned __int128)gen_rand(g) * n) >> 64));
}

static double
gen_exp(struct gen *g, double mean)
{
	return (-mean * log1p(-gen_unif(g)));
}

/* Standard normal by Box-Muller, keeping the second value for next time. */
static double
gen_normal(struct gen *g)
{
	double	u, v, r;

	if (g->st.has_spare) {
		g->st.has_spare = 0;
		return (g->st.spare);
	}
	u = 1.0 - gen_unif(g);		/* (0, 1]: log(u) is finite */
	v = gen_unif(g);
	r = sqrt(-2.0 * log(u));
	g->st.spare = r * sin(2 * M_PI * v);
	g->st.has_spare = 1;
	return (r * cos(2 * M_PI * v));
}

/* Event type drawn from the cumulative mix. */
static unsigned int
gen_pick_type(struct gen *g)
{
	double		u;
	unsigned int	i;

	u = gen_unif(g);
	for (i = 0; i < GEN_TYPE_COUNT - 1; i++) {
		if (u < g->cum[i])
			return (i);
	}
	return (GEN_TYPE_COUNT - 1);
}

/* Index drawn from weights w[0..n-1] summing to 1. */
static unsigned int
gen_pick(struct gen *g, const double *w, unsigned int n)
{
	double		u, acc = 0;
	unsigned int	i;

	u = gen_unif(g);
	for (i = 0; i < n - 1; i++) {
		acc += w[i];
		if (u < acc)
			return (i);
	}
	return (n - 1);
}

/* Names prefix + number (1-based), zero-padded to width digits. */
static struct gen_name *
gen_names(char prefix, unsigned int n, unsigned int width)
{
	struct gen_name	*names;
	unsigned int	 i;
	char		*p;

	names = xreallocarray(NULL, n, sizeof *names);
	for (i = 0; i < n; i++) {
		p = names[i].s;
		*p++ = prefix;
		p = gen_put_pad(p, (uint64_t)i + 1, (int)width);
		*p = '\0';
		names[i].len = (size_t)(p - names[i].s);
	}
	return (names);
}

static char *
gen_put_u64(char *p, uint64_t v)
{
	return (gen_put_pad(p, v, 1));
}

/* Decimal v, at least width digits with leading zeros. */
static char *
gen_put_pad(char *p, uint64_t v, int width)
{
	char	tmp[24];
	int	n = 0;

	do {
		tmp[n++] = '0' + (char)(v % 10);
		v /= 10;
	} while (v != 0);
	while (n < width && n < (int)sizeof tmp)
		tmp[n++] = '0';
	while (n > 0)
		*p++ = tmp[--n];
	return (p);
}

/* Non-negative v with exactly decimals (1..3) digits after the point. */
static char *
gen_put_fixed(char *p, double v, unsigned int decimals)
{
	static const uint64_t	 scale[] = { 1, 10, 100, 1000 };
	uint64_t		 m, n;
	unsigned int		 i;

	m = scale[decimals];
	n = (uint64_t)(v * (double)m + 0.5);
	p = gen_put_u64(p, n / m);
	*p++ = '.';
	n %= m;
	for (i = decimals; i > 0; i--) {
		p[i - 1] = '0' + (char)(n % 10);
		n /= 10;
	}
	return (p + decimals);
}

static char *
gen_put_name(char *p, const struct gen_name *name)
{
	memcpy(p, name->s, name->len);
	return (p + name->len);
}
