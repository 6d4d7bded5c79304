/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the thing registry (store_thing.h): thing rows, their
 * attributes mirrored into thing_attributes (0002) for ListThings filters,
 * plus the helpers shared with sqlite_group.c: UUIDs and the attribute
 * update rule.
 */
#include "store_thing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "log.h"
#include "uuid.h"

static const char sql_thing_get[] =
    "SELECT thing_id, type_name, attributes, version, created_at"
    " FROM things WHERE name = ?1";

static const char sql_thing_insert[] =
    "INSERT INTO things (name, thing_id, type_name, attributes, version,"
    " created_at) VALUES (?1, ?2, ?3, ?4, 1, ?5)";

static const char sql_thing_update[] =
    "UPDATE things SET type_name = ?2, attributes = ?3, version = ?4"
    " WHERE name = ?1";

static const char sql_thing_delete[] =
    "DELETE FROM things WHERE name = ?1";

static const char sql_attrs_delete[] =
    "DELETE FROM thing_attributes WHERE thing_name = ?1";

static const char sql_attr_insert[] =
    "INSERT INTO thing_attributes (thing_name, name, value)"
    " VALUES (?1, ?2, ?3)";

/* Index group_members_thing. */
static const char sql_thing_unjoin[] =
    "DELETE FROM group_members WHERE thing_name = ?1";

/*
 * ListThings. ?1 the name to resume after, ?2 the limit, ?3 and ?4 the
 * attribute name and value, ?5 the thing type (NULL: any). The things
 * primary key, in name order.
 */
static const char sql_list_all[] =
    "SELECT name, attributes, version, type_name FROM things"
    " WHERE name > ?1 ORDER BY name LIMIT ?2";

/* Index things_type (0018): (type_name, name). */
static const char sql_list_type[] =
    "SELECT name, attributes, version, type_name FROM things"
    " WHERE type_name = ?5 AND name > ?1 ORDER BY name LIMIT ?2";

/* Index thing_attributes_value: (name, value, thing_name). */
static const char sql_list_exact[] =
    "SELECT t.name, t.attributes, t.version, t.type_name"
    " FROM thing_attributes a JOIN things t ON t.name = a.thing_name"
    " WHERE a.name = ?3 AND a.value = ?4 AND a.thing_name > ?1"
    " AND (?5 IS NULL OR t.type_name = ?5)"
    " ORDER BY a.thing_name LIMIT ?2";

/*
 * A value range of the same index. Attribute values are ASCII below '~'
 * (model pattern), so [P, P || '~') holds exactly the values starting
 * with P.
 */
static const char sql_list_prefix[] =
    "SELECT t.name, t.attributes, t.version, t.type_name"
    " FROM thing_attributes a JOIN things t ON t.name = a.thing_name"
    " WHERE a.name = ?3 AND a.value >= ?4 AND a.value < ?4 || '~'"
    " AND a.thing_name > ?1 AND (?5 IS NULL OR t.type_name = ?5)"
    " ORDER BY a.thing_name LIMIT ?2";

/*
 * store_thing_scan: ?1 the attribute, ?2 the value, ?3 whether to read
 * the thing's static groups (CASE evaluates the subquery only then).
 */
#define SCAN_COLS \
    "SELECT t.name, t.type_name, t.attributes, CASE WHEN ?3 THEN" \
    " (SELECT json_group_array(m.group_name) FROM group_members m" \
    " JOIN thing_groups g ON g.name = m.group_name" \
    " WHERE m.thing_name = t.name AND g.query_string IS NULL) END"

static const char sql_scan_all[] =
    SCAN_COLS " FROM things t ORDER BY t.name";

/* Index thing_attributes_value, as ListThings' filters. */
static const char sql_scan_attr_eq[] =
    SCAN_COLS " FROM thing_attributes a JOIN things t"
    " ON t.name = a.thing_name WHERE a.name = ?1 AND a.value = ?2";

static const char sql_scan_attr_prefix[] =
    SCAN_COLS " FROM thing_attributes a JOIN things t"
    " ON t.name = a.thing_name WHERE a.name = ?1 AND a.value >= ?2"
    " AND a.value < ?2 || '~'";

/*
 * The groups (few) compared in any case, then their members by the
 * group_members primary key; CROSS JOIN keeps SQLite to that order (it
 * would rather read every membership than scan the groups).
 */
static const char sql_scan_group[] =
    SCAN_COLS " FROM thing_groups s"
    " CROSS JOIN group_members sm ON sm.group_name = s.name"
    " CROSS JOIN things t ON t.name = sm.thing_name"
    " WHERE s.name = ?2 COLLATE NOCASE AND s.query_string IS NULL";

/* The types (few) compared in any case, then index things_type. */
static const char sql_scan_type[] =
    SCAN_COLS " FROM thing_types y CROSS JOIN things t"
    " ON t.type_name = y.name WHERE y.name = ?2 COLLATE NOCASE";

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
	char *s = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);

	return s;
}

int
sq_thing_get(struct store_tx *tx, const char *name,
    struct store_thing *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_thing_get);
	int rc;

	memset(out, 0, sizeof(*out));
	sq_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->thing_id, sizeof(out->thing_id), "%s",
	    sq_col_text(s, 0));
	snprintf(out->type_name, sizeof(out->type_name), "%s",
	    sq_col_text(s, 1));
	out->attributes = attrs_parse(sq_col_text(s, 2));
	out->version = sqlite3_column_int64(s, 3);
	out->created_at = sqlite3_column_int64(s, 4);
	sqlite3_reset(s);
	return 1;
}

/* Replaces the thing_attributes rows of NAME by ATTRS. */
static int
attrs_mirror(struct store_tx *tx, const char *name, const json_t *attrs,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_attrs_delete);
	const char *key;
	json_t *v;

	sq_bind_text(s, 1, name);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	json_object_foreach((json_t *)attrs, key, v) {
		s = sq_stmt(tx, sql_attr_insert);
		sq_bind_text(s, 1, name);
		sq_bind_text(s, 2, key);
		sq_bind_text(s, 3, json_is_string(v) ? json_string_value(v) :
		    "");
		if (sq_exec_stmt(tx, s, err) == -1)
			return -1;
	}
	return 0;
}

int
sq_thing_insert(struct store_tx *tx, struct store_thing *t,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_thing_insert);
	char *attrs = attrs_dump(t->attributes);
	int rc;

	store_uuid_new(t->thing_id);
	t->version = 1;
	sq_bind_text(s, 1, t->name);
	sq_bind_text(s, 2, t->thing_id);
	sq_bind_text(s, 3, t->type_name[0] != '\0' ? t->type_name : NULL);
	sq_bind_text(s, 4, attrs != NULL ? attrs : "{}");
	sqlite3_bind_int64(s, 5, t->created_at);
	rc = sq_exec_stmt(tx, s, err);
	free(attrs);
	if (rc == -1)
		return -1;
	return attrs_mirror(tx, t->name, t->attributes, err);
}

int
sq_thing_update(struct store_tx *tx, const struct store_thing *t,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_thing_update);
	char *attrs = attrs_dump(t->attributes);
	int rc;

	sq_bind_text(s, 1, t->name);
	sq_bind_text(s, 2, t->type_name[0] != '\0' ? t->type_name : NULL);
	sq_bind_text(s, 3, attrs != NULL ? attrs : "{}");
	sqlite3_bind_int64(s, 4, t->version);
	rc = sq_exec_stmt(tx, s, err);
	free(attrs);
	if (rc == -1)
		return -1;
	return attrs_mirror(tx, t->name, t->attributes, err);
}

int
sq_thing_delete(struct store_tx *tx, const char *name, struct err *err)
{
	static const char *const sqls[] = {
		sql_thing_delete, sql_attrs_delete, sql_thing_unjoin,
	};
	size_t i;

	for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		sqlite3_stmt *s = sq_stmt(tx, sqls[i]);

		sq_bind_text(s, 1, name);
		if (sq_exec_stmt(tx, s, err) == -1)
			return -1;
	}
	return 0;
}

int
sq_thing_list(struct store_tx *tx, const struct store_page *pg,
    const struct store_thing_filter *f, json_t *out, bool *more,
    struct err *err)
{
	const char *value = f->attr_value;
	sqlite3_stmt *s;
	json_t *row;
	int rc, n = 0;

	if (f->attr_name == NULL && f->type_name != NULL) {
		s = sq_stmt(tx, sql_list_type);
	} else if (f->attr_name == NULL) {
		s = sq_stmt(tx, sql_list_all);
	} else if (value != NULL && !f->prefix) {
		s = sq_stmt(tx, sql_list_exact);
	} else {
		s = sq_stmt(tx, sql_list_prefix);
		if (value == NULL)
			value = "";
	}
	sq_bind_text(s, 1, pg->after != NULL ? pg->after : "");
	sqlite3_bind_int(s, 2, pg->limit + 1);
	if (f->attr_name != NULL) {
		sq_bind_text(s, 3, f->attr_name);
		sq_bind_text(s, 4, value);
	}
	sq_bind_text(s, 5, f->type_name);
	*more = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == pg->limit) {
			*more = true;
			break;
		}
		row = json_pack("{s:s, s:o, s:I}", "thingName",
		    sq_col_text(s, 0), "attributes",
		    attrs_parse(sq_col_text(s, 1)), "version",
		    (json_int_t)sqlite3_column_int64(s, 2));
		if (sqlite3_column_type(s, 3) != SQLITE_NULL)
			json_object_set_new(row, "thingTypeName",
			    json_string(sq_col_text(s, 3)));
		json_array_append_new(out, row);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

static sqlite3_stmt *
scan_stmt(struct store_tx *tx, const struct store_scan *sc)
{
	switch (sc != NULL ? sc->by : STORE_SCAN_ALL) {
	case STORE_SCAN_ATTR_EQ:
		return sq_stmt(tx, sql_scan_attr_eq);
	case STORE_SCAN_ATTR_PREFIX:
		return sq_stmt(tx, sql_scan_attr_prefix);
	case STORE_SCAN_GROUP:
		return sq_stmt(tx, sql_scan_group);
	case STORE_SCAN_TYPE:
		return sq_stmt(tx, sql_scan_type);
	default:
		return sq_stmt(tx, sql_scan_all);
	}
}

int
sq_thing_scan(struct store_tx *tx, const struct store_scan *sc,
    bool with_groups, store_thing_scan_fn *fn, void *arg, struct err *err)
{
	sqlite3_stmt *s = scan_stmt(tx, sc);
	struct store_thing_row r;
	json_t *attrs, *groups;
	int rc, cb = 0;

	if (sc != NULL && sc->by != STORE_SCAN_ALL) {
		sq_bind_text(s, 1, sc->attr);
		sq_bind_text(s, 2, sc->value);
	}
	sqlite3_bind_int(s, 3, with_groups);

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		attrs = attrs_parse(sq_col_text(s, 2));
		groups = with_groups ? json_loads(sq_col_text(s, 3), 0,
		    NULL) : NULL;
		r.name = sq_col_text(s, 0);
		r.type_name = sq_col_text(s, 1);
		r.attributes = attrs;
		r.groups = groups;
		cb = fn(&r, arg, err);
		json_decref(attrs);
		json_decref(groups);
		if (cb == -1)
			break;
	}
	sqlite3_reset(s);
	if (cb == -1)
		return -1;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

void
store_uuid_new(char buf[STORE_ID_LEN + 1])
{
	struct err err;

	/* A store id is never made up: without randomness, stop. */
	if (uuid_new(buf, &err) == -1)
		fatalx("%s", err.msg);
}
