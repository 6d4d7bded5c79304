/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite backend of store_broker.h (schema 0012). */
#include "store_broker.h"

#include "sqlite_int.h"

static const char sql_ca_active[] =
    "SELECT pem FROM ca_certificates WHERE status = 'ACTIVE'"
    " ORDER BY certificate_id";

int
sq_ca_active_pems(struct store_tx *tx, json_t *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_ca_active);

	return sq_texts(tx, s, out, err);
}
