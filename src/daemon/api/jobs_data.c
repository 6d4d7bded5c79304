/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device-facing data plane of IoT Jobs (iot-jobs-data, WIRE.md 7 and
 * 8): DescribeJobExecution (with $next), GetPendingJobExecutions,
 * StartNextPendingJobExecution, UpdateJobExecution; and the execution rules
 * the control plane shares (jobs_data.h), and their operation table
 * (api_jobs_data_ops, at the end). Status changes go through
 * engine/exec_fsm.c; each one moves the job's counters in the same write
 * transaction. Choices where AWS is silent: docs/compatibility.md.
 * https://docs.aws.amazon.com/iot/latest/apireference/API_Operations_AWS_IoT_Jobs_Data_Plane.html
 */
#include "api/jobs_data.h"

#include <string.h>

#include "api/validate.h"
#include "engine/engine.h"
#include "store/store_job.h"

#define NEXT_JOB_ID	"$next"

/* --- shared rules ------------------------------------------------------ */

int64_t
exec_in_int(json_t *in, const char *name, int64_t def)
{
	json_t *v = json_object_get(in, name);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

bool
exec_in_bool(json_t *in, const char *name, bool def)
{
	json_t *v = json_object_get(in, name);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

int
exec_details_check(json_t *in, struct err *err)
{
	json_t *details = json_object_get(in, "statusDetails");
	const char *key;
	json_t *v;

	if (details == NULL)
		return 0;
	if (json_object_size(details) > EXEC_DETAILS_MAX_PAIRS)
		return err_set(err, ERR_INVALID_REQUEST, "statusDetails must"
		    " have at most %d entries (got %zu)",
		    EXEC_DETAILS_MAX_PAIRS, json_object_size(details));
	json_object_foreach(details, key, v) {
		const char *s = json_string_value(v);
		size_t n;

		if (s == NULL)
			continue;	/* the model check rejected it */
		n = utf8_chars(s, json_string_length(v));
		if (n > EXEC_DETAILS_VALUE_MAX)
			return err_set(err, ERR_INVALID_REQUEST, "statusDetails"
			    " value of key '%s' must be at most %d characters"
			    " (got %zu)", key, EXEC_DETAILS_VALUE_MAX, n);
	}
	return 0;
}

void
exec_details_set(struct store_exec *e, json_t *details)
{
	json_decref(e->status_details);
	e->status_details = NULL;
	if (details != NULL && json_object_size(details) > 0)
		e->status_details = json_deep_copy(details);
}

void
exec_timers_stop(struct store_exec *e)
{
	e->timeout_at = 0;
	e->progress_timeout_at = 0;
}

int64_t
exec_seconds_left(const struct store_exec *e, int64_t now)
{
	if (!exec_is_pending(e->status) || e->timeout_at == 0)
		return -1;
	return e->timeout_at > now ? e->timeout_at - now : 0;
}

int
exec_not_found(const char *thing, const char *job_id, int64_t number,
    struct err *err)
{
	if (number >= 0)
		return err_set(err, ERR_NOT_FOUND, "Job execution number %lld"
		    " of job '%s' on thing '%s' not found", (long long)number,
		    job_id, thing);
	return err_set(err, ERR_NOT_FOUND, "No job execution of job '%s' on"
	    " thing '%s'", job_id, thing);
}

int
exec_thing_not_found(const char *thing, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Thing '%s' not found", thing);
}

/* --- timers (WIRE.md 8.5) --------------------------------------------- */

/* The job's timeoutConfig starts running: the in-progress deadline. */
static void
timer_start_progress(struct store_exec *e, int64_t now)
{
	int64_t m = e->job_progress_timeout_minutes;

	if (m < 1 || m > EXEC_TIMEOUT_MIN_MAX)
		return;
	e->progress_timeout_at = now + m * 60;
	e->timeout_at = e->progress_timeout_at;
}

/*
 * A device set stepTimeoutInMinutes STEP (0: not given; -1: cancel). A
 * step timer replaces the previous one and never runs past the in-progress
 * deadline; cancelling it leaves the in-progress timer (if any) running.
 */
static void
timer_set_step(struct store_exec *e, int64_t step, int64_t now)
{
	int64_t d;

	if (step == 0)
		return;
	if (step < 0) {
		e->step_timeout_minutes = 0;
		e->timeout_at = e->progress_timeout_at;
		return;
	}
	e->step_timeout_minutes = step;
	d = now + step * 60;
	if (e->progress_timeout_at != 0 && d > e->progress_timeout_at)
		d = e->progress_timeout_at;
	e->timeout_at = d;
}

/* stepTimeoutInMinutes of IN into *OUT: 1-10080, -1 when MAY_CANCEL. */
static int
step_check(json_t *in, bool may_cancel, int64_t *out, struct err *err)
{
	json_t *v = json_object_get(in, "stepTimeoutInMinutes");
	long long n;

	*out = 0;
	if (v == NULL)
		return 0;
	n = json_integer_value(v);
	if (n == -1 && may_cancel) {
		*out = -1;
		return 0;
	}
	if (n >= 1 && n <= EXEC_TIMEOUT_MIN_MAX) {
		*out = n;
		return 0;
	}
	if (may_cancel)
		return err_set(err, ERR_INVALID_REQUEST, "stepTimeoutInMinutes"
		    " must be between 1 and %d, or -1 to cancel the step timer"
		    " (got %lld)", EXEC_TIMEOUT_MIN_MAX, n);
	return err_set(err, ERR_INVALID_REQUEST, "stepTimeoutInMinutes must be"
	    " between 1 and %d (got %lld)", EXEC_TIMEOUT_MIN_MAX, n);
}

/* --- steps ------------------------------------------------------------ */

int
exec_step(struct store_exec *e, enum exec_status to, enum exec_actor who,
    bool force, int64_t now, struct err *err)
{
	int fx = exec_fsm_step(e->status, to, who, force, err);

	if (fx == -1)
		return -1;
	e->status = to;
	if (fx & EXEC_FX_START) {
		e->started_at = now;
		timer_start_progress(e, now);
	}
	if (fx & EXEC_FX_STOP)
		exec_timers_stop(e);
	if (fx & EXEC_FX_FORCED)
		e->force_canceled = true;
	e->version++;
	e->last_updated_at = now;
	return fx;
}

int
exec_save(struct store_tx *tx, const struct store_exec *e,
    enum exec_status from, int64_t now, struct err *err)
{
	if (store_exec_put(tx, e, err) == -1)
		return -1;
	return engine_exec_changed(tx, e, from, now, err);
}

/* --- shapes ----------------------------------------------------------- */

static void
set_int(json_t *o, const char *key, int64_t v)
{
	json_object_set_new(o, key, json_integer(v));
}

/* JobExecution of the data plane (WIRE.md 7, A1). */
static json_t *
render_execution(const struct store_exec *e, int64_t now, bool with_doc)
{
	json_t *o = json_object();
	int64_t left = exec_seconds_left(e, now);

	json_object_set_new(o, "jobId", json_string(e->job_id));
	json_object_set_new(o, "thingName", json_string(e->thing_name));
	json_object_set_new(o, "status",
	    json_string(exec_status_name(e->status)));
	if (e->status_details != NULL)
		json_object_set_new(o, "statusDetails",
		    json_deep_copy(e->status_details));
	set_int(o, "queuedAt", e->queued_at);
	if (e->started_at != 0)
		set_int(o, "startedAt", e->started_at);
	set_int(o, "lastUpdatedAt", e->last_updated_at);
	if (left >= 0)
		set_int(o, "approximateSecondsBeforeTimedOut", left);
	set_int(o, "versionNumber", e->version);
	set_int(o, "executionNumber", e->execution_number);
	if (with_doc && e->document != NULL)
		json_object_set_new(o, "jobDocument",
		    json_string(e->document));
	return o;
}

/* JobExecutionSummary of the data plane. */
static json_t *
render_summary(const struct store_exec *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "jobId", json_string(e->job_id));
	set_int(o, "queuedAt", e->queued_at);
	if (e->started_at != 0)
		set_int(o, "startedAt", e->started_at);
	set_int(o, "lastUpdatedAt", e->last_updated_at);
	set_int(o, "versionNumber", e->version);
	set_int(o, "executionNumber", e->execution_number);
	return o;
}

/* --- DescribeJobExecution --------------------------------------------- */

/* $next with nothing pending: {} for a known thing (WIRE.md 7.1). */
static int
nothing_pending(struct store_tx *tx, const char *thing, json_t **out,
    struct err *err)
{
	int found = store_exec_thing_exists(tx, thing, err);

	if (found == -1)
		return -1;
	if (found == 0)
		return exec_thing_not_found(thing, err);
	*out = json_object();
	return 0;
}

static int
jobs_data_describe(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	const char *job_id = api_in_str(in, "jobId");
	int64_t number = exec_in_int(in, "executionNumber", -1);
	bool with_doc = exec_in_bool(in, "includeJobDocument", true);
	bool next = strcmp(job_id, NEXT_JOB_ID) == 0;
	struct store_tx *tx = ctx->tx;
	struct store_exec e;
	int found, rc = -1;

	memset(&e, 0, sizeof(e));
	if (json_object_get(in, "executionNumber") != NULL && number < 0)
		return exec_not_found(thing, job_id, number, err);
	if (next)
		found = store_exec_next_pending(tx, thing, with_doc, &e, err);
	else
		found = store_exec_get(tx, thing, job_id, number, with_doc,
		    &e, err);
	if (found == 0 && next)
		rc = nothing_pending(tx, thing, out, err);
	else if (found == 0)
		exec_not_found(thing, job_id, number, err);
	else if (found == 1) {
		*out = json_object();
		json_object_set_new(*out, "execution",
		    render_execution(&e, ctx->now, with_doc));
		rc = 0;
	}
	store_exec_release(&e);
	return rc;
}

json_t *
jobs_data_state(struct store *st, const json_t *in)
{
	const char *thing = api_in_str(in, "thingName");
	const char *job_id = api_in_str(in, "jobId");
	json_t *num = json_object_get(in, "executionNumber");
	struct store_exec e;
	struct store_tx *tx;
	struct err err;
	json_t *state = NULL;

	err_clear(&err);
	if (thing == NULL || job_id == NULL ||
	    store_begin(st, true, &tx, &err) == -1)
		return NULL;
	memset(&e, 0, sizeof(e));
	if (store_exec_get(tx, thing, job_id, json_is_integer(num) ?
	    (int64_t)json_integer_value(num) : -1, false, &e, &err) == 1) {
		state = json_object();
		json_object_set_new(state, "status",
		    json_string(exec_status_name(e.status)));
		if (e.status_details != NULL)
			json_object_set_new(state, "statusDetails",
			    json_deep_copy(e.status_details));
		json_object_set_new(state, "versionNumber",
		    json_integer(e.version));
	}
	store_exec_release(&e);
	store_end(tx, false, NULL);
	return state;
}

/* --- GetPendingJobExecutions ------------------------------------------ */

struct pending_lists {
	json_t *in_progress;
	json_t *queued;
};

static int
pending_row(const struct store_exec *e, void *arg, struct err *err)
{
	struct pending_lists *l = arg;

	(void)err;
	json_array_append_new(e->status == EXEC_IN_PROGRESS ? l->in_progress :
	    l->queued, render_summary(e));
	return 0;
}

static int
jobs_data_pending(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	struct store_tx *tx = ctx->tx;
	struct pending_lists l;
	int found;

	found = store_exec_thing_exists(tx, thing, err);
	if (found == 0)
		return exec_thing_not_found(thing, err);
	if (found != 1)
		return -1;
	l.in_progress = json_array();
	l.queued = json_array();
	if (store_exec_pending(tx, thing, STORE_EXEC_PENDING_MAX, pending_row,
	    &l, err) == -1) {
		json_decref(l.in_progress);
		json_decref(l.queued);
		return -1;
	}
	*out = json_object();
	json_object_set_new(*out, "inProgressJobs", l.in_progress);
	json_object_set_new(*out, "queuedJobs", l.queued);
	return 0;
}

/* --- StartNextPendingJobExecution ------------------------------------- */

/* Starts E (QUEUED) for the device, with the request's details and step. */
static int
start_queued(struct store_tx *tx, struct store_exec *e, json_t *in,
    int64_t step, int64_t now, struct err *err)
{
	json_t *details = json_object_get(in, "statusDetails");

	if (exec_step(e, EXEC_IN_PROGRESS, EXEC_BY_DEVICE, false, now,
	    err) == -1)
		return -1;
	if (details != NULL)
		exec_details_set(e, details);
	timer_set_step(e, step, now);
	return exec_save(tx, e, EXEC_QUEUED, now, err);
}

static int
jobs_data_start_next(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	struct store_tx *tx = ctx->tx;
	struct store_exec e;
	int64_t step;
	int found, rc = -1;

	memset(&e, 0, sizeof(e));
	if (exec_details_check(in, err) == -1 ||
	    step_check(in, false, &step, err) == -1)
		return -1;
	found = store_exec_next_pending(tx, thing, true, &e, err);
	/* Timers that ran out before the scheduler noticed end first. */
	while (found == 1 && engine_timeout_if_due(tx, &e, ctx->now,
	    err) == 1) {
		store_exec_release(&e);
		found = store_exec_next_pending(tx, thing, true, &e, err);
	}
	if (found == 0) {
		rc = nothing_pending(tx, thing, out, err);
		goto out;
	}
	if (found == -1)
		goto out;
	/* Already IN_PROGRESS: returned as it is (WIRE.md 7.3). */
	if (e.status == EXEC_QUEUED &&
	    start_queued(tx, &e, in, step, ctx->now, err) == -1)
		goto out;
	*out = json_object();
	json_object_set_new(*out, "execution",
	    render_execution(&e, ctx->now, true));
	rc = 0;
out:
	store_exec_release(&e);
	return rc;
}

/* --- UpdateJobExecution ----------------------------------------------- */

/* The response: executionState and jobDocument only when asked for. */
static json_t *
update_reply(const struct store_exec *e, json_t *in)
{
	json_t *o = json_object();

	if (exec_in_bool(in, "includeJobExecutionState", false)) {
		json_t *st = json_object();

		json_object_set_new(st, "status",
		    json_string(exec_status_name(e->status)));
		if (e->status_details != NULL)
			json_object_set_new(st, "statusDetails",
			    json_deep_copy(e->status_details));
		set_int(st, "versionNumber", e->version);
		json_object_set_new(o, "executionState", st);
	}
	if (exec_in_bool(in, "includeJobDocument", false) &&
	    e->document != NULL)
		json_object_set_new(o, "jobDocument", json_string(e->document));
	return o;
}

/* Applies the device's update IN to E (found, current). */
static int
update_apply(struct store_tx *tx, struct store_exec *e, json_t *in,
    int64_t step, int64_t now, struct err *err)
{
	json_t *details = json_object_get(in, "statusDetails");
	json_t *expected = json_object_get(in, "expectedVersion");
	enum exec_status from = e->status, to;
	int64_t v0 = e->version;

	if (exec_status_parse(api_in_str(in, "status"), &to) == -1)
		return err_set(err, ERR_INVALID_REQUEST, "status: not a job"
		    " execution status");
	if (exec_step(e, to, EXEC_BY_DEVICE, false, now, err) == -1)
		return -1;
	/* WIRE.md 13 item 1: 409, as the only conflict the model lists. */
	if (expected != NULL && json_integer_value(expected) != v0)
		return err_set(err, ERR_STATE_TRANSITION, "VersionMismatch:"
		    " expectedVersion %lld does not match the current"
		    " versionNumber %lld of the job execution",
		    (long long)json_integer_value(expected), (long long)v0);
	if (details != NULL)
		exec_details_set(e, details);
	if (e->status == EXEC_IN_PROGRESS)
		timer_set_step(e, step, now);
	return exec_save(tx, e, from, now, err);
}

static int
jobs_data_update(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *thing = api_in_str(in, "thingName");
	const char *job_id = api_in_str(in, "jobId");
	int64_t number = exec_in_int(in, "executionNumber", -1);
	bool with_doc = exec_in_bool(in, "includeJobDocument", false);
	struct store_tx *tx = ctx->tx;
	struct store_exec e;
	int64_t step;
	int found, rc = -1, timed_out;

	memset(&e, 0, sizeof(e));
	if (exec_details_check(in, err) == -1 ||
	    step_check(in, true, &step, err) == -1)
		return -1;
	if (json_object_get(in, "executionNumber") != NULL && number < 0)
		return exec_not_found(thing, job_id, number, err);
	found = store_exec_get(tx, thing, job_id, number, with_doc, &e, err);
	if (found == 0)
		exec_not_found(thing, job_id, number, err);
	if (found != 1)
		goto out;
	timed_out = engine_timeout_if_due(tx, &e, ctx->now, err);
	if (timed_out == 1) {
		/* The timeout is committed; the device gets the error. */
		ctx->keep = true;
		err_set(err, ERR_STATE_TRANSITION, "Job execution of job '%s'"
		    " on thing '%s' is TIMED_OUT: its timer ran out before"
		    " this update", job_id, thing);
		goto out;
	}
	if (timed_out == -1 ||
	    update_apply(tx, &e, in, step, ctx->now, err) == -1)
		goto out;
	*out = update_reply(&e, in);
	rc = 0;
out:
	store_exec_release(&e);
	return rc;
}

const struct api_op api_jobs_data_ops[] = {
	{ "DescribeJobExecution", PLANE_DATA, jobs_data_describe, API_READ },
	{ "GetPendingJobExecutions", PLANE_DATA, jobs_data_pending,
	    API_READ },
	{ "StartNextPendingJobExecution", PLANE_DATA, jobs_data_start_next,
	    API_WRITE | API_DEFER | API_SCHED },
	{ "UpdateJobExecution", PLANE_DATA, jobs_data_update,
	    API_WRITE | API_DEFER | API_SCHED },
	{ NULL, PLANE_DATA, NULL, 0 },
};
