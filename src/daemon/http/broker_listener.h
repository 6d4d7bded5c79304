/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd's second HTTP listener: a Unix socket (--broker-socket, mode
 * 0660: the owner and the broker's group) that serves only the broker
 * plugin's routes (http/broker.h). No SigV4: reaching the socket is the
 * credential.
 */
#ifndef IOTJOBS_HTTP_BROKER_LISTENER_H
#define IOTJOBS_HTTP_BROKER_LISTENER_H

#include "app.h"
#include "err.h"

struct broker_listener;

/*
 * Binds APP's broker socket (replacing a stale one) and serves it; first
 * writes the broker's CA folder and its server certificate (DATA_DIR/tls/
 * broker.crt and broker.key, from iotjobsd's CA). *OUT is NULL when the
 * socket path is empty (listener off) or another iotjobsd serves it.
 */
int broker_listener_start(struct app *app, struct broker_listener **out,
    struct err *err);

/* Stops serving and removes the socket; NULL is a no-op. */
void broker_listener_stop(struct broker_listener *bl);

#endif
