/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4): the checkpoint's fingerprint of the cadence files. */
#ifndef CADENCE_SRC_UTIL_SHA256_H
#define CADENCE_SRC_UTIL_SHA256_H

#include <stddef.h>

/* The digest of data[0..len) as 64 lowercase hex digits and a NUL. */
void cad_sha256_hex(const void *data, size_t len, char out[65]);

#endif
