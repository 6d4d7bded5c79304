/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command executions (store_command.h): the status kept as the enum it
 * was written as, the ListCommandExecutions status filter, and the
 * timer's reads, which see the executions not yet terminal only: the
 * earliest deadline among them and the due ones in deadline order.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_command.h"

/* Inserts execution ID of command "cmd" in STATUS, timing out at AT. */
static void
cx_put(struct store *st, const char *id, enum cmd_status status, int64_t at)
{
	struct store_cmd_exec e;
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	memset(&e, 0, sizeof(e));
	snprintf(e.execution_id, sizeof(e.execution_id), "%s", id);
	snprintf(e.command_id, sizeof(e.command_id), "cmd");
	snprintf(e.namespace, sizeof(e.namespace), "AWS-IoT");
	snprintf(e.target_arn, sizeof(e.target_arn), C_THING_ARN "%s", id);
	e.status = status;
	e.timeout_sec = 10;
	e.request = (char *)"{}";
	e.created_at = e.last_updated_at = 100;
	e.timeout_at = at;
	assert_int_equal(store_cmd_exec_insert(tx, &e, &err), 0);
	c_commit(tx);
}

static void
cmd_exec_status_round_trip(void **state)
{
	struct store *st = *state;
	const enum cmd_status running = CMD_IN_PROGRESS;
	struct store_cmd_exec_query q;
	struct store_cmd_exec e, rows[4];
	struct store_tx *tx;
	struct err err;
	int64_t next;
	int i, n;

	cx_put(st, "x1", CMD_CREATED, 500);
	cx_put(st, "x2", CMD_CREATED, 500);
	tx = c_begin(st, true);
	assert_int_equal(store_cmd_exec_get(tx, "x1", &e, &err), 1);
	assert_int_equal(e.status, CMD_CREATED);
	e.status = CMD_IN_PROGRESS;
	e.started_at = e.last_updated_at = 200;
	assert_int_equal(store_cmd_exec_update(tx, &e, &err), 0);
	store_cmd_exec_release(&e);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_cmd_exec_get(tx, "x1", &e, &err), 1);
	assert_int_equal(e.status, CMD_IN_PROGRESS);
	assert_int_equal(e.started_at, 200);
	store_cmd_exec_release(&e);
	memset(&q, 0, sizeof(q));
	q.ascending = true;
	q.limit = 4;
	assert_int_equal(store_cmd_exec_list(tx, &q, rows, &n, &next, &err),
	    0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		store_cmd_exec_release(&rows[i]);
	q.status = &running;
	assert_int_equal(store_cmd_exec_list(tx, &q, rows, &n, &next, &err),
	    0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].execution_id, "x1");
	assert_int_equal(rows[0].status, CMD_IN_PROGRESS);
	store_cmd_exec_release(&rows[0]);
	c_rollback(tx);
}

static void
cmd_exec_timers_see_open_executions(void **state)
{
	struct store *st = *state;
	struct store_cmd_exec rows[4];
	struct store_tx *tx;
	struct err err;
	int64_t at;
	int i, n;

	cx_put(st, "done", CMD_SUCCEEDED, 200);
	cx_put(st, "late", CMD_TIMED_OUT, 250);
	cx_put(st, "run", CMD_IN_PROGRESS, 400);
	cx_put(st, "new", CMD_CREATED, 500);
	tx = c_begin(st, false);
	assert_int_equal(store_command_next_deadline(tx, &at, &err), 0);
	assert_int_equal(at, 400);
	assert_int_equal(store_cmd_exec_due(tx, 450, 4, rows, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].execution_id, "run");
	store_cmd_exec_release(&rows[0]);
	assert_int_equal(store_cmd_exec_due(tx, 600, 4, rows, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].execution_id, "run");
	assert_string_equal(rows[1].execution_id, "new");
	assert_int_equal(rows[1].status, CMD_CREATED);
	for (i = 0; i < n; i++)
		store_cmd_exec_release(&rows[i]);
	assert_int_equal(store_cmd_exec_due(tx, 150, 4, rows, &n, &err), 0);
	assert_int_equal(n, 0);
	c_rollback(tx);
}

static const struct CMUnitTest cases[] = {
	C_CASE(cmd_exec_status_round_trip),
	C_CASE(cmd_exec_timers_see_open_executions),
};

C_AREA(c_area_cmd_exec, "command executions", cases);
