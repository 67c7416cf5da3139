/* cfgread.h - typed, checked reads from a YAML document, each error naming
 * file:line:col and what was expected.  Private to src/config. */
#ifndef STRATA_CFGREAD_H
#define STRATA_CFGREAD_H

#include <stdint.h>
#include <yaml.h>
#include "base/range.h"
#include "strata/dist.h"
#include "strata/error.h"

typedef struct cfg {
    yaml_document_t *doc;
    const char *file;     /* for messages */
    const char *dir;      /* relative paths resolve here */
    st_error *err;
    /* Files whose nodes were merged in by 'include', by number: a node
     * whose mark index is YT_FROM_INCLUDE + k came from includes[k]. */
    char *const *includes;
    size_t n_includes;
} cfg;

yaml_node_t *cfg_node(cfg *c, int id);
int cfg_fail(cfg *c, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Value of key in a mapping, or NULL if absent. */
yaml_node_t *cfg_get(cfg *c, yaml_node_t *map, const char *key);
/* Same, but absence is an error naming the mapping's line. */
yaml_node_t *cfg_need(cfg *c, yaml_node_t *map, const char *key,
                      const char *what);
/* Fails on a key not in allowed (NULL-ended) or a duplicate key. */
int cfg_keys(cfg *c, yaml_node_t *map, const char *const *allowed,
             const char *what);
int cfg_is_map(const yaml_node_t *n);
int cfg_is_seq(const yaml_node_t *n);
int cfg_is_scalar(const yaml_node_t *n);
int cfg_expect_map(cfg *c, yaml_node_t *n, const char *what);
int cfg_expect_seq(cfg *c, yaml_node_t *n, const char *what);

/* Scalar text (not NUL-safe: a NUL in a scalar is an error). */
int cfg_str(cfg *c, yaml_node_t *n, const char *what, const char **out);
/* A finite number in [lo, hi]. */
int cfg_num(cfg *c, yaml_node_t *n, const char *what, double lo, double hi,
            double *out);
int cfg_long(cfg *c, yaml_node_t *n, const char *what, long lo, long hi,
             long *out);
int cfg_bool(cfg *c, yaml_node_t *n, const char *what, int *out);
/* A whole number in [0, 2^64-1], read exactly (seeds). */
int cfg_u64(cfg *c, yaml_node_t *n, const char *what, uint64_t *out);
/* A time: a bare number in default_unit ("s" or "ms"), or "250 ms",
 * "2 s", "1.5 min", "1 h"; result in seconds, in [lo_s, hi_s]. */
int cfg_time(cfg *c, yaml_node_t *n, const char *what,
             const char *default_unit, double lo_s, double hi_s,
             double *out_s);
/* The same three against a declared range (ST_RANGE_NUMBER or _INTEGER
 * for cfg_num_in, ST_RANGE_TIME for cfg_time_in); an error quotes the
 * range as st_range_expected writes it.  Keys of a table are read
 * through keyref.h, which passes the key's own range. */
int cfg_num_in(cfg *c, yaml_node_t *n, const char *what, const st_range *r,
               double *out);
int cfg_time_in(cfg *c, yaml_node_t *n, const char *what,
                const char *default_unit, const st_range *r, double *out_s);
/* A distribution of times, in seconds: a scalar time (constant), or a
 * mapping {dist: constant|normal|lognormal|exponential|uniform|empirical,
 * value|mean|sd|median|sigma|min|max|samples|file|column with _ms or _s
 * suffixes}. */
int cfg_time_dist(cfg *c, yaml_node_t *n, const char *what, st_dist *out);
/* Resolves a path relative to the scenario's directory (malloc'd).  A
 * leading ${STRATA_DATA} stands for that environment variable's value
 * instead (relative values resolve against the working directory); NULL,
 * with an error at `at`, when the variable is unset or empty. */
char *cfg_path(cfg *c, const yaml_node_t *at, const char *rel);

#endif
