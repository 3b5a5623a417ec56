/* The four networks of @vladmandic/face-api (docs/face.md), run on the tensor
 * engine exactly as the package's JavaScript runs them, on inputs already cut
 * and sized: RGB values 0..255 as floats in a kyc_tensor of the net's size.
 *
 *   detector   tiny face detector (Yolo v2 on depthwise-separable convolutions),
 *              any square size divisible by 32; raw grid output
 *   landmarks  68 points (FaceLandmark68Net), 112×112; 136 values, x,y
 *              interleaved, relative to the input (0..1)
 *   embedding  the 128-d descriptor (dlib's ResNet-34 port), 150×150; loaded
 *              only on request (KYC_FACE_NETS_RECOGNITION)
 *   age/gender TinyXception, 112×112; age in years, softmax [male, female]
 *
 * Each forward returns 0, KYC_ERR_INVALID (wrong input size, or a weight the
 * net needs is missing or of another shape: the model files do not match) or
 * KYC_ERR_NOMEM. Forwards only read the nets, so threads may share them. */
#ifndef KYC_FACE_NETS_H
#define KYC_FACE_NETS_H

#include <stddef.h>

#include "tensor/tensor.h"

struct kyc_face_nets;

#define KYC_FACE_LANDMARK_SIDE 112
#define KYC_FACE_EMBED_SIDE 150
#define KYC_FACE_EMBED_DIM 128

/* kyc_face_nets_load's flags: the 128-d recognition network too. The
 * engine describes faces with HSE FaceRes (face.h) and leaves it out; the
 * reference test and bench/face (measurements against dlib) load it. */
#define KYC_FACE_NETS_RECOGNITION 1

/* Loads the detector, landmark and age/gender models' manifests and shards
 * from dir (the face-api model folder, docs/face.md), and the recognition
 * network's when flags hold KYC_FACE_NETS_RECOGNITION. err gets the file and
 * reason on failure. 0, KYC_ERR_IO, KYC_ERR_INVALID, KYC_ERR_TOOBIG or
 * KYC_ERR_NOMEM. */
int kyc_face_nets_load(const char *dir, int flags, struct kyc_face_nets **out, char *err,
                       size_t errlen);
void kyc_face_nets_free(struct kyc_face_nets *n);

/* Tiny face detector: out is (side/32)×(side/32)×25, five anchors of
 * (x, y, w, h, score) logits per cell, as the package's forwardInput gives. */
int kyc_face_net_detector(const struct kyc_face_nets *n, const struct kyc_tensor *rgb,
                          struct kyc_tensor *out);
int kyc_face_net_landmarks(const struct kyc_face_nets *n, const struct kyc_tensor *rgb,
                           float out[136]);
/* KYC_ERR_INVALID too when the nets were loaded without
 * KYC_FACE_NETS_RECOGNITION. */
int kyc_face_net_embedding(const struct kyc_face_nets *n, const struct kyc_tensor *rgb,
                           float out[KYC_FACE_EMBED_DIM]);
int kyc_face_net_age_gender(const struct kyc_face_nets *n, const struct kyc_tensor *rgb, float *age,
                            float gender[2]);

#endif
