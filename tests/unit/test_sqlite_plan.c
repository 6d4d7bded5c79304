/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device path's statements (store/sqlite_plan.h) use indexes: on a
 * migrated store filled with a fleet's worth of rows, without ANALYZE (the
 * planner iotjobsd runs with), EXPLAIN QUERY PLAN of each one may SCAN
 * only the tables its list declares bounded, and never builds an
 * automatic index (a full scan at every run). No statement and no index
 * names a status: they are bound from status.h. A failure prints the
 * statement and its plan; IOTJOBS_PLAN_SHOW=1 prints every plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "store/sqlite_int.h"
#include "store/sqlite_plan.h"
#include "store/store.h"

#define PLAN_MAX	8192

static char dir[] = "/tmp/iotjobs-test-plan-XXXXXX";

/*
 * A fleet: 5000 things, each in a group of a three-level tree and with a
 * certificate; 100 jobs, 20000 executions (every status, timers on the
 * running ones), rollout queues, outbox backlogs and an audit log.
 */
static const char sql_fleet[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
    " WHERE i < 5000)"
    " INSERT INTO things (name, thing_id, created_at)"
    " SELECT 'thing-' || i, 'id-' || i, i FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
    " WHERE i < 111)"
    " INSERT INTO thing_groups (name, group_id, parent_name, created_at)"
    " SELECT 'group-' || i, 'gid-' || i,"
    " CASE WHEN i > 1 THEN 'group-' || ((i - 2) / 10 + 1) END, i FROM n;"
    "INSERT INTO group_members (group_name, thing_name)"
    " SELECT 'group-' || (rowid % 100 + 12), name FROM things;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
    " WHERE i < 100)"
    " INSERT INTO jobs (job_id, status, target_selection, document,"
    " config, created_at, last_updated_at, wake_at, rollout_at)"
    " SELECT 'job-' || i, CASE WHEN i % 10 = 0 THEN 'COMPLETED'"
    " ELSE 'IN_PROGRESS' END, CASE WHEN i % 2 = 0 THEN 'CONTINUOUS'"
    " ELSE 'SNAPSHOT' END, '{}', '{\"timeoutConfig\":"
    " {\"inProgressTimeoutInMinutes\": 10}}', i, i,"
    " CASE WHEN i % 3 = 0 THEN 1000 + i END,"
    " CASE WHEN i % 3 = 0 THEN 1000 + i END FROM n;"
    "INSERT INTO job_targets (job_id, pos, target_arn)"
    " SELECT job_id, 0, 'arn:aws:iot:us-east-1:123456789012:thinggroup/'"
    " || 'group-' || (id % 100 + 12) FROM jobs;"
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n"
    " WHERE i < 19999)"
    " INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, timeout_at, progress_timeout_at)"
    " SELECT 'job-' || (i / 5000 * 25 + i % 25 + 1),"
    " 'thing-' || (i % 5000 + 1), 1,"
    " CASE i % 4 WHEN 0 THEN 'QUEUED' WHEN 1 THEN 'IN_PROGRESS'"
    " WHEN 2 THEN 'SUCCEEDED' ELSE 'FAILED' END, i, i,"
    " CASE WHEN i % 4 = 1 THEN 100000 + i END,"
    " CASE WHEN i % 4 = 1 THEN 100000 + i END FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
    " WHERE i < 2000)"
    " INSERT INTO rollout_queue (job_id, seq, thing_name)"
    " SELECT 'job-' || (i % 100 + 1), i, 'thing-' || (i + 3000) FROM n;"
    "INSERT INTO notify_outbox (thing_name)"
    " SELECT name FROM things WHERE rowid <= 1000;"
    "INSERT INTO notify_sent (thing_name, list, head)"
    " SELECT name, 'job-1#1', 'job-1#1' FROM things WHERE rowid <= 1000;"
    "INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,"
    " version, at) SELECT 'jobExecution', 'update', job_id, thing_name,"
    " status, version, id FROM executions WHERE id <= 1000;"
    "INSERT INTO ca_certificates (certificate_id, pem, status, subject,"
    " not_before, not_after, generation_id, created_at, modified_at)"
    " VALUES ('ca-1', 'pem', 'ACTIVE', 'CN=ca', 0, 1, 'g', 0, 0);"
    "INSERT INTO certificates (certificate_id, pem, status,"
    " ca_certificate_id, not_before, not_after, generation_id, created_at,"
    " modified_at) SELECT 'cert-' || rowid, 'pem', 'ACTIVE', 'ca-1', 0, 1,"
    " 'g', rowid, rowid FROM things;"
    "INSERT INTO thing_principals (thing_name, principal, type, created_at)"
    " SELECT name, 'arn:aws:iot:us-east-1:123456789012:cert/cert-' || rowid,"
    " 'NON_EXCLUSIVE_THING', 0 FROM things;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
    " WHERE i < 50)"
    " INSERT INTO policies (name, default_version, next_version,"
    " generation_id, created_at, modified_at)"
    " SELECT 'policy-' || i, 1, 2, 'g', i, i FROM n;"
    "INSERT INTO policy_versions (policy_name, version_id, document,"
    " created_at) SELECT name, 1, '{}', 0 FROM policies;"
    "INSERT INTO policy_targets (policy_name, target, created_at)"
    " SELECT 'policy-' || (created_at % 50 + 1),"
    " 'arn:aws:iot:us-east-1:123456789012:cert/cert-' || created_at, 0"
    " FROM things;"
    "INSERT INTO operator_keys (access_key_id, name, sealed_secret, policy,"
    " status, created_at) VALUES ('AKIAOPERATOR', 'admin', x'00', '{}',"
    " 'ACTIVE', 0);"
    "INSERT INTO audit_log (seq, at, principal, operation, result,"
    " prev_hash, hash) SELECT rowid, rowid, 'p', 'CreateJob', 'ok', 'h',"
    " 'h' FROM things WHERE rowid <= 1000;";

/* Whether NAME is one of the space-separated words of LIST. */
static bool
word_in(const char *list, const char *name, size_t len)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		if (n == len && strncmp(p, name, len) == 0)
			return true;
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

/*
 * Why DETAIL (a row of a plan) is refused for a statement that may scan
 * ALLOWED: NULL when it is not.
 */
static const char *
step_refusal(const char *detail, const char *allowed)
{
	const char *table;

	if (strstr(detail, "AUTOMATIC") != NULL)
		return "an automatic index (built by a full scan)";
	if (strncmp(detail, "SCAN ", 5) != 0 ||
	    strcmp(detail, "SCAN CONSTANT ROW") == 0)
		return NULL;
	table = detail + 5;
	if (word_in(allowed, table, strcspn(table, " ")))
		return NULL;
	return "a SCAN the statement does not declare";
}

/*
 * Plans ST (of file FILE) into PLAN; returns the number of refused steps
 * (their reason appended to the plan's lines).
 */
static int
plan_check(sqlite3 *db, const char *file, const struct sq_plan_stmt *st,
    char *plan, size_t size)
{
	char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", st->sql);
	size_t len = 0;
	sqlite3_stmt *s;
	int bad = 0;

	assert_non_null(sql);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s %s does not compile: %s", file, st->name,
		    sqlite3_errmsg(db));
	plan[0] = '\0';
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(s, 3);
		const char *why = step_refusal(detail, st->scans);
		int n;

		bad += why != NULL;
		n = snprintf(plan + len, size - len, "    %d<-%d %s%s%s\n",
		    sqlite3_column_int(s, 0), sqlite3_column_int(s, 1),
		    detail, why != NULL ? "    <-- " : "",
		    why != NULL ? why : "");
		if (n > 0 && (size_t)n < size - len)
			len += (size_t)n;
	}
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return bad;
}

/*
 * The pending list statements walk executions_pending in list order and
 * stop at the limit: a sort would read every pending row of the thing
 * (and hides a pending order the index no longer gives).
 */
static const char *const unsorted[] = {
	"sql_pending", "sql_pending_summary", "sql_pending_of", NULL,
};

/* Whether ST's plan may not sort; 1 when it sorts anyway. */
static int
sort_check(const struct sq_plan_stmt *st, const char *plan)
{
	int i;

	for (i = 0; unsorted[i] != NULL; i++)
		if (strcmp(st->name, unsorted[i]) == 0)
			return strstr(plan, "TEMP B-TREE") != NULL;
	return 0;
}

/*
 * The status SQL ST names as a literal, or NULL: statuses are bound from
 * the enums of status.h, never spelt in a statement (and a partial index
 * on a status literal is one a bound status cannot use).
 */
static const char *
status_literal(const struct sq_plan_stmt *st)
{
	static char quoted[32];
	int i;

	for (i = 0; i < EXEC_STATUS_COUNT + JOB_STATUS_COUNT +
	    CMD_STATUS_COUNT; i++) {
		const char *name = i < EXEC_STATUS_COUNT ?
		    exec_status_name((enum exec_status)i) :
		    i < EXEC_STATUS_COUNT + JOB_STATUS_COUNT ?
		    job_status_name((enum job_status)(i - EXEC_STATUS_COUNT)) :
		    cmd_status_name((enum cmd_status)(i - EXEC_STATUS_COUNT -
		    JOB_STATUS_COUNT));

		snprintf(quoted, sizeof(quoted), "'%s'", name);
		if (strstr(st->sql, quoted) != NULL)
			return quoted;
	}
	return NULL;
}

/* The indexes of the migrated schema whose text names a status. */
static int
index_literals(sqlite3 *db)
{
	struct sq_plan_stmt ix = { NULL, NULL, NULL };
	sqlite3_stmt *s;
	const char *lit;
	int bad = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM"
	    " sqlite_master WHERE type = 'index' AND sql IS NOT NULL", -1, &s,
	    NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		ix.name = (const char *)sqlite3_column_text(s, 0);
		ix.sql = (const char *)sqlite3_column_text(s, 1);
		if ((lit = status_literal(&ix)) != NULL) {
			fprintf(stderr, "LITERAL: index %s names %s\n",
			    ix.name, lit);
			bad++;
		}
	}
	sqlite3_finalize(s);
	return bad;
}

/* Every listed statement; the refused ones printed with their plan. */
static int
plans_check(sqlite3 *db, bool show)
{
	static char plan[PLAN_MAX];
	const struct sq_plan_list *l;
	const struct sq_plan_stmt *st;
	int failed = 0, n = 0, walks = 0;

	for (l = sq_plan_lists; l->file != NULL; l++) {
		for (st = l->stmts; st->name != NULL; st++, n++) {
			int bad = plan_check(db, l->file, st, plan,
			    sizeof(plan));
			int sorts = sort_check(st, plan);
			const char *lit = status_literal(st);

			if (lit != NULL) {
				fprintf(stderr, "LITERAL: %s %s names %s\n",
				    l->file, st->name, lit);
				failed++;
			}

			if (bad > 0 || sorts > 0 || show)
				fprintf(stderr, "%s %s %s\n  %s\n%s",
				    bad > 0 ? "SCAN:" : sorts > 0 ? "SORT:" :
				    "plan:", l->file, st->name, st->sql, plan);
			failed += bad > 0 || sorts > 0;
			for (int i = 0; unsorted[i] != NULL; i++)
				walks += strcmp(st->name, unsorted[i]) == 0;
		}
	}
	/* The lists are not empty: a broken join would pass silently. */
	assert_true(n > 40);
	assert_int_equal(walks, 3);
	return failed;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
plan_device_path_uses_indexes(void **state)
{
	const char *show = getenv("IOTJOBS_PLAN_SHOW");
	struct store *st;
	struct store_tx *tx;
	struct err err;
	sqlite3 *db;
	char *msg = NULL;
	int failed;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(dir, &st, &err), 0);
	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	db = sq_db(tx);
	if (sqlite3_exec(db, sql_fleet, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("the fleet does not load: %s", msg);
	/* No statistics: the plans are those of the default planner. */
	assert_int_equal(sqlite3_exec(db, "SELECT 1 FROM sqlite_stat1", NULL,
	    NULL, NULL), SQLITE_ERROR);
	failed = plans_check(db, show != NULL && strcmp(show, "1") == 0);
	failed += index_literals(db);
	assert_int_equal(store_end(tx, true, &err), 0);
	store_close(st);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	assert_int_equal(failed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_device_path_uses_indexes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
