/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command deadlines (command_timeout.h): executions that timed out and
 * pending command deletions, in batches of one write transaction each.
 * The status change goes through command_exec_save, so its event is
 * recorded with it.
 */
#include "engine/command_timeout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/command.h"
#include "engine/cmd_fsm.h"
#include "store/store_command.h"
#include "xmalloc.h"

#define TIMEOUT_BATCH	64

int
command_timeout_next(struct store *st, int64_t *at, struct err *err)
{
	struct store_tx *tx;
	int rc;

	*at = 0;
	if (store_begin(st, false, &tx, err) == -1)
		return -1;
	rc = store_command_next_deadline(tx, at, err);
	store_end(tx, false, NULL);
	return rc;
}

static int
run_in_tx(struct store_tx *tx, const char *arn_prefix, int64_t now,
    int *done, struct err *err)
{
	struct store_cmd_exec *rows;
	int n, i, deleted, rc;

	rows = xcalloc(TIMEOUT_BATCH, sizeof(*rows));
	rc = store_cmd_exec_due(tx, now, TIMEOUT_BATCH, rows, &n, err);
	if (rc == -1) {
		free(rows);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct store_cmd_exec *e = &rows[i];

		enum cmd_refusal why;
		int fx;

		/* The store returns the due ones; cmd_fsm decides. */
		fx = cmd_fsm_step(e->status, CMD_TIMED_OUT, CMD_BY_SERVICE,
		    &why);
		if (rc == 0 && fx >= 0) {
			e->status = CMD_TIMED_OUT;
			json_decref(e->status_reason);
			e->status_reason = json_pack("{s:s}", "reasonCode",
			    COMMAND_REASON_TIMEOUT);
			e->last_updated_at = now;
			if (fx & CMD_FX_DONE)
				e->completed_at = now;
			rc = command_exec_save(tx, arn_prefix, e,
			    (fx & CMD_FX_EVENT) != 0, err);
		}
		store_cmd_exec_release(e);
	}
	free(rows);
	if (rc == -1)
		return -1;
	if (store_command_delete_due(tx, now, &deleted, err) == -1)
		return -1;
	*done = n + deleted;
	return 0;
}

int
command_timeout_run(struct store *st, const char *arn_prefix, int64_t now,
    int *done, struct err *err)
{
	struct store_tx *tx;
	int rc;

	*done = 0;
	if (store_begin(st, true, &tx, err) == -1)
		return -1;
	rc = run_in_tx(tx, arn_prefix, now, done, err);
	if (store_end(tx, rc == 0, err) == -1)
		rc = -1;
	if (rc == -1)
		*done = 0;
	return rc;
}
