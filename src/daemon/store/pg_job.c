/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of the job store (store_job.h): the jobProcessDetails
 * counters kept in the jobs row, and the jobs control plane (create,
 * describe, list, update, status steps, delete, associate targets) and the
 * job engine's side (deadlines, the rollout queue, CONTINUOUS membership,
 * engine_state). The rules are the engine's; each operation here applies
 * one decision, set-based when it covers many executions.
 */
#include "store_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "xmalloc.h"

/*
 * One execution moves from FROM to TO: $1 to $8 are what each counter
 * (column order) adds, 1 for TO's and -1 for FROM's, computed in
 * pg_job_count_move; the row is found by $9.
 */
static const char sql_count_move[] =
    "UPDATE jobs SET"
    " n_queued = n_queued + $1,"
    " n_in_progress = n_in_progress + $2,"
    " n_succeeded = n_succeeded + $3,"
    " n_failed = n_failed + $4,"
    " n_rejected = n_rejected + $5,"
    " n_canceled = n_canceled + $6,"
    " n_removed = n_removed + $7,"
    " n_timed_out = n_timed_out + $8,"
    " last_updated_at = greatest(last_updated_at, $10)"
    " WHERE job_id = $9";

/*
 * Recount from the executions of one job (index executions_job): $1 job,
 * $2 now, $3 to $10 the statuses of store_job_count_status.
 */
static const char sql_count_refresh[] =
    "UPDATE jobs SET (n_queued, n_in_progress, n_succeeded, n_failed,"
    " n_rejected, n_canceled, n_removed, n_timed_out) = ("
    " SELECT"
    " count(*) FILTER (WHERE status = $3),"
    " count(*) FILTER (WHERE status = $4),"
    " count(*) FILTER (WHERE status = $5),"
    " count(*) FILTER (WHERE status = $6),"
    " count(*) FILTER (WHERE status = $7),"
    " count(*) FILTER (WHERE status = $8),"
    " count(*) FILTER (WHERE status = $9),"
    " count(*) FILTER (WHERE status = $10)"
    " FROM executions WHERE job_id = $1),"
    " last_updated_at = greatest(last_updated_at, $2)"
    " WHERE job_id = $1";

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
pg_job_count_move(struct store_tx *tx, const char *job_id, int from, int to,
    int64_t now, struct err *err)
{
	struct pg_args a = { 0 };
	int delta[STORE_JOB_NCOUNTS] = { 0 };
	int i;

	if ((i = count_index(from)) != -1)
		delta[i]--;
	if ((i = count_index(to)) != -1)
		delta[i]++;
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		pg_arg_int(&a, delta[i]);
	pg_arg_text(&a, job_id);
	pg_arg_int(&a, now);
	return pg_exec_later(tx, sql_count_move, &a, err);
}

int
pg_job_count_refresh(struct store_tx *tx, const char *job_id,
    int64_t now, struct err *err)
{
	struct pg_args a = { 0 };
	int i;

	pg_arg_text(&a, job_id);
	pg_arg_int(&a, now);
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		pg_arg_text(&a, exec_status_name(store_job_count_status[i]));
	return pg_exec(tx, sql_count_refresh, &a, err);
}

/* --- the jobs control plane ------------------------------------------- */

static void
col_copy(const PGresult *r, int row, int col, char *buf,
    size_t size)
{
	snprintf(buf, size, "%s", pg_col(r, row, col));
}

/* The JobStatus of a column; COMPLETED (inert) for a name never written. */
static enum job_status
col_job_status(const PGresult *r, int row, int col)
{
	enum job_status st;

	if (job_status_parse(pg_col(r, row, col), &st) == -1)
		return JOB_COMPLETED;
	return st;
}

/* A column of a JSON object, as a new object ({} when not one). */
static json_t *
col_config(const PGresult *r, int row, int col)
{
	json_t *config = json_loads(pg_col(r, row, col), 0, NULL);

	if (!json_is_object(config)) {
		json_decref(config);
		config = json_object();
	}
	return config;
}

/* Column COL of row 0 as a new string, or NULL for an SQL NULL. */
static char *
col_dup(const PGresult *r, int col)
{
	const char *v = pg_col_or_null(r, 0, col);

	return v != NULL ? xstrdup(v) : NULL;
}

/* The job and its targets (a JSON array in position order, or NULL). */
static const char sql_job_get[] =
    "SELECT job_id, status, target_selection, document, description,"
    " config, force_canceled, reason_code, comment, created_at,"
    " last_updated_at, completed_at, n_queued, n_in_progress,"
    " n_succeeded, n_failed, n_rejected, n_canceled, n_removed,"
    " n_timed_out,"
    " (SELECT json_agg(t.target_arn ORDER BY t.pos) FROM job_targets t"
    " WHERE t.job_id = $1)"
    " FROM jobs WHERE job_id = $1";

static void
job_from_row(const PGresult *r, struct store_job *job)
{
	int i;

	col_copy(r, 0, 0, job->job_id, sizeof(job->job_id));
	job->status = col_job_status(r, 0, 1);
	col_copy(r, 0, 2, job->target_selection,
	    sizeof(job->target_selection));
	job->document = col_dup(r, 3);
	job->description = col_dup(r, 4);
	job->config = col_config(r, 0, 5);
	job->force_canceled = pg_col_int(r, 0, 6) != 0;
	job->reason_code = col_dup(r, 7);
	job->comment = col_dup(r, 8);
	job->created_at = pg_col_int(r, 0, 9);
	job->last_updated_at = pg_col_int(r, 0, 10);
	job->completed_at = pg_col_int(r, 0, 11);
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		job->counts[i] = pg_col_int(r, 0, 12 + i);
	job->targets = json_loads(pg_col(r, 0, 20), 0, NULL);
	if (!json_is_array(job->targets)) {
		json_decref(job->targets);
		job->targets = json_array();
	}
}

int
pg_job_get(struct store_tx *tx, const char *job_id, struct store_job *out,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, job_id);
	rc = pg_row(tx, sql_job_get, &a, &r, err);
	if (rc == 1 && out != NULL) {
		memset(out, 0, sizeof(*out));
		job_from_row(r, out);
	}
	PQclear(r);
	return rc;
}

static const char sql_thing_exists[] =
    "SELECT 1 FROM things WHERE name = $1";
static const char sql_group_exists[] =
    "SELECT 1 FROM thing_groups WHERE name = $1";

int
pg_job_target_exists(struct store_tx *tx, bool group, const char *name,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, name);
	rc = pg_row(tx, group ? sql_group_exists : sql_thing_exists, &a, &r,
	    err);
	PQclear(r);
	return rc;
}

static const char sql_job_insert[] =
    "INSERT INTO jobs (job_id, status, target_selection, document,"
    " description, config, created_at, last_updated_at, namespace_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)";

/* Targets $2 (a JSON array) of job $1, at positions from $3 on. */
static const char sql_targets_insert[] =
    "INSERT INTO job_targets (job_id, pos, target_arn)"
    " SELECT $1::text, $3::bigint + t.ord - 1, t.arn"
    " FROM json_array_elements_text($2::json) WITH ORDINALITY"
    " AS t(arn, ord)";

static const char sql_targets_next_pos[] =
    "SELECT coalesce(max(pos) + 1, 0) FROM job_targets WHERE job_id = $1";

static int
targets_insert(struct store_tx *tx, const char *job_id, json_t *targets,
    int64_t pos, struct err *err)
{
	struct pg_args a = { 0 };
	char *text = json_dumps(targets, JSON_COMPACT);
	int rc;

	if (text == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot encode the targets of job %s", job_id);
	pg_arg_text(&a, job_id);
	pg_arg_text(&a, text);
	pg_arg_int(&a, pos);
	rc = pg_exec(tx, sql_targets_insert, &a, err);
	free(text);
	return rc;
}

int
pg_job_insert(struct store_tx *tx, const struct store_job *job,
    struct err *err)
{
	struct pg_args a = { 0 };
	json_t *ns = json_object_get(job->config, "namespaceId");
	char *config = json_dumps(job->config, JSON_COMPACT);
	int rc;

	if (config == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot encode the configuration of job %s", job->job_id);
	pg_arg_text(&a, job->job_id);
	pg_arg_text(&a, job_status_name(job->status));
	pg_arg_text(&a, job->target_selection);
	pg_arg_text(&a, job->document);
	pg_arg_text(&a, job->description);
	pg_arg_text(&a, config);
	pg_arg_int(&a, job->created_at);
	pg_arg_text(&a, json_string_value(ns));
	rc = pg_exec(tx, sql_job_insert, &a, err);
	free(config);
	if (rc == -1)
		return -1;
	return targets_insert(tx, job->job_id, job->targets, 0, err);
}

int
pg_job_targets_add(struct store_tx *tx, const char *job_id, json_t *targets,
    struct err *err)
{
	struct pg_args a = { 0 };
	int64_t pos;

	pg_arg_text(&a, job_id);
	if (pg_count(tx, sql_targets_next_pos, &a, &pos, err) == -1)
		return -1;
	return targets_insert(tx, job_id, targets, pos, err);
}

/*
 * $1 job, $2 ARN prefix, $3/$4 where a group/thing name starts in its ARN
 * (1-based). The target groups and every descendant (index
 * thing_groups_parent), their members (group_members primary key) and the
 * target things, each once. Queue order: by thing name.
 */
#define TARGETS_CTE \
    "WITH RECURSIVE" \
    " grp(name, depth) AS (" \
    " SELECT substr(target_arn, $3), 0 FROM job_targets" \
    " WHERE job_id = $1" \
    " AND substr(target_arn, 1, $3 - 1) = $2::text || 'thinggroup/'" \
    " UNION" \
    " SELECT g.name, grp.depth + 1 FROM grp" \
    " JOIN thing_groups g ON g.parent_name = grp.name" \
    " WHERE grp.depth < 64)," \
    " tgt(thing) AS (" \
    " SELECT substr(target_arn, $4) FROM job_targets" \
    " WHERE job_id = $1" \
    " AND substr(target_arn, 1, $4 - 1) = $2::text || 'thing/'" \
    " UNION" \
    " SELECT m.thing_name FROM grp" \
    " JOIN group_members m ON m.group_name = grp.name)"

/* $1 to $4 of TARGETS_CTE. */
static void
targets_args(struct pg_args *a, const char *job_id, const char *arn_prefix)
{
	size_t n = strlen(arn_prefix);

	pg_arg_text(a, job_id);
	pg_arg_text(a, arn_prefix);
	pg_arg_int(a, (int64_t)(n + strlen("thinggroup/") + 1));
	pg_arg_int(a, (int64_t)(n + strlen("thing/") + 1));
}

/* Parameters as TARGETS_CTE; $5 now, $6 QUEUED. */
static const char sql_queue_targets[] = TARGETS_CTE
    " INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, version)"
    " SELECT $1::text, tgt.thing, 1, $6::text, $5::bigint, $5::bigint, 1"
    " FROM tgt JOIN things t ON t.name = tgt.thing"
    " WHERE NOT EXISTS (SELECT 1 FROM executions e"
    " WHERE e.job_id = $1 AND e.thing_name = tgt.thing)"
    " ORDER BY tgt.thing";

/*
 * The one group a job's executions come from when they come from exactly
 * one (a single target group without subgroups, no thing targets) and
 * the job has none yet: then the group's members, in the group_members
 * primary key, are already the distinct things in queue order, and
 * sql_queue_group inserts them without deduplicating or looking for
 * executions. Parameters $1 to $4 as TARGETS_CTE.
 */
static const char sql_single_group[] =
    "WITH RECURSIVE"
    " grp(name, depth) AS ("
    " SELECT substr(target_arn, $3), 0 FROM job_targets"
    " WHERE job_id = $1"
    " AND substr(target_arn, 1, $3 - 1) = $2::text || 'thinggroup/'"
    " UNION"
    " SELECT g.name, grp.depth + 1 FROM grp"
    " JOIN thing_groups g ON g.parent_name = grp.name"
    " WHERE grp.depth < 64)"
    " SELECT (SELECT name FROM grp LIMIT 1)"
    " WHERE (SELECT count(*) FROM (SELECT 1 FROM grp LIMIT 2) two) = 1"
    " AND NOT EXISTS (SELECT 1 FROM job_targets WHERE job_id = $1"
    " AND substr(target_arn, 1, $4 - 1) = $2::text || 'thing/')"
    " AND NOT EXISTS (SELECT 1 FROM executions WHERE job_id = $1)";

/*
 * $1 job, $2 group, $3 now, $4 QUEUED: every member, one statement (the
 * server needs no batches: a statement's rows are undone by its
 * transaction's own records, not a journal kept in memory).
 */
static const char sql_queue_group[] =
    "INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, version)"
    " SELECT $1::text, m.thing_name, 1, $4::text, $3::bigint, $3::bigint,"
    " 1 FROM group_members m JOIN things t ON t.name = m.thing_name"
    " WHERE m.group_name = $2 ORDER BY m.thing_name";

static const char sql_queued_add[] =
    "UPDATE jobs SET n_queued = n_queued + $2,"
    " last_updated_at = greatest(last_updated_at, $3) WHERE job_id = $1";

/*
 * N executions of JOB_ID were just queued: every one is QUEUED and new, so
 * the counter is added to, not recounted from the executions.
 */
static int
queued_add(struct store_tx *tx, const char *job_id, int64_t n, int64_t now,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, job_id);
	pg_arg_int(&a, n);
	pg_arg_int(&a, now);
	return pg_exec(tx, sql_queued_add, &a, err);
}

/* The group of sql_single_group into GROUP (129 bytes): 1, 0 none, -1. */
static int
single_group(struct store_tx *tx, const char *job_id, const char *arn_prefix,
    char group[129], struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	targets_args(&a, job_id, arn_prefix);
	rc = pg_row(tx, sql_single_group, &a, &r, err);
	if (rc == 1)
		col_copy(r, 0, 0, group, 129);
	PQclear(r);
	return rc;
}

int
pg_job_queue_targets(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err)
{
	struct pg_args a = { 0 };
	char group[129];
	int64_t n;
	int rc;

	rc = single_group(tx, job_id, arn_prefix, group, err);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		pg_arg_text(&a, job_id);
		pg_arg_text(&a, group);
		pg_arg_int(&a, now);
		pg_arg_text(&a, exec_status_name(EXEC_QUEUED));
		rc = pg_exec_n(tx, sql_queue_group, &a, &n, err);
	} else {
		targets_args(&a, job_id, arn_prefix);
		pg_arg_int(&a, now);
		pg_arg_text(&a, exec_status_name(EXEC_QUEUED));
		rc = pg_exec_n(tx, sql_queue_targets, &a, &n, err);
	}
	if (rc == -1)
		return -1;
	return queued_add(tx, job_id, n, now, err);
}

static const char sql_job_update[] =
    "UPDATE jobs SET description = $2, config = $3, comment = $5,"
    " last_updated_at = greatest(last_updated_at, $4) WHERE job_id = $1";

int
pg_job_update(struct store_tx *tx, const struct store_job *job,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *config = json_dumps(job->config, JSON_COMPACT);
	int rc;

	if (config == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot encode the configuration of job %s", job->job_id);
	pg_arg_text(&a, job->job_id);
	pg_arg_text(&a, job->description);
	pg_arg_text(&a, config);
	pg_arg_int(&a, job->last_updated_at);
	pg_arg_text(&a, job->comment);
	rc = pg_exec(tx, sql_job_update, &a, err);
	free(config);
	return rc;
}

/*
 * $1 job, $2 from, $3 to, $4 done, $5 forced, $6 reason code and $7
 * comment (NULL: kept), $8 now, $9 stop (no deadline left).
 */
static const char sql_status_set[] =
    "UPDATE jobs SET status = $3,"
    " completed_at = CASE WHEN $4::boolean THEN $8::bigint"
    " ELSE completed_at END,"
    " force_canceled = CASE WHEN $5::boolean THEN 1"
    " ELSE force_canceled END,"
    " reason_code = coalesce($6::text, reason_code),"
    " comment = coalesce($7::text, comment),"
    " start_at = CASE WHEN $9::boolean THEN NULL ELSE start_at END,"
    " end_at = CASE WHEN $9 THEN NULL ELSE end_at END,"
    " rollout_at = CASE WHEN $9 THEN NULL ELSE rollout_at END,"
    " wake_at = CASE WHEN $9 THEN NULL ELSE wake_at END,"
    " last_updated_at = greatest(last_updated_at, $8)"
    " WHERE job_id = $1 AND status = $2";

int
pg_job_status_set(struct store_tx *tx, const char *job_id,
    const struct store_job_step *step, int64_t now, bool *applied,
    struct err *err)
{
	struct pg_args a = { 0 };
	int64_t n;

	*applied = false;
	pg_arg_text(&a, job_id);
	pg_arg_text(&a, job_status_name(step->from));
	pg_arg_text(&a, job_status_name(step->to));
	pg_arg_bool(&a, step->done);
	pg_arg_bool(&a, step->forced);
	pg_arg_text(&a, step->reason_code);
	pg_arg_text(&a, step->comment);
	pg_arg_int(&a, now);
	pg_arg_bool(&a, step->stop);
	if (pg_exec_n(tx, sql_status_set, &a, &n, err) == -1)
		return -1;
	*applied = n > 0;
	return 0;
}

static const char sql_progress[] =
    "SELECT status, target_selection, n_queued + n_in_progress,"
    " EXISTS (SELECT 1 FROM rollout_queue q WHERE q.job_id = $1)"
    " FROM jobs WHERE job_id = $1";

int
pg_job_progress_get(struct store_tx *tx, const char *job_id,
    struct store_job_progress *out, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	memset(out, 0, sizeof(*out));
	pg_arg_text(&a, job_id);
	rc = pg_row(tx, sql_progress, &a, &r, err);
	if (rc == 1) {
		if (job_status_parse(pg_col(r, 0, 0), &out->status) == -1)
			out->status = JOB_DELETION_IN_PROGRESS;
		out->snapshot = strcmp(pg_col(r, 0, 1), "SNAPSHOT") == 0;
		out->pending = pg_col_int(r, 0, 2);
		out->waiting = pg_col_int(r, 0, 3) != 0;
	}
	PQclear(r);
	return rc;
}

/* The job with its executions, targets and rollout queue: one statement. */
static const char sql_job_delete[] =
    "WITH e AS (DELETE FROM executions WHERE job_id = $1),"
    " t AS (DELETE FROM job_targets WHERE job_id = $1),"
    " q AS (DELETE FROM rollout_queue WHERE job_id = $1)"
    " DELETE FROM jobs WHERE job_id = $1";

int
pg_job_delete(struct store_tx *tx, const char *job_id, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, job_id);
	return pg_exec(tx, sql_job_delete, &a, err);
}

/*
 * ListJobs. Parameters: $1 status, $2 targetSelection, $3 group ARN,
 * $4 namespaceId (each NULL: no filter), $5 thinggroup ARN prefix, $6
 * where the group name starts in such an ARN, $7 position (ids below it),
 * $8 row limit. One statement per driving index; the other filters are
 * checked on the rows that index yields.
 */
#define LIST_COLS							\
    "SELECT j.id, j.job_id, j.status, j.target_selection, j.created_at,"\
    " j.last_updated_at, j.completed_at,"				\
    " (SELECT g.group_id FROM job_targets t2"				\
    " JOIN thing_groups g ON g.name = substr(t2.target_arn, $6)"	\
    " WHERE t2.job_id = j.job_id"					\
    " AND substr(t2.target_arn, 1, $6 - 1) = $5::text"			\
    " ORDER BY t2.pos LIMIT 1)"
#define LIST_TAIL							\
    " j.id < $7"							\
    " AND ($1::text IS NULL OR j.status = $1)"				\
    " AND ($2::text IS NULL OR j.target_selection = $2)"		\
    " AND ($4::text IS NULL OR j.namespace_id = $4)"			\
    " ORDER BY j.id DESC LIMIT $8"

static const char sql_list_all[] =
    LIST_COLS " FROM jobs j WHERE $3::text IS NULL AND" LIST_TAIL;
static const char sql_list_group[] =
    LIST_COLS " FROM job_targets t JOIN jobs j ON j.job_id = t.job_id"
    " WHERE t.target_arn = $3::text AND" LIST_TAIL;
static const char sql_list_namespace[] =
    LIST_COLS " FROM jobs j WHERE $3::text IS NULL AND j.namespace_id = $4"
    " AND" LIST_TAIL;
static const char sql_list_status[] =
    LIST_COLS " FROM jobs j WHERE $3::text IS NULL AND j.status = $1 AND"
    LIST_TAIL;
static const char sql_list_selection[] =
    LIST_COLS " FROM jobs j WHERE $3::text IS NULL"
    " AND j.target_selection = $2 AND" LIST_TAIL;

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

static void
summary_from_row(const PGresult *r, int i, struct store_job_summary *js)
{
	col_copy(r, i, 1, js->job_id, sizeof(js->job_id));
	js->status = col_job_status(r, i, 2);
	col_copy(r, i, 3, js->target_selection,
	    sizeof(js->target_selection));
	js->created_at = pg_col_int(r, i, 4);
	js->last_updated_at = pg_col_int(r, i, 5);
	js->completed_at = pg_col_int(r, i, 6);
	col_copy(r, i, 7, js->group_id, sizeof(js->group_id));
}

int
pg_job_list(struct store_tx *tx, const struct store_job_filter *f,
    const char *group_arn_prefix, int64_t after, int limit,
    struct store_job_summary *out, int *n, int64_t *next, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int64_t last = 0;
	int i, rows;

	*n = 0;
	*next = 0;
	pg_arg_text(&a, f->status != NULL ? job_status_name(*f->status) :
	    NULL);
	pg_arg_text(&a, f->target_selection);
	pg_arg_text(&a, f->group_arn);
	pg_arg_text(&a, f->namespace_id);
	pg_arg_text(&a, group_arn_prefix);
	pg_arg_int(&a, (int64_t)strlen(group_arn_prefix) + 1);
	pg_arg_int(&a, after > 0 ? after : INT64_MAX);
	pg_arg_int(&a, (int64_t)limit + 1);
	if ((r = pg_query(tx, list_sql(f), &a, err)) == NULL)
		return -1;
	rows = PQntuples(r);
	for (i = 0; i < rows; i++) {
		if (i == limit) {
			*next = last;
			break;
		}
		last = pg_col_int(r, i, 0);
		summary_from_row(r, i, &out[i]);
		(*n)++;
	}
	PQclear(r);
	return 0;
}

static const char sql_group_by_id[] =
    "SELECT name FROM thing_groups WHERE group_id = $1";

int
pg_job_group_by_id(struct store_tx *tx, const char *group_id,
    char name[129], struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, group_id);
	rc = pg_row(tx, sql_group_by_id, &a, &r, err);
	if (rc == 1)
		col_copy(r, 0, 0, name, 129);
	PQclear(r);
	return rc;
}

/* --- the job engine --------------------------------------------------- */

static const char sql_engine_get[] =
    "SELECT job_id, status, target_selection, config, n_queued,"
    " n_in_progress, n_succeeded, n_failed, n_rejected, n_canceled,"
    " n_removed, n_timed_out, start_at, end_at, rollout_at, rollout_sent,"
    " rollout_rate, rollout_mark, rollout_stopped,"
    " (SELECT count(*) FROM rollout_queue q WHERE q.job_id = $1),"
    " paused_at, paused_by"
    " FROM jobs WHERE job_id = $1";

static void
engine_from_row(const PGresult *r, struct store_job_engine *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	col_copy(r, 0, 0, out->job_id, sizeof(out->job_id));
	out->status = col_job_status(r, 0, 1);
	col_copy(r, 0, 2, out->target_selection,
	    sizeof(out->target_selection));
	out->config = col_config(r, 0, 3);
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		out->counts[i] = pg_col_int(r, 0, 4 + i);
	out->start_at = pg_col_int(r, 0, 12);
	out->end_at = pg_col_int(r, 0, 13);
	out->rollout_at = pg_col_int(r, 0, 14);
	out->rollout_sent = pg_col_int(r, 0, 15);
	out->rollout_rate = pg_col_real(r, 0, 16);
	out->rollout_mark = pg_col_int(r, 0, 17);
	out->rollout_stopped = pg_col_int(r, 0, 18) != 0;
	out->waiting = pg_col_int(r, 0, 19);
	out->paused_at = pg_col_int(r, 0, 20);
	col_copy(r, 0, 21, out->paused_by, sizeof(out->paused_by));
}

int
pg_job_engine_get(struct store_tx *tx, const char *job_id,
    struct store_job_engine *out, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, job_id);
	rc = pg_row(tx, sql_engine_get, &a, &r, err);
	if (rc == 1)
		engine_from_row(r, out);
	PQclear(r);
	return rc;
}

static const char sql_pause[] =
    "UPDATE jobs SET paused_at = $2, paused_by = $3 WHERE job_id = $1";

int
pg_job_pause_set(struct store_tx *tx, const char *job_id, int64_t at,
    const char *by, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, job_id);
	if (at != 0) {
		pg_arg_int(&a, at);
		pg_arg_text(&a, by);
	} else {
		pg_arg_null(&a);
		pg_arg_null(&a);
	}
	return pg_exec(tx, sql_pause, &a, err);
}

static const char sql_queue_pos[] =
    "SELECT (SELECT count(*) FROM rollout_queue p WHERE p.job_id = $1"
    " AND p.seq <= q.seq) FROM rollout_queue q"
    " WHERE q.job_id = $1 AND q.thing_name = $2";

int
pg_job_queue_position(struct store_tx *tx, const char *job_id,
    const char *thing, int64_t *pos, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	*pos = 0;
	pg_arg_text(&a, job_id);
	pg_arg_text(&a, thing);
	rc = pg_row(tx, sql_queue_pos, &a, &r, err);
	if (rc == 1)
		*pos = pg_col_int(r, 0, 0);
	PQclear(r);
	return rc == -1 ? -1 : 0;
}

/*
 * The queue's things after position $2, $3 at most: a queue of a whole
 * fleet is walked a page at a time, never held whole.
 */
#define QUEUE_PAGE	1024

static const char sql_queue_things[] =
    "SELECT seq, thing_name FROM rollout_queue WHERE job_id = $1"
    " AND seq > $2 ORDER BY seq LIMIT $3";

int
pg_job_queue_things(struct store_tx *tx, const char *job_id,
    int (*fn)(void *, const char *), void *arg, struct err *err)
{
	int64_t after = INT64_MIN;
	PGresult *r;
	int i, rows;

	do {
		struct pg_args a = { 0 };

		pg_arg_text(&a, job_id);
		pg_arg_int(&a, after);
		pg_arg_int(&a, QUEUE_PAGE);
		if ((r = pg_query(tx, sql_queue_things, &a, err)) == NULL)
			return -1;
		rows = PQntuples(r);
		for (i = 0; i < rows; i++) {
			if (fn(arg, pg_col(r, i, 1)) == -1) {
				PQclear(r);
				return 0;
			}
			after = pg_col_int(r, i, 0);
		}
		PQclear(r);
	} while (rows == QUEUE_PAGE);
	return 0;
}

static const char sql_engine_put[] =
    "UPDATE jobs SET status = $2, start_at = $3, end_at = $4,"
    " rollout_at = $5, rollout_rate = $6, rollout_mark = $7,"
    " rollout_stopped = $8, last_updated_at = greatest(last_updated_at, $9),"
    " wake_at = $10 WHERE job_id = $1";

/* V, or NULL when V is 0. */
static void
arg_opt(struct pg_args *a, int64_t v)
{
	if (v == 0)
		pg_arg_null(a);
	else
		pg_arg_int(a, v);
}

int
pg_job_engine_put(struct store_tx *tx, const struct store_job_engine *j,
    int64_t now, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, j->job_id);
	pg_arg_text(&a, job_status_name(j->status));
	arg_opt(&a, j->start_at);
	arg_opt(&a, j->end_at);
	arg_opt(&a, j->rollout_at);
	if (j->rollout_rate > 0)
		pg_arg_real(&a, j->rollout_rate);
	else
		pg_arg_null(&a);
	pg_arg_int(&a, j->rollout_mark);
	pg_arg_int(&a, j->rollout_stopped ? 1 : 0);
	pg_arg_int(&a, now);
	arg_opt(&a, j->wake_at);
	return pg_exec(tx, sql_engine_put, &a, err);
}

/* Index jobs_wake, then the identity column among equal deadlines. */
static const char sql_job_due[] =
    "SELECT job_id FROM jobs WHERE wake_at <= $1 ORDER BY wake_at, id"
    " LIMIT $2";

int
pg_job_due(struct store_tx *tx, int64_t now, int limit,
    char (*ids)[STORE_JOB_ID_MAX + 1], int *n, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int i, rows;

	*n = 0;
	pg_arg_int(&a, now);
	pg_arg_int(&a, limit);
	if ((r = pg_query(tx, sql_job_due, &a, err)) == NULL)
		return -1;
	rows = PQntuples(r);
	for (i = 0; i < rows && *n < limit; i++)
		col_copy(r, i, 0, ids[(*n)++], STORE_JOB_ID_MAX + 1);
	PQclear(r);
	return 0;
}

static const char sql_next_wake[] =
    "SELECT min(wake_at) FROM jobs WHERE wake_at IS NOT NULL";

int
pg_job_next_wake(struct store_tx *tx, int64_t *at, struct err *err)
{
	*at = 0;
	return pg_count(tx, sql_next_wake, NULL, at, err);
}

/* Parameters as TARGETS_CTE. */
static const char sql_plan_targets[] = TARGETS_CTE
    " INSERT INTO rollout_queue (job_id, seq, thing_name)"
    " SELECT $1::text, row_number() OVER (ORDER BY tgt.thing), tgt.thing"
    " FROM tgt JOIN things t ON t.name = tgt.thing"
    " WHERE NOT EXISTS (SELECT 1 FROM executions e"
    " WHERE e.job_id = $1 AND e.thing_name = tgt.thing)"
    " ORDER BY tgt.thing";

int
pg_job_plan_targets(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, struct err *err)
{
	struct pg_args a = { 0 };

	targets_args(&a, job_id, arn_prefix);
	return pg_exec(tx, sql_plan_targets, &a, err);
}

/*
 * $1 job, $2 how many (NULL: all), $3 now, $4 QUEUED. The first rows of
 * the queue leave it and become executions, in queue order, each numbered
 * after the thing's latest (and after one an earlier row of the same
 * batch gives it): one statement, its count the executions'.
 */
static const char sql_release[] =
    "WITH gone AS (DELETE FROM rollout_queue WHERE job_id = $1"
    " AND seq IN (SELECT seq FROM rollout_queue WHERE job_id = $1"
    " ORDER BY seq LIMIT $2)"
    " RETURNING seq, thing_name)"
    " INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, version)"
    " SELECT $1::text, g.thing_name, coalesce((SELECT max(e.execution_number)"
    " FROM executions e WHERE e.job_id = $1"
    " AND e.thing_name = g.thing_name), 0)"
    " + row_number() OVER (PARTITION BY g.thing_name ORDER BY g.seq),"
    " $4::text, $3::bigint, $3::bigint, 1"
    " FROM gone g ORDER BY g.seq";

static const char sql_release_count[] =
    "UPDATE jobs SET n_queued = n_queued + $2,"
    " rollout_sent = rollout_sent + $2,"
    " last_updated_at = greatest(last_updated_at, $3) WHERE job_id = $1";

int
pg_job_release_batch(struct store_tx *tx, const char *job_id,
    int64_t limit, int64_t now, int64_t *n, struct err *err)
{
	struct pg_args a = { 0 }, c = { 0 };

	*n = 0;
	pg_arg_text(&a, job_id);
	if (limit < 0)
		pg_arg_null(&a);
	else
		pg_arg_int(&a, limit);
	pg_arg_int(&a, now);
	pg_arg_text(&a, exec_status_name(EXEC_QUEUED));
	if (pg_exec_n(tx, sql_release, &a, n, err) == -1)
		return -1;
	pg_arg_text(&c, job_id);
	pg_arg_int(&c, *n);
	pg_arg_int(&c, now);
	return pg_exec(tx, sql_release_count, &c, err);
}

static const char sql_queue_drop_job[] =
    "DELETE FROM rollout_queue WHERE job_id = $1";
static const char sql_queue_drop_thing[] =
    "DELETE FROM rollout_queue WHERE thing_name = $2"
    " AND ($1::text IS NULL OR job_id = $1)";

int
pg_job_rollout_drop(struct store_tx *tx, const char *job_id,
    const char *thing, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, job_id);
	if (thing != NULL)
		pg_arg_text(&a, thing);
	return pg_exec(tx, thing != NULL ? sql_queue_drop_thing :
	    sql_queue_drop_job, &a, err);
}

/*
 * $1 ARN prefix of groups, $2 group name, $3 thing, $4 IN_PROGRESS. The
 * group and its ancestors, the CONTINUOUS jobs targeting one of them; per
 * job whether the thing waits in its rollout queue and its latest
 * execution's status (NULL: none).
 */
static const char sql_member_jobs[] =
    "WITH RECURSIVE anc(name, depth) AS ("
    " SELECT $2::text COLLATE \"C\", 0"
    " UNION"
    " SELECT g.parent_name, anc.depth + 1 FROM thing_groups g"
    " JOIN anc ON g.name = anc.name"
    " WHERE g.parent_name IS NOT NULL AND anc.depth < 64)"
    " SELECT DISTINCT j.job_id,"
    " EXISTS (SELECT 1 FROM rollout_queue q"
    " WHERE q.thing_name = $3::text AND q.job_id = j.job_id),"
    " (SELECT e.status FROM executions e"
    " WHERE e.job_id = j.job_id AND e.thing_name = $3::text"
    " ORDER BY e.execution_number DESC LIMIT 1)"
    " FROM anc"
    " JOIN job_targets t ON t.target_arn = $1::text || anc.name"
    " JOIN jobs j ON j.job_id = t.job_id"
    " WHERE j.status = $4 AND j.target_selection = 'CONTINUOUS'"
    " AND j.rollout_stopped = 0 ORDER BY j.job_id";

#define GROUP_ARN_MARK	"thinggroup/"

/* Row I of sql_member_jobs into M; -1 when its status is none we know. */
static int
member_job_row(const PGresult *r, int i, struct store_member_job *m)
{
	col_copy(r, i, 0, m->job_id, sizeof(m->job_id));
	m->waiting = pg_col_int(r, i, 1) != 0;
	m->has_last = !pg_col_null(r, i, 2);
	m->last = EXEC_QUEUED;
	return m->has_last ? exec_status_parse(pg_col(r, i, 2), &m->last) :
	    0;
}

int
pg_job_member_jobs(struct store_tx *tx, const char *group_arn,
    const char *thing, struct store_member_job **jobs, size_t *n,
    struct err *err)
{
	struct pg_args a = { 0 };
	char prefix[ERR_ARN_MAX];
	const char *mark = strstr(group_arn, GROUP_ARN_MARK);
	PGresult *r;
	int i, rows;

	*jobs = NULL;
	*n = 0;
	if (mark == NULL)
		return 0;	/* not a group ARN: no job can target it */
	mark += strlen(GROUP_ARN_MARK);
	if ((size_t)(mark - group_arn) >= sizeof(prefix))
		return 0;
	memcpy(prefix, group_arn, (size_t)(mark - group_arn));
	prefix[mark - group_arn] = '\0';
	pg_arg_text(&a, prefix);
	pg_arg_text(&a, mark);
	pg_arg_text(&a, thing);
	pg_arg_text(&a, job_status_name(JOB_IN_PROGRESS));
	if ((r = pg_query(tx, sql_member_jobs, &a, err)) == NULL)
		return -1;
	rows = PQntuples(r);
	if (rows > 0)
		*jobs = xcalloc((size_t)rows, sizeof(**jobs));
	for (i = 0; i < rows; i++)
		if (member_job_row(r, i, &(*jobs)[*n]) == 0)
			(*n)++;
	PQclear(r);
	return 0;
}

/* Index job_targets_arn, then the jobs' job_id key. */
static const char sql_continuous_targets[] =
    "SELECT 1 FROM job_targets t JOIN jobs j ON j.job_id = t.job_id"
    " WHERE t.target_arn = $1 AND j.status = $2"
    " AND j.target_selection = 'CONTINUOUS' LIMIT 1";

int
pg_job_continuous_targets(struct store_tx *tx, const char *arn, bool *any,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, arn);
	pg_arg_text(&a, job_status_name(JOB_IN_PROGRESS));
	rc = pg_row(tx, sql_continuous_targets, &a, &r, err);
	PQclear(r);
	if (rc == -1)
		return -1;
	*any = rc == 1;
	return 0;
}

/*
 * $1 job, $2 ARN prefix, $3 thing: the thing's groups and their
 * ancestors; a target naming the thing or one of them.
 */
static const char sql_reaches[] =
    "WITH RECURSIVE anc(name, depth) AS ("
    " SELECT group_name, 0 FROM group_members WHERE thing_name = $3::text"
    " UNION"
    " SELECT g.parent_name, anc.depth + 1 FROM thing_groups g"
    " JOIN anc ON g.name = anc.name"
    " WHERE g.parent_name IS NOT NULL AND anc.depth < 64)"
    " SELECT t.target_arn FROM job_targets t WHERE t.job_id = $1"
    " AND (t.target_arn = $2::text || 'thing/' || $3::text"
    " OR t.target_arn IN (SELECT $2::text || 'thinggroup/' || name"
    " FROM anc))"
    " LIMIT 1";

int
pg_job_reach_via(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, const char *thing, char *via, size_t size,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, job_id);
	pg_arg_text(&a, arn_prefix);
	pg_arg_text(&a, thing);
	rc = pg_row(tx, sql_reaches, &a, &r, err);
	if (rc == 1 && via != NULL)
		col_copy(r, 0, 0, via, size);
	PQclear(r);
	return rc;
}

int
pg_job_reaches(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, const char *thing, struct err *err)
{
	return pg_job_reach_via(tx, job_id, arn_prefix, thing, NULL, 0, err);
}

/* After the queue's last row (primary key). */
static const char sql_plan_thing[] =
    "INSERT INTO rollout_queue (job_id, seq, thing_name)"
    " SELECT $1::text, coalesce(max(seq), 0) + 1, $2::text"
    " FROM rollout_queue WHERE job_id = $1";

int
pg_job_plan_thing(struct store_tx *tx, const char *job_id,
    const char *thing, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, job_id);
	pg_arg_text(&a, thing);
	return pg_exec(tx, sql_plan_thing, &a, err);
}

static const char sql_state_get[] =
    "SELECT value FROM engine_state WHERE key = $1";
static const char sql_state_put[] =
    "INSERT INTO engine_state (key, value) VALUES ($1, $2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

int
pg_engine_get(struct store_tx *tx, const char *key, int64_t *v,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, key);
	rc = pg_row(tx, sql_state_get, &a, &r, err);
	if (rc == 1)
		*v = pg_col_int(r, 0, 0);
	PQclear(r);
	return rc;
}

int
pg_engine_put(struct store_tx *tx, const char *key, int64_t v,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, key);
	pg_arg_int(&a, v);
	return pg_exec(tx, sql_state_put, &a, err);
}
