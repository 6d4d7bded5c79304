/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one generator of random ids: RFC 4122 version 4 UUIDs in text form,
 * from getrandom(2). When the kernel gives no randomness the call fails;
 * it never hands out an all-zero or otherwise predictable id.
 */
#ifndef IOTJOBS_UUID_H
#define IOTJOBS_UUID_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define UUID_LEN	36	/* 8-4-4-4-12 hex digits and dashes */

/* A source of random bytes with getrandom(2)'s contract. */
typedef ssize_t uuid_random_fn(void *buf, size_t len, unsigned int flags);

/*
 * A new random UUID ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower case)
 * into BUF. Returns 0, or -1 with an InternalFailureException in ERR (and
 * BUF empty) when the random source fails.
 */
int uuid_new(char buf[UUID_LEN + 1], struct err *err);

/* Replaces the random source (NULL: getrandom again); for tests only. */
void uuid_set_source(uuid_random_fn *fn);

#endif
