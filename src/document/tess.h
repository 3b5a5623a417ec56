/* Field-by-field text recognition with Tesseract (libtesseract's C API,
 * LSTM engine), for the printed fields of card faces (docs/card.md).
 *
 * One crop is one line of text: recognised in single-line mode, optionally
 * restricted to a character set, and answered with its mean confidence.
 * Tesseract handles are expensive to create (their model is loaded from
 * tessdata), so each thread keeps one per script, created on first use and
 * kept until kyc_tess_thread_release() or the thread's end. The models come
 * from Debian packages: tesseract-ocr-ara ("ara", the Arabic language),
 * tesseract-ocr-script-arab ("Arabic", the script: Arabic, Persian, Urdu)
 * tesseract-ocr-eng ("eng") and tesseract-ocr-kor ("kor"); TESSDATA_PREFIX overrides where they are
 * looked for. Neither Arabic model reads Eastern Arabic digits well: see
 * edigits.h. */
#ifndef KYC_TESS_H
#define KYC_TESS_H

#include <stddef.h>

enum kyc_tess_script {
	KYC_TESS_ARA,    /* the Arabic language model */
	KYC_TESS_ARABIC, /* the Arabic script model, a second opinion */
	KYC_TESS_LATIN,  /* English letters and Western digits */
	KYC_TESS_KOR,    /* Korean (tesseract-ocr-kor): Hangul names */
	KYC_TESS_NSCRIPTS
};

/* One recognised line: UTF-8 text with runs of white space made one space and
 * the ends trimmed, and Tesseract's mean confidence (0..100). */
struct kyc_tess_line {
	char text[256];
	int conf;
};

/* Recognises the one line of text in a grayscale crop (w x h pixels, stride
 * bytes a row; dark text on a light ground) with the script's model.
 * charset, when not NULL, is the UTF-8 set of characters the answer may use
 * (a space is always allowed). 0; KYC_ERR_INVALID for an empty crop;
 * KYC_ERR_UNSUPPORTED when the script's model is not installed;
 * KYC_ERR_NOMEM. On error out->text is "" and out->conf 0. */
int kyc_tess_read_line(enum kyc_tess_script script, const unsigned char *gray, int w, int h,
		       int stride, const char *charset, struct kyc_tess_line *out);

/* The same, the crop read as a block of text (Tesseract's single-block
 * page segmentation) rather than as one line: a second opinion that
 * reads short words the line mode drops whole at some sizes. The lines
 * found are joined by one space. Errors as kyc_tess_read_line. */
int kyc_tess_read_block(enum kyc_tess_script script, const unsigned char *gray, int w, int h,
			int stride, const char *charset, struct kyc_tess_line *out);

/* One letter of a line read by kyc_tess_read_symbols. */
struct kyc_tess_symbol {
	char text[8]; /* UTF-8 */
	int box[4];   /* left, top, right, bottom: pixels of the crop given */
	int word_end; /* the last letter of its word (in reading order) */
	int word[4];  /* its word's box, as box */
};

#define KYC_TESS_SYMBOLS 96
/* A line's letters in reading order. */
struct kyc_tess_symbols {
	int n;
	struct kyc_tess_symbol sym[KYC_TESS_SYMBOLS];
};

/* kyc_tess_read_line, with where each letter is: the same text (the
 * letters past KYC_TESS_SYMBOLS left out of *syms). Errors as
 * kyc_tess_read_line; syms->n is 0 on error. */
int kyc_tess_read_symbols(enum kyc_tess_script script, const unsigned char *gray, int w, int h,
			  int stride, const char *charset, struct kyc_tess_line *out,
			  struct kyc_tess_symbols *syms);

/* The text lines of a page region, with where each is (pixels of the
 * image given), as Tesseract's page layout analysis finds them. */
#define KYC_TESS_PAGE_LINES 48
struct kyc_tess_page {
	int n;
	struct kyc_tess_line line[KYC_TESS_PAGE_LINES];
	int box[KYC_TESS_PAGE_LINES][4]; /* left, top, right, bottom */
};

/* Finds and recognises the lines of text in a grayscale image (sparse text:
 * labels and values scattered over a document page) with the script's
 * model; lines past KYC_TESS_PAGE_LINES are left out. Errors as
 * kyc_tess_read_line; out->n is 0 on error. */
int kyc_tess_read_page(enum kyc_tess_script script, const unsigned char *gray, int w, int h,
		       int stride, struct kyc_tess_page *out);

/* Frees this thread's Tesseract handles (they are made again when needed). */
void kyc_tess_thread_release(void);

#endif
