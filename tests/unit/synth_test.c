/* The specimen generator: MRZ lines valid by an independent reading of ICAO
 * 9303 positions, truth consistent with lines, determinism, JPEG geometry,
 * level promises, and `kycd synth` end to end. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <jpeglib.h>

#include "core/buf.h"
#include "core/clock.h"
#include "document/mrz.h"
#include "document/synth.h"
#include "test.h"

/* 1 when line[pos + n] is the check digit of line[pos .. pos+n). */
static int digit_ok(const char *line, int pos, int n, int at)
{
	int d = kyc_mrz_check_digit(line + pos, (size_t)n);
	return d >= 0 && line[at] == '0' + d;
}

static int charset_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || *s == '<'))
			return 0;
	return 1;
}

/* "1974-08-12" and "740812" agree. */
static int date_matches(const char *iso, const char *yymmdd)
{
	return strlen(iso) == 10 && !strncmp(iso + 2, yymmdd, 2) &&
	       !strncmp(iso + 5, yymmdd + 2, 2) && !strncmp(iso + 8, yymmdd + 4, 2);
}

/* The MRZ name field as a parser reads it, compared with the fields. */
static int name_matches(const char *field, int len, const struct kyc_synth_fields *f)
{
	char want[128];
	if (f->given_names[0])
		snprintf(want, sizeof want, "%s<<%s", f->surname, f->given_names);
	else
		snprintf(want, sizeof want, "%s", f->surname);
	for (char *p = want; *p; p++)
		if (*p == ' ')
			*p = '<';
	size_t n = strlen(want);
	if ((int)n > len || strncmp(field, want, n) != 0)
		return 0;
	for (int i = (int)n; i < len; i++)
		if (field[i] != '<')
			return 0;
	return 1;
}

/* Checks one identity against ICAO positions; returns the number of failures. */
static int check_identity(const struct kyc_synth_identity *id, int *longnum)
{
	int bad = 0;
	const struct kyc_synth_fields *f = &id->f;
	const char *l1 = id->lines[0], *l2 = id->lines[1];
	int L = id->line_len;
	for (int i = 0; i < id->nlines; i++)
		bad += (int)strlen(id->lines[i]) != L || !charset_ok(id->lines[i]);
	char sex = f->sex[0] == 'X' ? '<' : f->sex[0];
	bad += strncmp(l1 + 2, f->issuing_country, strlen(f->issuing_country)) != 0;
	bad += l1[0] != f->document_code[0];
	if (id->format == KYC_SYNTH_TD1) {
		bad += L != 30 || id->nlines != 3;
		const char *l3 = id->lines[2];
		size_t nl = strlen(f->document_number);
		if (l1[14] == '<') { /* long document number */
			*longnum += 1;
			bad += nl <= 9;
			bad += strncmp(l1 + 5, f->document_number, 9) != 0;
			bad += strncmp(l1 + 15, f->document_number + 9, nl - 9) != 0;
			int d = kyc_mrz_check_digit(f->document_number, nl);
			bad += l1[15 + nl - 9] != '0' + d;
		} else {
			bad += !digit_ok(l1, 5, 9, 14);
			bad += strncmp(l1 + 5, f->document_number, nl) != 0;
		}
		bad += !digit_ok(l2, 0, 6, 6) || !digit_ok(l2, 8, 6, 14);
		bad += !date_matches(f->birth_date, l2) || !date_matches(f->expiry_date, l2 + 8);
		bad += l2[7] != sex;
		bad += strncmp(l2 + 15, f->nationality, strlen(f->nationality)) != 0;
		char comp[64];
		memcpy(comp, l1 + 5, 25);
		memcpy(comp + 25, l2, 7);
		memcpy(comp + 32, l2 + 8, 7);
		memcpy(comp + 39, l2 + 18, 11);
		bad += l2[29] != '0' + kyc_mrz_check_digit(comp, 50);
		bad += strncmp(l2 + 18, f->optional_data_2, strlen(f->optional_data_2)) != 0;
		bad += !name_matches(l3, 30, f);
		return bad;
	}
	bad += id->nlines != 2;
	bad += !name_matches(l1 + 5, L - 5, f);
	bad += !digit_ok(l2, 0, 9, 9) || !digit_ok(l2, 13, 6, 19) || !digit_ok(l2, 21, 6, 27);
	bad += strncmp(l2, f->document_number, strlen(f->document_number)) != 0;
	bad += strlen(f->document_number) > 9;
	bad += !date_matches(f->birth_date, l2 + 13) || !date_matches(f->expiry_date, l2 + 21);
	bad += l2[20] != sex;
	bad += strncmp(l2 + 10, f->nationality, strlen(f->nationality)) != 0;
	bad += strncmp(l2 + 28, f->optional_data, strlen(f->optional_data)) != 0;
	if (id->format == KYC_SYNTH_TD3) {
		bad += L != 44 || l1[0] != 'P';
		/* Personal number check digit; '<' allowed when the field is empty. */
		if (!(l2[42] == '<' && !f->optional_data[0]))
			bad += !digit_ok(l2, 28, 14, 42);
	}
	if (id->format == KYC_SYNTH_TD3 || id->format == KYC_SYNTH_TD2) {
		char comp[64];
		int n = 0;
		memcpy(comp, l2, 10), n = 10;
		memcpy(comp + n, l2 + 13, 7), n += 7;
		memcpy(comp + n, l2 + 21, (size_t)(L - 22)), n += L - 22;
		bad += l2[L - 1] != '0' + kyc_mrz_check_digit(comp, (size_t)n);
	}
	if (id->format == KYC_SYNTH_TD2 || id->format == KYC_SYNTH_MRVB)
		bad += L != 36;
	if (id->format == KYC_SYNTH_MRVA)
		bad += L != 44;
	if (id->format == KYC_SYNTH_MRVA || id->format == KYC_SYNTH_MRVB)
		bad += l1[0] != 'V';
	return bad;
}

TEST(identities_valid_by_icao_positions)
{
	int longnum = 0, truncated = 0, accented = 0, unspecified = 0, two_given = 0;
	int empty_opt = 0, with_opt = 0, failures = 0, formats[5] = {0};
	for (int fmt = 0; fmt <= KYC_SYNTH_MIXED; fmt++) {
		for (int i = 0; i < 400; i++) {
			struct kyc_synth_identity id;
			REQUIRE(kyc_synth_identity(1234 + (uint64_t)fmt, i,
			                           (enum kyc_synth_format)fmt, &id) == 0);
			REQUIRE(id.format >= KYC_SYNTH_TD1 && id.format < KYC_SYNTH_MIXED);
			formats[id.format]++;
			int b = check_identity(&id, &longnum);
			if (b && failures++ < 3)
				fprintf(stderr, "bad identity %d/%d: %s | %s | %s\n", fmt, i,
				        id.lines[0], id.lines[1], id.lines[2]);
			CHECK(b == 0);
			const char *name =
			    id.format == KYC_SYNTH_TD1 ? id.lines[2] : id.lines[0] + 5;
			truncated += name[strlen(name) - 1] != '<';
			accented += strcmp(id.viz_surname, id.f.surname) != 0 &&
			            strchr(id.viz_surname, '-') == NULL;
			unspecified += id.f.sex[0] == 'X';
			two_given += strchr(id.f.given_names, ' ') != NULL;
			empty_opt += id.f.optional_data[0] == '\0';
			with_opt += id.f.optional_data[0] != '\0';
			CHECK(strcmp(id.f.birth_date, "1940-01-01") >= 0 &&
			      strcmp(id.f.birth_date, "2008-12-31") <= 0);
			CHECK(strcmp(id.issue_date, id.f.expiry_date) < 0);
		}
	}
	/* The generator must exercise what the reader has to cope with. */
	CHECK(longnum > 10);
	CHECK(truncated > 10);
	CHECK(accented > 10);
	CHECK(unspecified > 10);
	CHECK(two_given > 10);
	CHECK(empty_opt > 10 && with_opt > 10);
	for (int f = 0; f < 5; f++)
		CHECK(formats[f] > 50);
}

TEST(identity_rejects_bad_format_and_names_round_trip)
{
	struct kyc_synth_identity id;
	CHECK(kyc_synth_identity(1, 1, (enum kyc_synth_format)42, &id) != 0);
	enum kyc_synth_format f;
	CHECK(kyc_synth_format_parse("td3", &f) == 0 && f == KYC_SYNTH_TD3);
	CHECK(kyc_synth_format_parse("MIXED", &f) == 0 && f == KYC_SYNTH_MIXED);
	CHECK(kyc_synth_format_parse("TD4", &f) != 0);
	CHECK_STR(kyc_synth_format_name(KYC_SYNTH_MRVB), "MRVB");
	/* The same person at every level: identity depends on (seed, index). */
	struct kyc_synth_identity a, b;
	kyc_synth_identity(9, 3, KYC_SYNTH_TD3, &a);
	kyc_synth_identity(9, 3, KYC_SYNTH_TD3, &b);
	CHECK(memcmp(&a, &b, sizeof a) == 0);
	kyc_synth_identity(10, 3, KYC_SYNTH_TD3, &b);
	CHECK(strcmp(a.lines[1], b.lines[1]) != 0);
}

/* The MRZ parser (src/document/mrz.c) reads back exactly the truth fields,
 * with no correction needed, and reports the same JSON keys. */
TEST(parser_agrees_with_truth)
{
	int64_t today = kyc_days_from_civil(2026, 11, 23); /* fixed: the century rule moves */
	int disagree = 0;
	for (int fmt = 0; fmt < KYC_SYNTH_MIXED; fmt++)
		for (int i = 0; i < 300; i++) {
			struct kyc_synth_identity id;
			REQUIRE(kyc_synth_identity(555, i, (enum kyc_synth_format)fmt, &id) == 0);
			char text[200];
			int n = 0;
			for (int l = 0; l < id.nlines; l++)
				n += snprintf(text + n, sizeof text - (size_t)n, "%s\n",
				              id.lines[l]);
			struct kyc_mrz m;
			char err[128];
			int rc = kyc_mrz_parse(text, (size_t)n, today, &m, err, sizeof err);
			const struct kyc_synth_fields *f = &id.f;
			int ok = rc == 0 && m.valid && m.ncorrections == 0 &&
			         !strcmp(m.document_code, f->document_code) &&
			         !strcmp(m.issuing_country, f->issuing_country) &&
			         !strcmp(m.document_number, f->document_number) &&
			         !strcmp(m.surname, f->surname) &&
			         !strcmp(m.given_names, f->given_names) &&
			         !strcmp(m.nationality, f->nationality) &&
			         !strcmp(m.birth_date, f->birth_date) && !strcmp(m.sex, f->sex) &&
			         !strcmp(m.expiry_date, f->expiry_date) &&
			         !strcmp(m.optional_data, f->optional_data) &&
			         !strcmp(m.optional_data_2, f->optional_data_2);
			if (!ok && disagree++ < 3)
				fprintf(stderr, "parser disagrees on:\n%s", text);
			if (i == 0 && rc == 0) {
				json_t *j = kyc_mrz_to_json(&m);
				json_t *jf = j ? json_object_get(j, "fields") : NULL;
				const char *k;
				json_t *v;
				CHECK(jf != NULL && json_object_size(jf) == 11);
				json_object_foreach(jf, k, v)
				{
					CHECK(json_is_string(v));
					CHECK(strstr("document_code issuing_country "
					             "document_number surname "
					             "given_names nationality birth_date sex "
					             "expiry_date "
					             "optional_data optional_data_2",
					             k) != NULL);
				}
				json_decref(j);
			}
		}
	CHECK_INT(disagree, 0);
}

struct decoded {
	int w, h, comps;
};

static int jpeg_decode_size(const unsigned char *p, size_t n, struct decoded *d)
{
	struct jpeg_decompress_struct c;
	struct jpeg_error_mgr e;
	c.err = jpeg_std_error(&e);
	jpeg_create_decompress(&c);
	jpeg_mem_src(&c, p, (unsigned long)n);
	if (jpeg_read_header(&c, TRUE) != JPEG_HEADER_OK) {
		jpeg_destroy_decompress(&c);
		return -1;
	}
	jpeg_start_decompress(&c);
	unsigned char *row = malloc((size_t)c.output_width * (size_t)c.output_components);
	while (c.output_scanline < c.output_height)
		jpeg_read_scanlines(&c, &row, 1);
	free(row);
	d->w = (int)c.output_width, d->h = (int)c.output_height, d->comps = c.output_components;
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	return 0;
}

TEST(make_is_deterministic_and_decodes)
{
	struct kyc_synth_doc d1, d2, d3;
	unsigned char *a = NULL, *b = NULL, *c = NULL;
	size_t na = 0, nb = 0, nc = 0;
	REQUIRE(kyc_synth_make(77, 5, 1, KYC_SYNTH_MIXED, &d1, &a, &na) == 0);
	REQUIRE(kyc_synth_make(77, 5, 1, KYC_SYNTH_MIXED, &d2, &b, &nb) == 0);
	REQUIRE(kyc_synth_make(78, 5, 1, KYC_SYNTH_MIXED, &d3, &c, &nc) == 0);
	CHECK(na == nb && memcmp(a, b, na) == 0);
	CHECK(na != nc || memcmp(a, c, na) != 0);
	CHECK(memcmp(&d1, &d2, sizeof d1) == 0);
	struct decoded dd;
	CHECK(jpeg_decode_size(a, na, &dd) == 0);
	CHECK_INT(dd.w, d1.width);
	CHECK_INT(dd.h, d1.height);
	CHECK_INT(dd.comps, 3);
	CHECK(jpeg_decode_size(c, nc, &dd) == 0);
	CHECK_INT(dd.w, d3.width);
	CHECK_INT(dd.h, d3.height);
	free(a);
	free(b);
	free(c);
}

/* Mean luminance over the part of the MRZ quad between t0 and t1 (0 = top
 * edge, 1 = bottom edge; beyond 1 is below the zone). */
static double quad_mean(const struct kyc_synth_image *img, const double q[4][2], double t0,
                        double t1)
{
	double sum = 0;
	int n = 0;
	for (int a = 0; a < 80; a++)
		for (int b = 0; b < 20; b++) {
			double s = (a + 0.5) / 80, t = t0 + (t1 - t0) * (b + 0.5) / 20;
			double x = (1 - t) * ((1 - s) * q[0][0] + s * q[1][0]) +
			           t * ((1 - s) * q[3][0] + s * q[2][0]);
			double y = (1 - t) * ((1 - s) * q[0][1] + s * q[1][1]) +
			           t * ((1 - s) * q[3][1] + s * q[2][1]);
			int xi = (int)x, yi = (int)y;
			if (xi < 0 || yi < 0 || xi >= img->w || yi >= img->h)
				continue;
			const unsigned char *p =
			    img->px + ((size_t)yi * (size_t)img->w + (size_t)xi) * 3;
			sum += 0.3 * p[0] + 0.59 * p[1] + 0.11 * p[2];
			n++;
		}
	return n ? sum / n : 0;
}

struct job {
	int index;
	unsigned char *jpeg;
	size_t len;
	int rc;
};

static void *make_job(void *arg)
{
	struct job *j = arg;
	struct kyc_synth_doc d;
	j->rc = kyc_synth_make(21, j->index, 0, KYC_SYNTH_MIXED, &d, &j->jpeg, &j->len);
	return NULL;
}

/* Two threads at once give the bytes a lone call gives: no shared state. */
TEST(threads_do_not_interfere)
{
	struct job jobs[2] = {{1, NULL, 0, -1}, {2, NULL, 0, -1}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		REQUIRE(pthread_create(&t[i], NULL, make_job, &jobs[i]) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2; i++) {
		struct job alone = {jobs[i].index, NULL, 0, -1};
		make_job(&alone);
		CHECK(jobs[i].rc == 0 && alone.rc == 0);
		CHECK(jobs[i].len == alone.len && jobs[i].jpeg && alone.jpeg &&
		      memcmp(jobs[i].jpeg, alone.jpeg, alone.len) == 0);
		free(alone.jpeg);
		free(jobs[i].jpeg);
	}
}

TEST(levels_keep_their_promises)
{
	int seen[4] = {0};
	for (int level = 0; level <= 2; level++) {
		for (int i = 0; i < 12; i++) {
			struct kyc_synth_doc d;
			struct kyc_synth_image img;
			REQUIRE(kyc_synth_render(3, i, level, KYC_SYNTH_MIXED, &d, &img) == 0);
			CHECK_INT(img.w, d.width);
			CHECK_INT(img.h, d.height);
			CHECK(d.width >= 640 && d.width <= 2000);
			CHECK(d.height <= 2000);
			CHECK(d.level == level);
			if (level < 2)
				CHECK_INT(d.orientation, 0);
			else
				seen[d.orientation / 90 % 4]++;
			double lim = level == 0 ? 1.0 : level == 1 ? 8.0 : 20.0;
			CHECK(d.skew_deg >= -lim && d.skew_deg <= lim);
			if (level == 0)
				CHECK(d.quality >= 90);
			if (level == 2)
				CHECK(d.quality >= 50 && d.quality <= 80);
			/* The MRZ lies inside the picture, and its box is as wide as
			 * line_len cells of the recorded pitch. */
			for (int k = 0; k < 4; k++) {
				CHECK(d.mrz_quad[k][0] >= 0 && d.mrz_quad[k][0] <= d.width);
				CHECK(d.mrz_quad[k][1] >= 0 && d.mrz_quad[k][1] <= d.height);
			}
			double dx = d.mrz_quad[1][0] - d.mrz_quad[0][0];
			double dy = d.mrz_quad[1][1] - d.mrz_quad[0][1];
			double len = sqrt(dx * dx + dy * dy), want = d.id.line_len * d.mrz_px;
			CHECK(len > want * 0.85 && len < want * 1.15);
			CHECK(d.mrz_px >= 7.99); /* 8 px, up to rounding */
			/* Paper and ink are near-neutral: no pixel of the MRZ area may
			 * come out strongly coloured (that was an overflowing blur). */
			int vivid = 0;
			for (int a = 0; a < 60; a++)
				for (int b = 0; b < 12; b++) {
					double s = (a + 0.5) / 60, t = (b + 0.5) / 12;
					double x =
					    (1 - t) * ((1 - s) * d.mrz_quad[0][0] +
					               s * d.mrz_quad[1][0]) +
					    t * ((1 - s) * d.mrz_quad[3][0] + s * d.mrz_quad[2][0]);
					double y =
					    (1 - t) * ((1 - s) * d.mrz_quad[0][1] +
					               s * d.mrz_quad[1][1]) +
					    t * ((1 - s) * d.mrz_quad[3][1] + s * d.mrz_quad[2][1]);
					int xi = (int)x, yi = (int)y;
					if (xi < 0 || yi < 0 || xi >= img.w || yi >= img.h)
						continue;
					const unsigned char *p =
					    img.px + ((size_t)yi * (size_t)img.w + (size_t)xi) * 3;
					int mx = p[0] > p[1] ? p[0] : p[1],
					    mn = p[0] < p[1] ? p[0] : p[1];
					mx = mx > p[2] ? mx : p[2], mn = mn < p[2] ? mn : p[2];
					vivid += mx - mn > 110;
				}
			CHECK(vivid < 4);
			/* The quad sits on the ink: darker inside than in a strip of
			 * paper just under its bottom edge. */
			double in = quad_mean(&img, d.mrz_quad, 0.0, 1.0);
			double below = quad_mean(&img, d.mrz_quad, 1.06, 1.2);
			if (!(in < below - 6))
				fprintf(stderr,
				        "level %d index %d: MRZ mean %.1f, paper below %.1f\n",
				        level, i, in, below);
			CHECK(in < below - 6);
			/* So does each line, against the paper just under it. */
			for (int l = 0; l < d.id.nlines; l++) {
				double li = quad_mean(&img, d.line_quads[l], 0.0, 1.0);
				double lb = quad_mean(&img, d.line_quads[l], 1.15, 1.5);
				CHECK(li < lb - 10);
			}
			CHECK(d.id.nlines == 3 || d.line_quads[2][2][0] == 0);
			kyc_synth_image_release(&img);
		}
	}
	CHECK(seen[0] + seen[1] + seen[2] + seen[3] == 12);
	CHECK((seen[0] > 0) + (seen[1] > 0) + (seen[2] > 0) + (seen[3] > 0) >= 3);
}

static double dist(const double a[2], const double b[2])
{
	return hypot(a[0] - b[0], a[1] - b[1]);
}

TEST(classes_keep_their_promises)
{
	/* Each class at its hardest level: what it promises shows in the truth,
	 * the MRZ stays wholly inside the picture, and the lines sit on ink. */
	for (int c = KYC_SYNTH_CLASS_PERSPECTIVE; c <= KYC_SYNTH_CLASS_MIXED; c++) {
		struct kyc_synth_doc d;
		struct kyc_synth_image img;
		REQUIRE(kyc_synth_render_class(41, c, 2, (enum kyc_synth_class)c, KYC_SYNTH_MIXED,
		                               &d, &img) == 0);
		CHECK_INT(d.cls, c);
		CHECK_INT(img.w, d.width);
		CHECK(d.width <= 2000 && d.height <= 2000);
		if (c == KYC_SYNTH_CLASS_MIXED)
			CHECK(__builtin_popcount(d.classes) >= 2 &&
			      !(d.classes & (1u << KYC_SYNTH_CLASS_MIXED)));
		else
			CHECK_INT(d.classes, 1u << c);
		double near = 1e9;
		for (int k = 0; k < 4; k++) {
			double x = d.mrz_quad[k][0], y = d.mrz_quad[k][1];
			CHECK(x >= 0 && x <= d.width && y >= 0 && y <= d.height);
			near = fmin(near, fmin(fmin(x, d.width - x), fmin(y, d.height - y)));
		}
		double cap = dist(d.line_quads[0][0], d.line_quads[0][3]);
		if (c == KYC_SYNTH_CLASS_PERSPECTIVE)
			CHECK(d.tilt_deg >= 15 && d.tilt_deg <= 25);
		if (c == KYC_SYNTH_CLASS_EDGE) /* within 0.8 pitch of the border, plus cap */
			CHECK(near <= 0.8 * d.mrz_px + cap + 2);
		if (c == KYC_SYNTH_CLASS_LOWRES)
			CHECK(cap >= 7.5 && cap <= 12.5);
		if (c == KYC_SYNTH_CLASS_JPEG)
			CHECK(d.quality >= 30 && d.quality <= 43);
		if (c == KYC_SYNTH_CLASS_ROTATION)
			CHECK(d.skew_deg >= -45 && d.skew_deg <= 45);
		/* Light and watermarks change the paper around the lines, so the
		 * comparison with the paper under them only holds for the rest. */
		if (c != KYC_SYNTH_CLASS_LIGHT && c != KYC_SYNTH_CLASS_WATERMARK &&
		    c != KYC_SYNTH_CLASS_MIXED && c != KYC_SYNTH_CLASS_EDGE)
			for (int l = 0; l < d.id.nlines; l++) {
				double li = quad_mean(&img, d.line_quads[l], 0.0, 1.0);
				double lb = quad_mean(&img, d.line_quads[l], 1.15, 1.5);
				if (!(li < lb - 10))
					fprintf(stderr, "class %s line %d: ink %.1f, paper %.1f\n",
					        kyc_synth_class_name(c), l, li, lb);
				CHECK(li < lb - 10);
			}
		kyc_synth_image_release(&img);
	}
	/* No class is the level's own photo, byte for byte. */
	struct kyc_synth_doc d1, d2;
	unsigned char *a, *b;
	size_t na, nb;
	REQUIRE(kyc_synth_make(8, 3, 1, KYC_SYNTH_TD3, &d1, &a, &na) == 0);
	REQUIRE(kyc_synth_make_class(8, 3, 1, KYC_SYNTH_CLASS_NONE, KYC_SYNTH_TD3, &d2, &b, &nb) ==
	        0);
	CHECK(na == nb && memcmp(a, b, na) == 0);
	free(a);
	free(b);
	/* Names round-trip; unknown names are refused. */
	for (int c = 0; c < KYC_SYNTH_CLASS_COUNT; c++) {
		enum kyc_synth_class back;
		CHECK(kyc_synth_class_parse(kyc_synth_class_name(c), &back) == 0 && (int)back == c);
	}
	enum kyc_synth_class x;
	CHECK(kyc_synth_class_parse("blurry", &x) != 0);
	CHECK(kyc_synth_class_name(KYC_SYNTH_CLASS_COUNT) == NULL);
	CHECK(kyc_synth_seed_is_eval(kyc_synth_eval_seed(3)) && !kyc_synth_seed_is_eval(20261123));
}

TEST(nomrz_photos_hold_no_mrz)
{
	int kinds = 0;
	for (int i = 0; i < 8; i++) {
		struct kyc_synth_doc d;
		struct kyc_synth_image img;
		REQUIRE(kyc_synth_render_class(5, i, i % 3, KYC_SYNTH_CLASS_NOMRZ, KYC_SYNTH_MIXED,
		                               &d, &img) == 0);
		CHECK_INT(d.id.nlines, 0);
		CHECK_INT(img.w, d.width);
		CHECK((d.width < d.height ? d.width : d.height) >= 400 && (d.width > d.height ? d.width : d.height) >= 640);
		kinds |= 1 << d.nomrz_kind;
		kyc_buf line;
		kyc_buf_init(&line, 1 << 16);
		REQUIRE(kyc_synth_truth_json(&d, "x.jpg", &line) == 0);
		json_t *o = json_loadb(line.data, line.len, 0, NULL);
		CHECK(o && !strcmp(json_string_value(json_object_get(o, "format")), "none"));
		CHECK(o && json_array_size(json_object_get(o, "lines")) == 0);
		CHECK(o && !strcmp(json_string_value(json_object_get(o, "class")), "nomrz"));
		json_decref(o);
		kyc_buf_release(&line);
		kyc_synth_image_release(&img);
	}
	CHECK(__builtin_popcount((unsigned)kinds) >= 3);
}

TEST(truth_line_has_the_mrz_keys)
{
	struct kyc_synth_doc d;
	struct kyc_synth_image img;
	REQUIRE(kyc_synth_render(11, 2, 0, KYC_SYNTH_TD1, &d, &img) == 0);
	kyc_synth_image_release(&img);
	kyc_buf b;
	kyc_buf_init(&b, 1 << 16);
	REQUIRE(kyc_synth_truth_json(&d, "000002.jpg", &b) == 0);
	CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
	json_error_t e;
	json_t *o = json_loads(b.data, 0, &e);
	REQUIRE(o != NULL);
	CHECK_STR(json_string_value(json_object_get(o, "file")), "000002.jpg");
	CHECK_STR(json_string_value(json_object_get(o, "format")), "TD1");
	json_t *f = json_object_get(o, "fields");
	static const char *const keys[] = {
	    "document_code", "issuing_country", "document_number", "surname",
	    "given_names",   "nationality",     "birth_date",      "sex",
	    "expiry_date",   "optional_data",   "optional_data_2"};
	CHECK_INT(json_object_size(f), 11);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK(json_is_string(json_object_get(f, keys[i])));
	CHECK_STR(json_string_value(json_object_get(f, "document_number")), d.id.f.document_number);
	CHECK_INT(json_array_size(json_object_get(o, "lines")), 3);
	CHECK_INT(json_array_size(json_object_get(o, "line_quads")), 3);
	CHECK_STR(json_string_value(json_array_get(json_object_get(o, "lines"), 2)), d.id.lines[2]);
	CHECK_INT(json_integer_value(json_object_get(o, "width")), d.width);
	json_decref(o);
	kyc_buf_release(&b);
}

TEST(cli_writes_images_and_truth)
{
	const char *bin = getenv("KYCD_BIN");
	REQUIRE(bin != NULL);
	char dir[] = "/tmp/kycd-synth-XXXXXX";
	REQUIRE(mkdtemp(dir) != NULL);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s synth --out %s/out --count 3 --seed 42 --level 1 2>/dev/null",
	         bin, dir);
	CHECK_INT(system(cmd), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/out/truth.jsonl", dir);
	FILE *f = fopen(path, "r");
	REQUIRE(f != NULL);
	char line[8192];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		json_error_t e;
		json_t *o = json_loads(line, 0, &e);
		CHECK(o != NULL);
		if (!o)
			continue;
		n++;
		const char *file = json_string_value(json_object_get(o, "file"));
		char want[32];
		snprintf(want, sizeof want, "%06d.jpg", n);
		CHECK_STR(file, want);
		/* The lines are those of the in-process generator for the same
		 * (seed, index, format). */
		struct kyc_synth_identity id;
		enum kyc_synth_format fmt;
		CHECK(kyc_synth_format_parse(json_string_value(json_object_get(o, "format")),
		                             &fmt) == 0);
		CHECK(kyc_synth_identity(42, n, fmt, &id) == 0);
		CHECK_STR(json_string_value(json_array_get(json_object_get(o, "lines"), 0)),
		          id.lines[0]);
		CHECK_INT(json_integer_value(json_object_get(o, "level")), 1);
		/* The image is there and has the recorded size. */
		snprintf(path, sizeof path, "%s/out/%s", dir, file ? file : "?");
		FILE *img = fopen(path, "rb");
		CHECK(img != NULL);
		if (img) {
			static unsigned char buf[8 << 20];
			size_t len = fread(buf, 1, sizeof buf, img);
			fclose(img);
			struct decoded d;
			CHECK(jpeg_decode_size(buf, len, &d) == 0);
			CHECK_INT(d.w, json_integer_value(json_object_get(o, "width")));
			CHECK_INT(d.h, json_integer_value(json_object_get(o, "height")));
			remove(path);
		}
		json_decref(o);
	}
	fclose(f);
	CHECK_INT(n, 3);
	snprintf(path, sizeof path, "%s/out/truth.jsonl", dir);
	remove(path);
	snprintf(path, sizeof path, "%s/out", dir);
	rmdir(path);
	rmdir(dir);
	/* Bad arguments fail with usage, and write nothing. */
	snprintf(cmd, sizeof cmd, "%s synth --out %s/x --count 0 --seed 1 2>/dev/null", bin, dir);
	CHECK(system(cmd) != 0);
	snprintf(cmd, sizeof cmd, "%s synth --out %s/x --count 1 --seed 1 --level 3 2>/dev/null",
	         bin, dir);
	CHECK(system(cmd) != 0);
}

int main(void)
{
	RUN(identities_valid_by_icao_positions);
	RUN(identity_rejects_bad_format_and_names_round_trip);
	RUN(parser_agrees_with_truth);
	RUN(make_is_deterministic_and_decodes);
	RUN(threads_do_not_interfere);
	RUN(levels_keep_their_promises);
	RUN(classes_keep_their_promises);
	RUN(nomrz_photos_hold_no_mrz);
	RUN(truth_line_has_the_mrz_keys);
	RUN(cli_writes_images_and_truth);
	return test_done("synth");
}
