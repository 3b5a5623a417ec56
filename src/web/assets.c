/* The web assets (web/), linked into the binary. */
#include "web/web_int.h"

void web__asset_routes(kyc_server *s)
{
	(void)s;
}
