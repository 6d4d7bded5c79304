/* SPDX-License-Identifier: Apache-2.0 */
/* struct err helpers: see err.h. */
#include "err.h"

#include <stdio.h>
#include <string.h>

void
err_clear(struct err *err)
{
	err->type = NULL;
	err->status = 0;
	err->msg[0] = '\0';
	err->resource_id[0] = '\0';
	err->resource_arn[0] = '\0';
}

/*
 * Length of the UTF-8 sequence at S, or 0 when it is not one (RFC 3629:
 * no overlong forms, no surrogates, nothing past U+10FFFF).
 */
static size_t
utf8_seq_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Replaces each byte of S that is not part of valid UTF-8 by '?'. A
 * message may quote client bytes, or be cut mid-character by its cap or
 * a "%.64s"; it goes into a JSON body, which jansson refuses unless UTF-8.
 */
static void
utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		n = utf8_seq_len(p);
		if (n == 0)
			*p++ = '?';
		else
			p += n;
	}
}

static void __attribute__((format(printf, 4, 0)))
err_vset(struct err *err, int status, const char *type, const char *fmt,
    va_list ap)
{
	err_clear(err);
	err->type = type;
	err->status = status;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	utf8_scrub(err->msg);
}

int
err_set(struct err *err, const char *type, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(err, 0, type, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_set_status(struct err *err, int status, const char *type,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(err, status, type, fmt, ap);
	va_end(ap);
	return -1;
}

void
err_set_resource(struct err *err, const char *id, const char *arn)
{
	if (err == NULL)
		return;
	if (id != NULL)
		snprintf(err->resource_id, sizeof(err->resource_id), "%s", id);
	if (arn != NULL)
		snprintf(err->resource_arn, sizeof(err->resource_arn), "%s",
		    arn);
}
