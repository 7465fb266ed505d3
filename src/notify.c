/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * sd_notify(3) implemented directly, so the daemon need not link
 * libsystemd for one datagram: $NOTIFY_SOCKET names an AF_UNIX datagram
 * socket (a path, or "@name" in the abstract namespace) and each message
 * is newline-separated KEY=VALUE text.  The watchdog ping is sent from
 * a timer on the event loop at half of $WATCHDOG_USEC, and only while
 * the daemon's health check passes: a loop that hangs never runs the
 * timer, and a check that fails (a stuck database writer) withholds the
 * ping, so either way the manager restarts us.  Sending never blocks
 * and never fails the daemon; failures are counted and logged once.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "notify.h"
#include "xmalloc.h"

#define NOTIFY_STATUS_MAX	512	/* bytes of STATUS text kept */
#define NOTIFY_REASON_MAX	256
/* The longest address, plus a NUL for logging it. */
#define NOTIFY_NAME_MAX		(sizeof ((struct sockaddr_un *)0)->sun_path + 1)

struct notify {
	int			 fd;		/* -1: do nothing */
	struct sockaddr_un	 sun;
	socklen_t		 sunlen;
	char			 name[NOTIFY_NAME_MAX];

	struct event		*watchdog_ev;
	uint64_t		 watchdog_usec;	/* 0: no watchdog */
	notify_healthy_cb	 healthy;
	void			*arg;
	int			 withheld;	/* last check failed */
	char			 reason[NOTIFY_REASON_MAX];

	uint64_t		 pings;
	uint64_t		 errors;
	int			 failing;	/* last send failed, logged */
};

static int	 notify_address(struct notify *, const char *);
static uint64_t	 notify_env_u64(const char *);
static uint64_t	 notify_watchdog_env(void);
static int	 notify_send(struct notify *, const char *);
static void	 notify_clean(char *);
static void	 notify_watchdog_cb(evutil_socket_t, short, void *);

/* Fill in the socket address from $NOTIFY_SOCKET; -1 if unusable. */
static int
notify_address(struct notify *n, const char *path)
{
	size_t	 len;

	len = strnlen(path, sizeof n->sun.sun_path + 1);
	if (len < 2 || len > sizeof n->sun.sun_path)
		return (-1);
	memset(&n->sun, 0, sizeof n->sun);
	n->sun.sun_family = AF_UNIX;
	memcpy(n->name, path, len);
	n->name[len] = '\0';
	if (path[0] == '@') {
		/* Abstract: a leading NUL, and the length is exact. */
		memcpy(n->sun.sun_path + 1, path + 1, len - 1);
		n->sunlen = offsetof(struct sockaddr_un, sun_path) + len;
		return (0);
	}
	if (path[0] != '/' || len == sizeof n->sun.sun_path)
		return (-1);
	memcpy(n->sun.sun_path, path, len);
	n->sunlen = offsetof(struct sockaddr_un, sun_path) + len + 1;
	return (0);
}

/* A positive decimal from the environment, or 0. */
static uint64_t
notify_env_u64(const char *name)
{
	const char		*s = getenv(name);
	char			*end;
	unsigned long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return (0);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return (0);
	return (v);
}

/*
 * The watchdog timeout the manager set for us, or 0.  WATCHDOG_PID, when
 * present, names the process meant; a child that inherited the
 * environment must not ping on its parent's behalf.
 */
static uint64_t
notify_watchdog_env(void)
{
	const char	*pid;
	uint64_t	 usec;

	if ((usec = notify_env_u64("WATCHDOG_USEC")) == 0)
		return (0);
	pid = getenv("WATCHDOG_PID");
	if (pid != NULL && *pid != '\0' &&
	    notify_env_u64("WATCHDOG_PID") != (uint64_t)getpid())
		return (0);
	return (usec);
}

struct notify *
notify_new(struct event_base *base, notify_healthy_cb healthy, void *arg)
{
	struct notify	*n;
	const char	*path;
	char		 esc[128];
	struct timeval	 tv;
	uint64_t	 half;

	n = xcalloc(1, sizeof *n);
	n->fd = -1;
	n->healthy = healthy;
	n->arg = arg;

	path = getenv("NOTIFY_SOCKET");
	if (path == NULL || *path == '\0')
		return (n);
	if (notify_address(n, path) != 0) {
		log_warnx("notify: NOTIFY_SOCKET \"%s\" is not a socket path; "
		    "not notifying", log_escape(esc, sizeof esc, path,
		    strnlen(path, 1024)));
		return (n);
	}
	/* Non-blocking: a manager that does not read must not stall us. */
	n->fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0);
	if (n->fd == -1) {
		log_warn("notify: socket");
		return (n);
	}

	if (base == NULL || (n->watchdog_usec = notify_watchdog_env()) == 0)
		return (n);
	half = n->watchdog_usec / 2;
	if (half == 0)
		half = 1;
	tv.tv_sec = (time_t)(half / 1000000);
	tv.tv_usec = (suseconds_t)(half % 1000000);
	n->watchdog_ev = event_new(base, -1, EV_PERSIST, notify_watchdog_cb,
	    n);
	if (n->watchdog_ev == NULL || evtimer_add(n->watchdog_ev, &tv) != 0)
		fatalx("notify: cannot add the watchdog timer");
	log_debug("notify: watchdog every %llu us",
	    (unsigned long long)half);
	return (n);
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->watchdog_ev != NULL)
		event_free(n->watchdog_ev);
	if (n->fd != -1)
		close(n->fd);
	free(n);
}

/* One datagram; 0 if sent (or nothing to do), -1 if it failed. */
static int
notify_send(struct notify *n, const char *msg)
{
	ssize_t	 r;

	if (n == NULL || n->fd == -1)
		return (0);
	do
		r = sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL,
		    (struct sockaddr *)&n->sun, n->sunlen);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		n->errors++;
		if (!n->failing)
			log_warn("notify: %s", n->name);
		n->failing = 1;
		return (-1);
	}
	if (n->failing)
		log_info("notify: %s: sending again", n->name);
	n->failing = 0;
	return (0);
}

/* Control characters would end or split the KEY=VALUE line. */
static void
notify_clean(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	}
}

void
notify_ready(struct notify *n)
{
	notify_send(n, "READY=1");
}

void
notify_status(struct notify *n, const char *fmt, ...)
{
	char	 text[NOTIFY_STATUS_MAX];
	char	 msg[NOTIFY_STATUS_MAX + NOTIFY_REASON_MAX + 64];
	va_list	 ap;

	if (n == NULL || n->fd == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	notify_clean(text);
	/* Keep a withheld watchdog visible in `systemctl status`. */
	if (n->withheld)
		snprintf(msg, sizeof msg, "STATUS=watchdog withheld: %s; %s",
		    n->reason, text);
	else
		snprintf(msg, sizeof msg, "STATUS=%s", text);
	notify_send(n, msg);
}

void
notify_reloading(struct notify *n)
{
	struct timespec	 ts;
	char		 msg[64];

	/* systemd >= 253 wants the time to match the reload to the ask. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_send(n, msg);
}

void
notify_stopping(struct notify *n)
{
	notify_send(n, "STOPPING=1");
}

int
notify_watchdog_enabled(const struct notify *n)
{
	return (n != NULL && n->watchdog_ev != NULL);
}

uint64_t
notify_watchdog_usec(const struct notify *n)
{
	return (notify_watchdog_enabled(n) ? n->watchdog_usec : 0);
}

uint64_t
notify_watchdog_pings(const struct notify *n)
{
	return (n != NULL ? n->pings : 0);
}

uint64_t
notify_errors(const struct notify *n)
{
	return (n != NULL ? n->errors : 0);
}

/*
 * Ping if healthy.  A failed check is reported once when it starts, and
 * once when it ends, not at every tick.
 */
static void
notify_watchdog_cb(evutil_socket_t fd, short events, void *arg)
{
	struct notify	*n = arg;
	char		 reason[NOTIFY_REASON_MAX];
	char		 msg[NOTIFY_REASON_MAX + 64];
	int		 ok = 1;

	if (n->healthy != NULL) {
		reason[0] = '\0';
		ok = n->healthy(n->arg, reason, sizeof reason);
		reason[sizeof reason - 1] = '\0';
		notify_clean(reason);
		if (reason[0] == '\0')
			snprintf(reason, sizeof reason, "health check failed");
	}
	if (!ok) {
		memcpy(n->reason, reason, sizeof n->reason);
		if (!n->withheld) {
			n->withheld = 1;
			log_warnx("notify: watchdog withheld: %s", n->reason);
			snprintf(msg, sizeof msg,
			    "STATUS=watchdog withheld: %s", n->reason);
			notify_send(n, msg);
		}
		return;
	}
	if (n->withheld) {
		n->withheld = 0;
		log_notice("notify: healthy again, watchdog resumed");
	}
	if (notify_send(n, "WATCHDOG=1") == 0)
		n->pings++;
}
