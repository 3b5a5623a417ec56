/* Geometry of the photograph: homographies, bilinear sampling, laying a
 * flat raster (a document, a second card) onto the canvas with anti-aliased
 * rounded corners and a soft drop shadow, and where the classes put the
 * document (a tilted camera, the MRZ near the border). */
#include "document/synth.h"

#include <math.h>
#include <string.h>

static unsigned char clamp8(double v)
{
	return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

/* ---- geometry ---- */

/* The homography mapping src[i] to dst[i]: h[0..8] (h[8] = 1). Returns -1
 * when the points are degenerate. */
int kyc_synth__homography(const double src[4][2], const double dst[4][2], double h[9])
{
	double A[8][9];
	for (int i = 0; i < 4; i++) {
		double x = src[i][0], y = src[i][1], X = dst[i][0], Y = dst[i][1];
		double r1[9] = {x, y, 1, 0, 0, 0, -X * x, -X * y, X};
		double r2[9] = {0, 0, 0, x, y, 1, -Y * x, -Y * y, Y};
		memcpy(A[2 * i], r1, sizeof r1);
		memcpy(A[2 * i + 1], r2, sizeof r2);
	}
	for (int c = 0; c < 8; c++) {
		int piv = c;
		for (int k = c + 1; k < 8; k++)
			if (fabs(A[k][c]) > fabs(A[piv][c]))
				piv = k;
		if (fabs(A[piv][c]) < 1e-12)
			return -1;
		if (piv != c)
			for (int j = 0; j < 9; j++) {
				double t = A[c][j];
				A[c][j] = A[piv][j], A[piv][j] = t;
			}
		for (int k = 0; k < 8; k++) {
			if (k == c)
				continue;
			double f = A[k][c] / A[c][c];
			for (int j = c; j < 9; j++)
				A[k][j] -= f * A[c][j];
		}
	}
	for (int i = 0; i < 8; i++)
		h[i] = A[i][8] / A[i][i];
	h[8] = 1;
	return 0;
}

void kyc_synth__apply(const double h[9], double x, double y, double *X, double *Y)
{
	double w = h[6] * x + h[7] * y + h[8];
	*X = (h[0] * x + h[1] * y + h[2]) / w;
	*Y = (h[3] * x + h[4] * y + h[5]) / w;
}

/* Signed distance (px) from (u, v) to a w x h rectangle with corner radius rad. */
static double rrect_sdf(double u, double v, double w, double h, double rad)
{
	double qx = fabs(u - w / 2) - (w / 2 - rad), qy = fabs(v - h / 2) - (h / 2 - rad);
	double ox = qx > 0 ? qx : 0, oy = qy > 0 ? qy : 0, m = qx > qy ? qx : qy;
	return sqrt(ox * ox + oy * oy) + (m < 0 ? m : 0) - rad;
}

void kyc_synth__sample(const struct kyc_synth_image *d, double u, double v, double out[3])
{
	u -= 0.5, v -= 0.5;
	int x0 = (int)floor(u), y0 = (int)floor(v);
	double fx = u - x0, fy = v - y0;
	int xs[2] = {x0 < 0       ? 0
	             : x0 >= d->w ? d->w - 1
	                          : x0,
	             x0 + 1 < 0       ? 0
	             : x0 + 1 >= d->w ? d->w - 1
	                              : x0 + 1};
	int ys[2] = {y0 < 0       ? 0
	             : y0 >= d->h ? d->h - 1
	                          : y0,
	             y0 + 1 < 0       ? 0
	             : y0 + 1 >= d->h ? d->h - 1
	                              : y0 + 1};
	const unsigned char *p00 = d->px + ((size_t)ys[0] * (size_t)d->w + (size_t)xs[0]) * 3;
	const unsigned char *p01 = d->px + ((size_t)ys[0] * (size_t)d->w + (size_t)xs[1]) * 3;
	const unsigned char *p10 = d->px + ((size_t)ys[1] * (size_t)d->w + (size_t)xs[0]) * 3;
	const unsigned char *p11 = d->px + ((size_t)ys[1] * (size_t)d->w + (size_t)xs[1]) * 3;
	for (int k = 0; k < 3; k++)
		out[k] = (p00[k] * (1 - fx) + p01[k] * fx) * (1 - fy) +
		         (p10[k] * (1 - fx) + p11[k] * fx) * fy;
}

/* Lays the document onto the canvas through hinv (canvas -> document), with a
 * soft drop shadow offset by (sdx, sdy). */
void kyc_synth__composite(struct kyc_synth_image *c, const struct kyc_synth_image *d,
                          const double hinv[9], const double quad[4][2], double rad, double sdx,
                          double sdy, double soft)
{
	double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
	for (int i = 0; i < 4; i++) {
		minx = fmin(minx, fmin(quad[i][0], quad[i][0] + sdx));
		maxx = fmax(maxx, fmax(quad[i][0], quad[i][0] + sdx));
		miny = fmin(miny, fmin(quad[i][1], quad[i][1] + sdy));
		maxy = fmax(maxy, fmax(quad[i][1], quad[i][1] + sdy));
	}
	int x0 = (int)fmax(0, minx - soft - 2), x1 = (int)fmin(c->w - 1, maxx + soft + 2);
	int y0 = (int)fmax(0, miny - soft - 2), y1 = (int)fmin(c->h - 1, maxy + soft + 2);
	/* Along a row the homogeneous coordinates grow linearly: step them
	 * rather than multiply, one division per point. Where the document
	 * covers the pixel fully its shadow does not matter. */
	for (int y = y0; y <= y1; y++) {
		double fy = y + 0.5, fx = x0 + 0.5;
		double X = hinv[0] * fx + hinv[1] * fy + hinv[2];
		double Y = hinv[3] * fx + hinv[4] * fy + hinv[5];
		double Z = hinv[6] * fx + hinv[7] * fy + hinv[8];
		double XS = X - hinv[0] * sdx - hinv[1] * sdy,
		       YS = Y - hinv[3] * sdx - hinv[4] * sdy;
		double ZS = Z - hinv[6] * sdx - hinv[7] * sdy;
		unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x0) * 3;
		for (int x = x0; x <= x1; x++, p += 3) {
			double u = X / Z, v = Y / Z;
			double cov = 0.5 - rrect_sdf(u, v, d->w, d->h, rad);
			double s[3] = {0, 0, 0};
			if (cov > 0)
				kyc_synth__sample(d, u, v, s);
			if (cov < 1) {
				double sd = rrect_sdf(XS / ZS, YS / ZS, d->w, d->h, rad);
				if (sd < soft) {
					double k = 1 - 0.45 * fmin(1, (soft - sd) / (2 * soft));
					for (int ch = 0; ch < 3; ch++)
						p[ch] = clamp8(p[ch] * k);
				}
			}
			if (cov > 0) {
				if (cov > 1)
					cov = 1;
				for (int ch = 0; ch < 3; ch++)
					p[ch] = clamp8(p[ch] + (s[ch] - p[ch]) * cov);
			}
			X += hinv[0], Y += hinv[3], Z += hinv[6];
			XS += hinv[0], YS += hinv[3], ZS += hinv[6];
		}
	}
}

/* A camera tilted by tilt degrees about an in-plane axis at angle axis,
 * f px from the document's centre (cx, cy): the corners of a w x h
 * document turned by a (radians) in its plane, in perspective. The scale at
 * the centre stays 1; the near side grows, the far side shrinks. */
void kyc_synth__tilted_corners(double dst[4][2], double w, double h, double a, double tilt,
                               double axis, double f, double cx, double cy)
{
	double kx = cos(axis), ky = sin(axis), th = tilt * M_PI / 180, c = cos(th), s = sin(th);
	for (int i = 0; i < 4; i++) {
		double x = (i == 1 || i == 2 ? w : 0) - w / 2, y = (i >= 2 ? h : 0) - h / 2;
		double X = x * cos(a) - y * sin(a), Y = x * sin(a) + y * cos(a), Z = 0;
		/* Rodrigues' rotation about the unit axis (kx, ky, 0). */
		double kv = kx * X + ky * Y;
		double cxv = ky * Z, cyv = -kx * Z, czv = kx * Y - ky * X; /* k x v */
		double RX = X * c + cxv * s + kx * kv * (1 - c);
		double RY = Y * c + cyv * s + ky * kv * (1 - c);
		double RZ = Z * c + czv * s;
		dst[i][0] = cx + f * RX / (f + RZ);
		dst[i][1] = cy + f * RY / (f + RZ);
	}
}

/* Moves (and if need be shrinks) the corners so that they lie inside a W x H
 * canvas with a small margin. */
void kyc_synth__fit_inside(double dst[4][2], int W, int H)
{
	double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
	for (int i = 0; i < 4; i++) {
		minx = fmin(minx, dst[i][0]), maxx = fmax(maxx, dst[i][0]);
		miny = fmin(miny, dst[i][1]), maxy = fmax(maxy, dst[i][1]);
	}
	double k = fmin(1, fmin(0.97 * W / (maxx - minx), 0.97 * H / (maxy - miny)));
	double mx = (minx + maxx) / 2, my = (miny + maxy) / 2;
	double hw = (maxx - minx) * k / 2, hh = (maxy - miny) * k / 2;
	double nx = fmin(fmax(mx, hw + 0.015 * W), W - hw - 0.015 * W);
	double ny = fmin(fmax(my, hh + 0.015 * H), H - hh - 0.015 * H);
	for (int i = 0; i < 4; i++) {
		dst[i][0] = nx + (dst[i][0] - mx) * k;
		dst[i][1] = ny + (dst[i][1] - my) * k;
	}
}

/* Shifts the corners so that the MRZ (through hfwd) comes within d px of
 * the canvas border on side (0 bottom, 1 left, 2 right, 3 top). */
void kyc_synth__mrz_to_border(double dst[4][2], const double hfwd[9], const double box[4], int W,
                              int H, int side, double d)
{
	double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
	double pts[4][2] = {{box[0], box[1]}, {box[2], box[1]}, {box[2], box[3]}, {box[0], box[3]}};
	for (int i = 0; i < 4; i++) {
		double x, y;
		kyc_synth__apply(hfwd, pts[i][0], pts[i][1], &x, &y);
		minx = fmin(minx, x), maxx = fmax(maxx, x), miny = fmin(miny, y),
		maxy = fmax(maxy, y);
	}
	double dx = 0, dy = 0;
	if (side == 0)
		dy = H - d - maxy;
	else if (side == 1)
		dx = d - minx;
	else if (side == 2)
		dx = W - d - maxx;
	else
		dy = d - miny;
	/* Only ever towards the border, and keep the other axis inside. */
	if (side == 0 || side == 3) {
		if (minx < d)
			dx = d - minx;
		if (maxx > W - d)
			dx = W - d - maxx;
	} else {
		if (miny < d)
			dy = d - miny;
		if (maxy > H - d)
			dy = H - d - maxy;
	}
	for (int i = 0; i < 4; i++)
		dst[i][0] += dx, dst[i][1] += dy;
}
