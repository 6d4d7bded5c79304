/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MQTT outboxes as the engine writes them (store_outbox.h): in the
 * transaction of each change, the things whose pending list may have
 * changed (notify_outbox) and the job and execution events (event_outbox),
 * set-based where the change is set-based, and only while outbox_switch
 * says something drains them. The rules are at the top of outbox.c.
 */
#ifndef IOTJOBS_ENGINE_OUTBOX_H
#define IOTJOBS_ENGINE_OUTBOX_H

#include <stdint.h>

#include "err.h"
#include "status.h"
#include "store/store.h"
#include "store/store_exec.h"

/* E was written back with a new status, from FROM (after the write). */
int outbox_exec_changed(struct store_tx *tx, const struct store_exec *e,
    enum exec_status from, int64_t now, struct err *err);

/* A pending execution of THING was just inserted. */
int outbox_exec_created(struct store_tx *tx, const char *thing,
    struct err *err);

/* E is about to be deleted (DeleteJobExecution). */
int outbox_exec_deleting(struct store_tx *tx, const struct store_exec *e,
    int64_t now, struct err *err);

/* Every execution of JOB_ID in FROM is about to become TO. */
int outbox_execs_moving(struct store_tx *tx, const char *job_id,
    enum exec_status from, enum exec_status to, int64_t now,
    struct err *err);

/* QUEUED executions of JOB_ID with an id above AFTER were just inserted. */
int outbox_execs_created(struct store_tx *tx, const char *job_id,
    int64_t after, struct err *err);

/* Job JOB_ID, in STATUS, is about to be deleted with its executions. */
int outbox_job_deleting(struct store_tx *tx, const char *job_id,
    enum job_status status, int64_t now, struct err *err);

/* Job JOB_ID just entered TO (a step with JOB_FX_EVENT). */
int outbox_job_status(struct store_tx *tx, const char *job_id,
    enum job_status to, int64_t now, struct err *err);

#endif
