-- SPDX-License-Identifier: Apache-2.0
-- Pausing a rollout (iotjobs job pause, POST /_iotjobs/jobs/ID/pause): a
-- paused job releases no new execution from its rollout queue until it
-- is resumed; executions already released go on. paused_at is when (the
-- jobs' clock), paused_by who (an access key id or certificate id); both
-- NULL while the job is not paused. DescribeJob does not show them: its
-- shape is AWS's.
ALTER TABLE jobs ADD COLUMN paused_at INTEGER;
ALTER TABLE jobs ADD COLUMN paused_by TEXT;
