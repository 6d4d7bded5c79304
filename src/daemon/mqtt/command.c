/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commands over MQTT (command.h, WIRE.md 10.7). A device report changes
 * the execution through command_exec_save (api/command_exec.c), in one
 * write transaction, before the reply is published. The delivery thread
 * drains the command outbox after commits, publishing each payload with
 * its MQTT 5 content type and a message expiry of the execution's
 * remaining time (expired payloads are dropped), and deletes what went
 * out; a broker that is away keeps the rows for the next round.
 */
#include "mqtt/command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/command.h"
#include "api/pipeline.h"
#include "engine/cmd_fsm.h"
#include "clock.h"
#include "log.h"
#include "mqtt/mqtt_int.h"
#include "mqtt/reply.h"
#include "mqtt/topic.h"
#include "store/store.h"
#include "store/store_command.h"

#define CMD_PREFIX		"$aws/commands/"
#define CMD_RESULT_NAME_MAX	32	/* CommandExecutionResultName */
#define CMD_REASON_CODE_MAX	64	/* StatusReasonCode */
#define CMD_REASON_DESC_MAX	1024	/* StatusReasonDescription */
#define DELIVERY_BATCH		256

int
command_topic_split(const struct conf *conf, const char *topic,
    struct command_topic *t)
{
	const char *p, *kind, *id, *ex, *end;
	size_t klen;

	if (strncmp(topic, CMD_PREFIX, strlen(CMD_PREFIX)) != 0)
		return -1;
	kind = topic + strlen(CMD_PREFIX);
	if (strncmp(kind, "things/", 7) == 0)
		klen = 6;
	else if (strncmp(kind, "clients/", 8) == 0)
		klen = 7;
	else
		return -1;
	id = kind + klen + 1;
	p = strchr(id, '/');
	if (p == NULL || p == id || strncmp(p, "/executions/", 12) != 0)
		return -1;
	ex = p + 12;
	end = strchr(ex, '/');
	if (end == NULL || end == ex || strcmp(end, "/response/json") != 0 ||
	    (size_t)(end - ex) > STORE_CMD_EXEC_ID_MAX)
		return -1;
	snprintf(t->target, sizeof(t->target), "arn:aws:iot:%s:%s:%s/%.*s",
	    conf->region, conf->account_id, klen == 6 ? "thing" : "client",
	    (int)(p - id), id);
	snprintf(t->exec_id, sizeof(t->exec_id), "%.*s", (int)(end - ex), ex);
	return 0;
}

bool
command_topic_is(const char *topic)
{
	return strncmp(topic, CMD_PREFIX, strlen(CMD_PREFIX)) == 0;
}

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

static int
report(struct app *app, const struct command_topic *t, json_t *in,
    struct err *err)
{
	struct api_ctx ctx;
	json_t *run, *out = NULL;
	int rc;

	run = json_pack("{s:s, s:s, s:O}", "executionId", t->exec_id,
	    "targetArn", t->target, "report", in);
	/* The topic names the execution: the handler asks for no principal. */
	api_ctx_init(&ctx, app, NULL, PLANE_DATA, clock_now(), "mqtt");
	rc = api_pipeline_run_row(&ctx, &report_row, run, &out, err);
	json_decref(run);
	json_decref(out);
	if (rc == -1 && strstr(err->type, "Exception") != NULL)
		internal(err);
	return rc;
}

void
command_response(struct app *app, struct mqtt *m, const char *topic,
    const char *payload, size_t len, int qos)
{
	char reply[TOPIC_MAX + 32];
	struct command_topic t;
	struct err err;
	json_t *in = NULL, *out;
	size_t base;
	int rc;

	err_clear(&err);
	if (command_topic_split(app->conf, topic, &t) == -1)
		return;
	in = json_loadb(payload, len, 0, NULL);
	if (!json_is_object(in))
		rc = err_set(&err, MQTT_INVALID_JSON, "The payload is not a"
		    " JSON object");
	else
		rc = report(app, &t, in, &err);
	json_decref(in);
	if (rc == 0)
		out = json_pack("{s:s}", "executionId", t.exec_id);
	else
		out = json_pack("{s:s, s:s, s:s}", "error", err.type,
		    "errorMessage", err.msg, "executionId", t.exec_id);
	base = strlen(topic) - strlen("/json");
	snprintf(reply, sizeof(reply), "%.*s/%s/json", (int)base, topic,
	    rc == 0 ? "accepted" : "rejected");
	mqtt_publish(m, reply, out, qos);
	log_info("mqtt command report topic=%s %s%s", topic,
	    rc == 0 ? "accepted" : "rejected code=", rc == 0 ? "" : err.type);
	json_decref(out);
}

/* --- delivery ---------------------------------------------------------- */

struct command_delivery {
	struct app *app;
	struct mqtt *m;
	bool events;
	struct drainer dr;
};

struct round {
	struct command_delivery *d;
	int64_t now, last;
	int n;
};

static int
deliver_row(const struct store_cmd_msg *msg, void *arg, struct err *err)
{
	struct round *r = arg;
	int64_t left = msg->expire_at - r->now;

	if (strcmp(msg->kind, "event") == 0 ? r->d->events :
	    msg->expire_at == 0 || left > 0) {
		if (mqtt_publish_bytes(r->d->m, msg->topic, msg->payload,
		    msg->len, 1, msg->content_type, msg->expire_at == 0 ? 0 :
		    left) == -1)
			return err_set(err, ERR_UNAVAILABLE, "mqtt: publishing"
			    " %s failed", msg->topic);
	}
	r->last = msg->id;
	r->n++;
	return 0;
}

/* One round: the rows handled, or -1 (the rest waits for a retry). */
static int
deliver_round(struct command_delivery *d, struct err *err)
{
	struct store_tx *tx;
	struct round r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.now = clock_now();
	/* A connect and mqtt_lead() wake the delivery. */
	if (!mqtt_connected(d->m) || !mqtt_leads(d->m))
		return 0;
	if (store_begin(d->app->st, false, &tx, err) == -1)
		return -1;
	rc = store_cmd_outbox_walk(tx, DELIVERY_BATCH, deliver_row, &r, err);
	store_end(tx, false, NULL);
	if (r.n == 0)
		return rc;
	if (store_begin(d->app->st, true, &tx, err) == -1)
		return -1;
	if (store_cmd_outbox_done(tx, r.last, err) == -1) {
		store_end(tx, false, NULL);
		return -1;
	}
	if (store_end(tx, true, err) == -1)
		return -1;
	return rc == -1 ? -1 : r.n;
}

/* The delivery's drain (struct drainer): every outbox row. */
static int
delivery_drain(void *arg, struct err *err)
{
	struct command_delivery *d = arg;
	int n;

	do
		n = deliver_round(d, err);
	while (n == DELIVERY_BATCH);
	return n == -1 ? -1 : 0;
}

void
command_delivery_wake(struct command_delivery *d)
{
	if (d != NULL)
		drainer_wake(&d->dr);
}

/* One delivery thread per process (a drainer is static). */
static struct command_delivery delivery_one = {
	.dr = DRAINER_INITIALIZER("command deliveries", delivery_drain,
	    &delivery_one),
};

struct command_delivery *
command_delivery_start(struct app *app, struct mqtt *m, bool events)
{
	struct command_delivery *d = &delivery_one;

	d->app = app;
	d->m = m;
	d->events = events;
	drainer_start(&d->dr, app->st);
	return d;
}

void
command_delivery_stop(struct command_delivery *d)
{
	if (d != NULL)
		drainer_stop(&d->dr);
}
