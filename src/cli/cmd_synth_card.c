/* kycd synth --kind eg-nid: specimen Egyptian national ID cards, each as a
 * front and a back photo, with truth.jsonl (docs/card.md). Called by
 * cmd_synth.c, which owns the common options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "document/synth_card.h"

#define TRUTH_LINE_MAX (64 * 1024)

/* Writes one side of card i as DIR/NNNNNN_<side>.jpg. */
static int write_side(const char *dir, uint64_t seed, int i, int level, enum kyc_card_side side,
		      const struct kyc_egnid_card *card, const struct kyc_synth_card_opts *opts,
		      struct kyc_synth_card_shot *shot, char *file, size_t file_cap)
{
	struct kyc_synth_image img;
	unsigned char *jpeg = NULL;
	size_t len = 0;
	int rc = kyc_synth_egnid_render_opts(seed, i, level, side, card, opts, shot, &img);
	if (!rc)
		rc = kyc_synth_jpeg(&img, shot->quality, &jpeg, &len);
	kyc_synth_image_release(&img);
	snprintf(file, file_cap, "%06d_%s.jpg", i, side == KYC_CARD_FRONT ? "front" : "back");
	char path[4096];
	FILE *f = NULL;
	if (!rc && snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
		rc = KYC_ERR_INVALID;
	if (!rc && !(f = fopen(path, "wb")))
		rc = KYC_ERR_IO;
	if (f && (fwrite(jpeg, 1, len, f) != len) + (fclose(f) != 0))
		rc = KYC_ERR_IO;
	free(jpeg);
	return rc;
}

/* Makes card i contradict its national number: the printed birth date a
 * year off (odd i) or the other gender (even i). */
static void contradict(struct kyc_egnid_card *c, int i)
{
	if (i % 2) {
		long y = strtol(c->birth_date, NULL, 10) - 1;
		char year[8];
		snprintf(year, sizeof year, "%04ld", y % 10000);
		memcpy(c->birth_date, year, 4);
	} else {
		snprintf(c->gender, sizeof c->gender, "%s", strcmp(c->gender, "ذكر") ? "ذكر" : "أنثى");
	}
}

int kyc_synth_cards(const char *dir, uint64_t count, uint64_t seed, int level, int contradictions,
		    int sheet)
{
	struct kyc_synth_card_opts opts = {.sheet_rate = sheet ? KYC_SYNTH_SHEET_RATE : 0};
	char tmp[4096], dst[4096];
	if (snprintf(tmp, sizeof tmp, "%s/truth.jsonl.tmp", dir) >= (int)sizeof tmp ||
	    snprintf(dst, sizeof dst, "%s/truth.jsonl", dir) >= (int)sizeof dst)
		return KYC_ERR_INVALID;
	FILE *tf = fopen(tmp, "w");
	if (!tf) {
		fprintf(stderr, "kycd synth: cannot write %s: %s\n", tmp, strerror(errno));
		return KYC_ERR_IO;
	}
	kyc_buf line;
	kyc_buf_init(&line, TRUTH_LINE_MAX);
	int rc = 0;
	for (uint64_t i = 1; i <= count && !rc; i++) {
		struct kyc_egnid_card card;
		struct kyc_synth_card_shot shots[2];
		char files[2][32];
		kyc_synth_egnid_card(seed, (int)i, &card);
		if (contradictions)
			contradict(&card, (int)i);
		rc = write_side(dir, seed, (int)i, level, KYC_CARD_FRONT, &card, &opts, &shots[0],
				files[0], sizeof files[0]);
		if (!rc)
			rc = write_side(dir, seed, (int)i, level, KYC_CARD_BACK, &card, &opts, &shots[1],
					files[1], sizeof files[1]);
		kyc_buf_reset(&line);
		const char *names[2] = {files[0], files[1]};
		if (!rc)
			rc = kyc_synth_egnid_truth_json(&card, seed, (int)i, shots, names, &line);
		if (!rc && fwrite(line.data, 1, line.len, tf) != line.len)
			rc = KYC_ERR_IO;
	}
	kyc_buf_release(&line);
	return kyc_cli_file_finish(tf, tmp, dst, rc);
}
