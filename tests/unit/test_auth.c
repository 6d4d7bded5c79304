/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The credential set (environment, credentials.json created 0600 on first
 * start and reused after) and every answer of auth_check: accepted
 * requests, and each 403 error type with its AWS message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "auth/auth.h"
#include "sigv4/sigv4.h"

#define AKID		"AKIAIOTJOBSUNITTEST1"
#define SECRET		"unit/test+secret0123456789abcdefghijklmn"
#define TOKEN		"session-token-of-the-admin/+=="
#define DATE		"20240101T000000Z"
#define BODY		"{\"status\":\"IN_PROGRESS\"}"

#define MSG_MISMATCH	"The request signature we calculated does not match " \
			"the signature you provided. Check your AWS Secret " \
			"Access Key and signing method. Consult the service " \
			"documentation for details."
#define MSG_SHA_MISMATCH "The provided 'x-amz-content-sha256' header does " \
			"not match what was computed."
#define MSG_BAD_TOKEN	"The security token included in the request is " \
			"invalid."
#define MSG_UNSIGNED	"UNSIGNED-PAYLOAD is not accepted for a request " \
			"with a body: sign the SHA-256 of the body."

static char tmpdir[256];

static void
env_clear(void)
{
	unsetenv("IOTJOBS_ACCESS_KEY_ID");
	unsetenv("IOTJOBS_SECRET_ACCESS_KEY");
	unsetenv("IOTJOBS_SESSION_TOKEN");
}

static int
setup(void **state)
{
	(void)state;
	env_clear();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iotjobs-test-auth.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct auth *
open_env(const char *token)
{
	struct auth *a = NULL;
	struct err err;
	bool gen = true;

	setenv("IOTJOBS_ACCESS_KEY_ID", AKID, 1);
	setenv("IOTJOBS_SECRET_ACCESS_KEY", SECRET, 1);
	if (token != NULL)
		setenv("IOTJOBS_SESSION_TOKEN", token, 1);
	if (auth_open(tmpdir, NULL, &a, &gen, &err) != 0)
		fail_msg("auth_open: %s", err.msg);
	assert_false(gen);
	env_clear();
	return a;
}

static bool
all_in(const char *s, const char *alphabet)
{
	return strspn(s, alphabet) == strlen(s);
}

static void
open_generates_file_0600_then_reuses_it(void **state)
{
	char dir[512], path[600];
	const char *akid, *secret;
	char akid1[64], secret1[64];
	struct auth *a = NULL;
	struct stat st;
	struct err err;
	json_error_t jerr;
	json_t *j;
	bool gen = false;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/data", tmpdir);
	snprintf(path, sizeof(path), "%s/credentials.json", dir);
	assert_int_equal(auth_open(dir, NULL, &a, &gen, &err), 0);
	assert_true(gen);
	auth_admin_key(a, &akid, &secret);
	assert_int_equal(strlen(akid), 20);
	assert_memory_equal(akid, "AKIA", 4);
	assert_true(all_in(akid + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
	assert_int_equal(strlen(secret), 40);
	assert_true(all_in(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/"));
	snprintf(akid1, sizeof(akid1), "%s", akid);
	snprintf(secret1, sizeof(secret1), "%s", secret);
	auth_close(a);

	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j,
	    "accessKeyId")), akid1);
	assert_string_equal(json_string_value(json_object_get(j,
	    "secretAccessKey")), secret1);
	json_decref(j);

	/* Second start: the same pair, nothing generated. */
	a = NULL;
	gen = true;
	assert_int_equal(auth_open(dir, NULL, &a, &gen, &err), 0);
	assert_false(gen);
	auth_admin_key(a, &akid, &secret);
	assert_string_equal(akid, akid1);
	assert_string_equal(secret, secret1);
	auth_close(a);

	/* A third data dir gets a different pair. */
	snprintf(dir, sizeof(dir), "%s/data2", tmpdir);
	assert_int_equal(auth_open(dir, NULL, &a, &gen, &err), 0);
	assert_true(gen);
	auth_admin_key(a, &akid, &secret);
	assert_string_not_equal(akid, akid1);
	assert_string_not_equal(secret, secret1);
	auth_close(a);
}

static void
open_prefers_environment(void **state)
{
	char dir[512];
	const char *akid, *secret;
	struct auth *a;
	struct err err;
	bool gen = true;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/env-only", tmpdir);
	setenv("IOTJOBS_ACCESS_KEY_ID", AKID, 1);
	setenv("IOTJOBS_SECRET_ACCESS_KEY", SECRET, 1);
	assert_int_equal(auth_open(dir, NULL, &a, &gen, &err), 0);
	assert_false(gen);
	auth_admin_key(a, &akid, &secret);
	assert_string_equal(akid, AKID);
	assert_string_equal(secret, SECRET);
	assert_int_equal(access(dir, F_OK), -1);	/* nothing written */
	auth_close(a);

	/* Half a pair is a configuration error. */
	unsetenv("IOTJOBS_SECRET_ACCESS_KEY");
	assert_int_equal(auth_open(dir, NULL, &a, &gen, &err), -1);
	assert_null(a);
	assert_non_null(strstr(err.msg, "must be set together"));
	/* So is a key that cannot appear in a Credential. */
	setenv("IOTJOBS_ACCESS_KEY_ID", "AK/ID", 1);
	setenv("IOTJOBS_SECRET_ACCESS_KEY", SECRET, 1);
	assert_int_equal(auth_open(dir, NULL, &a, &gen, &err), -1);
	env_clear();
}

static void
open_rejects_bad_credentials_file(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"accessKeyId\":\"AKIA1\"}",
		"{\"accessKeyId\":\"AKIA1\",\"secretAccessKey\":\"s\","
		    "\"accessKeyId\":\"AKIA2\"}",
		"{\"accessKeyId\":\"AKIA1\",\"secretAccessKey\":\"s\","
		    "\"region\":\"x\"}",
		"{\"accessKeyId\":\"AKIA1\",\"secretAccessKey\":7}",
		"{\"accessKeyId\":\"AKIA1\",\"secretAccessKey\":\"s\"} x",
		"{\"accessKeyId\":\"\",\"secretAccessKey\":\"s\"}",
	};
	char dir[512], path[600];
	struct auth *a;
	struct err err;
	bool gen;
	size_t i;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bad", tmpdir);
	snprintf(path, sizeof(path), "%s/credentials.json", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(bad[i], f);
		fclose(f);
		a = NULL;
		gen = true;
		if (auth_open(dir, NULL, &a, &gen, &err) != -1)
			fail_msg("accepted credentials file: %s", bad[i]);
		assert_null(a);
		assert_false(gen);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"accessKeyId\":\"AKIDEXAMPLE\",\"secretAccessKey\":\"s3cr"
	    "et\",\"sessionToken\":\"tok\"}", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(auth_open(dir, NULL, &a, &gen, &err), 0);
	assert_false(gen);
	auth_close(a);
}

/* ---- auth_check ----------------------------------------------------- */

struct req {
	struct auth_pair h[8];
	size_t nh;
	char authz[SIGV4_AUTHZ_MAX];
	char hash[SIGV4_HEX_LEN + 1];
	struct auth_request r;
};

/* How a case signs and sends its request. */
struct check_case {
	const char *name;
	bool token_configured;	/* the admin key is session credentials */
	const char *akid;	/* signs as; NULL: AKID */
	const char *secret;	/* NULL: SECRET */
	const char *service;	/* NULL: iot-jobs-data */
	const char *token;	/* X-Amz-Security-Token sent (signed) */
	const char *sha;	/* x-amz-content-sha256 sent (signed) */
	const char *body;	/* body sent; NULL: the body signed */
	int64_t age;		/* now minus the signing time */
	const char *type;	/* expected error type; NULL: accepted */
	const char *msg;	/* expected message (exact) */
};

static void
req_sign(struct req *q, const struct check_case *c)
{
	struct sigv4_scope scope = { "20240101", "us-east-1",
	    "iot-jobs-data" };
	struct sigv4_pair sh[8];
	struct sigv4_request sr;
	struct err err;
	size_t i;

	if (c->service != NULL)
		snprintf(scope.service, sizeof(scope.service), "%s",
		    c->service);
	q->nh = 0;
	q->h[q->nh++] = (struct auth_pair){ "Host", "127.0.0.1:8080" };
	q->h[q->nh++] = (struct auth_pair){ "X-Amz-Date", DATE };
	q->h[q->nh++] = (struct auth_pair){ "Content-Type",
	    "application/json" };
	if (c->token != NULL)
		q->h[q->nh++] = (struct auth_pair){ "X-Amz-Security-Token",
		    c->token };
	if (c->sha != NULL)
		q->h[q->nh++] = (struct auth_pair){ "X-Amz-Content-Sha256",
		    c->sha };
	for (i = 0; i < q->nh; i++)
		sh[i] = (struct sigv4_pair){ q->h[i].name, q->h[i].value };
	sigv4_sha256_hex(BODY, strlen(BODY), q->hash);
	sr = (struct sigv4_request){ .method = "POST",
	    .path = "/things/T/jobs/%24next", .headers = sh,
	    .nheaders = q->nh,
	    .payload_hash = c->sha != NULL ? c->sha : q->hash };
	if (sigv4_sign(&sr, c->akid != NULL ? c->akid : AKID,
	    c->secret != NULL ? c->secret : SECRET, &scope, DATE, q->authz,
	    sizeof(q->authz), &err) != 0)
		fail_msg("sigv4_sign: %s", err.msg);
	q->h[q->nh++] = (struct auth_pair){ "Authorization", q->authz };
	q->r = (struct auth_request){ .method = "POST",
	    .raw_path = "/things/T/jobs/%24next", .headers = q->h,
	    .nheaders = q->nh,
	    .body = (const unsigned char *)(c->body != NULL ? c->body : BODY),
	    .body_len = strlen(c->body != NULL ? c->body : BODY) };
}

static int64_t
date_epoch(const char *d)
{
	int64_t t = 0;

	assert_int_equal(sigv4_parse_date(d, &t), 0);
	return t;
}

static void
check_table(void **state)
{
	static const struct check_case cases[] = {
		{ .name = "ok" },
		{ .name = "ok-iot-service", .service = "iot" },
		{ .name = "ok-execute-api-service", .service = "execute-api" },
		{ .name = "ok-4m59s-old", .age = 299 },
		{ .name = "ok-5m-old", .age = 300 },
		{ .name = "ok-5m-ahead", .age = -300 },
		{ .name = "unknown-key", .akid = "AKIAOTHERKEY00000000",
		    .type = ERR_UNRECOGNIZED_CLIENT, .msg = MSG_BAD_TOKEN },
		{ .name = "wrong-secret", .secret = "not-the-secret",
		    .type = ERR_INVALID_SIGNATURE, .msg = MSG_MISMATCH },
		{ .name = "body-changed", .body = "{\"status\":\"FAILED\"}",
		    .type = ERR_INVALID_SIGNATURE, .msg = MSG_MISMATCH },
		{ .name = "expired", .age = 301,
		    .type = ERR_INVALID_SIGNATURE,
		    .msg = "Signature expired: 20240101T000000Z is now earlier "
		    "than 20240101T000001Z (20240101T000501Z - 5 min.)" },
		{ .name = "future", .age = -301,
		    .type = ERR_INVALID_SIGNATURE,
		    .msg = "Signature not yet current: 20240101T000000Z is "
		    "still later than 20231231T235959Z (20231231T235459Z + 5 "
		    "min.)" },
		{ .name = "wrong-service", .service = "s3",
		    .type = ERR_INVALID_SIGNATURE,
		    .msg = "Credential should be scoped to correct service: "
		    "'iot-jobs-data', 'iot' or 'execute-api', not 's3'. " },
		{ .name = "token-missing", .token_configured = true,
		    .type = ERR_UNRECOGNIZED_CLIENT, .msg = MSG_BAD_TOKEN },
		{ .name = "token-wrong", .token_configured = true,
		    .token = TOKEN "x", .type = ERR_UNRECOGNIZED_CLIENT,
		    .msg = MSG_BAD_TOKEN },
		{ .name = "token-unexpected", .token = TOKEN,
		    .type = ERR_UNRECOGNIZED_CLIENT, .msg = MSG_BAD_TOKEN },
		{ .name = "token-ok", .token_configured = true,
		    .token = TOKEN },
		{ .name = "content-sha256-ok",
		    .sha = "0a707761c7dc9ffaa237f4483ec7c618287a6efc8880c676779"
		    "39e46bdbf22ee" },
		{ .name = "content-sha256-upper-case-hex",
		    .sha = "0A707761C7DC9FFAA237F4483EC7C618287A6EFC8880C676779"
		    "39E46BDBF22EE" },
		{ .name = "content-sha256-mismatch",
		    .sha = "8b7a7a6bc1a5a1e5f3c0d0be0c8d8cbb3b61bf8c6fe2ec3d6d"
		    "6a35ab0bd8d4c4", .type = ERR_INVALID_SIGNATURE,
		    .msg = MSG_SHA_MISMATCH },
		{ .name = "content-sha256-not-hex", .sha = "abc",
		    .type = ERR_INVALID_SIGNATURE,
		    .msg = MSG_SHA_MISMATCH },
		/* The body must be what was signed: only an empty one is. */
		{ .name = "unsigned-payload-with-a-body",
		    .sha = SIGV4_UNSIGNED_PAYLOAD, .body = "anything at all",
		    .type = ERR_INVALID_SIGNATURE, .msg = MSG_UNSIGNED },
		{ .name = "unsigned-payload-empty-body",
		    .sha = SIGV4_UNSIGNED_PAYLOAD, .body = "" },
	};
	struct auth *plain = open_env(NULL), *tok = open_env(TOKEN);
	int64_t t0 = date_epoch(DATE);
	struct auth_result res;
	struct err err;
	struct req q;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct check_case *c = &cases[i];

		req_sign(&q, c);
		err_clear(&err);
		rc = auth_check(c->token_configured ? tok : plain, &q.r,
		    t0 + c->age, &res, &err);
		if (c->type == NULL) {
			if (rc != 0)
				fail_msg("%s: rejected: %s", c->name, err.msg);
			assert_int_equal(res.who.kind, PRINCIPAL_ADMIN);
			assert_string_equal(res.who.access_key_id, AKID);
			assert_string_equal(res.service, c->service != NULL ?
			    c->service : "iot-jobs-data");
			assert_string_equal(res.region, "us-east-1");
			continue;
		}
		if (rc != -1)
			fail_msg("%s: accepted", c->name);
		if (strcmp(err.type, c->type) != 0 ||
		    strcmp(err.msg, c->msg) != 0)
			print_message("case %s\n", c->name);
		assert_string_equal(err.type, c->type);
		assert_int_equal(err.status, 403);
		assert_string_equal(err.msg, c->msg);
	}
	auth_close(plain);
	auth_close(tok);
}

/* Requests edited after signing: header set, header text, dates. */
static void
check_header_level_errors(void **state)
{
	static const struct check_case ok = { .name = "base" };
	struct auth *a = open_env(NULL);
	int64_t t0 = date_epoch(DATE);
	struct auth_result res;
	struct err err;
	struct req q;
	char buf[SIGV4_AUTHZ_MAX];
	size_t i;

	(void)state;
	/* No Authorization at all. */
	req_sign(&q, &ok);
	q.r.nheaders--;
	assert_int_equal(auth_check(a, &q.r, t0, &res, &err), -1);
	assert_string_equal(err.type, ERR_MISSING_AUTH);
	assert_int_equal(err.status, 403);
	assert_string_equal(err.msg, "Missing Authentication Token");

	/* A malformed header. */
	req_sign(&q, &ok);
	q.h[q.nh - 1].value = "AWS4-HMAC-SHA256 Credential=x";
	assert_int_equal(auth_check(a, &q.r, t0, &res, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);
	assert_int_equal(err.status, 403);

	/* Credential day other than the X-Amz-Date day. */
	req_sign(&q, &ok);
	snprintf(buf, sizeof(buf), "%s", q.authz);
	memcpy(strstr(buf, "/20240101/"), "/20240102/", 10);
	q.h[q.nh - 1].value = buf;
	assert_int_equal(auth_check(a, &q.r, t0, &res, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);
	assert_string_equal(err.msg, "Date in Credential scope does not match "
	    "YYYYMMDD from ISO-8601 version of date from HTTP: '20240102' != "
	    "'20240101', from '20240101T000000Z'.");

	/* No date header. */
	req_sign(&q, &ok);
	for (i = 0; i < q.nh; i++)
		if (strcmp(q.h[i].name, "X-Amz-Date") == 0)
			q.h[i].name = "X-Unrelated";
	assert_int_equal(auth_check(a, &q.r, t0, &res, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);
	assert_non_null(strstr(err.msg, "'X-Amz-Date' or a 'Date' header"));

	/* A date that is not ISO 8601 basic. */
	req_sign(&q, &ok);
	q.h[1].value = "2024-01-01T00:00:00Z";
	assert_int_equal(auth_check(a, &q.r, t0, &res, &err), -1);
	assert_non_null(strstr(err.msg, "Date must be in ISO-8601 'basic "
	    "format'. Got '2024-01-01T00:00:00Z'."));

	/* Host not among the signed headers. */
	req_sign(&q, &ok);
	snprintf(buf, sizeof(buf), "%s", q.authz);
	memcpy(strstr(buf, "host;"), "hosx;", 5);
	q.h[q.nh - 1].value = buf;
	q.h[0].name = "Hosx";
	assert_int_equal(auth_check(a, &q.r, t0, &res, &err), -1);
	assert_non_null(strstr(err.msg, "'Host' or ':authority' must be a "
	    "'SignedHeader'"));

	/* Header names are matched in any case; unsigned ones are ignored. */
	req_sign(&q, &ok);
	q.h[0].name = "HOST";
	q.h[q.nh++] = (struct auth_pair){ "User-Agent", "anything" };
	q.r.nheaders = q.nh;
	if (auth_check(a, &q.r, t0, &res, &err) != 0)
		fail_msg("rejected: %s", err.msg);

	/* A signed header sent twice differs from the one signed. */
	req_sign(&q, &ok);
	q.h[q.nh++] = (struct auth_pair){ "Content-Type", "text/plain" };
	q.r.nheaders = q.nh;
	assert_int_equal(auth_check(a, &q.r, t0, &res, &err), -1);
	assert_string_equal(err.msg, MSG_MISMATCH);
	auth_close(a);
}

/* A Date header (IMF-fixdate) stands in for X-Amz-Date. */
static void
check_accepts_http_date_header(void **state)
{
	struct sigv4_scope scope = { "20240101", "us-east-1", "iot" };
	struct sigv4_pair sh[2] = {
		{ "Host", "localhost" },
		{ "Date", "Mon, 01 Jan 2024 00:00:00 GMT" },
	};
	struct auth_pair ah[3];
	struct sigv4_request sr = { .method = "GET", .path = "/jobs",
	    .headers = sh, .nheaders = 2, .payload_hash = SIGV4_EMPTY_SHA256 };
	struct auth_request r;
	struct auth_result res;
	struct auth *a = open_env(NULL);
	char authz[SIGV4_AUTHZ_MAX];
	struct err err;

	(void)state;
	assert_int_equal(sigv4_sign(&sr, AKID, SECRET, &scope, DATE, authz,
	    sizeof(authz), &err), 0);
	ah[0] = (struct auth_pair){ "Host", "localhost" };
	ah[1] = (struct auth_pair){ "Date", "Mon, 01 Jan 2024 00:00:00 GMT" };
	ah[2] = (struct auth_pair){ "Authorization", authz };
	r = (struct auth_request){ .method = "GET", .raw_path = "/jobs",
	    .headers = ah, .nheaders = 3 };
	if (auth_check(a, &r, date_epoch(DATE) + 60, &res, &err) != 0)
		fail_msg("rejected: %s", err.msg);
	assert_string_equal(res.service, "iot");
	auth_close(a);
}

/*
 * Presigned query authentication, signed as botocore's SigV4QueryAuth
 * does (UNSIGNED-PAYLOAD, X-Amz-Signature left out of the canonical
 * query).
 */
static void
check_presigned_query(void **state)
{
	struct sigv4_scope scope = { "20240101", "us-east-1",
	    "iot-jobs-data" };
	struct sigv4_pair sq[6] = {
		{ "X-Amz-Algorithm", "AWS4-HMAC-SHA256" },
		{ "X-Amz-Credential",
		    AKID "%2F20240101%2Fus-east-1%2Fiot-jobs-data%2F"
		    "aws4_request" },
		{ "X-Amz-Date", DATE },
		{ "X-Amz-Expires", "600" },
		{ "X-Amz-SignedHeaders", "host" },
		{ "maxResults", "5" },
	};
	struct sigv4_pair sh[1] = { { "host", "127.0.0.1:8080" } };
	struct sigv4_request sr = { .method = "GET", .path = "/things/T/jobs",
	    .query = sq, .nquery = 6, .headers = sh, .nheaders = 1,
	    .payload_hash = SIGV4_UNSIGNED_PAYLOAD };
	struct auth_pair aq[7], ah[1] = { { "Host", "127.0.0.1:8080" } };
	char creq[2048], sts[512], sig[SIGV4_HEX_LEN + 1];
	struct auth *a = open_env(NULL);
	int64_t t0 = date_epoch(DATE);
	struct auth_request r;
	struct auth_result res;
	struct err err;
	size_t i;

	(void)state;
	assert_int_equal(sigv4_canonical_request(&sr, "host", creq,
	    sizeof(creq), &err), 0);
	assert_int_equal(sigv4_string_to_sign(DATE, &scope, creq, sts,
	    sizeof(sts)), 0);
	assert_int_equal(sigv4_signature(SECRET, &scope, sts, sig), 0);
	for (i = 0; i < 6; i++)
		aq[i] = (struct auth_pair){ sq[i].name, sq[i].value };
	aq[6] = (struct auth_pair){ "X-Amz-Signature", sig };
	r = (struct auth_request){ .method = "GET",
	    .raw_path = "/things/T/jobs", .query = aq, .nquery = 7,
	    .headers = ah, .nheaders = 1 };
	if (auth_check(a, &r, t0 + 599, &res, &err) != 0)
		fail_msg("rejected: %s", err.msg);
	assert_string_equal(res.service, "iot-jobs-data");

	assert_int_equal(auth_check(a, &r, t0 + 601, &res, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);
	assert_string_equal(err.msg, "Request has expired");

	/* The same signature does not cover a body. */
	r.body = (const unsigned char *)"{}";
	r.body_len = 2;
	assert_int_equal(auth_check(a, &r, t0, &res, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);
	assert_string_equal(err.msg, "A presigned request with a body must be "
	    "signed over the SHA-256 of the body, not UNSIGNED-PAYLOAD.");
	r.body = NULL;
	r.body_len = 0;

	aq[5].value = "6";
	assert_int_equal(auth_check(a, &r, t0, &res, &err), -1);
	assert_string_equal(err.msg, MSG_MISMATCH);
	auth_close(a);
}

/*
 * auth_precheck: what the head alone tells (key, scope, date), before a
 * body is read; a wrong signature is for auth_check to find.
 */
static void
precheck_judges_the_claim_not_the_signature(void **state)
{
	static const struct check_case ok = { .name = "base" };
	static const struct check_case unknown = { .name = "unknown",
	    .akid = "AKIAUNKNOWNKEY000000" };
	static const struct check_case wrong = { .name = "wrong-secret",
	    .secret = "not the secret" };
	static const struct check_case scope = { .name = "scope",
	    .service = "s3" };
	struct auth *a = open_env(NULL);
	int64_t t0 = date_epoch(DATE);
	char service[64];
	struct err err;
	struct req q;

	(void)state;
	req_sign(&q, &ok);
	assert_int_equal(auth_precheck(a, &q.r, t0, service, sizeof(service),
	    &err), 0);
	assert_string_equal(service, "iot-jobs-data");
	req_sign(&q, &wrong);
	assert_int_equal(auth_precheck(a, &q.r, t0, service, sizeof(service),
	    &err), 0);
	req_sign(&q, &unknown);
	assert_int_equal(auth_precheck(a, &q.r, t0, service, sizeof(service),
	    &err), -1);
	assert_string_equal(err.type, ERR_UNRECOGNIZED_CLIENT);
	req_sign(&q, &scope);
	assert_int_equal(auth_precheck(a, &q.r, t0, service, sizeof(service),
	    &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);
	req_sign(&q, &ok);
	assert_int_equal(auth_precheck(a, &q.r, t0 + 301, service,
	    sizeof(service), &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);
	q.r.nheaders--;		/* no Authorization */
	assert_int_equal(auth_precheck(a, &q.r, t0, service, sizeof(service),
	    &err), -1);
	assert_string_equal(err.type, ERR_MISSING_AUTH);
	q.h[q.r.nheaders++].value = "AWS4-HMAC-SHA256 Credential=x";
	assert_int_equal(auth_precheck(a, &q.r, t0, service, sizeof(service),
	    &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);
	auth_close(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_generates_file_0600_then_reuses_it),
		cmocka_unit_test(open_prefers_environment),
		cmocka_unit_test(open_rejects_bad_credentials_file),
		cmocka_unit_test(check_table),
		cmocka_unit_test(check_header_level_errors),
		cmocka_unit_test(check_accepts_http_date_header),
		cmocka_unit_test(check_presigned_query),
		cmocka_unit_test(precheck_judges_the_claim_not_the_signature),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
