/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator keys (auth/opkey.h, auth_opkey.c): sealing (round trip, any
 * changed byte refused, another key refused, the access key id bound as
 * AAD), the key file (0700 folder, 0600 file, reused, refused when open
 * to others or of a wrong size), the name rule, and the verifier: a key
 * made in the store signs requests as PRINCIPAL_OPERATOR, a revoked one
 * is refused within about a second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/opkey.h"
#include "policy.h"
#include "sigv4/sigv4.h"
#include "store/store.h"
#include "store/store_identity.h"
#include "store/store_opkey.h"

#define AKID	"AKIAOPKEYUNITTEST234"
#define SECRET	"opkey/unit+secret0123456789abcdefghijklm"
#define ADMIN_AKID	"AKIAIOTJOBSUNITADMIN"
#define ADMIN_SECRET	"admin/unit+secret0123456789abcdefghijklm"
#define POLICY	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":" \
		"\"Allow\",\"Action\":\"iot:ListThings\",\"Resource\":\"*\"}]}"

static char tmpdir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iotjobs-test-opkey.XXXXXX");
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

static void
key_fill(unsigned char key[OPKEY_KEY_LEN], unsigned char v)
{
	size_t i;

	for (i = 0; i < OPKEY_KEY_LEN; i++)
		key[i] = (unsigned char)(v + i);
}

static void
seal_round_trips(void **state)
{
	unsigned char key[OPKEY_KEY_LEN], a[OPKEY_SEALED_MAX];
	unsigned char b[OPKEY_SEALED_MAX];
	char out[OPKEY_SECRET_MAX + 1];
	size_t alen, blen;
	struct err err;

	(void)state;
	key_fill(key, 1);
	assert_int_equal(opkey_seal(key, AKID, SECRET, a, sizeof(a), &alen,
	    &err), 0);
	assert_int_equal(alen, 1 + OPKEY_NONCE_LEN + strlen(SECRET) +
	    OPKEY_TAG_LEN);
	assert_int_equal(a[0], OPKEY_FORMAT);
	assert_null(memmem(a, alen, SECRET, strlen(SECRET)));
	assert_int_equal(opkey_unseal(key, AKID, a, alen, out, sizeof(out),
	    &err), 0);
	assert_string_equal(out, SECRET);
	/* A fresh nonce each time: the same secret never seals the same. */
	assert_int_equal(opkey_seal(key, AKID, SECRET, b, sizeof(b), &blen,
	    &err), 0);
	assert_int_equal(alen, blen);
	assert_memory_not_equal(a, b, alen);
	assert_int_equal(opkey_unseal(key, AKID, b, blen, out, sizeof(out),
	    &err), 0);
	assert_string_equal(out, SECRET);
}

static void
seal_refuses_any_changed_byte(void **state)
{
	unsigned char key[OPKEY_KEY_LEN], s[OPKEY_SEALED_MAX];
	char out[OPKEY_SECRET_MAX + 1];
	size_t len, i;
	struct err err;

	(void)state;
	key_fill(key, 7);
	assert_int_equal(opkey_seal(key, AKID, SECRET, s, sizeof(s), &len,
	    &err), 0);
	for (i = 0; i < len; i++) {
		s[i] ^= 0x01;
		memset(out, 'x', sizeof(out));
		if (opkey_unseal(key, AKID, s, len, out, sizeof(out), &err) !=
		    -1)
			fail_msg("byte %zu changed, yet the secret opened", i);
		assert_string_equal(err.type, ERR_INTERNAL_FAILURE);
		/* Nothing of the secret is left behind on failure. */
		assert_null(memmem(out, sizeof(out), "opkey", 5));
		s[i] ^= 0x01;
	}
	/* Cut short, or one byte longer. */
	assert_int_equal(opkey_unseal(key, AKID, s, len - 1, out, sizeof(out),
	    &err), -1);
	assert_int_equal(opkey_unseal(key, AKID, s, 1 + OPKEY_NONCE_LEN +
	    OPKEY_TAG_LEN, out, sizeof(out), &err), -1);
	s[len] = 0;
	assert_int_equal(opkey_unseal(key, AKID, s, len + 1, out, sizeof(out),
	    &err), -1);
	assert_int_equal(opkey_unseal(key, AKID, s, len, out, sizeof(out),
	    &err), 0);
}

static void
seal_refuses_another_key(void **state)
{
	unsigned char key[OPKEY_KEY_LEN], other[OPKEY_KEY_LEN];
	unsigned char s[OPKEY_SEALED_MAX];
	char out[OPKEY_SECRET_MAX + 1];
	size_t len;
	struct err err;

	(void)state;
	key_fill(key, 1);
	key_fill(other, 1);
	other[OPKEY_KEY_LEN - 1] ^= 0x80;
	assert_int_equal(opkey_seal(key, AKID, SECRET, s, sizeof(s), &len,
	    &err), 0);
	assert_int_equal(opkey_unseal(other, AKID, s, len, out, sizeof(out),
	    &err), -1);
	assert_non_null(strstr(err.msg, "does not open"));
}

/* A sealed secret copied to another key's row does not open there. */
static void
seal_binds_the_access_key_id(void **state)
{
	static const char *const others[] = {
		"AKIAOPKEYUNITTEST235", "AKIAOPKEYUNITTEST23", "",
		"AKIAOPKEYUNITTEST2345", "akiaopkeyunittest234",
	};
	unsigned char key[OPKEY_KEY_LEN], s[OPKEY_SEALED_MAX];
	char out[OPKEY_SECRET_MAX + 1];
	size_t len, i;
	struct err err;

	(void)state;
	key_fill(key, 3);
	assert_int_equal(opkey_seal(key, AKID, SECRET, s, sizeof(s), &len,
	    &err), 0);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (opkey_unseal(key, others[i], s, len, out, sizeof(out),
		    &err) != -1)
			fail_msg("sealed for %s, opened for \"%s\"", AKID,
			    others[i]);
	assert_int_equal(opkey_unseal(key, AKID, s, len, out, sizeof(out),
	    &err), 0);
}

static void
seal_refuses_bad_sizes(void **state)
{
	unsigned char key[OPKEY_KEY_LEN], s[OPKEY_SEALED_MAX];
	char big[OPKEY_SECRET_MAX + 2];
	size_t len;
	struct err err;

	(void)state;
	key_fill(key, 5);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(opkey_seal(key, AKID, big, s, sizeof(s), &len, &err),
	    -1);
	assert_int_equal(opkey_seal(key, AKID, "", s, sizeof(s), &len, &err),
	    -1);
	assert_int_equal(opkey_seal(key, AKID, SECRET, s, sizeof(s) - 1, &len,
	    &err), -1);
}

static void
keyfile_made_0600_in_0700_then_reused(void **state)
{
	unsigned char k1[OPKEY_KEY_LEN], k2[OPKEY_KEY_LEN];
	char dir[512], path[600];
	struct stat sb;
	struct err err;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/kf", tmpdir);
	assert_int_equal(opkey_keyfile_load(dir, false, k1, &err), 0);
	assert_int_equal(opkey_keyfile_load(dir, true, k1, &err), 1);
	snprintf(path, sizeof(path), "%s/tls", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/tls/keys.key", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, OPKEY_KEY_LEN);
	assert_int_equal(opkey_keyfile_load(dir, true, k2, &err), 1);
	assert_memory_equal(k1, k2, OPKEY_KEY_LEN);
	assert_int_equal(opkey_keyfile_load(dir, false, k2, &err), 1);
	assert_memory_equal(k1, k2, OPKEY_KEY_LEN);
	/* No temporary file left behind. */
	snprintf(path, sizeof(path), "ls -A '%s/tls' | grep -qv '^keys.key$'",
	    dir);
	assert_int_not_equal(system(path), 0);
}

static void
keyfile_refused_when_open_or_wrong_size(void **state)
{
	unsigned char key[OPKEY_KEY_LEN];
	char dir[512], path[600];
	struct err err;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/kf2", tmpdir);
	assert_int_equal(opkey_keyfile_load(dir, true, key, &err), 1);
	snprintf(path, sizeof(path), "%s/tls/keys.key", dir);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(opkey_keyfile_load(dir, false, key, &err), -1);
	assert_non_null(strstr(err.msg, "group or others"));
	assert_non_null(strstr(err.msg, "0640"));
	/* Not replaced by a new key either. */
	assert_int_equal(opkey_keyfile_load(dir, true, key, &err), -1);
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(opkey_keyfile_load(dir, false, key, &err), -1);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(opkey_keyfile_load(dir, false, key, &err), 1);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_int_equal(opkey_keyfile_load(dir, false, key, &err), -1);
	assert_non_null(strstr(err.msg, "exactly 32 bytes"));
}

static void
name_rule_table(void **state)
{
	static const struct { const char *name; bool ok; } cases[] = {
		{ "ops", true }, { "ci-deploy_2", true },
		{ "a+b=c,d.e@f-g", true }, { "A", true },
		{ "0123456789012345678901234567890123456789012345678901234567"
		  "890123", true },
		{ "0123456789012345678901234567890123456789012345678901234567"
		  "8901234", false },
		{ "", false }, { "a b", false }, { "a/b", false },
		{ "a\"b", false }, { "a\\b", false }, { "caf\xc3\xa9", false },
		{ "a\tb", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (opkey_name_is_valid(cases[i].name) != cases[i].ok)
			fail_msg("name \"%s\": want %d", cases[i].name,
			    cases[i].ok);
}

static void
policy_check_refuses_bad_documents(void **state)
{
	static const char *const bad[] = {
		"", "[]", "\"x\"", "1", "{", "{\"a\":1}{", "null", "{}",
		"{\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"iot:*\","
		"\"Resource\":\"*\"}]}",
	};
	struct err err;
	size_t i;

	(void)state;
	assert_int_equal(opkey_policy_check(POLICY, strlen(POLICY), &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		if (opkey_policy_check(bad[i], strlen(bad[i]), &err) != -1)
			fail_msg("policy \"%s\" accepted", bad[i]);
		assert_string_equal(err.type, ERR_MALFORMED_POLICY);
	}
}

/* ---- the verifier ---------------------------------------------------- */

struct signed_req {
	struct auth_pair h[3];
	struct auth_request r;
	char authz[SIGV4_AUTHZ_MAX];
};

/* A GET signed by AKID/SECRET at DATE for the control plane. */
static void
sign_get(struct signed_req *q, const char *akid, const char *secret,
    const char *date)
{
	static const struct sigv4_scope scope = {
		"", "us-east-1", "iot"
	};
	struct sigv4_scope sc = scope;
	struct sigv4_pair sh[2];
	struct sigv4_request r;
	struct err err;

	memcpy(sc.day, date, SIGV4_DAY_LEN);
	sc.day[SIGV4_DAY_LEN] = '\0';
	sh[0] = (struct sigv4_pair){ "Host", "localhost:8080" };
	sh[1] = (struct sigv4_pair){ "X-Amz-Date", date };
	r = (struct sigv4_request){ .method = "GET", .path = "/things",
	    .headers = sh, .nheaders = 2,
	    .payload_hash = SIGV4_EMPTY_SHA256 };
	if (sigv4_sign(&r, akid, secret, &sc, date, q->authz,
	    sizeof(q->authz), &err) != 0)
		fail_msg("sigv4_sign: %s", err.msg);
	q->h[0] = (struct auth_pair){ "Host", "localhost:8080" };
	q->h[1] = (struct auth_pair){ "X-Amz-Date", date };
	q->h[2] = (struct auth_pair){ "Authorization", q->authz };
	q->r = (struct auth_request){ .method = "GET", .raw_path = "/things",
	    .headers = q->h, .nheaders = 3 };
}

static struct auth *
open_with_store(const char *dir, struct store **st)
{
	struct auth *a = NULL;
	struct err err;
	bool gen;

	setenv("IOTJOBS_ACCESS_KEY_ID", ADMIN_AKID, 1);
	setenv("IOTJOBS_SECRET_ACCESS_KEY", ADMIN_SECRET, 1);
	unsetenv("IOTJOBS_SESSION_TOKEN");
	if (store_open(dir, st, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	if (auth_open(dir, *st, &a, &gen, &err) != 0)
		fail_msg("auth_open: %s", err.msg);
	unsetenv("IOTJOBS_ACCESS_KEY_ID");
	unsetenv("IOTJOBS_SECRET_ACCESS_KEY");
	return a;
}

static int
key_revoke(struct store *st, const char *which)
{
	enum store_opkey_revoke res;
	struct store_tx *tx;
	struct err err;

	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	assert_int_equal(store_opkey_revoke(tx, which, 1700000100, &res, NULL,
	    &err), 0);
	assert_int_equal(store_end(tx, true, &err), 0);
	return (int)res;
}

static void
operator_key_signs_then_revoked_is_refused(void **state)
{
	static const char date[] = "20240101T000000Z";
	static const char *const res_any[] = { "*" };
	struct policy_facts facts;
	struct opkey_new k1, k2;
	struct signed_req q;
	struct auth_result res;
	const struct policy *p1;
	struct store *st;
	struct auth *a;
	struct err err;
	char dir[512];
	int64_t now;

	(void)state;
	memset(&facts, 0, sizeof(facts));
	assert_int_equal(sigv4_parse_date(date, &now), 0);
	snprintf(dir, sizeof(dir), "%s/verify", tmpdir);
	a = open_with_store(dir, &st);
	/* Made after auth_open: found at once, on the cache miss. */
	if (opkey_create(st, dir, "ops", POLICY, 1700000000, &k1, &err) != 0)
		fail_msg("opkey_create: %s", err.msg);
	assert_memory_equal(k1.access_key_id, "AKIA", 4);
	assert_int_equal(strlen(k1.access_key_id), 20);
	assert_int_equal(strlen(k1.secret), 40);
	assert_int_equal(opkey_create(st, dir, "ops", POLICY, 1700000000, &k2,
	    &err), -1);
	assert_string_equal(err.type, ERR_ALREADY_EXISTS);
	assert_int_equal(opkey_create(st, dir, "ops two", POLICY, 1700000000,
	    &k2, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_REQUEST);
	assert_int_equal(opkey_create(st, dir, "ops2", "[]", 1700000000, &k2,
	    &err), -1);
	assert_string_equal(err.type, ERR_MALFORMED_POLICY);

	sign_get(&q, k1.access_key_id, k1.secret, date);
	if (auth_check(a, &q.r, now, &res, &err) != 0)
		fail_msg("auth_check: %s", err.msg);
	assert_int_equal(res.who.kind, PRINCIPAL_OPERATOR);
	assert_string_equal(res.who.name, "ops");
	assert_string_equal(res.who.access_key_id, k1.access_key_id);
	assert_non_null(res.who.policy);
	p1 = res.who.policy;
	/* Cached: the same policy again. */
	assert_int_equal(auth_check(a, &q.r, now, &res, &err), 0);
	assert_ptr_equal(res.who.policy, p1);

	/* The admin is still the admin, without a policy. */
	sign_get(&q, ADMIN_AKID, ADMIN_SECRET, date);
	assert_int_equal(auth_check(a, &q.r, now, &res, &err), 0);
	assert_int_equal(res.who.kind, PRINCIPAL_ADMIN);
	assert_null(res.who.policy);

	/* A wrong secret for the operator's id: a mismatch, not unknown. */
	sign_get(&q, k1.access_key_id, ADMIN_SECRET, date);
	assert_int_equal(auth_check(a, &q.r, now, &res, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_SIGNATURE);

	assert_int_equal(key_revoke(st, "ops"), STORE_OPKEY_NOW_REVOKED);
	assert_int_equal(key_revoke(st, k1.access_key_id),
	    STORE_OPKEY_WAS_REVOKED);
	assert_int_equal(key_revoke(st, "nobody"), STORE_OPKEY_UNKNOWN);
	usleep(1100 * 1000);
	sign_get(&q, k1.access_key_id, k1.secret, date);
	assert_int_equal(auth_check(a, &q.r, now, &res, &err), -1);
	assert_string_equal(err.type, ERR_UNRECOGNIZED_CLIENT);
	assert_string_equal(err.msg, "The security token included in the "
	    "request is invalid.");
	assert_int_equal(err.status, 403);

	/*
	 * The policy handed out before the revocation is still alive: the
	 * lead's authorization may be evaluating it right now (under ASan,
	 * a freed one would be reported here).
	 */
	assert_int_equal(policy_eval(&p1, 1, "iot:ListThings", res_any, 1,
	    &facts), POLICY_ALLOW);
	assert_int_equal(policy_eval(&p1, 1, "iot:DeleteThing", res_any, 1,
	    &facts), POLICY_DENY_DEFAULT);

	/* An unknown id: the same answer. */
	sign_get(&q, "AKIAUNKNOWNUNKNOWN22", k1.secret, date);
	assert_int_equal(auth_check(a, &q.r, now, &res, &err), -1);
	assert_string_equal(err.type, ERR_UNRECOGNIZED_CLIENT);
	auth_close(a);
	store_close(st);
}

/* The secret is in no file of the data folder; only its sealed form. */
static void
secret_not_in_the_store_file(void **state)
{
	struct opkey_new k;
	struct store *st;
	struct err err;
	char dir[512], cmd[1024];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/grep", tmpdir);
	assert_int_equal(store_open(dir, &st, &err), 0);
	if (opkey_create(st, dir, "ops", POLICY, 1700000000, &k, &err) != 0)
		fail_msg("opkey_create: %s", err.msg);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "grep -rqF -- '%s' '%s'", k.secret, dir);
	assert_int_not_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "grep -rqF -- '%s' '%s'", k.access_key_id,
	    dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seal_round_trips),
		cmocka_unit_test(seal_refuses_any_changed_byte),
		cmocka_unit_test(seal_refuses_another_key),
		cmocka_unit_test(seal_binds_the_access_key_id),
		cmocka_unit_test(seal_refuses_bad_sizes),
		cmocka_unit_test(keyfile_made_0600_in_0700_then_reused),
		cmocka_unit_test(keyfile_refused_when_open_or_wrong_size),
		cmocka_unit_test(name_rule_table),
		cmocka_unit_test(policy_check_refuses_bad_documents),
		cmocka_unit_test(operator_key_signs_then_revoked_is_refused),
		cmocka_unit_test(secret_not_in_the_store_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
