/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fleet-indexing query language, the subset dynamic thing groups need
 * (CreateDynamicThingGroup queryString; AWS's developer guide, "Query
 * syntax"): terms on thingName, thingTypeName, thingGroupNames and
 * attributes.NAME; AND, OR, NOT, a leading '-' (NOT), parentheses, field
 * grouping (thingName:(a* OR b)), AND between juxtaposed terms; values
 * bare (with the wildcards * and ?) or quoted (literal); ranges
 * ([a TO b], {a TO b}, * for an open end) and comparisons (<, <=, >, >=),
 * numeric when the bounds are numbers. Matching is case-insensitive, as
 * AWS's search is. Pure: no store, no clock; the store feeds things in.
 */
#ifndef IOTJOBS_THING_QUERY_H
#define IOTJOBS_THING_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define THING_QUERY_TERMS_MAX	12	/* AWS: at most twelve terms */
#define THING_QUERY_LEN_MAX	2048	/* bytes of a queryString (ours) */
#define THING_QUERY_DEPTH_MAX	32	/* nesting of (, NOT and - (ours) */
#define THING_QUERY_WHY_MAX	256
#define THING_QUERY_VALUE_MAX	1024	/* bytes of one value (ours) */

struct thing_query;

/* What a query is evaluated against: one thing of the registry. */
struct thing_query_subject {
	const char *name;
	const char *type_name;		/* NULL or "": no thing type */
	const json_t *attributes;	/* object of strings; NULL: none */
	const json_t *groups;		/* array of group names; NULL: none */
};

/*
 * Parses TEXT. 0 and a new *OUT (thing_query_free), or -1 with WHY
 * saying what is wrong "at character N" (1-based byte offset into TEXT).
 */
int thing_query_parse(const char *text, struct thing_query **out, char *why,
    size_t why_size);

/* Frees Q; NULL is a no-op. */
void thing_query_free(struct thing_query *q);

/* Whether the thing S matches Q. */
bool thing_query_match(const struct thing_query *q,
    const struct thing_query_subject *s);

/*
 * Whether Q has a thingGroupNames term: only then does a caller need to
 * fill the subject's groups.
 */
bool thing_query_uses_groups(const struct thing_query *q);

/* An index of the registry that yields candidate things for a query. */
enum thing_query_index {
	THING_QUERY_SCAN,	/* none: every thing is a candidate */
	THING_QUERY_ATTR_EQ,	/* attribute ATTR equal to VALUE */
	THING_QUERY_ATTR_PREFIX,	/* attribute ATTR starting with VALUE */
	THING_QUERY_GROUP,	/* in a static group named VALUE, any case */
	THING_QUERY_TYPE,	/* of a thing type named VALUE, any case */
};

struct thing_query_anchor {
	enum thing_query_index index;
	const char *attr;	/* ATTR_EQ, ATTR_PREFIX; borrowed from Q */
	char value[THING_QUERY_VALUE_MAX + 1];
};

/*
 * The narrowest index whose things include every thing Q matches, into
 * *A: a term that every match must satisfy (the query, or a term ANDed
 * at its top) and that an exact index answers. Attribute values are
 * compared case-insensitively but indexed as written, so only values
 * without letters qualify; group and type names are few enough to be
 * compared in any case.
 */
void thing_query_anchor(const struct thing_query *q,
    struct thing_query_anchor *a);

#endif
