/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Jobs (store_job.h): create, describe and delete; queueing a job's
 * executions through its thing and group targets (each existing thing
 * once, subgroups included, never twice); the ListJobs pages (newest
 * first), which stay stable while jobs are created between pages: no job
 * twice, none of those that existed at the start skipped; and ListJobs'
 * filters.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_exec.h"
#include "store/store_job.h"
#include "store/store_thing.h"

/* Create, describe with targets and counters, delete with executions. */
static void
job_create_describe_delete(void **state)
{
	struct store *st = *state;
	struct store_job j = { 0 };
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;

	c_thing(st, "jd-1");
	c_thing(st, "jd-2");
	c_job(st, "jd", "SNAPSHOT", "[\"" C_THING_ARN "jd-1\",\"" C_THING_ARN
	    "jd-2\",\"" C_THING_ARN "jd-missing\"]", 1000);
	tx = c_begin(st, false);
	assert_int_equal(store_job_get(tx, "jd", &j, &err), 1);
	assert_string_equal(job_status_name(j.status), "IN_PROGRESS");
	assert_string_equal(j.target_selection, "SNAPSHOT");
	assert_string_equal(j.document, "{\"op\":\"run\"}");
	assert_int_equal(j.created_at, 1000);
	assert_int_equal(c_len(j.targets), 3);
	assert_string_equal(c_str(j.targets, 2), C_THING_ARN "jd-missing");
	assert_int_equal(j.counts[0], 2);
	store_job_release(&j);
	assert_int_equal(store_job_get(tx, "jd", NULL, &err), 1);
	assert_int_equal(store_job_get(tx, "nojob", NULL, &err), 0);
	c_rollback(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_job_delete(tx, "jd", &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_job_get(tx, "jd", NULL, &err), 0);
	assert_int_equal(store_exec_get(tx, "jd-1", "jd", -1, false, &e,
	    &err), 0);
	c_rollback(tx);
}

/* In its own transaction: group NAME under PARENT, its id into ID. */
static void
jq_group(struct store *st, const char *name, const char *parent, char *id)
{
	struct store_tx *tx = c_begin(st, true);

	c_group_put(tx, name, parent, id);
	c_commit(tx);
}

static void
jq_member(struct store *st, const char *group, const char *thing)
{
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	bool added;

	assert_int_equal(store_member_add(tx, group, thing, &added, &err), 0);
	c_commit(tx);
}

/* Whether THING has execution 1 of JOB_ID, queued at AT. */
static bool
jq_queued(struct store_tx *tx, const char *thing, const char *job_id,
    int64_t at)
{
	struct store_exec e = { 0 };
	struct err err;
	int rc = store_exec_get(tx, thing, job_id, -1, false, &e, &err);

	assert_int_not_equal(rc, -1);
	if (rc == 0)
		return false;
	assert_int_equal(e.execution_number, 1);
	assert_int_equal(e.status, EXEC_QUEUED);
	assert_int_equal(e.queued_at, at);
	store_exec_release(&e);
	return true;
}

static int64_t
jq_queued_count(struct store_tx *tx, const char *job_id)
{
	struct store_job j = { 0 };
	struct err err;
	int64_t n;

	assert_int_equal(store_job_get(tx, job_id, &j, &err), 1);
	n = j.counts[0];
	store_job_release(&j);
	return n;
}

/*
 * Groups reach their subgroups' members; a thing reached twice gets one
 * execution; a missing thing none; queueing again adds only the things
 * that have none yet. A single group's members are queued the same way.
 */
static void
job_queue_through_groups(void **state)
{
	struct store *st = *state;
	struct store_tx *tx;
	struct err err;

	jq_group(st, "qg-top", "", NULL);
	jq_group(st, "qg-mid", "qg-top", NULL);
	jq_group(st, "qg-low", "qg-mid", NULL);
	jq_group(st, "qg-side", "", NULL);
	c_thing(st, "qg-1");
	c_thing(st, "qg-2");
	c_thing(st, "qg-3");
	c_thing(st, "qg-4");
	c_thing(st, "qg-5");
	jq_member(st, "qg-top", "qg-1");
	jq_member(st, "qg-low", "qg-2");
	jq_member(st, "qg-low", "qg-1");
	jq_member(st, "qg-side", "qg-4");
	c_job(st, "qa", "SNAPSHOT", "[\"" C_GROUP_ARN "qg-top\",\"" C_THING_ARN
	    "qg-1\",\"" C_THING_ARN "qg-3\",\"" C_THING_ARN "qg-none\",\""
	    C_GROUP_ARN "qg-none\"]", 100);
	c_job(st, "qs", "SNAPSHOT", "[\"" C_GROUP_ARN "qg-side\"]", 110);
	tx = c_begin(st, false);
	assert_int_equal(jq_queued_count(tx, "qa"), 3);
	assert_true(jq_queued(tx, "qg-1", "qa", 100));
	assert_true(jq_queued(tx, "qg-2", "qa", 100));
	assert_true(jq_queued(tx, "qg-3", "qa", 100));
	assert_false(jq_queued(tx, "qg-4", "qa", 100));
	assert_int_equal(jq_queued_count(tx, "qs"), 1);
	assert_true(jq_queued(tx, "qg-4", "qs", 110));
	assert_false(jq_queued(tx, "qg-1", "qs", 110));
	c_rollback(tx);

	/* New members: queueing again gives them, and only them, one. */
	jq_member(st, "qg-mid", "qg-5");
	jq_member(st, "qg-side", "qg-5");
	tx = c_begin(st, true);
	assert_int_equal(store_job_queue_targets(tx, "qa", C_ARN, 200, &err),
	    0);
	assert_int_equal(store_job_queue_targets(tx, "qs", C_ARN, 210, &err),
	    0);
	assert_int_equal(jq_queued_count(tx, "qa"), 4);
	assert_true(jq_queued(tx, "qg-1", "qa", 100));
	assert_true(jq_queued(tx, "qg-5", "qa", 200));
	assert_int_equal(jq_queued_count(tx, "qs"), 2);
	assert_true(jq_queued(tx, "qg-4", "qs", 110));
	assert_true(jq_queued(tx, "qg-5", "qs", 210));
	assert_int_equal(store_job_queue_targets(tx, "qs", C_ARN, 220, &err),
	    0);
	assert_int_equal(jq_queued_count(tx, "qs"), 2);
	c_commit(tx);
}

/* The ids ListJobs gives for F, newest first, as one comma list. */
static void
jl_ids(struct store *st, const struct store_job_filter *f, char *out,
    size_t size)
{
	struct store_job_summary rows[8];
	struct store_tx *tx = c_begin(st, false);
	struct err err;
	int64_t next = -1;
	size_t len = 0;
	int i, n;

	assert_int_equal(store_job_list(tx, f, C_GROUP_ARN, 0, 8, rows, &n,
	    &next, &err), 0);
	c_rollback(tx);
	assert_int_equal(next, 0);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
		    i > 0 ? "," : "", rows[i].job_id);
}

/*
 * Each filter alone and together; a summary names the group its first
 * existing group target is.
 */
static void
job_list_filters(void **state)
{
	struct store *st = *state;
	struct store_job_filter f = { 0 };
	struct store_job_summary rows[4];
	struct store_job_step step = { 0 };
	struct store_job j = { 0 };
	enum job_status canceled = JOB_CANCELED, running = JOB_IN_PROGRESS;
	struct store_tx *tx;
	struct err err;
	char gid[STORE_ID_LEN + 1], ids[128];
	int64_t next;
	bool applied;
	int n;

	jq_group(st, "lf-g", "", gid);
	c_job_insert(st, "lf-a", "SNAPSHOT", "[\"" C_GROUP_ARN "lf-none\",\""
	    C_GROUP_ARN "lf-g\"]", 1, false);
	c_job_insert(st, "lf-b", "CONTINUOUS", "[\"" C_GROUP_ARN "lf-g\"]", 2,
	    false);
	c_job_insert(st, "lf-c", "CONTINUOUS", "[\"" C_THING_ARN "lf-t\"]", 3,
	    false);
	tx = c_begin(st, true);
	snprintf(j.job_id, sizeof(j.job_id), "lf-d");
	j.status = JOB_IN_PROGRESS;
	snprintf(j.target_selection, sizeof(j.target_selection), "SNAPSHOT");
	j.config = json_pack("{s:s}", "namespaceId", "ns-1");
	j.targets = json_array();
	j.created_at = j.last_updated_at = 4;
	assert_int_equal(store_job_insert(tx, &j, &err), 0);
	json_decref(j.config);
	json_decref(j.targets);
	step.from = JOB_IN_PROGRESS;
	step.to = JOB_CANCELED;
	assert_int_equal(store_job_status_set(tx, "lf-b", &step, 5, &applied,
	    &err), 0);
	c_commit(tx);

	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "lf-d,lf-c,lf-b,lf-a");
	f.status = &canceled;
	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "lf-b");
	f.status = &running;
	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "lf-d,lf-c,lf-a");
	f.target_selection = "CONTINUOUS";
	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "lf-c");
	f.status = NULL;
	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "lf-c,lf-b");
	f.group_arn = C_GROUP_ARN "lf-g";
	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "lf-b");
	f.target_selection = NULL;
	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "lf-b,lf-a");
	f.group_arn = NULL;
	f.namespace_id = "ns-1";
	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "lf-d");
	f.namespace_id = "ns-2";
	jl_ids(st, &f, ids, sizeof(ids));
	assert_string_equal(ids, "");

	memset(&f, 0, sizeof(f));
	tx = c_begin(st, false);
	assert_int_equal(store_job_list(tx, &f, C_GROUP_ARN, 0, 4, rows, &n,
	    &next, &err), 0);
	c_rollback(tx);
	assert_int_equal(n, 4);
	assert_string_equal(rows[3].job_id, "lf-a");
	assert_string_equal(rows[3].group_id, gid);
	assert_string_equal(rows[3].target_selection, "SNAPSHOT");
	assert_int_equal(rows[3].created_at, 1);
	assert_int_equal(rows[3].completed_at, 0);
	assert_string_equal(rows[2].group_id, gid);
	assert_string_equal(job_status_name(rows[2].status), "CANCELED");
	assert_int_equal(rows[2].last_updated_at, 5);
	assert_string_equal(rows[1].group_id, "");
	assert_string_equal(rows[0].group_id, "");
}

/* Visits one page of every job from AFTER, into SEEN; the next position. */
static int64_t
job_page(struct store *st, int64_t after, json_t *seen)
{
	struct store_job_filter f = { 0 };
	struct store_job_summary out[3];
	struct store_tx *tx = c_begin(st, false);
	struct err err;
	int64_t next;
	int i, n;

	assert_int_equal(store_job_list(tx, &f, C_GROUP_ARN, after, 3, out, &n,
	    &next, &err), 0);
	c_rollback(tx);
	for (i = 0; i < n; i++)
		json_array_append_new(seen, json_string(out[i].job_id));
	return next;
}

/* Pages stay stable while jobs are created between them. */
static void
job_list_stable_under_inserts(void **state)
{
	struct store *st = *state;
	json_t *seen = json_array();
	char id[16];
	int64_t next;
	size_t i, k;
	int made = 0, pages = 0;

	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "old-%02zu", i);
		c_job(st, id, "SNAPSHOT", "[]", 1000 + (int64_t)i);
	}
	next = job_page(st, 0, seen);
	while (next != 0) {
		snprintf(id, sizeof(id), "new-%02d", made++);
		c_job(st, id, "SNAPSHOT", "[]", 2000 + made);
		next = job_page(st, next, seen);
		assert_true(++pages < 20);
	}
	/* Newest first: every old job once, in order; no job twice. */
	for (i = 0, k = 0; i < c_len(seen); i++) {
		size_t j;

		for (j = i + 1; j < c_len(seen); j++)
			assert_string_not_equal(c_str(seen, i), c_str(seen, j));
		if (strncmp(c_str(seen, i), "old-", 4) != 0)
			continue;
		snprintf(id, sizeof(id), "old-%02zu", 9 - k++);
		assert_string_equal(c_str(seen, i), id);
	}
	assert_int_equal(k, 10);
	json_decref(seen);
}

static const struct CMUnitTest tests[] = {
	C_CASE(job_create_describe_delete),
	C_CASE(job_list_stable_under_inserts),
	C_CASE(job_queue_through_groups),
	C_CASE(job_list_filters),
};

C_AREA(c_area_job, "job", tests);
