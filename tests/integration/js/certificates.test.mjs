// SPDX-License-Identifier: Apache-2.0
//
// Certificates and CA certificates through the AWS SDK for JavaScript v3:
// every operation's happy path and error classes, certificates checked
// with the openssl command against DATA_DIR/tls/ca.crt, and the limits
// this client sends unchecked (pageSize, id lengths) refused by the model.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import {
	CertificateConflictException,
	CertificateStateException,
	CertificateValidationException,
	CreateCertificateFromCsrCommand,
	CreateKeysAndCertificateCommand,
	CreateThingCommand,
	DeleteCACertificateCommand,
	DeleteCertificateCommand,
	DeleteConflictException,
	DeleteRegistrationCodeCommand,
	DescribeCACertificateCommand,
	DescribeCertificateCommand,
	GetRegistrationCodeCommand,
	InvalidRequestException,
	LimitExceededException,
	ListCACertificatesCommand,
	ListCertificatesByCACommand,
	ListCertificatesCommand,
	RegisterCACertificateCommand,
	RegisterCertificateCommand,
	RegisterCertificateWithoutCACommand,
	RegistrationCodeValidationException,
	ResourceAlreadyExistsException,
	ResourceNotFoundException,
	UpdateCACertificateCommand,
	UpdateCertificateCommand,
	paginateListCertificates,
} from "@aws-sdk/client-iot";

import {
	ACCOUNT_ID, REGION, iotClient, startDaemon, storeFor, uniqueName,
} from "../harness/harness.mjs";

const certArn = (id) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:cert/${id}`;
const caArn = (id) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:cacert/${id}`;

async function rejection(promise) {
	try {
		const out = await promise;
		assert.fail(`expected an error, got ${JSON.stringify(out)}`);
	} catch (err) {
		if (err instanceof assert.AssertionError)
			throw err;
		return err;
	}
}

async function assertRejects(promise, cls, status, ...words) {
	const err = await rejection(promise);
	assert.ok(err instanceof cls, `expected ${cls.name}, got ${err.name}:` +
	    ` ${err.message}`);
	assert.equal(err.$metadata.httpStatusCode, status);
	for (const w of words)
		assert.ok(err.message.includes(w),
		    `message "${err.message}" does not name ${w}`);
	return err;
}

const pemBody = (pem) => pem.trim().split("\n")
    .filter((l) => l && !l.startsWith("-----"));

// certificateId as AWS computes it: hex SHA-256 of the DER.
const pemId = (pem) => createHash("sha256")
    .update(Buffer.from(pemBody(pem).join(""), "base64")).digest("hex");

const CNF = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

// Keys, CSRs and certificates made with the openssl command.
class Pki {
	constructor() {
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotjobs-pki-"));
		this.cnf = this.write(CNF, "cnf");
	}

	close() {
		fs.rmSync(this.dir, { recursive: true, force: true });
	}

	file(suffix) {
		return path.join(this.dir,
		    `${randomBytes(6).toString("hex")}.${suffix}`);
	}

	write(text, suffix = "pem") {
		const p = this.file(suffix);
		fs.writeFileSync(p, text);
		return p;
	}

	run(...args) {
		return execFileSync("openssl", args, { stdio: "pipe" })
		    .toString();
	}

	key(bits) {
		const p = this.file("key");
		if (bits === undefined)
			this.run("genpkey", "-algorithm", "EC", "-pkeyopt",
			    "ec_paramgen_curve:P-256", "-out", p);
		else
			this.run("genpkey", "-algorithm", "RSA", "-pkeyopt",
			    `rsa_keygen_bits:${bits}`, "-out", p);
		return p;
	}

	serial() {
		return "0x" + randomBytes(8).toString("hex");
	}

	ca(cn, key = this.key()) {
		const p = this.file("crt");
		this.run("req", "-x509", "-config", this.cnf, "-extensions",
		    "v3_ca", "-key", key, "-subj", `/CN=${cn}`, "-days", "30",
		    "-set_serial", this.serial(), "-out", p);
		return { pem: fs.readFileSync(p, "utf8"), key };
	}

	csr(cn, key = this.key()) {
		const p = this.file("csr");
		this.run("req", "-new", "-config", this.cnf, "-key", key,
		    "-subj", `/CN=${cn}`, "-out", p);
		return { pem: fs.readFileSync(p, "utf8"), key };
	}

	sign(ca, cn) {
		const csr = this.csr(cn);
		const p = this.file("crt");
		this.run("x509", "-req", "-in", this.write(csr.pem), "-CA",
		    this.write(ca.pem), "-CAkey", ca.key, "-set_serial",
		    this.serial(), "-days", "30", "-extfile", this.cnf,
		    "-extensions", "v3_leaf", "-out", p);
		return fs.readFileSync(p, "utf8");
	}

	selfSignedLeaf(cn) {
		const p = this.file("crt");
		this.run("req", "-x509", "-config", this.cnf, "-extensions",
		    "v3_leaf", "-key", this.key(), "-subj", `/CN=${cn}`,
		    "-days", "30", "-out", p);
		return fs.readFileSync(p, "utf8");
	}

	// openssl verify of PEM against CAFILE: { ok, text }.
	verify(caFile, pem) {
		const r = spawnSync("openssl", ["verify", "-CAfile", caFile,
		    "-purpose", "sslclient", this.write(pem)]);
		return { ok: r.status === 0,
		    text: r.stdout.toString() + r.stderr.toString() };
	}

	pubOfCert(pem) {
		return this.run("x509", "-noout", "-pubkey", "-in",
		    this.write(pem));
	}

	pubOfKey(pemOrPath) {
		const p = pemOrPath.includes("-----BEGIN") ?
		    this.write(pemOrPath, "key") : pemOrPath;
		return this.run("pkey", "-pubout", "-in", p);
	}
}

describe("certificates (JS v3 clients)", () => {
	let d, iot, pki, caFile, ownId;

	before(async () => {
		d = await startDaemon();
		iot = iotClient(d);
		pki = new Pki();
		caFile = path.join(d.dataDir, "tls", "ca.crt");
		ownId = pemId(fs.readFileSync(caFile, "utf8"));
	});

	after(async () => {
		iot?.destroy();
		pki?.close();
		await d?.close();
	});

	// One value read from the store behind the daemon's back.
	const sql = (statement) => (storeFor(d.dataDir)
	    ? execFileSync("psql", [storeFor(d.dataDir), "-X", "-At", "-c",
		statement])
	    : execFileSync("sqlite3", [path.join(d.dataDir, "iotjobs.db"),
		".timeout 5000", statement])).toString().trim();

	const generation = () =>
	    Number(sql("SELECT generation FROM authz_state"));

	const status = async (id) => (await iot.send(
	    new DescribeCertificateCommand({ certificateId: id })))
	    .certificateDescription.status;

	// A CA made here, registered ACTIVE: { id, pem, key }.
	async function registerCa(extra = {}) {
		const ca = pki.ca(uniqueName("ca"));
		const { registrationCode } = await iot.send(
		    new GetRegistrationCodeCommand({}));
		const out = await iot.send(new RegisterCACertificateCommand({
			caCertificate: ca.pem,
			verificationCertificate: pki.sign(ca, registrationCode),
			setAsActive: true, ...extra,
		}));
		assert.equal(out.certificateId, pemId(ca.pem));
		assert.equal(out.certificateArn, caArn(out.certificateId));
		return { id: out.certificateId, ...ca };
	}

	test("CreateKeysAndCertificate: verifies against ca.crt, key matches",
	    async () => {
		const out = await iot.send(new CreateKeysAndCertificateCommand({
			setAsActive: true,
		}));
		assert.equal(out.certificateId, pemId(out.certificatePem));
		assert.equal(out.certificateArn, certArn(out.certificateId));
		const v = pki.verify(caFile, out.certificatePem);
		assert.ok(v.ok, v.text);
		assert.equal(pki.pubOfKey(out.keyPair.PrivateKey),
		    pki.pubOfCert(out.certificatePem));
		assert.equal(out.keyPair.PublicKey.trim(),
		    pki.pubOfKey(out.keyPair.PrivateKey).trim());
		const desc = (await iot.send(new DescribeCertificateCommand({
			certificateId: out.certificateId,
		}))).certificateDescription;
		assert.equal(desc.status, "ACTIVE");
		assert.equal(desc.caCertificateId, ownId);
		assert.equal(desc.ownedBy, ACCOUNT_ID);
		assert.equal(desc.customerVersion, 1);
		assert.equal(desc.certificateMode, "DEFAULT");
		assert.ok(desc.creationDate instanceof Date);
		assert.ok(desc.validity.notAfter > desc.validity.notBefore);
		assert.equal(desc.keyPair, undefined);

		// The private key is in neither the log nor any stored file.
		const lines = pemBody(out.keyPair.PrivateKey);
		const files = fs.readdirSync(d.dataDir)
		    .map((n) => path.join(d.dataDir, n))
		    .filter((p) => fs.statSync(p).isFile());
		files.push(d.logPath);
		for (const f of files) {
			const text = fs.readFileSync(f).toString("latin1");
			for (const l of lines.slice(0, -1))
				assert.ok(!text.includes(l), `${f} holds the key`);
		}

		const inactive = await iot.send(
		    new CreateKeysAndCertificateCommand({}));
		assert.equal(await status(inactive.certificateId), "INACTIVE");
	});

	test("the CA files' modes", () => {
		const mode = (p) => fs.statSync(p).mode & 0o777;
		assert.equal(mode(path.join(d.dataDir, "tls")), 0o700);
		assert.equal(mode(path.join(d.dataDir, "tls", "ca.key")), 0o600);
		// Public, but never world-readable: shared by group.
		assert.equal(mode(caFile), 0o640);
	});

	test("CreateCertificateFromCsr: an openssl req CSR", async () => {
		const csr = pki.csr("js-device", pki.key(2048));
		const out = await iot.send(new CreateCertificateFromCsrCommand({
			certificateSigningRequest: csr.pem, setAsActive: true,
		}));
		const v = pki.verify(caFile, out.certificatePem);
		assert.ok(v.ok, v.text);
		assert.equal(pki.pubOfCert(out.certificatePem),
		    pki.pubOfKey(csr.key));
		assert.equal(await status(out.certificateId), "ACTIVE");
		await assertRejects(iot.send(new CreateCertificateFromCsrCommand({
			certificateSigningRequest: "no",
		})), InvalidRequestException, 400, "certificateSigningRequest");
		const weak = pki.csr("weak", pki.key(1024));
		await assertRejects(iot.send(new CreateCertificateFromCsrCommand({
			certificateSigningRequest: weak.pem,
		})), InvalidRequestException, 400, "2048");
	});

	test("RegisterCertificate with and without the CA's PEM", async () => {
		const ca = await registerCa();
		const pem = pki.sign(ca, "dev-a");
		const out = await iot.send(new RegisterCertificateCommand({
			certificatePem: pem, caCertificatePem: ca.pem,
			status: "ACTIVE",
		}));
		assert.equal(out.certificateId, pemId(pem));
		assert.equal(out.certificateArn, certArn(pemId(pem)));
		const desc = (await iot.send(new DescribeCertificateCommand({
			certificateId: out.certificateId,
		}))).certificateDescription;
		assert.equal(desc.caCertificateId, ca.id);
		assert.equal(desc.status, "ACTIVE");

		const found = await iot.send(new RegisterCertificateCommand({
			certificatePem: pki.sign(ca, "dev-b"),
		}));
		assert.equal(await status(found.certificateId), "INACTIVE");

		const err = await assertRejects(iot.send(
		    new RegisterCertificateCommand({ certificatePem: pem })),
		    ResourceAlreadyExistsException, 409, pemId(pem));
		assert.equal(err.resourceId, pemId(pem));

		await assertRejects(iot.send(new RegisterCertificateCommand({
			certificatePem: "not a pem",
		})), CertificateValidationException, 400, "certificatePem");
		const stranger = pki.ca(uniqueName("stranger"));
		await assertRejects(iot.send(new RegisterCertificateCommand({
			certificatePem: pki.sign(stranger, "x"),
		})), CertificateValidationException, 400, "no registered");
		await assertRejects(iot.send(new RegisterCertificateCommand({
			certificatePem: pki.sign(stranger, "y"),
			caCertificatePem: stranger.pem,
		})), CertificateValidationException, 400, "not registered");
		await assertRejects(iot.send(new RegisterCertificateCommand({
			certificatePem: pki.sign(ca, "z"),
			status: "PENDING_TRANSFER",
		})), InvalidRequestException, 400, "PENDING_TRANSFER");
	});

	test("RegisterCertificate: twin CAs conflict", async () => {
		const subject = uniqueName("twin");
		const key = pki.key();
		const { registrationCode } = await iot.send(
		    new GetRegistrationCodeCommand({}));
		let ca;
		for (let i = 0; i < 2; i++) {
			ca = pki.ca(subject, key);
			await iot.send(new RegisterCACertificateCommand({
				caCertificate: ca.pem,
				verificationCertificate: pki.sign(ca,
				    registrationCode),
				setAsActive: true,
			}));
		}
		await assertRejects(iot.send(new RegisterCertificateCommand({
			certificatePem: pki.sign(ca, "dev"),
		})), CertificateConflictException, 409, "caCertificatePem");
	});

	test("RegisterCertificateWithoutCA", async () => {
		const pem = pki.selfSignedLeaf(uniqueName("noca"));
		const out = await iot.send(
		    new RegisterCertificateWithoutCACommand({
			certificatePem: pem, status: "REVOKED",
		}));
		assert.equal(out.certificateId, pemId(pem));
		const desc = (await iot.send(new DescribeCertificateCommand({
			certificateId: out.certificateId,
		}))).certificateDescription;
		assert.equal(desc.certificateMode, "SNI_ONLY");
		assert.equal(desc.caCertificateId, undefined);
		assert.equal(desc.status, "REVOKED");
		await assertRejects(iot.send(
		    new RegisterCertificateWithoutCACommand({
			certificatePem: pem,
		})), ResourceAlreadyExistsException, 409);
		await assertRejects(iot.send(
		    new RegisterCertificateWithoutCACommand({
			certificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n" +
			    "-----END CERTIFICATE-----\n",
		})), CertificateValidationException, 400, "certificatePem");
	});

	test("RegisterCACertificate and its refusals", async () => {
		const ca = await registerCa({
			allowAutoRegistration: true,
			registrationConfig: { templateBody: "{}",
			    roleArn: "arn:aws:iam::123456789012:role/p" },
			tags: [{ Key: "k", Value: "v" }],
		});
		const out = await iot.send(new DescribeCACertificateCommand({
			certificateId: ca.id,
		}));
		const desc = out.certificateDescription;
		assert.equal(desc.certificateArn, caArn(ca.id));
		assert.equal(desc.status, "ACTIVE");
		assert.equal(desc.autoRegistrationStatus, "ENABLE");
		assert.equal(desc.ownedBy, ACCOUNT_ID);
		assert.equal(out.registrationConfig.templateBody, "{}");

		const { registrationCode } = await iot.send(
		    new GetRegistrationCodeCommand({}));
		const other = pki.ca(uniqueName("other"));
		await assertRejects(iot.send(new RegisterCACertificateCommand({
			caCertificate: other.pem,
			verificationCertificate: pki.sign(other, "f".repeat(64)),
		})), RegistrationCodeValidationException, 400,
		    "registration code");
		await assertRejects(iot.send(new RegisterCACertificateCommand({
			caCertificate: pki.selfSignedLeaf("leaf"),
			verificationCertificate: pki.sign(other,
			    registrationCode),
		})), CertificateValidationException, 400, "not a CA");
		await assertRejects(iot.send(new RegisterCACertificateCommand({
			caCertificate: other.pem,
		})), InvalidRequestException, 400, "verificationCertificate");
		await assertRejects(iot.send(new RegisterCACertificateCommand({
			caCertificate: ca.pem,
			verificationCertificate: pki.sign(ca, registrationCode),
		})), ResourceAlreadyExistsException, 409, ca.id);
		await assertRejects(iot.send(new RegisterCACertificateCommand({
			caCertificate: other.pem,
			verificationCertificate: pki.sign(other,
			    registrationCode),
			registrationConfig: { templateName: "fleet" },
		})), ResourceNotFoundException, 404, "fleet");
	});

	test("at most ten CA certificates of one subject", async () => {
		const subject = uniqueName("ten");
		for (let i = 0; i < 10; i++)
			await iot.send(new RegisterCACertificateCommand({
				caCertificate: pki.ca(subject).pem,
				certificateMode: "SNI_ONLY",
			}));
		await assertRejects(iot.send(new RegisterCACertificateCommand({
			caCertificate: pki.ca(subject).pem,
			certificateMode: "SNI_ONLY",
		})), LimitExceededException, 410, subject);
	});

	test("GetRegistrationCode and DeleteRegistrationCode", async () => {
		const a = (await iot.send(new GetRegistrationCodeCommand({})))
		    .registrationCode;
		assert.match(a, /^[0-9a-f]{64}$/);
		assert.equal((await iot.send(new GetRegistrationCodeCommand(
		    {}))).registrationCode, a);
		await iot.send(new DeleteRegistrationCodeCommand({}));
		await assertRejects(iot.send(new DeleteRegistrationCodeCommand(
		    {})), ResourceNotFoundException, 404);
		const b = (await iot.send(new GetRegistrationCodeCommand({})))
		    .registrationCode;
		assert.notEqual(a, b);
	});

	test("UpdateCACertificate, DeleteCACertificate, ListCACertificates",
	    async () => {
		const ca = await registerCa();
		await assertRejects(iot.send(new DeleteCACertificateCommand({
			certificateId: ca.id,
		})), CertificateStateException, 406, "ACTIVE");
		let g = generation();
		await iot.send(new UpdateCACertificateCommand({
			certificateId: ca.id, newStatus: "INACTIVE",
			newAutoRegistrationStatus: "ENABLE",
		}));
		assert.equal(generation(), g + 1);
		const desc = (await iot.send(new DescribeCACertificateCommand({
			certificateId: ca.id,
		}))).certificateDescription;
		assert.equal(desc.status, "INACTIVE");
		assert.equal(desc.autoRegistrationStatus, "ENABLE");
		assert.equal(desc.customerVersion, 2);
		await assertRejects(iot.send(new UpdateCACertificateCommand({
			certificateId: ca.id, removeAutoRegistration: true,
			newAutoRegistrationStatus: "ENABLE",
		})), InvalidRequestException, 400, "removeAutoRegistration");
		await assertRejects(iot.send(new UpdateCACertificateCommand({
			certificateId: "e".repeat(64), newStatus: "ACTIVE",
		})), ResourceNotFoundException, 404);

		const list = await iot.send(new ListCACertificatesCommand({
			ascendingOrder: true, pageSize: 250,
		}));
		const ids = list.certificates.map((c) => c.certificateId);
		assert.ok(ids.includes(ca.id) && ids.includes(ownId));
		for (const c of list.certificates)
			assert.equal(c.certificateArn, caArn(c.certificateId));
		const first = await iot.send(new ListCACertificatesCommand({
			pageSize: 1,
		}));
		assert.equal(first.certificates.length, 1);
		assert.ok(first.nextMarker);
		const second = await iot.send(new ListCACertificatesCommand({
			pageSize: 1, marker: first.nextMarker,
		}));
		assert.notEqual(second.certificates[0].certificateId,
		    first.certificates[0].certificateId);

		g = generation();
		await iot.send(new DeleteCACertificateCommand({
			certificateId: ca.id,
		}));
		assert.equal(generation(), g + 1);
		await assertRejects(iot.send(new DescribeCACertificateCommand({
			certificateId: ca.id,
		})), ResourceNotFoundException, 404, ca.id);
		await assertRejects(iot.send(new DeleteCACertificateCommand({
			certificateId: ca.id,
		})), ResourceNotFoundException, 404);
	});

	test("UpdateCertificate: transitions and refusals", async () => {
		const { certificateId: id } = await iot.send(
		    new CreateKeysAndCertificateCommand({}));
		const g = generation();
		await iot.send(new UpdateCertificateCommand({
			certificateId: id, newStatus: "ACTIVE",
		}));
		assert.equal(generation(), g + 1);
		assert.equal(await status(id), "ACTIVE");
		for (const s of ["PENDING_TRANSFER", "PENDING_ACTIVATION",
		    "REGISTER_INACTIVE"])
			await assertRejects(iot.send(new UpdateCertificateCommand({
				certificateId: id, newStatus: s,
			})), CertificateStateException, 406, s);
		await iot.send(new UpdateCertificateCommand({
			certificateId: id, newStatus: "REVOKED",
		}));
		await assertRejects(iot.send(new UpdateCertificateCommand({
			certificateId: id, newStatus: "ACTIVE",
		})), CertificateStateException, 406, "REVOKED");
		await assertRejects(iot.send(new UpdateCertificateCommand({
			certificateId: "f".repeat(64), newStatus: "ACTIVE",
		})), ResourceNotFoundException, 404);
	});

	test("DeleteCertificate: state, things, policies, forceDelete",
	    async () => {
		const make = async (active) => (await iot.send(
		    new CreateKeysAndCertificateCommand({
			setAsActive: active,
		}))).certificateId;
		const active = await make(true);
		await assertRejects(iot.send(new DeleteCertificateCommand({
			certificateId: active,
		})), CertificateStateException, 406, "ACTIVE");

		const onThing = await make(false);
		const thing = uniqueName("th");
		await iot.send(new CreateThingCommand({ thingName: thing }));
		sql("INSERT INTO thing_principals (thing_name, principal, type," +
		    ` created_at) VALUES ('${thing}', '${certArn(onThing)}',` +
		    " 'NON_EXCLUSIVE_THING', 0)");
		await assertRejects(iot.send(new DeleteCertificateCommand({
			certificateId: onThing, forceDelete: true,
		})), DeleteConflictException, 409, "thing");

		const withPolicy = await make(false);
		sql("INSERT INTO policy_targets (policy_name, target, created_at)" +
		    ` VALUES ('p1', '${certArn(withPolicy)}', 0)`);
		await assertRejects(iot.send(new DeleteCertificateCommand({
			certificateId: withPolicy,
		})), DeleteConflictException, 409, "forceDelete");
		await iot.send(new DeleteCertificateCommand({
			certificateId: withPolicy, forceDelete: true,
		}));
		assert.equal(sql("SELECT count(*) FROM policy_targets WHERE" +
		    ` target = '${certArn(withPolicy)}'`), "0");
		await assertRejects(iot.send(new DescribeCertificateCommand({
			certificateId: withPolicy,
		})), ResourceNotFoundException, 404);
		await assertRejects(iot.send(new DeleteCertificateCommand({
			certificateId: withPolicy,
		})), ResourceNotFoundException, 404);
	});

	test("ListCertificates and ListCertificatesByCA page by marker",
	    async () => {
		const mine = new Set();
		for (let i = 0; i < 4; i++)
			mine.add((await iot.send(
			    new CreateKeysAndCertificateCommand({})))
			    .certificateId);
		const seen = [];
		for await (const page of paginateListCertificates(
		    { client: iot, pageSize: 3 }, { ascendingOrder: true }))
			seen.push(...page.certificates);
		const ids = seen.map((c) => c.certificateId);
		assert.equal(new Set(ids).size, ids.length);
		for (const id of mine)
			assert.ok(ids.includes(id));
		const keys = seen.map((c) => [c.creationDate.getTime(),
		    c.certificateId]);
		const sorted = [...keys].sort((a, b) => a[0] - b[0] ||
		    (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
		assert.deepEqual(keys, sorted);

		const byCa = await iot.send(new ListCertificatesByCACommand({
			caCertificateId: ownId, pageSize: 250,
		}));
		for (const id of mine)
			assert.ok(byCa.certificates.some(
			    (c) => c.certificateId === id));
		const none = await iot.send(new ListCertificatesByCACommand({
			caCertificateId: "0".repeat(64),
		}));
		assert.deepEqual(none.certificates, []);
	});

	test("the model's limits this client does not check", async () => {
		for (const pageSize of [0, 251])
			await assertRejects(iot.send(new ListCertificatesCommand({
				pageSize,
			})), InvalidRequestException, 400, "pageSize");
		await assertRejects(iot.send(new DescribeCertificateCommand({
			certificateId: "abc",
		})), InvalidRequestException, 400, "certificateId");
		await assertRejects(iot.send(new ListCertificatesCommand({
			marker: "not a marker!",
		})), InvalidRequestException, 400, "marker");
		await assertRejects(iot.send(new ListCertificatesCommand({
			marker: "QUJD",
		})), InvalidRequestException, 400, "marker");
	});
});
