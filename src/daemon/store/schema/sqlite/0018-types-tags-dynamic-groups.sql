-- SPDX-License-Identifier: Apache-2.0
-- Thing types, the tags of every taggable resource, dynamic thing groups.

-- CreateThingType ... DeleteThingType. A type is deprecated while
-- deprecated_at is set (DeprecateThingType; undoDeprecate clears it).
CREATE TABLE thing_types (
	name		TEXT PRIMARY KEY,
	type_id		TEXT NOT NULL UNIQUE,
	description	TEXT,
	searchable	TEXT NOT NULL DEFAULT '[]',	-- JSON array of names
	mqtt5		TEXT,				-- JSON object, or NULL
	deprecated_at	INTEGER,
	created_at	INTEGER NOT NULL
);

-- ListThings by thingTypeName, and DeleteThingType's "no thing of the
-- type" check, as index ranges.
CREATE INDEX things_type ON things (type_name, name)
    WHERE type_name IS NOT NULL;

-- Tags of every resource in one table, keyed by the resource part of its
-- ARN ("job/ID", "thinggroup/NAME": what follows "arn:aws:iot:REGION:
-- ACCOUNT:"), which a migration can compute and a region rename keeps.
CREATE TABLE tags (
	resource	TEXT NOT NULL,
	key		TEXT NOT NULL,
	value		TEXT NOT NULL,
	PRIMARY KEY (resource, key)
) WITHOUT ROWID;

-- The tags CreateJob, CreateJobTemplate, CreateCommand and
-- RegisterCACertificate kept with their rows until now move here.
INSERT OR REPLACE INTO tags (resource, key, value)
    SELECT 'job/' || j.job_id, json_extract(t.value, '$.Key'),
    coalesce(json_extract(t.value, '$.Value'), '')
    FROM jobs j, json_each(j.config, '$.tags') t
    WHERE json_valid(j.config) AND json_extract(t.value, '$.Key') IS NOT NULL;
UPDATE jobs SET config = json_remove(config, '$.tags')
    WHERE json_valid(config) AND json_type(config, '$.tags') IS NOT NULL;

INSERT OR REPLACE INTO tags (resource, key, value)
    SELECT 'jobtemplate/' || j.template_id, json_extract(t.value, '$.Key'),
    coalesce(json_extract(t.value, '$.Value'), '')
    FROM job_templates j, json_each(j.config, '$.tags') t
    WHERE json_valid(j.config) AND json_extract(t.value, '$.Key') IS NOT NULL;
UPDATE job_templates SET config = json_remove(config, '$.tags')
    WHERE json_valid(config) AND json_type(config, '$.tags') IS NOT NULL;

INSERT OR REPLACE INTO tags (resource, key, value)
    SELECT 'command/' || c.command_id, json_extract(t.value, '$.Key'),
    coalesce(json_extract(t.value, '$.Value'), '')
    FROM commands c, json_each(c.def, '$.tags') t
    WHERE json_valid(c.def) AND json_extract(t.value, '$.Key') IS NOT NULL;
UPDATE commands SET def = json_remove(def, '$.tags')
    WHERE json_valid(def) AND json_type(def, '$.tags') IS NOT NULL;

INSERT OR REPLACE INTO tags (resource, key, value)
    SELECT 'cacert/' || c.certificate_id, json_extract(t.value, '$.Key'),
    coalesce(json_extract(t.value, '$.Value'), '')
    FROM ca_certificates c, json_each(c.tags) t
    WHERE c.tags IS NOT NULL AND json_valid(c.tags)
    AND json_extract(t.value, '$.Key') IS NOT NULL;
UPDATE ca_certificates SET tags = NULL WHERE tags IS NOT NULL;

-- A dynamic thing group is a thing_groups row with a query; its members
-- are group_members rows like a static group's, kept current in the
-- transaction of every thing change (api/thing_group_dynamic.c), so that
-- job targeting and CONTINUOUS jobs read both kinds alike.
ALTER TABLE thing_groups ADD COLUMN query_string TEXT;	-- NULL: static
ALTER TABLE thing_groups ADD COLUMN query_version TEXT;
ALTER TABLE thing_groups ADD COLUMN index_name TEXT;
CREATE INDEX thing_groups_dynamic ON thing_groups (name)
    WHERE query_string IS NOT NULL;
