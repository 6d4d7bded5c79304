-- SPDX-License-Identifier: Apache-2.0
-- The PostgreSQL benchmark's fleet (bench/pg.sh), written straight into
-- the store's schema (the connection's search_path; schema of
-- src/daemon/store/schema/pg/): things bench-0000000.. in the group
-- bench-fleet. psql variable n: the number of things.
BEGIN;
INSERT INTO things (name, thing_id, created_at)
	SELECT format('bench-%s', lpad(i::text, 7, '0')),
	    format('%s-0000-4000-8000-%s', lpad(to_hex(i), 8, '0'),
	        lpad(to_hex(i), 12, '0')),
	    extract(epoch FROM now())::bigint
	FROM generate_series(0, :n - 1) AS i;
INSERT INTO thing_groups (name, group_id, created_at)
	VALUES ('bench-fleet', 'b0000000-0000-4000-8000-000000000000',
	    extract(epoch FROM now())::bigint);
INSERT INTO group_members (group_name, thing_name)
	SELECT 'bench-fleet', format('bench-%s', lpad(i::text, 7, '0'))
	FROM generate_series(0, :n - 1) AS i;
COMMIT;
ANALYZE things;
ANALYZE group_members;
