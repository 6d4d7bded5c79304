/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Page tokens (api/marker.c): what a listing hands out decodes back to
 * the same position and matches the model's Marker pattern; anything else
 * a client sends (malformed, truncated, oversize, another listing's or
 * another scheme's) is refused with the listing's error naming its member.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "api/marker.h"
#include "err.h"

static const struct marker_listing things = {
	"ListThings", "nextToken", "nextToken", ERR_INVALID_REQUEST,
	MARKER_KEY
};
static const struct marker_listing groups = {
	"ListThingGroups", "nextToken", "nextToken", ERR_INVALID_REQUEST,
	MARKER_KEY
};
static const struct marker_listing policies = {
	"ListPolicies", "marker", "nextMarker", ERR_INVALID_REQUEST,
	MARKER_TIME_KEY
};
static const struct marker_listing execs = {
	"ListJobExecutionsForJob", "nextToken", "nextToken",
	ERR_INVALID_REQUEST, MARKER_ROW
};
static const struct marker_listing commands = {
	"ListCommands", "nextToken", "nextToken", ERR_VALIDATION, MARKER_ROW
};

static bool
matches_marker_pattern(const char *m)
{
	size_t n = strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
	    "vwxyz0123456789+/");

	return n > 0 && strspn(m + n, "=") <= 2 && m[n + strspn(m + n, "=")]
	    == '\0';
}

/* TEXT is refused by L for SUBJECT: L's error, naming its member. */
static void
assert_refused(const struct marker_listing *l, const char *subject,
    const char *text)
{
	struct marker_pos pos;
	char want[64];
	struct err err;

	err_clear(&err);
	memset(&pos, 0x55, sizeof(pos));
	assert_int_equal(marker_decode(l, subject, text, &pos, &err), -1);
	assert_string_equal(err.type, l->err_type);
	snprintf(want, sizeof(want), "Invalid %s", l->member);
	assert_non_null(strstr(err.msg, want));
	assert_int_equal(pos.seq, 0);
	assert_string_equal(pos.key, "");
}

/* The base64 of the LEN bytes RAW into BUF, as a forger would make it. */
static void
forge(const char *raw, size_t len, char *buf)
{
	EVP_EncodeBlock((unsigned char *)buf, (const unsigned char *)raw,
	    (int)len);
}

static void
marker_keys_round_trip(void **state)
{
	static const char *const keys[] = {
		"a", "ab", "abc", "thing-name_1", "p+=,.@-_", "dev:1_x-2",
		"a key with spaces", "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93",
		"arn:aws:iot:us-east-1:123456789012:cert/"
		"0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef",
	};
	char m[MARKER_MAX];
	struct marker_pos pos, got;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		pos.seq = 0;
		snprintf(pos.key, sizeof(pos.key), "%s", keys[i]);
		marker_encode(&things, NULL, &pos, m);
		assert_true(matches_marker_pattern(m));
		assert_int_equal(marker_decode(&things, NULL, m, &got, &err),
		    0);
		assert_string_equal(got.key, keys[i]);
		assert_int_equal(got.seq, 0);
	}
}

static void
marker_positions_round_trip(void **state)
{
	static const struct {
		int64_t seq;
		const char *key;
	} cases[] = {
		{ 0, "a" }, { 1767225600, "policy-1" }, { -5, "x:y" },
		{ INT64_MAX, "z" }, { INT64_MIN, "w" },
	};
	char m[MARKER_MAX];
	struct marker_pos pos, got;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pos.seq = cases[i].seq;
		snprintf(pos.key, sizeof(pos.key), "%s", cases[i].key);
		marker_encode(&policies, NULL, &pos, m);
		assert_int_equal(marker_decode(&policies, NULL, m, &got, &err),
		    0);
		assert_int_equal(got.seq, cases[i].seq);
		assert_string_equal(got.key, cases[i].key);
	}
}

static void
marker_rows_round_trip_bound_to_subject(void **state)
{
	static const int64_t rows[] = { 1, 42, 1000000007, INT64_MAX };
	char m[MARKER_MAX];
	struct marker_pos pos = { 0, "" }, got;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pos.seq = rows[i];
		marker_encode(&execs, "job-1", &pos, m);
		assert_int_equal(marker_decode(&execs, "job-1", m, &got, &err),
		    0);
		assert_int_equal(got.seq, rows[i]);
		/* Another job's listing, or none, does not take it. */
		assert_refused(&execs, "job-2", m);
		assert_refused(&execs, NULL, m);
	}
	marker_encode(&commands, "ASCENDING", &pos, m);
	assert_refused(&commands, "DESCENDING", m);
}

static void
marker_refuses_malformed(void **state)
{
	static const char *const bad[] = {
		"", "A", "AB=", "!!!!", "AAAA",	/* NUL bytes inside */
		"YQ", "YQ=", "YR==",		/* unpadded, non-canonical */
		"YWJj====", "IGE=",		/* too much padding, a space */
		"YQ==YQ==", "Y Q==", "!!not a token!!", "%%%", "not-a-token",
		"garbage", "bogus", "junk",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_refused(&things, NULL, bad[i]);
		assert_refused(&policies, NULL, bad[i]);
		assert_refused(&commands, "ASCENDING", bad[i]);
	}
}

static void
marker_refuses_truncated_and_altered(void **state)
{
	struct marker_pos pos = { 1767225600, "policy-1" };
	char m[MARKER_MAX], cut[MARKER_MAX + 1];
	size_t len, i;

	(void)state;
	marker_encode(&policies, NULL, &pos, m);
	len = strlen(m);
	for (i = 0; i < len; i++) {
		memcpy(cut, m, i);
		cut[i] = '\0';
		assert_refused(&policies, NULL, cut);
	}
	/* Whitespace around it, which OpenSSL's decoder would skip. */
	snprintf(cut, sizeof(cut), " %s", m);
	assert_refused(&policies, NULL, cut);
	snprintf(cut, sizeof(cut), "%s\n", m);
	assert_refused(&policies, NULL, cut);
}

static void
marker_refuses_other_schemes(void **state)
{
	static const char *const old[] = {
		"J1.0000000000000001", "J1.zzzzzzzzzzzzzzzz", "C1.A.42",
		"C1.D.7", "T1.61", "T1.00", "T1.", "M1.1",
		"000000000000000100000000",	/* an old execution token */
		"dGhlcm1vc3RhdC0wMQ==",		/* base64 of a bare name */
		"MTc2NzIyNTYwMDpwb2xpY3ktMQ==",	/* "TIME:NAME" */
		"bm90IGEgbWFya2Vy", "MTIzOmFiYw==", "YSBi", "QQ",
	};
	struct marker_pos pos = { 0, "thermostat-01" };
	char m[MARKER_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		assert_refused(&things, NULL, old[i]);
		assert_refused(&policies, NULL, old[i]);
		assert_refused(&execs, "job-1", old[i]);
	}
	/* Another listing's token, even of the same kind of position. */
	marker_encode(&things, NULL, &pos, m);
	assert_refused(&groups, NULL, m);
	assert_refused(&policies, NULL, m);
	assert_refused(&execs, NULL, m);
}

#define F(s)	{ s, sizeof(s) - 1 }

static void
marker_refuses_forged_fields(void **state)
{
	static const struct {
		const char *raw;
		size_t len;
	} forged[] = {
		F("2\0ListThings\0\0" "0\0a\0"),	/* another version */
		F("1\0ListThings\0\0" "0\0\0"),	/* no key */
		F("1\0ListThings\0\0" "7\0a\0"),	/* a seq in a name */
		F("1\0ListThings\0\0" "00\0a\0"),	/* non-canonical */
		F("1\0ListThings\0\0" "+0\0a\0"),
		F("1\0ListThings\0\0" " 0\0a\0"),
		F("1\0ListThings\0\0" "x\0a\0"),
		F("1\0ListThings\0\0" "\0a\0"),
		F("1\0ListThings\0\0" "0\0a\0b\0"),	/* a NUL in the key */
		F("1\0ListThings\0\0" "0\0a"),	/* cut short */
		F("1\0ListThings\0\0" "0\0"),
		F("1\0ListThings"),
		F("1\0ListThings\0s\0" "0\0a\0"),	/* a subject it has not */
		F("1\0ListPolicies\0\0" "99999999999999999999\0p\0"),
		F("1\0ListJobExecutionsForJob\0job-1\0" "0\0\0"),
		F("1\0ListJobExecutionsForJob\0job-1\0" "-1\0\0"),
		F("1\0ListJobExecutionsForJob\0job-1\0" "1\0k\0"),
	};
	static const struct {
		const char *raw;
		size_t len;
	} good = F("1\0ListThings\0\0" "0\0a\0");
	struct marker_pos pos;
	char m[MARKER_MAX];
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		forge(forged[i].raw, forged[i].len, m);
		assert_refused(&things, NULL, m);
		assert_refused(&policies, NULL, m);
		assert_refused(&execs, "job-1", m);
	}
	/* The same forgery, done right, is a token: the forge is sound. */
	forge(good.raw, good.len, m);
	assert_int_equal(marker_decode(&things, NULL, m, &pos, &err), 0);
	assert_string_equal(pos.key, "a");
}

static void
marker_oversize(void **state)
{
	char raw[MARKER_RAW_MAX + 64], m[2 * MARKER_MAX];
	struct marker_pos pos, got;
	struct err err;
	size_t n;

	(void)state;
	/* The longest key is a token within the model's 1024 characters. */
	memset(pos.key, 'k', MARKER_KEY_MAX);
	pos.key[MARKER_KEY_MAX] = '\0';
	pos.seq = INT64_MIN;
	marker_encode(&policies, NULL, &pos, m);
	assert_true(strlen(m) <= 1024);
	assert_int_equal(marker_decode(&policies, NULL, m, &got, &err), 0);
	assert_string_equal(got.key, pos.key);
	/* One key byte more is no token of ours. */
	n = sizeof("1\0ListPolicies\0\0" "1\0") - 1;
	memcpy(raw, "1\0ListPolicies\0\0" "1\0", n);
	memset(raw + n, 'k', MARKER_KEY_MAX + 1);
	raw[n + MARKER_KEY_MAX + 1] = '\0';
	forge(raw, n + MARKER_KEY_MAX + 2, m);
	assert_refused(&policies, NULL, m);
	/* Nor is text longer than any token. */
	memset(m, 'A', MARKER_MAX + 3);
	m[MARKER_MAX + 3] = '\0';
	assert_refused(&policies, NULL, m);
}

static void
marker_errors_are_the_listings(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(marker_refuse(&policies, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_REQUEST);
	assert_string_equal(err.msg, "Invalid marker: ListPolicies did not"
	    " return it");
	assert_int_equal(marker_refuse(&commands, &err), -1);
	assert_string_equal(err.type, ERR_VALIDATION);
	assert_non_null(strstr(err.msg, "Invalid nextToken"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(marker_keys_round_trip),
		cmocka_unit_test(marker_positions_round_trip),
		cmocka_unit_test(marker_rows_round_trip_bound_to_subject),
		cmocka_unit_test(marker_refuses_malformed),
		cmocka_unit_test(marker_refuses_truncated_and_altered),
		cmocka_unit_test(marker_refuses_other_schemes),
		cmocka_unit_test(marker_refuses_forged_fields),
		cmocka_unit_test(marker_oversize),
		cmocka_unit_test(marker_errors_are_the_listings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
