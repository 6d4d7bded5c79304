/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commands (WIRE.md 9) as the other modules see them: the parameters and
 * payload rules (command_payload.c), and the one place an execution's
 * status changes (command_exec.c), which the device's MQTT reports
 * (mqtt/command.c) and the timeouts (engine/command_timeout.c) share so
 * that each change records its event the same way.
 */
#ifndef IOTJOBS_API_COMMAND_H
#define IOTJOBS_API_COMMAND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "conf.h"
#include "err.h"
#include "store/store_command.h"

#define COMMAND_TIMEOUT_DEFAULT	10	/* seconds, when not given */
#define COMMAND_REASON_TIMEOUT	"$NO_RESPONSE_FROM_DEVICE"
#define COMMAND_ARN_MAX		2304

/*
 * CreateCommand's checks of mandatoryParameters PARAMS (NULL: none) and
 * of the template TEMPLATE (NULL: a static payload): types, defaults,
 * value conditions, placeholders naming declared parameters.
 */
int command_params_check(const json_t *params, const char *template,
    struct err *err);

/*
 * The parameters of an execution: GIVEN (StartCommandExecution's, NULL:
 * none) checked against the command's PARAMS, completed with defaults.
 * *OUT is a new object (NULL when there are none).
 */
int command_params_resolve(const json_t *params, const json_t *given,
    json_t **out, struct err *err);

/* The payload delivered to the device for an execution of command C. */
struct command_payload {
	unsigned char *data;	/* malloc'ed; caller frees */
	size_t len;
	const char *content_type;	/* static string or C's; NULL: none */
	const char *suffix;	/* "/json", "/cbor" or "" */
};

int command_payload_build(const struct store_command *c,
    const json_t *params, int64_t timeout_sec, struct command_payload *out,
    struct err *err);

/* Base64 TEXT decoded into a new buffer; -1 when TEXT is not base64. */
int command_b64_decode(const char *text, unsigned char **out, size_t *len);

/* arn:aws:iot:REGION:ACCOUNT:command/ID of CONF. */
void command_arn(const struct conf *conf, const char *id, char *buf,
    size_t size);

/* The sortOrder of a listing, the subject its page tokens are bound to. */
const char *command_order(bool ascending);

/*
 * Writes execution E (status, reason, result, times) and, when its status
 * changed, the execution event into the command outbox. TX is a write
 * transaction; ARN_PREFIX is "arn:aws:iot:REGION:ACCOUNT:".
 */
int command_exec_save(struct store_tx *tx, const char *arn_prefix,
    const struct store_cmd_exec *e, bool status_changed, struct err *err);

/* The execution operations of command_exec.c (listed in command.c). */
api_handler_fn command_exec_start, command_exec_get, command_exec_list,
    command_exec_delete;

#endif
