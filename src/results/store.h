/* store.h - the results database (SQLite), one per study.
 *
 * Tables: runs, metrics, run_params (a sweep's parameters of each run),
 * requests (optional), timeseries (optional).  Every
 * write goes through prepared statements with bound parameters, and a run
 * is written in one transaction: it is stored whole or not at all.  The
 * database is opened in WAL mode with a busy timeout so readers and a
 * writer can share it.
 */
#ifndef STRATA_STORE_H
#define STRATA_STORE_H

#include <stdint.h>
#include <stdio.h>
#include "strata/error.h"
#include "strata/metrics.h"

typedef struct st_store st_store;

/* Opens (creating if needed) the database and its schema. */
int st_store_open(const char *path, st_store **out, st_error *err);
/* Opens an existing results database for reading only: never creates the
 * file or its schema, and fails (naming the path) if the file is missing,
 * is a directory, is not a SQLite database, or is not a strata one. */
int st_store_open_readonly(const char *path, st_store **out, st_error *err);
void st_store_close(st_store *s);

/* The open SQLite connection, for the results module's own read queries
 * (export, tables).  Owned by the store: do not close it, and write only
 * through st_store_put_run so the one-run-one-transaction rule holds. */
struct sqlite3;
struct sqlite3 *st_store_sqlite(st_store *s);
/* The path the store was opened with, for error messages. */
const char *st_store_path(const st_store *s);

typedef struct st_run_record {
    const char *run_key;      /* hex id: hash(config, policy, params, seed) */
    const char *scenario;     /* scenario name */
    const char *config_text;  /* full resolved scenario text */
    const char *config_hash;  /* hex hash of config_text */
    const char *policy;
    const char *params;       /* policy params as canonical text */
    uint64_t seed;
    const char *version;
    const char *started;      /* ISO 8601 UTC */
    const char *finished;
    double wall_s;
    uint64_t events;
    const st_metrics *metrics;
    const st_request_log *requests;   /* NULL: no per-request rows */
    const st_timeseries *timeseries;  /* NULL: no per-slot rows */
    const char *status;       /* "ok" or "failed" */
    const char *message;      /* failure message or NULL */
    /* Sweep parameters (dotted scenario paths and their values as
     * written in the sweep file), stored in run_params; none: n_grid 0. */
    size_t n_grid;
    const char *const *grid_keys;
    const char *const *grid_values;
} st_run_record;

/* Stores a run in one transaction; returns the new run id (> 0) or -1.  A
 * run with the same run_key already present is replaced (in the same
 * transaction), so re-running a configuration never duplicates it. */
int64_t st_store_put_run(st_store *s, const st_run_record *r, st_error *err);

/* 1 if an ok run with this key is stored, 0 if not, -1 on error. */
int st_store_has_run(st_store *s, const char *run_key, st_error *err);

typedef struct st_merge_stats {
    size_t added;      /* runs new to the destination */
    size_t replaced;   /* failed there, ok in the shard */
    size_t skipped;    /* already there ok, or failed in the shard too */
} st_merge_stats;

/* Copies every run of the results database at shard_path, with all its
 * rows in the tables that hang off runs (metrics, run_params, requests,
 * timeseries, ...), into s in one transaction (merge.c).  Runs are matched
 * by run_key: an ok run already in s is kept.  Adds to *stats.  0, or -1
 * with err (s unchanged). */
int st_store_merge(st_store *s, const char *shard_path, st_merge_stats *stats,
                   st_error *err);

typedef enum st_export_what {
    ST_EXPORT_RUNS,      /* one row per run x metric */
    ST_EXPORT_REQUESTS,  /* one row per request */
    ST_EXPORT_TIMESERIES /* one row per run x slot x name */
} st_export_what;

/* Tidy CSV with a header row, ordered deterministically (by scenario,
 * policy, seed, run_key, then metric name / request id).  The runs export
 * has one column per sweep parameter key (sorted), after seed.  It carries no
 * wall-clock columns, so identical runs export byte-identical CSV.
 * Numbers are printed with %.17g (round-trip exact). */
int st_store_export_csv(st_store *s, st_export_what what, FILE *out,
                        st_error *err);

#endif
