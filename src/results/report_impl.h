/* report_impl.h - what the report's parts share (private to
 * src/results): the groups read from the database and the helpers that
 * turn them into cells.  report.c reads the groups; report_table.c writes
 * the table, Markdown and CSV, report_series.c the per-slot series, and
 * report_html.c the HTML page.
 */
#ifndef STRATA_RESULTS_REPORT_IMPL_H
#define STRATA_RESULTS_REPORT_IMPL_H

#include "results/report.h"

#include <sqlite3.h>
#include <stdio.h>

#define MAX_BY 32
#define PLUS_MINUS "\xc2\xb1"   /* U+00B1 in UTF-8: two bytes, one column */

typedef struct group {
    char **vals;          /* [n_by]; NULL where a run lacks the column */
    st_ci *ci;            /* [n_metrics]; n = 0 where none */
    size_t runs;
    char **hashes;        /* the distinct configurations in the group */
    size_t n_hashes;
} group;

typedef struct report {
    sqlite3 *db;
    const char *path;
    st_error *err;
    double level;
    char *by[MAX_BY];        /* column names, owned */
    char *by_expr[MAX_BY];   /* SQL for each column */
    size_t n_by;
    char **keys;             /* configuration keys: sweep axes, overrides */
    size_t n_keys;
    char **metrics;          /* shown, in order */
    size_t n_metrics;
    group *groups;
    size_t n_groups, cap;
    int pool;                /* --pool: mixed groups are allowed */
    size_t n_mixed;          /* groups of more than one configuration */
    char *differ;            /* what differs within them, for the note */
} report;

/* The table as cells, before it is padded into columns. */
typedef struct grid {
    size_t rows, cols;
    char **cell;
    int *right;      /* right-align this column */
} grid;

/* The values of one metric (or one slot of a series) in one group, as
 * they are read. */
typedef struct series {
    double *x;
    size_t n, cap, rows;
    int metric;           /* index in r->metrics, -1 if not shown */
} series;

/* --- report.c --- */

/* Fails the report (r->err) saying what it was doing; -1. */
int rp_db_fail(report *r, const char *doing);
/* The first column of every row of sql as strings (NULL-ended). */
int rp_strings(report *r, const char *sql, char ***out, size_t *n);
void rp_free_strings(char **v, size_t n);
/* Index of s in list, or -1. */
int rp_find(char *const *list, size_t n, const char *s);
/* Equal strings, NULL equal only to NULL. */
int rp_same_text(const char *a, const char *b);
/* 1 when row q of a grouped query (the by columns from column 1) is of
 * group g. */
int rp_same_group(const group *g, sqlite3_stmt *q, size_t n_by);
/* Adds column col of row q to s (a NULL counts as a row, not a value). */
void rp_series_push(series *s, sqlite3_stmt *q, int col);

/* --- report_table.c --- */

/* A CSV field (nothing for NULL), and a number in its fewest digits. */
void rp_put_csv_text(FILE *out, const char *s);
void rp_put_csv_num(FILE *out, double v);
/* Tidy CSV: a row per group and metric. */
void rp_write_csv(const report *r, FILE *out);
/* The aligned table, or Markdown. */
void rp_write_grid(const report *r, FILE *out, int markdown);
/* 1 when mixed groups are shown (--pool) with a "configs" column. */
int rp_shows_configs(const report *r);
/* The note said above a table of pooled groups (sqlite3_free it; NULL
 * when none is). */
char *rp_pool_text(const report *r);
/* The comparison table as cells: header, then a row per group. */
void rp_grid_fill(const report *r, grid *t);
void rp_grid_free(grid *t);

/* --- report_series.c --- */

/* Fails unless every series o names is in the database (and the format
 * is CSV). */
int rp_check_series(report *r, const st_report_opts *o);
/* The per-slot means of the series o names, as CSV, after the groups
 * were read. */
int rp_write_timeseries(report *r, const st_report_opts *o, FILE *out);

/* --- report_html.c --- */

/* The HTML page: the table, a figure per metric, every run's
 * configuration. */
int rp_write_html(report *r, FILE *out);

#endif
