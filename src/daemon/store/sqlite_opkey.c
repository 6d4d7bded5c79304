/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the operator keys (store_opkey.h, table operator_keys
 * of schema 0012). The sealed secret is a BLOB; the name is UNIQUE, so a
 * revoked key keeps its name.
 */
#include "store_opkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "sqlite_int.h"
#include "sqlite_plan.h"
#include "store_identity.h"
#include "xmalloc.h"

#define OPKEY_COLS "access_key_id, name, sealed_secret, policy, status," \
    " created_at, coalesce(revoked_at, 0)"

static const char sql_opkey_insert[] =
    "INSERT INTO operator_keys (access_key_id, name, sealed_secret, policy,"
    " status, created_at) VALUES (?1, ?2, ?3, ?4, 'ACTIVE', ?5)"
    " ON CONFLICT DO NOTHING";

static const char sql_opkey_get[] =
    "SELECT " OPKEY_COLS " FROM operator_keys WHERE access_key_id = ?1";

static const char sql_opkey_get_by_name[] =
    "SELECT " OPKEY_COLS " FROM operator_keys WHERE name = ?1";

static const char sql_opkey_list[] =
    "SELECT " OPKEY_COLS " FROM operator_keys"
    " ORDER BY created_at, rowid";

static const char sql_opkey_revoke[] =
    "UPDATE operator_keys SET status = 'REVOKED', revoked_at = ?2"
    " WHERE access_key_id = ?1 AND status <> 'REVOKED'";

/* The key of a SigV4-signed request. */
const struct sq_plan_stmt sq_plan_opkey[] = {
	SQ_PLAN(sql_opkey_get, ""),
	{ NULL, NULL, NULL },
};

/* Fills K from the current row of S (OPKEY_COLS); -1 on a malformed row. */
static int
opkey_from_row(sqlite3_stmt *s, struct store_opkey *k)
{
	const void *blob = sqlite3_column_blob(s, 2);
	int n = sqlite3_column_bytes(s, 2);

	memset(k, 0, sizeof(*k));
	if (n < 0 || (size_t)n > sizeof(k->sealed))
		return -1;
	snprintf(k->access_key_id, sizeof(k->access_key_id), "%s",
	    sq_col_text(s, 0));
	snprintf(k->name, sizeof(k->name), "%s", sq_col_text(s, 1));
	if (n > 0)
		memcpy(k->sealed, blob, (size_t)n);
	k->sealed_len = (size_t)n;
	k->policy = xstrdup(sq_col_text(s, 3));
	snprintf(k->status, sizeof(k->status), "%s", sq_col_text(s, 4));
	k->created_at = sqlite3_column_int64(s, 5);
	k->revoked_at = sqlite3_column_int64(s, 6);
	return 0;
}

int
sq_opkey_insert(struct store_tx *tx, const struct store_opkey *k,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_opkey_insert);

	sq_bind_text(s, 1, k->access_key_id);
	sq_bind_text(s, 2, k->name);
	sqlite3_bind_blob(s, 3, k->sealed, (int)k->sealed_len,
	    SQLITE_TRANSIENT);
	sq_bind_text(s, 4, k->policy);
	sqlite3_bind_int64(s, 5, k->created_at);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	if (sqlite3_changes(sq_db(tx)) == 0)
		return 0;
	return sq_authz_bump(tx, err) == -1 ? -1 : 1;
}

/* One row of S, whose parameter 1 is bound already, into *OUT. */
static int
opkey_get_one(struct store_tx *tx, sqlite3_stmt *s, struct store_opkey *out,
    struct err *err)
{
	struct store_opkey tmp;
	int rc = sqlite3_step(s);

	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	if (opkey_from_row(s, out != NULL ? out : &tmp) == -1) {
		err_set(err, ERR_INTERNAL_FAILURE, "operator key \"%s\": "
		    "sealed secret of a wrong size", sq_col_text(s, 0));
		sqlite3_reset(s);
		return -1;
	}
	if (out == NULL)
		store_opkey_release(&tmp);
	sqlite3_reset(s);
	return 1;
}

int
sq_opkey_get(struct store_tx *tx, const char *id, struct store_opkey *out,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_opkey_get);

	if (sq_bind_text(s, 1, id) != SQLITE_OK)
		return sq_fail(tx, SQLITE_NOMEM, err);
	return opkey_get_one(tx, s, out, err);
}

int
sq_opkey_get_by_name(struct store_tx *tx, const char *name,
    struct store_opkey *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_opkey_get_by_name);

	if (sq_bind_text(s, 1, name) != SQLITE_OK)
		return sq_fail(tx, SQLITE_NOMEM, err);
	return opkey_get_one(tx, s, out, err);
}

int
sq_opkey_list(struct store_tx *tx,
    int (*fn)(void *arg, const struct store_opkey *k), void *arg,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_opkey_list);
	struct store_opkey k;
	int rc = SQLITE_DONE, stop = 0;

	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (opkey_from_row(s, &k) == -1) {
			log_warnx("store: operator key %s: sealed secret of "
			    "a wrong size; not listed", sq_col_text(s, 0));
			continue;
		}
		stop = fn(arg, &k);
		store_opkey_release(&k);
	}
	if (!stop && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	sqlite3_reset(s);
	return 0;
}

int
sq_opkey_revoke(struct store_tx *tx, const char *which, int64_t now,
    enum store_opkey_revoke *result, struct store_opkey *out,
    struct err *err)
{
	struct store_opkey k;
	sqlite3_stmt *s;
	int rc;

	*result = STORE_OPKEY_UNKNOWN;
	rc = sq_opkey_get_by_name(tx, which, &k, err);
	if (rc == 0)
		rc = sq_opkey_get(tx, which, &k, err);
	if (rc <= 0)
		return rc;
	s = sq_stmt(tx, sql_opkey_revoke);
	sq_bind_text(s, 1, k.access_key_id);
	sqlite3_bind_int64(s, 2, now);
	if (sq_exec_stmt(tx, s, err) == -1)
		goto fail;
	if (sqlite3_changes(sq_db(tx)) == 0) {
		*result = STORE_OPKEY_WAS_REVOKED;
	} else {
		if (sq_authz_bump(tx, err) == -1)
			goto fail;
		*result = STORE_OPKEY_NOW_REVOKED;
		snprintf(k.status, sizeof(k.status), "%s",
		    STORE_OPKEY_REVOKED);
		k.revoked_at = now;
	}
	if (out != NULL)
		*out = k;
	else
		store_opkey_release(&k);
	return 0;
fail:
	store_opkey_release(&k);
	return -1;
}
