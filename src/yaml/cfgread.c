/* cfgread.c - checked, typed reads from a YAML document (see cfgread.h).
 * Every failure names file:line:col and says what was expected. */
#include "yaml/cfgread.h"
#include "yaml/keyref.h"
#include "base/xalloc.h"
#include "yaml/yamltree.h"
#include "base/textfile.h"
#include "base/parse.h"
#include "base/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gsl/gsl_sort.h>

#define MAX_SAMPLES 10000000
#define MAX_SIGMA 10.0

yaml_node_t *cfg_node(cfg *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

int cfg_fail(cfg *c, const yaml_node_t *at, const char *fmt, ...)
{
    char msg[ST_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at && at->start_mark.index == YT_FROM_OVERRIDE)
        return st_error_at(c->err, c->file, 0, 0, "in an override: %s", msg);
    if (!at)
        return st_error_at(c->err, c->file, 0, 0, "%s", msg);
    const char *file = c->file;
    if (at->start_mark.index >= YT_FROM_INCLUDE &&
        at->start_mark.index - YT_FROM_INCLUDE < c->n_includes)
        file = c->includes[at->start_mark.index - YT_FROM_INCLUDE];
    return st_error_at(c->err, file, at->start_mark.line + 1,
                       at->start_mark.column + 1, "%s", msg);
}

int cfg_is_map(const yaml_node_t *n) { return n && n->type == YAML_MAPPING_NODE; }
int cfg_is_seq(const yaml_node_t *n) { return n && n->type == YAML_SEQUENCE_NODE; }
int cfg_is_scalar(const yaml_node_t *n) { return n && n->type == YAML_SCALAR_NODE; }

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

int cfg_expect_map(cfg *c, yaml_node_t *n, const char *what)
{
    if (cfg_is_map(n))
        return 0;
    return cfg_fail(c, n, "expected a mapping (key: value) for %s, got %s",
                    what, kind_name(n));
}

int cfg_expect_seq(cfg *c, yaml_node_t *n, const char *what)
{
    if (cfg_is_seq(n))
        return 0;
    return cfg_fail(c, n, "expected a list for %s, got %s", what,
                    kind_name(n));
}

static int key_is(const yaml_node_t *k, const char *key)
{
    return k->type == YAML_SCALAR_NODE &&
           k->data.scalar.length == strlen(key) &&
           memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0;
}

yaml_node_t *cfg_get(cfg *c, yaml_node_t *map, const char *key)
{
    if (!cfg_is_map(map))
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++)
        if (key_is(cfg_node(c, p->key), key))
            return cfg_node(c, p->value);
    return NULL;
}

yaml_node_t *cfg_need(cfg *c, yaml_node_t *map, const char *key,
                      const char *what)
{
    yaml_node_t *v = cfg_get(c, map, key);
    if (!v)
        cfg_fail(c, map, "missing required key '%s' in %s", key, what);
    return v;
}

int cfg_keys(cfg *c, yaml_node_t *map, const char *const *allowed,
             const char *what)
{
    if (cfg_expect_map(c, map, what))
        return -1;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(c, p->key);
        int known = 0;
        for (const char *const *a = allowed; *a && !known; a++)
            known = key_is(k, *a);
        if (!known) {
            char list[512];
            st_error_join(list, sizeof list, allowed);
            return cfg_fail(c, k, "unknown key '%s' in %s; expected one of: %s",
                            (const char *)k->data.scalar.value, what, list);
        }
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++)
            if (key_is(cfg_node(c, q->key), (const char *)k->data.scalar.value))
                return cfg_fail(c, k, "duplicate key '%s' in %s",
                                (const char *)k->data.scalar.value, what);
    }
    return 0;
}

int cfg_str(cfg *c, yaml_node_t *n, const char *what, const char **out)
{
    if (!cfg_is_scalar(n))
        return cfg_fail(c, n, "expected a string for %s, got %s", what,
                        kind_name(n));
    if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
        return cfg_fail(c, n, "expected text for %s, got a NUL byte", what);
    *out = (const char *)n->data.scalar.value;
    return 0;
}

/* Parses a whole scalar as a finite double; returns 0 or -1. */
static int parse_double(const char *s, double *out, const char **rest)
{
    char *end;
    while (*s == ' ')
        s++;
    if (!*s)
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return -1;
    while (*end == ' ')
        end++;
    *out = v;
    if (rest)
        *rest = end;
    else if (*end)
        return -1;
    return 0;
}

int cfg_num_in(cfg *c, yaml_node_t *n, const char *what, const st_range *r,
               double *out)
{
    const char *s;
    double v;
    char range[256];
    if (!cfg_is_scalar(n))
        return cfg_fail(c, n, "expected a number for %s, got %s", what,
                        kind_name(n));
    s = (const char *)n->data.scalar.value;
    if (parse_double(s, &v, NULL))
        return cfg_fail(c, n, "expected a finite number for %s, got '%s'",
                        what, s);
    if (!st_range_holds(r, v))
        return cfg_fail(c, n, "%s must be %s, got %s", what,
                        st_range_expected(r, range, sizeof range), s);
    if (r->kind == ST_RANGE_INTEGER && v != floor(v))
        return cfg_fail(c, n, "expected a whole number for %s, got '%s'",
                        what, s);
    *out = v;
    return 0;
}

int cfg_num(cfg *c, yaml_node_t *n, const char *what, double lo, double hi,
            double *out)
{
    st_range r = {.kind = ST_RANGE_NUMBER, .lo = lo, .hi = hi};
    return cfg_num_in(c, n, what, &r, out);
}

int cfg_u64(cfg *c, yaml_node_t *n, const char *what, uint64_t *out)
{
    if (!cfg_is_scalar(n))
        return cfg_fail(c, n, "expected a number for %s, got %s", what,
                        kind_name(n));
    const char *s = (const char *)n->data.scalar.value;
    if (st_parse_u64(s, out))
        return cfg_fail(c, n, "expected a whole number for %s (0 to 2^64-1, "
                        "digits only), got '%.60s'", what, s);
    return 0;
}

int cfg_long(cfg *c, yaml_node_t *n, const char *what, long lo, long hi,
             long *out)
{
    st_range r = {.kind = ST_RANGE_INTEGER, .lo = (double)lo, .hi = (double)hi};
    double v;
    if (cfg_num_in(c, n, what, &r, &v))
        return -1;
    *out = (long)v;
    return 0;
}

int cfg_bool(cfg *c, yaml_node_t *n, const char *what, int *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    const char *s;
    if (cfg_str(c, n, what, &s))
        return -1;
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(s, no[i]) == 0)
            return *out = 0, 0;
    }
    return cfg_fail(c, n, "expected true or false for %s, got '%s'", what, s);
}

static double unit_factor(const char *u)
{
    static const struct { const char *name; double f; } units[] = {
        {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"sec", 1}, {"min", 60},
        {"h", 3600}};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strcmp(u, units[i].name) == 0)
            return units[i].f;
    return 0;
}

int cfg_time_in(cfg *c, yaml_node_t *n, const char *what,
                const char *default_unit, const st_range *r, double *out_s)
{
    const char *s, *rest;
    double v;
    char range[256];
    if (!cfg_is_scalar(n))
        return cfg_fail(c, n, "expected a time for %s (e.g. \"250 ms\"), got %s",
                        what, kind_name(n));
    s = (const char *)n->data.scalar.value;
    if (parse_double(s, &v, &rest))
        return cfg_fail(c, n, "expected a time for %s (e.g. \"250 ms\" or "
                        "a number of %s), got '%s'", what, default_unit, s);
    double f = unit_factor(*rest ? rest : default_unit);
    if (f == 0)
        return cfg_fail(c, n, "unknown time unit '%s' for %s; expected us, "
                        "ms, s, min or h", rest, what);
    v *= f;
    if (!st_range_holds(r, v))
        return cfg_fail(c, n, "%s must be %s, got '%s'", what,
                        st_range_expected(r, range, sizeof range), s);
    *out_s = v;
    return 0;
}

int cfg_time(cfg *c, yaml_node_t *n, const char *what,
             const char *default_unit, double lo_s, double hi_s,
             double *out_s)
{
    st_range r = {.kind = ST_RANGE_TIME, .lo = lo_s, .hi = hi_s};
    return cfg_time_in(c, n, what, default_unit, &r, out_s);
}

/* A leading ${STRATA_DATA} lets a scenario in the repository name data
 * that lives outside it, wherever a user keeps it. */
#define DATA_VAR "${STRATA_DATA}"

char *cfg_path(cfg *c, const yaml_node_t *at, const char *rel)
{
    const char *dir = c->dir;
    size_t lv = strlen(DATA_VAR);
    if (strncmp(rel, DATA_VAR, lv) == 0 && (rel[lv] == '/' || !rel[lv])) {
        dir = getenv("STRATA_DATA");
        if (!dir || !*dir) {
            cfg_fail(c, at, "'%s' starts with " DATA_VAR " but the environment "
                     "variable STRATA_DATA is not set; expected it to name the "
                     "directory that holds the shared data", rel);
            return NULL;
        }
        rel += lv + (rel[lv] == '/');
    }
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = st_xmalloc(n);
    if (rel[0] == '/' || !dir[0])
        snprintf(p, n, "%s", rel);
    else if (!rel[0])
        snprintf(p, n, "%s", dir);
    else
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

/* --- distributions --- */

/* Reads a time-valued key that may be written key_ms, key_s or key (a
 * time string).  Returns 1 if found, 0 if absent, -1 on error. */
static int dist_time_key(cfg *c, yaml_node_t *m, const char *key, double *out)
{
    static const char *const suffixes[] = {"_ms", "_s", ""};
    char k[64];
    yaml_node_t *n;
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        snprintf(k, sizeof k, "%s%s", key, suffixes[i]);
        if ((n = cfg_get(c, m, k)))
            return cfg_key_value(c, n, cfg_keys_dist, k, out) ? -1 : 1;
    }
    return 0;
}

static int need_time_key(cfg *c, yaml_node_t *m, const char *key,
                         const char *what, double *out)
{
    int r = dist_time_key(c, m, key, out);
    if (r == 0)
        return cfg_fail(c, m, "%s needs '%s_ms' (or '%s_s')", what, key, key);
    return r < 0 ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define MAX_CSV_FIELDS 1024

/* Index of column in a header line, or -1. */
static int header_column(char *line, const char *column)
{
    char *f[MAX_CSV_FIELDS];
    size_t n = st_csv_split(line, f, MAX_CSV_FIELDS);
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], column) == 0)
            return (int)i;
    return -1;
}

/* The value of column col in a data line: fields are positional, so an
 * empty or missing field is an error, never the next column's value. */
static int row_value(st_text *in, const char *column, int col, double *out)
{
    char *f[MAX_CSV_FIELDS];
    size_t n = st_csv_split(in->line, f, MAX_CSV_FIELDS);
    if ((size_t)col >= n)
        return st_text_fail(in, "the row has %zu fields, no value in column "
                            "'%s' (field %d)", n, column, col + 1);
    if (parse_double(f[col], out, NULL) || *out < 0)
        return st_text_fail(in, "expected a non-negative number in column "
                            "'%s', got '%.60s'", column, f[col]);
    return 0;
}

/* One CSV column of numbers, in the column's unit (_ms or _s by name). */
static int csv_column(cfg *c, yaml_node_t *at, const char *path,
                      const char *column, st_dist *out)
{
    st_text in;
    st_error oerr;
    if (st_text_open(&in, path, "a CSV file of samples", &oerr))
        return cfg_fail(c, at, "cannot read samples file: %s", oerr.msg);
    in.err = c->err;
    int col = -1, rc = 0, got;
    double unit = strstr(column, "_ms") ? 1e-3 : 1;
    size_t n = 0, ncap = 0;
    double *v = NULL;
    while (!rc && (got = st_text_line(&in)) > 0) {
        if (in.lineno == 1) {
            if ((col = header_column(in.line, column)) < 0)
                rc = st_text_fail(&in, "no column named '%s' in the header",
                                  column);
            continue;
        }
        if (!in.line[strspn(in.line, " \t")])
            continue;   /* a blank line */
        double x;
        if ((rc = row_value(&in, column, col, &x)))
            break;
        if (n == MAX_SAMPLES) {
            rc = st_text_fail(&in, "more than %d samples", MAX_SAMPLES);
            break;
        }
        if (n == ncap) {
            ncap = ncap ? 2 * ncap : 256;
            v = st_xreallocarray(v, ncap, sizeof *v);
        }
        v[n++] = x * unit;
    }
    if (got < 0)
        rc = -1;
    if (!rc && n == 0)
        rc = st_error_at(c->err, path, 0, 0, "no samples in column '%s'",
                         column);
    st_text_close(&in);
    if (rc) {
        free(v);
        return -1;
    }
    qsort(v, n, sizeof *v, cmp_double);
    *out = (st_dist){.kind = ST_DIST_EMPIRICAL, .samples = v, .n = n};
    return 0;
}

static int samples_list(cfg *c, yaml_node_t *m, st_dist *out)
{
    yaml_node_t *s = cfg_get(c, m, "samples_ms");
    double unit = 1e-3;
    const char *key = "samples_ms";
    if (!s) {
        s = cfg_get(c, m, "samples_s");
        unit = 1;
        key = "samples_s";
    }
    if (!s)
        return cfg_fail(c, m, "an empirical distribution needs samples_ms, "
                        "samples_s, or file + column");
    if (cfg_expect_seq(c, s, key))
        return -1;
    size_t n = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
    if (n == 0)
        return cfg_fail(c, s, "expected at least one sample in %s", key);
    double *v = st_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        if (cfg_key_value(c, cfg_node(c, s->data.sequence.items.start[i]),
                          cfg_keys_dist, key, &v[i])) {
            free(v);
            return -1;
        }
        v[i] *= unit;
    }
    gsl_sort(v, 1, n);
    *out = (st_dist){.kind = ST_DIST_EMPIRICAL, .samples = v, .n = n};
    return 0;
}

const cfg_key cfg_keys_dist[] = {
    {"dist", "string", NULL, NULL,
     CFG_ONE_OF("constant", "normal", "lognormal", "exponential", "uniform",
                "empirical"),
     "the distribution"},
    {"value", "time", "s", "-", CFG_TIME(0, 1e9), "constant: the value (or "
     "value_ms, value_s)"},
    {"value_ms", "number", "ms", "-", CFG_TIME(0, 1e9), "the same in ms"},
    {"value_s", "number", "s", "-", CFG_TIME(0, 1e9), "the same in s"},
    {"mean", "time", "s", "-", CFG_TIME(0, 1e9), "normal, lognormal, "
     "exponential: the mean (or mean_ms, mean_s)"},
    {"mean_ms", "number", "ms", "-", CFG_TIME(0, 1e9), "the same in ms"},
    {"mean_s", "number", "s", "-", CFG_TIME(0, 1e9), "the same in s"},
    {"sd", "time", "s", "-", CFG_TIME(0, 1e9), "normal, lognormal with a "
     "mean: the standard deviation (or sd_ms, sd_s)"},
    {"sd_ms", "number", "ms", "-", CFG_TIME(0, 1e9), "the same in ms"},
    {"sd_s", "number", "s", "-", CFG_TIME(0, 1e9), "the same in s"},
    {"median", "time", "s", "-", CFG_OPEN(TIME, 0, 1, 1e9, 0), "lognormal: "
     "the median, with sigma (or median_ms, median_s)"},
    {"median_ms", "number", "ms", "-", CFG_OPEN(TIME, 0, 1, 1e9, 0), "the "
     "same in ms"},
    {"median_s", "number", "s", "-", CFG_OPEN(TIME, 0, 1, 1e9, 0), "the same "
     "in s"},
    {"sigma", "number", NULL, "-", CFG_NUM(0, MAX_SIGMA), "lognormal with a "
     "median: sigma of the log"},
    {"min", "time", "s", "-", CFG_TIME(0, 1e9), "uniform: the lower end (or "
     "min_ms, min_s)"},
    {"min_ms", "number", "ms", "-", CFG_TIME(0, 1e9), "the same in ms"},
    {"min_s", "number", "s", "-", CFG_TIME(0, 1e9), "the same in s"},
    {"max", "time", "s", "-", CFG_TIME_AND(0, 1e9, ">= min"), "uniform: the "
     "upper end (or max_ms, max_s)"},
    {"max_ms", "number", "ms", "-", CFG_TIME_AND(0, 1e9, ">= min"), "the "
     "same in ms"},
    {"max_s", "number", "s", "-", CFG_TIME_AND(0, 1e9, ">= min"), "the same "
     "in s"},
    {"samples_ms", "list of numbers", "ms", "-", CFG_NUM(0, 1e9),
     "empirical: the samples (or samples_s, or file and column)"},
    {"samples_s", "list of numbers", "s", "-", CFG_NUM(0, 1e9), "the same in "
     "s"},
    {"file", "path", NULL, "-", CFG_ANY, "empirical: a CSV file of samples"},
    {"column", "string", NULL, "-", CFG_ANY, "empirical with file: the "
     "column of samples"},
    CFG_KEYS_END};

static int read_dist(cfg *c, yaml_node_t *n, const char *what, st_dist *out);

/* What the parameters became after conversion must be usable: a huge sd
 * next to a tiny mean makes the lognormal's sigma infinite and every
 * sample NaN, which no run can mean. */
static int check_derived(cfg *c, yaml_node_t *n, const char *what,
                         const st_dist *d)
{
    if (d->kind == ST_DIST_EMPIRICAL)
        return 0;
    double mean = st_dist_mean(d);
    if (!isfinite(d->a) || !isfinite(d->b) || !isfinite(mean))
        return cfg_fail(c, n, "%s: the distribution's parameters are not "
                        "finite after conversion (%g, %g; mean %g s); expected "
                        "a spread that is not extreme next to the mean", what,
                        d->a, d->b, mean);
    if (d->kind == ST_DIST_LOGNORMAL && d->b > MAX_SIGMA)
        return cfg_fail(c, n, "%s: the lognormal's sigma is %g after "
                        "conversion, more than %g; expected an sd less extreme "
                        "next to the mean", what, d->b, MAX_SIGMA);
    return 0;
}

int cfg_time_dist(cfg *c, yaml_node_t *n, const char *what, st_dist *out)
{
    if (read_dist(c, n, what, out))
        return -1;
    if (check_derived(c, n, what, out)) {
        st_dist_free(out);
        return -1;
    }
    return 0;
}

static int read_dist(cfg *c, yaml_node_t *n, const char *what, st_dist *out)
{
    double a = 0, b = 0;
    int k;
    if (cfg_is_scalar(n)) {
        if (cfg_time(c, n, what, "s", 0, 1e9, &a))
            return -1;
        *out = st_dist_const(a);
        return 0;
    }
    if (cfg_keys_in(c, n, cfg_keys_dist, what))
        return -1;
    yaml_node_t *kn = cfg_need(c, n, "dist", what);
    if (!kn || cfg_key_word(c, kn, cfg_keys_dist, "dist", "distribution", &k))
        return -1;
    switch ((st_dist_kind)k) {
    case ST_DIST_CONST:
        if (need_time_key(c, n, "value", what, &a))
            return -1;
        *out = st_dist_const(a);
        return 0;
    case ST_DIST_NORMAL:
        if (need_time_key(c, n, "mean", what, &a) ||
            need_time_key(c, n, "sd", what, &b))
            return -1;
        *out = (st_dist){.kind = ST_DIST_NORMAL, .a = a, .b = b};
        return 0;
    case ST_DIST_LOGNORMAL: {
        double sigma = 0;
        yaml_node_t *sn = cfg_get(c, n, "sigma");
        int r = dist_time_key(c, n, "median", &a);
        if (r < 0)
            return -1;
        if (r == 1) {   /* median + sigma */
            if (!sn)
                return cfg_fail(c, n, "lognormal with a median needs 'sigma'");
            if (cfg_key_value(c, sn, cfg_keys_dist, "sigma", &sigma))
                return -1;
            *out = (st_dist){.kind = ST_DIST_LOGNORMAL, .a = log(a), .b = sigma};
            return 0;
        }
        if (need_time_key(c, n, "mean", what, &a) ||
            need_time_key(c, n, "sd", what, &b))
            return -1;
        if (a <= 0)
            return cfg_fail(c, n, "lognormal mean must be > 0");
        /* Moment matching: the lognormal with this mean and sd. */
        sigma = sqrt(log(1 + b * b / (a * a)));
        *out = (st_dist){.kind = ST_DIST_LOGNORMAL,
                         .a = log(a) - sigma * sigma / 2, .b = sigma};
        return 0;
    }
    case ST_DIST_EXP:
        if (need_time_key(c, n, "mean", what, &a))
            return -1;
        if (a <= 0)
            return cfg_fail(c, n, "exponential mean must be > 0");
        *out = (st_dist){.kind = ST_DIST_EXP, .a = a};
        return 0;
    case ST_DIST_UNIFORM:
        if (need_time_key(c, n, "min", what, &a) ||
            need_time_key(c, n, "max", what, &b))
            return -1;
        if (b < a)
            return cfg_fail(c, n, "uniform needs min <= max");
        *out = (st_dist){.kind = ST_DIST_UNIFORM, .a = a, .b = b};
        return 0;
    case ST_DIST_EMPIRICAL: {
        yaml_node_t *fn = cfg_get(c, n, "file");
        if (!fn)
            return samples_list(c, n, out);
        const char *file, *column;
        yaml_node_t *cn = cfg_need(c, n, "column", "an empirical file");
        if (cfg_str(c, fn, "file", &file) || !cn ||
            cfg_str(c, cn, "column", &column))
            return -1;
        char *path = cfg_path(c, fn, file);
        if (!path)
            return -1;
        int rc = csv_column(c, fn, path, column, out);
        free(path);
        return rc;
    }
    }
    return -1;
}
