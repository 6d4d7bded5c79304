/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commands over MQTT (WIRE.md 10.7): the device's reports on
 * $aws/commands/{things|clients}/{id}/executions/{executionId}/response/json
 * answered on .../response/accepted/json or .../response/rejected/json,
 * and the delivery thread that publishes the command outbox (the payloads
 * StartCommandExecution recorded, and the execution events when events
 * are on). command.c; bridge.c calls these.
 */
#ifndef IOTJOBS_MQTT_COMMAND_H
#define IOTJOBS_MQTT_COMMAND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "err.h"
#include "store/store_command.h"

struct mqtt;
struct command_delivery;

/* The filters bridge.c subscribes to for the device reports. */
#define COMMAND_FILTER_THINGS \
	"$aws/commands/things/+/executions/+/response/json"
#define COMMAND_FILTER_CLIENTS \
	"$aws/commands/clients/+/executions/+/response/json"

/* Whether TOPIC is a command report for command_response(). */
bool command_topic_is(const char *topic);

/* A report topic split: the target's ARN and the execution id. */
struct command_topic {
	char target[STORE_CMD_TARGET_MAX + 1];
	char exec_id[STORE_CMD_EXEC_ID_MAX + 1];
};

/*
 * Splits report TOPIC into *T, the ARN in CONF's region and account; -1
 * when TOPIC is not a report topic. Pure: no broker, no store.
 */
int command_topic_split(const struct conf *conf, const char *topic,
    struct command_topic *t);

/* Handles one device report (on a worker) and publishes the reply. */
void command_response(struct app *app, struct mqtt *m, const char *topic,
    const char *payload, size_t len, int qos);

/* Starts the delivery thread; EVENTS publishes the execution events. */
struct command_delivery *command_delivery_start(struct app *app,
    struct mqtt *m, bool events);
void command_delivery_stop(struct command_delivery *d);
/* Looks at the outbox again now (NULL is fine). */
void command_delivery_wake(struct command_delivery *d);

#endif
