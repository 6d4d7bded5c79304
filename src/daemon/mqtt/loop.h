/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The broker connection's event loop: libmosquitto driven from a poll()
 * of ours (mosquitto_loop_read, _write and _misc) instead of
 * mosquitto_loop(), woken through an eventfd by the threads that publish.
 */
#ifndef IOTJOBS_MQTT_LOOP_H
#define IOTJOBS_MQTT_LOOP_H

#include <mosquitto.h>

struct mqtt_loop;

/* A loop for MOSQ (borrowed; it outlives the loop). Fatal when out of fds. */
struct mqtt_loop *mqtt_loop_new(struct mosquitto *mosq);
void mqtt_loop_free(struct mqtt_loop *l);

/*
 * One turn on the thread that runs the connection: waits up to a second
 * for the socket or a wake-up, reads, writes what is queued, and once a
 * second runs libmosquitto's keepalive. Returns what mosquitto_loop()
 * would: MOSQ_ERR_SUCCESS, else the connection is gone (MOSQ_ERR_NO_CONN
 * when it already was).
 */
int mqtt_loop_turn(struct mqtt_loop *l);

/*
 * Called by any thread after it queued a packet (a publish, a subscribe):
 * the loop writes it at once. Cheap when the loop is already woken, free
 * on the loop's own thread (its turn writes what its callbacks queued).
 */
void mqtt_loop_wake(struct mqtt_loop *l);

/*
 * Once no loop turns any more (its thread joined): queues DISCONNECT and
 * writes what the socket takes now, without waiting.
 */
void mqtt_loop_disconnect(struct mqtt_loop *l);

#endif
