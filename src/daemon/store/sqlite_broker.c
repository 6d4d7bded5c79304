/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite backend of store_broker.h (schema 0012). */
#include "store_broker.h"

#include "sqlite_int.h"
#include "sqlite_plan.h"

static const char sql_ca_active[] =
    "SELECT pem FROM ca_certificates WHERE status = 'ACTIVE'"
    " ORDER BY certificate_id";

/*
 * The broker's trust store, read again only when the authorization
 * generation moves: SCAN of the registered CA certificates, a handful.
 */
const struct sq_plan_stmt sq_plan_broker[] = {
	SQ_PLAN(sql_ca_active, "ca_certificates"),
	{ NULL, NULL, NULL },
};

int
sq_ca_active_pems(struct store_tx *tx, json_t *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_ca_active);

	return sq_texts(tx, s, out, err);
}
