/* Training-data generator for the OCR-B classifier: renders one MRZ character
 * cell the way the photo reader will hand it over (glyph, margin, slivers of
 * neighbours, imperfect centring) with random print and camera degradations.
 * Deterministic: a sample is a pure function of (seed, index, level). */
#ifndef OCR_TRAIN_GEN_H
#define OCR_TRAIN_GEN_H

#include <stdint.h>

#define GEN_MAX_SIDE 200 /* largest cell side produced */
#define GEN_MAX_FONTS 6  /* OCR-B digitisations and weights drawn from */

/* Augmentation strength: clean-ish print, everyday photos, bad photos. */
enum gen_level { GEN_CLEAN = 0, GEN_MILD = 1, GEN_HEAVY = 2, GEN_NLEVELS = 3 };

/* What the cell holds: the class's glyph, or one of the non-characters a
 * reader meets (the model's reject output). */
enum gen_kind { GEN_GLYPH = 0, GEN_UPSIDE = 1, GEN_STRADDLE = 2, GEN_BLANK = 3, GEN_NKINDS = 4 };
/* Classes whose glyph turned 180 degrees is no character (nor close to one). */
#define GEN_UPSIDE_CLASSES "34BCDEFGJKPRTUY<"

/* How the characters were put on the document (gen.c draws each one). */
enum gen_print {
	GEN_PRINT_LASER = 0, /* crisp toner, a few specks */
	GEN_PRINT_INKJET,    /* ink spread or starved, ragged edges, satellite dots */
	GEN_PRINT_DOTS,      /* dot-matrix: glyphs made of round dots */
	GEN_PRINT_EMBOSS,    /* embossed relief lit from one side, partly tipped */
	GEN_NPRINTS
};

struct gen; /* one per thread: holds a FreeType library (not thread-safe) */

/* Opens the fonts named in font_paths, a ':'-separated list of OCR-B
 * digitisations or weights (the first is drawn for half the cells, the others
 * share the rest). NULL when a font cannot be loaded. */
struct gen *gen_new(const char *font_paths);
void gen_free(struct gen *g);

/* Renders class cls (index into KYC_OCR_CLASSES) for sample (seed, index) at
 * the given level as a cell of the given kind (for GEN_UPSIDE cls should be one
 * of GEN_UPSIDE_CLASSES; GEN_BLANK ignores it) into px (room for GEN_MAX_SIDE^2 bytes, stride = *w),
 * within its line: the image is the reader's context window with the
 * neighbours drawn and degraded with the glyph; *cx is the cell's centre and
 * *pitch the line's pitch as a reader measures them (kyc_ocr_classify_at).
 * Returns 0 or -1 on a FreeType error. */
int gen_sample(struct gen *g, uint64_t seed, uint64_t index, int level, int cls, int kind,
	       unsigned char *px, int *w, int *h, double *cx, double *pitch);

/* splitmix64: the one PRNG of the trainer. */
static inline uint64_t gen_mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
/* Uniform in [0,1). */
static inline double gen_unif(uint64_t *s)
{
	return (double)(gen_mix(s) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
