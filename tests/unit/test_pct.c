/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one percent-decoder (common/pct.c), cell by cell: each escape form
 * in each mode, the encoded NUL, '+', the bounds of the output buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pct.h"

#define NA	((size_t)-1)	/* no decoded length: the call fails */

static const struct {
	const char *in;
	size_t len;		/* of IN, so that a NUL may be inside */
	const char *strict;	/* NULL: rejected */
	size_t strict_len;
	const char *lenient;
	size_t lenient_len;
} cases[] = {
	{ "", 0, "", 0, "", 0 },
	{ "abc", 3, "abc", 3, "abc", 3 },
	{ "a%20b%2Fc", 9, "a b/c", 5, "a b/c", 5 },
	{ "%7e%7E", 6, "~~", 2, "~~", 2 },
	{ "%41%61%4a%4A", 12, "AaJJ", 4, "AaJJ", 4 },
	{ "%E1%88%B4", 9, "\xe1\x88\xb4", 3, "\xe1\x88\xb4", 3 },
	{ "%ff", 3, "\xff", 1, "\xff", 1 },
	{ "a+b", 3, "a+b", 3, "a+b", 3 },
	{ "%2B", 3, "+", 1, "+", 1 },
	{ "%25", 3, "%", 1, "%", 1 },
	{ "%2525", 5, "%25", 3, "%25", 3 },
	{ "%", 1, NULL, NA, "%", 1 },
	{ "100%", 4, NULL, NA, "100%", 4 },
	{ "%4", 2, NULL, NA, "%4", 2 },
	{ "%4x", 3, NULL, NA, "%4x", 3 },
	{ "%zz", 3, NULL, NA, "%zz", 3 },
	{ "%g0", 3, NULL, NA, "%g0", 3 },
	{ "% 20", 4, NULL, NA, "% 20", 4 },
	{ "%%41", 4, NULL, NA, "%A", 2 },
	{ "%00", 3, NULL, NA, "\0", 1 },
	{ "a%00b", 5, NULL, NA, "a\0b", 3 },
	/* LEN ends the input: an escape cut by it is malformed. */
	{ "%41", 2, NULL, NA, "%4", 2 },
	{ "ab%41", 2, "ab", 2, "ab", 2 },
};

static void
pct_decode_cells(void **state)
{
	char out[32];
	size_t i, n;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: \"%s\"\n", i, cases[i].in);
		n = NA;
		rc = pct_decode(cases[i].in, cases[i].len, PCT_STRICT, out,
		    sizeof(out), &n);
		if (cases[i].strict == NULL) {
			assert_int_equal(rc, -1);
			assert_string_equal(out, "");
			assert_int_equal(n, NA);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(n, cases[i].strict_len);
			assert_memory_equal(out, cases[i].strict, n + 1);
		}
		n = NA;
		assert_int_equal(pct_decode(cases[i].in, cases[i].len,
		    PCT_LENIENT, out, sizeof(out), &n), 0);
		assert_int_equal(n, cases[i].lenient_len);
		assert_memory_equal(out, cases[i].lenient, n + 1);
	}
}

static void
pct_decode_dup_is_strict(void **state)
{
	char *s;

	(void)state;
	s = pct_decode_dup("a%20b%2Fc", 9);
	assert_string_equal(s, "a b/c");
	free(s);
	s = pct_decode_dup("", 0);
	assert_string_equal(s, "");
	free(s);
	assert_null(pct_decode_dup("%4", 2));
	assert_null(pct_decode_dup("%zz", 3));
	assert_null(pct_decode_dup("%00", 3));
}

/* The result and its NUL must fit; a failure leaves no partial text. */
static void
pct_decode_bounds_its_output(void **state)
{
	char out[4];
	size_t n = NA;

	(void)state;
	assert_int_equal(pct_decode("abc", 3, PCT_STRICT, out, 4, &n), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(pct_decode("%41%42%43", 9, PCT_STRICT, out, 4, &n),
	    0);
	assert_string_equal(out, "ABC");
	n = NA;
	assert_int_equal(pct_decode("abcd", 4, PCT_STRICT, out, 4, &n), -1);
	assert_string_equal(out, "");
	assert_int_equal(n, NA);
	assert_int_equal(pct_decode("abcd", 4, PCT_LENIENT, out, 4, &n), -1);
	assert_string_equal(out, "");
	assert_int_equal(pct_decode("", 0, PCT_STRICT, out, 1, NULL), 0);
	assert_string_equal(out, "");
	assert_int_equal(pct_decode("", 0, PCT_STRICT, out, 0, NULL), -1);
	assert_int_equal(pct_decode("a", 1, PCT_LENIENT, out, 1, NULL), -1);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pct_decode_cells),
		cmocka_unit_test(pct_decode_dup_is_strict),
		cmocka_unit_test(pct_decode_bounds_its_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
