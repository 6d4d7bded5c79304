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

static bool
uses_queue(const json_t *config)
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
tick_rate(struct store_job_engine *j)
{
	json_t *cfg = cfg_get(j->config, "jobExecutionsRolloutConfig", NULL);
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
	rate = j->rollout_rate > 0 ? j->rollout_rate :
	    (double)json_integer_value(json_object_get(exp,
	    "baseRatePerMinute"));
	factor = json_number_value(json_object_get(exp, "incrementFactor"));
	step = notified != NULL ? json_integer_value(notified) :
	    json_integer_value(json_object_get(crit,
	    "numberOfSucceededThings"));
	metric = notified != NULL ? j->rollout_sent : j->counts[2];
	while (step > 0 && metric - j->rollout_mark >= step &&
	    rate < RATE_MAX) {
		rate *= factor;
		j->rollout_mark += step;
	}
	if (rate > RATE_MAX)
		rate = RATE_MAX;
	j->rollout_rate = rate;
	return (int64_t)floor(rate + 1e-9);
}

/* One rollout tick of job JOB_ID at NOW; sets the next one. */
static int
tick(struct store_tx *tx, const char *job_id, int64_t now, struct err *err)
{
	struct store_job_engine j;
	json_t *windows;
	int64_t next, n, limit;
	int rc;

	if ((rc = store_job_engine_get(tx, job_id, &j, err)) != 1)
		return rc;
	j.rollout_at = 0;
	windows = cfg_get(j.config, "schedulingConfig", "maintenanceWindows");
	if (strcmp(j.status, "IN_PROGRESS") != 0 || j.rollout_stopped ||
	    j.waiting == 0)
		goto put;
	if (json_array_size(windows) > 0 && !window_open(windows, now,
	    &next)) {
		j.rollout_at = next;
		goto put;
	}
	limit = tick_rate(&j);
	rc = store_job_release_batch(tx, job_id, limit, now, &n, err);
	if (rc == -1)
		goto out;
	j.rollout_sent += n;
	if (j.waiting > n)
		j.rollout_at = now + TICK;
put:
	rc = store_job_engine_put(tx, &j, now, err);
out:
	store_job_engine_release(&j);
	return rc;
}

/* Notifies the targets of JOB_ID (just IN_PROGRESS) now or over time. */
static int
job_start(struct store_tx *tx, const char *job_id, const json_t *config,
    const char *arn_prefix, int64_t now, struct err *err)
{
	if (!uses_queue(config))
		return store_job_queue_targets(tx, job_id, arn_prefix, now,
		    err);
	if (store_job_plan_targets(tx, job_id, arn_prefix, err) == -1 ||
	    tick(tx, job_id, now, err) == -1)
		return -1;
	/* An empty target list: a SNAPSHOT job completes at once. */
	return store_job_count_refresh(tx, job_id, now, err);
}

int
engine_job_targets_added(struct store_tx *tx, const char *job_id,
    const char *arn_prefix, int64_t now, struct err *err)
{
	struct store_job_engine j;
	int rc;

	if ((rc = store_job_engine_get(tx, job_id, &j, err)) != 1)
		return rc;
	rc = job_start(tx, job_id, j.config, arn_prefix, now, err);
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
	j.start_at = strcmp(j.status, "SCHEDULED") == 0 ?
	    sched_time(j.config, "startTime") : 0;
	j.end_at = sched_time(j.config, "endTime");
	rc = store_job_engine_put(tx, &j, now, err);
	if (rc == 0 && strcmp(j.status, "IN_PROGRESS") == 0)
		rc = job_start(tx, job_id, j.config, arn_prefix, now, err);
	store_job_engine_release(&j);
	return rc;
}

/* The scheduled end: endBehavior (STOP_ROLLOUT when absent). */
static int
job_end(struct store_tx *tx, struct store_job_engine *j, int64_t now,
    struct err *err)
{
	const char *b = json_string_value(cfg_get(j->config,
	    "schedulingConfig", "endBehavior"));
	bool active = strcmp(j->status, "IN_PROGRESS") == 0 ||
	    strcmp(j->status, "SCHEDULED") == 0;
	char comment[128];

	j->end_at = 0;
	if (active && b != NULL && strcmp(b, "STOP_ROLLOUT") != 0) {
		snprintf(comment, sizeof(comment), "Job canceled at its"
		    " scheduled endTime (endBehavior %s)", b);
		return store_job_cancel(tx, j->job_id,
		    strcmp(b, "FORCE_CANCEL") == 0, NULL, comment, now,
		    err) == -1 ? -1 : 1;
	}
	j->rollout_stopped = true;
	j->rollout_at = 0;
	j->start_at = 0;
	if (strcmp(j->status, "SCHEDULED") == 0)
		snprintf(j->status, sizeof(j->status), "IN_PROGRESS");
	if (store_job_engine_put(tx, j, now, err) == -1 ||
	    store_job_rollout_drop(tx, j->job_id, NULL, err) == -1 ||
	    store_job_count_refresh(tx, j->job_id, now, err) == -1)
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
		if (strcmp(j.status, "SCHEDULED") == 0)
			snprintf(j.status, sizeof(j.status), "IN_PROGRESS");
		rc = store_job_engine_put(tx, &j, now, err);
		if (rc == 0 && strcmp(j.status, "IN_PROGRESS") == 0)
			rc = job_start(tx, job_id, j.config, arn_prefix, now,
			    err);
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
	if (j.rollout_at != 0 && j.rollout_at <= now)
		rc = tick(tx, job_id, now, err);
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
	yes = strcmp(j.status, "IN_PROGRESS") == 0 && j.waiting > 0 &&
	    !j.rollout_stopped;
	store_job_engine_release(&j);
	return yes;
}
