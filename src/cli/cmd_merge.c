/* cmd_merge.c - `strata merge`: combine result databases (the shards of an
 * MPI sweep or a job array) into one. */
#include "cli/cli.h"
#include "base/xalloc.h"
#include "results/store.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

typedef struct rank_file {
    long rank;
    char *path;
} rank_file;

static int by_rank(const void *a, const void *b)
{
    long x = ((const rank_file *)a)->rank, y = ((const rank_file *)b)->rank;
    return (x > y) - (x < y);
}

/* 1 and the rank if name is "<base>.rank-<digits>". */
static int rank_of(const char *name, const char *base, long *rank)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) != 0 || strncmp(name + n, ".rank-", 6) != 0)
        return 0;
    const char *d = name + n + 6;
    char *end;
    if (!*d || *d < '0' || *d > '9')
        return 0;
    *rank = strtol(d, &end, 10);
    return *end == '\0';
}

/* The OUT.rank-K files next to OUT, in rank order. */
static rank_file *find_shards(const char *out, size_t *n)
{
    const char *slash = strrchr(out, '/');
    char *dir = slash ? strndup(out, (size_t)(slash - out) + (slash == out))
                      : strdup(".");
    const char *base = slash ? slash + 1 : out;
    rank_file *files = NULL;
    size_t cap = 0;
    *n = 0;
    DIR *d = dir ? opendir(dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        long rank;
        if (!rank_of(e->d_name, base, &rank))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            files = st_xrealloc(files, cap * sizeof *files);
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        files[*n].rank = rank;
        files[*n].path = st_xmalloc(len);
        snprintf(files[*n].path, len, "%s/%s", dir, e->d_name);
        (*n)++;
    }
    if (d)
        closedir(d);
    free(dir);
    if (*n)
        qsort(files, *n, sizeof *files, by_rank);
    return files;
}

static int merge_list(const char *out, char *const *shards, size_t n,
                      int quiet)
{
    st_error err;
    st_store *s;
    if (st_store_open(out, &s, &err))
        return cli_input_error(&err);
    st_merge_stats st = {0, 0, 0};
    int rc = EXIT_OK;
    for (size_t i = 0; i < n && rc == EXIT_OK; i++)
        if (st_store_merge(s, shards[i], &st, &err))
            rc = cli_input_error(&err);
    st_store_close(s);
    if (!quiet && rc == EXIT_OK)
        fprintf(stderr, "strata merge: %zu shard%s into %s: %zu runs added,"
                " %zu replaced, %zu already there\n", n, n == 1 ? "" : "s",
                out, st.added, st.replaced, st.skipped);
    return rc;
}

int cmd_merge(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "merge", .synopsis = "--db OUT.db [SHARD.db...]",
        .description = "Copies every run of each shard (with its metrics, "
            "parameters,\nrequests and time series) into OUT.db, creating it "
            "if needed.\nA run already stored ok in OUT.db is kept; a failed "
            "one is\nreplaced by an ok run of the same key.  Each shard is "
            "merged in\none transaction.  Without shards, merges OUT.db.rank-0,"
            " -1, ...\nas 'strata sweep --mpi --db OUT.db' writes them.\n",
        .min_args = 0, .max_args = -1};
    const char *out = NULL;
    int quiet = 0;
    cli_opt opts[] = {
        {.kind = CLI_K_STRING, .long_name = "db", .dest = &out,
         .argname = "FILE", .required = 1,
         .help = "the database to merge into (required)"},
        CLI_FLAG('q', "quiet", &quiet, "no summary on stderr"),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    if (pos.n > 0)
        return merge_list(out, pos.v, (size_t)pos.n, quiet);
    size_t n;
    rank_file *files = find_shards(out, &n);
    if (!n) {
        free(files);
        fprintf(stderr, "strata: %s: no shards to merge (expected files"
                " named %s.rank-0, %s.rank-1, ...)\n", out, out, out);
        return EXIT_INPUT;
    }
    char **paths = st_xcalloc(n, sizeof *paths);
    for (size_t i = 0; i < n; i++)
        paths[i] = files[i].path;
    rc = merge_list(out, paths, n, quiet);
    for (size_t i = 0; i < n; i++)
        free(files[i].path);
    free(files);
    free(paths);
    return rc;
}
