/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The probes of load balancers and service managers, answered before any
 * authentication and with no data beyond the node's state:
 *   GET /_iotjobs/health   200 {"status": "ok"} while the process serves
 *   GET /_iotjobs/ready    200 when this node can take requests, else 503:
 *       {"status": "ready"|"unavailable", "store": "ok"|"unavailable",
 *        "broker": "connected"|"disconnected"|"off",
 *        "role": "leader"|"standby"}
 * A node is ready when its store answers a read and, with --mqtt, its
 * broker connection is up. A standby node is ready: every node serves
 * HTTP; "role" tells the leader (scheduler, MQTT deliveries) apart.
 */
#ifndef IOTJOBS_HTTP_HEALTH_H
#define IOTJOBS_HTTP_HEALTH_H

#include <stdbool.h>

#include <jansson.h>

#include "app.h"
#include "err.h"
#include "http/dispatch.h"

struct mqtt;

/* What main.c tells as it changes: the MQTT front end (NULL: none). */
void health_set_mqtt(struct mqtt *m);
void health_set_leader(bool leads);

/* True when RAW_PATH is one of the probes. */
bool health_is_route(const char *raw_path);

/*
 * Answers the probe REQ: *OUT the body, *STATUS 200 or 503; -1 with ERR
 * for a method other than GET or HEAD.
 */
int health_serve(struct app *app, const struct http_request *req,
    json_t **out, int *status, struct err *err);

#endif
