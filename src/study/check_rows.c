/* check_rows.c - the regression gate's rows (check.h): tolerances, sets
 * of rows, comparing a run's rows with the expected ones within their
 * tolerances, and the table of what moved.  Running the experiments is
 * check.c.
 */
#include "study/check.h"
#include "study/check_impl.h"
#include "base/xalloc.h"
#include "results/report.h"
#include "results/store.h"
#include "study/sweep.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define CI_LEVEL 0.95     /* of the mean and sd stored per row */
/* ---- tolerances --------------------------------------------------------- */

static int parse_bound(const char *s, double *out)
{
    char *end;
    if (!*s)
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    return errno || *end || !isfinite(*out) || *out < 0 ? -1 : 0;
}

int st_tolerance_parse(const char *s, st_tolerance *out, st_error *err)
{
    static const char *const expected =
        "expected exact (or empty), rel:X, abs:X (X >= 0), ci or ci:LEVEL"
        " (0 < LEVEL < 1)";
    *out = (st_tolerance){ST_TOL_EXACT, 0};
    if (!*s || strcmp(s, "exact") == 0)
        return 0;
    if (strcmp(s, "ci") == 0) {
        *out = (st_tolerance){ST_TOL_CI, CI_LEVEL};
        return 0;
    }
    if (strncmp(s, "rel:", 4) == 0 && parse_bound(s + 4, &out->value) == 0) {
        out->kind = ST_TOL_REL;
        return 0;
    }
    if (strncmp(s, "abs:", 4) == 0 && parse_bound(s + 4, &out->value) == 0) {
        out->kind = ST_TOL_ABS;
        return 0;
    }
    if (strncmp(s, "ci:", 3) == 0 && parse_bound(s + 3, &out->value) == 0 &&
        out->value > 0 && out->value < 1) {
        out->kind = ST_TOL_CI;
        return 0;
    }
    return st_error_set(err, "%s, got '%s'", expected, s);
}

void st_tolerance_format(const st_tolerance *t, char *buf, size_t n)
{
    static const char *const prefix[] = {"exact", "rel:", "abs:", "ci:"};
    char num[32];
    if (t->kind == ST_TOL_EXACT || (t->kind == ST_TOL_CI &&
                                    t->value == CI_LEVEL)) {
        snprintf(buf, n, "%s", t->kind == ST_TOL_CI ? "ci" : "exact");
        return;
    }
    st_format_double(t->value, num, sizeof num);   /* as every CSV number */
    snprintf(buf, n, "%s%s", prefix[t->kind], num);
}

/* ---- sets of rows ------------------------------------------------------- */

char *st_check_copy_str(const char *s)
{
    char *d = st_xstrdup(s ? s : "");
    return d;
}

st_check_row *st_check_set_push(st_check_set *s, const char *experiment,
                                const char *policy, const char *point,
                                const char *metric)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->rows = st_xrealloc(s->rows, s->cap * sizeof *s->rows);
    }
    st_check_row *r = &s->rows[s->n++];
    *r = (st_check_row){.experiment = st_check_copy_str(experiment),
                        .policy = st_check_copy_str(policy), .point = st_check_copy_str(point),
                        .metric = st_check_copy_str(metric), .mean = NAN, .sd = NAN};
    return r;
}

void st_check_set_free(st_check_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        st_check_row *r = &s->rows[i];
        free(r->experiment);
        free(r->policy);
        free(r->point);
        free(r->metric);
        free(r->x);
    }
    free(s->rows);
    for (size_t i = 0; i < s->n_comments; i++)
        free(s->comments[i]);
    free(s->comments);
    *s = (st_check_set){0};
}

int st_check_row_cmp(const st_check_row *a, const st_check_row *b)
{
    int c = strcmp(a->experiment, b->experiment);
    if (!c)
        c = strcmp(a->policy, b->policy);
    if (!c)
        c = strcmp(a->point, b->point);
    return c ? c : strcmp(a->metric, b->metric);
}


/* ---- comparing ---------------------------------------------------------- */

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* A row's confidence interval at level: from its per-seed values when it
 * has them, else from its n, mean and sd with the same Student t rule.  A
 * single value (or none) is an interval of width zero. */
static void interval(const st_check_row *r, double level, double *lo,
                     double *hi)
{
    double half = NAN;
    if (r->x) {
        st_ci ci;
        st_mean_ci(r->x, r->n, level, &ci);
        half = ci.half;
    } else if (r->n >= 2 && !isnan(r->sd)) {
        half = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(r->n - 1)) *
               r->sd / sqrt((double)r->n);
    }
    if (isnan(half))
        half = 0;
    *lo = r->mean - half;
    *hi = r->mean + half;
}

/* What moved beyond e's tolerance, or NULL. */
static const char *moved(const st_check_row *e, const st_check_row *g)
{
    if (e->n != g->n)
        return "n";
    if (isnan(e->mean) || isnan(g->mean))
        return isnan(e->mean) && isnan(g->mean) ? NULL : "mean";
    double d = fabs(g->mean - e->mean);
    double elo, ehi, glo, ghi;
    switch (e->tol.kind) {
    case ST_TOL_EXACT:
        if (!same(e->mean, g->mean))
            return "mean";
        return same(e->sd, g->sd) ? NULL : "sd";
    case ST_TOL_REL:
        return d <= e->tol.value * fabs(e->mean) ? NULL : "mean";
    case ST_TOL_ABS:
        return d <= e->tol.value ? NULL : "mean";
    case ST_TOL_CI:
        interval(e, e->tol.value, &elo, &ehi);
        interval(g, e->tol.value, &glo, &ghi);
        return elo <= ghi && glo <= ehi ? NULL : "interval";
    }
    return "mean";
}

static int row_ptr_cmp(const void *a, const void *b)
{
    return st_check_row_cmp(*(const st_check_row *const *)a,
                            *(const st_check_row *const *)b);
}

/* The row of by (n rows, sorted by key) with g's key, or NULL. */
static const st_check_row *lookup(const st_check_row *const *by, size_t n,
                                  const st_check_row *g)
{
    const st_check_row *const *hit = bsearch(&g, by, n, sizeof *by,
                                             row_ptr_cmp);
    return hit ? *hit : NULL;
}

static st_check_diff *push_diff(st_check_result *r)
{
    st_check_diff *d = &r->diffs[r->n++];
    *d = (st_check_diff){0};
    return d;
}

static void judge(st_check_result *r, st_check_diff *d)
{
    if (!d->expected) {
        d->verdict = ST_CHECK_NEW;
        r->added++;
    } else if (!d->got) {
        d->verdict = ST_CHECK_MISSING;
        r->missing++;
    } else {
        d->what = moved(d->expected, d->got);
        d->verdict = d->what ? ST_CHECK_MOVED : ST_CHECK_OK;
        d->changed = d->expected->n != d->got->n ||
                     !same(d->expected->mean, d->got->mean) ||
                     !same(d->expected->sd, d->got->sd);
        if (d->what)
            r->moved++;
        else
            r->ok++;
        r->changed += !d->what && d->changed;
    }
}

void st_check_compare(const st_check_set *expected, const st_check_set *got,
                      st_check_result *out)
{
    *out = (st_check_result){0};
    out->diffs = st_xcalloc(expected->n + got->n + 1, sizeof *out->diffs);
    const st_check_row **by = st_xcalloc(expected->n + 1, sizeof *by);
    char *used = st_xcalloc(expected->n + 1, 1);
    for (size_t i = 0; i < expected->n; i++)
        by[i] = &expected->rows[i];
    qsort(by, expected->n, sizeof *by, row_ptr_cmp);
    for (size_t i = 0; i < got->n; i++) {
        st_check_diff *d = push_diff(out);
        d->got = &got->rows[i];
        d->expected = lookup(by, expected->n, d->got);
        if (d->expected)
            used[d->expected - expected->rows] = 1;
        judge(out, d);
    }
    for (size_t i = 0; i < expected->n; i++)
        if (!used[i]) {
            st_check_diff *d = push_diff(out);
            d->expected = &expected->rows[i];
            judge(out, d);
        }
    free(by);
    free(used);
}

void st_check_result_free(st_check_result *r)
{
    free(r->diffs);
    *r = (st_check_result){0};
}

int st_check_passed(const st_check_result *r)
{
    return r->moved == 0 && r->missing == 0 && r->added == 0;
}

/* ---- the table ---------------------------------------------------------- */

#define N_COLS 7

static const char *const headings[N_COLS] = {
    "group", "metric", "expected", "got", "difference", "tolerance",
    "verdict"};
static const int right_aligned[N_COLS] = {0, 0, 1, 1, 1, 0, 0};

static int shown(const st_check_diff *d, st_check_show which)
{
    switch (which) {
    case ST_CHECK_SHOW_ALL:     return 1;
    case ST_CHECK_SHOW_CHANGED: return d->verdict != ST_CHECK_OK || d->changed;
    case ST_CHECK_SHOW_FAILING: return d->verdict != ST_CHECK_OK;
    }
    return 1;
}

static const st_check_row *diff_row(const st_check_diff *d)
{
    return d->got ? d->got : d->expected;
}

static char *group_label(const st_check_row *row, int with_experiment)
{
    char *s = st_xasprintf("%s%s%s%s%s", with_experiment ? row->experiment : "",
                   with_experiment ? ":" : "", row->policy,
                   *row->point ? " " : "", row->point);
    /* The file's ';' between grid values reads better as a space here. */
    for (char *p = s + strlen(row->policy); *p; p++)
        if (*p == ';')
            *p = ' ';
    return s;
}

/* The quantity that moved (the mean unless the sd or n did), as text. */
static char *value_cell(const st_check_row *row, const char *what)
{
    if (!row)
        return st_check_copy_str("-");
    if (what && strcmp(what, "n") == 0)
        return st_xasprintf("n=%zu", row->n);
    if (what && strcmp(what, "sd") == 0)
        return isnan(row->sd) ? st_check_copy_str("sd=-") : st_xasprintf("sd=%.6g", row->sd);
    return isnan(row->mean) ? st_check_copy_str("-") : st_xasprintf("%.6g", row->mean);
}

static double quantity(const st_check_row *row, const char *what)
{
    if (what && strcmp(what, "n") == 0)
        return (double)row->n;
    if (what && strcmp(what, "sd") == 0)
        return row->sd;
    return row->mean;
}

static char *difference_cell(const st_check_diff *d)
{
    double e = d->expected ? quantity(d->expected, d->what) : NAN;
    double g = d->got ? quantity(d->got, d->what) : NAN;
    if (isnan(e) || isnan(g))
        return st_check_copy_str("-");
    if (e == g)
        return st_check_copy_str("0");
    if (e != 0)
        return st_xasprintf("%+.3g (%+.3g%%)", g - e, (g - e) / fabs(e) * 100);
    return st_xasprintf("%+.3g", g - e);
}

static char *verdict_cell(const st_check_diff *d)
{
    switch (d->verdict) {
    case ST_CHECK_OK:
        return st_check_copy_str(d->changed ? "ok (within tolerance)" : "ok");
    case ST_CHECK_MOVED:
        return strcmp(d->what, "mean") == 0 ? st_check_copy_str("MOVED")
                                            : st_xasprintf("MOVED (%s)", d->what);
    case ST_CHECK_MISSING:
        return st_xasprintf("MISSING (line %zu; not in the run)", d->expected->line);
    case ST_CHECK_NEW:
        break;
    }
    return st_check_copy_str("NEW (not in the expected file)");
}

static void fill_row(char **cell, const st_check_diff *d, int with_exp)
{
    const st_check_row *any = diff_row(d);
    char tol[64] = "exact";
    if (d->expected)
        st_tolerance_format(&d->expected->tol, tol, sizeof tol);
    cell[0] = group_label(any, with_exp);
    cell[1] = st_check_copy_str(any->metric);
    cell[2] = value_cell(d->expected, d->what);
    cell[3] = value_cell(d->got, d->what);
    cell[4] = difference_cell(d);
    cell[5] = st_check_copy_str(d->expected ? tol : "-");
    cell[6] = verdict_cell(d);
}

static int same_group(const st_check_row *a, const st_check_row *b)
{
    return strcmp(a->experiment, b->experiment) == 0 &&
           strcmp(a->policy, b->policy) == 0 &&
           strcmp(a->point, b->point) == 0;
}

/* When diffs[i] starts a run of MISSING (or NEW) rows that is the whole
 * of its group - a group the run no longer has, or a new one - the end of
 * that run, so the table says it in one line; else i. */
static size_t whole_group_end(const st_check_result *r, size_t i)
{
    const st_check_diff *d = &r->diffs[i];
    if (d->verdict != ST_CHECK_MISSING && d->verdict != ST_CHECK_NEW)
        return i;
    size_t end = i + 1;
    while (end < r->n && r->diffs[end].verdict == d->verdict &&
           same_group(diff_row(&r->diffs[end]), diff_row(d)))
        end++;
    for (size_t k = 0; k < r->n; k++)
        if ((k < i || k >= end) && same_group(diff_row(&r->diffs[k]),
                                              diff_row(d)))
            return i;
    return end;
}

static void fill_group_row(char **cell, const st_check_result *r, size_t i,
                           size_t end, int with_exp)
{
    const st_check_diff *d = &r->diffs[i];
    cell[0] = group_label(diff_row(d), with_exp);
    cell[1] = st_xasprintf("(all %zu metrics)", end - i);
    cell[2] = st_check_copy_str("-");
    cell[3] = st_check_copy_str("-");
    cell[4] = st_check_copy_str("-");
    cell[5] = st_check_copy_str("-");
    if (d->verdict == ST_CHECK_MISSING)
        cell[6] = st_xasprintf("MISSING: the run has no such group (lines %zu-%zu)",
                       d->expected->line, r->diffs[end - 1].expected->line);
    else
        cell[6] = st_check_copy_str("NEW: a group the expected file does not have");
}

static int several_experiments(const st_check_result *r)
{
    const char *first = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const st_check_row *row = diff_row(&r->diffs[i]);
        if (!first)
            first = row->experiment;
        else if (strcmp(first, row->experiment) != 0)
            return 1;
    }
    return 0;
}

static void put_padded(FILE *out, const char *s, size_t w, int right)
{
    size_t len = strlen(s);
    if (right)
        fprintf(out, "%*s", (int)(w - len), "");
    fputs(s, out);
    if (!right)
        fprintf(out, "%*s", (int)(w - len), "");
}

static void put_line(FILE *out, const char *const *cell, const size_t *w)
{
    for (size_t c = 0; c < N_COLS; c++) {
        if (c)
            fputs("  ", out);
        if (c == N_COLS - 1)
            fputs(cell[c], out);   /* no padding at the end of a line */
        else
            put_padded(out, cell[c], w[c], right_aligned[c]);
    }
    putc('\n', out);
}

void st_check_print(FILE *out, const st_check_result *r, st_check_show which)
{
    size_t rows = 0, w[N_COLS];
    int with_exp = several_experiments(r);
    char **cell = st_xcalloc((r->n + 1) * N_COLS, sizeof *cell);
    for (size_t i = 0; i < r->n; i++) {
        size_t end = whole_group_end(r, i);
        if (!shown(&r->diffs[i], which))
            continue;
        if (end > i + 1) {
            fill_group_row(&cell[N_COLS * rows++], r, i, end, with_exp);
            i = end - 1;
        } else {
            fill_row(&cell[N_COLS * rows++], &r->diffs[i], with_exp);
        }
    }
    if (rows == 0) {
        free(cell);
        return;
    }
    for (size_t c = 0; c < N_COLS; c++) {
        w[c] = strlen(headings[c]);
        for (size_t i = 0; i < rows; i++)
            if (strlen(cell[N_COLS * i + c]) > w[c])
                w[c] = strlen(cell[N_COLS * i + c]);
    }
    put_line(out, headings, w);
    for (size_t c = 0; c < N_COLS; c++) {
        if (c)
            fputs("  ", out);
        for (size_t k = 0; k < w[c]; k++)
            putc('-', out);
    }
    putc('\n', out);
    for (size_t i = 0; i < rows; i++)
        put_line(out, (const char *const *)&cell[N_COLS * i], w);
    for (size_t i = 0; i < rows * N_COLS; i++)
        free(cell[i]);
    free(cell);
}
