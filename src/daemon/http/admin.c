/* SPDX-License-Identifier: Apache-2.0 */
/* Administrative routes under /_iotjobs/: none are served yet. */
#include "http/admin.h"

#include <string.h>

bool
admin_is_route(const char *raw_path)
{
	return strncmp(raw_path, "/_iotjobs/", 10) == 0;
}

int
admin_serve(struct app *app, const struct http_request *req,
    const struct principal *who, json_t **out, struct err *err)
{
	(void)app;
	(void)who;
	(void)out;
	return err_set_status(err, 404, ERR_NOT_FOUND, "Not Found: %s",
	    req->raw_path);
}
