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

/*
 * Reads marker, pageSize and ascendingOrder (absent: ascending) of IN
 * into the creation-order page PG; KEY receives the name PG->after points
 * at. An invalid marker is an InvalidRequestException.
 */
int policy_cpage_init(const json_t *in, struct store_cpage *pg,
    char key[MARKER_KEY_MAX + 1], struct err *err);

/*
 * Sets nextMarker of OUT to the position of the last of ROWS (objects of
 * KEY and "createdAt", as the store's creation-order listings give) when
 * MORE.
 */
void policy_cpage_next(json_t *out, const json_t *rows, const char *key,
    bool more);

#endif
