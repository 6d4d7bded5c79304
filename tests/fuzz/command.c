/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: a command's parameters and payload (api/command_payload.c).
 * The input is one JSON object {"create": CreateCommand body, "start":
 * StartCommandExecution body}: the create body validated and its
 * mandatoryParameters and payloadTemplate checked as CreateCommand does,
 * then the start body validated, its parameters resolved against the
 * command's, and the payload built (JSON or CBOR) as the device gets it.
 */
#include "fuzz.h"

#include <jansson.h>
#include <string.h>

#include "api/command.h"
#include "api/validate.h"
#include "err.h"
#include "gen/model.h"

static int create_shape, start_shape;

static void
init_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	fuzz_validate_init();
	create_shape = model_op_find(PLANE_CONTROL, "CreateCommand")->input;
	start_shape = model_op_find(PLANE_DATA,
	    "StartCommandExecution")->input;
	if (create_shape < 0 || start_shape < 0)
		abort();
}

/* The command CreateCommand would store for IN, or -1. */
static int
create(json_t *in, struct store_command *c)
{
	static const char *const def_members[] = {
		"payload", "payloadTemplate", "preprocessor",
		"mandatoryParameters", NULL,
	};
	struct err err;
	size_t i;

	err_clear(&err);
	if (!json_is_object(in))
		return -1;
	json_object_set_new(in, "commandId", json_string("fuzz-1"));
	if (validate_input(create_shape, in, ERR_VALIDATION, &err) == -1 ||
	    command_params_check(json_object_get(in, "mandatoryParameters"),
	    json_string_value(json_object_get(in, "payloadTemplate")),
	    &err) == -1) {
		fuzz_check_msg(err.msg);
		return -1;
	}
	memset(c, 0, sizeof(*c));
	snprintf(c->command_id, sizeof(c->command_id), "fuzz-1");
	c->def = json_object();
	for (i = 0; def_members[i] != NULL; i++)
		if (json_object_get(in, def_members[i]) != NULL)
			json_object_set(c->def, def_members[i],
			    json_object_get(in, def_members[i]));
	return 0;
}

static void
start(json_t *in, const struct store_command *c)
{
	struct command_payload p;
	json_t *params = NULL, *t;
	struct err err;
	int64_t timeout = COMMAND_TIMEOUT_DEFAULT;

	err_clear(&err);
	if (!json_is_object(in))
		return;
	json_object_set_new(in, "commandArn",
	    json_string("arn:aws:iot:us-east-1:123456789012:command/fuzz-1"));
	if (validate_input(start_shape, in, ERR_VALIDATION, &err) == -1 ||
	    command_params_resolve(json_object_get(c->def,
	    "mandatoryParameters"), json_object_get(in, "parameters"),
	    &params, &err) == -1) {
		fuzz_check_msg(err.msg);
		return;
	}
	t = json_object_get(in, "executionTimeoutSeconds");
	if (json_is_integer(t))
		timeout = json_integer_value(t);
	if (command_payload_build(c, params, timeout, &p, &err) == 0)
		free(p.data);
	fuzz_check_msg(err.msg);
	json_decref(params);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_command c;
	json_t *doc;

	init_once();
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (doc == NULL)
		return 0;
	if (create(json_object_get(doc, "create"), &c) == 0) {
		start(json_object_get(doc, "start"), &c);
		json_decref(c.def);
	}
	json_decref(doc);
	return 0;
}
