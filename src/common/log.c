/* SPDX-License-Identifier: Apache-2.0 */
/* Line-oriented logging to stderr, as text or JSON: see log.h. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_LINE_MAX	2048	/* one message, formatted */
#define LOG_FIELDS_MAX	32	/* key=value words taken apart */

static const char *log_progname = "iotjobs";
static enum log_level log_min = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;

static const char *const level_names[] = {
	[LOG_LEVEL_DEBUG] = "debug", [LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_WARNING] = "warning", [LOG_LEVEL_ERROR] = "error",
};

void
log_init(const char *progname, int verbosity)
{
	log_progname = progname;
	log_min = verbosity > 0 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
}

void
log_configure(enum log_format format, enum log_level level)
{
	log_fmt = format;
	log_min = level;
}

int
log_level_parse(const char *name, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

int
log_format_parse(const char *name, enum log_format *out)
{
	if (strcmp(name, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else if (strcmp(name, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return -1;
	return 0;
}

bool
log_is_enabled(enum log_level level)
{
	return level >= log_min;
}

/*
 * A bounded writer. The buffer of log_vline holds the worst case (every
 * byte of a full message escaped to six, the few fixed members beside),
 * so the bound only guards memory: a line is never cut in practice.
 */
struct log_out {
	char *p;
	size_t len, cap;	/* cap keeps room for the NUL */
};

static void
out_raw(struct log_out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap)
		n = o->cap - o->len;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 if none. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/* S (N bytes) as a JSON string, quotes included; bad UTF-8 as U+FFFD. */
static void
out_json_str(struct log_out *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char esc[8];
	size_t i = 0, k;

	out_raw(o, "\"", 1);
	while (i < n) {
		if (u[i] == '"' || u[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)u[i];
			out_raw(o, esc, 2);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
			out_raw(o, esc, 6);
			i++;
		} else if ((k = utf8_len(u + i, n - i)) == 0) {
			out_raw(o, "\\ufffd", 6);
			i++;
		} else {
			out_raw(o, s + i, k);
			i += k;
		}
	}
	out_raw(o, "\"", 1);
}

/* True when WORD (N bytes) is key=value: key [a-z][a-z0-9_.-]*, no space. */
static bool
is_field(const char *word, size_t n, size_t *keylen)
{
	static const char *const fixed[] = { "time", "level", "prog", "msg",
	    "cause" };
	size_t i, k;

	if (n < 2 || word[0] < 'a' || word[0] > 'z')
		return false;
	for (k = 1; k < n && word[k] != '='; k++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-",
		    word[k]) == NULL)
			return false;
	if (k == n)
		return false;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strlen(fixed[i]) == k && memcmp(fixed[i], word, k) == 0)
			return false;
	*keylen = k;
	return true;
}

/*
 * MSG as one JSON line in OUT: the trailing key=value words of MSG become
 * members, scanned from the end until a word is not one.
 */
static void
log_json(struct log_out *o, const char *level, int errnum, const char *msg)
{
	size_t start[LOG_FIELDS_MAX], klen[LOG_FIELDS_MAX];
	size_t end = strlen(msg), nf = 0, i, k, len;
	struct timespec ts;
	struct tm tm;
	char when[40];

	while (nf < LOG_FIELDS_MAX && end > 0) {
		const char *sp = memrchr(msg, ' ', end);
		size_t w = sp == NULL ? 0 : (size_t)(sp - msg) + 1;

		if (!is_field(msg + w, end - w, &k))
			break;
		start[nf] = w;
		klen[nf++] = k;
		end = w == 0 ? 0 : w - 1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + len, sizeof(when) - len, ".%03ldZ",
	    ts.tv_nsec / 1000000);
	out_raw(o, "{\"time\":\"", 9);
	out_raw(o, when, strlen(when));
	out_raw(o, "\",\"level\":\"", 11);
	out_raw(o, level, strlen(level));
	out_raw(o, "\",\"prog\":", 9);
	out_json_str(o, log_progname, strnlen(log_progname, 64));
	out_raw(o, ",\"msg\":", 7);
	out_json_str(o, msg, end);
	for (i = nf; i-- > 0;) {
		const char *w = msg + start[i];
		size_t wend = i == 0 ? strlen(msg) : start[i - 1] - 1;

		out_raw(o, ",", 1);
		out_json_str(o, w, klen[i]);
		out_raw(o, ":", 1);
		out_json_str(o, w + klen[i] + 1, wend - start[i] - klen[i] - 1);
	}
	if (errnum != 0) {
		out_raw(o, ",\"cause\":", 9);
		out_json_str(o, strerror(errnum), strlen(strerror(errnum)));
	}
	out_raw(o, "}", 1);
}

static void __attribute__((format(printf, 3, 0)))
log_vline(enum log_level lv, int errnum, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[LOG_LEVEL_DEBUG] = "debug: ", [LOG_LEVEL_INFO] = "",
		[LOG_LEVEL_WARNING] = "warning: ",
		[LOG_LEVEL_ERROR] = "fatal: ",
	};
	char line[LOG_LINE_MAX], json[LOG_LINE_MAX * 6 + 2048];
	struct log_out o = { json, 0, sizeof(json) - 1 };

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line: stdio locks the stream, lines never mix. */
	if (log_fmt == LOG_FORMAT_JSON) {
		log_json(&o, lv == LOG_LEVEL_ERROR ? "fatal" :
		    level_names[lv], errnum, line);
		o.p[o.len] = '\0';
		fprintf(stderr, "%s\n", o.p);
	} else if (errnum != 0) {
		fprintf(stderr, "%s: %s%s: %s\n", log_progname, prefix[lv],
		    line, strerror(errnum));
	} else {
		fprintf(stderr, "%s: %s%s\n", log_progname, prefix[lv], line);
	}
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_min > LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_min > LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	if (log_min > LOG_LEVEL_WARNING)
		return;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_WARNING, e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	if (log_min > LOG_LEVEL_WARNING)
		return;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	log_vline(LOG_LEVEL_ERROR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
