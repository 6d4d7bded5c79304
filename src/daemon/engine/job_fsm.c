/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job state machine, as one transition table. Sources: WIRE.md 8.8
 * (the iot model's JobStatus, CancelJob, DeleteJob). Every caller that
 * changes a job's status asks job_fsm_step() first and applies the effects
 * it returns; engine/job.c applies them to the store.
 *
 *   CreateJob with schedulingConfig.startTime
 *        |
 *        v       startTime (or endTime with STOP_ROLLOUT)
 *    SCHEDULED --------------------------------> IN_PROGRESS <-- CreateJob
 *        |                                        |      |
 *        | CancelJob, endBehavior CANCEL,          |      | SNAPSHOT and
 *        | abortConfig                             |      | nothing left
 *        +----------------> CANCELED <-------------+      v (job_fsm_done)
 *                           |  ^  |                     COMPLETED
 *                           +--+  |                       |
 *              CancelJob force=true|                       |
 *                                  v                       v
 *                  DeleteJob --> DELETION_IN_PROGRESS <----+
 *       (SCHEDULED, IN_PROGRESS: force=true only; the rows go at once)
 *
 * Invariants (tests/unit/test_job_fsm.c cites them by number):
 *  1. DELETION_IN_PROGRESS is final; COMPLETED is final except for
 *     deletion; CANCELED only to deletion and to itself (2).
 *  2. CancelJob of a CANCELED job needs force=true (it then cancels the
 *     IN_PROGRESS executions too); without force it is
 *     InvalidRequestException. A COMPLETED job is never canceled
 *     (InvalidRequestException, force or not).
 *  3. Entering CANCELED cancels the executions (JOB_FX_CANCEL: for each
 *     execution status the engine asks exec_fsm for the step to CANCELED
 *     with the same force) and stops every deadline (JOB_FX_STOP);
 *     force=true sets the job's forceCanceled (JOB_FX_FORCED).
 *  4. COMPLETED is entered only from IN_PROGRESS and only when
 *     job_fsm_done: a SNAPSHOT job with no pending execution and no thing
 *     waiting in its rollout queue. CONTINUOUS jobs never complete.
 *  5. SCHEDULED -> IN_PROGRESS notifies the targets (JOB_FX_START);
 *     nothing returns to SCHEDULED.
 *  6. Deletion: without force only a COMPLETED or CANCELED job
 *     (InvalidStateTransitionException otherwise).
 *  7. A step that changes the status to CANCELED or COMPLETED writes a
 *     job event (JOB_FX_EVENT); a deletion writes the "deleted" events.
 */
#include "engine/job_fsm.h"

enum fsm_verdict {
	V_OK,		/* allowed */
	V_FORCE,	/* force=true only, else already CANCELED (2) */
	V_STATE,	/* InvalidStateTransitionException */
	V_COMPLETED,	/* InvalidRequestException: COMPLETED (2) */
	V_DELETE	/* force=true only, else state transition (6) */
};

struct fsm_cell {
	enum fsm_verdict v;
	int fx;
	int fx_force;	/* added when force=true */
};

#define OK(fx)		{ V_OK, (fx), 0 }
#define STATE		{ V_STATE, 0, 0 }
#define CANCEL		{ V_OK, JOB_FX_EVENT | JOB_FX_STOP | JOB_FX_CANCEL, \
			    JOB_FX_FORCED }
#define DEL		{ V_DELETE, JOB_FX_DELETE, 0 }
#define STATE_ROW	{ STATE, STATE, STATE, STATE, STATE }

/*
 * [from][to]; columns in enum order: IN_PROGRESS CANCELED COMPLETED
 * DELETION_IN_PROGRESS SCHEDULED. Numbers cite the invariants.
 */
static const struct fsm_cell fsm[JOB_STATUS_COUNT][JOB_STATUS_COUNT] = {
	/* 3, 4, 6 */
	[JOB_IN_PROGRESS] = { STATE, CANCEL, OK(JOB_FX_EVENT | JOB_FX_DONE),
	    DEL, STATE },
	/* 1, 2, 6 */
	[JOB_CANCELED] = { STATE, { V_FORCE, JOB_FX_CANCEL | JOB_FX_FORCED,
	    0 }, STATE, OK(JOB_FX_DELETE), STATE },
	/* 1, 2, 6 */
	[JOB_COMPLETED] = { STATE, { V_COMPLETED, 0, 0 }, STATE,
	    OK(JOB_FX_DELETE), STATE },
	/* 1 */
	[JOB_DELETION_IN_PROGRESS] = STATE_ROW,
	/* 3, 4, 5, 6 */
	[JOB_SCHEDULED] = { OK(JOB_FX_START), CANCEL, STATE, DEL, STATE },
};

int
job_fsm_step(const char *job_id, enum job_status from, enum job_status to,
    bool force, struct err *err)
{
	const struct fsm_cell *c;

	if ((unsigned)from >= JOB_STATUS_COUNT ||
	    (unsigned)to >= JOB_STATUS_COUNT)
		return err_set(err, ERR_INVALID_REQUEST, "status: unknown job"
		    " status");
	c = &fsm[from][to];
	switch (c->v) {
	case V_OK:
		return force ? c->fx | c->fx_force : c->fx;
	case V_FORCE:	/* the one V_FORCE cell is the re-cancel */
		if (force)
			return c->fx;
		return err_set(err, ERR_INVALID_REQUEST, "Job %s is already"
		    " CANCELED; cancel it with force=true to cancel its"
		    " IN_PROGRESS executions too", job_id);
	case V_COMPLETED:
		return err_set(err, ERR_INVALID_REQUEST, "Job %s cannot be"
		    " canceled: it is COMPLETED", job_id);
	case V_DELETE:
		if (force)
			return c->fx;
		return err_set(err, ERR_STATE_TRANSITION, "Job %s is %s: only a"
		    " COMPLETED or CANCELED job can be deleted without"
		    " force=true", job_id, job_status_name(from));
	case V_STATE:
	default:
		return err_set(err, ERR_STATE_TRANSITION, "Cannot change the"
		    " status of job %s from %s to %s", job_id,
		    job_status_name(from), job_status_name(to));
	}
}

bool
job_fsm_done(enum job_status status, bool snapshot, int64_t pending,
    int64_t waiting)
{
	return status == JOB_IN_PROGRESS && snapshot && pending == 0 &&
	    waiting == 0;
}

bool
job_fsm_member_runs(bool waiting, bool has_last, enum exec_status last)
{
	if (waiting)
		return false;
	if (!has_last)
		return true;
	return last == EXEC_REMOVED || last == EXEC_FAILED ||
	    last == EXEC_TIMED_OUT;
}
