/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Administrative routes under /_iotjobs/, authorized as the actions
 * iotjobs:DescribeClock and iotjobs:AdvanceClock (the admin key has both):
 *   GET  /_iotjobs/clock                          {"now": N}
 *   POST /_iotjobs/clock {"advanceSeconds": N}    {"now": N}
 * Both exist only with --test-clock; the POST runs every deadline reached
 * before it answers (engine/sched.c). Anything else is 404.
 */
#include "http/admin.h"

#include <string.h>

#include "auth/authz.h"
#include "clock.h"
#include "engine/sched.h"

#define CLOCK_PATH	"/_iotjobs/clock"
#define ADVANCE_MAX	(10LL * 366 * 86400)	/* ten years per call */

bool
admin_is_route(const char *raw_path)
{
	return strncmp(raw_path, "/_iotjobs/", 10) == 0;
}

static int
clock_advance_req(const struct http_request *req, json_t **out,
    struct err *err)
{
	json_error_t jerr;
	json_t *body, *v;
	int64_t secs, now;

	body = json_loadb(req->body != NULL ? req->body : "", req->body_len,
	    JSON_REJECT_DUPLICATES, &jerr);
	v = json_object_get(body, "advanceSeconds");
	if (!json_is_integer(v)) {
		json_decref(body);
		return err_set(err, ERR_INVALID_REQUEST, "the body must be"
		    " {\"advanceSeconds\": N}, N a whole number of seconds");
	}
	secs = (int64_t)json_integer_value(v);
	json_decref(body);
	if (secs < 0 || secs > ADVANCE_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "advanceSeconds must"
		    " be between 0 and %lld (the clock never goes back)",
		    (long long)ADVANCE_MAX);
	if (sched_advance(secs, &now, err) == -1)
		return -1;
	*out = json_pack("{s:I}", "now", (json_int_t)now);
	return 0;
}

int
admin_serve(struct app *app, const struct http_request *req,
    const struct principal *who, json_t **out, struct err *err)
{
	if (!app->conf->test_clock || strcmp(req->raw_path, CLOCK_PATH) != 0)
		return err_set_status(err, 404, ERR_NOT_FOUND,
		    "Not Found: %s", req->raw_path);
	if (authz_check_action(app->authz, who, strcmp(req->method, "GET") ==
	    0 ? "iotjobs:DescribeClock" : "iotjobs:AdvanceClock", "*",
	    req->peer, err) == -1)
		return -1;
	if (strcmp(req->method, "GET") == 0) {
		*out = json_pack("{s:I}", "now", (json_int_t)clock_now());
		return 0;
	}
	if (strcmp(req->method, "POST") == 0)
		return clock_advance_req(req, out, err);
	return err_set_status(err, 405, ERR_INVALID_REQUEST, "%s %s: use GET"
	    " or POST", req->method, req->raw_path);
}
