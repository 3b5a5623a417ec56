/* bench/face rates (rates.h). */
#include "rates.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face.h"
#include "flows/face_checks.h"
#include "../lib/timing.h"

/* How many of the sorted v[0..n) are <= t (strict: < t). */
static size_t below(const double *v, size_t n, double t, int strict)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strict ? v[mid] < t : v[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static double pct(size_t k, size_t n)
{
	return n ? 100.0 * (double)k / (double)n : 0;
}

static void at_threshold(const double *gen, size_t ng, const double *imp, size_t ni, double t,
                         const char *what)
{
	size_t fm = below(imp, ni, t, 0), fn = ng - below(gen, ng, t, 0);
	/* the workflow approves under t - margin and sends the band around t
	 * to review (face_checks.h) */
	size_t g_auto = below(gen, ng, t - KYC_FACE_MATCH_MARGIN, 1),
	       i_auto = below(imp, ni, t - KYC_FACE_MATCH_MARGIN, 1);
	printf("  at the threshold %.3f (%s): FMR %.4f%% (%zu of %zu), FNMR %.2f%% (%zu of %zu); "
	       "approved without review (under %.3f): genuine %.2f%%, impostors %.4f%% (%zu)\n",
	       t, what, pct(fm, ni), fm, ni, pct(fn, ng), fn, ng, t - KYC_FACE_MATCH_MARGIN,
	       pct(g_auto, ng), pct(i_auto, ni), i_auto);
}

void bench_face_rates(double *gen, size_t ng, double *imp, size_t ni)
{
	qsort(gen, ng, sizeof *gen, bench_cmp_double);
	qsort(imp, ni, sizeof *imp, bench_cmp_double);
	/* AUC: the chance that a genuine pair is closer than an impostor pair. */
	double wins = 0;
	for (size_t g = 0, i = 0; g < ng; g++) {
		while (i < ni && imp[i] < gen[g])
			i++;
		size_t j = i;
		while (j < ni && imp[j] == gen[g])
			j++;
		wins += (double)(ni - j) + 0.5 * (double)(j - i);
	}
	printf("  ROC AUC %.4f\n", ng && ni ? wins / ((double)ng * (double)ni) : 0);
	static const double fmrs[] = {0.01, 0.001, 0.0001};
	for (int k = 0; k < 3; k++) {
		/* The largest threshold at which at most FMR of the impostors match. */
		size_t allowed = (size_t)floor(fmrs[k] * (double)ni);
		double t = allowed < ni ? imp[allowed] : 2.0;
		size_t fn = ng - below(gen, ng, t, 1);
		printf("  at FMR %g%% (threshold %.3f; %zu of %zu impostors below): FNMR %.2f%% "
		       "(%zu of %zu)%s\n",
		       fmrs[k] * 100, t, allowed, ni, pct(fn, ng), fn, ng,
		       (double)ni < ceil(1 / fmrs[k]) ? "  [too few impostor pairs for this rate]" : "");
	}
	/* the workflow's default (FaceRes's FMR 0.1 % on LFW), and any
	 * thresholds named in FACE_THRESHOLD (set on another set of photos) */
	at_threshold(gen, ng, imp, ni, KYC_FACE_WORKFLOW_THRESHOLD, "the workflow's default");
	const char *env = getenv("FACE_THRESHOLD");
	for (const char *p = env; p && *p;) {
		char *end;
		double t = strtod(p, &end);
		if (end == p)
			break;
		at_threshold(gen, ng, imp, ni, t, "FACE_THRESHOLD");
		p = *end == ',' ? end + 1 : end;
	}
	printf("  genuine distance median %.3f, largest %.3f; impostor median %.3f, smallest %.3f "
	       "%.3f %.3f\n",
	       ng ? gen[ng / 2] : 0, ng ? gen[ng - 1] : 0, ni ? imp[ni / 2] : 0, ni ? imp[0] : 0,
	       ni > 1 ? imp[1] : 0, ni > 2 ? imp[2] : 0);
}
