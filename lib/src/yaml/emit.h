/* SPDX-License-Identifier: MIT */
/* A JSON value written as YAML (block style), through libyaml's emitter:
 * the manifests `cadence export` writes for engines that read YAML.
 * Every string is a scalar libyaml quotes as its content needs, and one
 * that a YAML 1.1 or 1.2 reader would take for another type ("true",
 * "no", "1e3", "~", "0x1F") is double-quoted, so the file reads back as
 * the same JSON value: no user text can become syntax or change type. */
#ifndef CADENCE_SRC_YAML_EMIT_H
#define CADENCE_SRC_YAML_EMIT_H

#include "util/strbuf.h"

#include <cjson/cJSON.h>

/* Appends `v` as a YAML document to `out`.  0; -1 when out of memory or
 * libyaml refused (not valid UTF-8). */
int cad_yaml_emit_json(strbuf *out, const cJSON *v);

#endif
