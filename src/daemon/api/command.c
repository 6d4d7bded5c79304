/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commands, control plane (WIRE.md 9.2): CreateCommand, GetCommand,
 * ListCommands, UpdateCommand, DeleteCommand. The definition is kept as
 * given; the parameters and template rules are in command_payload.c, the
 * executions in command_exec.c. Choices: docs/compatibility.md.
 */
#include "api/command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/marker.h"
#include "api/tags.h"
#include "store/store_command.h"
#include "xmalloc.h"

#define CMD_LIST_DEFAULT	25	/* ListCommands maxResults, absent */
#define CMD_LIST_MAX		100	/* model CommandMaxResults */
#define CMD_PAYLOAD_MAX		32768	/* static payload, bytes */
/* Deprecated this long (seconds), DeleteCommand deletes at once. */
#define CMD_DELETE_WAIT		(12 * 3600)
#define NS_IOT			"AWS-IoT"
#define NS_FLEETWISE		"AWS-IoT-FleetWise"

/* The definition members kept verbatim in commands.def. */
static const char *const def_members[] = {
	"payload", "payloadTemplate", "preprocessor", "mandatoryParameters",
	"roleArn", NULL,
};

static int
create_check(json_t *in, const char *ns, struct err *err)
{
	json_t *payload = json_object_get(in, "payload");
	const char *tpl = api_in_str(in, "payloadTemplate");
	const char *content = json_string_value(json_object_get(payload,
	    "content"));
	bool fleetwise = strcmp(ns, NS_FLEETWISE) == 0;
	unsigned char *bin;
	size_t len;

	if (fleetwise != (json_object_get(in, "roleArn") != NULL))
		return err_set(err, ERR_VALIDATION, "roleArn is %s for"
		    " namespace %s", fleetwise ? "required" : "not allowed",
		    ns);
	if (payload != NULL && tpl != NULL)
		return err_set(err, ERR_VALIDATION, "give either payload or"
		    " payloadTemplate, not both");
	if (!fleetwise && payload == NULL && tpl == NULL)
		return err_set(err, ERR_VALIDATION, "payload or"
		    " payloadTemplate is required in namespace %s", ns);
	if ((tpl != NULL) != (json_object_get(in, "preprocessor") != NULL))
		return err_set(err, ERR_VALIDATION, "preprocessor %s",
		    tpl != NULL ? "is required with payloadTemplate" :
		    "can only be used with payloadTemplate");
	if (content != NULL && content[0] != '\0') {
		if (command_b64_decode(content, &bin, &len) == -1)
			return err_set(err, ERR_VALIDATION, "payload.content"
			    " is not base64");
		free(bin);
		if (len > CMD_PAYLOAD_MAX)
			return err_set(err, ERR_VALIDATION, "payload.content"
			    " must be at most %d bytes, not %zu",
			    CMD_PAYLOAD_MAX, len);
	}
	return command_params_check(json_object_get(in,
	    "mandatoryParameters"), tpl, err);
}

static int
command_create(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *ns = api_in_str(in, "namespace");
	const char *dn = api_in_str(in, "displayName");
	const char *desc = api_in_str(in, "description");
	char arn[COMMAND_ARN_MAX];
	struct store_command c;
	struct store_tx *tx = ctx->tx;
	size_t i;
	int rc;

	if (ns == NULL)
		ns = NS_IOT;
	if (create_check(in, ns, err) == -1 ||
	    tags_check_as(json_object_get(in, "tags"), ERR_VALIDATION,
	    err) == -1)
		return -1;
	memset(&c, 0, sizeof(c));
	snprintf(c.command_id, sizeof(c.command_id), "%s",
	    api_in_str(in, "commandId"));
	c.namespace = xstrdup(ns);
	c.display_name = dn != NULL ? xstrdup(dn) : NULL;
	c.description = desc != NULL ? xstrdup(desc) : NULL;
	c.def = json_object();
	for (i = 0; def_members[i] != NULL; i++)
		if (json_object_get(in, def_members[i]) != NULL)
			json_object_set(c.def, def_members[i],
			    json_object_get(in, def_members[i]));
	c.created_at = c.last_updated_at = ctx->now;
	command_arn(ctx->conf, c.command_id, arn, sizeof(arn));
	rc = store_command_get(tx, c.command_id, NULL, err);
	if (rc == 1) {
		rc = err_set(err, ERR_CONFLICT, "Command %s already exists",
		    c.command_id);
		err_set_resource(err, c.command_id, arn);
	} else if (rc == 0 && (rc = store_command_insert(tx, &c, err)) == 0)
		rc = tags_create(tx, "command", c.command_id,
		    json_object_get(in, "tags"), err);
	if (rc == 0)
		*out = json_pack("{s:s, s:s}", "commandId", c.command_id,
		    "commandArn", arn);
	store_command_release(&c);
	return rc;
}

static int
command_load(struct api_ctx *ctx, const char *id, struct store_command *c,
    struct err *err)
{
	int rc = store_command_get(ctx->tx, id, c, err);

	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Command %s does not"
		    " exist", id);
	return rc == 1 ? 0 : -1;
}

static void
set_opt_str(json_t *o, const char *name, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, name, json_string(v));
}

/* The members GetCommand and ListCommands share. */
static json_t *
command_summary(const struct api_ctx *ctx, const struct store_command *c)
{
	char arn[COMMAND_ARN_MAX];
	json_t *o;

	command_arn(ctx->conf, c->command_id, arn, sizeof(arn));
	o = json_pack("{s:s, s:s}", "commandId", c->command_id, "commandArn",
	    arn);
	set_opt_str(o, "displayName", c->display_name);
	json_object_set_new(o, "deprecated", json_boolean(c->deprecated));
	json_object_set_new(o, "createdAt", json_integer(c->created_at));
	json_object_set_new(o, "lastUpdatedAt",
	    json_integer(c->last_updated_at));
	json_object_set_new(o, "pendingDeletion",
	    json_boolean(c->delete_at != 0));
	return o;
}

static int
command_get(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	struct store_command c;
	size_t i;

	if (command_load(ctx, api_in_str(in, "commandId"), &c, err) == -1)
		return -1;
	*out = command_summary(ctx, &c);
	json_object_set_new(*out, "namespace", json_string(c.namespace));
	set_opt_str(*out, "description", c.description);
	for (i = 0; def_members[i] != NULL; i++)
		if (json_object_get(c.def, def_members[i]) != NULL)
			json_object_set(*out, def_members[i],
			    json_object_get(c.def, def_members[i]));
	store_command_release(&c);
	return 0;
}

const char *
command_order(bool ascending)
{
	return ascending ? "ASCENDING" : "DESCENDING";
}

static const struct marker_listing command_listing = {
	"ListCommands", "nextToken", "nextToken", ERR_VALIDATION, MARKER_ROW
};

static int
command_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	json_t *max = json_object_get(in, "maxResults");
	const char *order = api_in_str(in, "sortOrder");
	struct store_command_query q;
	struct store_command *rows;
	int64_t next;
	json_t *list;
	int n, i, rc;

	memset(&q, 0, sizeof(q));
	q.namespace = api_in_str(in, "namespace");
	q.parameter = api_in_str(in, "commandParameterName");
	q.ascending = order != NULL && strcmp(order, "ASCENDING") == 0;
	q.limit = max != NULL ? (int)json_integer_value(max) :
	    CMD_LIST_DEFAULT;
	if (q.limit < 1 || q.limit > CMD_LIST_MAX)
		return err_set(err, ERR_VALIDATION, "maxResults must be"
		    " between 1 and %d", CMD_LIST_MAX);
	/* A page resumes in the order it was listed in. */
	if (marker_read_row(&command_listing, command_order(q.ascending), in,
	    &q.after, err) == -1)
		return -1;
	rows = xcalloc((size_t)q.limit, sizeof(*rows));
	rc = store_command_list(ctx->tx, &q, rows, &n, &next, err);
	list = json_array();
	for (i = 0; rc == 0 && i < n; i++) {
		json_array_append_new(list, command_summary(ctx, &rows[i]));
		store_command_release(&rows[i]);
	}
	free(rows);
	if (rc == -1) {
		json_decref(list);
		return -1;
	}
	*out = json_pack("{s:o}", "commands", list);
	if (next != 0)
		marker_write_row(&command_listing, command_order(q.ascending),
		    next, *out);
	return 0;
}

static void
replace_str(char **dst, const char *v)
{
	if (v == NULL)
		return;
	free(*dst);
	*dst = xstrdup(v);
}

static int
update_in_tx(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct store_command *c, struct err *err)
{
	const char *id = api_in_str(in, "commandId");
	json_t *dep = json_object_get(in, "deprecated");
	int rc = store_command_get(tx, id, c, err);

	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Command %s does not"
		    " exist", id);
	if (rc == -1)
		return -1;
	if (c->delete_at != 0)
		return err_set(err, ERR_CONFLICT, "Command %s is pending"
		    " deletion and cannot be updated", id);
	replace_str(&c->display_name, api_in_str(in, "displayName"));
	replace_str(&c->description, api_in_str(in, "description"));
	if (dep != NULL) {
		if (json_is_true(dep) && !c->deprecated)
			c->deprecated_at = ctx->now;
		else if (!json_is_true(dep))
			c->deprecated_at = 0;
		c->deprecated = json_is_true(dep);
	}
	c->last_updated_at = ctx->now;
	return store_command_update(tx, c, err);
}

static int
command_update(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	struct store_command c;
	int rc;

	if (json_object_get(in, "displayName") == NULL &&
	    json_object_get(in, "description") == NULL &&
	    json_object_get(in, "deprecated") == NULL)
		return err_set(err, ERR_VALIDATION, "give at least one of"
		    " displayName, description, deprecated");
	memset(&c, 0, sizeof(c));
	rc = update_in_tx(ctx, ctx->tx, in, &c, err);
	if (rc == 0) {
		*out = json_pack("{s:s, s:b, s:I}", "commandId", c.command_id,
		    "deprecated", c.deprecated, "lastUpdatedAt",
		    (json_int_t)c.last_updated_at);
		set_opt_str(*out, "displayName", c.display_name);
		set_opt_str(*out, "description", c.description);
	}
	store_command_release(&c);
	return rc;
}

/*
 * 200 when the command is gone (or was never there: the model lists no
 * ResourceNotFoundException); 202 while the deletion waits for the command
 * to have been deprecated CMD_DELETE_WAIT seconds (engine/command_timeout.c
 * completes it).
 */
static int
delete_in_tx(struct api_ctx *ctx, struct store_tx *tx, const char *id,
    bool *pending, struct err *err)
{
	struct store_command c;
	int64_t since;
	int rc = store_command_get(tx, id, &c, err);

	*pending = false;
	if (rc <= 0)
		return rc;
	since = c.deprecated ? c.deprecated_at : ctx->now;
	if (since + CMD_DELETE_WAIT <= ctx->now)
		rc = store_command_delete(tx, id, err) == -1 ||
		    tags_drop(tx, "command", id, err) == -1 ? -1 : 0;
	else {
		*pending = true;
		if (c.delete_at == 0) {
			c.delete_at = since + CMD_DELETE_WAIT;
			c.last_updated_at = ctx->now;
			rc = store_command_update(tx, &c, err);
		} else
			rc = 0;
	}
	store_command_release(&c);
	return rc;
}

static int
command_delete(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	bool pending;
	int rc;

	(void)out;
	rc = delete_in_tx(ctx, ctx->tx, api_in_str(in, "commandId"),
	    &pending, err);
	/* The deletion's timer: engine/command_timeout.c completes it. */
	if (rc == 0 && pending) {
		ctx->status = 202;
		ctx->poke = true;
	}
	return rc;
}

const struct api_op api_command_ops[] = {
	{ "CreateCommand", PLANE_CONTROL, command_create, API_WRITE },
	{ "GetCommand", PLANE_CONTROL, command_get, API_READ },
	{ "ListCommands", PLANE_CONTROL, command_list, API_READ },
	{ "UpdateCommand", PLANE_CONTROL, command_update, API_WRITE },
	{ "DeleteCommand", PLANE_CONTROL, command_delete, API_WRITE },
	/* Its execution's timeout is a new timer. */
	{ "StartCommandExecution", PLANE_DATA, command_exec_start,
	    API_WRITE | API_SCHED },
	{ "GetCommandExecution", PLANE_CONTROL, command_exec_get, API_READ },
	{ "ListCommandExecutions", PLANE_CONTROL, command_exec_list,
	    API_READ },
	{ "DeleteCommandExecution", PLANE_CONTROL, command_exec_delete,
	    API_WRITE },
	{ NULL, PLANE_DATA, NULL, 0 },
};
