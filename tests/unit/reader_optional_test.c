/* A visa's optional data held to two models without the twin exception
 * (docs/reader.md step 15, "A visa's optional data"), so a `0` read `O`
 * there is not valid. Generated photos of development seeds, and the rule
 * on readings set by hand. */

#include "document/reader_names.h"
#include "document/synth.h"
#include "mrz_fixtures.h"
#include "synth_read.h"
#include "test.h"

/* Visas main read valid with a wrong character in their optional data:
 * development seed 4712, clutter level 2 #20 (`KXXVJ80OUZL72SSC` for
 * `KXXVJ800UZL72SSC`, the `O` at 0.970, the finer model reading `0`) and
 * 9103, light level 1 #26 (`...3SONQ...` for `...3S0NQ...`, the `O` at 0.986,
 * the finer model `O` at 0.673). */
TEST(visa_optional_data_misread_not_valid)
{
	static const struct {
		uint64_t seed;
		int index, level;
		enum kyc_synth_class cls;
	} photo[] = {{4712, 20, 2, KYC_SYNTH_CLASS_CLUTTER}, {9103, 26, 1, KYC_SYNTH_CLASS_LIGHT}};
	for (size_t q = 0; q < sizeof photo / sizeof photo[0]; q++) {
		int exact = 0, valid = 0;
		if (tsynth_doc_read(photo[q].seed, photo[q].index, photo[q].level, photo[q].cls,
				    today(), &exact, &valid) == 0)
			CHECK(!valid || exact);
	}
}

static struct kyc_reader__two_reads reads(char first, float first_p, char fine)
{
	return (struct kyc_reader__two_reads){first, fine, first_p, fine ? 0.8f : 0};
}

TEST(both_models_on_any_character)
{
	struct kyc_reader__two_reads t;
	t = reads('0', 0.995f, 0); /* the first model alone, sure */
	CHECK(kyc_reader__char_sure('0', &t));
	t = reads('O', 0.97f, '0'); /* seed 4712's cell: the finer model reads the twin */
	CHECK(!kyc_reader__char_sure('O', &t));
	t = reads('O', 0.97f, 'O'); /* the finer model at 0.8 (reads()) */
	CHECK(!kyc_reader__char_sure('O', &t));
	t.fine_p = 0.9f; /* at the parser's bar */
	CHECK(kyc_reader__char_sure('O', &t));
	t = reads('8', 0.95f, 'B'); /* a twin either way round */
	CHECK(!kyc_reader__char_sure('8', &t));
	t = reads('<', 0.95f, '<');
	t.fine_p = 0.95f;
	CHECK(kyc_reader__char_sure('<', &t));
	t = reads('K', 0.98f, 0); /* under the bar and no finer reading */
	CHECK(!kyc_reader__char_sure('K', &t));
	t = reads('H', 0.98f, 'H'); /* no twin: the finer model agreeing at 0.8 */
	CHECK(kyc_reader__char_sure('H', &t));
	t = reads('H', 0.98f, 'N');
	CHECK(!kyc_reader__char_sure('H', &t));
}

int main(void)
{
	RUN(both_models_on_any_character);
	RUN(visa_optional_data_misread_not_valid);
	return test_done("reader_optional");
}
