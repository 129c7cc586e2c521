/* SPDX-License-Identifier: MIT */
#include "cadence/common.h"

#ifndef CADENCE_VERSION_STRING
#define CADENCE_VERSION_STRING "0.0.0"
#endif

const char *cadence_strerror(int code)
{
	switch (code) {
#define CADENCE_X_(name, value, msg) case CADENCE_##name: return msg;
	CADENCE_ERRNO_MAP(CADENCE_X_)
#undef CADENCE_X_
	}
	return "unknown error";
}

const char *cadence_version(void)
{
	return CADENCE_VERSION_STRING;
}
