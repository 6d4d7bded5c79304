/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The query language's evaluation against one thing (thing_query_match)
 * and its planner (thing_query_anchor): which index of the registry yields
 * every thing a query can match, so that building a dynamic group's
 * membership need not read every thing. Pure, like the parser.
 */
#include "api/thing_query.h"
#include "api/thing_query_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A strict decimal number: -?digits[.digits] or -?.digits. */
bool
thing_query_number(const char *s, double *out)
{
	const char *p = s;
	size_t digits = 0;
	char *end;

	if (*p == '-' || *p == '+')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
	}
	if (digits == 0 || *p != '\0')
		return false;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out);
}

/* --- evaluation ---------------------------------------------------------- */

static int
tq_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive glob: '*' any run, '?' one byte. */
static bool
tq_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat != '\0' && (*pat == '?' ||
		    tq_lower((unsigned char)*pat) ==
		    tq_lower((unsigned char)*s))) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static bool
tq_in_range(const struct tq_node *n, const char *v)
{
	double x;
	int c;

	if (n->numeric) {
		if (!thing_query_number(v, &x))
			return false;
		if (n->lo != NULL && (n->lo_incl ? x < n->nlo : x <= n->nlo))
			return false;
		if (n->hi != NULL && (n->hi_incl ? x > n->nhi : x >= n->nhi))
			return false;
		return true;
	}
	if (n->lo != NULL) {
		c = strcasecmp(v, n->lo);
		if (n->lo_incl ? c < 0 : c <= 0)
			return false;
	}
	if (n->hi != NULL) {
		c = strcasecmp(v, n->hi);
		if (n->hi_incl ? c > 0 : c >= 0)
			return false;
	}
	return true;
}

static bool
tq_value_matches(const struct tq_node *n, const char *v)
{
	if (v == NULL)
		return false;
	switch (n->op) {
	case TQ_EQ:
		return strcasecmp(v, n->value) == 0;
	case TQ_GLOB:
		return tq_glob(n->value, v);
	default:
		return tq_in_range(n, v);
	}
}

static bool
tq_term_matches(const struct tq_node *n, const struct thing_query_subject *s)
{
	const json_t *v;
	size_t i;

	switch (n->f.field) {
	case TQ_F_NAME:
		return tq_value_matches(n, s->name);
	case TQ_F_TYPE:
		return s->type_name != NULL && s->type_name[0] != '\0' &&
		    tq_value_matches(n, s->type_name);
	case TQ_F_GROUPS:
		json_array_foreach(s->groups, i, v)
			if (tq_value_matches(n, json_string_value(v)))
				return true;
		return false;
	default:
		return tq_value_matches(n, json_string_value(
		    json_object_get(s->attributes, n->f.attr)));
	}
}

static bool
tq_eval(const struct thing_query *q, int id,
    const struct thing_query_subject *s)
{
	const struct tq_node *n = &q->nodes[id];

	switch (n->kind) {
	case TQ_AND:
		return tq_eval(q, n->a, s) && tq_eval(q, n->b, s);
	case TQ_OR:
		return tq_eval(q, n->a, s) || tq_eval(q, n->b, s);
	case TQ_NOT:
		return !tq_eval(q, n->a, s);
	default:
		return tq_term_matches(n, s);
	}
}

bool
thing_query_match(const struct thing_query *q,
    const struct thing_query_subject *s)
{
	return tq_eval(q, q->root, s);
}

/* --- planning ------------------------------------------------------------ */

/* Lower is better: the order in which anchors are preferred. */
static int
tq_rank(enum thing_query_index ix)
{
	switch (ix) {
	case THING_QUERY_ATTR_EQ:
		return 0;
	case THING_QUERY_GROUP:
		return 1;
	case THING_QUERY_TYPE:
		return 2;
	case THING_QUERY_ATTR_PREFIX:
		return 3;
	default:
		return 4;
	}
}

static bool
tq_has_letter(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z'))
			return true;
	return false;
}

/* The index term node N can use on its own, into *A (SCAN: none). */
static void
tq_term_anchor(const struct tq_node *n, struct thing_query_anchor *a)
{
	size_t len = n->value != NULL ? strlen(n->value) : 0;

	memset(a, 0, sizeof(*a));
	a->index = THING_QUERY_SCAN;
	if (n->op == TQ_EQ && n->f.field == TQ_F_GROUPS)
		a->index = THING_QUERY_GROUP;
	else if (n->op == TQ_EQ && n->f.field == TQ_F_TYPE)
		a->index = THING_QUERY_TYPE;
	else if (n->op == TQ_EQ && n->f.field == TQ_F_ATTR &&
	    !tq_has_letter(n->value, len))
		a->index = THING_QUERY_ATTR_EQ;
	else if (n->op == TQ_GLOB && n->f.field == TQ_F_ATTR && len > 1 &&
	    n->value[len - 1] == '*' && strcspn(n->value, "*?") == len - 1 &&
	    !tq_has_letter(n->value, len - 1))
		a->index = THING_QUERY_ATTR_PREFIX;
	if (a->index == THING_QUERY_SCAN)
		return;
	a->attr = n->f.field == TQ_F_ATTR ? n->f.attr : NULL;
	snprintf(a->value, sizeof(a->value), "%.*s", (int)(a->index ==
	    THING_QUERY_ATTR_PREFIX ? len - 1 : len), n->value);
}

/* The best anchor among the AND chain under node ID, into *BEST. */
static void
tq_anchor(const struct thing_query *q, int id,
    struct thing_query_anchor *best)
{
	const struct tq_node *n = &q->nodes[id];
	struct thing_query_anchor a;

	if (n->kind == TQ_AND) {
		tq_anchor(q, n->a, best);
		tq_anchor(q, n->b, best);
		return;
	}
	if (n->kind != TQ_TERM)
		return;
	tq_term_anchor(n, &a);
	if (tq_rank(a.index) < tq_rank(best->index))
		*best = a;
}

void
thing_query_anchor(const struct thing_query *q,
    struct thing_query_anchor *a)
{
	memset(a, 0, sizeof(*a));
	a->index = THING_QUERY_SCAN;
	tq_anchor(q, q->root, a);
}
