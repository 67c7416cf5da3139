/* trace.c - the piecewise-constant rate model behind every bandwidth trace:
 * construction, point queries, exact transfer end times, statistics and
 * the native writer (see trace.h).
 *
 * All queries go through the prefix sums cum[], so a lookup is one binary
 * search.  Looping traces fold time into one period and count the whole
 * periods arithmetically, which keeps a transfer of a million periods as
 * cheap (and as exact) as one of a single period.
 *
 * A transfer end time with a cursor (st_trace_finish_cursor) computes the
 * same expressions as without one; only the searches start from the
 * cursor's segment (galloping, so an answer d segments away costs
 * O(log d)) and the folds into a period divide and check the remainder
 * exactly instead of calling fmod.  Each search finds the unique index its
 * predicate defines and each fold the exact remainder, so both give the
 * bits the cursor-free path gives.
 */
#include "strata/trace.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gsl/gsl_sort.h>

/* Same bound as the loaders, so no path builds a trace they would refuse. */
#define MAX_SEGMENTS 50000000u

/* strdup is POSIX, not C17. */
static char *dup_str(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = malloc(len);
    if (p)
        memcpy(p, s, len);
    return p;
}

static st_trace *trace_alloc(const char *name, size_t n)
{
    st_trace *tr = calloc(1, sizeof *tr);
    if (!tr)
        return NULL;
    tr->name = dup_str(name ? name : "trace");
    tr->start = malloc(n * sizeof *tr->start);
    tr->bps = malloc(n * sizeof *tr->bps);
    tr->cum = malloc((n + 1) * sizeof *tr->cum);
    if (!tr->name || !tr->start || !tr->bps || !tr->cum) {
        st_trace_free(tr);
        return NULL;
    }
    tr->n = n;
    return tr;
}

void st_trace_free(st_trace *tr)
{
    if (!tr)
        return;
    free(tr->name);
    free(tr->start);
    free(tr->bps);
    free(tr->cum);
    free(tr);
}

static int check_inputs(const char *label, const double *t, const double *mbps,
                        size_t n, double duration, st_error *err)
{
    if (n == 0)
        return st_error_set(err, "%s: a trace needs at least one segment",
                            label);
    if (n > MAX_SEGMENTS)
        return st_error_set(err, "%s: %zu segments is more than the limit "
                            "of %u", label, n, MAX_SEGMENTS);
    int any_positive = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t[i]))
            return st_error_set(err, "%s: segment %zu starts at a "
                                "non-finite time", label, i + 1);
        if (i > 0 && !(t[i] > t[i - 1]))
            return st_error_set(err, "%s: segment %zu starts at %.9g s, "
                                "not after segment %zu at %.9g s", label,
                                i + 1, t[i], i, t[i - 1]);
        if (isnan(mbps[i]) || isinf(mbps[i]) || mbps[i] < 0)
            return st_error_set(err, "%s: segment %zu has rate %g Mbit/s; "
                                "rates must be finite and >= 0", label,
                                i + 1, mbps[i]);
        if (mbps[i] > 0)
            any_positive = 1;
    }
    /* Below a nanosecond, folding run times of up to 1e9 s into periods
     * would overflow the period count. */
    if (duration < 1e-9)
        return st_error_set(err, "%s: a period of %.9g s is too short; "
                            "expected at least 1e-09 s", label, duration);
    if (!isfinite(duration) || !(duration > t[n - 1] - t[0]))
        return st_error_set(err, "%s: duration %.9g s does not extend past "
                            "the last segment start (%.9g s after the first)",
                            label, duration, t[n - 1] - t[0]);
    if (!any_positive)
        return st_error_set(err, "%s: every rate is zero, so no transfer "
                            "could ever finish", label);
    return 0;
}

int st_trace_from_mbps(const char *name, const double *t, const double *mbps,
                       size_t n, double duration, int loop, st_trace **out,
                       st_error *err)
{
    const char *label = name ? name : "trace";
    *out = NULL;
    if (check_inputs(label, t, mbps, n, duration, err) < 0)
        return -1;
    st_trace *tr = trace_alloc(label, n);
    if (!tr)
        return st_error_set(err, "%s: out of memory for %zu segments",
                            label, n);
    tr->duration = duration;
    tr->loop = loop ? 1 : 0;
    tr->cum[0] = 0;
    for (size_t i = 0; i < n; i++) {
        tr->start[i] = i == 0 ? 0.0 : t[i] - t[0];
        tr->bps[i] = mbps[i] * 1e6;
    }
    for (size_t i = 0; i < n; i++) {
        double end = i + 1 < n ? tr->start[i + 1] : duration;
        tr->cum[i + 1] = tr->cum[i] + tr->bps[i] * (end - tr->start[i]);
    }
    *out = tr;
    return 0;
}

/* Index of the segment holding u, for 0 <= u (u past the period lands in
 * the last segment). */
static size_t segment_at(const st_trace *tr, double u)
{
    size_t lo = 0, hi = tr->n;          /* start[lo] <= u < start[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->start[mid] <= u)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The first m in [1, n) with a[m] > x (strict) or a[m] >= x (!strict),
 * or n if there is none, for a non-decreasing a[]; galloping from the
 * guess h in [1, n], so it costs O(log |answer - h|). */
static inline size_t first_past(const double *a, size_t n, double x,
                                int strict, size_t h)
{
#define PAST(m) (strict ? a[m] > x : a[m] >= x)
    size_t lo, hi, step = 1;            /* the answer is in [lo, hi] */
    if (h >= n || PAST(h)) {
        hi = h < n ? h : n;
        for (lo = 1; hi > step; step *= 2) {
            if (!PAST(hi - step)) {
                lo = hi - step + 1;
                break;
            }
            hi -= step;
        }
    } else {
        for (lo = h + 1, hi = n; lo + step - 1 < n; step *= 2) {
            if (PAST(lo + step - 1)) {
                hi = lo + step - 1;
                break;
            }
            lo += step;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (PAST(mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
#undef PAST
}

/* segment_at, starting from the cursor's segment when there is one. */
static size_t segment_near(const st_trace *tr, double u,
                           const st_trace_cursor *cur)
{
    if (!cur)
        return segment_at(tr, u);
    return first_past(tr->start, tr->n, u, 1, (size_t)cur->seg + 1) - 1;
}

/* Bits delivered over [0, u] within one period, 0 <= u <= duration, the
 * segment holding u in *seg. */
static double cum_within_at(const st_trace *tr, double u,
                            const st_trace_cursor *cur, size_t *seg)
{
    size_t i = *seg = segment_near(tr, u, cur);
    return tr->cum[i] + tr->bps[i] * (u - tr->start[i]);
}

static double cum_within(const st_trace *tr, double u)
{
    size_t i;
    return cum_within_at(tr, u, NULL, &i);
}

/* Splits t into whole periods k and the phase u in [0, duration). */
static double fold(const st_trace *tr, double t, double *k)
{
    double u = fmod(t, tr->duration);   /* fmod is exact */
    *k = nearbyint((t - u) / tr->duration);
    return u;
}

/* fold's phase, with a cursor trying the period k the division gives
 * first: fma rounds t - k * duration once, so when that lands in
 * [0, duration) it is the exact remainder, which is fmod's; outside, it is
 * outside exactly as well (rounding is monotonic and both ends are
 * doubles), and fmod decides.  (Zero goes to fmod too, which keeps the
 * sign of -0.) */
static double fold_near(const st_trace *tr, double t,
                        const st_trace_cursor *cur)
{
    if (cur && t > 0) {
        double u = fma(-floor(t / tr->duration), tr->duration, t);
        if (u >= 0 && u < tr->duration)
            return u;
    }
    double k;
    return fold(tr, t, &k);
}

/* The remainder of target over whole periods of `bits` and their number,
 * as fmod and a division give them.  Below two periods both are exact
 * without fmod: target - bits is exact there (Sterbenz) and is fmod's. */
static double fold_bits(double target, double bits, double *periods)
{
    if (target >= 0 && target < bits) {
        *periods = 0;
        return target;
    }
    if (target >= bits && target < 2 * bits) {
        *periods = 1;
        return target - bits;
    }
    double rem = fmod(target, bits);
    *periods = nearbyint((target - rem) / bits);
    return rem;
}

double st_trace_rate_at(const st_trace *tr, double t)
{
    if (t < 0)
        t = 0;
    if (tr->loop) {
        double k;
        t = fold(tr, t, &k);
    }
    return tr->bps[segment_at(tr, t)];
}

/* Bits over [0, t] for a trace whose last rate holds forever. */
static double cum_open(const st_trace *tr, double t)
{
    size_t last = tr->n - 1;
    if (t >= tr->start[last])
        return tr->cum[last] + tr->bps[last] * (t - tr->start[last]);
    return cum_within(tr, t);
}

double st_trace_bits_between(const st_trace *tr, double t0, double t1)
{
    if (t0 < 0)
        t0 = 0;
    if (!(t1 > t0))
        return 0;
    if (!tr->loop)
        return cum_open(tr, t1) - cum_open(tr, t0);
    double k0, k1;
    double u0 = fold(tr, t0, &k0);
    double u1 = fold(tr, t1, &k1);
    /* Differencing the period counts first keeps the result exact when
     * t0 and t1 are far from 0. */
    return (k1 - k0) * tr->cum[tr->n] + cum_within(tr, u1)
         - cum_within(tr, u0);
}

/* How many bits of rounding a bit count of size `target` may carry.
 * Without this margin a target a few ulps past the end of a busy stretch
 * would wait out the whole idle gap that follows it; the margin moves an
 * end time by about 1e-15 of the transfer, never by a gap. */
static double rounding_slack(double target)
{
    return 8 * DBL_EPSILON * fabs(target);
}

/* Earliest phase u in (0, duration] with cum_within(u) = target, for
 * 0 < target <= cum[n] (give or take slack).  Taking the first segment
 * whose end reaches the target skips zero-rate stretches: the transfer
 * ends when its last bit arrives, not when an idle gap after it ends. */
static size_t segment_reaching(const st_trace *tr, double target,
                               double slack)
{
    size_t lo = 0, hi = tr->n - 1;      /* answer j: cum[j+1] >= target */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->cum[mid + 1] >= target - slack)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* phase_reaching, its search starting from segment `from` with a cursor,
 * whose segment becomes the answer's. */
static double phase_reaching(const st_trace *tr, double target, double slack,
                             st_trace_cursor *cur, size_t from)
{
    size_t j;
    if (cur) {
        j = first_past(tr->cum, tr->n, target - slack, 0, from + 1) - 1;
        cur->seg = (uint32_t)j;
    } else {
        j = segment_reaching(tr, target, slack);
    }
    double end = j + 1 < tr->n ? tr->start[j + 1] : tr->duration;
    if (!(tr->bps[j] > 0))
        return end;                     /* only when rounding put us here */
    double u = tr->start[j] + (target - tr->cum[j]) / tr->bps[j];
    return u < end ? u : end;
}

/* What every transfer starting at t0 shares: where t0 falls in the trace
 * (its phase u0 in a period and the segment i holding it) and the bits
 * delivered from the period's start (or the trace's, not looping) to
 * t0.  tail: a non-looping trace past its last segment start. */
typedef struct finish_from {
    double t0, u0, base;
    size_t i;
    int tail;
} finish_from;

static void finish_begin(const st_trace *tr, const st_trace_cursor *cur,
                         double t0, finish_from *f)
{
    f->t0 = t0 < 0 ? 0 : t0;
    f->tail = !tr->loop && f->t0 >= tr->start[tr->n - 1];
    if (f->tail)
        return;
    f->u0 = tr->loop ? fold_near(tr, f->t0, cur) : f->t0;
    f->base = cum_within_at(tr, f->u0, cur, &f->i);
}

static double finish_open(const st_trace *tr, st_trace_cursor *cur,
                          const finish_from *f, double bits)
{
    size_t last = tr->n - 1;
    double t0 = f->t0;
    if (f->tail)
        return tr->bps[last] > 0 ? t0 + bits / tr->bps[last] : INFINITY;
    double target = f->base + bits;
    double slack = rounding_slack(target);
    if (target <= tr->cum[last] + slack && last > 0) {
        double t1 = phase_reaching(tr, target, slack, cur, f->i);
        return t1 > t0 ? t1 : t0;
    }
    if (!(tr->bps[last] > 0))
        return INFINITY;
    return tr->start[last] + (target - tr->cum[last]) / tr->bps[last];
}

/* The end of a transfer of `bits` from f's start, with or without a
 * cursor (NULL). */
static double finish_end(const st_trace *tr, st_trace_cursor *cur,
                         const finish_from *f, double bits)
{
    double t0 = f->t0;
    if (!(bits > 0))
        return t0;
    if (isinf(bits))
        return INFINITY;
    if (!tr->loop)
        return finish_open(tr, cur, f, bits);
    double period_bits = tr->cum[tr->n];
    double target = f->base + bits;     /* from this period's 0 */
    double slack = rounding_slack(target);
    double periods, rem;
    if (cur) {
        rem = fold_bits(target, period_bits, &periods);
    } else {
        rem = fmod(target, period_bits);
        periods = nearbyint((target - rem) / period_bits);
    }
    if (rem <= slack && periods >= 1) {
        /* Ending on a period boundary: the last bit arrives at the end of
         * the previous period's final busy stretch, not at the wrap. */
        periods -= 1;
        rem += period_bits;
    }
    double u1 = phase_reaching(tr, rem, slack, cur, f->i);
    double t1 = t0 + ((periods * tr->duration + u1) - f->u0);
    return t1 > t0 ? t1 : t0;
}

/* st_trace_finish, with or without a cursor (NULL). */
static double finish(const st_trace *tr, st_trace_cursor *cur, double t0,
                     double bits)
{
    finish_from f;
    if (!(bits > 0))
        return t0 < 0 ? 0 : t0;
    if (isinf(bits))
        return INFINITY;
    finish_begin(tr, cur, t0, &f);
    return finish_end(tr, cur, &f, bits);
}

double st_trace_finish(const st_trace *tr, double t0, double bits)
{
    return finish(tr, NULL, t0, bits);
}

double st_trace_finish_cursor(const st_trace *tr, st_trace_cursor *cur,
                              double t0, double bits)
{
    return finish(tr, cur, t0, bits);
}

void st_trace_finish_many(const st_trace *tr, st_trace_cursor *cur, double t0,
                          const double *bits, size_t n, double *end)
{
    finish_from f;
    finish_begin(tr, cur, t0, &f);
    for (size_t k = 0; k < n; k++)
        end[k] = finish_end(tr, cur, &f, bits[k]);
}

/* Time-weighted quantile: the smallest rate r such that the trace spends at
 * least a share p of its period at rates <= r. */
static double weighted_quantile(const st_trace *tr, const size_t *order,
                                const double *len, double p)
{
    double need = p * tr->duration;
    double slack = 1e-12 * tr->duration;   /* absorbs summation rounding */
    double acc = 0;
    for (size_t r = 0; r < tr->n; r++) {
        size_t i = order[r];
        acc += len[i];
        if (acc + slack >= need)
            return tr->bps[i] / 1e6;
    }
    return tr->bps[order[tr->n - 1]] / 1e6;
}

static void fill_quantiles(const st_trace *tr, st_trace_stats *out)
{
    size_t *order = malloc(tr->n * sizeof *order);
    double *len = malloc(tr->n * sizeof *len);
    if (!order || !len) {
        /* Percentiles are a report, not a result: degrade to NaN rather
         * than fail the whole computation. */
        out->p5_mbps = out->p25_mbps = out->p50_mbps = NAN;
        out->p75_mbps = out->p95_mbps = NAN;
        free(order);
        free(len);
        return;
    }
    for (size_t i = 0; i < tr->n; i++)
        len[i] = (i + 1 < tr->n ? tr->start[i + 1] : tr->duration)
                 - tr->start[i];
    gsl_sort_index(order, tr->bps, 1, tr->n);
    out->p5_mbps = weighted_quantile(tr, order, len, 0.05);
    out->p25_mbps = weighted_quantile(tr, order, len, 0.25);
    out->p50_mbps = weighted_quantile(tr, order, len, 0.50);
    out->p75_mbps = weighted_quantile(tr, order, len, 0.75);
    out->p95_mbps = weighted_quantile(tr, order, len, 0.95);
    free(order);
    free(len);
}

void st_trace_stats_compute(const st_trace *tr, st_trace_stats *out)
{
    memset(out, 0, sizeof *out);
    out->duration_s = tr->duration;
    out->segments = tr->n;
    out->mean_mbps = tr->cum[tr->n] / tr->duration / 1e6;
    out->min_mbps = out->max_mbps = tr->bps[0] / 1e6;
    double zero_time = 0;
    for (size_t i = 0; i < tr->n; i++) {
        double r = tr->bps[i] / 1e6;
        if (r < out->min_mbps)
            out->min_mbps = r;
        if (r > out->max_mbps)
            out->max_mbps = r;
        if (tr->bps[i] == 0)
            zero_time += (i + 1 < tr->n ? tr->start[i + 1] : tr->duration)
                         - tr->start[i];
    }
    out->zero_fraction = zero_time / tr->duration;
    fill_quantiles(tr, out);
}

int st_trace_write_native(const st_trace *tr, FILE *f)
{
    /* The period cannot be recovered from the rows alone when the last
     * segment is not the median length, so it is stated up front; the
     * loader reads this comment back. */
    if (fprintf(f, "# duration_s: %.9g\n", tr->duration) < 0)
        return -1;
    for (size_t i = 0; i < tr->n; i++)
        if (fprintf(f, "%.9g %.9g\n", tr->start[i], tr->bps[i] / 1e6) < 0)
            return -1;
    return ferror(f) ? -1 : 0;
}

static const char *const format_names[] = {
    [ST_TRACE_AUTO] = "auto",
    [ST_TRACE_NATIVE] = "native",
    [ST_TRACE_COOKED] = "cooked",
    [ST_TRACE_MAHIMAHI] = "mahimahi",
    [ST_TRACE_CSV] = "csv",
};

const char *st_trace_format_name(st_trace_format f)
{
    if ((unsigned)f < sizeof format_names / sizeof format_names[0])
        return format_names[f];
    return "unknown";
}

int st_trace_format_parse(const char *s, st_trace_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (s && strcasecmp(s, format_names[i]) == 0) {
            *out = (st_trace_format)i;
            return 0;
        }
    return -1;
}
