/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend core: opening the database file in the data folder (WAL),
 * applying the versioned migrations of schema/sqlite/ (sqlite_migrate.c),
 * connections and transactions. Each thread reads through a connection of
 * its own. Writes go through one connection with group commit: a write
 * transaction is a SAVEPOINT inside the writer's open transaction, and its
 * sq_end() returns only once a COMMIT covering it is on disk. One COMMIT
 * (one fsync) thus answers every write that ran while the previous one was
 * being written, and a failed request rolls back only its own savepoint.
 *
 * The fsync runs outside the writer's lock (sq_wal_sync): the writer
 * connection is synchronous=NORMAL, so its COMMIT appends the batch's
 * frames to the WAL without waiting for the disk, and the committer then
 * waits for the WAL on its own descriptor while the next batch's writes
 * run on the connection; the batch is acknowledged after that. The WAL's
 * frames are checksummed in sequence, so a crash keeps a prefix of the
 * commits, never a later one without an earlier one, and SQLite still
 * syncs the WAL before every checkpoint copies from it. Readers may see a
 * batch during its fsync, before it is acknowledged: after a power loss
 * in that window it is gone together with the answers nobody received.
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
#define SQ_FILES_MS	1000	/* the path check of the store's files */
#define SQ_CKPT_IDLE_MS	100	/* idle this long after a batch: checkpoint */
#define SQ_CKPT_PAGES	1000	/* WAL pages that wake the checkpointer */
#define SQ_CKPT_RESTART	2000	/* WAL pages after which the committer
				 * copies the rest itself (sq_ckpt_restart) */

struct sq_store;

static void *sq_committer(void *arg);
static void sq_files_open(struct sq_store *st);
static int sq_files_guard(struct sq_store *st);
static void sq_files_idle_check(struct sq_store *st, bool alarm);
static void sq_files_alarm(void *arg);
static void sq_files_tell(struct sq_store *st);
static void sq_dir_sync(struct sq_store *st);
static void *sq_checkpointer(void *arg);

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_savepoint[] = "SAVEPOINT req";
static const char sql_release[] = "RELEASE req";
static const char sql_rollback_to[] = "ROLLBACK TO req";
static const char sql_read_begin[] = "BEGIN";
static const char sql_read_end[] = "ROLLBACK";
static const char sql_batch_end[] = "ROLLBACK";

struct sq_conn {
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[SQ_CACHE_SLOTS];
	struct sq_conn *next;	/* every connection, for store_close */
};

struct sq_store {
	struct store base;
	char path[PATH_MAX];
	pthread_mutex_t write_lock;	/* the writer connection */
	struct sq_conn *writer;
	bool writer_open;		/* BEGIN done, COMMIT due */
	bool writer_dirty;		/* a write of the open batch was kept */
	bool batch_lost;		/* SQLite rolled kept writes back */
	uint64_t open_batch;		/* batch the open transaction is */
	/* Group commit, under gc_lock; the committer thread commits. */
	pthread_mutex_t gc_lock;
	pthread_cond_t gc_cond;		/* committer: a batch may commit */
	pthread_cond_t done_cond;	/* waiters: a COMMIT returned */
	pthread_t committer;
	bool stopping;
	bool files_alarm;		/* the folder watch saw a change */
	/*
	 * The checkpointer thread (sq_checkpointer), under ckpt_lock:
	 * woken by the writer's WAL hook once the WAL is long.
	 */
	pthread_t ckpt_thread;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_cond;
	bool ckpt_wanted, ckpt_stop;
	int wal_pages;			/* under write_lock: the WAL's length
					 * at the last COMMIT */
	bool ckpt_due;			/* committer only: commits since the
					 * idle checkpoint */
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
	/*
	 * The files opened (sq_files_*): descriptors of our own on the
	 * database and its WAL, never closed while SQLite has them open (a
	 * close would drop SQLite's POSIX locks), and their identity.
	 */
	int db_fd, wal_fd;		/* -1: none */
	struct stat db_sb, wal_sb;
	int64_t files_checked_ms;	/* last check by path */
	struct sq_folder *folder;	/* NULL: not watched */
	bool failed;			/* under write_lock: writes refused */
	bool fail_told;			/* the failure hook ran */
	void (*fail_fn)(void *);
	void *fail_arg;
};

/*
 * SQLite counts every allocation it makes under one process-wide mutex,
 * for sqlite3_memory_used() and sqlite3_status(), which iotjobsd never
 * reads: the workers of both front ends took that mutex for each row they
 * stepped. Turned off before the first connection initializes SQLite (once
 * initialized, SQLite refuses the setting and keeps counting).
 */
static void
sq_memstatus_off(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int
sq_conn_open(struct sq_store *st, struct sq_conn **out, struct err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_conn *c;
	int rc, waited;

	pthread_once(&once, sq_memstatus_off);
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
	struct sq_conn *c = sq_txp(tx)->conn;
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
	const char *msg = sqlite3_errmsg(sq_txp(tx)->db);

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

/*
 * Checkpoints. SQLite's own, inside a COMMIT, would copy the WAL into the
 * database and sync both while the writer's lock is held, stalling every
 * write. Instead the writer's WAL hook (after each COMMIT, under
 * write_lock) wakes the checkpointer thread once the WAL holds
 * SQ_CKPT_PAGES, which copies on a connection of its own while the writes
 * go on. SQLite restarts the WAL from its start only at a write
 * transaction that began with every frame copied, which under steady load
 * the checkpointer never quite reaches: past SQ_CKPT_RESTART pages the
 * committer copies the few frames left itself (sq_ckpt_restart), between a
 * COMMIT and the next BEGIN, so that the WAL's length stays bounded.
 */
static int
sq_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sq_store *st = arg;

	(void)db;
	(void)name;
	st->wal_pages = pages;
	if (pages >= SQ_CKPT_PAGES) {
		pthread_mutex_lock(&st->ckpt_lock);
		st->ckpt_wanted = true;
		pthread_cond_signal(&st->ckpt_cond);
		pthread_mutex_unlock(&st->ckpt_lock);
	}
	return SQLITE_OK;
}

static void *
sq_checkpointer(void *arg)
{
	struct sq_store *st = arg;
	struct sq_conn *c;
	struct err err;
	int rc;

	err_clear(&err);
	if (sq_conn_open(st, &c, &err) == -1) {
		log_warnx("store: checkpointer: %s", err.msg);
		return NULL;
	}
	pthread_mutex_lock(&st->ckpt_lock);
	for (;;) {
		while (!st->ckpt_wanted && !st->ckpt_stop)
			pthread_cond_wait(&st->ckpt_cond, &st->ckpt_lock);
		if (st->ckpt_stop)
			break;
		st->ckpt_wanted = false;
		pthread_mutex_unlock(&st->ckpt_lock);
		/* BUSY: another checkpoint runs (the committer's, a node's). */
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warnx("store: checkpoint failed: %s",
			    sqlite3_errstr(rc));
		pthread_mutex_lock(&st->ckpt_lock);
	}
	pthread_mutex_unlock(&st->ckpt_lock);
	sq_conn_close(c);
	return NULL;
}

/* After a COMMIT (write_lock held, no transaction open): see above. */
static void
sq_ckpt_restart(struct sq_store *st)
{
	int rc;

	if (st->wal_pages < SQ_CKPT_RESTART || st->failed)
		return;
	rc = sqlite3_wal_checkpoint_v2(st->writer->db, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warnx("store: checkpoint failed: %s", sqlite3_errstr(rc));
	st->wal_pages = 0;
}

int
sq_open(const char *path, struct store **out, struct err *err)
{
	struct sq_store *st;

	st = xcalloc(1, sizeof(*st));
	st->base.ops = &sq_ops;
	if ((size_t)snprintf(st->path, sizeof(st->path), "%s", path) >=
	    sizeof(st->path)) {
		free(st);
		return err_set(err, ERR_INVALID_REQUEST,
		    "store path too long: %s", path);
	}
	st->lead_fd = -1;
	st->db_fd = st->wal_fd = -1;
	pthread_mutex_init(&st->write_lock, NULL);
	pthread_mutex_init(&st->list_lock, NULL);
	pthread_cond_init(&st->watch_cond, NULL);
	pthread_mutex_init(&st->gc_lock, NULL);
	pthread_cond_init(&st->gc_cond, NULL);
	pthread_cond_init(&st->done_cond, NULL);
	pthread_mutex_init(&st->ckpt_lock, NULL);
	pthread_cond_init(&st->ckpt_cond, NULL);
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
	/*
	 * From here on the committer syncs each batch (sq_wal_sync), and
	 * the WAL hook replaces SQLite's checkpoint inside COMMIT.
	 */
	if (sqlite3_exec(st->writer->db, "PRAGMA synchronous=NORMAL", NULL,
	    NULL, NULL) != SQLITE_OK) {
		err_set(err, ERR_UNAVAILABLE, "cannot configure the store: %s",
		    sqlite3_errmsg(st->writer->db));
		sq_conn_close(st->writer);
		free(st);
		return -1;
	}
	sqlite3_wal_hook(st->writer->db, sq_wal_hook, st);
	sq_files_open(st);
	sq_dir_sync(st);
	if (pthread_create(&st->ckpt_thread, NULL, sq_checkpointer, st) != 0)
		fatal("store: cannot start the checkpointer thread");
	if (pthread_create(&st->committer, NULL, sq_committer, st) != 0)
		fatal("store: cannot start the committer thread");
	st->folder = sq_folder_watch(st->path, sq_files_alarm, st);
	*out = &st->base;
	return 0;
}

void
sq_close(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c, *next;

	if (st == NULL)
		return;
	sq_folder_unwatch(st->folder);
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
	pthread_mutex_lock(&st->ckpt_lock);
	st->ckpt_stop = true;
	pthread_cond_signal(&st->ckpt_cond);
	pthread_mutex_unlock(&st->ckpt_lock);
	pthread_join(st->ckpt_thread, NULL);
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
	/* SQLite has closed the files: ours may go (and with it no lock). */
	if (st->db_fd != -1)
		close(st->db_fd);
	if (st->wal_fd != -1)
		close(st->wal_fd);
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
sq_lead_try(struct store *base, struct err *err)
{
	struct sq_store *st = (struct sq_store *)base;
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

/*
 * A store that vanishes. Deleting the WAL (or the whole folder) under a
 * running daemon leaves SQLite writing into files no path names: commits
 * succeed, and kill -9 or a restart loses them, together with every
 * earlier commit not yet checkpointed. So before a batch is acknowledged
 * the committer looks at the files (sq_files_guard): our descriptors of
 * the database and the WAL must still be linked (fstat, every batch), and
 * once a second their paths must still name them (stat; this also runs
 * when no write comes, and at once when the watch of the folder,
 * sqlite_folder.c, sees one of their names change). On a mismatch the
 * store refuses every write from then on, saves what it can, and tells
 * its owner (store_on_failure), which exits non-zero so that a service
 * manager starts it again on the real files:
 *   WAL unlinked, database linked: a FULL checkpoint copies every commit
 *     (this batch's too) from the unlinked WAL into the database, so
 *     nothing acknowledged is lost and this batch may be acknowledged;
 *   database unlinked: VACUUM INTO writes everything committed to
 *     iotjobs.db.recovered-EPOCH beside it, when the folder is still
 *     there; the batch is refused;
 *   a path naming another file (moved, replaced): the data is where it
 *     was moved; the batch is refused.
 */

/* Opens our descriptor of PATH, recording its identity; -1 if absent. */
static int
sq_file_watch(const char *path, struct stat *sb)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd != -1 && fstat(fd, sb) == -1) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void
sq_files_open(struct sq_store *st)
{
	char wal[PATH_MAX + 8];

	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	st->db_fd = sq_file_watch(st->path, &st->db_sb);
	st->wal_fd = sq_file_watch(wal, &st->wal_sb);
	st->files_checked_ms = 0;
}

static bool
sq_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

enum sq_vanish { SQ_FILES_OK, SQ_WAL_GONE, SQ_DB_GONE, SQ_MOVED };

/* What became of the files; FULL: by path too. WHY says it for the log. */
static enum sq_vanish
sq_files_state(struct sq_store *st, bool full, char *why, size_t size)
{
	char wal[PATH_MAX + 8];
	struct stat sb;

	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	if (st->db_fd != -1 && fstat(st->db_fd, &sb) == 0 &&
	    sb.st_nlink == 0) {
		snprintf(why, size, "%s was deleted", st->path);
		return SQ_DB_GONE;
	}
	if (st->wal_fd == -1) {
		/* Created since the store opened: watch it from now on. */
		st->wal_fd = sq_file_watch(wal, &st->wal_sb);
	} else if (fstat(st->wal_fd, &sb) == 0 && sb.st_nlink == 0) {
		snprintf(why, size, "%s was deleted", wal);
		return SQ_WAL_GONE;
	}
	if (!full)
		return SQ_FILES_OK;
	if (st->db_fd != -1 && (stat(st->path, &sb) == -1 ||
	    !sq_same_file(&sb, &st->db_sb))) {
		snprintf(why, size, "%s is no longer the file opened (%s)",
		    st->path, errno == ENOENT ? "gone" : "replaced");
		return SQ_MOVED;
	}
	if (st->wal_fd != -1 && (stat(wal, &sb) == -1 ||
	    !sq_same_file(&sb, &st->wal_sb))) {
		snprintf(why, size, "%s is no longer the file opened (%s)",
		    wal, errno == ENOENT ? "gone" : "replaced");
		return SQ_MOVED;
	}
	return SQ_FILES_OK;
}

/* Saves what the vanished files hold, as far as KIND allows. */
static int
sq_files_rescue(struct sq_store *st, enum sq_vanish kind)
{
	sqlite3 *db = st->writer->db;
	int nlog = -1, nckpt = -1, rc, waited;
	char copy[PATH_MAX + 32], *sql;

	if (kind == SQ_WAL_GONE) {
		/*
		 * Another node on the folder hears of it at the same moment
		 * and checkpoints too: the busy handler does not wait for
		 * its checkpoint, so this does, and then finds it all done.
		 */
		for (waited = 0;; waited += 10) {
			rc = sqlite3_wal_checkpoint_v2(db, NULL,
			    SQLITE_CHECKPOINT_TRUNCATE, &nlog, &nckpt);
			if (rc != SQLITE_BUSY || waited >= SQ_BUSY_MS)
				break;
			usleep(10 * 1000);
		}
		if (rc == SQLITE_OK && nlog == nckpt) {
			log_warnx("store: every commit of the deleted WAL is in"
			    " %s (%d frames checkpointed)", st->path, nckpt);
			return SQLITE_OK;
		}
		log_warnx("store: the checkpoint of the deleted WAL failed"
		    " (%s, %d of %d frames): commits since the last"
		    " checkpoint are lost", sqlite3_errstr(rc), nckpt, nlog);
		return SQLITE_IOERR;
	}
	if (kind == SQ_DB_GONE) {
		snprintf(copy, sizeof(copy), "%s.recovered-%lld", st->path,
		    (long long)clock_real());
		sql = sqlite3_mprintf("VACUUM INTO %Q", copy);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		sqlite3_free(sql);
		if (rc == SQLITE_OK)
			log_warnx("store: everything committed is in %s: move"
			    " it to %s (with no -wal or -shm beside it) before"
			    " starting again", copy, st->path);
		else
			log_warnx("store: cannot save the deleted store to %s:"
			    " %s", copy, sqlite3_errmsg(db));
		/* The WAL at the path must not replay onto a new database. */
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
		    NULL, NULL);
	}
	return SQLITE_IOERR;
}

/*
 * The check before a batch is acknowledged (write_lock held, the batch
 * committed): SQLITE_OK to acknowledge it, else the result to fail it
 * with.
 */
static int
sq_files_guard(struct sq_store *st)
{
	struct timespec ts;
	int64_t now;
	enum sq_vanish kind;
	char why[PATH_MAX + 64];
	bool full;
	int rc;

	if (st->failed)
		return SQLITE_IOERR;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	full = now - st->files_checked_ms >= SQ_FILES_MS;
	if (full)
		st->files_checked_ms = now;
	kind = sq_files_state(st, full, why, sizeof(why));
	if (kind == SQ_FILES_OK)
		return SQLITE_OK;
	log_warnx("store: %s under the running daemon: writes are refused"
	    " from now on, and iotjobsd exits so that it is started again on"
	    " the real files", why);
	rc = sq_files_rescue(st, kind);
	st->failed = true;
	return rc;
}

/* Before a COMMIT: whether the files are no longer the ones opened. */
static bool
sq_files_moved(struct sq_store *st)
{
	char why[PATH_MAX + 64];

	return !st->failed &&
	    sq_files_state(st, true, why, sizeof(why)) != SQ_FILES_OK;
}

/*
 * The committer between batches: the check without a batch (an open
 * transaction is left to the check before its COMMIT, by path). ALARM:
 * the folder watch saw a change, so by path, and the rescue runs at once;
 * the owner (who exits) is told only by the next write refused or the
 * check a second on, so that the requests arriving meanwhile get a 503
 * to retry, not a closed connection.
 */
static void
sq_files_idle_check(struct sq_store *st, bool alarm)
{
	pthread_mutex_lock(&st->write_lock);
	if (alarm)
		st->files_checked_ms = 0;
	if (!st->writer_open)
		(void)sq_files_guard(st);
	pthread_mutex_unlock(&st->write_lock);
	if (!alarm)
		sq_files_tell(st);
}

/* The folder watch's thread: the committer looks at the files at once. */
static void
sq_files_alarm(void *arg)
{
	struct sq_store *st = arg;

	pthread_mutex_lock(&st->gc_lock);
	st->files_alarm = true;
	pthread_cond_signal(&st->gc_cond);
	pthread_mutex_unlock(&st->gc_lock);
}

/* Runs the failure hook once, outside every lock of the store. */
static void
sq_files_tell(struct sq_store *st)
{
	bool tell;

	pthread_mutex_lock(&st->write_lock);
	tell = st->failed && !st->fail_told;
	st->fail_told = st->fail_told || tell;
	pthread_mutex_unlock(&st->write_lock);
	if (tell && st->fail_fn != NULL)
		st->fail_fn(st->fail_arg);
}

void
sq_on_failure(struct store *base, void (*fn)(void *), void *arg)
{
	struct sq_store *st = (struct sq_store *)base;
	st->fail_fn = fn;
	st->fail_arg = arg;
}

bool
sq_failed(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	bool failed;

	pthread_mutex_lock(&st->write_lock);
	failed = st->failed;
	pthread_mutex_unlock(&st->write_lock);
	return failed;
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
	struct sq_store *st = arg;
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
sq_watch_start(struct store *base, void (*fn)(void *), void *arg,
    struct err *err)
{
	struct sq_store *st = (struct sq_store *)base;
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
sq_leads(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	return st->lead_fd != -1;
}

const char *
sq_path(const struct store *base)
{
	const struct sq_store *st = (const struct sq_store *)base;
	return st->path;
}

const char *
sq_backend_name(const struct store *base)
{
	(void)base;
	return "sqlite";
}

int
sq_size_bytes(struct store *base, int64_t *bytes, struct err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	char wal[PATH_MAX + 8];
	struct stat sb;

	*bytes = 0;
	if (stat(st->path, &sb) == -1)
		return err_set(err, ERR_UNAVAILABLE, "cannot stat the store"
		    " %s: %s", st->path, strerror(errno));
	*bytes = (int64_t)sb.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	if (stat(wal, &sb) == 0)
		*bytes += (int64_t)sb.st_size;
	return 0;
}

int
sq_ping(struct store *base, struct err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_tx *tx;
	sqlite3_stmt *s;
	int rc;

	if (sq_begin(&st->base, false, &tx, err) == -1)
		return -1;
	s = sq_stmt(tx, "SELECT count(*) FROM schema_migrations");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		sq_fail(tx, rc, err);
	sqlite3_reset(s);
	sq_end(tx, false, NULL);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
sq_schema_version(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	return st->schema_version;
}

static int
sq_reader(struct sq_store *st, struct sq_conn **out, struct err *err)
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
sq_commit_due(const struct sq_store *st)
{
	return st->joined > st->committed && (st->writers == 0 ||
	    st->batch_size >= SQ_BATCH_MAX);
}

/*
 * A write transaction ended; BATCH is the batch its changes joined (0: it
 * rolled back). Wakes the committer when a COMMIT is due.
 */
static void
sq_writer_done(struct sq_store *st, uint64_t batch)
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
sq_begin(struct store *base, bool write, struct store_tx **out,
    struct err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_tx *tx;
	int rc;

	tx = xcalloc(1, sizeof(struct sq_tx));
	tx->st = &st->base;
	tx->write = write;
	if (write) {
		pthread_mutex_lock(&st->gc_lock);
		st->writers++;
		pthread_mutex_unlock(&st->gc_lock);
		pthread_mutex_lock(&st->write_lock);
		if (st->failed) {
			pthread_mutex_unlock(&st->write_lock);
			sq_writer_done(st, 0);
			sq_files_tell(st);
			free(tx);
			return err_set(err, ERR_UNAVAILABLE, "The store's files"
			    " were removed, replaced or could not be written"
			    " under the running service, which is restarting;"
			    " retry the request.");
		}
		sq_txp(tx)->conn = st->writer;
		sq_txp(tx)->db = sq_txp(tx)->conn->db;
		rc = SQLITE_OK;
		if (st->writer_open && sqlite3_get_autocommit(sq_txp(tx)->db)) {
			/*
			 * SQLite rolled the batch back (I/O error, full): the
			 * writes kept in it are gone, so the batch fails at
			 * its COMMIT, with what joins it from here on.
			 */
			st->writer_open = false;
			st->batch_lost = st->batch_lost || st->writer_dirty;
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
	if (sq_reader(st, &sq_txp(tx)->conn, err) == -1) {
		free(tx);
		return -1;
	}
	sq_txp(tx)->db = sq_txp(tx)->conn->db;
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
sq_commit_batch(struct sq_store *st, uint64_t *batch)
{
	int rc = SQLITE_OK;

	pthread_mutex_lock(&st->write_lock);
	*batch = st->open_batch++;
	if (st->batch_lost) {
		log_warnx("store: SQLite rolled back the open batch after"
		    " an error: each of its writes fails");
		if (st->writer_open && !sqlite3_get_autocommit(st->writer->db))
			sqlite3_exec(st->writer->db, "ROLLBACK", NULL, NULL,
			    NULL);
		st->writer_open = false;
		st->batch_lost = false;
		rc = SQLITE_ABORT;
	} else if (st->writer_open && sqlite3_get_autocommit(st->writer->db)) {
		rc = SQLITE_ABORT;	/* rolled back under us */
	} else if (st->writer_open && sq_files_moved(st)) {
		/* Never acknowledged into vanished files: refused, undone. */
		sqlite3_exec(st->writer->db, "ROLLBACK", NULL, NULL, NULL);
		st->writer_open = false;
		st->files_checked_ms = 0;
		(void)sq_files_guard(st);
		rc = SQLITE_IOERR;
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
	st->writer_dirty = false;
	if (rc == SQLITE_OK)
		rc = sq_files_guard(st);
	if (rc == SQLITE_OK)
		sq_ckpt_restart(st);
	pthread_mutex_unlock(&st->write_lock);
	return rc;
}

/*
 * Syncs the folder, so that the names of the database and its WAL survive
 * a power loss as their contents do (SQLite does it on the WAL's first
 * sync, which with synchronous=NORMAL comes only at a checkpoint).
 */
static void
sq_dir_sync(struct sq_store *st)
{
	char dir[PATH_MAX], *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", st->path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1)
		log_warn("store: cannot sync the folder %s", dir);
	if (fd != -1)
		close(fd);
}

/*
 * Makes the batch the committer just committed durable (committer only,
 * no lock held: the writes of the next batch run meanwhile). The WAL's
 * descriptor is ours (sq_files_open), on the file SQLite writes to even
 * when its name was removed. SQLITE_OK, or SQLITE_IOERR: the batch is not
 * durable, and since a failed fsync may have dropped the pages it was
 * given, nothing written after it can be trusted either.
 */
static int
sq_wal_sync(struct sq_store *st)
{
	char wal[PATH_MAX + 8];

	if (st->wal_fd == -1) {
		snprintf(wal, sizeof(wal), "%s-wal", st->path);
		st->wal_fd = sq_file_watch(wal, &st->wal_sb);
		if (st->wal_fd == -1) {
			log_warn("store: cannot open %s to sync it", wal);
			return SQLITE_IOERR;
		}
		sq_dir_sync(st);
	}
	if (fdatasync(st->wal_fd) == -1) {
		log_warn("store: cannot sync %s-wal: the batch and every write"
		    " after it are refused", st->path);
		return SQLITE_IOERR;
	}
	return SQLITE_OK;
}

/*
 * The committer idle SQ_CKPT_IDLE_MS after a batch: a PASSIVE checkpoint
 * copies the commits from the WAL into the database file, fsynced (SQLite
 * syncs the database after a checkpoint), so that what was acknowledged
 * does not live in the WAL alone for long: a WAL deleted and a kill -9
 * before the rescue would lose it. Never under load (the committer is not
 * idle then), and PASSIVE waits for no reader. Whether frames remain to be copied (a
 * reader's snapshot held them back).
 */
static bool
sq_idle_checkpoint(struct sq_store *st)
{
	int nlog = 0, nckpt = 0, rc = SQLITE_OK;

	pthread_mutex_lock(&st->write_lock);
	if (!st->writer_open && !st->failed)
		rc = sqlite3_wal_checkpoint_v2(st->writer->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
	pthread_mutex_unlock(&st->write_lock);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warnx("store: the idle checkpoint failed: %s",
		    sqlite3_errstr(rc));
	return rc == SQLITE_BUSY || (rc == SQLITE_OK && nckpt < nlog);
}

/*
 * The committer between batches (gc_lock held, and held again on return,
 * once a COMMIT is due or the store stops). The files are looked at at
 * once when the folder watch saw a change, else once a second; a pause
 * after a batch runs the idle checkpoint instead.
 */
static void
sq_committer_idle(struct sq_store *st)
{
	struct timespec ts;
	bool ckpt;

	while (!sq_commit_due(st) && !st->stopping) {
		if (st->files_alarm) {
			st->files_alarm = false;
			pthread_mutex_unlock(&st->gc_lock);
			sq_files_idle_check(st, true);
			pthread_mutex_lock(&st->gc_lock);
			continue;
		}
		ckpt = st->ckpt_due;
		ts = clock_deadline_ms(ckpt ? SQ_CKPT_IDLE_MS : SQ_FILES_MS);
		if (pthread_cond_timedwait(&st->gc_cond, &st->gc_lock,
		    &ts) == 0)
			continue;
		pthread_mutex_unlock(&st->gc_lock);
		if (ckpt)
			st->ckpt_due = sq_idle_checkpoint(st);
		else
			sq_files_idle_check(st, false);
		pthread_mutex_lock(&st->gc_lock);
	}
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
	struct sq_store *st = arg;
	struct timespec t0, t1;
	uint64_t batch;
	int rc, i, size;

	pthread_mutex_lock(&st->gc_lock);
	for (;;) {
		sq_committer_idle(st);
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
		if (rc == SQLITE_OK && (rc = sq_wal_sync(st)) != SQLITE_OK) {
			pthread_mutex_lock(&st->write_lock);
			st->failed = true;
			pthread_mutex_unlock(&st->write_lock);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		metrics_commit(size, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		pthread_mutex_lock(&st->gc_lock);
		st->batch_rc[batch % SQ_BATCH_RING] = rc;
		st->committed = batch;
		st->batch_size = 0;
		st->ckpt_due = true;
		pthread_cond_broadcast(&st->done_cond);
		pthread_mutex_unlock(&st->gc_lock);
		for (i = 0; i < st->nhooks; i++)
			st->hooks[i].fn(st->hooks[i].arg);
		sq_files_tell(st);
		pthread_mutex_lock(&st->gc_lock);
	}
	pthread_mutex_unlock(&st->gc_lock);
	return NULL;
}

/* Waits until batch MINE is committed; its SQLite result. */
static int
sq_wait_commit(struct sq_store *st, uint64_t mine)
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
sq_batch_status(struct store *base, uint64_t batch)
{
	struct sq_store *st = (struct sq_store *)base;
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
sq_item_begin(struct store_tx *tx, struct err *err)
{
	int rc = sq_run(tx, sql_item);

	return rc == SQLITE_OK ? 0 : sq_fail(tx, rc, err);
}

void
sq_item_end(struct store_tx *tx, bool keep)
{
	if (!keep)
		sq_run(tx, sql_item_rollback);
	sq_run(tx, sql_item_release);
}

void
sq_on_commit(struct store *base, void (*fn)(void *), void *arg)
{
	struct sq_store *st = (struct sq_store *)base;
	if (st->nhooks == SQ_HOOKS_MAX)
		fatalx("store: too many commit hooks");
	st->hooks[st->nhooks].fn = fn;
	st->hooks[st->nhooks].arg = arg;
	st->nhooks++;
}

/*
 * A write transaction of TX rolled back: when no write of the open batch
 * was kept, its BEGIN IMMEDIATE ends too, or an opener left idle after a
 * rollback would hold the database's write lock against every other
 * process until its next commit. Under write_lock.
 */
static void
sq_writer_rollback(struct sq_store *st, struct store_tx *tx)
{
	sq_run(tx, sql_rollback_to);
	sq_run(tx, sql_release);
	if (st->writer_open && !st->writer_dirty) {
		sq_run(tx, sql_batch_end);
		st->writer_open = false;
	}
}

int
sq_end(struct store_tx *tx, bool commit, struct err *err)
{
	struct sq_store *st;
	uint64_t mine;
	int rc;

	if (tx == NULL)
		return 0;
	st = (struct sq_store *)tx->st;
	if (!tx->write) {
		sq_run(tx, sql_read_end);
		free(tx);
		return 0;
	}
	if (!commit) {
		sq_writer_rollback(st, tx);
		pthread_mutex_unlock(&st->write_lock);
		sq_writer_done(st, 0);
		free(tx);
		return 0;
	}
	rc = sq_run(tx, sql_release);
	if (rc != SQLITE_OK) {
		if (err == NULL || err->type == NULL)
			sq_fail(tx, rc, err);
		sq_writer_rollback(st, tx);
		pthread_mutex_unlock(&st->write_lock);
		sq_writer_done(st, 0);
		free(tx);
		return -1;
	}
	mine = st->open_batch;
	st->writer_dirty = true;
	pthread_mutex_unlock(&st->write_lock);
	sq_writer_done(st, mine);
	free(tx);
	if (store_deferring()) {
		store_deferred(mine);
		return 0;
	}
	rc = sq_wait_commit(st, mine);
	if (rc != SQLITE_OK)
		return err_set(err, ERR_UNAVAILABLE, "the store could not"
		    " commit the change: %s", sqlite3_errstr(rc));
	return 0;
}

/* The database and the two files SQLite keeps beside it. */
static void
sq_local_files(const char *path, void (*fn)(void *arg, const char *path),
    void *arg)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		if ((size_t)snprintf(p, sizeof(p), "%s%s", path, suffix[i]) <
		    sizeof(p))
			fn(arg, p);
}

const struct store_ops sq_ops = {
#define X STORE_OP_ANY
#define STORE_OP_ENTRY(ret, name, params) .name = sq_##name,
	STORE_OPS
#undef STORE_OP_ENTRY
#undef X
};

const struct store_backend store_sqlite = {
	.scheme = "sqlite",
	.open = sq_open,
	.backup = sq_backup,
	.restore = sq_restore,
	.local_files = sq_local_files,
	.schema_known = sq_schema_known,
};
