/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Page markers (api/marker.c): what a listing hands out decodes back to
 * the same key, matches the model's Marker pattern, and anything else a
 * client sends is an InvalidRequestException naming the member.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "api/marker.h"
#include "err.h"

static bool
matches_marker_pattern(const char *m)
{
	size_t n = strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
	    "vwxyz0123456789+/");

	return n > 0 && strspn(m + n, "=") <= 2 && m[n + strspn(m + n, "=")]
	    == '\0';
}

static void
marker_round_trips(void **state)
{
	static const char *const keys[] = {
		"a", "ab", "abc", "p+=,.@-_", "dev:1_x-2",
		"arn:aws:iot:us-east-1:123456789012:cert/"
		"0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef",
		"arn:aws:iot:us-east-1:123456789012:thinggroup/g",
	};
	char m[MARKER_MAX], key[MARKER_KEY_MAX + 1];
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		marker_encode(keys[i], m);
		assert_true(matches_marker_pattern(m));
		assert_int_equal(marker_decode(m, "marker", key, &err), 0);
		assert_string_equal(key, keys[i]);
	}
}

static void
marker_refuses_what_it_did_not_issue(void **state)
{
	static const char *const bad[] = {
		"", "A", "AB=", "!!!!", "AAAA",	/* NUL bytes inside */
		"YQ", "YQ=", "YR==",		/* unpadded, non-canonical */
		"YWJj====", "IGE=",		/* too much padding, a space */
		"YQ==YQ==", "Y Q==",
	};
	char key[MARKER_KEY_MAX + 1];
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		assert_int_equal(marker_decode(bad[i], "nextToken", key, &err),
		    -1);
		assert_string_equal(err.type, ERR_INVALID_REQUEST);
		assert_non_null(strstr(err.msg, "nextToken"));
		assert_string_equal(key, "");
	}
}

static void
marker_positions_round_trip(void **state)
{
	static const struct {
		int64_t time;
		const char *key;
	} cases[] = {
		{ 0, "a" }, { 1767225600, "policy-1" }, { -5, "x:y" },
		{ INT64_MAX, "z" },
	};
	char m[MARKER_MAX], key[MARKER_KEY_MAX + 1];
	struct err err;
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		marker_encode_pos(cases[i].time, cases[i].key, m);
		assert_int_equal(marker_decode_pos(m, "marker", &t, key, &err),
		    0);
		assert_int_equal(t, cases[i].time);
		assert_string_equal(key, cases[i].key);
	}
	/* A name marker is no position. */
	marker_encode("policy-1", m);
	assert_int_equal(marker_decode_pos(m, "marker", &t, key, &err), -1);
	marker_encode("12:", m);
	assert_int_equal(marker_decode_pos(m, "marker", &t, key, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(marker_round_trips),
		cmocka_unit_test(marker_refuses_what_it_did_not_issue),
		cmocka_unit_test(marker_positions_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
