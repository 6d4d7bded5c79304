/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the thing, thing-group and dynamic-group operations (thing.c,
 * thing_group.c, thing_group_dynamic.c).
 */
#ifndef IOTJOBS_THING_INT_H
#define IOTJOBS_THING_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "api/api.h"
#include "api/marker.h"
#include "err.h"
#include "store/store_thing.h"

/* AWS: a thing belongs to at most 10 groups, static and dynamic. */
#define THING_GROUPS_MAX	10
/* AWS: a thing group has at most 50 attributes. */
#define GROUP_ATTRS_MAX		50
/* AWS: a thing group hierarchy is at most 7 levels deep. */
#define GROUP_DEPTH_MAX		7

/* A group and its ancestors, the group first. */
struct group_chain {
	char names[GROUP_DEPTH_MAX + 1][STORE_NAME_MAX + 1];
	int n;
};

/* Walks from group NAME (which exists) up to its root into *CHAIN. */
int thing_group_chain(struct store_tx *tx, const char *name,
    struct group_chain *chain, struct err *err);

/*
 * THING left groups in TX: its pending executions of CONTINUOUS jobs that
 * no longer reach it become REMOVED (engine_member_left).
 */
int thing_group_left(struct api_ctx *ctx, struct store_tx *tx,
    const char *thing, struct err *err);

/* Thing NAME exists in TX: 0, or -1 (ResourceNotFoundException). */
int thing_check_exists(struct store_tx *tx, const char *name,
    struct err *err);

/*
 * Reads maxResults (50 when absent: AWS does not say) and the nextToken
 * of listing L in IN into PG; POS receives the decoded key PG points at
 * ("" from the start). A token L did not issue is L's error.
 */
int thing_page_init(const struct marker_listing *l, const json_t *in,
    struct store_page *pg, struct marker_pos *pos, struct err *err);

/* The name-order listing OP: nextToken in and out, InvalidRequestException. */
#define THING_LISTING(op)	{ (op), "nextToken", "nextToken", \
				    ERR_INVALID_REQUEST, MARKER_KEY }

/* ATTRS (a group's attributes) within GROUP_ATTRS_MAX: 0, or -1. */
int thing_group_attrs_check(const json_t *attrs, struct err *err);

/*
 * Applies thingGroupProperties and expectedVersion of an Update input IN
 * to G (version + 1): 0, or -1 (VersionConflictException, limits).
 */
int thing_group_apply(struct store_group *g, const json_t *in,
    struct err *err);

/*
 * Deletes group NAME in TX (DYNAMIC: DeleteDynamicThingGroup) with its
 * memberships, tags and policy attachments; CONTINUOUS jobs follow. 1
 * deleted, 0 there was none, -1 with ERR (the wrong kind of group, a
 * version conflict, child groups).
 */
int thing_group_delete_tx(struct api_ctx *ctx, struct store_tx *tx,
    const char *name, const json_t *expected, bool dynamic,
    struct err *err);

/*
 * Thing T was created or changed in TX: its dynamic group memberships
 * follow the queries (and their CONTINUOUS jobs follow those). *CHANGED
 * becomes true when a membership changed (left alone otherwise).
 */
int dyngroup_thing_changed(struct api_ctx *ctx, struct store_tx *tx,
    const struct store_thing *t, bool *changed, struct err *err);

/*
 * The static groups of the things named by the array THINGS changed in
 * TX: dynamic groups whose queries read thingGroupNames follow.
 */
int dyngroup_regroup(struct api_ctx *ctx, struct store_tx *tx,
    const json_t *things, bool *changed, struct err *err);

/*
 * AddThingToThingGroup's step in TX (thing_group_member.c): THING
 * (existing) joins the static GROUP, at most THING_GROUPS_MAX groups
 * (no overrideDynamicGroups), and the dynamic groups and CONTINUOUS jobs
 * follow. *JOINED: false when it already was a member.
 */
int thing_group_join_tx(struct api_ctx *ctx, struct store_tx *tx,
    const char *group, const char *thing, bool *joined, struct err *err);

#endif
