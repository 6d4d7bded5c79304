/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the query language (thing_query.h): the tree the parser
 * (thing_query.c) builds and the evaluator and planner
 * (thing_query_eval.c) read. Only those two files include this.
 */
#ifndef IOTJOBS_THING_QUERY_INT_H
#define IOTJOBS_THING_QUERY_INT_H

#include <stdbool.h>

#include "api/thing_query.h"

enum tq_kind { TQ_AND, TQ_OR, TQ_NOT, TQ_TERM };
enum tq_field { TQ_F_NAME, TQ_F_TYPE, TQ_F_GROUPS, TQ_F_ATTR };
enum tq_op { TQ_EQ, TQ_GLOB, TQ_RANGE };

#define TQ_VALUE_MAX	THING_QUERY_VALUE_MAX
#define TQ_ATTR_MAX	128	/* AttributeName (model) */

/* A term's field: which property of the thing it reads. */
struct tq_fieldref {
	enum tq_field field;
	char attr[TQ_ATTR_MAX + 1];	/* TQ_F_ATTR */
};

struct tq_node {
	enum tq_kind kind;
	int a, b;		/* children (TQ_AND, TQ_OR: both; TQ_NOT: a) */
	struct tq_fieldref f;	/* TQ_TERM */
	enum tq_op op;
	char *value;		/* TQ_EQ, TQ_GLOB */
	char *lo, *hi;		/* TQ_RANGE; NULL: an open end */
	bool lo_incl, hi_incl;
	bool numeric;		/* both bounds (those given) are numbers */
	double nlo, nhi;
};

struct thing_query {
	struct tq_node *nodes;
	int n, cap;
	int root;
	bool uses_groups;
};

/* Whether S is a strict decimal number (-?digits[.digits]); into *OUT. */
bool thing_query_number(const char *s, double *out);

#endif
