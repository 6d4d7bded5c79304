/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of store_identity.h: the reads behind
 * authentication and authorization, and the generation counter.
 */
#include "store_identity.h"

#include <stdio.h>
#include <string.h>

#include "pg_int.h"

static const char sql_bump[] =
    "UPDATE authz_state SET generation = generation + 1 WHERE id = 1";

static const char sql_generation[] =
    "SELECT generation FROM authz_state WHERE id = 1";

static const char sql_cert_auth[] =
    "SELECT c.status, coalesce(c.ca_certificate_id, ''),"
    " coalesce(a.status, ''), c.common_name, c.not_before, c.not_after"
    " FROM certificates c LEFT JOIN ca_certificates a"
    " ON a.certificate_id = c.ca_certificate_id"
    " WHERE c.certificate_id = $1";

static const char sql_principal_things[] =
    "SELECT thing_name FROM thing_principals WHERE principal = $1"
    " ORDER BY thing_name";

static const char sql_target_docs[] =
    "SELECT v.document FROM policy_targets t"
    " JOIN policies p ON p.name = t.policy_name"
    " JOIN policy_versions v ON v.policy_name = p.name"
    " AND v.version_id = p.default_version"
    " WHERE t.target = $1 ORDER BY p.name";

int
pg_authz_bump(struct store_tx *tx, struct err *err)
{
	return pg_exec(tx, sql_bump, NULL, err);
}

int
pg_authz_generation(struct store_tx *tx, int64_t *gen, struct err *err)
{
	return pg_count(tx, sql_generation, NULL, gen, err);
}

int
pg_cert_auth_get(struct store_tx *tx, const char *id,
    struct store_cert_auth *out, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	memset(out, 0, sizeof(*out));
	pg_arg_text(&a, id);
	rc = pg_row(tx, sql_cert_auth, &a, &r, err);
	if (rc != 1)
		return rc;
	snprintf(out->status, sizeof(out->status), "%s", pg_col(r, 0, 0));
	snprintf(out->ca_id, sizeof(out->ca_id), "%s", pg_col(r, 0, 1));
	snprintf(out->ca_status, sizeof(out->ca_status), "%s",
	    pg_col(r, 0, 2));
	snprintf(out->common_name, sizeof(out->common_name), "%s",
	    pg_col(r, 0, 3));
	out->not_before = pg_col_int(r, 0, 4);
	out->not_after = pg_col_int(r, 0, 5);
	PQclear(r);
	return 1;
}

int
pg_principal_things(struct store_tx *tx, const char *principal,
    json_t *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, principal);
	return pg_texts(tx, sql_principal_things, &a, out, err);
}

int
pg_target_policy_docs(struct store_tx *tx, const char *target,
    json_t *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, target);
	return pg_texts(tx, sql_target_docs, &a, out, err);
}
