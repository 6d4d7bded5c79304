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
#include "status.h"
#include "store.h"

/*
 * Moves one execution of JOB_ID from status FROM to status TO (each an
 * enum exec_status) in the job's counters (FROM -1: a new execution; TO
 * -1: a deleted one) and
 * updates the job's lastUpdatedAt. Call it in the same transaction as the
 * execution change; whether the job is then done is the engine's decision
 * (engine_count_move, job_fsm_done).
 */
int store_job_count_move(struct store_tx *tx, const char *job_id, int from,
    int to, int64_t now, struct err *err);

/*
 * Recomputes the counters of JOB_ID from its executions (after set-based
 * changes such as CancelJob).
 */
int store_job_count_refresh(struct store_tx *tx, const char *job_id,
    int64_t now, struct err *err);

/* --- the jobs control plane (CreateJob ... AssociateTargetsWithJob) --- */

#define STORE_JOB_ID_MAX	64	/* JobId (model) */
#define STORE_JOB_NCOUNTS	8

/*
 * The jobProcessDetails counters, in this order: numberOfQueuedThings,
 * numberOfInProgressThings, numberOfSucceededThings, numberOfFailedThings,
 * numberOfRejectedThings, numberOfCanceledThings, numberOfRemovedThings,
 * numberOfTimedOutThings.
 */
extern const char *const store_job_count_names[STORE_JOB_NCOUNTS];

/* The execution status each counter counts, in the same order. */
extern const enum exec_status store_job_count_status[STORE_JOB_NCOUNTS];

/* The counter of status S among COUNTS (0 for a status none counts). */
int64_t store_job_count_of(const int64_t counts[STORE_JOB_NCOUNTS],
    enum exec_status s);

/* One job row. Strings and JSON values are owned (store_job_release). */
struct store_job {
	char job_id[STORE_JOB_ID_MAX + 1];
	enum job_status status;
	char target_selection[16];		/* SNAPSHOT | CONTINUOUS */
	char *document;		/* the job document text; NULL: none */
	char *description;	/* NULL: none */
	/*
	 * The accepted configuration members, verbatim, keyed by wire
	 * name: documentSource, presignedUrlConfig, jobExecutionsRolloutConfig,
	 * abortConfig, timeoutConfig, jobExecutionsRetryConfig,
	 * schedulingConfig, namespaceId, jobTemplateArn, documentParameters,
	 * destinationPackageVersions (tags: the tags table, 0018).
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
 * One job status step decided by the engine (job_fsm_step), applied by
 * store_job_status_set only while the job is still in FROM.
 */
struct store_job_step {
	enum job_status from, to;
	bool done;		/* completedAt = NOW */
	bool forced;		/* forceCanceled = true */
	bool stop;		/* no deadline left: start, end, rollout, wake */
	const char *reason_code;	/* NULL: kept */
	const char *comment;		/* NULL: kept */
};

/*
 * Applies STEP to JOB_ID (lastUpdatedAt moves to NOW); *APPLIED says
 * whether the job was in STEP->from.
 */
int store_job_status_set(struct store_tx *tx, const char *job_id,
    const struct store_job_step *step, int64_t now, bool *applied,
    struct err *err);

/* What the completion rule (job_fsm_done) reads of a job. */
struct store_job_progress {
	enum job_status status;
	bool snapshot;		/* targetSelection SNAPSHOT */
	int64_t pending;	/* QUEUED + IN_PROGRESS executions */
	bool waiting;		/* things left in the rollout queue */
};

/* The progress of JOB_ID into *OUT: 1, 0 (no such job), -1. */
int store_job_progress_get(struct store_tx *tx, const char *job_id,
    struct store_job_progress *out, struct err *err);

/* Deletes JOB_ID with its targets and executions. */
int store_job_delete(struct store_tx *tx, const char *job_id,
    struct err *err);

/* ListJobs filters; NULL members do not filter. */
struct store_job_filter {
	const enum job_status *status;
	const char *target_selection;
	const char *group_arn;		/* jobs with this target */
	const char *namespace_id;
};

/* One ListJobs row. */
struct store_job_summary {
	char job_id[STORE_JOB_ID_MAX + 1];
	enum job_status status;
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

/* --- the job engine (engine/) ---------------------------------------- */

/* What the engine keeps of a job (jobs row, 0005 columns). */
struct store_job_engine {
	char job_id[STORE_JOB_ID_MAX + 1];
	enum job_status status;
	char target_selection[16];
	json_t *config;		/* owned; see struct store_job */
	int64_t counts[STORE_JOB_NCOUNTS];
	int64_t start_at;	/* scheduled start, 0: none (or started) */
	int64_t end_at;		/* scheduled end, 0: none (or applied) */
	int64_t rollout_at;	/* next rollout tick, 0: none */
	int64_t rollout_sent;	/* things notified so far */
	double rollout_rate;	/* current exponential rate, 0: not set */
	int64_t rollout_mark;	/* count at the last rate increase */
	bool rollout_stopped;
	int64_t waiting;	/* things in the rollout queue (out) */
	int64_t paused_at;	/* iotjobs job pause: when, 0: not paused */
	char paused_by[160];	/* who paused (out) */
	int64_t wake_at;	/* in: the earliest deadline, 0: none */
};

/* Frees what J owns. */
void store_job_engine_release(struct store_job_engine *j);

/* The engine view of JOB_ID: 1, 0 (no such job), -1. */
int store_job_engine_get(struct store_tx *tx, const char *job_id,
    struct store_job_engine *out, struct err *err);

/*
 * Writes status, the deadlines and the rollout state of J (not the
 * counters, not waiting); lastUpdatedAt moves to NOW.
 */
int store_job_engine_put(struct store_tx *tx,
    const struct store_job_engine *j, int64_t now, struct err *err);

/*
 * The ids of the jobs whose wake_at <= NOW, earliest first, at most LIMIT,
 * into IDS; *N of them.
 */
int store_job_due(struct store_tx *tx, int64_t now, int limit,
    char (*ids)[STORE_JOB_ID_MAX + 1], int *n, struct err *err);

/* The earliest job deadline into *AT (0: none). */
int store_job_next_wake(struct store_tx *tx, int64_t *at, struct err *err);

/*
 * As store_job_queue_targets, but the things go to the rollout queue of
 * JOB_ID (in thing-name order), to be notified by store_job_release_batch.
 */
int store_job_plan_targets(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, struct err *err);

/*
 * Notifies the first LIMIT things of JOB_ID's rollout queue (LIMIT < 0:
 * all): each gets a QUEUED execution (number after any it has) queued at
 * NOW, the queued counter grows, the rows leave the queue. *N tells how
 * many were released.
 */
int store_job_release_batch(struct store_tx *tx, const char *job_id,
    int64_t limit, int64_t now, int64_t *n, struct err *err);

/*
 * Pauses (AT != 0: since AT, by BY) or resumes (AT 0) the rollout of
 * JOB_ID: only the paused_at and paused_by columns change; the engine
 * (rollout.c) decides what a pause means.
 */
int store_job_pause_set(struct store_tx *tx, const char *job_id, int64_t at,
    const char *by, struct err *err);

/*
 * The position (1: next to go) of THING in JOB_ID's rollout queue into
 * *POS; 0 when it is not in the queue.
 */
int store_job_queue_position(struct store_tx *tx, const char *job_id,
    const char *thing, int64_t *pos, struct err *err);

/*
 * Calls FN(ARG, THING) for every thing in JOB_ID's rollout queue in
 * release order; FN returning -1 stops the walk.
 */
int store_job_queue_things(struct store_tx *tx, const char *job_id,
    int (*fn)(void *, const char *), void *arg, struct err *err);

/* Empties JOB_ID's rollout queue (THING: only that thing's row). */
int store_job_rollout_drop(struct store_tx *tx, const char *job_id,
    const char *thing, struct err *err);

/* A CONTINUOUS job a thing joining a group may get, with its facts. */
struct store_member_job {
	char job_id[STORE_JOB_ID_MAX + 1];
	bool waiting;			/* the thing is in its rollout queue */
	bool has_last;			/* the thing has an execution of it */
	enum exec_status last;		/* the latest one's status */
};

/*
 * The CONTINUOUS jobs (IN_PROGRESS, rollout not stopped) whose targets
 * reach THING through GROUP_ARN or its ancestors, each with THING's facts,
 * into a new array *JOBS (caller frees it), *N of them. The engine decides
 * which get an execution (job_fsm_member_runs).
 */
int store_job_member_jobs(struct store_tx *tx, const char *group_arn,
    const char *thing, struct store_member_job **jobs, size_t *n,
    struct err *err);

/*
 * Whether an IN_PROGRESS CONTINUOUS job targets ARN into *ANY: when none
 * does, things joining that group need no engine_member_added call.
 */
int store_job_continuous_targets(struct store_tx *tx, const char *arn,
    bool *any, struct err *err);

/*
 * Whether THING still reaches a target of JOB_ID (directly or through a
 * group or descendant group): 1, 0, -1.
 */
int store_job_reaches(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, const char *thing, struct err *err);

/* As store_job_reaches; when 1, the target that reaches THING into VIA
 * (SIZE bytes; VIA may be NULL). */
int store_job_reach_via(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, const char *thing, char *via, size_t size,
    struct err *err);

/* Queues THING at the end of JOB_ID's rollout queue. */
int store_job_plan_thing(struct store_tx *tx, const char *job_id,
    const char *thing, struct err *err);

/* A value the engine keeps (engine_state): 1 into *V, 0 absent, -1. */
int store_engine_get(struct store_tx *tx, const char *key, int64_t *v,
    struct err *err);
int store_engine_put(struct store_tx *tx, const char *key, int64_t v,
    struct err *err);

/* The name of the thing group whose id is GROUP_ID: 1, 0, or -1. */
int store_job_group_by_id(struct store_tx *tx, const char *group_id,
    char name[129], struct err *err);

#endif
