/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backups of the SQLite store (store.h: store_backup, store_restore). A
 * backup is one SQLite file: the store as of one COMMIT, copied with
 * SQLite's online backup API (https://sqlite.org/backup.html) while the
 * daemon keeps writing, plus a table backup_files holding the data
 * folder's other files (credentials, the CA and the key that seals
 * operator secrets), without which a restored store could not be used.
 * The copy never goes through store_open(): a backup must not migrate the
 * store of a running daemon, nor a restore apply what its daemon will.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_int.h"

#define BK_BUSY_MS	30000	/* a COMMIT of the daemon is milliseconds */
#define BK_FILE_MAX	(16 * 1024 * 1024)

static const char bk_files_ddl[] = "CREATE TABLE backup_files (path TEXT"
    " PRIMARY KEY, mode INTEGER NOT NULL, content BLOB NOT NULL)";

static int
bk_fail(sqlite3 *db, const char *what, const char *path, struct err *err)
{
	return err_set(err, ERR_INTERNAL_FAILURE, "%s %s: %s", what, path,
	    db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

static int
bk_open(const char *path, int flags, sqlite3 **db, struct err *err)
{
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		bk_fail(*db, "cannot open", path, err);
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, BK_BUSY_MS);
	return 0;
}

/* Writes the file PATH to disk, then the folder that names it. */
static int
bk_sync(const char *path, struct err *err)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1) {
		err_set(err, ERR_INTERNAL_FAILURE, "cannot sync %s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd != -1) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/*
 * Closes the finished copy *DST (set to NULL once closed), writes TMP to
 * disk and renames it to TARGET, durably. 0, or -1 with ERR.
 */
static int
bk_finish(sqlite3 **dst, const char *tmp, const char *target,
    struct err *err)
{
	if (sqlite3_close(*dst) != SQLITE_OK) {
		bk_fail(*dst, "cannot close", tmp, err);
		return -1;
	}
	*dst = NULL;
	if (bk_sync(tmp, err) == -1)
		return -1;
	if (rename(tmp, target) == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot rename %s to"
		    " %s: %s", tmp, target, strerror(errno));
	return bk_sync(target, err);
}

/* Copies the whole of SRC into DST in one step: one consistent snapshot. */
static int
bk_copy(sqlite3 *dst, sqlite3 *src, const char *path, struct err *err)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc, tries = 0;

	if (b == NULL)
		return bk_fail(dst, "cannot copy into", path, err);
	/*
	 * All pages in one step, under one read transaction of SRC: in WAL
	 * mode that blocks no writer, and the copy is the store as of the
	 * last COMMIT before it began. Stepping a few pages at a time would
	 * start over at every write of the daemon, and might never end.
	 */
	do {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(10);
	} while ((rc == SQLITE_OK || rc == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) && ++tries < BK_BUSY_MS / 10);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot copy into "
		    "%s: %s", path, sqlite3_errstr(rc));
	return 0;
}

static int
bk_put_files(sqlite3 *db, const struct store_file *files, size_t n,
    const char *path, struct err *err)
{
	sqlite3_stmt *s;
	size_t i;

	if (sqlite3_exec(db, bk_files_ddl, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO backup_files VALUES (?, ?, ?)",
	    -1, &s, NULL) != SQLITE_OK)
		return bk_fail(db, "cannot write", path, err);
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, files[i].path, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, (int)(files[i].mode & 07777));
		sqlite3_bind_blob(s, 3, files[i].len > 0 ?
		    (const void *)files[i].data : "", (int)files[i].len,
		    SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return bk_fail(db, "cannot write", path, err);
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return 0;
}

int
sq_backup(const char *path, const char *to,
    const struct store_file *files, size_t nfiles, int *version,
    struct err *err)
{
	const char *src_path = path;
	char tmp[PATH_MAX];
	sqlite3 *src = NULL, *dst = NULL;
	struct stat sb;
	int rc = -1, fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.partial", to) >=
	    sizeof(tmp))
		return err_set(err, ERR_INVALID_REQUEST, "path too long");
	if (stat(src_path, &sb) == -1)
		return err_set(err, ERR_INVALID_REQUEST, "no store at %s: %s",
		    src_path, strerror(errno));
	if (lstat(to, &sb) == 0)
		return err_set(err, ERR_INVALID_REQUEST, "%s exists already: "
		    "a backup never overwrites a file", to);
	/* Claims TMP: a second backup to the same file fails here. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return err_set(err, ERR_INVALID_REQUEST, "cannot create %s: %s",
		    tmp, strerror(errno));
	close(fd);
	if (bk_open(src_path, SQLITE_OPEN_READWRITE, &src, err) == -1 ||
	    sq_version_check(src, src_path, version, err) == -1 ||
	    bk_open(tmp, SQLITE_OPEN_READWRITE, &dst, err) == -1 ||
	    bk_copy(dst, src, tmp, err) == -1)
		goto out;
	/* The copy says WAL as its source did: one file, no -wal, instead. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    bk_put_files(dst, files, nfiles, tmp, err) == -1)
		goto out;
	rc = bk_finish(&dst, tmp, to, err);
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	if (rc == -1)
		unlink(tmp);
	return rc;
}

/* FROM must be an intact SQLite file: integrity_check says "ok". */
static int
bk_check(sqlite3 *db, const char *from, struct err *err)
{
	sqlite3_stmt *s;
	char why[256] = "";
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &s,
	    NULL) != SQLITE_OK)
		return bk_fail(db, "cannot read", from, err);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(why, sizeof(why), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return bk_fail(db, "cannot read", from, err);
	if (strcmp(why, "ok") != 0)
		return err_set(err, ERR_INVALID_REQUEST, "%s is damaged: %s",
		    from, why);
	return 0;
}

/* Hands each file of FROM's backup_files table (if any) to FN. */
static int
bk_get_files(sqlite3 *db, const char *from,
    int (*fn)(void *arg, const struct store_file *f, struct err *err),
    void *arg, struct err *err)
{
	struct store_file f;
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT path, mode, content FROM"
	    " backup_files ORDER BY path", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return 0;	/* a plain copy of a store: no files kept */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		f.path = (const char *)sqlite3_column_text(s, 0);
		f.mode = (unsigned)sqlite3_column_int(s, 1);
		f.data = sqlite3_column_blob(s, 2);
		f.len = (size_t)sqlite3_column_bytes(s, 2);
		if (f.path == NULL || f.len > BK_FILE_MAX) {
			sqlite3_finalize(s);
			return err_set(err, ERR_INVALID_REQUEST, "%s keeps a "
			    "file without a name, or too large", from);
		}
		if (fn(arg, &f, err) == -1) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : bk_fail(db, "cannot read", from, err);
}

int
sq_restore(const char *from, const char *path,
    int (*fn)(void *arg, const struct store_file *f, struct err *err),
    void *arg, int *version, struct err *err)
{
	char tmp[PATH_MAX];
	sqlite3 *src = NULL, *dst = NULL;
	int rc = -1, fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.partial", path) >=
	    sizeof(tmp))
		return err_set(err, ERR_INVALID_REQUEST, "path too long");
	if (access(from, R_OK) == -1)
		return err_set(err, ERR_INVALID_REQUEST, "cannot read %s: %s",
		    from, strerror(errno));
	if (bk_open(from, SQLITE_OPEN_READONLY, &src, err) == -1 ||
	    bk_check(src, from, err) == -1 ||
	    sq_version_check(src, from, version, err) == -1 ||
	    bk_get_files(src, from, fn, arg, err) == -1)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		err_set(err, ERR_INTERNAL_FAILURE, "cannot create %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	close(fd);
	if (bk_open(tmp, SQLITE_OPEN_READWRITE, &dst, err) == -1 ||
	    bk_copy(dst, src, tmp, err) == -1)
		goto out;
	if (sqlite3_exec(dst, "DROP TABLE IF EXISTS backup_files;"
	    " PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		bk_fail(dst, "cannot write", tmp, err);
		goto out;
	}
	rc = bk_finish(&dst, tmp, path, err);
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	if (rc == -1)
		unlink(tmp);
	return rc;
}
