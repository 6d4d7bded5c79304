-- SPDX-License-Identifier: Apache-2.0
-- The job engine (src/daemon/engine/): every deadline is a stored column
-- with an index, so the scheduler finds the earliest one by two index
-- lookups and a restart (even after kill -9) loses none of them.
--
-- engine_state: values the engine keeps across restarts; "clock_offset" is
-- the test clock's offset in seconds (iotjobsd --test-clock only).
CREATE TABLE engine_state (
	key		TEXT PRIMARY KEY,
	value		INTEGER NOT NULL
) WITHOUT ROWID;

-- Retries used so far by the chain of executions of one job on one thing,
-- per failure type (jobExecutionsRetryConfig); carried to each retry.
ALTER TABLE executions ADD COLUMN retries_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN retries_timed_out INTEGER NOT NULL
	DEFAULT 0;
CREATE INDEX executions_timeout ON executions (timeout_at)
	WHERE timeout_at IS NOT NULL;

-- Job deadlines: the scheduled start (while SCHEDULED), the scheduled end
-- (until its endBehavior ran), the next rollout tick; wake_at is the
-- earliest of them, kept by the triggers below.
ALTER TABLE jobs ADD COLUMN start_at INTEGER;
ALTER TABLE jobs ADD COLUMN end_at INTEGER;
ALTER TABLE jobs ADD COLUMN rollout_at INTEGER;
ALTER TABLE jobs ADD COLUMN wake_at INTEGER;
-- Rollout: things notified so far, the current exponential rate, and the
-- notified/succeeded count at which the rate last increased.
ALTER TABLE jobs ADD COLUMN rollout_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN rollout_rate REAL;
ALTER TABLE jobs ADD COLUMN rollout_mark INTEGER NOT NULL DEFAULT 0;
-- 1 once the scheduled end stopped the rollout.
ALTER TABLE jobs ADD COLUMN rollout_stopped INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_wake ON jobs (wake_at) WHERE wake_at IS NOT NULL;

CREATE TRIGGER jobs_wake_insert AFTER INSERT ON jobs BEGIN
	UPDATE jobs SET wake_at = nullif(min(
	    coalesce(NEW.start_at, 9223372036854775807),
	    coalesce(NEW.end_at, 9223372036854775807),
	    coalesce(NEW.rollout_at, 9223372036854775807)),
	    9223372036854775807) WHERE id = NEW.id;
END;
CREATE TRIGGER jobs_wake_update AFTER UPDATE OF start_at, end_at, rollout_at
	ON jobs BEGIN
	UPDATE jobs SET wake_at = nullif(min(
	    coalesce(NEW.start_at, 9223372036854775807),
	    coalesce(NEW.end_at, 9223372036854775807),
	    coalesce(NEW.rollout_at, 9223372036854775807)),
	    9223372036854775807) WHERE id = NEW.id;
END;

-- Things a job will notify later (rollout rate, maintenance windows): not
-- yet executions, so they are in no pending list and no counter. seq is
-- the notification order.
CREATE TABLE rollout_queue (
	job_id		TEXT NOT NULL,
	seq		INTEGER NOT NULL,
	thing_name	TEXT NOT NULL,
	PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX rollout_queue_thing ON rollout_queue (thing_name, job_id);
