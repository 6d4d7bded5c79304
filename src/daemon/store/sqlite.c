/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend core: opening the database file in the data folder (WAL,
 * synchronous=FULL), applying the versioned migrations of schema/sqlite/
 * (sqlite_migrate.c), connections and transactions. Each thread reads through a connection of
 * its own. Writes go through one connection with group commit: a write
 * transaction is a SAVEPOINT inside the writer's open transaction, and its
 * store_end() returns only once a COMMIT covering it is on disk. One COMMIT
 * (one fsync) thus answers every write that ran while the previous one was
 * being written, and a failed request rolls back only its own savepoint.
 */
#include "store.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "sqlite_int.h"
#include "xmalloc.h"


#define SQ_CACHE_SLOTS	256	/* statement cache, open addressing */
#define SQ_BUSY_MS	10000
#define SQ_BATCH_RING	1024	/* commit results kept for late waiters */
#define SQ_BATCH_MAX	512	/* writes after which a COMMIT is not delayed */
#define SQ_HOOKS_MAX	8
#define SQ_WATCH_MS	100	/* store_watch_start: polling period */

/* Deferred acknowledgement of this thread's writes (store_defer_begin). */
static __thread bool sq_defer;
static __thread uint64_t sq_defer_batch;

static void *sq_committer(void *arg);

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_savepoint[] = "SAVEPOINT req";
static const char sql_release[] = "RELEASE req";
static const char sql_rollback_to[] = "ROLLBACK TO req";
static const char sql_read_begin[] = "BEGIN";
static const char sql_read_end[] = "ROLLBACK";

struct sq_conn {
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[SQ_CACHE_SLOTS];
	struct sq_conn *next;	/* every connection, for store_close */
};

struct store {
	char path[PATH_MAX];
	pthread_mutex_t write_lock;	/* the writer connection */
	struct sq_conn *writer;
	bool writer_open;		/* BEGIN done, COMMIT due */
	uint64_t open_batch;		/* batch the open transaction is */
	/* Group commit, under gc_lock; the committer thread commits. */
	pthread_mutex_t gc_lock;
	pthread_cond_t gc_cond;		/* committer: a batch may commit */
	pthread_cond_t done_cond;	/* waiters: a COMMIT returned */
	pthread_t committer;
	bool stopping;
	int writers;			/* write transactions begun, not ended */
	int batch_size;			/* writes joined since the last COMMIT
					 * (approximate: caps a batch) */
	uint64_t joined;		/* newest batch a write joined */
	uint64_t committed;		/* last batch whose COMMIT returned */
	int batch_rc[SQ_BATCH_RING];	/* SQLite result of batch % RING */
	struct {
		void (*fn)(void *);
		void *arg;
	} hooks[SQ_HOOKS_MAX];		/* run after every COMMIT */
	int nhooks;
	pthread_key_t reader_key;
	pthread_mutex_t list_lock;
	struct sq_conn *readers;
	int schema_version;
	int lead_fd;			/* -1, or the flock()ed lead file */
	/* store_watch_start: other processes' commits run the hooks. */
	pthread_t watcher;
	bool watching;
	bool watch_stop;		/* under gc_lock, watch_cond */
	pthread_cond_t watch_cond;
	void (*watch_fn)(void *);
	void *watch_arg;
};

static int
sq_conn_open(struct store *st, struct sq_conn **out, struct err *err)
{
	struct sq_conn *c;
	int rc, waited;

	c = xcalloc(1, sizeof(*c));
	rc = sqlite3_open_v2(st->path, &c->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err_set(err, ERR_UNAVAILABLE, "cannot open the store %s: %s",
		    st->path, sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return -1;
	}
	sqlite3_busy_timeout(c->db, SQ_BUSY_MS);
	/*
	 * temp_store=FILE: a statement over a million rows (CreateJob for a
	 * large group) sorts and journals in temporary files, not in the
	 * daemon's memory (about 110 MB of RSS with MEMORY).
	 */
	/*
	 * Switching a new file to WAL takes a lock the busy handler does not
	 * wait for: another node creating the same file makes it retry.
	 */
	for (waited = 0;; waited += 10) {
		rc = sqlite3_exec(c->db,
		    "PRAGMA journal_mode=WAL;"
		    "PRAGMA synchronous=FULL;"
		    "PRAGMA foreign_keys=OFF;"
		    "PRAGMA temp_store=FILE;", NULL, NULL, NULL);
		if (rc != SQLITE_BUSY || waited >= SQ_BUSY_MS)
			break;
		usleep(10 * 1000);
	}
	if (rc != SQLITE_OK) {
		err_set(err, ERR_UNAVAILABLE, "cannot configure the store: %s",
		    sqlite3_errmsg(c->db));
		sqlite3_close(c->db);
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static void
sq_conn_close(struct sq_conn *c)
{
	size_t i;

	for (i = 0; i < SQ_CACHE_SLOTS; i++)
		sqlite3_finalize(c->cache[i].stmt);
	sqlite3_close(c->db);
	free(c);
}

sqlite3_stmt *
sq_stmt(struct store_tx *tx, const char *sql)
{
	struct sq_conn *c = tx->conn;
	size_t h = ((uintptr_t)sql >> 3) % SQ_CACHE_SLOTS;
	size_t i;
	sqlite3_stmt *s;

	for (i = 0; i < SQ_CACHE_SLOTS; i++) {
		size_t k = (h + i) % SQ_CACHE_SLOTS;

		if (c->cache[k].sql == sql) {
			s = c->cache[k].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
		if (c->cache[k].sql == NULL) {
			if (sqlite3_prepare_v3(c->db, sql, -1,
			    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
				fatalx("store: cannot prepare \"%s\": %s", sql,
				    sqlite3_errmsg(c->db));
			c->cache[k].sql = sql;
			c->cache[k].stmt = s;
			return s;
		}
	}
	fatalx("store: statement cache full");
}

int
sq_fail(struct store_tx *tx, int rc, struct err *err)
{
	const char *msg = sqlite3_errmsg(tx->db);

	metrics_store_error();
	log_warnx("store: sqlite error %d: %s", rc, msg);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return err_set(err, ERR_UNAVAILABLE,
		    "the store is unavailable: %s", sqlite3_errstr(rc));
	default:
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "internal store error: %s", sqlite3_errstr(rc));
	}
}

int
sq_bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
}

const char *
sq_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t == NULL ? "" : (const char *)t;
}

int
sq_exec_stmt(struct store_tx *tx, sqlite3_stmt *s, struct err *err)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	sqlite3_reset(s);
	return 0;
}

/* Runs the cached statement SQL of TX's connection; the SQLite result. */
static int
sq_run(struct store_tx *tx, const char *sql)
{
	sqlite3_stmt *s = sq_stmt(tx, sql);
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int
store_open(const char *dir, struct store **out, struct err *err)
{
	struct store *st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot create the data folder %s: %s", dir,
		    strerror(errno));
	st = xcalloc(1, sizeof(*st));
	if ((size_t)snprintf(st->path, sizeof(st->path), "%s/iotjobs.db",
	    dir) >= sizeof(st->path)) {
		free(st);
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "data folder path too long");
	}
	st->lead_fd = -1;
	pthread_mutex_init(&st->write_lock, NULL);
	pthread_mutex_init(&st->list_lock, NULL);
	pthread_cond_init(&st->watch_cond, NULL);
	pthread_mutex_init(&st->gc_lock, NULL);
	pthread_cond_init(&st->gc_cond, NULL);
	pthread_cond_init(&st->done_cond, NULL);
	st->open_batch = 1;
	pthread_key_create(&st->reader_key, NULL);
	if (sq_conn_open(st, &st->writer, err) == -1 ||
	    sq_migrate(st->writer->db, st->path, &st->schema_version,
	    err) == -1) {
		if (st->writer != NULL)
			sq_conn_close(st->writer);
		free(st);
		return -1;
	}
	if (pthread_create(&st->committer, NULL, sq_committer, st) != 0)
		fatal("store: cannot start the committer thread");
	*out = st;
	return 0;
}

void
store_close(struct store *st)
{
	struct sq_conn *c, *next;

	if (st == NULL)
		return;
	if (st->watching) {
		pthread_mutex_lock(&st->gc_lock);
		st->watch_stop = true;
		pthread_cond_signal(&st->watch_cond);
		pthread_mutex_unlock(&st->gc_lock);
		pthread_join(st->watcher, NULL);
	}
	pthread_mutex_lock(&st->gc_lock);
	st->stopping = true;
	pthread_cond_signal(&st->gc_cond);
	pthread_mutex_unlock(&st->gc_lock);
	pthread_join(st->committer, NULL);
	for (c = st->readers; c != NULL; c = next) {
		next = c->next;
		sq_conn_close(c);
	}
	if (st->writer_open)
		sqlite3_exec(st->writer->db, "COMMIT", NULL, NULL, NULL);
	/*
	 * Best effort, without waiting: TRUNCATE waits for every other
	 * connection, and a standby node sharing the folder has some open
	 * for as long as it runs (a stop would take the busy timeout).
	 */
	sqlite3_busy_timeout(st->writer->db, 0);
	sqlite3_exec(st->writer->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
	    NULL, NULL);
	sq_conn_close(st->writer);
	pthread_key_delete(st->reader_key);
	if (st->lead_fd != -1)
		close(st->lead_fd);	/* another node may lead now */
	free(st);
}

/*
 * Lead: an exclusive flock() on the file "lead" beside the database. Every
 * process that opens this database runs on this host (SQLite's WAL needs
 * shared memory), and the kernel drops the lock the moment its holder
 * exits, kill -9 included, so there is never a lease to wait out.
 */
int
store_lead_try(struct store *st, struct err *err)
{
	char path[PATH_MAX + 8];
	char *slash;

	if (st->lead_fd != -1)
		return 1;
	snprintf(path, sizeof(path), "%s", st->path);
	slash = strrchr(path, '/');
	snprintf(slash + 1, sizeof(path) - (size_t)(slash + 1 - path),
	    "lead");
	st->lead_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lead_fd == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot open %s: %s",
		    path, strerror(errno));
	if (flock(st->lead_fd, LOCK_EX | LOCK_NB) == 0)
		return 1;
	if (errno != EWOULDBLOCK) {
		err_set(err, ERR_INTERNAL_FAILURE, "cannot lock %s: %s",
		    path, strerror(errno));
		close(st->lead_fd);
		st->lead_fd = -1;
		return -1;
	}
	close(st->lead_fd);
	st->lead_fd = -1;
	return 0;
}

/* PRAGMA data_version through S: changes when another connection commits. */
static int64_t
sq_data_version(sqlite3_stmt *s)
{
	int64_t v = -1;

	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

/*
 * The watcher thread: every SQ_WATCH_MS, when the database changed through
 * another connection (another process's commit, or this one's: a spare
 * wake-up costs a look), runs the commit hooks and the watch function.
 */
static void *
sq_watcher(void *arg)
{
	struct store *st = arg;
	struct sq_conn *c;
	sqlite3_stmt *s;
	struct timespec ts;
	struct err err;
	int64_t seen = -1, v;
	int i;

	err_clear(&err);
	if (sq_conn_open(st, &c, &err) == -1) {
		log_warnx("store: watcher: %s", err.msg);
		return NULL;
	}
	if (sqlite3_prepare_v2(c->db, "PRAGMA data_version", -1, &s,
	    NULL) != SQLITE_OK)
		fatalx("store: watcher: %s", sqlite3_errmsg(c->db));
	pthread_mutex_lock(&st->gc_lock);
	while (!st->watch_stop) {
		pthread_mutex_unlock(&st->gc_lock);
		v = sq_data_version(s);
		if (v != seen) {
			if (seen != -1) {
				for (i = 0; i < st->nhooks; i++)
					st->hooks[i].fn(st->hooks[i].arg);
				st->watch_fn(st->watch_arg);
			}
			seen = v;
		}
		ts = clock_deadline_ms(SQ_WATCH_MS);
		pthread_mutex_lock(&st->gc_lock);
		if (!st->watch_stop)
			pthread_cond_timedwait(&st->watch_cond, &st->gc_lock,
			    &ts);
	}
	pthread_mutex_unlock(&st->gc_lock);
	sqlite3_finalize(s);
	sq_conn_close(c);
	return NULL;
}

int
store_watch_start(struct store *st, void (*fn)(void *), void *arg,
    struct err *err)
{
	if (st->watching)
		return 0;
	st->watch_fn = fn;
	st->watch_arg = arg;
	if (pthread_create(&st->watcher, NULL, sq_watcher, st) != 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "store: cannot"
		    " start the watcher thread");
	st->watching = true;
	return 0;
}

bool
store_leads(struct store *st)
{
	return st->lead_fd != -1;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

int
store_ping(struct store *st, struct err *err)
{
	struct store_tx *tx;
	sqlite3_stmt *s;
	int rc;

	if (store_begin(st, false, &tx, err) == -1)
		return -1;
	s = sq_stmt(tx, "SELECT count(*) FROM schema_migrations");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		sq_fail(tx, rc, err);
	sqlite3_reset(s);
	store_end(tx, false, NULL);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_schema_version(struct store *st)
{
	return st->schema_version;
}

static int
sq_reader(struct store *st, struct sq_conn **out, struct err *err)
{
	struct sq_conn *c = pthread_getspecific(st->reader_key);

	if (c == NULL) {
		if (sq_conn_open(st, &c, err) == -1)
			return -1;
		pthread_setspecific(st->reader_key, c);
		pthread_mutex_lock(&st->list_lock);
		c->next = st->readers;
		st->readers = c;
		pthread_mutex_unlock(&st->list_lock);
	}
	*out = c;
	return 0;
}

/*
 * A COMMIT is due (gc_lock held): a write joined a batch not committed yet,
 * and no write transaction is open, or the batch is large. Counting by
 * batch number, not by size, keeps a write that joined the next batch while
 * the previous COMMIT was finishing from being forgotten.
 */
static bool
sq_commit_due(const struct store *st)
{
	return st->joined > st->committed && (st->writers == 0 ||
	    st->batch_size >= SQ_BATCH_MAX);
}

/*
 * A write transaction ended; BATCH is the batch its changes joined (0: it
 * rolled back). Wakes the committer when a COMMIT is due.
 */
static void
sq_writer_done(struct store *st, uint64_t batch)
{
	pthread_mutex_lock(&st->gc_lock);
	st->writers--;
	if (batch != 0) {
		st->batch_size++;
		if (batch > st->joined)
			st->joined = batch;
	}
	/* Only then may the committer start a COMMIT (or finish). */
	if (sq_commit_due(st) || st->stopping)
		pthread_cond_signal(&st->gc_cond);
	pthread_mutex_unlock(&st->gc_lock);
}

int
store_begin(struct store *st, bool write, struct store_tx **out,
    struct err *err)
{
	struct store_tx *tx;
	int rc;

	tx = xcalloc(1, sizeof(*tx));
	tx->st = st;
	tx->write = write;
	if (write) {
		pthread_mutex_lock(&st->gc_lock);
		st->writers++;
		pthread_mutex_unlock(&st->gc_lock);
		pthread_mutex_lock(&st->write_lock);
		tx->conn = st->writer;
		tx->db = tx->conn->db;
		rc = SQLITE_OK;
		if (st->writer_open && sqlite3_get_autocommit(tx->db)) {
			/* SQLite rolled the batch back (I/O error, full). */
			st->writer_open = false;
		}
		if (!st->writer_open) {
			rc = sq_run(tx, sql_begin);
			st->writer_open = rc == SQLITE_OK;
		}
		if (rc == SQLITE_OK)
			rc = sq_run(tx, sql_savepoint);
		if (rc != SQLITE_OK) {
			sq_fail(tx, rc, err);
			pthread_mutex_unlock(&st->write_lock);
			sq_writer_done(st, 0);
			free(tx);
			return -1;
		}
		*out = tx;
		return 0;
	}
	if (sq_reader(st, &tx->conn, err) == -1) {
		free(tx);
		return -1;
	}
	tx->db = tx->conn->db;
	rc = sq_run(tx, sql_read_begin);
	if (rc != SQLITE_OK) {
		sq_fail(tx, rc, err);
		free(tx);
		return -1;
	}
	*out = tx;
	return 0;
}

/*
 * Commits the writer's open transaction, which holds batch BATCH and every
 * batch before it. Called by the committer thread only.
 */
static int
sq_commit_batch(struct store *st, uint64_t *batch)
{
	int rc = SQLITE_OK;

	pthread_mutex_lock(&st->write_lock);
	*batch = st->open_batch++;
	if (st->writer_open && sqlite3_get_autocommit(st->writer->db)) {
		rc = SQLITE_ABORT;	/* rolled back under us */
	} else if (st->writer_open) {
		rc = sqlite3_exec(st->writer->db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			log_warnx("store: commit failed: %s",
			    sqlite3_errmsg(st->writer->db));
			sqlite3_exec(st->writer->db, "ROLLBACK", NULL, NULL,
			    NULL);
		}
		st->writer_open = false;
	}
	pthread_mutex_unlock(&st->write_lock);
	return rc;
}

/*
 * The committer thread: commits the open batch once every write that has
 * begun has joined it (or SQ_BATCH_MAX wait), so the writes that queued on
 * the connection during one fsync share the next; then wakes the waiters
 * and runs the commit hooks.
 */
static void *
sq_committer(void *arg)
{
	struct store *st = arg;
	struct timespec t0, t1;
	uint64_t batch;
	int rc, i, size;

	pthread_mutex_lock(&st->gc_lock);
	for (;;) {
		while (!sq_commit_due(st) && !st->stopping)
			pthread_cond_wait(&st->gc_cond, &st->gc_lock);
		if (st->stopping && st->joined <= st->committed &&
		    st->writers == 0)
			break;
		if (!sq_commit_due(st)) {
			pthread_cond_wait(&st->gc_cond, &st->gc_lock);
			continue;
		}
		size = st->batch_size;
		pthread_mutex_unlock(&st->gc_lock);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = sq_commit_batch(st, &batch);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		metrics_commit(size, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		pthread_mutex_lock(&st->gc_lock);
		st->batch_rc[batch % SQ_BATCH_RING] = rc;
		st->committed = batch;
		st->batch_size = 0;
		pthread_cond_broadcast(&st->done_cond);
		pthread_mutex_unlock(&st->gc_lock);
		for (i = 0; i < st->nhooks; i++)
			st->hooks[i].fn(st->hooks[i].arg);
		pthread_mutex_lock(&st->gc_lock);
	}
	pthread_mutex_unlock(&st->gc_lock);
	return NULL;
}

/* Waits until batch MINE is committed; its SQLite result. */
static int
sq_wait_commit(struct store *st, uint64_t mine)
{
	int rc;

	pthread_mutex_lock(&st->gc_lock);
	while (st->committed < mine)
		pthread_cond_wait(&st->done_cond, &st->gc_lock);
	rc = st->batch_rc[mine % SQ_BATCH_RING];
	pthread_mutex_unlock(&st->gc_lock);
	return rc;
}

int
store_batch_status(struct store *st, uint64_t batch)
{
	int rc;

	pthread_mutex_lock(&st->gc_lock);
	rc = st->committed < batch ? 0 :
	    st->batch_rc[batch % SQ_BATCH_RING] == SQLITE_OK ? 1 : -1;
	pthread_mutex_unlock(&st->gc_lock);
	return rc;
}

static const char sql_item[] = "SAVEPOINT item";
static const char sql_item_release[] = "RELEASE item";
static const char sql_item_rollback[] = "ROLLBACK TO item";

int
store_item_begin(struct store_tx *tx, struct err *err)
{
	int rc = sq_run(tx, sql_item);

	return rc == SQLITE_OK ? 0 : sq_fail(tx, rc, err);
}

void
store_item_end(struct store_tx *tx, bool keep)
{
	if (!keep)
		sq_run(tx, sql_item_rollback);
	sq_run(tx, sql_item_release);
}

void
store_on_commit(struct store *st, void (*fn)(void *), void *arg)
{
	if (st->nhooks == SQ_HOOKS_MAX)
		fatalx("store: too many commit hooks");
	st->hooks[st->nhooks].fn = fn;
	st->hooks[st->nhooks].arg = arg;
	st->nhooks++;
}

void
store_defer_begin(void)
{
	sq_defer = true;
	sq_defer_batch = 0;
}

uint64_t
store_defer_end(void)
{
	uint64_t b = sq_defer_batch;

	sq_defer = false;
	sq_defer_batch = 0;
	return b;
}

int
store_end(struct store_tx *tx, bool commit, struct err *err)
{
	struct store *st;
	uint64_t mine;
	int rc;

	if (tx == NULL)
		return 0;
	st = tx->st;
	if (!tx->write) {
		sq_run(tx, sql_read_end);
		free(tx);
		return 0;
	}
	if (!commit) {
		sq_run(tx, sql_rollback_to);
		sq_run(tx, sql_release);
		pthread_mutex_unlock(&st->write_lock);
		sq_writer_done(st, 0);
		free(tx);
		return 0;
	}
	/* The audit record of this thread's request joins its change. */
	if (sq_audit_pending(tx, err) == -1)
		rc = SQLITE_ERROR;
	else
		rc = sq_run(tx, sql_release);
	if (rc != SQLITE_OK) {
		if (err == NULL || err->type == NULL)
			sq_fail(tx, rc, err);
		sq_run(tx, sql_rollback_to);
		sq_run(tx, sql_release);
		pthread_mutex_unlock(&st->write_lock);
		sq_writer_done(st, 0);
		free(tx);
		return -1;
	}
	mine = st->open_batch;
	pthread_mutex_unlock(&st->write_lock);
	sq_writer_done(st, mine);
	free(tx);
	if (sq_defer) {
		if (mine > sq_defer_batch)
			sq_defer_batch = mine;
		return 0;
	}
	rc = sq_wait_commit(st, mine);
	if (rc != SQLITE_OK)
		return err_set(err, ERR_UNAVAILABLE, "the store could not"
		    " commit the change: %s", sqlite3_errstr(rc));
	return 0;
}
