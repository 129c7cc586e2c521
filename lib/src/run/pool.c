/* SPDX-License-Identifier: MIT */
/* The thread pool: one mutex, one condition, a FIFO of intrusive tasks.
 * The thread that waits for a batch may help run it (cad_rpool_help), which
 * keeps a batch of short tasks from paying a wake-up per task. */
#include "run/pool.h"

#include <pthread.h>
#include <stdlib.h>

struct rpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	rtask *head, *tail;
	int stop;
	size_t n;
	pthread_t *threads;
};

static rtask *pop(rpool *p)
{
	rtask *t = p->head;
	if (t) {
		p->head = t->next;
		if (!p->head)
			p->tail = NULL;
		t->next = NULL;
	}
	return t;
}

static void *worker(void *arg)
{
	rpool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		rtask *t;
		while (!p->stop && !p->head)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop)
			break;
		t = pop(p);
		pthread_mutex_unlock(&p->mu);
		t->fn(t);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int cad_rpool_new(rpool **out, size_t threads)
{
	rpool *p = calloc(1, sizeof(*p));
	*out = NULL;
	if (!p)
		return -1;
	p->threads = calloc(threads ? threads : 1, sizeof(*p->threads));
	if (!p->threads || pthread_mutex_init(&p->mu, NULL)) {
		free(p->threads);
		free(p);
		return -1;
	}
	pthread_cond_init(&p->cv, NULL);
	for (size_t i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[p->n], NULL, worker, p))
			break;
		p->n++;
	}
	if (!p->n) {
		cad_rpool_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void cad_rpool_free(rpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->n; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p);
}

void cad_rpool_submit_list(rpool *p, rtask *head)
{
	rtask *last = head;
	if (!head)
		return;
	while (last->next)
		last = last->next;
	pthread_mutex_lock(&p->mu);
	if (p->tail)
		p->tail->next = head;
	else
		p->head = head;
	p->tail = last;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

int cad_rpool_help(rpool *p)
{
	pthread_mutex_lock(&p->mu);
	rtask *t = pop(p);
	pthread_mutex_unlock(&p->mu);
	if (!t)
		return 0;
	t->fn(t);
	return 1;
}
