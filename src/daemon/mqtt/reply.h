/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The payloads of the Jobs MQTT API (WIRE.md 10.2, 10.3, 10.5): a request
 * payload turned into the operation's input, the handler's answer turned
 * into the accepted payload, an error turned into the rejected payload with
 * its documented code. Pure functions over jansson, no broker.
 */
#ifndef IOTJOBS_MQTT_REPLY_H
#define IOTJOBS_MQTT_REPLY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mqtt/topic.h"

/* The codes of rejected payloads (WIRE.md 10.3). */
#define MQTT_INVALID_TOPIC	"InvalidTopic"
#define MQTT_INVALID_JSON	"InvalidJson"
#define MQTT_INVALID_REQUEST	"InvalidRequest"
#define MQTT_INVALID_STATE	"InvalidStateTransition"
#define MQTT_NOT_FOUND		"ResourceNotFound"
#define MQTT_VERSION_MISMATCH	"VersionMismatch"
#define MQTT_TERMINAL		"TerminalStateReached"
#define MQTT_THROTTLED		"RequestThrottled"
#define MQTT_INTERNAL		"InternalError"

/*
 * Builds the input of the operation of topic T from PAYLOAD (LEN bytes,
 * empty meaning {}): the payload's members, thingName and jobId from the
 * topic, expectedVersion given as a numeric string made a number. The
 * request's clientToken (any JSON value) goes to *TOKEN (NULL when absent)
 * and not into the input. -1 with ERR typed MQTT_INVALID_JSON when the
 * payload is not a UTF-8 JSON object; *TOKEN is then NULL.
 */
int reply_input(const struct topic *t, const char *payload, size_t len,
    json_t **in, json_t **token, struct err *err);

/*
 * The accepted payload from the handler's answer OUT (borrowed, NULL meaning
 * {}): jobDocument members made JSON objects, timestamp NOW, TOKEN echoed.
 */
json_t *reply_accepted(const json_t *out, int64_t now, const json_t *token);

/*
 * reply_accepted() that takes OUT (NULL meaning {}) and builds the payload
 * from it in place, without copying the handler's answer (a copy when OUT
 * is also referenced elsewhere); the same bytes once dumped.
 */
json_t *reply_accepted_take(json_t *out, int64_t now, const json_t *token);

/* The rejected code of ERR (an AWS error type or already an MQTT code). */
const char *reply_code(const struct err *err);

/*
 * The rejected payload of ERR: code, message, timestamp NOW, TOKEN echoed,
 * and STATE (borrowed executionState, may be NULL) when the code carries it.
 */
json_t *reply_rejected(const struct err *err, int64_t now,
    const json_t *token, const json_t *state);

/* Whether code CODE carries executionState (WIRE.md 10.3). */
int reply_code_has_state(const char *code);

/* A job document text as JSON: the object it encodes, else the string. */
json_t *reply_document(const char *text);

#endif
