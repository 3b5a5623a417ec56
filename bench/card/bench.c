/* bench/card: the Egyptian national ID reader on generated cards (front and
 * back photos at levels 0 and 1, `kycd synth --kind eg-nid`'s generator):
 * per-field exact share and character error rate against the ground truth,
 * cards whose contradictions were flagged, and the CPU time of reading
 * front plus back on one core (median, p95), two ways: the reader on both
 * sides together (kyc_egnid_read), and the server's path, each side an
 * upload of its own (kyc_document_extract_typed: the MRZ looked for, the
 * card identified, then read, QR codes looked for), whose fields are
 * scored too. Then ID cards with an MRZ (generated TD1): what the look for
 * an Egyptian card's number costs them on the server's path, against the
 * look of main before branch card10 replayed in the same run (mrz_cards;
 * BENCH_MRZ_ONLY=1 runs that section alone, BENCH_NO_MRZ=1 leaves it out).
 * BENCH_SHEET=1 lays a share of the photos (KYC_SYNTH_SHEET_RATE) on a white
 * sheet flush against two of the card's sides, the other photos unchanged,
 * and scores the cards with such a photo apart too. Usage: bench N SEED */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "document/card.h"
#include "document/card_dl_aamva.h"
#include "document/card_eg_nid.h"
#include "document/card_identify.h"
#include "document/image.h"
#include "document/reader.h"
#include "document/synth.h"
#include "document/synth_card.h"
#include "flows/extraction.h"

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Code points of s into cp (at most cap); returns how many. */
static int codepoints(const char *s, unsigned *cp, int cap)
{
	int n = 0;
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	while (len > 0 && n < cap) {
		size_t k = kyc_utf8_next(p, len, &cp[n++]);
		p += k, len -= k;
	}
	return n;
}

/* Levenshtein distance in code points. */
static int edits(const char *a, const char *b)
{
	unsigned A[300], B[300];
	int na = codepoints(a, A, 300), nb = codepoints(b, B, 300);
	int prev[301], cur[301];
	for (int j = 0; j <= nb; j++)
		prev[j] = j;
	for (int i = 1; i <= na; i++) {
		cur[0] = i;
		for (int j = 1; j <= nb; j++) {
			int s = prev[j - 1] + (A[i - 1] != B[j - 1]);
			int d = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = s < d ? (s < ins ? s : ins) : (d < ins ? d : ins);
		}
		memcpy(prev, cur, sizeof cur);
	}
	return prev[nb];
}

/* The fields compared: the extraction's name and the truth's. */
static const struct {
	const char *out, *truth;
} fields[] = {
	{"first_name", "first_name"},	{"rest_name", "rest_name"},
	{"first_name_en", "first_name_en"}, {"family_name_en", "rest_name_en"},
	{"address1", "address1"},	{"address2", "address2"},
	{"national_number", "national_number"}, {"national_number_back", "national_number_back"},
	{"document_number", "serial"},	{"birth_date", "birth_date"},
	{"issue_date", "issue_date"},	{"expiry_date", "expiry_date"},
	{"profession", "profession"},	{"gender", "gender"},
	{"religion", "religion"},	{"marital_status", "marital_status"},
	{"husband_name", "husband_name"},
};
#define NF (sizeof fields / sizeof fields[0])

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* How the photos are drawn (BENCH_SHEET). */
static struct kyc_synth_card_opts photo_opts;

/* A side's photo, decoded as an upload is; *sheet, when not NULL, is set
 * when the card lies on a flush white sheet. */
static int load_side(uint64_t seed, int i, int level, enum kyc_card_side side,
		     const struct kyc_egnid_card *c, struct kyc_image *img, int *sheet)
{
	struct kyc_synth_image im;
	struct kyc_synth_card_shot shot;
	unsigned char *jpeg = NULL;
	size_t len = 0;
	int rc = kyc_synth_egnid_render_opts(seed, i, level, side, c, &photo_opts, &shot, &im);
	if (sheet)
		*sheet = !rc && shot.sheet;
	if (!rc)
		rc = kyc_synth_jpeg(&im, shot.quality, &jpeg, &len);
	kyc_synth_image_release(&im);
	if (!rc)
		rc = kyc_image_decode(jpeg, len, NULL, img, NULL);
	free(jpeg);
	return rc;
}

/* What one way of reading scored over a level's cards. */
struct tally {
	int exact[NF], total[NF], accepted_wrong[NF];
	long err_chars[NF], truth_chars[NF];
	int flagged, all_exact, number_exact, number_wrong;
	/* cards with a side on a flush sheet: how many, all fields exact, the
	 * number exact */
	int sheet_cards, sheet_all_exact, sheet_number_exact;
	double *ms;
};

/* Scores one card's fields (an extraction's "fields" object) and
 * contradictions against its truth c. */
static void score(struct tally *t, int level, int i, const json_t *read, const json_t *contra,
		  const struct kyc_egnid_card *c, int sheet)
{
	char en1[256], en2[512];
	kyc_egnid_transliterate(c->first_name, en1, sizeof en1);
	kyc_egnid_transliterate(c->rest_name, en2, sizeof en2);
	int card_exact = 1;
	for (size_t k = 0; k < NF; k++) {
		const char *want = !strcmp(fields[k].truth, "first_name_en")  ? en1
				   : !strcmp(fields[k].truth, "rest_name_en") ? en2
				   : NULL;
#define T(name)                                                                                    \
	if (!want && !strcmp(fields[k].truth, #name))                                              \
		want = c->name;
		T(first_name) T(rest_name) T(address1) T(address2) T(national_number)
		T(national_number_back) T(serial) T(birth_date) T(issue_date) T(expiry_date)
		T(profession) T(gender) T(religion) T(marital_status) T(husband_name)
#undef T
		if (!want || !*want)
			continue;
		json_t *fv = json_object_get(read, fields[k].out);
		const char *got = json_string_value(json_object_get(fv, "value"));
		int ok = got && !strcmp(got, want);
		if (!ok && getenv("BENCH_VERBOSE"))
			fprintf(stderr, "L%d #%d %s: got [%s] want [%s]%s\n", level, i, fields[k].out,
				got ? got : "(null)", want,
				json_is_true(json_object_get(fv, "accepted")) ? " ACCEPTED" : "");
		t->total[k]++;
		t->exact[k] += ok;
		card_exact &= ok;
		t->accepted_wrong[k] += !ok && json_is_true(json_object_get(fv, "accepted"));
		int tl = codepoints(want, (unsigned[300]){0}, 300);
		t->truth_chars[k] += tl;
		t->err_chars[k] += got ? edits(got, want) : tl;
	}
	t->all_exact += card_exact;
	/* The card's number: what the reader accepted on either side (the
	 * front's first), as seed 000 and the workflow use it. */
	const char *num = NULL;
	for (int side = 0; side < 2 && !num; side++) {
		json_t *fv = json_object_get(read, side ? "national_number_back" : "national_number");
		if (json_is_true(json_object_get(fv, "accepted")))
			num = json_string_value(json_object_get(fv, "value"));
	}
	t->number_exact += num && !strcmp(num, c->national_number);
	t->number_wrong += num && strcmp(num, c->national_number);
	if (sheet) {
		t->sheet_cards++;
		t->sheet_all_exact += card_exact;
		t->sheet_number_exact += num && !strcmp(num, c->national_number);
	}
	t->flagged += json_array_size(contra) > 0;
}

static void report(struct tally *t, int n, int level, int contradict, const char *how)
{
	qsort(t->ms, (size_t)n, sizeof *t->ms, cmp_double);
	printf("level %d%s, %s: %d cards, all fields exact on %.1f%%, contradictions flagged on "
	       "%.1f%%, front+back median %.0f ms, p95 %.0f ms (CPU, one core)\n",
	       level, contradict ? " (gender contradicts the number)" : "", how, n,
	       100.0 * t->all_exact / n, 100.0 * t->flagged / n, t->ms[n / 2],
	       t->ms[(int)(n * 0.95)]);
	if (contradict)
		return;
	printf("  the card's number (accepted on either side): exact %.1f%%, wrong but accepted %d\n",
	       100.0 * t->number_exact / n, t->number_wrong);
	if (t->sheet_cards)
		printf("  cards with a side on a flush white sheet: %d, all fields exact on %d, the "
		       "number exact on %d\n",
		       t->sheet_cards, t->sheet_all_exact, t->sheet_number_exact);
	for (size_t k = 0; k < NF; k++)
		if (t->total[k])
			printf("  %-22s exact %5.1f%%  CER %5.2f%%  accepted-but-wrong %d\n",
			       fields[k].out, 100.0 * t->exact[k] / t->total[k],
			       100.0 * t->err_chars[k] / (t->truth_chars[k] ? t->truth_chars[k] : 1),
			       t->accepted_wrong[k]);
}

/* The server's path: each side an upload of its own (workflow_submit.c),
 * the front first, the back read with the number the front accepted
 * (kyc_document_extract_card), then the card's fields of both and their
 * cross-check as the workflow takes them. A new fields object into *read,
 * the contradictions into *contra. BENCH_CARD_ALONE=1: the back read
 * alone, as the server did before session 13. */
static void server_read(const struct kyc_image *f, const struct kyc_image *b, json_t **read,
			json_t **contra)
{
	json_t *xf = kyc_document_extract_typed(f, 0, "id_card", "front");
	const json_t *nf = json_object_get(json_object_get(json_object_get(xf, "card"), "fields"),
					   "national_number");
	const char *alone = getenv("BENCH_CARD_ALONE");
	const char *known = (!alone || strcmp(alone, "1")) &&
				    json_is_true(json_object_get(nf, "accepted"))
			        ? json_string_value(json_object_get(nf, "value"))
			        : NULL;
	json_t *xb = kyc_document_extract_card(b, 0, "id_card", "back", known);
	if (!xf || !xb) {
		fprintf(stderr, "bench/card: extraction failed\n");
		exit(1);
	}
	*read = json_object();
	json_t *x[2] = {xf, xb};
	for (int i = 0; i < 2; i++)
		if (json_is_true(json_object_get(x[i], "card_found")))
			json_object_update(*read, json_object_get(x[i], "fields"));
	*contra = kyc_extraction_card_contradictions(xf, xb);
	json_decref(xf);
	json_decref(xb);
}

/* The baseline, the server's path before the reader took the identified
 * card (session 7), step by step on one side: the MRZ looked for, the card
 * identified, then found again and read, QR codes looked for. Each step's
 * CPU ms is added to part[4]. */
static void server_before(const struct kyc_image *img, enum kyc_card_side side, double part[4])
{
	struct kyc_card_identity id;
	int err;
	double t0 = cpu_ms();
	json_decref(kyc_document_extract(img, 0));
	double t1 = cpu_ms();
	kyc_card_identify(img, &id);
	double t2 = cpu_ms();
	json_decref(kyc_egnid_read(side ? NULL : img, side ? img : NULL, &err));
	double t3 = cpu_ms();
	json_decref(kyc_qr_read(img));
	double t4 = cpu_ms();
	part[0] += t1 - t0, part[1] += t2 - t1, part[2] += t3 - t2, part[3] += t4 - t3;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

static void run_level(int n, uint64_t seed, int level, int contradict)
{
	double *before = calloc((size_t)n, sizeof *before), *part[4];
	for (int k = 0; k < 4; k++)
		part[k] = calloc((size_t)n, sizeof(double));
	struct tally *t = calloc(2, sizeof *t);
	t[0].ms = calloc((size_t)n, sizeof(double));
	t[1].ms = calloc((size_t)n, sizeof(double));
	for (int i = 1; i <= n; i++) {
		struct kyc_egnid_card c;
		kyc_synth_egnid_card(seed, i, &c);
		if (contradict) { /* the printed gender disagrees with the number */
			snprintf(c.gender, sizeof c.gender, "%s", strcmp(c.gender, "ذكر") ? "ذكر" : "أنثى");
		}
		struct kyc_image f, b;
		int sf_sheet = 0, sb_sheet = 0;
		if (load_side(seed, i, level, KYC_CARD_FRONT, &c, &f, &sf_sheet) ||
		    load_side(seed, i, level, KYC_CARD_BACK, &c, &b, &sb_sheet)) {
			fprintf(stderr, "bench/card: cannot generate card %d\n", i);
			exit(1);
		}
		int err;
		double t0 = cpu_ms();
		json_t *x = kyc_egnid_read(&f, &b, &err);
		t[0].ms[i - 1] = cpu_ms() - t0;
		if (!x) {
			fprintf(stderr, "bench/card: read failed (%d)\n", err);
			exit(1);
		}
		if ((sf_sheet || sb_sheet) && getenv("BENCH_VERBOSE"))
			fprintf(stderr, "L%d #%d on a sheet:%s%s\n", level, i, sf_sheet ? " front" : "",
				sb_sheet ? " back" : "");
		score(&t[0], level, i, json_object_get(x, "fields"),
		      json_object_get(x, "contradictions"), &c, sf_sheet || sb_sheet);
		json_decref(x);
		json_t *sf, *sc;
		t0 = cpu_ms();
		server_read(&f, &b, &sf, &sc);
		t[1].ms[i - 1] = cpu_ms() - t0;
		score(&t[1], level, i, sf, sc, &c, sf_sheet || sb_sheet);
		json_decref(sf);
		json_decref(sc);
		if (!contradict) {
			double p[4] = {0};
			server_before(&f, KYC_CARD_FRONT, p);
			server_before(&b, KYC_CARD_BACK, p);
			before[i - 1] = p[0] + p[1] + p[2] + p[3];
			for (int k = 0; k < 4; k++)
				part[k][i - 1] = p[k];
		}
		kyc_image_free(&f);
		kyc_image_free(&b);
	}
	report(&t[0], n, level, contradict, "reader (kyc_egnid_read, both sides)");
	report(&t[1], n, level, contradict, "server path (each side uploaded, identified, read)");
	if (!contradict) {
		double server = t[1].ms[n / 2], b = median(before, n);
		printf("  baseline, the server path before (identified, then found again): median %.0f "
		       "ms, p95 %.0f ms; now / before %.2f\n",
		       b, before[(int)(n * 0.95)], server / b);
		printf("  before, its steps' medians for front+back: MRZ looked for %.0f ms, identified "
		       "%.0f ms, found and read %.0f ms, QR looked for %.0f ms\n",
		       median(part[0], n), median(part[1], n), median(part[2], n), median(part[3], n));
	}
	free(before);
	for (int k = 0; k < 4; k++)
		free(part[k]);
	free(t[0].ms);
	free(t[1].ms);
	free(t);
}

/* The baseline of the look: main's before branch card10 (session 9), as it
 * was, in the same run: the finder's two best candidates, each card warped
 * whole and turned whole, both number fields read both ways up, until one
 * reading is sure. Its best score (what the look answers) in *score. */
static void look_before(const struct kyc_image *img, double *score)
{
	const struct kyc_card_template *T = &kyc_card_tpl_eg_nid;
	const double u = KYC_CARD_PX_PER_MM;
	int w = (int)lround(T->w_mm * u), h = (int)lround(T->h_mm * u);
	size_t npx = (size_t)w * (size_t)h;
	double quads[2][4][2];
	unsigned char *card = malloc(npx), *flip = malloc(npx);
	struct kyc_edigits_reading *r = malloc(sizeof *r);
	*score = 0;
	int n = kyc_card_find_candidates(img, T->w_mm / T->h_mm, quads, NULL, 2);
	for (int i = 0; card && flip && r && i < n && *score < KYC_CARD_IDENTIFY_SURE; i++) {
		kyc_card_warp(img, quads[i], w, h, card);
		for (size_t k = 0; k < npx; k++)
			flip[k] = card[npx - 1 - k];
		for (int turn = 0; turn < 2; turn++)
			for (int f = 0; f < T->nfields; f++) {
				if (T->fields[f].script != KYC_CARD_EDIGITS ||
				    kyc_card_read_digits(turn ? flip : card, w, h, u, &T->fields[f], r))
					continue;
				double p = kyc_card_number_sureness(r);
				if (p >= 0.4 && p > *score)
					*score = p;
			}
	}
	free(card);
	free(flip);
	free(r);
}

/* What an ID card with an MRZ pays on the server's path for the look for
 * an Egyptian card's number that an id_card upload starts with
 * (docs/card.md, "On an upload"): generated TD1 cards (their MRZ side), n
 * at each of levels 0 and 1, decoded as an upload is; CPU ms of that look
 * alone (kyc_card_identify_number) against main's look (look_before), and
 * of the whole extraction as an id_card against main's (its look plus the
 * extraction as a residence_permit, the same path without the look). */
static void mrz_cards(int n, uint64_t seed)
{
	printf("\n| level | TD1 photos | MRZ found (id_card / residence_permit) | told a sure Egyptian ID (now / main) | number look, median / p95 ms | main's look, median / p95 ms | look now / main | id_card extraction, median / p95 ms | main's (its look + residence_permit), median / p95 ms | extraction now / main |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	double *look = calloc((size_t)n, sizeof *look), *card = calloc((size_t)n, sizeof *card),
	       *old = calloc((size_t)n, sizeof *old), *before = calloc((size_t)n, sizeof *before);
	for (int level = 0; level <= 1; level++) {
		int found_card = 0, found_base = 0, sure = 0, sure_old = 0;
		for (int i = 1; i <= n; i++) {
			struct kyc_synth_doc truth;
			unsigned char *jpeg = NULL;
			size_t len = 0;
			struct kyc_image img;
			struct kyc_image_opts io = {.target_side = KYC_READER_DECODE_SIDE};
			if (kyc_synth_make(seed, i, level, KYC_SYNTH_TD1, &truth, &jpeg, &len) ||
			    kyc_image_decode(jpeg, len, &io, &img, NULL)) {
				fprintf(stderr, "bench/card: cannot generate TD1 %d\n", i);
				exit(1);
			}
			free(jpeg);
			struct kyc_card_identity id;
			double s_old, t0 = cpu_ms();
			kyc_card_identify_number(&img, &id);
			double t1 = cpu_ms();
			look_before(&img, &s_old);
			double t2 = cpu_ms();
			json_t *x = kyc_document_extract_typed(&img, 0, "id_card", "back");
			double t3 = cpu_ms();
			json_t *y = kyc_document_extract_typed(&img, 0, "residence_permit", "back");
			double t4 = cpu_ms();
			look[i - 1] = t1 - t0, old[i - 1] = t2 - t1, card[i - 1] = t3 - t2;
			before[i - 1] = (t2 - t1) + (t4 - t3);
			sure += id.score >= KYC_CARD_IDENTIFY_SURE;
			sure_old += s_old >= KYC_CARD_IDENTIFY_SURE;
			found_card += json_is_true(json_object_get(x, "mrz_found"));
			found_base += json_is_true(json_object_get(y, "mrz_found"));
			json_decref(x);
			json_decref(y);
			kyc_image_free(&img);
		}
		qsort(look, (size_t)n, sizeof *look, cmp_double);
		qsort(old, (size_t)n, sizeof *old, cmp_double);
		qsort(card, (size_t)n, sizeof *card, cmp_double);
		qsort(before, (size_t)n, sizeof *before, cmp_double);
		int p95 = (int)(n * 0.95);
		printf("| %d | %d | %d / %d | %d / %d | %.1f / %.1f | %.1f / %.1f | %.2f | %.0f / %.0f | %.0f / %.0f | %.2f |\n",
		       level, n, found_card, found_base, sure, sure_old, look[n / 2], look[p95],
		       old[n / 2], old[p95], look[n / 2] / old[n / 2], card[n / 2], card[p95],
		       before[n / 2], before[p95], card[n / 2] / before[n / 2]);
		fflush(stdout);
	}
	free(look);
	free(card);
	free(old);
	free(before);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 100;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261202;
	if (n < 1)
		n = 1;
	/* Warm up: Tesseract's models and the digit templates load once. */
	{
		struct kyc_egnid_card c;
		struct kyc_image f;
		kyc_synth_egnid_card(seed + 1, 1, &c);
		if (load_side(seed + 1, 1, 0, KYC_CARD_FRONT, &c, &f, NULL) == 0) {
			int err;
			json_decref(kyc_egnid_read(&f, &f, &err));
			kyc_image_free(&f);
		}
	}
	if (getenv("BENCH_SHEET"))
		photo_opts.sheet_rate = KYC_SYNTH_SHEET_RATE;
	if (getenv("BENCH_MRZ_ONLY")) { /* the MRZ cards' section alone */
		mrz_cards(n, seed);
		return 0;
	}
	run_level(n, seed, 0, 0);
	run_level(n, seed, 1, 0);
	run_level(n < 50 ? n : 50, seed, 1, 1);
	if (!getenv("BENCH_NO_MRZ"))
		mrz_cards(n, seed);
	return 0;
}
