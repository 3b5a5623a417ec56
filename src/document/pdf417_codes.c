/* PDF417's codeword table, read back from zxing's encoder
 * (pdf417_codes.h). */
#include "document/pdf417_codes.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/barcode.h"
#include "document/pdf417_rs.h"

#define NV 929
#define CHUNKS 20      /* 44-digit groups a symbol: 2 + 15 x 20 data codewords */
#define ECC 8          /* 512 check codewords: the values 900-928 come from them */
#define MAX_SYMBOLS 64 /* the read-back gives up there, what it has kept */
#define LATCH_NUMERIC 902
#define PAD 900

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int state = KYC_ERR_INTERNAL, known;
static unsigned pat[3][NV];
static int16_t val_of[1 << 17]; /* value + 1, 0 unknown */

/* The cluster of a pattern: its bars' widths b1 - b2 + b3 - b4 mod 9, over
 * 3. -1 when it is not 17 modules of four bars and four spaces. */
static int cluster_of(unsigned bits)
{
	int el[8], n = 0, prev = -1;
	for (int i = 16; i >= 0; i--) {
		int b = (bits >> i) & 1;
		if (b != prev) {
			if (n == 8)
				return -1;
			el[n++] = 0, prev = b;
		}
		el[n - 1]++;
	}
	if (n != 8 || !((bits >> 16) & 1))
		return -1;
	int k = (el[0] - el[2] + el[4] - el[6] + 18) % 9;
	return k % 3 ? -1 : k / 3;
}

/* Records value v drawn as bits in a row of cluster k; -1 on a clash. */
static int learn(int k, int v, unsigned bits)
{
	if (v < 0 || v >= NV || cluster_of(bits) != k)
		return -1;
	if (pat[k][v] && pat[k][v] != bits)
		return -1;
	if (val_of[bits] && val_of[bits] != v + 1)
		return -1;
	if (!pat[k][v])
		known++;
	pat[k][v] = bits, val_of[bits] = (int16_t)(v + 1);
	return 0;
}

static uint64_t rng = 0x9DF417ULL;

static int rnd(int n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (int)((rng >> 33) % (uint64_t)n);
}

/* A value for a slot of cluster k in lo..hi, one not yet met if any. */
static int pick(int k, int lo, int hi)
{
	int start = lo + rnd(hi - lo + 1);
	for (int i = 0; i <= hi - lo; i++) {
		int v = lo + (start - lo + i) % (hi - lo + 1);
		if (!pat[k][v])
			return v;
	}
	return start;
}

/* The 44 digits whose "1"-prefixed number has the base-900 digits
 * cw[0..15) (numeric compaction, the first one in 438..873 so that the
 * number has 45 digits starting with 1). */
static void digits_of(const int *cw, char *out)
{
	int a[15], d[45];
	memcpy(a, cw, sizeof a);
	for (int i = 0; i < 45; i++) {
		int rem = 0;
		for (int j = 0; j < 15; j++) {
			int cur = rem * 900 + a[j];
			a[j] = cur / 10, rem = cur % 10;
		}
		d[i] = rem;
	}
	for (int i = 0; i < 44; i++)
		out[i] = (char)('0' + d[43 - i]);
}

/* The 17 modules at codeword column j of row r of the drawn symbol. */
static unsigned bits_at(const unsigned char *m, int w, int r, int j)
{
	unsigned b = 0;
	for (int x = 0; x < 17; x++)
		b = b << 1 | (m[(size_t)(4 * r + 1) * (size_t)w + (size_t)(17 * (j + 2) + x)] & 1);
	return b;
}

/* One symbol of chosen codewords, drawn by zxing and read back. */
static int one_symbol(int c, int R, int *cw, char *text)
{
	int n = c * R, k = 2 << ECC, nd = 2 + 15 * CHUNKS;
	for (int ch = 0; ch < CHUNKS; ch++) {
		for (int i = 0; i < 15; i++) {
			int idx = 2 + 15 * ch + i, cl = idx / c % 3;
			cw[idx] = i ? pick(cl, 0, 899) : pick(cl, 438, 873);
		}
		digits_of(cw + 2 + 15 * ch, text + 44 * ch);
	}
	cw[0] = n - k, cw[1] = LATCH_NUMERIC;
	for (int i = nd; i < n - k; i++)
		cw[i] = PAD;
	if (kyc_pdf417_rs_encode(cw, n, k))
		return KYC_ERR_INTERNAL;
	unsigned char *m = NULL;
	int w, h;
	int rc = kyc_barcode_encode(KYC_BARCODE_PDF417, (const unsigned char *)text,
	                            (size_t)(44 * CHUNKS), ECC, &m, &w, &h);
	if (rc)
		return rc == KYC_ERR_NOMEM ? rc : KYC_ERR_INTERNAL;
	rc = w == 17 * (c + 4) + 1 && h == 4 * R ? 0 : KYC_ERR_INTERNAL;
	/* every codeword, the check codewords too, where we put it */
	for (int i = 0; i < n && !rc; i++)
		if (learn(i / c % 3, cw[i], bits_at(m, w, i / c, i % c)))
			rc = KYC_ERR_INTERNAL;
	free(m);
	return rc;
}

static void build(void)
{
	int *cw = malloc(KYC_PDF417_RS_MAX_N * sizeof *cw);
	char *text = malloc(44 * CHUNKS);
	unsigned char *m = NULL;
	int w = 0, h = 0, rc = cw && text ? 0 : KYC_ERR_NOMEM;
	/* the symbol's shape for this many codewords, from any digits */
	if (!rc) {
		memset(text, '1', 44 * CHUNKS);
		rc = kyc_barcode_encode(KYC_BARCODE_PDF417, (const unsigned char *)text,
		                        (size_t)(44 * CHUNKS), ECC, &m, &w, &h);
	}
	int c = (w - 1) / 17 - 4, R = h / 4;
	if (!rc && (c < 1 || w != 17 * (c + 4) + 1 || h % 4 || c * R > KYC_PDF417_RS_MAX_N ||
	            c * R < 2 + 15 * CHUNKS + (2 << ECC)))
		rc = KYC_ERR_INTERNAL;
	for (int s = 0; s < MAX_SYMBOLS && !rc && known < 3 * NV; s++)
		rc = one_symbol(c, R, cw, text);
	/* the data codewords must all be there: 900-928 may miss a few */
	for (int k = 0; k < 3 && !rc; k++)
		for (int v = 0; v < 900; v++)
			if (!pat[k][v])
				rc = KYC_ERR_INTERNAL;
	if (rc) {
		memset(pat, 0, sizeof pat);
		memset(val_of, 0, sizeof val_of);
		known = 0;
	}
	state = rc;
	free(m);
	free(cw);
	free(text);
}

int kyc_pdf417_codes_ready(void)
{
	pthread_once(&once, build);
	return state;
}

int kyc_pdf417_codeword(unsigned bits)
{
	if (kyc_pdf417_codes_ready() || bits >= 1u << 17)
		return -1;
	return val_of[bits] - 1;
}

unsigned kyc_pdf417_pattern(int k, int v)
{
	if (kyc_pdf417_codes_ready() || k < 0 || k > 2 || v < 0 || v >= NV)
		return 0;
	return pat[k][v];
}

int kyc_pdf417_codes_known(void)
{
	return kyc_pdf417_codes_ready() ? 0 : known;
}
