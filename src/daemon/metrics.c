/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrics registry and the /metrics exposition (metrics.h). Requests
 * are counted in a fixed table keyed by (plane, operation, status), the
 * operation being one of the model's or admin.c's static names (their
 * text decides the series), so its size is bounded; every other series
 * is a fixed atomic counter or histogram. Store series are read at
 * scrape time in one read transaction.
 */
#include "metrics.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "mqtt/mqtt.h"
#include "store/store_metrics.h"
#include "version.h"
#include "xmalloc.h"

#define REQ_SLOTS	1024	/* (plane, operation, status) rows */
#define OP_SLOTS	512	/* (plane, operation) latency histograms */

static const double lat_le[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
	2.5, 5, 10,
};
#define LAT_N (sizeof(lat_le) / sizeof(lat_le[0]))

static const double lag_le[] = { 0, 1, 2, 5, 10, 30, 60, 300, 3600 };
#define LAG_N (sizeof(lag_le) / sizeof(lag_le[0]))

static const double batch_le[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 };
#define BATCH_N (sizeof(batch_le) / sizeof(batch_le[0]))

static const double commit_le[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
};
#define COMMIT_N (sizeof(commit_le) / sizeof(commit_le[0]))

struct hist {
	uint64_t buckets[16];	/* cumulative at render */
	uint64_t count;
	double sum;
};

static struct {
	pthread_mutex_t mu;
	struct {
		const char *op;
		int plane, status;
		uint64_t n;
	} req[REQ_SLOTS];
	struct {
		const char *op;
		int plane;
		struct hist h;
	} lat[OP_SLOTS];
	struct hist lag, batch, commit;
} reg = { .mu = PTHREAD_MUTEX_INITIALIZER };

static atomic_uint_fast64_t releases, store_errors, mqtt_in, mqtt_out,
    mqtt_throttled;

static void
hist_add(struct hist *h, const double *le, size_t n, double v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v <= le[i]) {
			h->buckets[i]++;
			break;
		}
	h->count++;
	h->sum += v;
}

/* By the name's text: two copies of one literal are one series. */
static size_t
slot_hash(const char *op, int plane, int status, size_t size)
{
	size_t h = 5381;

	for (; *op != '\0'; op++)
		h = h * 33 + (unsigned char)*op;
	return (h * 31 + (size_t)plane * 7 + (size_t)status) % size;
}

static bool
same_op(const char *a, const char *b)
{
	return a == b || strcmp(a, b) == 0;
}

void
metrics_request(enum plane plane, const char *op, int status, int64_t us)
{
	size_t i, k;

	pthread_mutex_lock(&reg.mu);
	for (k = 0; k < REQ_SLOTS; k++) {
		i = (slot_hash(op, (int)plane, status, REQ_SLOTS) + k) %
		    REQ_SLOTS;
		if (reg.req[i].op == NULL) {
			reg.req[i].op = op;
			reg.req[i].plane = (int)plane;
			reg.req[i].status = status;
		}
		if (same_op(reg.req[i].op, op) &&
		    reg.req[i].plane == (int)plane &&
		    reg.req[i].status == status) {
			reg.req[i].n++;
			break;
		}
	}
	for (k = 0; k < OP_SLOTS; k++) {
		i = (slot_hash(op, (int)plane, 0, OP_SLOTS) + k) % OP_SLOTS;
		if (reg.lat[i].op == NULL) {
			reg.lat[i].op = op;
			reg.lat[i].plane = (int)plane;
		}
		if (same_op(reg.lat[i].op, op) &&
		    reg.lat[i].plane == (int)plane) {
			hist_add(&reg.lat[i].h, lat_le, LAT_N,
			    (double)us / 1e6);
			break;
		}
	}
	pthread_mutex_unlock(&reg.mu);
}

void
metrics_releases(int64_t n)
{
	if (n > 0)
		atomic_fetch_add(&releases, (uint64_t)n);
}

void
metrics_sched_lag(int64_t seconds)
{
	pthread_mutex_lock(&reg.mu);
	hist_add(&reg.lag, lag_le, LAG_N, seconds < 0 ? 0 : (double)seconds);
	pthread_mutex_unlock(&reg.mu);
}

void
metrics_commit(int batch, double seconds)
{
	pthread_mutex_lock(&reg.mu);
	hist_add(&reg.batch, batch_le, BATCH_N, (double)batch);
	hist_add(&reg.commit, commit_le, COMMIT_N, seconds);
	pthread_mutex_unlock(&reg.mu);
}

void
metrics_store_error(void)
{
	atomic_fetch_add(&store_errors, 1);
}

void
metrics_mqtt_received(void)
{
	atomic_fetch_add(&mqtt_in, 1);
}

void
metrics_mqtt_sent(void)
{
	atomic_fetch_add(&mqtt_out, 1);
}

void
metrics_mqtt_throttled(void)
{
	atomic_fetch_add(&mqtt_throttled, 1);
}

/* --- exposition ------------------------------------------------------------ */

struct text {
	char *p;
	size_t len, cap;
};

static void
put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		t->cap = t->cap * 2 + (size_t)(n > 0 ? n : 0);
		t->p = xrealloc(t->p, t->cap);
	}
}

static void
family(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, quote and newline escaped (names are safe). */
static void
put_label(struct text *t, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			put(t, "\\%c", *v);
		else if (*v == '\n')
			put(t, "\\n");
		else
			put(t, "%c", *v);
	}
}

static void
hist_put(struct text *t, const char *name, const char *labels,
    const struct hist *h, const double *le, size_t n)
{
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		cum += h->buckets[i];
		put(t, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels,
		    labels[0] != '\0' ? "," : "", le[i],
		    (unsigned long long)cum);
	}
	put(t, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels,
	    labels[0] != '\0' ? "," : "", (unsigned long long)h->count);
	put(t, "%s_sum%s%s%s %.9g\n", name, labels[0] != '\0' ? "{" : "",
	    labels, labels[0] != '\0' ? "}" : "", h->sum);
	put(t, "%s_count%s%s%s %llu\n", name, labels[0] != '\0' ? "{" : "",
	    labels, labels[0] != '\0' ? "}" : "",
	    (unsigned long long)h->count);
}

static const char *
plane_name(int plane)
{
	return plane == PLANE_DATA ? "data" : "control";
}

static void
requests_put(struct text *t)
{
	char labels[300];
	size_t i;

	pthread_mutex_lock(&reg.mu);
	family(t, "iotjobs_http_requests_total", "counter",
	    "HTTP requests answered, by operation, plane and status.");
	for (i = 0; i < REQ_SLOTS; i++)
		if (reg.req[i].op != NULL)
			put(t, "iotjobs_http_requests_total{operation=\"%s\","
			    "plane=\"%s\",status=\"%d\"} %llu\n",
			    reg.req[i].op, plane_name(reg.req[i].plane),
			    reg.req[i].status,
			    (unsigned long long)reg.req[i].n);
	family(t, "iotjobs_http_request_duration_seconds", "histogram",
	    "Time from a request's head to its answer, by operation and"
	    " plane.");
	for (i = 0; i < OP_SLOTS; i++) {
		if (reg.lat[i].op == NULL)
			continue;
		snprintf(labels, sizeof(labels), "operation=\"%s\","
		    "plane=\"%s\"", reg.lat[i].op,
		    plane_name(reg.lat[i].plane));
		hist_put(t, "iotjobs_http_request_duration_seconds", labels,
		    &reg.lat[i].h, lat_le, LAT_N);
	}
	family(t, "iotjobs_scheduler_lag_seconds", "histogram",
	    "How late the scheduler ran each deadline (jobs' clock).");
	hist_put(t, "iotjobs_scheduler_lag_seconds", "", &reg.lag, lag_le,
	    LAG_N);
	family(t, "iotjobs_store_commit_batch_size", "histogram",
	    "Writes per group COMMIT.");
	hist_put(t, "iotjobs_store_commit_batch_size", "", &reg.batch,
	    batch_le, BATCH_N);
	family(t, "iotjobs_store_commit_duration_seconds", "histogram",
	    "Time of each group COMMIT (its fsync included).");
	hist_put(t, "iotjobs_store_commit_duration_seconds", "", &reg.commit,
	    commit_le, COMMIT_N);
	pthread_mutex_unlock(&reg.mu);
}

static void
counter(struct text *t, const char *name, const char *help, uint64_t v)
{
	family(t, name, "counter", help);
	put(t, "%s %llu\n", name, (unsigned long long)v);
}

static void
gauge(struct text *t, const char *name, const char *help, int64_t v)
{
	family(t, name, "gauge", help);
	put(t, "%s %lld\n", name, (long long)v);
}

/* Store series, gathered by store_metrics_jobs. */
struct scrape {
	struct text jobs, execs, job_execs, job_waiting, job_paused;
	int64_t totals[STORE_JOB_NCOUNTS], waiting;
};

static void
scrape_row(void *arg, const struct store_metrics_row *r)
{
	struct scrape *s = arg;
	int i;

	if (r->queues) {
		s->waiting = r->waiting;
		return;
	}
	if (r->job_id == NULL) {
		put(&s->jobs, "iotjobs_jobs{status=\"%s\"} %lld\n",
		    job_status_name(r->status), (long long)r->jobs);
		for (i = 0; i < STORE_JOB_NCOUNTS; i++)
			s->totals[i] += r->counts[i];
		return;
	}
	for (i = 0; i < STORE_JOB_NCOUNTS; i++) {
		put(&s->job_execs, "iotjobs_job_executions{job_id=\"");
		put_label(&s->job_execs, r->job_id);
		put(&s->job_execs, "\",status=\"%s\"} %lld\n",
		    exec_status_name(store_job_count_status[i]),
		    (long long)r->counts[i]);
	}
	put(&s->job_waiting, "iotjobs_job_waiting_things{job_id=\"");
	put_label(&s->job_waiting, r->job_id);
	put(&s->job_waiting, "\"} %lld\n", (long long)r->waiting);
	put(&s->job_paused, "iotjobs_job_paused{job_id=\"");
	put_label(&s->job_paused, r->job_id);
	put(&s->job_paused, "\"} %d\n", r->paused ? 1 : 0);
}

static void
text_init(struct text *t)
{
	t->cap = 4096;
	t->len = 0;
	t->p = xmalloc(t->cap);
	t->p[0] = '\0';
}

static void
append(struct text *t, struct text *part)
{
	put(t, "%s", part->p);
	free(part->p);
}

static int
store_put(struct app *app, struct text *t)
{
	struct scrape s;
	struct store_tx *tx;
	struct err err;
	int64_t audit = 0;
	int rc, i;

	memset(&s, 0, sizeof(s));
	text_init(&s.jobs);
	text_init(&s.execs);
	text_init(&s.job_execs);
	text_init(&s.job_waiting);
	text_init(&s.job_paused);
	err_clear(&err);
	rc = store_begin(app->st, false, &tx, &err);
	if (rc == 0) {
		rc = store_metrics_jobs(tx, (int)app->conf->metrics_jobs,
		    scrape_row, &s, &err);
		if (rc == 0)
			rc = store_metrics_audit(tx, &audit, &err);
		store_end(tx, false, NULL);
	}
	family(t, "iotjobs_jobs", "gauge", "Jobs by status.");
	append(t, &s.jobs);
	family(t, "iotjobs_executions", "gauge",
	    "Job executions by status, over every job.");
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		put(t, "iotjobs_executions{status=\"%s\"} %lld\n",
		    exec_status_name(store_job_count_status[i]),
		    (long long)s.totals[i]);
	free(s.execs.p);
	gauge(t, "iotjobs_rollout_waiting_things", "Things waiting in rollout"
	    " queues (rate, maintenance windows, pauses).", s.waiting);
	family(t, "iotjobs_job_executions", "gauge", "Executions of each of"
	    " the most recent jobs (--metrics-jobs) by status.");
	append(t, &s.job_execs);
	family(t, "iotjobs_job_waiting_things", "gauge", "Things waiting in"
	    " the rollout queue of each of the most recent jobs.");
	append(t, &s.job_waiting);
	family(t, "iotjobs_job_paused", "gauge", "1 when the rollout of the"
	    " job is paused (iotjobs job pause).");
	append(t, &s.job_paused);
	gauge(t, "iotjobs_audit_records", "Records in the audit log.", audit);
	return rc;
}

int
metrics_render(struct app *app, char **out, size_t *len)
{
	struct text t;
	int rc;

	text_init(&t);
	family(&t, "iotjobs_build_info", "gauge", "The iotjobsd version.");
	put(&t, "iotjobs_build_info{version=\"%s\"} 1\n",
	    version_string());
	gauge(&t, "iotjobs_leader", "1 when this node leads the nodes of its"
	    " store (runs the scheduler).", store_leads(app->st) ? 1 : 0);
	requests_put(&t);
	counter(&t, "iotjobs_rollout_releases_total", "Executions released"
	    " from rollout queues by the engine.", atomic_load(&releases));
	counter(&t, "iotjobs_store_errors_total", "Store statements that"
	    " failed.", atomic_load(&store_errors));
	gauge(&t, "iotjobs_mqtt_connected", "1 while connected to the MQTT"
	    " broker.", app->mqtt != NULL && mqtt_is_connected(app->mqtt) ?
	    1 : 0);
	counter(&t, "iotjobs_mqtt_messages_received_total", "MQTT messages"
	    " received.", atomic_load(&mqtt_in));
	counter(&t, "iotjobs_mqtt_messages_sent_total", "MQTT messages"
	    " published.", atomic_load(&mqtt_out));
	counter(&t, "iotjobs_mqtt_throttled_total", "MQTT requests answered"
	    " RequestThrottled (--mqtt-queue full).",
	    atomic_load(&mqtt_throttled));
	gauge(&t, "iotjobs_mqtt_queue_depth", "MQTT requests waiting for a"
	    " worker.", (int64_t)mqtt_queue_depth(app->mqtt));
	rc = store_put(app, &t);
	*out = t.p;
	*len = t.len;
	return rc;
}

static bool
is_loopback(const char *peer)
{
	return peer != NULL && (strncmp(peer, "127.", 4) == 0 ||
	    strcmp(peer, "::1") == 0 || strncmp(peer, "::ffff:127.", 11) == 0);
}

bool
metrics_allowed(const struct app *app, const char *peer, const char *authz)
{
	const char *tok = app->conf->metrics_token;
	size_t n = strlen(tok);

	if (is_loopback(peer))
		return true;
	if (n == 0 || authz == NULL || strncmp(authz, "Bearer ", 7) != 0 ||
	    strlen(authz + 7) != n)
		return false;
	return CRYPTO_memcmp(authz + 7, tok, n) == 0;
}
