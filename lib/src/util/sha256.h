/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4): the checkpoint's fingerprint of the cadence files;
 * HMAC-SHA256 (RFC 2104): the signatures of webhooks (cli/serve/hook.c). */
#ifndef CADENCE_SRC_UTIL_SHA256_H
#define CADENCE_SRC_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* A digest computed in pieces: init, update..., final. */
typedef struct cad_sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes so far */
	unsigned char buf[64];	/* the block being filled */
} cad_sha256;

void cad_sha256_init(cad_sha256 *c);
void cad_sha256_update(cad_sha256 *c, const void *data, size_t len);
void cad_sha256_final(cad_sha256 *c, unsigned char out[32]);

/* The digest of data[0..len) as 64 lowercase hex digits and a NUL. */
void cad_sha256_hex(const void *data, size_t len, char out[65]);

/* HMAC-SHA256 of data[0..len) under key[0..klen), 32 bytes. */
void cad_hmac_sha256(const void *key, size_t klen, const void *data, size_t len,
		     unsigned char out[32]);

/* bytes[0..n) as 2n lowercase hex digits and a NUL. */
void cad_hex(const unsigned char *bytes, size_t n, char *out);

/* 1 when a[0..n) equals b[0..n), in a time that depends on n only: for
 * comparing secrets and signatures. */
int cad_equal_ct(const void *a, const void *b, size_t n);

#endif
