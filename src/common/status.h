/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The statuses of jobs, job executions and command executions, as the
 * models name them (WIRE.md 8). One header owned by neither the store nor
 * the engine: the engine decides which status follows which, the store
 * keeps them, both speak these enums. Each enum is in its model's order.
 */
#ifndef IOTJOBS_STATUS_H
#define IOTJOBS_STATUS_H

#include <stdbool.h>

/* JobExecutionStatus of both models. */
enum exec_status {
	EXEC_QUEUED,
	EXEC_IN_PROGRESS,
	EXEC_SUCCEEDED,
	EXEC_FAILED,
	EXEC_TIMED_OUT,
	EXEC_REJECTED,
	EXEC_REMOVED,
	EXEC_CANCELED,
	EXEC_STATUS_COUNT
};

/* JobStatus of the iot model. */
enum job_status {
	JOB_IN_PROGRESS,
	JOB_CANCELED,
	JOB_COMPLETED,
	JOB_DELETION_IN_PROGRESS,
	JOB_SCHEDULED,
	JOB_STATUS_COUNT
};

/* CommandExecutionStatus of the iot model. */
enum cmd_status {
	CMD_CREATED,
	CMD_IN_PROGRESS,
	CMD_SUCCEEDED,
	CMD_FAILED,
	CMD_REJECTED,
	CMD_TIMED_OUT,
	CMD_STATUS_COUNT
};

/* The wire name of S ("IN_PROGRESS"); "?" when out of range. */
const char *exec_status_name(enum exec_status s);
const char *job_status_name(enum job_status s);
const char *cmd_status_name(enum cmd_status s);

/* Parses a wire name; -1 when NAME is none of the enum's values. */
int exec_status_parse(const char *name, enum exec_status *out);
int job_status_parse(const char *name, enum job_status *out);
int cmd_status_parse(const char *name, enum cmd_status *out);

/* SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED, CANCELED. */
bool exec_is_terminal(enum exec_status s);

/* QUEUED or IN_PROGRESS ("pending" in the device API). */
bool exec_is_pending(enum exec_status s);

/*
 * The pending statuses in pending-list order: IN_PROGRESS before QUEUED
 * (StartNextPendingJobExecution resumes a started execution first), each
 * in queue order. Their names sort in this order too, so a store walks an
 * index on (thing, status, id) in list order without sorting; the unit
 * tests hold the two orders equal.
 */
#define EXEC_PENDING_COUNT	2
extern const enum exec_status exec_pending[EXEC_PENDING_COUNT];

/* SUCCEEDED, FAILED, REJECTED, TIMED_OUT. */
bool cmd_is_terminal(enum cmd_status s);

/* The command execution statuses a timeout applies to (not terminal). */
#define CMD_OPEN_COUNT	2
extern const enum cmd_status cmd_open[CMD_OPEN_COUNT];

#endif
