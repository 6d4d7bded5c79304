/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one percent-decoder (RFC 3986 2.1) of request paths, query strings
 * and SigV4 canonicalization. '+' is never a space: the AWS SDKs encode a
 * space as %20, and SigV4 signs a literal '+' as %2B.
 */
#ifndef IOTJOBS_PCT_H
#define IOTJOBS_PCT_H

#include <stddef.h>

enum pct_mode {
	/* A '%' not followed by two hex digits, or %00, is an error: the
	 * result is a C string, so a NUL would silently cut it. */
	PCT_STRICT,
	/* A malformed escape stays literal and %00 is a NUL byte in the
	 * output: SigV4's canonical query re-encodes what it decodes. */
	PCT_LENIENT,
};

/*
 * Decodes the LEN bytes at S into OUT (SIZE bytes, always NUL-terminated
 * when SIZE > 0), the decoded length (without the NUL) into *OUT_LEN when
 * it is not NULL. Returns 0, or -1 when a STRICT escape is malformed or
 * the result and its NUL do not fit in SIZE (SIZE of LEN + 1 always
 * fits); OUT then holds no partial result.
 */
int pct_decode(const char *s, size_t len, enum pct_mode mode, char *out,
    size_t size, size_t *out_len);

/*
 * The strict decoding of the LEN bytes at S as a new string (caller
 * frees); NULL when an escape is malformed or encodes a NUL.
 */
char *pct_decode_dup(const char *s, size_t len);

#endif
