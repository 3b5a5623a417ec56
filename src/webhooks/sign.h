/* Webhook signatures, Standard Webhooks scheme (docs/webhooks.md):
 *   webhook-id: <event delivery id>
 *   webhook-timestamp: <unix seconds>
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>
 * where key is the base64-decoded part of the endpoint secret "whsec_<base64>".
 * During a secret rotation several "v1,..." entries are sent, space-separated. */
#ifndef KYC_WEBHOOK_SIGN_H
#define KYC_WEBHOOK_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define KYC_WEBHOOK_SECRET_MAX 64 /* "whsec_" + base64 of 32 bytes + NUL fits */
#define KYC_WEBHOOK_SIG_MAX 64    /* "v1," + base64 of 32 bytes + NUL */

/* A new random secret "whsec_..." (24 random bytes). */
int kyc_webhook_secret_new(char out[KYC_WEBHOOK_SECRET_MAX]);
/* Signs: writes "v1,<base64>" into out. KYC_ERR_INVALID for a malformed secret. */
int kyc_webhook_sign(const char *secret, const char *msg_id, int64_t timestamp, const void *body,
		     size_t body_len, char out[KYC_WEBHOOK_SIG_MAX]);
/* Verifies a webhook-signature header value (one or more space-separated
 * "v1,..." entries) in constant time per entry; 1 if any matches. tolerance_s
 * bounds |now - timestamp| (replay protection); 0 disables the check. */
int kyc_webhook_verify(const char *secret, const char *msg_id, int64_t timestamp,
		       const void *body, size_t body_len, const char *header, int64_t now_s,
		       int64_t tolerance_s);

#endif
