/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job and command-execution state machines (engine/job_fsm.c,
 * engine/cmd_fsm.c) and the CONTINUOUS membership rule: every cell, with
 * and without force, against an expectation written out here
 * independently of the tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "engine/cmd_fsm.h"
#include "engine/job_fsm.h"

/*
 * Job rows, columns IN_PROGRESS CANCELED COMPLETED DELETION_IN_PROGRESS
 * SCHEDULED: t state transition, c cancel (EVENT|STOP|CANCEL, +FORCED
 * with force), k re-cancel (force: CANCEL|FORCED, else request), x
 * never canceled (request), d delete with force only (else state), D
 * delete, o completion (EVENT|DONE), s start.
 */
static const char *const job_rows[JOB_STATUS_COUNT] = {
	[JOB_IN_PROGRESS] = "tcodt",
	[JOB_CANCELED] = "tktDt",
	[JOB_COMPLETED] = "txtDt",
	[JOB_DELETION_IN_PROGRESS] = "ttttt",
	[JOB_SCHEDULED] = "sctdt",
};

static void
job_expected(char c, bool force, int *fx, const char **type)
{
	*type = NULL;
	switch (c) {
	case 'c':
		*fx = JOB_FX_EVENT | JOB_FX_STOP | JOB_FX_CANCEL |
		    (force ? JOB_FX_FORCED : 0);
		break;
	case 'k':
		*fx = force ? JOB_FX_CANCEL | JOB_FX_FORCED : -1;
		*type = force ? NULL : ERR_INVALID_REQUEST;
		break;
	case 'x':
		*fx = -1;
		*type = ERR_INVALID_REQUEST;
		break;
	case 'd':
		*fx = force ? JOB_FX_DELETE : -1;
		*type = force ? NULL : ERR_STATE_TRANSITION;
		break;
	case 'D':
		*fx = JOB_FX_DELETE;
		break;
	case 'o':
		*fx = JOB_FX_EVENT | JOB_FX_DONE;
		break;
	case 's':
		*fx = JOB_FX_START;
		break;
	default:
		*fx = -1;
		*type = ERR_STATE_TRANSITION;
	}
}

static void
job_every_cell(void **state)
{
	int from, to, f;

	(void)state;
	for (from = 0; from < JOB_STATUS_COUNT; from++)
		for (to = 0; to < JOB_STATUS_COUNT; to++)
			for (f = 0; f < 2; f++) {
				struct err err;
				const char *type;
				int want, got;

				job_expected(job_rows[from][to], f, &want,
				    &type);
				err_clear(&err);
				got = job_fsm_step("j", (enum job_status)from,
				    (enum job_status)to, f, &err);
				if (got != want || (type != NULL &&
				    strcmp(err.type, type) != 0))
					fail_msg("%s -> %s force=%d: want %d,"
					    " got %d (%s)", job_status_name(
					    (enum job_status)from),
					    job_status_name((enum job_status)to),
					    f, want, got, err.msg);
			}
}

/* Invariant 4: the completion rule, term by term. */
static void
job_done_rule(void **state)
{
	(void)state;
	assert_true(job_fsm_done(JOB_IN_PROGRESS, true, 0, 0));
	assert_false(job_fsm_done(JOB_IN_PROGRESS, false, 0, 0));
	assert_false(job_fsm_done(JOB_IN_PROGRESS, true, 1, 0));
	assert_false(job_fsm_done(JOB_IN_PROGRESS, true, 0, 1));
	assert_false(job_fsm_done(JOB_SCHEDULED, true, 0, 0));
	assert_false(job_fsm_done(JOB_CANCELED, true, 0, 0));
	assert_false(job_fsm_done(JOB_COMPLETED, true, 0, 0));
}

/*
 * The CONTINUOUS membership rule, per latest execution status (columns
 * QUEUED IN_PROGRESS SUCCEEDED FAILED TIMED_OUT REJECTED REMOVED
 * CANCELED): r a new execution, - none.
 */
static const char member_row[EXEC_STATUS_COUNT + 1] = "---rr-r-";

static void
member_every_cell(void **state)
{
	int last;

	(void)state;
	assert_true(job_fsm_member_runs(false, false, EXEC_QUEUED));
	assert_false(job_fsm_member_runs(true, false, EXEC_QUEUED));
	for (last = 0; last < EXEC_STATUS_COUNT; last++) {
		assert_int_equal(job_fsm_member_runs(false, true, last),
		    member_row[last] == 'r');
		assert_false(job_fsm_member_runs(true, true, last));
	}
}

/*
 * Command rows per actor, columns CREATED IN_PROGRESS SUCCEEDED FAILED
 * REJECTED TIMED_OUT: r request, T terminal, t state, p START|EVENT,
 * 0 START, e START|DONE|EVENT, o DONE|EVENT (timer).
 */
static const char *const cmd_rows[2][CMD_STATUS_COUNT] = {
	[CMD_BY_DEVICE] = { "rpeeet", "r0eeet", "rTTTTT", "rTTTTT",
	    "rTTTTT", "rTTTT0" },
	[CMD_BY_SERVICE] = { "ttttto", "ttttto", "tttttt", "tttttt",
	    "tttttt", "tttttt" },
};

static void
cmd_every_cell(void **state)
{
	int who, from, to;

	(void)state;
	for (who = 0; who < 2; who++)
		for (from = 0; from < CMD_STATUS_COUNT; from++)
			for (to = 0; to < CMD_STATUS_COUNT; to++) {
				char c = cmd_rows[who][from][to];
				enum cmd_refusal why = CMD_REFUSE_STATE;
				int want = -1, got;
				enum cmd_refusal want_why = CMD_REFUSE_STATE;

				switch (c) {
				case 'p':
					want = CMD_FX_START | CMD_FX_EVENT;
					break;
				case '0':
					want = CMD_FX_START;
					break;
				case 'e':
					want = CMD_FX_START | CMD_FX_DONE |
					    CMD_FX_EVENT;
					break;
				case 'o':
					want = CMD_FX_DONE | CMD_FX_EVENT;
					break;
				case 'r':
					want_why = CMD_REFUSE_REQUEST;
					break;
				case 'T':
					want_why = CMD_REFUSE_TERMINAL;
					break;
				default:
					break;
				}
				got = cmd_fsm_step((enum cmd_status)from,
				    (enum cmd_status)to, (enum cmd_actor)who,
				    &why);
				if (got != want || (got < 0 && why != want_why))
					fail_msg("actor %d %s -> %s: want %d/%d,"
					    " got %d/%d", who, cmd_status_name(
					    (enum cmd_status)from),
					    cmd_status_name((enum cmd_status)to),
					    want, want_why, got, why);
			}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(job_every_cell),
		cmocka_unit_test(job_done_rule),
		cmocka_unit_test(member_every_cell),
		cmocka_unit_test(cmd_every_cell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
