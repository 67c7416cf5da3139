/* yamltree.h - YAML documents as trees: loading with limits, dotted-path
 * overrides, and a canonical text form.  Private to src/config. */
#ifndef STRATA_YAMLTREE_H
#define STRATA_YAMLTREE_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>
#include "strata/error.h"

/* Nodes created by an override carry this mark index, so errors about them
 * say "in override" instead of a misleading line. */
#define YT_FROM_OVERRIDE SIZE_MAX
/* Nodes copied from an included file keep their line and column; their
 * mark index is YT_FROM_INCLUDE + the include's number, so errors about
 * them can name that file (see cfg.includes). */
#define YT_FROM_INCLUDE (SIZE_MAX / 2)

#define YT_MAX_FILE_BYTES (64u << 20)
#define YT_MAX_DEPTH 64
#define YT_MAX_NODES 2000000

int yt_load_file(const char *path, yaml_document_t *doc, st_error *err);
int yt_load_text(const char *label, const char *text, size_t len,
                 yaml_document_t *doc, st_error *err);
/* "a.b.0.c=value": value is parsed as YAML (a scalar, [list] or {map}). */
int yt_apply_override(yaml_document_t *doc, const char *label,
                      const char *override, st_error *err);
/* Copies node n of src (and everything under it) into dst; the copies
 * keep their lines and columns and carry mark index `origin`
 * (YT_FROM_INCLUDE + k).  Returns the new node's id in dst. */
int yt_copy(yaml_document_t *dst, yaml_document_t *src, yaml_node_t *n,
            size_t origin);
/* Canonical block text of the whole document, malloc'd. */
char *yt_canonical(yaml_document_t *doc);
/* Canonical text of one node on a single line (flow style), malloc'd. */
char *yt_flow(yaml_document_t *doc, yaml_node_t *node);

#endif
