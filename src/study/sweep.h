/* sweep.h - parameter sweeps: a base scenario, a grid of overrides, seeds
 * and policies expanded into points, each one run with a stable key; the
 * back ends that run the points into a results database (worker processes
 * on one machine, MPI ranks across a cluster, or one shard of a job
 * array), skipping what the database already holds.  One run on its own
 * is study/run.h; the capacity search is study/capacity.h.
 *
 * A sweep file (YAML):
 *
 *   name: slo-sweep                   # optional; default: the file's name
 *   base: ../configs/quickstart.yaml  # the scenario, relative to this file
 *   set:                              # optional: overrides for every point
 *     duration: 300 s
 *   grid:                             # cartesian product, first key outermost
 *     devices.0.workload.slo_ms: [200, 400, 800]
 *     devices.0.count: [4, 8]
 *   zip:                              # optional: axes that move together
 *     devices.1.link.up.scale:   [0.5, 1, 2]     # (a mapping, or a list of
 *     devices.1.link.down.scale: [0.5, 1, 2]     #  mappings for several)
 *   seeds: [1, 2, 3]                  # or replications: N (seeds 1..N)
 *   policies: [local, cloud]          # optional: default the base's list
 *   log_requests: false               # optional: store per-request rows
 *
 * Grid and zip keys are the dotted paths `strata run --set` takes; their
 * values are applied through the scenario loader's overrides.  A point's
 * key is st_scenario_run_key of its resolved scenario, policy and seed, so
 * `strata run BASE --set ... --seed N --policy P` stores the same run, and
 * the key does not depend on the order or the machine the points run on.
 */
#ifndef STRATA_SWEEP_H
#define STRATA_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include "strata/error.h"
#include "strata/scenario.h"
#include "results/store.h"
#include "study/run.h"
#include "yaml/keyref.h"

#define ST_SWEEP_MAX_POINTS 1000000

/* The keys of a sweep file, for its reader and the generated reference. */
extern const cfg_key st_sweep_keys[];
/* Naming the points loads each combination's scenario once per seed;
 * these bound that work (a few ms a load) before anything runs. */
#define ST_SWEEP_MAX_COMBINATIONS 10000
#define ST_SWEEP_MAX_LOADS 100000

/* One swept scenario path and the values it takes. */
typedef struct st_sweep_key {
    char *path;          /* dotted scenario path */
    size_t n_values;
    char **text;         /* each value as written: the export's column */
    char **yaml;         /* the same as one-line YAML, for the override */
    size_t line, col;    /* where the key is in the sweep file */
} st_sweep_key;

typedef struct st_sweep_point {
    size_t *choice;      /* [n_keys] index into keys[k].text */
    char *scenario;      /* its scenario's name (the base's if it cannot load) */
    char *policy;        /* NULL only when the scenario could not load */
    uint64_t seed;
    char run_key[17];
    char *error;         /* why the point cannot run, or NULL */
    double mem_bytes;    /* its run's memory bound (study/membound.h),
                            the request log aside; 0 if it cannot load */
    double mem_log;      /* the request log's part, when logged */
} st_sweep_point;

typedef struct st_sweep {
    char *file;          /* the sweep file, for messages */
    char hash[17];       /* hash of the file's text, as read */
    char *name;
    char *base;          /* the base scenario's path as opened */
    char **set;          /* "path=yaml" overrides for every point */
    size_t n_set;
    st_sweep_key *keys;  /* grid keys, then zip keys, in file order */
    size_t n_keys;
    st_sweep_point *points;   /* in expansion order: axes (first
                               * outermost), then policy, then seed */
    size_t n_points;
    int log_requests;
} st_sweep;

/* Reads the sweep file, loads the base scenario once per combination of
 * values to resolve each point's key, and fails (naming file:line:col)
 * on a malformed sweep, an invalid base scenario, or two points that
 * resolve to the same run.  A combination whose scenario is invalid is
 * not an error here: its points carry the message in .error.  0 or -1. */
int st_sweep_load(const char *path, st_sweep **out, st_error *err);
void st_sweep_free(st_sweep *sw);

/* The value text of key k at point i. */
const char *st_sweep_value(const st_sweep *sw, size_t i, size_t k);
/* "k1=v1 k2=v2 policy=P seed=N": a point in words, for messages.
 * Writes at most n bytes (NUL included). */
void st_sweep_describe(const st_sweep *sw, size_t i, char *buf, size_t n);
/* Loads point i's scenario, with only its policy left (index 0).  0, or
 * -1 with err. */
int st_sweep_load_point(const st_sweep *sw, size_t i, st_scenario **out,
                        st_error *err);

/* Loads and runs point i.  0 if it ran, -1 if it failed (out says why). */
int st_sweep_execute(const st_sweep *sw, size_t i, st_run_outcome *out);
/* A failed outcome for point i that could not run (message says why). */
void st_sweep_failed(const st_sweep *sw, size_t i, const char *message,
                     st_run_outcome *out);

/* ---- running a sweep ---------------------------------------------------- */

typedef struct st_sweep_opts {
    int jobs;             /* worker processes (local back end), >= 1 */
    size_t shard, n_shards;   /* only points with index % n_shards ==
                               * shard; n_shards 0 or 1: all */
    int quiet;            /* no progress on stderr */
} st_sweep_opts;

typedef struct st_sweep_summary {
    size_t points;        /* in this shard */
    size_t stored;        /* already stored ok before: skipped */
    size_t ran;           /* ran and stored ok now */
    size_t failed;        /* stored as failed now */
    size_t left;          /* not run because of an interruption */
    int interrupted;      /* SIGINT or SIGTERM stopped the sweep */
    double wall_s;
} st_sweep_summary;

/* Checks, before anything runs or is stored, that the points of this
 * shard fit in memory o->jobs at a time (study/membound.h): 0, or -1
 * with err naming the sweep file, what they need and the limit. */
int st_sweep_check_memory(const st_sweep *sw, const st_sweep_opts *o,
                          st_error *err);

/* The points of this shard that db does not hold as ok runs, in order
 * (malloc'd indices).  0, or -1 with err. */
int st_sweep_pending(const st_sweep *sw, st_store *db,
                     const st_sweep_opts *o, size_t **idx, size_t *n,
                     size_t *stored, st_error *err);

/* Runs the pending points in o->jobs worker processes; this process is the
 * only writer and commits each finished run in its own transaction.  A
 * point whose scenario is invalid, or whose worker dies, is stored as
 * failed and the sweep goes on.  SIGINT/SIGTERM stop it between commits:
 * runs in flight are abandoned, stored ones stay.  0 when it got through
 * (failures are counted in sum), -1 with err when the store failed. */
int st_sweep_run_local(const st_sweep *sw, st_store *db,
                       const st_sweep_opts *o, st_sweep_summary *sum,
                       st_error *err);

/* Runs the given points one after another in this process (no isolation
 * from a crash), storing each; used by the MPI back end. */
int st_sweep_run_serial(const st_sweep *sw, st_store *db, const size_t *idx,
                        size_t n, int progress, st_sweep_summary *sum,
                        st_error *err);

/* 1 if this build has the MPI back end. */
int st_sweep_have_mpi(void);
/* MPI back end: call between st_mpi_begin and st_mpi_end in every rank.
 * Rank r of size runs the points with index % size == r into its own
 * database "<db_path>.rank-<r>" (combine them with st_store_merge); sum
 * holds the totals over all ranks.  0, or -1 with err (this rank). */
int st_mpi_begin(int *argc, char ***argv, int *rank, int *size,
                 st_error *err);
int st_sweep_run_mpi(const st_sweep *sw, const char *db_path,
                     const st_sweep_opts *o, st_sweep_summary *sum,
                     st_error *err);
/* Sums an int over the ranks (e.g. who failed); the value alone without
 * MPI. */
int st_mpi_sum(int v);
void st_mpi_end(void);

#endif
