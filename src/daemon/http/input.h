/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds an operation's input object from an HTTP request: path labels,
 * query parameters and headers converted to their model types, plus the
 * JSON body parsed strictly (UTF-8, no duplicate keys, one object).
 */
#ifndef IOTJOBS_HTTP_INPUT_H
#define IOTJOBS_HTTP_INPUT_H

#include <jansson.h>

#include "auth/auth.h"
#include "err.h"
#include "http/router.h"

/*
 * Returns 0 and a new object in *OUT keyed by member name, or -1 with ERR
 * set to ERRTYPE (bad JSON, wrong scalar syntax in the path or query).
 */
int http_input_build(const struct route_match *m,
    const struct auth_pair *query, size_t nquery,
    const struct auth_pair *headers, size_t nheaders,
    const char *body, size_t body_len, const char *errtype, json_t **out,
    struct err *err);

#endif
