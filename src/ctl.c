/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The control server.  Requests are one JSON object per line, parsed
 * with yajl's tree (the control path is not the hot path); replies are
 * generated with yajl_gen, one object per line.  Access to the Unix
 * socket is by its file mode and group (control.mode, control.group).
 * The optional TCP control port (control.tcp) serves a connection only
 * once its first line carries the pre-shared token: a wrong or missing
 * one closes the connection without a word, and a burst of failures
 * closes new TCP connections on accept for a while.
 *
 * Requests name windows as users know them: the rolling windows, then
 * the calendar windows today and interval, which are both sums of part
 * of the calendar ring (struct ctl_win); the ring itself is never named.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
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
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "calendar.h"
#include "callscored.h"
#include "clock.h"
#include "conf.h"
#include "ctl-proto.h"
#include "ctl.h"
#include "kpi.h"
#include "http.h"
#include "journal.h"
#include "listen.h"
#include "live.h"
#include "log.h"
#include "scope.h"
#include "scorecard.h"
#include "snapshot.h"
#include "store.h"
#include "window.h"
#include "xmalloc.h"

#define CTL_MAX_CONNS		64	/* on the Unix socket */
#define CTL_TCP_MAX_CONNS	16	/* on the TCP port, besides */
#define CTL_AUTH_TIMEOUT	10	/* seconds to send the token */
#define CTL_AUTH_LINE_MAX	1024	/* bytes of the first TCP line */
#define CTL_AUTH_FAIL_MAX	10	/* failures within CTL_AUTH_WINDOW */
#define CTL_AUTH_WINDOW		1000	/* ms */
#define CTL_PAUSE_MS		250	/* accept paused after EMFILE */
#define CTL_ADDR_MAX		128

/* A TCP connection must authenticate before anything else. */
enum ctl_conn_state {
	CTL_CONN_AUTH,		/* TCP, waiting for the token */
	CTL_CONN_READY		/* serving requests */
};

struct ctl_conn {
	struct ctl		*ctl;
	struct bufferevent	*bev;
	enum ctl_conn_state	 state;
	int			 tcp;
	struct event		*auth_ev;	/* deadline for the token */
	char			 addr[CTL_ADDR_MAX];	/* TCP peer */
	int			 waiting;	/* for a snapshot */
	int			 closing;	/* free once output drains */
	struct ctl_pending	*pending;	/* a history read under way */
	TAILQ_ENTRY(ctl_conn)	 entry;
};
TAILQ_HEAD(ctl_conns, ctl_conn);

struct ctl {
	struct callscored	*cs;
	struct evconnlistener	*lev;
	char			*path;
	struct evconnlistener	*tcp_lev;	/* NULL unless control.tcp */
	char			 tcp_addr[CTL_ADDR_MAX];	/* as bound */
	struct event		*pause_ev;	/* after EMFILE */
	struct conf_token	 token;
	struct ctl_conns	 conns;
	size_t			 nconns, ntcp;

	/* The last CTL_AUTH_FAIL_MAX failures (mono ms), oldest at pos. */
	uint64_t		 fails[CTL_AUTH_FAIL_MAX];
	size_t			 fail_pos;
	int			 limiting;	/* refusing TCP connections */
	uint64_t		 log_ms;	/* last failure logged */
	uint64_t		 log_skipped;	/* failures not logged since */
};

enum ctl_win_kind {
	CTL_WIN_ROLLING,
	CTL_WIN_TODAY,		/* since local midnight */
	CTL_WIN_INTERVAL	/* since the current interval's start */
};

/* A window a request may name. */
struct ctl_win {
	const char		*name;	/* "5m", "today": replies, history */
	size_t			 ring;	/* index in the scope table */
	enum ctl_win_kind	 kind;
};

/* What a scorecard, history or report request needs when rows arrive. */
struct ctl_pending {
	int		 scorecard;	/* else history, or report */
	int		 report;
	int		 kind;
	char		*name;
	struct ctl_win	 win;
	char		 kpi[32];	/* history */
	char		 date[CALENDAR_DATE_MAX];	/* report */
	double		 now;
	double		 t0;		/* scorecard: the window's start */
	double		 prev_at;	/* scorecard: "previous" at or before */
	double		 v[KPI_COUNT];	/* scorecard: current values */
	double		 qa[AGG_QA_MAX];
	size_t		 npoints;	/* scorecard: sparkline points */
};

struct ctl_req {
	yajl_val	 root;
	const char	*cmd;
};

static void	ctl_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	ctl_tcp_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	ctl_accept_error_cb(struct evconnlistener *, void *);
static void	ctl_pause_cb(evutil_socket_t, short, void *);
static struct ctl_conn *ctl_conn_new(struct ctl *, evutil_socket_t, int);
static void	ctl_conn_set_state(struct ctl_conn *, enum ctl_conn_state);
static void	ctl_auth_timeout_cb(evutil_socket_t, short, void *);
static int	ctl_set_group(struct ctl *, const char *, char **);
static int	ctl_tcp_listen(struct ctl *, const char *, char **);
static int	ctl_auth_read(struct ctl_conn *, int);
static int	ctl_auth_limited(struct ctl *, uint64_t);
static void	ctl_auth_fail(struct ctl_conn *, const char *);
static void	ctl_read_cb(struct bufferevent *, void *);
static void	ctl_write_cb(struct bufferevent *, void *);
static void	ctl_event_cb(struct bufferevent *, short, void *);
static void	ctl_conn_free(struct ctl_conn *);
static void	ctl_conn_finish(struct ctl_conn *);
static void	ctl_dispatch(struct ctl_conn *, const char *);
static void	ctl_reply(struct ctl_conn *, yajl_gen);
static void	ctl_error(struct ctl_conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	ctl_read_last(struct ctl_conn *);
static yajl_gen	ctl_gen_begin(void);
static void	ctl_gen_str(yajl_gen, const char *);
static void	ctl_gen_num(yajl_gen, double);
static void	ctl_gen_int(yajl_gen, uint64_t);
static const char *ctl_get_str(yajl_val, const char *);
static int	ctl_req_scope(struct ctl_conn *, struct ctl_req *,
		    const char **);
static void	ctl_cmd_status(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_kpi(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_list(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_snapshot(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_reload(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_live(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_history(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_scorecard(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_report(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_auth(struct ctl_conn *, struct ctl_req *);
static void	ctl_cmd_backup(struct ctl_conn *, struct ctl_req *);
static size_t	ctl_win_count(struct callscored *);
static int	ctl_win_at(struct callscored *, size_t, struct ctl_win *);
static uint64_t	ctl_win_from(struct callscored *, const struct ctl_win *,
		    uint64_t);
static void	ctl_win_sum(struct callscored *, struct scope *,
		    const struct ctl_win *, uint64_t, struct agg *);

static const struct {
	const char	*name;
	void		(*fn)(struct ctl_conn *, struct ctl_req *);
} ctl_cmds[] = {
	{ "status", ctl_cmd_status },
	{ "kpi", ctl_cmd_kpi },
	{ "queues", ctl_cmd_list },
	{ "agents", ctl_cmd_list },
	{ "teams", ctl_cmd_list },
	{ "snapshot", ctl_cmd_snapshot },
	{ "reload", ctl_cmd_reload },
	{ "live", ctl_cmd_live },
	{ "history", ctl_cmd_history },
	{ "scorecard", ctl_cmd_scorecard },
	{ "report", ctl_cmd_report },
	{ "auth", ctl_cmd_auth },
	{ "backup", ctl_cmd_backup },
};

struct ctl *
ctl_new(struct callscored *cs, char **cause)
{
	struct ctl	*ctl;
	char		*why;
	int		 fd;

	ctl = xcalloc(1, sizeof *ctl);
	ctl->cs = cs;
	TAILQ_INIT(&ctl->conns);
	ctl->path = conf_path(cs->conf->runtime_directory,
	    cs->conf->control_socket);
	if ((fd = listen_bind_unix(ctl->path, cs->conf->control_mode,
	    cause)) == -1) {
		free(ctl->path);
		free(ctl);
		return (NULL);
	}
	ctl->lev = evconnlistener_new(cs->base, ctl_accept_cb, ctl,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (ctl->lev == NULL) {
		xasprintf(cause, "control %s: cannot listen", ctl->path);
		close(fd);
		unlink(ctl->path);
		free(ctl->path);
		free(ctl);
		return (NULL);
	}
	ctl->pause_ev = evtimer_new(cs->base, ctl_pause_cb, ctl);
	evconnlistener_set_error_cb(ctl->lev, ctl_accept_error_cb);
	if (cs->conf->control_group != NULL &&
	    ctl_set_group(ctl, cs->conf->control_group, cause) != 0)
		goto fail;
	if (cs->conf->control_tcp != NULL) {
		if (conf_token_load(cs->conf->control_token_file, &ctl->token,
		    &why) != 0) {
			xasprintf(cause, "control.token_file: %s", why);
			free(why);
			goto fail;
		}
		if (ctl_tcp_listen(ctl, cs->conf->control_tcp, cause) != 0)
			goto fail;
	}
	log_info("control: %s", ctl->path);
	return (ctl);

fail:
	ctl_free(ctl);
	return (NULL);
}

int
ctl_reconf(struct ctl *ctl, const struct conf *next, char **cause)
{
	struct conf_token	 token;
	char			*why;

	if (ctl->tcp_lev == NULL)
		return (0);
	if (conf_token_load(next->control_token_file, &token, &why) != 0) {
		xasprintf(cause, "control.token_file: %s", why);
		free(why);
		return (-1);
	}
	ctl->token = token;
	explicit_bzero(&token, sizeof token);
	return (0);
}

/*
 * Give the socket its group and let the group reach it: its directory
 * must be searchable by the group.  When the directory has that group,
 * group search is added; otherwise search by others (names still cannot
 * be listed, and each socket's own mode decides who may connect).
 */
static int
ctl_set_group(struct ctl *ctl, const char *group, char **cause)
{
	struct stat	 sb;
	char		*dir, *slash;
	mode_t		 mode;
	gid_t		 gid;
	int		 rv = -1;

	if (conf_group_gid(group, &gid) != 0) {
		xasprintf(cause, "control.group: no group \"%s\"", group);
		return (-1);
	}
	if (lstat(ctl->path, &sb) == -1) {
		xasprintf(cause, "control %s: %s", ctl->path, strerror(errno));
		return (-1);
	}
	/* Under a unit whose Group= is this one, no chown is needed. */
	if (sb.st_gid != gid && fchownat(AT_FDCWD, ctl->path, (uid_t)-1, gid,
	    AT_SYMLINK_NOFOLLOW) == -1) {
		xasprintf(cause, "control.group: cannot give %s to group %s: "
		    "%s (the daemon must be a member of the group; a unit "
		    "that filters chown should set Group= instead)", ctl->path,
		    group, strerror(errno));
		return (-1);
	}
	dir = xstrdup(ctl->path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &sb) == -1) {
		xasprintf(cause, "control %s: %s", dir, strerror(errno));
		goto out;
	}
	mode = sb.st_mode & 07777;
	if ((sb.st_gid == gid && (mode & S_IXGRP)) || (mode & S_IXOTH)) {
		rv = 0;
		goto out;
	}
	mode |= sb.st_gid == gid ? S_IXGRP : S_IXOTH;
	if (chmod(dir, mode) == -1) {
		xasprintf(cause, "control.group: group %s cannot reach %s "
		    "(mode %04o) and its mode cannot change: %s", group, dir,
		    (unsigned int)(sb.st_mode & 07777), strerror(errno));
		goto out;
	}
	log_info("control: %s: mode %04o, so that group %s reaches the "
	    "control socket", dir, (unsigned int)mode, group);
	rv = 0;
out:
	free(dir);
	return (rv);
}

/* The numeric "host:port" ("[v6]:port") of a socket address. */
static void
ctl_format_addr(const struct sockaddr *sa, socklen_t len, char *buf,
    size_t size)
{
	char	host[96], port[8];

	if (getnameinfo(sa, len, host, sizeof host, port, sizeof port,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, size, "?");
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", host, port);
	else
		snprintf(buf, size, "%s:%s", host, port);
}

static int
ctl_tcp_listen(struct ctl *ctl, const char *addr, char **cause)
{
	struct addrinfo		 hints, *res;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 host[CTL_ADDR_MAX], port[16];
	int			 error;

	if (listen_split_addr(addr, host, sizeof host, port,
	    sizeof port) != 0) {
		xasprintf(cause, "control.tcp: %s: expected host:port", addr);
		return (-1);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "control.tcp: %s: %s", addr,
		    gai_strerror(error));
		return (-1);
	}
	ctl->tcp_lev = evconnlistener_new_bind(ctl->cs->base,
	    ctl_tcp_accept_cb, ctl, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	    LEV_OPT_CLOSE_ON_EXEC, 64, res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (ctl->tcp_lev == NULL) {
		xasprintf(cause, "control.tcp: %s: %s", addr, strerror(errno));
		return (-1);
	}
	evconnlistener_set_error_cb(ctl->tcp_lev, ctl_accept_error_cb);
	sslen = sizeof ss;
	getsockname(evconnlistener_get_fd(ctl->tcp_lev),
	    (struct sockaddr *)&ss, &sslen);
	ctl_format_addr((struct sockaddr *)&ss, sslen, ctl->tcp_addr,
	    sizeof ctl->tcp_addr);
	log_info("control: tcp %s (token required)", ctl->tcp_addr);
	return (0);
}

void
ctl_free(struct ctl *ctl)
{
	struct ctl_conn	*c;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		ctl_conn_free(c);
	if (ctl->tcp_lev != NULL)
		evconnlistener_free(ctl->tcp_lev);
	if (ctl->pause_ev != NULL)
		event_free(ctl->pause_ev);
	evconnlistener_free(ctl->lev);
	unlink(ctl->path);
	explicit_bzero(&ctl->token, sizeof ctl->token);
	free(ctl->path);
	free(ctl);
}

const char *
ctl_path(const struct ctl *ctl)
{
	return (ctl->path);
}

static struct ctl_conn *
ctl_conn_new(struct ctl *ctl, evutil_socket_t fd, int tcp)
{
	struct ctl_conn	*c;

	c = xcalloc(1, sizeof *c);
	c->ctl = ctl;
	c->tcp = tcp;
	c->bev = bufferevent_socket_new(ctl->cs->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return (NULL);
	}
	bufferevent_setcb(c->bev, ctl_read_cb, ctl_write_cb, ctl_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_LINE_MAX + 1);
	(void)bufferevent_priority_set(c->bev, CS_PRIO_CONTROL);
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	if (tcp)
		ctl->ntcp++;
	else
		ctl->nconns++;
	ctl_conn_set_state(c, tcp ? CTL_CONN_AUTH : CTL_CONN_READY);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return (c);
}

/*
 * The one place a connection changes state.  The token has a deadline
 * for the whole line, which a peer sending a byte at a time cannot push
 * back as it would an idle timeout.
 */
static void
ctl_conn_set_state(struct ctl_conn *c, enum ctl_conn_state state)
{
	struct timeval	tv = { CTL_AUTH_TIMEOUT, 0 };

	c->state = state;
	switch (state) {
	case CTL_CONN_AUTH:
		if (c->auth_ev == NULL)
			c->auth_ev = evtimer_new(c->ctl->cs->base,
			    ctl_auth_timeout_cb, c);
		evtimer_add(c->auth_ev, &tv);
		break;
	case CTL_CONN_READY:
		if (c->auth_ev != NULL)
			evtimer_del(c->auth_ev);
		break;
	}
}

static void
ctl_auth_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_conn	*c = arg;

	ctl_auth_fail(c, "no token in time");
}

static void
ctl_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ctl	*ctl = arg;

	if (ctl->nconns >= CTL_MAX_CONNS) {
		close(fd);
		return;
	}
	ctl_conn_new(ctl, fd, 0);
}

/*
 * Refused on accept: past CTL_TCP_MAX_CONNS, or while the last
 * CTL_AUTH_FAIL_MAX authentication failures all fell within
 * CTL_AUTH_WINDOW, which holds any guessing to that rate.
 */
static void
ctl_tcp_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ctl	*ctl = arg;
	struct cs_stats	*st = &ctl->cs->stats;
	struct ctl_conn	*c;
	uint64_t	 now = clock_mono_ms();

	if (ctl_auth_limited(ctl, now)) {
		close(fd);
		st->ctl_tcp_refused++;
		if (!ctl->limiting)
			log_warnx("control: %d authentication failures within "
			    "%d ms: closing new TCP control connections",
			    CTL_AUTH_FAIL_MAX, CTL_AUTH_WINDOW);
		ctl->limiting = 1;
		return;
	}
	if (ctl->limiting) {
		log_notice("control: accepting TCP control connections again");
		ctl->limiting = 0;
	}
	if (ctl->ntcp >= CTL_TCP_MAX_CONNS) {
		close(fd);
		st->ctl_tcp_refused++;
		return;
	}
	st->ctl_tcp_accepted++;
	if ((c = ctl_conn_new(ctl, fd, 1)) != NULL)
		ctl_format_addr(sa, (socklen_t)salen, c->addr, sizeof c->addr);
}

/* Out of descriptors: pause accepting instead of spinning. */
static void
ctl_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct ctl	*ctl = arg;
	struct timeval	 tv = { 0, CTL_PAUSE_MS * 1000 };
	int		 error = EVUTIL_SOCKET_ERROR();

	if (error != EMFILE && error != ENFILE && error != ENOBUFS &&
	    error != ENOMEM)
		return;
	ctl->cs->stats.accept_errors++;
	evconnlistener_disable(ctl->lev);
	if (ctl->tcp_lev != NULL)
		evconnlistener_disable(ctl->tcp_lev);
	evtimer_add(ctl->pause_ev, &tv);
}

static void
ctl_pause_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ctl	*ctl = arg;

	evconnlistener_enable(ctl->lev);
	if (ctl->tcp_lev != NULL)
		evconnlistener_enable(ctl->tcp_lev);
}

static int
ctl_auth_limited(struct ctl *ctl, uint64_t now)
{
	uint64_t	oldest = ctl->fails[ctl->fail_pos];

	return (oldest != 0 && now - oldest < CTL_AUTH_WINDOW);
}

/*
 * A wrong or missing token: count it, log it (at most once a second,
 * with how many went unlogged) and close without a reply.
 */
static void
ctl_auth_fail(struct ctl_conn *c, const char *why)
{
	struct ctl	*ctl = c->ctl;
	uint64_t	 now = clock_mono_ms();

	ctl->cs->stats.ctl_auth_failures++;
	ctl->fails[ctl->fail_pos] = now > 0 ? now : 1;
	ctl->fail_pos = (ctl->fail_pos + 1) % CTL_AUTH_FAIL_MAX;
	if (ctl->log_ms == 0 || now - ctl->log_ms >= 1000) {
		if (ctl->log_skipped > 0)
			log_warnx("control: tcp %s: authentication failed: %s "
			    "(and %llu more not logged)", c->addr, why,
			    (unsigned long long)ctl->log_skipped);
		else
			log_warnx("control: tcp %s: authentication failed: %s",
			    c->addr, why);
		ctl->log_ms = now;
		ctl->log_skipped = 0;
	} else
		ctl->log_skipped++;
	ctl_conn_free(c);
}

/*
 * The first line of a TCP connection: {"v":1,"cmd":"auth","token":"..."}.
 * Returns 0 once authenticated, 1 while the line is incomplete, -1 if the
 * connection was closed (c is freed).  At eof what is left is the line.
 */
static int
ctl_auth_read(struct ctl_conn *c, int eof)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	const char		*vpath[] = { "v", NULL };
	const char		*cpath[] = { "cmd", NULL };
	const char		*tpath[] = { "token", NULL };
	yajl_val		 root, v, cmd, tok;
	yajl_gen		 g;
	char			*line, err[128], *ts;
	const char		*why = NULL;
	size_t			 len;
	int			 ok = 0;

	line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
	if (line == NULL) {
		len = evbuffer_get_length(in);
		if (len > CTL_AUTH_LINE_MAX) {
			ctl_auth_fail(c, "first line too long");
			return (-1);
		}
		if (!eof)
			return (1);
		if (len == 0) {
			ctl_auth_fail(c, "closed without a token");
			return (-1);
		}
		line = xmalloc(len + 1);
		evbuffer_remove(in, line, len);
		line[len] = '\0';
	}
	if (len > CTL_AUTH_LINE_MAX)
		why = "first line too long";
	else if ((root = yajl_tree_parse(line, err, sizeof err)) == NULL)
		why = "first line is not JSON";
	else {
		v = yajl_tree_get(root, vpath, yajl_t_number);
		cmd = yajl_tree_get(root, cpath, yajl_t_string);
		tok = yajl_tree_get(root, tpath, yajl_t_string);
		if (!YAJL_IS_OBJECT(root) || v == NULL || !YAJL_IS_INTEGER(v) ||
		    YAJL_GET_INTEGER(v) != CTL_PROTO_VERSION || cmd == NULL ||
		    (ts = YAJL_GET_STRING(cmd)) == NULL ||
		    strcmp(ts, "auth") != 0)
			why = "first request is not auth";
		else if (tok == NULL || (ts = YAJL_GET_STRING(tok)) == NULL)
			why = "no token";
		else {
			ok = conf_token_equal(&c->ctl->token, ts, strlen(ts));
			if (!ok)
				why = "wrong token";
			explicit_bzero(ts, strlen(ts));
		}
		yajl_tree_free(root);
	}
	explicit_bzero(line, len);
	free(line);
	if (!ok) {
		ctl_auth_fail(c, why);
		return (-1);
	}
	c->ctl->cs->stats.ctl_auth_ok++;
	ctl_conn_set_state(c, CTL_CONN_READY);
	g = ctl_gen_begin();
	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_reply(c, g);
	return (0);
}

static void
ctl_pending_free(struct ctl_pending *p)
{
	if (p != NULL) {
		free(p->name);
		free(p);
	}
}

static void
ctl_conn_free(struct ctl_conn *c)
{
	if (c->waiting) {
		snapshot_cancel(c->ctl->cs->snapshot, c);
		store_query_cancel(c->ctl->cs->store, c);
	}
	ctl_pending_free(c->pending);
	TAILQ_REMOVE(&c->ctl->conns, c, entry);
	if (c->tcp)
		c->ctl->ntcp--;
	else
		c->ctl->nconns--;
	if (c->auth_ev != NULL)
		event_free(c->auth_ev);
	bufferevent_free(c->bev);
	free(c);
}

static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	if (c->state == CTL_CONN_AUTH && ctl_auth_read(c, 0) != 0)
		return;		/* closed, or the token is yet to come */
	while (!c->waiting && (line = evbuffer_readln(in, &len,
	    EVBUFFER_EOL_CRLF)) != NULL) {
		c->ctl->cs->stats.ctl_requests++;
		ctl_dispatch(c, line);
		free(line);
	}
	if (evbuffer_get_length(in) > CTL_LINE_MAX) {
		evbuffer_drain(in, evbuffer_get_length(in));
		ctl_error(c, "request longer than %d bytes", CTL_LINE_MAX);
	}
}

/*
 * At EOF, what is left is a last request without a newline, which
 * evbuffer_readln() never returns (and the input's end is frozen, so a
 * newline cannot be added): take it whole.
 */
static void
ctl_read_last(struct ctl_conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	size_t		 len = evbuffer_get_length(in);
	char		*line;

	if (c->waiting || len == 0 || len > CTL_LINE_MAX)
		return;
	line = xmalloc(len + 1);
	evbuffer_remove(in, line, len);
	line[len] = '\0';
	c->ctl->cs->stats.ctl_requests++;
	ctl_dispatch(c, line);
	free(line);
}

/*
 * The client closed its side: answer what it asked (a snapshot may still
 * be on its way), then close.
 */
static void
ctl_conn_finish(struct ctl_conn *c)
{
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	if (!c->waiting &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		ctl_conn_free(c);
}

static void
ctl_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (c->closing && !c->waiting)
		ctl_conn_free(c);
}

static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn	*c = arg;

	if (c->state == CTL_CONN_AUTH) {
		if ((what & BEV_EVENT_ERROR) || ctl_auth_read(c, 1) != 0) {
			if (what & BEV_EVENT_ERROR)
				ctl_auth_fail(c, "connection error");
			return;
		}
	}
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
		ctl_read_cb(bev, c);
		ctl_read_last(c);	/* a last request without newline */
		ctl_conn_finish(c);
		return;
	}
	ctl_conn_free(c);
}

static yajl_gen
ctl_gen_begin(void)
{
	yajl_gen	g;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		fatalx("control: yajl_gen_alloc");
	yajl_gen_map_open(g);
	ctl_gen_str(g, "v");
	ctl_gen_int(g, CTL_PROTO_VERSION);
	return (g);
}

static void
ctl_gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* Numbers with enough digits and no noise; NaN (no data) is null. */
static void
ctl_gen_num(yajl_gen g, double v)
{
	char	buf[64];
	int	n;

	if (!isfinite(v)) {
		yajl_gen_null(g);
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15)
		n = snprintf(buf, sizeof buf, "%.0f", v);
	else
		n = snprintf(buf, sizeof buf, "%.10g", v);
	yajl_gen_number(g, buf, (size_t)n);
}

static void
ctl_gen_int(yajl_gen g, uint64_t v)
{
	char	buf[32];
	int	n;

	n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	yajl_gen_number(g, buf, (size_t)n);
}

static void
ctl_reply(struct ctl_conn *c, yajl_gen g)
{
	const unsigned char	*buf;
	size_t			 len;

	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	bufferevent_write(c->bev, buf, len);
	bufferevent_write(c->bev, "\n", 1);
	yajl_gen_free(g);
}

static void
ctl_error(struct ctl_conn *c, const char *fmt, ...)
{
	yajl_gen	 g = ctl_gen_begin();
	va_list		 ap;
	char		 msg[4096];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ctl_proto_utf8_clean(msg);
	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 0);
	ctl_gen_str(g, "error");
	ctl_gen_str(g, msg);
	ctl_reply(c, g);
}

static const char *
ctl_get_str(yajl_val root, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(root, path, yajl_t_string);
	return (v != NULL ? YAJL_GET_STRING(v) : NULL);
}

static void
ctl_dispatch(struct ctl_conn *c, const char *line)
{
	struct ctl_req	 req;
	const char	*path[] = { "v", NULL };
	yajl_val	 v;
	char		 err[256];
	size_t		 i;

	memset(&req, 0, sizeof req);
	if ((req.root = yajl_tree_parse(line, err, sizeof err)) == NULL ||
	    !YAJL_IS_OBJECT(req.root)) {
		ctl_error(c, "request is not a JSON object");
		goto out;
	}
	v = yajl_tree_get(req.root, path, yajl_t_number);
	if (v == NULL || !YAJL_IS_INTEGER(v)) {
		ctl_error(c, "request has no protocol version \"v\"");
		goto out;
	}
	if (YAJL_GET_INTEGER(v) != CTL_PROTO_VERSION) {
		ctl_error(c, "protocol version %lld not supported (this "
		    "callscored speaks %d)", YAJL_GET_INTEGER(v),
		    CTL_PROTO_VERSION);
		goto out;
	}
	if ((req.cmd = ctl_get_str(req.root, "cmd")) == NULL) {
		ctl_error(c, "request has no \"cmd\"");
		goto out;
	}
	for (i = 0; i < sizeof ctl_cmds / sizeof ctl_cmds[0]; i++) {
		if (strcmp(req.cmd, ctl_cmds[i].name) == 0) {
			ctl_cmds[i].fn(c, &req);
			goto out;
		}
	}
	ctl_error(c, "unknown command \"%.64s\"", req.cmd);
out:
	yajl_tree_free(req.root);
}

static void
ctl_gen_counter_map(yajl_gen g, const char *name, const char **keys,
    const uint64_t *vals, size_t n)
{
	size_t	i;

	ctl_gen_str(g, name);
	yajl_gen_map_open(g);
	for (i = 0; i < n; i++) {
		ctl_gen_str(g, keys[i]);
		ctl_gen_int(g, vals[i]);
	}
	yajl_gen_map_close(g);
}

/* The journal's figures: the writer's (ss) and the loop's. */
static void
ctl_gen_journal(yajl_gen g, struct callscored *cs,
    const struct store_stats *ss)
{
	struct journal_stats	 js;
	const struct cs_stats	*st = &cs->stats;

	memset(&js, 0, sizeof js);
	if (cs->journal != NULL)
		journal_get_stats(cs->journal, &js);
	ctl_gen_str(g, "journal");
	yajl_gen_map_open(g);
	ctl_gen_str(g, "enabled");
	yajl_gen_bool(g, cs->journal != NULL);
	ctl_gen_str(g, "seq");
	ctl_gen_int(g, cs->seq);
	ctl_gen_str(g, "committed");
	ctl_gen_int(g, ss->journal_seq);
	{
		const char *k[] = { "batches", "events", "bytes", "dropped",
		    "refused", "errors", "inflight", "queue", "trimmed",
		    "files", "file_bytes", "torn_bytes", "damaged_bytes",
		    "replayed", "replay_skipped" };
		uint64_t v[] = { ss->journal_batches, ss->journal_events,
		    ss->journal_bytes, js.dropped, js.refused,
		    ss->journal_errors, js.inflight, ss->journal_queue,
		    ss->journal_trimmed, ss->journal_files,
		    ss->journal_file_bytes, ss->journal_torn_bytes,
		    ss->journal_damaged_bytes, st->journal_replayed,
		    st->journal_replay_skipped };
		size_t i;

		for (i = 0; i < sizeof k / sizeof k[0]; i++) {
			ctl_gen_str(g, k[i]);
			ctl_gen_int(g, v[i]);
		}
	}
	ctl_gen_str(g, "commit_last");
	ctl_gen_num(g, ss->journal_commit_last);
	ctl_gen_str(g, "commit_max");
	ctl_gen_num(g, ss->journal_commit_max);
	ctl_gen_str(g, "replay_seconds");
	ctl_gen_num(g, st->journal_replay_seconds);
	yajl_gen_map_close(g);
}

static void
ctl_cmd_status(struct ctl_conn *c, struct ctl_req *req)
{
	struct callscored	*cs = c->ctl->cs;
	struct cs_stats		*st = &cs->stats;
	struct store_stats	 ss;
	struct snapshot_stats	 sn;
	yajl_gen		 g = ctl_gen_begin();
	const char		*names[] = { "tcp", "unix", "udp" }, *a;
	struct ctl_win		 win;
	size_t			 i;
	double			 now = clock_now_ms() / 1000.0;

	store_get_stats(cs->store, &ss);
	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_gen_str(g, "version");
	ctl_gen_str(g, PACKAGE_VERSION);
	ctl_gen_str(g, "pid");
	ctl_gen_int(g, (uint64_t)getpid());
	ctl_gen_str(g, "time");
	ctl_gen_num(g, now);
	ctl_gen_str(g, "uptime");
	ctl_gen_num(g, (clock_mono_ms() - cs->started_mono) / 1000.0);

	ctl_gen_str(g, "events");
	yajl_gen_map_open(g);
	ctl_gen_str(g, "accepted");
	ctl_gen_int(g, st->lines_ok);
	ctl_gen_str(g, "rejected");
	ctl_gen_int(g, st->lines_bad);
	ctl_gen_str(g, "rate");
	ctl_gen_num(g, round(callscored_rate(cs) * 10) / 10);
	ctl_gen_str(g, "rejects");
	yajl_gen_map_open(g);
	for (i = 1; i < EVENT_ERR_COUNT; i++) {
		ctl_gen_str(g, event_error_name(i));
		ctl_gen_int(g, st->rejects[i]);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	{
		const char *k[] = { "current", "total", "refused",
		    "idle_closed", "oversize_closed", "line_timeout",
		    "accept_errors" };
		uint64_t v[] = { st->conns_current, st->conns_total,
		    st->conns_refused, st->conns_idle_closed,
		    st->conns_oversize_closed, st->conns_line_timeout,
		    st->accept_errors };
		ctl_gen_counter_map(g, "connections", k, v, 7);
	}
	{
		const char *k[] = { "datagrams", "bytes", "truncated",
		    "drops", "rcvbuf" };
		uint64_t v[] = { st->udp_datagrams, st->udp_bytes,
		    st->udp_truncated, st->udp_drops,
		    (uint64_t)listeners_udp_rcvbuf(cs->listeners) };
		ctl_gen_counter_map(g, "udp", k, v, 5);
	}
	{
		const char *k[] = { "queues", "agents", "teams", "rejected",
		    "restoring", "restore_errors" };
		uint64_t v[] = { scopes_count(cs->scopes, SCOPE_QUEUE),
		    scopes_count(cs->scopes, SCOPE_AGENT),
		    scopes_count(cs->scopes, SCOPE_TEAM),
		    st->rejects[EVENT_ERR_CARDINALITY],
		    scopes_saved(cs->scopes),
		    scopes_load_errors(cs->scopes) };
		ctl_gen_counter_map(g, "scopes", k, v, 6);
	}

	ctl_gen_str(g, "snapshot");
	yajl_gen_map_open(g);
	ctl_gen_str(g, "last");
	ctl_gen_num(g, ss.last_time > 0 ? ss.last_time : NAN);
	ctl_gen_str(g, "age");
	ctl_gen_num(g, ss.last_time > 0 ? now - ss.last_time : NAN);
	ctl_gen_str(g, "duration");
	ctl_gen_num(g, ss.last_time > 0 ? ss.last_duration : NAN);
	ctl_gen_str(g, "count");
	ctl_gen_int(g, ss.snapshots);
	ctl_gen_str(g, "errors");
	ctl_gen_int(g, ss.errors);
	ctl_gen_str(g, "error_codes");
	yajl_gen_map_open(g);
	for (i = 1; i < STORE_CODES; i++) {
		if (ss.errors_by_code[i] > 0 || store_code_listed((int)i)) {
			ctl_gen_str(g, store_code_name((int)i));
			ctl_gen_int(g, ss.errors_by_code[i]);
		}
	}
	yajl_gen_map_close(g);
	ctl_gen_str(g, "dropped");
	ctl_gen_int(g, ss.dropped);
	ctl_gen_str(g, "queue");
	ctl_gen_int(g, ss.queue_depth);
	ctl_gen_str(g, "chunks");
	ctl_gen_int(g, ss.chunks);
	/* The loop's side of the last one: building it, slice by slice. */
	snapshot_get_stats(cs->snapshot, &sn);
	ctl_gen_str(g, "build");
	ctl_gen_num(g, sn.built > 0 ? sn.build : NAN);
	ctl_gen_str(g, "longest_step");
	ctl_gen_num(g, sn.built > 0 ? sn.longest_step : NAN);
	ctl_gen_str(g, "database");
	ctl_gen_str(g, cs->db_path);
	ctl_gen_str(g, "quarantined");
	if (cs->quarantined != NULL)
		ctl_gen_str(g, cs->quarantined);
	else
		yajl_gen_null(g);
	/* The whole file's check, in the background after start. */
	ctl_gen_str(g, "check");
	ctl_gen_str(g, ss.check == STORE_CHECK_OK ? "ok" :
	    ss.check == STORE_CHECK_FAILED ? "failed" : "running");
	ctl_gen_str(g, "check_error");
	if (ss.check == STORE_CHECK_FAILED)
		ctl_gen_str(g, ss.check_error);
	else
		yajl_gen_null(g);
	yajl_gen_map_close(g);
	ctl_gen_journal(g, cs, &ss);

	ctl_gen_str(g, "live");
	yajl_gen_map_open(g);
	for (i = 0; i < LIVE_RESULT_COUNT; i++) {
		ctl_gen_str(g, live_result_name(i));
		ctl_gen_int(g, st->live_results[i]);
	}
	ctl_gen_str(g, "calls");
	ctl_gen_int(g, live_ncalls(cs->live));
	yajl_gen_map_close(g);

	{
		const char *k[] = { "ok", "failed" };
		uint64_t v[] = { st->reload_ok, st->reload_fail };
		ctl_gen_counter_map(g, "reload", k, v, 2);
	}
	{
		const char *k[] = { "ok", "failed" };
		uint64_t v[] = { st->backups_ok, st->backups_failed };
		ctl_gen_counter_map(g, "backup", k, v, 2);
	}

	ctl_gen_str(g, "control");
	yajl_gen_map_open(g);
	ctl_gen_str(g, "socket");
	ctl_gen_str(g, c->ctl->path);
	ctl_gen_str(g, "tcp");
	if (c->ctl->tcp_lev != NULL)
		ctl_gen_str(g, c->ctl->tcp_addr);
	else
		yajl_gen_null(g);
	{
		const char *k[] = { "requests", "tcp_accepted", "tcp_refused",
		    "auth_ok", "auth_failures" };
		uint64_t v[] = { st->ctl_requests, st->ctl_tcp_accepted,
		    st->ctl_tcp_refused, st->ctl_auth_ok,
		    st->ctl_auth_failures };

		for (i = 0; i < 5; i++) {
			ctl_gen_str(g, k[i]);
			ctl_gen_int(g, v[i]);
		}
	}
	yajl_gen_map_close(g);

	ctl_gen_str(g, "listen");
	yajl_gen_map_open(g);
	for (i = 0; i < 3; i++) {
		if ((a = listeners_address(cs->listeners, names[i])) != NULL) {
			ctl_gen_str(g, names[i]);
			ctl_gen_str(g, a);
		}
	}
	if (cs->http != NULL) {
		ctl_gen_str(g, "http");
		ctl_gen_str(g, http_address(cs->http));
	}
	yajl_gen_map_close(g);

	ctl_gen_str(g, "windows");
	yajl_gen_array_open(g);
	for (i = 0; i < ctl_win_count(cs); i++) {
		if (ctl_win_at(cs, i, &win) == 0)
			ctl_gen_str(g, win.name);
	}
	yajl_gen_array_close(g);
	ctl_reply(c, g);
}

/* The calendar ring's index, or -1 if the scope table has none. */
static int
ctl_win_cal(struct callscored *cs)
{
	return (scopes_window_index(cs->scopes, CALENDAR_RING));
}

/* Rolling windows, then today and interval if there is a calendar ring. */
static size_t
ctl_win_count(struct callscored *cs)
{
	size_t	n = scopes_nwindows(cs->scopes);

	return (ctl_win_cal(cs) == -1 ? n : n + 1);
}

/* The i-th window in that order; -1 past the last. */
static int
ctl_win_at(struct callscored *cs, size_t i, struct ctl_win *win)
{
	size_t	n = scopes_nwindows(cs->scopes), r;
	int	cal = ctl_win_cal(cs);

	memset(win, 0, sizeof *win);
	for (r = 0; r < n; r++) {
		if ((int)r == cal)
			continue;
		if (i-- == 0) {
			win->name = scopes_window(cs->scopes, r)->name;
			win->ring = r;
			win->kind = CTL_WIN_ROLLING;
			return (0);
		}
	}
	if (cal == -1 || i > 1)
		return (-1);
	win->ring = (size_t)cal;
	win->kind = i == 0 ? CTL_WIN_TODAY : CTL_WIN_INTERVAL;
	win->name = i == 0 ? "today" : "interval";
	return (0);
}

/* A window by name; -1 if there is none. */
static int
ctl_win_find(struct callscored *cs, const char *name, struct ctl_win *win)
{
	size_t	i;

	for (i = 0; ctl_win_at(cs, i, win) == 0; i++) {
		if (strcmp(win->name, name) == 0)
			return (0);
	}
	return (-1);
}

/* Where a calendar window starts at now_ms (ms); 0 for a rolling one. */
static uint64_t
ctl_win_from(struct callscored *cs, const struct ctl_win *win,
    uint64_t now_ms)
{
	int64_t	now = (int64_t)(now_ms / 1000);

	if (win->kind == CTL_WIN_ROLLING)
		return (0);
	calendar_zone(cs->conf->timezone);
	if (win->kind == CTL_WIN_TODAY)
		return ((uint64_t)calendar_day_start(now) * 1000);
	return ((uint64_t)calendar_interval_start(now,
	    (int64_t)cs->conf->interval) * 1000);
}

/* sum = the window at now_ms; sum is overwritten (agg_clear() after). */
static void
ctl_win_sum(struct callscored *cs, struct scope *sc, const struct ctl_win *win,
    uint64_t now_ms, struct agg *sum)
{
	const struct window_def	*def = scopes_window(cs->scopes, win->ring);

	SCOPE_LOAD(cs->scopes, sc);
	if (win->kind == CTL_WIN_ROLLING)
		ring_sum(sc->rings[win->ring], def, now_ms, sum,
		    scopes_pool(cs->scopes));
	else
		ring_sum_range(sc->rings[win->ring], def,
		    ctl_win_from(cs, win, now_ms), UINT64_MAX, now_ms, sum,
		    scopes_pool(cs->scopes));
}

/* The KPIs of one scope over one window, as "kpis" and "qa" maps. */
static void
ctl_gen_scope_kpis(struct ctl_conn *c, yajl_gen g, struct scope *sc,
    const struct ctl_win *win)
{
	struct callscored	*cs = c->ctl->cs;
	const struct conf	*conf = cs->conf;
	struct kpi_params	 kp = { conf->cost_per_hour };
	struct agg		 sum;
	double			 v[KPI_COUNT];
	size_t			 i;

	memset(&sum, 0, sizeof sum);
	ctl_win_sum(cs, sc, win, clock_now_ms(), &sum);
	kpi_compute(&sum, &kp, v);
	ctl_gen_str(g, "kpis");
	yajl_gen_map_open(g);
	for (i = 0; i < KPI_COUNT; i++) {
		ctl_gen_str(g, kpi_table[i].id);
		ctl_gen_num(g, v[i]);
	}
	yajl_gen_map_close(g);
	ctl_gen_str(g, "qa");
	yajl_gen_map_open(g);
	for (i = 0; i < conf->nqa; i++) {
		ctl_gen_str(g, conf->qa_criteria[i]);
		ctl_gen_num(g, kpi_qa_criterion(&sum, i));
	}
	yajl_gen_map_close(g);
	agg_clear(&sum, scopes_pool(cs->scopes));
}

/*
 * The window a request names into win: 0, or 1 if it names none (win is
 * then the first), or -1 after an error reply.
 */
static int
ctl_req_window(struct ctl_conn *c, struct ctl_req *req, struct ctl_win *win)
{
	struct callscored	*cs = c->ctl->cs;
	struct ctl_win		 w;
	const char		*name;
	char			 list[512];
	size_t			 i, len = 0;

	if ((name = ctl_get_str(req->root, "window")) == NULL) {
		if (ctl_win_at(cs, 0, win) != 0) {
			ctl_error(c, "no windows");
			return (-1);
		}
		return (1);
	}
	if (ctl_win_find(cs, name, win) == 0)
		return (0);
	list[0] = '\0';
	for (i = 0; ctl_win_at(cs, i, &w) == 0 && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
		    i > 0 ? ", " : "", w.name);
	ctl_error(c, "unknown window \"%.32s\" (%s)", name, list);
	return (-1);
}

static void
ctl_cmd_kpi(struct ctl_conn *c, struct ctl_req *req)
{
	struct scopes	*scopes = c->ctl->cs->scopes;
	struct scope	*sc;
	const char	*kind_name, *name;
	struct ctl_win	 win, one;
	yajl_gen	 g;
	int		 kind, w;
	size_t		 i;

	if ((kind = ctl_req_scope(c, req, &name)) == -1)
		return;
	kind_name = scope_kind_name(kind);
	if ((sc = scopes_find(scopes, kind, name)) == NULL) {
		ctl_error(c, "no %s \"%.64s\" has been seen", kind_name, name);
		return;
	}
	if ((w = ctl_req_window(c, req, &one)) == -1)
		return;

	g = ctl_gen_begin();
	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_gen_str(g, "scope");
	ctl_gen_str(g, kind_name);
	ctl_gen_str(g, "name");
	ctl_gen_str(g, name);
	ctl_gen_str(g, "windows");
	yajl_gen_array_open(g);
	for (i = 0; ctl_win_at(c->ctl->cs, i, &win) == 0; i++) {
		if (w == 0 && strcmp(win.name, one.name) != 0)
			continue;
		yajl_gen_map_open(g);
		ctl_gen_str(g, "window");
		ctl_gen_str(g, win.name);
		ctl_gen_scope_kpis(c, g, sc, &win);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	ctl_reply(c, g);
}

static void
ctl_cmd_list(struct ctl_conn *c, struct ctl_req *req)
{
	struct scopes	*scopes = c->ctl->cs->scopes;
	struct scope	*sc;
	struct ctl_win	 win;
	yajl_gen	 g;
	int		 kind;

	if (strcmp(req->cmd, "queues") == 0)
		kind = SCOPE_QUEUE;
	else if (strcmp(req->cmd, "agents") == 0)
		kind = SCOPE_AGENT;
	else
		kind = SCOPE_TEAM;
	if (ctl_req_window(c, req, &win) < 0)
		return;

	g = ctl_gen_begin();
	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_gen_str(g, "window");
	ctl_gen_str(g, win.name);
	ctl_gen_str(g, "rows");
	yajl_gen_array_open(g);
	for (sc = scopes_first(scopes, kind); sc != NULL; sc = sc->list_next) {
		yajl_gen_map_open(g);
		ctl_gen_str(g, "name");
		ctl_gen_str(g, sc->name);
		if (kind == SCOPE_AGENT) {
			ctl_gen_str(g, "team");
			ctl_gen_str(g, sc->team);
		}
		ctl_gen_scope_kpis(c, g, sc, &win);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	ctl_reply(c, g);
}

/* An answer that had to wait is sent: serve what queued behind it. */
static void
ctl_resume(struct ctl_conn *c)
{
	if (c->closing)
		ctl_conn_finish(c);
	else
		ctl_read_cb(c->bev, c);
}

static void
ctl_snapshot_done(const struct store_result *res, void *arg)
{
	struct ctl_conn	*c = arg;
	yajl_gen	 g;

	c->waiting = 0;
	if (!res->ok) {
		ctl_error(c, "snapshot failed: %s", res->error);
	} else {
		g = ctl_gen_begin();
		ctl_gen_str(g, "ok");
		yajl_gen_bool(g, 1);
		ctl_gen_str(g, "snapshot");
		yajl_gen_map_open(g);
		ctl_gen_str(g, "time");
		ctl_gen_num(g, res->time);
		ctl_gen_str(g, "duration");
		ctl_gen_num(g, res->duration);
		ctl_gen_str(g, "rows");
		ctl_gen_int(g, res->rows);
		yajl_gen_map_close(g);
		ctl_reply(c, g);
	}
	ctl_resume(c);
}

static void
ctl_cmd_snapshot(struct ctl_conn *c, struct ctl_req *req)
{
	c->waiting = 1;
	snapshot_request(c->ctl->cs->snapshot, ctl_snapshot_done, c);
}

static void
ctl_cmd_reload(struct ctl_conn *c, struct ctl_req *req)
{
	struct callscored	*cs = c->ctl->cs;
	yajl_gen		 g;
	char			*cause;

	if (callscored_reload(cs, &cause) != 0) {
		ctl_error(c, "%s", cause);
		free(cause);
		return;
	}
	g = ctl_gen_begin();
	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_gen_str(g, "reload");
	yajl_gen_map_open(g);
	ctl_gen_str(g, "config");
	ctl_gen_str(g, cs->conf->path);
	ctl_gen_str(g, "count");
	ctl_gen_int(g, cs->stats.reload_ok);
	yajl_gen_map_close(g);
	ctl_reply(c, g);
}

/*
 * On the Unix socket the file mode already decided: auth is answered and
 * changes nothing.  On TCP it only comes here once authenticated.
 */
static void
ctl_cmd_auth(struct ctl_conn *c, struct ctl_req *req)
{
	yajl_gen	g = ctl_gen_begin();

	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_reply(c, g);
}

static void
ctl_backup_cb(const struct store_backup *b, void *arg)
{
	struct ctl_conn		*c = arg;
	struct cs_stats		*st = &c->ctl->cs->stats;
	yajl_gen		 g;
	char			 esc[1024];

	c->waiting = 0;
	if (!b->ok) {
		st->backups_failed++;
		log_warnx("control: backup: %s", log_escape(esc, sizeof esc,
		    b->error, strlen(b->error)));
		ctl_error(c, "backup: %s", b->error);
	} else {
		st->backups_ok++;
		log_info("control: backup %s: %llu bytes in %.3f s",
		    log_escape(esc, sizeof esc, b->path, strlen(b->path)),
		    (unsigned long long)b->bytes, b->seconds);
		g = ctl_gen_begin();
		ctl_gen_str(g, "ok");
		yajl_gen_bool(g, 1);
		ctl_gen_str(g, "backup");
		yajl_gen_map_open(g);
		ctl_gen_str(g, "path");
		ctl_gen_str(g, b->path);
		ctl_gen_str(g, "bytes");
		ctl_gen_int(g, b->bytes);
		ctl_gen_str(g, "seconds");
		ctl_gen_num(g, round(b->seconds * 1e6) / 1e6);
		yajl_gen_map_close(g);
		ctl_reply(c, g);
	}
	ctl_resume(c);
}

/*
 * A copy of the database, made by the writer between snapshots.  A
 * relative path is taken from the state directory: the client's working
 * directory means nothing to the daemon (nor does its host, over TCP).
 */
static void
ctl_cmd_backup(struct ctl_conn *c, struct ctl_req *req)
{
	struct callscored	*cs = c->ctl->cs;
	const char		*path;
	char			*full;

	if ((path = ctl_get_str(req->root, "path")) == NULL ||
	    *path == '\0') {
		cs->stats.backups_failed++;
		ctl_error(c, "backup needs a \"path\": the file to write");
		return;
	}
	if (strlen(path) >= PATH_MAX) {
		cs->stats.backups_failed++;
		ctl_error(c, "backup: path longer than %d bytes", PATH_MAX - 1);
		return;
	}
	if (path[strlen(path) - 1] == '/') {
		cs->stats.backups_failed++;
		ctl_error(c, "backup: %.256s names a directory, not a file",
		    path);
		return;
	}
	full = conf_path(cs->conf->state_directory, path);
	c->waiting = 1;
	if (store_backup(cs->store, full, ctl_backup_cb, c) != 0) {
		c->waiting = 0;
		cs->stats.backups_failed++;
		ctl_error(c, "backup: the database is not available");
	}
	free(full);
}

/* Calls waiting, on hold and agents now, with each queue's first window. */
static void
ctl_cmd_live(struct ctl_conn *c, struct ctl_req *req)
{
	struct callscored	*cs = c->ctl->cs;
	struct scopes		*scopes = cs->scopes;
	struct kpi_params	 kp = { cs->conf->cost_per_hour };
	struct live_totals	 t;
	struct live_queue_view	 qv;
	struct live_agent_view	*av;
	struct scope		*sc;
	struct agg		 sum;
	double			 now = clock_now_ms() / 1000.0, v[KPI_COUNT];
	size_t			 i, n;
	yajl_gen		 g;

	live_get_totals(cs->live, now, &t);
	g = ctl_gen_begin();
	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_gen_str(g, "time");
	ctl_gen_num(g, now);
	ctl_gen_str(g, "window");
	ctl_gen_str(g, scopes_window(scopes, 0)->name);
	ctl_gen_str(g, "totals");
	yajl_gen_map_open(g);
	{
		const char *k[] = { "waiting", "talking", "on_hold",
		    "agents_logged_in", "agents_ready", "agents_busy",
		    "agents_not_ready", "calls", "expired", "lost",
		    "duplicates", "refused" };
		uint64_t vals[] = { t.waiting, t.talking, t.on_hold,
		    t.agents_logged_in, t.agents_ready, t.agents_busy,
		    t.agents_not_ready, t.calls, t.expired, t.lost,
		    t.duplicates, t.refused };

		for (i = 0; i < sizeof vals / sizeof vals[0]; i++) {
			ctl_gen_str(g, k[i]);
			ctl_gen_int(g, vals[i]);
		}
	}
	ctl_gen_str(g, "longest_wait");
	ctl_gen_num(g, t.longest_wait);
	ctl_gen_str(g, "occupancy");
	ctl_gen_num(g, t.agents_ready + t.agents_busy > 0 ?
	    100.0 * t.agents_busy / (t.agents_ready + t.agents_busy) : NAN);
	yajl_gen_map_close(g);

	ctl_gen_str(g, "queues");
	yajl_gen_array_open(g);
	for (sc = scopes_first(scopes, SCOPE_QUEUE); sc != NULL;
	    sc = sc->list_next) {
		if (live_queue(cs->live, sc->name, now, &qv) != 0)
			memset(&qv, 0, sizeof qv);
		memset(&sum, 0, sizeof sum);
		SCOPE_LOAD(scopes, sc);
		ring_sum(sc->rings[0], scopes_window(scopes, 0),
		    clock_now_ms(), &sum, scopes_pool(scopes));
		kpi_compute(&sum, &kp, v);
		agg_clear(&sum, scopes_pool(scopes));
		yajl_gen_map_open(g);
		ctl_gen_str(g, "name");
		ctl_gen_str(g, sc->name);
		ctl_gen_str(g, "waiting");
		ctl_gen_int(g, qv.waiting);
		ctl_gen_str(g, "talking");
		ctl_gen_int(g, qv.talking);
		ctl_gen_str(g, "on_hold");
		ctl_gen_int(g, qv.on_hold);
		ctl_gen_str(g, "longest_wait");
		ctl_gen_num(g, qv.longest_wait);
		ctl_gen_str(g, "service_level");
		ctl_gen_num(g, v[KPI_SERVICE_LEVEL]);
		ctl_gen_str(g, "answered");
		ctl_gen_num(g, v[KPI_ANSWERED]);
		ctl_gen_str(g, "abandoned");
		ctl_gen_num(g, v[KPI_ABANDONED]);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);

	ctl_gen_str(g, "agents");
	yajl_gen_array_open(g);
	n = live_nagents(cs->live);
	if (n > 0) {
		av = xcalloc(n, sizeof *av);
		if (live_agents(cs->live, av, n) < n)
			n = live_agents(cs->live, av, n);
		for (i = 0; i < n; i++) {
			yajl_gen_map_open(g);
			ctl_gen_str(g, "name");
			ctl_gen_str(g, av[i].name);
			ctl_gen_str(g, "team");
			ctl_gen_str(g, av[i].team);
			ctl_gen_str(g, "state");
			ctl_gen_str(g, live_agent_state_name(av[i].state));
			ctl_gen_str(g, "since");
			ctl_gen_num(g, av[i].since);
			ctl_gen_str(g, "reason");
			ctl_gen_str(g, av[i].reason != NULL ? av[i].reason : "");
			ctl_gen_str(g, "queue");
			ctl_gen_str(g, av[i].queue != NULL ? av[i].queue : "");
			ctl_gen_str(g, "calls");
			ctl_gen_int(g, av[i].calls);
			yajl_gen_map_close(g);
		}
		free(av);
	}
	yajl_gen_array_close(g);
	ctl_reply(c, g);
}

/* The scope a request names: kind and name, or -1 after an error reply. */
static int
ctl_req_scope(struct ctl_conn *c, struct ctl_req *req, const char **namep)
{
	const char	*kind_name, *name;
	int		 kind;

	if ((kind_name = ctl_get_str(req->root, "scope")) == NULL)
		kind_name = "global";
	if ((kind = scope_kind_parse(kind_name)) == -1) {
		ctl_error(c, "unknown scope \"%.32s\" (global, queue, agent, "
		    "team)", kind_name);
		return (-1);
	}
	name = ctl_get_str(req->root, "name");
	if (kind == SCOPE_GLOBAL)
		name = "";
	else if (name == NULL || *name == '\0') {
		ctl_error(c, "scope %s needs a name", kind_name);
		return (-1);
	}
	*namep = name;
	return (kind);
}

static double
ctl_get_num(yajl_val root, const char *key, double dflt)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(root, path, yajl_t_number);
	return (v != NULL ? YAJL_GET_DOUBLE(v) : dflt);
}

/* Queue a read of the history for a pending request. */
static void
ctl_pending_start(struct ctl_conn *c, struct ctl_pending *p, double since,
    store_query_cb cb)
{
	struct callscored	*cs = c->ctl->cs;

	c->pending = p;
	c->waiting = 1;
	if (store_query(cs->store, p->kind, p->name, p->win.name,
	    p->scorecard ? NULL : p->kpi, since, cb, c) != 0) {
		struct store_rows	none;

		memset(&none, 0, sizeof none);
		snprintf(none.error, sizeof none.error, "the database is "
		    "not available");
		cb(&none, c);
	}
}

/* The request is answered: let queued requests and a close proceed. */
static void
ctl_pending_done(struct ctl_conn *c)
{
	ctl_pending_free(c->pending);
	c->pending = NULL;
	c->waiting = 0;
	ctl_resume(c);
}

static void
ctl_history_cb(const struct store_rows *rows, void *arg)
{
	struct ctl_conn		*c = arg;
	struct ctl_pending	*p = c->pending;
	yajl_gen		 g;
	size_t			 i;

	if (!rows->ok)
		ctl_error(c, "%s", rows->error);
	else {
		g = ctl_gen_begin();
		ctl_gen_str(g, "ok");
		yajl_gen_bool(g, 1);
		ctl_gen_str(g, "kpi");
		ctl_gen_str(g, p->kpi);
		ctl_gen_str(g, "scope");
		ctl_gen_str(g, scope_kind_name(p->kind));
		ctl_gen_str(g, "name");
		ctl_gen_str(g, p->name);
		ctl_gen_str(g, "window");
		ctl_gen_str(g, p->win.name);
		ctl_gen_str(g, "points");
		yajl_gen_array_open(g);
		for (i = 0; i < rows->n; i++) {
			yajl_gen_array_open(g);
			ctl_gen_num(g, rows->rows[i].time);
			ctl_gen_num(g, rows->rows[i].value);
			yajl_gen_array_close(g);
		}
		yajl_gen_array_close(g);
		ctl_reply(c, g);
	}
	ctl_pending_done(c);
}

static void
ctl_cmd_history(struct ctl_conn *c, struct ctl_req *req)
{
	struct ctl_pending	*p;
	struct ctl_win		 win;
	const char		*kpi, *name;
	double			 since;
	int			 kind;

	if ((kpi = ctl_get_str(req->root, "kpi")) == NULL ||
	    kpi_lookup(kpi) == -1) {
		ctl_error(c, "unknown KPI \"%.32s\"", kpi != NULL ? kpi : "");
		return;
	}
	if ((kind = ctl_req_scope(c, req, &name)) == -1)
		return;
	if (ctl_req_window(c, req, &win) < 0)
		return;
	since = ctl_get_num(req->root, "since", 86400);
	if (!(since > 0))
		since = 86400;
	p = xcalloc(1, sizeof *p);
	p->kind = kind;
	p->name = xstrdup(name);
	p->win = win;
	snprintf(p->kpi, sizeof p->kpi, "%s", kpi);
	p->now = clock_now_ms() / 1000.0;
	ctl_pending_start(c, p, p->now - since, ctl_history_cb);
}

/*
 * From the stored rows: each KPI's value over the previous window (the
 * last snapshot at or before prev_at: now - span for a rolling window,
 * the same time yesterday for today, the end of the last interval for
 * interval) and a series of npoints evenly spaced over the current
 * window, from t0 to now.
 */
static void
ctl_scorecard_cb(const struct store_rows *rows, void *arg)
{
	struct ctl_conn		*c = arg;
	struct ctl_pending	*p = c->pending;
	struct callscored	*cs = c->ctl->cs;
	double			 span, prev, t0 = p->t0;
	double			*series;
	struct scorecard	 sc;
	yajl_gen		 g;
	size_t			 i, j, b, n = p->npoints;
	int			 k, per;
	static const char	*dirs[] = { "none", "higher", "lower" };
	static const char	*titles[] = { "Customer", "Internal process",
				    "Financial", "Learning and growth" };

	scorecard_eval(cs->conf, p->kind == SCOPE_QUEUE ? p->name : NULL,
	    p->v, &sc);
	series = xcalloc(n > 0 ? n : 1, sizeof *series);
	span = p->now - t0 >= 1 ? p->now - t0 : 1;

	g = ctl_gen_begin();
	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_gen_str(g, "scope");
	ctl_gen_str(g, scope_kind_name(p->kind));
	ctl_gen_str(g, "name");
	ctl_gen_str(g, p->name);
	ctl_gen_str(g, "window");
	ctl_gen_str(g, p->win.name);
	if (!rows->ok) {
		ctl_gen_str(g, "history_error");
		ctl_gen_str(g, rows->error);
	}
	ctl_gen_str(g, "overall");
	ctl_gen_num(g, sc.overall);
	ctl_gen_str(g, "perspectives");
	yajl_gen_array_open(g);
	for (per = 0; per < KPI_PERSPECTIVE_COUNT; per++) {
		yajl_gen_map_open(g);
		ctl_gen_str(g, "id");
		ctl_gen_str(g, kpi_perspective_name(per));
		ctl_gen_str(g, "title");
		ctl_gen_str(g, titles[per]);
		ctl_gen_str(g, "weight");
		ctl_gen_num(g, cs->conf->weights[per]);
		ctl_gen_str(g, "score");
		ctl_gen_num(g, sc.perspective_score[per]);
		ctl_gen_str(g, "kpis");
		yajl_gen_array_open(g);
		for (k = 0; k < KPI_COUNT; k++) {
			if ((int)kpi_table[k].perspective != per)
				continue;
			prev = NAN;
			for (j = 0; j < n; j++)
				series[j] = NAN;
			for (i = 0; i < rows->n; i++) {
				const struct store_row *r = &rows->rows[i];

				if (strcmp(r->kpi, kpi_table[k].id) != 0)
					continue;
				if (r->time <= p->prev_at)
					prev = r->value;
				else if (r->time > t0 && n > 0) {
					b = (size_t)((r->time - t0) / span *
					    (double)n);
					series[b < n ? b : n - 1] = r->value;
				}
			}
			if (n > 0 && isnan(series[n - 1]))
				series[n - 1] = p->v[k];
			yajl_gen_map_open(g);
			ctl_gen_str(g, "id");
			ctl_gen_str(g, kpi_table[k].id);
			ctl_gen_str(g, "title");
			ctl_gen_str(g, kpi_table[k].title);
			ctl_gen_str(g, "unit");
			ctl_gen_str(g, kpi_table[k].unit);
			ctl_gen_str(g, "direction");
			ctl_gen_str(g, dirs[kpi_table[k].direction]);
			ctl_gen_str(g, "value");
			ctl_gen_num(g, p->v[k]);
			ctl_gen_str(g, "target");
			ctl_gen_num(g, sc.kpi[k].has_target ?
			    sc.kpi[k].target : NAN);
			ctl_gen_str(g, "amber");
			ctl_gen_num(g, sc.kpi[k].has_target ?
			    sc.kpi[k].amber : NAN);
			ctl_gen_str(g, "status");
			ctl_gen_str(g, scorecard_status_name(sc.kpi[k].status));
			ctl_gen_str(g, "previous");
			ctl_gen_num(g, prev);
			ctl_gen_str(g, "history");
			yajl_gen_array_open(g);
			for (j = 0; j < n; j++)
				ctl_gen_num(g, series[j]);
			yajl_gen_array_close(g);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	ctl_gen_str(g, "qa");
	yajl_gen_map_open(g);
	for (i = 0; i < cs->conf->nqa; i++) {
		ctl_gen_str(g, cs->conf->qa_criteria[i]);
		ctl_gen_num(g, p->qa[i]);
	}
	yajl_gen_map_close(g);
	ctl_reply(c, g);
	free(series);
	ctl_pending_done(c);
}

static void
ctl_cmd_scorecard(struct ctl_conn *c, struct ctl_req *req)
{
	struct callscored	*cs = c->ctl->cs;
	struct scopes		*scopes = cs->scopes;
	struct kpi_params	 kp = { cs->conf->cost_per_hour };
	struct ctl_pending	*p;
	struct scope		*sc;
	struct ctl_win		 win;
	struct agg		 sum;
	const char		*name;
	double			 points, since;
	uint64_t		 now_ms = clock_now_ms();
	size_t			 i;
	int			 kind;

	if ((kind = ctl_req_scope(c, req, &name)) == -1)
		return;
	if ((sc = scopes_find(scopes, kind, name)) == NULL) {
		ctl_error(c, "no %s \"%.64s\" has been seen",
		    scope_kind_name(kind), name);
		return;
	}
	if (ctl_req_window(c, req, &win) < 0)
		return;
	points = ctl_get_num(req->root, "history", 24);
	if (!(points >= 0) || points > 240)
		points = 24;

	p = xcalloc(1, sizeof *p);
	p->scorecard = 1;
	p->kind = kind;
	p->name = xstrdup(name);
	p->win = win;
	p->npoints = (size_t)points;
	p->now = now_ms / 1000.0;
	memset(&sum, 0, sizeof sum);
	ctl_win_sum(cs, sc, &win, now_ms, &sum);
	kpi_compute(&sum, &kp, p->v);
	for (i = 0; i < AGG_QA_MAX; i++)
		p->qa[i] = kpi_qa_criterion(&sum, i);
	agg_clear(&sum, scopes_pool(scopes));
	switch (win.kind) {
	case CTL_WIN_ROLLING:
		p->t0 = p->now -
		    scopes_window(scopes, win.ring)->span_ms / 1000.0;
		p->prev_at = p->t0;
		break;
	case CTL_WIN_TODAY:
		p->t0 = ctl_win_from(cs, &win, now_ms) / 1000.0;
		p->prev_at = p->now - 86400;	/* this time yesterday */
		break;
	case CTL_WIN_INTERVAL:
		p->t0 = ctl_win_from(cs, &win, now_ms) / 1000.0;
		p->prev_at = p->t0;
		break;
	}
	since = p->t0 < p->prev_at ? p->t0 : p->prev_at;
	/* Back to the previous window's end, with a snapshot's slack. */
	ctl_pending_start(c, p, since - 2 * cs->conf->snapshot_interval,
	    ctl_scorecard_cb);
}

/* The head of a report reply, up to the open "rows" array. */
static yajl_gen
ctl_report_begin(struct ctl_conn *c, const struct ctl_pending *p)
{
	const struct conf	*conf = c->ctl->cs->conf;
	yajl_gen		 g = ctl_gen_begin();

	ctl_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	ctl_gen_str(g, "scope");
	ctl_gen_str(g, scope_kind_name(p->kind));
	ctl_gen_str(g, "name");
	ctl_gen_str(g, p->name);
	ctl_gen_str(g, "date");
	ctl_gen_str(g, p->date);
	ctl_gen_str(g, "timezone");
	ctl_gen_str(g, conf->timezone != NULL ? conf->timezone : "local");
	ctl_gen_str(g, "interval");
	ctl_gen_num(g, conf->interval);
	ctl_gen_str(g, "rows");
	yajl_gen_array_open(g);
	return (g);
}

/* One row of a report: the interval at start and its KPIs. */
static void
ctl_report_row(yajl_gen g, int64_t start, int open, const double *v)
{
	char	label[CALENDAR_LABEL_MAX];
	int	k;

	yajl_gen_map_open(g);
	ctl_gen_str(g, "start");
	ctl_gen_num(g, (double)start);
	ctl_gen_str(g, "label");
	ctl_gen_str(g, calendar_label(start, label, sizeof label));
	ctl_gen_str(g, "open");
	yajl_gen_bool(g, open);
	ctl_gen_str(g, "kpis");
	yajl_gen_map_open(g);
	for (k = 0; k < KPI_COUNT; k++) {
		ctl_gen_str(g, kpi_table[k].id);
		ctl_gen_num(g, v[k]);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* A past day's intervals, as the writer read them. */
static void
ctl_report_cb(const struct store_rows *rows, void *arg)
{
	struct ctl_conn		*c = arg;
	struct ctl_pending	*p = c->pending;
	double			 v[KPI_COUNT];
	yajl_gen		 g;
	size_t			 i, j;
	int			 k;

	calendar_zone(c->ctl->cs->conf->timezone);
	if (!rows->ok)
		ctl_error(c, "%s", rows->error);
	else {
		g = ctl_report_begin(c, p);
		for (i = 0; i < rows->n; i = j) {
			for (k = 0; k < KPI_COUNT; k++)
				v[k] = NAN;
			for (j = i; j < rows->n &&
			    rows->rows[j].time == rows->rows[i].time; j++) {
				if ((k = kpi_lookup(rows->rows[j].kpi)) >= 0 &&
				    k < KPI_COUNT)
					v[k] = rows->rows[j].value;
			}
			ctl_report_row(g, (int64_t)rows->rows[i].time, 0, v);
		}
		yajl_gen_array_close(g);
		ctl_reply(c, g);
	}
	ctl_pending_done(c);
}

/*
 * Today's intervals come from the calendar ring, which always holds the
 * whole day: late events count, and the current interval is there as an
 * open row.  Other days come from the intervals table; a day to come has
 * no rows.
 */
static void
ctl_cmd_report(struct ctl_conn *c, struct ctl_req *req)
{
	struct callscored	*cs = c->ctl->cs;
	struct kpi_params	 kp = { cs->conf->cost_per_hour };
	struct ctl_pending	 p;
	struct ctl_win		 today;
	struct scope		*sc = NULL;
	struct agg		 sum;
	const struct window_def	*def;
	const char		*name, *date;
	double			 v[KPI_COUNT];
	uint64_t		 now_ms = clock_now_ms();
	int64_t			 now = (int64_t)(now_ms / 1000), day, start;
	int64_t			 end, t, iv = (int64_t)cs->conf->interval;
	int			 kind, open;
	yajl_gen		 g;

	if ((kind = ctl_req_scope(c, req, &name)) == -1)
		return;
	if (ctl_win_find(cs, "today", &today) != 0 || iv <= 0) {
		ctl_error(c, "this callscored keeps no calendar windows");
		return;
	}
	calendar_zone(cs->conf->timezone);
	day = calendar_day_start(now);
	if ((date = ctl_get_str(req->root, "date")) == NULL)
		start = day;
	else if (calendar_parse_date(date, &start) != 0) {
		ctl_error(c, "bad date \"%.32s\" (YYYY-MM-DD)", date);
		return;
	}
	if (start == day && (sc = scopes_find(cs->scopes, kind, name)) ==
	    NULL) {
		ctl_error(c, "no %s \"%.64s\" has been seen",
		    scope_kind_name(kind), name);
		return;
	}

	memset(&p, 0, sizeof p);
	p.report = 1;
	p.kind = kind;
	p.name = xstrdup(name);
	calendar_date(start, p.date, sizeof p.date);
	end = calendar_next_day(start);

	if (start < day) {
		c->pending = xmalloc(sizeof p);
		memcpy(c->pending, &p, sizeof p);
		c->waiting = 1;
		if (store_query_intervals(cs->store, kind, name, (double)start,
		    (double)end, ctl_report_cb, c) != 0) {
			struct store_rows	none;

			memset(&none, 0, sizeof none);
			snprintf(none.error, sizeof none.error, "the database "
			    "is not available");
			ctl_report_cb(&none, c);
		}
		return;
	}

	g = ctl_report_begin(c, &p);
	def = scopes_window(cs->scopes, today.ring);
	if (sc != NULL)
		SCOPE_LOAD(cs->scopes, sc);
	for (t = start; sc != NULL && t < end && t <= now; t += iv) {
		open = now < t + iv;
		memset(&sum, 0, sizeof sum);
		ring_sum_range(sc->rings[today.ring], def, (uint64_t)t * 1000,
		    (uint64_t)(t + iv) * 1000, now_ms, &sum,
		    scopes_pool(cs->scopes));
		if (open || !agg_is_empty(&sum)) {
			kpi_compute(&sum, &kp, v);
			ctl_report_row(g, t, open, v);
		}
		agg_clear(&sum, scopes_pool(cs->scopes));
	}
	yajl_gen_array_close(g);
	if (sc != NULL) {
		ctl_gen_str(g, "total");
		yajl_gen_map_open(g);
		ctl_gen_scope_kpis(c, g, sc, &today);
		yajl_gen_map_close(g);
	}
	ctl_reply(c, g);
	free(p.name);
}
