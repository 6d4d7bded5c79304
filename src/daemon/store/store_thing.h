/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of the registry: things, static and dynamic thing
 * groups and group membership (WIRE.md 11.2), plus the opaque pagination
 * tokens of their list operations. Lookups return 1 (found), 0 (missing)
 * or -1 (ERR set). Implemented by sqlite_thing.c (things, tokens,
 * attributes) and sqlite_group.c (groups, membership). A dynamic group's
 * members are group_members rows like a static group's; the api layer
 * (thing_group_dynamic.c) keeps them current.
 */
#ifndef IOTJOBS_STORE_THING_H
#define IOTJOBS_STORE_THING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

#define STORE_NAME_MAX		128	/* ThingName, ThingGroupName (model) */
#define STORE_ID_LEN		36	/* a UUID in text form */

struct store_thing {
	char name[STORE_NAME_MAX + 1];
	char thing_id[STORE_ID_LEN + 1];
	char type_name[STORE_NAME_MAX + 1];	/* "" when none */
	json_t *attributes;	/* object of strings, owned */
	int64_t version;
	int64_t created_at;
};

struct store_group {
	char name[STORE_NAME_MAX + 1];
	char group_id[STORE_ID_LEN + 1];
	char parent_name[STORE_NAME_MAX + 1];	/* "" for a root group */
	char *description;	/* NULL when none, owned */
	json_t *attributes;	/* object of strings, owned */
	int64_t version;
	int64_t created_at;
	/* A dynamic group's query (all owned); query NULL: a static group. */
	char *query;
	char *query_version;
	char *index_name;
};

/* A page request: names after AFTER ("" from the start), at most LIMIT. */
struct store_page {
	const char *after;
	int limit;
};

/* Frees what T owns (T itself is embedded); safe on a zeroed struct. */
void store_thing_release(struct store_thing *t);
void store_group_release(struct store_group *g);

/* Thing NAME into *OUT (released by the caller when 1 is returned). */
int store_thing_get(struct store_tx *tx, const char *name,
    struct store_thing *out, struct err *err);

/* Inserts T at version 1; fills T->thing_id with a new UUID. */
int store_thing_insert(struct store_tx *tx, struct store_thing *t,
    struct err *err);

/* Writes the type, attributes and version of the existing thing T. */
int store_thing_update(struct store_tx *tx, const struct store_thing *t,
    struct err *err);

/* Deletes thing NAME with its attributes and group memberships. */
int store_thing_delete(struct store_tx *tx, const char *name,
    struct err *err);

/* ListThings filters; NULL members do not filter. */
struct store_thing_filter {
	const char *attr_name;
	const char *attr_value;	/* with attr_name; NULL: any value */
	bool prefix;		/* attr_value is a prefix */
	const char *type_name;
};

/*
 * ListThings: appends {"thingName", "attributes", "version" and, when
 * the thing has one, "thingTypeName"} objects to the array OUT in name
 * order, matching F. *MORE tells whether further rows exist.
 */
int store_thing_list(struct store_tx *tx, const struct store_page *pg,
    const struct store_thing_filter *f, json_t *out, bool *more,
    struct err *err);

/* One thing as store_thing_scan reads it (everything borrowed). */
struct store_thing_row {
	const char *name;
	const char *type_name;		/* "" when none */
	const json_t *attributes;
	const json_t *groups;	/* its static groups' names, or NULL */
};

typedef int store_thing_scan_fn(const struct store_thing_row *r, void *arg,
    struct err *err);

/* Which things store_thing_scan reads, through which index. */
enum store_scan_by {
	STORE_SCAN_ALL,		/* every thing, in name order */
	STORE_SCAN_ATTR_EQ,	/* attribute ATTR is VALUE */
	STORE_SCAN_ATTR_PREFIX,	/* attribute ATTR starts with VALUE */
	STORE_SCAN_GROUP,	/* in a static group named VALUE (any case) */
	STORE_SCAN_TYPE,	/* of the thing type named VALUE (any case) */
};

struct store_scan {
	enum store_scan_by by;
	const char *attr;
	const char *value;
};

/*
 * Calls FN with every thing SC selects (WITH_GROUPS: with the names of its
 * static groups), stopping at the first -1 it returns; a thing may come
 * twice (STORE_SCAN_GROUP, two groups whose names differ in case only).
 * FN may change the memberships of dynamic groups.
 */
int store_thing_scan(struct store_tx *tx, const struct store_scan *sc,
    bool with_groups, store_thing_scan_fn *fn, void *arg, struct err *err);

/*
 * The registry's attribute update rule: with MERGE, the keys of UPDATE
 * are added or replaced and an empty value removes its key; without,
 * UPDATE replaces everything (empty values dropped). Returns a new object.
 */
json_t *store_attrs_apply(const json_t *current, const json_t *update,
    bool merge);

/* Group NAME into *OUT (released by the caller when 1 is returned). */
int store_group_get(struct store_tx *tx, const char *name,
    struct store_group *out, struct err *err);

/* Inserts G at version 1; fills G->group_id with a new UUID. */
int store_group_insert(struct store_tx *tx, struct store_group *g,
    struct err *err);

/*
 * Writes the description, attributes, version and (of a dynamic group)
 * query members of the existing G.
 */
int store_group_update(struct store_tx *tx, const struct store_group *g,
    struct err *err);

/* Deletes group NAME and its memberships (the caller checks children). */
int store_group_delete(struct store_tx *tx, const char *name,
    struct err *err);

/* The number of direct child groups of NAME into *N. */
int store_group_children(struct store_tx *tx, const char *name,
    int64_t *n, struct err *err);

/*
 * ListThingGroups: appends group names in name order to the array OUT.
 * PARENT NULL: every group (RECURSIVE) or the root groups only; else the
 * descendants (RECURSIVE) or the direct children of PARENT. PREFIX (NULL:
 * none) filters names.
 */
int store_group_list(struct store_tx *tx, const struct store_page *pg,
    const char *parent, bool recursive, const char *prefix, json_t *out,
    bool *more, struct err *err);

/* Adds THING to GROUP; *ADDED false when it already was a member. */
int store_member_add(struct store_tx *tx, const char *group,
    const char *thing, bool *added, struct err *err);

/* Removes THING from GROUP (nothing when it was not a member). */
int store_member_remove(struct store_tx *tx, const char *group,
    const char *thing, struct err *err);

/* The number of groups THING belongs to into *N. */
int store_member_count(struct store_tx *tx, const char *thing, int64_t *n,
    struct err *err);

/* ListThingGroupsForThing: appends group names to the array OUT. */
int store_member_groups(struct store_tx *tx, const char *thing,
    const struct store_page *pg, json_t *out, bool *more, struct err *err);

/*
 * ListThingsInThingGroup: appends the names of the things of GROUP (and,
 * when RECURSIVE, of all its descendants) to the array OUT, each once.
 */
int store_member_things(struct store_tx *tx, const char *group,
    bool recursive, const struct store_page *pg, json_t *out, bool *more,
    struct err *err);

/*
 * The dynamic groups in name order, as {"name", "query"} objects appended
 * to the array OUT.
 */
int store_dyngroup_all(struct store_tx *tx, json_t *out, struct err *err);

/* The number of dynamic groups into *N. */
int store_dyngroup_count(struct store_tx *tx, int64_t *n, struct err *err);

/*
 * The names of the groups THING belongs to, in name order, the dynamic
 * ones (DYNAMIC) or the static ones, appended to the array OUT.
 */
int store_member_groups_kind(struct store_tx *tx, const char *thing,
    bool dynamic, json_t *out, struct err *err);

/* A new random (version 4) UUID in BUF. */
void store_uuid_new(char buf[STORE_ID_LEN + 1]);

#endif
