/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SigV4 verification of one HTTP request against the credential set
 * (auth.h): the Authorization header, or presigned X-Amz-* query
 * parameters, signed by the admin key or an operator key (auth_opkey.c).
 * The signature is recomputed over exactly the headers the client listed
 * in SignedHeaders, since botocore and the JS SDK sign different sets
 * (WIRE.md section 3).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
#include "auth/auth_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "num.h"
#include "pct.h"
#include "sigv4/sigv4.h"

#define SKEW_SECONDS	300	/* AWS allows 5 minutes either way */
#define PRESIGN_MAX_TTL	604800	/* 7 days, as AWS */
#define STS_MAX		512

#define MSG_MISSING	"Missing Authentication Token"
#define MSG_BAD_TOKEN	"The security token included in the request is " \
			"invalid."
#define MSG_MISMATCH	"The request signature we calculated does not match " \
			"the signature you provided. Check your AWS Secret " \
			"Access Key and signing method. Consult the service " \
			"documentation for details."
#define MSG_SHA_MISMATCH "The provided 'x-amz-content-sha256' header does " \
			"not match what was computed."
#define MSG_UNSIGNED	"UNSIGNED-PAYLOAD is not accepted for a request " \
			"with a body: sign the SHA-256 of the body."
#define MSG_UNSIGNED_PRESIGNED "A presigned request with a body must be " \
			"signed over the SHA-256 of the body, not " \
			"UNSIGNED-PAYLOAD."

static const char *const services[] = { "iot-jobs-data", "iot", "execute-api" };

/* What one request claims, from its header or its query. */
struct claim {
	struct sigv4_authz az;
	char date[SIGV4_DATE_LEN + 1];	/* ISO 8601 basic */
	int64_t when;
	int64_t expires;	/* presigned only; 0 for header auth */
	const char *token;	/* X-Amz-Security-Token or NULL */
	char *token_buf;	/* decoded presigned token, owned */
	bool presigned;
};

static int
invalid(struct err *err, const char *msg)
{
	return err_set_status(err, 403, ERR_INVALID_SIGNATURE, "%s", msg);
}

/* The value of header NAME, NULL when absent; *COUNT how often it came. */
static const char *
header_get(const struct auth_request *r, const char *name, size_t *count)
{
	const char *v = NULL;
	size_t i, n = 0;

	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name) != 0)
			continue;
		if (n++ == 0)
			v = r->headers[i].value != NULL ?
			    r->headers[i].value : "";
	}
	if (count != NULL)
		*count = n;
	return v;
}

static const struct auth_pair *
query_get(const struct auth_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, name) == 0)
			return &r->query[i];
	return NULL;
}

/* Parses an IMF-fixdate Date header ("Sun, 06 Nov 1994 08:49:37 GMT"). */
static int
parse_http_date(const char *s, int64_t *epoch)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*epoch = (int64_t)t;
	return 0;
}

static int
claim_date(struct claim *c, const char *s, bool iso_only, struct err *err)
{
	char q[SIGV4_DATE_LEN * 2 + 1];

	if (sigv4_parse_date(s, &c->when) == 0) {
		snprintf(c->date, sizeof(c->date), "%s", s);
		return 0;
	}
	if (!iso_only && parse_http_date(s, &c->when) == 0) {
		sigv4_format_date(c->when, c->date);
		return 0;
	}
	snprintf(q, sizeof(q), "%s", s);
	for (size_t i = 0; q[i] != '\0'; i++)
		if (q[i] < 0x20 || q[i] >= 0x7f)
			q[i] = '?';
	return err_set_status(err, 403, ERR_INVALID_SIGNATURE, "Date must be "
	    "in ISO-8601 'basic format'. Got '%s'. See "
	    "http://en.wikipedia.org/wiki/ISO_8601", q);
}

static int
claim_from_header(const struct auth_request *r, const char *authz,
    struct claim *c, struct err *err)
{
	const char *d, *tok;
	size_t n;

	if (sigv4_parse_authz(authz, &c->az, err) == -1)
		return -1;
	d = header_get(r, "x-amz-date", &n);
	if (d == NULL)
		d = header_get(r, "date", &n);
	if (d == NULL)
		return invalid(err, "Authorization header requires existence "
		    "of either a 'X-Amz-Date' or a 'Date' header.");
	if (n > 1)
		return invalid(err, "The request carries more than one date "
		    "header.");
	if (claim_date(c, d, false, err) == -1)
		return -1;
	tok = header_get(r, "x-amz-security-token", &n);
	if (n > 1)
		return invalid(err, "The request carries more than one "
		    "X-Amz-Security-Token header.");
	c->token = tok;
	return 0;
}

/* Decoded value of query parameter NAME into OUT; -1 if absent/too long. */
static int
query_decoded(const struct auth_request *r, const char *name, char *out,
    size_t size)
{
	const struct auth_pair *p = query_get(r, name);

	if (p == NULL || p->value == NULL)
		return -1;
	return pct_decode(p->value, strlen(p->value), PCT_LENIENT, out, size,
	    NULL);
}

static int
claim_from_query(const struct auth_request *r, struct claim *c,
    struct err *err)
{
	char v[SIGV4_SIGNED_HEADERS_MAX + 1];
	int64_t ttl;

	c->presigned = true;
	if (query_decoded(r, "X-Amz-Algorithm", v, sizeof(v)) == -1 ||
	    strcmp(v, SIGV4_ALGORITHM) != 0)
		return invalid(err, "X-Amz-Algorithm only supports "
		    "AWS4-HMAC-SHA256.");
	if (query_decoded(r, "X-Amz-Credential", v, sizeof(v)) == -1)
		return invalid(err, "Query-string authentication requires the "
		    "X-Amz-Credential parameter.");
	if (sigv4_parse_credential(v, strlen(v), &c->az, err) == -1)
		return -1;
	if (query_decoded(r, "X-Amz-SignedHeaders", c->az.signed_headers,
	    sizeof(c->az.signed_headers)) == -1 ||
	    c->az.signed_headers[0] == '\0')
		return invalid(err, "Query-string authentication requires the "
		    "X-Amz-SignedHeaders parameter.");
	if (query_decoded(r, "X-Amz-Signature", v, sizeof(v)) == -1 ||
	    strlen(v) != SIGV4_HEX_LEN)
		return invalid(err, "Query-string authentication requires the "
		    "X-Amz-Signature parameter (64 hex digits).");
	memcpy(c->az.signature, v, SIGV4_HEX_LEN + 1);
	if (query_decoded(r, "X-Amz-Date", v, sizeof(v)) == -1)
		return invalid(err, "Query-string authentication requires the "
		    "X-Amz-Date parameter.");
	if (claim_date(c, v, true, err) == -1)
		return -1;
	if (query_decoded(r, "X-Amz-Expires", v, sizeof(v)) == -1)
		return invalid(err, "Query-string authentication requires the "
		    "X-Amz-Expires parameter.");
	if (num_parse_i64(v, 1, PRESIGN_MAX_TTL, &ttl) == -1)
		return invalid(err, "X-Amz-Expires must be a number of seconds "
		    "from 1 to 604800.");
	c->expires = ttl;
	if (query_get(r, "X-Amz-Security-Token") != NULL) {
		c->token_buf = malloc(AUTH_TOKEN_MAX + 2);
		if (c->token_buf == NULL ||
		    query_decoded(r, "X-Amz-Security-Token", c->token_buf,
		    AUTH_TOKEN_MAX + 2) == -1)
			return err_set_status(err, 403,
			    ERR_UNRECOGNIZED_CLIENT, MSG_BAD_TOKEN);
		c->token = c->token_buf;
	}
	return 0;
}

/* The key's session token and the request's must both be absent or
 * equal. */
static int
check_token(const struct auth_key *k, const struct claim *c, struct err *err)
{
	size_t n;

	if (k->session_token == NULL && c->token == NULL)
		return 0;
	if (k->session_token == NULL || c->token == NULL)
		goto bad;
	n = strlen(k->session_token);
	if (strlen(c->token) != n ||
	    CRYPTO_memcmp(k->session_token, c->token, n) != 0)
		goto bad;
	return 0;
bad:
	return err_set_status(err, 403, ERR_UNRECOGNIZED_CLIENT, MSG_BAD_TOKEN);
}

static int
check_scope(const struct claim *c, struct err *err)
{
	const struct sigv4_scope *s = &c->az.scope;
	size_t i;

	if (strncmp(s->day, c->date, SIGV4_DAY_LEN) != 0)
		return err_set_status(err, 403, ERR_INVALID_SIGNATURE,
		    "Date in Credential scope does not match YYYYMMDD from "
		    "ISO-8601 version of date from HTTP: '%s' != '%.8s', from "
		    "'%s'.", s->day, c->date, c->date);
	if (strcmp(c->az.terminator, SIGV4_TERMINATOR) != 0)
		return err_set_status(err, 403, ERR_INVALID_SIGNATURE,
		    "Credential should be scoped with a valid terminator: "
		    "'aws4_request', not '%s'. ", c->az.terminator);
	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(s->service, services[i]) == 0)
			return 0;
	return err_set_status(err, 403, ERR_INVALID_SIGNATURE, "Credential "
	    "should be scoped to correct service: 'iot-jobs-data', 'iot' or "
	    "'execute-api', not '%s'. ", s->service);
}

static int
check_time(const struct claim *c, int64_t now, struct err *err)
{
	char lo[SIGV4_DATE_LEN + 1], hi[SIGV4_DATE_LEN + 1];
	char nw[SIGV4_DATE_LEN + 1];

	sigv4_format_date(now, nw);
	if (c->presigned && now > c->when + c->expires)
		return invalid(err, "Request has expired");
	if (!c->presigned && c->when < now - SKEW_SECONDS) {
		sigv4_format_date(now - SKEW_SECONDS, lo);
		return err_set_status(err, 403, ERR_INVALID_SIGNATURE,
		    "Signature expired: %s is now earlier than %s (%s - 5 "
		    "min.)", c->date, lo, nw);
	}
	if (c->when > now + SKEW_SECONDS) {
		sigv4_format_date(now + SKEW_SECONDS, hi);
		return err_set_status(err, 403, ERR_INVALID_SIGNATURE,
		    "Signature not yet current: %s is still later than %s (%s "
		    "+ 5 min.)", c->date, hi, nw);
	}
	return 0;
}

/* True when NAME is one of the ';'-separated SIGNED names. */
static bool
is_signed(const char *signed_headers, const char *name)
{
	size_t n = strlen(name);
	const char *p = signed_headers;

	for (;;) {
		if (strncasecmp(p, name, n) == 0 &&
		    (p[n] == ';' || p[n] == '\0'))
			return true;
		p = strchr(p, ';');
		if (p == NULL)
			return false;
		p++;
	}
}

/*
 * The signature of STS under K's secret and SCOPE. The signing key depends
 * only on the secret and the scope (day, region, service), so each thread
 * keeps the last one it derived: four of the five HMACs of a verification
 * are skipped on every request but the first of a day. The secret is
 * named by its serial, which no other secret of the process ever has.
 */
static int
scope_signature(const struct auth_key *k, const struct sigv4_scope *scope,
    const char *sts, char sig[SIGV4_HEX_LEN + 1])
{
	static __thread struct {
		uint64_t serial;	/* 0: none */
		struct sigv4_scope scope;
		unsigned char key[SIGV4_KEY_LEN];
	} kc;
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[SIGV4_KEY_LEN];
	size_t i;

	if (kc.serial != k->serial || strcmp(kc.scope.day, scope->day) != 0 ||
	    strcmp(kc.scope.region, scope->region) != 0 ||
	    strcmp(kc.scope.service, scope->service) != 0) {
		kc.serial = 0;
		if (sigv4_signing_key(k->secret, scope, kc.key) == -1)
			return -1;
		kc.serial = k->serial;
		snprintf(kc.scope.day, sizeof(kc.scope.day), "%s", scope->day);
		snprintf(kc.scope.region, sizeof(kc.scope.region), "%s",
		    scope->region);
		snprintf(kc.scope.service, sizeof(kc.scope.service), "%s",
		    scope->service);
	}
	if (sigv4_hmac_sha256(kc.key, sizeof(kc.key), sts, strlen(sts),
	    mac) == -1)
		return -1;
	for (i = 0; i < sizeof(mac); i++) {
		sig[2 * i] = hex[mac[i] >> 4];
		sig[2 * i + 1] = hex[mac[i] & 15];
	}
	sig[SIGV4_HEX_LEN] = '\0';
	explicit_bzero(mac, sizeof(mac));
	return 0;
}

/*
 * Compares the signature computed over R with PAYLOAD_HASH against the
 * claimed one. Returns 1 on a match, 0 on a mismatch, -1 with ERR set.
 */
static int
signature_matches(const struct auth_key *k, const struct auth_request *r,
    const struct claim *c, const char *payload_hash, struct err *err)
{
	struct sigv4_pair q[SIGV4_MAX_QUERY], h[SIGV4_MAX_HEADERS * 2];
	struct sigv4_request sr;
	/*
	 * The canonical request, per thread: 64 KB from the heap each time
	 * made every free() consolidate the allocator's free lists.
	 */
	static __thread char creq[SIGV4_CANONICAL_MAX + 1];
	char sts[STS_MAX], sig[SIGV4_HEX_LEN + 1];
	size_t i, nq = 0;
	int rc = -1;

	if (r->nquery > SIGV4_MAX_QUERY || r->nheaders > SIGV4_MAX_HEADERS * 2)
		return invalid(err, "The request has too many headers or query "
		    "parameters to verify its signature.");
	for (i = 0; i < r->nquery; i++)
		if (!c->presigned ||
		    strcmp(r->query[i].name, "X-Amz-Signature") != 0) {
			q[nq].name = r->query[i].name;
			q[nq++].value = r->query[i].value;
		}
	for (i = 0; i < r->nheaders; i++) {
		h[i].name = r->headers[i].name;
		h[i].value = r->headers[i].value;
	}
	sr = (struct sigv4_request){ .method = r->method,
	    .path = r->raw_path, .query = q, .nquery = nq, .headers = h,
	    .nheaders = r->nheaders, .payload_hash = payload_hash };
	if (sigv4_canonical_request(&sr, c->az.signed_headers, creq,
	    sizeof(creq), err) == -1)
		goto out;
	if (sigv4_string_to_sign(c->date, &c->az.scope, creq, sts,
	    sizeof(sts)) == -1 ||
	    scope_signature(k, &c->az.scope, sts, sig) == -1) {
		err_set_status(err, 500, ERR_INTERNAL_FAILURE,
		    "cannot compute the request signature");
		goto out;
	}
	rc = CRYPTO_memcmp(sig, c->az.signature, SIGV4_HEX_LEN) == 0;
out:
	explicit_bzero(sig, sizeof(sig));
	return rc;
}

/* The payload hash the client signed, checked against the body. */
static int
payload_hash(const struct auth_request *r, char out[SIGV4_HEX_LEN + 1],
    bool *declared, struct err *err)
{
	char real[SIGV4_HEX_LEN + 1];
	const char *v;
	size_t n;

	v = header_get(r, "x-amz-content-sha256", &n);
	*declared = v != NULL;
	if (n > 1)
		return invalid(err, MSG_SHA_MISMATCH);
	if (v != NULL && strcmp(v, SIGV4_UNSIGNED_PAYLOAD) == 0) {
		/* The body must be what was signed: only an empty one is. */
		if (r->body_len > 0)
			return invalid(err, MSG_UNSIGNED);
		snprintf(out, SIGV4_HEX_LEN + 1, "%s", v);
		return 0;
	}
	if (sigv4_sha256_hex(r->body != NULL ? (const void *)r->body : "",
	    r->body_len, real) == -1)
		return err_set_status(err, 500, ERR_INTERNAL_FAILURE,
		    "cannot hash the request body");
	if (v != NULL && (strlen(v) != SIGV4_HEX_LEN ||
	    strcasecmp(v, real) != 0))
		return invalid(err, MSG_SHA_MISMATCH);
	snprintf(out, SIGV4_HEX_LEN + 1, "%s", v != NULL ? v : real);
	return 0;
}

/*
 * The key C claims into *K: the admin's, else an ACTIVE operator key.
 * An unknown or revoked key is the same UnrecognizedClientException.
 */
static int
key_find(const struct auth *a, const struct claim *c, struct auth_key *k,
    struct err *err)
{
	size_t n = strlen(a->access_key_id);
	int rc;

	if (strlen(c->az.access_key_id) == n &&
	    CRYPTO_memcmp(c->az.access_key_id, a->access_key_id, n) == 0) {
		k->kind = PRINCIPAL_ADMIN;
		k->secret = a->secret;
		k->session_token = a->session_token;
		k->serial = a->serial;
		return 0;
	}
	rc = a->opkeys == NULL ? 0 :
	    auth_opkeys_find(a->opkeys, c->az.access_key_id, k, err);
	if (rc == -1)
		return -1;
	if (rc == 0)
		return err_set_status(err, 403, ERR_UNRECOGNIZED_CLIENT,
		    MSG_BAD_TOKEN);
	return 0;
}

static int
verify(const struct auth_key *k, const struct auth_request *r,
    struct claim *c, int64_t now, struct err *err)
{
	char hash[SIGV4_HEX_LEN + 1];
	bool declared;
	int m;

	if (check_token(k, c, err) == -1 || check_scope(c, err) == -1 ||
	    check_time(c, now, err) == -1)
		return -1;
	if (!is_signed(c->az.signed_headers, "host"))
		return invalid(err, "'Host' or ':authority' must be a "
		    "'SignedHeader' in the AWS Authorization.");
	if (payload_hash(r, hash, &declared, err) == -1)
		return -1;
	m = signature_matches(k, r, c, hash, err);
	/*
	 * botocore presigns UNSIGNED-PAYLOAD, the JS SDK the body hash; only
	 * the hash covers a body, so UNSIGNED-PAYLOAD only signs none.
	 */
	if (m == 0 && c->presigned && !declared) {
		m = signature_matches(k, r, c, SIGV4_UNSIGNED_PAYLOAD, err);
		if (m == 1 && r->body_len > 0)
			return invalid(err, MSG_UNSIGNED_PRESIGNED);
	}
	if (m == -1)
		return -1;
	if (m == 0)
		return invalid(err, MSG_MISMATCH);
	return 0;
}

/* The claim of R, from its Authorization header or its presigned query. */
static int
claim_load(const struct auth_request *r, struct claim *c, struct err *err)
{
	const char *authz;
	size_t n;

	authz = header_get(r, "authorization", &n);
	if (n > 1)
		return invalid(err, "The request carries more than one "
		    "Authorization header.");
	if (authz != NULL)
		return claim_from_header(r, authz, c, err);
	if (query_get(r, "X-Amz-Algorithm") != NULL)
		return claim_from_query(r, c, err);
	return err_set_status(err, 403, ERR_MISSING_AUTH, MSG_MISSING);
}

static void
claim_release(struct claim *c)
{
	if (c->token_buf != NULL) {
		explicit_bzero(c->token_buf, AUTH_TOKEN_MAX + 2);
		free(c->token_buf);
		c->token_buf = NULL;
	}
	explicit_bzero(&c->az.signature, sizeof(c->az.signature));
}

int
auth_check(const struct auth *a, const struct auth_request *r,
    int64_t now_real, struct auth_result *res, struct err *err)
{
	struct auth_key k;
	struct claim c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	memset(res, 0, sizeof(*res));
	if (claim_load(r, &c, err) == -1 || key_find(a, &c, &k, err) == -1 ||
	    verify(&k, r, &c, now_real, err) == -1)
		goto out;
	res->who.kind = k.kind;
	snprintf(res->who.access_key_id, sizeof(res->who.access_key_id), "%s",
	    c.az.access_key_id);
	if (k.kind == PRINCIPAL_OPERATOR) {
		snprintf(res->who.name, sizeof(res->who.name), "%s", k.name);
		res->who.policy = k.policy;
	}
	snprintf(res->service, sizeof(res->service), "%s",
	    c.az.scope.service);
	snprintf(res->region, sizeof(res->region), "%s", c.az.scope.region);
	rc = 0;
out:
	auth_key_release(&k);
	claim_release(&c);
	return rc;
}

int
auth_precheck(const struct auth *a, const struct auth_request *r,
    int64_t now_real, char *service, size_t size, struct err *err)
{
	struct auth_key k;
	struct claim c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	if (claim_load(r, &c, err) == -1 || key_find(a, &c, &k, err) == -1 ||
	    check_token(&k, &c, err) == -1 || check_scope(&c, err) == -1 ||
	    check_time(&c, now_real, err) == -1)
		goto out;
	snprintf(service, size, "%s", c.az.scope.service);
	rc = 0;
out:
	auth_key_release(&k);
	claim_release(&c);
	return rc;
}
