/* report.c - a study's runs grouped, with the mean of each metric and its
 * confidence interval across the group's runs (st_report_write in
 * report.h): as an aligned table, Markdown, or tidy CSV for plotting.
 *
 * One query returns the ok runs' metrics ordered by group, metric and
 * seed, so each group is read in one pass and the sums are always taken
 * in the same order (the same database gives byte-identical reports).
 */
#include "results/report.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BY 32
#define PLUS_MINUS "\xc2\xb1"   /* U+00B1 in UTF-8: two bytes, one column */

void st_mean_ci(const double *x, size_t n, double level, st_ci *out)
{
    *out = (st_ci){n, NAN, NAN, NAN, NAN, NAN};
    if (n == 0)
        return;
    out->mean = gsl_stats_mean(x, 1, n);
    if (n < 2)
        return;
    out->sd = gsl_stats_sd_m(x, 1, n, out->mean);
    double t = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(n - 1));
    /* Equal values can leave a sum-of-squares residue of a few ulps; an
     * interval that narrow is no interval at all. */
    if (out->sd <= 1e-12 * fabs(out->mean))
        out->sd = 0;
    out->half = t * out->sd / sqrt((double)n);
    out->lo = out->mean - out->half;
    out->hi = out->mean + out->half;
}

/* ---- what to group by and show ----------------------------------------- */

typedef struct group {
    char **vals;          /* [n_by]; NULL where a run lacks the column */
    st_ci *ci;            /* [n_metrics]; n = 0 where none */
    size_t runs;
} group;

typedef struct report {
    sqlite3 *db;
    const char *path;
    st_error *err;
    double level;
    const char *by[MAX_BY];
    char *by_expr[MAX_BY];   /* SQL for each column */
    size_t n_by;
    char **metrics;          /* shown, in order */
    size_t n_metrics;
    group *groups;
    size_t n_groups, cap;
} report;

static const char *const headline[] = {
    "slo_attainment", "mean_accuracy", "latency_p95_ms", "cost_per_1k_usd",
    "offload_fraction", NULL};

static const struct {
    const char *name, *expr;
} run_columns[] = {
    {"policy", "r.policy"}, {"scenario", "r.scenario"}, {"seed", "r.seed"},
    {"params", "r.params"}};

#define N_RUN_COLUMNS (sizeof run_columns / sizeof *run_columns)

static int db_fail(report *r, const char *doing)
{
    return st_error_set(r->err, "%s: cannot %s: %s", r->path, doing,
                        sqlite3_errmsg(r->db));
}

/* The first column of every row of sql, as strings (NULL-ended). */
static int strings(report *r, const char *sql, char ***out, size_t *n)
{
    sqlite3_stmt *q;
    size_t cap = 8;
    *n = 0;
    *out = calloc(cap + 1, sizeof **out);
    if (!*out)
        abort();
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap *= 2;
            *out = realloc(*out, (cap + 1) * sizeof **out);
            if (!*out)
                abort();
        }
        const char *s = (const char *)sqlite3_column_text(q, 0);
        (*out)[(*n)++] = strdup(s ? s : "");
        (*out)[*n] = NULL;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_fail(r, "read the runs");
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int has_params_table(report *r)
{
    sqlite3_stmt *q;
    int n = 0;
    if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM sqlite_master WHERE"
                           " type = 'table' AND name = 'run_params'", -1, &q,
                           NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return n > 0;
}

static int find(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return (int)i;
    return -1;
}

static int add_by(report *r, const char *name, char *const *keys, size_t nk)
{
    if (r->n_by == MAX_BY)
        return st_error_set(r->err, "--by: at most %d columns", MAX_BY);
    for (size_t i = 0; i < r->n_by; i++)
        if (strcmp(r->by[i], name) == 0)
            return st_error_set(r->err, "--by: '%s' is named twice", name);
    char *expr = NULL;
    for (size_t i = 0; i < N_RUN_COLUMNS && !expr; i++)
        if (strcmp(name, run_columns[i].name) == 0)
            expr = sqlite3_mprintf("%s", run_columns[i].expr);
    if (!expr && find(keys, nk, name) >= 0)
        expr = sqlite3_mprintf("(SELECT value FROM run_params p WHERE"
                               " p.run_id = r.id AND p.key = %Q)", name);
    if (!expr) {
        char known[512] = "policy, scenario, seed, params";
        for (size_t i = 0; i < nk; i++)
            if (strlen(known) + strlen(keys[i]) + 3 < sizeof known)
                strcat(strcat(known, ", "), keys[i]);
        return st_error_set(r->err, "--by: '%s' is not a column of %s;"
                            " expected one of: %s", name, r->path, known);
    }
    r->by[r->n_by] = name;
    r->by_expr[r->n_by++] = expr;
    return 0;
}

static int count_scenarios(report *r)
{
    sqlite3_stmt *q;
    int n = 0;
    if (sqlite3_prepare_v2(r->db, "SELECT count(DISTINCT scenario) FROM runs"
                           " WHERE status = 'ok'", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return n;
}

static int resolve_by(report *r, const st_report_opts *o)
{
    char **keys = NULL;
    size_t nk = 0;
    int rc = 0;
    if (has_params_table(r))
        rc = strings(r, "SELECT DISTINCT key FROM run_params ORDER BY key",
                     &keys, &nk);
    if (rc == 0 && o->n_by) {
        for (size_t i = 0; i < o->n_by && rc == 0; i++)
            rc = add_by(r, o->by[i], keys, nk);
    } else if (rc == 0) {
        if (count_scenarios(r) > 1)
            rc = add_by(r, "scenario", keys, nk);
        if (rc == 0)
            rc = add_by(r, "policy", keys, nk);
        for (size_t i = 0; i < nk && rc == 0; i++)
            rc = add_by(r, keys[i], keys, nk);
    }
    /* by[] points into keys for the defaults: keep them with the report. */
    if (rc == 0 && !o->n_by)
        for (size_t i = 0; i < r->n_by; i++) {
            int k = find(keys, nk, r->by[i]);
            if (k >= 0)
                r->by[i] = sqlite3_mprintf("%s", keys[k]);
            else
                r->by[i] = sqlite3_mprintf("%s", r->by[i]);
        }
    free_strings(keys, nk);
    return rc;
}

static int resolve_metrics(report *r, const st_report_opts *o)
{
    char **have;
    size_t nh;
    if (strings(r, "SELECT DISTINCT name FROM metrics WHERE name IS NOT NULL"
                   " ORDER BY name", &have, &nh))
        return -1;
    int rc = 0;
    r->metrics = calloc(nh + (o ? o->n_metrics : 0) + 1, sizeof *r->metrics);
    if (!r->metrics)
        abort();
    if (o->n_metrics) {
        for (size_t i = 0; i < o->n_metrics && rc == 0; i++) {
            if (find(have, nh, o->metrics[i]) < 0)
                rc = st_error_set(r->err, "--metrics: %s has no metric '%s'"
                                  " (see 'strata export' for the names)",
                                  r->path, o->metrics[i]);
            else if (find(r->metrics, r->n_metrics, o->metrics[i]) < 0)
                r->metrics[r->n_metrics++] = strdup(o->metrics[i]);
        }
    } else if (o->all_metrics || o->format == ST_REPORT_CSV) {
        for (size_t i = 0; i < nh; i++)
            r->metrics[r->n_metrics++] = strdup(have[i]);
    } else {
        for (const char *const *m = headline; *m; m++)
            if (find(have, nh, *m) >= 0)
                r->metrics[r->n_metrics++] = strdup(*m);
    }
    free_strings(have, nh);
    return rc;
}

/* ---- reading the groups ------------------------------------------------- */

static char *query_sql(report *r)
{
    sqlite3_str *s = sqlite3_str_new(r->db);
    sqlite3_str_appendall(s, "SELECT r.id");
    for (size_t i = 0; i < r->n_by; i++)
        sqlite3_str_appendf(s, ", %s", r->by_expr[i]);
    sqlite3_str_appendall(s, ", m.name, m.value FROM runs r JOIN metrics m"
                          " ON m.run_id = r.id WHERE r.status = 'ok' ORDER BY ");
    /* Numbers in numeric order (text casts to its leading number, or 0),
     * then as text, so "250 ms" < "1 s" never happens by accident. */
    for (size_t i = 0; i < r->n_by; i++)
        sqlite3_str_appendf(s, "CAST(%s AS REAL), %s, ", r->by_expr[i],
                            r->by_expr[i]);
    sqlite3_str_appendall(s, "m.name, r.seed, r.run_key");
    return sqlite3_str_finish(s);
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_group(const group *g, sqlite3_stmt *q, size_t n_by)
{
    for (size_t i = 0; i < n_by; i++)
        if (!same_text(g->vals[i], (const char *)sqlite3_column_text(q, 1 + (int)i)))
            return 0;
    return 1;
}

static group *new_group(report *r, sqlite3_stmt *q)
{
    if (r->n_groups == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->groups = realloc(r->groups, r->cap * sizeof *r->groups);
        if (!r->groups)
            abort();
    }
    group *g = &r->groups[r->n_groups++];
    g->vals = calloc(r->n_by + 1, sizeof *g->vals);
    g->ci = calloc(r->n_metrics + 1, sizeof *g->ci);
    if (!g->vals || !g->ci)
        abort();
    for (size_t i = 0; i < r->n_metrics; i++)
        st_mean_ci(NULL, 0, r->level, &g->ci[i]);
    g->runs = 0;
    for (size_t i = 0; i < r->n_by; i++) {
        const char *v = (const char *)sqlite3_column_text(q, 1 + (int)i);
        g->vals[i] = v ? strdup(v) : NULL;
    }
    return g;
}

/* The values of one metric in one group, as they are read. */
typedef struct series {
    double *x;
    size_t n, cap, rows;
    int metric;           /* index in r->metrics, -1 if not shown */
} series;

static void series_push(series *s, sqlite3_stmt *q, int col)
{
    s->rows++;
    if (sqlite3_column_type(q, col) == SQLITE_NULL)
        return;   /* not measured in that run (a NaN when stored) */
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->x = realloc(s->x, s->cap * sizeof *s->x);
        if (!s->x)
            abort();
    }
    s->x[s->n++] = sqlite3_column_double(q, col);
}

static void series_close(report *r, group *g, series *s)
{
    if (g && s->metric >= 0) {
        st_mean_ci(s->x, s->n, r->level, &g->ci[s->metric]);
        if (s->rows > g->runs)
            g->runs = s->rows;
    }
    s->n = s->rows = 0;
}

static int read_groups(report *r)
{
    char *sql = query_sql(r);
    sqlite3_stmt *q = NULL;
    int rc = sql ? sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    int name_col = 1 + (int)r->n_by;
    group *g = NULL;
    series s = {.metric = -1};
    char *metric = NULL;
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        const char *name = (const char *)sqlite3_column_text(q, name_col);
        int new_g = !g || !same_group(g, q, r->n_by);
        if (new_g || !same_text(metric, name)) {
            series_close(r, g, &s);
            if (new_g)
                g = new_group(r, q);
            free(metric);
            metric = name ? strdup(name) : NULL;
            s.metric = name ? find(r->metrics, r->n_metrics, name) : -1;
        }
        series_push(&s, q, name_col + 1);
    }
    series_close(r, g, &s);
    free(metric);
    free(s.x);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_fail(r, "read the runs");
}

/* ---- writing ------------------------------------------------------------ */

static void put_csv_text(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

static void put_csv_num(FILE *out, double v)
{
    if (!isnan(v))
        fprintf(out, "%.10g", v);
}

static void write_csv(const report *r, FILE *out)
{
    for (size_t i = 0; i < r->n_by; i++) {
        put_csv_text(out, r->by[i]);
        putc(',', out);
    }
    fputs("metric,n,mean,sd,ci_low,ci_high,ci_half\n", out);
    for (size_t gi = 0; gi < r->n_groups; gi++) {
        const group *g = &r->groups[gi];
        for (size_t m = 0; m < r->n_metrics; m++) {
            const st_ci *c = &g->ci[m];
            for (size_t i = 0; i < r->n_by; i++) {
                put_csv_text(out, g->vals[i]);
                putc(',', out);
            }
            put_csv_text(out, r->metrics[m]);
            fprintf(out, ",%zu,", c->n);
            const double v[] = {c->mean, c->sd, c->lo, c->hi, c->half};
            for (size_t k = 0; k < 5; k++) {
                if (k)
                    putc(',', out);
                put_csv_num(out, v[k]);
            }
            putc('\n', out);
        }
    }
}

/* "0.8761 ± 0.012", or the mean alone with a single run. */
static void ci_cell(const st_ci *c, char *buf, size_t n)
{
    if (c->n == 0 || isnan(c->mean))
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

/* The table as a grid of cells: header row first. */
typedef struct grid {
    size_t rows, cols;
    char **cell;
    int *right;      /* right-align this column */
} grid;

static void grid_fill(const report *r, grid *t)
{
    t->cols = r->n_by + 1 + r->n_metrics;
    t->rows = r->n_groups + 1;
    t->cell = calloc(t->rows * t->cols, sizeof *t->cell);
    t->right = calloc(t->cols, sizeof *t->right);
    if (!t->cell || !t->right)
        abort();
    char buf[128];
    for (size_t i = 0; i < r->n_by; i++)
        t->cell[i] = strdup(r->by[i]);
    t->cell[r->n_by] = strdup("runs");
    t->right[r->n_by] = 1;
    for (size_t m = 0; m < r->n_metrics; m++) {
        t->cell[r->n_by + 1 + m] = strdup(r->metrics[m]);
        t->right[r->n_by + 1 + m] = 1;
    }
    for (size_t gi = 0; gi < r->n_groups; gi++) {
        char **row = &t->cell[(gi + 1) * t->cols];
        const group *g = &r->groups[gi];
        for (size_t i = 0; i < r->n_by; i++)
            row[i] = strdup(g->vals[i] ? g->vals[i] : "-");
        snprintf(buf, sizeof buf, "%zu", g->runs);
        row[r->n_by] = strdup(buf);
        for (size_t m = 0; m < r->n_metrics; m++) {
            ci_cell(&g->ci[m], buf, sizeof buf);
            row[r->n_by + 1 + m] = strdup(buf);
        }
    }
}

static void grid_free(grid *t)
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

static void write_grid(const report *r, FILE *out, int markdown)
{
    grid t;
    grid_fill(r, &t);
    int *w = calloc(t.cols, sizeof *w);
    if (!w)
        abort();
    for (size_t i = 0; i < t.rows * t.cols; i++)
        if (width(t.cell[i]) > w[i % t.cols])
            w[i % t.cols] = width(t.cell[i]);
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
    grid_free(&t);
}

static void report_free(report *r)
{
    for (size_t i = 0; i < r->n_by; i++)
        sqlite3_free(r->by_expr[i]);
    free_strings(r->metrics, r->n_metrics);
    for (size_t g = 0; g < r->n_groups; g++) {
        free_strings(r->groups[g].vals, r->n_by);
        free(r->groups[g].ci);
    }
    free(r->groups);
}

int st_report_write(st_store *s, const st_report_opts *o, FILE *out,
                    st_error *err)
{
    report r = {.db = st_store_sqlite(s), .path = st_store_path(s),
                .err = err, .level = o->level > 0 ? o->level : 0.95};
    if (!(r.level < 1))
        return st_error_set(err, "the confidence level must be in (0, 1),"
                            " not %g", r.level);
    int rc = resolve_by(&r, o);
    int owned_by = rc == 0 && !o->n_by;
    if (rc == 0)
        rc = resolve_metrics(&r, o);
    if (rc == 0)
        rc = read_groups(&r);
    if (rc == 0 && o->format == ST_REPORT_CSV)
        write_csv(&r, out);
    else if (rc == 0)
        write_grid(&r, out, o->format == ST_REPORT_MARKDOWN);
    if (owned_by)
        for (size_t i = 0; i < r.n_by; i++)
            sqlite3_free((char *)r.by[i]);
    report_free(&r);
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        return st_error_set(err, "cannot write the report");
    return rc;
}
