/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dynamic thing groups' query language (api/thing_query.c), cell by
 * cell of its grammar: each field, each value form (bare, quoted,
 * wildcards), each operator (AND, implicit AND, OR, NOT, '-'), grouping
 * and field grouping, ranges and comparisons (numeric and text), case;
 * then every refusal with the character it points at; then the planner's
 * choice of an index for each kind of term and position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/thing_query.h"

/* Three things: bit 0, bit 1, bit 2 of each expected mask. */
static struct thing_query_subject things[3];
static json_t *owned[6];

static int
setup(void **state)
{
	(void)state;
	owned[0] = json_pack("{s:s, s:s, s:s}", "fw", "1.0", "site",
	    "Berlin", "n", "10");
	owned[1] = json_pack("[s, s]", "lab", "eu-west");
	owned[2] = json_pack("{s:s, s:s}", "fw", "2.5", "color", "red");
	owned[3] = json_array();
	owned[4] = json_pack("{s:s, s:s}", "fw", "abc", "site", "a b");
	owned[5] = json_pack("[s]", "eu-west");
	things[0] = (struct thing_query_subject){ "sensor-001", "sensor",
	    owned[0], owned[1] };
	things[1] = (struct thing_query_subject){ "Lamp_7", NULL, owned[2],
	    owned[3] };
	things[2] = (struct thing_query_subject){ "gw-9", "gateway",
	    owned[4], owned[5] };
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		json_decref(owned[i]);
	return 0;
}

static const struct {
	const char *query;
	int mask;	/* which of things[] match */
} matches[] = {
	/* Fields, exact values, case-insensitive values. */
	{ "thingName:sensor-001", 1 },
	{ "thingName:SENSOR-001", 1 },
	{ "thingName:sensor", 0 },
	{ "thingTypeName:sensor", 1 },
	{ "thingTypeName:gateway", 4 },
	{ "thingTypeName:*", 5 },
	{ "thingGroupNames:lab", 1 },
	{ "thingGroupNames:eu-west", 5 },
	{ "thingGroupNames:*", 5 },
	{ "attributes.fw:1.0", 1 },
	{ "attributes.color:RED", 2 },
	{ "attributes.missing:x", 0 },
	{ "attributes.site:*", 5 },
	/* Wildcards. */
	{ "thingName:sensor*", 1 },
	{ "thingName:*", 7 },
	{ "thingName:l*_?", 2 },
	{ "thingName:gw-?", 4 },
	{ "thingName:gw-??", 0 },
	{ "thingName:*-*", 5 },
	{ "attributes.fw:?.*", 3 },
	/* Quoted values are literal. */
	{ "attributes.site:\"a b\"", 4 },
	{ "thingName:\"sensor*\"", 0 },
	{ "attributes.site:\"A B\"", 4 },
	{ "attributes.site:\"a \\\"b\"", 0 },
	/* AND, implicit AND, OR, NOT, '-', precedence. */
	{ "thingTypeName:sensor AND attributes.fw:1.0", 1 },
	{ "thingTypeName:sensor attributes.fw:1.0", 1 },
	{ "thingTypeName:sensor attributes.fw:2.5", 0 },
	{ "thingTypeName:sensor OR attributes.fw:2.5", 3 },
	{ "NOT thingTypeName:sensor", 6 },
	{ "-thingTypeName:sensor", 6 },
	{ "NOT NOT thingTypeName:sensor", 1 },
	{ "thingName:* AND NOT thingGroupNames:*", 2 },
	{ "thingTypeName:gateway OR thingTypeName:sensor AND attributes.n:10",
	    5 },
	{ "(thingTypeName:gateway OR thingTypeName:sensor) AND"
	    " attributes.n:10", 1 },
	{ "thingName:x OR thingName:y OR thingName:gw-9", 4 },
	{ "((thingName:gw-9))", 4 },
	{ "NOT(thingName:gw-9)", 3 },
	/* Field grouping. */
	{ "thingName:(gw-9 OR Lamp_7)", 6 },
	{ "thingName:(* AND -gw*)", 3 },
	{ "thingName:(s* NOT *1)", 0 },
	{ "attributes.fw:(1.0 OR (2.5))", 3 },
	/* Numeric comparisons and ranges. */
	{ "attributes.fw > 2", 2 },
	{ "attributes.fw>2", 2 },
	{ "attributes.fw >= 1", 3 },
	{ "attributes.fw < 2.5", 1 },
	{ "attributes.fw <= 2.5", 3 },
	{ "attributes.fw > -1", 3 },
	{ "attributes.n > 9", 1 },
	{ "attributes.fw:[1 TO 2.5]", 3 },
	{ "attributes.fw:{1 TO 2.5]", 2 },
	{ "attributes.fw:[1 TO 2.5}", 1 },
	{ "attributes.fw:{1 TO 2.5}", 0 },
	{ "attributes.fw:[2 TO *]", 2 },
	{ "attributes.fw:[* TO 2]", 1 },
	{ "attributes.fw:[* TO *]", 7 },
	/* Text ranges compare case-insensitively. */
	{ "thingName:[a TO m]", 6 },
	{ "thingName > M", 1 },
	{ "attributes.fw:[a TO b]", 4 },
	/* Whitespace around the separator. */
	{ "  thingName : gw-9  ", 4 },
	{ "\tthingName:gw-9\n", 4 },
};

static void
test_matches(void **state)
{
	char why[THING_QUERY_WHY_MAX];
	struct thing_query *q;
	size_t i;
	int j, got;

	(void)state;
	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		why[0] = '\0';
		if (thing_query_parse(matches[i].query, &q, why,
		    sizeof(why)) == -1)
			fail_msg("%s: %s", matches[i].query, why);
		got = 0;
		for (j = 0; j < 3; j++)
			if (thing_query_match(q, &things[j]))
				got |= 1 << j;
		if (got != matches[i].mask)
			fail_msg("%s: matched %d, want %d", matches[i].query,
			    got, matches[i].mask);
		thing_query_free(q);
	}
}

static void
test_uses_groups(void **state)
{
	char why[THING_QUERY_WHY_MAX];
	struct thing_query *q;

	(void)state;
	assert_int_equal(thing_query_parse("thingName:a OR"
	    " thingGroupNames:b", &q, why, sizeof(why)), 0);
	assert_true(thing_query_uses_groups(q));
	thing_query_free(q);
	assert_int_equal(thing_query_parse("thingName:a", &q, why,
	    sizeof(why)), 0);
	assert_false(thing_query_uses_groups(q));
	thing_query_free(q);
}

static const struct {
	const char *query;
	const char *why;	/* a part the reason must contain */
} refused[] = {
	{ "", "at character 1: the query is empty" },
	{ "   ", "at character 4: the query is empty" },
	{ "abc", "at character 1: unknown field abc" },
	{ "shadow.reported.x:1", "unknown field shadow.reported.x" },
	{ "ThingName:a", "unknown field ThingName" },
	{ "attributes.:a", "unknown field attributes." },
	{ "thingName", "at character 10: ':' or a comparison expected" },
	{ "thingName a", "at character 11: ':' or a comparison expected" },
	{ "thingName:", "at character 11: a value is missing at the end" },
	{ "thingName:)", "at character 11: a value expected, not ')'" },
	{ "thingName:AND", "not the keyword AND" },
	{ "thingName:a AND", "at character 13: AND needs a term on each" },
	{ "thingName:a OR", "at character 13: OR needs a term on each" },
	{ "OR thingName:a", "at character 1: OR needs a term" },
	{ "AND thingName:a", "at character 1: AND needs a term" },
	{ "thingName:a OR OR thingName:b", "at character 13: OR needs" },
	{ "NOT", "at character 4: a term is missing at the end" },
	{ "(thingName:a", "at character 1: the parenthesis is not closed" },
	{ "thingName:a)", "at character 12: ')' without a '('" },
	{ "()", "at character 2: a term (field:value) expected, not ')'" },
	{ "thingName:(a", "at character 11: the parenthesis is not closed" },
	{ "thingName:\"abc", "at character 11: the quoted value is not" },
	{ "thingName:[a b]", "at character 14: TO expected in a range" },
	{ "thingName:[a TO b", "at character 18: a range ends with" },
	{ "attributes.fw:[1 TO b]", "both be numbers or both be text" },
	{ "attributes.fw >", "a value to compare with is missing" },
	{ "attributes.fw > )", "a value to compare with expected, not ')'" },
	{ "thingName:*a AND thingName:*b", "at character 28: only one term" },
	{ "thingName:a %", "at character 13: a term (field:value) expected,"
	    " not '%'" },
	{ "thingName:a\x01", "not 0x01" },
	{ "thingName:a\xc3\xa9", "not 0xc3" },
	{ "thingName:1 thingName:2 thingName:3 thingName:4 thingName:5"
	    " thingName:6 thingName:7 thingName:8 thingName:9 thingName:10"
	    " thingName:11 thingName:12 thingName:13",
	    "at character 158: a query can have at most 12 terms" },
	{ "(((((((((((((((((((((((((((((((((thingName:a)))))))))))))))))"
	    ")))))))))))))))))", "nests deeper than 32" },
};

static void
test_refused(void **state)
{
	char why[THING_QUERY_WHY_MAX];
	struct thing_query *q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		why[0] = '\0';
		if (thing_query_parse(refused[i].query, &q, why,
		    sizeof(why)) == 0) {
			thing_query_free(q);
			fail_msg("%s: accepted", refused[i].query);
		}
		assert_null(q);
		if (strstr(why, refused[i].why) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", refused[i].query,
			    why, refused[i].why);
	}
}

static void
test_too_long(void **state)
{
	char *text = malloc(THING_QUERY_LEN_MAX + 2);
	char why[THING_QUERY_WHY_MAX];
	struct thing_query *q;

	(void)state;
	memset(text, ' ', THING_QUERY_LEN_MAX + 1);
	memcpy(text, "thingName:a", 11);
	text[THING_QUERY_LEN_MAX + 1] = '\0';
	assert_int_equal(thing_query_parse(text, &q, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "at most 2048 bytes"));
	text[THING_QUERY_LEN_MAX] = '\0';
	assert_int_equal(thing_query_parse(text, &q, why, sizeof(why)), 0);
	thing_query_free(q);
	free(text);
}

static const struct {
	const char *query;
	enum thing_query_index index;
	const char *attr;
	const char *value;
} anchors[] = {
	{ "attributes.fw:1.0", THING_QUERY_ATTR_EQ, "fw", "1.0" },
	{ "attributes.fw:\"1 0\"", THING_QUERY_ATTR_EQ, "fw", "1 0" },
	{ "attributes.fw:abc", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw:\"A\"", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw:1.*", THING_QUERY_ATTR_PREFIX, "fw", "1." },
	{ "attributes.fw:1*2", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw:1?*", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw:*", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw:v1*", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw > 1", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw:[1 TO 2]", THING_QUERY_SCAN, NULL, "" },
	{ "thingGroupNames:Lab", THING_QUERY_GROUP, NULL, "Lab" },
	{ "thingGroupNames:La*", THING_QUERY_SCAN, NULL, "" },
	{ "thingTypeName:sensor", THING_QUERY_TYPE, NULL, "sensor" },
	{ "thingName:abc", THING_QUERY_SCAN, NULL, "" },
	{ "thingTypeName:s attributes.fw:1.0", THING_QUERY_ATTR_EQ, "fw",
	    "1.0" },
	{ "thingTypeName:s AND thingGroupNames:g", THING_QUERY_GROUP, NULL,
	    "g" },
	{ "attributes.fw:1.* AND thingTypeName:s", THING_QUERY_TYPE, NULL,
	    "s" },
	{ "(thingName:z AND attributes.x:2) AND thingTypeName:s",
	    THING_QUERY_ATTR_EQ, "x", "2" },
	{ "thingTypeName:a OR attributes.fw:1", THING_QUERY_SCAN, NULL, "" },
	{ "NOT attributes.fw:1", THING_QUERY_SCAN, NULL, "" },
	{ "thingName:x AND NOT attributes.fw:1", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw:(1 OR 2)", THING_QUERY_SCAN, NULL, "" },
	{ "attributes.fw:(1 AND 2*)", THING_QUERY_ATTR_EQ, "fw", "1" },
};

static void
test_anchors(void **state)
{
	char why[THING_QUERY_WHY_MAX];
	struct thing_query_anchor a;
	struct thing_query *q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++) {
		if (thing_query_parse(anchors[i].query, &q, why,
		    sizeof(why)) == -1)
			fail_msg("%s: %s", anchors[i].query, why);
		thing_query_anchor(q, &a);
		if (a.index != anchors[i].index ||
		    strcmp(a.value, anchors[i].value) != 0 ||
		    (anchors[i].attr == NULL ? a.attr != NULL :
		    a.attr == NULL || strcmp(a.attr, anchors[i].attr) != 0))
			fail_msg("%s: index %d attr %s value \"%s\", want %d"
			    " %s \"%s\"", anchors[i].query, a.index,
			    a.attr != NULL ? a.attr : "-", a.value,
			    anchors[i].index, anchors[i].attr != NULL ?
			    anchors[i].attr : "-", anchors[i].value);
		thing_query_free(q);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_uses_groups),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_anchors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
