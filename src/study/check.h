/* check.h - the regression gate (`strata check`): run one or more
 * experiments (sweep files, sweep.h) into a temporary results database,
 * summarise every metric of every group across its seeds, and compare the
 * summaries with an expected file, each within that row's tolerance.
 *
 * A group is an experiment (the sweep's name), a policy and the sweep's
 * grid values (the "point"); its runs differ only by seed (they share
 * one configuration hash, which the gate checks: it never compares an
 * average of different configurations).  Per group and
 * metric the gate keeps n (the seeds where the metric has a value), the
 * mean and the sample standard deviation, computed with st_mean_ci.
 *
 * The expected file is CSV, one record per line.  Lines starting with '#'
 * and blank lines are comments.  The first other line is the header:
 *
 *   # comments
 *   experiment,policy,point,metric,n,mean,sd,tolerance
 *   regression,layercake,devices.0.link.up.scale=0.25,slo_attainment,3,
 *     0.96601..., 0.00182...,exact       (one line in the file)
 *
 *   point      the grid values, "key=value" joined by ';' in the sweep
 *              file's key order; empty when the sweep has no grid
 *   n          seeds with a value (a whole number)
 *   mean, sd   the fewest digits that read back exactly (st_format_double);
 *              empty when there is none
 *              (mean: n = 0; sd: n < 2)
 *   tolerance  how far the run may move from this row:
 *                exact (or empty)  n, mean and sd identical: the default,
 *                                  right for the same seeds and binary,
 *                                  since the simulator is deterministic
 *                rel:X             |got - expected| <= X * |expected|
 *                abs:X             |got - expected| <= X
 *                ci, ci:LEVEL      the confidence intervals (Student t,
 *                                  95% or LEVEL) of the expected and the
 *                                  run's per-seed values overlap
 *              Every kind also requires the same n, and a mean that is
 *              missing on one side only has moved.
 *
 * Fields holding ',', '"' or surrounding spaces are double-quoted, with ""
 * for a quote.  Each (experiment, policy, point, metric) appears once.
 */
#ifndef STRATA_CHECK_H
#define STRATA_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include "strata/error.h"

typedef enum st_tol_kind {
    ST_TOL_EXACT,
    ST_TOL_REL,
    ST_TOL_ABS,
    ST_TOL_CI
} st_tol_kind;

typedef struct st_tolerance {
    st_tol_kind kind;
    double value;        /* the bound (rel, abs) or the level (ci) */
} st_tolerance;

/* Parses a tolerance as written in the expected file.  0, or -1 with err
 * (a sentence saying what was expected, without a location). */
int st_tolerance_parse(const char *s, st_tolerance *out, st_error *err);
/* The canonical text ("exact", "rel:0.02", "ci", "ci:0.99"). */
void st_tolerance_format(const st_tolerance *t, char *buf, size_t n);

/* One group x metric. */
typedef struct st_check_row {
    char *experiment, *policy, *point, *metric;
    size_t n;            /* seeds with a value */
    double mean, sd;     /* NaN when absent */
    double *x;           /* a run's per-seed values [n], in seed order;
                          * NULL for a row read from a file */
    st_tolerance tol;
    size_t line;         /* in the expected file; 0 for a run's row */
} st_check_row;

typedef struct st_check_set {
    st_check_row *rows;
    size_t n, cap;
    char **comments;     /* the file's leading comment lines, kept by
                          * st_check_write_expected */
    size_t n_comments;
} st_check_set;

/* Appends a row with copies of the names, n 0, mean and sd NaN, exact
 * tolerance; the pointer is valid until the next push. */
st_check_row *st_check_set_push(st_check_set *s, const char *experiment,
                                const char *policy, const char *point,
                                const char *metric);
void st_check_set_free(st_check_set *s);
/* Orders rows by (experiment, policy, point, metric). */
int st_check_row_cmp(const st_check_row *a, const st_check_row *b);

/* ---- running ------------------------------------------------------------ */

typedef struct st_check_opts {
    int jobs;            /* worker processes, >= 1 */
    int quiet;           /* no sweep progress on stderr */
} st_check_opts;

typedef struct st_check_runinfo {
    size_t runs;         /* points run, over all experiments */
    size_t failed;       /* of which failed */
    char **failures;     /* [failed] "experiment: point: message" */
    int interrupted;     /* SIGINT or SIGTERM stopped the runs */
    double wall_s;
} st_check_runinfo;

void st_check_runinfo_free(st_check_runinfo *info);

/* Loads every experiment (failing, with err, on a malformed sweep file, a
 * point whose scenario is invalid, or two experiments of the same name),
 * runs all their points into a temporary database (in $TMPDIR, else
 * /tmp) that is removed afterwards, and appends to got (zeroed by the
 * caller) one row per group and metric: groups in the order the
 * experiments expand, metrics by name.  Runs that fail are listed in
 * info, not an error here.  0, or -1 with err. */
int st_check_run(const char *const *experiments, size_t n,
                 const st_check_opts *o, st_check_set *got,
                 st_check_runinfo *info, st_error *err);

/* ---- the expected file -------------------------------------------------- */

/* Reads an expected file; a malformed one fails naming file:line and what
 * was expected.  0, or -1 with err. */
int st_check_read_expected(const char *path, st_check_set *out,
                           st_error *err);

/* Writes got as the expected file at path (through a temporary file
 * renamed over it, so a failure leaves the old file whole), with the
 * tolerance of the matching row of old (exact for new rows) and old's
 * leading comments (a short default without them).  old may be NULL.
 * 0, or -1 with err. */
int st_check_write_expected(const char *path, const st_check_set *got,
                            const st_check_set *old, st_error *err);

/* ---- comparing ---------------------------------------------------------- */

typedef enum st_check_verdict {
    ST_CHECK_OK,         /* within tolerance */
    ST_CHECK_MOVED,      /* beyond tolerance */
    ST_CHECK_MISSING,    /* expected, but the run has no such row */
    ST_CHECK_NEW         /* in the run, not in the expected file */
} st_check_verdict;

typedef struct st_check_diff {
    const st_check_row *expected;   /* NULL when NEW */
    const st_check_row *got;        /* NULL when MISSING */
    st_check_verdict verdict;
    const char *what;    /* what moved: "mean", "sd", "n", "interval";
                          * NULL unless MOVED */
    int changed;         /* the stored values differ (n, mean or sd), even
                          * if within tolerance: --update rewrites them */
} st_check_diff;

typedef struct st_check_result {
    st_check_diff *diffs;     /* run's rows in order, then missing ones */
    size_t n;
    size_t ok, moved, missing, added;
    size_t changed;           /* OK rows whose values changed */
} st_check_result;

/* Compares got with expected, row by row. */
void st_check_compare(const st_check_set *expected, const st_check_set *got,
                      st_check_result *out);
void st_check_result_free(st_check_result *r);
/* 1 if every row is within tolerance and none is missing or new. */
int st_check_passed(const st_check_result *r);

typedef enum st_check_show {
    ST_CHECK_SHOW_FAILING,   /* rows that are not OK */
    ST_CHECK_SHOW_CHANGED,   /* those, and OK rows whose values changed */
    ST_CHECK_SHOW_ALL
} st_check_show;

/* An aligned table of the rows chosen by which: group, metric, expected,
 * got, difference (absolute and relative), tolerance, verdict; nothing
 * when no row is chosen.  The group is "policy key=value ...", prefixed
 * with "experiment:" when the rows come from several experiments. */
void st_check_print(FILE *out, const st_check_result *r, st_check_show which);

#endif
