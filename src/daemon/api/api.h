/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operation table. Every AWS operation iotjobs implements is one
 * api_handler_fn, listed by name in a table of its resource file (thing.c,
 * job.c, ...); the front ends find it through api_op_find(). A handler gets
 * its input already checked against the model (types, required members,
 * lengths, ranges, patterns, enums) as a JSON object keyed by member name,
 * path labels and query parameters included, converted to their model types.
 */
#ifndef IOTJOBS_API_H
#define IOTJOBS_API_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "conf.h"
#include "err.h"
#include "gen/model.h"

struct app;
struct ca;
struct store;
struct store_tx;

struct api_ctx {
	struct store *st;
	struct ca *ca;			/* signs device certificates */
	const struct conf *conf;	/* region, account id */
	struct app *app;		/* the daemon (status, metrics) */
	const struct principal *who;	/* who signed the request */
	enum plane plane;
	int64_t now;			/* epoch seconds on the jobs' clock */
	const char *request_id;
	const char *peer;		/* the client's address, or NULL */
	int status;	/* success status to send; 0: the model's (200) */
	/*
	 * The transaction the pipeline opened for a row with API_READ or
	 * API_WRITE (NULL otherwise): the handler works in it and never
	 * ends it. KEEP: commit it although the handler fails (writes
	 * that stand whatever the answer, e.g. a timeout it found).
	 * POKE: this call's writes moved timers (API_SCHED for one call
	 * rather than the row): the scheduler is woken after the commit.
	 */
	struct store_tx *tx;
	bool keep;
	bool poke;
};

/*
 * Runs one operation. IN is borrowed. On success returns 0 and sets *OUT to
 * a new JSON object (the response body, keyed by wire names; NULL means {}).
 * On failure returns -1 with ERR set.
 */
typedef int api_handler_fn(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

/* What an operation needs of the pipeline (api/pipeline.h). */
#define API_DEFER	0x1	/* its answer may wait for the COMMIT: one
				   write transaction, nothing read back after */
#define API_READ	0x2	/* runs in a read transaction, ctx->tx */
#define API_WRITE	0x4	/* runs in a write transaction, ctx->tx,
				   committed when it succeeds */
#define API_SCHED	0x8	/* its writes move timers: the scheduler is
				   woken once they are committed */

struct api_op {
	const char *name;	/* the model's operation name */
	enum plane plane;
	api_handler_fn *fn;
	unsigned needs;		/* API_* flags */
};

/* Each resource file exports its table, ended by a { NULL } row. */
extern const struct api_op api_thing_ops[];
extern const struct api_op api_group_ops[];
extern const struct api_op api_group_member_ops[];
extern const struct api_op api_job_ops[];
extern const struct api_op api_exec_ops[];
extern const struct api_op api_jobs_data_ops[];
extern const struct api_op api_template_ops[];
extern const struct api_op api_command_ops[];
extern const struct api_op api_endpoint_ops[];
extern const struct api_op api_policy_ops[];
extern const struct api_op api_policy_attach_ops[];
extern const struct api_op api_principal_ops[];
extern const struct api_op api_cert_ops[];
extern const struct api_op api_ca_ops[];
extern const struct api_op api_dyngroup_ops[];
extern const struct api_op api_thing_type_ops[];
extern const struct api_op api_tag_ops[];

/* The implementation of operation NAME of PLANE, or NULL. */
const struct api_op *api_op_find(enum plane plane, const char *name);

/* The string member MEMBER of the input IN, or NULL (absent or not text). */
const char *api_in_str(const json_t *in, const char *member);

/* ARNs of this deployment (region and account from ctx->conf). */
void api_arn(const struct api_ctx *ctx, const char *type, const char *name,
    char *buf, size_t size);

#endif
