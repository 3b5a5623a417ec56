/* The face engine (docs/face.md): find faces in a photo, place their 68
 * landmarks, align and cut them, describe them with HSE FaceRes's 1024-d
 * descriptor,
 * estimate age and gender, judge a selfie's quality, and compare two faces.
 * Pure functions on pixels and the loaded networks: no HTTP, no database.
 * One read path for the API, the CLI and the benchmark. */
#ifndef KYC_FACE_H
#define KYC_FACE_H

#include <stddef.h>

#include "document/image.h"
#include "face/spoof.h"

#define KYC_FACE_EMBEDDING_DIM 1024
/* The name stored beside an embedding ("model"): embeddings of another
 * network (dlib's 128-d, stored before) are never compared with these. */
#define KYC_FACE_EMBEDDING_MODEL "faceres"
#define KYC_FACE_LANDMARKS 68
/* Side of the square box crop the descriptor reads (HSE FaceRes's input). */
#define KYC_FACE_DESCRIPTOR_SIDE 224
/* Cosine distance at or below which two embeddings are one person: the
 * smaller of the distances that hold a false-match rate of 0.1 % on the
 * calibration halves of LFW (0.375) and of All-Age-Faces' East Asian adults
 * (0.319), rounded down to 0.005, so that it holds on both populations
 * (docs/face.md, "The threshold"). */
#define KYC_FACE_DEFAULT_THRESHOLD 0.315

/* Where the models are: $KYCD_MODELS when set; else the first of
 * <dir of the running binary>/../models/face-api (build/release/kycd finds
 * build/models/face-api), <dir of the binary>/../share/kycd/models/face-api
 * (an installed binary) and ./build/models/face-api (the repository root)
 * that holds the detector's manifest. 0, or KYC_ERR_NOTFOUND (buf then holds
 * the last place tried). */
int kyc_face_models_dir(char *buf, size_t len);

/* The loaded networks. Read-only once open: threads may share one engine. */
struct kyc_face_engine;

/* Loads the models from dir (NULL: kyc_face_models_dir), and HSE FaceRes
 * from dir/../human/faceres.json (scripts/fetch-models). err says which file
 * and why on failure. 0, KYC_ERR_NOTFOUND, KYC_ERR_IO, KYC_ERR_INVALID,
 * KYC_ERR_TOOBIG or KYC_ERR_NOMEM. */
int kyc_face_engine_open(const char *dir, struct kyc_face_engine **out, char *err, size_t errlen);
void kyc_face_engine_free(struct kyc_face_engine *e);

/* A selfie's quality, measured on the face (docs/face.md for the limits). */
struct kyc_face_quality {
	double face_ratio; /* face box width / image width */
	double
	    sharpness; /* variance of the Laplacian of the aligned face, 0..; higher is sharper */
	double brightness;       /* mean luminance of the aligned face, 0..255 */
	double yaw, pitch, roll; /* degrees, from the landmarks (rough for yaw and pitch) */
	int cut_off;             /* the face box leaves the image */
	const char *issue; /* NULL when fine, else the first failing reason (see kyc_face_selfie) */
};

struct kyc_face {
	double box[4];                           /* x, y, w, h in image pixels */
	double score;                            /* detector confidence 0..1 */
	double landmarks[KYC_FACE_LANDMARKS][2]; /* image pixels */
	double age;                              /* years */
	const char *gender;                      /* "male" or "female" */
	double gender_score;                     /* probability of that gender, 0.5..1 */
	float embedding[KYC_FACE_EMBEDDING_DIM]; /* L2-normalised */
	struct kyc_face_quality quality;
	struct kyc_face_spoof spoof; /* passive anti-spoof cues (spoof.h) */
};

/* Faces found in one image, largest first, and the whole image's light and
 * focus (what tells a selfie with no face found apart: too dark, too
 * blurred, or truly no face). Owned: kyc_face_list_free(). */
struct kyc_face_list {
	struct kyc_face *faces;
	size_t count;
	double image_brightness; /* mean luminance, 0..255 */
	double image_sharpness;  /* variance of the Laplacian at 256 px */
};

/* Finds every face in img (which must carry rgb: decode with want_rgb) and
 * analyses each: landmarks, aligned crop, embedding, age, gender, quality.
 * A face that fills the frame (a document portrait, a cropped photo) is found
 * by a second pass on the image padded with a margin when the first finds
 * nothing; when no pass finds one, the places scored just under the
 * detector's threshold are read again, zoomed (docs/face.md, step 1).
 * 0, KYC_ERR_INVALID (no rgb) or KYC_ERR_NOMEM. */
int kyc_face_analyze(const struct kyc_face_engine *e, const struct kyc_image *img,
                     struct kyc_face_list *out);
void kyc_face_list_free(struct kyc_face_list *l);

/* The faces of img within the square around box (x, y, w, h; twice its
 * longer side, centred on it, clipped to the image), read again at that
 * scale: a face the whole-image pass saw only coarsely (a small portrait on
 * a photographed document page, where the detector may box the whole
 * printed photo) is then seen large enough to place its landmarks. Boxes and
 * landmarks are in img's pixels. As kyc_face_analyze. */
int kyc_face_analyze_around(const struct kyc_face_engine *e, const struct kyc_image *img,
                            const double box[4], struct kyc_face_list *out);

/* The one face of a photo for comparison: the largest, unless another face is
 * nearly as large (at least 0.6 of its width), which is ambiguous. Returns the
 * face, or NULL with *reason "no_face" or "several_faces". */
const struct kyc_face *kyc_face_pick(const struct kyc_face_list *l, const char **reason);

/* The portrait of a document photo: as kyc_face_pick, but a face the frame
 * cuts, or whose box holds another face found, is passed over when a face
 * that is neither is also found. The detector at times boxes most of a card
 * as a face (larger than the printed portrait, scored higher or lower, cut by
 * the frame or inside it); a document's portrait lies inside it. */
const struct kyc_face *kyc_face_pick_portrait(const struct kyc_face_list *l,
                                              const char **reason);

/* The portrait of a document photo as the workflow keeps it: the faces of
 * img (kyc_face_analyze); the portrait among them (kyc_face_pick_portrait,
 * or, when there are several, the largest found again around itself: a box
 * on a card's text is not); when that is a box over half the photo's width,
 * the face at most 0.4 as wide found inside it (the card boxed whole, the
 * portrait missed by the whole-image pass); then the portrait read again
 * around itself (kyc_face_analyze_around), and once more around the face
 * found there when its centre lies outside the box read around. face points
 * into the lists, or is NULL with reason as kyc_face_pick's. 0 or as
 * kyc_face_analyze; release p with kyc_face_portrait_release either way. */
struct kyc_face_portrait {
	const struct kyc_face *face;
	const char *reason;
	struct kyc_face_list all, inside, near, again;
};
int kyc_face_find_portrait(const struct kyc_face_engine *e, const struct kyc_image *img,
                           struct kyc_face_portrait *p);
void kyc_face_portrait_release(struct kyc_face_portrait *p);

/* Checks l as a selfie: exactly one face (a background face under 0.4 of the
 * main one's width is ignored), then the main face's quality; with no face,
 * the whole image's light and focus say why. Returns NULL when it is fine,
 * else a stable reason: "no_face", "several_faces",
 * "face_too_small", "face_cut_off", "too_dark", "too_bright", "too_blurry",
 * "not_frontal". */
const char *kyc_face_selfie(const struct kyc_face_list *l);

/* The face f of img (which carries rgb) cut upright on its eyes, as the
 * embedding sees it but with side×side pixels (16..1024): the portrait to
 * store and show beside the selfie. *rgb gets side*side*3 bytes (malloc; the
 * caller frees). 0, KYC_ERR_INVALID or KYC_ERR_NOMEM. */
int kyc_face_aligned_crop(const struct kyc_image *img, const struct kyc_face *f, int side,
                          unsigned char **rgb);

/* The descriptor of a KYC_FACE_DESCRIPTOR_SIDE square RGB crop (rgb: side*
 * side*3 bytes): FaceRes's global_pooling/Mean on the bytes as BGR minus the
 * channel means, L2-normalised. 0, KYC_ERR_INVALID or KYC_ERR_NOMEM. */
int kyc_face_descriptor(const struct kyc_face_engine *e, const unsigned char *rgb,
                        float out[KYC_FACE_EMBEDDING_DIM]);

/* Comparison of two embeddings. */
struct kyc_face_match {
	double distance;   /* cosine distance 1 - similarity, 0..2 */
	double similarity; /* cosine similarity, -1..1 */
	double threshold;  /* the distance threshold used */
	int match;         /* distance <= threshold */
};
void kyc_face_compare(const float *a, const float *b, double threshold, struct kyc_face_match *out);

/* The JSON of one face, as `kycd face detect` prints it: {"box":[x,y,w,h],
 * "score","landmarks":[[x,y]...],"age","gender","gender_score","liveness",
 * "anti_spoof":{...},"quality":{...}}. liveness is the passive anti-spoof
 * score (spoof.h; null when the face is too small to judge). A new
 * reference, or NULL on NOMEM. */
struct json_t;
struct json_t *kyc_face_json(const struct kyc_face *f);

#endif
