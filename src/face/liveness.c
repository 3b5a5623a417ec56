/* The head-turn challenge's verdict (liveness.h). */
#include "face/liveness.h"

#include <math.h>
#include <string.h>

int kyc_turn_parse(const char *s, enum kyc_turn *out)
{
	if (s && !strcmp(s, "left"))
		*out = KYC_TURN_LEFT;
	else if (s && !strcmp(s, "right"))
		*out = KYC_TURN_RIGHT;
	else
		return -1;
	return 0;
}

const char *kyc_turn_name(enum kyc_turn t)
{
	return t == KYC_TURN_LEFT ? "left" : "right";
}

static void fail(struct kyc_liveness *out, const char *reason, int frame)
{
	/* the first failure is the one reported */
	if (out->reason)
		return;
	out->pass = 0;
	out->reason = reason;
	out->frame = frame;
}

/* The frame's passive score, NAN when the face was too small to judge;
 * a suspicious one fails the challenge: turning as asked proves nothing
 * when the turns are a recording shown to the camera. */
static double spoof_score(const struct kyc_face *fc, struct kyc_liveness *out, int frame)
{
	if (!fc->spoof.measured)
		return NAN;
	if (fc->spoof.score < KYC_FACE_SPOOF_SUSPICIOUS)
		fail(out, "recapture_suspected", frame);
	return fc->spoof.score;
}

void kyc_liveness_check(const struct kyc_face *front, const struct kyc_face_list *const *turns,
                        const enum kyc_turn *moves, int n, double threshold,
                        struct kyc_liveness *out)
{
	memset(out, 0, sizeof *out);
	out->pass = 1;
	out->frame = -1;
	if (n < 1 || n > KYC_LIVENESS_MAX_TURNS) {
		fail(out, "no_head_turn", n < 1 ? 1 : KYC_LIVENESS_MAX_TURNS + 1);
		return;
	}
	out->nframes = n + 1;
	out->yaw[0] = front->quality.yaw;
	if (fabs(front->quality.yaw) > KYC_LIVENESS_MAX_FRONT_YAW)
		fail(out, "not_frontal", 0);
	out->spoof[0] = spoof_score(front, out, 0);
	/* Every frame is measured (the details show them all), the first
	 * failure is kept. */
	for (int i = 0; i < n; i++) {
		const char *why;
		const struct kyc_face *fc = kyc_face_pick(turns[i], &why);
		if (!fc) {
			out->yaw[i + 1] = NAN;
			out->distance[i + 1] = NAN;
			out->spoof[i + 1] = NAN;
			fail(out, why, i + 1);
			continue;
		}
		struct kyc_face_match m;
		kyc_face_compare(front->embedding, fc->embedding, threshold, &m);
		out->yaw[i + 1] = fc->quality.yaw;
		out->distance[i + 1] = m.distance;
		/* positive: towards the applicant's own left (liveness.h) */
		double turned = fc->quality.yaw - front->quality.yaw;
		double asked = moves[i] == KYC_TURN_LEFT ? turned : -turned;
		if (asked <= -KYC_LIVENESS_MIN_TURN)
			fail(out, "wrong_direction", i + 1);
		else if (asked < KYC_LIVENESS_MIN_TURN)
			fail(out, "no_head_turn", i + 1);
		if (!m.match)
			fail(out, "different_person", i + 1);
		out->spoof[i + 1] = spoof_score(fc, out, i + 1);
	}
}
