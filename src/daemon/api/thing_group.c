/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Static thing groups, control plane (WIRE.md 11.2): Create/Describe/
 * Update/Delete/ListThingGroups, ListThingsInThingGroup,
 * ListThingGroupsForThing; membership changes are thing_group_member.c's.
 * Limits from the AWS IoT developer guide
 * (thing-groups.html): a thing is in at most 10 groups, a hierarchy is at
 * most 7 deep, a group has at most 100 direct children. A thing that joins
 * a group may join CONTINUOUS jobs of the group and its ancestors
 * (engine_member_added / engine_member_left, same transaction). Dynamic
 * groups (thing_group_dynamic.c) share Describe, List and the listings of
 * members; the operations that set members or parents refuse them, as
 * AWS does, and static membership changes reach the dynamic groups whose
 * queries read thingGroupNames.
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tags.h"
#include "api/thing_int.h"
#include "engine/engine.h"
#include "store/store_identity.h"
#include "store/store_job.h"
#include "store/store_policy.h"
#include "store/store_thing.h"
#include "xmalloc.h"

#define GROUP_CHILDREN_MAX	100
#define GROUP_MEMBERS_WALK	1000000	/* members read by DeleteThingGroup */

static int
group_missing(const char *name, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Thing group %s does not exist",
	    name);
}

int
thing_group_chain(struct store_tx *tx, const char *name,
    struct group_chain *chain, struct err *err)
{
	struct store_group g;
	char next[STORE_NAME_MAX + 1];
	int found;

	snprintf(next, sizeof(next), "%s", name);
	chain->n = 0;
	while (next[0] != '\0' && chain->n <= GROUP_DEPTH_MAX) {
		found = store_group_get(tx, next, &g, err);
		if (found == -1)
			return -1;
		if (found == 0)
			break;
		snprintf(chain->names[chain->n], sizeof(chain->names[0]), "%s",
		    g.name);
		snprintf(next, sizeof(next), "%s", g.parent_name);
		store_group_release(&g);
		chain->n++;
	}
	return 0;
}

static json_t *
group_ref(const struct api_ctx *ctx, const char *name)
{
	char arn[ERR_ARN_MAX];

	api_arn(ctx, "thinggroup", name, arn, sizeof(arn));
	return json_pack("{s:s, s:s}", "groupName", name, "groupArn", arn);
}

/* Turns an array of group names into GroupNameAndArn objects. */
static json_t *
group_refs(const struct api_ctx *ctx, const json_t *names)
{
	json_t *list = json_array(), *v;
	size_t i;

	json_array_foreach(names, i, v)
		json_array_append_new(list, group_ref(ctx,
		    json_string_value(v)));
	return list;
}

static bool
str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* CreateThingGroup checks on the parent PARENT of a new group. */
static int
group_parent_check(struct store_tx *tx, const char *parent,
    struct err *err)
{
	struct group_chain chain;
	struct store_group g;
	int64_t children;
	bool dynamic;
	int found;

	found = store_group_get(tx, parent, &g, err);
	if (found == -1)
		return -1;
	if (found == 0)
		return err_set(err, ERR_NOT_FOUND, "Thing group %s"
		    " (parentGroupName) does not exist", parent);
	dynamic = g.query != NULL;
	store_group_release(&g);
	if (dynamic)
		return err_set(err, ERR_INVALID_REQUEST, "parentGroupName: %s"
		    " is a dynamic thing group, which cannot be a parent",
		    parent);
	if (thing_group_chain(tx, parent, &chain, err) == -1)
		return -1;
	if (chain.n >= GROUP_DEPTH_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "parentGroupName: a"
		    " thing group hierarchy can be at most %d levels deep",
		    GROUP_DEPTH_MAX);
	if (store_group_children(tx, parent, &children, err) == -1)
		return -1;
	if (children >= GROUP_CHILDREN_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "parentGroupName: "
		    "thing group %s already has %d child groups, the maximum",
		    parent, GROUP_CHILDREN_MAX);
	return 0;
}

/* Creates G with TAGS, or finds the identical group; 0, or -1 with ERR. */
static int
group_create_tx(struct api_ctx *ctx, struct store_group *g,
    const json_t *tags, struct err *err)
{
	struct store_tx *tx = ctx->tx;
	struct store_group cur;
	int rc = -1, found;

	found = store_group_get(tx, g->name, &cur, err);
	if (found == 1 && cur.query == NULL &&
	    strcmp(cur.parent_name, g->parent_name) == 0 &&
	    str_equal(cur.description, g->description) &&
	    json_equal(cur.attributes, g->attributes)) {
		memcpy(g->group_id, cur.group_id, sizeof(g->group_id));
		rc = 0;
	} else if (found == 1) {
		char arn[ERR_ARN_MAX];

		api_arn(ctx, "thinggroup", g->name, arn, sizeof(arn));
		err_set(err, ERR_ALREADY_EXISTS, "Thing Group %s already exists"
		    " in current account with different properties", g->name);
		err_set_resource(err, cur.group_id, arn);
	} else if (found == 0 && (g->parent_name[0] == '\0' ||
	    group_parent_check(tx, g->parent_name, err) == 0) &&
	    store_group_insert(tx, g, err) == 0) {
		rc = tags_create(tx, "thinggroup", g->name, tags, err);
	}
	if (found == 1)
		store_group_release(&cur);
	return rc;
}

int
thing_group_attrs_check(const json_t *attrs, struct err *err)
{
	if (json_object_size(attrs) > GROUP_ATTRS_MAX)
		return err_set(err, ERR_INVALID_REQUEST,
		    "thingGroupProperties.attributePayload.attributes: a thing"
		    " group can have at most %d attributes, not %zu",
		    GROUP_ATTRS_MAX, json_object_size(attrs));
	return 0;
}

static int
group_create(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *parent = api_in_str(in, "parentGroupName");
	json_t *props = json_object_get(in, "thingGroupProperties");
	const char *desc = api_in_str(props, "thingGroupDescription");
	struct store_group g;
	char arn[ERR_ARN_MAX];
	int rc;

	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "%s", api_in_str(in,
	    "thingGroupName"));
	snprintf(g.parent_name, sizeof(g.parent_name), "%s",
	    parent != NULL ? parent : "");
	g.description = desc != NULL ? xstrdup(desc) : NULL;
	g.attributes = store_attrs_apply(NULL, json_object_get(
	    json_object_get(props, "attributePayload"), "attributes"), false);
	g.created_at = ctx->now;
	rc = thing_group_attrs_check(g.attributes, err);
	if (rc == 0)
		rc = tags_check(json_object_get(in, "tags"), err);
	if (rc == 0)
		rc = group_create_tx(ctx, &g, json_object_get(in, "tags"),
		    err);
	if (rc == 0) {
		api_arn(ctx, "thinggroup", g.name, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s, s:s}", "thingGroupName", g.name,
		    "thingGroupArn", arn, "thingGroupId", g.group_id);
	}
	store_group_release(&g);
	return rc;
}

static json_t *
group_properties(const struct store_group *g)
{
	json_t *props = json_pack("{s:{s:O}}", "attributePayload",
	    "attributes", g->attributes);

	if (g->description != NULL)
		json_object_set_new(props, "thingGroupDescription",
		    json_string(g->description));
	return props;
}

static json_t *
group_metadata(const struct api_ctx *ctx, const struct store_group *g,
    const struct group_chain *chain)
{
	json_t *md = json_pack("{s:I}", "creationDate",
	    (json_int_t)g->created_at);
	json_t *roots;
	int i;

	if (g->parent_name[0] == '\0')
		return md;
	json_object_set_new(md, "parentGroupName",
	    json_string(g->parent_name));
	roots = json_array();
	for (i = chain->n - 1; i >= 1; i--)
		json_array_append_new(roots, group_ref(ctx, chain->names[i]));
	json_object_set_new(md, "rootToParentThingGroups", roots);
	return md;
}

static int
group_describe(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "thingGroupName");
	struct group_chain chain;
	struct store_tx *tx = ctx->tx;
	struct store_group g;
	char arn[ERR_ARN_MAX];
	int found;

	found = store_group_get(tx, name, &g, err);
	if (found == 1 && thing_group_chain(tx, name, &chain, err) == -1) {
		store_group_release(&g);
		found = -1;
	}
	if (found == -1)
		return -1;
	if (found == 0)
		return group_missing(name, err);
	api_arn(ctx, "thinggroup", g.name, arn, sizeof(arn));
	*out = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}",
	    "thingGroupName", g.name, "thingGroupId", g.group_id,
	    "thingGroupArn", arn, "version", (json_int_t)g.version,
	    "thingGroupProperties", group_properties(&g),
	    "thingGroupMetadata", group_metadata(ctx, &g, &chain));
	/* Membership is built in the creating transaction: always ACTIVE. */
	if (g.query != NULL)
		json_object_update_new(*out, json_pack("{s:s, s:s, s:s, s:s}",
		    "queryString", g.query, "queryVersion",
		    g.query_version != NULL ? g.query_version : "2017-09-30",
		    "indexName", g.index_name != NULL ? g.index_name :
		    "AWS_Things", "status", "ACTIVE"));
	store_group_release(&g);
	return 0;
}

static int
version_conflict(const char *name, int64_t have, const json_t *expected,
    struct err *err)
{
	return err_set(err, ERR_VERSION_CONFLICT, "The version of thing group"
	    " %s is %lld, not the expectedVersion %lld", name,
	    (long long)have, (long long)json_integer_value(expected));
}

int
thing_group_apply(struct store_group *g, const json_t *in, struct err *err)
{
	const json_t *expected = json_object_get(in, "expectedVersion");
	const json_t *props = json_object_get(in, "thingGroupProperties");
	const json_t *payload = json_object_get(props, "attributePayload");
	const char *desc = api_in_str(props, "thingGroupDescription");
	json_t *attrs;

	if (json_is_integer(expected) &&
	    json_integer_value(expected) != g->version)
		return version_conflict(g->name, g->version, expected, err);
	if (desc != NULL) {
		free(g->description);
		g->description = desc[0] != '\0' ? xstrdup(desc) : NULL;
	}
	if (payload != NULL) {
		attrs = store_attrs_apply(g->attributes,
		    json_object_get(payload, "attributes"),
		    json_is_true(json_object_get(payload, "merge")));
		json_decref(g->attributes);
		g->attributes = attrs;
		if (thing_group_attrs_check(attrs, err) == -1)
			return -1;
	}
	g->version++;
	return 0;
}

static int
group_update(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "thingGroupName");
	struct store_tx *tx = ctx->tx;
	struct store_group g;
	int rc, found;

	found = store_group_get(tx, name, &g, err);
	if (found == 0)
		rc = group_missing(name, err);
	else if (found == -1)
		rc = -1;
	else if (g.query != NULL)
		rc = err_set(err, ERR_INVALID_REQUEST, "Thing group %s is a"
		    " dynamic thing group: UpdateDynamicThingGroup changes it",
		    name);
	else if ((rc = thing_group_apply(&g, in, err)) == 0)
		rc = store_group_update(tx, &g, err);
	if (rc == 0)
		*out = json_pack("{s:I}", "version", (json_int_t)g.version);
	if (found == 1)
		store_group_release(&g);
	return rc;
}

int
thing_group_left(struct api_ctx *ctx, struct store_tx *tx, const char *thing,
    struct err *err)
{
	char prefix[ENGINE_ARN_PREFIX_MAX];

	snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:",
	    ctx->conf->region, ctx->conf->account_id);
	return engine_member_left(tx, thing, prefix, ctx->now, err);
}

/* The things of group NAME lost it: CONTINUOUS jobs follow (engine). */
static int
group_members_left(struct api_ctx *ctx, struct store_tx *tx,
    json_t *things, struct err *err)
{
	json_t *v;
	size_t i;

	json_array_foreach(things, i, v)
		if (thing_group_left(ctx, tx, json_string_value(v), err) == -1)
			return -1;
	return 0;
}

/*
 * Detaches the policies of group NAME, which goes away: a group created
 * later under the same name starts without them.
 */
static int
group_policies_drop(struct api_ctx *ctx, struct store_tx *tx,
    const char *name, struct err *err)
{
	char arn[ERR_ARN_MAX];
	int64_t n;

	api_arn(ctx, "thinggroup", name, arn, sizeof(arn));
	if (store_policy_target_drop(tx, arn, &n, err) == -1)
		return -1;
	return n > 0 ? store_authz_bump(tx, err) : 0;
}

/* The kind of G is the one the operation deletes: 0, or -1 with ERR. */
static int
group_kind_check(const struct store_group *g, bool dynamic, struct err *err)
{
	if (dynamic && g->query == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "Thing group %s is a"
		    " static thing group: DeleteThingGroup deletes it",
		    g->name);
	if (!dynamic && g->query != NULL)
		return err_set(err, ERR_INVALID_REQUEST, "Thing group %s is a"
		    " dynamic thing group: DeleteDynamicThingGroup deletes it",
		    g->name);
	return 0;
}

/* Group NAME goes, with its members (who leave it) and its tags. */
static int
group_drop(struct api_ctx *ctx, struct store_tx *tx, const char *name,
    bool dynamic, struct err *err)
{
	struct store_page pg = { NULL, GROUP_MEMBERS_WALK };
	json_t *things = json_array();
	bool more, changed = false;
	int rc = -1;

	if (store_member_things(tx, name, false, &pg, things, &more,
	    err) == -1 || store_group_delete(tx, name, err) == -1 ||
	    group_policies_drop(ctx, tx, name, err) == -1 ||
	    tags_drop(tx, "thinggroup", name, err) == -1 ||
	    group_members_left(ctx, tx, things, err) == -1)
		goto out;
	/* Without the group, thingGroupNames queries may answer otherwise. */
	rc = dynamic ? 0 : dyngroup_regroup(ctx, tx, things, &changed, err);
out:
	json_decref(things);
	return rc;
}

int
thing_group_delete_tx(struct api_ctx *ctx, struct store_tx *tx,
    const char *name, const json_t *expected, bool dynamic,
    struct err *err)
{
	struct store_group g;
	int64_t children;
	int found, rc;

	found = store_group_get(tx, name, &g, err);
	if (found != 1)
		return found;
	rc = group_kind_check(&g, dynamic, err);
	if (rc == 0 && json_is_integer(expected) &&
	    json_integer_value(expected) != g.version)
		rc = version_conflict(name, g.version, expected, err);
	store_group_release(&g);
	if (rc == -1)
		return -1;
	if (store_group_children(tx, name, &children, err) == -1)
		return -1;
	if (children > 0)
		return err_set(err, ERR_INVALID_REQUEST, "Cannot delete thing"
		    " group : %s when there are still child groups attached to"
		    " it", name);
	return group_drop(ctx, tx, name, dynamic, err) == -1 ? -1 : 1;
}

static int
group_delete(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	int rc;

	(void)out;	/* NULL answers {} */
	rc = thing_group_delete_tx(ctx, ctx->tx, api_in_str(in,
	    "thingGroupName"), json_object_get(in, "expectedVersion"), false,
	    err);
	return rc == -1 ? -1 : 0;
}

/* Checks that group NAME exists in TX: 0, or -1 with ERR. */
static int
group_exists(struct store_tx *tx, const char *name, struct err *err)
{
	struct store_group g;
	int found = store_group_get(tx, name, &g, err);

	if (found == 1)
		store_group_release(&g);
	if (found == 0)
		return group_missing(name, err);
	return found == 1 ? 0 : -1;
}

/*
 * Runs one listing of names in the read transaction ctx->tx: the existence
 * check of NAME (when CHECK is not NULL), then LIST; answers {KEY: ...,
 * nextToken} with the names turned into group references when REFS.
 */
struct listing {
	const char *name;
	int (*check)(struct store_tx *, const char *, struct err *);
	const char *parent;
	const char *prefix;
	bool recursive;
	int kind;	/* LIST_GROUPS, LIST_THINGS_OF, LIST_GROUPS_OF */
};

enum { LIST_GROUPS, LIST_THINGS_OF, LIST_GROUPS_OF };

/* The page tokens of each kind of listing. */
static const struct marker_listing listing_tokens[] = {
	[LIST_GROUPS] = THING_LISTING("ListThingGroups"),
	[LIST_THINGS_OF] = THING_LISTING("ListThingsInThingGroup"),
	[LIST_GROUPS_OF] = THING_LISTING("ListThingGroupsForThing"),
};

static int
listing_run(struct api_ctx *ctx, const json_t *in, const struct listing *l,
    json_t **out, struct err *err)
{
	const struct marker_listing *tokens = &listing_tokens[l->kind];
	struct marker_pos after;
	struct store_page pg;
	struct store_tx *tx = ctx->tx;
	json_t *names;
	bool more = false;
	int rc = -1;

	if (thing_page_init(tokens, in, &pg, &after, err) == -1)
		return -1;
	names = json_array();
	if (l->check != NULL && l->check(tx, l->name, err) == -1)
		goto out;
	if (l->kind == LIST_GROUPS)
		rc = store_group_list(tx, &pg, l->parent, l->recursive,
		    l->prefix, names, &more, err);
	else if (l->kind == LIST_THINGS_OF)
		rc = store_member_things(tx, l->name, l->recursive, &pg, names,
		    &more, err);
	else
		rc = store_member_groups(tx, l->name, &pg, names, &more, err);
out:
	if (rc == 0) {
		if (l->kind == LIST_THINGS_OF)
			*out = json_pack("{s:O}", "things", names);
		else
			*out = json_pack("{s:o}", "thingGroups",
			    group_refs(ctx, names));
		marker_page_next(tokens, *out, json_string_value(
		    json_array_get(names, json_array_size(names) - 1)), more);
	}
	json_decref(names);
	return rc;
}

static int
group_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const json_t *rec = json_object_get(in, "recursive");
	struct listing l;

	memset(&l, 0, sizeof(l));
	l.kind = LIST_GROUPS;
	l.parent = api_in_str(in, "parentGroup");
	l.prefix = api_in_str(in, "namePrefixFilter");
	/* Absent: every group, or the direct children of parentGroup. */
	l.recursive = rec != NULL ? json_is_true(rec) : l.parent == NULL;
	if (l.parent != NULL) {
		l.name = l.parent;
		l.check = group_exists;
	}
	return listing_run(ctx, in, &l, out, err);
}

static int
group_things(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	struct listing l;

	memset(&l, 0, sizeof(l));
	l.kind = LIST_THINGS_OF;
	l.name = api_in_str(in, "thingGroupName");
	l.check = group_exists;
	l.recursive = json_is_true(json_object_get(in, "recursive"));
	return listing_run(ctx, in, &l, out, err);
}

static int
thing_groups(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	struct listing l;

	memset(&l, 0, sizeof(l));
	l.kind = LIST_GROUPS_OF;
	l.name = api_in_str(in, "thingName");
	l.check = thing_check_exists;
	return listing_run(ctx, in, &l, out, err);
}

const struct api_op api_group_ops[] = {
	{ "CreateThingGroup", PLANE_CONTROL, group_create, API_WRITE },
	{ "DescribeThingGroup", PLANE_CONTROL, group_describe, API_READ },
	{ "UpdateThingGroup", PLANE_CONTROL, group_update, API_WRITE },
	/* Its things leave CONTINUOUS jobs: the scheduler looks again. */
	{ "DeleteThingGroup", PLANE_CONTROL, group_delete,
	    API_WRITE | API_SCHED },
	{ "ListThingGroups", PLANE_CONTROL, group_list, API_READ },
	{ "ListThingsInThingGroup", PLANE_CONTROL, group_things, API_READ },
	{ "ListThingGroupsForThing", PLANE_CONTROL, thing_groups,
	    API_READ },
	{ NULL, PLANE_DATA, NULL, 0 },
};
