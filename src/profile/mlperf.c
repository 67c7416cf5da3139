/* mlperf.c - imports MLPerf Mobile result JSON (read with jansson).
 *
 * A result file holds, per benchmark, a performance run and an accuracy
 * run.  For the SingleStream scenario the app reports throughput as
 * 1 / (90th-percentile latency), and loadgen ran queries back to back, so
 * loadgen's duration over the samples measured is the mean latency; the
 * two give the mean and, through a lognormal with that mean and p90, a
 * spread.  Offline results (batched throughput) say nothing about one
 * request's latency and are skipped.  The phone is described by the
 * submitter's systems/<system>.json beside the results directory. */
#include "profile/pset.h"
#include "base/textfile.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILES 10000
#define MAX_DEPTH 16
#define Z90 1.2815515655446004   /* standard normal 90th percentile */

/* The models MLPerf Mobile v3.x runs for each benchmark. */
static const struct bench {
    const char *id, *model, *title, *task;
} benches[] = {
    {"image_classification", "mobilenet_edgetpu", "MobileNetEdgeTPU",
     "image-classification"},
    {"object_detection", "ssd_mobiledet", "SSD-MobileDets", "object-detection"},
    {"image_segmentation_v2", "mosaic", "MOSAIC", "image-segmentation"},
    {"natural_language_processing", "mobilebert", "MobileBERT",
     "question-answering"},
    {"super_resolution", "edsr", "EDSR", "super-resolution"},
};

/* --- reading JSON with paths in messages --- */

typedef struct jctx {
    const char *file;
    st_error *err;
} jctx;

static json_t *need(jctx *j, json_t *obj, const char *key, json_type type,
                    const char *where)
{
    static const char *const names[] = {"an object", "an array", "a string",
        "an integer", "a number", "true", "false", "null"};
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    int ok = v && (json_typeof(v) == type ||
                   (type == JSON_REAL && json_is_number(v)));
    if (!ok)
        st_error_set(j->err, "%s: %s%s'%s' %s; expected %s", j->file, where,
                     *where ? ": " : "", key, v ? "has the wrong type" : "is missing",
                     names[type]);
    return ok ? v : NULL;
}

/* A string member, or NULL. */
static const char *opt_str(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *first_str(json_t *obj, const char *const *keys)
{
    for (; *keys; keys++) {
        const char *s = opt_str(obj, *keys);
        if (s && *s)
            return s;
    }
    return NULL;
}

#define MAX_JSON_BYTES (64u << 20)

static json_t *load_json(const char *path, st_error *err)
{
    json_error_t je;
    char *text;
    size_t len;
    if (st_text_read_all(path, "a JSON file", MAX_JSON_BYTES, &text, &len, err))
        return NULL;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!root) {
        st_error_at(err, path, je.line > 0 ? (size_t)je.line : 0,
                    je.column > 0 ? (size_t)je.column : 0, "invalid JSON: %s",
                    je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        st_error_at(err, path, 0, 0, "expected a JSON object");
        return NULL;
    }
    return root;
}

/* --- the phone --- */

typedef struct phone {
    char *device, *soc, *note;
} phone;

static void phone_free(phone *p)
{
    free(p->device);
    free(p->soc);
    free(p->note);
}

static int regular_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* SUB/results/NAME/result(s).json -> SUB/systems/NAME.json; a result
 * directly under SUB/results/ -> the only JSON in SUB/systems/. */
static char *find_system(const char *result)
{
    char *copy = st_xstrdup(result);
    char *slash = strrchr(copy, '/');
    char *found = NULL;
    if (!slash) {
        free(copy);
        return NULL;
    }
    *slash = '\0';     /* copy = the result's directory */
    char *up = strrchr(copy, '/');
    const char *dirname = up ? up + 1 : copy;
    if (strcmp(dirname, "results") != 0 && up) {
        *up = '\0';    /* copy = .../results */
        char *r = strrchr(copy, '/');
        if (r && strcmp(r + 1, "results") == 0) {
            *r = '\0';
            found = ps_printf("%s/systems/%s.json", copy, dirname);
            if (!regular_file(found)) {
                free(found);
                found = NULL;
            }
        }
    } else if (strcmp(dirname, "results") == 0) {
        if (up)
            *up = '\0';
        char *dir = up ? ps_printf("%s/systems", copy) : st_xstrdup("systems");
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;
        while (d && (e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
                free(found);
                found = ps_printf("%s/%s", dir, e->d_name);
                n++;
            }
        }
        if (d)
            closedir(d);
        if (n != 1) {
            free(found);
            found = NULL;
        }
        free(dir);
    }
    free(copy);
    return found;
}

static int read_phone(st_profile_set *set, const char *result, json_t *root,
                      phone *ph, st_error *err)
{
    static const char *const device_keys[] = {"System", "system_name", NULL};
    static const char *const soc_keys[] = {"Processor Name",
        "host_processor_model_name", NULL};
    static const char *const accel_keys[] = {"Accelerator_type",
        "Accelerator type", "Accelerator_type_1", NULL};
    static const char *const sdk_keys[] = {"Vendor SDK", "framework", NULL};
    char *sys = find_system(result);
    if (sys) {
        json_t *s = load_json(sys, err);
        if (!s) {
            free(sys);
            return -1;
        }
        const char *dev = first_str(s, device_keys);
        if (!dev) {
            json_decref(s);
            st_error_at(err, sys, 0, 0, "no 'System' or 'system_name'; "
                        "expected the phone's name");
            free(sys);
            return -1;
        }
        ps_input(set, sys);
        ph->device = st_xstrdup(dev);
        ph->soc = st_xstrdup(first_str(s, soc_keys));
        const char *acc = first_str(s, accel_keys), *sdk = first_str(s, sdk_keys);
        ph->note = ps_printf("accelerator %s; %s", acc ? acc : "not stated",
                             sdk ? sdk : "SDK not stated");
        json_decref(s);
        free(sys);
        return 0;
    }
    /* No systems file: the app's own record of the device. */
    json_t *env = json_object_get(root, "environment_info");
    json_t *android = json_object_get(json_object_get(env, "value"), "android");
    const char *maker = opt_str(android, "manufacturer");
    const char *model = opt_str(android, "model_name");
    if (!maker || !model)
        return st_error_at(err, result, 0, 0, "no systems/<name>.json beside "
                           "the results directory and no environment_info."
                           "value.android.{manufacturer,model_name}; expected "
                           "one of them to name the phone");
    ph->device = ps_printf("%s %s", maker, model);
    ph->note = st_xstrdup("named by the app's environment_info");
    ps_missing(set, "%s: no systems JSON found; the phone is named from "
               "environment_info", result);
    return 0;
}

/* --- results --- */

static const struct bench *bench_of(const char *id)
{
    for (size_t i = 0; i < sizeof benches / sizeof *benches; i++)
        if (strcmp(benches[i].id, id) == 0)
            return &benches[i];
    return NULL;
}

/* sd of the lognormal with this mean and 90th percentile, NaN if none
 * has them (p90 at or below the mean, or too far above it). */
static double lognormal_sd(double mean, double p90)
{
    double r = log(p90 / mean);
    double disc = Z90 * Z90 - 2 * r;
    if (!(r > 0) || disc < 0)
        return NAN;
    double sigma = Z90 - sqrt(disc);
    return mean * sqrt(expm1(sigma * sigma));
}

typedef struct bench_ids {
    const char *model, *title, *task;
    char *owned_model, *owned_task;
} bench_ids;

static void bench_names(const char *id, bench_ids *b)
{
    const struct bench *k = bench_of(id);
    *b = (bench_ids){0};
    if (k) {
        b->model = k->model;
        b->title = k->title;
        b->task = k->task;
        return;
    }
    b->model = b->owned_model = ps_slug_model(id);
    b->title = id;
    b->task = b->owned_task = ps_slug(id);
}

static int import_result(st_profile_set *set, jctx *j, json_t *r, size_t idx,
                         const phone *ph, const st_profile_select *sel)
{
    char where[64];
    snprintf(where, sizeof where, "results[%zu]", idx);
    json_t *id = need(j, r, "benchmark_id", JSON_STRING, where);
    json_t *scen = id ? need(j, r, "loadgen_scenario", JSON_STRING, where) : NULL;
    json_t *bs = scen ? need(j, r, "backend_settings", JSON_OBJECT, where) : NULL;
    if (!bs)
        return -1;
    bench_ids b;
    bench_names(json_string_value(id), &b);
    const char *framework = opt_str(bs, "framework");
    const char *accel = opt_str(bs, "accelerator_desc");
    char *runtime = ps_slug(framework ? framework : "unknown");
    int rc = 0;
    int wanted = ps_want(set, sel, PS_MODEL, b.model, json_string_value(id)) &
                 ps_want(set, sel, PS_RUNTIME, runtime, NULL) &
                 ps_want(set, sel, PS_DEVICE, ph->device, ph->soc);
    if (!wanted)
        goto done;
    if (strcmp(json_string_value(scen), "SingleStream") != 0) {
        ps_missing(set, "%s on %s: %s scenario skipped (batched throughput, "
                   "not one request's latency)", json_string_value(id),
                   ph->device, json_string_value(scen));
        goto done;
    }
    char *dslug = ps_slug(ph->device);
    size_t hi = ps_hw(set, dslug, ph->device, ph->soc, runtime, ph->note);
    free(dslug);
    size_t before = set->n_models;
    size_t mi = ps_model(set, b.model, b.title, b.task, NULL);
    if (set->n_models > before)
        ps_missing(set, "%s: MLPerf results give no model size", b.model);
    json_t *perf = json_object_get(r, "performance_run");
    json_t *tp = json_object_get(json_object_get(perf, "throughput"), "value");
    json_t *acc = json_object_get(json_object_get(json_object_get(r,
                                  "accuracy_run"), "accuracy"), "normalized");
    if (!json_is_number(tp) || !(json_number_value(tp) > 0)) {
        ps_missing(set, "%s on %s: no performance_run.throughput.value",
                   b.model, ph->device);
    } else {
        st_pcell *cell = ps_cell(set, mi, hi);
        if (cell) {
            double p90 = 1000 / json_number_value(tp);
            json_t *n = json_object_get(perf, "measured_samples");
            json_t *d = json_object_get(json_object_get(perf, "loadgen_info"),
                                        "duration");
            cell->unit = st_xstrdup(accel);
            if (json_is_number(n) && json_number_value(n) > 0 &&
                json_is_number(d) && json_number_value(d) > 0) {
                cell->exec_ms = json_number_value(d) * 1000 / json_number_value(n);
                cell->exec_sd_ms = lognormal_sd(cell->exec_ms, p90);
                cell->note = ps_printf("mean = loadgen %.6g s / %.0f samples; "
                                       "p90 %.6g ms = 1 / %.6g QPS",
                                       json_number_value(d), json_number_value(n),
                                       p90, json_number_value(tp));
            } else {
                cell->exec_ms = p90;
                cell->note = ps_printf("the 90th percentile (1 / %.6g QPS): "
                                       "the file has no loadgen duration for "
                                       "a mean", json_number_value(tp));
            }
        }
    }
    if (!json_is_number(acc)) {
        ps_missing(set, "%s on %s: no accuracy_run.accuracy.normalized",
                   b.model, ph->device);
    } else {
        const char *fmt = opt_str(json_object_get(json_object_get(r,
                                  "accuracy_run"), "accuracy"), "formatted");
        char *note = ps_printf("MLPerf accuracy run, normalized (reported as "
                               "%s) on %s", fmt ? fmt : "?", ph->device);
        double a = json_number_value(acc);
        if (a < 0 || a > 1)
            ps_missing(set, "%s: normalized accuracy %g is outside [0, 1]",
                       b.model, a);
        else
            ps_model_accuracy(set, mi, a, note, j->file);
        free(note);
    }
done:
    free(runtime);
    free(b.owned_model);
    free(b.owned_task);
    return rc;
}

static int import_file(st_profile_set *set, const char *path,
                       const st_profile_select *sel, st_error *err)
{
    json_t *root = load_json(path, err);
    if (!root)
        return -1;
    jctx j = {path, err};
    json_t *results = need(&j, root, "results", JSON_ARRAY, "");
    phone ph = {0};
    int rc = !results || read_phone(set, path, root, &ph, err);
    if (!rc)
        ps_input(set, path);
    for (size_t i = 0; !rc && i < json_array_size(results); i++)
        rc = import_result(set, &j, json_array_get(results, i), i, &ph, sel);
    phone_free(&ph);
    json_decref(root);
    return rc ? -1 : 0;
}

static int is_result_name(const char *name)
{
    return strcmp(name, "result.json") == 0 || strcmp(name, "results.json") == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every result(s).json under dir, in name order. */
static int walk(st_profile_set *set, const char *dir, int depth, int *found,
                const st_profile_select *sel, st_error *err)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, by_name);
    if (n < 0)
        return st_error_at(err, dir, 0, 0, "cannot read: %s", strerror(errno));
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (!rc && name[0] != '.' && *found < MAX_FILES) {
            char *p = ps_printf("%s/%s", dir, name);
            struct stat st;
            if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
                rc = walk(set, p, depth + 1, found, sel, err);
            else if (S_ISREG(st.st_mode) && is_result_name(name)) {
                ++*found;
                rc = import_file(set, p, sel, err);
            }
            free(p);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int st_profile_import_mlperf(st_profile_set *set, const char *path,
                             const st_profile_select *sel, st_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return st_error_at(err, path, 0, 0, "cannot open: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return import_file(set, path, sel, err);
    int found = 0;
    if (walk(set, path, 0, &found, sel, err))
        return -1;
    if (!found)
        return st_error_at(err, path, 0, 0, "no result.json or results.json "
                           "under this directory; expected MLPerf Mobile "
                           "results");
    return 0;
}
