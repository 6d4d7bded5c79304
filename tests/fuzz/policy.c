/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: an AWS IoT policy document (common/policy.c). A refused
 * document must say MalformedPolicyException in UTF-8; an accepted one is
 * evaluated with the strings it holds as actions, resources and facts
 * (so the patterns meet subjects close to them), and the decisions must
 * keep the evaluator's invariants: deterministic, no resource means the
 * default deny, the allow-all policy beside it never leaves the default
 * deny and never hides an explicit one.
 */
#include "fuzz.h"

#include <jansson.h>

#include "policy.h"

#define FUZZ_STRINGS	24

struct strings {
	const char *s[FUZZ_STRINGS];
	size_t n;
};

/* Collects up to FUZZ_STRINGS strings and member names of J. */
static void
strings_collect(json_t *j, struct strings *out)
{
	const char *key;
	json_t *v;
	size_t i;

	if (out->n >= FUZZ_STRINGS)
		return;
	if (json_is_string(j)) {
		out->s[out->n++] = json_string_value(j);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			strings_collect(v, out);
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			if (out->n < FUZZ_STRINGS)
				out->s[out->n++] = key;
			strings_collect(v, out);
		}
	}
}

static void
check(const struct policy *p, const char *action, const char *const *res,
    size_t nres, const struct policy_facts *f)
{
	const struct policy *both[2] = { p, policy_allow_all() };
	enum policy_decision d, again, with_all;

	d = policy_eval(both, 1, action, res, nres, f);
	again = policy_eval(both, 1, action, res, nres, f);
	with_all = policy_eval(both, 2, action, res, nres, f);
	if (d != again)
		abort();
	if (d != POLICY_ALLOW && d != POLICY_DENY_DEFAULT &&
	    d != POLICY_DENY_EXPLICIT)
		abort();
	if (policy_eval(both, 1, action, res, 0, f) != POLICY_DENY_DEFAULT)
		abort();
	if (with_all == POLICY_DENY_DEFAULT)
		abort();
	if ((d == POLICY_DENY_EXPLICIT) != (with_all == POLICY_DENY_EXPLICIT))
		abort();
}

static void
evaluate(const struct policy *p, const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "*", "iot:Connect",
		"iot:Publish", "arn:aws:iot:us-east-1:123456789012:client/c1",
		"arn:aws:iot:us-east-1:1:topic/$aws/things/t1/jobs/x",
		"192.0.2.1", "2001:db8::1", "true" };
	struct strings st = { { NULL }, 0 };
	struct policy_facts f;
	const char *res[2];
	json_t *j;
	size_t i, k, n;

	j = json_loadb((const char *)data, size, 0, NULL);
	if (j == NULL)
		abort();	/* policy_parse took it */
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		st.s[st.n++] = fixed[i];
	strings_collect(j, &st);
	n = st.n;
	for (i = 0; i < n; i++) {
		k = (i * 7 + 3) % n;
		f.client_id = st.s[k];
		f.thing_name = i % 3 ? st.s[(k + 1) % n] : NULL;
		f.thing_attached = i % 2;
		f.cert_cn = st.s[(k + 2) % n];
		f.cert_id = i % 4 ? st.s[(k + 3) % n] : NULL;
		f.source_ip = st.s[(i + 5) % n];
		res[0] = st.s[i];
		res[1] = st.s[(i + 1) % n];
		check(p, st.s[(i + 2) % n], res, 1, &f);
		check(p, st.s[i], res, 2, &f);
		check(p, "iot:Publish", res, 2, NULL);
	}
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = NULL;
	struct err err;

	err_clear(&err);
	if (policy_parse((const char *)data, size, &p, &err) == -1) {
		if (p != NULL || err.type == NULL ||
		    strcmp(err.type, ERR_MALFORMED_POLICY) != 0 ||
		    err.msg[0] == '\0')
			abort();
		fuzz_check_msg(err.msg);
		return 0;
	}
	if (p == NULL || err.type != NULL)
		abort();
	evaluate(p, data, size);
	policy_free(p);
	return 0;
}
