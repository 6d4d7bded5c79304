/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Job templates (store_template.h): a template's round trip, 0 for a
 * missing one and for a second delete, and the ListJobTemplates pages
 * (oldest first), which stay stable while templates come and go between
 * pages: none twice, none of those kept from the start skipped.
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_template.h"

static void
tp_put(struct store_tx *tx, const char *id, const char *document,
    int64_t at)
{
	struct store_template t = { 0 };
	struct err err;

	snprintf(t.template_id, sizeof(t.template_id), "%s", id);
	t.description = "about it";
	t.document = (char *)document;
	t.config = json_pack("{s:{s:i}}", "timeoutConfig",
	    "inProgressTimeoutInMinutes", 5);
	t.created_at = at;
	assert_int_equal(store_template_insert(tx, &t, &err), 0);
	json_decref(t.config);
}

/* Insert, get (config verbatim, no document), duplicate, delete. */
static void
template_round_trip(void **state)
{
	struct store *st = *state;
	struct store_template t = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	tp_put(tx, "tp", "{\"op\":\"x\"}", 100);
	tp_put(tx, "tp-nodoc", NULL, 101);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_template_get(tx, "tp", &t, &err), 1);
	assert_string_equal(t.template_id, "tp");
	assert_string_equal(t.description, "about it");
	assert_string_equal(t.document, "{\"op\":\"x\"}");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    t.config, "timeoutConfig"), "inProgressTimeoutInMinutes")), 5);
	assert_int_equal(t.created_at, 100);
	assert_int_equal(store_template_insert(tx, &t, &err), -1);
	store_template_release(&t);
	c_rollback(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_template_get(tx, "tp-nodoc", &t, &err), 1);
	assert_null(t.document);
	store_template_release(&t);
	assert_int_equal(store_template_get(tx, "tp", NULL, &err), 1);
	assert_int_equal(store_template_get(tx, "nope", NULL, &err), 0);
	assert_int_equal(store_template_delete(tx, "tp", &err), 1);
	assert_int_equal(store_template_delete(tx, "tp", &err), 0);
	assert_int_equal(store_template_delete(tx, "nope", &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_template_get(tx, "tp", NULL, &err), 0);
	assert_int_equal(store_template_get(tx, "tp-nodoc", NULL, &err), 1);
	c_rollback(tx);
}

/* One page of 3 from AFTER into SEEN; the next position. */
static int64_t
tp_page(struct store *st, int64_t after, json_t *seen)
{
	struct store_template_summary out[3];
	struct store_tx *tx = c_begin(st, false);
	struct err err;
	int64_t next;
	int i, n;

	assert_int_equal(store_template_list(tx, after, 3, out, &n, &next,
	    &err), 0);
	c_rollback(tx);
	assert_true(n >= 0 && n <= 3);
	assert_true(next == 0 || n == 3);
	for (i = 0; i < n; i++) {
		assert_string_equal(out[i].description, "about it");
		json_array_append_new(seen, json_string(out[i].template_id));
		free(out[i].description);
	}
	return next;
}

/* Pages stay stable while templates are created and deleted between. */
static void
template_list_stable(void **state)
{
	struct store *st = *state;
	struct store_tx *tx;
	struct err err;
	json_t *seen = json_array();
	char id[32];
	int64_t next;
	size_t i, j, k;
	int made = 0, pages = 0;

	assert_int_equal(tp_page(st, 0, seen), 0);
	assert_int_equal(c_len(seen), 0);

	tx = c_begin(st, true);
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "old-%02zu", i);
		tp_put(tx, id, NULL, 1000 + (int64_t)i);
	}
	c_commit(tx);
	next = tp_page(st, 0, seen);
	while (next != 0) {
		tx = c_begin(st, true);
		snprintf(id, sizeof(id), "new-%02d", made++);
		tp_put(tx, id, NULL, 2000 + made);
		/* The newest old template goes: it must not be seen later. */
		if (made == 1)
			assert_int_equal(store_template_delete(tx, "old-07",
			    &err), 1);
		c_commit(tx);
		next = tp_page(st, next, seen);
		assert_true(++pages < 20);
	}
	/*
	 * Oldest first: old-00..06 once each, in order, then every template
	 * created between pages (they are newer than any position), in
	 * order; no id twice, and never the deleted one.
	 */
	assert_int_equal(c_len(seen), 7 + (size_t)made);
	for (i = 0, k = 0; i < c_len(seen); i++) {
		for (j = i + 1; j < c_len(seen); j++)
			assert_string_not_equal(c_str(seen, i), c_str(seen, j));
		if (i < 7)
			snprintf(id, sizeof(id), "old-%02zu", i);
		else
			snprintf(id, sizeof(id), "new-%02zu", k++);
		assert_string_equal(c_str(seen, i), id);
	}
	json_decref(seen);
}

static const struct CMUnitTest tests[] = {
	C_CASE(template_round_trip),
	C_CASE(template_list_stable),
};

C_AREA(c_area_template, "template", tests);
