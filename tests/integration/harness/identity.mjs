// SPDX-License-Identifier: Apache-2.0
//
// Device identities for the broker plugin's tests, through the AWS API
// (JS SDK v3): CreateKeysAndCertificate, UpdateCertificate, CreatePolicy,
// AttachPolicy, AttachThingPrincipal, DetachThingPrincipal. INTERIM: while
// this tree answers 501 to the certificate operations, a certificate is
// signed by iotjobsd's CA with openssl and its row written with the
// sqlite3 CLI (bumping the authorization generation, as the operation
// does); the tests call only these functions.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import {
	AttachPolicyCommand,
	AttachThingPrincipalCommand,
	CreateKeysAndCertificateCommand,
	CreatePolicyCommand,
	DetachThingPrincipalCommand,
	RegisterCACertificateCommand,
	RegisterCertificateCommand,
	UpdateCACertificateCommand,
	UpdateCertificateCommand,
} from "@aws-sdk/client-iot";

import { ACCOUNT_ID, REGION, iotClient } from "./harness.mjs";
import { newCa, signedCert } from "./broker.mjs";

export const certArn = (id) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:cert/${id}`;

const q = (s) => s === null ? "NULL" : `'${String(s).replaceAll("'", "''")}'`;
const notLive = (e) => e?.$metadata?.httpStatusCode === 501;

function sql(d, text) {
	execFileSync("sqlite3", ["-cmd", ".timeout 5000",
	    path.join(d.dataDir, "iotjobs.db"),
	    `BEGIN IMMEDIATE; ${text}; UPDATE authz_state SET generation = ` +
	    "generation + 1 WHERE id = 1; COMMIT;"], { stdio: "pipe" });
}

function iot(stack) {
	stack.iot ??= iotClient(stack.d);
	return stack.iot;
}

let files = 0;

// A new ACTIVE certificate and its key (CreateKeysAndCertificate
// setAsActive). Returns { certificateId, certificateArn, cert, key } (cert
// and key: files in the broker's folder).
export async function createCertificate(stack, cn = "device") {
	try {
		const out = await iot(stack).send(
		    new CreateKeysAndCertificateCommand({ setAsActive: true }));
		const base = path.join(stack.broker.dir, `api-${++files}`);
		fs.writeFileSync(`${base}.crt`, out.certificatePem);
		fs.writeFileSync(`${base}.key`, out.keyPair.PrivateKey,
		    { mode: 0o600 });
		return { certificateId: out.certificateId,
		    certificateArn: out.certificateArn, cert: `${base}.crt`,
		    key: `${base}.key` };
	} catch (e) {
		if (!notLive(e))
			throw e;
	}
	const c = stack.broker.deviceCert(cn);
	const now = Math.floor(Date.now() / 1000);
	sql(stack.d, "INSERT INTO certificates (certificate_id, pem, status, " +
	    "common_name, not_before, not_after, generation_id, created_at, " +
	    `modified_at) VALUES (${q(c.id)}, ${q(c.pem)}, 'ACTIVE', ` +
	    `${q(cn)}, ${now - 60}, ${now + 86400}, 'g1', ${now}, ${now})`);
	return { certificateId: c.id, certificateArn: certArn(c.id),
	    cert: c.cert, key: c.key };
}

// UpdateCertificate: the certificate's status (ACTIVE, INACTIVE, ...).
export async function updateCertificate(stack, id, status) {
	try {
		await iot(stack).send(new UpdateCertificateCommand(
		    { certificateId: id, newStatus: status }));
		return;
	} catch (e) {
		if (!notLive(e))
			throw e;
	}
	sql(stack.d, `UPDATE certificates SET status = ${q(status)} WHERE ` +
	    `certificate_id = ${q(id)}`);
}

// CreatePolicy with DOC (an object).
export async function createPolicy(stack, name, doc) {
	await iot(stack).send(new CreatePolicyCommand({ policyName: name,
	    policyDocument: JSON.stringify(doc) }));
}

// AttachPolicy: policy NAME to TARGET (a certificate or thing group ARN).
export async function attachPolicy(stack, name, target) {
	await iot(stack).send(new AttachPolicyCommand({ policyName: name,
	    target }));
}

// AttachThingPrincipal: certificate ARN PRINCIPAL to thing THING.
export async function attachThingPrincipal(stack, thing, principal) {
	await iot(stack).send(new AttachThingPrincipalCommand(
	    { thingName: thing, principal }));
}

// DetachThingPrincipal.
export async function detachThingPrincipal(stack, thing, principal) {
	await iot(stack).send(new DetachThingPrincipalCommand(
	    { thingName: thing, principal }));
}

// A new CA of the test's own (key and certificate in the broker's
// folder) registered ACTIVE (RegisterCACertificate, SNI_ONLY: no
// verification certificate). Returns { certificateId, cert, key, pem }.
export async function registerCa(stack, cn) {
	const ca = newCa(stack.broker.dir, `ca-${++files}`, cn);
	ca.pem = fs.readFileSync(ca.cert, "utf8");
	try {
		const out = await iot(stack).send(
		    new RegisterCACertificateCommand({ caCertificate: ca.pem,
		    setAsActive: true, certificateMode: "SNI_ONLY" }));
		return { ...ca, certificateId: out.certificateId };
	} catch (e) {
		if (!notLive(e))
			throw e;
	}
	ca.certificateId = pemId(ca.pem);
	const now = Math.floor(Date.now() / 1000);
	sql(stack.d, "INSERT INTO ca_certificates (certificate_id, pem, " +
	    "status, subject, not_before, not_after, generation_id, " +
	    `created_at, modified_at) VALUES (${q(ca.certificateId)}, ` +
	    `${q(ca.pem)}, 'ACTIVE', ${q(`CN=${cn}`)}, ${now - 60}, ` +
	    `${now + 86400}, 'g1', ${now}, ${now})`);
	return ca;
}

// UpdateCACertificate: the CA's status.
export async function updateCa(stack, id, status) {
	try {
		await iot(stack).send(new UpdateCACertificateCommand(
		    { certificateId: id, newStatus: status }));
		return;
	} catch (e) {
		if (!notLive(e))
			throw e;
	}
	sql(stack.d, `UPDATE ca_certificates SET status = ${q(status)} ` +
	    `WHERE certificate_id = ${q(id)}`);
}

// A certificate for CN signed by CA (registerCa), registered ACTIVE with
// it (RegisterCertificate). Returns what createCertificate returns.
export async function registerCertificate(stack, ca, cn) {
	const c = signedCert(stack.broker.dir, `reg-${++files}`, cn, ca);
	try {
		const out = await iot(stack).send(
		    new RegisterCertificateCommand({ certificatePem: c.pem,
		    caCertificatePem: ca.pem, status: "ACTIVE" }));
		return { certificateId: out.certificateId,
		    certificateArn: out.certificateArn, cert: c.cert,
		    key: c.key };
	} catch (e) {
		if (!notLive(e))
			throw e;
	}
	const now = Math.floor(Date.now() / 1000);
	sql(stack.d, "INSERT INTO certificates (certificate_id, pem, status, " +
	    "ca_certificate_id, common_name, not_before, not_after, " +
	    "generation_id, created_at, modified_at) VALUES " +
	    `(${q(c.id)}, ${q(c.pem)}, 'ACTIVE', ${q(ca.certificateId)}, ` +
	    `${q(cn)}, ${now - 60}, ${now + 86400}, 'g1', ${now}, ${now})`);
	return { certificateId: c.id, certificateArn: certArn(c.id),
	    cert: c.cert, key: c.key };
}

// The hex SHA-256 of a PEM certificate's DER.
function pemId(pem) {
	const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""),
	    "base64");
	return createHash("sha256").update(der).digest("hex");
}
