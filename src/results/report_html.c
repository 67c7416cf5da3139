/* report_html.c - `strata report --format html`: one self-contained page
 * with the comparison table, a figure per metric drawn as inline SVG, and
 * each run's configuration one click away.  The groups it shows are read
 * by report.c.
 */
#include "results/report_impl.h"
#include "results/html.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the HTML page ---------------------------------------------------- */

static int is_number(const char *s)
{
    char *end;
    if (!s || !*s)
        return 0;
    strtod(s, &end);
    return *end == '\0';
}

/* The figures' x axis: the numeric grouping column (policy aside) with
 * the most values, or -1 (the groups are then categories). */
static int numeric_axis(const report *r)
{
    int best = -1;
    size_t best_n = 1;
    for (size_t c = 0; c < r->n_by; c++) {
        if (strcmp(r->by[c], "policy") == 0)
            continue;
        size_t distinct = 0, numeric = 1;
        for (size_t g = 0; g < r->n_groups && numeric; g++) {
            const char *v = r->groups[g].vals[c];
            numeric = !v || is_number(v);
            int seen = 0;
            for (size_t h = 0; h < g && v && !seen; h++)
                seen = rp_same_text(r->groups[h].vals[c], v);
            distinct += v && !seen;
        }
        if (numeric && distinct > best_n) {
            best = (int)c;
            best_n = distinct;
        }
    }
    return best;
}

/* 1 when column c names lines of a figure against axis: it takes several
 * values over the groups drawn (those with an axis value) and is not
 * fixed by the axis (as a zipped axis is). */
static int names_lines(const report *r, int axis, size_t c)
{
    int varies = 0, fixed = 1;
    for (size_t g = 0; g < r->n_groups; g++) {
        const group *a = &r->groups[g];
        if (!a->vals[axis])
            continue;
        for (size_t h = 0; h < g; h++) {
            const group *b = &r->groups[h];
            if (!b->vals[axis])
                continue;
            int same_c = rp_same_text(a->vals[c], b->vals[c]);
            varies |= !same_c;
            fixed &= !rp_same_text(a->vals[axis], b->vals[axis]) || same_c;
        }
    }
    return varies && !fixed;
}

/* 1 when columns c and d split the groups drawn against axis alike (two
 * zipped axes): the legend needs only one of them. */
static int same_split(const report *r, int axis, size_t c, size_t d)
{
    for (size_t g = 0; g < r->n_groups; g++)
        for (size_t h = 0; h < g && r->groups[g].vals[axis]; h++) {
            const group *a = &r->groups[g], *b = &r->groups[h];
            if (b->vals[axis] &&
                rp_same_text(a->vals[c], b->vals[c]) !=
                    rp_same_text(a->vals[d], b->vals[d]))
                return 0;
        }
    return 1;
}

/* The values of group g's columns (all but skip; with a mask, only those
 * set in it), joined by ", ". */
static char *group_label(const report *r, const group *g, int skip,
                         const int *mask)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    for (size_t c = 0; c < r->n_by; c++)
        if ((int)c != skip && (!mask || mask[c]))
            sqlite3_str_appendf(s, "%s%s", sqlite3_str_length(s) ? ", " : "",
                                g->vals[c] ? g->vals[c] : "-");
    if (!sqlite3_str_length(s))
        sqlite3_str_appendall(s, "all runs");
    return sqlite3_str_finish(s);
}

static st_plot_series *plot_series(st_plot *p, const char *name)
{
    for (size_t i = 0; i < p->n_series; i++)
        if (strcmp(p->series[i].name, name) == 0)
            return &p->series[i];
    p->series = st_xrealloc(p->series, (p->n_series + 1) * sizeof *p->series);
    st_plot_series *s = &p->series[p->n_series++];
    *s = (st_plot_series){.name = strdup(name)};
    return s;
}

static void series_add(st_plot_series *s, double x, const st_ci *c)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->x = realloc(s->x, s->cap * sizeof *s->x);
        s->y = st_xrealloc(s->y, s->cap * sizeof *s->y);
        s->lo = st_xrealloc(s->lo, s->cap * sizeof *s->lo);
        s->hi = st_xrealloc(s->hi, s->cap * sizeof *s->hi);
    }
    s->x[s->n] = x;
    s->y[s->n] = c->mean;
    s->lo[s->n] = c->lo;
    s->hi[s->n++] = c->hi;
}

/* Metric m of every group: on the numeric axis, a line per combination of
 * the other columns; else a point per group, a series per policy. */
static void fill_plot(const report *r, size_t m, int axis, const int *mask,
                      st_plot *p, char **ticks)
{
    int pol = rp_find(r->by, r->n_by, "policy");
    for (size_t g = 0; g < r->n_groups; g++) {
        const group *gr = &r->groups[g];
        if (isnan(gr->ci[m].mean) || (axis >= 0 && !gr->vals[axis]))
            continue;
        char *name = axis >= 0 ? group_label(r, gr, axis, mask)
                     : sqlite3_mprintf("%s", pol >= 0 && gr->vals[pol]
                                                 ? gr->vals[pol] : "runs");
        st_plot_series *s = plot_series(p, name ? name : "?");
        sqlite3_free(name);
        if (axis >= 0) {
            series_add(s, strtod(gr->vals[axis], NULL), &gr->ci[m]);
        } else {
            ticks[p->n_ticks] = group_label(r, gr, pol, NULL);
            series_add(s, (double)++p->n_ticks, &gr->ci[m]);
        }
    }
}

static void plot_free(st_plot *p)
{
    for (size_t i = 0; i < p->n_series; i++) {
        st_plot_series *s = &p->series[i];
        free(s->name), free(s->x), free(s->y), free(s->lo), free(s->hi);
    }
    free(p->series);
}

/* ", a line per (a, b)": the columns the legend's values are of. */
static char *lines_text(const report *r, const int *mask)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    for (size_t c = 0; c < r->n_by; c++)
        if (mask[c])
            sqlite3_str_appendf(s, "%s%s", sqlite3_str_length(s) ? ", "
                                : ", a line per (", r->by[c]);
    if (sqlite3_str_length(s))
        sqlite3_str_appendall(s, ")");
    return sqlite3_str_finish(s);
}

/* One figure per shown metric, with its caption. */
static void make_figures(const report *r, char **svg, char **caption)
{
    int axis = numeric_axis(r);
    char **ticks = st_xcalloc(r->n_groups + 1, sizeof *ticks);
    int *mask = st_xcalloc(r->n_by + 1, sizeof *mask);
    for (size_t c = 0; axis >= 0 && c < r->n_by; c++) {
        mask[c] = (int)c != axis && names_lines(r, axis, c);
        for (size_t d = 0; d < c && mask[c]; d++)
            mask[c] = !(mask[d] && same_split(r, axis, c, d));
    }
    for (size_t m = 0; m < r->n_metrics; m++) {
        st_plot p = {.title = r->metrics[m], .ylabel = r->metrics[m],
                     .xlabel = axis >= 0 ? r->by[axis] : "group",
                     .ticks = ticks};
        fill_plot(r, m, axis, mask, &p, ticks);
        svg[m] = st_plot_svg(&p);
        char *lines = lines_text(r, mask);
        caption[m] = sqlite3_mprintf(
            "%s: mean and %g%% confidence interval over each group's runs,"
            " %s%s%s", r->metrics[m], r->level * 100,
            axis >= 0 ? "against " : "a point per group",
            axis >= 0 ? r->by[axis] : "", lines ? lines : "");
        sqlite3_free(lines);
        plot_free(&p);
        for (size_t i = 0; i < p.n_ticks; i++)
            sqlite3_free(ticks[i]);
    }
    free(ticks);
    free(mask);
}

static char *page_title(report *r)
{
    char **names;
    size_t n;
    if (rp_strings(r, "SELECT DISTINCT coalesce(sweep, scenario) FROM runs"
                   " WHERE status = 'ok' ORDER BY 1", &names, &n))
        return NULL;
    sqlite3_str *s = sqlite3_str_new(NULL);
    sqlite3_str_appendall(s, "strata report: ");
    for (size_t i = 0; i < n; i++)
        sqlite3_str_appendf(s, "%s%s", i ? ", " : "", names[i]);
    rp_free_strings(names, n);
    return sqlite3_str_finish(s);
}

int rp_write_html(report *r, FILE *out)
{
    grid t;
    rp_grid_fill(r, &t);
    char **svg = st_xcalloc(r->n_metrics + 1, sizeof *svg);
    char **caption = st_xcalloc(r->n_metrics + 1, sizeof *caption);
    make_figures(r, svg, caption);
    char *title = page_title(r), *note = rp_pool_text(r);
    char *intro = sqlite3_mprintf(
        "From %s: each cell is the mean %s the half-width of the %g%%"
        " confidence interval (Student t) over the group's runs;%s each"
        " row is one configuration's seeds.", r->path, PLUS_MINUS,
        r->level * 100, rp_shows_configs(r) ? " unless the note says so," : "");
    st_html_report h = {
        .title = title ? title : "strata report", .intro = intro,
        .note = note, .rows = t.rows, .cols = t.cols, .cell = t.cell,
        .right = t.right, .figures = svg, .captions = caption,
        .n_figures = r->n_metrics, .db = r->db, .n_by = r->n_by,
        .by = r->by, .by_expr = r->by_expr};
    int rc = st_html_write(out, &h);
    for (size_t m = 0; m < r->n_metrics; m++) {
        free(svg[m]);
        sqlite3_free(caption[m]);
    }
    free(svg);
    free(caption);
    sqlite3_free(title);
    sqlite3_free(note);
    sqlite3_free(intro);
    rp_grid_free(&t);
    return rc == SQLITE_OK ? 0 : rp_db_fail(r, "list the runs");
}

