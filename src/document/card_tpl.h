/* Card templates: where each printed field of a card family sits, in
 * millimetres on the upright card, and how it is written. Templates are
 * data, one file per document family (card_tpl_<family>.c); the generator
 * draws its cards from the same table the reader crops them by, so the two
 * never disagree about the layout (docs/card.md). */
#ifndef KYC_CARD_TPL_H
#define KYC_CARD_TPL_H

enum kyc_card_side { KYC_CARD_FRONT, KYC_CARD_BACK };

/* How a field is written, which says its OCR model and character set. */
enum kyc_card_script {
	KYC_CARD_ARABIC,  /* Arabic words, right to left */
	KYC_CARD_EDIGITS, /* Eastern Arabic digits only (a number) */
	KYC_CARD_EDATE,   /* a date in Eastern Arabic digits, YYYY/MM/DD */
	KYC_CARD_LATIN,   /* Latin capitals and digits (a serial number) */
	KYC_CARD_DIGITS,  /* Western digits and '-' (a Korean licence number) */
	KYC_CARD_HANGUL,  /* Korean words (a Korean licence's name) */
};

struct kyc_card_field {
	const char *name;        /* the field's name in results, e.g. "first_name" */
	enum kyc_card_side side;
	enum kyc_card_script script;
	double left, right;      /* the text's extent, mm from the left edge */
	double baseline;         /* mm from the top edge */
	double em;               /* font size, mm */
	int bold;
	int optional;            /* not printed on every card (e.g. a husband's name) */
	const char *const *lexicon; /* NULL-terminated: the only values printed, or NULL */
	const char *pattern;     /* numbers and dates: their form for the digit reader
				  * (edigits.h), e.g. "DDDD/DD/DD"; a Latin serial:
				  * capitals then digits, e.g. "AADDDDDDD" */
	int paired;              /* the lexicon lists (masculine, feminine) pairs: the
				  * registry prints the form of the holder's sex */
};

/* Printed matter that is not a field (titles, labels): drawn by the
 * generator, never read. */
struct kyc_card_label {
	enum kyc_card_side side;
	const char *text;        /* UTF-8, Arabic */
	double right, baseline, em;
	int bold;
};

struct kyc_card_template {
	const char *family;      /* "eg_nid" */
	double w_mm, h_mm, corner_mm;
	const struct kyc_card_field *fields;
	int nfields;
	const struct kyc_card_label *labels;
	int nlabels;
	double portrait[4];      /* front: x0, y0, x1, y1 mm */
	double emblem[4];        /* back: x0, y0, x1, y1 mm */
	double barcode[4];       /* back: x0, y0, x1, y1 mm */
};

/* A template's initializers for the ID-1 card size (ISO/IEC 7810: 85.6 x
 * 54 mm, 3.18 mm corners) and for its field and label arrays with their
 * counts; what a template leaves out (no labels, no emblem, no barcode) is
 * zero. */
#define KYC_CARD_ID1 .w_mm = 85.6, .h_mm = 54.0, .corner_mm = 3.18
#define KYC_CARD_FIELDS(a) .fields = (a), .nfields = (int)(sizeof(a) / sizeof((a)[0]))
#define KYC_CARD_LABELS(a) .labels = (a), .nlabels = (int)(sizeof(a) / sizeof((a)[0]))

/* The Egyptian national ID card (card_tpl_eg_nid.c). */
extern const struct kyc_card_template kyc_card_tpl_eg_nid;
/* A North American driving licence in the AAMVA layout (card_tpl_dl_aamva.c). */
extern const struct kyc_card_template kyc_card_tpl_dl_aamva;

/* A Korean driving licence's front (card_tpl_kr_dl.c). */
extern const struct kyc_card_template kyc_card_tpl_kr_dl;

/* The crop of a field in mm (x0, y0, x1, y1): the text's extent with room
 * for Arabic ascenders above and dots below. */
void kyc_card_field_box(const struct kyc_card_field *f, double box[4]);

#endif
