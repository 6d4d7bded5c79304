/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The page markers of the policy and principal listings (marker and
 * nextMarker, nextToken): the base64 of the key of the last row answered,
 * so that they match the model's Marker pattern [A-Za-z0-9+/]+={0,2}.
 * Keys are printable ASCII (names, ARNs, "TIME:NAME" positions).
 */
#ifndef IOTJOBS_API_MARKER_H
#define IOTJOBS_API_MARKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct store_page;

#define MARKER_KEY_MAX	512
#define MARKER_MAX	(4 * ((MARKER_KEY_MAX + 2) / 3) + 1)

/* The marker that resumes a listing after KEY (cut at MARKER_KEY_MAX). */
void marker_encode(const char *key, char buf[MARKER_MAX]);

/*
 * Decodes MARKER, the value of input member MEMBER, into KEY; -1 with an
 * InvalidRequestException naming MEMBER when this daemon did not issue it.
 */
int marker_decode(const char *marker, const char *member,
    char key[MARKER_KEY_MAX + 1], struct err *err);

/*
 * The name-order page PG of a listing's input IN: the limit of member
 * SIZE_MEMBER (DEF when absent), resuming after the key of the marker in
 * member TOKEN_MEMBER, decoded into KEY (which PG then points to).
 */
int marker_page_init(const json_t *in, const char *size_member, int def,
    const char *token_member, struct store_page *pg,
    char key[MARKER_KEY_MAX + 1], struct err *err);

/* When MORE, sets MEMBER of OUT to the marker after LAST (NULL: none). */
void marker_page_next(json_t *out, const char *member, const char *last,
    bool more);

/* The marker of the position (TIME, KEY) of a creation-order listing. */
void marker_encode_pos(int64_t time, const char *key, char buf[MARKER_MAX]);

/* Decodes a marker_encode_pos() marker; KEY receives the name part. */
int marker_decode_pos(const char *marker, const char *member, int64_t *time,
    char key[MARKER_KEY_MAX + 1], struct err *err);

#endif
