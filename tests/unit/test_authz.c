/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authorization (auth/authz.c) against a real store: operations become
 * IAM actions on the ARNs their input names; a certificate's policies,
 * its attached things and its thing groups' policies decide; a status
 * change applies once the generation moves; the admin key allows all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/authz.h"
#include "conf.h"
#include "store/sqlite_int.h"
#include "store/store.h"

#define CERT_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define CERT_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CERT_X	"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define ARN	"arn:aws:iot:us-east-1:123456789012:"

static char dir[] = "/tmp/iotjobs-test-authz-XXXXXX";
static struct store *st;
static struct authz *z;
static struct conf conf;

/* Runs SQL in one committed write transaction, bumping the generation. */
static void
sql(const char *text)
{
	struct store_tx *tx;
	struct err err;
	char *msg = NULL;

	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	if (sqlite3_exec(sq_db(tx), text, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", text, msg);
	assert_int_equal(sqlite3_exec(sq_db(tx), "UPDATE authz_state SET"
	    " generation = generation + 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_end(tx, true, &err), 0);
}

static void
cert_row(const char *id, const char *status, const char *ca,
    long not_after)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "INSERT INTO certificates (certificate_id,"
	    " pem, status, ca_certificate_id, common_name, not_before,"
	    " not_after, generation_id, created_at, modified_at) VALUES"
	    " ('%s', '', '%s', %s, 'cn-%s', 0, %ld, 'g', 0, 0)", id, status,
	    ca, id, not_after);
	sql(buf);
}

static void
policy_row(const char *name, const char *doc, const char *target)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "INSERT INTO policies (name,"
	    " default_version, next_version, generation_id, created_at,"
	    " modified_at) VALUES ('%s', 1, 2, 'g', 0, 0);"
	    " INSERT INTO policy_versions VALUES ('%s', 1, '%s', 0);"
	    " INSERT INTO policy_targets VALUES ('%s', '%s', 0)", name, name,
	    doc, name, target);
	sql(buf);
}

static int
setup(void **state)
{
	struct err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&conf, 0, sizeof(conf));
	snprintf(conf.region, sizeof(conf.region), "us-east-1");
	snprintf(conf.account_id, sizeof(conf.account_id), "123456789012");
	assert_int_equal(store_open(dir, &st, &err), 0);
	assert_int_equal(authz_open(st, &conf, &z, &err), 0);
	sql("INSERT INTO things (name, thing_id, created_at) VALUES"
	    " ('t1', 'i1', 0), ('t2', 'i2', 0);"
	    " INSERT INTO thing_groups (name, group_id, parent_name,"
	    " created_at) VALUES ('root', 'g1', NULL, 0),"
	    " ('leaf', 'g2', 'root', 0);"
	    " INSERT INTO group_members VALUES ('leaf', 't2');"
	    " INSERT INTO ca_certificates (certificate_id, pem, status,"
	    " subject, not_before, not_after, generation_id, created_at,"
	    " modified_at) VALUES ('ca1', '', 'ACTIVE', 'CN=ca', 0,"
	    " 9999999999, 'g', 0, 0)");
	cert_row(CERT_A, "ACTIVE", "'ca1'", 9999999999L);
	cert_row(CERT_B, "ACTIVE", "NULL", 9999999999L);
	sql("INSERT INTO thing_principals VALUES ('t1', '" ARN "cert/" CERT_A
	    "', 'NON_EXCLUSIVE_THING', 0);"
	    " INSERT INTO thing_principals VALUES ('t2', '" ARN "cert/" CERT_B
	    "', 'NON_EXCLUSIVE_THING', 0)");
	policy_row("own", "{\"Version\":\"2012-10-17\",\"Statement\":[{"
	    "\"Effect\":\"Allow\",\"Action\":\"iotjobsdata:*\",\"Resource\":"
	    "\"" ARN "thing/${iot:Connection.Thing.ThingName}\"},{"
	    "\"Effect\":\"Allow\",\"Action\":\"iot:AddThingToThingGroup\","
	    "\"Resource\":\"" ARN "thinggroup/*\"},{"
	    "\"Effect\":\"Deny\",\"Action\":\"iotjobsdata:UpdateJobExecution\","
	    "\"Resource\":\"" ARN "topic/$aws/things/*/jobs/locked/update\"}]}",
	    ARN "cert/" CERT_A);
	policy_row("grp", "{\"Version\":\"2012-10-17\",\"Statement\":{"
	    "\"Effect\":\"Allow\",\"Action\":\"iotjobsdata:GetPending*\","
	    "\"Resource\":\"" ARN "topic/$aws/things/"
	    "${iot:Connection.Thing.ThingName}/jobs/get\"}}",
	    ARN "thinggroup/root");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	authz_close(z);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* authz_check of OP on PLANE for a certificate principal; ERR filled. */
static int
check(const char *cert, enum plane plane, const char *op, const char *thing,
    const char *job, const char *group, struct err *err)
{
	struct principal who;
	struct authz_request r;
	json_t *in = json_object();
	int rc;

	memset(&who, 0, sizeof(who));
	who.kind = cert != NULL ? PRINCIPAL_CERT : PRINCIPAL_ADMIN;
	if (cert != NULL)
		snprintf(who.cert_id, sizeof(who.cert_id), "%s", cert);
	if (thing != NULL)
		json_object_set_new(in, "thingName", json_string(thing));
	if (job != NULL)
		json_object_set_new(in, "jobId", json_string(job));
	if (group != NULL)
		json_object_set_new(in, "thingGroupName", json_string(group));
	memset(&r, 0, sizeof(r));
	r.who = &who;
	r.plane = plane;
	r.op = op;
	r.in = in;
	err_clear(err);
	rc = authz_check(z, &r, err);
	json_decref(in);
	return rc;
}

static void
authz_admin_may_do_anything(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(check(NULL, PLANE_CONTROL, "DeleteThing", "t1", NULL,
	    NULL, &err), 0);
	assert_int_equal(check(NULL, PLANE_DATA, "UpdateJobExecution", "t9",
	    "j", NULL, &err), 0);
}

static void
authz_cert_reaches_its_attached_thing_only(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(check(CERT_A, PLANE_DATA, "DescribeJobExecution",
	    "t1", "j1", NULL, &err), 0);
	assert_int_equal(check(CERT_A, PLANE_DATA, "DescribeJobExecution",
	    "t2", "j1", NULL, &err), -1);
	assert_string_equal(err.type, "AccessDeniedException");
	assert_int_equal(err.status, 403);
	assert_non_null(strstr(err.msg, "iotjobsdata:DescribeJobExecution"));
	assert_non_null(strstr(err.msg, "thing/t2"));
	assert_non_null(strstr(err.msg, "cert/" CERT_A));
}

static void
authz_deny_on_the_topic_form_beats_the_thing_allow(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(check(CERT_A, PLANE_DATA, "UpdateJobExecution", "t1",
	    "open", NULL, &err), 0);
	assert_int_equal(check(CERT_A, PLANE_DATA, "UpdateJobExecution", "t1",
	    "locked", NULL, &err), -1);
	assert_string_equal(err.type, "AccessDeniedException");
	assert_int_equal(check(CERT_A, PLANE_DATA, "DescribeJobExecution",
	    "t1", "locked", NULL, &err), 0);
}

static void
authz_every_named_resource_must_be_allowed(void **state)
{
	struct err err;

	(void)state;
	/* The group is allowed, the thing (control plane) is not. */
	assert_int_equal(check(CERT_A, PLANE_CONTROL, "AddThingToThingGroup",
	    "t1", NULL, "leaf", &err), -1);
	assert_non_null(strstr(err.msg, "thing/t1"));
	assert_int_equal(check(CERT_A, PLANE_CONTROL, "ListThings", NULL,
	    NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "on resource: *"));
}

static void
authz_arn_members_are_resources(void **state)
{
	struct principal who;
	struct authz_request r;
	struct err err;
	json_t *in = json_pack("{s:s, s:s}", "policyName", "p1", "target",
	    ARN "cert/" CERT_B);

	(void)state;
	memset(&who, 0, sizeof(who));
	who.kind = PRINCIPAL_CERT;
	snprintf(who.cert_id, sizeof(who.cert_id), "%s", CERT_A);
	memset(&r, 0, sizeof(r));
	r.who = &who;
	r.plane = PLANE_CONTROL;
	r.op = "AttachPolicy";
	r.in = in;
	/* The policy is allowed; the target certificate is not. */
	policy_row("attach", "{\"Version\":\"2012-10-17\",\"Statement\":{"
	    "\"Effect\":\"Allow\",\"Action\":\"iot:AttachPolicy\","
	    "\"Resource\":\"" ARN "policy/*\"}}", ARN "cert/" CERT_A);
	sleep(1);
	err_clear(&err);
	assert_int_equal(authz_check(z, &r, &err), -1);
	assert_non_null(strstr(err.msg, "cert/" CERT_B));
	json_decref(in);
}

static void
authz_thing_group_policies_apply_through_ancestors(void **state)
{
	struct err err;

	(void)state;
	/* CERT_B has no policy of its own; t2 is in leaf, under root. */
	assert_int_equal(check(CERT_B, PLANE_DATA, "GetPendingJobExecutions",
	    "t2", NULL, NULL, &err), 0);
	assert_int_equal(check(CERT_B, PLANE_DATA,
	    "StartNextPendingJobExecution", "t2", NULL, NULL, &err), -1);
	/* Not attached to t1: t1's groups (none) and the variable fail. */
	assert_int_equal(check(CERT_B, PLANE_DATA, "GetPendingJobExecutions",
	    "t1", NULL, NULL, &err), -1);
}

static void
authz_unusable_certificates_are_refused(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(check(CERT_X, PLANE_DATA, "GetPendingJobExecutions",
	    "t1", NULL, NULL, &err), -1);
	assert_string_equal(err.type, "UnrecognizedClientException");
	assert_non_null(strstr(err.msg, "not registered"));
	cert_row(CERT_X, "ACTIVE", "NULL", 1000L);
	sleep(1);
	assert_int_equal(check(CERT_X, PLANE_DATA, "GetPendingJobExecutions",
	    "t1", NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "expired"));
}

static void
authz_status_changes_apply_once_the_generation_moves(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(check(CERT_A, PLANE_DATA, "GetPendingJobExecutions",
	    "t1", NULL, NULL, &err), 0);
	sql("UPDATE certificates SET status = 'INACTIVE' WHERE"
	    " certificate_id = '" CERT_A "'");
	sleep(1);
	assert_int_equal(check(CERT_A, PLANE_DATA, "GetPendingJobExecutions",
	    "t1", NULL, NULL, &err), -1);
	assert_string_equal(err.type, "UnrecognizedClientException");
	assert_non_null(strstr(err.msg, "not ACTIVE"));
	sql("UPDATE certificates SET status = 'ACTIVE' WHERE"
	    " certificate_id = '" CERT_A "'; UPDATE ca_certificates SET"
	    " status = 'INACTIVE'");
	sleep(1);
	assert_int_equal(check(CERT_A, PLANE_DATA, "GetPendingJobExecutions",
	    "t1", NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "CA certificate"));
	sql("UPDATE ca_certificates SET status = 'ACTIVE'; DELETE FROM"
	    " policy_targets WHERE policy_name = 'own'");
	sleep(1);
	assert_int_equal(check(CERT_A, PLANE_DATA, "GetPendingJobExecutions",
	    "t1", NULL, NULL, &err), -1);
	assert_string_equal(err.type, "AccessDeniedException");
}

static void
authz_actions_beyond_the_models(void **state)
{
	struct principal who;
	struct err err;

	(void)state;
	memset(&who, 0, sizeof(who));
	who.kind = PRINCIPAL_ADMIN;
	assert_int_equal(authz_check_action(z, &who, "iotjobs:AdvanceClock",
	    "*", NULL, &err), 0);
	who.kind = PRINCIPAL_CERT;
	snprintf(who.cert_id, sizeof(who.cert_id), "%s", CERT_B);
	assert_int_equal(authz_check_action(z, &who, "iotjobs:AdvanceClock",
	    "*", NULL, &err), -1);
	assert_string_equal(err.type, "AccessDeniedException");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(authz_admin_may_do_anything),
		cmocka_unit_test(authz_cert_reaches_its_attached_thing_only),
		cmocka_unit_test(
		    authz_deny_on_the_topic_form_beats_the_thing_allow),
		cmocka_unit_test(authz_every_named_resource_must_be_allowed),
		cmocka_unit_test(authz_arn_members_are_resources),
		cmocka_unit_test(
		    authz_thing_group_policies_apply_through_ancestors),
		cmocka_unit_test(authz_unusable_certificates_are_refused),
		cmocka_unit_test(authz_actions_beyond_the_models),
		cmocka_unit_test(
		    authz_status_changes_apply_once_the_generation_moves),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
