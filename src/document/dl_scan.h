/* A licence side's barcodes (docs/dl.md): the picture read by zxing as it
 * is, then the card found and rectified, its barcode box cut out and
 * sharpened, the PDF417 redrawn from its grid (pdf417_grid.h), the picture
 * turned, and the symbol found by its own look (pdf417_find.h), until an
 * AAMVA PDF417 is read. The whole scan runs in a child process
 * (core/isolate.h). Used by kyc_dl_read (card_dl_aamva.h). */
#ifndef KYC_DL_SCAN_H
#define KYC_DL_SCAN_H

#include "document/aamva.h"
#include "document/barcode.h"
#include "document/image.h"

/* Flat (no pointers): a side's scan comes back from its child process. */
struct kyc_dl_scan {
	int have_aamva;
	char why[24];     /* the AAMVA parser's code for the last PDF417 refused */
	double module_px; /* a PDF417's module in the picture, px; 0: none seen */
	double module_mm; /* the same on the card, mm */
	unsigned hints;   /* kyc_barcode_hint of the reads */
	int nqr;
	struct kyc_aamva aamva;
	struct kyc_barcode qr[KYC_BARCODE_MAX];
};

/* Scans img into s (zeroed by the caller before the first side; a second
 * side adds to it): its AAMVA data when a PDF417 decodes and parses, the QR
 * codes, the module of a symbol seen. Run in a child process when
 * kyc_barcode_isolated() says so: a child that crashed or timed out leaves
 * s as it was (logged). 0 or KYC_ERR_NOMEM. */
int kyc_dl_scan_side(const struct kyc_image *img, struct kyc_dl_scan *s);

#endif
