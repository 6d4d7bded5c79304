/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Custom job templates (WIRE.md 11.4): CreateJobTemplate (from a document
 * or from an existing job, jobArn), DescribeJobTemplate, ListJobTemplates,
 * DeleteJobTemplate; and template_apply, which CreateJob calls to take a
 * template's document and configuration. AWS-managed templates:
 * managed_template.c. Choices where AWS is silent: docs/compatibility.md.
 */
#include "api/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/job_int.h"
#include "api/marker.h"
#include "api/tags.h"
#include "store/store_job.h"
#include "store/store_template.h"
#include "xmalloc.h"

#define LIST_DEFAULT	50	/* ListJobTemplates maxResults when absent */
#define LIST_MAX	250	/* model LaserMaxResults */
#define ARN_MAX		512

/*
 * The configuration members a template keeps and CreateJob inherits, in
 * the order DescribeJobTemplate returns them. maintenanceWindows goes to
 * the job's schedulingConfig; tags are the template's own (tags.c).
 */
static const char *const template_config_members[] = {
	"presignedUrlConfig", "jobExecutionsRolloutConfig", "abortConfig",
	"timeoutConfig", "jobExecutionsRetryConfig", "maintenanceWindows",
	"destinationPackageVersions", NULL,
};

static int
template_load(struct store_tx *tx, const char *id, struct store_template *t,
    struct err *err)
{
	int rc = store_template_get(tx, id, t, err);

	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Job template %s does not"
		    " exist", id);
	return rc == 1 ? 0 : -1;
}

/* The job document text TEXT is a JSON object of at most the limit. */
static int
document_check(const char *text, struct err *err)
{
	json_error_t jerr;
	json_t *doc;

	if (strlen(text) > JOB_DOCUMENT_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "document must be at"
		    " most %d bytes, not %zu", JOB_DOCUMENT_MAX, strlen(text));
	doc = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return err_set(err, ERR_INVALID_REQUEST, "document is not a"
		    " JSON object%s%s", doc == NULL ? ": " : "",
		    doc == NULL ? jerr.text : "");
	}
	json_decref(doc);
	return 0;
}

/*
 * Splits ARN "arn:aws:iot:REGION:ACCOUNT:TYPE/REST" of TYPE: 0 with
 * *ACCOUNT_EMPTY and *REST (into ARN), or -1 when ARN is not of TYPE in
 * this deployment's region (and account, unless it is empty).
 */
static int
arn_split(const struct api_ctx *ctx, const char *arn, const char *type,
    bool *account_empty, const char **rest)
{
	char prefix[ARN_MAX];
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:",
	    ctx->conf->region);
	if (strncmp(arn, prefix, n) != 0)
		return -1;
	arn += n;
	*account_empty = arn[0] == ':';
	if (!*account_empty) {
		n = strlen(ctx->conf->account_id);
		if (strncmp(arn, ctx->conf->account_id, n) != 0)
			return -1;
		arn += n;
	}
	if (*arn++ != ':')
		return -1;
	n = strlen(type);
	if (strncmp(arn, type, n) != 0 || arn[n] != '/' || arn[n + 1] == '\0')
		return -1;
	*rest = arn + n + 1;
	return 0;
}

/* Copies member NAME of FROM into IN unless IN has it. */
static void
inherit(json_t *in, json_t *from, const char *name)
{
	json_t *v = json_object_get(from, name);

	if (v != NULL && json_object_get(in, name) == NULL)
		json_object_set(in, name, v);
}

/* maintenanceWindows of WINDOWS into in.schedulingConfig, unless given. */
static void
inherit_windows(json_t *in, json_t *windows)
{
	json_t *sched = json_object_get(in, "schedulingConfig");

	if (windows == NULL)
		return;
	if (sched == NULL) {
		sched = json_object();
		json_object_set_new(in, "schedulingConfig", sched);
	}
	if (json_object_get(sched, "maintenanceWindows") == NULL)
		json_object_set(sched, "maintenanceWindows", windows);
}

/* CreateJob from the custom template ID, read in TX. */
static int
apply_custom(struct store_tx *tx, json_t *in, const char *arn,
    const char *id, struct err *err)
{
	struct store_template t;
	size_t i;
	int rc;

	if (json_object_get(in, "documentParameters") != NULL)
		return err_set(err, ERR_INVALID_REQUEST, "documentParameters"
		    " can only be used with AWS managed job templates, not"
		    " with the custom template %s", id);
	rc = store_template_get(tx, id, &t, err);
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "The job template %s does"
		    " not exist (jobTemplateArn)", arn);
	if (rc == -1)
		return -1;
	if (t.document != NULL && json_object_get(in, "document") == NULL &&
	    json_object_get(in, "documentSource") == NULL)
		json_object_set_new(in, "document", json_string(t.document));
	if (json_object_get(in, "description") == NULL)
		json_object_set_new(in, "description",
		    json_string(t.description));
	for (i = 0; template_config_members[i] != NULL; i++)
		if (strcmp(template_config_members[i],
		    "maintenanceWindows") != 0)
			inherit(in, t.config, template_config_members[i]);
	inherit_windows(in, json_object_get(t.config, "maintenanceWindows"));
	store_template_release(&t);
	return 0;
}

/* CreateJob from the managed template REST ("NAME:VERSION"). */
static int
apply_managed(json_t *in, const char *arn, const char *rest,
    struct err *err)
{
	const struct managed_template *mt = NULL;
	const char *colon = strrchr(rest, ':');
	char name[128], *doc;

	if (colon != NULL && (size_t)(colon - rest) < sizeof(name)) {
		snprintf(name, sizeof(name), "%.*s", (int)(colon - rest),
		    rest);
		mt = managed_template_find(name, colon + 1);
	}
	if (mt == NULL)
		return err_set(err, ERR_NOT_FOUND, "The job template %s does"
		    " not exist (jobTemplateArn)", arn);
	if (json_object_get(in, "document") != NULL ||
	    json_object_get(in, "documentSource") != NULL)
		return err_set(err, ERR_INVALID_REQUEST, "document and"
		    " documentSource cannot be given with the AWS managed"
		    " template %s: its document is filled from"
		    " documentParameters", mt->name);
	if (managed_template_fill(mt, json_object_get(in,
	    "documentParameters"), &doc, err) == -1)
		return -1;
	json_object_set_new(in, "document", json_string(doc));
	free(doc);
	return 0;
}

int
template_apply(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct err *err)
{
	const char *arn = api_in_str(in, "jobTemplateArn");
	const char *rest;
	bool managed;

	if (arn == NULL) {
		if (json_object_get(in, "documentParameters") != NULL)
			return err_set(err, ERR_INVALID_REQUEST,
			    "documentParameters can only be used with an AWS"
			    " managed job template (jobTemplateArn)");
		return 0;
	}
	if (arn_split(ctx, arn, "jobtemplate", &managed, &rest) == -1)
		return err_set(err, ERR_INVALID_REQUEST, "jobTemplateArn %s is"
		    " not a job template ARN of region %s"
		    " (arn:aws:iot:%s:%s:jobtemplate/ID or"
		    " arn:aws:iot:%s::jobtemplate/NAME:VERSION)", arn,
		    ctx->conf->region, ctx->conf->region,
		    ctx->conf->account_id, ctx->conf->region);
	if (managed)
		return apply_managed(in, arn, rest, err);
	return apply_custom(tx, in, arn, rest, err);
}

/* Checks of CreateJobTemplate that need no store. */
static int
create_check(const struct api_ctx *ctx, json_t *in, struct err *err)
{
	const char *doc = api_in_str(in, "document");
	bool from_job = json_object_get(in, "jobArn") != NULL;

	if (json_object_get(in, "documentSource") != NULL)
		return err_set(err, ERR_INVALID_REQUEST, "documentSource is not"
		    " supported: iotjobs has no S3 to fetch a job document"
		    " from; pass the job document inline in document");
	if (doc != NULL && from_job)
		return err_set(err, ERR_INVALID_REQUEST, "give either document"
		    " or jobArn, not both");
	if (doc == NULL && !from_job)
		return err_set(err, ERR_INVALID_REQUEST, "document or jobArn"
		    " is required (the job document, or the job to copy)");
	if (doc != NULL && document_check(doc, err) == -1)
		return -1;
	return job_config_check(ctx, in, err);
}

/* The document and configuration of the job JOB_ARN into T. */
static int
from_job(struct api_ctx *ctx, struct store_tx *tx, const char *job_arn,
    struct store_template *t, struct err *err)
{
	struct store_job job;
	const char *id;
	bool no_account;
	size_t i;
	int rc;

	if (arn_split(ctx, job_arn, "job", &no_account, &id) == -1 ||
	    no_account)
		return err_set(err, ERR_INVALID_REQUEST, "jobArn %s is not a"
		    " job ARN of this account and region"
		    " (arn:aws:iot:%s:%s:job/ID)", job_arn, ctx->conf->region,
		    ctx->conf->account_id);
	rc = store_job_get(tx, id, &job, err);
	if (rc == -1)
		return -1;
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Job %s does not exist"
		    " (jobArn)", id);
	if (job.document != NULL)
		t->document = xstrdup(job.document);
	for (i = 0; template_config_members[i] != NULL; i++)
		inherit(t->config, job.config, template_config_members[i]);
	inherit(t->config, json_object_get(job.config, "schedulingConfig"),
	    "maintenanceWindows");
	store_job_release(&job);
	return 0;
}

static int
create_in_tx(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct store_template *t, struct err *err)
{
	const char *job_arn = api_in_str(in, "jobArn");
	char arn[ARN_MAX];
	int rc;

	rc = store_template_get(tx, t->template_id, NULL, err);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		api_arn(ctx, "jobtemplate", t->template_id, arn, sizeof(arn));
		err_set(err, ERR_CONFLICT, "Job template %s already exists",
		    t->template_id);
		err_set_resource(err, t->template_id, arn);
		return -1;
	}
	if (job_arn != NULL && from_job(ctx, tx, job_arn, t, err) == -1)
		return -1;
	if (store_template_insert(tx, t, err) == -1)
		return -1;
	return tags_create(tx, "jobtemplate", t->template_id,
	    json_object_get(in, "tags"), err);
}

static int
template_create(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *doc = api_in_str(in, "document");
	char arn[ARN_MAX];
	struct store_template t;
	size_t i;
	int rc;

	if (create_check(ctx, in, err) == -1 ||
	    tags_check(json_object_get(in, "tags"), err) == -1)
		return -1;
	memset(&t, 0, sizeof(t));
	snprintf(t.template_id, sizeof(t.template_id), "%s",
	    api_in_str(in, "jobTemplateId"));
	t.description = xstrdup(api_in_str(in, "description"));
	t.document = doc != NULL ? xstrdup(doc) : NULL;
	t.config = json_object();
	for (i = 0; template_config_members[i] != NULL; i++)
		inherit(t.config, in, template_config_members[i]);
	t.created_at = ctx->now;
	rc = create_in_tx(ctx, ctx->tx, in, &t, err);
	if (rc == 0) {
		api_arn(ctx, "jobtemplate", t.template_id, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s}", "jobTemplateArn", arn,
		    "jobTemplateId", t.template_id);
	}
	store_template_release(&t);
	return rc;
}

static int
template_describe(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	char arn[ARN_MAX];
	struct store_template t;
	size_t i;
	int rc;

	rc = template_load(ctx->tx, api_in_str(in, "jobTemplateId"), &t, err);
	if (rc == -1)
		return -1;
	api_arn(ctx, "jobtemplate", t.template_id, arn, sizeof(arn));
	*out = json_pack("{s:s, s:s, s:s}", "jobTemplateArn", arn,
	    "jobTemplateId", t.template_id, "description", t.description);
	if (t.document != NULL)
		json_object_set_new(*out, "document", json_string(t.document));
	json_object_set_new(*out, "createdAt", json_integer(t.created_at));
	for (i = 0; template_config_members[i] != NULL; i++)
		inherit(*out, t.config, template_config_members[i]);
	store_template_release(&t);
	return 0;
}

static int
list_in_tx(struct api_ctx *ctx, struct store_tx *tx, int64_t after,
    int limit, json_t *list, int64_t *next, struct err *err)
{
	struct store_template_summary *rows;
	char arn[ARN_MAX];
	int n, i, rc;

	rows = xcalloc((size_t)limit, sizeof(*rows));
	rc = store_template_list(tx, after, limit, rows, &n, next, err);
	for (i = 0; rc == 0 && i < n; i++) {
		api_arn(ctx, "jobtemplate", rows[i].template_id, arn,
		    sizeof(arn));
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I}",
		    "jobTemplateArn", arn, "jobTemplateId",
		    rows[i].template_id, "description", rows[i].description,
		    "createdAt", (json_int_t)rows[i].created_at));
		free(rows[i].description);
	}
	free(rows);
	return rc;
}

static int
template_list(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	json_t *max = json_object_get(in, "maxResults");
	static const struct marker_listing listing = { "ListJobTemplates",
		"nextToken", "nextToken", ERR_INVALID_REQUEST, MARKER_ROW };
	int limit = max != NULL ? (int)json_integer_value(max) : LIST_DEFAULT;
	int64_t after, next;
	json_t *list;
	int rc;

	if (limit < 1 || limit > LIST_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "maxResults must be"
		    " between 1 and %d", LIST_MAX);
	if (marker_read_row(&listing, NULL, in, &after, err) == -1)
		return -1;
	list = json_array();
	rc = list_in_tx(ctx, ctx->tx, after, limit, list, &next, err);
	if (rc == -1) {
		json_decref(list);
		return -1;
	}
	*out = json_pack("{s:o}", "jobTemplates", list);
	if (next != 0)
		marker_write_row(&listing, NULL, next, *out);
	return 0;
}

/* Jobs made from the template keep their copies: deleting is allowed. */
static int
template_delete(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *id = api_in_str(in, "jobTemplateId");
	struct store_tx *tx = ctx->tx;
	int rc;

	(void)out;
	rc = store_template_delete(tx, id, err);
	if (rc == 0)
		rc = err_set(err, ERR_NOT_FOUND, "Job template %s does not"
		    " exist", id);
	else if (rc == 1)
		rc = tags_drop(tx, "jobtemplate", id, err);
	return rc;
}

const struct api_op api_template_ops[] = {
	{ "CreateJobTemplate", PLANE_CONTROL, template_create, API_WRITE },
	{ "DescribeJobTemplate", PLANE_CONTROL, template_describe, API_READ },
	{ "ListJobTemplates", PLANE_CONTROL, template_list, API_READ },
	{ "DeleteJobTemplate", PLANE_CONTROL, template_delete, API_WRITE },
	{ "ListManagedJobTemplates", PLANE_CONTROL,
	    managed_template_list_op, 0 },
	{ "DescribeManagedJobTemplate", PLANE_CONTROL,
	    managed_template_describe_op, 0 },
	{ NULL, PLANE_DATA, NULL, 0 },
};
