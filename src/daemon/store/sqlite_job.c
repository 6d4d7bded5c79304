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
#include "sqlite_plan.h"
#include "xmalloc.h"

/*
 * The counter columns are in store_job_count_status order; the recount
 * binds those statuses' names as ?11 to ?18.
 */
#define COUNT_PARAM	11

/*
 * One execution moves from FROM to TO: ?1 to ?8 are what each counter
 * (column order) adds, 1 for TO's and -1 for FROM's, computed in
 * sq_job_count_move; the row is found by ?9.
 */
static const char sql_count_move[] =
    "UPDATE jobs SET"
    " n_queued = n_queued + ?1,"
    " n_in_progress = n_in_progress + ?2,"
    " n_succeeded = n_succeeded + ?3,"
    " n_failed = n_failed + ?4,"
    " n_rejected = n_rejected + ?5,"
    " n_canceled = n_canceled + ?6,"
    " n_removed = n_removed + ?7,"
    " n_timed_out = n_timed_out + ?8,"
    " last_updated_at = max(last_updated_at, ?10)"
    " WHERE job_id = ?9";

/* Recount from the executions of one job (index: the UNIQUE on job_id). */
static const char sql_count_refresh[] =
    "UPDATE jobs SET (n_queued, n_in_progress, n_succeeded, n_failed,"
    " n_rejected, n_canceled, n_removed, n_timed_out) = ("
    " SELECT"
    " coalesce(sum(status = ?11), 0),"
    " coalesce(sum(status = ?12), 0),"
    " coalesce(sum(status = ?13), 0),"
    " coalesce(sum(status = ?14), 0),"
    " coalesce(sum(status = ?15), 0),"
    " coalesce(sum(status = ?16), 0),"
    " coalesce(sum(status = ?17), 0),"
    " coalesce(sum(status = ?18), 0)"
    " FROM executions WHERE job_id = ?1),"
    " last_updated_at = max(last_updated_at, ?2)"
    " WHERE job_id = ?1";

static void
bind_count_status(sqlite3_stmt *s)
{
	int i;

	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		sq_bind_text(s, COUNT_PARAM + i,
		    exec_status_name(store_job_count_status[i]));
}

/* The counter (column) index that counts STATUS, or -1 (none: -1). */
static int
count_index(int status)
{
	int i;

	for (i = 0; status >= 0 && i < STORE_JOB_NCOUNTS; i++)
		if ((int)store_job_count_status[i] == status)
			return i;
	return -1;
}

int
sq_job_count_move(struct store_tx *tx, const char *job_id, int from, int to,
    int64_t now, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_count_move);
	int delta[STORE_JOB_NCOUNTS] = { 0 };
	int i;

	if ((i = count_index(from)) != -1)
		delta[i]--;
	if ((i = count_index(to)) != -1)
		delta[i]++;
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		sqlite3_bind_int(s, 1 + i, delta[i]);
	sqlite3_bind_text(s, 9, job_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, now);
	return sq_exec_stmt(tx, s, err);
}

int
sq_job_count_refresh(struct store_tx *tx, const char *job_id,
    int64_t now, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_count_refresh);

	sq_bind_text(s, 1, job_id);
	sqlite3_bind_int64(s, 2, now);
	bind_count_status(s);
	return sq_exec_stmt(tx, s, err);
}

/* --- the jobs control plane ------------------------------------------- */


/* Column I as a new string, or NULL for an SQL NULL. */
static char *
col_dup(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	return xstrdup(sq_col_text(s, i));
}

static void
col_copy(sqlite3_stmt *s, int i, char *buf, size_t size)
{
	snprintf(buf, size, "%s", sq_col_text(s, i));
}

/* The JobStatus of column I; COMPLETED (inert) for a name never written. */
static enum job_status
col_job_status(sqlite3_stmt *s, int i)
{
	enum job_status st;

	if (job_status_parse(sq_col_text(s, i), &st) == -1)
		return JOB_COMPLETED;
	return st;
}

static const char sql_job_get[] =
    "SELECT job_id, status, target_selection, document, description,"
    " config, force_canceled, reason_code, comment, created_at,"
    " last_updated_at, completed_at, n_queued, n_in_progress,"
    " n_succeeded, n_failed, n_rejected, n_canceled, n_removed,"
    " n_timed_out FROM jobs WHERE job_id = ?1";

static const char sql_job_targets[] =
    "SELECT target_arn FROM job_targets WHERE job_id = ?1 ORDER BY pos";

static void
job_from_row(sqlite3_stmt *s, struct store_job *job)
{
	json_error_t jerr;
	int i;

	col_copy(s, 0, job->job_id, sizeof(job->job_id));
	job->status = col_job_status(s, 1);
	col_copy(s, 2, job->target_selection, sizeof(job->target_selection));
	job->document = col_dup(s, 3);
	job->description = col_dup(s, 4);
	job->config = json_loads(sq_col_text(s, 5), 0, &jerr);
	if (!json_is_object(job->config)) {
		json_decref(job->config);
		job->config = json_object();
	}
	job->force_canceled = sqlite3_column_int(s, 6) != 0;
	job->reason_code = col_dup(s, 7);
	job->comment = col_dup(s, 8);
	job->created_at = sqlite3_column_int64(s, 9);
	job->last_updated_at = sqlite3_column_int64(s, 10);
	job->completed_at = sqlite3_column_int64(s, 11);
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		job->counts[i] = sqlite3_column_int64(s, 12 + i);
}

static int
job_targets_load(struct store_tx *tx, struct store_job *job,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_job_targets);
	int rc;

	job->targets = json_array();
	sq_bind_text(s, 1, job->job_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(job->targets,
		    json_string(sq_col_text(s, 0)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_job_get(struct store_tx *tx, const char *job_id,
    struct store_job *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_job_get);
	int rc;

	sq_bind_text(s, 1, job_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return sq_fail(tx, rc, err);
	}
	if (out == NULL) {
		sqlite3_reset(s);
		return 1;
	}
	memset(out, 0, sizeof(*out));
	job_from_row(s, out);
	sqlite3_reset(s);
	if (job_targets_load(tx, out, err) == -1) {
		store_job_release(out);
		return -1;
	}
	return 1;
}

static const char sql_thing_exists[] =
    "SELECT 1 FROM things WHERE name = ?1";
static const char sql_group_exists[] =
    "SELECT 1 FROM thing_groups WHERE name = ?1";

int
sq_job_target_exists(struct store_tx *tx, bool group, const char *name,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, group ? sql_group_exists :
	    sql_thing_exists);
	int rc;

	sq_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	return sq_found(tx, s, rc, err);
}

static const char sql_job_insert[] =
    "INSERT INTO jobs (job_id, status, target_selection, document,"
    " description, config, created_at, last_updated_at, namespace_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)";

/* Targets ?2 (a JSON array) of job ?1, at positions from ?3 on. */
static const char sql_targets_insert[] =
    "INSERT INTO job_targets (job_id, pos, target_arn)"
    " SELECT ?1, ?3 + key, value FROM json_each(?2)";

static const char sql_targets_next_pos[] =
    "SELECT coalesce(max(pos) + 1, 0) FROM job_targets WHERE job_id = ?1";

static int
targets_insert(struct store_tx *tx, const char *job_id, json_t *targets,
    int64_t pos, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_targets_insert);
	char *text = json_dumps(targets, JSON_COMPACT);
	int rc;

	if (text == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot encode the targets of job %s", job_id);
	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, text);
	sqlite3_bind_int64(s, 3, pos);
	rc = sq_exec_stmt(tx, s, err);
	free(text);
	return rc;
}

int
sq_job_insert(struct store_tx *tx, const struct store_job *job,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_job_insert);
	json_t *ns = json_object_get(job->config, "namespaceId");
	char *config = json_dumps(job->config, JSON_COMPACT);
	int rc;

	if (config == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot encode the configuration of job %s", job->job_id);
	sq_bind_text(s, 1, job->job_id);
	sq_bind_text(s, 2, job_status_name(job->status));
	sq_bind_text(s, 3, job->target_selection);
	sq_bind_text(s, 4, job->document);
	sq_bind_text(s, 5, job->description);
	sq_bind_text(s, 6, config);
	sqlite3_bind_int64(s, 7, job->created_at);
	sq_bind_text(s, 8, json_string_value(ns));
	rc = sq_exec_stmt(tx, s, err);
	free(config);
	if (rc == -1)
		return -1;
	return targets_insert(tx, job->job_id, job->targets, 0, err);
}

int
sq_job_targets_add(struct store_tx *tx, const char *job_id,
    json_t *targets, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_targets_next_pos);
	int64_t pos = 0;
	int rc;

	sq_bind_text(s, 1, job_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		pos = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	return targets_insert(tx, job_id, targets, pos, err);
}

/*
 * ?1 job, ?2 ARN prefix, ?3/?4 where a group/thing name starts in its ARN
 * (1-based), ?5 now. The target groups and every descendant (parent
 * index), their members (group_members primary key) and the target things
 * (each once, existing only), minus the things the job already has an
 * execution on. Queue order: by thing name.
 */
#define TARGETS_CTE \
    "WITH RECURSIVE" \
    " grp(name, depth) AS (" \
    " SELECT substr(target_arn, ?3), 0 FROM job_targets" \
    " WHERE job_id = ?1" \
    " AND substr(target_arn, 1, ?3 - 1) = ?2 || 'thinggroup/'" \
    " UNION" \
    " SELECT g.name, grp.depth + 1 FROM grp" \
    " JOIN thing_groups g ON g.parent_name = grp.name" \
    " WHERE grp.depth < 64)," \
    " tgt(thing) AS (" \
    " SELECT substr(target_arn, ?4) FROM job_targets" \
    " WHERE job_id = ?1" \
    " AND substr(target_arn, 1, ?4 - 1) = ?2 || 'thing/'" \
    " UNION" \
    " SELECT m.thing_name FROM grp" \
    " JOIN group_members m ON m.group_name = grp.name)"

/* Parameters as TARGETS_CTE; ?6 QUEUED. */
static const char sql_queue_targets[] = TARGETS_CTE
    " INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, version)"
    " SELECT ?1, tgt.thing, 1, ?6, ?5, ?5, 1 FROM tgt"
    " JOIN things t ON t.name = tgt.thing"
    " WHERE NOT EXISTS (SELECT 1 FROM executions e"
    " WHERE e.job_id = ?1 AND e.thing_name = tgt.thing)"
    " ORDER BY tgt.thing";

/*
 * The one group a job's executions come from when they come from exactly
 * one (a single target group without subgroups, no thing targets) and
 * the job has none yet: then the group's members, in the group_members
 * primary key, are already the distinct things in queue order, and
 * queue_group inserts them in batches without a temporary b-tree.
 * Parameters as TARGETS_CTE.
 */
static const char sql_single_group[] =
    "WITH RECURSIVE"
    " grp(name, depth) AS ("
    " SELECT substr(target_arn, ?3), 0 FROM job_targets"
    " WHERE job_id = ?1"
    " AND substr(target_arn, 1, ?3 - 1) = ?2 || 'thinggroup/'"
    " UNION"
    " SELECT g.name, grp.depth + 1 FROM grp"
    " JOIN thing_groups g ON g.parent_name = grp.name"
    " WHERE grp.depth < 64)"
    " SELECT (SELECT name FROM grp) FROM (SELECT 1)"
    " WHERE (SELECT count(*) FROM (SELECT 1 FROM grp LIMIT 2)) = 1"
    " AND NOT EXISTS (SELECT 1 FROM job_targets WHERE job_id = ?1"
    " AND substr(target_arn, 1, ?4 - 1) = ?2 || 'thing/')"
    " AND NOT EXISTS (SELECT 1 FROM executions WHERE job_id = ?1)";

/*
 * Executions per statement on the single-group path: the statement
 * journal (every insert may be rolled back) then holds the pages of one
 * batch, not those of the whole fleet.
 */
#define QUEUE_BATCH	8192

/* ?1 group, ?2 after this thing name: where the next batch ends. */
static const char sql_group_batch_end[] =
    "SELECT thing_name FROM group_members WHERE group_name = ?1"
    " AND thing_name > ?2 ORDER BY thing_name LIMIT 1 OFFSET ?3";

/*
 * ?1 job, ?2 group, ?3 < thing name <= ?4, ?5 now, ?6 QUEUED (the
 * status a new execution starts in); the last batch has no end. Both
 * bounds are index range bounds.
 */
#define QUEUE_GROUP \
    "INSERT INTO executions (job_id, thing_name, execution_number, status," \
    " queued_at, last_updated_at, version)" \
    " SELECT ?1, m.thing_name, 1, ?6, ?5, ?5, 1 FROM group_members m" \
    " JOIN things t ON t.name = m.thing_name" \
    " WHERE m.group_name = ?2 AND m.thing_name > ?3"
static const char sql_queue_group[] = QUEUE_GROUP
    " AND m.thing_name <= ?4 ORDER BY m.thing_name";
static const char sql_queue_group_rest[] = QUEUE_GROUP
    " ORDER BY m.thing_name";

static const char sql_queued_add[] =
    "UPDATE jobs SET n_queued = n_queued + ?2,"
    " last_updated_at = max(last_updated_at, ?3) WHERE job_id = ?1";

/*
 * N executions of JOB_ID were just queued: every one is QUEUED and new, so
 * the counter is added to, not recounted from the executions.
 */
static int
queued_add(struct store_tx *tx, const char *job_id, int64_t n, int64_t now,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_queued_add);

	sq_bind_text(s, 1, job_id);
	sqlite3_bind_int64(s, 2, n);
	sqlite3_bind_int64(s, 3, now);
	return sq_exec_stmt(tx, s, err);
}

/* The group of sql_single_group into GROUP (129 bytes): 1, 0 none, -1. */
static int
single_group(struct store_tx *tx, const char *job_id, const char *arn_prefix,
    char group[129], struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_single_group);
	size_t n = strlen(arn_prefix);
	int rc;

	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, arn_prefix);
	sqlite3_bind_int64(s, 3, (int64_t)(n + strlen("thinggroup/") + 1));
	sqlite3_bind_int64(s, 4, (int64_t)(n + strlen("thing/") + 1));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(group, 129, "%s", sq_col_text(s, 0));
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sq_fail(tx, rc, err);
}

/* The members of GROUP as QUEUED executions of JOB_ID, batch by batch. */
static int
queue_group(struct store_tx *tx, const char *job_id, const char *group,
    int64_t now, struct err *err)
{
	char after[129] = "", end[129];
	int64_t queued = 0;
	sqlite3_stmt *s;
	bool last;
	int rc;

	do {
		s = sq_stmt(tx, sql_group_batch_end);
		sq_bind_text(s, 1, group);
		sq_bind_text(s, 2, after);
		sqlite3_bind_int(s, 3, QUEUE_BATCH - 1);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			snprintf(end, sizeof(end), "%s", sq_col_text(s, 0));
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return sq_fail(tx, rc, err);
		last = rc == SQLITE_DONE;
		s = sq_stmt(tx, last ? sql_queue_group_rest :
		    sql_queue_group);
		sq_bind_text(s, 1, job_id);
		sq_bind_text(s, 2, group);
		sq_bind_text(s, 3, after);
		if (!last)
			sq_bind_text(s, 4, end);
		sqlite3_bind_int64(s, 5, now);
		sq_bind_text(s, 6, exec_status_name(EXEC_QUEUED));
		if (sq_exec_stmt(tx, s, err) == -1)
			return -1;
		queued += sqlite3_changes(sq_db(tx));
		memcpy(after, end, sizeof(after));
	} while (!last);
	return queued_add(tx, job_id, queued, now, err);
}

int
sq_job_queue_targets(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err)
{
	sqlite3_stmt *s;
	char group[129];
	size_t n = strlen(arn_prefix);
	int rc;

	rc = single_group(tx, job_id, arn_prefix, group, err);
	if (rc != 0)
		return rc == -1 ? -1 : queue_group(tx, job_id, group, now,
		    err);
	s = sq_stmt(tx, sql_queue_targets);
	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, arn_prefix);
	sqlite3_bind_int64(s, 3, (int64_t)(n + strlen("thinggroup/") + 1));
	sqlite3_bind_int64(s, 4, (int64_t)(n + strlen("thing/") + 1));
	sqlite3_bind_int64(s, 5, now);
	sq_bind_text(s, 6, exec_status_name(EXEC_QUEUED));
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	return queued_add(tx, job_id, sqlite3_changes(sq_db(tx)), now, err);
}

static const char sql_job_update[] =
    "UPDATE jobs SET description = ?2, config = ?3, comment = ?5,"
    " last_updated_at = max(last_updated_at, ?4) WHERE job_id = ?1";

int
sq_job_update(struct store_tx *tx, const struct store_job *job,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_job_update);
	char *config = json_dumps(job->config, JSON_COMPACT);
	int rc;

	if (config == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot encode the configuration of job %s", job->job_id);
	sq_bind_text(s, 1, job->job_id);
	sq_bind_text(s, 2, job->description);
	sq_bind_text(s, 3, config);
	sqlite3_bind_int64(s, 4, job->last_updated_at);
	sq_bind_text(s, 5, job->comment);
	rc = sq_exec_stmt(tx, s, err);
	free(config);
	return rc;
}

static const char sql_status_set[] =
    "UPDATE jobs SET status = ?3,"
    " completed_at = CASE WHEN ?4 THEN ?8 ELSE completed_at END,"
    " force_canceled = (force_canceled OR ?5),"
    " reason_code = coalesce(?6, reason_code),"
    " comment = coalesce(?7, comment),"
    " start_at = CASE WHEN ?9 THEN NULL ELSE start_at END,"
    " end_at = CASE WHEN ?9 THEN NULL ELSE end_at END,"
    " rollout_at = CASE WHEN ?9 THEN NULL ELSE rollout_at END,"
    " wake_at = CASE WHEN ?9 THEN NULL ELSE wake_at END,"
    " last_updated_at = max(last_updated_at, ?8)"
    " WHERE job_id = ?1 AND status = ?2";

static const char sql_queue_drop_job[] =
    "DELETE FROM rollout_queue WHERE job_id = ?1";

int
sq_job_status_set(struct store_tx *tx, const char *job_id,
    const struct store_job_step *step, int64_t now, bool *applied,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_status_set);

	*applied = false;
	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, job_status_name(step->from));
	sq_bind_text(s, 3, job_status_name(step->to));
	sqlite3_bind_int(s, 4, step->done);
	sqlite3_bind_int(s, 5, step->forced);
	sq_bind_text(s, 6, step->reason_code);
	sq_bind_text(s, 7, step->comment);
	sqlite3_bind_int64(s, 8, now);
	sqlite3_bind_int(s, 9, step->stop);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*applied = sqlite3_changes(sq_db(tx)) > 0;
	return 0;
}

static const char sql_progress[] =
    "SELECT status, target_selection, n_queued + n_in_progress,"
    " EXISTS (SELECT 1 FROM rollout_queue q WHERE q.job_id = ?1)"
    " FROM jobs WHERE job_id = ?1";

int
sq_job_progress_get(struct store_tx *tx, const char *job_id,
    struct store_job_progress *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_progress);
	int rc;

	memset(out, 0, sizeof(*out));
	sq_bind_text(s, 1, job_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (job_status_parse(sq_col_text(s, 0), &out->status) == -1)
			out->status = JOB_DELETION_IN_PROGRESS;
		out->snapshot = strcmp(sq_col_text(s, 1), "SNAPSHOT") == 0;
		out->pending = sqlite3_column_int64(s, 2);
		out->waiting = sqlite3_column_int(s, 3) != 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sq_fail(tx, rc, err);
}

static const char sql_delete_execs[] =
    "DELETE FROM executions WHERE job_id = ?1";
static const char sql_delete_targets[] =
    "DELETE FROM job_targets WHERE job_id = ?1";
static const char sql_delete_job[] =
    "DELETE FROM jobs WHERE job_id = ?1";

int
sq_job_delete(struct store_tx *tx, const char *job_id, struct err *err)
{
	const char *const sqls[] = {
		sql_delete_execs, sql_delete_targets, sql_queue_drop_job,
		sql_delete_job,
	};
	size_t i;

	for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		sqlite3_stmt *s = sq_stmt(tx, sqls[i]);

		sq_bind_text(s, 1, job_id);
		if (sq_exec_stmt(tx, s, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * ListJobs. Parameters: ?1 status, ?2 targetSelection, ?3 group ARN,
 * ?4 namespaceId (each NULL: no filter), ?5 thinggroup ARN prefix, ?6
 * where the group name starts in such an ARN, ?7 position (ids below it),
 * ?8 row limit. One statement per driving index; the other filters are
 * checked on the rows that index yields.
 */
#define LIST_COLS							\
    "SELECT j.id, j.job_id, j.status, j.target_selection, j.created_at,"\
    " j.last_updated_at, j.completed_at,"				\
    " (SELECT g.group_id FROM job_targets t2"				\
    " JOIN thing_groups g ON g.name = substr(t2.target_arn, ?6)"	\
    " WHERE t2.job_id = j.job_id"					\
    " AND substr(t2.target_arn, 1, ?6 - 1) = ?5"			\
    " ORDER BY t2.pos LIMIT 1)"
#define LIST_TAIL							\
    " j.id < ?7"							\
    " AND (?1 IS NULL OR j.status = ?1)"				\
    " AND (?2 IS NULL OR j.target_selection = ?2)"			\
    " AND (?4 IS NULL OR j.namespace_id = ?4)"				\
    " ORDER BY j.id DESC LIMIT ?8"

static const char sql_list_all[] =
    LIST_COLS " FROM jobs j WHERE ?3 IS NULL AND" LIST_TAIL;
static const char sql_list_group[] =
    LIST_COLS " FROM job_targets t JOIN jobs j ON j.job_id = t.job_id"
    " WHERE t.target_arn = ?3 AND" LIST_TAIL;
static const char sql_list_namespace[] =
    LIST_COLS " FROM jobs j WHERE ?3 IS NULL AND j.namespace_id = ?4 AND"
    LIST_TAIL;
static const char sql_list_status[] =
    LIST_COLS " FROM jobs j WHERE ?3 IS NULL AND j.status = ?1 AND"
    LIST_TAIL;
static const char sql_list_selection[] =
    LIST_COLS " FROM jobs j WHERE ?3 IS NULL"
    " AND j.target_selection = ?2 AND" LIST_TAIL;

static const char *
list_sql(const struct store_job_filter *f)
{
	if (f->group_arn != NULL)
		return sql_list_group;
	if (f->namespace_id != NULL)
		return sql_list_namespace;
	if (f->status != NULL)
		return sql_list_status;
	if (f->target_selection != NULL)
		return sql_list_selection;
	return sql_list_all;
}

int
sq_job_list(struct store_tx *tx, const struct store_job_filter *f,
    const char *group_arn_prefix, int64_t after, int limit,
    struct store_job_summary *out, int *n, int64_t *next, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, list_sql(f));
	int64_t last = 0;
	int rc;

	*n = 0;
	*next = 0;
	sq_bind_text(s, 1, f->status != NULL ? job_status_name(*f->status) :
	    NULL);
	sq_bind_text(s, 2, f->target_selection);
	sq_bind_text(s, 3, f->group_arn);
	sq_bind_text(s, 4, f->namespace_id);
	sq_bind_text(s, 5, group_arn_prefix);
	sqlite3_bind_int64(s, 6, (int64_t)strlen(group_arn_prefix) + 1);
	sqlite3_bind_int64(s, 7, after > 0 ? after : INT64_MAX);
	sqlite3_bind_int64(s, 8, (int64_t)limit + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_job_summary *js;

		if (*n == limit) {
			*next = last;
			break;
		}
		js = &out[(*n)++];
		last = sqlite3_column_int64(s, 0);
		col_copy(s, 1, js->job_id, sizeof(js->job_id));
		js->status = col_job_status(s, 2);
		col_copy(s, 3, js->target_selection,
		    sizeof(js->target_selection));
		js->created_at = sqlite3_column_int64(s, 4);
		js->last_updated_at = sqlite3_column_int64(s, 5);
		js->completed_at = sqlite3_column_int64(s, 6);
		col_copy(s, 7, js->group_id, sizeof(js->group_id));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

static const char sql_group_by_id[] =
    "SELECT name FROM thing_groups WHERE group_id = ?1";

int
sq_job_group_by_id(struct store_tx *tx, const char *group_id,
    char name[129], struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_group_by_id);
	int rc;

	sq_bind_text(s, 1, group_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(name, 129, "%s", sq_col_text(s, 0));
	return sq_found(tx, s, rc, err);
}

/* --- the job engine --------------------------------------------------- */

static const char sql_engine_get[] =
    "SELECT job_id, status, target_selection, config, n_queued,"
    " n_in_progress, n_succeeded, n_failed, n_rejected, n_canceled,"
    " n_removed, n_timed_out, start_at, end_at, rollout_at, rollout_sent,"
    " rollout_rate, rollout_mark, rollout_stopped,"
    " (SELECT count(*) FROM rollout_queue q WHERE q.job_id = ?1),"
    " paused_at, paused_by"
    " FROM jobs WHERE job_id = ?1";

int
sq_job_engine_get(struct store_tx *tx, const char *job_id,
    struct store_job_engine *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_engine_get);
	int rc, i;

	sq_bind_text(s, 1, job_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 0 : sq_fail(tx, rc, err);
	}
	memset(out, 0, sizeof(*out));
	col_copy(s, 0, out->job_id, sizeof(out->job_id));
	out->status = col_job_status(s, 1);
	col_copy(s, 2, out->target_selection, sizeof(out->target_selection));
	out->config = json_loads(sq_col_text(s, 3), 0, NULL);
	if (!json_is_object(out->config)) {
		json_decref(out->config);
		out->config = json_object();
	}
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		out->counts[i] = sqlite3_column_int64(s, 4 + i);
	out->start_at = sqlite3_column_int64(s, 12);
	out->end_at = sqlite3_column_int64(s, 13);
	out->rollout_at = sqlite3_column_int64(s, 14);
	out->rollout_sent = sqlite3_column_int64(s, 15);
	out->rollout_rate = sqlite3_column_double(s, 16);
	out->rollout_mark = sqlite3_column_int64(s, 17);
	out->rollout_stopped = sqlite3_column_int(s, 18) != 0;
	out->waiting = sqlite3_column_int64(s, 19);
	out->paused_at = sqlite3_column_int64(s, 20);
	col_copy(s, 21, out->paused_by, sizeof(out->paused_by));
	sqlite3_reset(s);
	return 1;
}

static const char sql_pause[] =
    "UPDATE jobs SET paused_at = ?2, paused_by = ?3 WHERE job_id = ?1";

int
sq_job_pause_set(struct store_tx *tx, const char *job_id, int64_t at,
    const char *by, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_pause);

	sq_bind_text(s, 1, job_id);
	if (at != 0) {
		sqlite3_bind_int64(s, 2, at);
		sq_bind_text(s, 3, by);
	}
	return sq_exec_stmt(tx, s, err);
}

static const char sql_queue_pos[] =
    "SELECT (SELECT count(*) FROM rollout_queue p WHERE p.job_id = ?1"
    " AND p.seq <= q.seq) FROM rollout_queue q"
    " WHERE q.job_id = ?1 AND q.thing_name = ?2";

int
sq_job_queue_position(struct store_tx *tx, const char *job_id,
    const char *thing, int64_t *pos, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_queue_pos);
	int rc;

	*pos = 0;
	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, thing);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*pos = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

static const char sql_queue_things[] =
    "SELECT thing_name FROM rollout_queue WHERE job_id = ?1 ORDER BY seq";

int
sq_job_queue_things(struct store_tx *tx, const char *job_id,
    int (*fn)(void *, const char *), void *arg, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_queue_things);
	int rc;

	sq_bind_text(s, 1, job_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(arg, sq_col_text(s, 0)) == -1)
			break;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

static const char sql_engine_put[] =
    "UPDATE jobs SET status = ?2, start_at = ?3, end_at = ?4,"
    " rollout_at = ?5, rollout_rate = ?6, rollout_mark = ?7,"
    " rollout_stopped = ?8, last_updated_at = max(last_updated_at, ?9),"
    " wake_at = ?10 WHERE job_id = ?1";

/* Binds V, or NULL when V is 0. */
static void
bind_opt(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

int
sq_job_engine_put(struct store_tx *tx, const struct store_job_engine *j,
    int64_t now, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_engine_put);

	sq_bind_text(s, 1, j->job_id);
	sq_bind_text(s, 2, job_status_name(j->status));
	bind_opt(s, 3, j->start_at);
	bind_opt(s, 4, j->end_at);
	bind_opt(s, 5, j->rollout_at);
	if (j->rollout_rate > 0)
		sqlite3_bind_double(s, 6, j->rollout_rate);
	else
		sqlite3_bind_null(s, 6);
	sqlite3_bind_int64(s, 7, j->rollout_mark);
	sqlite3_bind_int(s, 8, j->rollout_stopped ? 1 : 0);
	sqlite3_bind_int64(s, 9, now);
	bind_opt(s, 10, j->wake_at);
	return sq_exec_stmt(tx, s, err);
}

static const char sql_job_due[] =
    "SELECT job_id FROM jobs WHERE wake_at <= ?1 ORDER BY wake_at, id"
    " LIMIT ?2";

int
sq_job_due(struct store_tx *tx, int64_t now, int limit,
    char (*ids)[STORE_JOB_ID_MAX + 1], int *n, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_job_due);
	int rc;

	*n = 0;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < limit)
		col_copy(s, 0, ids[(*n)++], STORE_JOB_ID_MAX + 1);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

static const char sql_next_wake[] =
    "SELECT min(wake_at) FROM jobs WHERE wake_at IS NOT NULL";

int
sq_job_next_wake(struct store_tx *tx, int64_t *at, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_next_wake);
	int rc = sqlite3_step(s);

	*at = 0;
	if (rc == SQLITE_ROW)
		*at = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

static const char sql_plan_targets[] = TARGETS_CTE
    " INSERT INTO rollout_queue (job_id, seq, thing_name)"
    " SELECT ?1, row_number() OVER (ORDER BY tgt.thing), tgt.thing"
    " FROM tgt JOIN things t ON t.name = tgt.thing"
    " WHERE NOT EXISTS (SELECT 1 FROM executions e"
    " WHERE e.job_id = ?1 AND e.thing_name = tgt.thing)"
    " ORDER BY tgt.thing";

int
sq_job_plan_targets(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_plan_targets);
	size_t n = strlen(arn_prefix);

	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, arn_prefix);
	sqlite3_bind_int64(s, 3, (int64_t)(n + strlen("thinggroup/") + 1));
	sqlite3_bind_int64(s, 4, (int64_t)(n + strlen("thing/") + 1));
	return sq_exec_stmt(tx, s, err);
}

/* ?1 job, ?2 how many, ?3 now, ?4 QUEUED. */
static const char sql_release[] =
    "INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, version)"
    " SELECT q.job_id, q.thing_name, coalesce((SELECT max(e.execution_number)"
    " FROM executions e WHERE e.job_id = q.job_id"
    " AND e.thing_name = q.thing_name), 0) + 1, ?4, ?3, ?3, 1"
    " FROM rollout_queue q WHERE q.job_id = ?1 ORDER BY q.seq LIMIT ?2";

static const char sql_release_drop[] =
    "DELETE FROM rollout_queue WHERE job_id = ?1 AND seq IN ("
    " SELECT seq FROM rollout_queue WHERE job_id = ?1 ORDER BY seq"
    " LIMIT ?2)";

static const char sql_release_count[] =
    "UPDATE jobs SET n_queued = n_queued + ?2,"
    " rollout_sent = rollout_sent + ?2,"
    " last_updated_at = max(last_updated_at, ?3) WHERE job_id = ?1";

int
sq_job_release_batch(struct store_tx *tx, const char *job_id,
    int64_t limit, int64_t now, int64_t *n, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_release);

	*n = 0;
	sq_bind_text(s, 1, job_id);
	sqlite3_bind_int64(s, 2, limit);
	sqlite3_bind_int64(s, 3, now);
	sq_bind_text(s, 4, exec_status_name(EXEC_QUEUED));
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*n = sqlite3_changes(sq_db(tx));
	s = sq_stmt(tx, sql_release_drop);
	sq_bind_text(s, 1, job_id);
	sqlite3_bind_int64(s, 2, limit);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	s = sq_stmt(tx, sql_release_count);
	sq_bind_text(s, 1, job_id);
	sqlite3_bind_int64(s, 2, *n);
	sqlite3_bind_int64(s, 3, now);
	return sq_exec_stmt(tx, s, err);
}

/*
 * The device path's statements (sqlite_plan.h): the counters an execution
 * moves, a job's completion or abort, the scheduler's wake-ups and the
 * rollout's releases.
 */
const struct sq_plan_stmt sq_plan_job[] = {
	SQ_PLAN(sql_count_move, ""),
	SQ_PLAN(sql_count_refresh, ""),
	SQ_PLAN(sql_status_set, ""),
	SQ_PLAN(sql_queue_drop_job, ""),
	SQ_PLAN(sql_progress, ""),
	SQ_PLAN(sql_engine_get, ""),
	SQ_PLAN(sql_engine_put, ""),
	SQ_PLAN(sql_job_due, ""),
	SQ_PLAN(sql_next_wake, ""),
	SQ_PLAN(sql_release, ""),
	SQ_PLAN(sql_release_drop, ""),
	SQ_PLAN(sql_release_count, ""),
	{ NULL, NULL, NULL },
};

static const char sql_queue_drop_thing[] =
    "DELETE FROM rollout_queue WHERE thing_name = ?2"
    " AND (?1 IS NULL OR job_id = ?1)";

int
sq_job_rollout_drop(struct store_tx *tx, const char *job_id,
    const char *thing, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, thing != NULL ? sql_queue_drop_thing :
	    sql_queue_drop_job);

	sq_bind_text(s, 1, job_id);
	if (thing != NULL)
		sq_bind_text(s, 2, thing);
	return sq_exec_stmt(tx, s, err);
}

/*
 * ?1 ARN prefix of groups, ?2 group name, ?3 thing. The group and its
 * ancestors, the CONTINUOUS jobs targeting one of them; per job whether
 * the thing waits in its rollout queue and its latest execution's status
 * (NULL: none).
 */
static const char sql_member_jobs[] =
    "WITH RECURSIVE anc(name, depth) AS ("
    " SELECT ?2, 0"
    " UNION"
    " SELECT g.parent_name, anc.depth + 1 FROM thing_groups g"
    " JOIN anc ON g.name = anc.name"
    " WHERE g.parent_name IS NOT NULL AND anc.depth < 64)"
    " SELECT DISTINCT j.job_id,"
    " EXISTS (SELECT 1 FROM rollout_queue q"
    " WHERE q.thing_name = ?3 AND q.job_id = j.job_id),"
    " (SELECT e.status FROM executions e"
    " WHERE e.job_id = j.job_id AND e.thing_name = ?3"
    " ORDER BY e.execution_number DESC LIMIT 1)"
    " FROM anc"
    " JOIN job_targets t ON t.target_arn = ?1 || anc.name"
    " JOIN jobs j ON j.job_id = t.job_id"
    " WHERE j.status = ?4 AND j.target_selection = 'CONTINUOUS'"
    " AND j.rollout_stopped = 0";

#define GROUP_ARN_MARK	"thinggroup/"

/* Row S of sql_member_jobs into M; -1 when its status is none we know. */
static int
member_job_row(sqlite3_stmt *s, struct store_member_job *m)
{
	snprintf(m->job_id, sizeof(m->job_id), "%s", sq_col_text(s, 0));
	m->waiting = sqlite3_column_int(s, 1) != 0;
	m->has_last = sqlite3_column_type(s, 2) != SQLITE_NULL;
	m->last = EXEC_QUEUED;
	return m->has_last ? exec_status_parse(sq_col_text(s, 2), &m->last) :
	    0;
}

int
sq_job_member_jobs(struct store_tx *tx, const char *group_arn,
    const char *thing, struct store_member_job **jobs, size_t *n,
    struct err *err)
{
	char prefix[ERR_ARN_MAX];
	const char *mark = strstr(group_arn, GROUP_ARN_MARK);
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*jobs = NULL;
	*n = 0;
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
	sq_bind_text(s, 3, thing);
	sq_bind_text(s, 4, job_status_name(JOB_IN_PROGRESS));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			*jobs = xrealloc(*jobs, cap * sizeof(**jobs));
		}
		if (member_job_row(s, &(*jobs)[*n]) == 0)
			(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(*jobs);
		*jobs = NULL;
		*n = 0;
		return sq_fail(tx, rc, err);
	}
	return 0;
}

/* Index job_targets_arn, then the jobs' job_id key. */
static const char sql_continuous_targets[] =
    "SELECT 1 FROM job_targets t JOIN jobs j ON j.job_id = t.job_id"
    " WHERE t.target_arn = ?1 AND j.status = ?2"
    " AND j.target_selection = 'CONTINUOUS' LIMIT 1";

int
sq_job_continuous_targets(struct store_tx *tx, const char *arn,
    bool *any, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_continuous_targets);
	int rc;

	sq_bind_text(s, 1, arn);
	sq_bind_text(s, 2, job_status_name(JOB_IN_PROGRESS));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	*any = rc == SQLITE_ROW;
	return 0;
}

/*
 * ?1 job, ?2 ARN prefix, ?3 thing: the thing's groups and their
 * ancestors; a target naming the thing or one of them.
 */
static const char sql_reaches[] =
    "WITH RECURSIVE anc(name, depth) AS ("
    " SELECT group_name, 0 FROM group_members WHERE thing_name = ?3"
    " UNION"
    " SELECT g.parent_name, anc.depth + 1 FROM thing_groups g"
    " JOIN anc ON g.name = anc.name"
    " WHERE g.parent_name IS NOT NULL AND anc.depth < 64)"
    " SELECT t.target_arn FROM job_targets t WHERE t.job_id = ?1"
    " AND (t.target_arn = ?2 || 'thing/' || ?3"
    " OR t.target_arn IN (SELECT ?2 || 'thinggroup/' || name FROM anc))"
    " LIMIT 1";

int
sq_job_reach_via(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, const char *thing, char *via, size_t size,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_reaches);
	int rc;

	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, arn_prefix);
	sq_bind_text(s, 3, thing);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && via != NULL)
		col_copy(s, 0, via, size);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sq_fail(tx, rc, err);
}

int
sq_job_reaches(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, const char *thing, struct err *err)
{
	return sq_job_reach_via(tx, job_id, arn_prefix, thing, NULL, 0,
	    err);
}

static const char sql_plan_thing[] =
    "INSERT INTO rollout_queue (job_id, seq, thing_name)"
    " SELECT ?1, coalesce(max(seq), 0) + 1, ?2 FROM rollout_queue"
    " WHERE job_id = ?1";

int
sq_job_plan_thing(struct store_tx *tx, const char *job_id,
    const char *thing, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_plan_thing);

	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, thing);
	return sq_exec_stmt(tx, s, err);
}

static const char sql_state_get[] =
    "SELECT value FROM engine_state WHERE key = ?1";
static const char sql_state_put[] =
    "INSERT INTO engine_state (key, value) VALUES (?1, ?2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

int
sq_engine_get(struct store_tx *tx, const char *key, int64_t *v,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_state_get);
	int rc;

	sq_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sq_fail(tx, rc, err);
}

int
sq_engine_put(struct store_tx *tx, const char *key, int64_t v,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_state_put);

	sq_bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, v);
	return sq_exec_stmt(tx, s, err);
}
