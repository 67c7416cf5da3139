/* aihub.c - imports Qualcomm AI Hub model profiles.  A model directory
 * holds perf.yaml (per precision, component, device and runtime: the
 * inference time in ms, the estimated peak memory range in MB and the
 * primary compute unit), info.yaml (id, name, use case, "Model size
 * (PRECISION)") and numerics.yaml (on-device accuracy per device,
 * precision and runtime, measured on a subset of the validation set).
 *
 * A model is one (id, precision): quantised variants differ in size and
 * accuracy.  Hardware is one (device, runtime). */
#include "profile/pset.h"
#include "yaml/cfgread.h"
#include "yaml/yamltree.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_MODEL_DIRS 10000

typedef struct hubfile {
    char *path;
    yaml_document_t doc;
    int loaded;
    cfg c;
} hubfile;

typedef struct hubmodel {
    hubfile perf, info, num;
    const char *id, *title, *task_text;
    yaml_node_t *details;   /* info.yaml technical_details, or NULL */
    yaml_node_t *metric;    /* numerics.yaml metrics[0], or NULL */
} hubmodel;

static int load(hubfile *f, const char *dir, const char *name, st_error *err)
{
    f->path = ps_printf("%s/%s", dir, name);
    struct stat st;
    if (stat(f->path, &st) != 0)
        return st_error_at(err, dir, 0, 0, "no %s (an AI Hub model directory "
                           "holds perf.yaml, info.yaml and numerics.yaml)", name);
    if (yt_load_file(f->path, &f->doc, err))
        return -1;
    f->loaded = 1;
    f->c = (cfg){.doc = &f->doc, .file = f->path, .dir = dir, .err = err};
    yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    return cfg_expect_map(&f->c, root, name);
}

static void unload(hubfile *f)
{
    if (f->loaded)
        yaml_document_delete(&f->doc);
    free(f->path);
}

static yaml_node_t *root_of(hubfile *f)
{
    return yaml_document_get_root_node(&f->doc);
}

/* A required string under key in map. */
static int need_str(hubfile *f, yaml_node_t *map, const char *key,
                    const char *what, const char **out)
{
    yaml_node_t *n = cfg_need(&f->c, map, key, what);
    return !n || cfg_str(&f->c, n, key, out);
}

/* A required mapping under key in map. */
static yaml_node_t *need_map(hubfile *f, yaml_node_t *map, const char *key,
                             const char *what)
{
    yaml_node_t *n = cfg_need(&f->c, map, key, what);
    if (!n || cfg_expect_map(&f->c, n, key))
        return NULL;
    return n;
}

static int read_info(hubmodel *m)
{
    yaml_node_t *root = root_of(&m->info);
    if (need_str(&m->info, root, "id", "info.yaml", &m->id) ||
        need_str(&m->info, root, "name", "info.yaml", &m->title) ||
        need_str(&m->info, root, "use_case", "info.yaml", &m->task_text))
        return -1;
    m->details = cfg_get(&m->info.c, root, "technical_details");
    if (m->details && cfg_expect_map(&m->info.c, m->details, "technical_details"))
        return -1;
    yaml_node_t *metrics = cfg_need(&m->num.c, root_of(&m->num), "metrics",
                                    "numerics.yaml");
    if (!metrics || cfg_expect_seq(&m->num.c, metrics, "metrics"))
        return -1;
    if (metrics->data.sequence.items.top > metrics->data.sequence.items.start) {
        m->metric = cfg_node(&m->num.c, metrics->data.sequence.items.start[0]);
        if (cfg_expect_map(&m->num.c, m->metric, "a metric"))
            return -1;
    }
    return 0;
}

/* "13.3 MB" (or KB, GB) in MB; -1 if it is not that. */
static int parse_size(const char *s, double *mb)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0)
        return -1;
    while (*end == ' ')
        end++;
    if (strcasecmp(end, "MB") == 0)
        *mb = v;
    else if (strcasecmp(end, "KB") == 0)
        *mb = v / 1e3;
    else if (strcasecmp(end, "GB") == 0)
        *mb = v * 1e3;
    else
        return -1;
    return 0;
}

static void set_size(st_profile_set *set, hubmodel *m, size_t mi,
                     const char *precision)
{
    char key[128];
    snprintf(key, sizeof key, "Model size (%s)", precision);
    yaml_node_t *n = m->details ? cfg_get(&m->info.c, m->details, key) : NULL;
    double mb;
    if (!n || !cfg_is_scalar(n) ||
        parse_size((const char *)n->data.scalar.value, &mb)) {
        ps_missing(set, "%s: %s gives no '%s' in MB", set->models[mi].name,
                   m->info.path, key);
        return;
    }
    char *note = ps_printf("info.yaml '%s'", key);
    ps_model_size(set, mi, mb, note);
    free(note);
}

/* The metric's value as a fraction, or NaN if its unit is neither '%' nor
 * a fraction of 1. */
static double as_fraction(hubmodel *m, double v)
{
    yaml_node_t *u = cfg_get(&m->num.c, m->metric, "metric_unit");
    if (u && cfg_is_scalar(u) && strcmp((char *)u->data.scalar.value, "%") == 0)
        return v / 100;
    yaml_node_t *r = cfg_get(&m->num.c, m->metric, "metric_range");
    yaml_node_t *hi = r ? cfg_get(&m->num.c, r, "max") : NULL;
    double max;
    if (hi && cfg_num(&m->num.c, hi, "metric_range.max", -1e300, 1e300, &max) == 0 &&
        max == 1 && v >= 0 && v <= 1)
        return v;
    return NAN;
}

static const char *scalar_or(hubmodel *m, const char *key, const char *dflt)
{
    yaml_node_t *n = m->metric ? cfg_get(&m->num.c, m->metric, key) : NULL;
    return n && cfg_is_scalar(n) ? (const char *)n->data.scalar.value : dflt;
}

/* partial_metric under device_metric[device][precision][runtime]; runtime
 * NULL takes the first runtime listed.  Sets *rt_out to the runtime used. */
static yaml_node_t *device_metric(hubmodel *m, yaml_node_t *dev,
                                  const char *precision, const char *runtime,
                                  const char **rt_out)
{
    cfg *c = &m->num.c;
    yaml_node_t *p = cfg_is_map(dev) ? cfg_get(c, dev, precision) : NULL;
    if (!cfg_is_map(p))
        return NULL;
    for (yaml_node_pair_t *q = p->data.mapping.pairs.start;
         q < p->data.mapping.pairs.top; q++) {
        yaml_node_t *k = cfg_node(c, q->key), *v = cfg_node(c, q->value);
        if (runtime && strcmp((char *)k->data.scalar.value, runtime) != 0)
            continue;
        yaml_node_t *pm = cfg_is_map(v) ? cfg_get(c, v, "partial_metric") : NULL;
        if (pm) {
            *rt_out = (const char *)k->data.scalar.value;
            return pm;
        }
    }
    return NULL;
}

/* Accuracy of (model, precision): measured on a device with this runtime
 * if there is such a measurement, else with any runtime; for float, the
 * PyTorch model's own score on the same images if no device has one. */
static int set_accuracy(st_profile_set *set, hubmodel *m, size_t mi,
                        const char *precision, const char *runtime)
{
    cfg *c = &m->num.c;
    const char *name = set->models[mi].name;
    if (!m->metric) {
        ps_missing(set, "%s: %s lists no metric", name, m->num.path);
        return 0;
    }
    yaml_node_t *dm = cfg_get(c, m->metric, "device_metric");
    yaml_node_t *pm = NULL;
    const char *device = NULL, *rt = NULL;
    for (int pass = 0; pass < 2 && !pm && cfg_is_map(dm); pass++)
        for (yaml_node_pair_t *q = dm->data.mapping.pairs.start;
             q < dm->data.mapping.pairs.top && !pm; q++) {
            pm = device_metric(m, cfg_node(c, q->value), precision,
                               pass == 0 ? runtime : NULL, &rt);
            device = (const char *)cfg_node(c, q->key)->data.scalar.value;
        }
    char *where = NULL;
    if (!pm && strcmp(precision, "float") == 0 &&
        (pm = cfg_get(c, m->metric, "partial_torch_metric")))
        where = ps_printf("the PyTorch model");
    else if (pm)
        where = ps_printf("%s, %s", device, rt);
    if (!pm) {
        ps_missing(set, "%s: %s has no accuracy for precision %s", name,
                   m->num.path, precision);
        return 0;
    }
    double v;
    if (cfg_num(c, pm, "partial_metric", -1e300, 1e300, &v)) {
        free(where);
        return -1;
    }
    double acc = as_fraction(m, v);
    if (isnan(acc) || acc < 0 || acc > 1) {
        ps_missing(set, "%s: accuracy %g in %s is not a percentage or a "
                   "fraction", name, v, m->num.path);
    } else {
        char *note = ps_printf("%s on %s images of %s (%s), %s; numerics.yaml",
                               scalar_or(m, "metric_name", "accuracy"),
                               scalar_or(m, "num_partial_samples", "?"),
                               scalar_or(m, "dataset_name", "?"),
                               scalar_or(m, "dataset_split_description", "?"),
                               where);
        ps_model_accuracy(set, mi, acc, note, m->num.path);
        free(note);
    }
    free(where);
    return 0;
}

static char *model_name(hubmodel *m, const char *precision, const char *comp,
                        int many_components)
{
    char *base = ps_slug_model(m->id);
    char *prec = strcmp(precision, "float") == 0 ? st_xstrdup("")
                                                  : ps_printf("_%s", precision);
    char *part = many_components ? ps_slug_model(comp) : NULL;
    char *name = ps_printf("%s%s%s%s", base, prec, part ? "_" : "",
                           part ? part : "");
    free(base);
    free(prec);
    free(part);
    return name;
}

/* One perf.yaml entry: device x runtime. */
static int read_cell(st_profile_set *set, hubmodel *m, size_t mi, size_t hi,
                     yaml_node_t *rv)
{
    cfg *c = &m->perf.c;
    const char *name = set->models[mi].name, *hw = set->hw[hi].name;
    if (cfg_expect_map(c, rv, "a runtime's measurement"))
        return -1;
    yaml_node_t *st = cfg_get(c, rv, "job_status");
    if (st && cfg_is_scalar(st) && strcmp((char *)st->data.scalar.value, "Passed")) {
        ps_missing(set, "%s on %s: job status '%s', no measurement", name, hw,
                   (char *)st->data.scalar.value);
        return 0;
    }
    yaml_node_t *t = cfg_get(c, rv, "inference_time_milliseconds");
    if (!t) {
        ps_missing(set, "%s on %s: no inference_time_milliseconds (%s:%zu)",
                   name, hw, m->perf.path, rv->start_mark.line + 1);
        return 0;
    }
    double ms;
    if (cfg_num(c, t, "inference_time_milliseconds", 0, 1e7, &ms))
        return -1;
    st_pcell *cell = ps_cell(set, mi, hi);
    if (!cell)
        return 0;
    cell->exec_ms = ms;
    yaml_node_t *mem = cfg_get(c, rv, "estimated_peak_memory_range_mb");
    yaml_node_t *mx = cfg_is_map(mem) ? cfg_get(c, mem, "max") : NULL;
    if (mx && cfg_num(c, mx, "estimated_peak_memory_range_mb.max", 0, 1e7,
                      &cell->memory_mb))
        return -1;
    if (!mx)
        ps_missing(set, "%s on %s: no estimated_peak_memory_range_mb", name, hw);
    yaml_node_t *unit = cfg_get(c, rv, "primary_compute_unit");
    if (unit && cfg_is_scalar(unit))
        cell->unit = st_xstrdup((char *)unit->data.scalar.value);
    return 0;
}

static size_t map_len(const yaml_node_t *n)
{
    return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

#define FOR_PAIRS(p, map) \
    for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; \
         p < (map)->data.mapping.pairs.top; p++)

static const char *key_text(cfg *c, const yaml_node_pair_t *p)
{
    return (const char *)cfg_node(c, p->key)->data.scalar.value;
}

static int read_component(st_profile_set *set, hubmodel *m,
                          const char *precision, const char *comp,
                          int many, yaml_node_t *cv,
                          const st_profile_select *sel)
{
    cfg *c = &m->perf.c;
    char *name = model_name(m, precision, comp, many);
    int rc = 0, have_model = 0;
    size_t mi = 0;
    yaml_node_t *pm = NULL;
    if (!ps_want(set, sel, PS_MODEL, name, m->id) &
        !ps_want(set, sel, PS_MODEL, m->title, NULL))
        goto done;
    if (cfg_expect_map(c, cv, "a component") ||
        !(pm = need_map(&m->perf, cv, "performance_metrics", "a component"))) {
        rc = -1;
        goto done;
    }
    FOR_PAIRS(d, pm) {
        const char *device = key_text(c, d);
        yaml_node_t *dv = cfg_node(c, d->value);
        int want_dev = ps_want(set, sel, PS_DEVICE, device, NULL);
        if (cfg_expect_map(c, dv, "a device's measurements")) {
            rc = -1;
            break;
        }
        FOR_PAIRS(r, dv) {
            const char *runtime = key_text(c, r);
            if (!ps_want(set, sel, PS_RUNTIME, runtime, NULL) || !want_dev)
                continue;
            if (!have_model) {
                char *task = ps_slug(m->task_text);
                mi = ps_model(set, name, m->title, task, precision);
                free(task);
                have_model = 1;
                set_size(set, m, mi, precision);
                if (set_accuracy(set, m, mi, precision, runtime)) {
                    rc = -1;
                    break;
                }
            }
            char *dslug = ps_slug(device);
            char *hwname = ps_printf("%s-%s", dslug, runtime);
            size_t hi = ps_hw(set, hwname, device, NULL, runtime, NULL);
            free(dslug);
            free(hwname);
            if ((rc = read_cell(set, m, mi, hi, cfg_node(c, r->value))))
                break;
        }
        if (rc)
            break;
    }
done:
    free(name);
    return rc;
}

static int read_perf(st_profile_set *set, hubmodel *m,
                     const st_profile_select *sel)
{
    cfg *c = &m->perf.c;
    yaml_node_t *precs = need_map(&m->perf, root_of(&m->perf), "precisions",
                                  "perf.yaml");
    if (!precs)
        return -1;
    FOR_PAIRS(p, precs) {
        const char *precision = key_text(c, p);
        yaml_node_t *pv = cfg_node(c, p->value), *comps;
        if (!ps_want(set, sel, PS_PRECISION, precision, NULL))
            continue;
        if (cfg_expect_map(c, pv, "a precision") ||
            !(comps = need_map(&m->perf, pv, "components", "a precision")))
            return -1;
        FOR_PAIRS(k, comps)
            if (read_component(set, m, precision, key_text(c, k),
                               map_len(comps) > 1, cfg_node(c, k->value), sel))
                return -1;
    }
    return 0;
}

static int import_model_dir(st_profile_set *set, const char *dir,
                            const st_profile_select *sel, st_error *err)
{
    hubmodel m = {0};
    int rc = load(&m.perf, dir, "perf.yaml", err) ||
             load(&m.info, dir, "info.yaml", err) ||
             load(&m.num, dir, "numerics.yaml", err) ||
             read_info(&m);
    if (!rc) {
        ps_input(set, m.perf.path);
        ps_input(set, m.info.path);
        ps_input(set, m.num.path);
        rc = read_perf(set, &m, sel);
    }
    unload(&m.perf);
    unload(&m.info);
    unload(&m.num);
    return rc ? -1 : 0;
}

static int has_perf(const char *dir)
{
    char *p = ps_printf("%s/perf.yaml", dir);
    struct stat st;
    int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* A directory of model directories, in name order. */
static int import_collection(st_profile_set *set, const char *dir,
                             const st_profile_select *sel, st_error *err)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, by_name);
    if (n < 0)
        return st_error_at(err, dir, 0, 0, "cannot read: %s", strerror(errno));
    int rc = 0, found = 0;
    for (int i = 0; i < n; i++) {
        if (!rc && ents[i]->d_name[0] != '.' && found < MAX_MODEL_DIRS) {
            char *sub = ps_printf("%s/%s", dir, ents[i]->d_name);
            if (has_perf(sub)) {
                found++;
                rc = import_model_dir(set, sub, sel, err);
            }
            free(sub);
        }
        free(ents[i]);
    }
    free(ents);
    if (!rc && !found)
        return st_error_at(err, dir, 0, 0, "no perf.yaml here or in its "
                           "subdirectories; expected an AI Hub model "
                           "directory or a directory of them");
    return rc;
}

int st_profile_import_aihub(st_profile_set *set, const char *path,
                            const st_profile_select *sel, st_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return st_error_at(err, path, 0, 0, "cannot open: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        if (strcmp(base, "perf.yaml") != 0)
            return st_error_at(err, path, 0, 0, "expected an AI Hub model "
                               "directory, a directory of them, or a perf.yaml");
        char *dir = slash ? ps_printf("%.*s", (int)(slash - path), path)
                          : st_xstrdup(".");
        int rc = import_model_dir(set, dir, sel, err);
        free(dir);
        return rc;
    }
    if (has_perf(path))
        return import_model_dir(set, path, sel, err);
    return import_collection(set, path, sel, err);
}
