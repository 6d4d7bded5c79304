/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CA certificates of the control plane and the account's registration
 * code, as https://docs.aws.amazon.com/iot/latest/apireference/ describes
 * them: GetRegistrationCode, DeleteRegistrationCode,
 * RegisterCACertificate, DescribeCACertificate, ListCACertificates,
 * UpdateCACertificate, DeleteCACertificate. Auto-registration settings
 * are stored and answered; iotjobs does not register device certificates
 * by itself when devices connect (no JITR/JITP).
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "api/cert_int.h"
#include "api/tags.h"
#include "auth/ca.h"
#include "auth/xcert.h"
#include "clock.h"
#include "store/store_cert.h"

/* AWS: up to 10 CA certificates with the same subject per account. */
#define CA_SAME_SUBJECT_MAX	10

static int
cacert_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "The CA certificate %s does not "
	    "exist", id);
}

int
cert_regconfig_check(const json_t *in, struct err *err)
{
	const json_t *cfg = json_object_get(in, "registrationConfig");
	const char *name = api_in_str(cfg, "templateName");

	if (name != NULL)
		return err_set(err, ERR_NOT_FOUND, "Provisioning template %s "
		    "does not exist (registrationConfig.templateName): iotjobs"
		    " does not implement provisioning templates", name);
	return 0;
}

/* The registration code, created on the first call (write TX). */
static int
regcode_get_or_make(struct store_tx *tx, int64_t now,
    char code[STORE_REGCODE_LEN + 1], struct err *err)
{
	unsigned char rnd[STORE_REGCODE_LEN / 2];
	size_t i;
	int found = store_regcode_get(tx, code, err);

	if (found != 0)
		return found == 1 ? 0 : -1;
	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
		return err_set(err, ERR_INTERNAL_FAILURE, "no random bytes");
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(code + 2 * i, 3, "%02x", rnd[i]);
	return store_regcode_put(tx, code, now, err);
}

static int
regcode_get(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	char code[STORE_REGCODE_LEN + 1];
	struct store_tx *tx = ctx->tx;
	int rc;

	(void)in;
	rc = regcode_get_or_make(tx, ctx->now, code, err);
	if (rc == 0)
		*out = json_pack("{s:s}", "registrationCode", code);
	return rc;
}

static int
regcode_delete(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	char code[STORE_REGCODE_LEN + 1];
	struct store_tx *tx = ctx->tx;
	int found, rc = -1;

	(void)in;
	(void)out;	/* NULL answers {} */
	found = store_regcode_get(tx, code, err);
	if (found == 0)
		err_set(err, ERR_NOT_FOUND, "There is no registration code to "
		    "delete");
	else if (found == 1)
		rc = store_regcode_delete(tx, err);
	return rc;
}

/*
 * The verification certificate VER_PEM: signed by CA, its subject CN the
 * account's registration code (AWS's proof that the caller holds the
 * CA's private key).
 */
static int
verification_check(struct store_tx *tx, const struct xcert *ca,
    const char *ver_pem, struct err *err)
{
	char code[STORE_REGCODE_LEN + 1];
	struct xcert ver;
	int found, rc = -1;

	if (xcert_parse(ver_pem, "verificationCertificate", clock_real(),
	    &ver, err) == -1)
		return -1;
	found = store_regcode_get(tx, code, err);
	if (found == -1)
		goto out;
	if (!xcert_signed_by(&ver, ca)) {
		err_set(err, ERR_CERT_VALIDATION, "verificationCertificate "
		    "was not signed by caCertificate");
		goto out;
	}
	if (found == 0 || strcmp(ver.common_name, code) != 0) {
		err_set(err, ERR_REGCODE_VALIDATION, "verificationCertificate:"
		    " its subject CN must be the registration code of "
		    "GetRegistrationCode%s", found == 0 ? " (none was made "
		    "yet)" : "");
		goto out;
	}
	rc = 0;
out:
	xcert_release(&ver);
	return rc;
}

/* The mode of RegisterCACertificate with its verificationCertificate. */
static int
cacert_mode_check(const json_t *in, const char **mode, struct err *err)
{
	const char *m = api_in_str(in, "certificateMode");
	bool ver = api_in_str(in, "verificationCertificate") != NULL;

	*mode = m != NULL ? m : "DEFAULT";
	if (strcmp(*mode, "SNI_ONLY") == 0 && ver)
		return err_set(err, ERR_INVALID_REQUEST, "verification"
		    "Certificate must be empty when certificateMode is "
		    "SNI_ONLY");
	if (strcmp(*mode, "SNI_ONLY") != 0 && !ver)
		return err_set(err, ERR_INVALID_REQUEST, "verification"
		    "Certificate is required when certificateMode is DEFAULT");
	return 0;
}

/* Checks and inserts the parsed CA certificate CA, inside TX. */
static int
cacert_insert_tx(struct api_ctx *ctx, struct store_tx *tx, const json_t *in,
    const struct xcert *ca, const char *mode, struct err *err)
{
	const char *ver = api_in_str(in, "verificationCertificate");
	char arn[ERR_ARN_MAX];
	struct store_ca row;
	json_t *same;
	int found;

	if (ver != NULL && verification_check(tx, ca, ver, err) == -1)
		return -1;
	found = store_ca_get(tx, ca->id, NULL, err);
	if (found == -1)
		return -1;
	if (found == 1) {
		cert_ca_arn(ctx, ca->id, arn, sizeof(arn));
		err_set(err, ERR_ALREADY_EXISTS, "The CA certificate is "
		    "already registered: %s", ca->id);
		err_set_resource(err, ca->id, arn);
		return -1;
	}
	same = json_array();
	if (store_ca_by_subject(tx, ca->subject, NULL, same, err) == -1) {
		json_decref(same);
		return -1;
	}
	found = (int)json_array_size(same);
	json_decref(same);
	if (found >= CA_SAME_SUBJECT_MAX)
		return err_set(err, ERR_LIMIT_EXCEEDED, "%d CA certificates "
		    "with subject \"%.200s\" are registered already, the most "
		    "allowed", found, ca->subject);
	memset(&row, 0, sizeof(row));
	snprintf(row.id, sizeof(row.id), "%s", ca->id);
	row.pem = ca->pem;
	snprintf(row.status, sizeof(row.status), "%s", json_is_true(
	    json_object_get(in, "setAsActive")) ? "ACTIVE" : "INACTIVE");
	snprintf(row.auto_registration, sizeof(row.auto_registration), "%s",
	    json_is_true(json_object_get(in, "allowAutoRegistration")) ?
	    "ENABLE" : "DISABLE");
	snprintf(row.mode, sizeof(row.mode), "%s", mode);
	row.registration_config = json_object_get(in, "registrationConfig");
	row.tags = NULL;	/* the tags table has them (tags_create) */
	row.subject = ca->subject;
	row.not_before = ca->not_before;
	row.not_after = ca->not_after;
	row.customer_version = 1;
	store_uuid_new(row.generation_id);
	row.created_at = row.modified_at = ctx->now;
	if (store_ca_insert(tx, &row, err) == -1 ||
	    tags_create(tx, "cacert", row.id, json_object_get(in, "tags"),
	    err) == -1)
		return -1;
	return store_authz_bump(tx, err);
}

static int
cacert_register(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *mode;
	char arn[ERR_ARN_MAX];
	struct xcert ca;
	int rc;

	if (cacert_mode_check(in, &mode, err) == -1 ||
	    cert_regconfig_check(in, err) == -1 ||
	    tags_check(json_object_get(in, "tags"), err) == -1 ||
	    xcert_parse(api_in_str(in, "caCertificate"), "caCertificate",
	    clock_real(), &ca, err) == -1)
		return -1;
	if (!ca.is_ca) {
		xcert_release(&ca);
		return err_set(err, ERR_CERT_VALIDATION, "caCertificate is not"
		    " a CA certificate (basicConstraints CA:TRUE)");
	}
	rc = cacert_insert_tx(ctx, ctx->tx, in, &ca, mode, err);
	if (rc == 0) {
		cert_ca_arn(ctx, ca.id, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s}", "certificateArn", arn,
		    "certificateId", ca.id);
	}
	xcert_release(&ca);
	return rc;
}

static json_t *
cacert_description(const struct api_ctx *ctx, const struct store_ca *c)
{
	char arn[ERR_ARN_MAX];

	cert_ca_arn(ctx, c->id, arn, sizeof(arn));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:s,"
	    " s:o, s:s}", "certificateArn", arn, "certificateId", c->id,
	    "status", c->status, "certificatePem", c->pem,
	    "ownedBy", ctx->conf->account_id,
	    "creationDate", (json_int_t)c->created_at,
	    "autoRegistrationStatus", c->auto_registration,
	    "lastModifiedDate", (json_int_t)c->modified_at,
	    "customerVersion", (json_int_t)c->customer_version,
	    "generationId", c->generation_id,
	    "validity", cert_validity(c->not_before, c->not_after),
	    "certificateMode", c->mode);
}

static int
cacert_describe(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	char id[STORE_CERT_ID_LEN + 1];
	struct store_tx *tx = ctx->tx;
	struct store_ca c;
	int found;

	cert_id_arg(in, "certificateId", id);
	found = store_ca_get(tx, id, &c, err);
	if (found == -1)
		return -1;
	if (found == 0)
		return cacert_missing(id, err);
	*out = json_pack("{s:o}", "certificateDescription",
	    cacert_description(ctx, &c));
	if (c.registration_config != NULL)
		json_object_set(*out, "registrationConfig",
		    c.registration_config);
	store_ca_release(&c);
	return 0;
}

static int
cacert_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	static const struct marker_listing listing =
	    CERT_LISTING("ListCACertificates");

	return cert_list_answer(&listing, ctx, in, store_ca_list,
	    api_in_str(in, "templateName"), true, out, err);
}

/*
 * Applies UpdateCACertificate's IN to C; *CHANGED tells whether anything
 * moved, *STATUS_CHANGED whether the status did.
 */
static void
cacert_apply(struct store_ca *c, const json_t *in, bool *changed,
    bool *status_changed)
{
	const char *status = api_in_str(in, "newStatus");
	const char *autoreg = api_in_str(in, "newAutoRegistrationStatus");
	json_t *cfg = json_object_get(in, "registrationConfig");

	*changed = *status_changed = false;
	if (status != NULL && strcmp(status, c->status) != 0) {
		snprintf(c->status, sizeof(c->status), "%s", status);
		*changed = *status_changed = true;
	}
	if (autoreg != NULL && strcmp(autoreg, c->auto_registration) != 0) {
		snprintf(c->auto_registration, sizeof(c->auto_registration),
		    "%s", autoreg);
		*changed = true;
	}
	if (cfg != NULL && !json_equal(cfg, c->registration_config)) {
		json_decref(c->registration_config);
		c->registration_config = json_incref(cfg);
		*changed = true;
	}
	if (json_is_true(json_object_get(in, "removeAutoRegistration")) &&
	    (c->registration_config != NULL ||
	    strcmp(c->auto_registration, "DISABLE") != 0)) {
		json_decref(c->registration_config);
		c->registration_config = NULL;
		snprintf(c->auto_registration, sizeof(c->auto_registration),
		    "DISABLE");
		*changed = true;
	}
}

static int
cacert_update(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	char id[STORE_CERT_ID_LEN + 1];
	struct store_tx *tx = ctx->tx;
	struct store_ca c;
	bool changed = false, status_changed = false;
	int found, rc = -1;

	(void)out;	/* NULL answers {} */
	if (json_is_true(json_object_get(in, "removeAutoRegistration")) &&
	    (json_object_get(in, "registrationConfig") != NULL ||
	    api_in_str(in, "newAutoRegistrationStatus") != NULL))
		return err_set(err, ERR_INVALID_REQUEST,
		    "removeAutoRegistration cannot go with registrationConfig or "
		    "newAutoRegistrationStatus");
	if (cert_regconfig_check(in, err) == -1)
		return -1;
	cert_id_arg(in, "certificateId", id);
	found = store_ca_get(tx, id, &c, err);
	if (found == 0)
		cacert_missing(id, err);
	else if (found == 1)
		rc = 0;
	if (rc == 0)
		cacert_apply(&c, in, &changed, &status_changed);
	if (rc == 0 && changed) {
		c.customer_version++;
		store_uuid_new(c.generation_id);
		c.modified_at = ctx->now;
		rc = store_ca_update(tx, &c, err);
	}
	if (rc == 0 && status_changed)
		rc = store_authz_bump(tx, err);
	if (found == 1)
		store_ca_release(&c);
	return rc;
}

/*
 * AWS refuses to delete an ACTIVE CA certificate (CertificateState
 * Exception). The device certificates registered with a deleted CA stay,
 * keeping its id as their caCertificateId (authentication finds no CA row
 * and so no ACTIVE CA for them). iotjobsd's own CA cannot be deleted: it
 * signs every CreateKeysAndCertificate certificate; INACTIVE stops its
 * certificates as well.
 */
static int
cacert_delete(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	char id[STORE_CERT_ID_LEN + 1];
	struct store_tx *tx = ctx->tx;
	struct store_ca c;
	int found, rc = -1;

	(void)out;	/* NULL answers {} */
	cert_id_arg(in, "certificateId", id);
	found = store_ca_get(tx, id, &c, err);
	if (found == 0)
		cacert_missing(id, err);
	else if (found == 1 && strcmp(c.status, "ACTIVE") == 0)
		err_set(err, ERR_CERT_STATE, "The CA certificate %s is ACTIVE:"
		    " set it INACTIVE (UpdateCACertificate) before deleting "
		    "it", id);
	else if (found == 1 && ctx->ca != NULL &&
	    strcmp(ca_cert(ctx->ca)->id, id) == 0)
		err_set(err, ERR_CERT_STATE, "The CA certificate %s is "
		    "iotjobsd's own CA, which signs the certificates it "
		    "creates: it cannot be deleted", id);
	else if (found == 1 && (rc = store_ca_delete(tx, id, err)) == 0 &&
	    (rc = tags_drop(tx, "cacert", id, err)) == 0)
		rc = store_authz_bump(tx, err);
	if (found == 1)
		store_ca_release(&c);
	return rc;
}

const struct api_op api_ca_ops[] = {
	/* The first call makes the code: a write. */
	{ "GetRegistrationCode", PLANE_CONTROL, regcode_get, API_WRITE },
	{ "DeleteRegistrationCode", PLANE_CONTROL, regcode_delete,
	    API_WRITE },
	{ "RegisterCACertificate", PLANE_CONTROL, cacert_register,
	    API_WRITE },
	{ "DescribeCACertificate", PLANE_CONTROL, cacert_describe, API_READ },
	{ "ListCACertificates", PLANE_CONTROL, cacert_list, API_READ },
	{ "UpdateCACertificate", PLANE_CONTROL, cacert_update, API_WRITE },
	{ "DeleteCACertificate", PLANE_CONTROL, cacert_delete, API_WRITE },
	{ NULL, PLANE_DATA, NULL, 0 },
};
