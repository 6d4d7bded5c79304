/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of commands and command executions (WIRE.md 9, schema
 * 0009), and the command outbox the MQTT front end drains: the payloads
 * to deliver and the command execution events. sqlite_command.c.
 */
#ifndef IOTJOBS_STORE_COMMAND_H
#define IOTJOBS_STORE_COMMAND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "status.h"
#include "store.h"

#define STORE_COMMAND_ID_MAX	64	/* CommandId (model) */
#define STORE_CMD_EXEC_ID_MAX	64	/* CommandExecutionId (model) */
#define STORE_CMD_TARGET_MAX	2048	/* TargetArn (model) */

/* One command. Strings and JSON are owned (store_command_release). */
struct store_command {
	char command_id[STORE_COMMAND_ID_MAX + 1];
	char *namespace;
	char *display_name;	/* NULL: none */
	char *description;	/* NULL: none */
	json_t *def;		/* payload, payloadTemplate, ... */
	bool deprecated;
	int64_t deprecated_at;	/* 0 when not deprecated */
	int64_t delete_at;	/* 0 unless a deletion is pending */
	int64_t created_at;
	int64_t last_updated_at;
};

void store_command_release(struct store_command *c);

/* Command ID into *OUT (may be NULL): 1 found, 0 missing, -1 with ERR. */
int store_command_get(struct store_tx *tx, const char *id,
    struct store_command *out, struct err *err);

/* Inserts C (its id must be free). */
int store_command_insert(struct store_tx *tx, const struct store_command *c,
    struct err *err);

/* Writes the mutable members of C (names, deprecation, deletion). */
int store_command_update(struct store_tx *tx, const struct store_command *c,
    struct err *err);

/* Deletes command ID: 1 deleted, 0 missing, -1 with ERR. */
int store_command_delete(struct store_tx *tx, const char *id,
    struct err *err);

/* ListCommands filters and page position. */
struct store_command_query {
	const char *namespace;		/* NULL: both */
	const char *parameter;		/* NULL: any */
	bool ascending;
	int64_t after;		/* position from a token; 0: start */
	int limit;
};

/*
 * One page of ListCommands into OUT (LIMIT rows, released by the caller),
 * *N written, *NEXT the position to resume from (0: the last page).
 */
int store_command_list(struct store_tx *tx,
    const struct store_command_query *q, struct store_command *out, int *n,
    int64_t *next, struct err *err);

/* One command execution. JSON members are owned (NULL: absent). */
struct store_cmd_exec {
	char execution_id[STORE_CMD_EXEC_ID_MAX + 1];
	char command_id[STORE_COMMAND_ID_MAX + 1];
	char namespace[32];
	char target_arn[STORE_CMD_TARGET_MAX + 1];
	enum cmd_status status;
	json_t *status_reason;
	json_t *result;
	json_t *parameters;
	int64_t timeout_sec;
	char *client_token;	/* NULL: none */
	char *request;		/* canonical request text */
	int64_t created_at, last_updated_at, started_at, completed_at;
	int64_t timeout_at;
};

void store_cmd_exec_release(struct store_cmd_exec *e);

/* Execution ID into *OUT (may be NULL): 1 found, 0 missing, -1 with ERR. */
int store_cmd_exec_get(struct store_tx *tx, const char *id,
    struct store_cmd_exec *out, struct err *err);

/* The execution started with clientToken TOKEN, as store_cmd_exec_get. */
int store_cmd_exec_by_token(struct store_tx *tx, const char *token,
    struct store_cmd_exec *out, struct err *err);

int store_cmd_exec_insert(struct store_tx *tx, const struct store_cmd_exec *e,
    struct err *err);

/* Writes status, reason, result and the times of E. */
int store_cmd_exec_update(struct store_tx *tx, const struct store_cmd_exec *e,
    struct err *err);

/* Deletes execution ID: 1 deleted, 0 missing, -1 with ERR. */
int store_cmd_exec_delete(struct store_tx *tx, const char *id,
    struct err *err);

/* ListCommandExecutions filters and page position. */
struct store_cmd_exec_query {
	const char *namespace, *target_arn, *command_id;
	const enum cmd_status *status;		/* NULL: any */
	/* Time filters on started_at or completed_at (0: open end). */
	bool on_completed;
	int64_t from, to;
	bool ascending;
	int64_t after;
	int limit;
};

int store_cmd_exec_list(struct store_tx *tx,
    const struct store_cmd_exec_query *q, struct store_cmd_exec *out,
    int *n, int64_t *next, struct err *err);

/*
 * Deadlines: the earliest timeout of an execution not yet terminal or
 * pending command deletion (*AT 0 when none).
 */
int store_command_next_deadline(struct store_tx *tx, int64_t *at,
    struct err *err);

/* Up to LIMIT executions not terminal whose timeout_at <= NOW. */
int store_cmd_exec_due(struct store_tx *tx, int64_t now, int limit,
    struct store_cmd_exec *out, int *n, struct err *err);

/* Deletes the commands whose pending deletion is due at NOW; *N deleted. */
int store_command_delete_due(struct store_tx *tx, int64_t now, int *n,
    struct err *err);

/* --- outbox ----------------------------------------------------------- */

struct store_cmd_msg {
	int64_t id;
	const char *kind;	/* "request" or "event" */
	const char *topic;
	const void *payload;
	size_t len;
	const char *content_type;	/* NULL: none */
	int64_t expire_at;		/* 0: never */
};

int store_cmd_outbox_add(struct store_tx *tx, const struct store_cmd_msg *m,
    struct err *err);

/* Visits the oldest LIMIT rows in order; -1 from FN stops the walk. */
typedef int store_cmd_msg_fn(const struct store_cmd_msg *m, void *arg,
    struct err *err);
int store_cmd_outbox_walk(struct store_tx *tx, int limit,
    store_cmd_msg_fn *fn, void *arg, struct err *err);

/* Deletes the rows with id <= LAST. */
int store_cmd_outbox_done(struct store_tx *tx, int64_t last,
    struct err *err);

#endif
