/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Route table: both planes' templates, percent-decoding of labels, literal
 * segments preferred over labels, unknown routes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

static int
setup(void **state)
{
	(void)state;
	router_init();
	return 0;
}

static void
router_matches_both_planes(void **state)
{
	static const struct {
		enum plane plane;
		const char *method, *path, *op;
		const char *label, *value;
	} cases[] = {
		{ PLANE_DATA, "GET", "/things/t1/jobs/j1", "DescribeJobExecution",
		  "jobId", "j1" },
		{ PLANE_DATA, "GET", "/things/t1/jobs/%24next",
		  "DescribeJobExecution", "jobId", "$next" },
		{ PLANE_DATA, "GET", "/things/t1/jobs/$next",
		  "DescribeJobExecution", "jobId", "$next" },
		{ PLANE_DATA, "PUT", "/things/t1/jobs/$next",
		  "StartNextPendingJobExecution", "thingName", "t1" },
		{ PLANE_DATA, "POST", "/things/ok%3Athing/jobs/j1",
		  "UpdateJobExecution", "thingName", "ok:thing" },
		{ PLANE_DATA, "GET", "/things/t1/jobs",
		  "GetPendingJobExecutions", "thingName", "t1" },
		{ PLANE_CONTROL, "GET", "/things/t1/jobs",
		  "ListJobExecutionsForThing", "thingName", "t1" },
		{ PLANE_CONTROL, "PUT", "/jobs/j1", "CreateJob", "jobId", "j1" },
		{ PLANE_CONTROL, "PUT", "/jobs/j1/cancel", "CancelJob", "jobId",
		  "j1" },
		{ PLANE_CONTROL, "PUT", "/thing-groups/addThingToThingGroup",
		  "AddThingToThingGroup", NULL, NULL },
		{ PLANE_CONTROL, "DELETE",
		  "/things/t1/jobs/j1/executionNumber/7", "DeleteJobExecution",
		  "executionNumber", "7" },
		{ PLANE_DATA, "POST", "/command-executions",
		  "StartCommandExecution", NULL, NULL },
		{ PLANE_CONTROL, "POST", "/command-executions",
		  "ListCommandExecutions", NULL, NULL },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct route_match m;
		struct err err;
		int found = 0;

		assert_int_equal(router_find(cases[i].plane, cases[i].method,
		    cases[i].path, &m, &err), 0);
		assert_string_equal(m.op->name, cases[i].op);
		for (j = 0; j < m.nlabels && cases[i].label != NULL; j++) {
			if (strcmp(m.labels[j].name, cases[i].label) != 0)
				continue;
			assert_string_equal(m.labels[j].value,
			    cases[i].value);
			found = 1;
		}
		assert_true(found || cases[i].label == NULL);
		router_match_release(&m);
	}
}

static void
router_rejects_unknown_and_bad(void **state)
{
	static const struct {
		const char *method, *path, *type;
	} cases[] = {
		{ "GET", "/nope", ERR_NOT_FOUND },
		{ "GET", "/", ERR_NOT_FOUND },
		{ "PATCH", "/things/t1/jobs", ERR_NOT_FOUND },
		{ "GET", "relative", ERR_NOT_FOUND },
		/* A slash at the end is an empty label, not no segment. */
		{ "GET", "/things/t1/jobs/", ERR_NOT_FOUND },
		{ "GET", "/things//jobs", ERR_NOT_FOUND },
		{ "GET", "/things/t%2/jobs", ERR_INVALID_REQUEST },
		{ "GET", "/things/t%00/jobs", ERR_INVALID_REQUEST },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct route_match m;
		struct err err;

		err_clear(&err);
		assert_int_equal(router_find(PLANE_DATA, cases[i].method,
		    cases[i].path, &m, &err), -1);
		assert_string_equal(err.type, cases[i].type);
	}
}

/* POST /things/ names no thing: not RegisterThing (POST /things). */
static void
router_trailing_slash_is_an_empty_label(void **state)
{
	struct route_match m;
	struct err err;

	(void)state;
	err_clear(&err);
	assert_int_equal(router_find(PLANE_CONTROL, "POST", "/things/", &m,
	    &err), -1);
	assert_string_equal(err.type, ERR_NOT_FOUND);
	assert_int_equal(err.status, 404);
	assert_int_equal(router_find(PLANE_CONTROL, "POST", "/things", &m,
	    &err), 0);
	assert_string_equal(m.op->name, "RegisterThing");
	router_match_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(router_matches_both_planes),
		cmocka_unit_test(router_rejects_unknown_and_bad),
		cmocka_unit_test(router_trailing_slash_is_an_empty_label),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
