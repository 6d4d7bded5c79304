/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one parser of numbers from outside input (paths, queries, headers,
 * tokens, configuration, command lines): the whole text is the number, in
 * plain decimal, within the caller's bounds. strtol and friends skip
 * spaces, take '+', "0x", "inf" and "nan", and stop at junk; this does not.
 */
#ifndef IOTJOBS_NUM_H
#define IOTJOBS_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parses the LEN bytes at S as a decimal integer from MIN to MAX into
 * *OUT: digits only, after a '-' only when MIN < 0 (no space, no '+',
 * nothing after). Returns 0, or -1 (*OUT untouched) when S is not such a
 * number or is out of range, overflow included.
 */
int num_parse_i64_len(const char *s, size_t len, int64_t min, int64_t max,
    int64_t *out);

/* num_parse_i64_len of the whole of TEXT. */
int num_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out);

/* TEXT as digits only, from MIN to MAX, into *OUT; 0 or -1 (untouched). */
int num_parse_u64(const char *text, uint64_t min, uint64_t max,
    uint64_t *out);

/*
 * Whether the LEN bytes at S are a decimal number: an optional '-', digits
 * with at most one '.' (a digit on one side of it at least), then an
 * optional exponent ('e' or 'E', an optional sign, digits).
 */
bool num_is_decimal(const char *s, size_t len);

/*
 * TEXT as a finite decimal number (num_is_decimal) from MIN to MAX into
 * *OUT. Returns 0, or -1 (*OUT untouched) when it is not one, overflows
 * or underflows a double (strtod's ERANGE), or is out of range.
 */
int num_parse_double(const char *text, double min, double max, double *out);

#endif
