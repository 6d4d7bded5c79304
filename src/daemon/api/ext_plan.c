/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /_iotjobs/plan (`iotjobs job plan`): CreateJob as a dry run. The
 * input is CreateJob's, checked by the model and by CreateJob's own
 * checks (job_create_prepare); the job is then inserted and its targets
 * resolved into the rollout queue by CreateJob's own statements in a
 * write transaction that is rolled back, so the plan sees the things in
 * the order the engine will notify them; the release times come from
 * engine_rollout_simulate, the scheduler's own step. Nothing is kept.
 *
 * The answer: status (SCHEDULED or IN_PROGRESS), startAt, endAt, the
 * rollout rule, and batches [{at, count, ratePerMinute, things}]; things
 * that the plan sees no release for (an endTime first, no maintenance
 * window) are counted in notReleased with the reason.
 */
#include "api/ext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/job_int.h"
#include "api/validate.h"
#include "engine/cron.h"
#include "engine/engine.h"
#include "store/store_job.h"
#include "xmalloc.h"

#define PLAN_BATCHES_MAX	100000	/* batches simulated */
#define PLAN_BATCHES_SHOWN	10000	/* batches listed with their things */

struct plan_things {
	char **v;
	size_t n, cap;
};

static int
things_add(void *arg, const char *thing)
{
	struct plan_things *t = arg;

	if (t->n == t->cap) {
		t->cap = t->cap == 0 ? 256 : t->cap * 2;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = xstrdup(thing);
	return 0;
}

static void
things_release(struct plan_things *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
}

/* The things the job would reach, in notification order, found in TX. */
static int
plan_targets(struct api_ctx *ctx, struct store_tx *tx,
    const struct store_job *job, struct plan_things *things,
    struct err *err)
{
	char prefix[JOB_ARN_PREFIX_MAX];
	int rc;

	job_arn_prefix(ctx, prefix, sizeof(prefix));
	rc = job_create_insert(ctx, tx, job, err);
	if (rc == 0)
		rc = store_job_plan_targets(tx, job->job_id, prefix, err);
	if (rc == 0)
		rc = store_job_queue_things(tx, job->job_id, things_add,
		    things, err);
	return rc;
}

/*
 * The job row of IN and its things, in a write transaction that is always
 * rolled back: a dry run, which is why /_iotjobs/plan opens its own
 * transaction rather than the one the pipeline commits on success.
 */
static int
plan_dry_run(struct api_ctx *ctx, json_t *in, struct store_job *job,
    struct plan_things *things, struct err *err)
{
	struct store_tx *tx;
	int rc;

	if (store_begin(ctx->st, true, &tx, err) == -1)
		return -1;
	rc = job_create_prepare(ctx, tx, in, job, err);
	if (rc == 0 && plan_targets(ctx, tx, job, things, err) == -1) {
		store_job_release(job);
		rc = -1;
	}
	store_end(tx, false, NULL);	/* nothing is kept */
	return rc;
}

struct plan_sim {
	json_t *batches;
	const struct plan_things *things;
	size_t next;		/* index of the next thing released */
	int64_t last;
	bool list_things;
};

static void
plan_batch(void *arg, int64_t at, int64_t n, int64_t rate)
{
	struct plan_sim *p = arg;
	json_t *b, *names;
	int64_t i;

	p->last = at;
	if (json_array_size(p->batches) >= PLAN_BATCHES_SHOWN) {
		p->next += (size_t)n;
		return;
	}
	b = json_pack("{s:I, s:I}", "at", (json_int_t)at, "count",
	    (json_int_t)n);
	if (rate >= 0)
		json_object_set_new(b, "ratePerMinute", json_integer(rate));
	names = json_array();
	for (i = 0; i < n && p->next < p->things->n; i++)
		json_array_append_new(names,
		    json_string(p->things->v[p->next++]));
	json_object_set_new(b, "things", names);
	json_array_append_new(p->batches, b);
}

/* The text of the exponential rate's step-up rule, or NULL. */
static const char *
step_rule(const json_t *config)
{
	json_t *exp = json_object_get(json_object_get(config,
	    "jobExecutionsRolloutConfig"), "exponentialRate");
	json_t *crit = json_object_get(exp, "rateIncreaseCriteria");

	if (exp == NULL)
		return NULL;
	if (json_object_get(crit, "numberOfNotifiedThings") != NULL)
		return "the rate is multiplied by incrementFactor each time"
		    " numberOfNotifiedThings more things are notified (up to"
		    " 1000 a minute); the plan applies it";
	return "shown at its base rate: the rate is multiplied by"
	    " incrementFactor each time numberOfSucceededThings more things"
	    " succeed (up to 1000 a minute), which no plan can know";
}

static int64_t
sched_at(const json_t *config, const char *member)
{
	const char *t = json_string_value(json_object_get(json_object_get(
	    config, "schedulingConfig"), member));
	int64_t v;

	return t != NULL && cron_time_parse(t, &v) == 0 ? v : 0;
}

static json_t *
plan_answer(struct api_ctx *ctx, const struct store_job *job,
    const struct plan_things *things)
{
	struct engine_rollout r;
	struct plan_sim sim;
	int64_t start = sched_at(job->config, "startTime");
	int64_t end = sched_at(job->config, "endTime");
	int64_t first = start != 0 ? start : ctx->now, done;
	const char *rule = step_rule(job->config), *why = NULL;
	json_t *out;

	memset(&sim, 0, sizeof(sim));
	sim.batches = json_array();
	sim.things = things;
	memset(&r, 0, sizeof(r));
	r.config = job->config;
	r.waiting = (int64_t)things->n;
	if (!engine_uses_queue(job->config)) {
		if (things->n > 0)
			plan_batch(&sim, first, (int64_t)things->n, -1);
		done = (int64_t)things->n;
	} else {
		done = engine_rollout_simulate(&r, first, end,
		    PLAN_BATCHES_MAX, plan_batch, &sim);
	}
	if (done < (int64_t)things->n)
		why = end != 0 && engine_rollout_simulate(&r, first, 0,
		    PLAN_BATCHES_MAX, NULL, NULL) > done ? "END_TIME" : json_array_size(json_object_get(
		    json_object_get(job->config, "schedulingConfig"),
		    "maintenanceWindows")) > 0 ? "NO_MAINTENANCE_WINDOW" :
		    "PLAN_LIMIT";
	out = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:I, s:I}",
	    "jobId", job->job_id, "status", job_status_name(job->status),
	    "targetSelection", job->target_selection, "now",
	    (json_int_t)ctx->now,
	    "things", (json_int_t)things->n,
	    "rollout", ext_rollout_config(job->config),
	    "batches", sim.batches, "released", (json_int_t)done,
	    "notReleased", (json_int_t)((int64_t)things->n - done));
	json_object_set_new(out, "startAt", json_integer(first));
	json_object_set_new(out, "endAt", end != 0 ? json_integer(end) :
	    json_null());
	json_object_set_new(out, "lastReleaseAt", sim.last != 0 ?
	    json_integer(sim.last) : json_null());
	json_object_set_new(out, "notReleasedReason", why != NULL ?
	    json_string(why) : json_null());
	if (rule != NULL)
		json_object_set_new(json_object_get(out, "rollout"),
		    "stepUpRule", json_string(rule));
	json_object_set_new(out, "maintenanceWindows", json_deep_copy(
	    json_object_get(json_object_get(job->config, "schedulingConfig"),
	    "maintenanceWindows")));
	json_object_set_new(out, "batchesTruncated", json_boolean(
	    json_array_size(sim.batches) >= PLAN_BATCHES_SHOWN));
	return out;
}

int
ext_plan(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const struct model_op *op = model_op_find(PLANE_CONTROL, "CreateJob");
	struct plan_things things = { NULL, 0, 0 };
	struct store_job job;

	if (op == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "no CreateJob");
	if (validate_input(op->input, in, validate_errtype(op), err) == -1)
		return -1;
	if (plan_dry_run(ctx, in, &job, &things, err) == -1) {
		things_release(&things);
		return -1;
	}
	*out = plan_answer(ctx, &job, &things);
	store_job_release(&job);
	things_release(&things);
	return 0;
}
