#include <string.h>

#include "core/err.h"
#include "webhooks/sign.h"
#include "test.h"

/* The test vector published with the Standard Webhooks specification. */
TEST(standard_vector)
{
	const char *secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	const char *id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
	const char *body = "{\"test\": 2432232314}";
	char sig[KYC_WEBHOOK_SIG_MAX];
	REQUIRE(kyc_webhook_sign(secret, id, 1614265330, body, strlen(body), sig) == 0);
	CHECK_STR(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	CHECK(kyc_webhook_verify(secret, id, 1614265330, body, strlen(body), sig, 1614265330, 300));
}

/* A secret of the shape kycd makes (24 bytes) and a kycd event id: the
 * second vector of docs/webhooks.md, computed there with openssl(1). */
TEST(kycd_vector)
{
	const char *secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";
	const char *id = "3f8a1c52-7d4e-4b1a-9c2e-0a5b6c7d8e9f";
	const char *body = "{\"id\":\"3f8a1c52-7d4e-4b1a-9c2e-0a5b6c7d8e9f\",\"object\":\"event\","
			   "\"type\":\"webhook.test\"}";
	char sig[KYC_WEBHOOK_SIG_MAX];
	REQUIRE(kyc_webhook_sign(secret, id, 1795431008, body, strlen(body), sig) == 0);
	CHECK_STR(sig, "v1,npoAfCMiJikmfE+6p/8Bnk5wwoC/DgeyC4oP6TUZUa0=");
}

TEST(verify_rejects_tampering_and_old)
{
	char secret[KYC_WEBHOOK_SECRET_MAX], other[KYC_WEBHOOK_SECRET_MAX];
	REQUIRE(kyc_webhook_secret_new(secret) == 0);
	REQUIRE(kyc_webhook_secret_new(other) == 0);
	CHECK(strncmp(secret, "whsec_", 6) == 0);
	CHECK(strcmp(secret, other) != 0);
	char sig[KYC_WEBHOOK_SIG_MAX], sig2[KYC_WEBHOOK_SIG_MAX];
	REQUIRE(kyc_webhook_sign(secret, "evt_1", 1000, "{}", 2, sig) == 0);
	CHECK(kyc_webhook_verify(secret, "evt_1", 1000, "{}", 2, sig, 1000, 300));
	CHECK(!kyc_webhook_verify(secret, "evt_1", 1000, "{ }", 3, sig, 1000, 300));
	CHECK(!kyc_webhook_verify(secret, "evt_2", 1000, "{}", 2, sig, 1000, 300));
	CHECK(!kyc_webhook_verify(other, "evt_1", 1000, "{}", 2, sig, 1000, 300));
	CHECK(!kyc_webhook_verify(secret, "evt_1", 1000, "{}", 2, sig, 2000, 300));
	/* rotation: two signatures, either secret verifies */
	REQUIRE(kyc_webhook_sign(other, "evt_1", 1000, "{}", 2, sig2) == 0);
	char both[2 * KYC_WEBHOOK_SIG_MAX + 2];
	snprintf(both, sizeof both, "%s %s", sig2, sig);
	CHECK(kyc_webhook_verify(secret, "evt_1", 1000, "{}", 2, both, 1000, 300));
	CHECK(kyc_webhook_verify(other, "evt_1", 1000, "{}", 2, both, 1000, 300));
	CHECK_INT(kyc_webhook_sign("nope", "evt_1", 1000, "{}", 2, sig), KYC_ERR_INVALID);
	CHECK_INT(kyc_webhook_sign("whsec_!!!!", "evt_1", 1000, "{}", 2, sig), KYC_ERR_INVALID);
}

int main(void)
{
	RUN(standard_vector);
	RUN(kycd_vector);
	RUN(verify_rejects_tampering_and_old);
	return test_done("webhook_sign");
}
