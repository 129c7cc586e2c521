/* SPDX-License-Identifier: MIT */
/* Sending traces to a collector over OTLP/HTTP (cadence/report.h,
 * docs/observability.md "Sending traces to a collector"): a bounded queue
 * of resourceSpans elements that the trace recorder fills as runs end, and
 * a thread that POSTs them in batches with libcurl, loaded at run time. */
#include "report/otlp_int.h"
#include "report/report_int.h"
#include "util/api.h"

/* the typecheck macros of curl.h would expand the table's members too */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* X(name): the libcurl functions the exporter calls */
#define OTLP_CURL_FUNCTIONS(X)                                                 \
	X(curl_easy_init)                                                      \
	X(curl_easy_setopt)                                                    \
	X(curl_easy_perform)                                                   \
	X(curl_easy_getinfo)                                                   \
	X(curl_easy_cleanup)                                                   \
	X(curl_easy_strerror)                                                  \
	X(curl_slist_append)                                                   \
	X(curl_slist_free_all)

/* the header's own prototypes give each pointer its type */
#define OTLP_CURL_FIELD(name) __typeof__(name) *name;
typedef struct curl_api {
	OTLP_CURL_FUNCTIONS(OTLP_CURL_FIELD)
} curl_api;
#undef OTLP_CURL_FIELD

enum {
	DEFAULT_TIMEOUT_MS = 10000,
	DEFAULT_QUEUE = 2048,
	DEFAULT_BATCH = 512,
	DEFAULT_DELAY_MS = 5000,
	MAX_RESPONSE = 1 << 16,	/* bytes of a response kept */
};

typedef struct item {
	char *json;
	size_t len, nspans;
	struct item *next;
} item;

struct cadence_otlp {
	curl_api curl;
	void *lib;
	CURL *easy;		/* the sender's */
	struct curl_slist *headers;
	char *url;
	int64_t timeout_ms, delay_ms;
	size_t max_queue, max_batch;

	pthread_mutex_t mu;
	pthread_cond_t cv;	/* a new item, or shutdown */
	item *head, *tail;
	size_t queued;		/* spans in the queue */
	int64_t first_ns;	/* when the oldest queued item came */
	int stopping;
	_Atomic int64_t deadline_ns;	/* shutdown's; 0: none */
	int started;
	pthread_t thread;
	cadence_otlp_stats stats;
	char *last_error;
	uint64_t rng;
	strbuf response;	/* the sender's */
	char retry_after[32];	/* the sender's: the last response's header */
};

/* ---- the pure parts ---------------------------------------------------------- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* s[0, len) percent-decoded, malloc'd; NULL with why on a bad escape */
static char *pct_decode(const char *s, size_t len, const char *what, strbuf *why)
{
	char *d = malloc(len + 1), *o = d;
	if (!d) {
		cad_strbuf_adds(why, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		int hi = i + 2 < len ? hexval(s[i + 1]) : -1, lo = i + 2 < len ? hexval(s[i + 2]) : -1;
		if (hi >= 0 && lo >= 0) {
			*o++ = (char)(hi * 16 + lo);
			i += 2;
			continue;
		}
		cad_strbuf_addf(why, "%s '%.*s' has a '%%' that is not followed by two hex digits "
				"(percent-encode '%%' as %%25)", what, (int)len, s);
		free(d);
		return NULL;
	}
	*o = '\0';
	return d;
}

/* an HTTP field name: RFC 9110's token */
static int is_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s)))
			return 0;
	return 1;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

void cad_otlp_kv_free(char **kv, size_t n)
{
	for (size_t i = 0; kv && i < 2 * n; i++)
		free(kv[i]);
	free(kv);
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* one member, s[0, e): key and value appended to kv */
static int parse_member(const char *s, const char *e, int header, char **kv, strbuf *why)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	if (!eq) {
		cad_strbuf_addf(why, "'%.*s' is not key=value", (int)(e - s), s);
		return -1;
	}
	const char *ke = eq, *vs = eq + 1;
	trim(&s, &ke);
	trim(&vs, &e);
	if (s == ke) {
		cad_strbuf_addf(why, "'%.*s' has no key before '='", (int)(e - s), s);
		return -1;
	}
	if (!(kv[0] = pct_decode(s, (size_t)(ke - s), "the key", why)) ||
	    !(kv[1] = pct_decode(vs, (size_t)(e - vs), "the value", why)))
		return -1;
	if (header && !is_token(kv[0])) {
		cad_strbuf_addf(why, "'%s' is not a header name (letters, digits and !#$%%&'*+-.^_`|~)",
				kv[0]);
		return -1;
	}
	if (header && has_control(kv[1])) {
		cad_strbuf_addf(why, "the value of header '%s' holds a control character", kv[0]);
		return -1;
	}
	return 0;
}

int cad_otlp_parse_kv(const char *text, int header, char ***out, size_t *n, strbuf *why)
{
	size_t cap = 1, k = 0;
	for (const char *p = text; *p; p++)
		cap += *p == ',';
	char **kv = calloc(2 * cap, sizeof(*kv));
	*out = NULL;
	*n = 0;
	if (!kv) {
		cad_strbuf_adds(why, "out of memory");
		return -1;
	}
	for (const char *s = text; s; ) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s), *ts = s, *te = e;
		trim(&ts, &te);
		if (ts < te && parse_member(ts, te, header, &kv[2 * k++], why)) {
			cad_otlp_kv_free(kv, k);
			return -1;
		}
		s = comma ? comma + 1 : NULL;
	}
	*out = kv;
	*n = k;
	return 0;
}

char *cad_otlp_traces_url(const char *traces_endpoint, const char *endpoint)
{
	if (traces_endpoint)
		return strdup(traces_endpoint);
	if (!endpoint)
		return NULL;
	size_t len = strlen(endpoint);
	int slash = len && endpoint[len - 1] == '/';
	char *url = malloc(len + sizeof("/v1/traces"));
	if (url)
		snprintf(url, len + sizeof("/v1/traces"), "%s%s", endpoint,
			 slash ? "v1/traces" : "/v1/traces");
	return url;
}

int cad_otlp_check_url(const char *url, strbuf *why)
{
	const char *rest = !strncmp(url, "http://", 7) ? url + 7
			   : !strncmp(url, "https://", 8) ? url + 8 : NULL;
	if (!rest) {
		cad_strbuf_addf(why, "'%s' is not an http:// or https:// URL "
				"(for example http://localhost:4318/v1/traces)", url);
		return -1;
	}
	if (!*rest || *rest == '/' || *rest == ':' || *rest == '?' || *rest == '#') {
		cad_strbuf_addf(why, "'%s' has no host (for example http://localhost:4318/v1/traces)",
				url);
		return -1;
	}
	if (has_control(url) || strchr(url, ' ')) {
		cad_strbuf_addf(why, "'%s' holds a space or a control character", url);
		return -1;
	}
	return 0;
}

static uint64_t next_rand(uint64_t *rng)
{
	uint64_t z = (*rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t cad_otlp_backoff_ms(unsigned attempt, int64_t retry_after_ms, uint64_t *rng)
{
	if (retry_after_ms >= 0)
		return retry_after_ms < CAD_OTLP_MAX_BACKOFF_MS ? retry_after_ms
								: CAD_OTLP_MAX_BACKOFF_MS;
	int64_t base = 1000;
	for (unsigned i = 1; i < attempt && base < CAD_OTLP_MAX_BACKOFF_MS; i++)
		base *= 2;
	if (base > CAD_OTLP_MAX_BACKOFF_MS)
		base = CAD_OTLP_MAX_BACKOFF_MS;
	/* full jitter would retry at once now and then; half keeps a floor */
	return base / 2 + (int64_t)(next_rand(rng) % (uint64_t)(base / 2));
}

int64_t cad_otlp_retry_after(const char *value, size_t len)
{
	while (len && (*value == ' ' || *value == '\t'))
		value++, len--;
	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\r' ||
		       value[len - 1] == '\n'))
		len--;
	if (!len || len > 9)
		return -1;
	int64_t s = 0;
	for (size_t i = 0; i < len; i++) {
		if (value[i] < '0' || value[i] > '9')
			return -1;
		s = s * 10 + (value[i] - '0');
	}
	return s * 1000;
}

int cad_otlp_retryable(long status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

/* ---- the environment --------------------------------------------------------- */

extern char **environ;

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (char *const *e = envp ? envp : environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return (*e)[n + 1] ? *e + n + 1 : NULL;	/* empty: unset */
	return NULL;
}

/* a count or milliseconds: digits, at most `max` */
static int env_number(char *const *envp, const char *name, int64_t min, int64_t max,
		      int64_t *out, cadence_run_error *err)
{
	const char *v = env_get(envp, name);
	if (!v)
		return 0;
	int64_t n = 0;
	const char *p = v;
	for (; *p >= '0' && *p <= '9' && n <= max; p++)
		n = n * 10 + (*p - '0');
	if (*p || p == v || n < min || n > max)
		return cad_err_set(err, CADENCE_EINVAL, "%s: '%s' is not a whole number from %lld "
				   "to %lld%s", name, v, (long long)min, (long long)max,
				   strstr(name, "TIMEOUT") || strstr(name, "DELAY")
				   ? " (milliseconds, without a unit)" : "");
	*out = n;
	return 0;
}

static int env_url(char *const *envp, const char *name, const char **out, cadence_run_error *err)
{
	const char *v = env_get(envp, name);
	strbuf why = STRBUF_INIT;
	if (!v)
		return 0;
	if (cad_otlp_check_url(v, &why)) {
		cad_strbuf_cstr(&why);
		int rc = cad_err_set(err, CADENCE_EINVAL, "%s: %s", name, why.buf ? why.buf : "");
		cad_strbuf_free(&why);
		return rc;
	}
	*out = v;
	return 0;
}

static int env_headers(char *const *envp, const char *name, const char **out,
		       cadence_run_error *err)
{
	const char *v = env_get(envp, name);
	char **kv;
	size_t n;
	strbuf why = STRBUF_INIT;
	if (!v)
		return 0;
	if (cad_otlp_parse_kv(v, 1, &kv, &n, &why)) {
		cad_strbuf_cstr(&why);
		int rc = cad_err_set(err, CADENCE_EINVAL, "%s: %s (the form is name=value,name2="
				     "value2, values percent-encoded)", name, why.buf ? why.buf : "");
		cad_strbuf_free(&why);
		return rc;
	}
	cad_otlp_kv_free(kv, n);
	*out = v;
	return 0;
}

int cadence_otlp_opts_from_env(cadence_otlp_opts *opts, char *const *envp, cadence_run_error *err)
{
	if (!opts || !CAD_VERSION_OK(opts, CADENCE_OTLP_OPTS_VERSION) || !CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	int64_t queue = (int64_t)opts->max_queue, batch = (int64_t)opts->max_batch;
	int rc;
	if ((rc = env_url(envp, "OTEL_EXPORTER_OTLP_ENDPOINT", &opts->endpoint, err)) ||
	    (rc = env_url(envp, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &opts->traces_endpoint, err)) ||
	    (rc = env_headers(envp, "OTEL_EXPORTER_OTLP_HEADERS", &opts->headers, err)) ||
	    (rc = env_headers(envp, "OTEL_EXPORTER_OTLP_TRACES_HEADERS", &opts->headers, err)) ||
	    (rc = env_number(envp, "OTEL_EXPORTER_OTLP_TIMEOUT", 1, 3600000, &opts->timeout_ms, err)) ||
	    (rc = env_number(envp, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", 1, 3600000, &opts->timeout_ms,
			     err)) ||
	    (rc = env_number(envp, "OTEL_BSP_MAX_QUEUE_SIZE", 1, 1 << 24, &queue, err)) ||
	    (rc = env_number(envp, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1, 1 << 24, &batch, err)) ||
	    (rc = env_number(envp, "OTEL_BSP_SCHEDULE_DELAY", 1, 3600000, &opts->delay_ms, err)))
		return rc;
	opts->max_queue = (size_t)queue;
	opts->max_batch = (size_t)batch;
	const char *v;
	if ((v = env_get(envp, "OTEL_SERVICE_NAME")))
		opts->service_name = v;
	if ((v = env_get(envp, "OTEL_RESOURCE_ATTRIBUTES")))
		opts->resource_attributes = v;
	return 0;
}

/* ---- libcurl ----------------------------------------------------------------- */

static int load_curl(cadence_otlp *x, const char *name, cadence_run_error *err)
{
	const char *missing = NULL;
	/* RTLD_NODELETE: libcurl and OpenSSL under it are not made to be
	 * unloaded (their exit handlers would outlive them) */
	const int flags = RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE;
	x->lib = dlopen(name ? name : "libcurl.so.4", flags);
	if (!x->lib && !name)
		x->lib = dlopen("libcurl-gnutls.so.4", flags);
	if (!x->lib)
		return cad_err_set(err, CADENCE_ENOTSUP,
				   "cannot load libcurl, which sending traces to a collector needs: "
				   "%s (on Debian: apt-get install libcurl4)", dlerror());
	/* a function pointer from dlsym's void * goes through memcpy: ISO C
	 * has no conversion between the two */
#define OTLP_CURL_SYM(fn)                                                      \
	{                                                                      \
		void *p = dlsym(x->lib, #fn);                                  \
		if (!p && !missing)                                            \
			missing = #fn;                                         \
		memcpy(&x->curl.fn, &p, sizeof(p));                            \
	}
	OTLP_CURL_FUNCTIONS(OTLP_CURL_SYM)
#undef OTLP_CURL_SYM
	if (missing)
		return cad_err_set(err, CADENCE_ENOTSUP, "%s is not libcurl: it has no %s",
				   name ? name : "libcurl.so.4", missing);
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* shutdown's deadline has passed */
static int past_deadline(cadence_otlp *x)
{
	int64_t d = atomic_load(&x->deadline_ns);
	return d && mono_ns() >= d;
}

static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	return past_deadline(ctx);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	cadence_otlp *x = ctx;
	if (x->response.len < MAX_RESPONSE)
		cad_strbuf_add(&x->response, p, n < MAX_RESPONSE ? n : MAX_RESPONSE);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	cadence_otlp *x = ctx;
	static const char name[] = "retry-after:";
	if (n > sizeof(name) - 1 && !strncasecmp(p, name, sizeof(name) - 1))
		snprintf(x->retry_after, sizeof(x->retry_after), "%.*s",
			 (int)(n - (sizeof(name) - 1)), p + sizeof(name) - 1);
	return size * n;
}

static int setup_curl(cadence_otlp *x, const char *headers, cadence_run_error *err)
{
	char **kv = NULL;
	size_t n = 0;
	strbuf why = STRBUF_INIT, line = STRBUF_INIT;
	if (headers && cad_otlp_parse_kv(headers, 1, &kv, &n, &why)) {
		cad_strbuf_cstr(&why);
		int rc = cad_err_set(err, CADENCE_EINVAL, "the headers: %s", why.buf ? why.buf : "");
		cad_strbuf_free(&why);
		return rc;
	}
	/* no "Expect: 100-continue": a body over 1 KB would wait for it */
	const char *fixed[] = { "Content-Type: application/json", "Expect:" };
	int bad = 0;
	for (size_t i = 0; i < 2 + n && !bad; i++) {
		struct curl_slist *l;
		cad_strbuf_reset(&line);
		if (i < 2)
			cad_strbuf_adds(&line, fixed[i]);
		else
			cad_strbuf_addf(&line, "%s: %s", kv[2 * (i - 2)], kv[2 * (i - 2) + 1]);
		if (!cad_strbuf_cstr(&line) || !(l = x->curl.curl_slist_append(x->headers, line.buf)))
			bad = 1;
		else
			x->headers = l;
	}
	cad_strbuf_free(&line);
	cad_otlp_kv_free(kv, n);
	if (bad || !(x->easy = x->curl.curl_easy_init()))
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	CURL *e = x->easy;
	curl_api *c = &x->curl;
	/* no signals: the exporter's thread is not the process's */
	c->curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	c->curl_easy_setopt(e, CURLOPT_URL, x->url);
	c->curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	c->curl_easy_setopt(e, CURLOPT_USERAGENT, "cadence/" CADENCE_VERSION_STRING);
	c->curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	c->curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	c->curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	c->curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
	c->curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	c->curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	c->curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	c->curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	return 0;
}

/* ---- the sender -------------------------------------------------------------- */

static void set_error(cadence_otlp *x, const char *fmt, ...) CADENCE_PRINTF(2, 3);
static void set_error(cadence_otlp *x, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	char *s = cad_strbuf_detach(&sb);
	pthread_mutex_lock(&x->mu);
	if (s) {
		free(x->last_error);
		x->last_error = s;
	}
	pthread_mutex_unlock(&x->mu);
}

/* The collector's reason: the "message" of its google.rpc.Status, or the
 * start of the body. */
static void response_reason(cadence_otlp *x, strbuf *sb)
{
	const char *body = cad_strbuf_cstr(&x->response);
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (cJSON_IsString(m))
		cad_strbuf_addf(sb, ": %.200s", m->valuestring);
	else if (body && *body)
		cad_strbuf_addf(sb, ": %.200s", body);
	cJSON_Delete(j);
}

/* A 2xx's partialSuccess: the spans the collector refused (it says so
 * only when some were; they are not to be sent again). */
static uint64_t rejected(cadence_otlp *x)
{
	const char *body = cad_strbuf_cstr(&x->response);
	if (!body || !strstr(body, "rejectedSpans"))
		return 0;
	cJSON *j = cJSON_Parse(body);
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(j, "partialSuccess");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(ps, "rejectedSpans");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(ps, "errorMessage");
	/* an int64: a string in OTLP/JSON, a number from some */
	uint64_t r = cJSON_IsString(n) ? strtoull(n->valuestring, NULL, 10)
		     : cJSON_IsNumber(n) && n->valuedouble > 0 ? (uint64_t)n->valuedouble : 0;
	if (r)
		set_error(x, "the collector refused %llu spans%s%.200s", (unsigned long long)r,
			  cJSON_IsString(m) ? ": " : "", cJSON_IsString(m) ? m->valuestring : "");
	cJSON_Delete(j);
	return r;
}

enum { SENT, RETRY, GIVE_UP };

/* One POST of body; *retry_after_ms from the response (-1: none). */
static int post(cadence_otlp *x, const char *body, size_t len, uint64_t nspans,
		int64_t *retry_after_ms)
{
	curl_api *c = &x->curl;
	int64_t timeout = x->timeout_ms, d = atomic_load(&x->deadline_ns);
	int capped = 0;	/* curl's own timeout is shutdown's deadline */
	if (d) {
		/* rounded up: curl's timer must not fire before the deadline */
		int64_t left = (d - mono_ns() + 999999) / 1000000;
		if (left < timeout)
			timeout = left > 1 ? left : 1, capped = 1;
	}
	cad_strbuf_reset(&x->response);
	x->retry_after[0] = '\0';
	*retry_after_ms = -1;
	c->curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, body);
	c->curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	c->curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)timeout);
	c->curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout);
	CURLcode rc = c->curl_easy_perform(x->easy);
	long status = 0;
	if (rc == CURLE_OK)
		c->curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	pthread_mutex_lock(&x->mu);
	x->stats.requests++;
	if (rc != CURLE_OK || status < 200 || status > 299)
		x->stats.requests_failed++;
	pthread_mutex_unlock(&x->mu);
	if (rc != CURLE_OK) {
		if (rc == CURLE_ABORTED_BY_CALLBACK || past_deadline(x) ||
		    (capped && rc == CURLE_OPERATION_TIMEDOUT)) {
			set_error(x, "no answer before the flush time ended");
			return GIVE_UP;
		}
		set_error(x, "%s", c->curl_easy_strerror(rc));
		/* a URL or certificate that is wrong stays wrong */
		return rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ||
		       rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE
		       ? GIVE_UP : RETRY;
	}
	if (status >= 200 && status <= 299) {
		uint64_t r = rejected(x);
		pthread_mutex_lock(&x->mu);
		r = r < nspans ? r : nspans;
		x->stats.spans_sent += nspans - r;
		x->stats.spans_dropped += r;
		pthread_mutex_unlock(&x->mu);
		return SENT;
	}
	strbuf why = STRBUF_INIT;
	cad_strbuf_addf(&why, "HTTP %ld", status);
	response_reason(x, &why);
	set_error(x, "%s", cad_strbuf_cstr(&why) ? why.buf : "out of memory");
	cad_strbuf_free(&why);
	if (!cad_otlp_retryable(status))
		return GIVE_UP;
	*retry_after_ms = cad_otlp_retry_after(x->retry_after, strlen(x->retry_after));
	return RETRY;
}

/* Waits on the queue's condition until `until_ns` (monotonic) or a
 * wake-up; called with mu held. */
static void wait_until(cadence_otlp *x, int64_t until_ns)
{
	struct timespec ts = { (time_t)(until_ns / 1000000000), (long)(until_ns % 1000000000) };
	pthread_cond_timedwait(&x->cv, &x->mu, &ts);
}

/* Sends body (nspans spans) until it is sent, given up, or shutdown's
 * deadline passes; counts what is not sent as dropped. */
static void send_batch(cadence_otlp *x, const char *body, size_t len, size_t nspans)
{
	for (unsigned attempt = 1;; attempt++) {
		int64_t after;
		int r = post(x, body, len, nspans, &after);
		if (r == SENT)
			return;
		if (r == GIVE_UP || attempt >= CAD_OTLP_MAX_ATTEMPTS || past_deadline(x))
			break;
		int64_t until = mono_ns() + cad_otlp_backoff_ms(attempt, after, &x->rng) * 1000000;
		/* until then, or shutdown's deadline (which a shutdown meanwhile
		 * sets, waking the wait) */
		pthread_mutex_lock(&x->mu);
		for (;;) {
			int64_t d = atomic_load(&x->deadline_ns), u = d && d < until ? d : until;
			if (mono_ns() >= u)
				break;
			wait_until(x, u);
		}
		pthread_mutex_unlock(&x->mu);
		if (past_deadline(x))
			break;
	}
	pthread_mutex_lock(&x->mu);
	x->stats.spans_dropped += nspans;
	pthread_mutex_unlock(&x->mu);
}

/* The next request's items, up to max_batch spans, taken off the queue
 * into body; 0 when the sender is to stop.  Called with mu held. */
static size_t next_batch(cadence_otlp *x, strbuf *body)
{
	for (;;) {
		if (x->head && (x->stopping || x->queued >= x->max_batch ||
				mono_ns() >= x->first_ns + x->delay_ms * 1000000))
			break;
		if (x->stopping && !x->head)
			return 0;
		if (x->head)
			wait_until(x, x->first_ns + x->delay_ms * 1000000);
		else
			pthread_cond_wait(&x->cv, &x->mu);
	}
	size_t n = 0;
	cad_strbuf_adds(body, "{\"resourceSpans\":[");
	while (x->head && (!n || n + x->head->nspans <= x->max_batch)) {
		item *it = x->head;
		if (n)
			cad_strbuf_addc(body, ',');
		cad_strbuf_add(body, it->json, it->len);
		n += it->nspans;
		x->queued -= it->nspans;
		if (!(x->head = it->next))
			x->tail = NULL;
		free(it->json);
		free(it);
	}
	/* what is left came after first_ns: it has waited as long, at most */
	cad_strbuf_adds(body, "]}");
	return n;
}

/* drops what is queued, counted; called with mu held */
static void drop_queue(cadence_otlp *x)
{
	for (item *it = x->head, *next; it; it = next) {
		next = it->next;
		x->stats.spans_dropped += it->nspans;
		free(it->json);
		free(it);
	}
	if (x->queued && !x->last_error)
		x->last_error = strdup("the exporter's flush time ended before they were sent");
	x->head = x->tail = NULL;
	x->queued = 0;
}

static void *sender(void *ctx)
{
	cadence_otlp *x = ctx;
	strbuf body = STRBUF_INIT;
	pthread_mutex_lock(&x->mu);
	for (;;) {
		cad_strbuf_reset(&body);
		size_t n = next_batch(x, &body);
		if (!n)
			break;
		pthread_mutex_unlock(&x->mu);
		if (!cad_strbuf_cstr(&body)) {
			set_error(x, "out of memory");
			pthread_mutex_lock(&x->mu);
			x->stats.spans_dropped += n;
			continue;
		}
		if (past_deadline(x)) {
			pthread_mutex_lock(&x->mu);
			x->stats.spans_dropped += n;
		} else {
			send_batch(x, body.buf, body.len, n);
			pthread_mutex_lock(&x->mu);
		}
		if (past_deadline(x))
			drop_queue(x);
	}
	drop_queue(x);
	pthread_mutex_unlock(&x->mu);
	cad_strbuf_free(&body);
	return NULL;
}

/* ---- the exporter ------------------------------------------------------------- */

static const size_t opts_sizes[] = { 0, sizeof(cadence_otlp_opts) };

static int check_sizes(const cadence_otlp_opts *o, cadence_run_error *err)
{
	if (o->max_batch > o->max_queue)
		return cad_err_set(err, CADENCE_EINVAL, "the batch size (%zu spans, "
				   "OTEL_BSP_MAX_EXPORT_BATCH_SIZE) is larger than the queue (%zu, "
				   "OTEL_BSP_MAX_QUEUE_SIZE)", o->max_batch, o->max_queue);
	if (o->timeout_ms < 0 || o->delay_ms < 0)
		return cad_err_set(err, CADENCE_EINVAL, "a negative timeout or delay");
	return 0;
}

static int start(cadence_otlp *x, cadence_run_error *err)
{
	/* the thread takes no signal: they are the program's (cadence run's
	 * SIGALRM must interrupt its own thread's waits) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int e = pthread_create(&x->thread, NULL, sender, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		return cad_err_sys(err, e, "cannot start the exporter's thread");
	x->started = 1;
	return 0;
}

int cadence_otlp_new(cadence_otlp **out, const cadence_otlp_opts *opts, cadence_run_error *err)
{
	cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
	strbuf why = STRBUF_INIT;
	int rc;
	*out = NULL;
	if (!CAD_VERSION_OK(opts, CADENCE_OTLP_OPTS_VERSION) || !CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (opts)
		CAD_COPY_IN(&o, opts, opts_sizes);
	o.timeout_ms = o.timeout_ms ? o.timeout_ms : DEFAULT_TIMEOUT_MS;
	o.max_queue = o.max_queue ? o.max_queue : DEFAULT_QUEUE;
	o.max_batch = o.max_batch ? o.max_batch : DEFAULT_BATCH < o.max_queue ? DEFAULT_BATCH
									  : o.max_queue;
	o.delay_ms = o.delay_ms ? o.delay_ms : DEFAULT_DELAY_MS;
	if (!o.traces_endpoint && !o.endpoint)
		return cad_err_set(err, CADENCE_EINVAL, "no endpoint to send traces to");
	if ((rc = check_sizes(&o, err)))
		return rc;
	cadence_otlp *x = calloc(1, sizeof(*x));
	if (!x || !(x->url = cad_otlp_traces_url(o.traces_endpoint, o.endpoint))) {
		free(x);
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&x->mu, NULL);
	x->timeout_ms = o.timeout_ms;
	x->delay_ms = o.delay_ms;
	x->max_queue = o.max_queue;
	x->max_batch = o.max_batch;
	x->stats.version = CADENCE_OTLP_STATS_VERSION;
	x->rng = (uint64_t)mono_ns() ^ (uint64_t)(uintptr_t)x;
	if (cad_otlp_check_url(x->url, &why)) {
		cad_strbuf_cstr(&why);
		rc = cad_err_set(err, CADENCE_EINVAL, "%s", why.buf ? why.buf : "");
	} else if (!(rc = load_curl(x, o.libcurl, err)) && !(rc = setup_curl(x, o.headers, err))) {
		rc = start(x, err);
	}
	cad_strbuf_free(&why);
	if (rc) {
		cadence_otlp_free(x);
		return rc;
	}
	*out = x;
	return 0;
}

const char *cadence_otlp_url(const cadence_otlp *x)
{
	return x->url;
}

size_t cad_otlp_max_batch(const cadence_otlp *x)
{
	return x->max_batch;
}

void cad_otlp_queue(cadence_otlp *x, char *json, size_t len, size_t nspans)
{
	item *it = malloc(sizeof(*it));
	pthread_mutex_lock(&x->mu);
	if (!it || !json || x->stopping || x->queued + nspans > x->max_queue) {
		x->stats.spans_dropped += nspans;
		const char *why = !it || !json ? "out of memory" : x->stopping ? "the exporter was shut down"
			: "the queue was full (OTEL_BSP_MAX_QUEUE_SIZE)";
		char *s = strdup(why);
		if (s) {
			free(x->last_error);
			x->last_error = s;
		}
		pthread_mutex_unlock(&x->mu);
		free(json);
		free(it);
		return;
	}
	*it = (item){ json, len, nspans, NULL };
	if (x->tail)
		x->tail->next = it;
	else
		x->head = it, x->first_ns = mono_ns();
	x->tail = it;
	x->queued += nspans;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
}

int cadence_otlp_shutdown(cadence_otlp *x, int64_t timeout_ms)
{
	if (!x->started)	/* shut down already */
		return cadence_otlp_status(x, NULL, NULL);
	pthread_mutex_lock(&x->mu);
	if (!x->stopping) {
		/* the deadline first: the sender sees it as it wakes */
		int64_t d = mono_ns() + (timeout_ms > 0 ? timeout_ms : 0) * 1000000;
		atomic_store(&x->deadline_ns, d ? d : 1);
		x->stopping = 1;
		pthread_cond_broadcast(&x->cv);
	}
	pthread_mutex_unlock(&x->mu);
	pthread_join(x->thread, NULL);
	x->started = 0;
	return cadence_otlp_status(x, NULL, NULL);
}

static const size_t stats_sizes[] = { 0, sizeof(cadence_otlp_stats) };

int cadence_otlp_status(cadence_otlp *x, cadence_otlp_stats *stats, cadence_run_error *err)
{
	if (!CAD_VERSION_OK(stats, CADENCE_OTLP_STATS_VERSION) || !CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	pthread_mutex_lock(&x->mu);
	cadence_otlp_stats st = x->stats;
	int rc = 0;
	if (stats)
		CAD_COPY_OUT(stats, &st, stats_sizes);
	if (st.spans_dropped)
		rc = cad_err_set(err, CADENCE_EIO, "%s", x->last_error ? x->last_error
				 : "spans were dropped");
	pthread_mutex_unlock(&x->mu);
	return rc;
}

void cadence_otlp_free(cadence_otlp *x)
{
	if (!x)
		return;
	if (x->started)
		cadence_otlp_shutdown(x, 0);
	if (x->easy)
		x->curl.curl_easy_cleanup(x->easy);
	if (x->headers)
		x->curl.curl_slist_free_all(x->headers);
	if (x->lib)
		dlclose(x->lib);
	pthread_cond_destroy(&x->cv);
	pthread_mutex_destroy(&x->mu);
	free(x->url);
	free(x->last_error);
	cad_strbuf_free(&x->response);
	free(x);
}
