/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who may read /metrics on the main listener (metrics_allowed): loopback
 * peers always, others only with "Bearer TOKEN" equal to --metrics-token;
 * and the audit log's record hash (common/audit_hash.c): stable, and
 * moved by every field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "audit_hash.h"
#include "metrics.h"

static void
metrics_allowed_loopback_or_token(void **state)
{
	static const struct {
		const char *token, *peer, *authz;
		bool ok;
	} cases[] = {
		{ "", "127.0.0.1", NULL, true },
		{ "", "127.8.9.10", NULL, true },
		{ "", "::1", NULL, true },
		{ "", "::ffff:127.0.0.1", NULL, true },
		{ "", "10.0.0.7", NULL, false },
		{ "", "10.0.0.7", "Bearer ", false },
		{ "", NULL, NULL, false },
		{ "s3cret", "10.0.0.7", "Bearer s3cret", true },
		{ "s3cret", "10.0.0.7", "Bearer s3cre", false },
		{ "s3cret", "10.0.0.7", "Bearer s3crett", false },
		{ "s3cret", "10.0.0.7", "bearer s3cret", false },
		{ "s3cret", "10.0.0.7", "s3cret", false },
		{ "s3cret", "2001:db8::1", NULL, false },
		{ "s3cret", "128.0.0.1", "Bearer x", false },
	};
	struct conf conf;
	struct app app;
	size_t i;

	(void)state;
	memset(&app, 0, sizeof(app));
	app.conf = &conf;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&conf, 0, sizeof(conf));
		snprintf(conf.metrics_token, sizeof(conf.metrics_token), "%s",
		    cases[i].token);
		if (metrics_allowed(&app, cases[i].peer, cases[i].authz) !=
		    cases[i].ok)
			fail_msg("case %zu: peer %s authz %s: want %d", i,
			    cases[i].peer ? cases[i].peer : "NULL",
			    cases[i].authz ? cases[i].authz : "NULL",
			    cases[i].ok);
	}
}

static void
audit_hash_moves_with_every_field(void **state)
{
	struct audit_fields f = {
		1, 1700000000, "AKIA1", "CreateJob", "job/j1", "", "j1",
		"127.0.0.1", "rid", "OK", "{}", AUDIT_GENESIS,
	};
	char base[AUDIT_HASH_LEN + 1], h[AUDIT_HASH_LEN + 1];
	const char **strs[] = {
		&f.principal, &f.operation, &f.target, &f.thing, &f.job,
		&f.peer, &f.request_id, &f.result, &f.detail, &f.prev_hash,
	};
	size_t i;

	(void)state;
	assert_int_equal(audit_hash(&f, base), 0);
	assert_int_equal(strlen(base), AUDIT_HASH_LEN);
	assert_int_equal(audit_hash(&f, h), 0);
	assert_string_equal(h, base);
	f.seq = 2;
	assert_int_equal(audit_hash(&f, h), 0);
	assert_string_not_equal(h, base);
	f.seq = 1;
	f.at++;
	assert_int_equal(audit_hash(&f, h), 0);
	assert_string_not_equal(h, base);
	f.at--;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		const char *keep = *strs[i];

		*strs[i] = "x";
		assert_int_equal(audit_hash(&f, h), 0);
		assert_string_not_equal(h, base);
		*strs[i] = keep;
	}
	/* Length-prefixed: moving a byte between fields changes it. */
	f.thing = "a";
	f.job = "bj1";
	assert_int_equal(audit_hash(&f, base), 0);
	f.thing = "ab";
	f.job = "j1";
	assert_int_equal(audit_hash(&f, h), 0);
	assert_string_not_equal(h, base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_allowed_loopback_or_token),
		cmocka_unit_test(audit_hash_moves_with_every_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
