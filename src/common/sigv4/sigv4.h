/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS Signature Version 4 primitives, shared by the daemon's verifier and
 * every client we write: canonical request, string to sign, signing key,
 * signature, the Authorization header (parse and produce).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/
 *     reference_sigv-create-signed-request.html
 * Inputs are bounded by the SIGV4_MAX_* caps; anything past them fails.
 */
#ifndef IOTJOBS_SIGV4_H
#define IOTJOBS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SIGV4_ALGORITHM		"AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR	"aws4_request"
#define SIGV4_UNSIGNED_PAYLOAD	"UNSIGNED-PAYLOAD"
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define SIGV4_HEX_LEN		64	/* hex SHA-256 / signature */
#define SIGV4_KEY_LEN		32	/* raw HMAC-SHA256 output */
#define SIGV4_DATE_LEN		16	/* YYYYMMDDTHHMMSSZ */
#define SIGV4_DAY_LEN		8	/* YYYYMMDD */
/* region, service: auth_result holds them in char[64] */
#define SIGV4_SCOPE_PART_MAX	63
#define SIGV4_AKID_MAX		128	/* AWS AccessKeyId: 16..128 */
#define SIGV4_MAX_HEADERS	64	/* names in SignedHeaders */
#define SIGV4_MAX_QUERY		128	/* query parameters */
#define SIGV4_HEADER_NAME_MAX	128
#define SIGV4_SIGNED_HEADERS_MAX 2048	/* the SignedHeaders list */
#define SIGV4_CANONICAL_MAX	65536	/* canonical request, all parts */
#define SIGV4_AUTHZ_MAX		4096	/* an Authorization header we make */

/*
 * A header, or a raw query parameter as received (still percent-encoded).
 * VALUE is NULL for a query key without "=".
 */
struct sigv4_pair {
	const char *name;
	const char *value;
};

/* What is signed. */
struct sigv4_request {
	const char *method;
	const char *path;	/* as on the wire: percent-encoded, no query */
	const struct sigv4_pair *query;	/* raw pairs, any order */
	size_t nquery;
	const struct sigv4_pair *headers;	/* any case, may repeat */
	size_t nheaders;
	const char *payload_hash;	/* hex SHA-256 or UNSIGNED-PAYLOAD */
};

/* The credential scope: DATE/REGION/SERVICE/aws4_request. */
struct sigv4_scope {
	char day[SIGV4_DAY_LEN + 1];
	char region[SIGV4_SCOPE_PART_MAX + 1];
	char service[SIGV4_SCOPE_PART_MAX + 1];
};

/* A parsed Authorization header (all members NUL-terminated). */
struct sigv4_authz {
	char access_key_id[SIGV4_AKID_MAX + 1];
	struct sigv4_scope scope;
	char terminator[SIGV4_SCOPE_PART_MAX + 1];
	char signed_headers[SIGV4_SIGNED_HEADERS_MAX + 1];
	char signature[SIGV4_HEX_LEN + 1];
};

/* Hex SHA-256 of DATA into OUT (65 bytes, NUL-terminated). 0 or -1. */
int sigv4_sha256_hex(const void *data, size_t len,
    char out[SIGV4_HEX_LEN + 1]);

/* Raw HMAC-SHA256 of MSG under KEY into OUT. Returns 0 or -1. */
int sigv4_hmac_sha256(const void *key, size_t key_len, const void *msg,
    size_t msg_len, unsigned char out[SIGV4_KEY_LEN]);

/*
 * The signing key for SECRET and SCOPE into KEY. The caller wipes KEY
 * (explicit_bzero) when done. Returns 0 or -1.
 */
int sigv4_signing_key(const char *secret, const struct sigv4_scope *scope,
    unsigned char key[SIGV4_KEY_LEN]);

/*
 * Appends the RFC 3986 encoding of S[0..LEN) to OUT (cap OUT_SIZE, NUL
 * kept): unreserved A-Za-z0-9-_.~ as is, the rest as %XX (upper case),
 * '/' kept when KEEP_SLASH. *OUT_LEN is the current length and is
 * advanced. Returns -1 when OUT is too small.
 */
int sigv4_uri_encode(const char *s, size_t len, bool keep_slash, char *out,
    size_t out_size, size_t *out_len);

/*
 * The canonical URI of PATH: "." and ".." segments and empty segments
 * removed (as botocore and the JS SDK do), then every segment URI-encoded.
 * Fed the path as received (already percent-encoded by the client), this
 * is AWS's double encoding for services other than S3: "%24next" becomes
 * "%2524next". Returns 0, or -1 with ERR set (InvalidSignatureException).
 */
int sigv4_canonical_uri(const char *path, char *out, size_t out_size,
    struct err *err);

/*
 * The canonical query string of the N raw pairs Q: each name and value
 * percent-decoded then RFC 3986 encoded, sorted by name then value,
 * "k=" for an empty or missing value. Pairs named SKIP (may be NULL) are
 * left out. Returns 0, or -1 with ERR set.
 */
int sigv4_canonical_query(const struct sigv4_pair *q, size_t n,
    const char *skip, char *out, size_t out_size, struct err *err);

/*
 * The canonical request of R over the headers named in SIGNED_HEADERS
 * ("a;b;c", lower case, as the Authorization header lists them). A listed
 * header missing from R fails. Returns 0, or -1 with ERR set
 * (InvalidSignatureException).
 */
int sigv4_canonical_request(const struct sigv4_request *r,
    const char *signed_headers, char *out, size_t out_size, struct err *err);

/* The string to sign for a canonical request, into OUT. Returns 0 or -1. */
int sigv4_string_to_sign(const char *amz_date,
    const struct sigv4_scope *scope, const char *canonical_request,
    char *out, size_t out_size);

/*
 * The hex signature of STRING_TO_SIGN under SECRET and SCOPE into SIG.
 * The derived key is wiped before returning. Returns 0 or -1.
 */
int sigv4_signature(const char *secret, const struct sigv4_scope *scope,
    const char *string_to_sign, char sig[SIGV4_HEX_LEN + 1]);

/*
 * Signs R as a client does: every header of R is signed (R must already
 * carry Host, X-Amz-Date equal to AMZ_DATE, and X-Amz-Security-Token when
 * the credentials have one). Writes the Authorization header value into
 * AUTHZ. Returns 0, or -1 with ERR set.
 */
int sigv4_sign(const struct sigv4_request *r, const char *access_key_id,
    const char *secret, const struct sigv4_scope *scope, const char *amz_date,
    char *authz, size_t authz_size, struct err *err);

/*
 * Parses an Authorization header value ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=..., Signature=...") into OUT. Returns 0, or -1 with ERR
 * set (InvalidSignatureException, 403) naming what is wrong.
 */
int sigv4_parse_authz(const char *value, struct sigv4_authz *out,
    struct err *err);

/*
 * Parses a Credential value "AKID/YYYYMMDD/REGION/SERVICE/aws4_request"
 * into the members of OUT (signed_headers and signature untouched).
 */
int sigv4_parse_credential(const char *value, size_t len,
    struct sigv4_authz *out, struct err *err);

/* Parses "YYYYMMDDTHHMMSSZ" into epoch seconds. Returns 0 or -1. */
int sigv4_parse_date(const char *s, int64_t *epoch);

/* Formats epoch seconds as "YYYYMMDDTHHMMSSZ" into OUT. */
void sigv4_format_date(int64_t epoch, char out[SIGV4_DATE_LEN + 1]);

#endif
