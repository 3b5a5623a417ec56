/* The portrait of a document photo (face.h): which of the faces found is the
 * printed portrait, and the reads that find it when the detector boxed the
 * card around it. */
#include "face/face.h"

#include <math.h>
#include <string.h>

/* A face found inside a box wider than this share of the photo is looked
 * for: a document's portrait is well under half the width of a photo of the
 * document, and the detector's box over a whole card is most of it. */
#define WIDE_BOX 0.5
/* A face inside such a box at most this share of its width is the portrait
 * within it; the same face read again in its own box measures 0.6 or more. */
#define INNER_SHARE 0.4

/* Whether box o holds box b (nine tenths of b inside o) and b is smaller. */
static int holds(const double o[4], const double b[4])
{
	if (b[2] * b[3] >= o[2] * o[3])
		return 0;
	double w = fmin(o[0] + o[2], b[0] + b[2]) - fmax(o[0], b[0]);
	double h = fmin(o[1] + o[3], b[1] + b[3]) - fmax(o[1], b[1]);
	return w > 0 && h > 0 && w * h >= 0.9 * b[2] * b[3];
}

/* Whether face i's box holds another face of l: one of the two is not a
 * face, and it is the outer one, the card or the printed photo the detector
 * boxed around the portrait. */
static int holds_a_face(const struct kyc_face_list *l, size_t i)
{
	for (size_t j = 0; j < l->count; j++)
		if (j != i && holds(l->faces[i].box, l->faces[j].box))
			return 1;
	return 0;
}

const struct kyc_face *kyc_face_pick_portrait(const struct kyc_face_list *l, const char **reason)
{
	size_t whole = 0; /* the faces are largest first */
	while (whole < l->count && (l->faces[whole].quality.cut_off || holds_a_face(l, whole)))
		whole++;
	if (whole == 0 || whole == l->count)
		return kyc_face_pick(l, reason);
	struct kyc_face_list rest = *l;
	rest.faces += whole;
	rest.count -= whole;
	return kyc_face_pick(&rest, reason);
}

/* Faces of a photo read again around themselves: a face is one found there
 * again (the same box within this overlap); the detector's boxes on a
 * card's text are not, or not at the same place. */
#define CONFIRM_IOU 0.5
#define CONFIRM_MAX 4
/* the least width, as a share of the box, of a tighter face found inside it */
#define CONFIRM_TIGHT 0.5

static double overlap(const double a[4], const double b[4])
{
	double w = fmin(a[0] + a[2], b[0] + b[2]) - fmax(a[0], b[0]);
	double h = fmin(a[1] + a[3], b[1] + b[3]) - fmax(a[1], b[1]);
	double in = w > 0 && h > 0 ? w * h : 0;
	return in / (a[2] * a[3] + b[2] * b[3] - in);
}

/* Whether the centre of box b lies inside box o. */
static int centre_inside(const double o[4], const double b[4])
{
	double x = b[0] + b[2] / 2, y = b[1] + b[3] / 2;
	return x >= o[0] && x <= o[0] + o[2] && y >= o[1] && y <= o[1] + o[3];
}

/* Of several faces (neither cut nor holding another, the CONFIRM_MAX
 * largest), the largest found again around itself, or NULL (none, or two
 * nearly as large). *rc is the engine's error, if any. */
static const struct kyc_face *confirmed(const struct kyc_face_engine *e,
                                        const struct kyc_image *img, const struct kyc_face_list *l,
                                        int *rc)
{
	size_t keep[CONFIRM_MAX], n = 0;
	for (size_t i = 0; i < l->count && i < CONFIRM_MAX && !*rc; i++) {
		struct kyc_face_list again = {0};
		if (l->faces[i].quality.cut_off || holds_a_face(l, i))
			continue;
		*rc = kyc_face_analyze_around(e, img, l->faces[i].box, &again);
		int found = 0;
		for (size_t j = 0; j < again.count && !found; j++) {
			const double *b = again.faces[j].box, *o = l->faces[i].box;
			/* or a tighter box inside it: the whole-image pass boxes a
			 * portrait loosely (191 px wide, 125 read again: IoU 0.48) */
			found = overlap(b, o) >= CONFIRM_IOU ||
				(centre_inside(o, b) && b[2] >= CONFIRM_TIGHT * o[2]);
		}
		kyc_face_list_free(&again);
		if (found)
			keep[n++] = i;
	}
	if (*rc || n == 0)
		return NULL;
	/* as kyc_face_pick among the faces kept */
	if (n > 1 && l->faces[keep[1]].box[2] >= 0.6 * l->faces[keep[0]].box[2])
		return NULL;
	return &l->faces[keep[0]];
}

int kyc_face_find_portrait(const struct kyc_face_engine *e, const struct kyc_image *img,
                           struct kyc_face_portrait *p)
{
	memset(p, 0, sizeof *p);
	int rc = kyc_face_analyze(e, img, &p->all);
	if (rc)
		return rc;
	p->face = kyc_face_pick_portrait(&p->all, &p->reason);
	/* Several faces: the one found again around itself, when one is (a
	 * box on the card's text, wider or nearly as wide as the portrait, is
	 * not); else the pick stands. */
	if (p->all.count > 1) {
		const struct kyc_face *c = confirmed(e, img, &p->all, &rc);
		if (rc)
			return rc;
		if (c)
			p->face = c, p->reason = NULL;
	}
	/* A box over most of the photo alone: the card, when the whole-image
	 * pass missed the portrait on it. Its own square, read at its scale
	 * (analyze_around reads twice the box it is given), shows the portrait. */
	if (p->face && p->face->box[2] > WIDE_BOX * img->w) {
		const double *b = p->face->box;
		double half[4] = {b[0] + b[2] / 4, b[1] + b[3] / 4, b[2] / 2, b[3] / 2};
		const char *why;
		if ((rc = kyc_face_analyze_around(e, img, half, &p->inside)))
			return rc;
		const struct kyc_face *in = kyc_face_pick_portrait(&p->inside, &why);
		if (in && in->box[2] <= INNER_SHARE * b[2] && holds(b, in->box))
			p->face = in;
	}
	/* A portrait small on a photographed page is read again around where
	 * it was found: the first pass may have boxed the whole printed photo
	 * rather than the face. */
	if (p->face && !kyc_face_analyze_around(e, img, p->face->box, &p->near)) {
		const char *why;
		const struct kyc_face *fine = kyc_face_pick_portrait(&p->near, &why);
		/* A face there whose centre lies outside the box read around: that
		 * box was none (a box on the card's text beside the portrait), and
		 * the face is read again at its own scale, as a face found first
		 * would be. */
		if (fine && !centre_inside(p->face->box, fine->box) &&
		    !kyc_face_analyze_around(e, img, fine->box, &p->again)) {
			const struct kyc_face *again = kyc_face_pick_portrait(&p->again, &why);
			fine = again ? again : fine;
		}
		if (fine)
			p->face = fine;
	}
	return 0;
}

void kyc_face_portrait_release(struct kyc_face_portrait *p)
{
	kyc_face_list_free(&p->all);
	kyc_face_list_free(&p->inside);
	kyc_face_list_free(&p->near);
	kyc_face_list_free(&p->again);
	memset(p, 0, sizeof *p);
}
