/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dynamic thing groups (store_thing.h): a group with a query is dynamic,
 * one without is static; the dynamic ones are listed in name order with
 * their current query and counted as listed, and a thing's groups come
 * apart by kind.
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_thing.h"

/* Inserts group NAME, dynamic with QUERY unless it is NULL. */
static void
group_put(struct store_tx *tx, const char *name, const char *query)
{
	struct store_group g = { 0 };
	struct err err;

	snprintf(g.name, sizeof(g.name), "%s", name);
	g.attributes = json_object();
	g.query = (char *)query;
	g.query_version = query != NULL ? (char *)"2017-09-30" : NULL;
	g.index_name = query != NULL ? (char *)"AWS_Things" : NULL;
	assert_int_equal(store_group_insert(tx, &g, &err), 0);
	json_decref(g.attributes);
}

/* The dynamic groups as "name=query,...", checked against the count. */
static const char *
dyn_all(struct store_tx *tx, char *buf, size_t size)
{
	json_t *out = json_array();
	struct err err;
	size_t i, len = 0;
	int64_t n;

	json_array_append_new(out, json_pack("{s:s,s:s}", "name", "kept",
	    "query", "q"));
	assert_int_equal(store_dyngroup_all(tx, out, &err), 0);
	assert_string_equal(c_member(out, 0, "name"), "kept");
	assert_int_equal(store_dyngroup_count(tx, &n, &err), 0);
	assert_int_equal(n, c_len(out) - 1);
	buf[0] = '\0';
	for (i = 1; i < c_len(out) && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s=%s",
		    i > 1 ? "," : "", c_member(out, i, "name"),
		    c_member(out, i, "query"));
	json_decref(out);
	return buf;
}

/* The groups of THING of one kind, joined with ",". */
static const char *
kind(struct store_tx *tx, const char *thing, bool dynamic, char *buf,
    size_t size)
{
	json_t *out = json_array();
	struct err err;
	size_t i, len = 0;

	json_array_append_new(out, json_string("kept"));
	assert_int_equal(store_member_groups_kind(tx, thing, dynamic, out,
	    &err), 0);
	assert_string_equal(c_str(out, 0), "kept");
	buf[0] = '\0';
	for (i = 1; i < c_len(out) && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i > 1 ? "," : "", c_str(out, i));
	json_decref(out);
	return buf;
}

static void
dyngroup_listed_and_counted(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct store_group g = { 0 };
	struct err err;
	char buf[256];

	assert_string_equal(dyn_all(tx, buf, sizeof(buf)), "");
	group_put(tx, "static-a", NULL);
	group_put(tx, "dyn-z", "attributes.room:hall");
	group_put(tx, "dyn-b", "thingName:s*");
	group_put(tx, "static-c", NULL);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_string_equal(dyn_all(tx, buf, sizeof(buf)),
	    "dyn-b=thingName:s*,dyn-z=attributes.room:hall");
	/* A new query is the one listed. */
	assert_int_equal(store_group_get(tx, "dyn-z", &g, &err), 1);
	assert_string_equal(g.query, "attributes.room:hall");
	free(g.query);
	g.query = strdup("attributes.room:kitchen");
	g.version++;
	assert_int_equal(store_group_update(tx, &g, &err), 0);
	store_group_release(&g);
	assert_int_equal(store_group_delete(tx, "dyn-b", &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_string_equal(dyn_all(tx, buf, sizeof(buf)),
	    "dyn-z=attributes.room:kitchen");
	group_put(tx, "dyn-a", "thingName:*");
	c_rollback(tx);
	tx = c_begin(st, false);
	assert_string_equal(dyn_all(tx, buf, sizeof(buf)),
	    "dyn-z=attributes.room:kitchen");
	c_rollback(tx);
}

static void
dyngroup_member_kinds(void **state)
{
	struct store *st = *state;
	struct store_tx *tx;
	struct err err;
	char buf[256];
	bool added;

	c_thing(st, "k-1");
	c_thing(st, "k-2");
	tx = c_begin(st, true);
	group_put(tx, "s-b", NULL);
	group_put(tx, "s-a", NULL);
	group_put(tx, "d-b", "thingName:k*");
	group_put(tx, "d-a", "thingName:k-1");
	assert_int_equal(store_member_add(tx, "s-b", "k-1", &added, &err), 0);
	assert_int_equal(store_member_add(tx, "d-b", "k-1", &added, &err), 0);
	assert_int_equal(store_member_add(tx, "s-a", "k-1", &added, &err), 0);
	assert_int_equal(store_member_add(tx, "d-a", "k-1", &added, &err), 0);
	assert_int_equal(store_member_add(tx, "d-b", "k-2", &added, &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_string_equal(kind(tx, "k-1", false, buf, sizeof(buf)),
	    "s-a,s-b");
	assert_string_equal(kind(tx, "k-1", true, buf, sizeof(buf)),
	    "d-a,d-b");
	assert_string_equal(kind(tx, "k-2", false, buf, sizeof(buf)), "");
	assert_string_equal(kind(tx, "k-2", true, buf, sizeof(buf)), "d-b");
	assert_string_equal(kind(tx, "none", true, buf, sizeof(buf)), "");
	/* Membership changes show at once. */
	assert_int_equal(store_member_remove(tx, "d-a", "k-1", &err), 0);
	assert_int_equal(store_member_add(tx, "s-a", "k-2", &added, &err), 0);
	assert_string_equal(kind(tx, "k-1", true, buf, sizeof(buf)), "d-b");
	assert_string_equal(kind(tx, "k-2", false, buf, sizeof(buf)), "s-a");
	c_commit(tx);
}

static const struct CMUnitTest tests[] = {
	C_CASE(dyngroup_listed_and_counted),
	C_CASE(dyngroup_member_kinds),
};

C_AREA(c_area_dyngroup, "dyngroup", tests);
