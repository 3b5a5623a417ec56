/* bench/reader/engines.h: the two engines as the reader benchmarks run them
 * (bench/reader/bench.c, bench/reader/realset.c); see engines.c. */
#ifndef BENCH_READER_ENGINES_H
#define BENCH_READER_ENGINES_H

#include <stddef.h>

#include <tesseract/capi.h>

#include "document/image.h"
#include "document/reader.h"

/* This thread's CPU time in ms, so other load on the machine does not count. */
double bench_cpu_ms(void);

/* The reader's n lines joined by '\n' into out (cap bytes, NUL-terminated) as
 * the parser takes them; with r, each character's runner-up into alt and its
 * confidence into conf, as the API's extraction passes them
 * (src/document/doc_read.c). Returns the length written. */
size_t bench_join(char *out, char *alt, float *conf, size_t cap,
                  const char lines[][KYC_READER_MAX_CHARS + 1], int n,
                  const struct kyc_reader_result *r);

/* The baseline: kycd's locator, refinement, band and line layout, Tesseract's
 * reading of the band's rows. Tries the candidates and both ways up like
 * kyc_reader_scan, stopping at the first reading the parser finds fully valid;
 * leaves its best text in out (cap bytes) and returns its length (0: none). */
size_t bench_tess_read(TessBaseAPI *api, const struct kyc_image *img, char *out, size_t cap);

/* The baseline engine as both benchmarks run it: Tesseract's stock eng model,
 * whitelist 0-9A-Z<, one text block. *api is NULL when the environment says
 * TESS=0. Returns 0, or -1 (with a message) when the model is missing. */
int bench_tess_open(TessBaseAPI **api);

/* Ends and frees what bench_tess_open made; NULL is fine. */
void bench_tess_close(TessBaseAPI *api);

#endif
