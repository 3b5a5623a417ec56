/* Work taken off the event-loop threads (kyc_req_offload): a small pool of
 * worker threads runs it, and the loop thread that received the request
 * finishes it and answers. docs/http.md, "Offloaded work".
 *
 * A job goes: handler (loop thread) -> pool queue -> a worker runs work() ->
 * the loop thread's inbox (a list under a mutex and a pipe the loop
 * watches) -> done() on the loop thread. If h2o drops the request meanwhile
 * (an HTTP/2 stream reset, a connection cut at stop), a destructor in the
 * request's memory pool marks the job, and done() gets NULL. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "http/problem.h"
#include "http/server_int.h"

struct offload_anchor;

struct offload_job {
	struct offload_job *next;
	kyc_req r; /* the request's copy; r.h is NULL once h2o dropped the request */
	struct offload_anchor *anchor;
	void (*work)(void *arg);
	void (*done)(kyc_req *r, void *arg);
	void *arg;
};

/* Lives in the request's memory pool; its destructor runs when h2o frees
 * the request. Both sides are touched on the loop thread only. */
struct offload_anchor {
	struct offload_job *job;
};

struct offload_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct offload_job *head, *tail;
	size_t len, max;
	int stop;
	int n;
	pthread_t *tids;
};

struct offload_inbox {
	pthread_mutex_t lock;
	struct offload_job *head; /* newest first */
	int fds[2];
	h2o_socket_t *sock;
	int closed;
};

static void drop(struct offload_job *j)
{
	j->done(NULL, j->arg);
	free(j);
}

static void drop_list(struct offload_job *j)
{
	while (j) {
		struct offload_job *next = j->next;
		drop(j);
		j = next;
	}
}

/* Worker side: hands a finished job to its loop thread. */
static void deliver(struct offload_job *j)
{
	struct offload_inbox *in = j->r.th->inbox;
	pthread_mutex_lock(&in->lock);
	if (in->closed) {
		pthread_mutex_unlock(&in->lock);
		drop(j);
		return;
	}
	j->next = in->head;
	in->head = j;
	/* A full pipe already has a wake-up in it. */
	ssize_t w = write(in->fds[1], "x", 1);
	(void)w;
	pthread_mutex_unlock(&in->lock);
}

static void *worker_main(void *arg)
{
	struct offload_pool *p = arg;
	/* Below the loop threads: when CPUs are short, requests that wait on no
	 * hash go first (Linux nices threads one by one). */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!p->head)
			break;
		struct offload_job *j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->len--;
		pthread_mutex_unlock(&p->lock);
		j->work(j->arg);
		deliver(j);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int kyc__offload_start(kyc_server *s)
{
	struct offload_pool *p = calloc(1, sizeof *p);
	int n = s->cfg.workers > 0 ? s->cfg.workers : 1;
	if (!p || !(p->tids = calloc((size_t)n, sizeof *p->tids))) {
		free(p);
		return KYC_ERR_NOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->max = s->cfg.work_queue > 0 ? (size_t)s->cfg.work_queue : 64;
	s->pool = p;
	for (int i = 0; i < n; i++) {
		if (pthread_create(&p->tids[i], NULL, worker_main, p) != 0)
			return KYC_ERR_IO;
		p->n++;
	}
	return 0;
}

void kyc__offload_stop(kyc_server *s)
{
	struct offload_pool *p = s->pool;
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	struct offload_job *queued = p->head;
	p->head = p->tail = NULL;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	drop_list(queued);
	for (int i = 0; i < p->n; i++)
		pthread_join(p->tids[i], NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->tids);
	free(p);
	s->pool = NULL;
}

/* Loop side: a job is back. */
static void finish(struct offload_job *j)
{
	if (!j->r.h) {
		drop(j);
		return;
	}
	j->anchor->job = NULL;
	j->done(&j->r, j->arg);
	if (!j->r.responded) {
		kyc_logf(KYC_LOG_ERROR, "offloaded work for %s sent no response",
			 j->r.route ? j->r.route->pattern : "?");
		kyc_problem(&j->r, 500, "internal_error", NULL, "no response was produced");
	}
	kyc__req_done(&j->r);
	free(j);
}

static void on_inbox(h2o_socket_t *sock, const char *err)
{
	struct server_thread *st = sock->data;
	struct offload_inbox *in = st->inbox;
	(void)err;
	h2o_buffer_consume(&sock->input, sock->input->size);
	pthread_mutex_lock(&in->lock);
	struct offload_job *list = in->head;
	in->head = NULL;
	pthread_mutex_unlock(&in->lock);
	/* oldest first */
	struct offload_job *fifo = NULL;
	while (list) {
		struct offload_job *next = list->next;
		list->next = fifo;
		fifo = list;
		list = next;
	}
	while (fifo) {
		struct offload_job *next = fifo->next;
		finish(fifo);
		fifo = next;
	}
}

int kyc__offload_thread_init(struct server_thread *st)
{
	struct offload_inbox *in = calloc(1, sizeof *in);
	if (!in)
		return -1;
	if (pipe2(in->fds, O_NONBLOCK | O_CLOEXEC) != 0) {
		free(in);
		return -1;
	}
	pthread_mutex_init(&in->lock, NULL);
	in->sock = h2o_evloop_socket_create(st->ctx.loop, in->fds[0], 0);
	in->sock->data = st;
	st->inbox = in;
	h2o_socket_read_start(in->sock, on_inbox);
	return 0;
}

void kyc__offload_thread_fini(struct server_thread *st)
{
	struct offload_inbox *in = st->inbox;
	if (!in)
		return;
	pthread_mutex_lock(&in->lock);
	in->closed = 1;
	struct offload_job *list = in->head;
	in->head = NULL;
	pthread_mutex_unlock(&in->lock);
	drop_list(list);
	h2o_socket_read_stop(in->sock);
	h2o_socket_close(in->sock); /* closes fds[0] */
	h2o_evloop_run(st->ctx.loop, 0); /* lets h2o free the socket */
	close(in->fds[1]);
	/* Workers may still look at in->closed: the inbox is freed with the
	 * server (kyc_server_free), after the pool has stopped. */
}

void kyc__offload_inbox_free(struct server_thread *st)
{
	if (!st->inbox)
		return;
	pthread_mutex_destroy(&st->inbox->lock);
	free(st->inbox);
	st->inbox = NULL;
}

static void anchor_dispose(void *p)
{
	struct offload_anchor *a = p;
	if (a->job) {
		a->job->r.h = NULL;
		a->job->anchor = NULL;
	}
}

/* Queues j for the workers; -1 when the queue is full or stopping (j is
 * then still the caller's). */
static int queue_push(struct offload_pool *p, struct offload_job *j)
{
	pthread_mutex_lock(&p->lock);
	int full = p->len >= p->max || p->stop;
	if (!full) {
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->len++;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return full ? -1 : 0;
}

int kyc_req_offload(kyc_req *r, void (*work)(void *arg), void (*done)(kyc_req *r, void *arg),
		    void *arg)
{
	struct offload_pool *p = r->th->srv->pool;
	if (r->responded || r->deferred || !p)
		return KYC_ERR_INVALID;
	struct offload_job *j = calloc(1, sizeof *j);
	if (!j)
		return KYC_ERR_NOMEM;
	j->r = *r;
	j->work = work;
	j->done = done;
	j->arg = arg;
	j->anchor = h2o_mem_alloc_shared(&r->h->pool, sizeof *j->anchor, anchor_dispose);
	j->anchor->job = j;
	if (queue_push(p, j)) {
		j->anchor->job = NULL; /* the request's pool outlives j */
		free(j);
		return KYC_ERR_TOOBIG;
	}
	r->deferred = 1;
	return 0;
}
