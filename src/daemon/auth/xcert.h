/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An X.509 certificate as iotjobs reads it, through OpenSSL 3: a PEM
 * parsed into what the control plane answers and stores (id = hex SHA-256
 * of the DER, subject and issuer in RFC 2253, common name, validity, the
 * basicConstraints CA flag), and the check that one certificate signed
 * another. AWS answers CertificateValidationException for a PEM it cannot
 * use (https://docs.aws.amazon.com/iot/latest/apireference/
 * API_RegisterCertificate.html); so does xcert_parse().
 */
#ifndef IOTJOBS_XCERT_H
#define IOTJOBS_XCERT_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define XCERT_ID_LEN	64	/* hex SHA-256 of the DER (model pattern) */
#define XCERT_CN_MAX	255

struct xcert {
	X509 *x509;			/* owned (one reference) */
	char id[XCERT_ID_LEN + 1];
	char *pem;			/* canonical PEM, owned */
	char *subject;			/* RFC 2253, owned */
	char *issuer;			/* RFC 2253, owned */
	char common_name[XCERT_CN_MAX + 1];	/* first CN, "" if none */
	int64_t not_before, not_after;	/* epoch seconds */
	bool is_ca;			/* basicConstraints CA:TRUE */
};

/*
 * Parses the first certificate of the PEM text PEM into *OUT (released by
 * the caller on success). Fails with CertificateValidationException naming
 * MEMBER when PEM holds no certificate, or, when NOW is not 0, when the
 * certificate expired before NOW (epoch seconds, real clock).
 */
int xcert_parse(const char *pem, const char *member, int64_t now,
    struct xcert *out, struct err *err);

/* Fills *OUT from X (which gains a reference); -1 with ERR on failure. */
int xcert_from_x509(X509 *x, struct xcert *out, struct err *err);

/* Frees what C owns; safe on a zeroed struct. */
void xcert_release(struct xcert *c);

/*
 * Whether ISSUER signed C: C's issuer name is ISSUER's subject and C's
 * signature verifies with ISSUER's public key.
 */
bool xcert_signed_by(const struct xcert *c, const struct xcert *issuer);

/* The hex SHA-256 of X's DER into ID; -1 with ERR when X will not encode. */
int xcert_id(X509 *x, char id[XCERT_ID_LEN + 1], struct err *err);

/* An ASN1_TIME as epoch seconds (0 when it cannot be read). */
int64_t xcert_time(const ASN1_TIME *t);

#endif
