/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the jobs model states only in prose, checked once for CreateJob,
 * UpdateJob and AssociateTargetsWithJob: configuration ranges and
 * cross-member rules (WIRE.md 11.3 "Configuration structures", 12) and the
 * target ARNs of this deployment (WIRE.md 11.1).
 */
#include "api/job_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/cron.h"
#include "store/store_job.h"

#define MINUTE		60
#define DAY		(24 * 60 * MINUTE)
#define SCHED_LEAD	(30 * MINUTE)	/* startTime/endTime ahead of now */
#define SCHED_MIN_RUN	(30 * MINUTE)	/* endTime - startTime at least */
#define SCHED_START_MAX	(366 * DAY)	/* startTime within a year */
#define SCHED_END_MAX	(2 * 366 * DAY)	/* endTime within two years */
#define NAME_MAX_CHARS	128		/* ThingName, ThingGroupName */

const char *const job_update_members[] = {
	"presignedUrlConfig", "jobExecutionsRolloutConfig", "abortConfig",
	"timeoutConfig", "jobExecutionsRetryConfig", NULL,
};

void
job_arn_prefix(const struct api_ctx *ctx, char *buf, size_t size)
{
	snprintf(buf, size, "arn:aws:iot:%s:%s:", ctx->conf->region,
	    ctx->conf->account_id);
}

/* True when X has at most DIGITS decimals (1.5 yes, 1.55 no for 1). */
static bool
has_decimals(double x, int digits)
{
	double scaled = x * pow(10, digits);

	return fabs(scaled - round(scaled)) < 1e-6;
}

static int
check_rollout(json_t *cfg, struct err *err)
{
	json_t *max = json_object_get(cfg, "maximumPerMinute");
	json_t *exp = json_object_get(cfg, "exponentialRate");
	json_t *crit, *f;

	if (max != NULL && exp != NULL)
		return err_set(err, ERR_INVALID_REQUEST, "jobExecutionsRollout"
		    "Config: give either maximumPerMinute or exponentialRate,"
		    " not both");
	if (max != NULL && json_integer_value(max) > JOB_ROLLOUT_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "jobExecutionsRollout"
		    "Config.maximumPerMinute must be between 1 and %d",
		    JOB_ROLLOUT_MAX);
	if (exp == NULL)
		return 0;
	f = json_object_get(exp, "incrementFactor");
	if (f != NULL && !has_decimals(json_number_value(f), 1))
		return err_set(err, ERR_INVALID_REQUEST, "jobExecutionsRollout"
		    "Config.exponentialRate.incrementFactor allows one digit"
		    " after the decimal point");
	crit = json_object_get(exp, "rateIncreaseCriteria");
	if (json_object_get(crit, "numberOfNotifiedThings") == NULL &&
	    json_object_get(crit, "numberOfSucceededThings") == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "jobExecutionsRollout"
		    "Config.exponentialRate.rateIncreaseCriteria needs"
		    " numberOfNotifiedThings or numberOfSucceededThings");
	return 0;
}

/* Each failureType at most once in the criteria LIST of MEMBER. */
static int
check_unique_types(json_t *list, const char *member, struct err *err)
{
	size_t i, j;

	for (i = 0; i < json_array_size(list); i++)
		for (j = 0; j < i; j++) {
			const char *a = json_string_value(json_object_get(
			    json_array_get(list, i), "failureType"));
			const char *b = json_string_value(json_object_get(
			    json_array_get(list, j), "failureType"));

			if (a != NULL && b != NULL && strcmp(a, b) == 0)
				return err_set(err, ERR_INVALID_REQUEST,
				    "%s.criteriaList has failureType %s more"
				    " than once", member, a);
		}
	return 0;
}

static int
check_abort(json_t *cfg, struct err *err)
{
	json_t *list = json_object_get(cfg, "criteriaList");
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		json_t *p = json_object_get(json_array_get(list, i),
		    "thresholdPercentage");
		double x = json_number_value(p);

		if (p == NULL)
			continue;
		if (x < 0)
			return err_set(err, ERR_INVALID_REQUEST, "abortConfig."
			    "criteriaList.%zu.thresholdPercentage must be"
			    " between 0 and 100", i + 1);
		if (!has_decimals(x, 2))
			return err_set(err, ERR_INVALID_REQUEST, "abortConfig."
			    "criteriaList.%zu.thresholdPercentage allows two"
			    " digits after the decimal point", i + 1);
	}
	return check_unique_types(list, "abortConfig", err);
}

static int
check_retry(json_t *cfg, struct err *err)
{
	json_t *list = json_object_get(cfg, "criteriaList");
	json_int_t total = 0;
	size_t i;

	for (i = 0; i < json_array_size(list); i++)
		total += json_integer_value(json_object_get(
		    json_array_get(list, i), "numberOfRetries"));
	if (total > JOB_RETRIES_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "jobExecutionsRetry"
		    "Config allows at most %d retries combined, not %lld",
		    JOB_RETRIES_MAX, (long long)total);
	return check_unique_types(list, "jobExecutionsRetryConfig", err);
}

static int
check_timeout(json_t *cfg, struct err *err)
{
	json_t *v = json_object_get(cfg, "inProgressTimeoutInMinutes");

	if (v != NULL && (json_integer_value(v) < 1 ||
	    json_integer_value(v) > JOB_TIMEOUT_MIN_MAX))
		return err_set(err, ERR_INVALID_REQUEST, "timeoutConfig."
		    "inProgressTimeoutInMinutes must be between 1 and %d",
		    JOB_TIMEOUT_MIN_MAX);
	return 0;
}

/* See job_int.h; the format lives with the engine's calendar (cron.c). */
int
job_sched_time_parse(const char *text, int64_t *out)
{
	return cron_time_parse(text, out);
}

static int
sched_time(json_t *cfg, const char *member, int64_t *out, struct err *err)
{
	const char *text = json_string_value(json_object_get(cfg, member));

	if (text == NULL)
		return 0;
	if (job_sched_time_parse(text, out) == -1)
		return err_set(err, ERR_INVALID_REQUEST, "schedulingConfig.%s"
		    " '%s' is not a time of the form YYYY-MM-DDTHH:MM (UTC)",
		    member, text);
	return 1;
}

/* Each maintenance window's startTime is a cron expression (cron.h). */
static int
check_windows(json_t *list, int64_t now, struct err *err)
{
	char why[160];
	struct cron c;
	json_t *w;
	size_t i;

	json_array_foreach(list, i, w) {
		const char *text = json_string_value(json_object_get(w,
		    "startTime"));

		if (text == NULL || cron_parse(text, &c, why,
		    sizeof(why)) == -1)
			return err_set(err, ERR_INVALID_REQUEST,
			    "schedulingConfig.maintenanceWindows[%zu]."
			    "startTime '%s' is not a cron expression"
			    " cron(minutes hours day-of-month month"
			    " day-of-week year): %s", i,
			    text != NULL ? text : "", text != NULL ? why :
			    "missing");
		if (cron_next(&c, now) == -1)
			return err_set(err, ERR_INVALID_REQUEST,
			    "schedulingConfig.maintenanceWindows[%zu]."
			    "startTime '%s' does not occur within five"
			    " years", i, text);
	}
	return 0;
}

static int
check_scheduling(const struct api_ctx *ctx, json_t *cfg, struct err *err)
{
	int64_t start = 0, end = 0, now = ctx->now;
	int has_start, has_end;

	if ((has_start = sched_time(cfg, "startTime", &start, err)) == -1 ||
	    (has_end = sched_time(cfg, "endTime", &end, err)) == -1)
		return -1;
	/* Times have minute precision: the current minute counts. */
	if (has_start && (start + MINUTE <= now + SCHED_LEAD ||
	    start > now + SCHED_START_MAX))
		return err_set(err, ERR_INVALID_REQUEST, "schedulingConfig."
		    "startTime must be at least 30 minutes and at most one"
		    " year from now");
	if (has_end && (end + MINUTE <= now + SCHED_LEAD ||
	    end > now + SCHED_END_MAX))
		return err_set(err, ERR_INVALID_REQUEST, "schedulingConfig."
		    "endTime must be at least 30 minutes and at most two"
		    " years from now");
	if (check_windows(json_object_get(cfg, "maintenanceWindows"), now,
	    err) == -1)
		return -1;
	if (has_start && has_end && (end - start < SCHED_MIN_RUN ||
	    end - start > SCHED_END_MAX))
		return err_set(err, ERR_INVALID_REQUEST, "schedulingConfig."
		    "endTime must be between 30 minutes and two years after"
		    " startTime");
	return 0;
}

int
job_config_check(const struct api_ctx *ctx, json_t *in, struct err *err)
{
	json_t *v;

	if ((v = json_object_get(in, "jobExecutionsRolloutConfig")) != NULL &&
	    check_rollout(v, err) == -1)
		return -1;
	if ((v = json_object_get(in, "abortConfig")) != NULL &&
	    check_abort(v, err) == -1)
		return -1;
	if ((v = json_object_get(in, "timeoutConfig")) != NULL &&
	    check_timeout(v, err) == -1)
		return -1;
	if ((v = json_object_get(in, "jobExecutionsRetryConfig")) != NULL &&
	    check_retry(v, err) == -1)
		return -1;
	if ((v = json_object_get(in, "schedulingConfig")) != NULL &&
	    check_scheduling(ctx, v, err) == -1)
		return -1;
	v = json_object_get(in, "destinationPackageVersions");
	if (json_array_size(v) > JOB_PACKAGES_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "destinationPackage"
		    "Versions allows at most %d package versions",
		    JOB_PACKAGES_MAX);
	return 0;
}

/* A thing or thing group name: [a-zA-Z0-9:_-]{1,128} (model). */
static bool
name_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_CHARS)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789:_-") == n;
}

int
job_target_parse(const struct api_ctx *ctx, const char *text, bool *group,
    const char **name, struct err *err)
{
	char prefix[JOB_ARN_PREFIX_MAX];
	size_t n;

	job_arn_prefix(ctx, prefix, sizeof(prefix));
	n = strlen(prefix);
	if (strncmp(text, prefix, n) != 0) {
		if (strncmp(text, "arn:aws:iot:", 12) == 0)
			return err_set(err, ERR_INVALID_REQUEST, "Target %s is"
			    " not in region %s of account %s", text,
			    ctx->conf->region, ctx->conf->account_id);
		return err_set(err, ERR_INVALID_REQUEST, "Target %s is not a"
		    " thing or thing group ARN (arn:aws:iot:%s:%s:thing/NAME"
		    " or ...:thinggroup/NAME)", text, ctx->conf->region,
		    ctx->conf->account_id);
	}
	text += n;
	if (strncmp(text, "thing/", 6) == 0) {
		*group = false;
		*name = text + 6;
	} else if (strncmp(text, "thinggroup/", 11) == 0) {
		*group = true;
		*name = text + 11;
	} else {
		return err_set(err, ERR_INVALID_REQUEST, "Target %s%s is not a"
		    " thing or thing group ARN", prefix, text);
	}
	if (!name_is_valid(*name))
		return err_set(err, ERR_INVALID_REQUEST, "Target %s%s does not"
		    " name a valid %s", prefix, text,
		    *group ? "thing group" : "thing");
	return 0;
}

static bool
array_has(json_t *a, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_array_get(a, i)), s) == 0)
			return true;
	return false;
}

int
job_targets_check(const struct api_ctx *ctx, json_t *targets,
    json_t *existing, json_t **out, struct err *err)
{
	json_t *uniq = json_array();
	size_t i;

	for (i = 0; i < json_array_size(targets); i++) {
		const char *arn = json_string_value(json_array_get(targets,
		    i));
		const char *name;
		bool group;

		if (job_target_parse(ctx, arn, &group, &name, err) == -1) {
			json_decref(uniq);
			return -1;
		}
		if (!array_has(uniq, arn) && (existing == NULL ||
		    !array_has(existing, arn)))
			json_array_append_new(uniq, json_string(arn));
	}
	*out = uniq;
	return 0;
}

int
job_targets_exist(const struct api_ctx *ctx, struct store_tx *tx,
    json_t *targets, struct err *err)
{
	size_t i;

	for (i = 0; i < json_array_size(targets); i++) {
		const char *arn = json_string_value(json_array_get(targets,
		    i));
		const char *name;
		bool group;
		int rc;

		if (job_target_parse(ctx, arn, &group, &name, err) == -1)
			return -1;
		rc = store_job_target_exists(tx, group, name, err);
		if (rc == -1)
			return -1;
		if (rc == 0)
			return err_set(err, ERR_NOT_FOUND, "%s %s does not"
			    " exist (target %s)", group ? "Thing group" :
			    "Thing", name, arn);
	}
	return 0;
}
