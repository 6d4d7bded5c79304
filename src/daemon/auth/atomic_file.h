/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing a file whole or not at all: the CA's certificate and key
 * (ca.c), the operator keys' sealing key (opkey.c) and the first
 * operator's credentials (auth_creds.c) go through one temporary file,
 * fsynced, then linked or renamed into place.
 */
#ifndef IOTJOBS_AUTH_ATOMIC_FILE_H
#define IOTJOBS_AUTH_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * Writes DATA (LEN bytes) to PATH with MODE through an fsynced temporary
 * file of the same folder, then fsyncs the folder: renamed over PATH when
 * REPLACE, else linked (link(2) never replaces: returns 1 when PATH
 * appeared meanwhile, and the caller reads what is there). 0 when ours is
 * in place, -1 with ERR. DATA stays the caller's (to wipe if secret).
 */
int atomic_file_put(const char *path, const char *data, size_t len,
    mode_t mode, bool replace, struct err *err);

#endif
