/* The effects of the generator's difficulty classes (docs/synth.md,
 * "Classes"): motion blur, a glare band and a hard shadow across the MRZ, a
 * stock-photo watermark over the whole picture, security print and a
 * hologram through the MRZ, fingers holding the document, and text printed
 * just above the MRZ. Each is one pass over the pixels it touches and draws
 * only from the PRNG it is given. */
#include "document/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static unsigned char clamp8(double v)
{
	return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

/* A point inside a quadrilateral at bilinear coordinates (s, t). */
static void quad_point(const double q[4][2], double s, double t, double *x, double *y)
{
	*x = (1 - t) * ((1 - s) * q[0][0] + s * q[1][0]) + t * ((1 - s) * q[3][0] + s * q[2][0]);
	*y = (1 - t) * ((1 - s) * q[0][1] + s * q[1][1]) + t * ((1 - s) * q[3][1] + s * q[2][1]);
}

/* The MRZ's direction along its text, as an angle in the image. */
static double quad_angle(const double q[4][2])
{
	return atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]);
}

int kyc_synth__motion_blur(struct kyc_synth_image *c, double len, double angle)
{
	/* A straight line kernel, rasterised: about one tap per pixel of length,
	 * each an integer shift, summed in 16 bits (at most 64 taps of 255). */
	int n = (int)ceil(len) + 1;
	if (len < 1)
		return 0;
	if (n > 64)
		n = 64;
	int dx[64], dy[64];
	for (int k = 0; k < n; k++) {
		double t = (k / (double)(n - 1) - 0.5) * len;
		dx[k] = (int)lround(t * cos(angle));
		dy[k] = (int)lround(t * sin(angle));
	}
	size_t stride = (size_t)c->w * 3;
	unsigned char *src = malloc(stride * (size_t)c->h);
	uint16_t *acc = malloc(stride * sizeof *acc);
	if (!src || !acc) {
		free(src);
		free(acc);
		return KYC_ERR_NOMEM;
	}
	memcpy(src, c->px, stride * (size_t)c->h);
	for (int y = 0; y < c->h; y++) {
		memset(acc, 0, stride * sizeof *acc);
		for (int k = 0; k < n; k++) {
			int sy = y + dy[k];
			sy = sy < 0 ? 0 : sy >= c->h ? c->h - 1 : sy;
			const unsigned char *row = src + (size_t)sy * stride;
			int x0 = dx[k] < 0 ? -dx[k] : 0, x1 = dx[k] > 0 ? c->w - dx[k] : c->w;
			for (int x = 0; x < x0 && x < c->w; x++)
				for (int ch = 0; ch < 3; ch++)
					acc[x * 3 + ch] = (uint16_t)(acc[x * 3 + ch] + row[ch]);
			for (int x = x1 < 0 ? 0 : x1; x < c->w; x++)
				for (int ch = 0; ch < 3; ch++)
					acc[x * 3 + ch] = (uint16_t)(acc[x * 3 + ch] +
					                             row[stride - 3 + (size_t)ch]);
			if (x1 > x0) {
				const unsigned char *s = row + (size_t)(x0 + dx[k]) * 3;
				uint16_t *a = acc + (size_t)x0 * 3;
				for (size_t j = 0; j < (size_t)(x1 - x0) * 3; j++)
					a[j] = (uint16_t)(a[j] + s[j]);
			}
		}
		unsigned char *o = c->px + (size_t)y * stride;
		for (size_t j = 0; j < stride; j++)
			o[j] = (unsigned char)((acc[j] + n / 2) / n);
	}
	free(src);
	free(acc);
	return 0;
}

void kyc_synth__glare_band(struct kyc_synth_image *c, struct kyc_synth__rng *r,
                           const double mrz[4][2], double pitch, double strength)
{
	/* A specular stripe of the laminate: long, a few characters wide,
	 * crossing the MRZ at a steep angle; it lifts everything towards white
	 * and leaves the ink a fraction of its contrast. */
	double cx, cy;
	quad_point(mrz, kyc_synth__rng_unif(r, 0.15, 0.85), kyc_synth__rng_unif(r, 0.2, 0.8), &cx,
	           &cy);
	double a = quad_angle(mrz) +
	           (kyc_synth__rng_int(r, 0, 1) ? 1 : -1) * kyc_synth__rng_unif(r, 0.5, 1.45);
	double nx = -sin(a), ny = cos(a); /* across the stripe */
	double w = pitch * kyc_synth__rng_unif(r, 1.2, 4.5);
	double amp = strength * kyc_synth__rng_unif(r, 0.85, 1.0);
	double ripple = kyc_synth__rng_unif(r, 0, 0.25),
	       per = pitch * kyc_synth__rng_unif(r, 8, 20);
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++) {
			double d = ((x - cx) * nx + (y - cy) * ny) / w;
			if (fabs(d) > 3)
				continue;
			double along = (x - cx) * cos(a) + (y - cy) * sin(a);
			double k = amp * exp(-d * d) * (1 - ripple + ripple * cos(along / per));
			unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
			for (int ch = 0; ch < 3; ch++)
				p[ch] = clamp8(p[ch] + (255 - p[ch]) * k);
		}
}

void kyc_synth__hard_shadow(struct kyc_synth_image *c, struct kyc_synth__rng *r,
                            const double mrz[4][2], double pitch, double depth)
{
	/* The shadow of the phone or a hand: a half-plane whose edge crosses
	 * the MRZ, soft over a few pixels to a few characters, a little blue. */
	double cx, cy;
	quad_point(mrz, kyc_synth__rng_unif(r, 0.2, 0.8), kyc_synth__rng_unif(r, 0.0, 1.0), &cx,
	           &cy);
	double a = kyc_synth__rng_unif(r, 0, 2 * M_PI), nx = cos(a), ny = sin(a);
	double soft = pitch * kyc_synth__rng_unif(r, 0.2, 2.0);
	double tint[3] = {1.0, 1.0, 1.08};
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++) {
			double t = ((x - cx) * nx + (y - cy) * ny) / soft;
			if (t < -3)
				continue;
			double k = depth * (t > 3 ? 1 : 0.5 * (1 + erf(t / 1.4)));
			unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
			for (int ch = 0; ch < 3; ch++)
				p[ch] = clamp8(p[ch] * (1 - k * (2 - tint[ch])));
		}
}

int kyc_synth__stock_watermark(struct kyc_synth_image *c, struct kyc_synth__rng *r, double pitch,
                               double alpha)
{
	/* What picture agencies put on previews: a word in large letters,
	 * repeated diagonally over the whole picture, white or grey, half
	 * transparent, sometimes with thin lines between the rows. The words
	 * are generic, no real agency's mark. */
	static const char *const words[] = {"SAMPLE",     "SPECIMEN",    "PREVIEW", "STOCK PHOTO",
	                                    "photostock", "DO NOT COPY", "VOID"};
	const char *w = words[kyc_synth__rng_int(r, 0, 6)];
	double em = pitch * kyc_synth__rng_unif(r, 1.8, 5.0);
	struct kyc_synth__mask m;
	int rc = kyc_synth__text_mask(
	    kyc_synth__rng_int(r, 0, 2) ? KYC_SYNTH__BOLD : KYC_SYNTH__SANS, em, w, 0, &m);
	if (rc)
		return rc;
	double a = kyc_synth__rng_unif(r, -0.6, 0.6), ca = cos(a), sa = sin(a);
	double tw = m.w * kyc_synth__rng_unif(r, 1.15, 1.8),
	       th = m.h * kyc_synth__rng_unif(r, 1.6, 3.5);
	double stagger = kyc_synth__rng_unif(r, 0, 0.5) * tw;
	int white = kyc_synth__rng_int(r, 0, 2) != 0, lines = kyc_synth__rng_int(r, 0, 2) == 0;
	double col = white ? 255 : kyc_synth__rng_unif(r, 40, 120);
	double al = white ? alpha : alpha * 0.6;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++) {
			/* Into the tile frame: turned back by a, wrapped. */
			double u = x * ca + y * sa, v = -x * sa + y * ca + 1e5;
			double row = floor(v / th);
			u += row * stagger + 1e5;
			double tu = fmod(u, tw), tv = v - row * th;
			double k = 0;
			int mx = (int)tu, my = (int)tv;
			if (mx < m.w && my < m.h)
				k = m.px[(size_t)my * (size_t)m.w + (size_t)mx] / 255.0;
			if (lines && fabs(tv - th * 0.8) < 0.6)
				k = fmax(k, 0.6);
			if (k <= 0)
				continue;
			unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
			for (int ch = 0; ch < 3; ch++)
				p[ch] = clamp8(p[ch] + (col - p[ch]) * k * al);
		}
	free(m.px);
	return 0;
}

/* Multiplies the pixel by a colour (print under ink: paper takes the colour,
 * ink stays nearly as dark). */
static void multiply(unsigned char *p, const double col[3], double a)
{
	for (int ch = 0; ch < 3; ch++)
		p[ch] = clamp8(p[ch] * (1 - a * (1 - col[ch] / 255)));
}

void kyc_synth__security_print(struct kyc_synth_image *doc, struct kyc_synth__rng *r,
                               const double box[4], double u, double strength)
{
	/* Fine guilloche waves in a saturated colour through the MRZ, as on
	 * many cards and visas: dense, line widths under a character stroke. */
	static const double cols[4][3] = {
	    {230, 90, 150}, {80, 130, 220}, {70, 170, 110}, {235, 150, 60}};
	const double *col = cols[kyc_synth__rng_int(r, 0, 3)];
	double gap = kyc_synth__rng_unif(r, 0.5, 1.2) * u,
	       lw = kyc_synth__rng_unif(r, 0.12, 0.3) * u;
	double per = kyc_synth__rng_unif(r, 4, 12) * u, amp = kyc_synth__rng_unif(r, 0.5, 2.5) * u;
	double per2 = kyc_synth__rng_unif(r, 15, 40) * u;
	int y0 = (int)fmax(0, box[1] - 3 * u), y1 = (int)fmin(doc->h, box[3] + 3 * u);
	for (int y = y0; y < y1; y++)
		for (int x = 0; x < doc->w; x++) {
			double off =
			    amp * sin(2 * M_PI * x / per) + 0.5 * amp * sin(2 * M_PI * x / per2);
			/* Two families crossing, as guilloche does. */
			double d1 = fmod(y + off + 1e4 * gap, gap),
			       d2 = fmod(y - off + 1e4 * gap, gap);
			d1 = fmin(d1, gap - d1), d2 = fmin(d2, gap - d2);
			double k = fmax(fmax(0, 1 - d1 / lw), 0.7 * fmax(0, 1 - d2 / lw));
			if (k > 0)
				multiply(doc->px + ((size_t)y * (size_t)doc->w + (size_t)x) * 3,
				         col, strength * fmin(1, k));
		}
}

/* Hue (0..1) to a bright RGB. */
static void rainbow(double h, double out[3])
{
	for (int ch = 0; ch < 3; ch++)
		out[ch] = 150 + 105 * cos(2 * M_PI * (h - ch / 3.0));
}

void kyc_synth__hologram(struct kyc_synth_image *doc, struct kyc_synth__rng *r, const double box[4],
                         double u, double strength)
{
	/* An iridescent foil over part of the MRZ: hue bands that shift with
	 * position, a pattern of rings, and a sheen. It lightens the ink it
	 * covers, so characters under it lose contrast. */
	double bw = box[2] - box[0], bh = box[3] - box[1];
	double cx = box[0] + kyc_synth__rng_unif(r, 0.1, 0.9) * bw;
	double cy = box[1] + kyc_synth__rng_unif(r, 0.2, 0.8) * bh;
	double rx = kyc_synth__rng_unif(r, 0.15, 0.35) * bw,
	       ry = kyc_synth__rng_unif(r, 0.5, 1.0) * bh;
	double hp = kyc_synth__rng_unif(r, 3, 9) * u, ring = kyc_synth__rng_unif(r, 1.0, 2.5) * u;
	double ha = kyc_synth__rng_unif(r, 0, M_PI), h0 = kyc_synth__rng_unif(r, 0, 1);
	for (int y = (int)fmax(0, cy - ry); y < (int)fmin(doc->h, cy + ry); y++)
		for (int x = (int)fmax(0, cx - rx); x < (int)fmin(doc->w, cx + rx); x++) {
			double dx = (x - cx) / rx, dy = (y - cy) / ry, q = dx * dx + dy * dy;
			if (q >= 1)
				continue;
			double edge = fmin(1, (1 - q) * 6); /* soft rim */
			double hue = h0 + (x * cos(ha) + y * sin(ha)) / hp;
			double rings = 0.5 + 0.5 * cos(2 * M_PI * hypot(x - cx, y - cy) / ring);
			double col[3];
			rainbow(hue, col);
			double a = strength * edge * (0.6 + 0.4 * rings);
			unsigned char *p = doc->px + ((size_t)y * (size_t)doc->w + (size_t)x) * 3;
			for (int ch = 0; ch < 3; ch++)
				p[ch] = clamp8(p[ch] + (col[ch] - p[ch]) * a);
		}
}

/* Distance from (x, y) to the segment a-b. */
static double seg_dist(double x, double y, double ax, double ay, double bx, double by)
{
	double vx = bx - ax, vy = by - ay, l2 = vx * vx + vy * vy;
	double t = l2 > 0 ? ((x - ax) * vx + (y - ay) * vy) / l2 : 0;
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return hypot(x - ax - t * vx, y - ay - t * vy);
}

void kyc_synth__fingers(struct kyc_synth_image *c, struct kyc_synth__rng *r,
                        const double quad[4][2], const double mrz[4][2])
{
	/* A thumb or two holding the document at an edge: capsules in a skin
	 * tone, shaded towards their sides, with a paler nail at the tip. They
	 * come from outside the document and stop short of the MRZ. */
	double side = hypot(quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]);
	double mcx = 0, mcy = 0, mr = 0;
	for (int i = 0; i < 4; i++)
		mcx += mrz[i][0] / 4, mcy += mrz[i][1] / 4;
	for (int i = 0; i < 4; i++)
		mr = fmax(mr, hypot(mrz[i][0] - mcx, mrz[i][1] - mcy));
	int n = kyc_synth__rng_int(r, 1, 2);
	static const double skins[4][3] = {
	    {224, 172, 140}, {198, 134, 96}, {141, 85, 58}, {236, 192, 160}};
	const double *skin = skins[kyc_synth__rng_int(r, 0, 3)];
	for (int f = 0; f < n; f++) {
		int e = kyc_synth__rng_int(r, 0, 3); /* which edge: corners e and e+1 */
		double t = kyc_synth__rng_unif(r, 0.15, 0.85);
		double ex = quad[e][0] + t * (quad[(e + 1) % 4][0] - quad[e][0]);
		double ey = quad[e][1] + t * (quad[(e + 1) % 4][1] - quad[e][1]);
		double qcx = (quad[0][0] + quad[2][0]) / 2, qcy = (quad[0][1] + quad[2][1]) / 2;
		double dir = atan2(qcy - ey, qcx - ex) + kyc_synth__rng_unif(r, -0.35, 0.35);
		double wid = side * kyc_synth__rng_unif(r, 0.07, 0.11);
		double in = side * kyc_synth__rng_unif(r, 0.04, 0.14);
		double tx = ex + cos(dir) * in, ty = ey + sin(dir) * in;
		/* Shorten until the finger clears the MRZ (its circumscribed disc
		 * is too coarse). Points a character or so apart along the top,
		 * middle and bottom of the zone: nine points let a thumb lie
		 * between them, over several characters. */
		for (int k = 0; k < 120; k++) {
			int hit = 0;
			for (int i = 0; i < 3 * 49 && !hit; i++) {
				double px, py;
				quad_point(mrz, (i % 49) / 48.0, (i / 49) / 2.0, &px, &py);
				hit = seg_dist(px, py, tx, ty, ex - cos(dir) * 4 * side,
				               ey - sin(dir) * 4 * side) < wid * 0.5 + mr * 0.1;
			}
			if (!hit)
				break;
			tx -= cos(dir) * in * 0.1, ty -= sin(dir) * in * 0.1;
		}
		double bx = tx - cos(dir) * 4 * side, by = ty - sin(dir) * 4 * side;
		double nx = tx - cos(dir) * wid * 0.35, ny = ty - sin(dir) * wid * 0.35;
		int x0 = 0, x1 = c->w, y0 = 0, y1 = c->h;
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++) {
				double d = seg_dist(x + 0.5, y + 0.5, tx, ty, bx, by);
				double rr = wid / 2;
				if (d > rr + 1)
					continue;
				double cov = fmin(1, rr + 0.5 - d);
				double shade = 1 - 0.35 * pow(d / rr, 3);
				double col[3];
				for (int ch = 0; ch < 3; ch++)
					col[ch] = skin[ch] * shade;
				if (hypot(x - nx, y - ny) < wid * 0.28)
					for (int ch = 0; ch < 3; ch++)
						col[ch] = col[ch] * 0.7 + 255 * 0.3;
				unsigned char *p =
				    c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
				for (int ch = 0; ch < 3; ch++)
					p[ch] = clamp8(p[ch] + (col[ch] - p[ch]) * cov);
			}
	}
}

int kyc_synth__text_near_mrz(struct kyc_synth_image *doc, struct kyc_synth__rng *r,
                             const double box[4], double u)
{
	/* A line of capitals or digits printed just above the MRZ (issuers put
	 * card numbers, notes and barcodes' text there), sometimes in OCR-B. */
	static const char *const texts[] = {"REPUBLIC OF UTOPIA",          "CARD NO 4417 0213 8890",
	                                    "VALID FOR TRAVEL ABROAD",     "CAN 204918",
	                                    "NOT VALID WITHOUT SIGNATURE", "IDUTO 1204159 0042"};
	char s[80];
	snprintf(s, sizeof s, "%s", texts[kyc_synth__rng_int(r, 0, 5)]);
	int font = kyc_synth__rng_int(r, 0, 2) == 0 ? KYC_SYNTH__OCRB
	           : kyc_synth__rng_int(r, 0, 1)    ? KYC_SYNTH__BOLD
	                                            : KYC_SYNTH__SANS;
	double cap = kyc_synth__rng_unif(r, 1.6, 2.6) * u;
	struct kyc_synth__mask m;
	int rc = kyc_synth__text_mask(font, cap / 0.73, s, 0, &m);
	if (rc)
		return rc;
	double gap = kyc_synth__rng_unif(r, 0.6, 2.0) * u;
	int x = (int)(box[0] + kyc_synth__rng_unif(r, 0, 0.5) * fmax(0, box[2] - box[0] - m.w));
	/* The mask's cap line sits about 0.2 em below its top. */
	int y = (int)(box[1] - gap - m.h * 0.85);
	unsigned char ink[3] = {20, 20, 30};
	if (kyc_synth__rng_int(r, 0, 2) == 0)
		ink[0] = 20, ink[1] = 40, ink[2] = 110;
	kyc_synth__blit_mask(doc, &m, x, y, ink, kyc_synth__rng_unif(r, 0.8, 1.0));
	free(m.px);
	return 0;
}

int kyc_synth__second_document(struct kyc_synth_image *c, struct kyc_synth__rng *r, uint64_t seed,
                               int index, const double quad[4][2])
{
	/* Another card or page lying on the desk beside or under the document,
	 * shown down to just above its MRZ: the machine-readable zone of the
	 * picture stays the one of the truth. */
	struct kyc_synth_identity id;
	struct kyc_synth_image d = {0};
	double box[4][4];
	int rc = kyc_synth_identity(seed ^ 0x5ec0d0c5ULL, index, KYC_SYNTH_MIXED, &id);
	if (rc)
		return rc;
	double wmm, hmm;
	kyc_synth__doc_size_mm(id.format, &wmm, &hmm);
	double side = hypot(quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]);
	double u = side / wmm * kyc_synth__rng_unif(r, 0.6, 1.0);
	if (u < 1)
		u = 1;
	rc = kyc_synth__draw_document(&id, u, r, &d, box);
	if (rc)
		return rc;
	int keep = (int)(box[0][1] - kyc_synth__rng_unif(r, 2, 6) * u);
	if (keep < d.h / 3)
		keep = d.h / 3;
	d.h = keep; /* the rows below are left unused */
	double cx = kyc_synth__rng_unif(r, 0, 1) * c->w, cy = kyc_synth__rng_unif(r, 0, 1) * c->h;
	double a = kyc_synth__rng_unif(r, -0.8, 0.8), ca = cos(a), sa = sin(a);
	double src[4][2] = {{0, 0}, {d.w, 0}, {d.w, d.h}, {0, d.h}}, dst[4][2], hinv[9];
	for (int i = 0; i < 4; i++) {
		double x = src[i][0] - d.w / 2.0, y = src[i][1] - d.h / 2.0;
		dst[i][0] = cx + x * ca - y * sa, dst[i][1] = cy + x * sa + y * ca;
	}
	if (kyc_synth__homography(dst, src, hinv) == 0) {
		double soft = 0.015 * c->w;
		kyc_synth__composite(c, &d, hinv, dst, 3 * u, 0.3 * soft, 0.6 * soft, soft);
	}
	free(d.px);
	return 0;
}
