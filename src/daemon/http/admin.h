/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs' own administrative routes under /_iotjobs/ (not AWS operations),
 * signed with the admin credential like a control-plane request.
 */
#ifndef IOTJOBS_HTTP_ADMIN_H
#define IOTJOBS_HTTP_ADMIN_H

#include <jansson.h>
#include <stdbool.h>

#include "app.h"
#include "auth/auth.h"
#include "err.h"
#include "http/dispatch.h"

/* True when RAW_PATH is an administrative route (/_iotjobs/...). */
bool admin_is_route(const char *raw_path);

/*
 * Serves the administrative request REQ signed by WHO (request id RID):
 * 0 with *OUT (a new object, the 200 body), or -1 with ERR (404 for a
 * route that does not exist, AccessDeniedException 403 for a principal
 * the action is refused to, or the handler's error).
 */
int admin_serve(struct app *app, const struct http_request *req,
    const struct principal *who, const char *rid, json_t **out,
    struct err *err);

/* Whether REQ is an administrative write (audited like one). */
bool admin_is_write(const struct http_request *req);

/* The action name of REQ's route ("iotjobs:PauseJob"), for logs. */
const char *admin_op_name(const struct http_request *req);

#endif
