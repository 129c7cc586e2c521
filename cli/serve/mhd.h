/* SPDX-License-Identifier: MIT */
/*
 * libmicrohttpd, loaded when `cadence serve` starts and not before.
 * Linked, it and GnuTLS under it (nine more libraries and GnuTLS's own
 * initialisation) cost every cadence process about 9 ms of start-up and
 * a valgrind run 0.1 s of CPU, for one command out of twenty
 * (docs/architecture.md, "Dependencies").
 *
 * Include this header instead of <microhttpd.h>: the library's types and
 * constants are the header's; each function the server calls is a macro
 * over a table that serve_mhd_load() fills with dlsym().  The table is the
 * CLI's one piece of process-wide state: written once, by serve_cmd()
 * before the server starts a thread, and only read after.
 */
#ifndef CADENCE_CLI_SERVE_MHD_H
#define CADENCE_CLI_SERVE_MHD_H

#include <stddef.h>

#include <microhttpd.h>

/* X(name): every libmicrohttpd function the server calls */
#define SERVE_MHD_FUNCTIONS(X)                                                 \
	X(MHD_start_daemon)                                                    \
	X(MHD_stop_daemon)                                                     \
	X(MHD_quiesce_daemon)                                                  \
	X(MHD_get_daemon_info)                                                 \
	X(MHD_is_feature_supported)                                            \
	X(MHD_lookup_connection_value)                                         \
	X(MHD_get_connection_values)                                           \
	X(MHD_get_connection_info)                                             \
	X(MHD_suspend_connection)                                              \
	X(MHD_resume_connection)                                               \
	X(MHD_queue_response)                                                  \
	X(MHD_create_response_from_buffer)                                     \
	X(MHD_create_response_from_callback)                                   \
	X(MHD_add_response_header)                                             \
	X(MHD_destroy_response)

/* the header's own prototypes give each pointer its type */
#define SERVE_MHD_FIELD(name) __typeof__(name) *name;
struct serve_mhd {
	SERVE_MHD_FUNCTIONS(SERVE_MHD_FIELD)
};
#undef SERVE_MHD_FIELD

extern struct serve_mhd serve_mhd_api;

/*
 * Loads libmicrohttpd (CADENCE_MHD_SONAME, the library the build found)
 * and fills serve_mhd_api.  0, or -1 with why[] saying what is missing and
 * how to install it.  Not thread-safe: call it before any thread uses the
 * table.  The library stays loaded for the life of the process.
 */
int serve_mhd_load(char *why, size_t n);

/* (mhd.c, which fills the table, names the functions themselves) */
#ifndef SERVE_MHD_NO_MACROS
#define MHD_start_daemon (serve_mhd_api.MHD_start_daemon)
#define MHD_stop_daemon (serve_mhd_api.MHD_stop_daemon)
#define MHD_quiesce_daemon (serve_mhd_api.MHD_quiesce_daemon)
#define MHD_get_daemon_info (serve_mhd_api.MHD_get_daemon_info)
#define MHD_is_feature_supported (serve_mhd_api.MHD_is_feature_supported)
#define MHD_lookup_connection_value (serve_mhd_api.MHD_lookup_connection_value)
#define MHD_get_connection_values (serve_mhd_api.MHD_get_connection_values)
#define MHD_get_connection_info (serve_mhd_api.MHD_get_connection_info)
#define MHD_suspend_connection (serve_mhd_api.MHD_suspend_connection)
#define MHD_resume_connection (serve_mhd_api.MHD_resume_connection)
#define MHD_queue_response (serve_mhd_api.MHD_queue_response)
#define MHD_create_response_from_buffer (serve_mhd_api.MHD_create_response_from_buffer)
#define MHD_create_response_from_callback (serve_mhd_api.MHD_create_response_from_callback)
#define MHD_add_response_header (serve_mhd_api.MHD_add_response_header)
#define MHD_destroy_response (serve_mhd_api.MHD_destroy_response)
#endif

#endif
