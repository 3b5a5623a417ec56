#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "test.h"

TEST(buf_caps_growth)
{
	kyc_buf b;
	kyc_buf_init(&b, 10);
	CHECK_INT(kyc_buf_append(&b, "12345", 5), 0);
	CHECK_INT(kyc_buf_append(&b, "67890", 5), 0);
	CHECK_INT(kyc_buf_append(&b, "x", 1), KYC_ERR_TOOBIG);
	CHECK_INT(b.len, 10);
	CHECK_STR(b.data, "1234567890");
	kyc_buf_reset(&b);
	CHECK_INT(kyc_buf_printf(&b, "%d-%s", 42, "ab"), 0);
	CHECK_STR(b.data, "42-ab");
	CHECK_INT(kyc_buf_printf(&b, "%s", "toolongtext"), KYC_ERR_TOOBIG);
	CHECK_STR(b.data, "42-ab");
	kyc_buf_release(&b);
}

TEST(buf_detach_empty)
{
	kyc_buf b;
	kyc_buf_init(&b, 10);
	size_t n = 99;
	char *p = kyc_buf_detach(&b, &n);
	REQUIRE(p != NULL);
	CHECK_INT(n, 0);
	CHECK_STR(p, "");
	free(p);
}

TEST(uuid_shape_and_uniqueness)
{
	char a[37], b[37];
	REQUIRE(kyc_uuid_new(a) == 0);
	REQUIRE(kyc_uuid_new(b) == 0);
	CHECK(kyc_uuid_valid(a, strlen(a)));
	CHECK(strcmp(a, b) != 0);
	CHECK(a[14] == '4');
	CHECK(strchr("89ab", a[19]) != NULL);
	CHECK(!kyc_uuid_valid("3fa85f64-5717-4562-b3fc-2c963f66afa", 35));
	CHECK(!kyc_uuid_valid("3fa85f64x5717-4562-b3fc-2c963f66afa6", 36));
	CHECK(kyc_uuid_valid("3FA85F64-5717-4562-B3FC-2C963F66AFA6", 36));
}

TEST(dates_roundtrip)
{
	int64_t d;
	CHECK_INT(kyc_date_parse("1970-01-01", 10, &d), 0);
	CHECK_INT(d, 0);
	CHECK_INT(kyc_date_parse("2024-02-29", 10, &d), 0);
	char out[16];
	kyc_date_format(d, out);
	CHECK_STR(out, "2024-02-29");
	CHECK_INT(kyc_date_parse("2023-02-29", 10, &d), KYC_ERR_INVALID);
	CHECK_INT(kyc_date_parse("2023-13-01", 10, &d), KYC_ERR_INVALID);
	CHECK_INT(kyc_date_parse("2023-1-01", 9, &d), KYC_ERR_INVALID);
	kyc_date_format(-1, out);
	CHECK_STR(out, "1969-12-31");
	char iso[32];
	kyc_time_iso(1782382473521LL, iso);
	CHECK_STR(iso, "2026-06-25T10:14:33.521Z");
}

TEST(mask_keeps_last_three)
{
	char out[32];
	kyc_log_mask(out, sizeof out, "L898902C3", 9);
	CHECK_STR(out, "******2C3");
	kyc_log_mask(out, sizeof out, "AB", 2);
	CHECK_STR(out, "**");
}

int main(void)
{
	RUN(buf_caps_growth);
	RUN(buf_detach_empty);
	RUN(uuid_shape_and_uniqueness);
	RUN(dates_roundtrip);
	RUN(mask_keeps_last_three);
	return test_done("core");
}
