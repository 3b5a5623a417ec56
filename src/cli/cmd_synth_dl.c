/* kycd synth --kind dl-aamva: specimen driving licences, each as a front and
 * a back photo (the back with a real PDF417 of its AAMVA data), with
 * truth.jsonl (docs/dl.md). Called by cmd_synth.c, which owns the common
 * options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "document/synth_dl.h"

/* Draws, photographs and writes one side of card i as DIR/NNNNNN_<side>.jpg. */
static int dl_side(const char *dir, uint64_t seed, int i, int level, enum kyc_card_side side,
		   const struct kyc_dl_card *card, struct kyc_synth_card_shot *shot, char file[32])
{
	struct kyc_synth_image img;
	unsigned char *jpeg = NULL;
	size_t len = 0;
	kyc_buf path;
	kyc_buf_init(&path, 4096);
	snprintf(file, 32, "%06d_%s.jpg", i % 1000000, side == KYC_CARD_FRONT ? "front" : "back");
	int rc = kyc_synth_dl_render(seed, i, level, side, card, shot, &img);
	if (!rc) {
		rc = kyc_synth_jpeg(&img, shot->quality, &jpeg, &len);
		kyc_synth_image_release(&img);
	}
	if (!rc)
		rc = kyc_buf_printf(&path, "%s/%s", dir, file);
	FILE *f = rc ? NULL : fopen(path.data, "wb");
	if (!rc && !f)
		rc = KYC_ERR_IO;
	if (f && (fwrite(jpeg, 1, len, f) != len) + (fclose(f) != 0))
		rc = KYC_ERR_IO;
	kyc_buf_release(&path);
	free(jpeg);
	return rc;
}

int kyc_synth_dl_cards(const char *dir, uint64_t count, uint64_t seed, int level)
{
	kyc_buf tmp, dst, line;
	kyc_buf_init(&tmp, 4096);
	kyc_buf_init(&dst, 4096);
	kyc_buf_init(&line, 64 * 1024);
	int rc = kyc_buf_printf(&tmp, "%s/truth.jsonl.tmp", dir);
	if (!rc)
		rc = kyc_buf_printf(&dst, "%s/truth.jsonl", dir);
	FILE *tf = rc ? NULL : fopen(tmp.data, "w");
	if (!rc && !tf) {
		fprintf(stderr, "kycd synth: cannot write %s: %s\n", tmp.data, strerror(errno));
		rc = KYC_ERR_IO;
	}
	for (uint64_t i = 1; i <= count && !rc; i++) {
		struct kyc_dl_card card;
		struct kyc_synth_card_shot shots[2];
		char files[2][32];
		kyc_synth_dl_card(seed, (int)i, &card);
		rc = dl_side(dir, seed, (int)i, level, KYC_CARD_FRONT, &card, &shots[0], files[0]);
		if (!rc)
			rc = dl_side(dir, seed, (int)i, level, KYC_CARD_BACK, &card, &shots[1], files[1]);
		const char *names[2] = {files[0], files[1]};
		kyc_buf_reset(&line);
		if (!rc)
			rc = kyc_synth_dl_truth_json(&card, seed, (int)i, shots, names, &line);
		if (!rc && fwrite(line.data, 1, line.len, tf) != line.len)
			rc = KYC_ERR_IO;
	}
	if (tf)
		rc = kyc_cli_file_finish(tf, tmp.data, dst.data, rc);
	kyc_buf_release(&tmp);
	kyc_buf_release(&dst);
	kyc_buf_release(&line);
	return rc;
}
