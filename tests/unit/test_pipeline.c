/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operation pipeline's contract (api/pipeline.h) and the held answers
 * (api/held.h) on a real store in a temporary folder: an operation
 * without a row is 501, validation and admission refuse before the
 * handler runs, the success status is the model's, the transaction a row
 * declares is the pipeline's (kept writes committed), a deferred write
 * reports its batch, and a held answer goes out only once its batch is
 * durable, as an error once it failed; the execution state a refused
 * request reports; a row run without a model operation (admin routes)
 * commits its handler's writes on success only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/held.h"
#include "api/jobs_data.h"
#include "api/pipeline.h"
#include "engine/engine.h"
#include "store/sqlite_int.h"
#include "store/store.h"
#include "store/store_job.h"
#include "store/store_tags.h"

#define T0	1767225600
#define WAIT_MS	5000

static char dir[] = "/tmp/iotjobs-test-pipeline-XXXXXX";
static char dead_dir[] = "/tmp/iotjobs-test-pipeline-dead-XXXXXX";
static const char prefix[] = "arn:aws:iot:us-east-1:123456789012:";
static struct store *st;
static int64_t clock_at = T0 + 10;	/* the jobs' clock of run() */

/* What the front end saw: admit and done calls, the refusal to give. */
struct front_seen {
	int admits, dones, done_rc;
	bool refuse;
};

static int
seen_admit(void *arg, const json_t *in, struct err *err)
{
	struct front_seen *f = arg;

	(void)in;
	f->admits++;
	if (f->refuse)
		return err_set(err, ERR_ACCESS_DENIED, "refused by the test");
	return 0;
}

static void
seen_done(void *arg, int rc, const struct err *err)
{
	struct front_seen *f = arg;

	(void)err;
	f->dones++;
	f->done_rc = rc;
}

static void
exec_sql(const char *sql)
{
	struct store_tx *tx;
	struct err err;

	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	assert_int_equal(sq_exec_stmt(tx, sq_stmt(tx, sql), &err), 0);
	assert_int_equal(store_end(tx, true, &err), 0);
}

/* Job ID on thing "dev" (QUEUED). */
static void
job_add(const char *id)
{
	struct store_job job;
	struct store_tx *tx;
	struct err err;
	char arn[256];

	err_clear(&err);
	memset(&job, 0, sizeof(job));
	snprintf(job.job_id, sizeof(job.job_id), "%s", id);
	job.status = JOB_IN_PROGRESS;
	snprintf(job.target_selection, sizeof(job.target_selection),
	    "SNAPSHOT");
	job.config = json_object();
	snprintf(arn, sizeof(arn), "%sthing/dev", prefix);
	job.targets = json_pack("[s]", arn);
	job.created_at = job.last_updated_at = T0;
	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	assert_int_equal(store_job_insert(tx, &job, &err), 0);
	assert_int_equal(engine_job_created(tx, id, prefix, T0, &err), 0);
	assert_int_equal(store_end(tx, true, &err), 0);
	store_job_release(&job);
}

/* Runs OP of the data plane with IN (taken), FLAGS and FRONT. */
static int
run(const struct model_op *op, json_t *in, unsigned flags,
    struct front_seen *seen, struct api_result *res, struct err *err)
{
	struct api_front front = { seen_admit, seen_done, seen };
	struct principal who;
	struct api_ctx ctx;
	int rc;

	memset(&who, 0, sizeof(who));
	who.kind = PRINCIPAL_THING;
	snprintf(who.thing_name, sizeof(who.thing_name), "dev");
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = st;
	ctx.who = &who;
	ctx.plane = PLANE_DATA;
	ctx.now = clock_at;
	ctx.request_id = "test";
	ctx.status = 299;	/* a previous request's: never reused */
	err_clear(err);
	rc = api_pipeline_run(&ctx, op, in, flags, &front, res, err);
	json_decref(in);
	return rc;
}

static const struct model_op *
update_op(void)
{
	const struct model_op *op = model_op_find(PLANE_DATA,
	    "UpdateJobExecution");

	assert_non_null(op);
	return op;
}

static json_t *
update_in(const char *job, const char *status)
{
	return json_pack("{s:s, s:s, s:s}", "thingName", "dev", "jobId", job,
	    "status", status);
}

static int
setup(void **state)
{
	struct err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(dir, &st, &err), 0);
	api_held_start(st);
	exec_sql("INSERT INTO things (name, thing_id, created_at)"
	    " VALUES ('dev', 'dev', 0)");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[256];

	(void)state;
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, dead_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
unknown_op_is_not_implemented(void **state)
{
	struct model_op op = *update_op();
	struct front_seen seen = { 0 };
	struct api_result res;
	struct err err;

	(void)state;
	op.name = "NoSuchOperation";
	assert_int_equal(run(&op, json_object(), 0, &seen, &res, &err), -1);
	assert_string_equal(err.type, ERR_NOT_IMPLEMENTED);
	assert_int_equal(err.status, 501);
	assert_int_equal(seen.admits, 0);
	assert_null(res.out);
}

static void
invalid_input_refused_before_admit(void **state)
{
	struct front_seen seen = { 0 };
	struct api_result res;
	struct err err;
	json_t *in = update_in("job-v", "NOT_A_STATUS");

	(void)state;
	assert_int_equal(run(update_op(), in, 0, &seen, &res, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_REQUEST);
	assert_int_equal(seen.admits, 0);
	assert_int_equal(seen.dones, 0);
}

static void
admit_refusal_skips_the_handler(void **state)
{
	struct front_seen seen = { 0 };
	struct api_result res;
	struct err err;

	(void)state;
	job_add("job-a");
	seen.refuse = true;
	assert_int_equal(run(update_op(), update_in("job-a", "IN_PROGRESS"),
	    API_RUN_HOLD, &seen, &res, &err), -1);
	assert_string_equal(err.type, ERR_ACCESS_DENIED);
	assert_int_equal(seen.admits, 1);
	assert_int_equal(seen.dones, 0);
	assert_int_equal(res.batch, 0);
}

/* The model's status, never a previous request's; no batch unheld. */
static void
success_status_is_the_models(void **state)
{
	struct model_op op = *update_op();
	struct front_seen seen = { 0 };
	struct api_result res;
	struct err err;

	(void)state;
	job_add("job-s");
	op.http_status = 203;
	assert_int_equal(run(&op, update_in("job-s", "IN_PROGRESS"), 0,
	    &seen, &res, &err), 0);
	assert_int_equal(res.status, 203);
	assert_int_equal(res.batch, 0);
	assert_int_equal(seen.dones, 1);
	assert_int_equal(seen.done_rc, 0);
	assert_non_null(res.out);
	json_decref(res.out);
}

/* What a refused request over MQTT reports: the execution it named. */
static void
state_of_the_named_execution(void **state)
{
	json_t *in, *st_json;

	(void)state;
	in = json_pack("{s:s, s:s}", "thingName", "dev", "jobId", "job-s");
	st_json = jobs_data_state(st, in);
	assert_non_null(st_json);
	assert_string_equal(json_string_value(json_object_get(st_json,
	    "status")), "IN_PROGRESS");
	assert_int_equal(json_integer_value(json_object_get(st_json,
	    "versionNumber")), 2);
	json_decref(st_json);
	json_object_set_new(in, "jobId", json_string("no-such-job"));
	assert_null(jobs_data_state(st, in));
	json_object_del(in, "jobId");
	assert_null(jobs_data_state(st, in));
	json_decref(in);
}

static const struct model_op *
data_op(const char *name)
{
	const struct model_op *op = model_op_find(PLANE_DATA, name);

	assert_non_null(op);
	return op;
}

/* A row with API_READ runs in the transaction the pipeline opened. */
static void
read_row_runs_in_the_pipelines_transaction(void **state)
{
	struct front_seen seen = { 0 };
	struct api_result res;
	struct err err;
	json_t *ex;

	(void)state;
	job_add("job-r");
	assert_int_equal(run(data_op("DescribeJobExecution"),
	    json_pack("{s:s, s:s}", "thingName", "dev", "jobId", "job-r"),
	    API_RUN_HOLD, &seen, &res, &err), 0);
	ex = json_object_get(res.out, "execution");
	assert_string_equal(json_string_value(json_object_get(ex, "status")),
	    "QUEUED");
	assert_int_equal(res.batch, 0);
	json_decref(res.out);
	assert_int_equal(run(data_op("DescribeJobExecution"),
	    json_pack("{s:s, s:s}", "thingName", "dev", "jobId", "no-job"),
	    0, &seen, &res, &err), -1);
	assert_string_equal(err.type, ERR_NOT_FOUND);
}

/*
 * A write row that fails keeps what it asked to keep (ctx->keep): an
 * update after the step timer ran out is refused, and the timeout it
 * found is committed all the same.
 */
static void
failed_write_keeps_what_it_kept(void **state)
{
	struct front_seen seen = { 0 };
	struct api_result res;
	struct err err;
	json_t *in, *got;

	(void)state;
	job_add("job-t");
	in = update_in("job-t", "IN_PROGRESS");
	json_object_set_new(in, "stepTimeoutInMinutes", json_integer(1));
	assert_int_equal(run(update_op(), in, 0, &seen, &res, &err), 0);
	json_decref(res.out);
	clock_at = T0 + 3600;
	assert_int_equal(run(update_op(), update_in("job-t", "SUCCEEDED"), 0,
	    &seen, &res, &err), -1);
	clock_at = T0 + 10;
	assert_string_equal(err.type, ERR_STATE_TRANSITION);
	assert_int_equal(seen.done_rc, -1);
	assert_null(res.out);
	in = json_pack("{s:s, s:s}", "thingName", "dev", "jobId", "job-t");
	got = jobs_data_state(st, in);
	assert_string_equal(json_string_value(json_object_get(got, "status")),
	    "TIMED_OUT");
	json_decref(got);
	json_decref(in);
}

/* A held answer: what its function was told, and when. */
struct held_seen {
	struct api_held h;
	atomic_int calls;
	atomic_int outcome;
	atomic_int status_then;	/* store_batch_status() at the call */
	struct store *st;
};

static void
held_seen_fn(void *arg, int outcome)
{
	struct held_seen *s = arg;

	atomic_store(&s->status_then, s->st != NULL ?
	    store_batch_status(s->st, s->h.batch) : 0);
	atomic_store(&s->outcome, outcome);
	atomic_fetch_add(&s->calls, 1);
}

static void
held_init(struct held_seen *s, uint64_t batch)
{
	memset(s, 0, sizeof(*s));
	s->h.batch = batch;
	s->h.fn = held_seen_fn;
	s->h.arg = s;
	s->h.front = &s->h;
	s->st = st;
}

static void
held_wait(struct held_seen *s)
{
	int i;

	for (i = 0; i < WAIT_MS && atomic_load(&s->calls) == 0; i++)
		usleep(1000);
}

/*
 * A deferred write reports its batch; its held answer is called once, with
 * the batch durable. One of a batch that has not committed is never
 * called but by api_held_cancel(), with outcome 0.
 */
static void
deferred_answer_waits_for_its_batch(void **state)
{
	struct front_seen seen = { 0 };
	struct held_seen now, later;
	struct api_result res;
	struct err err;

	(void)state;
	job_add("job-d");
	assert_int_equal(run(update_op(), update_in("job-d", "IN_PROGRESS"),
	    API_RUN_HOLD, &seen, &res, &err), 0);
	assert_true(res.batch > 0);
	json_decref(res.out);
	held_init(&later, res.batch + 1000);
	api_held_add(&later.h);
	held_init(&now, res.batch);
	api_held_add(&now.h);
	held_wait(&now);
	assert_int_equal(atomic_load(&now.calls), 1);
	assert_int_equal(atomic_load(&now.outcome), 1);
	assert_int_equal(atomic_load(&now.status_then), 1);

	/* Later commits leave the other one held. */
	exec_sql("INSERT INTO things (name, thing_id, created_at)"
	    " VALUES ('other', 'other', 0)");
	assert_int_equal(atomic_load(&later.calls), 0);
	api_held_cancel(&later.h);
	assert_int_equal(atomic_load(&later.calls), 1);
	assert_int_equal(atomic_load(&later.outcome), 0);
	api_held_cancel(&later.h);
	assert_int_equal(atomic_load(&later.calls), 1);
	assert_int_equal(atomic_load(&now.calls), 1);
}

/*
 * A batch whose COMMIT fails (the store's files vanished under it): its
 * held answer is told -1, so that the front end sends an error instead;
 * never an acknowledgement.
 */
static void
failed_batch_answers_an_error(void **state)
{
	struct front_seen seen = { 0 };
	struct held_seen s;
	struct api_result res;
	struct store *live = st;
	struct err err;
	char cmd[256];
	int rc;

	(void)state;
	assert_non_null(mkdtemp(dead_dir));
	assert_int_equal(store_open(dead_dir, &st, &err), 0);
	api_held_start(st);
	exec_sql("INSERT INTO things (name, thing_id, created_at)"
	    " VALUES ('dev', 'dev', 0)");
	job_add("job-f");
	snprintf(cmd, sizeof(cmd), "rm -f %s/iotjobs.db %s/iotjobs.db-wal",
	    dead_dir, dead_dir);
	assert_int_equal(system(cmd), 0);
	rc = run(update_op(), update_in("job-f", "IN_PROGRESS"),
	    API_RUN_HOLD, &seen, &res, &err);
	json_decref(res.out);
	if (rc == 0) {
		assert_true(res.batch > 0);
		held_init(&s, res.batch);
		api_held_add(&s.h);
		held_wait(&s);
		assert_int_equal(atomic_load(&s.calls), 1);
		assert_int_equal(atomic_load(&s.outcome), -1);
		assert_int_equal(atomic_load(&s.status_then), -1);
	}
	store_close(st);
	st = live;	/* for teardown; the list stays on the closed one */
	/* Or the store saw the files go first (its folder watch) and
	 * refused the write at once: no answer was held. */
	if (rc == -1)
		assert_string_equal(err.type, ERR_UNAVAILABLE);
}

/* --- api_pipeline_run_row ---------------------------------------------- */

static bool row_refuse;	/* the row handler fails after writing */

/* Tags "test/row" with the key of IN in ctx->tx, then answers. */
static int
row_handler(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	json_t *tags;
	int rc;

	if (ctx->tx == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "no transaction");
	tags = json_pack("[{s:s, s:s}]", "Key", api_in_str(in, "key"),
	    "Value", "v");
	rc = store_tags_put(ctx->tx, "test/row", tags, err);
	json_decref(tags);
	if (rc == 0 && row_refuse)
		return err_set(err, ERR_INVALID_REQUEST, "refused by the test");
	*out = json_pack("{s:b}", "tagged", 1);
	return rc;
}

static int64_t
row_tags(void)
{
	struct store_tx *tx;
	struct err err;
	int64_t n = -1;

	assert_int_equal(store_begin(st, false, &tx, &err), 0);
	assert_int_equal(store_tags_count(tx, "test/row", &n, &err), 0);
	store_end(tx, false, NULL);
	return n;
}

/* Runs the row handler with NEEDS for KEY; the transaction is ended. */
static int
row_run(unsigned needs, const char *key, json_t **out, struct err *err)
{
	const struct api_op row = { "TestRow", PLANE_CONTROL, row_handler,
	    needs };
	json_t *in = json_pack("{s:s}", "key", key);
	struct api_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.st = st;
	ctx.plane = PLANE_CONTROL;
	ctx.now = clock_at;
	ctx.request_id = "test";
	err_clear(err);
	rc = api_pipeline_run_row(&ctx, &row, in, out, err);
	assert_null(ctx.tx);
	json_decref(in);
	return rc;
}

static void
row_write_commits_on_success_only(void **state)
{
	struct err err;
	json_t *out;
	int64_t n0;

	(void)state;
	n0 = row_tags();
	row_refuse = true;
	assert_int_equal(row_run(API_WRITE, "refused", &out, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_REQUEST);
	assert_null(out);
	assert_int_equal(row_tags(), n0);
	row_refuse = false;
	assert_int_equal(row_run(API_WRITE, "kept", &out, &err), 0);
	assert_true(json_is_true(json_object_get(out, "tagged")));
	json_decref(out);
	assert_int_equal(row_tags(), n0 + 1);
}

static void
row_without_needs_has_no_transaction(void **state)
{
	struct err err;
	json_t *out;

	(void)state;
	row_refuse = false;
	assert_int_equal(row_run(0, "none", &out, &err), -1);
	assert_string_equal(err.type, ERR_INTERNAL_FAILURE);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_op_is_not_implemented),
		cmocka_unit_test(invalid_input_refused_before_admit),
		cmocka_unit_test(admit_refusal_skips_the_handler),
		cmocka_unit_test(success_status_is_the_models),
		cmocka_unit_test(state_of_the_named_execution),
		cmocka_unit_test(read_row_runs_in_the_pipelines_transaction),
		cmocka_unit_test(failed_write_keeps_what_it_kept),
		cmocka_unit_test(deferred_answer_waits_for_its_batch),
		cmocka_unit_test(row_write_commits_on_success_only),
		cmocka_unit_test(row_without_needs_has_no_transaction),
		/* Last: the held list stays on the store it closes. */
		cmocka_unit_test(failed_batch_answers_an_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
