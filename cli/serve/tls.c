/* SPDX-License-Identifier: MIT */
/* `cadence serve`: TLS (docs/serve.md, "TLS").  libmicrohttpd speaks it
 * through GnuTLS when built with it (MHD_FEATURE_TLS); the certificate
 * chain and the key are PEM files, read once at start and given to it in
 * memory.  What can be told before the daemon starts is told here, each
 * with the file at fault: unreadable, empty, too large, not PEM, not the
 * kind expected; a key that does not match the certificate is found by
 * GnuTLS when the daemon starts (cmd_serve.c says so then). */
#include "serve.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* PEM files are small: a chain of a few certificates */
#define SERVE_TLS_MAX (1 << 20)

static char *why_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *why_printf(const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return cad_strbuf_detach(&sb);
}

/* The file whole, NUL-terminated (malloc'd), or NULL with *why. */
static char *read_pem(const char *what, const char *path, const char *const kinds[],
		      char **why)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		*why = why_printf("cannot read the TLS %s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t got;
	while (sb.len <= SERVE_TLS_MAX && (got = fread(buf, 1, sizeof(buf), f)) > 0)
		cad_strbuf_add(&sb, buf, got);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	char *text = NULL;
	if (err)
		*why = why_printf("cannot read the TLS %s '%s': %s", what, path, strerror(err));
	else if (sb.len > SERVE_TLS_MAX)
		*why = why_printf("the TLS %s '%s' is larger than 1 MiB: not a PEM file", what,
				  path);
	else if (!(text = cad_strbuf_detach(&sb)))
		*why = why_printf("out of memory");
	cad_strbuf_free(&sb);
	if (!text)
		return NULL;
	for (size_t i = 0; kinds[i]; i++)
		if (strstr(text, kinds[i]))
			return text;
	*why = why_printf("the TLS %s '%s' is not a PEM %s (no '%s' line); give the %s in PEM "
			  "form ('openssl %s -in FILE -outform PEM' converts a DER one)", what,
			  path, what, kinds[0], what, strcmp(what, "key") ? "x509" : "pkey");
	free(text);
	return NULL;
}

int serve_tls_load(serve_tls *t, const char *cert_path, const char *key_path, char **why)
{
	static const char *const certs[] = { "-----BEGIN CERTIFICATE-----", NULL };
	static const char *const keys[] = { "-----BEGIN PRIVATE KEY-----",
					    "-----BEGIN RSA PRIVATE KEY-----",
					    "-----BEGIN EC PRIVATE KEY-----",
					    /* refused below, saying why */
					    "-----BEGIN ENCRYPTED PRIVATE KEY-----", NULL };
	memset(t, 0, sizeof(*t));
	*why = NULL;
	if (!cert_path && !key_path)
		return 0;
	if (!cert_path || !key_path) {
		*why = why_printf("TLS needs both a certificate and its key: --tls-cert FILE and "
				  "--tls-key FILE (serve.tls_cert, serve.tls_key); only the %s "
				  "was given", cert_path ? "certificate" : "key");
		return -1;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		*why = why_printf("this libmicrohttpd was built without TLS (GnuTLS): serve cannot "
				  "use --tls-cert; put a TLS reverse proxy in front, or install a "
				  "libmicrohttpd with TLS");
		return -1;
	}
	if (!(t->cert = read_pem("certificate", cert_path, certs, why)) ||
	    !(t->key = read_pem("key", key_path, keys, why))) {
		serve_tls_free(t);
		return -1;
	}
	if (strstr(t->key, "ENCRYPTED")) {
		*why = why_printf("the TLS key '%s' is encrypted: serve takes a key without a "
				  "passphrase (openssl pkey -in KEY -out PLAIN; keep it mode 600)",
				  key_path);
		serve_tls_free(t);
		return -1;
	}
	t->on = 1;
	return 0;
}

void serve_tls_free(serve_tls *t)
{
	/* the key: not left in freed memory */
	if (t->key)
		memset(t->key, 0, strlen(t->key));
	free(t->key);
	free(t->cert);
	t->key = t->cert = NULL;
	t->on = 0;
}
