/* trace_load.c - reading a bandwidth trace file into an st_trace: the
 * format named, or detected from the first data line, and read by its
 * importer (trace_native.c, trace_mahimahi.c, trace_csv.c) through the
 * shared defensive reader (trace_read.c), with errors that point at the
 * offending line. */
#include "trace/trace_read.h"

#include <ctype.h>

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
    int rc = tr_next_data_line(r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return tr_fail_empty(r);
    r->pushed_back = 1;
    const char *tok[3];
    size_t len[3];
    size_t n = tr_split_ws(r->buf, tok, len, 3);
    double x;
    int numeric = n >= 1 && n <= 2;
    for (size_t i = 0; i < n && i < 2; i++)
        if (tr_parse_number(tok[i], len[i], &x) < 0)
            numeric = 0;
    if (!numeric && has_letter(r->buf)) {
        *fmt = ST_TRACE_CSV;
    } else if (n == 1 && is_integer_token(tok[0], len[0])) {
        *fmt = ST_TRACE_MAHIMAHI;
    } else if (numeric && n == 2) {
        *fmt = ST_TRACE_COOKED;
    } else {
        char ex[72];
        return tr_fail_line(r, r->lineno, "cannot tell the trace format from "
                            "'%s' (expected 'time_s mbps', one integer ms "
                            "timestamp, or a CSV header); name it with "
                            "--format", tr_excerpt(r->buf, ex));
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
        return tr_load_two_column(r, &eff, out);
    case ST_TRACE_MAHIMAHI:
        return tr_load_mahimahi(r, &eff, out);
    case ST_TRACE_CSV:
        return tr_load_csv(r, &eff, out);
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
