-- SPDX-License-Identifier: Apache-2.0
-- Job executions: the in-progress deadline, kept apart from timeout_at (the
-- deadline of whichever timer runs, step or in-progress) so that a step
-- timer is capped by it and cancelling the step timer (-1) falls back to
-- it, whatever UpdateJob later does to the job's timeoutConfig (WIRE.md
-- 8.5); and the queue-order index of one job's executions
-- (ListJobExecutionsForJob pages).
ALTER TABLE executions ADD COLUMN progress_timeout_at INTEGER;
CREATE INDEX executions_job ON executions (job_id, id);
