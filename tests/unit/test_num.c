/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict numbers (common/num.c): the whole text is the number, plain
 * decimal, within bounds; every strtol leniency is a refusal here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <string.h>

#include "num.h"

static void
num_parse_i64_cells(void **state)
{
	static const struct {
		const char *text;
		int64_t min, max;
		int ok;
		int64_t want;
	} cases[] = {
		{ "0", 0, 10, 1, 0 },
		{ "7", 0, 10, 1, 7 },
		{ "10", 0, 10, 1, 10 },
		{ "007", 0, 10, 1, 7 },
		{ "11", 0, 10, 0, 0 },
		{ "-1", -5, 5, 1, -1 },
		{ "-5", -5, 5, 1, -5 },
		{ "-6", -5, 5, 0, 0 },
		{ "-1", 0, 10, 0, 0 },		/* '-' only when MIN < 0 */
		{ "-0", 0, 10, 0, 0 },
		{ "-0", -1, 10, 1, 0 },
		{ "", 0, 10, 0, 0 },
		{ "-", -5, 5, 0, 0 },
		{ "+1", 0, 10, 0, 0 },
		{ " 1", 0, 10, 0, 0 },
		{ "1 ", 0, 10, 0, 0 },
		{ "1x", 0, 10, 0, 0 },
		{ "0x1", 0, 10, 0, 0 },
		{ "1.0", 0, 10, 0, 0 },
		{ "1e1", 0, 100, 0, 0 },
		{ "--1", -5, 5, 0, 0 },
		{ "9223372036854775807", INT64_MIN, INT64_MAX, 1, INT64_MAX },
		{ "9223372036854775808", INT64_MIN, INT64_MAX, 0, 0 },
		{ "-9223372036854775808", INT64_MIN, INT64_MAX, 1, INT64_MIN },
		{ "-9223372036854775809", INT64_MIN, INT64_MAX, 0, 0 },
		{ "18446744073709551616", INT64_MIN, INT64_MAX, 0, 0 },
		{ "99999999999999999999999", INT64_MIN, INT64_MAX, 0, 0 },
	};
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: \"%s\"\n", i, cases[i].text);
		v = 42;
		assert_int_equal(num_parse_i64(cases[i].text, cases[i].min,
		    cases[i].max, &v), cases[i].ok ? 0 : -1);
		assert_int_equal(v, cases[i].ok ? cases[i].want : 42);
	}
}

/* LEN ends the number: the bytes after it are the caller's. */
static void
num_parse_i64_len_takes_a_prefix(void **state)
{
	int64_t v = 42;

	(void)state;
	assert_int_equal(num_parse_i64_len("15m", 2, 0, 100, &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(num_parse_i64_len("1700000000:key", 10, INT64_MIN,
	    INT64_MAX, &v), 0);
	assert_int_equal(v, 1700000000);
	assert_int_equal(num_parse_i64_len("15m", 3, 0, 100, &v), -1);
	assert_int_equal(num_parse_i64_len("15", 0, 0, 100, &v), -1);
	assert_int_equal(num_parse_i64_len("-", 1, -5, 5, &v), -1);
	assert_int_equal(v, 1700000000);
}

static void
num_parse_u64_cells(void **state)
{
	static const struct {
		const char *text;
		uint64_t min, max;
		int ok;
		uint64_t want;
	} cases[] = {
		{ "0", 0, UINT64_MAX, 1, 0 },
		{ "18446744073709551615", 0, UINT64_MAX, 1, UINT64_MAX },
		{ "18446744073709551616", 0, UINT64_MAX, 0, 0 },
		{ "-1", 0, UINT64_MAX, 0, 0 },
		{ "+1", 0, UINT64_MAX, 0, 0 },
		{ " 1", 0, UINT64_MAX, 0, 0 },
		{ "", 0, UINT64_MAX, 0, 0 },
		{ "65535", 0, 65535, 1, 65535 },
		{ "65536", 0, 65535, 0, 0 },
		{ "0", 1, 10, 0, 0 },
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: \"%s\"\n", i, cases[i].text);
		v = 42;
		assert_int_equal(num_parse_u64(cases[i].text, cases[i].min,
		    cases[i].max, &v), cases[i].ok ? 0 : -1);
		assert_true(v == (cases[i].ok ? cases[i].want : 42));
	}
}

static void
num_is_decimal_cells(void **state)
{
	static const struct { const char *text; bool ok; } cases[] = {
		{ "0", true }, { "-12", true }, { "1.5", true },
		{ ".5", true }, { "5.", true }, { "-.5", true },
		{ "1e3", true }, { "1E-3", true }, { "2.5e+10", true },
		{ "", false }, { "-", false }, { ".", false }, { "-.", false },
		{ "+1", false }, { " 1", false }, { "1 ", false },
		{ "1e", false }, { "1e+", false }, { "e3", false },
		{ "1.2.3", false }, { "0x10", false }, { "inf", false },
		{ "nan", false }, { "1,5", false }, { "--1", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: \"%s\"\n", i, cases[i].text);
		assert_int_equal(num_is_decimal(cases[i].text,
		    strlen(cases[i].text)), cases[i].ok);
	}
}

static void
num_parse_double_cells(void **state)
{
	static const struct {
		const char *text;
		double min, max;
		int ok;
		double want;
	} cases[] = {
		{ "0.05", 0.05, 3600, 1, 0.05 },
		{ "3600", 0.05, 3600, 1, 3600 },
		{ "3600.5", 0.05, 3600, 0, 0 },
		{ "0.01", 0.05, 3600, 0, 0 },
		{ "-2.5", -DBL_MAX, DBL_MAX, 1, -2.5 },
		{ "1e3", -DBL_MAX, DBL_MAX, 1, 1000 },
		{ "1e999", -DBL_MAX, DBL_MAX, 0, 0 },
		{ "1e-999", -DBL_MAX, DBL_MAX, 0, 0 },
		{ "inf", -DBL_MAX, DBL_MAX, 0, 0 },
		{ "nan", -DBL_MAX, DBL_MAX, 0, 0 },
		{ "0x10", -DBL_MAX, DBL_MAX, 0, 0 },
		{ " 1", -DBL_MAX, DBL_MAX, 0, 0 },
		{ "1s", -DBL_MAX, DBL_MAX, 0, 0 },
		{ "", -DBL_MAX, DBL_MAX, 0, 0 },
	};
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: \"%s\"\n", i, cases[i].text);
		v = 42;
		assert_int_equal(num_parse_double(cases[i].text, cases[i].min,
		    cases[i].max, &v), cases[i].ok ? 0 : -1);
		assert_true(v == (cases[i].ok ? cases[i].want : 42));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(num_parse_i64_cells),
		cmocka_unit_test(num_parse_i64_len_takes_a_prefix),
		cmocka_unit_test(num_parse_u64_cells),
		cmocka_unit_test(num_is_decimal_cells),
		cmocka_unit_test(num_parse_double_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
