/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the execution store (store_exec.h). Every read is an
 * index lookup: (job_id, thing_name, execution_number) UNIQUE for one
 * execution, executions_pending (thing_name, status, id) for a thing's
 * pending list, executions_thing and executions_job (0004) for the list
 * pages, the jobs job_id UNIQUE for the job's document and timeoutConfig.
 */
#include "store_exec.h"

#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "sqlite_plan.h"
#include "xmalloc.h"

/*
 * The columns every execution query returns, in exec_from_row order.
 * Parameter 9 asks for the job document; it is numbered because a named
 * parameter here, before ?1, would take index 1.
 */
#define DOC_PARAM	9
#define EXEC_COLS \
    "SELECT e.id, e.job_id, e.thing_name, e.execution_number, e.status," \
    " e.status_details, e.queued_at, e.started_at, e.last_updated_at," \
    " e.version, e.force_canceled, e.retry_attempt," \
    " e.step_timeout_minutes, e.timeout_at, e.progress_timeout_at," \
    " json_extract(j.config," \
    " '$.timeoutConfig.inProgressTimeoutInMinutes')," \
    " CASE WHEN ?9 THEN j.document END," \
    " e.retries_failed, e.retries_timed_out" \
    " FROM executions e LEFT JOIN jobs j ON j.job_id = e.job_id"

static const char sql_get[] = EXEC_COLS
    " WHERE e.job_id = ?1 AND e.thing_name = ?2 AND e.execution_number = ?3";

static const char sql_get_latest[] = EXEC_COLS
    " WHERE e.job_id = ?1 AND e.thing_name = ?2"
    " ORDER BY e.execution_number DESC LIMIT 1";

/*
 * ?3, ?4: the pending statuses (exec_pending, bound by bind_pending). The
 * index executions_pending (0023) is (thing_name, status, id): SQLite
 * visits the IN list in sorted order, which is the pending-list order
 * (status.h), so it walks the index in order and stops at the limit.
 */
_Static_assert(EXEC_PENDING_COUNT == 2, "the pending IN lists bind two");
static const char sql_pending[] = EXEC_COLS
    " WHERE e.thing_name = ?1 AND e.status IN (?3, ?4)"
    " ORDER BY e.status, e.id LIMIT ?2";

/*
 * The same walk for a pending list, which needs summary members only: no
 * join with the job, no status details (exec_from_row's columns, the
 * others NULL or 0).
 */
static const char sql_pending_summary[] =
    "SELECT e.id, e.job_id, e.thing_name, e.execution_number, e.status,"
    " NULL, e.queued_at, e.started_at, e.last_updated_at, e.version,"
    " 0, e.retry_attempt, NULL, NULL, NULL, NULL, NULL, 0, 0"
    " FROM executions e"
    " WHERE e.thing_name = ?1 AND e.status IN (?3, ?4)"
    " ORDER BY e.status, e.id LIMIT ?2";

static const char sql_list_job[] = EXEC_COLS
    " WHERE e.job_id = ?1 AND e.id > ?2 AND (?3 IS NULL OR e.status = ?3)"
    " ORDER BY e.id LIMIT ?4";

static const char sql_list_thing[] = EXEC_COLS
    " WHERE e.thing_name = ?1 AND e.id > ?2"
    " AND (?3 IS NULL OR e.status = ?3)"
    " AND (?4 IS NULL OR e.job_id = ?4)"
    " AND (?5 IS NULL OR j.namespace_id = ?5)"
    " ORDER BY e.id LIMIT ?6";

static const char sql_put[] =
    "UPDATE executions SET status = ?2, status_details = ?3,"
    " started_at = ?4, last_updated_at = ?5, version = ?6,"
    " force_canceled = ?7, step_timeout_minutes = ?8, timeout_at = ?9,"
    " progress_timeout_at = ?10 WHERE id = ?1";

static const char sql_delete[] = "DELETE FROM executions WHERE id = ?1";

static const char sql_thing_exists[] = "SELECT 1 FROM things WHERE name = ?1";

static const char sql_job_exists[] = "SELECT 1 FROM jobs WHERE job_id = ?1";

static void
copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* 0 for NULL, as the struct's "none". */
static int64_t
col_i64(sqlite3_stmt *s, int i)
{
	return sqlite3_column_int64(s, i);
}

static void
exec_from_row(sqlite3_stmt *s, struct store_exec *e)
{
	const char *details;

	memset(e, 0, sizeof(*e));
	e->id = col_i64(s, 0);
	copy_text(e->job_id, sizeof(e->job_id), sq_col_text(s, 1));
	copy_text(e->thing_name, sizeof(e->thing_name), sq_col_text(s, 2));
	e->execution_number = col_i64(s, 3);
	if (exec_status_parse(sq_col_text(s, 4), &e->status) == -1)
		e->status = EXEC_REMOVED;	/* never written by iotjobs */
	details = sq_col_text(s, 5);
	if (details[0] != '\0') {
		e->status_details = json_loads(details, 0, NULL);
		if (e->status_details != NULL &&
		    !json_is_object(e->status_details)) {
			json_decref(e->status_details);
			e->status_details = NULL;
		}
	}
	e->queued_at = col_i64(s, 6);
	e->started_at = col_i64(s, 7);
	e->last_updated_at = col_i64(s, 8);
	e->version = col_i64(s, 9);
	e->force_canceled = col_i64(s, 10) != 0;
	e->retry_attempt = col_i64(s, 11);
	e->step_timeout_minutes = col_i64(s, 12);
	e->timeout_at = col_i64(s, 13);
	e->progress_timeout_at = col_i64(s, 14);
	e->job_progress_timeout_minutes = col_i64(s, 15);
	if (sqlite3_column_type(s, 16) != SQLITE_NULL)
		e->document = xstrdup(sq_col_text(s, 16));
	e->retries_failed = col_i64(s, 17);
	e->retries_timed_out = col_i64(s, 18);
}

static void
bind_doc(sqlite3_stmt *s, bool with_doc)
{
	sqlite3_bind_int(s, DOC_PARAM, with_doc ? 1 : 0);
}

/* Steps S for at most one row: 1 into OUT, 0 none, -1. */
static int
exec_one(struct store_tx *tx, sqlite3_stmt *s, struct store_exec *out,
    struct err *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		exec_from_row(s, out);
		sqlite3_reset(s);
		return 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

/*
 * Visits the rows of S, at most LIMIT; *MORE (when not NULL) tells whether
 * a further row exists (S must be limited to LIMIT + 1 rows).
 */
static int
exec_walk(struct store_tx *tx, sqlite3_stmt *s, int limit,
    store_exec_row_fn *fn, void *arg, bool *more, struct err *err)
{
	struct store_exec e;
	int n = 0, rc;

	if (more != NULL)
		*more = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == limit) {
			if (more != NULL)
				*more = true;
			break;
		}
		exec_from_row(s, &e);
		rc = fn(&e, arg, err);
		store_exec_release(&e);
		if (rc == -1) {
			sqlite3_reset(s);
			return -1;
		}
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

static int
exists(struct store_tx *tx, const char *sql, const char *key,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql);
	int rc;

	sq_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_exec_thing_exists(struct store_tx *tx, const char *name,
    struct err *err)
{
	return exists(tx, sql_thing_exists, name, err);
}

int
sq_exec_job_exists(struct store_tx *tx, const char *job_id,
    struct err *err)
{
	return exists(tx, sql_job_exists, job_id, err);
}

int
sq_exec_get(struct store_tx *tx, const char *thing, const char *job_id,
    int64_t number, bool with_doc, struct store_exec *out, struct err *err)
{
	sqlite3_stmt *s;

	s = sq_stmt(tx, number < 0 ? sql_get_latest : sql_get);
	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, thing);
	if (number >= 0)
		sqlite3_bind_int64(s, 3, number);
	bind_doc(s, with_doc);
	return exec_one(tx, s, out, err);
}

/*
 * Binds the names of exec_pending to parameters FIRST, FIRST + 1; the
 * names are static, so SQLite need not copy them on the device path.
 */
static void
bind_pending(sqlite3_stmt *s, int first)
{
	int i;

	for (i = 0; i < EXEC_PENDING_COUNT; i++)
		sqlite3_bind_text(s, first + i,
		    exec_status_name(exec_pending[i]), -1, SQLITE_STATIC);
}

int
sq_exec_next_pending(struct store_tx *tx, const char *thing,
    bool with_doc, struct store_exec *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_pending);

	sq_bind_text(s, 1, thing);
	sqlite3_bind_int(s, 2, 1);
	bind_pending(s, 3);
	bind_doc(s, with_doc);
	return exec_one(tx, s, out, err);
}

int
sq_exec_pending(struct store_tx *tx, const char *thing, int limit,
    store_exec_row_fn *fn, void *arg, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_pending_summary);

	sq_bind_text(s, 1, thing);
	sqlite3_bind_int(s, 2, limit);
	bind_pending(s, 3);
	return exec_walk(tx, s, limit, fn, arg, NULL, err);
}

/* Binds V, or NULL when V is 0 (the struct's "none"). */
static void
bind_opt(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

int
sq_exec_put(struct store_tx *tx, const struct store_exec *e,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_put);
	char *details = NULL;
	int rc;

	if (e->status_details != NULL && json_object_size(e->status_details))
		details = json_dumps(e->status_details, JSON_COMPACT);
	sqlite3_bind_int64(s, 1, e->id);
	sq_bind_text(s, 2, exec_status_name(e->status));
	sq_bind_text(s, 3, details);
	bind_opt(s, 4, e->started_at);
	sqlite3_bind_int64(s, 5, e->last_updated_at);
	sqlite3_bind_int64(s, 6, e->version);
	sqlite3_bind_int(s, 7, e->force_canceled ? 1 : 0);
	bind_opt(s, 8, e->step_timeout_minutes);
	bind_opt(s, 9, e->timeout_at);
	bind_opt(s, 10, e->progress_timeout_at);
	rc = sq_exec_stmt(tx, s, err);
	free(details);
	if (rc == 0 && sqlite3_changes(sq_db(tx)) != 1)
		return err_set(err, ERR_INTERNAL_FAILURE, "job execution %lld"
		    " vanished during an update", (long long)e->id);
	return rc;
}

int
sq_exec_delete(struct store_tx *tx, int64_t id, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_delete);

	sqlite3_bind_int64(s, 1, id);
	return sq_exec_stmt(tx, s, err);
}

int
sq_exec_list_job(struct store_tx *tx, const char *job_id,
    struct store_exec_page *pg, store_exec_row_fn *fn, void *arg,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_list_job);

	sq_bind_text(s, 1, job_id);
	sqlite3_bind_int64(s, 2, pg->after);
	sq_bind_text(s, 3, pg->status != NULL ?
	    exec_status_name(*pg->status) : NULL);
	sqlite3_bind_int(s, 4, pg->limit + 1);
	bind_doc(s, false);
	return exec_walk(tx, s, pg->limit, fn, arg, &pg->more, err);
}

int
sq_exec_list_thing(struct store_tx *tx, const char *thing,
    const char *job_id, struct store_exec_page *pg, store_exec_row_fn *fn,
    void *arg, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_list_thing);

	sq_bind_text(s, 1, thing);
	sqlite3_bind_int64(s, 2, pg->after);
	sq_bind_text(s, 3, pg->status != NULL ?
	    exec_status_name(*pg->status) : NULL);
	sq_bind_text(s, 4, job_id);
	sq_bind_text(s, 5, pg->namespace_id);
	sqlite3_bind_int(s, 6, pg->limit + 1);
	bind_doc(s, false);
	return exec_walk(tx, s, pg->limit, fn, arg, &pg->more, err);
}

/* --- the job engine --------------------------------------------------- */

static const char sql_due[] = EXEC_COLS
    " WHERE e.timeout_at <= ?1 AND e.status = ?3"
    " ORDER BY e.timeout_at, e.id LIMIT ?2";

static const char sql_next_deadline[] =
    "SELECT min(timeout_at) FROM executions WHERE timeout_at IS NOT NULL"
    " AND status = ?1";

static const char sql_retry[] =
    "INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, version, retry_attempt, retries_failed,"
    " retries_timed_out)"
    " SELECT ?1, ?2, max(execution_number) + 1, ?7, ?3, ?3, 1, ?4,"
    " ?5, ?6 FROM executions WHERE job_id = ?1 AND thing_name = ?2";

static const char sql_pending_of[] = EXEC_COLS
    " WHERE e.thing_name = ?1 AND e.status IN (?4, ?5)"
    " AND (?2 IS NULL OR e.job_id = ?2)"
    " ORDER BY e.status, e.id LIMIT ?3";

int
sq_exec_due(struct store_tx *tx, enum exec_status timed, int64_t now,
    int limit, store_exec_row_fn *fn, void *arg, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_due);

	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	sq_bind_text(s, 3, exec_status_name(timed));
	bind_doc(s, false);
	return exec_walk(tx, s, limit, fn, arg, NULL, err);
}

int
sq_exec_next_deadline(struct store_tx *tx, enum exec_status timed,
    int64_t *at, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_next_deadline);
	int rc;

	sq_bind_text(s, 1, exec_status_name(timed));
	rc = sqlite3_step(s);

	*at = 0;
	if (rc == SQLITE_ROW)
		*at = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_exec_retry(struct store_tx *tx, const struct store_exec *e,
    int64_t now, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_retry);
	bool failed = e->status == EXEC_FAILED;

	sq_bind_text(s, 1, e->job_id);
	sq_bind_text(s, 2, e->thing_name);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, e->retry_attempt + 1);
	sqlite3_bind_int64(s, 5, e->retries_failed + (failed ? 1 : 0));
	sqlite3_bind_int64(s, 6, e->retries_timed_out + (failed ? 0 : 1));
	sq_bind_text(s, 7, exec_status_name(EXEC_QUEUED));
	return sq_exec_stmt(tx, s, err);
}

int
sq_exec_pending_of(struct store_tx *tx, const char *thing,
    const char *job_id, int limit, store_exec_row_fn *fn, void *arg,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_pending_of);

	sq_bind_text(s, 1, thing);
	sq_bind_text(s, 2, job_id);
	sqlite3_bind_int(s, 3, limit);
	bind_pending(s, 4);
	bind_doc(s, false);
	return exec_walk(tx, s, limit, fn, arg, NULL, err);
}

static const char sql_move_job[] =
    "UPDATE executions SET status = ?3, force_canceled = ?4,"
    " version = version + 1, last_updated_at = ?6,"
    " timeout_at = CASE WHEN ?5 THEN NULL ELSE timeout_at END,"
    " progress_timeout_at = CASE WHEN ?5 THEN NULL"
    " ELSE progress_timeout_at END"
    " WHERE job_id = ?1 AND status = ?2";

int
sq_exec_move_job(struct store_tx *tx, const char *job_id,
    enum exec_status from, enum exec_status to, bool forced, bool stop,
    int64_t now, int64_t *n, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_move_job);

	*n = 0;
	sq_bind_text(s, 1, job_id);
	sq_bind_text(s, 2, exec_status_name(from));
	sq_bind_text(s, 3, exec_status_name(to));
	sqlite3_bind_int(s, 4, forced);
	sqlite3_bind_int(s, 5, stop);
	sqlite3_bind_int64(s, 6, now);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*n = sqlite3_changes(sq_db(tx));
	return 0;
}

static const char sql_last_id[] =
    "SELECT coalesce(max(id), 0) FROM executions";

/*
 * The device path's statements (sqlite_plan.h): the data plane's reads and
 * write, the timeout scan, a retry, an abort's moves, a release's mark.
 */
const struct sq_plan_stmt sq_plan_exec[] = {
	SQ_PLAN(sql_get, ""),
	SQ_PLAN(sql_get_latest, ""),
	SQ_PLAN(sql_pending, ""),
	SQ_PLAN(sql_pending_summary, ""),
	SQ_PLAN(sql_put, ""),
	SQ_PLAN(sql_thing_exists, ""),
	SQ_PLAN(sql_due, ""),
	SQ_PLAN(sql_next_deadline, ""),
	SQ_PLAN(sql_retry, ""),
	SQ_PLAN(sql_pending_of, ""),
	SQ_PLAN(sql_move_job, ""),
	SQ_PLAN(sql_last_id, ""),
	{ NULL, NULL, NULL },
};

int
sq_exec_last_id(struct store_tx *tx, int64_t *id, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_last_id);
	int rc = sqlite3_step(s);

	*id = 0;
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	return 0;
}
