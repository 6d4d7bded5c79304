/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /_iotjobs/things/import (`iotjobs thing import`): up to 500 things
 * {"thingName", "attributes", "groups"} made to exist as given, in one
 * write transaction, each in a savepoint of its own so that one refused
 * thing leaves the others. Each is what CreateThing, UpdateThing (the
 * attributes replaced) and AddThingToThingGroup would do: the same model
 * checks (validate_input on their input shapes), the same authorization
 * (authz_check of those operations on the thing and the group), the same
 * dynamic-group and membership steps with their CONTINUOUS-job hooks
 * (dyngroup_thing_changed, thing_group_join_tx);
 * and one audit record per thing changed or refused, in the same
 * transaction. Answer: {"results": [{"thingName", "outcome": created |
 * updated | unchanged | failed, "errorType", "message"}]}, in order.
 */
#include "api/ext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/thing_int.h"
#include "api/validate.h"
#include "app.h"
#include "auth/authz.h"
#include "store/store_audit.h"
#include "store/store_thing.h"

#define IMPORT_BATCH_MAX	500
#define IMPORT_ATTRS_MAX	3	/* CreateThing without a thing type */

struct import_one {
	struct api_ctx *ctx;
	struct store_tx *tx;
	const char *name;
	const json_t *attrs;
	const json_t *groups;
	char principal[160];
	json_t *joined;		/* groups joined */
	bool moved;		/* a dynamic group membership changed */
};

/* The model's checks and the authorization of operation OP on IN. */
static int
allowed(struct import_one *o, const char *op, json_t *in, struct err *err)
{
	const struct model_op *m = model_op_find(PLANE_CONTROL, op);
	struct authz_request zr;

	if (m == NULL || validate_input(m->input, in, validate_errtype(m),
	    err) == -1)
		return -1;
	memset(&zr, 0, sizeof(zr));
	zr.who = o->ctx->who;
	zr.plane = PLANE_CONTROL;
	zr.op = op;
	zr.in = in;
	zr.source_ip = o->ctx->peer;
	return authz_check(o->ctx->app->authz, &zr, err);
}

static int
checks(struct import_one *o, bool exists, struct err *err)
{
	json_t *in, *g;
	size_t i;
	int rc;

	if (json_object_size(o->attrs) > IMPORT_ATTRS_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "A thing without a"
		    " thing type can have at most %d attributes, not %zu",
		    IMPORT_ATTRS_MAX, json_object_size(o->attrs));
	in = json_pack("{s:s, s:{s:O}}", "thingName", o->name,
	    "attributePayload", "attributes", o->attrs);
	rc = allowed(o, exists ? "UpdateThing" : "CreateThing", in, err);
	json_decref(in);
	json_array_foreach(o->groups, i, g) {
		if (rc == -1)
			break;
		if (!json_is_string(g))
			return err_set(err, ERR_INVALID_REQUEST, "groups holds"
			    " thing group names");
		in = json_pack("{s:O, s:s}", "thingGroupName", g, "thingName",
		    o->name);
		rc = allowed(o, "AddThingToThingGroup", in, err);
		json_decref(in);
	}
	return rc;
}

/* Applies one thing in its savepoint; the outcome, or NULL with ERR. */
static const char *
apply(struct import_one *o, struct err *err)
{
	struct store_thing t;
	const char *outcome = "unchanged";
	json_t *g;
	size_t i;
	int found;
	bool joined;

	if (!json_is_object(o->attrs) || !json_is_array(o->groups)) {
		err_set(err, ERR_INVALID_REQUEST, "attributes is an object and"
		    " groups an array");
		return NULL;
	}
	found = store_thing_get(o->tx, o->name, &t, err);
	if (found == -1 || checks(o, found == 1, err) == -1)
		goto fail;
	if (found == 0) {
		memset(&t, 0, sizeof(t));
		snprintf(t.name, sizeof(t.name), "%s", o->name);
		t.attributes = store_attrs_apply(NULL, o->attrs, false);
		t.created_at = o->ctx->now;
		if (store_thing_insert(o->tx, &t, err) == -1 ||
		    dyngroup_thing_changed(o->ctx, o->tx, &t, &o->moved,
		    err) == -1)
			goto fail_release;
		outcome = "created";
		found = 1;
	} else if (!json_equal(t.attributes, o->attrs)) {
		json_decref(t.attributes);
		t.attributes = store_attrs_apply(NULL, o->attrs, false);
		t.version++;
		if (store_thing_update(o->tx, &t, err) == -1 ||
		    dyngroup_thing_changed(o->ctx, o->tx, &t, &o->moved,
		    err) == -1)
			goto fail_release;
		outcome = "updated";
	}
	json_array_foreach(o->groups, i, g) {
		if (thing_group_join_tx(o->ctx, o->tx, json_string_value(g),
		    o->name, &joined, err) == -1)
			goto fail_release;
		if (joined) {
			json_array_append(o->joined, g);
			if (strcmp(outcome, "unchanged") == 0)
				outcome = "updated";
		}
	}
	store_thing_release(&t);
	return outcome;
fail_release:
	store_thing_release(&t);
	return NULL;
fail:
	if (found == 1)
		store_thing_release(&t);
	return NULL;
}

static void
audit_one(struct import_one *o, const char *result, const char *outcome)
{
	struct store_audit_ctx a;
	char target[300], *detail;
	json_t *d;
	struct err err;

	d = json_pack("{s:s, s:O}", "outcome", outcome, "groupsJoined",
	    o->joined);
	detail = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	snprintf(target, sizeof(target), "thing/%s", o->name);
	memset(&a, 0, sizeof(a));
	a.at = o->ctx->now;
	a.principal = o->principal;
	a.operation = "iotjobs:ImportThing";
	a.target = target;
	a.thing = o->name;
	a.peer = o->ctx->peer;
	a.request_id = o->ctx->request_id;
	a.detail = detail;
	err_clear(&err);
	store_audit_append_tx(o->tx, &a, result, &err);
	free(detail);
}

/* One thing: its result object. */
static json_t *
import_one(struct import_one *o, const json_t *item, bool *joins)
{
	struct err err;
	const char *outcome;
	json_t *res;

	o->name = json_string_value(json_object_get(item, "thingName"));
	o->attrs = json_object_get(item, "attributes");
	o->groups = json_object_get(item, "groups");
	if (o->attrs == NULL)
		o->attrs = json_object();
	else
		json_incref((json_t *)o->attrs);
	if (o->groups == NULL)
		o->groups = json_array();
	else
		json_incref((json_t *)o->groups);
	o->joined = json_array();
	err_clear(&err);
	if (o->name == NULL) {
		outcome = NULL;
		err_set(&err, ERR_INVALID_REQUEST, "thingName is required");
	} else if (store_item_begin(o->tx, &err) == 0) {
		outcome = apply(o, &err);
		store_item_end(o->tx, outcome != NULL);
	} else {
		outcome = NULL;
	}
	res = json_pack("{s:s?, s:s}", "thingName", o->name, "outcome",
	    outcome != NULL ? outcome : "failed");
	if (outcome == NULL) {
		json_object_set_new(res, "errorType", json_string(err.type));
		json_object_set_new(res, "message", json_string(err.msg));
	}
	if (o->name != NULL && (outcome == NULL ||
	    strcmp(outcome, "unchanged") != 0))
		audit_one(o, outcome != NULL ? "OK" : err.type,
		    outcome != NULL ? outcome : "failed");
	if (json_array_size(o->joined) > 0 || o->moved)
		*joins = true;
	o->moved = false;
	json_decref((json_t *)o->attrs);
	json_decref((json_t *)o->groups);
	json_decref(o->joined);
	return res;
}

int
ext_import(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const json_t *things = json_object_get(in, "things"), *item;
	struct import_one o;
	json_t *results;
	bool joins = false;
	size_t i;

	if (!json_is_array(things) || json_array_size(things) == 0 ||
	    json_array_size(things) > IMPORT_BATCH_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "things must be an"
		    " array of 1 to %d things", IMPORT_BATCH_MAX);
	memset(&o, 0, sizeof(o));
	o.ctx = ctx;
	ext_principal_name(ctx->who, o.principal, sizeof(o.principal));
	o.tx = ctx->tx;
	results = json_array();
	json_array_foreach(things, i, item)
		json_array_append_new(results, import_one(&o, item, &joins));
	/* Refused things are in the results: the batch commits. */
	ctx->poke = joins;
	*out = json_pack("{s:o}", "results", results);
	return 0;
}
