#include "flows/vstate.h"

#include <string.h>

#include "core/err.h"

static const char *const state_names[KYC_VS__COUNT] = {
	[KYC_VS_CREATED] = "created",
	[KYC_VS_AWAITING_INPUT] = "awaiting_input",
	[KYC_VS_PROCESSING] = "processing",
	[KYC_VS_APPROVED] = "approved",
	[KYC_VS_REJECTED] = "rejected",
	[KYC_VS_PENDING_REVIEW] = "pending_review",
	[KYC_VS_INCOMPLETE] = "incomplete",
	[KYC_VS_EXPIRED] = "expired",
	[KYC_VS_CANCELLED] = "cancelled",
};

static const char *const event_names[KYC_VE__COUNT] = {
	[KYC_VE_OPEN] = "open",
	[KYC_VE_SUBMIT] = "submit",
	[KYC_VE_AUTO_APPROVE] = "auto_approve",
	[KYC_VE_AUTO_REJECT] = "auto_reject",
	[KYC_VE_NEEDS_REVIEW] = "needs_review",
	[KYC_VE_RETRY] = "retry",
	[KYC_VE_AWAIT] = "await",
	[KYC_VE_EXPIRE] = "expire",
	[KYC_VE_CANCEL] = "cancel",
	[KYC_VE_APPROVE] = "approve",
	[KYC_VE_REJECT] = "reject",
};

/* The whole machine: (from, event) -> to. Absent pairs are illegal. Keep
 * docs/flows.md's diagram in step with this table. */
static const struct {
	enum kyc_vstate from;
	enum kyc_vevent ev;
	enum kyc_vstate to;
} transitions[] = {
	{KYC_VS_CREATED, KYC_VE_OPEN, KYC_VS_AWAITING_INPUT},
	{KYC_VS_CREATED, KYC_VE_SUBMIT, KYC_VS_PROCESSING},
	{KYC_VS_AWAITING_INPUT, KYC_VE_SUBMIT, KYC_VS_PROCESSING},
	{KYC_VS_INCOMPLETE, KYC_VE_SUBMIT, KYC_VS_PROCESSING},
	{KYC_VS_PROCESSING, KYC_VE_AUTO_APPROVE, KYC_VS_APPROVED},
	{KYC_VS_PROCESSING, KYC_VE_AUTO_REJECT, KYC_VS_REJECTED},
	{KYC_VS_PROCESSING, KYC_VE_NEEDS_REVIEW, KYC_VS_PENDING_REVIEW},
	{KYC_VS_PROCESSING, KYC_VE_RETRY, KYC_VS_INCOMPLETE},
	{KYC_VS_PROCESSING, KYC_VE_AWAIT, KYC_VS_AWAITING_INPUT},
	{KYC_VS_CREATED, KYC_VE_EXPIRE, KYC_VS_EXPIRED},
	{KYC_VS_AWAITING_INPUT, KYC_VE_EXPIRE, KYC_VS_EXPIRED},
	{KYC_VS_INCOMPLETE, KYC_VE_EXPIRE, KYC_VS_EXPIRED},
	{KYC_VS_CREATED, KYC_VE_CANCEL, KYC_VS_CANCELLED},
	{KYC_VS_AWAITING_INPUT, KYC_VE_CANCEL, KYC_VS_CANCELLED},
	{KYC_VS_INCOMPLETE, KYC_VE_CANCEL, KYC_VS_CANCELLED},
	{KYC_VS_PENDING_REVIEW, KYC_VE_CANCEL, KYC_VS_CANCELLED},
	{KYC_VS_PENDING_REVIEW, KYC_VE_APPROVE, KYC_VS_APPROVED},
	{KYC_VS_PENDING_REVIEW, KYC_VE_REJECT, KYC_VS_REJECTED},
};

int kyc_vstate_next(enum kyc_vstate from, enum kyc_vevent ev, enum kyc_vstate *to)
{
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
		if (transitions[i].from == from && transitions[i].ev == ev) {
			*to = transitions[i].to;
			return 0;
		}
	return KYC_ERR_STATE;
}

const char *kyc_vstate_name(enum kyc_vstate s)
{
	return (unsigned)s < KYC_VS__COUNT ? state_names[s] : "unknown";
}

const char *kyc_vevent_name(enum kyc_vevent e)
{
	return (unsigned)e < KYC_VE__COUNT ? event_names[e] : "unknown";
}

int kyc_vstate_parse(const char *name, enum kyc_vstate *out)
{
	for (int i = 0; name && i < KYC_VS__COUNT; i++)
		if (!strcmp(state_names[i], name)) {
			*out = (enum kyc_vstate)i;
			return 0;
		}
	return KYC_ERR_INVALID;
}

int kyc_vstate_final(enum kyc_vstate s)
{
	return s == KYC_VS_APPROVED || s == KYC_VS_REJECTED || s == KYC_VS_EXPIRED ||
	       s == KYC_VS_CANCELLED;
}

int kyc_vstate_accepts_input(enum kyc_vstate s)
{
	return s == KYC_VS_CREATED || s == KYC_VS_AWAITING_INPUT || s == KYC_VS_INCOMPLETE;
}
