/* Located lines joined from pieces (kyc_reader__join_pieces, docs/reader.md
 * step 14, "A line cut in pieces") and the chain of lines grown the other
 * way (step 8): constructed candidates for the join's geometry, and two
 * level-2 photos of development seeds 9100 and 9101 (bench/README.md, "Issue
 * 11: level-2 misses seen as pictures") that the reader missed before, one
 * for each: a glare band cutting every MRZ line in two, and an MRZ under a
 * paper whose closely printed lines took the place of its second line; and
 * two glare photos of the same seeds laid out right and refused for a single
 * washed-out digit (bench/README.md, "Issue 11: location and layout misses
 * (branch rd15b)"); and two of development seed 9102 read since branch rd17a
 * (bench/README.md, "Issue 11: location misses on four development seeds"). */
#include <math.h>
#include <stdint.h>

#include "core/err.h"
#include "document/reader.h"
#include "synth_read.h"
#include "test.h"

/* A piece of the line through (100, 200) at angle a, from s0 to s1 along
 * it and off across it, thick th. */
static struct kyc_reader__cand piece(double a, double s0, double s1, double off, double th)
{
	double ux = cos(a), uy = sin(a), m = (s0 + s1) / 2;
	return (struct kyc_reader__cand){.cx = 100 + m * ux - off * uy,
	                                 .cy = 200 + m * uy + off * ux,
	                                 .ux = ux,
	                                 .uy = uy,
	                                 .len = s1 - s0,
	                                 .thick = th,
	                                 .score = 1};
}

TEST(pieces_of_a_line_joined)
{
	double a = 0.35, th = 20;
	struct kyc_reader__cand c[8], out[8];
	int n = 0;
	c[n++] = piece(a, 0, 300, 0, th);      /* a line's left part */
	c[n++] = piece(a, 420, 700, 1, th);    /* its right part, past a glare gap of 6 th */
	c[n++] = piece(a, 0, 250, 45, th);     /* the next line, one piece only */
	c[n++] = piece(a, 420, 600, 45, th);   /* and its right part */
	c[n++] = piece(a + 1.2, 0, 200, 0, 9); /* a stroke across the lines */
	int nj = kyc_reader__join_pieces(c, n, out, 8);
	CHECK_INT(nj, 2);
	for (int k = 0; k < nj; k++) {
		/* each join spans its line's two pieces, centred between their
		 * far ends, in the line's direction */
		double off = -(out[k].cx - 100) * sin(a) + (out[k].cy - 200) * cos(a);
		double along = (out[k].cx - 100) * cos(a) + (out[k].cy - 200) * sin(a);
		double end = off > 20 ? 600 : 700;
		CHECK(fabs(out[k].len - end) < 1);
		CHECK(fabs(along - end / 2) < 1);
		CHECK(fabs(out[k].ux * cos(a) + out[k].uy * sin(a)) > 0.9999);
	}

	/* no join: a piece beside the line (a thickness across it), past a
	 * gap wider than a glare band, or making a line longer than an MRZ's */
	n = 0;
	c[n++] = piece(a, 0, 300, 0, th);
	c[n++] = piece(a, 350, 500, th, th);
	CHECK_INT(kyc_reader__join_pieces(c, n, out, 8), 0);
	c[1] = piece(a, 300 + (KYC_READER__JOIN_GAP + 1) * th, 900, 0, th);
	CHECK_INT(kyc_reader__join_pieces(c, n, out, 8), 0);
	c[1] = piece(a, 350, (KYC_READER__JOIN_LEN + 1) * th, 0, th);
	CHECK_INT(kyc_reader__join_pieces(c, n, out, 8), 0);
	/* nor pieces of another thickness (a heading beside a line) */
	c[1] = piece(a, 350, 500, 0, 2 * th);
	CHECK_INT(kyc_reader__join_pieces(c, n, out, 8), 0);
	/* but a piece glare thinned, as long as an MRZ line by the thicker
	 * piece's measure (not by the two's mean) */
	c[1] = piece(a, 350, (KYC_READER__JOIN_LEN - 1) * th, 0, 0.65 * th);
	CHECK_INT(kyc_reader__join_pieces(c, n, out, 8), 1);
}

/* Whether the scan of level-2 photo i of class cls and seed reads the
 * truth's lines exactly. */
static int reads_exactly(uint64_t seed, int i, enum kyc_synth_class cls)
{
	return tsynth_reads_exactly(seed, i, 2, cls);
}

/* A glare band across a passport's MRZ: the locator finds each line as two
 * pieces, and no piece's band holds a whole line. */
TEST(glare_cut_lines_read)
{
	CHECK(reads_exactly(9100, 16, KYC_SYNTH_CLASS_LIGHT));
}

/* An ID card's two-line MRZ with a paper's lines printed closer together
 * above it: grown upwards first, the chain of lines kept the paper's
 * spacing and refused the MRZ's second line. */
TEST(chain_grown_down_read)
{
	CHECK(reads_exactly(9101, 5, KYC_SYNTH_CLASS_EDGE));
}

/* Glare across a passport's MRZ: the loose layout lays both lines out
 * right, and one digit of the checked line (a birth date's, or an expiry
 * date's check digit) is read at under 0.5 (kyc_reader__sure_checked). */
TEST(glare_one_washed_digit_read)
{
	CHECK(reads_exactly(9100, 10, KYC_SYNTH_CLASS_LIGHT));
	CHECK(reads_exactly(9101, 7, KYC_SYNTH_CLASS_LIGHT));
}

/* A passport at 60° among papers: the finer pass finds its lines past the
 * four it reads (kyc_reader__more_lines now takes every pass's). */
TEST(later_pass_lines_read)
{
	CHECK(reads_exactly(9102, 7, KYC_SYNTH_CLASS_PERSPECTIVE));
}

/* Glare across an MRZ: one line fits its count and the other's chain of
 * runs stops short inside the margins; laid on the fitting line's grid
 * (kyc_reader__band_layout_margins). */
TEST(short_line_on_the_margins_read)
{
	CHECK(reads_exactly(9102, 7, KYC_SYNTH_CLASS_LIGHT));
}

int main(void)
{
	RUN(pieces_of_a_line_joined);
	RUN(glare_cut_lines_read);
	RUN(chain_grown_down_read);
	RUN(glare_one_washed_digit_read);
	RUN(later_pass_lines_read);
	RUN(short_line_on_the_margins_read);
	return test_done("reader_join");
}
