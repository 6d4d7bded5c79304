/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the custom job templates (store_template.h, schema
 * 0006): one row per template, its configuration a JSON object.
 */
#include "store_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "xmalloc.h"

static const char sql_template_get[] =
    "SELECT description, document, config, created_at FROM job_templates"
    " WHERE template_id = ?1";

static const char sql_template_insert[] =
    "INSERT INTO job_templates (template_id, description, document, config,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5)";

static const char sql_template_delete[] =
    "DELETE FROM job_templates WHERE template_id = ?1";

/* The primary key, in creation order; one row more tells if more exist. */
static const char sql_template_list[] =
    "SELECT id, template_id, description, created_at FROM job_templates"
    " WHERE id > ?1 ORDER BY id LIMIT ?2";

static void
template_from_row(sqlite3_stmt *s, const char *id, struct store_template *t)
{
	json_t *cfg;

	memset(t, 0, sizeof(*t));
	snprintf(t->template_id, sizeof(t->template_id), "%s", id);
	t->description = xstrdup(sq_col_text(s, 0));
	if (sqlite3_column_type(s, 1) != SQLITE_NULL)
		t->document = xstrdup(sq_col_text(s, 1));
	cfg = json_loads(sq_col_text(s, 2), 0, NULL);
	if (!json_is_object(cfg)) {
		json_decref(cfg);
		cfg = json_object();
	}
	t->config = cfg;
	t->created_at = sqlite3_column_int64(s, 3);
}

int
sq_template_get(struct store_tx *tx, const char *id,
    struct store_template *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_template_get);
	int rc;

	sq_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && out != NULL)
		template_from_row(s, id, out);
	return sq_found(tx, s, rc, err);
}

int
sq_template_insert(struct store_tx *tx, const struct store_template *t,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_template_insert);
	char *cfg = json_dumps(t->config, JSON_COMPACT);
	int rc;

	sq_bind_text(s, 1, t->template_id);
	sq_bind_text(s, 2, t->description);
	sq_bind_text(s, 3, t->document);
	sq_bind_text(s, 4, cfg != NULL ? cfg : "{}");
	sqlite3_bind_int64(s, 5, t->created_at);
	rc = sq_exec_stmt(tx, s, err);
	free(cfg);
	return rc;
}

int
sq_template_delete(struct store_tx *tx, const char *id, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_template_delete);

	sq_bind_text(s, 1, id);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	return sqlite3_changes(sq_db(tx)) > 0 ? 1 : 0;
}

int
sq_template_list(struct store_tx *tx, int64_t after, int limit,
    struct store_template_summary *out, int *n, int64_t *next,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_template_list);
	int64_t last = 0;
	int rc;

	*n = 0;
	*next = 0;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_template_summary *r;

		if (*n == limit) {
			*next = last;
			break;
		}
		r = &out[*n];
		last = sqlite3_column_int64(s, 0);
		snprintf(r->template_id, sizeof(r->template_id), "%s",
		    sq_col_text(s, 1));
		r->description = xstrdup(sq_col_text(s, 2));
		r->created_at = sqlite3_column_int64(s, 3);
		(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		while (*n > 0)
			free(out[--(*n)].description);
		return sq_fail(tx, rc, err);
	}
	return 0;
}
