# SPDX-License-Identifier: Apache-2.0
"""Certificates and CA certificates on the control plane through boto3's
'iot' client: CreateKeysAndCertificate, CreateCertificateFromCsr,
RegisterCertificate(WithoutCA), RegisterCACertificate, the registration
code, Describe/List/Update/Delete of both, against iotjobsd's own CA
(DATA_DIR/tls/ca.crt) and CAs made here with the openssl CLI."""

import base64
import binascii
import hashlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import (ACCOUNT_ID, REGION, Daemon, DaemonError,
                     DaemonTestCase, store_dump, store_sql, unique_name)

OPENSSL_CNF = """
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
[ca]
default_ca = ca_any
[ca_any]
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
"""


def cert_arn(cert_id):
    return "arn:aws:iot:%s:%s:cert/%s" % (REGION, ACCOUNT_ID, cert_id)


def cacert_arn(cert_id):
    return "arn:aws:iot:%s:%s:cacert/%s" % (REGION, ACCOUNT_ID, cert_id)


def pem_body(pem):
    """The base64 lines of the first PEM block of PEM."""
    lines = pem.strip().splitlines()
    return [ln for ln in lines if ln and not ln.startswith("-----")]


def pem_id(pem):
    """certificateId as AWS computes it: hex SHA-256 of the DER."""
    der = base64.b64decode("".join(pem_body(pem)))
    return hashlib.sha256(der).hexdigest()


class Pki:
    """Keys, CSRs and certificates made with the openssl command."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="iotjobs-pki-")
        self.cnf = os.path.join(self.dir, "openssl.cnf")
        with open(self.cnf, "w") as f:
            f.write(OPENSSL_CNF.format(dir=self.dir))
        open(os.path.join(self.dir, "index.txt"), "w").close()
        with open(os.path.join(self.dir, "serial"), "w") as f:
            f.write("01\n")
        self.n = 0

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, suffix):
        self.n += 1
        return os.path.join(self.dir, "f%d.%s" % (self.n, suffix))

    def run(self, *args, data=None):
        r = subprocess.run(["openssl"] + list(args), input=data,
                           capture_output=True)
        if r.returncode != 0:
            raise RuntimeError("openssl %s: %s" % (" ".join(args),
                                                   r.stderr.decode()))
        return r.stdout.decode()

    @staticmethod
    def read(path):
        with open(path) as f:
            return f.read()

    def write(self, text, suffix="pem"):
        p = self.path(suffix)
        with open(p, "w") as f:
            f.write(text)
        return p

    def key(self, kind="ec"):
        p = self.path("key")
        if kind == "ec":
            self.run("genpkey", "-algorithm", "EC", "-pkeyopt",
                     "ec_paramgen_curve:P-256", "-out", p)
        else:
            self.run("genpkey", "-algorithm", "RSA", "-pkeyopt",
                     "rsa_keygen_bits:%d" % kind, "-out", p)
        return p

    def ca(self, cn, key=None):
        """A self-signed CA: (cert PEM, key path)."""
        key = key or self.key()
        p = self.path("crt")
        self.run("req", "-x509", "-config", self.cnf, "-extensions",
                 "v3_ca", "-key", key, "-subj", "/CN=" + cn, "-days",
                 "30", "-set_serial", "0x" + os.urandom(8).hex(), "-out", p)
        return self.read(p), key

    def csr(self, cn, key=None):
        key = key or self.key()
        p = self.path("csr")
        self.run("req", "-new", "-config", self.cnf, "-key", key, "-subj",
                 "/CN=%s/O=iotjobs-test" % cn, "-out", p)
        return self.read(p), key

    def sign(self, ca_pem, ca_key, cn, key=None, ext="v3_leaf"):
        """A certificate for CN signed by the CA: (cert PEM, key path)."""
        csr, key = self.csr(cn, key)
        out = self.path("crt")
        self.run("x509", "-req", "-in", self.write(csr), "-CA",
                 self.write(ca_pem), "-CAkey", ca_key, "-set_serial",
                 "0x" + os.urandom(8).hex(), "-days", "30", "-extfile",
                 self.cnf, "-extensions", ext, "-out", out)
        return self.read(out), key

    def self_signed_leaf(self, cn):
        p = self.path("crt")
        self.run("req", "-x509", "-config", self.cnf, "-extensions",
                 "v3_leaf", "-key", self.key(), "-subj", "/CN=" + cn,
                 "-days", "30", "-out", p)
        return self.read(p)

    def expired(self, ca_pem, ca_key, cn):
        csr, _ = self.csr(cn)
        out = self.path("crt")
        self.run("ca", "-batch", "-config", self.cnf, "-notext", "-cert",
                 self.write(ca_pem), "-keyfile", ca_key,
                 "-startdate", "20200101000000Z", "-enddate",
                 "20200201000000Z", "-extfile", self.cnf, "-extensions",
                 "v3_leaf", "-in", self.write(csr), "-out", out)
        return self.read(out)

    def verify(self, ca_path, pem):
        """openssl verify of PEM against CA_PATH: (ok, output)."""
        r = subprocess.run(["openssl", "verify", "-CAfile", ca_path,
                            "-purpose", "sslclient", self.write(pem)],
                           capture_output=True)
        return r.returncode == 0, (r.stdout + r.stderr).decode()

    def pubkey_of_cert(self, pem):
        return self.run("x509", "-noout", "-pubkey", "-in", self.write(pem))

    def pubkey_of_key(self, key_pem_or_path):
        path = key_pem_or_path
        if "-----BEGIN" in key_pem_or_path:
            path = self.write(key_pem_or_path, "key")
        return self.run("pkey", "-pubout", "-in", path)

    def subject(self, pem, kind="x509"):
        return self.run(kind, "-noout", "-subject", "-nameopt", "RFC2253",
                        "-in", self.write(pem)).strip()


class CertTestCase(DaemonTestCase):
    """A daemon and a Pki per class, and the checks every test uses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = Pki()
        cls.addClassCleanup(cls.pki.close)

    def assertError(self, cm, code, status, *words):
        self.assertClientError(cm.exception, code, status)
        msg = cm.exception.response["Error"]["Message"]
        for w in words:
            self.assertIn(w, msg)

    def ca_crt_path(self):
        return os.path.join(self.daemon.data_dir, "tls", "ca.crt")

    def own_ca_id(self):
        return pem_id(Pki.read(self.ca_crt_path()))

    def generation(self):
        return int(store_sql(self.daemon.data_dir,
                             "SELECT generation FROM authz_state")[0][0])

    def register_ca(self, cn=None, active=True, **kw):
        """A CA made here and registered: (id, cert PEM, key path)."""
        pem, key = self.pki.ca(cn or unique_name("ca"))
        code = self.iot.get_registration_code()["registrationCode"]
        ver, _ = self.pki.sign(pem, key, code)
        out = self.iot.register_ca_certificate(
            caCertificate=pem, verificationCertificate=ver,
            setAsActive=active, **kw)
        self.assertEqual(out["certificateId"], pem_id(pem))
        return out["certificateId"], pem, key

    def cert_status(self, cert_id):
        return self.iot.describe_certificate(certificateId=cert_id)[
            "certificateDescription"]["status"]


class CreateKeysAndCertificateTest(CertTestCase):

    def test_certificate_verifies_against_ca_crt_and_key_matches(self):
        out = self.iot.create_keys_and_certificate(setAsActive=True)
        pem = out["certificatePem"]
        self.assertEqual(out["certificateId"], pem_id(pem))
        self.assertRegex(out["certificateId"], "^[0-9a-f]{64}$")
        self.assertEqual(out["certificateArn"], cert_arn(out["certificateId"]))
        ok, text = self.pki.verify(self.ca_crt_path(), pem)
        self.assertTrue(ok, text)
        priv = out["keyPair"]["PrivateKey"]
        self.assertIn("-----BEGIN RSA PRIVATE KEY-----", priv)
        self.assertEqual(self.pki.pubkey_of_key(priv),
                         self.pki.pubkey_of_cert(pem))
        self.assertEqual(self.pki.pubkey_of_key(priv).strip(),
                         out["keyPair"]["PublicKey"].strip())
        text = self.pki.run("x509", "-noout", "-text", "-in",
                            self.pki.write(pem))
        self.assertIn("Public-Key: (2048 bit)", text)
        self.assertIn("TLS Web Client Authentication", text)
        self.assertIn("CN = AWS IoT Certificate", text)
        d = self.iot.describe_certificate(
            certificateId=out["certificateId"])["certificateDescription"]
        self.assertEqual(d["status"], "ACTIVE")
        self.assertEqual(d["caCertificateId"], self.own_ca_id())
        self.assertEqual(d["certificatePem"], pem)
        self.assertNotIn("keyPair", d)

    def test_without_set_as_active_the_certificate_is_inactive(self):
        out = self.iot.create_keys_and_certificate()
        self.assertEqual(self.cert_status(out["certificateId"]), "INACTIVE")
        out = self.iot.create_keys_and_certificate(setAsActive=False)
        self.assertEqual(self.cert_status(out["certificateId"]), "INACTIVE")

    def test_private_key_is_in_neither_the_log_nor_the_store(self):
        out = self.iot.create_keys_and_certificate(setAsActive=True)
        lines = pem_body(out["keyPair"]["PrivateKey"])
        self.assertGreater(len(lines), 20)
        self.iot.describe_certificate(certificateId=out["certificateId"])
        blobs = {}
        for name in os.listdir(self.daemon.data_dir):
            p = os.path.join(self.daemon.data_dir, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    blobs[name] = f.read()
        with open(self.daemon.log_path, "rb") as f:
            blobs["log"] = f.read()
        dump = store_dump(self.daemon.data_dir)
        if dump is not None:
            blobs["iotjobs.db"] = dump
        self.assertIn("iotjobs.db", blobs)
        # The certificate itself is stored: the search does find things.
        cert_line = pem_body(out["certificatePem"])[3].encode()
        self.assertTrue(any(cert_line in b for b in blobs.values()))
        for name, blob in blobs.items():
            for ln in lines[:-1]:
                self.assertNotIn(ln.encode(), blob, name)
            # The key's bytes in binary form, too.
            der = base64.b64decode("".join(lines))
            self.assertNotIn(der[100:160], blob, name)

    def test_ca_files_modes_and_extensions(self):
        tls = os.path.join(self.daemon.data_dir, "tls")
        mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
        self.assertEqual(mode(tls), 0o700)
        self.assertEqual(mode(os.path.join(tls, "ca.key")), 0o600)
        # Public, but shared by group only, never with every local user.
        self.assertEqual(mode(os.path.join(tls, "ca.crt")), 0o640)
        text = self.pki.run("x509", "-noout", "-text", "-in",
                            self.ca_crt_path())
        self.assertRegex(text, r"Basic Constraints: critical\s+CA:TRUE")
        self.assertRegex(text, r"Key Usage: critical\s+Certificate Sign, "
                         r"CRL Sign")
        self.assertRegex(text, r"Subject: CN = iotjobs CA [0-9a-f]{16}")
        self.assertIn("NIST CURVE: P-256", text)
        ca = self.iot.describe_ca_certificate(
            certificateId=self.own_ca_id())["certificateDescription"]
        self.assertEqual(ca["status"], "ACTIVE")
        self.assertEqual(ca["certificateMode"], "DEFAULT")

    def test_every_creation_bumps_the_authorization_generation(self):
        g0 = self.generation()
        self.iot.create_keys_and_certificate(setAsActive=True)
        self.assertEqual(self.generation(), g0 + 1)


class CreateCertificateFromCsrTest(CertTestCase):

    def test_ec_and_rsa_csrs_from_openssl_req(self):
        for kind in ("ec", 2048):
            csr, key = self.pki.csr("dev-%s" % kind, self.pki.key(kind))
            out = self.iot.create_certificate_from_csr(
                certificateSigningRequest=csr, setAsActive=True)
            pem = out["certificatePem"]
            self.assertEqual(out["certificateId"], pem_id(pem))
            self.assertEqual(out["certificateArn"],
                             cert_arn(out["certificateId"]))
            self.assertNotIn("keyPair", out)
            ok, text = self.pki.verify(self.ca_crt_path(), pem)
            self.assertTrue(ok, text)
            self.assertEqual(self.pki.subject(pem),
                             self.pki.subject(csr, "req"))
            self.assertEqual(self.pki.pubkey_of_cert(pem),
                             self.pki.pubkey_of_key(key))
            self.assertEqual(self.cert_status(out["certificateId"]),
                             "ACTIVE")

    def test_the_same_csr_twice_gives_two_certificates(self):
        csr, _ = self.pki.csr("twice")
        a = self.iot.create_certificate_from_csr(
            certificateSigningRequest=csr)
        b = self.iot.create_certificate_from_csr(
            certificateSigningRequest=csr)
        self.assertNotEqual(a["certificateId"], b["certificateId"])
        self.assertEqual(self.cert_status(a["certificateId"]), "INACTIVE")

    def test_what_is_not_a_usable_csr_is_invalid_request(self):
        weak, _ = self.pki.csr("weak", self.pki.key(1024))
        for body, words in (
                ("not a csr", ("certificateSigningRequest", "PKCS #10")),
                (self.pki.self_signed_leaf("x"), ("PKCS #10",)),
                (weak, ("2048 bits",))):
            with self.assertRaises(ClientError) as cm:
                self.iot.create_certificate_from_csr(
                    certificateSigningRequest=body)
            self.assertError(cm, "InvalidRequestException", 400, *words)


class RegisterCertificateTest(CertTestCase):

    def test_register_with_its_ca_pem(self):
        ca_id, ca_pem, ca_key = self.register_ca()
        pem, _ = self.pki.sign(ca_pem, ca_key, "dev")
        out = self.iot.register_certificate(certificatePem=pem,
                                            caCertificatePem=ca_pem,
                                            status="ACTIVE")
        self.assertEqual(out["certificateId"], pem_id(pem))
        self.assertEqual(out["certificateArn"], cert_arn(pem_id(pem)))
        d = self.iot.describe_certificate(
            certificateId=out["certificateId"])["certificateDescription"]
        self.assertEqual(d["caCertificateId"], ca_id)
        self.assertEqual(d["status"], "ACTIVE")
        self.assertEqual(d["certificateMode"], "DEFAULT")

    def test_register_finds_the_active_ca_by_issuer(self):
        ca_id, ca_pem, ca_key = self.register_ca()
        pem, _ = self.pki.sign(ca_pem, ca_key, "dev")
        out = self.iot.register_certificate(certificatePem=pem)
        d = self.iot.describe_certificate(
            certificateId=out["certificateId"])["certificateDescription"]
        self.assertEqual(d["caCertificateId"], ca_id)
        self.assertEqual(d["status"], "INACTIVE")
        # The deprecated setAsActive still works.
        pem2, _ = self.pki.sign(ca_pem, ca_key, "dev2")
        out = self.iot.register_certificate(certificatePem=pem2,
                                            setAsActive=True)
        self.assertEqual(self.cert_status(out["certificateId"]), "ACTIVE")
        # A certificate of iotjobsd's own CA too.
        own = self.iot.create_keys_and_certificate()["certificatePem"]
        self.iot.delete_certificate(certificateId=pem_id(own))
        out = self.iot.register_certificate(certificatePem=own)
        self.assertEqual(out["certificateId"], pem_id(own))

    def test_register_with_an_inactive_ca_found_by_issuer_fails(self):
        ca_id, ca_pem, ca_key = self.register_ca(active=False)
        pem, _ = self.pki.sign(ca_pem, ca_key, "dev")
        with self.assertRaises(ClientError) as cm:
            self.iot.register_certificate(certificatePem=pem)
        self.assertError(cm, "CertificateValidationException", 400,
                         "RegisterCertificateWithoutCA")
        # Naming the CA works: it is registered.
        out = self.iot.register_certificate(certificatePem=pem,
                                            caCertificatePem=ca_pem)
        self.assertEqual(out["certificateId"], pem_id(pem))

    def test_register_refuses_unregistered_or_wrong_ca(self):
        ca_pem, ca_key = self.pki.ca(unique_name("unreg"))
        pem, _ = self.pki.sign(ca_pem, ca_key, "dev")
        with self.assertRaises(ClientError) as cm:
            self.iot.register_certificate(certificatePem=pem,
                                          caCertificatePem=ca_pem)
        self.assertError(cm, "CertificateValidationException", 400,
                         "not registered", pem_id(ca_pem))
        with self.assertRaises(ClientError) as cm:
            self.iot.register_certificate(certificatePem=pem)
        self.assertError(cm, "CertificateValidationException", 400,
                         "no registered ACTIVE CA")
        _, other_pem, _ = self.register_ca()
        with self.assertRaises(ClientError) as cm:
            self.iot.register_certificate(certificatePem=pem,
                                          caCertificatePem=other_pem)
        self.assertError(cm, "CertificateValidationException", 400,
                         "not signed by")

    def test_two_cas_of_one_subject_and_key_conflict(self):
        subject = unique_name("twin")
        key = self.pki.key()
        code = self.iot.get_registration_code()["registrationCode"]
        for _ in range(2):
            ca_pem, _ = self.pki.ca(subject, key)
            ver, _ = self.pki.sign(ca_pem, key, code)
            self.iot.register_ca_certificate(caCertificate=ca_pem,
                                             verificationCertificate=ver,
                                             setAsActive=True)
        pem, _ = self.pki.sign(ca_pem, key, "dev")
        with self.assertRaises(ClientError) as cm:
            self.iot.register_certificate(certificatePem=pem)
        self.assertError(cm, "CertificateConflictException", 409,
                         "caCertificatePem")
        out = self.iot.register_certificate(certificatePem=pem,
                                            caCertificatePem=ca_pem)
        self.assertEqual(out["certificateId"], pem_id(pem))

    def test_the_same_pem_twice_already_exists(self):
        _, ca_pem, ca_key = self.register_ca()
        pem, _ = self.pki.sign(ca_pem, ca_key, "dup")
        self.iot.register_certificate(certificatePem=pem)
        with self.assertRaises(ClientError) as cm:
            self.iot.register_certificate(certificatePem=pem)
        self.assertError(cm, "ResourceAlreadyExistsException", 409,
                         pem_id(pem))
        self.assertEqual(cm.exception.response.get("resourceId"),
                         pem_id(pem))
        self.assertEqual(cm.exception.response.get("resourceArn"),
                         cert_arn(pem_id(pem)))
        with self.assertRaises(ClientError) as cm:
            self.iot.register_certificate_without_ca(certificatePem=pem)
        self.assertError(cm, "ResourceAlreadyExistsException", 409)

    def test_invalid_and_expired_pems_fail_validation(self):
        _, ca_pem, ca_key = self.register_ca()
        expired = self.pki.expired(ca_pem, ca_key, "old")
        csr, _ = self.pki.csr("csr")
        for op in (self.iot.register_certificate,
                   self.iot.register_certificate_without_ca):
            for body, words in (("garbage", ("certificatePem", "PEM")),
                                (csr, ("BEGIN CERTIFICATE",)),
                                (expired, ("expired on 2020-02-01",))):
                with self.assertRaises(ClientError) as cm:
                    op(certificatePem=body)
                self.assertError(cm, "CertificateValidationException", 400,
                                 *words)
        with self.assertRaises(ClientError) as cm:
            self.iot.register_certificate(
                certificatePem=self.pki.sign(ca_pem, ca_key, "x")[0],
                caCertificatePem="not a ca")
        self.assertError(cm, "CertificateValidationException", 400,
                         "caCertificatePem")

    def test_statuses_a_caller_cannot_register(self):
        _, ca_pem, ca_key = self.register_ca()
        pem, _ = self.pki.sign(ca_pem, ca_key, "st")
        for op in (self.iot.register_certificate,
                   self.iot.register_certificate_without_ca):
            for st in ("PENDING_TRANSFER", "PENDING_ACTIVATION",
                       "REGISTER_INACTIVE"):
                with self.assertRaises(ClientError) as cm:
                    op(certificatePem=pem, status=st)
                self.assertError(cm, "InvalidRequestException", 400, st)
        out = self.iot.register_certificate(certificatePem=pem,
                                            status="REVOKED")
        self.assertEqual(self.cert_status(out["certificateId"]), "REVOKED")

    def test_register_without_ca(self):
        pem = self.pki.self_signed_leaf(unique_name("noca"))
        out = self.iot.register_certificate_without_ca(certificatePem=pem,
                                                       status="ACTIVE")
        self.assertEqual(out["certificateId"], pem_id(pem))
        self.assertEqual(out["certificateArn"], cert_arn(pem_id(pem)))
        d = self.iot.describe_certificate(
            certificateId=pem_id(pem))["certificateDescription"]
        self.assertNotIn("caCertificateId", d)
        self.assertEqual(d["certificateMode"], "SNI_ONLY")
        self.assertEqual(d["status"], "ACTIVE")
        pem2 = self.pki.self_signed_leaf(unique_name("noca"))
        self.iot.register_certificate_without_ca(certificatePem=pem2)
        self.assertEqual(self.cert_status(pem_id(pem2)), "INACTIVE")


class CACertificateTest(CertTestCase):

    def test_registration_code_is_stable_until_deleted(self):
        a = self.iot.get_registration_code()["registrationCode"]
        self.assertRegex(a, "^[0-9a-f]{64}$")
        self.assertEqual(self.iot.get_registration_code()[
            "registrationCode"], a)
        self.daemon.restart()
        self.assertEqual(self.iot.get_registration_code()[
            "registrationCode"], a)
        self.iot.delete_registration_code()
        with self.assertRaises(ClientError) as cm:
            self.iot.delete_registration_code()
        self.assertError(cm, "ResourceNotFoundException", 404)
        b = self.iot.get_registration_code()["registrationCode"]
        self.assertNotEqual(a, b)

    def test_register_and_describe(self):
        cfg = {"templateBody": "{}", "roleArn":
               "arn:aws:iam::123456789012:role/provisioning"}
        ca_id, pem, _ = self.register_ca(
            allowAutoRegistration=True, registrationConfig=cfg,
            tags=[{"Key": "team", "Value": "fw"}])
        out = self.iot.describe_ca_certificate(certificateId=ca_id)
        d = out["certificateDescription"]
        self.assertEqual(d["certificateArn"], cacert_arn(ca_id))
        self.assertEqual(d["certificateId"], ca_id)
        self.assertEqual(d["status"], "ACTIVE")
        self.assertEqual(d["certificatePem"].strip(), pem.strip())
        self.assertEqual(d["ownedBy"], ACCOUNT_ID)
        self.assertEqual(d["autoRegistrationStatus"], "ENABLE")
        self.assertEqual(d["customerVersion"], 1)
        self.assertEqual(d["certificateMode"], "DEFAULT")
        self.assertTrue(d["generationId"])
        self.assertIn("creationDate", d)
        self.assertIn("lastModifiedDate", d)
        self.assertLess(d["validity"]["notBefore"],
                        d["validity"]["notAfter"])
        self.assertEqual(out["registrationConfig"], cfg)
        # Upper-case hex names the same certificate (the model allows it).
        self.iot.describe_ca_certificate(certificateId=ca_id.upper())

    def test_register_refusals(self):
        code = self.iot.get_registration_code()["registrationCode"]
        ca_pem, ca_key = self.pki.ca(unique_name("ca"))
        good_ver, _ = self.pki.sign(ca_pem, ca_key, code)
        wrong_cn, _ = self.pki.sign(ca_pem, ca_key, "0" * 64)
        other_pem, other_key = self.pki.ca(unique_name("other"))
        foreign, _ = self.pki.sign(other_pem, other_key, code)
        leaf = self.pki.self_signed_leaf("leaf")
        cases = (
            (dict(caCertificate="nope", verificationCertificate=good_ver),
             "CertificateValidationException", 400, "caCertificate"),
            (dict(caCertificate=leaf, verificationCertificate=good_ver),
             "CertificateValidationException", 400, "not a CA"),
            (dict(caCertificate=ca_pem, verificationCertificate=wrong_cn),
             "RegistrationCodeValidationException", 400,
             "registration code"),
            (dict(caCertificate=ca_pem, verificationCertificate=foreign),
             "CertificateValidationException", 400, "not signed by"),
            (dict(caCertificate=ca_pem, verificationCertificate="x"),
             "CertificateValidationException", 400,
             "verificationCertificate"),
            (dict(caCertificate=ca_pem),
             "InvalidRequestException", 400, "verificationCertificate"),
            (dict(caCertificate=ca_pem, verificationCertificate=good_ver,
                  certificateMode="SNI_ONLY"),
             "InvalidRequestException", 400, "SNI_ONLY"),
            (dict(caCertificate=ca_pem, verificationCertificate=good_ver,
                  registrationConfig={"templateName": "fleet"}),
             "ResourceNotFoundException", 404, "fleet"),
        )
        for kw, code_, status, word in cases:
            with self.assertRaises(ClientError, msg=word) as cm:
                self.iot.register_ca_certificate(**kw)
            self.assertError(cm, code_, status, word)
        out = self.iot.register_ca_certificate(
            caCertificate=ca_pem, verificationCertificate=good_ver)
        with self.assertRaises(ClientError) as cm:
            self.iot.register_ca_certificate(
                caCertificate=ca_pem, verificationCertificate=good_ver)
        self.assertError(cm, "ResourceAlreadyExistsException", 409)
        self.assertEqual(cm.exception.response.get("resourceId"),
                         out["certificateId"])
        d = self.iot.describe_ca_certificate(
            certificateId=out["certificateId"])["certificateDescription"]
        self.assertEqual(d["status"], "INACTIVE")
        self.assertEqual(d["autoRegistrationStatus"], "DISABLE")

    def test_sni_only_needs_no_verification(self):
        ca_pem, ca_key = self.pki.ca(unique_name("sni"))
        out = self.iot.register_ca_certificate(caCertificate=ca_pem,
                                               certificateMode="SNI_ONLY",
                                               setAsActive=True)
        d = self.iot.describe_ca_certificate(
            certificateId=out["certificateId"])["certificateDescription"]
        self.assertEqual(d["certificateMode"], "SNI_ONLY")
        pem, _ = self.pki.sign(ca_pem, ca_key, "dev")
        cert = self.iot.register_certificate(certificatePem=pem)
        self.assertEqual(self.iot.describe_certificate(
            certificateId=cert["certificateId"])["certificateDescription"][
            "certificateMode"], "SNI_ONLY")

    def test_at_most_ten_cas_of_one_subject(self):
        subject = unique_name("ten")
        for _ in range(10):
            pem, _ = self.pki.ca(subject)
            self.iot.register_ca_certificate(caCertificate=pem,
                                             certificateMode="SNI_ONLY")
        pem, _ = self.pki.ca(subject)
        with self.assertRaises(ClientError) as cm:
            self.iot.register_ca_certificate(caCertificate=pem,
                                             certificateMode="SNI_ONLY")
        self.assertError(cm, "LimitExceededException", 410, subject)

    def test_describe_unknown_is_not_found(self):
        with self.assertRaises(ClientError) as cm:
            self.iot.describe_ca_certificate(certificateId="a" * 64)
        self.assertError(cm, "ResourceNotFoundException", 404, "a" * 64)

    def test_list_pages_in_both_orders(self):
        ids = [self.register_ca()[0] for _ in range(3)]
        everything = []
        marker = None
        while True:
            kw = {"pageSize": 2, "ascendingOrder": True}
            if marker:
                kw["marker"] = marker
            page = self.iot.list_ca_certificates(**kw)
            self.assertLessEqual(len(page["certificates"]), 2)
            everything += page["certificates"]
            marker = page.get("nextMarker")
            if not marker:
                break
        got = [c["certificateId"] for c in everything]
        self.assertEqual(len(got), len(set(got)))
        for i in ids + [self.own_ca_id()]:
            self.assertIn(i, got)
        keys = [(c["creationDate"], c["certificateId"]) for c in everything]
        self.assertEqual(keys, sorted(keys))
        for c in everything:
            self.assertEqual(c["certificateArn"],
                             cacert_arn(c["certificateId"]))
            self.assertIn(c["status"], ("ACTIVE", "INACTIVE"))
        desc = self.iot.list_ca_certificates()["certificates"]
        self.assertEqual([c["certificateId"] for c in desc],
                         [c["certificateId"] for c in reversed(everything)])
        self.assertEqual(self.iot.list_ca_certificates(
            templateName="fleet")["certificates"], [])
        with self.assertRaises(ClientError) as cm:
            self.iot.list_ca_certificates(marker="AAAA")
        self.assertError(cm, "InvalidRequestException", 400, "marker")

    def test_update(self):
        ca_id, _, _ = self.register_ca()
        g0 = self.generation()
        self.iot.update_ca_certificate(certificateId=ca_id,
                                       newStatus="INACTIVE")
        self.assertEqual(self.generation(), g0 + 1)
        d = self.iot.describe_ca_certificate(certificateId=ca_id)
        self.assertEqual(d["certificateDescription"]["status"], "INACTIVE")
        self.assertEqual(d["certificateDescription"]["customerVersion"], 2)
        cfg = {"templateBody": "{\"Resources\": {}}",
               "roleArn": "arn:aws:iam::123456789012:role/p"}
        self.iot.update_ca_certificate(certificateId=ca_id,
                                       newAutoRegistrationStatus="ENABLE",
                                       registrationConfig=cfg)
        d = self.iot.describe_ca_certificate(certificateId=ca_id)
        self.assertEqual(d["certificateDescription"][
            "autoRegistrationStatus"], "ENABLE")
        self.assertEqual(d["registrationConfig"], cfg)
        self.assertEqual(d["certificateDescription"]["customerVersion"], 3)
        self.iot.update_ca_certificate(certificateId=ca_id,
                                       removeAutoRegistration=True)
        d = self.iot.describe_ca_certificate(certificateId=ca_id)
        self.assertNotIn("registrationConfig", d)
        self.assertEqual(d["certificateDescription"][
            "autoRegistrationStatus"], "DISABLE")
        # The same status again: nothing moves.
        self.iot.update_ca_certificate(certificateId=ca_id,
                                       newStatus="INACTIVE")
        self.assertEqual(self.iot.describe_ca_certificate(
            certificateId=ca_id)["certificateDescription"][
            "customerVersion"], 4)
        with self.assertRaises(ClientError) as cm:
            self.iot.update_ca_certificate(certificateId=ca_id,
                                           removeAutoRegistration=True,
                                           registrationConfig=cfg)
        self.assertError(cm, "InvalidRequestException", 400,
                         "removeAutoRegistration")
        with self.assertRaises(ClientError) as cm:
            self.iot.update_ca_certificate(
                certificateId=ca_id,
                registrationConfig={"templateName": "fleet"})
        self.assertError(cm, "ResourceNotFoundException", 404, "fleet")
        with self.assertRaises(ClientError) as cm:
            self.iot.update_ca_certificate(certificateId="b" * 64,
                                           newStatus="ACTIVE")
        self.assertError(cm, "ResourceNotFoundException", 404, "b" * 64)

    def test_delete(self):
        ca_id, ca_pem, ca_key = self.register_ca()
        pem, _ = self.pki.sign(ca_pem, ca_key, "dev")
        cert_id = self.iot.register_certificate(
            certificatePem=pem)["certificateId"]
        with self.assertRaises(ClientError) as cm:
            self.iot.delete_ca_certificate(certificateId=ca_id)
        self.assertError(cm, "CertificateStateException", 406, "ACTIVE")
        self.iot.update_ca_certificate(certificateId=ca_id,
                                       newStatus="INACTIVE")
        g0 = self.generation()
        self.iot.delete_ca_certificate(certificateId=ca_id)
        self.assertEqual(self.generation(), g0 + 1)
        with self.assertRaises(ClientError) as cm:
            self.iot.describe_ca_certificate(certificateId=ca_id)
        self.assertError(cm, "ResourceNotFoundException", 404)
        with self.assertRaises(ClientError) as cm:
            self.iot.delete_ca_certificate(certificateId=ca_id)
        self.assertError(cm, "ResourceNotFoundException", 404)
        # Its device certificate stays, naming the CA it came with.
        d = self.iot.describe_certificate(
            certificateId=cert_id)["certificateDescription"]
        self.assertEqual(d["caCertificateId"], ca_id)

    def test_own_ca_cannot_be_deleted(self):
        own = self.own_ca_id()
        self.iot.update_ca_certificate(certificateId=own,
                                       newStatus="INACTIVE")
        try:
            with self.assertRaises(ClientError) as cm:
                self.iot.delete_ca_certificate(certificateId=own)
            self.assertError(cm, "CertificateStateException", 406,
                             "own CA")
        finally:
            self.iot.update_ca_certificate(certificateId=own,
                                           newStatus="ACTIVE")


class UpdateDeleteListCertificateTest(CertTestCase):

    def new_cert(self, active=False):
        return self.iot.create_keys_and_certificate(
            setAsActive=active)["certificateId"]

    def attach_thing(self, cert_id):
        """Attaches the certificate to a new thing: through the API when
        it exists, else the row principals own, written directly."""
        thing = unique_name("th")
        self.iot.create_thing(thingName=thing)
        try:
            self.iot.attach_thing_principal(thingName=thing,
                                            principal=cert_arn(cert_id))
            return
        except ClientError as e:
            if e.response["Error"]["Code"] != "NotImplementedException":
                raise
        self.sql("INSERT INTO thing_principals (thing_name, principal, type,"
                 " created_at) VALUES (?, ?, 'NON_EXCLUSIVE_THING', 0)",
                 (thing, cert_arn(cert_id)))

    def attach_policy(self, cert_id):
        name = unique_name("pol").replace("-", "_")
        try:
            self.iot.create_policy(policyName=name, policyDocument=(
                '{"Version": "2012-10-17", "Statement": [{"Effect": '
                '"Allow", "Action": "iot:Connect", "Resource": "*"}]}'))
            self.iot.attach_policy(policyName=name, target=cert_arn(cert_id))
            return
        except ClientError as e:
            if e.response["Error"]["Code"] != "NotImplementedException":
                raise
        self.sql("INSERT INTO policy_targets (policy_name, target, "
                 "created_at) VALUES (?, ?, 0)", (name, cert_arn(cert_id)))

    def policy_targets(self, cert_id):
        return int(store_sql(self.daemon.data_dir, "SELECT count(*) FROM"
                             " policy_targets WHERE target = ?",
                             (cert_arn(cert_id),))[0][0])

    def sql(self, statement, args):
        store_sql(self.daemon.data_dir, statement, args)

    def test_update_status_transitions(self):
        cid = self.new_cert()
        g0 = self.generation()
        self.iot.update_certificate(certificateId=cid, newStatus="ACTIVE")
        self.assertEqual(self.generation(), g0 + 1)
        d = self.iot.describe_certificate(
            certificateId=cid)["certificateDescription"]
        self.assertEqual((d["status"], d["customerVersion"]), ("ACTIVE", 2))
        # Idempotent: the same status changes nothing.
        self.iot.update_certificate(certificateId=cid, newStatus="ACTIVE")
        self.assertEqual(self.generation(), g0 + 1)
        self.iot.update_certificate(certificateId=cid, newStatus="INACTIVE")
        self.iot.update_certificate(certificateId=cid, newStatus="REVOKED")
        d = self.iot.describe_certificate(
            certificateId=cid)["certificateDescription"]
        self.assertEqual((d["status"], d["customerVersion"]), ("REVOKED", 4))
        self.iot.update_certificate(certificateId=cid, newStatus="REVOKED")
        for st in ("ACTIVE", "INACTIVE"):
            with self.assertRaises(ClientError) as cm:
                self.iot.update_certificate(certificateId=cid, newStatus=st)
            self.assertError(cm, "CertificateStateException", 406,
                             "REVOKED", cid)
        self.assertEqual(self.cert_status(cid), "REVOKED")

    def test_update_refuses_internal_statuses_and_unknown_ids(self):
        cid = self.new_cert()
        for st in ("PENDING_TRANSFER", "PENDING_ACTIVATION",
                   "REGISTER_INACTIVE"):
            with self.assertRaises(ClientError) as cm:
                self.iot.update_certificate(certificateId=cid, newStatus=st)
            self.assertError(cm, "CertificateStateException", 406, st)
        self.assertEqual(self.cert_status(cid), "INACTIVE")
        with self.assertRaises(ClientError) as cm:
            self.iot.update_certificate(certificateId="c" * 64,
                                        newStatus="ACTIVE")
        self.assertError(cm, "ResourceNotFoundException", 404, "c" * 64)
        with self.assertRaises(ClientError) as cm:
            self.iot.describe_certificate(certificateId="c" * 64)
        self.assertError(cm, "ResourceNotFoundException", 404, "c" * 64)

    def test_delete_rules(self):
        active = self.new_cert(active=True)
        with self.assertRaises(ClientError) as cm:
            self.iot.delete_certificate(certificateId=active)
        self.assertError(cm, "CertificateStateException", 406, "ACTIVE")
        with self.assertRaises(ClientError) as cm:
            self.iot.delete_certificate(certificateId=active,
                                        forceDelete=True)
        self.assertError(cm, "CertificateStateException", 406)

        plain = self.new_cert()
        g0 = self.generation()
        self.iot.delete_certificate(certificateId=plain)
        self.assertEqual(self.generation(), g0 + 1)
        with self.assertRaises(ClientError) as cm:
            self.iot.describe_certificate(certificateId=plain)
        self.assertError(cm, "ResourceNotFoundException", 404)
        with self.assertRaises(ClientError) as cm:
            self.iot.delete_certificate(certificateId=plain)
        self.assertError(cm, "ResourceNotFoundException", 404)

        revoked = self.new_cert()
        self.iot.update_certificate(certificateId=revoked,
                                    newStatus="REVOKED")
        self.iot.delete_certificate(certificateId=revoked)

    def test_delete_conflicts_with_things_and_policies(self):
        on_thing = self.new_cert()
        self.attach_thing(on_thing)
        for force in (False, True):
            with self.assertRaises(ClientError) as cm:
                self.iot.delete_certificate(certificateId=on_thing,
                                            forceDelete=force)
            self.assertError(cm, "DeleteConflictException", 409, "thing")

        with_policy = self.new_cert()
        self.attach_policy(with_policy)
        with self.assertRaises(ClientError) as cm:
            self.iot.delete_certificate(certificateId=with_policy)
        self.assertError(cm, "DeleteConflictException", 409, "forceDelete")
        self.assertEqual(self.policy_targets(with_policy), 1)
        self.iot.delete_certificate(certificateId=with_policy,
                                    forceDelete=True)
        self.assertEqual(self.policy_targets(with_policy), 0)
        with self.assertRaises(ClientError):
            self.iot.describe_certificate(certificateId=with_policy)

    def test_list_pages_in_both_orders(self):
        mine = {self.new_cert() for _ in range(5)}
        for ascending in (True, False):
            got, marker = [], None
            while True:
                kw = {"pageSize": 2, "ascendingOrder": ascending}
                if marker:
                    kw["marker"] = marker
                page = self.iot.list_certificates(**kw)
                self.assertLessEqual(len(page["certificates"]), 2)
                got += page["certificates"]
                marker = page.get("nextMarker")
                if not marker:
                    break
            ids = [c["certificateId"] for c in got]
            self.assertEqual(len(ids), len(set(ids)))
            self.assertTrue(mine <= set(ids))
            keys = [(c["creationDate"], c["certificateId"]) for c in got]
            self.assertEqual(keys, sorted(keys, reverse=not ascending))
            for c in got:
                self.assertEqual(c["certificateArn"],
                                 cert_arn(c["certificateId"]))
                self.assertEqual(c["certificateMode"], "DEFAULT")
                self.assertIn("status", c)
        default = self.iot.list_certificates()["certificates"]
        keys = [(c["creationDate"], c["certificateId"]) for c in default]
        self.assertEqual(keys, sorted(keys, reverse=True))
        self.assertLessEqual(len(default), 25)
        for bad in ("AAAA", "!!", "MTIzOmFiYw=="):
            with self.assertRaises(ClientError) as cm:
                self.iot.list_certificates(marker=bad)
            self.assertError(cm, "InvalidRequestException", 400, "marker")

    def test_list_by_ca(self):
        own = self.own_ca_id()
        ca_id, ca_pem, ca_key = self.register_ca()
        theirs = set()
        for i in range(3):
            pem, _ = self.pki.sign(ca_pem, ca_key, "d%d" % i)
            theirs.add(self.iot.register_certificate(
                certificatePem=pem)["certificateId"])
        mine = self.new_cert()
        got, marker = [], None
        while True:
            kw = {"caCertificateId": ca_id, "pageSize": 2}
            if marker:
                kw["marker"] = marker
            page = self.iot.list_certificates_by_ca(**kw)
            got += [c["certificateId"] for c in page["certificates"]]
            marker = page.get("nextMarker")
            if not marker:
                break
        self.assertEqual(set(got), theirs)
        self.assertEqual(len(got), 3)
        own_list = self.iot.list_certificates_by_ca(
            caCertificateId=own, pageSize=250)["certificates"]
        self.assertIn(mine, [c["certificateId"] for c in own_list])
        self.assertEqual(self.iot.list_certificates_by_ca(
            caCertificateId="d" * 64)["certificates"], [])


class CAStartupTest(unittest.TestCase):
    """The CA across restarts, and an operator's CA (--ca-cert/--ca-key,
    IOTJOBS_CA_CERT/IOTJOBS_CA_KEY)."""

    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.addClassCleanup(cls.pki.close)

    def test_restart_keeps_the_ca_and_one_registration(self):
        with Daemon() as d:
            iot = d.iot_client()
            crt = os.path.join(d.data_dir, "tls", "ca.crt")
            before = Pki.read(crt)
            cert = iot.create_keys_and_certificate()["certificatePem"]
            d.restart(kill=True)
            self.assertEqual(Pki.read(crt), before)
            cas = iot.list_ca_certificates()["certificates"]
            self.assertEqual([c["certificateId"] for c in cas],
                             [pem_id(before)])
            ok, text = self.pki.verify(crt, cert)
            self.assertTrue(ok, text)
            iot.describe_certificate(certificateId=pem_id(cert))

    def operator_ca(self):
        pem, key = self.pki.ca(unique_name("operator"))
        return self.pki.write(pem, "crt"), key

    def test_operator_ca_from_flags_or_environment(self):
        crt, key = self.operator_ca()
        for how in ("flags", "env"):
            if how == "flags":
                d = Daemon(args=["--ca-cert", crt, "--ca-key", key])
            else:
                d = Daemon(env={"IOTJOBS_CA_CERT": crt,
                                "IOTJOBS_CA_KEY": key})
            with d:
                iot = d.iot_client()
                out = iot.create_keys_and_certificate(setAsActive=True)
                ok, text = self.pki.verify(crt, out["certificatePem"])
                self.assertTrue(ok, text)
                desc = iot.describe_certificate(
                    certificateId=out["certificateId"])[
                    "certificateDescription"]
                self.assertEqual(desc["caCertificateId"],
                                 pem_id(Pki.read(crt)))
                self.assertFalse(os.path.exists(
                    os.path.join(d.data_dir, "tls", "ca.key")))

    def test_operator_ca_with_a_mismatched_key_is_refused(self):
        crt, _ = self.operator_ca()
        other = self.pki.key()
        d = Daemon(args=["--ca-cert", crt, "--ca-key", other], start=False)
        try:
            with self.assertRaises(DaemonError) as cm:
                d.start()
            self.assertIn("does not match", str(cm.exception))
        finally:
            d.close()
        d = Daemon(args=["--ca-cert", crt], start=False)
        try:
            with self.assertRaises(DaemonError) as cm:
                d.start()
            self.assertIn("go together", str(cm.exception))
        finally:
            d.close()


if __name__ == "__main__":
    unittest.main()
