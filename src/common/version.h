/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The version of iotjobs every binary reports with --version: the
 * VERSION file at the top of the repository, baked in at build time
 * (build/gen/build_info.h, written by the Makefile).
 */
#ifndef IOTJOBS_VERSION_H
#define IOTJOBS_VERSION_H

/* "0.1.0": borrowed, static. */
const char *version_string(void);

/* Prints "PROGNAME VERSION" on a line of its own to stdout. */
void version_print(const char *progname);

#endif
