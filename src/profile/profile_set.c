/* profile_set.c - the in-memory set of imported measurements: adding to it,
 * naming, selection matching, and the import entry point that dispatches
 * to one importer per source. */
#include "profile/pset.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const source_names[] = {"tflite-csv", "ai-hub",
                                           "mlperf-mobile"};

int st_profile_source_parse(const char *name, st_profile_source *out)
{
    for (size_t i = 0; i < sizeof source_names / sizeof *source_names; i++)
        if (strcmp(name, source_names[i]) == 0) {
            *out = (st_profile_source)i;
            return 0;
        }
    return -1;
}

const char *st_profile_source_name(st_profile_source s)
{
    return source_names[s];
}

/* --- small helpers --- */

static char *vprintf_dup(const char *fmt, va_list ap)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    if (!f)
        st_oom("a formatted string");
    vfprintf(f, fmt, ap);
    if (fclose(f) != 0 || !s)
        st_oom("a formatted string");
    return s;
}

char *ps_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vprintf_dup(fmt, ap);
    va_end(ap);
    return s;
}

static char *slug_with(const char *s, char sep)
{
    size_t n = strlen(s), o = 0;
    char *out = st_xmalloc(n + 1);
    int pending = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '.' || c == '_') {
            if (pending && o > 0)
                out[o++] = sep;
            pending = 0;
            out[o++] = (char)tolower(c);
        } else {
            pending = 1;
        }
    }
    out[o] = '\0';
    return out;
}

char *ps_slug(const char *s) { return slug_with(s, '-'); }
char *ps_slug_model(const char *s) { return slug_with(s, '_'); }

int ps_number(const char *s, double *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (end == s || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* --- the set --- */

void st_profile_set_init(st_profile_set *set, st_profile_source source)
{
    memset(set, 0, sizeof *set);
    set->source = source;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void st_profile_set_free(st_profile_set *set)
{
    for (size_t i = 0; i < set->n_models; i++) {
        st_pmodel *m = &set->models[i];
        free(m->name);
        free(m->title);
        free(m->task);
        free(m->precision);
        free(m->accuracy_note);
        free(m->size_note);
    }
    free(set->models);
    for (size_t i = 0; i < set->n_hw; i++) {
        st_phw *h = &set->hw[i];
        free(h->name);
        free(h->device);
        free(h->soc);
        free(h->runtime);
        free(h->note);
    }
    free(set->hw);
    for (size_t i = 0; i < set->n_cells; i++) {
        free(set->cells[i].unit);
        free(set->cells[i].note);
    }
    free(set->cells);
    free_strs(set->inputs, set->n_inputs);
    free_strs(set->missing, set->n_missing);
    free_strs(set->offered, set->n_offered);
    memset(set, 0, sizeof *set);
}

static void push_str(char ***v, size_t *n, char *s)
{
    *v = st_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

void ps_missing(st_profile_set *set, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push_str(&set->missing, &set->n_missing, vprintf_dup(fmt, ap));
    va_end(ap);
}

void ps_input(st_profile_set *set, const char *path)
{
    push_str(&set->inputs, &set->n_inputs, st_xstrdup(path));
}

size_t ps_model(st_profile_set *set, const char *name, const char *title,
                const char *task, const char *precision)
{
    for (size_t i = 0; i < set->n_models; i++)
        if (strcmp(set->models[i].name, name) == 0)
            return i;
    set->models = st_xrealloc(set->models, (set->n_models + 1) * sizeof *set->models);
    set->models[set->n_models] = (st_pmodel){
        .name = st_xstrdup(name), .title = st_xstrdup(title),
        .task = st_xstrdup(task), .precision = st_xstrdup(precision),
        .accuracy = NAN, .size_mb = NAN};
    return set->n_models++;
}

size_t ps_hw(st_profile_set *set, const char *name, const char *device,
             const char *soc, const char *runtime, const char *note)
{
    for (size_t i = 0; i < set->n_hw; i++)
        if (strcmp(set->hw[i].name, name) == 0)
            return i;
    set->hw = st_xrealloc(set->hw, (set->n_hw + 1) * sizeof *set->hw);
    set->hw[set->n_hw] = (st_phw){
        .name = st_xstrdup(name), .device = st_xstrdup(device),
        .soc = st_xstrdup(soc), .runtime = st_xstrdup(runtime),
        .note = st_xstrdup(note)};
    return set->n_hw++;
}

void ps_model_accuracy(st_profile_set *set, size_t model, double accuracy,
                       const char *note, const char *where)
{
    st_pmodel *m = &set->models[model];
    if (isnan(m->accuracy)) {
        m->accuracy = accuracy;
        free(m->accuracy_note);
        m->accuracy_note = st_xstrdup(note);
    } else if (fabs(m->accuracy - accuracy) > 1e-9) {
        ps_missing(set, "%s: accuracy %.6g in %s differs from %.6g read "
                   "first; the first is kept (one accuracy per model)",
                   m->name, accuracy, where, m->accuracy);
    }
}

void ps_model_size(st_profile_set *set, size_t model, double size_mb,
                   const char *note)
{
    st_pmodel *m = &set->models[model];
    if (!isnan(m->size_mb))
        return;
    m->size_mb = size_mb;
    free(m->size_note);
    m->size_note = st_xstrdup(note);
}

st_pcell *ps_cell(st_profile_set *set, size_t model, size_t hw)
{
    for (size_t i = 0; i < set->n_cells; i++)
        if (set->cells[i].model == model && set->cells[i].hw == hw) {
            ps_missing(set, "%s on %s: measured twice; the first is kept",
                       set->models[model].name, set->hw[hw].name);
            return NULL;
        }
    set->cells = st_xrealloc(set->cells, (set->n_cells + 1) * sizeof *set->cells);
    set->cells[set->n_cells] = (st_pcell){
        .model = model, .hw = hw, .exec_ms = NAN, .exec_sd_ms = NAN,
        .memory_mb = NAN};
    return &set->cells[set->n_cells++];
}

/* --- selections --- */

static const char *const kind_names[] = {"device", "runtime", "precision",
                                         "model"};

static void offer(st_profile_set *set, ps_kind kind, const char *v)
{
    for (size_t i = 0; i < set->n_offered; i++)
        if (set->offered[i][0] == (char)('0' + kind) &&
            strcmp(set->offered[i] + 1, v) == 0)
            return;
    push_str(&set->offered, &set->n_offered, ps_printf("%c%s", '0' + kind, v));
}

static void sel_list(const st_profile_select *sel, ps_kind kind,
                     const char *const **list, size_t *n)
{
    static const char *const none[] = {NULL};
    *list = none;
    *n = 0;
    if (!sel)
        return;
    switch (kind) {
    case PS_DEVICE: *list = sel->devices; *n = sel->n_devices; break;
    case PS_RUNTIME: *list = sel->runtimes; *n = sel->n_runtimes; break;
    case PS_PRECISION: *list = sel->precisions; *n = sel->n_precisions; break;
    case PS_MODEL: *list = sel->models; *n = sel->n_models; break;
    }
}

int ps_want(st_profile_set *set, const st_profile_select *sel, ps_kind kind,
            const char *a, const char *b)
{
    const char *const *list;
    size_t n;
    if (a)
        offer(set, kind, a);
    if (b)
        offer(set, kind, b);
    sel_list(sel, kind, &list, &n);
    if (n == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if ((a && strcasecmp(list[i], a) == 0) || (b && strcasecmp(list[i], b) == 0))
            return 1;
    return 0;
}

/* The names of kind the sources offered, comma-separated, cut short. */
static void offered_list(const st_profile_set *set, ps_kind kind, char *out,
                         size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < set->n_offered; i++) {
        if (set->offered[i][0] != (char)('0' + kind))
            continue;
        int w = snprintf(out + o, size - o, "%s%s", o ? ", " : "",
                         set->offered[i] + 1);
        if (w < 0 || (size_t)w >= size - o) {
            snprintf(out + (size > 5 ? size - 5 : 0), 5, "...");
            return;
        }
        o += (size_t)w;
    }
    if (o == 0)
        snprintf(out, size, "none");
}

static int check_selection(const st_profile_set *set,
                           const st_profile_select *sel, st_error *err)
{
    for (int k = PS_DEVICE; k <= PS_MODEL; k++) {
        const char *const *list;
        size_t n;
        sel_list(sel, (ps_kind)k, &list, &n);
        for (size_t i = 0; i < n; i++) {
            int found = 0;
            for (size_t j = 0; j < set->n_offered && !found; j++)
                found = set->offered[j][0] == (char)('0' + k) &&
                        strcasecmp(set->offered[j] + 1, list[i]) == 0;
            if (!found) {
                char avail[600];
                offered_list(set, (ps_kind)k, avail, sizeof avail);
                return st_error_set(err, "no %s '%s' in the %s input; it has: %s",
                                    kind_names[k], list[i],
                                    st_profile_source_name(set->source), avail);
            }
        }
    }
    return 0;
}

int st_profile_import(st_profile_set *set, const char *const *paths,
                      size_t n_paths, const st_profile_select *sel,
                      st_error *err)
{
    typedef int (*importer)(st_profile_set *, const char *,
                            const st_profile_select *, st_error *);
    static const importer importers[] = {st_profile_import_tflite_csv,
                                         st_profile_import_aihub,
                                         st_profile_import_mlperf};
    if (n_paths == 0)
        return st_error_set(err, "no input files given");
    for (size_t i = 0; i < n_paths; i++)
        if (importers[set->source](set, paths[i], sel, err))
            return -1;
    if (check_selection(set, sel, err))
        return -1;
    if (set->n_cells == 0)
        return st_error_set(err, "no measurements in the %s input match the "
                            "selection", st_profile_source_name(set->source));
    return 0;
}
