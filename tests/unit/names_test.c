#include <string.h>

#include "flows/names.h"
#include "test.h"

TEST(fold)
{
	char out[128];
	kyc_name_fold("  José-María  O'Neil ", out, sizeof out);
	CHECK_STR(out, "JOSE MARIA NEIL O");
	kyc_name_fold("Müller Straße", out, sizeof out);
	CHECK_STR(out, "MULLER STRASSE"); /* Ü -> U; ß -> SS */
	kyc_name_fold("MUELLER", out, sizeof out);
	CHECK_STR(out, "MULLER"); /* the MRZ's UE folds the same way */
	kyc_name_fold("Łukasz Żółć", out, sizeof out);
	CHECK_STR(out, "LUKASZ ZOLC");
	kyc_name_fold("ERIKSSON<<ANNA<MARIA", out, sizeof out);
	CHECK_STR(out, "ANNA ERIKSSON MARIA");
	kyc_name_fold("محمد", out, sizeof out); /* no Latin letters: nothing to compare */
	CHECK_STR(out, "");
	kyc_name_fold("\xff\xfe bad \xc3", out, sizeof out); /* broken UTF-8 is skipped */
	CHECK_STR(out, "BAD");
}

TEST(match_tolerant)
{
	/* case, diacritics, hyphen, order, extra given names on the document */
	CHECK(kyc_names_match("José", NULL, "García-López", "JOSE MARIA", "GARCIA LOPEZ"));
	CHECK(kyc_names_match("anna", "maria", "eriksson", "ANNA MARIA", "ERIKSSON"));
	CHECK(kyc_names_match("Anna", NULL, "Eriksson", "ANNA MARIA", "ERIKSSON"));
	CHECK(kyc_names_match("Jürgen", NULL, "Müller", "JUERGEN", "MUELLER"));
	/* words split differently between given names and surname */
	CHECK(kyc_names_match("Maria", NULL, "Van Der Berg", "MARIA", "VANDER BERG") == 0);
	CHECK(kyc_names_match("Maria", NULL, "Berg", "MARIA", "VAN DER BERG"));
}

TEST(match_refuses)
{
	CHECK(!kyc_names_match("Anna", NULL, "Eriksson", "ANNA", "ERIKSEN"));
	CHECK(!kyc_names_match("Bob", NULL, "Eriksson", "ANNA", "ERIKSSON"));
	CHECK(!kyc_names_match(NULL, NULL, NULL, "ANNA", "ERIKSSON"));
	CHECK(!kyc_names_match("Anna", NULL, "Eriksson", NULL, NULL));
}

int main(void)
{
	RUN(fold);
	RUN(match_tolerant);
	RUN(match_refuses);
	return test_done("names");
}
