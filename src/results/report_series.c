/* report_series.c - per-slot series in the report (--timeseries): for
 * each group, series and slot, the mean and confidence interval across
 * the group's runs, as CSV.  The groups are those report.c read (so the
 * same grouping, already checked for mixing); the rows come from one
 * query ordered like them. */
#include "results/report_impl.h"
#include "results/html.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *ts_query_sql(const report *r, const st_report_opts *o)
{
    sqlite3_str *s = sqlite3_str_new(r->db);
    sqlite3_str_appendall(s, "r.config_hash, t.name, t.slot, t.t_s, t.value"
                          " FROM runs r JOIN timeseries t ON t.run_id = r.id"
                          " WHERE r.status = 'ok' AND t.name IN (");
    for (size_t i = 0; i < o->n_series; i++)
        sqlite3_str_appendf(s, "%s%Q", i ? ", " : "", o->series[i]);
    sqlite3_str_appendall(s, ")");
    char *middle = sqlite3_str_finish(s);
    char *sql = middle ? st_grouped_sql(r->db, r->by_expr, r->n_by, "r.id",
                                        middle, "t.name, t.slot, r.seed,"
                                        " r.run_key")
                       : NULL;
    sqlite3_free(middle);
    return sql;
}

/* One (group, series, slot) being read. */
typedef struct ts_cell {
    group *g;            /* its group's values (a scratch group) */
    char *name;
    int64_t slot;
    double t;            /* the slot's time (the same in every run) */
    series s;
    size_t configs;
} ts_cell;

static void ts_write(const report *r, FILE *out, ts_cell *c)
{
    if (!c->g || !c->s.rows)
        return;
    st_ci ci;
    st_mean_ci(c->s.x, c->s.n, r->level, &ci);
    for (size_t i = 0; i < r->n_by; i++) {
        rp_put_csv_text(out, c->g->vals[i]);
        putc(',', out);
    }
    rp_put_csv_text(out, c->name);
    fprintf(out, ",%lld,", (long long)c->slot);
    rp_put_csv_num(out, c->t);
    fprintf(out, ",%zu", ci.n);
    const double v[] = {ci.mean, ci.sd, ci.lo, ci.hi, ci.half};
    for (size_t k = 0; k < 5; k++) {
        putc(',', out);
        rp_put_csv_num(out, v[k]);
    }
    fprintf(out, ",%zu\n", c->g->n_hashes);
    c->s.n = c->s.rows = 0;
}

/* 1 when row q starts another (group, series, slot) than c's. */
static int ts_new_cell(const report *r, const ts_cell *c, sqlite3_stmt *q)
{
    int name_col = 2 + (int)r->n_by;
    return !c->g || !rp_same_group(c->g, q, r->n_by) ||
           !rp_same_text(c->name, (const char *)sqlite3_column_text(q, name_col)) ||
           c->slot != sqlite3_column_int64(q, name_col + 1);
}

/* The per-slot means of the series named in o, after the groups were read
 * (so the same grouping, checked for mixing). */
int rp_write_timeseries(report *r, const st_report_opts *o, FILE *out)
{
    for (size_t i = 0; i < r->n_by; i++) {
        rp_put_csv_text(out, r->by[i]);
        putc(',', out);
    }
    fputs("series,slot,t_s,n,mean,sd,ci_low,ci_high,ci_half,configs\n", out);
    char *sql = ts_query_sql(r, o);
    sqlite3_stmt *q = NULL;
    int rc = sql ? sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    int name_col = 2 + (int)r->n_by;
    ts_cell c = {0};
    size_t gi = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (ts_new_cell(r, &c, q)) {
            ts_write(r, out, &c);
            while (gi < r->n_groups && !rp_same_group(&r->groups[gi], q, r->n_by))
                gi++;   /* both passes read the groups in the same order */
            c.g = gi < r->n_groups ? &r->groups[gi] : NULL;
            free(c.name);
            const char *n = (const char *)sqlite3_column_text(q, name_col);
            c.name = strdup(n ? n : "");
            c.slot = sqlite3_column_int64(q, name_col + 1);
            c.t = sqlite3_column_type(q, name_col + 2) == SQLITE_NULL
                      ? NAN : sqlite3_column_double(q, name_col + 2);
        }
        rp_series_push(&c.s, q, name_col + 3);
    }
    ts_write(r, out, &c);
    free(c.name);
    free(c.s.x);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : rp_db_fail(r, "read the time series");
}

int rp_check_series(report *r, const st_report_opts *o)
{
    char **have;
    size_t nh;
    if (rp_strings(r, "SELECT DISTINCT name FROM timeseries ORDER BY name", &have,
                &nh))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < o->n_series && rc == 0; i++)
        if (rp_find(have, nh, o->series[i]) < 0)
            rc = st_error_set(r->err, "--timeseries: %s has no series '%s'%s",
                              r->path, o->series[i],
                              nh ? "" : " (it holds no per-slot rows at all)");
    rp_free_strings(have, nh);
    if (rc == 0 && o->format != ST_REPORT_CSV)
        rc = st_error_set(r->err, "--timeseries: only with --format csv");
    return rc;
}
