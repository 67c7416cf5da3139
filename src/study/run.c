/* run.c - one run executed and stored (see run.h): the common path of
 * `strata run`, the sweep workers and the MPI ranks, plus the list of a
 * sweep's points still to run and a serial runner for them. */
#include "study/run.h"
#include "study/sweep.h"
#include "base/xalloc.h"
#include "base/hash.h"
#include "study/progress.h"
#include "policy/plugin.h"
#include "strata_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void iso_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void st_run_key(const st_scenario *sc, size_t policy, char out[17])
{
    st_scenario_run_key(sc, policy, out);
    const char *sha = st_plugin_sha256_of(sc->policies[policy].name);
    if (sha)
        st_hash_hex(st_hash_mix(st_hash_str(st_hash_str(ST_HASH_INIT, out),
                                            sha)), out);
}

/* ---- what a run records besides its results ----------------------------- */

/* Fields and records of the encoded labels (ASCII unit and record
 * separators, which names do not hold). */
#define LABEL_FS '\x1f'
#define LABEL_RS '\x1e'

static void put_label(FILE *f, const char *kind, long first, long last,
                      const char *name, const char *suffix)
{
    fprintf(f, "%s%c%ld%c%ld%c%s%s%c", kind, LABEL_FS, first, LABEL_FS, last,
            LABEL_FS, name, suffix, LABEL_RS);
}

/* Models, infrastructure nodes, and per device class its range of device
 * instances and of their node indices (devices follow the nodes). */
static char *encode_labels(const st_scenario *sc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        st_oom("the labels of a run's models and nodes");
    for (size_t i = 0; i < sc->n_models; i++)
        put_label(f, "model", (long)i, (long)i, sc->models[i].name, "");
    for (size_t i = 0; i < sc->n_nodes; i++)
        put_label(f, "node", (long)i, (long)i, sc->nodes[i].name, "");
    long first = 0, base = (long)sc->n_nodes;
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        long n = sc->devices[c].count;
        if (n > 0) {
            put_label(f, "device", first, first + n - 1, sc->devices[c].name,
                      "");
            put_label(f, "node", base + first, base + first + n - 1,
                      sc->devices[c].name, " (device)");
        }
        first += n;
    }
    if (fclose(f))
        st_oom("the labels of a run's models and nodes");
    return buf;
}

/* The labels back as run_names rows pointing into text (modified). */
static st_run_name *decode_labels(char *text, size_t *n)
{
    size_t cap = 0;
    for (const char *p = text; p && *p; p++)
        cap += *p == LABEL_RS;
    st_run_name *v = st_xcalloc(cap + 1, sizeof *v);
    *n = 0;
    for (char *save = NULL, *rec = text ? strtok_r(text, "\x1e", &save) : NULL;
         rec; rec = strtok_r(NULL, "\x1e", &save)) {
        char *f[4] = {rec, NULL, NULL, NULL};
        for (int k = 1; k < 4 && f[k - 1]; k++)
            if ((f[k] = strchr(f[k - 1], LABEL_FS)))
                *f[k]++ = '\0';
        if (f[3])
            v[(*n)++] = (st_run_name){f[0], strtol(f[1], NULL, 10),
                                      strtol(f[2], NULL, 10), f[3]};
    }
    return v;
}

/* An override's key: its text up to '='. */
static size_t key_len(const char *ov)
{
    const char *eq = strchr(ov, '=');
    return eq ? (size_t)(eq - ov) : strlen(ov);
}

static int is_seed(const char *ov)
{
    return key_len(ov) == 4 && strncmp(ov, "seed", 4) == 0;
}

static void copy_overrides(const st_scenario *sc, st_run_outcome *out)
{
    out->overrides = st_xcalloc(sc->n_overrides + 1, sizeof *out->overrides);
    for (size_t i = 0; i < sc->n_overrides; i++)
        if (!is_seed(sc->overrides[i]))
            out->overrides[out->n_overrides++] = st_xstrdup(sc->overrides[i]);
}

/* Override lists split into keys and values, as the store takes them. */
typedef struct kv {
    char **k, **v;
    size_t n;
} kv;

static void kv_add(kv *l, const char *key, size_t klen, const char *val)
{
    l->k[l->n] = st_xstrdup(key);
    l->k[l->n][klen] = '\0';
    l->v[l->n++] = st_xstrdup(val);
}

static void kv_add_override(kv *l, const char *ov)
{
    size_t n = key_len(ov);
    if (!is_seed(ov))
        kv_add(l, ov, n, ov[n] ? ov + n + 1 : "");
}

/* A sweep point's overrides are the sweep's `set`, then its grid values;
 * a single run's, the ones it was loaded with. */
static kv run_overrides(const st_run_outcome *o, const st_sweep *sw, size_t i)
{
    size_t cap = sw ? sw->n_set + sw->n_keys : o->n_overrides;
    kv l = {st_xcalloc(cap + 1, sizeof *l.k), st_xcalloc(cap + 1, sizeof *l.v),
            0};
    if (!sw) {
        for (size_t j = 0; j < o->n_overrides; j++)
            kv_add_override(&l, o->overrides[j]);
        return l;
    }
    for (size_t j = 0; j < sw->n_set; j++)
        kv_add_override(&l, sw->set[j]);
    for (size_t k = 0; k < sw->n_keys; k++) {
        const char *path = sw->keys[k].path;
        if (strcmp(path, "seed") != 0)
            kv_add(&l, path, strlen(path),
                   sw->keys[k].yaml[sw->points[i].choice[k]]);
    }
    return l;
}

static void kv_free(kv *l)
{
    for (size_t j = 0; j < l->n; j++) {
        free(l->k[j]);
        free(l->v[j]);
    }
    free(l->k);
    free(l->v);
}

/* ---- running and storing ---------------------------------------------- */

void st_run_execute(const st_scenario *sc, size_t policy,
                    const st_run_opts *opts, st_run_outcome *out)
{
    memset(out, 0, sizeof *out);
    iso_now(out->started);
    st_run_key(sc, policy, out->run_key);
    memcpy(out->config_hash, sc->hash, sizeof out->config_hash);
    out->scenario = st_xstrdup(sc->name);
    out->config_text = st_xstrdup(sc->text);
    st_plugin_describe(&out->config_text);
    out->policy = st_xstrdup(sc->policies[policy].name);
    out->params = st_xstrdup(sc->policies[policy].params_text);
    out->seed = sc->seed;
    out->scenario_file = st_xstrdup(sc->file);
    copy_overrides(sc, out);
    out->labels = encode_labels(sc);
    st_error err;
    if (st_world_run(sc, policy, opts, &out->result, &err) == 0) {
        out->ok = 1;
    } else {
        st_run_result_free(&out->result);
        memset(&out->result, 0, sizeof out->result);
        out->message = st_xstrdup(err.msg);
    }
    iso_now(out->finished);
}

void st_sweep_failed(const st_sweep *sw, size_t i, const char *message,
                     st_run_outcome *out)
{
    const st_sweep_point *p = &sw->points[i];
    memset(out, 0, sizeof *out);
    iso_now(out->started);
    memcpy(out->finished, out->started, sizeof out->finished);
    memcpy(out->run_key, p->run_key, sizeof out->run_key);
    out->scenario = st_xstrdup(p->scenario);
    out->policy = st_xstrdup(p->policy);
    out->seed = p->seed;
    out->message = st_xstrdup(message);
}

int st_sweep_execute(const st_sweep *sw, size_t i, st_run_outcome *out)
{
    st_scenario *sc;
    st_error err;
    if (st_sweep_load_point(sw, i, &sc, &err)) {
        st_sweep_failed(sw, i, err.msg, out);
        return -1;
    }
    st_run_opts opts = {.log_requests = sw->log_requests};
    st_run_execute(sc, 0, &opts, out);
    st_scenario_free(sc);
    /* The key was fixed when the sweep was read; a different one now means
     * a file it reads changed, and the run would be stored under a key no
     * re-run of this sweep looks for. */
    if (strcmp(out->run_key, sw->points[i].run_key) != 0) {
        st_run_outcome_free(out);
        st_sweep_failed(sw, i, "the scenario or a file it reads changed while"
                        " the sweep ran; run the sweep again", out);
        return -1;
    }
    return out->ok ? 0 : -1;
}

int st_run_store(st_store *db, const st_run_outcome *o, const st_sweep *sw,
                 size_t i, st_error *err)
{
    size_t nk = sw ? sw->n_keys : 0;
    const char **keys = st_xcalloc(nk + 1, sizeof *keys);
    const char **vals = st_xcalloc(nk + 1, sizeof *vals);
    for (size_t k = 0; k < nk; k++) {
        keys[k] = sw->keys[k].path;
        vals[k] = st_sweep_value(sw, i, k);
    }
    kv ov = run_overrides(o, sw, i);
    char *labels = o->labels ? st_xstrdup(o->labels) : NULL;
    size_t n_names;
    st_run_name *names = decode_labels(labels, &n_names);
    st_run_record rec = {
        .run_key = o->run_key, .scenario = o->scenario,
        .scenario_file = sw ? sw->base : o->scenario_file,
        .config_text = o->config_text,
        .policy = o->policy, .params = o->params, .seed = o->seed,
        .version = STRATA_VERSION, .started = o->started,
        .finished = o->finished, .wall_s = o->result.wall_s,
        .events = o->result.events,
        .metrics = o->ok ? &o->result.metrics : NULL,
        .requests = o->ok && o->result.requests.n ? &o->result.requests : NULL,
        .timeseries = o->ok && o->result.timeseries.n ? &o->result.timeseries
                                                      : NULL,
        .status = o->ok ? "ok" : "failed", .message = o->message,
        .n_grid = nk, .grid_keys = keys, .grid_values = vals,
        .n_overrides = ov.n, .override_keys = (const char *const *)ov.k,
        .override_values = (const char *const *)ov.v,
        .sweep = sw ? sw->name : NULL, .sweep_file = sw ? sw->file : NULL,
        .sweep_hash = sw ? sw->hash : NULL,
        .sweep_point = sw ? (int64_t)i : -1,
        .n_names = n_names, .names = names};
    int64_t id = st_store_put_run(db, &rec, err);
    free(keys);
    free(vals);
    kv_free(&ov);
    free(names);
    free(labels);
    return id < 0 ? -1 : 0;
}

void st_run_outcome_free(st_run_outcome *o)
{
    free(o->scenario);
    free(o->config_text);
    free(o->policy);
    free(o->params);
    free(o->message);
    free(o->names);
    free(o->ts_names);
    free(o->scenario_file);
    for (size_t i = 0; i < o->n_overrides; i++)
        free(o->overrides[i]);
    free(o->overrides);
    free(o->labels);
    st_run_result_free(&o->result);
    memset(o, 0, sizeof *o);
}

int st_sweep_pending(const st_sweep *sw, st_store *db,
                     const st_sweep_opts *o, size_t **idx, size_t *n,
                     size_t *stored, st_error *err)
{
    size_t shards = o && o->n_shards > 1 ? o->n_shards : 1;
    size_t shard = shards > 1 ? o->shard : 0;
    *idx = st_xcalloc(sw->n_points + 1, sizeof **idx);
    *n = *stored = 0;
    for (size_t i = 0; i < sw->n_points; i++) {
        if (i % shards != shard)
            continue;
        int has = db ? st_store_has_run(db, sw->points[i].run_key, err) : 0;
        if (has < 0) {
            free(*idx);
            *idx = NULL;
            return -1;
        }
        if (has)
            (*stored)++;
        else
            (*idx)[(*n)++] = i;
    }
    return 0;
}

int st_sweep_run_serial(const st_sweep *sw, st_store *db, const size_t *idx,
                        size_t n, int progress, st_sweep_summary *sum,
                        st_error *err)
{
    sweep_progress pr;
    progress_begin(&pr, "strata sweep", n, !progress);
    int rc = 0;
    for (size_t j = 0; j < n && rc == 0; j++) {
        st_run_outcome out;
        int failed = st_sweep_execute(sw, idx[j], &out) != 0;
        rc = st_run_store(db, &out, sw, idx[j], err);
        if (rc == 0) {
            if (failed) {
                char what[512];
                st_sweep_describe(sw, idx[j], what, sizeof what);
                progress_note(&pr, "strata sweep: point %zu (%s) failed: %s",
                              idx[j], what, out.message);
            }
            sum->failed += (size_t)failed;
            sum->ran += (size_t)!failed;
            progress_step(&pr, failed);
        }
        st_run_outcome_free(&out);
    }
    progress_end(&pr);
    return rc;
}
