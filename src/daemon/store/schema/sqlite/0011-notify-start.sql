-- SPDX-License-Identifier: Apache-2.0
-- A device starting its first queued execution (start-next, or an update
-- to IN_PROGRESS of that execution) while no other execution of the thing
-- is IN_PROGRESS leaves its pending list in the same order (IN_PROGRESS
-- first, then QUEUED, each by id): neither notify nor notify-next can
-- change (WIRE.md 10.4), so no notify_outbox row is written for it. Every
-- other status change inside or across the pending list still writes one.
-- The two lookups walk the partial index executions_pending.

DROP TRIGGER executions_notify_status;
CREATE TRIGGER executions_notify_status AFTER UPDATE OF status ON executions
WHEN (SELECT notify FROM outbox_switch WHERE id = 1) AND
    OLD.status IS NOT NEW.status AND
    (OLD.status IN ('QUEUED', 'IN_PROGRESS') OR
    NEW.status IN ('QUEUED', 'IN_PROGRESS')) AND
    NOT (OLD.status = 'QUEUED' AND NEW.status = 'IN_PROGRESS' AND
    NOT EXISTS (SELECT 1 FROM executions o
	WHERE o.thing_name = NEW.thing_name AND
	o.status IN ('QUEUED', 'IN_PROGRESS') AND
	(o.status = 'QUEUED') = 0 AND o.id <> NEW.id) AND
    NOT EXISTS (SELECT 1 FROM executions o
	WHERE o.thing_name = NEW.thing_name AND
	o.status IN ('QUEUED', 'IN_PROGRESS') AND
	(o.status = 'QUEUED') = 1 AND o.id < NEW.id))
BEGIN
	INSERT INTO notify_outbox (thing_name) VALUES (NEW.thing_name);
END;
