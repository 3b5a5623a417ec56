/* The AAMVA DL/ID card design standard's barcode data: what the PDF417 on
 * the back of a North American driving licence or ID card carries
 * (docs/dl.md). Parses the bytes (header, subfile designators, the DL or ID
 * subfile's data elements) into elements and extraction fields, and writes
 * them (for the generator). Pure functions on bytes: no I/O, no allocation
 * in the parser. */
#ifndef KYC_AAMVA_H
#define KYC_AAMVA_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"

/* Caps: elements kept per card, UTF-8 bytes per value (values longer than
 * the standard's longest field, 125 characters, are refused). */
#define KYC_AAMVA_MAX_ELEMENTS 96
#define KYC_AAMVA_VALUE_MAX 160

/* One data element: its three-character id ("DAQ") and its value with the
 * padding spaces trimmed, as UTF-8 (bytes 0xA0..0xFF are read as ISO
 * 8859-1, as Quebec prints accents). */
struct kyc_aamva_element {
	char id[4];
	char value[2 * KYC_AAMVA_VALUE_MAX + 1];
};

struct kyc_aamva {
	char iin[7];              /* the issuer identification number, 6 digits */
	int version;              /* AAMVA version, 1 (2000) .. 10 (2020) and on */
	int jurisdiction_version; /* 0 in version 1, which has none */
	int entries;              /* subfile designators in the header */
	char subfile[3];          /* "DL" or "ID": the subfile read */
	int nelements;
	struct kyc_aamva_element elements[KYC_AAMVA_MAX_ELEMENTS];
};

/* Parses the len bytes of a barcode (not NUL-terminated, may hold NULs)
 * into *out: the header "@" LF RS CR, the file type "ANSI " (or "AAMVA" of
 * version 1), the IIN, the versions, the entry count and the designators,
 * then the first DL or ID subfile's elements (found by its offset, or by
 * its type right after the designators when the offset is wrong, as on
 * some cards; read to its CR, whatever its declared length). 0, or KYC_ERR_INVALID with *why (when not NULL) set to a
 * static code naming the part at fault: "header", "file_type", "iin",
 * "version", "entries", "designator", "no_subfile", "element",
 * "value_too_long", "value_bytes", "too_many_elements", "no_elements". */
int kyc_aamva_parse(const unsigned char *data, size_t len, struct kyc_aamva *out,
		    const char **why);

/* The value of element id ("DAQ"), or NULL when the card has none or it says
 * none ("NONE", "unavl", "unavail"). */
const char *kyc_aamva_get(const struct kyc_aamva *a, const char *id);

/* The card's country, "USA" or "CAN": its element DCG, else its IIN's
 * range (Canadian jurisdictions' IINs), else "USA". */
const char *kyc_aamva_country(const struct kyc_aamva *a);

/* Date element id as YYYY-MM-DD in out: MMDDCCYY on US cards and CCYYMMDD
 * on Canadian ones, as the standard says; the other order when the card's
 * own does not give a date that exists (version 1 cards used either). 0, or
 * KYC_ERR_NOTFOUND (no such element) or KYC_ERR_INVALID (no date). */
int kyc_aamva_date(const struct kyc_aamva *a, const char *id, char out[11]);

/* The extraction fields of a parsed card, a new object
 *   {"<name>":{"value":..|null,"read":bool,"accepted":bool,"source":"barcode"},...}
 * with the names document_number (DAQ), surname (DCS, or DAB/DAA of version
 * 1), given_names (DAC and DAD, or DCT), first_name, middle_names,
 * birth_date, expiry_date, issue_date (YYYY-MM-DD), sex (M, F, X from DBC
 * 1, 2, 9), issuing_country (kyc_aamva_country), address_street (DAG and
 * DAH), address_city (DAI), address_state (DAJ), address_postal_code (DAK),
 * eye_color (DAY), height (DAU), document_discriminator (DCF),
 * vehicle_class (DCA), document_type ("DL"/"ID"), iin, aamva_version. A
 * field is read when the element is present; accepted when it also has its
 * form (a date that exists, a known sex code, a non-empty value): the
 * symbol's error correction already vouches for its characters. Fields the
 * card does not carry are absent. NULL when out of memory. */
json_t *kyc_aamva_fields(const struct kyc_aamva *a);

/* Writes a's header, one designator and its subfile of elements (in their
 * order) to out, as a card's barcode carries them: the inverse of
 * kyc_aamva_parse for the generator and the tests. 0, KYC_ERR_INVALID (an
 * element id that is not three characters, a value with a byte outside
 * printable ASCII, a subfile that is not DL or ID), KYC_ERR_TOOBIG or
 * KYC_ERR_NOMEM. */
int kyc_aamva_write(const struct kyc_aamva *a, kyc_buf *out);

#endif
