/* SPDX-License-Identifier: MIT */
/* Checkpoints (cadence/checkpoint.h): made by the engine after each
 * completed measure, saved as JSON, read back, fitted to a runner's plans
 * and resumed (engine.c starts each frame at its checkpoint's measure). */
/* realpath() */
#define _XOPEN_SOURCE 700

#include "run/run_int.h"
#include "util/afile.h"
#include "util/api.h"
#include "util/grow.h"
#include "util/json.h"
#include "util/sha256.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CKPT_FORMAT "cadence-checkpoint"
#define CKPT_VERSION 1
/* scores of up to 64 nested cadences of 16 MiB each would not fit: enough */
#define MAX_CHECKPOINT ((size_t)256 << 20)
/* A frame's score is inside three levels of the checkpoint (the object,
 * "frames", the frame): a score CADENCE_MAX_SCORE_DEPTH deep reads back. */
#define CKPT_SCORE_LEVELS 3

/* ---- the object -------------------------------------------------------------- */

static void frames_free(cadence_checkpoint *cp)
{
	if (!cp->borrowed)
		for (size_t i = 0; i < cp->nframes; i++) {
			free(cp->frames[i].cadence);
			cJSON_Delete(cp->frames[i].score);
			cJSON_Delete(cp->frames[i].dag);
		}
	free(cp->frames);
	cp->frames = NULL;
	cp->nframes = cp->capframes = 0;
}

void cadence_checkpoint_free(cadence_checkpoint *cp)
{
	if (!cp)
		return;
	frames_free(cp);
	for (size_t i = 0; i < cp->nfiles; i++)
		free(cp->files[i].path);
	free(cp->files);
	free(cp->run_id);
	free(cp->cadence);
	free(cp->file);
	free(cp->position);
	free(cp);
}

const char *cadence_checkpoint_cadence(const cadence_checkpoint *cp) { return cp->cadence; }
const char *cadence_checkpoint_file(const cadence_checkpoint *cp) { return cp->file; }
const char *cadence_checkpoint_run_id(const cadence_checkpoint *cp) { return cp->run_id; }
int cadence_checkpoint_complete(const cadence_checkpoint *cp) { return cp->complete; }

int cadence_runner_prepare_resume(cadence_runner *r, const cadence_checkpoint *cp,
				  cadence_run_error *err)
{
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	return cad_plan_prepare(r, cp && cp->complete, err);
}
const cJSON *cadence_checkpoint_score(const cadence_checkpoint *cp)
{
	return cp->nframes ? cp->frames[0].score : NULL;
}
const char *cadence_checkpoint_position(const cadence_checkpoint *cp)
{
	return cp->position ? cp->position : "";
}

/* How many tasks a dag record holds. */
static size_t dag_done(const cJSON *dag)
{
	return (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(dag, "tasks"));
}

/* "checkout: 2 of 5 measures done; checkout/payment: 1 of 3", from the
 * frames and the measure counts (counts[i], or unknown when NULL), and
 * "; dag 'etl': 3 of 8 tasks done" (of ntasks, unless 0) inside a dag. */
static char *describe(const cadence_checkpoint *cp, const size_t *counts, size_t ntasks)
{
	strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	for (size_t i = 0; i < cp->nframes; i++) {
		if (i)
			cad_strbuf_addc(&path, '/');
		cad_strbuf_adds(&path, cp->frames[i].cadence);
		cad_strbuf_addf(&sb, "%s%s: %zu", i ? "; " : "", cad_strbuf_cstr(&path) ? path.buf : "",
			    cp->frames[i].next);
		if (counts)
			cad_strbuf_addf(&sb, " of %zu", counts[i]);
		cad_strbuf_adds(&sb, i ? "" : counts || cp->frames[i].next != 1 ? " measures done"
					   : " measure done");
		const cJSON *dag = cp->frames[i].dag;
		if (!dag)
			continue;
		cad_strbuf_addf(&sb, "; dag '%s': %zu",
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dag, "measure")),
				dag_done(dag));
		if (ntasks)
			cad_strbuf_addf(&sb, " of %zu", ntasks);
		cad_strbuf_adds(&sb, " tasks done");
	}
	cad_strbuf_free(&path);
	return cad_strbuf_detach(&sb);
}

/* ---- files and their hashes ------------------------------------------------------ */

/* Every file `project` loaded (or only `root`), named relative to the
 * directory of `base` (an absolute path, or NULL: the first file's). */
static int collect_files(const cadence_project *project, const cadence_def *root,
			 const char *base, ckfile **out, size_t *nout)
{
	size_t n = project ? cadence_project_count(project) : 1;
	ckfile *files = calloc(n ? n : 1, sizeof(*files));
	char *first = NULL;
	size_t k = 0;
	*out = NULL;
	*nout = 0;
	if (!files)
		return CADENCE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const cadence_def *d = project ? cadence_project_get(project, i) : root;
		if (!d || !d->path || !d->text)
			continue;	/* built in code */
		char *real = realpath(d->path, NULL);
		const char *p = real ? real : d->path;
		if (!base && !first)
			first = strdup(p);
		const char *b = base ? base : first;
		size_t dl = cad_path_dir_len(b);
		if (dl && !strncmp(p, b, dl))
			p += dl;
		files[k].path = strdup(p);
		free(real);
		if (!files[k].path) {
			k++;
			goto oom;
		}
		cad_sha256_hex(d->text, d->text_len, files[k].sha256);
		k++;
	}
	free(first);
	*out = files;
	*nout = k;
	return 0;
oom:
	free(first);
	for (size_t i = 0; i < k; i++)
		free(files[i].path);
	free(files);
	return CADENCE_ENOMEM;
}

static void free_files(ckfile *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}

int cadence_checkpoint_check_files(const cadence_checkpoint *cp, const cadence_project *project,
				   cadence_run_error *err)
{
	ckfile *now = NULL;
	size_t n = 0;
	strbuf msg = STRBUF_INIT;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (collect_files(project, NULL, NULL, &now, &n))
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	for (size_t i = 0; i < cp->nfiles; i++) {
		const ckfile *was = &cp->files[i], *is = NULL;
		for (size_t j = 0; j < n && !is; j++)
			if (!strcmp(now[j].path, was->path))
				is = &now[j];
		if (!is)
			cad_strbuf_addf(&msg, "%s'%s' is no longer part of the run", msg.len ? "; " : "",
				    was->path);
		else if (strcmp(is->sha256, was->sha256))
			cad_strbuf_addf(&msg, "%s'%s' changed", msg.len ? "; " : "", was->path);
	}
	for (size_t j = 0; j < n; j++) {
		int known = 0;
		for (size_t i = 0; i < cp->nfiles && !known; i++)
			known = !strcmp(now[j].path, cp->files[i].path);
		if (!known)
			cad_strbuf_addf(&msg, "%s'%s' is new to the run", msg.len ? "; " : "", now[j].path);
	}
	free_files(now, n);
	if (!msg.len)
		return 0;
	strbuf m = STRBUF_INIT;
	cad_strbuf_addf(&m, "the cadence files are not those the checkpoint was written for: %s",
		    cad_strbuf_cstr(&msg) ? msg.buf : "");
	cad_strbuf_free(&msg);
	return cad_err_take(err, CADENCE_EINVALID, &m);
}

/* ---- writing ------------------------------------------------------------------ */

static cJSON *to_json(const cadence_checkpoint *cp)
{
	cJSON *o = cJSON_CreateObject(), *files = NULL, *frames = NULL;
	char when[32] = "";
	time_t t = time(NULL);
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!o || !cJSON_AddStringToObject(o, "format", CKPT_FORMAT) ||
	    !cJSON_AddNumberToObject(o, "version", CKPT_VERSION) ||
	    !cJSON_AddStringToObject(o, "cadence", cp->cadence) ||
	    !(cp->file ? cJSON_AddStringToObject(o, "file", cp->file) : cJSON_AddNullToObject(o, "file")) ||
	    !cJSON_AddStringToObject(o, "run_id", cp->run_id ? cp->run_id : "") ||
	    !cJSON_AddStringToObject(o, "written", when) ||
	    !cJSON_AddBoolToObject(o, "complete", cp->complete) ||
	    !cJSON_AddStringToObject(o, "position", cadence_checkpoint_position(cp)) ||
	    !(files = cJSON_AddArrayToObject(o, "files")) ||
	    !(frames = cJSON_AddArrayToObject(o, "frames")))
		goto oom;
	for (size_t i = 0; i < cp->nfiles; i++) {
		cJSON *f = cJSON_CreateObject();
		if (!f || !cJSON_AddItemToArray(files, f) ||
		    !cJSON_AddStringToObject(f, "path", cp->files[i].path) ||
		    !cJSON_AddStringToObject(f, "sha256", cp->files[i].sha256))
			goto oom;
	}
	for (size_t i = 0; i < cp->nframes; i++) {
		cJSON *f = cJSON_CreateObject();
		if (!f || !cJSON_AddItemToArray(frames, f) ||
		    !cJSON_AddStringToObject(f, "cadence", cp->frames[i].cadence) ||
		    !cJSON_AddNumberToObject(f, "next", (double)cp->frames[i].next) ||
		    /* a reference: the score is not copied */
		    !cJSON_AddItemReferenceToObject(f, "score", cp->frames[i].score) ||
		    (cp->frames[i].dag && !cJSON_AddItemReferenceToObject(f, "dag", cp->frames[i].dag)))
			goto oom;
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

static char *to_text(const cadence_checkpoint *cp)
{
	cJSON *o = to_json(cp);
	char *s = o ? cad_json_print(o, 1) : NULL;
	cJSON_Delete(o);
	return s;
}

int cadence_checkpoint_write(const cadence_checkpoint *cp, FILE *out)
{
	char *s = to_text(cp);
	if (!s)
		return CADENCE_ENOMEM;
	int rc = fprintf(out, "%s\n", s) < 0 ? CADENCE_EIO : 0;
	free(s);
	return rc;
}

int cadence_checkpoint_write_file(const cadence_checkpoint *cp, const char *path,
				  cadence_run_error *err)
{
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	char *s = to_text(cp);
	if (!s)
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	size_t len = strlen(s);
	s[len] = '\n';	/* in place of the NUL, written by length */
	int e = cad_afile_write(path, s, len + 1, 0600, CAD_AFILE_DURABLE);
	free(s);
	if (e)
		return cad_err_sys(err, e, "cannot write the checkpoint to '%s'", path);
	return 0;
}

/* ---- reading ------------------------------------------------------------------ */

static const cJSON *key(const cJSON *o, const char *k, int (*is)(const cJSON *), strbuf *why,
			const char *what)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v || !is(v)) {
		if (!why->len)
			cad_strbuf_addf(why, "%s '%s' %s", what, k, v ? "has the wrong type" : "is missing");
		return NULL;
	}
	return v;
}

static int is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 64;
}

/* A frame's dag record (ckframe.dag): its shape; 0 or -1 with *why. */
static int parse_dag(const cJSON *dag, const char *cadence, int more, strbuf *why)
{
	if (more) {
		cad_strbuf_addf(why, "the frame of '%s' has a dag but is not the innermost", cadence);
		return -1;
	}
	if (!cJSON_IsObject(dag)) {
		cad_strbuf_addf(why, "the frame of '%s' has a 'dag' that is not an object", cadence);
		return -1;
	}
	const cJSON *tasks = key(dag, "tasks", cJSON_IsArray, why, "its dag's key");
	if (!key(dag, "measure", cJSON_IsString, why, "its dag's key") || !tasks)
		return -1;
	const cJSON *t;
	cJSON_ArrayForEach(t, tasks) {
		const cJSON *name = key(t, "task", cJSON_IsString, why, "a dag task's key");
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(t, "changes");
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(t, "interrupt");
		if (!name)
			return -1;
		if ((ch && !cJSON_IsObject(ch)) || (in && !cJSON_IsBool(in))) {
			cad_strbuf_addf(why, "dag task '%s' has a '%s' of the wrong type",
					name->valuestring, ch && !cJSON_IsObject(ch) ? "changes" : "interrupt");
			return -1;
		}
	}
	return 0;
}

static int parse_into(cadence_checkpoint *cp, const cJSON *o, strbuf *why)
{
	const cJSON *fmt = key(o, "format", cJSON_IsString, why, "key");
	if (fmt && strcmp(fmt->valuestring, CKPT_FORMAT)) {
		cad_strbuf_addf(why, "its format is '%s', not '" CKPT_FORMAT "'", fmt->valuestring);
		return -1;
	}
	const cJSON *ver = key(o, "version", cJSON_IsNumber, why, "key");
	if (ver && ver->valuedouble != CKPT_VERSION) {
		/* every digit: "version 1.0000001", not "%g"'s "version 1" */
		cad_strbuf_adds(why, "it is version ");
		cad_json_number(why, ver->valuedouble);
		cad_strbuf_addf(why, "; this cadence reads version %d", CKPT_VERSION);
		return -1;
	}
	const cJSON *cad = key(o, "cadence", cJSON_IsString, why, "key");
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(o, "file");
	const cJSON *run_id = key(o, "run_id", cJSON_IsString, why, "key");
	const cJSON *complete = key(o, "complete", cJSON_IsBool, why, "key");
	const cJSON *files = key(o, "files", cJSON_IsArray, why, "key");
	const cJSON *frames = key(o, "frames", cJSON_IsArray, why, "key");
	if (why->len)
		return -1;
	if (file && !cJSON_IsString(file) && !cJSON_IsNull(file)) {
		cad_strbuf_adds(why, "key 'file' has the wrong type");
		return -1;
	}
	if (!(cp->cadence = strdup(cad->valuestring)) || !(cp->run_id = strdup(run_id->valuestring)) ||
	    (cJSON_IsString(file) && !(cp->file = strdup(file->valuestring))))
		return -2;
	cp->complete = cJSON_IsTrue(complete);
	size_t nf = (size_t)cJSON_GetArraySize(files), nfr = (size_t)cJSON_GetArraySize(frames);
	if (!nfr) {
		cad_strbuf_adds(why, "it has no frames");
		return -1;
	}
	cp->files = calloc(nf ? nf : 1, sizeof(*cp->files));
	cp->frames = calloc(nfr, sizeof(*cp->frames));
	if (!cp->files || !cp->frames)
		return -2;
	cp->capframes = nfr;
	const cJSON *it;
	cJSON_ArrayForEach(it, files) {
		const cJSON *p = key(it, "path", cJSON_IsString, why, "a file's");
		const cJSON *h = key(it, "sha256", cJSON_IsString, why, "a file's");
		if (!p || !h)
			return -1;
		if (!is_hex64(h->valuestring)) {
			cad_strbuf_addf(why, "the sha256 of '%s' is not 64 hex digits", p->valuestring);
			return -1;
		}
		if (!(cp->files[cp->nfiles].path = strdup(p->valuestring)))
			return -2;
		memcpy(cp->files[cp->nfiles++].sha256, h->valuestring, 65);
	}
	cJSON_ArrayForEach(it, frames) {
		const cJSON *c = key(it, "cadence", cJSON_IsString, why, "a frame's");
		const cJSON *nx = key(it, "next", cJSON_IsNumber, why, "a frame's");
		const cJSON *sc = key(it, "score", cJSON_IsObject, why, "a frame's");
		if (!c || !nx || !sc)
			return -1;
		if (nx->valuedouble < 0 || nx->valuedouble > (double)INT_MAX ||
		    nx->valuedouble != (double)(size_t)nx->valuedouble) {
			cad_strbuf_addf(why, "the frame of '%s' has a bad measure index ", c->valuestring);
			cad_json_number(why, nx->valuedouble);
			return -1;
		}
		ckframe *f = &cp->frames[cp->nframes++];
		f->next = (size_t)nx->valuedouble;
		if (!(f->cadence = strdup(c->valuestring)) || !(f->score = cJSON_Duplicate(sc, 1)))
			return -2;
		const cJSON *dag = cJSON_GetObjectItemCaseSensitive(it, "dag");
		int p = dag ? parse_dag(dag, c->valuestring, it->next != NULL, why) : 0;
		if (p)
			return p;
		if (dag && !(f->dag = cJSON_Duplicate(dag, 1)))
			return -2;
	}
	if (strcmp(cp->frames[0].cadence, cp->cadence)) {
		cad_strbuf_addf(why, "its first frame is of '%s', not of its cadence '%s'",
			    cp->frames[0].cadence, cp->cadence);
		return -1;
	}
	return (cp->position = describe(cp, NULL, 0)) ? 0 : -2;
}

/* Whether a text that is not JSON was cut short: it ends inside a string,
 * or with brackets still open, or is empty. */
static int cut_short(const char *s, size_t len)
{
	size_t depth = 0, content = 0;
	int in_string = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		}
		content += !strchr(" \t\r\n", c);
	}
	return in_string || depth || !content;
}

int cadence_checkpoint_parse(cadence_checkpoint **out, const char *data, size_t len,
			     cadence_run_error *err)
{
	strbuf why = STRBUF_INIT, m = STRBUF_INIT;
	cad_json_error je;
	int rc = 0;
	cJSON *o = NULL;
	*out = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	cad_json_parse(&o, data, len, CADENCE_MAX_SCORE_DEPTH + CKPT_SCORE_LEVELS, &je);
	cadence_checkpoint *cp = calloc(1, sizeof(*cp));
	if (!cp) {
		cJSON_Delete(o);
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	}
	if (je.problem == CAD_JSON_SYNTAX) {
		cad_strbuf_addf(&m, "it is not JSON: %s at byte %zu of %zu",
			    cut_short(data, len) ? "it ends early (truncated?)" : "unexpected text",
			    je.offset, len);
		rc = CADENCE_EINVALID;
	} else if (je.problem == CAD_JSON_DEEP) {
		/* nothing of a checkpoint but its scores goes that deep */
		cad_strbuf_addf(&m, "a score in it is nested deeper than %d levels (at line %u, "
				"column %u)", CADENCE_MAX_SCORE_DEPTH, je.line, je.column);
		rc = CADENCE_EINVALID;
	} else if (je.problem) {
		cad_strbuf_adds(&m, "it ");
		cad_json_describe(&m, &je, data, len, 0);
		rc = CADENCE_EINVALID;
	} else if (!cJSON_IsObject(o)) {
		cad_strbuf_adds(&m, "it is not a JSON object");
		rc = CADENCE_EINVALID;
	} else {
		int p = parse_into(cp, o, &why);
		if (p == -2) {
			rc = CADENCE_ENOMEM;
		} else if (p) {
			cad_strbuf_adds(&m, cad_strbuf_cstr(&why) ? why.buf : "");
			rc = CADENCE_EINVALID;
		}
	}
	cJSON_Delete(o);
	cad_strbuf_free(&why);
	if (rc) {
		cadence_checkpoint_free(cp);
		return cad_err_take(err, rc, &m);
	}
	*out = cp;
	cad_strbuf_free(&m);
	return 0;
}

int cadence_checkpoint_read_file(cadence_checkpoint **out, const char *path,
				 cadence_run_error *err)
{
	strbuf m = STRBUF_INIT, buf = STRBUF_INIT;
	*out = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	FILE *f = fopen(path, "rb");
	int e = 0;
	if (f) {
		char chunk[8192];
		size_t n;
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf.len <= MAX_CHECKPOINT)
			cad_strbuf_add(&buf, chunk, n);
		if (ferror(f))
			e = errno ? errno : EIO;
		fclose(f);
	} else {
		e = errno;
	}
	if (e) {
		cad_strbuf_free(&buf);
		return cad_err_sys(err, e, "cannot read the checkpoint '%s'", path);
	}
	if (buf.failed) {
		cad_strbuf_free(&buf);
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	}
	cadence_run_error why = CADENCE_RUN_ERROR_INIT;
	int rc = buf.len > MAX_CHECKPOINT ? CADENCE_EINVALID
		 : cadence_checkpoint_parse(out, buf.buf ? buf.buf : "", buf.len, &why);
	if (rc == CADENCE_EINVALID) {
		cad_strbuf_addf(&m, "'%s' is not a valid checkpoint: %s", path,
			    why.message ? why.message : "it is larger than a checkpoint can be");
		cad_err_take(err, rc, &m);
	} else if (rc) {
		cad_err_set(err, rc, "'%s': %s", path, why.message ? why.message : cadence_strerror(rc));
	}
	cadence_run_error_clear(&why);
	cad_strbuf_free(&m);
	cad_strbuf_free(&buf);
	return rc;
}

/* ---- the engine's side ------------------------------------------------------------ */

int cad_ckpt_begin(rrun *run, const cadence_checkpoint_opts *co)
{
	cadence_runner *r = run->r;
	run->resume = co ? co->resume : NULL;
	run->resume_at = 0;
	if (!co || !co->on_checkpoint)
		return 0;
	cadence_checkpoint *cp = calloc(1, sizeof(*cp));
	if (!cp)
		return CADENCE_ENOMEM;
	cp->borrowed = 1;
	run->ck = cp;
	run->on_ck = co->on_checkpoint;
	run->ck_ctx = co->ctx;
	if (r->root->path && !(cp->file = realpath(r->root->path, NULL)))
		cp->file = strdup(r->root->path);
	if (!(cp->cadence = strdup(r->root_plan->name)) || !(cp->run_id = strdup(run->run_id)) ||
	    (r->root->path && !cp->file))
		return CADENCE_ENOMEM;
	return collect_files(r->project, r->root, cp->file, &cp->files, &cp->nfiles);
}

void cad_ckpt_end(rrun *run)
{
	cadence_checkpoint_free(run->ck);
	run->ck = NULL;
}

/* The frames from fr up, fr's next measure `next`, with `dag` (or NULL)
 * in fr's frame, handed to the callback. */
static int save(rframe *fr, size_t next, const cJSON *dag, cadence_run_error *why)
{
	rrun *run = fr->run;
	cadence_checkpoint *cp = run->ck;
	size_t n = fr->depth + 1;
	size_t counts[CADENCE_MAX_CHILD_DEPTH];
	if (!cp || fr->in_task)
		return 0;	/* a dag task's child: the task is recorded */
	if (n > cp->capframes) {
		ckframe *f = cad_realloc_array(cp->frames, n, sizeof(*f));
		if (!f)
			return cad_err_set(why, CADENCE_ENOMEM, "out of memory");
		cp->frames = f;
		cp->capframes = n;
	}
	cp->nframes = n;
	for (rframe *a = fr; a; a = a->parent) {
		ckframe *f = &cp->frames[a->depth];
		f->cadence = (char *)a->plan->name;	/* borrowed */
		f->next = a == fr ? next : a->measure->index;
		f->dag = NULL;
		if (!(f->score = cad_score_obj(&a->score)))
			return cad_err_set(why, CADENCE_ENOMEM, "out of memory");
		counts[a->depth] = a->plan->nmeasures;
	}
	cp->complete = fr->depth == 0 && next == fr->plan->nmeasures;
	/* borrowed for the call alone: the caller frees it after */
	cp->frames[fr->depth].dag = (cJSON *)dag;
	free(cp->position);
	cp->position = describe(cp, counts, dag ? fr->measure->ntasks : 0);
	int rc = cp->position ? run->on_ck(run->ck_ctx, cp, why)
		 : cad_err_set(why, CADENCE_ENOMEM, "out of memory");
	cp->frames[fr->depth].dag = NULL;
	if (rc > 0)	/* a callback that broke the contract */
		return cad_err_set(why, CADENCE_EINVAL, "the checkpoint callback returned %d, not 0 "
				   "or a negative cadence_error", rc);
	if (rc < 0 && !why->message)
		return cad_err_set(why, rc, "%s", cadence_strerror(rc));
	return rc;
}

int cad_ckpt_after_measure(rframe *fr, size_t next, cadence_run_error *why)
{
	return save(fr, next, NULL, why);
}

int cad_ckpt_in_dag(rframe *fr, const cJSON *dag, cadence_run_error *why)
{
	return save(fr, fr->measure->index, dag, why);
}

/* A frame's dag record: of the dag measure it is at, naming its tasks. */
static int fit_dag(const rplan *p, const ckframe *fr, rfail *f)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fr->dag, "measure"));
	const rmeasure *ms = fr->next < p->nmeasures ? &p->measures[fr->next] : NULL;
	rfail g = RFAIL_INIT;
	if (!ms || ms->m->kind != CAD_M_DAG || strcmp(ms->m->name.name, name)) {
		cad_rfail_set(f, "the checkpoint is inside dag '%s' at measure %zu of '%s', which is "
			  "not that dag", name, fr->next + 1, p->name);
		return CADENCE_EINVALID;
	}
	int rc = cad_dag_record_tasks(ms, fr->dag, NULL, &g);
	if (rc)
		cad_rfail_set(f, "the checkpoint's record of dag '%s' does not fit it: %s", name,
			  cad_strbuf_cstr(&g.msg) ? g.msg.buf : "out of memory");
	cad_rfail_free(&g);
	return rc;
}

int cad_ckpt_fit(rrun *run, rfail *f)
{
	const cadence_checkpoint *cp = run->resume;
	const rplan *p = run->r->root_plan;
	if (strcmp(cp->frames[0].cadence, p->name)) {
		cad_rfail_set(f, "the checkpoint is of cadence '%s', not of '%s'", cp->frames[0].cadence,
			  p->name);
		return CADENCE_EINVALID;
	}
	for (size_t i = 0; i < cp->nframes; i++) {
		const ckframe *fr = &cp->frames[i];
		rscore s;
		rfail g = RFAIL_INIT;
		if (i) {
			const rmeasure *ms = cp->frames[i - 1].next < p->nmeasures
				? &p->measures[cp->frames[i - 1].next] : NULL;
			if (!ms || !ms->child || strcmp(ms->child->name, fr->cadence)) {
				cad_rfail_set(f, "the checkpoint is inside child cadence '%s' at measure %zu "
					  "of '%s', which does not run that child", fr->cadence,
					  cp->frames[i - 1].next + 1, p->name);
				return CADENCE_EINVALID;
			}
			p = ms->child;
		}
		if (fr->next > p->nmeasures || (i + 1 < cp->nframes && fr->next == p->nmeasures)) {
			cad_rfail_set(f, "the checkpoint's position in '%s' (measure %zu) is past its %zu "
				  "measures", p->name, fr->next + 1, p->nmeasures);
			return CADENCE_EINVALID;
		}
		int rc = cad_score_from_input(&s, p, fr->score, &g);
		cad_score_free(&s);
		if (rc) {
			cad_rfail_set(f, "the checkpoint's score of '%s' does not fit its declaration: %s",
				  p->name, cad_strbuf_cstr(&g.msg) ? g.msg.buf : "out of memory");
			cad_rfail_free(&g);
			return rc == CADENCE_ENOMEM ? rc : CADENCE_EINVALID;
		}
		cad_rfail_free(&g);
		if (fr->dag && (rc = fit_dag(p, fr, f)))
			return rc;
	}
	return 0;
}
