/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --metrics-listen HOST:PORT: a listener of its own that serves GET
 * /metrics to anyone who can reach it (a private network, a Prometheus
 * on another host), and nothing else. Off when the flag is empty.
 */
#ifndef IOTJOBS_HTTP_METRICS_LISTENER_H
#define IOTJOBS_HTTP_METRICS_LISTENER_H

#include "app.h"
#include "err.h"

struct metrics_listener;

/* Starts it when APP's settings ask (*OUT NULL otherwise); -1 with ERR. */
int metrics_listener_start(struct app *app, struct metrics_listener **out,
    struct err *err);

/* The port bound, -1 when off. */
int metrics_listener_port(const struct metrics_listener *l);

/* Stops it (NULL is fine). */
void metrics_listener_stop(struct metrics_listener *l);

#endif
