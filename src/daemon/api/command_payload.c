/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parameters and payload of commands (WIRE.md 9.1): CreateCommand's
 * checks of mandatoryParameters (types, defaults, value conditions) and of
 * the payloadTemplate's placeholders; StartCommandExecution's parameters
 * checked and completed with defaults; and the payload a device gets: the
 * static content, or the template with each placeholder replaced, encoded
 * as JSON (jansson) or CBOR (libcbor). Choices: docs/compatibility.md.
 */
#include "api/command.h"

#include <cbor.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "xmalloc.h"

#define PH_OPEN		"${aws:iot:commandexecution::"
#define PH_PARAM	"parameter:"
#define PH_TIMEOUT	"executionTimeoutSec"
#define PH_NAME_MAX	192

/* CommandParameterType and its CommandParameterValue member. */
static const struct {
	const char *type, *member;
} param_types[] = {
	{ "STRING", "S" }, { "INTEGER", "I" }, { "DOUBLE", "D" },
	{ "LONG", "L" }, { "UNSIGNEDLONG", "UL" }, { "BOOLEAN", "B" },
	{ "BINARY", "BIN" },
};
#define NTYPES	(sizeof(param_types) / sizeof(param_types[0]))

void
command_arn(const struct conf *conf, const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "arn:aws:iot:%s:%s:command/%s", conf->region,
	    conf->account_id, id);
}

int
command_b64_decode(const char *text, unsigned char **out, size_t *len)
{
	size_t n = strlen(text), pad = 0;
	unsigned char *buf;
	int got;

	*out = NULL;
	*len = 0;
	if (n == 0 || n % 4 != 0 || n > INT32_MAX)
		return -1;
	if (text[n - 1] == '=')
		pad++;
	if (text[n - 2] == '=')
		pad++;
	buf = xmalloc(n / 4 * 3 + 1);
	got = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n);
	if (got < 0 || (size_t)got < pad) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = (size_t)got - pad;
	return 0;
}

/*
 * The single member of value V (a CommandParameterValue), or NULL. The
 * model's validation ignores members it does not know: only S, B, I, L,
 * D, BIN and UL count here.
 */
static const char *
value_member(const json_t *v)
{
	const char *key = NULL;
	const char *k;
	json_t *x;
	size_t i;

	if (!json_is_object(v) || json_object_size(v) != 1)
		return NULL;
	json_object_foreach((json_t *)v, k, x)
		key = k;
	for (i = 0; i < NTYPES; i++)
		if (strcmp(param_types[i].member, key) == 0)
			return param_types[i].member;
	return NULL;
}

/* The CommandParameterType whose values are of MEMBER. */
static const char *
member_type(const char *member)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (strcmp(param_types[i].member, member) == 0)
			return param_types[i].type;
	return "?";
}

/* The value member of parameter P's type (NULL: P has no type). */
static const char *
param_member(const json_t *p)
{
	const char *type = json_string_value(json_object_get(p, "type"));
	size_t i;

	if (type == NULL)
		return NULL;
	for (i = 0; i < NTYPES; i++)
		if (strcmp(param_types[i].type, type) == 0)
			return param_types[i].member;
	return NULL;
}

static bool
is_numeric(const char *member)
{
	return strcmp(member, "I") == 0 || strcmp(member, "L") == 0 ||
	    strcmp(member, "D") == 0 || strcmp(member, "UL") == 0;
}

/*
 * A decimal number operand TEXT (num_is_decimal: no space, '+', hex, inf
 * or nan); -1 when it is not one. A long double, so that an UL compares
 * exactly.
 */
static int
number_parse(const char *text, long double *v)
{
	if (text == NULL || !num_is_decimal(text, strlen(text)))
		return -1;
	errno = 0;
	*v = strtold(text, NULL);
	return errno != 0 ? -1 : 0;
}

/* The UL member of value V (decimal digits, the model says) into *OUT. */
static int
ul_parse(const json_t *v, uint64_t *out)
{
	const char *text = json_string_value(json_object_get(v, "UL"));

	return text == NULL ? -1 : num_parse_u64(text, 0, UINT64_MAX, out);
}

/* The numeric value of V of member M. */
static long double
value_number(const json_t *v, const char *m)
{
	const json_t *x = json_object_get(v, m);
	long double d = 0;

	if (strcmp(m, "UL") == 0)
		number_parse(json_string_value(x), &d);
	else
		d = json_is_integer(x) ? (long double)json_integer_value(x) :
		    (long double)json_number_value(x);
	return d;
}

/* The one operand member of condition C that its operator expects. */
static const char *
operand_kind(const char *op, bool numeric)
{
	if (strcmp(op, "IN_SET") == 0 || strcmp(op, "NOT_IN_SET") == 0)
		return numeric ? "numbers" : "strings";
	if (strcmp(op, "IN_RANGE") == 0 || strcmp(op, "NOT_IN_RANGE") == 0)
		return numeric ? "numberRange" : NULL;
	if (strcmp(op, "EQUALS") == 0 || strcmp(op, "NOT_EQUALS") == 0)
		return numeric ? "number" : "string";
	return numeric ? "number" : NULL;
}

/* Checks condition C of parameter NAME whose values are of MEMBER. */
static int
condition_check(const char *name, const char *member, const json_t *c,
    struct err *err)
{
	const char *op = json_string_value(json_object_get(c,
	    "comparisonOperator"));
	const json_t *operand = json_object_get(c, "operand");
	bool numeric = is_numeric(member);
	const char *kind = operand_kind(op, numeric);
	const json_t *x, *y;
	long double d;
	size_t i;

	if (strcmp(member, "B") == 0 || strcmp(member, "BIN") == 0 ||
	    kind == NULL)
		return err_set(err, ERR_VALIDATION, "mandatoryParameters:"
		    " the comparisonOperator %s cannot be used with parameter"
		    " %s of type %s", op, name, member);
	x = json_object_get(operand, kind);
	if (x == NULL || json_object_size(operand) != 1)
		return err_set(err, ERR_VALIDATION, "mandatoryParameters:"
		    " the operand of %s on parameter %s must have exactly the"
		    " member %s", op, name, kind);
	if (!numeric)
		return 0;
	if (json_is_string(x))
		return number_parse(json_string_value(x), &d) == -1 ?
		    err_set(err, ERR_VALIDATION, "mandatoryParameters:"
		    " operand %s of parameter %s is not a number",
		    json_string_value(x), name) : 0;
	if (json_is_object(x)) {
		long double lo, hi;

		if (number_parse(json_string_value(json_object_get(x, "min")),
		    &lo) == -1 || number_parse(json_string_value(
		    json_object_get(x, "max")), &hi) == -1 || lo > hi)
			return err_set(err, ERR_VALIDATION,
			    "mandatoryParameters: numberRange of parameter %s"
			    " needs numbers min <= max", name);
		return 0;
	}
	json_array_foreach(x, i, y)
		if (number_parse(json_string_value(y), &d) == -1)
			return err_set(err, ERR_VALIDATION,
			    "mandatoryParameters: operand %s of parameter %s"
			    " is not a number", json_string_value(y), name);
	return 0;
}

/* Whether value V (of MEMBER) satisfies condition C (checked before). */
static bool
condition_holds(const json_t *v, const char *member, const json_t *c)
{
	const char *op = json_string_value(json_object_get(c,
	    "comparisonOperator"));
	const json_t *operand = json_object_get(c, "operand");
	bool numeric = is_numeric(member), neg = false, hit = false;
	const json_t *x = json_object_get(operand, operand_kind(op, numeric));
	const char *s = json_string_value(json_object_get(v, member));
	long double d = numeric ? value_number(v, member) : 0, o = 0, hi = 0;
	const json_t *y;
	size_t i;

	if (!numeric && s == NULL)
		return false;	/* not text: value_check typed it first */
	if (strncmp(op, "NOT_", 4) == 0) {
		neg = true;
		op += 4;
	}
	if (strcmp(op, "IN_SET") == 0) {
		json_array_foreach(x, i, y) {
			if (numeric)
				number_parse(json_string_value(y), &o);
			if (numeric ? o == d : strcmp(s,
			    json_string_value(y)) == 0)
				hit = true;
		}
	} else if (strcmp(op, "IN_RANGE") == 0) {
		number_parse(json_string_value(json_object_get(x, "min")), &o);
		number_parse(json_string_value(json_object_get(x, "max")),
		    &hi);
		hit = d >= o && d <= hi;
	} else if (!numeric)
		hit = strcmp(s, json_string_value(x)) == 0;
	else {
		number_parse(json_string_value(x), &o);
		hit = strcmp(op, "EQUALS") == 0 ? d == o :
		    strcmp(op, "LESS_THAN") == 0 ? d < o :
		    strcmp(op, "LESS_THAN_EQUALS") == 0 ? d <= o :
		    strcmp(op, "GREATER_THAN") == 0 ? d > o : d >= o;
	}
	return neg ? !hit : hit;
}

/* Value V of parameter P: one member, of P's type, meeting conditions. */
static int
value_check(const json_t *p, const char *what, const json_t *v,
    struct err *err)
{
	const char *name = json_string_value(json_object_get(p, "name"));
	const char *want = param_member(p), *got = value_member(v);
	const json_t *conds = json_object_get(p, "valueConditions"), *c;
	uint64_t ul;
	size_t i;

	/* An untyped parameter takes its default's type (param_check). */
	if (want == NULL)
		want = value_member(json_object_get(p, "defaultValue"));
	if (got == NULL)
		return err_set(err, ERR_VALIDATION, "%s of parameter %s must"
		    " have exactly one of S, B, I, L, D, BIN, UL", what, name);
	if (want != NULL && strcmp(want, got) != 0)
		return err_set(err, ERR_VALIDATION, "%s of parameter %s is"
		    " %s, but the parameter's type %s takes %s", what, name,
		    got, member_type(want), want);
	if (strcmp(got, "UL") == 0 && ul_parse(v, &ul) == -1)
		return err_set(err, ERR_VALIDATION, "%s of parameter %s is"
		    " not an unsigned long (decimal digits, at most %" PRIu64
		    ")", what, name, UINT64_MAX);
	json_array_foreach(conds, i, c)
		if (!condition_holds(v, got, c))
			return err_set(err, ERR_VALIDATION, "%s of parameter"
			    " %s does not satisfy its valueConditions (%s)",
			    what, name, json_string_value(json_object_get(c,
			    "comparisonOperator")));
	return 0;
}

/* Walks the placeholders of TEXT: FN(name or NULL for the timeout). */
static int
placeholders(const char *text, int (*fn)(const char *, size_t, void *,
    struct err *), void *arg, struct err *err)
{
	const char *p = text, *end;

	while ((p = strstr(p, PH_OPEN)) != NULL) {
		p += strlen(PH_OPEN);
		end = strchr(p, '}');
		if (end == NULL)
			return err_set(err, ERR_VALIDATION, "payloadTemplate:"
			    " a placeholder ${aws:iot:commandexecution::...}"
			    " is not closed");
		if ((size_t)(end - p) == strlen(PH_TIMEOUT) &&
		    strncmp(p, PH_TIMEOUT, strlen(PH_TIMEOUT)) == 0) {
			if (fn(NULL, 0, arg, err) == -1)
				return -1;
		} else if (strncmp(p, PH_PARAM, strlen(PH_PARAM)) == 0) {
			p += strlen(PH_PARAM);
			if (fn(p, (size_t)(end - p), arg, err) == -1)
				return -1;
		} else
			return err_set(err, ERR_VALIDATION, "payloadTemplate:"
			    " unknown placeholder ${aws:iot:commandexecution::"
			    "%.*s}", (int)(end - p), p);
		p = end + 1;
	}
	return 0;
}

static const json_t *
param_find(const json_t *params, const char *name, size_t len)
{
	const json_t *p;
	const char *n;
	size_t i;

	json_array_foreach(params, i, p) {
		n = json_string_value(json_object_get(p, "name"));
		if (n != NULL && strlen(n) == len && strncmp(n, name, len) == 0)
			return p;
	}
	return NULL;
}

static int
declared(const char *name, size_t len, void *arg, struct err *err)
{
	if (name == NULL || param_find(arg, name, len) != NULL)
		return 0;
	return err_set(err, ERR_VALIDATION, "payloadTemplate: the placeholder"
	    " parameter %.*s is not in mandatoryParameters", (int)len, name);
}

/* One entry of mandatoryParameters. */
static int
param_check(const json_t *params, size_t idx, const json_t *p,
    struct err *err)
{
	const char *name = json_string_value(json_object_get(p, "name"));
	const char *m = param_member(p), *dm;
	const json_t *dv = json_object_get(p, "defaultValue"), *c;
	size_t i;

	if (param_find(params, name, strlen(name)) != json_array_get(params,
	    idx))
		return err_set(err, ERR_VALIDATION, "mandatoryParameters:"
		    " parameter %s is listed twice", name);
	if (m == NULL && dv != NULL)
		m = value_member(dv);
	if (json_object_get(p, "valueConditions") != NULL && m == NULL)
		return err_set(err, ERR_VALIDATION, "mandatoryParameters:"
		    " parameter %s has valueConditions but no type", name);
	json_array_foreach(json_object_get(p, "valueConditions"), i, c)
		if (condition_check(name, m, c, err) == -1)
			return -1;
	if (dv == NULL)
		return 0;
	dm = value_member(dv);
	if (dm != NULL && param_member(p) == NULL) {
		/* An untyped parameter takes its default's type. */
		json_t *typed = json_deep_copy(p);
		int rc;

		for (i = 0; i < NTYPES; i++)
			if (strcmp(param_types[i].member, dm) == 0)
				json_object_set_new(typed, "type",
				    json_string(param_types[i].type));
		rc = value_check(typed, "defaultValue", dv, err);
		json_decref(typed);
		return rc;
	}
	return value_check(p, "defaultValue", dv, err);
}

int
command_params_check(const json_t *params, const char *template,
    struct err *err)
{
	const json_t *p;
	json_t *doc;
	size_t i;

	json_array_foreach(params, i, p)
		if (param_check(params, i, p, err) == -1)
			return -1;
	if (template == NULL)
		return 0;
	doc = json_loads(template, JSON_DECODE_ANY, NULL);
	if (doc == NULL)
		return err_set(err, ERR_VALIDATION, "payloadTemplate must be"
		    " a JSON document (placeholders go inside strings)");
	json_decref(doc);
	return placeholders(template, declared, (void *)params, err);
}

int
command_params_resolve(const json_t *params, const json_t *given,
    json_t **out, struct err *err)
{
	const char *name;
	const json_t *p, *v;
	json_t *res = json_object();
	size_t i;

	*out = NULL;
	json_object_foreach((json_t *)given, name, v) {
		p = param_find(params, name, strlen(name));
		if (p == NULL) {
			json_decref(res);
			return err_set(err, ERR_VALIDATION, "parameters: %s is"
			    " not a parameter of the command", name);
		}
		if (value_check(p, "parameters value", v, err) == -1) {
			json_decref(res);
			return -1;
		}
		json_object_set(res, name, (json_t *)v);
	}
	json_array_foreach(params, i, p) {
		name = json_string_value(json_object_get(p, "name"));
		v = json_object_get(p, "defaultValue");
		if (json_object_get(res, name) != NULL)
			continue;
		if (v == NULL) {
			json_decref(res);
			return err_set(err, ERR_VALIDATION, "parameters: the"
			    " command's parameter %s has no default value and"
			    " must be given", name);
		}
		json_object_set(res, name, (json_t *)v);
	}
	if (json_object_size(res) == 0)
		json_decref(res);
	else
		*out = res;
	return 0;
}

/* --- substitution -------------------------------------------------------- */

struct subst {
	const json_t *params;
	int64_t timeout;
};

/*
 * Parameter value V as text: its string, borrowed from V (a string has
 * no length cap), or BUF holding the number or boolean.
 */
static const char *
value_text(const json_t *v, char *buf, size_t size)
{
	const char *m = value_member(v);
	const json_t *x = json_object_get(v, m);

	if (json_is_string(x))
		return json_string_value(x);
	if (json_is_boolean(x))
		snprintf(buf, size, "%s", json_is_true(x) ? "true" : "false");
	else if (json_is_integer(x))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(x));
	else
		snprintf(buf, size, "%.17g", json_number_value(x));
	return buf;
}

/*
 * The value named by TEXT when TEXT is exactly one placeholder (a new
 * reference to the parameter value, or an {"L": timeout}), else NULL.
 */
static json_t *
whole(const struct subst *s, const char *text)
{
	size_t n = strlen(text), open = strlen(PH_OPEN);

	if (strncmp(text, PH_OPEN, open) != 0 || text[n - 1] != '}' ||
	    strchr(text + open, '}') != text + n - 1)
		return NULL;
	text += open;
	n -= open + 1;
	if (n == strlen(PH_TIMEOUT) && strncmp(text, PH_TIMEOUT, n) == 0)
		return json_pack("{s:I}", "L", (json_int_t)s->timeout);
	if (strncmp(text, PH_PARAM, strlen(PH_PARAM)) != 0)
		return NULL;
	text += strlen(PH_PARAM);
	n -= strlen(PH_PARAM);
	if (n > PH_NAME_MAX)
		return NULL;
	{
		char name[PH_NAME_MAX + 1];

		snprintf(name, sizeof(name), "%.*s", (int)n, text);
		return json_incref(json_object_get(s->params, name));
	}
}

/* TEXT with every placeholder replaced by its value as text; caller frees. */
static char *
text_subst(const struct subst *s, const char *text)
{
	size_t cap = strlen(text) + 1, len = 0, open = strlen(PH_OPEN), n;
	char *out = xmalloc(cap), buf[64];
	const char *p = text, *q, *end, *val;
	json_t *v;

	while ((q = strstr(p, PH_OPEN)) != NULL &&
	    (end = strchr(q + open, '}')) != NULL) {
		char ph[PH_NAME_MAX + 64];

		snprintf(ph, sizeof(ph), "%.*s", (int)(end + 1 - q), q);
		v = whole(s, ph);
		val = v != NULL ? value_text(v, buf, sizeof(buf)) : "";
		n = strlen(val);
		cap += (size_t)(q - p) + n;
		out = xrealloc(out, cap);
		memcpy(out + len, p, (size_t)(q - p));
		len += (size_t)(q - p);
		memcpy(out + len, val, n);
		len += n;
		json_decref(v);	/* VAL may point into V */
		p = end + 1;
	}
	memcpy(out + len, p, strlen(p) + 1);
	return out;
}

/* The JSON rendering of parameter value V. */
static json_t *
value_json(const json_t *v)
{
	const char *m = value_member(v);
	const json_t *x = json_object_get(v, m);
	uint64_t ul;

	if (strcmp(m, "UL") == 0 && ul_parse(v, &ul) == 0 &&
	    ul <= INT64_MAX)
		return json_integer((json_int_t)ul);
	return json_deep_copy(x);
}

static json_t *
to_json(const struct subst *s, const json_t *t)
{
	const char *k;
	json_t *o, *v, *x;
	size_t i;

	switch (json_typeof(t)) {
	case JSON_STRING:
		v = whole(s, json_string_value(t));
		if (v != NULL) {
			o = value_json(v);
			json_decref(v);
			return o;
		}
		k = text_subst(s, json_string_value(t));
		o = json_string(k);
		free((char *)k);
		return o;
	case JSON_OBJECT:
		o = json_object();
		json_object_foreach((json_t *)t, k, x) {
			char *key = text_subst(s, k);

			json_object_set_new(o, key, to_json(s, x));
			free(key);
		}
		return o;
	case JSON_ARRAY:
		o = json_array();
		json_array_foreach(t, i, x)
			json_array_append_new(o, to_json(s, x));
		return o;
	default:
		return json_deep_copy(t);
	}
}

/* An unsigned (or, NEG, negative: -1 - V) integer in its shortest form. */
static cbor_item_t *
uint_cbor(uint64_t v, bool neg)
{
	if (v <= UINT8_MAX)
		return neg ? cbor_build_negint8((uint8_t)v) :
		    cbor_build_uint8((uint8_t)v);
	if (v <= UINT16_MAX)
		return neg ? cbor_build_negint16((uint16_t)v) :
		    cbor_build_uint16((uint16_t)v);
	if (v <= UINT32_MAX)
		return neg ? cbor_build_negint32((uint32_t)v) :
		    cbor_build_uint32((uint32_t)v);
	return neg ? cbor_build_negint64(v) : cbor_build_uint64(v);
}

static cbor_item_t *
int_cbor(int64_t v)
{
	if (v >= 0)
		return uint_cbor((uint64_t)v, false);
	return uint_cbor((uint64_t)(-(v + 1)), true);
}

/* The CBOR rendering of parameter value V (BIN as a byte string). */
static cbor_item_t *
value_cbor(const json_t *v)
{
	const char *m = value_member(v);
	const json_t *x = json_object_get(v, m);
	unsigned char *bin;
	cbor_item_t *c;
	uint64_t ul;
	size_t len;

	if (strcmp(m, "UL") == 0 && ul_parse(v, &ul) == 0)
		return uint_cbor(ul, false);
	if (strcmp(m, "BIN") == 0 && command_b64_decode(json_string_value(x),
	    &bin, &len) == 0) {
		c = cbor_build_bytestring(bin, len);
		free(bin);
		return c;
	}
	if (json_is_string(x))
		return cbor_build_string(json_string_value(x));
	if (json_is_boolean(x))
		return cbor_build_bool(json_is_true(x));
	if (json_is_integer(x))
		return int_cbor(json_integer_value(x));
	return cbor_build_float8(json_number_value(x));
}

static cbor_item_t *
to_cbor(const struct subst *s, const json_t *t)
{
	cbor_item_t *o, *key, *val;
	const char *k;
	json_t *v, *x;
	size_t i;
	char *text;

	switch (json_typeof(t)) {
	case JSON_STRING:
		v = whole(s, json_string_value(t));
		if (v != NULL) {
			o = value_cbor(v);
			json_decref(v);
			return o;
		}
		text = text_subst(s, json_string_value(t));
		o = cbor_build_string(text);
		free(text);
		return o;
	case JSON_OBJECT:
		o = cbor_new_definite_map(json_object_size(t));
		json_object_foreach((json_t *)t, k, x) {
			text = text_subst(s, k);
			key = cbor_build_string(text);
			free(text);
			val = to_cbor(s, x);
			cbor_map_add(o, (struct cbor_pair){
			    .key = cbor_move(key), .value = cbor_move(val) });
		}
		return o;
	case JSON_ARRAY:
		o = cbor_new_definite_array(json_array_size(t));
		json_array_foreach(t, i, x)
			cbor_array_push(o, cbor_move(to_cbor(s, x)));
		return o;
	case JSON_INTEGER:
		return int_cbor(json_integer_value(t));
	case JSON_REAL:
		return cbor_build_float8(json_real_value(t));
	case JSON_TRUE:
	case JSON_FALSE:
		return cbor_build_bool(json_is_true(t));
	default:
		return cbor_new_null();
	}
}

static int
static_payload(const struct store_command *c, struct command_payload *out,
    struct err *err)
{
	const json_t *p = json_object_get(c->def, "payload");
	const char *content = json_string_value(json_object_get(p, "content"));
	const char *type = json_string_value(json_object_get(p,
	    "contentType"));

	out->content_type = type;
	out->suffix = "";
	if (type != NULL && strcmp(type, "application/json") == 0)
		out->suffix = "/json";
	else if (type != NULL && strcmp(type, "application/cbor") == 0)
		out->suffix = "/cbor";
	if (content == NULL || content[0] == '\0') {
		out->data = xmalloc(1);
		out->len = 0;
		return 0;
	}
	if (command_b64_decode(content, &out->data, &out->len) == -1)
		return err_set(err, ERR_INTERNAL_SERVER, "command %s: stored"
		    " payload is not base64", c->command_id);
	return 0;
}

int
command_payload_build(const struct store_command *c, const json_t *params,
    int64_t timeout_sec, struct command_payload *out, struct err *err)
{
	const char *tpl = json_string_value(json_object_get(c->def,
	    "payloadTemplate"));
	const char *fmt = json_string_value(json_object_get(json_object_get(
	    json_object_get(c->def, "preprocessor"), "awsJsonSubstitution"),
	    "outputFormat"));
	struct subst s = { params, timeout_sec };
	json_t *doc, *res;
	cbor_item_t *item;
	size_t size;
	char *text;

	memset(out, 0, sizeof(*out));
	if (tpl == NULL)
		return static_payload(c, out, err);
	doc = json_loads(tpl, JSON_DECODE_ANY, NULL);
	if (doc == NULL)
		return err_set(err, ERR_INTERNAL_SERVER, "command %s: stored"
		    " template is not JSON", c->command_id);
	if (fmt != NULL && strcmp(fmt, "CBOR") == 0) {
		item = to_cbor(&s, doc);
		out->len = cbor_serialize_alloc(item, &out->data, &size);
		cbor_decref(&item);
		out->content_type = "application/cbor";
		out->suffix = "/cbor";
	} else {
		res = to_json(&s, doc);
		text = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(res);
		out->data = (unsigned char *)text;
		out->len = text != NULL ? strlen(text) : 0;
		out->content_type = "application/json";
		out->suffix = "/json";
	}
	json_decref(doc);
	if (out->data == NULL)
		return err_set(err, ERR_INTERNAL_SERVER, "command %s: the"
		    " payload could not be encoded", c->command_id);
	return 0;
}
