/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: an HTTP request through the front end's steps before the
 * store (http/dispatch.c): SigV4 verification (auth_check: Authorization
 * header or presigned query, X-Amz-Date, canonical request), the route
 * (router_find: percent-decoded labels), and the operation's input from
 * labels, query, headers and body (http_input_build, validate_input).
 * Input, as text:
 *     METHOD SP PATH [ "?" QUERY ] LF
 *     NAME ":" VALUE LF            (up to HTTP_MAX_PAIRS headers)
 *     LF
 *     BODY
 * Requests signed with FUZZ_AKID/FUZZ_SECRET at FUZZ_NOW (2026-01-01
 * 00:00:00Z) authenticate; the routing steps run either way.
 */
#include "fuzz.h"

#include <jansson.h>
#include <string.h>

#include "api/validate.h"
#include "auth/auth.h"
#include "err.h"
#include "gen/model.h"
#include "http/input.h"
#include "http/router.h"

#define FUZZ_AKID	"AKIDEXAMPLE"
#define FUZZ_SECRET	"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define FUZZ_NOW	INT64_C(1767225600)
#define MAX_PAIRS	64	/* HTTP_MAX_PAIRS of http/server.c */

static struct auth *fuzz_auth;

struct fuzz_req {
	char *text;		/* the head, split in place */
	char *method, *path;
	struct auth_pair query[MAX_PAIRS], headers[MAX_PAIRS];
	size_t nquery, nheaders;
	const char *body;
	size_t body_len;
};

static void
init_once(void)
{
	static int done;
	struct err err;
	bool generated;

	if (done)
		return;
	done = 1;
	fuzz_validate_init();
	err_clear(&err);
	router_init();
	setenv("IOTJOBS_ACCESS_KEY_ID", FUZZ_AKID, 1);
	setenv("IOTJOBS_SECRET_ACCESS_KEY", FUZZ_SECRET, 1);
	unsetenv("IOTJOBS_SESSION_TOKEN");
	if (auth_open("/nonexistent", NULL, &fuzz_auth, &generated,
	    &err) == -1)
		abort();
}

/* Splits QUERY ("a=1&b&c=") into R's pairs, as libmicrohttpd hands them. */
static void
split_query(struct fuzz_req *r, char *query)
{
	char *amp, *eq;

	while (query != NULL && r->nquery < MAX_PAIRS) {
		amp = strchr(query, '&');
		if (amp != NULL)
			*amp++ = '\0';
		eq = strchr(query, '=');
		if (eq != NULL)
			*eq++ = '\0';
		r->query[r->nquery].name = query;
		r->query[r->nquery].value = eq;
		r->nquery++;
		query = amp;
	}
}

/* Splits the head of DATA; the body follows the empty line. */
static void
split_request(struct fuzz_req *r, const uint8_t *data, size_t size)
{
	const uint8_t *end = NULL;
	size_t i, hlen = size;
	char *line, *nl, *colon, *q;

	for (i = 0; i + 1 < size; i++)
		if (data[i] == '\n' && data[i + 1] == '\n') {
			end = data + i;
			break;
		}
	if (end != NULL) {
		hlen = (size_t)(end - data);
		r->body = (const char *)end + 2;
		r->body_len = size - hlen - 2;
	}
	r->text = fuzz_cstr(data, hlen);
	line = r->text;
	nl = strchr(line, '\n');
	if (nl != NULL)
		*nl++ = '\0';
	r->method = line;
	r->path = strchr(line, ' ');
	if (r->path != NULL)
		*r->path++ = '\0';
	else
		r->path = line + strlen(line);
	q = strchr(r->path, '?');
	if (q != NULL) {
		*q++ = '\0';
		split_query(r, q);
	}
	for (line = nl; line != NULL && r->nheaders < MAX_PAIRS; line = nl) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		*colon++ = '\0';
		while (*colon == ' ')
			colon++;
		r->headers[r->nheaders].name = line;
		r->headers[r->nheaders].value = colon;
		r->nheaders++;
	}
}

/* The route and input steps for PLANE; as run_op does before the store. */
static void
route(const struct fuzz_req *r, enum plane plane)
{
	struct route_match m;
	struct err err;
	const char *errtype;
	json_t *in = NULL;

	memset(&m, 0, sizeof(m));
	err_clear(&err);
	if (router_find(plane, r->method, r->path, &m, &err) == -1) {
		if (err.type == NULL)
			abort();
		fuzz_check_msg(err.msg);
		router_match_release(&m);
		return;
	}
	errtype = validate_errtype(m.op);
	if (http_input_build(&m, r->query, r->nquery, r->headers,
	    r->nheaders, r->body, r->body_len, errtype, &in, &err) == 0 &&
	    m.op->input >= 0)
		(void)validate_input(m.op->input, in, errtype, &err);
	fuzz_check_msg(err.msg);
	json_decref(in);
	router_match_release(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_req r;
	struct auth_request ar;
	struct auth_result res;
	struct err err;

	init_once();
	memset(&r, 0, sizeof(r));
	r.body = "";
	split_request(&r, data, size);
	memset(&ar, 0, sizeof(ar));
	ar.method = r.method;
	ar.raw_path = r.path;
	ar.query = r.query;
	ar.nquery = r.nquery;
	ar.headers = r.headers;
	ar.nheaders = r.nheaders;
	ar.body = (const unsigned char *)r.body;
	ar.body_len = r.body_len;
	err_clear(&err);
	if (auth_check(fuzz_auth, &ar, FUZZ_NOW, &res, &err) == -1 &&
	    err.type == NULL)
		abort();
	fuzz_check_msg(err.msg);
	route(&r, PLANE_DATA);
	route(&r, PLANE_CONTROL);
	free(r.text);
	return 0;
}
