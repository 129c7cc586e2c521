/* SPDX-License-Identifier: MIT */
/* Merging the notes of a `sync` measure (docs/run.md, "sync").  Each note's
 * changes were checked against the score the measure started with, and
 * only fields whose value differs from it count.  Notes are taken in the
 * order the measure lists them — never in the order they finished — so
 * every strategy gives the same result on every run. */
#include "run/run_int.h"
#include "util/grow.h"
#include "util/json.h"
#include "util/sort.h"

#include <stdlib.h>
#include <string.h>

/* A short rendering of a value for messages. */
static void show(strbuf *sb, const cJSON *v)
{
	char *s = cad_json_print(v, 0);
	if (!s) {
		cad_strbuf_adds(sb, "...");
		return;
	}
	size_t n = strlen(s);
	if (n > 40) {
		cad_strbuf_add(sb, s, 37);
		cad_strbuf_adds(sb, "...");
	} else {
		cad_strbuf_add(sb, s, n);
	}
	free(s);
}

static void conflict(rfail *f, const char *path, const char *a, const char *b,
		     const cJSON *av, const cJSON *bv, const char *hint)
{
	cad_rfail_set(f, "notes '%s' and '%s' both changed field '%s', to ", a, b, path);
	show(&f->msg, av);
	cad_strbuf_adds(&f->msg, " and ");
	show(&f->msg, bv);
	cad_strbuf_adds(&f->msg, hint);
	f->permanent = 1;
}

typedef struct smart_ctx {
	rfail *f;
	const char *a, *b;	/* note names, for conflicts */
	strbuf path;
	int failed;
} smart_ctx;

static cJSON *smart(smart_ctx *c, const cJSON *base, const cJSON *a, const cJSON *b);

/* b's contribution to a list: what it appended to the base, or all of it
 * when it did not keep the base as its start. */
static size_t list_start(const cJSON *base, const cJSON *b)
{
	if (!cJSON_IsArray(base))
		return 0;
	int nb = cJSON_GetArraySize(base), n = cJSON_GetArraySize(b);
	if (nb > n)
		return 0;
	const cJSON *x = base->child, *y = b->child;
	for (; x; x = x->next, y = y->next)
		if (!cad_json_equal(x, y))
			return 0;
	return (size_t)nb;
}

static cJSON *smart_list(const cJSON *base, const cJSON *a, const cJSON *b)
{
	cJSON *out = cJSON_Duplicate(a, 1);
	size_t skip = list_start(base, b), i = 0;
	for (const cJSON *y = b->child; out && y; y = y->next, i++) {
		if (i < skip)
			continue;
		cJSON *d = cJSON_Duplicate(y, 1);
		if (!d || !cJSON_AddItemToArray(out, d)) {
			cJSON_Delete(d);
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}

/* The members of the three objects of smart_map by name, when they are
 * many: `out` changes as the merge goes, and its index with it. */
typedef struct smart_ix {
	strmap base, b, out;
} smart_ix;

/* `out`'s member `name` is to be `v` (NULL: removed).  Called before the
 * change: the key moves to `name`, a name of b or base, before the member
 * that held it is freed. */
static void out_changed(strmap *ix, const char *name, cJSON *v)
{
	if (!ix->slots || !name)
		return;	/* not indexed (or a member without a name: searched too) */
	strmap_entry *e = cad_strmap_put(ix, name, strlen(name), NULL);
	if (!e) {
		cad_strmap_free(ix);	/* searched from now on */
		return;
	}
	e->key = name;
	e->v.p = v;
}

static cJSON *smart_map(smart_ctx *c, const cJSON *base, const cJSON *a, const cJSON *b)
{
	cJSON *out = cJSON_Duplicate(a, 1);
	size_t plen = c->path.len;
	smart_ix ix = { STRMAP_INIT, STRMAP_INIT, STRMAP_INIT };
	if (!cJSON_IsObject(base))
		base = NULL;
	if (out && cad_json_count(a) + cad_json_count(b) > CAD_JSON_FEW_MEMBERS) {
		if (base)
			cad_json_index(&ix.base, base, 0);
		cad_json_index(&ix.b, b, 0);
		cad_json_index(&ix.out, out, 1);
	}
	for (const cJSON *bv = b->child; out && bv && !c->failed; bv = bv->next) {
		const cJSON *basev = base ? cad_json_member(&ix.base, base, bv->string) : NULL;
		cJSON *av = cad_json_member(&ix.out, out, bv->string);
		cJSON *nv;
		if (basev && cad_json_equal(basev, bv))
			continue;	/* b left this key alone */
		if (av && cad_json_equal(av, bv))
			continue;
		if (!av || (basev && cad_json_equal(av, basev))) {
			nv = cJSON_Duplicate(bv, 1);	/* only b changed it */
		} else {
			cad_strbuf_addf(&c->path, ".%s", bv->string);
			nv = smart(c, basev, av, bv);
			cad_strbuf_setlen(&c->path, plen);
		}
		if (!nv) {
			cJSON_Delete(out);
			out = NULL;
			break;
		}
		out_changed(&ix.out, bv->string, nv);
		if (av)
			cJSON_ReplaceItemViaPointer(out, av, nv);
		else
			cJSON_AddItemToObject(out, bv->string, nv);
	}
	/* keys b removed are removed, unless a changed them */
	for (const cJSON *k = base ? base->child : NULL; out && k && !c->failed; k = k->next) {
		if (cad_json_member(&ix.b, b, k->string))
			continue;
		cJSON *av = cad_json_member(&ix.out, out, k->string);
		if (!av)
			continue;
		if (cad_json_equal(av, k)) {
			out_changed(&ix.out, k->string, NULL);
			cJSON_Delete(cJSON_DetachItemViaPointer(out, av));
		} else {
			cad_strbuf_addf(&c->path, ".%s", k->string);
			cad_rfail_set(c->f, "note '%s' changed field '%s' to ", c->a,
				  cad_strbuf_cstr(&c->path));
			show(&c->f->msg, av);
			cad_strbuf_addf(&c->f->msg, " and note '%s' removed it", c->b);
			c->f->permanent = 1;
			c->failed = 1;
		}
	}
	cad_strmap_free(&ix.base);
	cad_strmap_free(&ix.b);
	cad_strmap_free(&ix.out);
	if (c->failed) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

static cJSON *smart(smart_ctx *c, const cJSON *base, const cJSON *a, const cJSON *b)
{
	if (cad_json_equal(a, b))
		return cJSON_Duplicate(a, 1);
	if (cJSON_IsArray(a) && cJSON_IsArray(b))
		return smart_list(cJSON_IsArray(base) ? base : NULL, a, b);
	if (cJSON_IsObject(a) && cJSON_IsObject(b))
		return smart_map(c, base, a, b);
	conflict(c->f, cad_strbuf_cstr(&c->path), c->a, c->b, a, b,
		 "; smart_merge extends lists and updates maps, but two different values "
		 "of one field conflict");
	c->failed = 1;
	return NULL;
}

/* A sync's merge, per field of the frame's score: the value so far, the
 * note it came from, the value smart_merge made; allocated by the first
 * sync of a frame and emptied after each one through the list of fields
 * it touched, so that a sync costs its changes, not the width of the
 * score. */
typedef struct mfield {
	cJSON *val;
	cJSON *made;	/* owned; NULL: val is inside a note's changes */
	size_t owner;
} mfield;

struct rmerge {
	mfield *f;
	size_t *touched;	/* fields with a val */
	size_t ntouched, cap;
};

void cad_merge_free(rframe *fr)
{
	if (!fr->merge)
		return;
	free(fr->merge->f);
	free(fr->merge->touched);
	free(fr->merge);
	fr->merge = NULL;
}

static struct rmerge *table(rframe *fr)
{
	size_t nf = fr->plan->def->nfields;
	if (!fr->merge && (fr->merge = calloc(1, sizeof(*fr->merge))) &&
	    !(fr->merge->f = calloc(nf ? nf : 1, sizeof(*fr->merge->f))))
		cad_merge_free(fr);
	return fr->merge;
}

static int touch(struct rmerge *m, size_t i)
{
	if (CAD_GROW(m->touched, m->cap, m->ntouched + 1, 16))
		return -1;
	m->touched[m->ntouched++] = i;
	return 0;
}

/* Empties the table for the next sync. */
static void empty(struct rmerge *m)
{
	for (size_t k = 0; k < m->ntouched; k++) {
		mfield *e = &m->f[m->touched[k]];
		cJSON_Delete(e->made);
		memset(e, 0, sizeof(*e));
	}
	m->ntouched = 0;
}

int cad_merge_sync(rframe *fr, const rmeasure *ms, rjob *jobs, size_t n, rfail *f,
	       const char **who)
{
	const rplan *p = fr->plan;
	struct rmerge *m = table(fr);
	int rc = -1;

	*who = NULL;
	if (!m) {
		cad_rfail_set(f, "out of memory");
		return -1;
	}
	for (size_t j = 0; j < n; j++) {
		cJSON *changes = jobs[j].changes;
		size_t k = 0;
		/* the field of each change, found when it was checked */
		for (cJSON *item = changes ? changes->child : NULL; item; item = item->next, k++) {
			size_t i = jobs[j].fields[k];
			mfield *e = &m->f[i];
			if (!e->val) {
				if (touch(m, i)) {
					cad_rfail_set(f, "out of memory");
					goto out;
				}
				e->val = item;
				e->owner = j;
				continue;
			}
			const char *a = jobs[e->owner].note->name, *b = jobs[j].note->name;
			f->field = p->def->fields[i].name.name;
			switch (ms->m->merge) {
			case CAD_MERGE_FAIL_ON_CONFLICT:
				if (!cad_json_equal(e->val, item)) {
					conflict(f, item->string, a, b, e->val, item,
						 "; with merge: fail_on_conflict (the default) two notes "
						 "of a sync may not write one field differently");
					*who = b;
					goto out;
				}
				break;
			case CAD_MERGE_LAST_WRITE_WINS:
				/* the later note in the measure's list wins */
				e->val = item;
				e->owner = j;
				cJSON_Delete(e->made);
				e->made = NULL;
				break;
			case CAD_MERGE_SMART: {
				smart_ctx c = { f, a, b, STRBUF_INIT, 0 };
				cad_strbuf_adds(&c.path, item->string);
				cJSON *v = smart(&c, fr->score.slot[i], e->val, item);
				cad_strbuf_free(&c.path);
				if (!v) {
					if (!c.failed)
						cad_rfail_set(f, "out of memory");
					*who = b;
					goto out;
				}
				cJSON_Delete(e->made);
				e->made = v;
				e->val = v;
				e->owner = j;
				break;
			}
			}
			f->field = NULL;
		}
	}
	/* apply in field order; a value still inside a note's changes is
	 * moved out of them */
	if (m->ntouched > 1)
		qsort(m->touched, m->ntouched, sizeof(*m->touched), cad_cmp_size);
	for (size_t k = 0; k < m->ntouched; k++) {
		size_t i = m->touched[k];
		mfield *e = &m->f[i];
		cJSON *v = e->made;
		e->made = NULL;
		if (!v)
			v = cJSON_DetachItemViaPointer(jobs[e->owner].changes, e->val);
		cad_score_set(&fr->score, i, v);
	}
	rc = 0;
out:
	empty(m);
	return rc;
}

int cad_merge_two(rfail *f, cad_merge how, const char *field, const char *a, const char *b,
		  const cJSON *base, const cJSON *av, const cJSON *bv, cJSON **made)
{
	*made = NULL;
	switch (how) {
	case CAD_MERGE_FAIL_ON_CONFLICT:
		if (cad_json_equal(av, bv))
			return 0;
		cad_rfail_set(f, "tasks '%s' and '%s' both changed field '%s', with no order between "
			      "them, to ", a, b, field);
		show(&f->msg, av);
		cad_strbuf_adds(&f->msg, " and ");
		show(&f->msg, bv);
		cad_strbuf_adds(&f->msg, "; with merge: fail_on_conflict (the default) such tasks may "
				"not write one field differently: put one after the other");
		f->permanent = 1;
		return -1;
	case CAD_MERGE_LAST_WRITE_WINS:
		return 0;	/* the caller takes b */
	case CAD_MERGE_SMART: {
		smart_ctx c = { f, a, b, STRBUF_INIT, 0 };
		cad_strbuf_adds(&c.path, field);
		*made = smart(&c, base, av, bv);
		cad_strbuf_free(&c.path);
		if (*made)
			return 0;
		if (!c.failed)
			cad_rfail_set(f, "out of memory");
		return -1;
	}
	}
	return 0;
}
