-- SPDX-License-Identifier: Apache-2.0
-- The outboxes fill only while something drains them: outbox_switch says
-- whether the MQTT notifier runs (notify) and whether events are published
-- (events); the daemon sets it at every start (store_outbox_switch), so a
-- daemon without --mqtt does not grow notify_outbox and event_outbox.

CREATE TABLE outbox_switch (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	notify		INTEGER NOT NULL,
	events		INTEGER NOT NULL
);
INSERT INTO outbox_switch VALUES (1, 0, 0);

DROP TRIGGER executions_notify_insert;
CREATE TRIGGER executions_notify_insert AFTER INSERT ON executions
WHEN (SELECT notify FROM outbox_switch WHERE id = 1) AND
    NEW.status IN ('QUEUED', 'IN_PROGRESS')
BEGIN
	INSERT INTO notify_outbox (thing_name) VALUES (NEW.thing_name);
END;

DROP TRIGGER executions_notify_status;
CREATE TRIGGER executions_notify_status AFTER UPDATE OF status ON executions
WHEN (SELECT notify FROM outbox_switch WHERE id = 1) AND
    OLD.status IS NOT NEW.status AND
    (OLD.status IN ('QUEUED', 'IN_PROGRESS') OR
    NEW.status IN ('QUEUED', 'IN_PROGRESS'))
BEGIN
	INSERT INTO notify_outbox (thing_name) VALUES (NEW.thing_name);
END;

DROP TRIGGER executions_notify_delete;
CREATE TRIGGER executions_notify_delete AFTER DELETE ON executions
WHEN (SELECT notify FROM outbox_switch WHERE id = 1) AND
    OLD.status IN ('QUEUED', 'IN_PROGRESS')
BEGIN
	INSERT INTO notify_outbox (thing_name) VALUES (OLD.thing_name);
END;

DROP TRIGGER executions_event_status;
CREATE TRIGGER executions_event_status AFTER UPDATE OF status ON executions
WHEN (SELECT events FROM outbox_switch WHERE id = 1) AND
    OLD.status IS NOT NEW.status AND NEW.status IN ('SUCCEEDED', 'FAILED',
    'REJECTED', 'CANCELED', 'TIMED_OUT', 'REMOVED')
BEGIN
	INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,
	    status_details, version, at)
	VALUES ('jobExecution', lower(NEW.status), NEW.job_id, NEW.thing_name,
	    NEW.status, NEW.status_details, NEW.version, NEW.last_updated_at);
END;

DROP TRIGGER executions_event_delete;
CREATE TRIGGER executions_event_delete AFTER DELETE ON executions
WHEN (SELECT events FROM outbox_switch WHERE id = 1)
BEGIN
	INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,
	    status_details, version, at)
	VALUES ('jobExecution', 'deleted', OLD.job_id, OLD.thing_name,
	    OLD.status, OLD.status_details, OLD.version,
	    CAST(strftime('%s', 'now') AS INTEGER));
END;

DROP TRIGGER jobs_event_status;
CREATE TRIGGER jobs_event_status AFTER UPDATE OF status ON jobs
WHEN (SELECT events FROM outbox_switch WHERE id = 1) AND
    OLD.status IS NOT NEW.status AND NEW.status IN ('COMPLETED', 'CANCELED',
    'DELETION_IN_PROGRESS')
BEGIN
	INSERT INTO event_outbox (kind, operation, job_id, status, at)
	VALUES ('job', CASE NEW.status
	    WHEN 'COMPLETED' THEN 'completed'
	    WHEN 'CANCELED' THEN 'canceled'
	    ELSE 'deletion_in_progress' END,
	    NEW.job_id, NEW.status, NEW.last_updated_at);
END;

DROP TRIGGER jobs_event_delete;
CREATE TRIGGER jobs_event_delete AFTER DELETE ON jobs
WHEN (SELECT events FROM outbox_switch WHERE id = 1)
BEGIN
	INSERT INTO event_outbox (kind, operation, job_id, status, at)
	VALUES ('job', 'deleted', OLD.job_id, OLD.status,
	    CAST(strftime('%s', 'now') AS INTEGER));
END;
