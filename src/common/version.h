/* SPDX-License-Identifier: Apache-2.0 */
/* The version of iotjobs, shared by iotjobsd and the iotjobs command. */
#ifndef IOTJOBS_VERSION_H
#define IOTJOBS_VERSION_H

#define IOTJOBS_VERSION	"0.1.0"

#endif
