-- SPDX-License-Identifier: Apache-2.0
-- Arms one timer per execution of job bench-1m, as if every thing had
-- started it: IN_PROGRESS with the job's in-progress timeout running.
-- Written into the store of a stopped iotjobsd. The caller has created
-- TEMP TABLE timer_at(v): the deadline, epoch seconds on the jobs' clock.
PRAGMA synchronous = OFF;
BEGIN;
UPDATE executions SET status = 'IN_PROGRESS',
	started_at = CAST(strftime('%s', 'now') AS INTEGER),
	version = version + 1,
	timeout_at = (SELECT v FROM timer_at),
	progress_timeout_at = (SELECT v FROM timer_at)
	WHERE job_id = 'bench-1m' AND status = 'QUEUED';
UPDATE jobs SET n_in_progress = n_in_progress + n_queued, n_queued = 0
	WHERE job_id = 'bench-1m';
-- The pending lists of the MQTT front end (off in this benchmark).
DELETE FROM notify_outbox;
DELETE FROM event_outbox;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
