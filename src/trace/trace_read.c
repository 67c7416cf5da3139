/* trace_read.c - the reader the trace importers share (trace_read.h):
 * lines read with a hard length limit, strict numbers, checked rates and
 * times, and the segment count capped before anything is allocated for
 * it, so that a malformed or hostile file gives a message naming its
 * line rather than an out-of-memory abort. */
#include "trace/trace_read.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

int tr_fail_line(reader *r, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st_error_vat(r->err, r->path, line, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* A short, printable quotation of a bad line for error messages. */
const char *tr_excerpt(const char *s, char out[72])
{
    size_t o = 0;
    for (size_t i = 0; s[i] && o < 60; i++)
        out[o++] = isprint((unsigned char)s[i]) ? s[i] : '?';
    out[o] = '\0';
    if (strlen(s) > 60)
        strcpy(out + o, "...");
    return out;
}

/* Reads one line; 1 = got one, 0 = end of file, -1 = error. */
static int read_line(reader *r)
{
    int rc = st_text_line(&r->text);
    if (rc <= 0)
        return rc;
    r->buf = r->text.line;
    r->len = r->text.len;
    r->lineno = r->text.lineno;
    return 1;
}

static int is_blank(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

const char *tr_skip_space(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* "# duration_s: X" (written by st_trace_write_native) states the period,
 * which the rows alone cannot give when the last segment is unusually
 * long or short. */
static int note_comment(reader *r, const char *hash)
{
    const char *s = tr_skip_space(hash + 1);
    static const char key[] = "duration_s";
    if (strncmp(s, key, sizeof key - 1) != 0)
        return 0;
    s = tr_skip_space(s + sizeof key - 1);
    if (*s != ':' && *s != '=')
        return 0;
    s = tr_skip_space(s + 1);
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno || end == s || *tr_skip_space(end) || !isfinite(d) || d <= 0 ||
        d > MAX_SPAN_S) {
        char ex[72];
        return tr_fail_line(r, r->lineno, "expected a positive number of "
                            "seconds (at most %g) after 'duration_s:', got "
                            "'%s'", MAX_SPAN_S, tr_excerpt(s, ex));
    }
    r->duration_hint = d;
    r->duration_line = r->lineno;
    return 0;
}

/* Next line that is neither blank nor a '#' comment; 1, 0 at EOF, -1. */
int tr_next_data_line(reader *r)
{
    if (r->pushed_back) {
        r->pushed_back = 0;
        return 1;
    }
    for (;;) {
        int rc = read_line(r);
        if (rc <= 0)
            return rc;
        const char *s = tr_skip_space(r->buf);
        if (*s == '#') {
            if (note_comment(r, s) < 0)
                return -1;
            continue;
        }
        if (!is_blank(s))
            return 1;
    }
}

/* ---- growable sample arrays ------------------------------------------- */

int tr_samples_push(reader *r, samples *s, double t, double v)
{
    if (s->n >= MAX_SEGMENTS)
        return tr_fail_line(r, r->lineno, "more than %u samples; that is the "
                            "limit for one trace (coarsen or split it)",
                            MAX_SEGMENTS);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        if (cap > MAX_SEGMENTS)
            cap = MAX_SEGMENTS;
        s->t = st_xreallocarray(s->t, cap, sizeof *s->t);
        s->v = st_xreallocarray(s->v, cap, sizeof *s->v);
        s->cap = cap;
    }
    s->t[s->n] = t;
    s->v[s->n] = v;
    s->n++;
    return 0;
}

void tr_samples_free(samples *s)
{
    free(s->t);
    free(s->v);
}

/* ---- strict number parsing -------------------------------------------- */

/* Parses one whole token [s, s+len) as a double; 0 or -1. */
int tr_parse_number(const char *s, size_t len, double *out)
{
    char tmp[128];
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + len || (errno == ERANGE && isinf(v)))
        return -1;
    *out = v;
    return 0;
}

/* Splits on whitespace; fills up to max tokens, returns the count found. */
size_t tr_split_ws(const char *s, const char **tok, size_t *len, size_t max)
{
    size_t n = 0;
    for (;;) {
        s = tr_skip_space(s);
        if (!*s)
            return n;
        const char *b = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (n < max) {
            tok[n] = b;
            len[n] = (size_t)(s - b);
        }
        n++;
    }
}

/* Checks a throughput value read from the current line. */
int tr_check_rate(reader *r, double mbps, const char *what)
{
    if (isnan(mbps))
        return tr_fail_line(r, r->lineno, "%s is NaN; rates must be numbers "
                            ">= 0", what);
    if (isinf(mbps))
        return tr_fail_line(r, r->lineno, "%s is infinite; rates must be "
                            "finite", what);
    if (mbps < 0)
        return tr_fail_line(r, r->lineno, "%s is negative (%g Mbit/s); rates "
                            "must be >= 0", what, mbps);
    if (mbps > MAX_MBPS)
        return tr_fail_line(r, r->lineno, "%s is %g Mbit/s, beyond any real "
                            "link (the limit is %g Mbit/s); is the unit right?",
                            what, mbps, MAX_MBPS);
    return 0;
}

int tr_check_time(reader *r, const samples *s, double t)
{
    if (!isfinite(t))
        return tr_fail_line(r, r->lineno, "time %g s is not a finite number",
                            t);
    if (s->n > 0 && !(t > s->t[s->n - 1]))
        return tr_fail_line(r, r->lineno, "time %.9g s is not after the "
                            "previous sample's %.9g s; times must strictly "
                            "increase", t, s->t[s->n - 1]);
    if (s->n > 0 && t - s->t[0] > MAX_SPAN_S)
        return tr_fail_line(r, r->lineno, "time %.9g s is more than %g s after "
                            "the first sample; that is the limit for one trace",
                            t, MAX_SPAN_S);
    return 0;
}

/* ---- finishing a two-column or timed CSV trace ------------------------ */

static double median_interval(const samples *s)
{
    size_t m = s->n - 1;
    double *d = st_xcalloc(m, sizeof *d);
    for (size_t i = 0; i < m; i++)
        d[i] = s->t[i + 1] - s->t[i];
    gsl_sort(d, 1, m);
    double med = gsl_stats_median_from_sorted_data(d, 1, m);
    free(d);
    return med;
}

static int all_zero(const samples *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] > 0)
            return 0;
    return 1;
}

/* Period of timed samples: the "# duration_s" comment when present, else
 * the span plus one median interval for the last sample. */
int tr_timed_duration(reader *r, const samples *s, size_t last_line,
                      double *out)
{
    double span = s->t[s->n - 1] - s->t[0];
    if (r->duration_hint > 0) {
        if (!(r->duration_hint > span))
            return tr_fail_line(r, r->duration_line, "duration_s %.9g s does "
                                "not extend past the last sample (%.9g s after "
                                "the first)", r->duration_hint, span);
        *out = r->duration_hint;
        return 0;
    }
    if (s->n < 2)
        return tr_fail_line(r, last_line, "a single sample does not say how "
                            "long it lasts; add a second sample or a "
                            "'# duration_s: S' comment");
    double med = median_interval(s);
    *out = span + med;
    return 0;
}

int tr_finish_samples(reader *r, samples *s, double duration,
                      size_t last_line, const st_trace_opts *o,
                      st_trace **out)
{
    if (!(duration >= MIN_PERIOD_S))
        return tr_fail_line(r, last_line, "the trace lasts %.9g s, less than "
                            "%g s; expected times in seconds", duration,
                            MIN_PERIOD_S);
    if (all_zero(s))
        return tr_fail_line(r, last_line, "every rate in the trace is zero "
                            "(%zu samples), so nothing could ever be "
                            "delivered", s->n);
    return st_trace_from_mbps(r->path, s->t, s->v, s->n, duration,
                              !o->no_loop, out, r->err);
}

int tr_fail_empty(reader *r)
{
    return tr_fail_line(r, r->lineno ? r->lineno : 1, "empty trace: no "
                        "samples found");
}
