/* The list of deferred downloads a verification keeps (src/flows/deferred.h):
 * older records' single document URL is read as a list of one, a
 * submission takes off exactly its own entries, and the retry gaps grow. */
#include <string.h>

#include "flows/deferred.h"
#include "test.h"

static json_t *record(const char *attrs_json)
{
	json_t *a = json_loads(attrs_json, 0, NULL);
	return json_pack("{s:s, s:o}", "id", "v1", "attributes", a ? a : json_object());
}

TEST(older_records_are_a_list_of_one)
{
	json_t *v = record("{\"document_id\":\"d\",\"deferred_document\":{\"url\":\"https://a/f.jpg\","
	                   "\"type\":\"id_card\",\"side\":\"front\",\"attempts\":3,\"next_at\":5}}");
	json_t *l = kyc_deferred_list(v);
	CHECK_INT(json_array_size(l), 1);
	json_t *d = json_array_get(l, 0);
	CHECK_STR(json_string_value(json_object_get(d, "role")), "document");
	CHECK_STR(json_string_value(json_object_get(d, "url")), "https://a/f.jpg");
	CHECK_INT(json_integer_value(json_object_get(d, "attempts")), 3);
	CHECK_INT(kyc_deferred_document_waiting(v), 1);
	/* taking it off removes the old key too, and keeps the rest */
	const char *urls[] = {"https://a/f.jpg", NULL};
	json_t *a = kyc_deferred_attrs_without(json_object_get(v, "attributes"), urls, "document");
	CHECK(json_object_get(a, "deferred_document") == NULL);
	CHECK(json_object_get(a, "deferred_downloads") == NULL);
	CHECK_STR(json_string_value(json_object_get(a, "document_id")), "d");
	json_decref(a);
	json_decref(l);
	json_decref(v);
}

TEST(a_submission_takes_off_its_own_entries)
{
	/* the same URL as a document and as the selfie: two entries */
	json_t *v = record("{\"deferred_downloads\":["
	                   "{\"url\":\"https://a/x.jpg\",\"role\":\"document\",\"side\":\"front\"},"
	                   "{\"url\":\"https://a/x.jpg\",\"role\":\"selfie\"},"
	                   "{\"url\":\"https://a/b.jpg\",\"role\":\"document\",\"side\":\"back\"},"
	                   "{\"url\":\"https://a/aml.pdf\",\"role\":\"file\",\"failed\":true}]}");
	const char *urls[] = {"https://a/x.jpg", "https://a/b.jpg", NULL};
	json_t *a = kyc_deferred_attrs_without(json_object_get(v, "attributes"), urls, "document");
	json_t *w = json_pack("{s:o}", "attributes", a);
	json_t *l = kyc_deferred_list(w);
	CHECK_INT(json_array_size(l), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(l, 0), "role")), "selfie");
	CHECK_STR(json_string_value(json_object_get(json_array_get(l, 1), "role")), "file");
	CHECK_INT(kyc_deferred_document_waiting(w), 1);
	json_decref(l);
	/* only a failed entry left: nothing waits */
	const char *selfie[] = {"https://a/x.jpg", NULL};
	json_t *b = kyc_deferred_attrs_without(json_object_get(w, "attributes"), selfie, "selfie");
	json_t *u = json_pack("{s:o}", "attributes", b);
	CHECK_INT(kyc_deferred_document_waiting(u), 0);
	l = kyc_deferred_list(u);
	CHECK_INT(json_array_size(l), 1);
	json_decref(l);
	json_decref(u);
	json_decref(w);
	json_decref(v);
}

TEST(nothing_deferred)
{
	json_t *v = record("{}");
	json_t *l = kyc_deferred_list(v);
	CHECK_INT(json_array_size(l), 0);
	CHECK_INT(kyc_deferred_document_waiting(v), 0);
	json_decref(l);
	json_decref(v);
}

TEST(gaps_grow_then_hourly)
{
	int64_t prev = 0;
	for (int i = 1; i <= 6; i++) {
		CHECK(kyc_deferred_gap_ms(i) > prev);
		prev = kyc_deferred_gap_ms(i);
	}
	CHECK_INT(kyc_deferred_gap_ms(1), 30000);
	CHECK_INT(kyc_deferred_gap_ms(7), 3600000);
	CHECK_INT(kyc_deferred_gap_ms(100), 3600000);
}

int main(void)
{
	RUN(older_records_are_a_list_of_one);
	RUN(a_submission_takes_off_its_own_entries);
	RUN(nothing_deferred);
	RUN(gaps_grow_then_hourly);
	return test_done("deferred");
}
