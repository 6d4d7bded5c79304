/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The plugin's side of iotjobsd's broker socket: GET requests with
 * libcurl over the Unix socket (CURLOPT_UNIX_SOCKET_PATH), short
 * timeouts (the broker's thread waits for a connect's answer), JSON
 * answers parsed with jansson and the policies with policy_parse().
 */
#include "plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy.h"

#define HTTP_ANSWER_MAX		(1024 * 1024)
#define HTTP_CONNECT_MS		1000L
#define HTTP_TOTAL_MS		3000L

struct http_body {
	char *buf;
	size_t len;
	bool too_big;
};

static size_t
http_on_data(char *data, size_t size, size_t n, void *arg)
{
	struct http_body *b = arg;
	size_t add = size * n;
	char *nb;

	if (b->len + add > HTTP_ANSWER_MAX) {
		b->too_big = true;
		return 0;
	}
	nb = realloc(b->buf, b->len + add + 1);
	if (nb == NULL)
		return 0;
	b->buf = nb;
	memcpy(b->buf + b->len, data, add);
	b->len += add;
	b->buf[b->len] = '\0';
	return add;
}

int
plugin_http_init(struct plugin_http *h, const char *socket)
{
	memset(h, 0, sizeof(*h));
	if (strlen(socket) >= sizeof(h->socket))
		return -1;
	memcpy(h->socket, socket, strlen(socket) + 1);
	h->curl = curl_easy_init();
	return h->curl != NULL ? 0 : -1;
}

void
plugin_http_release(struct plugin_http *h)
{
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
}

/* GET PATH (with its query) into *OUT (a new JSON object); -1: failed. */
static int
http_get(struct plugin_http *h, const char *path, json_t **out)
{
	struct http_body b = { NULL, 0, false };
	char url[1024];
	json_error_t jerr;
	long status = 0;
	CURLcode cc;

	*out = NULL;
	if ((size_t)snprintf(url, sizeof(url), "http://iotjobsd%s", path) >=
	    sizeof(url)) {
		snprintf(h->error, sizeof(h->error), "request too long");
		return -1;
	}
	curl_easy_reset(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_UNIX_SOCKET_PATH, h->socket);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, HTTP_CONNECT_MS);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, HTTP_TOTAL_MS);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, http_on_data);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &b);
	cc = curl_easy_perform(h->curl);
	if (cc == CURLE_OK)
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK || status != 200) {
		if (cc != CURLE_OK)
			snprintf(h->error, sizeof(h->error), "%s: %s",
			    h->socket, curl_easy_strerror(cc));
		else
			snprintf(h->error, sizeof(h->error), "%s: HTTP %ld "
			    "%.120s", h->socket, status,
			    b.buf != NULL ? b.buf : "");
		free(b.buf);
		return -1;
	}
	*out = json_loadb(b.buf != NULL ? b.buf : "", b.len, 0, &jerr);
	free(b.buf);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		snprintf(h->error, sizeof(h->error), "%s: the answer is not a "
		    "JSON object", h->socket);
		return -1;
	}
	return 0;
}

int
plugin_http_generation(struct plugin_http *h, int64_t *gen)
{
	json_t *o, *v;

	if (http_get(h, "/_iotjobs/broker/generation", &o) == -1)
		return -1;
	v = json_object_get(o, "generation");
	if (!json_is_integer(v)) {
		json_decref(o);
		snprintf(h->error, sizeof(h->error), "no generation");
		return -1;
	}
	*gen = (int64_t)json_integer_value(v);
	json_decref(o);
	return 0;
}

void
plugin_identity_release(struct plugin_identity *id)
{
	size_t i;

	for (i = 0; i < id->npols; i++)
		policy_free(id->pols[i]);
	free(id->pols);
	id->pols = NULL;
	id->npols = 0;
}

/* Parses every document of DOCS into ID; false when one fails. */
static bool
identity_parse_policies(struct plugin_identity *id, json_t *docs)
{
	struct err err;
	json_t *v;
	size_t i;

	id->pols = calloc(json_array_size(docs) + 1, sizeof(*id->pols));
	if (id->pols == NULL)
		return false;
	json_array_foreach(docs, i, v) {
		const char *doc = json_string_value(v);

		err_clear(&err);
		if (doc == NULL || policy_parse(doc, strlen(doc),
		    &id->pols[id->npols], &err) == -1)
			return false;
		id->npols++;
	}
	return true;
}

static void
identity_refuse(struct plugin_identity *id, const char *why)
{
	id->usable = false;
	snprintf(id->refusal, sizeof(id->refusal), "%s", why);
}

int
plugin_http_identity(struct plugin_http *h, const char *cert_id,
    const char *client_id, struct plugin_identity *out)
{
	char path[768];
	char *esc;
	json_t *o, *v, *things, *docs;
	const char *s;
	size_t i;

	memset(out, 0, sizeof(*out));
	esc = curl_easy_escape(h->curl, client_id, 0);
	if (esc == NULL)
		return -1;
	snprintf(path, sizeof(path), "/_iotjobs/broker/identity?"
	    "certificateId=%s&clientId=%s", cert_id, esc);
	curl_free(esc);
	if (http_get(h, path, &o) == -1)
		return -1;
	v = json_object_get(o, "generation");
	things = json_object_get(o, "things");
	docs = json_object_get(o, "policies");
	if (!json_is_integer(v) || !json_is_array(things) ||
	    !json_is_array(docs)) {
		json_decref(o);
		snprintf(h->error, sizeof(h->error), "%s: identity answer "
		    "lacks generation, things or policies", h->socket);
		return -1;
	}
	out->generation = (int64_t)json_integer_value(v);
	snprintf(out->cert_id, sizeof(out->cert_id), "%s", cert_id);
	s = json_string_value(json_object_get(o, "commonName"));
	snprintf(out->common_name, sizeof(out->common_name), "%s",
	    s != NULL ? s : "");
	json_array_foreach(things, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v),
		    client_id) == 0)
			out->thing_attached = true;
	out->usable = json_is_true(json_object_get(o, "usable"));
	if (!out->usable) {
		s = json_string_value(json_object_get(o, "refusal"));
		identity_refuse(out, s != NULL ? s : "certificate not usable");
	} else if (!identity_parse_policies(out, docs)) {
		/* Validated when stored: a failure here is version skew. */
		identity_refuse(out, "a policy document could not be parsed");
	}
	json_decref(o);
	return 0;
}
