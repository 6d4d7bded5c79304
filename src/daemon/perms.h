/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File modes of the data folder. iotjobsd creates everything there with
 * umask 077 (files 0600, folders 0700); what the broker must read is
 * shared through group ownership, never through world bits. At start the
 * existing folder and store files are checked: one readable by others is
 * reported, and refused with --strict-permissions.
 */
#ifndef IOTJOBS_PERMS_H
#define IOTJOBS_PERMS_H

#include <stdbool.h>

#include "err.h"

/*
 * Checks DATA_DIR (when it exists), its credentials file and the files of
 * the store STORE_URL on this host (store_local_files):
 * the folder must give others nothing, the files give group and others
 * nothing. Logs each one that does; returns -1 with ERR for the first of
 * them when STRICT, else 0.
 */
int perms_check(const char *data_dir, const char *store_url, bool strict,
    struct err *err);

/*
 * Gives PATH, something the broker must reach (its socket, its CA
 * folder), to GROUP (a group name; "" leaves iotjobsd's own). Its mode
 * has the group bits it needs and no others. Returns 0, or -1 with ERR.
 */
int perms_share(const char *path, const char *group, struct err *err);

/*
 * With a GROUP, lets it traverse (never list) DATA_DIR and DATA_DIR/tls,
 * on the way to the broker's socket and CA folder: mode 0710 and that
 * group. Without one, nothing changes. Returns 0, or -1 with ERR.
 */
int perms_share_folders(const char *data_dir, const char *group,
    struct err *err);

#endif
