/* test_trace.c - unit tests for bandwidth traces: exact transfer times on a
 * hand-made trace, the four importers, the real traces in shared/data
 * (checked against figures this file computes on its own), load errors,
 * and the Markov-modulated generator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/trace.h"
#include "testutil.h"

#define EPS 1e-9

/* The hand-made trace used throughout (rates in Mbit/s, period 6 s):
 *
 *   [0,2) 8    -> 16e6 bits    cum: 0, 16e6
 *   [2,3) 0    ->  0           cum: 16e6
 *   [3,4) 4    ->  4e6         cum: 20e6
 *   [4,6) 2    ->  4e6         cum: 24e6 = one period
 *
 * All figures below are dyadic, so they are exact in double precision. */
static st_trace *hand_trace(int loop)
{
    static const double t[] = { 0, 2, 3, 4 };
    static const double mbps[] = { 8, 0, 4, 2 };
    st_trace *tr = NULL;
    st_error err = { "" };
    assert_int_equal(st_trace_from_mbps("hand", t, mbps, 4, 6.0, loop, &tr,
                                        &err), 0);
    assert_non_null(tr);
    return tr;
}

static void test_construction(void **state)
{
    (void)state;
    st_trace *tr = hand_trace(1);
    assert_int_equal(tr->n, 4);
    assert_near(tr->duration, 6.0, EPS);
    assert_near(tr->cum[0], 0, EPS);
    assert_near(tr->cum[1], 16e6, EPS);
    assert_near(tr->cum[2], 16e6, EPS);
    assert_near(tr->cum[3], 20e6, EPS);
    assert_near(tr->cum[4], 24e6, EPS);
    st_trace_free(tr);

    /* Starts shifted to 0: t = {10, 11}, period 3 s from t[0]. */
    static const double t2[] = { 10, 11 };
    static const double m2[] = { 1, 2 };
    st_error err = { "" };
    assert_int_equal(st_trace_from_mbps("s", t2, m2, 2, 3.0, 1, &tr, &err), 0);
    assert_near(tr->start[1], 1.0, EPS);
    assert_near(tr->cum[2], 1e6 + 2 * 2e6, EPS);
    st_trace_free(tr);

    /* All zero, non-increasing times, duration too short: rejected. */
    static const double z[] = { 0, 0 };
    assert_int_equal(st_trace_from_mbps("z", t2, z, 2, 3.0, 1, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "zero"));
    static const double tb[] = { 1, 1 };
    assert_int_equal(st_trace_from_mbps("b", tb, m2, 2, 3.0, 1, &tr, &err), -1);
    assert_int_equal(st_trace_from_mbps("d", t2, m2, 2, 1.0, 1, &tr, &err), -1);
    assert_null(tr);
}

static void test_finish_within_segment(void **state)
{
    (void)state;
    st_trace *tr = hand_trace(1);
    /* From 0.5 at 8 Mbit/s, 4e6 bits take 0.5 s -> 1.0. */
    assert_near(st_trace_finish(tr, 0.5, 4e6), 1.0, EPS);
    /* From 4.5 at 2 Mbit/s, 1e6 bits take 0.5 s -> 5.0. */
    assert_near(st_trace_finish(tr, 4.5, 1e6), 5.0, EPS);
    /* Nothing to send: done at once. */
    assert_near(st_trace_finish(tr, 3.3, 0), 3.3, EPS);
    st_trace_free(tr);
}

static void test_finish_spanning(void **state)
{
    (void)state;
    st_trace *tr = hand_trace(1);
    /* From 1.5, 10e6 bits: [1.5,2) gives 4e6, [2,3) nothing, [3,4) 4e6
     * (8e6 so far), the last 2e6 at 2 Mbit/s take 1 s -> 5.0. */
    assert_near(st_trace_finish(tr, 1.5, 10e6), 5.0, EPS);
    /* Exactly the bits up to the zero stretch end at its start (the last
     * bit arrives at 2.0, not when the idle gap ends at 3.0). */
    assert_near(st_trace_finish(tr, 0, 16e6), 2.0, EPS);
    /* One whole period from 0 ends at 6.0. */
    assert_near(st_trace_finish(tr, 0, 24e6), 6.0, EPS);
    st_trace_free(tr);
}

static void test_finish_wraps(void **state)
{
    (void)state;
    st_trace *tr = hand_trace(1);
    /* From 5, 6e6 bits: [5,6) gives 2e6; the trace loops and the last 4e6
     * at 8 Mbit/s take 0.5 s -> 6.5. */
    assert_near(st_trace_finish(tr, 5.0, 6e6), 6.5, EPS);
    /* Same transfer one hundred periods later: 600 + 6.5. */
    assert_near(st_trace_finish(tr, 605.0, 6e6), 606.5, EPS);
    st_trace_free(tr);

    /* A trace that ends idle: 4 Mbit/s over [0,1), 0 over [1,2).  From
     * 1.5 nothing moves until the wrap at 2; 2e6 bits then take 0.5 s
     * -> 2.5.  Exactly one period's 4e6 bits from 0 end at 1.0 (when the
     * last bit arrives, not at the wrap), two periods' at 2 + 1 = 3. */
    static const double t[] = { 0, 1 };
    static const double m[] = { 4, 0 };
    st_error err = { "" };
    assert_int_equal(st_trace_from_mbps("idle-tail", t, m, 2, 2.0, 1, &tr,
                                        &err), 0);
    assert_near(st_trace_finish(tr, 1.5, 2e6), 2.5, EPS);
    assert_near(st_trace_finish(tr, 0, 4e6), 1.0, EPS);
    assert_near(st_trace_finish(tr, 0, 8e6), 3.0, EPS);
    assert_near(st_trace_finish(tr, 1.0, 4e6), 3.0, EPS);
    st_trace_free(tr);
}

static void test_finish_in_zero_stretch(void **state)
{
    (void)state;
    st_trace *tr = hand_trace(1);
    /* From 2.25 nothing moves until 3; then 2e6 at 4 Mbit/s take 0.5 s
     * -> 3.5. */
    assert_near(st_trace_finish(tr, 2.25, 2e6), 3.5, EPS);
    /* Starting exactly where the zero stretch begins: same answer. */
    assert_near(st_trace_finish(tr, 2.0, 2e6), 3.5, EPS);
    st_trace_free(tr);
}

static void test_finish_many_periods(void **state)
{
    (void)state;
    st_trace *tr = hand_trace(1);
    /* From 1 (8e6 bits already past in this period), 1000 periods plus
     * 8e6 bits: the target 16e6 within the period is reached at 2.0 after
     * 1000 periods -> 1000 * 6 + 2 = 6002. */
    assert_near(st_trace_finish(tr, 1.0, 1000 * 24e6 + 8e6), 6002.0,
                        EPS);
    /* A million periods: must be arithmetic, not a loop -> 6000002. */
    assert_near(st_trace_finish(tr, 1.0, 1e6 * 24e6 + 8e6),
                        6000002.0, 1e-6);
    /* Exactly 7 periods from 4.5 ends at 4.5 + 42 = 46.5. */
    assert_near(st_trace_finish(tr, 4.5, 7 * 24e6), 46.5, EPS);
    st_trace_free(tr);
}

static void test_finish_no_loop(void **state)
{
    (void)state;
    st_error err = { "" };
    st_trace *tr = NULL;
    /* 4 Mbit/s for 1 s then 0 for ever: 2e6 bits end at 0.5; 8e6 never. */
    static const double t[] = { 0, 1 };
    static const double dead[] = { 4, 0 };
    assert_int_equal(st_trace_from_mbps("dead", t, dead, 2, 2.0, 0, &tr,
                                        &err), 0);
    assert_near(st_trace_finish(tr, 0, 2e6), 0.5, EPS);
    assert_true(isinf(st_trace_finish(tr, 0, 8e6)));
    assert_true(isinf(st_trace_finish(tr, 10, 1)));
    st_trace_free(tr);
    /* 0 for 1 s then 4 Mbit/s for ever: 8e6 bits from 0 end at 1 + 2 = 3;
     * from 5 they take 2 s -> 7. */
    static const double late[] = { 0, 4 };
    assert_int_equal(st_trace_from_mbps("late", t, late, 2, 2.0, 0, &tr,
                                        &err), 0);
    assert_near(st_trace_finish(tr, 0, 8e6), 3.0, EPS);
    assert_near(st_trace_finish(tr, 5, 8e6), 7.0, EPS);
    assert_near(st_trace_rate_at(tr, 100), 4e6, EPS);
    assert_near(st_trace_bits_between(tr, 0, 10), 36e6, EPS);
    st_trace_free(tr);
}

/* A deterministic stream of doubles in [0, 1) for the cursor tests. */
static double unit_draw(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* A trace of n segments of random, non-dyadic lengths, a fifth of them at
 * rate 0 (never the first), looping or not. */
static st_trace *random_trace(uint64_t *x, size_t n, int loop)
{
    double *t = malloc(n * sizeof *t), *m = malloc(n * sizeof *m);
    double at = 0;
    for (size_t i = 0; i < n; i++) {
        t[i] = at;
        at += 0.01 + 3 * unit_draw(x);
        m[i] = i > 0 && unit_draw(x) < 0.2 ? 0 : 0.05 + 20 * unit_draw(x);
    }
    st_trace *tr = NULL;
    st_error err = { "" };
    assert_int_equal(st_trace_from_mbps("random", t, m, n, at, loop, &tr,
                                        &err), 0);
    free(t);
    free(m);
    return tr;
}

/* A transfer size: often within a segment, sometimes several periods, and
 * sometimes exactly the bits up to a segment end or a whole period. */
static double random_bits(uint64_t *x, const st_trace *tr, double t0)
{
    double period = tr->cum[tr->n], d = unit_draw(x);
    if (d < 0.1)
        return period * (double)(1 + (int)(4 * unit_draw(x)));
    if (d < 0.2 && tr->loop) {
        size_t j = (size_t)(unit_draw(x) * (double)tr->n) + 1;
        double have = st_trace_bits_between(tr, 0, fmod(t0, tr->duration));
        return tr->cum[j] > have ? tr->cum[j] - have : tr->cum[j];
    }
    if (d < 0.3)
        return period * 3 * unit_draw(x);
    return period * 1e-3 * unit_draw(x) * unit_draw(x);
}

/* The next start on a link: mostly where the last transfer ended or a
 * little later, sometimes a jump anywhere in the first 1e6 periods, on a
 * segment start, or back in time. */
static double random_start(uint64_t *x, const st_trace *tr, double last)
{
    double d = unit_draw(x), D = tr->duration;
    if (!isfinite(last) || d < 0.05)
        return D * 1e6 * unit_draw(x) * unit_draw(x);
    if (d < 0.1)
        return floor(last / D) * D +
               tr->start[(size_t)(unit_draw(x) * (double)tr->n)];
    if (d < 0.15)
        return last * unit_draw(x);
    return last + (d < 0.5 ? 0 : D * 0.05 * unit_draw(x));
}

/* Compares two answers bit for bit. */
static void assert_same_bits(double a, double b, const char *what, size_t i)
{
    if (memcmp(&a, &b, sizeof a) != 0)
        fail_msg("%s, query %zu: with a cursor %.17g, without %.17g", what,
                 i, a, b);
}

/* A cursor changes how answers are found, never what they are: on random
 * traces (looping or not, with idle stretches) and link-like query
 * sequences, each cursor answer is the cursor-free answer to the bit,
 * including with one cursor shared by two traces. */
static void test_cursor_matches(void **state)
{
    (void)state;
    uint64_t x = 12345;
    st_trace *trs[6] = { hand_trace(1), hand_trace(0),
                         random_trace(&x, 1, 1), random_trace(&x, 40, 1),
                         random_trace(&x, 700, 1), random_trace(&x, 300, 0) };
    size_t n_tr = sizeof trs / sizeof trs[0];
    st_trace_cursor cur[6] = { { 0 } }, shared = { 0 };
    double last[6];
    for (size_t k = 0; k < n_tr; k++)
        last[k] = 0;
    for (size_t i = 0; i < 200000; i++) {
        size_t k = (size_t)(unit_draw(&x) * (double)n_tr);
        const st_trace *tr = trs[k];
        double t0 = random_start(&x, tr, last[k]);
        double bits = random_bits(&x, tr, t0);
        double plain = st_trace_finish(tr, t0, bits);
        assert_same_bits(st_trace_finish_cursor(tr, &cur[k], t0, bits), plain,
                         "own cursor", i);
        assert_same_bits(st_trace_finish_cursor(tr, &shared, t0, bits), plain,
                         "shared cursor", i);
        last[k] = plain;
    }
    /* A cursor left anywhere, even past the trace's end, is still exact. */
    st_trace_cursor wild = { UINT32_MAX };
    assert_same_bits(st_trace_finish_cursor(trs[4], &wild, 123.4, 5e6),
                     st_trace_finish(trs[4], 123.4, 5e6), "wild cursor", 0);
    for (size_t k = 0; k < n_tr; k++)   /* and from -0, whose sign is kept */
        assert_same_bits(st_trace_finish_cursor(trs[k], &wild, -0.0, 1e-300),
                         st_trace_finish(trs[k], -0.0, 1e-300), "from -0", k);
    for (size_t k = 0; k < n_tr; k++)
        st_trace_free(trs[k]);
}

/* Several sizes from one instant (st_trace_finish_many) give, each, the
 * single transfer's answer to the bit: random traces and starts, sizes as
 * random_bits draws them plus none, a negative one and an infinite one,
 * with a cursor carried along or left anywhere. */
static void test_finish_many_matches(void **state)
{
    (void)state;
    uint64_t x = 777;
    st_trace *trs[5] = { hand_trace(1), hand_trace(0), random_trace(&x, 1, 1),
                         random_trace(&x, 500, 1), random_trace(&x, 200, 0) };
    size_t n_tr = sizeof trs / sizeof trs[0];
    st_trace_cursor cur = { 0 };
    double last = 0, bits[12], end[12];
    for (size_t i = 0; i < 20000; i++) {
        const st_trace *tr = trs[i % n_tr];
        double t0 = random_start(&x, tr, last);
        size_t n = 1 + (size_t)(unit_draw(&x) * 12);
        for (size_t k = 0; k < n; k++)
            bits[k] = random_bits(&x, tr, t0);
        bits[0] = i % 7 == 0 ? 0 : i % 7 == 1 ? -1 : i % 7 == 2 ? INFINITY : bits[0];
        if (i % 5 == 0)
            cur.seg = (uint32_t)(unit_draw(&x) * 4e9);
        st_trace_finish_many(tr, &cur, t0, bits, n, end);
        for (size_t k = 0; k < n; k++)
            assert_same_bits(end[k], st_trace_finish(tr, t0, bits[k]),
                             "several sizes", i);
        last = isfinite(end[n - 1]) ? end[n - 1] : 0;
    }
    for (size_t k = 0; k < n_tr; k++)
        st_trace_free(trs[k]);
}

static void test_rate_and_bits(void **state)
{
    (void)state;
    st_trace *tr = hand_trace(1);
    assert_near(st_trace_rate_at(tr, 0), 8e6, EPS);
    assert_near(st_trace_rate_at(tr, 2.5), 0, EPS);
    assert_near(st_trace_rate_at(tr, 3.0), 4e6, EPS); /* boundary */
    assert_near(st_trace_rate_at(tr, 6.5), 8e6, EPS); /* wrapped */
    assert_near(st_trace_rate_at(tr, 6004.5), 2e6, EPS);
    /* [1,6): 24e6 - 8e6 = 16e6; [6,12): 24e6; [12,13): 8e6 -> 48e6. */
    assert_near(st_trace_bits_between(tr, 1, 13), 48e6, EPS);
    /* [2.5,3): 0; [3,3.5): 2e6. */
    assert_near(st_trace_bits_between(tr, 2.5, 3.5), 2e6, EPS);
    /* Same window far out: the period count cancels exactly. */
    assert_near(st_trace_bits_between(tr, 6e6 + 1, 6e6 + 13), 48e6,
                        1e-3);
    assert_near(st_trace_bits_between(tr, 4, 4), 0, EPS);
    /* finish and bits_between are inverses. */
    static const double t0s[] = { 0, 0.1, 2.2, 3.7, 5.9, 61.3 };
    static const double bs[] = { 1, 1e5, 3.3e6, 17e6, 25e6, 99e6 };
    for (size_t i = 0; i < 6; i++) {
        double t1 = st_trace_finish(tr, t0s[i], bs[i]);
        assert_near(st_trace_bits_between(tr, t0s[i], t1), bs[i],
                            1e-6 * bs[i]);
    }
    st_trace_free(tr);
}

static void test_stats(void **state)
{
    (void)state;
    st_trace *tr = hand_trace(1);
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    /* Time at each rate: 0 for 1 s, 2 for 2 s, 4 for 1 s, 8 for 2 s, so the
     * cumulative shares are 1/6, 1/2, 2/3, 1; mean 24e6 bits / 6 s. */
    assert_near(s.duration_s, 6, EPS);
    assert_int_equal(s.segments, 4);
    assert_near(s.mean_mbps, 4, EPS);
    assert_near(s.min_mbps, 0, EPS);
    assert_near(s.max_mbps, 8, EPS);
    assert_near(s.p5_mbps, 0, EPS);
    assert_near(s.p25_mbps, 2, EPS);
    assert_near(s.p50_mbps, 2, EPS);   /* share exactly 1/2 at 2 */
    assert_near(s.p75_mbps, 8, EPS);
    assert_near(s.p95_mbps, 8, EPS);
    assert_near(s.zero_fraction, 1.0 / 6, EPS);
    st_trace_free(tr);
}

static void test_format_names(void **state)
{
    (void)state;
    st_trace_format f;
    const char *names[] = { "auto", "native", "cooked", "mahimahi", "csv" };
    for (int i = 0; i < 5; i++) {
        assert_int_equal(st_trace_format_parse(names[i], &f), 0);
        assert_int_equal((int)f, i);
        assert_string_equal(st_trace_format_name(f), names[i]);
    }
    assert_int_equal(st_trace_format_parse("pcap", &f), -1);
}

static st_trace *load_ok(const char *path, const st_trace_opts *o)
{
    st_trace *tr = NULL;
    st_error err = { "" };
    int rc = st_trace_load(path, o, &tr, &err);
    if (rc != 0)
        fail_msg("loading %s: %s", path, err.msg);
    return tr;
}

static void test_write_native_roundtrip(void **state)
{
    (void)state;
    /* A last segment of 2 s while the median interval is 1 s: only the
     * duration comment lets the period survive the round trip. */
    st_trace *tr = hand_trace(1);
    char path[1024];
    snprintf(path, sizeof path, "%s/roundtrip.txt", tu_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(st_trace_write_native(tr, f), 0);
    fclose(f);
    st_trace *back = load_ok(path, NULL);
    assert_int_equal(back->n, tr->n);
    assert_near(back->duration, tr->duration, EPS);
    for (size_t i = 0; i <= tr->n; i++)
        assert_near(back->cum[i], tr->cum[i], EPS);
    st_trace_free(back);
    st_trace_free(tr);
}

static void test_load_native(void **state)
{
    (void)state;
    /* The hand trace, with a comment, a blank line and the period given
     * explicitly. */
    const char *p = tu_write_file(0, "native.txt",
                                  "# hand trace\n0 8\n2 0\n\n3 4\n4 2\n"
                                  "# duration_s: 6\n");
    st_trace_opts o = { .format = ST_TRACE_NATIVE };
    st_trace *tr = load_ok(p, &o);
    assert_int_equal(tr->n, 4);
    assert_near(tr->duration, 6, EPS);
    assert_near(st_trace_finish(tr, 1.5, 10e6), 5.0, EPS);
    assert_string_equal(tr->name, p);
    st_trace_free(tr);

    /* Without the comment the last sample lasts the median interval of
     * {2, 1, 1} = 1 s: period 5 s, 20e6 + 2e6 = 22e6 bits. */
    p = tu_write_file(0, "native2.txt", "0\t8\n2\t0\n3\t4\n4\t2\r\n");
    tr = load_ok(p, NULL);
    assert_near(tr->duration, 5, EPS);
    assert_near(tr->cum[4], 22e6, EPS);
    st_trace_free(tr);
}

static void test_load_cooked_shift(void **state)
{
    (void)state;
    /* Times 10.5, 11.5, 12.5 shift to 0, 1, 2; the last lasts the median
     * 1 s: period 3 s, mean (1 + 2 + 3) / 3 = 2 Mbit/s. */
    const char *p = tu_write_file(0, "cooked.txt",
                                  "10.5 1\n11.5 2\n12.5 3\n");
    st_trace_opts o = { .format = ST_TRACE_COOKED };
    st_trace *tr = load_ok(p, &o);
    assert_int_equal(tr->n, 3);
    assert_near(tr->start[0], 0, EPS);
    assert_near(tr->start[2], 2, EPS);
    assert_near(tr->duration, 3, EPS);
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    assert_near(s.mean_mbps, 2, EPS);
    st_trace_free(tr);

    /* Declared native, the same file is an error: native starts at 0. */
    o.format = ST_TRACE_NATIVE;
    st_error err = { "" };
    assert_int_equal(st_trace_load(p, &o, &tr, &err), -1);
    assert_non_null(strstr(err.msg, ":1:"));
}

static void test_load_mahimahi(void **state)
{
    (void)state;
    /* Packets at 0,0,1,3,3,3,4 ms: the period is 4 ms (the last stamp) and
     * the packet at 4 ms folds into bin 0.  One 1500-byte packet per ms is
     * 12000 bits / 1 ms = 12 Mbit/s. */
    const char *p = tu_write_file(0, "mm.up", "0\n0\n1\n3\n3\n3\n4\n");
    st_trace *tr = load_ok(p, NULL);    /* auto-detected */
    assert_int_equal(tr->n, 4);
    assert_near(tr->duration, 0.004, EPS);
    assert_near(tr->bps[0], 36e6, 1e-3);    /* 2 + 1 folded */
    assert_near(tr->bps[1], 12e6, 1e-3);
    assert_near(tr->bps[2], 0, 1e-3);
    assert_near(tr->bps[3], 36e6, 1e-3);
    /* 7 packets * 12000 bits over 4 ms = 21 Mbit/s. */
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    assert_near(s.mean_mbps, 21, 1e-9);
    st_trace_free(tr);

    /* 2 ms bins: [0,2) 3 + 1 folded = 4 packets -> 48000 bits / 2 ms =
     * 24 Mbit/s; [2,4) 3 packets -> 18 Mbit/s. */
    st_trace_opts o = { .format = ST_TRACE_MAHIMAHI, .mahimahi_bin_ms = 2 };
    tr = load_ok(p, &o);
    assert_int_equal(tr->n, 2);
    assert_near(tr->bps[0], 24e6, 1e-3);
    assert_near(tr->bps[1], 18e6, 1e-3);
    st_trace_free(tr);

    /* 3 ms bins: [0,3) holds 2 + 1 + 1 folded = 4 packets -> 16 Mbit/s;
     * the short last bin [3,4) holds the three at 3 ms -> 36 Mbit/s (the
     * one at 4 ms was counted there first and must move to bin 0). */
    o.mahimahi_bin_ms = 3;
    tr = load_ok(p, &o);
    assert_int_equal(tr->n, 2);
    assert_near(tr->bps[0], 16e6, 1e-3);
    assert_near(tr->bps[1], 36e6, 1e-3);
    assert_near(tr->cum[2], 7 * 12000.0, 1e-6);
    st_trace_free(tr);
}

static void test_load_csv(void **state)
{
    (void)state;
    const char *p = tu_write_file(0, "t.csv",
                                  "time,foo_kbps,\"rate_mbps\",note\n"
                                  "0,500,1,a\n"
                                  "1,1500,3,\"b, c\"\n");
    /* Named column in kbit/s, rows 1 s apart: 0.5 and 1.5 Mbit/s over
     * 2 s, mean 1. */
    st_trace_opts o = { .format = ST_TRACE_CSV, .column = "foo_kbps" };
    st_trace *tr = load_ok(p, &o);
    assert_int_equal(tr->n, 2);
    assert_near(tr->bps[0], 0.5e6, 1e-6);
    assert_near(tr->bps[1], 1.5e6, 1e-6);
    assert_near(tr->duration, 2, EPS);
    st_trace_free(tr);

    /* Default column: the first naming mbps -> rate_mbps, 1 and 3. */
    tr = load_ok(p, NULL);
    assert_near(tr->bps[1], 3e6, 1e-6);
    st_trace_free(tr);

    /* Rows 0.5 s apart: period 1 s, 0.5e6 + 1.5e6 bits. */
    o.step_s = 0.5;
    o.column = "rate_mbps";
    tr = load_ok(p, &o);
    assert_near(tr->duration, 1, EPS);
    assert_near(tr->cum[2], 2e6, 1e-6);
    st_trace_free(tr);

    /* A time column: times 2, 2.5, 4 shift to 0, 0.5, 2; the last row
     * lasts the median of {0.5, 1.5} = 1 s -> period 3 s. */
    p = tu_write_file(0, "t2.csv", "t_s,x_bps\n2,1000000\n2.5,2000000\n"
                      "4,3000000\n");
    st_trace_opts o2 = { .column = "x_bps", .time_column = "t_s" };
    tr = load_ok(p, &o2);
    assert_near(tr->start[2], 2, EPS);
    assert_near(tr->duration, 3, EPS);
    assert_near(tr->bps[2], 3e6, 1e-6);
    st_trace_free(tr);

    /* Unknown column: the header line is named. */
    st_error err = { "" };
    o2.column = "nope";
    assert_int_equal(st_trace_load(p, &o2, &tr, &err), -1);
    assert_non_null(strstr(err.msg, ":1:"));
    assert_non_null(strstr(err.msg, "nope"));
}

/* ---- real traces: figures computed here, without the library ---------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_real_hsdpa(void **state)
{
    (void)state;
    const char *path = tu_shared("traces/hsdpa-norway/norway_bus_1");
    if (!path) {
        print_message("skipping: ../shared/data not found\n");
        skip();
    }
    /* Read "time mbps" pairs; the last rate holds for the median gap. */
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    double t[4096], v[4096];
    size_t n = 0;
    while (n < 4096 && fscanf(f, "%lf %lf", &t[n], &v[n]) == 2)
        n++;
    fclose(f);
    assert_true(n > 2);
    double gaps[4096], bits = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        gaps[i] = t[i + 1] - t[i];
        bits += v[i] * gaps[i];
    }
    qsort(gaps, n - 1, sizeof gaps[0], cmp_double);
    size_t m = n - 1;
    double med = m % 2 ? gaps[m / 2] : (gaps[m / 2 - 1] + gaps[m / 2]) / 2;
    double duration = t[n - 1] - t[0] + med;
    double mean = (bits + v[n - 1] * med) / duration;

    st_trace_opts o = { .format = ST_TRACE_COOKED };
    st_trace *tr = load_ok(path, &o);
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    print_message("norway_bus_1: %zu samples, %.3f s, mean %.4f Mbit/s\n",
                  n, duration, mean);
    assert_int_equal(s.segments, n);
    assert_near(s.duration_s, duration, 1e-9);
    assert_near(s.mean_mbps, mean, 1e-9 * mean);
    st_trace_free(tr);
    /* Auto-detection gives the same trace. */
    tr = load_ok(path, NULL);
    assert_int_equal(tr->n, n);
    st_trace_free(tr);
}

static void test_real_mahimahi(void **state)
{
    (void)state;
    const char *path = tu_shared("traces/mahimahi/Verizon-LTE-short.up");
    if (!path) {
        print_message("skipping: ../shared/data not found\n");
        skip();
    }
    /* Packets = lines; the period is the last stamp; mean = packets *
     * 12000 bits / period. */
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long ms, last = 0, packets = 0;
    while (fscanf(f, "%ld", &ms) == 1) {
        packets++;
        last = ms;
    }
    fclose(f);
    double duration = (double)last / 1000.0;
    double mean = (double)packets * 12000.0 / duration / 1e6;

    st_trace *tr = load_ok(path, NULL);
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    print_message("Verizon-LTE-short.up: %ld packets, %.3f s, mean %.4f "
                  "Mbit/s\n", packets, duration, mean);
    assert_near(s.duration_s, duration, 1e-9);
    assert_int_equal(s.segments, (size_t)last);     /* 1 ms bins */
    assert_near(s.mean_mbps, mean, 1e-9 * mean);
    st_trace_free(tr);
}

static void test_real_5gophers(void **state)
{
    (void)state;
    const char *path = tu_shared("traces/5gophers-mobility/walking-trace.csv");
    if (!path) {
        print_message("skipping: ../shared/data not found\n");
        skip();
    }
    /* Find the column by name in the header, then average it; rows are
     * 1 s apart. */
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    assert_non_null(fgets(line, sizeof line, f));
    int col = -1, c = 0;
    for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"),
         c++)
        if (strcmp(tok, "throughput_mbps") == 0)
            col = c;
    assert_true(col >= 0);
    double sum = 0;
    size_t rows = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        for (int i = 0; i < col; i++)
            p = strchr(p, ',') + 1;
        sum += atof(p);
        rows++;
    }
    fclose(f);
    double mean = sum / (double)rows;

    st_trace_opts o = { .format = ST_TRACE_CSV, .column = "throughput_mbps" };
    st_trace *tr = load_ok(path, &o);
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    print_message("walking-trace.csv: %zu rows, mean %.4f Mbit/s\n", rows,
                  mean);
    assert_int_equal(s.segments, rows);
    assert_near(s.duration_s, (double)rows, 1e-9);
    assert_near(s.mean_mbps, mean, 1e-9 * mean);
    st_trace_free(tr);
}

/* ---- errors ----------------------------------------------------------- */

/* Loads text that must fail; the message must carry "path:line:". */
static void expect_error(const char *name, const char *text, size_t line,
                         const char *word)
{
    const char *p = tu_write_file(1, name, text);
    st_trace *tr = (st_trace *)1;
    st_error err = { "" };
    assert_int_equal(st_trace_load(p, NULL, &tr, &err), -1);
    assert_null(tr);
    char where[1100];
    snprintf(where, sizeof where, "%s:%zu:", p, line);
    if (!strstr(err.msg, where) || (word && !strstr(err.msg, word)))
        fail_msg("expected '%s' and '%s' in: %s", where, word ? word : "",
                 err.msg);
}

static void test_errors_content(void **state)
{
    (void)state;
    expect_error("nonmono.txt", "0 1\n1 2\n1 3\n", 3, "increase");
    expect_error("back.txt", "0 1\n2 2\n1 3\n", 3, "increase");
    expect_error("zero.txt", "0 0\n1 0\n2 0\n", 3, "zero");
    expect_error("nan.txt", "0 1\n1 nan\n", 2, "NaN");
    expect_error("inf.txt", "0 1\n1 inf\n", 2, "infinite");
    expect_error("neg.txt", "0 1\n1 -2\n", 2, "negative");
    expect_error("garbage.txt", "0 1\nhello there\n2 3\n", 2,
                 "expected two numbers 'time_s mbps', got 'hello there'");
    expect_error("three.txt", "0 1\n1 2 3\n", 2, "expected two numbers");
    expect_error("empty.txt", "", 1, "empty");
    expect_error("comments.txt", "# nothing\n\n", 2, "empty");
    expect_error("single.txt", "0 5\n", 1, "single sample");
    expect_error("mm-back.up", "0\n5\n3\n", 3, "decrease");
    expect_error("mm-bad.up", "0\n5\n5.5\n", 3, "milliseconds");
    expect_error("csv-bad.csv", "a_mbps\n1\nx\n", 3, "expected a number");
    expect_error("csv-empty.csv", "a,b_mbps\n1,\n", 2, "empty");
    expect_error("csv-zero.csv", "a_mbps\n0\n0\n", 3, "zero");
}

static void test_errors_files(void **state)
{
    (void)state;
    st_trace *tr = NULL;
    st_error err = { "" };
    /* No line exists for these, so the file name alone is named. */
    char missing[1024];
    snprintf(missing, sizeof missing, "%s/no-such-trace.txt", tu_tmpdir());
    assert_int_equal(st_trace_load(missing, NULL, &tr, &err), -1);
    assert_non_null(strstr(err.msg, missing));
    assert_non_null(strstr(err.msg, "No such file"));
    assert_int_equal(st_trace_load(tu_tmpdir(), NULL, &tr, &err), -1);
    assert_non_null(strstr(err.msg, tu_tmpdir()));
    assert_non_null(strstr(err.msg, "directory"));
}

static void test_errors_limits(void **state)
{
    (void)state;
    /* A 70000-character line is refused, not truncated or swallowed. */
    size_t big = 70000;
    char *text = malloc(big + 16);
    assert_non_null(text);
    strcpy(text, "0 1\n");
    memset(text + 4, '7', big);
    strcpy(text + 4 + big, " 1\n");
    expect_error("long.txt", text, 2, "64 KiB");
    free(text);
    /* A stamp needing 1e11 one-ms bins is refused before allocating. */
    expect_error("mm-huge.up", "0\n100000000000\n", 2, "limit");
}

/* ---- synthesis -------------------------------------------------------- */

static st_synth_opts three_state(uint64_t seed, double duration)
{
    st_synth_opts o = { .states = 3, .mbps = { 0.4, 1.5, 3.5 },
                        .dwell_s = { 8, 20, 12 }, .jitter = 0.3,
                        .step_s = 1, .duration_s = duration, .seed = seed };
    return o;
}

static void test_synth_determinism(void **state)
{
    (void)state;
    st_error err = { "" };
    st_synth_opts o = three_state(7, 600);
    st_trace *a, *b, *c;
    assert_int_equal(st_trace_synth(&o, &a, &err), 0);
    assert_int_equal(st_trace_synth(&o, &b, &err), 0);
    o.seed = 8;
    assert_int_equal(st_trace_synth(&o, &c, &err), 0);
    assert_int_equal(a->n, 600);
    assert_near(a->duration, 600, EPS);
    assert_int_equal(b->n, a->n);
    assert_memory_equal(a->bps, b->bps, a->n * sizeof a->bps[0]);
    assert_int_equal(c->n, a->n);
    assert_memory_not_equal(a->bps, c->bps, a->n * sizeof a->bps[0]);
    st_trace_free(a);
    st_trace_free(b);
    st_trace_free(c);
}

static void test_synth_mean(void **state)
{
    (void)state;
    /* Stationary mean = sum(rate * dwell) / sum(dwell)
     *                 = (0.4*8 + 1.5*20 + 3.5*12) / 40 = 75.2 / 40 = 1.88;
     * the lognormal jitter has mean 1 and does not move it.  200000 s is
     * about 15000 state visits, so 10% is a loose bound. */
    st_error err = { "" };
    st_synth_opts o = three_state(42, 200000);
    st_trace *tr;
    assert_int_equal(st_trace_synth(&o, &tr, &err), 0);
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    print_message("synth mean %.4f Mbit/s (stationary 1.88)\n", s.mean_mbps);
    assert_near(s.mean_mbps, 1.88, 0.188);
    st_trace_free(tr);

    /* Without jitter the samples take only the state rates. */
    o.jitter = 0;
    o.duration_s = 1000;
    assert_int_equal(st_trace_synth(&o, &tr, &err), 0);
    for (size_t i = 0; i < tr->n; i++)
        assert_true(tr->bps[i] == 0.4e6 || tr->bps[i] == 1.5e6
                    || tr->bps[i] == 3.5e6);
    st_trace_free(tr);

    /* Bad options are reported, not generated. */
    o.states = 0;
    assert_int_equal(st_trace_synth(&o, &tr, &err), -1);
    assert_null(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_construction),
        cmocka_unit_test(test_finish_within_segment),
        cmocka_unit_test(test_finish_spanning),
        cmocka_unit_test(test_finish_wraps),
        cmocka_unit_test(test_finish_in_zero_stretch),
        cmocka_unit_test(test_finish_many_periods),
        cmocka_unit_test(test_finish_no_loop),
        cmocka_unit_test(test_cursor_matches),
        cmocka_unit_test(test_finish_many_matches),
        cmocka_unit_test(test_rate_and_bits),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_write_native_roundtrip),
        cmocka_unit_test(test_load_native),
        cmocka_unit_test(test_load_cooked_shift),
        cmocka_unit_test(test_load_mahimahi),
        cmocka_unit_test(test_load_csv),
        cmocka_unit_test(test_real_hsdpa),
        cmocka_unit_test(test_real_mahimahi),
        cmocka_unit_test(test_real_5gophers),
        cmocka_unit_test(test_errors_content),
        cmocka_unit_test(test_errors_files),
        cmocka_unit_test(test_errors_limits),
        cmocka_unit_test(test_synth_determinism),
        cmocka_unit_test(test_synth_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
