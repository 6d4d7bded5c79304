/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job-execution state machine, as one transition table per actor.
 * Sources: WIRE.md 8.1-8.5 (the AWS job-execution lifecycle pages and the
 * iot / iot-jobs-data models). Every caller that changes an execution's
 * status asks exec_fsm_step() first and applies the effects it returns.
 *
 *   (created by a rollout)
 *            |
 *            v    device: IN_PROGRESS (Update..., StartNext...)
 *         QUEUED ----------------------------> IN_PROGRESS --+  device:
 *          | | |                                | | | ^      |  IN_PROGRESS
 *          | | |                                | | | +------+  (details,
 *          | | |  device               device   | | |            step timer)
 *          | | +--------> SUCCEEDED <-----------+ | |
 *          | |            FAILED                  | +- service: timer --+
 *          | |            REJECTED                |                     v
 *          | |                                    |                TIMED_OUT
 *          | +-- service: cancel --> CANCELED <---+ service: cancel with
 *          |                                      |   force=true only
 *          +---- service: untarget --> REMOVED <--+ service: untarget
 *
 * (Update... is UpdateJobExecution, StartNext... is
 * StartNextPendingJobExecution, both in api/exec.c; the service edges are
 * taken by CancelJob, CancelJobExecution, thing and group changes, and the
 * timers.)
 *
 * Invariants (tests/unit/test_exec_fsm.c cites them by number):
 *  1. Terminal statuses (SUCCEEDED, FAILED, REJECTED, TIMED_OUT, REMOVED,
 *     CANCELED) are final: every step out of one is
 *     InvalidStateTransitionException, whoever asks. A retry queues a new
 *     execution with a higher executionNumber; it never revives one.
 *  2. A device sets only IN_PROGRESS, SUCCEEDED, FAILED and REJECTED; any
 *     other requested status is InvalidRequestException, checked after
 *     invariant 1 (from a terminal status every request is 409).
 *  3. The service sets only CANCELED, REMOVED and TIMED_OUT on an existing
 *     execution (QUEUED is entered only by creation); a device status asked
 *     by the service is InvalidRequestException, QUEUED is
 *     InvalidStateTransitionException.
 *  4. startedAt is set once, by the step QUEUED -> IN_PROGRESS
 *     (EXEC_FX_START), which also arms the in-progress timer. QUEUED ->
 *     SUCCEEDED, FAILED or REJECTED is allowed and leaves startedAt unset.
 *  5. IN_PROGRESS -> CANCELED needs force=true (else
 *     InvalidStateTransitionException); QUEUED -> CANCELED never needs it.
 *     A cancel with force=true sets forceCanceled (EXEC_FX_FORCED) on the
 *     execution it cancels, QUEUED or IN_PROGRESS (the model: "true if the
 *     job execution was canceled with the optional force parameter set to
 *     true").
 *  6. TIMED_OUT is reached only from IN_PROGRESS: timers run only there.
 *  7. Entering a terminal status stops every timer (EXEC_FX_STOP).
 *  8. A step that changes the status reports EXEC_FX_COUNT: the caller moves
 *     the job's counters in the same transaction (store_job_count_move).
 *     IN_PROGRESS -> IN_PROGRESS changes details and timers only. Every
 *     applied step, status change or not, increments versionNumber.
 *  9. Deletion: without force only a terminal execution may be deleted;
 *     with force any (exec_fsm_may_delete).
 */
#include "engine/exec_fsm.h"

/* The verdict of one cell. */
enum fsm_verdict {
	V_OK,		/* allowed, with the cell's effects */
	V_FORCE,	/* allowed with force=true, else state transition error */
	V_STATE,	/* InvalidStateTransitionException: current status */
	V_FINAL,	/* InvalidStateTransitionException: from terminal (1) */
	V_REQ		/* InvalidRequestException: actor never sets it */
};

struct fsm_cell {
	enum fsm_verdict v;
	int fx;
	int fx_force;	/* added when force=true */
};

#define OK(fx)	{ V_OK, (fx), 0 }
#define OK_F(fx, ff) { V_OK, (fx), (ff) }
#define FORCE(fx) { V_FORCE, (fx), 0 }
#define STATE	{ V_STATE, 0, 0 }
#define FINAL	{ V_FINAL, 0, 0 }
#define REQ	{ V_REQ, 0, 0 }
#define END	(EXEC_FX_STOP | EXEC_FX_COUNT)
#define FINAL_ROW { FINAL, FINAL, FINAL, FINAL, FINAL, FINAL, FINAL, FINAL }

/*
 * [actor][from][to]; columns in enum order: QUEUED IN_PROGRESS SUCCEEDED
 * FAILED TIMED_OUT REJECTED REMOVED CANCELED. Numbers cite the invariants.
 */
static const struct fsm_cell fsm[2][EXEC_STATUS_COUNT][EXEC_STATUS_COUNT] = {
	[EXEC_BY_DEVICE] = {
		/* 2, 4 */
		[EXEC_QUEUED] = { REQ, OK(EXEC_FX_START | EXEC_FX_COUNT),
		    OK(END), OK(END), REQ, OK(END), REQ, REQ },
		/* 2, 7, 8 */
		[EXEC_IN_PROGRESS] = { REQ, OK(0), OK(END), OK(END), REQ,
		    OK(END), REQ, REQ },
		/* 1 */
		[EXEC_SUCCEEDED] = FINAL_ROW,
		[EXEC_FAILED] = FINAL_ROW,
		[EXEC_TIMED_OUT] = FINAL_ROW,
		[EXEC_REJECTED] = FINAL_ROW,
		[EXEC_REMOVED] = FINAL_ROW,
		[EXEC_CANCELED] = FINAL_ROW,
	},
	[EXEC_BY_SERVICE] = {
		/* 3, 5, 6 */
		[EXEC_QUEUED] = { STATE, REQ, REQ, REQ, STATE, REQ, OK(END),
		    OK_F(END, EXEC_FX_FORCED) },
		/* 3, 5, 6 */
		[EXEC_IN_PROGRESS] = { STATE, REQ, REQ, REQ, OK(END), REQ,
		    OK(END), FORCE(END | EXEC_FX_FORCED) },
		/* 1 */
		[EXEC_SUCCEEDED] = FINAL_ROW,
		[EXEC_FAILED] = FINAL_ROW,
		[EXEC_TIMED_OUT] = FINAL_ROW,
		[EXEC_REJECTED] = FINAL_ROW,
		[EXEC_REMOVED] = FINAL_ROW,
		[EXEC_CANCELED] = FINAL_ROW,
	},
};

int
exec_fsm_step(enum exec_status from, enum exec_status to,
    enum exec_actor who, bool force, struct err *err)
{
	const struct fsm_cell *c;

	if ((unsigned)from >= EXEC_STATUS_COUNT ||
	    (unsigned)to >= EXEC_STATUS_COUNT ||
	    (who != EXEC_BY_DEVICE && who != EXEC_BY_SERVICE))
		return err_set(err, ERR_INVALID_REQUEST, "status: unknown job"
		    " execution status");
	c = &fsm[who][from][to];
	switch (c->v) {
	case V_OK:
		return force ? c->fx | c->fx_force : c->fx;
	case V_FORCE:
		if (force)
			return c->fx;
		return err_set(err, ERR_STATE_TRANSITION, "Cannot cancel a"
		    " job execution in status %s unless force is true",
		    exec_status_name(from));
	case V_FINAL:
		return err_set(err, ERR_STATE_TRANSITION, "Cannot change the"
		    " status of a job execution from %s to %s: %s is a"
		    " terminal status", exec_status_name(from), exec_status_name(to),
		    exec_status_name(from));
	case V_STATE:
		return err_set(err, ERR_STATE_TRANSITION, "Cannot change the"
		    " status of a job execution from %s to %s",
		    exec_status_name(from), exec_status_name(to));
	case V_REQ:
	default:
		if (who == EXEC_BY_DEVICE)
			return err_set(err, ERR_INVALID_REQUEST, "status: %s"
			    " cannot be set by a device; use IN_PROGRESS,"
			    " SUCCEEDED, FAILED or REJECTED", exec_status_name(to));
		return err_set(err, ERR_INVALID_REQUEST, "status: %s is set"
		    " only by devices", exec_status_name(to));
	}
}

int
exec_fsm_may_delete(enum exec_status from, bool force, struct err *err)
{
	if ((unsigned)from >= EXEC_STATUS_COUNT)
		return err_set(err, ERR_INVALID_REQUEST, "unknown job"
		    " execution status");
	if (force || exec_is_terminal(from))
		return 0;
	return err_set(err, ERR_STATE_TRANSITION, "Cannot delete a job"
	    " execution in status %s unless force is true", exec_status_name(from));
}
