/* JSON of a face (face.h). Coordinates to 0.1 px, scores to 4 places: more
 * digits than that are noise and make the lines long. */
#include <math.h>

#include <jansson.h>

#include "face/face.h"

static json_t *rounded(double v, double unit)
{
	return json_real(round(v / unit) * unit);
}

json_t *kyc_face_json(const struct kyc_face *f)
{
	json_t *box = json_array(), *lms = json_array(), *q = json_object();
	json_t *o = json_object(), *sp = json_object();
	if (!box || !lms || !q || !o || !sp)
		goto fail;
	for (int i = 0; i < 4; i++)
		json_array_append_new(box, rounded(f->box[i], 0.1));
	for (int i = 0; i < KYC_FACE_LANDMARKS; i++)
		json_array_append_new(lms, json_pack("[o,o]", rounded(f->landmarks[i][0], 0.1),
		                                     rounded(f->landmarks[i][1], 0.1)));
	json_object_set_new(q, "face_ratio", rounded(f->quality.face_ratio, 1e-4));
	json_object_set_new(q, "sharpness", rounded(f->quality.sharpness, 0.1));
	json_object_set_new(q, "brightness", rounded(f->quality.brightness, 0.1));
	json_object_set_new(q, "yaw", rounded(f->quality.yaw, 0.1));
	json_object_set_new(q, "pitch", rounded(f->quality.pitch, 0.1));
	json_object_set_new(q, "roll", rounded(f->quality.roll, 0.1));
	json_object_set_new(q, "cut_off", json_boolean(f->quality.cut_off));
	json_object_set_new(q, "issue",
	                    f->quality.issue ? json_string(f->quality.issue) : json_null());
	json_object_set_new(sp, "measured", json_boolean(f->spoof.measured));
	json_object_set_new(sp, "score", rounded(f->spoof.score, 1e-4));
	json_object_set_new(sp, "moire_db", rounded(f->spoof.moire, 0.01));
	json_object_set_new(sp, "glare", rounded(f->spoof.glare, 1e-4));
	json_object_set_new(sp, "colours", rounded(f->spoof.colours, 0.1));
	json_object_set_new(sp, "cue", f->spoof.cue ? json_string(f->spoof.cue) : json_null());
	/* json_object_set_new takes its value even when it fails: nothing leaks. */
	int bad = json_object_set_new(o, "box", box);
	bad |= json_object_set_new(o, "score", rounded(f->score, 1e-4));
	bad |= json_object_set_new(o, "landmarks", lms);
	bad |= json_object_set_new(o, "age", rounded(f->age, 0.1));
	bad |= json_object_set_new(o, "gender", json_string(f->gender));
	bad |= json_object_set_new(o, "gender_score", rounded(f->gender_score, 1e-4));
	bad |= json_object_set_new(o, "liveness",
	                           f->spoof.measured ? rounded(f->spoof.score, 1e-4) : json_null());
	bad |= json_object_set_new(o, "anti_spoof", sp);
	bad |= json_object_set_new(o, "quality", q);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
fail:
	json_decref(box);
	json_decref(lms);
	json_decref(q);
	json_decref(o);
	json_decref(sp);
	return NULL;
}
