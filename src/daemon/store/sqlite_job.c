/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the job store: the jobProcessDetails counters kept in
 * the jobs row, the SNAPSHOT completion rule (WIRE.md 8.8), the CONTINUOUS
 * membership hook, and the jobs control plane (create, describe, list,
 * update, cancel, delete, associate targets). See store_job.h.
 */
#include "store_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "xmalloc.h"

/*
 * One execution moves from FROM to TO: each counter adds (status = TO) and
 * subtracts (status = FROM). Unknown or absent statuses are bound as ''
 * and so count for nothing.
 */
static const char sql_count_move[] =
    "UPDATE jobs SET"
    " n_queued = n_queued + (?2 = 'QUEUED') - (?1 = 'QUEUED'),"
    " n_in_progress = n_in_progress + (?2 = 'IN_PROGRESS')"
    " - (?1 = 'IN_PROGRESS'),"
    " n_succeeded = n_succeeded + (?2 = 'SUCCEEDED') - (?1 = 'SUCCEEDED'),"
    " n_failed = n_failed + (?2 = 'FAILED') - (?1 = 'FAILED'),"
    " n_rejected = n_rejected + (?2 = 'REJECTED') - (?1 = 'REJECTED'),"
    " n_canceled = n_canceled + (?2 = 'CANCELED') - (?1 = 'CANCELED'),"
    " n_removed = n_removed + (?2 = 'REMOVED') - (?1 = 'REMOVED'),"
    " n_timed_out = n_timed_out + (?2 = 'TIMED_OUT') - (?1 = 'TIMED_OUT'),"
    " last_updated_at = max(last_updated_at, ?3)"
    " WHERE job_id = ?4";

/* Recount from the executions of one job (index: the UNIQUE on job_id). */
static const char sql_count_refresh[] =
    "UPDATE jobs SET (n_queued, n_in_progress, n_succeeded, n_failed,"
    " n_rejected, n_canceled, n_removed, n_timed_out) = ("
    " SELECT coalesce(sum(status = 'QUEUED'), 0),"
    " coalesce(sum(status = 'IN_PROGRESS'), 0),"
    " coalesce(sum(status = 'SUCCEEDED'), 0),"
    " coalesce(sum(status = 'FAILED'), 0),"
    " coalesce(sum(status = 'REJECTED'), 0),"
    " coalesce(sum(status = 'CANCELED'), 0),"
    " coalesce(sum(status = 'REMOVED'), 0),"
    " coalesce(sum(status = 'TIMED_OUT'), 0)"
    " FROM executions WHERE job_id = ?1),"
    " last_updated_at = max(last_updated_at, ?2)"
    " WHERE job_id = ?1";

/* WIRE.md 8.8: a SNAPSHOT job completes when nothing is left pending. */
static const char sql_complete[] =
    "UPDATE jobs SET status = 'COMPLETED', completed_at = ?2,"
    " last_updated_at = max(last_updated_at, ?2)"
    " WHERE job_id = ?1 AND status = 'IN_PROGRESS'"
    " AND target_selection = 'SNAPSHOT'"
    " AND n_queued + n_in_progress = 0";

static int
job_complete_if_done(struct store_tx *tx, const char *job_id, int64_t now,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_complete);

	sq_bind_text(s, 1, job_id);
	sqlite3_bind_int64(s, 2, now);
	return sq_exec_stmt(tx, s, err);
}

int
store_job_count_move(struct store_tx *tx, const char *job_id,
    const char *from, const char *to, int64_t now, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_count_move);

	sq_bind_text(s, 1, from != NULL ? from : "");
	sq_bind_text(s, 2, to != NULL ? to : "");
	sqlite3_bind_int64(s, 3, now);
	sq_bind_text(s, 4, job_id);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	return job_complete_if_done(tx, job_id, now, err);
}

int
store_job_count_refresh(struct store_tx *tx, const char *job_id,
    int64_t now, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_count_refresh);

	sq_bind_text(s, 1, job_id);
	sqlite3_bind_int64(s, 2, now);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	return job_complete_if_done(tx, job_id, now, err);
}

/*
 * The IN_PROGRESS CONTINUOUS jobs that target group ?2 (an ARN prefix ?1
 * plus a group name) or one of its ancestors, and that have nothing but
 * REMOVED executions (or none) on thing ?3. Index lookups only: the
 * thing_groups primary key up the hierarchy, job_targets_arn, the jobs
 * job_id UNIQUE, the executions UNIQUE (job_id, thing_name, ...).
 */
static const char sql_member_jobs[] =
    "WITH RECURSIVE anc(name, depth) AS ("
    " SELECT ?2, 0"
    " UNION"
    " SELECT g.parent_name, anc.depth + 1 FROM thing_groups g"
    " JOIN anc ON g.name = anc.name"
    " WHERE g.parent_name IS NOT NULL AND anc.depth < 64)"
    " SELECT DISTINCT j.job_id FROM anc"
    " JOIN job_targets t ON t.target_arn = ?1 || anc.name"
    " JOIN jobs j ON j.job_id = t.job_id"
    " WHERE j.status = 'IN_PROGRESS' AND j.target_selection = 'CONTINUOUS'"
    " AND NOT EXISTS (SELECT 1 FROM executions e"
    " WHERE e.job_id = j.job_id AND e.thing_name = ?3"
    " AND e.status <> 'REMOVED')";

/* A new QUEUED execution of job ?1 on thing ?2, numbered after any other. */
static const char sql_exec_queue[] =
    "INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, version)"
    " SELECT ?1, ?2, coalesce(max(execution_number), 0) + 1, 'QUEUED',"
    " ?3, ?3, 1 FROM executions WHERE job_id = ?1 AND thing_name = ?2";

#define GROUP_ARN_MARK	"thinggroup/"

int
store_job_member_added(struct store_tx *tx, const char *group_arn,
    const char *thing_name, int64_t now, struct err *err)
{
	char prefix[ERR_ARN_MAX];
	const char *mark = strstr(group_arn, GROUP_ARN_MARK);
	sqlite3_stmt *s;
	char **ids = NULL;
	size_t n = 0, cap = 0, i;
	int rc, ret = -1;

	if (mark == NULL)
		return 0;	/* not a group ARN: no job can target it */
	mark += strlen(GROUP_ARN_MARK);
	if ((size_t)(mark - group_arn) >= sizeof(prefix))
		return 0;
	memcpy(prefix, group_arn, (size_t)(mark - group_arn));
	prefix[mark - group_arn] = '\0';
	s = sq_stmt(tx, sql_member_jobs);
	sq_bind_text(s, 1, prefix);
	sq_bind_text(s, 2, mark);
	sq_bind_text(s, 3, thing_name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			ids = xrealloc(ids, cap * sizeof(*ids));
		}
		ids[n++] = xstrdup(sq_col_text(s, 0));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		sq_fail(tx, rc, err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		s = sq_stmt(tx, sql_exec_queue);
		sq_bind_text(s, 1, ids[i]);
		sq_bind_text(s, 2, thing_name);
		sqlite3_bind_int64(s, 3, now);
		if (sq_exec_stmt(tx, s, err) == -1 ||
		    store_job_count_move(tx, ids[i], NULL, "QUEUED", now,
		    err) == -1)
			goto out;
	}
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return ret;
}
