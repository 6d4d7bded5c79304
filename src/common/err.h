/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct err: what went wrong, as an AWS error shape name plus a message.
 * Every call that can fail fills one; the front ends turn it into the wire
 * error (HTTP status from the generated model table, x-amzn-ErrorType, JSON
 * body). Handlers never choose status codes.
 */
#ifndef IOTJOBS_ERR_H
#define IOTJOBS_ERR_H

#include <stdarg.h>

/* AWS error shape names used by the code (bare, no namespace). */
#define ERR_INVALID_REQUEST	"InvalidRequestException"
#define ERR_VALIDATION		"ValidationException"
#define ERR_NOT_FOUND		"ResourceNotFoundException"
#define ERR_ALREADY_EXISTS	"ResourceAlreadyExistsException"
#define ERR_CONFLICT		"ConflictException"
#define ERR_DELETE_CONFLICT	"DeleteConflictException"
#define ERR_VERSION_CONFLICT	"VersionConflictException"
#define ERR_STATE_TRANSITION	"InvalidStateTransitionException"
#define ERR_TERMINAL_STATE	"TerminalStateException"
#define ERR_LIMIT_EXCEEDED	"LimitExceededException"
#define ERR_VERSIONS_LIMIT	"VersionsLimitExceededException"
#define ERR_THROTTLING		"ThrottlingException"
#define ERR_UNAVAILABLE		"ServiceUnavailableException"
#define ERR_INTERNAL_FAILURE	"InternalFailureException"
#define ERR_INTERNAL_SERVER	"InternalServerException"
#define ERR_UNAUTHORIZED	"UnauthorizedException"
#define ERR_NOT_IMPLEMENTED	"NotImplementedException"
#define ERR_INVALID_QUERY	"InvalidQueryException"
/* Certificates and CA certificates (the iot model's security API). */
#define ERR_CERT_STATE		"CertificateStateException"
#define ERR_CERT_VALIDATION	"CertificateValidationException"
#define ERR_CERT_CONFLICT	"CertificateConflictException"
#define ERR_DELETE_CONFLICT	"DeleteConflictException"
#define ERR_REGCODE_VALIDATION	"RegistrationCodeValidationException"
/* Authentication errors (not in the models; the usual AWS names, HTTP 403). */
#define ERR_MISSING_AUTH	"MissingAuthenticationTokenException"
#define ERR_UNRECOGNIZED_CLIENT	"UnrecognizedClientException"
#define ERR_INVALID_SIGNATURE	"InvalidSignatureException"
#define ERR_ACCESS_DENIED	"AccessDeniedException"

#define ERR_MSG_MAX	1024
#define ERR_ID_MAX	256
#define ERR_ARN_MAX	2304

struct err {
	const char *type;	/* static error shape name; NULL: no error */
	int status;		/* 0: from the model table; else forced */
	char msg[ERR_MSG_MAX];
	char resource_id[ERR_ID_MAX];	/* ResourceAlreadyExists, Conflict */
	char resource_arn[ERR_ARN_MAX];	/* ResourceAlreadyExists */
};

/* Empties ERR. */
void err_clear(struct err *err);

/* Sets ERR to TYPE and a printf-style message; returns -1. ERR may be NULL. */
int err_set(struct err *err, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As err_set, with an explicit HTTP status (errors the models lack). */
int err_set_status(struct err *err, int status, const char *type,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records the resourceId / resourceArn members of ERR (either may be NULL). */
void err_set_resource(struct err *err, const char *id, const char *arn);

#endif
