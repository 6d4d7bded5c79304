/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations shared between job and execution code: the job counters
 * (jobProcessDetails) and the hooks that thing and group changes call so
 * that CONTINUOUS jobs follow membership.
 */
#ifndef IOTJOBS_STORE_JOB_H
#define IOTJOBS_STORE_JOB_H

#include <stdint.h>

#include "err.h"
#include "store.h"

/*
 * Moves one execution of JOB_ID from status FROM to status TO in the job's
 * counters (FROM NULL: a new execution; TO NULL: a deleted one), updates the
 * job's lastUpdatedAt, and completes an IN_PROGRESS SNAPSHOT job that has
 * nothing left pending (status COMPLETED, completedAt NOW). Call it in the
 * same transaction as the execution change.
 */
int store_job_count_move(struct store_tx *tx, const char *job_id,
    const char *from, const char *to, int64_t now, struct err *err);

/*
 * Recomputes the counters of JOB_ID from its executions, then applies the
 * completion rule above (after set-based changes such as CancelJob).
 */
int store_job_count_refresh(struct store_tx *tx, const char *job_id,
    int64_t now, struct err *err);

/*
 * THING_NAME joined the group GROUP_ARN (or a descendant of it): every
 * IN_PROGRESS CONTINUOUS job that targets GROUP_ARN and has no execution on
 * the thing queues one.
 */
int store_job_member_added(struct store_tx *tx, const char *group_arn,
    const char *thing_name, int64_t now, struct err *err);

#endif
