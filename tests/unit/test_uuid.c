/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one id generator (common/uuid.c): RFC 4122 version 4 text, distinct
 * ids, and an error, never an id, when the random source fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "uuid.h"

static int calls;

static ssize_t
source_fails(void *buf, size_t len, unsigned int flags)
{
	(void)buf;
	(void)len;
	(void)flags;
	errno = ENOSYS;
	return -1;
}

/* Interrupted once, then one byte at a time: short reads add up. */
static ssize_t
source_trickles(void *buf, size_t len, unsigned int flags)
{
	(void)flags;
	if (calls++ == 0) {
		errno = EINTR;
		return -1;
	}
	if (len == 0)
		return 0;
	*(unsigned char *)buf = 0xff;
	return 1;
}

/* The bytes 0, 1, 2, ... in order. */
static ssize_t
source_counts(void *buf, size_t len, unsigned int flags)
{
	size_t i;

	(void)flags;
	for (i = 0; i < len; i++)
		((unsigned char *)buf)[i] = (unsigned char)i;
	return (ssize_t)len;
}

static void
uuid_is_version_4_text(void **state)
{
	char a[UUID_LEN + 1], b[UUID_LEN + 1];
	struct err err;
	size_t i;

	(void)state;
	uuid_set_source(NULL);
	assert_int_equal(uuid_new(a, &err), 0);
	assert_int_equal(uuid_new(b, &err), 0);
	assert_int_equal(strlen(a), UUID_LEN);
	assert_string_not_equal(a, b);
	for (i = 0; i < UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
}

static void
uuid_fails_without_randomness(void **state)
{
	char a[UUID_LEN + 1] = "unchanged";
	struct err err;

	(void)state;
	err_clear(&err);
	uuid_set_source(source_fails);
	assert_int_equal(uuid_new(a, &err), -1);
	uuid_set_source(NULL);
	assert_string_equal(err.type, ERR_INTERNAL_FAILURE);
	assert_string_equal(a, "");
}

static void
uuid_retries_interrupted_and_short_reads(void **state)
{
	char a[UUID_LEN + 1];
	struct err err;

	(void)state;
	calls = 0;
	uuid_set_source(source_trickles);
	assert_int_equal(uuid_new(a, &err), 0);
	uuid_set_source(NULL);
	assert_int_equal(calls, 17);
	assert_string_equal(a, "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

/* Each byte in its place, high digit first, version and variant set. */
static void
uuid_text_is_the_bytes_in_order(void **state)
{
	char a[UUID_LEN + 1];
	struct err err;

	(void)state;
	uuid_set_source(source_counts);
	assert_int_equal(uuid_new(a, &err), 0);
	uuid_set_source(NULL);
	assert_string_equal(a, "00010203-0405-4607-8809-0a0b0c0d0e0f");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uuid_is_version_4_text),
		cmocka_unit_test(uuid_fails_without_randomness),
		cmocka_unit_test(uuid_retries_interrupted_and_short_reads),
		cmocka_unit_test(uuid_text_is_the_bytes_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
