/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store core: migrations on open, group commit (every acknowledged write is
 * committed, a failed one rolls back only itself), durability across
 * close and reopen, one leader among the stores open on one folder, the
 * leader's hooks running for the others' commits, and acknowledged writes
 * in the database file itself soon after (a pause, or the WAL deleted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/sqlite_int.h"
#include "store/store.h"

#define WRITERS		8
#define PER_WRITER	200

static char dir[] = "/tmp/iotjobs-test-store-XXXXXX";

struct writer_arg {
	struct store *st;
	int id;
	int acked;
};

static int
put_thing(struct store *st, const char *name, bool commit)
{
	static const char sql[] = "INSERT INTO things (name, thing_id,"
	    " created_at) VALUES (?1, ?1, 0)";
	struct store_tx *tx;
	struct err err;
	sqlite3_stmt *s;
	int rc;

	if (store_begin(st, true, &tx, &err) == -1)
		return -1;
	s = sq_stmt(tx, sql);
	sq_bind_text(s, 1, name);
	rc = sq_exec_stmt(tx, s, &err);
	if (store_end(tx, commit && rc == 0, &err) == -1)
		return -1;
	return commit ? rc : -1;
}

static long
count_things(struct store *st, const char *like)
{
	static const char sql[] = "SELECT count(*) FROM things WHERE name"
	    " LIKE ?1";
	struct store_tx *tx;
	struct err err;
	sqlite3_stmt *s;
	long n = -1;

	assert_int_equal(store_begin(st, false, &tx, &err), 0);
	s = sq_stmt(tx, sql);
	sq_bind_text(s, 1, like);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	store_end(tx, false, &err);
	return n;
}

static void *
writer(void *p)
{
	struct writer_arg *a = p;
	char name[64];
	int i;

	for (i = 0; i < PER_WRITER; i++) {
		snprintf(name, sizeof(name), "w%d-%d", a->id, i);
		/* Every fifth request fails and must leave no trace. */
		if (put_thing(a->st, name, i % 5 != 4) == 0)
			a->acked++;
	}
	return NULL;
}

static void
store_group_commit_keeps_every_ack(void **state)
{
	struct store *st;
	struct err err;
	pthread_t th[WRITERS];
	struct writer_arg args[WRITERS];
	int i, acked = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(dir, &st, &err), 0);
	assert_true(store_schema_version(st) >= 1);
	for (i = 0; i < WRITERS; i++) {
		args[i] = (struct writer_arg){ st, i, 0 };
		pthread_create(&th[i], NULL, writer, &args[i]);
	}
	for (i = 0; i < WRITERS; i++) {
		pthread_join(th[i], NULL);
		acked += args[i].acked;
	}
	assert_int_equal(acked, WRITERS * PER_WRITER * 4 / 5);
	/* Acknowledged writes are visible to a reader right away. */
	assert_int_equal(count_things(st, "w%"), acked);
	assert_int_equal(count_things(st, "w%-4"), 0);
	/* A duplicate key fails alone. */
	assert_int_equal(put_thing(st, "w0-0", true), -1);
	assert_int_equal(put_thing(st, "solo", true), 0);
	store_close(st);

	assert_int_equal(store_open(dir, &st, &err), 0);
	assert_int_equal(count_things(st, "w%"), acked);
	assert_int_equal(count_things(st, "solo"), 1);
	store_close(st);
}

static atomic_int hook_calls;

static void
count_commit(void *arg)
{
	(void)arg;
	atomic_fetch_add(&hook_calls, 1);
}

/* A deferred write returns before its COMMIT; its batch becomes durable. */
static void
store_deferred_ack_reports_its_batch(void **state)
{
	struct store *st;
	struct err err;
	uint64_t batch;
	int i, status = 0;

	(void)state;
	assert_int_equal(store_open(dir, &st, &err), 0);
	store_on_commit(st, count_commit, NULL);
	store_defer_begin();
	assert_int_equal(put_thing(st, "deferred-1", true), 0);
	batch = store_defer_end();
	assert_true(batch > 0);
	for (i = 0; i < 500 && (status = store_batch_status(st, batch)) == 0;
	    i++)
		usleep(1000);
	assert_int_equal(status, 1);
	assert_true(atomic_load(&hook_calls) >= 1);
	assert_int_equal(count_things(st, "deferred-1"), 1);
	/* Without deferral nothing is left to wait for. */
	store_defer_begin();
	assert_int_equal(store_defer_end(), 0);
	store_close(st);
}

static atomic_int foreign_calls;

static void
count_foreign(void *arg)
{
	(void)arg;
	atomic_fetch_add(&foreign_calls, 1);
}

/*
 * Two stores on one folder stand for two processes (flock() locks belong
 * to the open file, not to the process): one leads; when it closes, the
 * other can lead. The leader's watcher runs its hooks for the other's
 * commits.
 */
static void
store_one_leader_and_foreign_commits(void **state)
{
	struct store *a, *b;
	struct err err;
	int i, hooks0;

	(void)state;
	assert_int_equal(store_open(dir, &a, &err), 0);
	assert_int_equal(store_open(dir, &b, &err), 0);
	assert_int_equal(store_lead_try(a, &err), 1);
	assert_int_equal(store_lead_try(a, &err), 1);
	assert_int_equal(store_lead_try(b, &err), 0);
	assert_int_equal(store_lead_try(b, &err), 0);

	atomic_store(&hook_calls, 0);
	store_on_commit(a, count_commit, NULL);
	assert_int_equal(store_watch_start(a, count_foreign, NULL, &err), 0);
	usleep(300 * 1000);	/* the watcher has its first look */
	hooks0 = atomic_load(&hook_calls);
	assert_int_equal(atomic_load(&foreign_calls), 0);
	assert_int_equal(put_thing(b, "from-b", true), 0);
	for (i = 0; i < 200 && atomic_load(&foreign_calls) == 0; i++)
		usleep(5000);
	assert_int_equal(atomic_load(&foreign_calls), 1);
	assert_true(atomic_load(&hook_calls) > hooks0);
	assert_int_equal(count_things(a, "from-b"), 1);

	store_close(a);
	assert_int_equal(store_lead_try(b, &err), 1);
	store_close(b);
}

/* DIR's iotjobs.db alone (no -wal, no -shm) copied into a new folder. */
static void
copy_db_alone(const char *from, char *to, size_t size)
{
	char cmd[256];

	snprintf(to, size, "/tmp/iotjobs-test-copy-XXXXXX");
	assert_non_null(mkdtemp(to));
	snprintf(cmd, sizeof(cmd), "cp %s/iotjobs.db %s/", from, to);
	assert_int_equal(system(cmd), 0);
}

/* Things named LIKE in the database file of FROM alone. */
static long
count_in_db_alone(const char *from, const char *like)
{
	char copy[64], cmd[128];
	struct store *st;
	struct err err;
	long n;

	copy_db_alone(from, copy, sizeof(copy));
	assert_int_equal(store_open(copy, &st, &err), 0);
	n = count_things(st, like);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", copy);
	assert_int_equal(system(cmd), 0);
	return n;
}

/* A pause after the last batch: its writes are in the database file. */
static void
store_idle_checkpoint_fills_the_database_file(void **state)
{
	struct store *st;
	struct err err;
	char name[32];
	int i;

	(void)state;
	assert_int_equal(store_open(dir, &st, &err), 0);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "idle-%d", i);
		assert_int_equal(put_thing(st, name, true), 0);
	}
	usleep(300 * 1000);
	assert_int_equal(count_in_db_alone(dir, "idle-%"), 20);
	store_close(st);
}

static atomic_int failure_calls;

static void
count_failure(void *arg)
{
	(void)arg;
	atomic_fetch_add(&failure_calls, 1);
}

/*
 * The WAL deleted with acknowledged writes in it and no write after: the
 * store notices within milliseconds, not at its check once a second, and
 * has by then copied them into the database file; the next write is
 * refused, and tells the owner.
 */
static void
store_wal_deleted_noticed_at_once(void **state)
{
	char wal[64], name[32];
	struct store *st;
	struct err err;
	int i;

	(void)state;
	assert_int_equal(store_open(dir, &st, &err), 0);
	store_on_failure(st, count_failure, NULL);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "gone-%d", i);
		assert_int_equal(put_thing(st, name, true), 0);
	}
	snprintf(wal, sizeof(wal), "%s/iotjobs.db-wal", dir);
	assert_int_equal(unlink(wal), 0);
	for (i = 0; i < 200 && !store_failed(st); i++)
		usleep(1000);
	assert_true(store_failed(st));
	assert_int_equal(count_in_db_alone(dir, "gone-%"), 10);
	assert_int_equal(atomic_load(&failure_calls), 0);
	assert_int_equal(put_thing(st, "after", true), -1);
	assert_int_equal(atomic_load(&failure_calls), 1);
	store_close(st);
}

/* stderr into a temporary file, until logged() gives it back. */
static FILE *
log_capture(int *saved)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	return f;
}

/* What was logged into F (a new string; caller frees). */
static char *
logged(FILE *f, int saved)
{
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(buf);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * Two stores on the folder (a leader and a standby node) both hear of the
 * deleted WAL at once: both rescue it, the second waiting for the first
 * (no false "lost"), and what the leader acknowledged is in the database
 * file.
 */
static void
store_wal_deleted_under_two_stores(void **state)
{
	char base[] = "/tmp/iotjobs-test-two-XXXXXX";
	char wal[64], name[32], cmd[64], *text;
	struct store *a, *b;
	struct err err;
	FILE *log;
	int i, saved;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_int_equal(store_open(base, &a, &err), 0);
	assert_int_equal(store_open(base, &b, &err), 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "two-%d", i);
		assert_int_equal(put_thing(a, name, true), 0);
	}
	snprintf(wal, sizeof(wal), "%s/iotjobs.db-wal", base);
	log = log_capture(&saved);
	assert_int_equal(unlink(wal), 0);
	for (i = 0; i < 500 && !(store_failed(a) && store_failed(b)); i++)
		usleep(1000);
	usleep(50 * 1000);	/* the second rescue has logged */
	text = logged(log, saved);
	assert_true(store_failed(a));
	assert_true(store_failed(b));
	assert_null(strstr(text, "are lost"));
	assert_non_null(strstr(text, "every commit of the deleted WAL is in"));
	free(text);
	assert_int_equal(count_in_db_alone(base, "two-%"), 10);
	store_close(b);
	store_close(a);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	assert_int_equal(system(cmd), 0);
}

struct opener {
	char dir[64];
	pthread_barrier_t *go;
	int rc, version;
};

static void *
open_one(void *p)
{
	struct opener *o = p;
	struct store *st;
	struct err err;

	pthread_barrier_wait(o->go);
	o->rc = store_open(o->dir, &st, &err);
	if (o->rc != 0)
		fprintf(stderr, "store_open: %s\n", err.msg);
	if (o->rc == 0) {
		o->version = store_schema_version(st);
		store_close(st);
	}
	return NULL;
}

/* Two nodes starting at once on a new folder: both migrate it, once. */
static void
store_concurrent_first_opens(void **state)
{
	char base[] = "/tmp/iotjobs-test-open-XXXXXX";
	char cmd[128];
	pthread_barrier_t go;
	struct opener o[2];
	pthread_t th[2];
	int round, i;

	(void)state;
	assert_non_null(mkdtemp(base));
	for (round = 0; round < 10; round++) {
		pthread_barrier_init(&go, NULL, 2);
		for (i = 0; i < 2; i++) {
			o[i].go = &go;
			snprintf(o[i].dir, sizeof(o[i].dir), "%s/%d", base,
			    round);
			pthread_create(&th[i], NULL, open_one, &o[i]);
		}
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		assert_int_equal(o[0].rc, 0);
		assert_int_equal(o[1].rc, 0);
		assert_true(o[0].version >= 1);
		assert_int_equal(o[0].version, o[1].version);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	assert_int_equal(system(cmd), 0);
}

/*
 * SQLite rolls the open batch back by itself on some errors (an I/O
 * error, a full disk): the writes acknowledged into it are gone, so the
 * batch must fail, never report durable, even when a later write begins
 * the transaction again before the COMMIT; and that later write is not
 * acknowledged unless it is kept.
 */
struct lost_batch {
	struct store *st;
	atomic_int h2_started;
	int h2_rc;
};

static void *
lost_batch_late_writer(void *p)
{
	struct lost_batch *lb = p;

	atomic_store(&lb->h2_started, 1);
	lb->h2_rc = put_thing(lb->st, "lost-3", true);
	return NULL;
}

static void *
lost_batch_roller(void *p)
{
	struct lost_batch *lb = p;
	struct store_tx *tx;
	struct err err;
	pthread_t th;

	if (store_begin(lb->st, true, &tx, &err) == -1)
		return NULL;
	/* What SQLite does on SQLITE_FULL or SQLITE_IOERR. */
	sqlite3_exec(sq_db(tx), "ROLLBACK", NULL, NULL, NULL);
	/* The late writer waits for the lock, its transaction begun. */
	pthread_create(&th, NULL, lost_batch_late_writer, lb);
	while (!atomic_load(&lb->h2_started))
		usleep(1000);
	usleep(50000);
	store_end(tx, false, &err);
	pthread_join(th, NULL);
	return NULL;
}

static void
store_batch_rolled_back_by_sqlite_fails(void **state)
{
	struct lost_batch lb = { 0 };
	struct store_tx *tx;
	sqlite3_stmt *s;
	struct store *st;
	struct err err;
	uint64_t batch;
	pthread_t th;
	int i, status = 0;

	(void)state;
	assert_int_equal(store_open(dir, &st, &err), 0);
	lb.st = st;
	store_defer_begin();
	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	s = sq_stmt(tx, "INSERT INTO things (name, thing_id, created_at)"
	    " VALUES ('lost-1', 'lost-1', 0)");
	assert_int_equal(sq_exec_stmt(tx, s, &err), 0);
	/* The roller's transaction begins before this one ends: one batch. */
	pthread_create(&th, NULL, lost_batch_roller, &lb);
	usleep(50000);
	assert_int_equal(store_end(tx, true, &err), 0);
	batch = store_defer_end();
	pthread_join(th, NULL);
	for (i = 0; i < 500 && (status = store_batch_status(st, batch)) == 0;
	    i++)
		usleep(1000);
	/* Durable means present; "lost-1" is not. */
	assert_int_equal(count_things(st, "lost-1"), 0);
	assert_int_equal(status, -1);
	if (lb.h2_rc == 0)
		assert_int_equal(count_things(st, "lost-3"), 1);
	/* The store goes on: the next write commits. */
	assert_int_equal(put_thing(st, "lost-4", true), 0);
	assert_int_equal(count_things(st, "lost-4"), 1);
	store_close(st);
}

/*
 * Each job counter is read by the status it counts, and its
 * jobProcessDetails name is that status's: "numberOf" + the status in
 * camel case + "Things".
 */
static void
store_job_counters_by_status(void **state)
{
	int64_t counts[STORE_JOB_NCOUNTS];
	char want[64], *w;
	const char *p;
	int i, seen = 0;

	(void)state;
	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		counts[i] = 100 + i;
	for (i = 0; i < STORE_JOB_NCOUNTS; i++) {
		enum exec_status s = store_job_count_status[i];
		bool up = true;

		assert_int_equal(store_job_count_of(counts, s), 100 + i);
		seen |= 1 << s;
		w = want + snprintf(want, sizeof(want), "numberOf");
		for (p = exec_status_name(s); *p != '\0'; p++) {
			if (*p == '_') {
				up = true;
				continue;
			}
			*w++ = up ? *p : (char)(*p - 'A' + 'a');
			up = false;
		}
		snprintf(w, sizeof(want) - (size_t)(w - want), "Things");
		assert_string_equal(store_job_count_names[i], want);
	}
	/* Every execution status is counted, once. */
	assert_int_equal(seen, (1 << EXEC_STATUS_COUNT) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_group_commit_keeps_every_ack),
		cmocka_unit_test(store_deferred_ack_reports_its_batch),
		cmocka_unit_test(store_batch_rolled_back_by_sqlite_fails),
		cmocka_unit_test(store_one_leader_and_foreign_commits),
		cmocka_unit_test(store_concurrent_first_opens),
		cmocka_unit_test(store_idle_checkpoint_fills_the_database_file),
		cmocka_unit_test(store_wal_deleted_noticed_at_once),
		cmocka_unit_test(store_job_counters_by_status),
		cmocka_unit_test(store_wal_deleted_under_two_stores),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
