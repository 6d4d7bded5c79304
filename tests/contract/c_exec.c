/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Job executions (store_exec.h) and the job counters (store_job.h): the
 * read-decide-write of StartNextPendingJobExecution claims each execution
 * once however many writers race, an update against an expected version
 * loses to the one that committed first, the counters kept step by step
 * equal a recount, and the pending list, pages, timers and retries.
 */
#include "contract.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "store/store_exec.h"
#include "store/store_job.h"

#define RACE_THINGS	8
#define RACE_JOBS	3
#define RACE_WORKERS	4

/* The index of job "rj<N>" in the race, or -1. */
static int
race_job(const char *job_id)
{
	int n = job_id[2] - '0';

	return strncmp(job_id, "rj", 2) == 0 && n >= 0 && n < RACE_JOBS ?
	    n : -1;
}

struct race {
	atomic_int claimed[RACE_THINGS][RACE_JOBS];
	atomic_int finished[RACE_THINGS][RACE_JOBS];
	atomic_int bad;
};

struct worker {
	struct store *st;
	struct race *r;
};

/*
 * One StartNextPendingJobExecution-like step on thing I: the next pending
 * execution moves QUEUED -> IN_PROGRESS (a claim) or IN_PROGRESS ->
 * SUCCEEDED, with its counters. 1: a step was made, 0: nothing pending.
 */
static int
race_step(struct worker *w, int i)
{
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;
	char thing[32];
	enum exec_status from;
	int rc, j;

	snprintf(thing, sizeof(thing), "race-%d", i);
	if (store_begin(w->st, true, &tx, &err) == -1)
		return -1;
	rc = store_exec_next_pending(tx, thing, false, &e, &err);
	if (rc != 1 || (j = race_job(e.job_id)) == -1) {
		store_end(tx, false, &err);
		store_exec_release(&e);
		return rc == 0 ? 0 : -1;
	}
	from = e.status;
	e.status = from == EXEC_QUEUED ? EXEC_IN_PROGRESS : EXEC_SUCCEEDED;
	if (from == EXEC_QUEUED)
		e.started_at = 2000;
	e.version++;
	e.last_updated_at = 2000;
	rc = store_exec_put(tx, &e, &err);
	if (rc == 0)
		rc = store_job_count_move(tx, e.job_id, from, e.status, 2000,
		    &err);
	rc = store_end(tx, rc == 0, &err) == 0 && rc == 0 ? 1 : -1;
	if (rc == 1)
		atomic_fetch_add(from == EXEC_QUEUED ? &w->r->claimed[i][j] :
		    &w->r->finished[i][j], 1);
	store_exec_release(&e);
	return rc;
}

static void *
race_run(void *p)
{
	struct worker *w = p;
	bool busy = true;
	int i, rc;

	while (busy) {
		busy = false;
		for (i = 0; i < RACE_THINGS; i++) {
			rc = race_step(w, i);
			if (rc == -1)
				atomic_fetch_add(&w->r->bad, 1);
			busy = busy || rc != 0;
		}
	}
	return NULL;
}

static void
job_counts(struct store *st, const char *job_id,
    int64_t counts[STORE_JOB_NCOUNTS])
{
	struct store_tx *tx = c_begin(st, false);
	struct store_job j = { 0 };
	struct err err;

	assert_int_equal(store_job_get(tx, job_id, &j, &err), 1);
	memcpy(counts, j.counts, sizeof(j.counts));
	store_job_release(&j);
	c_rollback(tx);
}

/*
 * Writers on two openers race through the pending lists of the same
 * things: every execution is claimed exactly once and finished exactly
 * once, and the counters say so.
 */
static void
exec_start_next_atomic(void **state)
{
	struct store *st = *state, *other;
	struct race r = { 0 };
	struct worker w[RACE_WORKERS];
	pthread_t th[RACE_WORKERS];
	int64_t counts[STORE_JOB_NCOUNTS];
	char name[32], targets[1024] = "[", id[16];
	struct err err;
	int i, j;

	for (i = 0; i < RACE_THINGS; i++) {
		snprintf(name, sizeof(name), "race-%d", i);
		c_thing(st, name);
		snprintf(targets + strlen(targets), sizeof(targets) -
		    strlen(targets), "%s\"" C_THING_ARN "%s\"", i ? "," : "",
		    name);
	}
	strcat(targets, "]");
	for (j = 0; j < RACE_JOBS; j++) {
		snprintf(id, sizeof(id), "rj%d", j);
		c_job(st, id, "SNAPSHOT", targets, 1000 + j);
	}
	assert_int_equal(contract_open(&other, &err), 0);
	for (i = 0; i < RACE_WORKERS; i++) {
		w[i] = (struct worker){ i % 2 ? other : st, &r };
		assert_int_equal(pthread_create(&th[i], NULL, race_run, &w[i]),
		    0);
	}
	for (i = 0; i < RACE_WORKERS; i++)
		pthread_join(th[i], NULL);
	store_close(other);
	assert_int_equal(atomic_load(&r.bad), 0);
	for (i = 0; i < RACE_THINGS; i++)
		for (j = 0; j < RACE_JOBS; j++) {
			assert_int_equal(atomic_load(&r.claimed[i][j]), 1);
			assert_int_equal(atomic_load(&r.finished[i][j]), 1);
		}
	for (j = 0; j < RACE_JOBS; j++) {
		snprintf(id, sizeof(id), "rj%d", j);
		job_counts(st, id, counts);
		assert_int_equal(counts[0], 0);
		assert_int_equal(counts[1], 0);
		assert_int_equal(counts[2], RACE_THINGS);
	}
}

#define VERSION_WRITERS	4
#define VERSION_TRIES	25

struct versioner {
	struct store *st;
	atomic_int *won, *bad;
};

/*
 * UpdateJobExecution with expectedVersion: the version read before the
 * write transaction is what the caller expects; inside it, a mismatch is
 * a conflict and writes nothing.
 */
static void *
version_run(void *p)
{
	struct versioner *v = p;
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;
	int64_t expected;
	int i, rc;

	for (i = 0; i < VERSION_TRIES; i++) {
		if (store_begin(v->st, false, &tx, &err) == -1 ||
		    store_exec_get(tx, "ver", "vj", -1, false, &e, &err) != 1) {
			atomic_fetch_add(v->bad, 1);
			return NULL;
		}
		expected = e.version;
		store_exec_release(&e);
		store_end(tx, false, &err);
		if (store_begin(v->st, true, &tx, &err) == -1 ||
		    store_exec_get(tx, "ver", "vj", -1, false, &e, &err) != 1) {
			atomic_fetch_add(v->bad, 1);
			return NULL;
		}
		rc = e.version == expected ? 0 : 1;
		e.version++;
		if (rc == 0)
			rc = store_exec_put(tx, &e, &err);
		if (store_end(tx, rc == 0, &err) == -1)
			rc = -1;
		if (rc == -1)
			atomic_fetch_add(v->bad, 1);
		if (rc == 0)
			atomic_fetch_add(v->won, 1);
		store_exec_release(&e);
	}
	return NULL;
}

/* Writers that expect the same version: one wins, no update is lost. */
static void
exec_version_conflict(void **state)
{
	struct store *st = *state, *other;
	struct versioner v[VERSION_WRITERS];
	pthread_t th[VERSION_WRITERS];
	atomic_int won = 0, bad = 0;
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;
	int i;

	c_thing(st, "ver");
	c_job(st, "vj", "SNAPSHOT", "[\"" C_THING_ARN "ver\"]", 1000);
	assert_int_equal(contract_open(&other, &err), 0);
	for (i = 0; i < VERSION_WRITERS; i++) {
		v[i] = (struct versioner){ i % 2 ? other : st, &won, &bad };
		assert_int_equal(pthread_create(&th[i], NULL, version_run,
		    &v[i]), 0);
	}
	for (i = 0; i < VERSION_WRITERS; i++)
		pthread_join(th[i], NULL);
	store_close(other);
	assert_int_equal(atomic_load(&bad), 0);
	assert_true(atomic_load(&won) >= VERSION_TRIES);
	tx = c_begin(st, false);
	assert_int_equal(store_exec_get(tx, "ver", "vj", -1, false, &e, &err),
	    1);
	assert_int_equal(e.version, 1 + atomic_load(&won));
	store_exec_release(&e);
	c_rollback(tx);
}

struct recount {
	int64_t counts[STORE_JOB_NCOUNTS];
	int rows;
};

static int
recount_row(const struct store_exec *e, void *arg, struct err *err)
{
	struct recount *r = arg;
	static const enum exec_status order[STORE_JOB_NCOUNTS] = {
		EXEC_QUEUED, EXEC_IN_PROGRESS, EXEC_SUCCEEDED, EXEC_FAILED,
		EXEC_REJECTED, EXEC_CANCELED, EXEC_REMOVED, EXEC_TIMED_OUT,
	};
	int i;

	(void)err;
	r->rows++;
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		r->counts[i] += e->status == order[i];
	return 0;
}

/* Moves thing THING's execution of JOB_ID to TO with its counters. */
static void
exec_move(struct store_tx *tx, const char *thing, const char *job_id,
    enum exec_status to)
{
	struct store_exec e = { 0 };
	struct err err;
	enum exec_status from;

	assert_int_equal(store_exec_get(tx, thing, job_id, -1, false, &e,
	    &err), 1);
	from = e.status;
	e.status = to;
	e.version++;
	e.last_updated_at = 3000;
	assert_int_equal(store_exec_put(tx, &e, &err), 0);
	assert_int_equal(store_job_count_move(tx, job_id, from, to, 3000,
	    &err), 0);
	store_exec_release(&e);
}

/* The counters of JOB_ID equal a recount of its executions. */
static void
counts_check(struct store *st, const char *job_id, int rows)
{
	struct store_exec_page pg = { 0, 100, NULL, NULL, false };
	struct recount r = { { 0 }, 0 };
	int64_t counts[STORE_JOB_NCOUNTS];
	struct store_tx *tx = c_begin(st, false);
	struct err err;
	int i;

	assert_int_equal(store_exec_list_job(tx, job_id, &pg, recount_row, &r,
	    &err), 0);
	c_rollback(tx);
	assert_int_equal(r.rows, rows);
	job_counts(st, job_id, counts);
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		assert_int_equal(counts[i], r.counts[i]);
}

/*
 * A mix of single moves, a retry, a delete and a set-based move with a
 * refresh: the counters stay equal to a recount, and a refresh of
 * counters already right changes nothing.
 */
static void
exec_counters_recount(void **state)
{
	struct store *st = *state;
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;
	int64_t n;
	int i;

	for (i = 0; i < 6; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cnt-%d", i);
		c_thing(st, name);
	}
	c_job(st, "cj", "SNAPSHOT", "[\"" C_THING_ARN "cnt-0\",\""
	    C_THING_ARN "cnt-1\",\"" C_THING_ARN "cnt-2\",\"" C_THING_ARN
	    "cnt-3\",\"" C_THING_ARN "cnt-4\",\"" C_THING_ARN "cnt-5\"]",
	    1000);
	counts_check(st, "cj", 6);
	tx = c_begin(st, true);
	exec_move(tx, "cnt-0", "cj", EXEC_IN_PROGRESS);
	exec_move(tx, "cnt-1", "cj", EXEC_IN_PROGRESS);
	exec_move(tx, "cnt-1", "cj", EXEC_FAILED);
	exec_move(tx, "cnt-2", "cj", EXEC_REJECTED);
	exec_move(tx, "cnt-3", "cj", EXEC_IN_PROGRESS);
	exec_move(tx, "cnt-3", "cj", EXEC_TIMED_OUT);
	c_commit(tx);
	counts_check(st, "cj", 6);
	/* A retry is a new QUEUED execution; a delete takes one away. */
	tx = c_begin(st, true);
	assert_int_equal(store_exec_get(tx, "cnt-1", "cj", -1, false, &e,
	    &err), 1);
	assert_int_equal(store_exec_retry(tx, &e, 3100, &err), 0);
	assert_int_equal(store_job_count_move(tx, "cj", -1, EXEC_QUEUED, 3100,
	    &err), 0);
	store_exec_release(&e);
	assert_int_equal(store_exec_get(tx, "cnt-2", "cj", -1, false, &e,
	    &err), 1);
	assert_int_equal(store_exec_delete(tx, e.id, &err), 0);
	assert_int_equal(store_job_count_move(tx, "cj", EXEC_REJECTED, -1, 3100,
	    &err), 0);
	store_exec_release(&e);
	c_commit(tx);
	counts_check(st, "cj", 6);
	/* CancelJob: every QUEUED one at once, then a refresh. */
	tx = c_begin(st, true);
	assert_int_equal(store_exec_move_job(tx, "cj", EXEC_QUEUED,
	    EXEC_CANCELED, false, true, 3200, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_job_count_refresh(tx, "cj", 3200, &err), 0);
	c_commit(tx);
	counts_check(st, "cj", 6);
	tx = c_begin(st, true);
	assert_int_equal(store_job_count_refresh(tx, "cj", 3300, &err), 0);
	c_commit(tx);
	counts_check(st, "cj", 6);
}

struct collect {
	json_t *jobs;		/* job ids in visiting order */
	int64_t last_id;
};

static int
collect_row(const struct store_exec *e, void *arg, struct err *err)
{
	struct collect *c = arg;

	(void)err;
	json_array_append_new(c->jobs, json_string(e->job_id));
	c->last_id = e->id;
	return 0;
}

/*
 * The pending list: IN_PROGRESS before QUEUED, each in queue order,
 * terminal executions absent; exec_get by number and latest.
 */
static void
exec_pending_order(void **state)
{
	struct store *st = *state;
	struct collect c = { json_array(), 0 };
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;

	c_thing(st, "pend");
	c_job(st, "pa", "SNAPSHOT", "[\"" C_THING_ARN "pend\"]", 1000);
	c_job(st, "pb", "SNAPSHOT", "[\"" C_THING_ARN "pend\"]", 1001);
	c_job(st, "pc", "SNAPSHOT", "[\"" C_THING_ARN "pend\"]", 1002);
	c_job(st, "pd", "SNAPSHOT", "[\"" C_THING_ARN "pend\"]", 1003);
	tx = c_begin(st, true);
	exec_move(tx, "pend", "pc", EXEC_IN_PROGRESS);
	exec_move(tx, "pend", "pa", EXEC_IN_PROGRESS);
	exec_move(tx, "pend", "pa", EXEC_SUCCEEDED);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_exec_next_pending(tx, "pend", true, &e, &err),
	    1);
	assert_string_equal(e.job_id, "pc");
	assert_int_equal(e.status, EXEC_IN_PROGRESS);
	assert_string_equal(e.document, "{\"op\":\"run\"}");
	store_exec_release(&e);
	assert_int_equal(store_exec_pending(tx, "pend", 10, collect_row, &c,
	    &err), 0);
	assert_int_equal(c_len(c.jobs), 3);
	assert_string_equal(c_str(c.jobs, 0), "pc");
	assert_string_equal(c_str(c.jobs, 1), "pb");
	assert_string_equal(c_str(c.jobs, 2), "pd");
	json_array_clear(c.jobs);
	assert_int_equal(store_exec_pending(tx, "pend", 2, collect_row, &c,
	    &err), 0);
	assert_int_equal(c_len(c.jobs), 2);
	json_array_clear(c.jobs);
	assert_int_equal(store_exec_pending_of(tx, "pend", "pd", 10,
	    collect_row, &c, &err), 0);
	assert_int_equal(c_len(c.jobs), 1);
	assert_string_equal(c_str(c.jobs, 0), "pd");
	json_array_clear(c.jobs);
	assert_int_equal(store_exec_pending_of(tx, "pend", NULL, 10,
	    collect_row, &c, &err), 0);
	assert_int_equal(c_len(c.jobs), 3);
	/* By number, latest, missing; the thing and job tests. */
	assert_int_equal(store_exec_get(tx, "pend", "pa", 1, false, &e, &err),
	    1);
	assert_int_equal(e.status, EXEC_SUCCEEDED);
	assert_int_equal(e.version, 3);
	assert_null(e.document);
	store_exec_release(&e);
	assert_int_equal(store_exec_get(tx, "pend", "pa", 2, false, &e, &err),
	    0);
	assert_int_equal(store_exec_get(tx, "pend", "zz", -1, false, &e, &err),
	    0);
	assert_int_equal(store_exec_next_pending(tx, "nobody", false, &e,
	    &err), 0);
	assert_int_equal(store_exec_thing_exists(tx, "pend", &err), 1);
	assert_int_equal(store_exec_thing_exists(tx, "nobody", &err), 0);
	assert_int_equal(store_exec_job_exists(tx, "pa", &err), 1);
	assert_int_equal(store_exec_job_exists(tx, "zz", &err), 0);
	json_decref(c.jobs);
	c_rollback(tx);
}

/* Pages of a job's and a thing's executions: filters, AFTER, more. */
static void
exec_list_pages(void **state)
{
	struct store *st = *state;
	struct store_exec_page pg = { 0, 2, NULL, NULL, false };
	struct collect c = { json_array(), 0 };
	struct store_tx *tx;
	struct err err;
	int64_t last;

	c_thing(st, "la");
	c_thing(st, "lb");
	c_thing(st, "lc");
	c_job(st, "lj", "SNAPSHOT", "[\"" C_THING_ARN "la\",\"" C_THING_ARN
	    "lb\",\"" C_THING_ARN "lc\"]", 1000);
	c_job(st, "lk", "SNAPSHOT", "[\"" C_THING_ARN "la\"]", 1001);
	tx = c_begin(st, true);
	exec_move(tx, "lb", "lj", EXEC_IN_PROGRESS);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_exec_list_job(tx, "lj", &pg, collect_row, &c,
	    &err), 0);
	assert_int_equal(c_len(c.jobs), 2);
	assert_true(pg.more);
	pg.after = c.last_id;
	assert_int_equal(store_exec_list_job(tx, "lj", &pg, collect_row, &c,
	    &err), 0);
	assert_int_equal(c_len(c.jobs), 3);
	assert_false(pg.more);
	json_array_clear(c.jobs);
	pg = (struct store_exec_page){ 0, 10,
	    &(const enum exec_status){ EXEC_IN_PROGRESS }, NULL, false };
	assert_int_equal(store_exec_list_job(tx, "lj", &pg, collect_row, &c,
	    &err), 0);
	assert_int_equal(c_len(c.jobs), 1);
	json_array_clear(c.jobs);
	pg = (struct store_exec_page){ 0, 10, NULL, NULL, false };
	assert_int_equal(store_exec_list_thing(tx, "la", NULL, &pg,
	    collect_row, &c, &err), 0);
	assert_int_equal(c_len(c.jobs), 2);
	assert_string_equal(c_str(c.jobs, 0), "lj");
	assert_string_equal(c_str(c.jobs, 1), "lk");
	json_array_clear(c.jobs);
	assert_int_equal(store_exec_list_thing(tx, "la", "lk", &pg,
	    collect_row, &c, &err), 0);
	assert_int_equal(c_len(c.jobs), 1);
	assert_int_equal(store_exec_last_id(tx, &last, &err), 0);
	assert_int_equal(last, c.last_id);
	json_decref(c.jobs);
	c_rollback(tx);
}

/* Timers: the due list in deadline order, the next deadline; retries. */
static void
exec_timers_and_retry(void **state)
{
	struct store *st = *state;
	struct collect c = { json_array(), 0 };
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;
	int64_t at;

	c_thing(st, "tm");
	c_job(st, "ta", "SNAPSHOT", "[\"" C_THING_ARN "tm\"]", 1000);
	c_job(st, "tb", "SNAPSHOT", "[\"" C_THING_ARN "tm\"]", 1001);
	tx = c_begin(st, true);
	assert_int_equal(store_exec_next_deadline(tx, EXEC_IN_PROGRESS, &at,
	    &err), 0);
	assert_int_equal(at, 0);
	exec_move(tx, "tm", "ta", EXEC_IN_PROGRESS);
	exec_move(tx, "tm", "tb", EXEC_IN_PROGRESS);
	assert_int_equal(store_exec_get(tx, "tm", "ta", -1, false, &e, &err),
	    1);
	e.timeout_at = 5000;
	assert_int_equal(store_exec_put(tx, &e, &err), 0);
	store_exec_release(&e);
	assert_int_equal(store_exec_get(tx, "tm", "tb", -1, false, &e, &err),
	    1);
	e.timeout_at = 4000;
	assert_int_equal(store_exec_put(tx, &e, &err), 0);
	store_exec_release(&e);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_exec_next_deadline(tx, EXEC_IN_PROGRESS, &at,
	    &err), 0);
	assert_int_equal(at, 4000);
	assert_int_equal(store_exec_due(tx, EXEC_IN_PROGRESS, 3999, 10,
	    collect_row, &c, &err), 0);
	assert_int_equal(c_len(c.jobs), 0);
	assert_int_equal(store_exec_due(tx, EXEC_IN_PROGRESS, 6000, 10,
	    collect_row, &c, &err), 0);
	assert_int_equal(c_len(c.jobs), 2);
	assert_string_equal(c_str(c.jobs, 0), "tb");
	exec_move(tx, "tm", "tb", EXEC_FAILED);
	assert_int_equal(store_exec_get(tx, "tm", "tb", -1, false, &e, &err),
	    1);
	assert_int_equal(store_exec_retry(tx, &e, 6000, &err), 0);
	store_exec_release(&e);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_exec_get(tx, "tm", "tb", -1, false, &e, &err),
	    1);
	assert_int_equal(e.execution_number, 2);
	assert_int_equal(e.status, EXEC_QUEUED);
	assert_int_equal(e.version, 1);
	assert_int_equal(e.retry_attempt, 1);
	assert_int_equal(e.retries_failed, 1);
	assert_int_equal(e.queued_at, 6000);
	store_exec_release(&e);
	assert_int_equal(store_exec_get(tx, "tm", "tb", 1, false, &e, &err),
	    1);
	assert_int_equal(e.status, EXEC_FAILED);
	store_exec_release(&e);
	json_decref(c.jobs);
	c_rollback(tx);
}

/* A job of config CONFIG (JSON text) targeting thing THING, queued. */
static void
exec_job_config(struct store *st, const char *id, const char *thing,
    const char *config)
{
	struct store_job j = { 0 };
	struct store_tx *tx = c_begin(st, true);
	char target[256];
	struct err err;

	snprintf(j.job_id, sizeof(j.job_id), "%s", id);
	j.status = JOB_IN_PROGRESS;
	snprintf(j.target_selection, sizeof(j.target_selection), "SNAPSHOT");
	j.config = json_loads(config, 0, NULL);
	assert_non_null(j.config);
	j.created_at = j.last_updated_at = 1000;
	snprintf(target, sizeof(target), C_THING_ARN "%s", thing);
	j.targets = json_pack("[s]", target);
	assert_int_equal(store_job_insert(tx, &j, &err), 0);
	assert_int_equal(store_job_queue_targets(tx, id, C_ARN, 1000, &err),
	    0);
	json_decref(j.config);
	json_decref(j.targets);
	c_commit(tx);
}

/*
 * Every mutable field of an execution reads back as written (empty status
 * details as none); the job's inProgressTimeoutInMinutes comes with it; a
 * set-based move that stops the timers clears both deadlines; the thing
 * list filters by the job's namespace; a write to a vanished row fails.
 */
static void
exec_fields_round_trip(void **state)
{
	struct store *st = *state;
	struct store_exec_page pg = { 0, 10, NULL, "ns-a", false };
	struct collect c = { json_array(), 0 };
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;
	int64_t n, id;

	c_thing(st, "fr");
	exec_job_config(st, "fa", "fr", "{\"timeoutConfig\":"
	    "{\"inProgressTimeoutInMinutes\":30},\"namespaceId\":\"ns-a\"}");
	exec_job_config(st, "fb", "fr", "{}");
	tx = c_begin(st, true);
	assert_int_equal(store_exec_get(tx, "fr", "fa", -1, true, &e, &err),
	    1);
	assert_int_equal(e.job_progress_timeout_minutes, 30);
	assert_null(e.document);
	assert_null(e.status_details);
	assert_int_equal(e.started_at, 0);
	e.status = EXEC_IN_PROGRESS;
	e.status_details = json_pack("{s:s}", "step", "two");
	e.started_at = 1100;
	e.last_updated_at = 1200;
	e.version = 2;
	e.force_canceled = true;
	e.step_timeout_minutes = 7;
	e.timeout_at = 1500;
	e.progress_timeout_at = 2800;
	assert_int_equal(store_exec_put(tx, &e, &err), 0);
	store_exec_release(&e);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_exec_get(tx, "fr", "fa", 1, false, &e, &err),
	    1);
	assert_int_equal(e.status, EXEC_IN_PROGRESS);
	assert_string_equal(json_string_value(json_object_get(
	    e.status_details, "step")), "two");
	assert_int_equal(e.started_at, 1100);
	assert_int_equal(e.last_updated_at, 1200);
	assert_int_equal(e.version, 2);
	assert_true(e.force_canceled);
	assert_int_equal(e.step_timeout_minutes, 7);
	assert_int_equal(e.timeout_at, 1500);
	assert_int_equal(e.progress_timeout_at, 2800);
	json_object_clear(e.status_details);
	assert_int_equal(store_exec_put(tx, &e, &err), 0);
	store_exec_release(&e);
	assert_int_equal(store_exec_get(tx, "fr", "fa", 1, false, &e, &err),
	    1);
	assert_null(e.status_details);
	store_exec_release(&e);
	assert_int_equal(store_exec_get(tx, "fr", "fb", 1, false, &e, &err),
	    1);
	assert_int_equal(e.job_progress_timeout_minutes, 0);
	store_exec_release(&e);
	assert_int_equal(store_exec_move_job(tx, "fa", EXEC_IN_PROGRESS,
	    EXEC_CANCELED, true, true, 1300, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_exec_move_job(tx, "fa", EXEC_IN_PROGRESS,
	    EXEC_CANCELED, true, true, 1300, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_exec_get(tx, "fr", "fa", 1, false, &e, &err),
	    1);
	assert_int_equal(e.status, EXEC_CANCELED);
	assert_int_equal(e.version, 3);
	assert_int_equal(e.last_updated_at, 1300);
	assert_int_equal(e.timeout_at, 0);
	assert_int_equal(e.progress_timeout_at, 0);
	assert_int_equal(e.step_timeout_minutes, 7);
	store_exec_release(&e);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_exec_list_thing(tx, "fr", NULL, &pg,
	    collect_row, &c, &err), 0);
	assert_int_equal(c_len(c.jobs), 1);
	assert_string_equal(c_str(c.jobs, 0), "fa");
	assert_int_equal(store_exec_get(tx, "fr", "fb", 1, false, &e, &err),
	    1);
	id = e.id;
	assert_int_equal(store_exec_delete(tx, id, &err), 0);
	assert_int_equal(store_exec_put(tx, &e, &err), -1);
	store_exec_release(&e);
	c_rollback(tx);
	json_decref(c.jobs);
}

static const struct CMUnitTest tests[] = {
	C_CASE(exec_start_next_atomic),
	C_CASE(exec_version_conflict),
	C_CASE(exec_counters_recount),
	C_CASE(exec_pending_order),
	C_CASE(exec_list_pages),
	C_CASE(exec_timers_and_retry),
	C_CASE(exec_fields_round_trip),
};

C_AREA(c_area_exec, "exec", tests);
