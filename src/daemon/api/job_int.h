/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the jobs control plane (job.c, job_create.c, job_config.c): the
 * checks the model leaves to prose (WIRE.md 11.3, 12) shared by CreateJob,
 * UpdateJob and AssociateTargetsWithJob, and the target ARN parser.
 */
#ifndef IOTJOBS_API_JOB_INT_H
#define IOTJOBS_API_JOB_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "err.h"
#include "store/store.h"

#define JOB_TARGETS_MAX		100	/* targets per job [D-limits-2019] */
#define JOB_DOCUMENT_MAX	32768	/* bytes, model JobDocument */
#define JOB_PACKAGES_MAX	25	/* destinationPackageVersions (model) */
#define JOB_ROLLOUT_MAX		1000	/* maximumPerMinute [D-limits-2019] */
#define JOB_TIMEOUT_MIN_MAX	10080	/* inProgressTimeoutInMinutes */
#define JOB_RETRIES_MAX		10	/* numberOfRetries, combined */
#define JOB_ARN_PREFIX_MAX	128
#define JOB_ARN_MAX		(JOB_ARN_PREFIX_MAX + 16 + 128)

/* The configuration members UpdateJob may change (CreateJob takes more). */
extern const char *const job_update_members[];

/* CreateJob (job_create.c). */
int job_create(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);

struct store_job;

/*
 * CreateJob's checks of the validated input IN (a job template applied,
 * read in TX; the document, the configuration, the targets) and the job
 * row they make, into *JOB (released by the caller on success).
 */
int job_create_prepare(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct store_job *job, struct err *err);

/*
 * CreateJob's insert in TX: ResourceAlreadyExistsException when the job
 * exists, ResourceNotFoundException for a target that does not; then the
 * row and its targets (no execution yet: the engine's to do).
 */
int job_create_insert(struct api_ctx *ctx, struct store_tx *tx,
    const struct store_job *job, struct err *err);

/* "arn:aws:iot:REGION:ACCOUNT:" of this deployment into BUF. */
void job_arn_prefix(const struct api_ctx *ctx, char *buf, size_t size);

/*
 * Checks the configuration members of IN that the model only describes in
 * prose (rollout, abort, timeout, retry, scheduling, package versions).
 * Returns 0, or -1 with an InvalidRequestException naming the member.
 */
int job_config_check(const struct api_ctx *ctx, json_t *in,
    struct err *err);

/*
 * A schedulingConfig time TEXT ("YYYY-MM-DDTHH:MM", UTC) into *OUT, epoch
 * seconds; -1 when TEXT is not one.
 */
int job_sched_time_parse(const char *text, int64_t *out);

/*
 * The target ARN TEXT of this deployment: 0 with *GROUP (thing group or
 * thing) and *NAME (points into TEXT), or -1 with an
 * InvalidRequestException naming the target.
 */
int job_target_parse(const struct api_ctx *ctx, const char *text,
    bool *group, const char **name, struct err *err);

/*
 * Checks every ARN of the array TARGETS and returns in *OUT a new array of
 * them without repeats (first occurrence kept, and none of the array
 * EXISTING, which may be NULL). -1 with ERR set.
 */
int job_targets_check(const struct api_ctx *ctx, json_t *targets,
    json_t *existing, json_t **out, struct err *err);

/*
 * Every target of the array TARGETS exists in the registry; else -1 with
 * a ResourceNotFoundException naming it.
 */
int job_targets_exist(const struct api_ctx *ctx, struct store_tx *tx,
    json_t *targets, struct err *err);

#endif
