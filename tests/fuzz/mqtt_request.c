/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: an MQTT Jobs request as the bridge handles it before the
 * store (mqtt/bridge.c handle): the topic parsed, the payload made the
 * operation's input (reply_input: clientToken taken out, expectedVersion
 * as a number or numeric string, thing and job from the topic), the input
 * validated against the data-plane model, and the accepted or rejected
 * payload built and written. Input: the topic, a newline, the payload.
 */
#include "fuzz.h"

#include <jansson.h>
#include <string.h>

#include "api/validate.h"
#include "err.h"
#include "gen/model.h"
#include "mqtt/reply.h"
#include "mqtt/topic.h"

#define FUZZ_NOW	INT64_C(1767225600)

/* The payload sent back, written out as the bridge publishes it. */
static void
answer(int rc, const json_t *in, const json_t *token, const struct err *err)
{
	json_t *payload;
	char *text;

	if (rc == 0)
		payload = reply_accepted(in, FUZZ_NOW, token);
	else
		payload = reply_rejected(err, FUZZ_NOW, token,
		    reply_code_has_state(reply_code(err)) ? in : NULL);
	/* A rejection always says why: its message must be valid UTF-8. */
	if (rc != 0 && !json_is_string(json_object_get(payload, "message")))
		abort();
	text = json_dumps(payload, JSON_COMPACT);
	if (text == NULL)
		abort();
	free(text);
	json_decref(payload);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t tlen = nl != NULL ? (size_t)(nl - data) : size;
	const struct model_op *op;
	char *topic = fuzz_cstr(data, tlen);
	const char *payload = (const char *)data + tlen + (nl != NULL);
	size_t plen = size - tlen - (nl != NULL);
	json_t *in = NULL, *token = NULL;
	struct topic t;
	struct err err;
	int rc;

	fuzz_validate_init();
	err_clear(&err);
	topic_parse(topic, &t);
	if (t.kind == TOPIC_NOT_JOBS || t.kind == TOPIC_SERVICE ||
	    t.kind == TOPIC_INVALID)
		goto out;
	rc = reply_input(&t, payload, plen, &in, &token, &err);
	if (rc == -1 && (in != NULL || token != NULL || err.type == NULL))
		abort();
	if (rc == 0) {
		if (json_object_get(in, "clientToken") != NULL)
			abort();
		op = model_op_find(PLANE_DATA, topic_op_name(t.kind));
		if (op == NULL)
			abort();
		if (op->input >= 0)
			rc = validate_input(op->input, in,
			    validate_errtype(op), &err);
	}
	answer(rc, in, token, &err);
out:
	json_decref(in);
	json_decref(token);
	free(topic);
	return 0;
}
