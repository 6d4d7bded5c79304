/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job rules the engine decides and the store applies (engine.h):
 * CancelJob with and without force, DeleteJob, the SNAPSHOT completion,
 * the job counters, the set-based queueing of executions and each job's
 * wake_at. Each decision is taken here from data the store returns
 * (job_fsm, exec_fsm); the store applies it as one statement per
 * (from, to) pair, so a million executions are one UPDATE, not a loop.
 */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job_fsm.h"
#include "engine/outbox.h"
#include "store/store_job.h"

int64_t
engine_wake_at(const struct store_job_engine *j)
{
	const int64_t v[] = { j->start_at, j->end_at, j->rollout_at };
	int64_t at = 0;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] != 0 && (at == 0 || v[i] < at))
			at = v[i];
	return at;
}

int
engine_job_put(struct store_tx *tx, struct store_job_engine *j, int64_t now,
    struct err *err)
{
	j->wake_at = engine_wake_at(j);
	return store_job_engine_put(tx, j, now, err);
}

/* The status of job JOB_ID into *ST: 1, 0 (no such job, ERR set), -1. */
static int
job_status_of(struct store_tx *tx, const char *job_id,
    struct store_job_progress *p, struct err *err)
{
	int found = store_job_progress_get(tx, job_id, p, err);

	if (found == 0)
		err_set(err, ERR_NOT_FOUND, "Job %s does not exist", job_id);
	return found;
}

int
engine_job_settle(struct store_tx *tx, const char *job_id, int64_t now,
    struct err *err)
{
	struct store_job_step step = { 0 };
	struct store_job_progress p;
	bool applied;
	int found, fx;

	found = store_job_progress_get(tx, job_id, &p, err);
	if (found != 1)
		return found;
	if (!job_fsm_done(p.status, p.snapshot, p.pending, p.waiting))
		return 0;
	if ((fx = job_fsm_step(job_id, p.status, JOB_COMPLETED, false,
	    err)) == -1)
		return -1;
	step.from = p.status;
	step.to = JOB_COMPLETED;
	step.done = (fx & JOB_FX_DONE) != 0;
	if (store_job_status_set(tx, job_id, &step, now, &applied, err) == -1)
		return -1;
	if (applied && (fx & JOB_FX_EVENT))
		return outbox_job_status(tx, job_id, JOB_COMPLETED, now, err);
	return 0;
}

int
engine_count_move(struct store_tx *tx, const char *job_id, int from, int to,
    int64_t now, struct err *err)
{
	if (store_job_count_move(tx, job_id, from, to, now, err) == -1)
		return -1;
	/* Only an execution leaving the pending list can finish a job. */
	if (from >= 0 && exec_is_pending((enum exec_status)from) &&
	    (to < 0 || !exec_is_pending((enum exec_status)to)))
		return engine_job_settle(tx, job_id, now, err);
	return 0;
}

int
engine_count_refresh(struct store_tx *tx, const char *job_id, int64_t now,
    struct err *err)
{
	if (store_job_count_refresh(tx, job_id, now, err) == -1)
		return -1;
	return engine_job_settle(tx, job_id, now, err);
}

/*
 * Every execution of JOB_ID whose step to CANCELED exec_fsm allows with
 * FORCE is canceled, one statement per allowed from-status.
 */
static int
cancel_execs(struct store_tx *tx, const char *job_id, bool force,
    int64_t now, struct err *err)
{
	struct err refused;
	int64_t n;
	int s, fx;

	for (s = 0; s < EXEC_STATUS_COUNT; s++) {
		err_clear(&refused);
		fx = exec_fsm_step((enum exec_status)s, EXEC_CANCELED,
		    EXEC_BY_SERVICE, force, &refused);
		if (fx == -1)
			continue;	/* terminal, or IN_PROGRESS unforced */
		if (outbox_execs_moving(tx, job_id, (enum exec_status)s,
		    EXEC_CANCELED, now, err) == -1 ||
		    store_exec_move_job(tx, job_id, (enum exec_status)s,
		    EXEC_CANCELED, (fx & EXEC_FX_FORCED) != 0,
		    (fx & EXEC_FX_STOP) != 0, now, &n, err) == -1)
			return -1;
	}
	return 0;
}

int
engine_job_cancel(struct store_tx *tx, const char *job_id, bool force,
    const char *reason_code, const char *comment, int64_t now,
    struct err *err)
{
	struct store_job_step step = { 0 };
	struct store_job_progress p;
	bool applied;
	int found, fx;

	if ((found = job_status_of(tx, job_id, &p, err)) != 1)
		return -1;
	if ((fx = job_fsm_step(job_id, p.status, JOB_CANCELED, force,
	    err)) == -1)
		return -1;
	if ((fx & JOB_FX_CANCEL) &&
	    cancel_execs(tx, job_id, force, now, err) == -1)
		return -1;
	if ((fx & JOB_FX_STOP) &&
	    store_job_rollout_drop(tx, job_id, NULL, err) == -1)
		return -1;
	step.from = p.status;
	step.to = JOB_CANCELED;
	step.forced = (fx & JOB_FX_FORCED) != 0;
	step.stop = (fx & JOB_FX_STOP) != 0;
	step.reason_code = reason_code;
	step.comment = comment;
	if (store_job_status_set(tx, job_id, &step, now, &applied, err) == -1)
		return -1;
	if (applied && (fx & JOB_FX_EVENT) &&
	    outbox_job_status(tx, job_id, JOB_CANCELED, now, err) == -1)
		return -1;
	return engine_count_refresh(tx, job_id, now, err);
}

int
engine_job_delete(struct store_tx *tx, const char *job_id, bool force,
    int64_t now, struct err *err)
{
	struct store_job_progress p;
	int fx;

	if (job_status_of(tx, job_id, &p, err) != 1)
		return -1;
	fx = job_fsm_step(job_id, p.status, JOB_DELETION_IN_PROGRESS, force,
	    err);
	if (fx == -1)
		return -1;
	if ((fx & JOB_FX_DELETE) == 0)
		return 0;
	if (outbox_job_deleting(tx, job_id, p.status, now, err) == -1)
		return -1;
	return store_job_delete(tx, job_id, err);
}

int
engine_exec_delete(struct store_tx *tx, const struct store_exec *e,
    bool force, int64_t now, struct err *err)
{
	if (exec_fsm_may_delete(e->status, force, err) == -1 ||
	    outbox_exec_deleting(tx, e, now, err) == -1 ||
	    store_exec_delete(tx, e->id, err) == -1)
		return -1;
	return engine_count_move(tx, e->job_id, (int)e->status, -1, now, err);
}

int
engine_queue_targets(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err)
{
	int64_t after;

	if (store_exec_last_id(tx, &after, err) == -1 ||
	    store_job_queue_targets(tx, job_id, arn_prefix, now, err) == -1 ||
	    outbox_execs_created(tx, job_id, after, err) == -1)
		return -1;
	/* No target: a SNAPSHOT job is done at once. */
	return engine_job_settle(tx, job_id, now, err);
}

int
engine_release(struct store_tx *tx, const char *job_id, int64_t limit,
    int64_t now, int64_t *n, struct err *err)
{
	int64_t after;

	*n = 0;
	if (store_exec_last_id(tx, &after, err) == -1 ||
	    store_job_release_batch(tx, job_id, limit, now, n, err) == -1)
		return -1;
	return *n > 0 ? outbox_execs_created(tx, job_id, after, err) : 0;
}
