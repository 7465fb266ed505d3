/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Fuzz the control request path.  ctl_dispatch() in src/ctl.c is static
 * and needs a running daemon, so this harness MIRRORS it: the input is
 * cut into lines as ctl_read_cb() does (evbuffer_readln, EOL_CRLF, at
 * most CTL_LINE_MAX bytes), each line goes through yajl_tree_parse()
 * and the same checks and lookups ("v", "cmd", "scope", "name",
 * "window") against a real struct scopes, and the reply is generated
 * as ctl.c generates it.  Every reply must then parse as a JSON object,
 * since the client reads it with yajl.  Keep this in step with ctl.c
 * until the parsing there is exposed as a function of its own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "conf.h"
#include "ctl-proto.h"
#include "fuzz.h"
#include "scope.h"

static struct scopes	*fuzz_scopes;

static void	fuzz_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static yajl_gen
fuzz_gen_begin(void)
{
	yajl_gen	g;

	g = yajl_gen_alloc(NULL);
	FUZZ_CHECK(g != NULL);
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)"v", 1);
	yajl_gen_integer(g, CTL_PROTO_VERSION);
	return (g);
}

static void
fuzz_gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* As ctl_reply(), then as the client: the line must be a JSON object. */
static void
fuzz_reply(yajl_gen g)
{
	const unsigned char	*buf;
	const char		*ok[] = { "ok", NULL };
	size_t			 len;
	char			*line, err[256];
	yajl_val		 v;

	yajl_gen_map_close(g);
	FUZZ_CHECK(yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok);
	FUZZ_CHECK(memchr(buf, '\n', len) == NULL);
	line = malloc(len + 1);
	FUZZ_CHECK(line != NULL);
	memcpy(line, buf, len);
	line[len] = '\0';
	if ((v = yajl_tree_parse(line, err, sizeof err)) == NULL) {
		fprintf(stderr, "reply is not JSON: %s\n%s\n", err, line);
		FUZZ_CHECK(v != NULL);
	}
	FUZZ_CHECK(YAJL_IS_OBJECT(v));
	FUZZ_CHECK(yajl_tree_get(v, ok, yajl_t_any) != NULL);
	yajl_tree_free(v);
	free(line);
	yajl_gen_free(g);
}

/* As ctl_error(). */
static void
fuzz_error(const char *fmt, ...)
{
	yajl_gen	 g = fuzz_gen_begin();
	va_list		 ap;
	char		 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ctl_proto_utf8_clean(msg);
	fuzz_gen_str(g, "ok");
	yajl_gen_bool(g, 0);
	fuzz_gen_str(g, "error");
	fuzz_gen_str(g, msg);
	fuzz_reply(g);
}

static const char *
fuzz_get_str(yajl_val root, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(root, path, yajl_t_string);
	return (v != NULL ? YAJL_GET_STRING(v) : NULL);
}

/* As ctl_req_window(). */
static int
fuzz_req_window(yajl_val root, int dflt)
{
	const char	*name;
	int		 w;

	if ((name = fuzz_get_str(root, "window")) == NULL)
		return (dflt);
	if ((w = scopes_window_index(fuzz_scopes, name)) == -1) {
		fuzz_error("unknown window \"%.32s\"", name);
		return (-2);
	}
	FUZZ_CHECK((size_t)w < scopes_nwindows(fuzz_scopes));
	return (w);
}

/* As ctl_cmd_kpi(), up to the KPIs themselves. */
static void
fuzz_cmd_kpi(yajl_val root)
{
	const char	*kind_name, *name;
	struct scope	*sc;
	yajl_gen	 g;
	int		 kind, w;
	size_t		 i;

	if ((kind_name = fuzz_get_str(root, "scope")) == NULL)
		kind_name = "global";
	if ((kind = scope_kind_parse(kind_name)) == -1) {
		fuzz_error("unknown scope \"%.32s\" (global, queue, agent, "
		    "team)", kind_name);
		return;
	}
	FUZZ_CHECK(kind >= 0 && kind < SCOPE_KIND_COUNT);
	name = fuzz_get_str(root, "name");
	if (kind == SCOPE_GLOBAL)
		name = "";
	else if (name == NULL || *name == '\0') {
		fuzz_error("scope %s needs a name", kind_name);
		return;
	}
	if ((sc = scopes_find(fuzz_scopes, kind, name)) == NULL) {
		fuzz_error("no %s \"%.64s\" has been seen", kind_name, name);
		return;
	}
	FUZZ_CHECK(sc->kind == (enum scope_kind)kind);
	FUZZ_CHECK(strcmp(sc->name, name) == 0);
	if ((w = fuzz_req_window(root, -1)) == -2)
		return;

	g = fuzz_gen_begin();
	fuzz_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	fuzz_gen_str(g, "scope");
	fuzz_gen_str(g, kind_name);
	fuzz_gen_str(g, "name");
	fuzz_gen_str(g, name);
	fuzz_gen_str(g, "windows");
	yajl_gen_array_open(g);
	for (i = 0; i < scopes_nwindows(fuzz_scopes); i++) {
		if (w >= 0 && (size_t)w != i)
			continue;
		yajl_gen_map_open(g);
		fuzz_gen_str(g, "window");
		fuzz_gen_str(g, scopes_window(fuzz_scopes, i)->name);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	fuzz_reply(g);
}

/* As ctl_cmd_list(), names only. */
static void
fuzz_cmd_list(yajl_val root, enum scope_kind kind)
{
	struct scope	*sc;
	yajl_gen	 g;
	int		 w;

	if ((w = fuzz_req_window(root, 0)) < 0)
		return;
	g = fuzz_gen_begin();
	fuzz_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	fuzz_gen_str(g, "window");
	fuzz_gen_str(g, scopes_window(fuzz_scopes, (size_t)w)->name);
	fuzz_gen_str(g, "rows");
	yajl_gen_array_open(g);
	for (sc = scopes_first(fuzz_scopes, kind); sc != NULL;
	    sc = sc->list_next) {
		yajl_gen_map_open(g);
		fuzz_gen_str(g, "name");
		fuzz_gen_str(g, sc->name);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	fuzz_reply(g);
}

static void
fuzz_cmd_ok(void)
{
	yajl_gen	g = fuzz_gen_begin();

	fuzz_gen_str(g, "ok");
	yajl_gen_bool(g, 1);
	fuzz_reply(g);
}

/* As ctl_dispatch(). */
static void
fuzz_dispatch(const char *line)
{
	const char	*path[] = { "v", NULL }, *cmd;
	yajl_val	 root, v;
	char		 err[256];

	if ((root = yajl_tree_parse(line, err, sizeof err)) == NULL ||
	    !YAJL_IS_OBJECT(root)) {
		fuzz_error("request is not a JSON object");
		goto out;
	}
	v = yajl_tree_get(root, path, yajl_t_number);
	if (v == NULL || !YAJL_IS_INTEGER(v)) {
		fuzz_error("request has no protocol version \"v\"");
		goto out;
	}
	if (YAJL_GET_INTEGER(v) != CTL_PROTO_VERSION) {
		fuzz_error("protocol version %lld not supported (this "
		    "callscored speaks %d)", YAJL_GET_INTEGER(v),
		    CTL_PROTO_VERSION);
		goto out;
	}
	if ((cmd = fuzz_get_str(root, "cmd")) == NULL) {
		fuzz_error("request has no \"cmd\"");
		goto out;
	}
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "snapshot") == 0)
		fuzz_cmd_ok();
	else if (strcmp(cmd, "kpi") == 0)
		fuzz_cmd_kpi(root);
	else if (strcmp(cmd, "queues") == 0)
		fuzz_cmd_list(root, SCOPE_QUEUE);
	else if (strcmp(cmd, "agents") == 0)
		fuzz_cmd_list(root, SCOPE_AGENT);
	else if (strcmp(cmd, "teams") == 0)
		fuzz_cmd_list(root, SCOPE_TEAM);
	else
		fuzz_error("unknown command \"%.64s\"", cmd);
out:
	yajl_tree_free(root);
}

/* A table like the daemon's, with one scope of each kind. */
static void
fuzz_init(void)
{
	struct conf	*c;
	size_t		 limits[SCOPE_KIND_COUNT] = { 1, 100, 100, 100 };

	c = conf_default();
	fuzz_scopes = scopes_new(c->windows, c->nwindows, limits);
	conf_free(c);
	FUZZ_CHECK(scopes_get(fuzz_scopes, SCOPE_QUEUE, "sales") != NULL);
	FUZZ_CHECK(scopes_get(fuzz_scopes, SCOPE_AGENT, "a017") != NULL);
	FUZZ_CHECK(scopes_get(fuzz_scopes, SCOPE_TEAM, "east") != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data, *end = data + size, *nl;
	size_t		 len;
	char		*line;

	if (fuzz_scopes == NULL)
		fuzz_init();
	/*
	 * Lines as evbuffer_readln(EOL_CRLF) cuts them: LF, or CR LF.  The
	 * tail without a newline is parsed too, as ctl_event_cb() means
	 * to at EOF (and so the fuzzer need not learn to end with LF).
	 */
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (nl < end && len > 0 && p[len - 1] == '\r')
			len--;
		if (len > CTL_LINE_MAX)
			fuzz_error("request longer than %d bytes",
			    CTL_LINE_MAX);
		else {
			/* A copy as readln makes: NUL-terminated. */
			line = malloc(len + 1);
			FUZZ_CHECK(line != NULL);
			memcpy(line, p, len);
			line[len] = '\0';
			fuzz_dispatch(line);
			free(line);
		}
		p = nl < end ? nl + 1 : end;
	}
	return (0);
}
