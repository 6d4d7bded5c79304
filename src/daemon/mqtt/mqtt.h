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

/*
 * Starts the front end when APP's settings name a broker (*OUT NULL
 * otherwise). Connecting happens in the background, with retries: a
 * broker that is away delays nothing else. -1 with ERR set on bad
 * settings.
 */
int mqtt_start(struct app *app, struct mqtt **out, struct err *err);

/* Stops the front end (NULL is fine); call before closing the store. */
void mqtt_stop(struct mqtt *m);

#endif
