/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the thing and thing-group operations (thing.c, thing_group.c). */
#ifndef IOTJOBS_THING_INT_H
#define IOTJOBS_THING_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "store/store_thing.h"

/*
 * Reads maxResults (50 when absent: AWS does not say) and nextToken of IN
 * into PG; AFTER receives the decoded key PG points at. An invalid token
 * is InvalidRequestException.
 */
int thing_page_init(const json_t *in, struct store_page *pg,
    char after[STORE_NAME_MAX + 1], struct err *err);

struct api_ctx;
struct store_tx;

/*
 * AddThingToThingGroup's step in TX: THING (existing) joins GROUP
 * (existing), at most THING_GROUPS_MAX groups, and the CONTINUOUS jobs
 * of GROUP and its ancestors queue or plan it. *JOINED (may be NULL):
 * false when it already was a member.
 */
int thing_group_join_tx(struct api_ctx *ctx, struct store_tx *tx,
    const char *group, const char *thing, bool *joined, struct err *err);

#endif
