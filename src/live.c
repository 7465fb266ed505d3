/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Live state from call lifecycle and agent events.  Calls, queues and
 * agents live in chained hash tables keyed by SipHash-1-3 with a random
 * key, because call ids and names come from the network and a flood of
 * chosen ids must not pile up in one chain.  Everything on the event path
 * is O(1): a queue's waiting calls form an intrusive doubly linked FIFO
 * (oldest at the head, any call unlinked from the middle), and live calls
 * form a list ordered by last touch, so live_expire() visits only what it
 * expires.  Ended calls stay a short while as tombstones so that a late
 * or repeated event for them is not mistaken for a new call.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "log.h"
#include "siphash.h"
#include "xmalloc.h"

#define LIVE_TABLE_MIN		64
/* How far back a call with an early ts is sorted into its queue's FIFO. */
#define LIVE_SORT_STEPS		32

struct live_entry {
	struct live_entry	*next;		/* hash chain */
	uint64_t		 hash;
	size_t			 len;
	char			 name[EVENT_ID_MAX + 1];
};

struct live_table {
	struct live_entry	**b;
	size_t			  mask;		/* buckets - 1 */
	size_t			  n;
};

struct live_queue {
	struct live_entry	 e;		/* first: the table's key */
	struct live_call	*wait_head;	/* oldest waiting call */
	struct live_call	*wait_tail;
	unsigned		 waiting, talking, on_hold;
	struct live_queue	*list_next;
};

/* What an agent returns to when its calls end. */
enum live_base {
	LIVE_BASE_LOGGED_OUT = 0,
	LIVE_BASE_NOT_READY,
	LIVE_BASE_READY
};

struct live_agent {
	struct live_entry	 e;
	char			 team[EVENT_ID_MAX + 1];
	char			 reason[EVENT_ID_MAX + 1];
	enum live_base		 base;
	unsigned		 calls;
	double			 since;		/* state start, for views */
	double			 acct;		/* time accounted up to */
	struct live_queue	*queue;
	struct live_agent	*list_prev, *list_next;
};

enum live_call_state {
	LIVE_CALL_WAITING = 0,
	LIVE_CALL_TALKING,
	LIVE_CALL_HOLD,
	LIVE_CALL_ENDED			/* a tombstone */
};

struct live_call {
	struct live_entry	 e;
	enum live_call_state	 state;
	struct live_queue	*queue;		/* NULL if none known */
	struct live_agent	*agent;		/* NULL if none known */
	double			 enq;		/* enqueue time, if waiting */
	double			 ended;		/* event time of the end */
	double			 touched;	/* now at the last event */
	struct live_call	*lru_prev, *lru_next;	/* live or tomb list */
	struct live_call	*wq_prev, *wq_next;	/* queue FIFO */
};

struct live {
	size_t			 max_calls, max_queues, max_agents;
	double			 call_expiry;
	uint64_t		 key[2];

	struct live_table	 calls;		/* live calls and tombstones */
	struct live_table	 queues;
	struct live_table	 agents;

	size_t			 ncalls, ntombs;
	struct live_call	*lru_head, *lru_tail;
	struct live_call	*tomb_head, *tomb_tail;
	struct live_queue	*q_first, *q_last;
	struct live_agent	*a_first, *a_last;

	unsigned		 waiting, talking, on_hold;
	unsigned		 agent_count[LIVE_AGENT_STATE_COUNT];
	uint64_t		 expired, lost, duplicates, refused;
};

static uint64_t	 live_hash(const struct live *, const char *, size_t);
static void	 live_table_init(struct live_table *, size_t);
static void	 live_table_resize(struct live_table *, size_t);
static struct live_entry *live_table_find(const struct live_table *,
		    const char *, size_t, uint64_t);
static void	 live_table_insert(struct live_table *, struct live_entry *);
static void	 live_table_remove(struct live_table *, struct live_entry *);
static void	 live_entry_set(const struct live *, struct live_entry *,
		    const char *, size_t);
static int	 live_name(const char *, size_t *);
static void	 live_copy(char *, const char *);
static struct live_queue *live_queue_get(struct live *, const char *, size_t,
		    int *);
static struct live_agent *live_agent_find(const struct live *, const char *,
		    size_t);
static struct live_agent *live_agent_create(struct live *, const char *,
		    size_t, enum live_base, double);
static int	 live_agent_state(const struct live_agent *);
static void	 live_agent_change(struct live *, struct live_agent *, double,
		    struct live_delta *, int, int, const char *);
static void	 live_agent_free(struct live *, struct live_agent *);
static struct live_call *live_call_find(const struct live *, const char *,
		    size_t);
static void	 live_call_touch(struct live *, struct live_call *, double);
static void	 live_call_lru_unlink(struct live *, struct live_call *);
static void	 live_call_leave(struct live *, struct live_call *);
static void	 live_call_wait(struct live *, struct live_call *,
		    struct live_queue *, double);
static void	 live_call_connect(struct live *, struct live_call *,
		    enum live_call_state);
static void	 live_call_end(struct live *, struct live_call *, double,
		    double, struct live_delta *);
static void	 live_call_free(struct live *, struct live_call *, double);
static struct live_call *live_call_create(struct live *, const char *, size_t,
		    double);
static int	 live_call_attach(struct live *, struct live_call *,
		    const struct event *, double, struct live_delta *);
static void	 live_tomb_free(struct live *, struct live_call *);
static enum live_result live_event_call(struct live *, const struct event *,
		    double, double, struct live_delta *);
static enum live_result live_event_agent(struct live *, const struct event *,
		    double, struct live_delta *);
static void	 live_queue_fill(const struct live_queue *, double,
		    struct live_queue_view *);

static const char *live_result_names[LIVE_RESULT_COUNT] = {
	"ok", "ignored", "duplicate", "lost", "refused"
};

static const char *live_agent_state_names[LIVE_AGENT_STATE_COUNT] = {
	"not_ready", "ready", "busy"
};

/* SipHash-1-3 of len bytes. */
static uint64_t
live_hash(const struct live *l, const char *p, size_t len)
{
	return (siphash(l->key, p, len));
}

static void
live_table_init(struct live_table *t, size_t size)
{
	t->b = xcalloc(size, sizeof *t->b);
	t->mask = size - 1;
	t->n = 0;
}

/* Rehash into size buckets (a power of two) using the stored hashes. */
static void
live_table_resize(struct live_table *t, size_t size)
{
	struct live_entry	**b, *e, *next;
	size_t			  i, h;

	b = xcalloc(size, sizeof *b);
	for (i = 0; i <= t->mask; i++) {
		for (e = t->b[i]; e != NULL; e = next) {
			next = e->next;
			h = e->hash & (size - 1);
			e->next = b[h];
			b[h] = e;
		}
	}
	free(t->b);
	t->b = b;
	t->mask = size - 1;
}

static struct live_entry *
live_table_find(const struct live_table *t, const char *name, size_t len,
    uint64_t h)
{
	struct live_entry	*e;

	for (e = t->b[h & t->mask]; e != NULL; e = e->next) {
		if (e->hash == h && e->len == len &&
		    memcmp(e->name, name, len) == 0)
			return (e);
	}
	return (NULL);
}

static void
live_table_insert(struct live_table *t, struct live_entry *e)
{
	size_t	h;

	if (t->n + 1 > t->mask + 1)
		live_table_resize(t, (t->mask + 1) * 2);
	h = e->hash & t->mask;
	e->next = t->b[h];
	t->b[h] = e;
	t->n++;
}

static void
live_table_remove(struct live_table *t, struct live_entry *e)
{
	struct live_entry	**pp;

	for (pp = &t->b[e->hash & t->mask]; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			t->n--;
			return;
		}
	}
	fatalx("live: entry not in its table");
}

static void
live_entry_set(const struct live *l, struct live_entry *e, const char *name,
    size_t len)
{
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = len;
	e->hash = live_hash(l, name, len);
}

/* Length of an event string; -1 if it is empty or unterminated. */
static int
live_name(const char *s, size_t *len)
{
	*len = strnlen(s, EVENT_ID_MAX + 1);
	if (*len == 0 || *len > EVENT_ID_MAX)
		return (-1);
	return (0);
}

/* Copy an event string into a name field of EVENT_ID_MAX + 1 bytes. */
static void
live_copy(char *dst, const char *src)
{
	size_t	len = strnlen(src, EVENT_ID_MAX);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

struct live *
live_new(size_t max_calls, size_t max_queues, size_t max_agents,
    double call_expiry)
{
	struct live	*l;

	l = xcalloc(1, sizeof *l);
	live_set_limits(l, max_calls, max_queues, max_agents, call_expiry);
	siphash_key(l->key);
	live_table_init(&l->calls, LIVE_TABLE_MIN);
	live_table_init(&l->queues, LIVE_TABLE_MIN);
	live_table_init(&l->agents, LIVE_TABLE_MIN);
	return (l);
}

void
live_free(struct live *l)
{
	struct live_call	*c, *cnext;
	struct live_queue	*q, *qnext;
	struct live_agent	*a, *anext;

	if (l == NULL)
		return;
	for (c = l->lru_head; c != NULL; c = cnext) {
		cnext = c->lru_next;
		free(c);
	}
	for (c = l->tomb_head; c != NULL; c = cnext) {
		cnext = c->lru_next;
		free(c);
	}
	for (a = l->a_first; a != NULL; a = anext) {
		anext = a->list_next;
		free(a);
	}
	for (q = l->q_first; q != NULL; q = qnext) {
		qnext = q->list_next;
		free(q);
	}
	free(l->calls.b);
	free(l->queues.b);
	free(l->agents.b);
	free(l);
}

void
live_set_limits(struct live *l, size_t max_calls, size_t max_queues,
    size_t max_agents, double call_expiry)
{
	l->max_calls = max_calls;
	l->max_queues = max_queues;
	l->max_agents = max_agents;
	l->call_expiry = call_expiry;
}

/* Find or create a queue; *refused is set if the cap stopped it. */
static struct live_queue *
live_queue_get(struct live *l, const char *name, size_t len, int *refused)
{
	struct live_queue	*q;
	uint64_t		 h = live_hash(l, name, len);

	q = (struct live_queue *)live_table_find(&l->queues, name, len, h);
	if (q != NULL)
		return (q);
	if (l->queues.n >= l->max_queues) {
		*refused = 1;
		return (NULL);
	}
	q = xcalloc(1, sizeof *q);
	live_entry_set(l, &q->e, name, len);
	live_table_insert(&l->queues, &q->e);
	if (l->q_last != NULL)
		l->q_last->list_next = q;
	else
		l->q_first = q;
	l->q_last = q;
	return (q);
}

static struct live_agent *
live_agent_find(const struct live *l, const char *name, size_t len)
{
	return ((struct live_agent *)live_table_find(&l->agents, name, len,
	    live_hash(l, name, len)));
}

/* A new agent in base state at t; NULL at the cap. */
static struct live_agent *
live_agent_create(struct live *l, const char *name, size_t len,
    enum live_base base, double t)
{
	struct live_agent	*a;

	if (l->agents.n >= l->max_agents)
		return (NULL);
	a = xcalloc(1, sizeof *a);
	live_entry_set(l, &a->e, name, len);
	a->base = base;
	a->since = a->acct = t;
	live_table_insert(&l->agents, &a->e);
	a->list_prev = l->a_last;
	if (l->a_last != NULL)
		l->a_last->list_next = a;
	else
		l->a_first = a;
	l->a_last = a;
	l->agent_count[live_agent_state(a)]++;
	return (a);
}

/* The shown state; -1 for an agent that is gone. */
static int
live_agent_state(const struct live_agent *a)
{
	if (a->calls > 0)
		return (LIVE_AGENT_BUSY);
	switch (a->base) {
	case LIVE_BASE_READY:
		return (LIVE_AGENT_READY);
	case LIVE_BASE_NOT_READY:
		return (LIVE_AGENT_NOT_READY);
	default:
		return (-1);
	}
}

/*
 * Move an agent at time t: base (or -1 to keep it), dcalls (+1, 0, -1)
 * to its calls, reason (or NULL to keep it).  The time spent in the previous
 * state goes to d (NULL discards it).  An agent logged out with no call
 * left is freed.
 */
static void
live_agent_change(struct live *l, struct live_agent *a, double t,
    struct live_delta *d, int base, int dcalls, const char *reason)
{
	struct live_delta_agent	*da = NULL;
	int			 old, new, renamed = 0;
	double			 span;

	old = live_agent_state(a);
	span = t > a->acct ? t - a->acct : 0;
	if (t > a->acct)
		a->acct = t;
	if (d != NULL && d->n < 2) {
		da = &d->a[d->n++];
		memcpy(da->agent, a->e.name, a->e.len + 1);
		memcpy(da->team, a->team, sizeof da->team);
		da->busy = old == LIVE_AGENT_BUSY ? span : 0;
		da->ready = old == LIVE_AGENT_READY ? span : 0;
	}

	if (base != -1)
		a->base = (enum live_base)base;
	if (dcalls > 0)
		a->calls++;
	else if (dcalls < 0 && a->calls > 0)
		a->calls--;
	if (a->calls == 0)
		a->queue = NULL;
	if (reason != NULL && strncmp(a->reason, reason,
	    sizeof a->reason) != 0) {
		live_copy(a->reason, reason);
		renamed = 1;
	}

	/* A new not-ready reason starts a new pause. */
	new = live_agent_state(a);
	if ((new != old || (renamed && new == LIVE_AGENT_NOT_READY)) &&
	    t > a->since)
		a->since = t;
	if (old != -1)
		l->agent_count[old]--;
	if (new == -1)
		live_agent_free(l, a);
	else
		l->agent_count[new]++;
}

static void
live_agent_free(struct live *l, struct live_agent *a)
{
	live_table_remove(&l->agents, &a->e);
	if (a->list_prev != NULL)
		a->list_prev->list_next = a->list_next;
	else
		l->a_first = a->list_next;
	if (a->list_next != NULL)
		a->list_next->list_prev = a->list_prev;
	else
		l->a_last = a->list_prev;
	free(a);
}

static struct live_call *
live_call_find(const struct live *l, const char *id, size_t len)
{
	return ((struct live_call *)live_table_find(&l->calls, id, len,
	    live_hash(l, id, len)));
}

static void
live_call_lru_unlink(struct live *l, struct live_call *c)
{
	struct live_call	**head, **tail;

	if (c->state == LIVE_CALL_ENDED) {
		head = &l->tomb_head;
		tail = &l->tomb_tail;
	} else {
		head = &l->lru_head;
		tail = &l->lru_tail;
	}
	if (c->lru_prev != NULL)
		c->lru_prev->lru_next = c->lru_next;
	else
		*head = c->lru_next;
	if (c->lru_next != NULL)
		c->lru_next->lru_prev = c->lru_prev;
	else
		*tail = c->lru_prev;
	c->lru_prev = c->lru_next = NULL;
}

/*
 * Move a call (live or tomb) to the tail of its list.  The touch time
 * never goes below the tail's, so the list stays sorted and the sweep
 * can stop at the first call not yet due.
 */
static void
live_call_touch(struct live *l, struct live_call *c, double now)
{
	struct live_call	**head, **tail;

	if (c->lru_prev != NULL || c->lru_next != NULL ||
	    l->lru_head == c || l->tomb_head == c)
		live_call_lru_unlink(l, c);
	if (c->state == LIVE_CALL_ENDED) {
		head = &l->tomb_head;
		tail = &l->tomb_tail;
	} else {
		head = &l->lru_head;
		tail = &l->lru_tail;
	}
	if (*tail != NULL && (*tail)->touched > now)
		now = (*tail)->touched;
	c->touched = now;
	c->lru_prev = *tail;
	c->lru_next = NULL;
	if (*tail != NULL)
		(*tail)->lru_next = c;
	else
		*head = c;
	*tail = c;
}

/* Take a live call out of its state's counts (and its queue's FIFO). */
static void
live_call_leave(struct live *l, struct live_call *c)
{
	struct live_queue	*q = c->queue;

	switch (c->state) {
	case LIVE_CALL_WAITING:
		if (c->wq_prev != NULL)
			c->wq_prev->wq_next = c->wq_next;
		else
			q->wait_head = c->wq_next;
		if (c->wq_next != NULL)
			c->wq_next->wq_prev = c->wq_prev;
		else
			q->wait_tail = c->wq_prev;
		c->wq_prev = c->wq_next = NULL;
		q->waiting--;
		l->waiting--;
		break;
	case LIVE_CALL_TALKING:
		if (q != NULL)
			q->talking--;
		l->talking--;
		break;
	case LIVE_CALL_HOLD:
		if (q != NULL)
			q->on_hold--;
		l->on_hold--;
		break;
	case LIVE_CALL_ENDED:
		break;
	}
}

/*
 * Make c wait in q since enq.  The FIFO is kept sorted by enqueue time:
 * a call is placed from the tail back, at most LIVE_SORT_STEPS calls, so
 * that a flood of back-dated events cannot make this slow; past that its
 * enqueue time is raised to its neighbour's.
 */
static void
live_call_wait(struct live *l, struct live_call *c, struct live_queue *q,
    double enq)
{
	struct live_call	*p = q->wait_tail;
	int			 steps = 0;

	while (p != NULL && p->enq > enq && steps < LIVE_SORT_STEPS) {
		p = p->wq_prev;
		steps++;
	}
	if (p != NULL && p->enq > enq)
		enq = p->enq;
	c->enq = enq;
	c->queue = q;
	c->state = LIVE_CALL_WAITING;
	c->wq_prev = p;
	if (p != NULL) {
		c->wq_next = p->wq_next;
		p->wq_next = c;
	} else {
		c->wq_next = q->wait_head;
		q->wait_head = c;
	}
	if (c->wq_next != NULL)
		c->wq_next->wq_prev = c;
	else
		q->wait_tail = c;
	q->waiting++;
	l->waiting++;
}

/* Count c as talking or on hold (after live_call_leave or when new). */
static void
live_call_connect(struct live *l, struct live_call *c,
    enum live_call_state state)
{
	c->state = state;
	if (state == LIVE_CALL_TALKING) {
		if (c->queue != NULL)
			c->queue->talking++;
		l->talking++;
	} else {
		if (c->queue != NULL)
			c->queue->on_hold++;
		l->on_hold++;
	}
}

/* End a live call at event time t: release its agent, keep a tombstone. */
static void
live_call_end(struct live *l, struct live_call *c, double t, double now,
    struct live_delta *d)
{
	live_call_leave(l, c);
	if (c->agent != NULL) {
		live_agent_change(l, c->agent, t, d, -1, -1, NULL);
		c->agent = NULL;
	}
	live_call_lru_unlink(l, c);
	l->ncalls--;
	c->state = LIVE_CALL_ENDED;
	c->ended = t;
	if (l->ntombs >= l->max_calls && l->tomb_head != NULL)
		live_tomb_free(l, l->tomb_head);
	l->ntombs++;
	live_call_touch(l, c, now);
}

/*
 * Free a live call whose end never came at now.  When it ended is not
 * known, so its agent's time since the last report is dropped.
 */
static void
live_call_free(struct live *l, struct live_call *c, double now)
{
	live_call_leave(l, c);
	if (c->agent != NULL)
		live_agent_change(l, c->agent, now, NULL, -1, -1, NULL);
	live_call_lru_unlink(l, c);
	live_table_remove(&l->calls, &c->e);
	l->ncalls--;
	free(c);
}

static void
live_tomb_free(struct live *l, struct live_call *c)
{
	live_call_lru_unlink(l, c);
	live_table_remove(&l->calls, &c->e);
	l->ntombs--;
	free(c);
}

enum live_result
live_event(struct live *l, const struct event *ev, double now,
    struct live_delta *d)
{
	struct live_delta	 dummy;
	double			 t;

	if (d == NULL)
		d = &dummy;
	d->n = 0;
	t = (ev->has & EVENT_HAS_TS) ? ev->ts : now;

	switch (ev->type) {
	case EVENT_CALL:
	case EVENT_CALL_QUEUED:
	case EVENT_CALL_ANSWERED:
	case EVENT_CALL_HOLD:
	case EVENT_CALL_RESUME:
	case EVENT_CALL_ENDED:
		return (live_event_call(l, ev, t, now, d));
	case EVENT_AGENT:
		return (live_event_agent(l, ev, t, d));
	default:
		return (LIVE_IGNORED);
	}
}

/* A new live call, or NULL at the cap. */
static struct live_call *
live_call_create(struct live *l, const char *id, size_t len, double now)
{
	struct live_call	*c;

	if (l->ncalls >= l->max_calls)
		return (NULL);
	c = xcalloc(1, sizeof *c);
	live_entry_set(l, &c->e, id, len);
	live_table_insert(&l->calls, &c->e);
	l->ncalls++;
	c->state = LIVE_CALL_TALKING;	/* not counted until placed */
	live_call_touch(l, c, now);
	return (c);
}

/* Attach agent a (found or created) to c at t; -1 at the agent cap. */
static int
live_call_attach(struct live *l, struct live_call *c, const struct event *ev,
    double t, struct live_delta *d)
{
	struct live_agent	*a;
	size_t			 len;

	if (live_name(ev->agent, &len) == -1)
		return (0);
	if ((a = live_agent_find(l, ev->agent, len)) == NULL) {
		a = live_agent_create(l, ev->agent, len, LIVE_BASE_READY, t);
		if (a == NULL)
			return (-1);
	}
	if (ev->team[0] != '\0')
		live_copy(a->team, ev->team);
	live_agent_change(l, a, t, d, -1, 1, NULL);
	a->queue = c->queue;
	c->agent = a;
	return (0);
}

static enum live_result
live_event_call(struct live *l, const struct event *ev, double t, double now,
    struct live_delta *d)
{
	struct live_call	*c;
	struct live_queue	*q = NULL;
	size_t			 len, qlen = 0;
	int			 refused = 0;

	if (live_name(ev->call_id, &len) == -1)
		return (LIVE_IGNORED);
	c = live_call_find(l, ev->call_id, len);
	if (ev->queue[0] != '\0' && live_name(ev->queue, &qlen) == -1)
		return (LIVE_IGNORED);

	/* Late or repeated events for a call that has ended. */
	if (c != NULL && c->state == LIVE_CALL_ENDED) {
		if (ev->type == EVENT_CALL)
			return (LIVE_IGNORED);
		if (ev->type != EVENT_CALL_QUEUED || t < c->ended ||
		    (c->queue != NULL && qlen == c->queue->e.len &&
		    memcmp(c->queue->e.name, ev->queue, qlen) == 0)) {
			l->duplicates++;
			return (LIVE_DUPLICATE);
		}
		/* The same id queued again elsewhere: a new stint. */
		live_tomb_free(l, c);
		c = NULL;
	}

	switch (ev->type) {
	case EVENT_CALL:
		if (c == NULL)
			return (LIVE_IGNORED);
		live_call_end(l, c, t, now, d);
		return (LIVE_OK);
	case EVENT_CALL_QUEUED:
		if (qlen == 0)
			return (LIVE_IGNORED);
		if (c != NULL && c->queue != NULL &&
		    c->queue->e.len == qlen &&
		    memcmp(c->queue->e.name, ev->queue, qlen) == 0) {
			live_call_touch(l, c, now);
			l->duplicates++;
			return (LIVE_DUPLICATE);
		}
		if ((q = live_queue_get(l, ev->queue, qlen, &refused)) == NULL)
			break;
		if (c != NULL && c->queue == NULL) {
			/* Answered before its queued arrived: name the queue. */
			live_call_touch(l, c, now);
			live_call_leave(l, c);
			c->queue = q;
			live_call_connect(l, c, c->state);
			if (c->agent != NULL)
				c->agent->queue = q;
			return (LIVE_OK);
		}
		if (c == NULL) {
			if ((c = live_call_create(l, ev->call_id, len,
			    now)) == NULL) {
				refused = 1;
				break;
			}
		} else {
			/* Moved to another queue: a new wait there. */
			live_call_leave(l, c);
			if (c->agent != NULL) {
				live_agent_change(l, c->agent, t, d, -1, -1,
				    NULL);
				c->agent = NULL;
			}
			live_call_touch(l, c, now);
		}
		live_call_wait(l, c, q, t);
		return (LIVE_OK);
	case EVENT_CALL_ANSWERED:
		if (c != NULL) {
			live_call_touch(l, c, now);
			if (c->state != LIVE_CALL_WAITING &&
			    (ev->agent[0] == '\0' || (c->agent != NULL &&
			    strncmp(c->agent->e.name, ev->agent,
			    sizeof ev->agent) == 0))) {
				l->duplicates++;
				return (LIVE_DUPLICATE);
			}
			if (c->state == LIVE_CALL_WAITING) {
				live_call_leave(l, c);
				live_call_connect(l, c, LIVE_CALL_TALKING);
			}
			/* Answered by another agent: the first lets go. */
			if (c->agent != NULL) {
				live_agent_change(l, c->agent, t, d, -1, -1,
				    NULL);
				c->agent = NULL;
			}
		} else {
			if (qlen != 0 && (q = live_queue_get(l, ev->queue,
			    qlen, &refused)) == NULL)
				break;
			if ((c = live_call_create(l, ev->call_id, len,
			    now)) == NULL) {
				refused = 1;
				break;
			}
			c->queue = q;
			live_call_connect(l, c, LIVE_CALL_TALKING);
		}
		if (live_call_attach(l, c, ev, t, d) == -1) {
			refused = 1;
			break;
		}
		return (LIVE_OK);
	case EVENT_CALL_HOLD:
	case EVENT_CALL_RESUME:
		if (c == NULL || c->state == LIVE_CALL_WAITING) {
			l->lost++;
			return (LIVE_LOST);
		}
		live_call_touch(l, c, now);
		if ((ev->type == EVENT_CALL_HOLD) ==
		    (c->state == LIVE_CALL_HOLD)) {
			l->duplicates++;
			return (LIVE_DUPLICATE);
		}
		live_call_leave(l, c);
		live_call_connect(l, c, ev->type == EVENT_CALL_HOLD ?
		    LIVE_CALL_HOLD : LIVE_CALL_TALKING);
		return (LIVE_OK);
	case EVENT_CALL_ENDED:
		if (c == NULL) {
			l->lost++;
			return (LIVE_LOST);
		}
		live_call_end(l, c, t, now, d);
		return (LIVE_OK);
	default:
		return (LIVE_IGNORED);
	}
	if (refused) {
		l->refused++;
		return (LIVE_REFUSED);
	}
	return (LIVE_OK);
}

static enum live_result
live_event_agent(struct live *l, const struct event *ev, double t,
    struct live_delta *d)
{
	struct live_agent	*a;
	size_t			 len;
	enum live_base		 base;
	const char		*reason = "";

	if (live_name(ev->agent, &len) == -1)
		return (LIVE_IGNORED);
	switch (ev->state) {
	case EVENT_STATE_LOGIN:
		base = LIVE_BASE_NOT_READY;
		break;
	case EVENT_STATE_READY:
		base = LIVE_BASE_READY;
		break;
	case EVENT_STATE_NOT_READY:
		base = LIVE_BASE_NOT_READY;
		reason = ev->reason;
		break;
	case EVENT_STATE_LOGOUT:
		base = LIVE_BASE_LOGGED_OUT;
		break;
	default:
		return (LIVE_IGNORED);
	}

	a = live_agent_find(l, ev->agent, len);
	if (a == NULL) {
		if (base == LIVE_BASE_LOGGED_OUT) {
			l->lost++;
			return (LIVE_LOST);
		}
		a = live_agent_create(l, ev->agent, len, base, t);
		if (a == NULL) {
			l->refused++;
			return (LIVE_REFUSED);
		}
		live_copy(a->reason, reason);
		if (ev->team[0] != '\0')
			live_copy(a->team, ev->team);
		return (LIVE_OK);
	}
	if (ev->team[0] != '\0')
		live_copy(a->team, ev->team);
	/* A login while logged in changes nothing, nor does a repeat. */
	if ((ev->state == EVENT_STATE_LOGIN &&
	    a->base != LIVE_BASE_LOGGED_OUT) ||
	    (a->base == base && strncmp(a->reason, reason,
	    sizeof a->reason) == 0)) {
		l->duplicates++;
		return (LIVE_DUPLICATE);
	}
	live_agent_change(l, a, t, d, (int)base, 0, reason);
	return (LIVE_OK);
}

size_t
live_expire(struct live *l, double now)
{
	struct live_call	*c;
	size_t			 n = 0, size;

	while ((c = l->lru_head) != NULL &&
	    c->touched + l->call_expiry <= now) {
		live_call_free(l, c, now);
		n++;
	}
	while ((c = l->tomb_head) != NULL &&
	    c->touched + LIVE_ENDED_KEEP <= now)
		live_tomb_free(l, c);
	l->expired += n;

	/* Give back the buckets of a table that has emptied. */
	size = l->calls.mask + 1;
	while (size > LIVE_TABLE_MIN && l->calls.n * 8 < size)
		size /= 2;
	if (size != l->calls.mask + 1)
		live_table_resize(&l->calls, size);
	return (n);
}

size_t
live_flush(struct live *l, double now,
    void (*cb)(const struct live_delta_agent *, void *), void *arg)
{
	struct live_agent	*a;
	struct live_delta_agent	 da;
	int			 state;
	double			 span;
	size_t			 n = 0;

	for (a = l->a_first; a != NULL; a = a->list_next) {
		if (now <= a->acct)
			continue;
		span = now - a->acct;
		a->acct = now;
		state = live_agent_state(a);
		if (state != LIVE_AGENT_BUSY && state != LIVE_AGENT_READY)
			continue;
		memcpy(da.agent, a->e.name, a->e.len + 1);
		memcpy(da.team, a->team, sizeof da.team);
		da.busy = state == LIVE_AGENT_BUSY ? span : 0;
		da.ready = state == LIVE_AGENT_READY ? span : 0;
		cb(&da, arg);
		n++;
	}
	return (n);
}

size_t
live_ncalls(const struct live *l)
{
	return (l->ncalls);
}

size_t
live_nqueues(const struct live *l)
{
	return (l->queues.n);
}

size_t
live_nagents(const struct live *l)
{
	return (l->agents.n);
}

static void
live_queue_fill(const struct live_queue *q, double now,
    struct live_queue_view *v)
{
	v->name = q->e.name;
	v->waiting = q->waiting;
	v->talking = q->talking;
	v->on_hold = q->on_hold;
	v->longest_wait = 0;
	if (q->wait_head != NULL && now > q->wait_head->enq)
		v->longest_wait = now - q->wait_head->enq;
}

size_t
live_queues(const struct live *l, double now, struct live_queue_view *out,
    size_t max)
{
	const struct live_queue	*q;
	size_t			 i = 0;

	for (q = l->q_first; q != NULL && i < max; q = q->list_next)
		live_queue_fill(q, now, &out[i++]);
	return (l->queues.n);
}

int
live_queue(const struct live *l, const char *name, double now,
    struct live_queue_view *v)
{
	const struct live_queue	*q;
	size_t			 len;

	if (live_name(name, &len) == -1)
		return (-1);
	q = (const struct live_queue *)live_table_find(&l->queues, name, len,
	    live_hash(l, name, len));
	if (q == NULL)
		return (-1);
	live_queue_fill(q, now, v);
	return (0);
}

size_t
live_agents(const struct live *l, struct live_agent_view *out, size_t max)
{
	const struct live_agent	*a;
	struct live_agent_view	*v;
	size_t			 i = 0;

	for (a = l->a_first; a != NULL && i < max; a = a->list_next) {
		v = &out[i++];
		v->name = a->e.name;
		v->team = a->team;
		v->state = (enum live_agent_state)live_agent_state(a);
		v->since = a->since;
		v->reason = a->base == LIVE_BASE_NOT_READY ? a->reason : "";
		v->queue = a->queue != NULL ? a->queue->e.name : "";
		v->calls = a->calls;
	}
	return (l->agents.n);
}

void
live_get_totals(const struct live *l, double now, struct live_totals *t)
{
	const struct live_queue	*q;
	double			 w;

	memset(t, 0, sizeof *t);
	t->waiting = l->waiting;
	t->talking = l->talking;
	t->on_hold = l->on_hold;
	t->agents_ready = l->agent_count[LIVE_AGENT_READY];
	t->agents_busy = l->agent_count[LIVE_AGENT_BUSY];
	t->agents_not_ready = l->agent_count[LIVE_AGENT_NOT_READY];
	t->agents_logged_in = t->agents_ready + t->agents_busy +
	    t->agents_not_ready;
	for (q = l->q_first; q != NULL; q = q->list_next) {
		if (q->wait_head == NULL)
			continue;
		w = now - q->wait_head->enq;
		if (w > t->longest_wait)
			t->longest_wait = w;
	}
	t->calls = l->ncalls;
	t->queues = l->queues.n;
	t->agents = l->agents.n;
	t->expired = l->expired;
	t->lost = l->lost;
	t->duplicates = l->duplicates;
	t->refused = l->refused;
}

const char *
live_result_name(enum live_result r)
{
	if (r < 0 || r >= LIVE_RESULT_COUNT)
		return ("unknown");
	return (live_result_names[r]);
}

const char *
live_agent_state_name(enum live_agent_state s)
{
	if (s < 0 || s >= LIVE_AGENT_STATE_COUNT)
		return ("unknown");
	return (live_agent_state_names[s]);
}
