/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MQTT front end: iotjobsd as a client of an MQTT broker, answering
 * the Jobs topics of WIRE.md 10 with the data plane's own handlers and
 * publishing notify, notify-next and (optionally) events. On only when
 * --mqtt names a broker. Only src/daemon/mqtt/ includes mosquitto.h.
 */
#ifndef IOTJOBS_MQTT_H
#define IOTJOBS_MQTT_H

#include "app.h"
#include "err.h"

struct mqtt;

#include <stdbool.h>
#include <stddef.h>

/*
 * Starts the front end when APP's settings name a broker (*OUT NULL
 * otherwise). Connecting happens in the background, with retries: a
 * broker that is away delays nothing else. -1 with ERR set on bad
 * settings. LEAD: this node leads the nodes that share its store (see
 * store_lead_try); only the leader publishes notifications and command
 * deliveries, and answers requests unless a shared subscription spreads
 * them over every node.
 */
int mqtt_start(struct app *app, bool lead, struct mqtt **out,
    struct err *err);

/* This node has become the leader (M NULL: no broker): start its work. */
void mqtt_lead(struct mqtt *m);

/*
 * This node no longer leads: it stops draining the outboxes and, without
 * a shared subscription, answering requests (M NULL: no broker).
 */
void mqtt_follow(struct mqtt *m);

/* True while M's connection to the broker is up (the ready probe). */
bool mqtt_is_connected(struct mqtt *m);

/* Requests waiting for a worker (0 for NULL). */
size_t mqtt_queue_depth(struct mqtt *m);

/* Stops the front end (NULL is fine); call before closing the store. */
void mqtt_stop(struct mqtt *m);

#endif
