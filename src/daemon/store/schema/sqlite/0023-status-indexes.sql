-- SPDX-License-Identifier: Apache-2.0
-- No status names in the schema: the statuses a query filters on are
-- bound from the status enums (src/common/status.h), and SQLite uses a
-- partial index only when the query repeats its WHERE literally. The
-- pending list walks (thing_name, status, id) over the IN list of the
-- pending statuses, whose sorted order is the list's order; the command
-- timer searches (status, timeout_at) once per open status.
DROP INDEX IF EXISTS executions_pending;
CREATE INDEX executions_pending ON executions (thing_name, status, id);
DROP INDEX IF EXISTS command_executions_timeout;
CREATE INDEX command_executions_timeout ON command_executions
	(status, timeout_at);
