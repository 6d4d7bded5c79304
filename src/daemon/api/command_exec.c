/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command executions (WIRE.md 7.5, 9.2): the data plane's
 * StartCommandExecution, which records the execution and, in the same
 * transaction, the payload for the device and the event in the command
 * outbox (mqtt/command.c publishes them); the control plane's
 * GetCommandExecution, ListCommandExecutions, DeleteCommandExecution; and
 * command_exec_save, the one writer of status changes.
 */
#include "api/command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/marker.h"
#include "num.h"
#include "store/store_thing.h"
#include "uuid.h"
#include "xmalloc.h"

#define EXEC_LIST_DEFAULT	25
#define EXEC_LIST_MAX		100	/* model CommandMaxResults */
#define EXEC_TTL		(180 * 86400)	/* timeToLive: 6 months */

/* An execution's target: "things" or "clients", and the device id. */
struct target {
	const char *kind;
	const char *id;
};

/* TARGET_ARN (thing/NAME or client/ID of this deployment) into T. */
static int
target_parse(const struct conf *conf, const char *arn, struct target *t,
    struct err *err)
{
	char prefix[256];
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:",
	    conf->region, conf->account_id);
	if (strncmp(arn, prefix, n) == 0) {
		arn += n;
		if (strncmp(arn, "thing/", 6) == 0 && arn[6] != '\0') {
			t->kind = "things";
			t->id = arn + 6;
			return 0;
		}
		if (strncmp(arn, "client/", 7) == 0 && arn[7] != '\0') {
			t->kind = "clients";
			t->id = arn + 7;
			return 0;
		}
	}
	return err_set(err, ERR_VALIDATION, "targetArn %s is neither"
	    " %sthing/NAME nor %sclient/CLIENT_ID", arn, prefix, prefix);
}

/* The command id of COMMAND_ARN of this deployment. */
static int
command_arn_id(const struct conf *conf, const char *arn, const char **id,
    struct err *err)
{
	char prefix[256];
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:"
	    "command/", conf->region, conf->account_id);
	if (strncmp(arn, prefix, n) != 0 || arn[n] == '\0' ||
	    strlen(arn + n) > STORE_COMMAND_ID_MAX)
		return err_set(err, ERR_VALIDATION, "commandArn %s is not"
		    " %sID", arn, prefix);
	*id = arn + n;
	return 0;
}

/* The execution event of E into the outbox (published with events on). */
static int
event_add(struct store_tx *tx, const char *arn_prefix,
    const struct store_cmd_exec *e, struct err *err)
{
	char topic[512], arn[COMMAND_ARN_MAX];
	struct store_cmd_msg m;
	json_t *o;
	char *text;
	int rc;

	snprintf(arn, sizeof(arn), "%scommand/%s", arn_prefix, e->command_id);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "executionId",
	    e->execution_id, "status", cmd_status_name(e->status), "eventType",
	    "COMMAND_EXECUTION", "commandArn", arn, "targetArn",
	    e->target_arn, "timestamp", (json_int_t)e->last_updated_at * 1000);
	if (e->status_reason != NULL)
		json_object_set(o, "statusReason", e->status_reason);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	snprintf(topic, sizeof(topic), "$aws/events/commandExecution/%s/%s",
	    e->command_id, cmd_status_name(e->status));
	memset(&m, 0, sizeof(m));
	m.kind = "event";
	m.topic = topic;
	m.payload = text;
	m.len = strlen(text);
	m.content_type = "application/json";
	rc = store_cmd_outbox_add(tx, &m, err);
	free(text);
	return rc;
}

int
command_exec_save(struct store_tx *tx, const char *arn_prefix,
    const struct store_cmd_exec *e, bool status_changed, struct err *err)
{
	if (store_cmd_exec_update(tx, e, err) == -1)
		return -1;
	return status_changed ? event_add(tx, arn_prefix, e, err) : 0;
}

/* --- StartCommandExecution -------------------------------------------- */

struct start {
	const char *command_id;
	struct target target;
	const char *token;
	char *request;		/* canonical request text */
	struct store_cmd_exec e;
};

/* Checks the command and the target, builds the execution in S->e. */
static int
start_prepare(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct start *s, struct store_command *c, struct err *err)
{
	json_t *timeout = json_object_get(in, "executionTimeoutSeconds");
	struct store_thing thing;
	int rc = store_command_get(tx, s->command_id, c, err);

	if (rc == -1)
		return -1;
	if (rc == 0 || c->delete_at != 0)
		return err_set(err, ERR_NOT_FOUND, "Command %s does not"
		    " exist%s", s->command_id, rc == 0 ? "" :
		    " (its deletion is pending)");
	if (c->deprecated)
		return err_set(err, ERR_VALIDATION, "Command %s is deprecated:"
		    " it cannot start executions", s->command_id);
	if (strcmp(c->namespace, "AWS-IoT") != 0)
		return err_set(err, ERR_VALIDATION, "Command %s is of"
		    " namespace %s, whose executions iotjobs does not run",
		    s->command_id, c->namespace);
	if (strcmp(s->target.kind, "things") == 0) {
		memset(&thing, 0, sizeof(thing));
		rc = store_thing_get(tx, s->target.id, &thing, err);
		if (rc == -1)
			return -1;
		if (rc == 0)
			return err_set(err, ERR_NOT_FOUND, "Thing %s does not"
			    " exist (targetArn)", s->target.id);
		store_thing_release(&thing);
	}
	if (command_params_resolve(json_object_get(c->def,
	    "mandatoryParameters"), json_object_get(in, "parameters"),
	    &s->e.parameters, err) == -1)
		return -1;
	if (uuid_new(s->e.execution_id, err) == -1)
		return -1;
	snprintf(s->e.command_id, sizeof(s->e.command_id), "%s",
	    s->command_id);
	snprintf(s->e.namespace, sizeof(s->e.namespace), "%s", c->namespace);
	snprintf(s->e.target_arn, sizeof(s->e.target_arn), "%s",
	    api_in_str(in, "targetArn"));
	s->e.status = CMD_CREATED;
	s->e.timeout_sec = timeout != NULL ? json_integer_value(timeout) :
	    COMMAND_TIMEOUT_DEFAULT;
	s->e.client_token = s->token != NULL ? xstrdup(s->token) : NULL;
	s->e.request = xstrdup(s->request);
	s->e.created_at = s->e.last_updated_at = ctx->now;
	s->e.timeout_at = ctx->now + s->e.timeout_sec;
	return 0;
}

/* The payload for the device into the outbox. */
static int
deliver_add(struct store_tx *tx, const struct start *s,
    const struct store_command *c, struct err *err)
{
	struct command_payload p;
	struct store_cmd_msg m;
	char topic[512];
	int rc;

	if (command_payload_build(c, s->e.parameters, s->e.timeout_sec, &p,
	    err) == -1)
		return -1;
	snprintf(topic, sizeof(topic), "$aws/commands/%s/%s/executions/%s/"
	    "request%s", s->target.kind, s->target.id, s->e.execution_id,
	    p.suffix);
	memset(&m, 0, sizeof(m));
	m.kind = "request";
	m.topic = topic;
	m.payload = p.data;
	m.len = p.len;
	m.content_type = p.content_type;
	m.expire_at = s->e.timeout_at;
	rc = store_cmd_outbox_add(tx, &m, err);
	free(p.data);
	return rc;
}

/* 1: an earlier execution of the same request answered; 0: go on. */
static int
start_retry(struct store_tx *tx, struct start *s, struct err *err)
{
	struct store_cmd_exec old;
	int rc;

	if (s->token == NULL)
		return 0;
	rc = store_cmd_exec_by_token(tx, s->token, &old, err);
	if (rc <= 0)
		return rc;
	if (strcmp(old.request, s->request) != 0)
		rc = err_set(err, ERR_CONFLICT, "clientToken %s was used with"
		    " a different request (execution %s)", s->token,
		    old.execution_id);
	else
		snprintf(s->e.execution_id, sizeof(s->e.execution_id), "%s",
		    old.execution_id);
	store_cmd_exec_release(&old);
	return rc;
}

static int
start_in_tx(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct start *s, struct err *err)
{
	struct store_command c;
	char prefix[256];
	int rc = start_retry(tx, s, err);

	if (rc != 0)
		return rc == 1 ? 0 : -1;
	memset(&c, 0, sizeof(c));
	rc = start_prepare(ctx, tx, in, s, &c, err);
	if (rc == 0)
		rc = store_cmd_exec_insert(tx, &s->e, err);
	if (rc == 0)
		rc = deliver_add(tx, s, &c, err);
	snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:",
	    ctx->conf->region, ctx->conf->account_id);
	if (rc == 0)
		rc = event_add(tx, prefix, &s->e, err);
	store_command_release(&c);
	return rc;
}

int
command_exec_start(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	struct start s;
	json_t *req;
	int rc;

	memset(&s, 0, sizeof(s));
	if (command_arn_id(ctx->conf, api_in_str(in, "commandArn"),
	    &s.command_id, err) == -1 || target_parse(ctx->conf,
	    api_in_str(in, "targetArn"), &s.target, err) == -1)
		return -1;
	s.token = api_in_str(in, "clientToken");
	req = json_deep_copy(in);
	json_object_del(req, "clientToken");
	s.request = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(req);
	rc = start_in_tx(ctx, ctx->tx, in, &s, err);
	if (rc == 0)
		*out = json_pack("{s:s}", "executionId", s.e.execution_id);
	store_cmd_exec_release(&s.e);
	free(s.request);
	return rc;
}

/* --- control plane ------------------------------------------------------ */

static void
set_time(json_t *o, const char *name, int64_t v)
{
	if (v != 0)
		json_object_set_new(o, name, json_integer(v));
}

static json_t *
exec_summary(const struct conf *conf, const struct store_cmd_exec *e)
{
	char arn[COMMAND_ARN_MAX];
	json_t *o;

	command_arn(conf, e->command_id, arn, sizeof(arn));
	o = json_pack("{s:s, s:s, s:s, s:s}", "commandArn", arn,
	    "executionId", e->execution_id, "targetArn", e->target_arn,
	    "status", cmd_status_name(e->status));
	set_time(o, "createdAt", e->created_at);
	set_time(o, "startedAt", e->started_at);
	set_time(o, "completedAt", e->completed_at);
	return o;
}

/* Execution ID of target TARGET_ARN into E (1), 0 when there is none. */
static int
exec_load(struct store_tx *tx, json_t *in, struct store_cmd_exec *e,
    struct err *err)
{
	int rc = store_cmd_exec_get(tx, api_in_str(in, "executionId"), e,
	    err);

	if (rc == 1 && strcmp(e->target_arn, api_in_str(in,
	    "targetArn")) != 0) {
		store_cmd_exec_release(e);
		return 0;
	}
	return rc;
}

int
command_exec_get(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	json_t *inc = json_object_get(in, "includeResult");
	struct store_cmd_exec e;
	struct store_tx *tx = ctx->tx;
	int rc;

	rc = exec_load(tx, in, &e, err);
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Command execution %s of"
		    " target %s does not exist", api_in_str(in,
		    "executionId"), api_in_str(in, "targetArn"));
	if (rc == -1)
		return -1;
	*out = exec_summary(ctx->conf, &e);
	json_object_del(*out, "createdAt");
	if (e.status_reason != NULL)
		json_object_set(*out, "statusReason", e.status_reason);
	if (json_is_true(inc) && e.result != NULL)
		json_object_set(*out, "result", e.result);
	if (e.parameters != NULL)
		json_object_set(*out, "parameters", e.parameters);
	json_object_set_new(*out, "executionTimeoutSeconds",
	    json_integer(e.timeout_sec));
	set_time(*out, "createdAt", e.created_at);
	set_time(*out, "lastUpdatedAt", e.last_updated_at);
	json_object_set_new(*out, "timeToLive",
	    json_integer(e.created_at + EXEC_TTL));
	store_cmd_exec_release(&e);
	return 0;
}

/* "yyyy-MM-dd'T'HH:mm" (UTC) of member NAME of FILTER into *AT. */
static int
time_parse(const json_t *filter, const char *name, int64_t *at,
    struct err *err)
{
	/* Each field: where, how many digits, its bounds. */
	static const struct {
		size_t at, len;
		int64_t min, max;
	} fields[] = {
		{ 0, 4, 1970, 9999 }, { 5, 2, 1, 12 }, { 8, 2, 1, 31 },
		{ 11, 2, 0, 23 }, { 14, 2, 0, 59 },
	};
	const char *text = json_string_value(json_object_get(filter, name));
	int64_t v[5];
	struct tm tm;
	size_t i;

	*at = 0;
	if (text == NULL)
		return 0;
	if (strlen(text) != 16 || text[4] != '-' || text[7] != '-' ||
	    text[10] != 'T' || text[13] != ':')
		goto bad;
	for (i = 0; i < 5; i++)
		if (num_parse_i64_len(text + fields[i].at, fields[i].len,
		    fields[i].min, fields[i].max, &v[i]) == -1)
			goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)v[0] - 1900;
	tm.tm_mon = (int)v[1] - 1;
	tm.tm_mday = (int)v[2];
	tm.tm_hour = (int)v[3];
	tm.tm_min = (int)v[4];
	*at = (int64_t)timegm(&tm);
	return 0;
bad:
	return err_set(err, ERR_VALIDATION, "%s '%s' is not of the form"
	    " yyyy-MM-dd'T'HH:mm", name, text);
}

static const struct marker_listing exec_listing = {
	"ListCommandExecutions", "nextToken", "nextToken", ERR_VALIDATION,
	MARKER_ROW
};

/* The query of IN into Q; its status filter points to *STATUS. */
static int
list_query(struct api_ctx *ctx, json_t *in, struct store_cmd_exec_query *q,
    enum cmd_status *status, struct err *err)
{
	const char *name = api_in_str(in, "status");
	json_t *max = json_object_get(in, "maxResults");
	json_t *started = json_object_get(in, "startedTimeFilter");
	json_t *completed = json_object_get(in, "completedTimeFilter");
	const char *order = api_in_str(in, "sortOrder");
	const char *carn = api_in_str(in, "commandArn");

	memset(q, 0, sizeof(*q));
	if (started != NULL && completed != NULL)
		return err_set(err, ERR_VALIDATION, "give startedTimeFilter or"
		    " completedTimeFilter, not both");
	q->target_arn = api_in_str(in, "targetArn");
	if (q->target_arn != NULL && carn != NULL)
		return err_set(err, ERR_VALIDATION, "give targetArn or"
		    " commandArn, not both");
	if (carn != NULL && command_arn_id(ctx->conf, carn, &q->command_id,
	    err) == -1)
		return -1;
	q->on_completed = completed != NULL;
	if (time_parse(q->on_completed ? completed : started, "after",
	    &q->from, err) == -1 || time_parse(q->on_completed ? completed :
	    started, "before", &q->to, err) == -1)
		return -1;
	q->namespace = api_in_str(in, "namespace");
	if (name != NULL) {
		/* The model's enum check ran: a refusal here is a bug. */
		if (cmd_status_parse(name, status) == -1)
			return err_set(err, ERR_VALIDATION, "status '%s' is"
			    " not a CommandExecutionStatus", name);
		q->status = status;
	}
	q->ascending = order != NULL && strcmp(order, "ASCENDING") == 0;
	q->limit = max != NULL ? (int)json_integer_value(max) :
	    EXEC_LIST_DEFAULT;
	if (q->limit < 1 || q->limit > EXEC_LIST_MAX)
		return err_set(err, ERR_VALIDATION, "maxResults must be"
		    " between 1 and %d", EXEC_LIST_MAX);
	return marker_read_row(&exec_listing, command_order(q->ascending), in,
	    &q->after, err);
}

int
command_exec_list(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	struct store_cmd_exec_query q;
	enum cmd_status status;
	struct store_cmd_exec *rows;
	struct store_tx *tx = ctx->tx;
	int64_t next;
	json_t *list;
	int n, i, rc;

	if (list_query(ctx, in, &q, &status, err) == -1)
		return -1;
	rows = xcalloc((size_t)q.limit, sizeof(*rows));
	rc = store_cmd_exec_list(tx, &q, rows, &n, &next, err);
	list = json_array();
	for (i = 0; rc == 0 && i < n; i++) {
		json_array_append_new(list, exec_summary(ctx->conf,
		    &rows[i]));
		store_cmd_exec_release(&rows[i]);
	}
	free(rows);
	if (rc == -1) {
		json_decref(list);
		return -1;
	}
	*out = json_pack("{s:o}", "commandExecutions", list);
	if (next != 0)
		marker_write_row(&exec_listing, command_order(q.ascending),
		    next, *out);
	return 0;
}

/* Terminal executions only; one that does not exist is already gone. */
int
command_exec_delete(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	struct store_cmd_exec e;
	struct store_tx *tx = ctx->tx;
	int rc;

	(void)out;
	rc = exec_load(tx, in, &e, err);
	if (rc == 1) {
		if (!cmd_is_terminal(e.status))
			rc = err_set(err, ERR_CONFLICT, "Command execution %s"
			    " is %s: only a terminal execution can be"
			    " deleted", e.execution_id,
			    cmd_status_name(e.status));
		else
			rc = store_cmd_exec_delete(tx, e.execution_id, err);
		store_cmd_exec_release(&e);
	}
	return rc == 1 ? 0 : rc;
}
