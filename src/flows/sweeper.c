#include "flows/sweeper.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "flows/deferred.h"
#include "flows/erasure.h"
#include "flows/orphans.h"
#include "flows/retention.h"
#include "flows/workflow.h"

struct kyc_sweeper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	int64_t interval_ms;
	kyc_store *store;
	const char *data_dir;
	uint64_t erasures_logged; /* erasures whose old pages the log no longer holds */
	int fetch_deferred;
	struct kyc_deferred_opts deferred;
	int64_t orphan_every_ms, orphan_grace_ms;
	int64_t orphan_last_ms;  /* monotonic: when the last orphan sweep ran (0: never) */
	int64_t orphan_since_ms; /* kyc_orphan_sweep's cut-off */
};

/* The tenants' retention periods, then, after erasures, the write-ahead
 * log emptied so the pages from before them leave the disk (retried each
 * sweep while readers keep the log in use). */
static void retention(kyc_sweeper *sw)
{
	struct kyc_retention_counts n;
	int rc = kyc_retention_sweep(sw->store, sw->data_dir, kyc_now_ms(), &n);
	if (rc)
		kyc_logf(KYC_LOG_WARN, "retention sweep failed (%d): %s", rc,
			 kyc_store_errmsg(sw->store));
	if (n.images || n.identity)
		kyc_logf(KYC_LOG_INFO, "retention: images of %d, identity data of %d verification(s) removed",
			 n.images, n.identity);
	uint64_t done = kyc_erasure_count();
	if (done != sw->erasures_logged && kyc_store_log_truncate(sw->store) == 0)
		sw->erasures_logged = done;
}

/* Blobs whose row never committed (src/flows/orphans.h). Each sweep walks
 * every blob, so it runs at its own, longer interval; the first at the
 * first sweep after start, which is when a crash's debris is new. */
static void orphans(kyc_sweeper *sw)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t mono = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (sw->orphan_last_ms && mono - sw->orphan_last_ms < sw->orphan_every_ms)
		return;
	sw->orphan_last_ms = mono;
	struct kyc_orphan_counts n;
	int rc = kyc_orphan_sweep(sw->store, sw->data_dir, kyc_now_ms(), sw->orphan_grace_ms,
				  &sw->orphan_since_ms, &n);
	if (rc)
		kyc_logf(KYC_LOG_WARN, "orphan sweep failed (%d): %s", rc,
			 kyc_store_errmsg(sw->store));
	if (n.removed)
		kyc_logf(KYC_LOG_INFO, "orphan sweep: %d of %d blob(s) checked removed", n.removed,
			 n.checked);
}

static void *sweep_loop(void *arg)
{
	kyc_sweeper *sw = arg;
	pthread_mutex_lock(&sw->lock);
	while (!sw->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(sw->interval_ms / 1000);
		until.tv_nsec += (long)(sw->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sw->wake, &sw->lock, &until);
		if (sw->stopping)
			break;
		pthread_mutex_unlock(&sw->lock);
		/* nodes sharing a database sweep one at a time (store.h) */
		int leader = 0;
		if (kyc_store_try_lock(sw->store, KYC_STORE_LOCK_SWEEPS, &leader) || !leader) {
			pthread_mutex_lock(&sw->lock);
			continue;
		}
		int n = 0;
		int rc = kyc_flow_expire_sweep(sw->store, kyc_now_ms(), &n);
		if (rc)
			kyc_logf(KYC_LOG_WARN, "expiry sweep failed (%d): %s", rc,
				 kyc_store_errmsg(sw->store));
		else if (n)
			kyc_logf(KYC_LOG_INFO, "expiry sweep: %d verification(s) expired", n);
		if (sw->fetch_deferred &&
		    (rc = kyc_deferred_document_sweep(sw->store, &sw->deferred, kyc_now_ms(), &n)))
			kyc_logf(KYC_LOG_WARN, "deferred documents sweep failed (%d): %s", rc,
				 kyc_store_errmsg(sw->store));
		else if (n)
			kyc_logf(KYC_LOG_INFO, "deferred documents: %d arrived", n);
		retention(sw);
		orphans(sw);
		/* shared rate-limit buckets untouched for a day are full again */
		if (kyc_store_rate_forget(sw->store, kyc_now_ms() - 24 * 3600 * 1000LL))
			kyc_logf(KYC_LOG_WARN, "rate bucket sweep failed: %s",
				 kyc_store_errmsg(sw->store));
		kyc_store_unlock(sw->store, KYC_STORE_LOCK_SWEEPS);
		pthread_mutex_lock(&sw->lock);
	}
	pthread_mutex_unlock(&sw->lock);
	return NULL;
}

kyc_sweeper *kyc_sweeper_start(const char *data_dir, int64_t interval_ms,
			       const struct kyc_deferred_opts *deferred, int64_t orphan_every_ms,
			       int64_t orphan_grace_ms)
{
	kyc_sweeper *sw = calloc(1, sizeof *sw);
	char err[256];
	if (!sw)
		return NULL;
	if (kyc_store_open(data_dir, &sw->store, err, sizeof err)) {
		kyc_logf(KYC_LOG_ERROR, "expiry sweep: %s", err);
		free(sw);
		return NULL;
	}
	sw->interval_ms = interval_ms;
	sw->data_dir = data_dir;
	sw->orphan_every_ms = orphan_every_ms;
	sw->orphan_grace_ms = orphan_grace_ms;
	if (deferred) {
		sw->deferred = *deferred;
		sw->fetch_deferred = 1;
	}
	pthread_mutex_init(&sw->lock, NULL);
	pthread_cond_init(&sw->wake, NULL);
	if (pthread_create(&sw->thread, NULL, sweep_loop, sw)) {
		kyc_store_close(sw->store);
		free(sw);
		return NULL;
	}
	return sw;
}

void kyc_sweeper_stop(kyc_sweeper *sw)
{
	if (!sw)
		return;
	pthread_mutex_lock(&sw->lock);
	sw->stopping = 1;
	pthread_cond_signal(&sw->wake);
	pthread_mutex_unlock(&sw->lock);
	pthread_join(sw->thread, NULL);
	kyc_store_close(sw->store);
	pthread_mutex_destroy(&sw->lock);
	pthread_cond_destroy(&sw->wake);
	free(sw);
}
