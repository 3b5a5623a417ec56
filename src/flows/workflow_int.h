/* Internals shared by the workflow's files (not for use outside
 * src/flows/workflow*.c): the change machinery every mutation goes through,
 * and the step and decision helpers that submissions and name confirmation
 * both use.
 *
 *   workflow.c         the change machinery; create, load, expiry
 *   workflow_submit.c  document, proof and selfie submissions; attempts
 *   workflow_review.c  name confirmation, decisions, cancellation
 *   workflow_face.c    the face engine on documents and selfies; face checks */
#ifndef KYC_WORKFLOW_INT_H
#define KYC_WORKFLOW_INT_H

#include "document/image.h"
#include "flows/vstate.h"
#include "flows/workflow.h"

/* A pending change of one verification inside a transaction. */
struct change {
	struct kyc_flow *f;
	json_t *ver;   /* as read inside the transaction */
	json_t *patch; /* fields to write */
	enum kyc_vstate from, cur;
	int moved;
};

/* Supporting documents a level may ask for: stored, not read. */
extern const char *const flow__proof_types[];

int flow__in_list(const char *s, const char *const *l);
/* The string value of o[k], or NULL. */
const char *flow__str(const json_t *o, const char *k);
/* A document's side as its picture shows it (the extraction's side_seen,
 * document/card_identify.h) where that contradicts the declared one, else
 * as declared; "" when neither says. */
const char *flow__side(const json_t *doc);
/* Calls fn for every verification of every tenant in status (oldest
 * first, a page at a time). 0 or the store error that stopped it. */
int flow__each_in_status(kyc_store *s, const char *status,
                         void (*fn)(kyc_store *s, const char *tenant_id, const json_t *v,
                                    void *arg),
                         void *arg);
/* Fills e for a store error (404, 409 conflict, 500); returns -1. */
int flow__store_err(struct kyc_jerr *e, int rc, const char *what);

/* BEGIN IMMEDIATE and read the verification: 0 or -1 with e filled. */
int flow__change_begin(struct kyc_flow *f, const char *id, struct change *c, struct kyc_jerr *e);
void flow__change_abort(struct change *c);
/* Moves the pending status by ev with an audit row; KYC_ERR_STATE when not allowed. */
int flow__change_move(struct change *c, enum kyc_vevent ev, const char *reason,
                      const json_t *details);
/* Writes the patch and the events, commits; *out (may be NULL) the stored record. */
int flow__change_commit(struct change *c, const char *extra_event, json_t **out,
                        struct kyc_jerr *e);

int flow__pending_has(const json_t *ver_or_patch, const char *step);
/* pending_steps without the named steps (NULL-terminated); a new array. */
json_t *flow__steps_without(const json_t *steps, const char *const *drop);
/* What is left for the applicant, ignoring liveness. */
int flow__steps_left(const json_t *steps);
int flow__level_needs_person(const json_t *settings, const char *level);
/* Everything owed is in: auto-approve or review. */
int flow__conclude(struct change *c, const json_t *settings, const json_t *checks);
/* An automatic rejection with its reason. */
int flow__reject(struct change *c, const char *reason, const json_t *details);
/* The tenant's settings with the verification's options applied (new reference). */
json_t *flow__effective_settings(struct kyc_flow *f, const json_t *ver, int *rc);
/* SHA-256 of p[0..n) as 64 hex digits. */
void flow__sha256_hex(const void *p, size_t n, char out[65]);

/* workflow.c: the documents of the verification's attempt (stored ones)
 * and fresh (new ones, not stored yet): a new array. */
json_t *flow__attempt_documents(struct kyc_flow *f, const char *vid, int64_t attempt,
                                json_t *fresh);
/* workflow_decide.c: the extraction of a front read apart from doc, the
 * document the attempt was decided on (a card's printed lines, a licence's
 * printed fields), or NULL: the checks compare it with doc's reading. */
const json_t *flow__front_apart(const json_t *docs, const json_t *doc);
/* workflow_decide.c: a failed attempt with retry code `code` (rejected at
 * the attempts' limit), and the checks and outcome of an attempt's read
 * documents (docs: their extractions); 0 or a KYC_ERR_*. */
int flow__fail_attempt(struct change *c, const json_t *settings, const char *code);
int flow__evaluate_document(struct change *c, const json_t *settings, const json_t *applicant,
			    const char *type, const json_t *docs);
/* 1 when the level's steps include step. */
int flow__level_has(const json_t *settings, const char *level, const char *step);

/* ---- faces (workflow_face.c) ---- */

/* What the face engine found on one image, before the transaction. */
struct flow_face_prep {
	int analyzed;          /* the engine ran (it is there and the image had colour) */
	const char *issue;     /* selfie: the engine's reason it is unusable, else NULL */
	json_t *face;          /* for the document's attributes.face; NULL when no usable face */
	json_t *portrait_file; /* document: the aligned portrait's file record, or NULL */
	char relpath[128];     /* its blob */
	int stored;
};
/* Runs the engine on img (which carries rgb) when f->face is set: on a
 * selfie, its quality (issue) and its face; on a document, its portrait,
 * whose aligned crop is written as a blob now, sealed under the key of owner
 * (the applicant; removed by the release unless kept). 0, or -1 with e filled (500). */
int flow__face_prepare(struct kyc_flow *f, const char *owner, const struct kyc_image *img,
                       int selfie, struct flow_face_prep *p, struct kyc_jerr *e);
void flow__face_prep_release(struct kyc_flow *f, struct flow_face_prep *p, int keep_files);
/* The challenge's turn frames against the selfie's face (sface, as
 * flow__face_prepare kept it): decoded with io, read by the engine and
 * judged (kyc_liveness_check) in the order of moves ("left"/"right"
 * strings). *out: the verdict as the selfie keeps it (attributes.liveness):
 * {"result":"pass"|"fail","reason","frame","moves","frames":[{"yaw",
 * "distance"}]}. 0, or -1 with e filled (422 for a frame that is not an
 * image, 500). */
int flow__liveness_judge(struct kyc_flow *f, const json_t *sface, const struct kyc_flow_image *turns,
                         int n, const json_t *moves, const struct kyc_image_opts *io,
                         double threshold, json_t **out, struct kyc_jerr *e);
/* Before the transaction: each face of the verification's documents kept
 * by another network (no "model": dlib's, kept before FaceRes) is read again
 * by today's engine from the image it was kept from, and written in a short
 * transaction of its own only when the document is unchanged since it was
 * read (its version). A face whose image is gone stays as it is (face_match
 * then goes to review, embedding_model_changed). 0, or the store error of
 * the listing; a face that cannot be recomputed or written is logged, not
 * an error. */
int flow__face_refresh(struct kyc_flow *f, const char *vid);
/* Inside the change: from the verification's documents (the newest selfie
 * and portrait with a face), writes the face result into the pending
 * attributes (attributes.face) and gives *merged (a new array): checks
 * without earlier face checks, plus the four face checks when the level asks
 * for a selfie or one was sent. *close: a face result lies near its
 * threshold (a person should look). 0 or a store error. */
int flow__face_apply(struct change *c, const json_t *settings, const json_t *checks,
                     json_t **merged, int *close);

#endif
