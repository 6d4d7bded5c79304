/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job state machine (WIRE.md 8.8): which JobStatus follows which, and
 * what each allowed step does; and the SNAPSHOT completion rule. Pure: no
 * clock, no store; the drawing and the numbered invariants are at the top
 * of job_fsm.c.
 */
#ifndef IOTJOBS_JOB_FSM_H
#define IOTJOBS_JOB_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "status.h"

/* What an allowed step does besides setting the status (bit set). */
#define JOB_FX_EVENT	0x01	/* a job event named after the new status */
#define JOB_FX_STOP	0x02	/* clear every deadline, drop the queue */
#define JOB_FX_CANCEL	0x04	/* cancel the executions (exec_fsm pairs) */
#define JOB_FX_FORCED	0x08	/* set the job's forceCanceled */
#define JOB_FX_START	0x10	/* notify the targets */
#define JOB_FX_DONE	0x20	/* set completedAt */
#define JOB_FX_DELETE	0x40	/* delete the job, its executions, events */

/*
 * Decides whether job JOB_ID (named in messages) may move from FROM to TO
 * (FORCE: the request has force=true). TO is DELETION_IN_PROGRESS for
 * DeleteJob. Returns the JOB_FX_* effects (>= 0), or -1 with ERR set to
 * InvalidRequestException or InvalidStateTransitionException.
 */
int job_fsm_step(const char *job_id, enum job_status from,
    enum job_status to, bool force, struct err *err);

/*
 * The completion rule: whether a job in STATUS, SNAPSHOT or not, with
 * PENDING executions (QUEUED + IN_PROGRESS) and WAITING things in its
 * rollout queue, is done (its step to COMPLETED is then due).
 */
bool job_fsm_done(enum job_status status, bool snapshot, int64_t pending,
    int64_t waiting);

/*
 * The CONTINUOUS membership rule: whether a thing joining a group a
 * CONTINUOUS job targets gets a new execution of it, given whether the
 * thing WAITING in the job's rollout queue already, and HAS_LAST: it has an
 * execution of the job, the latest in status LAST. A queued thing or a
 * pending execution is left alone; an execution that ended for good
 * (SUCCEEDED, REJECTED, CANCELED) is not run again; a REMOVED, FAILED or
 * TIMED_OUT one is (the membership changed: the retry budget resets).
 */
bool job_fsm_member_runs(bool waiting, bool has_last,
    enum exec_status last);

#endif
