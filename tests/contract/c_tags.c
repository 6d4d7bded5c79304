/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resource tags (store_tags.h): one value per key, replaced in place, a
 * missing Value stored as "", keys removed one by one or all at once,
 * each resource's tags apart from every other's, and pages in key order
 * whose count is the recount of a full walk.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_tags.h"

/* Puts the tags of the JSON array text TAGS on RESOURCE. */
static void
tags_put(struct store_tx *tx, const char *resource, const char *tags)
{
	json_t *t = json_loads(tags, 0, NULL);
	struct err err;

	assert_non_null(t);
	assert_int_equal(store_tags_put(tx, resource, t, &err), 0);
	json_decref(t);
}

/*
 * Every tag of RESOURCE through pages of PAGE tags, as a new array; each
 * page but the last is full and says more follow, and the walk's length
 * is what store_tags_count says.
 */
static json_t *
tags_walk(struct store_tx *tx, const char *resource, int page)
{
	json_t *all = json_array(), *out = json_array();
	char after[256] = "";
	struct err err;
	bool more;
	int64_t n;

	do {
		json_array_clear(out);
		assert_int_equal(store_tags_list(tx, resource, after, page,
		    out, &more, &err), 0);
		assert_true(c_len(out) <= (size_t)page);
		if (more)
			assert_int_equal(c_len(out), page);
		if (c_len(out) > 0)
			snprintf(after, sizeof(after), "%s", c_member(out,
			    c_len(out) - 1, "Key"));
		json_array_extend(all, out);
	} while (more);
	json_decref(out);
	assert_int_equal(store_tags_count(tx, resource, &n, &err), 0);
	assert_int_equal(n, c_len(all));
	return all;
}

/* The value of KEY in the tag array A, or NULL. */
static const char *
tag_value(const json_t *a, const char *key)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (strcmp(c_member(a, i, "Key"), key) == 0)
			return c_member(a, i, "Value");
	return NULL;
}

/* Put adds or replaces; a missing Value is ""; the list is in key order. */
static void
tags_put_replaces(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	json_t *all;

	tags_put(tx, "job/t1", "[{\"Key\":\"b\",\"Value\":\"1\"},"
	    "{\"Key\":\"a\",\"Value\":\"2\"},{\"Key\":\"c\"}]");
	c_commit(tx);
	tx = c_begin(st, true);
	all = tags_walk(tx, "job/t1", 10);
	assert_int_equal(c_len(all), 3);
	assert_string_equal(c_member(all, 0, "Key"), "a");
	assert_string_equal(c_member(all, 1, "Key"), "b");
	assert_string_equal(c_member(all, 2, "Key"), "c");
	assert_string_equal(tag_value(all, "c"), "");
	json_decref(all);
	/* The same key again: one tag, the new value. */
	tags_put(tx, "job/t1", "[{\"Key\":\"b\",\"Value\":\"new\"},"
	    "{\"Key\":\"c\",\"Value\":\"x\"}]");
	c_commit(tx);
	tx = c_begin(st, false);
	all = tags_walk(tx, "job/t1", 10);
	assert_int_equal(c_len(all), 3);
	assert_string_equal(tag_value(all, "b"), "new");
	assert_string_equal(tag_value(all, "c"), "x");
	assert_string_equal(tag_value(all, "a"), "2");
	json_decref(all);
	c_rollback(tx);
}

/* Remove takes the keys named (absent ones: nothing); drop takes all. */
static void
tags_remove_and_drop(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	json_t *keys = json_pack("[s,s]", "k1", "never");
	struct err err;
	json_t *all;
	int64_t n;

	tags_put(tx, "thing/x", "[{\"Key\":\"k1\",\"Value\":\"1\"},"
	    "{\"Key\":\"k2\",\"Value\":\"2\"},"
	    "{\"Key\":\"k3\",\"Value\":\"3\"}]");
	/* Resources apart, even one whose name extends another's. */
	tags_put(tx, "thing/xy", "[{\"Key\":\"k1\",\"Value\":\"other\"}]");
	tags_put(tx, "job/x", "[{\"Key\":\"k1\",\"Value\":\"job\"}]");
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_tags_remove(tx, "thing/x", keys, &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	all = tags_walk(tx, "thing/x", 10);
	assert_int_equal(c_len(all), 2);
	assert_null(tag_value(all, "k1"));
	assert_string_equal(tag_value(all, "k2"), "2");
	json_decref(all);
	all = tags_walk(tx, "thing/xy", 10);
	assert_string_equal(tag_value(all, "k1"), "other");
	json_decref(all);
	/* Removing what is gone is not an error. */
	assert_int_equal(store_tags_remove(tx, "thing/x", keys, &err), 0);
	assert_int_equal(store_tags_remove(tx, "thing/none", keys, &err), 0);
	assert_int_equal(store_tags_drop(tx, "thing/x", &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_tags_count(tx, "thing/x", &n, &err), 0);
	assert_int_equal(n, 0);
	all = tags_walk(tx, "thing/x", 10);
	assert_int_equal(c_len(all), 0);
	json_decref(all);
	assert_int_equal(store_tags_count(tx, "thing/xy", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_tags_count(tx, "job/x", &n, &err), 0);
	assert_int_equal(n, 1);
	/* Dropping a resource without tags is not an error either. */
	assert_int_equal(store_tags_drop(tx, "thing/x", &err), 0);
	c_commit(tx);
	json_decref(keys);
}

/* A rolled back put or drop leaves the tags as they were. */
static void
tags_rollback(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	json_t *all;

	tags_put(tx, "command/c", "[{\"Key\":\"k\",\"Value\":\"v\"}]");
	c_commit(tx);
	tx = c_begin(st, true);
	tags_put(tx, "command/c", "[{\"Key\":\"k\",\"Value\":\"w\"},"
	    "{\"Key\":\"l\",\"Value\":\"w\"}]");
	c_rollback(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_tags_drop(tx, "command/c", &err), 0);
	c_rollback(tx);
	tx = c_begin(st, false);
	all = tags_walk(tx, "command/c", 10);
	assert_int_equal(c_len(all), 1);
	assert_string_equal(tag_value(all, "k"), "v");
	json_decref(all);
	c_rollback(tx);
}

/*
 * Pages: the list appends to what OUT holds, AFTER resumes after a key
 * (whether or not it exists), and a tag put before the position or the
 * tag at the position removed between two pages neither repeats nor
 * hides any tag after it.
 */
static void
tags_pages(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	json_t *out = json_array(), *all;
	struct err err;
	char text[64];
	bool more;
	int i;

	for (i = 0; i < 7; i++) {
		snprintf(text, sizeof(text), "[{\"Key\":\"k%c\",\"Value\":"
		    "\"%d\"}]", 'a' + i * 2, i);
		tags_put(tx, "jobtemplate/p", text);
	}
	c_commit(tx);
	tx = c_begin(st, false);
	for (i = 1; i <= 8; i++) {
		all = tags_walk(tx, "jobtemplate/p", i);
		assert_int_equal(c_len(all), 7);
		assert_string_equal(c_member(all, 0, "Key"), "ka");
		assert_string_equal(c_member(all, 6, "Key"), "km");
		json_decref(all);
	}
	json_array_append_new(out, json_string("kept"));
	assert_int_equal(store_tags_list(tx, "jobtemplate/p", "kc", 2, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 3);
	assert_string_equal(c_str(out, 0), "kept");
	assert_string_equal(c_member(out, 1, "Key"), "ke");
	assert_string_equal(c_member(out, 2, "Key"), "kg");
	assert_true(more);
	json_array_clear(out);
	/* After a key that is not there: the next one. */
	assert_int_equal(store_tags_list(tx, "jobtemplate/p", "kf", 10, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 4);
	assert_string_equal(c_member(out, 0, "Key"), "kg");
	assert_false(more);
	json_array_clear(out);
	/* After the last: empty, and nothing more. */
	assert_int_equal(store_tags_list(tx, "jobtemplate/p", "km", 10, out,
	    &more, &err), 0);
	assert_int_equal(c_len(out), 0);
	assert_false(more);
	c_rollback(tx);
	/* First page, then an insert before the position, then the rest. */
	tx = c_begin(st, false);
	assert_int_equal(store_tags_list(tx, "jobtemplate/p", "", 3, out,
	    &more, &err), 0);
	c_rollback(tx);
	assert_true(more);
	assert_string_equal(c_member(out, 2, "Key"), "ke");
	tx = c_begin(st, true);
	tags_put(tx, "jobtemplate/p", "[{\"Key\":\"kb\",\"Value\":\"\"}]");
	/* The tag at the position may go too: the rest still follows it. */
	{
		json_t *gone = json_pack("[s]", "ke");

		assert_int_equal(store_tags_remove(tx, "jobtemplate/p", gone,
		    &err), 0);
		json_decref(gone);
	}
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_tags_list(tx, "jobtemplate/p", "ke", 10, out,
	    &more, &err), 0);
	assert_false(more);
	assert_int_equal(c_len(out), 7);
	for (i = 0; i < 7; i++) {
		snprintf(text, sizeof(text), "k%c", 'a' + i * 2);
		assert_string_equal(c_member(out, i, "Key"), text);
	}
	json_decref(out);
	c_rollback(tx);
}

static const struct CMUnitTest tests[] = {
	C_CASE(tags_put_replaces),
	C_CASE(tags_remove_and_drop),
	C_CASE(tags_rollback),
	C_CASE(tags_pages),
};

C_AREA(c_area_tags, "tags", tests);
