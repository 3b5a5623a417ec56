/* The stored faces of the face workflow's end-to-end tests (face_store.h). */
#include "face_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/buf.h"
#include "face/face.h"
#include "store/store.h"

int tface_make_legacy(struct e2e_server *srv, const char *tenant, const char *vid, char **emb,
                      char *blob, size_t blobsz)
{
	kyc_store *st;
	char err[200];
	struct kyc_store_page pg = {0};
	json_t *file = NULL;
	int ok = 0;
	*emb = NULL;
	if (e2e_store_open(srv, &st, err, sizeof err))
		return -1;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	int rc = kyc_store_list(st, KYC_R_DOCUMENT, tenant, filter, "", 10, &pg);
	json_decref(filter);
	json_t *doc = rc ? NULL : json_array_get(pg.items, 0);
	json_t *attrs = json_deep_copy(json_object_get(doc, "attributes"));
	json_t *face = json_object_get(attrs, "face");
	const char *model = json_string_value(json_object_get(face, "model"));
	if (json_array_size(pg.items) == 1 && json_is_string(json_object_get(face, "embedding")) &&
	    model && !strcmp(model, KYC_FACE_EMBEDDING_MODEL) &&
	    !kyc_store_get(st, KYC_R_FILE, tenant,
	                   json_string_value(json_object_get(doc, "file_id")), &file) &&
	    json_is_string(json_object_get(file, "path"))) {
		snprintf(blob, blobsz, "%s/%s", srv->data_dir,
		         json_string_value(json_object_get(file, "path")));
		*emb = strdup(json_string_value(json_object_get(face, "embedding")));
		float legacy[128];
		for (int i = 0; i < 128; i++)
			legacy[i] = (float)sin(i) / 8;
		kyc_buf b;
		kyc_buf_init(&b, 1024);
		if (!kyc_base64_encode_buf(legacy, sizeof legacy, KYC_B64_STD, &b)) {
			json_object_set_new(face, "embedding", json_string(b.data));
			json_object_del(face, "model");
			json_t *patch = json_pack("{s:O}", "attributes", attrs);
			ok = kyc_store_update(st, KYC_R_DOCUMENT, tenant,
			                      json_string_value(json_object_get(doc, "id")), patch,
			                      0) == 0;
			json_decref(patch);
		}
		kyc_buf_release(&b);
	}
	json_decref(attrs);
	json_decref(file);
	json_decref(pg.items);
	kyc_store_close(st);
	return ok ? 0 : -1;
}

json_t *tface_card_face(struct e2e_server *srv, const char *tenant, const char *vid)
{
	kyc_store *st;
	char err[200];
	struct kyc_store_page pg = {0};
	json_t *face = NULL;
	if (e2e_store_open(srv, &st, err, sizeof err))
		return NULL;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	size_t i;
	json_t *d;
	if (!kyc_store_list(st, KYC_R_DOCUMENT, tenant, filter, "", 10, &pg)) {
		json_array_foreach(pg.items, i, d)
		{
			if (!face && !strcmp(json_string_value(json_object_get(d, "type")), "id_card"))
				face = json_incref(
				    json_object_get(json_object_get(d, "attributes"), "face"));
		}
	}
	json_decref(filter);
	json_decref(pg.items);
	kyc_store_close(st);
	return face;
}

double tface_emb_diff(const char *a, const char *b)
{
	float x[KYC_FACE_EMBEDDING_DIM], y[KYC_FACE_EMBEDDING_DIM];
	size_t nx = 0, ny = 0;
	if (kyc_base64_decode(a, strlen(a), KYC_B64_STD, (unsigned char *)x, sizeof x, &nx) ||
	    kyc_base64_decode(b, strlen(b), KYC_B64_STD, (unsigned char *)y, sizeof y, &ny) ||
	    nx != sizeof x || ny != sizeof y)
		return INFINITY;
	double d = 0;
	for (int i = 0; i < KYC_FACE_EMBEDDING_DIM; i++)
		d = fmax(d, fabs((double)x[i] - y[i]));
	return d;
}
