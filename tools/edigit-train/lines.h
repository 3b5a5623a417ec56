/* Generated training lines for tools/edigit-train (lines.c). */
#ifndef EDIGIT_LINES_H
#define EDIGIT_LINES_H

#include <stdint.h>

#define LINES_MAX_FONTS 64
#define LINES_MAX_W 1600
#define LINES_MAX_H 256

/* One line: its text (ASCII digits and '/'), its gray pixels, and for each
 * pixel the index of the character whose ink it mostly is (-1: paper). */
struct line_sample {
	char text[24];
	int n, w, h;
	unsigned char gray[LINES_MAX_W * LINES_MAX_H];
	signed char owner[LINES_MAX_W * LINES_MAX_H];
};

struct lines;

/* The fonts at paths that have the ten Eastern Arabic digits and '/'. */
struct lines *lines_new(const char *const *paths, int n);
int lines_nfonts(const struct lines *L);
void lines_free(struct lines *L);

/* Draws line number seed (a pure function of it and the fonts). 0,
 * KYC_ERR_TOOBIG (drawn too large: ask for another) or KYC_ERR_NOMEM. */
int lines_make(struct lines *L, uint64_t seed, struct line_sample *out);

/* splitmix64. */
uint64_t lines_rng(uint64_t *state);

#endif
