-- SPDX-License-Identifier: Apache-2.0
-- The dynamic groups benchmark's fleet, written straight into the store of
-- a stopped iotjobsd (schema of src/daemon/store/schema/sqlite/): things
-- dyn-0000000.., every tenth on firmware 1.0 and the others on 2.0, on
-- one of 100 sites; each thing's attributes both as its JSON object and as
-- thing_attributes rows, as CreateThing writes them. The caller has
-- created TEMP TABLE fleet_n(v) holding the number of things.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE seq(i INTEGER PRIMARY KEY, fw TEXT, site TEXT);
WITH RECURSIVE c(i) AS (
	SELECT 0 UNION ALL SELECT i + 1 FROM c
	WHERE i + 1 < (SELECT v FROM fleet_n))
INSERT INTO seq SELECT i, CASE WHEN i % 10 = 0 THEN '1.0' ELSE '2.0' END,
    printf('s%03d', i % 100) FROM c;
INSERT INTO things (name, thing_id, attributes, created_at)
	SELECT printf('dyn-%07d', i),
	    printf('%08x-0000-4000-8000-%012x', i, i),
	    json_object('fw', fw, 'site', site),
	    CAST(strftime('%s', 'now') AS INTEGER) FROM seq;
INSERT INTO thing_attributes (thing_name, name, value)
	SELECT printf('dyn-%07d', i), 'fw', fw FROM seq;
INSERT INTO thing_attributes (thing_name, name, value)
	SELECT printf('dyn-%07d', i), 'site', site FROM seq;
COMMIT;
-- Into the database file: the daemon starts with an empty WAL.
PRAGMA wal_checkpoint(TRUNCATE);
