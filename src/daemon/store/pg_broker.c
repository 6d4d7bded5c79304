/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL backend of store_broker.h. */
#include "store_broker.h"

#include "pg_int.h"

/*
 * The broker's trust store, read again only when the authorization
 * generation moves: a scan of the registered CA certificates, a handful.
 */
static const char sql_ca_active[] =
    "SELECT pem FROM ca_certificates WHERE status = 'ACTIVE'"
    " ORDER BY certificate_id";

int
pg_ca_active_pems(struct store_tx *tx, json_t *out, struct err *err)
{
	return pg_texts(tx, sql_ca_active, NULL, out, err);
}
