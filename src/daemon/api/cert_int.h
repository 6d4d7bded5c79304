/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the certificate operations (cert.c: device certificates,
 * cert_ca.c: CA certificates and the registration code): ids from the
 * input, ARNs, and the marker/nextMarker pages of their list operations.
 */
#ifndef IOTJOBS_API_CERT_INT_H
#define IOTJOBS_API_CERT_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "api/api.h"
#include "api/marker.h"
#include "err.h"
#include "store/store_cert.h"

/* ListCertificates: "The results are paginated with a default page size
 * of 25" (AWS); the same for the other two listings. */
#define CERT_PAGE_DEFAULT	25

/* The certificate id of member MEMBER of IN, lower-cased, into ID. */
void cert_id_arg(const json_t *in, const char *member,
    char id[STORE_CERT_ID_LEN + 1]);

/* arn:aws:iot:REGION:ACCOUNT:cert/ID and …:cacert/ID. */
void cert_arn(const struct api_ctx *ctx, const char *id, char *buf,
    size_t size);
void cert_ca_arn(const struct api_ctx *ctx, const char *id, char *buf,
    size_t size);

/* The listing OP: markers of (creationDate, certificateId) positions. */
#define CERT_LISTING(op)	{ (op), "marker", "nextMarker", \
				    ERR_INVALID_REQUEST, MARKER_TIME_KEY }

/* The page of IN's pageSize, L's marker and ascendingOrder into *PG. */
int cert_page_init(const struct marker_listing *l, const json_t *in,
    struct store_cert_page *pg, struct err *err);

/*
 * Ends a listing L: adds certificateArn (cacert ARNs when CA) to each
 * item of ITEMS and returns {"certificates": ITEMS (taken), "nextMarker"}
 * with the marker only when MORE.
 */
json_t *cert_page_answer(const struct marker_listing *l,
    const struct api_ctx *ctx, json_t *items, bool more, bool ca);

/* store_cert_list() and store_ca_list(): FILTER is a CA id or template. */
typedef int cert_list_fn(struct store_tx *tx, const char *filter,
    const struct store_cert_page *pg, json_t *out, bool *more,
    struct err *err);

/*
 * A whole listing L: the page of IN, LIST's rows for FILTER in ctx->tx
 * (the row's API_READ), then cert_page_answer() (CA tells which ARNs)
 * into *OUT.
 */
int cert_list_answer(const struct marker_listing *l, struct api_ctx *ctx,
    const json_t *in, cert_list_fn *list, const char *filter, bool ca,
    json_t **out, struct err *err);

/* The {"notBefore", "notAfter"} object of a validity. */
json_t *cert_validity(int64_t not_before, int64_t not_after);

/*
 * The registrationConfig member of IN checked: a templateName names a
 * provisioning template, which iotjobs does not implement, so it is
 * ResourceNotFoundException as for a template that does not exist.
 */
int cert_regconfig_check(const json_t *in, struct err *err);

#endif
