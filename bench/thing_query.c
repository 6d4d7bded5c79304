/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What each dynamic thing group costs a thing change, for `make bench`:
 * ns per thing_query_parse (every change reads the groups' queries
 * again) and per thing_query_match of one thing, for queries of one,
 * three and six terms. Beside them, in the same run, the ceiling of a
 * match: json_object_get and strcmp of each attribute the query reads,
 * what no evaluator of the same terms can beat.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/thing_query.h"

#define RUN_SECONDS	0.1
#define RUNS		5

static volatile unsigned long sink;

static const struct {
	const char *query;
	const char *const attrs[7];	/* what the ceiling compares */
} cases[] = {
	{ "attributes.fw:1.0", { "fw", NULL } },
	{ "thingTypeName:sensor AND attributes.fw:1.* AND"
	    " thingGroupNames:berlin", { "fw", NULL } },
	{ "(attributes.site:s042 OR attributes.site:s043) AND"
	    " attributes.fw > 1.5 AND NOT attributes.state:retired AND"
	    " thingName:dyn-* AND thingTypeName:sensor",
	    { "site", "site", "fw", "state", NULL } },
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best ns per call of FN(ARG) over RUNS runs of RUN_SECONDS. */
static double
best_ns(void (*fn)(const void *), const void *arg)
{
	double best = 1e30, t0, t;
	long n;
	int r;

	for (r = 0; r < RUNS; r++) {
		n = 0;
		t0 = now_s();
		do {
			fn(arg);
			n++;
		} while ((t = now_s()) - t0 < RUN_SECONDS);
		if ((t - t0) * 1e9 / (double)n < best)
			best = (t - t0) * 1e9 / (double)n;
	}
	return best;
}

static struct thing_query_subject subject;

static void
run_parse(const void *arg)
{
	char why[THING_QUERY_WHY_MAX];
	struct thing_query *q;

	if (thing_query_parse(arg, &q, why, sizeof(why)) == 0)
		sink++;
	thing_query_free(q);
}

static void
run_match(const void *arg)
{
	sink += thing_query_match(arg, &subject);
}

static void
run_ceiling(const void *arg)
{
	const char *const *a = arg;
	const char *v;

	for (; *a != NULL; a++) {
		v = json_string_value(json_object_get(subject.attributes, *a));
		sink += v != NULL && strcmp(v, "1.0") == 0;
	}
}

int
main(void)
{
	char why[THING_QUERY_WHY_MAX];
	struct thing_query *q;
	size_t i;

	subject.name = "dyn-0000042";
	subject.type_name = "sensor";
	subject.attributes = json_pack("{s:s, s:s, s:s}", "fw", "2.0",
	    "site", "s042", "state", "active");
	subject.groups = json_pack("[s, s]", "berlin", "lab");
	printf("%-6s %12s %12s %14s\n", "terms", "parse", "match",
	    "match ceiling");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (thing_query_parse(cases[i].query, &q, why,
		    sizeof(why)) == -1) {
			fprintf(stderr, "%s: %s\n", cases[i].query, why);
			return 1;
		}
		printf("%-6d %9.0f ns %9.0f ns %11.0f ns\n", i == 0 ? 1 :
		    i == 1 ? 3 : 6, best_ns(run_parse, cases[i].query),
		    best_ns(run_match, q), best_ns(run_ceiling,
		    cases[i].attrs));
		thing_query_free(q);
	}
	json_decref((json_t *)subject.attributes);
	json_decref((json_t *)subject.groups);
	return 0;
}
