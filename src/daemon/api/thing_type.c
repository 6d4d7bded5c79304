/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thing types, control plane: CreateThingType, DescribeThingType,
 * ListThingTypes, UpdateThingType, DeprecateThingType, DeleteThingType
 * (https://docs.aws.amazon.com/iot/latest/developerguide/thing-types.html).
 * AWS's rules: at most three searchable attributes; a deprecated type
 * keeps its things but takes no new ones until undoDeprecate; a type can
 * be deleted only once it has been deprecated for five minutes (on the
 * jobs' clock, which --test-clock moves) and no thing has it.
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tags.h"
#include "api/thing_int.h"
#include "store/store_thing_type.h"
#include "xmalloc.h"

#define TYPE_SEARCHABLE_MAX	3	/* searchable attributes (AWS) */
#define TYPE_DELETE_AFTER	300	/* seconds deprecated before delete */

static int
type_missing(const char *name, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Thing type %s does not exist",
	    name);
}

/*
 * The thingTypeProperties PROPS into T: members given replace T's
 * (UpdateThingType), absent ones stay. 0, or -1 with ERR.
 */
static int
type_props(struct store_thing_type *t, const json_t *props, struct err *err)
{
	const char *desc = api_in_str(props, "thingTypeDescription");
	json_t *search = json_object_get(props, "searchableAttributes");
	json_t *mqtt5 = json_object_get(props, "mqtt5Configuration");

	if (json_array_size(search) > TYPE_SEARCHABLE_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "thingTypeProperties."
		    "searchableAttributes: a thing type can have at most %d"
		    " searchable attributes, not %zu", TYPE_SEARCHABLE_MAX,
		    json_array_size(search));
	if (desc != NULL) {
		free(t->description);
		t->description = xstrdup(desc);
	}
	if (search != NULL) {
		json_decref(t->searchable);
		t->searchable = json_deep_copy(search);
	}
	if (mqtt5 != NULL) {
		json_decref(t->mqtt5);
		t->mqtt5 = json_deep_copy(mqtt5);
	}
	if (t->searchable == NULL)
		t->searchable = json_array();
	return 0;
}

static bool
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
json_same(const json_t *a, const json_t *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return json_equal(a, b);
}

/* Whether the existing type CUR has the configuration T asks for. */
static bool
type_same(const struct store_thing_type *cur,
    const struct store_thing_type *t)
{
	return str_same(cur->description, t->description) &&
	    json_same(cur->searchable, t->searchable) &&
	    json_same(cur->mqtt5, t->mqtt5);
}

static int
type_create_tx(struct api_ctx *ctx, struct store_tx *tx,
    struct store_thing_type *t, const json_t *tags, struct err *err)
{
	struct store_thing_type cur;
	char arn[ERR_ARN_MAX];
	int found, rc = 0;

	found = store_thing_type_get(tx, t->name, &cur, err);
	if (found == -1)
		return -1;
	if (found == 0) {
		if (store_thing_type_insert(tx, t, err) == -1)
			return -1;
		return tags_create(tx, "thingtype", t->name, tags, err);
	}
	/* AWS: the same name and configuration again succeeds. */
	if (type_same(&cur, t)) {
		memcpy(t->type_id, cur.type_id, sizeof(t->type_id));
	} else {
		api_arn(ctx, "thingtype", t->name, arn, sizeof(arn));
		rc = err_set(err, ERR_ALREADY_EXISTS, "Thing type %s already"
		    " exists with a different configuration", t->name);
		err_set_resource(err, cur.type_id, arn);
	}
	store_thing_type_release(&cur);
	return rc;
}

static int
type_create(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const json_t *tags = json_object_get(in, "tags");
	struct store_thing_type t;
	char arn[ERR_ARN_MAX];
	int rc;

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", api_in_str(in,
	    "thingTypeName"));
	t.created_at = ctx->now;
	rc = type_props(&t, json_object_get(in, "thingTypeProperties"), err);
	if (rc == 0)
		rc = tags_check(tags, err);
	if (rc == 0)
		rc = type_create_tx(ctx, ctx->tx, &t, tags, err);
	if (rc == 0) {
		api_arn(ctx, "thingtype", t.name, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s, s:s}", "thingTypeName", t.name,
		    "thingTypeArn", arn, "thingTypeId", t.type_id);
	}
	store_thing_type_release(&t);
	return rc;
}

static json_t *
type_properties(const struct store_thing_type *t)
{
	json_t *p = json_pack("{s:O}", "searchableAttributes", t->searchable);

	if (t->description != NULL)
		json_object_set_new(p, "thingTypeDescription",
		    json_string(t->description));
	if (t->mqtt5 != NULL)
		json_object_set(p, "mqtt5Configuration", t->mqtt5);
	return p;
}

static json_t *
type_metadata(const struct store_thing_type *t)
{
	json_t *md = json_pack("{s:b, s:I}", "deprecated",
	    t->deprecated_at != 0, "creationDate", (json_int_t)t->created_at);

	if (t->deprecated_at != 0)
		json_object_set_new(md, "deprecationDate",
		    json_integer(t->deprecated_at));
	return md;
}

/* A ThingTypeDefinition (ListThingTypes) of T. */
static json_t *
type_json(const struct api_ctx *ctx, const struct store_thing_type *t)
{
	char arn[ERR_ARN_MAX];

	api_arn(ctx, "thingtype", t->name, arn, sizeof(arn));
	return json_pack("{s:s, s:s, s:o, s:o}", "thingTypeName", t->name,
	    "thingTypeArn", arn, "thingTypeProperties", type_properties(t),
	    "thingTypeMetadata", type_metadata(t));
}

static int
type_describe(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "thingTypeName");
	struct store_thing_type t;
	int found;

	found = store_thing_type_get(ctx->tx, name, &t, err);
	if (found == -1)
		return -1;
	if (found == 0)
		return type_missing(name, err);
	*out = type_json(ctx, &t);
	json_object_set_new(*out, "thingTypeId", json_string(t.type_id));
	store_thing_type_release(&t);
	return 0;
}

struct type_list {
	const struct api_ctx *ctx;
	json_t *items;
};

static int
type_list_row(const struct store_thing_type *t, void *arg, struct err *err)
{
	struct type_list *l = arg;

	(void)err;
	json_array_append_new(l->items, type_json(l->ctx, t));
	return 0;
}

static int
type_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	static const struct marker_listing listing =
	    THING_LISTING("ListThingTypes");
	struct type_list l = { ctx, NULL };
	struct marker_pos after;
	struct store_page pg;
	bool more = false;
	int rc;

	if (thing_page_init(&listing, in, &pg, &after, err) == -1)
		return -1;
	l.items = json_array();
	rc = store_thing_type_list(ctx->tx, &pg, api_in_str(in,
	    "thingTypeName"), type_list_row, &l, &more, err);
	if (rc == -1) {
		json_decref(l.items);
		return -1;
	}
	*out = json_pack("{s:o}", "thingTypes", l.items);
	marker_page_next(&listing, *out, api_in_str(json_array_get(l.items,
	    json_array_size(l.items) - 1), "thingTypeName"), more);
	return 0;
}

/*
 * Loads type NAME in the write transaction ctx->tx, lets CHANGE alter it,
 * writes it back: the shape of UpdateThingType and DeprecateThingType.
 */
static int
type_change(struct api_ctx *ctx, const char *name, const json_t *in,
    int (*change)(struct api_ctx *, struct store_thing_type *,
    const json_t *, struct err *), struct err *err)
{
	struct store_thing_type t;
	struct store_tx *tx = ctx->tx;
	int found, rc;

	found = store_thing_type_get(tx, name, &t, err);
	if (found == 0)
		rc = type_missing(name, err);
	else if (found == -1)
		rc = -1;
	else if ((rc = change(ctx, &t, in, err)) == 0)
		rc = store_thing_type_update(tx, &t, err);
	if (found == 1)
		store_thing_type_release(&t);
	return rc;
}

static int
update_change(struct api_ctx *ctx, struct store_thing_type *t,
    const json_t *in, struct err *err)
{
	(void)ctx;
	return type_props(t, json_object_get(in, "thingTypeProperties"), err);
}

static int
type_update(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	(void)out;	/* NULL answers {} */
	return type_change(ctx, api_in_str(in, "thingTypeName"), in,
	    update_change, err);
}

/* Deprecating again keeps the first date, which starts the wait. */
static int
deprecate_change(struct api_ctx *ctx, struct store_thing_type *t,
    const json_t *in, struct err *err)
{
	(void)err;
	if (json_is_true(json_object_get(in, "undoDeprecate")))
		t->deprecated_at = 0;
	else if (t->deprecated_at == 0)
		t->deprecated_at = ctx->now > 0 ? ctx->now : 1;
	return 0;
}

static int
type_deprecate(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	(void)out;	/* NULL answers {} */
	return type_change(ctx, api_in_str(in, "thingTypeName"), in,
	    deprecate_change, err);
}

static int
type_delete_tx(struct api_ctx *ctx, struct store_tx *tx, const char *name,
    struct err *err)
{
	struct store_thing_type t;
	int64_t since;
	bool used;
	int found;

	found = store_thing_type_get(tx, name, &t, err);
	if (found == -1)
		return -1;
	if (found == 0)
		return type_missing(name, err);
	since = t.deprecated_at;
	store_thing_type_release(&t);
	if (since == 0)
		return err_set(err, ERR_INVALID_REQUEST, "Thing type %s is not"
		    " deprecated: deprecate it (DeprecateThingType) and wait %d"
		    " minutes before deleting it", name,
		    TYPE_DELETE_AFTER / 60);
	if (ctx->now < since + TYPE_DELETE_AFTER)
		return err_set(err, ERR_INVALID_REQUEST, "Thing type %s was"
		    " deprecated %lld seconds ago: it can be deleted %d minutes"
		    " after its deprecation, in %lld seconds", name,
		    (long long)(ctx->now - since), TYPE_DELETE_AFTER / 60,
		    (long long)(since + TYPE_DELETE_AFTER - ctx->now));
	if (store_thing_type_in_use(tx, name, &used, err) == -1)
		return -1;
	if (used)
		return err_set(err, ERR_INVALID_REQUEST, "Thing type %s still"
		    " has things: give them another type or remove it"
		    " (UpdateThing) before deleting it", name);
	if (store_thing_type_delete(tx, name, err) == -1)
		return -1;
	return tags_drop(tx, "thingtype", name, err);
}

static int
type_delete(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	(void)out;	/* NULL answers {} */
	return type_delete_tx(ctx, ctx->tx, api_in_str(in, "thingTypeName"),
	    err);
}

const struct api_op api_thing_type_ops[] = {
	{ "CreateThingType", PLANE_CONTROL, type_create, API_WRITE },
	{ "DescribeThingType", PLANE_CONTROL, type_describe, API_READ },
	{ "ListThingTypes", PLANE_CONTROL, type_list, API_READ },
	{ "UpdateThingType", PLANE_CONTROL, type_update, API_WRITE },
	{ "DeprecateThingType", PLANE_CONTROL, type_deprecate, API_WRITE },
	{ "DeleteThingType", PLANE_CONTROL, type_delete, API_WRITE },
	{ NULL, PLANE_DATA, NULL, 0 },
};
