/* The hosted page's API as the page calls it (docs/web.md), for tests
 * that take a selfie through it: the link's token, the head-turn
 * challenge (docs/face.md#liveness) and the selfie with its turn frames. */
#ifndef KYC_TEST_HOSTED_H
#define KYC_TEST_HOSTED_H

#include <jansson.h>
#include <stddef.h>

#include "e2e.h"

/* A hosted link's token for verification vid, made with the tenant's API
 * key: 0, or -1. */
int hosted_token(struct e2e_server *s, const char *key, const char *vid, char *tok, size_t len);

/* POST /hosted/api/<what> with the token; *out the answer's JSON (a new
 * reference, or NULL). Returns the HTTP status, or -1. */
long hosted_post(struct e2e_server *s, const char *tok, const char *what, const char *ctype,
                 const char *body, size_t blen, json_t **out);

/* The front of an ID card as the page uploads it; the status, *out the
 * answer. */
long hosted_id_card(struct e2e_server *s, const char *tok, const unsigned char *img, size_t len,
                    json_t **out);

/* Asks the challenge: 0 and moves[0..1] "left"/"right" in the order asked,
 * or -1. */
int hosted_challenge(struct e2e_server *s, const char *tok, char moves[2][8]);

/* The selfie (front) with two turn frames, as the page sends it; the
 * status, *out the answer. */
long hosted_selfie_turns(struct e2e_server *s, const char *tok, const unsigned char *front,
                         size_t lf, const unsigned char *t1, size_t l1, const unsigned char *t2,
                         size_t l2, json_t **out);

/* An L1 verification (document, selfie, liveness) of the applicant, made
 * with the tenant's key (duplicate-document periods off, so one card can
 * serve several), its hosted link's token, and the card's front uploaded
 * through the page: 0 with vid and tok, or -1. */
int hosted_l1_with_card(struct e2e_server *s, const char *key, const char *applicant_id,
                        const unsigned char *card, size_t len, char vid[64], char tok[64]);

/* Asks the challenge and answers it as a person turning would: front, then
 * the frame turned left or right in the order asked. The status of the
 * selfie upload, or -1 when the challenge could not be had. */
long hosted_turn_as_asked(struct e2e_server *s, const char *tok, const unsigned char *front,
                          size_t lf, const unsigned char *left, size_t ll,
                          const unsigned char *right, size_t lr);

#endif
