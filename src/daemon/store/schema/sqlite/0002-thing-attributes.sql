-- SPDX-License-Identifier: Apache-2.0
-- Thing attributes as rows, so that ListThings with attributeName /
-- attributeValue (exact or prefix) is an index range, never a scan of the
-- things table. things.attributes stays the authoritative JSON object;
-- this table mirrors it in the same transaction (sqlite_thing.c).

CREATE TABLE thing_attributes (
	thing_name	TEXT NOT NULL,
	name		TEXT NOT NULL,
	value		TEXT NOT NULL,
	PRIMARY KEY (thing_name, name)
) WITHOUT ROWID;
CREATE INDEX thing_attributes_value ON thing_attributes
	(name, value, thing_name);
