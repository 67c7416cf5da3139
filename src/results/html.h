/* html.h - private to the results module: the report as one
 * self-contained HTML page (html.c) and the figures in it as SVG drawn
 * with PLplot (plot.c).  report.c computes everything; these only write. */
#ifndef STRATA_RESULTS_HTML_H
#define STRATA_RESULTS_HTML_H

#include <stddef.h>
#include <stdio.h>

struct sqlite3;

/* One line of a figure: points (x, y) with a y interval [lo, hi] (NaN:
 * none). */
typedef struct st_plot_series {
    char *name;
    size_t n, cap;
    double *x, *y, *lo, *hi;
} st_plot_series;

typedef struct st_plot {
    const char *title, *xlabel, *ylabel;
    st_plot_series *series;
    size_t n_series;
    /* Categorical x: the labels of x = 1..n_ticks (none: x is numeric). */
    char *const *ticks;
    size_t n_ticks;
} st_plot;

/* The figure as an SVG document (malloc'd), or NULL if PLplot failed. */
char *st_plot_svg(const st_plot *p);

typedef struct st_html_report {
    const char *title;       /* the page's heading */
    const char *intro;       /* a sentence under it: what the table shows */
    const char *note;        /* a warning (pooled groups), or NULL */
    /* The comparison table, header row first: rows x cols cells. */
    size_t rows, cols;
    char *const *cell;
    const int *right;        /* right-align column c */
    char *const *figures;    /* SVG documents */
    char *const *captions;
    size_t n_figures;
    /* The runs, listed per group: the database and the grouping columns
     * (names and SQL over runs r) in the table's order. */
    struct sqlite3 *db;
    size_t n_by;
    char *const *by;
    char *const *by_expr;
} st_html_report;

/* "SELECT lead, <each by_expr>, middle ORDER BY <each by_expr, numbers
 * in numeric order then as text>, tail": the one shape of every query
 * that reads runs group by group (sqlite3_free it). */
char *st_grouped_sql(struct sqlite3 *db, char *const *by_expr, size_t n_by,
                     const char *lead, const char *middle, const char *tail);

/* Writes the page; SQLite result code of listing the runs. */
int st_html_write(FILE *out, const st_html_report *h);

#endif
