/* The active liveness challenge (docs/face.md#liveness): the applicant looks
 * at the camera, then turns the head to the left and to the right in an
 * order the server chose at random; this judges the frames. Head pose comes
 * from the 68 landmarks of each frame (the yaw of kyc_face_quality), the
 * person from the embeddings. Pure: faces in, a verdict out. */
#ifndef KYC_FACE_LIVENESS_H
#define KYC_FACE_LIVENESS_H

#include "face/face.h"

#define KYC_LIVENESS_MAX_TURNS 4
/* The front frame's yaw may be at most this (degrees). */
#define KYC_LIVENESS_MAX_FRONT_YAW 15.0
/* A turn must move the yaw at least this far from the front frame's, the
 * way asked (degrees). Both sides of the limit are far from the estimator's
 * noise on one still face (a repeated frame moves it by 0). */
#define KYC_LIVENESS_MIN_TURN 15.0

/* The applicant's own left and right. In an image as the camera takes it
 * (not mirrored), turning to one's own left moves the nose towards the
 * image's right: a positive yaw (face.c). */
enum kyc_turn { KYC_TURN_LEFT, KYC_TURN_RIGHT };

/* "left" / "right" to a turn: 0, or -1 for anything else. */
int kyc_turn_parse(const char *s, enum kyc_turn *out);
const char *kyc_turn_name(enum kyc_turn t);

struct kyc_liveness {
	int pass;
	/* NULL on pass, else the first failure: "no_face" / "several_faces"
	 * (a frame without exactly one face), "not_frontal" (the front frame
	 * turned away), "no_head_turn" (a frame that did not turn far enough:
	 * a still photo or a replayed frame), "wrong_direction" (turned the
	 * other way), "different_person" (a frame's face is not the front
	 * frame's), "recapture_suspected" (a frame's passive anti-spoof score
	 * is under KYC_FACE_SPOOF_SUSPICIOUS: a video of the applicant turning,
	 * replayed on a screen or printed frame by frame, turns as asked). */
	const char *reason;
	int frame; /* the failing frame (0 the front, 1.. the turns), or -1 */
	int nframes;
	double yaw[1 + KYC_LIVENESS_MAX_TURNS];      /* degrees, per frame */
	double distance[1 + KYC_LIVENESS_MAX_TURNS]; /* embedding distance to the front frame */
	double spoof[1 + KYC_LIVENESS_MAX_TURNS];    /* passive score (spoof.h), NAN unmeasured */
};

/* Judges the frames: front is the selfie's face (one face, already checked
 * by kyc_face_selfie); turns[i] every face found on the frame taken for
 * moves[i] (n of them, 1..KYC_LIVENESS_MAX_TURNS). threshold: the distance
 * at or below which a frame shows the front frame's person (the tenant's
 * face_match_threshold). */
void kyc_liveness_check(const struct kyc_face *front, const struct kyc_face_list *const *turns,
                        const enum kyc_turn *moves, int n, double threshold,
                        struct kyc_liveness *out);

#endif
