/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Event listeners.  A stream connection is a struct conn owning its
 * bufferevent.  The read callback drains every complete line, answers
 * each, and closes a connection whose partial line outgrows max_line.  A
 * peer that does not read its answers stops being read until its output
 * drains.  On EMFILE the listener pauses instead of spinning.
 *
 * With durable acknowledgements ("#acks durable") a line's "ok" waits
 * until the journal batch holding it has committed.  Answers stay in
 * order: once one waits, every later answer is held behind it in the
 * connection's held buffer, and marks say how many of its bytes may go
 * once the journal reaches a seq.  listeners_committed() releases them;
 * a connection holding too much is not read until they go.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "callscored.h"
#include "clock.h"
#include "conf.h"
#include "ingest.h"
#include "journal.h"
#include "listen.h"
#include "log.h"
#include "xmalloc.h"

#define LISTEN_BACKLOG		1024
#define LISTEN_OUT_HIGH		(4 * 1024 * 1024)	/* stop reading */
#define LISTEN_READ_MAX		(256 * 1024)		/* one read */
#define LISTEN_TURN_READ	(32 * 1024)		/* read on, a turn */
#define LISTEN_PAUSE_MS		250			/* after EMFILE */
#define LISTEN_COMPLAIN_MS	10000			/* log EMFILE */
#define LISTEN_UDP_BATCH	16
#define LISTEN_UDP_MAX		65536
#define LISTEN_ADDR_MAX		128
#define LISTEN_HELD_HIGH	(256 * 1024)	/* held answers: stop reading */

/* Held answers: bytes that may go once the journal has seq. */
struct conn_mark {
	uint64_t		 seq;
	size_t			 bytes;
};

/* What a stream connection is answered: listen.acks, or "#acks". */
struct conn {
	struct listeners	*l;
	enum conf_acks		 acks;
	struct bufferevent	*bev;
	uint64_t		 lineno;
	int			 closing;	/* free once output drains */
	int			 stalled;	/* not read: too much held */
	int			 eof;		/* the peer sent all it will */
	struct event		*line_ev;	/* a partial line's deadline */
	struct evbuffer		*held;		/* answers behind a commit */
	struct conn_mark	*marks;		/* a ring of nmarks from m0 */
	size_t			 m0, nmarks, marks_cap;
	int			 waiting;	/* on the listeners' list */
	int			 dirty;		/* output to write this turn */
	TAILQ_ENTRY(conn)	 entry;
	TAILQ_ENTRY(conn)	 wentry;
	TAILQ_ENTRY(conn)	 fentry;
};
TAILQ_HEAD(conns, conn);

struct listener {
	struct listeners	*l;
	struct evconnlistener	*lev;
	char			 name[8];	/* "tcp", "unix" */
	char			 addr[LISTEN_ADDR_MAX];
	char			*path;		/* unix: unlinked at exit */
	uint64_t		 last_complaint;
};

struct listeners {
	struct callscored	*cs;
	struct listener		 tcp, local;
	int			 udp_fd;
	struct event		*udp_ev;
	char			 udp_addr[LISTEN_ADDR_MAX];
	unsigned char		*udp_buf;	/* BATCH * MAX */
	int			 udp_rcvbuf;	/* bytes the kernel granted */
	struct conns		 conns;
	struct conns		 waiting;	/* holding answers */
	struct conns		 dirty;		/* answers to write */
	struct event		*flush_ev;	/* writes them, this turn */
	int			 draining;	/* exiting: nothing read */
};

static void	conn_free(struct conn *);
static void	conn_close_after_flush(struct conn *);
static void	conn_answer(struct conn *, const char *, size_t, uint64_t);
static void	conn_answerf(struct conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	conn_held_full(const struct conn *);
static void	conn_release(struct conn *, uint64_t);
static void	conn_resume(struct conn *);
static void	conn_dirty(struct conn *);
static void	conn_flush(struct conn *);
static void	listen_flush_cb(evutil_socket_t, short, void *);
static void	conn_lines(struct conn *);
static void	conn_finish(struct conn *);
static void	conn_line(struct conn *, const char *, size_t, uint64_t);
static int	conn_is_http(const char *, size_t);
static void	conn_read_cb(struct bufferevent *, void *);
static void	conn_write_cb(struct bufferevent *, void *);
static void	conn_event_cb(struct bufferevent *, short, void *);
static void	conn_line_timeout_cb(evutil_socket_t, short, void *);
static void	listen_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	listen_error_cb(struct evconnlistener *, void *);
static void	listen_resume_cb(evutil_socket_t, short, void *);
static void	listen_udp_cb(evutil_socket_t, short, void *);
static int	listen_tcp(struct listeners *, const char *, char **);
static int	listen_unix(struct listeners *, const char *, char **);
static int	listen_udp(struct listeners *, const char *, char **);
static int	listen_resolve(const char *, int, struct sockaddr_storage *,
		    socklen_t *, char **);
static void	listen_format(const struct sockaddr *, char *, size_t);

int
listen_split_addr(const char *s, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char	*colon, *h = s, *end;
	size_t		 n;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL || end[1] != ':')
			return (-1);
		h = s + 1;
		colon = end + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return (-1);
		end = colon;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= hostlen || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= portlen)
		return (-1);
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return (0);
}

static int
listen_resolve(const char *addr, int socktype, struct sockaddr_storage *ss,
    socklen_t *sslen, char **cause)
{
	struct addrinfo	 hints, *res;
	char		 host[LISTEN_ADDR_MAX], port[16];
	int		 error;

	if (listen_split_addr(addr, host, sizeof host, port, sizeof port) != 0) {
		xasprintf(cause, "%s: expected host:port", addr);
		return (-1);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "%s: %s", addr, gai_strerror(error));
		return (-1);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return (0);
}

static void
listen_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char	host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
	} else
		snprintf(buf, len, "?");
}

static void
listener_setup(struct listeners *l, struct listener *li, const char *name)
{
	li->l = l;
	snprintf(li->name, sizeof li->name, "%s", name);
	evconnlistener_set_error_cb(li->lev, listen_error_cb);
}

static int
listen_tcp(struct listeners *l, const char *addr, char **cause)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	struct listener		*li = &l->tcp;

	if (listen_resolve(addr, SOCK_STREAM, &ss, &sslen, cause) != 0)
		return (-1);
	li->lev = evconnlistener_new_bind(l->cs->base, listen_accept_cb, li,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    LISTEN_BACKLOG, (struct sockaddr *)&ss, sslen);
	if (li->lev == NULL) {
		xasprintf(cause, "tcp %s: %s", addr, strerror(errno));
		return (-1);
	}
	sslen = sizeof ss;
	getsockname(evconnlistener_get_fd(li->lev), (struct sockaddr *)&ss,
	    &sslen);
	listen_format((struct sockaddr *)&ss, li->addr, sizeof li->addr);
	listener_setup(l, li, "tcp");
	log_info("listen: tcp %s", li->addr);
	return (0);
}

/* Refuse to take over a socket a live daemon still answers on. */
static int
listen_unix_stale(const struct sockaddr_un *sun, char **cause)
{
	int	fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	close(fd);
	if (rc == 0) {
		xasprintf(cause, "%s: another callscored is listening there",
		    sun->sun_path);
		return (-1);
	}
	if (unlink(sun->sun_path) == -1 && errno != ENOENT) {
		xasprintf(cause, "unlink %s: %s", sun->sun_path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* Bind a Unix stream socket with mode; shared with the control socket. */
int
listen_bind_unix(const char *path, unsigned int mode, char **cause)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: path too long for a Unix socket", path);
		return (-1);
	}
	strcpy(sun.sun_path, path);
	if (listen_unix_stale(&sun, cause) != 0)
		return (-1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	old = umask(~mode & 0777);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		xasprintf(cause, "bind %s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	umask(old);
	if (listen(fd, LISTEN_BACKLOG) == -1) {
		xasprintf(cause, "listen %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return (-1);
	}
	return (fd);
}

static int
listen_unix(struct listeners *l, const char *path, char **cause)
{
	struct listener	*li = &l->local;
	int		 fd;

	if ((fd = listen_bind_unix(path, l->cs->conf->unix_mode,
	    cause)) == -1)
		return (-1);
	li->lev = evconnlistener_new(l->cs->base, listen_accept_cb, li,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (li->lev == NULL) {
		xasprintf(cause, "unix %s: cannot listen", path);
		close(fd);
		unlink(path);
		return (-1);
	}
	li->path = xstrdup(path);
	snprintf(li->addr, sizeof li->addr, "%s", path);
	listener_setup(l, li, "unix");
	log_info("listen: unix %s", path);
	return (0);
}

/* The receive buffer the kernel granted, as the payload it can hold. */
static int
listen_rcvbuf(int fd)
{
	int		size = 0;
	socklen_t	len = sizeof size;

	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len) == -1)
		return (0);
	return (size / 2);	/* the kernel doubles it for its overhead */
}

static int
listen_udp(struct listeners *l, const char *addr, char **cause)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	int			fd, size;

	if (listen_resolve(addr, SOCK_DGRAM, &ss, &sslen, cause) != 0)
		return (-1);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "udp socket: %s", strerror(errno));
		return (-1);
	}
	if (l->cs->conf->udp_rcvbuf > 0) {
		size = (int)l->cs->conf->udp_rcvbuf;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof size) == -1)
			log_warn("listen: udp SO_RCVBUF %d", size);
		/* Past net.core.rmem_max only with CAP_NET_ADMIN. */
		if (listen_rcvbuf(fd) < size)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
			    sizeof size);
		if (listen_rcvbuf(fd) < size)
			log_warnx("listen: udp receive buffer is %d bytes, not "
			    "%d: raise net.core.rmem_max", listen_rcvbuf(fd),
			    size);
	}
	l->udp_rcvbuf = listen_rcvbuf(fd);
	/* The kernel counts datagrams it dropped for want of room. */
	size = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &size, sizeof size) == -1)
		log_warn("listen: udp SO_RXQ_OVFL");
	if (bind(fd, (struct sockaddr *)&ss, sslen) == -1) {
		xasprintf(cause, "udp %s: %s", addr, strerror(errno));
		close(fd);
		return (-1);
	}
	sslen = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sslen);
	listen_format((struct sockaddr *)&ss, l->udp_addr, sizeof l->udp_addr);
	l->udp_fd = fd;
	l->udp_buf = xmalloc(LISTEN_UDP_BATCH * LISTEN_UDP_MAX);
	l->udp_ev = event_new(l->cs->base, fd, EV_READ | EV_PERSIST,
	    listen_udp_cb, l);
	event_add(l->udp_ev, NULL);
	log_info("listen: udp %s", l->udp_addr);
	return (0);
}

struct listeners *
listeners_new(struct callscored *cs, char **cause)
{
	const struct conf	*conf = cs->conf;
	struct listeners	*l;
	char			*path;
	int			 rc = 0;

	l = xcalloc(1, sizeof *l);
	l->cs = cs;
	l->udp_fd = -1;
	TAILQ_INIT(&l->conns);
	TAILQ_INIT(&l->waiting);
	TAILQ_INIT(&l->dirty);
	l->flush_ev = event_new(cs->base, -1, 0, listen_flush_cb, l);
	if (conf->listen_tcp != NULL && *conf->listen_tcp != '\0')
		rc = listen_tcp(l, conf->listen_tcp, cause);
	if (rc == 0 && conf->listen_unix != NULL && *conf->listen_unix != '\0') {
		path = conf_path(conf->runtime_directory, conf->listen_unix);
		rc = listen_unix(l, path, cause);
		free(path);
	}
	if (rc == 0 && conf->listen_udp != NULL && *conf->listen_udp != '\0')
		rc = listen_udp(l, conf->listen_udp, cause);
	if (rc != 0) {
		listeners_free(l);
		return (NULL);
	}
	return (l);
}

static void
listener_free(struct listener *li)
{
	if (li->lev != NULL)
		evconnlistener_free(li->lev);
	if (li->path != NULL) {
		unlink(li->path);
		free(li->path);
	}
}

/*
 * At exit, before the connections close: accept and read nothing more,
 * but let the answers held for the journal go out as it commits
 * (listeners_committed()).  Returns how many connections still hold
 * answers or have output to write; the caller runs the loop until none,
 * or until it gives up.
 */
size_t
listeners_drain(struct listeners *l)
{
	struct conn	*c;
	size_t		 n = 0;

	if (l == NULL)
		return (0);
	if (!l->draining) {
		l->draining = 1;
		if (l->tcp.lev != NULL)
			evconnlistener_disable(l->tcp.lev);
		if (l->local.lev != NULL)
			evconnlistener_disable(l->local.lev);
		if (l->udp_ev != NULL)
			event_del(l->udp_ev);
		TAILQ_FOREACH(c, &l->conns, entry) {
			bufferevent_disable(c->bev, EV_READ);
			if (c->line_ev != NULL)
				evtimer_del(c->line_ev);
		}
	}
	TAILQ_FOREACH(c, &l->conns, entry) {
		if (c->waiting || evbuffer_get_length(bufferevent_get_output(
		    c->bev)) > 0)
			n++;
	}
	return (n);
}

void
listeners_free(struct listeners *l)
{
	struct conn	*c;

	if (l == NULL)
		return;
	/*
	 * libevent closes a freed bufferevent's socket from the loop, which
	 * has stopped: shut it down now, so the peer is not left waiting
	 * while the final snapshot is written.
	 */
	while ((c = TAILQ_FIRST(&l->conns)) != NULL) {
		(void)shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
		conn_free(c);
	}
	listener_free(&l->tcp);
	listener_free(&l->local);
	if (l->udp_ev != NULL)
		event_free(l->udp_ev);
	if (l->udp_fd != -1)
		close(l->udp_fd);
	if (l->flush_ev != NULL)
		event_free(l->flush_ev);
	free(l->udp_buf);
	free(l);
}

int
listeners_udp_rcvbuf(const struct listeners *l)
{
	return (l->udp_fd != -1 ? l->udp_rcvbuf : 0);
}

const char *
listeners_address(const struct listeners *l, const char *name)
{
	if (strcmp(name, "tcp") == 0 && l->tcp.lev != NULL)
		return (l->tcp.addr);
	if (strcmp(name, "unix") == 0 && l->local.lev != NULL)
		return (l->local.addr);
	if (strcmp(name, "udp") == 0 && l->udp_fd != -1)
		return (l->udp_addr);
	return (NULL);
}

static void
listen_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener		*li = arg;
	struct listeners	*l = li->l;
	struct callscored	*cs = l->cs;
	struct conn		*c;
	struct timeval		 tv;
	double			 idle = cs->conf->idle_timeout;

	if (cs->stats.conns_current >= cs->conf->max_conns) {
		cs->stats.conns_refused++;
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->l = l;
	c->acks = (enum conf_acks)cs->conf->acks;
	c->bev = bufferevent_socket_new(cs->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("listen: %s: cannot make a bufferevent", li->name);
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	/*
	 * Read in large gulps (libevent's default is 16 KiB, often 4 KiB in
	 * practice), but never hold more than a read past one line at the
	 * limit.
	 */
	bufferevent_set_max_single_read(c->bev, LISTEN_READ_MAX);
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    cs->conf->max_line + 1 > LISTEN_READ_MAX ?
	    cs->conf->max_line + 1 : LISTEN_READ_MAX);
	if (idle > 0) {
		tv.tv_sec = (time_t)idle;
		tv.tv_usec = (suseconds_t)((idle - (double)tv.tv_sec) * 1e6);
		bufferevent_set_timeouts(c->bev, &tv, NULL);
	}
	/* Writing is enabled only while the socket is full: conn_flush(). */
	bufferevent_enable(c->bev, EV_READ);
	c->line_ev = evtimer_new(cs->base, conn_line_timeout_cb, c);
	c->held = evbuffer_new();
	TAILQ_INSERT_TAIL(&l->conns, c, entry);
	cs->stats.conns_current++;
	cs->stats.conns_total++;
}

static void
listen_error_cb(struct evconnlistener *lev, void *arg)
{
	struct listener	*li = arg;

	li->l->cs->stats.accept_errors++;
	listen_pause_accept(lev, li->name, &li->last_complaint);
}

/*
 * Out of descriptors: stop accepting for a moment rather than spin
 * (libevent retries a failing accept at once, and warns each time).  A
 * one-shot timer re-enables the listener, so this works for any
 * listener whatever its callback argument; the timer dies with the base
 * if the listener is freed first, at exit.
 */
void
listen_pause_accept(struct evconnlistener *lev, const char *name,
    uint64_t *last_complaint)
{
	struct timeval	 tv = { 0, LISTEN_PAUSE_MS * 1000 };
	uint64_t	 now = clock_mono_ms();
	int		 error = EVUTIL_SOCKET_ERROR();

	if (last_complaint == NULL)
		log_debug("listen: %s: accept: %s; pausing", name,
		    strerror(error));
	else if (*last_complaint == 0 ||
	    now - *last_complaint >= LISTEN_COMPLAIN_MS) {
		log_warnx("listen: %s: accept: %s; pausing", name,
		    strerror(error));
		*last_complaint = now;
	}
	evconnlistener_disable(lev);
	if (event_base_once(evconnlistener_get_base(lev), -1, EV_TIMEOUT,
	    listen_resume_cb, lev, &tv) != 0)
		evconnlistener_enable(lev);
}

/* For a listener whose argument is not ours: evhttp's. */
void
listen_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	listen_pause_accept(lev, "http", NULL);
}

static void
listen_resume_cb(evutil_socket_t fd, short events, void *arg)
{
	evconnlistener_enable(arg);
}

static void
conn_free(struct conn *c)
{
	struct callscored	*cs = c->l->cs;

	TAILQ_REMOVE(&c->l->conns, c, entry);
	if (c->waiting)
		TAILQ_REMOVE(&c->l->waiting, c, wentry);
	if (c->dirty)
		TAILQ_REMOVE(&c->l->dirty, c, fentry);
	event_free(c->line_ev);
	bufferevent_free(c->bev);
	evbuffer_free(c->held);
	free(c->marks);
	cs->stats.conns_current--;
	free(c);
}

/* Free once every answer, held ones included, has been written. */
static void
conn_close_after_flush(struct conn *c)
{
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	evtimer_del(c->line_ev);
	if (c->nmarks == 0 &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_free(c);
}

/*
 * Answer a line, in order: at once, or behind answers already held.  An
 * answer with a seq waits for the journal to commit it.
 */
static void
conn_answer(struct conn *c, const char *text, size_t len, uint64_t seq)
{
	struct journal		*j = c->l->cs->journal;
	struct conn_mark	*m;

	if (seq != 0 && (j == NULL || seq <= journal_committed(j)))
		seq = 0;
	if (seq == 0 && c->nmarks == 0) {
		evbuffer_add(bufferevent_get_output(c->bev), text, len);
		conn_dirty(c);
		return;
	}
	evbuffer_add(c->held, text, len);
	m = c->nmarks == 0 ? NULL :
	    &c->marks[(c->m0 + c->nmarks - 1) % c->marks_cap];
	/* Behind the last mark, or in its batch: one mark for both. */
	if (m != NULL && (seq == 0 || journal_batch_has(j, m->seq))) {
		if (seq > m->seq)
			m->seq = seq;
		m->bytes += len;
		return;
	}
	if (c->nmarks == c->marks_cap) {
		/* Unroll the ring into a larger array. */
		struct conn_mark	*old = c->marks;
		size_t			 i, cap = c->marks_cap;

		c->marks_cap = cap == 0 ? 16 : cap * 2;
		c->marks = xreallocarray(NULL, c->marks_cap,
		    sizeof *c->marks);
		for (i = 0; i < c->nmarks; i++)
			c->marks[i] = old[(c->m0 + i) % cap];
		free(old);
		c->m0 = 0;
	}
	m = &c->marks[(c->m0 + c->nmarks++) % c->marks_cap];
	m->seq = seq;
	m->bytes = len;
	if (!c->waiting) {
		TAILQ_INSERT_TAIL(&c->l->waiting, c, wentry);
		c->waiting = 1;
	}
	journal_urge(j);
}

static void
conn_answerf(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;
	int	 len;

	va_start(ap, fmt);
	len = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (len < 0)
		fatal("listen: vasprintf");
	conn_answer(c, text, (size_t)len, 0);
	free(text);
}

static int
conn_held_full(const struct conn *c)
{
	return (evbuffer_get_length(c->held) >= LISTEN_HELD_HIGH);
}

/* Send the held answers the journal's progress to seq lets go. */
static void
conn_release(struct conn *c, uint64_t seq)
{
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct conn_mark	*m;

	while (c->nmarks > 0) {
		m = &c->marks[c->m0];
		if (m->seq > seq)
			break;
		evbuffer_remove_buffer(c->held, out, m->bytes);
		c->m0 = (c->m0 + 1) % c->marks_cap;
		c->nmarks--;
		conn_dirty(c);
	}
	if (c->nmarks == 0 && c->waiting) {
		TAILQ_REMOVE(&c->l->waiting, c, wentry);
		c->waiting = 0;
	}
}

void
listeners_committed(struct listeners *l, uint64_t seq)
{
	struct conn	*c, *next;

	if (l == NULL)
		return;
	for (c = TAILQ_FIRST(&l->waiting); c != NULL; c = next) {
		next = TAILQ_NEXT(c, wentry);
		conn_release(c, seq);
		/* A closing one goes once its output drains (write cb). */
		if (c->stalled && !conn_held_full(c))
			conn_resume(c);
	}
}

/*
 * Read again after a stall (held answers) or a full output: the lines
 * already buffered first.  After the peer's EOF nothing more will come,
 * so only those are processed.
 */
static void
conn_resume(struct conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);

	if (c->closing || c->l->draining || conn_held_full(c) ||
	    evbuffer_get_length(out) > LISTEN_OUT_HIGH)
		return;
	c->stalled = 0;
	if (c->eof) {
		conn_finish(c);
		return;
	}
	if (!(bufferevent_get_enabled(c->bev) & EV_READ)) {
		bufferevent_enable(c->bev, EV_READ);
		conn_lines(c);
	}
}

/*
 * A directive line ("#acks errors") changes how this connection is
 * answered.  It is always answered, whatever the mode, so a client knows
 * where the change took effect.
 */
static void
conn_directive(struct conn *c, const char *line, size_t len)
{
	static const struct {
		const char	*text;
		enum conf_acks	 acks;
	} modes[] = {
		{ "#acks all", CONF_ACKS_ALL },
		{ "#acks errors", CONF_ACKS_ERRORS },
		{ "#acks none", CONF_ACKS_NONE },
		{ "#acks durable", CONF_ACKS_DURABLE },
	};
	size_t		 i;

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		if (len != strlen(modes[i].text) ||
		    memcmp(line, modes[i].text, len) != 0)
			continue;
		if (modes[i].acks == CONF_ACKS_DURABLE &&
		    c->l->cs->journal == NULL) {
			ingest_reject(c->l->cs, EVENT_ERR_SYNTAX);
			conn_answerf(c, "error %llu: durable acknowledgements "
			    "need the journal (snapshot.journal is off)\n",
			    (unsigned long long)c->lineno);
			return;
		}
		c->acks = modes[i].acks;
		conn_answer(c, "ok\n", 3, 0);
		return;
	}
	ingest_reject(c->l->cs, EVENT_ERR_SYNTAX);
	conn_answerf(c, "error %llu: unknown directive (expected \"#acks all\", "
	    "\"#acks errors\", \"#acks none\" or \"#acks durable\")\n",
	    (unsigned long long)c->lineno);
}

/*
 * An HTTP request line ("GET / HTTP/1.1"): a browser or a probe on the
 * wrong port, or a cross-protocol attack.  The connection is hung up on
 * rather than answered header by header, as memcached does.
 */
static int
conn_is_http(const char *line, size_t len)
{
	static const char *methods[] = { "GET ", "HEAD ", "POST ", "PUT ",
	    "DELETE ", "OPTIONS ", "CONNECT ", "TRACE ", "PATCH ", "PRI " };
	size_t		 i, n;

	if (len < 14 || memcmp(line + len - 9, " HTTP/", 6) != 0)
		return (0);
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		n = strlen(methods[i]);
		if (memcmp(line, methods[i], n) == 0)
			return (1);
	}
	return (0);
}

static void
conn_line(struct conn *c, const char *line, size_t len, uint64_t now_ms)
{
	struct callscored	*cs = c->l->cs;
	char			 reason[EVENT_REASON_MAX];
	int			 durable = c->acks == CONF_ACKS_DURABLE;

	c->lineno++;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;		/* blank lines are neither events nor errors */
	if (line[0] == '#') {
		conn_directive(c, line, len);
		return;
	}
	if (conn_is_http(line, len)) {
		ingest_reject(cs, EVENT_ERR_HTTP);
		conn_answerf(c, "error %llu: HTTP request on the event port; "
		    "closing\n", (unsigned long long)c->lineno);
		conn_close_after_flush(c);
		return;
	}
	if (ingest_line(cs, line, len, durable, now_ms, reason,
	    sizeof reason) == EVENT_OK) {
		if (c->acks == CONF_ACKS_ALL)
			conn_answer(c, "ok\n", 3, 0);
		else if (durable)
			conn_answer(c, "ok\n", 3, cs->seq);
	} else if (c->acks != CONF_ACKS_NONE)
		conn_answerf(c, "error %llu: %s\n",
		    (unsigned long long)c->lineno, reason);
}

/*
 * Answer every complete line buffered, unless too many answers are held
 * (then the rest waits, unread, for conn_resume()).  Lines are handled
 * where they lie in the input's first chain of memory, which is drained
 * once for all of them; only a line that continues into the next chain
 * is made contiguous first.  They were all received when the read that
 * brought the last of them returned: the clock is read once.
 */
static void
conn_lines(struct conn *c)
{
	struct callscored	*cs = c->l->cs;
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct evbuffer_ptr	 eol;
	struct evbuffer_iovec	 v;
	size_t			 eol_len, max = cs->conf->max_line;
	const char		*line, *p, *end, *nl;
	struct timeval		 tv;
	double			 deadline = cs->conf->line_timeout;
	uint64_t		 now_ms = clock_now_ms();
	int			 lines = 0;

	for (;;) {
		if (c->closing) {		/* hung up on: read no more */
			evbuffer_drain(in, evbuffer_get_length(in));
			evtimer_del(c->line_ev);
			return;
		}
		if (conn_held_full(c)) {
			/* The rest waits for commits; no deadline meanwhile. */
			c->stalled = 1;
			bufferevent_disable(c->bev, EV_READ);
			evtimer_del(c->line_ev);
			return;
		}
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		p = line = v.iov_base;
		end = p + v.iov_len;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if ((size_t)(nl - p) > max)
				break;
			conn_line(c, p, (size_t)(nl - p), now_ms);
			p = nl + 1;
			lines++;
			if (c->closing || conn_held_full(c))
				break;
		}
		evbuffer_drain(in, (size_t)(p - line));
		if (c->closing || conn_held_full(c))
			continue;
		if (nl != NULL)
			goto too_long;		/* the loop stopped at it */
		/* What is left of the chain is a line's start, or nothing. */
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos == -1)
			break;
		if ((size_t)eol.pos > max)
			goto too_long;
		line = (const char *)evbuffer_pullup(in, eol.pos + 1);
		conn_line(c, line, (size_t)eol.pos, now_ms);
		evbuffer_drain(in, eol.pos + 1);
		lines++;
	}
	if (evbuffer_get_length(in) > max)
		goto too_long;
	if (c->eof)
		return;
	/*
	 * A line must be finished within line_timeout of its first byte, so
	 * a peer that dribbles bytes cannot hold a connection for ever (the
	 * idle timeout restarts on every byte).
	 */
	if (evbuffer_get_length(in) == 0)
		evtimer_del(c->line_ev);
	else if (deadline > 0 && (lines > 0 ||
	    !evtimer_pending(c->line_ev, NULL))) {
		tv.tv_sec = (time_t)deadline;
		tv.tv_usec = (suseconds_t)((deadline - (double)tv.tv_sec) * 1e6);
		evtimer_add(c->line_ev, &tv);
	}
	if (evbuffer_get_length(out) > LISTEN_OUT_HIGH)
		bufferevent_disable(c->bev, EV_READ);	/* until it drains */
	return;

too_long:
	c->lineno++;
	ingest_reject(cs, EVENT_ERR_TOO_LONG);
	cs->stats.conns_oversize_closed++;
	conn_answerf(c, "error %llu: line longer than %zu bytes; closing\n",
	    (unsigned long long)c->lineno, max);
	evbuffer_drain(in, evbuffer_get_length(in));
	conn_close_after_flush(c);
}

/*
 * The bufferevent reads 4 KiB at a time (libevent 2.1's limit, whatever
 * the watermarks), and the loop polls again before each read: for a
 * sender that keeps the socket full, that is three system calls for
 * every 17 events.  So once its lines are handled, read on from the
 * socket while it has more, until LISTEN_TURN_READ has been read this
 * turn (each read asks for up to that much, so a turn reads less than
 * twice it; more would hold up the control socket: docs/performance.md).
 * End of file and errors are left for the bufferevent to find on its
 * next read.
 */
static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_iovec	 v[2];
	size_t			 total = 0;
	ssize_t			 n;
	int			 nv;

	conn_lines(c);
	while (total < LISTEN_TURN_READ && !c->closing && !c->eof &&
	    !c->l->draining && (bufferevent_get_enabled(bev) & EV_READ)) {
		/* The bufferevent keeps the input's end frozen, but reading. */
		evbuffer_unfreeze(in, 0);
		n = -1;
		if ((nv = evbuffer_reserve_space(in, LISTEN_TURN_READ, v,
		    2)) > 0 &&
		    (n = readv(bufferevent_getfd(bev), v, nv)) > 0) {
			if (v[0].iov_len >= (size_t)n) {
				v[0].iov_len = (size_t)n;
				nv = 1;
			} else
				v[1].iov_len = (size_t)n - v[0].iov_len;
			(void)evbuffer_commit_space(in, v, nv);
		}
		evbuffer_freeze(in, 0);
		if (n <= 0)
			break;
		total += (size_t)n;
		conn_lines(c);
	}
}

static void
conn_line_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct conn		*c = arg;
	struct callscored	*cs = c->l->cs;

	if (c->closing)
		return;
	cs->stats.conns_line_timeout++;
	c->lineno++;
	conn_answerf(c, "error %llu: line not finished within %.0f seconds; "
	    "closing\n", (unsigned long long)c->lineno, cs->conf->line_timeout);
	conn_close_after_flush(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	if (c->closing) {
		if (c->nmarks == 0)
			conn_free(c);
		return;
	}
	/* Drained: the next answers are written at the end of their turn. */
	bufferevent_disable(bev, EV_WRITE);
	if (!(bufferevent_get_enabled(bev) & EV_READ) || c->eof)
		conn_resume(c);		/* lines may be waiting */
}

/*
 * Answers are written at the end of the loop's turn in which they were
 * made, straight to the socket: most of the time it takes them all, and
 * the connection never waits for it to be writable (for a busy sender
 * that saves two epoll_ctl calls and a poll per read).  Only what the
 * socket leaves is handed to the bufferevent, which writes it when it
 * can and calls conn_write_cb() once drained.
 */
static void
conn_dirty(struct conn *c)
{
	struct listeners	*l = c->l;

	if (c->dirty)
		return;
	c->dirty = 1;
	TAILQ_INSERT_TAIL(&l->dirty, c, fentry);
	event_active(l->flush_ev, EV_TIMEOUT, 1);
}

static void
conn_flush(struct conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);

	if (evbuffer_get_length(out) == 0 ||
	    (bufferevent_get_enabled(c->bev) & EV_WRITE))
		return;
	/*
	 * An error leaves the output, and the bufferevent reports it.  The
	 * bufferevent keeps its output's start frozen except while it
	 * writes, and so must this.
	 */
	evbuffer_unfreeze(out, 1);
	(void)evbuffer_write(out, bufferevent_getfd(c->bev));
	evbuffer_freeze(out, 1);
	if (evbuffer_get_length(out) > 0)
		bufferevent_enable(c->bev, EV_WRITE);
	else
		conn_write_cb(c->bev, c);	/* may free c */
}

static void
listen_flush_cb(evutil_socket_t fd, short events, void *arg)
{
	struct listeners	*l = arg;
	struct conn		*c;

	while ((c = TAILQ_FIRST(&l->dirty)) != NULL) {
		TAILQ_REMOVE(&l->dirty, c, fentry);
		c->dirty = 0;
		conn_flush(c);
	}
}

/*
 * The peer sent all it will: the lines left, then a last line without a
 * newline, are answered, and the connection closes once the answers
 * (held ones too) are out.  With too many answers held it waits for
 * conn_resume().
 */
static void
conn_finish(struct conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	size_t		 len;

	conn_lines(c);
	if (c->closing || c->stalled)
		return;
	if ((len = evbuffer_get_length(in)) > 0) {
		conn_line(c, (const char *)evbuffer_pullup(in, len), len,
		    clock_now_ms());
		evbuffer_drain(in, len);
	}
	if (!c->closing)
		conn_close_after_flush(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn		*c = arg;

	if (what & BEV_EVENT_TIMEOUT) {
		c->l->cs->stats.conns_idle_closed++;
		conn_free(c);
		return;
	}
	if ((what & BEV_EVENT_EOF) && !c->closing) {
		/* A last line without a newline still counts. */
		c->eof = 1;
		evtimer_del(c->line_ev);
		if (!c->stalled)
			conn_finish(c);
		return;
	}
	conn_free(c);
}

/* Take every datagram waiting, a batch at a time; each holds lines. */
static void
listen_udp_cb(evutil_socket_t fd, short events, void *arg)
{
	struct listeners	*l = arg;
	struct callscored	*cs = l->cs;
	char			 reason[EVENT_REASON_MAX];
	int			 rounds, i, n;
	size_t			 len;
	uint64_t		 now_ms;
	const char		*p, *end, *nl;
#ifdef HAVE_RECVMMSG
	struct mmsghdr		 msgs[LISTEN_UDP_BATCH];
	struct iovec		 iov[LISTEN_UDP_BATCH];
	union {
		char		 buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr	 align;
	}			 cbuf[LISTEN_UDP_BATCH];
	struct cmsghdr		*cm;
	uint32_t		 drops;
#endif

	for (rounds = 0; rounds < 64; rounds++) {
#ifdef HAVE_RECVMMSG
		memset(msgs, 0, sizeof msgs);
		for (i = 0; i < LISTEN_UDP_BATCH; i++) {
			iov[i].iov_base = l->udp_buf + (size_t)i * LISTEN_UDP_MAX;
			iov[i].iov_len = LISTEN_UDP_MAX;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_control = cbuf[i].buf;
			msgs[i].msg_hdr.msg_controllen = sizeof cbuf[i].buf;
		}
		n = recvmmsg(fd, msgs, LISTEN_UDP_BATCH, MSG_DONTWAIT, NULL);
#else
		ssize_t	r = recv(fd, l->udp_buf, LISTEN_UDP_MAX, MSG_DONTWAIT);
		n = r < 0 ? -1 : 1;
#endif
		if (n <= 0)
			return;
		now_ms = clock_now_ms();
		for (i = 0; i < n; i++) {
#ifdef HAVE_RECVMMSG
			len = msgs[i].msg_len;
			/* The socket's total of drops, as of this datagram. */
			for (cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr); cm != NULL;
			    cm = CMSG_NXTHDR(&msgs[i].msg_hdr, cm)) {
				if (cm->cmsg_level != SOL_SOCKET ||
				    cm->cmsg_type != SO_RXQ_OVFL)
					continue;
				memcpy(&drops, CMSG_DATA(cm), sizeof drops);
				if (drops > cs->stats.udp_drops)
					cs->stats.udp_drops = drops;
			}
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				cs->stats.udp_truncated++;
				ingest_reject(cs, EVENT_ERR_TOO_LONG);
				continue;
			}
#else
			len = (size_t)r;
#endif
			cs->stats.udp_datagrams++;
			cs->stats.udp_bytes += len;
			p = (const char *)l->udp_buf + (size_t)i * LISTEN_UDP_MAX;
			end = p + len;
			while (p < end) {
				nl = memchr(p, '\n', (size_t)(end - p));
				if (nl == NULL)
					nl = end;
				len = (size_t)(nl - p);
				if (len > 0 && p[len - 1] == '\r')
					len--;
				if (len > cs->conf->max_line)
					ingest_reject(cs, EVENT_ERR_TOO_LONG);
				else if (len > 0)
					ingest_line(cs, p, len, 0, now_ms,
					    reason, sizeof reason);
				p = nl + 1;
			}
		}
		if (n < LISTEN_UDP_BATCH)
			return;
	}
}
