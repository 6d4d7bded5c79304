/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Job executions of the control plane (the data plane's are
 * jobs_data.c's): the operations of the iot API (WIRE.md 11.3): DescribeJobExecution, ListJobExecutionsForJob,
 * ListJobExecutionsForThing, CancelJobExecution, DeleteJobExecution.
 * https://docs.aws.amazon.com/iot/latest/apireference/API_CancelJobExecution.html
 */
#include "api/api.h"

#include <string.h>

#include "api/jobs_data.h"
#include "api/marker.h"
#include "engine/engine.h"
#include "store/store_job.h"

#define LIST_DEFAULT_RESULTS	100	/* maxResults absent (AWS: unstated) */

/* --- page tokens ------------------------------------------------------ */

/* Queue-order rows; a token is bound to the job or thing it lists. */
static const struct marker_listing for_job_listing = {
	"ListJobExecutionsForJob", "nextToken", "nextToken",
	ERR_INVALID_REQUEST, MARKER_ROW
};
static const struct marker_listing for_thing_listing = {
	"ListJobExecutionsForThing", "nextToken", "nextToken",
	ERR_INVALID_REQUEST, MARKER_ROW
};

/* --- shapes ----------------------------------------------------------- */

static void
set_time(json_t *o, const char *key, int64_t v)
{
	if (v != 0)
		json_object_set_new(o, key, json_integer(v));
}

/* JobExecution of the control plane (WIRE.md 11.3, A2). */
static json_t *
render_execution(const struct api_ctx *ctx, const struct store_exec *e)
{
	char arn[ERR_ARN_MAX];
	json_t *o = json_object();
	int64_t left = exec_seconds_left(e, ctx->now);

	api_arn(ctx, "thing", e->thing_name, arn, sizeof(arn));
	json_object_set_new(o, "jobId", json_string(e->job_id));
	json_object_set_new(o, "status",
	    json_string(exec_status_name(e->status)));
	json_object_set_new(o, "forceCanceled",
	    json_boolean(e->force_canceled));
	if (e->status_details != NULL)
		json_object_set_new(o, "statusDetails", json_pack("{s:O}",
		    "detailsMap", e->status_details));
	json_object_set_new(o, "thingArn", json_string(arn));
	set_time(o, "queuedAt", e->queued_at);
	set_time(o, "startedAt", e->started_at);
	set_time(o, "lastUpdatedAt", e->last_updated_at);
	json_object_set_new(o, "executionNumber",
	    json_integer(e->execution_number));
	json_object_set_new(o, "versionNumber", json_integer(e->version));
	if (left >= 0)
		json_object_set_new(o, "approximateSecondsBeforeTimedOut",
		    json_integer(left));
	return o;
}

/* JobExecutionSummary of the control plane. */
static json_t *
render_summary(const struct store_exec *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "status",
	    json_string(exec_status_name(e->status)));
	set_time(o, "queuedAt", e->queued_at);
	set_time(o, "startedAt", e->started_at);
	set_time(o, "lastUpdatedAt", e->last_updated_at);
	json_object_set_new(o, "executionNumber",
	    json_integer(e->execution_number));
	json_object_set_new(o, "retryAttempt", json_integer(e->retry_attempt));
	return o;
}

/* --- DescribeJobExecution --------------------------------------------- */

static int
describe(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	const char *job_id = api_in_str(in, "jobId");
	int64_t number = exec_in_int(in, "executionNumber", -1);
	struct store_exec e;
	struct store_tx *tx = ctx->tx;
	int found;

	memset(&e, 0, sizeof(e));
	if (json_object_get(in, "executionNumber") != NULL && number < 0)
		return exec_not_found(thing, job_id, number, err);
	found = store_exec_get(tx, thing, job_id, number, false, &e, err);
	if (found == 0)
		return exec_not_found(thing, job_id, number, err);
	if (found == -1)
		return -1;
	*out = json_object();
	json_object_set_new(*out, "execution", render_execution(ctx, &e));
	store_exec_release(&e);
	return 0;
}

/* --- ListJobExecutionsForJob / ForThing ------------------------------- */

struct list_acc {
	const struct api_ctx *ctx;
	json_t *items;
	bool by_job;		/* items carry thingArn, else jobId */
	int64_t last_id;
};

static int
list_row(const struct store_exec *e, void *arg, struct err *err)
{
	struct list_acc *a = arg;
	json_t *o = json_object();

	(void)err;
	if (a->by_job) {
		char arn[ERR_ARN_MAX];

		api_arn(a->ctx, "thing", e->thing_name, arn, sizeof(arn));
		json_object_set_new(o, "thingArn", json_string(arn));
	} else {
		json_object_set_new(o, "jobId", json_string(e->job_id));
	}
	json_object_set_new(o, "jobExecutionSummary", render_summary(e));
	json_array_append_new(a->items, o);
	a->last_id = e->id;
	return 0;
}

/*
 * The page of IN for listing L of SUBJECT, before the walk; its status
 * filter points to *STATUS.
 */
static int
list_page(json_t *in, const struct marker_listing *l, const char *subject,
    struct store_exec_page *pg, enum exec_status *status, struct err *err)
{
	const char *name = api_in_str(in, "status");

	memset(pg, 0, sizeof(*pg));
	pg->limit = (int)exec_in_int(in, "maxResults", LIST_DEFAULT_RESULTS);
	if (name != NULL) {
		/* The model's enum check ran: a refusal here is a bug. */
		if (exec_status_parse(name, status) == -1)
			return err_set(err, ERR_INVALID_REQUEST, "status '%s'"
			    " is not a JobExecutionStatus", name);
		pg->status = status;
	}
	return marker_read_row(l, subject, in, &pg->after, err);
}

/* The response of a listing: the items and, when more follow, nextToken. */
static json_t *
list_reply(struct list_acc *a, const struct store_exec_page *pg,
    const struct marker_listing *l, const char *subject)
{
	json_t *o = json_object();

	json_object_set_new(o, "executionSummaries", a->items);
	if (pg->more)
		marker_write_row(l, subject, a->last_id, o);
	return o;
}

static int
list_for_job(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *job_id = api_in_str(in, "jobId");
	struct store_exec_page pg;
	enum exec_status status;
	struct list_acc a = { ctx, NULL, true, 0 };
	struct store_tx *tx = ctx->tx;
	int found;

	if (list_page(in, &for_job_listing, job_id, &pg, &status, err) == -1)
		return -1;
	found = store_exec_job_exists(tx, job_id, err);
	if (found == 0)
		return err_set(err, ERR_NOT_FOUND, "Job '%s' not found",
		    job_id);
	if (found != 1)
		return -1;
	a.items = json_array();
	if (store_exec_list_job(tx, job_id, &pg, list_row, &a, err) == -1) {
		json_decref(a.items);
		return -1;
	}
	*out = list_reply(&a, &pg, &for_job_listing, job_id);
	return 0;
}

static int
list_for_thing(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	struct store_exec_page pg;
	enum exec_status status;
	struct list_acc a = { ctx, NULL, false, 0 };
	struct store_tx *tx = ctx->tx;
	int found;

	if (list_page(in, &for_thing_listing, thing, &pg, &status, err) == -1)
		return -1;
	pg.namespace_id = api_in_str(in, "namespaceId");
	found = store_exec_thing_exists(tx, thing, err);
	if (found == 0)
		return exec_thing_not_found(thing, err);
	if (found != 1)
		return -1;
	a.items = json_array();
	if (store_exec_list_thing(tx, thing, api_in_str(in, "jobId"), &pg,
	    list_row, &a, err) == -1) {
		json_decref(a.items);
		return -1;
	}
	*out = list_reply(&a, &pg, &for_thing_listing, thing);
	return 0;
}

/* --- CancelJobExecution / DeleteJobExecution -------------------------- */

static int
cancel_apply(struct store_tx *tx, struct store_exec *e, json_t *in,
    int64_t now, struct err *err)
{
	json_t *details = json_object_get(in, "statusDetails");
	json_t *expected = json_object_get(in, "expectedVersion");
	enum exec_status from = e->status;
	int64_t v0 = e->version;

	if (exec_step(e, EXEC_CANCELED, EXEC_BY_SERVICE,
	    exec_in_bool(in, "force", false), now, err) == -1)
		return -1;
	if (expected != NULL && json_integer_value(expected) != v0)
		return err_set(err, ERR_VERSION_CONFLICT, "expectedVersion"
		    " %lld does not match the current versionNumber %lld of"
		    " the job execution",
		    (long long)json_integer_value(expected), (long long)v0);
	if (details != NULL)
		exec_details_set(e, details);
	return exec_save(tx, e, from, now, err);
}

static int
cancel(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	const char *job_id = api_in_str(in, "jobId");
	struct store_exec e;
	struct store_tx *tx = ctx->tx;
	int found, rc = -1;

	(void)out;
	memset(&e, 0, sizeof(e));
	if (exec_details_check(in, err) == -1)
		return -1;
	found = store_exec_get(tx, thing, job_id, -1, false, &e, err);
	if (found == 0)
		exec_not_found(thing, job_id, -1, err);
	if (found == 1)
		rc = cancel_apply(tx, &e, in, ctx->now, err);
	store_exec_release(&e);
	return rc;
}

static int
delete(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	const char *job_id = api_in_str(in, "jobId");
	int64_t number = exec_in_int(in, "executionNumber", -1);
	struct store_exec e;
	struct store_tx *tx = ctx->tx;
	int found, rc = -1;

	(void)out;
	memset(&e, 0, sizeof(e));
	if (number < 0)
		return exec_not_found(thing, job_id, number, err);
	found = store_exec_get(tx, thing, job_id, number, false, &e, err);
	if (found == 0)
		exec_not_found(thing, job_id, number, err);
	if (found == 1)
		rc = engine_exec_delete(tx, &e, exec_in_bool(in, "force",
		    false), ctx->now, err);
	store_exec_release(&e);
	return rc;
}

const struct api_op api_exec_ops[] = {
	{ "DescribeJobExecution", PLANE_CONTROL, describe, API_READ },
	{ "ListJobExecutionsForJob", PLANE_CONTROL, list_for_job, API_READ },
	{ "ListJobExecutionsForThing", PLANE_CONTROL, list_for_thing,
	    API_READ },
	{ "CancelJobExecution", PLANE_CONTROL, cancel, API_WRITE },
	{ "DeleteJobExecution", PLANE_CONTROL, delete, API_WRITE },
	{ NULL, PLANE_DATA, NULL, 0 },
};
