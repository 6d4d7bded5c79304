/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the MQTT notifier keeps and the set-based outbox writes
 * (store_outbox.h): the last list published per thing (an empty one
 * forgets it), and the notify and event rows of one job's executions
 * chosen by status and id, in id order, no other job's among them.
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_exec.h"
#include "store/store_outbox.h"

/* Recorded per thing; overwritten; an empty list deletes the record. */
static void
notify_sent_per_thing(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	char *list = (char *)"x", *head = (char *)"x";

	assert_int_equal(store_notify_sent_get(tx, "ns-1", &list, &head, &err),
	    0);
	assert_null(list);
	assert_null(head);
	assert_int_equal(store_notify_sent_put(tx, "ns-1", "[\"j1\",\"j2\"]",
	    "j1", &err), 0);
	assert_int_equal(store_notify_sent_put(tx, "ns-2", "[\"j9\"]", "j9",
	    &err), 0);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_notify_sent_get(tx, "ns-1", &list, &head, &err),
	    1);
	assert_string_equal(list, "[\"j1\",\"j2\"]");
	assert_string_equal(head, "j1");
	free(list);
	free(head);
	assert_int_equal(store_notify_sent_put(tx, "ns-1", "[\"j2\"]", "j2",
	    &err), 0);
	assert_int_equal(store_notify_sent_get(tx, "ns-1", &list, &head, &err),
	    1);
	assert_string_equal(list, "[\"j2\"]");
	assert_string_equal(head, "j2");
	free(list);
	free(head);
	assert_int_equal(store_notify_sent_put(tx, "ns-1", "", "", &err), 0);
	assert_int_equal(store_notify_sent_get(tx, "ns-1", &list, &head, &err),
	    0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_notify_sent_get(tx, "ns-1", &list, &head, &err),
	    0);
	assert_int_equal(store_notify_sent_get(tx, "ns-2", &list, &head, &err),
	    1);
	assert_string_equal(head, "j9");
	free(list);
	free(head);
	c_rollback(tx);
}

struct nt_rows {
	json_t *rows;
	int64_t last;
};

static int
nt_notify(int64_t id, const char *thing, void *arg, struct err *err)
{
	struct nt_rows *r = arg;

	(void)err;
	json_array_append_new(r->rows, json_string(thing));
	r->last = id;
	return 0;
}

static int
nt_event(const struct store_event *ev, void *arg, struct err *err)
{
	struct nt_rows *r = arg;
	char line[160];

	(void)err;
	snprintf(line, sizeof(line), "%s %s %s %s %s %lld %lld", ev->kind,
	    ev->operation, ev->job_id, ev->thing_name, ev->status,
	    (long long)ev->version, (long long)ev->at);
	json_array_append_new(r->rows, json_string(line));
	r->last = ev->id;
	return 0;
}

/* Reads and empties both outboxes into R (notify rows, then events). */
static void
nt_drain(struct store *st, struct nt_rows *r)
{
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	json_array_clear(r->rows);
	r->last = 0;
	assert_int_equal(store_outbox_notify(tx, 100, nt_notify, r, &err), 0);
	assert_int_equal(store_outbox_notify_done(tx, r->last, &err), 0);
	r->last = 0;
	assert_int_equal(store_outbox_events(tx, 100, nt_event, r, &err), 0);
	assert_int_equal(store_outbox_events_done(tx, r->last, &err), 0);
	c_commit(tx);
}

/* The selection: the job's executions by status and above an id. */
static void
outbox_of_selection(void **state)
{
	struct store *st = *state;
	struct nt_rows r = { json_array(), 0 };
	struct store_exec_sel sel = { "ob", false, EXEC_QUEUED, 0 };
	struct store_exec e = { 0 };
	struct store_tx *tx;
	struct err err;
	int64_t first;
	size_t i, above;

	assert_int_equal(store_outbox_switch(st, true, true, &err), 0);
	c_thing(st, "ob-c");
	c_thing(st, "ob-a");
	c_thing(st, "ob-b");
	c_job(st, "ob", "SNAPSHOT", "[\"" C_THING_ARN "ob-c\",\"" C_THING_ARN
	    "ob-a\",\"" C_THING_ARN "ob-b\"]", 10);
	c_job(st, "other", "SNAPSHOT", "[\"" C_THING_ARN "ob-a\"]", 11);
	tx = c_begin(st, true);
	assert_int_equal(store_exec_get(tx, "ob-a", "ob", -1, false, &e,
	    &err), 1);
	e.status = EXEC_IN_PROGRESS;
	e.version = 2;
	assert_int_equal(store_exec_put(tx, &e, &err), 0);
	store_exec_release(&e);
	c_commit(tx);
	nt_drain(st, &r);

	/* Notify rows for QUEUED executions of "ob", in queue order. */
	tx = c_begin(st, true);
	assert_int_equal(store_outbox_notify_of(tx, &sel, &err), 0);
	c_commit(tx);
	nt_drain(st, &r);
	assert_int_equal(c_len(r.rows), 2);
	tx = c_begin(st, false);
	assert_int_equal(store_exec_get(tx, c_str(r.rows, 0), "ob", -1, false,
	    &e, &err), 1);
	first = e.id;
	store_exec_release(&e);
	assert_int_equal(store_exec_get(tx, c_str(r.rows, 1), "ob", -1, false,
	    &e, &err), 1);
	assert_true(e.id > first);
	store_exec_release(&e);
	c_rollback(tx);
	assert_string_not_equal(c_str(r.rows, 0), "ob-a");
	assert_string_not_equal(c_str(r.rows, 1), "ob-a");

	/* Any status: all three; above FIRST: those with a greater id. */
	sel.any = true;
	tx = c_begin(st, true);
	assert_int_equal(store_outbox_notify_of(tx, &sel, &err), 0);
	c_commit(tx);
	nt_drain(st, &r);
	assert_int_equal(c_len(r.rows), 3);
	above = 0;
	tx = c_begin(st, false);
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_exec_get(tx, c_str(r.rows, i), "ob", -1,
		    false, &e, &err), 1);
		above += e.id > first;
		store_exec_release(&e);
	}
	c_rollback(tx);
	sel.after = first;
	tx = c_begin(st, true);
	assert_int_equal(store_outbox_notify_of(tx, &sel, &err), 0);
	c_commit(tx);
	nt_drain(st, &r);
	assert_int_equal(c_len(r.rows), above);
	assert_true(above < 3);

	/* Events: the new status and version, or the current ones. */
	sel.any = false;
	sel.status = EXEC_IN_PROGRESS;
	sel.after = 0;
	tx = c_begin(st, true);
	assert_int_equal(store_outbox_events_of(tx, &sel, "canceled", false,
	    EXEC_CANCELED, 1, 77, &err), 0);
	assert_int_equal(store_outbox_events_of(tx, &sel, "progress", true,
	    EXEC_CANCELED, 0, 78, &err), 0);
	c_commit(tx);
	nt_drain(st, &r);
	assert_int_equal(c_len(r.rows), 2);
	assert_string_equal(c_str(r.rows, 0),
	    "jobExecution canceled ob ob-a CANCELED 3 77");
	assert_string_equal(c_str(r.rows, 1),
	    "jobExecution progress ob ob-a IN_PROGRESS 2 78");

	/* Rolled back, a set-based write leaves no row. */
	sel.any = true;
	tx = c_begin(st, true);
	assert_int_equal(store_outbox_notify_of(tx, &sel, &err), 0);
	assert_int_equal(store_outbox_events_of(tx, &sel, "x", true,
	    EXEC_QUEUED, 0, 1, &err), 0);
	c_rollback(tx);
	nt_drain(st, &r);
	assert_int_equal(c_len(r.rows), 0);
	json_decref(r.rows);
}

static const struct CMUnitTest tests[] = {
	C_CASE(notify_sent_per_thing),
	C_CASE(outbox_of_selection),
};

C_AREA(c_area_notify, "notify", tests);
