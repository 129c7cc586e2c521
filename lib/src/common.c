/* SPDX-License-Identifier: MIT */
#include "cadence/common.h"
#include "cadence/version.h"

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
