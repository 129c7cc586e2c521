/* SPDX-License-Identifier: MIT */
/* `cadence serve`: the rate of requests per token (docs/serve.md,
 * "Limits"), a token bucket per client: `burst` requests at once, then
 * `rate` a second.  A client is its token's digest, or with no token
 * configured its address.  The buckets kept are bounded: beyond, the one
 * used least recently is forgotten (a full bucket, all but always). */
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util/grow.h"

/* At most this many clients' buckets (tokens are few; addresses are
 * loopback ones, with no token). */
#define SERVE_BUCKETS_KEPT 4096

void serve_limits_init(serve_limits *l, unsigned rate, unsigned burst)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->rate = rate;
	l->burst = burst ? burst : rate;
	l->lock_ready = 1;
}

void serve_limits_free(serve_limits *l)
{
	free(l->b);
	pthread_mutex_destroy(&l->lock);
	l->b = NULL;
	l->n = l->cap = 0;
	l->lock_ready = 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bucket of key (under the lock), a new full one if none; NULL: out
 * of memory. */
static serve_bucket *bucket(serve_limits *l, const char *key, int64_t now)
{
	size_t oldest = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->b[i].key, key))
			return &l->b[i];
		if (l->b[i].last_ms < l->b[oldest].last_ms)
			oldest = i;
	}
	serve_bucket *b;
	if (l->n >= SERVE_BUCKETS_KEPT)
		b = &l->b[oldest];
	else if (CAD_GROW(l->b, l->cap, l->n + 1, 16))
		return NULL;
	else
		b = &l->b[l->n++];
	snprintf(b->key, sizeof(b->key), "%s", key);
	b->tokens = l->burst;
	b->last_ms = now;
	return b;
}

unsigned serve_limits_take(serve_limits *l, const char *key)
{
	if (!l->rate)
		return 0;
	int64_t now = mono_ms();
	unsigned wait = 0;
	pthread_mutex_lock(&l->lock);
	serve_bucket *b = bucket(l, key, now);
	if (b) {
		b->tokens += (double)(now - b->last_ms) * l->rate / 1000.0;
		if (b->tokens > l->burst)
			b->tokens = l->burst;
		b->last_ms = now;
		if (b->tokens >= 1.0)
			b->tokens -= 1.0;
		else	/* whole seconds until a request's worth is back */
			wait = 1 + (unsigned)((1.0 - b->tokens) / l->rate);
	}
	pthread_mutex_unlock(&l->lock);
	return wait;
}

/* ---- slow clients -------------------------------------------------------- */

/* libmicrohttpd's timeout counts silence only: a client that sends its
 * headers a byte every few seconds would hold its connection forever.
 * Each connection's request must arrive whole (headers and body) within
 * the timeout too, counted from the connection's start or the end of its
 * previous request; serve_conns_sweep() shuts down the sockets of those
 * late (libmicrohttpd then sees the connection end and frees it). */

void serve_conns_init(serve_conns *c, int64_t timeout_ms)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->timeout_ms = timeout_ms;
	c->ready = 1;
}

void serve_conns_free(serve_conns *c)
{
	if (!c->ready)
		return;
	serve_conn *p = c->all;
	while (p) {
		serve_conn *next = p->next;
		free(p);
		p = next;
	}
	pthread_mutex_destroy(&c->lock);
	c->ready = 0;
}

void serve_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			enum MHD_ConnectionNotificationCode code)
{
	serve_conns *c = cls;
	serve_conn *p = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		p = ci ? calloc(1, sizeof(*p)) : NULL;
		*socket_context = p;
		if (!p)
			return;	/* unwatched: the idle timeout still applies */
		p->fd = ci->connect_fd;
		p->since_ms = mono_ms();
		pthread_mutex_lock(&c->lock);
		p->next = c->all;
		if (c->all)
			c->all->prev = p;
		c->all = p;
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (!p)
		return;
	/* closed: before libmicrohttpd closes the socket, so a sweep never
	 * shuts down a descriptor reused by another file */
	pthread_mutex_lock(&c->lock);
	if (p->prev)
		p->prev->next = p->next;
	else
		c->all = p->next;
	if (p->next)
		p->next->prev = p->prev;
	pthread_mutex_unlock(&c->lock);
	free(p);
	*socket_context = NULL;
}

/* The connection's record (NULL: unwatched). */
static serve_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

void serve_conns_received(serve_conns *c, struct MHD_Connection *conn, int whole)
{
	serve_conn *p = conn_of(conn);
	if (!p)
		return;
	pthread_mutex_lock(&c->lock);
	if (whole)
		p->answering = 1;
	else {	/* the request answered: the next one's time starts */
		p->answering = 0;
		p->since_ms = mono_ms();
	}
	pthread_mutex_unlock(&c->lock);
}

size_t serve_conns_sweep(serve_conns *c)
{
	size_t n = 0;
	int64_t now = mono_ms();
	pthread_mutex_lock(&c->lock);
	for (serve_conn *p = c->all; p; p = p->next)
		if (!p->answering && !p->dropped && now - p->since_ms > c->timeout_ms) {
			shutdown(p->fd, SHUT_RDWR);
			p->dropped = 1;
			n++;
		}
	pthread_mutex_unlock(&c->lock);
	return n;
}
