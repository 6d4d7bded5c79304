/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X.509 certificates read through OpenSSL 3 (see xcert.h): nothing here
 * decodes ASN.1 itself; OpenSSL parses, prints names and verifies.
 */
#include "auth/xcert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "xmalloc.h"

/* The text written to the memory BIO B, as a new NUL-terminated string. */
static char *
bio_text(BIO *b)
{
	char *data, *s;
	long n = BIO_get_mem_data(b, &data);

	if (n < 0)
		n = 0;
	s = xmalloc((size_t)n + 1);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

static char *
name_text(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s;

	if (b == NULL)
		return xstrdup("");
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) < 0) {
		BIO_free(b);
		return xstrdup("");
	}
	s = bio_text(b);
	BIO_free(b);
	return s;
}

static void
name_cn(const X509_NAME *name, char cn[XCERT_CN_MAX + 1])
{
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	unsigned char *utf8 = NULL;
	int n;

	cn[0] = '\0';
	if (i < 0)
		return;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(name, i)));
	if (n < 0)
		return;
	snprintf(cn, XCERT_CN_MAX + 1, "%.*s", n, (const char *)utf8);
	OPENSSL_free(utf8);
}

int64_t
xcert_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

int
xcert_id(X509 *x, char id[XCERT_ID_LEN + 1], struct err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int mdlen = 0, i;
	int n = i2d_X509(x, &der);

	id[0] = '\0';
	if (n <= 0)
		return err_set(err, ERR_CERT_VALIDATION,
		    "the certificate cannot be DER-encoded");
	if (EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 != XCERT_ID_LEN) {
		OPENSSL_free(der);
		return err_set(err, ERR_INTERNAL_FAILURE, "SHA-256 failed");
	}
	OPENSSL_free(der);
	for (i = 0; i < mdlen; i++)
		snprintf(id + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static bool
x509_is_ca(X509 *x)
{
	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints,
	    NULL, NULL);
	bool ca = bc != NULL && bc->ca;

	BASIC_CONSTRAINTS_free(bc);
	return ca;
}

int
xcert_from_x509(X509 *x, struct xcert *out, struct err *err)
{
	BIO *b;

	memset(out, 0, sizeof(*out));
	if (xcert_id(x, out->id, err) == -1)
		return -1;
	b = BIO_new(BIO_s_mem());
	if (b == NULL || PEM_write_bio_X509(b, x) != 1) {
		BIO_free(b);
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot PEM-encode the certificate");
	}
	out->pem = bio_text(b);
	BIO_free(b);
	X509_up_ref(x);
	out->x509 = x;
	out->subject = name_text(X509_get_subject_name(x));
	out->issuer = name_text(X509_get_issuer_name(x));
	name_cn(X509_get_subject_name(x), out->common_name);
	out->not_before = xcert_time(X509_get0_notBefore(x));
	out->not_after = xcert_time(X509_get0_notAfter(x));
	out->is_ca = x509_is_ca(x);
	return 0;
}

int
xcert_parse(const char *pem, const char *member, int64_t now,
    struct xcert *out, struct err *err)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	char when[32];
	time_t t;
	int rc;

	BIO_free(b);
	ERR_clear_error();
	memset(out, 0, sizeof(*out));
	if (x == NULL)
		return err_set(err, ERR_CERT_VALIDATION, "%s is "
		    "not an X.509 certificate in PEM form (-----BEGIN "
		    "CERTIFICATE-----)", member);
	rc = xcert_from_x509(x, out, err);
	X509_free(x);
	if (rc == -1)
		return -1;
	if (now != 0 && out->not_after < now) {
		t = (time_t)out->not_after;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		xcert_release(out);
		return err_set(err, ERR_CERT_VALIDATION, "%s: "
		    "the certificate expired on %s", member, when);
	}
	return 0;
}

void
xcert_release(struct xcert *c)
{
	X509_free(c->x509);
	free(c->pem);
	free(c->subject);
	free(c->issuer);
	memset(c, 0, sizeof(*c));
}

bool
xcert_signed_by(const struct xcert *c, const struct xcert *issuer)
{
	EVP_PKEY *pub;
	int ok;

	if (c->x509 == NULL || issuer->x509 == NULL ||
	    X509_NAME_cmp(X509_get_issuer_name(c->x509),
	    X509_get_subject_name(issuer->x509)) != 0)
		return false;
	pub = X509_get0_pubkey(issuer->x509);
	ok = pub != NULL && X509_verify(c->x509, pub) == 1;
	ERR_clear_error();
	return ok;
}
