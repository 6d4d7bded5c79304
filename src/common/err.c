/* SPDX-License-Identifier: Apache-2.0 */
/* struct err helpers: see err.h. */
#include "err.h"

#include <stdio.h>
#include <string.h>

void
err_clear(struct err *err)
{
	err->type = NULL;
	err->status = 0;
	err->msg[0] = '\0';
	err->resource_id[0] = '\0';
	err->resource_arn[0] = '\0';
}

static void
err_vset(struct err *err, int status, const char *type, const char *fmt,
    va_list ap)
{
	err_clear(err);
	err->type = type;
	err->status = status;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int
err_set(struct err *err, const char *type, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(err, 0, type, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_set_status(struct err *err, int status, const char *type,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(err, status, type, fmt, ap);
	va_end(ap);
	return -1;
}

void
err_set_resource(struct err *err, const char *id, const char *arn)
{
	if (err == NULL)
		return;
	if (id != NULL)
		snprintf(err->resource_id, sizeof(err->resource_id), "%s", id);
	if (arn != NULL)
		snprintf(err->resource_arn, sizeof(err->resource_arn), "%s",
		    arn);
}
