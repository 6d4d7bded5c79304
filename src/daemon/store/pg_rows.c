/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parameter and result helpers every table of the PostgreSQL backend
 * shares (pg_int.h): building a statement's parameters, single-row
 * lookups, counts, lists of one column, pages of a listing.
 */
#include "pg_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int
pg_arg_slot(struct pg_args *a)
{
	if (a->n == PG_ARGS_MAX)
		fatalx("store: more than %d statement parameters",
		    PG_ARGS_MAX);
	a->len[a->n] = 0;
	a->fmt[a->n] = 0;
	return a->n++;
}

void
pg_arg_text(struct pg_args *a, const char *s)
{
	a->v[pg_arg_slot(a)] = s;
}

void
pg_arg_null(struct pg_args *a)
{
	a->v[pg_arg_slot(a)] = NULL;
}

void
pg_arg_int(struct pg_args *a, int64_t v)
{
	int i = pg_arg_slot(a);

	snprintf(a->num[i], sizeof(a->num[i]), "%" PRId64, v);
	a->v[i] = a->num[i];
}

void
pg_arg_bool(struct pg_args *a, bool v)
{
	a->v[pg_arg_slot(a)] = v ? "true" : "false";
}

void
pg_arg_real(struct pg_args *a, double v)
{
	int i = pg_arg_slot(a);

	/* %.17g: every double reads back as itself. */
	snprintf(a->num[i], sizeof(a->num[i]), "%.17g", v);
	a->v[i] = a->num[i];
}

void
pg_arg_bytea(struct pg_args *a, const void *data, size_t len)
{
	int i = pg_arg_slot(a);

	a->v[i] = data;
	a->len[i] = (int)len;
	a->fmt[i] = data != NULL ? 1 : 0;
}

int
pg_exec(struct store_tx *tx, const char *sql, const struct pg_args *a,
    struct err *err)
{
	PGresult *r = pg_query(tx, sql, a, err);

	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int
pg_exec_n(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int64_t *changed, struct err *err)
{
	PGresult *r = pg_query(tx, sql, a, err);

	if (r == NULL)
		return -1;
	*changed = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

int
pg_count(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int64_t *n, struct err *err)
{
	PGresult *r = pg_query(tx, sql, a, err);

	if (r == NULL)
		return -1;
	if (PQntuples(r) < 1) {
		PQclear(r);
		log_warnx("store: a count returned no row: %s", sql);
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "internal store error: a count returned no row");
	}
	*n = pg_col_int(r, 0, 0);
	PQclear(r);
	return 0;
}

int
pg_row(struct store_tx *tx, const char *sql, const struct pg_args *a,
    PGresult **out, struct err *err)
{
	PGresult *r = pg_query(tx, sql, a, err);

	*out = NULL;
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	*out = r;
	return 1;
}

int
pg_texts(struct store_tx *tx, const char *sql, const struct pg_args *a,
    json_t *out, struct err *err)
{
	PGresult *r = pg_query(tx, sql, a, err);
	int i, n;

	if (r == NULL)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(pg_col(r, i, 0)));
	PQclear(r);
	return 0;
}

int
pg_page(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int limit, pg_row_fn *row, const void *arg, json_t *out, bool *more,
    struct err *err)
{
	PGresult *r = pg_query(tx, sql, a, err);
	int i, n;

	*more = false;
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	if (n > limit) {
		*more = true;
		n = limit;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(out, row != NULL ? row(r, i, arg) :
		    json_string(pg_col(r, i, 0)));
	PQclear(r);
	return 0;
}

const char *
pg_col(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

const char *
pg_col_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

bool
pg_col_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) != 0;
}

int64_t
pg_col_int(const PGresult *r, int row, int col)
{
	const char *v;

	if (PQgetisnull(r, row, col))
		return 0;
	v = PQgetvalue(r, row, col);
	if (v[0] == 't')
		return 1;
	if (v[0] == 'f')
		return 0;
	return strtoll(v, NULL, 10);
}

double
pg_col_real(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 :
	    strtod(PQgetvalue(r, row, col), NULL);
}

unsigned char *
pg_col_bytea(const PGresult *r, int row, int col, size_t *len)
{
	unsigned char *raw, *copy;
	size_t n;

	*len = 0;
	if (PQgetisnull(r, row, col))
		return NULL;
	raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col),
	    &n);
	if (raw == NULL)
		fatalx("store: out of memory decoding a bytea column");
	copy = malloc(n > 0 ? n : 1);
	if (copy == NULL)
		fatalx("store: out of memory");
	memcpy(copy, raw, n);
	PQfreemem(raw);
	*len = n;
	return copy;
}
