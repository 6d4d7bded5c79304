/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS IoT policies and their versions, control plane: CreatePolicy,
 * GetPolicy, ListPolicies, DeletePolicy, CreatePolicyVersion,
 * GetPolicyVersion, ListPolicyVersions, SetDefaultPolicyVersion,
 * DeletePolicyVersion, as https://docs.aws.amazon.com/iot/latest/
 * apireference/ describes them. A document is at most 2048 characters
 * without white space; a policy has at most five versions, the default
 * one cannot be deleted, and a policy can be deleted only once it has no
 * other version and no attachment. Attachments are policy_attach.c's.
 */
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/marker.h"
#include "api/tags.h"
#include "api/policy_int.h"
#include "num.h"
#include "policy.h"
#include "store/store_identity.h"
#include "store/store_policy.h"
#include "store/store_thing.h"

/* AWS IoT: a policy document is 1 to 2048 characters, white space not
 * counted (CreatePolicy, CreatePolicyVersion: policyDocument). */
#define POLICY_DOC_MAX		2048
/* AWS IoT: a managed policy has at most five versions. */
#define POLICY_VERSIONS_MAX	5

void
policy_arn(const struct api_ctx *ctx, const char *name, char *buf,
    size_t size)
{
	api_arn(ctx, "policy", name, buf, size);
}

int
policy_missing(const char *name, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Policy %s does not exist", name);
}

int
policy_page_size(const json_t *in)
{
	const json_t *size = json_object_get(in, "pageSize");

	return json_is_integer(size) ? (int)json_integer_value(size) :
	    POLICY_PAGE_DEFAULT;
}

int
policy_cpage_init(const struct marker_listing *l, const json_t *in,
    struct store_cpage *pg, struct marker_pos *pos, struct err *err)
{
	bool given;

	memset(pg, 0, sizeof(*pg));
	pg->limit = policy_page_size(in);
	pg->descending = json_is_false(json_object_get(in, "ascendingOrder"));
	if (marker_read(l, NULL, in, pos, &given, err) == -1)
		return -1;
	if (given) {
		pg->after_time = pos->seq;
		pg->after = pos->key;
	}
	return 0;
}

void
policy_cpage_next(const struct marker_listing *l, json_t *out,
    const json_t *rows, const char *key, bool more)
{
	const json_t *last = json_array_get(rows, json_array_size(rows) - 1);
	struct marker_pos pos;

	if (!more || last == NULL)
		return;
	pos.seq = json_integer_value(json_object_get(last, "createdAt"));
	snprintf(pos.key, sizeof(pos.key), "%s", api_in_str(last, key));
	marker_write(l, NULL, &pos, out);
}

/*
 * Checks a policy document: its size as AWS counts it, then its grammar
 * through the one parser of policies.
 */
static int
policy_doc_check(const char *doc, struct err *err)
{
	struct policy *parsed = NULL;
	size_t i, n = 0;

	for (i = 0; doc[i] != '\0'; i++) {
		unsigned char c = (unsigned char)doc[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v' || (c & 0xc0) == 0x80)
			continue;
		n++;
	}
	if (n == 0)
		return err_set(err, ERR_MALFORMED_POLICY, "policyDocument is"
		    " empty");
	if (n > POLICY_DOC_MAX)
		return err_set(err, ERR_MALFORMED_POLICY, "policyDocument has"
		    " %zu characters without white space; a policy document"
		    " can have at most %d", n, POLICY_DOC_MAX);
	if (policy_parse(doc, i, &parsed, err) == -1)
		return -1;
	policy_free(parsed);
	return 0;
}

/* "7" into *ID: 1, or 0 for a number no version can have. */
static int
version_id_parse(const char *text, int64_t *id)
{
	return num_parse_i64(text, 1, INT64_MAX, id) == 0;
}

static int
version_missing(const char *name, const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Policy %s has no version %s", name,
	    id);
}

/* After a change that gave RC in TX: authorization reloads if RC is 0. */
static int
policy_changed(struct store_tx *tx, int rc, struct err *err)
{
	return rc == 0 ? store_authz_bump(tx, err) : rc;
}

static int
policy_create(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	const char *doc = api_in_str(in, "policyDocument");
	char arn[ERR_ARN_MAX];
	struct store_policy p;
	struct store_tx *tx = ctx->tx;
	int rc = -1, found;

	if (policy_doc_check(doc, err) == -1 ||
	    tags_check(json_object_get(in, "tags"), err) == -1)
		return -1;
	policy_arn(ctx, name, arn, sizeof(arn));
	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	p.default_version = 1;
	p.next_version = 2;
	store_uuid_new(p.generation_id);
	p.created_at = p.modified_at = ctx->now;
	found = store_policy_get(tx, name, NULL, err);
	if (found == 1) {
		rc = err_set(err, ERR_ALREADY_EXISTS, "Policy cannot be"
		    " created: a policy named %s already exists", name);
		err_set_resource(err, NULL, arn);
	} else if (found == 0 &&
	    (rc = store_policy_insert(tx, &p, doc, err)) == 0) {
		rc = tags_create(tx, "policy", name, json_object_get(in,
		    "tags"), err);
	} else if (found == -1) {
		rc = -1;
	}
	if (policy_changed(tx, rc, err) == -1)
		return -1;
	*out = json_pack("{s:s, s:s, s:s, s:s}", "policyName", name,
	    "policyArn", arn, "policyDocument", doc, "policyVersionId", "1");
	return 0;
}

/* Policy NAME and its version ID (0: the default), read in ctx->tx. */
static int
policy_read(struct api_ctx *ctx, const char *name, const char *id,
    struct store_policy *p, struct store_policy_version *v,
    struct err *err)
{
	struct store_tx *tx = ctx->tx;
	int64_t vid = 0;
	int found;

	/* An id no version can have finds none: 0 is never one. */
	if (id != NULL && !version_id_parse(id, &vid))
		vid = 0;
	found = store_policy_get(tx, name, p, err);
	if (found == 1)
		found = store_policy_version_get(tx, name, id != NULL ? vid :
		    p->default_version, v, err);
	else if (found == 0)
		found = policy_missing(name, err);
	else
		found = -1;
	if (found == 0)
		return version_missing(name, id != NULL ? id : "(default)",
		    err);
	return found == 1 ? 0 : -1;
}

static int
policy_get(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	struct store_policy_version v;
	struct store_policy p;
	char arn[ERR_ARN_MAX], vid[24];

	if (policy_read(ctx, name, NULL, &p, &v, err) == -1)
		return -1;
	policy_arn(ctx, name, arn, sizeof(arn));
	snprintf(vid, sizeof(vid), "%" PRId64, p.default_version);
	*out = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}",
	    "policyName", name, "policyArn", arn, "policyDocument", v.document,
	    "defaultVersionId", vid, "creationDate", (json_int_t)p.created_at,
	    "lastModifiedDate", (json_int_t)p.modified_at,
	    "generationId", p.generation_id);
	store_policy_version_release(&v);
	return 0;
}

static int
policy_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	static const struct marker_listing listing =
	    POLICY_LISTING("ListPolicies", MARKER_TIME_KEY);
	char arn[ERR_ARN_MAX];
	struct marker_pos after;
	struct store_cpage pg;
	json_t *rows, *list, *row;
	bool more = false;
	size_t i;
	int rc;

	if (policy_cpage_init(&listing, in, &pg, &after, err) == -1)
		return -1;
	rows = json_array();
	rc = store_policy_list(ctx->tx, &pg, rows, &more, err);
	if (rc == -1) {
		json_decref(rows);
		return -1;
	}
	list = json_array();
	json_array_foreach(rows, i, row) {
		const char *name = api_in_str(row, "policyName");

		policy_arn(ctx, name, arn, sizeof(arn));
		json_array_append_new(list, json_pack("{s:s, s:s}",
		    "policyName", name, "policyArn", arn));
	}
	*out = json_pack("{s:o}", "policies", list);
	policy_cpage_next(&listing, *out, rows, "policyName", more);
	json_decref(rows);
	return 0;
}

/* DeletePolicy's checks on policy NAME (which exists) inside TX. */
static int
policy_delete_check(struct store_tx *tx, const char *name, struct err *err)
{
	int64_t n;

	if (store_policy_attached_count(tx, name, &n, err) == -1)
		return -1;
	if (n > 0)
		return err_set(err, ERR_DELETE_CONFLICT, "Policy %s cannot be"
		    " deleted: it is attached to %" PRId64 " target(s)"
		    " (DetachPolicy first)", name, n);
	if (store_policy_version_count(tx, name, &n, err) == -1)
		return -1;
	if (n > 1)
		return err_set(err, ERR_DELETE_CONFLICT, "Policy %s cannot be"
		    " deleted: it has versions other than the default one"
		    " (DeletePolicyVersion first)", name);
	return 0;
}

static int
policy_delete(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	struct store_tx *tx = ctx->tx;
	int rc, found;

	(void)out;	/* NULL answers {} */
	found = store_policy_get(tx, name, NULL, err);
	if (found == 0)
		rc = policy_missing(name, err);
	else if (found == -1)
		rc = -1;
	else if ((rc = policy_delete_check(tx, name, err)) == 0 &&
	    (rc = store_policy_delete(tx, name, err)) == 0)
		rc = tags_drop(tx, "policy", name, err);
	return policy_changed(tx, rc, err);
}

/* Adds version V (its document set) to policy P inside TX. */
static int
version_add(struct api_ctx *ctx, struct store_tx *tx, struct store_policy *p,
    struct store_policy_version *v, bool as_default, struct err *err)
{
	int64_t n;

	if (store_policy_version_count(tx, p->name, &n, err) == -1)
		return -1;
	if (n >= POLICY_VERSIONS_MAX)
		return err_set(err, ERR_VERSIONS_LIMIT, "Policy %s already has"
		    " %d versions, the maximum: delete one"
		    " (DeletePolicyVersion) to create another", p->name,
		    POLICY_VERSIONS_MAX);
	v->version_id = p->next_version++;
	v->created_at = ctx->now;
	if (as_default)
		p->default_version = v->version_id;
	store_uuid_new(p->generation_id);
	p->modified_at = ctx->now;
	if (store_policy_version_insert(tx, p->name, v, err) == -1)
		return -1;
	return store_policy_update(tx, p, err);
}

static int
version_create(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	const char *doc = api_in_str(in, "policyDocument");
	bool as_default = json_is_true(json_object_get(in, "setAsDefault"));
	struct store_policy_version v;
	struct store_policy p;
	char arn[ERR_ARN_MAX], vid[24];
	struct store_tx *tx = ctx->tx;
	int rc, found;

	if (policy_doc_check(doc, err) == -1)
		return -1;
	memset(&v, 0, sizeof(v));
	v.document = (char *)doc;
	found = store_policy_get(tx, name, &p, err);
	if (found == 0)
		rc = policy_missing(name, err);
	else if (found == -1)
		rc = -1;
	else
		rc = version_add(ctx, tx, &p, &v, as_default, err);
	if (policy_changed(tx, rc, err) == -1)
		return -1;
	policy_arn(ctx, name, arn, sizeof(arn));
	snprintf(vid, sizeof(vid), "%" PRId64, v.version_id);
	*out = json_pack("{s:s, s:s, s:s, s:b}", "policyArn", arn,
	    "policyDocument", doc, "policyVersionId", vid,
	    "isDefaultVersion", as_default);
	return 0;
}

static int
version_get(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	const char *id = api_in_str(in, "policyVersionId");
	struct store_policy_version v;
	struct store_policy p;
	char arn[ERR_ARN_MAX], vid[24];

	if (policy_read(ctx, name, id, &p, &v, err) == -1)
		return -1;
	policy_arn(ctx, name, arn, sizeof(arn));
	snprintf(vid, sizeof(vid), "%" PRId64, v.version_id);
	/* A version never changes: it was last modified when created. */
	*out = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:s}",
	    "policyArn", arn, "policyName", name, "policyDocument", v.document,
	    "policyVersionId", vid,
	    "isDefaultVersion", v.version_id == p.default_version,
	    "creationDate", (json_int_t)v.created_at,
	    "lastModifiedDate", (json_int_t)v.created_at,
	    "generationId", p.generation_id);
	store_policy_version_release(&v);
	return 0;
}

static int
version_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *name = api_in_str(in, "policyName");
	struct store_policy p;
	struct store_tx *tx = ctx->tx;
	json_t *rows, *list, *row;
	char vid[24];
	size_t i;
	int found;

	rows = json_array();
	found = store_policy_get(tx, name, &p, err);
	if (found == 1 && store_policy_versions(tx, name, rows, err) == -1)
		found = -1;
	if (found != 1) {
		json_decref(rows);
		return found == 0 ? policy_missing(name, err) : -1;
	}
	list = json_array();
	json_array_foreach(rows, i, row) {
		json_int_t id = json_integer_value(json_object_get(row,
		    "versionId"));

		snprintf(vid, sizeof(vid), "%" JSON_INTEGER_FORMAT, id);
		json_array_append_new(list, json_pack("{s:s, s:b, s:O}",
		    "versionId", vid, "isDefaultVersion",
		    id == p.default_version, "createDate",
		    json_object_get(row, "createdAt")));
	}
	json_decref(rows);
	*out = json_pack("{s:o}", "policyVersions", list);
	return 0;
}

/*
 * Applies SetDefaultPolicyVersion (SET) or DeletePolicyVersion to version
 * ID of policy NAME inside TX.
 */
static int
version_change(struct api_ctx *ctx, struct store_tx *tx, const char *name,
    const char *id, bool set, struct err *err)
{
	struct store_policy_version v;
	struct store_policy p;
	int64_t vid;
	int found;

	found = store_policy_get(tx, name, &p, err);
	if (found != 1)
		return found == 0 ? policy_missing(name, err) : -1;
	if (!version_id_parse(id, &vid))
		return version_missing(name, id, err);
	if (!set && vid == p.default_version)
		return err_set(err, ERR_DELETE_CONFLICT, "Version %s of policy"
		    " %s is its default version, which cannot be deleted"
		    " (DeletePolicy deletes it with the policy)", id, name);
	if (!set) {
		found = store_policy_version_delete(tx, name, vid, err);
		if (found != 1)
			return found == 0 ? version_missing(name, id, err) : -1;
	} else {
		found = store_policy_version_get(tx, name, vid, &v, err);
		if (found != 1)
			return found == 0 ? version_missing(name, id, err) : -1;
		store_policy_version_release(&v);
		p.default_version = vid;
	}
	store_uuid_new(p.generation_id);
	p.modified_at = ctx->now;
	return store_policy_update(tx, &p, err);
}

static int
version_set_or_delete(struct api_ctx *ctx, json_t *in, json_t **out,
    bool set, struct err *err)
{
	int rc;

	(void)out;	/* NULL answers {} */
	rc = version_change(ctx, ctx->tx, api_in_str(in, "policyName"),
	    api_in_str(in, "policyVersionId"), set, err);
	return policy_changed(ctx->tx, rc, err);
}

static int
version_set_default(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return version_set_or_delete(ctx, in, out, true, err);
}

static int
version_delete(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	return version_set_or_delete(ctx, in, out, false, err);
}

const struct api_op api_policy_ops[] = {
	{ "CreatePolicy", PLANE_CONTROL, policy_create, API_WRITE },
	{ "GetPolicy", PLANE_CONTROL, policy_get, API_READ },
	{ "ListPolicies", PLANE_CONTROL, policy_list, API_READ },
	{ "DeletePolicy", PLANE_CONTROL, policy_delete, API_WRITE },
	{ "CreatePolicyVersion", PLANE_CONTROL, version_create, API_WRITE },
	{ "GetPolicyVersion", PLANE_CONTROL, version_get, API_READ },
	{ "ListPolicyVersions", PLANE_CONTROL, version_list, API_READ },
	{ "SetDefaultPolicyVersion", PLANE_CONTROL, version_set_default,
	    API_WRITE },
	{ "DeletePolicyVersion", PLANE_CONTROL, version_delete, API_WRITE },
	{ NULL, PLANE_DATA, NULL, 0 },
};
