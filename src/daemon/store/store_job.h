/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations shared between job and execution code: the job counters
 * (jobProcessDetails) and the hooks that thing and group changes call so
 * that CONTINUOUS jobs follow membership.
 */
#ifndef IOTJOBS_STORE_JOB_H
#define IOTJOBS_STORE_JOB_H

#include <jansson.h>
#include <stdbool.h>
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

/* --- the jobs control plane (CreateJob ... AssociateTargetsWithJob) --- */

#define STORE_JOB_ID_MAX	64	/* JobId (model) */
#define STORE_JOB_STATUS_MAX	24	/* longest JobStatus, NUL included */
#define STORE_JOB_NCOUNTS	8

/*
 * The jobProcessDetails counters, in this order: numberOfQueuedThings,
 * numberOfInProgressThings, numberOfSucceededThings, numberOfFailedThings,
 * numberOfRejectedThings, numberOfCanceledThings, numberOfRemovedThings,
 * numberOfTimedOutThings.
 */
extern const char *const store_job_count_names[STORE_JOB_NCOUNTS];

/* One job row. Strings and JSON values are owned (store_job_release). */
struct store_job {
	char job_id[STORE_JOB_ID_MAX + 1];
	char status[STORE_JOB_STATUS_MAX];	/* JobStatus */
	char target_selection[16];		/* SNAPSHOT | CONTINUOUS */
	char *document;		/* the job document text; NULL: none */
	char *description;	/* NULL: none */
	/*
	 * The accepted configuration members, verbatim, keyed by wire
	 * name: documentSource, presignedUrlConfig, jobExecutionsRolloutConfig,
	 * abortConfig, timeoutConfig, jobExecutionsRetryConfig,
	 * schedulingConfig, namespaceId, jobTemplateArn, documentParameters,
	 * destinationPackageVersions, tags.
	 */
	json_t *config;
	bool force_canceled;
	char *reason_code;	/* NULL: none */
	char *comment;		/* NULL: none */
	int64_t created_at;
	int64_t last_updated_at;
	int64_t completed_at;	/* 0: not completed */
	int64_t counts[STORE_JOB_NCOUNTS];
	json_t *targets;	/* array of target ARNs, in order */
};

/* Frees what JOB owns; safe on a zeroed struct. */
void store_job_release(struct store_job *job);

/*
 * Job JOB_ID into *OUT (OUT may be NULL to test existence): 1 found (the
 * caller releases *OUT), 0 missing, -1 with ERR set.
 */
int store_job_get(struct store_tx *tx, const char *job_id,
    struct store_job *out, struct err *err);

/*
 * Whether a thing (GROUP false) or thing group (GROUP true) named NAME
 * exists: 1, 0, or -1 with ERR set.
 */
int store_job_target_exists(struct store_tx *tx, bool group,
    const char *name, struct err *err);

/*
 * Inserts JOB (status, selection, document, description, config, times)
 * with its targets; the counters start at zero. Executions are queued by
 * store_job_queue_targets.
 */
int store_job_insert(struct store_tx *tx, const struct store_job *job,
    struct err *err);

/*
 * Appends the ARNs of the array TARGETS to the targets of JOB_ID, after
 * the existing ones.
 */
int store_job_targets_add(struct store_tx *tx, const char *job_id,
    json_t *targets, struct err *err);

/*
 * Queues one QUEUED execution (number 1, version 1, queued NOW) of JOB_ID
 * for every existing thing its targets name (ARNs starting with
 * ARN_PREFIX, "arn:aws:iot:REGION:ACCOUNT:"), directly or through a
 * target group and its descendant groups, that has no execution of the
 * job yet; one set-based statement. Then refreshes the counters (so an
 * IN_PROGRESS SNAPSHOT job with nothing to run completes).
 */
int store_job_queue_targets(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err);

/*
 * Writes description, config, comment and last_updated_at of the existing
 * JOB (the other members are not written).
 */
int store_job_update(struct store_tx *tx, const struct store_job *job,
    struct err *err);

/*
 * CancelJob: the QUEUED executions of JOB_ID (and, when FORCE, the
 * IN_PROGRESS ones) become CANCELED (forceCanceled = FORCE, version + 1,
 * lastUpdatedAt NOW); the job becomes CANCELED with FORCE, REASON_CODE and
 * COMMENT (either NULL: none); the counters are refreshed.
 */
int store_job_cancel(struct store_tx *tx, const char *job_id, bool force,
    const char *reason_code, const char *comment, int64_t now,
    struct err *err);

/* Deletes JOB_ID with its targets and executions. */
int store_job_delete(struct store_tx *tx, const char *job_id,
    struct err *err);

/* ListJobs filters; NULL members do not filter. */
struct store_job_filter {
	const char *status;
	const char *target_selection;
	const char *group_arn;		/* jobs with this target */
	const char *namespace_id;
};

/* One ListJobs row. */
struct store_job_summary {
	char job_id[STORE_JOB_ID_MAX + 1];
	char status[STORE_JOB_STATUS_MAX];
	char target_selection[16];
	char group_id[64];	/* "" unless it targets an existing group */
	int64_t created_at;
	int64_t last_updated_at;
	int64_t completed_at;	/* 0: not completed */
};

/*
 * ListJobs, newest first: at most LIMIT jobs matching F created before the
 * position AFTER (0: from the newest) into OUT (an array of LIMIT rows);
 * *N rows were written; *NEXT is the position to resume from, 0 when no
 * further rows exist. GROUP_ARN_PREFIX ("arn:aws:iot:REGION:ACCOUNT:
 * thinggroup/") finds the group a summary names.
 */
int store_job_list(struct store_tx *tx, const struct store_job_filter *f,
    const char *group_arn_prefix, int64_t after, int limit,
    struct store_job_summary *out, int *n, int64_t *next, struct err *err);

/* The name of the thing group whose id is GROUP_ID: 1, 0, or -1. */
int store_job_group_by_id(struct store_tx *tx, const char *group_id,
    char name[129], struct err *err);

#endif
