/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The job engine: what happens to jobs and executions without a request
 * (WIRE.md 8.5, 8.7, 8.8, 11.3): timeouts, retries, abort criteria,
 * rollout rates, scheduled start and end, maintenance windows, and
 * CONTINUOUS jobs following group membership. Every function here runs
 * inside the caller's write transaction, so each change of an execution
 * lands with its counters, its retry and the job's status in one commit.
 * The scheduler (sched.c) calls engine_run_due; the api layer calls the
 * rest.
 */
#ifndef IOTJOBS_ENGINE_H
#define IOTJOBS_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/exec_fsm.h"
#include "err.h"
#include "store/store.h"
#include "store/store_exec.h"

/* ARN prefix "arn:aws:iot:REGION:ACCOUNT:" size. */
#define ENGINE_ARN_PREFIX_MAX	128

/* At most this many deadlines are handled per transaction. */
#define ENGINE_BATCH	256

/* Reason code and comment of a job canceled by its abortConfig. */
#define ENGINE_ABORT_REASON	"AWS_IOT_JOB_ABORT_CRITERIA_MET"

/*
 * E was written back after a step from FROM: moves the job's counters
 * (when the status changed), queues a retry when E became FAILED or
 * TIMED_OUT and the job's jobExecutionsRetryConfig allows one, then
 * applies the job's abortConfig.
 */
int engine_exec_changed(struct store_tx *tx, const struct store_exec *e,
    enum exec_status from, int64_t now, struct err *err);

/*
 * The job rules of job.c. CancelJob: job_fsm decides whether job JOB_ID
 * may become CANCELED (FORCE: force=true) and exec_fsm which of its
 * executions are canceled with it, each (from, CANCELED) pair one
 * set-based step; REASON_CODE and COMMENT may be NULL. 0, or -1 with ERR
 * set (ResourceNotFound, InvalidRequest).
 */
int engine_job_cancel(struct store_tx *tx, const char *job_id, bool force,
    const char *reason_code, const char *comment, int64_t now,
    struct err *err);

/* DeleteJob of JOB_ID as job_fsm allows it, with its outbox rows. */
int engine_job_delete(struct store_tx *tx, const char *job_id, bool force,
    int64_t now, struct err *err);

/* DeleteJobExecution of E as exec_fsm allows it, with its counters. */
int engine_exec_delete(struct store_tx *tx, const struct store_exec *e,
    bool force, int64_t now, struct err *err);

/* Completes JOB_ID when job_fsm_done says it is done. */
int engine_job_settle(struct store_tx *tx, const char *job_id, int64_t now,
    struct err *err);

/*
 * One execution of JOB_ID moves from FROM to TO in the job's counters
 * (an enum exec_status, or -1: a new or deleted execution); a move out of
 * the pending list then settles the job.
 */
int engine_count_move(struct store_tx *tx, const char *job_id, int from,
    int to, int64_t now, struct err *err);

/* Recounts JOB_ID from its executions, then settles it. */
int engine_count_refresh(struct store_tx *tx, const char *job_id,
    int64_t now, struct err *err);

/* Queues the targets of JOB_ID as executions, set-based, with outboxes. */
int engine_queue_targets(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err);

/* Releases up to LIMIT (-1: all) queued things of JOB_ID; *N released. */
int engine_release(struct store_tx *tx, const char *job_id, int64_t limit,
    int64_t now, int64_t *n, struct err *err);

struct store_job_engine;

/* The earliest deadline of J (start, end, rollout), 0: none. */
int64_t engine_wake_at(const struct store_job_engine *j);

/* Writes J back (store_job_engine_put) with its wake_at. */
int engine_job_put(struct store_tx *tx, struct store_job_engine *j,
    int64_t now, struct err *err);

/*
 * The job JOB_ID was just inserted (CreateJob): arms its scheduled start
 * and end, or starts it now (queues or plans its targets and runs the
 * first rollout tick).
 */
int engine_job_created(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err);

/*
 * Targets were added to the IN_PROGRESS job JOB_ID: their things without
 * an execution are queued, or planned under a rollout rate.
 */
int engine_job_targets_added(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err);

/* Handles every deadline of job JOB_ID that is due at NOW. */
int engine_job_wake(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err);

/* The timer of E (IN_PROGRESS, deadline passed) ran out: TIMED_OUT. */
int engine_timeout(struct store_tx *tx, struct store_exec *e, int64_t now,
    struct err *err);

/*
 * Whether E's timer ran out at NOW; if so, times it out (engine_timeout)
 * and returns 1. 0 when it did not.
 */
int engine_timeout_if_due(struct store_tx *tx, struct store_exec *e,
    int64_t now, struct err *err);

/*
 * THING joined GROUP_ARN: each CONTINUOUS job reaching it through the
 * group queues (or plans, under a rollout rate) an execution.
 */
int engine_member_added(struct store_tx *tx, const char *group_arn,
    const char *thing, int64_t now, struct err *err);

/*
 * THING left a group: its pending executions of CONTINUOUS jobs that no
 * longer reach it become REMOVED, its waiting ones are dropped.
 */
int engine_member_left(struct store_tx *tx, const char *thing,
    const char *arn_prefix, int64_t now, struct err *err);

/* THING is being deleted: all its pending executions become REMOVED. */
int engine_thing_deleted(struct store_tx *tx, const char *thing,
    int64_t now, struct err *err);

/*
 * One transaction of due work at NOW (timers and job deadlines, earliest
 * first, at most ENGINE_BATCH); *DONE tells how many were handled.
 */
int engine_run_due(struct store *st, const char *arn_prefix, int64_t now,
    int *done, struct err *err);

/* The earliest stored deadline into *AT (0: none). */
int engine_next_deadline(struct store *st, int64_t *at, struct err *err);

/*
 * scheduledJobRollouts of a job with CONFIG at NOW: the next seven
 * maintenance-window starts, or NULL when it has none.
 */
json_t *engine_scheduled_rollouts(const json_t *config, int64_t now);

/*
 * Whether E (FAILED or TIMED_OUT) of a job with CONFIG gets a retry
 * (jobExecutionsRetryConfig): the rule engine_exec_changed applies.
 */
bool engine_retry_allowed(const json_t *config, const struct store_exec *e);

/* Whether a job with CONFIG notifies its things through the rollout
 * queue (a rollout rate, maintenance windows) rather than all at once. */
bool engine_uses_queue(const json_t *config);

/*
 * Pauses (PAUSE) or resumes the rollout of the SCHEDULED or IN_PROGRESS
 * job JOB_ID for the principal BY: a paused job releases nothing from its
 * rollout queue, and things it reaches meanwhile wait in that queue;
 * executions already released go on (retries included). A resume arms a
 * tick at NOW. 1 done (*CHANGED false when it already was so), 0 no such
 * job, -1 with ERR (InvalidRequestException for a job in another status).
 */
int engine_job_pause(struct store_tx *tx, const char *job_id, bool pause,
    const char *by, int64_t now, bool *changed, struct err *err);

/* --- the rollout, as a pure function (rollout.c) ---------------------- */

/* What a job's next rollout tick depends on. */
struct engine_rollout {
	const json_t *config;	/* borrowed: the job's configuration */
	int64_t waiting;	/* things in the rollout queue */
	int64_t sent;		/* things notified so far */
	int64_t succeeded;	/* numberOfSucceededThings */
	double rate;		/* current exponential rate, 0: base */
	int64_t mark;		/* count at the last rate increase */
};

/* What one tick does. */
struct engine_tick {
	int64_t release;	/* things to notify now */
	int64_t rate;		/* the per-minute limit used, -1: none */
	int64_t next;		/* the following tick, 0: none */
	bool window_closed;	/* outside every maintenance window: release
				 * is 0, next the next window's start (0:
				 * none within five years) */
};

/*
 * One rollout tick at NOW, without the store: how many waiting things to
 * notify and when the next tick is. R's rate and mark move as an
 * exponential rate steps up; the caller moves waiting and sent. The
 * scheduler's tick, the plan, explain and the rollout view all call this,
 * so what they predict is what the scheduler will do.
 */
void engine_rollout_step(struct engine_rollout *r, int64_t now,
    struct engine_tick *t);

/* A batch of a simulated rollout: N things at AT, limit RATE. */
typedef void engine_batch_fn(void *arg, int64_t at, int64_t n,
    int64_t rate);

/*
 * Runs the rollout R forward from a first tick at FIRST with
 * engine_rollout_step, calling FN for each batch, until nothing waits,
 * no tick is left, UNTIL (0: none) is reached, or MAX batches were
 * released. Returns the number of things released. R is not changed.
 */
int64_t engine_rollout_simulate(const struct engine_rollout *r,
    int64_t first, int64_t until, size_t max, engine_batch_fn *fn,
    void *arg);

/* The rollout state of the engine view J into R (J must outlive R). */
struct store_job_engine;
void engine_rollout_of(const struct store_job_engine *j,
    struct engine_rollout *r);

/* Whether the job is still rolling out (isConcurrent). */
bool engine_is_rolling_out(struct store_tx *tx, const char *job_id);

#endif
