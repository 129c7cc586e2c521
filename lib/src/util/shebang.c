/* SPDX-License-Identifier: MIT */
#include "util/shebang.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Linux reads this much of a script for its "#!" line (BINPRM_BUF_SIZE). */
#define SHEBANG_MAX 256

int cad_shebang_crlf(const char *path)
{
	char buf[SHEBANG_MAX];
	struct stat st;
	/* O_NONBLOCK: a FIFO swapped in after the caller's stat must not block */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	ssize_t n = 0;

	if (fd < 0)
		return 0;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return 0;
	const char *nl = memchr(buf, '\n', (size_t)n);
	return nl && nl[-1] == '\r';
}
