/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Route matching over the generated operation table (gen/model.h). A
 * template segment is a literal or a {label}; a greedy {label+} takes the
 * rest of the path. When several templates match, the one with more
 * literal segments wins (PUT /thing-groups/addThingToThingGroup over
 * PUT /thing-groups/{thingGroupName}, were both to exist).
 */
#include "http/router.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pct.h"
#include "xmalloc.h"

struct route_seg {
	char *text;	/* literal text or label name */
	bool label;
	bool greedy;
};

struct route {
	const struct model_op *op;
	size_t nseg;
	size_t nliteral;
	struct route_seg seg[ROUTER_MAX_SEGMENTS];
};

static struct route *routes;
static size_t nroutes;

static void
route_parse(struct route *r, const struct model_op *op)
{
	const char *p = op->uri;

	r->op = op;
	while (*p == '/') {
		const char *start = ++p;
		size_t len;
		struct route_seg *sg;

		while (*p != '\0' && *p != '/')
			p++;
		len = (size_t)(p - start);
		if (len == 0 && *p == '\0')
			break;
		if (r->nseg == ROUTER_MAX_SEGMENTS)
			fatalx("router: too many segments in %s", op->uri);
		sg = &r->seg[r->nseg++];
		if (len >= 2 && start[0] == '{' && start[len - 1] == '}') {
			sg->label = true;
			sg->greedy = start[len - 2] == '+';
			sg->text = xstrndup(start + 1,
			    len - 2 - (sg->greedy ? 1 : 0));
		} else {
			sg->text = xstrndup(start, len);
			r->nliteral++;
		}
	}
}

void
router_init(void)
{
	size_t i;

	routes = xcalloc(model_nops, sizeof(*routes));
	for (i = 0; i < model_nops; i++)
		route_parse(&routes[nroutes++], &model_ops[i]);
}

/*
 * Splits RAW_PATH into at most ROUTER_MAX_SEGMENTS raw segments. A slash
 * at the end starts an empty last segment, which no label matches: POST
 * /things/ is CreateThing without a name, not RegisterThing (POST
 * /things). Only "/" itself has no segment.
 */
static int
path_split(const char *raw_path, const char **seg, size_t *seglen,
    size_t *nseg)
{
	const char *p = raw_path;

	*nseg = 0;
	if (*p != '/')
		return -1;
	while (*p == '/') {
		const char *start = ++p;

		while (*p != '\0' && *p != '/')
			p++;
		if (p == start && *p == '\0' && *nseg == 0)
			break;	/* the path "/" */
		if (*nseg == ROUTER_MAX_SEGMENTS)
			return -1;
		seg[*nseg] = start;
		seglen[*nseg] = (size_t)(p - start);
		(*nseg)++;
	}
	return 0;
}

static bool
route_try(const struct route *r, const char **seg, const size_t *seglen,
    size_t nseg)
{
	size_t i;

	for (i = 0; i < r->nseg; i++) {
		const struct route_seg *sg = &r->seg[i];

		if (sg->greedy)
			return i < nseg;
		if (i >= nseg)
			return false;
		if (sg->label) {
			if (seglen[i] == 0)
				return false;
			continue;
		}
		if (strlen(sg->text) != seglen[i] ||
		    memcmp(sg->text, seg[i], seglen[i]) != 0)
			return false;
	}
	return i == nseg;
}

/*
 * No operation of either model has this method and path: 404
 * ResourceNotFoundException "Not Found", as AWS IoT answers
 * (docs/compatibility.md). 501 stays for operations the models have and
 * iotjobs lacks.
 */
static int
router_unknown(struct err *err)
{
	return err_set_status(err, 404, ERR_NOT_FOUND, "Not Found");
}

int
router_find(enum plane plane, const char *method, const char *raw_path,
    struct route_match *m, struct err *err)
{
	const char *seg[ROUTER_MAX_SEGMENTS];
	size_t seglen[ROUTER_MAX_SEGMENTS], nseg, i;
	const struct route *best = NULL;

	memset(m, 0, sizeof(*m));
	if (path_split(raw_path, seg, seglen, &nseg) == -1)
		return router_unknown(err);
	for (i = 0; i < nroutes; i++) {
		const struct route *r = &routes[i];

		if (r->op->plane != plane || strcmp(r->op->method, method) != 0)
			continue;
		if (!route_try(r, seg, seglen, nseg))
			continue;
		if (best == NULL || r->nliteral > best->nliteral)
			best = r;
	}
	if (best == NULL)
		return router_unknown(err);
	m->op = best->op;
	for (i = 0; i < best->nseg; i++) {
		const struct route_seg *sg = &best->seg[i];
		size_t len = seglen[i];
		char *v;

		if (!sg->label)
			continue;
		if (sg->greedy)
			len = strlen(seg[i]);
		v = pct_decode_dup(seg[i], len);
		if (v == NULL) {
			router_match_release(m);
			return err_set(err, ERR_INVALID_REQUEST,
			    "invalid percent-encoding in path label %s",
			    sg->text);
		}
		m->labels[m->nlabels].name = sg->text;
		m->labels[m->nlabels].value = v;
		m->nlabels++;
	}
	return 0;
}

void
router_match_release(struct route_match *m)
{
	size_t i;

	for (i = 0; i < m->nlabels; i++)
		free(m->labels[i].value);
	m->nlabels = 0;
}
