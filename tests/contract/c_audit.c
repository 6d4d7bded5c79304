/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit log (store_audit.h) and what /metrics reads (store_metrics.h):
 * records chained from the genesis hash, each hash the one audit_hash()
 * gives its fields, the head the newest record, a rolled-back record gone
 * with its transaction, the filters and limits of the list, the newest OK
 * record of an operation, and the metrics equal to a recount.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "audit_hash.h"
#include "store/store_audit.h"
#include "store/store_job.h"
#include "store/store_metrics.h"

static void
au_append(struct store_tx *tx, int64_t at, const char *op,
    const char *job, const char *thing, const char *result)
{
	struct store_audit_ctx a = { 0 };
	struct err err;

	a.at = at;
	a.principal = "AKIDEXAMPLE";
	a.operation = op;
	a.target = job != NULL ? "job/x" : "";
	a.thing = thing;
	a.job = job;
	a.peer = "127.0.0.1";
	a.request_id = "req";
	a.detail = "{\"k\":1}";
	assert_int_equal(store_audit_append_tx(tx, &a, result, &err), 0);
}

/* Collects records (seq, op, hash, prev) into the array ARG. */
struct au_walk {
	json_t *recs;
	size_t stop;		/* -1 from FN after this many (0: never) */
	int bad;		/* records whose hash is not their fields' */
};

static int
au_collect(void *arg, const struct store_audit_rec *r)
{
	struct au_walk *w = arg;
	struct audit_fields f = { r->seq, r->at, r->principal, r->operation,
	    r->target, r->thing, r->job, r->peer, r->request_id, r->result,
	    r->detail, r->prev_hash };
	char hash[AUDIT_HASH_LEN + 1];

	if (audit_hash(&f, hash) == -1 || strcmp(hash, r->hash) != 0)
		w->bad++;
	json_array_append_new(w->recs, json_pack("{s:I,s:s,s:s,s:s,s:s}",
	    "seq", (json_int_t)r->seq, "op", r->operation, "result",
	    r->result, "hash", r->hash, "prev", r->prev_hash));
	return json_array_size(w->recs) == w->stop ? -1 : 0;
}

static json_t *
au_list(struct store *st, const struct store_audit_filter *f, int limit,
    size_t stop)
{
	struct au_walk w = { json_array(), stop, 0 };
	struct store_tx *tx = c_begin(st, false);
	struct err err;

	assert_int_equal(store_audit_list(tx, f, limit, au_collect, &w, &err),
	    0);
	c_rollback(tx);
	assert_int_equal(w.bad, 0);
	return w.recs;
}

static int64_t
au_seq(const json_t *recs, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(recs, i),
	    "seq"));
}

/* One chain from genesis; the head is its newest; rollback keeps none. */
static void
audit_chain_and_head(void **state)
{
	struct store *st = *state;
	struct store_audit_filter f = { 0 };
	char hash[AUDIT_HASH_LEN + 1];
	struct store_tx *tx;
	struct err err;
	json_t *recs;
	int64_t seq = -1, n = -1;
	size_t i;

	tx = c_begin(st, true);
	assert_int_equal(store_audit_head(tx, &seq, hash, &err), 0);
	assert_int_equal(seq, 0);
	assert_string_equal(hash, AUDIT_GENESIS);
	assert_int_equal(store_metrics_audit(tx, &n, &err), 0);
	assert_int_equal(n, 0);
	au_append(tx, 10, "CreateJob", "j1", NULL, "OK");
	au_append(tx, 11, "UpdateJob", "j1", NULL, "InvalidRequestException");
	c_commit(tx);
	tx = c_begin(st, true);
	au_append(tx, 12, "CancelJob", "j1", NULL, "OK");
	c_commit(tx);
	tx = c_begin(st, true);
	au_append(tx, 13, "DeleteJob", "j1", NULL, "OK");
	c_rollback(tx);

	recs = au_list(st, &f, 100, 0);
	assert_int_equal(c_len(recs), 3);
	assert_string_equal(c_member(recs, 0, "prev"), AUDIT_GENESIS);
	for (i = 0; i < 3; i++) {
		assert_int_equal(au_seq(recs, i), (int64_t)i + 1);
		if (i > 0)
			assert_string_equal(c_member(recs, i, "prev"),
			    c_member(recs, i - 1, "hash"));
	}
	assert_string_equal(c_member(recs, 1, "result"),
	    "InvalidRequestException");
	assert_string_equal(c_member(recs, 2, "op"), "CancelJob");
	tx = c_begin(st, false);
	assert_int_equal(store_audit_head(tx, &seq, hash, &err), 0);
	assert_int_equal(seq, 3);
	assert_string_equal(hash, c_member(recs, 2, "hash"));
	assert_int_equal(store_metrics_audit(tx, &n, &err), 0);
	assert_int_equal(n, 3);
	c_rollback(tx);
	json_decref(recs);

	/* The next record links to the head, whatever was rolled back. */
	tx = c_begin(st, true);
	au_append(tx, 14, "DeleteJob", "j1", NULL, "OK");
	c_commit(tx);
	f.after = 3;
	recs = au_list(st, &f, 100, 0);
	assert_int_equal(c_len(recs), 1);
	assert_int_equal(au_seq(recs, 0), 4);
	assert_string_equal(c_member(recs, 0, "prev"), hash);
	json_decref(recs);
}

/* The list's filters, limit and stop; the newest OK record of an op. */
static void
audit_filters_and_last(void **state)
{
	struct store *st = *state;
	struct store_audit_filter f = { 0 };
	struct store_audit_rec r = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	json_t *recs;

	au_append(tx, 100, "CreateJob", "ja", NULL, "OK");		/* 1 */
	au_append(tx, 110, "UpdateJobExecution", "ja", "t1", "OK");	/* 2 */
	au_append(tx, 120, "UpdateJobExecution", "ja", "t2", "OK");	/* 3 */
	au_append(tx, 130, "UpdateJobExecution", "jb", "t1", "OK");	/* 4 */
	au_append(tx, 140, "UpdateJobExecution", "ja", "t1",
	    "VersionConflictException");				/* 5 */
	au_append(tx, 150, "DeleteThing", NULL, "t2", "OK");		/* 6 */
	c_commit(tx);

	f.thing = "t1";
	recs = au_list(st, &f, 100, 0);
	assert_int_equal(c_len(recs), 3);
	assert_int_equal(au_seq(recs, 0), 2);
	assert_int_equal(au_seq(recs, 2), 5);
	json_decref(recs);
	f.job = "ja";
	recs = au_list(st, &f, 100, 0);
	assert_int_equal(c_len(recs), 2);
	json_decref(recs);
	f.thing = NULL;
	f.since = 115;
	recs = au_list(st, &f, 100, 0);
	assert_int_equal(c_len(recs), 2);
	assert_int_equal(au_seq(recs, 0), 3);
	assert_int_equal(au_seq(recs, 1), 5);
	json_decref(recs);
	memset(&f, 0, sizeof(f));
	recs = au_list(st, &f, 2, 0);
	assert_int_equal(c_len(recs), 2);
	assert_int_equal(au_seq(recs, 1), 2);
	json_decref(recs);
	f.after = 4;
	recs = au_list(st, &f, 100, 0);
	assert_int_equal(c_len(recs), 2);
	assert_int_equal(au_seq(recs, 0), 5);
	json_decref(recs);
	f.after = 0;
	recs = au_list(st, &f, 100, 3);
	assert_int_equal(c_len(recs), 3);
	json_decref(recs);

	tx = c_begin(st, false);
	/* Record 5 is newer but failed: 2 is the newest OK one. */
	assert_int_equal(store_audit_last(tx, "UpdateJobExecution", "ja",
	    "t1", &r, &err), 1);
	assert_int_equal(r.seq, 2);
	assert_int_equal(r.at, 110);
	assert_string_equal(r.principal, "AKIDEXAMPLE");
	assert_string_equal(r.peer, "127.0.0.1");
	assert_string_equal(r.detail, "{\"k\":1}");
	store_audit_rec_release(&r);
	assert_int_equal(store_audit_last(tx, "UpdateJobExecution", "ja",
	    NULL, &r, &err), 1);
	assert_int_equal(r.seq, 3);
	store_audit_rec_release(&r);
	assert_int_equal(store_audit_last(tx, "CancelJob", "ja", NULL, &r,
	    &err), 0);
	assert_int_equal(store_audit_last(tx, "CreateJob", "jb", NULL, &r,
	    &err), 0);
	/* DeleteThing names no job: found by its thing. */
	assert_int_equal(store_audit_last(tx, "DeleteThing", NULL, "t2", &r,
	    &err), 1);
	assert_int_equal(r.seq, 6);
	store_audit_rec_release(&r);
	c_rollback(tx);
}

/* The metrics rows, as text "status|job|jobs|queued|waiting|paused". */
static void
mt_collect(void *arg, const struct store_metrics_row *r)
{
	char line[160];

	snprintf(line, sizeof(line), "%s|%s|%lld|%lld|%lld|%d",
	    r->queues ? "" : job_status_name(r->status),
	    r->job_id != NULL ? r->job_id : "-", (long long)r->jobs,
	    (long long)r->counts[0], (long long)r->waiting, r->paused);
	json_array_append_new(arg, json_string(line));
}

/* Jobs by status, the queue total, then the newest jobs: a recount. */
static void
metrics_jobs_recount(void **state)
{
	struct store *st = *state;
	struct store_job_step step = { 0 };
	struct store_tx *tx;
	struct err err;
	json_t *rows = json_array();
	bool applied;

	c_thing(st, "mt-1");
	c_thing(st, "mt-2");
	c_thing(st, "mt-3");
	c_job(st, "mt-a", "SNAPSHOT", "[\"" C_THING_ARN "mt-1\",\"" C_THING_ARN
	    "mt-2\"]", 1);
	c_job(st, "mt-b", "CONTINUOUS", "[]", 2);
	c_job(st, "mt-c", "SNAPSHOT", "[\"" C_THING_ARN "mt-3\"]", 3);
	tx = c_begin(st, true);
	assert_int_equal(store_job_plan_thing(tx, "mt-b", "mt-3", &err), 0);
	assert_int_equal(store_job_plan_thing(tx, "mt-b", "mt-2", &err), 0);
	assert_int_equal(store_job_pause_set(tx, "mt-b", 5, "ops", &err), 0);
	step.from = JOB_IN_PROGRESS;
	step.to = JOB_CANCELED;
	assert_int_equal(store_job_status_set(tx, "mt-c", &step, 6, &applied,
	    &err), 0);
	assert_true(applied);
	c_commit(tx);

	tx = c_begin(st, false);
	assert_int_equal(store_metrics_jobs(tx, 2, mt_collect, rows, &err), 0);
	c_rollback(tx);
	assert_int_equal(c_len(rows), 5);
	assert_string_equal(c_str(rows, 0), "CANCELED|-|1|1|0|0");
	assert_string_equal(c_str(rows, 1), "IN_PROGRESS|-|2|2|0|1");
	assert_string_equal(c_str(rows, 2), "|-|0|0|2|0");
	assert_string_equal(c_str(rows, 3), "CANCELED|mt-c|1|1|0|0");
	assert_string_equal(c_str(rows, 4), "IN_PROGRESS|mt-b|1|0|2|1");
	json_decref(rows);
}

static const struct CMUnitTest tests[] = {
	C_CASE(audit_chain_and_head),
	C_CASE(audit_filters_and_last),
	C_CASE(metrics_jobs_recount),
};

C_AREA(c_area_audit, "audit", tests);
