/* Lines merged with an edge, located with tight gaps (reader_edge.h). */
#include "document/reader_edge.h"

#include "document/reader_skew.h"

int kyc_reader__read_edge(const struct kyc_image *img, kyc_reader__read_line_fn read, void *ctx)
{
	return kyc_reader__read_relocated(img, KYC_READER__WORK_SIDE, KYC_READER__TIGHT,
	                                  KYC_READER__EDGE_READ, read, ctx);
}
