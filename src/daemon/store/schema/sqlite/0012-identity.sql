-- SPDX-License-Identifier: Apache-2.0
-- Device identity (AWS IoT's security API): X.509 certificates and the CA
-- certificates they were registered with, policies and their versions,
-- the principals and groups policies are attached to, the principals
-- attached to things, and the operators' named SigV4 keys. Timestamps are
-- epoch seconds on the real clock; certificate ids are the hex SHA-256 of
-- the certificate's DER.
--
-- authz_state.generation grows by one in every transaction that changes
-- anything an authorization decision reads (a certificate's status, a
-- policy, an attachment, an operator key): caches of those decisions, in
-- iotjobsd and in the broker plugin, compare it to know when to reload.

CREATE TABLE ca_certificates (
	certificate_id	TEXT PRIMARY KEY,
	pem		TEXT NOT NULL,
	status		TEXT NOT NULL,		-- ACTIVE | INACTIVE
	auto_registration TEXT NOT NULL DEFAULT 'DISABLE',
	mode		TEXT NOT NULL DEFAULT 'DEFAULT', -- DEFAULT | SNI_ONLY
	registration_config TEXT,		-- JSON object, or NULL
	subject		TEXT NOT NULL,		-- RFC 2253, for issuer look-up
	not_before	INTEGER NOT NULL,
	not_after	INTEGER NOT NULL,
	customer_version INTEGER NOT NULL DEFAULT 1,
	generation_id	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	modified_at	INTEGER NOT NULL
);
CREATE INDEX ca_certificates_subject ON ca_certificates (subject);

CREATE TABLE certificates (
	certificate_id	TEXT PRIMARY KEY,
	pem		TEXT NOT NULL,
	-- ACTIVE | INACTIVE | REVOKED | PENDING_TRANSFER | REGISTER_INACTIVE
	-- | PENDING_ACTIVATION
	status		TEXT NOT NULL,
	ca_certificate_id TEXT,			-- NULL: registered without CA
	mode		TEXT NOT NULL DEFAULT 'DEFAULT',
	common_name	TEXT NOT NULL DEFAULT '',
	not_before	INTEGER NOT NULL,
	not_after	INTEGER NOT NULL,
	customer_version INTEGER NOT NULL DEFAULT 1,
	generation_id	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	modified_at	INTEGER NOT NULL
);
CREATE INDEX certificates_ca ON certificates (ca_certificate_id,
    certificate_id) WHERE ca_certificate_id IS NOT NULL;
CREATE INDEX certificates_created ON certificates (created_at,
    certificate_id);

CREATE TABLE policies (
	name		TEXT PRIMARY KEY,
	default_version	INTEGER NOT NULL,
	next_version	INTEGER NOT NULL,	-- the id the next version gets
	generation_id	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	modified_at	INTEGER NOT NULL
);

CREATE TABLE policy_versions (
	policy_name	TEXT NOT NULL,
	version_id	INTEGER NOT NULL,
	document	TEXT NOT NULL,		-- as the caller sent it
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (policy_name, version_id)
) WITHOUT ROWID;

-- A policy attached to a target: a certificate ARN or a thing group ARN.
CREATE TABLE policy_targets (
	policy_name	TEXT NOT NULL,
	target		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (policy_name, target)
) WITHOUT ROWID;
CREATE INDEX policy_targets_target ON policy_targets (target, policy_name);

-- A principal (a certificate ARN) attached to a thing.
CREATE TABLE thing_principals (
	thing_name	TEXT NOT NULL,
	principal	TEXT NOT NULL,
	type		TEXT NOT NULL,	-- EXCLUSIVE_THING | NON_EXCLUSIVE_THING
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (thing_name, principal)
) WITHOUT ROWID;
CREATE INDEX thing_principals_principal ON thing_principals (principal,
    thing_name);

-- Named operator keys beside the admin key pair. The secret is sealed
-- (AES-256-GCM under DATA_DIR/tls/keys.key), never stored in the clear:
-- SigV4 needs the secret itself, so a one-way hash cannot verify it.
CREATE TABLE operator_keys (
	access_key_id	TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	sealed_secret	BLOB NOT NULL,
	policy		TEXT NOT NULL,		-- IAM-style JSON document
	status		TEXT NOT NULL,		-- ACTIVE | REVOKED
	created_at	INTEGER NOT NULL,
	revoked_at	INTEGER
);

CREATE TABLE authz_state (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	generation	INTEGER NOT NULL
);
INSERT INTO authz_state (id, generation) VALUES (1, 0);
