/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SigV4 canonical forms and signatures (sigv4.h). The canonical request
 * follows what the clients we serve compute, botocore (auth.py SigV4Auth)
 * and the JS SDK v3 (@smithy/signature-v4): path normalized then encoded
 * again, query decoded then re-encoded, header values trimmed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
#include "sigv4/sigv4.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pct.h"

#define SIGV4_MAX_SEGMENTS	256
#define SIGV4_STS_MAX		512

static const char hexdig_lower[] = "0123456789abcdef";
static const char hexdig_upper[] = "0123456789ABCDEF";

static int
sig_fail(struct err *err, const char *msg)
{
	return err_set_status(err, 403, ERR_INVALID_SIGNATURE, "%s", msg);
}

/* Appends S[0..N) to OUT, keeping it NUL-terminated; -1 when full. */
static int
put(char *out, size_t size, size_t *len, const char *s, size_t n)
{
	if (size == 0 || n >= size - *len)
		return -1;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

static int
puts0(char *out, size_t size, size_t *len, const char *s)
{
	return put(out, size, len, s, strlen(s));
}

static void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdig_lower[in[i] >> 4];
		out[2 * i + 1] = hexdig_lower[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/*
 * SHA-256 and HMAC-SHA256, fetched from OpenSSL's provider once:
 * EVP_sha256() and HMAC() look their algorithms up again on every call,
 * through a lock that every thread verifying a signature shares.
 * hmac_proto has its digest set and no key; each HMAC starts from a copy.
 */
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;
static EVP_MAC_CTX *hmac_proto;

static void
crypto_fetch(void)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;

	sha256_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		return;
	hmac_proto = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA2-256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (hmac_proto != NULL &&
	    EVP_MAC_CTX_set_params(hmac_proto, params) != 1) {
		EVP_MAC_CTX_free(hmac_proto);
		hmac_proto = NULL;
	}
}

int
sigv4_sha256_hex(const void *data, size_t len, char out[SIGV4_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	out[0] = '\0';
	pthread_once(&crypto_once, crypto_fetch);
	if (sha256_md == NULL ||
	    EVP_Digest(data, len, md, &md_len, sha256_md, NULL) != 1 ||
	    md_len != SIGV4_KEY_LEN)
		return -1;
	hex_encode(md, md_len, out);
	return 0;
}

int
sigv4_hmac_sha256(const void *key, size_t key_len, const void *msg,
    size_t msg_len, unsigned char out[SIGV4_KEY_LEN])
{
	EVP_MAC_CTX *ctx;
	size_t out_len = 0;
	int ok;

	pthread_once(&crypto_once, crypto_fetch);
	if (hmac_proto == NULL || (ctx = EVP_MAC_CTX_dup(hmac_proto)) == NULL)
		return -1;
	ok = EVP_MAC_init(ctx, key, key_len, NULL) == 1 &&
	    EVP_MAC_update(ctx, msg, msg_len) == 1 &&
	    EVP_MAC_final(ctx, out, &out_len, SIGV4_KEY_LEN) == 1 &&
	    out_len == SIGV4_KEY_LEN;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
sigv4_signing_key(const char *secret, const struct sigv4_scope *scope,
    unsigned char key[SIGV4_KEY_LEN])
{
	char seed[4 + 256 + 1];
	unsigned char k[SIGV4_KEY_LEN];
	int n, rc = -1;

	n = snprintf(seed, sizeof(seed), "AWS4%s", secret);
	if (n < 0 || (size_t)n >= sizeof(seed))
		goto out;
	if (sigv4_hmac_sha256(seed, (size_t)n, scope->day,
	    strlen(scope->day), k) == -1 ||
	    sigv4_hmac_sha256(k, sizeof(k), scope->region,
	    strlen(scope->region), k) == -1 ||
	    sigv4_hmac_sha256(k, sizeof(k), scope->service,
	    strlen(scope->service), k) == -1 ||
	    sigv4_hmac_sha256(k, sizeof(k), SIGV4_TERMINATOR,
	    strlen(SIGV4_TERMINATOR), key) == -1)
		goto out;
	rc = 0;
out:
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(k, sizeof(k));
	return rc;
}

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

int
sigv4_uri_encode(const char *s, size_t len, bool keep_slash, char *out,
    size_t out_size, size_t *out_len)
{
	char pct[3];
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c) || (keep_slash && c == '/')) {
			if (put(out, out_size, out_len, s + i, 1) == -1)
				return -1;
			continue;
		}
		pct[0] = '%';
		pct[1] = hexdig_upper[c >> 4];
		pct[2] = hexdig_upper[c & 0x0f];
		if (put(out, out_size, out_len, pct, 3) == -1)
			return -1;
	}
	return 0;
}

struct seg {
	const char *p;
	size_t len;
};

int
sigv4_canonical_uri(const char *path, char *out, size_t out_size,
    struct err *err)
{
	struct seg segs[SIGV4_MAX_SEGMENTS];
	size_t nsegs = 0, len = 0, plen, i;
	const char *p, *end, *slash;

	if (out_size > 0)
		out[0] = '\0';
	if (path == NULL || *path == '\0')
		path = "/";
	plen = strlen(path);
	end = path + plen;
	for (p = path; p < end; p = slash + 1) {
		slash = memchr(p, '/', (size_t)(end - p));
		if (slash == NULL)
			slash = end;
		if (slash == p || (slash - p == 1 && p[0] == '.'))
			continue;
		if (slash - p == 2 && p[0] == '.' && p[1] == '.') {
			if (nsegs > 0)
				nsegs--;
			continue;
		}
		if (nsegs == SIGV4_MAX_SEGMENTS)
			return sig_fail(err, "The request path has too "
			    "many segments to verify its signature.");
		segs[nsegs].p = p;
		segs[nsegs++].len = (size_t)(slash - p);
	}
	if (path[0] == '/' && put(out, out_size, &len, "/", 1) == -1)
		goto toolong;
	for (i = 0; i < nsegs; i++) {
		if (i > 0 && put(out, out_size, &len, "/", 1) == -1)
			goto toolong;
		if (sigv4_uri_encode(segs[i].p, segs[i].len, false, out,
		    out_size, &len) == -1)
			goto toolong;
	}
	if (nsegs > 0 && end[-1] == '/' &&
	    put(out, out_size, &len, "/", 1) == -1)
		goto toolong;
	return 0;
toolong:
	return sig_fail(err,
	    "The request path is too long to verify its signature.");
}

struct qent {
	const char *name;	/* encoded, NUL-terminated */
	const char *value;
};

static int
qent_cmp(const void *a, const void *b)
{
	const struct qent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

/*
 * Decodes then encodes S onto the arena at *ALEN; returns its start. The
 * decoding is lenient: an invalid escape stays literal, to be encoded as
 * %25 (what the SDKs sign for a bare '%').
 */
static const char *
q_reencode(const char *s, char *tmp, size_t tmp_size, char *arena,
    size_t arena_size, size_t *alen)
{
	size_t start = *alen, n;

	if (pct_decode(s, strlen(s), PCT_LENIENT, tmp, tmp_size, &n) == -1 ||
	    sigv4_uri_encode(tmp, n, false, arena, arena_size, alen) == -1 ||
	    put(arena, arena_size, alen, "", 0) == -1 ||
	    *alen + 1 >= arena_size)
		return NULL;
	(*alen)++;	/* keep the NUL that ends this string */
	return arena + start;
}

int
sigv4_canonical_query(const struct sigv4_pair *q, size_t n, const char *skip,
    char *out, size_t out_size, struct err *err)
{
	struct qent ents[SIGV4_MAX_QUERY];
	size_t i, nents = 0, raw = 0, maxone = 0, alen = 0, len = 0;
	char *tmp = NULL, *arena = NULL;
	int rc = -1;

	if (out_size > 0)
		out[0] = '\0';
	if (n > SIGV4_MAX_QUERY)
		return sig_fail(err, "The request has too many query "
		    "parameters to verify its signature.");
	for (i = 0; i < n; i++) {
		size_t kl = strlen(q[i].name);
		size_t vl = q[i].value != NULL ? strlen(q[i].value) : 0;

		raw += kl + vl;
		maxone = kl > maxone ? kl : maxone;
		maxone = vl > maxone ? vl : maxone;
		if (raw > SIGV4_CANONICAL_MAX)
			return sig_fail(err, "The query string is too "
			    "long to verify its signature.");
	}
	if (n == 0)
		return 0;
	tmp = malloc(maxone + 1);
	arena = malloc(3 * raw + 2 * n + 2);
	if (tmp == NULL || arena == NULL) {
		err_set_status(err, 500, ERR_INTERNAL_FAILURE, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct qent *e = &ents[nents];

		e->name = q_reencode(q[i].name, tmp, maxone + 1, arena,
		    3 * raw + 2 * n + 2, &alen);
		e->value = q_reencode(q[i].value != NULL ? q[i].value : "",
		    tmp, maxone + 1, arena, 3 * raw + 2 * n + 2, &alen);
		if (e->name == NULL || e->value == NULL) {
			sig_fail(err, "The query string is too long to "
			    "verify its signature.");
			goto out;
		}
		if (skip == NULL || strcmp(e->name, skip) != 0)
			nents++;
	}
	qsort(ents, nents, sizeof(ents[0]), qent_cmp);
	for (i = 0; i < nents; i++) {
		if ((i > 0 && put(out, out_size, &len, "&", 1) == -1) ||
		    puts0(out, out_size, &len, ents[i].name) == -1 ||
		    put(out, out_size, &len, "=", 1) == -1 ||
		    puts0(out, out_size, &len, ents[i].value) == -1) {
			sig_fail(err, "The query string is too long to "
			    "verify its signature.");
			goto out;
		}
	}
	rc = 0;
out:
	free(tmp);
	free(arena);
	return rc;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* Appends V trimmed, inner whitespace runs collapsed to one space. */
static int
put_trimmed(char *out, size_t size, size_t *len, const char *v)
{
	bool any = false, gap = false;

	for (; *v != '\0'; v++) {
		if (is_ws(*v)) {
			gap = any;
			continue;
		}
		if (gap && put(out, size, len, " ", 1) == -1)
			return -1;
		if (put(out, size, len, v, 1) == -1)
			return -1;
		any = true;
		gap = false;
	}
	return 0;
}

/* Appends "name:v1,v2\n" for the header NAME[0..NLEN) of R. */
static int
put_header(const struct sigv4_request *r, const char *name, size_t nlen,
    char *out, size_t size, size_t *len, struct err *err)
{
	char lname[SIGV4_HEADER_NAME_MAX + 1];
	size_t i, found = 0;

	if (nlen == 0 || nlen > SIGV4_HEADER_NAME_MAX)
		return sig_fail(err, "SignedHeaders lists an empty or "
		    "overlong header name.");
	for (i = 0; i < nlen; i++) {
		char c = name[i];

		lname[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	lname[nlen] = '\0';
	if (put(out, size, len, lname, nlen) == -1 ||
	    put(out, size, len, ":", 1) == -1)
		goto toolong;
	for (i = 0; i < r->nheaders; i++) {
		const struct sigv4_pair *h = &r->headers[i];

		if (strlen(h->name) != nlen ||
		    strncasecmp(h->name, lname, nlen) != 0)
			continue;
		if (found++ > 0 && put(out, size, len, ",", 1) == -1)
			goto toolong;
		if (put_trimmed(out, size, len,
		    h->value != NULL ? h->value : "") == -1)
			goto toolong;
	}
	if (found == 0)
		return err_set_status(err, 403, ERR_INVALID_SIGNATURE,
		    "The request lacks the header '%s' that SignedHeaders "
		    "lists.", lname);
	if (put(out, size, len, "\n", 1) == -1)
		goto toolong;
	return 0;
toolong:
	return sig_fail(err,
	    "The request headers are too long to verify its signature.");
}

static int
put_headers(const struct sigv4_request *r, const char *signed_headers,
    char *out, size_t size, size_t *len, struct err *err)
{
	const char *p = signed_headers, *semi;
	size_t count = 0;

	if (strlen(signed_headers) > SIGV4_SIGNED_HEADERS_MAX)
		return sig_fail(err, "SignedHeaders is too long.");
	for (;;) {
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		if (++count > SIGV4_MAX_HEADERS)
			return sig_fail(err,
			    "SignedHeaders lists too many headers.");
		if (put_header(r, p, (size_t)(semi - p), out, size, len,
		    err) == -1)
			return -1;
		if (*semi == '\0')
			return 0;
		p = semi + 1;
	}
}

int
sigv4_canonical_request(const struct sigv4_request *r,
    const char *signed_headers, char *out, size_t out_size, struct err *err)
{
	size_t len;

	if (r->method == NULL || r->payload_hash == NULL)
		return sig_fail(err, "The request has no method or "
		    "payload hash to sign.");
	len = 0;
	if (puts0(out, out_size, &len, r->method) == -1 ||
	    put(out, out_size, &len, "\n", 1) == -1)
		goto toolong;
	if (sigv4_canonical_uri(r->path, out + len, out_size - len, err) == -1)
		return -1;
	len += strlen(out + len);
	if (put(out, out_size, &len, "\n", 1) == -1)
		goto toolong;
	if (sigv4_canonical_query(r->query, r->nquery, NULL, out + len,
	    out_size - len, err) == -1)
		return -1;
	len += strlen(out + len);
	if (put(out, out_size, &len, "\n", 1) == -1)
		goto toolong;
	if (put_headers(r, signed_headers, out, out_size, &len, err) == -1)
		return -1;
	if (put(out, out_size, &len, "\n", 1) == -1 ||
	    puts0(out, out_size, &len, signed_headers) == -1 ||
	    put(out, out_size, &len, "\n", 1) == -1 ||
	    puts0(out, out_size, &len, r->payload_hash) == -1)
		goto toolong;
	return 0;
toolong:
	return sig_fail(err,
	    "The request is too long to verify its signature.");
}

int
sigv4_string_to_sign(const char *amz_date, const struct sigv4_scope *scope,
    const char *canonical_request, char *out, size_t out_size)
{
	char hash[SIGV4_HEX_LEN + 1];
	int n;

	if (sigv4_sha256_hex(canonical_request, strlen(canonical_request),
	    hash) == -1)
		return -1;
	n = snprintf(out, out_size, "%s\n%s\n%s/%s/%s/%s\n%s",
	    SIGV4_ALGORITHM, amz_date, scope->day, scope->region,
	    scope->service, SIGV4_TERMINATOR, hash);
	if (n < 0 || (size_t)n >= out_size)
		return -1;
	return 0;
}

int
sigv4_signature(const char *secret, const struct sigv4_scope *scope,
    const char *string_to_sign, char sig[SIGV4_HEX_LEN + 1])
{
	unsigned char key[SIGV4_KEY_LEN], mac[SIGV4_KEY_LEN];
	int rc = -1;

	sig[0] = '\0';
	if (sigv4_signing_key(secret, scope, key) == -1)
		goto out;
	if (sigv4_hmac_sha256(key, sizeof(key), string_to_sign,
	    strlen(string_to_sign), mac) == -1)
		goto out;
	hex_encode(mac, sizeof(mac), sig);
	rc = 0;
out:
	explicit_bzero(key, sizeof(key));
	explicit_bzero(mac, sizeof(mac));
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a;b;c": the lower-cased, sorted, distinct header names of R. */
static int
signed_header_list(const struct sigv4_request *r, char *out,
    size_t out_size, struct err *err)
{
	char names[SIGV4_MAX_HEADERS][SIGV4_HEADER_NAME_MAX + 1];
	const char *sorted[SIGV4_MAX_HEADERS];
	size_t i, j, n = 0, len = 0;

	out[0] = '\0';
	if (r->nheaders > SIGV4_MAX_HEADERS)
		return sig_fail(err, "Too many headers to sign.");
	for (i = 0; i < r->nheaders; i++) {
		size_t nl = strlen(r->headers[i].name);

		if (nl == 0 || nl > SIGV4_HEADER_NAME_MAX)
			return sig_fail(err, "A header name is empty "
			    "or too long to sign.");
		for (j = 0; j <= nl; j++) {
			char c = r->headers[i].name[j];

			names[n][j] = (c >= 'A' && c <= 'Z') ?
			    (char)(c - 'A' + 'a') : c;
		}
		for (j = 0; j < n; j++)
			if (strcmp(sorted[j], names[n]) == 0)
				break;
		if (j == n) {
			sorted[n] = names[n];
			n++;
		}
	}
	qsort(sorted, n, sizeof(sorted[0]), name_cmp);
	for (i = 0; i < n; i++)
		if ((i > 0 && put(out, out_size, &len, ";", 1) == -1) ||
		    puts0(out, out_size, &len, sorted[i]) == -1)
			return sig_fail(err, "Too many headers to sign.");
	return 0;
}

int
sigv4_sign(const struct sigv4_request *r, const char *access_key_id,
    const char *secret, const struct sigv4_scope *scope, const char *amz_date,
    char *authz, size_t authz_size, struct err *err)
{
	char signed_headers[SIGV4_SIGNED_HEADERS_MAX + 1];
	char sts[SIGV4_STS_MAX], sig[SIGV4_HEX_LEN + 1];
	char *creq;
	int n, rc = -1;

	if (signed_header_list(r, signed_headers, sizeof(signed_headers),
	    err) == -1)
		return -1;
	creq = malloc(SIGV4_CANONICAL_MAX + 1);
	if (creq == NULL)
		return err_set_status(err, 500, ERR_INTERNAL_FAILURE,
		    "out of memory");
	if (sigv4_canonical_request(r, signed_headers, creq,
	    SIGV4_CANONICAL_MAX + 1, err) == -1)
		goto out;
	if (sigv4_string_to_sign(amz_date, scope, creq, sts,
	    sizeof(sts)) == -1 ||
	    sigv4_signature(secret, scope, sts, sig) == -1) {
		sig_fail(err, "Cannot compute the signature.");
		goto out;
	}
	n = snprintf(authz, authz_size, "%s Credential=%s/%s/%s/%s/%s, "
	    "SignedHeaders=%s, Signature=%s", SIGV4_ALGORITHM, access_key_id,
	    scope->day, scope->region, scope->service, SIGV4_TERMINATOR,
	    signed_headers, sig);
	if (n < 0 || (size_t)n >= authz_size) {
		sig_fail(err, "The Authorization header is too long.");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(sig, sizeof(sig));
	free(creq);
	return rc;
}
