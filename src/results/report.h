/* report.h - tables of run results: one run per policy for the terminal
 * (table.c), and a study's runs grouped, with confidence intervals across
 * seeds (report.c). */
#ifndef STRATA_REPORT_H
#define STRATA_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "strata/error.h"
#include "strata/metrics.h"
#include "results/store.h"

/* One row per run, labelled, with the headline metrics as columns:
 * requests, SLO attainment, mean accuracy, latency p50/p95/p99, cost,
 * cost per 1,000 requests, offload fraction, model loads. */
void st_report_table(FILE *out, const char *const *labels,
                     const st_metrics *const *runs, size_t n);

/* The mean of x[0..n) and its two-sided confidence interval at level
 * (0.95 for 95%) from Student's t with n - 1 degrees of freedom:
 * mean +- t * sd / sqrt(n), sd the sample standard deviation.  With fewer
 * than two values sd, half, lo and hi are NaN (with none, mean is too). */
typedef struct st_ci {
    size_t n;
    double mean, sd, half, lo, hi;
    /* Runs of the group without a value (a censored percentile, stored as
     * NULL).  When some runs have one and some do not, nothing is
     * computed over the survivors: mean and interval are NaN. */
    size_t missing;
} st_ci;

void st_mean_ci(const double *x, size_t n, double level, st_ci *out);

typedef enum st_report_format {
    ST_REPORT_TABLE,      /* aligned text: "mean ± half" per metric */
    ST_REPORT_MARKDOWN,   /* the same as a Markdown table */
    ST_REPORT_CSV,        /* one row per group x metric: n, mean, sd, CI */
    ST_REPORT_HTML        /* one self-contained page: the table, a figure
                           * per metric (SVG), every run's configuration */
} st_report_format;

typedef struct st_report_opts {
    /* Columns that define a group: scenario, sweep, policy, params (the
     * policy's), seed, config_hash, or a configuration key (a sweep axis
     * or an override's dotted path).  None: the policy and every other of
     * those columns (seed and config_hash aside) whose value differs
     * between runs, plus config_hash if runs still differ in
     * configuration: each group is then one configuration's seeds. */
    const char *const *by;
    size_t n_by;
    /* Metrics to show.  None: the headline ones for a table (attainment,
     * accuracy, p95 latency, cost per 1k requests, offload fraction), all
     * for CSV. */
    const char *const *metrics;
    size_t n_metrics;
    int all_metrics;      /* 1: every metric, whatever the format */
    st_report_format format;
    double level;         /* confidence level; 0 means 0.95 */
    /* Per-slot series (the timeseries table) to report instead of the
     * metrics: per group, series and slot, the mean across the group's
     * runs (CSV only: ...,series,slot,t_s,n,mean,sd,ci_low,ci_high,
     * ci_half,configs; t_s the slot's end in simulated seconds). */
    const char *const *series;
    size_t n_series;
    int pool;             /* 1: a --by grouping may average different
                           * configurations (the output says so) */
} st_report_opts;

/* Groups the ok runs of s, and writes per group the mean of each metric
 * with its confidence interval across the group's runs (its seeds).
 * Groups are ordered by their columns, numerically where the values are
 * numbers.  A --by grouping whose groups would hold runs of different
 * configurations fails, naming the columns that differ, unless o->pool.
 * The CSV ends each row with `configs`, the configurations averaged.
 * 0, or -1 with err (unknown column or metric, a mixed grouping, or a
 * database error). */
int st_report_write(st_store *s, const st_report_opts *o, FILE *out,
                    st_error *err);

#endif
