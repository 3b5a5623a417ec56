/* The specimen generator: invented identities with ICAO 9303 machine readable
 * zones, drawn as passport pages, ID cards and visas, photographed on a desk
 * (`kycd synth`, docs/synth.md).
 *
 * Everything is a pure function of (seed, index, level, format): a small
 * private PRNG (splitmix64 + xoshiro256**), never rand() or the clock, so the
 * same arguments give the same bytes on the same build. The identity depends
 * only on (seed, index, format), so one person appears at every level.
 * There is no shared state: calls may run in parallel threads.
 *
 * Fonts come from Debian packages: OCR-B (fonts-ocr-b) for the MRZ, DejaVu
 * Sans (fonts-dejavu-core) for the visual zone. The environment variables
 * KYCD_FONT_OCRB, KYCD_FONT_SANS and KYCD_FONT_SANS_BOLD override their paths. */
#ifndef KYC_SYNTH_H
#define KYC_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum kyc_synth_format {
	KYC_SYNTH_TD1,   /* ID-1 card, 3 x 30 */
	KYC_SYNTH_TD2,   /* ID-2 card, 2 x 36 */
	KYC_SYNTH_TD3,   /* passport data page, 2 x 44 */
	KYC_SYNTH_MRVA,  /* visa format A, 2 x 44 */
	KYC_SYNTH_MRVB,  /* visa format B, 2 x 36 */
	KYC_SYNTH_MIXED, /* pick one per index: mostly TD1 and TD3, then visas, some TD2 */
};

/* "TD1", "TD2", "TD3", "MRVA", "MRVB" or "mixed". */
const char *kyc_synth_format_name(enum kyc_synth_format f);
/* Parses a name as above (case-insensitive). 0 or KYC_ERR_INVALID. */
int kyc_synth_format_parse(const char *s, enum kyc_synth_format *out);

/* The MRZ fields, exactly as `kycd mrz` reports them: fillers become spaces in
 * names and are trimmed elsewhere, dates are YYYY-MM-DD, and an unspecified
 * sex ('<' in the MRZ) is "X". document_number is the whole number, also when
 * a TD1 number is longer than 9 characters and continues in the optional data
 * (optional_data then holds what follows it, here always ""). */
struct kyc_synth_fields {
	char document_code[3];
	char issuing_country[4];
	char document_number[24];
	char surname[48];
	char given_names[48];
	char nationality[4];
	char birth_date[11];
	char sex[2];
	char expiry_date[11];
	char optional_data[24];
	char optional_data_2[16];
};

/* One invented identity: MRZ lines plus what the visual zone prints. */
struct kyc_synth_identity {
	enum kyc_synth_format format; /* never KYC_SYNTH_MIXED */
	int nlines;                   /* 2 or 3 */
	int line_len;                 /* 30, 36 or 44 */
	char lines[3][48];            /* NUL-terminated; unused lines empty */
	struct kyc_synth_fields f;
	char viz_surname[96];     /* UTF-8, upper case, may carry diacritics */
	char viz_given_names[96]; /* UTF-8, upper case, may carry diacritics */
	char issue_date[11];      /* YYYY-MM-DD, before expiry */
	char birth_place[32];     /* invented town, ASCII */
	/* The name in the issuer's own script beside the Latin one, given
	 * names first (UTF-8, Arabic on Egyptian documents); "" when none is
	 * printed. Drawn from its own stream: the rest of the identity is the
	 * same with or without it. */
	char native_name[128];
};

/* Fills *out with the identity for (seed, index, format); MIXED picks the
 * format from (seed, index). Every check digit and the composite are correct.
 * Pure: no I/O, no allocation. 0 or KYC_ERR_INVALID (bad format). */
int kyc_synth_identity(uint64_t seed, int index, enum kyc_synth_format format,
                       struct kyc_synth_identity *out);

/* The kinds of real-photo difficulty the generator can add on top of a level
 * (docs/synth.md, "Classes"). Each one is drawn at the strength of the level
 * (0 mildest, 2 hardest); MIXED combines two or three of them per photo and
 * NOMRZ draws a photo that holds no MRZ at all (card backs, receipts, pages
 * of text, portraits, bare textures), for measuring false reads. */
enum kyc_synth_class {
	KYC_SYNTH_CLASS_NONE = 0,    /* the level's ordinary photo */
	KYC_SYNTH_CLASS_PERSPECTIVE, /* camera tilted 10-25 degrees: keystone */
	KYC_SYNTH_CLASS_EDGE,        /* MRZ close to the card edge and the image border */
	KYC_SYNTH_CLASS_LIGHT,       /* strong uneven light, a hard shadow, a glare band */
	KYC_SYNTH_CLASS_CLUTTER,     /* busy desk, fingers, a second document, text near the MRZ */
	KYC_SYNTH_CLASS_WATERMARK,   /* stock-photo watermark, security print, hologram */
	KYC_SYNTH_CLASS_LOWRES,      /* MRZ characters 8-12 px high */
	KYC_SYNTH_CLASS_JPEG,        /* JPEG quality 30-55 */
	KYC_SYNTH_CLASS_MOTION,      /* motion blur from a moving hand */
	KYC_SYNTH_CLASS_ROTATION,    /* any quarter turn and any angle */
	KYC_SYNTH_CLASS_PRINT, /* the MRZ printed otherwise: weight, digitisation, ink, dots */
	KYC_SYNTH_CLASS_MIXED, /* two or three of the classes above */
	KYC_SYNTH_CLASS_NOMRZ, /* no MRZ in the picture */
	KYC_SYNTH_CLASS_COUNT
};

/* "none", "perspective", "edge", "light", "clutter", "watermark", "lowres",
 * "jpeg", "motion", "rotation", "print", "mixed", "nomrz"; NULL when out of
 * range. */
const char *kyc_synth_class_name(enum kyc_synth_class c);
/* Parses a name as above (case-insensitive). 0 or KYC_ERR_INVALID. */
int kyc_synth_class_parse(const char *s, enum kyc_synth_class *out);

/* Evaluation seeds. Seeds whose top 16 bits are KYC_SYNTH_EVAL_TAG are kept
 * for measuring the reader (bench/reader, the tests' evaluation sets) and must
 * never be used to train it: training code rejects them with
 * kyc_synth_seed_is_eval(). kyc_synth_eval_seed(k) is evaluation set k. */
#define KYC_SYNTH_EVAL_TAG 0xE7A1u
static inline uint64_t kyc_synth_eval_seed(uint32_t k)
{
	return ((uint64_t)KYC_SYNTH_EVAL_TAG << 48) | k;
}
static inline int kyc_synth_seed_is_eval(uint64_t seed)
{
	return (seed >> 48) == KYC_SYNTH_EVAL_TAG;
}

/* The ground truth of one generated photo. Geometry: the document was turned
 * by orientation degrees clockwise (0, 90, 180, 270; nonzero at level 2 only)
 * and then by skew_deg more (positive = clockwise as seen in the image). To
 * read it upright, turn the image back by orientation + skew_deg. */
struct kyc_synth_doc {
	struct kyc_synth_identity id;
	uint64_t seed;
	int index;
	int level;                  /* 0, 1 or 2 */
	int orientation;            /* degrees clockwise: 0, 90, 180 or 270 */
	double skew_deg;            /* residual rotation, degrees clockwise */
	int width, height;          /* of the final image (after orientation) */
	int quality;                /* JPEG quality used by kyc_synth_make */
	double mrz_px;              /* MRZ character pitch in image pixels (scale hint) */
	double mrz_quad[4][2];      /* MRZ box corners in the final image: the first
	                             * character's top-left, last character's
	                             * top-right, bottom-right, bottom-left */
	double line_quads[3][4][2]; /* each MRZ line's cells at cap height, corners
	                             * as mrz_quad; lines past nlines are zero */
	enum kyc_synth_class cls;   /* the class asked for */
	unsigned classes;           /* bit (1u << class) for each class applied */
	double tilt_deg;            /* camera tilt (perspective), else 0 */
	int nomrz_kind;             /* NOMRZ: what is shown (docs/synth.md) */
};

/* An 8-bit RGB raster, rows of 3*w bytes, top row first. Owned by the caller:
 * release with kyc_synth_image_release(). */
struct kyc_synth_image {
	int w, h;
	unsigned char *px;
};
void kyc_synth_image_release(struct kyc_synth_image *img);

/* Renders the photo for (seed, index, level, format) into *img (allocated
 * here) and fills *truth, without JPEG compression (quality is chosen and
 * recorded but not applied). 0, KYC_ERR_INVALID (level or format),
 * KYC_ERR_NOMEM, or KYC_ERR_IO (a font could not be loaded). On error *img
 * holds nothing to release. */
int kyc_synth_render(uint64_t seed, int index, int level, enum kyc_synth_format format,
                     struct kyc_synth_doc *truth, struct kyc_synth_image *img);

/* kyc_synth_render() with a class of difficulty on top of the level. The
 * class draws from its own PRNG stream, so CLASS_NONE gives exactly
 * kyc_synth_render()'s photo. For NOMRZ, truth->id.nlines is 0 and the
 * geometry fields are zero. Errors as kyc_synth_render(). */
int kyc_synth_render_class(uint64_t seed, int index, int level, enum kyc_synth_class cls,
                           enum kyc_synth_format format, struct kyc_synth_doc *truth,
                           struct kyc_synth_image *img);

/* kyc_synth_render_class() with photo (an RGB raster, centred and cut to
 * the frame) printed as the document's portrait instead of the drawn
 * placeholder: a real face with known ground truth for the face engine
 * (`kycd synth --portrait`). Everything else is the same photo. */
int kyc_synth_render_portrait(uint64_t seed, int index, int level, enum kyc_synth_class cls,
                              enum kyc_synth_format format, const struct kyc_synth_image *photo,
                              struct kyc_synth_doc *truth, struct kyc_synth_image *img);

/* kyc_synth_render_class() then JPEG at truth->quality; as kyc_synth_make(). */
int kyc_synth_make_class(uint64_t seed, int index, int level, enum kyc_synth_class cls,
                         enum kyc_synth_format format, struct kyc_synth_doc *truth,
                         unsigned char **jpeg, size_t *jpeg_len);

/* kyc_synth_render() then JPEG at truth->quality: *jpeg is malloc()ed, the
 * caller frees it. Errors as kyc_synth_render(); on error *jpeg is NULL. */
int kyc_synth_make(uint64_t seed, int index, int level, enum kyc_synth_format format,
                   struct kyc_synth_doc *truth, unsigned char **jpeg, size_t *jpeg_len);

/* Encodes an RGB raster as baseline JPEG at quality q (1..100); *out is
 * malloc()ed for the caller. 0, KYC_ERR_INVALID or KYC_ERR_NOMEM. */
int kyc_synth_jpeg(const struct kyc_synth_image *img, int q, unsigned char **out, size_t *out_len);

/* Appends the truth.jsonl line for *d (one JSON object and "\n"), naming the
 * image file. 0, KYC_ERR_NOMEM or KYC_ERR_TOOBIG (out's cap). */
int kyc_synth_truth_json(const struct kyc_synth_doc *d, const char *file, kyc_buf *out);

/* ---- internal to src/document/synth*.c ---- */

/* xoshiro256** seeded through splitmix64. */
struct kyc_synth__rng {
	uint64_t s[4];
};
void kyc_synth__rng_seed(struct kyc_synth__rng *r, uint64_t seed, uint64_t stream);
uint64_t kyc_synth__rng_next(struct kyc_synth__rng *r);
/* Uniform in [lo, hi] (inclusive). */
int kyc_synth__rng_int(struct kyc_synth__rng *r, int lo, int hi);
/* Uniform in [lo, hi). */
double kyc_synth__rng_unif(struct kyc_synth__rng *r, double lo, double hi);

/* Draws the document itself (no background, upright) into a fresh raster of
 * px_per_mm resolution. 0, KYC_ERR_NOMEM or KYC_ERR_IO (fonts). The MRZ
 * boxes in document pixels, (x0, y0, x1, y1), go to mrz_box: [0] the zone,
 * [1..nlines] each line at cap height; the rest are zero. */
int kyc_synth__draw_document(const struct kyc_synth_identity *id, double px_per_mm,
                             struct kyc_synth__rng *r, struct kyc_synth_image *out,
                             double mrz_box[4][4]);
/* How the MRZ is printed, for the class "print": stroke weight change
 * (outline offset as a share of the cap height, negative thins), the
 * "Sharp" OCR-B digitisation, per-character misplacement (share of the
 * pitch), ink grey level, and dot-matrix print. */
struct kyc_synth__print {
	double embolden, jitter;
	int sharp, ink, dots;
	uint64_t seed; /* the misplacements */
};
/* kyc_synth__draw_document() with the MRZ printed as pr says (NULL: as
 * kyc_synth__draw_document(), draw for draw) and photo (NULL: the drawn
 * placeholder) as the portrait. */
int kyc_synth__draw_document_printed(const struct kyc_synth_identity *id, double px_per_mm,
                                     struct kyc_synth__rng *r, const struct kyc_synth__print *pr,
                                     const struct kyc_synth_image *photo,
                                     struct kyc_synth_image *out, double mrz_box[4][4]);
/* Fills the whole of img with a desk and up to `clutter` objects on it. */
void kyc_synth__desk(struct kyc_synth_image *img, struct kyc_synth__rng *r, int clutter);
/* The document's size in millimetres. */
void kyc_synth__doc_size_mm(enum kyc_synth_format f, double *w, double *h);

/* Geometry (synth_geom.c). The homography mapping src[i] to dst[i], h[8] = 1;
 * -1 when the points are degenerate. */
int kyc_synth__homography(const double src[4][2], const double dst[4][2], double h[9]);
void kyc_synth__apply(const double h[9], double x, double y, double *X, double *Y);
/* Lays d onto c through hinv (canvas -> d), quad being d's corners on c, with
 * corner radius rad and a soft drop shadow offset by (sdx, sdy). */
void kyc_synth__composite(struct kyc_synth_image *c, const struct kyc_synth_image *d,
                          const double hinv[9], const double quad[4][2], double rad, double sdx,
                          double sdy, double soft);

/* The corners of a w x h document turned by a (radians) in its plane, seen
 * by a camera tilted tilt degrees about the in-plane axis at angle axis,
 * f px away, centred at (cx, cy); the scale at the centre stays 1. */
void kyc_synth__tilted_corners(double dst[4][2], double w, double h, double a, double tilt,
                               double axis, double f, double cx, double cy);
/* Moves, and if need be shrinks, corners to lie inside a W x H canvas. */
void kyc_synth__fit_inside(double dst[4][2], int W, int H);
/* Shifts corners so that the box (x0, y0, x1, y1, through hfwd) comes within
 * d px of the canvas border on side (0 bottom, 1 left, 2 right, 3 top). */
void kyc_synth__mrz_to_border(double dst[4][2], const double hfwd[9], const double box[4], int W,
                              int H, int side, double d);

/* A coverage raster, one byte a pixel (255 = full ink); a->px owned, free(). */
struct kyc_synth__mask {
	int w, h;
	unsigned char *px;
};
enum {
	KYC_SYNTH__SANS,
	KYC_SYNTH__BOLD,
	KYC_SYNTH__OCRB,
	KYC_SYNTH__MONO,
	KYC_SYNTH__HANGUL,     /* NanumGothic (fonts-nanum) */
	KYC_SYNTH__HANGUL_BOLD
};
/* Renders UTF-8 text (lines split at '\n', 1.25 em apart) in one of the
 * fonts above at em px into a fresh mask with pad px of margin. 0,
 * KYC_ERR_NOMEM or KYC_ERR_IO (font). */
int kyc_synth__text_mask(int font, double em, const char *s, int pad, struct kyc_synth__mask *m);
/* Blends colour rgb through m (times alpha) onto img with m's top-left at (x, y). */
void kyc_synth__blit_mask(struct kyc_synth_image *img, const struct kyc_synth__mask *m, int x,
                          int y, const unsigned char rgb[3], double alpha);
/* The face-like placeholder portrait of the documents, w x h px at (x0, y0). */
int kyc_synth__portrait(struct kyc_synth_image *img, struct kyc_synth__rng *r, double u, double x0,
                        double y0, double w, double h);
/* Bilinear sample of img at (u, v) px (clamped at the border) into out[3]. */
void kyc_synth__sample(const struct kyc_synth_image *d, double u, double v, double out[3]);

/* The class effects (synth_effects.c). quad is the document's corners and
 * mrz its MRZ box, both in canvas pixels; pitch the MRZ pitch in px. */
int kyc_synth__motion_blur(struct kyc_synth_image *c, double len, double angle);
void kyc_synth__glare_band(struct kyc_synth_image *c, struct kyc_synth__rng *r,
                           const double mrz[4][2], double pitch, double strength);
void kyc_synth__hard_shadow(struct kyc_synth_image *c, struct kyc_synth__rng *r,
                            const double mrz[4][2], double pitch, double depth);
int kyc_synth__stock_watermark(struct kyc_synth_image *c, struct kyc_synth__rng *r, double pitch,
                               double alpha);
void kyc_synth__security_print(struct kyc_synth_image *doc, struct kyc_synth__rng *r,
                               const double box[4], double u, double strength);
void kyc_synth__hologram(struct kyc_synth_image *doc, struct kyc_synth__rng *r, const double box[4],
                         double u, double strength);
void kyc_synth__fingers(struct kyc_synth_image *c, struct kyc_synth__rng *r,
                        const double quad[4][2], const double mrz[4][2]);
int kyc_synth__text_near_mrz(struct kyc_synth_image *doc, struct kyc_synth__rng *r,
                             const double box[4], double u);
int kyc_synth__second_document(struct kyc_synth_image *c, struct kyc_synth__rng *r, uint64_t seed,
                               int index, const double quad[4][2]);

/* What a class does to one photo, drawn from the class's own PRNG stream
 * (synth_class.c); mask has bit (1u << class) for each class applied. */
struct kyc_synth__plan {
	unsigned mask;
	double tilt_deg, tilt_axis, focal;     /* PERSPECTIVE: tilt, axis angle (rad), f / side */
	int orientation;                       /* ROTATION */
	double skew_deg;                       /* ROTATION */
	int quality;                           /* JPEG */
	double cap_px;                         /* LOWRES: MRZ character height */
	double motion_pitches, motion_angle;   /* MOTION: length in pitches, direction */
	double card_margin_mm, side_margin_mm; /* EDGE: MRZ to card edge */
	double border_pitches;                 /* EDGE: MRZ to image border */
	int border_side;                       /* EDGE: 0 bottom, 1 left, 2 right, 3 top */
	double glare, shadow;                  /* LIGHT: 0 when not drawn */
	int fingers, second_doc, near_text;    /* CLUTTER */
	double stock, print, holo;             /* WATERMARK: 0 when not drawn */
	int printed;                           /* PRINT: mrz_print holds the style */
	struct kyc_synth__print mrz_print;
};
/* Plans class c at level for (seed, index). */
void kyc_synth__plan_class(enum kyc_synth_class c, int level, uint64_t seed, int index,
                           struct kyc_synth__plan *p);

/* A photo without any MRZ for (seed, index, level) (synth_nomrz.c): sets
 * truth->nomrz_kind, size and quality. Errors as kyc_synth_render(). */
int kyc_synth__render_nomrz(uint64_t seed, int index, int level, struct kyc_synth_doc *truth,
                            struct kyc_synth_image *img);
/* The camera faults of a level (synth_scene.c): uneven light, blur (at most
 * max_blur), noise, then the quarter turn by orientation degrees. */
int kyc_synth__camera(struct kyc_synth_image *c, struct kyc_synth__rng *r, int level,
                      double max_blur, int orientation);
/* An invented Arabic name for (seed, index), given name, father's name and
 * family name from the Egyptian card's lists (synth_egnid.c). */
void kyc_synth__arabic_name(uint64_t seed, int index, int male, char *out, size_t cap);
/* Draws s shaped right to left in the Arabic bold face (synth_egnid.c), its
 * baseline at base and its right end at right (px), at em px shrunk to fit
 * maxw px. 0 or KYC_ERR_IO (a font missing). */
int kyc_synth__arabic_text(struct kyc_synth_image *im, double em, double right, double base,
                           double maxw, const char *s, const unsigned char ink[3]);
/* Blends colour c over pixel (x, y) of im at opacity a (0..1); outside: nothing. */
void kyc_synth__blend(struct kyc_synth_image *im, int x, int y, const unsigned char c[3], double a);

/* The frame of a card photographed without an MRZ (synth_egnid.c): picture
 * size, the document's resolution in it, skew and JPEG quality, drawn from
 * the level's ranges. */
struct kyc_synth__frame {
	int w, h;        /* picture, px */
	double u;        /* document pixels per mm */
	double skew_deg; /* clockwise */
	int quality;
};
void kyc_synth__card_frame(int level, struct kyc_synth__rng *r, double wmm, double hmm,
                           struct kyc_synth__frame *f);
/* A white sheet the card lies on, pushed into one of the sheet's corners:
 * two of the card's sides run along the sheet's edges (the desk beyond
 * them), the other two lie on the paper. */
struct kyc_synth__sheet {
	int corner;          /* the card's corner in the sheet's: 0 TL, 1 TR, 2 BR, 3 BL */
	double tone[3];      /* the paper's colour */
	double len_a, len_b; /* the sheet's extent from that corner along each side, px */
	double gap;          /* how far the sheet's edges lie outside the card's, px */
};
/* Draws sheet under the card whose corners are quad (synth_card.c). */
void kyc_synth__flush_sheet(struct kyc_synth_image *img, const double quad[4][2],
                            const struct kyc_synth__sheet *sheet);
/* Lays doc (upright, corner radius rad px) on a desk in a new f->w x f->h
 * picture *img with the level's camera faults; quad gets the document's
 * corners in it (top-left, top-right, bottom-right, bottom-left). sheet,
 * when not NULL, is drawn under the card (the card lies flat on it: its
 * shadow is a thin line); r draws the same numbers either way, so the rest
 * of the picture is the same. 0 or KYC_ERR_NOMEM; on error *img holds
 * nothing. */
int kyc_synth__card_photo(const struct kyc_synth_image *doc, double rad, int level,
                          const struct kyc_synth__frame *f, struct kyc_synth__rng *r,
                          const struct kyc_synth__sheet *sheet, struct kyc_synth_image *img,
                          double quad[4][2]);

#endif
