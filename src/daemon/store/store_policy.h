/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of AWS IoT policies (schema 0012: policies,
 * policy_versions, policy_targets): named policies, their numbered
 * versions and the targets (certificate or thing group ARNs) they are
 * attached to. The rules (limits, which version may go, what may be
 * attached) are api/policy.c's; these functions only read and write.
 * Every write transaction calling them also calls store_authz_bump().
 * Lookups return 1 (found), 0 (missing) or -1 (ERR set). Implemented by
 * sqlite_policy.c.
 */
#ifndef IOTJOBS_STORE_POLICY_H
#define IOTJOBS_STORE_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "store_thing.h"

#define STORE_POLICY_NAME_MAX	128	/* PolicyName (model) */
#define STORE_GENERATION_MAX	64

/* One policies row. */
struct store_policy {
	char name[STORE_POLICY_NAME_MAX + 1];
	int64_t default_version;
	int64_t next_version;		/* the id the next version gets */
	char generation_id[STORE_GENERATION_MAX + 1];
	int64_t created_at;
	int64_t modified_at;
};

/* One policy_versions row; DOCUMENT is owned. */
struct store_policy_version {
	int64_t version_id;
	char *document;
	int64_t created_at;
};

/*
 * A page of a listing in creation order: the rows after the position
 * (AFTER_TIME, AFTER) in the direction asked (AFTER NULL: from the first
 * row), at most LIMIT of them.
 */
struct store_cpage {
	int64_t after_time;
	const char *after;
	bool descending;
	int limit;
};

/* Frees what V owns; safe on a zeroed struct. */
void store_policy_version_release(struct store_policy_version *v);

/* Policy NAME into *OUT (OUT may be NULL to test existence). */
int store_policy_get(struct store_tx *tx, const char *name,
    struct store_policy *out, struct err *err);

/*
 * Inserts policy P (its name free) and its version P->default_version,
 * created at P->created_at, with the text DOCUMENT.
 */
int store_policy_insert(struct store_tx *tx, const struct store_policy *p,
    const char *document, struct err *err);

/* Writes default_version, next_version, generation_id and modified_at. */
int store_policy_update(struct store_tx *tx, const struct store_policy *p,
    struct err *err);

/* Deletes policy NAME with every version it has (not its attachments). */
int store_policy_delete(struct store_tx *tx, const char *name,
    struct err *err);

/*
 * ListPolicies: appends {"policyName", "createdAt"} objects to the array
 * OUT in creation order (name order within one second); *MORE tells
 * whether further rows exist.
 */
int store_policy_list(struct store_tx *tx, const struct store_cpage *pg,
    json_t *out, bool *more, struct err *err);

/* Version ID of policy NAME into *OUT (the caller releases it). */
int store_policy_version_get(struct store_tx *tx, const char *name,
    int64_t id, struct store_policy_version *out, struct err *err);

/* Inserts version V of policy NAME. */
int store_policy_version_insert(struct store_tx *tx, const char *name,
    const struct store_policy_version *v, struct err *err);

/* Deletes version ID of policy NAME: 1 deleted, 0 missing, -1 ERR. */
int store_policy_version_delete(struct store_tx *tx, const char *name,
    int64_t id, struct err *err);

/* The number of versions of policy NAME into *N. */
int store_policy_version_count(struct store_tx *tx, const char *name,
    int64_t *n, struct err *err);

/*
 * ListPolicyVersions: appends {"versionId" (integer), "createdAt"}
 * objects to the array OUT, newest first.
 */
int store_policy_versions(struct store_tx *tx, const char *name,
    json_t *out, struct err *err);

/* Attaches policy NAME to TARGET; *ADDED false when it already was. */
int store_policy_attach(struct store_tx *tx, const char *name,
    const char *target, int64_t now, bool *added, struct err *err);

/* Detaches policy NAME from TARGET; *REMOVED false when it was not. */
int store_policy_detach(struct store_tx *tx, const char *name,
    const char *target, bool *removed, struct err *err);

/* Detaches every policy from TARGET (a target that goes away); *N of
 * them were attached. */
int store_policy_target_drop(struct store_tx *tx, const char *target,
    int64_t *n, struct err *err);

/* The number of policies attached to TARGET into *N. */
int store_policy_target_count(struct store_tx *tx, const char *target,
    int64_t *n, struct err *err);

/* The number of targets policy NAME is attached to into *N. */
int store_policy_attached_count(struct store_tx *tx, const char *name,
    int64_t *n, struct err *err);

/*
 * ListAttachedPolicies: appends the names of the policies attached to
 * TARGET to the array OUT in name order. With GROUP_PREFIX (the ARN of a
 * thing group without its name, TARGET being the ARN of group GROUP),
 * the policies of GROUP's ancestors too, each name once.
 */
int store_policy_attached(struct store_tx *tx, const char *target,
    const char *group_prefix, const char *group, const struct store_page *pg,
    json_t *out, bool *more, struct err *err);

/* ListTargetsForPolicy: appends the targets of policy NAME, in order. */
int store_policy_targets(struct store_tx *tx, const char *name,
    const struct store_page *pg, json_t *out, bool *more, struct err *err);

/*
 * ListPrincipalPolicies: appends {"name", "createdAt"} objects, the
 * policies attached to TARGET in the order of attachment.
 */
int store_policy_attached_by_time(struct store_tx *tx, const char *target,
    const struct store_cpage *pg, json_t *out, bool *more, struct err *err);

/*
 * ListPolicyPrincipals: appends {"name", "createdAt"} objects, the
 * targets of policy NAME in the order of attachment.
 */
int store_policy_targets_by_time(struct store_tx *tx, const char *name,
    const struct store_cpage *pg, json_t *out, bool *more, struct err *err);

#endif
