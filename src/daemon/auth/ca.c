/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd's certificate authority (see ca.h): loading or creating
 * DATA_DIR/tls/ca.{crt,key}, issuing device certificates for CSRs and for
 * new RSA key pairs (AWS's CreateKeysAndCertificate and
 * CreateCertificateFromCsr), and keeping a server certificate current.
 * OpenSSL 3 does every X.509, key and PEM step; nothing here builds ASN.1.
 *
 * Why EC P-256 for the CA key: its signatures are small and fast to make
 * and check, every TLS stack the AWS IoT device SDKs use (OpenSSL,
 * mbedTLS, s2n) verifies it, and generating it on first start is instant
 * where RSA 3072 takes seconds on a small board.
 */
#include "auth/ca.h"
#include "auth/ca_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "auth/atomic_file.h"
#include "clock.h"
#include "log.h"
#include "store/store_cert.h"
#include "xmalloc.h"

#define CA_DIR		"tls"
#define CA_CERT_FILE	"ca.crt"
#define CA_KEY_FILE	"ca.key"
#define CA_LOCK_FILE	".ca.lock"
/* notBefore lies this far back: a device whose clock is a little behind
 * must not see its new certificate as not yet valid. */
#define CA_BACKDATE	300
#define SERIAL_LEN	16
#define DEVICE_CN	"AWS IoT Certificate"

/* ERR from OpenSSL's error queue (emptied) after WHAT failed; -1. */
int
ca_ossl_fail(struct err *err, const char *type, const char *what)
{
	char buf[256];
	unsigned long e = ERR_peek_last_error();

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return err_set(err, type, "%s%s%s", what, buf[0] != '\0' ? ": " : "",
	    buf);
}

/* Writes the PEM held by the memory BIO B to PATH (atomic_file_put). */
int
ca_bio_put(BIO *b, const char *path, mode_t mode, bool replace,
    struct err *err)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);

	if (n <= 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "nothing to write "
		    "to %s", path);
	return atomic_file_put(path, data, (size_t)n, mode, replace, err);
}

/* A passphrase callback that has none: encrypted keys fail to load. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

X509 *
ca_cert_read(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	ERR_clear_error();
	return x;
}

EVP_PKEY *
ca_key_read(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	EVP_PKEY *k = b != NULL ? PEM_read_bio_PrivateKey(b, NULL,
	    no_passphrase, NULL) : NULL;

	BIO_free(b);
	ERR_clear_error();
	return k;
}

/* The digest to sign with KEY: none for the EdDSA keys, else SHA-256. */
static const EVP_MD *
sign_md(EVP_PKEY *key)
{
	if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
		return NULL;
	return EVP_sha256();
}

/* Loads and checks the CA of CERT_PATH and KEY_PATH into CA. */
static int
ca_load(struct ca *ca, const char *cert_path, const char *key_path,
    struct err *err)
{
	X509 *x = ca_cert_read(cert_path);
	uint32_t ku;
	struct stat st;
	int rc;

	if (x == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "ca: %s holds no "
		    "PEM certificate", cert_path);
	rc = xcert_from_x509(x, &ca->cert, err);
	ku = X509_get_key_usage(x);
	X509_free(x);
	if (rc == -1)
		return -1;
	ca->key = ca_key_read(key_path);
	if (ca->key == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "ca: %s holds no "
		    "unencrypted PEM private key", key_path);
	if (X509_check_private_key(ca->cert.x509, ca->key) != 1) {
		ERR_clear_error();
		return err_set(err, ERR_INTERNAL_FAILURE, "ca: the key %s does"
		    " not match the certificate %s", key_path, cert_path);
	}
	if (!ca->cert.is_ca || (ku != UINT32_MAX &&
	    (ku & KU_KEY_CERT_SIGN) == 0))
		return err_set(err, ERR_INTERNAL_FAILURE, "ca: %s is not a CA "
		    "certificate (basicConstraints CA:TRUE, keyUsage "
		    "keyCertSign)", cert_path);
	if (ca->cert.not_after < clock_real())
		return err_set(err, ERR_INTERNAL_FAILURE, "ca: the certificate"
		    " %s has expired", cert_path);
	if (stat(key_path, &st) == 0 && (st.st_mode & 077) != 0)
		log_warnx("ca: key file=%s is readable by others (mode %03o);"
		    " chmod 600 it", key_path, (unsigned)(st.st_mode & 0777));
	snprintf(ca->cert_path, sizeof(ca->cert_path), "%s", cert_path);
	return 0;
}

static int
ext_add(X509 *x, X509V3_CTX *v, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, v, nid, value);
	int ok = e != NULL && X509_add_ext(x, e, -1) == 1;

	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

static int
serial_set(X509 *x)
{
	unsigned char b[SERIAL_LEN];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(b, (int)sizeof(b)) != 1)
		return -1;
	/* Positive, and all 16 bytes significant. */
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(b, (int)sizeof(b), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn,
	    X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

/* The validity of T: from CA_BACKDATE ago, never past ISSUER's end. */
static int
validity_set(X509 *x, int64_t days, const struct xcert *issuer)
{
	int64_t now = clock_real(), end = now + days * CA_DAY;

	if (issuer != NULL && issuer->not_after < end)
		end = issuer->not_after;
	if (ASN1_TIME_set(X509_getm_notBefore(x),
	    (time_t)(now - CA_BACKDATE)) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)end) == NULL)
		return -1;
	return 0;
}

static int
exts_set(X509 *x, X509 *issuer, const struct ca_tbs *t)
{
	X509V3_CTX v;

	X509V3_set_ctx(&v, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if (ext_add(x, &v, NID_basic_constraints, t->is_ca ?
	    "critical,CA:TRUE" : "critical,CA:FALSE") == -1 ||
	    ext_add(x, &v, NID_key_usage, t->key_usage) == -1 ||
	    (t->ext_key_usage != NULL && ext_add(x, &v,
	    NID_ext_key_usage, t->ext_key_usage) == -1) ||
	    ext_add(x, &v, NID_subject_key_identifier, "hash") == -1 ||
	    ext_add(x, &v, NID_authority_key_identifier,
	    "keyid:always") == -1)
		return -1;
	if (t->san != NULL && X509_add1_ext_i2d(x, NID_subject_alt_name,
	    t->san, 0, X509V3_ADD_DEFAULT) != 1)
		return -1;
	return 0;
}

/*
 * A new certificate for T signed by KEY: by the CA ISSUER, or self-signed
 * when ISSUER is NULL. Returns it, or NULL with ERR.
 */
X509 *
ca_build(const struct xcert *issuer, EVP_PKEY *key,
    const struct ca_tbs *t, struct err *err)
{
	X509 *x = X509_new();
	X509 *ix = issuer != NULL ? issuer->x509 : NULL;

	if (x == NULL || X509_set_version(x, X509_VERSION_3) != 1 ||
	    serial_set(x) == -1 || validity_set(x, t->days, issuer) == -1 ||
	    X509_set_subject_name(x, t->subject) != 1 ||
	    X509_set_issuer_name(x, ix != NULL ? X509_get_subject_name(ix) :
	    t->subject) != 1 || X509_set_pubkey(x, t->pub) != 1 ||
	    exts_set(x, ix, t) == -1 || X509_sign(x, key, sign_md(key)) <= 0) {
		X509_free(x);
		ca_ossl_fail(err, ERR_INTERNAL_FAILURE,
		    "ca: cannot make a certificate");
		return NULL;
	}
	return x;
}

X509_NAME *
ca_name_cn(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n != NULL && X509_NAME_add_entry_by_NID(n, NID_commonName,
	    MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1) {
		X509_NAME_free(n);
		n = NULL;
	}
	return n;
}

/* A new self-signed CA: its key and certificate, as PEM in the BIOs. */
static int
ca_make(BIO *key_pem, BIO *cert_pem, struct err *err)
{
	unsigned char rnd[8];
	char cn[64];
	EVP_PKEY *key = NULL;
	X509_NAME *name = NULL;
	X509 *x = NULL;
	struct ca_tbs t;
	int rc = -1;

	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
		return ca_ossl_fail(err, ERR_INTERNAL_FAILURE, "ca: no random");
	snprintf(cn, sizeof(cn), "iotjobs CA %02x%02x%02x%02x%02x%02x%02x"
	    "%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
	    rnd[7]);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	name = ca_name_cn(cn);
	if (key == NULL || name == NULL) {
		ca_ossl_fail(err, ERR_INTERNAL_FAILURE,
		    "ca: cannot make a key");
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.subject = name;
	t.pub = key;
	t.days = CA_SELF_DAYS;
	t.is_ca = true;
	t.key_usage = "critical,keyCertSign,cRLSign";
	x = ca_build(NULL, key, &t, err);
	if (x == NULL)
		goto out;
	if (PEM_write_bio_PrivateKey(key_pem, key, NULL, NULL, 0, NULL,
	    NULL) != 1 || PEM_write_bio_X509(cert_pem, x) != 1) {
		ca_ossl_fail(err, ERR_INTERNAL_FAILURE, "ca: cannot encode");
		goto out;
	}
	rc = 0;
out:
	X509_free(x);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return rc;
}

/*
 * Creates CERT_PATH and KEY_PATH in DIR unless both exist (then 1: load
 * them). A lock file keeps two first starts on one data folder from
 * making two CAs.
 */
static int
ca_create(const char *dir, const char *cert_path, const char *key_path,
    struct err *err)
{
	char lock[PATH_MAX + 16];
	BIO *kb = NULL, *cb = NULL;
	bool have_cert, have_key;
	int fd, rc = -1;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return err_set(err, ERR_INTERNAL_FAILURE, "ca: cannot create "
		    "%s: %s", dir, strerror(errno));
	snprintf(lock, sizeof(lock), "%s/%s", dir, CA_LOCK_FILE);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || flock(fd, LOCK_EX) == -1) {
		err_set(err, ERR_INTERNAL_FAILURE, "ca: cannot lock %s: %s",
		    lock, strerror(errno));
		goto out;
	}
	have_cert = access(cert_path, F_OK) == 0;
	have_key = access(key_path, F_OK) == 0;
	if (have_cert && have_key) {
		rc = 1;
		goto out;
	}
	if (have_cert || have_key) {
		err_set(err, ERR_INTERNAL_FAILURE, "ca: %s exists without %s:"
		    " restore it, or remove both to make a new CA",
		    have_cert ? cert_path : key_path,
		    have_cert ? key_path : cert_path);
		goto out;
	}
	kb = BIO_new(BIO_s_secmem());
	cb = BIO_new(BIO_s_mem());
	if (kb == NULL || cb == NULL) {
		err_set(err, ERR_INTERNAL_FAILURE, "out of memory");
		goto out;
	}
	if (ca_make(kb, cb, err) == -1 ||
	    ca_bio_put(kb, key_path, 0600, false, err) != 0 ||
	    ca_bio_put(cb, cert_path, 0640, false, err) != 0)
		goto out;
	log_info("ca: created a CA in %s (EC P-256, %d days)", dir,
	    CA_SELF_DAYS);
	rc = 0;
out:
	BIO_free(kb);	/* a memory BIO clears its buffer when freed */
	BIO_free(cb);
	if (fd != -1)
		close(fd);
	return rc;
}

int
ca_open(const char *data_dir, const char *cert_path, const char *key_path,
    struct ca **out, struct err *err)
{
	char dir[PATH_MAX], cp[PATH_MAX + 16], kp[PATH_MAX + 16];
	struct ca *ca;

	*out = NULL;
	if ((cert_path == NULL) != (key_path == NULL))
		return err_set(err, ERR_INTERNAL_FAILURE, "ca: --ca-cert and "
		    "--ca-key go together");
	if (cert_path == NULL) {
		if (snprintf(dir, sizeof(dir), "%s/%s", data_dir, CA_DIR) >=
		    (int)sizeof(dir))
			return err_set(err, ERR_INTERNAL_FAILURE, "ca: data "
			    "directory path too long: %s", data_dir);
		snprintf(cp, sizeof(cp), "%s/%s", dir, CA_CERT_FILE);
		snprintf(kp, sizeof(kp), "%s/%s", dir, CA_KEY_FILE);
		if (ca_create(dir, cp, kp, err) == -1)
			return -1;
		cert_path = cp;
		key_path = kp;
	}
	ca = xcalloc(1, sizeof(*ca));
	if (ca_load(ca, cert_path, key_path, err) == -1) {
		ca_close(ca);
		return -1;
	}
	*out = ca;
	return 0;
}

void
ca_close(struct ca *ca)
{
	if (ca == NULL)
		return;
	xcert_release(&ca->cert);
	EVP_PKEY_free(ca->key);
	free(ca);
}

const struct xcert *
ca_cert(const struct ca *ca)
{
	return &ca->cert;
}

const char *
ca_cert_path(const struct ca *ca)
{
	return ca->cert_path;
}

int
ca_register(struct ca *ca, struct store *st, int64_t now, struct err *err)
{
	struct store_tx *tx;
	struct store_ca row;
	int found, rc;

	if (store_begin(st, true, &tx, err) == -1)
		return -1;
	found = store_ca_get(tx, ca->cert.id, NULL, err);
	rc = found == -1 ? -1 : 0;
	if (found == 0) {
		memset(&row, 0, sizeof(row));
		snprintf(row.id, sizeof(row.id), "%s", ca->cert.id);
		row.pem = ca->cert.pem;
		snprintf(row.status, sizeof(row.status), "ACTIVE");
		snprintf(row.auto_registration, sizeof(row.auto_registration),
		    "DISABLE");
		snprintf(row.mode, sizeof(row.mode), "DEFAULT");
		row.subject = ca->cert.subject;
		row.not_before = ca->cert.not_before;
		row.not_after = ca->cert.not_after;
		row.customer_version = 1;
		store_uuid_new(row.generation_id);
		row.created_at = row.modified_at = now;
		rc = store_ca_insert(tx, &row, err);
		if (rc == 0)
			rc = store_authz_bump(tx, err);
	}
	if (store_end(tx, rc == 0 && found == 0, err) == -1)
		rc = -1;
	if (rc == 0 && found == 0)
		log_info("ca: registered CA certificate id=%s", ca->cert.id);
	return rc;
}

/* AWS's rule for CSR keys: RSA >= 2048 bits, or EC P-256/384/521. */
static int
csr_key_check(EVP_PKEY *pub, struct err *err)
{
	static const char *const curves[] = {
		"prime256v1", "P-256", "secp384r1", "P-384", "secp521r1",
		"P-521",
	};
	char group[64];
	size_t len = 0, i;

	if (EVP_PKEY_is_a(pub, "RSA") && EVP_PKEY_get_bits(pub) >= 2048)
		return 0;
	if (EVP_PKEY_is_a(pub, "EC") && EVP_PKEY_get_utf8_string_param(pub,
	    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) == 1)
		for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
			if (strcmp(group, curves[i]) == 0)
				return 0;
	ERR_clear_error();
	return err_set(err, ERR_INVALID_REQUEST, "certificateSigningRequest: "
	    "the public key must be RSA of at least 2048 bits or EC on NIST "
	    "P-256, P-384 or P-521");
}

/* A device certificate for SUBJECT and PUB into *OUT. */
static int
ca_issue_device(struct ca *ca, const X509_NAME *subject, EVP_PKEY *pub,
    struct xcert *out, struct err *err)
{
	struct ca_tbs t;
	X509 *x;
	int rc;

	memset(&t, 0, sizeof(t));
	t.subject = subject;
	t.pub = pub;
	t.days = CA_DEVICE_DAYS;
	t.key_usage = "critical,digitalSignature,keyEncipherment";
	t.ext_key_usage = "clientAuth";
	x = ca_build(&ca->cert, ca->key, &t, err);
	if (x == NULL)
		return -1;
	rc = xcert_from_x509(x, out, err);
	X509_free(x);
	return rc;
}

int
ca_sign_csr(struct ca *ca, const char *csr_pem, struct xcert *out,
    struct err *err)
{
	BIO *b = BIO_new_mem_buf(csr_pem, -1);
	X509_REQ *req = b != NULL ? PEM_read_bio_X509_REQ(b, NULL, NULL,
	    NULL) : NULL;
	EVP_PKEY *pub;
	int rc = -1;

	BIO_free(b);
	ERR_clear_error();
	memset(out, 0, sizeof(*out));
	if (req == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "certificateSigning"
		    "Request is not a PKCS #10 request in PEM form (-----BEGIN "
		    "CERTIFICATE REQUEST-----)");
	pub = X509_REQ_get0_pubkey(req);
	if (pub == NULL) {
		err_set(err, ERR_INVALID_REQUEST, "certificateSigningRequest:"
		    " the public key cannot be read");
		goto out;
	}
	if (csr_key_check(pub, err) == -1)
		goto out;
	if (X509_REQ_verify(req, pub) != 1) {
		err_set(err, ERR_INVALID_REQUEST, "certificateSigningRequest:"
		    " its signature does not verify with its public key");
		goto out;
	}
	rc = ca_issue_device(ca, X509_REQ_get_subject_name(req), pub, out,
	    err);
out:
	ERR_clear_error();
	X509_REQ_free(req);
	return rc;
}

int
ca_new_keys_and_cert(struct ca *ca, struct ca_keys *out, struct err *err)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	X509_NAME *name = ca_name_cn(DEVICE_CN);
	BIO *pub = BIO_new(BIO_s_mem()), *priv = BIO_new(BIO_s_secmem());
	char *data;
	long n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (key == NULL || name == NULL || pub == NULL || priv == NULL) {
		ca_ossl_fail(err, ERR_INTERNAL_FAILURE,
		    "ca: cannot make a key");
		goto out;
	}
	if (ca_issue_device(ca, name, key, &out->cert, err) == -1)
		goto out;
	if (PEM_write_bio_PUBKEY(pub, key) != 1 ||
	    PEM_write_bio_PrivateKey_traditional(priv, key, NULL, NULL, 0,
	    NULL, NULL) != 1) {
		ca_ossl_fail(err, ERR_INTERNAL_FAILURE,
		    "ca: cannot encode keys");
		goto out;
	}
	n = BIO_get_mem_data(pub, &data);
	out->public_pem = xmalloc((size_t)n + 1);
	memcpy(out->public_pem, data, (size_t)n);
	out->public_pem[n] = '\0';
	n = BIO_get_mem_data(priv, &data);
	out->private_pem = xmalloc((size_t)n + 1);
	memcpy(out->private_pem, data, (size_t)n);
	out->private_pem[n] = '\0';
	out->private_len = (size_t)n;
	rc = 0;
out:
	if (rc == -1)
		ca_keys_release(out);
	BIO_free(pub);
	BIO_free(priv);		/* cleared when freed */
	X509_NAME_free(name);
	EVP_PKEY_free(key);	/* OpenSSL clears the private numbers */
	return rc;
}

void
ca_keys_release(struct ca_keys *k)
{
	xcert_release(&k->cert);
	free(k->public_pem);
	if (k->private_pem != NULL) {
		OPENSSL_cleanse(k->private_pem, k->private_len);
		free(k->private_pem);
	}
	memset(k, 0, sizeof(*k));
}
