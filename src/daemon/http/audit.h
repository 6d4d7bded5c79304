/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the HTTP pipeline records in the audit log (store/store_audit.h):
 * for each control-plane write, who (a key id, cert/ID), what (the
 * operation, its target, the thing and job it is about, the SHA-256 of a
 * job document, never the document), when, from where (the peer) and the
 * result; for each authorization refusal, the same with the refusal as
 * result. dispatch.c and admin.c call these around the handler.
 */
#ifndef IOTJOBS_HTTP_AUDIT_H
#define IOTJOBS_HTTP_AUDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "app.h"
#include "auth/auth.h"
#include "err.h"
#include "gen/model.h"
#include "store/store_audit.h"

struct http_audit {
	struct store_audit_ctx rec;
	char principal[160];
	char target[300];
	char detail[512];
};

/* Whether the operation OP writes (it is audited). */
bool http_audit_is_write(const struct model_op *op);

/* Fills A for operation OP by WHO on the input IN (may be NULL). */
void http_audit_init(struct http_audit *a, const char *op,
    const struct principal *who, const json_t *in, const char *peer,
    const char *rid, int64_t now);

/* The handler is about to run: its first committed write records A. */
void http_audit_arm(struct http_audit *a);

/*
 * The handler returned RC (ERR when -1): unless its write transaction
 * holds the record already, append it now with the result.
 */
void http_audit_done(struct app *app, struct http_audit *a, int rc,
    const struct err *err);

/* Whether ERR is an authorization refusal (recorded for any request). */
bool http_audit_is_refusal(const struct err *err);

#endif
