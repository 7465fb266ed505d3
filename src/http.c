/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The monitoring endpoint on evhttp.  Requests are small and answered at
 * once from the loop, so evhttp's own limits (header and body size, a
 * per-request timeout) are the defence: nothing is kept per client.
 * Every method is let through to our callback so that we can answer 405
 * with an Allow header rather than evhttp's 501.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"
#include "xmalloc.h"

#define HTTP_CT_METRICS	"text/plain; version=0.0.4; charset=utf-8"
#define HTTP_CT_TEXT	"text/plain; charset=utf-8"

struct http {
	struct evhttp			*evh;
	struct evhttp_bound_socket	*bound;
	char				*address;
	http_render_cb			 render_cb;
	void				*render_arg;
	http_health_cb			 health_cb;
	void				*health_arg;
};

static int	http_parse_address(const char *, char **, unsigned short *,
		    char **);
static char	*http_bound_address(evutil_socket_t);
static void	http_reply(struct evhttp_request *, int, const char *,
		    const char *, struct evbuffer *);
static void	http_request_cb(struct evhttp_request *, void *);

/*
 * Split "host:port", "[v6]:port" or ":port" (loopback).  The port must be
 * decimal digits, 0 to 65535.
 */
static int
http_parse_address(const char *addr, char **host, unsigned short *port,
    char **cause)
{
	const char	*colon, *p, *h, *hend;
	unsigned long	 n = 0;

	if ((colon = strrchr(addr, ':')) == NULL)
		goto bad;
	if (addr[0] == '[') {
		h = addr + 1;
		if ((hend = strchr(h, ']')) == NULL || hend + 1 != colon)
			goto bad;
	} else {
		h = addr;
		hend = colon;
		if (memchr(h, ':', hend - h) != NULL)
			goto bad;	/* bare IPv6 needs brackets */
	}
	if (colon[1] == '\0')
		goto bad;
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || p - colon > 5)
			goto bad;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n > 65535)
		goto bad;
	*port = (unsigned short)n;
	if (hend == h)
		*host = xstrdup("127.0.0.1");
	else
		*host = xstrndup(h, hend - h);
	return (0);

bad:
	xasprintf(cause, "%s: expected host:port, [v6]:port or :port", addr);
	return (-1);
}

static char *
http_bound_address(evutil_socket_t fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 host[NI_MAXHOST], serv[NI_MAXSERV];
	char			*s;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, serv,
	    sizeof serv, NI_NUMERICHOST|NI_NUMERICSERV) != 0)
		return (xstrdup("?"));
	if (ss.ss_family == AF_INET6)
		xasprintf(&s, "[%s]:%s", host, serv);
	else
		xasprintf(&s, "%s:%s", host, serv);
	return (s);
}

struct http *
http_new(struct event_base *base, const char *addr, http_render_cb cb,
    void *arg, char **cause)
{
	struct http	*h;
	char		*host;
	unsigned short	 port;

	if (http_parse_address(addr, &host, &port, cause) != 0)
		return (NULL);

	h = xcalloc(1, sizeof *h);
	h->render_cb = cb;
	h->render_arg = arg;
	if ((h->evh = evhttp_new(base)) == NULL) {
		xasprintf(cause, "%s: evhttp_new failed", addr);
		goto fail;
	}
	evhttp_set_max_headers_size(h->evh, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->evh, HTTP_MAX_BODY);
	evhttp_set_timeout(h->evh, HTTP_TIMEOUT);
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET|EVHTTP_REQ_HEAD|
	    EVHTTP_REQ_POST|EVHTTP_REQ_PUT|EVHTTP_REQ_DELETE|
	    EVHTTP_REQ_OPTIONS|EVHTTP_REQ_TRACE|EVHTTP_REQ_CONNECT|
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(h->evh, http_request_cb, h);

	errno = 0;
	h->bound = evhttp_bind_socket_with_handle(h->evh, host, port);
	if (h->bound == NULL) {
		xasprintf(cause, "%s: cannot listen: %s", addr,
		    errno != 0 ? strerror(errno) : "bind failed");
		goto fail;
	}
	h->address = http_bound_address(evhttp_bound_socket_get_fd(h->bound));
	free(host);
	return (h);

fail:
	free(host);
	http_free(h);
	return (NULL);
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (h->evh != NULL)
		evhttp_free(h->evh);	/* its sockets and connections too */
	free(h->address);
	free(h);
}

void
http_set_health(struct http *h, http_health_cb cb, void *arg)
{
	h->health_cb = cb;
	h->health_arg = arg;
}

struct evconnlistener *
http_listener(struct http *h)
{
	return (evhttp_bound_socket_get_listener(h->bound));
}

const char *
http_address(const struct http *h)
{
	return (h->address);
}

/*
 * Send a reply.  A HEAD answer carries the length the GET body would
 * have but no body; evhttp only adds Content-Length when it sends one.
 */
static void
http_reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, struct evbuffer *body)
{
	struct evkeyvalq	*hdr = evhttp_request_get_output_headers(req);
	char			 len[32];

	evhttp_add_header(hdr, "Content-Type", type);
	evhttp_add_header(hdr, "Cache-Control", "no-store");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		snprintf(len, sizeof len, "%zu", evbuffer_get_length(body));
		evhttp_add_header(hdr, "Content-Length", len);
		evbuffer_drain(body, evbuffer_get_length(body));
	}
	evhttp_send_reply(req, code, reason, body);
}

static void
http_request_cb(struct evhttp_request *req, void *arg)
{
	struct http			*h = arg;
	const struct evhttp_uri		*uri;
	enum evhttp_cmd_type		 cmd;
	struct evbuffer			*body;
	const char			*path = NULL;
	char				 reason[256];

	if ((body = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	cmd = evhttp_request_get_command(req);
	if ((uri = evhttp_request_get_evhttp_uri(req)) != NULL)
		path = evhttp_uri_get_path(uri);
	if (path == NULL)
		path = "";

	if (strcmp(path, "/metrics") != 0 && strcmp(path, "/healthz") != 0) {
		evbuffer_add_printf(body, "not found\n");
		http_reply(req, HTTP_NOTFOUND, "Not Found", HTTP_CT_TEXT, body);
	} else if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		evbuffer_add_printf(body, "method not allowed\n");
		http_reply(req, 405, "Method Not Allowed", HTTP_CT_TEXT, body);
	} else if (strcmp(path, "/metrics") == 0) {
		if (h->render_cb != NULL)
			h->render_cb(body, h->render_arg);
		http_reply(req, HTTP_OK, "OK", HTTP_CT_METRICS, body);
	} else {
		reason[0] = '\0';
		if (h->health_cb == NULL ||
		    h->health_cb(reason, sizeof reason, h->health_arg)) {
			evbuffer_add_printf(body, "ok\n");
			http_reply(req, HTTP_OK, "OK", HTTP_CT_TEXT, body);
		} else {
			reason[sizeof reason - 1] = '\0';
			evbuffer_add_printf(body, "%s\n",
			    reason[0] != '\0' ? reason : "unhealthy");
			http_reply(req, 503, "Service Unavailable",
			    HTTP_CT_TEXT, body);
		}
	}
	evbuffer_free(body);
}
