// SPDX-License-Identifier: Apache-2.0
//
// Device identities for the broker plugin's tests: certificates signed by
// iotjobsd's CA, policies, attachments. INTERIM: until the certificate,
// policy and principal operations of the control plane are live, these
// write the store's identity tables (schema 0012) with the sqlite3 CLI,
// bumping the authorization generation as those operations do; the tests
// call only these functions, so that they switch to the AWS API in one
// place.

import { execFileSync } from "node:child_process";
import path from "node:path";

import { ACCOUNT_ID, REGION } from "./harness.mjs";

export const certArn = (id) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:cert/${id}`;

const q = (s) => s === null ? "NULL" : `'${String(s).replaceAll("'", "''")}'`;

function sql(d, text) {
	execFileSync("sqlite3", ["-cmd", ".timeout 5000",
	    path.join(d.dataDir, "iotjobs.db"),
	    `BEGIN IMMEDIATE; ${text}; UPDATE authz_state SET generation = ` +
	    "generation + 1 WHERE id = 1; COMMIT;"], { stdio: "pipe" });
}

// A new ACTIVE certificate for CN, signed by iotjobsd's CA and registered.
// Returns { certificateId, certificateArn, cert, key } (cert and key:
// files).
export function createCertificate(stack, cn = "device") {
	const c = stack.broker.deviceCert(cn);
	const now = Math.floor(Date.now() / 1000);
	sql(stack.d, "INSERT INTO certificates (certificate_id, pem, status, " +
	    "common_name, not_before, not_after, generation_id, created_at, " +
	    `modified_at) VALUES (${q(c.id)}, ${q(c.pem)}, 'ACTIVE', ${q(cn)}, ` +
	    `${now - 60}, ${now + 86400}, 'g1', ${now}, ${now})`);
	return { certificateId: c.id, certificateArn: certArn(c.id),
	    cert: c.cert, key: c.key };
}

// UpdateCertificate: the certificate's status (ACTIVE, INACTIVE, ...).
export function updateCertificate(stack, id, status) {
	sql(stack.d, `UPDATE certificates SET status = ${q(status)} WHERE ` +
	    `certificate_id = ${q(id)}`);
}

// CreatePolicy with DOC (an object) as version 1, the default.
export function createPolicy(stack, name, doc) {
	const now = Math.floor(Date.now() / 1000);
	sql(stack.d, "INSERT INTO policies (name, default_version, " +
	    "next_version, generation_id, created_at, modified_at) VALUES " +
	    `(${q(name)}, 1, 2, 'g1', ${now}, ${now}); INSERT INTO ` +
	    "policy_versions (policy_name, version_id, document, created_at) " +
	    `VALUES (${q(name)}, 1, ${q(JSON.stringify(doc))}, ${now})`);
}

// AttachPolicy: policy NAME to TARGET (a certificate or thing group ARN).
export function attachPolicy(stack, name, target) {
	sql(stack.d, "INSERT INTO policy_targets (policy_name, target, " +
	    `created_at) VALUES (${q(name)}, ${q(target)}, 0)`);
}

// DetachPolicy.
export function detachPolicy(stack, name, target) {
	sql(stack.d, `DELETE FROM policy_targets WHERE policy_name = ` +
	    `${q(name)} AND target = ${q(target)}`);
}

// AttachThingPrincipal: certificate ARN PRINCIPAL to thing THING.
export function attachThingPrincipal(stack, thing, principal) {
	sql(stack.d, "INSERT INTO thing_principals (thing_name, principal, " +
	    `type, created_at) VALUES (${q(thing)}, ${q(principal)}, ` +
	    "'NON_EXCLUSIVE_THING', 0)");
}

// DetachThingPrincipal.
export function detachThingPrincipal(stack, thing, principal) {
	sql(stack.d, `DELETE FROM thing_principals WHERE thing_name = ` +
	    `${q(thing)} AND principal = ${q(principal)}`);
}
