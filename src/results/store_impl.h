/* store_impl.h - what the store's files share (private to src/results):
 * the connection, and binding and stepping statements with one check at
 * the end. */
#ifndef STRATA_RESULTS_STORE_IMPL_H
#define STRATA_RESULTS_STORE_IMPL_H

#include "results/store.h"

#include <sqlite3.h>
#include <stdint.h>

/* The request INSERTs of many rows, of a few and of one (store_put.c). */
#define STORE_REQUEST_STMTS 3

struct st_store {
    sqlite3 *db;
    char *path;     /* as given, for error messages */
    sqlite3_stmt *request_stmt[STORE_REQUEST_STMTS];   /* prepared at first
                                                        * use, kept */
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
/* Sets err from SQLite's answer rc (with a hint where one helps) for what
 * it was doing to path; -1. */
int store_fail(st_error *err, const char *path, sqlite3 *db, int rc,
               const char *doing);

#endif
