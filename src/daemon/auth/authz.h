/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authorization of an operation: which action and resources it is (IAM's
 * names: "iot:CreateJob", "iotjobsdata:UpdateJobExecution" on
 * arn:aws:iot:REGION:ACCOUNT:thing/NAME ...), which policies apply to the
 * principal, and the one evaluator's decision (src/common/policy.h). The
 * admin key is a principal like the others, with the allow-all policy.
 * The policies of certificate principals are cached here and reloaded when
 * the store's authorization generation moves (checked once a second), so
 * a revocation, a detachment or a policy change applies within seconds.
 */
#ifndef IOTJOBS_AUTHZ_H
#define IOTJOBS_AUTHZ_H

#include <jansson.h>

#include "auth/auth.h"
#include "conf.h"
#include "err.h"
#include "gen/model.h"

struct store;
struct authz;

int authz_open(struct store *st, const struct conf *conf,
    struct authz **out, struct err *err);
void authz_close(struct authz *z);

struct authz_request {
	const struct principal *who;
	enum plane plane;
	const char *op;		/* the model's operation name */
	const json_t *in;	/* its validated input; NULL: none */
	const char *source_ip;	/* the peer's address, or NULL */
};

/*
 * Decides R. 0: allowed. -1 with ERR: AccessDeniedException (403) naming
 * the principal, the action and the resource refused;
 * UnrecognizedClientException (403) for a certificate that may not be
 * used (unknown, not ACTIVE, expired, its CA not ACTIVE); or a store
 * failure.
 */
int authz_check(struct authz *z, const struct authz_request *r,
    struct err *err);

/*
 * Decides an action that is not a model operation (ACTION on the
 * resource RESOURCE, e.g. "iotjobs:SetClock" on "*"), as authz_check.
 */
int authz_check_action(struct authz *z, const struct principal *who,
    const char *action, const char *resource, const char *source_ip,
    struct err *err);

#endif
