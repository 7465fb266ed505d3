/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * callscore-load: send generated call-center events (gen.c) to a running
 * callscored over TCP, a Unix stream socket or UDP, at a paced or maximum
 * rate, and count the daemon's acknowledgements.  Used by the README demo
 * (gentle rate, forever) and by the benchmark.  It only ever talks to the
 * one address it is given, loopback by default.
 *
 * One thread, non-blocking sockets and poll(2): lines go out in batches
 * while the "ok"/"error" answers are read back concurrently, so neither
 * side's buffers fill and stall the other.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gen.h"
#include "log.h"
#include "xmalloc.h"

#define LOAD_DEFAULT_ADDR	"127.0.0.1:7311"
#define LOAD_STREAM_BATCH	65536	/* bytes per write on streams */
#define LOAD_UDP_BATCH		1400	/* MTU-safe datagrams */
#define LOAD_BATCH_MAX		65000	/* UDP payload limit, rounded down */
#define LOAD_READ_SIZE		65536
#define LOAD_REPLY_MAX		512	/* bytes of a reply kept for printing */
#define LOAD_SHOW_ERRORS	5	/* error replies printed verbatim */
#define LOAD_POLL_MAX_MS	100	/* wake up at least this often */
#define LOAD_CONNS_MAX		1024

enum load_transport {
	LOAD_TCP,
	LOAD_UNIX,
	LOAD_UDP
};

struct load_conn {
	int		 fd;
	int		 dead;		/* error or EOF: no more I/O */
	int		 shut;		/* our write side is shut down */
	char		*out;		/* one batch being written */
	size_t		 out_len;
	size_t		 out_off;
	uint64_t	 out_lines;	/* lines in out */
	uint64_t	 sent;		/* lines fully written */
	uint64_t	 ok;
	uint64_t	 errors;
	int		 directive;	/* "#acks durable" not yet answered */
	char		 reply[LOAD_REPLY_MAX];	/* partial reply line */
	size_t		 reply_len;	/* may exceed sizeof reply */
};

struct load {
	enum load_transport	 transport;
	const char		*addr;
	double			 rate;		/* lines/s, 0 = unpaced */
	uint64_t		 count;		/* 0 = unbounded */
	double			 duration;	/* s, 0 = until killed */
	double			 wait;		/* s to wait for acks at the end */
	unsigned int		 nconns;
	size_t			 batch;
	int			 quiet_acks;
	int			 durable;	/* ask for durable acks */
	int			 allow_errors;
	int			 json;
	int			 verbose;
	int			 no_ts;

	struct gen		*gen;
	struct load_conn	*conns;
	struct pollfd		*pfds;

	uint64_t		 generated;	/* lines handed to buffers */
	uint64_t		 bytes;
	uint64_t		 datagrams;
	uint64_t		 send_errors;	/* UDP datagrams dropped */
	uint64_t		 shown_errors;
	double			 tokens;
	double			 burst;
	double			 need;		/* tokens before a burst starts */
	int			 bursting;
	double			 t_refill;
	double			 t_start;
	double			 t_sent;	/* end of the sending phase */
	double			 t_end;		/* end of the ack wait */
	int			 drain_timeout;
};

static volatile sig_atomic_t load_signals;

static void	 load_usage(int) __attribute__((noreturn));
static void	 load_signal_cb(int);
static double	 load_mono(void);
static double	 load_wall(void);
static int	 load_parse_double(const char *, double, double, double *);
static int	 load_parse_u64(const char *, uint64_t, uint64_t, uint64_t *);
static int	 load_connect(struct load *, struct load_conn *, char **);
static int	 load_fill(struct load *, struct load_conn *, uint64_t);
static void	 load_flush(struct load *, struct load_conn *);
static void	 load_read(struct load *, struct load_conn *);
static void	 load_reply(struct load *, struct load_conn *, const char *,
		    size_t);
static void	 load_send_udp(struct load *, struct load_conn *);
static void	 load_run(struct load *);
static void	 load_drain(struct load *);
static void	 load_totals(const struct load *, uint64_t *, uint64_t *,
		    uint64_t *);
static void	 load_progress(const struct load *, double);
static int	 load_summary(const struct load *);

static void
load_usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
"usage: callscore-load [-hv] [-t tcp|unix|udp] [-a addr] [-r rate] [-n count]\n"
"           [-d seconds] [-c conns] [--queues n] [--agents n] [--teams n]\n"
"           [--customers n] [--seed n] [--calls-only] [--batch bytes]\n"
"           [--ts now|none] [--wait seconds] [--quiet-acks] [--allow-errors]\n"
"           [--durable] [--json]\n"
"\n"
"  -t, --transport   tcp (default), unix or udp\n"
"  -a, --address     host:port (default " LOAD_DEFAULT_ADDR "),\n"
"                    or the path of a Unix socket\n"
"  -r, --rate        events per second over all connections (0 = flat out)\n"
"  -n, --count       stop after this many events\n"
"  -d, --duration    stop after this many seconds (0 = until interrupted;\n"
"                    default 10 when neither -n nor -d is given)\n"
"  -c, --conns       connections (default 1)\n"
"  --batch           bytes per write or datagram (default 65536, udp 1400)\n"
"  --ts              stamp events with the wall clock (now) or not (none)\n"
"  --wait            seconds to wait for outstanding acks (default 10)\n"
"  --quiet-acks      do not require an \"ok\" per line; count error replies\n"
"  --allow-errors    exit 0 even if the daemon rejected lines\n"
"  --durable         ask for durable acknowledgements (\"#acks durable\":\n"
"                    \"ok\" once the event's journal batch has committed)\n"
"  --json            print the summary as one JSON object\n"
"  -v                print progress every second\n"
"\n"
"Exit status: 0 if every line was acknowledged without error, 1 otherwise,\n"
"2 for usage errors.\n");
	exit(status);
}

static void
load_signal_cb(int sig)
{
	load_signals++;
}

static double
load_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

static double
load_wall(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

static int
load_parse_double(const char *s, double min, double max, double *out)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
		return (-1);
	*out = v;
	return (0);
}

static int
load_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char			*end;
	unsigned long long	 v;

	if (*s == '-' || *s == '\0')
		return (-1);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* Open one connection to the target; streams end up non-blocking. */
static int
load_connect(struct load *l, struct load_conn *c, char **cause)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *res = NULL, *ai;
	char			 host[256], *port;
	const char		*a = l->addr;
	size_t			 len;
	int			 fd = -1, error, one = 1, flags;

	if (l->transport == LOAD_UNIX) {
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		if (strlen(a) >= sizeof sun.sun_path) {
			xasprintf(cause, "%s: socket path too long", a);
			return (-1);
		}
		memcpy(sun.sun_path, a, strlen(a));
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
			xasprintf(cause, "%s: %s", a, strerror(errno));
			if (fd != -1)
				close(fd);
			return (-1);
		}
		goto done;
	}

	/* host:port, or [v6]:port */
	len = strlen(a);
	if (len >= sizeof host || (port = strrchr(a, ':')) == NULL) {
		xasprintf(cause, "%s: expected host:port", a);
		return (-1);
	}
	if (a[0] == '[') {
		if (port == a || port[-1] != ']' || port - a < 3) {
			xasprintf(cause, "%s: expected [address]:port", a);
			return (-1);
		}
		memcpy(host, a + 1, (size_t)(port - a) - 2);
		host[port - a - 2] = '\0';
	} else {
		memcpy(host, a, (size_t)(port - a));
		host[port - a] = '\0';
	}
	port++;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = l->transport == LOAD_UDP ? SOCK_DGRAM :
	    SOCK_STREAM;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "%s: %s", a, gai_strerror(error));
		return (-1);
	}
	error = 0;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1) {
			error = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		error = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", a, strerror(error));
		return (-1);
	}
	/* Paced lines should reach the daemon when written, not later. */
	if (l->transport == LOAD_TCP)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

done:
	/* Before any event: its answer is the first. */
	if (l->durable && l->transport != LOAD_UDP) {
		if (write(fd, "#acks durable\n", 14) != 14) {
			xasprintf(cause, "%s: %s", a, strerror(errno));
			close(fd);
			return (-1);
		}
		c->directive = 1;
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		xasprintf(cause, "fcntl: %s", strerror(errno));
		close(fd);
		return (-1);
	}
	c->fd = fd;
	c->out = xmalloc(l->batch);
	return (0);
}

/* Generate up to max lines into c's empty buffer; returns lines added. */
static int
load_fill(struct load *l, struct load_conn *c, uint64_t max)
{
	double		ts = l->no_ts ? 0 : load_wall();
	size_t		n;
	uint64_t	lines = 0;

	while (lines < max) {
		n = gen_next(l->gen, c->out + c->out_len, l->batch - c->out_len,
		    ts);
		if (n == 0)
			break;
		c->out_len += n;
		lines++;
	}
	c->out_lines = lines;
	l->generated += lines;
	l->bytes += c->out_len;
	return ((int)lines);
}

/* Write what the kernel takes of c's batch. */
static void
load_flush(struct load *l, struct load_conn *c)
{
	ssize_t	n;

	while (!c->dead && c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			log_warn("connection %zu: write",
			    (size_t)(c - l->conns));
			load_read(l, c);	/* count replies already sent */
			c->dead = 1;
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len && c->out_len > 0) {
		c->sent += c->out_lines;
		c->out_len = c->out_off = 0;
		c->out_lines = 0;
	}
}

/* One datagram per batch; a refused datagram is counted and dropped. */
static void
load_send_udp(struct load *l, struct load_conn *c)
{
	ssize_t	n;

	for (;;) {
		n = send(c->fd, c->out, c->out_len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		break;
	}
	if (n == -1) {
		/* ECONNREFUSED: nobody listening (yet); ENOBUFS, EAGAIN. */
		l->send_errors++;
	} else {
		l->datagrams++;
		c->sent += c->out_lines;
	}
	c->out_len = c->out_off = 0;
	c->out_lines = 0;
}

/* Read and count the daemon's replies, one per line sent. */
static void
load_read(struct load *l, struct load_conn *c)
{
	char		 buf[LOAD_READ_SIZE];
	const char	*p, *end, *nl;
	ssize_t		 n;
	size_t		 take;

	for (;;) {
		n = recv(c->fd, buf, sizeof buf, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_warn("connection %zu: read",
				    (size_t)(c - l->conns));
				c->dead = 1;
			}
			return;
		}
		if (n == 0) {
			c->dead = 1;
			return;
		}
		p = buf;
		end = buf + n;
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			take = (size_t)((nl != NULL ? nl : end) - p);
			if (c->reply_len < sizeof c->reply) {
				if (take > sizeof c->reply - c->reply_len)
					take = sizeof c->reply - c->reply_len;
				memcpy(c->reply + c->reply_len, p, take);
			}
			c->reply_len += (size_t)((nl != NULL ? nl : end) - p);
			if (nl == NULL)
				break;
			load_reply(l, c, c->reply, c->reply_len < sizeof
			    c->reply ? c->reply_len : sizeof c->reply);
			c->reply_len = 0;
			p = nl + 1;
		}
	}
}

static void
load_reply(struct load *l, struct load_conn *c, const char *s, size_t len)
{
	char	esc[LOAD_REPLY_MAX * 4 + 1];

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len == 2 && s[0] == 'o' && s[1] == 'k') {
		if (c->directive)
			c->directive = 0;	/* the directive's own */
		else
			c->ok++;
		return;
	}
	/* "error N: reason", or anything unexpected: both are failures. */
	c->errors++;
	if (l->shown_errors++ < LOAD_SHOW_ERRORS) {
		log_escape(esc, sizeof esc, s, len);
		fprintf(stderr, "callscore-load: connection %zu: %s\n",
		    (size_t)(c - l->conns), esc);
	}
}

static void
load_totals(const struct load *l, uint64_t *sent, uint64_t *ok,
    uint64_t *errors)
{
	unsigned int	i;

	*sent = *ok = *errors = 0;
	for (i = 0; i < l->nconns; i++) {
		*sent += l->conns[i].sent;
		*ok += l->conns[i].ok;
		*errors += l->conns[i].errors;
	}
}

static void
load_progress(const struct load *l, double now)
{
	uint64_t	sent, ok, errors;
	double		el = now - l->t_start;

	load_totals(l, &sent, &ok, &errors);
	fprintf(stderr, "callscore-load: %.1fs sent %llu (%.0f/s) ok %llu "
	    "errors %llu\n", el, (unsigned long long)sent,
	    el > 0 ? (double)sent / el : 0, (unsigned long long)ok,
	    (unsigned long long)errors);
}

/* The sending phase: until count, duration or a signal. */
static void
load_run(struct load *l)
{
	struct load_conn	*c;
	struct timespec		 ts;
	double			 now, deadline, next_progress, wait_s;
	uint64_t		 allow;
	unsigned int		 i, next = 0, alive, busy, starved;
	int			 stream = l->transport != LOAD_UDP;

	l->t_start = l->t_refill = load_mono();
	deadline = l->duration > 0 ? l->t_start + l->duration : 0;
	next_progress = l->t_start + 1;
	l->tokens = 1;

	while (load_signals == 0) {
		now = load_mono();
		if (deadline != 0 && now >= deadline)
			break;
		if (l->count != 0 && l->generated >= l->count)
			break;
		if (l->verbose && now >= next_progress) {
			load_progress(l, now);
			next_progress += 1;
		}

		/*
		 * Token bucket: earn rate * dt.  Send only once a whole burst
		 * (~5 ms worth) has accrued, so that datagrams and writes stay
		 * full instead of one line each; keep up to two bursts so an
		 * oversleep is made up instead of lost.
		 */
		if (l->rate > 0) {
			l->tokens += (now - l->t_refill) * l->rate;
			if (l->tokens > 2 * l->burst)
				l->tokens = 2 * l->burst;
			l->need = l->burst;
			if (l->count != 0 &&
			    l->need > (double)(l->count - l->generated))
				l->need = (double)(l->count - l->generated);
			if (l->tokens >= l->need)
				l->bursting = 1;
			else if (l->tokens < 1)
				l->bursting = 0;
		}
		l->t_refill = now;

		/* Give each idle connection a batch, round-robin. */
		alive = busy = starved = 0;
		for (i = 0; i < l->nconns; i++) {
			c = &l->conns[(next + i) % l->nconns];
			if (c->dead)
				continue;
			alive++;
			if (c->out_len == 0) {
				allow = UINT64_MAX;
				if (l->rate > 0)
					allow = l->bursting ?
					    (uint64_t)l->tokens : 0;
				if (l->count != 0 &&
				    allow > l->count - l->generated)
					allow = l->count - l->generated;
				if (allow == 0) {
					starved = 1;
					continue;
				}
				if (l->rate > 0)
					l->tokens -= load_fill(l, c, allow);
				else
					load_fill(l, c, allow);
				if (!stream)
					load_send_udp(l, c);
			}
			if (stream)
				load_flush(l, c);
			if (c->out_len > 0)
				busy++;
		}
		next++;
		if (alive == 0) {
			log_warnx("every connection is closed");
			break;
		}

		/*
		 * Sleep until a socket is ready or the next token is due;
		 * never block if a connection could take more right now.
		 */
		wait_s = 0;
		if (starved && l->rate > 0)
			wait_s = (l->need - l->tokens) / l->rate;
		else if (busy == alive)
			wait_s = LOAD_POLL_MAX_MS / 1000.0;
		if (wait_s > LOAD_POLL_MAX_MS / 1000.0)
			wait_s = LOAD_POLL_MAX_MS / 1000.0;
		if (deadline != 0 && wait_s > deadline - now)
			wait_s = deadline - now;
		if (wait_s < 0)
			wait_s = 0;
		if (!stream) {
			if (wait_s > 0) {
				ts.tv_sec = (time_t)wait_s;
				ts.tv_nsec = (long)((wait_s - (double)ts.tv_sec)
				    * 1e9);
				nanosleep(&ts, NULL);
			}
			continue;
		}
		for (i = 0; i < l->nconns; i++) {
			c = &l->conns[i];
			l->pfds[i].fd = c->dead ? -1 : c->fd;
			l->pfds[i].events = POLLIN;
			if (c->out_len > 0)
				l->pfds[i].events |= POLLOUT;
			l->pfds[i].revents = 0;
		}
		/* Round up: waking early would spin until the burst is due. */
		if (poll(l->pfds, l->nconns, (int)ceil(wait_s * 1000)) <= 0)
			continue;
		for (i = 0; i < l->nconns; i++) {
			c = &l->conns[i];
			if (c->dead)
				continue;
			if (l->pfds[i].revents & (POLLIN | POLLHUP | POLLERR))
				load_read(l, c);
		}
	}
	l->t_sent = load_mono();
}

/*
 * Finish writing every batch already generated, then shut our side and
 * read replies until each line is answered or the daemon closes, for at
 * most l->wait seconds.  A second signal gives up at once.
 */
static void
load_drain(struct load *l)
{
	struct load_conn	*c;
	double			 deadline, now, left;
	unsigned int		 i, waiting;
	int			 sig0 = load_signals;

	deadline = load_mono() + l->wait;
	if (l->transport == LOAD_UDP) {
		l->t_end = load_mono();
		return;
	}
	for (;;) {
		waiting = 0;
		for (i = 0; i < l->nconns; i++) {
			c = &l->conns[i];
			l->pfds[i].fd = -1;
			l->pfds[i].revents = 0;
			if (c->dead)
				continue;
			load_flush(l, c);
			if (c->out_len == 0 && !c->shut) {
				shutdown(c->fd, SHUT_WR);
				c->shut = 1;
			}
			if (!l->quiet_acks && c->out_len == 0 &&
			    c->ok + c->errors >= c->sent)
				continue;
			waiting++;
			l->pfds[i].fd = c->fd;
			l->pfds[i].events = POLLIN;
			if (c->out_len > 0)
				l->pfds[i].events |= POLLOUT;
		}
		now = load_mono();
		if (waiting == 0 || now >= deadline ||
		    load_signals > sig0)
			break;
		left = deadline - now;
		if (left > LOAD_POLL_MAX_MS / 1000.0)
			left = LOAD_POLL_MAX_MS / 1000.0;
		if (poll(l->pfds, l->nconns, (int)ceil(left * 1000)) <= 0)
			continue;
		for (i = 0; i < l->nconns; i++) {
			if (l->pfds[i].fd != -1 && (l->pfds[i].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				load_read(l, &l->conns[i]);
		}
	}
	l->drain_timeout = waiting > 0;
	l->t_end = load_mono();
}

/* Print the summary; returns the exit status. */
static int
load_summary(const struct load *l)
{
	const struct gen_stats	*gs = gen_stats(l->gen);
	static const char	*tname[GEN_TYPE_COUNT] = {
		"call", "survey", "qa", "agent", "esat"
	};
	static const char	*trans[] = { "tcp", "unix", "udp" };
	uint64_t		 sent, ok, errors, unacked = 0;
	double			 el, total;
	int			 i, status = 0, acked;

	load_totals(l, &sent, &ok, &errors);
	el = l->t_sent - l->t_start;
	total = l->t_end - l->t_start;
	acked = l->transport != LOAD_UDP && !l->quiet_acks;
	if (acked && ok + errors < sent)
		unacked = sent - ok - errors;
	if (unacked > 0 || (errors > 0 && !l->allow_errors))
		status = 1;
	if (l->generated > sent && l->transport != LOAD_UDP)
		status = 1;	/* generated but never written */

	if (l->json) {
		printf("{\"transport\":\"%s\",\"address\":\"", trans[l->transport]);
		for (i = 0; l->addr[i] != '\0'; i++) {
			if (l->addr[i] == '"' || l->addr[i] == '\\')
				putchar('\\');
			if ((unsigned char)l->addr[i] >= 0x20)
				putchar(l->addr[i]);
		}
		printf("\",\"connections\":%u,\"target_rate\":%.1f,"
		    "\"generated\":%llu,\"sent\":%llu,\"bytes\":%llu,",
		    l->nconns, l->rate, (unsigned long long)l->generated,
		    (unsigned long long)sent, (unsigned long long)l->bytes);
		if (l->transport == LOAD_UDP)
			printf("\"datagrams\":%llu,\"send_errors\":%llu,",
			    (unsigned long long)l->datagrams,
			    (unsigned long long)l->send_errors);
		else if (acked)
			printf("\"acked_ok\":%llu,\"errors\":%llu,"
			    "\"unacked\":%llu,", (unsigned long long)ok,
			    (unsigned long long)errors,
			    (unsigned long long)unacked);
		else
			printf("\"acked_ok\":%llu,\"errors\":%llu,"
			    "\"unacked\":null,", (unsigned long long)ok,
			    (unsigned long long)errors);
		printf("\"elapsed\":%.6f,\"elapsed_total\":%.6f,"
		    "\"rate\":%.1f,\"acked_rate\":%.1f,\"types\":{",
		    el, total, el > 0 ? (double)sent / el : 0,
		    total > 0 && acked ? (double)(ok + errors) / total : 0);
		for (i = 0; i < GEN_TYPE_COUNT; i++)
			printf("%s\"%s\":%llu", i ? "," : "", tname[i],
			    (unsigned long long)gs->type[i]);
		printf("},\"abandoned\":%llu,\"interrupted\":%s,"
		    "\"exit\":%d}\n",
		    (unsigned long long)gs->outcome[GEN_ABANDONED],
		    load_signals ? "true" : "false", status);
	} else {
		printf("callscore-load: %s %s, %u connection%s\n",
		    trans[l->transport], l->addr, l->nconns,
		    l->nconns == 1 ? "" : "s");
		printf("sent %llu lines (%.1f MB) in %.3f s: %.0f lines/s\n",
		    (unsigned long long)sent, (double)l->bytes / 1e6, el,
		    el > 0 ? (double)sent / el : 0);
		if (l->transport == LOAD_UDP)
			printf("%llu datagrams, %llu refused by the kernel\n",
			    (unsigned long long)l->datagrams,
			    (unsigned long long)l->send_errors);
		else if (acked)
			printf("acked %llu ok, %llu errors, %llu "
			    "unacknowledged (%.3f s in all)\n",
			    (unsigned long long)ok, (unsigned long long)errors,
			    (unsigned long long)unacked, total);
		else
			printf("%llu ok, %llu errors (acks not required)\n",
			    (unsigned long long)ok, (unsigned long long)errors);
	}
	fflush(stdout);
	return (status);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "transport", required_argument, NULL, 't' },
		{ "address", required_argument, NULL, 'a' },
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "conns", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "queues", required_argument, NULL, 'Q' },
		{ "agents", required_argument, NULL, 'A' },
		{ "teams", required_argument, NULL, 'T' },
		{ "customers", required_argument, NULL, 'C' },
		{ "seed", required_argument, NULL, 'S' },
		{ "calls-only", no_argument, NULL, 'O' },
		{ "batch", required_argument, NULL, 'B' },
		{ "ts", required_argument, NULL, 'Z' },
		{ "wait", required_argument, NULL, 'W' },
		{ "quiet-acks", no_argument, NULL, 'q' },
		{ "durable", no_argument, NULL, 'D' },
		{ "allow-errors", no_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct load		 l;
	struct gen_params	 gp;
	struct sigaction	 sa;
	const char		*cause;
	char			*err;
	uint64_t		 u;
	double			 d;
	unsigned int		 i;
	int			 ch, have_n = 0, have_d = 0, status;

	log_init("callscore-load", 0);
	memset(&l, 0, sizeof l);
	l.transport = LOAD_TCP;
	l.addr = LOAD_DEFAULT_ADDR;
	l.nconns = 1;
	l.wait = 10;
	gen_params_default(&gp);

	while ((ch = getopt_long(argc, argv, "a:c:d:hn:r:t:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 't':
			if (strcmp(optarg, "tcp") == 0)
				l.transport = LOAD_TCP;
			else if (strcmp(optarg, "unix") == 0)
				l.transport = LOAD_UNIX;
			else if (strcmp(optarg, "udp") == 0)
				l.transport = LOAD_UDP;
			else
				goto bad;
			break;
		case 'a':
			l.addr = optarg;
			break;
		case 'r':
			if (load_parse_double(optarg, 0, 1e9, &l.rate) != 0)
				goto bad;
			break;
		case 'n':
			if (load_parse_u64(optarg, 1, UINT64_MAX / 2,
			    &l.count) != 0)
				goto bad;
			have_n = 1;
			break;
		case 'd':
			if (load_parse_double(optarg, 0, 1e9, &l.duration) != 0)
				goto bad;
			have_d = 1;
			break;
		case 'c':
			if (load_parse_u64(optarg, 1, LOAD_CONNS_MAX, &u) != 0)
				goto bad;
			l.nconns = (unsigned int)u;
			break;
		case 'Q':
			if (load_parse_u64(optarg, 1, 999999, &u) != 0)
				goto bad;
			gp.queues = (unsigned int)u;
			break;
		case 'A':
			if (load_parse_u64(optarg, 1, 9999999, &u) != 0)
				goto bad;
			gp.agents = (unsigned int)u;
			break;
		case 'T':
			if (load_parse_u64(optarg, 1, 999999, &u) != 0)
				goto bad;
			gp.teams = (unsigned int)u;
			break;
		case 'C':
			if (load_parse_u64(optarg, 1, 10000000, &u) != 0)
				goto bad;
			gp.customers = (unsigned int)u;
			break;
		case 'S':
			if (load_parse_u64(optarg, 0, UINT64_MAX, &gp.seed) != 0)
				goto bad;
			break;
		case 'O':
			gen_params_calls_only(&gp);
			break;
		case 'B':
			if (load_parse_u64(optarg, GEN_LINE_MAX, LOAD_BATCH_MAX,
			    &u) != 0) {
				log_warnx("--batch must be %d..%d bytes",
				    GEN_LINE_MAX, LOAD_BATCH_MAX);
				load_usage(2);
			}
			l.batch = (size_t)u;
			break;
		case 'Z':
			if (strcmp(optarg, "none") == 0)
				l.no_ts = 1;
			else if (strcmp(optarg, "now") == 0)
				l.no_ts = 0;
			else
				goto bad;
			break;
		case 'W':
			if (load_parse_double(optarg, 0, 3600, &d) != 0)
				goto bad;
			l.wait = d;
			break;
		case 'q':
			l.quiet_acks = 1;
			break;
		case 'D':
			l.durable = 1;
			break;
		case 'E':
			l.allow_errors = 1;
			break;
		case 'j':
			l.json = 1;
			break;
		case 'v':
			l.verbose = 1;
			break;
		case 'h':
			load_usage(0);
		default:
			load_usage(2);
		}
		continue;
bad:
		log_warnx("bad value: %s", optarg);
		load_usage(2);
	}
	if (optind != argc)
		load_usage(2);
	if (!have_n && !have_d)
		l.duration = 10;
	if (l.batch == 0)
		l.batch = l.transport == LOAD_UDP ? LOAD_UDP_BATCH :
		    LOAD_STREAM_BATCH;
	/* Bursts of ~5 ms keep pacing smooth without a syscall per line. */
	l.burst = l.rate / 200;
	if (l.burst < 1)
		l.burst = 1;
	gp.no_ts = l.no_ts;
	if (gen_params_check(&gp, &cause) != 0) {
		log_warnx("%s", cause);
		load_usage(2);
	}
	l.gen = gen_new(&gp);

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = load_signal_cb;	/* no SA_RESTART: wake poll */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	l.conns = xcalloc(l.nconns, sizeof *l.conns);
	l.pfds = xcalloc(l.nconns, sizeof *l.pfds);
	for (i = 0; i < l.nconns; i++)
		l.conns[i].fd = -1;
	status = 0;
	for (i = 0; i < l.nconns; i++) {
		if (load_connect(&l, &l.conns[i], &err) != 0) {
			log_warnx("connect %s", err);
			free(err);
			status = 1;
			break;
		}
	}
	if (status == 0) {
		load_run(&l);
		load_drain(&l);
		if (l.drain_timeout)
			log_warnx("gave up waiting for acknowledgements");
		status = load_summary(&l);
	}

	for (i = 0; i < l.nconns; i++) {
		if (l.conns[i].fd != -1)
			close(l.conns[i].fd);
		free(l.conns[i].out);
	}
	free(l.pfds);
	free(l.conns);
	gen_free(l.gen);
	return (status);
}
