/* RFC 9457 problem details, the one error shape of the API:
 *   {"type":"urn:kycd:problem:<code>","title":"Not Found","status":404,
 *    "detail":"...","code":"<code>","field":"<field>","request_id":"..."}
 * The type is a URN rather than a URL: kycd is self-hosted and owns no web
 * address that could document it; docs/api.md lists the codes. */
#ifndef KYC_PROBLEM_H
#define KYC_PROBLEM_H

#include <jansson.h>

#include "http/server.h"

#define KYC_PROBLEM_TYPE_BASE "urn:kycd:problem:"

/* The standard reason phrase of a status ("Not Found"). */
const char *kyc_http_status_title(int status);
/* Builds a problem object (new reference). field may be NULL. */
json_t *kyc_problem_json(int status, const char *code, const char *field, const char *detail,
			 const char *request_id);
/* Sends a problem as the response to r. */
void kyc_problem(kyc_req *r, int status, const char *code, const char *field,
		 const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
