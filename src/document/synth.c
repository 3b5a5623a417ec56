/* The public face of the generator: JPEG encoding, the truth line, and
 * kyc_synth_make() which ties rendering and encoding together. */
#include "document/synth.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <jpeglib.h>

#include "core/err.h"

void kyc_synth_image_release(struct kyc_synth_image *img)
{
	if (!img)
		return;
	free(img->px);
	memset(img, 0, sizeof *img);
}

/* libjpeg reports errors by calling error_exit, which by default ends the
 * process; ours jumps back to kyc_synth_jpeg() instead. */
struct jerr {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
};

static void jerr_exit(j_common_ptr c)
{
	longjmp(((struct jerr *)c->err)->jump, 1);
}

int kyc_synth_jpeg(const struct kyc_synth_image *img, int q, unsigned char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (!img || !img->px || img->w <= 0 || img->h <= 0 || q < 1 || q > 100)
		return KYC_ERR_INVALID;
	struct jpeg_compress_struct c;
	struct jerr err;
	/* Written by libjpeg behind the compiler's back: volatile across longjmp. */
	unsigned char *volatile buf = NULL;
	unsigned long len = 0;
	c.err = jpeg_std_error(&err.mgr);
	err.mgr.error_exit = jerr_exit;
	if (setjmp(err.jump)) {
		jpeg_destroy_compress(&c);
		free(buf);
		return KYC_ERR_NOMEM; /* the only failure left with valid arguments */
	}
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, (unsigned char **)&buf, &len);
	c.image_width = (JDIMENSION)img->w;
	c.image_height = (JDIMENSION)img->h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, q, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = img->px + (size_t)c.next_scanline * (size_t)img->w * 3;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	if (!buf)
		return KYC_ERR_NOMEM;
	*out = buf;
	*out_len = len;
	return 0;
}

int kyc_synth_make(uint64_t seed, int index, int level, enum kyc_synth_format format,
                   struct kyc_synth_doc *truth, unsigned char **jpeg, size_t *jpeg_len)
{
	return kyc_synth_make_class(seed, index, level, KYC_SYNTH_CLASS_NONE, format, truth, jpeg,
	                            jpeg_len);
}

int kyc_synth_make_class(uint64_t seed, int index, int level, enum kyc_synth_class cls,
                         enum kyc_synth_format format, struct kyc_synth_doc *truth,
                         unsigned char **jpeg, size_t *jpeg_len)
{
	struct kyc_synth_image img;
	*jpeg = NULL;
	*jpeg_len = 0;
	int rc = kyc_synth_render_class(seed, index, level, cls, format, truth, &img);
	if (rc)
		return rc;
	rc = kyc_synth_jpeg(&img, truth->quality, jpeg, jpeg_len);
	kyc_synth_image_release(&img);
	return rc;
}

/* The class keys of a truth line: "class", and when a class was asked for,
 * "classes" (those applied), "tilt_deg", or for a photo without MRZ its
 * "kind" (with "format" "none"). */
static int add_class(json_t *o, const struct kyc_synth_doc *d)
{
	static const char *const kinds[] = {"card_front", "card_back", "receipt",
	                                    "page",       "portrait",  "texture"};
	if (json_object_set_new(o, "class", json_string(kyc_synth_class_name(d->cls))))
		return -1;
	if (d->cls == KYC_SYNTH_CLASS_NONE)
		return 0;
	json_t *cl = json_array();
	if (!cl || json_object_set_new(o, "classes", cl))
		return -1;
	for (int c = 0; c < KYC_SYNTH_CLASS_COUNT; c++)
		if (d->classes & (1u << c))
			json_array_append_new(cl, json_string(kyc_synth_class_name(c)));
	if (d->cls == KYC_SYNTH_CLASS_NOMRZ)
		return json_object_set_new(o, "format", json_string("none")) ||
		       json_object_set_new(o, "kind", json_string(kinds[d->nomrz_kind % 6]));
	return json_object_set_new(o, "tilt_deg", json_real(d->tilt_deg));
}

int kyc_synth_truth_json(const struct kyc_synth_doc *d, const char *file, kyc_buf *out)
{
	const struct kyc_synth_identity *id = &d->id;
	const struct kyc_synth_fields *f = &id->f;
	int rc = KYC_ERR_NOMEM;
	json_t *lines = json_array(), *quad = json_array(), *lquads = json_array();
	if (!lines || !quad || !lquads)
		goto fail;
	for (int i = 0; i < id->nlines; i++) {
		json_array_append_new(lines, json_string(id->lines[i]));
		const double(*q)[2] = d->line_quads[i];
		json_array_append_new(lquads, json_pack("[[f,f],[f,f],[f,f],[f,f]]", q[0][0],
		                                        q[0][1], q[1][0], q[1][1], q[2][0], q[2][1],
		                                        q[3][0], q[3][1]));
	}
	for (int i = 0; i < 4; i++)
		json_array_append_new(quad,
		                      json_pack("[f,f]", d->mrz_quad[i][0], d->mrz_quad[i][1]));
	/* Two decimals are plenty for geometry; keeps lines short and stable. */
	json_t *o = json_pack(
	    "{s:s, s:s, s:i, s:I, s:o, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
	    " s:i, s:f, s:i, s:i, s:i, s:f, s:o, s:o, s:{s:s, s:s, s:s?}}",
	    "file", file, "format", kyc_synth_format_name(id->format), "level", d->level, "seed",
	    (json_int_t)d->seed, "lines", lines, "fields", "document_code", f->document_code,
	    "issuing_country", f->issuing_country, "document_number", f->document_number, "surname",
	    f->surname, "given_names", f->given_names, "nationality", f->nationality, "birth_date",
	    f->birth_date, "sex", f->sex, "expiry_date", f->expiry_date, "optional_data",
	    f->optional_data, "optional_data_2", f->optional_data_2, "orientation", d->orientation,
	    "skew_deg", d->skew_deg, "width", d->width, "height", d->height, "quality", d->quality,
	    "mrz_pitch_px", d->mrz_px, "mrz_quad", quad, "line_quads", lquads, "viz", "surname",
	    id->viz_surname, "given_names", id->viz_given_names, "native_name",
	    id->native_name[0] ? id->native_name : NULL);
	lines = quad = lquads = NULL; /* owned by o now, or freed by json_pack on error */
	if (!o)
		goto fail;
	if (add_class(o, d) != 0) {
		json_decref(o);
		goto fail;
	}
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(o);
	if (!s)
		goto fail;
	rc = kyc_buf_puts(out, s);
	if (!rc)
		rc = kyc_buf_puts(out, "\n");
	free(s);
	return rc;
fail:
	json_decref(lines);
	json_decref(quad);
	json_decref(lquads);
	return rc;
}
