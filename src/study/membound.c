/* membound.c - a study's memory bounded before it runs (membound.h). */
#include "study/membound.h"
#include "base/memlimit.h"
#include "base/xalloc.h"
#include "policy/registry.h"

#include <stdio.h>
#include <stdlib.h>

void st_membound_of(const st_scenario *sc, size_t p, const st_run_opts *o,
                    st_membound *out)
{
    const st_policy_spec *ps = &sc->policies[p];
    const st_policy_ops *ops = st_policy_lookup(ps->name);
    st_world_size_of(sc, o, &out->world);
    const st_world_size *w = &out->world;
    st_state_size s;
    out->policy = 0;
    if (ops) {
        st_policy_state_size(ops, sc, &ps->params, &s);
        out->policy = st_state_size_total(&s, sc, w->requests);
    }
    out->total = w->devices + w->nodes + w->pending + w->in_flight +
                 w->results + w->log + out->policy;
}

typedef struct part {
    const char *what;
    double bytes;
} part;

/* The largest of a run's parts, for the message. */
static part largest(const st_membound *b, const char *policy, char *buf,
                    size_t n)
{
    const st_world_size *w = &b->world;
    snprintf(buf, n, "the state of policy '%s'", policy);
    const part parts[] = {
        {"the world's devices", w->devices},
        {"the world's nodes", w->nodes},
        {"the devices' pending arrivals", w->pending},
        {"requests in flight", w->in_flight},
        {"the results of every request", w->results},
        {"the request log", w->log},
        {buf, b->policy}};
    size_t big = 0;
    for (size_t i = 1; i < sizeof parts / sizeof *parts; i++)
        if (parts[i].bytes > parts[big].bytes)
            big = i;
    return parts[big];
}

/* The limit's refusal: what is needed, the limit, how to raise it. */
static int refuse(st_error *err, const char *file, size_t line, size_t col,
                  const char *what, double need, const char *detail)
{
    char why[160], needs[32], lim[32];
    double limit = st_memory_limit(why, sizeof why);
    if (need <= limit)
        return 0;
    const char *env = getenv("STRATA_MEMORY_LIMIT_MB");
    return st_error_at(err, file, line, col, "%s would need up to %s of "
                       "memory, more than the limit of %s (%s); %s; expected "
                       "a smaller scenario%s", what,
                       st_bytes_text(need, needs, sizeof needs),
                       st_bytes_text(limit, lim, sizeof lim), why, detail,
                       env && *env ? " or a higher STRATA_MEMORY_LIMIT_MB" : "");
}

size_t st_membound_heaviest(const st_scenario *sc, const st_run_opts *o,
                            st_membound *out)
{
    st_membound b;
    size_t heavy = 0;
    *out = (st_membound){0};
    for (size_t p = 0; p < sc->n_policies; p++) {
        st_membound_of(sc, p, o, &b);
        if (p == 0 || b.total > out->total) {
            *out = b;
            heavy = p;
        }
    }
    return heavy;
}

int st_membound_check(const st_scenario *sc, const st_run_opts *o,
                      st_error *err)
{
    st_membound top;
    size_t heavy = st_membound_heaviest(sc, o, &top);
    if (!sc->n_policies)
        return 0;
    /* every earlier run's request log is still held */
    double need = top.total + (double)(sc->n_policies - 1) * top.world.log;
    char buf[128], detail[256], big[32], what[160];
    part p = largest(&top, sc->policies[heavy].name, buf, sizeof buf);
    snprintf(detail, sizeof detail, "the largest part is %s for %s",
             st_bytes_text(p.bytes, big, sizeof big), p.what);
    snprintf(what, sizeof what, "the run of policy '%s' (%ld device%s)",
             sc->policies[heavy].name, sc->n_devices,
             sc->n_devices == 1 ? "" : "s");
    return refuse(err, sc->file, sc->policies[heavy].line,
                  sc->policies[heavy].col, what, need, detail);
}

static int by_size_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

int st_membound_check_many(const char *what, const double *bytes, size_t n,
                           int jobs, st_error *err)
{
    double *v = st_xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = bytes[i];
    qsort(v, n, sizeof *v, by_size_desc);
    size_t k = jobs > 0 && (size_t)jobs < n ? (size_t)jobs : n;
    double need = 0;
    for (size_t i = 0; i < k; i++)
        need += v[i];
    char detail[128], one[32], study[256];
    snprintf(detail, sizeof detail, "the largest run alone needs up to %s",
             st_bytes_text(n ? v[0] : 0, one, sizeof one));
    snprintf(study, sizeof study, "%zu run%s at once", k, k == 1 ? "" : "s");
    free(v);
    return refuse(err, what, 0, 0, study, need, detail);
}
