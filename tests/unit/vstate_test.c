#include "core/err.h"
#include "flows/vstate.h"
#include "test.h"

TEST(happy_paths)
{
	enum kyc_vstate s = KYC_VS_CREATED;
	CHECK_INT(kyc_vstate_next(s, KYC_VE_OPEN, &s), 0);
	CHECK_INT(s, KYC_VS_AWAITING_INPUT);
	CHECK_INT(kyc_vstate_next(s, KYC_VE_SUBMIT, &s), 0);
	CHECK_INT(kyc_vstate_next(s, KYC_VE_RETRY, &s), 0);
	CHECK_INT(s, KYC_VS_INCOMPLETE);
	CHECK_INT(kyc_vstate_next(s, KYC_VE_SUBMIT, &s), 0);
	CHECK_INT(kyc_vstate_next(s, KYC_VE_NEEDS_REVIEW, &s), 0);
	CHECK_INT(s, KYC_VS_PENDING_REVIEW);
	CHECK_INT(kyc_vstate_next(s, KYC_VE_APPROVE, &s), 0);
	CHECK_INT(s, KYC_VS_APPROVED);
}

TEST(final_states_never_move)
{
	for (int st = 0; st < KYC_VS__COUNT; st++) {
		if (!kyc_vstate_final((enum kyc_vstate)st))
			continue;
		for (int ev = 0; ev < KYC_VE__COUNT; ev++) {
			enum kyc_vstate to = KYC_VS__COUNT;
			CHECK_INT(kyc_vstate_next((enum kyc_vstate)st, (enum kyc_vevent)ev, &to),
				  KYC_ERR_STATE);
			CHECK_INT(to, KYC_VS__COUNT);
		}
	}
}

TEST(every_state_reachable_and_named)
{
	int reached[KYC_VS__COUNT] = {0};
	reached[KYC_VS_CREATED] = 1;
	for (int round = 0; round < KYC_VS__COUNT; round++)
		for (int st = 0; st < KYC_VS__COUNT; st++)
			for (int ev = 0; reached[st] && ev < KYC_VE__COUNT; ev++) {
				enum kyc_vstate to;
				if (kyc_vstate_next((enum kyc_vstate)st, (enum kyc_vevent)ev, &to) == 0)
					reached[to] = 1;
			}
	for (int st = 0; st < KYC_VS__COUNT; st++) {
		CHECK(reached[st]);
		enum kyc_vstate back;
		CHECK_INT(kyc_vstate_parse(kyc_vstate_name((enum kyc_vstate)st), &back), 0);
		CHECK_INT(back, st);
	}
	enum kyc_vstate x;
	CHECK_INT(kyc_vstate_parse("approvedd", &x), KYC_ERR_INVALID);
}

TEST(decisions_only_from_review)
{
	for (int st = 0; st < KYC_VS__COUNT; st++) {
		enum kyc_vstate to;
		int rc = kyc_vstate_next((enum kyc_vstate)st, KYC_VE_APPROVE, &to);
		CHECK_INT(rc, st == KYC_VS_PENDING_REVIEW ? 0 : KYC_ERR_STATE);
		CHECK(!kyc_vstate_accepts_input((enum kyc_vstate)st) || !kyc_vstate_final((enum kyc_vstate)st));
	}
}

int main(void)
{
	RUN(happy_paths);
	RUN(final_states_never_move);
	RUN(every_state_reachable_and_named);
	RUN(decisions_only_from_review);
	return test_done("vstate");
}
