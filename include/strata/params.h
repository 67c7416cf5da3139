/* params.h - a policy's parameters: what a scenario gives it, and the one
 * table in which the policy declares what it takes.
 *
 * A scenario names a policy with optional parameters:
 *
 *     policy:
 *       - {name: layercake, params: {safety: 0.7, bw_estimator: harmonic}}
 *
 * The loader keeps them as text (st_params).  Each policy declares its
 * parameters once, in an st_param table ending with ST_PARAM_END, and
 * points st_policy_ops.params at it.  From that table strata
 *   - validates a scenario's parameters before any world is built (unknown
 *     names, wrong types, values out of range: errors with file:line);
 *   - lists them (`strata policy info NAME`) and documents them;
 *   - gives the policy's init the values, through st_param_real/_int/
 *     _choice, which return the scenario's value or the declared default
 *     and cannot fail (the parameters were validated before init runs).
 *
 *     static const char *const modes[] = {"fast", "careful", NULL};
 *     static const st_param my_params[] = {
 *         ST_PARAM_REAL("threshold_mbps", 2, 0, 1e6,
 *                       "offload when the estimated uplink is above this"),
 *         ST_PARAM_INT("window", 5, 1, 1000, "requests the estimate averages"),
 *         ST_PARAM_CHOICE("mode", modes, 0, "how to pick the model"),
 *         ST_PARAM_END};
 *     ...
 *     s->threshold = st_param_real(params, my_params, "threshold_mbps");
 */
#ifndef STRATA_PARAMS_H
#define STRATA_PARAMS_H

#include <stddef.h>
#include "strata/error.h"

/* A policy's parameters as the scenario gave them: n (key, value) pairs of
 * scalar text, each with where it was written. */
typedef struct st_params {
    size_t n;
    char **keys;
    char **values;       /* scalar text */
    size_t *lines;       /* 1-based source line, 0 if from an override */
    size_t *cols;
    const char *file;    /* points at the scenario's file name */
} st_params;

/* What kind of value a parameter takes. */
typedef enum st_param_type {
    ST_PARAM_REAL,       /* a finite number in [lo, hi] */
    ST_PARAM_INT,        /* a whole number in [lo, hi] */
    ST_PARAM_CHOICE,     /* one of choices; read as its index */
    ST_PARAM_INCLUDE     /* every parameter of another table (one that
                            several policies share) */
} st_param_type;

/* One declared parameter. */
typedef struct st_param {
    const char *name;            /* the key in the scenario; NULL ends */
    st_param_type type;
    double def;                  /* REAL, INT: the default (NAN: computed
                                    by the policy, as doc says);
                                    CHOICE: the index of the default */
    double lo, hi;               /* REAL, INT: the allowed range */
    const char *const *choices;  /* CHOICE: the names, NULL-ended */
    const char *doc;             /* one line: what it means, with its unit */
    const struct st_param *include;  /* INCLUDE: the other table */
} st_param;

#define ST_PARAM_REAL(name, def, lo, hi, doc) \
    {(name), ST_PARAM_REAL, (def), (lo), (hi), NULL, (doc), NULL}
#define ST_PARAM_INT(name, def, lo, hi, doc) \
    {(name), ST_PARAM_INT, (def), (lo), (hi), NULL, (doc), NULL}
#define ST_PARAM_CHOICE(name, choices, def, doc) \
    {(name), ST_PARAM_CHOICE, (def), 0, 0, (choices), (doc), NULL}
#define ST_PARAM_INCLUDE(table) \
    {"", ST_PARAM_INCLUDE, 0, 0, 0, NULL, NULL, (table)}
#define ST_PARAM_END {NULL, ST_PARAM_REAL, 0, 0, 0, NULL, NULL, NULL}

/* Checks params against table: every key must be declared and its value
 * of the declared type and range.  0, or -1 with "FILE:LINE:COL: ..."
 * naming the parameter and what was expected.  A NULL table declares no
 * parameters.  strata calls this before the policy's init. */
int st_params_validate(const st_params *params, const char *policy,
                       const st_param *table, st_error *err);

/* The value of a declared parameter: the scenario's, or the default.
 * Valid only after st_params_validate passed; a name the table does not
 * declare (or of another type) is a bug in the policy and aborts with a
 * message saying so. */
double st_param_real(const st_params *params, const st_param *table,
                     const char *name);
long st_param_int(const st_params *params, const st_param *table,
                  const char *name);
/* The index of the chosen value in the parameter's choices. */
int st_param_choice(const st_params *params, const st_param *table,
                    const char *name);

/* The declared parameter of that name (searching included tables), or
 * NULL. */
const st_param *st_param_find(const st_param *table, const char *name);

#endif
