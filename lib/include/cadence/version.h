/* SPDX-License-Identifier: MIT */
/*
 * cadence/version.h - the version of the headers a program is compiled
 * against.  cadence_version() (common.h) tells the version of the library
 * it runs with; the two differ when a program built against one release
 * runs with another's shared library.
 *
 * The version is the single source of truth: CMakeLists.txt reads it from
 * here.  0.x: a minor release may change the API and the ABI (the shared
 * library's SONAME is libcadence.so.0.MINOR); CHANGELOG.md says what
 * changed.  Macros only: nothing to own, nothing shared between threads
 * (cadence/common.h).
 */
#ifndef CADENCE_VERSION_H
#define CADENCE_VERSION_H

#define CADENCE_VERSION_MAJOR 0
#define CADENCE_VERSION_MINOR 2
#define CADENCE_VERSION_PATCH 0
#define CADENCE_VERSION_STRING "0.2.0"
/* One number to compare: (MAJOR << 16) | (MINOR << 8) | PATCH. */
#define CADENCE_VERSION_NUMBER                                            \
	((CADENCE_VERSION_MAJOR << 16) | (CADENCE_VERSION_MINOR << 8) |   \
	 CADENCE_VERSION_PATCH)

#endif
