-- SPDX-License-Identifier: Apache-2.0
-- Custom job templates (CreateJobTemplate). AWS-managed templates are a
-- table in the code (api/managed_template.c), not rows.

-- id orders templates by creation (ListJobTemplates).
CREATE TABLE job_templates (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	template_id	TEXT NOT NULL UNIQUE,
	description	TEXT NOT NULL,
	document	TEXT,
	-- The configuration members exactly as accepted (JSON object):
	-- presignedUrlConfig, jobExecutionsRolloutConfig, abortConfig,
	-- timeoutConfig, jobExecutionsRetryConfig, maintenanceWindows,
	-- destinationPackageVersions, tags.
	config		TEXT NOT NULL DEFAULT '{}',
	created_at	INTEGER NOT NULL
);
