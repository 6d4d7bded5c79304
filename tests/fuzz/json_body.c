/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: a JSON request body on the path the HTTP front end takes
 * (http_input_build: strict parse, body members picked by the model; then
 * validate_input against the operation's input shape). The first byte
 * picks the operation by its letter in the table below (any other byte:
 * by value), the rest is the body, so one target covers the bodies of
 * both planes. Path labels get a valid value, so that validation goes on
 * to the body's members.
 */
#include "fuzz.h"

#include <jansson.h>

#include "api/validate.h"
#include "err.h"
#include "gen/model.h"
#include "http/input.h"
#include "http/router.h"

static const struct {
	char key;
	enum plane plane;
	const char *name;
} ops[] = {
	{ 'j', PLANE_CONTROL, "CreateJob" },
	{ 'J', PLANE_CONTROL, "UpdateJob" },
	{ 'x', PLANE_CONTROL, "CancelJob" },
	{ 'X', PLANE_CONTROL, "CancelJobExecution" },
	{ 'a', PLANE_CONTROL, "AssociateTargetsWithJob" },
	{ 't', PLANE_CONTROL, "CreateJobTemplate" },
	{ 'c', PLANE_CONTROL, "CreateCommand" },
	{ 'C', PLANE_CONTROL, "UpdateCommand" },
	{ 'h', PLANE_CONTROL, "CreateThing" },
	{ 'H', PLANE_CONTROL, "UpdateThing" },
	{ 'g', PLANE_CONTROL, "CreateThingGroup" },
	{ 'G', PLANE_CONTROL, "UpdateThingGroup" },
	{ 'u', PLANE_DATA, "UpdateJobExecution" },
	{ 's', PLANE_DATA, "StartNextPendingJobExecution" },
	{ 'e', PLANE_DATA, "StartCommandExecution" },
};
#define NOPS	(sizeof(ops) / sizeof(ops[0]))

/* A valid value for each path label of M's operation (a name or an id). */
static void
add_labels(struct route_match *m)
{
	const struct model_shape *s = &model_shapes[m->op->input];
	int i;

	for (i = 0; i < s->nmembers && m->nlabels < ROUTER_MAX_LABELS; i++) {
		if (s->members[i].loc != LOC_URI)
			continue;
		m->labels[m->nlabels].name = s->members[i].wire_name;
		m->labels[m->nlabels].value = strdup("fuzz-1");
		if (m->labels[m->nlabels].value == NULL)
			abort();
		m->nlabels++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route_match m;
	struct err err;
	const char *errtype;
	json_t *in;
	size_t i, pick;

	fuzz_validate_init();
	if (size == 0)
		return 0;
	pick = data[0] % NOPS;
	for (i = 0; i < NOPS; i++)
		if (ops[i].key == (char)data[0])
			pick = i;
	memset(&m, 0, sizeof(m));
	m.op = model_op_find(ops[pick].plane, ops[pick].name);
	if (m.op == NULL || m.op->input < 0)
		abort();
	add_labels(&m);
	errtype = validate_errtype(m.op);
	err_clear(&err);
	if (http_input_build(&m, NULL, 0, NULL, 0, (const char *)data + 1,
	    size - 1, errtype, &in, &err) == -1) {
		if (err.type == NULL || in != NULL)
			abort();
	} else if (validate_input(m.op->input, in, errtype, &err) == -1 &&
	    err.type == NULL)
		abort();
	fuzz_check_msg(err.msg);
	json_decref(in);
	router_match_release(&m);
	return 0;
}
