/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Jobs (store_job.h): create, describe and delete, and the ListJobs pages
 * (newest first), which stay stable while jobs are created between pages:
 * no job twice, none of those that existed at the start skipped.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_exec.h"
#include "store/store_job.h"

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
};

C_AREA(c_area_job, "job", tests);
