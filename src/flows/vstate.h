/* The verification state machine (docs/flows.md). States and events are
 * enums; the only way to change a verification's status is
 * kyc_vstate_next(), so an illegal transition cannot be written. */
#ifndef KYC_VSTATE_H
#define KYC_VSTATE_H

enum kyc_vstate {
	KYC_VS_CREATED,
	KYC_VS_AWAITING_INPUT,
	KYC_VS_PROCESSING,
	KYC_VS_APPROVED,
	KYC_VS_REJECTED,
	KYC_VS_PENDING_REVIEW,
	KYC_VS_INCOMPLETE,
	KYC_VS_EXPIRED,
	KYC_VS_CANCELLED,
	KYC_VS__COUNT
};

enum kyc_vevent {
	KYC_VE_OPEN,          /* the session is ready for the applicant */
	KYC_VE_SUBMIT,        /* a document attempt arrived */
	KYC_VE_AUTO_APPROVE,  /* every applicable check passed, auto-approval on */
	KYC_VE_AUTO_REJECT,   /* a hard failure (expired document, under age, ...) or the third failed attempt */
	KYC_VE_NEEDS_REVIEW,  /* a person must decide */
	KYC_VE_RETRY,         /* the attempt was unusable; waiting for another */
	KYC_VE_AWAIT,         /* the attempt was usable; the level needs more (back side, selfie, confirmation) */
	KYC_VE_EXPIRE,        /* expires_at passed while waiting for the applicant */
	KYC_VE_CANCEL,        /* the business cancelled it */
	KYC_VE_APPROVE,       /* a reviewer approved */
	KYC_VE_REJECT,        /* a reviewer rejected */
	KYC_VE__COUNT
};

/* The state after ev in from: 0 and *to set, or KYC_ERR_STATE when ev is not
 * allowed in from (the API answers 409). */
int kyc_vstate_next(enum kyc_vstate from, enum kyc_vevent ev, enum kyc_vstate *to);
/* The API name of a state ("awaiting_input"), and back: 0 or KYC_ERR_INVALID. */
const char *kyc_vstate_name(enum kyc_vstate s);
int kyc_vstate_parse(const char *name, enum kyc_vstate *out);
const char *kyc_vevent_name(enum kyc_vevent e);
/* 1 for approved, rejected, expired, cancelled: nothing moves it again. */
int kyc_vstate_final(enum kyc_vstate s);
/* 1 while the applicant may still send documents (and the session can expire). */
int kyc_vstate_accepts_input(enum kyc_vstate s);

#endif
