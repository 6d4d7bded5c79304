/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The route table: the models' requestUri templates of both planes, matched
 * against a request's method and path. Path segments are percent-decoded
 * after splitting on '/', so "$next" and "%24next" are the same label value.
 */
#ifndef IOTJOBS_ROUTER_H
#define IOTJOBS_ROUTER_H

#include <stddef.h>

#include "err.h"
#include "gen/model.h"

#define ROUTER_MAX_LABELS	8
#define ROUTER_MAX_SEGMENTS	16

struct route_match {
	const struct model_op *op;
	size_t nlabels;
	struct {
		const char *name;	/* label name in the template */
		char *value;		/* decoded; owned by the match */
	} labels[ROUTER_MAX_LABELS];
};

/* Builds the table from model_ops; call once at start-up. */
void router_init(void);

/*
 * Finds the operation of PLANE for METHOD and RAW_PATH (still
 * percent-encoded, no query). Returns 0 and fills M (release it with
 * router_match_release), or -1 with ERR set: a bad escape is an
 * InvalidRequestException, an unknown route a 404 ResourceNotFoundException.
 */
int router_find(enum plane plane, const char *method, const char *raw_path,
    struct route_match *m, struct err *err);
void router_match_release(struct route_match *m);

#endif
