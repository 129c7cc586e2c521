/* SPDX-License-Identifier: MIT */
/*
 * A YAML document as a tree in which every node knows its line and column.
 *
 * Built from libyaml's event stream rather than its document API: events let
 * us refuse anchors and aliases at their position (the document API resolves
 * them silently), stop at a nesting limit before allocating anything deeper,
 * and allocate the whole tree in one arena.
 */
#ifndef CADENCE_SRC_YAML_TREE_H
#define CADENCE_SRC_YAML_TREE_H

#include "diag/report.h"
#include "util/arena.h"

#include <stddef.h>
#include <stdint.h>

typedef enum ynode_kind {
	YNODE_SCALAR,
	YNODE_SEQ,
	YNODE_MAP,
	/* A node whose problem is already reported (an alias, say): checks
	 * skip it so one mistake gives one message. */
	YNODE_INVALID
} ynode_kind;

typedef enum ynode_style {
	YSTYLE_PLAIN,
	YSTYLE_QUOTED,	/* single or double quoted */
	YSTYLE_BLOCK,	/* literal | or folded > */
	YSTYLE_FLOW,	/* [..] or {..} for collections */
} ynode_style;

/* A large cadence has hundreds of thousands of nodes, so a node is kept to
 * 48 bytes: the fields that only scalars or only collections use share
 * their storage, and kind and style take a byte each. */
typedef struct ynode ynode;
struct ynode {
	const char *text;	/* scalar value, NUL-terminated; NULL otherwise */
	size_t len;		/* scalars */
	union {
		ynode **items;	/* seq: items; map: keys at 2i, values at 2i+1 */
		/* scalars: filled in by the checker so the model builder
		 * need not parse the scalar twice */
		union {
			int64_t i;
			double d;
			int b;
		} v;
	};
	size_t count;		/* seq: items; map: pairs; 0 for scalars */
	unsigned line, col;	/* 1-based start */
	unsigned width;		/* code points on the first line (scalars) */
	unsigned char kind;	/* ynode_kind */
	unsigned char style;	/* ynode_style */
};

typedef struct ytree_limits {
	size_t max_depth;
} ytree_limits;

/*
 * Parses src[0..len) into *root, allocating the nodes in `a` and the texts
 * of scalars in `text` (which may be `a`: a loader frees the nodes once it
 * has built what it keeps, and keeps the texts).  Problems are reported
 * through `r`.  Returns 0 on success (root may be NULL for an empty
 * document), -1 when the problems reported make a tree impossible, and
 * CADENCE_ENOMEM on allocation failure.
 */
int cad_ytree_parse(ynode **root, arena *a, arena *text, report *r, const char *src,
		size_t len, const ytree_limits *limits);

/* The value for scalar key `key` in map node `map`, or NULL. */
ynode *cad_ymap_get(const ynode *map, const char *key);

#endif
