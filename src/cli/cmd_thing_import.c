/* SPDX-License-Identifier: Apache-2.0 */
/* TODO */
#include "cli.h"

int
cmd_thing_import(struct cli_conf *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	return CLI_FAIL;
}
