/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operation pipeline, one for both front ends (HTTP: http/dispatch.c,
 * MQTT: mqtt/bridge.c). A front end turns its request into the model's
 * operation and an input object, calls api_pipeline_run(), and turns the
 * result into its answer. The pipeline finds the operation's row
 * (api_op_find), checks the input against the model, lets the front end
 * admit the request (authorization), opens the transaction the row
 * declares (API_READ, API_WRITE: ctx->tx), runs the handler, ends the
 * transaction, and tells the success status and the store batch the
 * answer must wait for.
 *
 * Durability: a write is acknowledged only after the pipeline's
 * store_end() committed it (handlers never end ctx->tx themselves). For
 * a row with API_DEFER, when the front end can hold its answer without
 * holding a thread (API_RUN_HOLD), store_end() returns once the writes
 * are in the open batch and the result's batch is nonzero: the front end
 * sends the answer when store_batch_status() says 1 (durable), an error
 * when it says -1. Otherwise the COMMIT has waited and the batch is 0.
 * Nothing here allocates.
 */
#ifndef IOTJOBS_API_PIPELINE_H
#define IOTJOBS_API_PIPELINE_H

#include <stdint.h>

#include "api/api.h"

/* api_pipeline_run() flags. */
#define API_RUN_HOLD	0x1	/* the front end can hold a deferred answer */

struct api_front {
	/*
	 * Called with the validated input before the handler; -1 with ERR
	 * refuses the request (authorization). NULL: admitted.
	 */
	int (*admit)(void *arg, const json_t *in, struct err *err);
	/* Called after the handler with its outcome (audit). May be NULL. */
	void (*done)(void *arg, int rc, const struct err *err);
	void *arg;
};

struct api_result {
	json_t *out;		/* the handler's answer, NULL meaning {} */
	int status;		/* success status: the row's, else the model's */
	uint64_t batch;		/* nonzero: hold the answer for this batch */
};

/*
 * Fills CTX for a request of PLANE by WHO (borrowed, as RID is) at NOW on
 * the daemon APP: its store, CA and configuration; no peer, status 0.
 */
void api_ctx_init(struct api_ctx *ctx, struct app *app,
    const struct principal *who, enum plane plane, int64_t now,
    const char *rid);

/*
 * Runs ROW, which is not an operation of the models (iotjobs' own routes,
 * http/admin.c), with input IN (borrowed, checked by the caller) in CTX:
 * the transaction ROW declares, the handler, the commit (waited for: no
 * API_DEFER here), the scheduler's wake-up. 0 with *OUT (the caller's,
 * NULL meaning {}), or -1 with ERR: the handler's error or the store's.
 */
int api_pipeline_run_row(struct api_ctx *ctx, const struct api_op *row,
    json_t *in, json_t **out, struct err *err);

/*
 * Runs operation OP of the model with input IN (borrowed) in CTX (its
 * plane, principal, clock, ...). 0 with RES filled (RES->out is the
 * caller's), or -1 with ERR: NotImplementedException (501) when no row
 * implements OP, the validation error of the model, the refusal of
 * FRONT->admit, the handler's error, or the store's when its transaction
 * could not begin or commit. RES->batch is set on both: a handler that
 * failed but kept its writes (ctx->keep) left them in it.
 */
int api_pipeline_run(struct api_ctx *ctx, const struct model_op *op,
    json_t *in, unsigned flags, const struct api_front *front,
    struct api_result *res, struct err *err);

#endif
