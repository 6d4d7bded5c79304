/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the CA (ca.c, ca_server.c): the CA's state and the certificate
 * builder both files use. Nothing outside auth/ca*.c includes this.
 */
#ifndef IOTJOBS_CA_INT_H
#define IOTJOBS_CA_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "auth/ca.h"
#include "auth/xcert.h"
#include "err.h"

#define CA_DAY		86400

struct ca {
	struct xcert cert;
	EVP_PKEY *key;
	char cert_path[PATH_MAX + 16];
};

/* What a new certificate holds besides serial, validity and issuer. */
struct ca_tbs {
	const X509_NAME *subject;
	EVP_PKEY *pub;
	int64_t days;		/* capped at the issuer's notAfter */
	bool is_ca;
	const char *key_usage;		/* X509V3 config text */
	const char *ext_key_usage;	/* NULL: none */
	GENERAL_NAMES *san;		/* NULL: none; borrowed */
};

/*
 * A new certificate for T signed by KEY: by the CA ISSUER, or self-signed
 * when ISSUER is NULL; random 16-byte serial, validity from 5 minutes ago,
 * basicConstraints, keyUsage, SKI/AKI. NULL with ERR on failure.
 */
X509 *ca_build(const struct xcert *issuer, EVP_PKEY *key,
    const struct ca_tbs *t, struct err *err);

/* A name of one CN; NULL when CN will not encode. Caller frees. */
X509_NAME *ca_name_cn(const char *cn);

/* Sets ERR to TYPE "WHAT: <OpenSSL's last error>", empties the queue. */
int ca_ossl_fail(struct err *err, const char *type, const char *what);

/* atomic_file_put() of what the memory BIO B holds. */
int ca_bio_put(BIO *b, const char *path, mode_t mode, bool replace,
    struct err *err);

/* The first PEM certificate / unencrypted private key of PATH, or NULL. */
X509 *ca_cert_read(const char *path);
EVP_PKEY *ca_key_read(const char *path);

#endif
