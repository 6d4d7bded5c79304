/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of thing types (CreateThingType, DescribeThingType,
 * ListThingTypes, UpdateThingType, DeprecateThingType, DeleteThingType):
 * schema 0018's thing_types table; the things of a type are found through
 * its things_type index. Lookups return 1 (found), 0 (missing) or -1.
 */
#ifndef IOTJOBS_STORE_THING_TYPE_H
#define IOTJOBS_STORE_THING_TYPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "store/store_thing.h"

/* One thing type row. Strings and JSON values are owned. */
struct store_thing_type {
	char name[STORE_NAME_MAX + 1];
	char type_id[STORE_ID_LEN + 1];
	char *description;	/* NULL: none */
	json_t *searchable;	/* array of attribute names */
	json_t *mqtt5;		/* mqtt5Configuration object; NULL: none */
	int64_t deprecated_at;	/* 0: not deprecated */
	int64_t created_at;
};

/* Frees what T owns; safe on a zeroed struct. */
void store_thing_type_release(struct store_thing_type *t);

/* Type NAME into *OUT (NULL: existence only; else the caller releases). */
int store_thing_type_get(struct store_tx *tx, const char *name,
    struct store_thing_type *out, struct err *err);

/* Inserts T (its name free); fills T->type_id with a new UUID. */
int store_thing_type_insert(struct store_tx *tx, struct store_thing_type *t,
    struct err *err);

/* Writes description, searchable, mqtt5 and deprecated_at of T. */
int store_thing_type_update(struct store_tx *tx,
    const struct store_thing_type *t, struct err *err);

/* Deletes type NAME (the caller checked it has no things). */
int store_thing_type_delete(struct store_tx *tx, const char *name,
    struct err *err);

/* Whether a thing of type NAME exists into *ANY. */
int store_thing_type_in_use(struct store_tx *tx, const char *name,
    bool *any, struct err *err);

/* Called by store_thing_type_list with each row (borrowed). */
typedef int store_thing_type_fn(const struct store_thing_type *t, void *arg,
    struct err *err);

/*
 * ListThingTypes in name order: up to PG->limit types after PG->after
 * (NAME not NULL: that type only) to FN; *MORE when further rows exist.
 */
int store_thing_type_list(struct store_tx *tx, const struct store_page *pg,
    const char *name, store_thing_type_fn *fn, void *arg, bool *more,
    struct err *err);

#endif
