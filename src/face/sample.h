/* Cutting network inputs out of an RGB image (internal to src/face): a
 * square view of the whole image, and rotated square crops, resampled with
 * an area average when shrinking and bilinear interpolation otherwise.
 * Pixels outside the image (or outside the clip rectangle) are zero, as
 * face-api's zero padding. */
#ifndef KYC_FACE_SAMPLE_H
#define KYC_FACE_SAMPLE_H

#include "tensor/tensor.h"

struct face__rgb {
	const unsigned char *px; /* w*h*3 */
	int w, h;
};

/* A square of side src_side (source pixels) whose top-left corner is at
 * (x0, y0), rotated by angle radians about that square's centre, sampled to
 * an n×n×3 tensor of 0..255 values. Source pixels outside the rectangle clip
 * (x, y, w, h; NULL for the whole image) count as zero. */
int face__crop(const struct face__rgb *img, double x0, double y0, double src_side, double angle,
               const double *clip, int n, struct kyc_tensor *out);

#endif
