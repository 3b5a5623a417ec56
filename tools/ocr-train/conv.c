/* The conv branch's forward and backward passes for training (conv.h). */
#include "conv.h"

#include <string.h>

/* The input pixel (iy, ix) that tap t (ky * 3 + kx) of output (oy, ox) reads;
 * 0 when it lies in the zero padding. */
static int tap(int oy, int ox, int t, int h, int w, int *iy, int *ix)
{
	*iy = oy + t / 3 - 1;
	*ix = ox + t % 3 - 1;
	return *iy >= 0 && *iy < h && *ix >= 0 && *ix < w;
}

void conv_forward(const float *in, int h, int w, int cin, const float *wt, const float *b,
		  int cout, float *acc, int *arg, float *out)
{
	for (int oy = 0; oy < h; oy++)
		for (int ox = 0; ox < w; ox++) {
			float *a = acc + (size_t)(oy * w + ox) * cout;
			memcpy(a, b, sizeof(float) * (size_t)cout);
			for (int t = 0; t < 9; t++) {
				int iy, ix;
				if (!tap(oy, ox, t, h, w, &iy, &ix))
					continue;
				const float *v = in + (size_t)(iy * w + ix) * cin;
				const float *r = wt + (size_t)t * cin * cout;
				for (int ci = 0; ci < cin; ci++) {
					if (v[ci] == 0.0f)
						continue;
					for (int co = 0; co < cout; co++)
						a[co] += v[ci] * r[ci * cout + co];
				}
			}
		}
	int pw = w / 2;
	for (int y = 0; y < h / 2; y++)
		for (int x = 0; x < pw; x++)
			for (int c = 0; c < cout; c++) {
				int cand[4] = {((2 * y) * w + 2 * x) * cout + c,
					       ((2 * y) * w + 2 * x + 1) * cout + c,
					       ((2 * y + 1) * w + 2 * x) * cout + c,
					       ((2 * y + 1) * w + 2 * x + 1) * cout + c};
				int best = cand[0];
				for (int i = 1; i < 4; i++)
					if (acc[cand[i]] > acc[best])
						best = cand[i];
				arg[(y * pw + x) * cout + c] = best;
				out[(y * pw + x) * cout + c] = acc[best] > 0 ? acc[best] : 0;
			}
}

void conv_backward(const float *in, int h, int w, int cin, const float *wt, int cout,
		   const float *out, const int *arg, const float *dout, float *dacc, float *gw,
		   float *gb, float *din)
{
	memset(dacc, 0, sizeof(float) * (size_t)h * w * cout);
	int npool = (h / 2) * (w / 2) * cout;
	/* Through the pooling to its maximum, and through the ReLU where it is on. */
	for (int i = 0; i < npool; i++)
		if (out[i] > 0)
			dacc[arg[i]] += dout[i];
	if (din)
		memset(din, 0, sizeof(float) * (size_t)h * w * cin);
	for (int oy = 0; oy < h; oy++)
		for (int ox = 0; ox < w; ox++) {
			const float *d = dacc + (size_t)(oy * w + ox) * cout;
			int any = 0;
			for (int co = 0; co < cout; co++)
				any |= d[co] != 0.0f;
			if (!any)
				continue;
			for (int co = 0; co < cout; co++)
				gb[co] += d[co];
			for (int t = 0; t < 9; t++) {
				int iy, ix;
				if (!tap(oy, ox, t, h, w, &iy, &ix))
					continue;
				const float *v = in + (size_t)(iy * w + ix) * cin;
				size_t off = (size_t)t * cin * cout;
				for (int ci = 0; ci < cin; ci++) {
					float *g = gw + off + (size_t)ci * cout;
					const float *r = wt + off + (size_t)ci * cout;
					float acc = 0;
					for (int co = 0; co < cout; co++) {
						g[co] += v[ci] * d[co];
						acc += r[co] * d[co];
					}
					if (din)
						din[(iy * w + ix) * cin + ci] += acc;
				}
			}
		}
}
