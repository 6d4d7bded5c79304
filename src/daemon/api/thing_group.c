/* SPDX-License-Identifier: Apache-2.0 */
/* Operations of this resource (none yet). */
#include "api/api.h"

const struct api_op api_group_ops[] = {
	{ NULL, PLANE_DATA, NULL },
};
