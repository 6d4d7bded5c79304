/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A job's rollout as an operator sees and steers it: the rollout view of
 * `iotjobs job watch` (GET /_iotjobs/jobs/ID/rollout) and pause and
 * resume (POST .../pause, .../resume), which AWS IoT Jobs does not have.
 * The engine decides what a pause does (engine_job_pause); the ETA comes
 * from the engine's own rollout step (engine_rollout_simulate).
 */
#include "api/ext.h"

#include <stdio.h>
#include <string.h>

#include "api/job_int.h"
#include "engine/engine.h"
#include "store/store_job.h"

#define SIM_BATCHES_MAX	200000	/* ticks an ETA may look ahead */

void
ext_principal_name(const struct principal *who, char *buf, size_t size)
{
	if (who == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	switch (who->kind) {
	case PRINCIPAL_CERT:
		snprintf(buf, size, "cert/%s", who->cert_id);
		break;
	case PRINCIPAL_THING:
		snprintf(buf, size, "thing/%s", who->thing_name);
		break;
	default:
		snprintf(buf, size, "%s", who->access_key_id);
		break;
	}
}

int
ext_job_missing(const char *job_id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Job %s does not exist", job_id);
}

static int
pause_run(struct api_ctx *ctx, json_t *in, bool pause, json_t **out,
    struct err *err)
{
	const char *job_id = api_in_str(in, "jobId");
	struct store_job_engine j;
	struct store_tx *tx = ctx->tx;
	char by[160];
	bool changed = false;
	int rc;

	ext_principal_name(ctx->who, by, sizeof(by));
	rc = engine_job_pause(tx, job_id, pause, by, ctx->now, &changed, err);
	if (rc == 0)
		rc = ext_job_missing(job_id, err);
	if (rc == 1)
		rc = store_job_engine_get(tx, job_id, &j, err) == 1 ? 0 : -1;
	if (rc == -1)
		return -1;
	/* Resumed: the scheduler releases what waited, once committed. */
	ctx->poke = !pause && changed;
	*out = json_pack("{s:s, s:s, s:b, s:b}", "jobId", job_id, "status",
	    job_status_name(j.status), "paused", j.paused_at != 0, "changed",
	    changed);
	if (j.paused_at != 0) {
		json_object_set_new(*out, "pausedAt",
		    json_integer(j.paused_at));
		json_object_set_new(*out, "pausedBy",
		    json_string(j.paused_by));
	}
	json_object_set_new(*out, "waiting", json_integer(j.waiting));
	store_job_engine_release(&j);
	return 0;
}

int
ext_pause(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	return pause_run(ctx, in, true, out, err);
}

int
ext_resume(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	return pause_run(ctx, in, false, out, err);
}

/* --- the rollout view ----------------------------------------------------- */

static void
last_batch(void *arg, int64_t at, int64_t n, int64_t rate)
{
	(void)n;
	(void)rate;
	*(int64_t *)arg = at;
}

/* The rollout configuration, as the view and the plan describe it. */
json_t *
ext_rollout_config(const json_t *config)
{
	json_t *cfg = json_object_get(config, "jobExecutionsRolloutConfig");
	json_t *exp = json_object_get(cfg, "exponentialRate");
	json_t *crit = json_object_get(exp, "rateIncreaseCriteria");
	json_t *max = json_object_get(cfg, "maximumPerMinute");

	if (json_is_integer(max))
		return json_pack("{s:s, s:O}", "type", "constant",
		    "maximumPerMinute", max);
	if (exp == NULL)
		return json_pack("{s:s}", "type", "none");
	return json_pack("{s:s, s:O?, s:O?, s:O?, s:O?}", "type",
	    "exponential", "baseRatePerMinute",
	    json_object_get(exp, "baseRatePerMinute"), "incrementFactor",
	    json_object_get(exp, "incrementFactor"), "numberOfNotifiedThings",
	    json_object_get(crit, "numberOfNotifiedThings"),
	    "numberOfSucceededThings",
	    json_object_get(crit, "numberOfSucceededThings"));
}

/*
 * What the rollout of J waits for at NOW, into OUT: waitingFor (PAUSE,
 * SCHEDULED_START, ROLLOUT_STOPPED, MAINTENANCE_WINDOW, RATE, NOTHING),
 * nextReleaseAt, currentRatePerMinute and expectedDoneAt.
 */
static void
rollout_wait(const struct store_job_engine *j, int64_t now, json_t *out)
{
	struct engine_rollout r;
	struct engine_tick t;
	const char *why = "NOTHING";
	int64_t next = 0, done = 0, first;

	engine_rollout_of(j, &r);
	engine_rollout_step(&r, now, &t);
	if (t.rate >= 0 && !t.window_closed && j->waiting > 0)
		json_object_set_new(out, "currentRatePerMinute",
		    json_integer(t.rate));
	if (j->paused_at != 0) {
		why = "PAUSE";
	} else if (j->status == JOB_SCHEDULED) {
		why = "SCHEDULED_START";
		next = j->start_at;
	} else if (j->waiting > 0 && j->rollout_stopped) {
		why = "ROLLOUT_STOPPED";
	} else if (j->waiting > 0 && t.window_closed) {
		why = "MAINTENANCE_WINDOW";
		next = t.next;
	} else if (j->waiting > 0) {
		why = "RATE";
		next = j->rollout_at;
	}
	json_object_set_new(out, "waitingFor", json_string(why));
	json_object_set_new(out, "nextReleaseAt", next != 0 ?
	    json_integer(next) : json_null());
	first = j->rollout_at > now ? j->rollout_at : now;
	if (j->waiting > 0 && j->paused_at == 0 && !j->rollout_stopped &&
	    j->status == JOB_IN_PROGRESS &&
	    engine_rollout_simulate(&r, first, j->end_at, SIM_BATCHES_MAX,
	    last_batch, &done) == j->waiting)
		json_object_set_new(out, "expectedDoneAt", json_integer(done));
	else
		json_object_set_new(out, "expectedDoneAt", json_null());
}

int
ext_rollout(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *job_id = api_in_str(in, "jobId");
	struct store_job_engine j;
	json_t *counts;
	int64_t released = 0;
	int rc, i;

	rc = store_job_engine_get(ctx->tx, job_id, &j, err);
	if (rc == 0)
		return ext_job_missing(job_id, err);
	if (rc == -1)
		return -1;
	counts = json_object();
	for (i = 0; i < STORE_JOB_NCOUNTS; i++) {
		json_object_set_new(counts, store_job_count_names[i],
		    json_integer(j.counts[i]));
		released += j.counts[i];
	}
	*out = json_pack("{s:s, s:s, s:s, s:I, s:o, s:I, s:I, s:I, s:b,"
	    " s:o}", "jobId", j.job_id, "status",
	    job_status_name(j.status),
	    "targetSelection", j.target_selection, "now", (json_int_t)ctx->now,
	    "jobProcessDetails", counts, "released", (json_int_t)released,
	    "notifiedFromQueue", (json_int_t)j.rollout_sent,
	    "waiting", (json_int_t)j.waiting, "paused", j.paused_at != 0,
	    "rollout", ext_rollout_config(j.config));
	if (j.paused_at != 0) {
		json_object_set_new(*out, "pausedAt",
		    json_integer(j.paused_at));
		json_object_set_new(*out, "pausedBy",
		    json_string(j.paused_by));
	}
	if (j.start_at != 0)
		json_object_set_new(*out, "startAt", json_integer(j.start_at));
	if (j.end_at != 0)
		json_object_set_new(*out, "endAt", json_integer(j.end_at));
	rollout_wait(&j, ctx->now, *out);
	store_job_engine_release(&j);
	return 0;
}
