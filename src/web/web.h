/* The two web surfaces kycd serves itself (docs/web.md): the hosted
 * verification page end users open from a link (GET /?id=<token>, its JSON
 * calls under /hosted/api/) and the operators' review console (/console).
 * Their HTML, JS and CSS (web/) are linked into the binary. */
#ifndef KYC_WEB_H
#define KYC_WEB_H

#include "http/server.h"

/* Registers the hosted page, the console, their assets and the native
 * route POST /v1/verifications/{id}/hosted-link. */
void kyc_web_register(kyc_server *s);

#endif
