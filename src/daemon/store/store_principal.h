/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of thing principals (schema 0012: thing_principals):
 * which principals (certificate ARNs) are attached to which things, each
 * attachment EXCLUSIVE_THING or NON_EXCLUSIVE_THING. The exclusivity
 * rules are api/principal.c's. Every write transaction calling the
 * writers also calls store_authz_bump(). Implemented by
 * sqlite_principal.c.
 */
#ifndef IOTJOBS_STORE_PRINCIPAL_H
#define IOTJOBS_STORE_PRINCIPAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "store_thing.h"

#define STORE_PRINCIPAL_TYPE_MAX	20	/* NON_EXCLUSIVE_THING */

/*
 * The type of the attachment of PRINCIPAL to THING into TYPE: 1 attached,
 * 0 not, -1 with ERR.
 */
int store_thing_principal_get(struct store_tx *tx, const char *thing,
    const char *principal, char type[STORE_PRINCIPAL_TYPE_MAX + 1],
    struct err *err);

/*
 * One thing other than THING that PRINCIPAL is attached to, an exclusive
 * attachment first, into OTHER and TYPE: 1 found, 0 none, -1 with ERR.
 */
int store_principal_other_thing(struct store_tx *tx, const char *principal,
    const char *thing, char other[STORE_NAME_MAX + 1],
    char type[STORE_PRINCIPAL_TYPE_MAX + 1], struct err *err);

/* Attaches PRINCIPAL to THING as TYPE, or sets the type of the existing
 * attachment (keeping its creation time). */
int store_thing_principal_put(struct store_tx *tx, const char *thing,
    const char *principal, const char *type, int64_t now, struct err *err);

/* Detaches PRINCIPAL from THING; *REMOVED false when it was not. */
int store_thing_principal_delete(struct store_tx *tx, const char *thing,
    const char *principal, bool *removed, struct err *err);

/* The number of principals attached to THING into *N. */
int store_thing_principal_count(struct store_tx *tx, const char *thing,
    int64_t *n, struct err *err);

/*
 * ListThingPrincipals(V2): appends {"principal", "thingPrincipalType"}
 * objects for the principals of THING to the array OUT, in principal
 * order; TYPE (NULL: any) filters on the attachment type.
 */
int store_thing_principals(struct store_tx *tx, const char *thing,
    const char *type, const struct store_page *pg, json_t *out, bool *more,
    struct err *err);

/*
 * ListPrincipalThings(V2): appends {"thingName", "thingPrincipalType"}
 * objects for the things PRINCIPAL is attached to, in name order.
 */
int store_principal_thing_list(struct store_tx *tx, const char *principal,
    const char *type, const struct store_page *pg, json_t *out, bool *more,
    struct err *err);

#endif
