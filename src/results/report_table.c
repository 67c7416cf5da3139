/* report_table.c - the report's groups written as text: an aligned table
 * or Markdown (a cell per group and metric, "mean ± half-width"), or tidy
 * CSV (a row per group and metric) for plotting; and the cells the HTML
 * page shares (rp_grid_fill). */
#include "results/report_impl.h"
#include "base/xalloc.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

void rp_put_csv_text(FILE *out, const char *s)
{
    if (s)
        st_csv_put_text(out, s, strlen(s));
}

void rp_put_csv_num(FILE *out, double v)
{
    char buf[40];
    st_format_double(v, buf, sizeof buf);
    fputs(buf, out);
}

void rp_write_csv(const report *r, FILE *out)
{
    for (size_t i = 0; i < r->n_by; i++) {
        rp_put_csv_text(out, r->by[i]);
        putc(',', out);
    }
    fputs("metric,n,mean,sd,ci_low,ci_high,ci_half,configs,missing\n", out);
    for (size_t gi = 0; gi < r->n_groups; gi++) {
        const group *g = &r->groups[gi];
        for (size_t m = 0; m < r->n_metrics; m++) {
            const st_ci *c = &g->ci[m];
            for (size_t i = 0; i < r->n_by; i++) {
                rp_put_csv_text(out, g->vals[i]);
                putc(',', out);
            }
            rp_put_csv_text(out, r->metrics[m]);
            fprintf(out, ",%zu,", c->n);
            const double v[] = {c->mean, c->sd, c->lo, c->hi, c->half};
            for (size_t k = 0; k < 5; k++) {
                if (k)
                    putc(',', out);
                rp_put_csv_num(out, v[k]);
            }
            fprintf(out, ",%zu,%zu\n", g->n_hashes, c->missing);
        }
    }
}

/* "0.8761 ± 0.012", or the mean alone with a single run. */
static void ci_cell(const char *metric, const st_ci *c, char *buf, size_t n)
{
    /* A latency percentile without a value fell among unfinished or
     * dropped requests (censored); any other metric was not measured. */
    int censored = strncmp(metric, "latency_p", 9) == 0;
    if (c->missing && (c->n || censored))
        snprintf(buf, n, "%s in %zu/%zu", censored ? ">drain" : "missing",
                 c->missing, c->missing + c->n);
    else if (c->n == 0 || isnan(c->mean))
        snprintf(buf, n, "-");
    else if (isnan(c->half))
        snprintf(buf, n, "%.4g", c->mean);
    else
        snprintf(buf, n, "%.4g " PLUS_MINUS " %.2g", c->mean, c->half);
}

/* Columns on screen: the sign is two bytes but one column. */
static int width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        w += (*p & 0xc0) != 0x80;
    return w;
}

/* With --pool and mixed groups, a "configs" column follows "runs". */
int rp_shows_configs(const report *r)
{
    return r->pool && r->n_mixed;
}

void rp_grid_fill(const report *r, grid *t)
{
    size_t first = r->n_by + 1 + (size_t)rp_shows_configs(r);
    t->cols = first + r->n_metrics;
    t->rows = r->n_groups + 1;
    t->cell = st_xcalloc(t->rows * t->cols, sizeof *t->cell);
    t->right = st_xcalloc(t->cols, sizeof *t->right);
    char buf[128];
    for (size_t i = 0; i < r->n_by; i++)
        t->cell[i] = strdup(r->by[i]);
    t->cell[r->n_by] = strdup("runs");
    if (rp_shows_configs(r))
        t->cell[r->n_by + 1] = strdup("configs");
    for (size_t c = r->n_by; c < first; c++)
        t->right[c] = 1;
    for (size_t m = 0; m < r->n_metrics; m++) {
        t->cell[first + m] = strdup(r->metrics[m]);
        t->right[first + m] = 1;
    }
    for (size_t gi = 0; gi < r->n_groups; gi++) {
        char **row = &t->cell[(gi + 1) * t->cols];
        const group *g = &r->groups[gi];
        for (size_t i = 0; i < r->n_by; i++)
            row[i] = strdup(g->vals[i] ? g->vals[i] : "-");
        snprintf(buf, sizeof buf, "%zu", g->runs);
        row[r->n_by] = strdup(buf);
        if (rp_shows_configs(r)) {
            snprintf(buf, sizeof buf, "%zu", g->n_hashes);
            row[r->n_by + 1] = strdup(buf);
        }
        for (size_t m = 0; m < r->n_metrics; m++) {
            ci_cell(r->metrics[m], &g->ci[m], buf, sizeof buf);
            row[first + m] = strdup(buf);
        }
    }
}

/* Said above every table of pooled groups (NULL when none is). */
char *rp_pool_text(const report *r)
{
    if (!rp_shows_configs(r))
        return NULL;
    return sqlite3_mprintf("POOLED (--pool): %lld group%s average%s runs of"
                           " different configurations (they differ in %s);"
                           " their intervals are not across seeds of one"
                           " configuration", (long long)r->n_mixed,
                           r->n_mixed == 1 ? "" : "s",
                           r->n_mixed == 1 ? "s" : "",
                           r->differ ? r->differ : "?");
}

static void pool_note(const report *r, FILE *out)
{
    char *note = rp_pool_text(r);
    if (note)
        fprintf(out, "%s\n\n", note);
    sqlite3_free(note);
}

void rp_grid_free(grid *t)
{
    for (size_t i = 0; i < t->rows * t->cols; i++)
        free(t->cell[i]);
    free(t->cell);
    free(t->right);
}

static void pad(FILE *out, int n, char c)
{
    for (int i = 0; i < n; i++)
        putc(c, out);
}

static void put_cell(FILE *out, const char *s, int w, int right)
{
    int fill = w - width(s);
    if (right)
        pad(out, fill, ' ');
    fputs(s, out);
    if (!right)
        pad(out, fill, ' ');
}

void rp_write_grid(const report *r, FILE *out, int markdown)
{
    grid t;
    rp_grid_fill(r, &t);
    int *w = st_xcalloc(t.cols, sizeof *w);
    for (size_t i = 0; i < t.rows * t.cols; i++)
        if (width(t.cell[i]) > w[i % t.cols])
            w[i % t.cols] = width(t.cell[i]);
    pool_note(r, out);
    if (!markdown)
        fprintf(out, "mean " PLUS_MINUS " half-width of the %g%% confidence"
                " interval (Student t) over each group's runs\n\n",
                r->level * 100);
    for (size_t row = 0; row < t.rows; row++) {
        for (size_t c = 0; c < t.cols; c++) {
            fputs(markdown ? (c ? " | " : "| ") : (c ? "  " : ""), out);
            put_cell(out, t.cell[row * t.cols + c], w[c], t.right[c]);
        }
        fputs(markdown ? " |\n" : "\n", out);
        if (row == 0) {
            for (size_t c = 0; c < t.cols; c++) {
                fputs(markdown ? (c ? " | " : "| ") : (c ? "  " : ""), out);
                pad(out, w[c] - (markdown && t.right[c]), '-');
                if (markdown && t.right[c])
                    putc(':', out);
            }
            fputs(markdown ? " |\n" : "\n", out);
        }
    }
    free(w);
    rp_grid_free(&t);
}
