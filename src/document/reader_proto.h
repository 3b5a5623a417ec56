/* Unsure characters judged against the band's own sure glyphs (docs/reader.md,
 * step 14, "Unsure characters matched to the band's own glyphs"). Internal to
 * src/document/reader*.c. Pure computation on a band's pixels. */
#ifndef KYC_READER_PROTO_H
#define KYC_READER_PROTO_H

#include "document/reader.h"
#include "document/reader_int.h"

/* The match of a cell of lay on b to every surely read cell of one
 * character: the best normalised correlation over a few small shifts of the
 * cell and every such cell. -2 when the band holds no such cell. */
double kyc_reader__proto_match(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                               const struct kyc_reader__reading *r, int l, int k, char c);

/* In a reading r of lay on b whose check digits all hold, each character
 * under the parser's bar whose candidates (the classifier's top ones) include
 * one that matches the band's surely read cells of that character clearly
 * better than the first matches its own (kyc_reader__proto_match) is
 * replaced by it, keeping its confidence (still under the bar: no field
 * becomes valid by it). Only a letter or a filler in the names' line, and
 * elsewhere only a character worth the same modulo 10 (no check digit
 * moves). Returns how many were replaced; r's lines and alt change. */
int kyc_reader__read_protos(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                            struct kyc_reader__reading *r);

#endif
