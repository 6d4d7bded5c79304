/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for src/common/policy.c while that evaluator is written on
 * another branch: weak definitions that accept any JSON object, so the
 * operator keys build and run before it lands. The real definitions win
 * at link time; this file goes once policy.c is merged.
 */
#include "policy.h"

#include <stdlib.h>

#include <jansson.h>

struct policy {
	json_t *doc;
};

__attribute__((weak)) int
policy_parse(const char *doc, size_t len, struct policy **out,
    struct err *err)
{
	json_t *j;

	*out = NULL;
	j = json_loadb(doc, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return err_set(err, ERR_MALFORMED_POLICY, "the policy document "
		    "must be a JSON object");
	}
	*out = calloc(1, sizeof(**out));
	if (*out == NULL) {
		json_decref(j);
		return err_set(err, ERR_MALFORMED_POLICY, "out of memory");
	}
	(*out)->doc = j;
	return 0;
}

__attribute__((weak)) void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	json_decref(p->doc);
	free(p);
}
