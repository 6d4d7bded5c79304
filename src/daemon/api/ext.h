/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs' extensions to the AWS operations, served under /_iotjobs/ by
 * http/admin.c: daemon status, a job's rollout view, pause and resume,
 * the dry-run plan of CreateJob, explain, and the audit log. Each is an
 * api_handler_fn; its input is one JSON object (admin.c says how it is
 * built). docs/operator.md documents every answer.
 */
#ifndef IOTJOBS_API_EXT_H
#define IOTJOBS_API_EXT_H

#include "api/api.h"

/* GET /_iotjobs/status: version, store, broker, leader, listeners. */
int ext_status(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

/* GET /_iotjobs/jobs/ID/rollout: counters, queue, rate, pause, ETA. */
int ext_rollout(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

/* POST /_iotjobs/jobs/ID/pause and /resume. */
int ext_pause(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);
int ext_resume(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

/* POST /_iotjobs/plan: CreateJob's input, nothing created. */
int ext_plan(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

/* GET /_iotjobs/explain?thingName=T&jobId=J. */
int ext_explain(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

/* POST /_iotjobs/things/import: a batch of things, one transaction. */
int ext_import(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

/* GET /_iotjobs/audit?since=&thingName=&jobId=&after=&limit=. */
int ext_audit(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

/* Who WHO is, for pausedBy and the audit log: a key id, cert/ID. */
void ext_principal_name(const struct principal *who, char *buf,
    size_t size);

/* ResourceNotFoundException for the job JOB_ID; returns -1. */
int ext_job_missing(const char *job_id, struct err *err);

/* jobExecutionsRolloutConfig of CONFIG as {"type": constant|exponential|
 * none, ...its numbers}: a new object. */
json_t *ext_rollout_config(const json_t *config);

#endif
