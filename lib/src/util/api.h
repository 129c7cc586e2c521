/* SPDX-License-Identifier: MIT */
/* The conventions of cadence/common.h, for the library's entry points. */
#ifndef CADENCE_SRC_UTIL_API_H
#define CADENCE_SRC_UTIL_API_H

/* A versioned struct argument the library can read: NULL (the defaults),
 * or a version from 1 to the library's own.  Entry points return
 * CADENCE_EVERSION when it is not, before doing anything. */
#define CAD_VERSION_OK(p, current) (!(p) || ((p)->version >= 1 && (p)->version <= (current)))

#endif
