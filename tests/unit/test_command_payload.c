/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command parameters (api/command_payload.c): CreateCommand's checks of
 * mandatoryParameters and StartCommandExecution's values against them.
 * A value names exactly one known member (S, B, I, L, D, BIN, UL); an
 * untyped parameter takes the type of its defaultValue; the payload
 * carries each value whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Numeric operands are plain decimal text: strtold's extras are not. */
static void
command_params_check_takes_decimal_operands_only(void **state)
{
	static const struct {
		const char *operand;
		int rc;
	} cases[] = {
		{ "5", 0 }, { "-2", 0 }, { "1.5", 0 }, { ".5", 0 },
		{ "1e3", 0 }, { "", -1 }, { "+5", -1 }, { " 5", -1 },
		{ "5 ", -1 }, { "0x10", -1 }, { "inf", -1 }, { "nan", -1 },
		{ "1e99999", -1 }, { "5x", -1 },
	};
	char text[512];
	struct err err;
	json_t *params;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: \"%s\"\n", i, cases[i].operand);
		snprintf(text, sizeof(text), "[{\"name\": \"n\", \"type\":"
		    " \"DOUBLE\", \"valueConditions\": [{"
		    "\"comparisonOperator\": \"GREATER_THAN\", \"operand\":"
		    " {\"number\": \"%s\"}}]}]", cases[i].operand);
		params = load(text);
		err_clear(&err);
		assert_int_equal(command_params_check(params, NULL, &err),
		    cases[i].rc);
		if (cases[i].rc == -1)
			assert_string_equal(err.type, ERR_VALIDATION);
		json_decref(params);
	}
}

/* An UL value is decimal digits within 64 bits, never wrapped around. */
static void
command_params_resolve_checks_unsigned_long(void **state)
{
	static const struct {
		const char *ul;
		int rc;
	} cases[] = {
		{ "0", 0 }, { "18446744073709551615", 0 },
		{ "18446744073709551616", -1 }, { "-1", -1 }, { "1.5", -1 },
		{ "+1", -1 }, { "", -1 },
	};
	json_t *params, *given, *out;
	struct err err;
	size_t i;

	(void)state;
	params = load("[{\"name\": \"u\", \"type\": \"UNSIGNEDLONG\"}]");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: \"%s\"\n", i, cases[i].ul);
		given = json_pack("{s:{s:s}}", "u", "UL", cases[i].ul);
		err_clear(&err);
		out = NULL;
		assert_int_equal(command_params_resolve(params, given, &out,
		    &err), cases[i].rc);
		if (cases[i].rc == -1) {
			assert_string_equal(err.type, ERR_VALIDATION);
			assert_non_null(strstr(err.msg, "parameter u"));
		}
		json_decref(out);
		json_decref(given);
	}
	json_decref(params);
}

/* A value of any length goes into a text placeholder whole. */
static void
command_payload_substitutes_long_text_whole(void **state)
{
	static const struct {
		size_t n;
		const char *unit;
	} cases[] = {
		{ 3, "a" }, { 600, "a" }, { 300, "\xc3\xa9" },
		{ 200, "\xe2\x9c\x93" },
	};
	struct command_payload out;
	struct store_command c;
	struct err err;
	json_t *params, *doc;
	char value[1024], want[1100];
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		value[0] = '\0';
		for (k = 0; k < cases[i].n; k++)
			memcpy(value + k * strlen(cases[i].unit),
			    cases[i].unit, strlen(cases[i].unit) + 1);
		memset(&c, 0, sizeof(c));
		c.def = json_pack("{s:s, s:{s:{s:s}}}", "payloadTemplate",
		    "{\"msg\": \"say ${aws:iot:commandexecution::"
		    "parameter:s}!\"}", "preprocessor", "awsJsonSubstitution",
		    "outputFormat", "JSON");
		params = json_pack("{s:{s:s}}", "s", "S", value);
		assert_non_null(c.def);
		assert_non_null(params);
		err_clear(&err);
		assert_int_equal(command_payload_build(&c, params, 10, &out,
		    &err), 0);
		doc = json_loadb((const char *)out.data, out.len, 0, NULL);
		assert_non_null(doc);
		snprintf(want, sizeof(want), "say %s!", value);
		assert_string_equal(json_string_value(json_object_get(doc,
		    "msg")), want);
		json_decref(doc);
		free(out.data);
		json_decref(params);
		json_decref(c.def);
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
		cmocka_unit_test(
		    command_params_check_takes_decimal_operands_only),
		cmocka_unit_test(command_params_resolve_checks_unsigned_long),
		cmocka_unit_test(command_payload_substitutes_long_text_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
