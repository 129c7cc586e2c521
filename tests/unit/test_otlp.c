/* SPDX-License-Identifier: MIT */
/* The OTLP/HTTP exporter's pure parts (report/otlp_int.h): the k=v lists
 * of OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES, the traces
 * URL, the backoff, Retry-After; the options from an environment; and the
 * exporter's refusals, its bounded queue and shutdown against a port that
 * nothing listens on (the HTTP exchanges are tests/cli/otlp_export.sh's). */
#include <cadence/report.h>

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "report/otlp_int.h"
#include "util/strbuf.h"

static char **kv;
static size_t nkv;

static const char *parse_ok(const char *text, int header)
{
	strbuf why = STRBUF_INIT;
	int rc = cad_otlp_parse_kv(text, header, &kv, &nkv, &why);
	cr_assert_eq(rc, 0, "%s: %s", text, cad_strbuf_cstr(&why));
	cad_strbuf_free(&why);
	return "";
}

/* the reason, in a static buffer */
static const char *parse_bad(const char *text, int header)
{
	static char msg[512];
	strbuf why = STRBUF_INIT;
	char **out = (char **)1;
	size_t n = 7;
	cr_assert_eq(cad_otlp_parse_kv(text, header, &out, &n, &why), -1, "%s parsed", text);
	cr_assert_null(out);
	cr_assert_eq(n, 0);
	snprintf(msg, sizeof(msg), "%s", cad_strbuf_cstr(&why));
	cad_strbuf_free(&why);
	return msg;
}

Test(otlp_kv, members_trimmed_decoded_empty_ones_skipped)
{
	parse_ok(" a = 1 ,, b=x%2Cy%3Dz ,c=,%41%42=%e2%82%ac ", 0);
	cr_assert_eq(nkv, 4);
	const char *want[] = { "a", "1", "b", "x,y=z", "c", "", "AB", "\xe2\x82\xac" };
	for (size_t i = 0; i < 8; i++)
		cr_assert_str_eq(kv[i], want[i]);
	cad_otlp_kv_free(kv, nkv);
	parse_ok("", 1);
	cr_assert_eq(nkv, 0);
	cad_otlp_kv_free(kv, nkv);
	parse_ok("authorization=Bearer%20t=k", 1);	/* '=' in a value: the first splits */
	cr_assert_str_eq(kv[1], "Bearer t=k");
	cad_otlp_kv_free(kv, nkv);
}

Test(otlp_kv, what_does_not_parse_says_why)
{
	cr_assert(strstr(parse_bad("a=1,token", 0), "'token' is not key=value"));
	cr_assert(strstr(parse_bad("=1", 0), "has no key before '='"));
	cr_assert(strstr(parse_bad("a=%4", 0), "the value '%4' has a '%' that is not followed by "
				   "two hex digits"));
	cr_assert(strstr(parse_bad("a%zz=1", 0), "the key 'a%zz'"));
	cr_assert(strstr(parse_bad("bad name=1", 1), "'bad name' is not a header name"));
	cr_assert(strstr(parse_bad("x=a%0Db", 1), "the value of header 'x' holds a control "
				   "character"));
	/* a resource attribute's key is any text */
	parse_ok("a b=%0A", 0);
	cad_otlp_kv_free(kv, nkv);
}

Test(otlp_url, traces_endpoint_as_is_else_endpoint_with_the_path)
{
	struct { const char *traces, *base, *want; } cases[] = {
		{ "http://c:4318", "http://x", "http://c:4318" },
		{ "http://c:4318/custom", NULL, "http://c:4318/custom" },
		{ NULL, "http://c:4318", "http://c:4318/v1/traces" },
		{ NULL, "http://c:4318/", "http://c:4318/v1/traces" },
		{ NULL, "https://c/base/path", "https://c/base/path/v1/traces" },
		{ NULL, "https://c/base/path/", "https://c/base/path/v1/traces" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *u = cad_otlp_traces_url(cases[i].traces, cases[i].base);
		cr_assert_str_eq(u, cases[i].want);
		free(u);
	}
	cr_assert_null(cad_otlp_traces_url(NULL, NULL));
}

Test(otlp_url, http_or_https_with_a_host)
{
	const char *good[] = { "http://localhost:4318/v1/traces", "https://c.example", "http://[::1]:4318" };
	const char *bad[] = { "localhost:4318", "ftp://c/v1/traces", "http://", "http:///v1/traces",
			      "http://:4318", "http://c /x", "HTTP" };
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		strbuf why = STRBUF_INIT;
		cr_assert_eq(cad_otlp_check_url(good[i], &why), 0, "%s", good[i]);
		cad_strbuf_free(&why);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		strbuf why = STRBUF_INIT;
		cr_assert_eq(cad_otlp_check_url(bad[i], &why), -1, "%s", bad[i]);
		cr_assert(strstr(cad_strbuf_cstr(&why), bad[i]), "%s", why.buf);
		cad_strbuf_free(&why);
	}
}

Test(otlp_retry, backoff_doubles_from_1s_with_jitter_capped_retry_after_wins)
{
	uint64_t rng = 42;
	for (int round = 0; round < 200; round++)
		for (unsigned a = 1; a <= 8; a++) {
			int64_t base = a >= 6 ? 30000 : 1000LL << (a - 1);
			int64_t d = cad_otlp_backoff_ms(a, -1, &rng);
			cr_assert(d >= base / 2 && d < base, "attempt %u: %lld", a, (long long)d);
		}
	cr_assert_eq(cad_otlp_backoff_ms(1, 2000, &rng), 2000);
	cr_assert_eq(cad_otlp_backoff_ms(3, 0, &rng), 0);
	cr_assert_eq(cad_otlp_backoff_ms(1, 3600000, &rng), CAD_OTLP_MAX_BACKOFF_MS);
}

Test(otlp_retry, retry_after_seconds_only)
{
	cr_assert_eq(cad_otlp_retry_after(" 7\r\n", 4), 7000);
	cr_assert_eq(cad_otlp_retry_after("0", 1), 0);
	const char *http_date = "Wed, 21 Oct 2015 07:28:00 GMT";
	cr_assert_eq(cad_otlp_retry_after(http_date, strlen(http_date)), -1);
	cr_assert_eq(cad_otlp_retry_after("", 0), -1);
	cr_assert_eq(cad_otlp_retry_after("-1", 2), -1);
	cr_assert_eq(cad_otlp_retry_after("9999999999", 10), -1);
	for (long s = 100; s < 600; s++)
		cr_assert_eq(cad_otlp_retryable(s), s == 429 || s == 502 || s == 503 || s == 504,
			     "%ld", s);
}

Test(otlp_env, the_variables_with_their_precedence_an_empty_one_unset)
{
	char *env[] = { "OTEL_EXPORTER_OTLP_ENDPOINT=http://base:4318",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://t:4318/v1/traces",
			"OTEL_EXPORTER_OTLP_HEADERS=a=1",
			"OTEL_EXPORTER_OTLP_TRACES_HEADERS=b=2",
			"OTEL_EXPORTER_OTLP_TIMEOUT=2000",
			"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=3000",
			"OTEL_BSP_MAX_QUEUE_SIZE=100",
			"OTEL_BSP_MAX_EXPORT_BATCH_SIZE=10",
			"OTEL_BSP_SCHEDULE_DELAY=50",
			"OTEL_SERVICE_NAME=",
			"OTEL_RESOURCE_ATTRIBUTES=k=v",
			"OTEL_EXPORTER_OTLP_ENDPOINTX=ignored",
			NULL };
	cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
	o.service_name = "kept";
	cr_assert_eq(cadence_otlp_opts_from_env(&o, env, NULL), 0);
	cr_assert_str_eq(o.endpoint, "http://base:4318");
	cr_assert_str_eq(o.traces_endpoint, "http://t:4318/v1/traces");
	cr_assert_str_eq(o.headers, "b=2");
	cr_assert_eq(o.timeout_ms, 3000);
	cr_assert_eq(o.max_queue, 100);
	cr_assert_eq(o.max_batch, 10);
	cr_assert_eq(o.delay_ms, 50);
	cr_assert_str_eq(o.service_name, "kept");
	cr_assert_str_eq(o.resource_attributes, "k=v");
}

static void env_bad(const char *var, const char *want)
{
	char *env[] = { (char *)var, NULL };
	cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_otlp_opts_from_env(&o, env, &err), CADENCE_EINVAL, "%s", var);
	cr_assert(strstr(err.message, want), "%s: %s", var, err.message);
	cadence_run_error_clear(&err);
}

Test(otlp_env, a_value_that_does_not_parse_names_its_variable)
{
	env_bad("OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318", "OTEL_EXPORTER_OTLP_ENDPOINT: "
		"'localhost:4318' is not an http:// or https:// URL");
	env_bad("OTEL_EXPORTER_OTLP_TIMEOUT=10s", "OTEL_EXPORTER_OTLP_TIMEOUT: '10s' is not a whole "
		"number from 1 to 3600000 (milliseconds, without a unit)");
	env_bad("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=0", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '0'");
	env_bad("OTEL_BSP_MAX_QUEUE_SIZE=99999999999999999999", "OTEL_BSP_MAX_QUEUE_SIZE");
	env_bad("OTEL_BSP_MAX_EXPORT_BATCH_SIZE=-1", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '-1'");
	env_bad("OTEL_EXPORTER_OTLP_HEADERS=x", "OTEL_EXPORTER_OTLP_HEADERS: 'x' is not key=value");
	cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
	o.version = 99;
	cr_assert_eq(cadence_otlp_opts_from_env(&o, NULL, NULL), CADENCE_EVERSION);
}

static int closed_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void new_bad(cadence_otlp_opts *o, int code, const char *want)
{
	cadence_otlp *x = (cadence_otlp *)1;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_otlp_new(&x, o, &err), code);
	cr_assert_null(x);
	cr_assert(strstr(err.message, want), "%s", err.message);
	cadence_run_error_clear(&err);
}

Test(otlp_exporter, refusals_before_anything_starts)
{
	cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
	new_bad(NULL, CADENCE_EINVAL, "no endpoint");
	o.endpoint = "ftp://c";
	new_bad(&o, CADENCE_EINVAL, "'ftp://c/v1/traces' is not an http:// or https:// URL");
	o.endpoint = "http://127.0.0.1:1";
	o.max_queue = 10;
	o.max_batch = 11;
	new_bad(&o, CADENCE_EINVAL, "the batch size (11 spans, OTEL_BSP_MAX_EXPORT_BATCH_SIZE) is "
		"larger than the queue (10");
	o.max_batch = 0;
	o.headers = "a b=1";
	new_bad(&o, CADENCE_EINVAL, "'a b' is not a header name");
	o.headers = NULL;
	o.libcurl = "/nonexistent/libcurl.so.4";
	new_bad(&o, CADENCE_ENOTSUP, "(on Debian: apt-get install libcurl4)");
	o.libcurl = "libc.so.6";
	new_bad(&o, CADENCE_ENOTSUP, "libc.so.6 is not libcurl: it has no curl_easy_init");
	cadence_otlp_opts v = CADENCE_OTLP_OPTS_INIT;
	v.version = 2;
	cadence_otlp *x;
	cr_assert_eq(cadence_otlp_new(&x, &v, NULL), CADENCE_EVERSION);
}

/* a span's worth of JSON, malloc'd (the queue takes it) */
static char *element(void)
{
	return strdup("{\"resource\":{},\"scopeSpans\":[]}");
}

Test(otlp_exporter, a_full_queue_drops_and_counts_shutdown_is_bounded)
{
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/traces", closed_port());
	cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
	o.traces_endpoint = url;
	o.max_queue = 4;
	o.max_batch = 4;
	cadence_otlp *x;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_otlp_new(&x, &o, &err), 0, "%s", err.message);
	cr_assert_str_eq(cadence_otlp_url(x), url);
	cr_assert_eq(cad_otlp_max_batch(x), 4);
	/* 12 spans into a queue of 4 while the collector is down: 4 wait or
	 * are retried, at least 4 are dropped at once */
	for (int i = 0; i < 3; i++)
		cad_otlp_queue(x, element(), strlen("{\"resource\":{},\"scopeSpans\":[]}"), 4);
	cadence_otlp_stats st = CADENCE_OTLP_STATS_INIT;
	cr_assert_eq(cadence_otlp_status(x, &st, &err), CADENCE_EIO);
	cr_assert_geq(st.spans_dropped, 4);
	int64_t t0 = now_ms();
	cr_assert_eq(cadence_otlp_shutdown(x, 300), CADENCE_EIO);
	int64_t t = now_ms() - t0;
	cr_assert(t < 300 + 200, "shutdown took %lld ms", (long long)t);
	cr_assert_eq(cadence_otlp_status(x, &st, &err), CADENCE_EIO);
	cr_assert_eq(st.spans_dropped, 12);
	cr_assert_eq(st.spans_sent, 0);
	cr_assert_geq(st.requests_failed, 1);
	cr_assert_eq(st.requests, st.requests_failed);
	cr_assert(strstr(err.message, "connect"), "%s", err.message);
	/* after shutdown: dropped and counted */
	cad_otlp_queue(x, element(), 10, 1);
	cr_assert_eq(cadence_otlp_status(x, &st, &err), CADENCE_EIO);
	cr_assert_eq(st.spans_dropped, 13);
	cr_assert_str_eq(err.message, "the exporter was shut down");
	cadence_run_error_clear(&err);
	cadence_otlp_free(x);
}

Test(otlp_exporter, free_without_shutdown_drops_at_once)
{
	cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
	o.endpoint = "http://127.0.0.1:1";
	cadence_otlp *x;
	cr_assert_eq(cadence_otlp_new(&x, &o, NULL), 0);
	cad_otlp_queue(x, element(), 10, 3);
	int64_t t0 = now_ms();
	cadence_otlp_free(x);
	cr_assert(now_ms() - t0 < 200);
	cadence_otlp_free(NULL);
}

Test(otlp_trace, the_resource_in_the_trace_file)
{
	cadence_trace *t;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_trace_new(&t), 0);
	cr_assert_eq(cadence_trace_set_resource(t, NULL, "bad", &err), CADENCE_EINVAL);
	cr_assert_str_eq(err.message, "'bad' is not key=value");
	cr_assert_eq(cadence_trace_set_resource(t, NULL, "service.name=a,service.version=9,"
						"x=1,y=%22q%22,x=2", &err), 0);
	cadence_event ev = { .kind = CADENCE_EVENT_CADENCE_START, .cadence = "c", .path = "c",
			     .run_id = "r1" };
	cadence_trace_on_event(t, &ev);
	ev.kind = CADENCE_EVENT_CADENCE_END;
	cadence_trace_on_event(t, &ev);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_eq(cadence_trace_write(t, f), 0);
	fclose(f);
	cr_assert(strstr(buf, "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
			 "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"a\"}},"
			 "{\"key\":\"service.version\",\"value\":{\"stringValue\":\"9\"}},"
			 "{\"key\":\"y\",\"value\":{\"stringValue\":\"\\\"q\\\"\"}},"
			 "{\"key\":\"x\",\"value\":{\"stringValue\":\"2\"}}]}"), "%s", buf);
	free(buf);
	cr_assert_eq(cadence_trace_set_resource(t, "named", NULL, &err), 0);
	f = open_memstream(&buf, &len);
	cadence_trace_write(t, f);
	fclose(f);
	cr_assert(strstr(buf, "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"named\"}},"
			 "{\"key\":\"service.version\",\"value\":{\"stringValue\":\"" CADENCE_VERSION_STRING
			 "\"}}]}"), "%s", buf);
	free(buf);
	cadence_run_error_clear(&err);
	cadence_trace_free(t);
}
