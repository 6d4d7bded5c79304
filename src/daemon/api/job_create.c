/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CreateJob (PUT /jobs/{jobId}, WIRE.md 11.3): checks what the model
 * leaves to prose, then in one write transaction inserts the job and its
 * targets and hands it to the engine (engine_job_created): a SCHEDULED job
 * waits for its start; otherwise one QUEUED execution per distinct target
 * thing, set-based, with the counters, or the first rollout tick.
 */
#include "api/job_int.h"
#include "api/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tags.h"
#include "engine/engine.h"
#include "engine/sched.h"
#include "store/store_job.h"
#include "xmalloc.h"

/* Configuration members stored verbatim in jobs.config (store_job.h). */
static const char *const create_config_members[] = {
	"presignedUrlConfig", "jobExecutionsRolloutConfig", "abortConfig",
	"timeoutConfig", "jobExecutionsRetryConfig", "schedulingConfig",
	"namespaceId", "jobTemplateArn", "documentParameters",
	"destinationPackageVersions", NULL,
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static int
check_document(json_t *in, struct err *err)
{
	json_t *doc = json_object_get(in, "document");
	json_t *parsed;
	json_error_t jerr;

	if (json_object_get(in, "documentSource") != NULL)
		return err_set(err, ERR_INVALID_REQUEST, "documentSource is not"
		    " supported: iotjobs has no S3 to fetch a job document"
		    " from; pass the job document inline in document");
	if (doc == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "document is required"
		    " (the job document, a JSON object)");
	if (json_string_length(doc) > JOB_DOCUMENT_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "document must be at"
		    " most %d bytes, not %zu", JOB_DOCUMENT_MAX,
		    json_string_length(doc));
	parsed = json_loadb(json_string_value(doc), json_string_length(doc),
	    JSON_DECODE_ANY, &jerr);
	if (!json_is_object(parsed)) {
		json_decref(parsed);
		return err_set(err, ERR_INVALID_REQUEST, "document is not a"
		    " JSON object%s%s", parsed == NULL ? ": " : "",
		    parsed == NULL ? jerr.text : "");
	}
	json_decref(parsed);
	return 0;
}

/* Checks without the store: everything but existence. */
static int
create_check(const struct api_ctx *ctx, json_t *in, json_t **targets,
    struct err *err)
{
	/* template_apply has put a template's document into IN. */
	if (check_document(in, err) == -1)
		return -1;
	if (job_config_check(ctx, in, err) == -1)
		return -1;
	if (tags_check(json_object_get(in, "tags"), err) == -1)
		return -1;
	if (job_targets_check(ctx, json_object_get(in, "targets"), NULL,
	    targets, err) == -1)
		return -1;
	if (json_array_size(*targets) > JOB_TARGETS_MAX) {
		json_decref(*targets);
		*targets = NULL;
		return err_set(err, ERR_INVALID_REQUEST, "targets allows at"
		    " most %d things and thing groups", JOB_TARGETS_MAX);
	}
	return 0;
}

/* The job row of the checked input IN (targets taken over). */
static void
create_row(const struct api_ctx *ctx, json_t *in, json_t *targets,
    struct store_job *job)
{
	const char *sel = json_string_value(json_object_get(in,
	    "targetSelection"));
	const char *desc = json_string_value(json_object_get(in,
	    "description"));
	json_t *sched = json_object_get(in, "schedulingConfig");
	size_t i;

	memset(job, 0, sizeof(*job));
	snprintf(job->job_id, sizeof(job->job_id), "%s",
	    json_string_value(json_object_get(in, "jobId")));
	snprintf(job->target_selection, sizeof(job->target_selection), "%s",
	    sel != NULL ? sel : "SNAPSHOT");
	/* A startTime passed the 30-minute lead check: it is ahead. */
	job->status = json_object_get(sched, "startTime") != NULL ?
	    JOB_SCHEDULED : JOB_IN_PROGRESS;
	job->document = dup_or_null(json_string_value(json_object_get(in,
	    "document")));
	job->description = dup_or_null(desc);
	job->config = json_object();
	for (i = 0; create_config_members[i] != NULL; i++) {
		json_t *v = json_object_get(in, create_config_members[i]);

		if (v != NULL)
			json_object_set(job->config, create_config_members[i],
			    v);
	}
	job->created_at = ctx->now;
	job->last_updated_at = ctx->now;
	job->targets = targets;
}

int
job_create_prepare(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct store_job *job, struct err *err)
{
	json_t *targets = NULL;

	if (template_apply(ctx, tx, in, err) == -1 ||
	    create_check(ctx, in, &targets, err) == -1)
		return -1;
	create_row(ctx, in, targets, job);
	return 0;
}

int
job_create_insert(struct api_ctx *ctx, struct store_tx *tx,
    const struct store_job *job, struct err *err)
{
	char arn[JOB_ARN_MAX];
	int rc;

	rc = store_job_get(tx, job->job_id, NULL, err);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		api_arn(ctx, "job", job->job_id, arn, sizeof(arn));
		err_set(err, ERR_ALREADY_EXISTS, "Job %s already exists",
		    job->job_id);
		err_set_resource(err, job->job_id, arn);
		return -1;
	}
	if (job_targets_exist(ctx, tx, job->targets, err) == -1)
		return -1;
	return store_job_insert(tx, job, err);
}

static int
create_in_tx(struct api_ctx *ctx, struct store_tx *tx, struct store_job *job,
    const json_t *tags, struct err *err)
{
	char prefix[JOB_ARN_PREFIX_MAX];

	if (job_create_insert(ctx, tx, job, err) == -1 ||
	    tags_create(tx, "job", job->job_id, tags, err) == -1)
		return -1;
	job_arn_prefix(ctx, prefix, sizeof(prefix));
	return engine_job_created(tx, job->job_id, prefix, ctx->now, err);
}

int
job_create(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	char arn[JOB_ARN_MAX];
	struct store_job job;
	int rc;

	if (job_create_prepare(ctx, ctx->tx, in, &job, err) == -1)
		return -1;
	rc = create_in_tx(ctx, ctx->tx, &job, json_object_get(in, "tags"),
	    err);
	if (rc == 0) {
		api_arn(ctx, "job", job.job_id, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s}", "jobArn", arn, "jobId",
		    job.job_id);
		if (job.description != NULL)
			json_object_set_new(*out, "description",
			    json_string(job.description));
	}
	store_job_release(&job);
	return rc;
}
