#include "document/eg_nid.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"

/* Governorates by the code the national number carries (Egypt's civil
 * registry numbering). */
static const struct {
	int code;
	const char *en, *ar;
} governorates[] = {
	{1, "Cairo", "القاهرة"},          {2, "Alexandria", "الإسكندرية"},
	{3, "Port Said", "بورسعيد"},      {4, "Suez", "السويس"},
	{11, "Damietta", "دمياط"},        {12, "Dakahlia", "الدقهلية"},
	{13, "Sharqia", "الشرقية"},       {14, "Qalyubia", "القليوبية"},
	{15, "Kafr El Sheikh", "كفر الشيخ"}, {16, "Gharbia", "الغربية"},
	{17, "Monufia", "المنوفية"},      {18, "Beheira", "البحيرة"},
	{19, "Ismailia", "الإسماعيلية"},  {21, "Giza", "الجيزة"},
	{22, "Beni Suef", "بني سويف"},    {23, "Faiyum", "الفيوم"},
	{24, "Minya", "المنيا"},          {25, "Asyut", "أسيوط"},
	{26, "Sohag", "سوهاج"},           {27, "Qena", "قنا"},
	{28, "Aswan", "أسوان"},           {29, "Luxor", "الأقصر"},
	{31, "Red Sea", "البحر الأحمر"},  {32, "New Valley", "الوادي الجديد"},
	{33, "Matrouh", "مطروح"},         {34, "North Sinai", "شمال سيناء"},
	{35, "South Sinai", "جنوب سيناء"}, {88, "Born abroad", "خارج الجمهورية"},
};
#define NGOV (sizeof governorates / sizeof governorates[0])

const char *kyc_egnid_governorate_en(int code)
{
	for (size_t i = 0; i < NGOV; i++)
		if (governorates[i].code == code)
			return governorates[i].en;
	return NULL;
}

static double lp(const float prob[14][11], int k, int d)
{
	return log(prob[k][d] + 1e-9);
}

double kyc_egnid_number_likeliest(const float prob[14][11], char out[15])
{
	/* The parts are independent: century and birth date, governorate,
	 * then each remaining digit on its own. */
	double best_date = -INFINITY, best_gov = -INFINITY, total = 0;
	int bc = 2, by = 0, bm = 1, bd = 1, bg = 1;
	for (int c = 2; c <= 3; c++)
		for (int yy = 0; yy < 100; yy++) {
			double py = lp(prob, 0, c) + lp(prob, 1, yy / 10) + lp(prob, 2, yy % 10);
			for (int m = 1; m <= 12; m++) {
				double pm = py + lp(prob, 3, m / 10) + lp(prob, 4, m % 10);
				if (pm <= best_date)
					continue;
				int dim = kyc_egnid_days_in_month(1700 + 100 * c + yy, m);
				for (int d = 1; d <= dim; d++) {
					double p = pm + lp(prob, 5, d / 10) + lp(prob, 6, d % 10);
					if (p > best_date)
						best_date = p, bc = c, by = yy, bm = m, bd = d;
				}
			}
		}
	for (size_t i = 0; i < NGOV; i++) {
		int g = governorates[i].code;
		double p = lp(prob, 7, g / 10) + lp(prob, 8, g % 10);
		if (p > best_gov)
			best_gov = p, bg = g;
	}
	snprintf(out, 15, "%u%02u%02u%02u%02u", (unsigned)bc % 10u, (unsigned)by % 100u,
		 (unsigned)bm % 100u, (unsigned)bd % 100u, (unsigned)bg % 100u);
	total = best_date + best_gov;
	for (int k = 9; k < 14; k++) {
		int b = 0;
		for (int d = 1; d < 10; d++)
			b = prob[k][d] > prob[k][b] ? d : b;
		out[k] = (char)('0' + b);
		total += lp(prob, k, b);
	}
	out[14] = 0;
	return total;
}

const char *kyc_egnid_governorate_ar(int code)
{
	for (size_t i = 0; i < NGOV; i++)
		if (governorates[i].code == code)
			return governorates[i].ar;
	return NULL;
}

/* The value of a digit in any of the three scripts a card may use, or -1. */
static int digit_value(unsigned cp)
{
	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	if (cp >= 0x660 && cp <= 0x669) /* Eastern Arabic */
		return (int)(cp - 0x660);
	if (cp >= 0x6F0 && cp <= 0x6F9) /* Persian */
		return (int)(cp - 0x6F0);
	return -1;
}

size_t kyc_egnid_ascii_digits(const char *src, char *dst, size_t cap)
{
	size_t n = 0, len = strlen(src);
	const unsigned char *p = (const unsigned char *)src;
	while (len > 0) {
		unsigned cp;
		size_t k = kyc_utf8_next(p, len, &cp);
		p += k, len -= k;
		int d = digit_value(cp);
		if (d >= 0 && n + 1 < cap)
			dst[n++] = (char)('0' + d);
	}
	if (cap)
		dst[n < cap ? n : cap - 1] = 0;
	return n;
}

int kyc_egnid_days_in_month(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int kyc_egnid_number_decode(const char *s, size_t len, struct kyc_egnid_number *out,
			    const char **field)
{
	int dig[14], n = 0;
	const unsigned char *p = (const unsigned char *)s;
	memset(out, 0, sizeof *out);
	*field = NULL;
	while (len > 0) {
		unsigned cp;
		size_t k = kyc_utf8_next(p, len, &cp);
		p += k, len -= k;
		int d = digit_value(cp);
		if (d < 0) {
			*field = "digit";
			return KYC_ERR_INVALID;
		}
		if (n == 14) {
			*field = "length";
			return KYC_ERR_INVALID;
		}
		dig[n++] = d;
	}
	if (n != 14) {
		*field = "length";
		return KYC_ERR_INVALID;
	}
	if (dig[0] != 2 && dig[0] != 3) {
		*field = "century";
		return KYC_ERR_INVALID;
	}
	int y = 1700 + 100 * dig[0] + 10 * dig[1] + dig[2];
	int m = 10 * dig[3] + dig[4], d = 10 * dig[5] + dig[6];
	if (m < 1 || m > 12 || d < 1 || d > kyc_egnid_days_in_month(y, m)) {
		*field = "birth_date";
		return KYC_ERR_INVALID;
	}
	int g = 10 * dig[7] + dig[8];
	if (!kyc_egnid_governorate_en(g)) {
		*field = "governorate";
		return KYC_ERR_INVALID;
	}
	snprintf(out->birth_date, sizeof out->birth_date, "%04u-%02u-%02u", (unsigned)y % 10000u,
		 (unsigned)m % 100u,
		 (unsigned)d % 100u);
	out->governorate = g;
	out->sex = dig[12] % 2 ? 'M' : 'F';
	return 0;
}

char kyc_egnid_gender_sex(const char *gender)
{
	if (!strcmp(gender, "ذكر"))
		return 'M';
	if (!strcmp(gender, "أنثى") || !strcmp(gender, "انثى") || !strcmp(gender, "أنثي"))
		return 'F';
	return 0;
}

int kyc_egnid_cross_check(const struct kyc_egnid_card *c, const char **codes, int cap)
{
	int n = 0;
#define FLAG(code)                                                                                 \
	do {                                                                                       \
		if (n < cap)                                                                       \
			codes[n] = (code);                                                         \
		n++;                                                                               \
	} while (0)
	const char *num = *c->national_number ? c->national_number : c->national_number_back;
	if (*c->national_number && *c->national_number_back &&
	    strcmp(c->national_number, c->national_number_back))
		FLAG("number_front_back");
	if (*num) {
		struct kyc_egnid_number d;
		const char *why;
		if (kyc_egnid_number_decode(num, strlen(num), &d, &why)) {
			FLAG("number_invalid");
		} else {
			if (*c->birth_date && strcmp(c->birth_date, d.birth_date))
				FLAG("birth_date_mismatch");
			char sex = *c->gender ? kyc_egnid_gender_sex(c->gender) : 0;
			if (sex && sex != d.sex)
				FLAG("sex_mismatch");
		}
	}
	/* ISO dates compare as strings. */
	if (*c->issue_date && *c->expiry_date && strcmp(c->expiry_date, c->issue_date) <= 0)
		FLAG("expiry_before_issue");
	if (*c->birth_date && *c->issue_date && strcmp(c->issue_date, c->birth_date) <= 0)
		FLAG("issue_before_birth");
#undef FLAG
	return n;
}

/* ICAO Doc 9303 Part 3, transliteration of Arabic script: the letters of
 * U+0621..U+064A. An X marks a letter whose Latin form would otherwise be
 * ambiguous, so the transliteration can be reversed. */
static const char *icao_arabic(unsigned cp)
{
	switch (cp) {
	case 0x621: return "XE";  /* hamza */
	case 0x622: return "XAA"; /* alef madda */
	case 0x623: return "XAE"; /* alef hamza above */
	case 0x624: return "U";   /* waw hamza */
	case 0x625: return "I";   /* alef hamza below */
	case 0x626: return "XI";  /* yeh hamza */
	case 0x627: return "A";
	case 0x628: return "B";
	case 0x629: return "XTA"; /* teh marbuta */
	case 0x62A: return "T";
	case 0x62B: return "XTH";
	case 0x62C: return "J";
	case 0x62D: return "XH";
	case 0x62E: return "XKH";
	case 0x62F: return "D";
	case 0x630: return "XDH";
	case 0x631: return "R";
	case 0x632: return "Z";
	case 0x633: return "S";
	case 0x634: return "XSH";
	case 0x635: return "XSS";
	case 0x636: return "XDZ";
	case 0x637: return "XTT";
	case 0x638: return "XZZ";
	case 0x639: return "E";
	case 0x63A: return "G";
	case 0x641: return "F";
	case 0x642: return "Q";
	case 0x643: return "K";
	case 0x644: return "L";
	case 0x645: return "M";
	case 0x646: return "N";
	case 0x647: return "H";
	case 0x648: return "W";
	case 0x649: return "XAY"; /* alef maksura */
	case 0x64A: return "Y";
	default: return NULL;
	}
}

int kyc_egnid_transliterate(const char *src, char *dst, size_t cap)
{
	size_t n = 0, len = strlen(src);
	const unsigned char *p = (const unsigned char *)src;
	int space = 0;
	if (!cap)
		return KYC_ERR_TOOBIG;
	dst[0] = 0;
	while (len > 0) {
		unsigned cp;
		size_t k = kyc_utf8_next(p, len, &cp);
		p += k, len -= k;
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == 0xA0) {
			space = n > 0;
			continue;
		}
		/* harakat, tanween, shadda, sukun, superscript alef; tatweel */
		if ((cp >= 0x64B && cp <= 0x65F) || cp == 0x670 || cp == 0x640)
			continue;
		char one[5] = {0};
		const char *t = icao_arabic(cp);
		if (!t) {
			if (cp >= 'a' && cp <= 'z')
				cp -= 'a' - 'A';
			size_t m = 0;
			if (cp == 0xFFFD || kyc_utf8_put(one, sizeof one, &m, cp))
				continue;
			t = one;
		}
		size_t tl = strlen(t);
		if (n + space + tl + 1 > cap) {
			dst[n] = 0;
			return KYC_ERR_TOOBIG;
		}
		if (space)
			dst[n++] = ' ';
		space = 0;
		memcpy(dst + n, t, tl);
		n += tl;
		dst[n] = 0;
	}
	return 0;
}
