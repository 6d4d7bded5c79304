/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Things of the registry, control plane (WIRE.md 11.2): CreateThing,
 * DescribeThing, UpdateThing, DeleteThing, ListThings, as the iot model
 * and https://docs.aws.amazon.com/iot/latest/apireference/ describe them.
 * Thing types and billing groups are not implemented: naming one fails as
 * AWS fails for one that does not exist.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "api/thing_int.h"
#include "engine/engine.h"
#include "store/store_principal.h"
#include "store/store_thing.h"

/* AWS: a thing without a thing type has at most three attributes. */
#define THING_ATTRS_MAX		3
/* ListThings page size when maxResults is absent (AWS does not say). */
#define THING_PAGE_DEFAULT	50

int
thing_page_init(const json_t *in, struct store_page *pg,
    char after[STORE_NAME_MAX + 1], struct err *err)
{
	const json_t *max = json_object_get(in, "maxResults");
	const char *token = api_in_str(in, "nextToken");

	pg->limit = json_is_integer(max) ? (int)json_integer_value(max) :
	    THING_PAGE_DEFAULT;
	after[0] = '\0';
	if (token != NULL && store_token_decode(token, after, err) == -1)
		return -1;
	pg->after = after;
	return 0;
}

static int
thing_type_missing(const char *type, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Thing type %s does not exist "
	    "(thingTypeName): iotjobs does not implement thing types", type);
}

static int
thing_missing(const char *name, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Thing %s does not exist", name);
}

static int
attrs_check_count(const json_t *attrs, struct err *err)
{
	if (json_object_size(attrs) > THING_ATTRS_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "attributePayload."
		    "attributes: a thing without a thing type can have at most"
		    " %d attributes, not %zu", THING_ATTRS_MAX,
		    json_object_size(attrs));
	return 0;
}

/* Creates T, or finds the identical thing; 0, or -1 with ERR. */
static int
thing_create_tx(struct api_ctx *ctx, struct store_thing *t,
    struct err *err)
{
	struct store_tx *tx;
	struct store_thing cur;
	int rc, found;

	if (store_begin(ctx->st, true, &tx, err) == -1)
		return -1;
	found = store_thing_get(tx, t->name, &cur, err);
	if (found == 1 && json_equal(cur.attributes, t->attributes) &&
	    strcmp(cur.type_name, t->type_name) == 0) {
		memcpy(t->thing_id, cur.thing_id, sizeof(t->thing_id));
		rc = 0;
	} else if (found == 1) {
		char arn[ERR_ARN_MAX];

		api_arn(ctx, "thing", t->name, arn, sizeof(arn));
		rc = err_set(err, ERR_ALREADY_EXISTS, "Thing %s already exists"
		    " in account with different attributes", t->name);
		err_set_resource(err, cur.thing_id, arn);
	} else if (found == 0) {
		rc = store_thing_insert(tx, t, err);
	} else {
		rc = -1;
	}
	if (found == 1)
		store_thing_release(&cur);
	if (store_end(tx, rc == 0, err) == -1)
		rc = -1;
	return rc;
}

static int
thing_create(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "thingName");
	const char *type = api_in_str(in, "thingTypeName");
	const char *billing = api_in_str(in, "billingGroupName");
	json_t *payload = json_object_get(in, "attributePayload");
	struct store_thing t;
	char arn[ERR_ARN_MAX];
	int rc;

	if (type != NULL)
		return thing_type_missing(type, err);
	if (billing != NULL)
		return err_set(err, ERR_NOT_FOUND, "Billing group %s does not"
		    " exist (billingGroupName): iotjobs does not implement"
		    " billing groups", billing);
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	t.attributes = store_attrs_apply(NULL,
	    json_object_get(payload, "attributes"), false);
	t.created_at = ctx->now;
	rc = attrs_check_count(t.attributes, err);
	if (rc == 0)
		rc = thing_create_tx(ctx, &t, err);
	if (rc == 0) {
		api_arn(ctx, "thing", t.name, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s, s:s}", "thingName", t.name,
		    "thingArn", arn, "thingId", t.thing_id);
	}
	store_thing_release(&t);
	return rc;
}

static int
thing_describe(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "thingName");
	struct store_tx *tx;
	struct store_thing t;
	char arn[ERR_ARN_MAX];
	int found;

	if (store_begin(ctx->st, false, &tx, err) == -1)
		return -1;
	found = store_thing_get(tx, name, &t, err);
	store_end(tx, false, NULL);
	if (found == -1)
		return -1;
	if (found == 0)
		return thing_missing(name, err);
	api_arn(ctx, "thing", t.name, arn, sizeof(arn));
	*out = json_pack("{s:s, s:s, s:s, s:s, s:O, s:I}",
	    "defaultClientId", t.name, "thingName", t.name,
	    "thingId", t.thing_id, "thingArn", arn,
	    "attributes", t.attributes, "version", (json_int_t)t.version);
	if (t.type_name[0] != '\0')
		json_object_set_new(*out, "thingTypeName",
		    json_string(t.type_name));
	store_thing_release(&t);
	return 0;
}

static int
version_conflict(const char *what, const char *name, int64_t have,
    const json_t *expected, struct err *err)
{
	return err_set(err, ERR_VERSION_CONFLICT, "The version of %s %s is"
	    " %lld, not the expectedVersion %lld", what, name,
	    (long long)have, (long long)json_integer_value(expected));
}

/* Applies the UpdateThing input IN to T; 0, or -1 with ERR. */
static int
thing_apply(struct store_thing *t, const json_t *in, struct err *err)
{
	const json_t *expected = json_object_get(in, "expectedVersion");
	const json_t *payload = json_object_get(in, "attributePayload");
	json_t *attrs;

	if (json_is_integer(expected) &&
	    json_integer_value(expected) != t->version)
		return version_conflict("thing", t->name, t->version,
		    expected, err);
	if (payload != NULL) {
		attrs = store_attrs_apply(t->attributes,
		    json_object_get(payload, "attributes"),
		    json_is_true(json_object_get(payload, "merge")));
		json_decref(t->attributes);
		t->attributes = attrs;
		if (attrs_check_count(attrs, err) == -1)
			return -1;
	}
	if (json_is_true(json_object_get(in, "removeThingType")))
		t->type_name[0] = '\0';
	t->version++;
	return 0;
}

static int
thing_update(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "thingName");
	const char *type = api_in_str(in, "thingTypeName");
	struct store_tx *tx;
	struct store_thing t;
	int rc, found;

	if (type != NULL)
		return thing_type_missing(type, err);
	if (store_begin(ctx->st, true, &tx, err) == -1)
		return -1;
	found = store_thing_get(tx, name, &t, err);
	if (found == 0)
		rc = thing_missing(name, err);
	else if (found == -1)
		rc = -1;
	else if ((rc = thing_apply(&t, in, err)) == 0)
		rc = store_thing_update(tx, &t, err);
	if (found == 1)
		store_thing_release(&t);
	if (store_end(tx, rc == 0, err) == -1)
		rc = -1;
	if (rc == 0)
		*out = json_object();
	return rc;
}

/* AWS refuses to delete a thing that principals are attached to. */
static int
principals_check(struct store_tx *tx, const char *name, struct err *err)
{
	int64_t n;

	if (store_thing_principal_count(tx, name, &n, err) == -1)
		return -1;
	if (n > 0)
		return err_set(err, ERR_INVALID_REQUEST, "Cannot delete. Thing"
		    " %s is still attached to one or more principals", name);
	return 0;
}

static int
thing_delete(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "thingName");
	const json_t *expected = json_object_get(in, "expectedVersion");
	struct store_tx *tx;
	struct store_thing t;
	int rc = 0, found;

	if (store_begin(ctx->st, true, &tx, err) == -1)
		return -1;
	found = store_thing_get(tx, name, &t, err);
	if (found == -1)
		rc = -1;
	else if (found == 1 && json_is_integer(expected) &&
	    json_integer_value(expected) != t.version)
		rc = version_conflict("thing", name, t.version, expected, err);
	else if (found == 1 && (rc = principals_check(tx, name, err)) == 0 &&
	    (rc = engine_thing_deleted(tx, name, ctx->now, err)) == 0)
		rc = store_thing_delete(tx, name, err);
	if (found == 1)
		store_thing_release(&t);
	if (store_end(tx, rc == 0 && found == 1, err) == -1)
		rc = -1;
	if (rc == 0)
		*out = json_object();
	return rc;
}

static int
thing_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *attr_name = api_in_str(in, "attributeName");
	const char *attr_value = api_in_str(in, "attributeValue");
	bool prefix = json_is_true(json_object_get(in,
	    "usePrefixAttributeValue"));
	char after[STORE_NAME_MAX + 1], arn[ERR_ARN_MAX];
	struct store_page pg;
	struct store_tx *tx;
	json_t *things, *item;
	size_t i;
	bool more = false;
	int rc;

	if (attr_value != NULL && attr_name == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "attributeValue needs"
		    " attributeName");
	if (thing_page_init(in, &pg, after, err) == -1)
		return -1;
	things = json_array();
	/* Without thing types no thing has one: a type filter finds none. */
	if (api_in_str(in, "thingTypeName") == NULL) {
		if (store_begin(ctx->st, false, &tx, err) == -1) {
			json_decref(things);
			return -1;
		}
		rc = store_thing_list(tx, &pg, attr_name, attr_value, prefix,
		    things, &more, err);
		store_end(tx, false, NULL);
		if (rc == -1) {
			json_decref(things);
			return -1;
		}
	}
	json_array_foreach(things, i, item) {
		api_arn(ctx, "thing", api_in_str(item, "thingName"), arn,
		    sizeof(arn));
		json_object_set_new(item, "thingArn", json_string(arn));
	}
	*out = json_pack("{s:o}", "things", things);
	if (more) {
		char token[STORE_TOKEN_MAX];

		store_token_encode(api_in_str(json_array_get(things,
		    json_array_size(things) - 1), "thingName"), token);
		json_object_set_new(*out, "nextToken", json_string(token));
	}
	return 0;
}

const struct api_op api_thing_ops[] = {
	{ "CreateThing", PLANE_CONTROL, thing_create },
	{ "DescribeThing", PLANE_CONTROL, thing_describe },
	{ "UpdateThing", PLANE_CONTROL, thing_update },
	{ "DeleteThing", PLANE_CONTROL, thing_delete },
	{ "ListThings", PLANE_CONTROL, thing_list },
	{ NULL, PLANE_DATA, NULL },
};
