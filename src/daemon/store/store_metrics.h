/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What /metrics reads from the store at scrape time (metrics.c): jobs by
 * status with the sum of their execution counters, and the counters of
 * the most recent jobs. Cheap: the counters are columns of the jobs row.
 */
#ifndef IOTJOBS_STORE_METRICS_H
#define IOTJOBS_STORE_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "store_job.h"

/* One row: a job status (or one job), its counters, its queue. */
struct store_metrics_row {
	const char *job_id;	/* NULL for a status row */
	enum job_status status;
	bool queues;		/* the row of every rollout queue */
	int64_t jobs;		/* status rows: jobs in the status */
	int64_t counts[STORE_JOB_NCOUNTS];	/* store_job_count_names */
	int64_t waiting;	/* things in rollout queues */
	bool paused;
};

/*
 * Calls FN(ARG, ROW) for each job status present, then for each of the
 * RECENT most recently created jobs (newest first); between them one
 * row with queues set and job_id NULL holds the things waiting in every
 * rollout queue. Rows are borrowed for the call.
 */
int store_metrics_jobs(struct store_tx *tx, int recent,
    void (*fn)(void *, const struct store_metrics_row *), void *arg,
    struct err *err);

/* The number of audit records (0 without any). */
int store_metrics_audit(struct store_tx *tx, int64_t *n, struct err *err);

#endif
