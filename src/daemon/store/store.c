/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's front: store_open() picks a backend by the URL's scheme,
 * and every public store_*() operation calls through the operations of
 * the store (or of the transaction's store) it is given. Nothing outside
 * store/ sees which backend runs.
 */
#include "store_ops.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const struct store_backend *const backends[] = {
	&store_sqlite,
	&store_postgresql,
	&store_postgres,
};

#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

/* Deferred acknowledgement of this thread's writes (store_defer_begin). */
static __thread bool defer_on;
static __thread uint64_t defer_batch;

/*
 * The backend of URL "SCHEME:REST", REST in *WHERE; a URL without a
 * scheme ("/var/lib/iotjobs", "data") is a data folder of the embedded
 * default, whose store is its file iotjobs.db.
 */
static const struct store_backend *
backend_of(const char *url, const char **where)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');
	size_t i, n;

	if (colon == NULL || (slash != NULL && slash < colon)) {
		*where = url;
		return NULL;
	}
	n = (size_t)(colon - url);
	for (i = 0; i < NBACKENDS; i++)
		if (strlen(backends[i]->scheme) == n &&
		    strncmp(backends[i]->scheme, url, n) == 0) {
			*where = colon + 1;
			return backends[i];
		}
	*where = NULL;
	return NULL;
}

/*
 * The backend and location of URL, or -1 with ERR naming the scheme no
 * backend has. *FOLDER: URL was a bare data folder.
 */
static int
resolve(const char *url, const struct store_backend **be, const char **where,
    bool *folder, struct err *err)
{
	*be = backend_of(url, where);
	*folder = false;
	if (*be != NULL)
		return 0;
	if (*where == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "store: unknown store"
		    " URL scheme in %.*s (known: sqlite:PATH,"
		    " postgresql://...)",
		    (int)(strchr(url, ':') - url + 1), url);
	*be = &store_sqlite;
	*folder = true;
	return 0;
}

/*
 * A data folder of the embedded default: created (0700) when missing, its
 * store the file DIR/iotjobs.db.
 */
static int
folder_path(const char *dir, char *path, size_t size, struct err *err)
{
	if ((size_t)snprintf(path, size, "%s/" STORE_FOLDER_DB, dir) >= size)
		return err_set(err, ERR_INVALID_REQUEST,
		    "data folder path too long: %s", dir);
	return 0;
}

static int
open_folder(const struct store_backend *be, const char *dir,
    struct store **out, struct err *err)
{
	char path[PATH_MAX];

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot create the data folder %s: %s", dir,
		    strerror(errno));
	if (folder_path(dir, path, sizeof(path), err) == -1)
		return -1;
	return be->open(path, out, err);
}

int
store_open(const char *url, struct store **out, struct err *err)
{
	const struct store_backend *be;
	const char *where;
	bool folder;

	if (resolve(url, &be, &where, &folder, err) == -1)
		return -1;
	if (folder)
		return open_folder(be, where, out, err);
	return be->open(where, out, err);
}

/*
 * The backend of URL and where its store is, a bare folder's file path
 * written into PATH.
 */
static int
locate(const char *url, const struct store_backend **be, const char **where,
    char path[PATH_MAX], struct err *err)
{
	bool folder;

	if (resolve(url, be, where, &folder, err) == -1 ||
	    (folder && folder_path(*where, path, PATH_MAX, err) == -1))
		return -1;
	if (folder)
		*where = path;
	return 0;
}

int
store_backup(const char *url, const char *to, const struct store_file *files,
    size_t nfiles, int *version, struct err *err)
{
	const struct store_backend *be;
	const char *where;
	char path[PATH_MAX];

	if (locate(url, &be, &where, path, err) == -1)
		return -1;
	return be->backup(where, to, files, nfiles, version, err);
}

int
store_restore(const char *from, const char *url,
    int (*fn)(void *arg, const struct store_file *f, struct err *err),
    void *arg, int *version, struct err *err)
{
	const struct store_backend *be;
	const char *where;
	char path[PATH_MAX];

	if (locate(url, &be, &where, path, err) == -1)
		return -1;
	return be->restore(from, where, fn, arg, version, err);
}

void
store_local_files(const char *url, void (*fn)(void *arg, const char *path),
    void *arg)
{
	const struct store_backend *be;
	const char *where;
	char path[PATH_MAX];

	if (locate(url, &be, &where, path, NULL) == -1)
		return;
	be->local_files(where, fn, arg);
}

int
store_schema_known(const char *url)
{
	const struct store_backend *be;
	const char *where;
	bool folder;

	if (resolve(url, &be, &where, &folder, NULL) == -1)
		return 0;
	return be->schema_known();
}

void
store_defer_begin(void)
{
	defer_on = true;
	defer_batch = 0;
}

uint64_t
store_defer_end(void)
{
	uint64_t b = defer_batch;

	defer_on = false;
	defer_batch = 0;
	return b;
}

bool
store_deferring(void)
{
	return defer_on;
}

void
store_deferred(uint64_t batch)
{
	if (batch > defer_batch)
		defer_batch = batch;
}

/* This thread's pending audit record (store_audit_set). */
static __thread struct store_audit_ctx *audit_pending;

void
store_audit_set(struct store_audit_ctx *a)
{
	a->written = false;
	audit_pending = a;
}

void
store_audit_clear(void)
{
	audit_pending = NULL;
}

int
store_audit_append(struct store *st, const struct store_audit_ctx *a,
    const char *result, struct err *err)
{
	struct store_audit_ctx *saved = audit_pending;
	struct store_tx *tx;
	int rc;

	audit_pending = NULL;
	rc = store_begin(st, true, &tx, err);
	if (rc == 0) {
		rc = store_audit_append_tx(tx, a, result, err);
		if (store_end(tx, rc == 0, err) == -1)
			rc = -1;
	}
	audit_pending = saved;
	return rc;
}

int
store_end(struct store_tx *tx, bool commit, struct err *err)
{
	struct store_audit_ctx *a = audit_pending;

	/* The audit record of this thread's request joins its change. */
	if (tx != NULL && commit && tx->write && a != NULL && !a->written) {
		if (store_audit_append_tx(tx, a, "OK", err) == -1) {
			tx->st->ops->end(tx, false, NULL);
			return -1;
		}
		/* Rolled back with the transaction if its commit fails. */
		a->written = true;
	}
	return tx == NULL ? 0 : tx->st->ops->end(tx, commit, err);
}

/* The public operations, each through its store's table. */
#define X(kind, ret, name, params, args) WRAP_##kind(ret, name, params, args)
#define WRAP_TX(ret, name, params, args) \
	ret store_##name params { return tx->st->ops->name args; }
#define WRAP_ST(ret, name, params, args) \
	ret store_##name params { return st->ops->name args; }
#define WRAP_TX_VOID(ret, name, params, args) \
	void store_##name params { tx->st->ops->name args; }
#define WRAP_ST_VOID(ret, name, params, args) \
	void store_##name params { if (st != NULL) st->ops->name args; }
#define WRAP_TX_OWN(ret, name, params, args)
STORE_OPS

/* --- the job counters (store_job.h), the same for every backend -------- */

const char *const store_job_count_names[STORE_JOB_NCOUNTS] = {
	"numberOfQueuedThings", "numberOfInProgressThings",
	"numberOfSucceededThings", "numberOfFailedThings",
	"numberOfRejectedThings", "numberOfCanceledThings",
	"numberOfRemovedThings", "numberOfTimedOutThings",
};

const enum exec_status store_job_count_status[STORE_JOB_NCOUNTS] = {
	EXEC_QUEUED, EXEC_IN_PROGRESS, EXEC_SUCCEEDED, EXEC_FAILED,
	EXEC_REJECTED, EXEC_CANCELED, EXEC_REMOVED, EXEC_TIMED_OUT,
};

int64_t
store_job_count_of(const int64_t counts[STORE_JOB_NCOUNTS],
    enum exec_status s)
{
	int i;

	for (i = 0; i < STORE_JOB_NCOUNTS; i++)
		if (store_job_count_status[i] == s)
			return counts[i];
	return 0;
}
