/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The jobs control plane (WIRE.md 8.8, 11.3): DescribeJob, ListJobs,
 * GetJobDocument, UpdateJob, CancelJob, DeleteJob, AssociateTargetsWithJob
 * here, CreateJob in job_create.c, prose checks in job_config.c. Choices
 * where AWS is silent: docs/compatibility.md.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "api/job_int.h"
#include "api/marker.h"
#include "api/tags.h"
#include "engine/engine.h"
#include "store/store_job.h"
#include "xmalloc.h"

#define LIST_DEFAULT	50	/* ListJobs maxResults when absent */
#define LIST_MAX	250	/* model LaserMaxResults */

/* Members of jobs.config that DescribeJob returns inside "job". */
static const char *const describe_config_members[] = {
	"presignedUrlConfig", "jobExecutionsRolloutConfig", "abortConfig",
	"timeoutConfig", "namespaceId", "jobTemplateArn",
	"jobExecutionsRetryConfig", "documentParameters", "schedulingConfig",
	"destinationPackageVersions", NULL,
};

/* Job JOB_ID into *JOB, or -1 with ResourceNotFoundException. */
static int
job_load(struct store_tx *tx, const char *job_id, struct store_job *job,
    struct err *err)
{
	int rc = store_job_get(tx, job_id, job, err);

	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Job %s does not exist",
		    job_id);
	return rc == 1 ? 0 : -1;
}

/* {"jobArn", "jobId", "description"?}: CancelJob, AssociateTargets... */
static json_t *
job_ref(const struct api_ctx *ctx, const struct store_job *job)
{
	char arn[JOB_ARN_MAX];
	json_t *o;

	api_arn(ctx, "job", job->job_id, arn, sizeof(arn));
	o = json_pack("{s:s, s:s}", "jobArn", arn, "jobId", job->job_id);
	if (job->description != NULL)
		json_object_set_new(o, "description",
		    json_string(job->description));
	return o;
}

static json_t *
process_details(const struct store_job *job)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		json_object_set_new(o, store_job_count_names[i],
		    json_integer(job->counts[i]));
	return o;
}

/*
 * The model's Job structure (WIRE.md 11.3). ROLLING: the job still has
 * things to notify (isConcurrent, processingTargets).
 */
static json_t *
job_render(const struct api_ctx *ctx, const struct store_job *job,
    bool rolling)
{
	json_t *rollouts;
	char arn[JOB_ARN_MAX];
	json_t *o;
	size_t i;

	api_arn(ctx, "job", job->job_id, arn, sizeof(arn));
	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:O}", "jobArn", arn,
	    "jobId", job->job_id, "targetSelection", job->target_selection,
	    "status", job_status_name(job->status), "forceCanceled",
	    job->force_canceled, "targets", job->targets);
	if (job->reason_code != NULL)
		json_object_set_new(o, "reasonCode",
		    json_string(job->reason_code));
	if (job->comment != NULL)
		json_object_set_new(o, "comment", json_string(job->comment));
	if (job->description != NULL)
		json_object_set_new(o, "description",
		    json_string(job->description));
	for (i = 0; describe_config_members[i] != NULL; i++) {
		json_t *v = json_object_get(job->config,
		    describe_config_members[i]);

		if (v != NULL)
			json_object_set(o, describe_config_members[i], v);
	}
	json_object_set_new(o, "createdAt", json_integer(job->created_at));
	json_object_set_new(o, "lastUpdatedAt",
	    json_integer(job->last_updated_at));
	if (job->completed_at != 0)
		json_object_set_new(o, "completedAt",
		    json_integer(job->completed_at));
	json_object_set_new(o, "jobProcessDetails", process_details(job));
	if (rolling)
		json_object_set(json_object_get(o, "jobProcessDetails"),
		    "processingTargets", job->targets);
	json_object_set_new(o, "isConcurrent", json_boolean(rolling));
	rollouts = engine_scheduled_rollouts(job->config, ctx->now);
	if (rollouts != NULL)
		json_object_set_new(o, "scheduledJobRollouts", rollouts);
	return o;
}

static int
job_describe(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	struct store_job job;
	struct store_tx *tx = ctx->tx;
	json_t *src;
	bool rolling;
	int rc;

	rc = job_load(tx, api_in_str(in, "jobId"), &job, err);
	rolling = rc == 0 && engine_is_rolling_out(tx, job.job_id);
	if (rc == -1)
		return -1;
	*out = json_pack("{s:o}", "job", job_render(ctx, &job, rolling));
	if ((src = json_object_get(job.config, "documentSource")) != NULL)
		json_object_set(*out, "documentSource", src);
	store_job_release(&job);
	return 0;
}

static int
job_document(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	struct store_job job;
	int rc;

	rc = job_load(ctx->tx, api_in_str(in, "jobId"), &job, err);
	if (rc == -1)
		return -1;
	*out = json_object();
	if (job.document != NULL)
		json_object_set_new(*out, "document",
		    json_string(job.document));
	store_job_release(&job);
	return 0;
}

static json_t *
summary_render(const struct api_ctx *ctx, const struct store_job_summary *s,
    bool rolling)
{
	char arn[JOB_ARN_MAX];
	json_t *o;

	api_arn(ctx, "job", s->job_id, arn, sizeof(arn));
	o = json_pack("{s:s, s:s}", "jobArn", arn, "jobId", s->job_id);
	if (s->group_id[0] != '\0')
		json_object_set_new(o, "thingGroupId",
		    json_string(s->group_id));
	json_object_set_new(o, "targetSelection",
	    json_string(s->target_selection));
	json_object_set_new(o, "status",
	    json_string(job_status_name(s->status)));
	json_object_set_new(o, "createdAt", json_integer(s->created_at));
	json_object_set_new(o, "lastUpdatedAt",
	    json_integer(s->last_updated_at));
	if (s->completed_at != 0)
		json_object_set_new(o, "completedAt",
		    json_integer(s->completed_at));
	json_object_set_new(o, "isConcurrent", json_boolean(rolling));
	return o;
}

/*
 * The group filter of ListJobs into ARN (empty: none). *NONE is set when
 * the filter names no existing group, so nothing can match.
 */
static int
list_group_filter(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    char *arn, size_t size, bool *none, struct err *err)
{
	const char *name = api_in_str(in, "thingGroupName");
	const char *id = api_in_str(in, "thingGroupId");
	char by_id[129];
	int rc;

	arn[0] = '\0';
	*none = false;
	if (id != NULL) {
		rc = store_job_group_by_id(tx, id, by_id, err);
		if (rc == -1)
			return -1;
		if (rc == 0 || (name != NULL && strcmp(name, by_id) != 0)) {
			*none = true;
			return 0;
		}
		name = by_id;
	}
	if (name != NULL)
		api_arn(ctx, "thinggroup", name, arn, size);
	return 0;
}

static int
list_in_tx(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    int64_t after, int limit, json_t *jobs, int64_t *next, struct err *err)
{
	char group_arn[JOB_ARN_MAX], prefix[JOB_ARN_MAX];
	struct store_job_filter f;
	struct store_job_summary *rows;
	enum job_status status;
	const char *status_in = api_in_str(in, "status");
	bool none;
	int n, i, rc;

	*next = 0;
	if (list_group_filter(ctx, tx, in, group_arn, sizeof(group_arn),
	    &none, err) == -1)
		return -1;
	/* No job has a status outside JobStatus. */
	if (none || (status_in != NULL &&
	    job_status_parse(status_in, &status) == -1))
		return 0;
	f.status = status_in != NULL ? &status : NULL;
	f.target_selection = api_in_str(in, "targetSelection");
	f.group_arn = group_arn[0] != '\0' ? group_arn : NULL;
	f.namespace_id = api_in_str(in, "namespaceId");
	api_arn(ctx, "thinggroup", "", prefix, sizeof(prefix));
	rows = xcalloc((size_t)limit, sizeof(*rows));
	rc = store_job_list(tx, &f, prefix, after, limit, rows, &n, next,
	    err);
	for (i = 0; rc == 0 && i < n; i++)
		json_array_append_new(jobs, summary_render(ctx, &rows[i],
		    engine_is_rolling_out(tx, rows[i].job_id)));
	free(rows);
	return rc;
}

static int
job_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	json_t *max = json_object_get(in, "maxResults");
	static const struct marker_listing listing = { "ListJobs",
		"nextToken", "nextToken", ERR_INVALID_REQUEST, MARKER_ROW };
	int64_t after, next;
	int limit = max != NULL ? (int)json_integer_value(max) : LIST_DEFAULT;
	json_t *jobs;
	int rc;

	if (limit < 1 || limit > LIST_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "maxResults must be"
		    " between 1 and %d", LIST_MAX);
	if (marker_read_row(&listing, NULL, in, &after, err) == -1)
		return -1;
	jobs = json_array();
	rc = list_in_tx(ctx, ctx->tx, in, after, limit, jobs, &next, err);
	if (rc == -1) {
		json_decref(jobs);
		return -1;
	}
	*out = json_pack("{s:o}", "jobs", jobs);
	if (next != 0)
		marker_write_row(&listing, NULL, next, *out);
	return 0;
}

static int
update_in_tx(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct err *err)
{
	struct store_job job;
	json_t *desc = json_object_get(in, "description");
	size_t i;
	int rc;

	if (job_load(tx, api_in_str(in, "jobId"), &job, err) == -1)
		return -1;
	if (desc != NULL) {
		free(job.description);
		job.description = xstrdup(json_string_value(desc));
	}
	for (i = 0; job_update_members[i] != NULL; i++) {
		json_t *v = json_object_get(in, job_update_members[i]);

		if (v != NULL)
			json_object_set(job.config, job_update_members[i], v);
	}
	job.last_updated_at = ctx->now;
	rc = store_job_update(tx, &job, err);
	store_job_release(&job);
	return rc;
}

static int
job_update(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	(void)out;
	if (job_config_check(ctx, in, err) == -1)
		return -1;
	return update_in_tx(ctx, ctx->tx, in, err);
}

static int
cancel_in_tx(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    json_t **out, struct err *err)
{
	bool force = json_is_true(json_object_get(in, "force"));
	struct store_job job;
	int rc;

	if (job_load(tx, api_in_str(in, "jobId"), &job, err) == -1)
		return -1;
	rc = engine_job_cancel(tx, job.job_id, force,
	    api_in_str(in, "reasonCode"), api_in_str(in, "comment"), ctx->now,
	    err);
	if (rc == 0)
		*out = job_ref(ctx, &job);
	store_job_release(&job);
	return rc;
}

static int
job_cancel(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	return cancel_in_tx(ctx, ctx->tx, in, out, err);
}

static int
delete_in_tx(struct store_tx *tx, json_t *in, int64_t now,
    struct err *err)
{
	bool force = json_is_true(json_object_get(in, "force"));
	struct store_job job;
	int rc;

	if (job_load(tx, api_in_str(in, "jobId"), &job, err) == -1)
		return -1;
	if ((rc = engine_job_delete(tx, job.job_id, force, now, err)) == 0)
		rc = tags_drop(tx, "job", job.job_id, err);
	store_job_release(&job);
	return rc;
}

static int
job_delete(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	(void)out;
	return delete_in_tx(ctx->tx, in, ctx->now, err);
}

/* AssociateTargetsWithJob on the loaded JOB. */
static int
associate_job(struct api_ctx *ctx, struct store_tx *tx,
    struct store_job *job, json_t *in, struct err *err)
{
	char prefix[JOB_ARN_PREFIX_MAX];
	const char *comment = api_in_str(in, "comment");
	json_t *add = NULL;
	int rc = -1;

	if (strcmp(job->target_selection, "CONTINUOUS") != 0)
		return err_set(err, ERR_INVALID_REQUEST, "Job %s is a SNAPSHOT"
		    " job: targets can only be added to a CONTINUOUS job",
		    job->job_id);
	if (job->status != JOB_IN_PROGRESS)
		return err_set(err, ERR_INVALID_REQUEST, "Job %s is %s:"
		    " targets can only be added to an IN_PROGRESS job",
		    job->job_id, job_status_name(job->status));
	if (job_targets_check(ctx, json_object_get(in, "targets"),
	    job->targets, &add, err) == -1)
		return -1;
	if (json_array_size(job->targets) + json_array_size(add) >
	    JOB_TARGETS_MAX) {
		err_set(err, ERR_LIMIT_EXCEEDED, "Job %s would have %zu"
		    " targets; a job has at most %d", job->job_id,
		    json_array_size(job->targets) + json_array_size(add),
		    JOB_TARGETS_MAX);
		goto out;
	}
	if (job_targets_exist(ctx, tx, add, err) == -1 ||
	    store_job_targets_add(tx, job->job_id, add, err) == -1)
		goto out;
	if (comment != NULL) {
		free(job->comment);
		job->comment = xstrdup(comment);
	}
	job->last_updated_at = ctx->now;
	job_arn_prefix(ctx, prefix, sizeof(prefix));
	if (store_job_update(tx, job, err) == -1 ||
	    engine_job_targets_added(tx, job->job_id, prefix, ctx->now,
	    err) == -1)
		goto out;
	rc = 0;
out:
	json_decref(add);
	return rc;
}

static int
job_associate(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	struct store_job job;
	int rc;

	rc = job_load(ctx->tx, api_in_str(in, "jobId"), &job, err);
	if (rc == 0) {
		rc = associate_job(ctx, ctx->tx, &job, in, err);
		if (rc == 0)
			*out = job_ref(ctx, &job);
		store_job_release(&job);
	}
	return rc;
}

const struct api_op api_job_ops[] = {
	{ "CreateJob", PLANE_CONTROL, job_create, API_WRITE },
	{ "DescribeJob", PLANE_CONTROL, job_describe, API_READ },
	{ "ListJobs", PLANE_CONTROL, job_list, API_READ },
	{ "GetJobDocument", PLANE_CONTROL, job_document, API_READ },
	/* A new timeout or rollout configuration moves timers. */
	{ "UpdateJob", PLANE_CONTROL, job_update, API_WRITE | API_SCHED },
	{ "CancelJob", PLANE_CONTROL, job_cancel, API_WRITE },
	{ "DeleteJob", PLANE_CONTROL, job_delete, API_WRITE },
	{ "AssociateTargetsWithJob", PLANE_CONTROL, job_associate,
	    API_WRITE },
	{ NULL, PLANE_DATA, NULL, 0 },
};
