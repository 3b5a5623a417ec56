/* Two-dimensional barcodes: finding and decoding PDF417 (the back of North
 * American driving licences, docs/dl.md) and QR codes in a grayscale image,
 * and encoding them for the generator. A thin C interface over zxing-cpp
 * (Debian libzxing-dev, barcode_zxing.cpp): the only C++ in kycd, because no
 * C library in Debian reads PDF417. Pure computation on pixels and bytes; no
 * HTTP, no database. Thread-safe (each call has its own state).
 *
 * Every read runs in a child process (core/isolate.h): zxing-cpp 1.4 reads
 * out of bounds on some pictures (zxing-cpp#517, docs/dl.md), and a fault,
 * an abort or a hang there costs that read (no symbol, a warning logged
 * without the pixels), never the server. A caller that reads many times
 * (a licence's side, dl_scan.c) runs all its reads in one child of
 * its own instead, where these fork no more (core/isolate.h). */
#ifndef KYC_BARCODE_H
#define KYC_BARCODE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Symbologies, as a bit set for kyc_barcode_read. */
enum kyc_barcode_format {
	KYC_BARCODE_PDF417 = 1,
	KYC_BARCODE_QR = 2,
};

/* Most symbols one read returns, and most bytes one symbol may carry (a
 * PDF417 holds at most 1850 text characters; a QR code 2953 bytes). */
#define KYC_BARCODE_MAX 4
#define KYC_BARCODE_MAX_BYTES 4096

/* One decoded symbol: its bytes exactly as encoded (no character set
 * conversion; data[len] is a NUL for convenience, but the data may hold
 * NULs of its own), and its corners in the image (top-left, top-right,
 * bottom-right, bottom-left of the symbol as read). */
struct kyc_barcode {
	enum kyc_barcode_format format;
	unsigned char data[KYC_BARCODE_MAX_BYTES + 1];
	size_t len;
	double quad[4][2];
};

/* Finds and decodes the symbols of formats (a set of kyc_barcode_format)
 * in a w x h grayscale raster (stride bytes per row), at any of the four
 * quarter turns, and fills out[0..max-1]. Returns how many were decoded
 * (0 when none; symbols longer than KYC_BARCODE_MAX_BYTES are skipped), or
 * KYC_ERR_NOMEM or KYC_ERR_INVALID (bad arguments). */
int kyc_barcode_read(const unsigned char *gray, int w, int h, int stride, unsigned formats,
		     struct kyc_barcode *out, int max);

/* How kyc_barcode_read_hinted reads, a bit set. */
enum kyc_barcode_hint {
	/* one threshold for the whole picture (zxing's global histogram)
	 * instead of the local one: a sharpened small symbol whose local
	 * threshold splits its blurred one-module elements wrongly (docs/dl.md) */
	KYC_BARCODE_GLOBAL_BINARIZER = 1,
};

/* kyc_barcode_read with hints (a set of kyc_barcode_hint). A read whose
 * child crashed or timed out returns 0 (no symbol); one whose child could
 * not be started, KYC_ERR_IO. */
int kyc_barcode_read_hinted(const unsigned char *gray, int w, int h, int stride, unsigned formats,
			    unsigned hints, struct kyc_barcode *out, int max);

/* Where reads run (kyc_barcode_set_isolated), process-wide. */
enum kyc_barcode_isolation {
	/* in the caller's process: UNSAFE, a fault in zxing then takes the
	 * process down; for benchmarks and fuzzing, or
	 * KYCD_UNSAFE_BARCODE_IN_PROCESS=1 in the environment */
	KYC_BARCODE_IN_PROCESS = 0,
	/* the default: in a child process, one per read or one per caller
	 * that groups its reads (a licence's side) */
	KYC_BARCODE_ISOLATED = 1,
	/* a child for every read, grouped or not: what grouping saves
	 * (bench/dl/isolate.c) */
	KYC_BARCODE_ISOLATED_EACH_READ = 2,
};
void kyc_barcode_set_isolated(enum kyc_barcode_isolation mode);
enum kyc_barcode_isolation kyc_barcode_isolated(void);

/* Encodes len bytes of data (each byte one character, ISO 8859-1) as a
 * symbol of format, with error correction level ecc (PDF417: 0..8, or -1
 * for the library's default; QR codes: -1 only), and returns its
 * modules: *modules (malloc'd, the caller frees) is *w x *h bytes, 1 for a
 * dark module, with no quiet zone. A PDF417 module is one row of
 * the symbol's rows tall (draw each row three or four times as tall as
 * wide). 0, KYC_ERR_INVALID (data the symbology cannot hold), KYC_ERR_NOMEM. */
int kyc_barcode_encode(enum kyc_barcode_format format, const unsigned char *data, size_t len,
		       int ecc, unsigned char **modules, int *w, int *h);

#ifdef __cplusplus
}
#endif

#endif
