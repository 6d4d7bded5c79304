/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What policies and things attach to (api/policy.c, api/principal.c):
 * certificate ARNs and thing group ARNs of this account, told apart and
 * checked against the store. Amazon Cognito identities are not
 * implemented: naming one is an InvalidRequestException that says so.
 */
#ifndef IOTJOBS_API_TARGET_H
#define IOTJOBS_API_TARGET_H

#include <stdbool.h>

#include "api/api.h"
#include "err.h"
#include "store/store_identity.h"
#include "store/store_thing.h"

enum target_kind {
	TARGET_CERT,
	TARGET_GROUP
};

struct target {
	enum target_kind kind;
	const char *arn;			/* borrowed: as given */
	char cert_id[STORE_CERT_ID_LEN + 1];	/* TARGET_CERT */
	char group[STORE_NAME_MAX + 1];		/* TARGET_GROUP */
};

/*
 * Parses ARN, the value of input member MEMBER: a certificate ARN of this
 * account or, when GROUPS, a thing group ARN of it. Anything else is an
 * InvalidRequestException naming MEMBER.
 */
int target_parse(const struct api_ctx *ctx, const char *arn, bool groups,
    const char *member, struct target *t, struct err *err);

/*
 * Whether the certificate or thing group T names exists in TX: 0 yes, -1
 * with ResourceNotFoundException naming MEMBER (or another error).
 */
int target_check(struct store_tx *tx, const struct target *t,
    const char *member, struct err *err);

#endif
