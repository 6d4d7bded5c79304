/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encoding and output helpers of the iotjobs command: URL encoding, UTC
 * times both ways, JSON on stdout, and the one-line failure messages
 * every command ends with.
 */
#include "cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "num.h"

int
cli_urlenc(const char *s, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (n + 4 > size)
			return -1;
		if (isalnum(ch) || strchr("-_.~", ch) != NULL) {
			buf[n++] = (char)ch;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[ch >> 4];
			buf[n++] = hex[ch & 15];
		}
	}
	if (n + 1 > size)
		return -1;
	buf[n] = '\0';
	return 0;
}

const char *
cli_time(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm);
	return buf;
}

/* "-90s", "-15m", "-2h", "-3d" relative to NOW. */
static int
time_relative(const char *text, int64_t now, int64_t *out)
{
	size_t len = strlen(text);
	int64_t v, unit;

	if (len < 3)
		return -1;
	switch (text[len - 1]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (num_parse_i64_len(text + 1, len - 2, 0, INT64_MAX / unit,
	    &v) == -1)
		return -1;
	*out = now - v * unit;
	return 0;
}

int
cli_time_parse(const char *text, int64_t now, int64_t *out)
{
	static const char *const forms[] = {
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S",
		"%Y-%m-%d %H:%M", "%Y-%m-%d",
	};
	struct tm tm;
	size_t i;
	char *end;

	if (text[0] == '-')
		return time_relative(text, now, out);
	if (strspn(text, "0123456789") == strlen(text) && text[0] != '\0')
		return num_parse_i64(text, 0, INT64_MAX, out);
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, forms[i], &tm);
		if (end != NULL && (*end == '\0' || strcmp(end, "Z") == 0)) {
			*out = (int64_t)timegm(&tm);
			return 0;
		}
	}
	return -1;
}

void
cli_print_json(const json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	fflush(stdout);
}

int64_t
cli_int(const json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return 0;
}

const char *
cli_str(const json_t *o, const char *name, const char *def)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s != NULL ? s : def;
}

int
cli_fail(const char *what, const struct cli_err *e)
{
	if (e->status > 0)
		fprintf(stderr, "iotjobs: %s: %s: %s (HTTP %ld)\n", what,
		    e->type, e->msg, e->status);
	else
		fprintf(stderr, "iotjobs: %s: %s: %s\n", what, e->type,
		    e->msg);
	return CLI_FAIL;
}

int
cli_usage_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iotjobs: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see iotjobs %s -h)\n", what);
	return CLI_USAGE;
}
