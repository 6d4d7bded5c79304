/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs job watch JOB: the rollout of JOB, live, from GET
 * /_iotjobs/jobs/JOB/rollout every --interval seconds. On a terminal the
 * view is redrawn in place (one bar per status and one for the things
 * still waiting, released per minute, the ETA the engine predicts, and
 * what the rollout waits for: the rate, a scheduled start, a maintenance
 * window, a pause); piped, one line per change. It ends when the job is
 * terminal, with exit status 1 when an execution ended in a --fail-on
 * status, or at once with --once.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "num.h"

#define BAR_WIDTH	40
#define SAMPLES		64	/* released/min over the last samples */

static const struct {
	const char *member, *label;
} statuses[] = {
	{ "numberOfQueuedThings", "QUEUED" },
	{ "numberOfInProgressThings", "IN_PROGRESS" },
	{ "numberOfSucceededThings", "SUCCEEDED" },
	{ "numberOfFailedThings", "FAILED" },
	{ "numberOfRejectedThings", "REJECTED" },
	{ "numberOfTimedOutThings", "TIMED_OUT" },
	{ "numberOfCanceledThings", "CANCELED" },
	{ "numberOfRemovedThings", "REMOVED" },
};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

struct watch {
	const char *job;
	bool fail[NSTATUS];
	double interval;
	bool once;
	int lines;		/* lines of the last redraw */
	char last[1024];	/* the last piped line, without its time */
	int64_t at[SAMPLES], rel[SAMPLES];	/* server time, released */
	int nsamples;
};

static int
fail_on_parse(struct watch *w, const char *list)
{
	char *copy = strdup(list), *p, *comma;
	size_t i;

	memset(w->fail, 0, sizeof(w->fail));
	if (strcmp(list, "none") == 0) {
		free(copy);
		return 0;
	}
	for (p = copy; p != NULL; p = comma) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma++ = '\0';
		for (i = 0; i < NSTATUS; i++)
			if (strcmp(statuses[i].label, p) == 0)
				break;
		if (i == NSTATUS) {
			free(copy);
			return -1;
		}
		w->fail[i] = true;
	}
	free(copy);
	return 0;
}

static bool
is_terminal(const char *status)
{
	return strcmp(status, "COMPLETED") == 0 ||
	    strcmp(status, "CANCELED") == 0 ||
	    strcmp(status, "DELETION_IN_PROGRESS") == 0;
}

/* Released per minute over the samples kept (server time); -1: none. */
static double
per_minute(struct watch *w, const json_t *v)
{
	int64_t now = cli_int(v, "now"), rel = cli_int(v, "released");
	int first;

	if (w->nsamples == SAMPLES) {
		memmove(w->at, w->at + 1, (SAMPLES - 1) * sizeof(*w->at));
		memmove(w->rel, w->rel + 1, (SAMPLES - 1) * sizeof(*w->rel));
		w->nsamples--;
	}
	w->at[w->nsamples] = now;
	w->rel[w->nsamples] = rel;
	w->nsamples++;
	for (first = 0; first < w->nsamples - 1 &&
	    now - w->at[first] > 300; first++)
		;
	if (now == w->at[first])
		return -1;
	return (double)(rel - w->rel[first]) * 60.0 /
	    (double)(now - w->at[first]);
}

/* What the rollout waits for, as a phrase, into BUF. */
static const char *
waiting_for(const json_t *v, char *buf, size_t size)
{
	const char *why = cli_str(v, "waitingFor", "NOTHING");
	char t[64];

	if (strcmp(why, "PAUSE") == 0)
		snprintf(buf, size, "PAUSED since %s by %s",
		    cli_time(cli_int(v, "pausedAt"), t, sizeof(t)),
		    cli_str(v, "pausedBy", "?"));
	else if (strcmp(why, "SCHEDULED_START") == 0)
		snprintf(buf, size, "scheduled start at %s",
		    cli_time(cli_int(v, "nextReleaseAt"), t, sizeof(t)));
	else if (strcmp(why, "MAINTENANCE_WINDOW") == 0)
		snprintf(buf, size, "outside its maintenance windows until %s",
		    cli_time(cli_int(v, "nextReleaseAt"), t, sizeof(t)));
	else if (strcmp(why, "RATE") == 0)
		snprintf(buf, size, "next release at %s",
		    cli_time(cli_int(v, "nextReleaseAt"), t, sizeof(t)));
	else if (strcmp(why, "ROLLOUT_STOPPED") == 0)
		snprintf(buf, size, "rollout stopped at its endTime");
	else
		snprintf(buf, size, "nothing waits");
	return buf;
}

static void
bar(const char *label, int64_t n, int64_t total)
{
	char b[BAR_WIDTH * 3 + 1];
	int fill = total > 0 ? (int)((n * BAR_WIDTH + total - 1) / total) : 0;
	int i;
	size_t k = 0;

	for (i = 0; i < BAR_WIDTH; i++) {
		const char *g = i < fill ? "#" : ".";

		b[k++] = g[0];
	}
	b[k] = '\0';
	printf("  %-12s %s %8lld\n", label, b, (long long)n);
}

static void
redraw(struct watch *w, const json_t *v, double rate)
{
	const json_t *c = json_object_get(v, "jobProcessDetails");
	int64_t waiting = cli_int(v, "waiting"), total = waiting;
	char why[256], t[64], r[64];
	size_t i;

	for (i = 0; i < NSTATUS; i++)
		total += cli_int(c, statuses[i].member);
	if (w->lines > 0)
		printf("\033[%dA\033[J", w->lines);
	printf("job %s  %s  %s  (%s)\n", w->job, cli_str(v, "status", "?"),
	    cli_str(v, "targetSelection", "?"), cli_time(cli_int(v, "now"), t,
	    sizeof(t)));
	for (i = 0; i < NSTATUS; i++)
		bar(statuses[i].label, cli_int(c, statuses[i].member), total);
	bar("waiting", waiting, total);
	if (rate >= 0)
		snprintf(r, sizeof(r), "%.1f/min", rate);
	else
		snprintf(r, sizeof(r), "-");
	if (json_is_integer(json_object_get(v, "currentRatePerMinute")))
		snprintf(r + strlen(r), sizeof(r) - strlen(r), " (limit"
		    " %lld/min)", (long long)cli_int(v,
		    "currentRatePerMinute"));
	printf("  released %lld, %s; ETA %s\n",
	    (long long)cli_int(v, "released"), r,
	    json_is_integer(json_object_get(v, "expectedDoneAt")) ?
	    cli_time(cli_int(v, "expectedDoneAt"), t, sizeof(t)) : "-");
	printf("  %s\n", waiting_for(v, why, sizeof(why)));
	fflush(stdout);
	w->lines = (int)NSTATUS + 4;
}

/* Piped: one line per change (the time is not a change). */
static void
line(struct watch *w, const json_t *v)
{
	const json_t *c = json_object_get(v, "jobProcessDetails");
	char buf[1024], why[256], t[64];
	size_t i, n;

	n = (size_t)snprintf(buf, sizeof(buf), "job=%s status=%s", w->job,
	    cli_str(v, "status", "?"));
	for (i = 0; i < NSTATUS && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %s=%lld",
		    statuses[i].label, (long long)cli_int(c,
		    statuses[i].member));
	if (n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n, " waiting=%lld released=%lld"
		    " [%s]", (long long)cli_int(v, "waiting"),
		    (long long)cli_int(v, "released"),
		    waiting_for(v, why, sizeof(why)));
	if (strcmp(buf, w->last) == 0)
		return;
	snprintf(w->last, sizeof(w->last), "%s", buf);
	printf("%s %s\n", cli_time(cli_int(v, "now"), t, sizeof(t)), buf);
	fflush(stdout);
}

/* --output json: one JSON object a line, on each change. */
static void
json_lines(struct watch *w, json_t *v, double rate)
{
	json_t *key = json_deep_copy(v);
	char *k, *text;

	json_object_del(key, "now");
	k = json_dumps(key, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(key);
	if (k != NULL && strlen(k) < sizeof(w->last) &&
	    strcmp(k, w->last) == 0) {
		free(k);
		return;
	}
	snprintf(w->last, sizeof(w->last), "%s", k != NULL ? k : "");
	free(k);
	json_object_set_new(v, "releasedPerMinute", rate >= 0 ?
	    json_real(rate) : json_null());
	text = json_dumps(v, JSON_COMPACT);
	if (text != NULL)
		printf("%s\n", text);
	free(text);
	fflush(stdout);
}

static int
verdict(struct watch *w, const json_t *v)
{
	const json_t *c = json_object_get(v, "jobProcessDetails");
	size_t i;

	for (i = 0; i < NSTATUS; i++)
		if (w->fail[i] && cli_int(c, statuses[i].member) > 0) {
			fprintf(stderr, "iotjobs: job watch: job %s ended %s"
			    " with %lld %s executions\n", w->job,
			    cli_str(v, "status", "?"), (long long)cli_int(c,
			    statuses[i].member), statuses[i].label);
			return CLI_FAIL;
		}
	return CLI_OK;
}

static void
nap(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - floor(seconds)) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
watch_args(struct watch *w, int argc, char **argv)
{
	int i;

	w->interval = 1;
	fail_on_parse(w, "FAILED,TIMED_OUT,REJECTED");
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0) {
			w->once = true;
		} else if (strcmp(argv[i], "--fail-on") == 0 && i + 1 < argc) {
			if (fail_on_parse(w, argv[++i]) == -1)
				return cli_usage_error("job watch", "--fail-on"
				    " lists execution statuses (FAILED,...) or"
				    " is none");
		} else if (strcmp(argv[i], "--interval") == 0 &&
		    i + 1 < argc) {
			if (num_parse_double(argv[++i], 0.05, 3600,
			    &w->interval) == -1)
				return cli_usage_error("job watch", "--interval"
				    " is 0.05 to 3600 seconds");
		} else if (argv[i][0] != '-' && w->job == NULL) {
			w->job = argv[i];
		} else {
			return cli_usage_error("job watch", "unexpected"
			    " argument '%s'", argv[i]);
		}
	}
	if (w->job == NULL)
		return cli_usage_error("job watch", "expected one JOB");
	return CLI_OK;
}

int
cmd_job_watch(struct cli_conf *c, int argc, char **argv)
{
	char path[CLI_URL_MAX + 64], enc[CLI_URL_MAX];
	struct watch w;
	struct cli_err e;
	json_t *v;
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&e, 0, sizeof(e));
	if ((rc = watch_args(&w, argc, argv)) != CLI_OK)
		return rc;
	if (cli_urlenc(w.job, enc, sizeof(enc)) == -1)
		return cli_usage_error("job watch", "job id too long");
	snprintf(path, sizeof(path), "/_iotjobs/jobs/%s/rollout", enc);
	for (;;) {
		double rate;
		bool done;

		if (cli_call(c, "GET", path, NULL, NULL, &v, &e) == -1)
			return cli_fail("job watch", &e);
		rate = per_minute(&w, v);
		if (c->json) {
			json_lines(&w, v, rate);
		} else if (c->tty) {
			redraw(&w, v, rate);
		} else {
			line(&w, v);
		}
		done = is_terminal(cli_str(v, "status", ""));
		rc = done ? verdict(&w, v) : CLI_OK;
		json_decref(v);
		if (done || w.once)
			return rc;
		nap(w.interval);
	}
}
