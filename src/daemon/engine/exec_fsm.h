/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job-execution state machine (WIRE.md 8.1, 8.2): the statuses, who may
 * set which, and what each allowed step does. Pure: no clock, no store; the
 * drawing and the numbered invariants are at the top of exec_fsm.c.
 */
#ifndef IOTJOBS_EXEC_FSM_H
#define IOTJOBS_EXEC_FSM_H

#include <stdbool.h>

#include "err.h"

/* JobExecutionStatus of both models, in the models' enum order. */
enum exec_status {
	EXEC_QUEUED,
	EXEC_IN_PROGRESS,
	EXEC_SUCCEEDED,
	EXEC_FAILED,
	EXEC_TIMED_OUT,
	EXEC_REJECTED,
	EXEC_REMOVED,
	EXEC_CANCELED,
	EXEC_STATUS_COUNT
};

/* Who asks for a step. */
enum exec_actor {
	EXEC_BY_DEVICE,		/* UpdateJobExecution, StartNext..., MQTT */
	EXEC_BY_SERVICE		/* cancel, removal, timers */
};

/* What an allowed step does besides setting the status (bit set). */
#define EXEC_FX_START	0x01	/* set startedAt, arm the in-progress timer */
#define EXEC_FX_STOP	0x02	/* terminal: stop every timer */
#define EXEC_FX_FORCED	0x04	/* set forceCanceled */
#define EXEC_FX_COUNT	0x08	/* status changes: move the job counters */

/* The wire name of S ("IN_PROGRESS"); "?" when out of range. */
const char *exec_status_name(enum exec_status s);

/* Parses a wire name; -1 when NAME is not a JobExecutionStatus. */
int exec_status_parse(const char *name, enum exec_status *out);

/* SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED, CANCELED. */
bool exec_is_terminal(enum exec_status s);

/* QUEUED or IN_PROGRESS ("pending" in the device API). */
bool exec_is_pending(enum exec_status s);

/*
 * Decides whether WHO may move an execution from FROM to TO (FORCE: the
 * caller passed force=true). Returns the EXEC_FX_* effects of the step
 * (>= 0), or -1 with ERR set to InvalidStateTransitionException (the
 * current status forbids it) or InvalidRequestException (WHO never sets TO).
 */
int exec_fsm_step(enum exec_status from, enum exec_status to,
    enum exec_actor who, bool force, struct err *err);

/*
 * Decides whether an execution in status FROM may be deleted
 * (DeleteJobExecution). 0, or -1 with ERR set to
 * InvalidStateTransitionException.
 */
int exec_fsm_may_delete(enum exec_status from, bool force, struct err *err);

#endif
