/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job rules the engine decides (engine/job.c) on a real store in a
 * temporary folder: CancelJob with and without force, SNAPSHOT
 * completion, and a schema without triggers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "store/sqlite_int.h"
#include "store/store.h"
#include "store/store_job.h"

#define T0	1767225600

static char dir[] = "/tmp/iotjobs-test-rules-XXXXXX";
static const char prefix[] = "arn:aws:iot:us-east-1:123456789012:";
static struct store *st;

static int64_t
q(const char *sql, const char *arg)
{
	struct store_tx *tx;
	struct err err;
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	s = sq_stmt(tx, sql);
	if (arg != NULL)
		sq_bind_text(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	assert_int_equal(store_end(tx, true, &err), 0);
	return v;
}

/* Job ID, SELECTION, on things a and b (both QUEUED). */
static void
job_add(const char *id, const char *selection)
{
	struct store_job job;
	struct store_tx *tx;
	struct err err;
	char a[256], b[256];

	err_clear(&err);
	memset(&job, 0, sizeof(job));
	snprintf(job.job_id, sizeof(job.job_id), "%s", id);
	job.status = JOB_IN_PROGRESS;
	snprintf(job.target_selection, sizeof(job.target_selection), "%s",
	    selection);
	job.config = json_object();
	snprintf(a, sizeof(a), "%sthing/a", prefix);
	snprintf(b, sizeof(b), "%sthing/b", prefix);
	job.targets = json_pack("[s,s]", a, b);
	job.created_at = job.last_updated_at = T0;
	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	assert_int_equal(store_job_insert(tx, &job, &err), 0);
	assert_int_equal(engine_job_created(tx, id, prefix, T0, &err), 0);
	assert_int_equal(store_end(tx, true, &err), 0);
	store_job_release(&job);
}

static int
cancel(const char *id, bool force, struct err *err)
{
	struct store_tx *tx;
	int rc;

	err_clear(err);
	assert_int_equal(store_begin(st, true, &tx, err), 0);
	rc = engine_job_cancel(tx, id, force, NULL, NULL, T0 + 1, err);
	store_end(tx, rc == 0, NULL);
	return rc;
}

static int
setup(void **state)
{
	struct err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(dir, &st, &err), 0);
	q("INSERT INTO things (name, thing_id, created_at) VALUES"
	    " ('a', 'a', 0), ('b', 'b', 0)", NULL);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
schema_has_no_trigger(void **state)
{
	(void)state;
	assert_int_equal(q("SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'trigger'", NULL), 0);
}

static void
cancel_without_then_with_force(void **state)
{
	struct err err;

	(void)state;
	job_add("c1", "SNAPSHOT");
	q("UPDATE executions SET status = 'IN_PROGRESS' WHERE job_id = ?1"
	    " AND thing_name = 'a'", "c1");
	q("UPDATE jobs SET n_queued = 1, n_in_progress = 1 WHERE job_id = ?1",
	    "c1");
	assert_int_equal(cancel("c1", false, &err), 0);
	/* QUEUED -> CANCELED, not forced; IN_PROGRESS left running. */
	assert_int_equal(q("SELECT count(*) FROM executions WHERE job_id = ?1"
	    " AND status = 'CANCELED' AND force_canceled = 0", "c1"), 1);
	assert_int_equal(q("SELECT count(*) FROM executions WHERE job_id = ?1"
	    " AND status = 'IN_PROGRESS'", "c1"), 1);
	assert_int_equal(q("SELECT force_canceled FROM jobs WHERE job_id = ?1",
	    "c1"), 0);
	assert_int_equal(q("SELECT status = 'CANCELED' FROM jobs"
	    " WHERE job_id = ?1", "c1"), 1);
	/* A CANCELED job again, without force: refused. */
	assert_int_equal(cancel("c1", false, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_REQUEST);
	/* With force: the IN_PROGRESS one goes, forced; the job is forced. */
	assert_int_equal(cancel("c1", true, &err), 0);
	assert_int_equal(q("SELECT count(*) FROM executions WHERE job_id = ?1"
	    " AND status = 'CANCELED' AND force_canceled = 1", "c1"), 1);
	assert_int_equal(q("SELECT count(*) FROM executions WHERE job_id = ?1"
	    " AND status = 'IN_PROGRESS'", "c1"), 0);
	assert_int_equal(q("SELECT force_canceled FROM jobs WHERE job_id = ?1",
	    "c1"), 1);
	assert_int_equal(q("SELECT n_canceled FROM jobs WHERE job_id = ?1",
	    "c1"), 2);
}

static void
cancel_forced_at_once(void **state)
{
	struct err err;

	(void)state;
	job_add("c2", "SNAPSHOT");
	assert_int_equal(cancel("c2", true, &err), 0);
	/* force=true marks the QUEUED ones it cancels too. */
	assert_int_equal(q("SELECT count(*) FROM executions WHERE job_id = ?1"
	    " AND status = 'CANCELED' AND force_canceled = 1", "c2"), 2);
}

/* Executions of ID on thing THING become SUCCEEDED through the engine. */
static void
finish(const char *id, const char *thing)
{
	struct store_tx *tx;
	struct err err;

	q("UPDATE executions SET status = 'SUCCEEDED' WHERE job_id = ?1"
	    " AND thing_name = '" "a" "'", id);
	(void)thing;
	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	assert_int_equal(engine_count_move(tx, id, EXEC_QUEUED, EXEC_SUCCEEDED,
	    T0 + 2, &err), 0);
	assert_int_equal(store_end(tx, true, &err), 0);
}

static void
snapshot_completes_when_nothing_pending(void **state)
{
	struct err err;

	(void)state;
	job_add("s1", "SNAPSHOT");
	finish("s1", "a");
	/* b still QUEUED: not done. */
	assert_int_equal(q("SELECT status = 'IN_PROGRESS' FROM jobs"
	    " WHERE job_id = ?1", "s1"), 1);
	q("UPDATE executions SET status = 'SUCCEEDED' WHERE job_id = ?1"
	    " AND thing_name = 'b'", "s1");
	{
		struct store_tx *tx;

		assert_int_equal(store_begin(st, true, &tx, &err), 0);
		assert_int_equal(engine_count_move(tx, "s1", EXEC_QUEUED,
		    EXEC_SUCCEEDED, T0 + 3, &err), 0);
		assert_int_equal(store_end(tx, true, &err), 0);
	}
	assert_int_equal(q("SELECT status = 'COMPLETED' FROM jobs"
	    " WHERE job_id = ?1", "s1"), 1);
	assert_int_equal(q("SELECT completed_at FROM jobs WHERE job_id = ?1",
	    "s1"), T0 + 3);
	/* A COMPLETED job is never canceled. */
	assert_int_equal(cancel("s1", true, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_REQUEST);
}

static void
continuous_never_completes(void **state)
{
	struct store_tx *tx;
	struct err err;

	(void)state;
	job_add("k1", "CONTINUOUS");
	q("UPDATE executions SET status = 'SUCCEEDED' WHERE job_id = ?1", "k1");
	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	assert_int_equal(engine_count_refresh(tx, "k1", T0 + 2, &err), 0);
	assert_int_equal(store_end(tx, true, &err), 0);
	assert_int_equal(q("SELECT status = 'IN_PROGRESS' FROM jobs"
	    " WHERE job_id = ?1", "k1"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(schema_has_no_trigger),
		cmocka_unit_test(cancel_without_then_with_force),
		cmocka_unit_test(cancel_forced_at_once),
		cmocka_unit_test(snapshot_completes_when_nothing_pending),
		cmocka_unit_test(continuous_never_completes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
