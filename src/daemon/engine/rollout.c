/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Job deadlines of the engine (engine.h): the scheduled start and end of
 * schedulingConfig (endBehavior), the rollout ticks of
 * jobExecutionsRolloutConfig (maximumPerMinute, exponentialRate) and the
 * maintenance windows outside which nothing is rolled out. Things waiting
 * for their turn sit in the rollout queue, not in executions, so they are
 * in no pending list and no counter until notified.
 */
#include "engine/engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/cron.h"
#include "engine/job_fsm.h"
#include "metrics.h"
#include "store/store_job.h"

#define TICK		60	/* rates are per minute */
#define RATE_MAX	1000.0	/* maximumPerMinute / baseRatePerMinute max */
#define WINDOWS_MAX	64
#define ROLLOUTS_SHOWN	7	/* scheduledJobRollouts: next seven */

static json_t *
cfg_get(const json_t *config, const char *a, const char *b)
{
	json_t *v = json_object_get(config, a);

	return b != NULL ? json_object_get(v, b) : v;
}

bool
engine_uses_queue(const json_t *config)
{
	return cfg_get(config, "jobExecutionsRolloutConfig", NULL) != NULL ||
	    json_array_size(cfg_get(config, "schedulingConfig",
	    "maintenanceWindows")) > 0;
}

/* --- maintenance windows -------------------------------------------------- */

/*
 * Whether NOW falls in one of the WINDOWS; when not, *NEXT is the start
 * of the next one (0: none within five years).
 */
static bool
window_open(const json_t *windows, int64_t now, int64_t *next)
{
	struct cron c;
	char why[128];
	json_t *w;
	size_t i;

	*next = 0;
	json_array_foreach(windows, i, w) {
		const char *text = json_string_value(json_object_get(w,
		    "startTime"));
		int64_t dur = json_integer_value(json_object_get(w,
		    "durationInMinutes")) * 60;
		int64_t s;

		if (text == NULL || cron_parse(text, &c, why,
		    sizeof(why)) == -1)
			continue;
		s = cron_next(&c, now - dur + 1);
		if (s >= 0 && s <= now)
			return true;
		s = cron_next(&c, now + 1);
		if (s > 0 && (*next == 0 || s < *next))
			*next = s;
	}
	return false;
}

json_t *
engine_scheduled_rollouts(const json_t *config, int64_t now)
{
	json_t *windows = cfg_get(config, "schedulingConfig",
	    "maintenanceWindows");
	json_t *start = cfg_get(config, "schedulingConfig", "startTime");
	struct cron c[WINDOWS_MAX];
	int64_t at[WINDOWS_MAX], from = now;
	char why[128], text[CRON_TIME_LEN];
	size_t i, n = 0;
	json_t *out, *w;
	int k;

	if (json_array_size(windows) == 0)
		return NULL;
	if (json_is_string(start) && cron_time_parse(json_string_value(start),
	    &at[0]) == 0 && at[0] > from)
		from = at[0];
	json_array_foreach(windows, i, w) {
		const char *t = json_string_value(json_object_get(w,
		    "startTime"));

		if (n < WINDOWS_MAX && t != NULL &&
		    cron_parse(t, &c[n], why, sizeof(why)) == 0) {
			at[n] = cron_next(&c[n], from);
			n++;
		}
	}
	out = json_array();
	for (k = 0; k < ROLLOUTS_SHOWN; k++) {
		size_t best = n;

		for (i = 0; i < n; i++)
			if (at[i] >= 0 && (best == n || at[i] < at[best]))
				best = i;
		if (best == n)
			break;
		cron_time_format(at[best], text);
		json_array_append_new(out, json_pack("{s:s}", "startTime",
		    text));
		at[best] = cron_next(&c[best], at[best] + 60);
	}
	return out;
}

/* --- rollout ticks -------------------------------------------------------- */

/*
 * The number of things to notify this minute: maximumPerMinute, or the
 * exponential rate (base rate, multiplied by incrementFactor each time
 * another numberOfNotifiedThings were notified, or numberOfSucceededThings
 * succeeded, since the last increase; at most 1000); -1: no rate.
 */
static int64_t
tick_rate(struct engine_rollout *r)
{
	json_t *cfg = cfg_get(r->config, "jobExecutionsRolloutConfig", NULL);
	json_t *max = json_object_get(cfg, "maximumPerMinute");
	json_t *exp = json_object_get(cfg, "exponentialRate");
	json_t *crit = json_object_get(exp, "rateIncreaseCriteria");
	json_t *notified = json_object_get(crit, "numberOfNotifiedThings");
	double rate, factor;
	int64_t step, metric;

	if (json_is_integer(max))
		return json_integer_value(max);
	if (exp == NULL)
		return -1;
	rate = r->rate > 0 ? r->rate :
	    (double)json_integer_value(json_object_get(exp,
	    "baseRatePerMinute"));
	factor = json_number_value(json_object_get(exp, "incrementFactor"));
	step = notified != NULL ? json_integer_value(notified) :
	    json_integer_value(json_object_get(crit,
	    "numberOfSucceededThings"));
	metric = notified != NULL ? r->sent : r->succeeded;
	while (step > 0 && metric - r->mark >= step && rate < RATE_MAX) {
		rate *= factor;
		r->mark += step;
	}
	if (rate > RATE_MAX)
		rate = RATE_MAX;
	r->rate = rate;
	return (int64_t)floor(rate + 1e-9);
}

void
engine_rollout_step(struct engine_rollout *r, int64_t now,
    struct engine_tick *t)
{
	json_t *windows = cfg_get(r->config, "schedulingConfig",
	    "maintenanceWindows");
	int64_t limit;

	memset(t, 0, sizeof(*t));
	if (r->waiting <= 0)
		return;
	if (json_array_size(windows) > 0 && !window_open(windows, now,
	    &t->next)) {
		t->window_closed = true;
		return;
	}
	limit = tick_rate(r);
	t->release = limit < 0 || limit > r->waiting ? r->waiting : limit;
	t->rate = limit;
	if (r->waiting > t->release)
		t->next = now + TICK;
}

int64_t
engine_rollout_simulate(const struct engine_rollout *from, int64_t first,
    int64_t until, size_t max, engine_batch_fn *fn, void *arg)
{
	struct engine_rollout r = *from;
	struct engine_tick t;
	int64_t at = first, done = 0;
	size_t n = 0;

	while (r.waiting > 0 && at != 0 && (until == 0 || at < until) &&
	    n < max) {
		engine_rollout_step(&r, at, &t);
		if (t.release > 0) {
			if (fn != NULL)
				fn(arg, at, t.release, t.rate);
			r.waiting -= t.release;
			r.sent += t.release;
			done += t.release;
			n++;
		}
		at = t.next;
	}
	return done;
}

void
engine_rollout_of(const struct store_job_engine *j, struct engine_rollout *r)
{
	memset(r, 0, sizeof(*r));
	r->config = j->config;
	r->waiting = j->waiting;
	r->sent = j->rollout_sent;
	r->succeeded = store_job_count_of(j->counts, EXEC_SUCCEEDED);
	r->rate = j->rollout_rate;
	r->mark = j->rollout_mark;
}

/* One rollout tick of job JOB_ID at NOW; sets the next one. */
static int
tick(struct store_tx *tx, const char *job_id, int64_t now, struct err *err)
{
	struct store_job_engine j;
	struct engine_rollout r;
	struct engine_tick t;
	int64_t n = 0;
	int rc;

	if ((rc = store_job_engine_get(tx, job_id, &j, err)) != 1)
		return rc;
	j.rollout_at = 0;
	/* Paused: no deadline; the resume arms one. */
	if (j.status != JOB_IN_PROGRESS || j.rollout_stopped ||
	    j.waiting == 0 || j.paused_at != 0)
		goto put;
	engine_rollout_of(&j, &r);
	engine_rollout_step(&r, now, &t);
	if (t.release > 0 && engine_release(tx, job_id, t.release, now, &n,
	    err) == -1) {
		rc = -1;
		goto out;
	}
	metrics_releases(n);
	j.rollout_sent += n;
	j.rollout_rate = r.rate;
	j.rollout_mark = r.mark;
	j.rollout_at = t.next;
put:
	rc = engine_job_put(tx, &j, now, err);
out:
	store_job_engine_release(&j);
	return rc;
}

/*
 * Notifies the targets of J (just IN_PROGRESS) now, or over time through
 * the rollout queue (a rate, maintenance windows, or a pause).
 */
static int
job_start(struct store_tx *tx, const struct store_job_engine *j,
    const char *arn_prefix, int64_t now, struct err *err)
{
	if (!engine_uses_queue(j->config) && j->paused_at == 0)
		return engine_queue_targets(tx, j->job_id, arn_prefix, now,
		    err);
	if (store_job_plan_targets(tx, j->job_id, arn_prefix, err) == -1 ||
	    tick(tx, j->job_id, now, err) == -1)
		return -1;
	/* An empty target list: a SNAPSHOT job completes at once. */
	return engine_count_refresh(tx, j->job_id, now, err);
}

int
engine_job_targets_added(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err)
{
	struct store_job_engine j;
	int rc;

	if ((rc = store_job_engine_get(tx, job_id, &j, err)) != 1)
		return rc;
	rc = job_start(tx, &j, arn_prefix, now, err);
	store_job_engine_release(&j);
	return rc;
}

/* A schedulingConfig time MEMBER of CONFIG, 0 when absent. */
static int64_t
sched_time(const json_t *config, const char *member)
{
	const char *text = json_string_value(cfg_get(config,
	    "schedulingConfig", member));
	int64_t t;

	if (text == NULL || cron_time_parse(text, &t) == -1)
		return 0;
	return t;
}

int
engine_job_created(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err)
{
	struct store_job_engine j;
	int rc;

	if ((rc = store_job_engine_get(tx, job_id, &j, err)) != 1)
		return rc;
	j.start_at = j.status == JOB_SCHEDULED ?
	    sched_time(j.config, "startTime") : 0;
	j.end_at = sched_time(j.config, "endTime");
	rc = engine_job_put(tx, &j, now, err);
	if (rc == 0 && j.status == JOB_IN_PROGRESS)
		rc = job_start(tx, &j, arn_prefix, now, err);
	store_job_engine_release(&j);
	return rc;
}

/*
 * A SCHEDULED J becomes IN_PROGRESS (its start time, or its end with
 * STOP_ROLLOUT), as job_fsm allows; any other status stays.
 */
static int
job_begin(struct store_job_engine *j, struct err *err)
{
	if (j->status != JOB_SCHEDULED)
		return 0;
	if (job_fsm_step(j->job_id, j->status, JOB_IN_PROGRESS, false,
	    err) == -1)
		return -1;
	j->status = JOB_IN_PROGRESS;
	return 0;
}

/* The scheduled end: endBehavior (STOP_ROLLOUT when absent). */
static int
job_end(struct store_tx *tx, struct store_job_engine *j, int64_t now,
    struct err *err)
{
	const char *b = json_string_value(cfg_get(j->config,
	    "schedulingConfig", "endBehavior"));
	bool active = j->status == JOB_IN_PROGRESS ||
	    j->status == JOB_SCHEDULED;
	char comment[128];

	j->end_at = 0;
	if (active && b != NULL && strcmp(b, "STOP_ROLLOUT") != 0) {
		snprintf(comment, sizeof(comment), "Job canceled at its"
		    " scheduled endTime (endBehavior %s)", b);
		return engine_job_cancel(tx, j->job_id,
		    strcmp(b, "FORCE_CANCEL") == 0, NULL, comment, now,
		    err) == -1 ? -1 : 1;
	}
	j->rollout_stopped = true;
	j->rollout_at = 0;
	j->start_at = 0;
	if (job_begin(j, err) == -1)
		return -1;
	if (engine_job_put(tx, j, now, err) == -1 ||
	    store_job_rollout_drop(tx, j->job_id, NULL, err) == -1 ||
	    engine_count_refresh(tx, j->job_id, now, err) == -1)
		return -1;
	return 1;
}

int
engine_job_wake(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err)
{
	struct store_job_engine j;
	int rc;

	if ((rc = store_job_engine_get(tx, job_id, &j, err)) != 1)
		return rc;
	if (j.start_at != 0 && j.start_at <= now) {
		j.start_at = 0;
		rc = job_begin(&j, err);
		if (rc == 0)
			rc = engine_job_put(tx, &j, now, err);
		if (rc == 0 && j.status == JOB_IN_PROGRESS)
			rc = job_start(tx, &j, arn_prefix, now, err);
		store_job_engine_release(&j);
		if (rc == -1 || store_job_engine_get(tx, job_id, &j,
		    err) != 1)
			return rc;
	}
	if (j.end_at != 0 && j.end_at <= now) {
		rc = job_end(tx, &j, now, err);
		store_job_engine_release(&j);
		return rc == -1 ? -1 : 0;
	}
	if (j.rollout_at != 0 && j.rollout_at <= now) {
		metrics_sched_lag(now - j.rollout_at);
		rc = tick(tx, job_id, now, err);
	}
	store_job_engine_release(&j);
	return rc == -1 ? -1 : 0;
}

bool
engine_is_rolling_out(struct store_tx *tx, const char *job_id)
{
	struct store_job_engine j;
	struct err err;
	bool yes;

	err_clear(&err);
	if (store_job_engine_get(tx, job_id, &j, &err) != 1)
		return false;
	yes = j.status == JOB_IN_PROGRESS && j.waiting > 0 &&
	    !j.rollout_stopped;
	store_job_engine_release(&j);
	return yes;
}

int
engine_job_pause(struct store_tx *tx, const char *job_id, bool pause,
    const char *by, int64_t now, bool *changed, struct err *err)
{
	struct store_job_engine j;
	int rc;

	*changed = false;
	if ((rc = store_job_engine_get(tx, job_id, &j, err)) != 1)
		return rc;
	rc = 1;
	if (j.status != JOB_IN_PROGRESS &&
	    j.status != JOB_SCHEDULED) {
		rc = err_set(err, ERR_INVALID_REQUEST, "Job %s is %s: only a"
		    " SCHEDULED or IN_PROGRESS job can be %s", job_id,
		    job_status_name(j.status), pause ? "paused" : "resumed");
		goto out;
	}
	if (pause == (j.paused_at != 0))
		goto out;
	*changed = true;
	if (store_job_pause_set(tx, job_id, pause ? now : 0, by, err) == -1) {
		rc = -1;
		goto out;
	}
	/* Pausing leaves rollout_at: the tick it reaches does nothing. */
	if (!pause && j.waiting > 0 && j.status == JOB_IN_PROGRESS &&
	    !j.rollout_stopped) {
		j.rollout_at = now;
		if (engine_job_put(tx, &j, now, err) == -1)
			rc = -1;
	}
out:
	store_job_engine_release(&j);
	return rc;
}
