/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command-execution state machine (WIRE.md 9.2): which
 * CommandExecutionStatus follows which, for the device (its MQTT reports)
 * and for the service (the timeout timer). Pure; the drawing and the
 * invariants are at the top of cmd_fsm.c.
 */
#ifndef IOTJOBS_CMD_FSM_H
#define IOTJOBS_CMD_FSM_H

#include "status.h"

enum cmd_actor {
	CMD_BY_DEVICE,		/* a report on .../response/json */
	CMD_BY_SERVICE		/* the timeout timer */
};

/* Why a step is refused; the caller names the error of its protocol. */
enum cmd_refusal {
	CMD_REFUSE_REQUEST,	/* the actor never sets TO: InvalidRequest */
	CMD_REFUSE_TERMINAL,	/* FROM is terminal: TerminalStateReached */
	CMD_REFUSE_STATE	/* InvalidStateTransition */
};

#define CMD_FX_START	0x01	/* set startedAt when unset */
#define CMD_FX_DONE	0x02	/* set completedAt */
#define CMD_FX_EVENT	0x04	/* the status changes: an execution event */

/*
 * The CMD_FX_* effects of WHO moving a command execution from FROM to TO
 * (>= 0), or -1 with *WHY set.
 */
int cmd_fsm_step(enum cmd_status from, enum cmd_status to,
    enum cmd_actor who, enum cmd_refusal *why);

#endif
