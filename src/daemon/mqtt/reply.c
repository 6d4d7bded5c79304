/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request and reply payloads of the Jobs MQTT API (WIRE.md 10.2-10.6). The
 * operations are the data plane's own handlers: this file only translates
 * between their JSON and the MQTT payloads. Timestamps are epoch seconds
 * (WIRE.md 10.6); clientToken is echoed as the device sent it.
 */
#include "mqtt/reply.h"

#include <stdlib.h>
#include <string.h>

#include "num.h"

/*
 * "123" (optionally signed, '+' too: a device's text) as a JSON integer;
 * NULL when not numeric.
 */
static json_t *
numeric_string(const char *s)
{
	int64_t v;

	if (s[0] == '+' && s[1] == '-')
		return NULL;
	if (num_parse_i64(s + (s[0] == '+'), INT64_MIN, INT64_MAX, &v) == -1)
		return NULL;
	return json_integer(v);
}

int
reply_input(const struct topic *t, const char *payload, size_t len,
    json_t **in, json_t **token, struct err *err)
{
	json_error_t jerr;
	json_t *o, *tok, *ev;

	*in = NULL;
	*token = NULL;
	if (len == 0)
		o = json_object();
	else
		o = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL)
		return err_set(err, MQTT_INVALID_JSON, "The payload is not"
		    " valid JSON: %s", jerr.text);
	if (!json_is_object(o)) {
		json_decref(o);
		return err_set(err, MQTT_INVALID_JSON, "The payload must be a"
		    " JSON object");
	}
	tok = json_object_get(o, "clientToken");
	if (tok != NULL) {
		*token = json_incref(tok);
		json_object_del(o, "clientToken");
	}
	ev = json_object_get(o, "expectedVersion");
	if (json_is_string(ev)) {
		json_t *n = numeric_string(json_string_value(ev));

		if (n != NULL)
			json_object_set_new(o, "expectedVersion", n);
	}
	json_object_set_new(o, "thingName", json_string(t->thing));
	if (t->job_id[0] != '\0')
		json_object_set_new(o, "jobId", json_string(t->job_id));
	*in = o;
	return 0;
}

json_t *
reply_document(const char *text)
{
	json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);

	if (json_is_object(doc))
		return doc;
	json_decref(doc);
	return json_string(text);
}

/* Replaces the string member "jobDocument" of O by its JSON object. */
static void
doc_to_object(json_t *o)
{
	json_t *d = json_object_get(o, "jobDocument");

	if (json_is_string(d))
		json_object_set_new(o, "jobDocument",
		    reply_document(json_string_value(d)));
}

json_t *
reply_accepted(const json_t *out, int64_t now, const json_t *token)
{
	return reply_accepted_take(out != NULL ? json_deep_copy(out) : NULL,
	    now, token);
}

json_t *
reply_accepted_take(json_t *out, int64_t now, const json_t *token)
{
	json_t *o = out, *ex;

	if (o == NULL)
		o = json_object();
	else if (o->refcount > 1) {
		/* Held elsewhere too: changed only as a copy. */
		o = json_deep_copy(out);
		json_decref(out);
	}
	doc_to_object(o);
	ex = json_object_get(o, "execution");
	if (json_is_object(ex) && ex->refcount > 1) {
		ex = json_deep_copy(ex);
		json_object_set_new(o, "execution", ex);
	}
	if (json_is_object(ex))
		doc_to_object(ex);
	json_object_set_new(o, "timestamp", json_integer(now));
	/* Never changed once parsed: shared, not copied. */
	if (token != NULL)
		json_object_set(o, "clientToken", (json_t *)token);
	return o;
}

const char *
reply_code(const struct err *err)
{
	static const char *const own[] = { MQTT_INVALID_TOPIC,
	    MQTT_INVALID_JSON, MQTT_INVALID_REQUEST, MQTT_INVALID_STATE,
	    MQTT_NOT_FOUND, MQTT_VERSION_MISMATCH, MQTT_TERMINAL,
	    MQTT_THROTTLED, MQTT_INTERNAL };
	const char *t = err->type;
	size_t i;

	if (t == NULL)
		return MQTT_INTERNAL;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(t, own[i]) == 0)
			return own[i];
	if (strcmp(t, ERR_INVALID_REQUEST) == 0 ||
	    strcmp(t, ERR_VALIDATION) == 0 ||
	    strcmp(t, ERR_CONFLICT) == 0)
		return MQTT_INVALID_REQUEST;
	if (strcmp(t, ERR_NOT_FOUND) == 0)
		return MQTT_NOT_FOUND;
	/* jobs_data.c types a version mismatch as a state transition. */
	if (strcmp(t, ERR_STATE_TRANSITION) == 0)
		return strncmp(err->msg, MQTT_VERSION_MISMATCH,
		    strlen(MQTT_VERSION_MISMATCH)) == 0 ?
		    MQTT_VERSION_MISMATCH : MQTT_INVALID_STATE;
	if (strcmp(t, ERR_VERSION_CONFLICT) == 0)
		return MQTT_VERSION_MISMATCH;
	if (strcmp(t, ERR_TERMINAL_STATE) == 0)
		return MQTT_TERMINAL;
	if (strcmp(t, ERR_THROTTLING) == 0 ||
	    strcmp(t, ERR_LIMIT_EXCEEDED) == 0)
		return MQTT_THROTTLED;
	return MQTT_INTERNAL;
}

int
reply_code_has_state(const char *code)
{
	return strcmp(code, MQTT_INVALID_STATE) == 0 ||
	    strcmp(code, MQTT_VERSION_MISMATCH) == 0;
}

json_t *
reply_rejected(const struct err *err, int64_t now, const json_t *token,
    const json_t *state)
{
	json_t *o = json_object();
	const char *code = reply_code(err);

	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "message", json_string(err->msg));
	json_object_set_new(o, "timestamp", json_integer(now));
	if (token != NULL)
		json_object_set_new(o, "clientToken", json_deep_copy(token));
	if (state != NULL && reply_code_has_state(code))
		json_object_set_new(o, "executionState",
		    json_deep_copy(state));
	return o;
}
