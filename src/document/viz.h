/* The visual zone of an MRZ document (the printed data page of a passport,
 * the face of a visa or ID card that carries its MRZ), read and compared
 * with the MRZ: docs/reader.md, "The visual zone".
 *
 * The page is found from the MRZ itself: the reader's band, its direction
 * and character pitch (2.54 mm) give the page's frame, since ICAO 9303 fixes
 * where the MRZ sits on each format. The region above the band is resampled
 * upright and read by Tesseract's page layout analysis (tess.h). Fields are
 * taken by their printed labels (in several languages: "Surname / Nom",
 * "Date of birth", "Document no." ...), the value being the line under the
 * label; where no label is read, the MRZ's values are looked for anywhere on
 * the page. Each field then matches the MRZ, or does not: OCR noise is
 * tolerated (folded names within a small edit distance, confusable
 * characters of document numbers, dates in the formats passports print),
 * and a field only counts as contradicting the MRZ when it was found under
 * its own label. */
#ifndef KYC_VIZ_H
#define KYC_VIZ_H

#include <jansson.h>

#include "core/buf.h"
#include "document/image.h"
#include "document/reader.h"

/* Reads img's visual zone around the MRZ rr located and compares it with
 * mrz (the `kycd mrz` object of that MRZ). *out: a new object
 * {"verdict","fields":{NAME:{"text","match","by"}...},"matched":N,
 * "mismatched":[NAME...],"lines":N,"ms":T}: verdict "contradicts" (two
 * fields contradict, or one and nothing agrees), "unmatched" (six lines of
 * text or more and nothing agrees), "agrees" (something agrees; one field
 * contradicting beside it is listed in "mismatched" but not held against
 * the page: OCR noise) or "unread"; NAME is
 * surname, given_names, birth_date,
 * expiry_date or document_number, "text" what was printed, "match" true or
 * false, "by" "label" or "search"; fields neither labelled nor found are
 * left out. 0; KYC_ERR_UNSUPPORTED when Tesseract's Latin model is missing;
 * KYC_ERR_INVALID when rr holds no band; KYC_ERR_NOMEM. */
int kyc_viz_read(const struct kyc_image *img, const struct kyc_reader_result *rr,
		 const json_t *mrz, json_t **out);

/* The front of an ID card whose MRZ is on its back (ICAO TD1): the card
 * found in img and rectified, turned the way its labels read, and its
 * printed lines read, to be compared with the back's MRZ later
 * (kyc_viz_compare) without reading the picture again. *out: a new object
 * {"found", "upside_down", "lines":[{"text","conf","box":[l,t,r,b]}...],
 * "ms"}; "found" false (no lines) when no card was found. 0;
 * KYC_ERR_UNSUPPORTED when Tesseract's Latin model is missing;
 * KYC_ERR_INVALID; KYC_ERR_NOMEM. */
int kyc_viz_read_card(const struct kyc_image *img, json_t **out);

/* The lines of card (kyc_viz_read_card's object, as stored) compared with
 * mrz as kyc_viz_read compares a page: the same object. 0;
 * KYC_ERR_INVALID when card has no lines array or mrz is NULL;
 * KYC_ERR_NOMEM. Pure: no OCR. */
int kyc_viz_compare(const json_t *card, const json_t *mrz, json_t **out);

/* The picture kyc_viz_read reads (the page around rr's MRZ band, upright,
 * the portrait's side left out), appended to out as PNG, for a person
 * looking at why a page read as it did (`kycd scan --debug`). 0,
 * KYC_ERR_INVALID when rr holds no band, KYC_ERR_NOMEM, KYC_ERR_TOOBIG. */
int kyc_viz_page_png(const struct kyc_image *img, const struct kyc_reader_result *rr,
		     kyc_buf *out);

/* The date a visual zone prints in text ("12 AUG 1974", "12 AOUT/AUG 74",
 * "12.08.1974", "1974-08-12" ...), as "YYYY-MM-DD" in iso (two-digit years
 * in the century that puts them nearest ref_year); 1 when one was found.
 * Exposed for the tests and the fuzz target. */
int kyc_viz_parse_date(const char *text, int ref_year, char iso[11]);

#endif
