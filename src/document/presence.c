/* Is there a card in the photo? The card finder (card_find.c) always
 * proposes the likeliest card-shaped region; what tells a card from a patch
 * of wall or sky that happens to have the card's shape is how sharp the
 * region's four sides are against what lies around it (a card's edge is a
 * step of tone all along; a region grown on a landscape or a face ends in a
 * ragged, soft outline), and whether its face carries print. */
#include "document/presence.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/card.h"

#define ID1_ASPECT (85.6 / 54)
#define CANDIDATES 4
/* The rectified face, 2.5 px per mm: enough to see lines of print. */
#define FACE_W 214
#define FACE_H 135
/* Measured in bench/presence (bench/README.md): see there for the figures
 * these rest on. */
#define EDGE_MIN 24.0
#define INK_MIN 0.01
#define INK_MAX 0.45
#define EDGE_OVER_TEXTURE 4.0

/* Share of the face darker than its ground (the tone a third of the pixels
 * are lighter than) by a clear step: text, portrait, emblems. */
static double ink_share(const unsigned char *face, size_t n)
{
	int hist[256] = {0};
	for (size_t i = 0; i < n; i++)
		hist[face[i]]++;
	size_t c = 0;
	int ground = 255;
	while (ground > 0 && (c += (size_t)hist[ground]) < n / 3)
		ground--;
	int step = ground / 4 > 30 ? ground / 4 : 30, dark = 0;
	for (int v = 0; v < ground - step; v++)
		dark += hist[v];
	return (double)dark / (double)n;
}

static int cmp_uc(const void *a, const void *b)
{
	return *(const unsigned char *)a - *(const unsigned char *)b;
}

/* The face's own texture: the median step of tone between points 4 px
 * (1.6 mm) apart. A card's ground is even, so its edge stands out of it;
 * noise or a checkerboard steps as much inside as at the "edge". */
static double texture(const unsigned char *face)
{
	unsigned char st[(FACE_W / 4) * (FACE_H / 4)];
	size_t n = 0;
	for (int y = 4; y + 4 < FACE_H; y += 4)
		for (int x = 4; x + 4 < FACE_W; x += 4) {
			int a = face[y * FACE_W + x], b = face[y * FACE_W + x + 4],
			    c = face[(y + 4) * FACE_W + x];
			int d = abs(a - b) > abs(a - c) ? abs(a - b) : abs(a - c);
			st[n++] = (unsigned char)d;
		}
	qsort(st, n, 1, cmp_uc);
	return n ? st[n / 2] : 0;
}

int kyc_presence_card(const struct kyc_image *img, struct kyc_presence *out)
{
	memset(out, 0, sizeof *out);
	double quads[CANDIDATES][4][2], scores[CANDIDATES];
	int n = kyc_card_find_candidates(img, ID1_ASPECT, quads, scores, CANDIDATES);
	if (n == KYC_ERR_NOTFOUND)
		return 0;
	if (n < 0)
		return n;
	unsigned char *face = malloc((size_t)FACE_W * FACE_H);
	if (!face)
		return KYC_ERR_NOMEM;
	/* The likeliest candidate that passes both tests; else the likeliest's
	 * figures are reported. */
	for (int i = 0; i < n; i++) {
		kyc_card_warp(img, (const double(*)[2])quads[i], FACE_W, FACE_H, face);
		double ink = ink_share(face, (size_t)FACE_W * FACE_H), tex = texture(face);
		int ok = scores[i] >= EDGE_MIN && scores[i] >= EDGE_OVER_TEXTURE * tex &&
			 ink >= INK_MIN && ink <= INK_MAX;
		if (i == 0 || ok) {
			out->edge = scores[i], out->ink = ink, out->texture = tex;
			memcpy(out->quad, quads[i], sizeof out->quad);
		}
		if (ok) {
			out->found = 1;
			break;
		}
	}
	free(face);
	return 0;
}
