/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thing groups and membership (store_thing.h): a group's round trip, its
 * children and the ListThingGroups filters, and membership added once,
 * counted, listed (recursively through child groups) and removed.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_thing.h"


/* Insert, get, update (version, attributes), conflict, delete. */
static void
group_round_trip(void **state)
{
	struct store *st = *state;
	struct store_group g = { 0 }, dup = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	c_group_put(tx, "g-rt", "", NULL);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_group_get(tx, "g-rt", &g, &err), 1);
	assert_int_equal(g.version, 1);
	assert_string_equal(g.parent_name, "");
	g.version = 2;
	json_object_set_new(g.attributes, "k", json_string("v"));
	assert_int_equal(store_group_update(tx, &g, &err), 0);
	store_group_release(&g);
	snprintf(dup.name, sizeof(dup.name), "g-rt");
	dup.attributes = json_object();
	assert_int_equal(store_group_insert(tx, &dup, &err), -1);
	store_group_release(&dup);
	c_rollback(tx);
	/* The rollback took the update with it. */
	tx = c_begin(st, true);
	assert_int_equal(store_group_get(tx, "g-rt", &g, &err), 1);
	assert_int_equal(g.version, 1);
	g.version = 2;
	json_object_set_new(g.attributes, "k", json_string("v"));
	assert_int_equal(store_group_update(tx, &g, &err), 0);
	store_group_release(&g);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_group_get(tx, "g-rt", &g, &err), 1);
	assert_int_equal(g.version, 2);
	assert_string_equal(json_string_value(json_object_get(g.attributes,
	    "k")), "v");
	store_group_release(&g);
	assert_int_equal(store_group_delete(tx, "g-rt", &err), 0);
	assert_int_equal(store_group_get(tx, "g-rt", &g, &err), 0);
	c_commit(tx);
}

/* Children, the list filters and recursive membership. */
static void
group_tree_and_members(void **state)
{
	struct store *st = *state;
	struct store_page pg = { "", 10 };
	struct store_tx *tx;
	struct err err;
	json_t *out = json_array();
	bool more, added;
	int64_t n;

	c_thing(st, "m-1");
	c_thing(st, "m-2");
	tx = c_begin(st, true);
	c_group_put(tx, "root", "", NULL);
	c_group_put(tx, "mid", "root", NULL);
	c_group_put(tx, "leaf", "mid", NULL);
	c_group_put(tx, "other", "", NULL);
	assert_int_equal(store_member_add(tx, "root", "m-1", &added, &err), 0);
	assert_true(added);
	assert_int_equal(store_member_add(tx, "root", "m-1", &added, &err), 0);
	assert_false(added);
	assert_int_equal(store_member_add(tx, "leaf", "m-2", &added, &err), 0);
	assert_int_equal(store_member_add(tx, "leaf", "m-1", &added, &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_group_children(tx, "root", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_group_children(tx, "leaf", &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_group_list(tx, &pg, NULL, false, NULL, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 2);
	json_array_clear(out);
	assert_int_equal(store_group_list(tx, &pg, NULL, true, NULL, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 4);
	json_array_clear(out);
	assert_int_equal(store_group_list(tx, &pg, "root", true, NULL, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 2);
	json_array_clear(out);
	assert_int_equal(store_group_list(tx, &pg, "root", false, NULL, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 1);
	json_array_clear(out);
	assert_int_equal(store_group_list(tx, &pg, NULL, true, "oth", out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 1);
	json_array_clear(out);
	assert_int_equal(store_member_count(tx, "m-1", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_member_groups(tx, "m-1", &pg, out, &more,
	    &err), 0);
	assert_int_equal(c_len(out), 2);
	json_array_clear(out);
	assert_int_equal(store_member_things(tx, "root", false, &pg, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 1);
	json_array_clear(out);
	/* Recursive: m-1 (twice a member) once, m-2 through leaf. */
	assert_int_equal(store_member_things(tx, "root", true, &pg, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 2);
	json_array_clear(out);
	c_rollback(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_member_remove(tx, "leaf", "m-1", &err), 0);
	assert_int_equal(store_member_remove(tx, "leaf", "m-1", &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_member_count(tx, "m-1", &n, &err), 0);
	assert_int_equal(n, 1);
	c_rollback(tx);
	json_decref(out);
}

/* The listings page by name, the prefix filter and recursion included. */
static void
group_pages(void **state)
{
	struct store *st = *state;
	struct store_page pg = { "", 2 };
	struct store_tx *tx;
	struct err err;
	json_t *out = json_array();
	bool more, added;

	c_thing(st, "p-1");
	c_thing(st, "p-2");
	c_thing(st, "p-3");
	tx = c_begin(st, true);
	c_group_put(tx, "top", "", NULL);
	c_group_put(tx, "top-b", "top", NULL);
	c_group_put(tx, "top-a", "top", NULL);
	c_group_put(tx, "low", "top-a", NULL);
	c_group_put(tx, "top-c", "top-b", NULL);
	assert_int_equal(store_member_add(tx, "top-c", "p-3", &added, &err),
	    0);
	assert_int_equal(store_member_add(tx, "low", "p-1", &added, &err), 0);
	assert_int_equal(store_member_add(tx, "top", "p-2", &added, &err), 0);
	assert_int_equal(store_member_add(tx, "top-a", "p-1", &added, &err),
	    0);
	c_commit(tx);
	tx = c_begin(st, false);
	/* Descendants of "top": low, top-a, top-b, top-c in name order. */
	assert_int_equal(store_group_list(tx, &pg, "top", true, NULL, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 2);
	assert_string_equal(c_str(out, 0), "low");
	assert_string_equal(c_str(out, 1), "top-a");
	assert_true(more);
	json_array_clear(out);
	pg.after = "top-a";
	assert_int_equal(store_group_list(tx, &pg, "top", true, NULL, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 2);
	assert_string_equal(c_str(out, 1), "top-c");
	assert_false(more);
	json_array_clear(out);
	pg.after = "";
	assert_int_equal(store_group_list(tx, &pg, "top", true, "top-", out,
	    &more, &err), 0);
	assert_string_equal(c_str(out, 0), "top-a");
	assert_true(more);
	json_array_clear(out);
	assert_int_equal(store_group_list(tx, &pg, "top", false, "top-b", out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 1);
	assert_false(more);
	json_array_clear(out);
	/* Every thing under "top" once, two at a time. */
	assert_int_equal(store_member_things(tx, "top", true, &pg, out, &more,
	    &err), 0);
	assert_int_equal(c_len(out), 2);
	assert_string_equal(c_str(out, 0), "p-1");
	assert_string_equal(c_str(out, 1), "p-2");
	assert_true(more);
	json_array_clear(out);
	pg.after = "p-2";
	assert_int_equal(store_member_things(tx, "top", true, &pg, out, &more,
	    &err), 0);
	assert_int_equal(c_len(out), 1);
	assert_string_equal(c_str(out, 0), "p-3");
	assert_false(more);
	json_array_clear(out);
	pg = (struct store_page){ "", 1 };
	assert_int_equal(store_member_groups(tx, "p-1", &pg, out, &more,
	    &err), 0);
	assert_int_equal(c_len(out), 1);
	assert_string_equal(c_str(out, 0), "low");
	assert_true(more);
	c_rollback(tx);
	json_decref(out);
}

static const struct CMUnitTest tests[] = {
	C_CASE(group_round_trip),
	C_CASE(group_tree_and_members),
	C_CASE(group_pages),
};

C_AREA(c_area_group, "group", tests);
