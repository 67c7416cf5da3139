/* export.c - the results database as tidy CSV (st_store_export_csv in
 * store.h): fixed columns, deterministic order, no wall-clock data, so the
 * same runs always export byte-identical text. */
#include "results/store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>

/* A run with no metrics (typically a failed one) still gets one row, with
 * an empty metric, so failures are visible in the export.  A sweep's
 * parameters go between the run's identity and its metric, one column per
 * key (see runs_query). */
static const char runs_header_id[] = "run_key,scenario,policy,params,seed";
static const char runs_header_rest[] = "status,metric,value\n";
static const char runs_sql_id[] =
    "SELECT r.run_key, r.scenario, r.policy, r.params, r.seed";
static const char runs_sql_rest[] =
    " r.status, m.name, m.value"
    " FROM runs r LEFT JOIN metrics m ON m.run_id = r.id"
    " ORDER BY r.scenario, r.policy, r.seed, r.run_key, m.name";

static const char requests_header[] =
    "run_key,scenario,policy,seed,req_id,device,model,node,outcome,offloaded,"
    "cold,arrival_s,latency_s,slo_s,accuracy,estimate_s,attempts,completed\n";
static const char requests_sql[] =
    "SELECT r.run_key, r.scenario, r.policy, r.seed, q.req_id, q.device,"
    " q.model, q.node, q.outcome, q.offloaded, q.cold, q.arrival_s,"
    " q.latency_s, q.slo_s, q.accuracy, q.estimate_s, q.attempts, q.completed"
    " FROM runs r JOIN requests q ON q.run_id = r.id"
    " ORDER BY r.scenario, r.policy, r.seed, r.run_key, q.req_id";

static const char timeseries_header[] =
    "run_key,scenario,policy,params,seed,slot,name,value,t_s\n";
static const char timeseries_sql[] =
    "SELECT r.run_key, r.scenario, r.policy, r.params, r.seed, t.slot, t.name,"
    " t.value, t.t_s"
    " FROM runs r JOIN timeseries t ON t.run_id = r.id"
    " ORDER BY r.scenario, r.policy, r.seed, r.run_key, t.slot, t.name";

/* Length-based, as SQLite text may hold NULs. */
void st_csv_put_text(FILE *out, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
        !memchr(s, '\r', n)) {
        fwrite(s, 1, n, out);
        return;
    }
    putc('"', out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            putc('"', out);
        putc(s[i], out);
    }
    putc('"', out);
}

/* ---- sweep parameters as columns ---------------------------------------- */

static const char param_keys_sql[] =
    "SELECT DISTINCT key FROM run_params ORDER BY key";
static const char has_params_sql[] =
    "SELECT count(*) FROM sqlite_master"
    " WHERE type = 'table' AND name = 'run_params'";

/* Appends header cell and select column for each parameter key; a database
 * written before run_params existed simply has none. */
static int add_param_columns(sqlite3 *db, sqlite3_str *head, sqlite3_str *sql)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, has_params_sql, -1, &q, NULL);
    int present = rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW &&
                  sqlite3_column_int(q, 0) > 0;
    sqlite3_finalize(q);
    if (rc != SQLITE_OK || !present)
        return rc;
    rc = sqlite3_prepare_v2(db, param_keys_sql, -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(q, 0);
        if (!key)
            key = "";
        /* The header is CSV, the select is SQL: quote each its own way. */
        char *cell = strchr(key, ',') || strchr(key, '"') ||
                     strchr(key, '\n') || strchr(key, '\r')
                         ? sqlite3_mprintf(",\"%w\"", key)
                         : sqlite3_mprintf(",%s", key);
        if (cell)
            sqlite3_str_appendall(head, cell);
        sqlite3_free(cell);
        sqlite3_str_appendf(sql, " (SELECT value FROM run_params p"
                            " WHERE p.run_id = r.id AND p.key = %Q),", key);
        rc = SQLITE_OK;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(q);
    return rc;
}

/* The runs export's header and query, with one column per parameter key
 * any run has (sorted; empty for runs without it).  sqlite3_free both. */
static int runs_query(st_store *s, char **header, char **sql, st_error *err)
{
    sqlite3 *db = st_store_sqlite(s);
    sqlite3_str *head = sqlite3_str_new(db), *q = sqlite3_str_new(db);
    sqlite3_str_appendall(head, runs_header_id);
    sqlite3_str_appendall(q, runs_sql_id);
    sqlite3_str_appendall(q, ",");
    int rc = add_param_columns(db, head, q);
    sqlite3_str_appendall(head, ",");
    sqlite3_str_appendall(head, runs_header_rest);
    sqlite3_str_appendall(q, runs_sql_rest);
    if (rc == SQLITE_OK)
        rc = sqlite3_str_errcode(head) ? sqlite3_str_errcode(head)
                                       : sqlite3_str_errcode(q);
    *header = sqlite3_str_finish(head);
    *sql = sqlite3_str_finish(q);
    if (rc == SQLITE_OK && *header && *sql)
        return 0;
    st_error_set(err, "%s: cannot export: %s", st_store_path(s),
                 rc == SQLITE_OK ? "out of memory" : sqlite3_errmsg(db));
    sqlite3_free(*header);
    sqlite3_free(*sql);
    return -1;
}

/* %g switches to an exponent once the exponent reaches the precision, so
 * the fewest digits can read worse than a few more ("1e+02" for 100):
 * the plain form wins when it is no longer. */
static void prefer_plain(double v, char *buf, size_t n)
{
    const char *e = strchr(buf, 'e');
    int x = e ? atoi(e + 1) : -1;
    if (x < 0 || x > 16)
        return;
    char plain[40];
    snprintf(plain, sizeof plain, "%.*g", x + 1, v);
    if (!strchr(plain, 'e') && strlen(plain) <= strlen(buf) &&
        strtod(plain, NULL) == v)
        snprintf(buf, n, "%s", plain);
}

void st_format_double(double v, char *buf, size_t n)
{
    if (n == 0)
        return;
    buf[0] = '\0';
    if (isnan(v))
        return;
    /* %.17g always reads back exactly; fewer digits often do too. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    prefer_plain(v, buf, n);
}

/* One cell, formatted by the type SQLite holds: NULL (a NaN or absent
 * value) is an empty field. */
static void put_cell(FILE *out, sqlite3_stmt *q, int col)
{
    switch (sqlite3_column_type(q, col)) {
    case SQLITE_NULL:
        break;
    case SQLITE_INTEGER:
        fprintf(out, "%lld", (long long)sqlite3_column_int64(q, col));
        break;
    case SQLITE_FLOAT: {
        char buf[40];
        st_format_double(sqlite3_column_double(q, col), buf, sizeof buf);
        fputs(buf, out);
        break;
    }
    default: {
        const char *s = (const char *)sqlite3_column_text(q, col);
        st_csv_put_text(out, s ? s : "", (size_t)sqlite3_column_bytes(q, col));
        break;
    }
    }
}

static void put_row(FILE *out, sqlite3_stmt *q)
{
    int n = sqlite3_column_count(q);
    for (int c = 0; c < n; c++) {
        if (c)
            putc(',', out);
        put_cell(out, q, c);
    }
    putc('\n', out);
}

/* The error a failed stdio write left; read at once, before SQLite's own
 * system calls can overwrite errno. */
static int write_error(FILE *out)
{
    return ferror(out) ? (errno ? errno : EIO) : 0;
}

static int write_failed(st_error *err, int e)
{
    return st_error_set(err, "cannot write the CSV: %s", strerror(e));
}

/* Streams every row of one query; a single SELECT reads one consistent
 * snapshot, so a concurrent writer cannot tear the export. */
static int write_rows(st_store *s, const char *sql, FILE *out, st_error *err)
{
    sqlite3 *db = st_store_sqlite(s);
    sqlite3_stmt *q;
    int werr = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        errno = 0;
        put_row(out, q);
        if ((werr = write_error(out)) != 0)
            break;
        rc = SQLITE_OK;
    }
    if (!werr && rc != SQLITE_DONE)
        st_error_set(err, "%s: cannot export: %s", st_store_path(s),
                     sqlite3_errmsg(db));
    sqlite3_finalize(q);
    if (werr)
        return write_failed(err, werr);
    return rc == SQLITE_DONE ? 0 : -1;
}

int st_store_export_csv(st_store *s, st_export_what what, FILE *out,
                        st_error *err)
{
    int runs = what == ST_EXPORT_RUNS;
    char *runs_header = NULL, *runs_sql = NULL;
    if (runs && runs_query(s, &runs_header, &runs_sql, err) < 0)
        return -1;
    errno = 0;
    int ts = what == ST_EXPORT_TIMESERIES;
    fputs(runs ? runs_header : ts ? timeseries_header : requests_header, out);
    int e = write_error(out);
    int rc = e ? write_failed(err, e)
               : write_rows(s, runs ? runs_sql : ts ? timeseries_sql : requests_sql,
                            out, err);
    sqlite3_free(runs_header);
    sqlite3_free(runs_sql);
    if (rc < 0)
        return -1;
    /* Buffered output reports a full disk or closed pipe only on flush. */
    errno = 0;
    if (fflush(out) != 0 || ferror(out))
        return write_failed(err, errno ? errno : EIO);
    return 0;
}
