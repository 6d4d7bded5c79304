/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP request, transport-independent from here on: authenticate
 * (SigV4; the credential scope's service picks the plane), route, build and
 * validate the input, run the operation, encode the answer or the AWS error.
 */
#ifndef IOTJOBS_HTTP_DISPATCH_H
#define IOTJOBS_HTTP_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "auth/auth.h"
#include "gen/model.h"

/* Headers, and query parameters, a request may have (each). */
#define HTTP_MAX_FIELDS	64

struct http_request {
	const char *method;
	const char *raw_path;	/* as sent, percent-encoded, no query */
	const struct auth_pair *headers;
	size_t nheaders;
	const struct auth_pair *query;	/* raw pairs */
	size_t nquery;
	const char *body;
	size_t body_len;
	int body_too_large;
	int too_many_fields;
	const char *peer;	/* the client's address, or NULL */
	const char *client_cert_id;	/* HTTPS: the presented certificate */
};

struct http_reply {
	int status;
	char *body;		/* malloc'd JSON text */
	size_t body_len;
	const char *error_type;	/* x-amzn-ErrorType, or NULL */
	const char *content_type;	/* NULL: application/json */
	char request_id[40];
	/*
	 * Nonzero: the answer acknowledges writes of this store batch and
	 * must be held until store_batch_status() says it is durable (or
	 * replaced by http_reply_unavailable() when the COMMIT failed).
	 */
	uint64_t batch;
};

/* The Content-Type of /metrics (Prometheus text format 0.0.4). */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

void http_dispatch(struct app *app, const struct http_request *req,
    struct http_reply *rep);

/*
 * What can be decided about REQ from its head alone, before its body is
 * read (REQ's body members are unused): too many fields, a body declared
 * over --body-limit, and, unless a client certificate speaks for it, the
 * SigV4 claim (auth_precheck: its key, scope and date; the signature
 * needs the body). 0 when the body may be read; -1 with ERR, the answer
 * to give instead. *PLANE is the credential scope's plane when it names
 * one (for the error's status), else the control plane.
 */
int http_dispatch_precheck(struct app *app, const struct http_request *req,
    enum plane *plane, struct err *err);

/* REP answers REQ with ERR, an AWS error of PLANE; the request is logged. */
void http_dispatch_refuse(struct app *app, const struct http_request *req,
    enum plane plane, const struct err *err, struct http_reply *rep);

/* A new request id (a random UUID) into BUF. */
void http_request_id(char *buf, size_t size);
void http_reply_release(struct http_reply *rep);

/* Replaces REP by the error for a batch whose COMMIT failed. */
void http_reply_unavailable(struct http_reply *rep);

#endif
