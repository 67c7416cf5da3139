/* trace_load.c - reading bandwidth trace files (native, cooked, Mahimahi,
 * CSV) into an st_trace, with errors that point at the offending line.
 *
 * Files come from other people's measurement campaigns, so the reader is
 * defensive: lines are read with a hard length limit, every number is
 * parsed strictly, and the segment count is capped before anything is
 * allocated for it, so a malformed or hostile file produces a message
 * rather than an out-of-memory abort.
 */
#include "strata/trace.h"
#include "base/xalloc.h"
#include "base/textfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define MAX_SEGMENTS 50000000u
#define MAHIMAHI_PACKET_BITS (1500.0 * 8.0)
/* Plausibility bounds: a petabit per second, and a trace period of about
 * 30 years.  Together they keep every prefix sum (bits delivered per
 * period) far from overflowing a double. */
#define MAX_MBPS 1e9
#define MAX_SPAN_S 1e9
/* A period shorter than a microsecond is no measurement; folding a
 * simulated time into a period that short would overflow the count of
 * whole periods. */
#define MIN_PERIOD_S 1e-6

/* ---- line reader ------------------------------------------------------ */

typedef struct reader {
    st_text text;        /* the bounded line reader */
    const char *path;
    st_error *err;
    char *buf;           /* current line, NUL-terminated, no newline */
    size_t len;
    size_t lineno;       /* 1-based number of the current line */
    int pushed_back;     /* next_data_line returns the current line again */
    double duration_hint;      /* from a "# duration_s: X" comment, or 0 */
    size_t duration_line;
} reader;

static int fail_line(reader *r, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_line(reader *r, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st_error_vat(r->err, r->path, line, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* A short, printable quotation of a bad line for error messages. */
static const char *excerpt(const char *s, char out[72])
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

static const char *skip_space(const char *s)
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
    const char *s = skip_space(hash + 1);
    static const char key[] = "duration_s";
    if (strncmp(s, key, sizeof key - 1) != 0)
        return 0;
    s = skip_space(s + sizeof key - 1);
    if (*s != ':' && *s != '=')
        return 0;
    s = skip_space(s + 1);
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno || end == s || *skip_space(end) || !isfinite(d) || d <= 0 ||
        d > MAX_SPAN_S) {
        char ex[72];
        return fail_line(r, r->lineno, "expected a positive number of "
                         "seconds (at most %g) after 'duration_s:', got '%s'",
                         MAX_SPAN_S, excerpt(s, ex));
    }
    r->duration_hint = d;
    r->duration_line = r->lineno;
    return 0;
}

/* Next line that is neither blank nor a '#' comment; 1, 0 at EOF, -1. */
static int next_data_line(reader *r)
{
    if (r->pushed_back) {
        r->pushed_back = 0;
        return 1;
    }
    for (;;) {
        int rc = read_line(r);
        if (rc <= 0)
            return rc;
        const char *s = skip_space(r->buf);
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

typedef struct samples {
    double *t, *v;
    size_t n, cap;
} samples;

static int samples_push(reader *r, samples *s, double t, double v)
{
    if (s->n >= MAX_SEGMENTS)
        return fail_line(r, r->lineno, "more than %u samples; that is the "
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

static void samples_free(samples *s)
{
    free(s->t);
    free(s->v);
}

/* ---- strict number parsing -------------------------------------------- */

/* Parses one whole token [s, s+len) as a double; 0 or -1. */
static int parse_number(const char *s, size_t len, double *out)
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
static size_t split_ws(const char *s, const char **tok, size_t *len,
                       size_t max)
{
    size_t n = 0;
    for (;;) {
        s = skip_space(s);
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
static int check_rate(reader *r, double mbps, const char *what)
{
    if (isnan(mbps))
        return fail_line(r, r->lineno, "%s is NaN; rates must be numbers "
                         ">= 0", what);
    if (isinf(mbps))
        return fail_line(r, r->lineno, "%s is infinite; rates must be "
                         "finite", what);
    if (mbps < 0)
        return fail_line(r, r->lineno, "%s is negative (%g Mbit/s); rates "
                         "must be >= 0", what, mbps);
    if (mbps > MAX_MBPS)
        return fail_line(r, r->lineno, "%s is %g Mbit/s, beyond any real "
                         "link (the limit is %g Mbit/s); is the unit right?",
                         what, mbps, MAX_MBPS);
    return 0;
}

static int check_time(reader *r, const samples *s, double t)
{
    if (!isfinite(t))
        return fail_line(r, r->lineno, "time %g s is not a finite number",
                         t);
    if (s->n > 0 && !(t > s->t[s->n - 1]))
        return fail_line(r, r->lineno, "time %.9g s is not after the "
                         "previous sample's %.9g s; times must strictly "
                         "increase", t, s->t[s->n - 1]);
    if (s->n > 0 && t - s->t[0] > MAX_SPAN_S)
        return fail_line(r, r->lineno, "time %.9g s is more than %g s after "
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
static int timed_duration(reader *r, const samples *s, size_t last_line,
                          double *out)
{
    double span = s->t[s->n - 1] - s->t[0];
    if (r->duration_hint > 0) {
        if (!(r->duration_hint > span))
            return fail_line(r, r->duration_line, "duration_s %.9g s does "
                             "not extend past the last sample (%.9g s after "
                             "the first)", r->duration_hint, span);
        *out = r->duration_hint;
        return 0;
    }
    if (s->n < 2)
        return fail_line(r, last_line, "a single sample does not say how "
                         "long it lasts; add a second sample or a "
                         "'# duration_s: S' comment");
    double med = median_interval(s);
    *out = span + med;
    return 0;
}

static int finish_samples(reader *r, samples *s, double duration,
                          size_t last_line, const st_trace_opts *o,
                          st_trace **out)
{
    if (!(duration >= MIN_PERIOD_S))
        return fail_line(r, last_line, "the trace lasts %.9g s, less than "
                         "%g s; expected times in seconds", duration,
                         MIN_PERIOD_S);
    if (all_zero(s))
        return fail_line(r, last_line, "every rate in the trace is zero "
                         "(%zu samples), so nothing could ever be "
                         "delivered", s->n);
    return st_trace_from_mbps(r->path, s->t, s->v, s->n, duration,
                              !o->no_loop, out, r->err);
}

static int fail_empty(reader *r)
{
    return fail_line(r, r->lineno ? r->lineno : 1, "empty trace: no "
                     "samples found");
}

/* ---- native and cooked ------------------------------------------------ */

static int load_two_column(reader *r, const st_trace_opts *o, st_trace **out)
{
    samples s = {0};
    size_t first_line = 0, last_line = 0;
    int rc;
    while ((rc = next_data_line(r)) > 0) {
        const char *tok[2];
        size_t len[2];
        double t, mbps;
        char ex[72];
        if (split_ws(r->buf, tok, len, 2) != 2
            || parse_number(tok[0], len[0], &t) < 0
            || parse_number(tok[1], len[1], &mbps) < 0) {
            rc = fail_line(r, r->lineno, "expected two numbers 'time_s "
                           "mbps', got '%s'", excerpt(r->buf, ex));
            break;
        }
        if ((rc = check_time(r, &s, t)) < 0
            || (rc = check_rate(r, mbps, "rate")) < 0
            || (rc = samples_push(r, &s, t, mbps)) < 0)
            break;
        if (!first_line)
            first_line = r->lineno;
        last_line = r->lineno;
    }
    double duration = 0;
    if (rc == 0 && s.n == 0)
        rc = fail_empty(r);
    if (rc == 0 && o->format == ST_TRACE_NATIVE && s.t[0] != 0)
        rc = fail_line(r, first_line, "native traces start at time 0, this "
                       "one at %.9g s (use the cooked format to shift it)",
                       s.t[0]);
    if (rc == 0)
        rc = timed_duration(r, &s, last_line, &duration);
    if (rc == 0)
        rc = finish_samples(r, &s, duration, last_line, o, out);
    samples_free(&s);
    return rc < 0 ? -1 : 0;
}

/* ---- Mahimahi --------------------------------------------------------- */

typedef struct bins {
    double *count;       /* packets per bin */
    size_t n;            /* bins in use */
    size_t cap;
} bins;

/* Makes bin floor(ts / bin_ms) exist and returns its index in *idx. */
static int bins_reach(reader *r, bins *b, double ts, double bin_ms,
                      size_t *out)
{
    double q = floor(ts / bin_ms);
    /* Checked as a double: the quotient may not even fit a size_t. */
    if (!(q < MAX_SEGMENTS))
        return fail_line(r, r->lineno, "timestamp %.0f ms needs more than "
                         "%u bins of %g ms, the limit for one trace (use a "
                         "wider bin)", ts, MAX_SEGMENTS, bin_ms);
    size_t idx = (size_t)q;
    if (idx >= b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= idx)
            cap *= 2;
        if (cap > MAX_SEGMENTS)
            cap = MAX_SEGMENTS;
        b->count = st_xreallocarray(b->count, cap, sizeof *b->count);
        memset(b->count + b->cap, 0, (cap - b->cap) * sizeof *b->count);
        b->cap = cap;
    }
    if (idx >= b->n)
        b->n = idx + 1;
    *out = idx;
    return 0;
}

static int parse_ms(reader *r, double *ts)
{
    const char *s = skip_space(r->buf);
    const char *e = s;
    while (isdigit((unsigned char)*e))
        e++;
    char ex[72];
    if (e == s || *skip_space(e) || e - s > 15)
        return fail_line(r, r->lineno, "expected one whole number of "
                         "milliseconds (a Mahimahi packet time), got '%s'",
                         excerpt(r->buf, ex));
    *ts = strtod(s, NULL);      /* <= 15 digits: exact in a double */
    return 0;
}

/* Turns packet counts into per-bin rates over a period of `period` ms. */
static int mahimahi_trace(reader *r, bins *b, double period, double bin_ms,
                          double at_period, const st_trace_opts *o,
                          st_trace **out)
{
    size_t nb = (size_t)ceil(period / bin_ms);
    while (nb > 1 && (double)(nb - 1) * bin_ms >= period)
        nb--;                           /* rounding in the division */
    /* The trace loops at `period`, so packets stamped exactly there belong
     * to the start of the next loop, i.e. bin 0. */
    size_t last_idx = (size_t)floor(period / bin_ms);
    b->count[last_idx] -= at_period;
    b->count[0] += at_period;
    for (size_t k = nb; k < b->n; k++)
        b->count[nb - 1] += b->count[k];    /* only rounding strays */

    double *t = st_xcalloc(nb, sizeof *t);
    /* Rates overwrite the counts in place: at the 50M-bin limit every
     * array saved is 400 MB. */
    for (size_t k = 0; k < nb; k++) {
        double lo = (double)k * bin_ms;
        double width = fmin(bin_ms, period - lo);
        t[k] = lo / 1e3;
        b->count[k] *= MAHIMAHI_PACKET_BITS / (width * 1e3);
    }
    samples s = { .t = t, .v = b->count, .n = nb, .cap = nb };
    b->count = NULL;                    /* now owned by s */
    int rc = finish_samples(r, &s, period / 1e3, r->lineno, o, out);
    samples_free(&s);
    return rc;
}

static int load_mahimahi(reader *r, const st_trace_opts *o, st_trace **out)
{
    double bin_ms = o->mahimahi_bin_ms > 0 ? o->mahimahi_bin_ms : 1.0;
    if (!isfinite(bin_ms))
        return st_error_set(r->err, "%s: the Mahimahi bin width must be a "
                            "positive number of ms", r->path);
    bins b = {0};
    double last = -1, at_last = 0;
    int rc;
    while ((rc = next_data_line(r)) > 0) {
        double ts = 0;
        if ((rc = parse_ms(r, &ts)) < 0)
            break;
        if (ts < last) {
            rc = fail_line(r, r->lineno, "timestamp %.0f ms is before the "
                           "previous line's %.0f ms; Mahimahi times must not "
                           "decrease", ts, last);
            break;
        }
        size_t idx = 0;
        if ((rc = bins_reach(r, &b, ts, bin_ms, &idx)) < 0)
            break;
        b.count[idx] += 1;
        at_last = ts == last ? at_last + 1 : 1;
        last = ts;
    }
    if (rc == 0 && last < 0)
        rc = fail_empty(r);
    if (rc == 0 && last == 0)
        rc = fail_line(r, r->lineno, "the last timestamp is 0 ms, so the "
                       "trace has no length (Mahimahi loops at its last "
                       "timestamp)");
    if (rc == 0)
        rc = mahimahi_trace(r, &b, last, bin_ms, at_last, o, out);
    free(b.count);
    return rc < 0 ? -1 : 0;
}

/* ---- CSV -------------------------------------------------------------- */

typedef struct fields {
    char **f;
    size_t n, cap;
} fields;

/* Splits a CSV line in place (RFC 4180 quoting, surrounding spaces
 * trimmed). */
static int split_csv(reader *r, char *line, fields *fs)
{
    fs->n = 0;
    char *s = line;
    for (;;) {
        if (fs->n == fs->cap) {
            size_t cap = fs->cap ? fs->cap * 2 : 16;
            fs->f = st_xreallocarray(fs->f, cap, sizeof *fs->f);
            fs->cap = cap;
        }
        while (*s == ' ' || *s == '\t')
            s++;
        char *w = s, *start = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s)
                    return fail_line(r, r->lineno, "unterminated quoted "
                                     "field");
                if (*s == '"' && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *w++ = *s++;
                }
            }
            while (*s && *s != ',')
                s++;                    /* junk after the closing quote */
        } else {
            while (*s && *s != ',')
                *w++ = *s++;
            while (w > start && (w[-1] == ' ' || w[-1] == '\t'))
                w--;
        }
        int more = *s == ',';
        *w = '\0';
        fs->f[fs->n++] = start;
        if (!more)
            return 0;
        s++;
    }
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int contains_ci(const char *s, const char *needle)
{
    size_t m = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, m) == 0)
            return 1;
    return 0;
}

/* Multiplier taking the column's unit (from its name) to Mbit/s; a name
 * without a unit suffix is taken to be in Mbit/s. */
static double unit_to_mbps(const char *name)
{
    if (ends_with(name, "_mbps"))
        return 1.0;
    if (ends_with(name, "_kbps"))
        return 1e-3;
    if (ends_with(name, "_bps"))
        return 1e-6;
    return 1.0;
}

static void list_columns(const fields *fs, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < fs->n && o + 1 < size; i++) {
        int w = snprintf(out + o, size - o, "%s%s", i ? ", " : "",
                         fs->f[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

static int find_column(reader *r, const fields *fs, const char *want,
                       int guess, size_t *idx)
{
    for (size_t i = 0; i < fs->n; i++) {
        if (want && strcmp(fs->f[i], want) == 0)
            goto found;
        if (!want && guess && (contains_ci(fs->f[i], "throughput")
                               || contains_ci(fs->f[i], "mbps")))
            goto found;
        continue;
    found:
        *idx = i;
        return 0;
    }
    char cols[512];
    list_columns(fs, cols, sizeof cols);
    if (want)
        return fail_line(r, r->lineno, "no column named '%s' (columns: %s)",
                         want, cols);
    return fail_line(r, r->lineno, "no column name in this CSV header "
                     "contains 'throughput' or 'mbps'; choose one with "
                     "--column (columns: %s)", cols);
}

typedef struct csv_plan {
    size_t rate_col, time_col;
    int timed;
    double to_mbps;
    char rate_name[256];
} csv_plan;

static int csv_header(reader *r, const st_trace_opts *o, fields *fs,
                      csv_plan *p)
{
    int rc = next_data_line(r);
    if (rc <= 0)
        return rc < 0 ? -1 : fail_empty(r);
    if (split_csv(r, r->buf, fs) < 0
        || find_column(r, fs, o->column, 1, &p->rate_col) < 0)
        return -1;
    snprintf(p->rate_name, sizeof p->rate_name, "%s", fs->f[p->rate_col]);
    p->to_mbps = unit_to_mbps(p->rate_name);
    p->timed = o->time_column != NULL;
    if (p->timed && find_column(r, fs, o->time_column, 0, &p->time_col) < 0)
        return -1;
    return 0;
}

static int csv_value(reader *r, const fields *fs, size_t col,
                     const char *name, double *out)
{
    char ex[72];
    if (col >= fs->n)
        return fail_line(r, r->lineno, "row has %zu fields, so no column "
                         "'%s' (field %zu)", fs->n, name, col + 1);
    const char *v = fs->f[col];
    if (!*v)
        return fail_line(r, r->lineno, "column '%s' is empty", name);
    if (parse_number(v, strlen(v), out) < 0)
        return fail_line(r, r->lineno, "column '%s': expected a number, "
                         "got '%s'", name, excerpt(v, ex));
    return 0;
}

static int csv_rows(reader *r, const st_trace_opts *o, fields *fs,
                    const csv_plan *p, double step, samples *s,
                    size_t *last_line)
{
    int rc;
    while ((rc = next_data_line(r)) > 0) {
        double t = (double)s->n * step, v;
        if (split_csv(r, r->buf, fs) < 0
            || csv_value(r, fs, p->rate_col, p->rate_name, &v) < 0)
            return -1;
        if (p->timed && csv_value(r, fs, p->time_col, o->time_column, &t) < 0)
            return -1;
        /* Untimed rows are checked too: a huge --step overflows the span. */
        v *= p->to_mbps;
        if (check_time(r, s, t) < 0 || check_rate(r, v, p->rate_name) < 0
            || samples_push(r, s, t, v) < 0)
            return -1;
        *last_line = r->lineno;
    }
    return rc;
}

static int load_csv(reader *r, const st_trace_opts *o, st_trace **out)
{
    double step = o->step_s > 0 ? o->step_s : 1.0;
    if (!isfinite(step))
        return st_error_set(r->err, "%s: the CSV row step must be a "
                            "positive number of seconds", r->path);
    fields fs = {0};
    samples s = {0};
    csv_plan p;
    size_t last_line = 0;
    double duration = 0;
    int rc = csv_header(r, o, &fs, &p);
    if (rc == 0)
        rc = csv_rows(r, o, &fs, &p, step, &s, &last_line);
    if (rc == 0 && s.n == 0)
        rc = fail_empty(r);
    if (rc == 0 && p.timed)
        rc = timed_duration(r, &s, last_line, &duration);
    else if (rc == 0)
        duration = (double)s.n * step;
    if (rc == 0)
        rc = finish_samples(r, &s, duration, last_line, o, out);
    samples_free(&s);
    free(fs.f);
    return rc < 0 ? -1 : 0;
}

/* ---- detection and entry point ---------------------------------------- */

static int has_letter(const char *s)
{
    for (; *s; s++)
        if (isalpha((unsigned char)*s))
            return 1;
    return 0;
}

static int is_integer_token(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return len > 0;
}

/* Looks at the first data line and leaves it to be read again. */
static int detect(reader *r, st_trace_format *fmt)
{
    int rc = next_data_line(r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return fail_empty(r);
    r->pushed_back = 1;
    const char *tok[3];
    size_t len[3];
    size_t n = split_ws(r->buf, tok, len, 3);
    double x;
    int numeric = n >= 1 && n <= 2;
    for (size_t i = 0; i < n && i < 2; i++)
        if (parse_number(tok[i], len[i], &x) < 0)
            numeric = 0;
    if (!numeric && has_letter(r->buf)) {
        *fmt = ST_TRACE_CSV;
    } else if (n == 1 && is_integer_token(tok[0], len[0])) {
        *fmt = ST_TRACE_MAHIMAHI;
    } else if (numeric && n == 2) {
        *fmt = ST_TRACE_COOKED;
    } else {
        char ex[72];
        return fail_line(r, r->lineno, "cannot tell the trace format from "
                         "'%s' (expected 'time_s mbps', one integer ms "
                         "timestamp, or a CSV header); name it with "
                         "--format", excerpt(r->buf, ex));
    }
    return 0;
}

static int dispatch(reader *r, const st_trace_opts *o, st_trace **out)
{
    st_trace_opts eff = *o;
    if (eff.format == ST_TRACE_AUTO && detect(r, &eff.format) < 0)
        return -1;
    switch (eff.format) {
    case ST_TRACE_NATIVE:
    case ST_TRACE_COOKED:
        return load_two_column(r, &eff, out);
    case ST_TRACE_MAHIMAHI:
        return load_mahimahi(r, &eff, out);
    case ST_TRACE_CSV:
        return load_csv(r, &eff, out);
    case ST_TRACE_AUTO:
        break;
    }
    return st_error_set(r->err, "%s: unknown trace format", r->path);
}

int st_trace_load(const char *path, const st_trace_opts *opts,
                  st_trace **out, st_error *err)
{
    static const st_trace_opts defaults = { .format = ST_TRACE_AUTO };
    *out = NULL;
    if (!path)
        return st_error_set(err, "no trace file given");
    reader r = { .path = path, .err = err };
    if (st_text_open(&r.text, path, "a text trace file", err))
        return -1;
    int rc = dispatch(&r, opts ? opts : &defaults, out);
    st_text_close(&r.text);
    if (rc < 0) {
        st_trace_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}
