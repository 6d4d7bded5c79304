-- SPDX-License-Identifier: Apache-2.0
-- Commands (WIRE.md 9): the command definitions, their executions, and the
-- outbox of what the MQTT front end publishes about them (the payload to
-- the device, events), written in the transaction of the change.
--
-- commands.def: the definition members as given (namespace, payload,
-- payloadTemplate, preprocessor, mandatoryParameters, roleArn, tags).
-- delete_at: when a pending deletion (DeleteCommand's 202) completes.

CREATE TABLE commands (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	command_id	TEXT NOT NULL UNIQUE,
	namespace	TEXT NOT NULL,
	display_name	TEXT,
	description	TEXT,
	def		TEXT NOT NULL,
	deprecated	INTEGER NOT NULL DEFAULT 0,
	deprecated_at	INTEGER,
	delete_at	INTEGER,
	created_at	INTEGER NOT NULL,
	last_updated_at	INTEGER NOT NULL
);

CREATE INDEX commands_delete_at ON commands (delete_at)
    WHERE delete_at IS NOT NULL;

-- status_reason, result, parameters: JSON text. request: the canonical
-- text of the StartCommandExecution request, for clientToken retries.
CREATE TABLE command_executions (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	execution_id	TEXT NOT NULL UNIQUE,
	command_id	TEXT NOT NULL,
	namespace	TEXT NOT NULL,
	target_arn	TEXT NOT NULL,
	status		TEXT NOT NULL,
	status_reason	TEXT,
	result		TEXT,
	parameters	TEXT,
	timeout_sec	INTEGER NOT NULL,
	client_token	TEXT UNIQUE,
	request		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	last_updated_at	INTEGER NOT NULL,
	started_at	INTEGER,
	completed_at	INTEGER,
	timeout_at	INTEGER NOT NULL
);

CREATE INDEX command_executions_timeout ON command_executions (timeout_at)
    WHERE status IN ('CREATED', 'IN_PROGRESS');
CREATE INDEX command_executions_target ON command_executions (target_arn);
CREATE INDEX command_executions_command ON command_executions (command_id);

-- kind: 'request' (to the device; dropped once expire_at has passed) or
-- 'event' (published only when events are on).
CREATE TABLE command_outbox (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	kind		TEXT NOT NULL,
	topic		TEXT NOT NULL,
	payload		BLOB NOT NULL,
	content_type	TEXT,
	expire_at	INTEGER
);
