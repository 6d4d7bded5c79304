/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Look-ups over the generated model tables (model_tables.c). The generator
 * sorts shapes and operations by plane, then by name in strcmp order, so
 * both searches are binary.
 */
#include "gen/model.h"

#include <string.h>

/* <0, 0, >0 as (PA, A) sorts before, with, after (PB, B). */
static int
model_key_cmp(enum plane pa, const char *a, enum plane pb, const char *b)
{
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return strcmp(a, b);
}

int
model_shape_find(enum plane plane, const char *name)
{
	size_t lo = 0, hi = model_nshapes;

	if (name == NULL)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct model_shape *s = &model_shapes[mid];
		int c = model_key_cmp(plane, name, s->plane, s->name);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const struct model_op *
model_op_find(enum plane plane, const char *name)
{
	size_t lo = 0, hi = model_nops;

	if (name == NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct model_op *op = &model_ops[mid];
		int c = model_key_cmp(plane, name, op->plane, op->name);

		if (c == 0)
			return op;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
model_error_status(enum plane plane, const char *name)
{
	int i = model_shape_find(plane, name);

	if (i == -1 || !model_shapes[i].is_error)
		return -1;
	return model_shapes[i].error_status;
}
