/* Helpers of the face workflow's end-to-end tests (tests/e2e/face_flow_test.c)
 * on what kycd stored: faces made to look as kycd kept them before FaceRes,
 * and what a document keeps. They open the server's store as kycd does
 * (e2e_store_open), outside it. */
#ifndef TESTS_FACE_STORE_H
#define TESTS_FACE_STORE_H

#include <jansson.h>
#include <stddef.h>

#include "e2e.h"

/* The card's face of verification vid (of tenant) stored as kycd kept faces
 * before FaceRes: dlib's 128 float32 (a made-up vector of that length: its
 * values do not matter) and no "model". *emb gets the FaceRes embedding it
 * held (base64, malloc()ed), blob the card image's path in the data
 * directory. 0 or -1. */
int tface_make_legacy(struct e2e_server *srv, const char *tenant, const char *vid, char **emb,
                      char *blob, size_t blobsz);
/* The stored face of the verification's id_card document (a new reference),
 * or NULL. */
json_t *tface_card_face(struct e2e_server *srv, const char *tenant, const char *vid);
/* The largest difference between two base64 float32 embeddings of
 * KYC_FACE_EMBEDDING_DIM values; INFINITY when one does not decode. */
double tface_emb_diff(const char *a, const char *b);

#endif
