/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resource tags, shared by every Create and Delete operation of a taggable
 * resource and by TagResource, UntagResource and ListTagsForResource
 * (api/tags.c). The limits are AWS's (Tagging your AWS IoT resources): at
 * most 50 tags per resource, keys of 1-128 and values of 0-256 characters
 * (the model checks those lengths), keys starting with "aws:" reserved.
 */
#ifndef IOTJOBS_TAGS_H
#define IOTJOBS_TAGS_H

#include <jansson.h>

#include "err.h"
#include "store/store.h"

#define TAGS_MAX	50	/* tags per resource (AWS) */

/*
 * Checks the `tags` member TAGS of a request (NULL: none): at most
 * TAGS_MAX, no key twice, no reserved key. InvalidRequestException
 * naming `tags` otherwise.
 */
int tags_check(const json_t *tags, struct err *err);

/* As tags_check, refusing with the error TYPE (commands: Validation). */
int tags_check_as(const json_t *tags, const char *type, struct err *err);

/*
 * The new resource TYPE/ID (ARN resource type and id: "job", "j1") gets
 * exactly the tags TAGS (NULL: none), which the caller checked with
 * tags_check before its transaction, in TX.
 */
int tags_create(struct store_tx *tx, const char *type, const char *id,
    const json_t *tags, struct err *err);

/* Resource TYPE/ID is deleted in TX: its tags go with it. */
int tags_drop(struct store_tx *tx, const char *type, const char *id,
    struct err *err);

#endif
