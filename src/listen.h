/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Event listeners: TCP and Unix stream sockets answering each line with
 * "ok" or "error N: reason", and a UDP socket that never replies.
 */
#ifndef LISTEN_H
#define LISTEN_H

#include <stddef.h>
#include <stdint.h>

struct callscored;
struct evconnlistener;
struct listeners;

/* Bind every configured listener; NULL with *cause on failure. */
struct listeners *listeners_new(struct callscored *, char **);
/* Close listeners and every connection. */
void		 listeners_free(struct listeners *);
/*
 * The journal has committed every seq up to this one: send the durable
 * acknowledgements waiting for it.  Accepts NULL.
 */
void		 listeners_committed(struct listeners *, uint64_t);
/* At exit: stop reading; connections still to answer (see listen.c). */
size_t		 listeners_drain(struct listeners *);
/* The bound address of "tcp", "unix" or "udp" ("127.0.0.1:7311"), or NULL. */
const char	*listeners_address(const struct listeners *, const char *);
/* Bytes of payload the UDP socket's receive buffer holds; 0 if none. */
int		 listeners_udp_rcvbuf(const struct listeners *);
/* Bind a Unix stream socket with a mode; fd, or -1 with *cause. */
int		 listen_bind_unix(const char *, unsigned int, char **);
/*
 * An accept failed (out of descriptors): pause the listener for 250 ms
 * instead of letting libevent retry at once.  name and the time of the
 * last complaint rate-limit the warning to one every 10 s (NULL: debug
 * messages only).
 */
void		 listen_pause_accept(struct evconnlistener *, const char *,
		    uint64_t *);
/* An accept error callback doing that for the HTTP socket, silently. */
void		 listen_accept_error_cb(struct evconnlistener *, void *);
/* Split "host:port" or "[v6]:port"; -1 if malformed. */
int		 listen_split_addr(const char *, char *, size_t, char *, size_t);

#endif
