/* Lines walked past their count cut to it at one end (reader_trim.h). */
#include <math.h>

#include "document/reader.h"
#include "document/reader_trim.h"

/* Runs dropped at most, as a share of the count: a line's worth of print
 * beyond the MRZ would leave which stretch is the MRZ unknown. */
#define TRIM_MAX_SHARE 0.5

int kyc_reader__over_count(const int *nx, const double *e, int lines, int n)
{
	for (int i = 0; i < lines; i++)
		if (e[i] < 0.4 || nx[i] <= n)
			return 0;
	return 1;
}

/* Line i's runs with the fewest dropped at the left (side 0) or the right
 * (side 1) that fit n cells: its misfit (9 when none does) and grid in *L,
 * *cells. */
static double trim_line(const double *x, const double *w, int nx, double step, int n, int side,
                        struct kyc_reader__line *L, int *cells)
{
	int most = (int)(TRIM_MAX_SHARE * n);
	for (int k = 1; k <= most && nx - k >= n / 2; k++) {
		const double *tx = side ? x : x + k, *tw = side ? w : w + k;
		int m = nx - k;
		double r = kyc_reader__walk_fit(tx, tw, m, step, n, 0, L, cells);
		if (r < 0.4) {
			L->left = (int)(tx[0] - tw[0] / 2);
			L->right = (int)(tx[m - 1] + tw[m - 1] / 2 + 0.5);
			return r;
		}
	}
	return 9;
}

/* Whether lines [0, lines) start and end within half a pitch of line 0. */
static int same_margins(const struct kyc_reader__line *L, int lines, int n)
{
	for (int i = 1; i < lines; i++)
		if (fabs(kyc_reader__cell_x(&L[i], 0) - kyc_reader__cell_x(&L[0], 0)) >
		        0.5 * kyc_reader__cell_pitch(&L[0], 0) ||
		    fabs(kyc_reader__cell_x(&L[i], n - 1) - kyc_reader__cell_x(&L[0], n - 1)) >
		        0.5 * kyc_reader__cell_pitch(&L[0], n - 1))
			return 0;
	return 1;
}

void kyc_reader__trim_to_count(const double *xs, const double *ws, int stride, const int *nx,
                               const double *step, int lines, int n, int side, double *e,
                               struct kyc_reader__line *tl, int *tc)
{
	if (lines < 2 || lines > KYC_READER_MAX_LINES || !kyc_reader__over_count(nx, e, lines, n))
		return;
	struct kyc_reader__line L[KYC_READER_MAX_LINES];
	double r[KYC_READER_MAX_LINES];
	int cells[KYC_READER_MAX_LINES];
	for (int i = 0; i < lines; i++) {
		L[i] = tl[i];
		r[i] = trim_line(xs + (size_t)stride * i, ws + (size_t)stride * i, nx[i], step[i],
		                 n, side, &L[i], &cells[i]);
		if (r[i] >= 0.4)
			return;
	}
	if (!same_margins(L, lines, n))
		return;
	for (int i = 0; i < lines; i++) {
		L[i].top = tl[i].top;
		L[i].bot = tl[i].bot;
		tl[i] = L[i];
		tc[i] = cells[i];
		e[i] = r[i] + 0.1;
	}
}
