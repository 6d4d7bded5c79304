/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command parameters (api/command_payload.c): CreateCommand's checks of
 * mandatoryParameters and StartCommandExecution's values against them.
 * A value names exactly one known member (S, B, I, L, D, BIN, UL); an
 * untyped parameter takes the type of its defaultValue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "api/command.h"
#include "err.h"

/* An untyped parameter with a string default and a string condition. */
#define MODE_PARAMS \
	"[{\"name\": \"mode\", \"defaultValue\": {\"S\": \"eco\"}," \
	" \"valueConditions\": [{\"comparisonOperator\": \"IN_SET\"," \
	" \"operand\": {\"strings\": [\"eco\", \"boost\"]}}]}]"
#define LEVEL_PARAMS \
	"[{\"name\": \"level\", \"type\": \"INTEGER\"," \
	" \"valueConditions\": [{\"comparisonOperator\": \"IN_RANGE\"," \
	" \"operand\": {\"numberRange\": {\"min\": \"1\"," \
	" \"max\": \"10\"}}}]}]"

static json_t *
load(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static void
command_params_check_rejects_unknown_value_members(void **state)
{
	static const struct {
		const char *params;
		int rc;
	} cases[] = {
		{ MODE_PARAMS, 0 },
		{ LEVEL_PARAMS, 0 },
		/* Not a CommandParameterValue member: no type to check. */
		{ "[{\"name\": \"m\", \"defaultValue\": {\"SDOUB\": false},"
		  " \"valueConditions\": [{\"comparisonOperator\": \"IN_SET\","
		  " \"operand\": {\"strings\": [\"a\"]}}]}]", -1 },
		{ "[{\"name\": \"m\", \"defaultValue\": {\"X\": \"a\"}}]", -1 },
	};
	struct err err;
	json_t *params;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		params = load(cases[i].params);
		err_clear(&err);
		assert_int_equal(command_params_check(params, NULL, &err),
		    cases[i].rc);
		json_decref(params);
	}
}

static void
command_params_resolve_untyped_takes_default_type(void **state)
{
	static const struct {
		const char *params, *given;
		int rc;
	} cases[] = {
		{ MODE_PARAMS, "{}", 0 },
		{ MODE_PARAMS, "{\"mode\": {\"S\": \"boost\"}}", 0 },
		{ MODE_PARAMS, "{\"mode\": {\"S\": \"turbo\"}}", -1 },
		/* The default is a string: so must the value be. */
		{ MODE_PARAMS, "{\"mode\": {\"B\": true}}", -1 },
		{ MODE_PARAMS, "{\"mode\": {\"I\": 3}}", -1 },
		{ MODE_PARAMS, "{\"mode\": {\"X\": 1}}", -1 },
		{ LEVEL_PARAMS, "{\"level\": {\"I\": 5}}", 0 },
		{ LEVEL_PARAMS, "{\"level\": {\"I\": 50}}", -1 },
		{ LEVEL_PARAMS, "{\"level\": {\"S\": \"5\"}}", -1 },
		{ LEVEL_PARAMS, "{}", -1 },
	};
	struct err err;
	json_t *params, *given, *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		params = load(cases[i].params);
		given = load(cases[i].given);
		err_clear(&err);
		out = NULL;
		assert_int_equal(command_params_resolve(params, given, &out,
		    &err), cases[i].rc);
		if (cases[i].rc == -1)
			assert_string_equal(err.type, ERR_VALIDATION);
		json_decref(out);
		json_decref(given);
		json_decref(params);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    command_params_check_rejects_unknown_value_members),
		cmocka_unit_test(
		    command_params_resolve_untyped_takes_default_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
