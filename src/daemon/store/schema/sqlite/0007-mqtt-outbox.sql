-- SPDX-License-Identifier: Apache-2.0
-- Outboxes of the MQTT front end, filled by triggers in the transaction of
-- the change itself, so that no cause of a change is missed and none is
-- lost across a restart (the MQTT notifier drains them after commits).
--
-- notify_outbox: things whose pending list may have changed (an execution
-- entered it, left it or changed status inside it), for notify and
-- notify-next (WIRE.md 10.4). notify_sent: what was last published for a
-- thing, to publish only when the list or its first execution changed.
-- event_outbox: job and execution events (WIRE.md 10.8), drained only when
-- events are switched on (emptied otherwise).

CREATE TABLE notify_outbox (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	thing_name	TEXT NOT NULL
);

CREATE TABLE notify_sent (
	thing_name	TEXT PRIMARY KEY,
	list		TEXT NOT NULL,	-- jobId#executionNumber,... in order
	head		TEXT NOT NULL	-- jobId#executionNumber, '' when empty
) WITHOUT ROWID;

CREATE TRIGGER executions_notify_insert AFTER INSERT ON executions
WHEN NEW.status IN ('QUEUED', 'IN_PROGRESS')
BEGIN
	INSERT INTO notify_outbox (thing_name) VALUES (NEW.thing_name);
END;

CREATE TRIGGER executions_notify_status AFTER UPDATE OF status ON executions
WHEN OLD.status IS NOT NEW.status AND
    (OLD.status IN ('QUEUED', 'IN_PROGRESS') OR
    NEW.status IN ('QUEUED', 'IN_PROGRESS'))
BEGIN
	INSERT INTO notify_outbox (thing_name) VALUES (NEW.thing_name);
END;

CREATE TRIGGER executions_notify_delete AFTER DELETE ON executions
WHEN OLD.status IN ('QUEUED', 'IN_PROGRESS')
BEGIN
	INSERT INTO notify_outbox (thing_name) VALUES (OLD.thing_name);
END;

-- kind: 'job' or 'jobExecution'; operation: the topic's last level.
CREATE TABLE event_outbox (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	kind		TEXT NOT NULL,
	operation	TEXT NOT NULL,
	job_id		TEXT NOT NULL,
	thing_name	TEXT,
	status		TEXT NOT NULL,
	status_details	TEXT,
	version		INTEGER,
	at		INTEGER NOT NULL
);

CREATE TRIGGER executions_event_status AFTER UPDATE OF status ON executions
WHEN OLD.status IS NOT NEW.status AND NEW.status IN ('SUCCEEDED', 'FAILED',
    'REJECTED', 'CANCELED', 'TIMED_OUT', 'REMOVED')
BEGIN
	INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,
	    status_details, version, at)
	VALUES ('jobExecution', lower(NEW.status), NEW.job_id, NEW.thing_name,
	    NEW.status, NEW.status_details, NEW.version, NEW.last_updated_at);
END;

CREATE TRIGGER executions_event_delete AFTER DELETE ON executions
BEGIN
	INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,
	    status_details, version, at)
	VALUES ('jobExecution', 'deleted', OLD.job_id, OLD.thing_name,
	    OLD.status, OLD.status_details, OLD.version,
	    CAST(strftime('%s', 'now') AS INTEGER));
END;

CREATE TRIGGER jobs_event_status AFTER UPDATE OF status ON jobs
WHEN OLD.status IS NOT NEW.status AND NEW.status IN ('COMPLETED', 'CANCELED',
    'DELETION_IN_PROGRESS')
BEGIN
	INSERT INTO event_outbox (kind, operation, job_id, status, at)
	VALUES ('job', CASE NEW.status
	    WHEN 'COMPLETED' THEN 'completed'
	    WHEN 'CANCELED' THEN 'canceled'
	    ELSE 'deletion_in_progress' END,
	    NEW.job_id, NEW.status, NEW.last_updated_at);
END;

CREATE TRIGGER jobs_event_delete AFTER DELETE ON jobs
BEGIN
	INSERT INTO event_outbox (kind, operation, job_id, status, at)
	VALUES ('job', 'deleted', OLD.job_id, OLD.status,
	    CAST(strftime('%s', 'now') AS INTEGER));
END;
