/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The schema of the SQLite store: the migrations of schema/sqlite/ (one
 * transaction each, recorded in schema_migrations with the iotjobs
 * release that applied it) and the forward-only rule: a store whose
 * schema is newer than this binary knows is refused, saying which
 * migration it needs (docs/upgrading.md).
 */
#include "store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sqlite_int.h"
#include "version.h"

/* The newest migration applied to DB, in *VERSION. */
static int
sq_db_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0)"
	    " FROM schema_migrations", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return -1;
	}
	*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* Whether migration VERSION is recorded in DB. */
static bool
sq_applied(sqlite3 *db, int version)
{
	sqlite3_stmt *s;
	bool yes;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations"
	    " WHERE version = ?", -1, &s, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int(s, 1, version);
	yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return yes;
}

int
sq_schema_known(void)
{
	return sq_nmigrations > 0 ? sq_migrations[sq_nmigrations - 1].version :
	    0;
}

/* The iotjobs release that applied migration VERSION of DB, or "". */
static void
sq_applied_by(sqlite3 *db, int version, char *out, size_t size)
{
	sqlite3_stmt *s;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT iotjobs FROM schema_migrations"
	    " WHERE version = ?", -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int(s, 1, version);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) == SQLITE_TEXT)
		snprintf(out, size, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

int
sq_version_check(sqlite3 *db, const char *what, int *version,
    struct err *err)
{
	char by[64];

	if (sq_db_version(db, version) == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "%s is not an "
		    "iotjobs store: %s", what, sqlite3_errmsg(db));
	if (*version <= sq_schema_known())
		return 0;
	sq_applied_by(db, *version, by, sizeof(by));
	return err_set(err, ERR_INTERNAL_FAILURE, "%s is at schema version "
	    "%d, newer than this iotjobsd (%s, schema %d) knows: it needs an "
	    "iotjobsd with migration %04d%s%s (schemas only move forward; "
	    "see docs/upgrading.md)", what, *version, version_string(),
	    sq_schema_known(), *version, by[0] != '\0' ?
	    ", such as iotjobs " : "", by);
}

/*
 * The bookkeeping table of migrations: which were applied, when, and by
 * which iotjobs release (the column stores made before it existed lack).
 */
static int
sq_migrations_table(sqlite3 *db)
{
	sqlite3_stmt *s;
	bool has = false;

	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations"
	    " (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	    " applied_at INTEGER NOT NULL, iotjobs TEXT)", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info("
	    "'schema_migrations') WHERE name = 'iotjobs'", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	has = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	/* Another node sharing the folder may add it first. */
	if (!has && sqlite3_exec(db, "ALTER TABLE schema_migrations ADD COLUMN"
	    " iotjobs TEXT", NULL, NULL, NULL) != SQLITE_OK)
		has = sqlite3_step(s) == SQLITE_ROW;
	else
		has = true;
	sqlite3_finalize(s);
	return has ? 0 : -1;
}

int
sq_migrate(sqlite3 *db, const char *path, int *out, struct err *err)
{
	const struct sq_migration *m = NULL;
	int version = 0, i;
	char *emsg = NULL;
	char note[512];

	if (sq_migrations_table(db) == -1)
		goto fail;
	if (sq_version_check(db, path, &version, err) == -1)
		return -1;
	/*
	 * Each migration not recorded yet is applied, not only those past
	 * the newest recorded: branches merge with migration numbers out of
	 * order (0018 may land after 0021), and a store that has 0021 must
	 * still get 0018.
	 */
	for (i = 0; i < sq_nmigrations; i++) {
		m = &sq_migrations[i];
		if (sq_applied(db, m->version))
			continue;
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
		    &emsg) != SQLITE_OK)
			goto fail;
		/* Another process sharing the folder may have been first. */
		if (sq_applied(db, m->version)) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			continue;
		}
		snprintf(note, sizeof(note), "INSERT INTO schema_migrations"
		    " (version, name, applied_at, iotjobs) VALUES (%d, '%s',"
		    " strftime('%%s','now'), '%s')", m->version, m->name,
		    version_string());
		if (sqlite3_exec(db, m->sql, NULL, NULL, &emsg) !=
		    SQLITE_OK ||
		    sqlite3_exec(db, note, NULL, NULL, &emsg) != SQLITE_OK ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, &emsg) !=
		    SQLITE_OK)
			goto fail;
		log_info("store: applied migration %04d-%s", m->version,
		    m->name);
	}
	if (sq_db_version(db, &version) == -1)
		goto fail;
	*out = version;
	return 0;
fail:
	if (m != NULL)
		err_set(err, ERR_INTERNAL_FAILURE, "store migration %04d-%s"
		    " failed: %s", m->version, m->name, emsg != NULL ? emsg :
		    sqlite3_errmsg(db));
	else
		err_set(err, ERR_INTERNAL_FAILURE, "store migration: %s",
		    sqlite3_errmsg(db));
	sqlite3_free(emsg);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
