/* check.c - the regression gate (check.h): runs experiments into a
 * temporary database and summarises each group's metrics across seeds
 * into rows.  Tolerances, comparing rows and the table of what moved are
 * check_rows.c; the expected file itself is check_file.c.
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
    e->g[e->n_g] = (group){.policy = st_check_copy_str(policy), .point = point};
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
    g->m[g->n_m] = (series){.metric = st_check_copy_str(metric)};
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
            st_check_copy_str((const char *)sqlite3_column_text(q, 0)),
            st_check_copy_str(msg ? msg : "failed")};
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
            add_failure(info, st_xasprintf("%s: %s: %s", sw->name, desc,
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
    st_sweep_opts so = {.jobs = o->jobs > 0 ? o->jobs : 1};
    for (size_t i = 0; i < r.n_e && rc == 0; i++)
        rc = st_sweep_check_memory(r.e[i].sw, &so, err);
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

