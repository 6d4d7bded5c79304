/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dynamic thing groups (WIRE.md 11.2; AWS developer guide, "Dynamic thing
 * groups"): CreateDynamicThingGroup, UpdateDynamicThingGroup,
 * DeleteDynamicThingGroup, and the rule that keeps their members current.
 * A dynamic group is a thing_groups row with a query (thing_query.c); its
 * members are group_members rows, so job targets, CONTINUOUS jobs and the
 * listings treat both kinds alike. Membership changes in the transaction
 * of the thing change that causes it: the changed thing is evaluated
 * against each dynamic group's query (dyngroup_thing_changed), never the
 * fleet against a query; only creating a group or changing its query
 * reads every thing (dyn_build). Choices: docs/compatibility.md.
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tags.h"
#include "api/thing_int.h"
#include "api/thing_query.h"
#include "engine/engine.h"
#include "log.h"
#include "store/store_job.h"
#include "store/store_thing.h"
#include "xmalloc.h"

#define DYN_GROUPS_MAX		100	/* dynamic groups per account (AWS) */
#define DYN_INDEX		"AWS_Things"	/* the only index (model) */
#define DYN_QUERY_VERSION	"2017-09-30"	/* the only version (model) */
#define DYN_WALK_PAGE		1000	/* members read per step of a walk */

/* --- membership ------------------------------------------------------- */

/* The dynamic groups with their parsed queries, read once per change. */
struct dyn_set {
	json_t *rows;			/* [{"name", "query"}] */
	struct thing_query **q;		/* NULL where a query fails to parse */
	size_t n;
	bool uses_groups;
};

static void
dyn_set_release(struct dyn_set *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		thing_query_free(ds->q[i]);
	free(ds->q);
	json_decref(ds->rows);
	memset(ds, 0, sizeof(*ds));
}

static int
dyn_set_load(struct store_tx *tx, struct dyn_set *ds, struct err *err)
{
	char why[THING_QUERY_WHY_MAX];
	const char *name, *text;
	size_t i;

	memset(ds, 0, sizeof(*ds));
	ds->rows = json_array();
	if (store_dyngroup_all(tx, ds->rows, err) == -1) {
		dyn_set_release(ds);
		return -1;
	}
	ds->n = json_array_size(ds->rows);
	ds->q = xcalloc(ds->n > 0 ? ds->n : 1, sizeof(*ds->q));
	for (i = 0; i < ds->n; i++) {
		name = api_in_str(json_array_get(ds->rows, i), "name");
		text = api_in_str(json_array_get(ds->rows, i), "query");
		/* Queries were parsed when stored: a failure is a bug. */
		if (thing_query_parse(text, &ds->q[i], why, sizeof(why)) ==
		    -1) {
			log_warnx("dynamic group %s: stored query does not"
			    " parse: %s", name, why);
			continue;
		}
		if (thing_query_uses_groups(ds->q[i]))
			ds->uses_groups = true;
	}
	return 0;
}

static bool
name_in(const json_t *names, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

/*
 * THING matched dynamic group GROUP: it joins unless it is already in
 * THING_GROUPS_MAX groups (AWS: then the dynamic group goes without it),
 * and the group's CONTINUOUS jobs queue it. *JOINED tells.
 */
static int
dyn_join(struct api_ctx *ctx, struct store_tx *tx, const char *group,
    const char *thing, bool hooks, bool *joined, struct err *err)
{
	char arn[ERR_ARN_MAX];
	bool added;
	int64_t n;

	*joined = false;
	if (store_member_add(tx, group, thing, &added, err) == -1)
		return -1;
	if (!added)
		return 0;
	if (store_member_count(tx, thing, &n, err) == -1)
		return -1;
	if (n > THING_GROUPS_MAX)
		return store_member_remove(tx, group, thing, err);
	*joined = true;
	if (!hooks)
		return 0;
	api_arn(ctx, "thinggroup", group, arn, sizeof(arn));
	return engine_member_added(tx, arn, thing, ctx->now, err);
}

/* THING left dynamic groups: CONTINUOUS jobs that lost it drop it. */
static int
dyn_left(struct api_ctx *ctx, struct store_tx *tx, const char *thing,
    struct err *err)
{
	char prefix[ENGINE_ARN_PREFIX_MAX];

	snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:",
	    ctx->conf->region, ctx->conf->account_id);
	return engine_member_left(tx, thing, prefix, ctx->now, err);
}

/* Brings the dynamic memberships of thing S up to date with DS. */
static int
dyn_set_apply(struct api_ctx *ctx, struct store_tx *tx,
    const struct dyn_set *ds, const struct thing_query_subject *s,
    bool *changed, struct err *err)
{
	json_t *mine = json_array();
	const char *group;
	bool match, member, joined, left = false;
	size_t i;
	int rc = -1;

	if (store_member_groups_kind(tx, s->name, true, mine, err) == -1)
		goto out;
	for (i = 0; i < ds->n; i++) {
		if (ds->q[i] == NULL)
			continue;
		group = api_in_str(json_array_get(ds->rows, i), "name");
		match = thing_query_match(ds->q[i], s);
		member = name_in(mine, group);
		if (match && !member) {
			if (dyn_join(ctx, tx, group, s->name, true, &joined,
			    err) == -1)
				goto out;
			*changed = *changed || joined;
		} else if (!match && member) {
			if (store_member_remove(tx, group, s->name, err) == -1)
				goto out;
			left = *changed = true;
		}
	}
	rc = left ? dyn_left(ctx, tx, s->name, err) : 0;
out:
	json_decref(mine);
	return rc;
}

/* Applies DS to thing T, reading its static groups when DS needs them. */
static int
dyn_set_apply_thing(struct api_ctx *ctx, struct store_tx *tx,
    const struct dyn_set *ds, const struct store_thing *t, bool *changed,
    struct err *err)
{
	struct thing_query_subject s;
	json_t *groups = NULL;
	int rc;

	memset(&s, 0, sizeof(s));
	s.name = t->name;
	s.type_name = t->type_name;
	s.attributes = t->attributes;
	if (ds->uses_groups) {
		groups = json_array();
		if (store_member_groups_kind(tx, t->name, false, groups,
		    err) == -1) {
			json_decref(groups);
			return -1;
		}
		s.groups = groups;
	}
	rc = dyn_set_apply(ctx, tx, ds, &s, changed, err);
	json_decref(groups);
	return rc;
}

int
dyngroup_thing_changed(struct api_ctx *ctx, struct store_tx *tx,
    const struct store_thing *t, bool *changed, struct err *err)
{
	struct dyn_set ds;
	int rc = 0;

	if (dyn_set_load(tx, &ds, err) == -1)
		return -1;
	if (ds.n > 0)
		rc = dyn_set_apply_thing(ctx, tx, &ds, t, changed, err);
	dyn_set_release(&ds);
	return rc;
}

int
dyngroup_regroup(struct api_ctx *ctx, struct store_tx *tx,
    const json_t *things, bool *changed, struct err *err)
{
	struct store_thing t;
	struct dyn_set ds;
	const json_t *v;
	size_t i;
	int rc = 0, found;

	if (dyn_set_load(tx, &ds, err) == -1)
		return -1;
	/* Only thingGroupNames terms read static memberships. */
	json_array_foreach(things, i, v) {
		if (!ds.uses_groups)
			break;
		found = store_thing_get(tx, json_string_value(v), &t, err);
		if (found == 1)
			rc = dyn_set_apply_thing(ctx, tx, &ds, &t, changed,
			    err);
		else
			rc = found;
		store_thing_release(&t);
		if (rc == -1)
			break;
	}
	dyn_set_release(&ds);
	return rc == -1 ? -1 : 0;
}

/* --- building a group's membership ----------------------------------- */

/* One pass of a dynamic group's query over the registry. */
struct dyn_build {
	struct api_ctx *ctx;
	struct store_tx *tx;
	const char *group;
	const struct thing_query *q;
	bool hooks;		/* a CONTINUOUS job targets the group */
};

static int
dyn_build_row(const struct store_thing_row *r, void *arg, struct err *err)
{
	struct dyn_build *b = arg;
	struct thing_query_subject s;
	bool joined;

	s.name = r->name;
	s.type_name = r->type_name;
	s.attributes = r->attributes;
	s.groups = r->groups;
	if (!thing_query_match(b->q, &s))
		return 0;
	return dyn_join(b->ctx, b->tx, b->group, r->name, b->hooks, &joined,
	    err);
}

/*
 * The members of GROUP that Q no longer matches leave it (a changed
 * query), walked a page at a time: the walk resumes after the last name
 * read, so removals do not disturb it.
 */
static int
dyn_prune(struct dyn_build *b, struct err *err)
{
	char after[STORE_NAME_MAX + 1] = "";
	struct store_page pg = { after, DYN_WALK_PAGE };
	struct thing_query_subject s;
	struct store_thing t;
	json_t *names, *groups;
	const char *name;
	bool more = true;
	size_t i;
	int rc = 0, found;

	while (more && rc == 0) {
		names = json_array();
		rc = store_member_things(b->tx, b->group, false, &pg, names,
		    &more, err);
		for (i = 0; rc == 0 && i < json_array_size(names); i++) {
			name = json_string_value(json_array_get(names, i));
			snprintf(after, sizeof(after), "%s", name);
			if ((found = store_thing_get(b->tx, name, &t,
			    err)) != 1) {
				rc = found;
				continue;
			}
			groups = json_array();
			if (thing_query_uses_groups(b->q))
				rc = store_member_groups_kind(b->tx, name,
				    false, groups, err);
			s.name = t.name;
			s.type_name = t.type_name;
			s.attributes = t.attributes;
			s.groups = groups;
			if (rc == 0 && !thing_query_match(b->q, &s) &&
			    (rc = store_member_remove(b->tx, b->group, name,
			    err)) == 0)
				rc = dyn_left(b->ctx, b->tx, name, err);
			json_decref(groups);
			store_thing_release(&t);
		}
		json_decref(names);
	}
	return rc;
}

/* The store's scan of the candidates of the planner's anchor A. */
static void
dyn_scan_of(const struct thing_query_anchor *a, struct store_scan *sc)
{
	static const enum store_scan_by by[] = {
		[THING_QUERY_SCAN] = STORE_SCAN_ALL,
		[THING_QUERY_ATTR_EQ] = STORE_SCAN_ATTR_EQ,
		[THING_QUERY_ATTR_PREFIX] = STORE_SCAN_ATTR_PREFIX,
		[THING_QUERY_GROUP] = STORE_SCAN_GROUP,
		[THING_QUERY_TYPE] = STORE_SCAN_TYPE,
	};

	sc->by = by[a->index];
	sc->attr = a->attr;
	sc->value = a->value;
}

/*
 * Makes the members of GROUP exactly the things Q matches: with PRUNE
 * those that no longer match leave first; then the candidates of Q's
 * anchor (every thing when it has none) are evaluated and join.
 */
static int
dyn_build(struct api_ctx *ctx, struct store_tx *tx, const char *group,
    const struct thing_query *q, bool prune, struct err *err)
{
	struct dyn_build b = { ctx, tx, group, q, false };
	struct thing_query_anchor a;
	struct store_scan sc;
	char arn[ERR_ARN_MAX];

	api_arn(ctx, "thinggroup", group, arn, sizeof(arn));
	if (store_job_continuous_targets(tx, arn, &b.hooks, err) == -1)
		return -1;
	if (prune && dyn_prune(&b, err) == -1)
		return -1;
	thing_query_anchor(q, &a);
	dyn_scan_of(&a, &sc);
	return store_thing_scan(tx, &sc, thing_query_uses_groups(q),
	    dyn_build_row, &b, err);
}

/* --- the operations ------------------------------------------------------- */

/*
 * The query members of IN into G (queryString parsed into *Q when given);
 * InvalidQueryException, or the index's or version's error.
 */
static int
query_members(const json_t *in, struct store_group *g,
    struct thing_query **q, struct err *err)
{
	const char *text = api_in_str(in, "queryString");
	const char *index = api_in_str(in, "indexName");
	const char *version = api_in_str(in, "queryVersion");
	char why[THING_QUERY_WHY_MAX];

	*q = NULL;
	if (index != NULL && strcmp(index, DYN_INDEX) != 0)
		return err_set(err, ERR_NOT_FOUND, "indexName: index %s does"
		    " not exist (iotjobs has %s)", index, DYN_INDEX);
	if (version != NULL && strcmp(version, DYN_QUERY_VERSION) != 0)
		return err_set(err, ERR_INVALID_REQUEST, "queryVersion %.64s"
		    " is not supported: the query version is %s", version,
		    DYN_QUERY_VERSION);
	if (text != NULL && thing_query_parse(text, q, why, sizeof(why)) ==
	    -1)
		return err_set(err, ERR_INVALID_QUERY, "queryString is not a"
		    " valid query %s", why);
	if (text != NULL) {
		free(g->query);
		g->query = xstrdup(text);
	}
	if (g->index_name == NULL || index != NULL) {
		free(g->index_name);
		g->index_name = xstrdup(DYN_INDEX);
	}
	if (g->query_version == NULL || version != NULL) {
		free(g->query_version);
		g->query_version = xstrdup(DYN_QUERY_VERSION);
	}
	return 0;
}

static bool
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Whether the existing group CUR is the dynamic group G asks for. */
static bool
dyn_same(const struct store_group *cur, const struct store_group *g)
{
	return cur->query != NULL && strcmp(cur->query, g->query) == 0 &&
	    str_same(cur->description, g->description) &&
	    json_equal(cur->attributes, g->attributes);
}

static int
dyn_create_tx(struct api_ctx *ctx, struct store_tx *tx, struct store_group *g,
    const struct thing_query *q, const json_t *tags, struct err *err)
{
	char arn[ERR_ARN_MAX];
	struct store_group cur;
	int64_t n;
	int found, rc;

	found = store_group_get(tx, g->name, &cur, err);
	if (found == -1)
		return -1;
	if (found == 1) {
		rc = 0;
		if (dyn_same(&cur, g)) {
			memcpy(g->group_id, cur.group_id, sizeof(g->group_id));
		} else {
			api_arn(ctx, "thinggroup", g->name, arn, sizeof(arn));
			rc = err_set(err, ERR_ALREADY_EXISTS, "Thing Group %s"
			    " already exists in current account with different"
			    " properties", g->name);
			err_set_resource(err, cur.group_id, arn);
		}
		store_group_release(&cur);
		return rc;
	}
	if (store_dyngroup_count(tx, &n, err) == -1)
		return -1;
	if (n >= DYN_GROUPS_MAX)
		return err_set(err, ERR_LIMIT_EXCEEDED, "An account can have at"
		    " most %d dynamic thing groups", DYN_GROUPS_MAX);
	if (store_group_insert(tx, g, err) == -1 ||
	    tags_create(tx, "thinggroup", g->name, tags, err) == -1)
		return -1;
	return dyn_build(ctx, tx, g->name, q, false, err);
}

static int
dyn_create(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	json_t *props = json_object_get(in, "thingGroupProperties");
	const char *desc = api_in_str(props, "thingGroupDescription");
	const json_t *tags = json_object_get(in, "tags");
	struct thing_query *q = NULL;
	struct store_group g;
	char arn[ERR_ARN_MAX];
	int rc;

	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "%s", api_in_str(in,
	    "thingGroupName"));
	g.description = desc != NULL ? xstrdup(desc) : NULL;
	g.attributes = store_attrs_apply(NULL, json_object_get(
	    json_object_get(props, "attributePayload"), "attributes"), false);
	g.created_at = ctx->now;
	rc = thing_group_attrs_check(g.attributes, err);
	if (rc == 0)
		rc = query_members(in, &g, &q, err);
	if (rc == 0)
		rc = tags_check(tags, err);
	if (rc == 0)
		rc = dyn_create_tx(ctx, ctx->tx, &g, q, tags, err);
	if (rc == 0) {
		api_arn(ctx, "thinggroup", g.name, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
		    "thingGroupName", g.name, "thingGroupArn", arn,
		    "thingGroupId", g.group_id, "indexName", g.index_name,
		    "queryString", g.query, "queryVersion", g.query_version);
	}
	thing_query_free(q);
	store_group_release(&g);
	return rc;
}

static int
dyn_update_tx(struct api_ctx *ctx, struct store_tx *tx, const json_t *in,
    int64_t *version, struct err *err)
{
	const char *name = api_in_str(in, "thingGroupName");
	struct thing_query *q = NULL;
	struct store_group g;
	char *before = NULL;
	int rc, found;

	found = store_group_get(tx, name, &g, err);
	if (found != 1)
		return found == 0 ? err_set(err, ERR_NOT_FOUND, "Thing group"
		    " %s does not exist", name) : -1;
	if (g.query == NULL)
		rc = err_set(err, ERR_INVALID_REQUEST, "Thing group %s is a"
		    " static thing group: UpdateThingGroup changes it", name);
	else
		rc = thing_group_apply(&g, in, err);
	if (rc == 0) {
		before = xstrdup(g.query);
		rc = query_members(in, &g, &q, err);
	}
	if (rc == 0 && q != NULL && strcmp(before, g.query) != 0)
		rc = dyn_build(ctx, tx, g.name, q, true, err);
	if (rc == 0)
		rc = store_group_update(tx, &g, err);
	*version = g.version;
	thing_query_free(q);
	free(before);
	store_group_release(&g);
	return rc;
}

static int
dyn_update(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	int64_t version = 0;

	if (dyn_update_tx(ctx, ctx->tx, in, &version, err) == -1)
		return -1;
	*out = json_pack("{s:I}", "version", (json_int_t)version);
	return 0;
}

static int
dyn_delete(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	int rc;

	(void)out;	/* NULL answers {} */
	rc = thing_group_delete_tx(ctx, ctx->tx, api_in_str(in,
	    "thingGroupName"), json_object_get(in, "expectedVersion"), true,
	    err);
	return rc == -1 ? -1 : 0;
}

const struct api_op api_dyngroup_ops[] = {
	/* Memberships move CONTINUOUS jobs: the scheduler looks again. */
	{ "CreateDynamicThingGroup", PLANE_CONTROL, dyn_create,
	    API_WRITE | API_SCHED },
	{ "UpdateDynamicThingGroup", PLANE_CONTROL, dyn_update,
	    API_WRITE | API_SCHED },
	{ "DeleteDynamicThingGroup", PLANE_CONTROL, dyn_delete,
	    API_WRITE | API_SCHED },
	{ NULL, PLANE_DATA, NULL, 0 },
};
