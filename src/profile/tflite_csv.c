/* tflite_csv.c - imports TensorFlow Lite's hosted-models table as CSV:
 * model, quantized (0/1), size_mb, top1 (fraction), then one latency column
 * per runtime named RUNTIME_ms (cpu4_ms, gpu_ms, nnapi_ms), empty where not
 * measured.  The table was measured on a Pixel 3; every model in it is an
 * ImageNet classifier (its accuracy columns are top-1/top-5). */
#include "profile/pset.h"
#include "base/textfile.h"
#include "base/strmap.h"
#include "base/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE "Pixel 3"
#define TASK "image-classification"
#define MAX_COLS 64

typedef struct row {
    char *f[MAX_COLS];
    size_t n;
} row;

/* Splits line in place at commas; a field may be double-quoted (with ""
 * for a quote).  -1 on an unterminated quote or too many fields. */
static int split(char *line, row *r)
{
    char *p = line;
    r->n = 0;
    for (;;) {
        if (r->n == MAX_COLS)
            return -1;
        char *out = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            if (*p && *p != ',')
                return -1;
        } else {
            while (*p && *p != ',')
                out++, p++;
        }
        int last = *p != ',';
        *out = '\0';
        r->f[r->n++] = start;
        if (last)
            return 0;
        p++;
    }
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

typedef struct columns {
    int model, quantized, size, top1;
    int rt[MAX_COLS];        /* latency columns */
    char *rt_name[MAX_COLS]; /* runtime: the column name without _ms */
    size_t n_rt;
    size_t ncols;
} columns;

static void free_columns(columns *c)
{
    for (size_t i = 0; i < c->n_rt; i++)
        free(c->rt_name[i]);
}

static int header(const char *path, row *h, columns *c, st_error *err)
{
    *c = (columns){.model = -1, .quantized = -1, .size = -1, .top1 = -1,
                   .ncols = h->n};
    for (size_t i = 0; i < h->n; i++) {
        const char *name = h->f[i];
        size_t len = strlen(name);
        if (strcmp(name, "model") == 0)
            c->model = (int)i;
        else if (strcmp(name, "quantized") == 0)
            c->quantized = (int)i;
        else if (strcmp(name, "size_mb") == 0)
            c->size = (int)i;
        else if (strcmp(name, "top1") == 0)
            c->top1 = (int)i;
        else if (len > 3 && strcmp(name + len - 3, "_ms") == 0) {
            c->rt[c->n_rt] = (int)i;
            c->rt_name[c->n_rt++] = ps_printf("%.*s", (int)(len - 3), name);
        }
    }
    const char *lack = c->model < 0 ? "model" : c->quantized < 0 ? "quantized"
                     : c->size < 0 ? "size_mb" : c->top1 < 0 ? "top1"
                     : c->n_rt == 0 ? "a latency column (RUNTIME_ms)" : NULL;
    if (lack) {
        free_columns(c);
        return st_error_at(err, path, 1, 0, "the header has no '%s' column; "
                           "expected model, quantized, size_mb, top1 and "
                           "latency columns such as cpu4_ms", lack);
    }
    return 0;
}

/* A number in [lo, hi], or NaN for an empty field; -1 if neither. */
static int field_num(const char *path, size_t line, const row *r, int col,
                     const char *name, double lo, double hi, double *out,
                     st_error *err)
{
    const char *s = r->f[col];
    if (!*s) {
        *out = NAN;
        return 0;
    }
    if (ps_number(s, out) || *out < lo || *out > hi)
        return st_error_at(err, path, line, (size_t)col + 1,
                           "column %d (%s): expected a number in [%g, %g] "
                           "or nothing, got '%s'", col + 1, name, lo, hi, s);
    return 0;
}

/* The rows read so far, by model and precision: a model measured twice
 * would leave one of the two rows silently unused. */
typedef struct seen_rows {
    st_strmap lines;     /* "model/precision" -> line */
    char **keys;         /* owned keys of the map */
    size_t n;
} seen_rows;

static void seen_free(seen_rows *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->keys[i]);
    free(s->keys);
    st_strmap_free(&s->lines);
}

static int check_once(seen_rows *s, const char *path, size_t line,
                      const char *title, const char *precision, st_error *err)
{
    char *key = ps_printf("%s/%s", title, precision);
    size_t first;
    if (st_strmap_put(&s->lines, key, line, &first)) {
        free(key);
        return st_error_at(err, path, line, 0, "model '%s' (%s) is already "
                           "given on line %zu; expected one row per model and "
                           "precision", title, precision, first);
    }
    s->keys = st_xreallocarray(s->keys, s->n + 1, sizeof *s->keys);
    s->keys[s->n++] = key;
    return 0;
}

static int import_row(st_profile_set *set, const char *path, size_t line,
                      const row *r, const columns *c, seen_rows *seen,
                      const st_profile_select *sel, st_error *err)
{
    const char *title = r->f[c->model], *q = r->f[c->quantized];
    if (!*title)
        return st_error_at(err, path, line, (size_t)c->model + 1,
                           "empty model name");
    if (strcmp(q, "0") != 0 && strcmp(q, "1") != 0)
        return st_error_at(err, path, line, (size_t)c->quantized + 1,
                           "quantized: expected 0 or 1, got '%s'", q);
    const char *precision = q[0] == '1' ? "quantized" : "float";
    if (check_once(seen, path, line, title, precision, err))
        return -1;
    double size, top1, ms[MAX_COLS];
    if (field_num(path, line, r, c->size, "size_mb", 0, 1e7, &size, err) ||
        field_num(path, line, r, c->top1, "top1", 0, 1, &top1, err))
        return -1;
    for (size_t k = 0; k < c->n_rt; k++)
        if (field_num(path, line, r, c->rt[k], c->rt_name[k], 0, 1e7, &ms[k], err))
            return -1;
    char *name = ps_slug_model(title);
    int wanted = ps_want(set, sel, PS_MODEL, name, title) &
                 ps_want(set, sel, PS_PRECISION, precision, NULL) &
                 ps_want(set, sel, PS_DEVICE, DEVICE, NULL);
    for (size_t k = 0; k < c->n_rt; k++)
        ps_want(set, sel, PS_RUNTIME, c->rt_name[k], NULL);
    if (!wanted) {
        free(name);
        return 0;
    }
    size_t mi = 0;
    int have_model = 0;
    for (size_t k = 0; k < c->n_rt; k++) {
        if (!ps_want(set, sel, PS_RUNTIME, c->rt_name[k], NULL))
            continue;
        if (!have_model) {
            mi = ps_model(set, name, title, TASK, precision);
            have_model = 1;
        }
        char *hwname = ps_printf("pixel-3-%s", c->rt_name[k]);
        size_t hi = ps_hw(set, hwname, DEVICE, NULL, c->rt_name[k], NULL);
        free(hwname);
        if (isnan(ms[k])) {
            ps_missing(set, "%s on %s: no %s_ms value (%s line %zu)", name,
                       set->hw[hi].name, c->rt_name[k], path, line);
            continue;
        }
        st_pcell *cell = ps_cell(set, mi, hi);
        if (cell)
            cell->exec_ms = ms[k];
    }
    if (have_model) {
        if (isnan(top1))
            ps_missing(set, "%s: no top1 value (%s line %zu)", name, path, line);
        else
            ps_model_accuracy(set, mi, top1, "top-1 on ImageNet (the table's "
                              "top1 column)", path);
        if (isnan(size))
            ps_missing(set, "%s: no size_mb value (%s line %zu)", name, path, line);
        else
            ps_model_size(set, mi, size, "the table's size_mb column");
    }
    free(name);
    return 0;
}

static int read_rows(st_profile_set *set, st_text *in,
                     const st_profile_select *sel, st_error *err)
{
    const char *path = in->path;
    columns c = {0};
    seen_rows seen = {0};
    int have_header = 0, rc = 0, got;
    row r;
    while (rc == 0 && (got = st_text_line(in)) > 0) {
        char *line = in->line;
        size_t lineno = in->lineno;
        chomp(line);
        if (!*line)
            continue;
        if (split(line, &r)) {
            rc = st_error_at(err, path, lineno, 0, "malformed CSV (an open "
                             "quote, or more than %d fields)", MAX_COLS);
        } else if (!have_header) {
            rc = header(path, &r, &c, err);
            have_header = rc == 0;
        } else if (r.n != c.ncols) {
            rc = st_error_at(err, path, lineno, 0, "expected %zu fields (one "
                             "per header column), got %zu", c.ncols, r.n);
        } else {
            rc = import_row(set, path, lineno, &r, &c, &seen, sel, err);
        }
    }
    if (got < 0)
        rc = -1;
    seen_free(&seen);
    if (have_header)
        free_columns(&c);
    if (rc == 0 && !have_header)
        rc = st_error_at(err, path, 0, 0, "empty file; expected a CSV header "
                         "(model, quantized, size_mb, top1, RUNTIME_ms...)");
    return rc;
}

int st_profile_import_tflite_csv(st_profile_set *set, const char *path,
                                 const st_profile_select *sel, st_error *err)
{
    st_text in;
    if (st_text_open(&in, path, "a TFLite benchmark CSV file", err))
        return -1;
    ps_input(set, path);
    int rc = read_rows(set, &in, sel, err);
    st_text_close(&in);
    return rc;
}
