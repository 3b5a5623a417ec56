/* kycd card [--kind eg-nid|dl-aamva] --front FILE [--back FILE]: reads an
 * Egyptian national ID card (the default) or a North American driving
 * licence from photos of its sides and prints the extraction object of
 * kyc_egnid_read() (docs/card.md) or kyc_dl_read() (docs/dl.md). Exit 1
 * when an image cannot be decoded or read, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/err.h"
#include "document/card_dl_aamva.h"
#include "document/card_eg_nid.h"
#include "document/tess.h"

int cmd_card(int argc, char **argv)
{
	const char *paths[2] = {NULL, NULL}, *kind = "eg-nid";
	for (int i = 1; i < argc;) {
		int m = 0;
		if ((m = kyc_opt_value(argc, argv, &i, "--front", &paths[0])) ||
		    (m = kyc_opt_value(argc, argv, &i, "--back", &paths[1])) ||
		    (m = kyc_opt_value(argc, argv, &i, "--kind", &kind))) {
			if (m < 0)
				return 2;
			continue;
		}
		paths[0] = paths[1] = NULL;
		break;
	}
	int dl = !strcmp(kind, "dl-aamva");
	if ((!paths[0] && !paths[1]) || (!dl && strcmp(kind, "eg-nid"))) {
		fprintf(stderr, "usage: kycd card [--kind eg-nid|dl-aamva] [--front FILE] [--back FILE]\n");
		return 2;
	}
	struct kyc_image img[2] = {{0}, {0}};
	int status = 0, err = 0;
	for (int i = 0; i < 2 && !status; i++) {
		const char *why = NULL;
		if (paths[i] && kyc_image_load(paths[i], NULL, &img[i], &why)) {
			fprintf(stderr, "kycd card: %s: cannot decode (%s)\n", paths[i],
				why ? why : "unreadable");
			status = 1;
		}
	}
	if (!status) {
		const struct kyc_image *f = paths[0] ? &img[0] : NULL, *b = paths[1] ? &img[1] : NULL;
		json_t *x = dl ? kyc_dl_read(f, b, &err) : kyc_egnid_read(f, b, &err);
		if (x) {
			json_dumpf(x, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(x);
		} else {
			fprintf(stderr, "kycd card: %s\n", kyc_err_name(err));
			status = 1;
		}
	}
	kyc_image_free(&img[0]);
	kyc_image_free(&img[1]);
	kyc_tess_thread_release();
	return status;
}
