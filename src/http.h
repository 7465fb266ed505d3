/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * A small HTTP endpoint (libevent's evhttp) for monitoring: GET /metrics
 * answers with what a render callback writes (the Prometheus text
 * format), GET /healthz with "ok" or 503 and a reason from a health
 * callback.  Any other path is 404, any other method 405.  Meant for a
 * loopback address or a scraper's network, not the open internet.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

struct event_base;
struct evbuffer;
struct evconnlistener;

/* Append the /metrics body to the buffer. */
typedef void	(*http_render_cb)(struct evbuffer *, void *);
/* Return 1 if healthy; else 0 with a one-line reason in the buffer. */
typedef int	(*http_health_cb)(char *, size_t, void *);

#define HTTP_TIMEOUT		10	/* seconds per request */
#define HTTP_MAX_HEADERS	8192	/* bytes of request headers */
#define HTTP_MAX_BODY		1024	/* bytes of request body */

struct http;

/*
 * Listen on addr ("127.0.0.1:9311", "[::1]:9311", ":9311" for loopback;
 * port 0 picks one).  Returns NULL and sets *cause (caller frees).
 */
struct http	*http_new(struct event_base *, const char *, http_render_cb,
		    void *, char **);
/* Close the listener and open connections; accepts NULL. */
void		 http_free(struct http *);
/* Answer /healthz with cb (NULL: always "ok"). */
void		 http_set_health(struct http *, http_health_cb, void *);
/*
 * The listening socket (evhttp sets no accept error callback, so the
 * daemon adds one).
 */
struct evconnlistener *http_listener(struct http *);
/* The bound address, "127.0.0.1:40123" (the real port when 0 was asked). */
const char	*http_address(const struct http *);

#endif
