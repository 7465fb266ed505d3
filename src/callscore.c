/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * callscore(1): the supervisor's client.  It finds the control socket
 * (or, with --connect, the TCP control port, where its first line is the
 * token), sends one request line (ctl-proto.h), reads one reply line,
 * checks its protocol version and prints it as tables, as CSV or, with
 * --json, as it came.  Commands are a table of words matched by
 * unambiguous prefix, as in OpenSMTPD's smtpctl.  "top" repeats two
 * requests every interval on a full-screen terminal until q or a signal,
 * and puts the terminal back on every way out.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "conf.h"
#include "ctl-proto.h"
#include "fmt.h"
#include "kpi.h"
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
#define CLIENT_LONG_TIMEOUT_MS	3600000	/* snapshot, backup: disk-bound */
#define CLIENT_TOP_TIMEOUT_MS	3000		/* a frame's reply */
#define CLIENT_REPLY_MAX	(16 * 1024 * 1024)
#define CLIENT_EXIT_USAGE	2
#define CLIENT_SPARK_POINTS	24		/* scorecard history */
#define CLIENT_SINCE_DEFAULT	86400		/* history --since */

/* Options a command accepts (client_parse_opts). */
#define CLIENT_OPT_WINDOW	0x01
#define CLIENT_OPT_SCOPE	0x02
#define CLIENT_OPT_CSV		0x04
#define CLIENT_OPT_SINCE	0x08
#define CLIENT_OPT_INTERVAL	0x10
#define CLIENT_OPT_DATE		0x20

struct client {
	const char	*socket;	/* --socket, or NULL */
	const char	*connect;	/* --connect host:port, or NULL */
	const char	*token_file;	/* --token-file, or NULL */
	const char	*config;	/* --config, or NULL */
	int		 json;
	int		 csv;		/* the command's --csv */
	int		 timeout;	/* ms for the reply; 0 = the default */
	int		 flags;		/* FMT_* the output allows */
};

/* Where requests go: a Unix socket, or a TCP address and its token. */
struct client_peer {
	char			*path;		/* Unix socket, or NULL */
	char			*addr;		/* "host:port", or NULL */
	struct conf_token	 token;
};

struct client_cmd {
	const char	*name;
	int		(*fn)(struct client *, const struct client_cmd *, int,
			    char **);
	const char	*args;		/* for usage */
};

/* The options and arguments of a command. */
struct client_opts {
	const char	*scope;		/* "global" unless one was named */
	const char	*name;
	const char	*window;
	const char	*since;
	const char	*interval;
	const char	*date;
	int		 csv;
	char		*args[2];
	int		 nargs;
};

/* A request member: a string, or an integer if isnum; NULL is left out. */
struct client_field {
	const char	*key;
	const char	*str;
	long long	 num;
	int		 isnum;
};

typedef char	*(*client_render_fn)(struct client *, const char *, yajl_val);

static void	 client_usage(FILE *);
static void	 client_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	 client_usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static const struct client_cmd *client_cmd_find(const char *);
static char	*client_socket_path(struct client *);
static struct client_peer *client_peer_new(struct client *);
static void	 client_peer_free(struct client_peer *);
static int	 client_connect(const char *, char **);
static int	 client_connect_tcp(const struct client_peer *, int, char **);
static int	 client_auth(int, const struct client_peer *, int, char **);
static int	 client_send(int, const char *, const char *, char **);
static long long client_now_ms(void);
static char	*client_recv(int, int, size_t *, char **);
static char	*client_request_new(const char *,
		    const struct client_field *, size_t);
static int	 client_exchange(const struct client_peer *, const char *,
		    int, char **, yajl_val *, char **);
static int	 client_call(struct client *, const char *, const char *,
		    client_render_fn);
static int	 client_parse_opts(const struct client_cmd *, int, char **,
		    int, int, struct client_opts *);
static int	 client_fields_call(struct client *, const char *,
		    const struct client_field *, size_t, client_render_fn);
static int	 client_simple(struct client *, const char *, const char *,
		    const char *, const char *, client_render_fn);
static yajl_val	 client_get(yajl_val, const char *);

static char	*render_status_cb(struct client *, const char *, yajl_val);
static char	*render_kpi_cb(struct client *, const char *, yajl_val);
static char	*render_list_cb(struct client *, const char *, yajl_val);
static char	*render_snapshot_cb(struct client *, const char *, yajl_val);
static char	*render_reload_cb(struct client *, const char *, yajl_val);
static char	*render_scorecard_cb(struct client *, const char *,
		    yajl_val);
static char	*render_history_cb(struct client *, const char *, yajl_val);
static char	*render_live_cb(struct client *, const char *, yajl_val);
static char	*render_report_cb(struct client *, const char *, yajl_val);
static char	*render_backup_cb(struct client *, const char *, yajl_val);

static void	 top_signal_cb(int);
static void	 top_restore(void);
static int	 top_enter(void);
static void	 top_write(const char *, size_t);
static void	 top_suspend(const sigset_t *);
static void	 top_size(unsigned int *, unsigned int *);
static void	 top_paint(const char *);
static yajl_val	 top_fetch(const struct client_peer *, const char *,
		    char **);

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
static int	 cmd_backup(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_scorecard(struct client *, const struct client_cmd *,
		    int, char **);
static int	 cmd_history(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_report(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_live(struct client *, const struct client_cmd *, int,
		    char **);
static int	 cmd_top(struct client *, const struct client_cmd *, int,
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
	{ "scorecard", cmd_scorecard,
	    "[--queue q | --agent a | --team t] [--window w] [--csv]" },
	{ "history", cmd_history, "kpi [--queue q | --agent a | --team t] "
	    "[--window w] [--since 24h] [--csv]" },
	{ "report", cmd_report, "[--date yyyy-mm-dd] "
	    "[--queue q | --agent a | --team t] [--csv]" },
	{ "live", cmd_live, "" },
	{ "top", cmd_top, "[--interval seconds]" },
	{ "snapshot", cmd_snapshot, "" },
	{ "reload", cmd_reload, "" },
	{ "backup", cmd_backup, "file" },
	{ "help", cmd_help, "" },
	{ "version", cmd_version, "" },
};
#define CLIENT_NCMDS	(sizeof client_cmds / sizeof client_cmds[0])

/* State of top shared with its signal handler and atexit. */
static volatile sig_atomic_t	 top_quit;	/* the signal that ends it */
static volatile sig_atomic_t	 top_resized;	/* SIGWINCH or SIGCONT */
static volatile sig_atomic_t	 top_stopped;	/* SIGTSTP */
static struct termios		 top_saved;
static int			 top_active;	/* alternate screen is up */
static int			 top_raw;	/* top_saved must come back */
static void
client_usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: callscore [--json] [--no-color] [--config file] "
	    "[--socket path |\n"
	    "\t--connect host:port --token-file file] command [args]\n"
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

/*
 * Where to send requests: --connect (with the token of --token-file or
 * $CALLSCORE_TOKEN_FILE), else the control socket.  NULL after telling
 * the user why.
 */
static struct client_peer *
client_peer_new(struct client *c)
{
	struct client_peer	*p;
	const char		*file = c->token_file;
	char			*cause;

	p = xcalloc(1, sizeof *p);
	if (c->connect == NULL) {
		if ((p->path = client_socket_path(c)) == NULL) {
			free(p);
			return (NULL);
		}
		return (p);
	}
	if (file == NULL && (file = getenv("CALLSCORE_TOKEN_FILE")) != NULL &&
	    *file == '\0')
		file = NULL;
	if (file == NULL) {
		client_error("--connect needs the token: --token-file file or "
		    "CALLSCORE_TOKEN_FILE");
		free(p);
		return (NULL);
	}
	if (conf_token_load(file, &p->token, &cause) != 0) {
		client_error("token file %s", cause);
		free(cause);
		free(p);
		return (NULL);
	}
	p->addr = xstrdup(c->connect);
	return (p);
}

static void
client_peer_free(struct client_peer *p)
{
	if (p == NULL)
		return;
	free(p->path);
	free(p->addr);
	explicit_bzero(&p->token, sizeof p->token);
	free(p);
}

/* A TCP connection to p->addr within timeout ms, or -1 with *cause. */
static int
client_connect_tcp(const struct client_peer *p, int timeout, char **cause)
{
	struct addrinfo	 hints, *res, *ai;
	struct pollfd	 pfd;
	socklen_t	 len;
	char		 host[256], port[16];
	int		 fd = -1, error, flags, saved = 0, n, r;

	if (conf_parse_addr(p->addr, host, sizeof host, &n) != 0 || n == 0) {
		xasprintf(cause, "--connect %s: expected host:port with a port "
		    "between 1 and 65535", p->addr);
		return (-1);
	}
	snprintf(port, sizeof port, "%d", n);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "cannot connect to %s: %s", p->addr,
		    gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			len = sizeof error;
			if ((r = poll(&pfd, 1, timeout)) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error,
			    &len) == 0) {
				if (error == 0)
					break;
				saved = error;
			} else
				saved = r == 0 ? ETIMEDOUT : errno;
		} else
			saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		xasprintf(cause, "cannot connect to %s: %s", p->addr,
		    strerror(saved));
		return (-1);
	}
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return (fd);
}

/*
 * The first line on TCP: the token.  The daemon answers {"ok":true}, or
 * closes without a word when the token is wrong (or while it refuses
 * connections after too many wrong ones).
 */
static int
client_auth(int fd, const struct client_peer *p, int timeout, char **cause)
{
	struct client_field	 f[1];
	yajl_val		 reply;
	char			 tok[CONF_TOKEN_MAX + 1], *req, *line, *why;
	size_t			 len;
	int			 rv = -1;

	memcpy(tok, p->token.buf, p->token.len);
	tok[p->token.len] = '\0';
	f[0] = (struct client_field){ "token", tok, 0, 0 };
	req = client_request_new("auth", f, 1);
	explicit_bzero(tok, sizeof tok);
	if (req == NULL) {
		xasprintf(cause, "the token is not valid UTF-8");
		return (-1);
	}
	if (client_send(fd, p->addr, req, cause) == -1)
		goto out;
	if ((line = client_recv(fd, timeout, &len, &why)) == NULL) {
		xasprintf(cause, "%s (from %s): the token was refused, or "
		    "callscored is refusing TCP control connections after "
		    "too many wrong tokens", why, p->addr);
		free(why);
		goto out;
	}
	reply = yajl_tree_parse(line, NULL, 0);
	free(line);
	if (reply == NULL || !YAJL_IS_TRUE(client_get(reply, "ok")))
		xasprintf(cause, "%s did not accept the token", p->addr);
	else
		rv = 0;
	yajl_tree_free(reply);
out:
	explicit_bzero(req, strlen(req));
	free(req);
	return (rv);
}

/* A connected socket, or -1 with why and a hint for the user in *cause. */
static int
client_connect(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	const char		*hint;
	int			 fd, saved;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "cannot connect to %s: socket path too long",
		    path);
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
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
	xasprintf(cause, "cannot connect to %s: %s%s", path, strerror(saved),
	    hint);
	return (-1);
}

static int
client_send(int fd, const char *path, const char *req, char **cause)
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
			xasprintf(cause, "write to %s: %s", path,
			    strerror(errno));
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
 * timeout ms; NULL with why in *cause.  A final line without a newline is
 * accepted when the daemon closes after it.
 */
static char *
client_recv(int fd, int timeout, size_t *lenp, char **cause)
{
	struct pollfd	 pfd;
	char		*buf = NULL, *nl;
	size_t		 len = 0, cap = 0, scan = 0;
	long long	 deadline, left;
	ssize_t		 n;
	int		 r;

	deadline = client_now_ms() + timeout;
	for (;;) {
		if ((left = deadline - client_now_ms()) < 0)
			left = 0;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, (int)left)) == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "poll: %s", strerror(errno));
			goto fail;
		}
		if (r == 0) {
			xasprintf(cause, "no reply from callscored within "
			    "%.1f s", timeout / 1000.0);
			goto fail;
		}
		if (cap - len < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, 1, cap + 1);
		}
		if ((n = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			xasprintf(cause, "read: %s", strerror(errno));
			goto fail;
		}
		if (n == 0) {
			if (len == 0) {
				xasprintf(cause, "callscored closed the "
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
			xasprintf(cause, "reply longer than %d bytes",
			    CLIENT_REPLY_MAX);
			goto fail;
		}
	}
	if (len > CLIENT_REPLY_MAX) {
		xasprintf(cause, "reply longer than %d bytes",
		    CLIENT_REPLY_MAX);
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
 * string is not valid UTF-8.
 */
static char *
client_request_new(const char *cmd, const struct client_field *fields,
    size_t nfields)
{
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
	    yajl_gen_integer(g, CTL_PROTO_VERSION) != yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"cmd", 3) !=
	    yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)cmd, strlen(cmd)) !=
	    yajl_gen_status_ok)
		goto out;
	for (i = 0; i < nfields; i++) {
		if (!fields[i].isnum && fields[i].str == NULL)
			continue;
		if (yajl_gen_string(g, (const unsigned char *)fields[i].key,
		    strlen(fields[i].key)) != yajl_gen_status_ok)
			goto out;
		if (fields[i].isnum) {
			if (yajl_gen_integer(g, fields[i].num) !=
			    yajl_gen_status_ok)
				goto out;
		} else if (yajl_gen_string(g,
		    (const unsigned char *)fields[i].str,
		    strlen(fields[i].str)) != yajl_gen_status_ok)
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
 * One request on a fresh connection to path: 0 with the parsed reply
 * (an object of our protocol version that says "ok") and, if linep is
 * not NULL, the line as received; -1 with why in *cause.
 */
static int
client_exchange(const struct client_peer *p, const char *req, int timeout,
    char **linep, yajl_val *replyp, char **cause)
{
	yajl_val	 reply = NULL, v, ok;
	char		*line = NULL, err[256], esc[1024];
	const char	*path = p->path != NULL ? p->path : p->addr;
	size_t		 len;
	long long	 major;
	int		 fd, rv = -1, quick;

	/* Connecting and the token take no longer for a slow request. */
	quick = timeout < CLIENT_TIMEOUT_MS ? timeout : CLIENT_TIMEOUT_MS;
	if (p->addr != NULL) {
		if ((fd = client_connect_tcp(p, quick, cause)) == -1)
			return (-1);
		if (client_auth(fd, p, quick, cause) == -1)
			goto out;
	} else if ((fd = client_connect(path, cause)) == -1)
		return (-1);
	if (client_send(fd, path, req, cause) == -1)
		goto out;
	if ((line = client_recv(fd, timeout, &len, cause)) == NULL)
		goto out;

	if (memchr(line, '\0', len) != NULL) {
		xasprintf(cause, "malformed reply from callscored: NUL byte");
		goto out;
	}
	if ((reply = yajl_tree_parse(line, err, sizeof err)) == NULL ||
	    !YAJL_IS_OBJECT(reply)) {
		err[strcspn(err, "\n")] = '\0';
		xasprintf(cause, "malformed reply from callscored: %s",
		    reply == NULL ? fmt_escape(esc, sizeof esc, err) :
		    "not an object");
		goto out;
	}
	v = client_get(reply, "v");
	if (!YAJL_IS_DOUBLE(v)) {
		xasprintf(cause, "reply from callscored carries no protocol "
		    "version");
		goto out;
	}
	major = (long long)YAJL_GET_DOUBLE(v);
	if (major != CTL_PROTO_VERSION) {
		xasprintf(cause, "callscored speaks control protocol version "
		    "%lld but this callscore speaks version %d; use the "
		    "callscore that came with this callscored", major,
		    CTL_PROTO_VERSION);
		goto out;
	}
	ok = client_get(reply, "ok");
	if (!YAJL_IS_TRUE(ok) && !YAJL_IS_FALSE(ok)) {
		xasprintf(cause, "malformed reply from callscored: no \"ok\"");
		goto out;
	}
	*replyp = reply;
	reply = NULL;
	if (linep != NULL) {
		*linep = line;
		line = NULL;
	}
	rv = 0;
out:
	close(fd);
	yajl_tree_free(reply);
	free(line);
	return (rv);
}

/*
 * Send req, read and check the reply, print it (as received with --json,
 * else through render) and return the exit status.
 */
static int
client_call(struct client *c, const char *cmd, const char *req,
    client_render_fn render)
{
	struct client_peer	*peer;
	yajl_val		 reply = NULL;
	char			*line = NULL, *text, *cause = NULL, esc[1024];
	const char		*msg;
	int			 rv = 1;

	if ((peer = client_peer_new(c)) == NULL)
		return (1);
	if (client_exchange(peer, req, c->timeout > 0 ? c->timeout :
	    CLIENT_TIMEOUT_MS, &line, &reply,
	    &cause) == -1) {
		client_error("%s", cause);
		goto out;
	}
	if (c->json)
		printf("%s\n", line);
	if (YAJL_IS_FALSE(client_get(reply, "ok"))) {
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
	yajl_tree_free(reply);
	free(cause);
	free(line);
	client_peer_free(peer);
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
	char		*out, esc[1024];

	xasprintf(&out, "configuration reloaded from %s\n",
	    v != NULL && YAJL_IS_STRING(v) ? fmt_escape(esc, sizeof esc,
	    YAJL_GET_STRING(v)) : "?");
	return (out);
}

static char *
render_scorecard_cb(struct client *c, const char *cmd, yajl_val reply)
{
	if (c->csv)
		return (fmt_csv_scorecard(reply));
	return (fmt_reply_scorecard(reply, c->flags));
}

static char *
render_history_cb(struct client *c, const char *cmd, yajl_val reply)
{
	if (c->csv)
		return (fmt_csv_history(reply));
	return (fmt_reply_history(reply, c->flags));
}

static char *
render_live_cb(struct client *c, const char *cmd, yajl_val reply)
{
	return (fmt_reply_live(reply, c->flags));
}

static char *
render_report_cb(struct client *c, const char *cmd, yajl_val reply)
{
	if (c->csv)
		return (fmt_csv_report(reply));
	return (fmt_reply_report(reply, c->flags));
}

static char *
render_backup_cb(struct client *c, const char *cmd, yajl_val reply)
{
	yajl_val	 b = client_get(reply, "backup");
	yajl_val	 path = client_get(b, "path");
	yajl_val	 bytes = client_get(b, "bytes");
	yajl_val	 secs = client_get(b, "seconds");
	char		*out, esc[1024];

	xasprintf(&out, "backup written to %s: %.0f bytes in %.3f s\n",
	    path != NULL && YAJL_IS_STRING(path) ? fmt_escape(esc, sizeof esc,
	    YAJL_GET_STRING(path)) : "?",
	    bytes != NULL && YAJL_IS_NUMBER(bytes) ? YAJL_GET_DOUBLE(bytes) : 0,
	    secs != NULL && YAJL_IS_NUMBER(secs) ? YAJL_GET_DOUBLE(secs) : 0);
	return (out);
}
/*
 * Parse a command's options (allowed: CLIENT_OPT_*) and up to maxargs
 * arguments, in any order.  Returns 0, or the usage exit status.
 */
static int
client_parse_opts(const struct client_cmd *cmd, int argc, char **argv,
    int allowed, int maxargs, struct client_opts *o)
{
	static const struct option	 lopts[] = {
		{ "window", required_argument, NULL, 'w' },
		{ "queue", required_argument, NULL, 'q' },
		{ "agent", required_argument, NULL, 'a' },
		{ "team", required_argument, NULL, 't' },
		{ "csv", no_argument, NULL, 'C' },
		{ "since", required_argument, NULL, 'S' },
		{ "interval", required_argument, NULL, 'I' },
		{ "date", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	int				 ch, need;
	size_t				 i;

	memset(o, 0, sizeof *o);
	o->scope = "global";
	optind = 0;	/* glibc: reinitialise for a second argument vector */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":w:q:a:t:", lopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'w':
			need = CLIENT_OPT_WINDOW;
			break;
		case 'q':
		case 'a':
		case 't':
			need = CLIENT_OPT_SCOPE;
			break;
		case 'C':
			need = CLIENT_OPT_CSV;
			break;
		case 'S':
			need = CLIENT_OPT_SINCE;
			break;
		case 'I':
			need = CLIENT_OPT_INTERVAL;
			break;
		case 'D':
			need = CLIENT_OPT_DATE;
			break;
		case ':':
			return (client_usage_error("%s: %s needs an argument",
			    cmd->name, argv[optind - 1]));
		default:
			if (optopt != 0)
				return (client_usage_error("%s: unknown "
				    "option -%c", cmd->name, optopt));
			return (client_usage_error("%s: unknown option %s",
			    cmd->name, argv[optind - 1]));
		}
		if ((allowed & need) == 0) {
			for (i = 0; lopts[i].name != NULL; i++) {
				if (lopts[i].val == ch)
					break;
			}
			return (client_usage_error("%s: unknown option --%s",
			    cmd->name, lopts[i].name));
		}
		switch (ch) {
		case 'w':
			o->window = optarg;
			break;
		case 'q':
		case 'a':
		case 't':
			if (o->name != NULL)
				return (client_usage_error("%s: only one of "
				    "--queue, --agent and --team", cmd->name));
			o->scope = ch == 'q' ? "queue" : ch == 'a' ? "agent" :
			    "team";
			o->name = optarg;
			break;
		case 'C':
			o->csv = 1;
			break;
		case 'S':
			o->since = optarg;
			break;
		case 'I':
			o->interval = optarg;
			break;
		case 'D':
			o->date = optarg;
			break;
		}
	}
	/* getopt_long moved the arguments after the options. */
	for (; optind < argc; optind++) {
		if (o->nargs >= maxargs)
			return (client_usage_error("%s: unexpected argument "
			    "\"%s\"", cmd->name, argv[optind]));
		o->args[o->nargs++] = argv[optind];
	}
	return (0);
}

/* Build the request and call the daemon; a request is at most a line. */
static int
client_fields_call(struct client *c, const char *cmd,
    const struct client_field *fields, size_t nfields,
    client_render_fn render)
{
	char	*req;
	int	 rv;

	if ((req = client_request_new(cmd, fields, nfields)) == NULL) {
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
client_simple(struct client *c, const char *cmd, const char *scope,
    const char *name, const char *window, client_render_fn render)
{
	struct client_field	f[] = {
		{ "scope", scope, 0, 0 },
		{ "name", name, 0, 0 },
		{ "window", window, 0, 0 },
	};

	return (client_fields_call(c, cmd, f, sizeof f / sizeof f[0],
	    render));
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
	struct client_opts	o;
	int			rv;

	if ((rv = client_parse_opts(cmd, argc, argv, CLIENT_OPT_WINDOW |
	    CLIENT_OPT_SCOPE, 0, &o)) != 0)
		return (rv);
	return (client_simple(c, cmd->name, o.scope, o.name, o.window,
	    render_kpi_cb));
}

static int
cmd_list(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	struct client_opts	o;
	int			rv;

	if ((rv = client_parse_opts(cmd, argc, argv, CLIENT_OPT_WINDOW, 0,
	    &o)) != 0)
		return (rv);
	return (client_simple(c, cmd->name, NULL, NULL, o.window,
	    render_list_cb));
}

static int
cmd_snapshot(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	if (argc > 1)
		return (client_usage_error("snapshot: unexpected argument "
		    "\"%s\"", argv[1]));
	/* A large state takes tens of seconds to write. */
	c->timeout = CLIENT_LONG_TIMEOUT_MS;
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

/*
 * The daemon writes the file: a relative name is taken from its state
 * directory, not from here.
 */
static int
cmd_backup(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	struct client_field	f[1];

	if (argc < 2 || *argv[1] == '\0')
		return (client_usage_error("backup: which file?"));
	if (argc > 2)
		return (client_usage_error("backup: unexpected argument "
		    "\"%s\"", argv[2]));
	f[0] = (struct client_field){ "path", argv[1], 0, 0 };
	/* The copy waits for a snapshot under way, then takes its time. */
	c->timeout = CLIENT_LONG_TIMEOUT_MS;
	return (client_fields_call(c, cmd->name, f, 1, render_backup_cb));
}

static int
cmd_scorecard(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	struct client_opts	o;
	struct client_field	f[4];
	int			rv;

	if ((rv = client_parse_opts(cmd, argc, argv, CLIENT_OPT_WINDOW |
	    CLIENT_OPT_SCOPE | CLIENT_OPT_CSV, 0, &o)) != 0)
		return (rv);
	if (o.csv && c->json)
		return (client_usage_error("scorecard: --csv and --json "
		    "exclude each other"));
	c->csv = o.csv;
	f[0] = (struct client_field){ "scope", o.scope, 0, 0 };
	f[1] = (struct client_field){ "name", o.name, 0, 0 };
	f[2] = (struct client_field){ "window", o.window, 0, 0 };
	/* CSV has no trend column: do not make the daemon read history. */
	f[3] = (struct client_field){ "history", NULL,
	    o.csv ? 0 : CLIENT_SPARK_POINTS, 1 };
	return (client_fields_call(c, cmd->name, f, 4, render_scorecard_cb));
}

/* Refuse an unknown KPI here: the daemon's error cannot suggest. */
static int
cmd_history(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	struct client_opts	 o;
	struct client_field	 f[5];
	long long		 since = CLIENT_SINCE_DEFAULT;
	char			*near, esc[128];
	int			 rv, i;

	if ((rv = client_parse_opts(cmd, argc, argv, CLIENT_OPT_WINDOW |
	    CLIENT_OPT_SCOPE | CLIENT_OPT_CSV | CLIENT_OPT_SINCE, 1, &o)) != 0)
		return (rv);
	if (o.nargs == 0)
		return (client_usage_error("history: which KPI?"));
	if (o.csv && c->json)
		return (client_usage_error("history: --csv and --json "
		    "exclude each other"));
	if (kpi_lookup(o.args[0]) == -1) {
		fmt_escape(esc, sizeof esc, o.args[0]);
		near = fmt_kpi_suggest(o.args[0]);
		if (*near != '\0')
			client_error("history: unknown KPI \"%s\"; did you "
			    "mean %s?", esc, near);
		else {
			client_error("history: unknown KPI \"%s\"; the KPIs "
			    "are:", esc);
			for (i = 0; i < KPI_COUNT; i++)
				fprintf(stderr, "%s%s", i > 0 ? " " : "",
				    kpi_table[i].id);
			fprintf(stderr, "\n");
		}
		free(near);
		return (CLIENT_EXIT_USAGE);
	}
	if (o.since != NULL &&
	    (fmt_parse_duration(o.since, &since) == -1 || since <= 0)) {
		fmt_escape(esc, sizeof esc, o.since);
		return (client_usage_error("history: --since \"%s\" is not a "
		    "duration such as 90s, 30m, 24h, 7d or 2w", esc));
	}
	c->csv = o.csv;
	f[0] = (struct client_field){ "kpi", o.args[0], 0, 0 };
	f[1] = (struct client_field){ "scope", o.scope, 0, 0 };
	f[2] = (struct client_field){ "name", o.name, 0, 0 };
	f[3] = (struct client_field){ "window", o.window, 0, 0 };
	f[4] = (struct client_field){ "since", NULL, since, 1 };
	return (client_fields_call(c, cmd->name, f, 5, render_history_cb));
}

/* The date is checked by the daemon, which knows its time zone. */
static int
cmd_report(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	struct client_opts	o;
	struct client_field	f[3];
	int			rv;

	if ((rv = client_parse_opts(cmd, argc, argv, CLIENT_OPT_DATE |
	    CLIENT_OPT_SCOPE | CLIENT_OPT_CSV, 0, &o)) != 0)
		return (rv);
	if (o.csv && c->json)
		return (client_usage_error("report: --csv and --json "
		    "exclude each other"));
	c->csv = o.csv;
	f[0] = (struct client_field){ "scope", o.scope, 0, 0 };
	f[1] = (struct client_field){ "name", o.name, 0, 0 };
	f[2] = (struct client_field){ "date", o.date, 0, 0 };
	return (client_fields_call(c, cmd->name, f, 3, render_report_cb));
}

static int
cmd_live(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	if (argc > 1)
		return (client_usage_error("live: unexpected argument "
		    "\"%s\"", argv[1]));
	return (client_simple(c, cmd->name, NULL, NULL, NULL,
	    render_live_cb));
}

/* Signals only raise flags; the loop acts on them (ppoll wakes it). */
static void
top_signal_cb(int sig)
{
	switch (sig) {
	case SIGWINCH:
	case SIGCONT:
		top_resized = 1;
		break;
	case SIGTSTP:
		top_stopped = 1;
		break;
	default:
		top_quit = sig;
		break;
	}
}

/* Write all of buf to the terminal; errors end top. */
static void
top_write(const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(STDOUT_FILENO, buf, len)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			top_quit = SIGHUP;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * Leave the alternate screen, show the cursor and restore the terminal
 * modes.  Run by atexit too, so fatal() and exit() leave a sane terminal;
 * idempotent.
 */
static void
top_restore(void)
{
	static const char	seq[] = "\033[?25h\033[?1049l";

	if (top_raw) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &top_saved);
		top_raw = 0;
	}
	if (top_active) {
		top_active = 0;
		top_write(seq, sizeof seq - 1);
	}
}

/* Keys one at a time without echo; ISIG stays, so ^C is SIGINT. */
static int
top_enter(void)
{
	static const char	seq[] = "\033[?1049h\033[?25l\033[H\033[2J";
	struct termios		raw;

	if (isatty(STDIN_FILENO)) {
		if (tcgetattr(STDIN_FILENO, &top_saved) == -1) {
			client_error("top: tcgetattr: %s", strerror(errno));
			return (-1);
		}
		raw = top_saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		top_raw = 1;
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == -1) {
			client_error("top: tcsetattr: %s", strerror(errno));
			top_raw = 0;
			return (-1);
		}
	}
	top_active = 1;
	top_write(seq, sizeof seq - 1);
	return (0);
}

/* ^Z: put the terminal back, stop, and take it again on fg. */
static void
top_suspend(const sigset_t *blocked)
{
	struct sigaction	sa;
	sigset_t		tstp;

	top_stopped = 0;
	top_restore();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, NULL);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	raise(SIGTSTP);		/* pending until unblocked below */
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	/* Stopped here until SIGCONT. */
	sigprocmask(SIG_BLOCK, blocked, NULL);
	sa.sa_handler = top_signal_cb;
	sigaction(SIGTSTP, &sa, NULL);
	if (top_enter() == -1)
		top_quit = SIGHUP;
	top_resized = 1;
}

static void
top_size(unsigned int *rows, unsigned int *cols)
{
	struct winsize	ws;

	*rows = 24;
	*cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/*
 * Draw a frame over the previous one in one write: home, each line
 * followed by clear-to-end-of-line, then clear below.  The last line has
 * no newline, so a full screen never scrolls.
 */
static void
top_paint(const char *frame)
{
	char		*buf, *p;
	const char	*s = frame, *nl;
	size_t		 len, n;

	len = strlen(frame);
	buf = xmalloc(len * 2 + 64);
	p = buf;
	memcpy(p, "\033[H", 3);
	p += 3;
	while (*s != '\0') {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s);
		n = (size_t)(nl - s);
		memcpy(p, s, n);
		p += n;
		memcpy(p, "\033[K", 3);
		p += 3;
		s = *nl == '\n' ? nl + 1 : nl;
		if (*s != '\0') {
			memcpy(p, "\r\n", 2);
			p += 2;
		}
	}
	memcpy(p, "\033[J", 3);
	p += 3;
	top_write(buf, (size_t)(p - buf));
	free(buf);
}

/* The reply to cmd, or NULL with the line to show instead in *error. */
static yajl_val
top_fetch(const struct client_peer *peer, const char *cmd, char **error)
{
	yajl_val	 reply = NULL;
	char		*req, *cause = NULL;
	const char	*msg;

	req = client_request_new(cmd, NULL, 0);
	if (client_exchange(peer, req, CLIENT_TOP_TIMEOUT_MS, NULL, &reply,
	    &cause) == -1) {
		xasprintf(error, "disconnected: %s", cause);
		free(cause);
		free(req);
		return (NULL);
	}
	free(req);
	if (YAJL_IS_FALSE(client_get(reply, "ok"))) {
		msg = YAJL_GET_STRING(client_get(reply, "error"));
		xasprintf(error, "callscored: %s: %s", cmd,
		    msg != NULL ? msg : "request failed");
		yajl_tree_free(reply);
		return (NULL);
	}
	return (reply);
}

static int
cmd_top(struct client *c, const struct client_cmd *cmd, int argc,
    char **argv)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	    SIGWINCH, SIGTSTP, SIGCONT };
	struct client_opts	 o;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	struct timespec		 ts;
	sigset_t		 blocked, orig;
	struct client_peer	*peer;
	yajl_val		 status = NULL, live = NULL;
	char			*error = NULL, *frame, *end, keys[64];
	double			 interval = 1;
	long long		 next = 0, left;
	unsigned int		 rows, cols;
	size_t			 i;
	ssize_t			 n;
	int			 rv, dirty = 0, keyboard;

	if ((rv = client_parse_opts(cmd, argc, argv, CLIENT_OPT_INTERVAL, 0,
	    &o)) != 0)
		return (rv);
	if (c->json)
		return (client_usage_error("top: no --json; use "
		    "callscore --json live"));
	if (o.interval != NULL) {
		errno = 0;
		interval = strtod(o.interval, &end);
		if (errno != 0 || end == o.interval || *end != '\0' ||
		    !(interval >= 0.1 && interval <= 3600))
			return (client_usage_error("top: --interval must be "
			    "between 0.1 and 3600 seconds"));
	}
	if (!isatty(STDOUT_FILENO)) {
		client_error("top: standard output is not a terminal; use "
		    "callscore live for a snapshot");
		return (1);
	}
	if ((peer = client_peer_new(c)) == NULL)
		return (1);

	/*
	 * Blocked but for ppoll(), so that a signal is never lost between
	 * testing the flags and waiting.
	 */
	sigemptyset(&blocked);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = top_signal_cb;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigaddset(&blocked, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &blocked, &orig);
	atexit(top_restore);
	if (top_enter() == -1) {
		top_restore();
		client_peer_free(peer);
		return (1);
	}
	keyboard = top_raw;

	while (!top_quit) {
		if (top_stopped)
			top_suspend(&blocked);
		if (client_now_ms() >= next) {
			next = client_now_ms() + (long long)(interval * 1000);
			yajl_tree_free(status);
			yajl_tree_free(live);
			free(error);
			error = NULL;
			live = NULL;
			/* One frame, two fresh connections. */
			if ((status = top_fetch(peer, "status", &error)) !=
			    NULL &&
			    (live = top_fetch(peer, "live", &error)) == NULL) {
				yajl_tree_free(status);
				status = NULL;
			}
			dirty = 1;
		}
		if (dirty || top_resized) {
			top_resized = 0;
			dirty = 0;
			top_size(&rows, &cols);
			frame = fmt_top_frame(status, live, error,
			    (double)time(NULL), rows, cols, c->flags);
			top_paint(frame);
			free(frame);
		}

		if ((left = next - client_now_ms()) < 0)
			left = 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		pfd.fd = keyboard ? STDIN_FILENO : -1;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, &ts, &orig) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
		if (pfd.revents & POLLIN) {
			if ((n = read(STDIN_FILENO, keys, sizeof keys)) <= 0) {
				if (n == -1 && (errno == EINTR ||
				    errno == EAGAIN))
					continue;
				break;
			}
			if (memchr(keys, 'q', (size_t)n) != NULL ||
			    memchr(keys, 'Q', (size_t)n) != NULL)
				break;
		}
	}

	top_restore();
	sigprocmask(SIG_SETMASK, &orig, NULL);
	yajl_tree_free(status);
	yajl_tree_free(live);
	free(error);
	client_peer_free(peer);
	/* As a shell expects of a program ended by a signal. */
	return (top_quit != 0 ? 128 + top_quit : 0);
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
		{ "connect", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-color", no_argument, NULL, 'N' },
		{ "socket", required_argument, NULL, 's' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct client			 c;
	const struct client_cmd		*cmd;
	const char			*nc, *cs;
	int				 ch, color = 1, tty;

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
		case 'C':
			c.connect = optarg;
			break;
		case 'T':
			c.token_file = optarg;
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
	if (c.socket != NULL && c.connect != NULL)
		return (client_usage_error("--socket and --connect exclude "
		    "each other"));
	if (c.token_file != NULL && c.connect == NULL)
		return (client_usage_error("--token-file is for --connect"));

	/*
	 * Only the character set of the locale: numbers stay in the C
	 * locale, so output parses the same everywhere.
	 */
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	if (cs != NULL && strcmp(cs, "UTF-8") == 0)
		c.flags |= FMT_UTF8;
	tty = isatty(STDOUT_FILENO);
	if (tty && (c.flags & FMT_UTF8))
		c.flags |= FMT_ARROWS;
	/* https://no-color.org: set and not empty disables colour. */
	nc = getenv("NO_COLOR");
	if (color && tty && (nc == NULL || *nc == '\0'))
		c.flags |= FMT_BOLD | FMT_COLOR;

	if ((cmd = client_cmd_find(argv[0])) == NULL)
		return (CLIENT_EXIT_USAGE);
	return (cmd->fn(&c, cmd, argc, argv));
}
