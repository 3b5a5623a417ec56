/* kycd synth: writes N specimen photos (JPEG) and their truth.jsonl into a
 * directory (docs/synth.md). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "document/image.h"
#include "document/synth.h"

#define SYNTH_MAX_COUNT 1000000
#define TRUTH_LINE_MAX (64 * 1024)

/* Decimal, or for base 0 also 0x hex (and a leading 0 means octal, as strtoull). */
static int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return KYC_ERR_IO;
	int ok = fwrite(p, 1, n, f) == n;
	ok = (fclose(f) == 0) && ok;
	return ok ? 0 : KYC_ERR_IO;
}

static int usage(void)
{
	fprintf(stderr, "usage: kycd synth --out DIR --count N --seed S [--level 0|1|2] "
	                "[--format TD1|TD2|TD3|MRVA|MRVB|mixed] [--class NAME] "
	                "[--kind mrz|eg-nid|dl-aamva [--contradict] [--sheet]] [--portrait PHOTO]\n"
	                "  classes: none perspective edge light clutter watermark lowres jpeg "
	                "motion rotation print mixed nomrz\n");
	return 2;
}

int cmd_synth(int argc, char **argv)
{
	const char *out = NULL, *count_s = NULL, *seed_s = NULL, *level_s = "0",
	           *format_s = "mixed", *class_s = "none", *kind = "mrz", *portrait_s = NULL;
	int contradict = 0, sheet = 0;
	for (int i = 1; i < argc;) {
		int m = 0;
		if ((m = kyc_opt_value(argc, argv, &i, "--out", &out)) ||
		    (m = kyc_opt_value(argc, argv, &i, "--count", &count_s)) ||
		    (m = kyc_opt_value(argc, argv, &i, "--seed", &seed_s)) ||
		    (m = kyc_opt_value(argc, argv, &i, "--level", &level_s)) ||
		    (m = kyc_opt_value(argc, argv, &i, "--format", &format_s)) ||
		    (m = kyc_opt_value(argc, argv, &i, "--class", &class_s)) ||
		    (m = kyc_opt_value(argc, argv, &i, "--kind", &kind)) ||
		    (m = kyc_opt_value(argc, argv, &i, "--portrait", &portrait_s))) {
			if (m < 0)
				return 2;
			continue;
		}
		if (!strcmp(argv[i], "--contradict")) {
			contradict = 1, i++;
			continue;
		}
		if (!strcmp(argv[i], "--sheet")) {
			sheet = 1, i++;
			continue;
		}
		fprintf(stderr, "kycd synth: unknown argument '%s'\n", argv[i]);
		return usage();
	}
	uint64_t count, seed, level;
	enum kyc_synth_format format;
	enum kyc_synth_class cls;
	if (!out || !*out || parse_u64(count_s, 10, &count) || count < 1 ||
	    count > SYNTH_MAX_COUNT || parse_u64(seed_s, 0, &seed) ||
	    parse_u64(level_s, 10, &level) || level > 2 ||
	    kyc_synth_format_parse(format_s, &format) || kyc_synth_class_parse(class_s, &cls) ||
	    (strcmp(kind, "mrz") && strcmp(kind, "eg-nid") && strcmp(kind, "dl-aamva")))
		return usage();
	if (mkdir(out, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "kycd synth: cannot create %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (!strcmp(kind, "eg-nid") || !strcmp(kind, "dl-aamva")) {
		int crc = !strcmp(kind, "eg-nid")
		              ? kyc_synth_cards(out, count, seed, (int)level, contradict, sheet)
		              : kyc_synth_dl_cards(out, count, seed, (int)level);
		if (crc)
			fprintf(stderr, "kycd synth: failed: %s\n", kyc_err_name(crc));
		else
			fprintf(stderr, "kycd synth: wrote %llu cards (front and back) and truth.jsonl to %s\n",
			        (unsigned long long)count, out);
		return crc ? 1 : 0;
	}

	/* A real photo as every document's portrait (docs/synth.md): a face
	 * with known ground truth for the face engine. */
	struct kyc_image photo = {0};
	struct kyc_synth_image ph = {0};
	if (portrait_s) {
		struct kyc_image_opts po = {.want_rgb = 1};
		const char *why = NULL;
		if (kyc_image_load(portrait_s, &po, &photo, &why) != 0) {
			fprintf(stderr, "kycd synth: cannot read the portrait %s: %s\n", portrait_s,
			        why ? why : "unreadable");
			return 1;
		}
		ph = (struct kyc_synth_image){photo.w, photo.h, photo.rgb};
	}

	/* truth.jsonl appears whole or not at all: written aside, line by line,
	 * then renamed. */
	char tmp[4096], dst[4096];
	if (snprintf(tmp, sizeof tmp, "%s/truth.jsonl.tmp", out) >= (int)sizeof tmp ||
	    snprintf(dst, sizeof dst, "%s/truth.jsonl", out) >= (int)sizeof dst)
		return usage();
	FILE *tf = fopen(tmp, "w");
	if (!tf) {
		fprintf(stderr, "kycd synth: cannot write %s: %s\n", tmp, strerror(errno));
		kyc_image_free(&photo);
		return 1;
	}
	int rc = 0;
	kyc_buf line, path;
	kyc_buf_init(&line, TRUTH_LINE_MAX);
	kyc_buf_init(&path, 4096);
	for (uint64_t i = 1; i <= count && !rc; i++) {
		struct kyc_synth_doc d;
		unsigned char *jpeg = NULL;
		size_t len = 0;
		char file[32];
		snprintf(file, sizeof file, "%06llu.jpg", (unsigned long long)i);
		if (portrait_s) {
			struct kyc_synth_image img;
			rc = kyc_synth_render_portrait(seed, (int)i, (int)level, cls, format, &ph, &d,
			                               &img);
			if (!rc) {
				rc = kyc_synth_jpeg(&img, d.quality, &jpeg, &len);
				kyc_synth_image_release(&img);
			}
		} else {
			rc = kyc_synth_make_class(seed, (int)i, (int)level, cls, format, &d, &jpeg,
			                          &len);
		}
		kyc_buf_reset(&path);
		kyc_buf_reset(&line);
		if (!rc)
			rc = kyc_buf_printf(&path, "%s/%s", out, file);
		if (!rc)
			rc = write_file(path.data, jpeg, len);
		if (!rc)
			rc = kyc_synth_truth_json(&d, file, &line);
		if (!rc && fwrite(line.data, 1, line.len, tf) != line.len)
			rc = KYC_ERR_IO;
		free(jpeg);
	}
	rc = kyc_cli_file_finish(tf, tmp, dst, rc);
	kyc_buf_release(&line);
	kyc_buf_release(&path);
	kyc_image_free(&photo);
	if (rc) {
		fprintf(stderr, "kycd synth: failed: %s\n", kyc_err_name(rc));
		return 1;
	}
	fprintf(stderr, "kycd synth: wrote %llu images and truth.jsonl to %s\n",
	        (unsigned long long)count, out);
	return 0;
}
