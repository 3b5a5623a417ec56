#include "http/problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kyc_http_status_title(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Content";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return status < 500 ? "Bad Request" : "Internal Server Error";
}

json_t *kyc_problem_json(int status, const char *code, const char *field, const char *detail,
			 const char *request_id)
{
	char type[128];
	snprintf(type, sizeof type, "%s%s", KYC_PROBLEM_TYPE_BASE, code);
	json_t *p = json_object();
	json_object_set_new(p, "type", json_string(type));
	json_object_set_new(p, "title", json_string(kyc_http_status_title(status)));
	json_object_set_new(p, "status", json_integer(status));
	json_object_set_new(p, "detail", json_string(detail ? detail : ""));
	json_object_set_new(p, "code", json_string(code));
	if (field && *field)
		json_object_set_new(p, "field", json_string(field));
	if (request_id)
		json_object_set_new(p, "request_id", json_string(request_id));
	return p;
}

void kyc_problem(kyc_req *r, int status, const char *code, const char *field,
		 const char *detail_fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, detail_fmt);
	vsnprintf(detail, sizeof detail, detail_fmt, ap);
	va_end(ap);
	json_t *p = kyc_problem_json(status, code, field, detail, kyc_req_id(r));
	char *txt = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	static const char fallback[] = "{\"type\":\"urn:kycd:problem:internal_error\",\"title\":"
				       "\"Internal Server Error\",\"status\":500,\"detail\":\"out of "
				       "memory\",\"code\":\"internal_error\"}";
	if (!txt) {
		kyc_req_respond(r, 500, "application/problem+json", fallback, sizeof fallback - 1);
		return;
	}
	kyc_req_respond(r, status, "application/problem+json", txt, strlen(txt));
	free(txt);
}
