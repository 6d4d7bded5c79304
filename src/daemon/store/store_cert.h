/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of the certificate API (schema 0012 tables certificates
 * and ca_certificates, 0013 registration_code): rows in and out, the
 * attachments DeleteCertificate checks (thing_principals, policy_targets,
 * read here, written by the principal operations), and keyset pages in
 * creation order. Lookups return 1 (found), 0 (missing) or -1 (ERR set).
 * The api layer decides every status change and calls store_authz_bump()
 * in the same transaction. Implemented by sqlite_cert.c.
 */
#ifndef IOTJOBS_STORE_CERT_H
#define IOTJOBS_STORE_CERT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "store_identity.h"
#include "store_thing.h"

#define STORE_CERT_MODE_MAX	16	/* DEFAULT | SNI_ONLY */
#define STORE_REGCODE_LEN	64	/* hex, the model's RegistrationCode */

struct store_cert {
	char id[STORE_CERT_ID_LEN + 1];
	char *pem;				/* owned */
	char status[STORE_STATUS_MAX];
	char ca_id[STORE_CERT_ID_LEN + 1];	/* "" without CA */
	char mode[STORE_CERT_MODE_MAX];
	char common_name[256];
	int64_t not_before, not_after;		/* real clock */
	int64_t customer_version;
	char generation_id[STORE_ID_LEN + 1];
	int64_t created_at, modified_at;	/* jobs' clock */
};

struct store_ca {
	char id[STORE_CERT_ID_LEN + 1];
	char *pem;				/* owned */
	char status[STORE_STATUS_MAX];		/* ACTIVE | INACTIVE */
	char auto_registration[16];		/* ENABLE | DISABLE */
	char mode[STORE_CERT_MODE_MAX];
	json_t *registration_config;		/* object or NULL, owned */
	json_t *tags;	/* NULL: since 0018 the tags table keeps them */
	char *subject;				/* RFC 2253, owned */
	int64_t not_before, not_after;
	int64_t customer_version;
	char generation_id[STORE_ID_LEN + 1];
	int64_t created_at, modified_at;
};

/*
 * A page in creation order (created_at, then id), ASCENDING or not; when
 * HAS_AFTER, it starts after the row (AFTER_AT, AFTER_ID) in that order.
 */
struct store_cert_page {
	bool ascending;
	bool has_after;
	int64_t after_at;
	char after_id[STORE_CERT_ID_LEN + 1];
	int limit;
};

/* Frees what C owns (C itself is embedded); safe on a zeroed struct. */
void store_cert_release(struct store_cert *c);
void store_ca_release(struct store_ca *c);

/* Certificate ID into *OUT (NULL: existence only). */
int store_cert_get(struct store_tx *tx, const char *id,
    struct store_cert *out, struct err *err);

/* Inserts C (its id must be new: the caller looked first). */
int store_cert_insert(struct store_tx *tx, const struct store_cert *c,
    struct err *err);

/* Writes the status, customer version, generation id and modification
 * time of the existing certificate C. */
int store_cert_update(struct store_tx *tx, const struct store_cert *c,
    struct err *err);

/* Deletes certificate ID (nothing else). */
int store_cert_delete(struct store_tx *tx, const char *id,
    struct err *err);

/*
 * How many things (thing_principals) and policies (policy_targets) the
 * principal ARN is attached to, into *THINGS and *POLICIES.
 */
int store_cert_attached(struct store_tx *tx, const char *arn,
    int64_t *things, int64_t *policies, struct err *err);

/* Removes every policy attachment of the principal ARN. */
int store_cert_detach_policies(struct store_tx *tx, const char *arn,
    struct err *err);

/*
 * ListCertificates (CA_ID NULL) or ListCertificatesByCA: appends
 * {"certificateId", "status", "certificateMode", "creationDate"} objects to
 * the array OUT; *MORE tells whether rows follow the page.
 */
int store_cert_list(struct store_tx *tx, const char *ca_id,
    const struct store_cert_page *pg, json_t *out, bool *more,
    struct err *err);

/* CA certificate ID into *OUT (NULL: existence only). */
int store_ca_get(struct store_tx *tx, const char *id, struct store_ca *out,
    struct err *err);

int store_ca_insert(struct store_tx *tx, const struct store_ca *c,
    struct err *err);

/* Writes status, auto-registration, registration configuration, customer
 * version, generation id and modification time of the existing C. */
int store_ca_update(struct store_tx *tx, const struct store_ca *c,
    struct err *err);

int store_ca_delete(struct store_tx *tx, const char *id, struct err *err);

/*
 * The ids of the CA certificates of subject SUBJECT (RFC 2253), only those
 * of STATUS unless it is NULL, appended as strings to the array OUT.
 */
int store_ca_by_subject(struct store_tx *tx, const char *subject,
    const char *status, json_t *out, struct err *err);

/*
 * ListCACertificates: appends {"certificateId", "status", "creationDate"}
 * objects to OUT; TEMPLATE (NULL: any) keeps the CAs whose registration
 * configuration names that provisioning template.
 */
int store_ca_list(struct store_tx *tx, const char *template_name,
    const struct store_cert_page *pg, json_t *out, bool *more,
    struct err *err);

/* The registration code into CODE: 1, or 0 when there is none yet. */
int store_regcode_get(struct store_tx *tx,
    char code[STORE_REGCODE_LEN + 1], struct err *err);

/* Sets the registration code (replacing any). */
int store_regcode_put(struct store_tx *tx, const char *code, int64_t now,
    struct err *err);

int store_regcode_delete(struct store_tx *tx, struct err *err);

#endif
