/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A device's report on a command execution (WIRE.md 10.7), checked and
 * applied: command_report.c. mqtt/command.c is its transport.
 */
#ifndef IOTJOBS_API_COMMAND_REPORT_H
#define IOTJOBS_API_COMMAND_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "err.h"
#include "store/store_command.h"

/*
 * Applies report IN (status, statusReason, result) to execution E at NOW:
 * checked, then E updated; *CHANGED when the status moved. -1 with ERR
 * typed with an MQTT code, E untouched. Pure: the caller loads and saves E.
 */
int command_report_apply(const json_t *in, struct store_cmd_exec *e,
    int64_t now, bool *changed, struct err *err);

/*
 * Runs REPORT (borrowed) of the device on execution EXEC_ID of TARGET_ARN
 * on APP, as a write row of the pipeline: 0 once saved and durable, or -1
 * with ERR typed with the code of the rejected reply (InternalError for a
 * failure of the service).
 */
int api_command_report(struct app *app, const char *exec_id,
    const char *target_arn, json_t *report, struct err *err);

#endif
