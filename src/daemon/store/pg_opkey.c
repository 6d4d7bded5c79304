/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of the operator keys (store_opkey.h, table
 * operator_keys). The sealed secret is bytea; the name is UNIQUE, so a
 * revoked key keeps its name. The identity column id keeps the insertion
 * order that breaks ties of created_at in the list.
 */
#include "store_opkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "pg_int.h"
#include "store_identity.h"
#include "xmalloc.h"

#define OPKEY_COLS "access_key_id, name, sealed_secret, policy, status," \
    " created_at, coalesce(revoked_at, 0)"

/* A taken name or access key id inserts nothing. */
static const char sql_opkey_insert[] =
    "INSERT INTO operator_keys (access_key_id, name, sealed_secret, policy,"
    " status, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT DO NOTHING";

static const char sql_opkey_get[] =
    "SELECT " OPKEY_COLS " FROM operator_keys WHERE access_key_id = $1";

static const char sql_opkey_get_by_name[] =
    "SELECT " OPKEY_COLS " FROM operator_keys WHERE name = $1";

static const char sql_opkey_list[] =
    "SELECT " OPKEY_COLS " FROM operator_keys ORDER BY created_at, id";

/* $3: STORE_OPKEY_REVOKED. */
static const char sql_opkey_revoke[] =
    "UPDATE operator_keys SET status = $3, revoked_at = $2"
    " WHERE access_key_id = $1 AND status <> $3";

/* Fills K from row ROW of R (OPKEY_COLS); -1 on a malformed row. */
static int
opkey_from_row(const PGresult *r, int row, struct store_opkey *k)
{
	unsigned char *sealed;
	size_t n;

	memset(k, 0, sizeof(*k));
	sealed = pg_col_bytea(r, row, 2, &n);
	if (n > sizeof(k->sealed)) {
		OPENSSL_cleanse(sealed, n);
		free(sealed);
		return -1;
	}
	snprintf(k->access_key_id, sizeof(k->access_key_id), "%s",
	    pg_col(r, row, 0));
	snprintf(k->name, sizeof(k->name), "%s", pg_col(r, row, 1));
	if (n > 0)
		memcpy(k->sealed, sealed, n);
	k->sealed_len = n;
	if (sealed != NULL) {
		OPENSSL_cleanse(sealed, n);
		free(sealed);
	}
	k->policy = xstrdup(pg_col(r, row, 3));
	snprintf(k->status, sizeof(k->status), "%s", pg_col(r, row, 4));
	k->created_at = pg_col_int(r, row, 5);
	k->revoked_at = pg_col_int(r, row, 6);
	return 0;
}

int
pg_opkey_insert(struct store_tx *tx, const struct store_opkey *k,
    struct err *err)
{
	struct pg_args a = { 0 };
	int64_t n;

	pg_arg_text(&a, k->access_key_id);
	pg_arg_text(&a, k->name);
	pg_arg_bytea(&a, k->sealed, k->sealed_len);
	pg_arg_text(&a, k->policy);
	pg_arg_text(&a, STORE_OPKEY_ACTIVE);
	pg_arg_int(&a, k->created_at);
	if (pg_exec_n(tx, sql_opkey_insert, &a, &n, err) == -1)
		return -1;
	if (n == 0)
		return 0;
	return pg_authz_bump(tx, err) == -1 ? -1 : 1;
}

/* The one row of SQL with the parameter KEY into *OUT (may be NULL). */
static int
opkey_get_one(struct store_tx *tx, const char *sql, const char *key,
    struct store_opkey *out, struct err *err)
{
	struct pg_args a = { 0 };
	struct store_opkey tmp;
	PGresult *r;
	int rc;

	pg_arg_text(&a, key);
	if ((rc = pg_row(tx, sql, &a, &r, err)) != 1)
		return rc;
	if (opkey_from_row(r, 0, out != NULL ? out : &tmp) == -1) {
		err_set(err, ERR_INTERNAL_FAILURE, "operator key \"%s\": "
		    "sealed secret of a wrong size", pg_col(r, 0, 0));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	if (out == NULL)
		store_opkey_release(&tmp);
	return 1;
}

int
pg_opkey_get(struct store_tx *tx, const char *id, struct store_opkey *out,
    struct err *err)
{
	return opkey_get_one(tx, sql_opkey_get, id, out, err);
}

int
pg_opkey_get_by_name(struct store_tx *tx, const char *name,
    struct store_opkey *out, struct err *err)
{
	return opkey_get_one(tx, sql_opkey_get_by_name, name, out, err);
}

int
pg_opkey_list(struct store_tx *tx,
    int (*fn)(void *arg, const struct store_opkey *k), void *arg,
    struct err *err)
{
	struct store_opkey k;
	PGresult *r;
	int i, rows, stop = 0;

	if ((r = pg_query(tx, sql_opkey_list, NULL, err)) == NULL)
		return -1;
	rows = PQntuples(r);
	for (i = 0; i < rows && !stop; i++) {
		if (opkey_from_row(r, i, &k) == -1) {
			log_warnx("store: operator key %s: sealed secret of "
			    "a wrong size; not listed", pg_col(r, i, 0));
			continue;
		}
		stop = fn(arg, &k);
		store_opkey_release(&k);
	}
	PQclear(r);
	return 0;
}

int
pg_opkey_revoke(struct store_tx *tx, const char *which, int64_t now,
    enum store_opkey_revoke *result, struct store_opkey *out,
    struct err *err)
{
	struct pg_args a = { 0 };
	struct store_opkey k;
	int64_t n;
	int rc;

	*result = STORE_OPKEY_UNKNOWN;
	rc = pg_opkey_get_by_name(tx, which, &k, err);
	if (rc == 0)
		rc = pg_opkey_get(tx, which, &k, err);
	if (rc <= 0)
		return rc;
	pg_arg_text(&a, k.access_key_id);
	pg_arg_int(&a, now);
	pg_arg_text(&a, STORE_OPKEY_REVOKED);
	if (pg_exec_n(tx, sql_opkey_revoke, &a, &n, err) == -1)
		goto fail;
	if (n == 0) {
		*result = STORE_OPKEY_WAS_REVOKED;
	} else {
		if (pg_authz_bump(tx, err) == -1)
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
