/* sort.c - LSD radix sort of doubles (see sort.h).
 *
 * A double's bit pattern, with the sign bit flipped for positives and every
 * bit flipped for negatives, orders as an unsigned integer exactly as the
 * doubles order numerically; the keys are then sorted 11 bits at a time,
 * six stable counting passes, skipping any pass whose digit is the same
 * for every key (the sign and top exponent bits usually are).  The keys
 * live in the caller's array and one buffer of the same size, passes
 * alternating between them; they are read and written through memcpy,
 * so no double is ever accessed as an integer.
 *
 * The three passes of the top 31 bits come first, and most of the time
 * they are the only ones: in a run's latencies (doubles spread over a
 * few binades) keys that share their top 31 bits (sign, exponent and 19
 * bits of mantissa) are rare, and those few short runs of neighbours are
 * put in order by insertion, half the passes' work gone.  Only if some
 * run is longer than RUN do the low digits get their passes, and then
 * all six passes run as a plain LSD sort.  Either way the keys end in
 * exactly ascending order.
 */
#include "base/sort.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>

#define DIGIT_BITS 11
#define BUCKETS (1u << DIGIT_BITS)
#define PASSES 6                 /* ceil(64 / 11) */
/* Below this, counting costs more than comparing. */
#define SMALL 2048
#define SIGN (UINT64_C(1) << 63)

static uint64_t load(const void *base, size_t i)
{
    uint64_t v;
    memcpy(&v, (const char *)base + i * sizeof v, sizeof v);
    return v;
}

static void store(void *base, size_t i, uint64_t v)
{
    memcpy((char *)base + i * sizeof v, &v, sizeof v);
}

static uint64_t to_key(uint64_t bits)
{
    return bits & SIGN ? ~bits : bits | SIGN;
}

static uint64_t from_key(uint64_t k)
{
    return k & SIGN ? k & ~SIGN : ~k;
}

static unsigned digit(uint64_t k, int pass)
{
    return (unsigned)(k >> (pass * DIGIT_BITS)) & (BUCKETS - 1);
}

/* One stable counting pass on digit p from src to dst; count holds the
 * digit's histogram and is turned into bucket starts. */
static void scatter(const void *src, void *dst, size_t n, size_t *count,
                    int p)
{
    size_t sum = 0;
    for (unsigned b = 0; b < BUCKETS; b++) {
        size_t k = count[b];
        count[b] = sum;
        sum += k;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = load(src, i);
        store(dst, count[digit(k, p)]++, k);
    }
}

/* The first pass of the top bits, and how many low bits it leaves. */
#define HIGH_PASS 3
#define LOW_BITS (HIGH_PASS * DIGIT_BITS)
/* The longest run of keys sharing their top bits left to insertion. */
#define RUN 16

/* Stable counting passes lo..PASSES-1 over the n keys in src (count
 * holds their digits' histograms, all of them), dst the other buffer;
 * returns where the keys ended. */
static void *passes(void *src, void *dst, size_t n, size_t *count, int lo)
{
    uint64_t first = load(src, 0);
    for (int p = lo; p < PASSES; p++) {
        size_t *c = count + p * BUCKETS;
        if (c[digit(first, p)] == n)
            continue;            /* every key has this digit: order kept */
        scatter(src, dst, n, c, p);
        void *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

/* Keys in k[0..n) ordered by their top bits: sorts each run that shares
 * them by insertion.  0 (and k a permutation still) as soon as a run is
 * longer than RUN. */
static int sort_runs(void *k, size_t n)
{
    size_t start = 0;
    uint64_t prev = load(k, 0);
    for (size_t i = 1; i < n; i++) {
        uint64_t v = load(k, i);
        if (v >> LOW_BITS != prev >> LOW_BITS) {
            start = i;
        } else if (i - start >= RUN) {
            return 0;
        } else if (v < prev) {
            size_t j = i;
            do {
                store(k, j, load(k, j - 1));
                j--;
            } while (j > start && load(k, j - 1) > v);
            store(k, j, v);
            continue;            /* prev, the run's largest, stays */
        }
        prev = v;
    }
    return 1;
}

void st_sort_doubles(double *a, size_t n)
{
    size_t *count = n >= SMALL ? calloc(PASSES * BUCKETS, sizeof *count)
                               : NULL;
    uint64_t *buf = count ? malloc(n * sizeof *buf) : NULL;
    if (!buf) {
        free(count);
        gsl_sort(a, 1, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = to_key(load(a, i));
        store(a, i, k);
        for (int p = HIGH_PASS; p < PASSES; p++)
            count[p * BUCKETS + digit(k, p)]++;
    }
    void *keys = passes(a, buf, n, count, HIGH_PASS);
    if (!sort_runs(keys, n)) {   /* all six passes, from the start */
        memset(count, 0, PASSES * BUCKETS * sizeof *count);
        for (size_t i = 0; i < n; i++)
            for (int p = 0; p < PASSES; p++)
                count[p * BUCKETS + digit(load(keys, i), p)]++;
        keys = passes(keys, keys == (void *)a ? (void *)buf : (void *)a, n,
                      count, 0);
    }
    for (size_t i = 0; i < n; i++)
        store(a, i, from_key(load(keys, i)));
    free(buf);
    free(count);
}
