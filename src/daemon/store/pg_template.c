/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of the custom job templates (store_template.h): one
 * row of job_templates per template, its configuration a JSON object kept
 * as text, listed in creation order by the identity column.
 */
#include "store_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "xmalloc.h"

static const char sql_template_get[] =
    "SELECT description, document, config, created_at FROM job_templates"
    " WHERE template_id = $1";

static const char sql_template_insert[] =
    "INSERT INTO job_templates (template_id, description, document, config,"
    " created_at) VALUES ($1, $2, $3, $4, $5)";

static const char sql_template_delete[] =
    "DELETE FROM job_templates WHERE template_id = $1";

/* The primary key, in creation order; one row more tells if more exist. */
static const char sql_template_list[] =
    "SELECT id, template_id, description, created_at FROM job_templates"
    " WHERE id > $1 ORDER BY id LIMIT $2";

static void
template_from_row(const PGresult *r, const char *id,
    struct store_template *t)
{
	json_t *cfg;

	memset(t, 0, sizeof(*t));
	snprintf(t->template_id, sizeof(t->template_id), "%s", id);
	t->description = xstrdup(pg_col(r, 0, 0));
	if (!pg_col_null(r, 0, 1))
		t->document = xstrdup(pg_col(r, 0, 1));
	cfg = json_loads(pg_col(r, 0, 2), 0, NULL);
	if (!json_is_object(cfg)) {
		json_decref(cfg);
		cfg = json_object();
	}
	t->config = cfg;
	t->created_at = pg_col_int(r, 0, 3);
}

int
pg_template_get(struct store_tx *tx, const char *id,
    struct store_template *out, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, id);
	rc = pg_row(tx, sql_template_get, &a, &r, err);
	if (rc == 1 && out != NULL)
		template_from_row(r, id, out);
	PQclear(r);
	return rc;
}

int
pg_template_insert(struct store_tx *tx, const struct store_template *t,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *cfg = json_dumps(t->config, JSON_COMPACT);
	int rc;

	pg_arg_text(&a, t->template_id);
	pg_arg_text(&a, t->description);
	pg_arg_text(&a, t->document);
	pg_arg_text(&a, cfg != NULL ? cfg : "{}");
	pg_arg_int(&a, t->created_at);
	rc = pg_exec(tx, sql_template_insert, &a, err);
	free(cfg);
	return rc;
}

int
pg_template_delete(struct store_tx *tx, const char *id, struct err *err)
{
	struct pg_args a = { 0 };
	int64_t n;

	pg_arg_text(&a, id);
	if (pg_exec_n(tx, sql_template_delete, &a, &n, err) == -1)
		return -1;
	return n > 0 ? 1 : 0;
}

int
pg_template_list(struct store_tx *tx, int64_t after, int limit,
    struct store_template_summary *out, int *n, int64_t *next,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int i, rows;

	*n = 0;
	*next = 0;
	pg_arg_int(&a, after);
	pg_arg_int(&a, (int64_t)limit + 1);
	if ((r = pg_query(tx, sql_template_list, &a, err)) == NULL)
		return -1;
	rows = PQntuples(r);
	for (i = 0; i < rows; i++) {
		struct store_template_summary *s;

		if (i == limit) {
			*next = pg_col_int(r, i - 1, 0);
			break;
		}
		s = &out[i];
		snprintf(s->template_id, sizeof(s->template_id), "%s",
		    pg_col(r, i, 1));
		s->description = xstrdup(pg_col(r, i, 2));
		s->created_at = pg_col_int(r, i, 3);
		(*n)++;
	}
	PQclear(r);
	return 0;
}
