/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's interface, for store/ only: the operations every backend
 * implements, as one list (STORE_OPS) from which store.c makes the
 * struct store_ops and the public store_*() functions that call through
 * it, and each backend declares its own implementations. Each entry is
 * one function of store.h or a store_<resource>.h, documented there:
 *
 *   X(KIND, ret, name, (params), (args))
 *
 * KIND: TX (first parameter a transaction), ST (first parameter the
 * store), TX_VOID and ST_VOID (the same, returning nothing), TX_OWN (TX
 * whose public function store.c writes itself). A user that needs no
 * KIND defines X as STORE_OP_ANY does.
 *
 * A backend's store and transaction structs begin with struct store and
 * struct store_tx below; store_open() picks the backend by the URL's
 * scheme (struct store_backend).
 */
#ifndef IOTJOBS_STORE_OPS_H
#define IOTJOBS_STORE_OPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "store_audit.h"
#include "store_broker.h"
#include "store_cert.h"
#include "store_command.h"
#include "store_exec.h"
#include "store_identity.h"
#include "store_job.h"
#include "store_metrics.h"
#include "store_opkey.h"
#include "store_outbox.h"
#include "store_policy.h"
#include "store_principal.h"
#include "store_tags.h"
#include "store_template.h"
#include "store_thing.h"
#include "store_thing_type.h"

#define STORE_OPS \
	/* store.h */ \
	X(ST_VOID, void, close, (struct store *st), (st)) \
	X(ST, int, begin, (struct store *st, bool write, struct store_tx **tx, struct err *err), (st, write, tx, err)) \
	X(TX_OWN, int, end, (struct store_tx *tx, bool commit, struct err *err), (tx, commit, err)) \
	X(TX, int, item_begin, (struct store_tx *tx, struct err *err), (tx, err)) \
	X(TX_VOID, void, item_end, (struct store_tx *tx, bool keep), (tx, keep)) \
	X(ST_VOID, void, on_commit, (struct store *st, void (*fn)(void *), void *arg), (st, fn, arg)) \
	X(ST, int, batch_status, (struct store *st, uint64_t batch), (st, batch)) \
	X(ST, int, lead_try, (struct store *st, struct err *err), (st, err)) \
	X(ST, int, watch_start, (struct store *st, void (*fn)(void *), void *arg, struct err *err), (st, fn, arg, err)) \
	X(ST_VOID, void, on_failure, (struct store *st, void (*fn)(void *), void *arg), (st, fn, arg)) \
	X(ST, bool, failed, (struct store *st), (st)) \
	X(ST, bool, leads, (struct store *st), (st)) \
	X(ST, const char *, path, (const struct store *st), (st)) \
	X(ST, const char *, backend_name, (const struct store *st), (st)) \
	X(ST, int, size_bytes, (struct store *st, int64_t *bytes, struct err *err), (st, bytes, err)) \
	X(ST, int, schema_version, (struct store *st), (st)) \
	X(ST, int, ping, (struct store *st, struct err *err), (st, err)) \
	/* store_audit.h */ \
	X(TX, int, audit_append_tx, (struct store_tx *tx, const struct store_audit_ctx *a, const char *result, struct err *err), (tx, a, result, err)) \
	X(TX, int, audit_list, (struct store_tx *tx, const struct store_audit_filter *f, int limit, int (*fn)(void *, const struct store_audit_rec *), void *arg, struct err *err), (tx, f, limit, fn, arg, err)) \
	X(TX, int, audit_head, (struct store_tx *tx, int64_t *seq, char hash[AUDIT_HASH_LEN + 1], struct err *err), (tx, seq, hash, err)) \
	X(TX, int, audit_last, (struct store_tx *tx, const char *op, const char *job, const char *thing, struct store_audit_rec *out, struct err *err), (tx, op, job, thing, out, err)) \
	/* store_broker.h */ \
	X(TX, int, ca_active_pems, (struct store_tx *tx, json_t *out, struct err *err), (tx, out, err)) \
	/* store_cert.h */ \
	X(TX, int, cert_get, (struct store_tx *tx, const char *id, struct store_cert *out, struct err *err), (tx, id, out, err)) \
	X(TX, int, cert_insert, (struct store_tx *tx, const struct store_cert *c, struct err *err), (tx, c, err)) \
	X(TX, int, cert_update, (struct store_tx *tx, const struct store_cert *c, struct err *err), (tx, c, err)) \
	X(TX, int, cert_delete, (struct store_tx *tx, const char *id, struct err *err), (tx, id, err)) \
	X(TX, int, cert_attached, (struct store_tx *tx, const char *arn, int64_t *things, int64_t *policies, struct err *err), (tx, arn, things, policies, err)) \
	X(TX, int, cert_detach_policies, (struct store_tx *tx, const char *arn, struct err *err), (tx, arn, err)) \
	X(TX, int, cert_list, (struct store_tx *tx, const char *ca_id, const struct store_cert_page *pg, json_t *out, bool *more, struct err *err), (tx, ca_id, pg, out, more, err)) \
	X(TX, int, ca_get, (struct store_tx *tx, const char *id, struct store_ca *out, struct err *err), (tx, id, out, err)) \
	X(TX, int, ca_insert, (struct store_tx *tx, const struct store_ca *c, struct err *err), (tx, c, err)) \
	X(TX, int, ca_update, (struct store_tx *tx, const struct store_ca *c, struct err *err), (tx, c, err)) \
	X(TX, int, ca_delete, (struct store_tx *tx, const char *id, struct err *err), (tx, id, err)) \
	X(TX, int, ca_by_subject, (struct store_tx *tx, const char *subject, const char *status, json_t *out, struct err *err), (tx, subject, status, out, err)) \
	X(TX, int, ca_list, (struct store_tx *tx, const char *template_name, const struct store_cert_page *pg, json_t *out, bool *more, struct err *err), (tx, template_name, pg, out, more, err)) \
	X(TX, int, regcode_get, (struct store_tx *tx, char code[STORE_REGCODE_LEN + 1], struct err *err), (tx, code, err)) \
	X(TX, int, regcode_put, (struct store_tx *tx, const char *code, int64_t now, struct err *err), (tx, code, now, err)) \
	X(TX, int, regcode_delete, (struct store_tx *tx, struct err *err), (tx, err)) \
	/* store_command.h */ \
	X(TX, int, command_get, (struct store_tx *tx, const char *id, struct store_command *out, struct err *err), (tx, id, out, err)) \
	X(TX, int, command_insert, (struct store_tx *tx, const struct store_command *c, struct err *err), (tx, c, err)) \
	X(TX, int, command_update, (struct store_tx *tx, const struct store_command *c, struct err *err), (tx, c, err)) \
	X(TX, int, command_delete, (struct store_tx *tx, const char *id, struct err *err), (tx, id, err)) \
	X(TX, int, command_list, (struct store_tx *tx, const struct store_command_query *q, struct store_command *out, int *n, int64_t *next, struct err *err), (tx, q, out, n, next, err)) \
	X(TX, int, cmd_exec_get, (struct store_tx *tx, const char *id, struct store_cmd_exec *out, struct err *err), (tx, id, out, err)) \
	X(TX, int, cmd_exec_by_token, (struct store_tx *tx, const char *token, struct store_cmd_exec *out, struct err *err), (tx, token, out, err)) \
	X(TX, int, cmd_exec_insert, (struct store_tx *tx, const struct store_cmd_exec *e, struct err *err), (tx, e, err)) \
	X(TX, int, cmd_exec_update, (struct store_tx *tx, const struct store_cmd_exec *e, struct err *err), (tx, e, err)) \
	X(TX, int, cmd_exec_delete, (struct store_tx *tx, const char *id, struct err *err), (tx, id, err)) \
	X(TX, int, cmd_exec_list, (struct store_tx *tx, const struct store_cmd_exec_query *q, struct store_cmd_exec *out, int *n, int64_t *next, struct err *err), (tx, q, out, n, next, err)) \
	X(TX, int, command_next_deadline, (struct store_tx *tx, int64_t *at, struct err *err), (tx, at, err)) \
	X(TX, int, cmd_exec_due, (struct store_tx *tx, int64_t now, int limit, struct store_cmd_exec *out, int *n, struct err *err), (tx, now, limit, out, n, err)) \
	X(TX, int, command_delete_due, (struct store_tx *tx, int64_t now, int *n, struct err *err), (tx, now, n, err)) \
	X(TX, int, cmd_outbox_add, (struct store_tx *tx, const struct store_cmd_msg *m, struct err *err), (tx, m, err)) \
	X(TX, int, cmd_outbox_walk, (struct store_tx *tx, int limit, store_cmd_msg_fn *fn, void *arg, struct err *err), (tx, limit, fn, arg, err)) \
	X(TX, int, cmd_outbox_done, (struct store_tx *tx, int64_t last, struct err *err), (tx, last, err)) \
	/* store_exec.h */ \
	X(TX, int, exec_thing_exists, (struct store_tx *tx, const char *name, struct err *err), (tx, name, err)) \
	X(TX, int, exec_job_exists, (struct store_tx *tx, const char *job_id, struct err *err), (tx, job_id, err)) \
	X(TX, int, exec_get, (struct store_tx *tx, const char *thing, const char *job_id, int64_t number, bool with_doc, struct store_exec *out, struct err *err), (tx, thing, job_id, number, with_doc, out, err)) \
	X(TX, int, exec_next_pending, (struct store_tx *tx, const char *thing, bool with_doc, struct store_exec *out, struct err *err), (tx, thing, with_doc, out, err)) \
	X(TX, int, exec_pending, (struct store_tx *tx, const char *thing, int limit, store_exec_row_fn *fn, void *arg, struct err *err), (tx, thing, limit, fn, arg, err)) \
	X(TX, int, exec_put, (struct store_tx *tx, const struct store_exec *e, struct err *err), (tx, e, err)) \
	X(TX, int, exec_delete, (struct store_tx *tx, int64_t id, struct err *err), (tx, id, err)) \
	X(TX, int, exec_list_job, (struct store_tx *tx, const char *job_id, struct store_exec_page *pg, store_exec_row_fn *fn, void *arg, struct err *err), (tx, job_id, pg, fn, arg, err)) \
	X(TX, int, exec_list_thing, (struct store_tx *tx, const char *thing, const char *job_id, struct store_exec_page *pg, store_exec_row_fn *fn, void *arg, struct err *err), (tx, thing, job_id, pg, fn, arg, err)) \
	X(TX, int, exec_due, (struct store_tx *tx, enum exec_status timed, int64_t now, int limit, store_exec_row_fn *fn, void *arg, struct err *err), (tx, timed, now, limit, fn, arg, err)) \
	X(TX, int, exec_next_deadline, (struct store_tx *tx, enum exec_status timed, int64_t *at, struct err *err), (tx, timed, at, err)) \
	X(TX, int, exec_retry, (struct store_tx *tx, const struct store_exec *e, int64_t now, struct err *err), (tx, e, now, err)) \
	X(TX, int, exec_move_job, (struct store_tx *tx, const char *job_id, enum exec_status from, enum exec_status to, bool forced, bool stop, int64_t now, int64_t *n, struct err *err), (tx, job_id, from, to, forced, stop, now, n, err)) \
	X(TX, int, exec_last_id, (struct store_tx *tx, int64_t *id, struct err *err), (tx, id, err)) \
	X(TX, int, exec_pending_of, (struct store_tx *tx, const char *thing, const char *job_id, int limit, store_exec_row_fn *fn, void *arg, struct err *err), (tx, thing, job_id, limit, fn, arg, err)) \
	/* store_identity.h */ \
	X(TX, int, authz_bump, (struct store_tx *tx, struct err *err), (tx, err)) \
	X(TX, int, authz_generation, (struct store_tx *tx, int64_t *gen, struct err *err), (tx, gen, err)) \
	X(TX, int, cert_auth_get, (struct store_tx *tx, const char *id, struct store_cert_auth *out, struct err *err), (tx, id, out, err)) \
	X(TX, int, principal_things, (struct store_tx *tx, const char *principal, json_t *out, struct err *err), (tx, principal, out, err)) \
	X(TX, int, target_policy_docs, (struct store_tx *tx, const char *target, json_t *out, struct err *err), (tx, target, out, err)) \
	/* store_job.h */ \
	X(TX, int, job_count_move, (struct store_tx *tx, const char *job_id, int from, int to, int64_t now, struct err *err), (tx, job_id, from, to, now, err)) \
	X(TX, int, job_count_refresh, (struct store_tx *tx, const char *job_id, int64_t now, struct err *err), (tx, job_id, now, err)) \
	X(TX, int, job_get, (struct store_tx *tx, const char *job_id, struct store_job *out, struct err *err), (tx, job_id, out, err)) \
	X(TX, int, job_target_exists, (struct store_tx *tx, bool group, const char *name, struct err *err), (tx, group, name, err)) \
	X(TX, int, job_insert, (struct store_tx *tx, const struct store_job *job, struct err *err), (tx, job, err)) \
	X(TX, int, job_targets_add, (struct store_tx *tx, const char *job_id, json_t *targets, struct err *err), (tx, job_id, targets, err)) \
	X(TX, int, job_queue_targets, (struct store_tx *tx, const char *job_id, const char *arn_prefix, int64_t now, struct err *err), (tx, job_id, arn_prefix, now, err)) \
	X(TX, int, job_update, (struct store_tx *tx, const struct store_job *job, struct err *err), (tx, job, err)) \
	X(TX, int, job_status_set, (struct store_tx *tx, const char *job_id, const struct store_job_step *step, int64_t now, bool *applied, struct err *err), (tx, job_id, step, now, applied, err)) \
	X(TX, int, job_progress_get, (struct store_tx *tx, const char *job_id, struct store_job_progress *out, struct err *err), (tx, job_id, out, err)) \
	X(TX, int, job_delete, (struct store_tx *tx, const char *job_id, struct err *err), (tx, job_id, err)) \
	X(TX, int, job_list, (struct store_tx *tx, const struct store_job_filter *f, const char *group_arn_prefix, int64_t after, int limit, struct store_job_summary *out, int *n, int64_t *next, struct err *err), (tx, f, group_arn_prefix, after, limit, out, n, next, err)) \
	X(TX, int, job_engine_get, (struct store_tx *tx, const char *job_id, struct store_job_engine *out, struct err *err), (tx, job_id, out, err)) \
	X(TX, int, job_engine_put, (struct store_tx *tx, const struct store_job_engine *j, int64_t now, struct err *err), (tx, j, now, err)) \
	X(TX, int, job_due, (struct store_tx *tx, int64_t now, int limit, char (*ids)[STORE_JOB_ID_MAX + 1], int *n, struct err *err), (tx, now, limit, ids, n, err)) \
	X(TX, int, job_next_wake, (struct store_tx *tx, int64_t *at, struct err *err), (tx, at, err)) \
	X(TX, int, job_plan_targets, (struct store_tx *tx, const char *job_id, const char *arn_prefix, struct err *err), (tx, job_id, arn_prefix, err)) \
	X(TX, int, job_release_batch, (struct store_tx *tx, const char *job_id, int64_t limit, int64_t now, int64_t *n, struct err *err), (tx, job_id, limit, now, n, err)) \
	X(TX, int, job_pause_set, (struct store_tx *tx, const char *job_id, int64_t at, const char *by, struct err *err), (tx, job_id, at, by, err)) \
	X(TX, int, job_queue_position, (struct store_tx *tx, const char *job_id, const char *thing, int64_t *pos, struct err *err), (tx, job_id, thing, pos, err)) \
	X(TX, int, job_queue_things, (struct store_tx *tx, const char *job_id, int (*fn)(void *, const char *), void *arg, struct err *err), (tx, job_id, fn, arg, err)) \
	X(TX, int, job_rollout_drop, (struct store_tx *tx, const char *job_id, const char *thing, struct err *err), (tx, job_id, thing, err)) \
	X(TX, int, job_member_jobs, (struct store_tx *tx, const char *group_arn, const char *thing, struct store_member_job **jobs, size_t *n, struct err *err), (tx, group_arn, thing, jobs, n, err)) \
	X(TX, int, job_continuous_targets, (struct store_tx *tx, const char *arn, bool *any, struct err *err), (tx, arn, any, err)) \
	X(TX, int, job_reaches, (struct store_tx *tx, const char *job_id, const char *arn_prefix, const char *thing, struct err *err), (tx, job_id, arn_prefix, thing, err)) \
	X(TX, int, job_reach_via, (struct store_tx *tx, const char *job_id, const char *arn_prefix, const char *thing, char *via, size_t size, struct err *err), (tx, job_id, arn_prefix, thing, via, size, err)) \
	X(TX, int, job_plan_thing, (struct store_tx *tx, const char *job_id, const char *thing, struct err *err), (tx, job_id, thing, err)) \
	X(TX, int, engine_get, (struct store_tx *tx, const char *key, int64_t *v, struct err *err), (tx, key, v, err)) \
	X(TX, int, engine_put, (struct store_tx *tx, const char *key, int64_t v, struct err *err), (tx, key, v, err)) \
	X(TX, int, job_group_by_id, (struct store_tx *tx, const char *group_id, char name[129], struct err *err), (tx, group_id, name, err)) \
	/* store_metrics.h */ \
	X(TX, int, metrics_jobs, (struct store_tx *tx, int recent, void (*fn)(void *, const struct store_metrics_row *), void *arg, struct err *err), (tx, recent, fn, arg, err)) \
	X(TX, int, metrics_audit, (struct store_tx *tx, int64_t *n, struct err *err), (tx, n, err)) \
	/* store_opkey.h */ \
	X(TX, int, opkey_insert, (struct store_tx *tx, const struct store_opkey *k, struct err *err), (tx, k, err)) \
	X(TX, int, opkey_get, (struct store_tx *tx, const char *id, struct store_opkey *out, struct err *err), (tx, id, out, err)) \
	X(TX, int, opkey_get_by_name, (struct store_tx *tx, const char *name, struct store_opkey *out, struct err *err), (tx, name, out, err)) \
	X(TX, int, opkey_list, (struct store_tx *tx, int (*fn)(void *arg, const struct store_opkey *k), void *arg, struct err *err), (tx, fn, arg, err)) \
	X(TX, int, opkey_revoke, (struct store_tx *tx, const char *which, int64_t now, enum store_opkey_revoke *result, struct store_opkey *out, struct err *err), (tx, which, now, result, out, err)) \
	/* store_outbox.h */ \
	X(TX, int, outbox_notify, (struct store_tx *tx, int limit, store_outbox_fn *fn, void *arg, struct err *err), (tx, limit, fn, arg, err)) \
	X(TX, int, outbox_notify_done, (struct store_tx *tx, int64_t last, struct err *err), (tx, last, err)) \
	X(TX, int, notify_sent_get, (struct store_tx *tx, const char *thing, char **list, char **head, struct err *err), (tx, thing, list, head, err)) \
	X(TX, int, notify_sent_put, (struct store_tx *tx, const char *thing, const char *list, const char *head, struct err *err), (tx, thing, list, head, err)) \
	X(TX, int, outbox_events, (struct store_tx *tx, int limit, store_event_fn *fn, void *arg, struct err *err), (tx, limit, fn, arg, err)) \
	X(TX, int, outbox_events_done, (struct store_tx *tx, int64_t last, struct err *err), (tx, last, err)) \
	X(ST, int, outbox_switch, (struct store *st, bool notify, bool events, struct err *err), (st, notify, events, err)) \
	X(TX, int, outbox_switch_get, (struct store_tx *tx, bool *notify, bool *events, struct err *err), (tx, notify, events, err)) \
	X(TX, int, outbox_notify_add, (struct store_tx *tx, const char *thing, struct err *err), (tx, thing, err)) \
	X(TX, int, outbox_event_add, (struct store_tx *tx, const struct store_event *ev, struct err *err), (tx, ev, err)) \
	X(TX, int, outbox_notify_of, (struct store_tx *tx, const struct store_exec_sel *sel, struct err *err), (tx, sel, err)) \
	X(TX, int, outbox_events_of, (struct store_tx *tx, const struct store_exec_sel *sel, const char *operation, bool keep, enum exec_status to, int version_add, int64_t at, struct err *err), (tx, sel, operation, keep, to, version_add, at, err)) \
	/* store_policy.h */ \
	X(TX, int, policy_get, (struct store_tx *tx, const char *name, struct store_policy *out, struct err *err), (tx, name, out, err)) \
	X(TX, int, policy_insert, (struct store_tx *tx, const struct store_policy *p, const char *document, struct err *err), (tx, p, document, err)) \
	X(TX, int, policy_update, (struct store_tx *tx, const struct store_policy *p, struct err *err), (tx, p, err)) \
	X(TX, int, policy_delete, (struct store_tx *tx, const char *name, struct err *err), (tx, name, err)) \
	X(TX, int, policy_list, (struct store_tx *tx, const struct store_cpage *pg, json_t *out, bool *more, struct err *err), (tx, pg, out, more, err)) \
	X(TX, int, policy_version_get, (struct store_tx *tx, const char *name, int64_t id, struct store_policy_version *out, struct err *err), (tx, name, id, out, err)) \
	X(TX, int, policy_version_insert, (struct store_tx *tx, const char *name, const struct store_policy_version *v, struct err *err), (tx, name, v, err)) \
	X(TX, int, policy_version_delete, (struct store_tx *tx, const char *name, int64_t id, struct err *err), (tx, name, id, err)) \
	X(TX, int, policy_version_count, (struct store_tx *tx, const char *name, int64_t *n, struct err *err), (tx, name, n, err)) \
	X(TX, int, policy_versions, (struct store_tx *tx, const char *name, json_t *out, struct err *err), (tx, name, out, err)) \
	X(TX, int, policy_attach, (struct store_tx *tx, const char *name, const char *target, int64_t now, bool *added, struct err *err), (tx, name, target, now, added, err)) \
	X(TX, int, policy_detach, (struct store_tx *tx, const char *name, const char *target, bool *removed, struct err *err), (tx, name, target, removed, err)) \
	X(TX, int, policy_target_drop, (struct store_tx *tx, const char *target, int64_t *n, struct err *err), (tx, target, n, err)) \
	X(TX, int, policy_target_count, (struct store_tx *tx, const char *target, int64_t *n, struct err *err), (tx, target, n, err)) \
	X(TX, int, policy_attached_count, (struct store_tx *tx, const char *name, int64_t *n, struct err *err), (tx, name, n, err)) \
	X(TX, int, policy_attached, (struct store_tx *tx, const char *target, const char *group_prefix, const char *group, const struct store_page *pg, json_t *out, bool *more, struct err *err), (tx, target, group_prefix, group, pg, out, more, err)) \
	X(TX, int, policy_targets, (struct store_tx *tx, const char *name, const struct store_page *pg, json_t *out, bool *more, struct err *err), (tx, name, pg, out, more, err)) \
	X(TX, int, policy_attached_by_time, (struct store_tx *tx, const char *target, const struct store_cpage *pg, json_t *out, bool *more, struct err *err), (tx, target, pg, out, more, err)) \
	X(TX, int, policy_targets_by_time, (struct store_tx *tx, const char *name, const struct store_cpage *pg, json_t *out, bool *more, struct err *err), (tx, name, pg, out, more, err)) \
	/* store_principal.h */ \
	X(TX, int, thing_principal_get, (struct store_tx *tx, const char *thing, const char *principal, char type[STORE_PRINCIPAL_TYPE_MAX + 1], struct err *err), (tx, thing, principal, type, err)) \
	X(TX, int, principal_other_thing, (struct store_tx *tx, const char *principal, const char *thing, char other[STORE_NAME_MAX + 1], char type[STORE_PRINCIPAL_TYPE_MAX + 1], struct err *err), (tx, principal, thing, other, type, err)) \
	X(TX, int, thing_principal_put, (struct store_tx *tx, const char *thing, const char *principal, const char *type, int64_t now, struct err *err), (tx, thing, principal, type, now, err)) \
	X(TX, int, thing_principal_delete, (struct store_tx *tx, const char *thing, const char *principal, bool *removed, struct err *err), (tx, thing, principal, removed, err)) \
	X(TX, int, thing_principal_count, (struct store_tx *tx, const char *thing, int64_t *n, struct err *err), (tx, thing, n, err)) \
	X(TX, int, thing_principals, (struct store_tx *tx, const char *thing, const char *type, const struct store_page *pg, json_t *out, bool *more, struct err *err), (tx, thing, type, pg, out, more, err)) \
	X(TX, int, principal_thing_list, (struct store_tx *tx, const char *principal, const char *type, const struct store_page *pg, json_t *out, bool *more, struct err *err), (tx, principal, type, pg, out, more, err)) \
	/* store_tags.h */ \
	X(TX, int, tags_put, (struct store_tx *tx, const char *resource, const json_t *tags, struct err *err), (tx, resource, tags, err)) \
	X(TX, int, tags_remove, (struct store_tx *tx, const char *resource, const json_t *keys, struct err *err), (tx, resource, keys, err)) \
	X(TX, int, tags_drop, (struct store_tx *tx, const char *resource, struct err *err), (tx, resource, err)) \
	X(TX, int, tags_count, (struct store_tx *tx, const char *resource, int64_t *n, struct err *err), (tx, resource, n, err)) \
	X(TX, int, tags_list, (struct store_tx *tx, const char *resource, const char *after, int limit, json_t *out, bool *more, struct err *err), (tx, resource, after, limit, out, more, err)) \
	/* store_template.h */ \
	X(TX, int, template_get, (struct store_tx *tx, const char *id, struct store_template *out, struct err *err), (tx, id, out, err)) \
	X(TX, int, template_insert, (struct store_tx *tx, const struct store_template *t, struct err *err), (tx, t, err)) \
	X(TX, int, template_delete, (struct store_tx *tx, const char *id, struct err *err), (tx, id, err)) \
	X(TX, int, template_list, (struct store_tx *tx, int64_t after, int limit, struct store_template_summary *out, int *n, int64_t *next, struct err *err), (tx, after, limit, out, n, next, err)) \
	/* store_thing.h */ \
	X(TX, int, thing_get, (struct store_tx *tx, const char *name, struct store_thing *out, struct err *err), (tx, name, out, err)) \
	X(TX, int, thing_insert, (struct store_tx *tx, struct store_thing *t, struct err *err), (tx, t, err)) \
	X(TX, int, thing_update, (struct store_tx *tx, const struct store_thing *t, struct err *err), (tx, t, err)) \
	X(TX, int, thing_delete, (struct store_tx *tx, const char *name, struct err *err), (tx, name, err)) \
	X(TX, int, thing_list, (struct store_tx *tx, const struct store_page *pg, const struct store_thing_filter *f, json_t *out, bool *more, struct err *err), (tx, pg, f, out, more, err)) \
	X(TX, int, thing_scan, (struct store_tx *tx, const struct store_scan *sc, bool with_groups, store_thing_scan_fn *fn, void *arg, struct err *err), (tx, sc, with_groups, fn, arg, err)) \
	X(TX, int, group_get, (struct store_tx *tx, const char *name, struct store_group *out, struct err *err), (tx, name, out, err)) \
	X(TX, int, group_insert, (struct store_tx *tx, struct store_group *g, struct err *err), (tx, g, err)) \
	X(TX, int, group_update, (struct store_tx *tx, const struct store_group *g, struct err *err), (tx, g, err)) \
	X(TX, int, group_delete, (struct store_tx *tx, const char *name, struct err *err), (tx, name, err)) \
	X(TX, int, group_children, (struct store_tx *tx, const char *name, int64_t *n, struct err *err), (tx, name, n, err)) \
	X(TX, int, group_list, (struct store_tx *tx, const struct store_page *pg, const char *parent, bool recursive, const char *prefix, json_t *out, bool *more, struct err *err), (tx, pg, parent, recursive, prefix, out, more, err)) \
	X(TX, int, member_add, (struct store_tx *tx, const char *group, const char *thing, bool *added, struct err *err), (tx, group, thing, added, err)) \
	X(TX, int, member_remove, (struct store_tx *tx, const char *group, const char *thing, struct err *err), (tx, group, thing, err)) \
	X(TX, int, member_count, (struct store_tx *tx, const char *thing, int64_t *n, struct err *err), (tx, thing, n, err)) \
	X(TX, int, member_groups, (struct store_tx *tx, const char *thing, const struct store_page *pg, json_t *out, bool *more, struct err *err), (tx, thing, pg, out, more, err)) \
	X(TX, int, member_things, (struct store_tx *tx, const char *group, bool recursive, const struct store_page *pg, json_t *out, bool *more, struct err *err), (tx, group, recursive, pg, out, more, err)) \
	X(TX, int, dyngroup_all, (struct store_tx *tx, json_t *out, struct err *err), (tx, out, err)) \
	X(TX, int, dyngroup_count, (struct store_tx *tx, int64_t *n, struct err *err), (tx, n, err)) \
	X(TX, int, member_groups_kind, (struct store_tx *tx, const char *thing, bool dynamic, json_t *out, struct err *err), (tx, thing, dynamic, out, err)) \
	/* store_thing_type.h */ \
	X(TX, int, thing_type_get, (struct store_tx *tx, const char *name, struct store_thing_type *out, struct err *err), (tx, name, out, err)) \
	X(TX, int, thing_type_insert, (struct store_tx *tx, struct store_thing_type *t, struct err *err), (tx, t, err)) \
	X(TX, int, thing_type_update, (struct store_tx *tx, const struct store_thing_type *t, struct err *err), (tx, t, err)) \
	X(TX, int, thing_type_delete, (struct store_tx *tx, const char *name, struct err *err), (tx, name, err)) \
	X(TX, int, thing_type_in_use, (struct store_tx *tx, const char *name, bool *any, struct err *err), (tx, name, any, err)) \
	X(TX, int, thing_type_list, (struct store_tx *tx, const struct store_page *pg, const char *name, store_thing_type_fn *fn, void *arg, bool *more, struct err *err), (tx, pg, name, fn, arg, more, err))

/* An X for a user to whom every KIND is alike: F(ret, name, params). */
#define STORE_OP_ANY(kind, ret, name, params, args) \
	STORE_OP_ENTRY(ret, name, params)

struct store_ops {
#define X STORE_OP_ANY
#define STORE_OP_ENTRY(ret, name, params) ret (*name) params;
	STORE_OPS
#undef STORE_OP_ENTRY
#undef X
};

/* The head of every backend's store: its operations. */
struct store {
	const struct store_ops *ops;
};

/* The head of every backend's transaction. */
struct store_tx {
	struct store *st;
	bool write;
};

/* The store of a bare data folder (store_open("DIR")): DIR/iotjobs.db. */
#define STORE_FOLDER_DB "iotjobs.db"

/* A backend, chosen by the scheme of the store URL ("sqlite", "postgresql"). */
struct store_backend {
	const char *scheme;
	/*
	 * Opens (creating and migrating) the store at WHERE, the URL without
	 * "SCHEME:".
	 */
	int (*open)(const char *where, struct store **out, struct err *err);
	/* store_backup() and store_restore() of a store at WHERE. */
	int (*backup)(const char *where, const char *to,
	    const struct store_file *files, size_t nfiles, int *version,
	    struct err *err);
	int (*restore)(const char *from, const char *where,
	    int (*fn)(void *arg, const struct store_file *f, struct err *err),
	    void *arg, int *version, struct err *err);
	/* store_local_files() of the store at WHERE. */
	void (*local_files)(const char *where, void (*fn)(void *arg,
	    const char *path), void *arg);
	/* The newest schema version this backend's migrations reach. */
	int (*schema_known)(void);
};

extern const struct store_backend store_sqlite, store_postgresql,
    store_postgres;

/*
 * Deferred acknowledgement (store_defer_begin): whether this thread
 * defers, and the batch a deferred write of it joined.
 */
bool store_deferring(void);
void store_deferred(uint64_t batch);

#endif
