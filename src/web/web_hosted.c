/* The hosted verification page (docs/web.md). */
#include "web/web_int.h"

void web__hosted_routes(kyc_server *s)
{
	(void)s;
}
