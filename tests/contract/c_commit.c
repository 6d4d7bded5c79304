/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Group commit (store.h): store_end() acknowledges a write only once it
 * is committed (another opener sees it the moment store_end returns), a
 * rolled back or failed write leaves no trace and costs the writes
 * beside it nothing, and a deferred acknowledgement reports its batch
 * durable only when it is.
 */
#include "contract.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store_thing.h"

#define WRITERS		6
#define PER_WRITER	40

/* Whether thing NAME is visible to a read transaction of ST. */
static int
visible(struct store *st, const char *name)
{
	struct store_tx *tx;
	struct store_thing t = { 0 };
	struct err err;
	int rc;

	if (store_begin(st, false, &tx, &err) == -1)
		return -1;
	rc = store_thing_get(tx, name, &t, &err);
	if (rc == 1)
		store_thing_release(&t);
	store_end(tx, false, &err);
	return rc;
}

/* Inserts NAME in a transaction of its own: store_end's result. */
static int
put(struct store *st, const char *name, bool commit, int *insert_rc)
{
	struct store_thing t = { 0 };
	struct store_tx *tx;
	struct err err;
	int rc;

	if (store_begin(st, true, &tx, &err) == -1)
		return -1;
	snprintf(t.name, sizeof(t.name), "%s", name);
	t.attributes = json_object();
	rc = store_thing_insert(tx, &t, &err);
	store_thing_release(&t);
	if (insert_rc != NULL)
		*insert_rc = rc;
	return store_end(tx, commit && rc == 0, &err);
}

struct writer {
	struct store *st, *other;
	int id;
	atomic_int *bad;
};

static void *
writer_run(void *p)
{
	struct writer *w = p;
	char name[64];
	int i, irc;

	for (i = 0; i < PER_WRITER; i++) {
		bool commit = i % 5 != 4;

		snprintf(name, sizeof(name), "w%d-%d", w->id, i);
		if (put(w->st, name, commit, &irc) != 0 || irc != 0) {
			atomic_fetch_add(w->bad, 1);
			continue;
		}
		/* Acknowledged: another opener must see it now. */
		if (visible(w->other, name) != (commit ? 1 : 0))
			atomic_fetch_add(w->bad, 1);
		/* A duplicate fails alone, and is not acknowledged. */
		if (i % 7 == 3 && commit) {
			if (put(w->st, name, true, &irc) != 0 || irc != -1)
				atomic_fetch_add(w->bad, 1);
		}
	}
	return NULL;
}

static void
commit_acks_only_durable(void **state)
{
	struct store *st = *state, *other;
	struct writer w[WRITERS];
	pthread_t th[WRITERS];
	atomic_int bad = 0;
	struct err err;
	char name[64];
	int i, j;

	assert_int_equal(contract_open(&other, &err), 0);
	for (i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){ st, other, i, &bad };
		assert_int_equal(pthread_create(&th[i], NULL, writer_run,
		    &w[i]), 0);
	}
	for (i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&bad), 0);
	store_close(other);
	/* And all of them after a reopen: nothing lost, nothing extra. */
	store_close(st);
	assert_int_equal(contract_open(&st, &err), 0);
	*state = st;
	for (i = 0; i < WRITERS; i++)
		for (j = 0; j < PER_WRITER; j++) {
			snprintf(name, sizeof(name), "w%d-%d", i, j);
			assert_int_equal(visible(st, name), j % 5 != 4);
		}
}

/* A failed operation rolled back leaves the transaction's store usable. */
static void
commit_failed_write_alone(void **state)
{
	struct store *st = *state;
	struct store_thing t = { 0 };
	struct store_tx *tx;
	struct err err;
	int irc;

	assert_int_equal(put(st, "dup", true, &irc), 0);
	assert_int_equal(irc, 0);
	tx = c_begin(st, true);
	snprintf(t.name, sizeof(t.name), "beside-dup");
	t.attributes = json_object();
	assert_int_equal(store_thing_insert(tx, &t, &err), 0);
	store_thing_release(&t);
	snprintf(t.name, sizeof(t.name), "dup");
	t.attributes = json_object();
	memset(&err, 0, sizeof(err));
	assert_int_equal(store_thing_insert(tx, &t, &err), -1);
	assert_non_null(err.type);
	store_thing_release(&t);
	c_rollback(tx);
	/* The whole transaction went, the earlier write stays. */
	assert_int_equal(visible(st, "beside-dup"), 0);
	assert_int_equal(visible(st, "dup"), 1);
	assert_int_equal(put(st, "after-dup", true, &irc), 0);
	assert_int_equal(visible(st, "after-dup"), 1);
}

struct holder {
	struct store *st;
	atomic_int started;	/* about to begin */
	atomic_int begun;	/* its write transaction is open */
	atomic_int go;		/* may write and end it */
	int end_rc;
};

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * A second writer that keeps its write transaction open until told: a
 * batch it is part of cannot be committed before it ends.
 */
static void *
holder_run(void *p)
{
	struct holder *h = p;
	struct store_thing t = { 0 };
	struct store_tx *tx;
	struct err err;

	atomic_store(&h->started, 1);
	if (store_begin(h->st, true, &tx, &err) == -1) {
		atomic_store(&h->begun, 1);
		return NULL;
	}
	atomic_store(&h->begun, 1);
	while (!atomic_load(&h->go))
		sleep_ms(1);
	snprintf(t.name, sizeof(t.name), "held-2");
	t.attributes = json_object();
	h->end_rc = store_end(tx, store_thing_insert(tx, &t, &err) == 0,
	    &err);
	store_thing_release(&t);
	return NULL;
}

/* Waits (at most 5 s) for BATCH to leave "not committed yet". */
static int
batch_wait(struct store *st, uint64_t batch)
{
	int i, s = 0;

	for (i = 0; i < 500 && (s = store_batch_status(st, batch)) == 0; i++)
		sleep_ms(10);
	return s;
}

/*
 * Deferred acknowledgement: while another write transaction that began
 * after it stays open, the batch may be uncommitted; whenever
 * store_batch_status says durable, another opener sees the write, and it
 * does say durable once the other write ends.
 */
static void
commit_deferred_durable_only_after_commit(void **state)
{
	struct store *st = *state, *other;
	struct holder h = { st, 0, 0, 0, -1 };
	struct store_thing t = { 0 };
	struct store_tx *tx;
	struct err err;
	uint64_t batch;
	pthread_t th;
	int i, s, lied = 0;

	assert_int_equal(contract_open(&other, &err), 0);
	store_defer_begin();
	tx = c_begin(st, true);
	snprintf(t.name, sizeof(t.name), "held-1");
	t.attributes = json_object();
	assert_int_equal(store_thing_insert(tx, &t, &err), 0);
	store_thing_release(&t);
	/* The other write begins before this one ends: one batch. */
	assert_int_equal(pthread_create(&th, NULL, holder_run, &h), 0);
	while (!atomic_load(&h.started))
		sleep_ms(1);
	sleep_ms(50);
	c_commit(tx);
	batch = store_defer_end();
	assert_true(batch != 0);
	while (!atomic_load(&h.begun))
		sleep_ms(1);
	/* The other write is open: "durable" must mean visible. */
	for (i = 0; i < 20; i++) {
		s = store_batch_status(st, batch);
		if (s == -1 || (s == 1 && visible(other, "held-1") != 1))
			lied++;
		sleep_ms(5);
	}
	atomic_store(&h.go, 1);
	pthread_join(th, NULL);
	assert_int_equal(lied, 0);
	assert_int_equal(h.end_rc, 0);
	assert_int_equal(batch_wait(st, batch), 1);
	assert_int_equal(visible(other, "held-1"), 1);
	assert_int_equal(visible(other, "held-2"), 1);
	/* Without deferral nothing is left to wait for. */
	store_defer_begin();
	assert_int_equal(store_defer_end(), 0);
	store_close(other);
}

/*
 * A deferred batch in which one transaction fails (a duplicate) and rolls
 * back: the batch is durable with the others' writes, not the failed one.
 */
static void
commit_deferred_batch_with_failure(void **state)
{
	struct store *st = *state, *other;
	uint64_t b, batch = 0;
	struct err err;
	char name[32];
	int i, irc;

	assert_int_equal(contract_open(&other, &err), 0);
	assert_int_equal(put(st, "dup-0", true, &irc), 0);
	store_defer_begin();
	for (i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), i == 3 ? "dup-0" : "dup-%d", i);
		assert_int_equal(put(st, name, true, &irc), 0);
		assert_int_equal(irc, i == 3 ? -1 : 0);
	}
	b = store_defer_end();
	batch = b;
	assert_true(batch != 0);
	assert_int_equal(batch_wait(st, batch), 1);
	for (i = 0; i <= 6; i++) {
		snprintf(name, sizeof(name), "dup-%d", i);
		assert_int_equal(visible(other, name), i != 3);
	}
	store_close(other);
}

static const struct CMUnitTest tests[] = {
	C_CASE(commit_acks_only_durable),
	C_CASE(commit_failed_write_alone),
	C_CASE(commit_deferred_durable_only_after_commit),
	C_CASE(commit_deferred_batch_with_failure),
};

C_AREA(c_area_commit, "commit", tests);
