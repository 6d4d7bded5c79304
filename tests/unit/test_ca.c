/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd's CA (auth/ca.c, ca_server.c): the files made on first start
 * and their modes, device certificates for CSRs and for new key pairs
 * (checked with OpenSSL's own X509_verify_cert), the server certificate's
 * names and when it is reissued, and an operator's CA whose key does not
 * match refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "auth/ca.h"
#include "auth/xcert.h"

#define DAY	86400

static char tmpdir[] = "/tmp/iotjobs-test-ca-XXXXXX";
static char path_buf[8][512];

/* TMPDIR/NAME, in one of a few rotating buffers. */
static const char *
at(const char *name)
{
	static int n;
	char *p = path_buf[n++ % 8];

	snprintf(p, sizeof(path_buf[0]), "%s/%s", tmpdir, name);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct ca *
open_default(const char *dir)
{
	struct ca *ca = NULL;
	struct err err;

	err_clear(&err);
	if (ca_open(dir, NULL, NULL, &ca, &err) != 0)
		fail_msg("ca_open %s: %s", dir, err.msg);
	return ca;
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		fail_msg("stat %s", path);
	return st.st_mode & 0777;
}

/* Whether LEAF chains to CA for PURPOSE, by OpenSSL's verifier. */
static bool
chain_ok(X509 *leaf, X509 *ca, int purpose)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok;

	X509_STORE_add_cert(store, ca);
	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	X509_STORE_CTX_set_purpose(ctx, purpose);
	ok = X509_verify_cert(ctx) == 1;
	if (!ok)
		print_message("verify: %s\n", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

/* A CSR for PUB signed by SIGNER, subject CN=CN, O=iotjobs, asking for a
 * subjectAltName the CA must not copy. Returns a new PEM string. */
static char *
csr_make(EVP_PKEY *pub, EVP_PKEY *signer, const char *cn)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *san;
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *s;
	long n;

	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"iotjobs", -1, -1, 0);
	X509_REQ_set_subject_name(req, name);
	X509_REQ_set_pubkey(req, pub);
	san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
	    "DNS:evil.example");
	sk_X509_EXTENSION_push(exts, san);
	X509_REQ_add_extensions(req, exts);
	assert_true(X509_REQ_sign(req, signer, EVP_sha256()) > 0);
	PEM_write_bio_X509_REQ(b, req);
	n = BIO_get_mem_data(b, &data);
	s = malloc((size_t)n + 1);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return s;
}

static X509 *
read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f != NULL)
		fclose(f);
	return x;
}

static void
open_creates_ca_files_with_modes_then_reuses_them(void **state)
{
	const char *dir = at("first");
	struct ca *ca, *again;
	const struct xcert *c;
	X509 *x;
	uint32_t ku;
	int64_t now = (int64_t)time(NULL);
	char id[XCERT_ID_LEN + 1];
	int crit = -1;
	BASIC_CONSTRAINTS *bc;

	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	ca = open_default(dir);
	assert_int_equal(mode_of(at("first/tls")), 0700);
	assert_int_equal(mode_of(at("first/tls/ca.key")), 0600);
	assert_int_equal(mode_of(at("first/tls/ca.crt")), 0640);
	c = ca_cert(ca);
	assert_string_equal(ca_cert_path(ca), at("first/tls/ca.crt"));
	assert_true(c->is_ca);
	assert_int_equal(strncmp(c->common_name, "iotjobs CA ", 11), 0);
	assert_int_equal(strlen(c->common_name), 11 + 16);
	assert_string_equal(c->subject, c->issuer);
	assert_true(c->not_after - now > 3650LL * DAY);
	assert_true(c->not_after - now <= 3653LL * DAY);
	x = c->x509;
	assert_true(EVP_PKEY_is_a(X509_get0_pubkey(x), "EC"));
	bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	assert_non_null(bc);
	assert_true(bc->ca);
	assert_int_equal(crit, 1);
	BASIC_CONSTRAINTS_free(bc);
	ku = X509_get_key_usage(x);
	assert_int_equal(ku, KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	assert_true(chain_ok(x, x, X509_PURPOSE_ANY));
	snprintf(id, sizeof(id), "%s", c->id);
	ca_close(ca);

	again = open_default(dir);
	assert_string_equal(ca_cert(again)->id, id);
	ca_close(again);
}

static void
sign_csr_copies_subject_and_key_only(void **state)
{
	struct ca *ca = open_default(at("first"));
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char *csr = csr_make(key, key, "device-1");
	struct xcert out;
	struct err err;
	X509 *x;
	const ASN1_INTEGER *serial;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	err_clear(&err);
	if (ca_sign_csr(ca, csr, &out, &err) != 0)
		fail_msg("ca_sign_csr: %s", err.msg);
	x = out.x509;
	assert_true(chain_ok(x, ca_cert(ca)->x509, X509_PURPOSE_SSL_CLIENT));
	assert_false(chain_ok(x, ca_cert(ca)->x509,
	    X509_PURPOSE_SSL_SERVER));
	assert_string_equal(out.subject, "O=iotjobs,CN=device-1");
	assert_string_equal(out.common_name, "device-1");
	assert_string_equal(out.issuer, ca_cert(ca)->subject);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
	assert_null(X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL));
	assert_false(out.is_ca);
	assert_int_equal(X509_get_key_usage(x),
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_CLIENT);
	assert_non_null(X509_get0_subject_key_id(x));
	assert_non_null(X509_get0_authority_key_id(x));
	serial = X509_get0_serialNumber(x);
	assert_int_equal(ASN1_STRING_length(serial), 16);
	assert_in_range(now - out.not_before, 299, 301 + 5);
	assert_in_range(out.not_after - now, (int64_t)CA_DEVICE_DAYS * DAY -
	    5, (int64_t)CA_DEVICE_DAYS * DAY);
	assert_int_equal(strlen(out.id), 64);
	/* The same CSR again: a distinct certificate (AWS: the same). */
	{
		struct xcert second;

		assert_int_equal(ca_sign_csr(ca, csr, &second, &err), 0);
		assert_string_not_equal(second.id, out.id);
		xcert_release(&second);
	}
	xcert_release(&out);
	free(csr);
	EVP_PKEY_free(key);
	ca_close(ca);
}

static void
sign_csr_refuses_what_it_cannot_use(void **state)
{
	struct ca *ca = open_default(at("first"));
	EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *k224 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-224");
	char *forged = csr_make(k1, k2, "forged");
	char *weak = csr_make(small, small, "weak");
	char *curve = csr_make(k224, k224, "curve");
	static const struct {
		const char *what;
		const char *pem;
		const char *msg;
	} cases[] = {
		{ "garbage", "hello", "not a PKCS #10 request" },
		{ "empty", "", "not a PKCS #10 request" },
		{ "a certificate", NULL, "not a PKCS #10 request" },
	};
	struct xcert out;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *pem = cases[i].pem != NULL ? cases[i].pem :
		    ca_cert(ca)->pem;

		assert_int_equal(ca_sign_csr(ca, pem, &out, &err), -1);
		assert_string_equal(err.type, ERR_INVALID_REQUEST);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("%s: %s", cases[i].what, err.msg);
	}
	assert_int_equal(ca_sign_csr(ca, forged, &out, &err), -1);
	assert_string_equal(err.type, ERR_INVALID_REQUEST);
	assert_non_null(strstr(err.msg, "signature does not verify"));
	assert_int_equal(ca_sign_csr(ca, weak, &out, &err), -1);
	assert_non_null(strstr(err.msg, "at least 2048 bits"));
	assert_int_equal(ca_sign_csr(ca, curve, &out, &err), -1);
	assert_non_null(strstr(err.msg, "P-256"));
	free(forged);
	free(weak);
	free(curve);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(small);
	EVP_PKEY_free(k224);
	ca_close(ca);
}

static void
new_keys_and_cert_gives_matching_rsa_2048_pair(void **state)
{
	struct ca *ca = open_default(at("first"));
	struct ca_keys k;
	struct err err;
	EVP_PKEY *priv, *pub;
	BIO *b;

	(void)state;
	if (ca_new_keys_and_cert(ca, &k, &err) != 0)
		fail_msg("ca_new_keys_and_cert: %s", err.msg);
	assert_true(chain_ok(k.cert.x509, ca_cert(ca)->x509,
	    X509_PURPOSE_SSL_CLIENT));
	assert_string_equal(k.cert.common_name, "AWS IoT Certificate");
	assert_non_null(strstr(k.private_pem,
	    "-----BEGIN RSA PRIVATE KEY-----"));
	assert_non_null(strstr(k.public_pem, "-----BEGIN PUBLIC KEY-----"));
	assert_int_equal(k.private_len, strlen(k.private_pem));
	b = BIO_new_mem_buf(k.private_pem, -1);
	priv = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new_mem_buf(k.public_pem, -1);
	pub = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(priv);
	assert_non_null(pub);
	assert_true(EVP_PKEY_is_a(priv, "RSA"));
	assert_int_equal(EVP_PKEY_get_bits(priv), 2048);
	assert_int_equal(X509_check_private_key(k.cert.x509, priv), 1);
	assert_int_equal(EVP_PKEY_eq(pub, priv), 1);
	ca_keys_release(&k);
	assert_null(k.private_pem);
	assert_int_equal(k.private_len, 0);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	ca_close(ca);
}

static time_t
mtime_ns(const char *path, long *ns)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	*ns = st.st_mtim.tv_nsec;
	return st.st_mtim.tv_sec;
}

/* Whether CERT_PATH's subjectAltName is exactly DNS and IP N entries. */
static void
assert_sans(const char *cert_path, int dns, int ip)
{
	X509 *x = read_cert(cert_path);
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL);
	int i, nd = 0, ni = 0;

	assert_non_null(g);
	for (i = 0; i < sk_GENERAL_NAME_num(g); i++) {
		int t = sk_GENERAL_NAME_value(g, i)->type;

		nd += t == GEN_DNS;
		ni += t == GEN_IPADD;
	}
	assert_int_equal(nd, dns);
	assert_int_equal(ni, ip);
	GENERAL_NAMES_free(g);
	X509_free(x);
}

static void
server_cert_names_and_purpose(void **state)
{
	static const char *const hosts[] = {
		"localhost", "127.0.0.1", "::1", "Broker.Example.COM",
	};
	struct ca *ca = open_default(at("first"));
	const char *cp = at("srv.crt"), *kp = at("srv.key");
	struct err err;
	X509 *x;
	FILE *f;
	EVP_PKEY *key;

	(void)state;
	err_clear(&err);
	if (ca_server_cert(ca, hosts, 4, cp, kp, &err) != 1)
		fail_msg("ca_server_cert: %s", err.msg);
	assert_int_equal(mode_of(kp), 0600);
	assert_int_equal(mode_of(cp), 0640);
	assert_sans(cp, 2, 2);
	x = read_cert(cp);
	assert_true(chain_ok(x, ca_cert(ca)->x509, X509_PURPOSE_SSL_SERVER));
	assert_false(chain_ok(x, ca_cert(ca)->x509,
	    X509_PURPOSE_SSL_CLIENT));
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "broker.example.com", 0, 0,
	    NULL), 1);
	assert_int_equal(X509_check_host(x, "other.example.com", 0, 0,
	    NULL), 0);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "::1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "10.0.0.1", 0), 0);
	f = fopen(kp, "r");
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_int_equal(X509_check_private_key(x, key), 1);
	EVP_PKEY_free(key);
	X509_free(x);

	assert_int_equal(ca_server_cert(ca, hosts, 0, cp, kp, &err), -1);
	{
		static const char *const bad[] = { "a b" };

		assert_int_equal(ca_server_cert(ca, bad, 1, cp, kp, &err), -1);
		assert_non_null(strstr(err.msg, "a b"));
	}
	ca_close(ca);
}

/* Writes a certificate of CA for HOSTS' names ending in DAYS to CP/KP. */
static void
write_short_cert(const char *ca_dir, const char *cp, const char *kp,
    int days)
{
	char ca_crt[600], ca_key[600];
	X509 *ca_x, *x = X509_new();
	EVP_PKEY *ca_k, *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509V3_CTX v;
	X509_EXTENSION *e;
	FILE *f;

	snprintf(ca_crt, sizeof(ca_crt), "%s/tls/ca.crt", ca_dir);
	snprintf(ca_key, sizeof(ca_key), "%s/tls/ca.key", ca_dir);
	ca_x = read_cert(ca_crt);
	f = fopen(ca_key, "r");
	ca_k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), (long)days * DAY);
	X509_set_issuer_name(x, X509_get_subject_name(ca_x));
	X509_set_subject_name(x, X509_get_subject_name(ca_x));
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v, ca_x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v, NID_subject_alt_name,
	    "DNS:localhost,IP:127.0.0.1");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	assert_true(X509_sign(x, ca_k, EVP_sha256()) > 0);
	f = fopen(cp, "w");
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(kp, "w");
	PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_free(x);
	X509_free(ca_x);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_k);
}

static void
server_cert_reissue_rules(void **state)
{
	static const char *const two[] = { "localhost", "127.0.0.1" };
	static const char *const same[] = { "127.0.0.1", "LOCALHOST" };
	static const char *const three[] = {
		"localhost", "127.0.0.1", "iot.example",
	};
	struct ca *ca = open_default(at("first"));
	struct ca *other;
	const char *cp = at("re.crt"), *kp = at("re.key");
	const char *ocp = at("other.crt"), *okp = at("other.key");
	struct err err;
	time_t t0;
	long ns0, ns1;
	X509 *x;

	(void)state;
	err_clear(&err);
	assert_int_equal(ca_server_cert(ca, two, 2, cp, kp, &err), 1);
	t0 = mtime_ns(cp, &ns0);
	/* Same set, other order and case: kept, file untouched. */
	assert_int_equal(ca_server_cert(ca, same, 2, cp, kp, &err), 0);
	assert_true(mtime_ns(cp, &ns1) == t0 && ns1 == ns0);
	/* Another set: reissued with the new names. */
	assert_int_equal(ca_server_cert(ca, three, 3, cp, kp, &err), 1);
	assert_sans(cp, 2, 1);
	assert_int_equal(ca_server_cert(ca, three, 3, cp, kp, &err), 0);
	/* Back to two names: the set differs again. */
	assert_int_equal(ca_server_cert(ca, two, 2, cp, kp, &err), 1);
	assert_sans(cp, 1, 1);
	/* The key gone: reissued. */
	assert_int_equal(unlink(kp), 0);
	assert_int_equal(ca_server_cert(ca, two, 2, cp, kp, &err), 1);
	assert_int_equal(mode_of(kp), 0600);
	/* The certificate gone: reissued. */
	assert_int_equal(unlink(cp), 0);
	assert_int_equal(ca_server_cert(ca, two, 2, cp, kp, &err), 1);
	/* Ending within 30 days: reissued, for a year. */
	write_short_cert(at("first"), cp, kp, 29);
	assert_int_equal(ca_server_cert(ca, two, 2, cp, kp, &err), 1);
	x = read_cert(cp);
	assert_true(xcert_time(X509_get0_notAfter(x)) - (int64_t)time(NULL) >
	    (int64_t)(CA_SERVER_DAYS - 1) * DAY);
	X509_free(x);
	/* 31 days left: kept. */
	write_short_cert(at("first"), cp, kp, 31);
	assert_int_equal(ca_server_cert(ca, two, 2, cp, kp, &err), 0);
	/* Signed by another CA: reissued by this one. */
	assert_int_equal(mkdir(at("second"), 0700), 0);
	other = open_default(at("second"));
	assert_int_equal(ca_server_cert(other, two, 2, ocp, okp, &err), 1);
	assert_int_equal(ca_server_cert(ca, two, 2, ocp, okp, &err), 1);
	x = read_cert(ocp);
	assert_true(chain_ok(x, ca_cert(ca)->x509, X509_PURPOSE_SSL_SERVER));
	X509_free(x);
	ca_close(other);
	ca_close(ca);
}

static void
open_operator_ca_checks_the_pair(void **state)
{
	const char *crt1 = at("first/tls/ca.crt"), *key1 = at(
	    "first/tls/ca.key");
	const char *key2 = at("second/tls/ca.key");
	const char *srv_crt = at("re.crt"), *srv_key = at("re.key");
	struct ca *ca = NULL, *first;
	struct err err;

	(void)state;
	first = open_default(at("first"));
	err_clear(&err);
	assert_int_equal(ca_open(at("none"), crt1, key1, &ca, &err), 0);
	assert_string_equal(ca_cert(ca)->id, ca_cert(first)->id);
	assert_string_equal(ca_cert_path(ca), crt1);
	ca_close(ca);
	ca = NULL;

	assert_int_equal(ca_open(at("none"), crt1, key2, &ca, &err), -1);
	assert_null(ca);
	assert_string_equal(err.type, ERR_INTERNAL_FAILURE);
	assert_non_null(strstr(err.msg, "does not match"));

	assert_int_equal(ca_open(at("none"), crt1, NULL, &ca, &err), -1);
	assert_non_null(strstr(err.msg, "go together"));

	assert_int_equal(ca_open(at("none"), srv_crt, srv_key, &ca, &err),
	    -1);
	assert_non_null(strstr(err.msg, "not a CA certificate"));

	assert_int_equal(ca_open(at("none"), at("missing.crt"), key1, &ca,
	    &err), -1);
	assert_non_null(strstr(err.msg, "no PEM certificate"));
	ca_close(first);
}

static void
open_default_refuses_half_a_ca(void **state)
{
	const char *dir = at("half");
	struct ca *ca = NULL;
	struct err err;
	FILE *f;

	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(at("half/tls"), 0700), 0);
	f = fopen(at("half/tls/ca.crt"), "w");
	fputs("not yet\n", f);
	fclose(f);
	assert_int_equal(ca_open(dir, NULL, NULL, &ca, &err), -1);
	assert_null(ca);
	assert_non_null(strstr(err.msg, "exists without"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    open_creates_ca_files_with_modes_then_reuses_them),
		cmocka_unit_test(sign_csr_copies_subject_and_key_only),
		cmocka_unit_test(sign_csr_refuses_what_it_cannot_use),
		cmocka_unit_test(
		    new_keys_and_cert_gives_matching_rsa_2048_pair),
		cmocka_unit_test(server_cert_names_and_purpose),
		cmocka_unit_test(server_cert_reissue_rules),
		cmocka_unit_test(open_operator_ca_checks_the_pair),
		cmocka_unit_test(open_default_refuses_half_a_ca),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
