/* SPDX-License-Identifier: MIT */
/*
 * The cadence file format as data: one table that drives the structural
 * checks (keys, types, required keys, enums), the JSON Schema that
 * `cadence schema` prints, and the key lists in diagnostics.
 *
 * Why not libcyaml's schema tables: libcyaml cannot express maps with keys
 * chosen by the user (`notes:`, `score:`, `set:`), values of any type
 * (`default:`, `fallback:`), or a measure whose keys depend on which kind
 * key it has; it reads `30s` as 30 and `flase` as true; and it reports one
 * error per load.  A validator must report every problem at its position,
 * so the format is walked over the positioned tree (yaml/tree.h).  Even the
 * fixed-shape mappings it could load (retry, circuit_breaker, on_error)
 * need the position of each value in the model, for the range checks of
 * check/policy.c; libcyaml loads values without positions, so it would
 * mean a second parse that still needs the tree.
 */
#ifndef CADENCE_SRC_FORMAT_SCHEMA_H
#define CADENCE_SRC_FORMAT_SCHEMA_H

#include <stddef.h>

typedef enum ftype_kind {
	FT_MAP,		/* fixed keys: `fields` */
	FT_DICT,	/* keys are names chosen by the user, values `elem` */
	FT_LIST,	/* a sequence of `elem` */
	FT_VARIANT,	/* a map whose kind is the one key of `variants` present */
	FT_STRING,
	FT_NAME,	/* an identifier, see cad_scalar_name() */
	FT_BOOL,
	FT_INT,
	FT_NUMBER,
	FT_DURATION,
	FT_ENUM,	/* one of `enums` */
	FT_EXPR,	/* an expression: a scalar, compiled by later checks */
	FT_VALUE,	/* any YAML value, typed by context */
	FT_ARGV,	/* a string, or a non-empty list of strings */
	FT_ENVNAME	/* an environment variable's name, see cad_scalar_env_name() */
} ftype_kind;

typedef struct ftype ftype;

/* FT_MAP: `key` is allowed only beside `needs` (another key of the map);
 * without it, an unknown-key error whose help is `help`. */
typedef struct fneeds {
	const char *key;
	const char *needs;
	const char *help;
} fneeds;

enum {
	FF_REQUIRED = 1 << 0
};

typedef struct ffield {
	const char *key;
	const ftype *type;
	unsigned flags;
	const char *doc;	/* one line for the JSON Schema description */
} ffield;

struct ftype {
	ftype_kind kind;
	const char *what;	/* "a note", "a retry policy": used in messages */
	const ffield *fields;	/* FT_MAP, FT_VARIANT members */
	size_t nfields;
	/* FT_MAP: exactly one of these keys must be present */
	const char *const *one_of;
	size_t n_one_of;
	const char *one_of_rule;
	const char *one_of_help;
	const char *one_of_both_help;	/* two of them (NULL: a note's help) */
	int one_of_optional;	/* at most one of them (none is fine) */
	const fneeds *needs;	/* FT_MAP: keys that need another key */
	size_t nneeds;
	const ftype *elem;	/* FT_DICT values, FT_LIST items */
	const char *key_what;	/* FT_DICT: "field name", for messages */
	int key_any;		/* FT_DICT: keys are not names ("unused-note"), the caller checks them */
	size_t min_items;	/* FT_LIST, FT_DICT */
	const char *min_rule;	/* FT_LIST shorter than min_items (default wrong-type) */
	const char *min_message;
	const char *min_help;
	size_t max_items;	/* FT_LIST, FT_DICT: more is too-many-items; 0: no limit */
	const char *max_what;	/* "notes": what is counted, for the message */
	const char *const *enums;
	size_t nenums;
	const ftype *const *variants;	/* FT_VARIANT: each an FT_MAP whose
					 * first field is its kind key */
	size_t nvariants;
	const char *variant_rule;
	const char *doc;
};

/* The root of a cadence file. */
extern const ftype cad_schema_cadence;
/* The type of a score field declaration (its `type:` values). */
extern const ftype cad_schema_field_type;

/* The field of map type t named key, or NULL. */
const ffield *cad_schema_field(const ftype *t, const char *key);

#endif
