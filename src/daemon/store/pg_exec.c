/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of the execution store (store_exec.h). The same
 * index lookups as sqlite_exec.c: (job_id, thing_name, execution_number)
 * UNIQUE for one execution, executions_pending (thing_name, status, id)
 * for a thing's pending list, executions_thing and executions_job for the
 * list pages, executions_timeout for the timers. A read-decide-write
 * (StartNextPendingJobExecution) is atomic because every write
 * transaction holds pg.c's write lock before its first read.
 */
#include "store_exec.h"

#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "xmalloc.h"

/*
 * The columns every execution query returns, in exec_from_row order; $1
 * of every statement built on it asks for the job document. The job's
 * inProgressTimeoutInMinutes comes as text (pg_col_int reads it as
 * SQLite's json_extract would: a number, or 1 and 0 for true and false).
 */
#define EXEC_SELECT \
    "SELECT e.id, e.job_id, e.thing_name, e.execution_number, e.status," \
    " e.status_details, e.queued_at, e.started_at, e.last_updated_at," \
    " e.version, e.force_canceled, e.retry_attempt," \
    " e.step_timeout_minutes, e.timeout_at, e.progress_timeout_at," \
    " j.config::json #>> '{timeoutConfig,inProgressTimeoutInMinutes}'," \
    " CASE WHEN $1::boolean THEN j.document END," \
    " e.retries_failed, e.retries_timed_out"
#define EXEC_JOIN " LEFT JOIN jobs j ON j.job_id = e.job_id"
#define EXEC_COLS EXEC_SELECT " FROM executions e" EXEC_JOIN

/*
 * A thing's executions (THING: its name's parameter, and any further
 * condition) of status A, then those of B, in id order, at most LIMIT of
 * each, straight off executions_pending: an IN list
 * before the ordered columns would make PostgreSQL read and sort every
 * pending execution of the thing to return its first.
 */
#define EXEC_PENDING_OF(thing, a, b, limit) \
    " FROM ((SELECT * FROM executions WHERE thing_name = " thing \
    " AND status = " a " ORDER BY id LIMIT " limit ")" \
    " UNION ALL (SELECT * FROM executions WHERE thing_name = " thing \
    " AND status = " b " ORDER BY id LIMIT " limit ")) e"

static const char sql_get[] = EXEC_COLS
    " WHERE e.job_id = $2 AND e.thing_name = $3 AND e.execution_number = $4";

static const char sql_get_latest[] = EXEC_COLS
    " WHERE e.job_id = $2 AND e.thing_name = $3"
    " ORDER BY e.execution_number DESC LIMIT 1";

/*
 * $4, $5: the pending statuses (exec_pending, by arg_pending). Their
 * names sort in pending-list order (status.h) under the column's "C"
 * collation, as in SQLite, so ORDER BY status, id is that order.
 */
_Static_assert(EXEC_PENDING_COUNT == 2, "the pending IN lists bind two");
static const char sql_pending[] = EXEC_SELECT
    EXEC_PENDING_OF("$2", "$4", "$5", "$3") EXEC_JOIN
    " ORDER BY e.status, e.id LIMIT $3";

/* A pending list's summary members only: no join, no status details. */
static const char sql_pending_summary[] =
    "SELECT e.id, e.job_id, e.thing_name, e.execution_number, e.status,"
    " NULL, e.queued_at, e.started_at, e.last_updated_at, e.version,"
    " 0, e.retry_attempt, NULL, NULL, NULL, NULL, NULL, 0, 0"
    EXEC_PENDING_OF("$1", "$3", "$4", "$2")
    " ORDER BY e.status, e.id LIMIT $2";

static const char sql_list_job[] = EXEC_COLS
    " WHERE e.job_id = $2 AND e.id > $3"
    " AND ($4::text IS NULL OR e.status = $4::text)"
    " ORDER BY e.id LIMIT $5";

static const char sql_list_thing[] = EXEC_COLS
    " WHERE e.thing_name = $2 AND e.id > $3"
    " AND ($4::text IS NULL OR e.status = $4::text)"
    " AND ($5::text IS NULL OR e.job_id = $5::text)"
    " AND ($6::text IS NULL OR j.namespace_id = $6::text)"
    " ORDER BY e.id LIMIT $7";

static const char sql_put[] =
    "UPDATE executions SET status = $2, status_details = $3,"
    " started_at = $4, last_updated_at = $5, version = $6,"
    " force_canceled = $7, step_timeout_minutes = $8, timeout_at = $9,"
    " progress_timeout_at = $10 WHERE id = $1";

static const char sql_delete[] = "DELETE FROM executions WHERE id = $1";

static const char sql_thing_exists[] = "SELECT 1 FROM things WHERE name = $1";

static const char sql_job_exists[] = "SELECT 1 FROM jobs WHERE job_id = $1";

static void
copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Row I of R into E; integer columns read 0 for NULL, the "none". */
static void
exec_from_row(const PGresult *r, int i, struct store_exec *e)
{
	const char *details;

	memset(e, 0, sizeof(*e));
	e->id = pg_col_int(r, i, 0);
	copy_text(e->job_id, sizeof(e->job_id), pg_col(r, i, 1));
	copy_text(e->thing_name, sizeof(e->thing_name), pg_col(r, i, 2));
	e->execution_number = pg_col_int(r, i, 3);
	if (exec_status_parse(pg_col(r, i, 4), &e->status) == -1)
		e->status = EXEC_REMOVED;	/* never written by iotjobs */
	details = pg_col(r, i, 5);
	if (details[0] != '\0') {
		e->status_details = json_loads(details, 0, NULL);
		if (e->status_details != NULL &&
		    !json_is_object(e->status_details)) {
			json_decref(e->status_details);
			e->status_details = NULL;
		}
	}
	e->queued_at = pg_col_int(r, i, 6);
	e->started_at = pg_col_int(r, i, 7);
	e->last_updated_at = pg_col_int(r, i, 8);
	e->version = pg_col_int(r, i, 9);
	e->force_canceled = pg_col_int(r, i, 10) != 0;
	e->retry_attempt = pg_col_int(r, i, 11);
	e->step_timeout_minutes = pg_col_int(r, i, 12);
	e->timeout_at = pg_col_int(r, i, 13);
	e->progress_timeout_at = pg_col_int(r, i, 14);
	e->job_progress_timeout_minutes = pg_col_int(r, i, 15);
	if (!pg_col_null(r, i, 16))
		e->document = xstrdup(pg_col(r, i, 16));
	e->retries_failed = pg_col_int(r, i, 17);
	e->retries_timed_out = pg_col_int(r, i, 18);
}

/* Runs SQL for at most one row: 1 into OUT, 0 none, -1. */
static int
exec_one(struct store_tx *tx, const char *sql, const struct pg_args *a,
    struct store_exec *out, struct err *err)
{
	PGresult *r;
	int rc = pg_row(tx, sql, a, &r, err);

	if (rc == 1)
		exec_from_row(r, 0, out);
	PQclear(r);
	return rc;
}

/*
 * Visits the rows of SQL, at most LIMIT; *MORE (when not NULL) tells
 * whether a further row exists (SQL must be limited to LIMIT + 1 rows).
 */
static int
exec_walk(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int limit, store_exec_row_fn *fn, void *arg, bool *more,
    struct err *err)
{
	struct store_exec e;
	PGresult *r;
	int i, n, rc = 0;

	if (more != NULL)
		*more = false;
	if ((r = pg_query(tx, sql, a, err)) == NULL)
		return -1;
	n = PQntuples(r);
	if (n > limit) {
		if (more != NULL)
			*more = true;
		n = limit;
	}
	for (i = 0; i < n && rc == 0; i++) {
		exec_from_row(r, i, &e);
		rc = fn(&e, arg, err);
		store_exec_release(&e);
	}
	PQclear(r);
	return rc;
}

static int
exists(struct store_tx *tx, const char *sql, const char *key,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, key);
	rc = pg_row(tx, sql, &a, &r, err);
	PQclear(r);
	return rc;
}

int
pg_exec_thing_exists(struct store_tx *tx, const char *name,
    struct err *err)
{
	return exists(tx, sql_thing_exists, name, err);
}

int
pg_exec_job_exists(struct store_tx *tx, const char *job_id,
    struct err *err)
{
	return exists(tx, sql_job_exists, job_id, err);
}

int
pg_exec_get(struct store_tx *tx, const char *thing, const char *job_id,
    int64_t number, bool with_doc, struct store_exec *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_bool(&a, with_doc);
	pg_arg_text(&a, job_id);
	pg_arg_text(&a, thing);
	if (number < 0)
		return exec_one(tx, sql_get_latest, &a, out, err);
	pg_arg_int(&a, number);
	return exec_one(tx, sql_get, &a, out, err);
}

/* The names of exec_pending, as the next parameters of A. */
static void
arg_pending(struct pg_args *a)
{
	int i;

	for (i = 0; i < EXEC_PENDING_COUNT; i++)
		pg_arg_text(a, exec_status_name(exec_pending[i]));
}

int
pg_exec_next_pending(struct store_tx *tx, const char *thing,
    bool with_doc, struct store_exec *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_bool(&a, with_doc);
	pg_arg_text(&a, thing);
	pg_arg_int(&a, 1);
	arg_pending(&a);
	return exec_one(tx, sql_pending, &a, out, err);
}

int
pg_exec_pending(struct store_tx *tx, const char *thing, int limit,
    store_exec_row_fn *fn, void *arg, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, thing);
	pg_arg_int(&a, limit);
	arg_pending(&a);
	return exec_walk(tx, sql_pending_summary, &a, limit, fn, arg, NULL,
	    err);
}

/* V, or NULL when V is 0 (the struct's "none"). */
static void
arg_opt(struct pg_args *a, int64_t v)
{
	if (v == 0)
		pg_arg_null(a);
	else
		pg_arg_int(a, v);
}

int
pg_exec_put(struct store_tx *tx, const struct store_exec *e,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *details = NULL;
	int64_t n = 0;
	int rc;

	if (e->status_details != NULL && json_object_size(e->status_details))
		details = json_dumps(e->status_details, JSON_COMPACT);
	pg_arg_int(&a, e->id);
	pg_arg_text(&a, exec_status_name(e->status));
	pg_arg_text(&a, details);
	arg_opt(&a, e->started_at);
	pg_arg_int(&a, e->last_updated_at);
	pg_arg_int(&a, e->version);
	pg_arg_int(&a, e->force_canceled ? 1 : 0);
	arg_opt(&a, e->step_timeout_minutes);
	arg_opt(&a, e->timeout_at);
	arg_opt(&a, e->progress_timeout_at);
	rc = pg_exec_n(tx, sql_put, &a, &n, err);
	free(details);
	if (rc == 0 && n != 1)
		return err_set(err, ERR_INTERNAL_FAILURE, "job execution %lld"
		    " vanished during an update", (long long)e->id);
	return rc;
}

int
pg_exec_delete(struct store_tx *tx, int64_t id, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_int(&a, id);
	return pg_exec(tx, sql_delete, &a, err);
}

static const char *
page_status(const struct store_exec_page *pg)
{
	return pg->status != NULL ? exec_status_name(*pg->status) : NULL;
}

int
pg_exec_list_job(struct store_tx *tx, const char *job_id,
    struct store_exec_page *pg, store_exec_row_fn *fn, void *arg,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_bool(&a, false);
	pg_arg_text(&a, job_id);
	pg_arg_int(&a, pg->after);
	pg_arg_text(&a, page_status(pg));
	pg_arg_int(&a, (int64_t)pg->limit + 1);
	return exec_walk(tx, sql_list_job, &a, pg->limit, fn, arg, &pg->more,
	    err);
}

int
pg_exec_list_thing(struct store_tx *tx, const char *thing,
    const char *job_id, struct store_exec_page *pg, store_exec_row_fn *fn,
    void *arg, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_bool(&a, false);
	pg_arg_text(&a, thing);
	pg_arg_int(&a, pg->after);
	pg_arg_text(&a, page_status(pg));
	pg_arg_text(&a, job_id);
	pg_arg_text(&a, pg->namespace_id);
	pg_arg_int(&a, (int64_t)pg->limit + 1);
	return exec_walk(tx, sql_list_thing, &a, pg->limit, fn, arg,
	    &pg->more, err);
}

/* --- the job engine --------------------------------------------------- */

static const char sql_due[] = EXEC_COLS
    " WHERE e.timeout_at <= $2 AND e.status = $4"
    " ORDER BY e.timeout_at, e.id LIMIT $3";

static const char sql_next_deadline[] =
    "SELECT min(timeout_at) FROM executions WHERE timeout_at IS NOT NULL"
    " AND status = $1";

/*
 * The new row's values are in the SELECT list, where the server cannot
 * infer their types from the columns: hence the casts.
 */
static const char sql_retry[] =
    "INSERT INTO executions (job_id, thing_name, execution_number, status,"
    " queued_at, last_updated_at, version, retry_attempt, retries_failed,"
    " retries_timed_out)"
    " SELECT $1::text, $2::text, max(execution_number) + 1, $7::text,"
    " $3::bigint, $3::bigint, 1, $4::bigint, $5::bigint, $6::bigint"
    " FROM executions WHERE job_id = $1::text AND thing_name = $2::text";

static const char sql_pending_of[] = EXEC_SELECT
    EXEC_PENDING_OF("$2 AND ($3::text IS NULL OR job_id = $3::text)",
    "$5", "$6", "$4") EXEC_JOIN
    " ORDER BY e.status, e.id LIMIT $4";

int
pg_exec_due(struct store_tx *tx, enum exec_status timed, int64_t now,
    int limit, store_exec_row_fn *fn, void *arg, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_bool(&a, false);
	pg_arg_int(&a, now);
	pg_arg_int(&a, limit);
	pg_arg_text(&a, exec_status_name(timed));
	return exec_walk(tx, sql_due, &a, limit, fn, arg, NULL, err);
}

int
pg_exec_next_deadline(struct store_tx *tx, enum exec_status timed,
    int64_t *at, struct err *err)
{
	struct pg_args a = { 0 };

	*at = 0;
	pg_arg_text(&a, exec_status_name(timed));
	return pg_count(tx, sql_next_deadline, &a, at, err);
}

int
pg_exec_retry(struct store_tx *tx, const struct store_exec *e,
    int64_t now, struct err *err)
{
	struct pg_args a = { 0 };
	bool failed = e->status == EXEC_FAILED;

	pg_arg_text(&a, e->job_id);
	pg_arg_text(&a, e->thing_name);
	pg_arg_int(&a, now);
	pg_arg_int(&a, e->retry_attempt + 1);
	pg_arg_int(&a, e->retries_failed + (failed ? 1 : 0));
	pg_arg_int(&a, e->retries_timed_out + (failed ? 0 : 1));
	pg_arg_text(&a, exec_status_name(EXEC_QUEUED));
	return pg_exec(tx, sql_retry, &a, err);
}

int
pg_exec_pending_of(struct store_tx *tx, const char *thing,
    const char *job_id, int limit, store_exec_row_fn *fn, void *arg,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_bool(&a, false);
	pg_arg_text(&a, thing);
	pg_arg_text(&a, job_id);
	pg_arg_int(&a, limit);
	arg_pending(&a);
	return exec_walk(tx, sql_pending_of, &a, limit, fn, arg, NULL, err);
}

static const char sql_move_job[] =
    "UPDATE executions SET status = $3, force_canceled = $4,"
    " version = version + 1, last_updated_at = $6,"
    " timeout_at = CASE WHEN $5::boolean THEN NULL ELSE timeout_at END,"
    " progress_timeout_at = CASE WHEN $5::boolean THEN NULL"
    " ELSE progress_timeout_at END"
    " WHERE job_id = $1 AND status = $2";

int
pg_exec_move_job(struct store_tx *tx, const char *job_id,
    enum exec_status from, enum exec_status to, bool forced, bool stop,
    int64_t now, int64_t *n, struct err *err)
{
	struct pg_args a = { 0 };

	*n = 0;
	pg_arg_text(&a, job_id);
	pg_arg_text(&a, exec_status_name(from));
	pg_arg_text(&a, exec_status_name(to));
	pg_arg_int(&a, forced ? 1 : 0);
	pg_arg_bool(&a, stop);
	pg_arg_int(&a, now);
	return pg_exec_n(tx, sql_move_job, &a, n, err);
}

static const char sql_last_id[] =
    "SELECT coalesce(max(id), 0) FROM executions";

int
pg_exec_last_id(struct store_tx *tx, int64_t *id, struct err *err)
{
	*id = 0;
	return pg_count(tx, sql_last_id, NULL, id, err);
}
