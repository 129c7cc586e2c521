/* SPDX-License-Identifier: MIT */
/* What the kernel reads of a script before running it. */
#ifndef CADENCE_SRC_UTIL_SHEBANG_H
#define CADENCE_SRC_UTIL_SHEBANG_H

/* Does the regular file at `path` start with a "#!" line that ends in CR LF
 * (a script saved with Windows line endings)?  The kernel then looks for
 * an interpreter whose name ends in a carriage return, "/bin/sh\r", and
 * starting the script fails with ENOENT as if the script were missing.
 * 0 when it does not, or cannot be read. */
int cad_shebang_crlf(const char *path);

#endif
