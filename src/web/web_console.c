/* The review console (docs/web.md). */
#include "web/web_int.h"

void web__console_routes(kyc_server *s)
{
	(void)s;
}
