-- SPDX-License-Identifier: Apache-2.0
-- What the certificate operations need beside schema 0012: the account's
-- registration code (GetRegistrationCode: one per deployment, created on
-- first request, kept until DeleteRegistrationCode), the tags given to
-- RegisterCACertificate, and the creation-order indexes that page
-- ListCACertificates and ListCertificatesByCA (certificates_created of
-- 0012 pages ListCertificates).

CREATE TABLE registration_code (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	code		TEXT NOT NULL,		-- 64 lower-case hex digits
	created_at	INTEGER NOT NULL
);

ALTER TABLE ca_certificates ADD COLUMN tags TEXT;	-- JSON array, or NULL

CREATE INDEX ca_certificates_created ON ca_certificates (created_at,
    certificate_id);

CREATE INDEX certificates_ca_created ON certificates (ca_certificate_id,
    created_at, certificate_id) WHERE ca_certificate_id IS NOT NULL;
