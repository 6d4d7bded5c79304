/* SPDX-License-Identifier: Apache-2.0 */
/* The things of `iotjobs thing import` (import_file.c reads them). */
#ifndef IOTJOBS_CLI_IMPORT_H
#define IOTJOBS_CLI_IMPORT_H

#include "cli.h"

enum import_outcome { IMPORT_PENDING, IMPORT_CREATED, IMPORT_UPDATED,
    IMPORT_UNCHANGED, IMPORT_FAILED };

/* One line of the file: a thing to make exist as it says. */
struct import_item {
	int64_t line;		/* line number in the file */
	char *name;
	json_t *attrs;		/* object of strings */
	json_t *groups;		/* array of group names */
	char *error;		/* why it failed, or NULL */
	enum import_outcome outcome;
};

struct import_list {
	struct import_item *v;
	size_t n, cap;
	char *header;		/* CSV: the header line (owned) */
};

/*
 * Reads PATH (CSV when CSV, else JSON lines) into L; lines that cannot
 * be read are items with their error. -1 with E when the file cannot be.
 */
int import_read(const char *path, bool csv, struct import_list *l,
    struct cli_err *e);
void import_list_release(struct import_list *l);

#endif
