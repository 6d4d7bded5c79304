/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy evaluator: the one piece of code that decides whether a
 * principal may do an action on a resource, for both HTTP planes, the
 * broker plugin and the operators' scoped keys. Documents are AWS IoT
 * policy JSON (the IAM grammar subset AWS IoT accepts):
 * https://docs.aws.amazon.com/iot/latest/developerguide/iot-policies.html
 * Parsing validates once; evaluation is a pure function of (parsed
 * policies, action, resources, request facts) with no I/O and no locks.
 * Implemented by common/policy.c alone, which needs only common/err.c and
 * jansson (the broker plugin compiles the two with -fPIC).
 */
#ifndef IOTJOBS_POLICY_H
#define IOTJOBS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define ERR_MALFORMED_POLICY	"MalformedPolicyException"

/* AWS IoT: a policy document is at most 2048 characters (white space
 * not counted). Enforced by the model's pattern/length on the wire; the
 * parser takes any length it is given. */

struct policy;

/*
 * Parses DOC (LEN bytes of JSON, not NUL-terminated) into a new policy;
 * caller frees it with policy_free(). On a document AWS would refuse,
 * returns -1, *OUT NULL, with ERR set to MalformedPolicyException and a
 * message naming the problem, the statement index and member where there
 * is one ("Statement[1].Condition.Bool.iot:...: ..."); out of memory is
 * InternalFailureException. A parsed policy is read-only: any number of
 * threads may evaluate it at once. policy_free(NULL) and freeing the
 * allow-all policy are no-ops.
 */
int policy_parse(const char *doc, size_t len, struct policy **out,
    struct err *err);
void policy_free(struct policy *p);

/*
 * What a request says about itself: the values of the policy variables
 * and condition keys. NULL means the key is absent: a variable that
 * names it resolves to nothing, and the Resource or Condition value that
 * holds it matches nothing.
 */
struct policy_facts {
	const char *client_id;		/* iot:ClientId */
	const char *thing_name;	/* iot:Connection.Thing.ThingName */
	bool thing_attached;	/* iot:Connection.Thing.IsAttached */
	const char *cert_cn;	/* iot:Certificate.Subject.CommonName */
	const char *cert_id;		/* iot:CertificateId (extension) */
	const char *source_ip;		/* aws:SourceIp */
};

enum policy_decision {
	POLICY_DENY_DEFAULT,	/* no statement allows it */
	POLICY_ALLOW,
	POLICY_DENY_EXPLICIT	/* a Deny statement matches */
};

/*
 * The decision of the N policies P for ACTION ("iot:Publish") on any of
 * the NRES resources RES (full ARNs; "*" for an action without one): an
 * explicit Deny matching any resource wins, then an Allow matching any
 * resource, else the default deny. Actions match case-insensitively,
 * resources case-sensitively, both with the * and ? wildcards ('?' is one
 * UTF-8 character); a substituted variable's text is literal. NULL
 * entries of P are skipped; FACTS NULL means every key is absent
 * (IsAttached too); NRES 0 is the default deny. Pure: no allocation, no
 * I/O, no locks; the facts and resources are only read during the call.
 */
enum policy_decision policy_eval(const struct policy *const *p, size_t n,
    const char *action, const char *const *res, size_t nres,
    const struct policy_facts *facts);

/* The policy that allows every action on every resource (the admin's). */
const struct policy *policy_allow_all(void);

#endif
