-- SPDX-License-Identifier: Apache-2.0
-- ListJobs filters as index lookups: targetSelection and namespaceId
-- (namespace_id mirrors config.namespaceId of the job).

ALTER TABLE jobs ADD COLUMN namespace_id TEXT;
CREATE INDEX jobs_selection ON jobs (target_selection, id);
CREATE INDEX jobs_namespace ON jobs (namespace_id, id)
	WHERE namespace_id IS NOT NULL;
