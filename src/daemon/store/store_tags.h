/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of resource tags (TagResource, UntagResource,
 * ListTagsForResource and the tags of every Create operation): schema
 * 0018's tags table, one row per key. RESOURCE is the part of the
 * resource's ARN after "arn:aws:iot:REGION:ACCOUNT:" ("job/ID"); the
 * checks (limits, reserved prefix) are api/tags.c's.
 */
#ifndef IOTJOBS_STORE_TAGS_H
#define IOTJOBS_STORE_TAGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

/*
 * Adds or replaces the tags of the array TAGS ({"Key", "Value"} objects,
 * a missing Value is "") on RESOURCE.
 */
int store_tags_put(struct store_tx *tx, const char *resource,
    const json_t *tags, struct err *err);

/* Removes the keys of the array KEYS from RESOURCE (absent ones: none). */
int store_tags_remove(struct store_tx *tx, const char *resource,
    const json_t *keys, struct err *err);

/* Removes every tag of RESOURCE (it is being deleted). */
int store_tags_drop(struct store_tx *tx, const char *resource,
    struct err *err);

/* The number of tags of RESOURCE into *N. */
int store_tags_count(struct store_tx *tx, const char *resource, int64_t *n,
    struct err *err);

/*
 * Appends {"Key", "Value"} objects of RESOURCE in key order, keys after
 * AFTER ("" from the first), at most LIMIT, to the array OUT; *MORE when
 * further tags exist.
 */
int store_tags_list(struct store_tx *tx, const char *resource,
    const char *after, int limit, json_t *out, bool *more, struct err *err);

#endif
