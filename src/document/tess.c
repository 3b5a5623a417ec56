#include "document/tess.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "core/err.h"

static const char *const model_name[KYC_TESS_NSCRIPTS] = {"ara", "Arabic", "eng", "kor"};

/* The handles of one thread, freed by the key's destructor at thread exit. */
struct tess_thread {
	TessBaseAPI *api[KYC_TESS_NSCRIPTS];
	int failed[KYC_TESS_NSCRIPTS]; /* the model could not be loaded: do not retry */
};

static pthread_key_t tess_key;
static pthread_once_t tess_once = PTHREAD_ONCE_INIT;

static void tess_thread_free(void *p)
{
	struct tess_thread *t = p;
	if (!t)
		return;
	for (int i = 0; i < KYC_TESS_NSCRIPTS; i++)
		if (t->api[i]) {
			TessBaseAPIEnd(t->api[i]);
			TessBaseAPIDelete(t->api[i]);
		}
	free(t);
}

static void tess_key_make(void)
{
	(void)pthread_key_create(&tess_key, tess_thread_free);
	/* Leptonica (under Tesseract) reports what it skips on stderr, image by
	 * image ("box outside rectangle"): noise in a server's log. */
	setMsgSeverity(L_SEVERITY_NONE);
}

void kyc_tess_thread_release(void)
{
	pthread_once(&tess_once, tess_key_make);
	tess_thread_free(pthread_getspecific(tess_key));
	pthread_setspecific(tess_key, NULL);
}

static TessBaseAPI *thread_api(enum kyc_tess_script script, int *rc)
{
	pthread_once(&tess_once, tess_key_make);
	struct tess_thread *t = pthread_getspecific(tess_key);
	if (!t) {
		t = calloc(1, sizeof *t);
		if (!t || pthread_setspecific(tess_key, t) != 0) {
			free(t);
			*rc = KYC_ERR_NOMEM;
			return NULL;
		}
	}
	if (t->api[script])
		return t->api[script];
	if (t->failed[script]) {
		*rc = KYC_ERR_UNSUPPORTED;
		return NULL;
	}
	TessBaseAPI *api = TessBaseAPICreate();
	if (!api) {
		*rc = KYC_ERR_NOMEM;
		return NULL;
	}
	/* Tesseract's diagnostics would go to stderr for every crop. */
	char *names[] = {"debug_file"}, *values[] = {"/dev/null"};
	if (TessBaseAPIInit4(api, NULL, model_name[script], OEM_LSTM_ONLY, NULL, 0, names, values,
			     1, 0) != 0) {
		TessBaseAPIDelete(api);
		t->failed[script] = 1;
		*rc = KYC_ERR_UNSUPPORTED;
		return NULL;
	}
	TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
	t->api[script] = api;
	return api;
}

/* Copies src into dst (cap bytes) with white space runs as one space, trimmed. */
static void squeeze(const char *src, char *dst, size_t cap)
{
	size_t n = 0;
	int space = 0;
	for (const char *p = src; *p && n + 1 < cap; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == '\f') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < cap)
			dst[n++] = ' ';
		space = 0;
		dst[n++] = *p;
	}
	/* Never end inside a UTF-8 sequence cut by the cap: back up to the
	 * lead byte of the last sequence and keep it only when it is whole. */
	size_t lead = n;
	while (lead > 0 && ((unsigned char)dst[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead > 0 && (unsigned char)dst[lead - 1] >= 0xC0) {
		unsigned char c = (unsigned char)dst[lead - 1];
		size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (n - (lead - 1) < need)
			n = lead - 1;
	}
	dst[n] = 0;
}

/* This thread's handle for script with the image set and the character set
 * (NULL: all) chosen; NULL with *rc set when the arguments or the model fail. */
static TessBaseAPI *prepared(enum kyc_tess_script script, const unsigned char *gray, int w,
			     int h, int stride, const char *charset, int *rc)
{
	*rc = KYC_ERR_INVALID;
	if (!gray || w < 4 || h < 4 || stride < w || (unsigned)script >= KYC_TESS_NSCRIPTS)
		return NULL;
	*rc = 0;
	TessBaseAPI *api = thread_api(script, rc);
	if (!api)
		return NULL;
	/* An empty whitelist means every character of the model. */
	TessBaseAPISetVariable(api, "tessedit_char_whitelist", charset ? charset : "");
	TessBaseAPISetImage(api, gray, w, h, 1, stride);
	TessBaseAPISetSourceResolution(api, 300);
	return api;
}

/* The recognised text of the whole crop and its mean confidence into out;
 * KYC_ERR_NOMEM when Tesseract gives no text. */
static int take_text(TessBaseAPI *api, struct kyc_tess_line *out)
{
	char *text = TessBaseAPIGetUTF8Text(api);
	if (!text)
		return KYC_ERR_NOMEM;
	squeeze(text, out->text, sizeof out->text);
	TessDeleteText(text);
	int conf = TessBaseAPIMeanTextConf(api);
	out->conf = conf < 0 ? 0 : conf > 100 ? 100 : conf;
	return 0;
}

/* Reads the crop in page segmentation mode psm; the handle is left a
 * single-line reader. */
static int read_as(enum kyc_tess_script script, TessPageSegMode psm, const unsigned char *gray,
		   int w, int h, int stride, const char *charset, struct kyc_tess_line *out)
{
	out->text[0] = 0;
	out->conf = 0;
	int rc;
	TessBaseAPI *api = prepared(script, gray, w, h, stride, charset, &rc);
	if (!api)
		return rc;
	TessBaseAPISetPageSegMode(api, psm);
	rc = take_text(api, out);
	TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
	TessBaseAPIClear(api);
	return rc;
}

int kyc_tess_read_line(enum kyc_tess_script script, const unsigned char *gray, int w, int h,
		       int stride, const char *charset, struct kyc_tess_line *out)
{
	return read_as(script, PSM_SINGLE_LINE, gray, w, h, stride, charset, out);
}

int kyc_tess_read_block(enum kyc_tess_script script, const unsigned char *gray, int w, int h,
			int stride, const char *charset, struct kyc_tess_line *out)
{
	return read_as(script, PSM_SINGLE_BLOCK, gray, w, h, stride, charset, out);
}

int kyc_tess_read_symbols(enum kyc_tess_script script, const unsigned char *gray, int w, int h,
			  int stride, const char *charset, struct kyc_tess_line *out,
			  struct kyc_tess_symbols *syms)
{
	out->text[0] = 0;
	out->conf = 0;
	syms->n = 0;
	int rc;
	TessBaseAPI *api = prepared(script, gray, w, h, stride, charset, &rc);
	if (!api)
		return rc;
	rc = TessBaseAPIRecognize(api, NULL) == 0 ? 0 : KYC_ERR_NOMEM;
	if (!rc)
		rc = take_text(api, out);
	TessResultIterator *it = rc ? NULL : TessBaseAPIGetIterator(api);
	if (it) {
		const TessPageIterator *pi = TessResultIteratorGetPageIteratorConst(it);
		do {
			char *t = TessResultIteratorGetUTF8Text(it, RIL_SYMBOL);
			if (!t)
				continue;
			struct kyc_tess_symbol *s = &syms->sym[syms->n];
			snprintf(s->text, sizeof s->text, "%s", t);
			TessDeleteText(t);
			int *x = s->box;
			if (!s->text[0] || !TessPageIteratorBoundingBox(pi, RIL_SYMBOL, &x[0],
									&x[1], &x[2], &x[3]))
				continue;
			s->word_end = TessPageIteratorIsAtFinalElement(pi, RIL_WORD, RIL_SYMBOL);
			int *wb = s->word;
			if (!TessPageIteratorBoundingBox(pi, RIL_WORD, &wb[0], &wb[1], &wb[2],
							 &wb[3]))
				memcpy(wb, x, sizeof s->word);
			syms->n++;
		} while (syms->n < KYC_TESS_SYMBOLS && TessResultIteratorNext(it, RIL_SYMBOL));
		TessResultIteratorDelete(it);
	}
	TessBaseAPIClear(api);
	return rc;
}

int kyc_tess_read_page(enum kyc_tess_script script, const unsigned char *gray, int w, int h,
		       int stride, struct kyc_tess_page *out)
{
	out->n = 0;
	int rc;
	TessBaseAPI *api = prepared(script, gray, w, h, stride, NULL, &rc);
	if (!api)
		return rc;
	TessBaseAPISetPageSegMode(api, PSM_SPARSE_TEXT);
	rc = TessBaseAPIRecognize(api, NULL) == 0 ? 0 : KYC_ERR_NOMEM;
	TessResultIterator *it = rc ? NULL : TessBaseAPIGetIterator(api);
	if (it) {
		do {
			char *text = TessResultIteratorGetUTF8Text(it, RIL_TEXTLINE);
			if (!text)
				continue;
			struct kyc_tess_line *L = &out->line[out->n];
			squeeze(text, L->text, sizeof L->text);
			TessDeleteText(text);
			if (!L->text[0])
				continue;
			float conf = TessResultIteratorConfidence(it, RIL_TEXTLINE);
			L->conf = conf < 0 ? 0 : conf > 100 ? 100 : (int)conf;
			int *b = out->box[out->n];
			TessPageIteratorBoundingBox(TessResultIteratorGetPageIteratorConst(it),
						    RIL_TEXTLINE, &b[0], &b[1], &b[2], &b[3]);
			out->n++;
		} while (out->n < KYC_TESS_PAGE_LINES && TessResultIteratorNext(it, RIL_TEXTLINE));
		TessResultIteratorDelete(it);
	}
	/* the handle stays a single-line reader for kyc_tess_read_line */
	TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
	TessBaseAPIClear(api);
	return rc;
}
