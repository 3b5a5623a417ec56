/* A passive anti-spoof score (docs/face.md#passive-anti-spoof-score): cues
 * of a face photographed again from a print or a screen, measured on the
 * face's own pixels, with no learned model. Cues after Wen, Han and Jain,
 * "Face spoof detection with image distortion analysis" (IEEE TIFS 2015):
 * periodic texture (halftone dots, a screen's pixel grid, their moiré) as
 * isolated peaks in the spectrum, and specular glare (clipped, colourless
 * pixels, from a glossy print or a screen's surface). Colour diversity is
 * measured and shown, not scored: a real photo varies too much in it. */
#ifndef KYC_FACE_SPOOF_H
#define KYC_FACE_SPOOF_H

struct kyc_face_spoof {
	int measured;    /* 0: the face is too small (under 64 px) to judge */
	double score;    /* 0..1; 1: no cue of a recapture; under 0.5: suspicious */
	double moire;    /* dB: strongest isolated spectral peak over its surroundings */
	double glare;    /* share of the face's pixels that are clipped and colourless */
	double colours;  /* distinct colours (32 levels a channel) per 1000 pixels */
	const char *cue; /* "moire" or "glare" when score < 0.5, else NULL */
};

/* The suspicious line: a score under it sends a selfie to a person. */
#define KYC_FACE_SPOOF_SUSPICIOUS 0.5

/* Sets cue from score (for cues read back from storage). */
void kyc_face_spoof_judge(struct kyc_face_spoof *s);

/* Measures the face in box (x, y, w, h, image pixels) of an RGB image. */
void kyc_face_spoof_measure(const unsigned char *rgb, int w, int h, const double box[4],
                            struct kyc_face_spoof *out);

#endif
