/* The face engine (docs/face.md): find faces in a photo, place their 68
 * landmarks, align and cut them, describe them with a 128-d embedding, guess
 * age and gender, judge a selfie's quality, and compare two faces. Pure
 * functions on pixels and the loaded networks: no HTTP, no database. */
#ifndef KYC_FACE_H
#define KYC_FACE_H

#include <stddef.h>

/* Where the models are: $KYCD_MODELS when set; else the first of
 * <dir of the running binary>/../models/face-api (build/release/kycd finds
 * build/models/face-api), <dir of the binary>/../share/kycd/models/face-api
 * (an installed binary) and ./build/models/face-api (the repository root)
 * that holds the detector's manifest. 0, or KYC_ERR_NOTFOUND (buf then holds
 * the last place tried). */
int kyc_face_models_dir(char *buf, size_t len);

#endif
