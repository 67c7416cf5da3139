/* store_put.c - writing one run into the results database in one
 * transaction: the run row, its overrides, names, metrics, parameters,
 * request rows (by id, one INSERT ... SELECT from the log) and time
 * series; the configuration hash that ignores only the seed; and the
 * run_summary view's columns.
 */
#include "results/store.h"
#include "results/store_impl.h"
#include "base/hash.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing a run ---------------------------------------------------- */

/* ---- references to the run ---------------------------------------------
 *
 * Every other table names its run (run_id REFERENCES runs(id) ON DELETE
 * CASCADE).  SQLite checks an immediate foreign key by opening a cursor on
 * runs for every row inserted: a tenth of storing a run's request rows.  A
 * put therefore runs with the connection's foreign keys off and does in its
 * own transaction what they would do there:
 *   - the replaced run's rows are deleted from every table whose foreign
 *     key references runs, read from the schema (the cascade), before the
 *     run itself;
 *   - every row the put inserts names the same run, c->run_id (the only
 *     run id it binds: ?1 of every statement), and that run must exist at
 *     COMMIT (check_run_exists), so no row can name a missing run.
 * The pragma cannot change inside a transaction, and each change makes
 * SQLite prepare every statement again, so the first put turns the foreign
 * keys off and they stay off (store_foreign_keys); the other writer, merge,
 * turns them on again for its copies. */
static const char referencing_sql[] =
    "SELECT m.name, f.\"from\" FROM sqlite_master m,"
    " pragma_foreign_key_list(m.name) f"
    " WHERE m.type = 'table' AND f.\"table\" = 'runs' ORDER BY m.name";

static const char delete_run_sql[] = "DELETE FROM runs WHERE run_key = ?1";

static const char insert_run_sql[] =
    "INSERT INTO runs(run_key, scenario, config_text, config_hash, policy,"
    " params, seed, version, started, finished, wall_s, events, status,"
    " message, text_hash, scenario_file, overrides, sweep, sweep_file,"
    " sweep_hash, sweep_point) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

static const char insert_metric_sql[] =
    "INSERT INTO metrics(run_id, name, value) VALUES(?1, ?2, ?3)";

static const char insert_param_sql[] =
    "INSERT INTO run_params(run_id, key, value) VALUES(?1, ?2, ?3)";

static const char insert_override_sql[] =
    "INSERT INTO run_overrides(run_id, pos, key, value) VALUES(?1, ?2, ?3, ?4)";

static const char insert_name_sql[] =
    "INSERT OR REPLACE INTO run_names(run_id, kind, first, last, name)"
    " VALUES(?1, ?2, ?3, ?4, ?5)";

/* A run's request rows go in with one INSERT ... SELECT from its log, read
 * as the virtual table st_request_rows (request_rows.c).  Many-row INSERTs
 * of bound parameters cost 8% more instructions a row: each of 15 binds a
 * row passes SQLite's checks, and each value is then copied into the
 * statement's registers.  The statement is prepared at its first use and
 * kept by the store (st_store.request_stmt).
 *
 * It is INSERT OR FAIL.  A statement that writes many rows and may ABORT
 * must be able to undo just itself, so SQLite would first copy each page
 * it changes that the database held before the statement to a statement
 * journal.  FAIL stops at a failing row without that undo, and a failed
 * put rolls back its whole transaction anyway. */
static const char insert_requests_sql[] =
    "INSERT OR FAIL INTO requests(" REQUESTS_COLUMNS ")"
    " SELECT ?1, req_id, device, model, node, outcome, offloaded, cold,"
    " arrival_s, latency_s, slo_s, accuracy, estimate_s, attempts, completed"
    " FROM st_request_rows(?2)";

/* ---- the configuration hash ------------------------------------------- */

/* A line of the canonical text that sets the top-level seed. */
static int is_seed_line(const char *line)
{
    return strncmp(line, "seed:", 5) == 0;
}

void st_store_config_hash(const char *config_text, const char *policy,
                          const char *params, char out[17])
{
    uint64_t h = st_hash_str(ST_HASH_INIT, "config");
    for (const char *p = config_text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (!is_seed_line(p))
            h = st_hash_bytes(h, p, len);
        p += len;
    }
    h = st_hash_u64(h, 0);   /* the text's end, so no shift is ambiguous */
    h = st_hash_str(h, policy);
    h = st_hash_u64(h, 0);
    h = st_hash_str(h, params);
    st_hash_hex(h, out);
}

/* ---- the run_summary view --------------------------------------------- */

/* The run columns of run_summary, before the configuration keys and the
 * metrics (each a column named after it). */
static const char summary_head_sql[] =
    "CREATE VIEW run_summary AS SELECT r.id AS run_id, r.run_key, r.scenario,"
    " r.sweep, r.policy, r.params, r.seed, r.config_hash, r.status";

static const char summary_keys_sql[] =
    "SELECT key, 0 FROM (SELECT key FROM run_params UNION"
    " SELECT key FROM run_overrides) UNION"
    " SELECT DISTINCT name, 1 FROM metrics WHERE name IS NOT NULL"
    " ORDER BY 2, 1";

static const char *const summary_fixed[] = {
    "run_id", "run_key", "scenario", "sweep", "policy", "params", "seed",
    "config_hash", "status", NULL};

static int is_fixed_column(const char *name)
{
    for (const char *const *f = summary_fixed; *f; f++)
        if (strcmp(*f, name) == 0)
            return 1;
    return 0;
}

/* One column: a configuration key (the grid value as written, else the
 * last override of it) or a metric. */
static void summary_column(sqlite3_str *v, const char *name, int metric)
{
    if (metric)
        sqlite3_str_appendf(v, ", (SELECT m.value FROM metrics m WHERE"
                            " m.run_id = r.id AND m.name = %Q) AS \"%w\"",
                            name, name);
    else
        sqlite3_str_appendf(v, ", coalesce((SELECT p.value FROM run_params p"
                            " WHERE p.run_id = r.id AND p.key = %Q),"
                            " (SELECT o.value FROM run_overrides o WHERE"
                            " o.run_id = r.id AND o.key = %Q ORDER BY o.pos"
                            " DESC LIMIT 1)) AS \"%w\"", name, name, name);
}

int st_store_refresh_summary(sqlite3 *db)
{
    sqlite3_str *v = sqlite3_str_new(db);
    sqlite3_str_appendall(v, summary_head_sql);
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, summary_keys_sql, -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        /* A key spelled like a run column (or a metric like a key) would
         * make the view invalid; the run column wins. */
        if (name && !is_fixed_column(name))
            summary_column(v, name, sqlite3_column_int(q, 1));
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    sqlite3_str_appendall(v, " FROM runs r");
    char *sql = sqlite3_str_finish(v);
    if (rc == SQLITE_DONE)
        rc = sql ? store_exec(db, "DROP VIEW IF EXISTS run_summary") : SQLITE_NOMEM;
    if (rc == SQLITE_OK)
        rc = store_exec(db, sql);
    sqlite3_free(sql);
    return rc;
}

/* 1 when run id has a configuration key or metric run_summary lacks. */
static int summary_is_stale(sqlite3 *db, int64_t id)
{
    sqlite3_stmt *q;
    int stale = 1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM (SELECT key AS k FROM"
            " run_params WHERE run_id = ?1 UNION SELECT key FROM run_overrides"
            " WHERE run_id = ?1 UNION SELECT name FROM metrics WHERE"
            " run_id = ?1 AND name IS NOT NULL) WHERE k NOT IN (SELECT name"
            " FROM pragma_table_info('run_summary'))", -1, &q,
            NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, id);
        if (sqlite3_step(q) == SQLITE_ROW)
            stale = sqlite3_column_int(q, 0) > 0;
    }
    sqlite3_finalize(q);
    return stale;
}

/* Prepares sql, runs fill() once per item, finalizes.  fill binds and steps
 * one row; the first failure stops the loop. */
typedef int (*row_fill)(binder *b, const void *ctx, size_t i);

static int run_rows(sqlite3 *db, const char *sql, row_fill fill,
                    const void *ctx, size_t n)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        binder b = store_bind_start(q);
        rc = fill(&b, ctx, i);
    }
    sqlite3_finalize(q);
    return rc;
}

typedef struct put_ctx {
    const st_run_record *r;
    int64_t run_id;
    char text_hash[17], config_hash[17];
    char *overrides;     /* "key=value" lines, sqlite3_malloc'd */
    size_t *order;       /* the request rows by id (request_order) */
} put_ctx;

/* A request row's id and its place in the log. */
typedef struct id_at {
    uint64_t id;
    size_t at;
} id_at;

static int cmp_id_at(const void *pa, const void *pb)
{
    const id_at *a = pa, *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* order[0..n) = the rows of recs by id, each put in its id's place: for
 * ids that are n consecutive numbers (a run logs every request from its
 * first measured one on).  0, or -1 when they are not. */
static int order_dense(const st_request_rec *recs, size_t n, size_t *order)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = recs[i].id < lo ? recs[i].id : lo;
        hi = recs[i].id > hi ? recs[i].id : hi;
    }
    if (hi - lo != (uint64_t)n - 1)
        return -1;
    memset(order, 0xff, n * sizeof *order);     /* SIZE_MAX: no row yet */
    for (size_t i = 0; i < n; i++) {
        size_t *at = &order[recs[i].id - lo];
        if (*at != SIZE_MAX)
            return -1;                          /* a repeated id */
        *at = i;
    }
    return 0;
}

/* order[0..n) = the rows of recs by id, ties as logged, by sorting. */
static int order_sorted(const st_request_rec *recs, size_t n, size_t *order)
{
    id_at *v = malloc(n * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = (id_at){recs[i].id, i};
    qsort(v, n, sizeof *v, cmp_id_at);
    for (size_t i = 0; i < n; i++)
        order[i] = v[i].at;
    free(v);
    return 0;
}

/* The request rows' places in the log, sorted by id: rows are logged as
 * requests finish, and inserted by id every row goes at the end of the
 * (run_id, req_id) key, next to the last, instead of a search from its
 * root.  NULL when out of memory: the rows then go as logged, which only
 * takes longer. */
static size_t *request_order(const st_request_log *log)
{
    size_t *order = log->n ? malloc(log->n * sizeof *order) : NULL;
    if (order && order_dense(log->recs, log->n, order) < 0 &&
        order_sorted(log->recs, log->n, order) < 0) {
        free(order);
        order = NULL;
    }
    return order;
}

/* The hashes and the overrides' text, before the transaction. */
static int put_prepare(put_ctx *c)
{
    const st_run_record *r = c->r;
    if (r->config_text) {
        st_hash_hex(st_hash_str(ST_HASH_INIT, r->config_text), c->text_hash);
        st_store_config_hash(r->config_text, r->policy ? r->policy : "",
                             r->params ? r->params : "", c->config_hash);
    }
    sqlite3_str *o = sqlite3_str_new(NULL);
    for (size_t i = 0; i < r->n_overrides; i++)
        sqlite3_str_appendf(o, "%s%s=%s", i ? "\n" : "", r->override_keys[i],
                            r->override_values[i]);
    int rc = sqlite3_str_errcode(o);
    c->overrides = sqlite3_str_finish(o);
    if (r->requests)
        c->order = request_order(r->requests);
    if (rc == SQLITE_OK && !c->overrides)
        c->overrides = sqlite3_mprintf("%s", "");
    return rc == SQLITE_OK && c->overrides ? SQLITE_OK : SQLITE_NOMEM;
}

static int fill_delete(binder *b, const void *ctx, size_t i)
{
    (void)i;
    store_bind_text(b, ((const put_ctx *)ctx)->r->run_key);
    return store_step_done(b);
}

/* Deletes the run keyed c->r->run_key, if any: first its rows in every
 * table that references runs, then the run (see "references to the run"). */
static int delete_run(sqlite3 *db, const put_ctx *c)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, referencing_sql, -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        char *sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE \"%w\" IN"
                                    " (SELECT id FROM runs WHERE run_key = ?1)",
                                    (const char *)sqlite3_column_text(q, 0),
                                    (const char *)sqlite3_column_text(q, 1));
        rc = sql ? run_rows(db, sql, fill_delete, c, 1) : SQLITE_NOMEM;
        sqlite3_free(sql);
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE)
        rc = run_rows(db, delete_run_sql, fill_delete, c, 1);
    return rc;
}

/* SQLITE_OK when the run row id exists; what the foreign keys of the rows
 * naming it would check (SQLITE_CONSTRAINT_FOREIGNKEY otherwise). */
static int check_run_exists(sqlite3 *db, int64_t id)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM runs WHERE id = ?1", -1, &q,
                                NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, id);
        rc = sqlite3_step(q);
        rc = rc == SQLITE_ROW    ? SQLITE_OK
             : rc == SQLITE_DONE ? SQLITE_CONSTRAINT_FOREIGNKEY : rc;
    }
    sqlite3_finalize(q);
    return rc;
}

static int fill_run(binder *b, const void *ctx, size_t i)
{
    (void)i;
    const put_ctx *c = ctx;
    const st_run_record *r = c->r;
    store_bind_text(b, r->run_key);
    store_bind_text(b, r->scenario);
    store_bind_text(b, r->config_text);
    store_bind_text(b, r->config_text ? c->config_hash : NULL);
    store_bind_text(b, r->policy);
    store_bind_text(b, r->params);
    store_bind_u64(b, r->seed);
    store_bind_text(b, r->version);
    store_bind_text(b, r->started);
    store_bind_text(b, r->finished);
    store_bind_real(b, r->wall_s);
    store_bind_u64(b, r->events);
    store_bind_text(b, r->status);
    store_bind_text(b, r->message);
    store_bind_text(b, r->config_text ? c->text_hash : NULL);
    store_bind_text(b, r->scenario_file);
    store_bind_text(b, c->overrides);
    store_bind_text(b, r->sweep);
    store_bind_text(b, r->sweep ? r->sweep_file : NULL);
    store_bind_text(b, r->sweep ? r->sweep_hash : NULL);
    if (r->sweep && r->sweep_point >= 0)
        store_bind_int(b, r->sweep_point);
    else
        store_bind_text(b, NULL);
    return store_step_done(b);
}

static int fill_override(binder *b, const void *ctx, size_t i)
{
    const put_ctx *c = ctx;
    store_bind_int(b, c->run_id);
    store_bind_int(b, (int64_t)i);
    store_bind_text(b, c->r->override_keys[i]);
    store_bind_text(b, c->r->override_values[i]);
    return store_step_done(b);
}

static int fill_name(binder *b, const void *ctx, size_t i)
{
    const put_ctx *c = ctx;
    const st_run_name *n = &c->r->names[i];
    store_bind_int(b, c->run_id);
    store_bind_text(b, n->kind);
    store_bind_int(b, n->first);
    store_bind_int(b, n->last);
    store_bind_text(b, n->name);
    return store_step_done(b);
}

static int fill_metric(binder *b, const void *ctx, size_t i)
{
    const put_ctx *c = ctx;
    const st_metric *m = &c->r->metrics->items[i];
    store_bind_int(b, c->run_id);
    store_bind_text(b, m->name);
    store_bind_real(b, m->value);
    return store_step_done(b);
}

static int fill_param(binder *b, const void *ctx, size_t i)
{
    const put_ctx *c = ctx;
    store_bind_int(b, c->run_id);
    store_bind_text(b, c->r->grid_keys[i]);
    store_bind_text(b, c->r->grid_values[i]);
    return store_step_done(b);
}

/* Every request row of the run, in c->order. */
static int put_requests(st_store *s, const put_ctx *c)
{
    int rc = SQLITE_OK;
    if (!s->request_stmt) {
        rc = store_request_rows_module(s->db);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v3(s->db, insert_requests_sql, -1,
                                    SQLITE_PREPARE_PERSISTENT,
                                    &s->request_stmt, NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    const st_request_log *log = c->r->requests;
    st_request_rows rows = {log->recs, c->order, log->n};
    binder b = store_bind_start(s->request_stmt);
    store_bind_int(&b, c->run_id);
    if (b.rc == SQLITE_OK)
        b.rc = sqlite3_bind_pointer(s->request_stmt, 2, &rows,
                                    "st_request_rows", NULL);
    rc = store_step_done(&b);
    /* The statement must not keep the pointer to rows past this call. */
    store_bind_start(s->request_stmt);
    return rc;
}

static const char insert_timeseries_sql[] =
    "INSERT INTO timeseries(run_id, slot, name, value, t_s)"
    " VALUES(?1, ?2, ?3, ?4, ?5)";

static int fill_timeseries(binder *b, const void *ctx, size_t i)
{
    const put_ctx *c = ctx;
    const st_ts_point *p = &c->r->timeseries->pts[i];
    store_bind_int(b, c->run_id);
    store_bind_int(b, p->slot);
    store_bind_text(b, p->name);
    store_bind_real(b, p->value);
    store_bind_real(b, p->t_s);
    return store_step_done(b);
}

/* Everything between BEGIN and COMMIT. */
static int put_body(st_store *s, put_ctx *c)
{
    sqlite3 *db = s->db;
    int rc = delete_run(db, c);
    if (rc == SQLITE_OK)
        rc = run_rows(db, insert_run_sql, fill_run, c, 1);
    if (rc != SQLITE_OK)
        return rc;
    c->run_id = sqlite3_last_insert_rowid(db);
    if (c->r->metrics)
        rc = run_rows(db, insert_metric_sql, fill_metric, c, c->r->metrics->n);
    if (rc == SQLITE_OK && c->r->n_grid)
        rc = run_rows(db, insert_param_sql, fill_param, c, c->r->n_grid);
    if (rc == SQLITE_OK && c->r->n_overrides)
        rc = run_rows(db, insert_override_sql, fill_override, c,
                      c->r->n_overrides);
    if (rc == SQLITE_OK && c->r->n_names)
        rc = run_rows(db, insert_name_sql, fill_name, c, c->r->n_names);
    if (rc == SQLITE_OK && c->r->requests)
        rc = put_requests(s, c);
    if (rc == SQLITE_OK && c->r->timeseries)
        rc = run_rows(db, insert_timeseries_sql, fill_timeseries, c,
                      c->r->timeseries->n);
    if (rc == SQLITE_OK && summary_is_stale(db, c->run_id))
        rc = st_store_refresh_summary(db);
    if (rc == SQLITE_OK)
        rc = check_run_exists(db, c->run_id);
    return rc;
}

int64_t st_store_put_run(st_store *s, const st_run_record *r, st_error *err)
{
    if (!r->run_key || !r->status)
        return st_error_set(err, "%s: cannot store a run without a %s",
                            s->path, r->run_key ? "status" : "run key");
    put_ctx c = {.r = r};
    int rc = put_prepare(&c);
    if (rc == SQLITE_OK)
        rc = store_foreign_keys(s, 0);
    if (rc == SQLITE_OK)
        rc = store_exec(s->db, "BEGIN IMMEDIATE");
    if (rc == SQLITE_OK)
        rc = put_body(s, &c);
    if (rc == SQLITE_OK)
        rc = store_exec(s->db, "COMMIT");
    sqlite3_free(c.overrides);
    free(c.order);
    if (rc == SQLITE_OK)
        return c.run_id;
    char doing[160];
    snprintf(doing, sizeof doing, "store run %.100s", r->run_key);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY &&
        sqlite3_extended_errcode(s->db) != rc)   /* check_run_exists */
        st_error_set(err, "%s: cannot %s: its run row is gone before COMMIT,"
                     " so its rows would name no run", s->path, doing);
    else
        store_fail(err, s->path, s->db, rc, doing);
    /* Harmless when BEGIN itself failed: there is then nothing to undo. */
    if (!sqlite3_get_autocommit(s->db))
        store_exec(s->db, "ROLLBACK");
    return -1;
}

int st_store_has_requests(st_store *s, st_error *err)
{
    int64_t n;
    int rc = store_query_int(s->db, "SELECT count(*) FROM (SELECT 1 FROM requests"
                       " LIMIT 1)", 0, &n);
    if (rc != SQLITE_OK)
        return store_fail(err, s->path, s->db, rc, "read the requests");
    if (!n)
        st_error_set(err, "%s: holds no per-request rows; re-run with"
                     " --log-requests (strata run) or log_requests: true (in"
                     " the sweep file) to store them", s->path);
    return n > 0;
}

int st_store_has_run(st_store *s, const char *run_key, st_error *err)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM runs WHERE run_key = ?1"
                                " AND status = 'ok'", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return store_fail(err, s->path, s->db, rc, "look up a run");
    binder b = store_bind_start(q);
    store_bind_text(&b, run_key);
    rc = b.rc == SQLITE_OK ? sqlite3_step(q) : b.rc;
    int found = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        store_fail(err, s->path, s->db, rc, "look up a run");
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}
