/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MQTT outboxes (store_outbox.h): a row is written in the transaction
 * of the change it tells of, so it is gone when that rolls back, read in
 * order, and deleted up to the last one published.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_outbox.h"

struct rows {
	json_t *things;
	int64_t last;
};

static int
notify_row(int64_t id, const char *thing, void *arg, struct err *err)
{
	struct rows *r = arg;

	(void)err;
	json_array_append_new(r->things, json_string(thing));
	r->last = id;
	return 0;
}

static int
event_row(const struct store_event *ev, void *arg, struct err *err)
{
	struct rows *r = arg;

	(void)err;
	json_array_append_new(r->things, json_string(ev->operation));
	r->last = ev->id;
	return 0;
}

/* Reads both outboxes into R (things, then event operations). */
static void
outbox_read(struct store *st, struct rows *r)
{
	struct store_tx *tx = c_begin(st, false);
	struct err err;

	json_array_clear(r->things);
	assert_int_equal(store_outbox_notify(tx, 10, notify_row, r, &err), 0);
	assert_int_equal(store_outbox_events(tx, 10, event_row, r, &err), 0);
	c_rollback(tx);
}

/* Rolled back rows are gone; committed ones read in order, then done. */
static void
outbox_same_transaction(void **state)
{
	struct store *st = *state;
	struct store_event ev = { 0, "job", "completed", "oj", NULL,
	    "COMPLETED", NULL, 0, 1000 };
	struct rows r = { json_array(), 0 };
	struct store_tx *tx;
	struct err err;
	bool notify, events;

	assert_int_equal(store_outbox_switch(st, true, true, &err), 0);
	tx = c_begin(st, true);
	assert_int_equal(store_outbox_switch_get(tx, &notify, &events, &err),
	    0);
	assert_true(notify && events);
	assert_int_equal(store_outbox_notify_add(tx, "gone", &err), 0);
	assert_int_equal(store_outbox_event_add(tx, &ev, &err), 0);
	c_rollback(tx);
	outbox_read(st, &r);
	assert_int_equal(c_len(r.things), 0);
	tx = c_begin(st, true);
	assert_int_equal(store_outbox_notify_add(tx, "ob-1", &err), 0);
	assert_int_equal(store_outbox_notify_add(tx, "ob-2", &err), 0);
	assert_int_equal(store_outbox_event_add(tx, &ev, &err), 0);
	c_commit(tx);
	outbox_read(st, &r);
	assert_int_equal(c_len(r.things), 3);
	assert_string_equal(c_str(r.things, 0), "ob-1");
	assert_string_equal(c_str(r.things, 1), "ob-2");
	assert_string_equal(c_str(r.things, 2), "completed");
	/* Done up to the first notify row: the second stays. */
	tx = c_begin(st, true);
	json_array_clear(r.things);
	assert_int_equal(store_outbox_notify(tx, 1, notify_row, &r, &err), 0);
	assert_int_equal(store_outbox_notify_done(tx, r.last, &err), 0);
	assert_int_equal(store_outbox_events(tx, 10, event_row, &r, &err), 0);
	assert_int_equal(store_outbox_events_done(tx, r.last, &err), 0);
	c_commit(tx);
	outbox_read(st, &r);
	assert_int_equal(c_len(r.things), 1);
	assert_string_equal(c_str(r.things, 0), "ob-2");
	/* Switched off, an outbox is emptied. */
	assert_int_equal(store_outbox_switch(st, false, false, &err), 0);
	outbox_read(st, &r);
	assert_int_equal(c_len(r.things), 0);
	json_decref(r.things);
}

static const struct CMUnitTest tests[] = {
	C_CASE(outbox_same_transaction),
};

C_AREA(c_area_outbox, "outbox", tests);
