/* Max and min filters by doubling: the extreme over 2^(a+1) pixels is the
 * extreme of two overlapping spans of 2^a, so a window of k = 2r+1 takes
 * ceil(log2 k) + 1 elementwise passes over a padded copy, each one a loop
 * over whole rows that works 16 bytes at a time. */
#include "document/morph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef unsigned char v16 __attribute__((vector_size(16)));

/* d[i] = max or min of a[i] and b[i], i < n. d may equal a (in place, with b
 * ahead of a): each chunk is loaded before it is stored. */
static void pairwise(unsigned char *d, const unsigned char *a, const unsigned char *b, size_t n,
		     int want_max)
{
	size_t i = 0;
#ifdef __SSE2__
	/* one instruction a chunk where the machine has it (every x86-64) */
	if (want_max)
		for (; i + 16 <= n; i += 16)
			_mm_storeu_si128((__m128i *)(d + i),
					 _mm_max_epu8(_mm_loadu_si128((const __m128i *)(a + i)),
						      _mm_loadu_si128((const __m128i *)(b + i))));
	else
		for (; i + 16 <= n; i += 16)
			_mm_storeu_si128((__m128i *)(d + i),
					 _mm_min_epu8(_mm_loadu_si128((const __m128i *)(a + i)),
						      _mm_loadu_si128((const __m128i *)(b + i))));
#endif
	for (; i + 16 <= n; i += 16) {
		v16 x, y;
		memcpy(&x, a + i, 16);
		memcpy(&y, b + i, 16);
		v16 gt = (v16)(x > y);
		v16 m = want_max ? gt : ~gt;
		v16 r = (x & m) | (y & ~m);
		memcpy(d + i, &r, 16);
	}
	for (; i < n; i++)
		d[i] = want_max ? (a[i] > b[i] ? a[i] : b[i]) : (a[i] < b[i] ? a[i] : b[i]);
}

/* In place over a buffer of n units of `unit` bytes (pixels of one row, or
 * whole rows): p[i] becomes the extreme of p[i .. i+k-1], for i <= n-k. */
static void window(unsigned char *p, size_t n, size_t unit, int k, int want_max)
{
	int span = 1;
	while (2 * span <= k) {
		pairwise(p, p, p + span * unit, (n - span) * unit, want_max);
		span *= 2;
	}
	if (span < k) /* two overlapping spans cover the window */
		pairwise(p, p, p + (k - span) * unit, (n - (k - span)) * unit, want_max);
}

/* dst (w×h) = the extreme of src over (2r+1)² windows, clipped at the
 * borders: padding with the neutral value is the same as clipping. pad is
 * (w + 2r) × (h + 2r) scratch. */
static void extreme(const unsigned char *src, int w, int h, int r, int want_max,
		    unsigned char *pad, unsigned char *dst)
{
	unsigned char neutral = want_max ? 0 : 255;
	size_t pw = (size_t)w + 2 * r, ph = (size_t)h + 2 * r;
	int k = 2 * r + 1;
	/* only the margins need the neutral value: the rest is src */
	memset(pad, neutral, pw * r);
	memset(pad + (size_t)(h + r) * pw, neutral, pw * r);
	for (int y = 0; y < h; y++) {
		unsigned char *row = pad + (size_t)(y + r) * pw;
		memset(row, neutral, (size_t)r);
		memcpy(row + r, src + (size_t)y * w, (size_t)w);
		memset(row + r + w, neutral, (size_t)r);
	}
	window(pad, ph, pw, k, want_max); /* along columns: rows at a time */
	for (int y = 0; y < h; y++) {     /* then along each row */
		unsigned char *row = pad + (size_t)y * pw;
		window(row, pw, 1, k, want_max);
		memcpy(dst + (size_t)y * w, row, (size_t)w);
	}
}

int kyc_morph_closing(const unsigned char *src, int w, int h, int r, unsigned char *out)
{
	if (!src || !out || w < 1 || h < 1 || r < 0 || r > 255 || (size_t)w * h > (1u << 28))
		return KYC_ERR_INVALID;
	unsigned char *pad = malloc(((size_t)w + 2 * r) * ((size_t)h + 2 * r));
	unsigned char *mid = malloc((size_t)w * h);
	if (!pad || !mid) {
		free(pad);
		free(mid);
		return KYC_ERR_NOMEM;
	}
	extreme(src, w, h, r, 1, pad, mid);
	extreme(mid, w, h, r, 0, pad, out);
	free(pad);
	free(mid);
	return 0;
}
