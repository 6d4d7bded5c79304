/* SPDX-License-Identifier: Apache-2.0 */
/* --version of every iotjobs binary: see version.h. */
#include "version.h"

#include <stdio.h>

#include "build_info.h"

const char *
version_string(void)
{
	return IOTJOBS_VERSION;
}

void
version_print(const char *progname)
{
	printf("%s %s\n", progname, IOTJOBS_VERSION);
	fflush(stdout);
}
