/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server certificate iotjobsd's HTTPS and the broker present, signed
 * by iotjobsd's CA (ca_server_cert in ca.h): kept while it is current,
 * reissued with a new key when it is missing, foreign, near its end or
 * for another set of names.
 */
#include "auth/ca_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "clock.h"
#include "log.h"

#define HOST_MAX	253	/* a DNS name (RFC 1035) */
#define CN_MAX		64	/* ub-common-name (RFC 5280) */

/* A DNS name as a certificate may name it: LDH labels, '*' and '_'. */
static bool
host_is_dns(const char *h)
{
	size_t i;

	for (i = 0; h[i] != '\0'; i++)
		if (!isalnum((unsigned char)h[i]) &&
		    strchr(".-*_", h[i]) == NULL)
			return false;
	return i > 0 && h[0] != '.' && h[0] != '-';
}

/* The subjectAltName entry of HOST (an IP address or a DNS name). */
static GENERAL_NAME *
san_entry(const char *host, struct err *err)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_OCTET_STRING *ip;
	ASN1_IA5STRING *dns;
	char lower[HOST_MAX + 1];
	size_t i, n = strlen(host);

	if (gn == NULL)
		return NULL;
	ip = a2i_IPADDRESS(host);
	ERR_clear_error();
	if (ip != NULL) {
		GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
		return gn;
	}
	if (n > HOST_MAX || !host_is_dns(host)) {
		GENERAL_NAME_free(gn);
		err_set(err, ERR_INTERNAL_FAILURE, "ca: \"%.64s\" is neither "
		    "an IP address nor a DNS name", host);
		return NULL;
	}
	for (i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)host[i]);
	dns = ASN1_IA5STRING_new();
	if (dns == NULL || ASN1_STRING_set(dns, lower, (int)n) != 1) {
		ASN1_IA5STRING_free(dns);
		GENERAL_NAME_free(gn);
		return NULL;
	}
	GENERAL_NAME_set0_value(gn, GEN_DNS, dns);
	return gn;
}

static GENERAL_NAMES *
san_build(const char *const *hosts, size_t nhosts, struct err *err)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *gn;
	size_t i;

	for (i = 0; gens != NULL && i < nhosts; i++) {
		gn = san_entry(hosts[i], err);
		if (gn == NULL || sk_GENERAL_NAME_push(gens, gn) == 0) {
			GENERAL_NAME_free(gn);
			GENERAL_NAMES_free(gens);
			if (err != NULL && err->type == NULL)
				err_set(err, ERR_INTERNAL_FAILURE,
				    "out of memory");
			return NULL;
		}
	}
	return gens;
}

/* One SAN entry equals another: DNS names case-insensitively. */
static bool
san_entry_equal(const GENERAL_NAME *a, const GENERAL_NAME *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == GEN_DNS)
		return ASN1_STRING_length(a->d.dNSName) ==
		    ASN1_STRING_length(b->d.dNSName) &&
		    strncasecmp((const char *)ASN1_STRING_get0_data(
		    a->d.dNSName), (const char *)ASN1_STRING_get0_data(
		    b->d.dNSName),
		    (size_t)ASN1_STRING_length(a->d.dNSName)) == 0;
	if (a->type == GEN_IPADD)
		return ASN1_OCTET_STRING_cmp(a->d.iPAddress,
		    b->d.iPAddress) == 0;
	return false;
}

/* Every entry of A is in B. */
static bool
san_within(const GENERAL_NAMES *a, const GENERAL_NAMES *b)
{
	int i, j;

	for (i = 0; i < sk_GENERAL_NAME_num(a); i++) {
		for (j = 0; j < sk_GENERAL_NAME_num(b); j++)
			if (san_entry_equal(sk_GENERAL_NAME_value(a, i),
			    sk_GENERAL_NAME_value(b, j)))
				break;
		if (j == sk_GENERAL_NAME_num(b))
			return false;
	}
	return true;
}

/* Whether X names exactly the set WANT. */
static bool
san_matches(X509 *x, const GENERAL_NAMES *want)
{
	GENERAL_NAMES *have = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL);
	bool eq = have != NULL && san_within(have, want) &&
	    san_within(want, have);

	GENERAL_NAMES_free(have);
	return eq;
}

/* Why the files at CERT_PATH/KEY_PATH must be reissued, or NULL. */
static const char *
server_stale(struct ca *ca, const GENERAL_NAMES *want,
    const char *cert_path, const char *key_path)
{
	X509 *x = ca_cert_read(cert_path);
	EVP_PKEY *key = x != NULL ? ca_key_read(key_path) : NULL;
	const char *why = NULL;

	if (x == NULL)
		why = "no certificate";
	else if (key == NULL)
		why = "no key";
	else if (X509_check_private_key(x, key) != 1)
		why = "the key does not match";
	else if (X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(ca->cert.x509)) != 0 ||
	    X509_verify(x, ca->key) != 1)
		why = "another CA signed it";
	else if (xcert_time(X509_get0_notAfter(x)) - clock_real() <
	    (int64_t)CA_SERVER_RENEW_DAYS * CA_DAY)
		why = "it expires soon";
	else if (!san_matches(x, want))
		why = "its names differ";
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(x);
	return why;
}

static int
server_issue(struct ca *ca, const char *cn, GENERAL_NAMES *san,
    const char *cert_path, const char *key_path, struct err *err)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_NAME *name = ca_name_cn(strlen(cn) <= CN_MAX ? cn : "iotjobsd");
	BIO *kb = BIO_new(BIO_s_secmem()), *cb = BIO_new(BIO_s_mem());
	struct ca_tbs t;
	X509 *x = NULL;
	int rc = -1;

	if (key == NULL || name == NULL || kb == NULL || cb == NULL) {
		ca_ossl_fail(err, ERR_INTERNAL_FAILURE,
		    "ca: cannot make a server key");
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.subject = name;
	t.pub = key;
	t.days = CA_SERVER_DAYS;
	t.key_usage = "critical,digitalSignature";
	t.ext_key_usage = "serverAuth";
	t.san = san;
	x = ca_build(&ca->cert, ca->key, &t, err);
	if (x == NULL)
		goto out;
	if (PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) !=
	    1 || PEM_write_bio_X509(cb, x) != 1) {
		ca_ossl_fail(err, ERR_INTERNAL_FAILURE, "ca: cannot encode");
		goto out;
	}
	/* The key first: a certificate never names a key not yet there. */
	if (ca_bio_put(kb, key_path, 0600, true, err) == -1 ||
	    ca_bio_put(cb, cert_path, 0640, true, err) == -1)
		goto out;
	rc = 0;
out:
	X509_free(x);
	BIO_free(kb);
	BIO_free(cb);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return rc;
}

int
ca_server_cert(struct ca *ca, const char *const *hosts, size_t nhosts,
    const char *cert_out_path, const char *key_out_path, struct err *err)
{
	GENERAL_NAMES *want;
	const char *why;
	int rc;

	if (nhosts == 0 || nhosts > CA_SERVER_HOSTS_MAX)
		return err_set(err, ERR_INTERNAL_FAILURE, "ca: a server "
		    "certificate names 1 to %d hosts, not %zu",
		    CA_SERVER_HOSTS_MAX, nhosts);
	want = san_build(hosts, nhosts, err);
	if (want == NULL)
		return -1;
	why = server_stale(ca, want, cert_out_path, key_out_path);
	if (why == NULL) {
		GENERAL_NAMES_free(want);
		return 0;
	}
	rc = server_issue(ca, hosts[0], want, cert_out_path, key_out_path,
	    err);
	GENERAL_NAMES_free(want);
	if (rc == -1)
		return -1;
	log_info("ca: issued a server certificate file=%s (%s) for %zu "
	    "name(s)", cert_out_path, why, nhosts);
	return 1;
}
