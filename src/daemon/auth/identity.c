/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interim identity_load (auth/identity.h) for the broker's routes: the
 * certificate's state, its things and its own policies. The full version
 * (thing group policies too) replaces this file.
 */
#include "auth/identity.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "store/store.h"
#include "store/store_identity.h"

static const char *
identity_refusal(const struct store_cert_auth *ca, int64_t now)
{
	if (strcmp(ca->status, "ACTIVE") != 0)
		return "the certificate is not ACTIVE";
	if (ca->ca_id[0] != '\0' && strcmp(ca->ca_status, "ACTIVE") != 0)
		return "the certificate's CA is not ACTIVE";
	if (now < ca->not_before || now > ca->not_after)
		return "the certificate is outside its validity period";
	return NULL;
}

int
identity_load(struct store *st, const struct conf *conf,
    const char *cert_id, const char *thing, struct identity *out,
    struct err *err)
{
	struct store_tx *tx = NULL;
	struct store_cert_auth ca;
	int rc = -1, found;

	(void)thing;
	memset(out, 0, sizeof(*out));
	out->things = json_array();
	out->policy_docs = json_array();
	out->refusal = "the certificate is not registered";
	snprintf(out->cert_id, sizeof(out->cert_id), "%s", cert_id);
	snprintf(out->cert_arn, sizeof(out->cert_arn),
	    "arn:aws:iot:%s:%s:cert/%s", conf->region, conf->account_id,
	    cert_id);
	if (store_begin(st, false, &tx, err) == -1)
		return -1;
	if (store_authz_generation(tx, &out->generation, err) == -1 ||
	    (found = store_cert_auth_get(tx, cert_id, &ca, err)) == -1)
		goto out;
	rc = 0;
	if (found == 0)
		goto out;
	snprintf(out->common_name, sizeof(out->common_name), "%s",
	    ca.common_name);
	if (store_principal_things(tx, out->cert_arn, out->things, err) == -1 ||
	    store_target_policy_docs(tx, out->cert_arn, out->policy_docs,
	    err) == -1) {
		rc = -1;
		goto out;
	}
	out->refusal = identity_refusal(&ca, clock_real());
	out->usable = out->refusal == NULL;
out:
	store_end(tx, false, NULL);
	return rc;
}

void
identity_release(struct identity *id)
{
	json_decref(id->things);
	json_decref(id->policy_docs);
	id->things = NULL;
	id->policy_docs = NULL;
}
