/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy evaluator's cost for `make bench`: ns per policy_eval on
 * policies of 1, 10 and 50 statements, every statement allowing the
 * request's action on two resources built from policy variables (half of
 * them with a condition), the request matching only the last one, so
 * each evaluation walks every statement. Beside it, in the same run:
 * - ceiling: a loop of strcmp over the same statements' actions and
 *   resources with the variables already substituted (exact compares,
 *   no wildcards, no conditions): what no evaluator can beat;
 * - reference: one json_loads of the document, the cost an evaluator
 *   that parsed per request would pay before deciding anything.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"

#define ARN		"arn:aws:iot:us-east-1:123456789012:"
#define MAX_STMT	50
#define DOC_MAX		(MAX_STMT * 512)
#define RUN_SECONDS	0.1
#define RUNS		5

static volatile unsigned long sink;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
doc_build(char *doc, size_t cap, int n)
{
	size_t len;
	int i;

	len = (size_t)snprintf(doc, cap,
	    "{\"Version\":\"2012-10-17\",\"Statement\":[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len,
		    "%s{\"Effect\":\"Allow\",\"Action\":[\"iot:Receive\","
		    "\"iot:Publish\"],\"Resource\":[\"" ARN "topic/$aws/things/"
		    "${iot:Connection.Thing.ThingName}/s%d/*\",\"" ARN
		    "topic/fleet/%d/${iot:ClientId}\"]%s}", i ? "," : "", i,
		    i, i % 2 ? ",\"Condition\":{\"StringEquals\":"
		    "{\"iot:ClientId\":\"${iot:Connection.Thing.ThingName}\"}}"
		    : "");
	snprintf(doc + len, cap - len, "]}");
}

/* The same statements as plain strings, variables substituted. */
struct flat {
	char res[MAX_STMT][2][128];
	int n;
};

static void
flat_build(struct flat *f, int n)
{
	int i;

	f->n = n;
	for (i = 0; i < n; i++) {
		snprintf(f->res[i][0], sizeof(f->res[i][0]),
		    ARN "topic/$aws/things/thing-1/s%d/x", i);
		snprintf(f->res[i][1], sizeof(f->res[i][1]),
		    ARN "topic/fleet/%d/thing-1", i);
	}
}

static int
flat_eval(const struct flat *f, const char *action, const char *res)
{
	static const char *const acts[2] = { "iot:Receive", "iot:Publish" };
	int i, a, r;

	for (i = 0; i < f->n; i++)
		for (a = 0; a < 2; a++) {
			if (strcmp(acts[a], action) != 0)
				continue;
			for (r = 0; r < 2; r++)
				if (strcmp(f->res[i][r], res) == 0)
					return 1;
		}
	return 0;
}

/* What the three timed loops share. */
struct ctx {
	const struct policy **ps;
	const char **res;
	const struct policy_facts *facts;
	const struct flat *flat;
	const char *doc, *last;
};

static void
run_eval(const struct ctx *c)
{
	sink += (unsigned long)policy_eval(c->ps, 1, "iot:Publish", c->res, 1,
	    c->facts);
}

static void
run_flat(const struct ctx *c)
{
	sink += (unsigned long)flat_eval(c->flat, "iot:Publish", c->last);
}

static void
run_json(const struct ctx *c)
{
	json_t *j = json_loads(c->doc, 0, NULL);

	sink += (unsigned long)json_object_size(j);
	json_decref(j);
}

/*
 * ns per call of FN: the best of RUNS runs of RUN_SECONDS each, so that
 * the other work on the shared cores shows less.
 */
static double
measure(void (*fn)(const struct ctx *), const struct ctx *c)
{
	double best = 0, t0, t, ns;
	long iters, k, batch = 1;
	int r;

	for (r = 0; r < RUNS; r++) {
		iters = 0;
		t0 = now_s();
		do {
			for (k = 0; k < batch; k++)
				fn(c);
			iters += batch;
			t = now_s();
			if (t - t0 < RUN_SECONDS / 100 && batch < 100000)
				batch *= 2;
		} while (t - t0 < RUN_SECONDS);
		ns = (t - t0) * 1e9 / (double)iters;
		if (r == 0 || ns < best)
			best = ns;
	}
	return best;
}

static void
bench_one(int n)
{
	static const struct policy_facts facts = { "thing-1", "thing-1",
		true, "thing-1", NULL, "192.0.2.1" };
	char doc[DOC_MAX], last[160];
	const struct policy *ps[1];
	const char *res[1] = { last };
	struct policy *p;
	struct flat flat;
	struct err err;
	struct ctx c = { ps, res, &facts, &flat, doc, last };
	double ns_eval, ns_flat, ns_json;

	doc_build(doc, sizeof(doc), n);
	err_clear(&err);
	if (policy_parse(doc, strlen(doc), &p, &err) == -1) {
		fprintf(stderr, "policy: %s\n", err.msg);
		exit(1);
	}
	ps[0] = p;
	snprintf(last, sizeof(last), ARN "topic/$aws/things/thing-1/s%d/x",
	    n - 1);
	if (policy_eval(ps, 1, "iot:Publish", res, 1, &facts) !=
	    POLICY_ALLOW) {
		fprintf(stderr, "policy: the request is not allowed\n");
		exit(1);
	}
	flat_build(&flat, n);

	ns_eval = measure(run_eval, &c);
	ns_flat = measure(run_flat, &c);
	ns_json = measure(run_json, &c);

	printf("%2d statements (%5zu bytes): policy_eval %7.0f ns"
	    "  | ceiling strcmp loop %5.0f ns  | json_loads %7.0f ns\n", n,
	    strlen(doc), ns_eval, ns_flat, ns_json);
	policy_free(p);
}

int
main(void)
{
	printf("policy evaluation, the request matching the last statement"
	    " only (ns per call, best of %d runs of %.1f s)\n", RUNS,
	    RUN_SECONDS);
	bench_one(1);
	bench_one(10);
	bench_one(50);
	return 0;
}
