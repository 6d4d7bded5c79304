/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store: durable state behind transactional operations. This header is
 * the backend-neutral core (open, close, transactions); each resource adds
 * its operations in store_<resource>.h. Every operation is one entry of the
 * interface every backend implements (store_ops.h, for store/ only);
 * store_open() picks the backend by the URL's scheme. SQLite (sqlite*.c)
 * is the embedded one; PostgreSQL (pg*.c) lets nodes on several hosts
 * share one store.
 *
 * Rule: the api layer acknowledges a write only after store_end() committed
 * it, so an acknowledged write survives kill -9 and power loss.
 */
#ifndef IOTJOBS_STORE_H
#define IOTJOBS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct store;
struct store_tx;

/*
 * Opens (creating and migrating) the store URL: "sqlite:PATH" (the SQLite
 * file PATH), "postgresql://..." or "postgres://..." (a libpq connection
 * URI: the first schema of its search_path, created when missing), or a
 * bare data folder DIR, which is "sqlite:DIR/iotjobs.db" with DIR created
 * (0700) when missing. An unknown scheme is InvalidRequest naming it.
 */
int store_open(const char *url, struct store **out, struct err *err);
void store_close(struct store *st);

/*
 * Starts a transaction. WRITE transactions are serialized and see every
 * committed write; read transactions see a consistent snapshot.
 */
int store_begin(struct store *st, bool write, struct store_tx **tx,
    struct err *err);

/*
 * Ends TX: commits when COMMIT is true, else rolls back. Returns -1 with
 * ERR set when the commit failed (nothing was written). TX is freed.
 */
int store_end(struct store_tx *tx, bool commit, struct err *err);

/*
 * A nested savepoint inside the write transaction TX, for a handler that
 * applies many independent items in one transaction: store_item_end
 * keeps (KEEP) or undoes what was written since store_item_begin.
 */
int store_item_begin(struct store_tx *tx, struct err *err);
void store_item_end(struct store_tx *tx, bool keep);

/*
 * Calls FN(ARG) on the committer thread after every COMMIT of a batch of
 * writes (successful or not). Register before serving; at most 8 hooks.
 */
void store_on_commit(struct store *st, void (*fn)(void *), void *arg);

/*
 * Deferred acknowledgement, for a front end that can hold its answer
 * without holding a thread: between store_defer_begin() and
 * store_defer_end() on one thread, store_end(tx, true, ...) returns once
 * the writes are in the open batch, without waiting for the COMMIT.
 * store_defer_end() returns the batch to wait for (0: none), whose outcome
 * store_batch_status() tells: 0 not committed yet, 1 durable, -1 failed
 * (the writes are lost: answer an error). Only for operations whose
 * handler reads nothing back through a read transaction after writing.
 */
void store_defer_begin(void);
uint64_t store_defer_end(void);
int store_batch_status(struct store *st, uint64_t batch);

/*
 * Several iotjobsd processes may share one store. One of them leads: it
 * alone runs the scheduler, drains the MQTT outboxes and (without a shared
 * subscription) answers MQTT requests. store_lead_try() returns 1 when this
 * process leads (now or already), 0 when another one does, -1 on error.
 * Leading ends with the process, or when the backend lost the lead to
 * another process (PostgreSQL: the database ended the lock's connection,
 * and another node took the lock before this one could again): then
 * store_leads() turns false, and store_lead_try() may take it later.
 */
int store_lead_try(struct store *st, struct err *err);

/*
 * For the leader: from now on, commits made by other processes run the
 * commit hooks too (within about 100 ms), and then FN(ARG). Stops at
 * store_close().
 */
int store_watch_start(struct store *st, void (*fn)(void *), void *arg,
    struct err *err);

/*
 * The store's files vanished under it (deleted, moved or replaced): it
 * refuses every write since (ServiceUnavailableException), and calls
 * FN(ARG) once, from its committer thread, so that its owner exits and is
 * started again on the real files. store_failed() tells whether it did.
 */
void store_on_failure(struct store *st, void (*fn)(void *), void *arg);
bool store_failed(struct store *st);

/* Whether this process leads (store_lead_try returned 1, not lost since). */
bool store_leads(struct store *st);

/* The database file's path, borrowed for the life of ST. */
const char *store_path(const struct store *st);

/* The backend's name ("sqlite", "postgresql"), for status displays. */
const char *store_backend_name(const struct store *st);

/*
 * What the store takes on disk, in bytes (SQLite: the database and its
 * WAL; PostgreSQL: the store's tables and indexes): 0, or -1 with ERR.
 */
int store_size_bytes(struct store *st, int64_t *bytes, struct err *err);

/* Schema version the store is at (after migrations). */
int store_schema_version(struct store *st);

/*
 * The newest schema version this binary knows for the store URL (as
 * store_open takes it; each backend has its own migrations): store_open()
 * refuses a store whose schema is newer, as versions only move forward.
 * 0 for a URL no backend takes.
 */
int store_schema_known(const char *url);

/*
 * Calls FN(ARG, PATH) for each file on this host that holds the store URL
 * (as store_open takes it; SQLite: the database, its -wal and -shm), so
 * that their modes can be checked. Nothing for an unknown scheme.
 */
void store_local_files(const char *url, void (*fn)(void *arg,
    const char *path), void *arg);

/* Reads the store: 0 when a read transaction answers, else -1 with ERR. */
int store_ping(struct store *st, struct err *err);

/* A file of the data folder kept in a backup beside the store. */
struct store_file {
	const char *path;	/* relative to the data folder */
	unsigned mode;		/* permission bits */
	const unsigned char *data;
	size_t len;
};

/*
 * Copies the store URL (as store_open takes it) into a new file TO (which must not
 * exist) while other processes keep writing: SQLite's online backup, a
 * snapshot of the last COMMIT, so that every write acknowledged before
 * the call is in it. FILES (the data folder's other files: credentials,
 * the CA) are kept inside the copy. TO is written in full and synced
 * before it appears under its name. *VERSION: the schema version copied.
 */
int store_backup(const char *url, const char *to,
    const struct store_file *files, size_t nfiles, int *version,
    struct err *err);

/*
 * Makes FROM (a file of store_backup) the store URL (as store_open takes
 * it; a data folder must exist and be empty): checks FROM (an iotjobs store, intact, of a schema
 * this binary knows), hands each kept file to FN(ARG, file) to write, then
 * writes the store. *VERSION: the schema version restored (the daemon
 * applies newer migrations at its next start).
 */
int store_restore(const char *from, const char *url,
    int (*fn)(void *arg, const struct store_file *f, struct err *err),
    void *arg, int *version, struct err *err);

/*
 * Moves the SQLite store FROM_URL ("sqlite:PATH" or a data folder, which
 * must exist) into the new PostgreSQL store TO_URL (as store_open takes
 * them; both are opened, so both schemas are at their latest): every row
 * of every table, read from one snapshot of FROM and written in one
 * transaction of TO, which commits only when each table's row count
 * agrees on both sides. A TO holding any row beyond those its creation
 * writes is refused, naming the table, unchanged. Writes to FROM after
 * the snapshot are not copied: stop the service first. Writes one line
 * per table ("things 1234") and a summary to REPORT, never a password.
 */
int store_migrate(const char *from_url, const char *to_url, FILE *report,
    struct err *err);

#endif
