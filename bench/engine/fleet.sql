-- SPDX-License-Identifier: Apache-2.0
-- The engine benchmark's fleet, written straight into the store of a
-- stopped iotjobsd (schema of src/daemon/store/schema/sqlite/): things
-- bench-0000000.. in the group bench-fleet. The caller has created
-- TEMP TABLE fleet_n(v) holding the number of things.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE seq(i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (
	SELECT 0 UNION ALL SELECT i + 1 FROM c
	WHERE i + 1 < (SELECT v FROM fleet_n))
INSERT INTO seq SELECT i FROM c;
INSERT INTO things (name, thing_id, created_at)
	SELECT printf('bench-%07d', i),
	    printf('%08x-0000-4000-8000-%012x', i, i),
	    CAST(strftime('%s', 'now') AS INTEGER) FROM seq;
INSERT INTO thing_groups (name, group_id, created_at)
	VALUES ('bench-fleet', 'b0000000-0000-4000-8000-000000000000',
	    CAST(strftime('%s', 'now') AS INTEGER));
INSERT INTO group_members (group_name, thing_name)
	SELECT 'bench-fleet', printf('bench-%07d', i) FROM seq;
COMMIT;
