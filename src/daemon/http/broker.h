/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The broker plugin's routes (src/plugin/), served on iotjobsd's broker
 * socket only (http/broker_listener.c), never on the AWS listener:
 *
 *   GET /_iotjobs/broker/generation
 *       {"generation": N}: the authorization generation; the plugin asks
 *       about once a second and reloads what it caches when N moved.
 *   GET /_iotjobs/broker/identity?certificateId=ID&clientId=CID
 *       {"generation", "certificateId", "certificateArn", "usable",
 *        "refusal" (when not usable), "commonName", "things": [names],
 *        "policies": [documents]}: the identity of certificate ID for a
 *       device connecting with client id CID (auth/identity.h).
 *
 * The generation route keeps the broker's CA folder (DATA_DIR/tls/
 * broker-ca/, an OpenSSL hashed directory: <subject hash>.N) equal to the
 * ACTIVE CA certificates of the store: iotjobsd's own CA (registered at
 * start) and the ones registered with RegisterCACertificate.
 */
#ifndef IOTJOBS_HTTP_BROKER_H
#define IOTJOBS_HTTP_BROKER_H

#include <jansson.h>
#include <stdbool.h>

#include "app.h"
#include "err.h"

#define BROKER_PATH_PREFIX	"/_iotjobs/broker/"
#define BROKER_CA_DIR		"tls/broker-ca"	/* under DATA_DIR */

/* A query parameter's value (decoded), or NULL when absent. */
typedef const char *broker_query_fn(void *arg, const char *name);

/*
 * Serves METHOD PATH: 0 with *OUT (a new object; caller frees) and
 * *STATUS 200, or -1 with ERR and *STATUS (400, 404, 405, 500, 503).
 */
int broker_serve(struct app *app, const char *method, const char *path,
    broker_query_fn *query, void *arg, json_t **out, int *status,
    struct err *err);

/*
 * Rewrites the CA folder when the generation moved since the last call
 * (FORCE: whatever it is). Safe from any thread.
 */
int broker_ca_sync(struct app *app, bool force, struct err *err);

#endif
