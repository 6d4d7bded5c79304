/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy and thing-principal store (store_policy.h,
 * store_principal.h over SQLite): creation-order pages both ways with
 * names breaking ties, the recursive attachment listing through group
 * ancestors, a target's attachments going with it, and the other-thing
 * look-up that the exclusivity rules read (an exclusive one first).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_policy.h"
#include "store/store_principal.h"
#include "store/store_thing.h"

#define GROUPS	"arn:aws:iot:r:1:thinggroup/"

static char dir[] = "/tmp/iotjobs-test-store-policy-XXXXXX";

static int
setup(void **state)
{
	struct store *st;
	struct err err;

	if (mkdtemp(dir) == NULL || store_open(dir, &st, &err) == -1)
		return -1;
	*state = st;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	store_close(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct store_tx *
begin(void **state)
{
	struct store_tx *tx;
	struct err err;

	assert_int_equal(store_begin(*state, true, &tx, &err), 0);
	return tx;
}

static void
policy_put(struct store_tx *tx, const char *name, int64_t created)
{
	struct store_policy p;
	struct err err;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	p.default_version = 1;
	p.next_version = 2;
	snprintf(p.generation_id, sizeof(p.generation_id), "g");
	p.created_at = p.modified_at = created;
	assert_int_equal(store_policy_insert(tx, &p, "{}", &err), 0);
}

/* The "KEY" members of the objects of ROWS, joined by spaces. */
static void
joined(const json_t *rows, const char *key, char *buf, size_t size)
{
	const json_t *row;
	size_t i, o = 0;

	buf[0] = '\0';
	json_array_foreach(rows, i, row) {
		const char *s = json_is_string(row) ? json_string_value(row) :
		    json_string_value(json_object_get(row, key));

		o += (size_t)snprintf(buf + o, size - o, "%s%s",
		    i > 0 ? " " : "", s);
	}
}

static void
policies_list_in_creation_order_both_ways(void **state)
{
	static const struct {
		bool descending;
		int64_t after_time;
		const char *after, *want;
		bool more;
	} cases[] = {
		{ false, 0, NULL, "c a b", true },
		{ false, 10, "a", "b d e", false },
		{ false, 10, "b", "d e", false },
		{ true, 0, NULL, "e d b", true },
		{ true, 20, "d", "b a c", false },
	};
	struct store_tx *tx = begin(state);
	struct store_cpage pg;
	struct err err;
	char got[256];
	bool more;
	size_t i;

	policy_put(tx, "c", 5);
	policy_put(tx, "b", 10);
	policy_put(tx, "a", 10);
	policy_put(tx, "e", 20);
	policy_put(tx, "d", 20);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *rows = json_array();

		pg = (struct store_cpage){ cases[i].after_time, cases[i].after,
		    cases[i].descending, 3 };
		assert_int_equal(store_policy_list(tx, &pg, rows, &more, &err),
		    0);
		joined(rows, "policyName", got, sizeof(got));
		assert_string_equal(got, cases[i].want);
		assert_int_equal(more, cases[i].more);
		json_decref(rows);
	}
	assert_int_equal(store_end(tx, false, &err), 0);
}

static void
attached_recursive_walks_ancestors(void **state)
{
	struct store_tx *tx = begin(state);
	struct store_page pg = { NULL, 10 };
	struct store_group g;
	struct err err;
	const char *names[] = { "root", "mid", "leaf" };
	json_t *rows;
	char got[256];
	bool more, added;
	int64_t n;
	size_t i;

	for (i = 0; i < 3; i++) {
		memset(&g, 0, sizeof(g));
		snprintf(g.name, sizeof(g.name), "%s", names[i]);
		if (i > 0)
			snprintf(g.parent_name, sizeof(g.parent_name), "%s",
			    names[i - 1]);
		g.attributes = json_object();
		assert_int_equal(store_group_insert(tx, &g, &err), 0);
		store_group_release(&g);
	}
	policy_put(tx, "p1", 1);
	policy_put(tx, "p2", 1);
	policy_put(tx, "p3", 1);
	store_policy_attach(tx, "p3", GROUPS "root", 1, &added, &err);
	store_policy_attach(tx, "p1", GROUPS "root", 1, &added, &err);
	store_policy_attach(tx, "p1", GROUPS "leaf", 1, &added, &err);
	store_policy_attach(tx, "p2", GROUPS "leaf", 1, &added, &err);
	store_policy_attach(tx, "p2", GROUPS "leaf", 1, &added, &err);
	assert_false(added);

	rows = json_array();
	assert_int_equal(store_policy_attached(tx, GROUPS "leaf", GROUPS,
	    "leaf", &pg, rows, &more, &err), 0);
	joined(rows, NULL, got, sizeof(got));
	assert_string_equal(got, "p1 p2 p3");
	json_array_clear(rows);
	assert_int_equal(store_policy_attached(tx, GROUPS "leaf", NULL, NULL,
	    &pg, rows, &more, &err), 0);
	joined(rows, NULL, got, sizeof(got));
	assert_string_equal(got, "p1 p2");
	json_decref(rows);

	assert_int_equal(store_policy_target_drop(tx, GROUPS "leaf", &n, &err),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(store_policy_attached_count(tx, "p2", &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_policy_attached_count(tx, "p1", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_end(tx, false, &err), 0);
}

static void
other_thing_prefers_the_exclusive_one(void **state)
{
	struct store_tx *tx = begin(state);
	char other[STORE_NAME_MAX + 1], type[STORE_PRINCIPAL_TYPE_MAX + 1];
	struct store_page pg = { NULL, 10 };
	struct err err;
	json_t *rows;
	char got[256];
	bool more, removed;

	assert_int_equal(store_principal_other_thing(tx, "c1", "t1", other,
	    type, &err), 0);
	store_thing_principal_put(tx, "a", "c1", "NON_EXCLUSIVE_THING", 1,
	    &err);
	store_thing_principal_put(tx, "z", "c1", "EXCLUSIVE_THING", 1, &err);
	store_thing_principal_put(tx, "t1", "c1", "EXCLUSIVE_THING", 1, &err);
	assert_int_equal(store_principal_other_thing(tx, "c1", "t1", other,
	    type, &err), 1);
	assert_string_equal(other, "z");
	assert_string_equal(type, "EXCLUSIVE_THING");

	/* Putting again changes the type only. */
	store_thing_principal_put(tx, "z", "c1", "NON_EXCLUSIVE_THING", 2,
	    &err);
	rows = json_array();
	assert_int_equal(store_principal_thing_list(tx, "c1",
	    "NON_EXCLUSIVE_THING", &pg, rows, &more, &err), 0);
	joined(rows, "thingName", got, sizeof(got));
	assert_string_equal(got, "a z");
	json_decref(rows);

	assert_int_equal(store_thing_principal_delete(tx, "t1", "c1", &removed,
	    &err), 0);
	assert_true(removed);
	assert_int_equal(store_thing_principal_delete(tx, "t1", "c1", &removed,
	    &err), 0);
	assert_false(removed);
	assert_int_equal(store_end(tx, false, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policies_list_in_creation_order_both_ways),
		cmocka_unit_test(attached_recursive_walks_ancestors),
		cmocka_unit_test(other_thing_prefers_the_exclusive_one),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
