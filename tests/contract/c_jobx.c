/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Jobs as the engine sees them (store_job.h): targets and updates, the
 * status step that applies only from its expected status, the engine row
 * and its wake-ups (earliest first), the rollout queue (name order,
 * positions, batches that each give one execution), the CONTINUOUS jobs a
 * group member reaches (not once stopped), and the engine's own values.
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_exec.h"
#include "store/store_job.h"
#include "store/store_thing.h"

/* Creates group NAME under PARENT ("" a root); its id into ID (may be
 * NULL). */
static void
jx_group(struct store *st, const char *name, const char *parent, char *id)
{
	struct store_tx *tx = c_begin(st, true);

	c_group_put(tx, name, parent, id);
	c_commit(tx);
}

static void
jx_member(struct store *st, const char *group, const char *thing)
{
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	bool added;

	assert_int_equal(store_member_add(tx, group, thing, &added, &err), 0);
	assert_true(added);
	c_commit(tx);
}

/* Targets exist or not; targets_add appends; a group found by its id. */
static void
jobx_targets(void **state)
{
	struct store *st = *state;
	struct store_job j = { 0 };
	struct store_tx *tx;
	struct err err;
	char gid[STORE_ID_LEN + 1], name[129];
	json_t *more;

	c_thing(st, "tg-t");
	jx_group(st, "tg-g", "", gid);
	tx = c_begin(st, false);
	assert_int_equal(store_job_target_exists(tx, false, "tg-t", &err), 1);
	assert_int_equal(store_job_target_exists(tx, true, "tg-g", &err), 1);
	assert_int_equal(store_job_target_exists(tx, true, "tg-t", &err), 0);
	assert_int_equal(store_job_target_exists(tx, false, "tg-g", &err), 0);
	assert_int_equal(store_job_target_exists(tx, false, "nope", &err), 0);
	assert_int_equal(store_job_group_by_id(tx, gid, name, &err), 1);
	assert_string_equal(name, "tg-g");
	assert_int_equal(store_job_group_by_id(tx, "no-such-id", name, &err),
	    0);
	c_rollback(tx);

	c_job_insert(st, "tg", "CONTINUOUS", "[\"" C_THING_ARN "tg-t\"]", 100,
	    false);
	tx = c_begin(st, true);
	more = json_loads("[\"" C_GROUP_ARN "tg-g\",\"" C_THING_ARN "tg-x\"]",
	    0, NULL);
	assert_int_equal(store_job_targets_add(tx, "tg", more, &err), 0);
	json_decref(more);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_job_get(tx, "tg", &j, &err), 1);
	assert_int_equal(c_len(j.targets), 3);
	assert_string_equal(c_str(j.targets, 0), C_THING_ARN "tg-t");
	assert_string_equal(c_str(j.targets, 1), C_GROUP_ARN "tg-g");
	assert_string_equal(c_str(j.targets, 2), C_THING_ARN "tg-x");
	store_job_release(&j);
	c_rollback(tx);
}

/* Update writes its members only; updating a missing job creates none. */
static void
jobx_update(void **state)
{
	struct store *st = *state;
	struct store_job j = { 0 };
	struct store_tx *tx;
	struct err err;

	c_job_insert(st, "up", "SNAPSHOT", "[]", 100, false);
	tx = c_begin(st, true);
	assert_int_equal(store_job_get(tx, "up", &j, &err), 1);
	free(j.description);
	j.description = strdup("new words");
	free(j.comment);
	j.comment = strdup("why");
	json_object_set_new(j.config, "namespaceId", json_string("ns1"));
	j.last_updated_at = 250;
	/* Not written by an update: */
	j.status = JOB_CANCELED;
	j.created_at = 7;
	assert_int_equal(store_job_update(tx, &j, &err), 0);
	store_job_release(&j);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_job_get(tx, "up", &j, &err), 1);
	assert_string_equal(j.description, "new words");
	assert_string_equal(j.comment, "why");
	assert_string_equal(json_string_value(json_object_get(j.config,
	    "namespaceId")), "ns1");
	assert_int_equal(j.last_updated_at, 250);
	assert_string_equal(job_status_name(j.status), "IN_PROGRESS");
	assert_int_equal(j.created_at, 100);
	snprintf(j.job_id, sizeof(j.job_id), "up-missing");
	assert_int_equal(store_job_update(tx, &j, &err), 0);
	store_job_release(&j);
	assert_int_equal(store_job_get(tx, "up-missing", NULL, &err), 0);
	c_commit(tx);
}

/* A status step applies once, from its expected status only. */
static void
jobx_status_step(void **state)
{
	struct store *st = *state;
	struct store_job_step step = { 0 };
	struct store_job j = { 0 };
	struct store_tx *tx;
	struct err err;
	bool applied = true;

	c_job_insert(st, "ss", "SNAPSHOT", "[]", 100, false);
	step.from = JOB_IN_PROGRESS;
	step.to = JOB_CANCELED;
	step.done = true;
	step.forced = true;
	step.reason_code = "R1";
	step.comment = "C1";
	tx = c_begin(st, true);
	assert_int_equal(store_job_status_set(tx, "ss", &step, 300, &applied,
	    &err), 0);
	assert_true(applied);
	/* The job is no longer IN_PROGRESS: the same step changes nothing. */
	step.reason_code = "R2";
	assert_int_equal(store_job_status_set(tx, "ss", &step, 400, &applied,
	    &err), 0);
	assert_false(applied);
	assert_int_equal(store_job_status_set(tx, "ss-missing", &step, 400,
	    &applied, &err), 0);
	assert_false(applied);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_job_get(tx, "ss", &j, &err), 1);
	assert_string_equal(job_status_name(j.status), "CANCELED");
	assert_int_equal(j.completed_at, 300);
	assert_int_equal(j.last_updated_at, 300);
	assert_true(j.force_canceled);
	assert_string_equal(j.reason_code, "R1");
	assert_string_equal(j.comment, "C1");
	store_job_release(&j);
	/* NULL reason and comment keep what is there. */
	step.from = JOB_CANCELED;
	step.to = JOB_DELETION_IN_PROGRESS;
	step.done = false;
	step.forced = false;
	step.reason_code = NULL;
	step.comment = NULL;
	assert_int_equal(store_job_status_set(tx, "ss", &step, 500, &applied,
	    &err), 0);
	assert_true(applied);
	assert_int_equal(store_job_get(tx, "ss", &j, &err), 1);
	assert_string_equal(job_status_name(j.status), "DELETION_IN_PROGRESS");
	assert_int_equal(j.completed_at, 300);
	assert_true(j.force_canceled);
	assert_string_equal(j.reason_code, "R1");
	assert_string_equal(j.comment, "C1");
	store_job_release(&j);
	c_commit(tx);
}

/* Progress: pending executions, selection, the queue; 0 without a job. */
static void
jobx_progress(void **state)
{
	struct store *st = *state;
	struct store_job_progress p;
	struct store_tx *tx;
	struct err err;

	c_thing(st, "pg-1");
	c_thing(st, "pg-2");
	c_job(st, "pg", "SNAPSHOT", "[\"" C_THING_ARN "pg-1\",\"" C_THING_ARN
	    "pg-2\"]", 100);
	c_job_insert(st, "pc", "CONTINUOUS", "[\"" C_THING_ARN "pg-1\"]", 100,
	    false);
	tx = c_begin(st, true);
	assert_int_equal(store_job_progress_get(tx, "pg", &p, &err), 1);
	assert_int_equal(p.status, JOB_IN_PROGRESS);
	assert_true(p.snapshot);
	assert_int_equal(p.pending, 2);
	assert_false(p.waiting);
	assert_int_equal(store_job_progress_get(tx, "pc", &p, &err), 1);
	assert_false(p.snapshot);
	assert_int_equal(p.pending, 0);
	assert_false(p.waiting);
	assert_int_equal(store_job_plan_thing(tx, "pc", "pg-1", &err), 0);
	assert_int_equal(store_job_progress_get(tx, "pc", &p, &err), 1);
	assert_true(p.waiting);
	assert_int_equal(store_job_progress_get(tx, "nojob", &p, &err), 0);
	c_commit(tx);
}

/* Sets job ID's wake-up to AT through the engine row. */
static void
jx_wake(struct store_tx *tx, const char *id, int64_t at)
{
	struct store_job_engine e;
	struct err err;

	assert_int_equal(store_job_engine_get(tx, id, &e, &err), 1);
	e.wake_at = at;
	assert_int_equal(store_job_engine_put(tx, &e, 100, &err), 0);
	store_job_engine_release(&e);
}

/* The engine row round trip: deadlines and rollout state, not counters. */
static void
jobx_engine_row(void **state)
{
	struct store *st = *state;
	struct store_job_engine e, back;
	struct store_job j = { 0 };
	struct store_tx *tx;
	struct err err;

	c_thing(st, "en-1");
	c_job(st, "en", "SNAPSHOT", "[\"" C_THING_ARN "en-1\"]", 100);
	tx = c_begin(st, true);
	assert_int_equal(store_job_engine_get(tx, "nojob", &e, &err), 0);
	assert_int_equal(store_job_engine_get(tx, "en", &e, &err), 1);
	assert_string_equal(e.job_id, "en");
	assert_string_equal(job_status_name(e.status), "IN_PROGRESS");
	assert_string_equal(e.target_selection, "SNAPSHOT");
	assert_true(json_is_object(e.config));
	assert_int_equal(e.counts[0], 1);
	assert_int_equal(e.start_at, 0);
	assert_int_equal(e.paused_at, 0);
	e.status = JOB_SCHEDULED;
	e.start_at = 1000;
	e.end_at = 2000;
	e.rollout_at = 1500;
	e.rollout_rate = 2.5;
	e.rollout_mark = 4;
	e.rollout_stopped = true;
	e.wake_at = 1000;
	e.counts[0] = 99;	/* not written */
	e.rollout_sent = 77;	/* not written */
	assert_int_equal(store_job_engine_put(tx, &e, 600, &err), 0);
	store_job_engine_release(&e);
	c_commit(tx);

	tx = c_begin(st, false);
	assert_int_equal(store_job_engine_get(tx, "en", &back, &err), 1);
	assert_string_equal(job_status_name(back.status), "SCHEDULED");
	assert_int_equal(back.start_at, 1000);
	assert_int_equal(back.end_at, 2000);
	assert_int_equal(back.rollout_at, 1500);
	assert_true(back.rollout_rate > 2.49 && back.rollout_rate < 2.51);
	assert_int_equal(back.rollout_mark, 4);
	assert_true(back.rollout_stopped);
	assert_int_equal(back.counts[0], 1);
	assert_int_equal(back.rollout_sent, 0);
	assert_int_equal(back.waiting, 0);
	store_job_engine_release(&back);
	assert_int_equal(store_job_get(tx, "en", &j, &err), 1);
	assert_int_equal(j.last_updated_at, 600);
	store_job_release(&j);
	c_rollback(tx);

	/* Pause and resume touch paused_at and paused_by only. */
	tx = c_begin(st, true);
	assert_int_equal(store_job_pause_set(tx, "en", 700, "ops", &err), 0);
	assert_int_equal(store_job_engine_get(tx, "en", &back, &err), 1);
	assert_int_equal(back.paused_at, 700);
	assert_string_equal(back.paused_by, "ops");
	assert_string_equal(job_status_name(back.status), "SCHEDULED");
	assert_int_equal(back.start_at, 1000);
	store_job_engine_release(&back);
	assert_int_equal(store_job_pause_set(tx, "en", 0, NULL, &err), 0);
	assert_int_equal(store_job_engine_get(tx, "en", &back, &err), 1);
	assert_int_equal(back.paused_at, 0);
	assert_string_equal(back.paused_by, "");
	store_job_engine_release(&back);
	c_commit(tx);
}

/* Due jobs come earliest first, limited; the next wake-up follows. */
static void
jobx_due_and_wake(void **state)
{
	struct store *st = *state;
	struct store_job_step step = { 0 };
	char ids[4][STORE_JOB_ID_MAX + 1];
	struct store_tx *tx;
	struct err err;
	int64_t at = -1;
	bool applied;
	int n = -1;

	tx = c_begin(st, false);
	assert_int_equal(store_job_next_wake(tx, &at, &err), 0);
	assert_int_equal(at, 0);
	assert_int_equal(store_job_due(tx, 1000000, 4, ids, &n, &err), 0);
	assert_int_equal(n, 0);
	c_rollback(tx);

	c_job_insert(st, "w300", "SNAPSHOT", "[]", 1, false);
	c_job_insert(st, "w100", "SNAPSHOT", "[]", 2, false);
	c_job_insert(st, "w200", "SNAPSHOT", "[]", 3, false);
	c_job_insert(st, "w0", "SNAPSHOT", "[]", 4, false);
	tx = c_begin(st, true);
	jx_wake(tx, "w300", 300);
	jx_wake(tx, "w100", 100);
	jx_wake(tx, "w200", 200);
	c_commit(tx);

	tx = c_begin(st, false);
	assert_int_equal(store_job_next_wake(tx, &at, &err), 0);
	assert_int_equal(at, 100);
	assert_int_equal(store_job_due(tx, 250, 4, ids, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], "w100");
	assert_string_equal(ids[1], "w200");
	assert_int_equal(store_job_due(tx, 300, 1, ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "w100");
	assert_int_equal(store_job_due(tx, 99, 4, ids, &n, &err), 0);
	assert_int_equal(n, 0);
	c_rollback(tx);

	/* Clearing a wake-up, and a step that stops the deadlines. */
	tx = c_begin(st, true);
	jx_wake(tx, "w100", 0);
	assert_int_equal(store_job_next_wake(tx, &at, &err), 0);
	assert_int_equal(at, 200);
	step.from = JOB_IN_PROGRESS;
	step.to = JOB_CANCELED;
	step.stop = true;
	assert_int_equal(store_job_status_set(tx, "w200", &step, 400,
	    &applied, &err), 0);
	assert_true(applied);
	assert_int_equal(store_job_next_wake(tx, &at, &err), 0);
	assert_int_equal(at, 300);
	assert_int_equal(store_job_due(tx, 1000, 4, ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "w300");
	c_commit(tx);
}

/* Collects queue things into a JSON array; stops after STOP of them. */
struct jx_walk {
	json_t *seen;
	size_t stop;
};

static int
jx_collect(void *arg, const char *thing)
{
	struct jx_walk *w = arg;

	json_array_append_new(w->seen, json_string(thing));
	return json_array_size(w->seen) == w->stop ? -1 : 0;
}

static json_t *
jx_queue(struct store_tx *tx, const char *job_id, size_t stop)
{
	struct jx_walk w = { json_array(), stop };
	struct err err;

	assert_int_equal(store_job_queue_things(tx, job_id, jx_collect, &w,
	    &err), 0);
	return w.seen;
}

static int64_t
jx_pos(struct store_tx *tx, const char *job_id, const char *thing)
{
	struct err err;
	int64_t pos = -1;

	assert_int_equal(store_job_queue_position(tx, job_id, thing, &pos,
	    &err), 0);
	return pos;
}

/* The rollout queue: name order, positions, batches, appends, drops. */
static void
jobx_rollout_queue(void **state)
{
	struct store *st = *state;
	struct store_job_engine e;
	struct store_exec ex = { 0 };
	struct store_tx *tx;
	struct err err;
	json_t *q;
	int64_t n = -1;

	c_thing(st, "rq-c");
	c_thing(st, "rq-a");
	c_thing(st, "rq-d");
	c_thing(st, "rq-b");
	c_job(st, "done", "SNAPSHOT", "[\"" C_THING_ARN "rq-d\"]", 1);
	c_job_insert(st, "rq", "SNAPSHOT", "[\"" C_THING_ARN "rq-c\",\"" C_THING_ARN
	    "rq-a\",\"" C_THING_ARN "rq-b\",\"" C_THING_ARN "rq-none\"]", 2, false);
	/* rq-d has an execution of "rq" already: it is not planned. */
	tx = c_begin(st, true);
	q = json_pack("[s]", C_THING_ARN "rq-d");
	assert_int_equal(store_job_targets_add(tx, "rq", q, &err), 0);
	json_decref(q);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_job_release_batch(tx, "rq", -1, 5, &n, &err),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(store_job_plan_thing(tx, "rq", "rq-d", &err), 0);
	assert_int_equal(store_job_release_batch(tx, "rq", -1, 5, &n, &err),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(store_job_plan_targets(tx, "rq", C_ARN, &err), 0);
	c_commit(tx);

	tx = c_begin(st, true);
	q = jx_queue(tx, "rq", 0);
	assert_int_equal(c_len(q), 3);
	assert_string_equal(c_str(q, 0), "rq-a");
	assert_string_equal(c_str(q, 1), "rq-b");
	assert_string_equal(c_str(q, 2), "rq-c");
	json_decref(q);
	q = jx_queue(tx, "rq", 1);
	assert_int_equal(c_len(q), 1);
	json_decref(q);
	assert_int_equal(jx_pos(tx, "rq", "rq-a"), 1);
	assert_int_equal(jx_pos(tx, "rq", "rq-c"), 3);
	assert_int_equal(jx_pos(tx, "rq", "rq-d"), 0);
	assert_int_equal(jx_pos(tx, "rq", "rq-none"), 0);
	assert_int_equal(store_job_engine_get(tx, "rq", &e, &err), 1);
	assert_int_equal(e.waiting, 3);
	assert_int_equal(e.counts[0], 1);
	store_job_engine_release(&e);

	/* A batch of two: executions queued at NOW, counters, positions. */
	assert_int_equal(store_job_release_batch(tx, "rq", 2, 50, &n, &err),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(store_exec_get(tx, "rq-a", "rq", -1, false, &ex,
	    &err), 1);
	assert_int_equal(ex.status, EXEC_QUEUED);
	assert_int_equal(ex.execution_number, 1);
	assert_int_equal(ex.queued_at, 50);
	store_exec_release(&ex);
	assert_int_equal(store_exec_get(tx, "rq-c", "rq", -1, false, &ex,
	    &err), 0);
	assert_int_equal(jx_pos(tx, "rq", "rq-c"), 1);
	assert_int_equal(jx_pos(tx, "rq", "rq-a"), 0);
	assert_int_equal(store_job_engine_get(tx, "rq", &e, &err), 1);
	assert_int_equal(e.waiting, 1);
	assert_int_equal(e.counts[0], 3);
	assert_int_equal(e.rollout_sent, 3);
	store_job_engine_release(&e);

	/* Appended at the end; a second release numbers after the first. */
	assert_int_equal(store_job_plan_thing(tx, "rq", "rq-a", &err), 0);
	assert_int_equal(jx_pos(tx, "rq", "rq-a"), 2);
	assert_int_equal(store_job_release_batch(tx, "rq", -1, 60, &n, &err),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(store_exec_get(tx, "rq-a", "rq", 2, false, &ex,
	    &err), 1);
	assert_int_equal(ex.queued_at, 60);
	store_exec_release(&ex);
	assert_int_equal(store_job_release_batch(tx, "rq", -1, 70, &n, &err),
	    0);
	assert_int_equal(n, 0);

	/* Drops: one thing's row, then the whole queue. */
	assert_int_equal(store_job_plan_thing(tx, "rq", "rq-b", &err), 0);
	assert_int_equal(store_job_plan_thing(tx, "rq", "rq-c", &err), 0);
	assert_int_equal(store_job_plan_thing(tx, "done", "rq-c", &err), 0);
	assert_int_equal(store_job_rollout_drop(tx, "rq", "rq-b", &err), 0);
	assert_int_equal(jx_pos(tx, "rq", "rq-b"), 0);
	assert_int_equal(jx_pos(tx, "rq", "rq-c"), 1);
	assert_int_equal(store_job_rollout_drop(tx, "rq", NULL, &err), 0);
	q = jx_queue(tx, "rq", 0);
	assert_int_equal(c_len(q), 0);
	json_decref(q);
	/* Another job's queue is its own. */
	assert_int_equal(jx_pos(tx, "done", "rq-c"), 1);
	c_commit(tx);
}

/* CONTINUOUS jobs a group member reaches, through ancestors; reach. */
static void
jobx_member_reach(void **state)
{
	struct store *st = *state;
	struct store_job_step step = { 0 };
	struct store_member_job *jobs = NULL;
	struct store_job_engine e;
	struct store_tx *tx;
	struct err err;
	char via[256];
	size_t n = 9;
	bool any = false, applied;

	jx_group(st, "mr-top", "", NULL);
	jx_group(st, "mr-mid", "mr-top", NULL);
	c_thing(st, "mr-t");
	c_thing(st, "mr-lone");
	c_job_insert(st, "mr-cont", "CONTINUOUS", "[\"" C_GROUP_ARN "mr-top\"]",
	    1, false);
	c_job_insert(st, "mr-snap", "SNAPSHOT", "[\"" C_GROUP_ARN "mr-top\"]",
	    2, false);
	c_job_insert(st, "mr-thing", "SNAPSHOT", "[\"" C_THING_ARN "mr-lone\"]",
	    3, false);
	jx_member(st, "mr-mid", "mr-t");

	tx = c_begin(st, true);
	assert_int_equal(store_job_continuous_targets(tx, C_GROUP_ARN "mr-top",
	    &any, &err), 0);
	assert_true(any);
	assert_int_equal(store_job_continuous_targets(tx, C_GROUP_ARN "mr-mid",
	    &any, &err), 0);
	assert_false(any);
	assert_int_equal(store_job_member_jobs(tx, C_GROUP_ARN "mr-mid",
	    "mr-t", &jobs, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(jobs[0].job_id, "mr-cont");
	assert_false(jobs[0].waiting);
	assert_false(jobs[0].has_last);
	free(jobs);
	assert_int_equal(store_job_plan_thing(tx, "mr-cont", "mr-t", &err), 0);
	assert_int_equal(store_job_member_jobs(tx, C_GROUP_ARN "mr-mid",
	    "mr-t", &jobs, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_true(jobs[0].waiting);
	free(jobs);
	assert_int_equal(store_job_member_jobs(tx, C_THING_ARN "mr-t", "mr-t",
	    &jobs, &n, &err), 0);
	assert_int_equal(n, 0);
	free(jobs);

	assert_int_equal(store_job_reaches(tx, "mr-snap", C_ARN, "mr-t",
	    &err), 1);
	assert_int_equal(store_job_reach_via(tx, "mr-snap", C_ARN, "mr-t", via,
	    sizeof(via), &err), 1);
	assert_string_equal(via, C_GROUP_ARN "mr-top");
	assert_int_equal(store_job_reach_via(tx, "mr-thing", C_ARN, "mr-lone",
	    via, sizeof(via), &err), 1);
	assert_string_equal(via, C_THING_ARN "mr-lone");
	assert_int_equal(store_job_reaches(tx, "mr-snap", C_ARN, "mr-lone",
	    &err), 0);
	assert_int_equal(store_job_reaches(tx, "mr-thing", C_ARN, "mr-t",
	    &err), 0);
	assert_int_equal(store_member_remove(tx, "mr-mid", "mr-t", &err), 0);
	assert_int_equal(store_job_reaches(tx, "mr-snap", C_ARN, "mr-t",
	    &err), 0);
	assert_int_equal(store_member_add(tx, "mr-mid", "mr-t", &applied,
	    &err), 0);

	/* A stopped rollout gives members nothing. */
	assert_int_equal(store_job_engine_get(tx, "mr-cont", &e, &err), 1);
	e.rollout_stopped = true;
	assert_int_equal(store_job_engine_put(tx, &e, 8, &err), 0);
	assert_int_equal(store_job_member_jobs(tx, C_GROUP_ARN "mr-mid",
	    "mr-t", &jobs, &n, &err), 0);
	assert_int_equal(n, 0);
	free(jobs);
	e.rollout_stopped = false;
	assert_int_equal(store_job_engine_put(tx, &e, 8, &err), 0);
	store_job_engine_release(&e);
	assert_int_equal(store_job_member_jobs(tx, C_GROUP_ARN "mr-mid",
	    "mr-t", &jobs, &n, &err), 0);
	assert_int_equal(n, 1);
	free(jobs);

	/* Once the job is no longer IN_PROGRESS, members get nothing. */
	step.from = JOB_IN_PROGRESS;
	step.to = JOB_CANCELED;
	assert_int_equal(store_job_status_set(tx, "mr-cont", &step, 9,
	    &applied, &err), 0);
	assert_int_equal(store_job_continuous_targets(tx, C_GROUP_ARN "mr-top",
	    &any, &err), 0);
	assert_false(any);
	assert_int_equal(store_job_member_jobs(tx, C_GROUP_ARN "mr-mid",
	    "mr-t", &jobs, &n, &err), 0);
	assert_int_equal(n, 0);
	free(jobs);
	c_commit(tx);
}

/* The engine's values: absent, put, overwritten, kept only on commit. */
static void
jobx_engine_values(void **state)
{
	struct store *st = *state;
	struct store_tx *tx;
	struct err err;
	int64_t v = -7;

	tx = c_begin(st, true);
	assert_int_equal(store_engine_get(tx, "k1", &v, &err), 0);
	assert_int_equal(store_engine_put(tx, "k1", 5, &err), 0);
	assert_int_equal(store_engine_put(tx, "k1", 6, &err), 0);
	assert_int_equal(store_engine_put(tx, "k2", -1, &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_engine_get(tx, "k1", &v, &err), 1);
	assert_int_equal(v, 6);
	assert_int_equal(store_engine_get(tx, "k2", &v, &err), 1);
	assert_int_equal(v, -1);
	assert_int_equal(store_engine_put(tx, "k1", 8, &err), 0);
	assert_int_equal(store_engine_put(tx, "k3", 8, &err), 0);
	c_rollback(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_engine_get(tx, "k1", &v, &err), 1);
	assert_int_equal(v, 6);
	assert_int_equal(store_engine_get(tx, "k3", &v, &err), 0);
	c_rollback(tx);
}

static const struct CMUnitTest tests[] = {
	C_CASE(jobx_targets),
	C_CASE(jobx_update),
	C_CASE(jobx_status_step),
	C_CASE(jobx_progress),
	C_CASE(jobx_engine_row),
	C_CASE(jobx_due_and_wake),
	C_CASE(jobx_rollout_queue),
	C_CASE(jobx_member_reach),
	C_CASE(jobx_engine_values),
};

C_AREA(c_area_jobx, "jobx", tests);
