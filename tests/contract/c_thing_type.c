/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thing types (store_thing_type.h): a type's round trip (its id new and
 * kept, the fields an update writes, deprecation set and undone), the
 * not-found answers, whether things use it, and ListThingTypes in name
 * order through pages, with the one-name filter and a callback that
 * stops the walk.
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_thing_type.h"

/* Inserts type NAME with DESCRIPTION (NULL: none) created at AT; its id
 * into ID unless NULL. */
static void
type_put(struct store *st, const char *name, const char *description,
    int64_t at, char id[STORE_ID_LEN + 1])
{
	struct store_thing_type t = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	snprintf(t.name, sizeof(t.name), "%s", name);
	t.description = (char *)description;
	t.searchable = json_pack("[s,s]", "serial", "model");
	t.created_at = at;
	assert_int_equal(store_thing_type_insert(tx, &t, &err), 0);
	assert_int_equal(strlen(t.type_id), STORE_ID_LEN);
	if (id != NULL)
		memcpy(id, t.type_id, STORE_ID_LEN + 1);
	json_decref(t.searchable);
	c_commit(tx);
}

static void
type_round_trip(void **state)
{
	struct store *st = *state;
	struct store_thing_type t = { 0 };
	struct store_tx *tx;
	struct err err;
	char id[STORE_ID_LEN + 1], id2[STORE_ID_LEN + 1];

	type_put(st, "Lamp", "a lamp", 1000, id);
	type_put(st, "Meter", NULL, 1001, id2);
	assert_string_not_equal(id, id2);
	tx = c_begin(st, false);
	assert_int_equal(store_thing_type_get(tx, "Lamp", &t, &err), 1);
	assert_string_equal(t.name, "Lamp");
	assert_string_equal(t.type_id, id);
	assert_string_equal(t.description, "a lamp");
	assert_int_equal(c_len(t.searchable), 2);
	assert_string_equal(c_str(t.searchable, 0), "serial");
	assert_string_equal(c_str(t.searchable, 1), "model");
	assert_null(t.mqtt5);
	assert_int_equal(t.deprecated_at, 0);
	assert_int_equal(t.created_at, 1000);
	store_thing_type_release(&t);
	assert_int_equal(store_thing_type_get(tx, "Meter", &t, &err), 1);
	assert_null(t.description);
	store_thing_type_release(&t);
	/* Existence only, and the not-found answers. */
	assert_int_equal(store_thing_type_get(tx, "Lamp", NULL, &err), 1);
	assert_int_equal(store_thing_type_get(tx, "Never", &t, &err), 0);
	c_rollback(tx);
	/* Update: description, searchable, mqtt5, deprecation; id kept. */
	tx = c_begin(st, true);
	assert_int_equal(store_thing_type_get(tx, "Lamp", &t, &err), 1);
	free(t.description);
	t.description = NULL;
	json_decref(t.searchable);
	t.searchable = json_pack("[s]", "colour");
	t.mqtt5 = json_pack("{s:[{s:s}]}", "propagatingAttributes",
	    "userPropertyKey", "k");
	t.deprecated_at = 2000;
	assert_int_equal(store_thing_type_update(tx, &t, &err), 0);
	store_thing_type_release(&t);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_thing_type_get(tx, "Lamp", &t, &err), 1);
	assert_string_equal(t.type_id, id);
	assert_int_equal(t.created_at, 1000);
	assert_null(t.description);
	assert_int_equal(c_len(t.searchable), 1);
	assert_string_equal(c_str(t.searchable, 0), "colour");
	assert_non_null(t.mqtt5);
	assert_int_equal(c_len(json_object_get(t.mqtt5,
	    "propagatingAttributes")), 1);
	assert_int_equal(t.deprecated_at, 2000);
	/* Undoing the deprecation. */
	t.deprecated_at = 0;
	assert_int_equal(store_thing_type_update(tx, &t, &err), 0);
	store_thing_type_release(&t);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_thing_type_get(tx, "Lamp", &t, &err), 1);
	assert_int_equal(t.deprecated_at, 0);
	assert_non_null(t.mqtt5);
	store_thing_type_release(&t);
	/* Delete: gone; the other stays; a missing one is not an error. */
	assert_int_equal(store_thing_type_delete(tx, "Lamp", &err), 0);
	assert_int_equal(store_thing_type_delete(tx, "Never", &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_thing_type_get(tx, "Lamp", NULL, &err), 0);
	assert_int_equal(store_thing_type_get(tx, "Meter", NULL, &err), 1);
	c_rollback(tx);
}

/* Whether a thing uses the type follows the things' writes. */
static void
type_in_use(void **state)
{
	struct store *st = *state;
	struct store_thing th = { 0 };
	struct store_tx *tx;
	struct err err;
	bool any = true;

	type_put(st, "Sensor", NULL, 1000, NULL);
	type_put(st, "Other", NULL, 1000, NULL);
	tx = c_begin(st, true);
	assert_int_equal(store_thing_type_in_use(tx, "Sensor", &any, &err), 0);
	assert_false(any);
	snprintf(th.name, sizeof(th.name), "s-1");
	snprintf(th.type_name, sizeof(th.type_name), "Sensor");
	th.attributes = json_object();
	assert_int_equal(store_thing_insert(tx, &th, &err), 0);
	store_thing_release(&th);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_thing_type_in_use(tx, "Sensor", &any, &err), 0);
	assert_true(any);
	assert_int_equal(store_thing_type_in_use(tx, "Other", &any, &err), 0);
	assert_false(any);
	/* The thing moves to the other type. */
	assert_int_equal(store_thing_get(tx, "s-1", &th, &err), 1);
	snprintf(th.type_name, sizeof(th.type_name), "Other");
	th.version++;
	assert_int_equal(store_thing_update(tx, &th, &err), 0);
	store_thing_release(&th);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_thing_type_in_use(tx, "Sensor", &any, &err), 0);
	assert_false(any);
	assert_int_equal(store_thing_type_in_use(tx, "Other", &any, &err), 0);
	assert_true(any);
	assert_int_equal(store_thing_delete(tx, "s-1", &err), 0);
	assert_int_equal(store_thing_type_in_use(tx, "Other", &any, &err), 0);
	assert_false(any);
	c_commit(tx);
}

struct type_acc {
	json_t *names;
	int stop_after;		/* 0: never */
};

static int
type_row(const struct store_thing_type *t, void *arg, struct err *err)
{
	struct type_acc *a = arg;

	assert_int_equal(strlen(t->type_id), STORE_ID_LEN);
	assert_non_null(t->searchable);
	json_array_append_new(a->names, json_string(t->name));
	if (a->stop_after > 0 && (int)json_array_size(a->names) ==
	    a->stop_after)
		return err_set(err, ERR_INTERNAL_FAILURE, "stop");
	return 0;
}

/* Every type through pages of PAGE, appended to A->names. */
static void
type_walk(struct store_tx *tx, int page, struct type_acc *a)
{
	struct store_page pg = { "", page };
	char after[STORE_NAME_MAX + 1] = "";
	struct err err;
	size_t before;
	bool more;

	do {
		before = c_len(a->names);
		assert_int_equal(store_thing_type_list(tx, &pg, NULL, type_row,
		    a, &more, &err), 0);
		assert_true(c_len(a->names) - before <= (size_t)page);
		if (more)
			assert_int_equal(c_len(a->names) - before, page);
		if (c_len(a->names) > 0)
			snprintf(after, sizeof(after), "%s", c_str(a->names,
			    c_len(a->names) - 1));
		pg.after = after;
	} while (more);
}

static void
type_list_pages(void **state)
{
	struct store *st = *state;
	static const char *const names[] = { "Bulb", "Door", "Fan", "Gate",
	    "Hub" };
	struct type_acc a = { json_array(), 0 };
	struct store_page pg = { "", 10 };
	struct store_tx *tx;
	struct err err;
	bool more;
	size_t i;
	int page;

	/* Inserted out of name order. */
	type_put(st, "Gate", NULL, 1000, NULL);
	type_put(st, "Bulb", NULL, 1001, NULL);
	type_put(st, "Hub", NULL, 1002, NULL);
	type_put(st, "Door", NULL, 1003, NULL);
	type_put(st, "Fan", NULL, 1004, NULL);
	tx = c_begin(st, false);
	for (page = 1; page <= 6; page++) {
		json_array_clear(a.names);
		type_walk(tx, page, &a);
		assert_int_equal(c_len(a.names), 5);
		for (i = 0; i < 5; i++)
			assert_string_equal(c_str(a.names, i), names[i]);
	}
	/* NAME: that type alone; a name after AFTER only. */
	json_array_clear(a.names);
	assert_int_equal(store_thing_type_list(tx, &pg, "Fan", type_row, &a,
	    &more, &err), 0);
	assert_int_equal(c_len(a.names), 1);
	assert_string_equal(c_str(a.names, 0), "Fan");
	assert_false(more);
	json_array_clear(a.names);
	assert_int_equal(store_thing_type_list(tx, &pg, "Never", type_row, &a,
	    &more, &err), 0);
	assert_int_equal(c_len(a.names), 0);
	pg.after = "Gate";
	assert_int_equal(store_thing_type_list(tx, &pg, "Fan", type_row, &a,
	    &more, &err), 0);
	assert_int_equal(c_len(a.names), 0);
	/* FN's -1 stops the walk and is the result. */
	pg.after = "";
	a.stop_after = 2;
	assert_int_equal(store_thing_type_list(tx, &pg, NULL, type_row, &a,
	    &more, &err), -1);
	assert_int_equal(c_len(a.names), 2);
	c_rollback(tx);
	/* A page, types put before the position and the one at it deleted,
	 * then the rest. */
	a.stop_after = 0;
	json_array_clear(a.names);
	tx = c_begin(st, false);
	pg.limit = 2;
	assert_int_equal(store_thing_type_list(tx, &pg, NULL, type_row, &a,
	    &more, &err), 0);
	c_rollback(tx);
	assert_true(more);
	type_put(st, "Alarm", NULL, 1005, NULL);
	type_put(st, "Cam", NULL, 1006, NULL);
	/* The type at the position may go too. */
	tx = c_begin(st, true);
	assert_int_equal(store_thing_type_delete(tx, "Door", &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	pg = (struct store_page){ "Door", 10 };
	assert_int_equal(store_thing_type_list(tx, &pg, NULL, type_row, &a,
	    &more, &err), 0);
	c_rollback(tx);
	assert_false(more);
	assert_int_equal(c_len(a.names), 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(c_str(a.names, i), names[i]);
	json_decref(a.names);
}

static const struct CMUnitTest tests[] = {
	C_CASE(type_round_trip),
	C_CASE(type_in_use),
	C_CASE(type_list_pages),
};

C_AREA(c_area_thing_type, "thing_type", tests);
