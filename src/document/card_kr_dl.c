#include "document/card_kr_dl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "document/card.h"

/* The regions a licence number starts with: the provincial police
 * agencies' codes (11 Seoul, 12 Busan, 13 Gyeonggi, 14 Gangwon, 15-16
 * Chungcheong, 17-18 Jeolla, 19-20 Gyeongsang, 21 Jeju, 22 Daegu, 23
 * Incheon, 24 Gwangju, 25 Daejeon, 26 Ulsan, 28 northern Gyeonggi). */
static int region_known(int code)
{
	return (code >= 11 && code <= 26) || code == 28;
}

/* Tesseract's confidence from which a number of the right form is taken. */
#define KRDL_ACCEPT_CONF 60

int kyc_krdl_number(const char *text, char out[16])
{
	char d[13];
	int n = 0, dashes = 0;
	for (const char *p = text; p && *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == 12)
				return -1;
			d[n++] = *p;
		} else if (*p == '-') {
			/* a dash only between the groups: twelve digits alone may be
			 * another card's number (some US states' are all digits) */
			if (n != 2 && n != 4 && n != 10)
				return -1;
			dashes++;
		}
	}
	if (n != 12 || dashes < 2 || !region_known((d[0] - '0') * 10 + d[1] - '0'))
		return -1;
	snprintf(out, 16, "%.2s-%.2s-%.6s-%.2s", d, d + 2, d + 4, d + 10);
	return 0;
}

json_t *kyc_krdl_read(const struct kyc_image *front, int *err)
{
	double t0 = kyc_mono_ms();
	*err = 0;
	struct kyc_card_result *res = calloc(1, sizeof *res);
	json_t *x = NULL;
	if (!res)
		goto nomem;
	int rc = kyc_card_read(front, &kyc_card_tpl_kr_dl, KYC_CARD_FRONT, res);
	if (rc == KYC_ERR_NOMEM)
		goto nomem;
	const char *reason = rc == KYC_ERR_UNSUPPORTED ? "ocr_unavailable"
			     : rc			 ? "unread"
							 : res->reason;
	const struct kyc_card_value *v = &res->values[0];
	char num[16] = "";
	int form = !rc && res->found && v->read && !kyc_krdl_number(v->text, num);
	json_t *f = json_pack("{s:s?, s:b, s:b, s:s, s:i}", "value",
			      form ? num : (!rc && v->read ? v->text : NULL), "read", !rc && v->read,
			      "accepted", form && v->conf >= KRDL_ACCEPT_CONF, "source", "viz",
			      "confidence", rc ? 0 : v->conf);
	/* the name: Hangul syllables only (U+AC00..U+D7A3, three UTF-8 bytes
	 * each from 0xEA 0xB0 0x80 to 0xED 0x9E 0xA3), two to five of them */
	const struct kyc_card_value *nv = &res->values[1];
	size_t nl = strlen(nv->text);
	int hangul = !rc && nv->read && nl >= 6 && nl <= 15 && nl % 3 == 0;
	for (size_t k = 0; hangul && k < nl; k += 3)
		hangul = (unsigned char)nv->text[k] >= 0xEA && (unsigned char)nv->text[k] <= 0xED;
	json_t *name = json_pack("{s:s?, s:b, s:b, s:s, s:i}", "value",
				 !rc && nv->read ? nv->text : NULL, "read", !rc && nv->read,
				 "accepted", hangul && nv->conf >= KRDL_ACCEPT_CONF, "source", "viz",
				 "confidence", rc ? 0 : nv->conf);
	x = json_pack("{s:s, s:b, s:s?, s:b, s:{s:o, s:o}, s:f}", "document_type", "kr_dl",
		      "found", !rc && res->found, "reason", reason, "upside_down",
		      res->upside_down, "fields", "licence_number", f, "name", name, "ms",
		      round((kyc_mono_ms() - t0) * 10) / 10);
	if (!x)
		goto nomem;
	free(res);
	return x;
nomem:
	free(res);
	*err = KYC_ERR_NOMEM;
	return NULL;
}
