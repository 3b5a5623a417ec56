/* The generator's difficulty classes: their names and, for one photo, what
 * each class does and how strongly (docs/synth.md, "Classes"). The numbers
 * here are the whole definition of a class at each level. */
#include "document/synth.h"

#include <string.h>
#include <strings.h>

#include "core/err.h"

static const char *const class_names[KYC_SYNTH_CLASS_COUNT] = {
    "none", "perspective", "edge",     "light", "clutter", "watermark", "lowres",
    "jpeg", "motion",      "rotation", "print", "mixed",   "nomrz"};

const char *kyc_synth_class_name(enum kyc_synth_class c)
{
	return (unsigned)c < KYC_SYNTH_CLASS_COUNT ? class_names[c] : NULL;
}

int kyc_synth_class_parse(const char *s, enum kyc_synth_class *out)
{
	for (int i = 0; s && i < KYC_SYNTH_CLASS_COUNT; i++)
		if (!strcasecmp(s, class_names[i])) {
			*out = (enum kyc_synth_class)i;
			return 0;
		}
	return KYC_ERR_INVALID;
}

/* Uniform in [lo[level], hi[level]]. */
static double lv(struct kyc_synth__rng *r, int level, const double lo[3], const double hi[3])
{
	return kyc_synth__rng_unif(r, lo[level], hi[level]);
}

static void plan_one(enum kyc_synth_class c, int level, struct kyc_synth__rng *r,
                     struct kyc_synth__plan *p)
{
	p->mask |= 1u << c;
	switch (c) {
	case KYC_SYNTH_CLASS_PERSPECTIVE:
		p->tilt_deg = lv(r, level, (double[]){10, 10, 15}, (double[]){15, 20, 25});
		p->tilt_axis = kyc_synth__rng_unif(r, 0, 3.14159265358979);
		p->focal = kyc_synth__rng_unif(r, 0.7, 1.0); /* a phone's main camera */
		break;
	case KYC_SYNTH_CLASS_EDGE:
		p->card_margin_mm =
		    lv(r, level, (double[]){2.0, 1.2, 0.6}, (double[]){3.0, 2.2, 1.5});
		p->side_margin_mm =
		    lv(r, level, (double[]){2.0, 1.0, 0.5}, (double[]){3.5, 2.5, 1.5});
		p->border_pitches =
		    lv(r, level, (double[]){1.5, 0.7, 0.25}, (double[]){3.0, 1.5, 0.8});
		p->border_side = kyc_synth__rng_int(r, 0, 5);
		p->border_side = p->border_side < 3 ? 0 : p->border_side - 2;
		break;
	case KYC_SYNTH_CLASS_LIGHT: {
		int which =
		    kyc_synth__rng_int(r, 0, level == 2 ? 3 : 2); /* 0 glare, 1 shadow, else both */
		if (which != 1)
			p->glare = lv(r, level, (double[]){0.45, 0.55, 0.65},
			              (double[]){0.55, 0.68, 0.78});
		if (which != 0)
			p->shadow =
			    lv(r, level, (double[]){0.3, 0.4, 0.5}, (double[]){0.4, 0.5, 0.62});
		break;
	}
	case KYC_SYNTH_CLASS_CLUTTER:
		p->fingers = kyc_synth__rng_int(r, 0, 9) < 7;
		p->second_doc = kyc_synth__rng_int(r, 0, 9) < 6;
		p->near_text = kyc_synth__rng_int(r, 0, 9) < 7;
		if (!p->fingers && !p->second_doc && !p->near_text)
			p->near_text = 1;
		break;
	case KYC_SYNTH_CLASS_WATERMARK: {
		int which = kyc_synth__rng_int(r, 0, 5); /* one or two of the three kinds */
		if (which == 0 || which == 3 || which == 5)
			p->stock =
			    lv(r, level, (double[]){0.25, 0.3, 0.4}, (double[]){0.35, 0.45, 0.55});
		if (which == 1 || which == 3 || which == 4)
			p->print =
			    lv(r, level, (double[]){0.3, 0.4, 0.5}, (double[]){0.45, 0.6, 0.75});
		if (which == 2 || which == 4 || which == 5)
			p->holo =
			    lv(r, level, (double[]){0.2, 0.25, 0.3}, (double[]){0.3, 0.38, 0.45});
		break;
	}
	case KYC_SYNTH_CLASS_LOWRES:
		p->cap_px = lv(r, level, (double[]){11, 9.5, 8}, (double[]){12, 12, 12});
		break;
	case KYC_SYNTH_CLASS_JPEG:
		p->quality = (int)lv(r, level, (double[]){45, 38, 30}, (double[]){56, 51, 43});
		break;
	case KYC_SYNTH_CLASS_MOTION:
		p->motion_pitches =
		    lv(r, level, (double[]){0.12, 0.2, 0.3}, (double[]){0.25, 0.35, 0.5});
		p->motion_angle = kyc_synth__rng_unif(r, 0, 3.14159265358979);
		break;
	case KYC_SYNTH_CLASS_ROTATION: {
		double s = level == 0 ? 5 : level == 1 ? 20 : 45;
		p->orientation = 90 * kyc_synth__rng_int(r, 0, 3);
		p->skew_deg = (double)(long)(kyc_synth__rng_unif(r, -s, s) * 10) / 10;
		break;
	}
	case KYC_SYNTH_CLASS_PRINT: {
		/* Stroke weight as a share of the cap height: a thin laser
		 * engraving to inkjet spread. */
		double w =
		    lv(r, level, (double[]){0.02, 0.035, 0.05}, (double[]){0.04, 0.06, 0.09});
		p->printed = 1;
		p->mrz_print.embolden = kyc_synth__rng_int(r, 0, 1) ? w : -0.6 * w;
		p->mrz_print.jitter =
		    lv(r, level, (double[]){0.01, 0.02, 0.03}, (double[]){0.02, 0.04, 0.06});
		p->mrz_print.sharp = kyc_synth__rng_int(r, 0, 1);
		p->mrz_print.ink =
		    (int)lv(r, level, (double[]){10, 20, 30}, (double[]){50, 80, 110});
		p->mrz_print.dots = level > 0 && kyc_synth__rng_int(r, 0, 3) == 0;
		p->mrz_print.seed = kyc_synth__rng_next(r);
		break;
	}
	default:
		break;
	}
}

void kyc_synth__plan_class(enum kyc_synth_class c, int level, uint64_t seed, int index,
                           struct kyc_synth__plan *p)
{
	memset(p, 0, sizeof *p);
	if (c == KYC_SYNTH_CLASS_NONE || c >= KYC_SYNTH_CLASS_NOMRZ)
		return;
	struct kyc_synth__rng r;
	kyc_synth__rng_seed(&r, seed,
	                    0x500000000ULL + ((uint64_t)level << 40) + ((uint64_t)c << 36) +
	                        (uint64_t)(uint32_t)index);
	if (c != KYC_SYNTH_CLASS_MIXED) {
		plan_one(c, level, &r, p);
		return;
	}
	/* Two classes, or three at level 2, all different. */
	int n = level == 2 ? kyc_synth__rng_int(&r, 2, 3) : 2;
	while (__builtin_popcount(p->mask) < n) {
		enum kyc_synth_class k = (enum kyc_synth_class)kyc_synth__rng_int(
		    &r, KYC_SYNTH_CLASS_PERSPECTIVE, KYC_SYNTH_CLASS_PRINT);
		if (!(p->mask & (1u << k)))
			plan_one(k, level, &r, p);
	}
}
