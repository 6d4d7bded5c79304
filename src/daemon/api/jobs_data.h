/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Job executions in the api layer: the rules both planes share (the
 * data-plane operations are jobs_data.c's, api_jobs_data_ops):
 * statusDetails limits, timers, not-found messages.
 */
#ifndef IOTJOBS_API_JOBS_DATA_H
#define IOTJOBS_API_JOBS_DATA_H

#include <jansson.h>
#include <stdint.h>

#include "api/api.h"
#include "err.h"
#include "store/store_exec.h"

#define EXEC_DETAILS_MAX_PAIRS	10	/* WIRE.md 12 */
#define EXEC_DETAILS_VALUE_MAX	1024	/* model prose; WIRE.md 13 item 8 */
#define EXEC_TIMEOUT_MIN_MAX	10080	/* stepTimeoutInMinutes, WIRE.md 12 */

/*
 * The executionState (status, statusDetails, versionNumber) of the
 * execution IN names (thingName, jobId, executionNumber), as a refused
 * request over MQTT reports it (WIRE.md 10.3), or NULL when there is none.
 * Seen from a write transaction, rolled back: the state a refused request
 * met may be that of another request whose COMMIT is on its way. Returns
 * a new object; caller frees.
 */
json_t *jobs_data_state(struct store *st, const json_t *in);

/*
 * Checks the statusDetails member of IN (absent is fine) against what the
 * model leaves to prose: at most 10 pairs, values of at most 1024
 * characters. InvalidRequestException naming the member otherwise.
 */
int exec_details_check(json_t *in, struct err *err);

/* Replaces E's details with DETAILS (borrowed; an empty map means none). */
void exec_details_set(struct store_exec *e, json_t *details);

/*
 * Asks the state machine whether WHO may move E to TO and applies the step
 * to E in memory: status, effects (startedAt and the in-progress timer,
 * stopped timers, forceCanceled), versionNumber + 1, lastUpdatedAt NOW.
 * Returns the EXEC_FX_* effects, or -1 with ERR set (E unchanged).
 */
int exec_step(struct store_exec *e, enum exec_status to, enum exec_actor who,
    bool force, int64_t now, struct err *err);

/*
 * Writes E back and, when its status differs from FROM, moves the job's
 * counters in the same transaction (store_job_count_move).
 */
int exec_save(struct store_tx *tx, const struct store_exec *e,
    enum exec_status from, int64_t now, struct err *err);

/* Stops E's timers (the step into a terminal status). */
void exec_timers_stop(struct store_exec *e);

/*
 * approximateSecondsBeforeTimedOut of E at NOW, or -1 when no timer runs
 * (not pending, or no deadline).
 */
int64_t exec_seconds_left(const struct store_exec *e, int64_t now);

/* ResourceNotFoundException for the execution of JOB_ID on THING. */
int exec_not_found(const char *thing, const char *job_id, int64_t number,
    struct err *err);

/* ResourceNotFoundException for thing THING. */
int exec_thing_not_found(const char *thing, struct err *err);


/* Member NAME of IN as an integer, DEF when absent. */
int64_t exec_in_int(json_t *in, const char *name, int64_t def);

/* Member NAME of IN as a boolean, DEF when absent. */
bool exec_in_bool(json_t *in, const char *name, bool def);

#endif
