/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device certificates of the control plane, as the iot model and
 * https://docs.aws.amazon.com/iot/latest/apireference/ describe them:
 * CreateKeysAndCertificate, CreateCertificateFromCsr (signed by iotjobsd's
 * CA, auth/ca.c), RegisterCertificate, RegisterCertificateWithoutCA,
 * DescribeCertificate, ListCertificates, ListCertificatesByCA,
 * UpdateCertificate, DeleteCertificate. A certificate's id is the hex
 * SHA-256 of its DER. Every change of a status bumps the authorization
 * generation in the same transaction. Certificate transfers (the
 * PENDING_TRANSFER status) are not implemented.
 */
#include "api/api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/cert_int.h"
#include "auth/ca.h"
#include "auth/xcert.h"
#include "clock.h"
#include "store/store_cert.h"

/* The statuses a caller may give (RegisterCertificate's status). */
static bool
status_is_settable(const char *s)
{
	return strcmp(s, "ACTIVE") == 0 || strcmp(s, "INACTIVE") == 0 ||
	    strcmp(s, "REVOKED") == 0;
}

void
cert_id_arg(const json_t *in, const char *member,
    char id[STORE_CERT_ID_LEN + 1])
{
	const char *s = api_in_str(in, member);
	size_t i;

	snprintf(id, STORE_CERT_ID_LEN + 1, "%s", s != NULL ? s : "");
	for (i = 0; id[i] != '\0'; i++)
		id[i] = (char)tolower((unsigned char)id[i]);
}

void
cert_arn(const struct api_ctx *ctx, const char *id, char *buf, size_t size)
{
	api_arn(ctx, "cert", id, buf, size);
}

void
cert_ca_arn(const struct api_ctx *ctx, const char *id, char *buf,
    size_t size)
{
	api_arn(ctx, "cacert", id, buf, size);
}

json_t *
cert_validity(int64_t not_before, int64_t not_after)
{
	return json_pack("{s:I, s:I}", "notBefore", (json_int_t)not_before,
	    "notAfter", (json_int_t)not_after);
}

int
cert_page_init(const struct marker_listing *l, const json_t *in,
    struct store_cert_page *pg, struct err *err)
{
	const json_t *size = json_object_get(in, "pageSize");
	struct marker_pos pos;
	bool given;

	memset(pg, 0, sizeof(*pg));
	pg->limit = json_is_integer(size) ? (int)json_integer_value(size) :
	    CERT_PAGE_DEFAULT;
	pg->ascending = json_is_true(json_object_get(in, "ascendingOrder"));
	if (marker_read(l, NULL, in, &pos, &given, err) == -1)
		return -1;
	if (!given)
		return 0;
	if (strlen(pos.key) != STORE_CERT_ID_LEN)
		return marker_refuse(l, err);
	pg->after_at = pos.seq;
	memcpy(pg->after_id, pos.key, sizeof(pg->after_id));
	pg->has_after = true;
	return 0;
}

json_t *
cert_page_answer(const struct marker_listing *l, const struct api_ctx *ctx,
    json_t *items, bool more, bool ca)
{
	char arn[ERR_ARN_MAX];
	struct marker_pos pos;
	json_t *item, *out;
	size_t i;

	json_array_foreach(items, i, item) {
		const char *id = api_in_str(item, "certificateId");

		if (ca)
			cert_ca_arn(ctx, id, arn, sizeof(arn));
		else
			cert_arn(ctx, id, arn, sizeof(arn));
		json_object_set_new(item, "certificateArn", json_string(arn));
	}
	out = json_pack("{s:o}", "certificates", items);
	if (more && json_array_size(items) > 0) {
		item = json_array_get(items, json_array_size(items) - 1);
		pos.seq = json_integer_value(json_object_get(item,
		    "creationDate"));
		snprintf(pos.key, sizeof(pos.key), "%s", api_in_str(item,
		    "certificateId"));
		marker_write(l, NULL, &pos, out);
	}
	return out;
}

static int
cert_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "The certificate %s does not exist",
	    id);
}

/*
 * Stores the parsed certificate C as new, in STATUS, under CA CA_ID ("":
 * none) and MODE, inside TX; ResourceAlreadyExistsException with its id
 * and ARN when it is registered already.
 */
static int
cert_insert_tx(struct api_ctx *ctx, struct store_tx *tx,
    const struct xcert *c, const char *status, const char *ca_id,
    const char *mode, struct err *err)
{
	struct store_cert row;
	char arn[ERR_ARN_MAX];
	int found = store_cert_get(tx, c->id, NULL, err);

	if (found == -1)
		return -1;
	if (found == 1) {
		cert_arn(ctx, c->id, arn, sizeof(arn));
		err_set(err, ERR_ALREADY_EXISTS, "The certificate is already "
		    "provisioned or registered: %s", c->id);
		err_set_resource(err, c->id, arn);
		return -1;
	}
	memset(&row, 0, sizeof(row));
	snprintf(row.id, sizeof(row.id), "%s", c->id);
	row.pem = c->pem;
	snprintf(row.status, sizeof(row.status), "%s", status);
	snprintf(row.ca_id, sizeof(row.ca_id), "%s", ca_id);
	snprintf(row.mode, sizeof(row.mode), "%s", mode);
	snprintf(row.common_name, sizeof(row.common_name), "%s",
	    c->common_name);
	row.not_before = c->not_before;
	row.not_after = c->not_after;
	row.customer_version = 1;
	store_uuid_new(row.generation_id);
	row.created_at = row.modified_at = ctx->now;
	if (store_cert_insert(tx, &row, err) == -1)
		return -1;
	return store_authz_bump(tx, err);
}

/*
 * cert_insert_tx() in a transaction of its own, for iotjobsd's CA. Its two
 * operations open it themselves (rows without API_WRITE): they make a key
 * pair or sign a CSR first, which is not to run under the write lock
 * every other write waits for.
 */
static int
cert_insert_own(struct api_ctx *ctx, const struct xcert *c, bool active,
    struct err *err)
{
	struct store_tx *tx;
	int rc;

	if (store_begin(ctx->st, true, &tx, err) == -1)
		return -1;
	rc = cert_insert_tx(ctx, tx, c, active ? "ACTIVE" : "INACTIVE",
	    ca_cert(ctx->ca)->id, "DEFAULT", err);
	if (store_end(tx, rc == 0, err) == -1)
		rc = -1;
	return rc;
}

static int
own_ca_missing(struct err *err)
{
	return err_set(err, ERR_INTERNAL_FAILURE, "iotjobsd has no CA");
}

static json_t *
cert_created(const struct api_ctx *ctx, const struct xcert *c)
{
	char arn[ERR_ARN_MAX];

	cert_arn(ctx, c->id, arn, sizeof(arn));
	return json_pack("{s:s, s:s, s:s}", "certificateArn", arn,
	    "certificateId", c->id, "certificatePem", c->pem);
}

static int
cert_create_keys(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	bool active = json_is_true(json_object_get(in, "setAsActive"));
	struct ca_keys k;

	if (ctx->ca == NULL)
		return own_ca_missing(err);
	if (ca_new_keys_and_cert(ctx->ca, &k, err) == -1)
		return -1;
	if (cert_insert_own(ctx, &k.cert, active, err) == -1) {
		ca_keys_release(&k);
		return -1;
	}
	/* The only answer that ever holds the private key (AWS: same). */
	*out = cert_created(ctx, &k.cert);
	json_object_set_new(*out, "keyPair", json_pack("{s:s, s:s}",
	    "PublicKey", k.public_pem, "PrivateKey", k.private_pem));
	ca_keys_release(&k);
	return 0;
}

static int
cert_create_from_csr(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	bool active = json_is_true(json_object_get(in, "setAsActive"));
	struct xcert c;
	int rc;

	if (ctx->ca == NULL)
		return own_ca_missing(err);
	if (ca_sign_csr(ctx->ca, api_in_str(in, "certificateSigningRequest"),
	    &c, err) == -1)
		return -1;
	rc = cert_insert_own(ctx, &c, active, err);
	if (rc == 0)
		*out = cert_created(ctx, &c);
	xcert_release(&c);
	return rc;
}

/* RegisterCertificate's status: status, else the deprecated setAsActive. */
static int
register_status(const json_t *in, const char **status, struct err *err)
{
	const char *s = api_in_str(in, "status");

	if (s == NULL) {
		*status = json_is_true(json_object_get(in, "setAsActive")) ?
		    "ACTIVE" : "INACTIVE";
		return 0;
	}
	if (!status_is_settable(s))
		return err_set(err, ERR_INVALID_REQUEST, "status %s cannot be"
		    " registered: use ACTIVE, INACTIVE or REVOKED", s);
	*status = s;
	return 0;
}

/*
 * The registered CA certificate that signed C, found by C's issuer among
 * the ACTIVE ones, into ROW: CertificateValidationException when none
 * did, CertificateConflictException when more than one did.
 */
static int
issuer_find(struct store_tx *tx, const struct xcert *c,
    struct store_ca *row, struct err *err)
{
	json_t *ids = json_array(), *v;
	struct store_ca cand;
	struct xcert ca;
	struct err ignored;
	size_t i;
	int n = 0, found = 0;

	if (store_ca_by_subject(tx, c->issuer, "ACTIVE", ids, err) == -1) {
		json_decref(ids);
		return -1;
	}
	json_array_foreach(ids, i, v) {
		found = store_ca_get(tx, json_string_value(v), &cand, err);
		if (found == -1)
			break;
		if (found == 0)
			continue;
		if (xcert_parse(cand.pem, "caCertificatePem", 0, &ca,
		    &ignored) == 0 && xcert_signed_by(c, &ca) && n++ == 0) {
			*row = cand;
			memset(&cand, 0, sizeof(cand));
		}
		xcert_release(&ca);
		store_ca_release(&cand);
	}
	json_decref(ids);
	if (n > 1 || (n == 1 && found == -1))
		store_ca_release(row);
	if (found == -1)
		return -1;
	if (n == 1)
		return 0;
	if (n == 0)
		return err_set(err, ERR_CERT_VALIDATION, "certificatePem: no "
		    "registered ACTIVE CA certificate with subject \"%.200s\" "
		    "signed it: register its CA (RegisterCACertificate) or "
		    "use RegisterCertificateWithoutCA", c->issuer);
	return err_set(err, ERR_CERT_CONFLICT, "certificatePem: %d "
	    "registered CA certificates with subject \"%.200s\" and the same "
	    "key signed it: name one in caCertificatePem", n, c->issuer);
}

/* The registered CA certificate of CA_PEM, which must have signed C. */
static int
issuer_given(struct store_tx *tx, const struct xcert *c,
    const char *ca_pem, struct store_ca *row, struct err *err)
{
	struct xcert ca;
	int found, rc = -1;

	if (xcert_parse(ca_pem, "caCertificatePem", clock_real(), &ca,
	    err) == -1)
		return -1;
	found = store_ca_get(tx, ca.id, row, err);
	if (found == 0)
		err_set(err, ERR_CERT_VALIDATION, "caCertificatePem: the CA "
		    "certificate %s is not registered (RegisterCACertificate)",
		    ca.id);
	else if (found == 1 && !xcert_signed_by(c, &ca))
		err_set(err, ERR_CERT_VALIDATION, "certificatePem was not "
		    "signed by the CA certificate of caCertificatePem (%s)",
		    ca.id);
	else if (found == 1)
		rc = 0;
	if (found == 1 && rc == -1)
		store_ca_release(row);
	xcert_release(&ca);
	return rc;
}

static int
cert_register(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *ca_pem = api_in_str(in, "caCertificatePem");
	const char *status = NULL;
	struct store_ca ca;
	struct store_tx *tx = ctx->tx;
	struct xcert c;
	char arn[ERR_ARN_MAX];
	int rc;

	if (register_status(in, &status, err) == -1 ||
	    xcert_parse(api_in_str(in, "certificatePem"), "certificatePem",
	    clock_real(), &c, err) == -1)
		return -1;
	memset(&ca, 0, sizeof(ca));
	rc = ca_pem != NULL ? issuer_given(tx, &c, ca_pem, &ca, err) :
	    issuer_find(tx, &c, &ca, err);
	if (rc == 0)
		rc = cert_insert_tx(ctx, tx, &c, status, ca.id, ca.mode, err);
	if (rc == 0) {
		cert_arn(ctx, c.id, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s}", "certificateArn", arn,
		    "certificateId", c.id);
	}
	store_ca_release(&ca);
	xcert_release(&c);
	return rc;
}

static int
cert_register_no_ca(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *status = api_in_str(in, "status");
	struct xcert c;
	char arn[ERR_ARN_MAX];
	int rc;

	if (status == NULL)
		status = "INACTIVE";
	if (!status_is_settable(status))
		return err_set(err, ERR_INVALID_REQUEST, "status %s cannot be"
		    " registered: use ACTIVE, INACTIVE or REVOKED", status);
	if (xcert_parse(api_in_str(in, "certificatePem"), "certificatePem",
	    clock_real(), &c, err) == -1)
		return -1;
	/* Without a CA, devices must send SNI (AWS: SNI_ONLY). */
	rc = cert_insert_tx(ctx, ctx->tx, &c, status, "", "SNI_ONLY", err);
	if (rc == 0) {
		cert_arn(ctx, c.id, arn, sizeof(arn));
		*out = json_pack("{s:s, s:s}", "certificateArn", arn,
		    "certificateId", c.id);
	}
	xcert_release(&c);
	return rc;
}

static json_t *
cert_description(const struct api_ctx *ctx, const struct store_cert *c)
{
	char arn[ERR_ARN_MAX];
	json_t *d;

	cert_arn(ctx, c->id, arn, sizeof(arn));
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o, "
	    "s:s}", "certificateArn", arn, "certificateId", c->id,
	    "status", c->status, "certificatePem", c->pem,
	    "ownedBy", ctx->conf->account_id,
	    "creationDate", (json_int_t)c->created_at,
	    "lastModifiedDate", (json_int_t)c->modified_at,
	    "customerVersion", (json_int_t)c->customer_version,
	    "generationId", c->generation_id,
	    "validity", cert_validity(c->not_before, c->not_after),
	    "certificateMode", c->mode);
	if (c->ca_id[0] != '\0')
		json_object_set_new(d, "caCertificateId",
		    json_string(c->ca_id));
	return d;
}

static int
cert_describe(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	char id[STORE_CERT_ID_LEN + 1];
	struct store_cert c;
	int found;

	cert_id_arg(in, "certificateId", id);
	found = store_cert_get(ctx->tx, id, &c, err);
	if (found == -1)
		return -1;
	if (found == 0)
		return cert_missing(id, err);
	*out = json_pack("{s:o}", "certificateDescription",
	    cert_description(ctx, &c));
	store_cert_release(&c);
	return 0;
}

int
cert_list_answer(const struct marker_listing *l, struct api_ctx *ctx,
    const json_t *in, cert_list_fn *list, const char *filter, bool ca,
    json_t **out, struct err *err)
{
	struct store_cert_page pg;
	json_t *items;
	bool more = false;
	int rc;

	if (cert_page_init(l, in, &pg, err) == -1)
		return -1;
	items = json_array();
	rc = list(ctx->tx, filter, &pg, items, &more, err);
	if (rc == -1) {
		json_decref(items);
		return -1;
	}
	*out = cert_page_answer(l, ctx, items, more, ca);
	return 0;
}

static int
cert_list(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	static const struct marker_listing listing =
	    CERT_LISTING("ListCertificates");

	return cert_list_answer(&listing, ctx, in, store_cert_list, NULL,
	    false, out, err);
}

static int
cert_list_by_ca(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	static const struct marker_listing listing =
	    CERT_LISTING("ListCertificatesByCA");
	char id[STORE_CERT_ID_LEN + 1];

	cert_id_arg(in, "caCertificateId", id);
	return cert_list_answer(&listing, ctx, in, store_cert_list, id, false,
	    out, err);
}

/*
 * Whether certificate C may go to status TO (UpdateCertificate). AWS: a
 * REVOKED certificate's status cannot be changed any more; the statuses
 * AWS keeps for itself (PENDING_TRANSFER, PENDING_ACTIVATION) and the
 * deprecated REGISTER_INACTIVE cannot be set.
 */
static int
cert_transition_check(const struct store_cert *c, const char *to,
    struct err *err)
{
	if (!status_is_settable(to))
		return err_set(err, ERR_CERT_STATE, "newStatus %s cannot be "
		    "set: %s; use ACTIVE, INACTIVE or REVOKED", to,
		    strcmp(to, "REGISTER_INACTIVE") == 0 ? "it is deprecated" :
		    "AWS IoT sets it internally");
	if (strcmp(c->status, "REVOKED") == 0 && strcmp(to, "REVOKED") != 0)
		return err_set(err, ERR_CERT_STATE, "The certificate %s is "
		    "REVOKED: a revoked certificate's status cannot be "
		    "changed", c->id);
	if (!status_is_settable(c->status))
		return err_set(err, ERR_CERT_STATE, "The certificate %s is %s:"
		    " its status cannot be changed", c->id, c->status);
	return 0;
}

static int
cert_update(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const char *to = api_in_str(in, "newStatus");
	char id[STORE_CERT_ID_LEN + 1];
	struct store_tx *tx = ctx->tx;
	struct store_cert c;
	int found, rc = -1;

	(void)out;	/* NULL answers {} */
	cert_id_arg(in, "certificateId", id);
	found = store_cert_get(tx, id, &c, err);
	if (found == 0)
		cert_missing(id, err);
	else if (found == 1 && cert_transition_check(&c, to, err) == 0)
		rc = 0;
	/* The same status again changes nothing (AWS: idempotent). */
	if (rc == 0 && strcmp(c.status, to) != 0) {
		snprintf(c.status, sizeof(c.status), "%s", to);
		c.customer_version++;
		store_uuid_new(c.generation_id);
		c.modified_at = ctx->now;
		rc = store_cert_update(tx, &c, err);
		if (rc == 0)
			rc = store_authz_bump(tx, err);
	}
	if (found == 1)
		store_cert_release(&c);
	return rc;
}

/*
 * AWS: "A certificate cannot be deleted if it has a policy or IoT thing
 * attached to it or if its status is set to ACTIVE"; forceDelete "forces
 * the deletion of a certificate if it is inactive and is not attached to
 * an IoT thing": its policy attachments go with it.
 */
static int
cert_delete_tx(struct api_ctx *ctx, struct store_tx *tx,
    const struct store_cert *c, bool force, struct err *err)
{
	char arn[ERR_ARN_MAX];
	int64_t things, policies;

	if (strcmp(c->status, "ACTIVE") == 0)
		return err_set(err, ERR_CERT_STATE, "The certificate %s is "
		    "ACTIVE: set it INACTIVE (UpdateCertificate) before "
		    "deleting it", c->id);
	cert_arn(ctx, c->id, arn, sizeof(arn));
	if (store_cert_attached(tx, arn, &things, &policies, err) == -1)
		return -1;
	if (things > 0)
		return err_set(err, ERR_DELETE_CONFLICT, "The certificate %s "
		    "is attached to %lld thing(s): detach it "
		    "(DetachThingPrincipal) first", c->id, (long long)things);
	if (policies > 0 && !force)
		return err_set(err, ERR_DELETE_CONFLICT, "The certificate %s "
		    "has %lld policy attachment(s): detach them "
		    "(DetachPolicy) or set forceDelete", c->id,
		    (long long)policies);
	if (policies > 0 && store_cert_detach_policies(tx, arn, err) == -1)
		return -1;
	if (store_cert_delete(tx, c->id, err) == -1)
		return -1;
	return store_authz_bump(tx, err);
}

static int
cert_delete(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	bool force = json_is_true(json_object_get(in, "forceDelete"));
	char id[STORE_CERT_ID_LEN + 1];
	struct store_cert c;
	int found, rc = -1;

	(void)out;	/* NULL answers {} */
	cert_id_arg(in, "certificateId", id);
	found = store_cert_get(ctx->tx, id, &c, err);
	if (found == 0)
		cert_missing(id, err);
	else if (found == 1)
		rc = cert_delete_tx(ctx, ctx->tx, &c, force, err);
	if (found == 1)
		store_cert_release(&c);
	return rc;
}

const struct api_op api_cert_ops[] = {
	/* Their own transaction, after the crypto: cert_insert_own(). */
	{ "CreateKeysAndCertificate", PLANE_CONTROL, cert_create_keys, 0 },
	{ "CreateCertificateFromCsr", PLANE_CONTROL, cert_create_from_csr, 0 },
	{ "RegisterCertificate", PLANE_CONTROL, cert_register, API_WRITE },
	{ "RegisterCertificateWithoutCA", PLANE_CONTROL, cert_register_no_ca,
	    API_WRITE },
	{ "DescribeCertificate", PLANE_CONTROL, cert_describe, API_READ },
	{ "ListCertificates", PLANE_CONTROL, cert_list, API_READ },
	{ "ListCertificatesByCA", PLANE_CONTROL, cert_list_by_ca, API_READ },
	{ "UpdateCertificate", PLANE_CONTROL, cert_update, API_WRITE },
	{ "DeleteCertificate", PLANE_CONTROL, cert_delete, API_WRITE },
	{ NULL, PLANE_DATA, NULL, 0 },
};
