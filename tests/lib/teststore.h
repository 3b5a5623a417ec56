/* Opening the store in the unit tests of its contract, which run on both
 * backends (pgtmp_both, pgtmp.h: KYCD_DB set picks PostgreSQL). */
#ifndef KYC_TEST_TESTSTORE_H
#define KYC_TEST_TESTSTORE_H

#include "store/store.h"

/* A connection to the store in dir; NULL, with the reason on stderr, when
 * it does not open. */
kyc_store *teststore_open(const char *dir);
/* The same with a new tenant called name, its id in t; NULL when either
 * fails. */
kyc_store *teststore_open_tenant(const char *dir, const char *name, char t[37]);

#endif
