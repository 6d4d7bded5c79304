/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A device's report on a command execution (WIRE.md 10.7): status,
 * statusReason and result, checked against the model's limits and the
 * command execution's state machine (engine/cmd_fsm.c), then saved with
 * command_exec_save in one write transaction of the pipeline. The MQTT
 * transport (mqtt/command.c) hands reports here and publishes the reply;
 * the errors carry the codes of the reply (mqtt/reply.h).
 */
#include "api/command_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/command.h"
#include "api/pipeline.h"
#include "clock.h"
#include "engine/cmd_fsm.h"
#include "engine/sched.h"
#include "mqtt/reply.h"
#include "store/store.h"

#define CMD_RESULT_NAME_MAX	32	/* CommandExecutionResultName */
#define CMD_REASON_CODE_MAX	64	/* StatusReasonCode */
#define CMD_REASON_DESC_MAX	1024	/* StatusReasonDescription */

static bool
chars_ok(const char *s, const char *extra, bool upper_only)
{
	for (; *s != '\0'; s++) {
		char c = *s;

		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr(extra, c) != NULL)
			continue;
		if (!upper_only && c >= 'a' && c <= 'z')
			continue;
		return false;
	}
	return true;
}

static int
reason_check(const json_t *r, struct err *err)
{
	const char *code = json_string_value(json_object_get(r, "reasonCode"));
	const json_t *d = json_object_get(r, "reasonDescription");

	if (!json_is_object(r) || code == NULL || code[0] == '\0' ||
	    strlen(code) > CMD_REASON_CODE_MAX || !chars_ok(code, "_-", true))
		return err_set(err, MQTT_INVALID_REQUEST, "statusReason needs"
		    " a reasonCode of 1 to %d characters [A-Z0-9_-]",
		    CMD_REASON_CODE_MAX);
	if (d != NULL && (!json_is_string(d) || json_string_length(d) >
	    CMD_REASON_DESC_MAX))
		return err_set(err, MQTT_INVALID_REQUEST, "reasonDescription"
		    " must be a string of at most %d characters",
		    CMD_REASON_DESC_MAX);
	return 0;
}

/* One result value, as {"S"|"B"|"BIN": v} (lower case accepted). */
static json_t *
result_value(const char *name, const json_t *v, struct err *err)
{
	const char *k = NULL, *key;
	json_t *x = NULL, *y;
	unsigned char *bin;
	size_t len;

	if (json_is_object(v) && json_object_size(v) == 1)
		json_object_foreach((json_t *)v, key, y) {
			k = key;
			x = y;
		}
	if (k != NULL && (strcmp(k, "S") == 0 || strcmp(k, "s") == 0) &&
	    json_is_string(x) && json_string_length(x) > 0)
		return json_pack("{s:O}", "S", x);
	if (k != NULL && (strcmp(k, "B") == 0 || strcmp(k, "b") == 0) &&
	    json_is_boolean(x))
		return json_pack("{s:O}", "B", x);
	if (k != NULL && (strcmp(k, "BIN") == 0 || strcmp(k, "bin") == 0) &&
	    json_is_string(x) && command_b64_decode(json_string_value(x),
	    &bin, &len) == 0) {
		free(bin);
		if (len > 0)
			return json_pack("{s:O}", "BIN", x);
	}
	err_set(err, MQTT_INVALID_REQUEST, "result %s must be one of"
	    " {\"S\": text}, {\"B\": boolean}, {\"BIN\": base64}", name);
	return NULL;
}

/* The report's result, checked and normalised; *OUT NULL when absent. */
static int
result_check(const json_t *r, json_t **out, struct err *err)
{
	const char *name;
	json_t *v, *n;

	*out = NULL;
	if (r == NULL)
		return 0;
	if (!json_is_object(r) || json_object_size(r) == 0)
		return err_set(err, MQTT_INVALID_REQUEST, "result must be a"
		    " non-empty map");
	*out = json_object();
	json_object_foreach((json_t *)r, name, v) {
		if (strlen(name) == 0 || strlen(name) > CMD_RESULT_NAME_MAX ||
		    !chars_ok(name, "_-", false)) {
			json_decref(*out);
			*out = NULL;
			return err_set(err, MQTT_INVALID_REQUEST, "result name"
			    " '%s' must be 1 to %d characters [a-zA-Z0-9_-]",
			    name, CMD_RESULT_NAME_MAX);
		}
		n = result_value(name, v, err);
		if (n == NULL) {
			json_decref(*out);
			*out = NULL;
			return -1;
		}
		json_object_set_new(*out, name, n);
	}
	return 0;
}

/*
 * The effects of the device moving an execution from FROM to TO
 * (cmd_fsm), or -1 with ERR set to the MQTT error of the refusal.
 */
static int
transition_check(enum cmd_status f, enum cmd_status t, struct err *err)
{
	const char *from = cmd_status_name(f);
	enum cmd_refusal why;
	int fx;

	fx = cmd_fsm_step(f, t, CMD_BY_DEVICE, &why);
	if (fx >= 0)
		return fx;
	switch (why) {
	case CMD_REFUSE_TERMINAL:
		return err_set(err, MQTT_TERMINAL, "The command execution is"
		    " already %s", from);
	case CMD_REFUSE_STATE:
		return err_set(err, MQTT_INVALID_STATE, "TIMED_OUT can only"
		    " add a statusReason after the service timed the execution"
		    " out (it is %s)", from);
	case CMD_REFUSE_REQUEST:
	default:
		return err_set(err, MQTT_INVALID_REQUEST, "status must be one"
		    " of IN_PROGRESS, SUCCEEDED, FAILED, REJECTED, TIMED_OUT");
	}
}

int
command_report_apply(const json_t *in, struct store_cmd_exec *e,
    int64_t now, bool *changed, struct err *err)
{
	const char *st = json_string_value(json_object_get(in, "status"));
	const json_t *reason = json_object_get(in, "statusReason");
	enum cmd_status to;
	json_t *result;
	const char *k;
	json_t *v;
	int fx;

	if (st == NULL || cmd_status_parse(st, &to) == -1 ||
	    (to != CMD_IN_PROGRESS && !cmd_is_terminal(to)))
		return err_set(err, MQTT_INVALID_REQUEST, "status must be one"
		    " of IN_PROGRESS, SUCCEEDED, FAILED, REJECTED, TIMED_OUT");
	if (reason != NULL && reason_check(reason, err) == -1)
		return -1;
	if (result_check(json_object_get(in, "result"), &result, err) == -1)
		return -1;
	if ((fx = transition_check(e->status, to, err)) == -1) {
		json_decref(result);
		return -1;
	}
	*changed = (fx & CMD_FX_EVENT) != 0;
	e->status = to;
	if (reason != NULL) {
		json_decref(e->status_reason);
		e->status_reason = json_deep_copy(reason);
	}
	if (result != NULL && e->result == NULL)
		e->result = json_object();
	json_object_foreach(result, k, v)
		json_object_set(e->result, k, v);
	json_decref(result);
	if ((fx & CMD_FX_START) && e->started_at == 0)
		e->started_at = now;
	if (fx & CMD_FX_DONE)
		e->completed_at = now;
	e->last_updated_at = now;
	return 0;
}

/* ERR, a service-side failure, as the MQTT code InternalError. */
static int
internal(struct err *err)
{
	char msg[ERR_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return err_set(err, MQTT_INTERNAL, "%s", msg);
}

/*
 * The report's handler, in the write transaction of its row: IN is
 * {"executionId", "targetArn"} of the topic and "report", the payload.
 */
static int
report_run(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *exec_id = api_in_str(in, "executionId");
	const char *target = api_in_str(in, "targetArn");
	struct store_cmd_exec e;
	char prefix[256];
	bool changed = false;
	int rc;

	(void)out;
	snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:",
	    ctx->conf->region, ctx->conf->account_id);
	rc = store_cmd_exec_get(ctx->tx, exec_id, &e, err);
	if (rc == 1 && strcmp(e.target_arn, target) != 0) {
		store_cmd_exec_release(&e);
		rc = 0;
	}
	if (rc == 0)
		return err_set(err, MQTT_NOT_FOUND, "Command execution %s of %s"
		    " does not exist", exec_id, target);
	if (rc == -1)
		return -1;
	rc = command_report_apply(json_object_get(in, "report"), &e, ctx->now,
	    &changed, err);
	if (rc == 0)
		rc = command_exec_save(ctx->tx, prefix, &e, changed, err);
	store_cmd_exec_release(&e);
	return rc;
}

/*
 * A report is no operation of the models, so it runs as a row of its own
 * (api_pipeline_run_row, as the /_iotjobs/ routes do): the pipeline opens
 * its write transaction and commits it before the reply is published.
 */
static const struct api_op report_row = {
	"iotjobs:CommandReport", PLANE_DATA, report_run, API_WRITE
};

int
api_command_report(struct app *app, const char *exec_id,
    const char *target_arn, json_t *report, struct err *err)
{
	struct api_ctx ctx;
	json_t *run, *out = NULL;
	int rc;

	run = json_pack("{s:s, s:s, s:O}", "executionId", exec_id,
	    "targetArn", target_arn, "report", report);
	/* The topic names the execution: the handler asks for no principal. */
	sched_clock_sync();
	api_ctx_init(&ctx, app, NULL, PLANE_DATA, clock_now(), "mqtt");
	rc = api_pipeline_run_row(&ctx, &report_row, run, &out, err);
	json_decref(run);
	json_decref(out);
	if (rc == -1 && strstr(err->type, "Exception") != NULL)
		internal(err);
	return rc;
}
