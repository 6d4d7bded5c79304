/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The step loops every table of the SQLite backend shares (sqlite_int.h):
 * single-row lookups, counts, lists of one column, pages of a listing.
 */
#include "sqlite_int.h"

int
sq_found(struct store_tx *tx, sqlite3_stmt *s, int rc, struct err *err)
{
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_fail(tx, rc, err);
}

int
sq_int64(struct store_tx *tx, sqlite3_stmt *s, int64_t *n, struct err *err)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		/* Such a query always has its row: DONE means it is broken. */
		return sq_fail(tx, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc,
		    err);
	}
	*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int
sq_texts(struct store_tx *tx, sqlite3_stmt *s, json_t *out, struct err *err)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(out, json_string(sq_col_text(s, 0)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_page(struct store_tx *tx, sqlite3_stmt *s, int limit, sq_row_fn *row,
    const void *arg, json_t *out, bool *more, struct err *err)
{
	int rc, n = 0;

	*more = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == limit) {
			*more = true;
			break;
		}
		json_array_append_new(out, row != NULL ? row(s, arg) :
		    json_string(sq_col_text(s, 0)));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}
