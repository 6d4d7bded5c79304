/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Things and thing groups (store_thing.h): round trips, not-found and
 * conflict results, list filters, membership, and the page tokens used
 * only as opaque strings.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_thing.h"
#include "store/store_thing_type.h"

static void
thing_put(struct store *st, const char *name, const char *type,
    const char *attrs)
{
	struct store_thing t = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	snprintf(t.name, sizeof(t.name), "%s", name);
	snprintf(t.type_name, sizeof(t.type_name), "%s", type);
	t.attributes = json_loads(attrs, 0, NULL);
	assert_non_null(t.attributes);
	assert_int_equal(store_thing_insert(tx, &t, &err), 0);
	assert_int_equal(strlen(t.thing_id), STORE_ID_LEN);
	store_thing_release(&t);
	c_commit(tx);
}

static void
thing_round_trip(void **state)
{
	struct store *st = *state;
	struct store_thing t = { 0 }, dup = { 0 };
	struct store_tx *tx;
	struct err err;
	char id[STORE_ID_LEN + 1];

	thing_put(st, "rt", "", "{\"a\":\"1\",\"b\":\"2\"}");
	tx = c_begin(st, false);
	assert_int_equal(store_thing_get(tx, "rt", &t, &err), 1);
	assert_string_equal(t.name, "rt");
	assert_string_equal(t.type_name, "");
	assert_int_equal(t.version, 1);
	assert_string_equal(json_string_value(json_object_get(t.attributes,
	    "b")), "2");
	assert_int_equal(json_object_size(t.attributes), 2);
	snprintf(id, sizeof(id), "%s", t.thing_id);
	c_rollback(tx);
	/* Update: type, attributes, version; the id stays. */
	tx = c_begin(st, true);
	json_decref(t.attributes);
	t.attributes = json_pack("{s:s}", "c", "3");
	t.version = 2;
	snprintf(t.type_name, sizeof(t.type_name), "sensor");
	assert_int_equal(store_thing_update(tx, &t, &err), 0);
	store_thing_release(&t);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_thing_get(tx, "rt", &t, &err), 1);
	assert_int_equal(t.version, 2);
	assert_string_equal(t.type_name, "sensor");
	assert_string_equal(t.thing_id, id);
	assert_null(json_object_get(t.attributes, "a"));
	assert_string_equal(json_string_value(json_object_get(t.attributes,
	    "c")), "3");
	store_thing_release(&t);
	c_rollback(tx);
	/* A second insert of the name conflicts and writes nothing. */
	tx = c_begin(st, true);
	snprintf(dup.name, sizeof(dup.name), "rt");
	dup.attributes = json_object();
	assert_int_equal(store_thing_insert(tx, &dup, &err), -1);
	store_thing_release(&dup);
	c_rollback(tx);
	/* Delete, then not found. */
	tx = c_begin(st, true);
	assert_int_equal(store_thing_delete(tx, "rt", &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_thing_get(tx, "rt", &t, &err), 0);
	assert_int_equal(store_thing_get(tx, "never", &t, &err), 0);
	c_rollback(tx);
}

static void
thing_list_filters(void **state)
{
	struct store *st = *state;
	struct store_page pg = { "", 10 };
	struct store_thing_filter f = { 0 };
	struct store_tx *tx;
	struct err err;
	json_t *out;
	bool more;

	thing_put(st, "t-c", "lamp", "{\"room\":\"kitchen\"}");
	thing_put(st, "t-a", "", "{\"room\":\"hall\"}");
	thing_put(st, "t-b", "lamp", "{\"room\":\"kitchenette\"}");
	thing_put(st, "t-d", "", "{}");
	tx = c_begin(st, false);
	out = json_array();
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 4);
	assert_false(more);
	assert_string_equal(c_member(out, 0, "thingName"), "t-a");
	assert_string_equal(c_member(out, 3, "thingName"), "t-d");
	assert_string_equal(c_member(out, 1, "thingTypeName"), "lamp");
	assert_null(json_object_get(json_array_get(out, 0), "thingTypeName"));
	json_array_clear(out);
	f.attr_name = "room";
	f.attr_value = "kitchen";
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 1);
	assert_string_equal(c_member(out, 0, "thingName"), "t-c");
	json_array_clear(out);
	f.prefix = true;
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 2);
	json_array_clear(out);
	f = (struct store_thing_filter){ .type_name = "lamp" };
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 2);
	assert_string_equal(c_member(out, 0, "thingName"), "t-b");
	json_array_clear(out);
	/* An attribute and a type together; an attribute of any value. */
	f = (struct store_thing_filter){ "room", "kitch", true, "lamp" };
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 2);
	assert_string_equal(c_member(out, 1, "thingName"), "t-c");
	json_array_clear(out);
	f = (struct store_thing_filter){ "room", "hall", false, "lamp" };
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 0);
	f = (struct store_thing_filter){ .attr_name = "room" };
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 3);
	assert_string_equal(c_member(out, 0, "thingName"), "t-a");
	json_array_clear(out);
	/* A page: limit 3 tells there is more; AFTER resumes. */
	f = (struct store_thing_filter){ 0 };
	pg.limit = 3;
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 3);
	assert_true(more);
	json_array_clear(out);
	pg.after = "t-c";
	assert_int_equal(store_thing_list(tx, &pg, &f, out, &more, &err), 0);
	assert_int_equal(c_len(out), 1);
	assert_string_equal(c_member(out, 0, "thingName"), "t-d");
	assert_false(more);
	json_decref(out);
	c_rollback(tx);
}

struct scan_acc {
	json_t *names;
	int stop_after;
};

static int
scan_row(const struct store_thing_row *r, void *arg, struct err *err)
{
	struct scan_acc *a = arg;

	json_array_append_new(a->names, json_string(r->name));
	if (a->stop_after > 0 && (int)json_array_size(a->names) ==
	    a->stop_after)
		return err_set(err, ERR_INTERNAL_FAILURE, "stop");
	return 0;
}

static void
thing_scan(void **state)
{
	struct store *st = *state;
	struct store_scan sc = { STORE_SCAN_ALL, NULL, NULL };
	struct scan_acc a = { json_array(), 0 };
	struct store_tx *tx;
	struct err err;
	bool added;

	thing_put(st, "s-2", "Meter", "{\"zone\":\"north\"}");
	thing_put(st, "s-1", "", "{\"zone\":\"northeast\"}");
	thing_put(st, "s-3", "", "{\"zone\":\"south\"}");
	tx = c_begin(st, true);
	{
		struct store_group g = { 0 };

		snprintf(g.name, sizeof(g.name), "Grp");
		g.attributes = json_object();
		assert_int_equal(store_group_insert(tx, &g, &err), 0);
		store_group_release(&g);
	}
	assert_int_equal(store_member_add(tx, "Grp", "s-3", &added, &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_thing_scan(tx, &sc, false, scan_row, &a, &err),
	    0);
	assert_int_equal(c_len(a.names), 3);
	assert_string_equal(c_str(a.names, 0), "s-1");
	json_array_clear(a.names);
	sc = (struct store_scan){ STORE_SCAN_ATTR_EQ, "zone", "north" };
	assert_int_equal(store_thing_scan(tx, &sc, false, scan_row, &a, &err),
	    0);
	assert_int_equal(c_len(a.names), 1);
	json_array_clear(a.names);
	sc = (struct store_scan){ STORE_SCAN_ATTR_PREFIX, "zone", "north" };
	assert_int_equal(store_thing_scan(tx, &sc, false, scan_row, &a, &err),
	    0);
	assert_int_equal(c_len(a.names), 2);
	json_array_clear(a.names);
	sc = (struct store_scan){ STORE_SCAN_GROUP, NULL, "grp" };
	assert_int_equal(store_thing_scan(tx, &sc, false, scan_row, &a, &err),
	    0);
	assert_int_equal(c_len(a.names), 1);
	assert_string_equal(c_str(a.names, 0), "s-3");
	json_array_clear(a.names);
	/* FN's -1 stops the walk and is the result. */
	sc = (struct store_scan){ STORE_SCAN_ALL, NULL, NULL };
	a.stop_after = 2;
	assert_int_equal(store_thing_scan(tx, &sc, false, scan_row, &a, &err),
	    -1);
	assert_int_equal(c_len(a.names), 2);
	json_decref(a.names);
	c_rollback(tx);
}

/* A scan that writes as it reads, as a dynamic group's build does. */
struct scan_join {
	struct store_tx *tx;
	json_t *names;
	json_t *groups;		/* thing name -> its static groups */
};

static int
scan_join_row(const struct store_thing_row *r, void *arg, struct err *err)
{
	struct scan_join *j = arg;
	bool added;

	json_array_append_new(j->names, json_string(r->name));
	if (r->groups != NULL)
		json_object_set(j->groups, r->name, (json_t *)r->groups);
	if (store_member_add(j->tx, "dyn", r->name, &added, err) == -1)
		return -1;
	return added ? 0 : err_set(err, ERR_INTERNAL_FAILURE, "twice");
}

/* Whether the array A holds the string S. */
static bool
has_str(const json_t *a, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_array_get(a, i)), s) == 0)
			return true;
	return false;
}

/*
 * More things than a backend may read at once, each seen once in name
 * order while the callback writes; a thing's static groups (never its
 * dynamic ones, an empty array for none); types and groups in any case.
 */
static void
thing_scan_large_with_groups(void **state)
{
	struct store *st = *state;
	struct store_scan sc = { STORE_SCAN_ALL, NULL, NULL };
	struct scan_join j = { NULL, json_array(), json_object() };
	struct scan_acc a = { json_array(), 0 };
	struct store_page pg = { "", 1000 };
	struct store_thing_type ty = { 0 };
	struct store_group g = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	char name[16];
	json_t *gs, *out = json_array();
	bool added, more;
	int i;

	for (i = 0; i < 700; i++) {
		struct store_thing t = { 0 };

		snprintf(t.name, sizeof(t.name), "b-%03d", i);
		if (i == 7)
			snprintf(t.type_name, sizeof(t.type_name), "Probe");
		t.attributes = json_object();
		assert_int_equal(store_thing_insert(tx, &t, &err), 0);
		store_thing_release(&t);
	}
	snprintf(ty.name, sizeof(ty.name), "Probe");
	ty.searchable = json_array();
	assert_int_equal(store_thing_type_insert(tx, &ty, &err), 0);
	json_decref(ty.searchable);
	c_group_put(tx, "Pair", "", NULL);
	c_group_put(tx, "pair", "", NULL);
	c_group_put(tx, "Grp-A", "", NULL);
	snprintf(g.name, sizeof(g.name), "dyn");
	g.attributes = json_object();
	g.query = (char *)"thingName:b-*";
	assert_int_equal(store_group_insert(tx, &g, &err), 0);
	json_decref(g.attributes);
	assert_int_equal(store_member_add(tx, "Pair", "b-001", &added, &err),
	    0);
	assert_int_equal(store_member_add(tx, "pair", "b-001", &added, &err),
	    0);
	assert_int_equal(store_member_add(tx, "Grp-A", "b-001", &added,
	    &err), 0);
	c_commit(tx);

	tx = c_begin(st, true);
	j.tx = tx;
	assert_int_equal(store_thing_scan(tx, &sc, true, scan_join_row, &j,
	    &err), 0);
	assert_int_equal(c_len(j.names), 700);
	for (i = 0; i < 700; i++) {
		snprintf(name, sizeof(name), "b-%03d", i);
		assert_string_equal(c_str(j.names, (size_t)i), name);
	}
	gs = json_object_get(j.groups, "b-001");
	assert_int_equal(c_len(gs), 3);
	assert_true(has_str(gs, "Pair") && has_str(gs, "pair") &&
	    has_str(gs, "Grp-A"));
	gs = json_object_get(j.groups, "b-002");
	assert_true(json_is_array(gs));
	assert_int_equal(c_len(gs), 0);
	assert_int_equal(store_member_things(tx, "dyn", false, &pg, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 700);
	/* Now a member of "dyn" too: still one static group fewer. */
	json_array_clear(j.names);
	json_object_clear(j.groups);
	sc = (struct store_scan){ STORE_SCAN_GROUP, NULL, "grp-a" };
	assert_int_equal(store_thing_scan(tx, &sc, true, scan_row, &a, &err),
	    0);
	assert_int_equal(c_len(a.names), 1);
	c_commit(tx);

	/* A stopped scan, then others in the same transaction. */
	tx = c_begin(st, false);
	json_array_clear(a.names);
	sc = (struct store_scan){ STORE_SCAN_ALL, NULL, NULL };
	a.stop_after = 300;
	assert_int_equal(store_thing_scan(tx, &sc, false, scan_row, &a, &err),
	    -1);
	assert_int_equal(c_len(a.names), 300);
	json_array_clear(a.names);
	a.stop_after = 0;
	sc = (struct store_scan){ STORE_SCAN_TYPE, NULL, "PROBE" };
	assert_int_equal(store_thing_scan(tx, &sc, false, scan_row, &a, &err),
	    0);
	assert_int_equal(c_len(a.names), 1);
	assert_string_equal(c_str(a.names, 0), "b-007");
	json_array_clear(a.names);
	/* Two groups whose names differ in case: the thing comes twice. */
	sc = (struct store_scan){ STORE_SCAN_GROUP, NULL, "PAIR" };
	assert_int_equal(store_thing_scan(tx, &sc, false, scan_row, &a, &err),
	    0);
	assert_int_equal(c_len(a.names), 2);
	assert_string_equal(c_str(a.names, 1), "b-001");
	c_rollback(tx);
	json_decref(a.names);
	json_decref(j.names);
	json_decref(j.groups);
	json_decref(out);
}

static void
thing_attrs_apply(void **state)
{
	json_t *cur = json_pack("{s:s,s:s}", "a", "1", "b", "2");
	json_t *upd = json_pack("{s:s,s:s}", "a", "", "c", "3");
	json_t *r;

	(void)state;
	r = store_attrs_apply(cur, upd, true);
	assert_null(json_object_get(r, "a"));
	assert_string_equal(json_string_value(json_object_get(r, "b")), "2");
	assert_string_equal(json_string_value(json_object_get(r, "c")), "3");
	json_decref(r);
	r = store_attrs_apply(cur, upd, false);
	assert_int_equal(json_object_size(r), 1);
	assert_non_null(json_object_get(r, "c"));
	json_decref(r);
	json_decref(cur);
	json_decref(upd);
}

static const struct CMUnitTest tests[] = {
	C_CASE(thing_round_trip),
	C_CASE(thing_list_filters),
	C_CASE(thing_scan),
	C_CASE(thing_scan_large_with_groups),
	C_CASE(thing_attrs_apply),
};

C_AREA(c_area_thing, "thing", tests);
