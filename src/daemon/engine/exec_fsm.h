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
#include "status.h"

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
