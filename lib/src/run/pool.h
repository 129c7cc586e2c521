/* SPDX-License-Identifier: MIT */
/* A fixed pool of threads for `symbol` notes of `sync` measures.  Tasks
 * are intrusive (the caller owns their memory), so submitting allocates
 * nothing. */
#ifndef CADENCE_SRC_RUN_POOL_H
#define CADENCE_SRC_RUN_POOL_H

#include <stddef.h>

typedef struct rtask rtask;
struct rtask {
	void (*fn)(rtask *task);
	rtask *next;
};

typedef struct rpool rpool;

/* Returns 0, or -1 when no thread could be started. */
int cad_rpool_new(rpool **out, size_t threads);
/* Waits for running tasks, drops queued ones, joins the threads. */
void cad_rpool_free(rpool *p);
/* Submits a list linked by `next`, under one lock. */
void cad_rpool_submit_list(rpool *p, rtask *head);
/* Runs one queued task on the calling thread; 0 when the queue was empty. */
int cad_rpool_help(rpool *p);

#endif
