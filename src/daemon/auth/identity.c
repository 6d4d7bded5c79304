/* SPDX-License-Identifier: Apache-2.0 */
/*
 * identity_load(): the facts behind every decision about a certificate
 * principal (identity.h), read from the store in one transaction.
 */
#include "auth/identity.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "store/store.h"
#include "store/store_identity.h"
#include "store/store_thing.h"

/* Thing groups nest at most 7 deep (AWS); a guard against a cycle. */
#define GROUP_DEPTH_MAX	16
#define GROUPS_PAGE	200

static const char *
cert_refusal(const struct store_cert_auth *c, int64_t now)
{
	if (strcmp(c->status, "ACTIVE") != 0)
		return strcmp(c->status, "REVOKED") == 0 ?
		    "the certificate is REVOKED" :
		    "the certificate is not ACTIVE";
	if (now < c->not_before)
		return "the certificate is not valid yet";
	if (now > c->not_after)
		return "the certificate has expired";
	if (c->ca_id[0] != '\0' && strcmp(c->ca_status, "ACTIVE") != 0)
		return "the certificate's CA certificate is not ACTIVE";
	return NULL;
}

static void
group_arn(const struct conf *conf, const char *group, char *buf,
    size_t size)
{
	snprintf(buf, size, "arn:aws:iot:%s:%s:thinggroup/%s", conf->region,
	    conf->account_id, group);
}

/* The policies of GROUP and of each of its ancestors, appended to OUT. */
static int
group_docs(struct store_tx *tx, const struct conf *conf, const char *group,
    json_t *out, struct err *err)
{
	char name[STORE_NAME_MAX + 1], arn[512];
	struct store_group g;
	int depth, found;

	snprintf(name, sizeof(name), "%s", group);
	for (depth = 0; depth < GROUP_DEPTH_MAX && name[0] != '\0'; depth++) {
		group_arn(conf, name, arn, sizeof(arn));
		if (store_target_policy_docs(tx, arn, out, err) == -1)
			return -1;
		found = store_group_get(tx, name, &g, err);
		if (found == -1)
			return -1;
		if (found == 0)
			break;
		snprintf(name, sizeof(name), "%s", g.parent_name);
		store_group_release(&g);
	}
	return 0;
}

/* The policies of the groups THING belongs to, appended to OUT. */
static int
thing_group_docs(struct store_tx *tx, const struct conf *conf,
    const char *thing, json_t *out, struct err *err)
{
	char after[STORE_NAME_MAX + 1] = "";
	struct store_page pg;
	json_t *names;
	size_t i;
	bool more = true;
	int rc = 0;

	while (rc == 0 && more) {
		names = json_array();
		pg.after = after;
		pg.limit = GROUPS_PAGE;
		rc = store_member_groups(tx, thing, &pg, names, &more, err);
		for (i = 0; rc == 0 && i < json_array_size(names); i++)
			rc = group_docs(tx, conf, json_string_value(
			    json_array_get(names, i)), out, err);
		if (json_array_size(names) == 0)
			more = false;
		else
			snprintf(after, sizeof(after), "%s", json_string_value(
			    json_array_get(names, json_array_size(names) - 1)));
		json_decref(names);
	}
	return rc;
}

static int
identity_read(struct store_tx *tx, const struct conf *conf,
    const char *thing, struct identity *out, struct err *err)
{
	struct store_cert_auth c;
	int found;

	if (store_authz_generation(tx, &out->generation, err) == -1)
		return -1;
	found = store_cert_auth_get(tx, out->cert_id, &c, err);
	if (found == -1)
		return -1;
	if (found == 0) {
		out->refusal = "the certificate is not registered";
		return 0;
	}
	snprintf(out->common_name, sizeof(out->common_name), "%s",
	    c.common_name);
	out->refusal = cert_refusal(&c, clock_real());
	out->usable = out->refusal == NULL;
	if (store_principal_things(tx, out->cert_arn, out->things, err) == -1 ||
	    store_target_policy_docs(tx, out->cert_arn, out->policy_docs,
	    err) == -1)
		return -1;
	if (thing != NULL && identity_has_thing(out, thing))
		return thing_group_docs(tx, conf, thing, out->policy_docs,
		    err);
	return 0;
}

int
identity_load(struct store *st, const struct conf *conf,
    const char *cert_id, const char *thing, struct identity *out,
    struct err *err)
{
	struct store_tx *tx;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->cert_id, sizeof(out->cert_id), "%s", cert_id);
	snprintf(out->cert_arn, sizeof(out->cert_arn),
	    "arn:aws:iot:%s:%s:cert/%s", conf->region, conf->account_id,
	    cert_id);
	out->things = json_array();
	out->policy_docs = json_array();
	if (store_begin(st, false, &tx, err) == -1) {
		identity_release(out);
		return -1;
	}
	rc = identity_read(tx, conf, thing, out, err);
	store_end(tx, false, NULL);
	if (rc == -1)
		identity_release(out);
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

bool
identity_has_thing(const struct identity *id, const char *thing)
{
	size_t i;

	for (i = 0; i < json_array_size(id->things); i++)
		if (strcmp(json_string_value(json_array_get(id->things, i)),
		    thing) == 0)
			return true;
	return false;
}
