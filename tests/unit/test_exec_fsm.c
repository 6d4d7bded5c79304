/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job-execution state machine (engine/exec_fsm.c): every cell of both
 * transition tables, with and without force, against an expectation
 * written out here independently of the implementation's table. Comments
 * cite the invariant numbers of exec_fsm.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "engine/exec_fsm.h"

/*
 * One row per (actor, from): eight characters, one per requested status in
 * enum order (QUEUED IN_PROGRESS SUCCEEDED FAILED TIMED_OUT REJECTED
 * REMOVED CANCELED):
 *   r  InvalidRequestException
 *   t  InvalidStateTransitionException
 *   s  allowed: START | COUNT
 *   e  allowed: STOP | COUNT
 *   0  allowed, no effect
 *   f  force=true: STOP | COUNT | FORCED; else InvalidStateTransition
 *   c  STOP | COUNT, and FORCED when force=true
 */
static const struct {
	enum exec_actor who;
	enum exec_status from;
	const char *to;		/* the eight cells */
	const char *why;	/* invariants */
} rows[] = {
	{ EXEC_BY_DEVICE, EXEC_QUEUED, "rseererr", "2, 4" },
	{ EXEC_BY_DEVICE, EXEC_IN_PROGRESS, "r0eererr", "2, 7, 8" },
	{ EXEC_BY_DEVICE, EXEC_SUCCEEDED, "tttttttt", "1" },
	{ EXEC_BY_DEVICE, EXEC_FAILED, "tttttttt", "1" },
	{ EXEC_BY_DEVICE, EXEC_TIMED_OUT, "tttttttt", "1" },
	{ EXEC_BY_DEVICE, EXEC_REJECTED, "tttttttt", "1" },
	{ EXEC_BY_DEVICE, EXEC_REMOVED, "tttttttt", "1" },
	{ EXEC_BY_DEVICE, EXEC_CANCELED, "tttttttt", "1" },
	{ EXEC_BY_SERVICE, EXEC_QUEUED, "trrrtrec", "3, 5, 6" },
	{ EXEC_BY_SERVICE, EXEC_IN_PROGRESS, "trrreref", "3, 5, 6, 7" },
	{ EXEC_BY_SERVICE, EXEC_SUCCEEDED, "tttttttt", "1" },
	{ EXEC_BY_SERVICE, EXEC_FAILED, "tttttttt", "1" },
	{ EXEC_BY_SERVICE, EXEC_TIMED_OUT, "tttttttt", "1" },
	{ EXEC_BY_SERVICE, EXEC_REJECTED, "tttttttt", "1" },
	{ EXEC_BY_SERVICE, EXEC_REMOVED, "tttttttt", "1" },
	{ EXEC_BY_SERVICE, EXEC_CANCELED, "tttttttt", "1" },
};

/* The outcome one cell must have: effects >= 0, or -1 and an error type. */
static void
expected(char cell, bool force, int *fx, const char **type)
{
	*type = NULL;
	switch (cell) {
	case 's':
		*fx = EXEC_FX_START | EXEC_FX_COUNT;
		break;
	case 'e':
		*fx = EXEC_FX_STOP | EXEC_FX_COUNT;
		break;
	case '0':
		*fx = 0;
		break;
	case 'f':
		*fx = force ? EXEC_FX_STOP | EXEC_FX_COUNT | EXEC_FX_FORCED :
		    -1;
		if (!force)
			*type = ERR_STATE_TRANSITION;
		break;
	case 'c':
		*fx = EXEC_FX_STOP | EXEC_FX_COUNT |
		    (force ? EXEC_FX_FORCED : 0);
		break;
	case 't':
		*fx = -1;
		*type = ERR_STATE_TRANSITION;
		break;
	default:
		*fx = -1;
		*type = ERR_INVALID_REQUEST;
		break;
	}
}

static void
every_cell_of_both_tables(void **state)
{
	size_t r;
	int to, f, checked = 0;

	(void)state;
	assert_int_equal(sizeof(rows) / sizeof(rows[0]),
	    2 * EXEC_STATUS_COUNT);
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		assert_int_equal(strlen(rows[r].to), EXEC_STATUS_COUNT);
		for (to = 0; to < EXEC_STATUS_COUNT; to++)
			for (f = 0; f < 2; f++) {
				struct err err;
				const char *type;
				int want, got;

				expected(rows[r].to[to], f, &want, &type);
				err_clear(&err);
				got = exec_fsm_step(rows[r].from,
				    (enum exec_status)to, rows[r].who, f, &err);
				if (got != want || (type != NULL &&
				    (err.type == NULL ||
				    strcmp(err.type, type) != 0))) {
					print_error("%s %s -> %s force=%d"
					    " (invariants %s): want %d %s,"
					    " got %d %s (%s)\n",
					    rows[r].who == EXEC_BY_DEVICE ?
					    "device" : "service",
					    exec_status_name(rows[r].from),
					    exec_status_name(
					    (enum exec_status)to), f,
					    rows[r].why, want,
					    type ? type : "-", got,
					    err.type ? err.type : "-",
					    err.msg);
					fail();
				}
				if (got >= 0)
					assert_null(err.type);
				else
					assert_true(err.msg[0] != '\0');
				checked++;
			}
	}
	assert_int_equal(checked, 2 * EXEC_STATUS_COUNT *
	    EXEC_STATUS_COUNT * 2);
}

/* Invariant 2: the message names the member and the device statuses. */
static void
device_status_error_names_the_member(void **state)
{
	struct err err;

	(void)state;
	err_clear(&err);
	assert_int_equal(exec_fsm_step(EXEC_IN_PROGRESS, EXEC_CANCELED,
	    EXEC_BY_DEVICE, false, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_REQUEST);
	assert_non_null(strstr(err.msg, "status"));
	assert_non_null(strstr(err.msg, "CANCELED"));
}

/* Invariant 1 before 2: a device status from a terminal one is 409. */
static void
terminal_beats_device_status(void **state)
{
	struct err err;

	(void)state;
	err_clear(&err);
	assert_int_equal(exec_fsm_step(EXEC_SUCCEEDED, EXEC_QUEUED,
	    EXEC_BY_DEVICE, false, &err), -1);
	assert_string_equal(err.type, ERR_STATE_TRANSITION);
	assert_non_null(strstr(err.msg, "terminal"));
}

/* Invariant 9: deletion, every status, with and without force. */
static void
delete_needs_terminal_or_force(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < EXEC_STATUS_COUNT; s++) {
		struct err err;
		bool term = s != EXEC_QUEUED && s != EXEC_IN_PROGRESS;

		err_clear(&err);
		assert_int_equal(exec_fsm_may_delete((enum exec_status)s,
		    true, &err), 0);
		err_clear(&err);
		if (term) {
			assert_int_equal(exec_fsm_may_delete(
			    (enum exec_status)s, false, &err), 0);
		} else {
			assert_int_equal(exec_fsm_may_delete(
			    (enum exec_status)s, false, &err), -1);
			assert_string_equal(err.type, ERR_STATE_TRANSITION);
		}
	}
}

static void
names_round_trip_and_classify(void **state)
{
	static const struct {
		const char *name;
		bool terminal, pending;
	} cases[] = {
		{ "QUEUED", false, true },
		{ "IN_PROGRESS", false, true },
		{ "SUCCEEDED", true, false },
		{ "FAILED", true, false },
		{ "TIMED_OUT", true, false },
		{ "REJECTED", true, false },
		{ "REMOVED", true, false },
		{ "CANCELED", true, false },
	};
	enum exec_status s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(exec_status_parse(cases[i].name, &s), 0);
		assert_int_equal(s, (int)i);
		assert_string_equal(exec_status_name(s), cases[i].name);
		assert_int_equal(exec_is_terminal(s), cases[i].terminal);
		assert_int_equal(exec_is_pending(s), cases[i].pending);
	}
	assert_int_equal(exec_status_parse("SUCCESS", &s), -1);
	assert_int_equal(exec_status_parse("queued", &s), -1);
	assert_int_equal(exec_status_parse("", &s), -1);
	assert_string_equal(exec_status_name(EXEC_STATUS_COUNT), "?");
	assert_false(exec_is_terminal(EXEC_STATUS_COUNT));
}

/*
 * The pending list is IN_PROGRESS then QUEUED, and the store walks it as
 * the sorted order of the names (an index on thing, status, id): the two
 * orders must stay one. Every pending status is in the set, once.
 */
static void
pending_order_is_name_order(void **state)
{
	int i, n = 0;

	(void)state;
	assert_int_equal(exec_pending[0], EXEC_IN_PROGRESS);
	assert_int_equal(exec_pending[1], EXEC_QUEUED);
	for (i = 1; i < EXEC_PENDING_COUNT; i++)
		if (strcmp(exec_status_name(exec_pending[i - 1]),
		    exec_status_name(exec_pending[i])) >= 0)
			fail_msg("%s sorts after %s",
			    exec_status_name(exec_pending[i - 1]),
			    exec_status_name(exec_pending[i]));
	for (i = 0; i < EXEC_STATUS_COUNT; i++)
		n += exec_is_pending((enum exec_status)i);
	assert_int_equal(n, EXEC_PENDING_COUNT);
	for (i = 0; i < EXEC_PENDING_COUNT; i++)
		assert_true(exec_is_pending(exec_pending[i]));
	n = 0;
	for (i = 0; i < CMD_STATUS_COUNT; i++)
		n += !cmd_is_terminal((enum cmd_status)i);
	assert_int_equal(n, CMD_OPEN_COUNT);
	for (i = 0; i < CMD_OPEN_COUNT; i++)
		assert_false(cmd_is_terminal(cmd_open[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_cell_of_both_tables),
		cmocka_unit_test(device_status_error_names_the_member),
		cmocka_unit_test(terminal_beats_device_status),
		cmocka_unit_test(delete_needs_terminal_or_force),
		cmocka_unit_test(names_round_trip_and_classify),
		cmocka_unit_test(pending_order_is_name_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
