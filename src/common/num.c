/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict numbers (num.h). The integers are parsed digit by digit with the
 * overflow checked before each step, so that no strtoll quirk (leading
 * space, '+', errno left over) reaches a caller; doubles are checked for
 * their syntax first and only then handed to strtod.
 */
#include "num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool
num_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The LEN digits at S (at least one) into *OUT; -1 past UINT64_MAX. */
static int
num_digits(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (!num_is_digit(s[i]))
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
num_parse_i64_len(const char *s, size_t len, int64_t min, int64_t max,
    int64_t *out)
{
	bool neg = len > 0 && s[0] == '-' && min < 0;
	uint64_t mag;
	int64_t v;

	if (num_digits(s + neg, len - neg, &mag) == -1)
		return -1;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return -1;
		v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		    -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return -1;
		v = (int64_t)mag;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
num_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out)
{
	return num_parse_i64_len(text, strlen(text), min, max, out);
}

int
num_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (num_digits(text, strlen(text), &v) == -1 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The count of digits at S[*I..LEN), *I moved past them. */
static size_t
num_skip_digits(const char *s, size_t len, size_t *i)
{
	size_t start = *i;

	while (*i < len && num_is_digit(s[*i]))
		(*i)++;
	return *i - start;
}

bool
num_is_decimal(const char *s, size_t len)
{
	size_t i = 0, digits;

	if (i < len && s[i] == '-')
		i++;
	digits = num_skip_digits(s, len, &i);
	if (i < len && s[i] == '.') {
		i++;
		digits += num_skip_digits(s, len, &i);
	}
	if (digits == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		if (num_skip_digits(s, len, &i) == 0)
			return false;
	}
	return i == len;
}

int
num_parse_double(const char *text, double min, double max, double *out)
{
	char *end;
	double v;

	if (!num_is_decimal(text, strlen(text)))
		return -1;
	errno = 0;
	v = strtod(text, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
