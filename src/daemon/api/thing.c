/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Things of the registry, control plane (WIRE.md 11.2): CreateThing,
 * DescribeThing, UpdateThing, DeleteThing, ListThings, as the iot model
 * and https://docs.aws.amazon.com/iot/latest/apireference/ describe them.
 * A thing may have a thing type (thing_type.c): one that exists and, for
 * a thing that takes it on, is not deprecated. Every change of a thing
 * reaches the dynamic groups in its transaction (dyngroup_thing_changed).
 * Billing groups are not implemented: naming one fails as AWS fails for
 * one that does not exist.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "api/thing_int.h"
#include "engine/engine.h"
#include "store/store_principal.h"
#include "store/store_thing.h"
#include "store/store_thing_type.h"

/* AWS: a thing without a thing type has at most three attributes... */
#define THING_ATTRS_MAX		3
/* ... and one with a thing type at most fifty. */
#define THING_TYPED_ATTRS_MAX	50
/* ListThings page size when maxResults is absent (AWS does not say). */
#define THING_PAGE_DEFAULT	50

static const struct marker_listing thing_listing =
    THING_LISTING("ListThings");

int
thing_page_init(const struct marker_listing *l, const json_t *in,
    struct store_page *pg, struct marker_pos *pos, struct err *err)
{
	if (marker_page_init(l, in, "maxResults", THING_PAGE_DEFAULT, pg,
	    pos, err) == -1)
		return -1;
	pg->after = pos->key;
	return 0;
}

static int
thing_missing(const char *name, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Thing %s does not exist", name);
}

int
thing_check_exists(struct store_tx *tx, const char *name, struct err *err)
{
	struct store_thing t;
	int found = store_thing_get(tx, name, &t, err);

	if (found == 1)
		store_thing_release(&t);
	if (found == 0)
		return thing_missing(name, err);
	return found == 1 ? 0 : -1;
}

/*
 * TYPE may be given to a thing that had CURRENT ("" none): it exists and,
 * unless the thing has it already, is not deprecated. 0, or -1 with ERR.
 */
static int
thing_type_check(struct store_tx *tx, const char *type, const char *current,
    struct err *err)
{
	struct store_thing_type tt;
	bool deprecated;
	int found;

	found = store_thing_type_get(tx, type, &tt, err);
	if (found == -1)
		return -1;
	if (found == 0)
		return err_set(err, ERR_NOT_FOUND, "Thing type %s does not"
		    " exist (thingTypeName)", type);
	deprecated = tt.deprecated_at != 0;
	store_thing_type_release(&tt);
	if (deprecated && strcmp(type, current) != 0)
		return err_set(err, ERR_INVALID_REQUEST, "Thing type %s is"
		    " deprecated: no thing can take it on (thingTypeName)",
		    type);
	return 0;
}

/* The attribute limit of a thing with (TYPED) or without a type. */
static int
attrs_check_count(const json_t *attrs, bool typed, struct err *err)
{
	size_t n = json_object_size(attrs);

	if (!typed && n > THING_ATTRS_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "attributePayload."
		    "attributes: a thing without a thing type can have at most"
		    " %d attributes, not %zu", THING_ATTRS_MAX, n);
	if (n > THING_TYPED_ATTRS_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "attributePayload."
		    "attributes: a thing can have at most %d attributes, not"
		    " %zu", THING_TYPED_ATTRS_MAX, n);
	return 0;
}

/*
 * Creates T, or finds the identical thing; 0, or -1 with ERR. *CHANGED
 * tells whether dynamic group memberships moved.
 */
/*
 * Creates T, or finds the identical thing; 0, or -1 with ERR. Sets
 * ctx->poke when dynamic group memberships moved.
 */
static int
thing_create_tx(struct api_ctx *ctx, struct store_thing *t, struct err *err)
{
	struct store_tx *tx = ctx->tx;
	struct store_thing cur;
	int rc, found;

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
		rc = t->type_name[0] != '\0' ? thing_type_check(tx,
		    t->type_name, "", err) : 0;
		if (rc == 0)
			rc = store_thing_insert(tx, t, err);
		if (rc == 0)
			rc = dyngroup_thing_changed(ctx, tx, t, &ctx->poke,
			    err);
	} else {
		rc = -1;
	}
	if (found == 1)
		store_thing_release(&cur);
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

	if (billing != NULL)
		return err_set(err, ERR_NOT_FOUND, "Billing group %s does not"
		    " exist (billingGroupName): iotjobs does not implement"
		    " billing groups", billing);
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	snprintf(t.type_name, sizeof(t.type_name), "%s",
	    type != NULL ? type : "");
	t.attributes = store_attrs_apply(NULL,
	    json_object_get(payload, "attributes"), false);
	t.created_at = ctx->now;
	rc = attrs_check_count(t.attributes, type != NULL, err);
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
	struct store_thing t;
	char arn[ERR_ARN_MAX];
	int found;

	found = store_thing_get(ctx->tx, name, &t, err);
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

/* Applies the UpdateThing input IN to T in TX; 0, or -1 with ERR. */
static int
thing_apply(struct store_tx *tx, struct store_thing *t, const json_t *in,
    struct err *err)
{
	const json_t *expected = json_object_get(in, "expectedVersion");
	const json_t *payload = json_object_get(in, "attributePayload");
	const char *type = api_in_str(in, "thingTypeName");
	json_t *attrs;

	if (json_is_integer(expected) &&
	    json_integer_value(expected) != t->version)
		return version_conflict("thing", t->name, t->version,
		    expected, err);
	if (type != NULL) {
		if (thing_type_check(tx, type, t->type_name, err) == -1)
			return -1;
		snprintf(t->type_name, sizeof(t->type_name), "%s", type);
	}
	if (json_is_true(json_object_get(in, "removeThingType")))
		t->type_name[0] = '\0';
	if (payload != NULL) {
		attrs = store_attrs_apply(t->attributes,
		    json_object_get(payload, "attributes"),
		    json_is_true(json_object_get(payload, "merge")));
		json_decref(t->attributes);
		t->attributes = attrs;
	}
	if (attrs_check_count(t->attributes, t->type_name[0] != '\0',
	    err) == -1)
		return -1;
	t->version++;
	return 0;
}

static int
thing_update(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "thingName");
	struct store_tx *tx = ctx->tx;
	struct store_thing t;
	int rc, found;

	(void)out;	/* NULL answers {} */
	if (api_in_str(in, "thingTypeName") != NULL &&
	    json_is_true(json_object_get(in, "removeThingType")))
		return err_set(err, ERR_INVALID_REQUEST, "thingTypeName and"
		    " removeThingType cannot be given together");
	found = store_thing_get(tx, name, &t, err);
	if (found == 0)
		rc = thing_missing(name, err);
	else if (found == -1)
		rc = -1;
	else if ((rc = thing_apply(tx, &t, in, err)) == 0 &&
	    (rc = store_thing_update(tx, &t, err)) == 0)
		rc = dyngroup_thing_changed(ctx, tx, &t, &ctx->poke, err);
	if (found == 1)
		store_thing_release(&t);
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
	struct store_tx *tx = ctx->tx;
	struct store_thing t;
	int rc = 0, found;

	(void)out;	/* NULL answers {} */
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
	return rc;
}

static int
thing_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	struct store_thing_filter f;
	char arn[ERR_ARN_MAX];
	struct marker_pos after;
	struct store_page pg;
	json_t *things, *item;
	size_t i;
	bool more = false;
	int rc;

	f.attr_name = api_in_str(in, "attributeName");
	f.attr_value = api_in_str(in, "attributeValue");
	f.prefix = json_is_true(json_object_get(in,
	    "usePrefixAttributeValue"));
	f.type_name = api_in_str(in, "thingTypeName");
	if (f.attr_value != NULL && f.attr_name == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "attributeValue needs"
		    " attributeName");
	if (thing_page_init(&thing_listing, in, &pg, &after, err) == -1)
		return -1;
	things = json_array();
	rc = store_thing_list(ctx->tx, &pg, &f, things, &more, err);
	if (rc == -1) {
		json_decref(things);
		return -1;
	}
	json_array_foreach(things, i, item) {
		api_arn(ctx, "thing", api_in_str(item, "thingName"), arn,
		    sizeof(arn));
		json_object_set_new(item, "thingArn", json_string(arn));
	}
	*out = json_pack("{s:o}", "things", things);
	marker_page_next(&thing_listing, *out, api_in_str(json_array_get(
	    things, json_array_size(things) - 1), "thingName"), more);
	return 0;
}

const struct api_op api_thing_ops[] = {
	{ "CreateThing", PLANE_CONTROL, thing_create, API_WRITE },
	{ "DescribeThing", PLANE_CONTROL, thing_describe, API_READ },
	{ "UpdateThing", PLANE_CONTROL, thing_update, API_WRITE },
	{ "DeleteThing", PLANE_CONTROL, thing_delete, API_WRITE },
	{ "ListThings", PLANE_CONTROL, thing_list, API_READ },
	{ NULL, PLANE_DATA, NULL, 0 },
};
