/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Percent-decoding (RFC 3986 2.1), once for the HTTP router, the admin
 * routes, query-string authentication and SigV4's canonical query
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 */
#include "pct.h"

#include <stdbool.h>
#include <stdlib.h>

#include "xmalloc.h"

static int
pct_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte escaped at S[I] ('%' there), or -1 when it is no escape. */
static int
pct_escape(const char *s, size_t len, size_t i)
{
	int hi, lo;

	if (len - i < 3)
		return -1;
	hi = pct_hexval((unsigned char)s[i + 1]);
	lo = pct_hexval((unsigned char)s[i + 2]);
	if (hi < 0 || lo < 0)
		return -1;
	return hi << 4 | lo;
}

int
pct_decode(const char *s, size_t len, enum pct_mode mode, char *out,
    size_t size, size_t *out_len)
{
	size_t i, n = 0;
	int c;

	if (size == 0)
		return -1;
	for (i = 0; i < len; i++, n++) {
		if (n + 1 >= size)
			goto bad;
		c = s[i] == '%' ? pct_escape(s, len, i) : -1;
		if (c > 0 || (c == 0 && mode == PCT_LENIENT)) {
			out[n] = (char)c;
			i += 2;
			continue;
		}
		if (s[i] == '%' && mode == PCT_STRICT)
			goto bad;
		out[n] = s[i];
	}
	out[n] = '\0';
	if (out_len != NULL)
		*out_len = n;
	return 0;
bad:
	out[0] = '\0';
	return -1;
}

char *
pct_decode_dup(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);

	if (pct_decode(s, len, PCT_STRICT, out, len + 1, NULL) == -1) {
		free(out);
		return NULL;
	}
	return out;
}
