/* trace_native.c - two-column traces, 'time_s mbps' per line: strata's
 * native format (time from 0, an optional '# duration_s' comment) and the
 * cooked files of Pensieve, HSDPA and FCC (any start time). */
#include "trace/trace_read.h"

int tr_load_two_column(reader *r, const st_trace_opts *o, st_trace **out)
{
    samples s = {0};
    size_t first_line = 0, last_line = 0;
    int rc;
    while ((rc = tr_next_data_line(r)) > 0) {
        const char *tok[2];
        size_t len[2];
        double t, mbps;
        char ex[72];
        if (tr_split_ws(r->buf, tok, len, 2) != 2
            || tr_parse_number(tok[0], len[0], &t) < 0
            || tr_parse_number(tok[1], len[1], &mbps) < 0) {
            rc = tr_fail_line(r, r->lineno, "expected two numbers 'time_s "
                              "mbps', got '%s'", tr_excerpt(r->buf, ex));
            break;
        }
        if ((rc = tr_check_time(r, &s, t)) < 0
            || (rc = tr_check_rate(r, mbps, "rate")) < 0
            || (rc = tr_samples_push(r, &s, t, mbps)) < 0)
            break;
        if (!first_line)
            first_line = r->lineno;
        last_line = r->lineno;
    }
    double duration = 0;
    if (rc == 0 && s.n == 0)
        rc = tr_fail_empty(r);
    if (rc == 0 && o->format == ST_TRACE_NATIVE && s.t[0] != 0)
        rc = tr_fail_line(r, first_line, "native traces start at time 0, this "
                          "one at %.9g s (use the cooked format to shift it)",
                          s.t[0]);
    if (rc == 0)
        rc = tr_timed_duration(r, &s, last_line, &duration);
    if (rc == 0)
        rc = tr_finish_samples(r, &s, duration, last_line, o, out);
    tr_samples_free(&s);
    return rc < 0 ? -1 : 0;
}
