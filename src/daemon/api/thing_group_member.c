/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Static group membership, control plane (WIRE.md 11.2):
 * AddThingToThingGroup, RemoveThingFromThingGroup,
 * UpdateThingGroupsForThing. A thing is in at most 10 groups, dynamic ones
 * included; overrideDynamicGroups makes room by leaving a dynamic group.
 * A thing that joins a group may join CONTINUOUS jobs of the group and its
 * ancestors, one that leaves one may leave them (engine_member_added,
 * engine_member_left, same transaction), and dynamic groups whose queries
 * read thingGroupNames follow (dyngroup_regroup).
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "api/thing_int.h"
#include "engine/engine.h"
#include "store/store_thing.h"

/* Group NAME exists and is static (members are set by hand). */
static int
static_group_check(struct store_tx *tx, const char *name, struct err *err)
{
	struct store_group g;
	int found = store_group_get(tx, name, &g, err), rc = 0;

	if (found == 0)
		return err_set(err, ERR_NOT_FOUND, "Thing group %s does not"
		    " exist", name);
	if (found == -1)
		return -1;
	if (g.query != NULL)
		rc = err_set(err, ERR_INVALID_REQUEST, "Thing group %s is a"
		    " dynamic thing group: its query decides its members",
		    name);
	store_group_release(&g);
	return rc;
}

/*
 * The name of the resource IN addresses by NAME_KEY or ARN_KEY (an ARN of
 * TYPE in this region and account) into OUT; -1 with ERR when neither is
 * given, the ARN is malformed or names another resource than NAME_KEY.
 */
static int
resolve_name(const struct api_ctx *ctx, const json_t *in,
    const char *name_key, const char *arn_key, const char *type,
    char out[STORE_NAME_MAX + 1], struct err *err)
{
	const char *name = api_in_str(in, name_key);
	const char *arn = api_in_str(in, arn_key);
	char prefix[ERR_ARN_MAX], want[ERR_ARN_MAX];
	size_t plen;

	if (name != NULL) {
		api_arn(ctx, type, name, want, sizeof(want));
		if (arn != NULL && strcmp(arn, want) != 0)
			return err_set(err, ERR_INVALID_REQUEST, "%s %s does"
			    " not name the same resource as %s %s", arn_key,
			    arn, name_key, name);
		snprintf(out, STORE_NAME_MAX + 1, "%s", name);
		return 0;
	}
	if (arn == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "either %s or %s must"
		    " be given", name_key, arn_key);
	api_arn(ctx, type, "", prefix, sizeof(prefix));
	plen = strlen(prefix);
	if (strncmp(arn, prefix, plen) == 0 && arn[plen] != '\0' &&
	    strlen(arn + plen) <= STORE_NAME_MAX &&
	    strspn(arn + plen, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
	    "TUVWXYZ0123456789:_-") == strlen(arn + plen)) {
		snprintf(out, STORE_NAME_MAX + 1, "%s", arn + plen);
		return 0;
	}
	snprintf(want, sizeof(want), ":%s/", type);
	if (strncmp(arn, "arn:", 4) == 0 && strstr(arn, want) != NULL)
		return err_set(err, ERR_NOT_FOUND, "%s %s does not exist in"
		    " this region and account", arn_key, arn);
	return err_set(err, ERR_INVALID_REQUEST, "%s %s is not a valid ARN",
	    arn_key, arn);
}

/*
 * THING is in THING_GROUPS_MAX groups and joins one more: with
 * overrideDynamicGroups it leaves its last dynamic group (in name order)
 * and *LEFT is set; otherwise, or without one, InvalidRequestException.
 */
static int
member_make_room(struct store_tx *tx, const char *thing, bool override,
    bool *left, struct err *err)
{
	json_t *dyn;
	int rc;

	if (!override)
		return err_set(err, ERR_INVALID_REQUEST, "Thing %s already"
		    " belongs to %d thing groups, the maximum", thing,
		    THING_GROUPS_MAX);
	dyn = json_array();
	rc = store_member_groups_kind(tx, thing, true, dyn, err);
	if (rc == 0 && json_array_size(dyn) == 0)
		rc = err_set(err, ERR_INVALID_REQUEST, "Thing %s already"
		    " belongs to %d thing groups, none of them dynamic: "
		    "overrideDynamicGroups cannot make room", thing,
		    THING_GROUPS_MAX);
	if (rc == 0)
		rc = store_member_remove(tx, json_string_value(
		    json_array_get(dyn, json_array_size(dyn) - 1)), thing,
		    err);
	if (rc == 0)
		*left = true;
	json_decref(dyn);
	return rc;
}

/*
 * Adds THING (existing) to the static GROUP (existing) with the job hook;
 * OVERRIDE: overrideDynamicGroups. *LEFT is set when THING left a group.
 */
static int
member_add_tx(struct api_ctx *ctx, struct store_tx *tx, const char *group,
    const char *thing, bool override, bool *left, bool *joined,
    struct err *err)
{
	struct group_chain chain;
	char arn[ERR_ARN_MAX];
	int64_t n;
	bool added;
	int i;

	if (store_member_count(tx, thing, &n, err) == -1)
		return -1;
	if (store_member_add(tx, group, thing, &added, err) == -1)
		return -1;
	if (joined != NULL)
		*joined = added;
	if (!added)
		return 0;
	if (n >= THING_GROUPS_MAX &&
	    member_make_room(tx, thing, override, left, err) == -1)
		return -1;
	if (thing_group_chain(tx, group, &chain, err) == -1)
		return -1;
	for (i = 0; i < chain.n; i++) {
		api_arn(ctx, "thinggroup", chain.names[i], arn, sizeof(arn));
		if (engine_member_added(tx, arn, thing, ctx->now,
		    err) == -1)
			return -1;
	}
	return 0;
}

/*
 * The static groups of THING changed (LEFT: it left one): dynamic groups
 * reading thingGroupNames follow, then CONTINUOUS jobs that lost it.
 */
static int
member_changed(struct api_ctx *ctx, struct store_tx *tx, const char *thing,
    bool left, struct err *err)
{
	json_t *things = json_pack("[s]", thing);
	bool changed = false;
	int rc;

	rc = dyngroup_regroup(ctx, tx, things, &changed, err);
	json_decref(things);
	if (rc == 0 && left)
		rc = thing_group_left(ctx, tx, thing, err);
	return rc;
}

int
thing_group_join_tx(struct api_ctx *ctx, struct store_tx *tx,
    const char *group, const char *thing, bool *joined, struct err *err)
{
	bool left = false;

	*joined = false;
	if (static_group_check(tx, group, err) == -1 ||
	    member_add_tx(ctx, tx, group, thing, false, &left, joined,
	    err) == -1)
		return -1;
	return *joined || left ? member_changed(ctx, tx, thing, left, err) :
	    0;
}

static int
member_change(struct api_ctx *ctx, json_t *in, bool add, struct err *err)
{
	char group[STORE_NAME_MAX + 1], thing[STORE_NAME_MAX + 1];
	struct store_tx *tx = ctx->tx;
	bool left = false;
	int rc;

	if (resolve_name(ctx, in, "thingGroupName", "thingGroupArn",
	    "thinggroup", group, err) == -1 ||
	    resolve_name(ctx, in, "thingName", "thingArn", "thing", thing,
	    err) == -1)
		return -1;
	rc = static_group_check(tx, group, err);
	if (rc == 0)
		rc = thing_check_exists(tx, thing, err);
	if (rc == 0 && add)
		rc = member_add_tx(ctx, tx, group, thing, json_is_true(
		    json_object_get(in, "overrideDynamicGroups")), &left, NULL,
		    err);
	else if (rc == 0)
		rc = store_member_remove(tx, group, thing, err);
	if (rc == 0)
		rc = member_changed(ctx, tx, thing, left || !add, err);
	return rc;
}

static int
member_add(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	(void)out;	/* NULL answers {} */
	return member_change(ctx, in, true, err);
}

static int
member_remove(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	(void)out;	/* NULL answers {} */
	return member_change(ctx, in, false, err);
}

/* UpdateThingGroupsForThing in TX: removals first, then additions. */
static int
thing_groups_update_tx(struct api_ctx *ctx, struct store_tx *tx,
    const json_t *in, const char *thing, struct err *err)
{
	const json_t *add = json_object_get(in, "thingGroupsToAdd");
	const json_t *del = json_object_get(in, "thingGroupsToRemove");
	bool override = json_is_true(json_object_get(in,
	    "overrideDynamicGroups"));
	bool left = json_array_size(del) > 0;
	json_t *v;
	size_t i;

	if (thing_check_exists(tx, thing, err) == -1)
		return -1;
	json_array_foreach(del, i, v)
		if (static_group_check(tx, json_string_value(v), err) == -1 ||
		    store_member_remove(tx, json_string_value(v), thing,
		    err) == -1)
			return -1;
	json_array_foreach(add, i, v)
		if (static_group_check(tx, json_string_value(v), err) == -1 ||
		    member_add_tx(ctx, tx, json_string_value(v), thing,
		    override, &left, NULL, err) == -1)
			return -1;
	return member_changed(ctx, tx, thing, left, err);
}

static int
thing_groups_update(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *thing = api_in_str(in, "thingName");

	(void)out;	/* NULL answers {} */
	if (thing == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "thingName must be"
		    " given");
	return thing_groups_update_tx(ctx, ctx->tx, in, thing, err);
}

const struct api_op api_group_member_ops[] = {
	/* Memberships move CONTINUOUS jobs: the scheduler looks again. */
	{ "AddThingToThingGroup", PLANE_CONTROL, member_add,
	    API_WRITE | API_SCHED },
	{ "RemoveThingFromThingGroup", PLANE_CONTROL, member_remove,
	    API_WRITE | API_SCHED },
	{ "UpdateThingGroupsForThing", PLANE_CONTROL, thing_groups_update,
	    API_WRITE | API_SCHED },
	{ NULL, PLANE_DATA, NULL, 0 },
};
