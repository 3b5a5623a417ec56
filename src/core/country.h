/* ISO 3166-1 country codes (alpha-2 and alpha-3), the one table kycd uses to
 * validate countries in requests and to map between the two forms (seed 002
 * speaks alpha-2, the MRZ and seeds 001/004 alpha-3). */
#ifndef KYC_COUNTRY_H
#define KYC_COUNTRY_H

#include <stddef.h>

/* 1 when s (len bytes, upper case) is an ISO 3166-1 alpha-3 code. */
int kyc_country_alpha3_valid(const char *s, size_t len);
/* 1 when s is an ISO 3166-1 alpha-2 code. */
int kyc_country_alpha2_valid(const char *s, size_t len);
/* 1 when s is a code an ICAO 9303 document may carry as issuing state or
 * nationality: ISO 3166-1 alpha-3, Germany's "D", and the ICAO codes for
 * British nationals (GBD, GBN, GBO, GBP, GBS), the UN (UNO, UNA, UNK),
 * stateless and refugees (XXA, XXB, XXC, XXX), the EU (EUE), other
 * organisations (XBA, XCC, XCE, XCO, XEC, XIM, XOM, XPO, XES, XMP, XDC)
 * and the specimen state UTO. */
int kyc_country_icao_valid(const char *s, size_t len);
/* alpha-2 -> alpha-3 ("LT" -> "LTU"); NULL when unknown. */
const char *kyc_country_alpha2_to_3(const char *a2, size_t len);
/* alpha-3 -> alpha-2; NULL when unknown. */
const char *kyc_country_alpha3_to_2(const char *a3, size_t len);

#endif
