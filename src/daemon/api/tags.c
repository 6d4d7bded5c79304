/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tags of every taggable resource (tags.h): the checks every Create
 * operation shares, and TagResource, UntagResource, ListTagsForResource
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_TagResource.html).
 * A resource is named by its ARN; tag_kinds lists the resource types
 * iotjobs can tag and how to tell whether one exists: a later resource
 * adds a row there and calls tags_create / tags_drop.
 */
#include "api/tags.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/marker.h"
#include "store/store_cert.h"
#include "store/store_command.h"
#include "store/store_job.h"
#include "store/store_policy.h"
#include "store/store_tags.h"
#include "store/store_template.h"
#include "store/store_thing.h"
#include "store/store_thing_type.h"

#define TAGS_RESERVED	"aws:"
#define TAGS_PAGE	25	/* ListTagsForResource page (ours) */
#define TAGS_ID_MAX	256	/* longest resource id of tag_kinds */

/* resource "TYPE/ID" into BUF. */
static void
tags_resource(const char *type, const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", type, id);
}

int
tags_check_as(const json_t *tags, const char *type, struct err *err)
{
	const char *key, *other;
	size_t i, j, n = json_array_size(tags);

	if (n > TAGS_MAX)
		return err_set(err, type, "tags: a resource can have at most %d"
		    " tags, not %zu", TAGS_MAX, n);
	for (i = 0; i < n; i++) {
		key = json_string_value(json_object_get(json_array_get(tags,
		    i), "Key"));
		if (key == NULL)
			return err_set(err, type, "tags[%zu].Key is missing",
			    i);
		if (strncasecmp(key, TAGS_RESERVED, strlen(TAGS_RESERVED)) ==
		    0)
			return err_set(err, type, "tags[%zu].Key %s: keys"
			    " starting with \"aws:\" are reserved for AWS use",
			    i, key);
		for (j = 0; j < i; j++) {
			other = json_string_value(json_object_get(
			    json_array_get(tags, j), "Key"));
			if (other != NULL && strcmp(key, other) == 0)
				return err_set(err, type, "tags: the key %s is"
				    " given twice", key);
		}
	}
	return 0;
}

int
tags_check(const json_t *tags, struct err *err)
{
	return tags_check_as(tags, ERR_INVALID_REQUEST, err);
}

int
tags_create(struct store_tx *tx, const char *type, const char *id,
    const json_t *tags, struct err *err)
{
	char res[TAGS_ID_MAX + 32];

	tags_resource(type, id, res, sizeof(res));
	/* A resource of the same name deleted before 0018 kept its tags. */
	if (store_tags_drop(tx, res, err) == -1)
		return -1;
	return tags != NULL ? store_tags_put(tx, res, tags, err) : 0;
}

int
tags_drop(struct store_tx *tx, const char *type, const char *id,
    struct err *err)
{
	char res[TAGS_ID_MAX + 32];

	tags_resource(type, id, res, sizeof(res));
	return store_tags_drop(tx, res, err);
}

/* --- which resources ---------------------------------------------------- */

static int
job_exists(struct store_tx *tx, const char *id, struct err *err)
{
	return store_job_get(tx, id, NULL, err);
}

static int
template_exists(struct store_tx *tx, const char *id, struct err *err)
{
	return store_template_get(tx, id, NULL, err);
}

static int
group_exists(struct store_tx *tx, const char *name, struct err *err)
{
	struct store_group g;
	int found = store_group_get(tx, name, &g, err);

	if (found == 1)
		store_group_release(&g);
	return found;
}

static int
type_exists(struct store_tx *tx, const char *name, struct err *err)
{
	return store_thing_type_get(tx, name, NULL, err);
}

static int
command_exists(struct store_tx *tx, const char *id, struct err *err)
{
	return store_command_get(tx, id, NULL, err);
}

static int
policy_exists(struct store_tx *tx, const char *name, struct err *err)
{
	return store_policy_get(tx, name, NULL, err);
}

static int
ca_exists(struct store_tx *tx, const char *id, struct err *err)
{
	return store_ca_get(tx, id, NULL, err);
}

/* The resource types iotjobs tags: ARN type, existence (1, 0, -1). */
static const struct tag_kind {
	const char *type;
	int (*exists)(struct store_tx *, const char *, struct err *);
} tag_kinds[] = {
	{ "job", job_exists },
	{ "jobtemplate", template_exists },
	{ "thinggroup", group_exists },
	{ "thingtype", type_exists },
	{ "command", command_exists },
	{ "policy", policy_exists },
	{ "cacert", ca_exists },
};

/* A resourceArn taken apart: its kind and "TYPE/ID". */
struct tag_target {
	const struct tag_kind *kind;
	const char *id;			/* into arn */
	char resource[TAGS_ID_MAX + 32];
};

/*
 * Parses the resourceArn ARN: InvalidRequestException when it is not an
 * ARN of a type iotjobs tags, ResourceNotFoundException when it is of
 * another region or account.
 */
static int
tag_target_parse(const struct api_ctx *ctx, const char *arn,
    struct tag_target *t, struct err *err)
{
	char prefix[256];
	const char *rest, *slash;
	size_t plen, i, tlen;

	snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:",
	    ctx->conf->region, ctx->conf->account_id);
	plen = strlen(prefix);
	if (strncmp(arn, "arn:", 4) != 0 || strchr(arn, '/') == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "resourceArn %.300s"
		    " is not the ARN of a resource", arn);
	if (strncmp(arn, prefix, plen) != 0)
		return err_set(err, ERR_NOT_FOUND, "resourceArn %.300s: no"
		    " such resource in this region and account", arn);
	rest = arn + plen;
	slash = strchr(rest, '/');
	tlen = (size_t)(slash - rest);
	t->id = slash + 1;
	for (i = 0; i < sizeof(tag_kinds) / sizeof(tag_kinds[0]); i++)
		if (strlen(tag_kinds[i].type) == tlen &&
		    strncmp(rest, tag_kinds[i].type, tlen) == 0)
			break;
	if (i == sizeof(tag_kinds) / sizeof(tag_kinds[0]))
		return err_set(err, ERR_INVALID_REQUEST, "resourceArn %.300s:"
		    " iotjobs cannot tag a resource of type %.*s (it tags"
		    " job, jobtemplate, thinggroup, thingtype, command, policy"
		    " and cacert resources)", arn, (int)(tlen > 64 ? 64 : tlen),
		    rest);
	t->kind = &tag_kinds[i];
	if (t->id[0] == '\0' || strlen(t->id) > TAGS_ID_MAX)
		return err_set(err, ERR_NOT_FOUND, "resourceArn %.300s: no"
		    " such resource", arn);
	tags_resource(t->kind->type, t->id, t->resource, sizeof(t->resource));
	return 0;
}

/* The resource T exists in TX: 0, or -1 with ResourceNotFoundException. */
static int
tag_target_exists(struct store_tx *tx, const char *arn,
    const struct tag_target *t, struct err *err)
{
	int found = t->kind->exists(tx, t->id, err);

	if (found == 0)
		return err_set(err, ERR_NOT_FOUND, "resourceArn %.300s: no"
		    " such resource", arn);
	return found == 1 ? 0 : -1;
}

/* --- the operations ----------------------------------------------------- */

static int
tag_resource(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *arn = api_in_str(in, "resourceArn");
	const json_t *tags = json_object_get(in, "tags");
	struct tag_target t;
	struct store_tx *tx = ctx->tx;
	int64_t n = 0;
	int rc;

	(void)out;	/* NULL answers {} */
	if (tag_target_parse(ctx, arn, &t, err) == -1 ||
	    tags_check(tags, err) == -1)
		return -1;
	rc = tag_target_exists(tx, arn, &t, err);
	if (rc == 0)
		rc = store_tags_put(tx, t.resource, tags, err);
	if (rc == 0)
		rc = store_tags_count(tx, t.resource, &n, err);
	if (rc == 0 && n > TAGS_MAX)
		rc = err_set(err, ERR_LIMIT_EXCEEDED, "tags: %s would have %lld"
		    " tags; a resource can have at most %d", arn,
		    (long long)n, TAGS_MAX);
	return rc;
}

static int
untag_resource(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *arn = api_in_str(in, "resourceArn");
	const json_t *keys = json_object_get(in, "tagKeys");
	struct tag_target t;
	struct store_tx *tx = ctx->tx;
	const char *key;
	size_t i;
	int rc;

	(void)out;	/* NULL answers {} */
	if (tag_target_parse(ctx, arn, &t, err) == -1)
		return -1;
	for (i = 0; i < json_array_size(keys); i++) {
		key = json_string_value(json_array_get(keys, i));
		if (key != NULL && strncasecmp(key, TAGS_RESERVED,
		    strlen(TAGS_RESERVED)) == 0)
			return err_set(err, ERR_INVALID_REQUEST, "tagKeys[%zu]"
			    " %s: keys starting with \"aws:\" are reserved for"
			    " AWS use", i, key);
	}
	rc = tag_target_exists(tx, arn, &t, err);
	if (rc == 0)
		rc = store_tags_remove(tx, t.resource, keys, err);
	return rc;
}

/* A resource's tags in key order, resuming after the last key answered. */
static const struct marker_listing tags_listing = {
	"ListTagsForResource", "nextToken", "nextToken", ERR_INVALID_REQUEST,
	MARKER_KEY
};

static int
list_tags(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *arn = api_in_str(in, "resourceArn");
	struct marker_pos after;
	struct tag_target t;
	struct store_tx *tx = ctx->tx;
	json_t *tags;
	bool more = false, given;
	int rc;

	if (tag_target_parse(ctx, arn, &t, err) == -1 ||
	    marker_read(&tags_listing, NULL, in, &after, &given, err) == -1)
		return -1;
	tags = json_array();
	rc = tag_target_exists(tx, arn, &t, err);
	if (rc == 0)
		rc = store_tags_list(tx, t.resource, after.key, TAGS_PAGE,
		    tags, &more, err);
	if (rc == -1) {
		json_decref(tags);
		return -1;
	}
	*out = json_pack("{s:o}", "tags", tags);
	if (more) {
		snprintf(after.key, sizeof(after.key), "%s", api_in_str(
		    json_array_get(tags, json_array_size(tags) - 1), "Key"));
		marker_write(&tags_listing, NULL, &after, *out);
	}
	return 0;
}

const struct api_op api_tag_ops[] = {
	{ "TagResource", PLANE_CONTROL, tag_resource, API_WRITE },
	{ "UntagResource", PLANE_CONTROL, untag_resource, API_WRITE },
	{ "ListTagsForResource", PLANE_CONTROL, list_tags, API_READ },
	{ NULL, PLANE_DATA, NULL, 0 },
};
