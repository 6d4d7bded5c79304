/* SPDX-License-Identifier: Apache-2.0 */
/* Extensions not written yet. */
#include "api/ext.h"

#define TODO(name) \
int \
name(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err) \
{ \
	(void)ctx; (void)in; (void)out; \
	return err_set_status(err, 501, ERR_NOT_IMPLEMENTED, #name); \
}
TODO(ext_audit)
