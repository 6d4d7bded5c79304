/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of the thing registry (store_thing.h): thing rows and
 * their attributes mirrored into thing_attributes for the ListThings
 * filters and the dynamic groups' scans. Groups and membership are
 * pg_group.c's; UUIDs and the attribute update rule are shared with the
 * SQLite backend.
 */
#include "store_thing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "pg_int.h"

static const char sql_thing_get[] =
    "SELECT thing_id, type_name, attributes, version, created_at"
    " FROM things WHERE name = $1";

/* A taken name or id inserts nothing: the caller hears of it. */
static const char sql_thing_insert[] =
    "INSERT INTO things (name, thing_id, type_name, attributes, version,"
    " created_at) VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT DO NOTHING";

static const char sql_thing_update[] =
    "UPDATE things SET type_name = $2, attributes = $3, version = $4"
    " WHERE name = $1";

static const char sql_thing_delete[] =
    "DELETE FROM things WHERE name = $1";

static const char sql_attrs_delete[] =
    "DELETE FROM thing_attributes WHERE thing_name = $1";

static const char sql_attr_insert[] =
    "INSERT INTO thing_attributes (thing_name, name, value)"
    " VALUES ($1, $2, $3)";

/* Index group_members_thing. */
static const char sql_thing_unjoin[] =
    "DELETE FROM group_members WHERE thing_name = $1";

/*
 * ListThings: $1 the name to resume after, $2 the limit, then the filters
 * each statement has. The things primary key, in name order.
 */
static const char sql_list_all[] =
    "SELECT name, attributes, version, type_name FROM things"
    " WHERE name > $1 ORDER BY name LIMIT $2";

/* Index things_type: (type_name, name). $3 the type. */
static const char sql_list_type[] =
    "SELECT name, attributes, version, type_name FROM things"
    " WHERE type_name = $3 AND name > $1 ORDER BY name LIMIT $2";

/*
 * Index thing_attributes_value: (name, value, thing_name). $3 and $4 the
 * attribute's name and value, $5 the type (NULL: any).
 */
static const char sql_list_exact[] =
    "SELECT t.name, t.attributes, t.version, t.type_name"
    " FROM thing_attributes a JOIN things t ON t.name = a.thing_name"
    " WHERE a.name = $3 AND a.value = $4 AND a.thing_name > $1"
    " AND ($5::text IS NULL OR t.type_name = $5::text)"
    " ORDER BY a.thing_name LIMIT $2";

/*
 * A value range of the same index. Attribute values are ASCII below '~'
 * (model pattern), so [P, P || '~') holds exactly the values starting
 * with P.
 */
static const char sql_list_prefix[] =
    "SELECT t.name, t.attributes, t.version, t.type_name"
    " FROM thing_attributes a JOIN things t ON t.name = a.thing_name"
    " WHERE a.name = $3 AND a.value >= $4::text"
    " AND a.value < ($4::text || '~') AND a.thing_name > $1"
    " AND ($5::text IS NULL OR t.type_name = $5::text)"
    " ORDER BY a.thing_name LIMIT $2";

/*
 * store_thing_scan, through a cursor read SCAN_BATCH rows at a time, so
 * that a scan of a large registry holds one batch in memory: $1 whether
 * to read the thing's static groups (CASE evaluates the subquery only
 * then), $2 and $3 the attribute and value. json_agg of no row is NULL:
 * an empty array instead.
 */
#define SCAN_BATCH	256
#define SCAN_STR(n)	#n
#define SCAN_XSTR(n)	SCAN_STR(n)

#define SCAN_COLS \
    "DECLARE thing_scan NO SCROLL CURSOR FOR" \
    " SELECT t.name, t.type_name, t.attributes, CASE WHEN $1::boolean" \
    " THEN (SELECT coalesce(json_agg(m.group_name ORDER BY m.group_name)," \
    " '[]'::json) FROM group_members m" \
    " JOIN thing_groups g ON g.name = m.group_name" \
    " WHERE m.thing_name = t.name AND g.query_string IS NULL) END"

static const char sql_scan_fetch[] =
    "FETCH FORWARD " SCAN_XSTR(SCAN_BATCH) " FROM thing_scan";

static const char sql_scan_close[] =
    "CLOSE thing_scan";

static const char sql_scan_all[] =
    SCAN_COLS " FROM things t ORDER BY t.name";

/* Index thing_attributes_value, as ListThings' filters. */
static const char sql_scan_attr_eq[] =
    SCAN_COLS " FROM thing_attributes a JOIN things t"
    " ON t.name = a.thing_name WHERE a.name = $2 AND a.value = $3";

static const char sql_scan_attr_prefix[] =
    SCAN_COLS " FROM thing_attributes a JOIN things t"
    " ON t.name = a.thing_name WHERE a.name = $2 AND a.value >= $3::text"
    " AND a.value < ($3::text || '~')";

/*
 * The groups (few) compared in any case, then their members by the
 * group_members primary key. $2 the group's name.
 */
static const char sql_scan_group[] =
    SCAN_COLS " FROM thing_groups s"
    " JOIN group_members sm ON sm.group_name = s.name"
    " JOIN things t ON t.name = sm.thing_name"
    " WHERE lower(s.name) = lower($2::text) AND s.query_string IS NULL";

/* The types (few) compared in any case, then index things_type. */
static const char sql_scan_type[] =
    SCAN_COLS " FROM thing_types y JOIN things t ON t.type_name = y.name"
    " WHERE lower(y.name) = lower($2::text)";

static json_t *
attrs_parse(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

static char *
attrs_dump(const json_t *attrs)
{
	return json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
}

int
pg_thing_get(struct store_tx *tx, const char *name,
    struct store_thing *out, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	memset(out, 0, sizeof(*out));
	pg_arg_text(&a, name);
	if ((rc = pg_row(tx, sql_thing_get, &a, &r, err)) != 1)
		return rc;
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->thing_id, sizeof(out->thing_id), "%s", pg_col(r, 0, 0));
	snprintf(out->type_name, sizeof(out->type_name), "%s",
	    pg_col(r, 0, 1));
	out->attributes = attrs_parse(pg_col(r, 0, 2));
	out->version = pg_col_int(r, 0, 3);
	out->created_at = pg_col_int(r, 0, 4);
	PQclear(r);
	return 1;
}

/* Replaces the thing_attributes rows of NAME by ATTRS. */
static int
attrs_mirror(struct store_tx *tx, const char *name, const json_t *attrs,
    struct err *err)
{
	struct pg_args a = { 0 };
	const char *key;
	json_t *v;

	pg_arg_text(&a, name);
	if (pg_exec(tx, sql_attrs_delete, &a, err) == -1)
		return -1;
	json_object_foreach((json_t *)attrs, key, v) {
		a = (struct pg_args){ 0 };
		pg_arg_text(&a, name);
		pg_arg_text(&a, key);
		pg_arg_text(&a, json_is_string(v) ? json_string_value(v) :
		    "");
		if (pg_exec(tx, sql_attr_insert, &a, err) == -1)
			return -1;
	}
	return 0;
}

int
pg_thing_insert(struct store_tx *tx, struct store_thing *t,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *attrs = attrs_dump(t->attributes);
	int64_t n;
	int rc;

	store_uuid_new(t->thing_id);
	t->version = 1;
	pg_arg_text(&a, t->name);
	pg_arg_text(&a, t->thing_id);
	pg_arg_text(&a, t->type_name[0] != '\0' ? t->type_name : NULL);
	pg_arg_text(&a, attrs != NULL ? attrs : "{}");
	pg_arg_int(&a, t->created_at);
	rc = pg_exec_n(tx, sql_thing_insert, &a, &n, err);
	free(attrs);
	if (rc == -1)
		return -1;
	/* The caller looked first: a taken name is the store's failure. */
	if (n == 0) {
		metrics_store_error();
		log_warnx("store: a thing insert found its name taken");
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "internal store error: thing %s exists", t->name);
	}
	return attrs_mirror(tx, t->name, t->attributes, err);
}

int
pg_thing_update(struct store_tx *tx, const struct store_thing *t,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *attrs = attrs_dump(t->attributes);
	int rc;

	pg_arg_text(&a, t->name);
	pg_arg_text(&a, t->type_name[0] != '\0' ? t->type_name : NULL);
	pg_arg_text(&a, attrs != NULL ? attrs : "{}");
	pg_arg_int(&a, t->version);
	rc = pg_exec(tx, sql_thing_update, &a, err);
	free(attrs);
	if (rc == -1)
		return -1;
	return attrs_mirror(tx, t->name, t->attributes, err);
}

int
pg_thing_delete(struct store_tx *tx, const char *name, struct err *err)
{
	static const char *const sqls[] = {
		sql_thing_delete, sql_attrs_delete, sql_thing_unjoin,
	};
	struct pg_args a = { 0 };
	size_t i;

	pg_arg_text(&a, name);
	for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++)
		if (pg_exec(tx, sqls[i], &a, err) == -1)
			return -1;
	return 0;
}

/* A ListThings item: {"thingName", "attributes", "version"[, type]}. */
static json_t *
thing_row(PGresult *r, int row, const void *arg)
{
	json_t *item;

	(void)arg;
	item = json_pack("{s:s, s:o, s:I}", "thingName", pg_col(r, row, 0),
	    "attributes", attrs_parse(pg_col(r, row, 1)), "version",
	    (json_int_t)pg_col_int(r, row, 2));
	if (!pg_col_null(r, row, 3))
		json_object_set_new(item, "thingTypeName",
		    json_string(pg_col(r, row, 3)));
	return item;
}

int
pg_thing_list(struct store_tx *tx, const struct store_page *pg,
    const struct store_thing_filter *f, json_t *out, bool *more,
    struct err *err)
{
	struct pg_args a = { 0 };
	const char *sql;

	pg_arg_text(&a, pg->after != NULL ? pg->after : "");
	pg_arg_int(&a, (int64_t)pg->limit + 1);
	if (f->attr_name == NULL && f->type_name != NULL) {
		sql = sql_list_type;
		pg_arg_text(&a, f->type_name);
	} else if (f->attr_name == NULL) {
		sql = sql_list_all;
	} else {
		if (f->attr_value != NULL && !f->prefix)
			sql = sql_list_exact;
		else
			sql = sql_list_prefix;
		pg_arg_text(&a, f->attr_name);
		pg_arg_text(&a, f->attr_value != NULL ? f->attr_value : "");
		pg_arg_text(&a, f->type_name);
	}
	return pg_page(tx, sql, &a, pg->limit, thing_row, NULL, out, more,
	    err);
}

static const char *
scan_sql(const struct store_scan *sc)
{
	switch (sc != NULL ? sc->by : STORE_SCAN_ALL) {
	case STORE_SCAN_ATTR_EQ:
		return sql_scan_attr_eq;
	case STORE_SCAN_ATTR_PREFIX:
		return sql_scan_attr_prefix;
	case STORE_SCAN_GROUP:
		return sql_scan_group;
	case STORE_SCAN_TYPE:
		return sql_scan_type;
	default:
		return sql_scan_all;
	}
}

/* Calls FN with each row of the batch R; the first -1 it returns. */
static int
scan_batch(PGresult *r, bool with_groups, store_thing_scan_fn *fn,
    void *arg, struct err *err)
{
	struct store_thing_row row;
	json_t *attrs, *groups;
	int i, n = PQntuples(r), cb = 0;

	for (i = 0; i < n && cb != -1; i++) {
		attrs = attrs_parse(pg_col(r, i, 2));
		groups = with_groups ? json_loads(pg_col(r, i, 3), 0, NULL) :
		    NULL;
		row.name = pg_col(r, i, 0);
		row.type_name = pg_col(r, i, 1);
		row.attributes = attrs;
		row.groups = groups;
		cb = fn(&row, arg, err);
		json_decref(attrs);
		json_decref(groups);
	}
	return cb;
}

/*
 * FN runs statements of its own on the connection between two fetches;
 * the cursor's snapshot is the one of its DECLARE.
 */
int
pg_thing_scan(struct store_tx *tx, const struct store_scan *sc,
    bool with_groups, store_thing_scan_fn *fn, void *arg, struct err *err)
{
	const char *sql = scan_sql(sc);
	struct pg_args a = { 0 };
	struct err close_err;
	PGresult *r;
	int n, rc = 0;

	pg_arg_bool(&a, with_groups);
	if (sql == sql_scan_attr_eq || sql == sql_scan_attr_prefix)
		pg_arg_text(&a, sc->attr);
	if (sql != sql_scan_all)
		pg_arg_text(&a, sc->value);
	if (pg_exec(tx, sql, &a, err) == -1)
		return -1;
	do {
		if ((r = pg_query(tx, sql_scan_fetch, NULL, err)) == NULL) {
			rc = -1;
			break;
		}
		n = PQntuples(r);
		rc = scan_batch(r, with_groups, fn, arg, err);
		PQclear(r);
	} while (rc == 0 && n == SCAN_BATCH);
	/* A failed statement ended the transaction, the cursor with it. */
	if (PQtransactionStatus(pg_db(tx)) == PQTRANS_INTRANS &&
	    pg_exec(tx, sql_scan_close, NULL, &close_err) == -1 && rc == 0) {
		*err = close_err;
		rc = -1;
	}
	return rc;
}
