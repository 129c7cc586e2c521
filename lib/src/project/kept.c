/* SPDX-License-Identifier: MIT */
/* Expressions kept between the check and a runner (kept.h). */
#include "project/kept.h"
#include "util/arena.h"
#include "util/strmap.h"

#include <stdlib.h>

/* The key's bytes are the first two members: two pointers, no padding. */
typedef struct kept_key {
	const cad_expr *e;
	const struct cadence_def *def;
} kept_key;
_Static_assert(sizeof(kept_key) == 2 * sizeof(void *), "a key without padding");

/* An expression, or with e NULL in its key, the env of def's score. */
typedef struct kept_one {
	kept_key key;
	cadence_expr *x;
	cadence_expr_env *env;
} kept_one;

struct cad_kept {
	arena home;		/* the expressions and their records */
	strmap index;		/* kept_key -> kept_one */
};

int cad_kept_new(cad_kept **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -1;
	cad_arena_init(&(*out)->home);
	return 0;
}

void cad_kept_free(cad_kept *k)
{
	if (!k)
		return;
	/* an expression may have taken memory beyond its place in the arena */
	for (strmap_entry *e = cad_strmap_next(&k->index, NULL); e; e = cad_strmap_next(&k->index, e)) {
		cadence_expr_free(((kept_one *)e->v.p)->x);
		cadence_expr_env_free(((kept_one *)e->v.p)->env);
	}
	cad_strmap_free(&k->index);
	cad_arena_free(&k->home);
	free(k);
}

arena *cad_kept_home(cad_kept *k)
{
	return &k->home;
}

/* A record for key (e, def) added, or NULL: already there (*oom 0) or
 * out of memory (*oom 1). */
static kept_one *add(cad_kept *k, const cad_expr *e, const struct cadence_def *def, int *oom)
{
	kept_one *one = cad_arena_alloc(&k->home, sizeof(*one));
	int added = 0;
	strmap_entry *at = NULL;
	if (one) {
		one->key = (kept_key){ e, def };
		at = cad_strmap_put(&k->index, (const char *)&one->key, sizeof(one->key), &added);
	}
	*oom = !at;
	if (!added)
		return NULL;
	at->v.p = one;
	return one;
}

int cad_kept_put(cad_kept *k, const cad_expr *e, const struct cadence_def *def, cadence_expr *x)
{
	int oom;
	kept_one *one = add(k, e, def, &oom);
	if (one)
		one->x = x;
	else
		cadence_expr_free(x);
	return oom ? -1 : 0;
}

static const kept_one *find(const cad_kept *k, const cad_expr *e, const struct cadence_def *def)
{
	kept_key key = { e, def };
	const strmap_entry *at = cad_strmap_find(&k->index, (const char *)&key, sizeof(key));
	return at ? at->v.p : NULL;
}

const cadence_expr *cad_kept_get(const cad_kept *k, const cad_expr *e, const struct cadence_def *def)
{
	const kept_one *one = find(k, e, def);
	return one ? one->x : NULL;
}

int cad_kept_put_env(cad_kept *k, const struct cadence_def *def, cadence_expr_env *env)
{
	int oom;
	kept_one *one = add(k, NULL, def, &oom);
	if (one)
		one->env = env;
	else
		cadence_expr_env_free(env);
	return oom ? -1 : 0;
}

const cadence_expr_env *cad_kept_env(const cad_kept *k, const struct cadence_def *def)
{
	const kept_one *one = find(k, NULL, def);
	return one ? one->env : NULL;
}
