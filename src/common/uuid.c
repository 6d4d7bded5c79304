/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version 4 UUIDs (RFC 4122 4.4): 122 random bits from getrandom(2), the
 * version and variant bits set. The source is a pointer so that the unit
 * tests can make it fail.
 */
#include "uuid.h"

#include <errno.h>
#include <stdio.h>
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
	unsigned char b[16];
	size_t got = 0;

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
	snprintf(buf, UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
	return 0;
}
