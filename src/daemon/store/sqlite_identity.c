/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of store_identity.h (schema 0012): the reads behind
 * authentication and authorization, and the generation counter.
 */
#include "store_identity.h"

#include <stdio.h>
#include <string.h>

#include "sqlite_int.h"
#include "sqlite_plan.h"

static const char sql_bump[] =
    "UPDATE authz_state SET generation = generation + 1 WHERE id = 1";

static const char sql_generation[] =
    "SELECT generation FROM authz_state WHERE id = 1";

static const char sql_cert_auth[] =
    "SELECT c.status, coalesce(c.ca_certificate_id, ''),"
    " coalesce(a.status, ''), c.common_name, c.not_before, c.not_after"
    " FROM certificates c LEFT JOIN ca_certificates a"
    " ON a.certificate_id = c.ca_certificate_id"
    " WHERE c.certificate_id = ?1";

static const char sql_principal_things[] =
    "SELECT thing_name FROM thing_principals WHERE principal = ?1"
    " ORDER BY thing_name";

static const char sql_target_docs[] =
    "SELECT v.document FROM policy_targets t"
    " JOIN policies p ON p.name = t.policy_name"
    " JOIN policy_versions v ON v.policy_name = p.name"
    " AND v.version_id = p.default_version"
    " WHERE t.target = ?1 ORDER BY p.name";

/* Every read behind a device's authentication and authorization. */
const struct sq_plan_stmt sq_plan_identity[] = {
	SQ_PLAN(sql_generation, ""),
	SQ_PLAN(sql_cert_auth, ""),
	SQ_PLAN(sql_principal_things, ""),
	SQ_PLAN(sql_target_docs, ""),
	{ NULL, NULL, NULL },
};

int
sq_authz_bump(struct store_tx *tx, struct err *err)
{
	return sq_exec_stmt(tx, sq_stmt(tx, sql_bump), err);
}

int
sq_authz_generation(struct store_tx *tx, int64_t *gen, struct err *err)
{
	return sq_int64(tx, sq_stmt(tx, sql_generation), gen, err);
}

int
sq_cert_auth_get(struct store_tx *tx, const char *id,
    struct store_cert_auth *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cert_auth);
	int rc;

	memset(out, 0, sizeof(*out));
	if (sq_bind_text(s, 1, id) != SQLITE_OK)
		return sq_fail(tx, SQLITE_NOMEM, err);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	snprintf(out->status, sizeof(out->status), "%s", sq_col_text(s, 0));
	snprintf(out->ca_id, sizeof(out->ca_id), "%s", sq_col_text(s, 1));
	snprintf(out->ca_status, sizeof(out->ca_status), "%s",
	    sq_col_text(s, 2));
	snprintf(out->common_name, sizeof(out->common_name), "%s",
	    sq_col_text(s, 3));
	out->not_before = sqlite3_column_int64(s, 4);
	out->not_after = sqlite3_column_int64(s, 5);
	sqlite3_reset(s);
	return 1;
}

int
sq_principal_things(struct store_tx *tx, const char *principal,
    json_t *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_principal_things);

	if (sq_bind_text(s, 1, principal) != SQLITE_OK)
		return sq_fail(tx, SQLITE_NOMEM, err);
	return sq_texts(tx, s, out, err);
}

int
sq_target_policy_docs(struct store_tx *tx, const char *target,
    json_t *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_target_docs);

	if (sq_bind_text(s, 1, target) != SQLITE_OK)
		return sq_fail(tx, SQLITE_NOMEM, err);
	return sq_texts(tx, s, out, err);
}
