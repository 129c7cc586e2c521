/* SPDX-License-Identifier: MIT */
/*
 * cadence/cadence.h - the whole public API of libcadence.
 *
 * Every public name starts with `cadence_` (types, functions) or `CADENCE_`
 * (macros, constants).  Ownership and thread-safety rules are stated once in
 * cadence/common.h.
 */
#ifndef CADENCE_CADENCE_H
#define CADENCE_CADENCE_H

#include "cadence/common.h"
#include "cadence/diag.h"
#include "cadence/load.h"
#include "cadence/project.h"
#include "cadence/check.h"
#include "cadence/run.h"
#include "cadence/checkpoint.h"
#include "cadence/report.h"
#include "cadence/builder.h"
#include "cadence/diagram.h"
#include "cadence/export.h"
#include "cadence/expr.h"
#include "cadence/schema.h"
#include "cadence/schedule.h"
#include "cadence/schedule_export.h"
#include "cadence/version.h"

#endif
