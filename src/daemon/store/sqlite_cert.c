/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of store_cert.h: the certificates and ca_certificates
 * rows of schema 0012 (with 0013's tags and indexes), the registration
 * code, and the attachment counts DeleteCertificate needs. Listings are
 * keyset pages over (created_at, certificate_id).
 */
#include "store_cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "xmalloc.h"

static const char sql_cert_get[] =
    "SELECT pem, status, coalesce(ca_certificate_id, ''), mode,"
    " common_name, not_before, not_after, customer_version, generation_id,"
    " created_at, modified_at FROM certificates WHERE certificate_id = ?1";

static const char sql_cert_insert[] =
    "INSERT INTO certificates (certificate_id, pem, status,"
    " ca_certificate_id, mode, common_name, not_before, not_after,"
    " customer_version, generation_id, created_at, modified_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

static const char sql_cert_update[] =
    "UPDATE certificates SET status = ?2, customer_version = ?3,"
    " generation_id = ?4, modified_at = ?5 WHERE certificate_id = ?1";

static const char sql_cert_delete[] =
    "DELETE FROM certificates WHERE certificate_id = ?1";

/* Indexes thing_principals_principal and policy_targets_target. */
static const char sql_cert_attached[] =
    "SELECT (SELECT count(*) FROM thing_principals WHERE principal = ?1),"
    " (SELECT count(*) FROM policy_targets WHERE target = ?1)";

static const char sql_cert_detach[] =
    "DELETE FROM policy_targets WHERE target = ?1";

/* Index certificates_created; certificates_ca_created with a CA (0013). */
#define CERT_COLS "SELECT certificate_id, status, mode, created_at" \
    " FROM certificates"
static const char sql_cert_list_asc[] = CERT_COLS
    " WHERE (created_at, certificate_id) > (?1, ?2)"
    " ORDER BY created_at, certificate_id LIMIT ?3";
static const char sql_cert_list_desc[] = CERT_COLS
    " WHERE (created_at, certificate_id) < (?1, ?2)"
    " ORDER BY created_at DESC, certificate_id DESC LIMIT ?3";
static const char sql_cert_list_ca_asc[] = CERT_COLS
    " WHERE ca_certificate_id = ?4 AND (created_at, certificate_id) >"
    " (?1, ?2) ORDER BY created_at, certificate_id LIMIT ?3";
static const char sql_cert_list_ca_desc[] = CERT_COLS
    " WHERE ca_certificate_id = ?4 AND (created_at, certificate_id) <"
    " (?1, ?2) ORDER BY created_at DESC, certificate_id DESC LIMIT ?3";

static const char sql_ca_get[] =
    "SELECT pem, status, auto_registration, mode, registration_config,"
    " subject, not_before, not_after, customer_version, generation_id,"
    " created_at, modified_at, tags FROM ca_certificates"
    " WHERE certificate_id = ?1";

static const char sql_ca_insert[] =
    "INSERT INTO ca_certificates (certificate_id, pem, status,"
    " auto_registration, mode, registration_config, subject, not_before,"
    " not_after, customer_version, generation_id, created_at, modified_at,"
    " tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    " ?13, ?14)";

static const char sql_ca_update[] =
    "UPDATE ca_certificates SET status = ?2, auto_registration = ?3,"
    " registration_config = ?4, customer_version = ?5, generation_id = ?6,"
    " modified_at = ?7 WHERE certificate_id = ?1";

static const char sql_ca_delete[] =
    "DELETE FROM ca_certificates WHERE certificate_id = ?1";

/* Index ca_certificates_subject. */
static const char sql_ca_by_subject[] =
    "SELECT certificate_id FROM ca_certificates WHERE subject = ?1"
    " AND (?2 IS NULL OR status = ?2) ORDER BY certificate_id";

/* Index ca_certificates_created (0013). */
#define CA_COLS "SELECT certificate_id, status, created_at" \
    " FROM ca_certificates"
#define CA_TEMPLATE " AND (?4 IS NULL OR" \
    " json_extract(registration_config, '$.templateName') = ?4)"
static const char sql_ca_list_asc[] = CA_COLS
    " WHERE (created_at, certificate_id) > (?1, ?2)" CA_TEMPLATE
    " ORDER BY created_at, certificate_id LIMIT ?3";
static const char sql_ca_list_desc[] = CA_COLS
    " WHERE (created_at, certificate_id) < (?1, ?2)" CA_TEMPLATE
    " ORDER BY created_at DESC, certificate_id DESC LIMIT ?3";

static const char sql_regcode_get[] =
    "SELECT code FROM registration_code WHERE id = 1";
static const char sql_regcode_put[] =
    "INSERT OR REPLACE INTO registration_code (id, code, created_at)"
    " VALUES (1, ?1, ?2)";
static const char sql_regcode_delete[] =
    "DELETE FROM registration_code";

static void
col_copy(char *dst, size_t size, sqlite3_stmt *s, int i)
{
	snprintf(dst, size, "%s", sq_col_text(s, i));
}

/* Column I as a JSON value of TYPE, or NULL (SQL NULL, or not TYPE). */
static json_t *
col_json(sqlite3_stmt *s, int i, json_type type)
{
	json_t *j;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	j = json_loads(sq_col_text(s, i), 0, NULL);
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

/* Steps S (bound) once: 1 with a row left for reading, 0, or -1. */
static int
step_one(struct store_tx *tx, sqlite3_stmt *s, struct err *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	return sq_fail(tx, rc, err);
}

int
sq_cert_get(struct store_tx *tx, const char *id, struct store_cert *out,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cert_get);
	int rc;

	sq_bind_text(s, 1, id);
	rc = step_one(tx, s, err);
	if (rc != 1 || out == NULL) {
		if (rc == 1)
			sqlite3_reset(s);
		return rc;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	out->pem = xstrdup(sq_col_text(s, 0));
	col_copy(out->status, sizeof(out->status), s, 1);
	col_copy(out->ca_id, sizeof(out->ca_id), s, 2);
	col_copy(out->mode, sizeof(out->mode), s, 3);
	col_copy(out->common_name, sizeof(out->common_name), s, 4);
	out->not_before = sqlite3_column_int64(s, 5);
	out->not_after = sqlite3_column_int64(s, 6);
	out->customer_version = sqlite3_column_int64(s, 7);
	col_copy(out->generation_id, sizeof(out->generation_id), s, 8);
	out->created_at = sqlite3_column_int64(s, 9);
	out->modified_at = sqlite3_column_int64(s, 10);
	sqlite3_reset(s);
	return 1;
}

int
sq_cert_insert(struct store_tx *tx, const struct store_cert *c,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cert_insert);

	sq_bind_text(s, 1, c->id);
	sq_bind_text(s, 2, c->pem);
	sq_bind_text(s, 3, c->status);
	sq_bind_text(s, 4, c->ca_id[0] != '\0' ? c->ca_id : NULL);
	sq_bind_text(s, 5, c->mode);
	sq_bind_text(s, 6, c->common_name);
	sqlite3_bind_int64(s, 7, c->not_before);
	sqlite3_bind_int64(s, 8, c->not_after);
	sqlite3_bind_int64(s, 9, c->customer_version);
	sq_bind_text(s, 10, c->generation_id);
	sqlite3_bind_int64(s, 11, c->created_at);
	sqlite3_bind_int64(s, 12, c->modified_at);
	return sq_exec_stmt(tx, s, err);
}

int
sq_cert_update(struct store_tx *tx, const struct store_cert *c,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cert_update);

	sq_bind_text(s, 1, c->id);
	sq_bind_text(s, 2, c->status);
	sqlite3_bind_int64(s, 3, c->customer_version);
	sq_bind_text(s, 4, c->generation_id);
	sqlite3_bind_int64(s, 5, c->modified_at);
	return sq_exec_stmt(tx, s, err);
}

int
sq_cert_delete(struct store_tx *tx, const char *id, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cert_delete);

	sq_bind_text(s, 1, id);
	return sq_exec_stmt(tx, s, err);
}

int
sq_cert_attached(struct store_tx *tx, const char *arn, int64_t *things,
    int64_t *policies, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cert_attached);
	int rc;

	sq_bind_text(s, 1, arn);
	rc = step_one(tx, s, err);
	if (rc == -1)
		return -1;
	*things = rc == 1 ? sqlite3_column_int64(s, 0) : 0;
	*policies = rc == 1 ? sqlite3_column_int64(s, 1) : 0;
	sqlite3_reset(s);
	return 0;
}

int
sq_cert_detach_policies(struct store_tx *tx, const char *arn,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cert_detach);

	sq_bind_text(s, 1, arn);
	return sq_exec_stmt(tx, s, err);
}

/* Binds the page PG of statement S: ?1, ?2 the key, ?3 the limit + 1. */
static void
page_bind(sqlite3_stmt *s, const struct store_cert_page *pg)
{
	if (pg->has_after) {
		sqlite3_bind_int64(s, 1, pg->after_at);
		sq_bind_text(s, 2, pg->after_id);
	} else {
		/* Before or after every row of the order. */
		sqlite3_bind_int64(s, 1, pg->ascending ? INT64_MIN :
		    INT64_MAX);
		sq_bind_text(s, 2, pg->ascending ? "" : "~");
	}
	sqlite3_bind_int(s, 3, pg->limit + 1);
}

/* What list_row()'s ARG points to: a certificate's columns or a CA's. */
static const bool cert_columns = true, ca_columns = false;

/*
 * The list item of a row of S: the certificate columns (with
 * certificateMode) when ARG points to true, else a CA's.
 */
static json_t *
list_row(sqlite3_stmt *s, const void *arg)
{
	bool cert = *(const bool *)arg;
	json_t *o;

	o = json_pack("{s:s, s:s}", "certificateId", sq_col_text(s, 0),
	    "status", sq_col_text(s, 1));
	if (cert)
		json_object_set_new(o, "certificateMode",
		    json_string(sq_col_text(s, 2)));
	json_object_set_new(o, "creationDate", json_integer(
	    sqlite3_column_int64(s, cert ? 3 : 2)));
	return o;
}

int
sq_cert_list(struct store_tx *tx, const char *ca_id,
    const struct store_cert_page *pg, json_t *out, bool *more,
    struct err *err)
{
	const char *sql;
	sqlite3_stmt *s;

	if (ca_id == NULL)
		sql = pg->ascending ? sql_cert_list_asc : sql_cert_list_desc;
	else
		sql = pg->ascending ? sql_cert_list_ca_asc :
		    sql_cert_list_ca_desc;
	s = sq_stmt(tx, sql);
	page_bind(s, pg);
	if (ca_id != NULL)
		sq_bind_text(s, 4, ca_id);
	return sq_page(tx, s, pg->limit, list_row, &cert_columns, out, more,
	    err);
}

int
sq_ca_get(struct store_tx *tx, const char *id, struct store_ca *out,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_ca_get);
	int rc;

	sq_bind_text(s, 1, id);
	rc = step_one(tx, s, err);
	if (rc != 1 || out == NULL) {
		if (rc == 1)
			sqlite3_reset(s);
		return rc;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	out->pem = xstrdup(sq_col_text(s, 0));
	col_copy(out->status, sizeof(out->status), s, 1);
	col_copy(out->auto_registration, sizeof(out->auto_registration), s,
	    2);
	col_copy(out->mode, sizeof(out->mode), s, 3);
	out->registration_config = col_json(s, 4, JSON_OBJECT);
	out->subject = xstrdup(sq_col_text(s, 5));
	out->not_before = sqlite3_column_int64(s, 6);
	out->not_after = sqlite3_column_int64(s, 7);
	out->customer_version = sqlite3_column_int64(s, 8);
	col_copy(out->generation_id, sizeof(out->generation_id), s, 9);
	out->created_at = sqlite3_column_int64(s, 10);
	out->modified_at = sqlite3_column_int64(s, 11);
	out->tags = col_json(s, 12, JSON_ARRAY);
	sqlite3_reset(s);
	return 1;
}

int
sq_ca_insert(struct store_tx *tx, const struct store_ca *c,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_ca_insert);
	char *cfg = json_text(c->registration_config);
	char *tags = json_text(c->tags);
	int rc;

	sq_bind_text(s, 1, c->id);
	sq_bind_text(s, 2, c->pem);
	sq_bind_text(s, 3, c->status);
	sq_bind_text(s, 4, c->auto_registration);
	sq_bind_text(s, 5, c->mode);
	sq_bind_text(s, 6, cfg);
	sq_bind_text(s, 7, c->subject);
	sqlite3_bind_int64(s, 8, c->not_before);
	sqlite3_bind_int64(s, 9, c->not_after);
	sqlite3_bind_int64(s, 10, c->customer_version);
	sq_bind_text(s, 11, c->generation_id);
	sqlite3_bind_int64(s, 12, c->created_at);
	sqlite3_bind_int64(s, 13, c->modified_at);
	sq_bind_text(s, 14, tags);
	rc = sq_exec_stmt(tx, s, err);
	free(cfg);
	free(tags);
	return rc;
}

int
sq_ca_update(struct store_tx *tx, const struct store_ca *c,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_ca_update);
	char *cfg = json_text(c->registration_config);
	int rc;

	sq_bind_text(s, 1, c->id);
	sq_bind_text(s, 2, c->status);
	sq_bind_text(s, 3, c->auto_registration);
	sq_bind_text(s, 4, cfg);
	sqlite3_bind_int64(s, 5, c->customer_version);
	sq_bind_text(s, 6, c->generation_id);
	sqlite3_bind_int64(s, 7, c->modified_at);
	rc = sq_exec_stmt(tx, s, err);
	free(cfg);
	return rc;
}

int
sq_ca_delete(struct store_tx *tx, const char *id, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_ca_delete);

	sq_bind_text(s, 1, id);
	return sq_exec_stmt(tx, s, err);
}

int
sq_ca_by_subject(struct store_tx *tx, const char *subject,
    const char *status, json_t *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_ca_by_subject);

	sq_bind_text(s, 1, subject);
	sq_bind_text(s, 2, status);
	return sq_texts(tx, s, out, err);
}

int
sq_ca_list(struct store_tx *tx, const char *template_name,
    const struct store_cert_page *pg, json_t *out, bool *more,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, pg->ascending ? sql_ca_list_asc :
	    sql_ca_list_desc);

	page_bind(s, pg);
	sq_bind_text(s, 4, template_name);
	return sq_page(tx, s, pg->limit, list_row, &ca_columns, out, more,
	    err);
}

int
sq_regcode_get(struct store_tx *tx, char code[STORE_REGCODE_LEN + 1],
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_regcode_get);
	int rc = step_one(tx, s, err);

	code[0] = '\0';
	if (rc != 1)
		return rc;
	snprintf(code, STORE_REGCODE_LEN + 1, "%s", sq_col_text(s, 0));
	sqlite3_reset(s);
	return 1;
}

int
sq_regcode_put(struct store_tx *tx, const char *code, int64_t now,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_regcode_put);

	sq_bind_text(s, 1, code);
	sqlite3_bind_int64(s, 2, now);
	return sq_exec_stmt(tx, s, err);
}

int
sq_regcode_delete(struct store_tx *tx, struct err *err)
{
	return sq_exec_stmt(tx, sq_stmt(tx, sql_regcode_delete), err);
}
