/* store.h - the results database (SQLite), one per study.
 *
 * Tables: runs, metrics, run_params (a sweep's grid values of each run),
 * run_overrides (every override applied to the scenario file), run_names
 * (what the request rows' indices name), requests (optional), timeseries
 * (optional); views run_summary (one row per run: key metrics and every
 * configuration key as columns) and requests_named.  A run's config_hash
 * names its configuration: everything but the seed, so runs with equal
 * config_hash differ only by seed (see st_store_config_hash).  A database
 * of an older schema is migrated when opened (in memory only when opened
 * read-only).  Every
 * write goes through prepared statements with bound parameters, and a run
 * is written in one transaction: it is stored whole or not at all.  The
 * database is opened in WAL mode with a busy timeout so readers and a
 * writer can share it.  A store handle belongs to one thread at a time:
 * its connection is opened without SQLite's own locking (no mutex per
 * call), and it keeps the request-row statements prepared between runs.
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

/* A range of the indices request rows use and its name: kind "model"
 * (first = last = the model's index), "node" (infrastructure nodes one by
 * one; a device class's own devices as one range), "device" (a class's
 * device instances). */
typedef struct st_run_name {
    const char *kind;
    int64_t first, last;
    const char *name;
} st_run_name;

typedef struct st_run_record {
    const char *run_key;      /* hex id: hash(config, policy, params, seed) */
    const char *scenario;     /* scenario name */
    const char *scenario_file;   /* the file run, NULL if unknown */
    const char *config_text;  /* full resolved scenario text; the store
                               * derives text_hash and config_hash from it */
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
    /* Every override applied to the scenario file ("key" a dotted path,
     * "value" its YAML), in the order applied, the seed excepted; stored
     * in run_overrides and, joined as "key=value" lines, in runs.overrides
     * ("" when none). */
    size_t n_overrides;
    const char *const *override_keys;
    const char *const *override_values;
    /* The sweep the run is a point of (sweep NULL: none): its name, file,
     * the hash of the file's text, and the point's index in it. */
    const char *sweep, *sweep_file, *sweep_hash;
    int64_t sweep_point;
    size_t n_names;           /* run_names rows */
    const st_run_name *names;
} st_run_record;

/* The configuration hash of a run (16 hex digits): of its resolved text
 * without the top-level seed line, its policy and its params.  Runs with
 * the same configuration hash differ only in their seed. */
void st_store_config_hash(const char *config_text, const char *policy,
                          const char *params, char out[17]);

/* Stores a run in one transaction; returns the new run id (> 0) or -1.  A
 * run with the same run_key already present is replaced (in the same
 * transaction), so re-running a configuration never duplicates it. */
int64_t st_store_put_run(st_store *s, const st_run_record *r, st_error *err);

/* 1 if any run has per-request rows, 0 if none, -1 on error (with err
 * saying, for 0 too, to re-run with --log-requests). */
int st_store_has_requests(st_store *s, st_error *err);

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
 * Numbers are printed with the fewest digits that read back to the same
 * double (st_format_double).  Exporting requests from a database without
 * request rows fails, saying to re-run with --log-requests. */
int st_store_export_csv(st_store *s, st_export_what what, FILE *out,
                        st_error *err);

/* The shortest decimal text (%.1g to %.17g) that strtod reads back as v
 * exactly; "" for NaN.  buf holds at least 32 bytes. */
void st_format_double(double v, char *buf, size_t n);
/* One CSV text field of n bytes (RFC 4180: quoted, its quotes doubled,
 * when it holds a separator, quote or line break). */
void st_csv_put_text(FILE *out, const char *s, size_t n);

/* Recreates the run_summary view so that every configuration key (sweep
 * axis or override) and metric stored is one of its columns.  SQLite
 * result code. */
int st_store_refresh_summary(struct sqlite3 *db);
/* What merge calls after copying runs in (inside its transaction): fills
 * text_hash and config_hash of runs that came from a version-1 shard,
 * and refreshes run_summary.  SQLite result code. */
int st_store_refresh_derived(struct sqlite3 *db);

#endif
