/* SPDX-License-Identifier: MIT */
/* A run's record in the run registry (record.h). */
/* realpath() */
#define _XOPEN_SOURCE 700

#include "record.h"

#include "cli.h"
#include "config.h"
#include "run.h"

#include <cjson/cJSON.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/json.h"
#include "util/sha256.h"
#include "util/strbuf.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *cli_record_status(int exit_code)
{
	switch (exit_code) {
	case CLI_EXIT_OK: return "ok";
	case CLI_EXIT_PROBLEMS: return "failed";
	case CLI_EXIT_STOPPED: return "stopped";
	case CLI_EXIT_INTERRUPTED: return "interrupted";
	case CLI_EXIT_INTERNAL: return "failed";
	default: return "error";	/* usage, mismatch: nothing ran */
	}
}

int cli_record_file_digest(const char *path, char out[65])
{
	strbuf b = STRBUF_INIT;
	char buf[8192];
	size_t n;
	struct stat sb;
	/* a regular file only: a FIFO's bytes were the run's, and reading it
	 * again would wait for a writer that is gone */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	FILE *f = fstat(fd, &sb) || !S_ISREG(sb.st_mode) ? NULL : fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cad_strbuf_add(&b, buf, n);
	int bad = ferror(f) || b.failed;
	fclose(f);
	if (!bad)
		cad_sha256_hex(b.buf ? b.buf : "", b.len, out);
	cad_strbuf_free(&b);
	return bad ? -1 : 0;
}

/* path made absolute (malloc'd): the file itself when it exists, else
 * the working directory before it; "-" and NULL as they are. */
static char *absolute(const char *path)
{
	if (!path || !strcmp(path, "-"))
		return path ? strdup(path) : NULL;
	char *real = realpath(path, NULL);
	if (real || path[0] == '/')
		return real ? real : strdup(path);
	char cwd[4096];
	strbuf b = STRBUF_INIT;
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	cad_strbuf_addf(&b, "%s/%s", cwd, path);
	return cad_strbuf_detach(&b);
}

static void warn(const char *why)
{
	cli_say(0, "warning", "cannot record this run in the run registry: %s; the run goes "
		"on unrecorded (--no-record, or 'registry: false' in cadence.project.yaml, "
		"turns recording off)", why);
}

/* Whether to record, and where: NULL state_dir when not (warned when it
 * should but cannot). */
static char *where(const cli_record_what *w)
{
	char *dir = NULL;
	if (w->off || !cli_config_registry_on(w->cfg))
		return NULL;
	const char *d = cli_config_state_dir(w->cfg);
	if (!d)
		warn("no state directory is known: set HOME, XDG_STATE_HOME or "
		     "CADENCE_STATE_DIR, or give --state-dir");
	else if (!(dir = strdup(d)))
		warn("out of memory");
	return dir;
}

void cli_record_begin(cli_record *rec, const cli_record_what *w)
{
	char *why = NULL, digest[65];
	char *dir = where(w);
	memset(rec, 0, sizeof(*rec));
	if (!dir)
		return;
	if (reg_open(dir, &rec->r, &why)) {
		warn(why ? why : "out of memory");
		free(why);
		free(dir);
		return;
	}
	free(dir);
	char *file = absolute(w->file), *events = absolute(w->events),
	     *trace = absolute(w->trace), *ckpt = absolute(w->checkpoint);
	reg_run_info in = { w->cadence, file, NULL, w->trigger, w->scheduled_for, now_ms(),
			    events, trace, ckpt };
	if (file && !cli_record_file_digest(file, digest))
		in.file_digest = digest;
	if (reg_run_begin(rec->r, &in, &rec->id)) {
		warn(reg_error(rec->r));
		reg_close(rec->r);
		rec->r = NULL;
	} else {
		rec->active = 1;
	}
	free(file);
	free(events);
	free(trace);
	free(ckpt);
}

void cli_record_end(cli_record *rec, int exit_code, const char *error, const cJSON *score)
{
	char digest[65];
	const char *d = NULL;
	if (rec->active && score) {
		char *text = cad_json_print(score, 0);
		if (text) {
			cad_sha256_hex(text, strlen(text), digest);
			d = digest;
		}
		free(text);
	}
	if (rec->active &&
	    reg_run_end(rec->r, rec->id, cli_record_status(exit_code),
			exit_code ? error : NULL, d, now_ms()))
		warn(reg_error(rec->r));
	rec->active = 0;
	reg_close(rec->r);
	rec->r = NULL;
}
