/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Jobs MQTT topics (mqtt/topic.c) and the payload rules of
 * mqtt/reply.c: which topics are requests, which are the service's own,
 * the rejected codes of the errors the handlers raise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt/reply.h"
#include "mqtt/topic.h"

static void
kind_is(const char *topic, enum topic_kind kind, const char *thing,
    const char *job)
{
	struct topic t;

	topic_parse(topic, &t);
	assert_int_equal(t.kind, kind);
	assert_string_equal(t.thing, thing);
	assert_string_equal(t.job_id, job);
}

static void
test_requests(void **state)
{
	(void)state;
	kind_is("$aws/things/T1/jobs/get", TOPIC_GET_PENDING, "T1", "");
	kind_is("$aws/things/T1/jobs/start-next", TOPIC_START_NEXT, "T1", "");
	kind_is("$aws/things/T1/jobs/$next/get", TOPIC_DESCRIBE, "T1",
	    "$next");
	kind_is("$aws/things/T1/jobs/j-1/get", TOPIC_DESCRIBE, "T1", "j-1");
	kind_is("$aws/things/T1/jobs/j-1/update", TOPIC_UPDATE, "T1", "j-1");
	/* A job may be called "get". */
	kind_is("$aws/things/T1/jobs/get/get", TOPIC_DESCRIBE, "T1", "get");
}

static void
test_service_and_invalid(void **state)
{
	(void)state;
	kind_is("$aws/things/T1/jobs/get/accepted", TOPIC_SERVICE, "T1", "");
	kind_is("$aws/things/T1/jobs/j/update/rejected", TOPIC_SERVICE, "T1",
	    "");
	kind_is("$aws/things/T1/jobs/notify", TOPIC_SERVICE, "T1", "");
	kind_is("$aws/things/T1/jobs/notify-next", TOPIC_SERVICE, "T1", "");
	kind_is("$aws/things/T1/jobs/whatever", TOPIC_INVALID, "T1", "");
	kind_is("$aws/things/T1/jobs/j/delete", TOPIC_INVALID, "T1", "");
	kind_is("$aws/things/T1/jobs/a/b/c", TOPIC_INVALID, "T1", "");
	kind_is("$aws/things/T1/jobs/a/b/c/d", TOPIC_INVALID, "T1", "");
	kind_is("$aws/things/T1/shadow/get", TOPIC_NOT_JOBS, "", "");
	kind_is("foo/bar", TOPIC_NOT_JOBS, "", "");
	/* A job id longer than the model's 64 characters. */
	kind_is("$aws/things/T1/jobs/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "/get", TOPIC_INVALID, "T1", "");
}

static void
test_reply_topics(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(topic_reply("$aws/things/T/jobs/get", 1, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "$aws/things/T/jobs/get/accepted");
	assert_int_equal(topic_reply("$aws/things/T/jobs/get", 0, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "$aws/things/T/jobs/get/rejected");
	assert_int_equal(topic_thing("T", "notify-next", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "$aws/things/T/jobs/notify-next");
	assert_int_equal(topic_reply("$aws/things/T/jobs/get", 1, buf, 10),
	    -1);
}

static void
code_is(const char *type, const char *msg, const char *code)
{
	struct err err;

	err_clear(&err);
	err_set(&err, type, "%s", msg);
	assert_string_equal(reply_code(&err), code);
}

static void
test_codes(void **state)
{
	(void)state;
	code_is(ERR_INVALID_REQUEST, "x", "InvalidRequest");
	code_is(ERR_VALIDATION, "x", "InvalidRequest");
	code_is(ERR_NOT_FOUND, "x", "ResourceNotFound");
	code_is(ERR_STATE_TRANSITION, "x", "InvalidStateTransition");
	code_is(ERR_STATE_TRANSITION, "VersionMismatch: 1 != 2",
	    "VersionMismatch");
	code_is(ERR_TERMINAL_STATE, "x", "TerminalStateReached");
	code_is(ERR_THROTTLING, "x", "RequestThrottled");
	code_is(ERR_UNAVAILABLE, "x", "InternalError");
	code_is(MQTT_INVALID_JSON, "x", "InvalidJson");
	assert_true(reply_code_has_state("VersionMismatch"));
	assert_false(reply_code_has_state("ResourceNotFound"));
}

static void
test_input(void **state)
{
	struct topic t;
	struct err err;
	json_t *in, *tok;
	const char *p = "{\"status\":\"IN_PROGRESS\",\"expectedVersion\":\"7\","
	    "\"clientToken\":\"c1\"}";

	(void)state;
	err_clear(&err);
	topic_parse("$aws/things/T/jobs/j/update", &t);
	assert_int_equal(reply_input(&t, p, strlen(p), &in, &tok, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(in,
	    "expectedVersion")), 7);
	assert_null(json_object_get(in, "clientToken"));
	assert_string_equal(json_string_value(tok), "c1");
	assert_string_equal(json_string_value(json_object_get(in,
	    "thingName")), "T");
	assert_string_equal(json_string_value(json_object_get(in, "jobId")),
	    "j");
	json_decref(in);
	json_decref(tok);
	assert_int_equal(reply_input(&t, "[1]", 3, &in, &tok, &err), -1);
	assert_string_equal(err.type, "InvalidJson");
	assert_null(tok);
	assert_int_equal(reply_input(&t, "", 0, &in, &tok, &err), 0);
	json_decref(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_service_and_invalid),
		cmocka_unit_test(test_reply_topics),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
