-- SPDX-License-Identifier: Apache-2.0
-- The scheduler's next execution deadline (min(timeout_at) of one
-- status) and its due walk (timeout_at <= now of one status, in
-- timeout_at order) read (status, timeout_at, id) straight: on
-- (timeout_at) alone the server scanned executions for the first
-- row of the status.
DROP INDEX IF EXISTS executions_timeout;
CREATE INDEX executions_timeout ON executions (status, timeout_at, id)
    WHERE timeout_at IS NOT NULL;
