/* scenario.c - turns a YAML document into a checked st_scenario.
 *
 * Reading is strict: unknown keys, wrong types, out-of-range numbers,
 * dangling names and missing files are errors naming file:line:col.  The
 * document (after overrides) is also printed canonically; its hash is the
 * configuration's identity in the results database.
 */
#include "strata/scenario.h"
#include "strata/hash.h"
#include "strata/policy.h"
#include "cfgread.h"
#include "yamltree.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TRACE_FILES 100000

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        abort();
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_at(cfg *c, yaml_node_t *n, size_t i)
{
    return cfg_node(c, n->data.sequence.items.start[i]);
}

/* A list of mappings under key, each with a unique 'name'.  Returns the
 * list node or NULL (absent is allowed iff !required). */
static yaml_node_t *named_list(cfg *c, yaml_node_t *root, const char *key,
                               int required, int *fail)
{
    yaml_node_t *l = required ? cfg_need(c, root, key, "the scenario")
                              : cfg_get(c, root, key);
    *fail = 0;
    if (!l) {
        *fail = required;
        return NULL;
    }
    if (cfg_expect_seq(c, l, key)) {
        *fail = 1;
        return NULL;
    }
    if (required && seq_len(l) == 0) {
        cfg_fail(c, l, "expected at least one entry in '%s'", key);
        *fail = 1;
    }
    return l;
}

static int read_name(cfg *c, yaml_node_t *m, const char *what, char **out)
{
    const char *s;
    yaml_node_t *n = cfg_need(c, m, "name", what);
    if (!n || cfg_str(c, n, "name", &s))
        return -1;
    if (!*s)
        return cfg_fail(c, n, "expected a non-empty name for %s", what);
    *out = xstrdup(s);
    return 0;
}

/* Names live inside structs of different types; `stride` steps from one
 * struct's name field to the next. */
static const char *name_at(char *const *first, size_t stride, size_t i)
{
    return *(char *const *)((const char *)first + i * stride);
}

static int check_unique(cfg *c, yaml_node_t *list, char *const *first,
                        size_t stride, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(name_at(first, stride, i), name_at(first, stride, j)) == 0)
                return cfg_fail(c, seq_at(c, list, i),
                                "duplicate %s name '%s' (first at entry %zu)",
                                what, name_at(first, stride, i), j + 1);
    return 0;
}

/* A reference by name; -1 with an error listing nothing if absent. */
static int ref(cfg *c, yaml_node_t *n, const char *what, char *const *first,
               size_t stride, size_t count, int *out)
{
    const char *s;
    if (cfg_str(c, n, what, &s))
        return -1;
    for (size_t i = 0; i < count; i++)
        if (strcmp(name_at(first, stride, i), s) == 0) {
            *out = (int)i;
            return 0;
        }
    return cfg_fail(c, n, "unknown %s '%s'", what, s);
}

#define NAMES(arr) (&(arr)[0].name), sizeof *(arr)

/* --- models --- */

static int task_index(st_scenario *sc, const char *task)
{
    for (size_t i = 0; i < sc->n_tasks; i++)
        if (strcmp(sc->tasks[i], task) == 0)
            return (int)i;
    sc->tasks = realloc(sc->tasks, (sc->n_tasks + 1) * sizeof *sc->tasks);
    if (!sc->tasks)
        abort();
    sc->tasks[sc->n_tasks] = xstrdup(task);
    return (int)sc->n_tasks++;
}

static int read_model(cfg *c, yaml_node_t *m, st_scenario *sc, st_model *md)
{
    static const char *const keys[] = {"name", "task", "accuracy", "size_mb",
                                       "input_bytes", "output_bytes", NULL};
    const char *task;
    yaml_node_t *tn, *an;
    if (cfg_keys(c, m, keys, "a model") || read_name(c, m, "a model", &md->name))
        return -1;
    if (!(tn = cfg_need(c, m, "task", "a model")) || cfg_str(c, tn, "task", &task) ||
        !(an = cfg_need(c, m, "accuracy", "a model")) ||
        cfg_num(c, an, "accuracy", 0, 1, &md->accuracy))
        return -1;
    md->task = task_index(sc, task);
    return cfg_opt_num(c, m, "size_mb", 0, 1e7, &md->size_mb) ||
           cfg_opt_num(c, m, "input_bytes", 0, 1e12, &md->input_bytes) ||
           cfg_opt_num(c, m, "output_bytes", 0, 1e12, &md->output_bytes);
}

static int read_models(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    int fail;
    yaml_node_t *l = named_list(c, root, "models", 1, &fail);
    if (fail)
        return -1;
    if (seq_len(l) > ST_MAX_MODELS)
        return cfg_fail(c, l, "more than %d models", ST_MAX_MODELS);
    sc->n_models = seq_len(l);
    sc->models = xcalloc(sc->n_models, sizeof *sc->models);
    for (size_t i = 0; i < sc->n_models; i++)
        if (read_model(c, seq_at(c, l, i), sc, &sc->models[i]))
            return -1;
    return check_unique(c, l, NAMES(sc->models), sc->n_models, "model");
}

/* --- hardware --- */

static int read_profile(cfg *c, yaml_node_t *m, const char *model,
                        st_profile *p)
{
    static const char *const keys[] = {"exec", "exec_ms", "load", "load_ms",
                                       "memory_mb", NULL};
    char what[160];
    snprintf(what, sizeof what, "the profile of '%s'", model);
    if (cfg_keys(c, m, keys, what))
        return -1;
    yaml_node_t *e = cfg_get(c, m, "exec"), *ems = cfg_get(c, m, "exec_ms");
    if (e && ems)
        return cfg_fail(c, ems, "give either 'exec' or 'exec_ms', not both");
    if (ems) {
        double v;
        if (cfg_time(c, ems, "exec_ms", "ms", 0, 1e6, &v))
            return -1;
        p->exec_s = st_dist_const(v);
    } else if (!e) {
        return cfg_fail(c, m, "missing 'exec' (a time or distribution) or "
                        "'exec_ms' in %s", what);
    } else if (cfg_time_dist(c, e, "exec", &p->exec_s)) {
        return -1;
    }
    yaml_node_t *l = cfg_get(c, m, "load"), *lms = cfg_get(c, m, "load_ms");
    if (l && cfg_time(c, l, "load", "s", 0, 1e6, &p->load_s))
        return -1;
    if (lms && cfg_time(c, lms, "load_ms", "ms", 0, 1e6, &p->load_s))
        return -1;
    if (cfg_opt_num(c, m, "memory_mb", 0, 1e9, &p->memory_mb))
        return -1;
    p->present = 1;
    return 0;
}

static int read_hardware_one(cfg *c, yaml_node_t *h, st_scenario *sc,
                             st_hardware *hw)
{
    static const char *const keys[] = {"name", "profiles", NULL};
    if (cfg_keys(c, h, keys, "a hardware entry") ||
        read_name(c, h, "a hardware entry", &hw->name))
        return -1;
    hw->per_model = xcalloc(sc->n_models, sizeof *hw->per_model);
    yaml_node_t *pm = cfg_need(c, h, "profiles", "a hardware entry");
    if (!pm || cfg_expect_map(c, pm, "profiles"))
        return -1;
    for (yaml_node_pair_t *p = pm->data.mapping.pairs.start;
         p < pm->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(c, p->key);
        int mi = -1;
        if (ref(c, k, "model", NAMES(sc->models), sc->n_models, &mi))
            return -1;
        if (hw->per_model[mi].present)
            return cfg_fail(c, k, "duplicate profile for model '%s'",
                            sc->models[mi].name);
        if (read_profile(c, cfg_node(c, p->value), sc->models[mi].name,
                         &hw->per_model[mi]))
            return -1;
        if (hw->per_model[mi].memory_mb == 0)
            hw->per_model[mi].memory_mb = sc->models[mi].size_mb;
    }
    return 0;
}

static int read_hardware(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    int fail;
    yaml_node_t *l = named_list(c, root, "hardware", 1, &fail);
    if (fail)
        return -1;
    sc->n_hardware = seq_len(l);
    sc->hardware = xcalloc(sc->n_hardware, sizeof *sc->hardware);
    for (size_t i = 0; i < sc->n_hardware; i++)
        if (read_hardware_one(c, seq_at(c, l, i), sc, &sc->hardware[i]))
            return -1;
    return check_unique(c, l, NAMES(sc->hardware), sc->n_hardware, "hardware");
}

/* --- traces and links --- */

/* Traces are loaded once per (file, reading options) and shared by every
 * link that names them. */
static int trace_cached(cfg *c, yaml_node_t *at, st_scenario *sc,
                        const char *path, const st_trace_opts *o,
                        st_trace **out)
{
    char label[4096];
    snprintf(label, sizeof label, "%s", path);
    if (o->format != ST_TRACE_AUTO || o->column || o->mahimahi_bin_ms > 0 ||
        o->no_loop)
        snprintf(label, sizeof label, "%s [%s%s%s, bin %g ms%s]", path,
                 st_trace_format_name(o->format), o->column ? ", column " : "",
                 o->column ? o->column : "", o->mahimahi_bin_ms,
                 o->no_loop ? ", no loop" : "");
    for (size_t i = 0; i < sc->n_traces; i++)
        if (strcmp(sc->traces[i]->name, label) == 0) {
            *out = sc->traces[i];
            return 0;
        }
    st_trace *tr;
    st_error terr;
    if (st_trace_load(path, o, &tr, &terr) != 0)
        return cfg_fail(c, at, "bad trace: %s", terr.msg);
    free(tr->name);
    tr->name = xstrdup(label);
    sc->traces = realloc(sc->traces, (sc->n_traces + 1) * sizeof *sc->traces);
    if (!sc->traces)
        abort();
    sc->traces[sc->n_traces++] = tr;
    *out = tr;
    return 0;
}

static int skip_dir_entry(const char *name)
{
    return name[0] == '.' || strncmp(name, "LICENSE", 7) == 0 ||
           strncmp(name, "README", 6) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expands one trace path: a file, or every file of a directory (sorted,
 * skipping dot files, README* and LICENSE*). */
static int expand_trace_path(cfg *c, yaml_node_t *at, const char *path,
                             char ***files, size_t *n)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return cfg_fail(c, at, "trace '%s' does not exist", path);
    if (!S_ISDIR(st.st_mode)) {
        *files = realloc(*files, (*n + 1) * sizeof **files);
        (*files)[(*n)++] = xstrdup(path);
        return 0;
    }
    DIR *d = opendir(path);
    if (!d)
        return cfg_fail(c, at, "cannot read trace directory '%s'", path);
    size_t first = *n;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (skip_dir_entry(e->d_name))
            continue;
        if (*n >= MAX_TRACE_FILES) {
            closedir(d);
            return cfg_fail(c, at, "more than %d trace files", MAX_TRACE_FILES);
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *f = malloc(len);
        if (!f)
            abort();
        snprintf(f, len, "%s/%s", path, e->d_name);
        *files = realloc(*files, (*n + 1) * sizeof **files);
        (*files)[(*n)++] = f;
    }
    closedir(d);
    if (*n == first)
        return cfg_fail(c, at, "trace directory '%s' holds no trace files", path);
    qsort(*files + first, *n - first, sizeof **files, cmp_str);
    return 0;
}

static int read_trace_opts(cfg *c, yaml_node_t *m, st_trace_opts *o)
{
    const char *s;
    yaml_node_t *n;
    int loop = 1;
    *o = (st_trace_opts){.format = ST_TRACE_AUTO};
    if ((n = cfg_get(c, m, "format"))) {
        if (cfg_str(c, n, "format", &s))
            return -1;
        if (st_trace_format_parse(s, &o->format) != 0)
            return cfg_fail(c, n, "unknown trace format '%s'; expected auto, "
                            "native, cooked, mahimahi or csv", s);
    }
    if ((n = cfg_get(c, m, "column")) && cfg_str(c, n, "column", &o->column))
        return -1;
    if (cfg_opt_num(c, m, "bin_ms", 0.001, 1e6, &o->mahimahi_bin_ms))
        return -1;
    if ((n = cfg_get(c, m, "loop")) && cfg_bool(c, n, "loop", &loop))
        return -1;
    o->no_loop = !loop;
    return 0;
}

static int read_link_dir(cfg *c, yaml_node_t *m, st_scenario *sc,
                         const char *what, st_link_dir *d)
{
    static const char *const keys[] = {"mbps", "trace", "format", "column",
                                       "bin_ms", "loop", "scale", NULL};
    if (cfg_keys(c, m, keys, what))
        return -1;
    d->scale = 1;
    if (cfg_opt_num(c, m, "scale", 1e-6, 1e6, &d->scale))
        return -1;
    yaml_node_t *mb = cfg_get(c, m, "mbps"), *tr = cfg_get(c, m, "trace");
    if ((mb != NULL) == (tr != NULL))
        return cfg_fail(c, m, "%s needs exactly one of 'mbps' (a constant "
                        "rate) or 'trace'", what);
    if (mb) {
        double mbps;
        if (cfg_num(c, mb, "mbps", 1e-9, 1e9, &mbps))
            return -1;
        d->bps = mbps * 1e6;
        return 0;
    }
    st_trace_opts o;
    if (read_trace_opts(c, m, &o))
        return -1;
    char **files = NULL;
    size_t nf = 0;
    int rc = 0;
    size_t np = cfg_is_seq(tr) ? seq_len(tr) : 1;
    if (cfg_is_seq(tr) && np == 0)
        return cfg_fail(c, tr, "expected at least one trace path");
    for (size_t i = 0; i < np && !rc; i++) {
        yaml_node_t *pn = cfg_is_seq(tr) ? seq_at(c, tr, i) : tr;
        const char *rel;
        if (cfg_str(c, pn, "trace", &rel)) {
            rc = -1;
            break;
        }
        char *path = cfg_path(c, rel);
        rc = expand_trace_path(c, pn, path, &files, &nf);
        free(path);
    }
    if (!rc) {
        d->traces = xcalloc(nf, sizeof *d->traces);
        d->n_traces = nf;
        for (size_t i = 0; i < nf && !rc; i++)
            rc = trace_cached(c, tr, sc, files[i], &o, &d->traces[i]);
    }
    for (size_t i = 0; i < nf; i++)
        free(files[i]);
    free(files);
    return rc;
}

static int read_link(cfg *c, yaml_node_t *m, st_scenario *sc, int traces_ok,
                     st_link *l)
{
    static const char *const keys[] = {"up", "down", "rtt", "rtt_ms",
                                       "random_offset", NULL};
    if (cfg_keys(c, m, keys, "a link"))
        return -1;
    yaml_node_t *up = cfg_need(c, m, "up", "a link");
    yaml_node_t *down = up ? cfg_need(c, m, "down", "a link") : NULL;
    if (!up || !down || read_link_dir(c, up, sc, "the uplink", &l->up) ||
        read_link_dir(c, down, sc, "the downlink", &l->down))
        return -1;
    if (!traces_ok && (l->up.n_traces || l->down.n_traces))
        return cfg_fail(c, m, "links between nodes take constant rates "
                        "('mbps'), not traces");
    yaml_node_t *r = cfg_get(c, m, "rtt"), *rms = cfg_get(c, m, "rtt_ms");
    l->rtt_s = st_dist_const(0);
    if (r && rms)
        return cfg_fail(c, rms, "give either 'rtt' or 'rtt_ms', not both");
    if (rms && cfg_time(c, rms, "rtt_ms", "ms", 0, 1e4, &l->rtt_s.a))
        return -1;
    if (r && cfg_time_dist(c, r, "rtt", &l->rtt_s))
        return -1;
    l->random_offset = 1;
    yaml_node_t *ro = cfg_get(c, m, "random_offset");
    return ro ? cfg_bool(c, ro, "random_offset", &l->random_offset) : 0;
}

/* --- nodes and devices --- */

static int read_preload(cfg *c, yaml_node_t *m, const st_scenario *sc,
                        unsigned char **out)
{
    yaml_node_t *p = cfg_get(c, m, "preload");
    *out = xcalloc(sc->n_models, 1);
    if (!p)
        return 0;
    if (cfg_is_scalar(p)) {
        const char *s = (const char *)p->data.scalar.value;
        if (strcmp(s, "all") == 0)
            memset(*out, 1, sc->n_models);
        else if (strcmp(s, "none") != 0)
            return cfg_fail(c, p, "expected 'all', 'none' or a list of model "
                            "names for preload, got '%s'", s);
        return 0;
    }
    if (cfg_expect_seq(c, p, "preload"))
        return -1;
    for (size_t i = 0; i < seq_len(p); i++) {
        int mi = -1;
        if (ref(c, seq_at(c, p, i), "model", NAMES(sc->models), sc->n_models, &mi))
            return -1;
        (*out)[mi] = 1;
    }
    return 0;
}

static int read_tier(cfg *c, yaml_node_t *n, st_tier *out)
{
    const char *s;
    if (cfg_str(c, n, "tier", &s))
        return -1;
    for (int t = ST_TIER_ACCESS; t <= ST_TIER_CLOUD; t++)
        if (strcmp(s, st_tier_name((st_tier)t)) == 0) {
            *out = (st_tier)t;
            return 0;
        }
    return cfg_fail(c, n, "unknown tier '%s'; expected access, edge, regional "
                    "or cloud", s);
}

static int read_node(cfg *c, yaml_node_t *m, st_scenario *sc, size_t self)
{
    static const char *const keys[] = {"name", "tier", "hardware", "executors",
        "memory_mb", "price_per_s", "price_per_request", "parent", "uplink",
        "preload", NULL};
    st_node_spec *nd = &sc->nodes[self];
    yaml_node_t *n;
    long ex = 1;
    nd->parent = -1;
    nd->tier = ST_TIER_CLOUD;
    nd->memory_mb = INFINITY;
    if (cfg_keys(c, m, keys, "a node") || read_name(c, m, "a node", &nd->name))
        return -1;
    if ((n = cfg_get(c, m, "tier")) && read_tier(c, n, &nd->tier))
        return -1;
    n = cfg_need(c, m, "hardware", "a node");
    if (!n || ref(c, n, "hardware", NAMES(sc->hardware), sc->n_hardware,
                  &nd->hardware))
        return -1;
    if (cfg_opt_long(c, m, "executors", 1, 100000, &ex) ||
        cfg_opt_num(c, m, "memory_mb", 1e-3, 1e12, &nd->memory_mb) ||
        cfg_opt_num(c, m, "price_per_s", 0, 1e6, &nd->price_per_s) ||
        cfg_opt_num(c, m, "price_per_request", 0, 1e6, &nd->price_per_request) ||
        read_preload(c, m, sc, &nd->preload))
        return -1;
    nd->executors = (int)ex;
    if ((n = cfg_get(c, m, "parent"))) {
        /* Parents must be listed first: that forbids cycles by construction. */
        if (ref(c, n, "parent node (listed before this one)", NAMES(sc->nodes),
                self, &nd->parent))
            return -1;
        yaml_node_t *u = cfg_need(c, m, "uplink", "a node with a parent");
        if (!u || read_link(c, u, sc, 0, &nd->uplink))
            return -1;
    } else if (cfg_get(c, m, "uplink")) {
        return cfg_fail(c, cfg_get(c, m, "uplink"),
                        "'uplink' needs a 'parent' to link to");
    }
    return 0;
}

static int read_nodes(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    int fail;
    yaml_node_t *l = named_list(c, root, "nodes", 1, &fail);
    if (fail)
        return -1;
    if (seq_len(l) > ST_MAX_NODES)
        return cfg_fail(c, l, "more than %d nodes", ST_MAX_NODES);
    sc->n_nodes = seq_len(l);
    sc->nodes = xcalloc(sc->n_nodes, sizeof *sc->nodes);
    for (size_t i = 0; i < sc->n_nodes; i++) {
        if (read_node(c, seq_at(c, l, i), sc, i))
            return -1;
        if (check_unique(c, l, NAMES(sc->nodes), i + 1, "node"))
            return -1;
    }
    return 0;
}

static int read_arrival(cfg *c, yaml_node_t *m, st_arrival *a)
{
    static const char *const keys[] = {"process", "rate_per_s", "on", "off",
                                       "file", NULL};
    static const char *const kinds[] = {"poisson", "constant", "onoff", "file",
                                        NULL};
    const char *s;
    if (cfg_keys(c, m, keys, "an arrival process"))
        return -1;
    yaml_node_t *p = cfg_need(c, m, "process", "an arrival process");
    if (!p || cfg_str(c, p, "process", &s))
        return -1;
    int k = 0;
    while (kinds[k] && strcmp(kinds[k], s))
        k++;
    if (!kinds[k])
        return cfg_fail(c, p, "unknown arrival process '%s'; expected poisson, "
                        "constant, onoff or file", s);
    a->kind = (st_arrival_kind)k;
    if (a->kind == ST_ARRIVAL_TIMES)
        return cfg_fail(c, p, "arrival process 'file' is not supported yet; "
                        "expected poisson, constant or onoff");
    yaml_node_t *r = cfg_need(c, m, "rate_per_s", "an arrival process");
    if (!r || cfg_num(c, r, "rate_per_s", 1e-9, 1e7, &a->rate))
        return -1;
    if (a->kind == ST_ARRIVAL_ONOFF) {
        yaml_node_t *on = cfg_need(c, m, "on", "an onoff process");
        yaml_node_t *off = on ? cfg_need(c, m, "off", "an onoff process") : NULL;
        if (!on || !off || cfg_time(c, on, "on", "s", 1e-6, 1e9, &a->on_s) ||
            cfg_time(c, off, "off", "s", 1e-6, 1e9, &a->off_s))
            return -1;
    }
    return 0;
}

static int read_workload(cfg *c, yaml_node_t *m, st_scenario *sc,
                         st_device_class *dc)
{
    static const char *const keys[] = {"task", "arrival", "slo", "slo_ms",
                                       "min_accuracy", NULL};
    const char *task;
    if (cfg_keys(c, m, keys, "a workload"))
        return -1;
    yaml_node_t *t = cfg_need(c, m, "task", "a workload");
    if (!t || cfg_str(c, t, "task", &task))
        return -1;
    dc->task = -1;
    for (size_t i = 0; i < sc->n_tasks; i++)
        if (strcmp(sc->tasks[i], task) == 0)
            dc->task = (int)i;
    if (dc->task < 0)
        return cfg_fail(c, t, "no model serves task '%s'", task);
    yaml_node_t *a = cfg_need(c, m, "arrival", "a workload");
    if (!a || read_arrival(c, a, &dc->arrival))
        return -1;
    yaml_node_t *s = cfg_get(c, m, "slo"), *sms = cfg_get(c, m, "slo_ms");
    if (!!s == !!sms)
        return cfg_fail(c, m, "a workload needs exactly one of 'slo' (a time "
                        "or distribution) or 'slo_ms'");
    if (sms) {
        double v;
        if (cfg_time(c, sms, "slo_ms", "ms", 1e-6, 1e6, &v))
            return -1;
        dc->slo_s = st_dist_const(v);
    } else {
        if (cfg_time_dist(c, s, "slo", &dc->slo_s))
            return -1;
        if (st_dist_quantile(&dc->slo_s, 0) <= 0 && dc->slo_s.kind != ST_DIST_EXP &&
            dc->slo_s.kind != ST_DIST_LOGNORMAL && dc->slo_s.kind != ST_DIST_NORMAL)
            return cfg_fail(c, s, "the SLO must be greater than 0");
    }
    return cfg_opt_num(c, m, "min_accuracy", 0, 1, &dc->min_accuracy);
}

static int read_device(cfg *c, yaml_node_t *m, st_scenario *sc,
                       st_device_class *dc)
{
    static const char *const keys[] = {"name", "count", "hardware", "executors",
        "memory_mb", "attach", "link", "preload", "workload", NULL};
    yaml_node_t *n;
    long ex = 1;
    dc->count = 1;
    dc->memory_mb = INFINITY;
    if (cfg_keys(c, m, keys, "a device class") ||
        read_name(c, m, "a device class", &dc->name))
        return -1;
    if (cfg_opt_long(c, m, "count", 1, ST_MAX_DEVICES, &dc->count) ||
        cfg_opt_long(c, m, "executors", 1, 1024, &ex) ||
        cfg_opt_num(c, m, "memory_mb", 1e-3, 1e12, &dc->memory_mb))
        return -1;
    dc->executors = (int)ex;
    n = cfg_need(c, m, "hardware", "a device class");
    if (!n || ref(c, n, "hardware", NAMES(sc->hardware), sc->n_hardware,
                  &dc->hardware))
        return -1;
    n = cfg_need(c, m, "attach", "a device class");
    if (!n || ref(c, n, "node", NAMES(sc->nodes), sc->n_nodes, &dc->attach))
        return -1;
    n = cfg_need(c, m, "link", "a device class");
    if (!n || read_link(c, n, sc, 1, &dc->link) ||
        read_preload(c, m, sc, &dc->preload))
        return -1;
    n = cfg_need(c, m, "workload", "a device class");
    return !n || read_workload(c, n, sc, dc);
}

static int read_devices(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    int fail;
    yaml_node_t *l = named_list(c, root, "devices", 1, &fail);
    if (fail)
        return -1;
    sc->n_device_classes = seq_len(l);
    sc->devices = xcalloc(sc->n_device_classes, sizeof *sc->devices);
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        if (read_device(c, seq_at(c, l, i), sc, &sc->devices[i]))
            return -1;
        sc->n_devices += sc->devices[i].count;
        if (sc->n_devices > ST_MAX_DEVICES)
            return cfg_fail(c, seq_at(c, l, i), "more than %ld devices in all",
                            ST_MAX_DEVICES);
    }
    return check_unique(c, l, NAMES(sc->devices), sc->n_device_classes,
                        "device class");
}

/* --- policies --- */

static int cmp_param(const void *a, const void *b)
{
    return strcmp(**(char **const *)a, **(char **const *)b);
}

static void params_text(st_policy_spec *ps)
{
    size_t n = ps->params.n, len = 1;
    char ***order = xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        order[i] = &ps->params.keys[i];
        len += strlen(ps->params.keys[i]) + strlen(ps->params.values[i]) + 2;
    }
    qsort(order, n, sizeof *order, cmp_param);
    ps->params_text = xcalloc(len, 1);
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(order[i] - ps->params.keys);
        if (i)
            strcat(ps->params_text, ";");
        strcat(ps->params_text, ps->params.keys[k]);
        strcat(ps->params_text, "=");
        strcat(ps->params_text, ps->params.values[k]);
    }
    free(order);
}

static int read_params(cfg *c, yaml_node_t *m, st_policy_spec *ps)
{
    if (cfg_expect_map(c, m, "policy params"))
        return -1;
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    st_params *p = &ps->params;
    p->keys = xcalloc(n, sizeof *p->keys);
    p->values = xcalloc(n, sizeof *p->values);
    p->lines = xcalloc(n, sizeof *p->lines);
    p->cols = xcalloc(n, sizeof *p->cols);
    p->file = c->file;
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *pr = &m->data.mapping.pairs.start[i];
        yaml_node_t *k = cfg_node(c, pr->key), *v = cfg_node(c, pr->value);
        const char *ks;
        if (cfg_str(c, k, "a parameter name", &ks))
            return -1;
        for (size_t j = 0; j < p->n; j++)
            if (strcmp(p->keys[j], ks) == 0)
                return cfg_fail(c, k, "duplicate parameter '%s'", ks);
        p->keys[i] = xstrdup(ks);
        p->values[i] = cfg_is_scalar(v) ? xstrdup((const char *)v->data.scalar.value)
                                        : yt_flow(c->doc, v);
        if (v->start_mark.index != YT_FROM_OVERRIDE) {
            p->lines[i] = v->start_mark.line + 1;
            p->cols[i] = v->start_mark.column + 1;
        }
        p->n = i + 1;
    }
    return 0;
}

static int read_policy_one(cfg *c, yaml_node_t *m, st_policy_spec *ps)
{
    static const char *const keys[] = {"name", "params", NULL};
    yaml_node_t *name = m;
    if (cfg_is_map(m)) {
        if (cfg_keys(c, m, keys, "a policy") ||
            !(name = cfg_need(c, m, "name", "a policy")))
            return -1;
    }
    const char *s;
    if (cfg_str(c, name, "policy name", &s))
        return -1;
    if (!st_policy_lookup(s)) {
        char list[512] = "";
        for (size_t i = 0; i < st_policy_count(); i++) {
            if (strlen(list) + 40 > sizeof list)
                break;
            if (i)
                strcat(list, ", ");
            strcat(list, st_policy_at(i)->name);
        }
        return cfg_fail(c, name, "unknown policy '%s'; expected one of: %s", s, list);
    }
    ps->name = xstrdup(s);
    if (name->start_mark.index != YT_FROM_OVERRIDE) {
        ps->line = name->start_mark.line + 1;
        ps->col = name->start_mark.column + 1;
    }
    yaml_node_t *pm = cfg_is_map(m) ? cfg_get(c, m, "params") : NULL;
    if (pm && read_params(c, pm, ps))
        return -1;
    params_text(ps);
    return 0;
}

static int read_policies(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    yaml_node_t *p = cfg_need(c, root, "policy", "the scenario");
    if (!p)
        return -1;
    size_t n = cfg_is_seq(p) ? seq_len(p) : 1;
    if (n == 0 || n > ST_MAX_POLICIES)
        return cfg_fail(c, p, "expected 1 to %d policies", ST_MAX_POLICIES);
    sc->policies = xcalloc(n, sizeof *sc->policies);
    for (size_t i = 0; i < n; i++) {
        if (read_policy_one(c, cfg_is_seq(p) ? seq_at(c, p, i) : p,
                            &sc->policies[i]))
            return -1;
        sc->n_policies = i + 1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(sc->policies[j].name, sc->policies[i].name) == 0 &&
                strcmp(sc->policies[j].params_text, sc->policies[i].params_text) == 0)
                return cfg_fail(c, seq_at(c, p, i), "policy '%s' listed twice "
                                "with the same params", sc->policies[i].name);
    }
    return 0;
}

/* --- the whole scenario --- */

static int check_servable(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    yaml_node_t *dl = cfg_get(c, root, "devices");
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        const st_device_class *dc = &sc->devices[i];
        int any = 0;
        for (size_t m = 0; m < sc->n_models; m++)
            if (sc->models[m].task == dc->task &&
                (sc->hardware[dc->hardware].per_model[m].present ||
                 sc->hardware[sc->nodes[dc->attach].hardware].per_model[m].present))
                any = 1;
        if (!any)
            return cfg_fail(c, seq_at(c, dl, i), "device class '%s': neither its "
                            "hardware nor node '%s' has a profile for any model "
                            "of task '%s'", dc->name, sc->nodes[dc->attach].name,
                            sc->tasks[dc->task]);
    }
    return 0;
}

static int read_cost(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    static const char *const keys[] = {"price_per_gb", NULL};
    yaml_node_t *m = cfg_get(c, root, "cost");
    if (!m)
        return 0;
    return cfg_keys(c, m, keys, "cost") ||
           cfg_opt_num(c, m, "price_per_gb", 0, 1e6, &sc->price_per_gb);
}

static int read_top(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    static const char *const keys[] = {"name", "seed", "duration", "warmup",
        "drain", "models", "hardware", "nodes", "devices", "policy", "cost",
        "description", NULL};
    yaml_node_t *n;
    const char *name;
    double seed = 1;
    if (cfg_keys(c, root, keys, "the scenario"))
        return -1;
    if (!(n = cfg_need(c, root, "name", "the scenario")) || cfg_str(c, n, "name", &name))
        return -1;
    sc->name = xstrdup(name);
    if ((n = cfg_get(c, root, "seed")) && cfg_num(c, n, "seed", 0, 9007199254740992.0, &seed))
        return -1;
    if (seed != floor(seed))
        return cfg_fail(c, n, "expected a whole number for seed");
    sc->seed = (uint64_t)seed;
    if (!(n = cfg_need(c, root, "duration", "the scenario")) ||
        cfg_time(c, n, "duration", "s", 1e-6, 1e9, &sc->duration_s))
        return -1;
    if ((n = cfg_get(c, root, "warmup")) &&
        cfg_time(c, n, "warmup", "s", 0, 1e9, &sc->warmup_s))
        return -1;
    if (sc->warmup_s >= sc->duration_s)
        return cfg_fail(c, n, "warmup (%g s) must be shorter than duration (%g s)",
                        sc->warmup_s, sc->duration_s);
    sc->drain_s = 60;
    if ((n = cfg_get(c, root, "drain")) &&
        cfg_time(c, n, "drain", "s", 0, 1e9, &sc->drain_s))
        return -1;
    return read_models(c, root, sc) || read_hardware(c, root, sc) ||
           read_nodes(c, root, sc) || read_devices(c, root, sc) ||
           check_servable(c, root, sc) || read_policies(c, root, sc) ||
           read_cost(c, root, sc);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup("");
    size_t n = (size_t)(slash - path);
    char *d = xcalloc(n + 2, 1);
    memcpy(d, path, n ? n : 1);
    return d;
}

static int build(const char *label, const char *base_dir, yaml_document_t *doc,
                 const char *const *ov, size_t nov, st_scenario **out,
                 st_error *err)
{
    for (size_t i = 0; i < nov; i++)
        if (yt_apply_override(doc, label, ov[i], err))
            return -1;
    st_scenario *sc = xcalloc(1, sizeof *sc);
    sc->file = xstrdup(label);
    cfg c = {doc, sc->file, base_dir, err};
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (cfg_expect_map(&c, root, "the scenario") || read_top(&c, root, sc)) {
        st_scenario_free(sc);
        return -1;
    }
    sc->text = yt_canonical(doc);
    st_hash_hex(st_hash_str(ST_HASH_INIT, sc->text), sc->hash);
    *out = sc;
    return 0;
}

int st_scenario_load_text(const char *label, const char *text, size_t len,
                          const char *base_dir, const char *const *overrides,
                          size_t n_overrides, st_scenario **out, st_error *err)
{
    yaml_document_t doc;
    if (yt_load_text(label, text, len, &doc, err))
        return -1;
    int rc = build(label, base_dir ? base_dir : "", &doc, overrides,
                   n_overrides, out, err);
    yaml_document_delete(&doc);
    return rc;
}

int st_scenario_load(const char *path, const char *const *overrides,
                     size_t n_overrides, st_scenario **out, st_error *err)
{
    yaml_document_t doc;
    if (yt_load_file(path, &doc, err))
        return -1;
    char *dir = dir_of(path);
    int rc = build(path, dir, &doc, overrides, n_overrides, out, err);
    free(dir);
    yaml_document_delete(&doc);
    return rc;
}

/* --- freeing and lookups --- */

static void free_params(st_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->keys[i]);
        free(p->values[i]);
    }
    free(p->keys);
    free(p->values);
    free(p->lines);
    free(p->cols);
}

static void free_link(st_link *l)
{
    free(l->up.traces);
    free(l->down.traces);
    st_dist_free(&l->rtt_s);
}

static void free_policy(st_policy_spec *ps)
{
    free(ps->name);
    free(ps->params_text);
    free_params(&ps->params);
}

void st_scenario_free(st_scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n_tasks; i++)
        free(sc->tasks[i]);
    free(sc->tasks);
    for (size_t i = 0; i < sc->n_models; i++)
        free(sc->models[i].name);
    free(sc->models);
    for (size_t i = 0; i < sc->n_hardware; i++) {
        st_hardware *h = &sc->hardware[i];
        free(h->name);
        if (h->per_model)
            for (size_t m = 0; m < sc->n_models; m++)
                st_dist_free(&h->per_model[m].exec_s);
        free(h->per_model);
    }
    free(sc->hardware);
    for (size_t i = 0; i < sc->n_nodes; i++) {
        free(sc->nodes[i].name);
        free(sc->nodes[i].preload);
        free_link(&sc->nodes[i].uplink);
    }
    free(sc->nodes);
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        st_device_class *d = &sc->devices[i];
        free(d->name);
        free(d->preload);
        free(d->arrival.times);
        st_dist_free(&d->slo_s);
        free_link(&d->link);
    }
    free(sc->devices);
    for (size_t i = 0; i < sc->n_policies; i++)
        free_policy(&sc->policies[i]);
    free(sc->policies);
    for (size_t i = 0; i < sc->n_traces; i++)
        st_trace_free(sc->traces[i]);
    free(sc->traces);
    free(sc->text);
    free(sc->file);
    free(sc->name);
    free(sc);
}

int st_scenario_model(const st_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_models; i++)
        if (strcmp(sc->models[i].name, name) == 0)
            return (int)i;
    return -1;
}

int st_scenario_node(const st_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_nodes; i++)
        if (strcmp(sc->nodes[i].name, name) == 0)
            return (int)i;
    return -1;
}

int st_scenario_select_policies(st_scenario *sc, const char *const *names,
                                size_t n, st_error *err)
{
    if (n == 0 || n > ST_MAX_POLICIES)
        return st_error_set(err, "expected 1 to %d policy names", ST_MAX_POLICIES);
    for (size_t i = 0; i < n; i++) {
        if (!st_policy_lookup(names[i]))
            return st_error_set(err, "unknown policy '%s' (see 'strata run "
                                "--help' for the list)", names[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return st_error_set(err, "policy '%s' named twice", names[i]);
    }
    st_policy_spec *sel = xcalloc(n, sizeof *sel);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sc->n_policies && (!sc->policies[k].name ||
                                      strcmp(sc->policies[k].name, names[i]) != 0))
            k++;
        if (k < sc->n_policies) {   /* keep the params the scenario gave */
            sel[i] = sc->policies[k];
            sc->policies[k] = (st_policy_spec){0};
        } else {
            sel[i] = (st_policy_spec){.name = xstrdup(names[i]),
                                      .params_text = xstrdup("")};
        }
    }
    for (size_t k = 0; k < sc->n_policies; k++)
        free_policy(&sc->policies[k]);
    free(sc->policies);
    sc->policies = sel;
    sc->n_policies = n;
    return 0;
}

void st_scenario_run_key(const st_scenario *sc, size_t policy, char out[17])
{
    uint64_t h = st_hash_str(ST_HASH_INIT, sc->hash);
    h = st_hash_str(h, sc->policies[policy].name);
    h = st_hash_str(h, sc->policies[policy].params_text);
    h = st_hash_u64(h, sc->seed);
    st_hash_hex(h, out);
}

const char *st_tier_name(st_tier t)
{
    static const char *names[] = {"device", "access", "edge", "regional", "cloud"};
    return (unsigned)t < 5 ? names[t] : "?";
}
