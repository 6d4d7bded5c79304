/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version 4 UUIDs (RFC 4122 4.4): 122 random bits from getrandom(2), the
 * version and variant bits set. The source is a pointer so that the unit
 * tests can make it fail.
 */
#include "uuid.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static ssize_t
uuid_getrandom(void *buf, size_t len, unsigned int flags)
{
	return getrandom(buf, len, flags);
}

static uuid_random_fn *uuid_source = uuid_getrandom;

void
uuid_set_source(uuid_random_fn *fn)
{
	uuid_source = fn != NULL ? fn : uuid_getrandom;
}

int
uuid_new(char buf[UUID_LEN + 1], struct err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t got = 0, i, o;

	buf[0] = '\0';
	while (got < sizeof(b)) {
		ssize_t r = uuid_source(b + got, sizeof(b) - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return err_set(err, ERR_INTERNAL_FAILURE, "cannot draw"
			    " random bytes for a new id: %s", r < 0 ?
			    strerror(errno) : "no bytes");
		got += (size_t)r;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	/* 8-4-4-4-12 hex digits: a dash before bytes 4, 6, 8 and 10. */
	for (i = 0, o = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[o++] = '-';
		buf[o++] = hex[b[i] >> 4];
		buf[o++] = hex[b[i] & 15];
	}
	buf[o] = '\0';
	return 0;
}
