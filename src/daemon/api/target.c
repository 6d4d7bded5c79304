/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate and thing group ARNs as policy targets and thing principals
 * (target.h): arn:aws:iot:REGION:ACCOUNT:cert/ID with ID the lower-case
 * hex SHA-256 of the certificate, arn:aws:iot:REGION:ACCOUNT:thinggroup/
 * NAME with NAME a ThingGroupName.
 */
#include "api/target.h"

#include <stdio.h>
#include <string.h>

#include "store/store_identity.h"
#include "store/store_thing.h"

static bool
is_cert_id(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return i == STORE_CERT_ID_LEN;
}

/* The model's ThingGroupName: [a-zA-Z0-9:_-]{1,128}. */
static bool
is_group_name(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    name[i] == ':' || name[i] == '_' || name[i] == '-'))
			return false;
	return i >= 1 && i <= STORE_NAME_MAX;
}

/* The rest of ARN after this account's "arn:aws:iot:R:A:TYPE/", or NULL. */
static const char *
arn_rest(const struct api_ctx *ctx, const char *arn, const char *type)
{
	char prefix[256];
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:%s/",
	    ctx->conf->region, ctx->conf->account_id, type);
	if (n >= sizeof(prefix) || strncmp(arn, prefix, n) != 0)
		return NULL;
	return arn + n;
}

int
target_parse(const struct api_ctx *ctx, const char *arn, bool groups,
    const char *member, struct target *t, struct err *err)
{
	const char *rest;

	memset(t, 0, sizeof(*t));
	t->arn = arn;
	if ((rest = arn_rest(ctx, arn, "cert")) != NULL && is_cert_id(rest)) {
		t->kind = TARGET_CERT;
		snprintf(t->cert_id, sizeof(t->cert_id), "%s", rest);
		return 0;
	}
	if (groups && (rest = arn_rest(ctx, arn, "thinggroup")) != NULL &&
	    is_group_name(rest)) {
		t->kind = TARGET_GROUP;
		snprintf(t->group, sizeof(t->group), "%s", rest);
		return 0;
	}
	if (groups)
		return err_set(err, ERR_INVALID_REQUEST, "%s: '%.300s' is"
		    " neither a certificate ARN (arn:aws:iot:%s:%s:cert/ID)"
		    " nor a thing group ARN (arn:aws:iot:%s:%s:thinggroup/"
		    "NAME) of this account", member, arn, ctx->conf->region,
		    ctx->conf->account_id, ctx->conf->region,
		    ctx->conf->account_id);
	return err_set(err, ERR_INVALID_REQUEST, "%s: '%.300s' is not a"
	    " certificate ARN (arn:aws:iot:%s:%s:cert/ID) of this account;"
	    " iotjobs does not implement other principals", member, arn,
	    ctx->conf->region, ctx->conf->account_id);
}

int
target_check(struct store_tx *tx, const struct target *t, const char *member,
    struct err *err)
{
	struct store_cert_auth cert;
	struct store_group g;
	int found;

	if (t->kind == TARGET_CERT) {
		found = store_cert_auth_get(tx, t->cert_id, &cert, err);
		if (found == 0)
			return err_set(err, ERR_NOT_FOUND, "Certificate %s"
			    " (%s) does not exist", t->cert_id, member);
		return found == 1 ? 0 : -1;
	}
	found = store_group_get(tx, t->group, &g, err);
	if (found == 1)
		store_group_release(&g);
	if (found == 0)
		return err_set(err, ERR_NOT_FOUND, "Thing group %s (%s) does"
		    " not exist", t->group, member);
	return found == 1 ? 0 : -1;
}
