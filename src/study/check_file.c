/* check_file.c - the regression gate's expected file (format in check.h):
 * read with libcsv one line at a time, so every error names its line, and
 * written through a temporary file renamed into place.
 */
#include "study/check.h"
#include "results/store.h"
#include "base/safeout.h"
#include "base/textfile.h"
#include "base/xalloc.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const columns[] = {
    "experiment", "policy", "point", "metric", "n", "mean", "sd",
    "tolerance"};

enum { C_EXPERIMENT, C_POLICY, C_POINT, C_METRIC, C_N, C_MEAN, C_SD, C_TOL,
       N_COLUMNS };

#define HEADER "experiment,policy,point,metric,n,mean,sd,tolerance"

static const char *const default_comments[] = {
    "# Expected results of the regression gate: one row per experiment,",
    "# policy, grid point and metric, over the experiment's seeds.  Written",
    "# by 'strata check ... --update', which keeps each row's tolerance",
    "# (exact, rel:X, abs:X, ci or ci:LEVEL; see experiments/README.md).",
};

/* ---- reading ---------------------------------------------------------- */

typedef struct record {
    char *f[N_COLUMNS];
    size_t n;             /* fields seen, may exceed N_COLUMNS */
    int ended;
} record;

typedef struct reader {
    const char *path;
    size_t line;
    st_error *err;
    struct csv_parser csv;
    record rec;
    int have_header;
} reader;

static void on_field(void *s, size_t len, void *data)
{
    record *r = data;
    if (r->n < N_COLUMNS) {
        r->f[r->n] = st_xstrndup(s ? s : "", s ? len : 0);
    }
    r->n++;
}

static void on_record(int c, void *data)
{
    (void)c;
    ((record *)data)->ended = 1;
}

static void clear_record(record *r)
{
    for (size_t i = 0; i < N_COLUMNS; i++)
        free(r->f[i]);
    *r = (record){0};
}

static int fail(reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An error at the current line: "FILE:LINE: ...". */
static int fail(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st_error_vat(r->err, r->path, r->line, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* Splits one line into r->rec; a record may not span lines. */
static int split(reader *r, const char *line, size_t len)
{
    clear_record(&r->rec);
    if (csv_parse(&r->csv, line, len, on_field, on_record, &r->rec) != len ||
        csv_fini(&r->csv, on_field, on_record, &r->rec) != 0) {
        int e = csv_error(&r->csv);
        return fail(r, "%s; expected fields separated by commas, each"
                    " plain or in double quotes (\"\" for a quote)",
                    e == CSV_EPARSE ? "malformed CSV (a stray or unclosed"
                                      " quote)" : csv_strerror(e));
    }
    return 0;
}

static int parse_count(const char *s, size_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > 1000000000ULL)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* A finite number, or NaN for an empty field. */
static int parse_value(const char *s, double *out)
{
    char *end;
    *out = NAN;
    if (!*s)
        return 0;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || (errno && v != 0 && fabs(v) >= 1))
        return -1;
    *out = v;
    return 0;
}

static int check_header(reader *r)
{
    int ok = r->rec.n == N_COLUMNS;
    for (size_t i = 0; ok && i < N_COLUMNS; i++)
        ok = strcmp(r->rec.f[i], columns[i]) == 0;
    return ok ? 0 : fail(r, "expected the header line '" HEADER "'");
}

static int check_names(reader *r)
{
    static const size_t required[] = {C_EXPERIMENT, C_POLICY, C_METRIC};
    for (size_t i = 0; i < 3; i++)
        if (!*r->rec.f[required[i]])
            return fail(r, "field %s is empty; expected a%s name",
                        columns[required[i]],
                        required[i] == C_EXPERIMENT ? "n experiment's"
                        : required[i] == C_POLICY ? " policy" : " metric");
    return 0;
}

/* n, mean and sd, consistent with each other. */
static int parse_numbers(reader *r, st_check_row *row)
{
    char **f = r->rec.f;
    if (parse_count(f[C_N], &row->n))
        return fail(r, "field n: expected a whole number (the seeds with a"
                    " value), got '%s'", f[C_N]);
    if (parse_value(f[C_MEAN], &row->mean))
        return fail(r, "field mean: expected a number, got '%s'", f[C_MEAN]);
    if (parse_value(f[C_SD], &row->sd) || row->sd < 0)
        return fail(r, "field sd: expected a number >= 0, got '%s'", f[C_SD]);
    if ((row->n == 0) != isnan(row->mean))
        return fail(r, "field mean: expected %s", row->n == 0
                    ? "it empty when n is 0" : "a number when n is above 0");
    if ((row->n < 2) != isnan(row->sd))
        return fail(r, "field sd: expected %s", row->n < 2
                    ? "it empty when n is below 2"
                    : "a number when n is 2 or more");
    return 0;
}

static int take_row(reader *r, st_check_set *out)
{
    if (r->rec.n != N_COLUMNS)
        return fail(r, "expected %d fields (" HEADER "), got %zu",
                    N_COLUMNS, r->rec.n);
    if (check_names(r))
        return -1;
    char **f = r->rec.f;
    st_check_row *row = st_check_set_push(out, f[C_EXPERIMENT], f[C_POLICY],
                                          f[C_POINT], f[C_METRIC]);
    row->line = r->line;
    st_error terr;
    if (parse_numbers(r, row))
        return -1;
    if (st_tolerance_parse(f[C_TOL], &row->tol, &terr))
        return fail(r, "field tolerance: %s", terr.msg);
    return 0;
}

static void keep_comment(st_check_set *out, const char *line)
{
    out->comments = st_xreallocarray(out->comments, out->n_comments + 1,
                                     sizeof *out->comments);
    out->comments[out->n_comments] = st_xstrdup(line);
    out->n_comments++;
}

static int blank(const char *s)
{
    return s[strspn(s, " \t")] == '\0';
}

static int read_line(reader *r, char *line, size_t len, st_check_set *out)
{
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    if (memchr(line, '\0', len))
        return fail(r, "contains a NUL byte; expected a text file");
    if (line[0] == '#') {
        if (!r->have_header)
            keep_comment(out, line);
        return 0;
    }
    if (blank(line))
        return 0;
    if (split(r, line, len))
        return -1;
    if (!r->have_header) {
        r->have_header = 1;
        return check_header(r);
    }
    return take_row(r, out);
}

static int row_ptr_cmp(const void *a, const void *b)
{
    return st_check_row_cmp(*(const st_check_row *const *)a,
                            *(const st_check_row *const *)b);
}

/* Each (experiment, policy, point, metric) once. */
static int check_unique(const char *path, const st_check_set *s,
                        st_error *err)
{
    const st_check_row **by = st_xcalloc(s->n + 1, sizeof *by);
    for (size_t i = 0; i < s->n; i++)
        by[i] = &s->rows[i];
    qsort(by, s->n, sizeof *by, row_ptr_cmp);
    int rc = 0;
    for (size_t i = 1; i < s->n && rc == 0; i++)
        if (st_check_row_cmp(by[i - 1], by[i]) == 0) {
            const st_check_row *a = by[i - 1]->line < by[i]->line ? by[i - 1]
                                                                  : by[i];
            const st_check_row *b = a == by[i] ? by[i - 1] : by[i];
            rc = st_error_at(err, path, b->line, 0, "experiment %s, policy"
                             " %s, point '%s', metric %s is already given on"
                             " line %zu; expected each once", b->experiment,
                             b->policy, b->point, b->metric, a->line);
        }
    free(by);
    return rc;
}

int st_check_read_expected(const char *path, st_check_set *out,
                           st_error *err)
{
    *out = (st_check_set){0};
    st_text in;
    if (st_text_open(&in, path, "a regression expected file (CSV)", err))
        return -1;
    reader r = {.path = path, .err = err};
    if (csv_init(&r.csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL))
        st_oom("a CSV parser");
    int rc = 0, got;
    while (rc == 0 && (got = st_text_line(&in)) > 0) {
        r.line = in.lineno;
        rc = read_line(&r, in.line, in.len, out);
    }
    if (got < 0)
        rc = -1;
    if (rc == 0 && !r.have_header)
        rc = st_error_set(err, "%s: no header line; expected '" HEADER "'"
                          " and then one row per group and metric", path);
    if (rc == 0)
        rc = check_unique(path, out, err);
    st_text_close(&in);
    clear_record(&r.rec);
    csv_free(&r.csv);
    if (rc)
        st_check_set_free(out);
    return rc;
}

/* ---- writing ------------------------------------------------------------ */

/* Plain unless the reader would take it otherwise: a separator, a quote,
 * spaces that would be trimmed, or a '#' that would start a comment. */
static int put_field(FILE *f, const char *s, int first)
{
    size_t n = strlen(s);
    int quote = strpbrk(s, ",\"\r\n") || (first && s[0] == '#') ||
                (n && (strchr(" \t", s[0]) || strchr(" \t", s[n - 1])));
    if (!first)
        putc(',', f);
    return quote ? csv_fwrite(f, s, n) : (fputs(s, f) < 0 ? -1 : 0);
}

/* The fewest digits that read back exactly, as every strata CSV. */
static void put_number(FILE *f, double v)
{
    char buf[40];
    st_format_double(v, buf, sizeof buf);
    putc(',', f);
    fputs(buf, f);
}

static const st_tolerance *tolerance_for(const st_check_row *row,
                                         const st_check_row *const *by,
                                         size_t n)
{
    static const st_tolerance exact = {ST_TOL_EXACT, 0};
    const st_check_row *const *hit = by ? bsearch(&row, by, n, sizeof *by,
                                                  row_ptr_cmp) : NULL;
    return hit ? &(*hit)->tol : &exact;
}

static void write_rows(FILE *f, const st_check_set *got,
                       const st_check_set *old)
{
    const st_check_row **by = NULL;
    size_t n_old = old ? old->n : 0;
    if (old) {
        by = st_xcalloc(n_old + 1, sizeof *by);
        for (size_t i = 0; i < n_old; i++)
            by[i] = &old->rows[i];
        qsort(by, n_old, sizeof *by, row_ptr_cmp);
    }
    if (old && old->n_comments)
        for (size_t i = 0; i < old->n_comments; i++)
            fprintf(f, "%s\n", old->comments[i]);
    else
        for (size_t i = 0; i < sizeof default_comments / sizeof
                               *default_comments; i++)
            fprintf(f, "%s\n", default_comments[i]);
    fputs(HEADER "\n", f);
    for (size_t i = 0; i < got->n; i++) {
        const st_check_row *row = &got->rows[i];
        char tol[64];
        st_tolerance_format(tolerance_for(row, by, n_old), tol, sizeof tol);
        put_field(f, row->experiment, 1);
        put_field(f, row->policy, 0);
        put_field(f, row->point, 0);
        put_field(f, row->metric, 0);
        fprintf(f, ",%zu", row->n);
        put_number(f, row->mean);
        put_number(f, row->sd);
        fprintf(f, ",%s\n", tol);
    }
    free(by);
}

/* Names are written on one line each: the reader takes no record that
 * spans lines. */
static int check_one_line(const st_check_set *got, st_error *err)
{
    for (size_t i = 0; i < got->n; i++) {
        const st_check_row *r = &got->rows[i];
        const char *names[] = {r->experiment, r->policy, r->point, r->metric};
        for (size_t k = 0; k < 4; k++)
            if (strpbrk(names[k], "\r\n"))
                return st_error_set(err, "cannot write '%s' to the expected"
                                    " file: it holds a line break",
                                    names[k]);
    }
    return 0;
}

int st_check_write_expected(const char *path, const st_check_set *got,
                            const st_check_set *old, st_error *err)
{
    if (check_one_line(got, err))
        return -1;
    /* A temporary file and a rename, through a symbolic link to its
     * target (the link stays a link). */
    st_out o;
    if (st_safe_output_open(&o, path, err))
        return -1;
    write_rows(o.f, got, old);
    return st_safe_output_commit(&o, 0, err);
}
