/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd's Prometheus metrics: counters and histograms the daemon's
 * modules bump as things happen (lock-free atomics, or one short mutex
 * for the per-operation table), and the text exposition format 0.0.4 of
 * GET /metrics, which adds what the store knows at scrape time
 * (executions and jobs by status, per job for the most recent jobs).
 * Names and units as Prometheus conventions say: _total for counters,
 * _seconds for durations, base units. docs/operator.md lists them.
 */
#ifndef IOTJOBS_METRICS_H
#define IOTJOBS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "gen/model.h"

/* One HTTP request of operation OP (a static string) answered STATUS. */
void metrics_request(enum plane plane, const char *op, int status,
    int64_t us);

/* N executions were released from rollout queues. */
void metrics_releases(int64_t n);

/* The scheduler ran a deadline SECONDS after it fell due. */
void metrics_sched_lag(int64_t seconds);

/* A group COMMIT of BATCH writes took SECONDS. */
void metrics_commit(int batch, double seconds);

/* The store failed a statement (sq_fail). */
void metrics_store_error(void);

/* MQTT: a message received, one published, a request throttled. */
void metrics_mqtt_received(void);
void metrics_mqtt_sent(void);
void metrics_mqtt_throttled(void);

/*
 * The exposition of APP's metrics: a new NUL-terminated text in *OUT
 * (caller frees), its length in *LEN. -1 when the store cannot be read
 * (the text then lacks the store's series but is still valid).
 */
int metrics_render(struct app *app, char **out, size_t *len);

/*
 * Whether a request from PEER with the Authorization header AUTHZ (may
 * be NULL) may read /metrics on the main listener: a loopback peer, or
 * "Bearer TOKEN" with APP's --metrics-token (constant-time compare).
 */
bool metrics_allowed(const struct app *app, const char *peer,
    const char *authz);

#endif
