/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * callscore(1): the supervisor's client.  It finds the control socket,
 * sends one request line (ctl-proto.h), reads one reply line, checks its
 * protocol version and prints it as tables or, with --json, as it came.
 * Commands are a table of words matched by unambiguous prefix, as in
 * OpenSMTPD's smtpctl.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "conf.h"
#include "ctl-proto.h"
#include "fmt.h"
#include "log.h"
#include "xmalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION		"unknown"
#endif
#ifndef CALLSCORE_SYSCONFDIR
#define CALLSCORE_SYSCONFDIR	"/etc"
#endif
#ifndef CALLSCORE_RUNSTATEDIR
#define CALLSCORE_RUNSTATEDIR	"/run/callscore"
#endif

#define CLIENT_TIMEOUT_MS	10000		/* for the whole reply */
#define CLIENT_REPLY_MAX	(16 * 1024 * 1024)
#define CLIENT_EXIT_USAGE	2

struct client {
	const char	*socket;	/* --socket, or NULL */
	const char	*config;	/* --config, or NULL */
	int		 json;
	int		 flags;		/* FMT_BOLD when colour is allowed */
};

struct client_cmd {
	const char	*name;
	int		(*fn)(struct client *, const struct client_cmd *, int,
			    char **);
	const char	*args;		/* for usage */
};

typedef char	*(*client_render_fn)(struct client *, const char *, yajl_val);

static void	 client_usage(FILE *);
static void	 client_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	 client_usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static const struct client_cmd *client_cmd_find(const char *);
static char	*client_socket_path(struct client *);
static int	 client_connect(const char *);
static int	 client_send(int, const char *, const char *);
static long long client_now_ms(void);
static char	*client_recv(int, size_t *);
static char	*client_request_new(const char *, const char *, const char *,
		    const char *);
static int	 client_call(struct client *, const char *, const char *,
		    client_render_fn);
static int	 client_parse_window(const struct client_cmd *, int, char **,
		    int, const char **, const char **, const char **);
static int	 client_simple(struct client *, const char *, const char *,
		    const char *, const char *, client_render_fn);
static yajl_val	 client_get(yajl_val, const char *);

static char	*render_status_cb(struct client *, const char *, yajl_val);
static char	*render_kpi_cb(struct client *, const char *, yajl_val);
static char	*render_list_cb(struct client *, const char *, yajl_val);
static char	*render_snapshot_cb(struct client *, const char *, yajl_val);
static char	*render_reload_cb(struct client *, const char *, yajl_val);

static int	 cmd_status(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_kpi(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_list(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_snapshot(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_reload(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_help(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_version(struct client *, const struct client_cmd *, int,
		    char **);

static const struct client_cmd client_cmds[] = {
	{ "status", cmd_status, "" },
	{ "kpi", cmd_kpi, "[--queue q | --agent a | --team t] [--window w]" },
	{ "queues", cmd_list, "[--window w]" },
	{ "agents", cmd_list, "[--window w]" },
	{ "teams", cmd_list, "[--window w]" },
	{ "snapshot", cmd_snapshot, "" },
	{ "reload", cmd_reload, "" },
	{ "help", cmd_help, "" },
	{ "version", cmd_version, "" },
};
#define CLIENT_NCMDS	(sizeof client_cmds / sizeof client_cmds[0])

static void
client_usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: callscore [--json] [--no-color] [--config file] "
	    "[--socket path] command [args]\n"
	    "commands:\n");
	for (i = 0; i < CLIENT_NCMDS; i++) {
		fprintf(f, "\t%s%s%s\n", client_cmds[i].name,
		    *client_cmds[i].args != '\0' ? " " : "",
		    client_cmds[i].args);
	}
}

static void
client_error(const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	fprintf(stderr, "callscore: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

/* Report a usage error; returns the exit status for it. */
static int
client_usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "callscore: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	client_usage(stderr);
	return (CLIENT_EXIT_USAGE);
}

/*
 * The command a word names: an exact match, else the only command it is
 * a prefix of.  Prints why and returns NULL otherwise.
 */
static const struct client_cmd *
client_cmd_find(const char *word)
{
	const struct client_cmd	*found = NULL;
	char			 list[256] = "", esc[128];
	size_t			 i, n = 0, off = 0, len = strlen(word);
	int			 w;

	fmt_escape(esc, sizeof esc, word);
	for (i = 0; i < CLIENT_NCMDS; i++) {
		if (strcmp(word, client_cmds[i].name) == 0)
			return (&client_cmds[i]);
	}
	for (i = 0; len > 0 && i < CLIENT_NCMDS; i++) {
		if (strncmp(word, client_cmds[i].name, len) != 0)
			continue;
		found = &client_cmds[i];
		w = snprintf(list + off, sizeof list - off, "%s%s",
		    n++ > 0 ? ", " : "", client_cmds[i].name);
		if (w > 0 && (size_t)w < sizeof list - off)
			off += (size_t)w;
	}
	if (n == 1)
		return (found);
	if (n == 0)
		client_error("unknown command \"%s\"; see callscore help", esc);
	else
		client_error("ambiguous command \"%s\": %s", esc, list);
	return (NULL);
}

/*
 * The control socket: --socket, $CALLSCORE_SOCKET, the control socket of
 * the configuration (--config, $CALLSCORE_CONFIG, or the installed file
 * if there is one), or the compiled-in default.  NULL if the
 * configuration named does not load.
 */
static char *
client_socket_path(struct client *c)
{
	struct conf	*conf;
	const char	*path, *dir;
	char		*errors, *sock;
	int		 named = 1;

	if (c->socket != NULL)
		return (xstrdup(c->socket));
	if ((path = getenv("CALLSCORE_SOCKET")) != NULL && *path != '\0')
		return (xstrdup(path));

	if ((path = c->config) == NULL) {
		path = getenv("CALLSCORE_CONFIG");
		if (path == NULL || *path == '\0') {
			path = CALLSCORE_SYSCONFDIR "/callscored.yaml";
			named = 0;
		}
	}
	/* An installed file the user may not read is not an error. */
	if (!named && access(path, R_OK) != 0)
		return (xstrdup(CALLSCORE_RUNSTATEDIR "/control.sock"));

	errors = NULL;
	if ((conf = conf_load(path, &errors)) == NULL) {
		client_error("cannot load %s to find the control socket",
		    path);
		if (errors != NULL) {
			fputs(errors, stderr);
			if (*errors != '\0' &&
			    errors[strlen(errors) - 1] != '\n')
				fputc('\n', stderr);
		}
		free(errors);
		return (NULL);
	}
	if (conf->control_socket == NULL || *conf->control_socket == '\0')
		sock = xstrdup(CALLSCORE_RUNSTATEDIR "/control.sock");
	else {
		dir = conf->runtime_directory != NULL ?
		    conf->runtime_directory : CALLSCORE_RUNSTATEDIR;
		sock = conf_path(dir, conf->control_socket);
	}
	conf_free(conf);
	return (sock);
}

/* A connected socket, or -1 after saying why, with a hint for the user. */
static int
client_connect(const char *path)
{
	struct sockaddr_un	 sun;
	const char		*hint;
	int			 fd, saved;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		client_error("cannot connect to %s: socket path too long",
		    path);
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		client_error("socket: %s", strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
		return (fd);

	saved = errno;
	close(fd);
	switch (saved) {
	case ENOENT:
		hint = " (is callscored running? set --socket or "
		    "CALLSCORE_SOCKET)";
		break;
	case ECONNREFUSED:
		hint = " (stale socket: callscored is not running)";
		break;
	case EACCES:
	case EPERM:
		hint = " (permission denied: are you in the callscore group?)";
		break;
	case EAGAIN:
		hint = " (callscored is too busy to accept)";
		break;
	default:
		hint = "";
		break;
	}
	client_error("cannot connect to %s: %s%s", path, strerror(saved),
	    hint);
	return (-1);
}

static int
client_send(int fd, const char *path, const char *req)
{
	size_t	len = strlen(req), off = 0;
	ssize_t	n;

	while (off < len) {
		/* MSG_NOSIGNAL: a daemon that went away is an error, not
		 * a SIGPIPE. */
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			client_error("write to %s: %s", path, strerror(errno));
			return (-1);
		}
		off += (size_t)n;
	}
	return (0);
}

static long long
client_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * Read one reply line (without its newline, NUL-terminated) within
 * CLIENT_TIMEOUT_MS; NULL after saying why.  A final line without a
 * newline is accepted when the daemon closes after it.
 */
static char *
client_recv(int fd, size_t *lenp)
{
	struct pollfd	 pfd;
	char		*buf = NULL, *nl;
	size_t		 len = 0, cap = 0, scan = 0;
	long long	 deadline, left;
	ssize_t		 n;
	int		 r;

	deadline = client_now_ms() + CLIENT_TIMEOUT_MS;
	for (;;) {
		if ((left = deadline - client_now_ms()) < 0)
			left = 0;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, (int)left)) == -1) {
			if (errno == EINTR)
				continue;
			client_error("poll: %s", strerror(errno));
			goto fail;
		}
		if (r == 0) {
			client_error("no reply from callscored within %d s",
			    CLIENT_TIMEOUT_MS / 1000);
			goto fail;
		}
		if (cap - len < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, 1, cap + 1);
		}
		if ((n = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			client_error("read: %s", strerror(errno));
			goto fail;
		}
		if (n == 0) {
			if (len == 0) {
				client_error("callscored closed the "
				    "connection without a reply");
				goto fail;
			}
			break;
		}
		len += (size_t)n;
		if ((nl = memchr(buf + scan, '\n', len - scan)) != NULL) {
			len = (size_t)(nl - buf);
			break;
		}
		scan = len;
		if (len > CLIENT_REPLY_MAX) {
			client_error("reply longer than %d bytes",
			    CLIENT_REPLY_MAX);
			goto fail;
		}
	}
	if (len > CLIENT_REPLY_MAX) {
		client_error("reply longer than %d bytes", CLIENT_REPLY_MAX);
		goto fail;
	}
	buf[len] = '\0';
	*lenp = len;
	return (buf);

fail:
	free(buf);
	return (NULL);
}

/*
 * A request line built by yajl_gen, so that names are escaped; NULL if a
 * string is not valid UTF-8.  scope, name and window may be NULL.
 */
static char *
client_request_new(const char *cmd, const char *scope, const char *name,
    const char *window)
{
	const char		*keys[] = { "cmd", "scope", "name", "window" };
	const char		*vals[] = { cmd, scope, name, window };
	const unsigned char	*out;
	yajl_gen		 g;
	size_t			 len, i;
	char			*req = NULL;

	g = yajl_gen_alloc(NULL);
	if (g == NULL)
		fatalx("yajl_gen_alloc");
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"v", 1) !=
	    yajl_gen_status_ok ||
	    yajl_gen_integer(g, CTL_PROTO_VERSION) != yajl_gen_status_ok)
		goto out;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (vals[i] == NULL)
			continue;
		if (yajl_gen_string(g, (const unsigned char *)keys[i],
		    strlen(keys[i])) != yajl_gen_status_ok ||
		    yajl_gen_string(g, (const unsigned char *)vals[i],
		    strlen(vals[i])) != yajl_gen_status_ok)
			goto out;
	}
	if (yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &out, &len) != yajl_gen_status_ok)
		goto out;
	req = xmalloc(len + 2);
	memcpy(req, out, len);
	req[len] = '\n';
	req[len + 1] = '\0';
out:
	yajl_gen_free(g);
	return (req);
}

static yajl_val
client_get(yajl_val obj, const char *key)
{
	const char	*path[] = { key, NULL };

	return (yajl_tree_get(obj, path, yajl_t_any));
}

/*
 * Send req, read and check the reply, print it (as received with --json,
 * else through render) and return the exit status.
 */
static int
client_call(struct client *c, const char *cmd, const char *req,
    client_render_fn render)
{
	yajl_val	 reply = NULL, v, ok;
	char		*path, *line = NULL, *text, err[256], esc[1024];
	const char	*msg;
	size_t		 len;
	long long	 major;
	int		 fd = -1, rv = 1;

	if ((path = client_socket_path(c)) == NULL)
		return (1);
	if ((fd = client_connect(path)) == -1)
		goto out;
	if (client_send(fd, path, req) == -1)
		goto out;
	if ((line = client_recv(fd, &len)) == NULL)
		goto out;

	if (memchr(line, '\0', len) != NULL) {
		client_error("malformed reply from callscored: NUL byte");
		goto out;
	}
	if ((reply = yajl_tree_parse(line, err, sizeof err)) == NULL ||
	    !YAJL_IS_OBJECT(reply)) {
		err[strcspn(err, "\n")] = '\0';
		client_error("malformed reply from callscored: %s",
		    reply == NULL ? fmt_escape(esc, sizeof esc, err) :
		    "not an object");
		goto out;
	}
	v = client_get(reply, "v");
	if (!YAJL_IS_DOUBLE(v)) {
		client_error("reply from callscored carries no protocol "
		    "version");
		goto out;
	}
	major = (long long)YAJL_GET_DOUBLE(v);
	if (major != CTL_PROTO_VERSION) {
		client_error("callscored speaks control protocol version %lld "
		    "but this callscore speaks version %d; use the callscore "
		    "that came with this callscored", major,
		    CTL_PROTO_VERSION);
		goto out;
	}
	ok = client_get(reply, "ok");
	if (!YAJL_IS_TRUE(ok) && !YAJL_IS_FALSE(ok)) {
		client_error("malformed reply from callscored: no \"ok\"");
		goto out;
	}

	if (c->json)
		printf("%s\n", line);
	if (YAJL_IS_FALSE(ok)) {
		msg = YAJL_GET_STRING(client_get(reply, "error"));
		client_error("%s", fmt_escape(esc, sizeof esc,
		    msg != NULL ? msg : "request failed"));
		goto out;
	}
	if (!c->json) {
		text = render(c, cmd, reply);
		fputs(text, stdout);
		free(text);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		client_error("stdout: %s", strerror(errno));
		goto out;
	}
	rv = 0;
out:
	if (fd != -1)
		close(fd);
	yajl_tree_free(reply);
	free(line);
	free(path);
	return (rv);
}

static char *
render_status_cb(struct client *c, const char *cmd, yajl_val reply)
{
	return (fmt_reply_status(reply));
}

static char *
render_kpi_cb(struct client *c, const char *cmd, yajl_val reply)
{
	return (fmt_reply_kpi(reply, c->flags));
}

/* cmd is "queues", "agents" or "teams"; the kind drops the "s". */
static char *
render_list_cb(struct client *c, const char *cmd, yajl_val reply)
{
	char	 kind[16];
	size_t	 len = strlen(cmd);

	if (len == 0 || len >= sizeof kind)
		len = 1;
	memcpy(kind, cmd, len - 1);
	kind[len - 1] = '\0';
	return (fmt_reply_list(reply, kind, c->flags));
}

static char *
render_snapshot_cb(struct client *c, const char *cmd, yajl_val reply)
{
	return (fmt_reply_snapshot(reply));
}

static char *
render_reload_cb(struct client *c, const char *cmd, yajl_val reply)
{
	yajl_val	 v = client_get(client_get(reply, "reload"), "config");
	char		*out;

	xasprintf(&out, "configuration reloaded from %s\n",
	    v != NULL && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "?");
	return (out);
}

/*
 * Parse a command's options: --window always, the scope options when
 * scoped.  Returns 0, or the usage exit status.
 */
static int
client_parse_window(const struct client_cmd *cmd, int argc, char **argv,
    int scoped, const char **scope, const char **name, const char **window)
{
	static const struct option	 lopts[] = {
		{ "window", required_argument, NULL, 'w' },
		{ "queue", required_argument, NULL, 'q' },
		{ "agent", required_argument, NULL, 'a' },
		{ "team", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	int				 ch;

	*window = NULL;
	if (scope != NULL) {
		*scope = "global";
		*name = NULL;
	}
	optind = 0;	/* glibc: reinitialise for a second argument vector */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, scoped ? "+:w:q:a:t:" : "+:w:",
	    lopts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			*window = optarg;
			break;
		case 'q':
		case 'a':
		case 't':
			if (!scoped)
				goto bad;
			if (*name != NULL)
				return (client_usage_error("%s: only one of "
				    "--queue, --agent and --team", cmd->name));
			*scope = ch == 'q' ? "queue" : ch == 'a' ? "agent" :
			    "team";
			*name = optarg;
			break;
		case ':':
			return (client_usage_error("%s: %s needs an argument",
			    cmd->name, argv[optind - 1]));
		default:
			goto bad;
		}
	}
	if (optind < argc)
		return (client_usage_error("%s: unexpected argument \"%s\"",
		    cmd->name, argv[optind]));
	return (0);
bad:
	if (optopt != 0)
		return (client_usage_error("%s: unknown option -%c",
		    cmd->name, optopt));
	return (client_usage_error("%s: unknown option %s", cmd->name,
	    argv[optind - 1]));
}

/* Build the request and call the daemon; a request is at most a line. */
static int
client_simple(struct client *c, const char *cmd, const char *scope,
    const char *name, const char *window, client_render_fn render)
{
	char	*req;
	int	 rv;

	if ((req = client_request_new(cmd, scope, name, window)) == NULL) {
		client_error("%s: names must be valid UTF-8", cmd);
		return (1);
	}
	if (strlen(req) > CTL_LINE_MAX) {
		client_error("%s: request longer than %d bytes", cmd,
		    CTL_LINE_MAX);
		free(req);
		return (1);
	}
	rv = client_call(c, cmd, req, render);
	free(req);
	return (rv);
}

static int
cmd_status(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	if (argc > 1)
		return (client_usage_error("status: unexpected argument "
		    "\"%s\"", argv[1]));
	return (client_simple(c, cmd->name, NULL, NULL, NULL,
	    render_status_cb));
}

static int
cmd_kpi(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	const char	*scope, *name, *window;
	int		 rv;

	if ((rv = client_parse_window(cmd, argc, argv, 1, &scope, &name,
	    &window)) != 0)
		return (rv);
	return (client_simple(c, cmd->name, scope, name, window,
	    render_kpi_cb));
}

static int
cmd_list(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	const char	*window;
	int		 rv;

	if ((rv = client_parse_window(cmd, argc, argv, 0, NULL, NULL,
	    &window)) != 0)
		return (rv);
	return (client_simple(c, cmd->name, NULL, NULL, window,
	    render_list_cb));
}

static int
cmd_snapshot(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	if (argc > 1)
		return (client_usage_error("snapshot: unexpected argument "
		    "\"%s\"", argv[1]));
	return (client_simple(c, cmd->name, NULL, NULL, NULL,
	    render_snapshot_cb));
}

/* Synchronous: exits non-zero when the daemon refuses the new file. */
static int
cmd_reload(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	if (argc > 1)
		return (client_usage_error("reload: unexpected argument "
		    "\"%s\"", argv[1]));
	return (client_simple(c, cmd->name, NULL, NULL, NULL,
	    render_reload_cb));
}

static int
cmd_help(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	client_usage(stdout);
	return (0);
}

static int
cmd_version(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	printf("callscore %s (control protocol %d)\n", PACKAGE_VERSION,
	    CTL_PROTO_VERSION);
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option	 lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-color", no_argument, NULL, 'N' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct client			 c;
	const struct client_cmd		*cmd;
	const char			*nc;
	int				 ch, color = 1;

	log_init("callscore", 0);
	memset(&c, 0, sizeof c);

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:hjs:V", lopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c.config = optarg;
			break;
		case 'h':
			client_usage(stdout);
			return (0);
		case 'j':
			c.json = 1;
			break;
		case 'N':
			color = 0;
			break;
		case 's':
			c.socket = optarg;
			break;
		case 'V':
			return (cmd_version(&c, NULL, 0, NULL));
		case ':':
			return (client_usage_error("%s needs an argument",
			    argv[optind - 1]));
		default:
			if (optopt != 0)
				return (client_usage_error("unknown option "
				    "-%c", optopt));
			return (client_usage_error("unknown option %s",
			    argv[optind - 1]));
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return (client_usage_error("no command"));

	/* https://no-color.org: set and not empty disables colour. */
	nc = getenv("NO_COLOR");
	if (color && isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0'))
		c.flags = FMT_BOLD;

	if ((cmd = client_cmd_find(argv[0])) == NULL)
		return (CLIENT_EXIT_USAGE);
	return (cmd->fn(&c, cmd, argc, argv));
}
