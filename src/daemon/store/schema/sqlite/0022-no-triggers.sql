-- SPDX-License-Identifier: Apache-2.0
-- No job logic in the schema: the engine (src/daemon/engine/) writes the
-- notify and event outbox rows in the transaction of the change they
-- report (engine/outbox.c, honouring outbox_switch) and computes jobs.wake_at
-- whenever it writes a deadline (engine_wake_at). The triggers of 0005,
-- 0007, 0010 and 0011 go; the latest schema has none.
DROP TRIGGER IF EXISTS jobs_wake_insert;
DROP TRIGGER IF EXISTS jobs_wake_update;
DROP TRIGGER IF EXISTS executions_notify_insert;
DROP TRIGGER IF EXISTS executions_notify_status;
DROP TRIGGER IF EXISTS executions_notify_delete;
DROP TRIGGER IF EXISTS executions_event_status;
DROP TRIGGER IF EXISTS executions_event_delete;
DROP TRIGGER IF EXISTS jobs_event_status;
DROP TRIGGER IF EXISTS jobs_event_delete;
