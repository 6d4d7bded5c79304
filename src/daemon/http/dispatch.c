/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request pipeline of the HTTP front end (see dispatch.h) and the AWS
 * error encoding of WIRE.md 6: bare error name in x-amzn-ErrorType, body
 * {"message": ...} plus the error's modeled members, status from the
 * generated table for the plane.
 */
#include "http/dispatch.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "api/api.h"
#include "api/pipeline.h"
#include "api/validate.h"
#include "auth/authz.h"
#include "clock.h"
#include "engine/sched.h"
#include "http/admin.h"
#include "http/audit.h"
#include "http/health.h"
#include "http/input.h"
#include "http/router.h"
#include "log.h"
#include "uuid.h"
#include "metrics.h"
#include "store/store.h"
#include "xmalloc.h"

void
http_request_id(char *buf, size_t size)
{
	struct err err;

	/* Every id of a reply is random; without randomness, stop. */
	if (size < UUID_LEN + 1 || uuid_new(buf, &err) == -1)
		fatalx("request id: %s", size < UUID_LEN + 1 ? "no room" :
		    err.msg);
}

static void
reply_json(struct http_reply *rep, int status, json_t *body)
{
	/* Most answers fit: one allocation instead of jansson's doublings. */
	char small[8192];
	size_t n = json_dumpb(body, small, sizeof(small), JSON_COMPACT);

	rep->status = status;
	if (n == 0) {
		rep->body = xstrdup("{}");
		rep->body_len = 2;
		return;
	}
	rep->body = xmalloc(n + 1);
	if (n <= sizeof(small))
		memcpy(rep->body, small, n);
	else
		json_dumpb(body, rep->body, n, JSON_COMPACT);
	rep->body[n] = '\0';
	rep->body_len = n;
}

static void
reply_error(struct http_reply *rep, enum plane plane, const struct err *err)
{
	json_t *body = json_object();
	int status = err->status;

	if (status == 0)
		status = model_error_status(plane, err->type);
	if (status <= 0)
		status = strstr(err->type, "Internal") != NULL ? 500 : 400;
	json_object_set_new(body, "message", json_string(err->msg));
	if (err->resource_id[0] != '\0')
		json_object_set_new(body, "resourceId",
		    json_string(err->resource_id));
	if (err->resource_arn[0] != '\0')
		json_object_set_new(body, "resourceArn",
		    json_string(err->resource_arn));
	rep->error_type = err->type;
	reply_json(rep, status, body);
	json_decref(body);
}

static enum plane
plane_of(const char *service, struct err *err)
{
	if (strcmp(service, "iot-jobs-data") == 0)
		return PLANE_DATA;
	if (strcmp(service, "iot") == 0 || strcmp(service, "execute-api") == 0)
		return PLANE_CONTROL;
	err_set_status(err, 403, ERR_INVALID_SIGNATURE, "Credential should be"
	    " scoped to a valid service: '%s' is not iot-jobs-data, iot or"
	    " execute-api", service);
	return PLANE_COUNT;
}

static const char *
header_value(const struct http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

static bool
has_header(const struct http_request *req, const char *name)
{
	return header_value(req, name) != NULL;
}

/*
 * GET /metrics on the main listener: no SigV4, but only for a loopback
 * peer or the holder of --metrics-token (--metrics-listen serves anyone).
 */
static int
serve_metrics(struct app *app, const struct http_request *req,
    struct http_reply *rep, struct err *err)
{
	char *text;
	size_t len;

	if (strcmp(req->method, "GET") != 0)
		return err_set_status(err, 405, ERR_INVALID_REQUEST,
		    "%s /metrics: use GET", req->method);
	if (!metrics_allowed(app, req->peer, header_value(req,
	    "Authorization")))
		return err_set_status(err, 403, ERR_ACCESS_DENIED, "GET"
		    " /metrics from %s: only loopback peers and holders of"
		    " --metrics-token (Authorization: Bearer TOKEN) may read"
		    " it here; --metrics-listen serves anyone",
		    req->peer != NULL ? req->peer : "an unknown peer");
	metrics_render(app, &text, &len);
	rep->status = 200;
	rep->body = text;
	rep->body_len = len;
	rep->content_type = METRICS_CONTENT_TYPE;
	return 0;
}

/*
 * Who sent REQ: a request over HTTPS with a client certificate and no
 * SigV4 signature (neither an Authorization header nor a presigned
 * query) is that certificate's principal; any other is the signer's, and
 * its credential scope picks the plane. *PLANE is PLANE_COUNT for a
 * certificate: the route decides.
 */
static int
authenticate(struct app *app, const struct http_request *req,
    struct auth_result *who, enum plane *plane, struct err *err)
{
	struct auth_request ar;
	size_t i;
	bool presigned = false;

	for (i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].name, "X-Amz-Signature") == 0)
			presigned = true;
	if (req->client_cert_id != NULL && !presigned &&
	    !has_header(req, "Authorization")) {
		memset(who, 0, sizeof(*who));
		who->who.kind = PRINCIPAL_CERT;
		snprintf(who->who.cert_id, sizeof(who->who.cert_id), "%s",
		    req->client_cert_id);
		*plane = PLANE_COUNT;
		return 0;
	}
	ar.method = req->method;
	ar.raw_path = req->raw_path;
	ar.query = req->query;
	ar.nquery = req->nquery;
	ar.headers = req->headers;
	ar.nheaders = req->nheaders;
	ar.body = (const unsigned char *)req->body;
	ar.body_len = req->body_len;
	if (auth_check(app->auth, &ar, clock_real(), who, err) == -1)
		return -1;
	/* As AWS: a key is good in every region, a signature in one. */
	if (strcmp(who->region, app->conf->region) != 0)
		return err_set_status(err, 403, ERR_INVALID_SIGNATURE,
		    "Credential should be scoped to a valid region, not '%s'. ",
		    who->region);
	*plane = plane_of(who->service, err);
	return *plane == PLANE_COUNT ? -1 : 0;
}

/*
 * The route of a certificate principal's request: the data plane's where
 * the planes share a path (a device's certificate is for its jobs), else
 * the control plane's.
 */
static int
route_cert(const struct http_request *req, struct route_match *m,
    enum plane *plane, struct err *err)
{
	if (router_find(PLANE_DATA, req->method, req->raw_path, m,
	    err) == 0) {
		*plane = PLANE_DATA;
		return 0;
	}
	err_clear(err);
	*plane = PLANE_CONTROL;
	return router_find(PLANE_CONTROL, req->method, req->raw_path, m, err);
}

/*
 * A request value for the log line in BUF: at most SIZE - 1 characters,
 * those outside the name patterns of the models replaced by '?', so that
 * a client's bytes never break the line's key=value shape. "-" for none.
 */
static const char *
log_value(const char *v, char *buf, size_t size)
{
	size_t i;

	if (v == NULL || v[0] == '\0')
		return "-";
	for (i = 0; v[i] != '\0' && i + 1 < size; i++)
		buf[i] = (isalnum((unsigned char)v[i]) ||
		    strchr(":_-.$", v[i]) != NULL) ? v[i] : '?';
	buf[i] = '\0';
	return buf;
}

static const char *
route_label(const struct route_match *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nlabels; i++)
		if (strcmp(m->labels[i].name, name) == 0)
			return m->labels[i].value;
	return NULL;
}

/* Who made the request, for the log: a key id, a certificate id, "-". */
static const char *
log_principal(const struct auth_result *who, bool authenticated)
{
	if (!authenticated)
		return "-";
	if (who->who.kind == PRINCIPAL_CERT)
		return who->who.cert_id;
	return who->who.access_key_id[0] != '\0' ?
	    who->who.access_key_id : "-";
}

static int64_t
elapsed_us(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* The HTTP front end's part of the pipeline: authorization and audit. */
struct http_front {
	struct app *app;
	const struct http_request *req;
	const struct auth_result *who;
	const struct model_op *op;
	const char *rid;
	struct http_audit audit;
	bool write;
};

static int
front_admit(void *arg, const json_t *in, struct err *err)
{
	struct http_front *f = arg;
	struct authz_request zr;

	zr.who = &f->who->who;
	zr.plane = f->op->plane;
	zr.op = f->op->name;
	zr.in = in;
	zr.source_ip = f->req->peer;
	http_audit_init(&f->audit, f->op->name, &f->who->who, in,
	    f->req->peer, f->rid, clock_now());
	if (authz_check(f->app->authz, &zr, err) == -1) {
		if (http_audit_is_refusal(err))
			http_audit_done(f->app, &f->audit, -1, err);
		return -1;
	}
	f->write = http_audit_is_write(f->op);
	if (f->write)
		http_audit_arm(&f->audit);
	return 0;
}

static void
front_done(void *arg, int rc, const struct err *err)
{
	struct http_front *f = arg;

	if (f->write)
		http_audit_done(f->app, &f->audit, rc, err);
}

/* Runs the matched operation; 0 with *OUT, or -1 with ERR. */
static int
run_op(struct app *app, const struct http_request *req,
    const struct auth_result *who, enum plane plane,
    const struct route_match *m, json_t **out, int *status,
    const char *rid, uint64_t *batch, struct err *err)
{
	struct http_front f;
	struct api_front front = { front_admit, front_done, &f };
	struct api_result res;
	struct api_ctx ctx;
	json_t *in = NULL;
	int rc;

	if (api_op_find(plane, m->op->name) == NULL)
		return err_set_status(err, 501, ERR_NOT_IMPLEMENTED,
		    "%s is not implemented by iotjobs yet", m->op->name);
	if (http_input_build(m, req->query, req->nquery, req->headers,
	    req->nheaders, req->body, req->body_len, validate_errtype(m->op),
	    &in, err) == -1)
		return -1;
	f.app = app;
	f.req = req;
	f.who = who;
	f.op = m->op;
	f.rid = rid;
	f.write = false;
	sched_clock_sync();
	api_ctx_init(&ctx, app, &who->who, plane, clock_now(), rid);
	ctx.peer = req->peer;
	rc = api_pipeline_run(&ctx, m->op, in, API_RUN_HOLD, &front, &res,
	    err);
	*out = res.out;
	*status = res.status;
	*batch = res.batch;
	json_decref(in);
	return rc;
}

void
http_dispatch(struct app *app, const struct http_request *req,
    struct http_reply *rep)
{
	struct timespec t0;
	struct auth_result who;
	struct route_match m;
	struct err err;
	enum plane plane = PLANE_CONTROL;
	const char *opname = "-";
	json_t *out = NULL;
	int status = 200;
	bool authenticated = false, probe = false;
	char thing[130], job[130];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(rep, 0, sizeof(*rep));
	memset(&m, 0, sizeof(m));
	err_clear(&err);
	http_request_id(rep->request_id, sizeof(rep->request_id));
	if (req->too_many_fields) {
		err_set(&err, ERR_INVALID_REQUEST, "The request has more than"
		    " %d headers or query parameters", HTTP_MAX_FIELDS);
		goto done;
	}
	if (req->body_too_large) {
		err_set(&err, ERR_INVALID_REQUEST, "The request body exceeds"
		    " the limit of %zu bytes", app->conf->body_limit);
		goto done;
	}
	if (strcmp(req->raw_path, "/metrics") == 0) {
		opname = "metrics";
		serve_metrics(app, req, rep, &err);
		goto done;
	}
	if (health_is_route(req->raw_path)) {
		opname = "health";
		probe = true;
		if (health_serve(app, req, &out, &status, &err) == -1)
			goto done;
		reply_json(rep, status, out);
		goto done;
	}
	if (authenticate(app, req, &who, &plane, &err) == -1)
		goto done;
	authenticated = true;
	if (admin_is_route(req->raw_path)) {
		opname = admin_op_name(req);
		if (plane == PLANE_COUNT)
			plane = PLANE_CONTROL;
		if (admin_serve(app, req, &who.who, rep->request_id, &out,
		    &err) == -1)
			goto done;
		if (out == NULL)
			out = json_object();
		reply_json(rep, 200, out);
		goto done;
	}
	if (plane == PLANE_COUNT) {
		if (route_cert(req, &m, &plane, &err) == -1)
			goto done;
	} else if (router_find(plane, req->method, req->raw_path, &m,
	    &err) == -1) {
		goto done;
	}
	opname = m.op->name;
	if (run_op(app, req, &who, plane, &m, &out, &status, rep->request_id,
	    &rep->batch, &err) == -1)
		goto done;
	if (out == NULL)
		out = json_object();
	reply_json(rep, status, out);
done:
	if (err.type != NULL)
		reply_error(rep, plane == PLANE_COUNT ? PLANE_CONTROL : plane,
		    &err);
	json_decref(out);
	metrics_request(plane == PLANE_DATA ? PLANE_DATA : PLANE_CONTROL,
	    opname, rep->status, elapsed_us(&t0));
	/* Probes come every few seconds: a line each only at debug level. */
	if (!probe || log_is_enabled(LOG_LEVEL_DEBUG))
		log_info("request id=%s op=%s plane=%s method=%s status=%d%s%s"
		    " principal=%s thing=%s job=%s peer=%s us=%lld",
		    rep->request_id, opname, plane == PLANE_DATA ? "data" :
		    "control", req->method, rep->status, err.type != NULL ?
		    " error=" : "", err.type != NULL ? err.type : "",
		    log_principal(&who, authenticated),
		    log_value(route_label(&m, "thingName"), thing,
		    sizeof(thing)),
		    log_value(route_label(&m, "jobId"), job, sizeof(job)),
		    req->peer != NULL ? req->peer : "-",
		    (long long)elapsed_us(&t0));
	router_match_release(&m);
}

void
http_reply_unavailable(struct http_reply *rep)
{
	struct err err;

	free(rep->body);
	rep->body = NULL;
	err_clear(&err);
	err_set(&err, ERR_UNAVAILABLE, "The change could not be made durable;"
	    " retry the request.");
	reply_error(rep, PLANE_DATA, &err);
	rep->batch = 0;
}

void
http_reply_release(struct http_reply *rep)
{
	free(rep->body);
	rep->body = NULL;
}

int
http_dispatch_precheck(struct app *app, const struct http_request *req,
    enum plane *plane, struct err *err)
{
	struct auth_request ar;
	char service[64];
	size_t i;

	*plane = PLANE_CONTROL;
	if (req->too_many_fields)
		return err_set(err, ERR_INVALID_REQUEST, "The request has more"
		    " than %d headers or query parameters", HTTP_MAX_FIELDS);
	if (req->body_too_large)
		return err_set(err, ERR_INVALID_REQUEST, "The request body"
		    " exceeds the limit of %zu bytes", app->conf->body_limit);
	/* Probes and metrics answer without a signature (they decide). */
	if (health_is_route(req->raw_path) ||
	    strcmp(req->raw_path, "/metrics") == 0)
		return 0;
	if (req->client_cert_id != NULL && !has_header(req, "Authorization")) {
		for (i = 0; i < req->nquery; i++)
			if (strcmp(req->query[i].name, "X-Amz-Signature") == 0)
				break;
		/* The TLS handshake proved the key; the store decides. */
		if (i == req->nquery)
			return 0;
	}
	memset(&ar, 0, sizeof(ar));
	ar.method = req->method;
	ar.raw_path = req->raw_path;
	ar.query = req->query;
	ar.nquery = req->nquery;
	ar.headers = req->headers;
	ar.nheaders = req->nheaders;
	if (auth_precheck(app->auth, &ar, clock_real(), service,
	    sizeof(service), err) == -1)
		return -1;
	if (strcmp(service, "iot-jobs-data") == 0)
		*plane = PLANE_DATA;
	return 0;
}

void
http_dispatch_refuse(struct app *app, const struct http_request *req,
    enum plane plane, const struct err *err, struct http_reply *rep)
{
	(void)app;
	memset(rep, 0, sizeof(*rep));
	http_request_id(rep->request_id, sizeof(rep->request_id));
	reply_error(rep, plane, err);
	log_info("request id=%s op=- plane=%s method=%s status=%d error=%s"
	    " principal=- thing=- job=- peer=%s us=0 refused=head",
	    rep->request_id, plane == PLANE_DATA ? "data" : "control",
	    req->method, rep->status, err->type,
	    req->peer != NULL ? req->peer : "-");
}
