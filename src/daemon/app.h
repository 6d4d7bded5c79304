/* SPDX-License-Identifier: Apache-2.0 */
/* What every front end of iotjobsd shares: settings, store, credentials. */
#ifndef IOTJOBS_APP_H
#define IOTJOBS_APP_H

#include "auth/auth.h"
#include "conf.h"

struct ca;
struct mqtt;
struct store;
struct authz;

struct app {
	const struct conf *conf;
	struct store *st;
	struct auth *auth;
	struct authz *authz;	/* every authorization decision */
	struct ca *ca;		/* iotjobsd's CA (auth/ca.h) */
	struct mqtt *mqtt;	/* NULL: no broker (set once, at start) */
};

#endif
