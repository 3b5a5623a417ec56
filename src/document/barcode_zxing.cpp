/* The C interface of barcode.h over zxing-cpp 1.4 (Debian 12's libzxing-dev).
 *
 * Why C++: kycd is C17, but no library in Debian reads PDF417 from C (zbar
 * reads QR codes and linear barcodes, not PDF417; libdmtx only Data Matrix),
 * and the back of a North American driving licence is a PDF417. zxing-cpp
 * is maintained, packaged and reads both PDF417 and QR. This file is the
 * one C++ translation unit allowed in the project: it only converts between
 * C buffers and zxing's types, catches every exception at the boundary (none
 * may unwind into C), and holds no state between calls. */
#define ZX_USE_UTF8 /* the 1.4 headers warn without it; kycd reads bytes() only */
#include "document/barcode.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/ReadBarcode.h>

extern "C" {
#include "core/err.h"
#include "core/isolate.h"
#include "core/log.h"
}

/* How long one read may take in its child before it is killed: a read takes
 * tens of ms in a release build and under a second under AddressSanitizer on
 * a loaded machine; a hang holds its worker this long. */
#define READ_TIMEOUT_MS 15000

static ZXing::BarcodeFormats zx_formats(unsigned formats)
{
	ZXing::BarcodeFormats f;
	if (formats & KYC_BARCODE_PDF417)
		f |= ZXing::BarcodeFormat::PDF417;
	if (formats & KYC_BARCODE_QR)
		f |= ZXing::BarcodeFormat::QRCode;
	return f;
}

extern "C" int kyc_barcode_read(const unsigned char *gray, int w, int h, int stride,
				unsigned formats, struct kyc_barcode *out, int max)
{
	return kyc_barcode_read_hinted(gray, w, h, stride, formats, 0, out, max);
}

/* zxing's read itself; may fault on a crafted picture (zxing-cpp#517). */
static int zx_read(const unsigned char *gray, int w, int h, int stride, unsigned formats,
		   unsigned hints_set, struct kyc_barcode *out, int max)
{
	try {
		ZXing::ImageView view(gray, w, h, ZXing::ImageFormat::Lum, stride);
		/* tryHarder and tryRotate are the library's defaults: a licence
		 * photographed upside down or on its side still reads. */
		ZXing::DecodeHints hints;
		hints.setFormats(zx_formats(formats)).setMaxNumberOfSymbols((uint8_t)max);
		if (hints_set & KYC_BARCODE_GLOBAL_BINARIZER)
			hints.setBinarizer(ZXing::Binarizer::GlobalHistogram);
		ZXing::Results results = ZXing::ReadBarcodes(view, hints);
		int n = 0;
		for (const ZXing::Result &r : results) {
			if (n >= max)
				break;
			if (!r.isValid())
				continue;
			const ZXing::ByteArray &bytes = r.bytes();
			if (bytes.size() > KYC_BARCODE_MAX_BYTES)
				continue;
			struct kyc_barcode *b = &out[n++];
			b->format = r.format() == ZXing::BarcodeFormat::PDF417 ? KYC_BARCODE_PDF417
									       : KYC_BARCODE_QR;
			b->len = bytes.size();
			if (b->len)
				memcpy(b->data, bytes.data(), b->len);
			b->data[b->len] = 0;
			const ZXing::Position &p = r.position();
			for (int i = 0; i < 4; i++) {
				b->quad[i][0] = p[i].x;
				b->quad[i][1] = p[i].y;
			}
		}
		return n;
	} catch (const std::bad_alloc &) {
		return KYC_ERR_NOMEM;
	} catch (...) {
		return KYC_ERR_INVALID;
	}
}

struct read_args {
	const unsigned char *gray;
	int w, h, stride, max;
	unsigned formats, hints;
};

/* In the child: the read into out (max symbols), its count as the status. */
static int read_child(void *arg, void *out, size_t out_len)
{
	const struct read_args *a = (const struct read_args *)arg;
	return zx_read(a->gray, a->w, a->h, a->stride, a->formats, a->hints,
		       (struct kyc_barcode *)out, a->max);
}

/* -1 unset: KYCD_UNSAFE_BARCODE_IN_PROCESS=1 in the environment reads in
 * the process (docs/security.md). */
static int mode = -1;

extern "C" void kyc_barcode_set_isolated(enum kyc_barcode_isolation m)
{
	__atomic_store_n(&mode, (int)m, __ATOMIC_RELAXED);
}

extern "C" enum kyc_barcode_isolation kyc_barcode_isolated(void)
{
	int v = __atomic_load_n(&mode, __ATOMIC_RELAXED);
	if (v < 0) {
		const char *e = getenv("KYCD_UNSAFE_BARCODE_IN_PROCESS");
		v = e && !strcmp(e, "1") ? KYC_BARCODE_IN_PROCESS : KYC_BARCODE_ISOLATED;
		__atomic_store_n(&mode, v, __ATOMIC_RELAXED);
	}
	return (enum kyc_barcode_isolation)v;
}

extern "C" int kyc_barcode_read_hinted(const unsigned char *gray, int w, int h, int stride,
				       unsigned formats, unsigned hints_set,
				       struct kyc_barcode *out, int max)
{
	if (!gray || w <= 0 || h <= 0 || stride < w || !out || max <= 0 ||
	    !(formats & (KYC_BARCODE_PDF417 | KYC_BARCODE_QR)))
		return KYC_ERR_INVALID;
	if (kyc_barcode_isolated() == KYC_BARCODE_IN_PROCESS)
		return zx_read(gray, w, h, stride, formats, hints_set, out, max);
	struct read_args a = {gray, w, h, stride, max, formats, hints_set};
	int n = 0;
	int rc = kyc_isolate_run(read_child, &a, out, (size_t)max * sizeof *out, READ_TIMEOUT_MS, &n);
	if (rc == KYC_ISOLATE_CRASHED || rc == KYC_ISOLATE_TIMEOUT) {
		/* the picture's size only: never its pixels */
		kyc_logf(KYC_LOG_WARN, "barcode read %s in its child process (%dx%d picture); no symbol taken",
			 kyc_isolate_name(rc), w, h);
		return 0;
	}
	if (rc)
		kyc_logf(KYC_LOG_WARN, "barcode read not started: %s", kyc_isolate_name(rc));
	return rc ? rc : n;
}

extern "C" int kyc_barcode_encode(enum kyc_barcode_format format, const unsigned char *data,
				  size_t len, int ecc, unsigned char **modules, int *w, int *h)
{
	*modules = NULL;
	*w = *h = 0;
	if ((format != KYC_BARCODE_PDF417 && format != KYC_BARCODE_QR) || (!data && len) ||
	    len > KYC_BARCODE_MAX_BYTES || ecc < -1 || ecc > 8 || (format == KYC_BARCODE_QR && ecc != -1))
		return KYC_ERR_INVALID;
	try {
		/* One character per byte: the std::string overload would take the
		 * bytes for UTF-8 and drop those that are not. */
		std::wstring text(data, data + len);
		ZXing::MultiFormatWriter writer(format == KYC_BARCODE_PDF417
							? ZXing::BarcodeFormat::PDF417
							: ZXing::BarcodeFormat::QRCode);
		writer.setEncoding(ZXing::CharacterSet::ISO8859_1).setMargin(0);
		if (ecc >= 0)
			writer.setEccLevel(ecc);
		ZXing::BitMatrix m = writer.encode(text, 0, 0);
		if (m.width() <= 0 || m.height() <= 0)
			return KYC_ERR_INVALID;
		unsigned char *px = (unsigned char *)malloc((size_t)m.width() * (size_t)m.height());
		if (!px)
			return KYC_ERR_NOMEM;
		for (int y = 0; y < m.height(); y++)
			for (int x = 0; x < m.width(); x++)
				px[(size_t)y * (size_t)m.width() + (size_t)x] = m.get(x, y) ? 1 : 0;
		*modules = px;
		*w = m.width();
		*h = m.height();
		return 0;
	} catch (const std::bad_alloc &) {
		return KYC_ERR_NOMEM;
	} catch (...) {
		/* zxing throws std::invalid_argument for data its symbology
		 * cannot hold (too long, an ecc level out of range). */
		return KYC_ERR_INVALID;
	}
}
