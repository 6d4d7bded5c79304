/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the dynamic thing groups' query language
 * (api/thing_query.c), as CreateDynamicThingGroup's queryString carries
 * it. A refusal says where, in UTF-8 (it goes into a JSON message); a
 * query that parses evaluates on a few things without fault, and its
 * negation "NOT (query)", when it parses, answers the opposite.
 */
#include "fuzz.h"

#include <stdio.h>
#include <strings.h>

#include "api/thing_query.h"

static void
subjects_init(struct thing_query_subject s[3], json_t *own[4])
{
	own[0] = json_pack("{s:s, s:s}", "fw", "1.5", "site", "Berlin");
	own[1] = json_pack("[s, s]", "lab", "eu");
	own[2] = json_pack("{s:s}", "fw", "abc");
	own[3] = json_array();
	s[0] = (struct thing_query_subject){ "sensor-1", "sensor", own[0],
	    own[1] };
	s[1] = (struct thing_query_subject){ "Lamp_7", NULL, own[2],
	    own[3] };
	s[2] = (struct thing_query_subject){ "x", "", NULL, NULL };
}

/* Whether S is among the candidates of anchor A (the store's lookup). */
static int
anchor_has(const struct thing_query_anchor *a,
    const struct thing_query_subject *s)
{
	const char *v;
	json_t *g;
	size_t i;

	switch (a->index) {
	case THING_QUERY_ATTR_EQ:
		v = json_string_value(json_object_get(s->attributes, a->attr));
		return v != NULL && strcmp(v, a->value) == 0;
	case THING_QUERY_ATTR_PREFIX:
		v = json_string_value(json_object_get(s->attributes, a->attr));
		return v != NULL && strncmp(v, a->value, strlen(a->value)) == 0;
	case THING_QUERY_GROUP:
		json_array_foreach(s->groups, i, g)
			if (strcasecmp(json_string_value(g), a->value) == 0)
				return 1;
		return 0;
	case THING_QUERY_TYPE:
		return s->type_name != NULL &&
		    strcasecmp(s->type_name, a->value) == 0;
	default:
		return 1;
	}
}

static void
check_refusal(const char *why)
{
	if (strncmp(why, "at character ", 13) != 0)
		abort();
	fuzz_check_msg(why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char why[THING_QUERY_WHY_MAX];
	struct thing_query_subject s[3];
	struct thing_query_anchor anchor;
	struct thing_query *q, *nq;
	json_t *own[4];
	char *neg;
	size_t i, len = strlen(text);

	why[0] = '\0';
	if (thing_query_parse(text, &q, why, sizeof(why)) == -1) {
		if (q != NULL)
			abort();
		check_refusal(why);
		free(text);
		return 0;
	}
	subjects_init(s, own);
	thing_query_anchor(q, &anchor);
	for (i = 0; i < 3; i++)
		if (thing_query_match(q, &s[i]) && !anchor_has(&anchor, &s[i]))
			abort();
	neg = malloc(len + 8);
	if (neg == NULL)
		abort();
	snprintf(neg, len + 8, "NOT (%s)", text);
	if (thing_query_parse(neg, &nq, why, sizeof(why)) == 0) {
		for (i = 0; i < 3; i++)
			if (thing_query_match(q, &s[i]) ==
			    thing_query_match(nq, &s[i]))
				abort();
		thing_query_free(nq);
	} else {
		check_refusal(why);
		for (i = 0; i < 3; i++)
			(void)thing_query_match(q, &s[i]);
	}
	(void)thing_query_uses_groups(q);
	thing_query_free(q);
	for (i = 0; i < 4; i++)
		json_decref(own[i]);
	free(neg);
	free(text);
	return 0;
}
