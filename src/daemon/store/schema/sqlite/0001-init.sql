-- SPDX-License-Identifier: Apache-2.0
-- Things, thing groups, jobs and job executions.
-- Timestamps are epoch seconds on the jobs' clock.

CREATE TABLE things (
	name		TEXT PRIMARY KEY,
	thing_id	TEXT NOT NULL UNIQUE,
	type_name	TEXT,
	attributes	TEXT NOT NULL DEFAULT '{}',	-- JSON object
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL
);

CREATE TABLE thing_groups (
	name		TEXT PRIMARY KEY,
	group_id	TEXT NOT NULL UNIQUE,
	parent_name	TEXT,
	description	TEXT,
	attributes	TEXT NOT NULL DEFAULT '{}',	-- JSON object
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL
);
CREATE INDEX thing_groups_parent ON thing_groups (parent_name);

CREATE TABLE group_members (
	group_name	TEXT NOT NULL,
	thing_name	TEXT NOT NULL,
	PRIMARY KEY (group_name, thing_name)
) WITHOUT ROWID;
CREATE INDEX group_members_thing ON group_members (thing_name, group_name);

-- id orders jobs by creation (ListJobs); job_id may be reused after delete.
CREATE TABLE jobs (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	job_id		TEXT NOT NULL UNIQUE,
	status		TEXT NOT NULL,
	target_selection TEXT NOT NULL,
	document	TEXT,
	description	TEXT,
	-- The configuration members exactly as accepted (JSON object):
	-- documentSource, presignedUrlConfig, jobExecutionsRolloutConfig,
	-- abortConfig, timeoutConfig, jobExecutionsRetryConfig,
	-- schedulingConfig, namespaceId, jobTemplateArn, documentParameters,
	-- destinationPackageVersions.
	config		TEXT NOT NULL DEFAULT '{}',
	force_canceled	INTEGER NOT NULL DEFAULT 0,
	reason_code	TEXT,
	comment		TEXT,
	created_at	INTEGER NOT NULL,
	last_updated_at	INTEGER NOT NULL,
	completed_at	INTEGER,
	-- jobProcessDetails counters, kept in the same transaction as every
	-- execution change (store_job_count_move).
	n_queued	INTEGER NOT NULL DEFAULT 0,
	n_in_progress	INTEGER NOT NULL DEFAULT 0,
	n_succeeded	INTEGER NOT NULL DEFAULT 0,
	n_failed	INTEGER NOT NULL DEFAULT 0,
	n_rejected	INTEGER NOT NULL DEFAULT 0,
	n_canceled	INTEGER NOT NULL DEFAULT 0,
	n_removed	INTEGER NOT NULL DEFAULT 0,
	n_timed_out	INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_status ON jobs (status, id);

CREATE TABLE job_targets (
	job_id		TEXT NOT NULL,
	pos		INTEGER NOT NULL,
	target_arn	TEXT NOT NULL,
	PRIMARY KEY (job_id, pos)
) WITHOUT ROWID;
CREATE INDEX job_targets_arn ON job_targets (target_arn, job_id);

-- id is the queue order: the pending list of a thing is IN_PROGRESS first,
-- then QUEUED, each in the order executions were queued.
CREATE TABLE executions (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	job_id		TEXT NOT NULL,
	thing_name	TEXT NOT NULL,
	execution_number INTEGER NOT NULL,
	status		TEXT NOT NULL,
	status_details	TEXT,			-- JSON object or NULL
	queued_at	INTEGER NOT NULL,
	started_at	INTEGER,
	last_updated_at	INTEGER NOT NULL,
	version		INTEGER NOT NULL DEFAULT 1,
	force_canceled	INTEGER NOT NULL DEFAULT 0,
	retry_attempt	INTEGER NOT NULL DEFAULT 0,
	step_timeout_minutes INTEGER,		-- as the device last set it
	timeout_at	INTEGER,		-- deadline of the running timer
	UNIQUE (job_id, thing_name, execution_number)
);
CREATE INDEX executions_pending ON executions
	(thing_name, status = 'QUEUED', id)
	WHERE status IN ('QUEUED', 'IN_PROGRESS');
CREATE INDEX executions_thing ON executions (thing_name, id);
