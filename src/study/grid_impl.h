/* grid_impl.h - what the two halves of the sweep reader share (private to
 * src/study): grid_read.c reads a sweep file into a spec (keys, axes,
 * seeds, policies), grid.c expands the spec into points and implements
 * sweep.h's loading functions. */
#ifndef STRATA_STUDY_GRID_IMPL_H
#define STRATA_STUDY_GRID_IMPL_H

#include "study/sweep.h"
#include "yaml/cfgread.h"

#define MAX_SEEDS 100000

/* An axis moves one or more keys together: a grid key alone, or a zipped
 * group.  Keys of axis a are keys[first .. first + n_keys). */
typedef struct axis {
    size_t first, n_keys, len;
} axis;

/* What the file says beyond the keys, while the points are made. */
typedef struct spec {
    cfg c;
    st_sweep *sw;
    axis *axes;
    size_t n_axes;
    char **policies;      /* NULL: each combination's own list */
    size_t n_policies;
    size_t *policy_at;    /* line, column of each name (pairs) */
    uint64_t *seeds;      /* NULL: the base scenario's seed */
    size_t n_seeds;
    size_t cap_keys;
} spec;

/* Reads the document's root mapping into s (s->sw's name, base, set,
 * keys and log_requests; the axes, seeds and policies): 0, or -1 with
 * s->c.err naming file:line:col. */
int grid_read_file(spec *s, yaml_node_t *root);

#endif
