/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lists of device-path statements (sqlite_plan.h), joined: a file
 * with a new list is added here once.
 */
#include "sqlite_plan.h"

#include <stddef.h>

const struct sq_plan_list sq_plan_lists[] = {
	{ "sqlite_audit.c", sq_plan_audit },
	{ "sqlite_broker.c", sq_plan_broker },
	{ "sqlite_command.c", sq_plan_command },
	{ "sqlite_exec.c", sq_plan_exec },
	{ "sqlite_group.c", sq_plan_group },
	{ "sqlite_identity.c", sq_plan_identity },
	{ "sqlite_job.c", sq_plan_job },
	{ "sqlite_opkey.c", sq_plan_opkey },
	{ "sqlite_outbox.c", sq_plan_outbox },
	{ NULL, NULL },
};
