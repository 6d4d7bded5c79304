/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of job executions (WIRE.md 7, 8, 11.3): point lookups by
 * (thing, job, executionNumber), the pending list of a thing through the
 * index executions_pending, the list pages of the control plane,
 * and the write-back of one changed execution. Lookups return 1 (found),
 * 0 (missing) or -1 (ERR set). Implemented by sqlite_exec.c.
 */
#ifndef IOTJOBS_STORE_EXEC_H
#define IOTJOBS_STORE_EXEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/exec_fsm.h"
#include "err.h"
#include "store.h"

#define STORE_EXEC_JOB_ID_MAX	64	/* JobId (model) */
#define STORE_EXEC_THING_MAX	128	/* ThingName (model) */
#define STORE_EXEC_PENDING_MAX	10	/* WIRE.md 7.2, 12 */

/* One execution row, with what the handlers need of its job. */
struct store_exec {
	int64_t id;		/* queue order */
	char job_id[STORE_EXEC_JOB_ID_MAX + 1];
	char thing_name[STORE_EXEC_THING_MAX + 1];
	int64_t execution_number;
	enum exec_status status;
	json_t *status_details;	/* object, or NULL when none; owned */
	int64_t queued_at;
	int64_t started_at;	/* 0: not started */
	int64_t last_updated_at;
	int64_t version;
	bool force_canceled;
	int64_t retry_attempt;
	int64_t retries_failed;		/* retries of the chain, per type */
	int64_t retries_timed_out;
	int64_t step_timeout_minutes;	/* 0: no step timer */
	int64_t timeout_at;	/* deadline of the running timer, 0: none */
	int64_t progress_timeout_at;	/* in-progress deadline, 0: none */
	/* Of the job (read only): */
	int64_t job_progress_timeout_minutes;	/* timeoutConfig, 0: none */
	char *document;		/* the job document, NULL when not asked for
				 * or the job has none; owned */
};

/* Frees what E owns; safe on a zeroed struct. */
void store_exec_release(struct store_exec *e);

/* Visits one row of a list; returning -1 (ERR set) stops the walk. */
typedef int store_exec_row_fn(const struct store_exec *e, void *arg,
    struct err *err);

/* Whether thing NAME exists: 1, 0, or -1. */
int store_exec_thing_exists(struct store_tx *tx, const char *name,
    struct err *err);

/* Whether job JOB_ID exists: 1, 0, or -1. */
int store_exec_job_exists(struct store_tx *tx, const char *job_id,
    struct err *err);

/*
 * The execution of JOB_ID on THING numbered NUMBER, or the latest one when
 * NUMBER < 0, into *OUT (released by the caller when 1 is returned). With
 * WITH_DOC, OUT->document holds the job document.
 */
int store_exec_get(struct store_tx *tx, const char *thing,
    const char *job_id, int64_t number, bool with_doc,
    struct store_exec *out, struct err *err);

/*
 * The first execution of THING's pending list (IN_PROGRESS before QUEUED,
 * each in queue order), as store_exec_get.
 */
int store_exec_next_pending(struct store_tx *tx, const char *thing,
    bool with_doc, struct store_exec *out, struct err *err);

/*
 * Visits THING's pending executions in pending-list order, at most LIMIT,
 * with the members of a JobExecutionSummary only (no document, no status
 * details, no timers).
 */
int store_exec_pending(struct store_tx *tx, const char *thing, int limit,
    store_exec_row_fn *fn, void *arg, struct err *err);

/*
 * Writes back the mutable fields of E (status, statusDetails, startedAt,
 * lastUpdatedAt, versionNumber, forceCanceled, step timeout, deadlines),
 * found by E->id.
 */
int store_exec_put(struct store_tx *tx, const struct store_exec *e,
    struct err *err);

/* Deletes the execution with row id ID. */
int store_exec_delete(struct store_tx *tx, int64_t id, struct err *err);

/*
 * A list page in queue order: rows with id > AFTER, STATUS filter (NULL:
 * any), at most LIMIT. *MORE tells whether another matching row follows
 * the last one visited.
 */
struct store_exec_page {
	int64_t after;
	int limit;
	const enum exec_status *status;
	const char *namespace_id;	/* thing lists only; NULL: any job */
	bool more;		/* out */
};

/* The executions of job JOB_ID (ListJobExecutionsForJob). */
int store_exec_list_job(struct store_tx *tx, const char *job_id,
    struct store_exec_page *pg, store_exec_row_fn *fn, void *arg,
    struct err *err);

/*
 * The executions of THING (ListJobExecutionsForThing), of job JOB_ID only
 * when it is not NULL.
 */
int store_exec_list_thing(struct store_tx *tx, const char *thing,
    const char *job_id, struct store_exec_page *pg, store_exec_row_fn *fn,
    void *arg, struct err *err);

/* --- the job engine (engine/) ----------------------------------------- */

/*
 * Visits the executions in status TIMED (the one the engine runs timers
 * in) whose timer ran out (timeout_at <= NOW), earliest deadline first, at
 * most LIMIT (no documents). Index: executions_timeout.
 */
int store_exec_due(struct store_tx *tx, enum exec_status timed, int64_t now,
    int limit, store_exec_row_fn *fn, void *arg, struct err *err);

/* The earliest deadline of a timer in status TIMED into *AT (0: none). */
int store_exec_next_deadline(struct store_tx *tx, enum exec_status timed,
    int64_t *at, struct err *err);

/*
 * Queues the retry of E (FAILED or TIMED_OUT): a new QUEUED execution of
 * the same job and thing, executionNumber one more than the highest,
 * versionNumber 1, retryAttempt E's + 1, the per-type counts of E plus
 * the one FAILED_TYPE (E's status) uses.
 */
int store_exec_retry(struct store_tx *tx, const struct store_exec *e,
    int64_t now, struct err *err);

/*
 * A set-based step decided by the engine: every execution of JOB_ID in
 * status FROM becomes TO, version + 1, lastUpdatedAt NOW, forceCanceled
 * FORCED, and without timers when STOP. *N: how many.
 */
int store_exec_move_job(struct store_tx *tx, const char *job_id,
    enum exec_status from, enum exec_status to, bool forced, bool stop,
    int64_t now, int64_t *n, struct err *err);

/* The highest execution id so far into *ID (0: none). */
int store_exec_last_id(struct store_tx *tx, int64_t *id, struct err *err);

/*
 * Visits every pending execution of THING (all jobs; JOB_ID only when not
 * NULL), at most LIMIT.
 */
int store_exec_pending_of(struct store_tx *tx, const char *thing,
    const char *job_id, int limit, store_exec_row_fn *fn, void *arg,
    struct err *err);

#endif
