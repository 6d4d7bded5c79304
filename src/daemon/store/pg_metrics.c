/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL backend of what /metrics reads (store_metrics.h). */
#include "store_metrics.h"

#include <string.h>

#include "pg_int.h"

#define COUNTS "n_queued, n_in_progress, n_succeeded, n_failed," \
    " n_rejected, n_canceled, n_removed, n_timed_out"

static const char sql_by_status[] =
    "SELECT status, count(*), sum(n_queued), sum(n_in_progress),"
    " sum(n_succeeded), sum(n_failed), sum(n_rejected), sum(n_canceled),"
    " sum(n_removed), sum(n_timed_out), count(paused_at)"
    " FROM jobs GROUP BY status ORDER BY status";

static const char sql_recent[] =
    "SELECT job_id, status, 1, " COUNTS ", paused_at IS NOT NULL,"
    " (SELECT count(*) FROM rollout_queue q WHERE q.job_id = j.job_id)"
    " FROM jobs j ORDER BY id DESC LIMIT $1";

static const char sql_waiting[] = "SELECT count(*) FROM rollout_queue";

static const char sql_audit[] = "SELECT coalesce(max(seq), 0) FROM audit_log";

/* Each row of SQL (A its parameters) to FN; JOB: the rows of one job. */
static int
rows(struct store_tx *tx, const char *sql, const struct pg_args *a,
    bool job, void (*fn)(void *, const struct store_metrics_row *),
    void *arg, struct err *err)
{
	struct store_metrics_row m;
	PGresult *r;
	int row, n, i, c;

	if ((r = pg_query(tx, sql, a, err)) == NULL)
		return -1;
	n = PQntuples(r);
	for (row = 0; row < n; row++) {
		memset(&m, 0, sizeof(m));
		c = 0;
		if (job)
			m.job_id = pg_col(r, row, c++);
		if (job_status_parse(pg_col(r, row, c++), &m.status) == -1)
			continue;	/* a name iotjobs never writes */
		m.jobs = pg_col_int(r, row, c++);
		for (i = 0; i < STORE_JOB_NCOUNTS; i++)
			m.counts[i] = pg_col_int(r, row, c++);
		m.paused = pg_col_int(r, row, c++) > 0;
		if (job)
			m.waiting = pg_col_int(r, row, c++);
		fn(arg, &m);
	}
	PQclear(r);
	return 0;
}

int
pg_metrics_jobs(struct store_tx *tx, int recent,
    void (*fn)(void *, const struct store_metrics_row *), void *arg,
    struct err *err)
{
	struct store_metrics_row w;
	struct pg_args a = { 0 };

	if (rows(tx, sql_by_status, NULL, false, fn, arg, err) == -1)
		return -1;
	memset(&w, 0, sizeof(w));
	w.queues = true;
	if (pg_count(tx, sql_waiting, NULL, &w.waiting, err) == -1)
		return -1;
	fn(arg, &w);
	if (recent <= 0)
		return 0;
	pg_arg_int(&a, recent);
	return rows(tx, sql_recent, &a, true, fn, arg, err);
}

int
pg_metrics_audit(struct store_tx *tx, int64_t *n, struct err *err)
{
	*n = 0;
	return pg_count(tx, sql_audit, NULL, n, err);
}
