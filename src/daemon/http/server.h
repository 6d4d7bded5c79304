/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP front end on libmicrohttpd: one listener for both AWS APIs (and
 * an HTTPS one where devices may present certificates),
 * keep-alive, a request body limit, idle timeouts, and a graceful stop that
 * lets requests in flight finish.
 */
#ifndef IOTJOBS_HTTP_SERVER_H
#define IOTJOBS_HTTP_SERVER_H

#include "app.h"
#include "err.h"

struct http_server;

/* The HTTPS listener's certificate, key and trust list, as PEM text. */
struct http_tls {
	const char *cert_pem;
	const char *key_pem;
	const char *trust_pem;
};

/*
 * Starts serving APP on its configured address and, when TLS is not NULL,
 * over HTTPS on its --tls-listen address, where a client may present a
 * certificate instead of signing (the PEM texts are borrowed until http_server_stop).
 */
int http_server_start(struct app *app, const struct http_tls *tls,
    struct http_server **out, struct err *err);

/* Stops accepting, waits for requests in flight, closes everything. */
void http_server_stop(struct http_server *srv);

/* The port actually bound (useful with --listen HOST:0). */
int http_server_port(const struct http_server *srv);

/* The HTTPS port bound, or -1 without an HTTPS listener. */
int http_server_tls_port(const struct http_server *srv);

#endif
