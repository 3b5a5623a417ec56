/* Documents given by URL that could not be downloaded when they were
 * submitted (seed 003's documentUrl is "stored verbatim; the back office
 * presigns / fetches it during review"): the URL is kept on the
 * verification (attributes.deferred_document) and fetched again by the
 * periodic sweep of `kycd serve`, with growing gaps, until the image
 * arrives and is submitted through the workflow, or the verification
 * expires (docs/flows.md, "Documents fetched later"). */
#ifndef KYC_DEFERRED_H
#define KYC_DEFERRED_H

#include <stddef.h>
#include <stdint.h>

#include "net/fetch.h"
#include "store/store.h"

struct kyc_flow;
struct kyc_face_engine;

/* What the sweep needs to download and submit: the address policy of the
 * server's fetches, where files go, and the image caps. */
struct kyc_deferred_opts {
	struct kyc_fetch_opts fetch;
	const char *data_dir;
	size_t max_image_bytes;
	int64_t max_image_pixels;
	const struct kyc_face_engine *face; /* may be NULL (struct kyc_flow's face) */
};

/* Keeps url (a document of type `type`, side `side`) on verification vid
 * for a later download, first due at now + the first gap; why: the first
 * try's error code. 0 or a store error. */
int kyc_deferred_document_add(struct kyc_flow *f, const char *vid, const char *url,
                              const char *type, const char *side, const char *why);

/* 1 when verification v still waits for a deferred document. */
int kyc_deferred_document_waiting(const json_t *v);

/* The gap before try number `attempt` (1-based) of a deferred download:
 * 30 s, 1, 2, 5, 10, 30 min, then hourly. */
int64_t kyc_deferred_gap_ms(int attempt);

/* Tries every due deferred document of every tenant once. A download that
 * arrives is submitted (kyc_flow_submit, actor "system"); one that fails is
 * due again after the next gap; content that is no usable image stops the
 * retries (attributes.deferred_document.failed). *arrived: how many were
 * submitted. 0 or a store error. */
int kyc_deferred_document_sweep(kyc_store *s, const struct kyc_deferred_opts *o, int64_t now_ms,
                                int *arrived);

#endif
