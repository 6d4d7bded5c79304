/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request validation against the model: types, required members, lengths,
 * ranges, patterns and enums, with messages that name the member; and the
 * strict input binding of path, query and body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "api/validate.h"
#include "http/input.h"
#include "http/router.h"

static int
setup(void **state)
{
	struct err err;

	(void)state;
	router_init();
	return validate_init(&err);
}

/* Validates BODY as the input of operation OP; returns the error or NULL. */
static int
check(enum plane plane, const char *op, const char *body, struct err *err)
{
	const struct model_op *o = model_op_find(plane, op);
	json_error_t jerr;
	json_t *in = json_loads(body, 0, &jerr);
	int rc;

	assert_non_null(o);
	assert_non_null(in);
	err_clear(err);
	rc = validate_input(o->input, in, validate_errtype(o), err);
	json_decref(in);
	return rc;
}

static void
validate_table(void **state)
{
	static const struct {
		enum plane plane;
		const char *op, *body;
		int ok;
		const char *mention;	/* text the message must contain */
	} cases[] = {
		{ PLANE_CONTROL, "CreateThing", "{\"thingName\":\"fw-1\"}", 1,
		  NULL },
		{ PLANE_CONTROL, "CreateThing", "{\"thingName\":\"a b\"}", 0,
		  "'thingName'" },
		{ PLANE_CONTROL, "CreateThing", "{\"thingName\":\"\"}", 0,
		  "length greater than or equal to 1" },
		{ PLANE_CONTROL, "CreateThing", "{}", 0,
		  "Value null at 'thingName'" },
		{ PLANE_CONTROL, "CreateThing", "{\"thingName\":5}", 0,
		  "expected string" },
		{ PLANE_CONTROL, "CreateJob", "{\"jobId\":\"j\",\"targets\":"
		  "[\"arn\"],\"targetSelection\":\"SOMETIMES\"}", 0,
		  "enum value set" },
		{ PLANE_CONTROL, "CreateJob", "{\"jobId\":\"j\",\"targets\":[]}",
		  0, "'targets'" },
		{ PLANE_CONTROL, "CreateJob", "{\"jobId\":\"j\",\"targets\":"
		  "[\"a\"],\"timeoutConfig\":{\"inProgressTimeoutInMinutes\":"
		  "\"5\"}}", 0, "timeoutConfig.inProgressTimeoutInMinutes" },
		{ PLANE_CONTROL, "CreateJob", "{\"jobId\":\"j\",\"targets\":"
		  "[\"a\"],\"jobExecutionsRolloutConfig\":{\"exponentialRate\":"
		  "{\"baseRatePerMinute\":10,\"incrementFactor\":9,"
		  "\"rateIncreaseCriteria\":{}}}}", 0, "less than or equal to 5" },
		{ PLANE_CONTROL, "CancelJob", "{\"jobId\":\"j\",\"reasonCode\":"
		  "\"lower\"}", 0, "regular expression" },
		{ PLANE_CONTROL, "CancelJob", "{\"jobId\":\"j\",\"reasonCode\":"
		  "\"UPPER_1\",\"comment\":null}", 1, NULL },
		{ PLANE_DATA, "UpdateJobExecution", "{\"jobId\":\"j\","
		  "\"thingName\":\"t\",\"status\":\"SUCCEEDED\","
		  "\"statusDetails\":{\"k\":\"v\"}}", 1, NULL },
		{ PLANE_DATA, "UpdateJobExecution", "{\"jobId\":\"j\","
		  "\"thingName\":\"t\"}", 0, "'status'" },
		{ PLANE_DATA, "UpdateJobExecution", "{\"jobId\":\"j\","
		  "\"thingName\":\"t\",\"status\":\"DONE\"}", 0, "enum" },
		{ PLANE_DATA, "UpdateJobExecution", "{\"jobId\":\"j\","
		  "\"thingName\":\"t\",\"status\":\"FAILED\","
		  "\"statusDetails\":{\"bad key\":\"v\"}}", 0,
		  "statusDetails.bad key" },
		{ PLANE_DATA, "UpdateJobExecution", "{\"jobId\":\"j\","
		  "\"thingName\":\"t\",\"status\":\"FAILED\","
		  "\"statusDetails\":{\"k\":\"\\u0001\"}}", 0, "regular" },
		{ PLANE_DATA, "UpdateJobExecution", "{\"jobId\":\"j\","
		  "\"thingName\":\"t\",\"status\":\"FAILED\","
		  "\"expectedVersion\":1.5}", 0, "expected integer" },
		{ PLANE_DATA, "DescribeJobExecution", "{\"jobId\":\"$next\","
		  "\"thingName\":\"t\"}", 1, NULL },
		{ PLANE_DATA, "DescribeJobExecution", "{\"jobId\":\"$nex\","
		  "\"thingName\":\"t\"}", 0, "jobId" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err err;
		int rc = check(cases[i].plane, cases[i].op, cases[i].body,
		    &err);

		if (cases[i].ok) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, err.msg);
			continue;
		}
		if (rc != -1)
			fail_msg("case %zu accepted: %s", i, cases[i].body);
		assert_string_equal(err.type, ERR_INVALID_REQUEST);
		if (strstr(err.msg, cases[i].mention) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg,
			    cases[i].mention);
	}
}

static void
validation_errtype_follows_model(void **state)
{
	(void)state;
	assert_string_equal(validate_errtype(model_op_find(PLANE_CONTROL,
	    "CreateJob")), ERR_INVALID_REQUEST);
	assert_string_equal(validate_errtype(model_op_find(PLANE_CONTROL,
	    "CreateCommand")), ERR_VALIDATION);
	assert_string_equal(validate_errtype(model_op_find(PLANE_DATA,
	    "StartCommandExecution")), ERR_VALIDATION);
}

/* Builds the input of METHOD PATH with QUERY pairs and BODY. */
static int
build(enum plane plane, const char *method, const char *path,
    const struct auth_pair *q, size_t nq, const char *body, json_t **in,
    struct err *err)
{
	struct route_match m;
	int rc;

	err_clear(err);
	assert_int_equal(router_find(plane, method, path, &m, err), 0);
	rc = http_input_build(&m, q, nq, NULL, 0, body, strlen(body),
	    ERR_INVALID_REQUEST, in, err);
	router_match_release(&m);
	return rc;
}

static void
input_binds_path_query_body(void **state)
{
	struct auth_pair q[] = {
		{ "includeJobDocument", "false" },
		{ "executionNumber", "3" },
		{ "unknownParam", "x" },
	};
	struct err err;
	json_t *in;

	(void)state;
	assert_int_equal(build(PLANE_DATA, "GET", "/things/t%3A1/jobs/%24next",
	    q, 3, "", &in, &err), 0);
	assert_string_equal(json_string_value(json_object_get(in,
	    "thingName")), "t:1");
	assert_string_equal(json_string_value(json_object_get(in, "jobId")),
	    "$next");
	assert_true(json_is_false(json_object_get(in, "includeJobDocument")));
	assert_int_equal(json_integer_value(json_object_get(in,
	    "executionNumber")), 3);
	assert_null(json_object_get(in, "unknownParam"));
	json_decref(in);

	/* Body members; path labels win over body keys of the same name. */
	assert_int_equal(build(PLANE_DATA, "POST", "/things/t/jobs/j", NULL, 0,
	    "{\"status\":\"IN_PROGRESS\",\"jobId\":\"other\",\"newer\":1}",
	    &in, &err), 0);
	assert_string_equal(json_string_value(json_object_get(in, "jobId")),
	    "j");
	assert_string_equal(json_string_value(json_object_get(in, "status")),
	    "IN_PROGRESS");
	assert_null(json_object_get(in, "newer"));
	json_decref(in);
}

static void
input_rejects_bad_json_and_scalars(void **state)
{
	static const char *bodies[] = {
		"{\"status\":",			/* truncated */
		"{\"status\":\"A\",\"status\":\"B\"}",	/* duplicate key */
		"[1]",				/* not an object */
		"{\"status\":\"\xff\"}",	/* invalid UTF-8 */
		"{} {}",			/* trailing data */
	};
	struct auth_pair bad_bool[] = { { "includeJobDocument", "yes" } };
	struct auth_pair bad_int[] = { { "executionNumber", "12x" } };
	struct err err;
	json_t *in;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(build(PLANE_DATA, "POST", "/things/t/jobs/j",
		    NULL, 0, bodies[i], &in, &err), -1);
		assert_string_equal(err.type, ERR_INVALID_REQUEST);
	}
	assert_int_equal(build(PLANE_DATA, "GET", "/things/t/jobs/j",
	    bad_bool, 1, "", &in, &err), -1);
	assert_non_null(strstr(err.msg, "includeJobDocument"));
	assert_int_equal(build(PLANE_DATA, "GET", "/things/t/jobs/j",
	    bad_int, 1, "", &in, &err), -1);
	assert_non_null(strstr(err.msg, "executionNumber"));
}

/* Query numbers are the whole text, plain decimal, within their type. */
static void
input_rejects_lenient_numbers(void **state)
{
	static const struct {
		const char *path, *name, *value;
	} cases[] = {
		{ "/things/t/jobs/j", "executionNumber", "+3" },
		{ "/things/t/jobs/j", "executionNumber", " 3" },
		{ "/things/t/jobs/j", "executionNumber", "3 " },
		{ "/things/t/jobs/j", "executionNumber", "0x3" },
		{ "/things/t/jobs/j", "executionNumber",
		    "9223372036854775808" },
		{ "/jobs", "maxResults", "2147483648" },
		{ "/audit/tasks", "startTime", "nan" },
		{ "/audit/tasks", "startTime", "inf" },
		{ "/audit/tasks", "startTime", "0x10" },
		{ "/audit/tasks", "startTime", " 1" },
		{ "/audit/tasks", "startTime", "1e999" },
	};
	struct err err;
	json_t *in;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct auth_pair q[] = { { cases[i].name, cases[i].value } };
		enum plane plane = cases[i].path[1] == 't' ? PLANE_DATA :
		    PLANE_CONTROL;

		print_message("case %zu: %s=\"%s\"\n", i, cases[i].name,
		    cases[i].value);
		assert_int_equal(build(plane, "GET", cases[i].path, q, 1, "",
		    &in, &err), -1);
		assert_string_equal(err.type, ERR_INVALID_REQUEST);
		assert_non_null(strstr(err.msg, cases[i].name));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validate_table),
		cmocka_unit_test(validation_errtype_follows_model),
		cmocka_unit_test(input_binds_path_query_body),
		cmocka_unit_test(input_rejects_bad_json_and_scalars),
		cmocka_unit_test(input_rejects_lenient_numbers),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
