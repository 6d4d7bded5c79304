/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Answers held until the store batch they acknowledge has an outcome, one
 * list for both front ends (api/pipeline.h: a row with API_DEFER run with
 * API_RUN_HOLD leaves RES->batch nonzero). The front end embeds a struct
 * api_held in the answer it keeps and lists it; the store's commit hook
 * calls the front end's function once the batch is durable (it sends the
 * answer) or failed (it sends an error instead: the writes are lost).
 */
#ifndef IOTJOBS_API_HELD_H
#define IOTJOBS_API_HELD_H

#include <stdint.h>

struct store;

/*
 * The outcome of a held answer's batch: 1 durable, -1 failed, 0 dropped
 * by api_held_cancel() (release it without answering). ARG is the
 * entry's.
 */
typedef void api_held_fn(void *arg, int outcome);

struct api_held {
	uint64_t batch;		/* nonzero, from struct api_result */
	api_held_fn *fn;
	void *arg;		/* the front end's answer */
	const void *front;	/* who listed it, for api_held_cancel() */
	struct api_held *next;	/* the list's */
};

/*
 * Registers the list on ST's commit hook; later calls with the same ST do
 * nothing, so that every front end may call it when it starts. Once per
 * store: the hook cannot be taken back and outlives the front ends.
 */
void api_held_start(struct store *st);

/*
 * Lists H (filled, borrowed until H->fn runs). When H->batch already has
 * an outcome, H->fn runs now on the caller's thread; otherwise it runs on
 * the store's committer thread, with the list's lock held, so that
 * api_held_cancel() waits for a running call.
 */
void api_held_add(struct api_held *h);

/*
 * Drops every entry FRONT listed whose batch has no outcome yet, calling
 * its fn with outcome 0: for a front end that stops (an answer still held
 * is lost, as an unanswered request is). Once it returns no fn of FRONT
 * runs again, unless FRONT lists more.
 */
void api_held_cancel(const void *front);

#endif
