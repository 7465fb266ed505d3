/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The service manager's notification protocol (sd_notify(3)) without
 * libsystemd: one AF_UNIX datagram per message to $NOTIFY_SOCKET, and
 * a watchdog timer on the event loop that pings only while the daemon
 * says it is healthy.  Without $NOTIFY_SOCKET every call does nothing.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct notify;

/*
 * Health check run before each watchdog ping: return 1 if healthy, or
 * 0 and write a one-line reason into the buffer.
 */
typedef int	(*notify_healthy_cb)(void *, char *, size_t);

/*
 * Read NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID; start the watchdog
 * timer on base when asked for.  healthy may be NULL (always healthy).
 * Never fails: a missing or unusable socket gives an object that does
 * nothing.
 */
struct notify	*notify_new(struct event_base *, notify_healthy_cb, void *);
void		 notify_free(struct notify *);	/* accepts NULL */
/* "READY=1": start-up (or a reload) is complete. */
void		 notify_ready(struct notify *);
/* "STATUS=...": one line; newlines become spaces. */
void		 notify_status(struct notify *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* "RELOADING=1" with MONOTONIC_USEC; notify_ready() when done. */
void		 notify_reloading(struct notify *);
/* "STOPPING=1": the exit has begun. */
void		 notify_stopping(struct notify *);
/* 1 if the manager expects watchdog pings from us. */
int		 notify_watchdog_enabled(const struct notify *);
/* The manager's watchdog timeout in microseconds, 0 if none. */
uint64_t	 notify_watchdog_usec(const struct notify *);
/* WATCHDOG=1 datagrams sent. */
uint64_t	 notify_watchdog_pings(const struct notify *);
/* Datagrams that could not be sent. */
uint64_t	 notify_errors(const struct notify *);

#endif
