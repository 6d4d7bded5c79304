/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs' own routes under /_iotjobs/, one table: each row names the
 * action authorized (iotjobs:ACTION on "*" or on the job's ARN; the admin
 * key has every action), whether it is a write (audited as a
 * control-plane write), its handler, an api_handler_fn like an AWS
 * operation's, and what the handler needs of the pipeline (API_READ,
 * API_WRITE, API_SCHED: api_pipeline_run_row opens and ends its
 * transaction). The handler's input is one JSON object: the path label
 * (jobId), the query parameters (decoded) and the members of the JSON
 * body. docs/operator.md lists the routes and their answers.
 *
 *   GET  /_iotjobs/clock, POST /_iotjobs/clock    --test-clock only
 *   GET  /_iotjobs/status                         iotjobs:DescribeStatus
 *   GET  /_iotjobs/jobs/ID/rollout                iotjobs:DescribeRollout
 *   POST /_iotjobs/jobs/ID/pause                  iotjobs:PauseJob
 *   POST /_iotjobs/jobs/ID/resume                 iotjobs:ResumeJob
 *   POST /_iotjobs/plan (CreateJob's input)       iotjobs:PlanJob
 *   GET  /_iotjobs/explain?thingName=&jobId=      iotjobs:ExplainExecution
 *   GET  /_iotjobs/audit?since=&thingName=...     iotjobs:ListAuditRecords
 *   POST /_iotjobs/things/import {"things": [...]} iotjobs:ImportThings
 */
#include "http/admin.h"

#include <stdlib.h>
#include <string.h>

#include "api/ext.h"
#include "api/pipeline.h"
#include "auth/authz.h"
#include "clock.h"
#include "engine/sched.h"
#include "http/audit.h"
#include "pct.h"

#define PREFIX		"/_iotjobs/"
#define CLOCK_PATH	"/_iotjobs/clock"
#define ADVANCE_MAX	(10LL * 366 * 86400)	/* ten years per call */
#define LABEL_MAX	256

enum admin_res { RES_ANY, RES_JOB };

struct admin_route {
	const char *method;
	const char *path;	/* "*" stands for one path segment, the job */
	const char *action;
	enum admin_res res;
	bool write;
	api_handler_fn *fn;
	unsigned needs;		/* API_* flags */
};

static const struct admin_route admin_routes[] = {
	{ "GET", "/_iotjobs/status", "iotjobs:DescribeStatus", RES_ANY, false,
	  ext_status, 0 },
	{ "GET", "/_iotjobs/jobs/*/rollout", "iotjobs:DescribeRollout", RES_JOB,
	  false, ext_rollout, API_READ },
	/* ext_pause sets ctx->poke when a resume releases executions. */
	{ "POST", "/_iotjobs/jobs/*/pause", "iotjobs:PauseJob", RES_JOB, true,
	  ext_pause, API_WRITE },
	{ "POST", "/_iotjobs/jobs/*/resume", "iotjobs:ResumeJob", RES_JOB, true,
	  ext_resume, API_WRITE },
	/* A dry run: its own write transaction, always rolled back. */
	{ "POST", "/_iotjobs/plan", "iotjobs:PlanJob", RES_JOB, false,
	  ext_plan, 0 },
	{ "GET", "/_iotjobs/explain", "iotjobs:ExplainExecution", RES_JOB,
	  false, ext_explain, API_READ },
	{ "GET", "/_iotjobs/audit", "iotjobs:ListAuditRecords", RES_ANY, false,
	  ext_audit, API_READ },
	/* Audited per thing by the handler, in its transaction. */
	{ "POST", "/_iotjobs/things/import", "iotjobs:ImportThings", RES_ANY,
	  false, ext_import, API_WRITE },
};
#define ADMIN_NROUTES (sizeof(admin_routes) / sizeof(admin_routes[0]))

bool
admin_is_route(const char *raw_path)
{
	return strncmp(raw_path, PREFIX, strlen(PREFIX)) == 0;
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

static int
clock_serve(struct app *app, const struct http_request *req,
    const struct principal *who, json_t **out, struct err *err)
{
	if (!app->conf->test_clock)
		return err_set_status(err, 404, ERR_NOT_FOUND,
		    "Not Found: %s", req->raw_path);
	if (authz_check_action(app->authz, who, strcmp(req->method, "GET") ==
	    0 ? "iotjobs:DescribeClock" : "iotjobs:AdvanceClock", "*",
	    req->peer, err) == -1)
		return -1;
	if (strcmp(req->method, "GET") == 0) {
		sched_clock_sync();
		*out = json_pack("{s:I}", "now", (json_int_t)clock_now());
		return 0;
	}
	if (strcmp(req->method, "POST") == 0)
		return clock_advance_req(req, out, err);
	return err_set_status(err, 405, ERR_INVALID_REQUEST, "%s %s: use GET"
	    " or POST", req->method, req->raw_path);
}

/* Whether PATH matches PATTERN; the "*" segment into LABEL. */
static bool
path_match(const char *pattern, const char *path, char *label, size_t size)
{
	const char *star = strchr(pattern, '*'), *end;
	size_t pre;

	if (star == NULL)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(star - pattern);
	if (strncmp(pattern, path, pre) != 0)
		return false;
	end = strchr(path + pre, '/');
	if (end == NULL || end == path + pre ||
	    strcmp(end, star + 1) != 0)
		return false;
	return pct_decode(path + pre, (size_t)(end - path - pre), PCT_STRICT,
	    label, size, NULL) == 0;
}

/* The handler's input: label, query parameters, body members. */
static int
route_input(const struct http_request *req, const char *label, json_t **in,
    struct err *err)
{
	char name[LABEL_MAX], value[LABEL_MAX * 4];
	json_error_t jerr;
	json_t *o = json_object(), *body;
	size_t i;

	if (req->body_len > 0) {
		body = json_loadb(req->body, req->body_len,
		    JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(body)) {
			json_decref(body);
			json_decref(o);
			return err_set(err, ERR_INVALID_REQUEST, "the body is"
			    " not a JSON object: %s", jerr.text);
		}
		json_object_update(o, body);
		json_decref(body);
	}
	for (i = 0; i < req->nquery; i++) {
		const char *v = req->query[i].value != NULL ?
		    req->query[i].value : "";

		if (pct_decode(req->query[i].name, strlen(req->query[i].name),
		    PCT_STRICT, name, sizeof(name), NULL) == -1 ||
		    pct_decode(v, strlen(v), PCT_STRICT, value, sizeof(value),
		    NULL) == -1) {
			json_decref(o);
			return err_set(err, ERR_INVALID_REQUEST, "a query"
			    " parameter is not percent-encoded or too long");
		}
		json_object_set_new(o, name, json_string(value));
	}
	if (label[0] != '\0')
		json_object_set_new(o, "jobId", json_string(label));
	*in = o;
	return 0;
}

static int
route_authz(struct app *app, const struct admin_route *r,
    const struct http_request *req, const struct principal *who,
    const json_t *in, struct err *err)
{
	char arn[512];
	const char *job = json_string_value(json_object_get(in, "jobId"));

	if (r->res == RES_ANY)
		return authz_check_action(app->authz, who, r->action, "*",
		    req->peer, err);
	if (job == NULL || job[0] == '\0')
		return err_set(err, ERR_INVALID_REQUEST, "jobId is required");
	snprintf(arn, sizeof(arn), "arn:aws:iot:%s:%s:job/%s",
	    app->conf->region, app->conf->account_id, job);
	return authz_check_action(app->authz, who, r->action, arn, req->peer,
	    err);
}

static const struct admin_route *
admin_find(const struct http_request *req, char *label, size_t size)
{
	size_t i;

	label[0] = '\0';
	for (i = 0; i < ADMIN_NROUTES; i++)
		if (strcmp(admin_routes[i].method, req->method) == 0 &&
		    path_match(admin_routes[i].path, req->raw_path, label,
		    size))
			return &admin_routes[i];
	return NULL;
}

int
admin_serve(struct app *app, const struct http_request *req,
    const struct principal *who, const char *rid, json_t **out,
    struct err *err)
{
	const struct admin_route *r;
	struct api_op row;
	char label[LABEL_MAX];
	struct http_audit audit;
	struct api_ctx ctx;
	json_t *in = NULL;
	int rc;

	if (strcmp(req->raw_path, CLOCK_PATH) == 0)
		return clock_serve(app, req, who, out, err);
	r = admin_find(req, label, sizeof(label));
	if (r == NULL)
		return err_set_status(err, 404, ERR_NOT_FOUND,
		    "Not Found: %s %s", req->method, req->raw_path);
	if (route_input(req, label, &in, err) == -1)
		return -1;
	http_audit_init(&audit, r->action, who, in, req->peer, rid,
	    clock_now());
	if (route_authz(app, r, req, who, in, err) == -1) {
		if (http_audit_is_refusal(err))
			http_audit_done(app, &audit, -1, err);
		json_decref(in);
		return -1;
	}
	sched_clock_sync();
	api_ctx_init(&ctx, app, who, PLANE_CONTROL, clock_now(), rid);
	ctx.peer = req->peer;
	row.name = r->action;
	row.plane = PLANE_CONTROL;
	row.fn = r->fn;
	row.needs = r->needs;
	if (r->write)
		http_audit_arm(&audit);
	rc = api_pipeline_run_row(&ctx, &row, in, out, err);
	if (r->write)
		http_audit_done(app, &audit, rc, err);
	json_decref(in);
	return rc;
}

bool
admin_is_write(const struct http_request *req)
{
	char label[LABEL_MAX];
	const struct admin_route *r;

	if (strcmp(req->raw_path, CLOCK_PATH) == 0)
		return strcmp(req->method, "POST") == 0;
	r = admin_find(req, label, sizeof(label));
	return r != NULL && r->write;
}

const char *
admin_op_name(const struct http_request *req)
{
	char label[LABEL_MAX];
	const struct admin_route *r;

	if (strcmp(req->raw_path, CLOCK_PATH) == 0)
		return strcmp(req->method, "POST") == 0 ?
		    "iotjobs:AdvanceClock" : "iotjobs:DescribeClock";
	r = admin_find(req, label, sizeof(label));
	return r != NULL ? r->action : "admin";
}
