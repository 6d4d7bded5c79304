/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A certificate principal as authorization sees it: whether it may be
 * used at all (known, ACTIVE, within its validity, its CA ACTIVE), the
 * things it is attached to, and the policy documents that apply to it.
 * One look-up for the HTTPS listener and the broker plugin alike, so both
 * planes decide from the same facts.
 */
#ifndef IOTJOBS_IDENTITY_H
#define IOTJOBS_IDENTITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

struct store;

struct identity {
	char cert_id[65];
	char cert_arn[256];
	bool usable;
	const char *refusal;	/* static text when !usable */
	char common_name[256];
	json_t *things;		/* names of the attached things, owned */
	json_t *policy_docs;	/* array of document strings, owned */
	int64_t generation;	/* store_authz_generation() when read */
};

/*
 * Loads the identity of certificate CERT_ID into *OUT in one read
 * transaction. The policies are the certificate's own plus, when THING
 * (may be NULL) is one of the attached things, those attached to the
 * thing groups THING belongs to and their ancestors. An unknown
 * certificate is not an error: OUT says it is not usable. Release OUT
 * with identity_release() after 0; -1 with ERR when the store failed.
 */
int identity_load(struct store *st, const struct conf *conf,
    const char *cert_id, const char *thing, struct identity *out,
    struct err *err);
void identity_release(struct identity *id);

/* Whether THING is among the things ID is attached to. */
bool identity_has_thing(const struct identity *id, const char *thing);

#endif
