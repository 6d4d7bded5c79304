/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generated model tables (src/gen): routes and statuses of operations
 * on both planes, error statuses, shape constraints, the integrity of the
 * indexes, and the Java-to-PCRE2 pattern translation (every pattern
 * compiles; translated classes keep Java's ASCII meaning).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "gen/model.h"

static const struct model_shape *
shape(enum plane plane, const char *name)
{
	int i = model_shape_find(plane, name);

	if (i < 0)
		fail_msg("shape %s not found in plane %d", name, (int)plane);
	return &model_shapes[i];
}

static const struct model_member *
member(const struct model_shape *s, const char *name)
{
	for (int i = 0; i < s->nmembers; i++)
		if (strcmp(s->members[i].name, name) == 0)
			return &s->members[i];
	fail_msg("shape %s has no member %s", s->name, name);
	return NULL;
}

static void
model_op_find_returns_routes(void **state)
{
	static const struct {
		enum plane plane;
		const char *name, *method, *uri;
		int status;
	} cases[] = {
		{ PLANE_DATA, "DescribeJobExecution", "GET",
		  "/things/{thingName}/jobs/{jobId}", 200 },
		{ PLANE_DATA, "GetPendingJobExecutions", "GET",
		  "/things/{thingName}/jobs", 200 },
		{ PLANE_DATA, "StartNextPendingJobExecution", "PUT",
		  "/things/{thingName}/jobs/$next", 200 },
		{ PLANE_DATA, "UpdateJobExecution", "POST",
		  "/things/{thingName}/jobs/{jobId}", 200 },
		{ PLANE_DATA, "StartCommandExecution", "POST",
		  "/command-executions", 200 },
		{ PLANE_CONTROL, "CreateJob", "PUT", "/jobs/{jobId}", 200 },
		{ PLANE_CONTROL, "DeleteJob", "DELETE", "/jobs/{jobId}", 200 },
		{ PLANE_CONTROL, "DescribeJobExecution", "GET",
		  "/things/{thingName}/jobs/{jobId}", 200 },
		{ PLANE_CONTROL, "DeleteCommand", "DELETE",
		  "/commands/{commandId}", 200 },
		{ PLANE_CONTROL, "GetTopicRuleDestination", "GET",
		  "/destinations/{arn+}", 200 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct model_op *op = model_op_find(cases[i].plane,
		    cases[i].name);

		if (op == NULL)
			fail_msg("operation %s not found", cases[i].name);
		assert_string_equal(op->name, cases[i].name);
		assert_int_equal(op->plane, cases[i].plane);
		assert_string_equal(op->method, cases[i].method);
		assert_string_equal(op->uri, cases[i].uri);
		assert_int_equal(op->http_status, cases[i].status);
		assert_true(op->input >= 0);
	}
	assert_null(model_op_find(PLANE_CONTROL,
	    "StartNextPendingJobExecution"));
	assert_null(model_op_find(PLANE_DATA, "CreateJob"));
	assert_null(model_op_find(PLANE_DATA, "NoSuchOperation"));
	assert_null(model_op_find(PLANE_DATA, ""));
	assert_null(model_op_find(PLANE_DATA, NULL));
	assert_int_equal(model_nops, 5 + 272);
}

static void
model_op_io_and_errors(void **state)
{
	const struct model_op *op;
	const struct model_shape *out;
	int throttling = model_shape_find(PLANE_DATA, "ThrottlingException");
	bool found = false;

	(void)state;
	op = model_op_find(PLANE_CONTROL, "DeleteJob");
	assert_non_null(op);
	assert_int_equal(op->output, -1);
	assert_string_equal(model_shapes[op->input].name, "DeleteJobRequest");

	/* DeleteCommand answers 202 or 204 through an output member. */
	op = model_op_find(PLANE_CONTROL, "DeleteCommand");
	assert_non_null(op);
	assert_true(op->output >= 0);
	out = &model_shapes[op->output];
	assert_string_equal(out->name, "DeleteCommandResponse");
	assert_int_equal(member(out, "statusCode")->loc, LOC_STATUS);

	op = model_op_find(PLANE_DATA, "StartNextPendingJobExecution");
	assert_non_null(op);
	assert_int_equal(op->nerrors, 5);
	for (int i = 0; i < op->nerrors; i++) {
		const struct model_shape *e = &model_shapes[op->errors[i]];

		assert_true(e->is_error);
		assert_int_equal(e->plane, PLANE_DATA);
		if (op->errors[i] == throttling)
			found = true;
	}
	assert_true(found);
}

static void
model_error_status_per_plane(void **state)
{
	static const struct {
		enum plane plane;
		const char *name;
		int status;
	} cases[] = {
		{ PLANE_DATA, "ThrottlingException", 429 },
		{ PLANE_CONTROL, "ThrottlingException", 400 },
		{ PLANE_CONTROL, "LimitExceededException", 410 },
		{ PLANE_DATA, "TerminalStateException", 410 },
		{ PLANE_DATA, "InvalidStateTransitionException", 409 },
		{ PLANE_DATA, "ServiceQuotaExceededException", 402 },
		{ PLANE_CONTROL, "ResourceNotFoundException", 404 },
		{ PLANE_CONTROL, "ResourceAlreadyExistsException", 409 },
		{ PLANE_CONTROL, "UnauthorizedException", 401 },
		{ PLANE_CONTROL, "ServiceUnavailableException", 503 },
		{ PLANE_CONTROL, "InternalFailureException", 500 },
		/* in the other plane only */
		{ PLANE_DATA, "LimitExceededException", -1 },
		{ PLANE_CONTROL, "TerminalStateException", -1 },
		/* a shape, but not an error */
		{ PLANE_DATA, "ThingName", -1 },
		{ PLANE_CONTROL, "NoSuchException", -1 },
		{ PLANE_DATA, "", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = model_error_status(cases[i].plane, cases[i].name);

		if (got != cases[i].status)
			fail_msg("%s in plane %d: status %d, want %d",
			    cases[i].name, (int)cases[i].plane, got,
			    cases[i].status);
	}
}

static void
model_shape_constraints(void **state)
{
	const struct model_shape *s;
	const struct model_member *m;

	(void)state;
	for (int p = PLANE_DATA; p < PLANE_COUNT; p++) {
		s = shape(p, "ThingName");
		assert_int_equal(s->plane, p);
		assert_int_equal(s->type, SHAPE_STRING);
		assert_true(s->has_min && s->has_max);
		assert_true(s->min == 1 && s->max == 128);
		assert_string_equal(s->model_pattern, "[a-zA-Z0-9:_-]+");
		assert_non_null(s->pattern);

		s = shape(p, "JobDocument");
		assert_false(s->has_min);
		assert_true(s->has_max && s->max == 32768);

		s = shape(p, "JobExecutionStatus");
		assert_int_equal(s->nenums, 8);
		assert_string_equal(s->enums[0], "QUEUED");
		assert_string_equal(s->enums[7], "CANCELED");
	}
	assert_int_not_equal(model_shape_find(PLANE_DATA, "ThingName"),
	    model_shape_find(PLANE_CONTROL, "ThingName"));

	s = shape(PLANE_CONTROL, "MaxResults");
	assert_int_equal(s->type, SHAPE_INTEGER);
	assert_true(s->min == 1 && s->max == 250);
	s = shape(PLANE_CONTROL, "TinyMaxResults");
	assert_true(s->min == 1 && s->max == 10);
	s = shape(PLANE_CONTROL, "SearchQueryMaxResults");
	assert_true(s->has_min && !s->has_max);
	s = shape(PLANE_CONTROL, "IncrementFactor");
	assert_int_equal(s->type, SHAPE_DOUBLE);
	assert_true(s->min == 1.1 && s->max == 5);

	s = shape(PLANE_CONTROL, "CreateJobRequest");
	assert_int_equal(s->type, SHAPE_STRUCTURE);
	m = member(s, "jobId");
	assert_true(m->required);
	assert_int_equal(m->loc, LOC_URI);
	assert_string_equal(model_shapes[m->shape].name, "JobId");
	m = member(s, "targets");
	assert_true(m->required);
	assert_int_equal(m->loc, LOC_BODY);
	assert_int_equal(model_shapes[m->shape].type, SHAPE_LIST);
	assert_string_equal(
	    model_shapes[model_shapes[m->shape].list_member].name, "TargetArn");
	assert_false(member(s, "description")->required);
	assert_int_equal(model_shapes[member(s, "tags")->shape].type,
	    SHAPE_LIST);

	s = shape(PLANE_CONTROL, "ListJobsRequest");
	assert_int_equal(member(s, "maxResults")->loc, LOC_QUERY);

	s = shape(PLANE_CONTROL, "AttachThingPrincipalRequest");
	m = member(s, "principal");
	assert_int_equal(m->loc, LOC_HEADER);
	assert_string_equal(m->wire_name, "x-amzn-principal");

	s = shape(PLANE_DATA, "StartCommandExecutionRequest");
	assert_true(member(s, "clientToken")->idempotency_token);
	assert_false(member(s, "clientToken")->required);
	assert_false(member(s, "targetArn")->idempotency_token);
	assert_true(member(s, "targetArn")->required);

	s = shape(PLANE_DATA, "DetailsMap");
	assert_int_equal(s->type, SHAPE_MAP);
	assert_true(s->map_key >= 0 && s->map_value >= 0);
	assert_int_equal(s->list_member, -1);
}

/* Indexes stay in range and in plane; the look-ups' sort order holds. */
static void
model_tables_are_consistent(void **state)
{
	(void)state;
	assert_true(model_nshapes > 0);
	for (size_t i = 0; i < model_nshapes; i++) {
		const struct model_shape *s = &model_shapes[i];

		if (i > 0) {
			const struct model_shape *p = &model_shapes[i - 1];

			assert_true(p->plane < s->plane || (p->plane ==
			    s->plane && strcmp(p->name, s->name) < 0));
		}
		assert_int_equal(model_shape_find(s->plane, s->name), (int)i);
		for (int j = 0; j < s->nmembers; j++) {
			int k = s->members[j].shape;

			assert_true(k >= 0 && (size_t)k < model_nshapes);
			assert_int_equal(model_shapes[k].plane, s->plane);
		}
		if (s->type == SHAPE_LIST)
			assert_true(s->list_member >= 0);
		else
			assert_int_equal(s->list_member, -1);
		if (s->type == SHAPE_MAP)
			assert_true(s->map_key >= 0 && s->map_value >= 0);
		else
			assert_true(s->map_key == -1 && s->map_value == -1);
		assert_int_equal(s->enums != NULL, s->nenums > 0);
		assert_int_equal(s->pattern != NULL, s->model_pattern != NULL);
		if (s->is_error)
			assert_true(s->error_status >= 400);
	}
	for (size_t i = 0; i < model_nops; i++) {
		const struct model_op *op = &model_ops[i];

		if (i > 0) {
			const struct model_op *p = &model_ops[i - 1];

			assert_true(p->plane < op->plane || (p->plane ==
			    op->plane && strcmp(p->name, op->name) < 0));
		}
		assert_ptr_equal(model_op_find(op->plane, op->name), op);
		assert_true(op->input < (int)model_nshapes);
		assert_true(op->output < (int)model_nshapes);
		assert_true(op->uri[0] == '/' && strchr(op->uri, '?') == NULL);
		for (int j = 0; j < op->nerrors; j++)
			assert_int_equal(model_shapes[op->errors[j]].plane,
			    op->plane);
	}
}

static pcre2_code *
compile(const char *pattern, uint32_t options)
{
	int ecode;
	PCRE2_SIZE eoff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern,
	    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | options, &ecode,
	    &eoff, NULL);

	if (re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ecode, msg, sizeof(msg));
		fail_msg("pattern \"%s\" does not compile at %zu: %s", pattern,
		    (size_t)eoff, (const char *)msg);
	}
	return re;
}

static bool
matches(pcre2_code *re, const char *subject)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0,
	    md, NULL);

	pcre2_match_data_free(md);
	return rc >= 0;
}

static void
model_patterns_compile(void **state)
{
	int n = 0;

	(void)state;
	for (size_t i = 0; i < model_nshapes; i++) {
		if (model_shapes[i].pattern == NULL)
			continue;
		pcre2_code_free(compile(model_shapes[i].pattern, 0));
		pcre2_code_free(compile(model_shapes[i].pattern,
		    PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOTALL));
		n++;
	}
	assert_true(n > 100);
}

static const char *
pattern_of(const char *model_pattern)
{
	for (size_t i = 0; i < model_nshapes; i++) {
		const char *mp = model_shapes[i].model_pattern;

		if (mp != NULL && strcmp(mp, model_pattern) == 0)
			return model_shapes[i].pattern;
	}
	fail_msg("no shape has the pattern %s", model_pattern);
	return NULL;
}

/*
 * Translated patterns whole-match what Java's Matcher.matches() accepts,
 * both on their own and compiled the way the validator does.
 */
static void
model_patterns_keep_java_meaning(void **state)
{
	static const struct {
		const char *model_pattern, *subject;
		bool ok;
	} cases[] = {
		{ "[\\p{Upper}\\p{Digit}_]+", "ABC_1", true },
		{ "[\\p{Upper}\\p{Digit}_]+", "abc", false },
		{ "[\\p{Upper}\\p{Digit}_]+", "\xc3\x84" "B", false },
		{ "[\\p{Upper}\\p{Digit}_]+", "", false },
		{ "[^\\p{C}]+", "a\x01", false },
		{ "[^\\p{C}]+", "h\xc3\xa9llo w", true },
		{ "[^\\p{C}]+", "", false },
		{ "[^\\p{C}]*", "", true },
		{ "[a-zA-Z0-9_-]+|^\\$next", "$next", true },
		{ "[a-zA-Z0-9_-]+|^\\$next", "job-1", true },
		{ "[a-zA-Z0-9_-]+|^\\$next", "job 1", false },
		{ "[a-zA-Z0-9_-]+|^\\$next", "$nextx", false },
		{ "[a-zA-Z0-9_-]+|^\\$next", "job$next", false },
		{ "[a-zA-Z0-9_-]+", "job-1\n", false },
		{ "[a-zA-Z0-9:_-]+", "thing:1", true },
		{ "[\\w.-]+", "a.b-c_9", true },
		{ "[\\w.-]+", "\xc3\xa9", false },
		{ "[\\s\\S]*", "any\nthing \xc3\xa9", true },
		{ "\\S{36,64}", "0123456789abcdef0123456789abcdef0123", true },
		{ "\\S{36,64}", "0123456789abcdef0123456789abcdef012", false },
		{ "\\S{36,64}", "0123456789abcdef0123456789abcdef 0123", false },
		{ "[\\p{Graph}\\x20]*", "a b~", true },
		{ "[\\p{Graph}\\x20]*", "a\tb", false },
		{ "[\\p{Graph}\\x20]*", "\xc3\xa9", false },
		{ "[^\\p{Cntrl}]*", "a\x7f", false },
		{ "[^\\p{Cntrl}]*", "\xc3\xa9 x", true },
		{ "https?://.*", "https://example.com/x", true },
		{ "https?://.*", "https://example.com/\nx", false },
		{ "https?://.*", "ftp://example.com", false },
		{ "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "tag \xc3\xa9 1", true },
		{ "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "a\x01", false },
		{ "^[0-9]*$", "123", true },
		{ "^[0-9]*$", "123\n", false },
		{ "^([1-9]|[12][0-9]|3[01])$|^LAST$", "31", true },
		{ "^([1-9]|[12][0-9]|3[01])$|^LAST$", "LAST", true },
		{ "^([1-9]|[12][0-9]|3[01])$|^LAST$", "32", false },
		{ "[a-zA-Z0-9!_.*'()-\\/]+", "a+b,c", true },
		{ "[a-zA-Z0-9!_.*'()-\\/]+", "a b", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = pattern_of(cases[i].model_pattern);
		pcre2_code *plain = compile(p, 0);
		pcre2_code *anch = compile(p, PCRE2_ANCHORED |
		    PCRE2_ENDANCHORED | PCRE2_DOTALL);
		bool got = matches(plain, cases[i].subject);
		bool got_anch = matches(anch, cases[i].subject);

		pcre2_code_free(plain);
		pcre2_code_free(anch);
		if (got != cases[i].ok || got_anch != cases[i].ok)
			fail_msg("%s (as %s) on \"%s\": %d/%d, want %d",
			    cases[i].model_pattern, p, cases[i].subject,
			    got, got_anch, cases[i].ok);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(model_op_find_returns_routes),
		cmocka_unit_test(model_op_io_and_errors),
		cmocka_unit_test(model_error_status_per_plane),
		cmocka_unit_test(model_shape_constraints),
		cmocka_unit_test(model_tables_are_consistent),
		cmocka_unit_test(model_patterns_compile),
		cmocka_unit_test(model_patterns_keep_java_meaning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
