/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite backend of what /metrics reads (store_metrics.h). */
#include "store_metrics.h"

#include <string.h>

#include "sqlite_int.h"

#define COUNTS "n_queued, n_in_progress, n_succeeded, n_failed," \
    " n_rejected, n_canceled, n_removed, n_timed_out"

static const char sql_by_status[] =
    "SELECT status, count(*), sum(n_queued), sum(n_in_progress),"
    " sum(n_succeeded), sum(n_failed), sum(n_rejected), sum(n_canceled),"
    " sum(n_removed), sum(n_timed_out), sum(paused_at IS NOT NULL)"
    " FROM jobs GROUP BY status ORDER BY status";

static const char sql_recent[] =
    "SELECT job_id, status, 1, " COUNTS ", paused_at IS NOT NULL,"
    " (SELECT count(*) FROM rollout_queue q WHERE q.job_id = j.job_id)"
    " FROM jobs j ORDER BY id DESC LIMIT ?1";

static const char sql_waiting[] =
    "SELECT 0, count(*) FROM rollout_queue";

static const char sql_audit[] = "SELECT coalesce(max(seq), 0) FROM audit_log";

static int
rows(struct store_tx *tx, sqlite3_stmt *s, bool job,
    void (*fn)(void *, const struct store_metrics_row *), void *arg,
    struct err *err)
{
	struct store_metrics_row r;
	int rc, i, c;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		c = 0;
		if (job)
			r.job_id = sq_col_text(s, c++);
		if (job_status_parse(sq_col_text(s, c++), &r.status) == -1)
			continue;	/* a name iotjobs never writes */
		r.jobs = sqlite3_column_int64(s, c++);
		for (i = 0; i < STORE_JOB_NCOUNTS; i++)
			r.counts[i] = sqlite3_column_int64(s, c++);
		r.paused = sqlite3_column_int64(s, c++) > 0;
		if (job)
			r.waiting = sqlite3_column_int64(s, c++);
		fn(arg, &r);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_metrics_jobs(struct store_tx *tx, int recent,
    void (*fn)(void *, const struct store_metrics_row *), void *arg,
    struct err *err)
{
	struct store_metrics_row w;
	sqlite3_stmt *s;
	int rc;

	if (rows(tx, sq_stmt(tx, sql_by_status), false, fn, arg, err) == -1)
		return -1;
	s = sq_stmt(tx, sql_waiting);
	rc = sqlite3_step(s);
	memset(&w, 0, sizeof(w));
	w.queues = true;
	if (rc == SQLITE_ROW)
		w.waiting = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	fn(arg, &w);
	if (recent <= 0)
		return 0;
	s = sq_stmt(tx, sql_recent);
	sqlite3_bind_int(s, 1, recent);
	return rows(tx, s, true, fn, arg, err);
}

int
sq_metrics_audit(struct store_tx *tx, int64_t *n, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_audit);
	int rc = sqlite3_step(s);

	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	return 0;
}
