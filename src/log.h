/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Logging to stderr with syslog priority prefixes ("<4>") when stderr is
 * journald's, plain otherwise.  Every function preserves errno.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7
};

void	 log_init(const char *, int);		/* name, prefix priorities? */
void	 log_set_level(enum log_level);		/* messages above are dropped */
enum log_level log_get_level(void);
int	 log_level_parse(const char *, enum log_level *); /* "info" -> level */
const char *log_level_name(enum log_level);
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Copy peer-supplied bytes into dst as printable ASCII (\xNN escapes). */
char	*log_escape(char *, size_t, const char *, size_t);

#endif
