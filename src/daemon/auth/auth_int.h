/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The credential set shared by auth.c (verification) and auth_creds.c
 * (loading and first-start generation). Private to src/daemon/auth.
 */
#ifndef IOTJOBS_AUTH_INT_H
#define IOTJOBS_AUTH_INT_H

#include "auth/auth.h"

#define AUTH_SECRET_MAX	128
#define AUTH_TOKEN_MAX	4096	/* STS tokens run to ~2 KB */

/* One admin key pair; the secret and token are wiped by auth_close. */
struct auth {
	char access_key_id[AUTH_KEY_MAX + 1];
	char secret[AUTH_SECRET_MAX + 1];
	char *session_token;	/* NULL: requests must carry none */
};

#endif
