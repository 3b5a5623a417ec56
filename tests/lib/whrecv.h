/* A webhook receiver for the tests and the benchmark: a real HTTP/1.1
 * server on a loopback port (keep-alive, many connections, one epoll
 * thread) that checks each request's Standard Webhooks signature the way a
 * customer's receiver would (its own HMAC-SHA256 with OpenSSL, not kycd's
 * code), records what arrived, and answers as told: 204, 500, a redirect,
 * or never (to make the sender time out). */
#ifndef KYC_WHRECV_H
#define KYC_WHRECV_H

#include <stddef.h>
#include <stdint.h>

struct whrecv;

enum whrecv_mode {
	WHRECV_OK,       /* 204 No Content */
	WHRECV_FAIL,     /* 500 with a short text body */
	WHRECV_HANG,     /* read the request, never answer */
	WHRECV_REDIRECT, /* 302 to another path */
	WHRECV_SLOW,     /* 204, but only after the delay of whrecv_set_delay */
};

/* One request as received. */
struct whrecv_msg {
	char id[64];        /* webhook-id */
	int64_t timestamp;  /* webhook-timestamp */
	char signature[512]; /* webhook-signature */
	char path[128];
	int valid;          /* the signature matched one of the secrets */
	int answered;       /* the status answered (0 when it hung) */
	char *body;         /* NUL-terminated copy (NULL when bodies are not kept) */
	size_t body_len;
};

/* Starts a receiver on 127.0.0.1 (a free port). keep_bodies: store every
 * body (tests) or only count (the benchmark). NULL on failure. */
struct whrecv *whrecv_start(int keep_bodies);
/* The same over TLS, with a self-signed certificate for localhost and
 * 127.0.0.1 whose PEM is written to ca_path (for KYCD_WEBHOOK_CA_FILE). */
struct whrecv *whrecv_start_tls(int keep_bodies, const char *ca_path);
int whrecv_port(const struct whrecv *r);
void whrecv_stop(struct whrecv *r);

/* Secrets to verify with ("whsec_..."); a signature matching any is valid.
 * Up to 2; NULL clears. */
void whrecv_set_secrets(struct whrecv *r, const char *s1, const char *s2);
void whrecv_set_mode(struct whrecv *r, enum whrecv_mode m);
/* The delay of WHRECV_SLOW answers, in ms. */
void whrecv_set_delay(struct whrecv *r, int ms);

/* Requests received so far (answered or not). */
int whrecv_count(struct whrecv *r);
/* Connections accepted so far. */
int whrecv_accepted(struct whrecv *r);
/* Of those, how many carried a valid signature. */
int whrecv_valid(struct whrecv *r);
/* Copies request i (0-based, in arrival order); the body is a new malloc()
 * the caller frees. 0, or -1 when there is no such request. */
int whrecv_get(struct whrecv *r, int i, struct whrecv_msg *out);
/* Distinct webhook-ids seen, and how many of them were answered 2xx. */
int whrecv_distinct(struct whrecv *r, int *answered_ok);
/* Waits until at least n requests arrived or timeout_ms passed; returns the count. */
int whrecv_wait(struct whrecv *r, int n, int timeout_ms);
/* Waits until at least n distinct ids were answered 2xx; returns that number. */
int whrecv_wait_distinct_ok(struct whrecv *r, int n, int timeout_ms);

/* The signature check alone: 1 when header (one or more space-separated
 * "v1,<base64>") holds HMAC-SHA256(secret key, "id.timestamp.body"). */
int whrecv_verify(const char *secret, const char *id, const char *timestamp, const void *body,
		  size_t len, const char *header);

#endif
