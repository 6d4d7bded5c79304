/* SPDX-License-Identifier: Apache-2.0 */
/* Request to operation input (restJson1 bindings): see input.h. */
#include "http/input.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "num.h"
#include "pct.h"
#include "xmalloc.h"

/* Converts the text of a path, query or header value to SHAPE's type. */
static json_t *
scalar_from_text(int shape, const char *name, const char *text,
    const char *errtype, struct err *err)
{
	const struct model_shape *s = &model_shapes[shape];
	int64_t n;
	double d;

	switch (s->type) {
	case SHAPE_BOOLEAN:
		if (strcasecmp(text, "true") == 0)
			return json_true();
		if (strcasecmp(text, "false") == 0)
			return json_false();
		err_set(err, errtype, "Invalid value for '%s': \"%s\" is not a"
		    " boolean", name, text);
		return NULL;
	case SHAPE_INTEGER:
	case SHAPE_LONG:
		/* An Integer is 32 bits (the Smithy type behind the shape). */
		if (num_parse_i64(text, s->type == SHAPE_INTEGER ? INT32_MIN :
		    INT64_MIN, s->type == SHAPE_INTEGER ? INT32_MAX :
		    INT64_MAX, &n) == -1) {
			err_set(err, errtype, "Invalid value for '%s': \"%s\""
			    " is not an integer", name, text);
			return NULL;
		}
		return json_integer(n);
	case SHAPE_DOUBLE:
	case SHAPE_FLOAT:
	case SHAPE_TIMESTAMP:
		if (num_parse_double(text, -DBL_MAX, DBL_MAX, &d) == -1) {
			err_set(err, errtype, "Invalid value for '%s': \"%s\""
			    " is not a number", name, text);
			return NULL;
		}
		return json_real(d);
	default: {
		json_t *v = json_string(text);

		if (v == NULL)
			err_set(err, errtype, "Invalid value for '%s': not"
			    " valid UTF-8", name);
		return v;
	}
	}
}

static int
add_query_member(json_t *in, const struct model_member *mb,
    const struct auth_pair *query, size_t nquery, const char *errtype,
    struct err *err)
{
	const struct model_shape *s = &model_shapes[mb->shape];
	json_t *list = NULL;
	size_t i;

	for (i = 0; i < nquery; i++) {
		char *key, *val;
		json_t *v;

		key = pct_decode_dup(query[i].name, strlen(query[i].name));
		if (key == NULL || strcmp(key, mb->wire_name) != 0) {
			free(key);
			continue;
		}
		free(key);
		val = pct_decode_dup(query[i].value ? query[i].value : "",
		    query[i].value ? strlen(query[i].value) : 0);
		if (val == NULL)
			return err_set(err, errtype, "invalid percent-encoding"
			    " in query parameter %s", mb->wire_name);
		v = scalar_from_text(s->type == SHAPE_LIST ? s->list_member :
		    mb->shape, mb->wire_name, val, errtype, err);
		free(val);
		if (v == NULL) {
			json_decref(list);
			return -1;
		}
		if (s->type == SHAPE_LIST) {
			if (list == NULL)
				list = json_array();
			json_array_append_new(list, v);
			continue;
		}
		json_object_set_new(in, mb->name, v);
		return 0;
	}
	if (list != NULL)
		json_object_set_new(in, mb->name, list);
	return 0;
}

static int
parse_body(const struct model_shape *s, const char *body, size_t len,
    const char *errtype, json_t *in, struct err *err)
{
	json_error_t jerr;
	json_t *doc;
	int i;

	if (len == 0)
		return 0;
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return err_set(err, errtype, "Malformed JSON request body:"
		    " %s at line %d column %d", jerr.text, jerr.line,
		    jerr.column);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return err_set(err, errtype, "The request body must be a JSON"
		    " object");
	}
	for (i = 0; i < s->nmembers; i++) {
		const struct model_member *mb = &s->members[i];
		json_t *v;

		if (mb->loc != LOC_BODY)
			continue;
		v = json_object_get(doc, mb->wire_name);
		if (v != NULL)
			json_object_set(in, mb->name, v);
	}
	json_decref(doc);
	return 0;
}

int
http_input_build(const struct route_match *m,
    const struct auth_pair *query, size_t nquery,
    const struct auth_pair *headers, size_t nheaders,
    const char *body, size_t body_len, const char *errtype, json_t **out,
    struct err *err)
{
	const struct model_shape *s;
	json_t *in = json_object();
	size_t j;
	int i;

	*out = NULL;
	if (m->op->input < 0) {
		*out = in;
		return 0;
	}
	s = &model_shapes[m->op->input];
	if (parse_body(s, body, body_len, errtype, in, err) == -1)
		goto fail;
	for (i = 0; i < s->nmembers; i++) {
		const struct model_member *mb = &s->members[i];
		json_t *v;

		switch (mb->loc) {
		case LOC_URI:
			for (j = 0; j < m->nlabels; j++) {
				if (strcmp(m->labels[j].name,
				    mb->wire_name) != 0)
					continue;
				v = scalar_from_text(mb->shape, mb->wire_name,
				    m->labels[j].value, errtype, err);
				if (v == NULL)
					goto fail;
				json_object_set_new(in, mb->name, v);
			}
			break;
		case LOC_QUERY:
			if (add_query_member(in, mb, query, nquery, errtype,
			    err) == -1)
				goto fail;
			break;
		case LOC_HEADER:
			for (j = 0; j < nheaders; j++) {
				if (strcasecmp(headers[j].name,
				    mb->wire_name) != 0)
					continue;
				v = scalar_from_text(mb->shape, mb->wire_name,
				    headers[j].value, errtype, err);
				if (v == NULL)
					goto fail;
				json_object_set_new(in, mb->name, v);
				break;
			}
			break;
		default:
			break;
		}
	}
	*out = in;
	return 0;
fail:
	json_decref(in);
	return -1;
}
