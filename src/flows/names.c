#include "flows/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when every word of a (folded, sorted) is in b. */
static int words_within(const char *a, const char *b)
{
	char wa[512];
	snprintf(wa, sizeof wa, "%s", a);
	for (char *p = wa; *p;) {
		char *e = strchr(p, ' ');
		if (e)
			*e = '\0';
		int found = 0;
		size_t pl = strlen(p);
		for (const char *q = b; *q;) {
			const char *qe = strchr(q, ' ');
			size_t ql = qe ? (size_t)(qe - q) : strlen(q);
			if (ql == pl && !memcmp(p, q, pl))
				found = 1;
			q += ql;
			while (*q == ' ')
				q++;
		}
		if (!found)
			return 0;
		if (!e)
			break;
		p = e + 1;
	}
	return 1;
}

int kyc_names_match(const char *first, const char *middle, const char *last,
		    const char *doc_given, const char *doc_surname)
{
	char reg[512], regall[600], doc[600], rl[256], ds[256];
	char joined[600];
	snprintf(joined, sizeof joined, "%s %s %s", first ? first : "", middle ? middle : "",
		 last ? last : "");
	kyc_name_fold(joined, regall, sizeof regall);
	snprintf(joined, sizeof joined, "%s %s", doc_given ? doc_given : "",
		 doc_surname ? doc_surname : "");
	kyc_name_fold(joined, doc, sizeof doc);
	kyc_name_fold(last, rl, sizeof rl);
	kyc_name_fold(doc_surname, ds, sizeof ds);
	kyc_name_fold(first, reg, sizeof reg);
	if (!*regall || !*doc || !*rl)
		return 0;
	/* Every registered word appears on the document (a document may carry
	 * more given names than were registered), and the registered surname
	 * shares a word with the document's surname — or, when the document
	 * split the names differently, appears among its words at all. */
	if (!words_within(regall, doc))
		return 0;
	return words_within(rl, ds) || words_within(ds, rl) || words_within(rl, doc);
}
