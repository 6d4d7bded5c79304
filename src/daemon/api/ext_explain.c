/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /_iotjobs/explain?thingName=T&jobId=J (`iotjobs explain`): why T
 * has, or has not, an execution of J, as one reason code with the facts
 * behind it. The answer is read from the same state the engine acts on
 * and predicted with the engine's own rollout step, so "expected at E"
 * is when the scheduler will release it. Reason codes (docs/operator.md):
 *
 *   EXECUTION_QUEUED, EXECUTION_IN_PROGRESS    it has one, pending
 *   EXECUTION_TERMINAL                         it ended: status, time
 *   RETRIES_EXHAUSTED                          it failed, no retry left
 *   CANCELED, ABORTED                          canceled: by whom, why
 *   THING_DELETED                              the thing is gone
 *   JOB_PAUSED                                 waiting: the job paused
 *   JOB_SCHEDULED                              waiting: starts at E
 *   OUTSIDE_MAINTENANCE_WINDOW                 waiting: window opens E
 *   QUEUED_BEHIND_RATE                         waiting: position N, at E
 *   ROLLOUT_STOPPED                            endTime stopped it
 *   JOINED_AFTER_SNAPSHOT                      reached only since then
 *   NOT_TARGETED                               no target reaches it
 */
#include "api/ext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/job_int.h"
#include "engine/engine.h"
#include "store/store_audit.h"
#include "store/store_exec.h"
#include "store/store_job.h"
#include "store/store_thing.h"

#define SIM_BATCHES_MAX	200000
#define GROUPS_SHOWN	25

/* What explain reads, in one read transaction. */
struct explain {
	struct api_ctx *ctx;
	struct store_tx *tx;
	const char *thing;
	const char *job_id;
	char prefix[JOB_ARN_PREFIX_MAX];
	struct store_job job;
	struct store_job_engine eng;
	struct store_exec exec;
	bool thing_exists, has_exec;
	int64_t thing_created;
	json_t *out;
};

static void
say(struct explain *x, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct explain *x, const char *reason, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(x->out, "reason", json_string(reason));
	json_object_set_new(x->out, "message", json_string(msg));
}

/* Epoch seconds T as "2024-05-01T12:00:00Z" in BUF (T 0: "never"). */
static const char *
when(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0) {
		snprintf(buf, size, "an unknown time");
		return buf;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void
fact(struct explain *x, const char *name, json_t *v)
{
	json_object_set_new(x->out, name, v != NULL ? v : json_null());
}

/* Who did the last OP about the job (and thing) in the audit log. */
static void
fact_who(struct explain *x, const char *op, const char *thing)
{
	struct store_audit_rec r;
	struct err err;

	err_clear(&err);
	if (store_audit_last(x->tx, op, x->job_id, thing, &r, &err) != 1)
		return;
	fact(x, "by", json_string(r.principal));
	fact(x, "byAt", json_integer(r.at));
	fact(x, "auditSeq", json_integer(r.seq));
	store_audit_rec_release(&r);
}

static void
explain_canceled(struct explain *x)
{
	const char *rc = x->job.reason_code;
	bool job_canceled = x->job.status == JOB_CANCELED;

	fact(x, "jobStatus", json_string(job_status_name(x->job.status)));
	fact(x, "reasonCode", rc != NULL ? json_string(rc) : NULL);
	fact(x, "comment", x->job.comment != NULL ?
	    json_string(x->job.comment) : NULL);
	fact(x, "forceCanceled", json_boolean(x->has_exec ?
	    x->exec.force_canceled : x->job.force_canceled));
	if (rc != NULL && strcmp(rc, ENGINE_ABORT_REASON) == 0) {
		fact(x, "by", json_string("abortConfig"));
		say(x, "ABORTED", "job %s was aborted by its abortConfig: %s",
		    x->job_id, x->job.comment != NULL ? x->job.comment : "");
		return;
	}
	if (x->has_exec && !job_canceled) {
		fact_who(x, "CancelJobExecution", x->thing);
		say(x, "CANCELED", "the execution of job %s on %s was canceled",
		    x->job_id, x->thing);
		return;
	}
	fact_who(x, "CancelJob", NULL);
	say(x, "CANCELED", "job %s was canceled%s%s%s%s", x->job_id,
	    rc != NULL ? ", reason " : "", rc != NULL ? rc : "",
	    x->job.comment != NULL ? ": " : "",
	    x->job.comment != NULL ? x->job.comment : "");
}

static void
explain_exec(struct explain *x)
{
	const struct store_exec *e = &x->exec;
	const char *st = exec_status_name(e->status);

	fact(x, "executionNumber", json_integer(e->execution_number));
	fact(x, "status", json_string(st));
	fact(x, "queuedAt", json_integer(e->queued_at));
	fact(x, "startedAt", e->started_at != 0 ?
	    json_integer(e->started_at) : NULL);
	fact(x, "lastUpdatedAt", json_integer(e->last_updated_at));
	fact(x, "statusDetails", e->status_details != NULL ?
	    json_deep_copy(e->status_details) : NULL);
	if (e->status == EXEC_QUEUED) {
		say(x, "EXECUTION_QUEUED", "%s has execution %lld of job %s,"
		    " QUEUED: the device has not started it", x->thing,
		    (long long)e->execution_number, x->job_id);
	} else if (e->status == EXEC_IN_PROGRESS) {
		say(x, "EXECUTION_IN_PROGRESS", "%s is running execution %lld"
		    " of job %s", x->thing, (long long)e->execution_number,
		    x->job_id);
	} else if (e->status == EXEC_CANCELED) {
		explain_canceled(x);
	} else if (!x->thing_exists) {
		fact_who(x, "DeleteThing", x->thing);
		say(x, "THING_DELETED", "thing %s was deleted; its execution"
		    " of job %s ended %s", x->thing, x->job_id, st);
	} else if ((e->status == EXEC_FAILED ||
	    e->status == EXEC_TIMED_OUT) && json_object_get(x->job.config,
	    "jobExecutionsRetryConfig") != NULL &&
	    !engine_retry_allowed(x->job.config, e)) {
		fact(x, "retriesUsed", json_integer(e->retry_attempt));
		fact(x, "retryConfig", json_deep_copy(json_object_get(
		    x->job.config, "jobExecutionsRetryConfig")));
		say(x, "RETRIES_EXHAUSTED", "execution %lld of job %s on %s"
		    " ended %s and its retries are used up (%lld)",
		    (long long)e->execution_number, x->job_id, x->thing, st,
		    (long long)e->retry_attempt);
	} else {
		say(x, "EXECUTION_TERMINAL", "execution %lld of job %s on %s"
		    " ended %s", (long long)e->execution_number, x->job_id,
		    x->thing, st);
	}
}

/* --- waiting in the rollout queue ---------------------------------------- */

struct find_batch {
	int64_t want, seen, at;
};

static void
find_batch(void *arg, int64_t at, int64_t n, int64_t rate)
{
	struct find_batch *f = arg;

	(void)rate;
	if (f->at == 0 && f->seen + n >= f->want)
		f->at = at;
	f->seen += n;
}

/* When the thing at POS of the queue is released, 0: not foreseeable. */
static int64_t
expected_at(const struct explain *x, int64_t pos)
{
	struct engine_rollout r;
	struct find_batch f = { pos, 0, 0 };
	int64_t now = x->ctx->now;
	int64_t first = x->eng.rollout_at > now ? x->eng.rollout_at : now;

	engine_rollout_of(&x->eng, &r);
	engine_rollout_simulate(&r, first, x->eng.end_at, SIM_BATCHES_MAX,
	    find_batch, &f);
	return f.at;
}

static void
explain_waiting(struct explain *x, int64_t pos)
{
	struct engine_rollout r;
	struct engine_tick t;
	char tb[32];
	int64_t at;

	fact(x, "position", json_integer(pos));
	fact(x, "waiting", json_integer(x->eng.waiting));
	fact(x, "rollout", ext_rollout_config(x->job.config));
	if (x->eng.paused_at != 0) {
		fact(x, "pausedAt", json_integer(x->eng.paused_at));
		fact(x, "pausedBy", json_string(x->eng.paused_by));
		say(x, "JOB_PAUSED", "job %s is paused (since %s by %s): %s"
		    " waits at position %lld of its rollout queue", x->job_id,
		    when(x->eng.paused_at, tb, sizeof(tb)), x->eng.paused_by,
		    x->thing, (long long)pos);
		return;
	}
	if (x->eng.rollout_stopped) {
		say(x, "ROLLOUT_STOPPED", "job %s stopped its rollout at its"
		    " endTime before %s was notified", x->job_id, x->thing);
		return;
	}
	at = expected_at(x, pos);
	fact(x, "expectedAt", at != 0 ? json_integer(at) : NULL);
	engine_rollout_of(&x->eng, &r);
	engine_rollout_step(&r, x->ctx->now, &t);
	if (t.window_closed) {
		fact(x, "windowOpensAt", t.next != 0 ? json_integer(t.next) :
		    NULL);
		fact(x, "maintenanceWindows", json_deep_copy(
		    json_object_get(json_object_get(x->job.config,
		    "schedulingConfig"), "maintenanceWindows")));
		say(x, "OUTSIDE_MAINTENANCE_WINDOW", "job %s is outside its"
		    " maintenance windows until %s; %s waits at position"
		    " %lld", x->job_id, when(t.next, tb, sizeof(tb)), x->thing,
		    (long long)pos);
		return;
	}
	fact(x, "nextReleaseAt", x->eng.rollout_at != 0 ?
	    json_integer(x->eng.rollout_at) : NULL);
	say(x, "QUEUED_BEHIND_RATE", "%s is at position %lld of job %s's"
	    " rollout queue, behind the rollout rate; expected at %s",
	    x->thing, (long long)pos, x->job_id, when(at, tb, sizeof(tb)));
}

/* --- neither an execution nor a place in the queue ---------------------- */

static int
explain_absent(struct explain *x, struct err *err)
{
	char via[ERR_ARN_MAX], tb[32];
	int rc;

	rc = store_job_reach_via(x->tx, x->job_id, x->prefix, x->thing, via,
	    sizeof(via), err);
	if (rc == -1)
		return -1;
	if (!x->thing_exists) {
		fact_who(x, "DeleteThing", x->thing);
		say(x, "THING_DELETED", "thing %s does not exist (deleted, or"
		    " never created)", x->thing);
		return 0;
	}
	if (rc == 0) {
		fact(x, "targets", json_deep_copy(x->job.targets));
		say(x, "NOT_TARGETED", "no target of job %s reaches %s: it is"
		    " neither a target nor in a target group or its"
		    " descendants", x->job_id, x->thing);
		return 0;
	}
	fact(x, "via", json_string(via));
	if (x->eng.paused_at != 0) {
		fact(x, "pausedAt", json_integer(x->eng.paused_at));
		fact(x, "pausedBy", json_string(x->eng.paused_by));
		fact(x, "jobStatus",
		    json_string(job_status_name(x->job.status)));
		say(x, "JOB_PAUSED", "job %s is paused (since %s by %s)",
		    x->job_id, when(x->eng.paused_at, tb, sizeof(tb)),
		    x->eng.paused_by);
		return 0;
	}
	if (x->job.status == JOB_SCHEDULED) {
		fact(x, "startAt", json_integer(x->eng.start_at));
		fact(x, "schedulingConfig", json_deep_copy(json_object_get(
		    x->job.config, "schedulingConfig")));
		say(x, "JOB_SCHEDULED", "job %s is scheduled to start at %s",
		    x->job_id, when(x->eng.start_at, tb, sizeof(tb)));
		return 0;
	}
	if (x->job.status == JOB_CANCELED) {
		explain_canceled(x);
		return 0;
	}
	if (x->eng.rollout_stopped) {
		say(x, "ROLLOUT_STOPPED", "job %s stopped its rollout at its"
		    " endTime before %s was reached", x->job_id, x->thing);
		return 0;
	}
	fact(x, "jobCreatedAt", json_integer(x->job.created_at));
	fact(x, "thingCreatedAt", json_integer(x->thing_created));
	fact(x, "targetSelection", json_string(x->job.target_selection));
	say(x, "JOINED_AFTER_SNAPSHOT", "%s is reached through %s only since"
	    " the SNAPSHOT job %s was created (%s%s); a SNAPSHOT job does"
	    " not follow its targets", x->thing, via, x->job_id,
	    x->thing_created > x->job.created_at ?
	    "the thing itself was created later, at " : "job created at ",
	    when(x->thing_created > x->job.created_at ? x->thing_created :
	    x->job.created_at, tb, sizeof(tb)));
	return 0;
}

static int
explain_run(struct explain *x, struct err *err)
{
	struct store_thing t;
	int64_t pos = 0;
	int rc;

	rc = store_thing_get(x->tx, x->thing, &t, err);
	if (rc == -1)
		return -1;
	x->thing_exists = rc == 1;
	if (rc == 1) {
		x->thing_created = t.created_at;
		store_thing_release(&t);
	}
	rc = store_job_get(x->tx, x->job_id, &x->job, err);
	if (rc == 0)
		return ext_job_missing(x->job_id, err);
	if (rc == -1 || store_job_engine_get(x->tx, x->job_id, &x->eng,
	    err) != 1)
		return -1;
	rc = store_exec_get(x->tx, x->thing, x->job_id, -1, false, &x->exec,
	    err);
	if (rc == -1)
		return -1;
	x->has_exec = rc == 1;
	if (x->has_exec) {
		explain_exec(x);
		return 0;
	}
	if (store_job_queue_position(x->tx, x->job_id, x->thing, &pos,
	    err) == -1)
		return -1;
	if (pos > 0) {
		explain_waiting(x, pos);
		return 0;
	}
	return explain_absent(x, err);
}

int
ext_explain(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	struct explain x;
	char arn[JOB_ARN_MAX];
	int rc;

	memset(&x, 0, sizeof(x));
	x.ctx = ctx;
	x.thing = api_in_str(in, "thingName");
	x.job_id = api_in_str(in, "jobId");
	if (x.thing == NULL || x.thing[0] == '\0' ||
	    strlen(x.thing) > STORE_NAME_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "thingName is"
		    " required (1 to %d characters)", STORE_NAME_MAX);
	job_arn_prefix(ctx, x.prefix, sizeof(x.prefix));
	x.tx = ctx->tx;
	x.out = json_pack("{s:n, s:n}", "reason", "message");
	api_arn(ctx, "thing", x.thing, arn, sizeof(arn));
	json_object_set_new(x.out, "thingName", json_string(x.thing));
	json_object_set_new(x.out, "thingArn", json_string(arn));
	json_object_set_new(x.out, "jobId", json_string(x.job_id));
	json_object_set_new(x.out, "now", json_integer(ctx->now));
	rc = explain_run(&x, err);
	store_job_release(&x.job);
	store_job_engine_release(&x.eng);
	if (x.has_exec)
		store_exec_release(&x.exec);
	if (rc == -1) {
		json_decref(x.out);
		return -1;
	}
	*out = x.out;
	return 0;
}
