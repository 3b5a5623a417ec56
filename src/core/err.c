#include "core/err.h"

const char *kyc_err_name(int err)
{
	switch (err) {
	case KYC_OK: return "ok";
	case KYC_ERR_NOMEM: return "nomem";
	case KYC_ERR_TOOBIG: return "too_big";
	case KYC_ERR_INVALID: return "invalid";
	case KYC_ERR_NOTFOUND: return "not_found";
	case KYC_ERR_IO: return "io";
	case KYC_ERR_CONFLICT: return "conflict";
	case KYC_ERR_UNSUPPORTED: return "unsupported";
	case KYC_ERR_TIMEOUT: return "timeout";
	case KYC_ERR_DENIED: return "denied";
	case KYC_ERR_STATE: return "state";
	case KYC_ERR_INTERNAL: return "internal";
	}
	return "unknown";
}
