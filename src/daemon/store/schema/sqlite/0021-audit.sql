-- SPDX-License-Identifier: Apache-2.0
-- The audit log (iotjobs audit): one row per control-plane write, written
-- in the same transaction as the change, and per authorization refusal.
-- seq is the position in the hash chain (explicit, so that it is hashed);
-- hash is the SHA-256 of the row's canonical encoding with prev_hash, the
-- hash of row seq - 1 (src/common/audit_hash.h). Secrets and documents
-- never go in: detail holds hashes (documentSha256) and error messages.
CREATE TABLE audit_log (
	seq		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	principal	TEXT NOT NULL,
	operation	TEXT NOT NULL,
	target		TEXT NOT NULL DEFAULT '',
	thing		TEXT NOT NULL DEFAULT '',
	job		TEXT NOT NULL DEFAULT '',
	peer		TEXT NOT NULL DEFAULT '',
	request_id	TEXT NOT NULL DEFAULT '',
	result		TEXT NOT NULL,
	detail		TEXT NOT NULL DEFAULT '',
	prev_hash	TEXT NOT NULL,
	hash		TEXT NOT NULL
);
CREATE INDEX audit_log_thing ON audit_log (thing, seq) WHERE thing != '';
CREATE INDEX audit_log_job ON audit_log (job, seq) WHERE job != '';
CREATE INDEX audit_log_at ON audit_log (at);
