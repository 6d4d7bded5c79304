/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the MQTT front end: what bridge.c (the broker connection and the
 * request workers) offers notify.c and events.c (what the service
 * publishes on its own), and the notifier's entry points.
 */
#ifndef IOTJOBS_MQTT_INT_H
#define IOTJOBS_MQTT_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "err.h"

struct mqtt;
struct store;
struct store_tx;
struct notifier;

/* Whether the broker connection is up. */
bool mqtt_connected(struct mqtt *m);
/* Whether this node leads, so drains the outboxes (mqtt_lead). */
bool mqtt_leads(struct mqtt *m);

/*
 * Publishes PAYLOAD (borrowed) on TOPIC with QOS. -1 when the connection
 * is down or the client refused the message (worth trying again); -2,
 * logged, when it is larger than the broker takes in a packet (never
 * worth it: the outboxes go past it, a request is answered rejected).
 */
int mqtt_publish(struct mqtt *m, const char *topic, const json_t *payload,
    int qos);

/*
 * Publishes LEN bytes of PAYLOAD on TOPIC with QOS and the MQTT 5 content
 * type CONTENT_TYPE (NULL: none) and message expiry EXPIRY seconds (0:
 * none). -1 and -2 as mqtt_publish().
 */
int mqtt_publish_bytes(struct mqtt *m, const char *topic, const void *payload,
    size_t len, int qos, const char *content_type, int64_t expiry);

/*
 * An outbox drainer: a thread that runs DRAIN(ARG, ERR) after every commit
 * of the store and every drainer_wake(), and again after a second when it
 * returned -1 (ERR, when set, is logged). DRAIN returns 0 when nothing is
 * left to do now. A drainer is static (DRAINER_INITIALIZER): the store's
 * commit hook cannot be taken back and may still run while it closes.
 */
struct drainer {
	const char *name;
	int (*drain)(void *arg, struct err *err);
	void *arg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool wake, stop, hooked;
};
#define DRAINER_INITIALIZER(NAME, DRAIN, ARG) {				\
	.name = (NAME), .drain = (DRAIN), .arg = (ARG),			\
	.lock = PTHREAD_MUTEX_INITIALIZER,				\
	.cond = PTHREAD_COND_INITIALIZER,				\
}
void drainer_start(struct drainer *dr, struct store *st);
void drainer_wake(struct drainer *dr);
void drainer_stop(struct drainer *dr);

/*
 * The notifier thread: drains the outboxes after commits (and after each
 * connect), publishing notify, notify-next and, with EVENTS, the events.
 */
struct notifier *notify_start(struct app *app, struct mqtt *m, bool events);
void notify_wake(struct notifier *nt);
void notify_stop(struct notifier *nt);

/*
 * Publishes the events of event_outbox (up to LIMIT), or drops them when
 * EVENTS is false. Returns how many rows were handled, or -1.
 */
int events_drain(struct app *app, struct mqtt *m, bool events, int limit,
    struct err *err);

#endif
