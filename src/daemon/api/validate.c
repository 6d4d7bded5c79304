/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Input validation driven by the generated model tables (gen/model.h).
 * Patterns are compiled once with PCRE2 (UTF, Unicode properties) and
 * matched against the whole value, as AWS's Java-based validation does.
 */
#include "api/validate.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

static pcre2_code **patterns;	/* by shape index; NULL: no pattern */

int
validate_init(struct err *err)
{
	size_t i;

	patterns = xcalloc(model_nshapes, sizeof(*patterns));
	for (i = 0; i < model_nshapes; i++) {
		const struct model_shape *s = &model_shapes[i];
		int ecode;
		PCRE2_SIZE eoff;

		if (s->pattern == NULL)
			continue;
		patterns[i] = pcre2_compile((PCRE2_SPTR)s->pattern,
		    PCRE2_ZERO_TERMINATED,
		    PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED |
		    PCRE2_ENDANCHORED | PCRE2_DOTALL, &ecode, &eoff, NULL);
		if (patterns[i] == NULL)
			return err_set(err, ERR_INTERNAL_FAILURE,
			    "pattern of shape %s does not compile at %zu",
			    s->name, (size_t)eoff);
		pcre2_jit_compile(patterns[i], PCRE2_JIT_COMPLETE);
	}
	return 0;
}

bool
validate_pattern(int shape, const char *text, size_t len)
{
	pcre2_match_data *md;
	int rc;

	if (patterns == NULL || patterns[shape] == NULL)
		return true;
	md = pcre2_match_data_create_from_pattern(patterns[shape], NULL);
	rc = pcre2_match(patterns[shape], (PCRE2_SPTR)text, len, 0, 0, md,
	    NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

size_t
utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

const char *
validate_errtype(const struct model_op *op)
{
	int i;
	bool has_validation = false;

	for (i = 0; i < op->nerrors; i++) {
		const char *name = model_shapes[op->errors[i]].name;

		if (strcmp(name, ERR_INVALID_REQUEST) == 0)
			return ERR_INVALID_REQUEST;
		if (strcmp(name, ERR_VALIDATION) == 0)
			has_validation = true;
	}
	return has_validation ? ERR_VALIDATION : ERR_INVALID_REQUEST;
}

/* A short printable rendering of V for messages. */
static void
value_text(const json_t *v, char *buf, size_t size)
{
	char *dump;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);

		if (len > 64)
			snprintf(buf, size, "'%.64s...'", s);
		else
			snprintf(buf, size, "'%s'", s);
		return;
	}
	dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(buf, size, "%.64s", dump != NULL ? dump : "?");
	free(dump);
}

static int
fail(struct err *err, const char *errtype, const char *path, const json_t *v,
    const char *what)
{
	char val[128];

	if (v == NULL)
		snprintf(val, sizeof(val), "null");
	else
		value_text(v, val, sizeof(val));
	return err_set(err, errtype, "1 validation error detected: Value %s at"
	    " '%s' failed to satisfy constraint: %s", val, path, what);
}

static int
fail_type(struct err *err, const char *errtype, const char *path,
    const char *want)
{
	return err_set(err, errtype, "Invalid type for '%s': expected %s",
	    path, want);
}

static int check_value(int shape, json_t *v, const char *path,
    const char *errtype, struct err *err);

static int
check_range(const struct model_shape *s, json_t *v, double x,
    const char *path, const char *errtype, struct err *err)
{
	char what[128];

	if (s->has_min && x < s->min) {
		snprintf(what, sizeof(what), "Member must have value greater"
		    " than or equal to %g", s->min);
		return fail(err, errtype, path, v, what);
	}
	if (s->has_max && x > s->max) {
		snprintf(what, sizeof(what), "Member must have value less"
		    " than or equal to %g", s->max);
		return fail(err, errtype, path, v, what);
	}
	return 0;
}

static int
check_size(const struct model_shape *s, json_t *v, size_t n,
    const char *path, const char *errtype, struct err *err)
{
	char what[128];

	if (s->has_min && (double)n < s->min) {
		snprintf(what, sizeof(what), "Member must have length greater"
		    " than or equal to %g", s->min);
		return fail(err, errtype, path, v, what);
	}
	if (s->has_max && (double)n > s->max) {
		snprintf(what, sizeof(what), "Member must have length less"
		    " than or equal to %g", s->max);
		return fail(err, errtype, path, v, what);
	}
	return 0;
}

static int
check_string(int shape, json_t *v, const char *path, const char *errtype,
    struct err *err)
{
	const struct model_shape *s = &model_shapes[shape];
	const char *text;
	size_t len;
	int i;
	char what[1200];

	if (!json_is_string(v))
		return fail_type(err, errtype, path, "string");
	text = json_string_value(v);
	len = json_string_length(v);
	if (memchr(text, '\0', len) != NULL)
		return fail(err, errtype, path, v, "Member must not contain"
		    " NUL characters");
	if (check_size(s, v, utf8_chars(text, len), path, errtype, err) == -1)
		return -1;
	if (s->enums != NULL) {
		size_t off = 0;

		for (i = 0; i < s->nenums; i++)
			if (strcmp(text, s->enums[i]) == 0)
				return 0;
		off += (size_t)snprintf(what, sizeof(what),
		    "Member must satisfy enum value set: [");
		for (i = 0; i < s->nenums && off < sizeof(what); i++)
			off += (size_t)snprintf(what + off, sizeof(what) - off,
			    "%s%s", i ? ", " : "", s->enums[i]);
		if (off < sizeof(what))
			snprintf(what + off, sizeof(what) - off, "]");
		return fail(err, errtype, path, v, what);
	}
	if (!validate_pattern(shape, text, len)) {
		snprintf(what, sizeof(what), "Member must satisfy regular"
		    " expression pattern: %s", s->model_pattern);
		return fail(err, errtype, path, v, what);
	}
	return 0;
}

static int
check_structure(int shape, json_t *obj, const char *path,
    const char *errtype, struct err *err)
{
	const struct model_shape *s = &model_shapes[shape];
	char sub[512];
	int i;

	if (!json_is_object(obj))
		return fail_type(err, errtype, path[0] ? path : "body",
		    "a JSON object");
	for (i = 0; i < s->nmembers; i++) {
		const struct model_member *m = &s->members[i];
		json_t *v = json_object_get(obj, m->name);

		if (v != NULL && json_is_null(v)) {
			json_object_del(obj, m->name);
			v = NULL;
		}
		if (v == NULL && !m->required)
			continue;
		if (path[0] != '\0')
			snprintf(sub, sizeof(sub), "%s.%s", path, m->name);
		else
			snprintf(sub, sizeof(sub), "%s", m->name);
		if (v == NULL)
			return fail(err, errtype, sub, NULL,
			    "Member must not be null");
		if (check_value(m->shape, v, sub, errtype, err) == -1)
			return -1;
	}
	return 0;
}

static int
check_value(int shape, json_t *v, const char *path, const char *errtype,
    struct err *err)
{
	const struct model_shape *s = &model_shapes[shape];
	char sub[512];
	size_t i;

	switch (s->type) {
	case SHAPE_STRING:
		return check_string(shape, v, path, errtype, err);
	case SHAPE_BOOLEAN:
		if (!json_is_boolean(v))
			return fail_type(err, errtype, path, "boolean");
		return 0;
	case SHAPE_INTEGER:
		if (!json_is_integer(v) ||
		    json_integer_value(v) < INT32_MIN ||
		    json_integer_value(v) > INT32_MAX)
			return fail_type(err, errtype, path, "integer");
		return check_range(s, v, (double)json_integer_value(v), path,
		    errtype, err);
	case SHAPE_LONG:
		if (!json_is_integer(v))
			return fail_type(err, errtype, path, "integer");
		return check_range(s, v, (double)json_integer_value(v), path,
		    errtype, err);
	case SHAPE_DOUBLE:
	case SHAPE_FLOAT:
	case SHAPE_TIMESTAMP:
		if (!json_is_number(v))
			return fail_type(err, errtype, path, "number");
		return check_range(s, v, json_number_value(v), path, errtype,
		    err);
	case SHAPE_BLOB:
		if (!json_is_string(v))
			return fail_type(err, errtype, path,
			    "base64-encoded string");
		return check_size(s, v, json_string_length(v) / 4 * 3, path,
		    errtype, err);
	case SHAPE_STRUCTURE:
		return check_structure(shape, v, path, errtype, err);
	case SHAPE_LIST:
		if (!json_is_array(v))
			return fail_type(err, errtype, path, "list");
		if (check_size(s, v, json_array_size(v), path, errtype,
		    err) == -1)
			return -1;
		for (i = 0; i < json_array_size(v); i++) {
			snprintf(sub, sizeof(sub), "%s.%zu", path, i + 1);
			if (check_value(s->list_member, json_array_get(v, i),
			    sub, errtype, err) == -1)
				return -1;
		}
		return 0;
	case SHAPE_MAP: {
		const char *key;
		json_t *val;

		if (!json_is_object(v))
			return fail_type(err, errtype, path, "map");
		if (check_size(s, v, json_object_size(v), path, errtype,
		    err) == -1)
			return -1;
		json_object_foreach(v, key, val) {
			json_t *k = json_string(key);
			int rc;

			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			rc = check_value(s->map_key, k, sub, errtype, err);
			json_decref(k);
			if (rc == -1 || check_value(s->map_value, val, sub,
			    errtype, err) == -1)
				return -1;
		}
		return 0;
	}
	}
	return 0;
}

int
validate_input(int shape, json_t *in, const char *errtype, struct err *err)
{
	return check_structure(shape, in, "", errtype, err);
}
