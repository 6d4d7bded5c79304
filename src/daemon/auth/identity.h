/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A device's identity as an authorization decision needs it: whether its
 * certificate may be used now, the things it is attached to and the policy
 * documents that apply to it (the certificate's, and those of the thing
 * groups of the thing it connects as). Read in one store transaction, with
 * the authorization generation it was read at.
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
	json_t *things;		/* names */
	json_t *policy_docs;	/* array of document strings */
	int64_t generation;
};

/*
 * Loads the identity of certificate CERT_ID into OUT; THING (may be NULL)
 * is the thing the device says it is (its MQTT client id): the policies of
 * its thing groups apply when it is attached to the certificate. An
 * unknown certificate is not an error: OUT->usable is false. Release OUT
 * with identity_release() whatever the result.
 */
int identity_load(struct store *st, const struct conf *conf,
    const char *cert_id, const char *thing, struct identity *out,
    struct err *err);
void identity_release(struct identity *id);

#endif
