/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks an operation's input against its model shape: JSON types, required
 * members, lengths, counts, ranges, patterns and enums, with AWS's message
 * style ("1 validation error detected: Value 'a b' at 'thingName' failed to
 * satisfy constraint: Member must satisfy regular expression pattern: ...").
 * Shared by every front end.
 */
#ifndef IOTJOBS_VALIDATE_H
#define IOTJOBS_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "gen/model.h"

/* Compiles the models' patterns; call once at start-up. */
int validate_init(struct err *err);

/*
 * Validates IN against structure SHAPE. JSON nulls are removed (an absent
 * member). On failure returns -1 with ERR set to ERRTYPE (the operation's
 * validation error: InvalidRequestException or ValidationException).
 */
int validate_input(int shape, json_t *in, const char *errtype,
    struct err *err);

/* The validation error type operation OP lists. */
const char *validate_errtype(const struct model_op *op);

/* True when TEXT whole-matches the pattern of SHAPE (true if it has none). */
bool validate_pattern(int shape, const char *text, size_t len);

/* Length of the UTF-8 string S in characters (code points). */
size_t utf8_chars(const char *s, size_t len);

#endif
