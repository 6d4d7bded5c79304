/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thing principals, control plane: AttachThingPrincipal,
 * DetachThingPrincipal, ListThingPrincipals(V2), ListPrincipalThings(V2),
 * the principal in the x-amzn-principal header. A principal is a
 * certificate of this account (api/target.c). An EXCLUSIVE_THING
 * attachment makes the thing the certificate's only one: it cannot be
 * made while the certificate is attached to another thing, and no other
 * thing can be attached while it lasts (developer guide, exclusive-
 * thing.html); the model lists InvalidRequestException for both.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "api/marker.h"
#include "api/target.h"
#include "store/store_identity.h"
#include "store/store_principal.h"
#include "store/store_thing.h"

#define TYPE_EXCLUSIVE		"EXCLUSIVE_THING"
#define TYPE_NON_EXCLUSIVE	"NON_EXCLUSIVE_THING"
/* The listings' page when maxResults is absent (AWS does not say). */
#define PRINCIPAL_PAGE_DEFAULT	50

static int
thing_exists(struct store_tx *tx, const char *name, struct err *err)
{
	struct store_thing t;
	int found = store_thing_get(tx, name, &t, err);

	if (found == 1)
		store_thing_release(&t);
	if (found == 0)
		return err_set(err, ERR_NOT_FOUND, "Thing %s does not exist",
		    name);
	return found == 1 ? 0 : -1;
}

/* The exclusivity rules for attaching T to THING as TYPE inside TX. */
static int
exclusive_check(struct store_tx *tx, const struct target *t,
    const char *thing, const char *type, struct err *err)
{
	char other[STORE_NAME_MAX + 1];
	char other_type[STORE_PRINCIPAL_TYPE_MAX + 1];
	int found;

	found = store_principal_other_thing(tx, t->arn, thing, other,
	    other_type, err);
	if (found != 1)
		return found;
	if (strcmp(other_type, TYPE_EXCLUSIVE) == 0)
		return err_set(err, ERR_INVALID_REQUEST, "Principal %s is"
		    " attached to thing %s as EXCLUSIVE_THING: it cannot be"
		    " attached to another thing", t->arn, other);
	if (strcmp(type, TYPE_EXCLUSIVE) == 0)
		return err_set(err, ERR_INVALID_REQUEST, "Principal %s cannot"
		    " be attached to thing %s as EXCLUSIVE_THING: it is"
		    " attached to thing %s too", t->arn, thing, other);
	return 0;
}

static int
attach_tx(struct api_ctx *ctx, struct store_tx *tx, const char *thing,
    const struct target *t, const char *type, struct err *err)
{
	char cur[STORE_PRINCIPAL_TYPE_MAX + 1];
	int found;

	if (thing_exists(tx, thing, err) == -1 ||
	    target_check(tx, t, "principal", err) == -1 ||
	    exclusive_check(tx, t, thing, type, err) == -1)
		return -1;
	found = store_thing_principal_get(tx, thing, t->arn, cur, err);
	if (found == -1)
		return -1;
	if (found == 1 && strcmp(cur, type) == 0)
		return 0;
	if (store_thing_principal_put(tx, thing, t->arn, type, ctx->now,
	    err) == -1)
		return -1;
	return store_authz_bump(tx, err);
}

static int
principal_attach(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *type = api_in_str(in, "thingPrincipalType");
	struct target t;

	(void)out;	/* NULL answers {} */
	if (type == NULL)
		type = TYPE_NON_EXCLUSIVE;
	if (target_parse(ctx, api_in_str(in, "principal"), false,
	    "principal", &t, err) == -1)
		return -1;
	return attach_tx(ctx, ctx->tx, api_in_str(in, "thingName"), &t, type,
	    err);
}

static int
principal_detach(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	struct store_tx *tx = ctx->tx;
	struct target t;
	bool removed = false;
	int rc;

	(void)out;	/* NULL answers {} */
	if (target_parse(ctx, api_in_str(in, "principal"), false,
	    "principal", &t, err) == -1)
		return -1;
	rc = thing_exists(tx, thing, err);
	if (rc == 0)
		rc = store_thing_principal_delete(tx, thing, t.arn, &removed,
		    err);
	if (rc == 0 && removed)
		rc = store_authz_bump(tx, err);
	return rc;
}

/* The page tokens of the two listings, each shared by its V1 and V2. */
static const struct marker_listing thing_principals_tokens = {
	"ListThingPrincipals", "nextToken", "nextToken", ERR_INVALID_REQUEST,
	MARKER_KEY
};
static const struct marker_listing principal_things_tokens = {
	"ListPrincipalThings", "nextToken", "nextToken", ERR_INVALID_REQUEST,
	MARKER_KEY
};

/*
 * The answer of a listing L of ROWS (objects of KEY and
 * thingPrincipalType) into *OUT: under LIST, the KEY strings (V1) or the
 * objects (V2).
 */
static void
listing_out(const struct marker_listing *l, json_t **out, const char *list,
    json_t *rows, const char *key, bool v2, bool more)
{
	json_t *names, *row;
	size_t i;

	if (v2) {
		*out = json_pack("{s:O}", list, rows);
	} else {
		names = json_array();
		json_array_foreach(rows, i, row)
			json_array_append(names, json_object_get(row, key));
		*out = json_pack("{s:o}", list, names);
	}
	marker_page_next(l, *out, api_in_str(json_array_get(rows,
	    json_array_size(rows) - 1), key), more);
}

static int
thing_principals(struct api_ctx *ctx, json_t *in, json_t **out, bool v2,
    struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	struct marker_pos after;
	struct store_page pg;
	struct store_tx *tx = ctx->tx;
	json_t *rows;
	bool more = false;
	int rc;

	if (marker_page_init(&thing_principals_tokens, in, "maxResults",
	    PRINCIPAL_PAGE_DEFAULT, &pg, &after, err) == -1)
		return -1;
	rows = json_array();
	rc = thing_exists(tx, thing, err);
	if (rc == 0)
		rc = store_thing_principals(tx, thing,
		    api_in_str(in, "thingPrincipalType"), &pg, rows, &more,
		    err);
	if (rc == 0)
		listing_out(&thing_principals_tokens, out,
		    v2 ? "thingPrincipalObjects" : "principals",
		    rows, "principal", v2, more);
	json_decref(rows);
	return rc;
}

static int
principal_things(struct api_ctx *ctx, json_t *in, json_t **out, bool v2,
    struct err *err)
{
	struct marker_pos after;
	struct store_page pg;
	struct store_tx *tx = ctx->tx;
	struct target t;
	json_t *rows;
	bool more = false;
	int rc;

	if (target_parse(ctx, api_in_str(in, "principal"), false,
	    "principal", &t, err) == -1 ||
	    marker_page_init(&principal_things_tokens, in, "maxResults",
	    PRINCIPAL_PAGE_DEFAULT, &pg, &after, err) == -1)
		return -1;
	rows = json_array();
	rc = target_check(tx, &t, "principal", err);
	if (rc == 0)
		rc = store_principal_thing_list(tx, t.arn,
		    api_in_str(in, "thingPrincipalType"), &pg, rows, &more,
		    err);
	if (rc == 0)
		listing_out(&principal_things_tokens, out,
		    v2 ? "principalThingObjects" : "things",
		    rows, "thingName", v2, more);
	json_decref(rows);
	return rc;
}

static int
thing_principals_v1(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return thing_principals(ctx, in, out, false, err);
}

static int
thing_principals_v2(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return thing_principals(ctx, in, out, true, err);
}

static int
principal_things_v1(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return principal_things(ctx, in, out, false, err);
}

static int
principal_things_v2(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return principal_things(ctx, in, out, true, err);
}

const struct api_op api_principal_ops[] = {
	{ "AttachThingPrincipal", PLANE_CONTROL, principal_attach,
	    API_WRITE },
	{ "DetachThingPrincipal", PLANE_CONTROL, principal_detach,
	    API_WRITE },
	{ "ListThingPrincipals", PLANE_CONTROL, thing_principals_v1,
	    API_READ },
	{ "ListThingPrincipalsV2", PLANE_CONTROL, thing_principals_v2,
	    API_READ },
	{ "ListPrincipalThings", PLANE_CONTROL, principal_things_v1,
	    API_READ },
	{ "ListPrincipalThingsV2", PLANE_CONTROL, principal_things_v2,
	    API_READ },
	{ NULL, PLANE_DATA, NULL, 0 },
};
