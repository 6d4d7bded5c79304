/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the policy operations (policy.c) and attachments
 * (policy_attach.c). */
#ifndef IOTJOBS_POLICY_INT_H
#define IOTJOBS_POLICY_INT_H

#include <jansson.h>

#include "api/api.h"
#include "api/marker.h"
#include "err.h"
#include "store/store_policy.h"

/* A page when pageSize is absent (AWS does not say). */
#define POLICY_PAGE_DEFAULT	50

/* The ARN of policy NAME into BUF (ERR_ARN_MAX). */
void policy_arn(const struct api_ctx *ctx, const char *name, char *buf,
    size_t size);

/* The ResourceNotFoundException of policy NAME; returns -1. */
int policy_missing(const char *name, struct err *err);

/* pageSize of IN, or POLICY_PAGE_DEFAULT. */
int policy_page_size(const json_t *in);

/* The listing OP of positions KIND: marker and nextMarker. */
#define POLICY_LISTING(op, kind)	{ (op), "marker", "nextMarker", \
					    ERR_INVALID_REQUEST, (kind) }

/*
 * Reads the marker of listing L (of MARKER_TIME_KEY positions), pageSize
 * and ascendingOrder (absent: ascending) of IN into the creation-order
 * page PG; POS receives the position PG->after points into. A marker L
 * did not issue is an InvalidRequestException.
 */
int policy_cpage_init(const struct marker_listing *l, const json_t *in,
    struct store_cpage *pg, struct marker_pos *pos, struct err *err);

/*
 * Sets L's nextMarker of OUT to the position of the last of ROWS (objects
 * of KEY and "createdAt", as the store's creation-order listings give)
 * when MORE.
 */
void policy_cpage_next(const struct marker_listing *l, json_t *out,
    const json_t *rows, const char *key, bool more);

#endif
