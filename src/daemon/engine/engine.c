/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job engine's execution rules (engine.h): counters, retries
 * (jobExecutionsRetryConfig, WIRE.md 8.7), abort criteria (abortConfig),
 * timeouts (WIRE.md 8.5) and CONTINUOUS membership (WIRE.md 8.2, 8.8).
 * Job deadlines (start, end, rollout) are in rollout.c; the thread that
 * runs them in sched.c. Choices where AWS is silent: docs/compatibility.md.
 */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job_fsm.h"
#include "engine/outbox.h"
#include "metrics.h"
#include "store/store_job.h"

/* Member PATH (dot-separated) of CONFIG, or NULL. */
static json_t *
cfg_get(const json_t *config, const char *a, const char *b)
{
	json_t *v = json_object_get(config, a);

	return b != NULL ? json_object_get(v, b) : v;
}

/* --- retries ---------------------------------------------------------- */

/* numberOfRetries of the criterion for TYPE, -1 when none. */
static int64_t
retry_budget(const json_t *list, const char *type)
{
	json_t *c;
	size_t i;

	json_array_foreach(list, i, c) {
		const char *t = json_string_value(json_object_get(c,
		    "failureType"));

		if (t != NULL && strcmp(t, type) == 0)
			return json_integer_value(json_object_get(c,
			    "numberOfRetries"));
	}
	return -1;
}

/*
 * Whether E (FAILED or TIMED_OUT) gets a retry: the criterion of its own
 * type while that type's retries are not used up, else ALL while the
 * chain's retries in total are not.
 */
bool
engine_retry_allowed(const json_t *config, const struct store_exec *e)
{
	json_t *list = cfg_get(config, "jobExecutionsRetryConfig",
	    "criteriaList");
	bool failed = e->status == EXEC_FAILED;
	int64_t own = retry_budget(list, failed ? "FAILED" : "TIMED_OUT");
	int64_t all = retry_budget(list, "ALL");
	int64_t used = failed ? e->retries_failed : e->retries_timed_out;

	if (own >= 0 && used < own)
		return true;
	return all >= 0 && e->retry_attempt < all;
}

/* --- abort ------------------------------------------------------------ */

/* Failures of TYPE among the job's counters. */
static int64_t
abort_failures(const struct store_job_engine *j, const char *type)
{
	int64_t failed = store_job_count_of(j->counts, EXEC_FAILED);
	int64_t rejected = store_job_count_of(j->counts, EXEC_REJECTED);
	int64_t timed_out = store_job_count_of(j->counts, EXEC_TIMED_OUT);

	if (strcmp(type, "FAILED") == 0)
		return failed;
	if (strcmp(type, "REJECTED") == 0)
		return rejected;
	if (strcmp(type, "TIMED_OUT") == 0)
		return timed_out;
	return failed + rejected + timed_out;	/* ALL */
}

/*
 * abortConfig: once at least minNumberOfExecutedThings executions
 * finished (SUCCEEDED, FAILED, REJECTED, TIMED_OUT), a criterion whose
 * failures reach thresholdPercentage of them cancels the job (QUEUED
 * executions included, IN_PROGRESS ones left running).
 */
static int
abort_check(struct store_tx *tx, const char *job_id, int64_t now,
    struct err *err)
{
	struct store_job_engine j;
	char comment[256];
	json_t *list, *c;
	int64_t executed;
	size_t i;
	int rc = 0, found;

	found = store_job_engine_get(tx, job_id, &j, err);
	if (found != 1)
		return found;
	list = cfg_get(j.config, "abortConfig", "criteriaList");
	executed = store_job_count_of(j.counts, EXEC_SUCCEEDED) +
	    abort_failures(&j, "ALL");
	if (j.status != JOB_IN_PROGRESS || list == NULL)
		goto out;
	json_array_foreach(list, i, c) {
		const char *type = json_string_value(json_object_get(c,
		    "failureType"));
		double pct = json_number_value(json_object_get(c,
		    "thresholdPercentage"));
		int64_t min = json_integer_value(json_object_get(c,
		    "minNumberOfExecutedThings"));
		int64_t bad = abort_failures(&j, type != NULL ? type : "ALL");

		if (executed < min || bad == 0 ||
		    (double)bad * 100.0 < pct * (double)executed)
			continue;
		snprintf(comment, sizeof(comment), "Job aborted by abortConfig:"
		    " %lld of %lld executed things ended %s, threshold %g%%",
		    (long long)bad, (long long)executed,
		    type != NULL ? type : "ALL", pct);
		rc = engine_job_cancel(tx, job_id, false, ENGINE_ABORT_REASON,
		    comment, now, err);
		break;
	}
out:
	store_job_engine_release(&j);
	return rc;
}

/* --- execution changes -------------------------------------------------- */

int
engine_exec_changed(struct store_tx *tx, const struct store_exec *e,
    enum exec_status from, int64_t now, struct err *err)
{
	struct store_job_engine j;
	bool retry = false, aborts = true;
	int found;

	if (from == e->status)
		return 0;
	if (outbox_exec_changed(tx, e, from, now, err) == -1)
		return -1;
	if (e->status == EXEC_FAILED || e->status == EXEC_TIMED_OUT) {
		found = store_job_engine_get(tx, e->job_id, &j, err);
		if (found == -1)
			return -1;
		retry = found == 1 && j.status == JOB_IN_PROGRESS &&
		    engine_retry_allowed(j.config, e);
		/* No abortConfig: abort_check would read the job again for
		 * nothing (a million timeouts in a row, say). */
		aborts = found == 1 && cfg_get(j.config, "abortConfig",
		    "criteriaList") != NULL;
		if (found == 1)
			store_job_engine_release(&j);
	}
	/* The retry first, so the job never looks finished in between. */
	if (retry && (store_exec_retry(tx, e, now, err) == -1 ||
	    outbox_exec_created(tx, e->thing_name, err) == -1 ||
	    engine_count_move(tx, e->job_id, -1, EXEC_QUEUED, now,
	    err) == -1))
		return -1;
	if (engine_count_move(tx, e->job_id, (int)from, (int)e->status, now,
	    err) == -1)
		return -1;
	if (aborts && (e->status == EXEC_FAILED ||
	    e->status == EXEC_TIMED_OUT || e->status == EXEC_REJECTED ||
	    e->status == EXEC_SUCCEEDED))
		return abort_check(tx, e->job_id, now, err);
	return 0;
}

/* A service step of E to TO (TIMED_OUT, REMOVED), written back. */
static int
service_step(struct store_tx *tx, struct store_exec *e, enum exec_status to,
    int64_t now, struct err *err)
{
	enum exec_status from = e->status;
	int fx = exec_fsm_step(from, to, EXEC_BY_SERVICE, false, err);

	if (fx == -1)
		return -1;
	e->status = to;
	if (fx & EXEC_FX_STOP) {
		e->timeout_at = 0;
		e->progress_timeout_at = 0;
	}
	e->version++;
	e->last_updated_at = now;
	if (store_exec_put(tx, e, err) == -1)
		return -1;
	return engine_exec_changed(tx, e, from, now, err);
}

int
engine_timeout(struct store_tx *tx, struct store_exec *e, int64_t now,
    struct err *err)
{
	return service_step(tx, e, EXEC_TIMED_OUT, now, err);
}

int
engine_timeout_if_due(struct store_tx *tx, struct store_exec *e,
    int64_t now, struct err *err)
{
	if (e->status != EXEC_IN_PROGRESS || e->timeout_at == 0 ||
	    e->timeout_at > now)
		return 0;
	/* The execution timed out at its deadline, whenever we notice. */
	if (engine_timeout(tx, e, e->timeout_at, err) == -1)
		return -1;
	return 1;
}

/* --- membership ----------------------------------------------------------- */

/* Queues or plans one execution of job JOB_ID on THING. */
static int
member_queue(struct store_tx *tx, const char *job_id, const char *thing,
    int64_t now, struct err *err)
{
	struct store_job_engine j;
	int64_t n;
	int rc;

	if ((rc = store_job_engine_get(tx, job_id, &j, err)) != 1)
		return rc;
	if (engine_uses_queue(j.config) || j.paused_at != 0) {
		rc = store_job_plan_thing(tx, job_id, thing, err);
		/* Paused: the resume arms the tick. */
		if (rc == 0 && j.rollout_at == 0 && j.paused_at == 0) {
			j.rollout_at = now;	/* the scheduler releases it */
			rc = engine_job_put(tx, &j, now, err);
		}
	} else {
		rc = store_job_plan_thing(tx, job_id, thing, err);
		if (rc == 0)
			rc = engine_release(tx, job_id, -1, now, &n, err);
		if (rc == 0)
			metrics_releases(n);
	}
	store_job_engine_release(&j);
	return rc;
}

int
engine_member_added(struct store_tx *tx, const char *group_arn,
    const char *thing, int64_t now, struct err *err)
{
	struct store_member_job *jobs;
	size_t n, i;
	int rc = 0;

	if (store_job_member_jobs(tx, group_arn, thing, &jobs, &n, err) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		if (job_fsm_member_runs(jobs[i].waiting, jobs[i].has_last,
		    jobs[i].last))
			rc = member_queue(tx, jobs[i].job_id, thing, now, err);
	free(jobs);
	return rc;
}

/* Pending executions collected for a walk that changes them. */
struct exec_list {
	struct store_exec *v;
	size_t n, cap;
};

static int
collect(const struct store_exec *e, void *arg, struct err *err)
{
	struct exec_list *l = arg;

	(void)err;
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 16 : l->cap * 2;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (l->v == NULL)
			abort();
	}
	l->v[l->n] = *e;
	l->v[l->n].status_details = json_deep_copy(e->status_details);
	l->v[l->n].document = NULL;
	l->n++;
	return 0;
}

static void
exec_list_release(struct exec_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		store_exec_release(&l->v[i]);
	free(l->v);
}

#define PENDING_WALK_MAX	100000

int
engine_member_left(struct store_tx *tx, const char *thing,
    const char *arn_prefix, int64_t now, struct err *err)
{
	struct exec_list l = { NULL, 0, 0 };
	struct store_job_engine j;
	size_t i;
	int rc = -1, found, reach;

	if (store_exec_pending_of(tx, thing, NULL, PENDING_WALK_MAX, collect,
	    &l, err) == -1)
		goto out;
	for (i = 0; i < l.n; i++) {
		found = store_job_engine_get(tx, l.v[i].job_id, &j, err);
		if (found == -1)
			goto out;
		if (found == 0)
			continue;
		reach = strcmp(j.target_selection, "CONTINUOUS") != 0 ? 1 :
		    store_job_reaches(tx, j.job_id, arn_prefix, thing, err);
		store_job_engine_release(&j);
		if (reach == -1)
			goto out;
		if (reach == 0 &&
		    service_step(tx, &l.v[i], EXEC_REMOVED, now, err) == -1)
			goto out;
	}
	rc = 0;
out:
	exec_list_release(&l);
	return rc;
}

int
engine_thing_deleted(struct store_tx *tx, const char *thing, int64_t now,
    struct err *err)
{
	struct exec_list l = { NULL, 0, 0 };
	size_t i;
	int rc = -1;

	if (store_job_rollout_drop(tx, NULL, thing, err) == -1 ||
	    store_exec_pending_of(tx, thing, NULL, PENDING_WALK_MAX, collect,
	    &l, err) == -1)
		goto out;
	for (i = 0; i < l.n; i++)
		if (service_step(tx, &l.v[i], EXEC_REMOVED, now, err) == -1)
			goto out;
	rc = 0;
out:
	exec_list_release(&l);
	return rc;
}

/* --- due work ------------------------------------------------------------- */

/*
 * Timers (step timeout, in-progress timeout) run only while an execution
 * is IN_PROGRESS: a QUEUED one has none yet, a terminal one no longer.
 */
#define EXEC_TIMED	EXEC_IN_PROGRESS

static int
due_execs(struct store_tx *tx, int64_t now, int *done, struct err *err)
{
	struct exec_list l = { NULL, 0, 0 };
	size_t i;
	int rc = -1;

	if (store_exec_due(tx, EXEC_TIMED, now, ENGINE_BATCH, collect, &l,
	    err) == -1)
		goto out;
	for (i = 0; i < l.n; i++) {
		metrics_sched_lag(now - l.v[i].timeout_at);
		if (engine_timeout(tx, &l.v[i], l.v[i].timeout_at, err) == -1)
			goto out;
	}
	*done += (int)l.n;
	rc = 0;
out:
	exec_list_release(&l);
	return rc;
}

int
engine_run_due(struct store *st, const char *arn_prefix, int64_t now,
    int *done, struct err *err)
{
	char ids[ENGINE_BATCH][STORE_JOB_ID_MAX + 1];
	struct store_tx *tx;
	int n = 0, i, rc = -1;

	*done = 0;
	if (store_begin(st, true, &tx, err) == -1)
		return -1;
	if (due_execs(tx, now, done, err) == -1 ||
	    store_job_due(tx, now, ENGINE_BATCH, ids, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (engine_job_wake(tx, ids[i], arn_prefix, now, err) == -1)
			goto out;
	*done += n;
	rc = 0;
out:
	if (store_end(tx, rc == 0, err) == -1)
		rc = -1;
	return rc;
}

int
engine_next_deadline(struct store *st, int64_t *at, struct err *err)
{
	struct store_tx *tx;
	int64_t a = 0, b = 0;
	int rc;

	if (store_begin(st, false, &tx, err) == -1)
		return -1;
	rc = store_exec_next_deadline(tx, EXEC_TIMED, &a, err);
	if (rc == 0)
		rc = store_job_next_wake(tx, &b, err);
	store_end(tx, false, NULL);
	if (rc == -1)
		return -1;
	*at = a == 0 ? b : (b == 0 || a < b ? a : b);
	return 0;
}
