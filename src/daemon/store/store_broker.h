/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the broker's routes (http/broker.c) read beside identities: the
 * CA certificates the broker must trust for the TLS handshake.
 */
#ifndef IOTJOBS_STORE_BROKER_H
#define IOTJOBS_STORE_BROKER_H

#include <jansson.h>

#include "err.h"
#include "store.h"

/* The PEM text of every ACTIVE registered CA certificate, appended as
 * strings to the array OUT, in certificate id order. */
int store_ca_active_pems(struct store_tx *tx, json_t *out, struct err *err);

#endif
