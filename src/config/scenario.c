/* scenario.c - turns a YAML document into a checked st_scenario.
 *
 * Reading is strict: unknown keys, wrong types, out-of-range numbers,
 * dangling names and missing files are errors naming file:line:col.  The
 * document (after overrides) is also printed canonically; its hash is the
 * configuration's identity in the results database.
 */
#include "strata/scenario.h"
#include "base/hash.h"
#include "policy/registry.h"
#include "base/xalloc.h"
#include "yaml/cfgread.h"
#include "config/topology.h"
#include "yaml/yamltree.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TRACE_FILES 100000
#define MAX_ARRIVAL_TIMES 10000000

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
    *out = st_xstrdup(s);
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
    char known[400] = "";
    for (size_t i = 0; i < count; i++) {
        const char *nm = name_at(first, stride, i);
        if (strlen(known) + strlen(nm) + 8 >= sizeof known) {
            strcat(known, ", ...");
            break;
        }
        strcat(strcat(known, i ? ", " : ""), nm);
    }
    return cfg_fail(c, n, "unknown %s '%s'; expected one of: %s", what, s,
                    count ? known : "(none defined)");
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
    sc->tasks[sc->n_tasks] = st_xstrdup(task);
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
    sc->models = st_xcalloc(sc->n_models, sizeof *sc->models);
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
    hw->per_model = st_xcalloc(sc->n_models, sizeof *hw->per_model);
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
    sc->hardware = st_xcalloc(sc->n_hardware, sizeof *sc->hardware);
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
    /* Each trace is capped, but a directory of small files that each
     * expand to many segments (Mahimahi bins) could still add up. */
    double segments = (double)tr->n;
    for (size_t i = 0; i < sc->n_traces; i++)
        segments += (double)sc->traces[i]->n;
    if (segments > ST_MAX_TRACE_SEGMENTS) {
        st_trace_free(tr);
        return cfg_fail(c, at, "the traces hold more than %.3g segments in "
                        "all (at '%s'), the limit for one scenario; expected "
                        "fewer or coarser traces", ST_MAX_TRACE_SEGMENTS, path);
    }
    free(tr->name);
    tr->name = st_xstrdup(label);
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
        (*files)[(*n)++] = st_xstrdup(path);
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
        char *path = cfg_path(c, pn, rel);
        if (!path) {
            rc = -1;
            break;
        }
        rc = expand_trace_path(c, pn, path, &files, &nf);
        free(path);
    }
    if (!rc) {
        d->traces = st_xcalloc(nf, sizeof *d->traces);
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
    *out = st_xcalloc(sc->n_models, 1);
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

/* The scalar text of key in the nodes-list entry named name, or NULL. */
static const char *node_entry_key(cfg *c, yaml_node_t *all, const char *name,
                                  const char *key)
{
    for (size_t i = 0; cfg_is_seq(all) && i < seq_len(all); i++) {
        yaml_node_t *e = seq_at(c, all, i), *nm = cfg_get(c, e, "name");
        yaml_node_t *v = cfg_get(c, e, key);
        if (nm && cfg_is_scalar(nm) && v && cfg_is_scalar(v) &&
            strcmp((const char *)nm->data.scalar.value, name) == 0)
            return (const char *)v->data.scalar.value;
    }
    return NULL;
}

/* Parents must be listed first: that forbids cycles by construction, so a
 * cycle or a misordering shows up as a parent not yet read; say which
 * rather than "unknown". */
static int read_parent(cfg *c, yaml_node_t *n, st_scenario *sc, size_t self,
                       int *out)
{
    const char *s;
    if (cfg_str(c, n, "parent", &s))
        return -1;
    for (size_t i = 0; i < self; i++)
        if (strcmp(sc->nodes[i].name, s) == 0) {
            *out = (int)i;
            return 0;
        }
    if (strcmp(s, sc->nodes[self].name) == 0)
        return cfg_fail(c, n, "node '%s' cannot be its own parent", s);
    yaml_node_t *all = cfg_get(c, yaml_document_get_root_node(c->doc), "nodes");
    const char *me = sc->nodes[self].name;
    if (!node_entry_key(c, all, s, "name"))
        return cfg_fail(c, n, "unknown parent node '%s'", s);
    char chain[512];
    snprintf(chain, sizeof chain, "'%s' -> '%s'", me, s);
    const char *up = s;
    /* Short walks only: each step scans the list, and a hostile file could
     * chain every node backwards. */
    for (size_t k = 0; k < 32 && up; k++) {
        up = node_entry_key(c, all, up, "parent");
        if (up && strlen(chain) + strlen(up) + 8 < sizeof chain)
            strcat(strcat(strcat(chain, " -> '"), up), "'");
        if (up && strcmp(up, me) == 0)
            return cfg_fail(c, n, "the parents of node '%s' form a cycle "
                            "(%s); nodes must form a tree", me, chain);
    }
    return cfg_fail(c, n, "parent '%s' of node '%s' is listed after it; "
                    "list every node after its parent", s, me);
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
        if (read_parent(c, n, sc, self, &nd->parent))
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
    sc->nodes = st_xcalloc(sc->n_nodes, sizeof *sc->nodes);
    for (size_t i = 0; i < sc->n_nodes; i++) {
        if (read_node(c, seq_at(c, l, i), sc, i))
            return -1;
        if (check_unique(c, l, NAMES(sc->nodes), i + 1, "node"))
            return -1;
    }
    return 0;
}

/* A timestamp file: one arrival time per line, in seconds from the start
 * of the run, not decreasing; blank lines and '#' comments are skipped.
 * Every device of the class replays the same times. */
static int read_arrival_times(cfg *c, yaml_node_t *f, st_arrival *a)
{
    const char *rel;
    if (cfg_str(c, f, "file", &rel))
        return -1;
    char *path = cfg_path(c, f, rel);
    if (!path)
        return -1;
    FILE *in = fopen(path, "r");
    if (!in) {
        cfg_fail(c, f, "cannot open arrival times '%s': %s", path, strerror(errno));
        free(path);
        return -1;
    }
    char line[256];
    size_t lineno = 0, cap = 0;
    int rc = 0;
    while (!rc && fgets(line, sizeof line, in)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(in)) {
            rc = st_error_at(c->err, path, lineno, 0, "line longer than %zu "
                             "bytes; expected one time in seconds", sizeof line - 2);
            break;
        }
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
            continue;
        char *end;
        errno = 0;
        double t = strtod(p, &end);
        end += strspn(end, " \t\r\n");
        if (end == p || *end || errno || !isfinite(t) || t < 0)
            rc = st_error_at(c->err, path, lineno, 0, "expected one arrival "
                             "time in seconds (>= 0), got '%.*s'",
                             (int)strcspn(p, "\r\n"), p);
        else if (a->n_times && t < a->times[a->n_times - 1])
            rc = st_error_at(c->err, path, lineno, 0, "arrival time %g s is "
                             "before the previous line's %g s; expected times "
                             "that do not decrease", t, a->times[a->n_times - 1]);
        else if (a->n_times >= MAX_ARRIVAL_TIMES)
            rc = st_error_at(c->err, path, lineno, 0, "more than %d arrival "
                             "times", MAX_ARRIVAL_TIMES);
        else {
            if (a->n_times == cap) {
                cap = cap ? 2 * cap : 1024;
                a->times = st_xrealloc(a->times, cap * sizeof *a->times);
            }
            a->times[a->n_times++] = t;
        }
    }
    fclose(in);
    if (!rc && a->n_times == 0)
        rc = st_error_at(c->err, path, 0, 0, "no arrival times; expected one "
                         "time in seconds per line");
    free(path);
    /* The mean rate, for load estimates only: the world replays the times. */
    if (!rc)
        a->rate = (double)a->n_times /
                  (a->times[a->n_times - 1] > 0 ? a->times[a->n_times - 1] : 1);
    return rc ? -1 : 0;
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
    if (a->kind == ST_ARRIVAL_TIMES) {
        yaml_node_t *f = cfg_need(c, m, "file", "a 'file' arrival process");
        if (cfg_get(c, m, "rate_per_s"))
            return cfg_fail(c, cfg_get(c, m, "rate_per_s"), "a 'file' arrival "
                            "process takes its times from the file, not "
                            "rate_per_s");
        return !f || read_arrival_times(c, f, a);
    }
    if (cfg_get(c, m, "file"))
        return cfg_fail(c, cfg_get(c, m, "file"), "'file' goes with process: "
                        "file, not '%s'", s);
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

static int read_task_ref(cfg *c, yaml_node_t *t, const st_scenario *sc,
                         int *out)
{
    const char *task;
    if (cfg_str(c, t, "task", &task))
        return -1;
    for (size_t i = 0; i < sc->n_tasks; i++)
        if (strcmp(sc->tasks[i], task) == 0) {
            *out = (int)i;
            return 0;
        }
    return cfg_fail(c, t, "no model serves task '%s'", task);
}

/* tasks: {zipf: S, names: [task, ...], shift_every: K, shift_by: N,
 * slot: TIME}; names default to every task, in the order models name
 * them.  See st_task_mix in scenario.h. */
static int read_task_mix(cfg *c, yaml_node_t *m, const st_scenario *sc,
                         st_device_class *dc)
{
    static const char *const keys[] = {"zipf", "names", "shift_every",
                                       "shift_by", "slot", NULL};
    st_task_mix *mix = &dc->mix;
    yaml_node_t *z, *names, *sl;
    if (cfg_expect_map(c, m, "tasks") || cfg_keys(c, m, keys, "tasks") ||
        !(z = cfg_need(c, m, "zipf", "tasks")) ||
        cfg_num(c, z, "zipf", 0, 100, &mix->zipf))
        return -1;
    mix->shift_by = 1;
    mix->slot_s = 1;
    if (cfg_opt_long(c, m, "shift_every", 0, 1000000000L, &mix->shift_every) ||
        cfg_opt_long(c, m, "shift_by", 0, ST_MAX_MODELS, &mix->shift_by) ||
        ((sl = cfg_get(c, m, "slot")) &&
         cfg_time(c, sl, "slot", "s", 1e-6, 1e9, &mix->slot_s)))
        return -1;
    if (!(names = cfg_get(c, m, "names"))) {
        mix->tasks = st_xcalloc(sc->n_tasks, sizeof *mix->tasks);
        for (size_t i = 0; i < sc->n_tasks; i++)
            mix->tasks[mix->n++] = (int)i;
    } else {
        if (cfg_expect_seq(c, names, "tasks.names"))
            return -1;
        if (seq_len(names) == 0)
            return cfg_fail(c, names, "expected at least one task name");
        mix->tasks = st_xcalloc(seq_len(names), sizeof *mix->tasks);
        for (size_t i = 0; i < seq_len(names); i++) {
            yaml_node_t *e = seq_at(c, names, i);
            if (read_task_ref(c, e, sc, &mix->tasks[i]))
                return -1;
            for (size_t j = 0; j < i; j++)
                if (mix->tasks[j] == mix->tasks[i])
                    return cfg_fail(c, e, "task '%s' is listed twice",
                                    sc->tasks[mix->tasks[i]]);
            mix->n = i + 1;
        }
    }
    dc->task = mix->tasks[0];
    return 0;
}

int st_task_mix_task(const st_task_mix *m, size_t rank, double t)
{
    long phase = 0;
    if (m->shift_every > 0 && t > 0)
        phase = (long)floor(t / (m->slot_s * (double)m->shift_every));
    size_t n = m->n;
    size_t shift = ((size_t)phase % n) * ((size_t)m->shift_by % n) % n;
    return m->tasks[(rank + shift) % n];
}

double st_task_mix_prob(const st_task_mix *m, size_t rank)
{
    double sum = 0;
    for (size_t k = 0; k < m->n; k++)
        sum += pow((double)(k + 1), -m->zipf);
    return pow((double)(rank + 1), -m->zipf) / sum;
}

static int read_workload(cfg *c, yaml_node_t *m, st_scenario *sc,
                         st_device_class *dc)
{
    static const char *const keys[] = {"task", "tasks", "arrival", "slo",
                                       "slo_ms", "min_accuracy", NULL};
    if (cfg_keys(c, m, keys, "a workload"))
        return -1;
    yaml_node_t *t = cfg_get(c, m, "task"), *ts = cfg_get(c, m, "tasks");
    if (!!t == !!ts)
        return cfg_fail(c, m, "a workload needs exactly one of 'task' (a task "
                        "name) or 'tasks' (a Zipf popularity over tasks)");
    if (t ? read_task_ref(c, t, sc, &dc->task) : read_task_mix(c, ts, sc, dc))
        return -1;
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

/* dispatch: {queue: fifo|edf, workers: N}; absent = decide at arrival. */
static int read_dispatch(cfg *c, yaml_node_t *m, st_device_class *dc)
{
    static const char *const keys[] = {"queue", "workers", NULL};
    const char *q;
    long workers = 1;
    if (cfg_keys(c, m, keys, "dispatch"))
        return -1;
    yaml_node_t *qn = cfg_need(c, m, "queue", "dispatch");
    if (!qn || cfg_str(c, qn, "queue", &q))
        return -1;
    if (strcmp(q, "fifo") == 0)
        dc->dispatch = ST_DISPATCH_FIFO;
    else if (strcmp(q, "edf") == 0)
        dc->dispatch = ST_DISPATCH_EDF;
    else
        return cfg_fail(c, qn, "unknown dispatch queue '%s'; expected fifo "
                        "or edf (earliest deadline first)", q);
    if (cfg_opt_long(c, m, "workers", 1, 1024, &workers))
        return -1;
    dc->dispatch_workers = (int)workers;
    return 0;
}

static int read_device(cfg *c, yaml_node_t *m, st_scenario *sc,
                       st_device_class *dc)
{
    static const char *const keys[] = {"name", "count", "hardware", "executors",
        "memory_mb", "attach", "link", "preload", "workload", "dispatch", NULL};
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
    if (!n || st_topology_attach(c, n, sc, dc))
        return -1;
    n = cfg_need(c, m, "link", "a device class");
    if (!n || read_link(c, n, sc, 1, &dc->link) ||
        read_preload(c, m, sc, &dc->preload))
        return -1;
    if ((n = cfg_get(c, m, "dispatch")) && read_dispatch(c, n, dc))
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
    sc->devices = st_xcalloc(sc->n_device_classes, sizeof *sc->devices);
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
    char ***order = st_xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        order[i] = &ps->params.keys[i];
        len += strlen(ps->params.keys[i]) + strlen(ps->params.values[i]) + 2;
    }
    qsort(order, n, sizeof *order, cmp_param);
    ps->params_text = st_xcalloc(len, 1);
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
    p->keys = st_xcalloc(n, sizeof *p->keys);
    p->values = st_xcalloc(n, sizeof *p->values);
    p->lines = st_xcalloc(n, sizeof *p->lines);
    p->cols = st_xcalloc(n, sizeof *p->cols);
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
        p->keys[i] = st_xstrdup(ks);
        p->values[i] = cfg_is_scalar(v) ? st_xstrdup((const char *)v->data.scalar.value)
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
        const char *names[ST_MAX_POLICIES + 1] = {NULL};
        char list[512];
        for (size_t i = 0; i < st_policy_count() && i < ST_MAX_POLICIES; i++)
            names[i] = st_policy_at(i)->name;
        st_error_join(list, sizeof list, names);
        return cfg_fail(c, name, "unknown policy '%s'; expected one of: %s", s, list);
    }
    ps->name = st_xstrdup(s);
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
    sc->policies = st_xcalloc(n, sizeof *sc->policies);
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

/* Can a request for task from a device of class dc attached at node be
 * run somewhere: on the device, at the node, or above it? */
static int task_servable(const st_scenario *sc, const st_device_class *dc,
                         int node, int task)
{
    for (size_t m = 0; m < sc->n_models; m++) {
        if (sc->models[m].task != task)
            continue;
        if (sc->hardware[dc->hardware].per_model[m].present)
            return 1;
        for (int k = node; k >= 0; k = sc->nodes[k].parent)
            if (sc->hardware[sc->nodes[k].hardware].per_model[m].present)
                return 1;
    }
    return 0;
}

static int check_servable(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    yaml_node_t *dl = cfg_get(c, root, "devices");
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        const st_device_class *dc = &sc->devices[i];
        size_t nt = dc->mix.n ? dc->mix.n : 1;
        for (size_t a = 0; a < dc->n_attach; a++)
            for (size_t k = 0; k < nt; k++) {
                int task = dc->mix.n ? dc->mix.tasks[k] : dc->task;
                int node = dc->attach_nodes[a];
                if (!task_servable(sc, dc, node, task))
                    return cfg_fail(c, seq_at(c, dl, i), "device class '%s': "
                                    "neither its hardware nor node '%s' or a "
                                    "node above it has a profile for any model "
                                    "of task '%s'", dc->name,
                                    sc->nodes[node].name, sc->tasks[task]);
            }
    }
    return 0;
}

/* A memory budget below every model the hardware can run makes every load
 * transient, which is never what a scenario means. */
static int check_budget(cfg *c, yaml_node_t *at, const char *what,
                        const char *name, int hw, double memory_mb,
                        const st_scenario *sc)
{
    int small = -1;
    const st_profile *pm = sc->hardware[hw].per_model;
    for (size_t m = 0; m < sc->n_models; m++)
        if (pm[m].present && (small < 0 || pm[m].memory_mb < pm[small].memory_mb))
            small = (int)m;
    if (small < 0 || memory_mb >= pm[small].memory_mb)
        return 0;
    yaml_node_t *mn = cfg_get(c, at, "memory_mb");
    return cfg_fail(c, mn ? mn : at, "%s '%s' has memory_mb %g, smaller than every model "
                    "its hardware '%s' can run (the smallest, '%s', needs %g "
                    "MB); expected a larger memory_mb", what, name, memory_mb,
                    sc->hardware[hw].name, sc->models[small].name,
                    pm[small].memory_mb);
}

/* A node no device can reach (none attaches to it or below it) is almost
 * always a missing 'parent'. */
static int check_topology(cfg *c, yaml_node_t *root, const st_scenario *sc)
{
    yaml_node_t *nl = cfg_get(c, root, "nodes"), *dl = cfg_get(c, root, "devices");
    unsigned char *reach = st_xcalloc(sc->n_nodes, 1);
    int rc = 0;
    for (size_t i = 0; i < sc->n_device_classes; i++)
        for (size_t a = 0; a < sc->devices[i].n_attach; a++)
            for (int k = sc->devices[i].attach_nodes[a]; k >= 0 && !reach[k];
                 k = sc->nodes[k].parent)
                reach[k] = 1;
    for (size_t i = 0; i < sc->n_nodes && !rc; i++)
        if (!reach[i])
            rc = cfg_fail(c, seq_at(c, nl, i), "node '%s' is disconnected: no "
                          "device class attaches to it or to a node below it "
                          "(expected a 'parent: %s' on some node, or an "
                          "'attach: %s')", sc->nodes[i].name,
                          sc->nodes[i].name, sc->nodes[i].name);
    for (size_t i = 0; i < sc->n_nodes && !rc; i++)
        rc = check_budget(c, seq_at(c, nl, i), "node", sc->nodes[i].name,
                          sc->nodes[i].hardware, sc->nodes[i].memory_mb, sc);
    for (size_t i = 0; i < sc->n_device_classes && !rc; i++)
        rc = check_budget(c, seq_at(c, dl, i), "device class",
                          sc->devices[i].name, sc->devices[i].hardware,
                          sc->devices[i].memory_mb, sc);
    free(reach);
    return rc;
}

/* What a run would allocate and do, bounded before it starts: per-model
 * state on every node and device, and the number of requests. */
static int check_size(cfg *c, yaml_node_t *root, const st_scenario *sc)
{
    double slots = ((double)sc->n_nodes + (double)sc->n_devices) *
                   (double)sc->n_models;
    if (slots > ST_MAX_MODEL_SLOTS)
        return cfg_fail(c, cfg_get(c, root, "devices"), "%ld devices and %zu "
                        "nodes with %zu models need %.3g per-model states, more "
                        "than the limit of %.3g; expected fewer devices or "
                        "models", sc->n_devices, sc->n_nodes, sc->n_models,
                        slots, (double)ST_MAX_MODEL_SLOTS);
    double requests = 0;
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        const st_arrival *a = &sc->devices[i].arrival;
        double duty = a->kind == ST_ARRIVAL_ONOFF ? a->on_s / (a->on_s + a->off_s)
                                                  : 1;
        requests += (double)sc->devices[i].count * a->rate * duty * sc->duration_s;
    }
    if (requests > ST_MAX_REQUESTS)
        return cfg_fail(c, cfg_get(c, root, "devices"), "the workload implies "
                        "about %.3g requests (devices x rate x duration), more "
                        "than the limit of %.3g; expected a shorter duration, "
                        "lower rates or fewer devices", requests,
                        (double)ST_MAX_REQUESTS);
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
    sc->name = st_xstrdup(name);
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
           check_servable(c, root, sc) || check_topology(c, root, sc) ||
           check_size(c, root, sc) || read_policies(c, root, sc) ||
           read_cost(c, root, sc);
}

/* --- includes --- */

/* 'include: FILE' or 'include: [FILE, ...]' names files whose 'models' and
 * 'hardware' lists are appended to the scenario's (after its own entries,
 * in order).  The merged document is what is checked, printed and hashed,
 * so a run's stored text holds everything it used, and it reads the same
 * without the included files.  Errors about merged entries name the file
 * they came from.  Relative paths resolve against the scenario's
 * directory, also inside included files; an included file cannot include. */

#define MAX_INCLUDES 64

typedef struct includes {
    char **files;
    size_t n;
} includes;

static void includes_free(includes *inc)
{
    for (size_t i = 0; i < inc->n; i++)
        free(inc->files[i]);
    free(inc->files);
    *inc = (includes){0};
}

/* Id of key's value in the mapping map_id, or 0. */
static int map_value_id(yaml_document_t *doc, int map_id, const char *key)
{
    yaml_node_t *m = yaml_document_get_node(doc, map_id);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return p->value;
    }
    return 0;
}

/* Appends the items of the included list l to the scenario's list `key`
 * (created when the scenario has none). */
static int merge_list(cfg *c, yaml_document_t *inc, yaml_node_t *l,
                      const char *key, size_t origin)
{
    int list = map_value_id(c->doc, 1, key);
    if (!list) {
        int k = yaml_document_add_scalar(c->doc, NULL, (yaml_char_t *)key,
                                         (int)strlen(key), YAML_PLAIN_SCALAR_STYLE);
        list = yaml_document_add_sequence(c->doc, NULL, YAML_ANY_SEQUENCE_STYLE);
        yaml_document_append_mapping_pair(c->doc, 1, k, list);
    } else if (cfg_expect_seq(c, cfg_node(c, list), key)) {
        return -1;
    }
    for (size_t i = 0; i < seq_len(l); i++) {
        int id = yt_copy(c->doc, inc, yaml_document_get_node(inc,
                         l->data.sequence.items.start[i]), origin);
        yaml_document_append_sequence_item(c->doc, list, id);
    }
    if ((size_t)(c->doc->nodes.top - c->doc->nodes.start) > YT_MAX_NODES)
        return cfg_fail(c, NULL, "more than %d YAML nodes with included files",
                        YT_MAX_NODES);
    return 0;
}

static int include_file(cfg *c, yaml_node_t *at, const char *path,
                        size_t origin)
{
    static const char *const keys[] = {"models", "hardware", NULL};
    yaml_document_t inc;
    st_error lerr;
    if (yt_load_file(path, &inc, &lerr))
        return cfg_fail(c, at, "cannot include it: %s", lerr.msg);
    cfg ic = {.doc = &inc, .file = path, .dir = c->dir, .err = c->err};
    yaml_node_t *root = yaml_document_get_root_node(&inc);
    int rc = cfg_keys(&ic, root, keys, "an included file");
    for (const char *const *k = keys; *k && !rc; k++) {
        yaml_node_t *l = cfg_get(&ic, root, *k);
        if (l)
            rc = cfg_expect_seq(&ic, l, *k) || merge_list(c, &inc, l, *k, origin);
    }
    yaml_document_delete(&inc);
    return rc;
}

/* Merges the files named by the root's 'include' key, then removes the
 * key.  inc collects their names (for messages); c->includes points there. */
static int expand_includes(cfg *c, includes *inc)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!cfg_is_map(root))
        return 0;
    int v = map_value_id(c->doc, 1, "include");
    if (!v)
        return 0;
    yaml_node_t *list = cfg_node(c, v);
    size_t n = cfg_is_seq(list) ? seq_len(list) : 1;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = cfg_is_seq(list) ? seq_at(c, list, i) : list;
        const char *rel;
        if (cfg_str(c, item, "include (a file name)", &rel))
            return -1;
        if (inc->n >= MAX_INCLUDES)
            return cfg_fail(c, item, "more than %d included files", MAX_INCLUDES);
        char *path = cfg_path(c, item, rel);
        if (!path)
            return -1;
        inc->files = realloc(inc->files, (inc->n + 1) * sizeof *inc->files);
        if (!inc->files)
            abort();
        inc->files[inc->n] = path;
        c->includes = inc->files;
        c->n_includes = ++inc->n;
        if (include_file(c, item, path, YT_FROM_INCLUDE + inc->n - 1))
            return -1;
        list = cfg_node(c, v);   /* nodes may have moved */
    }
    root = yaml_document_get_root_node(c->doc);
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++)
        if (p->value == v) {
            memmove(p, p + 1, (size_t)(root->data.mapping.pairs.top - p - 1) * sizeof *p);
            root->data.mapping.pairs.top--;
            break;
        }
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return st_xstrdup("");
    size_t n = (size_t)(slash - path);
    char *d = st_xcalloc(n + 2, 1);
    memcpy(d, path, n ? n : 1);
    return d;
}

static int build(const char *label, const char *base_dir, yaml_document_t *doc,
                 const char *const *ov, size_t nov, st_scenario **out,
                 st_error *err)
{
    st_scenario *sc = st_xcalloc(1, sizeof *sc);
    sc->file = st_xstrdup(label);
    cfg c = {.doc = doc, .file = sc->file, .dir = base_dir, .err = err};
    includes inc = {0};
    /* Includes merge before overrides, so overrides can reach included
     * entries; an override that sets 'include' is merged after. */
    int rc = expand_includes(&c, &inc);
    for (size_t i = 0; i < nov && !rc; i++)
        rc = yt_apply_override(doc, label, ov[i], err);
    if (!rc)
        rc = expand_includes(&c, &inc);
    if (!rc)   /* after overrides, so they can set a fan-out */
        rc = st_topology_expand(&c);
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (rc || cfg_expect_map(&c, root, "the scenario") || read_top(&c, root, sc)) {
        includes_free(&inc);
        st_scenario_free(sc);
        return -1;
    }
    includes_free(&inc);
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

int st_scenario_load_profiles(const char *path, st_scenario **out,
                              st_error *err)
{
    yaml_document_t doc;
    if (yt_load_file(path, &doc, err))
        return -1;
    char *dir = dir_of(path);
    st_scenario *sc = st_xcalloc(1, sizeof *sc);
    sc->file = st_xstrdup(path);
    cfg c = {.doc = &doc, .file = sc->file, .dir = dir, .err = err};
    includes inc = {0};
    int rc = expand_includes(&c, &inc);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    rc = rc || cfg_expect_map(&c, root, "a profile file") ||
         read_models(&c, root, sc) || read_hardware(&c, root, sc);
    includes_free(&inc);
    free(dir);
    yaml_document_delete(&doc);
    if (rc) {
        st_scenario_free(sc);
        return -1;
    }
    *out = sc;
    return 0;
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
        free(d->attach_nodes);
        free(d->mix.tasks);
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
    st_policy_spec *sel = st_xcalloc(n, sizeof *sel);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sc->n_policies && (!sc->policies[k].name ||
                                      strcmp(sc->policies[k].name, names[i]) != 0))
            k++;
        if (k < sc->n_policies) {   /* keep the params the scenario gave */
            sel[i] = sc->policies[k];
            sc->policies[k] = (st_policy_spec){0};
        } else {
            sel[i] = (st_policy_spec){.name = st_xstrdup(names[i]),
                                      .params_text = st_xstrdup("")};
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
