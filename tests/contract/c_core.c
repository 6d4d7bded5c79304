/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Core (store.h): opening migrates once and idempotently (again, on an
 * already migrated store, two openers at once), writes survive close and
 * reopen, a rolled-back transaction leaves nothing, read transactions
 * see a snapshot, and item savepoints undo only their item.
 */
#include "contract.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store/store_thing.h"

static int
c_thing_found(struct store *st, const char *name)
{
	struct store_tx *tx = c_begin(st, false);
	struct store_thing t = { 0 };
	struct err err;
	int rc = store_thing_get(tx, name, &t, &err);

	if (rc == 1)
		store_thing_release(&t);
	c_rollback(tx);
	return rc;
}

/* A new store is at the newest schema and answers. */
static void
core_open_migrates(void **state)
{
	struct store *st = *state;
	struct err err;

	assert_int_equal(store_schema_version(st), store_schema_known(contract_url()));
	assert_true(store_schema_known(contract_url()) > 0);
	assert_int_equal(store_ping(st, &err), 0);
	assert_false(store_failed(st));
}

/* Opening a migrated store again changes nothing and loses nothing. */
static void
core_reopen_idempotent(void **state)
{
	struct store *st = *state, *again;
	struct err err;
	int i;

	c_thing(st, "before-reopen");
	for (i = 0; i < 3; i++) {
		assert_int_equal(contract_open(&again, &err), 0);
		assert_int_equal(store_schema_version(again),
		    store_schema_known(contract_url()));
		assert_int_equal(c_thing_found(again, "before-reopen"), 1);
		store_close(again);
	}
	assert_int_equal(c_thing_found(st, "before-reopen"), 1);
}

struct opener {
	struct store *st;
	int rc;
};

static void *
opener_run(void *p)
{
	struct opener *o = p;
	struct err err;

	o->rc = contract_open(&o->st, &err);
	return NULL;
}

/* Openers racing on one store all succeed at the same schema. */
static void
core_two_openers_at_once(void **state)
{
	struct store *first = *state;
	struct opener o[4];
	pthread_t th[4];
	int i;

	/* The racers meet a store already made and written. */
	c_thing(first, "racer-seed");
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, opener_run,
		    &o[i]), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++) {
		assert_int_equal(o[i].rc, 0);
		assert_int_equal(store_schema_version(o[i].st),
		    store_schema_known(contract_url()));
		assert_int_equal(c_thing_found(o[i].st, "racer-seed"), 1);
	}
	/* A write through one is seen by the others. */
	c_thing(o[0].st, "racer-write");
	for (i = 1; i < 4; i++)
		assert_int_equal(c_thing_found(o[i].st, "racer-write"), 1);
	for (i = 0; i < 4; i++)
		store_close(o[i].st);
}

/* Openers racing to create and migrate one new store all succeed. */
static void
core_openers_race_on_new_store(void **state)
{
	struct opener o[4];
	pthread_t th[4];
	int i;

	(void)state;
	assert_int_equal(contract_fresh(), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, opener_run,
		    &o[i]), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++)
		assert_int_equal(o[i].rc, 0);
	c_thing(o[3].st, "after-race");
	for (i = 0; i < 4; i++) {
		assert_int_equal(store_schema_version(o[i].st),
		    store_schema_known(contract_url()));
		assert_int_equal(c_thing_found(o[i].st, "after-race"), 1);
		store_close(o[i].st);
	}
}

/* A committed write survives store_close; a rolled back one is gone. */
static void
core_commit_durable_rollback_gone(void **state)
{
	struct store *st = *state, *again;
	struct store_thing t = { 0 };
	struct store_tx *tx;
	struct err err;

	c_thing(st, "kept");
	tx = c_begin(st, true);
	snprintf(t.name, sizeof(t.name), "dropped");
	t.attributes = json_object();
	assert_int_equal(store_thing_insert(tx, &t, &err), 0);
	store_thing_release(&t);
	c_rollback(tx);
	assert_int_equal(c_thing_found(st, "dropped"), 0);
	assert_int_equal(contract_open(&again, &err), 0);
	assert_int_equal(c_thing_found(again, "kept"), 1);
	assert_int_equal(c_thing_found(again, "dropped"), 0);
	store_close(again);
}

struct late_writer {
	struct store *st;
};

static void *
late_write(void *p)
{
	c_thing(((struct late_writer *)p)->st, "during-read");
	return NULL;
}

/* A read transaction keeps its snapshot while another commits. */
static void
core_read_snapshot(void **state)
{
	struct store *st = *state;
	struct store_tx *rd;
	struct store_thing t = { 0 };
	struct late_writer w = { st };
	pthread_t th;
	struct err err;

	c_thing(st, "seen");
	rd = c_begin(st, false);
	assert_int_equal(store_thing_get(rd, "seen", &t, &err), 1);
	store_thing_release(&t);
	assert_int_equal(pthread_create(&th, NULL, late_write, &w), 0);
	pthread_join(th, NULL);
	assert_int_equal(store_thing_get(rd, "during-read", &t, &err), 0);
	c_rollback(rd);
	assert_int_equal(c_thing_found(st, "during-read"), 1);
}

/* store_item_end(false) undoes its item only; the rest commits. */
static void
core_item_savepoint(void **state)
{
	struct store *st = *state;
	const char *names[] = { "item-1", "item-2", "item-3" };
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	int i;

	for (i = 0; i < 3; i++) {
		struct store_thing t = { 0 };

		assert_int_equal(store_item_begin(tx, &err), 0);
		snprintf(t.name, sizeof(t.name), "%s", names[i]);
		t.attributes = json_object();
		assert_int_equal(store_thing_insert(tx, &t, &err), 0);
		store_thing_release(&t);
		store_item_end(tx, i != 1);
	}
	c_commit(tx);
	assert_int_equal(c_thing_found(st, "item-1"), 1);
	assert_int_equal(c_thing_found(st, "item-2"), 0);
	assert_int_equal(c_thing_found(st, "item-3"), 1);
}

/* One leader among the openers of a store. */
static void
core_one_leader(void **state)
{
	struct store *st = *state, *other;
	struct err err;
	int a, b;

	assert_int_equal(contract_open(&other, &err), 0);
	a = store_lead_try(st, &err);
	b = store_lead_try(other, &err);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(a + b, 1);
	assert_int_equal(store_lead_try(a ? st : other, &err), 1);
	assert_true(store_leads(a ? st : other));
	assert_false(store_leads(a ? other : st));
	store_close(other);
}

static const struct CMUnitTest tests[] = {
	C_CASE(core_open_migrates),
	C_CASE(core_reopen_idempotent),
	C_CASE(core_two_openers_at_once),
	C_CASE(core_openers_race_on_new_store),
	C_CASE(core_commit_durable_rollback_gone),
	C_CASE(core_read_snapshot),
	C_CASE(core_item_savepoint),
	C_CASE(core_one_leader),
};

C_AREA(c_area_core, "core", tests);
