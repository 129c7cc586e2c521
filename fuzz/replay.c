/* SPDX-License-Identifier: MIT */
/*
 * A main for the fuzz targets when they are not built with libFuzzer: runs
 * LLVMFuzzerTestOneInput() on every file named, and on every file in each
 * directory named (not recursively).  Used by the regression tests (ctest
 * fuzz/NAME), so that fuzz/regressions/ is replayed by every build, with gcc
 * as with clang.  Exit status 0, or 1 when a file cannot be read; a finding
 * aborts.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	unsigned char *buf = malloc(cap);
	FUZZ_ASSERT(buf != NULL);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			FUZZ_ASSERT(buf != NULL);
		}
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		free(buf);
		return -1;
	}
	/* the input is exactly the file's bytes, in a buffer of that size, so
	 * that ASan sees a read past the end as libFuzzer would */
	unsigned char *exact = malloc(len ? len : 1);
	FUZZ_ASSERT(exact != NULL);
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	unsigned files = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st)) {
			fprintf(stderr, "replay: '%s': %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			status |= run_file(argv[i]) != 0;
			files++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: cannot list '%s': %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			size_t n = strlen(argv[i]) + strlen(de->d_name) + 2;
			char *path = malloc(n);
			FUZZ_ASSERT(path != NULL);
			snprintf(path, n, "%s/%s", argv[i], de->d_name);
			if (!stat(path, &st) && S_ISREG(st.st_mode)) {
				status |= run_file(path) != 0;
				files++;
			}
			free(path);
		}
		closedir(d);
	}
	printf("replay: %u file(s)\n", files);
	return status;
}
