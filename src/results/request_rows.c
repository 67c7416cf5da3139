/* request_rows.c - a run's request log as an eponymous virtual table,
 * st_request_rows(?), so that one INSERT ... SELECT stores every row of a
 * run (store_put.c).  Binding 15 parameters a row went through SQLite's
 * checks for each one and copied each into the statement's registers; a
 * column read here is one call that sets the register itself.
 *
 * The table's one argument is a pointer to an st_request_rows, bound with
 * sqlite3_bind_pointer under the type "st_request_rows", so no SQL text
 * can forge one.  The module is DIRECTONLY: no trigger or view of a
 * database can read the log.
 */
#include "results/store_impl.h"

#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The columns, in the order of the declaration below. */
enum {
    COL_REQ_ID, COL_DEVICE, COL_MODEL, COL_NODE, COL_OUTCOME, COL_OFFLOADED,
    COL_COLD, COL_ARRIVAL, COL_LATENCY, COL_SLO, COL_ACCURACY, COL_ESTIMATE,
    COL_ATTEMPTS, COL_COMPLETED, COL_SOURCE
};

static const char declaration[] =
    "CREATE TABLE x(req_id, device, model, node, outcome, offloaded, cold,"
    " arrival_s, latency_s, slo_s, accuracy, estimate_s, attempts, completed,"
    " source HIDDEN)";

typedef struct rows_cursor {
    sqlite3_vtab_cursor base;
    const st_request_rows *rows;    /* NULL: no rows */
    size_t k;                       /* the row's place in rows->order */
} rows_cursor;

static int rows_connect(sqlite3 *db, void *aux, int argc,
                        const char *const *argv, sqlite3_vtab **out,
                        char **err)
{
    (void)aux, (void)argc, (void)argv, (void)err;
    int rc = sqlite3_declare_vtab(db, declaration);
    if (rc == SQLITE_OK)
        rc = sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
    if (rc != SQLITE_OK)
        return rc;
    *out = sqlite3_malloc(sizeof **out);
    if (!*out)
        return SQLITE_NOMEM;
    memset(*out, 0, sizeof **out);
    return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

/* Only a scan given its source (source = ?) makes sense: without one the
 * plan is refused. */
static int rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    (void)vt;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->iColumn == COL_SOURCE && c->op == SQLITE_INDEX_CONSTRAINT_EQ &&
            c->usable) {
            info->aConstraintUsage[i].argvIndex = 1;
            info->aConstraintUsage[i].omit = 1;
            info->estimatedCost = 1;
            return SQLITE_OK;
        }
    }
    return SQLITE_CONSTRAINT;
}

static int rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
    (void)vt;
    rows_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
    sqlite3_free(cur);
    return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx, const char *idx_str,
                       int argc, sqlite3_value **argv)
{
    (void)idx, (void)idx_str;
    rows_cursor *c = (rows_cursor *)cur;
    c->rows = argc == 1 ? sqlite3_value_pointer(argv[0], "st_request_rows")
                        : NULL;
    c->k = 0;
    return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
    ((rows_cursor *)cur)->k++;
    return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
    const rows_cursor *c = (const rows_cursor *)cur;
    return !c->rows || c->k >= c->rows->n;
}

/* NaN means "not measured": NULL, as store_bind_real binds it. */
static void result_real(sqlite3_context *ctx, double v)
{
    if (isnan(v))
        sqlite3_result_null(ctx);
    else
        sqlite3_result_double(ctx, v);
}

/* A uint64 as store_bind_u64 binds it: hex text beyond INT64_MAX. */
static void result_u64(sqlite3_context *ctx, uint64_t v)
{
    char buf[STORE_U64_TEXT];
    if (v <= (uint64_t)INT64_MAX)
        sqlite3_result_int64(ctx, (int64_t)v);
    else
        sqlite3_result_text(ctx, store_u64_text(v, buf), -1, SQLITE_TRANSIENT);
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    const rows_cursor *c = (const rows_cursor *)cur;
    const st_request_rows *rows = c->rows;
    const st_request_rec *r =
        &rows->recs[rows->order ? rows->order[c->k] : c->k];
    switch (col) {
    case COL_REQ_ID:    result_u64(ctx, r->id); break;
    case COL_DEVICE:    sqlite3_result_int(ctx, r->device); break;
    case COL_MODEL:     sqlite3_result_int(ctx, r->model); break;
    case COL_NODE:      sqlite3_result_int(ctx, r->node); break;
    case COL_OUTCOME:
        sqlite3_result_text(ctx, st_outcome_name((st_outcome_kind)r->outcome),
                            -1, SQLITE_STATIC);
        break;
    case COL_OFFLOADED: sqlite3_result_int(ctx, r->offloaded); break;
    case COL_COLD:      sqlite3_result_int(ctx, r->cold); break;
    case COL_ARRIVAL:   result_real(ctx, r->arrival_s); break;
    case COL_LATENCY:   result_real(ctx, r->latency_s); break;
    case COL_SLO:       result_real(ctx, r->slo_s); break;
    case COL_ACCURACY:  result_real(ctx, r->accuracy); break;
    case COL_ESTIMATE:  result_real(ctx, r->estimate_s); break;
    case COL_ATTEMPTS:  sqlite3_result_int(ctx, r->attempts); break;
    case COL_COMPLETED: sqlite3_result_int(ctx, r->completed); break;
    default:            sqlite3_result_null(ctx); break;
    }
    return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((const rows_cursor *)cur)->k;
    return SQLITE_OK;
}

/* Eponymous only (no xCreate): the table exists in every connection that
 * registered the module, never in a database file. */
static const sqlite3_module rows_module = {
    .iVersion = 0,
    .xConnect = rows_connect,
    .xBestIndex = rows_best_index,
    .xDisconnect = rows_disconnect,
    .xOpen = rows_open,
    .xClose = rows_close,
    .xFilter = rows_filter,
    .xNext = rows_next,
    .xEof = rows_eof,
    .xColumn = rows_column,
    .xRowid = rows_rowid,
};

int store_request_rows_module(sqlite3 *db)
{
    return sqlite3_create_module(db, "st_request_rows", &rows_module, NULL);
}
