/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The harness of the integration suites (tests/daemon.c): start the real
 * callscored in a temporary directory, talk to it over its sockets and
 * with the real callscore.  Failures are check assertions.
 */
#ifndef TESTS_DAEMON_H
#define TESTS_DAEMON_H

#include <sys/types.h>

#include <yajl/yajl_tree.h>

struct daemon {
	pid_t	pid;
	char	dir[64];
	char	conf[128];
	char	ctl[128];
	char	events[128];
	char	log[128];
	int	tcp_port;
	int	udp_port;
};

/* NAME=value strings put in the environment of the next daemon_start. */
extern const char *daemon_env[8];
/* RLIMIT_NOFILE (soft) of the next daemon_start only; 0: unchanged. */
extern int daemon_nofile;

const char	*bin(const char *, const char *);
void		 msleep(int);
/*
 * Run argv; capture stdout and stderr (either may be NULL); exit status.
 * The test fails if the child writes nothing for 60 s.
 */
int		 run(char **, char **, char *const []);
/* callscore --socket ctl --json ARGS... NULL; the reply, parsed. */
yajl_val	 client_json(struct daemon *, ...);
/* One request line straight over the control socket; the reply. */
yajl_val	 ctl_raw(struct daemon *, const char *);
yajl_val	 jget(yajl_val, ...);		/* path..., NULL */
double		 jnum(yajl_val);
const char	*jstr(yajl_val);
yajl_val	 kpis_of(yajl_val);
double		 kpi(yajl_val, const char *);
int		 ctl_answers(const char *);
/*
 * Write the configuration: TCP, Unix and UDP listeners on port 0, control
 * socket, state in the directory, windows 5m 1h 24h, then extra YAML;
 * an extra that starts with "listen:" replaces the listen section, and
 * one with a "snapshot:" or "queues:" section replaces that one.
 */
void		 daemon_conf(struct daemon *, const char *);
void		 daemon_start(struct daemon *);
/* A fresh directory and the paths in it; nothing written or started. */
void		 daemon_init(struct daemon *);
/* A fresh directory, its configuration with extra, and a started daemon. */
void		 daemon_new(struct daemon *, const char *);
void		 daemon_stop(struct daemon *);	/* SIGTERM; must exit 0 */
/* Lines of the daemon's log that hold a string; whether there is one. */
int		 log_count(struct daemon *, const char *);
int		 log_has(struct daemon *, const char *);
void		 daemon_cleanup(struct daemon *);	/* rm -rf the directory */
int		 connect_tcp(int);
int		 connect_unix(const char *);
/* Write lines, then read exactly n answer lines (bounded wait). */
char		*exchange(int, const char *, int);
double		 now(void);			/* wall clock, seconds */
double		 mono_s(void);			/* CLOCK_MONOTONIC, seconds */
int		 client_reload(struct daemon *, char **);
double		 status_num(struct daemon *, const char *, const char *);
/* GET path from 127.0.0.1:port; the whole response (static buffer). */
char		*http_get(int, const char *);

#endif
