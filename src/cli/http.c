/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed HTTP calls of the iotjobs command through libcurl. Signing uses
 * the project's own SigV4 code (src/common/sigv4), the code iotjobsd
 * verifies with, rather than libcurl's CURLOPT_AWS_SIGV4: one
 * canonicalisation for both ends (paths with '$', query strings, session
 * tokens), whatever libcurl version the host has (7.75 is the first with
 * the option, and its canonical query handling changed after it).
 */
#include "cli.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sigv4/sigv4.h"

#define HDR_MAX		8
#define QUERY_PAIRS_MAX	64
#define BODY_MAX	(64L << 20)	/* largest answer accepted */

/* One request in flight: its headers, its answer, its outcome. */
struct cli_req {
	CURL *curl;
	struct curl_slist *hdrs;
	char *body;		/* request body (owned) */
	char *resp;
	size_t resp_len, resp_cap;
	char error_type[128];
	char errbuf[CURL_ERROR_SIZE];
	cli_done_fn *done;
	void *arg;
	struct cli_req *next;	/* waiting list of a multi */
};

static size_t
on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct cli_req *r = arg;
	size_t len = size * n;

	if (r->resp_len + len + 1 > (size_t)BODY_MAX)
		return 0;
	if (r->resp_len + len + 1 > r->resp_cap) {
		r->resp_cap = (r->resp_len + len + 1) * 2;
		r->resp = realloc(r->resp, r->resp_cap);
		if (r->resp == NULL)
			abort();
	}
	memcpy(r->resp + r->resp_len, ptr, len);
	r->resp_len += len;
	r->resp[r->resp_len] = '\0';
	return len;
}

static size_t
on_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct cli_req *r = arg;
	size_t len = size * n, k = strlen("x-amzn-errortype:");
	size_t i, j = 0;

	if (len > k && strncasecmp(ptr, "x-amzn-errortype:", k) == 0) {
		for (i = k; i < len && (ptr[i] == ' ' || ptr[i] == '\t'); i++)
			;
		for (; i < len && ptr[i] != ':' && ptr[i] != '\r' &&
		    ptr[i] != '\n' && j + 1 < sizeof(r->error_type); i++)
			r->error_type[j++] = ptr[i];
		r->error_type[j] = '\0';
	}
	return len;
}

/* The host[:port] of URL into BUF. */
static int
url_host(const char *url, char *buf, size_t size)
{
	const char *p = strstr(url, "://"), *end;

	if (p == NULL)
		return -1;
	p += 3;
	end = strchr(p, '/');
	if (end == NULL)
		end = p + strlen(p);
	if ((size_t)(end - p) >= size || end == p)
		return -1;
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\0';
	return 0;
}

/* Splits the encoded QUERY (copied into BUF) into raw pairs. */
static size_t
query_pairs(const char *query, char *buf, size_t size,
    struct sigv4_pair *q)
{
	char *p, *amp, *eq;
	size_t n = 0;

	if (query == NULL || query[0] == '\0')
		return 0;
	snprintf(buf, size, "%s", query);
	for (p = buf; p != NULL && n < QUERY_PAIRS_MAX; p = amp) {
		amp = strchr(p, '&');
		if (amp != NULL)
			*amp++ = '\0';
		eq = strchr(p, '=');
		if (eq != NULL)
			*eq++ = '\0';
		q[n].name = p;
		q[n].value = eq != NULL ? eq : "";
		n++;
	}
	return n;
}

/* The signed headers of a request into R->hdrs. */
static int
req_sign(const struct cli_conf *c, struct cli_req *r, const char *method,
    const char *path, const char *query, struct cli_err *e)
{
	char host[512], date[SIGV4_DATE_LEN + 1], hash[SIGV4_HEX_LEN + 1];
	char authz[SIGV4_AUTHZ_MAX], line[CLI_TOKEN_MAX + 64];
	char qbuf[CLI_URL_MAX * 2];
	struct sigv4_pair h[4], q[QUERY_PAIRS_MAX];
	struct sigv4_request sr;
	struct sigv4_scope scope;
	struct err err;
	size_t nh = 0;

	if (url_host(c->endpoint, host, sizeof(host)) == -1)
		return cli_err_set(e, "ConfigError", "endpoint '%s' is not a"
		    " URL like http://HOST:PORT", c->endpoint);
	sigv4_format_date((int64_t)time(NULL), date);
	memset(&scope, 0, sizeof(scope));
	memcpy(scope.day, date, SIGV4_DAY_LEN);
	snprintf(scope.region, sizeof(scope.region), "%s", c->region);
	snprintf(scope.service, sizeof(scope.service), "iot");
	sigv4_sha256_hex(r->body != NULL ? r->body : "",
	    r->body != NULL ? strlen(r->body) : 0, hash);
	h[nh++] = (struct sigv4_pair){ "host", host };
	h[nh++] = (struct sigv4_pair){ "x-amz-date", date };
	if (r->body != NULL)
		h[nh++] = (struct sigv4_pair){ "content-type",
		    "application/json" };
	if (c->session_token[0] != '\0')
		h[nh++] = (struct sigv4_pair){ "x-amz-security-token",
		    c->session_token };
	memset(&sr, 0, sizeof(sr));
	sr.method = method;
	sr.path = path;
	sr.query = q;
	sr.nquery = query_pairs(query, qbuf, sizeof(qbuf), q);
	sr.headers = h;
	sr.nheaders = nh;
	sr.payload_hash = hash;
	err_clear(&err);
	if (sigv4_sign(&sr, c->access_key_id, c->secret_access_key, &scope,
	    date, authz, sizeof(authz), &err) == -1)
		return cli_err_set(e, "SigningError", "%s", err.msg);
	snprintf(line, sizeof(line), "Host: %s", host);
	r->hdrs = curl_slist_append(r->hdrs, line);
	snprintf(line, sizeof(line), "X-Amz-Date: %s", date);
	r->hdrs = curl_slist_append(r->hdrs, line);
	snprintf(line, sizeof(line), "Authorization: %s", authz);
	r->hdrs = curl_slist_append(r->hdrs, line);
	if (c->session_token[0] != '\0') {
		snprintf(line, sizeof(line), "X-Amz-Security-Token: %s",
		    c->session_token);
		r->hdrs = curl_slist_append(r->hdrs, line);
	}
	r->hdrs = curl_slist_append(r->hdrs, r->body != NULL ?
	    "Content-Type: application/json" : "Content-Type:");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json");
	return 0;
}

/* A new request (curl handle set up), or NULL with E. */
static struct cli_req *
req_new(const struct cli_conf *c, CURL *reuse, const char *method,
    const char *path, const char *query, const json_t *body,
    struct cli_err *e)
{
	struct cli_req *r = calloc(1, sizeof(*r));
	char url[CLI_URL_MAX * 3];

	if (r == NULL)
		abort();
	if (body != NULL)
		r->body = json_dumps(body, JSON_COMPACT);
	if (req_sign(c, r, method, path, query, e) == -1) {
		curl_slist_free_all(r->hdrs);
		free(r->body);
		free(r);
		return NULL;
	}
	snprintf(url, sizeof(url), "%s%s%s%s", c->endpoint, path,
	    query != NULL && query[0] != '\0' ? "?" : "",
	    query != NULL ? query : "");
	r->curl = reuse != NULL ? reuse : curl_easy_init();
	curl_easy_reset(r->curl);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
	curl_easy_setopt(r->curl, CURLOPT_TIMEOUT, c->read_timeout);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(r->curl, CURLOPT_VERBOSE, c->debug > 1 ? 1L : 0L);
	if (r->body != NULL) {
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(r->body));
	} else if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(r->curl, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") != 0) {
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE, 0L);
	}
	return r;
}

static void
req_free(struct cli_req *r, bool keep_curl)
{
	if (r == NULL)
		return;
	if (!keep_curl)
		curl_easy_cleanup(r->curl);
	curl_slist_free_all(r->hdrs);
	free(r->body);
	free(r->resp);
	free(r);
}

/*
 * The outcome of a finished request: 0 with *OUT on 2xx, else -1 with E.
 * CC is curl's result; *STATUS the HTTP status (0: none).
 */
static int
req_outcome(const struct cli_conf *c, struct cli_req *r, CURLcode cc,
    long *status, json_t **out, struct cli_err *e)
{
	json_t *body = NULL;

	*status = 0;
	if (out != NULL)
		*out = NULL;
	if (cc != CURLE_OK)
		return cli_err_set(e, "EndpointConnectionError", "cannot reach"
		    " %s: %s", c->endpoint, r->errbuf[0] != '\0' ? r->errbuf :
		    curl_easy_strerror(cc));
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, status);
	if (r->resp_len > 0)
		body = json_loadb(r->resp, r->resp_len, 0, NULL);
	if (e != NULL)
		e->status = *status;
	if (*status >= 200 && *status < 300) {
		if (body == NULL)
			body = json_object();
		if (out != NULL)
			*out = body;
		else
			json_decref(body);
		return 0;
	}
	cli_err_set(e, r->error_type[0] != '\0' ? r->error_type : "HTTPError",
	    "%s", cli_str(body, "message", cli_str(body, "Message",
	    "(no message)")));
	if (e != NULL)
		e->status = *status;
	json_decref(body);
	return -1;
}

int
cli_call(const struct cli_conf *c, const char *method, const char *path,
    const char *query, const json_t *body, json_t **out, struct cli_err *e)
{
	struct cli_req *r;
	CURLcode cc;
	long status;
	int rc;

	r = req_new(c, NULL, method, path, query, body, e);
	if (r == NULL)
		return -1;
	if (c->debug)
		fprintf(stderr, "iotjobs: %s %s%s%s\n", method, path,
		    query != NULL ? "?" : "", query != NULL ? query : "");
	cc = curl_easy_perform(r->curl);
	rc = req_outcome(c, r, cc, &status, out, e);
	req_free(r, false);
	return rc;
}

/* --- the pool ---------------------------------------------------------- */

struct cli_multi {
	const struct cli_conf *c;
	CURLM *multi;
	int parallel, running, pending;
	CURL **idle;		/* finished handles, reused (keep-alive) */
	int nidle;
	struct cli_req *wait_head, *wait_tail;
};

struct cli_multi *
cli_multi_new(const struct cli_conf *c, int parallel)
{
	struct cli_multi *m = calloc(1, sizeof(*m));

	if (m == NULL)
		abort();
	m->c = c;
	m->parallel = parallel;
	m->multi = curl_multi_init();
	curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)parallel);
	m->idle = calloc((size_t)parallel, sizeof(*m->idle));
	if (m->idle == NULL)
		abort();
	return m;
}

void
cli_multi_free(struct cli_multi *m)
{
	int i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nidle; i++)
		curl_easy_cleanup(m->idle[i]);
	curl_multi_cleanup(m->multi);
	free(m->idle);
	free(m);
}

int
cli_multi_pending(const struct cli_multi *m)
{
	return m->pending;
}

void
cli_multi_add(struct cli_multi *m, const char *method, const char *path,
    const char *query, const json_t *body, cli_done_fn *done, void *arg)
{
	struct cli_err e;
	struct cli_req *r;
	CURL *reuse = m->nidle > 0 ? m->idle[--m->nidle] : NULL;

	memset(&e, 0, sizeof(e));
	r = req_new(m->c, reuse, method, path, query, body, &e);
	if (r == NULL) {
		if (reuse != NULL)
			m->idle[m->nidle++] = reuse;
		done(arg, 0, NULL, &e);
		return;
	}
	r->done = done;
	r->arg = arg;
	m->pending++;
	if (m->running < m->parallel) {
		curl_easy_setopt(r->curl, CURLOPT_PRIVATE, r);
		curl_multi_add_handle(m->multi, r->curl);
		m->running++;
		return;
	}
	if (m->wait_tail != NULL)
		m->wait_tail->next = r;
	else
		m->wait_head = r;
	m->wait_tail = r;
}

static void
multi_finish(struct cli_multi *m, CURLMsg *msg)
{
	struct cli_req *r;
	struct cli_err e;
	json_t *body = NULL;
	long status;

	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(m->multi, r->curl);
	m->running--;
	m->pending--;
	memset(&e, 0, sizeof(e));
	if (req_outcome(m->c, r, msg->data.result, &status, &body, &e) == 0)
		r->done(r->arg, status, body, NULL);
	else
		r->done(r->arg, status, NULL, &e);
	json_decref(body);
	if (m->nidle < m->parallel) {
		m->idle[m->nidle++] = r->curl;
		req_free(r, true);
	} else {
		req_free(r, false);
	}
	if (m->wait_head != NULL) {
		r = m->wait_head;
		m->wait_head = r->next;
		if (m->wait_head == NULL)
			m->wait_tail = NULL;
		curl_easy_setopt(r->curl, CURLOPT_PRIVATE, r);
		curl_multi_add_handle(m->multi, r->curl);
		m->running++;
	}
}

void
cli_multi_run(struct cli_multi *m, int low)
{
	CURLMsg *msg;
	int still, left;

	while (m->pending > low) {
		curl_multi_perform(m->multi, &still);
		while ((msg = curl_multi_info_read(m->multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				multi_finish(m, msg);
		if (m->pending > low)
			curl_multi_poll(m->multi, NULL, 0, 100, NULL);
	}
}
