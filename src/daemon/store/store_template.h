/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of custom job templates (CreateJobTemplate,
 * DescribeJobTemplate, ListJobTemplates, DeleteJobTemplate; WIRE.md 11.4).
 * AWS-managed templates are not stored: api/managed_template.c holds them.
 */
#ifndef IOTJOBS_STORE_TEMPLATE_H
#define IOTJOBS_STORE_TEMPLATE_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

#define STORE_TEMPLATE_ID_MAX	64	/* JobTemplateId (model) */

/* One template row. Strings and JSON values are owned. */
struct store_template {
	char template_id[STORE_TEMPLATE_ID_MAX + 1];
	char *description;
	char *document;		/* the job document text; NULL: none */
	/*
	 * The accepted configuration members, verbatim, keyed by wire name
	 * (presignedUrlConfig, jobExecutionsRolloutConfig, abortConfig,
	 * timeoutConfig, jobExecutionsRetryConfig, maintenanceWindows,
	 * destinationPackageVersions; tags: the tags table).
	 */
	json_t *config;
	int64_t created_at;
};

/* Frees what T owns; safe on a zeroed struct. */
void store_template_release(struct store_template *t);

/*
 * Template ID into *OUT (OUT may be NULL to test existence): 1 found (the
 * caller releases *OUT), 0 missing, -1 with ERR set.
 */
int store_template_get(struct store_tx *tx, const char *id,
    struct store_template *out, struct err *err);

/* Inserts T, whose id must be free (store_template_get first). */
int store_template_insert(struct store_tx *tx, const struct store_template *t,
    struct err *err);

/* Deletes template ID: 1 deleted, 0 missing, -1 with ERR set. */
int store_template_delete(struct store_tx *tx, const char *id,
    struct err *err);

/* One ListJobTemplates row. */
struct store_template_summary {
	char template_id[STORE_TEMPLATE_ID_MAX + 1];
	char *description;	/* owned: free() */
	int64_t created_at;
};

/*
 * ListJobTemplates, oldest first: at most LIMIT templates created after
 * the position AFTER (0: from the first) into OUT (an array of LIMIT
 * rows); *N rows were written (the caller frees their descriptions);
 * *NEXT is the position to resume from, 0 when no further rows exist.
 */
int store_template_list(struct store_tx *tx, int64_t after, int limit,
    struct store_template_summary *out, int *n, int64_t *next,
    struct err *err);

#endif
