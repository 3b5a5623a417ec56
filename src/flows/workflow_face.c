/* The face steps of the workflow (docs/face.md#workflow-checks): the engine
 * on a document's front (the aligned portrait, stored as a file of the
 * verification, and its embedding) and on a selfie, before the transaction;
 * inside it, the face checks and the verification's face result, computed
 * from what the documents keep. */
#include "flows/workflow_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "document/reader.h"
#include "flows/checks.h"
#include "face/liveness.h"
#include "flows/face_checks.h"
#include "store/blob.h"

/* The side of the stored portrait: enough to judge a face by eye beside the
 * selfie, small enough (about 60 KB as PNG) to keep per verification. */
#define PORTRAIT_SIDE 256

static double round4(double v)
{
	return round(v * 1e4) / 1e4;
}

/* A face as a document keeps it (attributes.face): the embedding as base64
 * of its float32 (little-endian hosts only, as the rest of kycd) and the
 * network that made it ("model"; absent on the 128-d dlib embeddings kept
 * before), with what the checks read. Never rendered: the API shows the face
 * result. */
static json_t *face_to_json(const struct kyc_face *fc)
{
	kyc_buf b;
	kyc_buf_init(&b, 2 * sizeof fc->embedding);
	if (kyc_base64_encode_buf(fc->embedding, sizeof fc->embedding, KYC_B64_STD, &b)) {
		kyc_buf_release(&b);
		return NULL;
	}
	const struct kyc_face_quality *q = &fc->quality;
	json_t *j = json_pack("{s:s, s:s, s:f, s:s, s:f, s:[f,f,f,f], s:{s:f, s:f, s:f, s:f, s:f, s:f}}",
	                      "embedding", b.data, "model", KYC_FACE_EMBEDDING_MODEL, "age", round4(fc->age), "gender", fc->gender,
	                      "gender_score", round4(fc->gender_score), "box", round4(fc->box[0]),
	                      round4(fc->box[1]), round4(fc->box[2]), round4(fc->box[3]), "quality",
	                      "face_ratio", round4(q->face_ratio), "sharpness",
	                      round4(q->sharpness), "brightness", round4(q->brightness), "yaw",
	                      round4(q->yaw), "pitch", round4(q->pitch), "roll", round4(q->roll));
	kyc_buf_release(&b);
	/* the passive anti-spoof cues, when the face was large enough */
	if (j && fc->spoof.measured)
		json_object_set_new(j, "anti_spoof",
		                    json_pack("{s:f, s:f, s:f}", "score", round4(fc->spoof.score),
		                              "moire_db", round4(fc->spoof.moire), "glare",
		                              round4(fc->spoof.glare)));
	return j;
}

/* The reverse of face_to_json; 0, or -1 when j holds no face. *comparable
 * (when not NULL) is 0 when the embedding is another network's (a legacy
 * dlib one) or unreadable: its age, gender and quality still hold, its
 * embedding is zeros and must not be compared. */
static int face_from_json(const json_t *j, struct kyc_face *fc, int *comparable)
{
	const char *emb = json_string_value(json_object_get(j, "embedding"));
	const char *model = json_string_value(json_object_get(j, "model"));
	size_t n = 0;
	memset(fc, 0, sizeof *fc);
	if (!emb)
		return -1;
	int ok = model && !strcmp(model, KYC_FACE_EMBEDDING_MODEL) &&
	         !kyc_base64_decode(emb, strlen(emb), KYC_B64_STD, (unsigned char *)fc->embedding,
	                            sizeof fc->embedding, &n) &&
	         n == sizeof fc->embedding;
	if (!ok)
		memset(fc->embedding, 0, sizeof fc->embedding);
	if (comparable)
		*comparable = ok;
	else if (!ok)
		return -1;
	fc->age = json_number_value(json_object_get(j, "age"));
	const char *g = json_string_value(json_object_get(j, "gender"));
	fc->gender = g && !strcmp(g, "male") ? "male" : "female";
	fc->gender_score = json_number_value(json_object_get(j, "gender_score"));
	for (int i = 0; i < 4; i++)
		fc->box[i] =
		    json_number_value(json_array_get(json_object_get(j, "box"), (size_t)i));
	const json_t *q = json_object_get(j, "quality");
	fc->quality.face_ratio = json_number_value(json_object_get(q, "face_ratio"));
	fc->quality.sharpness = json_number_value(json_object_get(q, "sharpness"));
	fc->quality.brightness = json_number_value(json_object_get(q, "brightness"));
	fc->quality.yaw = json_number_value(json_object_get(q, "yaw"));
	fc->quality.pitch = json_number_value(json_object_get(q, "pitch"));
	fc->quality.roll = json_number_value(json_object_get(q, "roll"));
	const json_t *sp = json_object_get(j, "anti_spoof");
	fc->spoof.measured = json_is_object(sp);
	fc->spoof.score = fc->spoof.measured ? json_number_value(json_object_get(sp, "score")) : 1;
	fc->spoof.moire = json_number_value(json_object_get(sp, "moire_db"));
	fc->spoof.glare = json_number_value(json_object_get(sp, "glare"));
	kyc_face_spoof_judge(&fc->spoof);
	return 0;
}

/* The aligned crop of face fc as a PNG file of the verification. */
static int store_portrait(struct kyc_flow *f, const char *owner, const struct kyc_image *img,
                          const struct kyc_face *fc, struct flow_face_prep *p)
{
	unsigned char *rgb = NULL;
	kyc_buf png;
	char fid[37], sha[65];
	kyc_buf_init(&png, 4u << 20);
	int rc = kyc_face_aligned_crop(img, fc, PORTRAIT_SIDE, &rgb);
	rc = rc ? rc : kyc_image_write_png_rgb(rgb, PORTRAIT_SIDE, PORTRAIT_SIDE, &png);
	free(rgb);
	if (rc)
		goto out;
	kyc_uuid_new(fid);
	/* sealed under the applicant's key, as the photo it was cut from */
	rc = kyc_blob_write(f->store, f->data_dir, f->tenant_id, owner, fid, png.data, png.len,
	                    p->relpath, sizeof p->relpath);
	if (rc)
		goto out;
	p->stored = 1;
	flow__sha256_hex(png.data, png.len, sha);
	p->portrait_file =
	    json_pack("{s:s, s:s, s:s, s:I, s:s, s:i, s:i, s:s}", "id", fid, "kind", "portrait",
	              "content_type", "image/png", "size", (json_int_t)png.len, "sha256", sha,
	              "width", PORTRAIT_SIDE, "height", PORTRAIT_SIDE, "path", p->relpath);
	json_object_set_new(p->face, "portrait_file_id", json_string(fid));
	rc = p->portrait_file ? 0 : KYC_ERR_NOMEM;
out:
	kyc_buf_release(&png);
	return rc;
}

/* The face the workflow keeps of img: on a selfie its one face, or NULL
 * with *issue (kyc_face_selfie); on a document its portrait
 * (kyc_face_find_portrait). p (released by the caller) holds the faces *fc
 * points into. 0 or the engine's error. */
static int find_face(const struct kyc_flow *f, const struct kyc_image *img, int selfie,
                     struct kyc_face_portrait *p, const struct kyc_face **fc, const char **issue)
{
	*fc = NULL;
	*issue = NULL;
	if (!selfie) {
		int rc = kyc_face_find_portrait(f->face, img, p);
		*fc = p->face;
		return rc;
	}
	memset(p, 0, sizeof *p);
	int rc = kyc_face_analyze(f->face, img, &p->all);
	if (rc)
		return rc;
	*issue = kyc_face_selfie(&p->all);
	*fc = *issue ? NULL : &p->all.faces[0];
	return 0;
}

int flow__face_prepare(struct kyc_flow *f, const char *owner, const struct kyc_image *img,
                       int selfie, struct flow_face_prep *p, struct kyc_jerr *e)
{
	struct kyc_face_portrait found = {0};
	const struct kyc_face *fc;
	memset(p, 0, sizeof *p);
	if (!f->face || !img->rgb)
		return 0;
	int rc = find_face(f, img, selfie, &found, &fc, &p->issue);
	if (rc) {
		kyc_face_portrait_release(&found);
		return kyc_jerr_set(e, 500, "internal", "", "the face engine failed");
	}
	p->analyzed = 1;
	if (fc && !(p->face = face_to_json(fc)))
		rc = KYC_ERR_NOMEM;
	if (!selfie) {
		if (fc && !rc)
			rc = store_portrait(f, owner, img, fc, p);
		if (rc)
			kyc_logf(KYC_LOG_WARN, "portrait not stored: %s", kyc_err_name(rc));
	}
	kyc_face_portrait_release(&found);
	if (rc)
		return kyc_jerr_set(e, 500, "store_error", "", "the portrait could not be stored");
	return 0;
}

void flow__face_prep_release(struct kyc_flow *f, struct flow_face_prep *p, int keep_files)
{
	if (p->stored && !keep_files)
		kyc_blob_remove(f->data_dir, p->relpath);
	json_decref(p->face);
	json_decref(p->portrait_file);
	memset(p, 0, sizeof *p);
}

/* ---- faces kept by another network, before the transaction ---- */

/* The face of document d (a selfie or an identity document) read again by
 * today's engine from the image it was kept from: 0 with *face the new
 * attributes.face (the stored portrait file kept: the same detector finds
 * the same face), or -1 when the image is gone (removed by retention,
 * erased, missing) or no longer gives a usable face. The blob is only read:
 * it stays sealed as it is. */
static int recompute(struct kyc_flow *f, const json_t *d, const json_t *old, json_t **face)
{
	json_t *file = NULL;
	kyc_buf bytes;
	struct kyc_image img = {0};
	struct kyc_face_portrait found = {0};
	const struct kyc_face *fc = NULL;
	const char *issue = NULL, *path = NULL, *why = NULL;
	int ret = -1;
	*face = NULL;
	kyc_buf_init(&bytes, f->max_image_bytes);
	const char *fid = flow__str(d, "file_id");
	if (!fid || kyc_store_get(f->store, KYC_R_FILE, f->tenant_id, fid, &file) ||
	    (json_object_get(file, "deleted_at") && !json_is_null(json_object_get(file, "deleted_at"))) ||
	    !(path = flow__str(file, "path")))
		goto out;
	/* Leave any read snapshot before the engine's work (a second or so). */
	if (kyc_store_in_transaction(f->store))
		kyc_store_commit(f->store);
	if (kyc_blob_read(f->store, f->data_dir, f->tenant_id, path, &bytes))
		goto out;
	/* decoded as a submission decodes it (workflow_submit.c) */
	struct kyc_image_opts io = {.max_bytes = f->max_image_bytes,
	                            .max_pixels = (long)f->max_image_pixels,
	                            .target_side = KYC_READER_DECODE_SIDE,
	                            .want_rgb = 1};
	if (kyc_image_decode(bytes.data, bytes.len, &io, &img, &why) ||
	    find_face(f, &img, !strcmp(flow__str(d, "type"), "selfie"), &found, &fc, &issue) ||
	    !fc || !(*face = face_to_json(fc)))
		goto out;
	const json_t *pf = json_object_get(old, "portrait_file_id");
	if (pf)
		json_object_set(*face, "portrait_file_id", (json_t *)pf);
	json_object_set_new(*face, "recomputed_at", json_integer(kyc_now_ms()));
	ret = 0;
out:
	kyc_face_portrait_release(&found);
	kyc_image_free(&img);
	kyc_buf_release(&bytes);
	json_decref(file);
	return ret;
}

int flow__face_refresh(struct kyc_flow *f, const char *vid)
{
	struct kyc_store_page pg = {0};
	if (!f->face)
		return 0;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	int rc = kyc_store_list(f->store, KYC_R_DOCUMENT, f->tenant_id, filter, "", 100, &pg);
	json_decref(filter);
	if (rc)
		return rc;
	size_t i;
	json_t *d;
	json_array_foreach(pg.items, i, d)
	{
		const json_t *old = json_object_get(json_object_get(d, "attributes"), "face");
		const char *model = flow__str(old, "model");
		json_t *face = NULL;
		if (!json_is_string(json_object_get(old, "embedding")) ||
		    (model && !strcmp(model, KYC_FACE_EMBEDDING_MODEL)))
			continue;
		if (recompute(f, d, old, &face)) {
			kyc_logf(KYC_LOG_INFO,
			         "document %s: its face was kept by another network and its image "
			         "is gone: face_match goes to review",
			         flow__str(d, "id"));
			continue;
		}
		json_t *attrs = json_deep_copy(json_object_get(d, "attributes"));
		json_object_set_new(attrs, "face", face);
		json_t *patch = json_pack("{s:o}", "attributes", attrs);
		/* A short transaction that writes only if the document is as it
		 * was read: a change in between (another request) wins, and this
		 * reading is dropped, never merged into it. */
		rc = patch ? kyc_store_begin(f->store) : KYC_ERR_NOMEM;
		if (!rc) {
			rc = kyc_store_update(f->store, KYC_R_DOCUMENT, f->tenant_id,
			                      flow__str(d, "id"), patch,
			                      json_integer_value(json_object_get(d, "version")));
			if (rc)
				kyc_store_rollback(f->store);
			else
				rc = kyc_store_commit(f->store);
		}
		json_decref(patch);
		kyc_logf(rc ? KYC_LOG_WARN : KYC_LOG_INFO, "document %s: face recomputed by %s%s%s",
		         flow__str(d, "id"), KYC_FACE_EMBEDDING_MODEL, rc ? ", not written: " : "",
		         rc ? kyc_err_name(rc) : "");
	}
	json_decref(pg.items);
	return 0;
}

/* JSON has no NaN: a frame without a face has null. */
static json_t *num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(round4(v));
}

int flow__liveness_judge(struct kyc_flow *f, const json_t *sface, const struct kyc_flow_image *turns,
                         int n, const json_t *moves, const struct kyc_image_opts *io,
                         double threshold, json_t **out, struct kyc_jerr *e)
{
	struct kyc_face front;
	struct kyc_face_list lists[KYC_LIVENESS_MAX_TURNS] = {0};
	const struct kyc_face_list *lp[KYC_LIVENESS_MAX_TURNS];
	enum kyc_turn mv[KYC_LIVENESS_MAX_TURNS];
	int ret = -1, done = 0;
	*out = NULL;
	if (n < 1 || n > KYC_LIVENESS_MAX_TURNS || (size_t)n != json_array_size(moves))
		return kyc_jerr_set(e, 422, "frames_mismatch", "frame",
		                    "send one frame per turn of the challenge");
	if (!f->face || face_from_json(sface, &front, NULL))
		return kyc_jerr_set(e, 500, "internal", "", "the face engine failed");
	for (int i = 0; i < n; i++) {
		struct kyc_image img = {0};
		const char *why = NULL;
		if (kyc_turn_parse(json_string_value(json_array_get(moves, (size_t)i)), &mv[i])) {
			kyc_jerr_set(e, 500, "internal", "", "bad challenge");
			goto out;
		}
		if (turns[i].len > f->max_image_bytes ||
		    kyc_image_decode(turns[i].bytes, turns[i].len, io, &img, &why)) {
			kyc_jerr_set(e, 422, "image_invalid", "frame",
			             "frame %d could not be decoded: %s", i + 1,
			             why ? why : "too large");
			goto out;
		}
		int rc = kyc_face_analyze(f->face, &img, &lists[i]);
		kyc_image_free(&img);
		done = i + 1;
		if (rc) {
			kyc_jerr_set(e, 500, "internal", "", "the face engine failed");
			goto out;
		}
		lp[i] = &lists[i];
	}
	struct kyc_liveness lv;
	kyc_liveness_check(&front, lp, mv, n, threshold, &lv);
	json_t *frames = json_array();
	for (int i = 0; i < lv.nframes; i++)
		json_array_append_new(frames, json_pack("{s:o, s:o, s:o}", "yaw",
		                                        num_or_null(lv.yaw[i]), "distance",
		                                        num_or_null(lv.distance[i]), "anti_spoof",
		                                        num_or_null(lv.spoof[i])));
	*out = json_pack("{s:s, s:s?, s:o, s:O, s:o}", "result", lv.pass ? "pass" : "fail",
	                 "reason", lv.reason, "frame",
	                 lv.frame < 0 ? json_null() : json_integer(lv.frame), "moves", moves,
	                 "frames", frames);
	if (!*out) {
		kyc_jerr_set(e, 500, "internal", "", "out of memory");
		goto out;
	}
	ret = 0;
out:
	for (int i = 0; i < done; i++)
		kyc_face_list_free(&lists[i]);
	return ret;
}

/* ---- inside the transaction ---- */

static const char *const face_check_names[] = {"selfie_quality", "face_match", "age_consistency",
                                               "liveness",       "anti_spoof", NULL};

int flow__level_has(const json_t *settings, const char *level, const char *step)
{
	size_t i;
	json_t *s;
	json_array_foreach(
	    json_object_get(json_object_get(json_object_get(settings, "levels"), level), "steps"),
	    i, s)
	{
		if (!strcmp(json_string_value(s), step))
			return 1;
	}
	return 0;
}

/* The verification's attributes as this change will write them (a copy). */
static json_t *pending_attributes(struct change *c)
{
	json_t *a = json_object_get(c->patch, "attributes");
	if (!a)
		a = json_object_get(c->ver, "attributes");
	a = json_deep_copy(a);
	return json_is_object(a) ? a : (json_decref(a), json_object());
}

int flow__face_apply(struct change *c, const json_t *settings, const json_t *checks,
                     json_t **merged, int *close)
{
	struct kyc_flow *f = c->f;
	struct kyc_store_page pg = {0};
	const json_t *portrait_doc = NULL, *selfie_doc = NULL, *decided = NULL;
	const char *vid = flow__str(c->ver, "id");
	json_t *attrs = pending_attributes(c);
	const char *doc_id = flow__str(attrs, "document_id");
	*merged = NULL;
	*close = 0;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	int rc = kyc_store_list(f->store, KYC_R_DOCUMENT, f->tenant_id, filter, "", 100, &pg);
	json_decref(filter);
	if (rc) {
		json_decref(attrs);
		return rc;
	}
	/* Newest first: the last selfie and the last portrait found. */
	size_t i;
	json_t *d;
	json_array_foreach(pg.items, i, d)
	{
		const json_t *fj = json_object_get(json_object_get(d, "attributes"), "face");
		int is_selfie = !strcmp(flow__str(d, "type"), "selfie");
		if (is_selfie && !selfie_doc && json_object_get(fj, "embedding"))
			selfie_doc = d;
		if (!is_selfie && !portrait_doc && json_object_get(fj, "portrait_file_id"))
			portrait_doc = d;
		if (doc_id && !strcmp(flow__str(d, "id"), doc_id))
			decided = d;
	}
	if (!decided)
		decided = portrait_doc;

	struct kyc_face selfie, portrait;
	const json_t *sj = json_object_get(json_object_get(selfie_doc, "attributes"), "face");
	const json_t *pj = json_object_get(json_object_get(portrait_doc, "attributes"), "face");
	int selfie_cmp = 0, portrait_cmp = 0;
	int have_selfie = selfie_doc && !face_from_json(sj, &selfie, &selfie_cmp);
	int have_portrait = portrait_doc && !face_from_json(pj, &portrait, &portrait_cmp);
	/* An embedding kept by another network (dlib's, before the switch) is
	 * never compared with FaceRes's: face_match is then not measured. */
	int comparable = have_selfie && have_portrait && selfie_cmp && portrait_cmp;
	double threshold = json_number_value(json_object_get(settings, "face_match_threshold"));

	/* The face result the API shows (docs/api.md): what was compared, and
	 * the age and gender estimated on the selfie, else on the portrait;
	 * none until the engine read a face. */
	if (have_selfie || have_portrait) {
		json_t *face =
		    json_pack("{s:o, s:o}", "portrait_file_id",
		              have_portrait ? json_incref(json_object_get(pj, "portrait_file_id"))
		                            : json_null(),
		              "selfie_file_id",
		              have_selfie ? json_incref(json_object_get(selfie_doc, "file_id"))
		                          : json_null());
		if (comparable) {
			struct kyc_face_match m;
			kyc_face_compare(selfie.embedding, portrait.embedding, threshold, &m);
			json_object_set_new(face, "similarity", json_real(round4(m.similarity)));
			json_object_set_new(face, "distance", json_real(round4(m.distance)));
			json_object_set_new(face, "threshold", json_real(threshold));
			json_object_set_new(face, "match", json_boolean(m.match));
		}
		const json_t *aged = have_selfie ? sj : have_portrait ? pj : NULL;
		json_object_set(face, "age", aged ? json_object_get(aged, "age") : json_null());
		json_object_set(face, "gender",
		                aged ? json_object_get(aged, "gender") : json_null());
		json_object_set(face, "gender_score",
		                aged ? json_object_get(aged, "gender_score") : json_null());
		/* the head-turn challenge's verdict on the newest selfie */
		const char *lr = have_selfie ? json_string_value(json_object_get(
		                                   json_object_get(json_object_get(selfie_doc,
		                                                                   "attributes"),
		                                                   "liveness"),
		                                   "result"))
		                             : NULL;
		json_object_set_new(face, "liveness",
		                    json_string(!lr                    ? "not_performed"
		                                : !strcmp(lr, "pass") ? "passed"
		                                                      : "failed"));
		json_object_set_new(attrs, "face", face);
		json_object_set_new(c->patch, "attributes", attrs);
	} else {
		json_decref(attrs);
	}

	/* The checks: only for a level that asks for a selfie, or once one came. */
	json_t *out = json_array();
	const json_t *ck;
	json_array_foreach(checks, i, ck)
	{
		if (!flow__in_list(flow__str(ck, "name"), face_check_names))
			json_array_append(out, (json_t *)ck);
	}
	if (flow__level_has(settings, flow__str(c->ver, "level"), "selfie") || selfie_doc) {
		struct kyc_face_list sl = {.faces = &selfie, .count = 1};
		struct kyc_face_check_input in = {
		    .selfie = have_selfie ? &sl : NULL,
		    .portrait = have_portrait ? &portrait : NULL,
		    .birth_date =
		        kyc_checks_field(json_object_get(decided, "extraction"), "birth_date"),
		    .today = kyc_now_ms() / 86400000,
		    .threshold = threshold,
		    .unmeasured = have_selfie && have_portrait && !comparable,
		    .recomputed = (have_selfie && json_object_get(sj, "recomputed_at")) ||
		                  (have_portrait && json_object_get(pj, "recomputed_at")),
		    .liveness = have_selfie ? json_object_get(json_object_get(selfie_doc,
		                                                              "attributes"),
		                                              "liveness")
		                            : NULL,
		    .liveness_step =
		        flow__level_has(settings, flow__str(c->ver, "level"), "liveness"),
		};
		const char *retry;
		json_t *fc = kyc_face_checks(&in, &retry, close);
		if (!fc)
			rc = KYC_ERR_NOMEM;
		json_array_extend(out, fc);
		json_decref(fc);
	}
	json_decref(pg.items);
	if (rc) {
		json_decref(out);
		return rc;
	}
	*merged = out;
	return 0;
}
