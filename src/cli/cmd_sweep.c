/* cmd_sweep.c - `strata sweep`: run a sweep file's points into a results
 * database with local workers, as one shard of a job array, or across MPI
 * ranks; or list what would run. */
#include "cli/cli.h"
#include "base/xalloc.h"
#include "study/sweep.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_INTERRUPTED 130

typedef struct sweep_args {
    const char *file, *db;
    int jobs, dry_run, mpi, quiet, log_requests;
    size_t shard, n_shards;
    cli_list plugins;
} sweep_args;

static int parse_shard(const char *cmd, const char *s, void *dest)
{
    sweep_args *a = dest;
    unsigned long long i, k;
    const char *slash = strchr(s, '/');
    char head[32];
    int ok = slash && (size_t)(slash - s) < sizeof head;
    if (ok) {
        memcpy(head, s, (size_t)(slash - s));
        head[slash - s] = '\0';
        ok = !cli_parse_u64(head, &i) && !cli_parse_u64(slash + 1, &k) &&
             k > 0 && i < k && k <= ST_SWEEP_MAX_POINTS;
    }
    if (!ok)
        return cli_usage_error(cmd, "--shard: expected I/K with 0 <= I < K, "
                               "got '%s'", s);
    a->shard = (size_t)i;
    a->n_shards = (size_t)k;
    return 0;
}

/* The cli_parse result; after it, the checks across options. */
static int parse_args(int argc, char **argv, sweep_args *a)
{
    static const cli_cmd cmd = {
        .name = "sweep", .synopsis = "SWEEP.yaml [options]",
        .description = "Runs every point of a sweep (a base scenario, a grid "
            "of values,\npolicies and seeds) and stores each run in the "
            "database.  Points\nalready stored are skipped, so running the "
            "same command again\nresumes an interrupted sweep.  Each point's "
            "result is the same\nwhatever --jobs, shard or rank runs it.\n",
        .min_args = 1, .max_args = 1, .args_what = "one sweep file",
        .epilogue = "Progress: on a terminal, one line with done/total, "
            "failures and\nETA; otherwise a line every tenth of the way.  A "
            "point whose\nscenario is invalid, or whose worker crashes, is "
            "stored as failed\nwith its message and the sweep goes on.  "
            "Ctrl-C stops between\ncommits: finished runs stay stored.\n\n"
            "exit status: 0 all points ok, 1 some failed, 2 bad usage or\n"
            "sweep file, 130 interrupted.\n"};
    *a = (sweep_args){.db = "results.db", .jobs = 0};
    cli_opt opts[] = {
        CLI_STRING(0, "db", &a->db, "FILE",
                   "results database (default results.db)"),
        CLI_JOBS_OPT(&a->jobs,
                     "worker processes (default: the number of CPUs)"),
        CLI_FLAG(0, "dry-run", &a->dry_run,
                 "list the points and whether each is stored;\nrun nothing"),
        CLI_CALLBACK(0, "shard", a, "I/K", parse_shard,
                     "run only points whose index % K is I (0 <= I < K),\n"
                     "for job arrays; give each shard its own --db and\n"
                     "combine them with 'strata merge'"),
        CLI_FLAG(0, "mpi", &a->mpi,
                 "share the points among the ranks of\n"
                 "'mpirun -np K strata sweep ... --mpi'; rank R\n"
                 "writes FILE.rank-R ('strata merge --db FILE')"),
        CLI_FLAG(0, "log-requests", &a->log_requests,
                 "also store one row per request"),
        CLI_FLAG('q', "quiet", &a->quiet, "no progress on stderr"),
        CLI_PLUGIN_OPT(&a->plugins),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return rc;
    a->file = pos.v[0];
    if (a->mpi && (a->n_shards > 1 || a->jobs > 1))
        return cli_usage_error("sweep", "--mpi shares the points among the"
                               " ranks; it takes neither --shard nor --jobs");
    if (!a->jobs)
        a->jobs = cli_default_jobs();
    return cli_load_plugins(&a->plugins);
}

/* ---- --dry-run ---------------------------------------------------------- */

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void list_points(const st_sweep *sw, const size_t *idx, size_t n,
                        st_store *db, const sweep_args *a)
{
    size_t invalid = 0, stored = 0, shown = 0;
    char *pending = st_xcalloc(sw->n_points + 1, 1);
    for (size_t j = 0; j < n; j++)
        pending[idx[j]] = 1;
    printf("%6s  %-16s  %-7s  %-12s  %-6s", "point", "run_key", "status",
           "policy", "seed");
    for (size_t k = 0; k < sw->n_keys; k++)
        printf("  %s", sw->keys[k].path);
    printf("\n");
    for (size_t i = 0; i < sw->n_points; i++) {
        if (a->n_shards > 1 && i % a->n_shards != a->shard)
            continue;
        shown++;
        const st_sweep_point *p = &sw->points[i];
        const char *status = p->error ? "invalid" : pending[i] ? "to-run"
                                                               : "stored";
        invalid += p->error != NULL;
        stored += !pending[i];
        printf("%6zu  %-16s  %-7s  %-12s  %-6llu", i, p->run_key, status,
               p->policy ? p->policy : "?", (unsigned long long)p->seed);
        for (size_t k = 0; k < sw->n_keys; k++)
            printf("  %s", st_sweep_value(sw, i, k));
        printf("\n");
    }
    for (size_t i = 0; i < sw->n_points; i++)
        if (sw->points[i].error &&
            (a->n_shards <= 1 || i % a->n_shards == a->shard))
            printf("point %zu is invalid: %s\n", i, sw->points[i].error);
    free(pending);
    printf("\nsweep %s: %zu points, %zu stored in %s, %zu to run (%zu of them"
           " invalid)\n", sw->name, shown, stored, db ? a->db : "(no database)",
           n, invalid);
}

static int dry_run(const st_sweep *sw, const sweep_args *a)
{
    st_error err;
    st_store *db = NULL;
    /* A dry run reads the database if there is one and never creates it. */
    if (file_exists(a->db) && st_store_open_readonly(a->db, &db, &err))
        return cli_input_error(&err);
    st_sweep_opts o = {.shard = a->shard, .n_shards = a->n_shards};
    size_t *idx, n, stored;
    if (st_sweep_pending(sw, db, &o, &idx, &n, &stored, &err)) {
        st_store_close(db);
        return cli_input_error(&err);
    }
    list_points(sw, idx, n, db, a);
    free(idx);
    st_store_close(db);
    return EXIT_OK;
}

/* ---- running ------------------------------------------------------------ */

static void print_summary(const st_sweep *sw, const st_sweep_summary *s,
                          const char *where)
{
    printf("sweep %s: %zu points: %zu ran, %zu already stored, %zu failed"
           " (%.1f s) -> %s\n", sw->name, s->points, s->ran, s->stored,
           s->failed, s->wall_s, where);
}

static int exit_code(const st_sweep_summary *s)
{
    if (s->interrupted)
        return EXIT_INTERRUPTED;
    return s->failed ? EXIT_FAIL : EXIT_OK;
}

static int run_local(const st_sweep *sw, const sweep_args *a)
{
    st_error err;
    st_store *db;
    st_sweep_opts o = {.jobs = a->jobs, .shard = a->shard,
                       .n_shards = a->n_shards, .quiet = a->quiet};
    if (st_sweep_check_memory(sw, &o, &err) ||
        st_store_open(a->db, &db, &err))
        return cli_input_error(&err);
    st_sweep_summary sum;
    int rc = st_sweep_run_local(sw, db, &o, &sum, &err);
    st_store_close(db);
    if (rc) {
        fprintf(stderr, "strata: %s\n", err.msg);
        return EXIT_FAIL;
    }
    if (sum.interrupted) {
        fprintf(stderr, "strata sweep: interrupted; %zu of %zu points are"
                " stored in %s; run the same command again to resume\n",
                sum.stored + sum.ran + sum.failed, sum.points, a->db);
        return EXIT_INTERRUPTED;
    }
    print_summary(sw, &sum, a->db);
    return exit_code(&sum);
}

/* Every rank loads the sweep and runs its share; rank 0 speaks for all. */
static int run_mpi(int argc, char **argv, const sweep_args *a)
{
    st_error err;
    int rank, size;
    if (st_mpi_begin(&argc, &argv, &rank, &size, &err))
        return cli_input_error(&err);
    st_sweep *sw;
    int rc = EXIT_OK;
    if (st_sweep_load(a->file, &sw, &err)) {
        if (rank == 0)
            cli_input_error(&err);
        st_mpi_end();
        return EXIT_INPUT;
    }
    if (a->log_requests)
        sw->log_requests = 1;
    st_sweep_opts o = {.jobs = 1, .quiet = a->quiet};
    st_sweep_summary sum;
    if (st_sweep_check_memory(sw, &o, &err)) {   /* each rank runs one at a time */
        if (rank == 0)
            cli_input_error(&err);
        st_sweep_free(sw);
        st_mpi_end();
        return EXIT_INPUT;
    }
    int bad = st_sweep_run_mpi(sw, a->db, &o, &sum, &err) != 0;
    if (bad)
        fprintf(stderr, "strata: rank %d: %s\n", rank, err.msg);
    bad = st_mpi_sum(bad);
    if (rank == 0) {
        char where[4200];
        snprintf(where, sizeof where, "%s.rank-0..%d (combine them with"
                 " 'strata merge --db %s')", a->db, size - 1, a->db);
        print_summary(sw, &sum, where);
    }
    rc = bad ? EXIT_FAIL : exit_code(&sum);
    st_sweep_free(sw);
    st_mpi_end();
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    sweep_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return cli_done(rc);
    if (a.mpi && !a.dry_run)
        return run_mpi(argc, argv, &a);
    st_error err;
    st_sweep *sw;
    if (st_sweep_load(a.file, &sw, &err))
        return cli_input_error(&err);
    if (a.log_requests)
        sw->log_requests = 1;
    rc = a.dry_run ? dry_run(sw, &a) : run_local(sw, &a);
    st_sweep_free(sw);
    return rc;
}
