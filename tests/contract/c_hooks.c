/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's hooks (store.h): commit hooks run after each committed
 * write, with their argument; the leader's watch runs the hooks and its
 * function for commits of another opener, and not after store_close();
 * a failure hook stays silent while the store's files are in place (a
 * vanished file is not something a case may cause: it drives the
 * interface only). And the path an opener reports.
 */
#include "contract.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_thing.h"

/* Static: the hooks may run until the store is closed in teardown. */
static atomic_int hk_commits, hk_others, hk_watched, hk_failures;

static void
hk_count(void *arg)
{
	atomic_fetch_add((atomic_int *)arg, 1);
}

/* Waits up to MS milliseconds for *N to exceed WAS; its value then. */
static int
hk_wait(atomic_int *n, int was, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < ms / 10 && atomic_load(n) <= was; i++)
		nanosleep(&ts, NULL);
	return atomic_load(n);
}

static void
hk_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Each committed write runs the hook with its argument. */
static void
hooks_on_commit(void **state)
{
	struct store *st = *state;
	char name[16];
	int i, was;

	atomic_store(&hk_commits, 0);
	store_on_commit(st, hk_count, &hk_commits);
	for (i = 0; i < 3; i++) {
		was = atomic_load(&hk_commits);
		snprintf(name, sizeof(name), "hk-%d", i);
		c_thing(st, name);
		assert_true(hk_wait(&hk_commits, was, 2000) > was);
	}
}

/* The leader's watch sees another opener's commits; close stops it. */
static void
hooks_watch_other_opener(void **state)
{
	struct store *st = *state, *leader;
	struct err err;
	int was, w;

	assert_int_equal(contract_open(&leader, &err), 0);
	assert_int_equal(store_lead_try(leader, &err), 1);
	atomic_store(&hk_others, 0);
	atomic_store(&hk_watched, 0);
	store_on_commit(leader, hk_count, &hk_others);
	assert_int_equal(store_watch_start(leader, hk_count, &hk_watched,
	    &err), 0);
	/* A second start is harmless. */
	assert_int_equal(store_watch_start(leader, hk_count, &hk_watched,
	    &err), 0);
	hk_sleep_ms(300);
	was = atomic_load(&hk_watched);
	c_thing(st, "hw-1");
	assert_true(hk_wait(&hk_watched, was, 3000) > was);
	assert_true(atomic_load(&hk_others) > 0);
	was = atomic_load(&hk_watched);
	c_thing(st, "hw-2");
	assert_true(hk_wait(&hk_watched, was, 3000) > was);

	store_close(leader);
	w = atomic_load(&hk_watched);
	c_thing(st, "hw-3");
	hk_sleep_ms(400);
	assert_int_equal(atomic_load(&hk_watched), w);
}

/* With its files in place the store never reports a failure. */
static void
hooks_failure_silent(void **state)
{
	struct store *st = *state, *other;
	struct store_tx *tx;
	struct err err;

	atomic_store(&hk_failures, 0);
	store_on_failure(st, hk_count, &hk_failures);
	assert_int_equal(contract_open(&other, &err), 0);
	c_thing(st, "hf-1");
	c_thing(other, "hf-2");
	tx = c_begin(st, true);
	c_rollback(tx);
	tx = c_begin(st, false);
	c_rollback(tx);
	assert_int_equal(store_ping(st, &err), 0);
	store_close(other);
	c_thing(st, "hf-3");
	hk_sleep_ms(300);
	assert_false(store_failed(st));
	assert_int_equal(atomic_load(&hk_failures), 0);
}

/* Openers of one store report one path; another store's differs. */
static void
hooks_path(void **state)
{
	struct store *st = *state, *same, *fresh;
	struct err err;
	char path[1024];

	assert_non_null(store_path(st));
	assert_true(strlen(store_path(st)) > 0);
	snprintf(path, sizeof(path), "%s", store_path(st));
	assert_int_equal(contract_open(&same, &err), 0);
	assert_string_equal(store_path(same), path);
	store_close(same);
	assert_int_equal(contract_fresh(), 0);
	assert_int_equal(contract_open(&fresh, &err), 0);
	assert_string_not_equal(store_path(fresh), path);
	store_close(fresh);
	/* Still ST's own after the others closed. */
	assert_string_equal(store_path(st), path);
}

/* The backend names itself; the store's size grows with what it holds. */
static void
hooks_backend_and_size(void **state)
{
	struct store *st = *state;
	struct err err;
	int64_t before, after;
	char name[32];
	int i;

	assert_true(strcmp(store_backend_name(st), "sqlite") == 0 ||
	    strcmp(store_backend_name(st), "postgresql") == 0);
	assert_int_equal(strncmp(contract_url(), store_backend_name(st),
	    strlen(store_backend_name(st))), 0);
	assert_int_equal(store_size_bytes(st, &before, &err), 0);
	assert_true(before > 0);
	for (i = 0; i < 400; i++) {
		snprintf(name, sizeof(name), "size-%04d-padding-pad", i);
		c_thing(st, name);
	}
	assert_int_equal(store_size_bytes(st, &after, &err), 0);
	assert_true(after > before);
}

static const struct CMUnitTest tests[] = {
	C_CASE(hooks_on_commit),
	C_CASE(hooks_backend_and_size),
	C_CASE(hooks_watch_other_opener),
	C_CASE(hooks_failure_silent),
	C_CASE(hooks_path),
};

C_AREA(c_area_hooks, "hooks", tests);
