/* check.c - the regression gate (check.h): runs experiments into a
 * temporary database, summarises each group's metrics across seeds,
 * compares the summaries with the expected rows within their tolerances,
 * and prints what moved.  The expected file itself is check_file.c.
 */
#include "study/check.h"
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

/* The fewest digits that read back as v: "0.99", not "0.98999999999999999". */
static void shortest(double v, char *buf, size_t n)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
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
    shortest(t->value, num, sizeof num);
    snprintf(buf, n, "%s%s", prefix[t->kind], num);
}

/* ---- sets of rows ------------------------------------------------------- */

static char *copy_str(const char *s)
{
    char *d = st_xstrdup(s ? s : "");
    return d;
}

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A formatted string in fresh memory. */
static char *strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        st_oom("a formatted message");
    char *s = st_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
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
    *r = (st_check_row){.experiment = copy_str(experiment),
                        .policy = copy_str(policy), .point = copy_str(point),
                        .metric = copy_str(metric), .mean = NAN, .sd = NAN};
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

/* ---- running the experiments ------------------------------------------- */

/* The values of one metric in one group, in seed order. */
typedef struct series {
    char *metric;
    double *x;
    size_t n, cap;
} series;

/* One (policy, point) of an experiment: the runs that differ by seed,
 * which must share one configuration hash. */
typedef struct group {
    char *policy, *point;
    char config[17];      /* the first run's config_hash; "" before it */
    int mixed;            /* a run of another configuration came in */
    series *m;
    size_t n_m, cap_m;
} group;

typedef struct experiment {
    st_sweep *sw;
    group *g;
    size_t n_g, cap_g;
    size_t *point_group;      /* [n_points] */
} experiment;

/* A run key and the (experiment, group) it feeds. */
typedef struct keyref {
    const char *run_key;
    size_t exp, point;
} keyref;

typedef struct runner {
    experiment *e;
    size_t n_e;
    keyref *keys;
    size_t n_keys;
    st_error *err;
} runner;

/* "k1=v1;k2=v2": point i's grid values. */
static char *point_text(const st_sweep *sw, size_t i)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        st_oom("a grid-point label");
    for (size_t k = 0; k < sw->n_keys; k++)
        fprintf(f, "%s%s=%s", k ? ";" : "", sw->keys[k].path,
                st_sweep_value(sw, i, k));
    if (fclose(f))
        st_oom("a grid-point label");
    return buf;
}

static size_t find_group(experiment *e, const char *policy, char *point)
{
    for (size_t i = 0; i < e->n_g; i++)
        if (strcmp(e->g[i].policy, policy) == 0 &&
            strcmp(e->g[i].point, point) == 0) {
            free(point);
            return i;
        }
    if (e->n_g == e->cap_g) {
        e->cap_g = e->cap_g ? 2 * e->cap_g : 16;
        e->g = st_xrealloc(e->g, e->cap_g * sizeof *e->g);
    }
    e->g[e->n_g] = (group){.policy = copy_str(policy), .point = point};
    return e->n_g++;
}

static void group_points(experiment *e)
{
    const st_sweep *sw = e->sw;
    e->point_group = st_xcalloc(sw->n_points + 1, sizeof *e->point_group);
    for (size_t i = 0; i < sw->n_points; i++)
        e->point_group[i] = find_group(e, sw->points[i].policy,
                                       point_text(sw, i));
}

static series *group_metric(group *g, const char *metric)
{
    for (size_t i = 0; i < g->n_m; i++)
        if (strcmp(g->m[i].metric, metric) == 0)
            return &g->m[i];
    if (g->n_m == g->cap_m) {
        g->cap_m = g->cap_m ? 2 * g->cap_m : 32;
        g->m = st_xrealloc(g->m, g->cap_m * sizeof *g->m);
    }
    g->m[g->n_m] = (series){.metric = copy_str(metric)};
    return &g->m[g->n_m++];
}

static void series_push(series *s, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->x = st_xrealloc(s->x, s->cap * sizeof *s->x);
    }
    s->x[s->n++] = v;
}

static void free_experiment(experiment *e)
{
    for (size_t i = 0; i < e->n_g; i++) {
        for (size_t j = 0; j < e->g[i].n_m; j++) {
            free(e->g[i].m[j].metric);
            free(e->g[i].m[j].x);
        }
        free(e->g[i].m);
        free(e->g[i].policy);
        free(e->g[i].point);
    }
    free(e->g);
    free(e->point_group);
    st_sweep_free(e->sw);
}

static void free_runner(runner *r)
{
    for (size_t i = 0; i < r->n_e; i++)
        free_experiment(&r->e[i]);
    free(r->e);
    free(r->keys);
}

/* A point that cannot run is a broken experiment, not a regression. */
static int check_points(const st_sweep *sw, const char *path, st_error *err)
{
    for (size_t i = 0; i < sw->n_points; i++)
        if (sw->points[i].error) {
            char desc[512];
            st_sweep_describe(sw, i, desc, sizeof desc);
            return st_error_set(err, "%s: point %zu (%s) cannot run: %s",
                                path, i, desc, sw->points[i].error);
        }
    return 0;
}

static int load_experiments(runner *r, const char *const *paths, size_t n)
{
    r->e = st_xcalloc(n + 1, sizeof *r->e);
    for (size_t i = 0; i < n; i++) {
        experiment *e = &r->e[i];
        if (st_sweep_load(paths[i], &e->sw, r->err))
            return -1;
        r->n_e++;
        if (check_points(e->sw, paths[i], r->err))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->e[j].sw->name, e->sw->name) == 0)
                return st_error_set(r->err, "%s and %s are both named '%s';"
                                    " the expected file tells experiments"
                                    " apart by name", paths[j], paths[i],
                                    e->sw->name);
        group_points(e);
    }
    return 0;
}

static int keyref_cmp(const void *a, const void *b)
{
    return strcmp(((const keyref *)a)->run_key, ((const keyref *)b)->run_key);
}

/* Every point's run key, sorted, so a database row finds its points (two
 * experiments may share a run). */
static void index_keys(runner *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->n_e; i++)
        total += r->e[i].sw->n_points;
    r->keys = st_xcalloc(total + 1, sizeof *r->keys);
    for (size_t i = 0; i < r->n_e; i++)
        for (size_t p = 0; p < r->e[i].sw->n_points; p++)
            r->keys[r->n_keys++] = (keyref){r->e[i].sw->points[p].run_key,
                                            i, p};
    qsort(r->keys, r->n_keys, sizeof *r->keys, keyref_cmp);
}

/* The range of keys equal to run_key: [*lo, *hi). */
static void key_range(const runner *r, const char *run_key, size_t *lo,
                      size_t *hi)
{
    size_t a = 0, b = r->n_keys;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (strcmp(r->keys[m].run_key, run_key) < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (a < r->n_keys && strcmp(r->keys[a].run_key, run_key) == 0)
        a++;
    *hi = a;
}

static int db_fail(runner *r, st_store *db, const char *doing)
{
    return st_error_set(r->err, "%s: cannot %s: %s", st_store_path(db), doing,
                        sqlite3_errmsg(st_store_sqlite(db)));
}

/* Each metric row of an ok run goes to every group holding the run; a
 * metric stored as NULL (not measured) still names the series, so a group
 * where it is never measured gets a row with n = 0. */
static void take_metric(runner *r, sqlite3_stmt *q)
{
    const char *key = (const char *)sqlite3_column_text(q, 0);
    const char *name = (const char *)sqlite3_column_text(q, 1);
    size_t lo, hi;
    if (!key || !name)
        return;
    const char *hash = (const char *)sqlite3_column_text(q, 3);
    key_range(r, key, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
        experiment *e = &r->e[r->keys[k].exp];
        group *g = &e->g[e->point_group[r->keys[k].point]];
        if (!g->config[0] && hash)
            snprintf(g->config, sizeof g->config, "%s", hash);
        else if (!hash || strcmp(g->config, hash) != 0)
            g->mixed = 1;
        series *s = group_metric(g, name);
        if (sqlite3_column_type(q, 2) != SQLITE_NULL)
            series_push(s, sqlite3_column_double(q, 2));
    }
}

/* Every group is one configuration's seeds, or the gate would compare
 * averages of different configurations. */
static int check_pure(runner *r)
{
    for (size_t i = 0; i < r->n_e; i++)
        for (size_t j = 0; j < r->e[i].n_g; j++)
            if (r->e[i].g[j].mixed)
                return st_error_set(r->err, "%s: policy %s, point '%s': its"
                                    " seeds ran different configurations"
                                    " (config_hash differs)", r->e[i].sw->file,
                                    r->e[i].g[j].policy, r->e[i].g[j].point);
    return 0;
}

static int read_metrics(runner *r, st_store *db)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(st_store_sqlite(db),
        "SELECT r.run_key, m.name, m.value, r.config_hash FROM runs r"
        " JOIN metrics m"
        " ON m.run_id = r.id WHERE r.status = 'ok'"
        " ORDER BY r.seed, r.run_key, m.name", -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        take_metric(r, q);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return db_fail(r, db, "read the runs");
    return check_pure(r);
}

static void add_failure(st_check_runinfo *info, char *line)
{
    info->failures = st_xrealloc(info->failures,
                             (info->failed + 1) * sizeof *info->failures);
    info->failures[info->failed++] = line;
}

/* A failed run's message by key, from the database (sorted by key). */
typedef struct failed_run {
    char *run_key, *message;
} failed_run;

static int failed_cmp(const void *a, const void *b)
{
    return strcmp(((const failed_run *)a)->run_key,
                  ((const failed_run *)b)->run_key);
}

static int read_failed(runner *r, st_store *db, failed_run **out, size_t *n)
{
    sqlite3_stmt *q;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = sqlite3_prepare_v2(st_store_sqlite(db),
        "SELECT run_key, message FROM runs WHERE status <> 'ok'"
        " ORDER BY run_key", -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            *out = st_xrealloc(*out, cap * sizeof **out);
        }
        const char *msg = (const char *)sqlite3_column_text(q, 1);
        (*out)[(*n)++] = (failed_run){
            copy_str((const char *)sqlite3_column_text(q, 0)),
            copy_str(msg ? msg : "failed")};
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_fail(r, db, "read the failed runs");
}

/* The failed runs, in the order of the experiments' points. */
static int read_failures(runner *r, st_store *db, st_check_runinfo *info)
{
    failed_run *f;
    size_t n;
    if (read_failed(r, db, &f, &n))
        return -1;
    for (size_t i = 0; i < r->n_e && n; i++) {
        const st_sweep *sw = r->e[i].sw;
        for (size_t p = 0; p < sw->n_points; p++) {
            failed_run key = {.run_key = sw->points[p].run_key};
            const failed_run *hit = bsearch(&key, f, n, sizeof *f, failed_cmp);
            if (!hit)
                continue;
            char desc[512];
            st_sweep_describe(sw, p, desc, sizeof desc);
            add_failure(info, strf("%s: %s: %s", sw->name, desc,
                                   hit->message));
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(f[i].run_key);
        free(f[i].message);
    }
    free(f);
    return 0;
}

static int series_cmp(const void *a, const void *b)
{
    return strcmp(((const series *)a)->metric, ((const series *)b)->metric);
}

static void emit_rows(runner *r, st_check_set *got)
{
    for (size_t i = 0; i < r->n_e; i++) {
        experiment *e = &r->e[i];
        for (size_t gi = 0; gi < e->n_g; gi++) {
            group *g = &e->g[gi];
            if (g->n_m)
                qsort(g->m, g->n_m, sizeof *g->m, series_cmp);
            for (size_t m = 0; m < g->n_m; m++) {
                series *s = &g->m[m];
                st_check_row *row = st_check_set_push(got, e->sw->name,
                                                      g->policy, g->point,
                                                      s->metric);
                st_ci ci;
                st_mean_ci(s->x, s->n, CI_LEVEL, &ci);
                row->n = s->n;
                row->mean = ci.mean;
                row->sd = ci.sd;
                row->x = s->x;      /* the row owns the values now */
                s->x = NULL;
            }
        }
    }
}

/* A fresh empty file for the database, under $TMPDIR. */
static int temp_db(char *path, size_t n, st_error *err)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, n, "%s/strata-check-XXXXXX.db", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(path, 3);
    if (fd < 0)
        return st_error_set(err, "cannot create a temporary database %s: %s",
                            path, strerror(errno));
    close(fd);
    return 0;
}

static void remove_db(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char buf[4200];
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        snprintf(buf, sizeof buf, "%s%s", path, suffix[i]);
        unlink(buf);
    }
}

static double now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static int run_all(runner *r, st_store *db, const st_check_opts *o,
                   st_check_runinfo *info)
{
    st_sweep_opts so = {.jobs = o->jobs > 0 ? o->jobs : 1, .quiet = o->quiet};
    for (size_t i = 0; i < r->n_e && !info->interrupted; i++) {
        st_sweep_summary sum;
        if (st_sweep_run_local(r->e[i].sw, db, &so, &sum, r->err))
            return -1;
        info->runs += sum.ran + sum.failed + sum.stored;
        info->interrupted = sum.interrupted;
    }
    return 0;
}

int st_check_run(const char *const *experiments, size_t n,
                 const st_check_opts *o, st_check_set *got,
                 st_check_runinfo *info, st_error *err)
{
    runner r = {.err = err};
    char path[4096];
    st_store *db = NULL;
    *info = (st_check_runinfo){0};
    double t0 = now_s();
    int rc = load_experiments(&r, experiments, n);
    if (rc == 0) {
        index_keys(&r);
        rc = temp_db(path, sizeof path, err);
    }
    if (rc == 0) {
        rc = st_store_open(path, &db, err);
        if (rc == 0)
            rc = run_all(&r, db, o, info);
        if (rc == 0 && !info->interrupted)
            rc = read_failures(&r, db, info);
        if (rc == 0 && !info->interrupted)
            rc = read_metrics(&r, db);
        st_store_close(db);
        remove_db(path);
    }
    if (rc == 0 && !info->interrupted)
        emit_rows(&r, got);
    free_runner(&r);
    info->wall_s = now_s() - t0;
    return rc;
}

void st_check_runinfo_free(st_check_runinfo *info)
{
    for (size_t i = 0; i < info->failed; i++)
        free(info->failures[i]);
    free(info->failures);
    *info = (st_check_runinfo){0};
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
    char *s = strf("%s%s%s%s%s", with_experiment ? row->experiment : "",
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
        return copy_str("-");
    if (what && strcmp(what, "n") == 0)
        return strf("n=%zu", row->n);
    if (what && strcmp(what, "sd") == 0)
        return isnan(row->sd) ? copy_str("sd=-") : strf("sd=%.6g", row->sd);
    return isnan(row->mean) ? copy_str("-") : strf("%.6g", row->mean);
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
        return copy_str("-");
    if (e == g)
        return copy_str("0");
    if (e != 0)
        return strf("%+.3g (%+.3g%%)", g - e, (g - e) / fabs(e) * 100);
    return strf("%+.3g", g - e);
}

static char *verdict_cell(const st_check_diff *d)
{
    switch (d->verdict) {
    case ST_CHECK_OK:
        return copy_str(d->changed ? "ok (within tolerance)" : "ok");
    case ST_CHECK_MOVED:
        return strcmp(d->what, "mean") == 0 ? copy_str("MOVED")
                                            : strf("MOVED (%s)", d->what);
    case ST_CHECK_MISSING:
        return strf("MISSING (line %zu; not in the run)", d->expected->line);
    case ST_CHECK_NEW:
        break;
    }
    return copy_str("NEW (not in the expected file)");
}

static void fill_row(char **cell, const st_check_diff *d, int with_exp)
{
    const st_check_row *any = diff_row(d);
    char tol[64] = "exact";
    if (d->expected)
        st_tolerance_format(&d->expected->tol, tol, sizeof tol);
    cell[0] = group_label(any, with_exp);
    cell[1] = copy_str(any->metric);
    cell[2] = value_cell(d->expected, d->what);
    cell[3] = value_cell(d->got, d->what);
    cell[4] = difference_cell(d);
    cell[5] = copy_str(d->expected ? tol : "-");
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
    cell[1] = strf("(all %zu metrics)", end - i);
    cell[2] = copy_str("-");
    cell[3] = copy_str("-");
    cell[4] = copy_str("-");
    cell[5] = copy_str("-");
    if (d->verdict == ST_CHECK_MISSING)
        cell[6] = strf("MISSING: the run has no such group (lines %zu-%zu)",
                       d->expected->line, r->diffs[end - 1].expected->line);
    else
        cell[6] = copy_str("NEW: a group the expected file does not have");
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
