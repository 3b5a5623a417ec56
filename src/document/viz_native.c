/* The holder's name in the issuer's script on a visual zone's page
 * (document/viz_int.h): Arabic, read again with the card reader's Arabic
 * models on the lines the Latin model was unsure of. */
#include <stdlib.h>
#include <string.h>

#include "core/name_fold.h"
#include "document/card.h"
#include "document/viz_int.h"

/* 1 when the MRZ's issuer or nationality writes in Arabic script: its
 * documents print the holder's name in it beside the Latin one. */
static int arabic_script(const json_t *mrz)
{
	static const char *const codes[] = {"EGY", "SAU", "ARE", "JOR", "KWT", "BHR", "QAT", "OMN",
					    "YEM", "IRQ", "SYR", "LBN", "PSE", "LBY", "TUN", "DZA",
					    "MAR", "MRT", "SDN", "SOM", "DJI", "COM", "IRN", "AFG",
					    "PAK", NULL};
	const json_t *f = json_object_get(mrz, "fields");
	const char *who[2] = {json_string_value(json_object_get(f, "issuing_country")),
			      json_string_value(json_object_get(f, "nationality"))};
	for (int k = 0; k < 2; k++)
		for (int i = 0; who[k] && codes[i]; i++)
			if (!strcmp(who[k], codes[i]))
				return 1;
	return 0;
}

/* The number of Arabic letters (U+0621..U+064A) in UTF-8 text, and in *other
 * the number of other characters but spaces. */
static int arabic_letters(const char *t, int *other)
{
	int n = 0;
	*other = 0;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
		if ((*p & 0xC0) == 0x80 || *p == ' ')
			continue;
		unsigned cp = *p == 0xD8 || *p == 0xD9 ? (unsigned)((*p & 0x1F) << 6 | (p[1] & 0x3F)) : 0;
		if (cp >= 0x621 && cp <= 0x64A)
			n++;
		else
			(*other)++;
	}
	return n;
}

/* Drops the direction marks Tesseract adds to right-to-left text (U+200E,
 * U+200F, U+061C) and the spaces they leave at the ends. */
static void drop_marks(char *t)
{
	size_t n = 0;
	for (size_t i = 0; t[i];) {
		const unsigned char *p = (const unsigned char *)t + i;
		if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x8E || p[2] == 0x8F))
			i += 3;
		else if (p[0] == 0xD8 && p[1] == 0x9C)
			i += 2;
		else
			t[n++] = t[i++];
	}
	while (n && t[n - 1] == ' ')
		n--;
	t[n] = 0;
	size_t lead = strspn(t, " ");
	memmove(t, t + lead, n - lead + 1);
}

/* Enough confidence to take an Arabic reading as it is: a whole line is
 * taken, not a word of a known place as on the card, so it is asked to be
 * sure (set on generated pages of seed 11, not the benchmark's seed). */
#define VIZ_NATIVE_ACCEPT 80
/* Lines the Latin model is this sure of are Latin text, not read again. */
#define VIZ_NATIVE_LATIN_SURE 75
/* A reading this sure ends the search. */
#define VIZ_NATIVE_SURE 80
/* At most this many other lines are read with the Arabic models. */
#define VIZ_NATIVE_TRIES 4

/* An Arabic reading that may be the name: three Arabic letters or more and
 * nothing else. */
static int arabic_name(struct kyc_tess_line *L)
{
	drop_marks(L->text);
	int other, letters = arabic_letters(L->text, &other);
	return letters >= 3 && other == 0;
}

/* The holder's name in Arabic script on a page whose lines pg were read with
 * the Latin model from px (w x h): the lines that are no label and that
 * the Latin model read unsurely (Arabic is not Latin) and that are wide
 * enough to be a name, at most VIZ_NATIVE_TRIES of them, the least sure
 * first, are each read once with the Arabic model, on its box, until one is
 * sure; the line whose reading was surest is then read through (the other
 * sizes and models). Reading every line through cost 1.1 to 5.7 times the
 * visual zone, most of it on lines that are not Arabic (bench/README.md).
 * The surest reading of three Arabic letters or more is the name. A new
 * {"value","read","accepted","source","confidence","script"}, or NULL when
 * no line reads as Arabic. */
static json_t *native_name(const unsigned char *px, int w, int h, const struct kyc_tess_page *pg)
{
	struct kyc_tess_line best = {"", 0}, *seen = calloc(VIZ_NATIVE_TRIES, sizeof *seen);
	int tried[KYC_TESS_PAGE_LINES] = {0}, crop[VIZ_NATIVE_TRIES][4], em[VIZ_NATIVE_TRIES], n = 0;
	if (!seen)
		return NULL;
	for (int k = 0; k < VIZ_NATIVE_TRIES && best.conf < VIZ_NATIVE_SURE; k++) {
		int pick = -1;
		for (int i = 0; i < pg->n; i++) {
			char folded[256];
			kyc_name_fold(pg->line[i].text, folded, sizeof folded);
			const int *b = pg->box[i];
			/* a name is a line several times wider than high */
			if (tried[i] || pg->line[i].conf >= VIZ_NATIVE_LATIN_SURE ||
			    b[2] - b[0] < 3 * (b[3] - b[1]) || kyc__viz_label_of(folded) >= 0)
				continue;
			if (pick < 0 || pg->line[i].conf < pg->line[pick].conf)
				pick = i;
		}
		if (pick < 0)
			break;
		tried[pick] = 1;
		const int *b = pg->box[pick];
		/* the layout's box may cut a word's last letters (on the left,
		 * in Arabic) and thin strokes: a margin of a line's height */
		int lh = b[3] - b[1], pad = 4;
		int *c = crop[n];
		c[0] = b[0] - lh > 0 ? b[0] - lh : 0, c[1] = b[1] - pad > 0 ? b[1] - pad : 0;
		c[2] = b[2] + lh < w ? b[2] + lh : w, c[3] = b[3] + pad < h ? b[3] + pad : h;
		if (c[2] - c[0] < 8 || c[3] - c[1] < 8)
			continue;
		struct kyc_tess_line *L = &seen[n];
		L->text[0] = 0, L->conf = -1, em[n] = lh;
		if (kyc_card_read_arabic_from(px + (size_t)c[1] * (size_t)w + (size_t)c[0], c[2] - c[0],
					      c[3] - c[1], w, lh, 0, 1, L))
			break;
		struct kyc_tess_line copy = *L;
		if (arabic_name(&copy) && copy.conf > best.conf)
			best = copy;
		n++;
	}
	/* the line read surest, read through */
	int top = -1;
	for (int i = 0; i < n; i++)
		if (top < 0 || seen[i].conf > seen[top].conf)
			top = i;
	if (top >= 0 && best.conf < VIZ_NATIVE_SURE) {
		const int *c = crop[top];
		struct kyc_tess_line *L = &seen[top];
		if (!kyc_card_read_arabic_from(px + (size_t)c[1] * (size_t)w + (size_t)c[0], c[2] - c[0],
					       c[3] - c[1], w, em[top], 1,
					       KYC_CARD_ARABIC_ATTEMPTS, L) &&
		    arabic_name(L) && L->conf > best.conf)
			best = *L;
	}
	free(seen);
	if (!best.text[0])
		return NULL;
	return json_pack("{s:s, s:b, s:b, s:s, s:i, s:s}", "value", best.text, "read", 1, "accepted",
			 best.conf >= VIZ_NATIVE_ACCEPT, "source", "viz", "confidence", best.conf,
			 "script", "Arab");
}

json_t *kyc__viz_native_name(const json_t *mrz, const unsigned char *px, int w, int h,
			     const struct kyc_tess_page *pg)
{
	return arabic_script(mrz) ? native_name(px, w, h, pg) : NULL;
}
