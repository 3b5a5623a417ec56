/* The AAMVA barcode's data (aamva.h, docs/dl.md). Layout of the bytes:
 *
 *   "@" LF RS CR                      compliance indicator and separators
 *   "ANSI " | "AAMVA"                 file type
 *   IIN(6) version(2) [jver(2)] n(2)  jurisdiction version from version 2 on
 *   n x { type(2) offset(4) length(4) }
 *   ... at offset: type(2), then elements id(3) value, each ended by LF,
 *   the subfile ended by CR.
 */
#include "document/aamva.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

#define LF 0x0a
#define RS 0x1e
#define CR 0x0d

static int digits(const unsigned char *p, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

static int is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int fail(const char **why, const char *code)
{
	if (why)
		*why = code;
	return KYC_ERR_INVALID;
}

/* Copies one element's value (raw bytes v, n) as trimmed UTF-8. */
static int put_value(struct kyc_aamva_element *e, const unsigned char *v, size_t n,
		     const char **why)
{
	while (n && v[n - 1] == ' ')
		n--;
	while (n && v[0] == ' ')
		v++, n--;
	if (n > KYC_AAMVA_VALUE_MAX)
		return fail(why, "value_too_long");
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = v[i];
		if (c >= 0x20 && c < 0x7f) {
			e->value[o++] = (char)c;
		} else if (c >= 0xa0) {
			e->value[o++] = (char)(0xc0 | (c >> 6));
			e->value[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			return fail(why, "value_bytes");
		}
	}
	e->value[o] = 0;
	return 0;
}

/* Reads the elements of a subfile starting at p (after its type) up to its
 * CR or the end. */
static int parse_elements(const unsigned char *p, const unsigned char *end, struct kyc_aamva *a,
			  const char **why)
{
	while (p < end && *p != CR) {
		if (*p == LF) { /* an empty line: some cards end the type with LF */
			p++;
			continue;
		}
		if (end - p < 3 || !is_upper(p[0]) || !is_upper(p[1]) ||
		    !(is_upper(p[2]) || (p[2] >= '0' && p[2] <= '9')))
			return fail(why, "element");
		if (a->nelements >= KYC_AAMVA_MAX_ELEMENTS)
			return fail(why, "too_many_elements");
		struct kyc_aamva_element *e = &a->elements[a->nelements];
		memcpy(e->id, p, 3);
		e->id[3] = 0;
		const unsigned char *v = p + 3, *q = v;
		while (q < end && *q != LF && *q != CR)
			q++;
		int rc = put_value(e, v, (size_t)(q - v), why);
		if (rc)
			return rc;
		a->nelements++;
		p = q < end && *q == LF ? q + 1 : q;
	}
	return a->nelements ? 0 : fail(why, "no_elements");
}

int kyc_aamva_parse(const unsigned char *data, size_t len, struct kyc_aamva *a, const char **why)
{
	memset(a, 0, sizeof *a);
	if (why)
		*why = NULL;
	const unsigned char *p = data, *end = data + len;
	if (len < 4 || p[0] != '@' || p[1] != LF || p[2] != RS || p[3] != CR)
		return fail(why, "header");
	p += 4;
	if (end - p < 5 || (memcmp(p, "ANSI ", 5) && memcmp(p, "AAMVA", 5)))
		return fail(why, "file_type");
	p += 5;
	if (end - p < 6 || digits(p, 6, &(int){0}))
		return fail(why, "iin");
	memcpy(a->iin, p, 6);
	p += 6;
	if (end - p < 2 || digits(p, 2, &a->version) || a->version < 1)
		return fail(why, "version");
	p += 2;
	if (a->version >= 2) {
		if (end - p < 2 || digits(p, 2, &a->jurisdiction_version))
			return fail(why, "version");
		p += 2;
	}
	if (end - p < 2 || digits(p, 2, &a->entries) || a->entries < 1)
		return fail(why, "entries");
	p += 2;
	const unsigned char *designators = p;
	if ((size_t)(end - p) < (size_t)a->entries * 10)
		return fail(why, "designator");
	p += (size_t)a->entries * 10;
	for (int i = 0; i < a->entries; i++) {
		const unsigned char *d = designators + i * 10;
		/* type, offset, length; the length is checked for its form only:
		 * the subfile ends at its CR, and issuers get the length wrong
		 * as often as the offset */
		int off, length;
		if (!is_upper(d[0]) || !(is_upper(d[1]) || (d[1] >= '0' && d[1] <= '9')) ||
		    digits(d + 2, 4, &off) || digits(d + 6, 4, &length))
			return fail(why, "designator");
		if (memcmp(d, "DL", 2) && memcmp(d, "ID", 2))
			continue;
		memcpy(a->subfile, d, 2);
		a->subfile[2] = 0;
		const unsigned char *s = NULL;
		if ((size_t)off + 2 <= len && !memcmp(data + off, d, 2))
			s = data + off;
		else if (end - p >= 2 && !memcmp(p, d, 2))
			s = p; /* the offset is wrong, the subfile follows the header */
		if (!s)
			return fail(why, "no_subfile");
		return parse_elements(s + 2, end, a, why);
	}
	return fail(why, "no_subfile");
}

const char *kyc_aamva_get(const struct kyc_aamva *a, const char *id)
{
	for (int i = 0; i < a->nelements; i++) {
		if (strcmp(a->elements[i].id, id))
			continue;
		const char *v = a->elements[i].value;
		if (!*v || !strcmp(v, "NONE") || !strcasecmp(v, "unavl") || !strcasecmp(v, "unavail"))
			return NULL;
		return v;
	}
	return NULL;
}

/* Canadian jurisdictions' IINs (AAMVA's list), for cards without DCG. */
static const char *const canada_iins[] = {"604426", "604428", "604432", "636012", "636013",
					  "636016", "636017", "636028", "636044", "636048"};

const char *kyc_aamva_country(const struct kyc_aamva *a)
{
	const char *c = kyc_aamva_get(a, "DCG");
	if (c && (!strcmp(c, "USA") || !strcmp(c, "CAN")))
		return c;
	for (size_t i = 0; i < sizeof canada_iins / sizeof canada_iins[0]; i++)
		if (!strcmp(a->iin, canada_iins[i]))
			return "CAN";
	return "USA";
}

static int date_exists(int y, int m, int d)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* v (8 digits) as a date, month first (us) or year first. */
static int date_of(const char *v, int us, char out[11])
{
	int a, b, c;
	const unsigned char *u = (const unsigned char *)v;
	if (strlen(v) != 8)
		return -1;
	if (us ? digits(u, 2, &a) || digits(u + 2, 2, &b) || digits(u + 4, 4, &c)
	       : digits(u, 4, &c) || digits(u + 4, 2, &a) || digits(u + 6, 2, &b))
		return -1;
	if (!date_exists(c, a, b))
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", c % 10000, a % 100, b % 100);
	return 0;
}

int kyc_aamva_date(const struct kyc_aamva *a, const char *id, char out[11])
{
	const char *v = kyc_aamva_get(a, id);
	out[0] = 0;
	if (!v)
		return KYC_ERR_NOTFOUND;
	int us = strcmp(kyc_aamva_country(a), "CAN") != 0;
	if (!date_of(v, us, out) || !date_of(v, !us, out))
		return 0;
	return KYC_ERR_INVALID;
}

static json_t *field(const char *value, int accepted)
{
	return json_pack("{s:s?, s:b, s:b, s:s}", "value", value, "read", value != NULL,
			 "accepted", value && *value && accepted, "source", "barcode");
}

/* Sets name to element id's value when the card has the element. */
static void text_field(json_t *o, const char *name, const struct kyc_aamva *a, const char *id)
{
	const char *v = kyc_aamva_get(a, id);
	if (v)
		json_object_set_new(o, name, field(v, 1));
}

static void date_field(json_t *o, const char *name, const struct kyc_aamva *a, const char *id)
{
	char d[11];
	int rc = kyc_aamva_date(a, id, d);
	if (rc == KYC_ERR_NOTFOUND)
		return;
	/* an element that is no date is read (as printed) but not accepted */
	json_object_set_new(o, name, rc ? field(kyc_aamva_get(a, id), 0) : field(d, 1));
}

/* Version 1's DAA is the whole name, "FAMILY,GIVEN,MIDDLE" (or with spaces
 * after the commas): part i of it, trimmed, into out. */
static const char *daa_part(const char *daa, int i, char *out, size_t cap)
{
	const char *s = daa;
	for (int k = 0; k < i && s; k++)
		s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL;
	if (!s)
		return NULL;
	while (*s == ' ')
		s++;
	size_t n = strcspn(s, ",");
	while (n && s[n - 1] == ' ')
		n--;
	if (!n)
		return NULL;
	snprintf(out, cap, "%.*s", (int)n, s);
	return out;
}

json_t *kyc_aamva_fields(const struct kyc_aamva *a)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	char buf[3][2 * KYC_AAMVA_VALUE_MAX + 2];
	text_field(o, "document_number", a, "DAQ");
	const char *daa = kyc_aamva_get(a, "DAA");
	const char *sur = kyc_aamva_get(a, "DCS");
	if (!sur)
		sur = kyc_aamva_get(a, "DAB");
	if (!sur && daa)
		sur = daa_part(daa, 0, buf[0], sizeof buf[0]);
	const char *first = kyc_aamva_get(a, "DAC"), *middle = kyc_aamva_get(a, "DAD");
	if (!first)
		first = kyc_aamva_get(a, "DCT"); /* versions 2 and 3: all given names */
	if (!first && daa) {
		first = daa_part(daa, 1, buf[1], sizeof buf[1]);
		middle = daa_part(daa, 2, buf[2], sizeof buf[2]);
	}
	if (sur)
		json_object_set_new(o, "surname", field(sur, 1));
	if (first) {
		char given[sizeof buf[0] * 2];
		snprintf(given, sizeof given, "%s%s%s", first, middle ? " " : "",
			 middle ? middle : "");
		json_object_set_new(o, "given_names", field(given, 1));
		json_object_set_new(o, "first_name", field(first, 1));
	}
	if (middle)
		json_object_set_new(o, "middle_names", field(middle, 1));
	date_field(o, "birth_date", a, "DBB");
	date_field(o, "expiry_date", a, "DBA");
	date_field(o, "issue_date", a, "DBD");
	const char *sex = kyc_aamva_get(a, "DBC");
	if (sex) {
		/* 1 male, 2 female, 9 not specified; version 1 wrote M and F */
		const char *s = !strcmp(sex, "1") || !strcmp(sex, "M")   ? "M"
				: !strcmp(sex, "2") || !strcmp(sex, "F") ? "F"
				: !strcmp(sex, "9") || !strcmp(sex, "X") ? "X"
									 : NULL;
		json_object_set_new(o, "sex", field(s ? s : sex, s != NULL));
	}
	json_object_set_new(o, "issuing_country", field(kyc_aamva_country(a), 1));
	const char *street = kyc_aamva_get(a, "DAG"), *street2 = kyc_aamva_get(a, "DAH");
	if (street) {
		char st[sizeof buf[0] * 2];
		snprintf(st, sizeof st, "%s%s%s", street, street2 ? ", " : "",
			 street2 ? street2 : "");
		json_object_set_new(o, "address_street", field(st, 1));
	}
	text_field(o, "address_city", a, "DAI");
	text_field(o, "address_state", a, "DAJ");
	text_field(o, "address_postal_code", a, "DAK");
	text_field(o, "eye_color", a, "DAY");
	text_field(o, "height", a, "DAU");
	text_field(o, "document_discriminator", a, "DCF");
	text_field(o, "vehicle_class", a, "DCA");
	json_object_set_new(o, "document_type", field(a->subfile, a->subfile[0] != 0));
	json_object_set_new(o, "iin", field(a->iin, 1));
	char ver[8];
	snprintf(ver, sizeof ver, "%02d", a->version % 100);
	json_object_set_new(o, "aamva_version", field(ver, 1));
	return o;
}

int kyc_aamva_write(const struct kyc_aamva *a, kyc_buf *out)
{
	if (strcmp(a->subfile, "DL") && strcmp(a->subfile, "ID"))
		return KYC_ERR_INVALID;
	for (int i = 0; i < a->nelements; i++) {
		const struct kyc_aamva_element *e = &a->elements[i];
		if (strlen(e->id) != 3)
			return KYC_ERR_INVALID;
		for (const char *v = e->value; *v; v++)
			if (*v < 0x20 || *v > 0x7e) /* separators, and UTF-8 the parser reads as Latin-1 */
				return KYC_ERR_INVALID;
	}
	/* The subfile first, to know its length; then the header that points
	 * to it. */
	kyc_buf sub;
	kyc_buf_init(&sub, 64 * 1024);
	int rc = kyc_buf_puts(&sub, a->subfile);
	for (int i = 0; i < a->nelements && !rc; i++)
		rc = kyc_buf_printf(&sub, "%s%s%c", a->elements[i].id, a->elements[i].value,
				    i + 1 < a->nelements ? LF : CR);
	size_t head = 4 + 5 + 6 + 2 + (a->version >= 2 ? 2 : 0) + 2 + 10;
	if (!rc && (sub.len > 9999 || head > 9999))
		rc = KYC_ERR_TOOBIG;
	if (!rc)
		rc = kyc_buf_printf(out, "@\n\x1e\rANSI %.6s%02d", a->iin, a->version % 100);
	if (!rc && a->version >= 2)
		rc = kyc_buf_printf(out, "%02d", a->jurisdiction_version % 100);
	if (!rc)
		rc = kyc_buf_printf(out, "01%s%04zu%04zu", a->subfile, head, sub.len);
	if (!rc)
		rc = kyc_buf_append(out, sub.data, sub.len);
	kyc_buf_release(&sub);
	return rc;
}
