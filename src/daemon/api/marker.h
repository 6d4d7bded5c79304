/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The page tokens of every listing (nextToken, marker and nextMarker):
 * one opaque format for the position after the last row answered, bound
 * to the listing that issued it (and to the inputs fixed across its pages,
 * the subject). A token is the base64 (OpenSSL) of the fields "1",
 * listing, subject, seq (decimal) and key, each ended by a NUL byte (so
 * that a token cut short is none), which matches the model's Marker
 * pattern [A-Za-z0-9+/]+={0,2} and stays within its 1024 characters.
 */
#ifndef IOTJOBS_API_MARKER_H
#define IOTJOBS_API_MARKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct store_page;

#define MARKER_KEY_MAX		512	/* a tag key: 128 chars of 4 bytes */
#define MARKER_NAME_MAX		40	/* a listing's name (an operation) */
#define MARKER_SUBJECT_MAX	128	/* a thing name, the longest subject */
/* The five NUL-ended fields: "1", name, subject, seq (a sign, 19
 * digits), key. */
#define MARKER_RAW_MAX		(2 + MARKER_NAME_MAX + 1 + \
				    MARKER_SUBJECT_MAX + 1 + 20 + 1 + \
				    MARKER_KEY_MAX + 1)
#define MARKER_MAX		(4 * ((MARKER_RAW_MAX + 2) / 3) + 1)

/* What a listing's positions hold. */
enum marker_kind {
	MARKER_KEY,		/* name order: a key, seq 0 */
	MARKER_TIME_KEY,	/* creation order: seq a time, then a key */
	MARKER_ROW		/* a row position: seq > 0, no key */
};

/* A listing that hands out tokens: one static const per operation. */
struct marker_listing {
	const char *name;	/* the operation, bound into its tokens */
	const char *member;	/* input member: "nextToken", "marker" */
	const char *next;	/* output member: "nextToken", "nextMarker" */
	const char *err_type;	/* the operation's error for a bad token */
	enum marker_kind kind;
};

/* The position after the last row of a page. */
struct marker_pos {
	int64_t seq;			/* a time or a row position */
	char key[MARKER_KEY_MAX + 1];	/* a name, an id, an ARN, a tag key */
};

/*
 * The token of POS for listing L and SUBJECT (NULL: none) into BUF. The
 * key is cut at MARKER_KEY_MAX and the subject at MARKER_SUBJECT_MAX:
 * validated input never is that long.
 */
void marker_encode(const struct marker_listing *l, const char *subject,
    const struct marker_pos *pos, char buf[MARKER_MAX]);

/*
 * Decodes TEXT into *POS when it is a token that marker_encode() made for
 * L and SUBJECT, in its canonical text; otherwise -1 with
 * marker_refuse()'s error.
 */
int marker_decode(const struct marker_listing *l, const char *subject,
    const char *text, struct marker_pos *pos, struct err *err);

/* The error of L's bad token (its type, naming its member); returns -1. */
int marker_refuse(const struct marker_listing *l, struct err *err);

/*
 * The token in L's input member of IN into *POS: 0 with *GIVEN false
 * (POS zeroed) when there is none, -1 with ERR when it is not L's.
 */
int marker_read(const struct marker_listing *l, const char *subject,
    const json_t *in, struct marker_pos *pos, bool *given, struct err *err);

/* Sets L's output member of OUT to the token of POS. */
void marker_write(const struct marker_listing *l, const char *subject,
    const struct marker_pos *pos, json_t *out);

/* For MARKER_ROW listings: the row of IN's token into *AFTER (0: none). */
int marker_read_row(const struct marker_listing *l, const char *subject,
    const json_t *in, int64_t *after, struct err *err);

/* For MARKER_ROW listings: sets L's output member of OUT after row SEQ. */
void marker_write_row(const struct marker_listing *l, const char *subject,
    int64_t seq, json_t *out);

/*
 * The name-order page PG of listing L's input IN: the limit of member
 * SIZE_MEMBER (DEF when absent), resuming after the key of the token,
 * decoded into POS (which PG then points to; PG->after is NULL when the
 * input has no token).
 */
int marker_page_init(const struct marker_listing *l, const json_t *in,
    const char *size_member, int def, struct store_page *pg,
    struct marker_pos *pos, struct err *err);

/* When MORE, sets L's output member of OUT to the token after key LAST. */
void marker_page_next(const struct marker_listing *l, json_t *out,
    const char *last, bool more);

#endif
