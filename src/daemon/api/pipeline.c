/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operation pipeline (see pipeline.h): row, validation, admission,
 * handler, deferred acknowledgement, success status.
 */
#include "api/pipeline.h"

#include <string.h>

#include "api/validate.h"
#include "app.h"
#include "engine/sched.h"
#include "store/store.h"

void
api_ctx_init(struct api_ctx *ctx, struct app *app,
    const struct principal *who, enum plane plane, int64_t now,
    const char *rid)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->st = app->st;
	ctx->ca = app->ca;
	ctx->conf = app->conf;
	ctx->app = app;
	ctx->who = who;
	ctx->plane = plane;
	ctx->now = now;
	ctx->request_id = rid;
}

/*
 * Opens the transaction ROW runs in, if it declares one: ctx->tx. -1 with
 * ERR when the store refuses it.
 */
static int
tx_begin(struct api_ctx *ctx, const struct api_op *row, struct err *err)
{
	ctx->tx = NULL;
	ctx->keep = false;
	ctx->poke = false;
	if ((row->needs & (API_READ | API_WRITE)) == 0)
		return 0;
	return store_begin(ctx->st, (row->needs & API_WRITE) != 0, &ctx->tx,
	    err);
}

/*
 * Ends ctx->tx after the handler gave RC: commits when RC is 0 or the
 * handler kept its writes, else rolls back. A failed COMMIT turns the
 * answer into its error (*OUT dropped): acknowledged means on disk.
 * Returns the outcome.
 */
static int
tx_end(struct api_ctx *ctx, int rc, json_t **out, struct err *err)
{
	struct store_tx *tx = ctx->tx;

	ctx->tx = NULL;
	if (tx == NULL)
		return rc;
	if (rc != 0 && !ctx->keep) {
		store_end(tx, false, NULL);
		return rc;
	}
	if (store_end(tx, true, err) == -1) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return rc;
}

/*
 * The row's part of a run: its transaction, the handler, the end of the
 * transaction, the scheduler woken after a commit that moved timers.
 */
static int
row_run(struct api_ctx *ctx, const struct api_op *row, json_t *in,
    json_t **out, struct err *err)
{
	int rc;

	rc = tx_begin(ctx, row, err);
	if (rc == 0)
		rc = tx_end(ctx, row->fn(ctx, in, out, err), out, err);
	if (rc == 0 && ((row->needs & API_SCHED) != 0 || ctx->poke))
		sched_poke();
	return rc;
}

int
api_pipeline_run_row(struct api_ctx *ctx, const struct api_op *row,
    json_t *in, json_t **out, struct err *err)
{
	int rc;

	*out = NULL;
	ctx->status = 0;
	rc = row_run(ctx, row, in, out, err);
	if (rc == -1) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int
api_pipeline_run(struct api_ctx *ctx, const struct model_op *op,
    json_t *in, unsigned flags, const struct api_front *front,
    struct api_result *res, struct err *err)
{
	const struct api_op *row = api_op_find(op->plane, op->name);
	bool defer;
	int rc;

	res->out = NULL;
	res->status = 0;
	res->batch = 0;
	if (row == NULL)
		return err_set_status(err, 501, ERR_NOT_IMPLEMENTED,
		    "%s is not implemented by iotjobs yet", op->name);
	if (op->input >= 0 && validate_input(op->input, in,
	    validate_errtype(op), err) == -1)
		return -1;
	if (front != NULL && front->admit != NULL &&
	    front->admit(front->arg, in, err) == -1)
		return -1;
	defer = (row->needs & API_DEFER) != 0 && (flags & API_RUN_HOLD) != 0;
	ctx->status = 0;
	if (defer)
		store_defer_begin();
	rc = row_run(ctx, row, in, &res->out, err);
	if (front != NULL && front->done != NULL)
		front->done(front->arg, rc, err);
	if (defer)
		res->batch = store_defer_end();
	if (rc == -1) {
		json_decref(res->out);
		res->out = NULL;
		return -1;
	}
	res->status = ctx->status != 0 ? ctx->status : op->http_status;
	return 0;
}
