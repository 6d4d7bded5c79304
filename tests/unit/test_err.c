/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct err (common/err.c): a message goes into a JSON error body or an
 * MQTT rejected payload, so it is valid UTF-8 whatever client text it
 * quotes, and however the cap or a "%.64s" cuts it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "err.h"

static void
err_message_is_utf8(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain ascii", "plain ascii" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "smile \xf0\x9f\x98\x80", "smile \xf0\x9f\x98\x80" },
		{ "bad \xff byte", "bad ? byte" },
		{ "cut \xc3", "cut ?" },
		{ "cut \xe2\x9c", "cut ??" },
		{ "overlong \xc0\xaf", "overlong ??" },
		{ "overlong \xe0\x80\xaf", "overlong ???" },
		{ "surrogate \xed\xa0\x80", "surrogate ???" },
		{ "too big \xf4\x90\x80\x80", "too big ????" },
		{ "lone \x80 continuation", "lone ? continuation" },
	};
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_set(&err, ERR_VALIDATION, "%s", cases[i].in);
		assert_string_equal(err.msg, cases[i].want);
	}
}

/* A message past ERR_MSG_MAX is cut by the cap, never mid-character. */
static void
err_message_cut_by_cap_is_utf8(void **state)
{
	char quoted[ERR_MSG_MAX + 64];
	struct err err;
	json_t *j;
	size_t i;

	(void)state;
	quoted[0] = 'a';
	for (i = 1; i + 2 < sizeof(quoted); i += 2)
		memcpy(quoted + i, "\xc3\xa9", 2);
	quoted[i] = '\0';
	err_set(&err, ERR_VALIDATION, "Value '%s' is bad", quoted);
	assert_int_equal(strlen(err.msg), ERR_MSG_MAX - 1);
	j = json_string(err.msg);
	assert_non_null(j);
	json_decref(j);
	err_set(&err, ERR_VALIDATION, "Value '%.64s...'", quoted);
	j = json_string(err.msg);
	assert_non_null(j);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(err_message_is_utf8),
		cmocka_unit_test(err_message_cut_by_cap_is_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
