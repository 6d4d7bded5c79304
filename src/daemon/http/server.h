/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP front end on libmicrohttpd: one listener for both AWS APIs,
 * keep-alive, a request body limit, idle timeouts, and a graceful stop that
 * lets requests in flight finish.
 */
#ifndef IOTJOBS_HTTP_SERVER_H
#define IOTJOBS_HTTP_SERVER_H

#include "app.h"
#include "err.h"

struct http_server;

/* Starts serving APP on its configured address. */
int http_server_start(struct app *app, struct http_server **out,
    struct err *err);

/* Stops accepting, waits for requests in flight, closes everything. */
void http_server_stop(struct http_server *srv);

/* The port actually bound (useful with --listen HOST:0). */
int http_server_port(const struct http_server *srv);

#endif
