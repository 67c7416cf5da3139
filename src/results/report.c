/* report.c - a study's runs grouped, with the mean of each metric and its
 * confidence interval across the group's runs (st_report_write in
 * report.h): which columns group and which metrics show, reading the
 * groups, and refusing groups that would average different
 * configurations.  The writers are report_table.c (aligned table,
 * Markdown, tidy CSV), report_series.c (per-slot series) and
 * report_html.c (the page).
 *
 * One query returns the ok runs' metrics ordered by group, metric and
 * seed, so each group is read in one pass and the sums are always taken
 * in the same order (the same database gives byte-identical reports).
 */
#include "results/report.h"
#include "results/report_impl.h"
#include "results/html.h"
#include "base/xalloc.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

void st_mean_ci(const double *x, size_t n, double level, st_ci *out)
{
    *out = (st_ci){n, NAN, NAN, NAN, NAN, NAN, 0};
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

static const char *const headline[] = {
    "slo_attainment", "mean_accuracy", "latency_p95_ms", "cost_per_1k_usd",
    "offload_fraction", NULL};

/* Columns of the run itself; the configuration keys follow.  Seed and
 * config_hash are never a difference worth naming. */
static const struct {
    const char *name, *expr;
    int describes;        /* may tell configurations apart */
} run_columns[] = {
    {"scenario", "r.scenario", 1}, {"sweep", "r.sweep", 1},
    {"policy", "r.policy", 1},     {"params", "r.params", 1},
    {"seed", "r.seed", 0},         {"config_hash", "r.config_hash", 0}};

#define N_RUN_COLUMNS (sizeof run_columns / sizeof *run_columns)

int rp_db_fail(report *r, const char *doing)
{
    return st_error_set(r->err, "%s: cannot %s: %s", r->path, doing,
                        sqlite3_errmsg(r->db));
}

/* The first column of every row of sql, as strings (NULL-ended). */
int rp_strings(report *r, const char *sql, char ***out, size_t *n)
{
    sqlite3_stmt *q;
    size_t cap = 8;
    *n = 0;
    *out = st_xcalloc(cap + 1, sizeof **out);
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap *= 2;
            *out = st_xrealloc(*out, (cap + 1) * sizeof **out);
        }
        const char *s = (const char *)sqlite3_column_text(q, 0);
        (*out)[(*n)++] = strdup(s ? s : "");
        (*out)[*n] = NULL;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : rp_db_fail(r, "read the runs");
}

void rp_free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

int rp_find(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return (int)i;
    return -1;
}

/* SQL for a column: a run column, or a configuration key (its sweep value
 * as written, else the last override of it; NULL: the scenario file's
 * own value).  NULL when name is neither. */
static char *column_expr(const report *r, const char *name)
{
    for (size_t i = 0; i < N_RUN_COLUMNS; i++)
        if (strcmp(name, run_columns[i].name) == 0)
            return sqlite3_mprintf("%s", run_columns[i].expr);
    if (rp_find(r->keys, r->n_keys, name) < 0)
        return NULL;
    return sqlite3_mprintf("coalesce((SELECT p.value FROM run_params p WHERE"
                           " p.run_id = r.id AND p.key = %Q), (SELECT o.value"
                           " FROM run_overrides o WHERE o.run_id = r.id AND"
                           " o.key = %Q ORDER BY o.pos DESC LIMIT 1))", name,
                           name);
}

static int unknown_column(report *r, const char *name)
{
    char known[1024] = "";
    for (size_t i = 0; i < N_RUN_COLUMNS; i++)
        if (strlen(known) + strlen(run_columns[i].name) + 3 < sizeof known)
            strcat(strcat(known, i ? ", " : ""), run_columns[i].name);
    for (size_t i = 0; i < r->n_keys; i++)
        if (strlen(known) + strlen(r->keys[i]) + 3 < sizeof known)
            strcat(strcat(known, ", "), r->keys[i]);
    return st_error_set(r->err, "--by: '%s' is not a column of %s;"
                        " expected one of: %s", name, r->path, known);
}

static int add_by(report *r, const char *name)
{
    if (r->n_by == MAX_BY)
        return st_error_set(r->err, "--by: at most %d columns", MAX_BY);
    if (rp_find(r->by, r->n_by, name) >= 0)
        return st_error_set(r->err, "--by: '%s' is named twice", name);
    char *expr = column_expr(r, name);
    if (!expr)
        return unknown_column(r, name);
    r->by[r->n_by] = st_xstrdup(name);
    r->by_expr[r->n_by++] = expr;
    return 0;
}

/* 1 when the column takes more than one value (NULL counting as one)
 * over the ok runs. */
static int varies(report *r, const char *name)
{
    char *expr = column_expr(r, name);
    char *sql = expr ? sqlite3_mprintf("SELECT count(DISTINCT coalesce("
                                       "CAST(%s AS TEXT), char(1))) FROM runs r"
                                       " WHERE r.status = 'ok'", expr)
                     : NULL;
    sqlite3_stmt *q;
    int n = 0;
    if (sql && sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_free(sql);
    sqlite3_free(expr);
    return n > 1;
}

/* 1 when some policy ran with more than one set of params. */
static int params_vary_within_policy(report *r)
{
    sqlite3_stmt *q;
    int n = 1;
    if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM (SELECT 1 FROM runs"
                           " WHERE status = 'ok' GROUP BY policy HAVING"
                           " count(DISTINCT coalesce(params, char(1))) > 1)",
                           -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    return n > 0;
}

/* The default: the policy, and every other column that tells the
 * database's configurations apart (params only when a policy ran with
 * several; config_hash is added when even they do not, see
 * read_pure_groups). */
static int default_by(report *r)
{
    int rc = 0;
    for (size_t i = 0; i < N_RUN_COLUMNS && rc == 0; i++) {
        const char *c = run_columns[i].name;
        if (!run_columns[i].describes)
            continue;
        if (strcmp(c, "policy") == 0 ||
            (strcmp(c, "params") == 0 ? params_vary_within_policy(r)
                                      : varies(r, c)))
            rc = add_by(r, c);
    }
    for (size_t i = 0; i < r->n_keys && rc == 0; i++)
        if (varies(r, r->keys[i]))
            rc = add_by(r, r->keys[i]);
    return rc;
}

static int resolve_by(report *r, const st_report_opts *o)
{
    int rc = rp_strings(r, "SELECT key FROM run_params UNION"
                        " SELECT key FROM run_overrides ORDER BY 1",
                     &r->keys, &r->n_keys);
    if (rc == 0 && o->n_by) {
        for (size_t i = 0; i < o->n_by && rc == 0; i++)
            rc = add_by(r, o->by[i]);
    } else if (rc == 0) {
        rc = default_by(r);
    }
    return rc;
}

static int resolve_metrics(report *r, const st_report_opts *o)
{
    char **have;
    size_t nh;
    if (rp_strings(r, "SELECT DISTINCT name FROM metrics WHERE name IS NOT NULL"
                   " ORDER BY name", &have, &nh))
        return -1;
    int rc = 0;
    r->metrics = st_xcalloc(nh + (o ? o->n_metrics : 0) + 1, sizeof *r->metrics);
    if (o->n_metrics) {
        for (size_t i = 0; i < o->n_metrics && rc == 0; i++) {
            if (rp_find(have, nh, o->metrics[i]) < 0)
                rc = st_error_set(r->err, "--metrics: %s has no metric '%s'"
                                  " (see 'strata export' for the names)",
                                  r->path, o->metrics[i]);
            else if (rp_find(r->metrics, r->n_metrics, o->metrics[i]) < 0)
                r->metrics[r->n_metrics++] = strdup(o->metrics[i]);
        }
    } else if (o->all_metrics || o->format == ST_REPORT_CSV) {
        for (size_t i = 0; i < nh; i++)
            r->metrics[r->n_metrics++] = strdup(have[i]);
    } else {
        for (const char *const *m = headline; *m; m++)
            if (rp_find(have, nh, *m) >= 0)
                r->metrics[r->n_metrics++] = strdup(*m);
    }
    rp_free_strings(have, nh);
    return rc;
}

/* ---- reading the groups ------------------------------------------------- */

/* Columns of the query: r.id, the by columns, config_hash, metric name,
 * value. */
static char *query_sql(report *r)
{
    return st_grouped_sql(r->db, r->by_expr, r->n_by, "r.id",
                          "r.config_hash, m.name, m.value FROM runs r"
                          " JOIN metrics m ON m.run_id = r.id"
                          " WHERE r.status = 'ok'", "m.name, r.seed, r.run_key");
}

int rp_same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int rp_same_group(const group *g, sqlite3_stmt *q, size_t n_by)
{
    for (size_t i = 0; i < n_by; i++)
        if (!rp_same_text(g->vals[i], (const char *)sqlite3_column_text(q, 1 + (int)i)))
            return 0;
    return 1;
}

static group *new_group(report *r, sqlite3_stmt *q)
{
    if (r->n_groups == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->groups = st_xrealloc(r->groups, r->cap * sizeof *r->groups);
    }
    group *g = &r->groups[r->n_groups++];
    *g = (group){0};
    g->vals = st_xcalloc(r->n_by + 1, sizeof *g->vals);
    g->ci = st_xcalloc(r->n_metrics + 1, sizeof *g->ci);
    for (size_t i = 0; i < r->n_metrics; i++)
        st_mean_ci(NULL, 0, r->level, &g->ci[i]);
    for (size_t i = 0; i < r->n_by; i++) {
        const char *v = (const char *)sqlite3_column_text(q, 1 + (int)i);
        g->vals[i] = v ? strdup(v) : NULL;
    }
    return g;
}

/* Remembers the configuration of a row's run in its group. */
static void note_hash(group *g, const char *hash)
{
    const char *h = hash ? hash : "";
    if (rp_find(g->hashes, g->n_hashes, h) >= 0)
        return;
    g->hashes = st_xreallocarray(g->hashes, g->n_hashes + 1, sizeof *g->hashes);
    g->hashes[g->n_hashes] = st_xstrdup(h);
    g->n_hashes++;
}

void rp_series_push(series *s, sqlite3_stmt *q, int col)
{
    s->rows++;
    if (sqlite3_column_type(q, col) == SQLITE_NULL)
        return;   /* not measured in that run (a NaN when stored) */
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->x = st_xrealloc(s->x, s->cap * sizeof *s->x);
    }
    s->x[s->n++] = sqlite3_column_double(q, col);
}

static void series_close(report *r, group *g, series *s)
{
    if (g && s->metric >= 0) {
        st_ci *c = &g->ci[s->metric];
        st_mean_ci(s->x, s->n, r->level, c);
        c->missing = s->rows - s->n;
        if (c->missing && s->n)   /* never an average of the survivors */
            *c = (st_ci){s->n, NAN, NAN, NAN, NAN, NAN, c->missing};
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
    int hash_col = 1 + (int)r->n_by, name_col = hash_col + 1;
    group *g = NULL;
    series s = {.metric = -1};
    char *metric = NULL;
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        const char *name = (const char *)sqlite3_column_text(q, name_col);
        int new_g = !g || !rp_same_group(g, q, r->n_by);
        if (new_g || !rp_same_text(metric, name)) {
            series_close(r, g, &s);
            if (new_g)
                g = new_group(r, q);
            free(metric);
            metric = name ? strdup(name) : NULL;
            s.metric = name ? rp_find(r->metrics, r->n_metrics, name) : -1;
        }
        note_hash(g, (const char *)sqlite3_column_text(q, hash_col));
        rp_series_push(&s, q, name_col + 1);
    }
    series_close(r, g, &s);
    free(metric);
    free(s.x);
    sqlite3_finalize(q);
    r->n_mixed = 0;
    for (size_t i = 0; i < r->n_groups; i++)
        r->n_mixed += r->groups[i].n_hashes > 1;
    return rc == SQLITE_DONE ? 0 : rp_db_fail(r, "read the runs");
}

static void free_groups(report *r)
{
    for (size_t g = 0; g < r->n_groups; g++) {
        rp_free_strings(r->groups[g].vals, r->n_by);
        rp_free_strings(r->groups[g].hashes, r->groups[g].n_hashes);
        free(r->groups[g].ci);
    }
    free(r->groups);
    r->groups = NULL;
    r->n_groups = r->cap = 0;
}

/* ---- groups that would average different configurations ---------------- */

/* The columns that may differ within a group: the describing run columns
 * and every configuration key not grouped by. */
static size_t candidates(const report *r, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < N_RUN_COLUMNS && n < max; i++)
        if (run_columns[i].describes &&
            rp_find(r->by, r->n_by, run_columns[i].name) < 0)
            out[n++] = run_columns[i].name;
    for (size_t i = 0; i < r->n_keys && n < max; i++)
        if (rp_find(r->by, r->n_by, r->keys[i]) < 0)
            out[n++] = r->keys[i];
    return n;
}

/* For one group, marks in differs[] the candidates that take more than
 * one value over its runs. */
static int mark_differences(report *r, const group *g, const char **cand,
                            size_t nc, int *differs)
{
    sqlite3_str *s = sqlite3_str_new(r->db);
    sqlite3_str_appendall(s, "SELECT 0");
    for (size_t c = 0; c < nc; c++) {
        char *e = column_expr(r, cand[c]);
        sqlite3_str_appendf(s, ", count(DISTINCT coalesce(CAST(%s AS TEXT),"
                            " char(1)))", e);
        sqlite3_free(e);
    }
    sqlite3_str_appendall(s, " FROM runs r WHERE r.status = 'ok'");
    for (size_t i = 0; i < r->n_by; i++)
        sqlite3_str_appendf(s, " AND CAST(%s AS TEXT) IS ?%d", r->by_expr[i],
                            (int)i + 1);
    char *sql = sqlite3_str_finish(s);
    sqlite3_stmt *q;
    int rc = sql ? sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return rp_db_fail(r, "compare the runs of a group");
    for (size_t i = 0; i < r->n_by; i++)
        sqlite3_bind_text(q, (int)i + 1, g->vals[i], -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        for (size_t c = 0; c < nc; c++)
            differs[c] |= sqlite3_column_int(q, (int)c + 1) > 1;
    sqlite3_finalize(q);
    return 0;
}

/* "k1, k2" over every mixed group, into r->differ. */
static int describe_mix(report *r)
{
    const char *cand[MAX_BY + 64 + 1024];
    size_t nc = candidates(r, cand, sizeof cand / sizeof *cand);
    int *differs = st_xcalloc(nc + 1, sizeof *differs);
    int rc = 0;
    for (size_t i = 0; i < r->n_groups && rc == 0; i++)
        if (r->groups[i].n_hashes > 1)
            rc = mark_differences(r, &r->groups[i], cand, nc, differs);
    sqlite3_str *s = sqlite3_str_new(NULL);
    for (size_t c = 0; c < nc; c++)
        if (differs[c])
            sqlite3_str_appendf(s, "%s%s", sqlite3_str_length(s) ? ", " : "",
                                cand[c]);
    if (!sqlite3_str_length(s))
        sqlite3_str_appendall(s, "the scenario text itself (the same keys,"
                              " but different scenario files or versions of"
                              " one; compare runs.config_text)");
    free(differs);
    r->differ = sqlite3_str_finish(s);
    return rc;
}

/* The first mixed group, as "col=value col=value". */
static char *mixed_example(const report *r)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    for (size_t i = 0; i < r->n_groups; i++) {
        const group *g = &r->groups[i];
        if (g->n_hashes < 2)
            continue;
        for (size_t k = 0; k < r->n_by; k++)
            sqlite3_str_appendf(s, "%s%s=%s", k ? " " : "", r->by[k],
                                g->vals[k] ? g->vals[k] : "-");
        sqlite3_str_appendf(s, " (%lld configurations)", (long long)g->n_hashes);
        break;
    }
    return sqlite3_str_finish(s);
}

/* Reads the groups and makes sure none averages different configurations:
 * the default grouping then adds config_hash; a grouping that was asked
 * for is refused, naming what differs, unless --pool allows it. */
static int read_pure_groups(report *r, int asked)
{
    int rc = read_groups(r);
    if (rc || !r->n_mixed)
        return rc;
    if (!asked) {
        free_groups(r);
        return add_by(r, "config_hash") || read_groups(r);
    }
    if (describe_mix(r))
        return -1;
    if (r->pool)
        return 0;
    char *ex = mixed_example(r);
    sqlite3_str *by = sqlite3_str_new(NULL);
    for (size_t i = 0; i < r->n_by; i++)
        sqlite3_str_appendf(by, "%s%s", i ? "," : "", r->by[i]);
    char *by_text = sqlite3_str_finish(by);
    rc = st_error_set(r->err, "%s: grouping by %s would average runs of"
                      " different configurations in %zu group%s (e.g. %s);"
                      " they differ in: %s.  Add those keys to --by (or"
                      " group by config_hash), or pass --pool to average"
                      " them anyway", r->path, by_text ? by_text : "?",
                      r->n_mixed, r->n_mixed == 1 ? "" : "s", ex ? ex : "",
                      r->differ ? r->differ : "?");
    sqlite3_free(ex);
    sqlite3_free(by_text);
    return rc;
}

static void report_free(report *r)
{
    for (size_t i = 0; i < r->n_by; i++) {
        free(r->by[i]);
        sqlite3_free(r->by_expr[i]);
    }
    rp_free_strings(r->keys, r->n_keys);
    rp_free_strings(r->metrics, r->n_metrics);
    free_groups(r);
    sqlite3_free(r->differ);
}

int st_report_write(st_store *s, const st_report_opts *o, FILE *out,
                    st_error *err)
{
    report r = {.db = st_store_sqlite(s), .path = st_store_path(s),
                .err = err, .level = o->level > 0 ? o->level : 0.95,
                .pool = o->pool};
    if (!(r.level < 1))
        return st_error_set(err, "the confidence level must be in (0, 1),"
                            " not %g", r.level);
    int rc = resolve_by(&r, o);
    if (rc == 0)
        rc = resolve_metrics(&r, o);
    if (rc == 0 && o->n_series)
        rc = rp_check_series(&r, o);
    if (rc == 0)
        rc = read_pure_groups(&r, o->n_by > 0);
    if (rc == 0 && o->n_series)
        rc = rp_write_timeseries(&r, o, out);
    else if (rc == 0 && o->format == ST_REPORT_CSV)
        rp_write_csv(&r, out);
    else if (rc == 0 && o->format == ST_REPORT_HTML)
        rc = rp_write_html(&r, out);
    else if (rc == 0)
        rp_write_grid(&r, out, o->format == ST_REPORT_MARKDOWN);
    report_free(&r);
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        return st_error_set(err, "cannot write the report");
    return rc;
}
