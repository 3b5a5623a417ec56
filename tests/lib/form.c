#include "form.h"

#include <string.h>

#include "core/base64.h"
#include "core/buf.h"

char *form_build(const struct form_part *parts, int n, size_t *len)
{
	kyc_buf b;
	kyc_buf_init(&b, 64u << 20);
	for (int i = 0; i < n; i++) {
		const struct form_part *p = &parts[i];
		if (p->filename) {
			kyc_buf_printf(
			    &b,
			    "--" FORM_BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"; "
			    "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
			    p->name, p->filename, p->ctype ? p->ctype : "application/octet-stream");
			kyc_buf_append(&b, p->data, p->len);
		} else {
			kyc_buf_printf(&b,
			               "--" FORM_BOUNDARY
			               "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n",
			               p->name);
			kyc_buf_puts(&b, p->data);
		}
		kyc_buf_puts(&b, "\r\n");
	}
	kyc_buf_puts(&b, "--" FORM_BOUNDARY "--\r\n");
	return kyc_buf_detach(&b, len);
}

char *form_document(const char *type, const char *side, const void *jpeg, size_t n, size_t *len)
{
	struct form_part parts[] = {
	    {"type", NULL, NULL, type, 0},
	    {"side", NULL, NULL, side, 0},
	    {"image", "document.jpg", "image/jpeg", jpeg, n},
	};
	return form_build(parts, 3, len);
}

char *form_base64(const void *p, size_t n)
{
	kyc_buf b;
	kyc_buf_init(&b, 64u << 20);
	kyc_base64_encode_buf(p, n, KYC_B64_STD, &b);
	return kyc_buf_detach(&b, NULL);
}
