/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of store_cert.h: the certificates and ca_certificates
 * rows, the registration code, and the attachment counts
 * DeleteCertificate needs. Listings are keyset pages over (created_at,
 * certificate_id), as in sqlite_cert.c.
 */
#include "store_cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "xmalloc.h"

static const char sql_cert_get[] =
    "SELECT pem, status, coalesce(ca_certificate_id, ''), mode,"
    " common_name, not_before, not_after, customer_version, generation_id,"
    " created_at, modified_at FROM certificates WHERE certificate_id = $1";

static const char sql_cert_insert[] =
    "INSERT INTO certificates (certificate_id, pem, status,"
    " ca_certificate_id, mode, common_name, not_before, not_after,"
    " customer_version, generation_id, created_at, modified_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

static const char sql_cert_update[] =
    "UPDATE certificates SET status = $2, customer_version = $3,"
    " generation_id = $4, modified_at = $5 WHERE certificate_id = $1";

static const char sql_cert_delete[] =
    "DELETE FROM certificates WHERE certificate_id = $1";

/* Indexes thing_principals_principal and policy_targets_target. */
static const char sql_cert_attached[] =
    "SELECT (SELECT count(*) FROM thing_principals WHERE principal = $1),"
    " (SELECT count(*) FROM policy_targets WHERE target = $1)";

static const char sql_cert_detach[] =
    "DELETE FROM policy_targets WHERE target = $1";

/* Index certificates_created; certificates_ca_created with a CA. */
#define CERT_COLS "SELECT certificate_id, status, mode, created_at" \
    " FROM certificates"
static const char sql_cert_list_asc[] = CERT_COLS
    " WHERE (created_at, certificate_id) > ($1, $2)"
    " ORDER BY created_at, certificate_id LIMIT $3";
static const char sql_cert_list_desc[] = CERT_COLS
    " WHERE (created_at, certificate_id) < ($1, $2)"
    " ORDER BY created_at DESC, certificate_id DESC LIMIT $3";
static const char sql_cert_list_ca_asc[] = CERT_COLS
    " WHERE ca_certificate_id = $4 AND (created_at, certificate_id) >"
    " ($1, $2) ORDER BY created_at, certificate_id LIMIT $3";
static const char sql_cert_list_ca_desc[] = CERT_COLS
    " WHERE ca_certificate_id = $4 AND (created_at, certificate_id) <"
    " ($1, $2) ORDER BY created_at DESC, certificate_id DESC LIMIT $3";

static const char sql_ca_get[] =
    "SELECT pem, status, auto_registration, mode, registration_config,"
    " subject, not_before, not_after, customer_version, generation_id,"
    " created_at, modified_at, tags FROM ca_certificates"
    " WHERE certificate_id = $1";

static const char sql_ca_insert[] =
    "INSERT INTO ca_certificates (certificate_id, pem, status,"
    " auto_registration, mode, registration_config, subject, not_before,"
    " not_after, customer_version, generation_id, created_at, modified_at,"
    " tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
    " $13, $14)";

static const char sql_ca_update[] =
    "UPDATE ca_certificates SET status = $2, auto_registration = $3,"
    " registration_config = $4, customer_version = $5, generation_id = $6,"
    " modified_at = $7 WHERE certificate_id = $1";

static const char sql_ca_delete[] =
    "DELETE FROM ca_certificates WHERE certificate_id = $1";

/* Index ca_certificates_subject. */
static const char sql_ca_by_subject[] =
    "SELECT certificate_id FROM ca_certificates WHERE subject = $1"
    " AND ($2::text IS NULL OR status = $2) ORDER BY certificate_id";

/*
 * Index ca_certificates_created. The registration configuration is JSON
 * text the store wrote itself (json_text()), so the cast cannot fail.
 */
#define CA_COLS "SELECT certificate_id, status, created_at" \
    " FROM ca_certificates"
#define CA_TEMPLATE " AND ($4::text IS NULL OR" \
    " registration_config::json ->> 'templateName' = $4)"
static const char sql_ca_list_asc[] = CA_COLS
    " WHERE (created_at, certificate_id) > ($1, $2)" CA_TEMPLATE
    " ORDER BY created_at, certificate_id LIMIT $3";
static const char sql_ca_list_desc[] = CA_COLS
    " WHERE (created_at, certificate_id) < ($1, $2)" CA_TEMPLATE
    " ORDER BY created_at DESC, certificate_id DESC LIMIT $3";

static const char sql_regcode_get[] =
    "SELECT code FROM registration_code WHERE id = 1";
static const char sql_regcode_put[] =
    "INSERT INTO registration_code (id, code, created_at)"
    " VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE"
    " SET code = excluded.code, created_at = excluded.created_at";
static const char sql_regcode_delete[] =
    "DELETE FROM registration_code";

static void
col_copy(char *dst, size_t size, const PGresult *r, int col)
{
	snprintf(dst, size, "%s", pg_col(r, 0, col));
}

/* Column COL as a JSON value of TYPE, or NULL (SQL NULL, or not TYPE). */
static json_t *
col_json(const PGresult *r, int col, json_type type)
{
	json_t *j;

	if (pg_col_null(r, 0, col))
		return NULL;
	j = json_loads(pg_col(r, 0, col), 0, NULL);
	if (j != NULL && json_typeof(j) != type) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* J as compact text for a column (NULL for NULL); caller frees. */
static char *
json_text(const json_t *j)
{
	return j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
}

/* Runs the statement SQL whose only parameter is the id ID. */
static int
exec_id(struct store_tx *tx, const char *sql, const char *id,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, id);
	return pg_exec(tx, sql, &a, err);
}

int
pg_cert_get(struct store_tx *tx, const char *id, struct store_cert *out,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, id);
	rc = pg_row(tx, sql_cert_get, &a, &r, err);
	if (rc != 1 || out == NULL) {
		PQclear(r);
		return rc;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	out->pem = xstrdup(pg_col(r, 0, 0));
	col_copy(out->status, sizeof(out->status), r, 1);
	col_copy(out->ca_id, sizeof(out->ca_id), r, 2);
	col_copy(out->mode, sizeof(out->mode), r, 3);
	col_copy(out->common_name, sizeof(out->common_name), r, 4);
	out->not_before = pg_col_int(r, 0, 5);
	out->not_after = pg_col_int(r, 0, 6);
	out->customer_version = pg_col_int(r, 0, 7);
	col_copy(out->generation_id, sizeof(out->generation_id), r, 8);
	out->created_at = pg_col_int(r, 0, 9);
	out->modified_at = pg_col_int(r, 0, 10);
	PQclear(r);
	return 1;
}

int
pg_cert_insert(struct store_tx *tx, const struct store_cert *c,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, c->id);
	pg_arg_text(&a, c->pem);
	pg_arg_text(&a, c->status);
	pg_arg_text(&a, c->ca_id[0] != '\0' ? c->ca_id : NULL);
	pg_arg_text(&a, c->mode);
	pg_arg_text(&a, c->common_name);
	pg_arg_int(&a, c->not_before);
	pg_arg_int(&a, c->not_after);
	pg_arg_int(&a, c->customer_version);
	pg_arg_text(&a, c->generation_id);
	pg_arg_int(&a, c->created_at);
	pg_arg_int(&a, c->modified_at);
	return pg_exec(tx, sql_cert_insert, &a, err);
}

int
pg_cert_update(struct store_tx *tx, const struct store_cert *c,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, c->id);
	pg_arg_text(&a, c->status);
	pg_arg_int(&a, c->customer_version);
	pg_arg_text(&a, c->generation_id);
	pg_arg_int(&a, c->modified_at);
	return pg_exec(tx, sql_cert_update, &a, err);
}

int
pg_cert_delete(struct store_tx *tx, const char *id, struct err *err)
{
	return exec_id(tx, sql_cert_delete, id, err);
}

int
pg_cert_attached(struct store_tx *tx, const char *arn, int64_t *things,
    int64_t *policies, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, arn);
	rc = pg_row(tx, sql_cert_attached, &a, &r, err);
	if (rc == -1)
		return -1;
	*things = rc == 1 ? pg_col_int(r, 0, 0) : 0;
	*policies = rc == 1 ? pg_col_int(r, 0, 1) : 0;
	PQclear(r);
	return 0;
}

int
pg_cert_detach_policies(struct store_tx *tx, const char *arn,
    struct err *err)
{
	return exec_id(tx, sql_cert_detach, arn, err);
}

/* The page PG as $1, $2 (the key) and $3 (the limit + 1) of A. */
static void
page_args(struct pg_args *a, const struct store_cert_page *pg)
{
	if (pg->has_after) {
		pg_arg_int(a, pg->after_at);
		pg_arg_text(a, pg->after_id);
	} else {
		/* Before or after every row of the order. */
		pg_arg_int(a, pg->ascending ? INT64_MIN : INT64_MAX);
		pg_arg_text(a, pg->ascending ? "" : "~");
	}
	pg_arg_int(a, pg->limit + 1);
}

/* What list_row()'s ARG points to: a certificate's columns or a CA's. */
static const bool cert_columns = true, ca_columns = false;

/*
 * The list item of row ROW of R: the certificate columns (with
 * certificateMode) when ARG points to true, else a CA's.
 */
static json_t *
list_row(PGresult *r, int row, const void *arg)
{
	bool cert = *(const bool *)arg;
	json_t *o;

	o = json_pack("{s:s, s:s}", "certificateId", pg_col(r, row, 0),
	    "status", pg_col(r, row, 1));
	if (cert)
		json_object_set_new(o, "certificateMode",
		    json_string(pg_col(r, row, 2)));
	json_object_set_new(o, "creationDate", json_integer(
	    pg_col_int(r, row, cert ? 3 : 2)));
	return o;
}

int
pg_cert_list(struct store_tx *tx, const char *ca_id,
    const struct store_cert_page *pg, json_t *out, bool *more,
    struct err *err)
{
	struct pg_args a = { 0 };
	const char *sql;

	if (ca_id == NULL)
		sql = pg->ascending ? sql_cert_list_asc : sql_cert_list_desc;
	else
		sql = pg->ascending ? sql_cert_list_ca_asc :
		    sql_cert_list_ca_desc;
	page_args(&a, pg);
	if (ca_id != NULL)
		pg_arg_text(&a, ca_id);
	return pg_page(tx, sql, &a, pg->limit, list_row, &cert_columns, out,
	    more, err);
}

int
pg_ca_get(struct store_tx *tx, const char *id, struct store_ca *out,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, id);
	rc = pg_row(tx, sql_ca_get, &a, &r, err);
	if (rc != 1 || out == NULL) {
		PQclear(r);
		return rc;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	out->pem = xstrdup(pg_col(r, 0, 0));
	col_copy(out->status, sizeof(out->status), r, 1);
	col_copy(out->auto_registration, sizeof(out->auto_registration), r,
	    2);
	col_copy(out->mode, sizeof(out->mode), r, 3);
	out->registration_config = col_json(r, 4, JSON_OBJECT);
	out->subject = xstrdup(pg_col(r, 0, 5));
	out->not_before = pg_col_int(r, 0, 6);
	out->not_after = pg_col_int(r, 0, 7);
	out->customer_version = pg_col_int(r, 0, 8);
	col_copy(out->generation_id, sizeof(out->generation_id), r, 9);
	out->created_at = pg_col_int(r, 0, 10);
	out->modified_at = pg_col_int(r, 0, 11);
	out->tags = col_json(r, 12, JSON_ARRAY);
	PQclear(r);
	return 1;
}

int
pg_ca_insert(struct store_tx *tx, const struct store_ca *c,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *cfg = json_text(c->registration_config);
	char *tags = json_text(c->tags);
	int rc;

	pg_arg_text(&a, c->id);
	pg_arg_text(&a, c->pem);
	pg_arg_text(&a, c->status);
	pg_arg_text(&a, c->auto_registration);
	pg_arg_text(&a, c->mode);
	pg_arg_text(&a, cfg);
	pg_arg_text(&a, c->subject);
	pg_arg_int(&a, c->not_before);
	pg_arg_int(&a, c->not_after);
	pg_arg_int(&a, c->customer_version);
	pg_arg_text(&a, c->generation_id);
	pg_arg_int(&a, c->created_at);
	pg_arg_int(&a, c->modified_at);
	pg_arg_text(&a, tags);
	rc = pg_exec(tx, sql_ca_insert, &a, err);
	free(cfg);
	free(tags);
	return rc;
}

int
pg_ca_update(struct store_tx *tx, const struct store_ca *c,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *cfg = json_text(c->registration_config);
	int rc;

	pg_arg_text(&a, c->id);
	pg_arg_text(&a, c->status);
	pg_arg_text(&a, c->auto_registration);
	pg_arg_text(&a, cfg);
	pg_arg_int(&a, c->customer_version);
	pg_arg_text(&a, c->generation_id);
	pg_arg_int(&a, c->modified_at);
	rc = pg_exec(tx, sql_ca_update, &a, err);
	free(cfg);
	return rc;
}

int
pg_ca_delete(struct store_tx *tx, const char *id, struct err *err)
{
	return exec_id(tx, sql_ca_delete, id, err);
}

int
pg_ca_by_subject(struct store_tx *tx, const char *subject,
    const char *status, json_t *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, subject);
	pg_arg_text(&a, status);
	return pg_texts(tx, sql_ca_by_subject, &a, out, err);
}

int
pg_ca_list(struct store_tx *tx, const char *template_name,
    const struct store_cert_page *pg, json_t *out, bool *more,
    struct err *err)
{
	struct pg_args a = { 0 };

	page_args(&a, pg);
	pg_arg_text(&a, template_name);
	return pg_page(tx, pg->ascending ? sql_ca_list_asc :
	    sql_ca_list_desc, &a, pg->limit, list_row, &ca_columns, out, more,
	    err);
}

int
pg_regcode_get(struct store_tx *tx, char code[STORE_REGCODE_LEN + 1],
    struct err *err)
{
	PGresult *r;
	int rc = pg_row(tx, sql_regcode_get, NULL, &r, err);

	code[0] = '\0';
	if (rc != 1)
		return rc;
	snprintf(code, STORE_REGCODE_LEN + 1, "%s", pg_col(r, 0, 0));
	PQclear(r);
	return 1;
}

int
pg_regcode_put(struct store_tx *tx, const char *code, int64_t now,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, code);
	pg_arg_int(&a, now);
	return pg_exec(tx, sql_regcode_put, &a, err);
}

int
pg_regcode_delete(struct store_tx *tx, struct err *err)
{
	return pg_exec(tx, sql_regcode_delete, NULL, err);
}
