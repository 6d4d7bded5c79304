/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command-execution state machine, one transition table per actor.
 * Sources: WIRE.md 9.2 (the AWS commands pages, the iot model's
 * CommandExecutionStatus). mqtt/command.c asks it for each device report,
 * engine/command_timeout.c for each timeout.
 *
 *   StartCommandExecution
 *        |
 *        v      device: IN_PROGRESS
 *     CREATED -----------------------> IN_PROGRESS --+ device:
 *        |  |                           |  |  ^      | IN_PROGRESS
 *        |  |    device                 |  |  +------+
 *        |  +---------> SUCCEEDED <-----+  |
 *        |              FAILED             |
 *        |              REJECTED           |
 *        +-- service: timer --> TIMED_OUT <+ service: timer
 *                                |  ^
 *                                +--+ device: TIMED_OUT (adds a reason)
 *
 * Invariants (tests/unit/test_cmd_fsm.c cites them by number):
 *  1. A device sets IN_PROGRESS, SUCCEEDED, FAILED, REJECTED and TIMED_OUT
 *     only; CREATED is an InvalidRequest, whatever the current status.
 *  2. SUCCEEDED, FAILED, REJECTED and TIMED_OUT are terminal: every device
 *     step out of one is TerminalStateReached, except TIMED_OUT ->
 *     TIMED_OUT, by which a device adds its statusReason and result.
 *  3. Only the service times an execution out: a device asking TIMED_OUT
 *     of a CREATED or IN_PROGRESS execution is InvalidStateTransition.
 *  4. The service sets only TIMED_OUT, and only from CREATED or
 *     IN_PROGRESS.
 *  5. Every allowed device step sets startedAt when unset (CMD_FX_START);
 *     a step into a terminal status sets completedAt (CMD_FX_DONE); a step
 *     that changes the status writes the execution event (CMD_FX_EVENT).
 */
#include "engine/cmd_fsm.h"

struct fsm_cell {
	int fx;		/* >= 0: allowed, -1: refused */
	enum cmd_refusal why;
};

#define OK(fx)	{ (fx), CMD_REFUSE_STATE }
#define REQ	{ -1, CMD_REFUSE_REQUEST }
#define TERM	{ -1, CMD_REFUSE_TERMINAL }
#define STATE	{ -1, CMD_REFUSE_STATE }
#define END	(CMD_FX_START | CMD_FX_DONE | CMD_FX_EVENT)
#define TERM_ROW { REQ, TERM, TERM, TERM, TERM, TERM }
#define STATE_ROW { STATE, STATE, STATE, STATE, STATE, STATE }

/*
 * [actor][from][to]; columns in enum order: CREATED IN_PROGRESS SUCCEEDED
 * FAILED REJECTED TIMED_OUT. Numbers cite the invariants.
 */
static const struct fsm_cell fsm[2][CMD_STATUS_COUNT][CMD_STATUS_COUNT] = {
	[CMD_BY_DEVICE] = {
		/* 1, 3, 5 */
		[CMD_CREATED] = { REQ, OK(CMD_FX_START | CMD_FX_EVENT),
		    OK(END), OK(END), OK(END), STATE },
		/* 1, 3, 5 */
		[CMD_IN_PROGRESS] = { REQ, OK(CMD_FX_START), OK(END),
		    OK(END), OK(END), STATE },
		/* 1, 2 */
		[CMD_SUCCEEDED] = TERM_ROW,
		[CMD_FAILED] = TERM_ROW,
		[CMD_REJECTED] = TERM_ROW,
		[CMD_TIMED_OUT] = { REQ, TERM, TERM, TERM, TERM,
		    OK(CMD_FX_START) },
	},
	[CMD_BY_SERVICE] = {
		/* 4, 5 */
		[CMD_CREATED] = { STATE, STATE, STATE, STATE, STATE,
		    OK(CMD_FX_DONE | CMD_FX_EVENT) },
		[CMD_IN_PROGRESS] = { STATE, STATE, STATE, STATE, STATE,
		    OK(CMD_FX_DONE | CMD_FX_EVENT) },
		/* 4 */
		[CMD_SUCCEEDED] = STATE_ROW,
		[CMD_FAILED] = STATE_ROW,
		[CMD_REJECTED] = STATE_ROW,
		[CMD_TIMED_OUT] = STATE_ROW,
	},
};

int
cmd_fsm_step(enum cmd_status from, enum cmd_status to, enum cmd_actor who,
    enum cmd_refusal *why)
{
	const struct fsm_cell *c;

	if ((unsigned)from >= CMD_STATUS_COUNT ||
	    (unsigned)to >= CMD_STATUS_COUNT ||
	    (who != CMD_BY_DEVICE && who != CMD_BY_SERVICE)) {
		*why = CMD_REFUSE_REQUEST;
		return -1;
	}
	c = &fsm[who][from][to];
	if (c->fx < 0)
		*why = c->why;
	return c->fx;
}
