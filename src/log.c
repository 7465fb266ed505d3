/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * One log line per event on stderr.  Under systemd (JOURNAL_STREAM set)
 * each line starts with "<N>" so journald keeps the priority and
 * `journalctl -p warning` works; on a terminal lines carry the level as
 * a word instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char	*log_name = "callscore";
static int		 log_prefix;
static enum log_level	 log_level = LOG_LEVEL_INFO;

static const char *log_names[] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static void	log_vwrite(enum log_level, const char *, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

/* Start logging as name; prefix < 0 means decide from JOURNAL_STREAM. */
void
log_init(const char *name, int prefix)
{
	log_name = name;
	if (prefix < 0)
		prefix = getenv("JOURNAL_STREAM") != NULL;
	log_prefix = prefix;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return (log_level);
}

int
log_level_parse(const char *s, enum log_level *level)
{
	int	i;

	for (i = LOG_LEVEL_ERR; i <= LOG_LEVEL_DEBUG; i++) {
		if (strcmp(s, log_names[i]) == 0) {
			*level = i;
			return (0);
		}
	}
	return (-1);
}

const char *
log_level_name(enum log_level level)
{
	if (level < LOG_LEVEL_ERR || level > LOG_LEVEL_DEBUG)
		return ("unknown");
	return (log_names[level]);
}

static void
log_vwrite(enum log_level level, const char *suffix, const char *fmt,
    va_list ap)
{
	char	buf[2048];
	int	saved = errno;

	if (level > log_level) {
		errno = saved;
		return;
	}
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (log_prefix)
		fprintf(stderr, "<%d>%s%s%s\n", level, buf,
		    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	else
		fprintf(stderr, "%s: %s%s%s%s\n", log_name,
		    level <= LOG_LEVEL_WARNING ? "warning: " : "", buf,
		    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

#define LOG_FN(fn, level)				\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list	ap;					\
							\
	va_start(ap, fmt);				\
	log_vwrite(level, NULL, fmt, ap);		\
	va_end(ap);					\
}
LOG_FN(log_warnx, LOG_LEVEL_WARNING)
LOG_FN(log_notice, LOG_LEVEL_NOTICE)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	const char *err = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_escape(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	size_t		 i, o = 0;
	unsigned char	 c;

	if (dstlen == 0)
		return (dst);
	for (i = 0; i < srclen; i++) {
		c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = c;
		} else {
			if (o + 4 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return (dst);
}
