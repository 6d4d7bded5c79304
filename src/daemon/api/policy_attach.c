/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policies attached to targets, control plane: AttachPolicy,
 * DetachPolicy, ListAttachedPolicies, ListTargetsForPolicy, and the
 * deprecated principal forms AttachPrincipalPolicy, DetachPrincipalPolicy,
 * ListPrincipalPolicies, ListPolicyPrincipals (the principal in the
 * x-amzn-iot-principal header, the policy in x-amzn-iot-policy). A target
 * is a certificate or a thing group of this account (api/target.c); it
 * has at most ten policies (AWS IoT Core quotas).
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "api/marker.h"
#include "api/policy_int.h"
#include "api/target.h"
#include "store/store_identity.h"
#include "store/store_policy.h"

/* AWS IoT Core quotas: at most 10 policies attached to a certificate (or
 * Cognito identity); iotjobs holds thing groups to the same number. */
#define POLICY_TARGET_MAX	10

/* Attaches policy NAME to T (parsed already) inside TX. */
static int
attach_tx(struct api_ctx *ctx, struct store_tx *tx, const char *name,
    const struct target *t, const char *member, struct err *err)
{
	int64_t n;
	bool added;
	int found;

	found = store_policy_get(tx, name, NULL, err);
	if (found != 1)
		return found == 0 ? policy_missing(name, err) : -1;
	if (target_check(tx, t, member, err) == -1)
		return -1;
	if (store_policy_target_count(tx, t->arn, &n, err) == -1)
		return -1;
	if (store_policy_attach(tx, name, t->arn, ctx->now, &added,
	    err) == -1)
		return -1;
	if (added && n >= POLICY_TARGET_MAX)
		return err_set(err, ERR_LIMIT_EXCEEDED, "%s %s already has %d"
		    " policies attached, the maximum", member, t->arn,
		    POLICY_TARGET_MAX);
	return added ? store_authz_bump(tx, err) : 0;
}

/* AttachPolicy and AttachPrincipalPolicy: the target in input MEMBER. */
static int
attach(struct api_ctx *ctx, json_t *in, json_t **out, const char *member,
    struct err *err)
{
	struct target t;

	(void)out;	/* NULL answers {} */
	if (target_parse(ctx, api_in_str(in, member), true, member, &t,
	    err) == -1)
		return -1;
	return attach_tx(ctx, ctx->tx, api_in_str(in, "policyName"), &t,
	    member, err);
}

/*
 * DetachPolicy and DetachPrincipalPolicy. DetachPolicy lists no
 * ResourceNotFoundException: detaching what is not attached succeeds.
 * The deprecated form lists one, for a policy that does not exist.
 */
static int
detach(struct api_ctx *ctx, json_t *in, json_t **out, const char *member,
    bool policy_must_exist, struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	struct store_tx *tx = ctx->tx;
	struct target t;
	bool removed = false;
	int rc = 0, found;

	(void)out;	/* NULL answers {} */
	if (target_parse(ctx, api_in_str(in, member), true, member, &t,
	    err) == -1)
		return -1;
	if (policy_must_exist) {
		found = store_policy_get(tx, name, NULL, err);
		if (found != 1)
			rc = found == 0 ? policy_missing(name, err) : -1;
	}
	if (rc == 0)
		rc = store_policy_detach(tx, name, t.arn, &removed, err);
	if (rc == 0 && removed)
		rc = store_authz_bump(tx, err);
	return rc;
}

static int
policy_attach(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return attach(ctx, in, out, "target", err);
}

static int
policy_detach(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return detach(ctx, in, out, "target", false, err);
}

static int
principal_policy_attach(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return attach(ctx, in, out, "principal", err);
}

static int
principal_policy_detach(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return detach(ctx, in, out, "principal", true, err);
}

static const struct marker_listing attached_tokens =
    POLICY_LISTING("ListAttachedPolicies", MARKER_KEY);
static const struct marker_listing targets_tokens =
    POLICY_LISTING("ListTargetsForPolicy", MARKER_KEY);
static const struct marker_listing principal_policies_tokens =
    POLICY_LISTING("ListPrincipalPolicies", MARKER_TIME_KEY);
static const struct marker_listing policy_principals_tokens =
    POLICY_LISTING("ListPolicyPrincipals", MARKER_TIME_KEY);

/* Sets L's nextMarker of OUT after the last string of KEYS when MORE. */
static void
page_next(const struct marker_listing *l, json_t *out, const json_t *keys,
    bool more)
{
	marker_page_next(l, out, json_string_value(json_array_get(keys,
	    json_array_size(keys) - 1)), more);
}

/* Policy names (strings, or objects of "name") into Policy objects. */
static json_t *
policy_refs(const struct api_ctx *ctx, const json_t *rows)
{
	json_t *list = json_array(), *row;
	char arn[ERR_ARN_MAX];
	const char *name;
	size_t i;

	json_array_foreach(rows, i, row) {
		name = json_is_string(row) ? json_string_value(row) :
		    api_in_str(row, "name");
		policy_arn(ctx, name, arn, sizeof(arn));
		json_array_append_new(list, json_pack("{s:s, s:s}",
		    "policyName", name, "policyArn", arn));
	}
	return list;
}

/* The policies of T (recursively for a group when RECURSIVE) in TX. */
static int
attached_tx(struct api_ctx *ctx, struct store_tx *tx, const struct target *t,
    bool recursive, const struct store_page *pg, json_t *names, bool *more,
    struct err *err)
{
	char prefix[ERR_ARN_MAX];

	if (target_check(tx, t, "target", err) == -1)
		return -1;
	if (!recursive || t->kind != TARGET_GROUP)
		return store_policy_attached(tx, t->arn, NULL, NULL, pg, names,
		    more, err);
	api_arn(ctx, "thinggroup", "", prefix, sizeof(prefix));
	return store_policy_attached(tx, t->arn, prefix, t->group, pg, names,
	    more, err);
}

static int
attached_list(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	bool recursive = json_is_true(json_object_get(in, "recursive"));
	struct marker_pos after;
	struct store_page pg;
	struct store_tx *tx = ctx->tx;
	struct target t;
	json_t *names;
	bool more = false;
	int rc;

	if (target_parse(ctx, api_in_str(in, "target"), true, "target", &t,
	    err) == -1 || marker_page_init(&attached_tokens, in, "pageSize",
	    POLICY_PAGE_DEFAULT, &pg, &after, err) == -1)
		return -1;
	names = json_array();
	rc = attached_tx(ctx, tx, &t, recursive, &pg, names, &more, err);
	if (rc == 0) {
		*out = json_pack("{s:o}", "policies", policy_refs(ctx, names));
		page_next(&attached_tokens, *out, names, more);
	}
	json_decref(names);
	return rc;
}

static int
targets_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	struct marker_pos after;
	struct store_page pg;
	struct store_tx *tx = ctx->tx;
	json_t *targets;
	bool more = false;
	int found;

	if (marker_page_init(&targets_tokens, in, "pageSize",
	    POLICY_PAGE_DEFAULT, &pg, &after, err) == -1)
		return -1;
	targets = json_array();
	found = store_policy_get(tx, name, NULL, err);
	if (found == 1 && store_policy_targets(tx, name, &pg, targets, &more,
	    err) == -1)
		found = -1;
	if (found != 1) {
		json_decref(targets);
		return found == 0 ? policy_missing(name, err) : -1;
	}
	*out = json_pack("{s:O}", "targets", targets);
	page_next(&targets_tokens, *out, targets, more);
	json_decref(targets);
	return 0;
}

static int
principal_policies_list(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	struct marker_pos after;
	struct store_cpage pg;
	struct store_tx *tx = ctx->tx;
	struct target t;
	json_t *rows;
	bool more = false;
	int rc;

	if (target_parse(ctx, api_in_str(in, "principal"), true, "principal",
	    &t, err) == -1 || policy_cpage_init(&principal_policies_tokens,
	    in, &pg, &after, err) == -1)
		return -1;
	rows = json_array();
	rc = target_check(tx, &t, "principal", err);
	if (rc == 0)
		rc = store_policy_attached_by_time(tx, t.arn, &pg, rows, &more,
		    err);
	if (rc == 0) {
		*out = json_pack("{s:o}", "policies", policy_refs(ctx, rows));
		policy_cpage_next(&principal_policies_tokens, *out, rows,
		    "name", more);
	}
	json_decref(rows);
	return rc;
}

static int
policy_principals_list(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	struct marker_pos after;
	struct store_cpage pg;
	struct store_tx *tx = ctx->tx;
	json_t *rows, *list, *row;
	bool more = false;
	size_t i;
	int found;

	if (policy_cpage_init(&policy_principals_tokens, in, &pg, &after,
	    err) == -1)
		return -1;
	rows = json_array();
	found = store_policy_get(tx, name, NULL, err);
	if (found == 1 && store_policy_targets_by_time(tx, name, &pg, rows,
	    &more, err) == -1)
		found = -1;
	if (found != 1) {
		json_decref(rows);
		return found == 0 ? policy_missing(name, err) : -1;
	}
	list = json_array();
	json_array_foreach(rows, i, row)
		json_array_append(list, json_object_get(row, "name"));
	*out = json_pack("{s:o}", "principals", list);
	policy_cpage_next(&policy_principals_tokens, *out, rows, "name",
	    more);
	json_decref(rows);
	return 0;
}

const struct api_op api_policy_attach_ops[] = {
	{ "AttachPolicy", PLANE_CONTROL, policy_attach, API_WRITE },
	{ "DetachPolicy", PLANE_CONTROL, policy_detach, API_WRITE },
	{ "ListAttachedPolicies", PLANE_CONTROL, attached_list, API_READ },
	{ "ListTargetsForPolicy", PLANE_CONTROL, targets_list, API_READ },
	{ "AttachPrincipalPolicy", PLANE_CONTROL, principal_policy_attach,
	    API_WRITE },
	{ "DetachPrincipalPolicy", PLANE_CONTROL, principal_policy_detach,
	    API_WRITE },
	{ "ListPrincipalPolicies", PLANE_CONTROL, principal_policies_list,
	    API_READ },
	{ "ListPolicyPrincipals", PLANE_CONTROL, policy_principals_list,
	    API_READ },
	{ NULL, PLANE_DATA, NULL, 0 },
};
