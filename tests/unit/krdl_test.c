/* Korean driving licences (src/document/card_kr_dl.c): the number's form,
 * and the number read from generated fronts (synth_dl.c) at levels 0 and 1:
 * never a wrong number accepted, most read exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/card_kr_dl.h"
#include "document/reader.h"
#include "document/synth_dl.h"
#include "test.h"

TEST(number_form)
{
	char out[16];
	CHECK_INT(kyc_krdl_number("11-23-456789-01", out), 0);
	CHECK_STR(out, "11-23-456789-01");
	CHECK_INT(kyc_krdl_number(" 28-05 -000123-99 ", out), 0);
	CHECK_STR(out, "28-05-000123-99");
	CHECK_INT(kyc_krdl_number("11-23456789-01", out), 0); /* one dash lost */
	static const char *const bad[] = {"", "112345678901", "27-23-456789-01",
					  "10-23-456789-01", "11-23-456789-012", "11-23-45678-01",
					  "1-123-456789-01", "11-23-456-789-01", "D123-456-789"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(kyc_krdl_number(bad[i], out) != 0);
}

TEST(generated_fronts)
{
	enum { N = 8 };
	int cards = 0, exact = 0, wrong = 0;
	for (int level = 0; level <= 1; level++)
		for (int i = 0; i < N; i++) {
			struct kyc_krdl_card c;
			unsigned char *jpg = NULL;
			size_t len;
			kyc_synth_krdl_card(777, i, &c);
			CHECK(kyc_krdl_number(c.number, (char[16]){0}) == 0);
			REQUIRE(kyc_synth_krdl_photo(777, i, level, &c, &jpg, &len) == 0);
			int rc;
			struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
			struct kyc_image img;
			rc = kyc_image_decode(jpg, len, &o, &img, NULL);
			free(jpg);
			REQUIRE(rc == 0);
			int err;
			json_t *x = kyc_krdl_read(&img, &err);
			kyc_image_free(&img);
			REQUIRE(x != NULL);
			const json_t *f = json_object_get(json_object_get(x, "fields"), "licence_number");
			const char *v = json_string_value(json_object_get(f, "value"));
			int ok = v && !strcmp(v, c.number);
			cards++;
			exact += ok && json_is_true(json_object_get(f, "accepted"));
			wrong += !ok && json_is_true(json_object_get(f, "accepted"));
			json_decref(x);
		}
	printf("  %d/%d numbers read exactly and accepted, %d wrong accepted\n", exact, cards, wrong);
	CHECK_INT(wrong, 0);
	CHECK(exact >= cards - 2);
}

int main(void)
{
	RUN(number_form);
	RUN(generated_fronts);
	return test_done("krdl");
}
