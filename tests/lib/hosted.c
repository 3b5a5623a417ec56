/* The hosted page's API for tests (hosted.h). */
#include "hosted.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int hosted_token(struct e2e_server *s, const char *key, const char *vid, char *tok, size_t len)
{
	char path[160];
	struct e2e_resp r;
	snprintf(path, sizeof path, "/v1/verifications/%s/hosted-link", vid);
	if (e2e_json(s, "POST", path, key, NULL, &r))
		return -1;
	int rc = r.status == 201 && e2e_str(&r, "token") ? 0 : -1;
	if (!rc)
		snprintf(tok, len, "%s", e2e_str(&r, "token"));
	e2e_resp_free(&r);
	return rc;
}

long hosted_post(struct e2e_server *s, const char *tok, const char *what, const char *ctype,
                 const char *body, size_t blen, json_t **out)
{
	char auth[200], path[160];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
	snprintf(path, sizeof path, "/hosted/api/%s", what);
	const char *h[] = {auth, ctype, NULL};
	struct e2e_resp r;
	*out = NULL;
	if (e2e_req(s, "POST", path, h, body, blen, &r))
		return -1;
	long st = r.status;
	*out = json_incref(r.json);
	e2e_resp_free(&r);
	return st;
}

static long post_form(struct e2e_server *s, const char *tok, const char *what,
                      const struct form_part *parts, int n, json_t **out)
{
	size_t blen;
	char *body = form_build(parts, n, &blen);
	long st = hosted_post(s, tok, what, FORM_CONTENT_TYPE, body, blen, out);
	free(body);
	return st;
}

long hosted_id_card(struct e2e_server *s, const char *tok, const unsigned char *img, size_t len,
                    json_t **out)
{
	struct form_part parts[] = {{"type", NULL, NULL, "id_card", 0},
	                            {"side", NULL, NULL, "front", 0},
	                            {"image", "card.jpg", "image/jpeg", img, len}};
	return post_form(s, tok, "documents", parts, 3, out);
}

int hosted_challenge(struct e2e_server *s, const char *tok, char moves[2][8])
{
	json_t *j;
	long st = hosted_post(s, tok, "liveness/challenge", "Content-Type: application/json", "{}",
	                      2, &j);
	const json_t *m = json_object_get(j, "moves");
	int rc = st == 200 && json_array_size(m) == 2 ? 0 : -1;
	for (size_t i = 0; !rc && i < 2; i++)
		snprintf(moves[i], 8, "%s", json_string_value(json_array_get(m, i)));
	json_decref(j);
	return rc;
}

long hosted_selfie_turns(struct e2e_server *s, const char *tok, const unsigned char *front,
                         size_t lf, const unsigned char *t1, size_t l1, const unsigned char *t2,
                         size_t l2, json_t **out)
{
	struct form_part parts[] = {{"image", "front.jpg", "image/jpeg", front, lf},
	                            {"turn_1", "turn1.jpg", "image/jpeg", t1, l1},
	                            {"turn_2", "turn2.jpg", "image/jpeg", t2, l2}};
	return post_form(s, tok, "selfie", parts, 3, out);
}

long hosted_turn_as_asked(struct e2e_server *s, const char *tok, const unsigned char *front,
                          size_t lf, const unsigned char *left, size_t ll,
                          const unsigned char *right, size_t lr)
{
	char moves[2][8];
	json_t *o;
	if (hosted_challenge(s, tok, moves))
		return -1;
	int left_first = !strcmp(moves[0], "left");
	long st = hosted_selfie_turns(s, tok, front, lf, left_first ? left : right,
	                              left_first ? ll : lr, left_first ? right : left,
	                              left_first ? lr : ll, &o);
	json_decref(o);
	return st;
}

int hosted_l1_with_card(struct e2e_server *s, const char *key, const char *applicant_id,
                        const unsigned char *card, size_t len, char vid[64], char tok[64])
{
	char body[256];
	struct e2e_resp r;
	json_t *o;
	snprintf(body, sizeof body,
	         "{\"applicant_id\":\"%s\",\"level\":\"L1\",\"options\":{\"approvePeriod\":"
	         "false,\"rejectPeriod\":false}}",
	         applicant_id);
	if (e2e_json(s, "POST", "/v1/verifications", key, body, &r))
		return -1;
	vid[0] = '\0';
	if (r.status == 201 && e2e_str(&r, "id"))
		snprintf(vid, 64, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	if (!vid[0] || hosted_token(s, key, vid, tok, 64))
		return -1;
	long st = hosted_id_card(s, tok, card, len, &o);
	json_decref(o);
	return st == 200 ? 0 : -1;
}
