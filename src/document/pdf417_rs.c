/* PDF417's Reed-Solomon code over GF(929), errors and erasures
 * (pdf417_rs.h). */
#include "document/pdf417_rs.h"

#include <string.h>

#include "core/err.h"

#define Q 929

static int mul(int a, int b)
{
	return (int)((long)a * b % Q);
}

static int pw(int a, int e)
{
	int r = 1;
	for (a %= Q; e > 0; e >>= 1, a = mul(a, a))
		if (e & 1)
			r = mul(r, a);
	return r;
}

/* The field is the integers mod a prime: a^(Q - 2) is a's inverse. */
static int inv(int a)
{
	return pw(a, Q - 2);
}

/* p(x) at x, p[0..deg] lowest degree first. */
static int eval_low(const int *p, int deg, int x)
{
	int v = 0;
	for (int i = deg; i >= 0; i--)
		v = (mul(v, x) + p[i]) % Q;
	return v;
}

static int args_ok(const int *c, int n, int k)
{
	if (!c || k < 1 || k > KYC_PDF417_RS_MAX_K || n <= k || n > KYC_PDF417_RS_MAX_N)
		return 0;
	for (int i = 0; i < n; i++)
		if (c[i] < 0 || c[i] >= Q)
			return 0;
	return 1;
}

/* S[1..k] = c(3^j), c[0] the highest degree; returns 1 if all are zero. */
static int syndromes(const int *c, int n, int k, int *S)
{
	int zero = 1;
	for (int j = 1; j <= k; j++) {
		int a = pw(3, j), v = 0;
		for (int i = 0; i < n; i++)
			v = (mul(v, a) + c[i]) % Q;
		S[j] = v;
		zero &= v == 0;
	}
	return zero;
}

int kyc_pdf417_rs_encode(int *c, int n, int k)
{
	if (!c || k < 1 || k > KYC_PDF417_RS_MAX_K || n <= k || n > KYC_PDF417_RS_MAX_N)
		return KYC_ERR_INVALID;
	for (int i = 0; i < n - k; i++)
		if (c[i] < 0 || c[i] >= Q)
			return KYC_ERR_INVALID;
	/* g(x), highest degree first, monic */
	int g[KYC_PDF417_RS_MAX_K + 1] = {1}, w[KYC_PDF417_RS_MAX_N];
	for (int j = 1; j <= k; j++) {
		int r = pw(3, j);
		for (int i = j; i >= 1; i--)
			g[i] = (g[i] + Q - mul(g[i - 1], r)) % Q;
	}
	memcpy(w, c, (size_t)(n - k) * sizeof *w);
	memset(w + n - k, 0, (size_t)k * sizeof *w);
	for (int i = 0; i < n - k; i++) {
		int q = w[i];
		if (q)
			for (int j = 1; j <= k; j++)
				w[i + j] = (w[i + j] + Q - mul(q, g[j])) % Q;
	}
	/* d(x) x^k minus its remainder is divisible by g */
	for (int i = n - k; i < n; i++)
		c[i] = (Q - w[i]) % Q;
	return 0;
}

int kyc_pdf417_rs_check(const int *c, int n, int k)
{
	int S[KYC_PDF417_RS_MAX_K + 1];
	return args_ok(c, n, k) && syndromes(c, n, k, S);
}

int kyc_pdf417_rs_decode(int *c, int n, int k, const int *erasures, int f, int slack)
{
	if (!args_ok(c, n, k) || f < 0 || f > k || (f && !erasures) || slack < 0)
		return KYC_ERR_INVALID;
	for (int i = 0; i < f; i++) {
		if (erasures[i] < 0 || erasures[i] >= n)
			return KYC_ERR_INVALID;
		for (int j = 0; j < i; j++)
			if (erasures[j] == erasures[i])
				return KYC_ERR_INVALID;
	}
	if (f > k - slack)
		return KYC_ERR_NOTFOUND;
	int S[KYC_PDF417_RS_MAX_K + 1];
	if (syndromes(c, n, k, S))
		return 0;
	/* polynomials lowest degree first, degree <= k */
	int lam[KYC_PDF417_RS_MAX_K + 2] = {1}, B[KYC_PDF417_RS_MAX_K + 2],
	                              T[KYC_PDF417_RS_MAX_K + 2];
	/* the erasures' locator: the product of (1 - X x), X = 3^degree */
	for (int i = 0; i < f; i++) {
		int X = pw(3, n - 1 - erasures[i]);
		for (int d = i + 1; d >= 1; d--)
			lam[d] = (lam[d] + Q - mul(X, lam[d - 1])) % Q;
	}
	memcpy(B, lam, sizeof B);
	int L = f;
	/* Berlekamp-Massey started from the erasures' locator (Blahut) */
	for (int r = f + 1; r <= k; r++) {
		int delta = 0;
		for (int j = 0; j <= k && j <= r - 1; j++)
			delta = (delta + mul(lam[j], S[r - j])) % Q;
		if (delta == 0) {
			memmove(B + 1, B, (size_t)(k + 1) * sizeof *B), B[0] = 0;
			continue;
		}
		for (int j = 0; j <= k + 1; j++)
			T[j] = (lam[j] + Q - (j ? mul(delta, B[j - 1]) : 0)) % Q;
		if (2 * L <= r + f - 1) {
			int di = inv(delta);
			for (int j = 0; j <= k + 1; j++)
				B[j] = mul(di, lam[j]);
			L = r + f - L;
		} else {
			memmove(B + 1, B, (size_t)(k + 1) * sizeof *B), B[0] = 0;
		}
		memcpy(lam, T, sizeof T);
	}
	int deg = k + 1;
	while (deg > 0 && lam[deg] == 0)
		deg--;
	int e = L - f;
	if (deg != L || e < 0 || 2 * e + f > k - slack)
		return KYC_ERR_NOTFOUND;
	/* its roots (Chien): one at X^-1 for every position in error */
	int pos[KYC_PDF417_RS_MAX_K + 1], np = 0;
	for (int p = 0; p < n && np <= L; p++)
		if (eval_low(lam, deg, inv(pw(3, n - 1 - p))) == 0) {
			if (np == L)
				return KYC_ERR_NOTFOUND;
			pos[np++] = p;
		}
	if (np != L)
		return KYC_ERR_NOTFOUND;
	/* Forney: the value at X is -Omega(X^-1) / Lambda'(X^-1), with
	 * Omega = S Lambda mod x^k, S(x) = S_1 + S_2 x + ... */
	int om[KYC_PDF417_RS_MAX_K], dl[KYC_PDF417_RS_MAX_K + 1], fix[KYC_PDF417_RS_MAX_K + 1];
	for (int i = 0; i < k; i++) {
		om[i] = 0;
		for (int j = 0; j <= i && j <= deg; j++)
			om[i] = (om[i] + mul(lam[j], S[i - j + 1])) % Q;
	}
	for (int j = 1; j <= deg; j++)
		dl[j - 1] = mul(j % Q, lam[j]);
	for (int i = 0; i < np; i++) {
		int xi = inv(pw(3, n - 1 - pos[i])), d = eval_low(dl, deg - 1, xi);
		if (d == 0)
			return KYC_ERR_NOTFOUND;
		fix[i] = mul(Q - eval_low(om, k - 1, xi), inv(d));
	}
	int saved[KYC_PDF417_RS_MAX_K + 1], changed = 0;
	for (int i = 0; i < np; i++) {
		saved[i] = c[pos[i]];
		c[pos[i]] = (c[pos[i]] + Q - fix[i]) % Q;
		changed += c[pos[i]] != saved[i];
	}
	/* the answer must be a codeword; otherwise leave c as it came */
	if (!syndromes(c, n, k, S)) {
		for (int i = 0; i < np; i++)
			c[pos[i]] = saved[i];
		return KYC_ERR_NOTFOUND;
	}
	return changed;
}
