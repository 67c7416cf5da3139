/* store_impl.h - what the store's files share (private to src/results):
 * the connection, and binding and stepping statements with one check at
 * the end. */
#ifndef STRATA_RESULTS_STORE_IMPL_H
#define STRATA_RESULTS_STORE_IMPL_H

#include "results/store.h"

#include <sqlite3.h>
#include <stdint.h>

struct st_store {
    sqlite3 *db;
    char *path;     /* as given, for error messages */
    sqlite3_stmt *request_stmt;     /* a run's request rows' INSERT, prepared
                                     * at first use and kept */
    int fk_off;     /* foreign_keys is off: a put checks references itself
                     * (store_put.c) */
};

/* Binds parameters left to right and remembers the first failure, so a
 * statement's bindings read as a flat list and are checked once. */
typedef struct binder {
    sqlite3_stmt *q;
    int i;
    int rc;
} binder;

/* Steps the bound statement once (it must not return rows): SQLITE_OK, or
 * the first binding's or the step's failure. */
int store_step_done(binder *b);
/* Runs SQL statements; SQLite's result code. */
int store_exec(sqlite3 *db, const char *sql);
/* The first column of a one-row query as an integer in *out (missing
 * when it returns no row); SQLite's result code. */
int store_query_int(sqlite3 *db, const char *sql, int64_t missing,
                    int64_t *out);
void store_bind_text(binder *b, const char *s);
void store_bind_u64(binder *b, uint64_t v);
void store_bind_int(binder *b, int64_t v);
void store_bind_real(binder *b, double v);
/* The binder of q, at its first parameter; the store_bind_* calls bind
 * the next one. */
binder store_bind_start(sqlite3_stmt *q);
/* Turns the connection's foreign-key enforcement on or off, outside a
 * transaction (SQLite ignores the change inside one); a change makes
 * SQLite prepare every statement again at its next step, so it is made
 * only when the state differs.  SQLite's result code. */
int store_foreign_keys(st_store *s, int on);
/* The columns of `requests`, in their order (the store's INSERT and the
 * schema's migration name them all). */
#define REQUESTS_COLUMNS                                                     \
    "run_id, req_id, device, model, node, outcome, offloaded, cold,"         \
    " arrival_s, latency_s, slo_s, accuracy, estimate_s, attempts,"          \
    " completed"
/* The request rows of a run's log in the order they are stored:
 * recs[order[k]] for k < n, or recs[k] without an order. */
typedef struct st_request_rows {
    const st_request_rec *recs;
    const size_t *order;
    size_t n;
} st_request_rows;
/* Registers st_request_rows(?) on db: the rows of the st_request_rows
 * bound (sqlite3_bind_pointer, type "st_request_rows") as its argument,
 * one column per column of `requests` but run_id (request_rows.c). */
int store_request_rows_module(sqlite3 *db);
/* A uint64 beyond INT64_MAX as the text it is stored as ("0x" and 16 hex
 * digits, see store_bind_u64), in buf; buf. */
#define STORE_U64_TEXT 24
const char *store_u64_text(uint64_t v, char buf[STORE_U64_TEXT]);
/* Sets err from SQLite's answer rc (with a hint where one helps) for what
 * it was doing to path; -1. */
int store_fail(st_error *err, const char *path, sqlite3 *db, int rc,
               const char *doing);

#endif
